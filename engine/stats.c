/*
 * stats.c - statistics across replications: the bands of monthly.csv and
 * summary.csv, and the paired differences of comparison.csv.
 *
 * The writers (write.c) call kpi_band_compute once per column: the values
 * of one KPI in one month across all replications (a strided slice of
 * kpi_results), or of one horizon figure.  The percentiles are exact
 * order statistics of all replications, interpolated linearly (GSL
 * gsl_stats_quantile_from_sorted_data, Hyndman and Fan's definition 7):
 * for sorted values x[0] <= ... <= x[n-1] and a fraction f,
 *
 *     h = f (n - 1),   q(f) = x[floor(h)] + (h - floor(h)) (x[floor(h)+1] - x[floor(h)])
 *
 * That is for continuous quantities.  A count (agents, cases, calls...)
 * has percentiles that are possible values: when every replication's
 * value is a whole number, the percentiles are Hyndman and Fan's
 * definition 1, the inverse of the empirical distribution function,
 *
 *     q(f) = x[ceil(f n) - 1]   (x[0] when f n < 1),
 *
 * the smallest value with at least a share f of the values at or below
 * it.  Deciding by the values, not by a list of names, keeps every KPI
 * and figure added later right (docs/model.md "Statistics across
 * replications").
 *
 * No GSL function used here calls the GSL error handler, so no handler
 * needs to be switched off.
 */
#include "kpisim.h"

#include <math.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* Definition 1 at pct percent of the n sorted values: the index
 * ceil(pct n / 100) - 1 in integer arithmetic, so that 20 x 5% is
 * exactly 1, not a hair above it. */
static double quantile_discrete(const double *sorted, size_t n, size_t pct)
{
    size_t k = (pct * n + 99) / 100;
    return sorted[k > 0 ? k - 1 : 0];
}

void kpi_band_compute(const double *x, size_t stride, size_t n, double *work,
                      kpi_band *band)
{
    size_t i, k = 0;

    /* NaN stands for "not applicable" in a replication (a figure its
     * horizon cannot measure): the band is over the others, and NaN when
     * no replication has a value. */
    for (i = 0; i < n; i++)
        if (!isnan(x[i * stride]))
            work[k++] = x[i * stride];
    n = k;
    if (n == 0) {
        band->mean = band->sd = band->p05 = band->p25 = band->p50 = band->p75 = band->p95 = NAN;
        return;
    }
    gsl_sort(work, 1, n);

    band->mean = gsl_stats_mean(work, 1, n);
    /* GSL divides by n - 1, which is 0/0 for a single value: its spread is 0. */
    band->sd = n < 2 ? 0.0 : gsl_stats_sd(work, 1, n);
    int whole = 1;
    for (i = 0; i < n && whole; i++)
        whole = work[i] == floor(work[i]);
    if (whole) {
        band->p05 = quantile_discrete(work, n, 5);
        band->p25 = quantile_discrete(work, n, 25);
        band->p50 = quantile_discrete(work, n, 50);
        band->p75 = quantile_discrete(work, n, 75);
        band->p95 = quantile_discrete(work, n, 95);
        return;
    }
    band->p05 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.05);
    band->p25 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.25);
    band->p50 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.50);
    band->p75 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.75);
    band->p95 = gsl_stats_quantile_from_sorted_data(work, 1, n, 0.95);
}

/* The paired difference b - a, replication by replication (compare.c
 * writes it for scenarios run on common random numbers). */
void kpi_paired_compute(const double *a, size_t astride, const double *b, size_t bstride,
                        size_t n, double *work, kpi_paired *out)
{
    size_t higher = 0, differ = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        double d = b[i * bstride] - a[i * astride];
        if (isnan(d))
            continue;   /* not applicable in this replication */
        work[k++] = d;
        higher += d > 0;
        differ += d != 0;
    }
    kpi_band_compute(work, 1, k, work + n, &out->diff);
    /* "Higher in 0% of the replications" would read as "always lower":
     * when the two never differ, the question does not apply. */
    out->p_higher = differ > 0 ? (double)higher / (double)k : NAN;
}
