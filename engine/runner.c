/*
 * runner.c - replications across threads.
 *
 * Replication r of a run uses the random streams of kpi_rng_key(seed, r)
 * and writes only its own slice of the output arrays, so the results are
 * the same bytes whatever the number of threads and whatever order the
 * threads pick replications in.  Threads take replications one at a time
 * from a shared counter (dynamic balancing: replications differ in cost
 * when the team grows or shrinks).
 */
#include "kpisim.h"

#include "error.h"
#include "model.h"
#include "rng.h"
#include "scenario.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    const kpi_scenario *sc;
    const kpi_run_opts *opts;
    long first, count;
    double *monthly, *figures;
    size_t mstride;             /* doubles per replication in monthly */

    atomic_long next;           /* next replication to take (0-based in range) */
    atomic_int stop;
    pthread_mutex_t lock;       /* guards everything below */
    long done;
    int status;
    long failed_rep;            /* the lowest failing replication */
    kpi_error err;
} job;

static void record_failure(job *j, long r, int status, const kpi_error *e)
{
    pthread_mutex_lock(&j->lock);
    /* Keep the error of the lowest replication so that the message does not
     * depend on thread timing; a cancel never hides a real error. */
    if (j->status == KPI_OK || j->status == KPI_ECANCEL ||
        (status != KPI_ECANCEL && r < j->failed_rep)) {
        j->status = status;
        j->failed_rep = r;
        j->err = *e;
    }
    pthread_mutex_unlock(&j->lock);
    atomic_store(&j->stop, 1);
}

static void *worker(void *arg)
{
    job *j = arg;
    kpi_model *m = NULL;
    kpi_error e;
    int rc = kpi_model_create(&m, j->sc, &e);
    if (rc != KPI_OK) {
        record_failure(j, -1, rc, &e);
        return NULL;
    }
    kpi_model_limits(m, j->opts->cancel, j->opts->workspace_limit);
    for (;;) {
        if (atomic_load(&j->stop))
            break;
        if (j->opts->cancel && *j->opts->cancel) {
            kpi_error_set(&e, KPI_ECANCEL, NULL, "cancelled");
            record_failure(j, j->count, KPI_ECANCEL, &e);
            break;
        }
        long r = atomic_fetch_add(&j->next, 1);
        if (r >= j->count)
            break;
        uint64_t key = kpi_rng_key(j->opts->seed, (uint64_t)(j->first + r));
        rc = kpi_model_run(m, key, j->monthly + (size_t)r * j->mstride,
                           j->figures + (size_t)r * KPI_NFIG, &e);
        if (rc != KPI_OK) {
            record_failure(j, r, rc, &e);
            break;
        }
        if (j->opts->progress) {
            pthread_mutex_lock(&j->lock);
            long done = ++j->done;
            int cancel = j->opts->progress(j->opts->userdata, done, j->count);
            pthread_mutex_unlock(&j->lock);
            if (cancel) {
                kpi_error_set(&e, KPI_ECANCEL, NULL, "cancelled");
                record_failure(j, r, KPI_ECANCEL, &e);
                break;
            }
        }
    }
    kpi_model_destroy(m);
    return NULL;
}

int kpi_run_range(const kpi_scenario *sc, const kpi_run_opts *opts, long first, long count,
                  double *monthly, double *figures, kpi_error *err)
{
    if (count < 0 || first < 0 || opts->threads < 1)
        return kpi_error_set(err, KPI_EUSAGE, NULL, "bad replication range or thread count");
    int rc = kpi_scenario_check(sc, err);
    if (rc != KPI_OK)
        return rc;
    if (sc->clients.repeat_share >= 0)
        return kpi_error_set(err, KPI_EUSAGE, NULL, "clients.repeat_share is given: find the client focus with "
                                "kpi_scenario_resolve_focus before running");
    if (count == 0)
        return KPI_OK;

    job j;
    memset(&j, 0, sizeof j);
    j.sc = sc;
    j.opts = opts;
    j.first = first;
    j.count = count;
    j.monthly = monthly;
    j.figures = figures;
    j.mstride = (size_t)sc->months * KPI_NKPI;
    j.status = KPI_OK;
    j.failed_rep = count;
    atomic_init(&j.next, 0);
    atomic_init(&j.stop, 0);
    if (pthread_mutex_init(&j.lock, NULL) != 0)
        return kpi_error_set(err, KPI_EUSAGE, NULL, "cannot create a mutex");

    long nthreads = opts->threads < count ? opts->threads : count;
    pthread_t *tid = NULL;
    long started = 0;
    if (nthreads > 1) {
        tid = calloc((size_t)nthreads - 1, sizeof *tid);
        if (tid)
            for (; started < nthreads - 1; started++)
                if (pthread_create(&tid[started], NULL, worker, &j) != 0)
                    break;   /* run with the threads we got */
    }
    worker(&j);
    for (long t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&j.lock);

    if (j.status != KPI_OK && err)
        *err = j.err;
    return j.status;
}

int kpi_run(const kpi_scenario *sc, const kpi_run_opts *opts, kpi_results **out,
            kpi_error *err)
{
    *out = NULL;
    if (opts->replications < 1 || opts->replications > KPI_MAX_REPLICATIONS)
        return kpi_error_set(err, KPI_EUSAGE, NULL,
                             "the number of replications must be in [1, 10000000]");
    kpi_results *res = kpi_results_create(sc->months, opts->replications);
    if (!res)
        return kpi_error_oom(err, "for the results of the run");
    int rc = kpi_run_range(sc, opts, 0, opts->replications, res->monthly, res->figures, err);
    if (rc != KPI_OK) {
        kpi_results_free(res);
        return rc;
    }
    *out = res;
    return KPI_OK;
}
