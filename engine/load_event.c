/*
 * load_event.c - the scenario loader's events: list.  Each entry is a
 * mapping with a type and the fields of the event schema (kpi_event_fields,
 * scenario.c) that its type takes; a list replaces the one before it
 * (from a parent file or an earlier --set) as a whole.
 */
#include "load_private.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"
#include "suggest.h"
#include "yamltree.h"

#define NEVENT_TYPES KPI_EVENT_NTYPES
#define EV(t) (1u << (t))

/* "contest, seminar, ... or training", for messages. */
static void event_type_list(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int t = 0; t < NEVENT_TYPES && used < size; t++) {
        const char *sep = t == 0 ? "" : t == NEVENT_TYPES - 1 ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, kpi_event_types[t]);
        if (w > 0)
            used += (size_t)w;
    }
}

/* The event type named at s, or -1 with the error set. */
static int event_type(kpi_loader *ld, kpi_yslot s, const char *path)
{
    const kpi_ynode *n = s.node;
    char got[256], types[128];
    event_type_list(types, sizeof types);
    if (n->kind == KPI_YSCALAR && strlen(n->text) == n->len &&
        kpi_yscalar_kind(n) != KPI_YS_NULL) {
        int t = kpi_event_type_find(n->text);
        if (t >= 0)
            return t;
        const char *best = kpi_suggest_word(n->text, kpi_event_types);
        if (best) {
            kpi_load_describe(n, got, sizeof got);
            kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                            "expected %s, got %s; did you mean '%s'?", types, got, best);
            return -1;
        }
    }
    kpi_loader_fail_got(ld, s, path, types);
    return -1;
}

/* Reads events entry i (a mapping) into the scratch list. */
static int read_event(kpi_loader *ld, size_t i, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    kpi_event *ev = &ld->ev_scratch[i];
    char prefix[32], path[300];
    size_t type_at = SIZE_MAX, month_at = SIZE_MAX;
    int type;
    snprintf(prefix, sizeof prefix, "events[%zu]", i);
    if (n->kind != KPI_YMAPPING)
        return kpi_loader_fail_got(ld, s, prefix, "an event such as {type: contest, month: 4}");
    /* First the keys: known names, no duplicates, and where type is. */
    for (size_t p = 0; p < n->npairs; p++) {
        const char *name = kpi_loader_pair_key(ld, n, p, prefix);
        if (!name)
            return ld->err->status;
        if (strcmp(name, "type") == 0) {
            type_at = p;
        } else if (kpi_event_field_find(name) < 0) {
            const char *names[KPI_EVENT_NFIELDS + 2] = {"type"};
            for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
                names[f + 1] = kpi_event_fields[f].name;
            names[KPI_EVENT_NFIELDS + 1] = NULL;
            const char *best = kpi_suggest_word(name, names);
            char shown[200];
            kpi_load_show_text(name, strlen(name), shown, sizeof shown);
            snprintf(path, sizeof path, "%s.%s", prefix, shown);
            if (best)
                return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->pairs[p].key), path,
                                       "unknown key; did you mean '%s'?", best);
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->pairs[p].key), path,
                                   "unknown key");
        } else if (strcmp(name, "month") == 0) {
            month_at = p;
        }
    }
    snprintf(path, sizeof path, "%s.type", prefix);
    if (type_at == SIZE_MAX) {
        char types[128];
        event_type_list(types, sizeof types);
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                               "expected the event's type (%s), got none", types);
    }
    type = event_type(ld, n->pairs[type_at].value, path);
    if (type < 0)
        return ld->err->status;
    if (month_at == SIZE_MAX) {
        snprintf(path, sizeof path, "%s.month", prefix);
        return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, s), path,
                               "expected the event's month (%s), got none",
                               kpi_event_fields[0].expect);
    }
    kpi_event_defaults(ev, type);
    ld->ev_scratch_place[i] = kpi_loader_place(ld, s);
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
        ld->ev_scratch_field[i][f].file = NULL;
    /* Then the values. */
    for (size_t p = 0; p < n->npairs; p++) {
        if (p == type_at)
            continue;
        const char *name = n->pairs[p].key.node->text;
        int f = kpi_event_field_find(name);
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
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->pairs[p].key), path,
                                   "a %s event has no '%s' (it takes month%s)",
                                   kpi_event_type_name(type), name, takes);
        }
        if (fd->whole) {
            long long w = 0;
            rc = kpi_loader_whole(ld, v, path, fd->expect, (long long)fd->min,
                                  (long long)fd->max, &w);
            if (rc == KPI_OK) {
                int iv = (int)w;
                memcpy((char *)ev + fd->offset, &iv, sizeof iv);
            }
        } else {
            double d = 0;
            rc = kpi_loader_real(ld, v, path, fd->expect, fd->min, fd->max, &d);
            if (rc == KPI_OK)
                memcpy((char *)ev + fd->offset, &d, sizeof d);
        }
        if (rc != KPI_OK)
            return rc;
        ld->ev_scratch_field[i][f] = kpi_loader_place(ld, v);
    }
    return KPI_OK;
}

/* events: a list that replaces the current one (nothing = no events). */
int kpi_loader_events(kpi_loader *ld, kpi_yslot s)
{
    const kpi_ynode *n = s.node;
    size_t count = 0;
    if (n->kind == KPI_YSCALAR && kpi_yscalar_kind(n) == KPI_YS_NULL) {
        count = 0;
    } else if (n->kind != KPI_YSEQUENCE) {
        return kpi_loader_fail_got(ld, s, "events", "a list of events (lines starting with '- ')");
    } else {
        count = n->nitems;
        if (count > KPI_MAX_EVENTS)
            return kpi_loader_fail(ld, KPI_EDATA, kpi_loader_place(ld, n->items[KPI_MAX_EVENTS]),
                                   "events", "expected at most %d events, got %zu",
                                   KPI_MAX_EVENTS, count);
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

