/*
 * test_compare.c - comparisons on common random numbers (CRN).
 *
 * - A scenario compared with itself differs by exactly 0, P(higher) = 0.
 * - CRN: two scenarios that differ in one parameter, run on the same seed,
 *   have a paired difference of total premium whose standard deviation is
 *   at most half of what independent streams give (measured and asserted).
 * - The strategy scenarios say what the sources say: activity-centred
 *   management (M2-M4) writes more premium than traditional management
 *   (M1); tracking steadies a moody team's premium around its trend (the
 *   mechanism behind M1's volatility; the strategy pair's own volatility
 *   difference is small and asserted over 4000 replications in
 *   test_training.c); the farmer's repeat share is higher than the
 *   hunter's.  Each claim is asserted on the paired differences with a
 *   margin of K_SE standard errors.
 */
#define TEST_NAME "test_compare"
#include "harness.h"

#include "kpisim.h"
#include "firstmodel.h"

#include <stdlib.h>

#define K_SE 4.5

static kpi_results *run(const kpi_scenario *sc, long n, uint64_t seed)
{
    kpi_results *res = NULL;
    kpi_error err;
    kpi_run_opts o = {n, seed, 2, NULL, NULL, NULL, 0};
    if (kpi_run(sc, &o, &res, &err) != KPI_OK) {
        printf("run failed: %s\n", err.msg);
        return NULL;
    }
    return res;
}

static void test_self(void)
{
    kpi_scenario sc;
    kpi_scenario_defaults(&sc);
    sc.months = 6;
    kpi_results *a = run(&sc, 100, 3), *b = run(&sc, 100, 3);
    if (!a || !b) {
        CHECK(0, "runs failed");
        goto done;
    }
    double work[200];
    int bad = 0;
    for (int f = 0; f < KPI_NFIG; f++) {
        kpi_paired pd;
        kpi_paired_compute(a->figures + f, KPI_NFIG, b->figures + f, KPI_NFIG, 100, work, &pd);
        /* A figure the horizon cannot measure (NaN in every replication)
         * has no difference at all: NaN, an empty cell. */
        int na = isnan(pd.diff.mean) && isnan(pd.p_higher);
        /* Never different: P(higher) does not apply (NaN), not 0. */
        if (!na && (pd.diff.mean != 0 || pd.diff.sd != 0 || pd.diff.p05 != 0 ||
                    pd.diff.p95 != 0 || !isnan(pd.p_higher)))
            bad++;
    }
    CHECK(bad == 0, "a scenario against itself: every difference 0, P(higher) not applicable "
                    "(%d bad)", bad);

    /* P(higher) counts strictly higher replications. */
    {
        double x[4] = {1, 2, 3, 4}, y[4] = {1, 3, 2, 5};
        kpi_paired pd;
        double w[8];
        kpi_paired_compute(x, 1, y, 1, 4, w, &pd);
        CHECK(pd.p_higher == 0.5 && pd.diff.mean == 0.25, "paired: P(higher) %.2f, mean %.2f",
              pd.p_higher, pd.diff.mean);
    }
done:
    kpi_results_free(a);
    kpi_results_free(b);
}

static double sd_of_diff(const kpi_results *a, const kpi_results *b, int f)
{
    size_t n = (size_t)a->replications;
    double *w = malloc(2 * n * sizeof *w);
    kpi_paired pd;
    kpi_paired_compute(a->figures + f, KPI_NFIG, b->figures + f, KPI_NFIG, n, w, &pd);
    free(w);
    return pd.diff.sd;
}

static void test_crn(void)
{
    kpi_scenario a, b;
    kpi_scenario_defaults(&a);
    first_model(&a);
    a.months = 12;
    b = a;
    b.activity.calls_per_day = 11;
    const long n = 400;
    kpi_results *ra = run(&a, n, 11), *rb = run(&b, n, 11), *rb2 = run(&b, n, 12);
    if (!ra || !rb || !rb2) {
        CHECK(0, "runs failed");
        goto done;
    }
    double crn = sd_of_diff(ra, rb, KPI_FIG_TOTAL_PREMIUM);
    double ind = sd_of_diff(ra, rb2, KPI_FIG_TOTAL_PREMIUM);
    printf("test_compare: CRN sd of the paired difference of total premium %.4g, "
           "independent %.4g, ratio %.3f\n", crn, ind, crn / ind);
    CHECK(crn <= 0.5 * ind, "CRN halves the spread of the difference at least: ratio %.3f",
          crn / ind);
    /* The effect itself: 10% more calls, more premium, and CRN shows it
     * in nearly every replication. */
    {
        size_t m = (size_t)n;
        double *w = malloc(2 * m * sizeof *w);
        kpi_paired pd;
        kpi_paired_compute(ra->figures + KPI_FIG_TOTAL_CALLS, KPI_NFIG,
                           rb->figures + KPI_FIG_TOTAL_CALLS, KPI_NFIG, m, w, &pd);
        CHECK(pd.p_higher > 0.95, "11 calls a day make more calls than 10 in %.1f%% of "
              "replications", 100 * pd.p_higher);
        free(w);
    }
done:
    kpi_results_free(ra);
    kpi_results_free(rb);
    kpi_results_free(rb2);
}

static int load(const char *path, kpi_scenario *sc)
{
    kpi_error err;
    if (kpi_scenario_load(sc, path, &err) != KPI_OK) {
        char buf[2048];
        printf("FAIL load %s\n", kpi_error_format(&err, buf, sizeof buf));
        return -1;
    }
    return 0;
}

/* Mean paired difference b - a of figure f and its standard error. */
static void paired(const kpi_results *a, const kpi_results *b, int f, double *mean, double *se)
{
    size_t n = (size_t)a->replications;
    double *w = malloc(2 * n * sizeof *w);
    kpi_paired pd;
    kpi_paired_compute(a->figures + f, KPI_NFIG, b->figures + f, KPI_NFIG, n, w, &pd);
    *mean = pd.diff.mean;
    *se = pd.diff.sd / sqrt((double)n);
    free(w);
}

static void test_strategies(void)
{
    kpi_scenario tr, ac, hu, fa;
    if (load("scenarios/strategies/traditional.yaml", &tr) != 0 ||
        load("scenarios/strategies/activity.yaml", &ac) != 0 ||
        load("scenarios/strategies/hunter.yaml", &hu) != 0 ||
        load("scenarios/strategies/farmer.yaml", &fa) != 0) {
        CHECK(0, "strategy scenarios load");
        return;
    }
    const long n = 200;
    kpi_results *rt = run(&tr, n, 5), *ra = run(&ac, n, 5);
    kpi_results *rh = run(&hu, n, 5), *rf = run(&fa, n, 5);
    if (!rt || !ra || !rh || !rf) {
        CHECK(0, "runs failed");
        goto done;
    }
    double d, se;
    paired(rt, ra, KPI_FIG_TOTAL_PREMIUM, &d, &se);
    CHECK(d - K_SE * se > 0, "M1/M2: activity writes more premium than traditional "
          "(+%.4g, se %.3g)", d, se);
    paired(rh, rf, KPI_FIG_REPEAT_SHARE, &d, &se);
    CHECK(d - K_SE * se > 0, "the farmer's repeat share is higher than the hunter's "
          "(%+.4f, se %.3g)", d, se);
    paired(rh, rf, KPI_FIG_CLIENTS_LOST, &d, &se);
    CHECK(d + K_SE * se < 0, "R7: the farmer loses fewer clients (%+.4g, se %.3g)", d, se);
    /* M1/M3 as a mechanism: the same traditional team, its felt mood acting
     * strongly on engagement, with and without the standard checked every
     * day (tracking renewed every month takes part of the mood's swing out of
     * the calls and the chain): its premium swings less around the trend.
     * The strategy pair's own difference is small at the default elasticity
     * (-0.008, docs/compare.md) and is asserted over 4000 replications in
     * test_training.c, not on this test's replications. */
    kpi_scenario weather = tr, steady;
    weather.engagement.mood_effect = 3;
    steady = weather;
    steady.management.enabled = 1;
    steady.management.tracking = 1;
    steady.management.resolve = 1;
    kpi_results *rw = run(&weather, n, 6), *rs = run(&steady, n, 6);
    if (rw && rs) {
        paired(rw, rs, KPI_FIG_PREMIUM_VOLATILITY, &d, &se);
        printf("test_compare: tracking's effect on a moody team's premium volatility "
               "%+.4f (se %.3g)\n", d, se);
        CHECK(d + K_SE * se < 0, "M3: tracking steadies a moody team's premium "
              "(volatility %+.4f, se %.3g)", d, se);
    } else {
        CHECK(0, "tracking runs failed");
    }
    kpi_results_free(rw);
    kpi_results_free(rs);
done:
    kpi_results_free(rt);
    kpi_results_free(ra);
    kpi_results_free(rh);
    kpi_results_free(rf);
}

int main(void)
{
    test_self();
    test_crn();
    test_strategies();
    return TEST_DONE();
}
