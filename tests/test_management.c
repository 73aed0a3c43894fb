/*
 * test_management.c - the manager's levers (docs/model.md "Management
 * levers") against first principles.
 *
 *  - without levers (no block, management: ~, management: {}) a run is
 *    the same bytes as the law without the block;
 *  - each lever's measured effect equals its closed form within K_SE
 *    standard errors (tracking's odds multiplier, its decay without
 *    resolve, the daily meeting's chain, coaching, recruiting, campaigns),
 *    and the AR(1) atmosphere has its lag-1 autocorrelation and its
 *    stationary standard deviation;
 *  - scheduled contests are exactly the contest events they stand for;
 *  - the strategy files set none of the keys a strategy may not set.
 * Seeds are fixed, so every check is deterministic.
 */
#define TEST_NAME "test_management"
#include "harness.h"

#include "draw.h"
#include "engagement.h"
#include "management.h"
#include "simkit.h"

#include <stdio.h>
#include <string.h>

/* The plain team with the management block on and no lever. */
static void plain_managed(kpi_scenario *sc)
{
    plain(sc);
    sc->management.enabled = 1;
}

static double on_plan_calls(double c)
{
    return 10 * (c + (1 - c) * 0.3);   /* plain(): 10 calls, off-plan effort 0.3 */
}

static int run_rows(const kpi_scenario *sc, long R, uint64_t seed, double **mon)
{
    run x;
    if (simulate(sc, R, seed, &x) != 0)
        return -1;
    *mon = x.mon;
    free(x.fig);
    free(x.pending);
    return 0;
}

static void test_no_levers_same_bytes(void)
{
    static const char *const texts[] = {
        "months: 12\nassessment: {}\n",
        "months: 12\nassessment: {}\nmanagement: ~\n",
        "months: 12\nassessment: {}\nmanagement: {}\n",
        "months: 12\nassessment: {}\nmanagement: {tracking: 0, daily_meeting: 0, coaching: 0}\n",
    };
    double *ref = NULL;
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        kpi_scenario sc;
        kpi_error err;
        int rc = kpi_scenario_load_string(&sc, texts[t], strlen(texts[t]), "test", &err);
        CHECK(rc == KPI_OK, "scenario %zu loads: %s", t, rc == KPI_OK ? "" : err.msg);
        if (rc != KPI_OK)
            continue;
        double *mon;
        if (run_rows(&sc, 40, 5, &mon) != 0) {
            CHECK(0, "simulation failed");
            continue;
        }
        if (!ref)
            ref = mon;
        else {
            CHECK(memcmp(ref, mon, (size_t)40 * 12 * KPI_NKPI * sizeof *mon) == 0,
                  "no levers (%s) gives the same bytes as no management block", texts[t]);
            free(mon);
        }
    }
    free(ref);
}

static void test_tracking_odds(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.management.tracking = 1;
    sc.management.resolve = 1;
    run x;
    if (simulate(&sc, 2000, 31, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double k = sc.management.tracking_odds, c = 0.8, ct = c * k / (1 - c + c * k);
    CHECK_NEAR(kpi_mgmt_compliance(c, k), ct, 1e-15, "the odds law");
    check_mean(&x, KPI_CALLS, 0, 6, 6 * 10 * 22 * on_plan_calls(ct),
               "tracking, resolve 1: calls = the on-plan share from the odds multiplier");
    release(&x);
}

static void test_tracking_decay(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.months = 8;
    sc.management.tracking = 1;
    sc.management.resolve = 0;
    sc.management.tracking_decay = 0.3;
    run x;
    if (simulate(&sc, 2000, 32, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    for (int mo = 0; mo < sc.months; mo++) {
        double s = pow(1 - 0.3, mo), k = pow(sc.management.tracking_odds, s);
        double ct = kpi_mgmt_compliance(0.8, k);
        char what[96];
        snprintf(what, sizeof what, "resolve 0: month %d calls at strength 0.7^%d", mo + 1, mo);
        check_mean(&x, KPI_CALLS, mo, mo + 1, 10 * 22 * on_plan_calls(ct), what);
    }
    release(&x);

    /* Resolve 0.5: the strength renews in half the months; the mean calls
     * of month 2 are the mixture of renewed and decayed. */
    sc.management.resolve = 0.5;
    if (simulate(&sc, 4000, 33, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double c1 = kpi_mgmt_compliance(0.8, sc.management.tracking_odds);
    double c2 = kpi_mgmt_compliance(0.8, pow(sc.management.tracking_odds, 0.7));
    check_mean(&x, KPI_CALLS, 1, 2, 10 * 22 * (0.5 * on_plan_calls(c1) + 0.5 * on_plan_calls(c2)),
               "resolve 0.5: month 2 calls, renewed or decayed with equal chance");
    release(&x);
}

/* Tracking takes tracking_mood x strength of the swing out of the calls:
 * the calls' month-to-month sd shrinks by (1 - tracking_mood). */
static void test_tracking_mood(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.months = 1;
    sc.team.headcount = 100;
    sc.activity.mood_sd = 0.3;
    sc.management.tracking = 1;
    sc.management.tracking_odds = 1;
    run x;
    if (simulate(&sc, 3000, 34, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double mu = 100 * 22 * on_plan_calls(0.8), s2 = 0, s4 = 0;
    for (long r = 0; r < x.R; r++) {
        double d = x.mon[(size_t)r * KPI_NKPI + KPI_CALLS] - mu;
        s2 += d * d;
        s4 += d * d * d * d;
    }
    double n = (double)x.R, var = s2 / n, se = sqrt((s4 / n - var * var) / n);
    /* Calls given the month's felt mood f have mean mu f and, per
     * agent-day, the variance of a mixture of Poisson(10 f) and
     * Poisson(3 f) with weights 0.8, 0.2; f = 1 + 0.5 (mood - 1) has
     * variance 0.25 x 0.3^2. */
    double vf = 0.25 * 0.09, ad = 100 * 22;
    double within = ad * (on_plan_calls(0.8) + 0.8 * 0.2 * 49 * (1 + vf));
    double expect = mu * mu * vf + within;
    CHECK(fabs(var - expect) <= K_SE * se,
          "tracking_mood 0.5: variance of calls %.5g, expected %.5g (se %.3g)", var, expect, se);
    check_mean(&x, KPI_CALLS, 0, 1, mu, "tracking keeps the mean calls");
    release(&x);
}

static void test_ar1_mood(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.months = 12;
    sc.team.headcount = 200;
    sc.activity.mood_sd = 0.3;
    sc.management.mood_persistence = 0.6;
    run x;
    if (simulate(&sc, 1000, 35, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    const int M = x.M;
    double zeta, sigma;
    kpi_lognormal_params(1.0, 0.3, &zeta, &sigma);
    double base = 200 * 22 * on_plan_calls(0.8);
    /* x = log(calls / base) - zeta is the log mood's deviation, up to the
     * Poisson noise (relative variance 1 / 38000, negligible). */
    double sxy = 0, sxx = 0, syy = 0, n = 0, s12 = 0, ss12 = 0;
    for (long r = 0; r < x.R; r++) {
        for (int mo = 0; mo + 1 < M; mo++) {
            double a = log(AT(x.mon, r, mo, KPI_CALLS) / base) - zeta;
            double b = log(AT(x.mon, r, mo + 1, KPI_CALLS) / base) - zeta;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
            n++;
        }
        double v = log(AT(x.mon, r, M - 1, KPI_CALLS) / base) - zeta;
        s12 += v;
        ss12 += v * v;
    }
    double rho = sxy / sqrt(sxx * syy);
    /* The pairs are dependent within a replication: the se of the pooled
     * estimate from R independent series of 11 pairs, (1 - rho^2) / sqrt(n)
     * inflated by sqrt((1 + rho^2) / (1 - rho^2)) (Bartlett). */
    double se_rho = (1 - 0.36) / sqrt(n) * sqrt((1 + 0.36) / (1 - 0.36));
    CHECK(fabs(rho - 0.6) <= K_SE * se_rho, "AR(1) mood: lag-1 autocorrelation %.4f, expected 0.6 (se %.3g)",
          rho, se_rho);
    double R = (double)x.R, sd = sqrt((ss12 - s12 * s12 / R) / (R - 1));
    CHECK(fabs(sd - sigma) <= K_SE * sigma / sqrt(2 * (R - 1)),
          "AR(1) mood: sd of log mood in month 12 %.4f, stationary %.4f", sd, sigma);
    CHECK(fabs(s12 / R) <= K_SE * sigma / sqrt(R), "AR(1) mood: mean of log mood in month 12 is zeta");
    release(&x);

    /* Persistence 0 is today's law: the same bytes as no lever. */
    sc.months = 4;
    sc.team.headcount = 10;
    double *a, *b;
    sc.management.mood_persistence = 0;
    if (run_rows(&sc, 50, 36, &a) != 0)
        return;
    sc.management.enabled = 0;
    if (run_rows(&sc, 50, 36, &b) != 0)
        return;
    CHECK(memcmp(a, b, (size_t)50 * 4 * KPI_NKPI * sizeof *a) == 0,
          "mood_persistence 0 gives the bytes of the independent months");
    free(a);
    free(b);
}

static void test_daily_meeting(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.months = 6;
    sc.team.headcount = 400;
    sc.engagement.enabled = 1;
    sc.engagement.no_case_factor = sc.engagement.case_factor = sc.engagement.new_agent_factor = 1;
    sc.management.daily_meeting = 1;
    /* The chain with the meeting's multipliers; the team starts in its
     * stationary mix, so every month's mean mix is that mix. */
    kpi_engagement_params p;
    memset(&p, 0, sizeof p);
    p.move[KPI_ENGAGED][KPI_COASTING] = sc.engagement.engaged_to_coasting;
    p.move[KPI_ENGAGED][KPI_DORMANT] = sc.engagement.engaged_to_dormant;
    p.move[KPI_COASTING][KPI_ENGAGED] = sc.engagement.coasting_to_engaged;
    p.move[KPI_COASTING][KPI_DORMANT] = sc.engagement.coasting_to_dormant;
    p.move[KPI_DORMANT][KPI_ENGAGED] = sc.engagement.dormant_to_engaged;
    p.move[KPI_DORMANT][KPI_COASTING] = sc.engagement.dormant_to_coasting;
    p.no_case_factor = p.case_factor = p.new_agent_factor = 1;
    double P[KPI_NSTATES][KPI_NSTATES], pi[KPI_NSTATES], pi0[KPI_NSTATES];
    kpi_engagement_matrix(&p, sc.management.meeting_down, sc.management.meeting_up, 1, 0, P);
    CHECK(kpi_engagement_stationary(P, pi) == 0, "the meeting's chain has a stationary law");
    kpi_engagement_matrix(&p, 1, 1, 1, 0, P);
    kpi_engagement_stationary(P, pi0);
    CHECK(pi[KPI_ENGAGED] > pi0[KPI_ENGAGED] + 0.05,
          "the daily meeting raises the engaged share (%.3f against %.3f)", pi[KPI_ENGAGED],
          pi0[KPI_ENGAGED]);
    sc.engagement.initial_coasting = pi[KPI_COASTING];
    sc.engagement.initial_dormant = pi[KPI_DORMANT];
    run x;
    if (simulate(&sc, 400, 37, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_mean(&x, KPI_ENGAGED_AGENTS, 5, 6, 400 * pi[KPI_ENGAGED],
               "daily meeting: engaged agents in month 6 = the chain's stationary share");
    check_mean(&x, KPI_DORMANT_AGENTS, 5, 6, 400 * pi[KPI_DORMANT],
               "daily meeting: dormant agents in month 6 = the chain's stationary share");
    release(&x);
}

/* The atmosphere moves the engagement chain (docs/model.md "Engagement"):
 * from an all-engaged team, the share coasting after month 1 is
 * p_ec E[mood^-e], and for a lognormal mood of mean 1 and sd s,
 * E[mood^a] = exp(a (a - 1) sigma^2 / 2) with sigma^2 = ln(1 + s^2).
 * With mood_effect 0 the share is p_ec itself. */
static void test_mood_engagement(void)
{
    const double effects[] = {0, 1.5};
    for (int t = 0; t < 2; t++) {
        kpi_scenario sc;
        plain(&sc);
        sc.months = 2;
        sc.team.headcount = 400;
        sc.activity.mood_sd = 0.3;
        sc.engagement.enabled = 1;
        sc.engagement.no_case_factor = sc.engagement.case_factor = 1;
        sc.engagement.new_agent_factor = 1;
        sc.engagement.initial_coasting = sc.engagement.initial_dormant = 0;
        sc.engagement.mood_effect = effects[t];
        double e = effects[t], s2 = log(1 + 0.3 * 0.3);
        double f = exp(e * (e + 1) * s2 / 2);   /* E[mood^-e] */
        run x;
        if (simulate(&sc, 1000, 91, &x) != 0) {
            CHECK(0, "simulation failed");
            return;
        }
        char what[160];
        snprintf(what, sizeof what, "mood_effect %g: coasting agents in month 2 = 400 p_ec E[mood^-e]",
                 e);
        check_mean(&x, KPI_COASTING_AGENTS, 1, 2, 400 * sc.engagement.engaged_to_coasting * f, what);
        snprintf(what, sizeof what, "mood_effect %g: dormant agents in month 2 = 400 p_ed E[mood^-e]",
                 e);
        check_mean(&x, KPI_DORMANT_AGENTS, 1, 2, 400 * sc.engagement.engaged_to_dormant * f, what);
        release(&x);
    }
}

static void test_coaching(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.months = 6;
    sc.management.coaching = 1;
    run x;
    if (simulate(&sc, 2000, 38, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    const int M = x.M;
    for (int mo = 0; mo < M; mo += 5) {
        double c = 0, h = 0;
        for (long r = 0; r < x.R; r++) {
            c += AT(x.mon, r, mo, KPI_CASES);
            h += AT(x.mon, r, mo, KPI_MEETINGS);
        }
        double p = 1.0 / 3 * (1 + sc.management.coaching_gain * (1 - pow(0.8, mo)));
        char what[80];
        snprintf(what, sizeof what, "coaching: cases / meetings in month %d", mo + 1);
        check_ratio(c, h, p, what);
    }
    release(&x);
}

static void test_recruiting_and_campaign(void)
{
    kpi_scenario sc;
    plain_managed(&sc);
    sc.team.recruits_per_month = 2;
    sc.management.recruiting_effort = 1.5;
    run x;
    if (simulate(&sc, 2000, 39, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_mean(&x, KPI_RECRUITS, 0, 6, 6 * 2 * 1.5, "recruiting effort 1.5: recruits x 1.5");
    release(&x);

    plain_managed(&sc);
    sc.months = 2;
    sc.start_month = 12;
    sc.management.campaign_months[0] = 1;    /* January: month 2 */
    if (simulate(&sc, 2000, 40, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double plan = 10 * 22 * on_plan_calls(0.8);
    check_mean(&x, KPI_CALLS, 0, 1, plan, "campaign: December as usual");
    check_mean(&x, KPI_CALLS, 1, 2, plan * sc.management.campaign_effort,
               "campaign: January's calls x campaign_effort");
    release(&x);
}

static void test_contests(void)
{
    kpi_scenario a, b;
    plain_managed(&a);
    a.months = 12;
    a.activity.mood_sd = 0.2;
    a.management.contests_per_year = 4;
    b = a;
    b.management.contests_per_year = 0;
    b.nevents = 4;
    for (int i = 0; i < 4; i++) {
        kpi_event_defaults(&b.events[i], KPI_EVENT_CONTEST);
        b.events[i].month = 1 + 3 * i;
    }
    for (int mo = 0; mo < 12; mo++)
        CHECK(kpi_mgmt_contest(&a, mo) == (mo % 3 == 0), "4 contests a year: month %d", mo + 1);
    double *ma, *mb;
    if (run_rows(&a, 100, 41, &ma) != 0 || run_rows(&b, 100, 41, &mb) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(memcmp(ma, mb, (size_t)100 * 12 * KPI_NKPI * sizeof *ma) == 0,
          "contests_per_year 4 = contest events with the defaults in January, April, July, October");
    free(ma);
    free(mb);
}

/* A strategy may say how the team is managed, not how it behaves. */
static void test_strategy_files(void)
{
    static const char *const files[] = {"traditional", "activity", "hunter", "farmer"};
    static const char *const forbidden[] = {"compliance", "compliance_sd", "mood_sd"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[128];
        snprintf(path, sizeof path, "scenarios/strategies/%s.yaml", files[i]);
        kpi_scenario sc, base;
        kpi_error err;
        int rc = kpi_scenario_load(&sc, path, &err);
        CHECK(rc == KPI_OK, "%s loads", path);
        rc = kpi_scenario_load(&base, "scenarios/strategies/base.yaml", &err);
        CHECK(rc == KPI_OK, "base.yaml loads");
        CHECK(sc.activity.compliance == base.activity.compliance &&
                  sc.activity.compliance_sd == base.activity.compliance_sd &&
                  sc.activity.mood_sd == base.activity.mood_sd,
              "%s keeps base.yaml's compliance, compliance_sd and mood_sd", path);
        FILE *f = fopen(path, "r");
        CHECK(f != NULL, "%s opens", path);
        if (!f)
            continue;
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            const char *p = line + strspn(line, " \t");
            for (size_t k = 0; k < sizeof forbidden / sizeof *forbidden; k++) {
                size_t n = strlen(forbidden[k]);
                CHECK(!(strncmp(p, forbidden[k], n) == 0 && p[n] == ':') &&
                          !strstr(line, "activity.compliance") && !strstr(line, "activity.mood_sd"),
                      "%s sets %s: %s", path, forbidden[k], line);
            }
        }
        fclose(f);
    }
}

int main(void)
{
    test_no_levers_same_bytes();
    test_tracking_odds();
    test_tracking_decay();
    test_tracking_mood();
    test_ar1_mood();
    test_daily_meeting();
    test_mood_engagement();
    test_coaching();
    test_recruiting_and_campaign();
    test_contests();
    test_strategy_files();
    return TEST_DONE();
}
