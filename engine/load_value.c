/*
 * load_value.c - the scenario loader's single values: numbers (real and
 * whole), text and names, funnels, grade mappings, the orphan policy; a
 * key set from one value, a section of keys, and assessment:.  Each value
 * is checked against its entry of kpi_keys[] (scenario.c) and the place it
 * came from is remembered for the cross-key check.
 */
#include "load_private.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"
#include "suggest.h"
#include "yamltree.h"

/* Reads a number (plain, or tagged !!int / !!float) into num. */
int kpi_loader_number(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect,
                      kpi_ynum *num)
{
    const kpi_ynode *n = s.node;
    char shown[200];
    if (n->kind != KPI_YSCALAR)
        return kpi_loader_fail_got(ld, s, path, expect);
    kpi_load_show_text(n->text, n->len, shown, sizeof shown);
    switch (kpi_yscalar_kind(n)) {
    case KPI_YS_NONFINITE:
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                               "expected a finite number, got %s", shown);
    case KPI_YS_NUMBER:
        switch (kpi_ynum_parse(n->text, n->len, num)) {
        case KPI_YNUM_OK:
            return KPI_OK;
        case KPI_YNUM_OCTAL:
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                                   "expected %s, got %s (a number with a leading 0 is octal to "
                                   "YAML 1.1: write it without the 0)", expect, shown);
        case KPI_YNUM_NONFINITE:
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                                   "expected a finite number, got %s", shown);
        default:
            break;
        }
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                               "expected %s, got '%s'", expect, shown);
    default:
        return kpi_loader_fail_got(ld, s, path, expect);
    }
}

/* Reads a number in [lo, hi]. */
int kpi_loader_real(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect,
                    double lo, double hi, double *out)
{
    kpi_ynum num;
    int rc = kpi_loader_number(ld, s, path, expect, &num);
    if (rc != KPI_OK)
        return rc;
    if (!(num.value >= lo && num.value <= hi))
        return kpi_loader_fail_got(ld, s, path, expect);
    *out = num.value;
    return KPI_OK;
}

/* The whole number num holds, in [lo, hi]: 12.0 and 1e3 are whole, 12.5
 * is not.  Returns 0, or -1 when it is not such a number. */
int kpi_load_whole_of(const kpi_ynum *num, long long lo, long long hi, long long *out)
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
int kpi_load_u64_of(const kpi_ynum *num, uint64_t *out)
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
int kpi_loader_whole(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect,
                     long long lo, long long hi, long long *out)
{
    kpi_ynum num;
    int rc = kpi_loader_number(ld, s, path, expect, &num);
    if (rc != KPI_OK)
        return rc;
    if (kpi_load_whole_of(&num, lo, hi, out) != 0)
        return kpi_loader_fail_got(ld, s, path, expect);
    return KPI_OK;
}

/* Reads a whole number in [0, 2^64 - 1]. */
static int get_u64(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect,
                   uint64_t *out)
{
    kpi_ynum num;
    int rc = kpi_loader_number(ld, s, path, expect, &num);
    if (rc != KPI_OK)
        return rc;
    if (kpi_load_u64_of(&num, out) != 0)
        return kpi_loader_fail_got(ld, s, path, expect);
    return KPI_OK;
}

/* Reads any scalar as text into dst (size bytes, zero-filled first so
 * that equal scenarios compare equal byte for byte).  Never truncates. */
static int get_text(kpi_loader *ld, kpi_yslot s, const kpi_key *k, char *dst, size_t size)
{
    const kpi_ynode *n = s.node;
    if (n->kind != KPI_YSCALAR || kpi_yscalar_kind(n) == KPI_YS_NULL)
        return kpi_loader_fail_got(ld, s, k->path, k->expect);
    if (strlen(n->text) != n->len)
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                               "expected %s, got a text holding a NUL character (\\0)", k->expect);
    if (n->len >= size)
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                               "expected %s of at most %zu bytes, got %zu bytes", k->expect,
                               size - 1, n->len);
    if (k->type == KPI_KT_NAME) {
        size_t dots = 0;
        char shown[200];
        kpi_load_show_text(n->text, n->len, shown, sizeof shown);
        for (size_t i = 0; i < n->len; i++) {
            char c = n->text[i];
            int ok = kpi_name_char(c);
            if (!ok)
                return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                                       "expected %s, got '%s'", k->expect, shown);
            dots += c == '.';
        }
        /* "." and ".." would name the run directory's parent. */
        if (n->len == 0 || dots == n->len)
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                                   "expected %s (not only dots), got '%s'", k->expect, shown);
    }
    memset(dst, 0, size);
    memcpy(dst, n->text, n->len);
    return KPI_OK;
}

/* Splits "a:b:c:d" into four numbers.  Returns 0, or -1 if it is not. */
int kpi_load_split_funnel(const char *t, size_t len, double st[4])
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
static int get_funnel(kpi_loader *ld, kpi_yslot s, const kpi_key *k, kpi_funnel *out)
{
    const kpi_ynode *n = s.node;
    double st[4];
    if (n->kind == KPI_YSCALAR) {
        int kind = kpi_yscalar_kind(n);
        if (kind == KPI_YS_NULL || kind == KPI_YS_BOOL ||
            kpi_load_split_funnel(n->text, n->len, st) != 0)
            return kpi_loader_fail_got(ld, s, k->path, k->expect);
    } else if (n->kind == KPI_YSEQUENCE) {
        if (n->nitems != 4)
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                                   "expected %s, got a list of %zu values", k->expect, n->nitems);
        for (int i = 0; i < 4; i++) {
            kpi_ynum num;
            int rc = kpi_loader_number(ld, n->items[i], k->path, k->expect, &num);
            if (rc != KPI_OK)
                return rc;
            st[i] = num.value;
        }
    } else {
        return kpi_loader_fail_got(ld, s, k->path, k->expect);
    }
    for (int i = 0; i < 4; i++)
        if (st[i] < 0)
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                                   "expected a funnel of stages that are not negative, "
                                   "got %g:%g:%g:%g", st[0], st[1], st[2], st[3]);
    memcpy(out->stage, st, sizeof st);
    return KPI_OK;
}

/* A grade mapping {A: x, ..., N: x}; grades left out keep their value. */
static int get_grades(kpi_loader *ld, kpi_yslot s, const kpi_key *k, double g[6])
{
    const kpi_ynode *n = s.node;
    double tmp[6];
    if (n->kind != KPI_YMAPPING)
        return kpi_loader_fail_got(ld, s, k->path, k->expect);
    memcpy(tmp, g, sizeof tmp);
    for (size_t i = 0; i < n->npairs; i++) {
        const char *letter = kpi_loader_pair_key(ld, n, i, k->path);
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
                return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->pairs[i].key), path,
                                       "unknown grade; did you mean '%c'?", *upper);
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->pairs[i].key), path,
                                   "unknown grade: expected one of A, B, C, D, E, N");
        }
        int rc = kpi_loader_real(ld, n->pairs[i].value, path,
                                 kpi_key_expect(k, 0, expect, sizeof expect), k->min, k->max,
                                 &tmp[at - KPI_GRADES]);
        if (rc != KPI_OK)
            return rc;
    }
    memcpy(g, tmp, sizeof tmp);
    return KPI_OK;
}

/* A list of 12 numbers, one a calendar month, January first. */
static int get_months(kpi_loader *ld, kpi_yslot s, const kpi_key *k, double v[12])
{
    const kpi_ynode *n = s.node;
    double tmp[12];
    if (n->kind != KPI_YSEQUENCE)
        return kpi_loader_fail_got(ld, s, k->path, k->expect);
    if (n->nitems != 12)
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                               "expected %s, got a list of %zu values", k->expect, n->nitems);
    for (size_t i = 0; i < 12; i++) {
        int rc = kpi_loader_real(ld, n->items[i], k->path, k->expect, k->min, k->max, &tmp[i]);
        if (rc != KPI_OK)
            return rc;
    }
    memcpy(v, tmp, sizeof tmp);
    return KPI_OK;
}

static int get_orphan(kpi_loader *ld, kpi_yslot s, const kpi_key *k, int *out)
{
    const kpi_ynode *n = s.node;
    if (n->kind == KPI_YSCALAR && strlen(n->text) == n->len) {
        int v = kpi_orphan_find(n->text);
        if (v >= 0) {
            *out = v;
            return KPI_OK;
        }
        const char *best = kpi_yscalar_kind(n) == KPI_YS_NULL ? NULL
                           : kpi_suggest_word(n->text, kpi_orphan_words);
        if (best) {
            char got[256];
            kpi_load_describe(n, got, sizeof got);
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), k->path,
                                   "expected %s, got %s; did you mean '%s'?", k->expect, got, best);
        }
    }
    return kpi_loader_fail_got(ld, s, k->path, k->expect);
}

/* What setting the key k implies for other keys.  focus and repeat_share
 * are two ways to say one thing: the last one given wins.  When
 * repeat_share is given the engine searches the focus itself, so focus
 * goes back to its default, which keeps a written and reloaded scenario
 * identical (emit.c writes only one).  A key of a block (assessment,
 * sales_cycle, engagement) switches its block on. */
void kpi_load_after_set(kpi_scenario *sc, const kpi_key *k)
{
    if (strcmp(k->path, "clients.focus") == 0) {
        sc->clients.repeat_share = -1;
    } else if (strcmp(k->path, "clients.repeat_share") == 0) {
        kpi_scenario d;
        kpi_scenario_defaults(&d);
        sc->clients.focus = d.clients.focus;
    }
    const kpi_block *b = kpi_block_of(k->path);
    if (b)
        kpi_block_set(b, sc, 1);
}

/* Sets the key k from the value at s and remembers where. */
int kpi_loader_key(kpi_loader *ld, const kpi_key *k, kpi_yslot s)
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
        rc = kpi_loader_whole(ld, s, k->path, k->expect, (long long)k->min, (long long)k->max,
                              &whole);
        if (rc == KPI_OK)
            kpi_key_set_whole(k, ld->sc, whole);
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
        rc = kpi_loader_real(ld, s, k->path, k->expect, k->min, k->max, &real);
        if (rc == KPI_OK)
            memcpy(field, &real, sizeof real);
        break;
    case KPI_KT_FUNNEL:
        rc = get_funnel(ld, s, k, (kpi_funnel *)(void *)field);
        break;
    case KPI_KT_GRADES:
        rc = get_grades(ld, s, k, (double *)(void *)field);
        break;
    case KPI_KT_MONTHS:
        rc = get_months(ld, s, k, (double *)(void *)field);
        break;
    case KPI_KT_ORPHAN: {
        int v = 0;
        rc = get_orphan(ld, s, k, &v);
        if (rc == KPI_OK)
            memcpy(field, &v, sizeof v);
        break;
    }
    default:
        rc = kpi_loader_fail(ld, KPI_EINTERNAL, kpi_loader_place(ld, s), k->path,
                             "internal error: key type %d unknown to the loader", k->type);
        break;
    }
    if (rc != KPI_OK)
        return rc;
    ld->key_place[k - kpi_keys] = kpi_loader_place(ld, s);
    kpi_load_after_set(ld->sc, k);
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Sections, assessment, events                                        */
/* ------------------------------------------------------------------ */

/* Applies the keys of a section mapping (team:, activity:, ...). */
int kpi_loader_section(kpi_loader *ld, const char *section, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    char path[300];
    size_t focus_at = SIZE_MAX, share_at = SIZE_MAX;
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL)
        return KPI_OK;      /* every key commented out: nothing to change */
    if (n->kind != KPI_YMAPPING) {
        char expect[128];
        snprintf(expect, sizeof expect, "a mapping of %s keys", section);
        return kpi_loader_fail_got(ld, s, section, expect);
    }
    /* A mistake is kept and the next key read when the loader collects
     * them (kpi_loader_keep); else the first one ends the section. */
    for (size_t i = 0; i < n->npairs; i++) {
        const char *leaf = kpi_loader_pair_key(ld, n, i, section);
        const kpi_key *k;
        int rc;
        if (!leaf) {
            if ((rc = kpi_loader_keep(ld, ld->err->status)) != KPI_OK)
                return rc;
            continue;
        }
        snprintf(path, sizeof path, "%s.%s", section, leaf);
        k = strlen(leaf) < 200 ? kpi_key_find(path) : NULL;
        if (!k) {
            rc = kpi_loader_unknown_leaf(ld, kpi_loader_place(ld, n->pairs[i].key), section,
                                         leaf);
            if ((rc = kpi_loader_keep(ld, rc)) != KPI_OK)
                return rc;
            continue;
        }
        if (strcmp(path, "clients.focus") == 0)
            focus_at = i;
        if (strcmp(path, "clients.repeat_share") == 0)
            share_at = i;
        if (focus_at != SIZE_MAX && share_at != SIZE_MAX) {
            size_t first = focus_at < share_at ? focus_at : share_at;
            kpi_place p = kpi_loader_place(ld, n->pairs[first].key);
            rc = kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->pairs[i].key), path,
                                 "give clients.focus or clients.repeat_share, not both "
                                 "(%s given at %s:%d:%d)",
                                 first == focus_at ? "clients.focus" : "clients.repeat_share",
                                 p.file, p.line, p.col);
            if ((rc = kpi_loader_keep(ld, rc)) != KPI_OK)
                return rc;
            focus_at = share_at = SIZE_MAX;   /* reported once */
            continue;
        }
        rc = kpi_loader_keep(ld, kpi_loader_key(ld, k, n->pairs[i].value));
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

/* A block (assessment:, sales_cycle:, engagement:): a mapping (even {})
 * switches it on and sets its keys; nothing (NAME: or NAME: ~) switches it
 * off and puts its keys back to their defaults, so that an emitted
 * scenario, which leaves their values out, reads back identical. */
int kpi_loader_block(kpi_loader *ld, const kpi_block *b, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL) {
        kpi_scenario d;
        kpi_scenario_defaults(&d);
        for (size_t i = 0; i < ld->nkeys; i++) {
            const kpi_key *k = &kpi_keys[i];
            if (kpi_block_of(k->path) != b)
                continue;
            memcpy((char *)ld->sc + k->offset, (const char *)&d + k->offset,
                   kpi_key_bytes(k));
            ld->key_place[i].file = NULL;
        }
        kpi_block_set(b, ld->sc, 0);
        return KPI_OK;
    }
    if (n->kind != KPI_YMAPPING) {
        char expect[128];
        snprintf(expect, sizeof expect, "a mapping of %s keys (or nothing, to switch %s off)",
                 b->name, b->name);
        return kpi_loader_fail_got(ld, s, b->name, expect);
    }
    kpi_block_set(b, ld->sc, 1);
    return kpi_loader_section(ld, b->name, s);
}

int kpi_loader_grade(kpi_loader *ld, const kpi_key *k, int grade, kpi_yslot s,
                     const char *path)
{
    double *grades = (double *)(void *)((char *)ld->sc + k->offset);
    char expect[64];
    int rc = kpi_loader_real(ld, s, path, kpi_key_expect(k, grade, expect, sizeof expect),
                             k->min, k->max, &grades[grade]);
    if (rc == KPI_OK)
        ld->key_place[k - kpi_keys] = kpi_loader_place(ld, s);
    return rc;
}

int kpi_loader_value(kpi_loader *ld, const char *path, kpi_yslot v, kpi_scenario *sc)
{
    int grade, rc;
    const kpi_key *k = kpi_load_key(path, &grade);
    if (!k)
        return kpi_loader_unknown_key(ld, kpi_loader_place(ld, v), path);
    /* kpi_loader_key works on ld->sc and records the place: borrow the one
     * and put the other back, so that the scenario being loaded is
     * untouched. */
    kpi_scenario *saved_sc = ld->sc;
    kpi_place saved_place = ld->key_place[k - kpi_keys];
    ld->sc = sc;
    rc = grade >= 0 ? kpi_loader_grade(ld, k, grade, v, path) : kpi_loader_key(ld, k, v);
    ld->sc = saved_sc;
    ld->key_place[k - kpi_keys] = saved_place;
    return rc;
}
