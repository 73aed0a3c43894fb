/*
 * cmd_calibrate.c - `kpisim calibrate`: fit scenario keys to a team's own
 * monthly history (docs/calibration.md).
 *
 * Reads the history (kpi_history_load) and the base scenario, sets the
 * months and starting headcount from the history, fits the --fit keys
 * (kpi_fit_run, with a progress line and Ctrl-C), optionally projects the
 * fitted model past the history, writes the files (kpi_write_fit) and
 * prints the estimates with their intervals and the goodness of fit.
 * Under MPI the command runs on rank 0 alone (main.c).
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
    if (cli_interrupted())
        return 1;
    double now = cli_now();
    if (p->draw && now - p->last > 0.2) {
        fprintf(stderr, "\rcalibrate: %d trials, best objective %.4g, %.0f s   ", evaluation,
                best, now - p->start);
        p->last = now;
    }
    return 0;
}

int cli_cmd_calibrate(int argc, char **argv)
{
    cli_common o;
    kpi_error err;
    kpi_history *h = NULL;
    kpi_scenario *sc = NULL, *ps = NULL;
    kpi_fit *fit = NULL;
    kpi_results *proj = NULL;
    kpi_fit_key *keys = NULL;
    const char *base = NULL;
    long project = 0;
    int nkeys = 0, rc;
    char dirbuf[1024];

    if (cli_common_init(&o, argc) != 0) {
        rc = cli_out_of_memory();
        goto done;
    }
    const char **fits = (const char **)calloc((size_t)argc + 1, sizeof *fits);
    keys = calloc(KPI_FIT_MAX_KEYS, sizeof *keys);
    if (!fits || !keys) {
        free(fits);
        rc = cli_out_of_memory();
        goto done;
    }
    int nfits = 0;
    rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i], *v;
        int m;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            calibrate_help(stdout);
            rc = CLI_HELP;
        } else if ((m = cli_opt_value(argc, argv, &i, "calibrate", "--scenario", NULL, &v)) != 0) {
            rc = m < 0 ? KPI_EUSAGE : 0;
            base = v;
        } else if ((m = cli_opt_value(argc, argv, &i, "calibrate", "--fit", NULL, &v)) != 0) {
            rc = m < 0 ? KPI_EUSAGE : 0;
            fits[nfits++] = v;
        } else if ((m = cli_opt_value(argc, argv, &i, "calibrate", "--project", NULL, &v)) != 0) {
            if (m < 0 || cli_parse_long("calibrate", "--project", v, 1, KPI_MAX_MONTHS,
                                        &project) != 0)
                rc = KPI_EUSAGE;
        } else if ((m = cli_common_option(argc, argv, &i, "calibrate", &o)) != 0) {
            rc = m == 1 ? 0 : m;
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = cli_usage("calibrate", "unknown option '%s'", a);
        } else {
            o.pos[o.npos++] = a;
        }
    }
    if (rc == 0 && o.npos != 1)
        rc = cli_usage("calibrate", o.npos ? "one history file, got %d" : "no history file given",
                       o.npos);
    if (rc == 0 && !base)
        rc = cli_usage("calibrate", "no base scenario: give --scenario BASE.yaml");
    if (rc == 0 && nfits == 0)
        rc = cli_usage("calibrate", "nothing to fit: give --fit KEY[=LO:HI] at least once");
    if (rc == 0 && nfits > KPI_FIT_MAX_KEYS)
        rc = cli_usage("calibrate", "at most %d keys can be fitted, got %d", KPI_FIT_MAX_KEYS,
                       nfits);
    if (rc == 0 && o.per_rep)
        rc = cli_usage("calibrate", "--per-replication does not apply to calibrate");
    /* fitted.yaml extends the base file: an override given here would be
     * lost from it, so overrides belong in a scenario that extends the base. */
    if (rc == 0 && o.nsets > 0)
        rc = cli_usage("calibrate", "--set does not apply to calibrate: write the overrides "
                                    "in a scenario that extends %s and give that to --scenario",
                       base ? base : "the base");
    if (rc != 0) {
        free(fits);
        rc = rc == CLI_HELP ? 0 : rc;
        goto done;
    }

    rc = kpi_history_load(o.pos[0], &h, &err);
    if (rc == KPI_OK && h->separator == ';' && !o.quiet)
        fprintf(stderr, "kpisim: %s: read as a spreadsheet export with ';' between cells and "
                        "decimal commas\n", o.pos[0]);
    sc = malloc(sizeof *sc);
    if (rc == KPI_OK && !sc) {
        free(fits);
        rc = cli_out_of_memory();
        goto done;
    }
    if (rc == KPI_OK)
        rc = kpi_scenario_load_sets(sc, base, o.sets, (size_t)o.nsets, &err);
    int hc_set = 0;
    if (rc == KPI_OK)
        rc = kpi_history_apply(sc, h, &hc_set, &err);
    if (rc == KPI_OK && (rc = kpi_scenario_check(sc, &err)) != KPI_OK)
        snprintf(err.file, sizeof err.file, "%s (with the history's months and headcount)",
                 base);
    for (int i = 0; i < nfits && rc == KPI_OK; i++) {
        rc = kpi_fit_key_parse(&keys[i], fits[i], sc, &err);
        for (int j = 0; j < i && rc == KPI_OK; j++)
            if (strcmp(keys[j].key, keys[i].key) == 0) {
                memset(&err, 0, sizeof err);
                err.status = rc = KPI_EUSAGE;
                snprintf(err.key, sizeof err.key, "--fit");
                snprintf(err.msg, sizeof err.msg, "'%.200s' is given twice", keys[i].key);
            }
        if (rc == KPI_OK && keys[i].clipped && !o.quiet)
            fprintf(stderr, "kpisim: --fit %s: %s\n", keys[i].key, keys[i].note);
    }
    nkeys = nfits;
    free(fits);
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    if (!o.quiet && hc_set)
        fprintf(stderr, "kpisim: %d months of history; the team starts with %d agents "
                        "(month 1's headcount less its recruits)\n", h->months,
                sc->team.headcount);
    if (o.have_seed)
        sc->seed = o.seed;

    cli_signals_install();
    progress pg = {isatty(2) && !o.quiet, 0, cli_now()};
    kpi_fit_opts fo = {o.have_n ? o.nrep : DEFAULT_REPS, sc->seed, (int)o.threads, 3, 150,
                       fit_progress, &pg, NULL, NULL};
    if (fo.replications < 2) {
        rc = cli_usage("calibrate", "-n: a fit needs at least 2 replications per trial");
        goto done;
    }
    double t0 = cli_now();
    rc = kpi_fit_run(sc, h, keys, nkeys, &fo, &fit, &err);
    if (pg.draw)
        fprintf(stderr, "\r%60s\r", "");
    if (rc == KPI_OK && project > 0) {
        ps = malloc(sizeof *ps);
        if (!ps) {
            rc = cli_out_of_memory();
            goto done;
        }
        *ps = fit->fitted;
        ps->months = h->months + (int)project;
        if (ps->months > KPI_MAX_MONTHS) {
            rc = cli_usage("calibrate", "--project: history and projection together exceed "
                                        "%d months", KPI_MAX_MONTHS);
            goto done;
        }
        kpi_run_opts ro = {fo.replications, fo.seed, fo.threads, NULL, NULL, cli_cancel_flag(), 0};
        rc = kpi_scenario_check(ps, &err);
        if (rc == KPI_OK)
            rc = kpi_run(ps, &ro, &proj, &err);
    }
    double t1 = cli_now();
    const char *outdir = o.outdir;
    if (!outdir) {
        snprintf(dirbuf, sizeof dirbuf, "runs/calibrate-%s", sc->name);
        outdir = dirbuf;
    }
    if (rc == KPI_ECANCEL || (rc != KPI_OK && cli_interrupted())) {
        fprintf(stderr, "kpisim: interrupted; nothing was written to %s "
                        "(its earlier files, if any, are intact)\n", outdir);
        rc = KPI_ECANCEL;
        goto done;
    }
    if (rc == KPI_OK)
        rc = kpi_write_fit(outdir, base, h, fit, proj, &err);
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }

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
    if (!o.quiet) {
        fprintf(stderr, "kpisim: %d trials of %ld replications in %.1f s; wrote %s/\n",
                fit->evaluations, fo.replications, t1 - t0, outdir);
        for (int k = 0; k < fit->nkeys; k++)
            if (!fit->key[k].identified)
                fprintf(stderr, "kpisim: %s is not identified by the figures of %s: "
                                "they hardly move with it (or only together with another "
                                "key); its interval is its bounds\n",
                        fit->key[k].key, o.pos[0]);
    }

done:
    kpi_history_free(h);
    kpi_fit_free(fit);
    kpi_results_free(proj);
    free(keys);
    free(sc);
    free(ps);
    cli_common_free(&o);
    return rc;
}
