/*
 * engagement.c - the monthly chain of agent engagement.  See engagement.h
 * and docs/model.md "Engagement".
 */
#include "engagement.h"

/* Whether moving from state i to state j is downward (less activity). */
static int downward(int i, int j)
{
    return j > i;
}

void kpi_engagement_matrix(const kpi_engagement_params *p, double down, double up,
                           int had_case, int is_new, double P[KPI_NSTATES][KPI_NSTATES])
{
    double fd = down * (had_case ? 1.0 : p->no_case_factor) * (is_new ? p->new_agent_factor : 1.0);
    double fu = up * (had_case ? p->case_factor : 1.0);
    for (int i = 0; i < KPI_NSTATES; i++) {
        double out = 0;
        for (int j = 0; j < KPI_NSTATES; j++) {
            if (j == i)
                continue;
            double x = p->move[i][j] * (downward(i, j) ? fd : fu);
            P[i][j] = x > 0 ? x : 0;
            out += P[i][j];
        }
        if (out > 1) {
            for (int j = 0; j < KPI_NSTATES; j++)
                if (j != i)
                    P[i][j] /= out;
            out = 1;
        }
        P[i][i] = 1 - out;
    }
}

void kpi_engagement_prepare(kpi_engagement_law *law, const kpi_engagement_params *p,
                            double down, double up)
{
    law->new_agent_months = p->new_agent_months;
    for (int c = 0; c < 2; c++)
        for (int n = 0; n < 2; n++) {
            double P[KPI_NSTATES][KPI_NSTATES];
            kpi_engagement_matrix(p, down, up, c, n, P);
            for (int i = 0; i < KPI_NSTATES; i++) {
                double s = 0;
                for (int j = 0; j < KPI_NSTATES; j++)
                    law->cdf[c][n][i][j] = s += P[i][j];
                /* The last state takes whatever rounding left over. */
                law->cdf[c][n][i][KPI_NSTATES - 1] = 2.0;
            }
        }
}

int kpi_engagement_stationary(const double P[KPI_NSTATES][KPI_NSTATES], double pi[KPI_NSTATES])
{
    /* The trees into state i span the other two states j, k: the three
     * trees are j->i k->i, j->k k->i and k->j j->i. */
    double w[KPI_NSTATES], total = 0;
    for (int i = 0; i < KPI_NSTATES; i++) {
        int j = (i + 1) % KPI_NSTATES, k = (i + 2) % KPI_NSTATES;
        w[i] = P[j][i] * P[k][i] + P[j][k] * P[k][i] + P[k][j] * P[j][i];
        total += w[i];
    }
    if (!(total > 0))
        return -1;
    for (int i = 0; i < KPI_NSTATES; i++)
        pi[i] = w[i] / total;
    return 0;
}
