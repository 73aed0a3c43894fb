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

/* What one run holds between its steps (cli_cmd_run). */
typedef struct run_job {
    cli_common o;
    const char *path;       /* the scenario file; NULL: the built-in default */
    const char *label;      /* path, or "<built-in default>" in messages */
    const char *outdir;
    char dirbuf[1024];      /* the default outdir, runs/NAME */
    kpi_scenario *sc;
    kpi_results *res;       /* rank 0 of an MPI job alone holds the results */
    double *work;           /* room for the table's bands */
    kpi_memory need;
    kpi_error err;
} run_job;

/* The scenario (or the built-in default) with --set, then -n and --seed.
 * Returns KPI_OK or the status, its error printed. */
static int run_load(run_job *j)
{
    int rc;
    j->sc = malloc(sizeof *j->sc);
    if (!j->sc)
        return cli_out_of_memory();
    if (j->path) {
        rc = kpi_scenario_load_sets(j->sc, j->path, j->o.sets, (size_t)j->o.nsets, &j->err);
    } else {
        size_t len;
        const char *text = kpi_default_scenario_text(&len);
        rc = kpi_scenario_load_string_sets(j->sc, text, len, j->label, j->o.sets,
                                           (size_t)j->o.nsets, &j->err);
    }
    /* In an MPI job every rank loads the scenario; they agree on the
     * outcome and check that they hold the same one. */
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    cli_warn_model(j->sc, j->label);
    if (j->o.have_n)
        j->sc->replications = j->o.nrep;
    if (j->o.have_seed)
        j->sc->seed = j->o.seed;
    rc = cli_mpi_same_scenario(j->sc, j->label, &j->err);
    return rc == KPI_OK ? rc : cli_fail(&j->err);
}

/* The output directory, the memory check and a bad -o, found now rather
 * than after the whole simulation.  Returns KPI_OK or the status. */
static int run_check(run_job *j)
{
    int rc;
    j->outdir = j->o.outdir;
    if (!j->outdir) {
        snprintf(j->dirbuf, sizeof j->dirbuf, "runs/%s", j->sc->name);
        j->outdir = j->dirbuf;
    }
    kpi_memory_estimate(j->sc, cli_mpi_held(j->sc->replications), (int)j->o.threads, &j->need);
    rc = cli_check_memory(&j->need, j->label, j->o.have_n, &j->err);
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    return cli_check_output(j->outdir, &j->err);
}

/* The focus of a repeat share, then the replications with a progress bar;
 * *seconds: how long they took.  Returns KPI_OK or the status, its
 * message printed (KPI_ECANCEL after Ctrl-C). */
static int run_simulate(run_job *j, double *seconds)
{
    cli_signals_install();
    cli_progress p;
    cli_progress_init(&p, j->sc->name, j->o.quiet);
    kpi_run_opts opts = {j->sc->replications, j->sc->seed, (int)j->o.threads, cli_progress_cb,
                         &p, cli_cancel_flag(), cli_workspace_limit(&j->need)};
    double t0 = cli_now();
    int rc = cli_resolve_focus(j->sc, &opts, j->label, j->o.quiet, &j->err);
    rc = cli_mpi_agree(rc, &j->err);
    if (rc == KPI_OK)
        rc = cli_mpi_run(j->sc, &opts, &j->res, &j->err);
    cli_progress_end(&p);
    if ((rc = cli_run_outcome(rc, j->outdir, &j->err)) == KPI_OK)
        *seconds = cli_now() - t0;
    return rc;
}

/* The table's buffer before the files: once they are written, the run
 * has succeeded.  Rank 0 alone holds the results, and writes, now that
 * every rank succeeded.  Returns the job's status, its error printed. */
static int run_write(run_job *j)
{
    int rc = KPI_OK;
    if (j->res) {
        j->work = malloc((size_t)j->res->replications * sizeof *j->work);
        if (!j->work)
            rc = cli_oom_error(&j->err);
    }
    if (rc == KPI_OK && cli_mpi_rank() == 0) {
        /* The run's files and long.csv (or the removal of an earlier one)
         * in one output set: all of them or none. */
        const int flags = j->o.per_rep ? KPI_WRITE_PER_REPLICATION : 0;
        kpi_outset *set = kpi_outset_create();
        if (!set)
            rc = cli_oom_error(&j->err);
        if (rc == KPI_OK)
            rc = kpi_stage_run(set, j->outdir, j->sc, j->res, flags, &j->err);
        if (rc == KPI_OK)
            rc = j->o.long_form
                     ? kpi_stage_long_run(set, j->outdir, j->sc->name, j->res, flags, &j->err)
                     : kpi_stage_long_remove(set, j->outdir, &j->err);
        if (rc == KPI_OK)
            rc = kpi_outset_commit(set, &j->err);
        kpi_outset_free(set);
    }
    return cli_agreed(rc, &j->err);
}

int cli_cmd_run(int argc, char **argv)
{
    run_job j;
    memset(&j, 0, sizeof j);
    double seconds = 0;
    int rc = cli_parse_single(argc, argv, "run", run_help, "scenario",
                              "; 'kpisim compare' runs several", &j.o);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    j.path = j.o.npos ? j.o.pos[0] : NULL;
    j.label = j.path ? j.path : "<built-in default>";
    if ((rc = run_load(&j)) != KPI_OK || (rc = run_check(&j)) != KPI_OK ||
        (rc = run_simulate(&j, &seconds)) != KPI_OK || (rc = run_write(&j)) != KPI_OK)
        goto done;
    if (j.res)
        print_figures(j.res, j.sc->currency, j.work);
    if (!j.o.quiet) {
        fprintf(stderr, "kpisim: %ld replications of '%s' in %.2f s", j.sc->replications,
                j.sc->name, seconds);
        if (cli_mpi_size() > 1)
            fprintf(stderr, " on %d MPI ranks", cli_mpi_size());
        fprintf(stderr, "; wrote %s/\n", j.outdir);
    }

done:
    kpi_results_free(j.res);
    free(j.work);
    free(j.sc);
    cli_common_free(&j.o);
    return rc;
}

static void validate_help(FILE *f)
{
    fputs("usage: kpisim validate SCENARIO.yaml... [--set KEY=VALUE]...\n"
          "\n"
          "Checks each scenario file (with its extends: chain) against every rule of\n"
          "the scenario format without running it; for a sweep file, every point of\n"
          "its grid; for a sensitivity file (docs/sensitivity.md), its scenarios,\n"
          "keys and every point of its design.  Prints 'FILE: ok' for each good file\n"
          "and, on stderr, a\n"
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

/* Whether path reads as a sensitivity file (docs/sensitivity.md): a
 * top-level keys: with scenario: or strategies:, which no scenario has. */
static int is_study(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int keys = 0, base = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        keys |= strncmp(line, "keys:", 5) == 0;
        base |= strncmp(line, "scenario:", 9) == 0 || strncmp(line, "strategies:", 11) == 0;
    }
    fclose(f);
    return keys && base;
}

/* validate for a sensitivity file: the file, its scenarios, its design and
 * every point of it.  Returns the status, printed. */
static int validate_study(const char *path, size_t nsets)
{
    kpi_study *st = NULL;
    kpi_study_plan *plan = NULL;
    kpi_error err;
    kpi_scenario *sc = malloc(sizeof *sc);
    if (!sc)
        return cli_out_of_memory();
    int rc = nsets ? cli_usage("validate", "--set does not apply to a sensitivity file (%s)", path)
                   : kpi_study_load(path, &st, &err);
    if (rc == KPI_OK)
        rc = kpi_study_design(st, &plan, &err);
    for (long u = 0; rc == KPI_OK && u < plan->nrows * st->nstrategies; u++)
        rc = kpi_study_point(st, plan, (int)(u % st->nstrategies), u / st->nstrategies, sc, &err);
    if (rc == KPI_OK)
        printf("%s: ok (a sensitivity study: %d keys, %ld points x %d scenario%s)\n", path,
               st->nkeys, plan->nrows, st->nstrategies, st->nstrategies > 1 ? "s" : "");
    else if (!nsets)
        cli_fail(&err);
    kpi_study_plan_free(plan);
    kpi_study_free(st);
    free(sc);
    return rc;
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
        if (is_study(paths[i])) {
            int r = validate_study(paths[i], nsets);
            if (r != KPI_OK && status == 0)
                status = r;
            continue;
        }
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
