/*
 * cmd_plot.c - `kpisim plot DIR [--format png|svg]`.
 *
 * Renders the charts that apply to DIR into DIR/plots/ by running the
 * gnuplot scripts of plots/ (docs/charts.md):
 *   a run (DIR/monthly.csv)        fan charts of premium and headcount, the
 *                                  four K3 indicators, cases by source, the funnel;
 *   a compare (DIR/comparison.csv) the scenarios' fans with their paired
 *                                  difference, the four K3 indicators' paired
 *                                  differences, then every scenario's run charts;
 *   a sweep (DIR/sweep.csv)        heat maps (or lines) of a few horizon figures;
 *   a sensitivity study (DIR/sensitivity.csv)  per figure the tornado, Morris's
 *                                  mu*-sigma and the Sobol bars; for strategies
 *                                  the win probabilities and the flip map.
 * gnuplot runs as a child process without a shell (paths may hold blanks
 * or quotes); its messages are kept and shown when a chart fails.  Each
 * chart is written to a hidden temporary name and renamed into place only
 * when gnuplot succeeded, so DIR/plots never holds a half-written image.
 * The paths of the charts written go to stdout, one a line.
 *
 * The scripts are looked up in $KPISIM_PLOTS when it is set, else next to
 * the program: EXE_DIR/../share/kpisim/plots (after `make install`),
 * EXE_DIR/plots (the program at the root of the source tree), then
 * EXE_DIR/../plots (a build directory of the source tree).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOT_PATH_MAX 4096
/* gnuplot's messages kept for an error report; longer ones are cut. */
#define PLOT_MSG_MAX 4000
/* Scenarios of a compare whose own charts are drawn. */
#define PLOT_MAX_SCENARIOS 64
/* The exit status of a script whose chart would show nothing (no cases in
 * any month, no calls): kpi_skip_status of plots/common.gpi. */
#define PLOT_SKIP_STATUS 3
/* The names of the skipped charts kept for the closing message. */
#define PLOT_SKIPPED_MAX 1024

static void plot_help(FILE *f)
{
    fputs("usage: kpisim plot DIR [--format png|svg]\n"
          "\n"
          "Renders every chart that applies to DIR into DIR/plots/ with gnuplot and\n"
          "prints the paths written.  DIR is the output of\n"
          "  run      (monthly.csv): fan-premium, fan-headcount, kpis, sources, funnel\n"
          "  compare  (comparison.csv): compare-premium, compare-headcount,\n"
          "           compare-kpis, then the run charts of each scenario as\n"
          "           NAME-fan-premium, ...\n"
          "  calibrate (fit-monthly.csv): calibrate (observed months over the fit)\n"
          "  sweep    (sweep.csv): sweep-total_premium, sweep-profit, sweep-repeat_share,\n"
          "           sweep-final_headcount\n"
          "  sensitivity (sensitivity.csv): tornado-FIGURE, morris-FIGURE, sobol-FIGURE\n"
          "           (FIGURE: STRATEGY-FIGURE for strategies), decision, flip\n"
          "Titles are the scenarios' own (Chinese and Cyrillic included).  The scripts\n"
          "(plots/*.gp) also run by hand: gnuplot -c plots/fan.gp RUN_DIR OUT.png\n"
          "\n"
          "options:\n"
          "  --format png|svg      image format (default png, 1280x720)\n"
          "\n"
          "environment:\n"
          "  KPISIM_PLOTS          the directory of the chart scripts (default: found\n"
          "                        next to the program, installed or in the source tree)\n"
          "\n"
          "A chart that would show nothing (no cases in any month, no calls) is skipped,\n"
          "and stderr says which and why.\n"
          "\n"
          "exit status: 0 ok (charts skipped for want of data are named on stderr),\n"
          "64 usage, 65 every chart skipped (nothing to show), 66 DIR missing or holding\n"
          "no kpisim results, 70 gnuplot missing, a script missing or failing, 73 cannot\n"
          "create DIR/plots, 130 interrupted.\n",
          f);
}

/* One chart: the script, its output name (without extension) and its
 * extra arguments after RUN_DIR OUT_FILE. */
typedef struct chart {
    const char *script;
    const char *name;
    const char *arg1, *arg2;
} chart;

static const chart run_charts[] = {
    {"fan.gp", "fan-premium", "premium", NULL},
    {"fan.gp", "fan-headcount", "headcount", NULL},
    {"kpis.gp", "kpis", NULL, NULL},
    {"sources.gp", "sources", NULL, NULL},
    {"funnel.gp", "funnel", NULL, NULL},
};

static const chart compare_charts[] = {
    {"compare.gp", "compare-premium", "premium", NULL},
    {"compare.gp", "compare-headcount", "headcount", NULL},
    {"compare-kpis.gp", "compare-kpis", NULL, NULL},
};

static const chart calibrate_charts[] = {
    {"calibrate.gp", "calibrate", NULL, NULL},
};

static const chart sweep_charts[] = {
    {"sweep.gp", "sweep-total_premium", "total_premium_mean", NULL},
    {"sweep.gp", "sweep-profit", "profit_mean", NULL},
    {"sweep.gp", "sweep-repeat_share", "repeat_share_mean", NULL},
    {"sweep.gp", "sweep-final_headcount", "final_headcount_mean", NULL},
};

#define NCHARTS(a) (sizeof(a) / sizeof *(a))

/* What a plot job needs: where the scripts are, DIR/plots, the format,
 * and the number of charts written and failed so far. */
typedef struct plot_job {
    char scripts[PLOT_PATH_MAX];
    char outdir[PLOT_PATH_MAX];
    const char *ext;
    int written, failed, skipped;
    char skipped_names[PLOT_SKIPPED_MAX];
} plot_job;

/* snprintf into buf; returns 0, or -1 when the result did not fit. */
static int join(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the directory of the chart scripts (see the top of the file) into
 * job->scripts.  Returns 0, or prints why not and returns KPI_EINTERNAL. */
static int find_scripts(plot_job *job)
{
    const char *env = getenv("KPISIM_PLOTS");
    if (env && *env) {
        if (join(job->scripts, sizeof job->scripts, "%s", env) != 0 ||
            !cli_has_file(job->scripts, "fan.gp")) {
            fprintf(stderr, "kpisim: plot: KPISIM_PLOTS=%s: no chart scripts there (fan.gp)\n",
                    env);
            return KPI_EINTERNAL;
        }
        return 0;
    }
    char exe[PLOT_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"../share/kpisim/plots", "plots", "../plots"};
            for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
                if (join(job->scripts, sizeof job->scripts, "%s/%s", exe, rel[i]) == 0 &&
                    cli_has_file(job->scripts, "fan.gp"))
                    return 0;
            }
        }
    }
    fprintf(stderr,
            "kpisim: plot: cannot find the chart scripts (plots/fan.gp) next to the program;\n"
            "kpisim: set KPISIM_PLOTS to the plots/ directory of the source tree or to\n"
            "kpisim: PREFIX/share/kpisim/plots\n");
    return KPI_EINTERNAL;
}

/* Reads everything from fd into msg (at most PLOT_MSG_MAX bytes kept; the
 * rest is read and dropped so that the child never blocks on a full pipe). */
static void read_all(int fd, char *msg, size_t *len)
{
    char buf[1024];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t take = (size_t)r;
        if (*len + take > PLOT_MSG_MAX)
            take = PLOT_MSG_MAX - *len;
        memcpy(msg + *len, buf, take);
        *len += take;
    }
    msg[*len] = '\0';
}

static int set_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/* Runs gnuplot -c SCRIPT ARGS... with stdin from /dev/null and its stdout
 * and stderr into msg.  Returns 0 when gnuplot exited with status 0; 1
 * when it failed (msg holds its words, *status how it ended); -1 when it
 * could not be run (*exec_errno says why: ENOENT when it is missing). */
static int run_gnuplot(char *const argv[], char *msg, int *status, int *exec_errno)
{
    int out[2], ex[2];
    size_t len = 0;
    msg[0] = '\0';
    *exec_errno = 0;
    *status = 0;
    if (pipe(out) != 0) {
        *exec_errno = errno;
        return -1;
    }
    if (pipe(ex) != 0 || set_cloexec(ex[1]) != 0) {
        *exec_errno = errno;
        close(out[0]);
        close(out[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *exec_errno = errno;
        close(out[0]);
        close(out[1]);
        close(ex[0]);
        close(ex[1]);
        return -1;
    }
    if (pid == 0) {
        /* The child: only async-signal-safe calls until exec. */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        close(ex[0]);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(ex[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(out[1]);
    close(ex[1]);
    read_all(out[0], msg, &len);
    close(out[0]);
    int e = 0;
    ssize_t r;
    do
        r = read(ex[0], &e, sizeof e);
    while (r < 0 && errno == EINTR);
    close(ex[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            st = 0x7f00; /* as if it exited 127 */
            break;
        }
    }
    *status = st;
    if (r == (ssize_t)sizeof e) {
        *exec_errno = e;
        return -1;
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* Prints gnuplot's message, each line indented, to stderr. */
static void print_message(const char *msg)
{
    const char *p = msg;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 0)
            fprintf(stderr, "    %.*s\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

/* Renders one chart of the run, compare or sweep in dir as
 * job->outdir/PREFIXNAME.EXT.  Returns 0 or a status: KPI_EINTERNAL when
 * gnuplot is missing (the caller stops: nothing else can work) or
 * KPI_ECANCEL after Ctrl-C; a chart that fails is counted in job->failed
 * and reported, and the job goes on. */
static int render(plot_job *job, const chart *c, const char *dir, const char *prefix)
{
    char script[PLOT_PATH_MAX], tmp[PLOT_PATH_MAX], dest[PLOT_PATH_MAX];
    char msg[PLOT_MSG_MAX + 1];
    if (join(script, sizeof script, "%s/%s", job->scripts, c->script) != 0 ||
        join(tmp, sizeof tmp, "%s/.%s%s.%ld.tmp.%s", job->outdir, prefix, c->name,
             (long)getpid(), job->ext) != 0 ||
        join(dest, sizeof dest, "%s/%s%s.%s", job->outdir, prefix, c->name, job->ext) != 0) {
        fprintf(stderr, "kpisim: plot: %s: path too long\n", job->outdir);
        job->failed++;
        return 0;
    }
    if (!cli_is_file(script)) {
        fprintf(stderr, "kpisim: plot: %s: no such chart script\n", script);
        job->failed++;
        return 0;
    }
    char *argv[] = {(char *)"gnuplot", (char *)"-c", script, (char *)dir, tmp,
                    (char *)c->arg1, (char *)c->arg2, NULL};
    int status, exec_errno;
    int rc = run_gnuplot(argv, msg, &status, &exec_errno);
    if (rc < 0) {
        unlink(tmp);
        if (exec_errno == ENOENT) {
            fprintf(stderr, "kpisim: plot: gnuplot is not installed (apt-get install "
                            "gnuplot-nox, or make deps)\n");
        } else {
            fprintf(stderr, "kpisim: plot: cannot run gnuplot: %s\n", strerror(exec_errno));
        }
        return KPI_EINTERNAL;
    }
    if (cli_interrupted()) {
        unlink(tmp);
        return KPI_ECANCEL;
    }
    if (rc == 0 && !cli_is_file(tmp)) {
        rc = 1;
        snprintf(msg, sizeof msg, "gnuplot wrote no file\n");
    }
    if (rc != 0 && WIFEXITED(status) && WEXITSTATUS(status) == PLOT_SKIP_STATUS) {
        /* The script found nothing to show: its message says why.  An
         * earlier image of the chart would show other data: it goes. */
        unlink(tmp);
        unlink(dest);
        const char *why = strstr(msg, "nothing to show: ");
        why = why ? why + strlen("nothing to show: ") : "nothing to show";
        fprintf(stderr, "kpisim: plot: chart %s%s skipped: %.*s\n", prefix, c->name,
                (int)strcspn(why, "\n"), why);
        size_t used = strlen(job->skipped_names);
        snprintf(job->skipped_names + used, sizeof job->skipped_names - used, "%s%s%s",
                 used ? ", " : "", prefix, c->name);
        job->skipped++;
        return 0;
    }
    if (rc != 0) {
        unlink(tmp);
        if (WIFSIGNALED(status))
            fprintf(stderr, "kpisim: plot: chart %s%s (%s) failed: gnuplot killed by signal %d\n",
                    prefix, c->name, script, WTERMSIG(status));
        else
            fprintf(stderr, "kpisim: plot: chart %s%s (%s) failed; gnuplot said:\n", prefix,
                    c->name, script);
        print_message(msg[0] ? msg : "(gnuplot said nothing)\n");
        job->failed++;
        return 0;
    }
    if (rename(tmp, dest) != 0) {
        fprintf(stderr, "kpisim: plot: renaming %s to %s failed: %s\n", tmp, dest,
                strerror(errno));
        unlink(tmp);
        job->failed++;
        return 0;
    }
    printf("%s\n", dest);
    fflush(stdout);
    job->written++;
    return 0;
}

/* The charts of a sensitivity study (cli_sens_charts) and the decision's
 * two.  Returns 0, or an exit status (printed). */
static int render_sensitivity(plot_job *job, const char *dir)
{
    cli_sens_chart *list = calloc(CLI_SENS_MAX, sizeof *list);
    if (!list) {
        fprintf(stderr, "kpisim: plot: out of memory\n");
        return KPI_EINTERNAL;
    }
    int decision, n = cli_sens_charts(dir, list, CLI_SENS_MAX, &decision), rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        chart c = {"sensitivity.gp", list[i].name, list[i].kind, list[i].label};
        rc = render(job, &c, dir, "");
    }
    free(list);
    if (decision && rc == 0) {
        static const chart dec[] = {{"sensitivity.gp", "decision", "decision", NULL},
                                    {"sensitivity.gp", "flip", "flip", NULL}};
        for (size_t i = 0; i < NCHARTS(dec) && rc == 0; i++)
            rc = render(job, &dec[i], dir, "");
    }
    return rc;
}

/* Renders the charts of table n in dir; stops at the first fatal status. */
static int render_all(plot_job *job, const chart *t, size_t n, const char *dir,
                      const char *prefix)
{
    for (size_t i = 0; i < n; i++) {
        int rc = render(job, &t[i], dir, prefix);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The scenarios of a compare, in the order of comparison.csv's scenario
 * column, that have a folder with a monthly.csv.  Fills names (each
 * malloc'ed) and returns their number, or -1 (out of memory). */
static int compare_scenarios(const char *dir, char **names, int max)
{
    char path[PLOT_PATH_MAX], line[8192];
    int n = 0;
    if (join(path, sizeof path, "%s/comparison.csv", dir) != 0)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int col = -1;
    if (fgets(line, sizeof line, f)) {
        int k = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",\r\n", &save); tok;
             tok = strtok_r(NULL, ",\r\n", &save), k++)
            if (strcmp(tok, "scenario") == 0)
                col = k;
    }
    while (col >= 0 && n < max && fgets(line, sizeof line, f)) {
        /* The scenario field: names are letters, digits, '.', '_', '-'
         * (no quoting); an empty month field keeps its place. */
        char *p = line;
        for (int k = 0; k < col && p; k++) {
            p = strchr(p, ',');
            if (p)
                p++;
        }
        if (!p)
            continue;
        size_t len = strcspn(p, ",\r\n");
        if (len == 0 || len > 255 || p[0] == '.' || memchr(p, '/', len))
            continue;
        int seen = 0;
        for (int i = 0; i < n && !seen; i++)
            seen = strlen(names[i]) == len && strncmp(names[i], p, len) == 0;
        if (seen)
            continue;
        char sub[PLOT_PATH_MAX];
        if (join(sub, sizeof sub, "%s/%.*s", dir, (int)len, p) != 0 ||
            !cli_has_file(sub, "monthly.csv"))
            continue;
        names[n] = malloc(len + 1);
        if (!names[n]) {
            fclose(f);
            return -1;
        }
        memcpy(names[n], p, len);
        names[n][len] = '\0';
        n++;
    }
    fclose(f);
    return n;
}

/* DIR/plots, created if need be, as job->outdir: 0 or an exit status. */
static int make_outdir(plot_job *job, const char *dir)
{
    if (join(job->outdir, sizeof job->outdir, "%s/plots", dir) != 0) {
        fprintf(stderr, "kpisim: plot: %s: path too long\n", dir);
        return KPI_ECREATE;
    }
    if (mkdir(job->outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "kpisim: plot: cannot create %s: %s\n", job->outdir, strerror(errno));
        return KPI_ECREATE;
    }
    if (!is_dir(job->outdir)) {
        fprintf(stderr, "kpisim: plot: cannot create %s: it exists and is not a directory\n",
                job->outdir);
        return KPI_ECREATE;
    }
    return 0;
}

int cli_cmd_plot(int argc, char **argv)
{
    const char *dir = NULL, *format = "png";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            plot_help(stdout);
            return 0;
        }
        int m = cli_opt_value(argc, argv, &i, "plot", "--format", NULL, &v);
        if (m < 0)
            return KPI_EUSAGE;
        if (m > 0) {
            if (strcmp(v, "png") != 0 && strcmp(v, "svg") != 0)
                return cli_usage("plot", "--format: expected png or svg, got '%s'", v);
            format = v;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            return cli_usage("plot", "unknown option '%s'", a);
        if (dir)
            return cli_usage("plot", "one directory at a time (got '%s' and '%s')", dir, a);
        dir = a;
    }
    if (!dir)
        return cli_usage("plot", "no directory given");

    if (!is_dir(dir)) {
        fprintf(stderr, "kpisim: plot: %s: %s\n", dir,
                access(dir, F_OK) == 0 ? "not a directory" : "no such directory");
        return KPI_ENOINPUT;
    }
    int kind = cli_dir_kind(dir, NULL);
    if (kind == CLI_DIR_NONE) {
        fprintf(stderr, "kpisim: plot: %s: no kpisim results here (monthly.csv, "
                        "comparison.csv, sweep.csv, fit.csv or sensitivity.csv)\n", dir);
        return KPI_ENOINPUT;
    }

    plot_job job;
    memset(&job, 0, sizeof job);
    job.ext = format;
    int rc = find_scripts(&job);
    if (rc != 0)
        return rc;
    if ((rc = make_outdir(&job, dir)) != 0)
        return rc;

    cli_signals_install();
    char *names[PLOT_MAX_SCENARIOS];
    int nnames = 0;
    switch (kind) {
    case CLI_DIR_SWEEP:
        rc = render_all(&job, sweep_charts, NCHARTS(sweep_charts), dir, "");
        break;
    case CLI_DIR_COMPARE:
        rc = render_all(&job, compare_charts, NCHARTS(compare_charts), dir, "");
        nnames = compare_scenarios(dir, names, PLOT_MAX_SCENARIOS);
        if (nnames < 0) {
            fprintf(stderr, "kpisim: plot: out of memory\n");
            return KPI_EINTERNAL;
        }
        for (int i = 0; i < nnames && rc == 0; i++) {
            char sub[PLOT_PATH_MAX], prefix[300];
            if (join(sub, sizeof sub, "%s/%s", dir, names[i]) == 0 &&
                join(prefix, sizeof prefix, "%s-", names[i]) == 0)
                rc = render_all(&job, run_charts, NCHARTS(run_charts), sub, prefix);
        }
        for (int i = 0; i < nnames; i++)
            free(names[i]);
        break;
    case CLI_DIR_SENSITIVITY:
        rc = render_sensitivity(&job, dir);
        break;
    case CLI_DIR_CALIBRATE:
        rc = render_all(&job, calibrate_charts, NCHARTS(calibrate_charts), dir, "");
        break;
    case CLI_DIR_RUN:
        rc = render_all(&job, run_charts, NCHARTS(run_charts), dir, "");
        break;
    }
    if (rc == KPI_ECANCEL || cli_interrupted()) {
        fprintf(stderr, "kpisim: plot: interrupted; the charts listed above are complete\n");
        return KPI_ECANCEL;
    }
    if (rc != 0)
        return rc;
    int total = job.failed + job.written + job.skipped;
    if (job.skipped > 0)
        fprintf(stderr, "kpisim: plot: %d of %d charts skipped (nothing to show): %s\n",
                job.skipped, total, job.skipped_names);
    if (job.failed > 0) {
        fprintf(stderr, "kpisim: plot: %d of %d charts failed\n", job.failed, total);
        return KPI_EINTERNAL;
    }
    if (job.written == 0 && job.skipped > 0) {
        fprintf(stderr, "kpisim: plot: %s: no chart drawn\n", dir);
        return KPI_EDATA;
    }
    return 0;
}
