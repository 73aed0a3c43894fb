/*
 * test_engagement.c - the engagement chain (engine/engagement.c) from first
 * principles: the adjusted matrix against the rules of engagement.h worked
 * by hand, the stationary law against a linear solve (GSL's LU) of
 * pi (P - I) = 0 with sum(pi) = 1, and long runs of the chain drawn with
 * kpi_engagement_next against that law, within standard errors.
 */
#define TEST_NAME "test_engagement"
#include "harness.h"

#include "engagement.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>

static kpi_engagement_params sample_params(void)
{
    kpi_engagement_params p = {
        .move = {{0, 0.08, 0.02}, {0.25, 0, 0.10}, {0.05, 0.10, 0}},
        .no_case_factor = 1.5,
        .case_factor = 2.0,
        .new_agent_factor = 2.0,
        .new_agent_months = 6,
    };
    return p;
}

/* pi from the linear system: rows of (P^T - I) with the last replaced by
 * the normalisation. */
static void solve_stationary(const double P[3][3], double pi[3])
{
    double a[9], b[3] = {0, 0, 1};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            a[i * 3 + j] = i == 2 ? 1.0 : P[j][i] - (i == j);
    gsl_matrix_view m = gsl_matrix_view_array(a, 3, 3);
    gsl_vector_view bv = gsl_vector_view_array(b, 3);
    gsl_vector *x = gsl_vector_alloc(3);
    gsl_permutation *perm = gsl_permutation_alloc(3);
    int s;
    gsl_linalg_LU_decomp(&m.matrix, perm, &s);
    gsl_linalg_LU_solve(&m.matrix, perm, &bv.vector, x);
    for (int i = 0; i < 3; i++)
        pi[i] = gsl_vector_get(x, (size_t)i);
    gsl_vector_free(x);
    gsl_permutation_free(perm);
}

static void test_matrix(void)
{
    kpi_engagement_params p = sample_params();
    double P[3][3];
    /* Neutral month with a case, not new: up moves x 2. */
    kpi_engagement_matrix(&p, 1, 1, 1, 0, P);
    CHECK_NEAR(P[0][1], 0.08, 1e-15, "engaged->coasting after a case");
    CHECK_NEAR(P[1][0], 0.50, 1e-15, "coasting->engaged after a case (x2)");
    CHECK_NEAR(P[2][0], 0.10, 1e-15, "dormant->engaged after a case (x2)");
    CHECK_NEAR(P[1][1], 1 - 0.50 - 0.10, 1e-15, "coasting stays");
    /* No case, new agent: down moves x 1.5 x 2 = x 3. */
    kpi_engagement_matrix(&p, 1, 1, 0, 1, P);
    CHECK_NEAR(P[0][1], 0.24, 1e-15, "engaged->coasting, no case, new");
    CHECK_NEAR(P[0][2], 0.06, 1e-15, "engaged->dormant, no case, new");
    CHECK_NEAR(P[1][2], 0.30, 1e-15, "coasting->dormant, no case, new");
    CHECK_NEAR(P[1][0], 0.25, 1e-15, "coasting->engaged, no case");
    /* Management: down x 0.5, up x 1.2. */
    kpi_engagement_matrix(&p, 0.5, 1.2, 0, 0, P);
    CHECK_NEAR(P[0][1], 0.08 * 1.5 * 0.5, 1e-15, "lever on a down move");
    CHECK_NEAR(P[2][1], 0.10 * 1.2, 1e-15, "lever on an up move");
    /* Moves adding up to more than 1 are scaled to exactly 1. */
    kpi_engagement_params q = p;
    q.move[1][0] = 0.6;
    q.move[1][2] = 0.3;
    kpi_engagement_matrix(&q, 1, 1, 1, 0, P);   /* 1.2 + 0.3 = 1.5 */
    CHECK_NEAR(P[1][0], 1.2 / 1.5, 1e-15, "scaled up move");
    CHECK_NEAR(P[1][2], 0.3 / 1.5, 1e-15, "scaled down move");
    CHECK_NEAR(P[1][1], 0, 1e-15, "no stay when the moves exceed 1");
    for (int c = 0; c < 2; c++)
        for (int n = 0; n < 2; n++) {
            kpi_engagement_matrix(&p, 1, 1, c, n, P);
            for (int i = 0; i < 3; i++)
                CHECK_NEAR(P[i][0] + P[i][1] + P[i][2], 1, 1e-15, "row sum");
        }
}

static void test_stationary(void)
{
    kpi_engagement_params p = sample_params();
    for (int c = 0; c < 2; c++) {
        double P[3][3], pi[3], want[3];
        kpi_engagement_matrix(&p, 1, 1, c, 0, P);
        CHECK(kpi_engagement_stationary(P, pi) == 0, "stationary law exists");
        solve_stationary(P, want);
        for (int i = 0; i < 3; i++)
            CHECK_NEAR(pi[i], want[i], 1e-12, "tree theorem against LU");
        /* pi P = pi. */
        for (int j = 0; j < 3; j++)
            CHECK_NEAR(pi[0] * P[0][j] + pi[1] * P[1][j] + pi[2] * P[2][j], pi[j], 1e-14,
                       "pi P = pi");
    }
    /* A chain that never moves has no unique stationary law. */
    double I[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, pi[3];
    CHECK(kpi_engagement_stationary(I, pi) == -1, "no unique law for the identity");
}

/* The chain drawn for many steps: time shares against pi (with a case
 * every month, not new).  The standard error of a time share of a chain
 * is larger than sqrt(pi (1 - pi) / n) by the autocorrelation; the
 * batch-means error over 100 batches is used as the tolerance's unit. */
static void test_draws(void)
{
    kpi_engagement_params p = sample_params();
    kpi_engagement_law law;
    kpi_engagement_prepare(&law, &p, 1, 1);
    double P[3][3], pi[3];
    kpi_engagement_matrix(&p, 1, 1, 1, 0, P);
    kpi_engagement_stationary(P, pi);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    const long batches = 100, per = 20000;
    double share[100][3] = {{0}};
    int s = KPI_ENGAGED;
    long trans[3][3] = {{0}}, from[3] = {0};
    for (long b = 0; b < batches; b++)
        for (long t = 0; t < per; t++) {
            int next = kpi_engagement_next(&law, s, 1, 24.0, gsl_rng_uniform(r));
            trans[s][next]++;
            from[s]++;
            s = next;
            share[b][s] += 1.0 / (double)per;
        }
    for (int i = 0; i < 3; i++) {
        double m = 0, v = 0;
        for (long b = 0; b < batches; b++)
            m += share[b][i] / (double)batches;
        for (long b = 0; b < batches; b++)
            v += (share[b][i] - m) * (share[b][i] - m) / (double)(batches - 1);
        double se = sqrt(v / (double)batches);
        CHECK(fabs(m - pi[i]) < 4 * se, "time share of state %d: %.4f vs pi %.4f (se %.4f)", i,
              m, pi[i], se);
        for (int j = 0; j < 3; j++) {
            double ph = (double)trans[i][j] / (double)from[i];
            double sej = sqrt(P[i][j] * (1 - P[i][j]) / (double)from[i]);
            CHECK(fabs(ph - P[i][j]) <= 4 * sej + 1e-12,
                  "move %d->%d: %.4f vs %.4f (se %.4f)", i, j, ph, P[i][j], sej);
        }
    }
    /* New agents (tenure below new_agent_months) use the fragile rows. */
    kpi_engagement_matrix(&p, 1, 1, 0, 1, P);
    long n = 200000, down = 0;
    for (long t = 0; t < n; t++)
        down += kpi_engagement_next(&law, KPI_ENGAGED, 0, 2.0, gsl_rng_uniform(r)) != KPI_ENGAGED;
    double want = P[0][1] + P[0][2], se = sqrt(want * (1 - want) / (double)n);
    CHECK(fabs((double)down / (double)n - want) < 4 * se,
          "a new agent without a case slides with %.4f (want %.4f)", (double)down / (double)n,
          want);
    gsl_rng_free(r);
}

int main(void)
{
    test_matrix();
    test_stationary();
    test_draws();
    return TEST_DONE();
}
