/*
 * load_private.h - what the files of the scenario loader share.
 *
 * The loader is one object (kpi_loader, below) and five files, one topic
 * each:
 *   load.c        the loader object, places and messages, the top-level
 *                 keys of a document, the cross-key check with its blame,
 *                 and the public kpi_scenario_load* functions
 *   load_value.c  single values (numbers, text, funnels, grades, orphan
 *                 policy), keys and sections
 *   load_event.c  the events: list
 *   load_file.c   files and the extends: chain (cycles, depth, devices)
 *   load_set.c    KEY=VALUE assignments (--set, kpi_scenario_set, sweeps)
 * Did-you-mean lives in suggest.c, the schema in scenario.c.  Only the
 * loader's files include this header; sweep.c uses load.h.
 *
 * Names: kpi_loader_* take the loader (they read its state or report into
 * its error record); kpi_load_* need no loader.
 */
#ifndef KPI_LOAD_PRIVATE_H
#define KPI_LOAD_PRIVATE_H

#include <stdint.h>
#include <sys/types.h>

#include "load.h"

/* One file of the extends: chain, to find cycles however a path is
 * spelled. */
typedef struct kpi_chain_link {
    dev_t dev;
    ino_t ino;
    int has_id;           /* 0 for text held in memory */
    const char *name;
} kpi_chain_link;

struct kpi_loader {
    kpi_scenario *sc;              /* the scenario being built */
    kpi_error *err;
    size_t nkeys;
    kpi_place *key_place;          /* where each kpi_keys[] entry was set */
    kpi_place ev_place[KPI_MAX_EVENTS];                     /* each entry */
    kpi_place ev_field_place[KPI_MAX_EVENTS][KPI_EVENT_NFIELDS];
    kpi_event ev_scratch[KPI_MAX_EVENTS];                   /* a list being read */
    kpi_place ev_scratch_place[KPI_MAX_EVENTS];
    kpi_place ev_scratch_field[KPI_MAX_EVENTS][KPI_EVENT_NFIELDS];
    char **names;                  /* file names the places point into */
    size_t nnames, capnames;
    kpi_chain_link chain[KPI_MAX_EXTENDS];
    int chain_len;
    const char *file;              /* the source being read */
    int top_gave_name;
    kpi_place fallback;            /* blame when the blamed key was never set */
    const char *top_file;          /* the file (or text name) loaded, for the check */
    const kpi_sweep_hooks *hooks;  /* a sweep file's load (kpi_load_sweep), or NULL */
    void *hooks_ud;
    /* kpi_scenario_validate: every independent mistake, not only the first */
    kpi_error *found;              /* the errors kept, NULL in a plain load */
    size_t nfound, maxfound;
    int more;                      /* a mistake past maxfound was seen */
};

/* ---- load.c: the loader object and its messages ---- */

/* A loader over a copy of start (defaults when NULL); NULL when out of
 * memory.  kpi_loader_free accepts NULL and half-built loaders. */
kpi_loader *kpi_loader_new(const kpi_scenario *start, kpi_error *err);
void kpi_loader_free(kpi_loader *ld);

/* Keeps a copy of name alive for as long as the loader, for places;
 * NULL when out of memory. */
const char *kpi_loader_keep_name(kpi_loader *ld, const char *name);

/* Loads scenario text (the file name, dir the directory its extends:
 * paths are relative to) at the given depth of the extends: chain. */
int kpi_loader_text(kpi_loader *ld, const char *data, size_t len, const char *name,
                    const char *dir, int depth);

/* The error for an unknown key leaf written in section ("" = top level),
 * with the closest known key suggested; returns KPI_EDATA. */
int kpi_loader_unknown_leaf(kpi_loader *ld, kpi_place at, const char *section,
                            const char *leaf);

/* Copies at most 40 characters of text into buf for a message, with
 * control characters escaped and "..." when cut. */
void kpi_load_show_text(const char *t, size_t len, char *buf, size_t size);

/* "a mapping", "a list", "nothing (null)", "the boolean 'yes'", "1.3" or
 * "the text 'abc'": what a message says was found. */
void kpi_load_describe(const kpi_ynode *n, char *buf, size_t size);

/* After a failure rc of one key (its error in ld->err): in a load that
 * collects mistakes (kpi_scenario_validate), a data error (KPI_EDATA) is
 * kept and KPI_OK returned, so that the load goes on with the next key;
 * anything else, a plain load, or a full list returns rc. */
int kpi_loader_keep(kpi_loader *ld, int rc);

/* ---- load_value.c: values, keys and sections ---- */

/* Reads a number in [lo, hi] / a whole number in [lo, hi] at s. */
int kpi_loader_real(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect,
                    double lo, double hi, double *out);
int kpi_loader_whole(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect,
                     long long lo, long long hi, long long *out);

/* Sets the key k from the value at s and remembers where. */
int kpi_loader_key(kpi_loader *ld, const kpi_key *k, kpi_yslot s);

/* Sets one grade of the grade mapping k from the value at s (path names
 * it in messages) and remembers where. */
int kpi_loader_grade(kpi_loader *ld, const kpi_key *k, int grade, kpi_yslot s,
                     const char *path);

/* Applies the keys of a section mapping (team:, activity:, ...), and
 * assessment: (which also switches assessment on or off). */
int kpi_loader_section(kpi_loader *ld, const char *section, kpi_yslot s);
int kpi_loader_block(kpi_loader *ld, const kpi_block *b, kpi_yslot s);

/* The whole number num holds, in [lo, hi] (12.0 and 1e3 are whole, 12.5
 * is not) / in [0, 2^64 - 1].  0, or -1 when it is not such a number. */
int kpi_load_whole_of(const kpi_ynum *num, long long lo, long long hi, long long *out);
int kpi_load_u64_of(const kpi_ynum *num, uint64_t *out);

/* Splits "a:b:c:d" into four numbers.  Returns 0, or -1 if it is not. */
int kpi_load_split_funnel(const char *t, size_t len, double st[4]);

/* What setting the key k implies for other keys (focus and repeat_share,
 * assessment switched on). */
void kpi_load_after_set(kpi_scenario *sc, const kpi_key *k);

/* ---- load_event.c ---- */

/* events: a list that replaces the current one (nothing = no events). */
int kpi_loader_events(kpi_loader *ld, kpi_yslot s);

/* ---- load_file.c ---- */

/* Loads the file path over the scenario.  from is the place of the
 * extends: value that named it (file NULL for the file the user gave);
 * errors opening it are reported there. */
int kpi_loader_file(kpi_loader *ld, const char *path, kpi_place from, int depth);

/* Follows the extends: value v of a file at the given depth whose
 * directory is dir: loads the parent (and its ancestors) first. */
int kpi_loader_extends(kpi_loader *ld, kpi_yslot v, const char *dir, int depth);

/* Reads the regular file path whole (at most KPI_YAML_MAX_BYTES + 1
 * bytes) into *data (malloc'd), its length *len.  0 or an errno value
 * (EISDIR, EINVAL for a FIFO or a device). */
int kpi_load_read_file(const char *path, char **data, size_t *len);

/* ---- load_set.c ---- */

/* Applies "KEY=VALUE" (VALUE read as YAML) at the place "--set". */
int kpi_loader_assignment(kpi_loader *ld, const char *text);

#endif /* KPI_LOAD_PRIVATE_H */
