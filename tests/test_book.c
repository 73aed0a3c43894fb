/*
 * test_book.c - the client book against first principles.
 *
 * Part 1 drives the book alone (no calls, no visits) and checks each
 * transition law against its closed form: with a constant monthly hazard
 * lambda = -ln(1 - p_year) / 12, the share of clients that have made a
 * transition after t months is 1 - exp(-lambda t).  Thousands of clients
 * make binomial standard errors small.
 *
 * Part 2 runs the whole model and switches each mechanism on and off:
 * focus, referrals, the old-client funnel on A clients, grade rates,
 * lapses, the lifetime cap, upgrades, orphans, thank-you events; then the
 * identities with the book on, the repeat-share solver, and the default
 * scenario's R4, C1 and rising repeat share.
 */
#define TEST_NAME "test_book"
#include "harness.h"

#include "book.h"
#include "simkit.h"

enum { A = 0, B, C, D, E, N };
enum { PAYING = 0, MATURED, LAPSED, LOST };

/* ------------------------------------------------------------------ */
/* Part 1: the book alone                                              */
/* ------------------------------------------------------------------ */

/* A book of `agents` x `per_agent` initial clients, all of grade g, with
 * nothing else going on: no activity touches it. */
static void book_only(kpi_scenario *sc, int g, int months)
{
    kpi_scenario_defaults(sc);
    first_model(sc);
    sc->months = months;
    sc->team.headcount = 20;
    sc->clients.initial_per_agent = 500;
    for (int k = 0; k < 6; k++)
        sc->clients.grade_mix[k] = k == g ? 1 : 0;
    sc->clients.need_per_year = 0;
    sc->clients.b_to_a_months = 600;
    sc->clients.lapse_per_year = 0;
    sc->clients.lapse_first_year = 0;
    sc->clients.lapse_if_unserved_per_year = 0;
    sc->clients.loss_if_unserved_per_year = 0;
    sc->clients.policy_term_years = 100;
    sc->clients.matured_need = 0;
    sc->premium.cv = 0;
}

typedef struct census {
    long grades[6], states[4];
    double renewals;
} census;

/* Runs the book through `months` months and takes its census at the end. */
static int run_book(const kpi_scenario *sc, uint64_t seed, census *out)
{
    kpi_book *b = kpi_book_create(sc);
    kpi_tally acc;
    if (!b)
        return -1;
    kpi_book_reset(b, kpi_rng_key(seed, 0));
    for (uint32_t id = 0; id < (uint32_t)sc->team.headcount; id++)
        if (kpi_book_hire(b, id, 1) != 0) {
            kpi_book_destroy(b);
            return -1;
        }
    out->renewals = 0;
    for (int m = 0; m < sc->months; m++) {
        memset(acc, 0, sizeof acc);
        out->renewals += kpi_book_month_start(b, m);
        if (kpi_book_month_end(b, m, acc) != 0) {
            kpi_book_destroy(b);
            return -1;
        }
    }
    kpi_book_census(b, out->grades, out->states);
    kpi_book_destroy(b);
    return 0;
}

/* x out of n against probability p, within K_SE binomial SEs. */
static void check_share(long x, long n, double p, const char *what)
{
    double se = sqrt(p * (1 - p) / (double)n);
    double got = (double)x / (double)n;
    CHECK(n > 0 && fabs(got - p) <= K_SE * se + 1e-12, "%s: %ld / %ld = %.5f, expected %.5f (se %.2g)",
          what, x, n, got, p, se);
}

/* With service gap G months and the initial clients' last contacts 1..G
 * months back (uniform), the share that makes a transition within 12
 * months at yearly probability p_served while served and p_unserved once
 * unserved: a client last contacted s months ago is unserved for
 * max(0, s - (G - 12)) of the 12 months. */
static double mixed_share(int G, double p_served, double p_unserved)
{
    double sum = 0;
    for (int s = 1; s <= G; s++) {
        int k = s - (G - 12);
        k = k < 0 ? 0 : k > 12 ? 12 : k;
        sum += 1 - pow(1 - p_served, (12.0 - k) / 12) * pow(1 - p_unserved, k / 12.0);
    }
    return sum / G;
}

static void test_transitions(void)
{
    kpi_scenario sc;
    census k;
    const long n = 20 * 500;

    /* Needs emerge among N clients: after 12 months, need_per_year of them. */
    book_only(&sc, N, 12);
    sc.clients.need_per_year = 0.4;
    CHECK(run_book(&sc, 1, &k) == 0, "book run");
    check_share(n - k.grades[N], n, 0.4, "needs after 12 months at 0.4 a year");
    /* And they take the grades of need_grade_mix (A: 0.5). */
    check_share(k.grades[A], n - k.grades[N], sc.clients.need_grade_mix[A],
                "new needs of grade A");
    check_share(k.grades[C], n - k.grades[N], sc.clients.need_grade_mix[C],
                "new needs of grade C");

    /* B becomes A after b_to_a_months on average (exponential). */
    book_only(&sc, B, 6);
    sc.clients.b_to_a_months = 6;
    CHECK(run_book(&sc, 2, &k) == 0, "book run");
    check_share(k.grades[A], n, 1 - exp(-1.0), "B -> A within its mean time");

    /* Lapses: a served client at lapse_per_year, an unserved one at
     * lapse_if_unserved_per_year.  Gap 1 month: nobody is served. */
    book_only(&sc, N, 12);
    sc.clients.lapse_per_year = 0.1;
    sc.clients.lapse_first_year = sc.clients.lapse_per_year;
    sc.clients.lapse_if_unserved_per_year = 0.5;
    sc.clients.service_gap_months = 1;
    CHECK(run_book(&sc, 3, &k) == 0, "book run");
    check_share(k.states[LAPSED], n, 0.5, "unserved clients lapse at 0.5 a year");
    CHECK(k.states[LAPSED] + k.states[PAYING] + k.states[MATURED] == n, "no client lost");
    /* Gap 600 months: nearly everyone stays served (only those last
     * contacted 589 to 600 months ago become unserved within the year). */
    sc.clients.service_gap_months = 600;
    CHECK(run_book(&sc, 4, &k) == 0, "book run");
    check_share(k.states[LAPSED], n, mixed_share(600, 0.1, 0.5),
                "served clients lapse at 0.1 a year");
    sc.clients.lapse_per_year = 0;
    sc.clients.lapse_first_year = sc.clients.lapse_per_year;
    sc.clients.lapse_if_unserved_per_year = 0;
    CHECK(run_book(&sc, 5, &k) == 0, "book run");
    CHECK(k.states[LAPSED] == 0, "lapse rates 0: no lapse (%ld)", k.states[LAPSED]);

    /* Losses (R7): unserved A and B clients buy elsewhere. */
    book_only(&sc, A, 12);
    sc.clients.service_gap_months = 1;
    sc.clients.loss_if_unserved_per_year = 0.5;
    CHECK(run_book(&sc, 6, &k) == 0, "book run");
    check_share(k.states[LOST], n, 0.5, "unserved A clients lost at 0.5 a year");
    book_only(&sc, E, 12);
    sc.clients.service_gap_months = 1;
    sc.clients.loss_if_unserved_per_year = 0.5;
    CHECK(run_book(&sc, 7, &k) == 0, "book run");
    CHECK(k.states[LOST] == 0, "E clients are not lost (%ld)", k.states[LOST]);
    book_only(&sc, A, 12);
    sc.clients.service_gap_months = 600;
    sc.clients.loss_if_unserved_per_year = 0.5;
    CHECK(run_book(&sc, 8, &k) == 0, "book run");
    check_share(k.states[LOST], n, mixed_share(600, 0, 0.5),
                "served A clients are lost only once unserved");

    /* Maturity: with a 1-year term every initial policy (bought 1 to 12
     * months ago) matures within the year; a matured client has a need
     * with probability matured_need. */
    book_only(&sc, N, 12);
    sc.clients.policy_term_years = 1;
    sc.clients.matured_need = 0.7;
    CHECK(run_book(&sc, 9, &k) == 0, "book run");
    CHECK(k.states[MATURED] == n && k.states[PAYING] == 0, "all policies matured (%ld of %ld)",
          k.states[MATURED], n);
    check_share(n - k.grades[N], n, 0.7, "a matured client has a need at matured_need");

    /* Renewals: each paying policy renews its premium once a year.  With
     * premiums of exactly 5000 and a 100-year term, a year of renewals is
     * 5000 x the policies that reach their anniversary before maturing:
     * all but those bought 1189 to 1200 months ago (1% at most). */
    book_only(&sc, N, 12);
    CHECK(run_book(&sc, 10, &k) == 0, "book run");
    {
        double per = k.renewals / 5000.0;
        CHECK(per == floor(per), "renewals are whole premiums (%.2f)", per);
        CHECK(per <= (double)n && per >= 0.985 * (double)n,
              "a year of renewals = one premium per policy (%.0f of %ld)", per, n);
    }
}

/* ------------------------------------------------------------------ */
/* Part 2: the book in the model                                       */
/* ------------------------------------------------------------------ */

/* A team with a book, equal agents, no team changes, a visit capacity that
 * never binds. */
static void with_book(kpi_scenario *sc)
{
    plain(sc);
    sc->clients.focus = 0.5;
    sc->clients.initial_per_agent = 100;
    sc->clients.referrals_per_sale = 0.5;
    sc->clients.referrals_per_contact = 0.1;
}

static void test_switches(void)
{
    kpi_scenario sc;
    run x;

    /* With the book on: identities still exact, and every source sells. */
    with_book(&sc);
    sc.months = 12;
    if (simulate(&sc, 200, 31, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    check_identities(&x, "book on");
    CHECK(total(&x, KPI_CASES_REPEAT) > 0 && total(&x, KPI_CASES_REFERRAL) > 0 &&
              total(&x, KPI_CASES_COLD) > 0, "cases from all three sources");
    CHECK(total(&x, KPI_RENEWAL_PREMIUM) > 0, "renewals are paid");
    {
        /* Calls to clients: Bin(calls, 0.5) a day as long as the book has
         * clients left to call (100 per agent, about 95 calls a month). */
        double share = total(&x, KPI_CALLS_TO_CLIENTS) / total(&x, KPI_CALLS);
        CHECK(share > 0.45 && share <= 0.5 + 0.01, "share of calls to clients %.4f ~ focus 0.5", share);
    }
    release(&x);

    /* focus = 0: no call to the book, no repeat case. */
    with_book(&sc);
    sc.clients.focus = 0;
    if (simulate(&sc, 100, 32, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_CASES_REPEAT) == 0 && total(&x, KPI_CALLS_TO_CLIENTS) == 0,
          "focus 0: no repeat cases (%g)", total(&x, KPI_CASES_REPEAT));
    release(&x);

    /* No referrals: no referral case; referrals per sale only: received
     * referrals = Poisson(0.5) per case. */
    with_book(&sc);
    sc.clients.referrals_per_sale = 0;
    sc.clients.referrals_per_contact = 0;
    if (simulate(&sc, 100, 33, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_CASES_REFERRAL) == 0 && total(&x, KPI_REFERRALS) == 0,
          "no referrals: no referral case");
    release(&x);
    with_book(&sc);
    sc.clients.referrals_per_contact = 0;
    if (simulate(&sc, 300, 34, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    {
        double cases = total(&x, KPI_CASES), refs = total(&x, KPI_REFERRALS);
        /* Sum of `cases` Poisson(0.5): mean 0.5 cases, variance 0.5 cases. */
        CHECK(fabs(refs - 0.5 * cases) <= K_SE * sqrt(0.5 * cases),
              "referrals = 0.5 per case: %.0f for %.0f cases", refs, cases);
        CHECK(total(&x, KPI_CASES_REFERRAL) > 0, "referrals are called and sell");
    }
    release(&x);
}

/* The old-client funnel realised on A clients: 3:3:2:1 with grade rate 1. */
static void test_old_client_funnel(void)
{
    kpi_scenario sc;
    run x;
    plain(&sc);
    sc.months = 3;
    sc.clients.focus = 1;
    sc.clients.initial_per_agent = 2000;   /* more A clients than 3 months of calls */
    for (int g = 0; g < 6; g++)
        sc.clients.grade_mix[g] = g == A ? 1 : 0;
    sc.clients.need_per_year = 0;
    sc.clients.lapse_per_year = sc.clients.lapse_if_unserved_per_year = 0;
    sc.clients.lapse_first_year = sc.clients.lapse_per_year;
    sc.clients.loss_if_unserved_per_year = 0;
    if (simulate(&sc, 100, 41, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double calls = total(&x, KPI_CALLS), cc = total(&x, KPI_CALLS_TO_CLIENTS);
    CHECK(cc == calls, "focus 1 with a large book: every call goes to a client");
    CHECK(total(&x, KPI_CONTACTS) == cc, "3:3 - every old client called is reached");
    check_ratio(total(&x, KPI_APPOINTMENTS), total(&x, KPI_CONTACTS), 2.0 / 3,
                "old clients: meetings / contacts = 2:3");
    check_ratio(total(&x, KPI_CASES), total(&x, KPI_MEETINGS), 0.5,
                "A clients: sales / meetings = 1:2");
    CHECK(total(&x, KPI_CASES_REPEAT) == total(&x, KPI_CASES), "all cases are repeat cases");
    release(&x);

    /* B clients convert at their grade rate: 0.3 x 1/2. */
    for (int g = 0; g < 6; g++)
        sc.clients.grade_mix[g] = g == B ? 1 : 0;
    sc.clients.b_to_a_months = 600;
    if (simulate(&sc, 100, 42, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    /* A few B clients turn A in 3 months (rate 1/600 a month): their
     * share of meetings is at most 3/600, so the expected ratio lies in
     * [0.15, 0.15 + 0.5 x 0.005]. */
    {
        double c = total(&x, KPI_CASES), h = total(&x, KPI_MEETINGS), se = sqrt(0.15 * 0.85 / h);
        CHECK(c / h >= 0.15 - K_SE * se && c / h <= 0.1525 + K_SE * se,
              "B clients: sales / meetings = 0.3 x 1/2: %.5f", c / h);
    }
    release(&x);

    /* The lifetime cap: with max_policies 1 nobody buys again. */
    plain(&sc);
    sc.months = 40;   /* so that R4's 36 months fit in the horizon */
    sc.clients.focus = 0.5;
    sc.clients.initial_per_agent = 100;
    sc.clients.max_policies = 1;
    if (simulate(&sc, 50, 43, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_CASES_REPEAT) == 0, "max_policies 1: no repeat case");
    CHECK(x.fig[KPI_FIG_SECOND_POLICY_36M] == 0, "max_policies 1: no second policy");
    release(&x);

    /* Upgrades: E and D clients with rate 0 sell only after a service
     * contact moved them up to B. */
    plain(&sc);
    sc.months = 6;
    sc.clients.focus = 0.5;
    sc.clients.initial_per_agent = 100;
    for (int g = 0; g < 6; g++)
        sc.clients.grade_mix[g] = g == E ? 1 : 0;
    sc.clients.grade_rate[D] = 0;
    sc.clients.grade_rate[E] = 0;
    sc.clients.need_per_year = 0;
    sc.clients.need_per_contact = 0;
    sc.clients.upgrade_per_contact = 0;
    if (simulate(&sc, 50, 44, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_CASES_REPEAT) == 0, "no upgrade: E clients at rate 0 never buy");
    release(&x);
    sc.clients.upgrade_per_contact = 1;
    if (simulate(&sc, 50, 44, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_CASES_REPEAT) > 0, "upgrades E -> D -> B make E clients buy (%g cases)",
          total(&x, KPI_CASES_REPEAT));
    release(&x);

    /* Needs found by service: an all-N book with no needs emerging buys
     * again only when contacts find needs.  One month, so that no client
     * is called twice. */
    plain(&sc);
    sc.months = 1;
    sc.clients.focus = 1;
    sc.clients.initial_per_agent = 2000;
    for (int g = 0; g < 6; g++)
        sc.clients.grade_mix[g] = g == N ? 1 : 0;
    sc.clients.need_per_year = 0;
    sc.clients.matured_need = 0;
    sc.clients.need_per_contact = 0;
    if (simulate(&sc, 50, 45, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_APPOINTMENTS) == 0 && total(&x, KPI_CONTACTS) > 0,
          "no need found: service calls to N clients set no meeting");
    release(&x);
    sc.clients.need_per_contact = 0.3;
    if (simulate(&sc, 50, 45, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    {
        /* Every call reaches its client (3:3); a need shows with 0.3, its
         * grade is C with 0.05 (no meeting), else the client meets with
         * 2/3: appointments / contacts = 0.3 x 0.95 x 2/3 = 0.19. */
        double p = 0.3 * 0.95 * 2.0 / 3.0;
        check_ratio(total(&x, KPI_APPOINTMENTS), total(&x, KPI_CONTACTS), p,
                    "needs found on the call: meetings / contacts");
    }
    release(&x);
}

static void test_service_and_team(void)
{
    kpi_scenario sc;
    run x, y;

    /* Service keeps clients: with lapses higher when unserved and losses
     * of unserved A/B clients, calling the book lowers both. */
    plain(&sc);
    sc.months = 24;
    sc.clients.initial_per_agent = 100;
    sc.clients.service_gap_months = 6;
    sc.clients.lapse_per_year = 0.02;
    sc.clients.lapse_first_year = sc.clients.lapse_per_year;
    sc.clients.lapse_if_unserved_per_year = 0.3;
    sc.clients.loss_if_unserved_per_year = 0.3;
    sc.clients.focus = 0;
    if (simulate(&sc, 100, 51, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    sc.clients.focus = 0.6;
    if (simulate(&sc, 100, 51, &y) != 0) {
        CHECK(0, "simulation failed");
        release(&x);
        return;
    }
    CHECK(total(&y, KPI_CLIENTS_LOST) < 0.5 * total(&x, KPI_CLIENTS_LOST),
          "serving the book halves losses at least (%g vs %g)", total(&y, KPI_CLIENTS_LOST),
          total(&x, KPI_CLIENTS_LOST));
    {
        const int M = x.M;
        double lx = 0, ly = 0;
        for (long r = 0; r < x.R; r++) {
            lx += AT(x.mon, r, M - 1, KPI_CLIENTS_LAPSED) / AT(x.mon, r, M - 1, KPI_CLIENTS);
            ly += AT(y.mon, r, M - 1, KPI_CLIENTS_LAPSED) / AT(y.mon, r, M - 1, KPI_CLIENTS);
        }
        CHECK(ly < lx, "served books lapse less (%.4f vs %.4f)", ly / (double)y.R, lx / (double)x.R);
    }
    release(&x);
    release(&y);

    /* Orphans: a leaver's book is reassigned (nothing lost) or lost. */
    plain(&sc);
    sc.months = 6;
    sc.clients.initial_per_agent = 50;
    sc.clients.need_per_year = 0;   /* N clients are never lost otherwise */
    sc.clients.loss_if_unserved_per_year = 0;
    sc.team.attrition = 0.1;
    sc.clients.orphan_policy = KPI_ORPHAN_REASSIGN;
    if (simulate(&sc, 100, 52, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    CHECK(total(&x, KPI_EXITS) > 0 && total(&x, KPI_CLIENTS_LOST) == 0,
          "reassign: exits lose no client");
    {
        /* Clients only grow: initial + new clients from cold cases. */
        const int M = x.M;
        int bad = 0;
        for (long r = 0; r < x.R; r++) {
            for (int mo = 1; mo < M; mo++)
                if (AT(x.mon, r, mo, KPI_CLIENTS) !=
                    AT(x.mon, r, mo - 1, KPI_CLIENTS) + AT(x.mon, r, mo, KPI_CASES_COLD))
                    bad++;
        }
        CHECK(bad == 0, "reassign: clients(m) = clients(m-1) + new clients (%d bad months)", bad);
    }
    release(&x);
    sc.clients.orphan_policy = KPI_ORPHAN_LOSE;
    if (simulate(&sc, 100, 52, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    {
        const int M = x.M;
        int bad = 0;
        for (long r = 0; r < x.R; r++)
            for (int mo = 1; mo < M; mo++)
                if (AT(x.mon, r, mo, KPI_CLIENTS) !=
                    AT(x.mon, r, mo - 1, KPI_CLIENTS) + AT(x.mon, r, mo, KPI_CASES_COLD) -
                        AT(x.mon, r, mo, KPI_CLIENTS_LOST))
                    bad++;
        CHECK(bad == 0, "lose: clients(m) = clients(m-1) + new - lost (%d bad months)", bad);
        CHECK(total(&x, KPI_CLIENTS_LOST) > 0, "lose: leavers' clients are lost");
    }
    release(&x);

    /* A thank-you event: attendees are service contacts who refer. */
    plain(&sc);
    sc.months = 3;
    sc.clients.initial_per_agent = 100;
    sc.clients.referrals_per_contact = 0.5;
    sc.nevents = 1;
    kpi_event_defaults(&sc.events[0], KPI_EVENT_THANK_YOU);
    sc.events[0].month = 2;
    sc.events[0].invited = 0.5;
    if (simulate(&sc, 200, 53, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    {
        /* Referrals in month 2 = Poisson(0.5) per attendee, attendees ~
         * Bin(clients, 0.5): mean 0.25 x clients at the start of month 2
         * (clients at the end of month 1). */
        double refs = 0, clients = 0;
        const int M = x.M;
        for (long r = 0; r < x.R; r++) {
            refs += AT(x.mon, r, 1, KPI_REFERRALS);
            clients += AT(x.mon, r, 0, KPI_CLIENTS);
        }
        CHECK(total(&x, KPI_REFERRALS) == refs, "referrals only from the event month");
        CHECK(fabs(refs - 0.25 * clients) <= K_SE * sqrt(0.25 * clients + 0.0625 * clients),
              "thank-you event: referrals %.0f for %.0f clients at 0.5 x 0.5", refs, clients);
    }
    release(&x);
}

/* clients.repeat_share as an input. */
static void test_repeat_share_input(void)
{
    kpi_scenario sc;
    kpi_scenario_defaults(&sc);
    first_model(&sc);
    sc.months = 36;
    sc.clients.repeat_share = 0.4;
    kpi_run_opts o = {300, 7, 2, NULL, NULL, NULL, 0};
    kpi_focus_report fr;
    kpi_error err;
    int rc = kpi_scenario_resolve_focus(&sc, &o, &fr, &err);
    CHECK(rc == KPI_OK, "resolve focus: %s", err.msg);
    if (rc != KPI_OK)
        return;
    CHECK(sc.clients.repeat_share < 0 && sc.clients.focus == fr.focus, "focus written back");
    CHECK(fabs(fr.achieved - 0.4) <= 0.002, "pilot share %.4f within 0.002 of 0.4", fr.achieved);
    kpi_results *res = NULL;
    rc = kpi_run(&sc, &o, &res, &err);
    CHECK(rc == KPI_OK, "run at the found focus");
    if (rc == KPI_OK) {
        /* The pilot is the run's 300 replications: the pooled share of
         * the run is the pilot's. */
        double rep = 0, cases = 0;
        for (long i = 0; i < res->replications * res->months; i++) {
            rep += res->monthly[i * KPI_NKPI + KPI_CASES_REPEAT];
            cases += res->monthly[i * KPI_NKPI + KPI_CASES];
        }
        CHECK(fabs(rep / cases - 0.4) <= 0.002, "realised repeat share %.4f of 0.4", rep / cases);
    }
    kpi_results_free(res);

    /* Unreachable: a 3-month horizon with no initial book. */
    kpi_scenario_defaults(&sc);
    first_model(&sc);
    sc.months = 3;
    sc.clients.initial_per_agent = 0;
    sc.clients.repeat_share = 0.7;
    kpi_run_opts o2 = {50, 7, 2, NULL, NULL, NULL, 0};
    rc = kpi_scenario_resolve_focus(&sc, &o2, &fr, &err);
    CHECK(rc == KPI_EDATA && strstr(err.msg, "no client focus") != NULL &&
              strcmp(err.key, "clients.repeat_share") == 0,
          "an unreachable share is a scenario error: %s", err.msg);
    /* Running without resolving is refused. */
    rc = kpi_run(&sc, &o2, &res, &err);
    CHECK(rc == KPI_EUSAGE, "kpi_run refuses an unresolved repeat share");
}

/* The default scenario over six years: R4 in 70-80%, C1 in 2-6, repeat
 * share rising.  The tolerance is the band itself: the means must lie
 * inside the sources' ranges by more than 4.5 SE. */
static void test_default_claims(void)
{
    kpi_scenario sc;
    kpi_error err;
    size_t len;
    const char *text = kpi_default_scenario_text(&len);
    if (kpi_scenario_load_string(&sc, text, len, "default", &err) != KPI_OK) {
        CHECK(0, "default scenario: %s", err.msg);
        return;
    }
    sc.months = 72;
    run x;
    if (simulate(&sc, 60, 61, &x) != 0) {
        CHECK(0, "simulation failed");
        return;
    }
    double s = 0, ss = 0, c = 0, cc = 0;
    for (long r = 0; r < x.R; r++) {
        double v = x.fig[r * KPI_NFIG + KPI_FIG_SECOND_POLICY_36M];
        double w = x.fig[r * KPI_NFIG + KPI_FIG_C1_COST_RATIO];
        s += v;
        ss += v * v;
        c += w;
        cc += w * w;
    }
    double n = (double)x.R, r4 = s / n, r4se = sqrt((ss / n - r4 * r4) / (n - 1));
    double c1 = c / n, c1se = sqrt((cc / n - c1 * c1) / (n - 1));
    CHECK(r4 - K_SE * r4se > 0.70 && r4 + K_SE * r4se < 0.80,
          "R4: second policy within 36 months %.4f (se %.4f) in 70-80%%", r4, r4se);
    CHECK(c1 - K_SE * c1se > 2 && c1 + K_SE * c1se < 6, "C1: cost ratio %.3f (se %.3f) in 2-6",
          c1, c1se);
    /* Repeat share by year rises year after year. */
    {
        const int M = x.M;
        double prev = -1;
        int rising = 1;
        for (int y = 0; y < 6; y++) {
            double rep = 0, cases = 0;
            for (long r = 0; r < x.R; r++)
                for (int mo = 12 * y; mo < 12 * y + 12; mo++) {
                    rep += AT(x.mon, r, mo, KPI_CASES_REPEAT);
                    cases += AT(x.mon, r, mo, KPI_CASES);
                }
            if (rep / cases <= prev)
                rising = 0;
            prev = rep / cases;
        }
        CHECK(rising, "repeat share rises year after year (last year %.3f)", prev);
    }
    check_identities(&x, "default, 72 months");
    release(&x);
}

int main(void)
{
    test_transitions();
    test_switches();
    test_old_client_funnel();
    test_service_and_team();
    test_repeat_share_input();
    test_default_claims();
    return TEST_DONE();
}
