/*
 * simkit.h - helpers of the statistical tests (test_model.c, test_book.c):
 * run R replications of a scenario through the model, and compare means,
 * ratios and identities with what they must be.
 *
 * Include after harness.h; everything is static inline (a test program
 * need not use every helper).
 */
#ifndef KPI_TEST_SIMKIT_H
#define KPI_TEST_SIMKIT_H

#include "model.h"
#include "rng.h"
#include "scenario.h"
#include "firstmodel.h"

#include <stdlib.h>

/* How many standard errors a mean may stray from its expectation.  With
 * about 60 such checks, 4.5 SE keeps the chance that a correct model fails
 * one of them for some seed below 1 in 2000. */
#define K_SE 4.5

#define AT(mon, r, mo, k) ((mon)[((size_t)(r) * (size_t)M + (size_t)(mo)) * KPI_NKPI + (size_t)(k)])

/* A plain team where nothing but the activity core moves: no recruits, no
 * exits, equal agents at full skill, no atmosphere swings, a visit
 * capacity that never binds, and no calls to the client book. */
static inline void plain(kpi_scenario *sc)
{
    kpi_scenario_defaults(sc);
    first_model(sc);
    sc->months = 6;
    sc->working_days = 22;
    sc->team.headcount = 10;
    sc->team.recruits_per_month = 0;
    sc->team.attrition = 0;
    sc->team.skill_sd = 0;
    sc->team.initial_tenure_months = 24;
    sc->activity.calls_per_day = 10;
    sc->activity.visits_per_day = 100;
    sc->activity.compliance = 0.8;
    sc->activity.compliance_sd = 0;
    sc->activity.off_plan_effort = 0.3;
    sc->activity.mood_sd = 0;
    sc->activity.appointment_expiry_days = 5;
    sc->premium.cv = 0;
    /* No calls to clients, no referrals: every call is cold. */
    sc->clients.focus = 0;
    sc->clients.initial_per_agent = 0;
    sc->clients.referrals_per_sale = 0;
    sc->clients.referrals_per_contact = 0;
}

typedef struct run {
    long R;
    int M;
    double *mon, *fig, *pending;
} run;

static inline int simulate(const kpi_scenario *sc, long R, uint64_t seed, run *out)
{
    kpi_model *m = NULL;
    kpi_error err;
    out->R = R;
    out->M = sc->months;
    out->mon = calloc((size_t)R * (size_t)sc->months * KPI_NKPI, sizeof(double));
    out->fig = calloc((size_t)R * KPI_NFIG, sizeof(double));
    out->pending = calloc((size_t)R, sizeof(double));
    if (kpi_scenario_check(sc, &err) != KPI_OK) {
        printf("bad test scenario: %s: %s\n", err.key, err.msg);
        return -1;
    }
    if (kpi_model_create(&m, sc, &err) != KPI_OK)
        return -1;
    for (long r = 0; r < R; r++) {
        int rc = kpi_model_run(m, kpi_rng_key(seed, (uint64_t)r),
                               out->mon + (size_t)r * (size_t)sc->months * KPI_NKPI,
                               out->fig + (size_t)r * KPI_NFIG, &err);
        if (rc != KPI_OK) {
            printf("run failed: %s\n", err.msg);
            kpi_model_destroy(m);
            return -1;
        }
        out->pending[r] = kpi_model_pending(m);
    }
    kpi_model_destroy(m);
    return 0;
}

static inline void release(run *x)
{
    free(x->mon);
    free(x->fig);
    free(x->pending);
}

/* Mean and standard error over replications of the sum of KPI k over
 * months [m0, m1). */
static inline void mean_se(const run *x, int k, int m0, int m1, double *mean, double *se)
{
    const int M = x->M;
    double s = 0, ss = 0;
    for (long r = 0; r < x->R; r++) {
        double v = 0;
        for (int mo = m0; mo < m1; mo++)
            v += AT(x->mon, r, mo, k);
        s += v;
        ss += v * v;
    }
    double n = (double)x->R;
    *mean = s / n;
    double var = (ss - s * s / n) / (n - 1);
    *se = sqrt(var > 0 ? var / n : 0);
}

static inline void check_mean(const run *x, int k, int m0, int m1, double expect, const char *what)
{
    double mean, se;
    mean_se(x, k, m0, m1, &mean, &se);
    CHECK(fabs(mean - expect) <= K_SE * se + 1e-9 * fabs(expect),
          "%s: mean %.6g, expected %.6g (|diff| = %.3g SE, se %.3g)", what, mean, expect,
          se > 0 ? fabs(mean - expect) / se : 0.0, se);
}

/* Sum of KPI k over every replication and month of x. */
static inline double total(const run *x, int k)
{
    const int M = x->M;
    double s = 0;
    for (long r = 0; r < x->R; r++)
        for (int mo = 0; mo < M; mo++)
            s += AT(x->mon, r, mo, k);
    return s;
}

/* A realised ratio num/den of binomial thinning with probability p: within
 * K_SE binomial standard errors. */
static inline void check_ratio(double num, double den, double p, const char *what)
{
    double se = sqrt(p * (1 - p) / den);
    CHECK(den > 0 && fabs(num / den - p) <= K_SE * se, "%s: %.6g / %.6g = %.6g, expected %.6g (se %.3g)",
          what, num, den, num / den, p, se);
}

/* Identities that hold in every replication and month. */
static inline void check_identities(const run *x, const char *what)
{
    const int M = x->M;
    int k1 = 0, k2 = 0, cons = 0, src = 0;
    for (long r = 0; r < x->R; r++) {
        double appts = 0, held = 0, lost = 0;
        for (int mo = 0; mo < M; mo++) {
            double h = AT(x->mon, r, mo, KPI_HEADCOUNT), ar = AT(x->mon, r, mo, KPI_ACTIVITY_RATE),
                   cpa = AT(x->mon, r, mo, KPI_CASES_PER_ACTIVE), c = AT(x->mon, r, mo, KPI_CASES),
                   p = AT(x->mon, r, mo, KPI_PREMIUM), ppc = AT(x->mon, r, mo, KPI_PREMIUM_PER_CASE);
            if (fabs(h * ar * cpa - c) > 1e-9 * (1 + c))
                k2++;
            if (fabs(c * ppc - p) > 1e-9 * (1 + p))
                k1++;
            if (AT(x->mon, r, mo, KPI_CASES_COLD) + AT(x->mon, r, mo, KPI_CASES_REFERRAL) +
                    AT(x->mon, r, mo, KPI_CASES_REPEAT) != c)
                src++;
            /* The funnel by source adds up to the totals. */
            if (AT(x->mon, r, mo, KPI_CALLS_COLD) + AT(x->mon, r, mo, KPI_CALLS_REFERRAL) +
                        AT(x->mon, r, mo, KPI_CALLS_TO_CLIENTS) != AT(x->mon, r, mo, KPI_CALLS) ||
                AT(x->mon, r, mo, KPI_CONTACTS_COLD) + AT(x->mon, r, mo, KPI_CONTACTS_REFERRAL) +
                        AT(x->mon, r, mo, KPI_CONTACTS_CLIENTS) != AT(x->mon, r, mo, KPI_CONTACTS) ||
                AT(x->mon, r, mo, KPI_APPOINTMENTS_COLD) +
                        AT(x->mon, r, mo, KPI_APPOINTMENTS_REFERRAL) +
                        AT(x->mon, r, mo, KPI_APPOINTMENTS_CLIENTS) !=
                    AT(x->mon, r, mo, KPI_APPOINTMENTS) ||
                AT(x->mon, r, mo, KPI_MEETINGS_COLD) + AT(x->mon, r, mo, KPI_MEETINGS_REFERRAL) +
                        AT(x->mon, r, mo, KPI_MEETINGS_CLIENTS) != AT(x->mon, r, mo, KPI_MEETINGS))
                src++;
            appts += AT(x->mon, r, mo, KPI_APPOINTMENTS);
            held += AT(x->mon, r, mo, KPI_MEETINGS);
            lost += AT(x->mon, r, mo, KPI_APPOINTMENTS_LOST);
        }
        if (appts != held + lost + x->pending[r])
            cons++;
    }
    CHECK(k2 == 0, "%s: K2 cases = headcount x activity_rate x cases_per_active fails in %d months", what, k2);
    CHECK(k1 == 0, "%s: K1 premium = cases x premium_per_case fails in %d months", what, k1);
    CHECK(src == 0, "%s: the funnel by source does not add up in %d months", what, src);
    CHECK(cons == 0, "%s: appointments = meetings + lost + pending fails in %d replications", what, cons);
}

#endif /* KPI_TEST_SIMKIT_H */
