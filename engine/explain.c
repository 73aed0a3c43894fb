/*
 * explain.c - a scenario's expected activity by arithmetic a trainer can
 * write on a whiteboard (`kpisim explain`).
 *
 * One agent at full skill, one month of working_days days: the activity
 * standard (calls, plan days), the split of calls between the book and
 * prospects, each funnel stage by its ratio (F1-F3), the visit capacity
 * against the meetings set (M3), and the KPI tree (K1, K2).  Each line
 * carries its formula with the scenario's numbers in it, so the figure can
 * be checked by hand.  The simulation adds what arithmetic leaves out
 * (the book running dry, needs, skill and ramp, the appointment backlog,
 * exits), which is why `kpisim explain SCENARIO RUN_DIR` shows both.
 */
#include "kpisim.h"
#include "engagement.h"
#include "management.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct builder {
    kpi_explain_line *lines;
    int n, max;
} builder;

/* Rewrites every number that %g wrote with an exponent ("1e+06",
 * "1.738e+04") in s as plain digits with the same significant digits
 * ("1000000", "17380"): a formula on a whiteboard has no exponents. */
static void plain_numbers(char *s, size_t size)
{
    char out[sizeof ((kpi_explain_line *)0)->formula];
    size_t o = 0, i = 0, n = strlen(s);
    while (i < n && o + 1 < sizeof out) {
        size_t j = i, sig = 0, lead = 1;
        /* A run of digits and a point, preceded by no letter or digit. */
        if (isdigit((unsigned char)s[i]) && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
            while (j < n && (isdigit((unsigned char)s[j]) || s[j] == '.')) {
                if (isdigit((unsigned char)s[j]) && !(lead && s[j] == '0'))
                    sig++, lead = 0;
                j++;
            }
            if (j + 2 < n && s[j] == 'e' && (s[j + 1] == '+' || s[j + 1] == '-') &&
                isdigit((unsigned char)s[j + 2])) {
                char *end;
                double v = strtod(s + i, &end);
                int e = (int)strtol(s + j + 1, NULL, 10);
                int d = (int)sig - 1 - e;
                int w = snprintf(out + o, sizeof out - o, "%.*f", d > 0 ? d : 0, v);
                if (w < 0 || (size_t)w >= sizeof out - o)
                    return;   /* no room: s stays as it was */
                o += (size_t)w;
                i = (size_t)(end - s);
                continue;
            }
            memcpy(out + o, s + i, j - i < sizeof out - 1 - o ? j - i : sizeof out - 1 - o);
            o += j - i < sizeof out - 1 - o ? j - i : sizeof out - 1 - o;
            i = j;
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    snprintf(s, size, "%s", out);
}

static void line(builder *b, const char *label, int kpi, int per_agent, double value,
                 const char *fmt, ...)
{
    if (b->n >= b->max)
        return;
    kpi_explain_line *l = &b->lines[b->n++];
    memset(l, 0, sizeof *l);
    snprintf(l->label, sizeof l->label, "%s", label);
    l->kpi = kpi;
    l->kpi2 = -1;
    l->fig = -1;
    l->per_agent = per_agent;
    l->value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->formula, sizeof l->formula, fmt, ap);
    va_end(ap);
    plain_numbers(l->formula, sizeof l->formula);
}

static void heading(builder *b, const char *text)
{
    line(b, text, -1, 0, 0, "%s", "");
    b->lines[b->n - 1].heading = 1;
}

/* The engagement chain of an agent past its first months, in a month with
 * a case and in one without (docs/model.md "Engagement"), each with the
 * daily meeting's multipliers, and its stationary law: the whiteboard's
 * expected engaged / coasting / dormant shares.  The head line is the
 * chain after months with a case (before the new agents' factor); the
 * chain after months without a case is shown beside it: the simulated
 * shares lie between the two. */
static void explain_engagement(builder *b, const kpi_scenario *sc)
{
    kpi_engagement_params p;
    memset(&p, 0, sizeof p);
    p.move[KPI_ENGAGED][KPI_COASTING] = sc->engagement.engaged_to_coasting;
    p.move[KPI_ENGAGED][KPI_DORMANT] = sc->engagement.engaged_to_dormant;
    p.move[KPI_COASTING][KPI_ENGAGED] = sc->engagement.coasting_to_engaged;
    p.move[KPI_COASTING][KPI_DORMANT] = sc->engagement.coasting_to_dormant;
    p.move[KPI_DORMANT][KPI_ENGAGED] = sc->engagement.dormant_to_engaged;
    p.move[KPI_DORMANT][KPI_COASTING] = sc->engagement.dormant_to_coasting;
    p.no_case_factor = sc->engagement.no_case_factor;
    p.case_factor = sc->engagement.case_factor;
    p.new_agent_factor = sc->engagement.new_agent_factor;
    p.new_agent_months = sc->engagement.new_agent_months;
    double down, up, P[KPI_NSTATES][KPI_NSTATES], pi[KPI_NSTATES];
    kpi_mgmt_chain(sc, &down, &up);
    heading(b, "Engagement (the chain's stationary law)");
    kpi_engagement_matrix(&p, down, up, 1, 0, P);
    if (kpi_engagement_stationary(P, pi) != 0)
        return;
    line(b, "engaged share", KPI_ENGAGED_AGENTS, 0, pi[KPI_ENGAGED],
         "stationary law of the chain after months with a case, daily meeting x %g up, "
         "x %g down: engaged %.3g, coasting %.3g, dormant %.3g", up, down, pi[0], pi[1], pi[2]);
    b->lines[b->n - 1].per_agent = 1;   /* share of the headcount */
    line(b, "coasting share", KPI_COASTING_AGENTS, 0, pi[KPI_COASTING],
         "coasting agents work coasting_effort = %g of the plan",
         sc->engagement.coasting_effort);
    b->lines[b->n - 1].per_agent = 1;   /* share of the headcount */
    line(b, "dormant share", KPI_DORMANT_AGENTS, 0, pi[KPI_DORMANT],
         "dormant agents make no calls");
    b->lines[b->n - 1].per_agent = 1;   /* share of the headcount */
    kpi_engagement_matrix(&p, down, up, 0, 0, P);
    double pz[KPI_NSTATES];
    if (kpi_engagement_stationary(P, pz) == 0)
        line(b, "engaged share, no cases", -1, 0, pz[KPI_ENGAGED],
             "the same chain after months without a case (x no_case_factor = %g down): "
             "engaged %.3g, coasting %.3g, dormant %.3g", p.no_case_factor, pz[0], pz[1],
             pz[2]);
    double work = pi[KPI_ENGAGED] + pi[KPI_COASTING] * sc->engagement.coasting_effort;
    line(b, "share of the plan worked", -1, 0, work,
         "engaged + coasting x coasting_effort = %.3g + %.3g x %g", pi[0], pi[1],
         sc->engagement.coasting_effort);
}

/* The levers on an engaged agent's plan days (tracking at full strength,
 * M3) and the sales cycle from a met prospect to an issued case. */
static void explain_levers(builder *b, const kpi_scenario *sc)
{
    const double D = sc->working_days, c = sc->activity.compliance;
    heading(b, "Levers and the sales cycle");
    double k = kpi_mgmt_odds(sc, 1.0), s = 1.0;
    if (!(sc->management.enabled && sc->management.tracking))
        k = 1.0, s = 0.0;
    double ct = kpi_mgmt_compliance(c, k);
    line(b, "compliance with tracking", -1, 0, ct,
         "c k / (1 - c + c k) = %g x %g / (1 - %g + %g x %g): tracking %s", c, k, c, c, k,
         s > 0 ? "on" : "off");
    if (s > 0 && sc->management.resolve < 1) {
        /* A month renews tracking with probability r, else strength falls
         * by d: the mean strength is r / (1 - (1 - r)(1 - d)). */
        double r = sc->management.resolve, d = sc->management.tracking_decay;
        double ms = r / (1 - (1 - r) * (1 - d));
        line(b, "mean tracking strength", -1, 0, ms,
             "resolve / (1 - (1 - resolve) x (1 - tracking_decay)) = %g / (1 - %g x %g) (M4)",
             r, 1 - r, 1 - d);
        ct = kpi_mgmt_compliance(c, kpi_mgmt_odds(sc, ms));
        line(b, "compliance, mean strength", -1, 0, ct,
             "c k^s / (1 - c + c k^s), s = %.3g", ms);
    }
    line(b, "on-plan days", -1, 1, D * ct, "working_days x compliance = %g x %.4g", D, ct);
    if (sc->sales_cycle.enabled) {
        double mc = sc->sales_cycle.meetings_cold, nt = sc->sales_cycle.not_taken;
        line(b, "meetings per cold case", -1, 0, mc,
             "sales_cycle.meetings_cold = %g: a met prospect takes %g meetings", mc, mc);
        line(b, "days to issue", -1, 0,
             (mc - 1) * sc->sales_cycle.days_between_meetings + sc->sales_cycle.issue_lag_days,
             "(meetings - 1) x days_between_meetings + issue_lag_days = %g x %d + %d "
             "(a cold case; repeat cases are quicker)", mc - 1,
             sc->sales_cycle.days_between_meetings, sc->sales_cycle.issue_lag_days);
            line(b, "issued per application", -1, 0, 1 - nt,
             "1 - not_taken = 1 - %g: the rest is declined or not taken up", nt);
    }
    /* A definition, not arithmetic: no by-hand value (it used to show 0,
     * which read as "no volatility"); the simulated column is the run's
     * premium_volatility (summary.csv, the mean across replications). */
    line(b, "volatility measure", -1, 0, 0,
         "premium_volatility: sd of log monthly premium around the replication's own "
         "least-squares line (the growth trend taken out; premium_monthly_cv keeps it)");
    b->lines[b->n - 1].fig = KPI_FIG_PREMIUM_VOLATILITY;
    b->lines[b->n - 1].no_value = 1;
}

int kpi_explain(const kpi_scenario *sc, kpi_explain_line *lines, int max)
{
    builder b = {lines, 0, max};
    const double D = sc->working_days, c = sc->activity.compliance,
                 off = sc->activity.off_plan_effort, cpd = sc->activity.calls_per_day,
                 vpd = sc->activity.visits_per_day, focus = sc->clients.focus;
    const double *fc = sc->funnel.cold.stage, *fo = sc->funnel.old_client.stage;
    const double effort = c + (1 - c) * off;

    heading(&b, "One agent, one month");
    line(&b, "plan days", -1, 1, D * c, "working_days x compliance = %g x %g", D, c);
    line(&b, "calls a day", -1, 1, cpd * effort,
         "calls_per_day x (compliance + (1 - compliance) x off_plan_effort) "
         "= %g x (%g + %g x %g)", cpd, c, 1 - c, off);
    double calls = D * cpd * effort;
    line(&b, "calls", KPI_CALLS, 1, calls, "working_days x calls a day = %g x %.4g", D,
         cpd * effort);
    double book = calls * focus, pros = calls - book;
    line(&b, "calls to the book", KPI_CALLS_TO_CLIENTS, 1, book,
         "calls x clients.focus = %.4g x %g (while the book has clients to call)", calls,
         focus);
    line(&b, "calls to prospects", -1, 1, pros, "calls x (1 - focus) = %.4g x %g", calls,
         1 - focus);

    heading(&b, "Prospects, funnel.cold");
    double pc = fc[1] / fc[0], pm = fc[1] > 0 ? fc[2] / fc[1] : 0,
           ps = fc[2] > 0 ? fc[3] / fc[2] : 0;
    double contacts = pros * pc, meet = contacts * pm, cases = meet * ps;
    line(&b, "contacts", -1, 1, contacts, "calls to prospects x %g/%g = %.4g x %.4g", fc[1],
         fc[0], pros, pc);
    line(&b, "meetings set", -1, 1, meet, "contacts x %g/%g = %.4g x %.4g", fc[2], fc[1],
         contacts, pm);
    line(&b, "cases", KPI_CASES_COLD, 1, cases, "meetings x %g/%g = %.4g x %.4g", fc[3], fc[2],
         meet, ps);
    b.lines[b.n - 1].kpi2 = KPI_CASES_REFERRAL;
    line(&b, "prospects per case", -1, 1, cases > 0 ? pros / cases : 0,
         "%g:%g:%g:%g: %g prospects make a case", fc[0], fc[1], fc[2], fc[3],
         fc[3] > 0 ? fc[0] / fc[3] : 0);

    heading(&b, "Old clients with a need, funnel.old_client");
    double oc = fo[1] / fo[0], om = fo[1] > 0 ? fo[2] / fo[1] : 0,
           os = fo[2] > 0 ? fo[3] / fo[2] : 0;
    line(&b, "cases per call", -1, 1, oc * om * os,
         "%g/%g x %g/%g x %g/%g = %.4g (grade A; x clients.grade_rate for B, D, E)", fo[1],
         fo[0], fo[2], fo[1], fo[3], fo[2], oc * om * os);
    line(&b, "calls per case", -1, 1, oc * om * os > 0 ? 1 / (oc * om * os) : 0,
         "%g:%g:%g:%g against %g:%g:%g:%g for prospects", fo[0], fo[1], fo[2], fo[3], fc[0],
         fc[1], fc[2], fc[3]);

    heading(&b, "Visits (M3)");
    double cap = D * vpd * effort;
    line(&b, "visit capacity", -1, 1, cap,
         "working_days x visits_per_day x (compliance + (1 - compliance) x off_plan_effort) "
         "= %g x %g x %.4g", D, vpd, effort);
    /* Calls to the book set appointments too (docs/model.md, the book):
     * a client is called at most once a month, those with a need (grades
     * A, B, D, E) first, and only they may meet.  By hand: the clients with
     * a need at the start bound the calls that can set one; needs that
     * arise later (need_per_year, need_per_contact) add to it. */
    const double *gm = sc->clients.grade_mix;
    double needy = sc->clients.initial_per_agent * (gm[0] + gm[1] + gm[3] + gm[4]);
    double book_need = book < needy ? book : needy;
    double book_appts = book_need * oc * om;
    line(&b, "appointments from the book", KPI_APPOINTMENTS_CLIENTS, 1, book_appts,
         "calls to the book with a need x %g/%g x %g/%g = %.4g x %.4g (clients with a need at "
         "the start: initial_per_agent x grades A, B, D, E = %g x %g)", fo[1], fo[0], fo[2],
         fo[1], book_need, oc * om, sc->clients.initial_per_agent, gm[0] + gm[1] + gm[3] + gm[4]);
    line(&b, "meetings set a month", -1, 1, meet + book_appts,
         "prospects %.4g + the book %.4g: %s the visit capacity %.4g", meet, book_appts,
         meet + book_appts > cap ? "MORE than" : "within", cap);
    double set_pros = cpd * (1 - focus) * pc * pm;
    double set_book = book > 0 ? cpd * focus * (book_need / book) * oc * om : 0;
    double set_day = set_pros + set_book;
    line(&b, "meetings set a plan day", -1, 1, set_day,
         "prospects calls_per_day x (1 - focus) x %g/%g x %g/%g = %.4g, + the book %.4g: "
         "%s visits_per_day = %g", fc[1], fc[0], fc[2], fc[1], set_pros, set_book,
         set_day > vpd ? "more than" : "within", vpd);

    if (sc->engagement.enabled)
        explain_engagement(&b, sc);
    explain_levers(&b, sc);

    heading(&b, "Premium and the team (K1, K2)");
    line(&b, "premium per case", KPI_PREMIUM_PER_CASE, 0, sc->premium.mean,
         "premium.mean = %g (x %g for old clients)", sc->premium.mean,
         sc->premium.repeat_multiplier);
    line(&b, "premium from prospects", -1, 1, cases * sc->premium.mean,
         "cases x premium per case = %.4g x %g", cases, sc->premium.mean);
    line(&b, "headcount", KPI_HEADCOUNT, 0, sc->team.headcount,
         "team.headcount = %d at the start (+ recruits, - exits)", sc->team.headcount);
    line(&b, "team cases from prospects", -1, 0, cases * sc->team.headcount,
         "headcount x cases per agent = %d x %.4g  (K2: headcount x activity_rate x "
         "cases_per_active)", sc->team.headcount, cases);
    line(&b, "team premium from prospects", -1, 0,
         cases * sc->team.headcount * sc->premium.mean,
         "team cases x premium per case = %.4g x %g  (K1)", cases * sc->team.headcount,
         sc->premium.mean);
    return b.n;
}
