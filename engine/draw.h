/*
 * draw.h - samplers the model's hot loop reuses (private to the library).
 *
 * The number of calls an agent makes in a day is Poisson with a mean that
 * changes only month by month (or on contest days), and it is drawn for
 * every agent-day.  kpi_poisson tabulates that law once with GSL's Walker
 * alias tables (gsl_ran_discrete): one uniform per draw instead of the
 * mean + 1 uniforms and the exp() of the textbook method, with the same law.
 */
#ifndef KPI_DRAW_H
#define KPI_DRAW_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* Largest mean tabulated; larger means are drawn with gsl_ran_poisson. */
#define KPI_POISSON_TABLE_MAX 700.0

typedef struct kpi_poisson {
    double mu;
    size_t k;                  /* table outcomes 0 .. k - 1, outcome k = "k or more" */
    double tail;               /* P(X >= k) */
    gsl_ran_discrete_t *table; /* NULL when mu is 0 or beyond the table */
} kpi_poisson;

/* Prepares p for mean mu >= 0 (frees an earlier table of p).  Returns 0, or
 * -1 when out of memory.  Re-preparing for the same mean does nothing. */
int kpi_poisson_prepare(kpi_poisson *p, double mu);

/* One draw of Poisson(mu): exact in law (the tail beyond the table is drawn
 * by inversion of the conditional tail law). */
unsigned kpi_poisson_draw(const kpi_poisson *p, const gsl_rng *r);

/* Frees the table; p can be prepared again. */
void kpi_poisson_free(kpi_poisson *p);

/* Lognormal parameters (zeta, sigma) of the law with the given mean and
 * coefficient of variation: sigma^2 = ln(1 + cv^2), zeta = ln(mean) -
 * sigma^2 / 2. */
void kpi_lognormal_params(double mean, double cv, double *zeta, double *sigma);

#endif /* KPI_DRAW_H */
