/*
 * draw.c - table samplers for the hot loop.  See draw.h.
 */
#include "draw.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sf_gamma.h>

/* Tail mass left out of the table: small enough that the inversion branch
 * runs about once per 10^12 draws, large enough that the table stays short
 * (about mu + 7 sqrt(mu) + 10 entries). */
#define TAIL_MASS 1e-12

int kpi_poisson_prepare(kpi_poisson *p, double mu)
{
    if (p->table && p->mu == mu)
        return 0;
    kpi_poisson_free(p);
    p->mu = mu;
    p->k = 0;
    p->tail = 0;
    if (!(mu > 0) || mu > KPI_POISSON_TABLE_MAX)
        return 0;

    size_t cap = (size_t)(mu + 8.0 * sqrt(mu) + 16.0);
    double *w = malloc((cap + 1) * sizeof *w);
    if (!w)
        return -1;
    /* Probabilities by the recurrence P(j) = P(j - 1) mu / j; exp(-mu)
     * does not underflow below the table limit (700). */
    double pj = exp(-mu), cum = 0;
    size_t j = 0;
    for (; j < cap; j++) {
        w[j] = pj;
        cum += pj;
        pj *= mu / (double)(j + 1);
        if (j > (size_t)mu && 1.0 - cum < TAIL_MASS) {
            j++;
            break;
        }
    }
    p->k = j;
    p->tail = 1.0 - cum > 0 ? 1.0 - cum : 0;
    w[j] = p->tail;
    p->table = gsl_ran_discrete_preproc(j + 1, w);
    free(w);
    return p->table ? 0 : -1;
}

unsigned kpi_poisson_draw(const kpi_poisson *p, const gsl_rng *r)
{
    if (!p->table)
        return p->mu > 0 ? gsl_ran_poisson(r, p->mu) : 0;
    size_t x = gsl_ran_discrete(r, p->table);
    if (x < p->k)
        return (unsigned)x;
    /* The tail: invert P(X = j | X >= k) from j = k upwards. */
    double u = gsl_rng_uniform(r) * p->tail;
    double pj = exp(-p->mu + (double)p->k * log(p->mu) - gsl_sf_lngamma((double)p->k + 1));
    size_t j = p->k;
    while (u > pj && pj > 0) {
        u -= pj;
        j++;
        pj *= p->mu / (double)j;
    }
    return (unsigned)j;
}

void kpi_poisson_free(kpi_poisson *p)
{
    if (p->table)
        gsl_ran_discrete_free(p->table);
    p->table = NULL;
}

void kpi_lognormal_params(double mean, double cv, double *zeta, double *sigma)
{
    double s2 = log1p(cv * cv);
    *sigma = sqrt(s2);
    *zeta = log(mean) - s2 / 2;
}
