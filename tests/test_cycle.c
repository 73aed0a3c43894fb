/*
 * test_cycle.c - the second wave's mechanisms from first principles
 * (docs/model.md "The sales cycle", "Engagement", "Money", "Horizon
 * figures"): each law below is worked out by hand from the scenario's keys
 * and checked within K_SE standard errors of the simulation.
 *
 *   - the sales cycle on a plain team whose visits never bind: every held
 *     prospect meeting is the last with probability 1 - c = 1 / meetings
 *     and then applies with p = S/M, so applications / meetings = p / m;
 *     not taken = not_taken x applications; cases = issued applications
 *     (no leavers, no expiry);
 *   - the mean working days from first meeting to issue, (k - 1) G + lag
 *     for a prospect of k meetings, weighted by the days the horizon
 *     leaves each cycle length to be issued in;
 *   - engagement on a team with no exits and neutral factors: the shares
 *     of agents in each state against the chain's stationary law (the
 *     Markov chain tree theorem, computed here independently);
 *   - the identities K1, K2, the funnel by source and the conservation of
 *     appointments in every replication with everything on;
 *   - money: profit = income - cost with the agents' commissions, and the
 *     discounted profit against the monthly profits;
 *   - premium_volatility against GSL's least-squares fit of log monthly
 *     premium over the months after the warm-up (the first three).
 */
#define TEST_NAME "test_cycle"
#include "harness.h"

#include "simkit.h"

#include <gsl/gsl_fit.h>

/* A plain team (simkit.h) with the sales cycle on: visits never bind,
 * appointments never expire in practice, nobody leaves, everyone engaged. */
static void cycle_team(kpi_scenario *sc)
{
    plain(sc);
    sc->months = 12;
    sc->sales_cycle.enabled = 1;
    sc->sales_cycle.meetings_cold = 2.5;
    sc->sales_cycle.meetings_referral = 2.5;
    sc->sales_cycle.days_between_meetings = 4;
    sc->sales_cycle.issue_lag_days = 10;
    sc->sales_cycle.not_taken = 0.2;
    sc->activity.appointment_expiry_days = 66;
    sc->activity.visits_per_day = 100;
}

static void test_cycle_laws(void)
{
    kpi_scenario sc;
    cycle_team(&sc);
    run x;
    if (simulate(&sc, 400, 901, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    const double m = sc.sales_cycle.meetings_cold, p = 1.0 / 3;   /* 10:7:3:1 */
    double meetings = total(&x, KPI_MEETINGS), apps = total(&x, KPI_APPLICATIONS);
    check_ratio(apps, meetings, p / m, "applications / prospect meetings = (S/M) / meetings");
    check_ratio(total(&x, KPI_NOT_TAKEN), apps, sc.sales_cycle.not_taken,
                "not taken / applications = not_taken");
    CHECK(total(&x, KPI_APPOINTMENTS_LOST) == 0, "no appointment lost when nothing binds");
    CHECK(total(&x, KPI_PROSPECTS_LOST) == 0, "no prospect lost when nothing binds");
    CHECK(total(&x, KPI_FIRST_MEETINGS) + total(&x, KPI_FOLLOW_UP_MEETINGS) == meetings,
          "first + follow-up meetings = meetings");
    /* Cases are the issued applications: those made more than lag days
     * before the end, less the not taken; in expectation
     * (1 - not_taken) x applications made by day N - 1 - lag. */
    check_identities(&x, "cycle on");

    /* The cycle's length: a prospect of k meetings (P = (1 - c) c^(k-1))
     * is issued (k - 1) G + lag working days after its first meeting; first
     * meetings come at a steady rate from day 1, so the horizon of N days
     * issues cycles of length l in proportion to (N - 1 - l) P(l). */
    const double c = 1 - 1 / m, G = sc.sales_cycle.days_between_meetings,
                 lag = sc.sales_cycle.issue_lag_days;
    const double N = (double)sc.months * sc.working_days;
    double num = 0, den = 0;
    for (int k = 1; k < 400; k++) {
        double l = (k - 1) * G + lag, w = (1 - c) * pow(c, k - 1) * fmax(N - 1 - l, 0);
        num += l * w;
        den += w;
    }
    double expect = num / den, s = 0, ss = 0;
    for (long r = 0; r < x.R; r++) {
        double v = x.fig[(size_t)r * KPI_NFIG + KPI_FIG_CYCLE_DAYS_MEAN];
        s += v;
        ss += v * v;
    }
    double mean = s / (double)x.R, se = sqrt((ss / (double)x.R - mean * mean) / (double)(x.R - 1));
    CHECK(fabs(mean - expect) <= K_SE * se, "cycle days: mean %.4f, expected %.4f (se %.3g)", mean,
          expect, se);
    release(&x);

    /* Switched off: one meeting per prospect, no follow-up, no lag. */
    sc.sales_cycle.enabled = 0;
    if (simulate(&sc, 100, 902, &x) == 0) {
        CHECK(total(&x, KPI_FOLLOW_UP_MEETINGS) == 0 && total(&x, KPI_NOT_TAKEN) == 0,
              "sales_cycle off: no follow-up, nothing not taken");
        CHECK(total(&x, KPI_APPLICATIONS) == total(&x, KPI_CASES),
              "sales_cycle off: every application is a case at once");
        release(&x);
    }
}

/* The stationary law of a 3-state chain by Gaussian elimination on
 * pi (P - I) = 0, sum pi = 1 (independent of engagement.c's tree theorem). */
static void stationary(const double P[3][3], double pi[3])
{
    double a[3][4];
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            a[i][j] = i == 2 ? 1.0 : P[j][i] - (i == j);
        a[i][3] = i == 2 ? 1.0 : 0.0;
    }
    for (int col = 0; col < 3; col++) {
        int piv = col;
        for (int r = col + 1; r < 3; r++)
            if (fabs(a[r][col]) > fabs(a[piv][col]))
                piv = r;
        for (int j = 0; j < 4; j++) {
            double t = a[col][j];
            a[col][j] = a[piv][j];
            a[piv][j] = t;
        }
        for (int r = 0; r < 3; r++) {
            if (r == col)
                continue;
            double f = a[r][col] / a[col][col];
            for (int j = 0; j < 4; j++)
                a[r][j] -= f * a[col][j];
        }
    }
    for (int i = 0; i < 3; i++)
        pi[i] = a[i][3] / a[i][i];
}

static void test_engagement_shares(void)
{
    kpi_scenario sc;
    plain(&sc);
    sc.months = 24;
    sc.team.headcount = 50;
    sc.engagement.enabled = 1;
    sc.engagement.no_case_factor = 1;
    sc.engagement.case_factor = 1;
    sc.engagement.new_agent_factor = 1;
    double P[3][3] = {{0}};
    P[0][1] = sc.engagement.engaged_to_coasting;
    P[0][2] = sc.engagement.engaged_to_dormant;
    P[1][0] = sc.engagement.coasting_to_engaged;
    P[1][2] = sc.engagement.coasting_to_dormant;
    P[2][0] = sc.engagement.dormant_to_engaged;
    P[2][1] = sc.engagement.dormant_to_coasting;
    for (int i = 0; i < 3; i++)
        P[i][i] = 1 - P[i][0] - P[i][1] - P[i][2] + P[i][i];
    double pi[3];
    stationary(P, pi);
    /* Start in the stationary law: every month's shares have it as mean. */
    sc.engagement.initial_coasting = pi[1];
    sc.engagement.initial_dormant = pi[2];
    run x;
    if (simulate(&sc, 200, 903, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    const int k[3] = {KPI_ENGAGED_AGENTS, KPI_COASTING_AGENTS, KPI_DORMANT_AGENTS};
    double H = sc.team.headcount * sc.months;
    for (int s = 0; s < 3; s++)
        check_mean(&x, k[s], 0, sc.months, H * pi[s], "agent-months in an engagement state");
    /* The states add up to the headcount, and the production spread too. */
    int bad = 0;
    const int M = x.M;
    for (long r = 0; r < x.R; r++)
        for (int mo = 0; mo < M; mo++) {
            double h = AT(x.mon, r, mo, KPI_HEADCOUNT), e = 0, q = 0;
            for (int s = 0; s < 3; s++)
                e += AT(x.mon, r, mo, k[s]);
            for (int j = KPI_AGENTS_0_CASES; j <= KPI_AGENTS_5PLUS_CASES; j++)
                q += AT(x.mon, r, mo, j);
            bad += e != h || q != h;
        }
    CHECK(bad == 0, "engagement states and the production spread add up to headcount (%d months not)",
          bad);
    /* Dormant agents make no call: the calls against engaged and coasting
     * agent-days (a coasting agent calls coasting_effort of the plan). */
    double engaged = total(&x, KPI_ENGAGED_AGENTS), coasting = total(&x, KPI_COASTING_AGENTS);
    double per_day = sc.activity.calls_per_day;
    double on = sc.activity.compliance + (1 - sc.activity.compliance) * sc.activity.off_plan_effort;
    double expect = sc.working_days * per_day * (engaged * on + coasting * sc.engagement.coasting_effort);
    double calls = total(&x, KPI_CALLS);
    CHECK(fabs(calls / expect - 1) < 0.01, "calls %.0f against the states' plans %.0f", calls,
          expect);
    release(&x);
}

/* Everything on (the default team): K1, K2, the sources and the
 * conservation of appointments in every replication; money's identities. */
static void test_default_identities(void)
{
    kpi_scenario sc;
    kpi_scenario_defaults(&sc);
    sc.months = 24;
    sc.assessment.enabled = 1;
    run x;
    if (simulate(&sc, 100, 904, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_identities(&x, "the default team");
    int bad = 0, disc = 0;
    const int M = x.M;
    for (long r = 0; r < x.R; r++) {
        double d = 0;
        for (int mo = 0; mo < M; mo++) {
            const double *v = &AT(x.mon, r, mo, 0);
            double agent = sc.economics.agent_commission * (v[KPI_PREMIUM] - v[KPI_CLAWBACK]) +
                           sc.economics.agent_renewal_commission * v[KPI_RENEWAL_PREMIUM];
            double income = sc.economics.commission_first_year * (v[KPI_PREMIUM] - v[KPI_CLAWBACK]) +
                            sc.economics.commission_renewal * v[KPI_RENEWAL_PREMIUM];
            if (fabs(v[KPI_AGENT_COMMISSION] - agent) > 1e-6 * (1 + agent) ||
                fabs(v[KPI_INCOME] - income) > 1e-6 * (1 + income) ||
                fabs(v[KPI_PROFIT] - (v[KPI_INCOME] - v[KPI_COST])) > 1e-6 * (1 + fabs(income)) ||
                v[KPI_COST] < agent)
                bad++;
            d += v[KPI_PROFIT] * pow(1 + sc.economics.discount_rate, -(mo + 1) / 12.0);
        }
        double f = x.fig[(size_t)r * KPI_NFIG + KPI_FIG_DISCOUNTED_PROFIT];
        disc += fabs(f - d) > 1e-6 * (1 + fabs(d));
    }
    CHECK(bad == 0, "money: commissions, income and profit by their formulas (%d months not)", bad);
    CHECK(disc == 0, "discounted profit from the monthly profits (%d replications not)", disc);

    /* premium_volatility: the residual sd (n - 2 degrees of freedom) of
     * log premium on the month over months 4 to M, by gsl_fit_linear. */
    int vol = 0;
    double x0[64], y0[64];
    for (long r = 0; r < x.R && M <= 64; r++) {
        int n = 0;
        for (int mo = 3; mo < M; mo++) {
            double p = AT(x.mon, r, mo, KPI_PREMIUM);
            if (p > 0) {
                x0[n] = mo;
                y0[n++] = log(p);
            }
        }
        double c0, c1, v00, v01, v11, ss;
        gsl_fit_linear(x0, 1, y0, 1, (size_t)n, &c0, &c1, &v00, &v01, &v11, &ss);
        double want = sqrt(ss / (n - 2));
        double f = x.fig[(size_t)r * KPI_NFIG + KPI_FIG_PREMIUM_VOLATILITY];
        vol += !(fabs(f - want) <= 1e-9 * want);
    }
    CHECK(M > 12 && M <= 64, "the default team's horizon (%d months) fits the volatility check", M);
    CHECK(vol == 0, "premium_volatility = the residual sd of log premium after the warm-up, as "
          "gsl_fit_linear gives it (%d replications not)", vol);
    release(&x);
}

int main(void)
{
    test_cycle_laws();
    test_engagement_shares();
    test_default_identities();
    return TEST_DONE();
}
