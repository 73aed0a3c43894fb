/*
 * report_xlsx_study.c - the parts of report.xlsx for the two studies
 * (docs/report.md): a calibration's fit table with the observed months'
 * coverage and its charts (observed over the fitted band), a sensitivity
 * study's indices and its bar charts of the total indices.  The workbook
 * around them is report_xlsx.c's.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "report_xlsx.h"

/* A calibration: fit.csv's keys with their intervals, the search bounds,
 * the effect and whether identified; then the share of the observed
 * months inside the fitted band (from fit-monthly.csv). */
int xl_front_calibrate(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d)
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
            xl_put_cell(x, ws, r, k, c->cell[i][ci[k]], k == 6 ? RPT_RATIO : RPT_PLAIN);
    xl_define_range(x, "fit", "front", top, 0, r - 1, 7);
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
int xl_front_sensitivity(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d)
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
                xl_put_cell(x, ws, r, k, row[ci[k]], pass == 0 && k >= 4 ? RPT_SHARE : RPT_PLAIN);
            r++;
        }
    xl_define_range(x, "indices", "front", top, 0, r - 1, 6);
    return r;
}

/* A calibration's charts: for each figure of fit-monthly.csv (rows in
 * blocks of one figure, month by month), the observed months as markers
 * over the fitted p05, p50 and p95, two charts a row. */
void xl_charts_calibrate(xl *x, lxw_worksheet *cs, const char *sheet, const rpt_csv *m)
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
                lxw_chart_line line = {.color = xl_band_colour[k], .width = k == 1 ? 2.5f : 1.25f,
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
void xl_charts_sensitivity(xl *x, lxw_worksheet *cs, const rpt_csv *c)
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
