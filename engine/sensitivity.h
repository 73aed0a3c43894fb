/*
 * sensitivity.h - the estimator library of `kpisim sensitivity` (issue 19):
 * sampling designs, the transform from the unit hypercube to parameter
 * values, and the estimators (one-at-a-time swings, Morris elementary
 * effects, Sobol indices with bootstrap intervals, a convergence check, a
 * noise floor, and two decision helpers).
 *
 * Private for now; every declaration is written so that it can move into
 * kpisim.h unchanged (the only foreign type is GSL's gsl_rng, so the public
 * header would then include <gsl/gsl_rng.h>).
 *
 * Where it sits: the CLI (later) reads the keys and their ranges, calls a
 * design function here, transforms the design, runs the engine once per row
 * of the design (each run a mean over replications, with its standard
 * error), and hands the outputs back to an estimator here.  Nothing in this
 * module prints, reads a file, exits or keeps state between calls; the
 * formulas are in docs/sensitivity.md.
 *
 * Conventions
 *   - A design or sample is a row-major n x k table of doubles: row i is one
 *     point, column j is key j.  Unit designs lie in [0,1)^k.
 *   - Every function that can fail returns KPI_OK (0) or a status
 *     (KPI_EDATA: bad arguments or data; KPI_EINTERNAL: out of memory) and
 *     fills err (which may be NULL).  Output arrays are caller-allocated; on
 *     failure their contents are unspecified.
 *   - Random designs and the bootstrap draw from a caller-supplied gsl_rng;
 *     the same generator state gives the same result.  Counts passed to
 *     gsl_rng_uniform_int are checked against the generator's range first,
 *     so GSL's error handler is never called from here, with one exception:
 *     see kpi_sens_design_sobol.
 */
#ifndef KPI_SENSITIVITY_H
#define KPI_SENSITIVITY_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "kpisim.h"

/* ------------------------------------------------------------------ */
/* Parameters and the transform from [0,1) to parameter values         */
/* ------------------------------------------------------------------ */

/* The distribution of one key.  Every distribution is truncated to the
 * key's [lo, hi] (finite, lo < hi): a sensitivity study needs a range for
 * the swings and the bins of kpi_sens_flip in any case. */
typedef enum kpi_sens_dist {
    KPI_SENS_UNIFORM = 0, /* uniform on [lo, hi]; p1, p2 unused */
    KPI_SENS_NORMAL,      /* normal, mean p1, standard deviation p2 > 0 */
    KPI_SENS_LOGNORMAL,   /* log X normal with mean p1, sd p2 > 0; lo >= 0 */
    KPI_SENS_TRIANGULAR,  /* triangular on [lo, hi] with mode p1 in [lo, hi] */
    KPI_SENS_BETA         /* lo + (hi - lo) Beta(p1, p2), p1, p2 > 0 */
} kpi_sens_dist;

typedef struct kpi_sens_param {
    const char *key;    /* the scenario key, for messages (NULL: "key N") */
    kpi_sens_dist dist;
    double lo, hi;      /* the range; the distribution is truncated to it */
    double p1, p2;      /* the distribution's parameters (above) */
    double base;        /* the base value for one-at-a-time swings, in [lo, hi] */
} kpi_sens_param;

/* Checks the k parameters (finite bounds, lo < hi, base in range, valid
 * shape parameters, non-zero probability mass in [lo, hi]).  KPI_OK or
 * KPI_EDATA with the key in err->key. */
int kpi_sens_param_check(const kpi_sens_param *params, size_t k, kpi_error *err);

/* Maps the n x k unit sample u to parameter values x (n x k) by the inverse
 * CDF of each key's truncated distribution:
 *     x = F^-1(F(lo) + u (F(hi) - F(lo)))
 * (GSL's gsl_cdf_*_Pinv; triangular in closed form).  x may be u (in
 * place).  Results are clamped to [lo, hi].  Checks the parameters first
 * and every u in [0, 1].  KPI_OK or KPI_EDATA. */
int kpi_sens_transform(const kpi_sens_param *params, size_t k, const double *u, double *x,
                       size_t n, kpi_error *err);

/* ------------------------------------------------------------------ */
/* Designs on the unit hypercube                                       */
/* ------------------------------------------------------------------ */

/* Latin hypercube: n points in [0,1)^k (x: n x k).  In every column each of
 * the n strata [s/n, (s+1)/n) holds exactly one point, i.e. floor(n x[i][j])
 * over i is a permutation of 0..n-1 (exactly, in floating point); the
 * position inside the stratum is uniform.  KPI_OK or KPI_EDATA (n or k 0,
 * n beyond the generator's range). */
int kpi_sens_design_lhs(double *x, size_t n, size_t k, gsl_rng *rng, kpi_error *err);

/* The largest dimension GSL's Sobol generator supports. */
#define KPI_SENS_SOBOL_MAXDIM 40

/* Sobol quasi-random points (GSL's gsl_qrng_sobol): points skip+1 ..
 * skip+n of the k-dimensional sequence (GSL leaves out the all-zero point,
 * so the first point is (0.5, ..., 0.5)), x: n x k, each in [0,1).
 * k <= KPI_SENS_SOBOL_MAXDIM.  KPI_OK, KPI_EDATA (k or n out of range) or
 * KPI_EINTERNAL (out of memory).
 *
 * The one place GSL's error handler can be reached: gsl_qrng_alloc reports
 * an allocation failure through it, and GSL's default handler aborts.  The
 * dimension is checked here first, so only out of memory is left; a caller
 * that wants KPI_EINTERNAL instead of an abort must have called
 * gsl_set_error_handler_off() once at start-up (the CLI's main does).  The
 * library does not switch the handler itself: it is process-wide state. */
int kpi_sens_design_sobol(double *x, size_t n, size_t k, size_t skip, kpi_error *err);

/* Saltelli's design for Sobol indices.  base is an n x 2k unit sample (a
 * Sobol sequence of dimension 2k, an LHS or plain random numbers); its
 * first k columns are A, its last k columns are B.  design receives
 * (k + 2) n rows of k columns:
 *     rows 0 .. n-1                  A
 *     rows n .. 2n-1                 B
 *     rows (2+i) n .. (3+i) n - 1    A_B^(i): A with column i taken from B
 * The model is evaluated once per row; the outputs y, in the same order,
 * are what the Sobol estimators below take.  KPI_OK or KPI_EDATA. */
int kpi_sens_design_saltelli(const double *base, size_t n, size_t k, double *design,
                             kpi_error *err);

/* Morris trajectories on a p-level grid {0, 1/(p-1), ..., 1} (p even,
 * p >= 2), step Delta = p / (2 (p - 1)).  x receives r trajectories of
 * k + 1 rows each (r (k + 1) rows of k columns).  Each trajectory starts at
 * a random grid point, then moves one key at a time by +Delta or -Delta, in
 * a random order of the keys (random base point, orientation and order:
 * Morris 1991).  pool <= r (0 say): the plain design.  pool > r: pool
 * candidate trajectories are drawn and r of them kept, chosen greedily to
 * spread them out (Campolongo, Cariboni and Saltelli 2007, with a greedy
 * choice in place of their exhaustive search: docs/sensitivity.md).
 * Unlike the other designs, the points lie on the grid and may be 1.0; the
 * transform accepts that.  KPI_OK, KPI_EDATA or KPI_EINTERNAL. */
int kpi_sens_design_morris(double *x, size_t r, size_t k, size_t p, size_t pool, gsl_rng *rng,
                           kpi_error *err);

/* The one-at-a-time design of a tornado chart, in parameter units: 2k + 1
 * rows of k columns.  Row 0 is the base point (every key at its base);
 * row 1 + 2i moves key i to lo, row 2 + 2i to hi.  KPI_OK or KPI_EDATA. */
int kpi_sens_design_oat(const kpi_sens_param *params, size_t k, double *x, kpi_error *err);

/* ------------------------------------------------------------------ */
/* Estimators                                                           */
/* ------------------------------------------------------------------ */

/* One-at-a-time swing of one key: the output at the key's lo and hi with
 * every other key at its base. */
typedef struct kpi_sens_swing {
    double low;    /* f(lo) - f(base) */
    double high;   /* f(hi) - f(base) */
    double swing;  /* |f(hi) - f(lo)|, the bar length of the tornado */
} kpi_sens_swing;

/* From y, the 2k + 1 outputs of kpi_sens_design_oat, fills out[k] and,
 * when order is not NULL, order[k] with the keys by decreasing swing (the
 * rows of the tornado, top first; ties keep the key order).  KPI_OK or
 * KPI_EDATA (a non-finite output). */
int kpi_sens_oat_swings(const double *y, size_t k, kpi_sens_swing *out, size_t *order,
                        kpi_error *err);

/* Morris's statistics of the elementary effects of one key. */
typedef struct kpi_sens_morris {
    double mu;       /* mean elementary effect */
    double mu_star;  /* mean absolute elementary effect (Campolongo 2007) */
    double sigma;    /* standard deviation of the effects (n - 1; 0 when r < 2) */
} kpi_sens_morris;

/* Elementary effects from a Morris design x (r (k + 1) rows of k columns,
 * as kpi_sens_design_morris makes it: in unit or parameter space) and the
 * outputs y (one per row).  Each step changes exactly one key j; its effect
 * is (y[m] - y[m-1]) / (x[m][j] - x[m-1][j]), so with the unit design the
 * effects are per unit of the key's range.  Fills out[k].  KPI_OK or
 * KPI_EDATA (a step that changes no key or more than one, a key that never
 * moves, a non-finite value). */
int kpi_sens_morris_effects(const double *x, const double *y, size_t r, size_t k,
                            kpi_sens_morris *out, kpi_error *err);

/* Sobol indices of one key and what the functions below add to them.  A
 * field no function has filled yet is NaN (0 for the flags). */
typedef struct kpi_sens_sobol {
    double s1, st;            /* first-order (Saltelli 2010), total (Jansen 1999) */
    double s1_se, st_se;      /* their CLT standard errors (delta method) */
    double s1_lo, s1_hi;      /* bootstrap percentile interval of s1 */
    double st_lo, st_hi;      /* ... and of st */
    double s1_half, st_half;  /* estimates from the first n/2 rows only */
    double s1_floor;          /* noise floor of s1: |s1| below it is noise */
    double st_floor;          /* noise floor of st: st below it is noise */
    int s1_noise, st_noise;   /* 1 when the index is below its floor */
    double s1_adj, st_adj;    /* the indices with the noise taken out */
} kpi_sens_sobol;

/* Point estimates from y, the (k + 2) n outputs of a Saltelli design (in
 * its row order; n >= 2).  With V the variance of the 2n outputs of A and
 * B (n - 1 style denominator 2n - 1) and m their mean:
 *     S1_i = (1/n) sum_j (f(B)_j - m) (f(A_B^i)_j - f(A)_j) / V
 *     ST_i = (1/(2n)) sum_j (f(A)_j - f(A_B^i)_j)^2 / V
 * (the centring by m leaves the expectation as it is and cuts the variance
 * when the output's mean is large against its spread).  Fills s1, st,
 * s1_se, st_se of out[k], sets the other fields to NaN and 0, and *var_y
 * (may be NULL) to V.  KPI_OK or KPI_EDATA (a non-finite output, or a
 * constant output, whose indices are undefined). */
int kpi_sens_sobol_indices(const double *y, size_t n, size_t k, kpi_sens_sobol *out,
                           double *var_y, kpi_error *err);

/* Bootstrap percentile intervals: nboot resamples (>= 10) of the n rows
 * with replacement (one draw resamples row j of A, B and every A_B^i
 * together), the indices of each, and the (1 - level)/2 and (1 + level)/2
 * quantiles of the nboot values (level in (0, 1), e.g. 0.95).  Fills
 * s1_lo, s1_hi, st_lo, st_hi of out[k]; leaves the rest.  Cost
 * O(nboot n k); memory O(nboot k + n).  KPI_OK, KPI_EDATA or KPI_EINTERNAL. */
int kpi_sens_sobol_bootstrap(const double *y, size_t n, size_t k, size_t nboot, double level,
                             gsl_rng *rng, kpi_sens_sobol *out, kpi_error *err);

/* Convergence check: the indices from the first n/2 rows of A, B and each
 * A_B^i (n >= 4; with a Sobol base of n = 2^m rows these are the first
 * 2^(m-1) points, themselves a balanced design) against those of all n.
 * Fills s1_half and st_half of out[k] (out must hold the full-sample
 * estimates, from kpi_sens_sobol_indices); *max_change (may be NULL)
 * receives the largest |index(n) - index(n/2)| over both kinds and all
 * keys, and *converged (may be NULL) 1 when it is <= tol.  KPI_OK or
 * KPI_EDATA (also when out holds no estimates). */
int kpi_sens_sobol_convergence(const double *y, size_t n, size_t k, double tol,
                               kpi_sens_sobol *out, double *max_change, int *converged,
                               kpi_error *err);

/* Noise floor.  Each output is a Monte Carlo mean with a standard error;
 * se holds those (k + 2) n standard errors in the order of y.  Noise of
 * variance s^2 on each output
 *   - biases the total index up: a key with no effect gets in expectation
 *         eta_i = (1/(2n)) sum_j (s_A,j^2 + s_AB^i,j^2) / V;
 *   - adds to the spread of both indices (to first order in s):
 *         sd_noise(S1_i)^2 = sum_j [(f(B)_j - m)^2 (s_A,j^2 + s_AB^i,j^2)
 *                                   + s_B,j^2 (f(A_B^i)_j - f(A)_j)^2] / (n V)^2
 *         sd_noise(ST_i)^2 = sum_j (f(A)_j - f(A_B^i)_j)^2 (s_A,j^2 + s_AB^i,j^2) / (n V)^2
 * The floors are s1_floor = z sd_noise(S1_i) and st_floor = eta_i +
 * z sd_noise(ST_i): an index at or below its floor cannot be told from 0
 * with this much replication noise, and its flag (s1_noise: |s1| <=
 * s1_floor; st_noise: st <= st_floor) is set.  z > 0 (2 is a fair default).
 * Noise also inflates V, by the mean noise variance of A and B, nv; the
 * adjusted indices take both effects out:
 *     s1_adj = S1_i V / (V - nv),   st_adj = (ST_i - eta_i) V / (V - nv)
 * (NaN when nv >= V: the output is all noise).
 * out must hold the estimates of kpi_sens_sobol_indices.  KPI_OK or
 * KPI_EDATA (a negative or non-finite standard error). */
int kpi_sens_sobol_noise(const double *y, const double *se, size_t n, size_t k, double z,
                         kpi_sens_sobol *out, kpi_error *err);

/* ------------------------------------------------------------------ */
/* Decision robustness                                                  */
/* ------------------------------------------------------------------ */

/* The probability that each of s strategies is the best one.  y is n x s:
 * row i holds the outputs of the s strategies at design point i.  At each
 * point the best is the largest output (larger_is_better != 0) or the
 * smallest; t strategies tied for best get 1/t each.  p[s] receives the
 * mean of those shares over the points, se[s] (may be NULL) their standard
 * error (sample sd / sqrt(n); 0 when n < 2).  KPI_OK or KPI_EDATA. */
int kpi_sens_prob_best(const double *y, size_t n, size_t s, int larger_is_better, double *p,
                       double *se, kpi_error *err);

/* Where the ranking flips.  x is the n x k design (parameter or unit
 * values), y the n x s outputs as for kpi_sens_prob_best.  For every key
 * the points are split by the rank of that key's value into nbins bins of
 * (nearly) equal size (nbins = 5: quintiles; 2 <= nbins <= n), and
 * share[key * nbins + b] receives the share of points of bin b where
 * strategy `strategy` is best (ties shared as above).  spread[k] receives
 * max_b share - min_b share per key; *flip_key the key with the largest
 * spread (the first on a tie), and *flip_at (may be NULL) where that key's
 * share crosses 1/2: linear interpolation between the medians of the two
 * adjacent bins whose shares lie on either side of 1/2 (the first such
 * pair), NaN when the share never crosses.  KPI_OK, KPI_EDATA or
 * KPI_EINTERNAL. */
int kpi_sens_flip(const double *x, size_t n, size_t k, const double *y, size_t s,
                  size_t strategy, int larger_is_better, size_t nbins, double *share,
                  double *spread, size_t *flip_key, double *flip_at, kpi_error *err);

#endif /* KPI_SENSITIVITY_H */
