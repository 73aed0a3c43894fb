/*
 * test_training.c - every numeric claim of the sources that the training
 * library (scenarios/training/) shows is kept true by the model.
 *
 * Each check runs the claim's scenario file as a trainer would and asserts
 * the figure falls in the range the source states.  The tolerance of each
 * check is written next to it: binomial standard errors for realised
 * funnel ratios, K_SE standard errors of the mean across replications for
 * the figures that the sources give as a band.
 */
#define TEST_NAME "test_training"
#include "harness.h"

#include "kpisim.h"

#include <stdlib.h>

#define K_SE 4.5

typedef struct trun {
    kpi_scenario sc;
    kpi_results *res;
} trun;

static int run_file(const char *path, trun *t)
{
    kpi_error err;
    char buf[2048];
    t->res = NULL;
    if (kpi_scenario_load(&t->sc, path, &err) != KPI_OK) {
        printf("FAIL %s\n", kpi_error_format(&err, buf, sizeof buf));
        return -1;
    }
    kpi_run_opts o = {t->sc.replications, t->sc.seed, 2, NULL, NULL, NULL, 0};
    if (kpi_scenario_resolve_focus(&t->sc, &o, NULL, &err) != KPI_OK ||
        kpi_run(&t->sc, &o, &t->res, &err) != KPI_OK) {
        printf("FAIL %s: %s\n", path, err.msg);
        return -1;
    }
    return 0;
}

/* Sum of KPI k over all replications and the months [m0, m1). */
static double sum(const trun *t, int k, int m0, int m1)
{
    double s = 0;
    for (long r = 0; r < t->res->replications; r++)
        for (int m = m0; m < m1; m++)
            s += t->res->monthly[((size_t)r * (size_t)t->res->months + (size_t)m) * KPI_NKPI +
                                 (size_t)k];
    return s;
}

static double all(const trun *t, int k)
{
    return sum(t, k, 0, t->res->months);
}

/* A realised ratio num / den of binomial thinning with probability p. */
static void ratio_is(double num, double den, double p, const char *what)
{
    double se = sqrt(p * (1 - p) / den);
    CHECK(den > 0 && fabs(num / den - p) <= K_SE * se, "%s: %.5f, expected %.5f (se %.2g)", what,
          num / den, p, se);
}

/* Mean of figure f across replications and its standard error. */
static void fig_mean(const trun *t, int f, double *mean, double *se)
{
    double s = 0, ss = 0, n = (double)t->res->replications;
    for (long r = 0; r < t->res->replications; r++) {
        double v = t->res->figures[(size_t)r * KPI_NFIG + (size_t)f];
        s += v;
        ss += v * v;
    }
    *mean = s / n;
    *se = sqrt(fmax(ss / n - *mean * *mean, 0) / (n - 1));
}

/* The mean of figure f lies in [lo, hi] by more than K_SE standard errors. */
static void fig_in(const trun *t, int f, double lo, double hi, const char *what)
{
    double m, se;
    fig_mean(t, f, &m, &se);
    CHECK(m - K_SE * se >= lo && m + K_SE * se <= hi, "%s: %.4f (se %.4f), expected in [%g, %g]",
          what, m, se, lo, hi);
}

static void release(trun *t)
{
    kpi_results_free(t->res);
    t->res = NULL;
}

/* F1, F2, F3: each funnel realised over its lesson. */
static void test_funnels(void)
{
    trun t;
    if (run_file("scenarios/training/f1-emerging-market.yaml", &t) == 0) {
        ratio_is(all(&t, KPI_CONTACTS), all(&t, KPI_CALLS), 30.0 / 40, "F1 contacts / prospects");
        ratio_is(all(&t, KPI_APPOINTMENTS), all(&t, KPI_CONTACTS), 10.0 / 30,
                 "F1 meetings / contacts");
        ratio_is(all(&t, KPI_CASES), all(&t, KPI_MEETINGS), 1.0 / 10, "F1 sales / meetings");
    }
    release(&t);
    if (run_file("scenarios/training/f2-mature-market.yaml", &t) == 0) {
        ratio_is(all(&t, KPI_CONTACTS), all(&t, KPI_CALLS), 7.0 / 10, "F2 contacts / prospects");
        ratio_is(all(&t, KPI_APPOINTMENTS), all(&t, KPI_CONTACTS), 3.0 / 7,
                 "F2 meetings / contacts");
        ratio_is(all(&t, KPI_CASES), all(&t, KPI_MEETINGS), 1.0 / 3, "F2 sales / meetings");
    }
    release(&t);
    if (run_file("scenarios/training/f3-old-clients.yaml", &t) == 0) {
        CHECK(all(&t, KPI_CALLS_TO_CLIENTS) == all(&t, KPI_CALLS), "F3: every call to a client");
        CHECK(all(&t, KPI_CONTACTS) == all(&t, KPI_CALLS), "F3: 3 of 3 old clients reached");
        ratio_is(all(&t, KPI_APPOINTMENTS), all(&t, KPI_CONTACTS), 2.0 / 3,
                 "F3 meetings / contacts");
        ratio_is(all(&t, KPI_CASES), all(&t, KPI_MEETINGS), 1.0 / 2, "F3 sales / meetings");
    }
    release(&t);
}

/* M3: 10 calls a day make 3 visits a day. */
static void test_m3(void)
{
    trun t;
    if (run_file("scenarios/training/m3-ten-calls.yaml", &t) != 0) {
        CHECK(0, "M3 run");
        return;
    }
    double days = all(&t, KPI_HEADCOUNT) * t.sc.working_days;
    /* Appointments a day: Poisson(10 x 0.7 x 3/7 = 3) per agent-day, so the
     * total over `days` agent-days has sd sqrt(3 days). */
    double appts = all(&t, KPI_APPOINTMENTS);
    CHECK(fabs(appts / days - 3) <= K_SE * sqrt(3 * days) / days,
          "M3: %.4f appointments a day from 10 calls (expected 3)", appts / days);
    double visits = all(&t, KPI_MEETINGS) / days;
    CHECK(visits > 2.7 && visits <= 3.0, "M3: %.3f visits a day, capped at 3", visits);
    release(&t);
}

/* K1, K2: the KPI tree holds in every replication. */
static void test_kpi_tree(void)
{
    trun t;
    if (run_file("scenarios/training/k1-k2-kpi-tree.yaml", &t) != 0) {
        CHECK(0, "K1/K2 run");
        return;
    }
    int bad = 0;
    for (long r = 0; r < t.res->replications; r++) {
        const double *v = t.res->monthly + (size_t)r * KPI_NKPI;
        if (fabs(v[KPI_HEADCOUNT] * v[KPI_ACTIVITY_RATE] * v[KPI_CASES_PER_ACTIVE] - v[KPI_CASES]) >
                1e-9 * (1 + v[KPI_CASES]) ||
            fabs(v[KPI_CASES] * v[KPI_PREMIUM_PER_CASE] - v[KPI_PREMIUM]) > 1e-9 * (1 + v[KPI_PREMIUM]))
            bad++;
    }
    CHECK(bad == 0, "K1 and K2 hold in every replication (%d do not)", bad);
    release(&t);
}

/* R2, R3: the repeat share of career agents rises year by year, past 40%
 * and towards 70%. */
static void test_career(void)
{
    trun t;
    if (run_file("scenarios/training/r2-r3-career.yaml", &t) != 0) {
        CHECK(0, "R2/R3 run");
        return;
    }
    double share[10];
    for (int y = 0; y < 10; y++)
        share[y] = sum(&t, KPI_CASES_REPEAT, 12 * y, 12 * y + 12) /
                   sum(&t, KPI_CASES, 12 * y, 12 * y + 12);
    CHECK(share[0] < 0.4 && share[2] > 0.4, "R2: repeat share passes 40%% (year 1 %.3f, year 3 %.3f)",
          share[0], share[2]);
    CHECK(share[0] < share[2] && share[2] < share[4] && share[4] < share[9],
          "R2: the longer in the business, the higher (%.3f %.3f %.3f %.3f)", share[0],
          share[2], share[4], share[9]);
    /* R3: "up to 70%": the tenth year within 5 points of it. */
    CHECK(share[9] > 0.65 && share[9] < 0.75, "R3: year 10 repeat share %.3f near 70%%",
          share[9]);
    release(&t);
}

/* R4 and C1 on the default team over six years; C3 on unequal premiums. */
static void test_book_claims(void)
{
    trun t;
    if (run_file("scenarios/training/r4-second-policy.yaml", &t) == 0)
        fig_in(&t, KPI_FIG_SECOND_POLICY_36M, 0.70, 0.80, "R4: second policy within 36 months");
    release(&t);
    if (run_file("scenarios/training/c1-acquisition-retention.yaml", &t) == 0)
        fig_in(&t, KPI_FIG_C1_COST_RATIO, 2, 6, "C1: acquisition / retention cost");
    release(&t);
    if (run_file("scenarios/training/c3-top-clients.yaml", &t) == 0)
        fig_in(&t, KPI_FIG_TOP20_PREMIUM_SHARE, 0.75, 0.85,
               "C3: premium share of the top 20% of clients (about 80%)");
    release(&t);
}

/* Run t's scenario again, as changed by the caller. */
static int rerun(trun *t)
{
    kpi_error err;
    kpi_results_free(t->res);
    t->res = NULL;
    kpi_run_opts o = {t->sc.replications, t->sc.seed, 2, NULL, NULL, NULL, 0};
    if (kpi_run(&t->sc, &o, &t->res, &err) != KPI_OK) {
        printf("FAIL rerun: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* R1: a client buys life policies 7 to 11 times over a lifetime.  Not
 * reproduced (docs/training.md): over thirty years the first year's
 * clients buy about 6.8, which the check keeps honest (below 7 by K_SE
 * standard errors: a model that comes to reproduce it must say so).  What
 * the mechanism does guarantee: the count grows with the horizon (ten years
 * against thirty, common random numbers), stays within the lifetime cap,
 * and is exactly 1 when clients never get a new need. */
static void test_r1(void)
{
    trun t;
    if (run_file("scenarios/training/r1-lifetime-policies.yaml", &t) != 0) {
        CHECK(0, "R1 run");
        return;
    }
    double m30, se30, m10, se10, m1, se1;
    fig_mean(&t, KPI_FIG_POLICIES_PER_CLIENT_Y1, &m30, &se30);
    printf("test_training: R1: policies per client of year 1 over 30 years %.3f (se %.3f), "
           "source 7-11: not reproduced\n", m30, se30);
    CHECK(m30 + K_SE * se30 < 7, "R1 not reproduced, as docs/training.md says: %.3f (se %.3f)",
          m30, se30);
    CHECK(m30 <= t.sc.clients.max_policies, "R1: within the lifetime cap (%.3f)", m30);
    t.sc.months = 120;
    if (rerun(&t) == 0) {
        fig_mean(&t, KPI_FIG_POLICIES_PER_CLIENT_Y1, &m10, &se10);
        CHECK(m10 + K_SE * hypot(se10, se30) < m30,
              "R1: clients keep buying: %.3f policies after 10 years, %.3f after 30", m10, m30);
    }
    t.sc.clients.need_per_year = 0;
    t.sc.clients.need_per_contact = 0;
    t.sc.clients.matured_need = 0;
    t.sc.months = 36;
    if (rerun(&t) == 0) {
        fig_mean(&t, KPI_FIG_POLICIES_PER_CLIENT_Y1, &m1, &se1);
        CHECK(m1 == 1, "R1: without new needs a client buys once (%.6f)", m1);
    }
    release(&t);
}

/* R5: serving the book's basic needs: by the third year the year's premium
 * is about 14% above the same team's without service.  Both lessons run on
 * the same seed (common random numbers); the ratio of the third year's
 * pooled premiums must lie within 5 points of 14%. */
static void test_r5(void)
{
    trun a, b;
    a.res = b.res = NULL;
    if (run_file("scenarios/training/r5-no-service.yaml", &a) != 0 ||
        run_file("scenarios/training/r5-service.yaml", &b) != 0) {
        CHECK(0, "R5 runs");
        release(&a);
        release(&b);
        return;
    }
    double y3a = sum(&a, KPI_PREMIUM, 24, 36), y3b = sum(&b, KPI_PREMIUM, 24, 36);
    double y1a = sum(&a, KPI_PREMIUM, 0, 12), y1b = sum(&b, KPI_PREMIUM, 0, 12);
    CHECK(fabs(y1b / y1a - 1) < 0.05, "R5: the first year starts level (%+.3f)", y1b / y1a - 1);
    CHECK(y3b / y3a - 1 > 0.09 && y3b / y3a - 1 < 0.19,
          "R5: service makes the third year's premium %+.3f (about +14%%)", y3b / y3a - 1);
    release(&a);
    release(&b);
}

/* C2: five points less churn raise profit by 25-85%.  Both lessons run on
 * the same seed; the ratio of mean profits, with the paired difference's
 * standard error as margin, must lie in the source's range. */
static void test_c2(void)
{
    trun a, b;
    a.res = b.res = NULL;
    if (run_file("scenarios/training/c2-churn-20.yaml", &a) != 0 ||
        run_file("scenarios/training/c2-churn-15.yaml", &b) != 0) {
        CHECK(0, "C2 runs");
        release(&a);
        release(&b);
        return;
    }
    size_t n = (size_t)a.res->replications;
    double *w = malloc(2 * n * sizeof *w);
    kpi_band base;
    kpi_paired pd;
    kpi_band_compute(a.res->figures + KPI_FIG_PROFIT, KPI_NFIG, n, w, &base);
    kpi_paired_compute(a.res->figures + KPI_FIG_PROFIT, KPI_NFIG, b.res->figures + KPI_FIG_PROFIT,
                       KPI_NFIG, n, w, &pd);
    free(w);
    double gain = pd.diff.mean / base.mean, se = pd.diff.sd / sqrt((double)n) / base.mean;
    CHECK(gain - K_SE * se > 0.25 && gain + K_SE * se < 0.85,
          "C2: five points less churn, profit %+.3f (se %.3f), expected +25%% to +85%%", gain, se);
    release(&a);
    release(&b);
}

/* M1/M2: activity-centred management writes more premium, at a higher
 * activity rate and with less volatility around the trend
 * (premium_volatility, docs/model.md "Horizon figures"), than traditional
 * management: outcomes of the levers, paired on common random numbers, K_SE
 * standard errors of the paired difference.  The volatility difference is
 * small against its spread between replications (docs/compare.md), hence
 * the files' 4000 replications. */
static void test_m1_m2(void)
{
    trun a, b;
    a.res = b.res = NULL;
    if (run_file("scenarios/training/m1-traditional.yaml", &a) != 0 ||
        run_file("scenarios/training/m2-activity.yaml", &b) != 0) {
        CHECK(0, "M1/M2 runs");
        release(&a);
        release(&b);
        return;
    }
    size_t n = (size_t)a.res->replications;
    double *w = malloc(2 * n * sizeof *w);
    static const struct {
        int fig, sign;
        const char *what;
    } claim[] = {
        {KPI_FIG_TOTAL_PREMIUM, +1, "M2 writes more premium than M1"},
        {KPI_FIG_MEAN_ACTIVITY_RATE, +1, "M2's activity rate is higher than M1's"},
        {KPI_FIG_PREMIUM_VOLATILITY, -1, "M2's premium is less volatile around its trend than M1's"},
    };
    double rn = sqrt((double)n);
    for (size_t i = 0; w && i < sizeof claim / sizeof claim[0]; i++) {
        kpi_paired p;
        kpi_paired_compute(a.res->figures + claim[i].fig, KPI_NFIG, b.res->figures + claim[i].fig,
                           KPI_NFIG, n, w, &p);
        double se = p.diff.sd / rn;
        printf("test_training: %s: %+.4g (se %.3g, P(higher) %.3f)\n", claim[i].what,
               p.diff.mean, se, p.p_higher);
        CHECK(claim[i].sign * p.diff.mean - K_SE * se > 0, "%s: %+.4g (se %.3g)", claim[i].what,
              p.diff.mean, se);
    }
    CHECK(w != NULL, "M1/M2: memory for the paired differences");
    free(w);
    release(&a);
    release(&b);
}

int main(void)
{
    test_funnels();
    test_m3();
    test_kpi_tree();
    test_career();
    test_book_claims();
    test_r1();
    test_r5();
    test_c2();
    test_m1_m2();
    return TEST_DONE();
}
