/*
 * load_study.c - sensitivity files (`kpisim sensitivity`): the loader's
 * reading of a study, docs/sensitivity.md "The sensitivity file".
 *
 * A sensitivity file is not a scenario: it names one (scenario:) or two or
 * more (strategies:), then the uncertain keys, the figures, the methods
 * and their sizes.  It is read with the scenario loader's machinery (the
 * node tree, places, the messages, did-you-mean), so that its errors read
 * like a scenario's: file:line:col, the key path, what was expected.  A
 * key's range ends and base are set into each scenario with the checks a
 * file's value gets (kpi_loader_value) and the cross-key rules, and a
 * failure is reported at the value in the sensitivity file.  The design and
 * the estimators are study.c's.
 */
#include "load_private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scenario.h"
#include "sensitivity.h"
#include "suggest.h"
#include "yamltree.h"

static const char *const top_keys[] = {
    "name", "title", "description", "scenario", "strategies", "keys", "figures", "method",
    "samples", "trajectories", "levels", "replications", "seed", "bootstrap", "confidence",
    "decision", NULL
};
enum { T_NAME, T_TITLE, T_DESC, T_SCENARIO, T_STRATEGIES, T_KEYS, T_FIGURES, T_METHOD,
       T_SAMPLES, T_TRAJ, T_LEVELS, T_REPS, T_SEED, T_BOOT, T_CONF, T_DECISION, T_N };

static const char *const key_fields[] = {"range", "distribution", "mean", "sd", "mode",
                                         "alpha", "beta", "base", NULL};
enum { K_RANGE, K_DIST, K_MEAN, K_SD, K_MODE, K_ALPHA, K_BETA, K_BASE, K_N };

static const char *const dist_words[] = {"uniform", "normal", "lognormal", "triangular",
                                         "beta", NULL};
static const char *const method_words[] = {"oat", "morris", "sobol", "lhs", NULL};

/* The state of one load. */
typedef struct study_reader {
    kpi_loader *ld;
    kpi_study *st;
    kpi_yslot top[T_N];
    int have[T_N];
    char *dir;                  /* the file's directory ("" = .) */
    kpi_scenario *scratch;
} study_reader;

/* ------------------------------------------------------------------ */
/* Small readers                                                       */
/* ------------------------------------------------------------------ */

static int fail_got(study_reader *r, kpi_yslot s, const char *path, const char *expect)
{
    return kpi_loader_fail_got(r->ld, s, path, expect);
}

/* A whole number in [lo, hi] at top key t (default kept when absent). */
static int read_whole(study_reader *r, int t, long long lo, long long hi, long *out)
{
    char expect[128];
    long long v;
    if (!r->have[t])
        return KPI_OK;
    snprintf(expect, sizeof expect, "a whole number in [%lld, %lld]", lo, hi);
    int rc = kpi_loader_whole(r->ld, r->top[t], top_keys[t], expect, lo, hi, &v);
    if (rc == KPI_OK)
        *out = (long)v;
    return rc;
}

/* A word of words at s; its index into *out. */
static int read_word(study_reader *r, kpi_yslot s, const char *path, const char *const *words,
                     const char *expect, int *out)
{
    const kpi_ynode *n = s.node;
    if (n->kind != KPI_YSCALAR || kpi_yscalar_kind(n) != KPI_YS_TEXT)
        return fail_got(r, s, path, expect);
    for (int i = 0; words[i]; i++) {
        if (strcmp(n->text, words[i]) == 0) {
            *out = i;
            return KPI_OK;
        }
    }
    const char *best = kpi_suggest_word(n->text, words);
    if (best) {
        char shown[200];
        kpi_load_show_text(n->text, n->len, shown, sizeof shown);
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, s), path,
                               "expected %s, got '%s'; did you mean '%s'?", expect, shown, best);
    }
    return fail_got(r, s, path, expect);
}

/* A figure name of summary.csv at s. */
static int read_figure(study_reader *r, kpi_yslot s, const char *path, int *fig)
{
    const char *names[KPI_NFIG + 1];
    int n = 0;
    for (int f = 0; f < KPI_NFIG; f++)
        if (f != KPI_FIG_MODEL_VERSION)
            names[n++] = kpi_figure_name(f);
    names[n] = NULL;
    int i;
    int rc = read_word(r, s, path, names, "a figure of summary.csv (e.g. total_premium)", &i);
    if (rc != KPI_OK)
        return rc;
    for (int f = 0; f < KPI_NFIG; f++)
        if (strcmp(kpi_figure_name(f), names[i]) == 0)
            *fig = f;
    return KPI_OK;
}

/* Text at s into buf (at most size - 1 bytes). */
static int read_text(study_reader *r, kpi_yslot s, const char *path, char *buf, size_t size)
{
    const kpi_ynode *n = s.node;
    if (n->kind != KPI_YSCALAR || kpi_yscalar_kind(n) == KPI_YS_NULL || n->len == 0 ||
        strlen(n->text) != n->len)
        return fail_got(r, s, path, "a text");
    if (n->len >= size)
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, s), path,
                               "expected at most %zu bytes, got %zu", size - 1, n->len);
    memcpy(buf, n->text, n->len + 1);
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* The scenarios                                                       */
/* ------------------------------------------------------------------ */

/* Loads scenario file text (relative to the study's directory) as
 * strategy i; a missing file is reported at s. */
static int load_scenario(study_reader *r, kpi_yslot s, const char *path, int i)
{
    kpi_study *st = r->st;
    char rel[1024];
    int rc = read_text(r, s, path, rel, sizeof rel);
    if (rc != KPI_OK)
        return rc;
    if (rel[0] == '/' || !r->dir[0])
        snprintf(st->path[i], sizeof st->path[i], "%s", rel);
    else if ((size_t)snprintf(st->path[i], sizeof st->path[i], "%s/%s", r->dir, rel) >=
             sizeof st->path[i])
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, s), path,
                               "the path is too long");
    kpi_error *err = r->ld->err;
    rc = kpi_scenario_load(&st->scenario[i], st->path[i], err);
    if (rc == KPI_ENOINPUT && err->line == 0) {
        char reason[1024];
        snprintf(reason, sizeof reason, "%s", err->msg);
        return kpi_loader_fail(r->ld, KPI_ENOINPUT, kpi_loader_place(r->ld, s), path,
                               "cannot load '%s': %s", st->path[i], reason);
    }
    if (rc != KPI_OK)
        return rc;
    for (int j = 0; j < i; j++)
        if (strcmp(st->scenario[j].name, st->scenario[i].name) == 0)
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, s), path,
                                   "two strategies named '%s': each needs a name of its own",
                                   st->scenario[i].name);
    return KPI_OK;
}

static int read_scenarios(study_reader *r)
{
    kpi_study *st = r->st;
    kpi_place top = {r->ld->file, 1, 1};
    if (r->have[T_SCENARIO] && r->have[T_STRATEGIES])
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, r->top[T_STRATEGIES]),
                               "strategies", "give scenario: or strategies:, not both");
    if (!r->have[T_SCENARIO] && !r->have[T_STRATEGIES])
        return kpi_loader_fail(r->ld, KPI_EDATA, top, "scenario",
                               "expected scenario: (the base scenario's file) or strategies: "
                               "(two or more scenario files), got neither");
    if (r->have[T_SCENARIO]) {
        st->nstrategies = 1;
        return load_scenario(r, r->top[T_SCENARIO], "scenario", 0);
    }
    kpi_yslot v = r->top[T_STRATEGIES];
    if (v.node->kind != KPI_YSEQUENCE)
        return fail_got(r, v, "strategies", "a list of two or more scenario files");
    if (v.node->nitems < 2)
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, v), "strategies",
                               "expected a list of two or more scenario files, got %zu "
                               "(one scenario is scenario: FILE)", v.node->nitems);
    if (v.node->nitems > KPI_STUDY_MAX_STRATEGIES)
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, v), "strategies",
                               "expected at most %d strategies, got %zu",
                               KPI_STUDY_MAX_STRATEGIES, v.node->nitems);
    st->strategies = 1;
    st->nstrategies = (int)v.node->nitems;
    for (int i = 0; i < st->nstrategies; i++) {
        char path[64];
        snprintf(path, sizeof path, "strategies[%d]", i + 1);
        int rc = load_scenario(r, v.node->items[i], path, i);
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* The keys                                                            */
/* ------------------------------------------------------------------ */

/* The value key k (grade or -1) has in sc, as a number. */
static double key_value(const kpi_key *k, int grade, const kpi_scenario *sc)
{
    const char *field = (const char *)sc + k->offset;
    double v;
    if (grade >= 0) {
        memcpy(&v, field + (size_t)grade * sizeof(double), sizeof v);
        return v;
    }
    if (k->type == KPI_KT_INT || k->type == KPI_KT_LONG)
        return (double)kpi_key_whole(k, sc);
    memcpy(&v, field, sizeof v);
    return v;
}

/* Reads the value at s for key path: as a file's value in every scenario
 * (with the cross-key rules), then as a number into *out. */
static int read_key_value(study_reader *r, const char *path, kpi_yslot s, double *out)
{
    kpi_study *st = r->st;
    char blamed[256], msg[1024];
    for (int i = 0; i < st->nstrategies; i++) {
        memcpy(r->scratch, &st->scenario[i], sizeof *r->scratch);
        int rc = kpi_loader_value(r->ld, path, s, r->scratch);
        if (rc != KPI_OK)
            return rc;
        if (kpi_scenario_check_keys(r->scratch, blamed, sizeof blamed, msg, sizeof msg) != KPI_OK)
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, s), path,
                                   "%.600s: %.300s (in %s)", blamed, msg, st->path[i]);
    }
    kpi_ynum num;
    int rc = kpi_loader_number(r->ld, s, path, "a number", &num);
    if (rc == KPI_OK)
        *out = num.value;
    return rc;
}

/* The mapping of one key: {range: [lo, hi], distribution: ..., base: ...}. */
static int read_key_fields(study_reader *r, kpi_study_key *sk, const kpi_ynode *m,
                           kpi_yslot *f, int *have)
{
    for (size_t p = 0; p < m->npairs; p++) {
        const char *name = kpi_loader_pair_key(r->ld, m, p, sk->key);
        int i = -1;
        if (!name)
            return r->ld->err->status;
        for (int j = 0; key_fields[j]; j++)
            if (strcmp(name, key_fields[j]) == 0)
                i = j;
        if (i < 0) {
            char path[300];
            const char *best = kpi_suggest_word(name, key_fields);
            snprintf(path, sizeof path, "%s.%.40s", sk->key, name);
            kpi_place at = kpi_loader_place(r->ld, m->pairs[p].key);
            if (best)
                return kpi_loader_fail(r->ld, KPI_EDATA, at, path,
                                       "unknown key of an uncertain key; did you mean '%s'?",
                                       best);
            return kpi_loader_fail(r->ld, KPI_EDATA, at, path,
                                   "unknown key of an uncertain key: expected range, "
                                   "distribution, its parameters (mean, sd, mode, alpha, beta) "
                                   "or base");
        }
        f[i] = m->pairs[p].value;
        have[i] = 1;
    }
    return KPI_OK;
}

/* The distribution and its parameters: only the ones it takes. */
static int read_dist(study_reader *r, kpi_study_key *sk, const kpi_yslot *f, const int *have)
{
    static const int takes[5][2] = {{-1, -1}, {K_MEAN, K_SD}, {K_MEAN, K_SD}, {K_MODE, -1},
                                    {K_ALPHA, K_BETA}};
    char path[300];
    int rc;
    sk->dist = KPI_DIST_UNIFORM;
    if (have[K_DIST]) {
        snprintf(path, sizeof path, "%s.distribution", sk->key);
        rc = read_word(r, f[K_DIST], path, dist_words,
                       "uniform, normal, lognormal, triangular or beta", &sk->dist);
        if (rc != KPI_OK)
            return rc;
    }
    for (int i = K_MEAN; i <= K_BETA; i++) {
        int used = takes[sk->dist][0] == i || takes[sk->dist][1] == i;
        snprintf(path, sizeof path, "%s.%s", sk->key, key_fields[i]);
        if (have[i] && !used)
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, f[i]), path,
                                   "a %s distribution takes no %s", dist_words[sk->dist],
                                   key_fields[i]);
        if (!have[i] && used)
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, f[K_DIST]), path,
                                   "a %s distribution needs its %s", dist_words[sk->dist],
                                   key_fields[i]);
        if (!used)
            continue;
        kpi_ynum num;
        rc = kpi_loader_number(r->ld, f[i], path, "a number", &num);
        if (rc != KPI_OK)
            return rc;
        if (takes[sk->dist][0] == i)
            sk->p1 = num.value;
        else
            sk->p2 = num.value;
    }
    return KPI_OK;
}

/* Whether a key takes numbers that a design can vary. */
static int variable(const kpi_key *k, int grade)
{
    return grade >= 0 || k->type == KPI_KT_INT || k->type == KPI_KT_LONG ||
           k->type == KPI_KT_REAL || k->type == KPI_KT_OPTREAL;
}

/* Uncertain key number st->nkeys from pair p of the keys: mapping. */
static int read_key(study_reader *r, const kpi_ynode *map, size_t p)
{
    kpi_study *st = r->st;
    kpi_yslot f[K_N];
    int have[K_N] = {0}, grade, rc;
    const char *path = kpi_loader_pair_key(r->ld, map, p, "keys");
    if (!path)
        return r->ld->err->status;
    kpi_place at = kpi_loader_place(r->ld, map->pairs[p].key);
    if (st->nkeys == KPI_STUDY_MAX_KEYS)
        return kpi_loader_fail(r->ld, KPI_EDATA, at, "keys",
                               "expected at most %d uncertain keys, got %zu", KPI_STUDY_MAX_KEYS,
                               map->npairs);
    const kpi_key *k = kpi_load_key(path, &grade);
    if (!k)
        return kpi_loader_unknown_key(r->ld, at, path);
    if (!variable(k, grade) || strcmp(path, "months") == 0 || strcmp(path, "working_days") == 0 ||
        strcmp(path, "replications") == 0)
        return kpi_loader_fail(r->ld, KPI_EDATA, at, path,
                               "cannot be an uncertain key: expected a key that takes a "
                               "number of the model (a dotted path such as "
                               "'engagement.mood_effect')");
    kpi_study_key *sk = &st->key[st->nkeys++];
    snprintf(sk->key, sizeof sk->key, "%s", path);
    sk->line = at.line;
    sk->col = at.col;
    sk->whole = grade < 0 && (k->type == KPI_KT_INT || k->type == KPI_KT_LONG);
    kpi_yslot v = map->pairs[p].value;
    if (v.node->kind != KPI_YMAPPING)
        return fail_got(r, v, path, "a mapping {range: [lo, hi], distribution: ..., base: ...}");
    if ((rc = read_key_fields(r, sk, v.node, f, have)) != KPI_OK)
        return rc;
    if (!have[K_RANGE])
        return kpi_loader_fail(r->ld, KPI_EDATA, at, path, "expected its range: [lo, hi], got none");
    kpi_yslot rg = f[K_RANGE];
    if (rg.node->kind != KPI_YSEQUENCE || rg.node->nitems != 2)
        return fail_got(r, rg, path, "a range [lo, hi] of two numbers");
    if ((rc = read_key_value(r, path, rg.node->items[0], &sk->lo)) != KPI_OK ||
        (rc = read_key_value(r, path, rg.node->items[1], &sk->hi)) != KPI_OK)
        return rc;
    if (!(sk->lo < sk->hi)) {
        char expect[128], lo[40];
        kpi_num_format(sk->lo, KPI_NUM_YAML, lo, sizeof lo);
        snprintf(expect, sizeof expect, "an upper end above the lower end (%s)", lo);
        return fail_got(r, rg.node->items[1], path, expect);
    }
    if (have[K_BASE]) {
        if ((rc = read_key_value(r, path, f[K_BASE], &sk->base)) != KPI_OK)
            return rc;
        if (!(sk->base >= sk->lo && sk->base <= sk->hi))
            return fail_got(r, f[K_BASE], path, "a base inside the range");
    } else {
        sk->base = key_value(k, grade, &st->scenario[0]);
        if (!(sk->base >= sk->lo && sk->base <= sk->hi))
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, rg), path,
                                   "the scenario's value %.17g is outside the range [%.17g, "
                                   "%.17g]: widen the range or give base:",
                                   sk->base, sk->lo, sk->hi);
    }
    if ((rc = read_dist(r, sk, f, have)) != KPI_OK)
        return rc;
    kpi_sens_param prm = {sk->key, (kpi_sens_dist)sk->dist, sk->lo, sk->hi, sk->p1, sk->p2,
                          sk->base};
    kpi_error e;
    if (kpi_sens_param_check(&prm, 1, &e) != KPI_OK)
        return kpi_loader_fail(r->ld, KPI_EDATA, at, path, "%s", e.msg);
    return KPI_OK;
}

static int read_keys(study_reader *r)
{
    kpi_place top = {r->ld->file, 1, 1};
    if (!r->have[T_KEYS])
        return kpi_loader_fail(r->ld, KPI_EDATA, top, "keys",
                               "expected keys: the uncertain keys with their ranges, got none");
    kpi_yslot v = r->top[T_KEYS];
    if (v.node->kind != KPI_YMAPPING || v.node->npairs == 0)
        return fail_got(r, v, "keys", "a mapping of scenario keys to {range: [lo, hi], ...}");
    for (size_t p = 0; p < v.node->npairs; p++) {
        int rc = read_key(r, v.node, p);
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Figures, methods, sizes, the decision                               */
/* ------------------------------------------------------------------ */

static int read_figures(study_reader *r)
{
    kpi_study *st = r->st;
    st->nfigures = 1;
    st->figure[0] = KPI_FIG_TOTAL_PREMIUM;
    if (!r->have[T_FIGURES])
        return KPI_OK;
    kpi_yslot v = r->top[T_FIGURES];
    if (v.node->kind == KPI_YSCALAR)
        return read_figure(r, v, "figures", &st->figure[0]);
    if (v.node->kind != KPI_YSEQUENCE || v.node->nitems == 0)
        return fail_got(r, v, "figures", "a list of figures of summary.csv");
    if (v.node->nitems > KPI_NFIG - 1)
        return fail_got(r, v, "figures", "a list of distinct figures");
    st->nfigures = 0;
    for (size_t i = 0; i < v.node->nitems; i++) {
        int fig = 0, rc = read_figure(r, v.node->items[i], "figures", &fig);
        if (rc != KPI_OK)
            return rc;
        for (int j = 0; j < st->nfigures; j++)
            if (st->figure[j] == fig)
                return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, v.node->items[i]),
                                       "figures", "the figure %s is given twice",
                                       kpi_figure_name(fig));
        st->figure[st->nfigures++] = fig;
    }
    return KPI_OK;
}

static int read_methods(study_reader *r)
{
    kpi_study *st = r->st;
    st->methods = KPI_METHOD_OAT | KPI_METHOD_MORRIS | KPI_METHOD_SOBOL;
    if (!r->have[T_METHOD])
        return KPI_OK;
    kpi_yslot v = r->top[T_METHOD];
    const char *expect = "oat, morris, sobol or lhs";
    int m, rc;
    if (v.node->kind == KPI_YSCALAR) {
        rc = read_word(r, v, "method", method_words, expect, &m);
        st->methods = 1 << m;
        return rc;
    }
    if (v.node->kind != KPI_YSEQUENCE || v.node->nitems == 0)
        return fail_got(r, v, "method", "a method (oat, morris, sobol, lhs) or a list of them");
    st->methods = 0;
    for (size_t i = 0; i < v.node->nitems; i++) {
        if ((rc = read_word(r, v.node->items[i], "method", method_words, expect, &m)) != KPI_OK)
            return rc;
        if (st->methods & (1 << m))
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, v.node->items[i]),
                                   "method", "the method %s is given twice", method_words[m]);
        st->methods |= 1 << m;
    }
    return KPI_OK;
}

static int read_decision(study_reader *r)
{
    static const char *const fields[] = {"figure", "better", "bins", NULL};
    static const char *const better[] = {"higher", "lower", NULL};
    kpi_study *st = r->st;
    st->decision = st->strategies ? st->figure[0] : -1;
    st->higher_is_better = 1;
    st->bins = 5;
    if (!r->have[T_DECISION])
        return KPI_OK;
    kpi_yslot v = r->top[T_DECISION];
    if (!st->strategies)
        return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, v), "decision",
                               "a decision ranks strategies: give strategies: (two or more "
                               "scenario files) instead of scenario:");
    if (v.node->kind == KPI_YSCALAR)
        return read_figure(r, v, "decision", &st->decision);
    if (v.node->kind != KPI_YMAPPING)
        return fail_got(r, v, "decision", "a figure, or {figure: F, better: higher|lower, bins: N}");
    for (size_t p = 0; p < v.node->npairs; p++) {
        const char *name = kpi_loader_pair_key(r->ld, v.node, p, "decision");
        int i = -1, rc;
        if (!name)
            return r->ld->err->status;
        for (int j = 0; fields[j]; j++)
            if (strcmp(name, fields[j]) == 0)
                i = j;
        kpi_yslot val = v.node->pairs[p].value;
        char path[128];
        snprintf(path, sizeof path, "decision.%.40s", name);
        if (i < 0) {
            const char *best = kpi_suggest_word(name, fields);
            return kpi_loader_fail(r->ld, KPI_EDATA, kpi_loader_place(r->ld, v.node->pairs[p].key),
                                   path, best ? "unknown key; did you mean '%s'?"
                                              : "unknown key: expected figure, better or bins%s",
                                   best ? best : "");
        }
        if (i == 0) {
            rc = read_figure(r, val, path, &st->decision);
        } else if (i == 1) {
            int b = 0;
            rc = read_word(r, val, path, better, "higher or lower", &b);
            st->higher_is_better = b == 0;
        } else {
            long long bins;
            rc = kpi_loader_whole(r->ld, val, path, "a whole number in [2, 100]", 2, 100, &bins);
            st->bins = (int)bins;
        }
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* samples, trajectories, levels, replications, seed, bootstrap,
 * confidence, and the size of the whole design. */
static int read_sizes(study_reader *r)
{
    kpi_study *st = r->st;
    int rc;
    st->samples = 256;
    st->trajectories = 10;
    st->levels = 4;
    st->replications = 20;
    st->seed = st->scenario[0].seed;
    st->bootstrap = 500;
    st->confidence = 0.95;
    long levels = st->levels;
    if ((rc = read_whole(r, T_SAMPLES, 4, KPI_STUDY_MAX_POINTS, &st->samples)) != KPI_OK ||
        (rc = read_whole(r, T_TRAJ, 2, 100000, &st->trajectories)) != KPI_OK ||
        (rc = read_whole(r, T_LEVELS, 2, 1000, &levels)) != KPI_OK ||
        (rc = read_whole(r, T_REPS, 2, KPI_MAX_REPLICATIONS, &st->replications)) != KPI_OK ||
        (rc = read_whole(r, T_BOOT, 10, 100000, &st->bootstrap)) != KPI_OK)
        return rc;
    st->levels = (int)levels;
    if (levels % 2 != 0)
        return fail_got(r, r->top[T_LEVELS], "levels", "an even number of levels (4, 6, 8...)");
    if (r->have[T_CONF] && (rc = kpi_loader_real(r->ld, r->top[T_CONF], "confidence",
                                                 "a level in (0, 1), e.g. 0.95", 0.5, 0.9999,
                                                 &st->confidence)) != KPI_OK)
        return rc;
    if (r->have[T_SEED]) {
        kpi_ynum num;
        rc = kpi_loader_number(r->ld, r->top[T_SEED], "seed", "a whole number in [0, 2^64 - 1]",
                               &num);
        if (rc == KPI_OK && kpi_load_u64_of(&num, &st->seed) != 0)
            rc = fail_got(r, r->top[T_SEED], "seed", "a whole number in [0, 2^64 - 1]");
        if (rc != KPI_OK)
            return rc;
    }
    double rows = 0, k = st->nkeys;
    if (st->methods & KPI_METHOD_OAT)
        rows += 2 * k + 1;
    if (st->methods & KPI_METHOD_MORRIS)
        rows += (double)st->trajectories * (k + 1);
    if (st->methods & KPI_METHOD_SOBOL)
        rows += (double)st->samples * (k + 2);
    if (st->methods & KPI_METHOD_LHS)
        rows += (double)st->samples;
    if (rows > (double)KPI_STUDY_MAX_POINTS) {
        kpi_place top = {r->ld->file, 1, 1};
        return kpi_loader_fail(r->ld, KPI_EDATA, r->have[T_SAMPLES] ?
                               kpi_loader_place(r->ld, r->top[T_SAMPLES]) : top, "samples",
                               "expected at most %ld design points, got %.0f",
                               KPI_STUDY_MAX_POINTS, rows);
    }
    return KPI_OK;
}

/* The top-level keys into r->top, unknown ones refused. */
static int read_top(study_reader *r, const kpi_ynode *root)
{
    for (size_t p = 0; p < root->npairs; p++) {
        const char *name = kpi_loader_pair_key(r->ld, root, p, "");
        int t = -1;
        if (!name)
            return r->ld->err->status;
        for (int i = 0; top_keys[i]; i++)
            if (strcmp(name, top_keys[i]) == 0)
                t = i;
        if (t < 0) {
            kpi_place at = kpi_loader_place(r->ld, root->pairs[p].key);
            const char *best = kpi_suggest_word(name, top_keys);
            char shown[200];
            kpi_load_show_text(name, strlen(name), shown, sizeof shown);
            if (best)
                return kpi_loader_fail(r->ld, KPI_EDATA, at, shown,
                                       "unknown key of a sensitivity file; did you mean '%s'?",
                                       best);
            if (kpi_load_key(name, &t) || kpi_key_find(name))
                return kpi_loader_fail(r->ld, KPI_EDATA, at, shown,
                                       "a scenario key: it belongs in the scenario file, or "
                                       "under keys: as an uncertain key");
            return kpi_loader_fail(r->ld, KPI_EDATA, at, shown,
                                   "unknown key of a sensitivity file: expected scenario, "
                                   "strategies, keys, figures, method, samples, trajectories, "
                                   "levels, replications, seed, bootstrap, confidence, "
                                   "decision, name, title or description");
        }
        r->top[t] = root->pairs[p].value;
        r->have[t] = 1;
    }
    return KPI_OK;
}

/* name: (else the file's base name), title:. */
static int read_names(study_reader *r, const char *path)
{
    kpi_study *st = r->st;
    int rc;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    snprintf(st->name, sizeof st->name, "%.*s", (int)(n ? n : strlen(base)), base);
    for (char *c = st->name; *c; c++)
        if (!kpi_name_char(*c))
            *c = '_';
    if (!st->name[0])
        snprintf(st->name, sizeof st->name, "sensitivity");
    if (r->have[T_NAME]) {
        if ((rc = read_text(r, r->top[T_NAME], "name", st->name, sizeof st->name)) != KPI_OK)
            return rc;
        for (const char *c = st->name; *c; c++)
            if (!kpi_name_char(*c))
                return fail_got(r, r->top[T_NAME], "name",
                                "a name of letters, digits, '.', '_' and '-'");
    }
    if (r->have[T_TITLE])
        return read_text(r, r->top[T_TITLE], "title", st->title, sizeof st->title);
    snprintf(st->title, sizeof st->title, "Sensitivity: %s", st->name);
    return KPI_OK;
}

static int read_study(study_reader *r, const char *path, const char *data, size_t len)
{
    kpi_ytree *tree = NULL;
    int rc = kpi_ytree_parse(data, len, path, KPI_YTREE_SCENARIO, 0, &tree, r->ld->err);
    if (rc != KPI_OK)
        return rc;
    const kpi_ynode *root = tree->root.node;
    if ((rc = read_top(r, root)) == KPI_OK && (rc = read_names(r, path)) == KPI_OK &&
        (rc = read_scenarios(r)) == KPI_OK && (rc = read_keys(r)) == KPI_OK &&
        (rc = read_figures(r)) == KPI_OK && (rc = read_methods(r)) == KPI_OK &&
        (rc = read_decision(r)) == KPI_OK)
        rc = read_sizes(r);
    kpi_ytree_free(tree);
    return rc;
}

int kpi_study_load(const char *path, kpi_study **out, kpi_error *err)
{
    kpi_error local;
    study_reader r;
    char *data = NULL;
    size_t len = 0;
    int rc;
    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    memset(&r, 0, sizeof r);
    *out = NULL;
    r.st = calloc(1, sizeof *r.st);
    r.ld = kpi_loader_new(NULL, err);
    r.scratch = malloc(sizeof *r.scratch);
    if (r.st)
        r.st->scenario = calloc(KPI_STUDY_MAX_STRATEGIES, sizeof *r.st->scenario);
    if (!r.st || !r.ld || !r.scratch || !r.st->scenario) {
        rc = kpi_error_oom(err, "while loading the sensitivity file");
        goto done;
    }
    snprintf(r.st->file, sizeof r.st->file, "%s", path);
    r.ld->file = kpi_loader_keep_name(r.ld, path);
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 0;
    r.dir = malloc(dl + 1);
    if (!r.ld->file || !r.dir) {
        rc = kpi_error_oom(err, "while loading the sensitivity file");
        goto done;
    }
    memcpy(r.dir, path, dl);
    r.dir[dl] = '\0';
    int e = kpi_load_read_file(path, &data, &len);
    if (e != 0) {
        kpi_place p = {path, 0, 0};
        rc = kpi_loader_fail(r.ld, e == ENOMEM ? KPI_EINTERNAL : KPI_ENOINPUT, p, "",
                             "cannot read the sensitivity file: %s", strerror(e));
        goto done;
    }
    rc = read_study(&r, path, data, len);
done:
    free(data);
    free(r.dir);
    free(r.scratch);
    kpi_loader_free(r.ld);
    if (rc != KPI_OK) {
        kpi_study_free(r.st);
        return rc;
    }
    *out = r.st;
    return KPI_OK;
}

void kpi_study_free(kpi_study *st)
{
    if (!st)
        return;
    free(st->scenario);
    free(st);
}
