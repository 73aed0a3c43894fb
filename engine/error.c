/*
 * error.c - the error record (kpi_error of kpisim.h): filling it and
 * formatting it.  Every module of the library reports through
 * kpi_error_set, so that a message has one shape everywhere:
 * "file:line:col: key: what was expected".
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int kpi_error_vset(kpi_error *err, int status, const char *key, const char *fmt, va_list ap)
{
    if (!err)
        return status;
    memset(err, 0, sizeof *err);
    err->status = status;
    if (key)
        snprintf(err->key, sizeof err->key, "%s", key);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return status;
}

int kpi_error_set(kpi_error *err, int status, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kpi_error_vset(err, status, key, fmt, ap);
    va_end(ap);
    return status;
}

int kpi_error_oom(kpi_error *err, const char *what)
{
    return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory %s", what);
}

char *kpi_error_format(const kpi_error *err, char *buf, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
#define APPEND(...) do { \
        if (n < size) { int w_ = snprintf(buf + n, size - n, __VA_ARGS__); \
            if (w_ > 0) n += (size_t)w_; } } while (0)
    if (err->file[0]) {
        APPEND("%s:", err->file);
        if (err->line > 0) {
            APPEND("%d:", err->line);
            if (err->col > 0)
                APPEND("%d:", err->col);
        }
        APPEND(" ");
    }
    if (err->key[0])
        APPEND("%s: ", err->key);
    APPEND("%s", err->msg);
#undef APPEND
    return buf;
}
