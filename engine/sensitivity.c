/*
 * sensitivity.c - designs and estimators of global sensitivity analysis
 * (issue 19, `kpisim sensitivity`): the numeric core only.
 *
 * The caller makes a design here, evaluates the engine once per row and
 * hands the outputs back; every function works on caller-supplied arrays,
 * draws from a caller-supplied gsl_rng and reports through a status and a
 * kpi_error.  The estimators and why they were chosen are in
 * docs/sensitivity.md; the contracts are in sensitivity.h.
 *
 * GSL's error handler: gsl_rng_uniform_int calls it when asked for more
 * values than the generator has, so every count is checked first
 * (check_rng_range).  gsl_qrng_alloc calls it when out of memory, and
 * gsl_cdf_beta_Pinv when its iteration fails to converge (extreme
 * shapes); with the handler off (the CLI switches it off) the first comes
 * back as KPI_EINTERNAL and the second as a NaN, reported as KPI_EDATA.
 */
#include "sensitivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "error.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The label of key j in messages: its name, or "key N" (1-based). */
static const char *key_label(const kpi_sens_param *p, size_t j, char *buf, size_t size)
{
    if (p && p->key && p->key[0])
        return p->key;
    snprintf(buf, size, "key %zu", j + 1);
    return buf;
}

/* gsl_rng_uniform_int(r, n) calls GSL's error handler when n exceeds the
 * generator's range; a status here instead. */
static int check_rng_range(const gsl_rng *rng, size_t n, const char *what, kpi_error *err)
{
    if (!rng)
        return kpi_error_set(err, KPI_EDATA, NULL, "%s: no random number generator", what);
    if (n == 0 || (unsigned long)(n - 1) > gsl_rng_max(rng) - gsl_rng_min(rng))
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "%s: %zu values are more than the generator's range", what, n);
    return KPI_OK;
}

/* a * b without wrapping around; 0 on overflow (never a valid size here). */
static size_t mul_size(size_t a, size_t b)
{
    if (a != 0 && b > (size_t)-1 / a)
        return 0;
    return a * b;
}

static int all_finite(const double *y, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Parameters and the transform                                        */
/* ------------------------------------------------------------------ */

/* The probability mass of [lo, hi] under the untruncated distribution,
 * for the check: 0 means the truncation leaves nothing. */
static double param_mass(const kpi_sens_param *p)
{
    switch (p->dist) {
    case KPI_SENS_NORMAL:
        if (p->lo >= p->p1)
            return gsl_cdf_gaussian_Q(p->lo - p->p1, p->p2) -
                   gsl_cdf_gaussian_Q(p->hi - p->p1, p->p2);
        return gsl_cdf_gaussian_P(p->hi - p->p1, p->p2) - gsl_cdf_gaussian_P(p->lo - p->p1, p->p2);
    case KPI_SENS_LOGNORMAL:
        if (p->lo > 0 && log(p->lo) >= p->p1)
            return gsl_cdf_lognormal_Q(p->lo, p->p1, p->p2) -
                   gsl_cdf_lognormal_Q(p->hi, p->p1, p->p2);
        return gsl_cdf_lognormal_P(p->hi, p->p1, p->p2) -
               (p->lo > 0 ? gsl_cdf_lognormal_P(p->lo, p->p1, p->p2) : 0.0);
    default:
        return 1.0;
    }
}

int kpi_sens_param_check(const kpi_sens_param *params, size_t k, kpi_error *err)
{
    size_t j;
    char buf[32];

    if (!params || k == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "no parameters");
    for (j = 0; j < k; j++) {
        const kpi_sens_param *p = &params[j];
        const char *key = key_label(p, j, buf, sizeof buf);
        if (!isfinite(p->lo) || !isfinite(p->hi) || !(p->lo < p->hi))
            return kpi_error_set(err, KPI_EDATA, key,
                                 "the range [%g, %g] must be finite with lo < hi", p->lo, p->hi);
        if (!(p->base >= p->lo && p->base <= p->hi))
            return kpi_error_set(err, KPI_EDATA, key, "the base value %g is outside [%g, %g]",
                                 p->base, p->lo, p->hi);
        switch (p->dist) {
        case KPI_SENS_UNIFORM:
            break;
        case KPI_SENS_NORMAL:
        case KPI_SENS_LOGNORMAL:
            if (!isfinite(p->p1) || !isfinite(p->p2) || !(p->p2 > 0))
                return kpi_error_set(err, KPI_EDATA, key,
                                     "%s needs a finite mean and a standard deviation > 0",
                                     p->dist == KPI_SENS_NORMAL ? "normal" : "lognormal");
            if (p->dist == KPI_SENS_LOGNORMAL && p->lo < 0)
                return kpi_error_set(err, KPI_EDATA, key,
                                     "lognormal needs lo >= 0, not %g", p->lo);
            if (!(param_mass(p) > 0))
                return kpi_error_set(err, KPI_EDATA, key,
                                     "the distribution has no probability in [%g, %g]",
                                     p->lo, p->hi);
            break;
        case KPI_SENS_TRIANGULAR:
            if (!(p->p1 >= p->lo && p->p1 <= p->hi))
                return kpi_error_set(err, KPI_EDATA, key,
                                     "the triangular mode %g is outside [%g, %g]", p->p1,
                                     p->lo, p->hi);
            break;
        case KPI_SENS_BETA:
            if (!isfinite(p->p1) || !isfinite(p->p2) || !(p->p1 > 0) || !(p->p2 > 0))
                return kpi_error_set(err, KPI_EDATA, key,
                                     "beta needs shape parameters > 0, not %g and %g", p->p1,
                                     p->p2);
            break;
        default:
            return kpi_error_set(err, KPI_EDATA, key, "unknown distribution %d", (int)p->dist);
        }
    }
    return KPI_OK;
}

/* Inverse CDF of a truncated normal, mean mu, sd sd, on [lo, hi].  When the
 * whole range lies above the mean the upper tail Q is used: there P is
 * close to 1 and F(hi) - F(lo) would lose its digits. */
static double normal_quantile(double u, double mu, double sd, double lo, double hi)
{
    if (lo >= mu) {
        double qlo = gsl_cdf_gaussian_Q(lo - mu, sd), qhi = gsl_cdf_gaussian_Q(hi - mu, sd);
        return mu + gsl_cdf_gaussian_Qinv(qlo - u * (qlo - qhi), sd);
    } else {
        double plo = gsl_cdf_gaussian_P(lo - mu, sd), phi = gsl_cdf_gaussian_P(hi - mu, sd);
        return mu + gsl_cdf_gaussian_Pinv(plo + u * (phi - plo), sd);
    }
}

static double lognormal_quantile(double u, double zeta, double sigma, double lo, double hi)
{
    if (lo > 0 && log(lo) >= zeta) {
        double qlo = gsl_cdf_lognormal_Q(lo, zeta, sigma);
        double qhi = gsl_cdf_lognormal_Q(hi, zeta, sigma);
        return gsl_cdf_lognormal_Qinv(qlo - u * (qlo - qhi), zeta, sigma);
    } else {
        double plo = lo > 0 ? gsl_cdf_lognormal_P(lo, zeta, sigma) : 0.0;
        double phi = gsl_cdf_lognormal_P(hi, zeta, sigma);
        return gsl_cdf_lognormal_Pinv(plo + u * (phi - plo), zeta, sigma);
    }
}

/* Triangular on [lo, hi] with mode c, in closed form:
 *   F(x) = (x - lo)^2 / ((hi - lo)(c - lo))      for x <= c,
 *   F(x) = 1 - (hi - x)^2 / ((hi - lo)(hi - c))  for x >= c. */
static double triangular_quantile(double u, double c, double lo, double hi)
{
    double w = hi - lo, fc = (c - lo) / w;
    if (u <= fc)
        return lo + sqrt(u * w * (c - lo));
    return hi - sqrt((1.0 - u) * w * (hi - c));
}

static double quantile(const kpi_sens_param *p, double u)
{
    switch (p->dist) {
    case KPI_SENS_NORMAL:
        return normal_quantile(u, p->p1, p->p2, p->lo, p->hi);
    case KPI_SENS_LOGNORMAL:
        return lognormal_quantile(u, p->p1, p->p2, p->lo, p->hi);
    case KPI_SENS_TRIANGULAR:
        return triangular_quantile(u, p->p1, p->lo, p->hi);
    case KPI_SENS_BETA:
        return p->lo + (p->hi - p->lo) * gsl_cdf_beta_Pinv(u, p->p1, p->p2);
    case KPI_SENS_UNIFORM:
    default:
        return p->lo + u * (p->hi - p->lo);
    }
}

int kpi_sens_transform(const kpi_sens_param *params, size_t k, const double *u, double *x,
                       size_t n, kpi_error *err)
{
    size_t i, j;
    char buf[32];
    int status = kpi_sens_param_check(params, k, err);

    if (status != KPI_OK)
        return status;
    if (!u || !x)
        return kpi_error_set(err, KPI_EDATA, NULL, "transform: no sample");
    for (i = 0; i < n; i++) {
        for (j = 0; j < k; j++) {
            const kpi_sens_param *p = &params[j];
            double ui = u[i * k + j], v;
            if (!(ui >= 0.0 && ui <= 1.0))
                return kpi_error_set(err, KPI_EDATA, key_label(p, j, buf, sizeof buf),
                                     "row %zu: the unit value %g is outside [0, 1]", i + 1, ui);
            v = quantile(p, ui);
            if (isnan(v))
                return kpi_error_set(err, KPI_EDATA, key_label(p, j, buf, sizeof buf),
                                     "row %zu: the inverse CDF at %g failed", i + 1, ui);
            /* Rounding in F and F^-1 can step just outside the range (and
             * F^-1(1) of an unbounded tail is infinite). */
            x[i * k + j] = v < p->lo ? p->lo : v > p->hi ? p->hi : v;
        }
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Designs                                                              */
/* ------------------------------------------------------------------ */

/* The value for stratum s of n at relative position w in [0, 1): (s + w)/n,
 * nudged by an ulp or two when rounding would put floor(n v) in the next
 * or the previous stratum (1/49 * 49 is 0.99999999999999989). */
static double stratum_value(size_t s, size_t n, double w)
{
    double dn = (double)n, ds = (double)s;
    double v = (ds + w) / dn;
    while (v * dn >= ds + 1.0)
        v = nextafter(v, 0.0);
    while (v * dn < ds)
        v = nextafter(v, 1.0);
    return v;
}

int kpi_sens_design_lhs(double *x, size_t n, size_t k, gsl_rng *rng, kpi_error *err)
{
    size_t i, j;
    int status;

    if (!x || n == 0 || k == 0 || mul_size(n, k) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "lhs: n and k must be >= 1");
    if ((status = check_rng_range(rng, n, "lhs", err)) != KPI_OK)
        return status;
    for (j = 0; j < k; j++) {
        /* Column j: stratum i at row i, then a Fisher-Yates shuffle of the
         * column in place (strided, so no gsl_ran_shuffle and no buffer). */
        for (i = 0; i < n; i++)
            x[i * k + j] = stratum_value(i, n, gsl_rng_uniform(rng));
        for (i = n - 1; i > 0; i--) {
            size_t r = (size_t)gsl_rng_uniform_int(rng, (unsigned long)(i + 1));
            double t = x[i * k + j];
            x[i * k + j] = x[r * k + j];
            x[r * k + j] = t;
        }
    }
    return KPI_OK;
}

int kpi_sens_design_sobol(double *x, size_t n, size_t k, size_t skip, kpi_error *err)
{
    double scratch[KPI_SENS_SOBOL_MAXDIM];
    gsl_qrng *q;
    size_t i;

    if (!x || n == 0 || k == 0 || k > KPI_SENS_SOBOL_MAXDIM)
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "sobol: need n >= 1 and 1 <= k <= %d, not n = %zu, k = %zu",
                             KPI_SENS_SOBOL_MAXDIM, n, k);
    /* GSL counts the points in an int (2^31 - 1 of them at most). */
    if (n > 2147483647u - 1 - skip || skip > 2147483647u - 1)
        return kpi_error_set(err, KPI_EDATA, NULL, "sobol: %zu + %zu points are too many",
                             skip, n);
    q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
    if (!q)
        return kpi_error_oom(err, "for the Sobol generator");
    for (i = 0; i < skip; i++)
        gsl_qrng_get(q, scratch);
    for (i = 0; i < n; i++)
        gsl_qrng_get(q, x + i * k);
    gsl_qrng_free(q);
    return KPI_OK;
}

int kpi_sens_design_saltelli(const double *base, size_t n, size_t k, double *design,
                             kpi_error *err)
{
    size_t i, j, c;

    if (!base || !design || n == 0 || k == 0 || mul_size(mul_size(n, k), k + 2) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "saltelli: n and k must be >= 1");
    for (j = 0; j < n; j++) {
        const double *a = base + j * 2 * k, *b = a + k;
        memcpy(design + j * k, a, k * sizeof *a);
        memcpy(design + (n + j) * k, b, k * sizeof *b);
        for (i = 0; i < k; i++) {
            double *row = design + ((2 + i) * n + j) * k;
            for (c = 0; c < k; c++)
                row[c] = c == i ? b[c] : a[c];
        }
    }
    return KPI_OK;
}

/* One Morris trajectory of k + 1 rows into t; perm is a buffer of k. */
static void morris_trajectory(double *t, size_t k, size_t p, size_t *perm, gsl_rng *rng)
{
    size_t j, m, half = p / 2;
    double last = (double)(p - 1);

    /* Key j runs between grid levels b and b + p/2 (b < p/2, so both are
     * on the grid): Delta = (p/2)/(p-1).  It starts at the lower level
     * (moving up) or the upper one (moving down), with equal chances. */
    for (j = 0; j < k; j++) {
        size_t b = (size_t)gsl_rng_uniform_int(rng, (unsigned long)half);
        int up = gsl_rng_uniform_int(rng, 2) == 0;
        perm[j] = j;
        t[j] = (double)(up ? b : b + half) / last;
    }
    /* A random order of the keys (Fisher-Yates). */
    for (j = k - 1; j > 0; j--) {
        size_t r = (size_t)gsl_rng_uniform_int(rng, (unsigned long)(j + 1)), s = perm[j];
        perm[j] = perm[r];
        perm[r] = s;
    }
    for (m = 1; m <= k; m++) {
        size_t key = perm[m - 1];
        double *row = t + m * k, *prev = row - k;
        long lev = lround(prev[key] * last), other;
        memcpy(row, prev, k * sizeof *row);
        other = lev < (long)half ? lev + (long)half : lev - (long)half;
        row[key] = (double)other / last;
    }
}

/* The distance of Campolongo et al. between two trajectories: the sum of
 * the Euclidean distances between all pairs of their points. */
static double trajectory_distance(const double *a, const double *b, size_t k)
{
    size_t i, j, c;
    double d = 0.0;
    for (i = 0; i <= k; i++)
        for (j = 0; j <= k; j++) {
            double s = 0.0;
            for (c = 0; c < k; c++) {
                double e = a[i * k + c] - b[j * k + c];
                s += e * e;
            }
            d += sqrt(s);
        }
    return d;
}

int kpi_sens_design_morris(double *x, size_t r, size_t k, size_t p, size_t pool, gsl_rng *rng,
                           kpi_error *err)
{
    size_t *perm = NULL, *chosen = NULL, rows = k + 1, i, j, m, ncand;
    double *cand = NULL, *dist = NULL, *score = NULL;
    int status;

    if (!x || r == 0 || k == 0 || mul_size(mul_size(r, rows), k) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "morris: r and k must be >= 1");
    if (p < 2 || p % 2 != 0 || p > 1000000)
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "morris: the number of levels must be even and >= 2, not %zu", p);
    ncand = pool > r ? pool : r;
    if ((status = check_rng_range(rng, k > p ? k : p, "morris", err)) != KPI_OK)
        return status;
    if (!(perm = malloc(k * sizeof *perm)))
        return kpi_error_oom(err, "for the Morris design");
    if (ncand == r) {
        for (m = 0; m < r; m++)
            morris_trajectory(x + m * rows * k, k, p, perm, rng);
        free(perm);
        return KPI_OK;
    }

    /* Campolongo's selection: pool candidates, keep the r that are spread
     * out most.  Their criterion is the sum of squared distances over the
     * chosen pairs, maximised by trying every r-subset; here greedily: the
     * farthest pair first, then each time the candidate whose squared
     * distances to those chosen add up most.  O(pool^2 k^3) for the
     * distances, O(pool r) for the choice. */
    if (mul_size(mul_size(ncand, rows), k) == 0 || mul_size(ncand, ncand) == 0)
        goto oom;
    cand = malloc(ncand * rows * k * sizeof *cand);
    dist = malloc(ncand * ncand * sizeof *dist);
    score = malloc(ncand * sizeof *score);
    chosen = calloc(ncand, sizeof *chosen);
    if (!cand || !dist || !score || !chosen)
        goto oom;
    for (m = 0; m < ncand; m++)
        morris_trajectory(cand + m * rows * k, k, p, perm, rng);
    for (i = 0; i < ncand; i++) {
        dist[i * ncand + i] = 0.0;
        for (j = i + 1; j < ncand; j++) {
            double d = trajectory_distance(cand + i * rows * k, cand + j * rows * k, k);
            dist[i * ncand + j] = dist[j * ncand + i] = d;
        }
    }
    {
        size_t bi = 0, bj = 1, got;
        for (i = 0; i < ncand; i++)
            for (j = i + 1; j < ncand; j++)
                if (dist[i * ncand + j] > dist[bi * ncand + bj]) {
                    bi = i;
                    bj = j;
                }
        memcpy(x, cand + bi * rows * k, rows * k * sizeof *x);
        chosen[bi] = 1;
        got = 1;
        for (i = 0; i < ncand; i++)
            score[i] = dist[bi * ncand + i] * dist[bi * ncand + i];
        if (r >= 2) {
            memcpy(x + rows * k, cand + bj * rows * k, rows * k * sizeof *x);
            chosen[bj] = 1;
            got = 2;
            for (i = 0; i < ncand; i++)
                score[i] += dist[bj * ncand + i] * dist[bj * ncand + i];
        }
        while (got < r) {
            size_t best = ncand;
            for (i = 0; i < ncand; i++)
                if (!chosen[i] && (best == ncand || score[i] > score[best]))
                    best = i;
            memcpy(x + got * rows * k, cand + best * rows * k, rows * k * sizeof *x);
            chosen[best] = 1;
            got++;
            for (i = 0; i < ncand; i++)
                score[i] += dist[best * ncand + i] * dist[best * ncand + i];
        }
    }
    free(perm);
    free(cand);
    free(dist);
    free(score);
    free(chosen);
    return KPI_OK;

oom:
    free(perm);
    free(cand);
    free(dist);
    free(score);
    free(chosen);
    return kpi_error_oom(err, "for the Morris design");
}

int kpi_sens_design_oat(const kpi_sens_param *params, size_t k, double *x, kpi_error *err)
{
    size_t i, j;
    int status = kpi_sens_param_check(params, k, err);

    if (status != KPI_OK)
        return status;
    if (!x)
        return kpi_error_set(err, KPI_EDATA, NULL, "oat: no design array");
    for (i = 0; i < 2 * k + 1; i++)
        for (j = 0; j < k; j++)
            x[i * k + j] = params[j].base;
    for (j = 0; j < k; j++) {
        x[(1 + 2 * j) * k + j] = params[j].lo;
        x[(2 + 2 * j) * k + j] = params[j].hi;
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* One-at-a-time swings and Morris effects                             */
/* ------------------------------------------------------------------ */

int kpi_sens_oat_swings(const double *y, size_t k, kpi_sens_swing *out, size_t *order,
                        kpi_error *err)
{
    size_t j;

    if (!y || !out || k == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "oat: no outputs");
    if (!all_finite(y, 2 * k + 1))
        return kpi_error_set(err, KPI_EDATA, NULL, "oat: an output is not a finite number");
    for (j = 0; j < k; j++) {
        out[j].low = y[1 + 2 * j] - y[0];
        out[j].high = y[2 + 2 * j] - y[0];
        out[j].swing = fabs(y[2 + 2 * j] - y[1 + 2 * j]);
    }
    if (order) {
        /* Insertion sort by decreasing swing, stable: k is the number of
         * keys, a handful, and the order of ties must be the key order. */
        for (j = 0; j < k; j++) {
            size_t i = j;
            while (i > 0 && out[order[i - 1]].swing < out[j].swing) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = j;
        }
    }
    return KPI_OK;
}

int kpi_sens_morris_effects(const double *x, const double *y, size_t r, size_t k,
                            kpi_sens_morris *out, kpi_error *err)
{
    size_t t, m, j, rows = k + 1;
    size_t *count;
    double *m2;

    if (!x || !y || !out || r == 0 || k == 0 || mul_size(mul_size(r, rows), k) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "morris: r and k must be >= 1");
    if (!all_finite(x, r * rows * k) || !all_finite(y, r * rows))
        return kpi_error_set(err, KPI_EDATA, NULL, "morris: a value is not a finite number");
    count = calloc(k, sizeof *count);
    m2 = calloc(k, sizeof *m2);
    if (!count || !m2) {
        free(count);
        free(m2);
        return kpi_error_oom(err, "for the Morris effects");
    }
    for (j = 0; j < k; j++)
        out[j].mu = out[j].mu_star = out[j].sigma = 0.0;
    for (t = 0; t < r; t++) {
        for (m = 1; m < rows; m++) {
            const double *row = x + (t * rows + m) * k, *prev = row - k;
            size_t moved = k, nmoved = 0;
            double ee, delta;
            for (j = 0; j < k; j++)
                if (row[j] != prev[j]) {
                    moved = j;
                    nmoved++;
                }
            if (nmoved != 1) {
                free(count);
                free(m2);
                return kpi_error_set(err, KPI_EDATA, NULL,
                                     "morris: trajectory %zu, step %zu changes %zu keys, not 1",
                                     t + 1, m, nmoved);
            }
            ee = (y[t * rows + m] - y[t * rows + m - 1]) / (row[moved] - prev[moved]);
            /* Welford's running mean and sum of squared deviations. */
            count[moved]++;
            delta = ee - out[moved].mu;
            out[moved].mu += delta / (double)count[moved];
            m2[moved] += delta * (ee - out[moved].mu);
            out[moved].mu_star += (fabs(ee) - out[moved].mu_star) / (double)count[moved];
        }
    }
    for (j = 0; j < k; j++) {
        if (count[j] == 0) {
            free(count);
            free(m2);
            return kpi_error_set(err, KPI_EDATA, NULL, "morris: key %zu never moves", j + 1);
        }
        out[j].sigma = count[j] < 2 ? 0.0 : sqrt(m2[j] / (double)(count[j] - 1));
    }
    free(count);
    free(m2);
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Sobol indices                                                        */
/* ------------------------------------------------------------------ */

/* The estimators on rows idx[0..m) (or rows 0..m-1 when idx is NULL) of a
 * Saltelli output y with blocks of n rows.  Writes s1[k], st[k] and,
 * when s1_se is not NULL, the delta-method standard errors (see
 * kpi_sens_sobol_indices).  Returns V; when V is 0 (a constant output) the
 * indices are set to 0 and the caller decides. */
static double estimate(const double *y, size_t n, size_t m, const size_t *idx, size_t k,
                       double *s1, double *st, double *s1_se, double *st_se)
{
    const double *fa = y, *fb = y + n;
    double mean = 0.0, v = 0.0;
    size_t r, i;

    for (r = 0; r < m; r++) {
        size_t j = idx ? idx[r] : r;
        mean += fa[j] + fb[j];
    }
    mean /= (double)(2 * m);
    for (r = 0; r < m; r++) {
        size_t j = idx ? idx[r] : r;
        double da = fa[j] - mean, db = fb[j] - mean;
        v += da * da + db * db;
    }
    v /= (double)(2 * m - 1);

    for (i = 0; i < k; i++) {
        const double *fab = y + (2 + i) * n;
        double n1 = 0.0, nt = 0.0;
        for (r = 0; r < m; r++) {
            size_t j = idx ? idx[r] : r;
            double d = fab[j] - fa[j];
            n1 += (fb[j] - mean) * d;
            nt += d * d;
        }
        n1 /= (double)m;
        nt /= (double)(2 * m);
        s1[i] = v > 0 ? n1 / v : 0.0;
        st[i] = v > 0 ? nt / v : 0.0;
        if (s1_se && st_se) {
            /* Delta method for a ratio of means: the influence of row j is
             * (t_j - S w_j) / V with t_j the row's term of the numerator
             * and w_j = ((f(A)_j - m)^2 + (f(B)_j - m)^2) / 2 its term of V. */
            double q1 = 0.0, qt = 0.0, a1 = 0.0, at = 0.0;
            for (r = 0; r < m; r++) {
                size_t j = idx ? idx[r] : r;
                double d = fab[j] - fa[j], da = fa[j] - mean, db = fb[j] - mean;
                double w = 0.5 * (da * da + db * db);
                double p1 = db * d - s1[i] * w, pt = 0.5 * d * d - st[i] * w;
                a1 += p1;
                at += pt;
                q1 += p1 * p1;
                qt += pt * pt;
            }
            a1 /= (double)m;
            at /= (double)m;
            s1_se[i] = v > 0 && m > 1
                           ? sqrt(fmax(q1 / (double)m - a1 * a1, 0.0) / (double)(m - 1)) / v
                           : 0.0;
            st_se[i] = v > 0 && m > 1
                           ? sqrt(fmax(qt / (double)m - at * at, 0.0) / (double)(m - 1)) / v
                           : 0.0;
        }
    }
    return v;
}

/* The common checks of the Sobol estimators; the outputs must be finite. */
static int check_saltelli(const double *y, size_t n, size_t k, size_t nmin, const void *out,
                          const char *what, kpi_error *err)
{
    if (!y || !out || k == 0 || n < nmin || mul_size(n, k + 2) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "%s: need k >= 1 and n >= %zu rows", what,
                             nmin);
    if (!all_finite(y, n * (k + 2)))
        return kpi_error_set(err, KPI_EDATA, NULL, "%s: an output is not a finite number", what);
    return KPI_OK;
}

int kpi_sens_sobol_indices(const double *y, size_t n, size_t k, kpi_sens_sobol *out,
                           double *var_y, kpi_error *err)
{
    double *buf, v;
    size_t i;
    int status = check_saltelli(y, n, k, 2, out, "sobol", err);

    if (status != KPI_OK)
        return status;
    if (!(buf = malloc(4 * k * sizeof *buf)))
        return kpi_error_oom(err, "for the Sobol indices");
    v = estimate(y, n, n, NULL, k, buf, buf + k, buf + 2 * k, buf + 3 * k);
    if (!(v > 0)) {
        free(buf);
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "sobol: the output is constant, its indices are undefined");
    }
    for (i = 0; i < k; i++) {
        kpi_sens_sobol *o = &out[i];
        o->s1 = buf[i];
        o->st = buf[k + i];
        o->s1_se = buf[2 * k + i];
        o->st_se = buf[3 * k + i];
        o->s1_lo = o->s1_hi = o->st_lo = o->st_hi = NAN;
        o->s1_half = o->st_half = NAN;
        o->s1_floor = o->st_floor = NAN;
        o->s1_noise = o->st_noise = 0;
        o->s1_adj = o->st_adj = NAN;
    }
    if (var_y)
        *var_y = v;
    free(buf);
    return KPI_OK;
}

int kpi_sens_sobol_bootstrap(const double *y, size_t n, size_t k, size_t nboot, double level,
                             gsl_rng *rng, kpi_sens_sobol *out, kpi_error *err)
{
    size_t *idx = NULL, b, i, j;
    double *s1 = NULL, *st = NULL;
    int status = check_saltelli(y, n, k, 2, out, "bootstrap", err);

    if (status != KPI_OK)
        return status;
    if (nboot < 10 || !(level > 0.0 && level < 1.0))
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "bootstrap: need >= 10 resamples and a level in (0, 1)");
    if ((status = check_rng_range(rng, n, "bootstrap", err)) != KPI_OK)
        return status;
    if (mul_size(nboot, k) == 0)
        return kpi_error_oom(err, "for the bootstrap");
    /* Replicates stored key-major, s1[i * nboot + b], so that each key's
     * nboot values are contiguous for the sort. */
    idx = malloc(n * sizeof *idx);
    s1 = malloc(nboot * k * sizeof *s1);
    st = malloc(nboot * k * sizeof *st);
    {
        double *t1 = malloc(2 * k * sizeof *t1);
        if (!idx || !s1 || !st || !t1) {
            free(t1);
            goto oom;
        }
        for (b = 0; b < nboot; b++) {
            for (j = 0; j < n; j++)
                idx[j] = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
            /* A resample whose outputs are all equal has V = 0; estimate
             * then gives 0 for both indices, which is what it shows. */
            estimate(y, n, n, idx, k, t1, t1 + k, NULL, NULL);
            for (i = 0; i < k; i++) {
                s1[i * nboot + b] = t1[i];
                st[i * nboot + b] = t1[k + i];
            }
        }
        free(t1);
    }
    for (i = 0; i < k; i++) {
        double lo = (1.0 - level) / 2.0, hi = (1.0 + level) / 2.0;
        gsl_sort(s1 + i * nboot, 1, nboot);
        gsl_sort(st + i * nboot, 1, nboot);
        out[i].s1_lo = gsl_stats_quantile_from_sorted_data(s1 + i * nboot, 1, nboot, lo);
        out[i].s1_hi = gsl_stats_quantile_from_sorted_data(s1 + i * nboot, 1, nboot, hi);
        out[i].st_lo = gsl_stats_quantile_from_sorted_data(st + i * nboot, 1, nboot, lo);
        out[i].st_hi = gsl_stats_quantile_from_sorted_data(st + i * nboot, 1, nboot, hi);
    }
    free(idx);
    free(s1);
    free(st);
    return KPI_OK;

oom:
    free(idx);
    free(s1);
    free(st);
    return kpi_error_oom(err, "for the bootstrap");
}

int kpi_sens_sobol_convergence(const double *y, size_t n, size_t k, double tol,
                               kpi_sens_sobol *out, double *max_change, int *converged,
                               kpi_error *err)
{
    double *buf, worst = 0.0;
    size_t i;
    int status = check_saltelli(y, n, k, 4, out, "convergence", err);

    if (status != KPI_OK)
        return status;
    if (!(tol >= 0))
        return kpi_error_set(err, KPI_EDATA, NULL, "convergence: the tolerance must be >= 0");
    for (i = 0; i < k; i++)
        if (isnan(out[i].s1) || isnan(out[i].st))
            return kpi_error_set(err, KPI_EDATA, NULL,
                                 "convergence: no estimates to compare with "
                                 "(kpi_sens_sobol_indices first)");
    if (!(buf = malloc(2 * k * sizeof *buf)))
        return kpi_error_oom(err, "for the convergence check");
    /* The first n/2 rows of every block: the blocks keep their stride n. */
    if (!(estimate(y, n, n / 2, NULL, k, buf, buf + k, NULL, NULL) > 0)) {
        free(buf);
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "convergence: the output of the first n/2 rows is constant");
    }
    for (i = 0; i < k; i++) {
        out[i].s1_half = buf[i];
        out[i].st_half = buf[k + i];
        worst = fmax(worst, fabs(out[i].s1 - buf[i]));
        worst = fmax(worst, fabs(out[i].st - buf[k + i]));
    }
    free(buf);
    if (max_change)
        *max_change = worst;
    if (converged)
        *converged = worst <= tol;
    return KPI_OK;
}

int kpi_sens_sobol_noise(const double *y, const double *se, size_t n, size_t k, double z,
                         kpi_sens_sobol *out, kpi_error *err)
{
    const double *fa = y, *fb = y + n, *sa = se, *sb = se ? se + n : NULL;
    double mean = 0.0, v = 0.0, nv = 0.0;
    size_t i, j;
    int status = check_saltelli(y, n, k, 2, out, "noise", err);

    if (status != KPI_OK)
        return status;
    if (!se || !(z > 0) || !isfinite(z))
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "noise: need the standard errors and a factor z > 0");
    for (j = 0; j < n * (k + 2); j++)
        if (!(se[j] >= 0) || !isfinite(se[j]))
            return kpi_error_set(err, KPI_EDATA, NULL,
                                 "noise: standard error %zu is %g, not a finite value >= 0",
                                 j + 1, se[j]);
    for (j = 0; j < n; j++)
        mean += fa[j] + fb[j];
    mean /= (double)(2 * n);
    for (j = 0; j < n; j++) {
        v += (fa[j] - mean) * (fa[j] - mean) + (fb[j] - mean) * (fb[j] - mean);
        nv += sa[j] * sa[j] + sb[j] * sb[j];
    }
    v /= (double)(2 * n - 1);
    nv /= (double)(2 * n);
    if (!(v > 0))
        return kpi_error_set(err, KPI_EDATA, NULL,
                             "noise: the output is constant, its indices are undefined");
    for (i = 0; i < k; i++) {
        const double *fab = y + (2 + i) * n, *sab = se + (2 + i) * n;
        double bias = 0.0, var1 = 0.0, vart = 0.0;
        for (j = 0; j < n; j++) {
            double d = fab[j] - fa[j], db = fb[j] - mean;
            double s2 = sa[j] * sa[j] + sab[j] * sab[j];
            bias += s2;
            var1 += db * db * s2 + sb[j] * sb[j] * d * d;
            vart += d * d * s2;
        }
        bias /= 2.0 * (double)n * v;
        out[i].s1_floor = z * sqrt(var1) / ((double)n * v);
        out[i].st_floor = bias + z * sqrt(vart) / ((double)n * v);
        out[i].s1_noise = fabs(out[i].s1) <= out[i].s1_floor;
        out[i].st_noise = out[i].st <= out[i].st_floor;
        out[i].s1_adj = nv < v ? out[i].s1 * v / (v - nv) : NAN;
        out[i].st_adj = nv < v ? (out[i].st - bias) * v / (v - nv) : NAN;
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Decision robustness                                                  */
/* ------------------------------------------------------------------ */

/* The share of strategy `which` in the win at one point (row of s). */
static double win_share(const double *row, size_t s, size_t which, int larger_is_better)
{
    double best = row[0];
    size_t c, ties = 0;
    for (c = 1; c < s; c++)
        if (larger_is_better ? row[c] > best : row[c] < best)
            best = row[c];
    if (row[which] != best)
        return 0.0;
    for (c = 0; c < s; c++)
        if (row[c] == best)
            ties++;
    return 1.0 / (double)ties;
}

int kpi_sens_prob_best(const double *y, size_t n, size_t s, int larger_is_better, double *p,
                       double *se, kpi_error *err)
{
    size_t i, c;

    if (!y || !p || n == 0 || s == 0 || mul_size(n, s) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "prob_best: need n >= 1 points, s >= 1");
    if (!all_finite(y, n * s))
        return kpi_error_set(err, KPI_EDATA, NULL, "prob_best: an output is not a finite number");
    for (c = 0; c < s; c++) {
        double mean = 0.0, m2 = 0.0;
        for (i = 0; i < n; i++) {
            double w = win_share(y + i * s, s, c, larger_is_better), d = w - mean;
            mean += d / (double)(i + 1);
            m2 += d * (w - mean);
        }
        p[c] = mean;
        if (se)
            se[c] = n < 2 ? 0.0 : sqrt(m2 / (double)(n - 1) / (double)n);
    }
    return KPI_OK;
}

/* The median of x over sorted positions [a, b) of the ranking order. */
static double bin_median(const double *x, size_t k, size_t key, const size_t *order, size_t a,
                         size_t b)
{
    size_t cnt = b - a, mid = a + cnt / 2;
    if (cnt % 2)
        return x[order[mid] * k + key];
    return 0.5 * (x[order[mid - 1] * k + key] + x[order[mid] * k + key]);
}

int kpi_sens_flip(const double *x, size_t n, size_t k, const double *y, size_t s,
                  size_t strategy, int larger_is_better, size_t nbins, double *share,
                  double *spread, size_t *flip_key, double *flip_at, kpi_error *err)
{
    size_t *order, key, b, i, best_key = 0;
    double *win;

    if (!x || !y || !share || !spread || !flip_key || n == 0 || k == 0 || s == 0 ||
        mul_size(n, k) == 0 || mul_size(n, s) == 0)
        return kpi_error_set(err, KPI_EDATA, NULL, "flip: need points, keys and strategies");
    if (strategy >= s)
        return kpi_error_set(err, KPI_EDATA, NULL, "flip: strategy %zu of %zu", strategy + 1, s);
    if (nbins < 2 || nbins > n)
        return kpi_error_set(err, KPI_EDATA, NULL, "flip: need 2 <= bins <= %zu points, not %zu",
                             n, nbins);
    if (!all_finite(x, n * k) || !all_finite(y, n * s))
        return kpi_error_set(err, KPI_EDATA, NULL, "flip: a value is not a finite number");
    order = malloc(n * sizeof *order);
    win = malloc(n * sizeof *win);
    if (!order || !win) {
        free(order);
        free(win);
        return kpi_error_oom(err, "for the flip analysis");
    }
    for (i = 0; i < n; i++)
        win[i] = win_share(y + i * s, s, strategy, larger_is_better);
    for (key = 0; key < k; key++) {
        double lo = INFINITY, hi = -INFINITY;
        /* The rank order of the key's values, O(n log n) (GSL's heapsort). */
        gsl_sort_index(order, x + key, k, n);
        for (b = 0; b < nbins; b++) {
            size_t a = b * n / nbins, e = (b + 1) * n / nbins;
            double sum = 0.0;
            for (i = a; i < e; i++)
                sum += win[order[i]];
            share[key * nbins + b] = sum / (double)(e - a);
            lo = fmin(lo, share[key * nbins + b]);
            hi = fmax(hi, share[key * nbins + b]);
        }
        spread[key] = hi - lo;
        if (spread[key] > spread[best_key])
            best_key = key;
    }
    *flip_key = best_key;
    if (flip_at) {
        const double *sh = share + best_key * nbins;
        *flip_at = NAN;
        gsl_sort_index(order, x + best_key, k, n);
        for (b = 0; b + 1 < nbins; b++) {
            double d0 = sh[b] - 0.5, d1 = sh[b + 1] - 0.5;
            if ((d0 < 0 && d1 >= 0) || (d0 > 0 && d1 <= 0)) {
                double m0 = bin_median(x, k, best_key, order, b * n / nbins, (b + 1) * n / nbins);
                double m1 = bin_median(x, k, best_key, order, (b + 1) * n / nbins,
                                       (b + 2) * n / nbins);
                *flip_at = m0 + (0.5 - sh[b]) / (sh[b + 1] - sh[b]) * (m1 - m0);
                break;
            }
        }
    }
    free(order);
    free(win);
    return KPI_OK;
}
