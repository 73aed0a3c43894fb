/*
 * report_xlsx.h - what report_xlsx.c shares with report_xlsx_study.c: the
 * workbook being written and the cell helpers.  Private to the two.
 */
#ifndef KPI_REPORT_XLSX_H
#define KPI_REPORT_XLSX_H

#include <xlsxwriter.h>

#include "report.h"

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

/* Writes a CSV cell at (r, c): a number (with kind's format) when it is
 * one, an empty cell when empty, else text.  Returns its display width. */
int xl_put_cell(xl *x, lxw_worksheet *ws, int r, int c, const char *cell, enum rpt_kind kind);

/* Defines the name data_BASE (BASE made of letters, digits and '_') over
 * rows r1..r2, columns c1..c2 of sheet. */
void xl_define_range(xl *x, const char *base, const char *sheet, int r1, int c1, int r2, int c2);

/* The lines of a band: p05, p50, p95. */
extern const lxw_color_t xl_band_colour[3];

/* report_xlsx_study.c: the front sheet's table and the charts of a
 * calibration and of a sensitivity study; the front functions return the
 * next free row. */
int xl_front_calibrate(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d);
int xl_front_sensitivity(xl *x, lxw_worksheet *ws, int r, const rpt_doc *d);
void xl_charts_calibrate(xl *x, lxw_worksheet *cs, const char *sheet, const rpt_csv *m);
void xl_charts_sensitivity(xl *x, lxw_worksheet *cs, const rpt_csv *c);

#endif /* KPI_REPORT_XLSX_H */
