/*
 * cmd_calibrate.c - `kpisim calibrate`: fit scenario keys to a team's own
 * monthly history (docs/calibration.md).
 *
 * Reads the history (kpi_history_load) and the base scenario, sets the
 * months and starting headcount from the history, fits the --fit keys
 * (kpi_fit_run, with a progress line and Ctrl-C), optionally projects the
 * fitted model past the history, writes the files (kpi_write_fit) and
 * prints the estimates with their intervals and the goodness of fit.
 * Under MPI every rank takes the same simplex steps: each trial's
 * replications are spread over the ranks and every rank receives all of
 * them (cli_mpi_run_all), so that every rank holds the same objective;
 * rank 0 alone prints and writes.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_REPS 100

static void calibrate_help(FILE *f)
{
    fputs("usage: kpisim calibrate HISTORY.csv --scenario BASE.yaml --fit KEY[=LO:HI]...\n"
          "                        [-n REPLICATIONS] [--seed N] [--threads N] [-o DIR]\n"
          "                        [--project MONTHS] [--quiet]\n"
          "\n"
          "Fits the --fit keys of BASE.yaml to a team's monthly history by simulated\n"
          "method of moments on common random numbers (docs/calibration.md).  HISTORY.csv\n"
          "has a month column (1, 2, ...) and any monthly KPIs of monthly.csv (without\n"
          "_mean); empty cells are missing.  The scenario's months come from the history,\n"
          "its starting headcount from month 1's headcount less its recruits.\n"
          "\n"
          "Writes DIR/fitted.yaml (extends BASE.yaml, sets the fitted keys), fit.csv,\n"
          "fit-monthly.csv, trace.csv and with --project projection.csv; prints the\n"
          "estimates with 90% intervals and the goodness of fit.\n"
          "\n"
          "options:\n"
          "  --scenario BASE.yaml  the scenario whose other keys stay fixed (required)\n"
          "  --fit KEY[=LO:HI]     a key to fit, within bounds (default: the key's range,\n"
          "                        huge ranges clipped); any numeric key, or a funnel\n"
          "                        stage funnel.SOURCE.STAGE (STAGE contact, meeting or\n"
          "                        sale: that stage relative to the one before); repeatable\n"
          "  -n, --replications N  replications per trial (default 100)\n"
          "  --seed N              random seed (default: the scenario's)\n"
          "  --threads N           worker threads (default: the online processors)\n"
          "  -o, --output DIR      output directory (default: runs/calibrate-NAME)\n"
          "  --project MONTHS      also simulate MONTHS past the history (projection.csv)\n"
          "  --quiet               no progress and no messages on stderr\n"
          "\n"
          "exit status: 0 ok, 64 usage, 65 bad history or scenario, 66 missing file,\n"
          "70 internal error, 73/74 cannot create/write output, 130 interrupted.\n", f);
}

typedef struct progress {
    int draw;
    double last;
    double start;
} progress;

static int fit_progress(void *userdata, int evaluation, double best)
{
    progress *p = userdata;
    /* Under MPI a cancel is agreed inside the trials (cli_mpi_run_all):
     * a rank that left the fit alone would leave the others waiting. */
    if (cli_mpi_size() == 1 && cli_interrupted())
        return 1;
    double now = cli_now();
    if (p->draw && now - p->last > 0.2) {
        fprintf(stderr, "\rcalibrate: %d trials, best objective %.4g, %.0f s   ", evaluation,
                best, now - p->start);
        p->last = now;
    }
    return 0;
}

/* What one calibration holds between its steps (cli_cmd_calibrate). */
typedef struct calib_job {
    cli_common o;
    const char **fits;      /* the --fit values, in order */
    int nfits;
    kpi_fit_key *keys;      /* room for KPI_FIT_MAX_KEYS */
    const char *base;       /* --scenario */
    long project;           /* --project: months after the history */
    kpi_history *h;
    kpi_scenario *sc;       /* the base with the history's months and headcount */
    kpi_scenario *ps;       /* the fitted scenario over the projection */
    kpi_fit *fit;
    kpi_results *proj;
    kpi_fit_opts fo;
    int reported;           /* the status's message is printed: stop */
    kpi_error err;
} calib_job;

/* The options, and the rules between them.  Returns 0, CLI_HELP, or the
 * status after printing it. */
static int calib_parse(calib_job *j, int argc, char **argv)
{
    if (cli_common_init(&j->o, argc) != 0)
        return cli_out_of_memory();
    j->fits = (const char **)calloc((size_t)argc + 1, sizeof *j->fits);
    j->keys = calloc(KPI_FIT_MAX_KEYS, sizeof *j->keys);
    if (!j->fits || !j->keys)
        return cli_out_of_memory();
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i], *v;
        int m;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            calibrate_help(stdout);
            rc = CLI_HELP;
        } else if ((m = cli_opt_value(argc, argv, &i, "calibrate", "--scenario", NULL, &v)) != 0) {
            rc = m < 0 ? KPI_EUSAGE : 0;
            j->base = v;
        } else if ((m = cli_opt_value(argc, argv, &i, "calibrate", "--fit", NULL, &v)) != 0) {
            rc = m < 0 ? KPI_EUSAGE : 0;
            j->fits[j->nfits++] = v;
        } else if ((m = cli_opt_value(argc, argv, &i, "calibrate", "--project", NULL, &v)) != 0) {
            if (m < 0 || cli_parse_long("calibrate", "--project", v, 1, KPI_MAX_MONTHS,
                                        &j->project) != 0)
                rc = KPI_EUSAGE;
        } else if ((m = cli_common_option(argc, argv, &i, "calibrate", &j->o)) != 0) {
            rc = m == 1 ? 0 : m;
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = cli_usage("calibrate", "unknown option '%s'", a);
        } else {
            j->o.pos[j->o.npos++] = a;
        }
    }
    const cli_common *o = &j->o;
    if (rc == 0 && o->npos != 1)
        rc = cli_usage("calibrate", o->npos ? "one history file, got %d" : "no history file given",
                       o->npos);
    if (rc == 0 && !j->base)
        rc = cli_usage("calibrate", "no base scenario: give --scenario BASE.yaml");
    if (rc == 0 && j->nfits == 0)
        rc = cli_usage("calibrate", "nothing to fit: give --fit KEY[=LO:HI] at least once");
    if (rc == 0 && j->nfits > KPI_FIT_MAX_KEYS)
        rc = cli_usage("calibrate", "at most %d keys can be fitted, got %d", KPI_FIT_MAX_KEYS,
                       j->nfits);
    if (rc == 0 && o->per_rep)
        rc = cli_usage("calibrate", "--per-replication does not apply to calibrate");
    /* fitted.yaml extends the base file: an override given here would be
     * lost from it, so overrides belong in a scenario that extends the base. */
    if (rc == 0 && o->nsets > 0)
        rc = cli_usage("calibrate", "--set does not apply to calibrate: write the overrides "
                                    "in a scenario that extends %s and give that to --scenario",
                       j->base ? j->base : "the base");
    return rc;
}

/* The history, the base scenario with the history's months and headcount,
 * and the keys to fit.  Returns KPI_OK or the status, printed. */
static int calib_load(calib_job *j)
{
    int rc = kpi_history_load(j->o.pos[0], &j->h, &j->err);
    const int say = !j->o.quiet && cli_mpi_rank() == 0;
    if (rc == KPI_OK && j->h->separator == ';' && say)
        fprintf(stderr, "kpisim: %s: read as a spreadsheet export with ';' between cells and "
                        "decimal commas\n", j->o.pos[0]);
    j->sc = malloc(sizeof *j->sc);
    if (rc == KPI_OK && !j->sc)
        return cli_out_of_memory();
    if (rc == KPI_OK)
        rc = kpi_scenario_load_sets(j->sc, j->base, j->o.sets, (size_t)j->o.nsets, &j->err);
    int hc_set = 0;
    if (rc == KPI_OK)
        rc = kpi_history_apply(j->sc, j->h, &hc_set, &j->err);
    if (rc == KPI_OK && (rc = kpi_scenario_check(j->sc, &j->err)) != KPI_OK)
        snprintf(j->err.file, sizeof j->err.file, "%s (with the history's months and headcount)",
                 j->base);
    for (int i = 0; i < j->nfits && rc == KPI_OK; i++) {
        rc = kpi_fit_key_parse(&j->keys[i], j->fits[i], j->sc, &j->err);
        for (int k = 0; k < i && rc == KPI_OK; k++)
            if (strcmp(j->keys[k].key, j->keys[i].key) == 0) {
                memset(&j->err, 0, sizeof j->err);
                j->err.status = rc = KPI_EUSAGE;
                snprintf(j->err.key, sizeof j->err.key, "--fit");
                snprintf(j->err.msg, sizeof j->err.msg, "'%.200s' is given twice",
                         j->keys[i].key);
            }
        if (rc == KPI_OK && j->keys[i].clipped && say)
            fprintf(stderr, "kpisim: --fit %s: %s\n", j->keys[i].key, j->keys[i].note);
    }
    /* In an MPI job every rank loads; they agree on the outcome and check
     * that they hold the same scenario. */
    if ((rc = cli_agreed(rc, &j->err)) != KPI_OK)
        return rc;
    if ((rc = cli_mpi_same_scenario(j->sc, j->base, &j->err)) != KPI_OK)
        return cli_fail(&j->err);
    if (say && hc_set)
        fprintf(stderr, "kpisim: %d months of history; the team starts with %d agents "
                        "(month 1's headcount less its recruits)\n", j->h->months,
                j->sc->team.headcount);
    if (j->o.have_seed)
        j->sc->seed = j->o.seed;
    return KPI_OK;
}

/* The fitted scenario over the history and --project months more.
 * Returns the status; j->reported when its message is printed. */
static int calib_project(calib_job *j)
{
    j->ps = malloc(sizeof *j->ps);
    if (!j->ps) {
        j->reported = 1;
        return cli_out_of_memory();
    }
    *j->ps = j->fit->fitted;
    j->ps->months = j->h->months + (int)j->project;
    if (j->ps->months > KPI_MAX_MONTHS) {
        j->reported = 1;
        return cli_usage("calibrate", "--project: history and projection together exceed "
                                      "%d months", KPI_MAX_MONTHS);
    }
    kpi_run_opts ro = {j->fo.replications, j->fo.seed, j->fo.threads, NULL, NULL,
                       cli_cancel_flag(), 0};
    int rc = kpi_scenario_check(j->ps, &j->err);
    if (rc == KPI_OK)
        rc = cli_mpi_run(j->ps, &ro, &j->proj, &j->err);
    return rc;
}

/* The estimates and the goodness of fit on stdout; on stderr unless
 * --quiet, the time and the keys the figures cannot identify. */
static void calib_print(const calib_job *j, const char *outdir, double seconds)
{
    const kpi_fit *fit = j->fit;
    printf("%-28s %12s %12s %12s %9s %s\n", "key", "estimate", "90% lo", "90% hi", "effect",
           "identified");
    for (int k = 0; k < fit->nkeys; k++) {
        const kpi_fit_key *fk = &fit->key[k];
        printf("%-28s %12.6g %12.6g %12.6g %9.3g %s\n", fk->key, fk->estimate, fk->ci_lo,
               fk->ci_hi, fk->effect,
               fk->identified ? "yes" : "NOT IDENTIFIED (interval = bounds)");
    }
    printf("goodness of fit over %ld observed points:\n", fit->npoints);
    printf("  inside the fitted 90%% bands: %.1f%% (about 90%% expected)\n",
           100 * fit->inside90);
    printf("  weighted distance %.4g; share of the fitted model's own replications as far\n"
           "  or farther (p-value): %.3f\n", fit->chi2, fit->chi2_p);
    if (!j->o.quiet) {
        fprintf(stderr, "kpisim: %d trials of %ld replications in %.1f s; wrote %s/\n",
                fit->evaluations, j->fo.replications, seconds, outdir);
        for (int k = 0; k < fit->nkeys; k++)
            if (!fit->key[k].identified)
                fprintf(stderr, "kpisim: %s is not identified by the figures of %s: "
                                "they hardly move with it (or only together with another "
                                "key); its interval is its bounds\n",
                        fit->key[k].key, j->o.pos[0]);
    }
}

int cli_cmd_calibrate(int argc, char **argv)
{
    calib_job j;
    memset(&j, 0, sizeof j);
    char dirbuf[1024];
    int rc = calib_parse(&j, argc, argv);
    if (rc != 0) {
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }
    if ((rc = calib_load(&j)) != KPI_OK)
        goto done;

    const char *outdir = j.o.outdir;
    if (!outdir) {
        snprintf(dirbuf, sizeof dirbuf, "runs/calibrate-%s", j.sc->name);
        outdir = dirbuf;
    }
    /* A bad -o is found now, not after the fit. */
    if ((rc = cli_check_output(outdir, &j.err)) != KPI_OK)
        goto done;

    cli_signals_install();
    progress pg = {isatty(2) && !j.o.quiet && cli_mpi_rank() == 0, 0, cli_now()};
    kpi_fit_opts fo = {j.o.have_n ? j.o.nrep : DEFAULT_REPS, j.sc->seed, (int)j.o.threads, 3,
                       150, fit_progress, &pg, cli_mpi_size() > 1 ? cli_mpi_run_all : NULL,
                       NULL};
    j.fo = fo;
    if (j.fo.replications < 2) {
        rc = cli_usage("calibrate", "-n: a fit needs at least 2 replications per trial");
        goto done;
    }
    double t0 = cli_now();
    rc = kpi_fit_run(j.sc, j.h, j.keys, j.nfits, &j.fo, &j.fit, &j.err);
    if (pg.draw)
        fprintf(stderr, "\r%60s\r", "");
    if (rc == KPI_OK && j.project > 0) {
        rc = calib_project(&j);
        if (j.reported)
            goto done;
    }
    double t1 = cli_now();
    if (cli_mpi_size() == 1 && rc != KPI_OK && cli_interrupted())
        rc = KPI_ECANCEL;
    /* Every rank ends the fit with the same status (the trials agreed it);
     * rank 0 alone writes, and the write's status is agreed too. */
    if (rc == KPI_OK && cli_mpi_rank() == 0)
        rc = kpi_write_fit(outdir, j.base, j.h, j.fit, j.proj, &j.err);
    if ((rc = cli_run_outcome(cli_mpi_agree(rc, &j.err), outdir, &j.err)) != KPI_OK)
        goto done;
    if (cli_mpi_rank() == 0)
        calib_print(&j, outdir, t1 - t0);

done:
    kpi_history_free(j.h);
    kpi_fit_free(j.fit);
    kpi_results_free(j.proj);
    free(j.fits);
    free(j.keys);
    free(j.sc);
    free(j.ps);
    cli_common_free(&j.o);
    return rc;
}
