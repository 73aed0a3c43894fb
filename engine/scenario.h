/*
 * scenario.h - the scenario schema (private to the library).
 *
 * The table of every scenario key (path, type, range, how to describe what
 * is expected, its default) that the loader (load.c), the emitter (emit.c)
 * and the docs share; kpi_scenario_defaults is made from it.  The meaning
 * of every key is in docs/model.md.
 */
#ifndef KPI_SCENARIO_H
#define KPI_SCENARIO_H

#include "kpisim.h"

enum kpi_key_type {
    KPI_KT_TEXT,     /* char[size]: any UTF-8 text */
    KPI_KT_NAME,     /* char[size]: a file-name-safe name [A-Za-z0-9._-] */
    KPI_KT_INT,      /* int, whole number in [min, max] */
    KPI_KT_LONG,     /* long, whole number in [min, max] */
    KPI_KT_U64,      /* uint64_t, whole number in [0, 2^64 - 1] */
    KPI_KT_REAL,     /* double, finite, in [min, max] */
    KPI_KT_FUNNEL,   /* kpi_funnel: "a:b:c:d" or [a, b, c, d] */
    KPI_KT_GRADES,   /* double[6]: mapping {A: x, B: x, C: x, D: x, E: x, N: x} */
    KPI_KT_ORPHAN,   /* int: reassign | lose */
    KPI_KT_OPTREAL   /* double, optional: < 0 stored when not given */
};

typedef struct kpi_key {
    const char *path;      /* dotted key path, e.g. "activity.compliance" */
    int type;              /* enum kpi_key_type */
    size_t offset;         /* offsetof(kpi_scenario, ...) */
    size_t size;           /* bytes, for text fields */
    double min, max;       /* inclusive range for numbers */
    double def;            /* the default of a number or orphan policy */
    const double *defs;    /* the default stages of a funnel, grades of a mapping */
    const char *noun;      /* what a value is, without its range: "a probability" */
    const char *expect;    /* noun and range, made from min and max (scenario.c):
                            * "a probability in [0, 1]" */
} kpi_key;

/* The key table, terminated by an entry with path == NULL.  Section keys
 * (team, activity, ...) are implied by the dotted paths; "extends",
 * "events" and "assessment" (whose presence enables assessment) are handled
 * by the loader itself. */
extern const kpi_key kpi_keys[];

/* What a value of key k expects, for messages: k->expect, or for one
 * grade (grade >= 0) of a grade mapping "a number in [0, 1]" (in buf). */
const char *kpi_key_expect(const kpi_key *k, int grade, char *buf, size_t size);

/* The whole number a key of type KPI_KT_INT, KPI_KT_LONG or KPI_KT_ORPHAN
 * holds in sc, and setting it. */
long long kpi_key_whole(const kpi_key *k, const kpi_scenario *sc);
void kpi_key_set_whole(const kpi_key *k, kpi_scenario *sc, long long v);

/* The orphan policies' words: kpi_orphan_words[KPI_ORPHAN_REASSIGN] is
 * "reassign" (NULL-terminated); kpi_orphan_find returns the policy a word
 * names, or -1. */
extern const char *const kpi_orphan_words[];
int kpi_orphan_find(const char *word);

/* Looks a key up by its dotted path; NULL when unknown. */
const kpi_key *kpi_key_find(const char *path);

/* Cross-key checks.  On failure returns KPI_EDATA and writes the path of
 * the key to blame (e.g. "activity.compliance_sd" or "events[2].month")
 * into key and the message (without the key) into msg. */
int kpi_scenario_check_keys(const kpi_scenario *sc, char *key, size_t keysize,
                            char *msg, size_t msgsize);

/* Top-level names that are not in kpi_keys[]: the sections and the keys
 * the loader handles itself (extends, events, assessment, sweep);
 * NULL-terminated. */
extern const char *const kpi_sections[];

/* Whether name may stand at the top level of a scenario: a key of
 * kpi_keys[] without a dot, or one of kpi_sections[]. */
int kpi_top_level_known(const char *name);

/* The last part of a dotted key path ("calls_per_day"). */
const char *kpi_key_leaf(const char *path);

/* Whether c may stand in a name (KPI_KT_NAME): [A-Za-z0-9._-]. */
int kpi_name_char(char c);

/* One field of an event entry besides its type, in the order a file and
 * the emitter write them.  types is a bit set of (1 << enum kpi_event_type):
 * the types that take the field (month: all of them). */
typedef struct kpi_event_field {
    const char *name;
    unsigned types;
    int whole;            /* int field (1) or double (0) */
    size_t offset;        /* offsetof(kpi_event, ...) */
    double min, max;      /* inclusive range checked by the loader */
    double def[KPI_EVENT_NTYPES];   /* the default, by event type */
    const char *noun;     /* what a value is: "an effort multiplier" */
    const char *expect;   /* noun and range, made from min and max:
                           * "an effort multiplier in [0, 10]" */
} kpi_event_field;

#define KPI_EVENT_NFIELDS 8
extern const kpi_event_field kpi_event_fields[KPI_EVENT_NFIELDS];

/* The index of the event field named name in kpi_event_fields, or -1. */
int kpi_event_field_find(const char *name);

/* Event types: names as written in scenarios ("contest", ...), in the
 * order of enum kpi_event_type, NULL-terminated. */
extern const char *const kpi_event_types[KPI_EVENT_NTYPES + 1];
const char *kpi_event_type_name(int type);
int kpi_event_type_find(const char *name);   /* -1 when unknown */

/* Defaults of an event of the given type, for fields a file leaves out. */
void kpi_event_defaults(kpi_event *ev, int type);

/* The grade letters, in the order of the grade arrays: "ABCDEN". */
#define KPI_GRADES "ABCDEN"

#endif /* KPI_SCENARIO_H */
