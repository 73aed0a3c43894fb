/*
 * results.c - kpi_results, the per-replication KPIs a run produces
 * (kpisim.h "Running"): their creation and release.
 *
 * Kept apart from the writers so that a program which only runs
 * (kpi_scenario_defaults, kpi_run, kpi_results_free) links without the
 * writers and without libyaml (tests/test_standalone.sh).
 */
#include "kpisim.h"

#include <stdint.h>
#include <stdlib.h>

kpi_results *kpi_results_create(int months, long replications)
{
    kpi_results *res;
    size_t nm, nf;

    if (months <= 0 || replications <= 0 ||
        (unsigned long)replications > SIZE_MAX / sizeof(double) / KPI_NFIG ||
        (size_t)replications > SIZE_MAX / sizeof(double) / KPI_NKPI / (size_t)months)
        return NULL;
    nm = (size_t)replications * (size_t)months * KPI_NKPI;
    nf = (size_t)replications * KPI_NFIG;

    res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->months = months;
    res->replications = replications;
    res->monthly = calloc(nm, sizeof *res->monthly);
    res->figures = calloc(nf, sizeof *res->figures);
    if (!res->monthly || !res->figures) {
        kpi_results_free(res);
        return NULL;
    }
    return res;
}

void kpi_results_free(kpi_results *res)
{
    if (!res)
        return;
    free(res->monthly);
    free(res->figures);
    free(res);
}
