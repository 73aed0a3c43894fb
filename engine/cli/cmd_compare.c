/*
 * cmd_compare.c - `kpisim compare A.yaml B.yaml [...]`.
 *
 * Runs every scenario with the same seed and replications (common random
 * numbers: replication r of each draws from the same keyed streams), writes
 * each one's run output under DIR/NAME/ and the paired comparison against
 * the first scenario in DIR/comparison.csv, and prints the headline
 * figures with the difference, its 90% band and P(higher).
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void compare_help(FILE *f)
{
    fputs("usage: kpisim compare A.yaml B.yaml [C.yaml ...] [-o DIR] [-n N] [--seed N]\n"
          "                      [--threads N] [--set KEY=VALUE]... [--per-replication]\n"
          "                      [--long] [--quiet]\n"
          "\n"
          "Runs the scenarios on common random numbers (the same seed and replications\n"
          "for all: the first scenario's unless -n/--seed are given) and compares each\n"
          "with the first, replication by replication.  Writes DIR/comparison.csv and\n"
          "each scenario's run output under DIR/NAME/; prints the headline figures.\n"
          "--set applies to every scenario.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR      output directory (default: runs/compare-A-vs-B...)\n"
          "  -n, --replications N  replications of every scenario\n"
          "  --seed N              the common random seed\n"
          "  --threads N           worker threads (results identical for any N)\n"
          "  --set KEY=VALUE       override a key in every scenario (repeatable)\n"
          "  --per-replication     also write DIR/NAME/replications.csv and figures.csv\n"
          "  --long                also write DIR/long.csv: every scenario's numbers and\n"
          "                        the differences, one a row (the long format)\n"
          "  --quiet               no progress bar and no messages on stderr\n"
          "\n"
          "exit status: as for 'kpisim run'.\n", f);
}

/* The figures printed on stdout, in this order. */
static const int headline[] = {
    KPI_FIG_TOTAL_PREMIUM, KPI_FIG_PROFIT, KPI_FIG_TOTAL_CASES, KPI_FIG_FINAL_HEADCOUNT,
    KPI_FIG_MEAN_ACTIVITY_RATE, KPI_FIG_CASES_PER_ACTIVE, KPI_FIG_PREMIUM_PER_CASE,
    KPI_FIG_REPEAT_SHARE, KPI_FIG_PREMIUM_VOLATILITY
};

/* work has room for 2 x replications doubles.  The numbers as people read
 * them (human.c), money in each scenario's currency; P(higher) is "=" when
 * the two never differ (not applicable, not 0%). */
static void print_table(char **names, kpi_results **res, const kpi_scenario *sc, int nsc,
                        double *work)
{
    size_t n = (size_t)res[0]->replications;
    char a[CLI_HUMAN_BUF];
    printf("%-22s %-20s %16s %16s %16s %16s %9s\n", "figure", "scenario", "mean",
           "diff", "diff_p05", "diff_p95", "P(higher)");
    for (size_t h = 0; h < sizeof headline / sizeof *headline; h++) {
        int f = headline[h];
        const int unit = kpi_figure_unit(f);
        for (int s = 0; s < nsc; s++) {
            kpi_band own;
            kpi_paired pd;
            const char *cur = sc[s].currency;
            kpi_band_compute(res[s]->figures + f, KPI_NFIG, n, work, &own);
            printf("%-22s ", s == 0 ? kpi_figure_name(f) : "");
            cli_put_cell(stdout, names[s], -20);
            fputc(' ', stdout);
            cli_put_cell(stdout, cli_human(own.mean, unit, cur, 0, a, sizeof a), 16);
            if (s == 0) {
                printf(" %16s\n", "(baseline)");
                continue;
            }
            kpi_paired_compute(res[0]->figures + f, KPI_NFIG, res[s]->figures + f, KPI_NFIG,
                               n, work, &pd);
            const double d[3] = {pd.diff.mean, pd.diff.p05, pd.diff.p95};
            for (int i = 0; i < 3; i++) {
                fputc(' ', stdout);
                cli_put_cell(stdout, cli_human(d[i], unit, cur, CLI_HUMAN_SIGNED, a, sizeof a),
                             16);
            }
            fputc(' ', stdout);
            cli_put_cell(stdout,
                         isnan(pd.p_higher)
                             ? "="
                             : cli_human(pd.p_higher, KPI_UNIT_SHARE, NULL, 0, a, sizeof a),
                         9);
            fputc('\n', stdout);
        }
    }
}

/* What one comparison holds between its steps (cli_cmd_compare). */
typedef struct compare_job {
    cli_common o;
    int nsc;                /* the scenarios: o.pos[0..nsc-1] */
    kpi_scenario *sc;
    kpi_results **res;
    char **names;           /* their folders in outdir: the names, made unique */
    char *outdir;
    long nrep;
    uint64_t seed;
    kpi_memory need;
    double *work;
    kpi_error err;
} compare_job;

/* outdir/name, allocated (NULL: out of memory). */
static char *sub_dir(const char *outdir, const char *name)
{
    size_t len = strlen(outdir) + strlen(name) + 2;
    char *dir = malloc(len);
    if (dir)
        snprintf(dir, len, "%s/%s", outdir, name);
    return dir;
}

/* Scenario s's folder name: its name, with -2, -3... after the first. */
static char *unique_name(const kpi_scenario *sc, int s)
{
    int dup = 1;
    for (int t = 0; t < s; t++)
        if (strcmp(sc[t].name, sc[s].name) == 0)
            dup++;
    size_t len = strlen(sc[s].name) + 16;
    char *name = malloc(len);
    if (name && dup > 1)
        snprintf(name, len, "%s-%d", sc[s].name, dup);
    else if (name)
        snprintf(name, len, "%s", sc[s].name);
    return name;
}

/* Everything loaded first: a bad file stops the job before any run.  Then
 * the replications and seed of the first (or -n and --seed) for all, and
 * their folder names.  Returns KPI_OK or the status, printed. */
static int compare_load(compare_job *j)
{
    const char **paths = j->o.pos;
    int rc;
    j->sc = calloc((size_t)j->nsc, sizeof *j->sc);
    j->res = calloc((size_t)j->nsc, sizeof *j->res);
    j->names = calloc((size_t)j->nsc, sizeof *j->names);
    if (!j->sc || !j->res || !j->names)
        return cli_out_of_memory();
    for (int s = 0; s < j->nsc; s++) {
        rc = kpi_scenario_load_sets(&j->sc[s], paths[s], j->o.sets, (size_t)j->o.nsets, &j->err);
        if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)   /* every rank of an MPI job loads them */
            return rc;
        cli_warn_model(&j->sc[s], paths[s]);
    }
    j->nrep = j->o.have_n ? j->o.nrep : j->sc[0].replications;
    j->seed = j->o.have_seed ? j->o.seed : j->sc[0].seed;
    for (int s = 0; s < j->nsc; s++) {
        j->sc[s].replications = j->nrep;
        j->sc[s].seed = j->seed;
        j->names[s] = unique_name(j->sc, s);
        if (!j->names[s])
            return cli_out_of_memory();
        rc = cli_mpi_same_scenario(&j->sc[s], paths[s], &j->err);
        if (rc != KPI_OK)
            return cli_fail(&j->err);
    }
    return KPI_OK;
}

/* outdir: -o, or runs/compare-A-vs-B...  Returns KPI_OK or the status. */
static int compare_outdir(compare_job *j)
{
    if (j->o.outdir) {
        j->outdir = strdup(j->o.outdir);
    } else {
        size_t len = 16;
        for (int s = 0; s < j->nsc; s++)
            len += strlen(j->names[s]) + 4;
        j->outdir = malloc(len);
        if (j->outdir) {
            strcpy(j->outdir, "runs/compare-");
            for (int s = 0; s < j->nsc; s++) {
                if (s > 0)
                    strcat(j->outdir, "-vs-");
                strcat(j->outdir, j->names[s]);
            }
        }
    }
    return j->outdir ? KPI_OK : cli_out_of_memory();
}

/* The memory check (every scenario's results are kept until
 * comparison.csv is written), and a bad -o (or a scenario's folder in
 * it) found now, not after the whole comparison.  Returns KPI_OK or the
 * status, printed. */
static int compare_check(compare_job *j)
{
    memset(&j->need, 0, sizeof j->need);
    for (int s = 0; s < j->nsc; s++) {
        kpi_memory one;
        kpi_memory_estimate(&j->sc[s], cli_mpi_held(j->nrep), (int)j->o.threads, &one);
        kpi_memory_add(&j->need, &one);
    }
    int rc = cli_check_memory(&j->need, j->o.pos[0], j->o.have_n, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    if ((rc = cli_check_output(j->outdir, &j->err)) != KPI_OK)
        return rc;
    for (int s = 0; s < j->nsc; s++) {
        char *dir = sub_dir(j->outdir, j->names[s]);
        if (!dir)
            return cli_out_of_memory();
        rc = cli_check_output(dir, &j->err);
        free(dir);
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* Every scenario on common random numbers, one progress bar over all;
 * *seconds: how long they took.  Returns KPI_OK or the status, its
 * message printed (KPI_ECANCEL after Ctrl-C). */
static int compare_simulate(compare_job *j, double *seconds)
{
    int rc = KPI_OK;
    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, "compare", j->o.quiet);
    p.grand = (long)j->nsc * j->nrep;
    double t0 = cli_now();
    for (int s = 0; s < j->nsc && rc == KPI_OK; s++) {
        kpi_run_opts opts = {j->nrep, j->seed, (int)j->o.threads, cli_progress_cb, &p,
                             cli_cancel_flag(), cli_workspace_limit(&j->need)};
        p.offset = (long)s * j->nrep;
        rc = cli_resolve_focus(&j->sc[s], &opts, j->o.pos[s], j->o.quiet, &j->err);
        rc = cli_mpi_agree(rc, &j->err);
        if (rc == KPI_OK)
            rc = cli_mpi_run(&j->sc[s], &opts, &j->res[s], &j->err);
        if (rc != KPI_OK && rc != KPI_ECANCEL) {
            cli_progress_end(&p);
            if (!j->err.file[0])
                snprintf(j->err.file, sizeof j->err.file, "%s", j->o.pos[s]);
            return cli_fail(&j->err);
        }
    }
    cli_progress_end(&p);
    if ((rc = cli_run_outcome(rc, j->outdir, &j->err)) == KPI_OK)
        *seconds = cli_now() - t0;
    return rc;
}

/* Rank 0 alone writes, now that every rank succeeded: every scenario's
 * files and comparison.csv in one output set, so that a failure
 * anywhere leaves all of DIR as it was.  The table's buffer comes
 * first: once the files are in place, the comparison has succeeded.
 * Returns the job's status, printed. */
static int compare_write(compare_job *j)
{
    int rc = KPI_OK;
    kpi_outset *set = NULL;
    const int flags = j->o.per_rep ? KPI_WRITE_PER_REPLICATION : 0;
    const char *const *names = (const char *const *)j->names;
    const kpi_results *const *res = (const kpi_results *const *)j->res;
    if (cli_mpi_rank() == 0) {
        set = kpi_outset_create();
        j->work = malloc(2 * (size_t)j->nrep * sizeof *j->work);
        if (!set || !j->work)
            rc = cli_oom_error(&j->err);
    }
    for (int s = 0; s < j->nsc && cli_mpi_rank() == 0 && rc == KPI_OK; s++) {
        char *dir = sub_dir(j->outdir, j->names[s]);
        if (!dir) {
            kpi_outset_free(set);
            return cli_out_of_memory();
        }
        rc = kpi_stage_run(set, dir, &j->sc[s], j->res[s], flags, &j->err);
        free(dir);
    }
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = kpi_stage_comparison(set, j->outdir, names, res, j->nsc, &j->err);
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = j->o.long_form
                 ? kpi_stage_long_comparison(set, j->outdir, names, res, j->nsc, flags, &j->err)
                 : kpi_stage_long_remove(set, j->outdir, &j->err);
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = kpi_outset_commit(set, &j->err);
    kpi_outset_free(set);
    return cli_agreed(rc, &j->err);
}

int cli_cmd_compare(int argc, char **argv)
{
    compare_job j;
    memset(&j, 0, sizeof j);
    double seconds = 0;
    int rc = cli_parse_common(argc, argv, "compare", compare_help, &j.o);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    if (j.o.npos < 2) {
        rc = cli_usage("compare", "give at least two scenario files to compare");
        goto done;
    }
    j.nsc = j.o.npos;
    if ((rc = compare_load(&j)) != KPI_OK || (rc = compare_outdir(&j)) != KPI_OK ||
        (rc = compare_check(&j)) != KPI_OK || (rc = compare_simulate(&j, &seconds)) != KPI_OK ||
        (rc = compare_write(&j)) != KPI_OK)
        goto done;
    if (cli_mpi_rank() == 0)
        print_table(j.names, j.res, j.sc, j.nsc, j.work);
    if (!j.o.quiet)
        fprintf(stderr, "kpisim: %d scenarios x %ld replications on common random numbers "
                        "in %.2f s; wrote %s/\n", j.nsc, j.nrep, seconds, j.outdir);

done:
    free(j.work);
    if (j.res)
        for (int s = 0; s < j.nsc; s++)
            kpi_results_free(j.res[s]);
    if (j.names)
        for (int s = 0; s < j.nsc; s++)
            free(j.names[s]);
    free(j.res);
    free(j.names);
    free(j.sc);
    free(j.outdir);
    cli_common_free(&j.o);
    return rc;
}
