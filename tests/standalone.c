/*
 * standalone.c - a program that uses libkpisim only to run: the defaults,
 * kpi_run, kpi_results_free.  tests/test_standalone.sh links it against
 * libkpisim.a, GSL, libm and pthreads without libyaml (the Makefile rule
 * for $(BUILD)/tests/standalone): the numeric core must stand alone, with
 * the loader and the writers left out.  It prints one line of the run's
 * horizon means and exits 0 when the results are sane, 1 otherwise.
 */
#include "kpisim.h"

#include <math.h>
#include <stdio.h>

int main(void)
{
    kpi_scenario sc;
    kpi_run_opts opts = {0};
    kpi_results *res = NULL;
    kpi_error err;
    double heads = 0, cases = 0;
    long r;
    int status, ok = 1;

    kpi_scenario_defaults(&sc);
    sc.months = 12;
    opts.replications = 4;
    opts.seed = 7;
    opts.threads = 2;
    status = kpi_run(&sc, &opts, &res, &err);
    if (status != KPI_OK) {
        fprintf(stderr, "standalone: kpi_run failed (%d): %s\n", status, err.msg);
        return 1;
    }
    if (res->months != 12 || res->replications != 4)
        ok = 0;
    for (r = 0; r < res->replications; r++) {
        heads += res->figures[r * KPI_NFIG + KPI_FIG_FINAL_HEADCOUNT];
        cases += res->figures[r * KPI_NFIG + KPI_FIG_TOTAL_CASES];
    }
    heads /= (double)res->replications;
    cases /= (double)res->replications;
    if (!isfinite(heads) || !isfinite(cases) || heads < 1 || cases < 1)
        ok = 0;
    printf("standalone: final_headcount %.2f total_cases %.2f\n", heads, cases);
    kpi_results_free(res);
    return ok ? 0 : 1;
}
