/*
 * common.c - error printing, option values, the progress bar and signals
 * shared by the kpisim commands.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_fail(const kpi_error *err)
{
    char buf[4096];
    if (cli_mpi_rank() == 0)
        fprintf(stderr, "kpisim: %s\n", kpi_error_format(err, buf, sizeof buf));
    return err->status ? err->status : KPI_EINTERNAL;
}

int cli_agreed(int rc, kpi_error *err)
{
    rc = cli_mpi_agree(rc, err);
    return rc == KPI_OK ? rc : cli_fail(err);
}

int cli_out_of_memory(void)
{
    fputs("kpisim: out of memory\n", stderr);
    return KPI_EINTERNAL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    if (cli_mpi_rank() != 0)
        return KPI_EUSAGE;   /* every rank parsed the same arguments */
    fputs("kpisim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kpisim %s --help'.\n", cmd);
    return KPI_EUSAGE;
}

int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return cli_usage(cmd, "%s: expected a whole number in [%ld, %ld], got '%s'", opt, lo, hi, s);
    *out = v;
    return 0;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return cli_usage(cmd, "%s: expected a whole number in [0, 2^64 - 1], got '%s'", opt, s);
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0)
        return cli_usage(cmd, "%s: expected a whole number in [0, 2^64 - 1], got '%s'", opt, s);
    *out = (uint64_t)v;
    return 0;
}

int cli_opt_value(int argc, char **argv, int *i, const char *cmd, const char *name,
                  const char *shortname, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
        if (a[n] == '=') {
            *value = a + n + 1;
            return 1;
        }
    } else if (shortname && strncmp(a, shortname, 2) == 0) {
        if (a[2] != '\0') {
            *value = a + 2;
            return 1;
        }
        name = shortname;
    } else {
        return 0;
    }
    if (*i + 1 >= argc) {
        cli_usage(cmd, "option %s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

/* The only mutable global of the program, as a signal handler needs: the
 * library itself has none. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

const volatile sig_atomic_t *cli_cancel_flag(void)
{
    return &interrupted;
}

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
    if (interrupted)
        return 1;
    if (!p->draw)
        return 0;
    double now = cli_now();
    /* Only for work longer than about a second, redrawn ten times a second. */
    if (now - p->start < 1.0 || (now - p->last < 0.1 && done < total))
        return 0;
    p->last = now;
    const int width = 30;
    int fill = total > 0 ? (int)((double)done / (double)total * width) : width;
    char bar[64];
    for (int k = 0; k < width; k++)
        bar[k] = k < fill ? '#' : '.';
    bar[width] = '\0';
    if (p->grand > 0) {
        done += p->offset;
        total = p->grand;
    }
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

int cli_common_init(cli_common *c, int argc)
{
    memset(c, 0, sizeof *c);
    c->threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (c->threads < 1)
        c->threads = 1;
    c->sets = (const char **)calloc((size_t)argc + 1, sizeof *c->sets);
    c->pos = (const char **)calloc((size_t)argc + 1, sizeof *c->pos);
    return c->sets && c->pos ? 0 : -1;
}

void cli_common_free(cli_common *c)
{
    free(c->sets);
    free(c->pos);
    c->sets = c->pos = NULL;
}

int cli_parse_common(int argc, char **argv, const char *cmd, void (*help)(FILE *),
                     cli_common *c)
{
    if (cli_common_init(c, argc) != 0)
        return cli_out_of_memory();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return CLI_HELP;
        }
        int m = cli_common_option(argc, argv, &i, cmd, c);
        if (m == 1)
            continue;
        if (m != 0)
            return m;
        if (a[0] == '-' && a[1] != '\0')
            return cli_usage(cmd, "unknown option '%s'", a);
        c->pos[c->npos++] = a;
    }
    if (!c->have_threads)
        c->threads = cli_mpi_default_threads(c->threads);
    /* The other ranks of an MPI job keep quiet: rank 0 speaks for the job. */
    if (cli_mpi_rank() != 0)
        c->quiet = 1;
    return 0;
}

int cli_common_option(int argc, char **argv, int *i, const char *cmd, cli_common *c)
{
    const char *a = argv[*i], *v;
    int m;
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        c->quiet = 1;
        return 1;
    }
    if (strcmp(a, "--per-replication") == 0) {
        c->per_rep = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--output", "-o", &v)) != 0) {
        if (m < 0)
            return KPI_EUSAGE;
        if (!*v)
            return cli_usage(cmd, "-o: expected a directory");
        c->outdir = v;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--replications", "-n", &v)) != 0) {
        if (m < 0 || cli_parse_long(cmd, "-n", v, 1, KPI_MAX_REPLICATIONS, &c->nrep) != 0)
            return KPI_EUSAGE;
        c->have_n = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--seed", NULL, &v)) != 0) {
        if (m < 0 || cli_parse_u64(cmd, "--seed", v, &c->seed) != 0)
            return KPI_EUSAGE;
        c->have_seed = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--threads", NULL, &v)) != 0) {
        if (m < 0 || cli_parse_long(cmd, "--threads", v, 1, 1024, &c->threads) != 0)
            return KPI_EUSAGE;
        c->have_threads = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--set", NULL, &v)) != 0) {
        if (m < 0)
            return KPI_EUSAGE;
        c->sets[c->nsets++] = v;
        return 1;
    }
    return 0;
}

int cli_resolve_focus(kpi_scenario *sc, const kpi_run_opts *opts, const char *label,
                      int quiet, kpi_error *err)
{
    if (sc->clients.repeat_share < 0)
        return KPI_OK;
    kpi_focus_report fr;
    int rc = kpi_scenario_resolve_focus(sc, opts, &fr, err);
    if (rc == KPI_ECANCEL || cli_interrupted()) {
        memset(err, 0, sizeof *err);
        err->status = KPI_ECANCEL;
        strcpy(err->msg, "cancelled");
        return KPI_ECANCEL;
    }
    if (rc != KPI_OK) {
        if (!err->file[0])
            snprintf(err->file, sizeof err->file, "%s", label);
        return rc;
    }
    if (!quiet)
        fprintf(stderr,
                "kpisim: %s: clients.repeat_share %g: using clients.focus = %.4f "
                "(realised share %.4f over %ld pilot replications, %d pilot runs)\n",
                label, fr.target, fr.focus, fr.achieved, fr.pilot, fr.evaluations);
    return KPI_OK;
}

int cli_check_memory(const kpi_memory *need, const char *file, int n_option, kpi_error *err)
{
    char source[128];
    double avail = kpi_memory_available(source, sizeof source);
    int rc = kpi_memory_check(need, avail, source, n_option, err);
    if (rc != KPI_OK)
        snprintf(err->file, sizeof err->file, "%s", file);
    return rc;
}

double cli_workspace_limit(const kpi_memory *need)
{
    double avail = kpi_memory_available(NULL, 0);
    double limit = (avail - need->results) / (need->threads > 0 ? need->threads : 1);
    return limit > need->workspace ? limit : need->workspace;
}

long cli_mpi_held(long n)
{
    int ranks = cli_mpi_size();
    if (ranks <= 1 || cli_mpi_rank() == 0)
        return n;
    return (n + ranks - 1) / ranks;
}
