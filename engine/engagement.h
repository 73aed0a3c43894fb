/*
 * engagement.h - agent engagement (private to the library): the monthly
 * Markov chain of docs/model.md "Engagement" (M1, M4, K2).
 *
 * An agent is, month by month, engaged (works the plan with its
 * compliance), coasting (works a small share of the plan every day) or
 * dormant (no activity at all, still on the team).  At each month end the
 * agent moves by a chain whose probabilities are the scenario's base moves,
 * adjusted for what the month was:
 *   - after a month without a case the downward moves (engaged -> coasting,
 *     engaged -> dormant, coasting -> dormant) are multiplied by
 *     no_case_factor; after a month with a case the upward moves (coasting
 *     -> engaged, dormant -> engaged, dormant -> coasting) by case_factor;
 *   - while the agent's tenure is below new_agent_months its downward moves
 *     are multiplied by new_agent_factor as well (new agents are fragile);
 *   - a management multiplier (issue 15's levers) scales the downward and
 *     the upward moves of the month.
 * When a state's adjusted moves add up to more than 1 they are scaled down
 * to add up to exactly 1 (the agent surely leaves that state).
 *
 * The law is tabulated once a month as cumulative rows, so a move is one
 * uniform and at most two comparisons.
 */
#ifndef KPI_ENGAGEMENT_H
#define KPI_ENGAGEMENT_H

enum kpi_engagement_state {
    KPI_ENGAGED = 0,
    KPI_COASTING = 1,
    KPI_DORMANT = 2,
    KPI_NSTATES = 3
};

/* The chain's parameters.  move[i][j], i != j, is the base monthly
 * probability of moving from state i to state j; the diagonal is ignored. */
typedef struct kpi_engagement_params {
    double move[KPI_NSTATES][KPI_NSTATES];
    double no_case_factor;     /* x downward moves after a month without a case */
    double case_factor;        /* x upward moves after a month with a case */
    double new_agent_factor;   /* x downward moves while tenure < new_agent_months */
    double new_agent_months;
} kpi_engagement_params;

/* The month's law: cumulative rows [had_case][is_new][from][to]. */
typedef struct kpi_engagement_law {
    double cdf[2][2][KPI_NSTATES][KPI_NSTATES];
    double new_agent_months;
} kpi_engagement_law;

/* Tabulates the law of a month from the parameters and the management
 * multipliers of that month on downward and upward moves (1 = none). */
void kpi_engagement_prepare(kpi_engagement_law *law, const kpi_engagement_params *p,
                            double down, double up);

/* The adjusted transition matrix of one case (had_case, is_new), rows
 * adding up to 1: for explain and the tests. */
void kpi_engagement_matrix(const kpi_engagement_params *p, double down, double up,
                           int had_case, int is_new, double P[KPI_NSTATES][KPI_NSTATES]);

/* The state after a month end, from the uniform u in [0, 1). */
static inline int kpi_engagement_next(const kpi_engagement_law *law, int state, int had_case,
                                      double tenure, double u)
{
    const double *row = law->cdf[had_case != 0][tenure < law->new_agent_months][state];
    return u < row[0] ? KPI_ENGAGED : u < row[1] ? KPI_COASTING : KPI_DORMANT;
}

/* The stationary law pi of a 3-state transition matrix P (rows adding up
 * to 1), by the Markov chain tree theorem: pi_i is proportional to the sum
 * over the spanning trees directed into i of the products of their moves.
 * Returns 0, or -1 when the chain has no unique stationary law (every
 * tree weight is 0). */
int kpi_engagement_stationary(const double P[KPI_NSTATES][KPI_NSTATES], double pi[KPI_NSTATES]);

#endif /* KPI_ENGAGEMENT_H */
