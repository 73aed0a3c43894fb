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

int cli_cmd_compare(int argc, char **argv)
{
    cli_common o;
    int rc = KPI_OK, nsc = 0;
    const char **paths;
    kpi_scenario *sc = NULL;
    kpi_results **res = NULL;
    char **names = NULL;
    char *outdir = NULL;
    kpi_outset *set = NULL;
    double *work = NULL;
    kpi_error err;

    rc = cli_parse_common(argc, argv, "compare", compare_help, &o);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    paths = o.pos;
    nsc = o.npos;
    if (nsc < 2) {
        rc = cli_usage("compare", "give at least two scenario files to compare");
        goto done;
    }

    /* Load everything first: a bad file stops the job before any run. */
    sc = calloc((size_t)nsc, sizeof *sc);
    res = calloc((size_t)nsc, sizeof *res);
    names = calloc((size_t)nsc, sizeof *names);
    if (!sc || !res || !names) {
        rc = cli_out_of_memory();
        goto done;
    }
    for (int s = 0; s < nsc; s++) {
        rc = kpi_scenario_load_sets(&sc[s], paths[s], o.sets, (size_t)o.nsets, &err);
        if ((rc = cli_agreed(rc, &err)) != KPI_OK)   /* every rank of an MPI job loads them */
            goto done;
        cli_warn_model(&sc[s], paths[s]);
    }
    long nrep = o.have_n ? o.nrep : sc[0].replications;
    uint64_t seed = o.have_seed ? o.seed : sc[0].seed;
    for (int s = 0; s < nsc; s++) {
        sc[s].replications = nrep;
        sc[s].seed = seed;
        /* Output folder names: the scenario names, made unique. */
        int dup = 1;
        for (int t = 0; t < s; t++)
            if (strcmp(sc[t].name, sc[s].name) == 0)
                dup++;
        size_t len = strlen(sc[s].name) + 16;
        names[s] = malloc(len);
        if (!names[s]) {
            rc = cli_out_of_memory();
            goto done;
        }
        if (dup > 1)
            snprintf(names[s], len, "%s-%d", sc[s].name, dup);
        else
            snprintf(names[s], len, "%s", sc[s].name);
        rc = cli_mpi_same_scenario(&sc[s], paths[s], &err);
        if (rc != KPI_OK) {
            rc = cli_fail(&err);
            goto done;
        }
    }
    if (o.outdir) {
        outdir = strdup(o.outdir);
    } else {
        size_t len = 16;
        for (int s = 0; s < nsc; s++)
            len += strlen(names[s]) + 4;
        outdir = malloc(len);
        if (outdir) {
            strcpy(outdir, "runs/compare-");
            for (int s = 0; s < nsc; s++) {
                if (s > 0)
                    strcat(outdir, "-vs-");
                strcat(outdir, names[s]);
            }
        }
    }
    if (!outdir) {
        rc = cli_out_of_memory();
        goto done;
    }
    /* Every scenario's results are kept until comparison.csv is written. */
    kpi_memory need;
    memset(&need, 0, sizeof need);
    for (int s = 0; s < nsc; s++) {
        kpi_memory one;
        kpi_memory_estimate(&sc[s], cli_mpi_held(nrep), (int)o.threads, &one);
        kpi_memory_add(&need, &one);
    }
    rc = cli_check_memory(&need, paths[0], o.have_n, &err);
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    /* A bad -o (or a scenario's folder in it) is found now, not after the
     * whole comparison. */
    if ((rc = cli_check_output(outdir, &err)) != KPI_OK)
        goto done;
    for (int s = 0; s < nsc; s++) {
        size_t len = strlen(outdir) + strlen(names[s]) + 2;
        char *dir = malloc(len);
        if (!dir) {
            rc = cli_out_of_memory();
            goto done;
        }
        snprintf(dir, len, "%s/%s", outdir, names[s]);
        rc = cli_check_output(dir, &err);
        free(dir);
        if (rc != KPI_OK)
            goto done;
    }

    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, "compare", o.quiet);
    p.grand = (long)nsc * nrep;
    double t0 = cli_now();
    for (int s = 0; s < nsc && rc == KPI_OK; s++) {
        kpi_run_opts opts = {nrep, seed, (int)o.threads, cli_progress_cb, &p,
                             cli_cancel_flag(), cli_workspace_limit(&need)};
        p.offset = (long)s * nrep;
        rc = cli_resolve_focus(&sc[s], &opts, paths[s], o.quiet, &err);
        rc = cli_mpi_agree(rc, &err);
        if (rc == KPI_OK)
            rc = cli_mpi_run(&sc[s], &opts, &res[s], &err);
        if (rc != KPI_OK && rc != KPI_ECANCEL) {
            cli_progress_end(&p);
            if (!err.file[0])
                snprintf(err.file, sizeof err.file, "%s", paths[s]);
            rc = cli_fail(&err);
            goto done;
        }
    }
    cli_progress_end(&p);
    if (rc == KPI_ECANCEL) {
        if (cli_mpi_rank() == 0)
            fprintf(stderr, "kpisim: interrupted; nothing was written to %s "
                        "(its earlier files, if any, are intact)\n", outdir);
        goto done;
    }
    double t1 = cli_now();

    /* Rank 0 alone writes, now that every rank succeeded: every scenario's
     * files and comparison.csv in one output set, so that a failure
     * anywhere leaves all of DIR as it was.  The table's buffer comes
     * first: once the files are in place, the comparison has succeeded. */
    if (cli_mpi_rank() == 0) {
        set = kpi_outset_create();
        work = malloc(2 * (size_t)nrep * sizeof *work);
        if (!set || !work) {
            memset(&err, 0, sizeof err);
            err.status = rc = KPI_EINTERNAL;
            strcpy(err.msg, "out of memory");
        }
    }
    for (int s = 0; s < nsc && cli_mpi_rank() == 0 && rc == KPI_OK; s++) {
        size_t len = strlen(outdir) + strlen(names[s]) + 2;
        char *dir = malloc(len);
        if (!dir) {
            rc = cli_out_of_memory();
            goto done;
        }
        snprintf(dir, len, "%s/%s", outdir, names[s]);
        rc = kpi_stage_run(set, dir, &sc[s], res[s], o.per_rep ? KPI_WRITE_PER_REPLICATION : 0,
                           &err);
        free(dir);
    }
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = kpi_stage_comparison(set, outdir, (const char *const *)names,
                                  (const kpi_results *const *)res, nsc, &err);
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = o.long_form
                 ? kpi_stage_long_comparison(set, outdir, (const char *const *)names,
                                             (const kpi_results *const *)res, nsc,
                                             o.per_rep ? KPI_WRITE_PER_REPLICATION : 0, &err)
                 : kpi_stage_long_remove(set, outdir, &err);
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = kpi_outset_commit(set, &err);
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    if (cli_mpi_rank() == 0)
        print_table(names, res, sc, nsc, work);
    if (!o.quiet)
        fprintf(stderr, "kpisim: %d scenarios x %ld replications on common random numbers "
                        "in %.2f s; wrote %s/\n", nsc, nrep, t1 - t0, outdir);

done:
    kpi_outset_free(set);
    free(work);
    if (res)
        for (int s = 0; s < nsc; s++)
            kpi_results_free(res[s]);
    if (names)
        for (int s = 0; s < nsc; s++)
            free(names[s]);
    free(res);
    free(names);
    free(sc);
    free(outdir);
    cli_common_free(&o);
    return rc;
}
