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
    return TEST_DONE();
}
