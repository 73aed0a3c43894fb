/*
 * load.h - the scenario loader's private interface.
 *
 * load.c turns the node tree of yamltree.h into a kpi_scenario, key by key
 * against kpi_keys[] (scenario.h).  Besides the public kpi_scenario_load,
 * kpi_scenario_load_string, kpi_scenario_load_sets and kpi_scenario_set
 * (kpisim.h) it offers the table of event fields, which the emitter shares.
 */
#ifndef KPI_LOAD_H
#define KPI_LOAD_H

#include <stddef.h>

#include "kpisim.h"

/* At most this many files in one extends: chain (the file loaded and its
 * ancestors). */
#define KPI_MAX_EXTENDS 16

/* One field of an event entry besides its type, in the order a file and
 * the emitter write them.  types is a bit set of (1 << enum kpi_event_type):
 * the types that take the field (month: all of them). */
typedef struct kpi_event_field {
    const char *name;
    unsigned types;
    int whole;            /* int field (1) or double (0) */
    size_t offset;        /* offsetof(kpi_event, ...) */
    double min, max;      /* inclusive range checked by the loader */
    const char *expect;   /* for messages: "an effort multiplier in [0, 10]" */
} kpi_event_field;

#define KPI_EVENT_NFIELDS 8
extern const kpi_event_field kpi_event_fields[KPI_EVENT_NFIELDS];

#endif /* KPI_LOAD_H */
