/*
 * load.c - the scenario loader: node tree -> kpi_scenario.
 *
 * Pipeline: file bytes -> kpi_ytree (yamltree.c: YAML syntax and limits)
 * -> the loader (this file and load_*.c, against the schema of
 * scenario.c) -> kpi_scenario_check_keys (rules spanning keys).
 *
 * A load starts from kpi_scenario_defaults, applies the extends: chain from
 * the oldest ancestor down to the file itself (load_file.c), then any --set
 * overrides (load_set.c), and checks the cross-key rules last.  Every value
 * set is remembered with the place (file:line:col) it came from, so that a
 * cross-key error is reported where its key was last set, in whichever
 * file or --set that was.  All state lives in one kpi_loader per call: no
 * globals.
 *
 * This file holds the loader object, its messages, the top-level keys of a
 * document and the public kpi_scenario_load* functions.
 *
 * A sweep file (kpi_load_sweep, for sweep.c) loads the same way, except
 * that the top file's sweep: block goes to sweep.c, which also does the
 * cross-key checks, point by point.  Anywhere else sweep: is refused.
 */
#include "load_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scenario.h"
#include "suggest.h"
#include "yamltree.h"

/* ------------------------------------------------------------------ */
/* The loader                                                          */
/* ------------------------------------------------------------------ */

int kpi_loader_fail(kpi_loader *ld, int status, kpi_place p, const char *key,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kpi_error_vset(ld->err, status, key, fmt, ap);
    va_end(ap);
    snprintf(ld->err->file, sizeof ld->err->file, "%s", p.file ? p.file : "");
    ld->err->line = p.line;
    ld->err->col = p.col;
    return status;
}

int kpi_loader_keep(kpi_loader *ld, int rc)
{
    if (rc != KPI_EDATA || !ld->found)
        return rc;
    if (ld->nfound == ld->maxfound) {
        ld->more = 1;
        return rc;     /* the list is full: stop here */
    }
    ld->found[ld->nfound++] = *ld->err;
    return KPI_OK;
}

int kpi_loader_out_of_memory(kpi_loader *ld)
{
    kpi_place p = {ld->file, 0, 0};
    return kpi_loader_fail(ld, KPI_EINTERNAL, p, "", "out of memory while loading the scenario");
}

/* The place of a tree position in the source being read. */
kpi_place kpi_loader_place(const kpi_loader *ld, kpi_yslot s)
{
    kpi_place p = {ld->file, s.line, s.col};
    return p;
}

/* Keeps a copy of name alive for as long as the loader, for places. */
const char *kpi_loader_keep_name(kpi_loader *ld, const char *name)
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

void kpi_loader_free(kpi_loader *ld)
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
kpi_loader *kpi_loader_new(const kpi_scenario *start, kpi_error *err)
{
    kpi_loader *ld = calloc(1, sizeof *ld);
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
    kpi_loader_free(ld);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Describing what was found                                           */
/* ------------------------------------------------------------------ */

/* Copies at most 40 characters of text into buf for a message, with
 * control characters escaped and "..." when cut. */
void kpi_load_show_text(const char *t, size_t len, char *buf, size_t size)
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
void kpi_load_describe(const kpi_ynode *n, char *buf, size_t size)
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
    kpi_load_show_text(n->text, n->len, shown, sizeof shown);
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

/* A number as a spreadsheet shows it: "70%", "5,000", "$5000", "5 000 EUR".
 * Writes " (write 0.7)" into hint when text is one (a percentage divided
 * by 100, thousands separators and a currency sign dropped), else "". */
static void spreadsheet_hint(const char *text, size_t len, char *hint, size_t size)
{
    char digits[64];
    size_t o = 0, i = 0;
    int percent = 0, changed = 0;
    kpi_ynum num;
    hint[0] = '\0';
    while (i < len && text[i] == ' ')
        i++;
    /* A leading currency sign: $, EUR, GBP, the euro and pound signs. */
    if (i < len && text[i] == '$') {
        i++;
        changed = 1;
    } else if (len - i >= 3 && (memcmp(text + i, "\xe2\x82\xac", 3) == 0)) {
        i += 3;
        changed = 1;
    } else if (len - i >= 2 && memcmp(text + i, "\xc2\xa3", 2) == 0) {
        i += 2;
        changed = 1;
    }
    for (; i < len; i++) {
        char c = text[i];
        if (o > 0 && len - i == 3 && (strncmp(text + i, "EUR", 3) == 0 ||
                                      strncmp(text + i, "USD", 3) == 0 ||
                                      strncmp(text + i, "GBP", 3) == 0)) {
            changed = 1;   /* a currency after the amount */
            break;
        }
        if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
            if (o + 1 >= sizeof digits)
                return;
            digits[o++] = c;
        } else if (c == ',' && o > 0) {
            /* "5,000" groups thousands; "0,7" is a decimal comma. */
            int group = len - i > 3 && text[i + 1] >= '0' && text[i + 1] <= '9' &&
                        text[i + 2] >= '0' && text[i + 2] <= '9' && text[i + 3] >= '0' &&
                        text[i + 3] <= '9' &&
                        (len - i == 4 || text[i + 4] < '0' || text[i + 4] > '9');
            if (!group) {
                if (memchr(digits, '.', o) || o + 1 >= sizeof digits)
                    return;
                digits[o++] = '.';
            }
            changed = 1;
        } else if ((c == ' ' || c == '_' || c == '\'') && o > 0) {
            changed = 1;   /* a thousands separator */
        } else if (c == '%' && o > 0) {
            percent = changed = 1;
        } else {
            return;
        }
    }
    if (!changed || o == 0 || kpi_ynum_parse(digits, o, &num) != KPI_YNUM_OK)
        return;
    digits[o] = '\0';
    double v = strtod(digits, NULL);
    if (percent)
        v /= 100;
    snprintf(hint, size, " (write %.15g)", v);
}

/* "expected EXPECT, got WHAT-WAS-THERE" at the slot. */
int kpi_loader_fail_got(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect)
{
    char got[256], hintbuf[96];
    const char *hint = "";
    kpi_ynum num;
    kpi_load_describe(s.node, got, sizeof got);
    if (s.node->kind == KPI_YSCALAR && !s.node->plain &&
        kpi_yscalar_kind(s.node) == KPI_YS_TEXT &&
        kpi_ynum_parse(s.node->text, s.node->len, &num) == KPI_YNUM_OK) {
        hint = " (numbers are written without quotes)";
    } else if (s.node->kind == KPI_YSCALAR && kpi_yscalar_kind(s.node) == KPI_YS_TEXT) {
        spreadsheet_hint(s.node->text, s.node->len, hintbuf, sizeof hintbuf);
        hint = hintbuf;
    }
    return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path, "expected %s, got %s%s",
                           expect, got, hint);
}

/* The message for an unknown key leaf in section, at place at. */
int kpi_loader_unknown_leaf(kpi_loader *ld, kpi_place at, const char *section, const char *leaf)
{
    char path[256], shown[200];
    const char *best;
    kpi_load_show_text(leaf, strlen(leaf), shown, sizeof shown);
    snprintf(path, sizeof path, "%s%s%s", section, *section ? "." : "", shown);
    if (strcmp(leaf, "<<") == 0)
        return kpi_loader_fail(ld, KPI_EDATA, at, path,
                               "unknown key: YAML merge keys ('<<') are not supported; "
                               "use extends: to start from another scenario");
    if (kpi_key_find(leaf) && strchr(leaf, '.'))
        return kpi_loader_fail(ld, KPI_EDATA, at, path,
                               "unknown key: write it nested, as '%s:' under '%.*s:'",
                               kpi_key_leaf(leaf), (int)(kpi_key_leaf(leaf) - leaf - 1), leaf);
    best = kpi_suggest_synonym(leaf);
    if (!best)
        best = kpi_suggest_key(section, leaf);
    if (best)
        return kpi_loader_fail(ld, KPI_EDATA, at, path, "unknown key; did you mean '%s'?", best);
    /* Nothing close: what the section holds. */
    char list[700];
    int known = *section == '\0';
    for (size_t i = 0; kpi_sections[i] && !known; i++)
        known = strcmp(kpi_sections[i], section) == 0;
    kpi_suggest_list(known ? section : "", list, sizeof list);
    if (!*list)
        return kpi_loader_fail(ld, KPI_EDATA, at, path, "unknown key");
    if (*section && known)
        return kpi_loader_fail(ld, KPI_EDATA, at, path, "unknown key; the keys of %s: are %s",
                               section, list);
    return kpi_loader_fail(ld, KPI_EDATA, at, path, "unknown key; the top-level keys are %s",
                           list);
}

/* ------------------------------------------------------------------ */
/* Mapping keys                                                        */
/* ------------------------------------------------------------------ */

/* Checks the key of pair i of map: a scalar without NUL bytes that no
 * earlier pair repeats.  Returns its text, or NULL with the error set
 * (section names the mapping in messages). */
const char *kpi_loader_pair_key(kpi_loader *ld, const kpi_ynode *map, size_t i, const char *section)
{
    kpi_yslot key = map->pairs[i].key;
    const kpi_ynode *k = key.node;
    char path[256], shown[200];
    if (k->kind != KPI_YSCALAR) {
        char got[64];
        kpi_load_describe(k, got, sizeof got);
        kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, key), section,
                        "expected a key name, got %s", got);
        return NULL;
    }
    kpi_load_show_text(k->text, k->len, shown, sizeof shown);
    snprintf(path, sizeof path, "%s%s%s", section, *section ? "." : "", shown);
    if (strlen(k->text) != k->len) {
        kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, key), path,
                        "unknown key (it holds a NUL character)");
        return NULL;
    }
    for (size_t j = 0; j < i; j++) {
        const kpi_ynode *o = map->pairs[j].key.node;
        if (o->kind == KPI_YSCALAR && o->len == k->len && memcmp(o->text, k->text, k->len) == 0) {
            kpi_place first = kpi_loader_place(ld, map->pairs[j].key);
            kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, key), path,
                            "duplicate key (first given at %s:%d:%d)", first.file, first.line,
                            first.col);
            return NULL;
        }
    }
    return k->text;
}

/* Applies one top-level key whose name was checked. */
static int apply_top_key(kpi_loader *ld, const char *name, kpi_yslot key, kpi_yslot value)
{
    const kpi_key *k;
    if (strcmp(name, "extends") == 0)
        return KPI_OK;                  /* followed before anything else */
    if (strcmp(name, "events") == 0)
        return kpi_loader_events(ld, value);
    const kpi_block *b = kpi_block_find(name);
    if (b)
        return kpi_loader_block(ld, b, value);
    k = kpi_key_find(name);
    if (k && !strchr(name, '.'))
        return kpi_loader_key(ld, k, value);
    for (size_t i = 0; kpi_sections[i]; i++)
        if (strcmp(kpi_sections[i], name) == 0)
            return kpi_loader_section(ld, name, value);
    return kpi_loader_unknown_leaf(ld, kpi_loader_place(ld, key), "", name);
}

/* ------------------------------------------------------------------ */
/* A document: its top-level keys                                      */
/* ------------------------------------------------------------------ */

/* kpi_loader_text's keys when the loader collects mistakes: the parent
 * first (as always), then each top-level key in the order of the file,
 * a mistake kept (kpi_loader_keep) and the next key read. */
static int collect_text(kpi_loader *ld, const kpi_ynode *root, const char *dir, int depth)
{
    int rc = KPI_OK;
    for (size_t i = 0; i < root->npairs; i++) {
        const kpi_ynode *k = root->pairs[i].key.node;
        if (k->kind == KPI_YSCALAR && strcmp(k->text, "extends") == 0) {
            rc = kpi_loader_keep(ld, kpi_loader_extends(ld, root->pairs[i].value, dir, depth));
            break;
        }
    }
    for (size_t i = 0; i < root->npairs && rc == KPI_OK; i++) {
        kpi_yslot kslot = root->pairs[i].key;
        const char *key = kpi_loader_pair_key(ld, root, i, "");
        if (!key) {
            rc = kpi_loader_keep(ld, ld->err->status);
            continue;
        }
        if (!kpi_top_level_known(key)) {
            rc = kpi_loader_keep(ld, kpi_loader_unknown_leaf(ld, kpi_loader_place(ld, kslot), "",
                                                             key));
            continue;
        }
        if (strcmp(key, "sweep") == 0 && (depth > 0 || !ld->hooks)) {
            rc = kpi_loader_keep(ld, kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, kslot),
                                 "sweep", "%s",
                                 depth > 0 ? "belongs in the file given to kpisim sweep"
                                           : "this is a sweep file: run it with 'kpisim sweep'"));
            continue;
        }
        if (depth == 0 && strcmp(key, "name") == 0)
            ld->top_gave_name = 1;
        if (strcmp(key, "sweep") == 0)
            rc = ld->hooks->block(ld->hooks_ud, ld, kslot, root->pairs[i].value);
        else
            rc = apply_top_key(ld, key, kslot, root->pairs[i].value);
        rc = kpi_loader_keep(ld, rc);
    }
    return rc;
}

/* Loads scenario text (the file name, dir the directory its extends:
 * paths are relative to) at the given depth of the chain. */
int kpi_loader_text(kpi_loader *ld, const char *data, size_t len, const char *name,
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
    if (ld->found) {
        /* Collecting mistakes: the keys in the order of the file. */
        rc = collect_text(ld, root, dir, depth);
        goto fail;
    }
    /* Every top-level key is checked before a parent is read, so that a
     * typo here is reported first. */
    for (size_t i = 0; i < root->npairs; i++) {
        const char *key = kpi_loader_pair_key(ld, root, i, "");
        if (!key) {
            rc = ld->err->status;
            goto fail;
        }
        if (!kpi_top_level_known(key)) {
            rc = kpi_loader_unknown_leaf(ld, kpi_loader_place(ld, root->pairs[i].key), "", key);
            goto fail;
        }
        if (strcmp(key, "extends") == 0)
            extends_at = i;
        /* sweep: is read only from the file given to kpisim sweep: a
         * parent's grid would be silently combined with the child's, and
         * kpisim run would run a single point of a grid. */
        if (strcmp(key, "sweep") == 0 && (depth > 0 || !ld->hooks)) {
            rc = kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, root->pairs[i].key),
                                 "sweep", "%s",
                                 depth > 0 ? "belongs in the file given to kpisim sweep"
                                           : "this is a sweep file: run it with 'kpisim sweep'");
            goto fail;
        }
    }
    if (extends_at != SIZE_MAX) {
        rc = kpi_loader_extends(ld, root->pairs[extends_at].value, dir, depth);
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
        int ok = kpi_name_char(c);
        name[i] = ok ? c : '_';
        dots += c == '.';
    }
    if (n == 0 || dots == n) {
        memset(name, 0, size);
        snprintf(name, size, "default");
    }
}

/* ------------------------------------------------------------------ */
/* The cross-key check and the public entry points                     */
/* ------------------------------------------------------------------ */

/* Runs kpi_scenario_check_keys and reports a failure where the blamed
 * key was last set (for a key never set: the --set being applied, else
 * the top file). */
int kpi_loader_check(kpi_loader *ld)
{
    char key[256], msg[1024];
    kpi_place p = {NULL, 0, 0};
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
        int f = kpi_event_field_find(field);
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
        p.file = ld->top_file;
        p.line = p.col = 0;
    }
    return kpi_loader_fail(ld, rc, p, key, "%s", msg);
}

/* The shared body of the loads: text (when not NULL) or the file path,
 * then the --set overrides, then the cross-key checks (for a sweep file,
 * hooks (not NULL) take the sweep: block and do the checks). */
/* Where a load that collects mistakes (kpi_scenario_validate) keeps them. */
typedef struct collect {
    kpi_error *errs;
    size_t max, n;
    int more;
} collect;

static int load(kpi_scenario *sc, const char *path, const char *text, size_t len,
                const char *fname, const char *const *sets, size_t nsets,
                const kpi_sweep_hooks *hooks, void *hooks_ud, kpi_error *err, collect *col)
{
    kpi_error local;
    kpi_loader *ld;
    int rc;
    kpi_place none = {NULL, 0, 0};

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    if (!text && !path) {
        kpi_scenario_defaults(sc);
        return kpi_error_set(err, KPI_ENOINPUT, NULL, "no scenario file given");
    }
    ld = kpi_loader_new(NULL, err);
    if (!ld) {
        rc = kpi_error_oom(err, "while loading the scenario");
        snprintf(err->file, sizeof err->file, "%s", text ? fname : path);
        goto fail;
    }
    ld->hooks = hooks;
    ld->hooks_ud = hooks_ud;
    if (col) {
        ld->found = col->errs;
        ld->maxfound = col->max;
    }
    if (text) {
        const char *name = kpi_loader_keep_name(ld, fname);
        if (!name) {
            rc = kpi_loader_out_of_memory(ld);
            goto fail;
        }
        ld->chain_len = 1;
        ld->chain[0].has_id = 0;
        ld->chain[0].name = name;
        rc = kpi_loader_text(ld, text, len, name, "", 0);
    } else {
        rc = kpi_loader_file(ld, path, none, 0);
    }
    if ((rc = kpi_loader_keep(ld, rc)) != KPI_OK)
        goto fail;
    if (!ld->top_gave_name) {
        memset(ld->sc->name, 0, sizeof ld->sc->name);
        if (text)
            snprintf(ld->sc->name, sizeof ld->sc->name, "default");
        else
            name_from_path(path, ld->sc->name, sizeof ld->sc->name);
    }
    for (size_t i = 0; i < nsets; i++) {
        rc = kpi_loader_keep(ld, kpi_loader_assignment(ld, sets[i]));
        if (rc != KPI_OK)
            goto fail;
    }
    ld->fallback = none;
    ld->top_file = text ? fname : path;
    rc = hooks ? hooks->finish(hooks_ud, ld) : kpi_loader_check(ld);
    if ((rc = kpi_loader_keep(ld, rc)) != KPI_OK)
        goto fail;
    if (ld->nfound > 0)
        goto fail;
    memcpy(sc, ld->sc, sizeof *sc);
    kpi_loader_free(ld);
    return KPI_OK;

fail:
    if (col && ld) {
        /* A failure that was not kept (a missing file, out of memory)
         * ends the list, when there is room. */
        if (rc != KPI_OK && !ld->more && ld->nfound < ld->maxfound)
            ld->found[ld->nfound++] = *err;
        col->n = ld->nfound;
        col->more = ld->more;
        if (ld->nfound > 0) {
            *err = ld->found[0];
            rc = err->status;
        }
    }
    kpi_loader_free(ld);
    kpi_scenario_defaults(sc);
    return rc;
}

/* The hooks of kpi_scenario_validate: a sweep: block is accepted (its grid
 * is checked by kpi_sweep_load, once the rest is right), and the rules
 * spanning keys are checked unless the file is a sweep file, whose base
 * need not pass them (docs/scenarios.md "Sweep files"). */
static int validate_block(void *ud, kpi_loader *ld, kpi_yslot key, kpi_yslot value)
{
    (void)ld;
    (void)key;
    (void)value;
    *(int *)ud = 1;
    return KPI_OK;
}

static int validate_finish(void *ud, kpi_loader *ld)
{
    return *(int *)ud ? KPI_OK : kpi_loader_check(ld);
}

int kpi_scenario_validate(const char *path, const char *const *sets, size_t nsets,
                          kpi_error *errs, size_t max, size_t *nerrs, int *more)
{
    static const kpi_sweep_hooks hooks = {validate_block, validate_finish};
    kpi_scenario *sc = malloc(sizeof *sc);
    collect col = {errs, max, 0, 0};
    int is_sweep = 0, rc;
    kpi_error err;
    *nerrs = 0;
    *more = 0;
    if (max == 0)
        return KPI_EINTERNAL;
    if (!sc) {
        kpi_error_oom(&errs[0], "while loading the scenario");
        snprintf(errs[0].file, sizeof errs[0].file, "%s", path ? path : "");
        *nerrs = 1;
        return KPI_EINTERNAL;
    }
    rc = load(sc, path, NULL, 0, NULL, sets, nsets, &hooks, &is_sweep, &err, &col);
    free(sc);
    if (rc != KPI_OK && col.n == 0) {   /* not reached: a failure is always listed */
        errs[0] = err;
        col.n = 1;
    }
    /* In the order of the files (as first met) and, within one, of the
     * lines: a rule spanning keys is blamed on a line of the file, but
     * found last.  Insertion sort, stable: a few entries. */
    for (size_t i = 1; i < col.n; i++) {
        kpi_error e = errs[i];
        size_t rank_e = 0, j = i;
        while (rank_e < i && strcmp(errs[rank_e].file, e.file) != 0)
            rank_e++;
        while (j > 0) {
            const kpi_error *p = &errs[j - 1];
            size_t rank_p = 0;
            while (rank_p < j - 1 && strcmp(errs[rank_p].file, p->file) != 0)
                rank_p++;
            /* every --set is at line 1: they keep the order given */
            int after = rank_p < rank_e || strcmp(e.file, "--set") == 0 ||
                        (rank_p == rank_e && (p->line < e.line ||
                                              (p->line == e.line && p->col <= e.col)));
            if (after)
                break;
            errs[j] = errs[j - 1];
            j--;
        }
        errs[j] = e;
    }
    *nerrs = col.n;
    *more = col.more;
    return rc;
}

int kpi_scenario_load_sets(kpi_scenario *sc, const char *path,
                           const char *const *sets, size_t nsets, kpi_error *err)
{
    return load(sc, path, NULL, 0, NULL, sets, nsets, NULL, NULL, err, NULL);
}

int kpi_scenario_load_string_sets(kpi_scenario *sc, const char *text, size_t len,
                                  const char *fname, const char *const *sets,
                                  size_t nsets, kpi_error *err)
{
    return load(sc, NULL, text ? text : "", text ? len : 0, fname ? fname : "(text)", sets,
                nsets, NULL, NULL, err, NULL);
}

int kpi_scenario_load(kpi_scenario *sc, const char *path, kpi_error *err)
{
    return load(sc, path, NULL, 0, NULL, NULL, 0, NULL, NULL, err, NULL);
}

int kpi_scenario_load_string(kpi_scenario *sc, const char *text, size_t len,
                             const char *fname, kpi_error *err)
{
    return kpi_scenario_load_string_sets(sc, text, len, fname, NULL, 0, err);
}

int kpi_load_sweep(kpi_scenario *base, const char *path, const char *const *sets,
                   size_t nsets, const kpi_sweep_hooks *hooks, void *ud, kpi_error *err)
{
    return load(base, path, NULL, 0, NULL, sets, nsets, hooks, ud, err, NULL);
}

const kpi_scenario *kpi_loader_scenario(const kpi_loader *ld)
{
    return ld->sc;
}

int kpi_loader_unknown_key(kpi_loader *ld, kpi_place at, const char *path)
{
    const char *dot = strrchr(path, '.');
    char section[256] = "";
    if (dot && (size_t)(dot - path) < sizeof section)
        snprintf(section, sizeof section, "%.*s", (int)(dot - path), path);
    else
        dot = NULL;
    return kpi_loader_unknown_leaf(ld, at, section, dot ? dot + 1 : path);
}
