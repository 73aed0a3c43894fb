/*
 * cmd_sensitivity.c - `kpisim sensitivity SENSITIVITY.yaml`.
 *
 * Loads the sensitivity file (its scenarios, keys and ranges are checked
 * there), asks the library for the design, checks every point's scenario
 * before anything runs, then runs every point of every strategy on the
 * same seed (common random numbers: the same streams at every point), one
 * progress bar over the batch, the points spread over the ranks of an MPI
 * job like a sweep's (cli_mpi_points).  The means and standard errors go
 * to the estimators (kpi_study_analyse), the files are committed together
 * (kpi_stage_study), and a summary for people goes to stdout
 * (sens_summary.c).  docs/sensitivity.md documents the file and outputs.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void sens_help(FILE *f)
{
    fputs("usage: kpisim sensitivity SENSITIVITY.yaml [-o DIR] [-n N] [--seed N]\n"
          "                          [--threads N] [--quiet]\n"
          "\n"
          "Which uncertain keys move the figures, and how sure a decision between\n"
          "strategies is.  The file names a scenario (scenario:) or two or more\n"
          "(strategies:), the uncertain keys with their ranges and distributions\n"
          "(keys:), the figures and the methods (oat, morris, sobol, lhs).  Every point\n"
          "of the design runs on the same seed (common random numbers) and writes\n"
          "DIR/sensitivity.csv (figure,key,method,index,value,lo,hi), DIR/samples.csv\n"
          "(every point, its keys and figures), DIR/sensitivity.yaml (the study as run)\n"
          "and the scenarios.  See docs/sensitivity.md.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR      output directory (default: runs/sensitivity-NAME)\n"
          "  -n, --replications N  replications per point (default: the file's, or 20)\n"
          "  --seed N              the seed of every point and of the design\n"
          "  --threads N           worker threads (results identical for any N)\n"
          "  --quiet               no progress bar and no messages on stderr\n"
          "\n"
          "exit status: as for 'kpisim run'.\n", f);
}

/* One job between its steps. */
typedef struct sens_job {
    cli_common o;
    const char *path;
    const char *outdir;
    char dirbuf[1024];
    kpi_study *st;
    kpi_study_plan *plan;
    kpi_study_result *res;
    kpi_scenario *sc;           /* one unit's scenario */
    long units;                 /* design rows x strategies */
    kpi_band *bands;            /* every unit's figures */
    double *mean, *se, *work;
    kpi_memory need;
    kpi_error err;
} sens_job;

/* What computing one unit needs (sens_unit). */
typedef struct sens_ctx {
    sens_job *j;
    cli_progress *bar;          /* one rank: a bar over replications */
} sens_ctx;

static int cancel_only(void *userdata, long done, long total)
{
    (void)userdata;
    (void)done;
    (void)total;
    return cli_interrupted();
}

static void units_bar(void *pdata, long done, long total)
{
    cli_progress_cb(pdata, done, total);
}

/* Unit u: design row u / strategies of strategy u % strategies. */
static int sens_unit(void *vctx, long u, kpi_band *bands, kpi_error *err)
{
    sens_ctx *c = vctx;
    sens_job *j = c->j;
    const int ns = j->st->nstrategies;
    kpi_scenario *sc = j->sc;
    kpi_results *res = NULL;
    char label[1200];
    int rc = kpi_study_point(j->st, j->plan, (int)(u % ns), u / ns, sc, err);
    if (rc != KPI_OK)
        return rc;
    snprintf(label, sizeof label, "%s (point %ld of %s)", j->path, u / ns + 1, sc->name);
    kpi_run_opts opts = {sc->replications, sc->seed, (int)j->o.threads,
                         c->bar ? cli_progress_cb : cancel_only, c->bar, cli_cancel_flag(),
                         cli_workspace_limit(&j->need)};
    if (c->bar)
        c->bar->offset = u * sc->replications;
    rc = cli_resolve_focus(sc, &opts, label, 1, err);
    if (rc == KPI_OK)
        rc = kpi_run(sc, &opts, &res, err);
    if (rc != KPI_OK) {
        if (!err->file[0])
            snprintf(err->file, sizeof err->file, "%.1000s", label);
        return rc;
    }
    for (int f = 0; f < KPI_NFIG; f++)
        kpi_band_compute(res->figures + f, KPI_NFIG, (size_t)res->replications, j->work,
                         &bands[f]);
    kpi_results_free(res);
    return KPI_OK;
}

/* The file, -n and --seed, the design, every point checked, the output
 * directory and the memory.  Returns KPI_OK or the status, printed. */
static int sens_prepare(sens_job *j)
{
    int rc = kpi_study_load(j->path, &j->st, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    kpi_study *st = j->st;
    if (j->o.have_n)
        st->replications = j->o.nrep < 2 ? 2 : j->o.nrep;
    if (j->o.have_seed)
        st->seed = j->o.seed;
    for (int s = 0; s < st->nstrategies; s++)
        cli_warn_model(&st->scenario[s], st->path[s]);
    rc = kpi_study_design(st, &j->plan, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    j->units = j->plan->nrows * st->nstrategies;
    j->sc = malloc(sizeof *j->sc);
    if (!j->sc)
        return cli_out_of_memory();
    memset(&j->need, 0, sizeof j->need);
    for (long u = 0; u < j->units; u++) {
        rc = kpi_study_point(st, j->plan, (int)(u % st->nstrategies), u / st->nstrategies,
                             j->sc, &j->err);
        if (rc != KPI_OK)
            break;
        if (u < st->nstrategies) {
            kpi_memory one;
            kpi_memory_estimate(j->sc, st->replications, (int)j->o.threads, &one);
            if (one.total > j->need.total)
                j->need = one;
        }
    }
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    kpi_memory keep;
    memset(&keep, 0, sizeof keep);
    keep.results = (double)j->units * KPI_NFIG * (sizeof(kpi_band) + 2 * sizeof(double));
    kpi_memory_add(&j->need, &keep);
    rc = cli_check_memory(&j->need, j->path, j->o.have_n, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    j->outdir = j->o.outdir;
    if (!j->outdir) {
        snprintf(j->dirbuf, sizeof j->dirbuf, "runs/sensitivity-%s", st->name);
        j->outdir = j->dirbuf;
    }
    if ((rc = cli_check_output(j->outdir, &j->err)) != KPI_OK)
        return rc;
    j->bands = calloc((size_t)j->units * KPI_NFIG, sizeof *j->bands);
    j->mean = malloc((size_t)j->units * KPI_NFIG * sizeof *j->mean);
    j->se = malloc((size_t)j->units * KPI_NFIG * sizeof *j->se);
    j->work = malloc((size_t)st->replications * sizeof *j->work);
    if (!j->bands || !j->mean || !j->se || !j->work)
        return cli_out_of_memory();
    return KPI_OK;
}

/* Every unit, one bar over the batch; *seconds how long it took. */
static int sens_simulate(sens_job *j, double *seconds)
{
    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, "sensitivity", j->o.quiet);
    const int ranks = cli_mpi_size();
    sens_ctx ctx = {j, NULL};
    if (ranks == 1) {
        p.grand = j->units * j->st->replications;
        ctx.bar = &p;
    }
    if (!j->o.quiet)
        fprintf(stderr, "kpisim: sensitivity '%s': %d keys, %ld points x %d scenario%s x %ld "
                "replications = %ld replications\n", j->st->name, j->st->nkeys, j->plan->nrows,
                j->st->nstrategies, j->st->nstrategies > 1 ? "s" : "", j->st->replications,
                j->units * j->st->replications);
    double t0 = cli_now();
    int rc = cli_mpi_points(j->units, sens_unit, &ctx, j->bands, ranks > 1 ? units_bar : NULL,
                            &p, &j->err);
    cli_progress_end(&p);
    if ((rc = cli_run_outcome(rc, j->outdir, &j->err)) == KPI_OK)
        *seconds = cli_now() - t0;
    return rc;
}

/* Means and standard errors, the estimators (every rank: the same
 * numbers), and the files, by rank 0. */
static int sens_finish(sens_job *j)
{
    const double root = sqrt((double)j->st->replications);
    int rc = KPI_OK;
    for (size_t i = 0; i < (size_t)j->units * KPI_NFIG; i++) {
        j->mean[i] = j->bands[i].mean;
        j->se[i] = j->bands[i].sd / root;
    }
    if (cli_mpi_rank() == 0)
        rc = kpi_study_analyse(j->st, j->plan, j->mean, j->se, &j->res, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    if (cli_mpi_rank() == 0) {
        kpi_outset *set = kpi_outset_create();
        rc = set ? kpi_stage_study(set, j->outdir, j->st, j->plan, j->res, j->mean, j->se,
                                   &j->err)
                 : cli_oom_error(&j->err);
        if (rc == KPI_OK)
            rc = kpi_outset_commit(set, &j->err);
        kpi_outset_free(set);
    }
    return cli_agreed(rc, &j->err);
}

int cli_cmd_sensitivity(int argc, char **argv)
{
    sens_job j;
    memset(&j, 0, sizeof j);
    double seconds = 0;
    int rc = cli_parse_single(argc, argv, "sensitivity", sens_help, "sensitivity file", "", &j.o);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    j.path = j.o.npos ? j.o.pos[0] : NULL;
    if (j.o.nsets || j.o.per_rep || j.o.long_form)
        rc = cli_usage("sensitivity", "%s is not available: the sensitivity file says what varies",
                       j.o.nsets ? "--set" : j.o.per_rep ? "--per-replication" : "--long");
    else if (!j.path)
        rc = cli_usage("sensitivity", "no sensitivity file given");
    if (rc != 0)
        goto done;
    if ((rc = sens_prepare(&j)) != KPI_OK || (rc = sens_simulate(&j, &seconds)) != KPI_OK ||
        (rc = sens_finish(&j)) != KPI_OK)
        goto done;
    /* Rank 0 alone computed the indices (the others' stdout is /dev/null). */
    if (j.res)
        cli_sens_summary(stdout, j.st, j.plan, j.res);
    if (!j.o.quiet) {
        fprintf(stderr, "kpisim: %ld points, %ld replications in %.2f s", j.units,
                j.units * j.st->replications, seconds);
        if (cli_mpi_size() > 1)
            fprintf(stderr, " on %d MPI ranks", cli_mpi_size());
        fprintf(stderr, "; wrote %s/sensitivity.csv and %s/samples.csv\n", j.outdir, j.outdir);
    }
done:
    kpi_study_result_free(j.res);
    kpi_study_plan_free(j.plan);
    kpi_study_free(j.st);
    free(j.sc);
    free(j.bands);
    free(j.mean);
    free(j.se);
    free(j.work);
    cli_common_free(&j.o);
    return rc;
}
