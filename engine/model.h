/*
 * model.h - one replication of the team model (private to the library).
 *
 * The numeric core: it takes a resolved scenario, a replication key and a
 * workspace, and fills the monthly KPIs and horizon figures of that
 * replication.  It never prints, reads files or exits.  The mechanisms and
 * their order within a month are in docs/model.md.
 */
#ifndef KPI_MODEL_H
#define KPI_MODEL_H

#include "kpisim.h"

typedef struct kpi_model kpi_model;

/* Creates a workspace for sc (which must outlive it).  Returns KPI_OK or
 * KPI_EINTERNAL (out of memory).  One workspace per thread. */
int kpi_model_create(kpi_model **out, const kpi_scenario *sc, kpi_error *err);

/* What a run's options ask of the workspace (kpi_run_opts): the cancel
 * flag kpi_model_run checks every simulated month (then it returns
 * KPI_ECANCEL), and the bytes its growing arrays may reach (0 = no limit;
 * past it kpi_model_run fails with KPI_EINTERNAL and a message saying the
 * run outgrew the memory the check approved). */
void kpi_model_limits(kpi_model *m, const volatile sig_atomic_t *cancel, double workspace_limit);

/* Frees the workspace; accepts NULL. */
void kpi_model_destroy(kpi_model *m);

/* Simulates one replication with the random streams of key (see rng.h)
 * into monthly[months * KPI_NKPI] and figures[KPI_NFIG].  Returns KPI_OK,
 * KPI_EDATA when the team outgrows KPI_MAX_TEAM, KPI_ECANCEL (the cancel
 * flag of kpi_model_limits) or KPI_EINTERNAL. */
int kpi_model_run(kpi_model *m, uint64_t key, double *monthly, double *figures,
                  kpi_error *err);

/* Appointments still waiting in the agents' backlogs at the end of the last
 * run (neither held nor lost): the term that closes the conservation law
 * appointments = meetings + appointments_lost + pending. */
double kpi_model_pending(const kpi_model *m);

#endif /* KPI_MODEL_H */
