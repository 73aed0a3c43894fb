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
          "                    [--quiet]\n"
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

int cli_cmd_sweep(int argc, char **argv)
{
    cli_common o;
    const char *path = NULL;
    int rc = KPI_OK;
    kpi_scenario *base = NULL, *sc = NULL;
    kpi_sweep *sw = NULL;
    kpi_band *bands = NULL;
    double *work = NULL, *figures = NULL;
    long *first = NULL;
    char *spath = NULL;
    kpi_outset *set = NULL;
    kpi_error err;
    char dirbuf[1024];

    rc = cli_parse_common(argc, argv, "sweep", sweep_help, &o);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    if (o.npos > 1) {
        rc = cli_usage("sweep", "one sweep file at a time (got '%s' and '%s')", o.pos[0],
                       o.pos[1]);
        goto done;
    }
    path = o.npos ? o.pos[0] : NULL;
    if (o.per_rep && cli_mpi_size() > 1) {
        rc = cli_usage("sweep", "--per-replication is not available in an MPI job");
        goto done;
    }
    if (!path) {
        rc = cli_usage("sweep", "no sweep file given");
        goto done;
    }

    base = malloc(sizeof *base);
    sc = malloc(sizeof *sc);
    if (!base || !sc) {
        rc = cli_out_of_memory();
        goto done;
    }
    rc = kpi_sweep_load(base, &sw, path, o.sets, (size_t)o.nsets, &err);
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)   /* every rank of an MPI job loads it */
        goto done;
    cli_warn_model(base, path);
    /* -n and --seed set the base; a swept replications or seed overrides
     * them point by point, like any --set of a swept key. */
    if (o.have_n)
        base->replications = o.nrep;
    if (o.have_seed)
        base->seed = o.seed;
    const char *outdir = o.outdir;
    if (!outdir) {
        snprintf(dirbuf, sizeof dirbuf, "runs/sweep-%s", base->name);
        outdir = dirbuf;
    }
    /* The replications of every point: for the work buffer, the progress
     * total and the announcement. */
    long total = 0, most = 0;
    kpi_memory need;       /* the point that needs the most: one runs at a time */
    memset(&need, 0, sizeof need);
    first = malloc(((size_t)sw->npoints + 1) * sizeof *first);
    if (!first) {
        rc = cli_out_of_memory();
        goto done;
    }
    for (long pt = 0; pt < sw->npoints; pt++) {
        first[pt] = total;
        kpi_memory one;
        rc = kpi_sweep_point(sw, base, pt, sc, NULL, &err);
        if (rc != KPI_OK) {
            rc = cli_fail(&err);
            goto done;
        }
        total += sc->replications;
        if (sc->replications > most)
            most = sc->replications;
        kpi_memory_estimate(sc, sc->replications, (int)o.threads, &one);
        if (one.total > need.total)
            need = one;
        /* Every rank must hold the same grid. */
        rc = cli_mpi_same_scenario(sc, path, &err);
        if (rc != KPI_OK) {
            rc = cli_fail(&err);
            goto done;
        }
    }
    /* And the bands of every point, kept for sweep.csv. */
    kpi_memory bands_need;
    memset(&bands_need, 0, sizeof bands_need);
    bands_need.results = (double)sw->npoints * KPI_NFIG * sizeof(kpi_band);
    first[sw->npoints] = total;
    if (o.per_rep)   /* and every replication's figures, for figures.csv */
        bands_need.results += (double)total * KPI_NFIG * sizeof(double);
    kpi_memory_add(&need, &bands_need);
    rc = cli_check_memory(&need, path, o.have_n, &err);
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    /* A bad -o is found now, not after the whole sweep. */
    if ((rc = cli_check_output(outdir, &err)) != KPI_OK)
        goto done;
    bands = calloc((size_t)sw->npoints * KPI_NFIG, sizeof *bands);
    work = malloc((size_t)most * sizeof *work);
    if (o.per_rep)
        figures = malloc((size_t)total * KPI_NFIG * sizeof *figures);
    if (!bands || !work || (o.per_rep && !figures)) {
        rc = cli_out_of_memory();
        goto done;
    }
    if (!o.quiet) {
        fprintf(stderr, "kpisim: sweep '%s': %ld points", base->name, sw->npoints);
        for (int a = 0; a < sw->naxes; a++)
            fprintf(stderr, "%s%s (%d)", a == 0 ? " over " : " x ", sw->axis[a].key,
                    sw->axis[a].nvalues);
        if (total == sw->npoints * base->replications)
            fprintf(stderr, ", %ld replications each: %ld replications\n",
                    base->replications, total);
        else
            fprintf(stderr, ": %ld replications in all\n", total);
    }

    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, "sweep", o.quiet);
    const int ranks = cli_mpi_size();
    sweep_ctx ctx = {sw, base, path, sc, work, o.threads, o.quiet, NULL, 0, figures, first};
    if (ranks == 1) {
        p.grand = total;   /* one bar over every replication of the batch */
        ctx.bar = &p;
    }
    double t0 = cli_now();
    rc = cli_mpi_points(sw->npoints, sweep_point, &ctx, bands, ranks > 1 ? points_bar : NULL,
                        &p, &err);
    if (rc == KPI_ECANCEL) {
        cli_progress_end(&p);
        if (cli_mpi_rank() == 0)
            fprintf(stderr, "kpisim: interrupted; nothing was written to %s (its earlier "
                            "files, if any, are intact)\n",
                    outdir);
        goto done;
    }
    if (rc != KPI_OK) {
        cli_progress_end(&p);
        rc = cli_fail(&err);
        goto done;
    }
    cli_progress_end(&p);
    double t1 = cli_now();
    /* sweep.csv and the base scenario DIR/scenario.yaml in one output set,
     * written by rank 0 alone, now that every rank succeeded: a failed or
     * interrupted sweep writes neither.  The base as loaded (no swept key
     * applied), with the replications and seed the points ran on.  It need
     * not pass the rules that span keys (only the points must:
     * docs/scenarios.md "Sweep files"), and kpi_stage_scenario checks none
     * of them: every value of the base was checked by the loader, so such a
     * base is written as it is. */
    spath = malloc(strlen(outdir) + sizeof "/scenario.yaml");
    if (!spath) {
        rc = cli_out_of_memory();
        goto done;
    }
    sprintf(spath, "%s/scenario.yaml", outdir);
    if (cli_mpi_rank() == 0) {
        set = kpi_outset_create();
        if (!set) {
            memset(&err, 0, sizeof err);
            err.status = rc = KPI_EINTERNAL;
            strcpy(err.msg, "out of memory");
        }
        if (rc == KPI_OK)
            rc = kpi_stage_sweep(set, outdir, sw, bands, &err);
        if (rc == KPI_OK)
            rc = kpi_stage_sweep_figures(set, outdir, sw, figures, first, &err);
        if (rc == KPI_OK)
            rc = o.long_form ? kpi_stage_long_sweep(set, outdir, base->name, sw, bands, figures,
                                                    first, &err)
                             : kpi_stage_long_remove(set, outdir, &err);
        if (rc == KPI_OK)
            rc = kpi_stage_scenario(set, base, spath, &err);
        if (rc == KPI_OK)
            rc = kpi_outset_commit(set, &err);
    }
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    print_grid(sw, bands, base->currency);
    if (!o.quiet) {
        fprintf(stderr, "kpisim: %ld points, %ld replications in %.2f s", sw->npoints, total,
                t1 - t0);
        if (ranks > 1)
            fprintf(stderr, " on %d MPI ranks", ranks);
        fprintf(stderr, "; wrote %s/sweep.csv and %s\n", outdir, spath);
    }

done:
    kpi_outset_free(set);
    kpi_sweep_free(sw);
    free(bands);
    free(work);
    free(figures);
    free(first);
    free(spath);
    free(base);
    free(sc);
    cli_common_free(&o);
    return rc;
}
