/*
 * load.h - the scenario loader's private interface.
 *
 * load.c (with load_*.c, see load_private.h) turns the node tree of
 * yamltree.h into a kpi_scenario, key by key against kpi_keys[]
 * (scenario.h).  Besides the public kpi_scenario_load, kpi_scenario_load_string,
 * kpi_scenario_load_sets and kpi_scenario_set (kpisim.h) it offers the
 * loader's pieces that the sweep file reader (sweep.c) builds on: a load
 * that hands the top file's sweep: block to a callback, the checks and
 * messages of single values, and a fast KEY=VALUE assignment.
 */
#ifndef KPI_LOAD_H
#define KPI_LOAD_H

#include <stddef.h>

#include "error.h"
#include "kpisim.h"
#include "scenario.h"
#include "yamltree.h"

/* At most this many files in one extends: chain (the file loaded and its
 * ancestors). */
#define KPI_MAX_EXTENDS 16

/* ------------------------------------------------------------------ */
/* For sweep files (sweep.c)                                           */
/* ------------------------------------------------------------------ */

/* A place in a source: file NULL means "never set" (a default).  file
 * points into the loader's copies of the file names, which live as long
 * as the loader. */
typedef struct kpi_place {
    const char *file;
    int line, col;
} kpi_place;

/* The state of one load, opaque outside the loader's files.  Everything below that
 * takes one reports errors into the kpi_error the load was given, in the
 * loader's words. */
typedef struct kpi_loader kpi_loader;

/* What a sweep file's load does besides a scenario load.  block is called
 * with the sweep: key and value of the top file (while its tree is alive:
 * keep copies, not pointers into it), in the file's key order; finish is
 * called once the base (the file and every --set) is complete, instead of
 * the cross-key check, which it does itself (kpi_loader_check for the base
 * alone).  Each returns KPI_OK or a status with the error set. */
typedef struct kpi_sweep_hooks {
    int (*block)(void *ud, kpi_loader *ld, kpi_yslot key, kpi_yslot value);
    int (*finish)(void *ud, kpi_loader *ld);
} kpi_sweep_hooks;

/* kpi_scenario_load_sets for a sweep file: as that, but the top file may
 * hold sweep: (a plain load refuses it; a file reached by extends: may
 * never hold it) and hooks take over as said above.  On failure base holds
 * the defaults. */
int kpi_load_sweep(kpi_scenario *base, const char *path, const char *const *sets,
                   size_t nsets, const kpi_sweep_hooks *hooks, void *ud, kpi_error *err);

/* The key of a dotted path of kpi_keys[], or of one grade of a grade
 * mapping ("clients.grade_rate.A": the grade mapping's key, *grade = 0);
 * *grade is -1 otherwise.  NULL when unknown. */
const kpi_key *kpi_load_key(const char *path, int *grade);

/* One KEY=VALUE, as kpi_scenario_set but without the cross-key check (the
 * caller does it once all its keys are set).  Errors as those of --set.
 * Cheap for the values a sweep holds: a number, "a:b:c:d" or an orphan
 * policy is set without YAML; anything else goes through the YAML reader. */
int kpi_load_assign(kpi_scenario *sc, const char *key, const char *value, kpi_error *err);

/* The YAML-free half of kpi_load_assign for a key already looked up:
 * returns 0 when it set the value (with what the key implies for others,
 * e.g. clients.focus drops clients.repeat_share), -1 when the text is not
 * in one of its forms or not valid (sc untouched). */
int kpi_load_assign_fast(kpi_scenario *sc, const kpi_key *k, int grade, const char *text);

/* The loader's scenario (during finish: the base). */
const kpi_scenario *kpi_loader_scenario(const kpi_loader *ld);

/* The place of a tree position of the file being read (during block). */
kpi_place kpi_loader_place(const kpi_loader *ld, kpi_yslot s);

/* Sets the error ("file:line:col: key: message"); returns status. */
int kpi_loader_fail(kpi_loader *ld, int status, kpi_place p, const char *key,
                    const char *fmt, ...) KPI_PRINTF_LIKE(5, 6);

/* "expected EXPECT, got WHAT-WAS-THERE" at s; returns KPI_EDATA. */
int kpi_loader_fail_got(kpi_loader *ld, kpi_yslot s, const char *path, const char *expect);

/* "out of memory while loading the scenario"; returns KPI_EINTERNAL. */
int kpi_loader_out_of_memory(kpi_loader *ld);

/* The key of pair i of map when it is a scalar without NUL bytes that no
 * earlier pair repeats; NULL with the error set otherwise.  Messages name
 * it section.KEY ("" = just KEY). */
const char *kpi_loader_pair_key(kpi_loader *ld, const kpi_ynode *map, size_t i,
                                const char *section);

/* The error for an unknown dotted key path at `at`, with the closest known
 * key suggested; returns KPI_EDATA. */
int kpi_loader_unknown_key(kpi_loader *ld, kpi_place at, const char *path);

/* Reads the value at v for the key path (kpi_load_key) into sc with every
 * check a file gets, messages at v; the loader's own scenario and places
 * are untouched.  Returns KPI_OK or KPI_EDATA. */
int kpi_loader_value(kpi_loader *ld, const char *path, kpi_yslot v, kpi_scenario *sc);

/* Reads a finite number at v (messages say "expected EXPECT"). */
int kpi_loader_number(kpi_loader *ld, kpi_yslot v, const char *path, const char *expect,
                      kpi_ynum *num);

/* The cross-key check of the loader's scenario, blamed where the blamed
 * key was last set (as kpi_scenario_load does). */
int kpi_loader_check(kpi_loader *ld);

#endif /* KPI_LOAD_H */
