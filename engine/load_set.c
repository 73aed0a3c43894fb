/*
 * load_set.c - KEY=VALUE assignments: --set (after the files of a load),
 * kpi_scenario_set, and kpi_load_assign / kpi_load_assign_fast, with which
 * sweep.c sets the values of a grid point.  VALUE is read as YAML, except
 * on the fast path, which takes the plain numbers, funnels and words that
 * need no YAML.
 */
#include "load_private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scenario.h"
#include "yamltree.h"

/* "out of memory" at "--set"; returns KPI_EINTERNAL. */
static int set_out_of_memory(kpi_error *err)
{
    kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    snprintf(err->file, sizeof err->file, "--set");
    return KPI_EINTERNAL;
}

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
int kpi_loader_assignment(kpi_loader *ld, const char *text)
{
    const char *eq = strchr(text, '=');
    kpi_ytree *tree = NULL;
    char key[256];
    kpi_place at_key = {"--set", 1, 1};
    const kpi_key *k;
    int rc, grade;
    size_t klen;

    ld->file = "--set";
    if (strncmp(text, "events[", 7) == 0)
        return kpi_loader_fail(ld, KPI_EDATA, at_key, "events",
                               "one event cannot be set alone; give the whole list, as in "
                               "events=[{type: contest, month: 4}]");
    if (!eq || eq == text) {
        char shown[200];
        kpi_load_show_text(text, strlen(text), shown, sizeof shown);
        return kpi_loader_fail(ld, KPI_EDATA, at_key, "", "expected KEY=VALUE, got '%s'", shown);
    }
    klen = (size_t)(eq - text);
    if (klen >= sizeof key)
        return kpi_loader_fail(ld, KPI_EDATA, at_key, "", "unknown key (%zu characters long)",
                               klen);
    memcpy(key, text, klen);
    key[klen] = '\0';
    if (strcmp(key, "extends") == 0)
        return kpi_loader_fail(ld, KPI_EDATA, at_key, "extends",
                               "extends cannot be changed with --set; load the other file instead");
    if (strcmp(key, "sweep") == 0)
        return kpi_loader_fail(ld, KPI_EDATA, at_key, "sweep",
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
    ld->fallback = kpi_loader_place(ld, v);
    if ((k = kpi_key_find(key)) != NULL) {
        rc = kpi_loader_key(ld, k, v);
    } else if (strcmp(key, "events") == 0) {
        rc = kpi_loader_events(ld, v);
    } else if (kpi_block_find(key)) {
        rc = kpi_loader_block(ld, kpi_block_find(key), v);
    } else if (kpi_top_level_known(key)) {
        rc = kpi_loader_section(ld, key, v);
    } else if ((k = grade_path(key, &grade)) != NULL) {
        rc = kpi_loader_grade(ld, k, grade, v, key);
    } else {
        rc = kpi_loader_unknown_key(ld, at_key, key);
    }
    kpi_ytree_free(tree);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Cross-key checks and the public entry points                        */

int kpi_scenario_set(kpi_scenario *sc, const char *assignment, kpi_error *err)
{
    kpi_error local;
    kpi_loader *ld;
    int rc;

    if (!err)
        err = &local;
    memset(err, 0, sizeof *err);
    if (!assignment) {
        kpi_error_set(err, KPI_EUSAGE, NULL, "expected KEY=VALUE, got nothing");
        snprintf(err->file, sizeof err->file, "--set");
        return KPI_EUSAGE;
    }
    ld = kpi_loader_new(sc, err);
    if (!ld)
        return set_out_of_memory(err);
    rc = kpi_loader_assignment(ld, assignment);
    ld->top_file = "--set";
    if (rc == KPI_OK)
        rc = kpi_loader_check(ld);
    if (rc == KPI_OK)
        memcpy(sc, ld->sc, sizeof *sc);
    kpi_loader_free(ld);
    return rc;
}

/* ------------------------------------------------------------------ */
/* For sweep files (sweep.c)                                           */
/* ------------------------------------------------------------------ */

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
            kpi_load_whole_of(&num, (long long)k->min, (long long)k->max, &w) != 0)
            return -1;
        kpi_key_set_whole(k, sc, w);
        break;
    }
    case KPI_KT_U64: {
        uint64_t v;
        if (kpi_ynum_parse(text, len, &num) != KPI_YNUM_OK || kpi_load_u64_of(&num, &v) != 0)
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
        if (strspn(text, "0123456789.:+-_eE") != len ||
            kpi_load_split_funnel(text, len, f.stage) != 0)
            return -1;
        for (int i = 0; i < 4; i++)
            if (f.stage[i] < 0)
                return -1;
        memcpy(field, &f, sizeof f);
        break;
    }
    case KPI_KT_ORPHAN: {
        int v = kpi_orphan_find(text);
        if (v < 0)
            return -1;
        kpi_key_set_whole(k, sc, v);
        break;
    }
    default:
        return -1;
    }
    kpi_load_after_set(sc, k);
    return 0;
}

int kpi_load_assign(kpi_scenario *sc, const char *key, const char *value, kpi_error *err)
{
    kpi_error local;
    const kpi_key *k;
    kpi_loader *ld;
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
    ld = text ? kpi_loader_new(sc, err) : NULL;
    if (!ld) {
        free(text);
        return set_out_of_memory(err);
    }
    snprintf(text, n, "%s=%s", key, value);
    rc = kpi_loader_assignment(ld, text);
    if (rc == KPI_OK)
        memcpy(sc, ld->sc, sizeof *sc);
    kpi_loader_free(ld);
    free(text);
    return rc;
}

