/*
 * cmd_sweep.c - `kpisim sweep SWEEP.yaml`.
 *
 * Loads the sweep file (every grid point is checked before anything runs),
 * says how many points and replications are coming, runs the points one
 * after another with one progress bar over the whole batch, and writes
 * DIR/sweep.csv: a row per point with the bands of the horizon figures,
 * then DIR/scenario.yaml: the base scenario (before any swept key, with
 * the replications and seed of the run), which gives the charts of the
 * sweep their title.  Every point runs on the same seed, so the grid's
 * surfaces are smooth (common random numbers across points).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void sweep_help(FILE *f)
{
    fputs("usage: kpisim sweep SWEEP.yaml [-o DIR] [-n N] [--seed N] [--threads N]\n"
          "                    [--set KEY=VALUE]... [--per-replication] [--long]\n"
          "                    [--lhs N] [--quiet]\n"
          "\n"
          "Runs every point of the full grid of the file's sweep: block, e.g.\n"
          "  sweep: {activity.calls_per_day: {from: 4, to: 16, step: 2},\n"
          "          clients.focus: [0, 0.4, 0.8]}\n"
          "on one seed (common random numbers across points) and writes\n"
          "DIR/sweep.csv: a row per point, the swept keys, then the mean, p05 and p95\n"
          "of every horizon figure, then its sd, p25, p50 and p75, and\n"
          "DIR/scenario.yaml: the base scenario (before any swept key).  --set changes\n"
          "the base scenario.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR      output directory (default: runs/sweep-NAME)\n"
          "  -n, --replications N  replications per point (default: the scenario's)\n"
          "  --seed N              the seed of every point (default: the scenario's;\n"
          "                        a swept seed overrides it)\n"
          "  --threads N           worker threads (results identical for any N)\n"
          "  --set KEY=VALUE       override a key of the base scenario (repeatable)\n"
          "  --lhs N               instead of the grid, a Latin hypercube sample of N\n"
          "                        points over each swept key's range (its smallest to\n"
          "                        its largest value), drawn from the seed\n"
          "  --per-replication     also write DIR/figures.csv: a row per point and\n"
          "                        replication, every horizon figure\n"
          "  --long                also write DIR/long.csv: every point's numbers, one\n"
          "                        a row (the long format)\n"
          "  --quiet               no progress bar and no messages on stderr\n"
          "\n"
          "exit status: as for 'kpisim run'.\n", f);
}

/* The headline of every point on stdout: its keys, then the mean of a few
 * figures, as people read them (human.c), money in the base scenario's
 * currency. */
static void print_grid(const kpi_sweep *sw, const kpi_band *bands, const char *currency)
{
    char num[CLI_HUMAN_BUF];
    static const int figs[] = {KPI_FIG_TOTAL_PREMIUM, KPI_FIG_PROFIT, KPI_FIG_REPEAT_SHARE,
                               KPI_FIG_FINAL_HEADCOUNT};
    const size_t nf = sizeof figs / sizeof *figs;
    for (int a = 0; a < sw->naxes; a++)
        printf("%-24s ", sw->axis[a].key);
    for (size_t f = 0; f < nf; f++)
        printf("%16s", kpi_figure_name(figs[f]));
    printf("\n");
    for (long p = 0; p < sw->npoints; p++) {
        int idx[KPI_MAX_SWEEP_AXES];
        kpi_sweep_index(sw, p, idx);
        for (int a = 0; a < sw->naxes; a++)
            printf("%-24s ", sw->axis[a].values[idx[a]]);
        for (size_t f = 0; f < nf; f++)
            cli_put_cell(stdout,
                         cli_human(bands[(size_t)p * KPI_NFIG + (size_t)figs[f]].mean,
                                   kpi_figure_unit(figs[f]), currency, 0, num, sizeof num),
                         16);
        printf("\n");
    }
}

/* What computing one point needs (sweep_point). */
typedef struct sweep_ctx {
    const kpi_sweep *sw;
    const kpi_scenario *base;
    const char *path;
    kpi_scenario *sc;       /* the point's scenario (one point at a time per rank) */
    double *work;           /* room for the most replications of a point */
    long threads;
    int quiet;
    cli_progress *bar;      /* one rank: the bar over replications; else NULL */
    long done_reps;
    double *figures;        /* --per-replication: every point's figures; else NULL */
    const long *first;      /* point p's replications start at row first[p] */
} sweep_ctx;

/* In an MPI job the workers' runs only watch for Ctrl-C; rank 0's main
 * thread draws a bar over points. */
static int cancel_only(void *userdata, long done, long total)
{
    (void)userdata;
    (void)done;
    (void)total;
    return cli_interrupted();
}

static void points_bar(void *pdata, long done, long total)
{
    cli_progress_cb(pdata, done, total);
}

/* Point pt: its scenario, its focus when it gives a repeat share, its run,
 * and the bands of its horizon figures into bands[KPI_NFIG]. */
static int sweep_point(void *vctx, long pt, kpi_band *bands, kpi_error *err)
{
    sweep_ctx *c = vctx;
    kpi_scenario *sc = c->sc;
    kpi_results *res = NULL;
    char label[512];
    snprintf(label, sizeof label, "%s (point %ld)", c->path, pt + 1);
    int rc = kpi_sweep_point(c->sw, c->base, pt, sc, NULL, err);
    if (rc != KPI_OK)
        return rc;
    kpi_memory need;
    kpi_memory_estimate(sc, sc->replications, (int)c->threads, &need);
    kpi_run_opts opts = {sc->replications, sc->seed, (int)c->threads,
                         c->bar ? cli_progress_cb : cancel_only, c->bar,
                         cli_cancel_flag(), cli_workspace_limit(&need)};
    if (c->bar) {
        c->bar->offset = c->done_reps;
        c->done_reps += sc->replications;
    }
    rc = cli_resolve_focus(sc, &opts, label, c->quiet, err);
    if (rc == KPI_OK)
        rc = kpi_run(sc, &opts, &res, err);
    if (rc != KPI_OK) {
        if (!err->file[0])
            snprintf(err->file, sizeof err->file, "%s", label);
        return rc;
    }
    for (int f = 0; f < KPI_NFIG; f++)
        kpi_band_compute(res->figures + f, KPI_NFIG, (size_t)res->replications, c->work,
                         &bands[f]);
    if (c->figures)
        memcpy(c->figures + (size_t)c->first[pt] * KPI_NFIG, res->figures,
               (size_t)res->replications * KPI_NFIG * sizeof *res->figures);
    kpi_results_free(res);
    return KPI_OK;
}

/* What one sweep holds between its steps (cli_cmd_sweep). */
typedef struct sweep_job {
    cli_common o;
    const char *path;       /* the sweep file */
    const char *outdir;
    char dirbuf[1024];      /* the default outdir, runs/sweep-NAME */
    kpi_scenario *base;     /* the base scenario, before any swept key */
    kpi_scenario *sc;       /* one point's scenario */
    kpi_sweep *sw;
    long total, most;       /* the replications of every point; of the largest */
    long *first;            /* point p's replications start at row first[p] */
    kpi_memory need;
    kpi_band *bands;        /* every point's bands, kept for sweep.csv */
    double *work, *figures;
    char *spath;            /* DIR/scenario.yaml */
    long lhs;               /* --lhs N: the sample's size; 0: the grid */
    char **args;            /* argv without --lhs */
    kpi_error err;
} sweep_job;

/* The options: one sweep file, and no --per-replication in an MPI job.
 * Returns 0, CLI_HELP or the usage status. */
static int sweep_parse(sweep_job *j, int argc, char **argv)
{
    /* --lhs N is this command's alone: taken out before the shared options. */
    j->args = malloc(((size_t)argc + 1) * sizeof *j->args);
    if (!j->args)
        return cli_out_of_memory();
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *v;
        int m = i > 0 ? cli_opt_value(argc, argv, &i, "sweep", "--lhs", NULL, &v) : 0;
        if (m < 0 || (m > 0 && cli_parse_long("sweep", "--lhs", v, 1, 10000, &j->lhs) != 0))
            return KPI_EUSAGE;
        if (m == 0)
            j->args[n++] = argv[i];
    }
    j->args[n] = NULL;
    argc = n;
    argv = j->args;
    int rc = cli_parse_single(argc, argv, "sweep", sweep_help, "sweep file", "", &j->o);
    if (rc != 0)
        return rc;
    j->path = j->o.npos ? j->o.pos[0] : NULL;
    if (j->o.per_rep && cli_mpi_size() > 1)
        return cli_usage("sweep", "--per-replication is not available in an MPI job");
    if (!j->path)
        return cli_usage("sweep", "no sweep file given");
    return 0;
}

/* The sweep file (every rank of an MPI job loads it) with -n and --seed,
 * and the output directory.  Returns KPI_OK or the status, printed. */
static int sweep_load(sweep_job *j)
{
    j->base = malloc(sizeof *j->base);
    j->sc = malloc(sizeof *j->sc);
    if (!j->base || !j->sc)
        return cli_out_of_memory();
    int rc = kpi_sweep_load(j->base, &j->sw, j->path, j->o.sets, (size_t)j->o.nsets, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    cli_warn_model(j->base, j->path);
    /* -n and --seed set the base; a swept replications or seed overrides
     * them point by point, like any --set of a swept key. */
    if (j->o.have_n)
        j->base->replications = j->o.nrep;
    if (j->o.have_seed)
        j->base->seed = j->o.seed;
    if (j->lhs) {
        kpi_sweep *sample = NULL;
        rc = kpi_sweep_lhs(j->sw, j->base, j->lhs, j->base->seed, &sample, &j->err);
        if (rc == KPI_OK) {
            kpi_sweep_free(j->sw);
            j->sw = sample;
        } else if (!j->err.file[0]) {
            snprintf(j->err.file, sizeof j->err.file, "%s", j->path);
        }
        if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
            return rc;
    }
    j->outdir = j->o.outdir;
    if (!j->outdir) {
        snprintf(j->dirbuf, sizeof j->dirbuf, "runs/sweep-%s", j->base->name);
        j->outdir = j->dirbuf;
    }
    return KPI_OK;
}

/* The replications of every point, for the work buffer, the progress
 * total and the announcement, and the memory of the point that needs the
 * most (one runs at a time).  Returns KPI_OK or the status, printed. */
static int sweep_count(sweep_job *j)
{
    const kpi_sweep *sw = j->sw;
    memset(&j->need, 0, sizeof j->need);
    j->first = malloc(((size_t)sw->npoints + 1) * sizeof *j->first);
    if (!j->first)
        return cli_out_of_memory();
    for (long pt = 0; pt < sw->npoints; pt++) {
        j->first[pt] = j->total;
        kpi_memory one;
        int rc = kpi_sweep_point(sw, j->base, pt, j->sc, NULL, &j->err);
        if (rc != KPI_OK)
            return cli_fail(&j->err);
        j->total += j->sc->replications;
        if (j->sc->replications > j->most)
            j->most = j->sc->replications;
        kpi_memory_estimate(j->sc, j->sc->replications, (int)j->o.threads, &one);
        if (one.total > j->need.total)
            j->need = one;
        /* Every rank must hold the same grid. */
        rc = cli_mpi_same_scenario(j->sc, j->path, &j->err);
        if (rc != KPI_OK)
            return cli_fail(&j->err);
    }
    j->first[sw->npoints] = j->total;
    return KPI_OK;
}

/* The memory check with the bands of every point (and, with
 * --per-replication, every replication's figures), a bad -o found now
 * rather than after the whole sweep, the buffers, and the announcement.
 * Returns KPI_OK or the status, printed. */
static int sweep_check(sweep_job *j)
{
    const kpi_sweep *sw = j->sw;
    kpi_memory bands_need;
    memset(&bands_need, 0, sizeof bands_need);
    bands_need.results = (double)sw->npoints * KPI_NFIG * sizeof(kpi_band);
    if (j->o.per_rep)
        bands_need.results += (double)j->total * KPI_NFIG * sizeof(double);
    kpi_memory_add(&j->need, &bands_need);
    int rc = cli_check_memory(&j->need, j->path, j->o.have_n, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    if ((rc = cli_check_output(j->outdir, &j->err)) != KPI_OK)
        return rc;
    j->bands = calloc((size_t)sw->npoints * KPI_NFIG, sizeof *j->bands);
    j->work = malloc((size_t)j->most * sizeof *j->work);
    if (j->o.per_rep)
        j->figures = malloc((size_t)j->total * KPI_NFIG * sizeof *j->figures);
    if (!j->bands || !j->work || (j->o.per_rep && !j->figures))
        return cli_out_of_memory();
    if (!j->o.quiet) {
        fprintf(stderr, "kpisim: sweep '%s': %ld points", j->base->name, sw->npoints);
        for (int a = 0; a < sw->naxes; a++)
            if (sw->sample)
                fprintf(stderr, "%s%s", a == 0 ? " of a Latin hypercube over " : " x ",
                        sw->axis[a].key);
            else
                fprintf(stderr, "%s%s (%d)", a == 0 ? " over " : " x ", sw->axis[a].key,
                        sw->axis[a].nvalues);
        if (j->total == sw->npoints * j->base->replications)
            fprintf(stderr, ", %ld replications each: %ld replications\n",
                    j->base->replications, j->total);
        else
            fprintf(stderr, ": %ld replications in all\n", j->total);
    }
    return KPI_OK;
}

/* Every point, with one progress bar over the whole batch (or, in an MPI
 * job, over points); *seconds: how long they took.  Returns KPI_OK or the
 * status, its message printed (KPI_ECANCEL after Ctrl-C). */
static int sweep_simulate(sweep_job *j, double *seconds)
{
    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, "sweep", j->o.quiet);
    const int ranks = cli_mpi_size();
    sweep_ctx ctx = {j->sw, j->base, j->path, j->sc, j->work, j->o.threads, j->o.quiet,
                     NULL, 0, j->figures, j->first};
    if (ranks == 1) {
        p.grand = j->total;   /* one bar over every replication of the batch */
        ctx.bar = &p;
    }
    double t0 = cli_now();
    int rc = cli_mpi_points(j->sw->npoints, sweep_point, &ctx, j->bands,
                            ranks > 1 ? points_bar : NULL, &p, &j->err);
    cli_progress_end(&p);
    if ((rc = cli_run_outcome(rc, j->outdir, &j->err)) == KPI_OK)
        *seconds = cli_now() - t0;
    return rc;
}

/* sweep.csv and the base scenario DIR/scenario.yaml in one output set,
 * written by rank 0 alone, now that every rank succeeded: a failed or
 * interrupted sweep writes neither.  The base as loaded (no swept key
 * applied), with the replications and seed the points ran on.  It need
 * not pass the rules that span keys (only the points must:
 * docs/scenarios.md "Sweep files"), and kpi_stage_scenario checks none
 * of them: every value of the base was checked by the loader, so such a
 * base is written as it is.  Returns the job's status, printed. */
static int sweep_write(sweep_job *j)
{
    int rc = KPI_OK;
    j->spath = malloc(strlen(j->outdir) + sizeof "/scenario.yaml");
    if (!j->spath)
        return cli_out_of_memory();
    sprintf(j->spath, "%s/scenario.yaml", j->outdir);
    if (cli_mpi_rank() == 0) {
        kpi_outset *set = kpi_outset_create();
        if (!set)
            rc = cli_oom_error(&j->err);
        if (rc == KPI_OK)
            rc = kpi_stage_sweep(set, j->outdir, j->sw, j->bands, &j->err);
        if (rc == KPI_OK)
            rc = kpi_stage_sweep_figures(set, j->outdir, j->sw, j->figures, j->first, &j->err);
        if (rc == KPI_OK)
            rc = j->o.long_form ? kpi_stage_long_sweep(set, j->outdir, j->base->name, j->sw,
                                                       j->bands, j->figures, j->first, &j->err)
                                : kpi_stage_long_remove(set, j->outdir, &j->err);
        if (rc == KPI_OK)
            rc = kpi_stage_scenario(set, j->base, j->spath, &j->err);
        if (rc == KPI_OK)
            rc = kpi_outset_commit(set, &j->err);
        kpi_outset_free(set);
    }
    return cli_agreed(rc, &j->err);
}

int cli_cmd_sweep(int argc, char **argv)
{
    sweep_job j;
    memset(&j, 0, sizeof j);
    double seconds = 0;
    int rc = sweep_parse(&j, argc, argv);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    if ((rc = sweep_load(&j)) != KPI_OK || (rc = sweep_count(&j)) != KPI_OK ||
        (rc = sweep_check(&j)) != KPI_OK || (rc = sweep_simulate(&j, &seconds)) != KPI_OK ||
        (rc = sweep_write(&j)) != KPI_OK)
        goto done;
    print_grid(j.sw, j.bands, j.base->currency);
    if (!j.o.quiet) {
        fprintf(stderr, "kpisim: %ld points, %ld replications in %.2f s", j.sw->npoints,
                j.total, seconds);
        if (cli_mpi_size() > 1)
            fprintf(stderr, " on %d MPI ranks", cli_mpi_size());
        fprintf(stderr, "; wrote %s/sweep.csv and %s\n", j.outdir, j.spath);
    }

done:
    kpi_sweep_free(j.sw);
    free(j.bands);
    free(j.work);
    free(j.figures);
    free(j.first);
    free(j.spath);
    free(j.args);
    free(j.base);
    free(j.sc);
    cli_common_free(&j.o);
    return rc;
}
