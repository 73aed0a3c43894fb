/*
 * prepare.c - what every command does between loading its scenarios and running
 * them: resolving clients.repeat_share into a focus, and checking that the
 * run fits in memory.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_resolve_focus(kpi_scenario *sc, const kpi_run_opts *opts, const char *label,
                      int quiet, kpi_error *err)
{
    if (sc->clients.repeat_share < 0)
        return KPI_OK;
    kpi_focus_report fr;
    int rc = kpi_scenario_resolve_focus(sc, opts, &fr, err);
    if (rc == KPI_ECANCEL || cli_interrupted()) {
        memset(err, 0, sizeof *err);
        err->status = KPI_ECANCEL;
        strcpy(err->msg, "cancelled");
        return KPI_ECANCEL;
    }
    if (rc != KPI_OK) {
        if (!err->file[0])
            snprintf(err->file, sizeof err->file, "%s", label);
        return rc;
    }
    if (!quiet)
        fprintf(stderr,
                "kpisim: %s: clients.repeat_share %g: using clients.focus = %.4f "
                "(realised share %.4f over %ld pilot replications, %d pilot runs)\n",
                label, fr.target, fr.focus, fr.achieved, fr.pilot, fr.evaluations);
    return KPI_OK;
}

int cli_check_memory(const kpi_memory *need, const char *file, int n_option, kpi_error *err)
{
    char source[128];
    double avail = kpi_memory_available(source, sizeof source);
    int rc = kpi_memory_check(need, avail, source, n_option, err);
    if (rc != KPI_OK)
        snprintf(err->file, sizeof err->file, "%s", file);
    return rc;
}

void cli_warn_model(kpi_scenario *sc, const char *label)
{
    if (sc->model_version >= KPI_MODEL_VERSION)
        return;
    if (cli_mpi_rank() == 0)
        fprintf(stderr,
            "kpisim: warning: %s: model_version %d: this scenario was written for the first "
            "model; under model %d a sale takes several meetings and is issued weeks later, "
            "agents are engaged, coasting or dormant, the default cold funnel is 40:30:10:1 "
            "and agents' commissions are costs (docs/changes.md); add 'sales_cycle: ~' and "
            "'engagement: ~' for the first model's working day\n",
            label, sc->model_version, KPI_MODEL_VERSION);
    sc->model_version = KPI_MODEL_VERSION;
}

double cli_workspace_limit(const kpi_memory *need)
{
    double avail = kpi_memory_available(NULL, 0);
    double limit = (avail - need->results) / (need->threads > 0 ? need->threads : 1);
    return limit > need->workspace ? limit : need->workspace;
}

int cli_check_output(const char *dir, kpi_error *err)
{
    int rc = cli_mpi_rank() == 0 ? kpi_output_check(dir, err) : KPI_OK;
    return cli_agreed(rc, err);
}
