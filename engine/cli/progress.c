/*
 * progress.c - the progress bar on stderr (a terminal only, work longer than a
 * second, --quiet silences it) and the monotonic clock the commands time
 * themselves with.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, const char *label, int quiet)
{
    memset(p, 0, sizeof *p);
    p->draw = !quiet && isatty(STDERR_FILENO);
    p->start = cli_now();
    p->last = p->start;
    p->label = label;
}

int cli_progress_cb(void *userdata, long done, long total)
{
    cli_progress *p = userdata;
    if (cli_interrupted())
        return 1;
    if (!p->draw)
        return 0;
    double now = cli_now();
    /* Only for work longer than about a second, redrawn ten times a second. */
    if (now - p->start < 1.0 || (now - p->last < 0.1 && done < total))
        return 0;
    p->last = now;
    /* A batch (compare's scenarios, sweep's points) is one job: the bar,
     * the percentage and the time left all count the whole of it, so
     * neither the bar nor the percentage ever goes back at the start of
     * the next run. */
    if (p->grand > 0) {
        done += p->offset;
        total = p->grand;
    }
    const int width = 30;
    int fill = total > 0 ? (int)((double)done / (double)total * width) : width;
    char bar[64];
    for (int k = 0; k < width; k++)
        bar[k] = k < fill ? '#' : '.';
    bar[width] = '\0';
    double eta = done > 0 ? (now - p->start) * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r%s [%s] %3d%% %ld/%ld  %.0fs left ", p->label, bar,
            (int)(100.0 * (double)done / (double)(total > 0 ? total : 1)), done, total, eta);
    fflush(stderr);
    p->drawn = 1;
    return 0;
}

void cli_progress_end(cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = 0;
}
