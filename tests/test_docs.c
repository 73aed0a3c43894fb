/*
 * test_docs.c - the key tables of the docs against the schema (scenario.c).
 *
 * Every key of kpi_keys[] has its row in docs/scenarios.md (with the text
 * the loader expects) and in docs/model.md (with its default, which must
 * be the table's wherever the page states a value); every event field has
 * its row in docs/scenarios.md (what it takes, the types that take it, its
 * defaults), and every event type its row in docs/model.md with the
 * defaults of its fields.  A key added to the table without its docs
 * fails here.
 */
#define TEST_NAME "test_docs"
#include "harness.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "yamltree.h"

/* The whole file as a NUL-terminated string (to be freed), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 || len == 0) {
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
        buf[len] = '\0';
        if (n == 0)
            break;
    }
    fclose(f);
    return buf;
}

/* The second cell of the row "| `key` | CELL | ..." of doc, into cell;
 * 0 when there is no such row. */
static int row_cell(const char *doc, const char *key, char *cell, size_t size)
{
    char head[300];
    snprintf(head, sizeof head, "\n| `%s` | ", key);
    const char *p = strstr(doc, head);
    if (!p)
        return 0;
    p += strlen(head);
    const char *end = strstr(p, " |");
    if (!end || (size_t)(end - p) >= size)
        return 0;
    memcpy(cell, p, (size_t)(end - p));
    cell[end - p] = '\0';
    return 1;
}

/* The number text t (of len bytes) as a double; 0 when it is not one. */
static int number_of(const char *t, size_t len, double *out)
{
    kpi_ynum num;
    if (kpi_ynum_parse(t, len, &num) != KPI_YNUM_OK)
        return 0;
    *out = num.value;
    return 1;
}

/* Whether the n numbers of text (separated by any of seps, each number
 * possibly after "X: " for a grade letter) are vals. */
static int numbers_match(const char *text, const char *seps, const double *vals, int n)
{
    char buf[256];
    int i = 0;
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, seps); tok; tok = strtok(NULL, seps)) {
        double v;
        char *colon = strchr(tok, ':');
        if (colon)
            tok = colon + 1;
        while (*tok == ' ')
            tok++;
        if (i >= n || !number_of(tok, strlen(tok), &v) || v != vals[i])
            return 0;
        i++;
    }
    return i == n;
}

/* Whether the default cell of model.md states the default of key k.
 * Cells in words ("the file's base name") state nothing to check. */
static int default_matches(const kpi_key *k, const char *cell)
{
    double v;
    size_t len = strlen(cell);
    switch (k->type) {
    case KPI_KT_TEXT:
        return strcmp(cell, "`\"\"`") == 0;
    case KPI_KT_NAME:
        return 1;
    case KPI_KT_FUNNEL:
        if (len < 4 || strncmp(cell, "`\"", 2) != 0 || strcmp(cell + len - 2, "\"`") != 0)
            return 0;
        {
            char inner[128];
            snprintf(inner, sizeof inner, "%.*s", (int)(len - 4), cell + 2);
            return numbers_match(inner, ":", k->defs, 4);
        }
    case KPI_KT_GRADES:
        if (len < 4 || strncmp(cell, "`{", 2) != 0 || strcmp(cell + len - 2, "}`") != 0)
            return 0;
        {
            char inner[200];
            snprintf(inner, sizeof inner, "%.*s", (int)(len - 4), cell + 2);
            /* "A: 0.1, B: 0.15, ...": the letters in the order of KPI_GRADES. */
            for (int g = 0; g < 6; g++) {
                char letter[4] = {KPI_GRADES[g], ':', '\0'};
                if (!strstr(inner, letter))
                    return 0;
            }
            return numbers_match(inner, ",", k->defs, 6);
        }
    case KPI_KT_MONTHS:
        if (len < 4 || strncmp(cell, "`[", 2) != 0 || strcmp(cell + len - 2, "]`") != 0)
            return 0;
        {
            char inner[256];
            snprintf(inner, sizeof inner, "%.*s", (int)(len - 4), cell + 2);
            return numbers_match(inner, ",", k->defs, 12);
        }
    case KPI_KT_ORPHAN:
        return strcmp(cell, k->def == KPI_ORPHAN_LOSE ? "`lose`" : "`reassign`") == 0;
    case KPI_KT_OPTREAL:
        if (k->def < 0)
            return strcmp(cell, "(not given)") == 0;
        return number_of(cell, len, &v) && v == k->def;
    default:
        return number_of(cell, len, &v) && v == k->def;
    }
}

/* Every key: its row in both pages, its default in model.md. */
static void test_keys(const char *scenarios, const char *model)
{
    int n = 0;
    for (const kpi_key *k = kpi_keys; k->path; k++, n++) {
        char row[512], cell[256];
        snprintf(row, sizeof row, "| `%s` | %s |", k->path, k->expect);
        CHECK(strstr(scenarios, row) != NULL, "docs/scenarios.md lacks the row %s", row);
        if (!row_cell(model, k->path, cell, sizeof cell)) {
            CHECK(0, "docs/model.md lacks a row | `%s` | default | meaning |", k->path);
            continue;
        }
        CHECK(default_matches(k, cell), "docs/model.md: %s has the default %s, the table another",
              k->path, cell);
    }
    CHECK(n >= 60, "keys in the table: %d", n);
}

/* The default column of an event field in docs/scenarios.md: the default
 * most of its types share, then "(TYPE: X)" for the others; month is
 * "(required)". */
static void field_default_text(const kpi_event_field *fd, char *buf, size_t size)
{
    int common = -1, best = 0;
    if (strcmp(fd->name, "month") == 0) {
        snprintf(buf, size, "(required)");
        return;
    }
    for (int t = 0; t < KPI_EVENT_NTYPES; t++) {
        int same = 0;
        if (!(fd->types & (1u << t)))
            continue;
        for (int u = 0; u < KPI_EVENT_NTYPES; u++)
            same += (fd->types & (1u << u)) && fd->def[u] == fd->def[t];
        if (same > best) {
            best = same;
            common = t;
        }
    }
    size_t used = (size_t)snprintf(buf, size, "%g", fd->def[common]);
    for (int t = 0; t < KPI_EVENT_NTYPES && used < size; t++)
        if ((fd->types & (1u << t)) && fd->def[t] != fd->def[common])
            used += (size_t)snprintf(buf + used, size - used, " (%s: %g)", kpi_event_types[t],
                                     fd->def[t]);
}

/* Every event field: its row in docs/scenarios.md; every event type: its
 * row in docs/model.md with the fields it takes and their defaults. */
static void test_events(const char *scenarios, const char *model)
{
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++) {
        const kpi_event_field *fd = &kpi_event_fields[f];
        char types[256] = "", def[128], row[768];
        if (fd->types == (1u << KPI_EVENT_NTYPES) - 1) {
            snprintf(types, sizeof types, "all");
        } else {
            for (int t = 0; t < KPI_EVENT_NTYPES; t++) {
                size_t used = strlen(types);
                if (fd->types & (1u << t))
                    snprintf(types + used, sizeof types - used, "%s%s", used ? ", " : "",
                             kpi_event_types[t]);
            }
        }
        field_default_text(fd, def, sizeof def);
        snprintf(row, sizeof row, "| `%s` | %s | %s | %s |", fd->name, fd->expect, types, def);
        CHECK(strstr(scenarios, row) != NULL, "docs/scenarios.md lacks the row %s", row);
    }
    for (int t = 0; t < KPI_EVENT_NTYPES; t++) {
        char row[512];
        size_t used = (size_t)snprintf(row, sizeof row, "| `%s` | ", kpi_event_types[t]);
        int first = 1;
        for (int f = 0; f < KPI_EVENT_NFIELDS; f++) {
            const kpi_event_field *fd = &kpi_event_fields[f];
            if (strcmp(fd->name, "month") == 0 || !(fd->types & (1u << t)))
                continue;
            used += (size_t)snprintf(row + used, sizeof row - used, "%s`%s` (%g)",
                                     first ? "" : ", ", fd->name, fd->def[t]);
            first = 0;
        }
        snprintf(row + used, sizeof row - used, " |");
        CHECK(strstr(model, row) != NULL, "docs/model.md lacks the row %s", row);
    }
}

int main(void)
{
    char *scenarios = slurp("docs/scenarios.md");
    char *model = slurp("docs/model.md");
    CHECK(scenarios != NULL, "docs/scenarios.md readable");
    CHECK(model != NULL, "docs/model.md readable");
    if (scenarios && model) {
        test_keys(scenarios, model);
        test_events(scenarios, model);
    }
    free(scenarios);
    free(model);
    return TEST_DONE();
}
