/*
 * history.c - a team's monthly history, read from a CSV file (the input
 * edge of `kpisim calibrate`, docs/calibration.md "The history file").
 *
 * One row a month, a `month` column counting 1, 2, ... without gaps and
 * any subset of the monthly KPIs of monthly.csv (their names without
 * `_mean`).  Empty cells are missing values.  A spreadsheet export of a
 * locale with decimal commas (`;` between cells, `1,5` for one and a half)
 * is recognised from its header and read as such; the caller says so.
 * Every error names file:line:col of the offending cell and what was
 * expected there.
 */
#include "kpisim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "num.h"
#include "suggest.h"

/* A history file larger than this is not a team's monthly history. */
#define HISTORY_MAX_BYTES (16L * 1024 * 1024)
#define HISTORY_MAX_COLS 256

static int fail_at(kpi_error *err, int status, const char *path, int line, int col,
                   const char *fmt, ...) KPI_PRINTF_LIKE(6, 7);

static int fail_at(kpi_error *err, int status, const char *path, int line, int col,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kpi_error_vset(err, status, NULL, fmt, ap);
    va_end(ap);
    if (err) {
        snprintf(err->file, sizeof err->file, "%s", path);
        err->line = line;
        err->col = col;
    }
    return status;
}

void kpi_history_free(kpi_history *h)
{
    if (!h)
        return;
    free(h->value);
    free(h);
}

int kpi_history_column(const kpi_history *h, int kpi)
{
    for (int i = 0; i < h->nfig; i++)
        if (h->kpi[i] == kpi)
            return i;
    return -1;
}

/* The whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **text, size_t *len, kpi_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail_at(err, KPI_ENOINPUT, path, 0, 0, "cannot open the history: %s",
                       strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int rc = KPI_OK;
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= (size_t)HISTORY_MAX_BYTES) {
                rc = fail_at(err, KPI_EDATA, path, 0, 0,
                             "expected a monthly history, got a file over %ld bytes",
                             HISTORY_MAX_BYTES);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = fail_at(err, KPI_ENOINPUT, path, 0, 0, "reading the history failed: %s",
                             strerror(errno));
            break;
        }
    }
    fclose(f);
    if (!buf)
        return kpi_error_oom(err, "while reading the history");
    if (rc != KPI_OK) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return KPI_OK;
}

/* One cell: [start, end) of the line, its 1-based column. */
typedef struct cell {
    const char *s;
    size_t n;
    int col;
} cell;

/* Splits the line [p, e) at sep (double quotes around a cell are dropped,
 * a separator inside them kept); surrounding blanks are trimmed.  Returns
 * the number of cells, or -1 when there are more than max. */
static int split(const char *p, const char *e, char sep, cell *cells, int max)
{
    int n = 0;
    const char *line = p;
    for (;;) {
        const char *c = p;
        int quoted = 0;
        while (p < e && (quoted || *p != sep)) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
        if (n >= max)
            return -1;
        const char *a = c, *b = p;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b - a >= 2 && *a == '"' && b[-1] == '"') {
            a++;
            b--;
        }
        cells[n].s = a;
        cells[n].n = (size_t)(b - a);
        cells[n].col = (int)(a - line) + 1;
        n++;
        if (p >= e)
            return n;
        p++;
    }
}

/* Counts that can never be negative: every monthly KPI but profit. */
static int may_be_negative(int kpi)
{
    return kpi == KPI_PROFIT;
}

/* Parses a number cell; decimal commas when dc. */
static int cell_number(const cell *c, int dc, double *v)
{
    char buf[64];
    if (c->n == 0 || c->n >= sizeof buf)
        return -1;
    memcpy(buf, c->s, c->n);
    buf[c->n] = '\0';
    if (dc)
        for (char *q = buf; *q; q++)
            if (*q == ',')
                *q = '.';
    kpi_ynum y;
    if (kpi_ynum_parse(buf, c->n, &y) != KPI_YNUM_OK)
        return -1;
    *v = y.value;
    return 0;
}

/* The header line [p, he): the separator (and with it the decimal mark),
 * then the columns, month and monthly KPIs each once (docs/calibration.md
 * "The history file").  Sets *ncol, *month_col and colkpi[c], the KPI of
 * column c (-1 for month). */
static int read_header(kpi_history *h, const char *p, const char *he, cell *cells,
                       int *ncol, int *month_col, int *colkpi, const char *path,
                       kpi_error *err)
{
    /* The locale of a spreadsheet export: ';' between cells (and then
     * decimal commas) when the header has semicolons but no comma. */
    h->separator = ',';
    if (memchr(p, ';', (size_t)(he - p)) && !memchr(p, ',', (size_t)(he - p))) {
        h->separator = ';';
        h->decimal_comma = 1;
    }
    *ncol = split(p, he, h->separator, cells, HISTORY_MAX_COLS);
    if (*ncol < 0) {
        return fail_at(err, KPI_EDATA, path, 1, 1, "expected at most %d columns",
                       HISTORY_MAX_COLS);
    }
    *month_col = -1;
    const char *names[KPI_NKPI + 2];
    names[0] = "month";
    for (int k = 0; k < KPI_NKPI; k++)
        names[k + 1] = kpi_monthly_name(k);
    names[KPI_NKPI + 1] = NULL;
    for (int c = 0; c < *ncol; c++) {
        char name[128];
        colkpi[c] = -1;
        if (cells[c].n == 0 || cells[c].n >= sizeof name) {
            return fail_at(err, KPI_EDATA, path, 1, cells[c].col,
                           "expected a column name (month or a monthly KPI), got %s",
                           cells[c].n ? "a name too long" : "an empty name");
        }
        memcpy(name, cells[c].s, cells[c].n);
        name[cells[c].n] = '\0';
        int found = -2;
        if (strcmp(name, "month") == 0)
            found = -1;
        for (int k = 0; k < KPI_NKPI && found == -2; k++)
            if (strcmp(name, kpi_monthly_name(k)) == 0)
                found = k;
        if (found == -2) {
            const char *s = kpi_suggest_word(name, names);
            if (s)
                return fail_at(err, KPI_EDATA, path, 1, cells[c].col,
                               "unknown column '%s' (did you mean '%s'?); expected month "
                               "or a monthly KPI name of monthly.csv without _mean",
                               name, s);
            return fail_at(err, KPI_EDATA, path, 1, cells[c].col,
                           "unknown column '%s'; expected month or a monthly KPI name "
                           "of monthly.csv without _mean (headcount, recruits, exits, "
                           "cases, premium, ...)", name);
        }
        int dup = found == -1 ? *month_col >= 0 : 0;
        for (int i = 0; i < c && !dup && found >= 0; i++)
            dup = colkpi[i] == found;
        if (dup) {
            return fail_at(err, KPI_EDATA, path, 1, cells[c].col,
                           "column '%s' appears twice; expected each column once", name);
        }
        if (found == -1)
            *month_col = c;
        else {
            colkpi[c] = found;
            h->kpi[h->nfig++] = found;
        }
    }
    if (*month_col < 0) {
        return fail_at(err, KPI_EDATA, path, 1, 1,
                       "no 'month' column; expected a header with month (1, 2, ...) "
                       "and monthly KPI names");
    }
    if (h->nfig == 0) {
        return fail_at(err, KPI_EDATA, path, 1, 1,
                       "expected at least one monthly KPI column besides month");
    }
    return KPI_OK;
}

/* One month's row of cells (ncol of them): the month in sequence, then each
 * KPI cell a number (>= 0 but for profit) or empty (missing), stored as
 * h's next month; *cap is the capacity of h->value. */
static int read_row(kpi_history *h, const cell *cells, int ncol, int month_col,
                    const int *colkpi, size_t *cap, int line, const char *path,
                    kpi_error *err)
{
    int m = h->months;
    if (m >= KPI_MAX_MONTHS) {
        return fail_at(err, KPI_EDATA, path, line, 1,
                       "expected at most %d months of history (the engine's limit)",
                       KPI_MAX_MONTHS);
    }
    double mv;
    const cell *mc = &cells[month_col];
    if (cell_number(mc, h->decimal_comma, &mv) != 0 || mv != (double)(m + 1)) {
        return fail_at(err, KPI_EDATA, path, line, mc->col,
                       "expected month %d (months count 1, 2, ... without gaps), got '%.*s'",
                       m + 1, (int)(mc->n > 40 ? 40 : mc->n), mc->s);
    }
    if ((size_t)(m + 1) * (size_t)h->nfig > *cap) {
        size_t nc = *cap ? *cap * 2 : (size_t)h->nfig * 32;
        double *nv = realloc(h->value, nc * sizeof *nv);
        if (!nv)
            return kpi_error_oom(err, "while reading the history");
        h->value = nv;
        *cap = nc;
    }
    int i = 0;
    for (int c = 0; c < ncol; c++) {
        if (c == month_col)
            continue;
        double v = NAN;
        if (cells[c].n > 0 && cell_number(&cells[c], h->decimal_comma, &v) != 0) {
            return fail_at(err, KPI_EDATA, path, line, cells[c].col,
                           "%s: expected a number or an empty cell, got '%.*s'",
                           kpi_monthly_name(colkpi[c]), (int)(cells[c].n > 40 ? 40 : cells[c].n),
                           cells[c].s);
        }
        if (!isnan(v) && v < 0 && !may_be_negative(colkpi[c])) {
            return fail_at(err, KPI_EDATA, path, line, cells[c].col,
                           "%s: expected a count or amount >= 0, got %g",
                           kpi_monthly_name(colkpi[c]), v);
        }
        h->value[(size_t)m * (size_t)h->nfig + (size_t)i++] = v;
    }
    h->months++;
    return KPI_OK;
}

int kpi_history_load(const char *path, kpi_history **out, kpi_error *err)
{
    char *text = NULL;
    size_t len = 0;
    kpi_history *h = NULL;
    cell *cells = NULL;
    int rc = slurp(path, &text, &len, err);
    if (rc != KPI_OK)
        return rc;
    h = calloc(1, sizeof *h);
    cells = malloc(HISTORY_MAX_COLS * sizeof *cells);
    if (!h || !cells) {
        rc = kpi_error_oom(err, "while reading the history");
        goto fail;
    }
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;   /* a spreadsheet's UTF-8 byte-order mark */
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e)
        e = end;
    const char *he = e > p && e[-1] == '\r' ? e - 1 : e;
    if (he == p) {
        rc = fail_at(err, KPI_EDATA, path, 1, 1,
                     "expected a header line: month and monthly KPI names");
        goto fail;
    }
    int ncol = 0, month_col = -1, colkpi[HISTORY_MAX_COLS];
    if ((rc = read_header(h, p, he, cells, &ncol, &month_col, colkpi, path, err)) != KPI_OK)
        goto fail;

    size_t cap = 0;
    int line = 1;
    p = e < end ? e + 1 : end;
    while (p < end) {
        line++;
        e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        const char *le = e > p && e[-1] == '\r' ? e - 1 : e;
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (q == le) {   /* a blank line (the end of a file) */
            p = e < end ? e + 1 : end;
            continue;
        }
        int n = split(p, le, h->separator, cells, HISTORY_MAX_COLS);
        if (n != ncol) {
            rc = fail_at(err, KPI_EDATA, path, line, 1, "expected %d cells as in the header, "
                         "got %d", ncol, n < 0 ? HISTORY_MAX_COLS + 1 : n);
            goto fail;
        }
        if ((rc = read_row(h, cells, ncol, month_col, colkpi, &cap, line, path, err)) !=
            KPI_OK)
            goto fail;
        p = e < end ? e + 1 : end;
    }
    if (h->months == 0) {
        rc = fail_at(err, KPI_EDATA, path, 2, 1, "expected at least one month after the header");
        goto fail;
    }
    int any = 0;
    for (size_t j = 0; j < (size_t)h->months * (size_t)h->nfig; j++)
        any |= !isnan(h->value[j]);
    if (!any) {
        rc = fail_at(err, KPI_EDATA, path, 2, 1, "expected at least one observed figure; "
                     "every cell is empty");
        goto fail;
    }
    free(text);
    free(cells);
    *out = h;
    return KPI_OK;

fail:
    free(text);
    free(cells);
    kpi_history_free(h);
    return rc;
}

int kpi_history_apply(kpi_scenario *sc, const kpi_history *h, int *headcount_set,
                      kpi_error *err)
{
    if (headcount_set)
        *headcount_set = 0;
    sc->months = h->months;
    int hc = kpi_history_column(h, KPI_HEADCOUNT);
    if (hc < 0 || isnan(h->value[hc]))
        return KPI_OK;
    double start = h->value[hc];
    int rec = kpi_history_column(h, KPI_RECRUITS);
    if (rec >= 0 && !isnan(h->value[rec]))
        start -= h->value[rec];
    if (start < 0 || start > KPI_MAX_HEADCOUNT || start != floor(start))
        return kpi_error_set(err, KPI_EDATA, "team.headcount",
                             "month 1's headcount less its recruits is %g; expected a whole "
                             "number of agents in [0, %d]", start, KPI_MAX_HEADCOUNT);
    sc->team.headcount = (int)start;
    if (headcount_set)
        *headcount_set = 1;
    return KPI_OK;
}
