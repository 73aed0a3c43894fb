/*
 * fit.c - fitting scenario keys to a team's history: simulated method of
 * moments on common random numbers (the numeric core of `kpisim
 * calibrate`; docs/calibration.md states the method).
 *
 * For a trial value of the keys the model is run for the same replications
 * of the same seed (common random numbers: the objective moves smoothly
 * with the keys instead of jumping with fresh noise); the objective is the
 * mean over the observed points (month, figure) of the squared distance of
 * the observation from the simulated mean, weighted by the inverse of the
 * simulated variance of that figure in that month (plus a floor).  GSL's
 * Nelder-Mead simplex (nmsimplex2) searches the logit of each key's
 * position within its bounds, from the best of the centre and a small
 * Latin hypercube; a second pass recomputes the weights at the first
 * estimate and polishes it.  Intervals are asymptotic: the Jacobian of the
 * simulated means by central differences, a sandwich with the simulated
 * covariance of the weighted moments.  Nothing here prints or reads files.
 */
#include "kpisim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_rng.h>

#include "error.h"
#include "num.h"
#include "scenario.h"
#include "suggest.h"

/* The variance floor of a figure, as a share of its mean observed size:
 * a figure the model reproduces exactly (month 1's headcount) must not get
 * an infinite weight. */
#define FLOOR_SHARE 0.02
/* The objective of a trial the scenario rules refuse (compliance_sd above
 * compliance, say): far above any real objective. */
#define PENALTY 1e12
/* A key whose linearised effect over its whole range moves the weighted
 * figures by less than this (RMS, in standard deviations) is not
 * identified by the figures given. */
#define EFFECT_MIN 0.1
/* Eigenvalues of the scaled information below this share of the largest
 * mark a direction the figures cannot see (keys that only act together). */
#define EIGEN_MIN 1e-6
#define Z90 1.6448536269514722
/* Stopping size of the simplex, in logit units. */
#define SIMPLEX_TOL 0.01
/* Bounds wider than this many times the base's value are clipped to
 * CLIP_TO times it. */
#define CLIP_OVER 100.0
#define CLIP_TO 10.0

/* ------------------------------------------------------------------ */
/* Keys                                                               */
/* ------------------------------------------------------------------ */

static const char *const stage_words[] = {"prospect", "contact", "meeting", "sale", NULL};

/* funnel.SOURCE.STAGE: the funnel and the stage (1-3), or NULL. */
static kpi_funnel *funnel_stage(const kpi_scenario *sc, const char *key, int *stage)
{
    static const char *const src[] = {"cold", "referral", "old_client"};
    if (strncmp(key, "funnel.", 7) != 0)
        return NULL;
    const char *s = key + 7, *dot = strchr(s, '.');
    if (!dot)
        return NULL;
    for (int i = 0; i < 3; i++) {
        if (strlen(src[i]) != (size_t)(dot - s) || strncmp(s, src[i], (size_t)(dot - s)) != 0)
            continue;
        for (int g = 1; g < 4; g++)
            if (strcmp(dot + 1, stage_words[g]) == 0) {
                *stage = g;
                const kpi_funnel *f = i == 0 ? &sc->funnel.cold
                                      : i == 1 ? &sc->funnel.referral : &sc->funnel.old_client;
                return (kpi_funnel *)(uintptr_t)f;
            }
    }
    return NULL;
}

double kpi_fit_get(const kpi_scenario *sc, const char *key)
{
    int g;
    const kpi_funnel *f = funnel_stage(sc, key, &g);
    if (f)
        return f->stage[g] / f->stage[g - 1];
    const kpi_key *k = kpi_key_find(key);
    if (!k)
        return NAN;
    if (k->type == KPI_KT_REAL)
        return *(const double *)(const void *)((const char *)sc + k->offset);
    if (k->type == KPI_KT_INT)
        return (double)kpi_key_whole(k, sc);
    return NAN;
}

int kpi_fit_set(kpi_scenario *sc, const char *key, double v, kpi_error *err)
{
    int g;
    kpi_funnel *f = funnel_stage(sc, key, &g);
    if (f) {
        /* The stage relative to the one before; later stages keep their
         * own ratios, so the funnel never grows. */
        double ratio[4] = {1, 1, 1, 1};
        for (int j = 1; j < 4; j++)
            ratio[j] = f->stage[j - 1] > 0 ? f->stage[j] / f->stage[j - 1] : 0;
        ratio[g] = v;
        for (int j = g; j < 4; j++)
            f->stage[j] = ratio[j] * f->stage[j - 1];
        return KPI_OK;
    }
    const kpi_key *k = kpi_key_find(key);
    if (!k || (k->type != KPI_KT_REAL && k->type != KPI_KT_INT))
        return kpi_error_set(err, KPI_EDATA, key, "not a numeric key that can be fitted");
    if (!(v >= k->min && v <= k->max))
        return kpi_error_set(err, KPI_EDATA, key, "%g is outside [%g, %g]", v, k->min, k->max);
    if (k->type == KPI_KT_REAL)
        *(double *)(void *)((char *)sc + k->offset) = v;
    else
        kpi_key_set_whole(k, sc, (long long)floor(v + 0.5));
    return KPI_OK;
}

static int parse_num(const char *s, size_t n, double *v)
{
    kpi_ynum y;
    if (n == 0 || kpi_ynum_parse(s, n, &y) != KPI_YNUM_OK)
        return -1;
    *v = y.value;
    return 0;
}

int kpi_fit_key_parse(kpi_fit_key *k, const char *spec, const kpi_scenario *base,
                      kpi_error *err)
{
    memset(k, 0, sizeof *k);
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : strlen(spec);
    if (n == 0 || n >= sizeof k->key)
        return kpi_error_set(err, KPI_EUSAGE, "--fit", "expected KEY or KEY=LO:HI, got '%s'",
                             spec);
    memcpy(k->key, spec, n);
    k->key[n] = '\0';
    double kmin, kmax;
    int g;
    if (strncmp(k->key, "funnel.", 7) == 0 && strchr(k->key + 7, '.')) {
        if (!funnel_stage(base, k->key, &g))
            return kpi_error_set(err, KPI_EUSAGE, "--fit",
                                 "'%s': expected funnel.SOURCE.STAGE with SOURCE cold, referral "
                                 "or old_client and STAGE contact, meeting or sale", k->key);
        kmin = 0.01;
        kmax = 1;
    } else {
        const kpi_key *t = kpi_key_find(k->key);
        if (!t) {
            char sect[256];
            const char *dot = strrchr(k->key, '.');
            snprintf(sect, sizeof sect, "%.*s", dot ? (int)(dot - k->key) : 0, k->key);
            const char *s = kpi_suggest_key(sect, dot ? dot + 1 : k->key);
            return kpi_error_set(err, KPI_EUSAGE, "--fit", "unknown key '%s'%s%s%s", k->key,
                                 s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
        }
        if (t->type == KPI_KT_FUNNEL)
            return kpi_error_set(err, KPI_EUSAGE, "--fit",
                                 "'%s' is a whole funnel; fit one stage: %s.contact, "
                                 "%s.meeting or %s.sale", k->key, k->key, k->key, k->key);
        if ((t->type != KPI_KT_REAL && t->type != KPI_KT_INT) ||
            strcmp(k->key, "months") == 0)
            return kpi_error_set(err, KPI_EUSAGE, "--fit",
                                 "'%s' cannot be fitted: expected a numeric key of the scenario "
                                 "(months come from the history)", k->key);
        kmin = t->min;
        kmax = t->max;
    }
    if (eq) {
        const char *c = strchr(eq + 1, ':');
        if (!c || parse_num(eq + 1, (size_t)(c - eq - 1), &k->lo) != 0 ||
            parse_num(c + 1, strlen(c + 1), &k->hi) != 0)
            return kpi_error_set(err, KPI_EUSAGE, "--fit",
                                 "'%s': expected bounds LO:HI (two numbers), got '%s'", k->key,
                                 eq + 1);
        if (!(k->lo < k->hi))
            return kpi_error_set(err, KPI_EUSAGE, "--fit",
                                 "'%s': expected LO < HI, got %g:%g", k->key, k->lo, k->hi);
        if (k->lo < kmin || k->hi > kmax)
            return kpi_error_set(err, KPI_EUSAGE, "--fit",
                                 "'%s': bounds %g:%g leave the key's range [%g, %g]", k->key,
                                 k->lo, k->hi, kmin, kmax);
    } else {
        k->lo = kmin;
        k->hi = kmax;
        double v = fabs(kpi_fit_get(base, k->key));
        double scale = v > 1 ? v : 1;
        if (k->hi - k->lo > CLIP_OVER * scale) {
            double lo = k->lo, hi = k->hi;
            k->hi = k->lo + CLIP_TO * scale;
            if (k->lo < -CLIP_TO * scale) {
                k->lo = -CLIP_TO * scale;
            }
            k->clipped = 1;
            snprintf(k->note, sizeof k->note,
                     "the key's range [%g, %g] is clipped to [%g, %g] (%g times the base's "
                     "value); give --fit %.60s=LO:HI to choose", lo, hi, k->lo, k->hi, CLIP_TO,
                     k->key);
        }
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* The objective                                                      */
/* ------------------------------------------------------------------ */

typedef struct fitctx {
    const kpi_history *h;
    kpi_scenario *sc;           /* the trial scenario */
    const kpi_scenario *base;
    const kpi_fit_key *keys;
    int nkeys;
    kpi_run_opts ropts;
    long R;
    int months;
    double *monthly, *figures;  /* one run's results */
    long npts;
    int *pm, *pk;               /* month and KPI of each observed point */
    double *obs, *flo;          /* observation, variance floor */
    double *mu, *var;           /* simulated mean and variance at the last trial */
    double *w;                  /* the weights of the current pass */
    /* the trace */
    double *trace;
    int ntrace, tcap, pass;
    int evals;
    double best;
    const kpi_fit_opts *opts;
    int status;
    kpi_error *err;
} fitctx;

static double theta_of(const fitctx *c, int k, double u)
{
    const kpi_fit_key *key = &c->keys[k];
    return key->lo + (key->hi - key->lo) / (1 + exp(-u));
}

static double u_of(const fitctx *c, int k, double theta)
{
    const kpi_fit_key *key = &c->keys[k];
    double p = (theta - key->lo) / (key->hi - key->lo);
    if (p < 1e-6)
        p = 1e-6;
    if (p > 1 - 1e-6)
        p = 1 - 1e-6;
    return log(p / (1 - p));
}

/* Runs the model at theta; mu and var receive the points' simulated mean
 * and variance.  Returns KPI_OK, 1 when the scenario rules refuse theta,
 * or a failing status (err filled). */
static int simulate(fitctx *c, const double *theta)
{
    *c->sc = *c->base;
    for (int k = 0; k < c->nkeys; k++)
        if (kpi_fit_set(c->sc, c->keys[k].key, theta[k], NULL) != KPI_OK)
            return 1;
    if (kpi_scenario_check(c->sc, NULL) != KPI_OK)
        return 1;
    int rc = c->opts->run ? c->opts->run(c->opts->run_userdata, c->sc, &c->ropts, c->R,
                                         c->monthly, c->figures, c->err)
                          : kpi_run_range(c->sc, &c->ropts, 0, c->R, c->monthly, c->figures,
                                          c->err);
    if (rc != KPI_OK)
        return rc;
    for (long j = 0; j < c->npts; j++) {
        double s = 0, s2 = 0;
        for (long r = 0; r < c->R; r++) {
            double x = c->monthly[((size_t)r * (size_t)c->months + (size_t)c->pm[j]) * KPI_NKPI +
                                  (size_t)c->pk[j]];
            s += x;
            s2 += x * x;
        }
        double m = s / (double)c->R;
        double v = c->R > 1 ? (s2 - s * m) / (double)(c->R - 1) : 0;
        c->mu[j] = m;
        c->var[j] = v > 0 ? v : 0;
    }
    return KPI_OK;
}

static void set_weights(fitctx *c)
{
    for (long j = 0; j < c->npts; j++)
        c->w[j] = 1 / (c->var[j] + c->flo[j]);
}

static int trace_add(fitctx *c, double q, const double *theta)
{
    int row = 2 + c->nkeys;
    if (c->ntrace >= c->tcap) {
        int nc = c->tcap ? c->tcap * 2 : 256;
        double *t = realloc(c->trace, (size_t)nc * (size_t)row * sizeof *t);
        if (!t)
            return -1;
        c->trace = t;
        c->tcap = nc;
    }
    double *t = c->trace + (size_t)c->ntrace++ * (size_t)row;
    t[0] = c->pass;
    t[1] = q;
    memcpy(t + 2, theta, (size_t)c->nkeys * sizeof *theta);
    return 0;
}

/* The objective at theta, traced; after a failure (c->status) PENALTY. */
static double objective(fitctx *c, const double *theta)
{
    if (c->status != KPI_OK)
        return PENALTY;
    double q = PENALTY;
    int rc = simulate(c, theta);
    if (rc == KPI_OK) {
        q = 0;
        for (long j = 0; j < c->npts; j++) {
            double d = c->obs[j] - c->mu[j];
            q += c->w[j] * d * d;
        }
        q /= (double)c->npts;
    } else if (rc != 1) {
        c->status = rc;
        return PENALTY;
    }
    c->evals++;
    if (trace_add(c, q, theta) != 0) {
        c->status = kpi_error_oom(c->err, "while fitting");
        return PENALTY;
    }
    if (q < c->best)
        c->best = q;
    if (c->opts->progress && c->opts->progress(c->opts->userdata, c->evals, c->best)) {
        c->status = kpi_error_set(c->err, KPI_ECANCEL, NULL, "cancelled");
    }
    return q;
}

static double nm_f(const gsl_vector *u, void *params)
{
    fitctx *c = params;
    double theta[KPI_FIT_MAX_KEYS];
    for (int k = 0; k < c->nkeys; k++)
        theta[k] = theta_of(c, k, gsl_vector_get(u, (size_t)k));
    return objective(c, theta);
}

/* One simplex search from theta0 (in/out: the best point), step in logit
 * units.  *q receives its objective.  Returns a status. */
static int simplex(fitctx *c, double *theta, double step, double *q)
{
    size_t d = (size_t)c->nkeys;
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(
        gsl_multimin_fminimizer_nmsimplex2, d);
    gsl_vector *x = gsl_vector_alloc(d), *ss = gsl_vector_alloc(d);
    int rc = KPI_OK;
    if (!s || !x || !ss) {
        rc = kpi_error_oom(c->err, "while fitting");
        goto done;
    }
    for (size_t k = 0; k < d; k++) {
        gsl_vector_set(x, k, u_of(c, (int)k, theta[k]));
        gsl_vector_set(ss, k, step);
    }
    gsl_multimin_function fn = {nm_f, d, c};
    int start = c->evals;
    if (gsl_multimin_fminimizer_set(s, &fn, x, ss) != GSL_SUCCESS && c->status == KPI_OK) {
        rc = kpi_error_set(c->err, KPI_EINTERNAL, NULL, "the simplex could not start");
        goto done;
    }
    while (c->status == KPI_OK && c->evals - start < c->opts->max_evals) {
        if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), SIMPLEX_TOL) == GSL_SUCCESS)
            break;
    }
    if (c->status != KPI_OK) {
        rc = c->status;
        goto done;
    }
    for (size_t k = 0; k < d; k++)
        theta[k] = theta_of(c, (int)k, gsl_vector_get(s->x, k));
    *q = s->fval;
done:
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(x);
    gsl_vector_free(ss);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Intervals and identification                                       */
/* ------------------------------------------------------------------ */

/* Jacobian D (npts x nkeys) of the simulated means at theta by central
 * differences (one-sided at a bound). */
static int jacobian(fitctx *c, const double *theta, double *D)
{
    double t[KPI_FIT_MAX_KEYS];
    double *up = malloc((size_t)c->npts * sizeof *up);
    if (!up)
        return kpi_error_oom(c->err, "while fitting");
    for (int k = 0; k < c->nkeys; k++) {
        const kpi_fit_key *key = &c->keys[k];
        double h = fmax(0.1 * fabs(theta[k]), 0.02 * (key->hi - key->lo));
        const kpi_key *tk = kpi_key_find(key->key);
        if (tk && tk->type == KPI_KT_INT)
            h = fmax(h, 1);
        double a = fmax(theta[k] - h, key->lo), b = fmin(theta[k] + h, key->hi);
        memcpy(t, theta, (size_t)c->nkeys * sizeof *t);
        t[k] = b;
        int rc = simulate(c, t);
        if (rc == KPI_OK) {
            memcpy(up, c->mu, (size_t)c->npts * sizeof *up);
            t[k] = a;
            rc = simulate(c, t);
        }
        if (rc == 1) {     /* refused by the rules: no derivative there */
            for (long j = 0; j < c->npts; j++)
                D[j * c->nkeys + k] = 0;
            continue;
        }
        if (rc != KPI_OK) {
            free(up);
            return rc;
        }
        for (long j = 0; j < c->npts; j++)
            D[j * c->nkeys + k] = (up[j] - c->mu[j]) / (b - a);
    }
    free(up);
    return KPI_OK;
}

/* Each key's effect on the figures (its identification by effect) and the
 * information H = D'WD at the estimate, with the weights there. */
static void information(fitctx *c, kpi_fit *f, const double *D, gsl_matrix *H)
{
    int d = c->nkeys;
    long J = c->npts;
    set_weights(c);
    for (int k = 0; k < d; k++) {
        double s = 0;
        for (long j = 0; j < J; j++)
            s += c->w[j] * D[j * d + k] * D[j * d + k];
        double range = c->keys[k].hi - c->keys[k].lo;
        f->key[k].effect = sqrt(s / (double)J) * range;
        f->key[k].identified = f->key[k].effect >= EFFECT_MIN;
    }
    /* H = D'WD on the scale of each key's range. */
    for (int k = 0; k < d; k++)
        for (int l = 0; l < d; l++) {
            double s = 0;
            for (long j = 0; j < J; j++)
                s += c->w[j] * D[j * d + k] * D[j * d + l];
            gsl_matrix_set(H, (size_t)k, (size_t)l, s);
        }
}

/* The condition number of the information scaled to the keys' ranges
 * (in E, V, ev: work space of the caller), and the keys that load on its
 * small eigenvalues, which are not identified. */
static void unidentified(fitctx *c, kpi_fit *f, const gsl_matrix *H, gsl_matrix *E,
                         gsl_matrix *V, gsl_vector *ev, gsl_eigen_symmv_workspace *ws)
{
    int d = c->nkeys;
    for (int k = 0; k < d; k++)
        for (int l = 0; l < d; l++)
            gsl_matrix_set(E, (size_t)k, (size_t)l,
                           gsl_matrix_get(H, (size_t)k, (size_t)l) *
                               (c->keys[k].hi - c->keys[k].lo) * (c->keys[l].hi - c->keys[l].lo));
    gsl_eigen_symmv(E, ev, V, ws);
    double emax = 0, emin = HUGE_VAL;
    for (int i = 0; i < d; i++) {
        emax = fmax(emax, gsl_vector_get(ev, (size_t)i));
        emin = fmin(emin, gsl_vector_get(ev, (size_t)i));
    }
    f->condition = emin > 0 ? emax / emin : HUGE_VAL;
    for (int i = 0; i < d; i++)
        if (gsl_vector_get(ev, (size_t)i) < EIGEN_MIN * emax)
            for (int k = 0; k < d; k++)
                if (fabs(gsl_matrix_get(V, (size_t)k, (size_t)i)) > 0.3)
                    f->key[k].identified = 0;
}

/* Identification, the condition number and the sandwich intervals.  The
 * last simulate() must be the run at the estimate (its replications in
 * c->monthly, means and variances in c->mu, c->var). */
static int intervals(fitctx *c, kpi_fit *f, const double *D)
{
    int d = c->nkeys, rc = KPI_OK;
    long J = c->npts;
    gsl_matrix *H = gsl_matrix_calloc((size_t)d, (size_t)d);
    gsl_matrix *O = gsl_matrix_calloc((size_t)d, (size_t)d);
    gsl_matrix *E = gsl_matrix_alloc((size_t)d, (size_t)d);
    gsl_matrix *V = gsl_matrix_alloc((size_t)d, (size_t)d);
    gsl_vector *ev = gsl_vector_alloc((size_t)d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc((size_t)d);
    double *a = malloc((size_t)c->R * (size_t)d * sizeof *a);
    gsl_permutation *perm = NULL;
    if (!H || !O || !E || !V || !ev || !ws || !a) {
        rc = kpi_error_oom(c->err, "while fitting");
        goto done;
    }
    information(c, f, D, H);
    /* Directions the figures cannot see: small eigenvalues of the scaled
     * information; the keys that load on them are not identified. */
    unidentified(c, f, H, E, V, ev, ws);
    /* The sandwich over the identified keys: a_r = D'W(x_r - mu). */
    int idx[KPI_FIT_MAX_KEYS], n = 0;
    for (int k = 0; k < d; k++)
        if (f->key[k].identified)
            idx[n++] = k;
    for (int k = 0; k < d; k++) {
        f->key[k].se = -1;
        f->key[k].ci_lo = c->keys[k].lo;
        f->key[k].ci_hi = c->keys[k].hi;
    }
    if (n == 0)
        goto done;
    for (long r = 0; r < c->R; r++)
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (long j = 0; j < J; j++) {
                double x = c->monthly[((size_t)r * (size_t)c->months + (size_t)c->pm[j]) *
                                          KPI_NKPI + (size_t)c->pk[j]];
                s += D[j * d + idx[k]] * c->w[j] * (x - c->mu[j]);
            }
            a[r * n + k] = s;
        }
    gsl_matrix_view Hs = gsl_matrix_submatrix(E, 0, 0, (size_t)n, (size_t)n);
    gsl_matrix_view Os = gsl_matrix_submatrix(O, 0, 0, (size_t)n, (size_t)n);
    gsl_matrix_view Vs = gsl_matrix_submatrix(V, 0, 0, (size_t)n, (size_t)n);
    for (int k = 0; k < n; k++)
        for (int l = 0; l < n; l++) {
            gsl_matrix_set(&Hs.matrix, (size_t)k, (size_t)l,
                           gsl_matrix_get(H, (size_t)idx[k], (size_t)idx[l]));
            double s = 0;
            for (long r = 0; r < c->R; r++)
                s += a[r * n + k] * a[r * n + l];
            /* (1 + 1/R): the simulated means carry noise of their own. */
            gsl_matrix_set(&Os.matrix, (size_t)k, (size_t)l,
                           s / (double)(c->R > 1 ? c->R - 1 : 1) * (1 + 1.0 / (double)c->R));
        }
    /* V = H^-1 O H^-1, through the LU of H (a singular H leaves the
     * intervals at the bounds: checked before the solves, which would
     * call GSL's error handler). */
    perm = gsl_permutation_alloc((size_t)n);
    if (!perm) {
        rc = kpi_error_oom(c->err, "while fitting");
        goto done;
    }
    int sign;
    if (gsl_linalg_LU_decomp(&Hs.matrix, perm, &sign) != GSL_SUCCESS ||
        fabs(gsl_linalg_LU_det(&Hs.matrix, sign)) < 1e-300)
        goto done;
    for (int l = 0; l < n; l++) {
        gsl_vector_view col = gsl_matrix_column(&Os.matrix, (size_t)l);
        gsl_linalg_LU_svx(&Hs.matrix, perm, &col.vector);
    }
    /* Os now holds H^-1 O; transpose it and solve again. */
    gsl_matrix_transpose(&Os.matrix);
    for (int l = 0; l < n; l++) {
        gsl_vector_view col = gsl_matrix_column(&Os.matrix, (size_t)l);
        gsl_linalg_LU_svx(&Hs.matrix, perm, &col.vector);
    }
    gsl_matrix_memcpy(&Vs.matrix, &Os.matrix);
    for (int k = 0; k < n; k++) {
        double v = gsl_matrix_get(&Vs.matrix, (size_t)k, (size_t)k);
        kpi_fit_key *key = &f->key[idx[k]];
        if (!(v >= 0) || !isfinite(v))
            continue;
        key->se = sqrt(v);
        key->ci_lo = fmax(key->estimate - Z90 * key->se, key->lo);
        key->ci_hi = fmin(key->estimate + Z90 * key->se, key->hi);
    }
done:
    gsl_matrix_free(H);
    gsl_matrix_free(O);
    gsl_matrix_free(E);
    gsl_matrix_free(V);
    gsl_vector_free(ev);
    gsl_eigen_symmv_free(ws);
    if (perm)
        gsl_permutation_free(perm);
    free(a);
    return rc;
}

/* Goodness of fit from the run at the estimate (c->monthly, mu, var):
 * the share of points inside the 90% band, and the weighted distance of
 * the history against that of each replication taken as a pseudo-history. */
static int goodness(fitctx *c, kpi_fit *f)
{
    double *x = malloc((size_t)c->R * sizeof *x), *work = malloc((size_t)c->R * sizeof *work);
    if (!x || !work) {
        free(x);
        free(work);
        return kpi_error_oom(c->err, "while fitting");
    }
    long inside = 0;
    double chi = 0;
    memset(x, 0, (size_t)c->R * sizeof *x);
    for (long j = 0; j < c->npts; j++) {
        kpi_band b;
        size_t off = (size_t)c->pm[j] * KPI_NKPI + (size_t)c->pk[j];
        kpi_band_compute(c->monthly + off, (size_t)c->months * KPI_NKPI, (size_t)c->R, work, &b);
        inside += c->obs[j] >= b.p05 && c->obs[j] <= b.p95;
        double wj = 1 / (c->var[j] + c->flo[j]);
        double dd = c->obs[j] - c->mu[j];
        chi += wj * dd * dd;
        for (long r = 0; r < c->R; r++) {
            double e = c->monthly[(size_t)r * (size_t)c->months * KPI_NKPI + off] - c->mu[j];
            x[r] += wj * e * e;
        }
    }
    long above = 0;
    for (long r = 0; r < c->R; r++)
        above += x[r] >= chi;
    f->npoints = c->npts;
    f->inside90 = (double)inside / (double)c->npts;
    f->chi2 = chi;
    f->chi2_p = (double)(above + 1) / (double)(c->R + 1);
    free(x);
    free(work);
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* The fit                                                            */
/* ------------------------------------------------------------------ */

void kpi_fit_free(kpi_fit *f)
{
    if (!f)
        return;
    free(f->trace);
    kpi_results_free(f->res);
    free(f);
}

static void ctx_free(fitctx *c)
{
    free(c->sc);
    free(c->monthly);
    free(c->figures);
    free(c->pm);
    free(c->pk);
    free(c->obs);
    free(c->flo);
    free(c->mu);
    free(c->var);
    free(c->w);
    free(c->trace);
}

/* The observed points of the history (its non-empty cells) and each
 * figure's variance floor (docs/calibration.md "The method"). */
static void observed_points(fitctx *c)
{
    long j = 0;
    for (int i = 0; i < c->h->nfig; i++) {
        double s = 0;
        int n = 0;
        for (int m = 0; m < c->h->months; m++) {
            double v = c->h->value[(size_t)m * (size_t)c->h->nfig + (size_t)i];
            if (!isnan(v)) {
                s += fabs(v);
                n++;
            }
        }
        double scale = n ? s / n : 0;
        double fl = FLOOR_SHARE * scale * FLOOR_SHARE * scale;
        if (!(fl > 1e-12))
            fl = 1e-12;
        for (int m = 0; m < c->h->months; m++) {
            double v = c->h->value[(size_t)m * (size_t)c->h->nfig + (size_t)i];
            if (isnan(v))
                continue;
            c->pm[j] = m;
            c->pk[j] = c->h->kpi[i];
            c->obs[j] = v;
            c->flo[j] = fl;
            j++;
        }
    }
}

/* Pass 1: weights from the centre of the bounds (or the base), the
 * centre and a Latin hypercube of starts, the simplex from the best two
 * (docs/calibration.md "The method").  Leaves the estimate in theta, its
 * objective in *qbest and each key's start in f. */
static int first_pass(fitctx *c, gsl_rng *rng, kpi_fit *f, double *theta, double *qbest)
{
    double centre[KPI_FIT_MAX_KEYS];
    int rc;
    for (int k = 0; k < c->nkeys; k++)
        centre[k] = theta_of(c, k, 0);
    c->pass = 1;
    rc = simulate(c, centre);
    if (rc == 1) {
        /* The centre breaks a rule: weights from the base itself. */
        for (int k = 0; k < c->nkeys; k++) {
            double v = kpi_fit_get(c->base, c->keys[k].key);
            centre[k] = v >= c->keys[k].lo && v <= c->keys[k].hi ? v : centre[k];
        }
        rc = simulate(c, centre);
    }
    if (rc != KPI_OK) {
        if (rc == 1)
            rc = kpi_error_set(c->err, KPI_EDATA, c->keys[0].key,
                               "the scenario's rules refuse the centre of the bounds; give "
                               "narrower bounds");
        return rc;
    }
    set_weights(c);
    int ns = c->opts->starts > 0 ? c->opts->starts : 0;
    if (ns > 64)
        ns = 64;
    double starts[65][KPI_FIT_MAX_KEYS], sq[65];
    int perm[64];
    gsl_rng_set(rng, (unsigned long)(c->opts->seed ^ 0x5eedf17ULL));
    memcpy(starts[0], centre, sizeof centre);
    for (int k = 0; k < c->nkeys; k++) {
        for (int i = 0; i < ns; i++)
            perm[i] = i;
        for (int i = ns - 1; i > 0; i--) {
            int r = (int)gsl_rng_uniform_int(rng, (unsigned long)(i + 1));
            int t = perm[i];
            perm[i] = perm[r];
            perm[r] = t;
        }
        for (int i = 0; i < ns; i++) {
            /* Stratum perm[i] of ns, kept off the very edges. */
            double p = 0.05 + 0.9 * (perm[i] + gsl_rng_uniform(rng)) / ns;
            starts[i + 1][k] = c->keys[k].lo + p * (c->keys[k].hi - c->keys[k].lo);
        }
    }
    int best = 0, second = -1;
    for (int i = 0; i <= ns; i++) {
        sq[i] = objective(c, starts[i]);
        if (c->status != KPI_OK) {
            return c->status;
        }
        if (sq[i] < sq[best]) {
            second = best;
            best = i;
        } else if (i != best && (second < 0 || sq[i] < sq[second])) {
            second = i;
        }
    }
    double q1;
    memcpy(theta, starts[best], KPI_FIT_MAX_KEYS * sizeof *theta);
    if ((rc = simplex(c, theta, 1.0, qbest)) != KPI_OK)
        return rc;
    if (second >= 0 && second != best) {
        double t2[KPI_FIT_MAX_KEYS];
        memcpy(t2, starts[second], sizeof t2);
        if ((rc = simplex(c, t2, 1.0, &q1)) != KPI_OK)
            return rc;
        if (q1 < *qbest) {
            *qbest = q1;
            memcpy(theta, t2, sizeof t2);
            best = second;
        }
    }
    for (int k = 0; k < c->nkeys; k++)
        f->key[k].start = starts[best][k];

    return KPI_OK;
}

/* Pass 2: weights at the first estimate; the simplex polishes it. */
static int second_pass(fitctx *c, double *theta, double *qbest)
{
    int rc;
    c->pass = 2;
    rc = simulate(c, theta);
    if (rc != KPI_OK) {
        if (rc == 1)
            rc = kpi_error_set(c->err, KPI_EINTERNAL, NULL, "the estimate breaks a rule");
        return rc;
    }
    set_weights(c);
    if ((rc = simplex(c, theta, 0.5, qbest)) != KPI_OK)
        return rc;

    return KPI_OK;
}

/* The run at the estimate (its results, for the bands and the projection)
 * and the trace pass to the fit f. */
static int keep_run(fitctx *c, kpi_fit *f)
{
    f->res = kpi_results_create(c->months, c->R);
    if (!f->res)
        return kpi_error_oom(c->err, "while fitting");
    memcpy(f->res->monthly, c->monthly,
           (size_t)c->R * (size_t)c->months * KPI_NKPI * sizeof *c->monthly);
    memcpy(f->res->figures, c->figures, (size_t)c->R * KPI_NFIG * sizeof *c->figures);
    f->trace = c->trace;
    f->ntrace = c->ntrace;
    c->trace = NULL;
    return KPI_OK;
}

int kpi_fit_run(const kpi_scenario *base, const kpi_history *h, const kpi_fit_key *keys,
                int nkeys, const kpi_fit_opts *opts, kpi_fit **out, kpi_error *err)
{
    fitctx c;
    kpi_fit *f = NULL;
    double *D = NULL;
    gsl_rng *rng = NULL;
    int rc = KPI_OK;
    memset(&c, 0, sizeof c);
    *out = NULL;
    if (nkeys < 1 || nkeys > KPI_FIT_MAX_KEYS)
        return kpi_error_set(err, KPI_EUSAGE, "--fit", "expected 1 to %d keys to fit, got %d",
                             KPI_FIT_MAX_KEYS, nkeys);
    if (base->months != h->months)
        return kpi_error_set(err, KPI_EINTERNAL, "months",
                             "the scenario's months (%d) differ from the history's (%d)",
                             base->months, h->months);
    if (opts->replications < 2 || opts->threads < 1 || opts->max_evals < 1)
        return kpi_error_set(err, KPI_EUSAGE, "-n", "expected at least 2 replications");
    c.h = h;
    c.base = base;
    c.keys = keys;
    c.nkeys = nkeys;
    c.R = opts->replications;
    c.months = h->months;
    c.opts = opts;
    c.err = err;
    c.best = HUGE_VAL;
    c.ropts.replications = c.R;
    c.ropts.seed = opts->seed;
    c.ropts.threads = opts->threads;
    size_t cells = (size_t)c.R * (size_t)c.months * KPI_NKPI;
    long J = 0;
    for (size_t j = 0; j < (size_t)h->months * (size_t)h->nfig; j++)
        J += !isnan(h->value[j]);
    c.npts = J;
    f = calloc(1, sizeof *f);
    c.sc = malloc(sizeof *c.sc);
    c.monthly = malloc(cells * sizeof *c.monthly);
    c.figures = malloc((size_t)c.R * KPI_NFIG * sizeof *c.figures);
    c.pm = malloc((size_t)J * sizeof *c.pm);
    c.pk = malloc((size_t)J * sizeof *c.pk);
    c.obs = malloc((size_t)J * sizeof *c.obs);
    c.flo = malloc((size_t)J * sizeof *c.flo);
    c.mu = malloc((size_t)J * sizeof *c.mu);
    c.var = malloc((size_t)J * sizeof *c.var);
    c.w = malloc((size_t)J * sizeof *c.w);
    D = malloc((size_t)J * (size_t)nkeys * sizeof *D);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!f || !c.sc || !c.monthly || !c.figures || !c.pm || !c.pk || !c.obs || !c.flo ||
        !c.mu || !c.var || !c.w || !D || !rng) {
        rc = kpi_error_oom(err, "while fitting");
        goto fail;
    }
    observed_points(&c);
    f->nkeys = nkeys;
    memcpy(f->key, keys, (size_t)nkeys * sizeof *keys);

    double theta[KPI_FIT_MAX_KEYS], qbest;
    if ((rc = first_pass(&c, rng, f, theta, &qbest)) != KPI_OK)
        goto fail;

    if ((rc = second_pass(&c, theta, &qbest)) != KPI_OK)
        goto fail;

    for (int k = 0; k < nkeys; k++)
        f->key[k].estimate = theta[k];
    f->objective = qbest;
    f->evaluations = c.evals;

    /* Identification and intervals: the Jacobian, then the run at the
     * estimate (kept for the bands and goodness of fit). */
    if ((rc = jacobian(&c, theta, D)) != KPI_OK)
        goto fail;
    rc = simulate(&c, theta);
    if (rc != KPI_OK) {
        if (rc == 1)
            rc = kpi_error_set(err, KPI_EINTERNAL, NULL, "the estimate breaks a rule");
        goto fail;
    }
    f->fitted = *c.sc;
    if ((rc = intervals(&c, f, D)) != KPI_OK || (rc = goodness(&c, f)) != KPI_OK)
        goto fail;
    if ((rc = keep_run(&c, f)) != KPI_OK)
        goto fail;
    ctx_free(&c);
    free(D);
    gsl_rng_free(rng);
    *out = f;
    return KPI_OK;

fail:
    if (rc == KPI_OK)
        rc = kpi_error_set(err, KPI_EINTERNAL, NULL, "fit failed");
    ctx_free(&c);
    free(D);
    if (rng)
        gsl_rng_free(rng);
    kpi_fit_free(f);
    return rc;
}
