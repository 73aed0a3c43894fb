/*
 * report_xlsx.c - DIR/report.xlsx of `kpisim report --xlsx` (docs/report.md).
 *
 * A workbook written with libxlsxwriter (Debian's libxlsxwriter-dev; only
 * the program links it, not libkpisim.a):
 *   front       the title, description, provenance and the headline table
 *               (a compare: the comparison with P(higher) and the best
 *               strategy; a sweep: the grid);
 *   charts      native charts: the fans of premium and headcount (p05, p50,
 *               p95 lines), the four KPIs, a compare's bars, a sweep's heat
 *               map (a table with a colour scale);
 *   one sheet per CSV file the command wrote, numbers stored as numbers
 *               with number formats, the header row frozen, an autofilter,
 *               columns as wide as their contents, a defined name
 *               (data_SHEET) over each table;
 *   scenario    the resolved scenario as key / value / meaning rows (the
 *               meanings from the key tables of docs/model.md, compiled in
 *               at build time).
 * Sheet names follow Excel's rules (at most 31 characters, none of
 * []:*?/\, unique).  The workbook is written to a hidden temporary name in
 * DIR, fsynced and renamed into place (rpt_commit).
 */
#include "cli.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#define MAX_SHEETS 256
#define SHEET_NAME 128

typedef struct xl {
    lxw_workbook *wb;
    rpt_doc *d;
    char names[MAX_SHEETS][SHEET_NAME];
    int nnames;
    lxw_format *head, *title, *sub, *wrap, *bold, *label;
    lxw_format *money, *share, *ratio, *count, *integer, *plain;
    const char *charts_sheet;   /* the charts sheet's name */
} xl;

/* ---- names --------------------------------------------------------------------- */

static int same_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* Copies at most max UTF-8 characters of s into out (size bytes). */
static void utf8_cut(char *out, size_t size, const char *s, int max)
{
    size_t o = 0;
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && chars < max;) {
        size_t n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : 4;
        if (o + n >= size)
            break;
        for (size_t k = 0; k < n && p[k]; k++)
            out[o++] = (char)p[k];
        p += n;
        chars++;
    }
    out[o] = '\0';
}

/* A sheet name from want by Excel's rules: []:*?/\ as '_', no quote at
 * either end, at most 31 characters, unique (case-insensitively) in the
 * workbook.  Stored in x->names; returns it. */
static const char *sheet_name(xl *x, const char *want)
{
    char clean[SHEET_NAME * 2];
    size_t o = 0;
    for (const char *p = want; *p && o + 1 < sizeof clean; p++)
        clean[o++] = strchr("[]:*?/\\", *p) ? '_' : *p;
    clean[o] = '\0';
    while (clean[0] == '\'')
        memmove(clean, clean + 1, strlen(clean));
    if (!clean[0])
        strcpy(clean, "sheet");
    char *name = x->names[x->nnames];
    for (int k = 1;; k++) {
        char suffix[16] = "";
        if (k > 1)
            snprintf(suffix, sizeof suffix, "~%d", k);
        utf8_cut(name, SHEET_NAME - sizeof suffix, clean, 31 - (int)strlen(suffix));
        size_t n = strlen(name);
        while (n > 0 && name[n - 1] == '\'')
            name[--n] = '\0';
        strcat(name, suffix);
        int clash = 0;
        for (int i = 0; i < x->nnames && !clash; i++)
            clash = same_ci(x->names[i], name);
        if (!clash)
            break;
    }
    if (x->nnames < MAX_SHEETS - 1)
        x->nnames++;
    return name;
}

/* 'sheet' as a formula reference: quoted, inner quotes doubled. */
static void quoted(char *out, size_t size, const char *sheet)
{
    size_t o = 0;
    out[o++] = '\'';
    for (const char *p = sheet; *p && o + 3 < size; p++) {
        if (*p == '\'')
            out[o++] = '\'';
        out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* "A", "B", ..., "AA" */
static void col_letters(char *out, int col)
{
    char tmp[8];
    int n = 0;
    col++;
    while (col > 0 && n < 7) {
        tmp[n++] = (char)('A' + (col - 1) % 26);
        col = (col - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* Defines name (data_BASE, BASE made of letters, digits and '_') over the
 * range of sheet. */
static void define_range(xl *x, const char *base, const char *sheet, int r1, int c1, int r2,
                         int c2)
{
    char name[300] = "data_", q[SHEET_NAME * 2 + 4], a[8], b[8], formula[700];
    size_t o = strlen(name);
    for (const char *p = base; *p && o + 1 < sizeof name; p++) {
        char c = *p;
        name[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        ? c : '_';
    }
    name[o] = '\0';
    quoted(q, sizeof q, sheet);
    col_letters(a, c1);
    col_letters(b, c2);
    snprintf(formula, sizeof formula, "=%s!$%s$%d:$%s$%d", q, a, r1 + 1, b, r2 + 1);
    (void)workbook_define_name(x->wb, name, formula);
}

/* ---- cells --------------------------------------------------------------------------- */

static lxw_format *fmt_of(xl *x, enum rpt_kind kind)
{
    switch (kind) {
    case RPT_MONEY: return x->money;
    case RPT_SHARE: return x->share;
    case RPT_RATIO: return x->ratio;
    case RPT_COUNT: return x->count;
    case RPT_INT: return x->integer;
    default: return x->plain;
    }
}

/* Display width of a UTF-8 string: wide (CJK) characters count two. */
static int text_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue;
        w += *p >= 0xe0 ? 2 : 1;
    }
    return w;
}

/* Writes a CSV cell: a number (with the column's format) when it is one,
 * an empty cell when empty, else text.  Returns its display width. */
static int put_cell(xl *x, lxw_worksheet *ws, int r, int c, const char *cell, enum rpt_kind kind)
{
    double v;
    if (rpt_number(cell, &v)) {
        worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, v, fmt_of(x, kind));
        char buf[RPT_NUM];
        return (int)strlen(rpt_fmt_value(buf, v, kind == RPT_PLAIN ? RPT_PLAIN : kind));
    }
    /* empty, and a value that is not one (NaN, infinite): no cell, never
     * the text "nan" */
    if (!cell || !*cell)
        return 0;
    char *end;
    double u = strtod(cell, &end);
    if (end != cell && *end == '\0' && !isfinite(u))
        return 0;
    worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, cell, NULL);
    return text_width(cell);
}

static int num_at(xl *x, lxw_worksheet *ws, int r, int c, const char *cell, enum rpt_kind kind)
{
    return put_cell(x, ws, r, c, cell, kind);
}

/* The kind of column k of a CSV: swept keys and the scenario/kind/name
 * columns are plain. */
static enum rpt_kind col_kind(const rpt_csv *c, int k, int nkeys)
{
    if (k < nkeys)
        return RPT_PLAIN;
    return rpt_kind_of(c->head[k]);
}

/* One sheet holding csv: header row frozen, autofilter, widths, a
 * defined name.  nkeys: leading columns written as they are (a sweep's
 * keys).  Returns the sheet's name (in x->names), NULL when the CSV is
 * empty. */
static const char *data_sheet(xl *x, const char *want, const rpt_csv *c, int nkeys)
{
    if (c->ncol == 0)
        return NULL;
    const char *name = sheet_name(x, want);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        return NULL;
    int *width = calloc((size_t)c->ncol, sizeof *width);
    /* comparison.csv names its row's figure or KPI in the name column,
     * summary.csv in the figure column: the kind of a value is its row's */
    int comparison = rpt_csv_col(c, "p_higher") >= 0;
    int cname = comparison ? rpt_csv_col(c, "name") : rpt_csv_col(c, "figure");
    if (cname < 0)
        cname = rpt_csv_col(c, "kpi");   /* a calibration's projection.csv */
    for (int k = 0; k < c->ncol; k++) {
        worksheet_write_string(ws, 0, (lxw_col_t)k, c->head[k], x->head);
        if (width)
            width[k] = text_width(c->head[k]);
    }
    for (int r = 0; r < c->nrow; r++) {
        for (int k = 0; k < c->ncol; k++) {
            enum rpt_kind kind = col_kind(c, k, nkeys);
            /* a row-named table: p_higher is a share, the rest of the
             * row's kind */
            if (cname >= 0 && k > cname && strcmp(c->head[k], "month") != 0 &&
                strcmp(c->head[k], "scenario") != 0)
                kind = strcmp(c->head[k], "p_higher") == 0 ? RPT_SHARE
                                                            : rpt_kind_of(c->cell[r][cname]);
            int w = put_cell(x, ws, r + 1, k, c->cell[r][k], kind);
            if (width && w > width[k])
                width[k] = w;
        }
    }
    for (int k = 0; k < c->ncol; k++) {
        double w = width ? width[k] + 3 : 12;
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, w > 60 ? 60 : w, NULL);
    }
    free(width);
    /* printed: landscape, and a narrow table one page wide */
    worksheet_set_landscape(ws);
    if (c->ncol <= 16)
        worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)c->nrow, (lxw_col_t)(c->ncol - 1));
    define_range(x, name, name, 0, 0, c->nrow, c->ncol - 1);
    return name;
}

/* ---- the front sheet ------------------------------------------------------------------ */

static int front_row(xl *x, lxw_worksheet *ws, int r, const char *label, const char *value)
{
    worksheet_write_string(ws, (lxw_row_t)r, 0, label, x->label);
    worksheet_write_string(ws, (lxw_row_t)r, 1, value, NULL);
    return r + 1;
}

static int front_headline_run(xl *x, lxw_worksheet *ws, int r, const rpt_csv *s)
{
    int cf = rpt_csv_col(s, "figure"), cm = rpt_csv_col(s, "mean"), c5 = rpt_csv_col(s, "p05"),
        c95 = rpt_csv_col(s, "p95");
    if (cf < 0 || cm < 0 || c5 < 0 || c95 < 0)
        return r;
    const char *h[] = {"Figure", "Mean", "p05", "p95"};
    for (int k = 0; k < 4; k++)
        worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)k, h[k], x->head);
    int top = r++;
    for (int i = 0; i < s->nrow; i++, r++) {
        const char *f = s->cell[i][cf];
        enum rpt_kind kind = rpt_kind_of(f);
        worksheet_write_string(ws, (lxw_row_t)r, 0, rpt_label_of(f), NULL);
        num_at(x, ws, r, 1, s->cell[i][cm], kind);
        num_at(x, ws, r, 2, s->cell[i][c5], kind);
        num_at(x, ws, r, 3, s->cell[i][c95], kind);
    }
    define_range(x, "headline", "front", top, 0, r - 1, 3);
    return r;
}

static int front_headline_compare(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d)
{
    const rpt_csv *c = &d->main;
    int ck = rpt_csv_col(c, "kind"), cn = rpt_csv_col(c, "name"), cs = rpt_csv_col(c, "scenario");
    const char *cols[] = {"mean", "p05", "p95", "diff_mean", "diff_p05", "diff_p95", "p_higher"};
    int ci[7];
    for (int k = 0; k < 7; k++)
        ci[k] = rpt_csv_col(c, cols[k]);
    if (ck < 0 || cn < 0 || cs < 0 || ci[0] < 0)
        return r;
    const char *h[] = {"Figure", "Scenario", "Mean", "p05", "p95", "Difference", "Difference p05",
                       "Difference p95", "P(higher)"};
    for (int k = 0; k < 9; k++)
        worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)k, h[k], x->head);
    int top = r++;
    const char *first = c->nrow > 0 ? c->cell[0][cs] : "";
    const char *best = NULL;
    double best_mean = 0, best_p = 0;
    for (int i = 0; i < c->nrow; i++) {
        char **row = c->cell[i];
        if (strcmp(row[ck], "figure") != 0)
            continue;
        enum rpt_kind kind = rpt_kind_of(row[cn]);
        worksheet_write_string(ws, (lxw_row_t)r, 0, rpt_label_of(row[cn]), NULL);
        worksheet_write_string(ws, (lxw_row_t)r, 1, row[cs], NULL);
        for (int k = 0; k < 7; k++) {
            if (ci[k] < 0 || (k >= 3 && strcmp(row[cs], first) == 0))
                continue;
            num_at(x, ws, r, 2 + k, row[ci[k]], k == 6 ? RPT_SHARE : kind);
        }
        double m;
        if (strcmp(row[cn], "total_premium") == 0 && rpt_number(row[ci[0]], &m) &&
            (!best || m > best_mean)) {
            best = row[cs];
            best_mean = m;
            double p;
            best_p = ci[6] >= 0 && rpt_number(row[ci[6]], &p) ? p : 0;
        }
        r++;
    }
    define_range(x, "comparison_headline", "front", top, 0, r - 1, 8);
    if (best) {
        r++;
        char line[800], money[RPT_NUM];
        const rpt_scen *bs = NULL;
        for (int i = 0; i < d->nscen; i++)
            if (strcmp(d->scen[i].name, best) == 0)
                bs = &d->scen[i];
        if (strcmp(best, first) == 0)
            snprintf(line, sizeof line, "%s (%s): the highest mean total first-year premium, %s",
                     bs ? rpt_title(bs) : best, best, rpt_fmt_value(money, best_mean, RPT_MONEY));
        else
            snprintf(line, sizeof line,
                     "%s (%s): the highest mean total first-year premium, %s; higher than %s in "
                     "%.0f%% of the replications",
                     bs ? rpt_title(bs) : best, best, rpt_fmt_value(money, best_mean, RPT_MONEY),
                     first, best_p * 100);
        worksheet_write_string(ws, (lxw_row_t)r, 0, "Best strategy", x->label);
        worksheet_write_string(ws, (lxw_row_t)r, 1, line, x->bold);
        r++;
    }
    return r;
}

static int sweep_keys(const rpt_csv *c)
{
    int n = 0;
    while (n < c->ncol && !strstr(c->head[n], "_mean"))
        n++;
    return n;
}

static int front_headline_sweep(xl *x, lxw_worksheet *ws, int r, const rpt_csv *c)
{
    static const char *const figs[] = {"total_premium_mean", "profit_mean",
                                       "final_headcount_mean", "repeat_share_mean"};
    int nkeys = sweep_keys(c), col = 0;
    int top = r;
    for (int k = 0; k < nkeys; k++)
        worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)col++, c->head[k], x->head);
    int fc[4];
    for (int f = 0; f < 4; f++) {
        fc[f] = rpt_csv_col(c, figs[f]);
        if (fc[f] >= 0)
            worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)col++, figs[f], x->head);
    }
    r++;
    for (int i = 0; i < c->nrow; i++, r++) {
        col = 0;
        for (int k = 0; k < nkeys; k++)
            num_at(x, ws, r, col++, c->cell[i][k], RPT_PLAIN);
        for (int f = 0; f < 4; f++)
            if (fc[f] >= 0)
                num_at(x, ws, r, col++, c->cell[i][fc[f]], rpt_kind_of(figs[f]));
    }
    if (col > 0)
        define_range(x, "grid", "front", top, 0, r - 1, col - 1);
    return r;
}

/* A calibration: fit.csv's keys with their intervals, the search bounds,
 * the effect and whether identified; then the share of the observed
 * months inside the fitted band (from fit-monthly.csv). */
static int front_headline_calibrate(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d)
{
    const rpt_csv *c = &d->main;
    static const char *const col[] = {"key", "estimate", "lo", "hi", "bound_lo", "bound_hi",
                                      "effect", "identified"};
    static const char *const head[] = {"Key", "Estimate", "90% lo", "90% hi", "Searched from",
                                       "to", "Effect", "Identified"};
    int ci[8];
    for (int k = 0; k < 8; k++)
        if ((ci[k] = rpt_csv_col(c, col[k])) < 0)
            return r;
    for (int k = 0; k < 8; k++)
        worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)k, head[k], x->head);
    int top = r++;
    for (int i = 0; i < c->nrow; i++, r++)
        for (int k = 0; k < 8; k++)
            put_cell(x, ws, r, k, c->cell[i][ci[k]], k == 6 ? RPT_RATIO : RPT_PLAIN);
    define_range(x, "fit", "front", top, 0, r - 1, 7);
    int inside, total;
    rpt_fit_coverage(&d->fit_monthly, &inside, &total);
    if (total > 0) {
        r++;
        worksheet_write_string(ws, (lxw_row_t)r, 0, "Observed months inside the fitted 90% band",
                               x->label);
        worksheet_write_number(ws, (lxw_row_t)r, 1, (double)inside / total, x->share);
        char buf[160];
        snprintf(buf, sizeof buf, "%d of %d (about 90%% when the model fits the team)", inside,
                 total);
        worksheet_write_string(ws, (lxw_row_t)r++, 2, buf, NULL);
    }
    return r;
}

/* A sensitivity study: the decision's P(best) rows, then every figure's
 * Sobol total indices (or, without Sobol, the tornado swings) by key. */
static int front_headline_sensitivity(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d)
{
    const rpt_csv *c = &d->main;
    static const char *const col[] = {"figure", "key", "method", "index", "value", "lo", "hi"};
    static const char *const head[] = {"Figure", "Key", "Method", "Index", "Value", "lo", "hi"};
    int ci[7];
    for (int k = 0; k < 7; k++)
        if ((ci[k] = rpt_csv_col(c, col[k])) < 0)
            return r;
    for (int k = 0; k < 7; k++)
        worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)k, head[k], x->head);
    int top = r++;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < c->nrow; i++) {
            char *const *row = c->cell[i];
            const char *idx = row[ci[3]];
            int want = pass == 0 ? strcmp(idx, "p_best") == 0
                     : pass == 1 ? strcmp(idx, "ST") == 0 || strcmp(idx, "S1") == 0
                                 : strcmp(idx, "swing") == 0;
            if (!want)
                continue;
            for (int k = 0; k < 7; k++)
                put_cell(x, ws, r, k, row[ci[k]], pass == 0 && k >= 4 ? RPT_SHARE : RPT_PLAIN);
            r++;
        }
    define_range(x, "indices", "front", top, 0, r - 1, 6);
    return r;
}

static void front(xl *x, lxw_worksheet *ws)
{
    rpt_doc *d = x->d;
    int r = 0;
    worksheet_set_column(ws, 0, 0, 44, NULL);
    worksheet_set_column(ws, 1, 1, 24, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_column(ws, 2, 8, 16, NULL);
    for (int i = 0; i < d->nscen; i++) {
        const rpt_scen *s = &d->scen[i];
        worksheet_write_string(ws, (lxw_row_t)r, 0, rpt_title(s), i == 0 ? x->title : x->sub);
        worksheet_set_row(ws, (lxw_row_t)r, i == 0 ? 30 : 22, NULL);
        r++;
        if (s->sc && s->sc->description[0]) {
            worksheet_merge_range(ws, (lxw_row_t)r, 0, (lxw_row_t)r, 8, s->sc->description, x->wrap);
            worksheet_set_row(ws, (lxw_row_t)r, 15.0 * (1 + (double)strlen(s->sc->description) / 150), NULL);
            r++;
        }
    }
    r++;
    char buf[600], n[RPT_NUM];
    r = front_row(x, ws, r, "kpisim", KPI_VERSION);
    snprintf(buf, sizeof buf, "%s, %s", rpt_kind_name(d->kind), d->dir);
    r = front_row(x, ws, r, "results", buf);
    for (int i = 0; i < d->nscen; i++) {
        const rpt_scen *s = &d->scen[i];
        if (s->sc)
            snprintf(buf, sizeof buf, "seed %llu, %s replications, %d months",
                     (unsigned long long)s->sc->seed,
                     rpt_fmt_value(n, (double)s->sc->replications, RPT_INT), s->sc->months);
        else
            snprintf(buf, sizeof buf, "\xe2\x80\x94 (no readable %s)", s->file);
        r = front_row(x, ws, r, d->nscen > 1 ? s->name : "scenario", buf);
    }
    r = front_row(x, ws, r, "report made", d->date);
    r = front_row(x, ws, r, "command line", d->command ? d->command : "not recorded");
    r++;
    worksheet_write_string(ws, (lxw_row_t)r++, 0,
                           d->kind == RPT_SWEEP       ? "The grid"
                           : d->kind == RPT_CALIBRATE ? "The fitted keys"
                           : d->kind == RPT_SENSITIVITY ? "The decision and the indices"
                                                      : "Headline figures",
                           x->sub);
    if (d->kind == RPT_RUN)
        front_headline_run(x, ws, r, &d->main);
    else if (d->kind == RPT_COMPARE)
        front_headline_compare(x, ws, r, d);
    else if (d->kind == RPT_CALIBRATE)
        front_headline_calibrate(x, ws, r, d);
    else if (d->kind == RPT_SENSITIVITY)
        front_headline_sensitivity(x, ws, r, d);
    else
        front_headline_sweep(x, ws, r, &d->main);
    worksheet_activate(ws);
}

/* ---- charts ---------------------------------------------------------------------------- */

static const lxw_color_t band_colour[3] = {0x9ECAE1, 0x08519C, 0x9ECAE1};

/* A line chart of KPI's p05, p50, p95 from a monthly sheet, at (row, col)
 * of the charts sheet. */
static void fan_chart(xl *x, lxw_worksheet *cs, int row, int col, const char *monthly_sheet,
                      const rpt_csv *m, const char *kpi, const char *label, const char *title)
{
    int cm = rpt_csv_col(m, "month");
    if (cm < 0 || m->nrow == 0)
        return;
    static const char *const q[] = {"p05", "p50", "p95"};
    int qc[3];
    for (int k = 0; k < 3; k++) {
        char n[128];
        snprintf(n, sizeof n, "%s_%s", kpi, q[k]);
        if ((qc[k] = rpt_csv_col(m, n)) < 0)
            return;
    }
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_LINE);
    if (!ch)
        return;
    for (int k = 0; k < 3; k++) {
        lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(s, monthly_sheet, 1, (lxw_col_t)cm, (lxw_row_t)m->nrow,
                                    (lxw_col_t)cm);
        chart_series_set_values(s, monthly_sheet, 1, (lxw_col_t)qc[k], (lxw_row_t)m->nrow,
                                (lxw_col_t)qc[k]);
        chart_series_set_name_range(s, monthly_sheet, 0, (lxw_col_t)qc[k]);
        lxw_chart_line line = {.color = band_colour[k], .width = k == 1 ? 2.5f : 1.25f,
                               .dash_type = k == 1 ? LXW_CHART_LINE_DASH_SOLID
                                                   : LXW_CHART_LINE_DASH_DASH};
        chart_series_set_line(s, &line);
    }
    chart_title_set_name(ch, title);
    chart_axis_set_name(ch->x_axis, "Month");
    chart_axis_set_name(ch->y_axis, label);
    enum rpt_kind kind = rpt_kind_of(kpi);
    chart_axis_set_num_format(ch->y_axis, kind == RPT_SHARE ? "0%" : kind == RPT_RATIO ? "0.0"
                                                                                       : "#,##0");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {.x_scale = 1.4, .y_scale = 1.3};
    worksheet_insert_chart_opt(cs, (lxw_row_t)row, (lxw_col_t)col, ch, &opt);
}

/* The run charts of one scenario from row on; returns the next free row. */
static int run_charts(xl *x, lxw_worksheet *cs, int row, const char *monthly_sheet,
                      const rpt_scen *s, const char *prefix)
{
    static const char *const kpis[][2] = {
        {"premium", "First-year premium per month"},
        {"headcount", "Agents on the team"},
        {"activity_rate", "Activity rate"},
        {"cases_per_active", "Cases per active agent"},
        {"premium_per_case", "Premium per case"},
    };
    char title[600];
    snprintf(title, sizeof title, "%s%s", prefix, rpt_title(s));
    worksheet_write_string(cs, (lxw_row_t)row, 0, title, x->sub);
    row += 1;
    /* the fans of premium and headcount, then the other three of the four
     * KPIs (headcount is the first), two a row */
    for (int k = 0; k < 5; k++) {
        snprintf(title, sizeof title, "%s: p05, median, p95", kpis[k][1]);
        fan_chart(x, cs, row + (k / 2) * 21, (k % 2) * 10, monthly_sheet, &s->monthly, kpis[k][0],
                  kpis[k][1], title);
    }
    return row + 3 * 21 + 1;
}

/* A column chart of one figure's mean per scenario from the table of
 * means at (top, 0) of the charts sheet. */
static void compare_bars(xl *x, lxw_worksheet *cs, const char *sheet, int top, int nscen, int col,
                         const char *fig, int row, int slot)
{
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    if (!ch)
        return;
    lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(s, sheet, (lxw_row_t)(top + 1), 0, (lxw_row_t)(top + nscen), 0);
    chart_series_set_values(s, sheet, (lxw_row_t)(top + 1), (lxw_col_t)col,
                            (lxw_row_t)(top + nscen), (lxw_col_t)col);
    chart_series_set_name(s, rpt_label_of(fig));
    chart_title_set_name(ch, rpt_label_of(fig));
    enum rpt_kind kind = rpt_kind_of(fig);
    chart_axis_set_num_format(ch->y_axis, kind == RPT_SHARE ? "0%" : kind == RPT_RATIO ? "0.0"
                                                                                       : "#,##0");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    chart_axis_set_min(ch->y_axis, 0); /* bars start at zero */
    worksheet_insert_chart(cs, (lxw_row_t)(row + (slot / 2) * 16), (lxw_col_t)(6 + (slot % 2) * 8),
                           ch);
}

static void charts_compare(xl *x, lxw_worksheet *cs, const char *sheet, char **monthly_sheets)
{
    rpt_doc *d = x->d;
    static const char *const figs[] = {"total_premium", "final_headcount", "mean_activity_rate",
                                       "cases_per_active"};
    const rpt_csv *c = &d->main;
    int ck = rpt_csv_col(c, "kind"), cn = rpt_csv_col(c, "name"), cs_ = rpt_csv_col(c, "scenario"),
        cm = rpt_csv_col(c, "mean");
    int top = 0;
    worksheet_write_string(cs, (lxw_row_t)top, 0, "Scenario", x->head);
    for (int f = 0; f < 4; f++)
        worksheet_write_string(cs, (lxw_row_t)top, (lxw_col_t)(f + 1), rpt_label_of(figs[f]), x->head);
    for (int i = 0; i < d->nscen; i++) {
        worksheet_write_string(cs, (lxw_row_t)(top + 1 + i), 0, d->scen[i].name, NULL);
        for (int f = 0; f < 4 && ck >= 0 && cn >= 0 && cs_ >= 0 && cm >= 0; f++)
            for (int r = 0; r < c->nrow; r++)
                if (strcmp(c->cell[r][ck], "figure") == 0 && strcmp(c->cell[r][cn], figs[f]) == 0 &&
                    strcmp(c->cell[r][cs_], d->scen[i].name) == 0)
                    num_at(x, cs, top + 1 + i, f + 1, c->cell[r][cm], rpt_kind_of(figs[f]));
    }
    worksheet_set_column(cs, 0, 0, 18, NULL);
    worksheet_set_column(cs, 1, 4, 28, NULL);
    define_range(x, "means", sheet, top, 0, top + d->nscen, 4);
    for (int f = 0; f < 4; f++)
        compare_bars(x, cs, sheet, top, d->nscen, f + 1, figs[f], top, f);
    int row = top + 34;
    for (int i = 0; i < d->nscen; i++)
        if (monthly_sheets[i])
            row = run_charts(x, cs, row, monthly_sheets[i], &d->scen[i], "");
}

/* Whether row i of a sweep's table has the values of row 0 in every key
 * after the first two (the slice a heat map of keys 0 and 1 shows). */
static int in_first_slice(const rpt_csv *c, int i, int nkeys)
{
    for (int k = 2; k < nkeys; k++)
        if (strcmp(c->cell[i][k], c->cell[0][k]) != 0)
            return 0;
    return 1;
}

/* The index of s among v[0..n), n when it is not there. */
static int index_of(const char **v, int n, const char *s)
{
    int j = 0;
    while (j < n && strcmp(v[j], s) != 0)
        j++;
    return j;
}

/* A sweep as a heat map: the first swept key down, the second across, each
 * cell a figure's mean, with a colour scale (other keys at the values of
 * the first row). */
static int heat_map(xl *x, lxw_worksheet *hs, int row, const char *sheet, const rpt_csv *c,
                    const char *fig)
{
    int nkeys = sweep_keys(c), fc = rpt_csv_col(c, fig);
    if (nkeys < 1 || fc < 0 || c->nrow == 0)
        return row;
    char title[300];
    snprintf(title, sizeof title, "%s (mean)%s", rpt_label_of(fig[0] ? fig : ""),
             nkeys > 2 ? ", the other keys at the values of the first point" : "");
    /* rpt_label_of knows the figure without _mean */
    char base[128];
    snprintf(base, sizeof base, "%s", fig);
    char *suffix = strstr(base, "_mean");
    if (suffix)
        *suffix = '\0';
    snprintf(title, sizeof title, "%s (mean)%s", rpt_label_of(base),
             nkeys > 2 ? "; the other keys at the values of the first point" : "");
    worksheet_write_string(hs, (lxw_row_t)row, 0, title, x->sub);
    row++;
    /* distinct values of key 0 (rows) and key 1 (columns), in order */
    const char **rv = calloc((size_t)c->nrow, sizeof *rv), **cv = calloc((size_t)c->nrow, sizeof *cv);
    int nr = 0, nc = 0;
    if (!rv || !cv) {
        free(rv);
        free(cv);
        return row;
    }
    for (int i = 0; i < c->nrow; i++) {
        if (!in_first_slice(c, i, nkeys))
            continue;
        if (index_of(rv, nr, c->cell[i][0]) == nr)
            rv[nr++] = c->cell[i][0];
        const char *cval = nkeys > 1 ? c->cell[i][1] : "";
        if (index_of(cv, nc, cval) == nc)
            cv[nc++] = cval;
    }
    snprintf(title, sizeof title, "%s \xe2\x86\x93  %s \xe2\x86\x92", c->head[0],
             nkeys > 1 ? c->head[1] : "");
    worksheet_write_string(hs, (lxw_row_t)row, 0, title, x->head);
    for (int j = 0; j < nc; j++)
        num_at(x, hs, row, 1 + j, cv[j][0] ? cv[j] : fig, RPT_PLAIN);
    for (int i = 0; i < nr; i++)
        num_at(x, hs, row + 1 + i, 0, rv[i], RPT_PLAIN);
    enum rpt_kind kind = rpt_kind_of(fig);
    for (int i = 0; i < c->nrow; i++) {
        if (!in_first_slice(c, i, nkeys))
            continue;
        int a = index_of(rv, nr, c->cell[i][0]);
        int b = index_of(cv, nc, nkeys > 1 ? c->cell[i][1] : "");
        num_at(x, hs, row + 1 + a, 1 + b, c->cell[i][fc], kind);
    }
    lxw_conditional_format cf = {.type = LXW_CONDITIONAL_3_COLOR_SCALE,
                                 .min_color = 0xF8696B, .mid_color = 0xFFEB84,
                                 .max_color = 0x63BE7B};
    worksheet_conditional_format_range(hs, (lxw_row_t)(row + 1), 1, (lxw_row_t)(row + nr),
                                       (lxw_col_t)nc, &cf);
    define_range(x, base, sheet, row, 0, row + nr, nc);
    free(rv);
    free(cv);
    return row + nr + 3;
}

/* ---- the scenario sheet ------------------------------------------------------------------ */

/* key / value / meaning rows from the text of a resolved scenario.yaml
 * (kpisim writes it in block style, two spaces an indent). */
/* A calibration's charts: for each figure of fit-monthly.csv (rows in
 * blocks of one figure, month by month), the observed months as markers
 * over the fitted p05, p50 and p95, two charts a row. */
static void charts_calibrate(xl *x, lxw_worksheet *cs, const char *sheet, const rpt_csv *m)
{
    int cm = rpt_csv_col(m, "month"), cf = rpt_csv_col(m, "figure");
    int qc[4] = {rpt_csv_col(m, "p05"), rpt_csv_col(m, "p50"), rpt_csv_col(m, "p95"),
                 rpt_csv_col(m, "observed")};
    if (!sheet || cm < 0 || cf < 0 || qc[0] < 0 || qc[1] < 0 || qc[2] < 0 || qc[3] < 0)
        return;
    int n = 0;
    for (int a = 0; a < m->nrow;) {
        int b = a;
        while (b < m->nrow && strcmp(m->cell[b][cf], m->cell[a][cf]) == 0)
            b++;
        lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_LINE);
        if (!ch)
            return;
        /* sheet rows: the CSV's row i is row i + 1 */
        for (int k = 0; k < 4; k++) {
            lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
            chart_series_set_categories(s, sheet, (lxw_row_t)(a + 1), (lxw_col_t)cm,
                                        (lxw_row_t)b, (lxw_col_t)cm);
            chart_series_set_values(s, sheet, (lxw_row_t)(a + 1), (lxw_col_t)qc[k], (lxw_row_t)b,
                                    (lxw_col_t)qc[k]);
            chart_series_set_name_range(s, sheet, 0, (lxw_col_t)qc[k]);
            if (k < 3) {
                lxw_chart_line line = {.color = band_colour[k], .width = k == 1 ? 2.5f : 1.25f,
                                       .dash_type = k == 1 ? LXW_CHART_LINE_DASH_SOLID
                                                           : LXW_CHART_LINE_DASH_DASH};
                chart_series_set_line(s, &line);
            } else {
                lxw_chart_line none = {.none = LXW_TRUE};
                chart_series_set_line(s, &none);
                chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
                chart_series_set_marker_size(s, 6);
            }
        }
        const char *fig = m->cell[a][cf];
        char title[300];
        snprintf(title, sizeof title, "%s: observed over the fitted band", rpt_label_of(fig));
        chart_title_set_name(ch, title);
        chart_axis_set_name(ch->x_axis, "Month");
        enum rpt_kind kind = rpt_kind_of(fig);
        chart_axis_set_num_format(ch->y_axis, kind == RPT_SHARE   ? "0%"
                                              : kind == RPT_RATIO ? "0.0"
                                                                  : "#,##0");
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        lxw_chart_options opt = {.x_scale = 1.4, .y_scale = 1.3};
        worksheet_insert_chart_opt(cs, (lxw_row_t)(22 * (n / 2)), (lxw_col_t)(11 * (n % 2)), ch,
                                   &opt);
        n++;
        a = b;
    }
}

/* A sensitivity study's charts: for each figure with Sobol rows, its
 * total indices by key as a table on the charts sheet and a native bar
 * chart of it (the chart reads the table beside it). */
static void charts_sensitivity(xl *x, lxw_worksheet *cs, const rpt_csv *c)
{
    int cf = rpt_csv_col(c, "figure"), ck = rpt_csv_col(c, "key"), ci = rpt_csv_col(c, "index"),
        cv = rpt_csv_col(c, "value");
    if (cf < 0 || ck < 0 || ci < 0 || cv < 0)
        return;
    int top = 0;
    for (int r = 0; r < c->nrow; r++) {
        const char *fig = c->cell[r][cf];
        int seen = 0;
        for (int q = 0; q < r && !seen; q++)
            seen = strcmp(c->cell[q][cf], fig) == 0;
        if (seen)
            continue;
        int row = top + 1;
        for (int q = r; q < c->nrow; q++) {
            double v;
            if (strcmp(c->cell[q][cf], fig) != 0 || strcmp(c->cell[q][ci], "ST") != 0 ||
                !rpt_number(c->cell[q][cv], &v))
                continue;
            worksheet_write_string(cs, (lxw_row_t)row, 0, c->cell[q][ck], NULL);
            worksheet_write_number(cs, (lxw_row_t)row, 1, v, x->ratio);
            row++;
        }
        if (row == top + 1)
            continue;
        worksheet_write_string(cs, (lxw_row_t)top, 0, fig, x->head);
        worksheet_write_string(cs, (lxw_row_t)top, 1, "ST", x->head);
        lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_BAR);
        if (!ch)
            return;
        lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
        const char *sheet = x->charts_sheet;
        chart_series_set_categories(s, sheet, (lxw_row_t)(top + 1), 0, (lxw_row_t)(row - 1), 0);
        chart_series_set_values(s, sheet, (lxw_row_t)(top + 1), 1, (lxw_row_t)(row - 1), 1);
        char title[300];
        snprintf(title, sizeof title, "%s: Sobol total index by key", rpt_label_of(fig));
        chart_title_set_name(ch, title);
        chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
        worksheet_insert_chart(cs, (lxw_row_t)top, 3, ch);
        top = (row > top + 16 ? row : top + 16) + 2;
    }
    worksheet_set_column(cs, 0, 0, 36, NULL);
}

static void scenario_sheet(xl *x, const char *want, const char *yaml)
{
    const char *name = sheet_name(x, want);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        return;
    worksheet_write_string(ws, 0, 0, "key", x->head);
    worksheet_write_string(ws, 0, 1, "value", x->head);
    worksheet_write_string(ws, 0, 2, "meaning (docs/model.md)", x->head);
    char group[8][128];
    int depth_indent[8];
    int depth = 0, r = 1, list_i = 0, wk = 10, wv = 10;
    const char *p = yaml;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[KPI_MAX_TEXT * 2];
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl ? nl + 1 : NULL;
        int indent = 0;
        while (line[indent] == ' ')
            indent++;
        char *t = line + indent;
        if (!*t || *t == '#')
            continue;
        while (depth > 0 && indent <= depth_indent[depth - 1])
            depth--;
        char key[600] = "", value[KPI_MAX_TEXT * 2] = "";
        for (int i = 0; i < depth; i++) {
            strncat(key, group[i], sizeof key - strlen(key) - 1);
            strncat(key, ".", sizeof key - strlen(key) - 1);
        }
        if (t[0] == '-' && (t[1] == ' ' || !t[1])) {
            char idx[32];
            snprintf(idx, sizeof idx, "[%d]", list_i++);
            size_t kl = strlen(key);
            if (kl > 0 && key[kl - 1] == '.')
                key[kl - 1] = '\0';
            strncat(key, idx, sizeof key - strlen(key) - 1);
            snprintf(value, sizeof value, "%s", t[1] ? t + 2 : "");
        } else {
            char *colon = strstr(t, ": ");
            if (!colon && t[strlen(t) - 1] == ':')
                colon = t + strlen(t) - 1;
            if (!colon)
                continue;
            *colon = '\0';
            const char *v = colon[1] ? colon + 2 : "";
            if (!*v) { /* a group */
                if (depth < 8) {
                    snprintf(group[depth], sizeof group[depth], "%s", t);
                    depth_indent[depth] = indent;
                    depth++;
                }
                list_i = 0;
                continue;
            }
            strncat(key, t, sizeof key - strlen(key) - 1);
            snprintf(value, sizeof value, "%s", v);
        }
        /* a double-quoted scalar: shown without its quotes and escapes */
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            size_t o = 0;
            for (size_t i = 1; i + 1 < vl; i++) {
                if (value[i] == '\\' && i + 2 < vl) {
                    i++;
                    value[o++] = value[i] == 'n' ? ' ' : value[i];
                } else {
                    value[o++] = value[i];
                }
            }
            value[o] = '\0';
        }
        worksheet_write_string(ws, (lxw_row_t)r, 0, key, NULL);
        double num;
        if (rpt_number(value, &num))
            worksheet_write_number(ws, (lxw_row_t)r, 1, num, NULL);
        else
            worksheet_write_string(ws, (lxw_row_t)r, 1, value, x->wrap);
        const char *meaning = rpt_key_meaning(key);
        if (meaning)
            worksheet_write_string(ws, (lxw_row_t)r, 2, meaning, x->wrap);
        if (text_width(key) > wk)
            wk = text_width(key);
        if (text_width(value) > wv)
            wv = text_width(value);
        r++;
    }
    worksheet_set_column(ws, 0, 0, wk + 2 > 45 ? 45 : wk + 2, NULL);
    worksheet_set_column(ws, 1, 1, wv + 2 > 50 ? 50 : wv + 2, NULL);
    worksheet_set_column(ws, 2, 2, 90, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)(r - 1), 2);
    define_range(x, name, name, 0, 0, r - 1, 2);
}

/* ---- the workbook ---------------------------------------------------------------------------- */

static lxw_format *numfmt(lxw_workbook *wb, const char *f)
{
    lxw_format *fm = workbook_add_format(wb);
    if (fm && f)
        format_set_num_format(fm, f);
    return fm;
}

int rpt_xlsx(rpt_doc *d)
{
    char tmp[RPT_PATH_MAX];
    if (rpt_sn(tmp, sizeof tmp, "%s/.report.xlsx.%ld.tmp", d->dir, (long)getpid()) != 0) {
        fprintf(stderr, "kpisim: report: %s: path too long\n", d->dir);
        return KPI_ECREATE;
    }
    xl *x = calloc(1, sizeof *x);
    if (!x)
        return cli_out_of_memory();
    x->d = d;
    lxw_workbook_options wopt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    x->wb = workbook_new_opt(tmp, &wopt);
    if (!x->wb) {
        fprintf(stderr, "kpisim: report: cannot create %s/report.xlsx\n", d->dir);
        free(x);
        return KPI_ECREATE;
    }
    lxw_workbook *wb = x->wb;
    x->head = workbook_add_format(wb);
    format_set_bold(x->head);
    format_set_bottom(x->head, LXW_BORDER_THIN);
    format_set_bg_color(x->head, 0xDEEBF7);
    x->title = workbook_add_format(wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 18);
    format_set_font_color(x->title, 0x08519C);
    x->sub = workbook_add_format(wb);
    format_set_bold(x->sub);
    format_set_font_size(x->sub, 13);
    x->wrap = workbook_add_format(wb);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    x->bold = workbook_add_format(wb);
    format_set_bold(x->bold);
    x->label = workbook_add_format(wb);
    format_set_bold(x->label);
    format_set_font_color(x->label, 0x555555);
    x->money = numfmt(wb, "#,##0");
    x->share = numfmt(wb, "0.0%");
    x->ratio = numfmt(wb, "#,##0.00");
    x->count = numfmt(wb, "#,##0");
    x->integer = numfmt(wb, "0");
    x->plain = numfmt(wb, NULL);

    lxw_doc_properties props = {.title = (char *)(d->kind == RPT_COMPARE ? "kpisim comparison"
                                                                         : rpt_title(&d->scen[0])),
                                .subject = (char *)"kpisim report",
                                .comments = (char *)"Written by kpisim report --xlsx"};
    workbook_set_properties(wb, &props);

    lxw_worksheet *fs = workbook_add_worksheet(wb, sheet_name(x, "front"));
    const char *charts_name = sheet_name(x, d->kind == RPT_SWEEP ? "heat map" : "charts");
    lxw_worksheet *cs = workbook_add_worksheet(wb, charts_name);
    x->charts_sheet = charts_name;
    front(x, fs);
    if (cs) {
        worksheet_set_landscape(cs);
        worksheet_fit_to_pages(cs, 1, 0);
    }

    char *monthly_sheets[RPT_MAX_SCEN] = {0};
    if (d->kind == RPT_RUN) {
        const char *m = data_sheet(x, "monthly", &d->scen[0].monthly, 0);
        data_sheet(x, "summary", &d->scen[0].summary, 0);
        if (m && cs)
            run_charts(x, cs, 0, m, &d->scen[0], "");
    } else if (d->kind == RPT_COMPARE) {
        data_sheet(x, "comparison", &d->main, 0);
        for (int i = 0; i < d->nscen; i++) {
            char want[300];
            snprintf(want, sizeof want, "%s monthly", d->scen[i].name);
            const char *m = data_sheet(x, want, &d->scen[i].monthly, 0);
            monthly_sheets[i] = (char *)m;
            snprintf(want, sizeof want, "%s summary", d->scen[i].name);
            data_sheet(x, want, &d->scen[i].summary, 0);
        }
        if (cs)
            charts_compare(x, cs, charts_name, monthly_sheets);
    } else if (d->kind == RPT_SENSITIVITY) {
        data_sheet(x, "sensitivity", &d->main, 0);
        data_sheet(x, "samples", &d->samples, 0);
        if (cs)
            charts_sensitivity(x, cs, &d->main);
    } else if (d->kind == RPT_CALIBRATE) {
        data_sheet(x, "fit", &d->main, 0);
        const char *m = data_sheet(x, "fit-monthly", &d->fit_monthly, 0);
        data_sheet(x, "trace", &d->trace, 0);
        data_sheet(x, "projection", &d->projection, 0);
        if (cs)
            charts_calibrate(x, cs, m, &d->fit_monthly);
    } else {
        data_sheet(x, "sweep", &d->main, sweep_keys(&d->main));
        static const char *const figs[] = {"total_premium_mean", "profit_mean",
                                           "repeat_share_mean", "final_headcount_mean"};
        int row = 0;
        for (int f = 0; f < 4 && cs; f++)
            row = heat_map(x, cs, row, charts_name, &d->main, figs[f]);
        if (cs)
            worksheet_set_column(cs, 0, 0, 44, NULL);
        if (cs)
            worksheet_set_column(cs, 1, 40, 16, NULL);
    }
    for (int i = 0; i < d->nscen; i++) {
        char want[300];
        if (!d->scen[i].yaml)
            continue;
        if (d->nscen > 1)
            snprintf(want, sizeof want, "%s scenario", d->scen[i].name);
        else
            snprintf(want, sizeof want, d->kind == RPT_CALIBRATE ? "fitted scenario" : "scenario");
        scenario_sheet(x, want, d->scen[i].yaml);
    }

    lxw_error e = workbook_close(wb);
    free(x);
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "kpisim: report: writing %s/report.xlsx failed: %s\n", d->dir,
                lxw_strerror(e));
        unlink(tmp);
        return KPI_EIO;
    }
    int rc = rpt_commit(tmp, d->dir, "report.xlsx");
    if (rc == 0)
        printf("%s/report.xlsx\n", d->dir);
    return rc;
}
