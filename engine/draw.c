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

unsigned kpi_poisson_slow(const kpi_poisson *p, const gsl_rng *r)
{
    if (!p->table)
        return p->mu > 0 ? gsl_ran_poisson(r, p->mu) : 0;
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

int kpi_binomial_prepare(kpi_binomial *b, double p, unsigned nmax)
{
    b->p = p;
    b->nmax = 0;
    b->table = calloc((size_t)nmax + 1, sizeof *b->table);
    double *w = malloc(((size_t)nmax + 1) * sizeof *w);
    if (!b->table || !w) {
        free(w);
        return -1;
    }
    for (unsigned n = 1; n <= nmax; n++) {
        for (unsigned k = 0; k <= n; k++)
            w[k] = gsl_ran_binomial_pdf(k, p, n);
        b->table[n] = gsl_ran_discrete_preproc((size_t)n + 1, w);
        if (!b->table[n]) {
            free(w);
            return -1;
        }
        b->nmax = n;
    }
    free(w);
    return 0;
}

void kpi_binomial_free(kpi_binomial *b)
{
    if (b->table)
        for (unsigned n = 1; n <= b->nmax; n++)
            gsl_ran_discrete_free(b->table[n]);
    free(b->table);
    b->table = NULL;
    b->nmax = 0;
}

void kpi_lognormal_params(double mean, double cv, double *zeta, double *sigma)
{
    double s2 = log1p(cv * cv);
    *sigma = sqrt(s2);
    *zeta = log(mean) - s2 / 2;
}
