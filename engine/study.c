/*
 * study.c - a sensitivity study between its file and its outputs: the
 * design (every point to run, from the estimator library's designs), the
 * scenario of a point, and the estimators over the points' outputs, as
 * rows of sensitivity.csv (docs/sensitivity.md "The command").
 *
 * Where it sits: load_study.c reads the file into a kpi_study; the CLI
 * asks here for the design, runs every (row, strategy) on the same seed
 * (common random numbers), passes the means and standard errors back to
 * kpi_study_analyse, and stages the files (write_study.c).  Nothing here
 * prints, reads a file or exits.
 *
 * GSL: the designs and the bootstrap draw from a gsl_rng made here with
 * gsl_rng_alloc, whose failed malloc goes to GSL's error handler, like
 * gsl_qrng_alloc in sensitivity.c: a caller that wants KPI_EINTERNAL
 * instead of an abort switches the handler off (the CLI's main does).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "error.h"
#include "kpisim.h"
#include "load.h"
#include "scenario.h"
#include "sensitivity.h"

/* Candidate trajectories per kept one in Campolongo's selection. */
#define STUDY_MORRIS_POOL 4

/* The noise floor's z (docs/sensitivity.md "Noise floor"). */
#define STUDY_NOISE_Z 2.0

/* Convergence: |index(n) - index(n/2)| within this many CLT standard
 * errors counts as converged. */
#define STUDY_CONVERGENCE_SE 4.0

enum { M_OAT, M_MORRIS, M_SOBOL, M_LHS };

const char *kpi_study_method_name(int method)
{
    switch (method) {
    case 0: return "decision";
    case KPI_METHOD_OAT: return "oat";
    case KPI_METHOD_MORRIS: return "morris";
    case KPI_METHOD_SOBOL: return "sobol";
    case KPI_METHOD_LHS: return "lhs";
    default: return NULL;
    }
}

static void study_params(const kpi_study *st, kpi_sens_param *p)
{
    for (int j = 0; j < st->nkeys; j++) {
        const kpi_study_key *k = &st->key[j];
        kpi_sens_param q = {k->key, (kpi_sens_dist)k->dist, k->lo, k->hi, k->p1, k->p2, k->base};
        p[j] = q;
    }
}

/* ------------------------------------------------------------------ */
/* The design                                                          */
/* ------------------------------------------------------------------ */

void kpi_study_plan_free(kpi_study_plan *plan)
{
    if (!plan)
        return;
    free(plan->x);
    free(plan->u);
    free(plan);
}

/* The unit rows of method m into u (count rows); OAT is made in parameter
 * units into x directly.  Morris rows may be 1.0. */
static int design_block(const kpi_study *st, int m, double *u, double *x, long count,
                        gsl_rng *rng, kpi_error *err)
{
    const size_t k = (size_t)st->nkeys, n = (size_t)st->samples;
    kpi_sens_param p[KPI_STUDY_MAX_KEYS];
    study_params(st, p);
    int rc;
    switch (m) {
    case M_OAT:
        rc = kpi_sens_design_oat(p, k, x, err);
        for (long i = 0; rc == KPI_OK && i < count; i++)
            for (size_t j = 0; j < k; j++)
                u[(size_t)i * k + j] = (x[(size_t)i * k + j] - p[j].lo) / (p[j].hi - p[j].lo);
        return rc;
    case M_MORRIS:
        return kpi_sens_design_morris(u, (size_t)st->trajectories, k, (size_t)st->levels,
                                      STUDY_MORRIS_POOL * (size_t)st->trajectories, rng, err);
    case M_SOBOL: {
        double *base = malloc(n * 2 * k * sizeof *base);
        if (!base)
            return kpi_error_oom(err, "while making the design");
        rc = kpi_sens_design_sobol(base, n, 2 * k, 0, err);
        if (rc == KPI_OK)
            rc = kpi_sens_design_saltelli(base, n, k, u, err);
        free(base);
        return rc;
    }
    default:
        return kpi_sens_design_lhs(u, n, k, rng, err);
    }
}

int kpi_study_design(const kpi_study *st, kpi_study_plan **out, kpi_error *err)
{
    const size_t k = (size_t)st->nkeys;
    kpi_sens_param p[KPI_STUDY_MAX_KEYS];
    long counts[4] = {2 * st->nkeys + 1, st->trajectories * (st->nkeys + 1),
                      st->samples * (st->nkeys + 2), st->samples};
    int rc = KPI_OK;
    *out = NULL;
    if (st->nkeys < 1 || (st->methods & KPI_METHOD_SOBOL && 2 * k > KPI_SENS_SOBOL_MAXDIM))
        return kpi_error_set(err, KPI_EDATA, "keys", "a Sobol design takes at most %d keys",
                             KPI_SENS_SOBOL_MAXDIM / 2);
    kpi_study_plan *plan = calloc(1, sizeof *plan);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!plan || !rng) {
        rc = kpi_error_oom(err, "while making the design");
        goto done;
    }
    gsl_rng_set(rng, (unsigned long)(st->seed ^ 0x5e45e45eULL));
    plan->nkeys = st->nkeys;
    for (int m = 0; m < 4; m++) {
        plan->first[m] = plan->nrows;
        plan->count[m] = (st->methods & (1 << m)) ? counts[m] : 0;
        plan->nrows += plan->count[m];
    }
    plan->x = malloc((size_t)plan->nrows * k * sizeof *plan->x);
    plan->u = malloc((size_t)plan->nrows * k * sizeof *plan->u);
    if (!plan->x || !plan->u) {
        rc = kpi_error_oom(err, "while making the design");
        goto done;
    }
    study_params(st, p);
    for (int m = 0; m < 4 && rc == KPI_OK; m++) {
        if (!plan->count[m])
            continue;
        double *u = plan->u + (size_t)plan->first[m] * k, *x = plan->x + (size_t)plan->first[m] * k;
        rc = design_block(st, m, u, x, plan->count[m], rng, err);
        if (rc == KPI_OK && m != M_OAT)
            rc = kpi_sens_transform(p, k, u, x, (size_t)plan->count[m], err);
    }
    /* A whole-number key runs at whole values. */
    for (long i = 0; rc == KPI_OK && i < plan->nrows; i++)
        for (size_t j = 0; j < k; j++)
            if (st->key[j].whole)
                plan->x[(size_t)i * k + j] = nearbyint(plan->x[(size_t)i * k + j]);
done:
    gsl_rng_free(rng);
    if (rc != KPI_OK) {
        kpi_study_plan_free(plan);
        return rc;
    }
    *out = plan;
    return KPI_OK;
}

int kpi_study_point(const kpi_study *st, const kpi_study_plan *plan, int s, long row,
                    kpi_scenario *out, kpi_error *err)
{
    const size_t k = (size_t)st->nkeys;
    char text[64];
    int rc;
    memcpy(out, &st->scenario[s], sizeof *out);
    for (size_t j = 0; j < k; j++) {
        const kpi_block *b = kpi_block_of(st->key[j].key);
        int was_on = b ? kpi_block_enabled(b, out) : 1;
        if (kpi_num_format(plan->x[(size_t)row * k + j], KPI_NUM_YAML, text, sizeof text) != 0)
            return kpi_error_set(err, KPI_EINTERNAL, st->key[j].key,
                                 "internal error: a design value cannot be written");
        rc = kpi_load_assign(out, st->key[j].key, text, err);
        if (rc != KPI_OK)
            goto blame;
        /* An uncertain effect size of a lever the strategy does not pull
         * leaves the lever off (setting a key would switch its block on). */
        if (b && !was_on)
            kpi_block_set(b, out, 0);
    }
    out->replications = st->replications;
    out->seed = st->seed;
    rc = kpi_scenario_check(out, err);
    if (rc == KPI_OK)
        return KPI_OK;
blame:;
    size_t used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used, " (design point %ld of %s:", row + 1,
             st->scenario[s].name);
    for (size_t j = 0; j < k; j++) {
        used = strlen(err->msg);
        kpi_num_format(plan->x[(size_t)row * k + j], KPI_NUM_YAML, text, sizeof text);
        snprintf(err->msg + used, sizeof err->msg - used, "%s %s=%s", j ? "," : "",
                 st->key[j].key, text);
    }
    used = strlen(err->msg);
    snprintf(err->msg + used, sizeof err->msg - used, ")");
    snprintf(err->file, sizeof err->file, "%s", st->file);
    err->line = 0;
    err->col = 0;
    return rc;
}

/* ------------------------------------------------------------------ */
/* The estimators                                                      */
/* ------------------------------------------------------------------ */

typedef struct rows_out {
    kpi_study_result *res;
    size_t cap;
    int strategy, figure, method;
} rows_out;

/* Adds a row; lo, hi NaN for none.  0 or -1 when out of memory. */
static int add(rows_out *o, int key, const char *index, double v, double lo, double hi)
{
    kpi_study_result *r = o->res;
    if (r->nrows == o->cap) {
        size_t ncap = o->cap ? 2 * o->cap : 256;
        kpi_study_row *nr = realloc(r->row, ncap * sizeof *nr);
        if (!nr)
            return -1;
        r->row = nr;
        o->cap = ncap;
    }
    kpi_study_row *w = &r->row[r->nrows++];
    w->strategy = o->strategy;
    w->figure = o->figure;
    w->key = key;
    w->method = o->method;
    snprintf(w->index, sizeof w->index, "%s", index);
    w->value = v;
    w->lo = lo;
    w->hi = hi;
    return 0;
}

/* The outputs y and se of one strategy and figure over the rows of a
 * method block. */
static void column(const kpi_study *st, const kpi_study_plan *plan, int m, int s, int f,
                   const double *mean, const double *se, double *y, double *e)
{
    for (long i = 0; i < plan->count[m]; i++) {
        size_t at = ((size_t)(plan->first[m] + i) * (size_t)st->nstrategies + (size_t)s) *
                    KPI_NFIG + (size_t)f;
        y[i] = mean[at];
        e[i] = se[at];
    }
}

/* The mean standard error of the points of a block: the Monte Carlo noise
 * beside the indices. */
static int add_noise(rows_out *o, const double *e, long n)
{
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += e[i];
    return add(o, -1, "noise_se", sum / (double)n, NAN, NAN);
}

static int analyse_oat(rows_out *o, const kpi_study *st, const double *y, const double *e,
                       double z)
{
    kpi_sens_swing sw[KPI_STUDY_MAX_KEYS];
    size_t order[KPI_STUDY_MAX_KEYS];
    kpi_error scratch;
    if (kpi_sens_oat_swings(y, (size_t)st->nkeys, sw, order, &scratch) != KPI_OK)
        return KPI_EDATA;
    for (int j = 0; j < st->nkeys; j++) {
        double e0 = e[0], el = e[1 + 2 * j], eh = e[2 + 2 * j];
        double dl = z * sqrt(e0 * e0 + el * el), dh = z * sqrt(e0 * e0 + eh * eh);
        double ds = z * sqrt(el * el + eh * eh);
        if (add(o, j, "swing_low", sw[j].low, sw[j].low - dl, sw[j].low + dl) ||
            add(o, j, "swing_high", sw[j].high, sw[j].high - dh, sw[j].high + dh) ||
            add(o, j, "swing", sw[j].swing, sw[j].swing - ds, sw[j].swing + ds))
            return KPI_EINTERNAL;
    }
    for (int j = 0; j < st->nkeys; j++)
        if (add(o, (int)order[j], "rank", j + 1, NAN, NAN))
            return KPI_EINTERNAL;
    return add_noise(o, e, 2 * st->nkeys + 1) ? KPI_EINTERNAL : KPI_OK;
}

static int analyse_morris(rows_out *o, const kpi_study *st, const kpi_study_plan *plan,
                          const double *y, const double *e, double z)
{
    kpi_sens_morris mo[KPI_STUDY_MAX_KEYS];
    kpi_error scratch;
    const double *u = plan->u + (size_t)plan->first[M_MORRIS] * (size_t)st->nkeys;
    if (kpi_sens_morris_effects(u, y, (size_t)st->trajectories, (size_t)st->nkeys, mo,
                                &scratch) != KPI_OK)
        return KPI_EDATA;
    double half = z / sqrt((double)st->trajectories);
    for (int j = 0; j < st->nkeys; j++)
        if (add(o, j, "mu_star", mo[j].mu_star, NAN, NAN) ||
            add(o, j, "mu", mo[j].mu, mo[j].mu - half * mo[j].sigma, mo[j].mu + half * mo[j].sigma) ||
            add(o, j, "sigma", mo[j].sigma, NAN, NAN))
            return KPI_EINTERNAL;
    return add_noise(o, e, plan->count[M_MORRIS]) ? KPI_EINTERNAL : KPI_OK;
}

/* Sobol indices with bootstrap intervals, the convergence check and the
 * noise floor.  A constant output (a figure no key moves) has every index
 * 0, exactly. */
static int analyse_sobol(rows_out *o, const kpi_study *st, const double *y, const double *e,
                         gsl_rng *rng, double z)
{
    const size_t n = (size_t)st->samples, k = (size_t)st->nkeys;
    kpi_sens_sobol so[KPI_STUDY_MAX_KEYS];
    kpi_error scratch;
    double change = NAN;
    int conv = 0, constant = 1;
    for (size_t i = 1; i < 2 * n; i++)
        constant &= y[i] == y[0];
    if (constant) {
        for (size_t j = 0; j < k; j++)
            if (add(o, (int)j, "S1", 0, 0, 0) || add(o, (int)j, "ST", 0, 0, 0))
                return KPI_EINTERNAL;
        return add_noise(o, e, (long)((k + 2) * n)) ? KPI_EINTERNAL : KPI_OK;
    }
    if (kpi_sens_sobol_indices(y, n, k, so, NULL, &scratch) != KPI_OK ||
        kpi_sens_sobol_bootstrap(y, n, k, (size_t)st->bootstrap, st->confidence, rng, so,
                                 &scratch) != KPI_OK ||
        kpi_sens_sobol_noise(y, e, n, k, STUDY_NOISE_Z, so, &scratch) != KPI_OK)
        return scratch.status ? scratch.status : KPI_EDATA;
    double tol = 0;
    for (size_t j = 0; j < k; j++) {
        tol = fmax(tol, isfinite(so[j].s1_se) ? so[j].s1_se : 0);
        tol = fmax(tol, isfinite(so[j].st_se) ? so[j].st_se : 0);
    }
    tol *= STUDY_CONVERGENCE_SE;
    if (n >= 4 && kpi_sens_sobol_convergence(y, n, k, tol, so, &change, &conv, &scratch) != KPI_OK)
        return scratch.status;
    (void)z;
    for (size_t j = 0; j < k; j++) {
        const kpi_sens_sobol *q = &so[j];
        int key = (int)j;
        if (add(o, key, "S1", q->s1, q->s1_lo, q->s1_hi) ||
            add(o, key, "ST", q->st, q->st_lo, q->st_hi) ||
            add(o, key, "S1_se", q->s1_se, NAN, NAN) || add(o, key, "ST_se", q->st_se, NAN, NAN) ||
            add(o, key, "S1_half", q->s1_half, NAN, NAN) ||
            add(o, key, "ST_half", q->st_half, NAN, NAN) ||
            add(o, key, "S1_floor", q->s1_floor, NAN, NAN) ||
            add(o, key, "ST_floor", q->st_floor, NAN, NAN) ||
            add(o, key, "S1_noise", q->s1_noise, NAN, NAN) ||
            add(o, key, "ST_noise", q->st_noise, NAN, NAN))
            return KPI_EINTERNAL;
    }
    if (add(o, -1, "max_change", change, NAN, NAN) || add(o, -1, "converged", conv, NAN, NAN) ||
        add(o, -1, "tolerance", tol, NAN, NAN))
        return KPI_EINTERNAL;
    return add_noise(o, e, (long)((k + 2) * n)) ? KPI_EINTERNAL : KPI_OK;
}

/* Pearson correlation of each key with the output over the LHS, with the
 * Fisher z interval. */
static int analyse_lhs(rows_out *o, const kpi_study *st, const kpi_study_plan *plan,
                       const double *y, const double *e, double z)
{
    const size_t n = (size_t)plan->count[M_LHS], k = (size_t)st->nkeys;
    const double *x = plan->x + (size_t)plan->first[M_LHS] * k;
    double sd = gsl_stats_sd(y, 1, n);
    for (size_t j = 0; j < k; j++) {
        double r = 0, lo = NAN, hi = NAN;
        if (sd > 0 && gsl_stats_sd(x + j, k, n) > 0) {
            r = gsl_stats_correlation(x + j, k, y, 1, n);
            if (n > 3 && fabs(r) < 1) {
                double w = atanh(r), h = z / sqrt((double)n - 3);
                lo = tanh(w - h);
                hi = tanh(w + h);
            }
        } else {
            lo = hi = 0;
        }
        if (add(o, (int)j, "corr", r, lo, hi))
            return KPI_EINTERNAL;
    }
    return add_noise(o, e, (long)n) ? KPI_EINTERNAL : KPI_OK;
}

/* The rows of the decision sample: the LHS, else Sobol's A and B, else
 * the Morris or OAT rows. */
static void decision_rows(const kpi_study_plan *plan, long *first, long *count)
{
    if (plan->count[M_LHS]) {
        *first = plan->first[M_LHS];
        *count = plan->count[M_LHS];
    } else if (plan->count[M_SOBOL]) {
        *first = plan->first[M_SOBOL];
        *count = 2 * (plan->count[M_SOBOL] / (plan->nkeys + 2));
    } else if (plan->count[M_MORRIS]) {
        *first = plan->first[M_MORRIS];
        *count = plan->count[M_MORRIS];
    } else {
        *first = plan->first[M_OAT];
        *count = plan->count[M_OAT];
    }
}

/* P(best) of every strategy, and where the ranking of the second against
 * the others flips (kpi_sens_flip: the share of points where it is best,
 * by bins of each key). */
static int analyse_decision(rows_out *o, const kpi_study *st, const kpi_study_plan *plan,
                            const double *mean, double z)
{
    const size_t s = (size_t)st->nstrategies, k = (size_t)st->nkeys;
    long first, n;
    decision_rows(plan, &first, &n);
    size_t nb = (size_t)st->bins < (size_t)n ? (size_t)st->bins : (size_t)n;
    double *y = malloc((size_t)n * s * sizeof *y);
    double *share = malloc(k * nb * sizeof *share);
    double p[KPI_STUDY_MAX_STRATEGIES], pse[KPI_STUDY_MAX_STRATEGIES], spread[KPI_STUDY_MAX_KEYS];
    size_t flip_key = 0;
    double flip_at = NAN;
    kpi_error scratch;
    int rc = KPI_EINTERNAL;
    if (!y || !share)
        goto done;
    for (long i = 0; i < n; i++)
        for (size_t c = 0; c < s; c++)
            y[(size_t)i * s + c] =
                mean[((size_t)(first + i) * s + c) * KPI_NFIG + (size_t)st->decision];
    o->strategy = 0;
    o->figure = st->decision;
    o->method = 0;
    rc = kpi_sens_prob_best(y, (size_t)n, s, st->higher_is_better, p, pse, &scratch);
    for (size_t c = 0; rc == KPI_OK && c < s; c++) {
        o->strategy = (int)c;
        if (add(o, -1, "p_best", p[c], fmax(0, p[c] - z * pse[c]), fmin(1, p[c] + z * pse[c])))
            rc = KPI_EINTERNAL;
    }
    o->strategy = 1;
    if (rc == KPI_OK && nb >= 2)
        rc = kpi_sens_flip(plan->x + (size_t)first * k, (size_t)n, k, y, s, 1,
                           st->higher_is_better, nb, share, spread, &flip_key, &flip_at,
                           &scratch);
    for (size_t j = 0; rc == KPI_OK && nb >= 2 && j < k; j++) {
        char name[32];
        if (add(o, (int)j, "flip_spread", spread[j], NAN, NAN))
            rc = KPI_EINTERNAL;
        for (size_t b = 0; rc == KPI_OK && b < nb; b++) {
            snprintf(name, sizeof name, "share_bin%u", (unsigned)(b + 1) % 1000u);
            if (add(o, (int)j, name, share[j * nb + b], NAN, NAN))
                rc = KPI_EINTERNAL;
        }
    }
    if (rc == KPI_OK && nb >= 2 && add(o, (int)flip_key, "flip_at", flip_at, NAN, NAN))
        rc = KPI_EINTERNAL;
done:
    free(y);
    free(share);
    return rc;
}

void kpi_study_result_free(kpi_study_result *res)
{
    if (!res)
        return;
    free(res->row);
    free(res);
}

int kpi_study_analyse(const kpi_study *st, const kpi_study_plan *plan, const double *mean,
                      const double *se, kpi_study_result **out, kpi_error *err)
{
    const double z = gsl_cdf_ugaussian_Pinv(0.5 + st->confidence / 2);
    long most = 0;
    for (int m = 0; m < 4; m++)
        most = plan->count[m] > most ? plan->count[m] : most;
    rows_out o = {calloc(1, sizeof *o.res), 0, 0, 0, 0};
    double *y = malloc((size_t)most * sizeof *y), *e = malloc((size_t)most * sizeof *e);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = KPI_OK;
    *out = NULL;
    if (!o.res || !y || !e || !rng) {
        rc = kpi_error_oom(err, "while computing the indices");
        goto done;
    }
    for (int s = 0; s < st->nstrategies && rc == KPI_OK; s++) {
        for (int fi = 0; fi < st->nfigures && rc == KPI_OK; fi++) {
            const int f = st->figure[fi];
            /* The same bootstrap draws for every output. */
            gsl_rng_set(rng, (unsigned long)(st->seed ^ 0xb0075ULL));
            for (int m = 0; m < 4 && rc == KPI_OK; m++) {
                if (!plan->count[m])
                    continue;
                o.strategy = s;
                o.figure = f;
                o.method = 1 << m;
                column(st, plan, m, s, f, mean, se, y, e);
                switch (m) {
                case M_OAT: rc = analyse_oat(&o, st, y, e, z); break;
                case M_MORRIS: rc = analyse_morris(&o, st, plan, y, e, z); break;
                case M_SOBOL: rc = analyse_sobol(&o, st, y, e, rng, z); break;
                default: rc = analyse_lhs(&o, st, plan, y, e, z); break;
                }
                if (rc != KPI_OK)
                    kpi_error_set(err, rc, kpi_figure_name(f),
                                  "the %s estimators failed on %s of %s",
                                  kpi_study_method_name(1 << m), kpi_figure_name(f),
                                  st->scenario[s].name);
            }
        }
    }
    if (rc == KPI_OK && st->nstrategies > 1 && st->decision >= 0 &&
        (rc = analyse_decision(&o, st, plan, mean, z)) != KPI_OK)
        kpi_error_set(err, rc, "decision", "the decision analysis failed");
done:
    free(y);
    free(e);
    gsl_rng_free(rng);
    if (rc != KPI_OK) {
        kpi_study_result_free(o.res);
        return rc;
    }
    *out = o.res;
    return KPI_OK;
}
