/*
 * main.c - the kpisim program: dispatch to a command.
 *
 * Every command lives in its own file (cmd_*.c); this file only picks one.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

static void usage(FILE *f)
{
    fputs("usage: kpisim COMMAND [ARGS]\n"
          "\n"
          "Monte Carlo simulation of a life-insurance sales team: activity, funnels,\n"
          "client book and money, month by month, with the uncertainty of every KPI.\n"
          "\n"
          "commands:\n"
          "  run [SCENARIO.yaml]   simulate a scenario (the built-in default without one)\n"
          "                        and write monthly.csv, summary.csv, scenario.yaml\n"
          "  compare A.yaml B.yaml...  run scenarios on common random numbers and compare\n"
          "                        each with the first (comparison.csv)\n"
          "  sweep SWEEP.yaml      run a full grid over some keys of a scenario (sweep.csv)\n"
          "  sensitivity FILE.yaml  which uncertain keys move the figures, and how sure\n"
          "                        a choice between strategies is (sensitivity.csv)\n"
          "  validate FILE...      check scenario, sweep and sensitivity files without\n"
          "                        running them\n"
          "  explain FILE [DIR]    expected values by hand-checkable arithmetic, beside a\n"
          "                        run's simulated means\n"
          "  calibrate HISTORY.csv --scenario BASE.yaml --fit KEY...  fit scenario keys\n"
          "                        to a team's monthly history (fitted.yaml, fit.csv)\n"
          "  plot DIR              render the charts of a run, compare or sweep into DIR/plots\n"
          "  report DIR [--xlsx]   one self-contained DIR/report.html (and DIR/report.xlsx)\n"
          "\n"
          "  kpisim COMMAND --help  options of a command (also: kpisim help COMMAND)\n"
          "  kpisim --version       the version\n"
          "\n"
          "See kpisim(1), docs/model.md and docs/scenarios.md.\n", f);
}

static int dispatch(int argc, char **argv);

/* Results go to stdout: a write error there (a full disk, a closed pipe)
 * must not pass silently. */
int main(int argc, char **argv)
{
    /* GSL's default error handler aborts the process.  The run path never
     * reaches it (kpisim.h), but the modules off it that allocate through
     * GSL (the calibration's optimiser, the sensitivity study's quasi-random
     * sequence) need it off to get NULL, which they turn into "out of
     * memory" (status 70), instead of an abort.  It is a process-wide
     * setting of GSL, so the program makes it, once, before any thread
     * starts. */
    gsl_set_error_handler_off();
    if (cli_mpi_init(&argc, &argv) != 0)
        return KPI_EINTERNAL;
    /* The other ranks of an MPI job print no results: rank 0 does. */
    if (cli_mpi_rank() != 0 && !freopen("/dev/null", "w", stdout))
        return KPI_EIO;
    int rc = dispatch(argc, argv);
    cli_mpi_finalize();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "kpisim: writing standard output failed: %s\n", strerror(errno));
        if (rc == 0)
            rc = KPI_EIO;
    }
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return KPI_EUSAGE;
    }
    const char *cmd = argv[1];
    /* `kpisim help COMMAND` is `kpisim COMMAND --help`. */
    if (strcmp(cmd, "help") == 0 && argc >= 3) {
        char *hv[] = {argv[0], argv[2], (char *)"--help", NULL};
        return dispatch(3, hv);
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("kpisim %s\n", KPI_VERSION);
        return 0;
    }
    /* In an MPI job only run, compare, sweep, calibrate and sensitivity share their work; any
     * other command is rank 0's alone. */
    if (cli_mpi_size() > 1 && cli_mpi_rank() != 0 && strcmp(cmd, "run") != 0 &&
        strcmp(cmd, "compare") != 0 && strcmp(cmd, "sweep") != 0 &&
        strcmp(cmd, "calibrate") != 0 && strcmp(cmd, "sensitivity") != 0)
        return 0;
    if (strcmp(cmd, "run") == 0)
        return cli_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cli_cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cli_cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cli_cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "sensitivity") == 0)
        return cli_cmd_sensitivity(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return cli_cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0)
        return cli_cmd_calibrate(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return cli_cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "kpisim: unknown command '%s'\n", cmd);
    usage(stderr);
    return KPI_EUSAGE;
}
