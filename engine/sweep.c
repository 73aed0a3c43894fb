/*
 * sweep.c - sweep files: one scenario plus a grid of values for some keys.
 *
 * `kpisim sweep SWEEP.yaml` reads the file with the scenario loader
 * (kpi_load_sweep, load.c): the file's keys, its extends: chain and the
 * --set overrides make the base scenario, and the top file's
 *
 *     sweep:
 *       activity.calls_per_day: [8, 10, 12]
 *       clients.focus: {from: 0, to: 0.8, step: 0.1}
 *
 * block comes here.  Each key becomes an axis whose values are kept as the
 * text a --set would give ("12", "0.3", "40:30:10:1"), so that a grid
 * point is the base with one assignment per axis.  Every grid point is
 * built and checked while the file is loaded, so that a value that breaks
 * a rule is reported at its place in the file, and not halfway through a
 * long run.  kpi_sweep_point gives the points one by one, the last axis
 * varying fastest.  The file format is documented in docs/scenarios.md,
 * "Sweep files".
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "error.h"
#include "kpisim.h"
#include "load.h"
#include "sensitivity.h"
#include "scenario.h"
#include "suggest.h"
#include "yamltree.h"

/* Values of one key at most (a list, or what a range gives). */
#define SWEEP_MAX_VALUES 10000

/* A range's values are rounded to this many significant digits, so that
 * 0 + 3 * 0.1 is 0.3 and not 0.30000000000000004. */
#define SWEEP_RANGE_DIGITS 12

/* A range includes its end when the end is within this fraction of a step
 * of a value: from 0 to 0.8 step 0.1 ends with 0.8, whatever the rounding
 * of 8 * 0.1. */
#define SWEEP_RANGE_SLACK 1e-9

/* What the load knows of an axis besides its kpi_sweep_axis. */
typedef struct axis_info {
    const kpi_key *k;
    int grade;              /* -1, or the grade of a grade mapping's key */
    kpi_place key_at;       /* the key in the sweep block */
    kpi_place *at;          /* each value's place (for a range: the range's) */
} axis_info;

/* The state of one kpi_sweep_load. */
typedef struct builder {
    kpi_sweep *sw;
    axis_info info[KPI_MAX_SWEEP_AXES];
    kpi_scenario *scratch;  /* values are read into it to be checked */
    kpi_error *err;
} builder;

/* ------------------------------------------------------------------ */
/* Values as text                                                      */
/* ------------------------------------------------------------------ */

/* A sweep value as --set text: the loader's shortest exact form, "-0"
 * written as "0". */
#define SWEEP_NUM (KPI_NUM_YAML | KPI_NUM_NO_NEG_ZERO)

/* The value of the key k (grade: -1 or one grade) in sc as the text a
 * --set gives: numbers in the shortest form that reads back exactly, whole
 * numbers as such, funnels "a:b:c:d", the orphan policy as its word.
 * Returns 0, or -1 for a key whose values are not single values. */
static int format_value(const kpi_scenario *sc, const kpi_key *k, int grade, char *buf,
                        size_t size)
{
    const char *field = (const char *)sc + k->offset;
    if (grade >= 0) {
        double g[6];
        memcpy(g, field, sizeof g);
        return kpi_num_format(g[grade], SWEEP_NUM, buf, size);
    }
    switch (k->type) {
    case KPI_KT_INT:
    case KPI_KT_LONG:
        snprintf(buf, size, "%lld", kpi_key_whole(k, sc));
        return 0;
    case KPI_KT_U64: {
        uint64_t v;
        memcpy(&v, field, sizeof v);
        snprintf(buf, size, "%" PRIu64, v);
        return 0;
    }
    case KPI_KT_REAL:
    case KPI_KT_OPTREAL: {
        double v;
        memcpy(&v, field, sizeof v);
        return kpi_num_format(v, SWEEP_NUM, buf, size);
    }
    case KPI_KT_FUNNEL: {
        kpi_funnel f;
        memcpy(&f, field, sizeof f);
        return kpi_num_join(f.stage, 4, ":", SWEEP_NUM, buf, size);
    }
    case KPI_KT_ORPHAN:
        snprintf(buf, size, "%s", kpi_orphan_words[kpi_key_whole(k, sc) == KPI_ORPHAN_LOSE
                                                    ? KPI_ORPHAN_LOSE : KPI_ORPHAN_REASSIGN]);
        return 0;
    default:
        return -1;
    }
}

/* Whether a key takes numbers (and so a range). */
static int numeric(const kpi_key *k, int grade)
{
    return grade >= 0 || k->type == KPI_KT_INT || k->type == KPI_KT_LONG ||
           k->type == KPI_KT_U64 || k->type == KPI_KT_REAL || k->type == KPI_KT_OPTREAL;
}

/* "k1=v1, k2=v2": the values of grid point idx, for messages. */
static void describe_point(const kpi_sweep *sw, const int *idx, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int a = 0; a < sw->naxes && used < size; a++) {
        const char *v = sw->axis[a].values[idx[a]];
        int w = snprintf(buf + used, size - used, "%s%s=%s", a ? ", " : "", sw->axis[a].key,
                         v ? v : "");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ------------------------------------------------------------------ */
/* Reading the sweep: block                                            */
/* ------------------------------------------------------------------ */

/* Keys that are never swept, and why. */
static const struct {
    const char *key, *why;
} unsweepable[] = {
    {"name", "a sweep is one run, with one name"},
    {"title", "it describes the scenario; it is not an input of the model"},
    {"description", "it describes the scenario; it is not an input of the model"},
    {"extends", "a sweep varies the keys of one scenario (kpisim compare compares files)"},
    {"events", "a sweep varies single values; give the events in the file"},
    {"sweep", "a sweep holds scenario keys"},
};

/* The top-level sections, which are swept key by key. */
static const char *const sweep_sections[] = {
    "team", "activity", "funnel", "clients", "premium", "economics", "assessment", NULL
};

/* Checks that path (written at `at`) is a key that can be swept; its key
 * and grade into *k and *grade. */
static int sweepable(kpi_loader *ld, const char *path, kpi_place at, const kpi_key **k,
                     int *grade)
{
    for (size_t i = 0; i < sizeof unsweepable / sizeof *unsweepable; i++) {
        size_t n = strlen(unsweepable[i].key);
        if (strcmp(path, unsweepable[i].key) == 0 ||
            (strcmp(unsweepable[i].key, "events") == 0 && strncmp(path, "events", n) == 0 &&
             (path[n] == '[' || path[n] == '.')))
            return kpi_loader_fail(ld, KPI_EDATA, at, path, "cannot be swept: %s",
                                   unsweepable[i].why);
    }
    for (size_t i = 0; sweep_sections[i]; i++) {
        if (strcmp(path, sweep_sections[i]) != 0)
            continue;
        size_t n = strlen(path);
        const char *example = "activity.calls_per_day";
        for (const kpi_key *e = kpi_keys; e->path; e++) {
            if (strncmp(e->path, path, n) == 0 && e->path[n] == '.') {
                example = e->path;
                break;
            }
        }
        return kpi_loader_fail(ld, KPI_EDATA, at, path,
                               "cannot be swept as a whole: sweep its keys one by one, "
                               "written as dotted paths such as '%s'", example);
    }
    *k = kpi_load_key(path, grade);
    if (!*k) {
        /* "clients.grade_mix.F": a grade mapping with a letter that is no grade. */
        const char *dot = strrchr(path, '.');
        char head[256];
        if (dot && (size_t)(dot - path) < sizeof head) {
            snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
            const kpi_key *h = kpi_key_find(head);
            if (h && h->type == KPI_KT_GRADES)
                return kpi_loader_fail(ld, KPI_EDATA, at, path,
                                       "unknown grade: expected one of A, B, C, D, E, N");
        }
        return kpi_loader_unknown_key(ld, at, path);
    }
    if ((*k)->type == KPI_KT_GRADES && *grade < 0)
        return kpi_loader_fail(ld, KPI_EDATA, at, path,
                               "cannot be swept as a whole: sweep one grade, as '%s.A'", path);
    if (*grade < 0 && !numeric(*k, *grade) && (*k)->type != KPI_KT_FUNNEL &&
        (*k)->type != KPI_KT_ORPHAN)
        return kpi_loader_fail(ld, KPI_EDATA, at, path, "cannot be swept");
    return KPI_OK;
}

/* Allocates the n values of axis a (filled with NULL) and their places. */
static int alloc_values(builder *b, kpi_loader *ld, int a, size_t n)
{
    kpi_sweep_axis *ax = &b->sw->axis[a];
    ax->values = calloc(n, sizeof *ax->values);
    b->info[a].at = calloc(n, sizeof *b->info[a].at);
    if (!ax->values || !b->info[a].at)
        return kpi_loader_out_of_memory(ld);
    ax->nvalues = (int)n;
    return KPI_OK;
}

/* Keeps a copy of text as value j of axis a. */
static int keep_value(builder *b, kpi_loader *ld, int a, int j, const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (!copy)
        return kpi_loader_out_of_memory(ld);
    memcpy(copy, text, n);
    b->sw->axis[a].values[j] = copy;
    return KPI_OK;
}

/* For sorting value j of an axis by its text. */
typedef struct ranked {
    const char *text;
    int j;
} ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *x = pa, *y = pb;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->j > y->j) - (x->j < y->j);
}

/* A value given twice in a list is a mistake (the grid would run the same
 * point twice): reported at the second of the first such pair in the
 * file.  Sorting keeps this O(n log n) for long lists. */
static int check_list_duplicates(builder *b, kpi_loader *ld, int a)
{
    const kpi_sweep_axis *ax = &b->sw->axis[a];
    int n = ax->nvalues, worst = -1, first = -1;
    ranked *r = malloc((size_t)n * sizeof *r);
    if (!r)
        return kpi_loader_out_of_memory(ld);
    for (int j = 0; j < n; j++) {
        r[j].text = ax->values[j];
        r[j].j = j;
    }
    qsort(r, (size_t)n, sizeof *r, ranked_cmp);
    for (int j = 1; j < n; j++) {
        if (strcmp(r[j].text, r[j - 1].text) == 0 && (worst < 0 || r[j].j < worst)) {
            /* r[j - 1] is the earliest of this run of equal texts only
             * when it starts the run; find the run's start. */
            int s = j - 1;
            while (s > 0 && strcmp(r[s - 1].text, r[j].text) == 0)
                s--;
            worst = r[j].j;
            first = r[s].j;
        }
    }
    free(r);
    if (worst < 0)
        return KPI_OK;
    kpi_place p = b->info[a].at[first];
    return kpi_loader_fail(ld, KPI_EDATA, b->info[a].at[worst], ax->key,
                           "the value %s is given twice (first at %s:%d:%d)", ax->values[worst],
                           p.file ? p.file : "", p.line, p.col);
}

/* What one value of key k must be, for the message about a list or
 * mapping given as a value. */
static void value_expect(const kpi_key *k, int grade, char *buf, size_t size)
{
    char grade_buf[64];
    if (grade < 0 && k->type == KPI_KT_FUNNEL)
        snprintf(buf, size, "a funnel written as text \"prospects:contacts:meetings:sales\"");
    else
        snprintf(buf, size, "%s", kpi_key_expect(k, grade, grade_buf, sizeof grade_buf));
}

/* KEY: [v1, v2, ...] */
static int read_list(builder *b, kpi_loader *ld, int a, kpi_yslot v)
{
    const kpi_ynode *n = v.node;
    kpi_sweep_axis *ax = &b->sw->axis[a];
    axis_info *info = &b->info[a];
    char text[256], expect[256];
    int rc;
    if (n->nitems == 0)
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, v), ax->key,
                               "expected a list of values to sweep, got an empty list");
    if (n->nitems > SWEEP_MAX_VALUES)
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, v), ax->key,
                               "expected at most %d values, got %zu", SWEEP_MAX_VALUES,
                               n->nitems);
    rc = alloc_values(b, ld, a, n->nitems);
    if (rc != KPI_OK)
        return rc;
    for (size_t j = 0; j < n->nitems; j++) {
        kpi_yslot item = n->items[j];
        if (item.node->kind != KPI_YSCALAR) {
            value_expect(info->k, info->grade, expect, sizeof expect);
            return kpi_loader_fail_got(ld, item, ax->key, expect);
        }
        rc = kpi_loader_value(ld, ax->key, item, b->scratch);
        if (rc != KPI_OK)
            return rc;
        if (format_value(b->scratch, info->k, info->grade, text, sizeof text) != 0)
            return kpi_loader_fail(ld, KPI_EINTERNAL, kpi_loader_place(ld, item), ax->key,
                                   "internal error: the value cannot be written back");
        info->at[j] = kpi_loader_place(ld, item);
        rc = keep_value(b, ld, a, (int)j, text);
        if (rc != KPI_OK)
            return rc;
    }
    return check_list_duplicates(b, ld, a);
}

/* KEY: {from: A, to: B, step: S}: the values from + k * step, k = 0, 1,
 * ..., while they are at most to (within SWEEP_RANGE_SLACK of a step),
 * each rounded to SWEEP_RANGE_DIGITS significant digits. */
static int read_range(builder *b, kpi_loader *ld, int a, kpi_yslot v)
{
    static const char *const fields[] = {"from", "to", "step", NULL};
    const kpi_ynode *n = v.node;
    kpi_sweep_axis *ax = &b->sw->axis[a];
    axis_info *info = &b->info[a];
    kpi_place at = kpi_loader_place(ld, v);
    kpi_yslot slot[3];
    int have[3] = {0, 0, 0};
    double num[3];
    char text[256], expect[300];
    int rc;

    if (!numeric(info->k, info->grade))
        return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                               "expected a list of values: a range {from: A, to: B, step: S} "
                               "needs a key that takes numbers");
    for (size_t p = 0; p < n->npairs; p++) {
        const char *name = kpi_loader_pair_key(ld, n, p, ax->key);
        int f = -1;
        if (!name)
            return b->err->status;
        for (int i = 0; fields[i]; i++)
            if (strcmp(name, fields[i]) == 0)
                f = i;
        if (f < 0) {
            const char *best = kpi_suggest_word(name, fields);
            char path[300];
            snprintf(path, sizeof path, "%s.%.40s", ax->key, name);
            kpi_place kat = kpi_loader_place(ld, n->pairs[p].key);
            if (best)
                return kpi_loader_fail(ld, KPI_EDATA, kat, path,
                                       "unknown key of a range; did you mean '%s'?", best);
            return kpi_loader_fail(ld, KPI_EDATA, kat, path,
                                   "unknown key of a range: expected from, to and step");
        }
        slot[f] = n->pairs[p].value;
        have[f] = 1;
    }
    for (int f = 0; f < 3; f++)
        if (!have[f])
            return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                                   "expected the range's %s (a range is {from: A, to: B, "
                                   "step: S}), got none", fields[f]);
    for (int f = 0; f < 3; f++) {
        kpi_ynum y;
        rc = kpi_loader_number(ld, slot[f], ax->key, "a number", &y);
        if (rc != KPI_OK)
            return rc;
        num[f] = y.value;
    }
    const double from = num[0], to = num[1], step = num[2];
    if (!(step > 0))
        return kpi_loader_fail_got(ld, slot[2], ax->key, "a step above 0");
    if (to < from) {
        snprintf(expect, sizeof expect, "an end not below the start (from: %.40s)",
                 slot[0].node->text);
        return kpi_loader_fail_got(ld, slot[1], ax->key, expect);
    }

    /* How many values, before making any: (to - from) / step may be huge.
     * Well above the limit the estimate is exact enough for the message;
     * near it the values are counted. */
    double span = (to - from) / step;
    if (!(span <= 2.0 * SWEEP_MAX_VALUES)) {
        double estimate = floor(span + SWEEP_RANGE_SLACK) + 1;
        if (isfinite(estimate) && estimate < 1e15)
            return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                                   "expected at most %d values, got %.0f from this range",
                                   SWEEP_MAX_VALUES, estimate);
        return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                               "expected at most %d values, got more than 10^15 from this "
                               "range", SWEEP_MAX_VALUES);
    }
    int count = 0;
    while (count <= 2 * SWEEP_MAX_VALUES + 2 &&
           from + (double)count * step <= to + step * SWEEP_RANGE_SLACK)
        count++;
    if (count > SWEEP_MAX_VALUES)
        return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                               "expected at most %d values, got %d from this range",
                               SWEEP_MAX_VALUES, count);
    rc = alloc_values(b, ld, a, (size_t)count);
    if (rc != KPI_OK)
        return rc;
    for (int j = 0; j < count; j++) {
        /* Whole numbers below 2^53 are exact: no rounding (it would spoil
         * seeds of more than 12 digits); anything else is rounded. */
        double x = from + (double)j * step;
        if (!(x == floor(x) && fabs(x) <= 9007199254740992.0))
            x = kpi_ynum_round(x, SWEEP_RANGE_DIGITS);
        if (kpi_num_format(x, SWEEP_NUM | KPI_NUM_WHOLE_IN_FULL, text, sizeof text) != 0)
            return kpi_loader_fail(ld, KPI_EINTERNAL, at, ax->key,
                                   "internal error: %g cannot be written", x);
        if (kpi_load_assign_fast(b->scratch, info->k, info->grade, text) != 0) {
            value_expect(info->k, info->grade, expect, sizeof expect);
            return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                                   "expected %s, got %s (value %d of the range)", expect, text,
                                   j + 1);
        }
        if (format_value(b->scratch, info->k, info->grade, text, sizeof text) != 0)
            return kpi_loader_fail(ld, KPI_EINTERNAL, at, ax->key,
                                   "internal error: the value cannot be written back");
        if (j > 0 && strcmp(text, ax->values[j - 1]) == 0)
            return kpi_loader_fail(ld, KPI_EDATA, at, ax->key,
                                   "the range gives %s twice (values %d and %d): the step is "
                                   "too small for %d significant digits", text, j, j + 1,
                                   SWEEP_RANGE_DIGITS);
        info->at[j] = at;
        rc = keep_value(b, ld, a, j, text);
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* Axis number b->sw->naxes from pair i of the sweep mapping. */
static int read_axis(builder *b, kpi_loader *ld, const kpi_ynode *map, size_t i)
{
    kpi_sweep *sw = b->sw;
    kpi_yslot key = map->pairs[i].key, value = map->pairs[i].value;
    kpi_place at;
    const kpi_key *k = NULL;
    int grade = -1, a, rc;
    const char *path = kpi_loader_pair_key(ld, map, i, "");
    if (!path)
        return b->err->status;
    at = kpi_loader_place(ld, key);
    if (sw->naxes == KPI_MAX_SWEEP_AXES)
        return kpi_loader_fail(ld, KPI_EDATA, at, "sweep",
                               "expected at most %d keys to sweep, got %zu", KPI_MAX_SWEEP_AXES,
                               map->npairs);
    rc = sweepable(ld, path, at, &k, &grade);
    if (rc != KPI_OK)
        return rc;
    /* Two ways to say one thing: the grid would hold only the last. */
    for (int j = 0; j < sw->naxes; j++) {
        const char *other = sw->axis[j].key;
        if ((strcmp(path, "clients.focus") == 0 && strcmp(other, "clients.repeat_share") == 0) ||
            (strcmp(path, "clients.repeat_share") == 0 && strcmp(other, "clients.focus") == 0)) {
            kpi_place p = b->info[j].key_at;
            return kpi_loader_fail(ld, KPI_EDATA, at, path,
                                   "give clients.focus or clients.repeat_share, not both "
                                   "(%s given at %s:%d:%d)", other, p.file, p.line, p.col);
        }
    }
    a = sw->naxes++;
    snprintf(sw->axis[a].key, sizeof sw->axis[a].key, "%s", path);
    b->info[a].k = k;
    b->info[a].grade = grade;
    b->info[a].key_at = at;
    if (value.node->kind == KPI_YSEQUENCE)
        return read_list(b, ld, a, value);
    if (value.node->kind == KPI_YMAPPING)
        return read_range(b, ld, a, value);
    return kpi_loader_fail_got(ld, value, path,
                               "a list of values [v1, v2, ...] or a range "
                               "{from: A, to: B, step: S}");
}

/* The sweep: block (kpi_sweep_hooks.block). */
static int read_block(void *ud, kpi_loader *ld, kpi_yslot key, kpi_yslot value)
{
    builder *b = ud;
    kpi_sweep *sw = b->sw;
    const kpi_ynode *n = value.node;
    unsigned long long points = 1;
    int over = 0;
    char dims[256] = "";
    size_t used = 0;

    /* Like a section with every key commented out: nothing to sweep. */
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL)
        return KPI_OK;
    if (n->kind != KPI_YMAPPING)
        return kpi_loader_fail_got(ld, value, "sweep",
                                   "a mapping of keys to lists of values [v1, v2, ...] or "
                                   "ranges {from: A, to: B, step: S}");
    for (size_t i = 0; i < n->npairs; i++) {
        int rc = read_axis(b, ld, n, i);
        if (rc != KPI_OK)
            return rc;
    }
    for (int a = 0; a < sw->naxes; a++) {
        unsigned long long nv = (unsigned long long)sw->axis[a].nvalues;
        if (!over && points > ULLONG_MAX / nv)
            over = 1;
        else
            points *= nv;
        int w = snprintf(dims + used, sizeof dims - used, "%s%d", a ? " x " : "",
                         sw->axis[a].nvalues);
        if (w > 0 && (size_t)w < sizeof dims - used)
            used += (size_t)w;
    }
    if (over || points > (unsigned long long)KPI_MAX_SWEEP_POINTS) {
        kpi_place at = kpi_loader_place(ld, key);
        if (over)
            return kpi_loader_fail(ld, KPI_EDATA, at, "sweep",
                                   "expected at most %ld grid points, got %s (more than "
                                   "%llu)", KPI_MAX_SWEEP_POINTS, dims, ULLONG_MAX);
        return kpi_loader_fail(ld, KPI_EDATA, at, "sweep",
                               "expected at most %ld grid points, got %s = %llu",
                               KPI_MAX_SWEEP_POINTS, dims, points);
    }
    sw->npoints = (long)points;
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Building the grid                                                   */
/* ------------------------------------------------------------------ */

/* Sets the values of point idx for the axes first .. end - 1 into sc. */
static int set_axes(builder *b, kpi_loader *ld, kpi_scenario *sc, const int *idx, int first,
                    int end)
{
    const kpi_sweep *sw = b->sw;
    for (int a = first < 0 ? 0 : first; a < end; a++) {
        const char *text = sw->axis[a].values[idx[a]];
        if (kpi_load_assign_fast(sc, b->info[a].k, b->info[a].grade, text) != 0)
            return kpi_loader_fail(ld, KPI_EINTERNAL, b->info[a].at[idx[a]], sw->axis[a].key,
                                   "internal error: the value %s does not read back", text);
    }
    return KPI_OK;
}

/* Point idx breaks the rule that blames `key` (message msg).  The error
 * goes to the value of the sweep block that broke it: the blamed key's own
 * value when it is swept; otherwise the first axis that, set over the base
 * with the axes before it, breaks a rule (compliance swept to 0.99 leaves
 * no room for the file's compliance_sd; months swept to 6 cuts off an event
 * in month 10).  When the base alone breaks the rule, it is the file's
 * error, reported as for a scenario. */
static int blame_point(builder *b, kpi_loader *ld, const int *idx, const char *key,
                       const char *msg)
{
    const kpi_sweep *sw = b->sw;
    char k2[256], m2[1024], point[600];
    size_t n = strlen(key);
    int culprit = -1;
    for (int a = 0; a < sw->naxes && culprit < 0; a++) {
        const char *ak = sw->axis[a].key;
        if (strncmp(ak, key, n) == 0 && (ak[n] == '\0' || ak[n] == '.'))
            culprit = a;
    }
    if (culprit < 0) {
        memcpy(b->scratch, kpi_loader_scenario(ld), sizeof *b->scratch);
        if (kpi_scenario_check_keys(b->scratch, k2, sizeof k2, m2, sizeof m2) != KPI_OK)
            return kpi_loader_check(ld);
        /* The base passes: add the axes one by one. */
        for (int a = 0; a < sw->naxes && culprit < 0; a++) {
            int rc = set_axes(b, ld, b->scratch, idx, a, a + 1);
            if (rc != KPI_OK)
                return rc;
            if (kpi_scenario_check_keys(b->scratch, k2, sizeof k2, m2, sizeof m2) != KPI_OK)
                culprit = a;
        }
        if (culprit < 0)
            culprit = sw->naxes - 1;
    }
    describe_point(sw, idx, point, sizeof point);
    return kpi_loader_fail(ld, KPI_EDATA, b->info[culprit].at[idx[culprit]], key,
                           "%.500s (at the grid point %.480s)", msg, point);
}

/* Builds and checks every grid point (kpi_sweep_hooks.finish). */
static int build_grid(void *ud, kpi_loader *ld)
{
    builder *b = ud;
    const kpi_sweep *sw = b->sw;
    int idx[KPI_MAX_SWEEP_AXES] = {0};
    char key[256], msg[1024];
    int first = 0, rc;

    if (sw->naxes == 0)
        return kpi_loader_check(ld);
    /* The base itself is not a point and need not pass the rules that span
     * keys (e.g. months: 6 in the file with months swept over 12 and 24
     * and an event in month 10); every point must.  Setting every axis of
     * the next point over the last gives the same as setting them over the
     * base: each axis sets the same fields (and the same fields they imply)
     * at every point.  So only the axes that changed are set again. */
    memcpy(b->scratch, kpi_loader_scenario(ld), sizeof *b->scratch);
    for (long i = 0; i < sw->npoints; i++) {
        rc = set_axes(b, ld, b->scratch, idx, first, sw->naxes);
        if (rc != KPI_OK)
            return rc;
        if (kpi_scenario_check_keys(b->scratch, key, sizeof key, msg, sizeof msg) != KPI_OK)
            return blame_point(b, ld, idx, key, msg);
        for (first = sw->naxes - 1; first >= 0; first--) {
            if (++idx[first] < sw->axis[first].nvalues)
                break;
            idx[first] = 0;
        }
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Public entry points                                                 */
/* ------------------------------------------------------------------ */

int kpi_sweep_load(kpi_scenario *base, kpi_sweep **out, const char *path,
                   const char *const *sets, size_t nsets, kpi_error *err)
{
    static const kpi_sweep_hooks hooks = {read_block, build_grid};
    kpi_error local;
    builder b;
    int rc;

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    memset(&b, 0, sizeof b);
    if (out)
        *out = NULL;
    if (!base || !out) {
        err->status = KPI_EINTERNAL;
        snprintf(err->msg, sizeof err->msg, "kpi_sweep_load: no place for the results");
        return KPI_EINTERNAL;
    }
    b.err = err;
    b.sw = calloc(1, sizeof *b.sw);
    b.scratch = malloc(sizeof *b.scratch);
    if (!b.sw || !b.scratch) {
        kpi_scenario_defaults(base);
        snprintf(err->file, sizeof err->file, "%s", path ? path : "");
        snprintf(err->msg, sizeof err->msg, "out of memory while loading the scenario");
        err->status = KPI_EINTERNAL;
        rc = KPI_EINTERNAL;
        goto done;
    }
    b.sw->npoints = 1;
    kpi_scenario_defaults(b.scratch);
    rc = kpi_load_sweep(base, path, sets, nsets, &hooks, &b, err);

done:
    for (int a = 0; a < KPI_MAX_SWEEP_AXES; a++)
        free(b.info[a].at);
    free(b.scratch);
    if (rc != KPI_OK) {
        kpi_sweep_free(b.sw);
        return rc;
    }
    *out = b.sw;
    return KPI_OK;
}

void kpi_sweep_free(kpi_sweep *sw)
{
    if (!sw)
        return;
    for (int a = 0; a < sw->naxes && a < KPI_MAX_SWEEP_AXES; a++) {
        if (sw->axis[a].values)
            for (int j = 0; j < sw->axis[a].nvalues; j++)
                free(sw->axis[a].values[j]);
        free(sw->axis[a].values);
    }
    free(sw);
}

static int bad_sweep(kpi_error *err, const char *fmt, ...) KPI_PRINTF_LIKE(2, 3);

/* Fills err for a call kpi_sweep_load's sweeps cannot lead to. */
static int bad_sweep(kpi_error *err, const char *fmt, ...)
{
    va_list ap;
    err->status = KPI_EINTERNAL;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return KPI_EINTERNAL;
}

void kpi_sweep_index(const kpi_sweep *sw, long i, int *idx)
{
    if (sw->sample) {
        for (int a = 0; a < sw->naxes; a++)
            idx[a] = (int)i;
        return;
    }
    for (int a = sw->naxes - 1; a >= 0; a--) {
        idx[a] = (int)(i % sw->axis[a].nvalues);
        i /= sw->axis[a].nvalues;
    }
}

int kpi_sweep_point(const kpi_sweep *sw, const kpi_scenario *base, long i,
                    kpi_scenario *out, int *idx, kpi_error *err)
{
    kpi_error local;
    int at[KPI_MAX_SWEEP_AXES];
    long points = 1;
    int rc;

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    if (!sw || !base || !out)
        return bad_sweep(err, "kpi_sweep_point: no sweep, base or output scenario");
    if (sw->naxes < 0 || sw->naxes > KPI_MAX_SWEEP_AXES)
        return bad_sweep(err, "kpi_sweep_point: %d axes, at most %d are possible", sw->naxes,
                         KPI_MAX_SWEEP_AXES);
    for (int a = 0; a < sw->naxes; a++) {
        long nv = sw->axis[a].nvalues;
        if (nv < 1 || !sw->axis[a].values || points > LONG_MAX / nv ||
            (sw->sample && nv != sw->npoints))
            return bad_sweep(err, "kpi_sweep_point: axis %d has %ld values", a, nv);
        points = sw->sample ? nv : points * nv;
    }
    if (points != sw->npoints)
        return bad_sweep(err, "kpi_sweep_point: the axes make %ld points, the sweep says %ld",
                         points, sw->npoints);
    if (i < 0 || i >= points)
        return bad_sweep(err, "kpi_sweep_point: point %ld is not in [0, %ld)", i, points);
    kpi_sweep_index(sw, i, at);
    if (out != base)
        memcpy(out, base, sizeof *out);
    for (int a = 0; a < sw->naxes; a++) {
        const char *text = sw->axis[a].values[at[a]];
        rc = kpi_load_assign(out, sw->axis[a].key, text ? text : "", err);
        if (rc != KPI_OK) {
            /* Not a --set: the place in "KEY=VALUE" means nothing here. */
            snprintf(err->file, sizeof err->file, "sweep");
            err->line = err->col = 0;
            return rc;
        }
    }
    rc = kpi_scenario_check(out, err);
    if (rc != KPI_OK) {
        char point[600];
        size_t used = strlen(err->msg);
        describe_point(sw, at, point, sizeof point);
        snprintf(err->msg + used, sizeof err->msg - used, " (at the grid point %s)", point);
        return rc;
    }
    if (idx)
        memcpy(idx, at, (size_t)sw->naxes * sizeof *idx);
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* A Latin hypercube sample over the axes' ranges (sweep --lhs)        */
/* ------------------------------------------------------------------ */

/* The smallest and largest value of an axis that takes numbers. */
static int axis_range(const kpi_sweep_axis *ax, double *lo, double *hi, kpi_error *err)
{
    int grade;
    const kpi_key *k = kpi_load_key(ax->key, &grade);
    if (!k || !numeric(k, grade) || k->type == KPI_KT_U64)
        return kpi_error_set(err, KPI_EDATA, ax->key,
                             "cannot be sampled by --lhs: expected a key that takes numbers "
                             "(sweep it on the grid instead)");
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int j = 0; j < ax->nvalues; j++) {
        kpi_ynum num;
        if (kpi_ynum_parse(ax->values[j], strlen(ax->values[j]), &num) != KPI_YNUM_OK)
            return kpi_error_set(err, KPI_EDATA, ax->key, "--lhs: %s is not a number",
                                 ax->values[j]);
        *lo = fmin(*lo, num.value);
        *hi = fmax(*hi, num.value);
    }
    if (!(*lo < *hi))
        return kpi_error_set(err, KPI_EDATA, ax->key,
                             "--lhs samples each key between its smallest and largest value: "
                             "give two values or a range, got only %s", ax->values[0]);
    return KPI_OK;
}

/* Axis a's n sampled values from the unit column u (stride naxes). */
static int sample_axis(kpi_sweep *out, int a, const double *u, double lo, double hi,
                       kpi_error *err)
{
    kpi_sweep_axis *ax = &out->axis[a];
    int grade;
    const kpi_key *k = kpi_load_key(ax->key, &grade);
    const int whole = grade < 0 && (k->type == KPI_KT_INT || k->type == KPI_KT_LONG);
    char text[64];
    ax->values = calloc((size_t)out->npoints, sizeof *ax->values);
    if (!ax->values)
        return kpi_error_oom(err, "while sampling the sweep");
    ax->nvalues = (int)out->npoints;
    for (long i = 0; i < out->npoints; i++) {
        double x = lo + u[(size_t)i * (size_t)out->naxes] * (hi - lo);
        x = whole ? nearbyint(x) : kpi_ynum_round(x, SWEEP_RANGE_DIGITS);
        x = fmin(hi, fmax(lo, x));
        if (kpi_num_format(x, SWEEP_NUM | KPI_NUM_WHOLE_IN_FULL, text, sizeof text) != 0)
            return kpi_error_set(err, KPI_EINTERNAL, ax->key, "internal error: %g", x);
        size_t len = strlen(text) + 1;
        if (!(ax->values[i] = malloc(len)))
            return kpi_error_oom(err, "while sampling the sweep");
        memcpy(ax->values[i], text, len);
    }
    return KPI_OK;
}

int kpi_sweep_lhs(const kpi_sweep *grid, const kpi_scenario *base, long n, uint64_t seed,
                  kpi_sweep **out, kpi_error *err)
{
    kpi_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    *out = NULL;
    if (grid->naxes < 1)
        return kpi_error_set(err, KPI_EDATA, "sweep",
                             "--lhs samples the ranges of the sweep: block: the file has none");
    if (n < 1 || n > KPI_MAX_SWEEP_POINTS || n > SWEEP_MAX_VALUES)
        return kpi_error_set(err, KPI_EUSAGE, "--lhs", "expected 1 to %d points, got %ld",
                             SWEEP_MAX_VALUES, n);
    double lo[KPI_MAX_SWEEP_AXES], hi[KPI_MAX_SWEEP_AXES];
    for (int a = 0; a < grid->naxes; a++) {
        int rc = axis_range(&grid->axis[a], &lo[a], &hi[a], err);
        if (rc != KPI_OK)
            return rc;
    }
    kpi_sweep *s = calloc(1, sizeof *s);
    double *u = malloc((size_t)n * (size_t)grid->naxes * sizeof *u);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    kpi_scenario *sc = malloc(sizeof *sc);
    int rc = KPI_OK;
    if (!s || !u || !rng || !sc) {
        rc = kpi_error_oom(err, "while sampling the sweep");
        goto done;
    }
    s->naxes = grid->naxes;
    s->npoints = n;
    s->sample = 1;
    for (int a = 0; a < grid->naxes; a++)
        memcpy(s->axis[a].key, grid->axis[a].key, sizeof s->axis[a].key);
    gsl_rng_set(rng, (unsigned long)seed);
    rc = kpi_sens_design_lhs(u, (size_t)n, (size_t)grid->naxes, rng, err);
    for (int a = 0; a < s->naxes && rc == KPI_OK; a++)
        rc = sample_axis(s, a, u + a, lo[a], hi[a], err);
    for (long i = 0; i < n && rc == KPI_OK; i++)
        rc = kpi_sweep_point(s, base, i, sc, NULL, err);
done:
    free(u);
    free(sc);
    gsl_rng_free(rng);
    if (rc != KPI_OK) {
        kpi_sweep_free(s);
        return rc;
    }
    *out = s;
    return KPI_OK;
}
