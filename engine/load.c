/*
 * load.c - the scenario loader: node tree -> kpi_scenario.
 *
 * Pipeline: file bytes -> kpi_ytree (yamltree.c: YAML syntax and limits)
 * -> this module (the scenario schema of kpi_keys[], scenario.c) ->
 * kpi_scenario_check_keys (rules spanning keys).
 *
 * A load starts from kpi_scenario_defaults, applies the extends: chain from
 * the oldest ancestor down to the file itself, then any --set overrides,
 * and checks the cross-key rules last.  Every value set is remembered with
 * the place (file:line:col) it came from, so that a cross-key error is
 * reported where its key was last set, in whichever file or --set that
 * was.  All state lives in one `loader` per call: no globals.
 *
 * A sweep file (kpi_load_sweep, for sweep.c) loads the same way, except
 * that the top file's sweep: block goes to sweep.c, which also does the
 * cross-key checks, point by point.  Anywhere else sweep: is refused.
 */
#include "load.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"
#include "yamltree.h"

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

#define NEVENT_TYPES KPI_EVENT_NTYPES
#define EV(t) (1u << (t))
#define EV_ALL ((1u << NEVENT_TYPES) - 1)

const kpi_event_field kpi_event_fields[KPI_EVENT_NFIELDS] = {
    {"month", EV_ALL, 1, offsetof(kpi_event, month), 1, KPI_MAX_MONTHS,
     "a whole number month in [1, 600]"},
    {"days", EV(KPI_EVENT_CONTEST), 1, offsetof(kpi_event, days), 1, 31,
     "a whole number of working days in [1, 31]"},
    {"effort", EV(KPI_EVENT_CONTEST), 0, offsetof(kpi_event, effort), 0, 10,
     "an effort multiplier in [0, 10]"},
    {"slump", EV(KPI_EVENT_CONTEST), 0, offsetof(kpi_event, slump), 0, 10,
     "an effort multiplier in [0, 10]"},
    {"tier", EV(KPI_EVENT_SEMINAR), 0, offsetof(kpi_event, tier), 0, 10,
     "a premium multiplier in [0, 10]"},
    {"uplift", EV(KPI_EVENT_SEMINAR) | EV(KPI_EVENT_TRAINING), 0,
     offsetof(kpi_event, uplift), 0, 10, "a conversion multiplier in [0, 10]"},
    {"invited", EV(KPI_EVENT_SEMINAR) | EV(KPI_EVENT_THANK_YOU), 0,
     offsetof(kpi_event, invited), 0, 1, "a share of the client book in [0, 1]"},
    {"factor", EV(KPI_EVENT_RECRUITING_DRIVE), 0, offsetof(kpi_event, factor), 0, 100,
     "a recruits multiplier in [0, 100]"},
};

/* Top-level keys that are not in kpi_keys[]: the sections and the keys the
 * loader handles itself. */
static const char *const sections[] = {
    "team", "activity", "funnel", "clients", "premium", "economics",
    "assessment", "events", "extends", "sweep", NULL
};


/* ------------------------------------------------------------------ */
/* The loader                                                          */
/* ------------------------------------------------------------------ */

/* Where a value came from; file NULL means "never set" (a default). */
typedef kpi_place place;

typedef struct chain_link {
    dev_t dev;
    ino_t ino;
    int has_id;           /* 0 for text held in memory */
    const char *name;
} chain_link;

typedef struct kpi_loader {
    kpi_scenario *sc;              /* the scenario being built */
    kpi_error *err;
    size_t nkeys;
    place *key_place;              /* per kpi_keys[] entry */
    place ev_place[KPI_MAX_EVENTS];                     /* each entry */
    place ev_field_place[KPI_MAX_EVENTS][KPI_EVENT_NFIELDS];
    kpi_event ev_scratch[KPI_MAX_EVENTS];               /* a list being read */
    place ev_scratch_place[KPI_MAX_EVENTS];
    place ev_scratch_field[KPI_MAX_EVENTS][KPI_EVENT_NFIELDS];
    char **names;                  /* file names the places point into */
    size_t nnames, capnames;
    chain_link chain[KPI_MAX_EXTENDS];
    int chain_len;
    const char *file;              /* the source being read */
    int top_gave_name;
    place fallback;                /* blame when the blamed key was never set */
    const char *top_file;          /* the file (or text name) loaded, for check_all */
    const kpi_sweep_hooks *hooks;  /* a sweep file's load (kpi_load_sweep), or NULL */
    void *hooks_ud;
} loader;

static int fail_at(loader *ld, int status, place p, const char *key, const char *fmt, ...)
    PRINTF_LIKE(5, 6);

static int vfail_at(loader *ld, int status, place p, const char *key, const char *fmt,
                    va_list ap) PRINTF_LIKE(5, 0);

/* Fills the error record; returns status. */
static int vfail_at(loader *ld, int status, place p, const char *key, const char *fmt,
                    va_list ap)
{
    kpi_error *err = ld->err;
    memset(err, 0, sizeof *err);
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", p.file ? p.file : "");
    err->line = p.line;
    err->col = p.col;
    snprintf(err->key, sizeof err->key, "%s", key ? key : "");
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return status;
}

static int fail_at(loader *ld, int status, place p, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(ld, status, p, key, fmt, ap);
    va_end(ap);
    return rc;
}

static int out_of_memory(loader *ld)
{
    place p = {ld->file, 0, 0};
    return fail_at(ld, KPI_EINTERNAL, p, "", "out of memory while loading the scenario");
}

/* The place of a tree position in the source being read. */
static place slot_place(const loader *ld, kpi_yslot s)
{
    place p = {ld->file, s.line, s.col};
    return p;
}

/* Keeps a copy of name alive for as long as the loader, for places. */
static const char *keep_name(loader *ld, const char *name)
{
    size_t n = strlen(name) + 1;
    char *copy;
    if (ld->nnames == ld->capnames) {
        size_t ncap = ld->capnames ? 2 * ld->capnames : 8;
        char **nn = realloc(ld->names, ncap * sizeof *nn);
        if (!nn)
            return NULL;
        ld->names = nn;
        ld->capnames = ncap;
    }
    copy = malloc(n);
    if (!copy)
        return NULL;
    memcpy(copy, name, n);
    ld->names[ld->nnames++] = copy;
    return copy;
}

static void loader_free(loader *ld)
{
    if (!ld)
        return;
    for (size_t i = 0; i < ld->nnames; i++)
        free(ld->names[i]);
    free(ld->names);
    free(ld->key_place);
    free(ld->sc);
    free(ld);
}

/* A loader over a copy of start (defaults when NULL). */
static loader *loader_new(const kpi_scenario *start, kpi_error *err)
{
    loader *ld = calloc(1, sizeof *ld);
    if (!ld)
        goto fail;
    ld->err = err;
    ld->sc = malloc(sizeof *ld->sc);
    if (!ld->sc)
        goto fail;
    if (start)
        memcpy(ld->sc, start, sizeof *ld->sc);
    else
        kpi_scenario_defaults(ld->sc);
    while (kpi_keys[ld->nkeys].path)
        ld->nkeys++;
    ld->key_place = calloc(ld->nkeys, sizeof *ld->key_place);
    if (!ld->key_place)
        goto fail;
    return ld;

fail:
    loader_free(ld);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Describing what was found                                           */
/* ------------------------------------------------------------------ */

/* Copies at most 40 characters of text into buf for a message, with
 * control characters escaped and "..." when cut. */
static void show_text(const char *t, size_t len, char *buf, size_t size)
{
    size_t o = 0, chars = 0;
    if (size == 0)
        return;
    for (size_t i = 0; i < len && o + 8 < size; i++) {
        unsigned char c = (unsigned char)t[i];
        if ((c & 0xC0) != 0x80 && ++chars > 40) {
            snprintf(buf + o, size - o, "...");
            return;
        }
        if (c == '\n')
            o += (size_t)snprintf(buf + o, size - o, "\\n");
        else if (c == '\t')
            o += (size_t)snprintf(buf + o, size - o, "\\t");
        else if (c < 0x20 || c == 0x7F)
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", (unsigned)c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
}

/* "a mapping", "a list", "nothing (null)", "the boolean 'yes'", "1.3" or
 * "the text 'abc'": what a message says was found. */
static void describe(const kpi_ynode *n, char *buf, size_t size)
{
    char shown[200];
    if (n->kind == KPI_YMAPPING) {
        snprintf(buf, size, "a mapping");
        return;
    }
    if (n->kind == KPI_YSEQUENCE) {
        snprintf(buf, size, "a list");
        return;
    }
    show_text(n->text, n->len, shown, sizeof shown);
    switch (kpi_yscalar_kind(n)) {
    case KPI_YS_NULL:
        snprintf(buf, size, "nothing (null)");
        break;
    case KPI_YS_BOOL:
        snprintf(buf, size, "the boolean '%s'", shown);
        break;
    case KPI_YS_NUMBER:
    case KPI_YS_NONFINITE:
        snprintf(buf, size, "%s", shown);
        break;
    default:
        snprintf(buf, size, "the text '%s'", shown);
        break;
    }
}

/* "expected EXPECT, got WHAT-WAS-THERE" at the slot. */
static int fail_got(loader *ld, kpi_yslot s, const char *path, const char *expect)
{
    char got[256];
    const char *hint = "";
    kpi_ynum num;
    describe(s.node, got, sizeof got);
    if (s.node->kind == KPI_YSCALAR && !s.node->plain &&
        kpi_yscalar_kind(s.node) == KPI_YS_TEXT &&
        kpi_ynum_parse(s.node->text, s.node->len, &num) == KPI_YNUM_OK)
        hint = " (numbers are written without quotes)";
    return fail_at(ld, KPI_EDATA, slot_place(ld, s), path, "expected %s, got %s%s",
                   expect, got, hint);
}

/* ------------------------------------------------------------------ */
/* Did you mean                                                        */
/* ------------------------------------------------------------------ */

#define SUGGEST_MAX_LEN 64

/* Optimal string alignment distance (Levenshtein plus swaps of two
 * neighbours, the commonest typo).  Strings longer than SUGGEST_MAX_LEN
 * bytes are never close to anything: INT_MAX / 2.  (The check is here, not
 * only in the callers: a section and a leaf of 64 bytes each once made a
 * 129-byte path that overran the table; tests/regression/.) */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
        return INT_MAX / 2;
    int d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

/* Close enough to suggest: at most a third of the word's letters wrong. */
static int close_enough(int dist, const char *word)
{
    int limit = (int)strlen(word) / 3;
    return dist <= (limit < 1 ? 1 : limit);
}

/* The closest of the NULL-terminated words to word, or NULL. */
static const char *closest_word(const char *word, const char *const *words)
{
    const char *best = NULL;
    int bestd = INT_MAX;
    if (strlen(word) > SUGGEST_MAX_LEN)
        return NULL;
    for (; *words; words++) {
        if (strlen(*words) > SUGGEST_MAX_LEN)
            continue;
        int d = edit_distance(word, *words);
        if (d < bestd) {
            bestd = d;
            best = *words;
        }
    }
    return best && close_enough(bestd, word) ? best : NULL;
}

static const char *leaf_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* Whether path lies in section ("" = top level). */
static int in_section(const char *path, const char *section)
{
    size_t n = strlen(section);
    if (n == 0)
        return strchr(path, '.') == NULL;
    return strncmp(path, section, n) == 0 && path[n] == '.' && !strchr(path + n + 1, '.');
}

/* The known key closest to leaf written in section ("" = top level):
 * compares the full path with every key path and section name, and the
 * leaf with every key's leaf (so that calls_per_day at the top level finds
 * activity.calls_per_day).  Ties go to the same section.  NULL when
 * nothing is close. */
static const char *closest_key(const char *section, const char *leaf)
{
    char typed[SUGGEST_MAX_LEN * 2 + 2];
    const char *best = NULL;
    int bestd = INT_MAX, best_same = 0;
    if (strlen(leaf) > SUGGEST_MAX_LEN || strlen(section) > SUGGEST_MAX_LEN)
        return NULL;
    snprintf(typed, sizeof typed, "%s%s%s", section, *section ? "." : "", leaf);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0;; i++) {
            const char *cand = pass == 0 ? kpi_keys[i].path : sections[i];
            if (!cand)
                break;
            if (strlen(cand) > SUGGEST_MAX_LEN)
                continue;
            int d = edit_distance(typed, cand);
            int dl = edit_distance(leaf, leaf_of(cand));
            if (dl < d)
                d = dl;
            int same = pass == 0 ? in_section(cand, section) : *section == '\0';
            if (d < bestd || (d == bestd && same && !best_same)) {
                bestd = d;
                best = cand;
                best_same = same;
            }
        }
    }
    return best && close_enough(bestd, leaf) ? best : NULL;
}

/* The message for an unknown key leaf in section, at place at. */
static int fail_unknown_key(loader *ld, place at, const char *section, const char *leaf)
{
    char path[256], shown[200];
    const char *best;
    show_text(leaf, strlen(leaf), shown, sizeof shown);
    snprintf(path, sizeof path, "%s%s%s", section, *section ? "." : "", shown);
    if (strcmp(leaf, "<<") == 0)
        return fail_at(ld, KPI_EDATA, at, path,
                       "unknown key: YAML merge keys ('<<') are not supported; "
                       "use extends: to start from another scenario");
    if (kpi_key_find(leaf) && strchr(leaf, '.'))
        return fail_at(ld, KPI_EDATA, at, path,
                       "unknown key: write it nested, as '%s:' under '%.*s:'",
                       leaf_of(leaf), (int)(leaf_of(leaf) - leaf - 1), leaf);
    best = closest_key(section, leaf);
    if (best)
        return fail_at(ld, KPI_EDATA, at, path, "unknown key; did you mean '%s'?", best);
    return fail_at(ld, KPI_EDATA, at, path, "unknown key");
}

/* ------------------------------------------------------------------ */
/* Mapping keys                                                        */
/* ------------------------------------------------------------------ */

/* Checks the key of pair i of map: a scalar without NUL bytes that no
 * earlier pair repeats.  Returns its text, or NULL with the error set
 * (path_prefix names the mapping in messages). */
static const char *pair_key(loader *ld, const kpi_ynode *map, size_t i, const char *section)
{
    kpi_yslot key = map->pairs[i].key;
    const kpi_ynode *k = key.node;
    char path[256], shown[200];
    if (k->kind != KPI_YSCALAR) {
        char got[64];
        describe(k, got, sizeof got);
        fail_at(ld, KPI_EDATA, slot_place(ld, key), section,
                "expected a key name, got %s", got);
        return NULL;
    }
    show_text(k->text, k->len, shown, sizeof shown);
    snprintf(path, sizeof path, "%s%s%s", section, *section ? "." : "", shown);
    if (strlen(k->text) != k->len) {
        fail_at(ld, KPI_EDATA, slot_place(ld, key), path,
                "unknown key (it holds a NUL character)");
        return NULL;
    }
    for (size_t j = 0; j < i; j++) {
        const kpi_ynode *o = map->pairs[j].key.node;
        if (o->kind == KPI_YSCALAR && o->len == k->len && memcmp(o->text, k->text, k->len) == 0) {
            place first = slot_place(ld, map->pairs[j].key);
            fail_at(ld, KPI_EDATA, slot_place(ld, key), path,
                    "duplicate key (first given at %s:%d:%d)", first.file, first.line,
                    first.col);
            return NULL;
        }
    }
    return k->text;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

/* Reads a number (plain, or tagged !!int / !!float) into num. */
static int get_number(loader *ld, kpi_yslot s, const char *path, const char *expect,
                      kpi_ynum *num)
{
    const kpi_ynode *n = s.node;
    char shown[200];
    if (n->kind != KPI_YSCALAR)
        return fail_got(ld, s, path, expect);
    show_text(n->text, n->len, shown, sizeof shown);
    switch (kpi_yscalar_kind(n)) {
    case KPI_YS_NONFINITE:
        return fail_at(ld, KPI_EDATA, slot_place(ld, s), path,
                       "expected a finite number, got %s", shown);
    case KPI_YS_NUMBER:
        switch (kpi_ynum_parse(n->text, n->len, num)) {
        case KPI_YNUM_OK:
            return KPI_OK;
        case KPI_YNUM_OCTAL:
            return fail_at(ld, KPI_EDATA, slot_place(ld, s), path,
                           "expected %s, got %s (a number with a leading 0 is octal to "
                           "YAML 1.1: write it without the 0)", expect, shown);
        case KPI_YNUM_NONFINITE:
            return fail_at(ld, KPI_EDATA, slot_place(ld, s), path,
                           "expected a finite number, got %s", shown);
        default:
            break;
        }
        return fail_at(ld, KPI_EDATA, slot_place(ld, s), path, "expected %s, got '%s'",
                       expect, shown);
    default:
        return fail_got(ld, s, path, expect);
    }
}

/* Reads a number in [lo, hi]. */
static int get_real(loader *ld, kpi_yslot s, const char *path, const char *expect,
                    double lo, double hi, double *out)
{
    kpi_ynum num;
    int rc = get_number(ld, s, path, expect, &num);
    if (rc != KPI_OK)
        return rc;
    if (!(num.value >= lo && num.value <= hi))
        return fail_got(ld, s, path, expect);
    *out = num.value;
    return KPI_OK;
}

/* The whole number num holds, in [lo, hi]: 12.0 and 1e3 are whole, 12.5
 * is not.  Returns 0, or -1 when it is not such a number. */
static int whole_of(const kpi_ynum *num, long long lo, long long hi, long long *out)
{
    long long v;
    if (num->is_int) {
        if (num->int_overflow || num->mag > (uint64_t)LLONG_MAX)
            return -1;
        v = num->negative ? -(long long)num->mag : (long long)num->mag;
    } else {
        if (num->value != floor(num->value) || fabs(num->value) >= 9.2e18)
            return -1;
        v = (long long)num->value;
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The whole number in [0, 2^64 - 1] num holds; 0, or -1 when none. */
static int u64_of(const kpi_ynum *num, uint64_t *out)
{
    if (num->is_int) {
        if (num->int_overflow || (num->negative && num->mag != 0))
            return -1;
        *out = num->mag;
        return 0;
    }
    if (num->value != floor(num->value) || num->value < 0 ||
        num->value >= 18446744073709551616.0)
        return -1;
    *out = (uint64_t)num->value;
    return 0;
}

/* Reads a whole number in [lo, hi]. */
static int get_whole(loader *ld, kpi_yslot s, const char *path, const char *expect,
                     long long lo, long long hi, long long *out)
{
    kpi_ynum num;
    int rc = get_number(ld, s, path, expect, &num);
    if (rc != KPI_OK)
        return rc;
    if (whole_of(&num, lo, hi, out) != 0)
        return fail_got(ld, s, path, expect);
    return KPI_OK;
}

/* Reads a whole number in [0, 2^64 - 1]. */
static int get_u64(loader *ld, kpi_yslot s, const char *path, const char *expect,
                   uint64_t *out)
{
    kpi_ynum num;
    int rc = get_number(ld, s, path, expect, &num);
    if (rc != KPI_OK)
        return rc;
    if (u64_of(&num, out) != 0)
        return fail_got(ld, s, path, expect);
    return KPI_OK;
}

/* Reads any scalar as text into dst (size bytes, zero-filled first so
 * that equal scenarios compare equal byte for byte).  Never truncates. */
static int get_text(loader *ld, kpi_yslot s, const kpi_key *k, char *dst, size_t size)
{
    const kpi_ynode *n = s.node;
    if (n->kind != KPI_YSCALAR || kpi_yscalar_kind(n) == KPI_YS_NULL)
        return fail_got(ld, s, k->path, k->expect);
    if (strlen(n->text) != n->len)
        return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                       "expected %s, got a text holding a NUL character (\\0)", k->expect);
    if (n->len >= size)
        return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                       "expected %s of at most %zu bytes, got %zu bytes", k->expect,
                       size - 1, n->len);
    if (k->type == KPI_KT_NAME) {
        size_t dots = 0;
        char shown[200];
        show_text(n->text, n->len, shown, sizeof shown);
        for (size_t i = 0; i < n->len; i++) {
            char c = n->text[i];
            int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok)
                return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                               "expected %s, got '%s'", k->expect, shown);
            dots += c == '.';
        }
        /* "." and ".." would name the run directory's parent. */
        if (n->len == 0 || dots == n->len)
            return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                           "expected %s (not only dots), got '%s'", k->expect, shown);
    }
    memset(dst, 0, size);
    memcpy(dst, n->text, n->len);
    return KPI_OK;
}

/* Splits "a:b:c:d" into four numbers.  Returns 0, or -1 if it is not. */
static int split_funnel(const char *t, size_t len, double st[4])
{
    size_t start = 0;
    int part = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && t[i] != ':')
            continue;
        if (part == 4)
            return -1;
        size_t a = start, b = i;
        while (a < b && t[a] == ' ')
            a++;
        while (b > a && t[b - 1] == ' ')
            b--;
        kpi_ynum num;
        if (kpi_ynum_parse(t + a, b - a, &num) != KPI_YNUM_OK)
            return -1;
        st[part++] = num.value;
        start = i + 1;
    }
    return part == 4 ? 0 : -1;
}

/* A funnel: "40:30:10:1" or [40, 30, 10, 1].  Growing stages are caught
 * by kpi_scenario_check_keys, at this value's place. */
static int get_funnel(loader *ld, kpi_yslot s, const kpi_key *k, kpi_funnel *out)
{
    const kpi_ynode *n = s.node;
    double st[4];
    if (n->kind == KPI_YSCALAR) {
        int kind = kpi_yscalar_kind(n);
        if (kind == KPI_YS_NULL || kind == KPI_YS_BOOL ||
            split_funnel(n->text, n->len, st) != 0)
            return fail_got(ld, s, k->path, k->expect);
    } else if (n->kind == KPI_YSEQUENCE) {
        if (n->nitems != 4)
            return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                           "expected %s, got a list of %zu values", k->expect, n->nitems);
        for (int i = 0; i < 4; i++) {
            kpi_ynum num;
            int rc = get_number(ld, n->items[i], k->path, k->expect, &num);
            if (rc != KPI_OK)
                return rc;
            st[i] = num.value;
        }
    } else {
        return fail_got(ld, s, k->path, k->expect);
    }
    for (int i = 0; i < 4; i++)
        if (st[i] < 0)
            return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                           "expected a funnel of stages that are not negative, got %g:%g:%g:%g",
                           st[0], st[1], st[2], st[3]);
    memcpy(out->stage, st, sizeof st);
    return KPI_OK;
}

/* A grade mapping {A: x, ..., N: x}; grades left out keep their value. */
static int get_grades(loader *ld, kpi_yslot s, const kpi_key *k, double g[6])
{
    const kpi_ynode *n = s.node;
    double tmp[6];
    if (n->kind != KPI_YMAPPING)
        return fail_got(ld, s, k->path, k->expect);
    memcpy(tmp, g, sizeof tmp);
    for (size_t i = 0; i < n->npairs; i++) {
        const char *letter = pair_key(ld, n, i, k->path);
        const char *at;
        char path[300], expect[64];
        if (!letter)
            return ld->err->status;
        at = letter[0] ? strchr(KPI_GRADES, letter[0]) : NULL;
        snprintf(path, sizeof path, "%s.%.60s", k->path, letter);
        if (!at || letter[1] != '\0') {
            const char *upper = NULL;
            if (letter[0] && !letter[1] && letter[0] >= 'a' && letter[0] <= 'z')
                upper = strchr(KPI_GRADES, letter[0] - 'a' + 'A');
            if (upper)
                return fail_at(ld, KPI_EDATA, slot_place(ld, n->pairs[i].key), path,
                               "unknown grade; did you mean '%c'?", *upper);
            return fail_at(ld, KPI_EDATA, slot_place(ld, n->pairs[i].key), path,
                           "unknown grade: expected one of A, B, C, D, E, N");
        }
        snprintf(expect, sizeof expect, "a number in [%g, %g]", k->min, k->max);
        int rc = get_real(ld, n->pairs[i].value, path, expect, k->min, k->max,
                          &tmp[at - KPI_GRADES]);
        if (rc != KPI_OK)
            return rc;
    }
    memcpy(g, tmp, sizeof tmp);
    return KPI_OK;
}

static int get_orphan(loader *ld, kpi_yslot s, const kpi_key *k, int *out)
{
    static const char *const words[] = {"reassign", "lose", NULL};
    const kpi_ynode *n = s.node;
    if (n->kind == KPI_YSCALAR && strlen(n->text) == n->len) {
        if (strcmp(n->text, "reassign") == 0) {
            *out = KPI_ORPHAN_REASSIGN;
            return KPI_OK;
        }
        if (strcmp(n->text, "lose") == 0) {
            *out = KPI_ORPHAN_LOSE;
            return KPI_OK;
        }
        const char *best = kpi_yscalar_kind(n) == KPI_YS_NULL ? NULL
                           : closest_word(n->text, words);
        if (best) {
            char got[256];
            describe(n, got, sizeof got);
            return fail_at(ld, KPI_EDATA, slot_place(ld, s), k->path,
                           "expected %s, got %s; did you mean '%s'?", k->expect, got, best);
        }
    }
    return fail_got(ld, s, k->path, k->expect);
}

/* What setting the key k implies for other keys.  focus and repeat_share
 * are two ways to say one thing: the last one given wins.  When
 * repeat_share is given the engine searches the focus itself, so focus
 * goes back to its default, which keeps a written and reloaded scenario
 * identical (emit.c writes only one).  An assessment key switches
 * assessment on. */
static void after_set(kpi_scenario *sc, const kpi_key *k)
{
    if (strcmp(k->path, "clients.focus") == 0) {
        sc->clients.repeat_share = -1;
    } else if (strcmp(k->path, "clients.repeat_share") == 0) {
        kpi_scenario d;
        kpi_scenario_defaults(&d);
        sc->clients.focus = d.clients.focus;
    }
    if (strncmp(k->path, "assessment.", 11) == 0)
        sc->assessment.enabled = 1;
}

/* Sets the key k from the value at s and remembers where. */
static int apply_key(loader *ld, const kpi_key *k, kpi_yslot s)
{
    char *field = (char *)ld->sc + k->offset;
    int rc;
    long long whole = 0;
    double real = 0;
    switch (k->type) {
    case KPI_KT_TEXT:
    case KPI_KT_NAME:
        rc = get_text(ld, s, k, field, k->size);
        break;
    case KPI_KT_INT:
    case KPI_KT_LONG:
        rc = get_whole(ld, s, k->path, k->expect, (long long)k->min, (long long)k->max, &whole);
        if (rc == KPI_OK && k->type == KPI_KT_INT) {
            int v = (int)whole;
            memcpy(field, &v, sizeof v);
        } else if (rc == KPI_OK) {
            long v = (long)whole;
            memcpy(field, &v, sizeof v);
        }
        break;
    case KPI_KT_U64: {
        uint64_t v = 0;
        rc = get_u64(ld, s, k->path, k->expect, &v);
        if (rc == KPI_OK)
            memcpy(field, &v, sizeof v);
        break;
    }
    case KPI_KT_REAL:
    case KPI_KT_OPTREAL:
        rc = get_real(ld, s, k->path, k->expect, k->min, k->max, &real);
        if (rc == KPI_OK)
            memcpy(field, &real, sizeof real);
        break;
    case KPI_KT_FUNNEL:
        rc = get_funnel(ld, s, k, (kpi_funnel *)(void *)field);
        break;
    case KPI_KT_GRADES:
        rc = get_grades(ld, s, k, (double *)(void *)field);
        break;
    case KPI_KT_ORPHAN: {
        int v = 0;
        rc = get_orphan(ld, s, k, &v);
        if (rc == KPI_OK)
            memcpy(field, &v, sizeof v);
        break;
    }
    default:
        rc = fail_at(ld, KPI_EINTERNAL, slot_place(ld, s), k->path,
                     "internal error: key type %d unknown to the loader", k->type);
        break;
    }
    if (rc != KPI_OK)
        return rc;
    ld->key_place[k - kpi_keys] = slot_place(ld, s);
    after_set(ld->sc, k);
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Sections, assessment, events                                        */
/* ------------------------------------------------------------------ */

/* Applies the keys of a section mapping (team:, activity:, ...). */
static int apply_section(loader *ld, const char *section, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    char path[300];
    size_t focus_at = SIZE_MAX, share_at = SIZE_MAX;
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL)
        return KPI_OK;      /* every key commented out: nothing to change */
    if (n->kind != KPI_YMAPPING) {
        char expect[128];
        snprintf(expect, sizeof expect, "a mapping of %s keys", section);
        return fail_got(ld, s, section, expect);
    }
    for (size_t i = 0; i < n->npairs; i++) {
        const char *leaf = pair_key(ld, n, i, section);
        const kpi_key *k;
        if (!leaf)
            return ld->err->status;
        snprintf(path, sizeof path, "%s.%s", section, leaf);
        k = strlen(leaf) < 200 ? kpi_key_find(path) : NULL;
        if (!k)
            return fail_unknown_key(ld, slot_place(ld, n->pairs[i].key), section, leaf);
        if (strcmp(path, "clients.focus") == 0)
            focus_at = i;
        if (strcmp(path, "clients.repeat_share") == 0)
            share_at = i;
        if (focus_at != SIZE_MAX && share_at != SIZE_MAX) {
            size_t first = focus_at < share_at ? focus_at : share_at;
            place p = slot_place(ld, n->pairs[first].key);
            return fail_at(ld, KPI_EDATA, slot_place(ld, n->pairs[i].key), path,
                           "give clients.focus or clients.repeat_share, not both "
                           "(%s given at %s:%d:%d)",
                           first == focus_at ? "clients.focus" : "clients.repeat_share",
                           p.file, p.line, p.col);
        }
        int rc = apply_key(ld, k, n->pairs[i].value);
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* assessment: a mapping (even {}) switches assessment on and sets its
 * keys; nothing (assessment: or assessment: ~) switches it off and puts
 * its keys back to their defaults, so that an emitted scenario, which
 * leaves the section out, reads back identical. */
static int apply_assessment(loader *ld, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL) {
        kpi_scenario d;
        kpi_scenario_defaults(&d);
        ld->sc->assessment = d.assessment;
        ld->sc->assessment.enabled = 0;
        for (size_t i = 0; i < ld->nkeys; i++)
            if (strncmp(kpi_keys[i].path, "assessment.", 11) == 0)
                ld->key_place[i].file = NULL;
        return KPI_OK;
    }
    if (n->kind != KPI_YMAPPING)
        return fail_got(ld, s, "assessment",
                        "a mapping of assessment keys (or nothing, to switch assessment off)");
    ld->sc->assessment.enabled = 1;
    return apply_section(ld, "assessment", s);
}

static int event_field_find(const char *name)
{
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
        if (strcmp(kpi_event_fields[f].name, name) == 0)
            return f;
    return -1;
}

/* The event type names, NULL-terminated, from scenario.c. */
static void event_type_names(const char *names[NEVENT_TYPES + 1])
{
    for (int t = 0; t < NEVENT_TYPES; t++)
        names[t] = kpi_event_type_name(t);
    names[NEVENT_TYPES] = NULL;
}

/* "contest, seminar, ... or training", for messages. */
static void event_type_list(char *buf, size_t size)
{
    const char *names[NEVENT_TYPES + 1];
    size_t used = 0;
    event_type_names(names);
    buf[0] = '\0';
    for (int t = 0; t < NEVENT_TYPES && used < size; t++) {
        const char *sep = t == 0 ? "" : t == NEVENT_TYPES - 1 ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, names[t] ? names[t] : "?");
        if (w > 0)
            used += (size_t)w;
    }
}

/* The event type named at s, or -1 with the error set. */
static int event_type(loader *ld, kpi_yslot s, const char *path)
{
    const char *names[NEVENT_TYPES + 1];
    const kpi_ynode *n = s.node;
    char got[256], types[128];
    event_type_names(names);
    event_type_list(types, sizeof types);
    if (n->kind == KPI_YSCALAR && strlen(n->text) == n->len &&
        kpi_yscalar_kind(n) != KPI_YS_NULL) {
        int t = kpi_event_type_find(n->text);
        if (t >= 0)
            return t;
        const char *best = closest_word(n->text, names);
        if (best) {
            describe(n, got, sizeof got);
            fail_at(ld, KPI_EDATA, slot_place(ld, s), path,
                    "expected %s, got %s; did you mean '%s'?", types, got, best);
            return -1;
        }
    }
    fail_got(ld, s, path, types);
    return -1;
}

/* Reads events entry i (a mapping) into the scratch list. */
static int read_event(loader *ld, size_t i, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    kpi_event *ev = &ld->ev_scratch[i];
    char prefix[32], path[300];
    size_t type_at = SIZE_MAX, month_at = SIZE_MAX;
    int type;
    snprintf(prefix, sizeof prefix, "events[%zu]", i);
    if (n->kind != KPI_YMAPPING)
        return fail_got(ld, s, prefix, "an event such as {type: contest, month: 4}");
    /* First the keys: known names, no duplicates, and where type is. */
    for (size_t p = 0; p < n->npairs; p++) {
        const char *name = pair_key(ld, n, p, prefix);
        if (!name)
            return ld->err->status;
        if (strcmp(name, "type") == 0) {
            type_at = p;
        } else if (event_field_find(name) < 0) {
            const char *names[KPI_EVENT_NFIELDS + 2] = {"type"};
            for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
                names[f + 1] = kpi_event_fields[f].name;
            names[KPI_EVENT_NFIELDS + 1] = NULL;
            const char *best = closest_word(name, names);
            char shown[200];
            show_text(name, strlen(name), shown, sizeof shown);
            snprintf(path, sizeof path, "%s.%s", prefix, shown);
            if (best)
                return fail_at(ld, KPI_EDATA, slot_place(ld, n->pairs[p].key), path,
                               "unknown key; did you mean '%s'?", best);
            return fail_at(ld, KPI_EDATA, slot_place(ld, n->pairs[p].key), path,
                           "unknown key");
        } else if (strcmp(name, "month") == 0) {
            month_at = p;
        }
    }
    snprintf(path, sizeof path, "%s.type", prefix);
    if (type_at == SIZE_MAX) {
        char types[128];
        event_type_list(types, sizeof types);
        return fail_at(ld, KPI_EDATA, slot_place(ld, s), path,
                       "expected the event's type (%s), got none", types);
    }
    type = event_type(ld, n->pairs[type_at].value, path);
    if (type < 0)
        return ld->err->status;
    if (month_at == SIZE_MAX) {
        snprintf(path, sizeof path, "%s.month", prefix);
        return fail_at(ld, KPI_EDATA, slot_place(ld, s), path,
                       "expected the event's month (%s), got none",
                       kpi_event_fields[0].expect);
    }
    kpi_event_defaults(ev, type);
    ld->ev_scratch_place[i] = slot_place(ld, s);
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
        ld->ev_scratch_field[i][f].file = NULL;
    /* Then the values. */
    for (size_t p = 0; p < n->npairs; p++) {
        if (p == type_at)
            continue;
        const char *name = n->pairs[p].key.node->text;
        int f = event_field_find(name);
        const kpi_event_field *fd = &kpi_event_fields[f];
        kpi_yslot v = n->pairs[p].value;
        int rc;
        snprintf(path, sizeof path, "%s.%s", prefix, name);
        if (!(fd->types & EV(type))) {
            char takes[128] = "";
            for (int g = 1; g < KPI_EVENT_NFIELDS; g++) {
                if (kpi_event_fields[g].types & EV(type)) {
                    size_t used = strlen(takes);
                    snprintf(takes + used, sizeof takes - used, ", %s",
                             kpi_event_fields[g].name);
                }
            }
            return fail_at(ld, KPI_EDATA, slot_place(ld, n->pairs[p].key), path,
                           "a %s event has no '%s' (it takes month%s)",
                           kpi_event_type_name(type), name, takes);
        }
        if (fd->whole) {
            long long w = 0;
            rc = get_whole(ld, v, path, fd->expect, (long long)fd->min, (long long)fd->max, &w);
            if (rc == KPI_OK) {
                int iv = (int)w;
                memcpy((char *)ev + fd->offset, &iv, sizeof iv);
            }
        } else {
            double d = 0;
            rc = get_real(ld, v, path, fd->expect, fd->min, fd->max, &d);
            if (rc == KPI_OK)
                memcpy((char *)ev + fd->offset, &d, sizeof d);
        }
        if (rc != KPI_OK)
            return rc;
        ld->ev_scratch_field[i][f] = slot_place(ld, v);
    }
    return KPI_OK;
}

/* events: a list that replaces the current one (nothing = no events). */
static int apply_events(loader *ld, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    size_t count = 0;
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL) {
        count = 0;
    } else if (n->kind != KPI_YSEQUENCE) {
        return fail_got(ld, s, "events", "a list of events (lines starting with '- ')");
    } else {
        count = n->nitems;
        if (count > KPI_MAX_EVENTS)
            return fail_at(ld, KPI_EDATA, slot_place(ld, n->items[KPI_MAX_EVENTS]), "events",
                           "expected at most %d events, got %zu", KPI_MAX_EVENTS, count);
        for (size_t i = 0; i < count; i++) {
            int rc = read_event(ld, i, n->items[i]);
            if (rc != KPI_OK)
                return rc;
        }
    }
    /* Unused entries stay all-zero so that scenarios compare with memcmp. */
    memset(ld->sc->events, 0, sizeof ld->sc->events);
    memcpy(ld->sc->events, ld->ev_scratch, count * sizeof *ld->ev_scratch);
    ld->sc->nevents = (int)count;
    memset(ld->ev_place, 0, sizeof ld->ev_place);
    memset(ld->ev_field_place, 0, sizeof ld->ev_field_place);
    memcpy(ld->ev_place, ld->ev_scratch_place, count * sizeof *ld->ev_place);
    memcpy(ld->ev_field_place, ld->ev_scratch_field, count * sizeof *ld->ev_field_place);
    return KPI_OK;
}

/* Applies one top-level key whose name was checked. */
static int apply_top_key(loader *ld, const char *name, kpi_yslot key, kpi_yslot value)
{
    const kpi_key *k;
    if (strcmp(name, "extends") == 0)
        return KPI_OK;                  /* followed before anything else */
    if (strcmp(name, "events") == 0)
        return apply_events(ld, value);
    if (strcmp(name, "assessment") == 0)
        return apply_assessment(ld, value);
    k = kpi_key_find(name);
    if (k && !strchr(name, '.'))
        return apply_key(ld, k, value);
    for (size_t i = 0; sections[i]; i++)
        if (strcmp(sections[i], name) == 0)
            return apply_section(ld, name, value);
    return fail_unknown_key(ld, slot_place(ld, key), "", name);
}

/* Whether name may stand at the top level of a scenario. */
static int top_level_known(const char *name)
{
    const kpi_key *k = kpi_key_find(name);
    if (k && !strchr(name, '.'))
        return 1;
    for (size_t i = 0; sections[i]; i++)
        if (strcmp(sections[i], name) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Files and the extends: chain                                        */
/* ------------------------------------------------------------------ */

/* Reads the whole file f, at most KPI_YAML_MAX_BYTES + 1 bytes (one more
 * than allowed, so that yamltree reports the size).  Returns 0 or an errno
 * value. */
static int read_all(FILE *f, char **out, size_t *len)
{
    const size_t limit = (size_t)KPI_YAML_MAX_BYTES + 1;
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return ENOMEM;
    while (n < limit) {
        if (n == cap) {
            size_t ncap = 2 * cap < limit ? 2 * cap : limit;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - n;
        errno = 0;
        size_t got = fread(buf + n, 1, want, f);
        n += got;
        if (got < want) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                return e;
            }
            break;
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

static int apply_text(loader *ld, const char *data, size_t len, const char *name,
                      const char *dir, int depth);

/* The path of parent relative to the directory dir of the child ("" =
 * the current directory): "dir/parent", or parent itself when absolute.
 * Returns a malloc'd string or NULL. */
static char *resolve_path(const char *dir, const char *parent)
{
    size_t ld = strlen(dir), lp = strlen(parent);
    char *p = malloc(ld + lp + 2);
    if (!p)
        return NULL;
    if (parent[0] == '/' || ld == 0)
        memcpy(p, parent, lp + 1);
    else {
        memcpy(p, dir, ld);
        p[ld] = '/';
        memcpy(p + ld + 1, parent, lp + 1);
    }
    return p;
}

/* The directory part of path ("" when none), malloc'd, or NULL. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    char *d;
    if (slash && n == 0)
        n = 1;                          /* "/x.yaml": the root */
    d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

/* Reports that path cannot be opened or read (verb), errno e: at the
 * extends: value that named it, or for the file the user gave (from.file
 * NULL) at the file itself.  Out of memory (fopen and stdio allocate) is
 * not a missing input: that is KPI_EINTERNAL, as anywhere else. */
static int fail_input(loader *ld, place from, const char *path, const char *verb, int e)
{
    char reason[256];
    int status = e == ENOMEM ? KPI_EINTERNAL : KPI_ENOINPUT;
    if (strerror_r(e, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", e);
    if (from.file)
        return fail_at(ld, status, from, "extends", "cannot %s '%s': %s", verb, path, reason);
    place p = {path, 0, 0};
    return fail_at(ld, status, p, "", "cannot %s the scenario: %s", verb, reason);
}

/* Opens the file an extends: value names, for reading.  It must be a
 * regular file: a FIFO or a device (extends: /dev/tty) would block the
 * load, or feed it without end.  Opened without blocking, so that a FIFO
 * is refused rather than waited on; reads block again once it is known
 * to be a file.  Returns the stream, or NULL with *rc set and the error
 * reported at from. */
static FILE *open_parent(loader *ld, place from, const char *path, int *rc)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *f;
    if (fd < 0) {
        *rc = fail_input(ld, from, path, "open", errno);
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        *rc = fail_input(ld, from, path, "read", e);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        *rc = fail_at(ld, KPI_ENOINPUT, from, "extends", "cannot read '%s': not a regular file",
                      path);
        return NULL;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "rb"))) {
        *rc = fail_input(ld, from, path, "open", errno);
        close(fd);
        return NULL;
    }
    return f;
}

/* Loads the file path over the scenario.  from is the place of the
 * extends: value that named it (file NULL for the file the user gave);
 * errors opening it are reported there. */
static int apply_file(loader *ld, const char *path, place from, int depth)
{
    FILE *f = NULL;
    char *data = NULL, *dir = NULL;
    size_t len = 0;
    struct stat st;
    int rc, e, has_id;
    const char *name = keep_name(ld, path);

    if (!name) {
        rc = out_of_memory(ld);
        goto fail;
    }
    f = from.file ? open_parent(ld, from, name, &rc) : fopen(path, "rb");
    if (!f) {
        if (!from.file)
            rc = fail_input(ld, from, name, "open", errno);
        goto fail;
    }
    /* A cycle is the same file met twice, however its path is spelled. */
    has_id = fstat(fileno(f), &st) == 0;
    for (int i = 0; has_id && i < ld->chain_len; i++) {
        if (ld->chain[i].has_id && ld->chain[i].dev == st.st_dev &&
            ld->chain[i].ino == st.st_ino) {
            char cycle[900] = "";
            for (int j = i; j < ld->chain_len; j++) {
                size_t used = strlen(cycle);
                snprintf(cycle + used, sizeof cycle - used, "%s -> ", ld->chain[j].name);
            }
            size_t used = strlen(cycle);
            snprintf(cycle + used, sizeof cycle - used, "%s", path);
            rc = fail_at(ld, KPI_EDATA, from, "extends", "extends cycle: %s", cycle);
            goto fail;
        }
    }
    e = read_all(f, &data, &len);
    if (e != 0) {
        rc = fail_input(ld, from, name, "read", e);
        goto fail;
    }
    fclose(f);
    f = NULL;
    dir = dir_of(path);
    if (!dir) {
        rc = out_of_memory(ld);
        goto fail;
    }
    ld->chain[depth].has_id = has_id;
    ld->chain[depth].dev = has_id ? st.st_dev : 0;
    ld->chain[depth].ino = has_id ? st.st_ino : 0;
    ld->chain[depth].name = name;
    ld->chain_len = depth + 1;
    rc = apply_text(ld, data, len, name, dir, depth);
    ld->chain_len = depth;

fail:
    if (f)
        fclose(f);
    free(data);
    free(dir);
    return rc;
}

/* Loads scenario text (the file name, dir the directory its extends:
 * paths are relative to) at the given depth of the chain. */
static int apply_text(loader *ld, const char *data, size_t len, const char *name,
                      const char *dir, int depth)
{
    kpi_ytree *tree = NULL;
    const kpi_ynode *root;
    size_t extends_at = SIZE_MAX;
    int rc;
    const char *saved_file = ld->file;

    ld->file = name;
    rc = kpi_ytree_parse(data, len, name, KPI_YTREE_SCENARIO, 0, &tree, ld->err);
    if (rc != KPI_OK)
        goto fail;
    root = tree->root.node;
    /* Every top-level key is checked before a parent is read, so that a
     * typo here is reported first. */
    for (size_t i = 0; i < root->npairs; i++) {
        const char *key = pair_key(ld, root, i, "");
        if (!key) {
            rc = ld->err->status;
            goto fail;
        }
        if (!top_level_known(key)) {
            rc = fail_unknown_key(ld, slot_place(ld, root->pairs[i].key), "", key);
            goto fail;
        }
        if (strcmp(key, "extends") == 0)
            extends_at = i;
        /* sweep: is read only from the file given to kpisim sweep: a
         * parent's grid would be silently combined with the child's, and
         * kpisim run would run a single point of a grid. */
        if (strcmp(key, "sweep") == 0 && (depth > 0 || !ld->hooks)) {
            rc = fail_at(ld, KPI_EDATA, slot_place(ld, root->pairs[i].key), "sweep", "%s",
                         depth > 0 ? "belongs in the file given to kpisim sweep"
                                   : "this is a sweep file: run it with 'kpisim sweep'");
            goto fail;
        }
    }
    if (extends_at != SIZE_MAX) {
        kpi_yslot v = root->pairs[extends_at].value;
        const kpi_ynode *n = v.node;
        place from = slot_place(ld, v);
        char *parent;
        if (n->kind != KPI_YSCALAR || kpi_yscalar_kind(n) == KPI_YS_NULL ||
            n->len == 0 || strlen(n->text) != n->len) {
            rc = fail_got(ld, v, "extends", "the path of another scenario file");
            goto fail;
        }
        if (depth + 1 >= KPI_MAX_EXTENDS) {
            rc = fail_at(ld, KPI_EDATA, from, "extends",
                         "extends chain too long: at most %d files may extend one another",
                         KPI_MAX_EXTENDS);
            goto fail;
        }
        parent = resolve_path(dir, n->text);
        if (!parent) {
            rc = out_of_memory(ld);
            goto fail;
        }
        rc = apply_file(ld, parent, from, depth + 1);
        free(parent);
        if (rc != KPI_OK)
            goto fail;
    }
    for (size_t i = 0; i < root->npairs; i++) {
        const char *key = root->pairs[i].key.node->text;
        if (depth == 0 && strcmp(key, "name") == 0)
            ld->top_gave_name = 1;
        if (strcmp(key, "sweep") == 0)      /* depth 0 of a sweep load: checked above */
            rc = ld->hooks->block(ld->hooks_ud, ld, root->pairs[i].key, root->pairs[i].value);
        else
            rc = apply_top_key(ld, key, root->pairs[i].key, root->pairs[i].value);
        if (rc != KPI_OK)
            goto fail;
    }

fail:
    kpi_ytree_free(tree);
    ld->file = saved_file;
    return rc;
}

/* The name a scenario gets from its file name: the base name without
 * .yaml / .yml, with characters a name may not hold made '_'. */
static void name_from_path(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    size_t n, dots = 0;
    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
        n -= 4;
    if (n >= size)
        n = size - 1;
    memset(name, 0, size);
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        name[i] = ok ? c : '_';
        dots += c == '.';
    }
    if (n == 0 || dots == n) {
        memset(name, 0, size);
        snprintf(name, size, "default");
    }
}

/* ------------------------------------------------------------------ */
/* --set                                                               */
/* ------------------------------------------------------------------ */

/* For "clients.grade_mix.A": the grades key and the grade's index;
 * NULL for any other path. */
static const kpi_key *grade_path(const char *path, int *grade)
{
    const char *dot = strrchr(path, '.');
    char head[256];
    const kpi_key *k;
    if (!dot || strlen(dot + 1) != 1 || !strchr(KPI_GRADES, dot[1]))
        return NULL;
    snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
    k = kpi_key_find(head);
    if (!k || k->type != KPI_KT_GRADES)
        return NULL;
    *grade = (int)(strchr(KPI_GRADES, dot[1]) - KPI_GRADES);
    return k;
}

/* Applies "KEY=VALUE".  VALUE is read as YAML, so lists, mappings and
 * funnels are written as in a file.  Places are "--set", line 1, the
 * column counted from the start of KEY. */
static int apply_assignment(loader *ld, const char *text)
{
    const char *eq = strchr(text, '=');
    kpi_ytree *tree = NULL;
    char key[256];
    place at_key = {"--set", 1, 1};
    const kpi_key *k;
    int rc, grade;
    size_t klen;

    ld->file = "--set";
    if (strncmp(text, "events[", 7) == 0)
        return fail_at(ld, KPI_EDATA, at_key, "events",
                       "one event cannot be set alone; give the whole list, as in "
                       "events=[{type: contest, month: 4}]");
    if (!eq || eq == text) {
        char shown[200];
        show_text(text, strlen(text), shown, sizeof shown);
        return fail_at(ld, KPI_EDATA, at_key, "", "expected KEY=VALUE, got '%s'", shown);
    }
    klen = (size_t)(eq - text);
    if (klen >= sizeof key)
        return fail_at(ld, KPI_EDATA, at_key, "", "unknown key (%zu characters long)", klen);
    memcpy(key, text, klen);
    key[klen] = '\0';
    if (strcmp(key, "extends") == 0)
        return fail_at(ld, KPI_EDATA, at_key, "extends",
                       "extends cannot be changed with --set; load the other file instead");
    if (strcmp(key, "sweep") == 0)
        return fail_at(ld, KPI_EDATA, at_key, "sweep",
                       "sweep cannot be given with --set; write it in the sweep file");
    rc = kpi_ytree_parse(eq + 1, strlen(eq + 1), "--set", KPI_YTREE_VALUE, (int)klen + 1,
                         &tree, ld->err);
    if (rc != KPI_OK) {
        /* libyaml places "the text ended too early" on the line after
         * the last; a one-line assignment has no such line: point just
         * past its end instead. */
        if (ld->err->line > 1 && !strchr(text, '\n')) {
            int chars = 0;
            for (const char *c = text; *c; c++)
                chars += ((unsigned char)*c & 0xC0) != 0x80;
            ld->err->line = 1;
            ld->err->col = chars + 1;
        }
        return rc;
    }
    kpi_yslot v = tree->root;
    ld->fallback = slot_place(ld, v);
    if ((k = kpi_key_find(key)) != NULL) {
        rc = apply_key(ld, k, v);
    } else if (strcmp(key, "events") == 0) {
        rc = apply_events(ld, v);
    } else if (strcmp(key, "assessment") == 0) {
        rc = apply_assessment(ld, v);
    } else if (top_level_known(key)) {
        rc = apply_section(ld, key, v);
    } else if ((k = grade_path(key, &grade)) != NULL) {
        double *grades = (double *)(void *)((char *)ld->sc + k->offset);
        char expect[64];
        snprintf(expect, sizeof expect, "a number in [%g, %g]", k->min, k->max);
        rc = get_real(ld, v, key, expect, k->min, k->max, &grades[grade]);
        if (rc == KPI_OK)
            ld->key_place[k - kpi_keys] = slot_place(ld, v);
    } else {
        const char *dot = strrchr(key, '.');
        char section[256] = "";
        if (dot)
            snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
        rc = fail_unknown_key(ld, at_key, section, dot ? dot + 1 : key);
    }
    kpi_ytree_free(tree);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Cross-key checks and the public entry points                        */
/* ------------------------------------------------------------------ */

/* Runs kpi_scenario_check_keys and reports a failure where the blamed
 * key was last set. */
static int check_all(loader *ld, const char *top_file)
{
    char key[256], msg[1024];
    place p = {NULL, 0, 0};
    int rc = kpi_scenario_check_keys(ld->sc, key, sizeof key, msg, sizeof msg);
    int idx;
    char field[64];
    if (rc == KPI_OK)
        return KPI_OK;
    const kpi_key *k = kpi_key_find(key);
    if (k) {
        p = ld->key_place[k - kpi_keys];
    } else if (sscanf(key, "events[%d].%63[a-z_]", &idx, field) == 2 && idx >= 0 &&
               idx < KPI_MAX_EVENTS) {
        int f = event_field_find(field);
        p = f >= 0 && ld->ev_field_place[idx][f].file ? ld->ev_field_place[idx][f]
                                                      : ld->ev_place[idx];
    }
    if (!p.file && strcmp(key, "activity.compliance_sd") == 0) {
        /* The spread was left at its default and the mean made it
         * impossible: point at the mean. */
        p = ld->key_place[kpi_key_find("activity.compliance") - kpi_keys];
    }
    if (!p.file)
        p = ld->fallback;
    if (!p.file) {
        p.file = top_file;
        p.line = p.col = 0;
    }
    return fail_at(ld, rc, p, key, "%s", msg);
}

/* The shared body of the loads: text (when not NULL) or the file path,
 * then the --set overrides, then the cross-key checks (for a sweep file,
 * hooks (not NULL) take the sweep: block and do the checks). */
static int load(kpi_scenario *sc, const char *path, const char *text, size_t len,
                const char *fname, const char *const *sets, size_t nsets,
                const kpi_sweep_hooks *hooks, void *hooks_ud, kpi_error *err)
{
    kpi_error local;
    loader *ld;
    int rc;
    place none = {NULL, 0, 0};

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    if (!text && !path) {
        kpi_scenario_defaults(sc);
        err->status = KPI_ENOINPUT;
        snprintf(err->msg, sizeof err->msg, "no scenario file given");
        return KPI_ENOINPUT;
    }
    ld = loader_new(NULL, err);
    if (!ld) {
        snprintf(err->file, sizeof err->file, "%s", text ? fname : path);
        snprintf(err->msg, sizeof err->msg, "out of memory while loading the scenario");
        err->status = KPI_EINTERNAL;
        rc = KPI_EINTERNAL;
        goto fail;
    }
    ld->hooks = hooks;
    ld->hooks_ud = hooks_ud;
    if (text) {
        const char *name = keep_name(ld, fname);
        if (!name) {
            rc = out_of_memory(ld);
            goto fail;
        }
        ld->chain_len = 1;
        ld->chain[0].has_id = 0;
        ld->chain[0].name = name;
        rc = apply_text(ld, text, len, name, "", 0);
    } else {
        rc = apply_file(ld, path, none, 0);
    }
    if (rc != KPI_OK)
        goto fail;
    if (!ld->top_gave_name) {
        memset(ld->sc->name, 0, sizeof ld->sc->name);
        if (text)
            snprintf(ld->sc->name, sizeof ld->sc->name, "default");
        else
            name_from_path(path, ld->sc->name, sizeof ld->sc->name);
    }
    for (size_t i = 0; i < nsets; i++) {
        rc = apply_assignment(ld, sets[i]);
        if (rc != KPI_OK)
            goto fail;
    }
    ld->fallback = none;
    ld->top_file = text ? fname : path;
    rc = hooks ? hooks->finish(hooks_ud, ld) : check_all(ld, ld->top_file);
    if (rc != KPI_OK)
        goto fail;
    memcpy(sc, ld->sc, sizeof *sc);
    loader_free(ld);
    return KPI_OK;

fail:
    loader_free(ld);
    kpi_scenario_defaults(sc);
    return rc;
}

int kpi_scenario_load_sets(kpi_scenario *sc, const char *path,
                           const char *const *sets, size_t nsets, kpi_error *err)
{
    return load(sc, path, NULL, 0, NULL, sets, nsets, NULL, NULL, err);
}

int kpi_scenario_load_string_sets(kpi_scenario *sc, const char *text, size_t len,
                                  const char *fname, const char *const *sets,
                                  size_t nsets, kpi_error *err)
{
    return load(sc, NULL, text ? text : "", text ? len : 0, fname ? fname : "(text)", sets,
                nsets, NULL, NULL, err);
}

int kpi_scenario_load(kpi_scenario *sc, const char *path, kpi_error *err)
{
    return load(sc, path, NULL, 0, NULL, NULL, 0, NULL, NULL, err);
}

int kpi_scenario_load_string(kpi_scenario *sc, const char *text, size_t len,
                             const char *fname, kpi_error *err)
{
    return kpi_scenario_load_string_sets(sc, text, len, fname, NULL, 0, err);
}

int kpi_scenario_set(kpi_scenario *sc, const char *assignment, kpi_error *err)
{
    kpi_error local;
    loader *ld;
    int rc;

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    if (!assignment) {
        err->status = KPI_EUSAGE;
        snprintf(err->file, sizeof err->file, "--set");
        snprintf(err->msg, sizeof err->msg, "expected KEY=VALUE, got nothing");
        return KPI_EUSAGE;
    }
    ld = loader_new(sc, err);
    if (!ld) {
        snprintf(err->file, sizeof err->file, "--set");
        snprintf(err->msg, sizeof err->msg, "out of memory");
        err->status = KPI_EINTERNAL;
        return KPI_EINTERNAL;
    }
    rc = apply_assignment(ld, assignment);
    if (rc == KPI_OK)
        rc = check_all(ld, "--set");
    if (rc == KPI_OK)
        memcpy(sc, ld->sc, sizeof *sc);
    loader_free(ld);
    return rc;
}

/* ------------------------------------------------------------------ */
/* For sweep files (sweep.c)                                           */
/* ------------------------------------------------------------------ */

int kpi_load_sweep(kpi_scenario *base, const char *path, const char *const *sets,
                   size_t nsets, const kpi_sweep_hooks *hooks, void *ud, kpi_error *err)
{
    return load(base, path, NULL, 0, NULL, sets, nsets, hooks, ud, err);
}

const kpi_key *kpi_load_key(const char *path, int *grade)
{
    const kpi_key *k = kpi_key_find(path);
    *grade = -1;
    if (k)
        return k;
    return grade_path(path, grade);
}

/* The fast path of an assignment.  It takes only texts that mean the same
 * as a plain YAML scalar and as the number, funnel or word this code reads
 * them as: text kpi_ynum_parse takes (YAML 1.1 reads exactly those as
 * numbers, see yamltree.h), a funnel of number characters and ':' only,
 * "reassign" or "lose".  Everything else, valid or not, is left to the
 * YAML path, which is then the only one that words messages. */
int kpi_load_assign_fast(kpi_scenario *sc, const kpi_key *k, int grade, const char *text)
{
    size_t len = strlen(text);
    char *field = (char *)sc + k->offset;
    kpi_ynum num;
    if (grade >= 0) {
        if (k->type != KPI_KT_GRADES || grade >= 6 ||
            kpi_ynum_parse(text, len, &num) != KPI_YNUM_OK ||
            !(num.value >= k->min && num.value <= k->max))
            return -1;
        ((double *)(void *)field)[grade] = num.value;
        return 0;
    }
    switch (k->type) {
    case KPI_KT_INT:
    case KPI_KT_LONG: {
        long long w;
        if (kpi_ynum_parse(text, len, &num) != KPI_YNUM_OK ||
            whole_of(&num, (long long)k->min, (long long)k->max, &w) != 0)
            return -1;
        if (k->type == KPI_KT_INT) {
            int v = (int)w;
            memcpy(field, &v, sizeof v);
        } else {
            long v = (long)w;
            memcpy(field, &v, sizeof v);
        }
        break;
    }
    case KPI_KT_U64: {
        uint64_t v;
        if (kpi_ynum_parse(text, len, &num) != KPI_YNUM_OK || u64_of(&num, &v) != 0)
            return -1;
        memcpy(field, &v, sizeof v);
        break;
    }
    case KPI_KT_REAL:
    case KPI_KT_OPTREAL:
        if (kpi_ynum_parse(text, len, &num) != KPI_YNUM_OK ||
            !(num.value >= k->min && num.value <= k->max))
            return -1;
        memcpy(field, &num.value, sizeof num.value);
        break;
    case KPI_KT_FUNNEL: {
        kpi_funnel f;
        if (len == 0 || !strchr(text, ':') || !((text[0] >= '0' && text[0] <= '9') ||
                                                  text[0] == '.' || text[0] == '+'))
            return -1;
        if (strspn(text, "0123456789.:+-_eE") != len || split_funnel(text, len, f.stage) != 0)
            return -1;
        for (int i = 0; i < 4; i++)
            if (f.stage[i] < 0)
                return -1;
        memcpy(field, &f, sizeof f);
        break;
    }
    case KPI_KT_ORPHAN: {
        int v;
        if (strcmp(text, "reassign") == 0)
            v = KPI_ORPHAN_REASSIGN;
        else if (strcmp(text, "lose") == 0)
            v = KPI_ORPHAN_LOSE;
        else
            return -1;
        memcpy(field, &v, sizeof v);
        break;
    }
    default:
        return -1;
    }
    after_set(sc, k);
    return 0;
}

int kpi_load_assign(kpi_scenario *sc, const char *key, const char *value, kpi_error *err)
{
    kpi_error local;
    const kpi_key *k;
    loader *ld;
    char *text;
    size_t n;
    int grade, rc;

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    k = kpi_load_key(key, &grade);
    if (k && kpi_load_assign_fast(sc, k, grade, value) == 0)
        return KPI_OK;
    n = strlen(key) + strlen(value) + 2;
    text = malloc(n);
    ld = text ? loader_new(sc, err) : NULL;
    if (!ld) {
        free(text);
        snprintf(err->file, sizeof err->file, "--set");
        snprintf(err->msg, sizeof err->msg, "out of memory");
        err->status = KPI_EINTERNAL;
        return KPI_EINTERNAL;
    }
    snprintf(text, n, "%s=%s", key, value);
    rc = apply_assignment(ld, text);
    if (rc == KPI_OK)
        memcpy(sc, ld->sc, sizeof *sc);
    loader_free(ld);
    free(text);
    return rc;
}

const kpi_scenario *kpi_loader_scenario(const kpi_loader *ld)
{
    return ld->sc;
}

kpi_place kpi_loader_place(const kpi_loader *ld, kpi_yslot s)
{
    return slot_place(ld, s);
}

int kpi_loader_fail(kpi_loader *ld, int status, kpi_place p, const char *key,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(ld, status, p, key, fmt, ap);
    va_end(ap);
    return rc;
}

int kpi_loader_fail_got(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect)
{
    return fail_got(ld, s, path, expect);
}

int kpi_loader_out_of_memory(kpi_loader *ld)
{
    return out_of_memory(ld);
}

const char *kpi_loader_pair_key(kpi_loader *ld, const kpi_ynode *map, size_t i,
                                const char *section)
{
    return pair_key(ld, map, i, section);
}

int kpi_loader_unknown_key(kpi_loader *ld, kpi_place at, const char *path)
{
    const char *dot = strrchr(path, '.');
    char section[256] = "";
    if (dot && (size_t)(dot - path) < sizeof section)
        snprintf(section, sizeof section, "%.*s", (int)(dot - path), path);
    else
        dot = NULL;
    return fail_unknown_key(ld, at, section, dot ? dot + 1 : path);
}

int kpi_loader_value(kpi_loader *ld, const char *path, kpi_yslot v, kpi_scenario *sc)
{
    int grade, rc;
    const kpi_key *k = kpi_load_key(path, &grade);
    if (!k)
        return kpi_loader_unknown_key(ld, slot_place(ld, v), path);
    /* apply_key works on ld->sc and records the place: borrow the one and
     * put the other back, so that the scenario being loaded is untouched. */
    kpi_scenario *saved_sc = ld->sc;
    place saved_place = ld->key_place[k - kpi_keys];
    ld->sc = sc;
    if (grade >= 0) {
        double *grades = (double *)(void *)((char *)sc + k->offset);
        char expect[64];
        snprintf(expect, sizeof expect, "a number in [%g, %g]", k->min, k->max);
        rc = get_real(ld, v, path, expect, k->min, k->max, &grades[grade]);
    } else {
        rc = apply_key(ld, k, v);
    }
    ld->sc = saved_sc;
    ld->key_place[k - kpi_keys] = saved_place;
    return rc;
}

int kpi_loader_number(kpi_loader *ld, kpi_yslot v, const char *path, const char *expect,
                      kpi_ynum *num)
{
    return get_number(ld, v, path, expect, num);
}

int kpi_loader_check(kpi_loader *ld)
{
    return check_all(ld, ld->top_file);
}

const char *kpi_load_closest_word(const char *word, const char *const *words)
{
    return closest_word(word, words);
}
