/*
 * fuzzcheck.h - one untrusted input through every way kpisim reads a
 * scenario, and what must hold of each answer.
 *
 * Shared by the fuzz target (tests/fuzz_scenario.c, `make fuzz`) and the
 * regression test (tests/test_regression.c, `make test`), so that a file
 * the fuzzer saved is checked in the test suite exactly as the fuzzer ran
 * it.  The ways in:
 *   1. the text as a scenario (kpi_scenario_load_string, as the built-in
 *      default and every file are read); when it loads, the round trip:
 *      the resolved scenario written as YAML (kpi_scenario_emit) must load
 *      back and write the same text again, pass the cross-key check, and
 *      explain and estimate its memory without fault;
 *   2. the text as a file on disk read as a sweep file (kpi_sweep_load, as
 *      `kpisim validate` and `kpisim sweep` read every file), with its
 *      first and last grid points built;
 *      and as `kpisim validate` reads it first (kpi_scenario_validate: every
 *      mistake, each a clean answer, none in a file the sweep load takes);
 *   3. its first line as a --set KEY=VALUE override (kpi_scenario_set).
 * Each answer must be KPI_OK or a clean error: KPI_EDATA or KPI_ENOINPUT,
 * the status in the record, a message.  Crashes, hangs, leaks and
 * undefined behaviour are for the sanitizers and the fuzzer to see.
 */
#ifndef KPI_FUZZCHECK_H
#define KPI_FUZZCHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "kpisim.h"

/* Fills why (always NUL-terminated) and returns 0 when an answer is not
 * clean; returns 1 when it is. */
static int fuzz_answer(const char *way, int rc, const kpi_error *err, char *why, size_t size)
{
    char buf[4096];
    if (rc == KPI_OK)
        return 1;
    if (rc != KPI_EDATA && rc != KPI_ENOINPUT) {
        snprintf(why, size, "%s: status %d (%s)", way, rc, err->msg);
        return 0;
    }
    if (err->status != rc) {
        snprintf(why, size, "%s: status %d but the error record says %d", way, rc,
                 err->status);
        return 0;
    }
    if (memchr(err->msg, '\0', sizeof err->msg) == NULL || err->msg[0] == '\0') {
        snprintf(why, size, "%s: status %d without a message", way, rc);
        return 0;
    }
    if (err->line < 0 || err->col < 0 || (err->line == 0 && err->col != 0)) {
        snprintf(why, size, "%s: bad place %d:%d (%s)", way, err->line, err->col, err->msg);
        return 0;
    }
    kpi_error_format(err, buf, sizeof buf);
    if (buf[0] == '\0') {
        snprintf(why, size, "%s: kpi_error_format wrote nothing", way);
        return 0;
    }
    return 1;
}

/* sc written as YAML into a malloc'd string (*text, *len); 0 or -1. */
static int fuzz_emit(const kpi_scenario *sc, char **text, size_t *len, kpi_error *err)
{
    FILE *f = open_memstream(text, len);
    if (!f)
        return -1;
    int rc = kpi_scenario_emit(sc, f, err);
    if (fclose(f) != 0 || rc != KPI_OK) {
        free(*text);
        *text = NULL;
        return -1;
    }
    return 0;
}

/* Way 1's round trip of a scenario that loaded. */
static int fuzz_round_trip(const kpi_scenario *sc, char *why, size_t size)
{
    kpi_scenario *again = malloc(sizeof *again);
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    kpi_error err;
    int ok = 0;
    if (!again) {
        snprintf(why, size, "out of memory");
        return 0;
    }
    memset(&err, 0, sizeof err);
    if (fuzz_emit(sc, &t1, &n1, &err) != 0) {
        snprintf(why, size, "a loaded scenario cannot be written: %s", err.msg);
        goto done;
    }
    int rc = kpi_scenario_load_string(again, t1, n1, "emitted.yaml", &err);
    if (rc != KPI_OK) {
        snprintf(why, size, "the written scenario does not load back: %s (line %d col %d)",
                 err.msg, err.line, err.col);
        goto done;
    }
    if (fuzz_emit(again, &t2, &n2, &err) != 0) {
        snprintf(why, size, "the reloaded scenario cannot be written: %s", err.msg);
        goto done;
    }
    if (n1 != n2 || memcmp(t1, t2, n1) != 0) {
        snprintf(why, size, "the round trip changes the scenario:\n%s\n---\n%s", t1, t2);
        goto done;
    }
    if (kpi_scenario_check(sc, &err) != KPI_OK) {
        snprintf(why, size, "a loaded scenario fails kpi_scenario_check: %s", err.msg);
        goto done;
    }
    kpi_explain_line lines[64];
    int nl = kpi_explain(sc, lines, 64);
    if (nl < 1 || nl > 64) {
        snprintf(why, size, "kpi_explain gave %d lines", nl);
        goto done;
    }
    kpi_memory need;
    kpi_memory_estimate(sc, sc->replications, 2, &need);
    if (!(need.total > 0) || !isfinite(need.total) || !(need.results >= 0)) {
        snprintf(why, size, "kpi_memory_estimate: %g bytes", need.total);
        goto done;
    }
    ok = 1;
done:
    free(t1);
    free(t2);
    free(again);
    return ok;
}

/* Checks one input; tmppath is a file the sweep way may (over)write.
 * Returns 1 when every answer was clean, else 0 with why filled. */
static int fuzz_check(const uint8_t *data, size_t size, const char *tmppath, char *why,
                      size_t whysize)
{
    kpi_scenario *sc = malloc(sizeof *sc);
    kpi_sweep *sw = NULL;
    kpi_error err;
    int ok = 0, rc;
    if (!sc) {
        snprintf(why, whysize, "out of memory");
        return 0;
    }

    /* 1. As a scenario. */
    memset(&err, 0, sizeof err);
    rc = kpi_scenario_load_string(sc, (const char *)data, size, "fuzz.yaml", &err);
    if (!fuzz_answer("scenario", rc, &err, why, whysize))
        goto done;
    if (rc == KPI_OK && !fuzz_round_trip(sc, why, whysize))
        goto done;

    /* 2. As a sweep file on disk. */
    FILE *f = fopen(tmppath, "wb");
    if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        snprintf(why, whysize, "cannot write %s", tmppath);
        goto done;
    }
    memset(&err, 0, sizeof err);
    rc = kpi_sweep_load(sc, &sw, tmppath, NULL, 0, &err);
    if (!fuzz_answer("sweep", rc, &err, why, whysize))
        goto done;
    if (rc == KPI_OK) {
        kpi_scenario *pt = malloc(sizeof *pt);
        int r1 = KPI_EINTERNAL, r2 = KPI_EINTERNAL;
        if (pt && sw->npoints >= 1) {
            r1 = kpi_sweep_point(sw, sc, 0, pt, NULL, &err);
            r2 = kpi_sweep_point(sw, sc, sw->npoints - 1, pt, NULL, &err);
        }
        free(pt);
        if (r1 != KPI_OK || r2 != KPI_OK) {
            snprintf(why, whysize, "sweep: %ld points, but a point cannot be built: %s",
                     sw->npoints, err.msg);
            goto done;
        }
    }

    /* 2b. As `kpisim validate` reads it first: every mistake (a few at
     * most here), each a clean answer; a file with a mistake listed is
     * one that the plain load refuses too. */
    {
        kpi_error errs[4];
        size_t nerrs = 99;
        int more = 0;
        int vrc = kpi_scenario_validate(tmppath, NULL, 0, errs, 4, &nerrs, &more);
        if (nerrs > 4 || (vrc == KPI_OK) != (nerrs == 0) || (more && nerrs != 4)) {
            snprintf(why, whysize, "validate: status %d with %zu mistakes (more %d)", vrc,
                     nerrs, more);
            goto done;
        }
        for (size_t i = 0; i < nerrs; i++)
            if (!fuzz_answer("validate", errs[i].status, &errs[i], why, whysize))
                goto done;
        if (vrc != KPI_OK && (vrc != errs[0].status || rc == KPI_OK)) {
            snprintf(why, whysize, "validate: status %d (%s), but the sweep load gave %d", vrc,
                     errs[0].msg, rc);
            goto done;
        }
    }

    /* 3. The first line as --set KEY=VALUE, on the defaults. */
    const uint8_t *eol = memchr(data, '\n', size);
    size_t n = eol ? (size_t)(eol - data) : size;
    if (n < 4096 && memchr(data, '\0', n) == NULL && memchr(data, '=', n) != NULL) {
        char line[4096];
        memcpy(line, data, n);
        line[n] = '\0';
        kpi_scenario_defaults(sc);
        memset(&err, 0, sizeof err);
        rc = kpi_scenario_set(sc, line, &err);
        if (!fuzz_answer("--set", rc, &err, why, whysize))
            goto done;
    }
    ok = 1;
done:
    kpi_sweep_free(sw);
    free(sc);
    return ok;
}

#endif /* KPI_FUZZCHECK_H */
