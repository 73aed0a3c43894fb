/*
 * test_validity.c - the built-in default team against published agency
 * figures (docs/validity.md): over 36 months the mean of each figure, with
 * K_SE of its standard errors on either side, lies in the range the issue
 * sets from the anchors:
 *
 *   monthly activity rate            0.55 - 0.80   (Ping An 0.55, CPIC 0.74)
 *   cases per active agent a month   1.5 - 4.5
 *   recruits kept 13 months          0.35 - 0.75   (Korea 0.42, Canada 0.85)
 *   13-month persistency             0.75 - 0.92   (Korea 0.875, US ~0.90)
 *   profit after commissions         > 0, margin well under 0.45
 *
 * These are emergent figures: none of them is a key of the scenario.
 */
#define TEST_NAME "test_validity"
#include "harness.h"

#include "kpisim.h"

#include <stdlib.h>

#define K_SE 4.5

static void mean_se(const kpi_results *res, int f, double *mean, double *se)
{
    double s = 0, ss = 0;
    long n = 0;
    for (long r = 0; r < res->replications; r++) {
        double v = res->figures[(size_t)r * KPI_NFIG + (size_t)f];
        if (isnan(v))
            continue;
        s += v;
        ss += v * v;
        n++;
    }
    *mean = n ? s / (double)n : NAN;
    *se = n > 1 ? sqrt(fmax(ss / (double)n - *mean * *mean, 0) / (double)(n - 1)) : NAN;
}

static void in_range(const kpi_results *res, int f, double lo, double hi, const char *what)
{
    double m, se;
    mean_se(res, f, &m, &se);
    printf("test_validity: %-34s %.4f (se %.4f), range [%g, %g]\n", what, m, se, lo, hi);
    CHECK(m - K_SE * se >= lo && m + K_SE * se <= hi, "%s: %.4f (se %.4f), expected in [%g, %g]",
          what, m, se, lo, hi);
}

int main(void)
{
    kpi_scenario sc;
    kpi_error err;
    size_t len;
    const char *text = kpi_default_scenario_text(&len);
    if (kpi_scenario_load_string(&sc, text, len, "default", &err) != KPI_OK) {
        CHECK(0, "the default scenario loads: %s", err.msg);
        return TEST_DONE();
    }
    sc.months = 36;
    kpi_run_opts o = {200, sc.seed, 2, NULL, NULL, NULL, 0};
    kpi_results *res = NULL;
    if (kpi_run(&sc, &o, &res, &err) != KPI_OK) {
        CHECK(0, "the default team runs: %s", err.msg);
        return TEST_DONE();
    }
    in_range(res, KPI_FIG_MEAN_ACTIVITY_RATE, 0.55, 0.80, "mean activity rate");
    in_range(res, KPI_FIG_CASES_PER_ACTIVE, 1.5, 4.5, "cases per active agent");
    in_range(res, KPI_FIG_RECRUIT_RETENTION_13M, 0.35, 0.75, "recruits kept 13 months");
    in_range(res, KPI_FIG_PERSISTENCY_13M, 0.75, 0.92, "13-month persistency");
    /* Profit: positive in the mean, and a margin of income well under 45%. */
    double p, pse, inc, ise;
    mean_se(res, KPI_FIG_PROFIT, &p, &pse);
    mean_se(res, KPI_FIG_TOTAL_INCOME, &inc, &ise);
    printf("test_validity: profit %.0f (se %.0f), margin %.3f\n", p, pse, p / inc);
    CHECK(p - K_SE * pse > 0, "profit after commissions positive: %.0f (se %.0f)", p, pse);
    CHECK(p / inc < 0.45, "profit margin %.3f well under 0.45", p / inc);
    /* And the first model's flaw is gone: months without a case happen. */
    double zero = 0, heads = 0;
    for (long r = 0; r < res->replications; r++)
        for (int m = 0; m < res->months; m++) {
            const double *v = res->monthly + ((size_t)r * (size_t)res->months + (size_t)m) * KPI_NKPI;
            zero += v[KPI_AGENTS_0_CASES];
            heads += v[KPI_HEADCOUNT];
        }
    CHECK(zero / heads > 0.2, "agent-months without a case: %.3f of all", zero / heads);
    kpi_results_free(res);
    return TEST_DONE();
}
