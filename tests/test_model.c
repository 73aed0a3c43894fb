/*
 * test_model.c - the activity core against first principles.
 *
 * Three kinds of checks (STYLE.md "Tests"):
 *  - identities that hold exactly in every replication and month: K1, K2,
 *    the conservation of appointments, the visit cap;
 *  - means across replications within K_SE standard errors of the closed
 *    form, on scenarios where the visit cap does not bind; the standard
 *    error is the sample standard deviation over sqrt(replications);
 *  - switches: a mechanism turned off (or pushed to an extreme) has the
 *    effect it must have.
 * Seeds are fixed, so every check is deterministic.
 */
#define TEST_NAME "test_model"
#include "harness.h"

#include "simkit.h"

static void test_closed_forms(void)
{
    kpi_scenario sc;
    plain(&sc);
    run x;
    if (simulate(&sc, 2000, 11, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    const double H = 10, D = 22, c = 0.8, off = 0.3, cpd = 10;
    double calls = H * D * cpd * (c + (1 - c) * off);
    double appts = calls * 0.7 * (3.0 / 7.0);
    check_mean(&x, KPI_CALLS, 0, 1, calls, "calls in month 1");
    check_mean(&x, KPI_CALLS, 0, 6, 6 * calls, "calls over 6 months");
    check_mean(&x, KPI_CONTACTS, 0, 6, 6 * calls * 0.7, "contacts over 6 months");
    check_mean(&x, KPI_APPOINTMENTS, 0, 6, 6 * appts, "appointments over 6 months");
    /* The cap never binds, so each appointment is held the next working
     * day: month 1 holds those of its first D - 1 days, later months hold
     * a full month's worth. */
    check_mean(&x, KPI_MEETINGS, 0, 1, appts * (D - 1) / D, "meetings in month 1");
    check_mean(&x, KPI_MEETINGS, 1, 6, 5 * appts, "meetings in months 2-6");
    check_mean(&x, KPI_CASES, 1, 6, 5 * appts / 3, "cases in months 2-6");
    check_mean(&x, KPI_APPOINTMENTS_LOST, 0, 6, 0, "no appointment lost when the cap never binds");
    /* cv = 0: every case is worth exactly premium.mean. */
    check_mean(&x, KPI_PREMIUM, 1, 6, 5 * appts / 3 * sc.premium.mean, "premium in months 2-6");
    CHECK_NEAR(total(&x, KPI_PREMIUM), total(&x, KPI_CASES) * sc.premium.mean,
               1e-6 * total(&x, KPI_PREMIUM), "cv 0: premium = cases x mean exactly");

    /* The realised funnel equals the scenario's 10:7:3:1. */
    check_ratio(total(&x, KPI_CONTACTS), total(&x, KPI_CALLS), 0.7, "contacts / calls");
    check_ratio(total(&x, KPI_APPOINTMENTS), total(&x, KPI_CONTACTS), 3.0 / 7.0,
                "appointments / contacts");
    check_ratio(total(&x, KPI_CASES), total(&x, KPI_MEETINGS), 1.0 / 3.0, "cases / meetings");
    check_identities(&x, "plain team");

    /* Focus 0 and no referrals: all cases are cold, nothing is called in
     * the book. */
    CHECK(total(&x, KPI_CASES_COLD) == total(&x, KPI_CASES), "all cases are cold without a book");
    CHECK(total(&x, KPI_CALLS_TO_CLIENTS) == 0 && total(&x, KPI_REFERRALS) == 0,
          "no client calls, no referrals");
    release(&x);
}

static void test_visit_cap_and_expiry(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.activity.calls_per_day = 20;      /* about 6 appointments a day */
    sc.activity.compliance = 1;
    sc.activity.visits_per_day = 3;
    run x;
    if (simulate(&sc, 200, 12, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    const int M = x.M;
    int over = 0;
    for (long r = 0; r < x.R; r++)
        for (int mo = 0; mo < M; mo++)
            if (AT(x.mon, r, mo, KPI_MEETINGS) > 3.0 * 22 * AT(x.mon, r, mo, KPI_HEADCOUNT))
                over++;
    CHECK(over == 0, "meetings never exceed visits_per_day x days x headcount (%d months over)", over);
    /* Capacity binds: nearly every day holds 3 visits. */
    double mean, se;
    mean_se(&x, KPI_MEETINGS, 1, 6, &mean, &se);
    CHECK(mean > 0.99 * 5 * 3 * 22 * 10, "a binding cap is used fully: %.6g meetings", mean);
    CHECK(total(&x, KPI_APPOINTMENTS_LOST) > 0, "appointments beyond capacity expire");
    check_identities(&x, "binding cap");
    release(&x);

    /* No visits at all: every appointment is lost after E days or pending. */
    sc.activity.visits_per_day = 0;
    if (simulate(&sc, 20, 13, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_MEETINGS) == 0 && total(&x, KPI_CASES) == 0, "no visits, no meetings, no cases");
    double pending = 0;
    for (long r = 0; r < x.R; r++)
        pending += x.pending[r];
    /* Those pending at the end are the last E days' appointments. */
    CHECK(total(&x, KPI_APPOINTMENTS_LOST) + pending == total(&x, KPI_APPOINTMENTS),
          "all appointments lost or pending");
    /* Those are the appointments of the last E = 5 days: with compliance 1
     * each agent-day sets Poisson(20 x 0.7 x 3/7 = 6) of them, so the total
     * over 20 replications x 10 agents x 5 days is Poisson(6000). */
    CHECK(fabs(pending - 6000) <= K_SE * sqrt(6000.0),
          "pending = the last 5 days' appointments: %.0f vs 6000", pending);
    check_identities(&x, "no visits");
    release(&x);
}

static void test_team_dynamics(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.months = 12;
    sc.team.recruits_per_month = 2.5;
    sc.team.attrition = 0.05;
    run x;
    if (simulate(&sc, 1000, 14, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_mean(&x, KPI_RECRUITS, 0, 12, 12 * 2.5, "recruits ~ Poisson(2.5) a month");
    /* Exits: each agent present in a month leaves with probability 0.05. */
    check_ratio(total(&x, KPI_EXITS), total(&x, KPI_HEADCOUNT), 0.05, "exits / headcount");
    /* Headcount of month m + 1 = headcount of month m - exits + recruits. */
    const int M = x.M;
    int bad = 0;
    for (long r = 0; r < x.R; r++)
        for (int mo = 1; mo < M; mo++)
            if (AT(x.mon, r, mo, KPI_HEADCOUNT) != AT(x.mon, r, mo - 1, KPI_HEADCOUNT) -
                                                       AT(x.mon, r, mo - 1, KPI_EXITS) +
                                                       AT(x.mon, r, mo, KPI_RECRUITS))
                bad++;
    CHECK(bad == 0, "headcount flow balances in every month (%d bad)", bad);
    CHECK(x.fig[KPI_FIG_FINAL_HEADCOUNT] == AT(x.mon, 0, 11, KPI_HEADCOUNT) - AT(x.mon, 0, 11, KPI_EXITS),
          "final headcount = last month's headcount - its exits");
    check_identities(&x, "recruits and exits");
    release(&x);

    /* Assessment: nobody can reach 1000 cases; with 2 months of grace and
     * no exemption everyone leaves at the end of month 2. */
    plain(&sc);
    sc.assessment.enabled = 1;
    sc.assessment.min_cases = 1000;
    sc.assessment.grace_months = 2;
    sc.assessment.exempt_months = 0;
    if (simulate(&sc, 10, 15, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(AT(x.mon, 0, 0, KPI_EXITS) == 0 && AT(x.mon, 0, 1, KPI_EXITS) == 10 &&
              AT(x.mon, 0, 2, KPI_HEADCOUNT) == 0,
          "assessment: all 10 leave after 2 months below (exits %g %g, headcount %g)",
          AT(x.mon, 0, 0, KPI_EXITS), AT(x.mon, 0, 1, KPI_EXITS), AT(x.mon, 0, 2, KPI_HEADCOUNT));
    CHECK(AT(x.mon, 0, 3, KPI_CASES) == 0 && AT(x.mon, 0, 3, KPI_ACTIVITY_RATE) == 0,
          "an empty team has no cases and ratio 0");
    check_identities(&x, "assessment");
    release(&x);

    /* Exempt months protect newcomers. */
    sc.team.initial_tenure_months = 0;
    sc.assessment.exempt_months = 3;
    if (simulate(&sc, 10, 15, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(AT(x.mon, 0, 3, KPI_EXITS) == 0 && AT(x.mon, 0, 4, KPI_EXITS) == 10,
          "exempt for 3 months, then 2 months of grace (exits %g, %g)",
          AT(x.mon, 0, 3, KPI_EXITS), AT(x.mon, 0, 4, KPI_EXITS));
    release(&x);

    /* Income floor: an agent earning below it leaves with attrition_below_floor. */
    plain(&sc);
    sc.team.income_floor = 1e11;
    sc.team.attrition_below_floor = 0.25;
    if (simulate(&sc, 500, 16, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_ratio(total(&x, KPI_EXITS), total(&x, KPI_HEADCOUNT), 0.25,
                "exits / headcount below the income floor");
    release(&x);
}

static void test_ramp_skill_compliance(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.months = 1;
    sc.team.initial_tenure_months = 0;
    sc.team.ramp_start = 0.5;
    sc.team.ramp_months = 10;
    run x;
    if (simulate(&sc, 2000, 17, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_ratio(total(&x, KPI_CASES), total(&x, KPI_MEETINGS), 0.5 / 3,
                "ramp: cases / meetings in the first month = ramp_start x 1/3");
    release(&x);

    /* Skill spread with mean 1 leaves the mean conversion unchanged (the
     * cap at 1 is never reached at p = 1/3 with sd 0.2). */
    plain(&sc);
    sc.team.skill_sd = 0.2;
    if (simulate(&sc, 1500, 18, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    {
        /* Per replication the ratio varies with the skills drawn: test the
         * mean of per-replication ratios against 1/3 with its own SE. */
        const int M = x.M;
        double s = 0, ss = 0;
        for (long r = 0; r < x.R; r++) {
            double c = 0, h = 0;
            for (int mo = 0; mo < M; mo++) {
                c += AT(x.mon, r, mo, KPI_CASES);
                h += AT(x.mon, r, mo, KPI_MEETINGS);
            }
            s += c / h;
            ss += (c / h) * (c / h);
        }
        double n = (double)x.R, mean = s / n, se = sqrt((ss - s * s / n) / (n - 1) / n);
        CHECK(fabs(mean - 1.0 / 3) <= K_SE * se, "skill sd 0.2: mean conversion %.5f vs 1/3 (se %.2g)",
              mean, se);
    }
    release(&x);

    /* Compliance spread: mean calls depend only on mean compliance. */
    plain(&sc);
    sc.activity.compliance_sd = 0.15;
    if (simulate(&sc, 2000, 19, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_mean(&x, KPI_CALLS, 0, 6, 6 * 10 * 22 * 10 * (0.8 + 0.2 * 0.3),
               "compliance sd 0.15: calls over 6 months");
    release(&x);

    /* Atmosphere with mean 1 keeps mean calls. */
    plain(&sc);
    sc.activity.mood_sd = 0.3;
    if (simulate(&sc, 2000, 20, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_mean(&x, KPI_CALLS, 0, 6, 6 * 10 * 22 * 10 * (0.8 + 0.2 * 0.3),
               "mood sd 0.3: calls over 6 months");
    release(&x);
}

static void test_premium_law(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.premium.mean = 5000;
    sc.premium.cv = 1.2;
    run x;
    if (simulate(&sc, 1000, 21, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    /* E[premium | cases] = cases x mean, so the mean of premium - 5000 x
     * cases per replication is 0. */
    const int M = x.M;
    double s = 0, ss = 0;
    for (long r = 0; r < x.R; r++) {
        double d = 0;
        for (int mo = 0; mo < M; mo++)
            d += AT(x.mon, r, mo, KPI_PREMIUM) - 5000 * AT(x.mon, r, mo, KPI_CASES);
        s += d;
        ss += d * d;
    }
    double n = (double)x.R, se = sqrt((ss - s * s / n) / (n - 1) / n);
    CHECK(fabs(s / n) <= K_SE * se, "lognormal premium has mean 5000 per case (bias %.4g, se %.4g)",
          s / n, se);
    /* And its spread: per case sd = cv x mean; the variance of the sum of
     * c cases is c (cv mean)^2, so E[d^2] = E[cases] (cv mean)^2. */
    double cases = total(&x, KPI_CASES) / n;
    double expect_var = cases * pow(1.2 * 5000, 2);
    double var = ss / n;
    /* The variance of a sum of heavy-tailed lognormals converges slowly:
     * allow 15% (about 4 SE of the variance estimate at this size). */
    CHECK(fabs(var / expect_var - 1) < 0.15, "premium spread: var ratio %.3f", var / expect_var);
    check_identities(&x, "lognormal premium");
    release(&x);
}

static void test_events(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.nevents = 1;
    kpi_event_defaults(&sc.events[0], KPI_EVENT_CONTEST);
    sc.events[0].month = 2;
    sc.events[0].days = 22;
    sc.events[0].effort = 1.5;
    sc.events[0].slump = 0.5;
    run x;
    if (simulate(&sc, 1000, 22, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double calls = 10 * 22 * 10 * (0.8 + 0.2 * 0.3);
    check_mean(&x, KPI_CALLS, 0, 1, calls, "contest: month 1 unchanged");
    check_mean(&x, KPI_CALLS, 1, 2, 1.5 * calls, "contest: effort 1.5 in month 2");
    check_mean(&x, KPI_CALLS, 2, 3, 0.5 * calls, "contest: slump 0.5 in month 3");
    check_mean(&x, KPI_CALLS, 3, 4, calls, "contest: month 4 back to normal");
    release(&x);

    plain(&sc);
    sc.nevents = 2;
    kpi_event_defaults(&sc.events[0], KPI_EVENT_RECRUITING_DRIVE);
    sc.events[0].month = 3;
    sc.events[0].factor = 4;
    kpi_event_defaults(&sc.events[1], KPI_EVENT_SEMINAR);
    sc.events[1].month = 2;
    sc.events[1].tier = 2;
    sc.events[1].uplift = 1.5;
    sc.team.recruits_per_month = 1;
    sc.team.initial_tenure_months = 24;
    sc.team.ramp_months = 0;
    if (simulate(&sc, 1000, 23, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_mean(&x, KPI_RECRUITS, 2, 3, 4, "recruiting drive x4 in month 3");
    check_mean(&x, KPI_RECRUITS, 3, 4, 1, "recruits back to 1 in month 4");
    /* Seminar month: conversion 1/3 x 1.5 = 0.5, premium per case x 2. */
    {
        const int M = x.M;
        double c = 0, h = 0, p = 0;
        for (long r = 0; r < x.R; r++) {
            c += AT(x.mon, r, 1, KPI_CASES);
            h += AT(x.mon, r, 1, KPI_MEETINGS);
            p += AT(x.mon, r, 1, KPI_PREMIUM);
        }
        check_ratio(c, h, 0.5, "seminar uplift 1.5: cases / meetings");
        CHECK_NEAR(p / c, 2 * sc.premium.mean, 1e-6 * sc.premium.mean, "seminar tier 2: premium per case");
    }
    release(&x);
}

/* Streams: a replication depends only on (seed, replication). */
static void test_streams(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.months = 3;
    sc.team.skill_sd = 0.3;
    sc.activity.compliance_sd = 0.1;
    sc.premium.cv = 1;
    kpi_model *a = NULL, *b = NULL;
    kpi_error err;
    if (kpi_model_create(&a, &sc, &err) != KPI_OK || kpi_model_create(&b, &sc, &err) != KPI_OK) {
        CHECK(0, "create failed");
        kpi_model_destroy(a);
        kpi_model_destroy(b);
        return;
    }
    double m1[3 * KPI_NKPI], m2[3 * KPI_NKPI], m3[3 * KPI_NKPI], f1[KPI_NFIG], f2[KPI_NFIG];
    kpi_model_run(a, kpi_rng_key(7, 5), m1, f1, &err);
    kpi_model_run(b, kpi_rng_key(7, 4), m2, f2, &err);   /* another replication first */
    kpi_model_run(b, kpi_rng_key(7, 5), m2, f2, &err);
    CHECK(memcmp(m1, m2, sizeof m1) == 0 && memcmp(f1, f2, sizeof f1) == 0,
          "a replication's results do not depend on what the workspace ran before");
    kpi_model_run(b, kpi_rng_key(8, 5), m3, f2, &err);
    CHECK(memcmp(m1, m3, sizeof m1) != 0, "another seed gives other results");
    CHECK(kpi_rng_key(1, 2) != kpi_rng_key(2, 1) && kpi_rng_key(0, 1) != kpi_rng_key(1, 0),
          "keys of (seed, rep) pairs with the same sum differ");
    kpi_model_destroy(a);
    kpi_model_destroy(b);
}

int main(void)
{
    test_closed_forms();
    test_visit_cap_and_expiry();
    test_team_dynamics();
    test_ramp_skill_compliance();
    test_premium_law();
    test_events();
    test_streams();
    return TEST_DONE();
}
