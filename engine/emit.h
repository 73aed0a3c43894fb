/*
 * emit.h - writing a resolved scenario as YAML (private to the library).
 *
 * The last stage of the scenario round trip: kpi_scenario -> YAML text that
 * kpi_scenario_load reads back to a byte-identical kpi_scenario.  write.c
 * uses it for DIR/scenario.yaml (and does the atomic file handling).
 */
#ifndef KPI_EMIT_H
#define KPI_EMIT_H

#include <stdio.h>

#include "kpisim.h"

/* Writes every key of sc to f with libyaml's emitter: the keys of the
 * table in table order grouped by section, numbers in the shortest form
 * that reads back to the same double, text double-quoted (any language
 * kept readable), funnels as "a:b:c:d", grades as a flow mapping, events
 * as a list of flow mappings with every field of their type.  The
 * assessment section is written only when assessment is enabled, and
 * clients.repeat_share instead of clients.focus when repeat_share >= 0;
 * the loader gives the left-out keys their defaults, as it does for a
 * scenario it loaded, so the round trip is exact for every scenario the
 * loader produces.
 *
 * Flushes f but does not close it.  Returns KPI_OK; KPI_EIO when writing
 * fails (err->msg "writing the scenario failed: <reason>", errno kept);
 * KPI_EINTERNAL when sc holds something that cannot be written (a
 * non-finite number, text that is not UTF-8) or memory runs out. */
int kpi_scenario_emit(const kpi_scenario *sc, FILE *f, kpi_error *err);

#endif /* KPI_EMIT_H */
