/*
 * test_training.c - every numeric claim of the sources that the training
 * library (scenarios/training/) shows is kept true by the model.
 *
 * Each check runs the claim's scenario file as a trainer would and asserts
 * the figure falls in the range the source states.  The tolerance of each
 * check is written next to it: binomial standard errors for realised
 * funnel ratios, K_SE standard errors of the mean across replications for
 * the figures that the sources give as a band.  Each message says the
 * lesson's verdict as docs/training.md's lesson table does: "reproduced",
 * "readback" (an input read back or an identity) or "not reproduced" (and
 * then the check guards that verdict, so that a model which comes to give
 * the source's figure fails here until the table says so).
 */
#define TEST_NAME "test_training"
#include "harness.h"

#include "kpisim.h"

#include <stdlib.h>
#include <string.h>

#define K_SE 4.5

typedef struct trun {
    kpi_scenario sc;
    kpi_results *res;
} trun;

/* Loads the lesson at path with the nsets "KEY=VALUE" overrides of sets
 * (as `--set` does) and runs it on its own seed and replications. */
/* Runs t's scenario (again, as the caller changed it): its repeat share
 * resolved to a focus when it gives one, its own seed and replications. */
static int rerun(trun *t)
{
    kpi_error err;
    kpi_results_free(t->res);
    t->res = NULL;
    kpi_run_opts o = {t->sc.replications, t->sc.seed, 2, NULL, NULL, NULL, 0};
    if (kpi_scenario_resolve_focus(&t->sc, &o, NULL, &err) != KPI_OK ||
        kpi_run(&t->sc, &o, &t->res, &err) != KPI_OK) {
        printf("FAIL %s: %s\n", t->sc.name, err.msg);
        return -1;
    }
    return 0;
}

static int run_file_sets(const char *path, const char *const *sets, size_t nsets, trun *t)
{
    kpi_error err;
    char buf[2048];
    t->res = NULL;
    if (kpi_scenario_load_sets(&t->sc, path, sets, nsets, &err) != KPI_OK) {
        printf("FAIL %s\n", kpi_error_format(&err, buf, sizeof buf));
        return -1;
    }
    return rerun(t);
}

static int run_file(const char *path, trun *t)
{
    return run_file_sets(path, NULL, 0, t);
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
        ratio_is(all(&t, KPI_CONTACTS), all(&t, KPI_CALLS), 30.0 / 40, "F1 readback: contacts / prospects");
        ratio_is(all(&t, KPI_APPOINTMENTS), all(&t, KPI_CONTACTS), 10.0 / 30,
                 "F1 readback: meetings / contacts");
        ratio_is(all(&t, KPI_CASES), all(&t, KPI_MEETINGS), 1.0 / 10, "F1 readback: sales / meetings");
    }
    release(&t);
    if (run_file("scenarios/training/f2-mature-market.yaml", &t) == 0) {
        ratio_is(all(&t, KPI_CONTACTS), all(&t, KPI_CALLS), 7.0 / 10, "F2 readback: contacts / prospects");
        ratio_is(all(&t, KPI_APPOINTMENTS), all(&t, KPI_CONTACTS), 3.0 / 7,
                 "F2 readback: meetings / contacts");
        ratio_is(all(&t, KPI_CASES), all(&t, KPI_MEETINGS), 1.0 / 3, "F2 readback: sales / meetings");
    }
    release(&t);
    if (run_file("scenarios/training/f3-old-clients.yaml", &t) == 0) {
        CHECK(all(&t, KPI_CALLS_TO_CLIENTS) == all(&t, KPI_CALLS), "F3 readback: every call to a client");
        CHECK(all(&t, KPI_CONTACTS) == all(&t, KPI_CALLS), "F3 readback: 3 of 3 old clients reached");
        ratio_is(all(&t, KPI_APPOINTMENTS), all(&t, KPI_CONTACTS), 2.0 / 3,
                 "F3 readback: meetings / contacts");
        ratio_is(all(&t, KPI_CASES), all(&t, KPI_MEETINGS), 1.0 / 2, "F3 readback: sales / meetings");
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
          "M3 readback: %.4f appointments a day from 10 calls (expected 3)", appts / days);
    double visits = all(&t, KPI_MEETINGS) / days;
    CHECK(visits > 2.7 && visits <= 3.0, "M3 readback: %.3f visits a day, capped at 3", visits);
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
    CHECK(bad == 0, "K1 and K2 readback (identities): hold in every replication (%d do not)", bad);
    release(&t);
}

/* R2, R3 on the default team (clients.focus 0.5, its default, over ten
 * years): the repeat share rises year by year (R2: the longer in the
 * business, the higher) and reaches R3's 70% (docs/training.md).  R2's 40%
 * is not reproduced: a team that starts with a Customer-30 book each is
 * past it from the first year; the check says so. */
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
    CHECK(share[0] < share[2] && share[2] < share[4] && share[4] < share[9],
          "R2 reproduced: the longer in the business, the higher (%.3f %.3f %.3f %.3f)",
          share[0], share[2], share[4], share[9]);
    CHECK(share[0] > 0.4,
          "R2's 40%% not reproduced (the verdict of docs/training.md): year 1 already %.3f",
          share[0]);
    /* R3: "up to 70%": reached within the ten years. */
    CHECK(share[9] >= 0.70, "R3 reproduced: year 10 repeat share %.3f reaches 70%%", share[9]);
    release(&t);
}

/* R4 and C1 on the default team; C3 at the default premium spread and at
 * the spread it takes. */
static void test_book_claims(void)
{
    trun t;
    if (run_file("scenarios/training/r4-second-policy.yaml", &t) == 0)
        fig_in(&t, KPI_FIG_SECOND_POLICY_36M, 0.70, 0.80, "R4 reproduced: second policy within 36 months");
    release(&t);
    /* C1 reproduced, resting on the two cost keys (inputs): 1500 / 75 = 20
     * contacts' worth, divided by the simulated contacts per client-year. */
    if (run_file("scenarios/training/c1-acquisition-retention.yaml", &t) == 0)
        fig_in(&t, KPI_FIG_C1_COST_RATIO, 2, 6, "C1 reproduced (rests on the two cost keys): acquisition / retention cost");
    release(&t);
    /* C3 not reproduced at the default premium.cv 0.8: the top fifth holds
     * about half the premium in force, short of 0.75 by K_SE SE (the
     * verdict of docs/training.md); at cv 5 (what it takes) within
     * [0.75, 0.85]. */
    if (run_file("scenarios/training/c3-top-clients.yaml", &t) == 0)
        fig_in(&t, KPI_FIG_TOP20_PREMIUM_SHARE, 0, 0.75,
               "C3 not reproduced at the default premium spread (top 20%% share below 0.75)");
    release(&t);
    static const char *const cv5[] = {"premium.cv=5"};
    if (run_file_sets("scenarios/training/c3-top-clients.yaml", cv5, 1, &t) == 0)
        fig_in(&t, KPI_FIG_TOP20_PREMIUM_SHARE, 0.75, 0.85,
               "C3 at premium.cv 5: premium share of the top 20%% of clients (about 80%%)");
    release(&t);
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

/* R5 on the default team: one call in eight to the book against none.
 * Serving the book raises the third year's premium (a call to a client with
 * a need converts at 1 in 3, a cold call at 1 in 40: the direction is
 * certain), by K_SE standard errors of the paired yearly premium.  R5's
 * +14% is not reproduced: the gain is far above it (more than +19%, the
 * band the first model's lesson used), which the check states. */
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
    long n = a.res->replications;
    double s = 0, ss = 0, ya = 0;
    for (long r = 0; r < n; r++) {
        double pa = 0, pb = 0;
        for (int m = 24; m < 36; m++) {
            size_t i = ((size_t)r * (size_t)a.res->months + (size_t)m) * KPI_NKPI + KPI_PREMIUM;
            pa += a.res->monthly[i];
            pb += b.res->monthly[i];
        }
        s += pb - pa;
        ss += (pb - pa) * (pb - pa);
        ya += pa;
    }
    double d = s / (double)n, se = sqrt(fmax(ss / (double)n - d * d, 0) / (double)(n - 1));
    ya /= (double)n;
    CHECK(d - K_SE * se > 0, "R5: serving the book raises the third year's premium: %+.4g (se %.3g)",
          d, se);
    CHECK((d - K_SE * se) / ya > 0.19,
          "R5's +14%% not reproduced (the verdict of docs/training.md): the third year %+.3f",
          d / ya);
    release(&a);
    release(&b);
}

/* The paired gain of profit, b over a, relative to a's mean profit, and
 * its standard error (the paired difference's, over a's mean). */
static void profit_gain(const trun *a, const trun *b, double *gain, double *se)
{
    size_t n = (size_t)a->res->replications;
    double *w = malloc(2 * n * sizeof *w);
    kpi_band base;
    kpi_paired pd;
    kpi_band_compute(a->res->figures + KPI_FIG_PROFIT, KPI_NFIG, n, w, &base);
    kpi_paired_compute(a->res->figures + KPI_FIG_PROFIT, KPI_NFIG, b->res->figures + KPI_FIG_PROFIT,
                       KPI_NFIG, n, w, &pd);
    free(w);
    *gain = pd.diff.mean / base.mean;
    *se = pd.diff.sd / sqrt((double)n) / base.mean;
}

/* C2 under the default economics: every lapse and loss rate five points
 * lower raises profit over ten years (fewer lapses: more renewals, fewer
 * chargebacks; the direction is certain), but by less than the source's
 * 25%: not reproduced, which the check states.  What it takes: an agency
 * whose new business pays less (economics.cost_per_agent_month 2500), so
 * that profit rests on renewals; there the gain lies in [25%, 85%] by K_SE
 * standard errors. */
static void test_c2(void)
{
    static const char *const dear[] = {"economics.cost_per_agent_month=2500"};
    for (int k = 0; k < 2; k++) {
        trun a, b;
        a.res = b.res = NULL;
        if (run_file_sets("scenarios/training/c2-churn-default.yaml", dear, (size_t)k, &a) != 0 ||
            run_file_sets("scenarios/training/c2-churn-less.yaml", dear, (size_t)k, &b) != 0) {
            CHECK(0, "C2 runs");
        } else {
            double gain, se;
            profit_gain(&a, &b, &gain, &se);
            if (k == 0) {
                CHECK(gain - K_SE * se > 0, "C2: five points less churn raise profit: %+.3f (se %.3f)",
                      gain, se);
                CHECK(gain + K_SE * se < 0.25,
                      "C2 not reproduced under the default economics (the verdict of "
                      "docs/training.md): %+.3f (se %.3f), below +25%%", gain, se);
            } else {
                CHECK(gain - K_SE * se > 0.25 && gain + K_SE * se < 0.85,
                      "C2 at cost_per_agent_month 2500: profit %+.3f (se %.3f), expected +25%% to "
                      "+85%%", gain, se);
            }
        }
        release(&a);
        release(&b);
    }
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

/* The paired difference b - a of figure f across replications run on the
 * same seed (common random numbers): mean and standard error. */
static void paired(const trun *a, const trun *b, int f, double *mean, double *se)
{
    size_t n = (size_t)a->res->replications;
    double *w = malloc(2 * n * sizeof *w);
    kpi_paired pd;
    kpi_paired_compute(a->res->figures + f, KPI_NFIG, b->res->figures + f, KPI_NFIG, n, w, &pd);
    free(w);
    *mean = pd.diff.mean;
    *se = pd.diff.sd / sqrt((double)n);
}

/* Runs the pair of lesson files a, b and checks that figure f is higher
 * in b by more than K_SE standard errors of the paired difference. */
static void pair_higher(const char *fa, const char *fb, int f, const char *what)
{
    trun a, b;
    a.res = b.res = NULL;
    if (run_file(fa, &a) != 0 || run_file(fb, &b) != 0) {
        CHECK(0, "%s: runs", what);
    } else {
        double d, se;
        paired(&a, &b, f, &d, &se);
        CHECK(d - K_SE * se > 0, "%s: %+.4g (se %.3g)", what, d, se);
    }
    release(&a);
    release(&b);
}

/* F4: the first sale takes long.  A readback of the sales-cycle keys: a
 * cold prospect takes meetings_cold = 3 meetings on average, one every
 * days_between_meetings = 5 working days, and issue_lag_days = 15 more to
 * issue, so a case's lag from first meeting to issue exceeds the issue lag
 * alone and stays below 3 x 5 + 15 (repeat cases take fewer meetings). */
static void test_f4(void)
{
    trun t;
    if (run_file("scenarios/training/f4-first-sale.yaml", &t) != 0) {
        CHECK(0, "F4 run");
        return;
    }
    double m, se;
    fig_mean(&t, KPI_FIG_CYCLE_DAYS_MEAN, &m, &se);
    CHECK(m - K_SE * se > t.sc.sales_cycle.issue_lag_days &&
              m + K_SE * se < 3 * t.sc.sales_cycle.days_between_meetings +
                                  t.sc.sales_cycle.issue_lag_days,
          "F4 readback of the cycle keys: %.2f working days from first meeting to issue (se %.3f)", m, se);
    release(&t);
}

/* R6, R7, M4: each lever against the default, paired. */
static void test_levers(void)
{
    pair_higher("scenarios/training/r6-referrals-off.yaml",
                "scenarios/training/r6-referrals-on.yaml", KPI_FIG_TOTAL_PREMIUM,
                "R6 reproduced: referrals add premium");
    pair_higher("scenarios/training/r6-referrals-off.yaml",
                "scenarios/training/r6-referrals-on.yaml", KPI_FIG_FINAL_CLIENTS,
                "R6 reproduced: referrals add clients");
    pair_higher("scenarios/training/r7-served.yaml", "scenarios/training/r7-unserved.yaml",
                KPI_FIG_CLIENTS_LOST, "R7 reproduced: an unserved book loses clients to others");
    pair_higher("scenarios/training/m4-resolve-lapses.yaml",
                "scenarios/training/m4-resolve-kept.yaml", KPI_FIG_TOTAL_CASES,
                "M4 reproduced in cases: tracking kept by resolve writes more than tracking that lapses");
}

/* K4, K5: each management lever against the default team with none, on
 * common random numbers (scenarios/training/k4-k5-levers/).  Asserted
 * only where the mechanism makes the direction certain, by K_SE standard
 * errors of the paired difference (docs/model.md "Management levers"):
 * the daily meeting moves the engagement chain up, so more agents write a
 * case (activity rate); tracking raises every agent's on-plan days (calls
 * and visit capacity), so the activity rate and cases per active agent
 * rise; coaching raises skill, so cases per active agent rise; twice the
 * recruiting adds agents (recruits do not depend on the team's size) and
 * strict assessment removes them (more exits, the same recruits).  No
 * lever acts on the size of a case (premium.repeat_multiplier 1: every
 * case draws its premium from one law), so premium per case must stay
 * within K_SE standard errors of the baseline's for every lever.  A first-
 * quarter campaign multiplies calls, so total calls rise.  Contests and
 * mood persistence are asserted nothing: the model gives them no
 * measurable effect on the four KPIs (docs/training.md says why). */
#define K5_DIR "scenarios/training/k4-k5-levers/"
static void test_k5_levers(void)
{
    static const char *const levers[] = {"daily-meeting", "tracking", "coaching", "contests",
                                         "recruiting", "campaign", "mood-persistence",
                                         "assessment"};
    enum { NLEVER = sizeof levers / sizeof *levers };
    trun base;
    base.res = NULL;
    if (run_file(K5_DIR "00-no-lever.yaml", &base) != 0) {
        CHECK(0, "K4/K5 baseline run");
        return;
    }
    for (int i = 0; i < NLEVER; i++) {
        char path[256];
        snprintf(path, sizeof path, K5_DIR "%s.yaml", levers[i]);
        trun t;
        t.res = NULL;
        if (run_file(path, &t) != 0) {
            CHECK(0, "K4/K5 %s run", levers[i]);
            continue;
        }
        double d, se;
        paired(&base, &t, KPI_FIG_PREMIUM_PER_CASE, &d, &se);
        CHECK(fabs(d) <= K_SE * se, "K4 not reproduced for premium per case: %s leaves it alone: %+.3g (se %.3g)",
              levers[i], d, se);
        const char *l = levers[i];
        if (strcmp(l, "daily-meeting") == 0 || strcmp(l, "tracking") == 0) {
            paired(&base, &t, KPI_FIG_MEAN_ACTIVITY_RATE, &d, &se);
            CHECK(d - K_SE * se > 0, "K5 reproduced: %s raises the activity rate: %+.4f (se %.3g)", l, d,
                  se);
        }
        if (strcmp(l, "tracking") == 0 || strcmp(l, "coaching") == 0) {
            paired(&base, &t, KPI_FIG_CASES_PER_ACTIVE, &d, &se);
            CHECK(d - K_SE * se > 0, "K4 reproduced: %s raises cases per active agent: %+.4f (se %.3g)", l,
                  d, se);
        }
        if (strcmp(l, "recruiting") == 0 || strcmp(l, "assessment") == 0) {
            paired(&base, &t, KPI_FIG_MEAN_HEADCOUNT, &d, &se);
            int up = strcmp(l, "recruiting") == 0;
            CHECK(up ? d - K_SE * se > 0 : d + K_SE * se < 0,
                  "K4 reproduced: %s %s headcount: %+.3f (se %.3g)", l, up ? "raises" : "lowers", d, se);
        }
        if (strcmp(l, "campaign") == 0) {
            paired(&base, &t, KPI_FIG_TOTAL_CALLS, &d, &se);
            CHECK(d - K_SE * se > 0, "K5: a campaign raises calls (not cases: not reproduced): %+.1f (se %.3g)", d, se);
        }
        release(&t);
    }
    release(&base);
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
    test_f4();
    test_levers();
    test_k5_levers();
    return TEST_DONE();
}
