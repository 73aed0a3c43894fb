/*
 * draw.c - table samplers for the hot loop.  See draw.h.
 */
#include "draw.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_sf_gamma.h>

/* Tail mass left out of the table: small enough that the inversion branch
 * runs about once per 10^12 draws, large enough that the table stays short
 * (about mu + 7 sqrt(mu) + 10 entries). */
#define TAIL_MASS 1e-12

/* Vose's method ("A linear algorithm for generating random numbers with a
 * given distribution", IEEE TSE 17(9), 1991): scale the weights to mean 1;
 * pair each column under 1 (small) with one over 1 (large), which gives the
 * small one's missing share and goes on with what it has left, until one
 * list is empty; what remains is full (rounding leaves it within ulps of
 * 1).  The large column's remainder is computed as (p_l + p_s) - 1 in that
 * order, Vose's numerically stable form. */
int kpi_alias_init(kpi_alias *t, const double *w, size_t k)
{
    double sum = 0, *p = NULL;
    size_t *small = NULL, *large = NULL, ns = 0, nl = 0, i;

    t->k = 0;
    t->threshold = NULL;
    t->alias = NULL;
    if (k == 0 || k > SIZE_MAX / 2 / sizeof(double))
        return -1;
    for (i = 0; i < k; i++) {
        if (!(w[i] >= 0) || !isfinite(w[i]))
            return -1;
        sum += w[i];
    }
    if (!(sum > 0) || !isfinite(sum))
        return -1;

    t->threshold = malloc(k * sizeof *t->threshold);
    t->alias = malloc(k * sizeof *t->alias);
    p = malloc(k * sizeof *p);
    small = malloc(2 * k * sizeof *small);     /* small: [0, k), large: [k, 2k) */
    if (!t->threshold || !t->alias || !p || !small) {
        free(p);
        free(small);
        kpi_alias_free(t);
        return -1;
    }
    large = small + k;
    for (i = 0; i < k; i++) {
        p[i] = w[i] / sum * (double)k;
        if (p[i] < 1)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        size_t s = small[--ns], l = large[nl - 1];
        t->threshold[s] = ((double)s + p[s]) / (double)k;
        t->alias[s] = l;
        p[l] = (p[l] + p[s]) - 1;
        if (p[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    /* Full columns: rounding left them within ulps of 1. */
    while (nl > 0) {
        size_t l = large[--nl];
        t->threshold[l] = ((double)l + 1) / (double)k;
        t->alias[l] = l;
    }
    while (ns > 0) {
        size_t s = small[--ns];
        t->threshold[s] = ((double)s + 1) / (double)k;
        t->alias[s] = s;
    }
    t->k = k;
    free(p);
    free(small);
    return 0;
}

void kpi_alias_free(kpi_alias *t)
{
    free(t->threshold);
    free(t->alias);
    t->threshold = NULL;
    t->alias = NULL;
    t->k = 0;
}

double kpi_alias_prob(const kpi_alias *t, size_t i)
{
    double k = (double)t->k, prob = 0;
    size_t c;
    for (c = 0; c < t->k; c++) {
        double keep = t->threshold[c] - (double)c / k;   /* u in [c/k, threshold) */
        if (keep > 1 / k)
            keep = 1 / k;
        if (c == i)
            prob += t->alias[c] == c ? 1 / k : keep;
        else if (t->alias[c] == i)
            prob += 1 / k - keep;
    }
    return prob;
}

int kpi_poisson_prepare(kpi_poisson *p, double mu)
{
    if (p->table.k && p->mu == mu)
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
    int rc = kpi_alias_init(&p->table, w, j + 1);
    free(w);
    return rc;
}

unsigned kpi_poisson_slow(const kpi_poisson *p, const gsl_rng *r)
{
    if (!p->table.k)
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
    kpi_alias_free(&p->table);
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
        if (kpi_alias_init(&b->table[n], w, (size_t)n + 1) != 0) {
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
            kpi_alias_free(&b->table[n]);
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
