/*
 * draw.h - samplers the model's hot loop reuses (private to the library).
 *
 * The number of calls an agent makes in a day is Poisson with a mean that
 * changes only month by month (or on contest days), and it is drawn for
 * every agent-day.  kpi_poisson tabulates that law once in a Walker alias
 * table (kpi_alias, built by Vose's method): one uniform per draw instead of
 * the mean + 1 uniforms and the exp() of the textbook method, with the same
 * law.  The tables are kpisim's own rather than GSL's gsl_ran_discrete: GSL
 * 2.7's builder writes through unchecked mallocs and reports errors through
 * its process-wide handler, which aborts unless the caller turned it off;
 * this one checks every allocation and returns -1.
 * The funnels' binomials are tabulated the same way, and the draws that run
 * every agent-day are inline.
 */
#ifndef KPI_DRAW_H
#define KPI_DRAW_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "rng.h"

/* Largest mean tabulated; larger means are drawn with gsl_ran_poisson. */
#define KPI_POISSON_TABLE_MAX 700.0

/* A Walker alias table over the outcomes 0 .. k - 1.  Column c (of k
 * equal columns of [0, 1)) gives c when the uniform u is below
 * threshold[c], else alias[c]; a full column has alias[c] == c.  The
 * thresholds are on the scale of u ((c + f) / k for a column that keeps a
 * share f for c), so a draw is one uniform, one multiplication and one
 * lookup.  k == 0: no table. */
typedef struct kpi_alias {
    size_t k;
    double *threshold;      /* [k] */
    size_t *alias;          /* [k] */
} kpi_alias;

/* Builds t over the k >= 1 weights w (each >= 0 and finite, their sum > 0;
 * they need not add up to 1) by Vose's method, exact up to rounding: the
 * probability of each outcome the table implies (kpi_alias_prob) is
 * w[i] / sum within a few ulps.  Returns 0, or -1 when out of memory or
 * the weights are not valid (t is then empty).  t's earlier contents are
 * not freed: start from a zeroed or freed table. */
int kpi_alias_init(kpi_alias *t, const double *w, size_t k);

/* Frees the arrays of t; t is empty afterwards (k == 0).  Accepts an empty
 * table. */
void kpi_alias_free(kpi_alias *t);

/* The probability of outcome i that t implies: the share of [0, 1) whose
 * uniforms give i.  For tests. */
double kpi_alias_prob(const kpi_alias *t, size_t i);

/* One draw from t given the uniform u in [0, 1). */
static inline size_t kpi_alias_lookup(const kpi_alias *t, double u)
{
    size_t c = (size_t)(u * (double)t->k);
    /* Branch-free: which side of the threshold a fresh uniform falls on
     * cannot be predicted, so both answers are loaded and one kept. */
    size_t a = t->alias[c];
    size_t keep = (size_t)0 - (size_t)(u < t->threshold[c]);
    return (c & keep) | (a & ~keep);
}

typedef struct kpi_poisson {
    double mu;
    size_t k;                  /* table outcomes 0 .. k - 1, outcome k = "k or more" */
    double tail;               /* P(X >= k) */
    kpi_alias table;           /* empty when mu is 0 or beyond the table */
} kpi_poisson;

/* Prepares p for mean mu >= 0 (frees an earlier table of p).  Returns 0, or
 * -1 when out of memory.  Re-preparing for the same mean does nothing. */
int kpi_poisson_prepare(kpi_poisson *p, double mu);

/* Draws of Poisson(mu) outside the table: no table (mu is 0 or beyond the
 * table limit) or the tail.  Use kpi_poisson_draw. */
unsigned kpi_poisson_slow(const kpi_poisson *p, const gsl_rng *r);

/* One draw of Poisson(mu) from stream r (made by kpi_rng_alloc): exact in
 * law (the tail beyond the table is drawn by inversion of the conditional
 * tail law). */
static inline unsigned kpi_poisson_draw(const kpi_poisson *p, const gsl_rng *r)
{
    if (!p->table.k)
        return kpi_poisson_slow(p, r);
    size_t x = kpi_alias_lookup(&p->table, kpi_rng_uniform(r));
    return x < p->k ? (unsigned)x : kpi_poisson_slow(p, r);
}

/* Frees the table; p can be prepared again. */
void kpi_poisson_free(kpi_poisson *p);

/* Calls a day up to which Bin(calls, p) is tabulated: four times the default
 * plan, beyond what a day's calls almost ever reach. */
#define KPI_BINOMIAL_TABLE_N 48

/* Binomial(n, p) for a fixed p and every n up to nmax, tabulated: one
 * alias table per n, so that a draw is one uniform (the funnels draw
 * Bin(calls, p) for the same p every agent-day).  n > nmax is drawn with
 * gsl_ran_binomial. */
typedef struct kpi_binomial {
    double p;
    unsigned nmax;
    kpi_alias *table;             /* [nmax + 1], table[0] unused */
} kpi_binomial;

/* Prepares b for probability p in [0, 1] and n <= nmax.  Returns 0 or -1
 * (out of memory; b is then empty but can be freed). */
int kpi_binomial_prepare(kpi_binomial *b, double p, unsigned nmax);
void kpi_binomial_free(kpi_binomial *b);

static inline unsigned kpi_binomial_draw(const kpi_binomial *b, unsigned n, const gsl_rng *r)
{
    if (n == 0)
        return 0;
    if (n > b->nmax)
        return gsl_ran_binomial(r, b->p, n);
    return (unsigned)kpi_alias_lookup(&b->table[n], kpi_rng_uniform(r));
}

/* Largest n of kpi_binomial_rows (more meetings a day are drawn with
 * gsl_ran_binomial). */
#define KPI_BINOMIAL_ROWS_MAX 8

/* Distribution functions of Bin(n, p) for every n <= nmax, for a p fixed
 * over a stretch of draws (an agent's sale rate in a month): row n (nmax +
 * 1 doubles at cdf + n (nmax + 1)) holds P(X <= k) for k < n.  Pascal's
 * recurrence, no pow or division: cheap enough to redo every agent-month. */
static inline void kpi_binomial_rows(double p, unsigned nmax, double *cdf)
{
    const unsigned w = nmax + 1;
    double pdf[KPI_BINOMIAL_ROWS_MAX + 1], q = 1 - p;
    pdf[0] = 1;
    for (unsigned n = 1; n <= nmax; n++) {
        pdf[n] = p * pdf[n - 1];
        for (unsigned k = n - 1; k >= 1; k--)
            pdf[k] = q * pdf[k] + p * pdf[k - 1];
        pdf[0] *= q;
        double c = 0;
        for (unsigned k = 0; k < n; k++)
            cdf[n * w + k] = c += pdf[k];
    }
}

/* Inversion with uniform u of a row made by kpi_binomial_rows: the first
 * k with u < P(X <= k), which (the row never decreases) is the number of
 * entries u is at or above, counted without a branch on u. */
static inline unsigned kpi_binomial_row_draw(const double *row, unsigned n, double u)
{
    unsigned k = 0;
    for (unsigned j = 0; j < n; j++)
        k += u >= row[j];
    return k;
}

/* Lognormal parameters (zeta, sigma) of the law with the given mean and
 * coefficient of variation: sigma^2 = ln(1 + cv^2), zeta = ln(mean) -
 * sigma^2 / 2. */
void kpi_lognormal_params(double mean, double cv, double *zeta, double *sigma);

#endif /* KPI_DRAW_H */
