/*
 * test_runner.c - replications across threads: identical bytes for any
 * thread count and any split into ranges, progress and cancellation, and
 * the reported spread matching the spread across seeds.
 */
#define TEST_NAME "test_runner"
#include "harness.h"

#include "kpisim.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

static void small(kpi_scenario *sc)
{
    kpi_scenario_defaults(sc);
    sc->months = 6;
    sc->team.headcount = 8;
    sc->team.recruits_per_month = 1.5;
    sc->team.attrition = 0.05;
    sc->premium.cv = 1.0;
    sc->activity.mood_sd = 0.2;
}

static int same(const kpi_results *a, const kpi_results *b)
{
    size_t nm = (size_t)a->replications * (size_t)a->months * KPI_NKPI;
    size_t nf = (size_t)a->replications * KPI_NFIG;
    return a->replications == b->replications && a->months == b->months &&
           memcmp(a->monthly, b->monthly, nm * sizeof(double)) == 0 &&
           memcmp(a->figures, b->figures, nf * sizeof(double)) == 0;
}

static void test_threads(void)
{
    kpi_scenario sc;
    small(&sc);
    kpi_error err;
    kpi_results *r[4] = {NULL};
    for (int t = 1; t <= 4; t++) {
        kpi_run_opts o = {97, 1234, t, NULL, NULL, NULL, 0};
        CHECK(kpi_run(&sc, &o, &r[t - 1], &err) == KPI_OK, "run with %d threads", t);
    }
    if (!r[0] || !r[1] || !r[2] || !r[3])
        goto done;
    CHECK(same(r[0], r[1]), "1 and 2 threads give the same bytes");
    CHECK(same(r[0], r[2]), "1 and 3 threads give the same bytes");
    CHECK(same(r[0], r[3]), "1 and 4 threads give the same bytes");

    /* Replications 30..59 computed alone equal those of the whole run. */
    {
        kpi_run_opts o = {97, 1234, 2, NULL, NULL, NULL, 0};
        size_t mstride = (size_t)sc.months * KPI_NKPI;
        double *mon = calloc(30 * mstride, sizeof *mon), *fig = calloc(30 * KPI_NFIG, sizeof *fig);
        CHECK(kpi_run_range(&sc, &o, 30, 30, mon, fig, &err) == KPI_OK, "range run");
        CHECK(memcmp(mon, r[0]->monthly + 30 * mstride, 30 * mstride * sizeof *mon) == 0 &&
                  memcmp(fig, r[0]->figures + 30 * KPI_NFIG, 30 * KPI_NFIG * sizeof *fig) == 0,
              "a range of replications equals the same replications of a whole run");
        free(mon);
        free(fig);
    }
done:
    for (int t = 0; t < 4; t++)
        kpi_results_free(r[t]);
}

typedef struct counter {
    long calls, last, total, cancel_at;
    int monotonic;
} counter;

static int count_progress(void *ud, long done, long total)
{
    counter *c = ud;
    c->calls++;
    if (done != c->last + 1)
        c->monotonic = 0;
    c->last = done;
    c->total = total;
    return c->cancel_at > 0 && done >= c->cancel_at;
}

static void test_progress_cancel(void)
{
    kpi_scenario sc;
    small(&sc);
    kpi_error err;
    kpi_results *res = NULL;
    counter c = {0, 0, 0, 0, 1};
    kpi_run_opts o = {50, 1, 2, count_progress, &c, NULL, 0};
    CHECK(kpi_run(&sc, &o, &res, &err) == KPI_OK, "run with progress");
    CHECK(c.calls == 50 && c.last == 50 && c.total == 50 && c.monotonic,
          "progress called once per replication, in order (%ld calls, last %ld)", c.calls, c.last);
    kpi_results_free(res);
    res = NULL;

    counter d = {0, 0, 0, 10, 1};
    kpi_run_opts o2 = {1000, 1, 2, count_progress, &d, NULL, 0};
    int rc = kpi_run(&sc, &o2, &res, &err);
    CHECK(rc == KPI_ECANCEL && res == NULL, "a cancelled run returns KPI_ECANCEL and no results (rc %d)", rc);
    CHECK(d.last < 1000, "cancel stops the run early (%ld done)", d.last);
    kpi_results_free(res);

    /* Bad options. */
    kpi_run_opts o3 = {0, 1, 1, NULL, NULL, NULL, 0};
    CHECK(kpi_run(&sc, &o3, &res, &err) == KPI_EUSAGE, "0 replications is a usage error");
    kpi_scenario bad = sc;
    bad.activity.compliance_sd = 0.6;
    kpi_run_opts o4 = {5, 1, 1, NULL, NULL, NULL, 0};
    CHECK(kpi_run(&bad, &o4, &res, &err) == KPI_EDATA && strcmp(err.key, "activity.compliance_sd") == 0,
          "an inconsistent scenario is refused before running");
}

/* The standard deviation a run reports, divided by sqrt(n), must match the
 * spread of the mean across independent seeds. */
static void test_spread_across_seeds(void)
{
    kpi_scenario sc;
    small(&sc);
    enum { SEEDS = 24, N = 150 };
    double means[SEEDS], sds[SEEDS];
    kpi_error err;
    for (int s = 0; s < SEEDS; s++) {
        kpi_results *res = NULL;
        kpi_run_opts o = {N, 1000 + (uint64_t)s, 2, NULL, NULL, NULL, 0};
        if (kpi_run(&sc, &o, &res, &err) != KPI_OK) {
            CHECK(0, "run failed");
            return;
        }
        double *work = malloc(N * sizeof *work);
        kpi_band b;
        kpi_band_compute(res->figures + KPI_FIG_TOTAL_PREMIUM, KPI_NFIG, N, work, &b);
        means[s] = b.mean;
        sds[s] = b.sd;
        free(work);
        kpi_results_free(res);
    }
    double m = 0, v = 0, se2 = 0;
    for (int s = 0; s < SEEDS; s++)
        m += means[s] / SEEDS;
    for (int s = 0; s < SEEDS; s++) {
        v += (means[s] - m) * (means[s] - m) / (SEEDS - 1);
        se2 += sds[s] * sds[s] / N / SEEDS;
    }
    /* v / se2 ~ chi2(23) / 23 when the reported sd is right: its 0.0005
     * and 0.9995 quantiles are about 0.33 and 2.2. */
    CHECK(v / se2 > 0.33 && v / se2 < 2.2,
          "variance of the mean across seeds / reported se^2 = %.3f", v / se2);
}

/* GSL's error handler is never called on the run path (kpisim.h): with a
 * handler that counts calls in place of GSL's aborting default (and no
 * gsl_set_error_handler_off), runs of several shapes call it no time. */
static int gsl_errors;

static void count_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)gsl_errno;
    gsl_errors++;
}

static void test_no_gsl_handler(void)
{
    gsl_error_handler_t *old = gsl_set_error_handler(&count_gsl_error);
    kpi_scenario sc;
    kpi_run_opts opts = {0};
    kpi_results *res = NULL;
    kpi_error err;
    small(&sc);
    opts.replications = 6;
    opts.seed = 3;
    opts.threads = 2;
    CHECK(kpi_run(&sc, &opts, &res, &err) == KPI_OK, "run with a counting GSL handler");
    kpi_results_free(res);
    res = NULL;
    /* Orphans reassigned, events, a large mean beyond the Poisson table. */
    sc.team.attrition = 0.2;
    sc.activity.calls_per_day = 900;
    sc.assessment.enabled = 1;
    CHECK(kpi_run(&sc, &opts, &res, &err) == KPI_OK, "second run with a counting GSL handler");
    kpi_results_free(res);
    CHECK(gsl_errors == 0, "GSL's error handler was called %d times on the run path", gsl_errors);
    gsl_set_error_handler(old);
}

/* The workspace budget: a run whose book outgrows workspace_limit fails
 * cleanly with KPI_EINTERNAL and says so; without a limit it runs.  And
 * a cancel flag already set stops the run before it starts a month. */
static void test_budget_and_cancel(void)
{
    kpi_scenario sc;
    kpi_run_opts opts = {0};
    kpi_results *res = NULL;
    kpi_error err;
    small(&sc);
    sc.team.headcount = 200;
    sc.months = 120;
    opts.replications = 2;
    opts.seed = 5;
    opts.threads = 2;
    opts.workspace_limit = 2e6;
    CHECK(kpi_run(&sc, &opts, &res, &err) == KPI_EINTERNAL && res == NULL,
          "a run past its workspace budget fails with KPI_EINTERNAL");
    CHECK(strstr(err.msg, "outgrew the memory the memory check approved") != NULL &&
              strstr(err.msg, "1.9 MiB per model workspace") != NULL,
          "the budget message: %s", err.msg);
    opts.workspace_limit = 0;
    sc.months = 12;
    CHECK(kpi_run(&sc, &opts, &res, &err) == KPI_OK, "the same run without a limit");
    kpi_results_free(res);
    res = NULL;

    static volatile sig_atomic_t flag = 1;
    opts.cancel = &flag;
    CHECK(kpi_run(&sc, &opts, &res, &err) == KPI_ECANCEL && res == NULL,
          "a set cancel flag stops the run (KPI_ECANCEL)");
    flag = 0;
    CHECK(kpi_run(&sc, &opts, &res, &err) == KPI_OK, "a clear cancel flag does not");
    kpi_results_free(res);
}

int main(void)
{
    test_no_gsl_handler();
    test_budget_and_cancel();
    test_threads();
    test_progress_cancel();
    test_spread_across_seeds();
    return TEST_DONE();
}
