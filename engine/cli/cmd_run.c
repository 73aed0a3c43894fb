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
          "                  [--threads N] [--set KEY=VALUE]... [--per-replication] [--quiet]\n"
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
          "  --per-replication     also write DIR/replications.csv\n"
          "  --quiet               no progress bar and no messages on stderr\n"
          "\n"
          "exit status: 0 ok, 64 usage, 65 bad scenario, 66 missing file,\n"
          "70 internal error, 73/74 cannot create/write output, 130 interrupted.\n", f);
}

static void print_figures(const kpi_results *res)
{
    size_t n = (size_t)res->replications;
    double *work = malloc(n * sizeof *work);
    if (!work)
        return;
    printf("%-26s %16s %16s %16s\n", "figure", "mean", "p05", "p95");
    for (int f = 0; f < KPI_NFIG; f++) {
        kpi_band b;
        kpi_band_compute(res->figures + f, KPI_NFIG, n, work, &b);
        printf("%-26s %16.6g %16.6g %16.6g\n", kpi_figure_name(f), b.mean, b.p05, b.p95);
    }
    free(work);
}

int cli_cmd_run(int argc, char **argv)
{
    const char *path = NULL, *outdir = NULL, *v;
    const char **sets = (const char **)calloc((size_t)argc, sizeof *sets);
    int nsets = 0, quiet = 0, per_rep = 0, have_n = 0, have_seed = 0, rc;
    long nrep = 0, threads = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t seed = 0;
    kpi_scenario *sc = NULL;
    kpi_results *res = NULL;
    kpi_error err;
    char dirbuf[1024];

    if (!sets)
        return KPI_EINTERNAL;
    if (threads < 1)
        threads = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int m;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_help(stdout);
            rc = 0;
            goto done;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--per-replication") == 0) {
            per_rep = 1;
        } else if ((m = cli_opt_value(argc, argv, &i, "run", "--output", "-o", &v)) != 0) {
            if (m < 0 || !*v) {
                rc = m < 0 ? KPI_EUSAGE : cli_usage("run", "-o: expected a directory");
                goto done;
            }
            outdir = v;
        } else if ((m = cli_opt_value(argc, argv, &i, "run", "--replications", "-n", &v)) != 0) {
            if (m < 0 || cli_parse_long("run", "-n", v, 1, KPI_MAX_REPLICATIONS, &nrep) != 0) {
                rc = KPI_EUSAGE;
                goto done;
            }
            have_n = 1;
        } else if ((m = cli_opt_value(argc, argv, &i, "run", "--seed", NULL, &v)) != 0) {
            if (m < 0 || cli_parse_u64("run", "--seed", v, &seed) != 0) {
                rc = KPI_EUSAGE;
                goto done;
            }
            have_seed = 1;
        } else if ((m = cli_opt_value(argc, argv, &i, "run", "--threads", NULL, &v)) != 0) {
            if (m < 0 || cli_parse_long("run", "--threads", v, 1, 1024, &threads) != 0) {
                rc = KPI_EUSAGE;
                goto done;
            }
        } else if ((m = cli_opt_value(argc, argv, &i, "run", "--set", NULL, &v)) != 0) {
            if (m < 0) {
                rc = KPI_EUSAGE;
                goto done;
            }
            sets[nsets++] = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = cli_usage("run", "unknown option '%s'", a);
            goto done;
        } else if (path) {
            rc = cli_usage("run", "one scenario at a time (got '%s' and '%s'); "
                                  "'kpisim compare' runs several", path, a);
            goto done;
        } else {
            path = a;
        }
    }

    sc = malloc(sizeof *sc);
    if (!sc) {
        rc = KPI_EINTERNAL;
        goto done;
    }
    if (path) {
        rc = kpi_scenario_load_sets(sc, path, sets, (size_t)nsets, &err);
    } else {
        size_t len;
        const char *text = kpi_default_scenario_text(&len);
        rc = kpi_scenario_load_string_sets(sc, text, len, "<built-in default>", sets,
                                           (size_t)nsets, &err);
    }
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    if (have_n)
        sc->replications = nrep;
    if (have_seed)
        sc->seed = seed;
    if (!outdir) {
        snprintf(dirbuf, sizeof dirbuf, "runs/%s", sc->name);
        outdir = dirbuf;
    }

    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, sc->name, quiet);
    kpi_run_opts opts = {sc->replications, sc->seed, (int)threads, cli_progress_cb, &p};
    double t0 = cli_now();
    if (sc->clients.repeat_share >= 0) {
        kpi_focus_report fr;
        rc = kpi_scenario_resolve_focus(sc, &opts, &fr, &err);
        if (rc == KPI_ECANCEL || cli_interrupted()) {
            rc = KPI_ECANCEL;
            fprintf(stderr, "kpisim: interrupted; nothing was written to %s\n", outdir);
            goto done;
        }
        if (rc != KPI_OK) {
            if (!err.file[0])
                snprintf(err.file, sizeof err.file, "%s", path ? path : "<built-in default>");
            rc = cli_fail(&err);
            goto done;
        }
        if (!quiet)
            fprintf(stderr,
                    "kpisim: clients.repeat_share %g: using clients.focus = %.4f "
                    "(realised share %.4f over %ld pilot replications, %d pilot runs)\n",
                    fr.target, fr.focus, fr.achieved, fr.pilot, fr.evaluations);
    }
    rc = kpi_run(sc, &opts, &res, &err);
    cli_progress_end(&p);
    if (rc == KPI_ECANCEL) {
        fprintf(stderr, "kpisim: interrupted; nothing was written to %s "
                        "(its earlier files, if any, are intact)\n", outdir);
        goto done;
    }
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    double t1 = cli_now();
    rc = kpi_write_run(outdir, sc, res, per_rep ? KPI_WRITE_PER_REPLICATION : 0, &err);
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    print_figures(res);
    if (!quiet)
        fprintf(stderr, "kpisim: %ld replications of '%s' in %.2f s; wrote %s/\n",
                sc->replications, sc->name, t1 - t0, outdir);

done:
    kpi_results_free(res);
    free(sc);
    free(sets);
    return rc;
}

static void validate_help(FILE *f)
{
    fputs("usage: kpisim validate SCENARIO.yaml...\n"
          "\n"
          "Checks each scenario file (with its extends: chain) against every rule of\n"
          "the scenario format without running it.  Prints 'FILE: ok' for each good\n"
          "file and a file:line:col message on stderr for each bad one.\n"
          "\n"
          "exit status: 0 all good, 65 a file is bad, 66 a file is missing (the\n"
          "status of the first failing file), 64 usage.\n", f);
}

int cli_cmd_validate(int argc, char **argv)
{
    int rc = 0, files = 0;
    kpi_scenario *sc = malloc(sizeof *sc);
    if (!sc)
        return KPI_EINTERNAL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            validate_help(stdout);
            free(sc);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            free(sc);
            return cli_usage("validate", "unknown option '%s'", argv[i]);
        }
    }
    for (int i = 1; i < argc; i++) {
        kpi_error err;
        files++;
        int r = kpi_scenario_load(sc, argv[i], &err);
        if (r == KPI_OK) {
            printf("%s: ok\n", argv[i]);
        } else {
            cli_fail(&err);
            if (rc == 0)
                rc = r;
        }
    }
    free(sc);
    if (files == 0)
        return cli_usage("validate", "no scenario file given");
    return rc;
}
