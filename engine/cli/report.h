/*
 * report.h - what the parts of `kpisim report` share (cmd_report.c,
 * report_html.c, report_xlsx.c; docs/report.md).
 *
 * cmd_report.c reads a result directory (a run, a compare, a sweep or a
 * calibration) into
 * an rpt_doc: its CSV files as text cells, each scenario's resolved
 * scenario, the provenance; report_html.c turns it into DIR/report.html,
 * report_xlsx.c into DIR/report.xlsx.  Both write to a hidden temporary
 * name in DIR and rename into place (rpt_commit).
 */
#ifndef KPI_REPORT_H
#define KPI_REPORT_H

#include <stddef.h>

#include "kpisim.h"

#define RPT_PATH_MAX 4096
#define RPT_MAX_SCEN 64

/* A growing text buffer; once an allocation failed, oom is set and
 * nothing more is added. */
typedef struct rpt_buf {
    char *p;
    size_t len, cap;
    int oom;
} rpt_buf;

void rpt_puts(rpt_buf *b, const char *s);
void rpt_putn(rpt_buf *b, const char *s, size_t n);
void rpt_printf(rpt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s with & < > " ' as character references. */
void rpt_esc(rpt_buf *b, const char *s);
void rpt_buf_free(rpt_buf *b);

/* snprintf that says whether it fitted: 0, or -1 when the text was cut. */
int rpt_sn(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The whole file at path (malloc'ed, NUL-terminated; its length in *len
 * when len is not NULL), or NULL with errno set. */
char *rpt_read_file(const char *path, size_t *len);

/* A CSV file (RFC 4180) as text: head[c] and cell[r][c]; a short row has
 * "" in the missing cells. */
typedef struct rpt_csv {
    int ncol, nrow;
    char **head;
    char ***cell;
    char name[64];          /* "monthly.csv" */
} rpt_csv;

int rpt_csv_read(const char *path, rpt_csv *c);   /* 0, or -1 (errno) */
void rpt_csv_free(rpt_csv *c);
int rpt_csv_col(const rpt_csv *c, const char *name);   /* -1 when absent */

/* How a value is shown: money (thousands separators, no decimals), a
 * share (per cent), a ratio (two decimals), a count, or as written (the
 * value of a swept key). */
enum rpt_kind { RPT_COUNT, RPT_MONEY, RPT_SHARE, RPT_RATIO, RPT_PLAIN, RPT_INT };

/* The kind of a figure of summary.csv, a KPI of monthly.csv, or a column
 * of either ("premium_p05", "total_premium_mean"). */
enum rpt_kind rpt_kind_of(const char *name);
/* A label for people ("Total first-year premium"); name itself when
 * there is none. */
const char *rpt_label_of(const char *name);

/* Parses a CSV cell: 1 and *v when it is a finite number, else 0 (empty,
 * "nan", text). */
int rpt_number(const char *cell, double *v);
/* Formats a cell as kind for people: "21,370,809", "0.73", "73.0%"; "—"
 * when empty or not a number.  buf needs RPT_NUM bytes. */
#define RPT_NUM 64
const char *rpt_fmt(char *buf, const char *cell, enum rpt_kind kind);
const char *rpt_fmt_value(char *buf, double v, enum rpt_kind kind);

enum rpt_dir_kind { RPT_RUN, RPT_COMPARE, RPT_SWEEP, RPT_CALIBRATE, RPT_SENSITIVITY };

/* "a run", "a compare", "a sweep", "a calibration", "a sensitivity study". */
const char *rpt_kind_name(enum rpt_dir_kind kind);

/* One scenario of the directory: a run's own, each of a compare's, a
 * sweep's base, a calibration's fitted.yaml, a sensitivity study's base or
 * each of its strategies. */
typedef struct rpt_scen {
    char name[256];          /* the folder of a compare's scenario, else "" */
    char dir[RPT_PATH_MAX];  /* where its scenario.yaml and CSV files are */
    kpi_scenario *sc;        /* NULL when scenario.yaml is missing or bad */
    char file[300];          /* "scenario.yaml", a calibration's "fitted.yaml", a
                                sensitivity study's strategy "NAME.yaml" */
    char *yaml;              /* the text of that file, NULL when missing */
    char *explain;           /* `kpisim explain` of it, NULL when it failed */
    rpt_csv monthly, summary;   /* ncol 0 when absent (a sweep) */
} rpt_scen;

/* A chart rendered as SVG text, ready to inline. */
typedef struct rpt_chart {
    char name[300];          /* "fan-premium", "traditional-kpis" */
    char *svg;
} rpt_chart;

typedef struct rpt_doc {
    const char *dir;
    enum rpt_dir_kind kind;
    rpt_scen scen[RPT_MAX_SCEN];
    int nscen;
    rpt_csv main;            /* summary.csv, comparison.csv, sweep.csv, fit.csv or
                                sensitivity.csv */
    /* A calibration's other tables: fit-monthly.csv, trace.csv and
     * projection.csv (ncol 0 when absent). */
    rpt_csv fit_monthly, trace, projection;
    rpt_csv samples;         /* a sensitivity study's samples.csv */
    rpt_chart *charts;
    int ncharts;
    char date[64];           /* the report's date, UTC */
    char *command;           /* the command line, NULL: not recorded (no file has it) */
    char font_note[512];     /* how text is made to render (report_html.c) */
} rpt_doc;

/* A calibration's goodness of fit as the report shows it: the observed
 * months of fit-monthly.csv m inside the fitted p05-p95 band, *inside of
 * *total (0 of 0 without the file). */
void rpt_fit_coverage(const rpt_csv *m, int *inside, int *total);

/* The title to show for scenario s ("" never: falls back on the name). */
const char *rpt_title(const rpt_scen *s);

/* Runs argv (no shell) with stdin from /dev/null and collects its stdout
 * (stderr too when merge) into *out (malloc'ed, NUL-terminated).  Returns
 * 0 when it exited 0, 1 when it failed, -1 when it could not run. */
int rpt_capture(char *const argv[], int merge, char **out);

/* Writes the len bytes of data to DIR/NAME atomically: a hidden temporary
 * file in DIR, fsynced, renamed into place, DIR fsynced.  Returns 0 or
 * prints "kpisim: report: writing DIR/NAME failed: reason" and returns
 * KPI_EIO (KPI_ECREATE when the file cannot be created). */
int rpt_write_atomic(const char *dir, const char *name, const char *data, size_t len);
/* Renames the finished temporary file tmp to DIR/NAME after fsyncing it,
 * then fsyncs DIR; removes tmp on failure.  Returns 0 or KPI_EIO. */
int rpt_commit(const char *tmp, const char *dir, const char *name);

/* The meaning of a scenario key ("team.headcount") from the key tables of
 * docs/model.md, or NULL (generated at build time: key_meanings.c). */
const char *rpt_key_meaning(const char *key);

/* report_html.c: builds DIR/report.html (charts rendered and fonts
 * embedded here).  Returns 0 or an exit status, the reason printed. */
int rpt_html(rpt_doc *d);
/* report_xlsx.c: builds DIR/report.xlsx.  Returns 0 or an exit status. */
int rpt_xlsx(rpt_doc *d);

#endif /* KPI_REPORT_H */
