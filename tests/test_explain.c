/*
 * test_explain.c - `kpisim explain`'s arithmetic against the simulation.
 *
 * On a plain team (no book, equal agents at full skill, a visit capacity
 * that never binds) the whiteboard figures are the model's exact means:
 * calls, and cases in every month after the first (the first month loses
 * its last day's meetings to the next).  Checked within K_SE standard
 * errors.
 */
#define TEST_NAME "test_explain"
#include "harness.h"

#include "simkit.h"

static const kpi_explain_line *find(const kpi_explain_line *l, int n, const char *label)
{
    for (int i = 0; i < n; i++)
        if (!l[i].heading && strcmp(l[i].label, label) == 0)
            return &l[i];
    return NULL;
}

int main(void)
{
    kpi_scenario sc;
    plain(&sc);
    kpi_explain_line lines[64];
    int n = kpi_explain(&sc, lines, 64);
    const kpi_explain_line *calls = find(lines, n, "calls"), *cases = find(lines, n, "cases"),
                           *cap = find(lines, n, "visit capacity");
    CHECK(calls && cases && cap, "explain gives calls, cases and the visit capacity");
    if (!calls || !cases || !cap)
        return TEST_DONE();
    /* By hand: 22 x 10 x (0.8 + 0.2 x 0.3) = 189.2 calls; x 0.7 x 3/7 x 1/3. */
    CHECK_NEAR(calls->value, 189.2, 1e-9, "calls by hand");
    CHECK_NEAR(cases->value, 189.2 * 0.1, 1e-9, "cases by hand");
    CHECK(strstr(calls->formula, "22 x 7.9") || strstr(calls->formula, "22 x 8.6"),
          "the formula shows the numbers: %s", calls->formula);

    run x;
    if (simulate(&sc, 1000, 71, &x) != 0) {
        CHECK(0, "simulation failed");
        return TEST_DONE();
    }
    const double H = sc.team.headcount;
    check_mean(&x, KPI_CALLS, 0, 6, 6 * H * calls->value, "simulated calls = explain's");
    check_mean(&x, KPI_CASES_COLD, 1, 6, 5 * H * cases->value,
               "simulated cases in months 2-6 = explain's");
    release(&x);

    /* issue 17: the appointments of calls to the book count against the
     * visit capacity.  A plain team whose book is large and every client
     * in it has a need (grade A): half the calls go to the book, each sets
     * an appointment with probability 3/3 x 2/3 (funnel.old_client). */
    plain(&sc);
    sc.clients.focus = 0.5;
    sc.clients.initial_per_agent = 2000;
    for (int g = 0; g < 6; g++)
        sc.clients.grade_mix[g] = g == 0 ? 1 : 0;
    n = kpi_explain(&sc, lines, 64);
    const kpi_explain_line *appts = find(lines, n, "appointments from the book"),
                           *set = find(lines, n, "meetings set a month"),
                           *day = find(lines, n, "meetings set a plan day");
    CHECK(appts && set && day, "explain gives the book's appointments and the meetings set");
    if (!appts || !set || !day)
        return TEST_DONE();
    /* 189.2 calls x 0.5 to the book x 3/3 x 2/3; prospects 94.6 x 7/10 x 3/7. */
    CHECK_NEAR(appts->value, 189.2 * 0.5 * 2.0 / 3, 1e-9, "book appointments by hand");
    CHECK_NEAR(set->value, 189.2 * 0.5 * 0.3 + 189.2 * 0.5 * 2.0 / 3, 1e-9,
               "meetings set a month: prospects and the book");
    CHECK_NEAR(day->value, 10 * 0.5 * 0.3 + 10 * 0.5 * 2.0 / 3, 1e-9,
               "meetings set a plan day: prospects and the book");
    CHECK(appts->kpi == KPI_APPOINTMENTS_CLIENTS && appts->per_agent,
          "the book's appointments are compared with appointments_clients per agent");
    if (simulate(&sc, 400, 73, &x) != 0) {
        CHECK(0, "simulation with a book failed");
        return TEST_DONE();
    }
    check_mean(&x, KPI_APPOINTMENTS_CLIENTS, 0, 6, 6 * H * appts->value,
               "simulated appointments from the book = explain's");
    check_mean(&x, KPI_CALLS_TO_CLIENTS, 0, 6, 6 * H * 189.2 * 0.5,
               "simulated calls to the book = explain's");
    release(&x);
    return TEST_DONE();
}
