/*
 * cmd_run.c - `kpisim run` and `kpisim validate`.
 *
 * run: load the scenario (or the built-in default), apply --set, -n and
 * --seed, simulate with a progress bar, write the outputs atomically and
 * print the horizon figures on stdout.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void run_help(FILE *f)
{
    fputs("usage: kpisim run [SCENARIO.yaml] [-o DIR] [-n REPLICATIONS] [--seed N]\n"
          "                  [--threads N] [--set KEY=VALUE]... [--per-replication] [--long]\n"
          "                  [--quiet]\n"
          "\n"
          "Simulates the scenario (the built-in default when none is given) and writes\n"
          "DIR/monthly.csv, DIR/summary.csv and DIR/scenario.yaml (the resolved scenario,\n"
          "which reproduces the run byte for byte).  Prints the horizon figures.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR      output directory (default: runs/NAME)\n"
          "  -n, --replications N  replications (default: the scenario's, 1000)\n"
          "  --seed N              random seed (default: the scenario's)\n"
          "  --threads N           worker threads (default: the online processors);\n"
          "                        results are identical for any N\n"
          "  --set KEY=VALUE       override one scenario key, e.g.\n"
          "                        --set activity.calls_per_day=12 (repeatable)\n"
          "  --per-replication     also write DIR/replications.csv and DIR/figures.csv\n"
          "  --long                also write DIR/long.csv: every number above, one a\n"
          "                        row (scenario,point,replication,month,name,\n"
          "                        statistic,value)\n"
          "  --quiet               no progress bar and no messages on stderr\n"
          "\n"
          "exit status: 0 ok, 64 usage, 65 bad scenario, 66 missing file,\n"
          "70 internal error, 73/74 cannot create/write output, 130 interrupted.\n", f);
}

/* work has room for res->replications doubles.  The numbers as people
 * read them (human.c), money in the scenario's currency. */
static void print_figures(const kpi_results *res, const char *currency, double *work)
{
    size_t n = (size_t)res->replications;
    printf("%-26s %16s %16s %16s\n", "figure", "mean", "p05", "p95");
    for (int f = 0; f < KPI_NFIG; f++) {
        kpi_band b;
        char num[CLI_HUMAN_BUF];
        const int unit = kpi_figure_unit(f);
        kpi_band_compute(res->figures + f, KPI_NFIG, n, work, &b);
        printf("%-26s", kpi_figure_name(f));
        const double v[3] = {b.mean, b.p05, b.p95};
        for (int i = 0; i < 3; i++) {
            fputc(' ', stdout);
            cli_put_cell(stdout, cli_human(v[i], unit, currency, 0, num, sizeof num), 16);
        }
        fputc('\n', stdout);
    }
}

int cli_cmd_run(int argc, char **argv)
{
    const char *path = NULL;
    cli_common o;
    int rc;
    kpi_scenario *sc = NULL;
    kpi_results *res = NULL;
    double *work = NULL;
    kpi_error err;
    char dirbuf[1024];

    rc = cli_parse_common(argc, argv, "run", run_help, &o);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    if (o.npos > 1) {
        rc = cli_usage("run", "one scenario at a time (got '%s' and '%s'); "
                              "'kpisim compare' runs several", o.pos[0], o.pos[1]);
        goto done;
    }
    path = o.npos ? o.pos[0] : NULL;

    sc = malloc(sizeof *sc);
    if (!sc) {
        rc = cli_out_of_memory();
        goto done;
    }
    if (path) {
        rc = kpi_scenario_load_sets(sc, path, o.sets, (size_t)o.nsets, &err);
    } else {
        size_t len;
        const char *text = kpi_default_scenario_text(&len);
        rc = kpi_scenario_load_string_sets(sc, text, len, "<built-in default>", o.sets,
                                           (size_t)o.nsets, &err);
    }
    /* In an MPI job every rank loads the scenario; they agree on the
     * outcome and check that they hold the same one. */
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    cli_warn_model(sc, path ? path : "<built-in default>");
    if (o.have_n)
        sc->replications = o.nrep;
    if (o.have_seed)
        sc->seed = o.seed;
    rc = cli_mpi_same_scenario(sc, path ? path : "<built-in default>", &err);
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    const char *outdir = o.outdir;
    if (!outdir) {
        snprintf(dirbuf, sizeof dirbuf, "runs/%s", sc->name);
        outdir = dirbuf;
    }
    kpi_memory need;
    kpi_memory_estimate(sc, cli_mpi_held(sc->replications), (int)o.threads, &need);
    rc = cli_check_memory(&need, path ? path : "<built-in default>", o.have_n, &err);
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    /* A bad -o is found now, not after the whole simulation. */
    if ((rc = cli_check_output(outdir, &err)) != KPI_OK)
        goto done;

    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, sc->name, o.quiet);
    kpi_run_opts opts = {sc->replications, sc->seed, (int)o.threads, cli_progress_cb, &p,
                         cli_cancel_flag(), cli_workspace_limit(&need)};
    double t0 = cli_now();
    rc = cli_resolve_focus(sc, &opts, path ? path : "<built-in default>", o.quiet, &err);
    rc = cli_mpi_agree(rc, &err);
    if (rc == KPI_OK)
        rc = cli_mpi_run(sc, &opts, &res, &err);
    cli_progress_end(&p);
    if (rc == KPI_ECANCEL) {
        if (cli_mpi_rank() == 0)
            fprintf(stderr, "kpisim: interrupted; nothing was written to %s "
                            "(its earlier files, if any, are intact)\n", outdir);
        goto done;
    }
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    double t1 = cli_now();
    /* The table's buffer before the files: once they are written, the run
     * has succeeded.  Rank 0 alone holds the results, and writes, now that
     * every rank succeeded. */
    if (res) {
        work = malloc((size_t)res->replications * sizeof *work);
        if (!work) {
            memset(&err, 0, sizeof err);
            err.status = rc = KPI_EINTERNAL;
            strcpy(err.msg, "out of memory");
        }
    }
    if (rc == KPI_OK && cli_mpi_rank() == 0) {
        /* The run's files and long.csv (or the removal of an earlier one)
         * in one output set: all of them or none. */
        const int flags = o.per_rep ? KPI_WRITE_PER_REPLICATION : 0;
        kpi_outset *set = kpi_outset_create();
        if (!set) {
            memset(&err, 0, sizeof err);
            err.status = rc = KPI_EINTERNAL;
            strcpy(err.msg, "out of memory");
        }
        if (rc == KPI_OK)
            rc = kpi_stage_run(set, outdir, sc, res, flags, &err);
        if (rc == KPI_OK)
            rc = o.long_form ? kpi_stage_long_run(set, outdir, sc->name, res, flags, &err)
                             : kpi_stage_long_remove(set, outdir, &err);
        if (rc == KPI_OK)
            rc = kpi_outset_commit(set, &err);
        kpi_outset_free(set);
    }
    if ((rc = cli_agreed(rc, &err)) != KPI_OK)
        goto done;
    if (res)
        print_figures(res, sc->currency, work);
    if (!o.quiet) {
        fprintf(stderr, "kpisim: %ld replications of '%s' in %.2f s", sc->replications,
                sc->name, t1 - t0);
        if (cli_mpi_size() > 1)
            fprintf(stderr, " on %d MPI ranks", cli_mpi_size());
        fprintf(stderr, "; wrote %s/\n", outdir);
    }

done:
    kpi_results_free(res);
    free(work);
    free(sc);
    cli_common_free(&o);
    return rc;
}

static void validate_help(FILE *f)
{
    fputs("usage: kpisim validate SCENARIO.yaml... [--set KEY=VALUE]...\n"
          "\n"
          "Checks each scenario file (with its extends: chain) against every rule of\n"
          "the scenario format without running it; for a sweep file, every point of\n"
          "its grid.  Prints 'FILE: ok' for each good file and, on stderr, a\n"
          "file:line:col message for every mistake of a bad one (up to 20, in the\n"
          "order of the file: a YAML syntax error stops its file, other mistakes do\n"
          "not).\n"
          "\n"
          "options:\n"
          "  --set KEY=VALUE       override one scenario key in every file, after\n"
          "                        loading, as run does (repeatable)\n"
          "\n"
          "exit status: 0 all good, 65 a file is bad, 66 a file is missing (the\n"
          "status of the first failing file), 64 usage.\n", f);
}

int cli_cmd_validate(int argc, char **argv)
{
    int rc = 0, files = 0;
    kpi_scenario *sc = malloc(sizeof *sc);
    /* --set values and the files, in order (argc bounds both). */
    const char **sets = malloc((size_t)argc * sizeof *sets);
    const char **paths = malloc((size_t)argc * sizeof *paths);
    kpi_error *errs = malloc(KPI_VALIDATE_MAX_ERRORS * sizeof *errs);
    size_t nsets = 0;
    if (!sc || !sets || !paths || !errs) {
        free(sc);
        free(sets);
        free(paths);
        free(errs);
        return cli_out_of_memory();
    }
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            validate_help(stdout);
            rc = CLI_HELP;
            break;
        }
        int m = cli_opt_value(argc, argv, &i, "validate", "--set", NULL, &v);
        if (m < 0) {
            rc = KPI_EUSAGE;
            break;
        }
        if (m > 0 && cli_check_set(argc, argv, i, "validate", v) != 0) {
            rc = KPI_EUSAGE;
            break;
        }
        if (m > 0) {
            sets[nsets++] = v;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_usage("validate", "unknown option '%s'", argv[i]);
            break;
        }
        paths[files++] = argv[i];
    }
    if (rc == 0 && files == 0)
        rc = cli_usage("validate", "no scenario file given");
    int status = 0;
    for (int i = 0; rc == 0 && i < files; i++) {
        kpi_error err;
        kpi_sweep *sw = NULL;
        size_t nerrs = 0;
        int more = 0;
        /* Every independent mistake first (up to a cap), in the order of
         * the file; once there is none, a plain scenario is a sweep of one
         * point: one loader checks both, every grid point of a sweep
         * included; --set applies as in run. */
        int r = kpi_scenario_validate(paths[i], sets, nsets, errs, KPI_VALIDATE_MAX_ERRORS,
                                      &nerrs, &more);
        if (r != KPI_OK) {
            for (size_t e = 0; e < nerrs; e++)
                cli_fail(&errs[e]);
            if (more)
                fprintf(stderr, "kpisim: %s: more than %d mistakes; fix these and run "
                                "validate again\n", paths[i], KPI_VALIDATE_MAX_ERRORS);
            else if (nerrs > 1)
                fprintf(stderr, "kpisim: %s: %zu mistakes\n", paths[i], nerrs);
            if (status == 0)
                status = r;
            continue;
        }
        r = kpi_sweep_load(sc, &sw, paths[i], sets, nsets, &err);
        if (r == KPI_OK) {
            cli_warn_model(sc, paths[i]);
            if (sw->naxes > 0)
                printf("%s: ok (a sweep of %ld points)\n", paths[i], sw->npoints);
            else
                printf("%s: ok\n", paths[i]);
            kpi_sweep_free(sw);
        } else {
            cli_fail(&err);
            if (status == 0)
                status = r;
        }
    }
    if (rc == 0)
        rc = status;
    free(sc);
    free(sets);
    free(paths);
    free(errs);
    return rc == CLI_HELP ? 0 : rc;
}
