/*
 * error.h - filling the error record (private to the library).
 *
 * Every module reports a failure with kpi_error_set: it clears the record,
 * sets the status, the key path (NULL or "" when the error is not about a
 * key) and the message, and returns the status, so that a failure path is
 * one line: `return kpi_error_set(err, KPI_EDATA, "months", "...", ...);`.
 * err may be NULL (the status is still returned).  File, line and column
 * are set by the loader, which knows them.
 */
#ifndef KPI_ERROR_H
#define KPI_ERROR_H

#include <stdarg.h>

#include "kpisim.h"

#if defined(__GNUC__)
#define KPI_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define KPI_PRINTF_LIKE(f, a)
#endif

int kpi_error_set(kpi_error *err, int status, const char *key, const char *fmt, ...)
    KPI_PRINTF_LIKE(4, 5);
int kpi_error_vset(kpi_error *err, int status, const char *key, const char *fmt, va_list ap)
    KPI_PRINTF_LIKE(4, 0);

/* KPI_EINTERNAL with "out of memory WHAT" (e.g. "while simulating"). */
int kpi_error_oom(kpi_error *err, const char *what);

#endif /* KPI_ERROR_H */
