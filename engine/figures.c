/*
 * figures.c - the horizon figures of one replication (docs/model.md
 * "Horizon figures"): sums and ratios over its monthly table, the
 * volatility of its premium around its own trend, discounting, and the
 * tallies the model keeps for the sales cycle and recruit retention.  A
 * figure the horizon cannot measure (retention over 12 months, say) is
 * NaN, which the writers leave as an empty cell.
 */
#include "model_private.h"

#include <math.h>

static double ratio(double a, double b)
{
    return b != 0 ? a / b : 0;
}

/* The months premium_volatility leaves out at the start: every replication
 * starts with empty diaries and, under the sales cycle, no prospect half way
 * through, so its first months write less than the team's run rate (the
 * default team's first month about half of its sixth) whatever the weather.
 * That transient is the model's start, not the team's volatility, and is
 * discarded as a simulation's warm-up is (docs/model.md "Horizon figures"):
 * three months, or a quarter of a shorter horizon. */
static int volatility_warmup(int months)
{
    return months / 4 < 3 ? months / 4 : 3;
}

/* The standard deviation of the residuals of log monthly premium around
 * the replication's own least-squares line (n - 2 degrees of freedom),
 * after the warm-up months.  Months without premium have no logarithm and
 * are left out; with fewer than 3 months of premium the figure cannot be
 * measured (NaN). */
static double log_trend_residual_sd(const double *monthly, int months)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    const int first = volatility_warmup(months);
    for (int mo = first; mo < months; mo++) {
        double p = monthly[mo * KPI_NKPI + KPI_PREMIUM];
        if (!(p > 0))
            continue;
        double x = mo, y = log(p);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        n++;
    }
    if (n < 3)
        return NAN;
    double mx = sx / n, my = sy / n;
    double vxx = sxx - n * mx * mx, vxy = sxy - n * mx * my;
    double slope = vxx > 0 ? vxy / vxx : 0, icept = my - slope * mx, ss = 0;
    for (int mo = first; mo < months; mo++) {
        double p = monthly[mo * KPI_NKPI + KPI_PREMIUM];
        if (!(p > 0))
            continue;
        double r = log(p) - (icept + slope * mo);
        ss += r * r;
    }
    return sqrt(ss / (n - 2));
}

void kpi_figures_compute(const kpi_model *m, const double *monthly, double contacts, double *fig)
{
    const kpi_scenario *sc = m->sc;
    const int M = sc->months;
    double sum[KPI_NKPI] = {0};
    for (int mo = 0; mo < M; mo++)
        for (int k = 0; k < KPI_NKPI; k++)
            sum[k] += monthly[mo * KPI_NKPI + k];
    double last_cases = 0, last_repeat = 0;
    for (int mo = M > 12 ? M - 12 : 0; mo < M; mo++) {
        last_cases += monthly[mo * KPI_NKPI + KPI_CASES];
        last_repeat += monthly[mo * KPI_NKPI + KPI_CASES_REPEAT];
    }
    double mean_prem = sum[KPI_PREMIUM] / M, ss = 0, discounted = 0;
    for (int mo = 0; mo < M; mo++) {
        double d = monthly[mo * KPI_NKPI + KPI_PREMIUM] - mean_prem;
        ss += d * d;
        /* Each month's profit is discounted from its end. */
        discounted += monthly[mo * KPI_NKPI + KPI_PROFIT] *
                      pow(1 + sc->economics.discount_rate, -(mo + 1) / 12.0);
    }
    double sd_prem = M > 1 ? sqrt(ss / (M - 1)) : 0;

    fig[KPI_FIG_TOTAL_PREMIUM] = sum[KPI_PREMIUM];
    fig[KPI_FIG_TOTAL_CASES] = sum[KPI_CASES];
    fig[KPI_FIG_FINAL_HEADCOUNT] = m->n;
    fig[KPI_FIG_MEAN_HEADCOUNT] = sum[KPI_HEADCOUNT] / M;
    fig[KPI_FIG_MEAN_ACTIVITY_RATE] = sum[KPI_ACTIVITY_RATE] / M;
    fig[KPI_FIG_CASES_PER_ACTIVE] = ratio(sum[KPI_CASES], sum[KPI_ACTIVE_AGENTS]);
    fig[KPI_FIG_PREMIUM_PER_CASE] = ratio(sum[KPI_PREMIUM], sum[KPI_CASES]);
    fig[KPI_FIG_REPEAT_SHARE] = ratio(sum[KPI_CASES_REPEAT], sum[KPI_CASES]);
    fig[KPI_FIG_REPEAT_SHARE_LAST12] = ratio(last_repeat, last_cases);
    fig[KPI_FIG_TOTAL_CALLS] = sum[KPI_CALLS];
    fig[KPI_FIG_TOTAL_MEETINGS] = sum[KPI_MEETINGS];
    fig[KPI_FIG_APPOINTMENTS_LOST] = sum[KPI_APPOINTMENTS_LOST];
    fig[KPI_FIG_TOTAL_RECRUITS] = sum[KPI_RECRUITS];
    fig[KPI_FIG_TOTAL_EXITS] = sum[KPI_EXITS];
    fig[KPI_FIG_FINAL_CLIENTS] = monthly[(M - 1) * KPI_NKPI + KPI_CLIENTS];
    fig[KPI_FIG_CLIENTS_LOST] = sum[KPI_CLIENTS_LOST];
    fig[KPI_FIG_TOTAL_RENEWAL_PREMIUM] = sum[KPI_RENEWAL_PREMIUM];
    fig[KPI_FIG_TOTAL_INCOME] = sum[KPI_INCOME];
    fig[KPI_FIG_TOTAL_COST] = sum[KPI_COST];
    fig[KPI_FIG_PROFIT] = sum[KPI_PROFIT];
    fig[KPI_FIG_PREMIUM_MONTHLY_CV] = ratio(sd_prem, mean_prem);
    /* C1: acquiring a client (per new-prospect case) against keeping one
     * for a year (service contacts per client-year in the book). */
    double client_years = sum[KPI_CLIENTS] / 12.0;
    double keep = ratio(sc->economics.cost_per_contact * contacts, client_years);
    fig[KPI_FIG_C1_COST_RATIO] = ratio(sc->economics.cost_per_new_client, keep);

    fig[KPI_FIG_PREMIUM_VOLATILITY] = log_trend_residual_sd(monthly, M);
    fig[KPI_FIG_DISCOUNTED_PROFIT] = discounted;
    fig[KPI_FIG_TOTAL_APPLICATIONS] = sum[KPI_APPLICATIONS];
    fig[KPI_FIG_NOT_TAKEN_SHARE] = ratio(sum[KPI_NOT_TAKEN], sum[KPI_APPLICATIONS]);
    /* Without the sales cycle a case is issued at its only meeting. */
    fig[KPI_FIG_CYCLE_DAYS_MEAN] = m->cycle ? ratio(m->cycle_days, m->cycle_cases) : 0;
    fig[KPI_FIG_RECRUIT_RETENTION_13M] = m->ret_joined > 0 ? m->ret_kept / m->ret_joined : NAN;
    fig[KPI_FIG_AGENT_INCOME_MEAN] = ratio(sum[KPI_AGENT_COMMISSION], sum[KPI_HEADCOUNT]);
    fig[KPI_FIG_TOTAL_CLAWBACK] = sum[KPI_CLAWBACK];
    fig[KPI_FIG_MODEL_VERSION] = KPI_MODEL_VERSION;
}
