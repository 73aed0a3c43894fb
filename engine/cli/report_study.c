/*
 * report_study.c - the headline sections of report.html for the two
 * studies (docs/report.md): a calibration's fitted keys with their
 * intervals and the coverage of the observed months, and a sensitivity
 * study's indices per figure with the decision.  The page around them is
 * report_html.c's.
 */
#include "report.h"

#include <string.h>

/* A fitted value for people: four significant digits, "—" when empty. */
static void fit_cell(rpt_buf *b, const char *cell)
{
    double v;
    if (rpt_number(cell, &v))
        rpt_printf(b, "<td class=\"n\">%.4g</td>", v);
    else
        rpt_puts(b, "<td class=\"n\">\xe2\x80\x94</td>");
}

/* A calibration: each fitted key with its interval, then the goodness of
 * fit the report can see (the band's coverage of the observed months). */
void rpt_html_calibrate(rpt_buf *b, const rpt_doc *d)
{
    const rpt_csv *c = &d->main;
    int ck = rpt_csv_col(c, "key"), ce = rpt_csv_col(c, "estimate"), cl = rpt_csv_col(c, "lo"),
        ch = rpt_csv_col(c, "hi"), bl = rpt_csv_col(c, "bound_lo"), bh = rpt_csv_col(c, "bound_hi"),
        cf = rpt_csv_col(c, "effect"), ci = rpt_csv_col(c, "identified");
    if (ck < 0 || ce < 0 || cl < 0 || ch < 0 || bl < 0 || bh < 0 || cf < 0 || ci < 0) {
        rpt_puts(b, "<p>fit.csv lacks the expected columns.</p>\n");
        return;
    }
    rpt_puts(b, "<table class=\"figures\">\n<thead><tr><th>Key</th><th>Estimate</th>"
                "<th>90% interval</th><th>Searched over</th><th>Effect</th>"
                "<th>Identified</th></tr></thead>\n<tbody>\n");
    for (int r = 0; r < c->nrow; r++) {
        const char *const *row = (const char *const *)c->cell[r];
        rpt_puts(b, "<tr><th scope=\"row\"><code>");
        rpt_esc(b, row[ck]);
        rpt_puts(b, "</code></th>");
        fit_cell(b, row[ce]);
        double lo, hi;
        if (rpt_number(row[cl], &lo) && rpt_number(row[ch], &hi))
            rpt_printf(b, "<td class=\"n band\">%.4g \xe2\x80\x93 %.4g</td>", lo, hi);
        else
            rpt_puts(b, "<td class=\"n band\">\xe2\x80\x94</td>");
        if (rpt_number(row[bl], &lo) && rpt_number(row[bh], &hi))
            rpt_printf(b, "<td class=\"n band\">%.4g \xe2\x80\x93 %.4g</td>", lo, hi);
        else
            rpt_puts(b, "<td class=\"n band\">\xe2\x80\x94</td>");
        fit_cell(b, row[cf]);
        rpt_puts(b, "<td>");
        rpt_esc(b, row[ci]);
        rpt_puts(b, "</td></tr>\n");
    }
    rpt_puts(b, "</tbody></table>\n<p class=\"note\">The effect: how far, in standard "
                "deviations of the figures, the key moves them across its whole range; below 0.1 "
                "the history cannot see the key and its interval is its range "
                "(docs/calibration.md).</p>\n");
    int inside, total;
    rpt_fit_coverage(&d->fit_monthly, &inside, &total);
    if (total > 0)
        rpt_printf(b, "<p>Observed months inside the fitted model's 90%% band: %d of %d "
                      "(%.1f%%; about 90%% when the model fits the team, fewer when the history "
                      "strays from it).</p>\n", inside, total, 100.0 * inside / total);
}

/* The row of sensitivity.csv for (figure, key, method, index), or -1. */
static int sens_row(const rpt_csv *c, const int *col, const char *fig, const char *key,
                    const char *method, const char *index)
{
    for (int r = 0; r < c->nrow; r++) {
        char *const *row = c->cell[r];
        if (strcmp(row[col[0]], fig) == 0 && strcmp(row[col[1]], key) == 0 &&
            strcmp(row[col[2]], method) == 0 && strcmp(row[col[3]], index) == 0)
            return r;
    }
    return -1;
}

/* A cell of one index, formatted as kind (a swing in the figure's own
 * units, an index as a ratio), with its interval when it has one; "—"
 * when the study did not compute it. */
static void sens_cell(rpt_buf *b, const rpt_csv *c, const int *col, int r, enum rpt_kind kind)
{
    double v, lo, hi;
    if (r < 0 || !rpt_number(c->cell[r][col[4]], &v)) {
        rpt_puts(b, "<td class=\"n\">\xe2\x80\x94</td>");
        return;
    }
    char n[RPT_NUM], l[RPT_NUM], h[RPT_NUM];
    rpt_printf(b, "<td class=\"n\">%s", rpt_fmt_value(n, v, kind));
    if (rpt_number(c->cell[r][col[5]], &lo) && rpt_number(c->cell[r][col[6]], &hi))
        rpt_printf(b, " <span class=\"band\">[%s, %s]</span>", rpt_fmt_value(l, lo, kind),
                   rpt_fmt_value(h, hi, kind));
    rpt_puts(b, "</td>");
}

/* A figure of sensitivity.csv for people: "activity: Total first-year
 * premium" for "activity:total_premium"; its kind in *kind. */
static void sens_label(rpt_buf *b, const char *fig, enum rpt_kind *kind)
{
    const char *colon = strchr(fig, ':');
    const char *name = colon ? colon + 1 : fig;
    if (colon) {
        rpt_putn(b, fig, (size_t)(colon - fig));
        rpt_puts(b, ": ");
    }
    rpt_esc(b, rpt_label_of(name));
    if (kind)
        *kind = rpt_kind_of(name);
}

/* One figure's table: a row per key (in the order of the file), its
 * tornado swing, Morris mu*, Sobol S1 and ST with their intervals. */
static void sens_figure(rpt_buf *b, const rpt_csv *c, const int *col, int first)
{
    const char *fig = c->cell[first][col[0]];
    enum rpt_kind kind;
    rpt_puts(b, "<h3>");
    sens_label(b, fig, &kind);
    rpt_puts(b, "</h3>\n<table class=\"figures\">\n<thead><tr><th>Uncertain key</th>"
                "<th>Tornado swing</th><th>Morris &mu;*</th><th>Sobol S1</th>"
                "<th>Sobol ST</th></tr></thead>\n<tbody>\n");
    for (int r = first; r < c->nrow; r++) {
        char *const *row = c->cell[r];
        const char *key = row[col[1]];
        if (strcmp(row[col[0]], fig) != 0 || !key[0])
            continue;
        int seen = 0;
        for (int q = first; q < r && !seen; q++)
            seen = strcmp(c->cell[q][col[0]], fig) == 0 && strcmp(c->cell[q][col[1]], key) == 0;
        if (seen)
            continue;
        rpt_puts(b, "<tr><th scope=\"row\"><code>");
        rpt_esc(b, key);
        rpt_puts(b, "</code></th>");
        sens_cell(b, c, col, sens_row(c, col, fig, key, "oat", "swing"), kind);
        sens_cell(b, c, col, sens_row(c, col, fig, key, "morris", "mu_star"), kind);
        sens_cell(b, c, col, sens_row(c, col, fig, key, "sobol", "S1"), RPT_RATIO);
        sens_cell(b, c, col, sens_row(c, col, fig, key, "sobol", "ST"), RPT_RATIO);
        rpt_puts(b, "</tr>\n");
    }
    rpt_puts(b, "</tbody></table>\n");
    int cv = sens_row(c, col, fig, "", "sobol", "converged");
    int mc = sens_row(c, col, fig, "", "sobol", "max_change");
    double v, m;
    if (cv >= 0 && mc >= 0 && rpt_number(c->cell[cv][col[4]], &v) &&
        rpt_number(c->cell[mc][col[4]], &m))
        rpt_printf(b, "<p class=\"note\">Sobol convergence (indices at n/2 against n): largest "
                      "change %.2f, %s.</p>\n", m, v > 0.5 ? "converged" : "NOT converged");
}

/* A sensitivity study: a table per figure, then the decision: the
 * probability that each strategy is best and where the ranking flips. */
void rpt_html_sensitivity(rpt_buf *b, const rpt_doc *d)
{
    const rpt_csv *c = &d->main;
    static const char *const names[] = {"figure", "key", "method", "index", "value", "lo", "hi"};
    int col[7];
    for (int k = 0; k < 7; k++)
        if ((col[k] = rpt_csv_col(c, names[k])) < 0) {
            rpt_puts(b, "<p>sensitivity.csv lacks the expected columns.</p>\n");
            return;
        }
    int decision = 0;
    for (int r = 0; r < c->nrow; r++) {
        char *const *row = c->cell[r];
        if (strcmp(row[col[2]], "decision") == 0) {
            decision = 1;
            continue;
        }
        int seen = 0;
        for (int q = 0; q < r && !seen; q++)
            seen = strcmp(c->cell[q][col[0]], row[col[0]]) == 0 &&
                   strcmp(c->cell[q][col[2]], "decision") != 0;
        if (!seen)
            sens_figure(b, c, col, r);
    }
    rpt_puts(b, "<p class=\"note\">Intervals: the swing's from the two runs' noise, Sobol's "
                "bootstrap percentiles (docs/sensitivity.md).</p>\n");
    if (!decision)
        return;
    rpt_puts(b, "<h3>The decision</h3>\n<table class=\"figures\">\n<thead><tr><th>Figure</th>"
                "<th>Strategy</th><th>P(best)</th></tr></thead>\n<tbody>\n");
    for (int r = 0; r < c->nrow; r++) {
        char *const *row = c->cell[r];
        if (strcmp(row[col[2]], "decision") != 0 || strcmp(row[col[3]], "p_best") != 0)
            continue;
        rpt_puts(b, "<tr><th scope=\"row\">");
        sens_label(b, row[col[0]], NULL);
        rpt_puts(b, "</th><td>");
        rpt_esc(b, row[col[1]]);
        rpt_puts(b, "</td>");
        sens_cell(b, c, col, r, RPT_SHARE);
        rpt_puts(b, "</tr>\n");
    }
    rpt_puts(b, "</tbody></table>\n");
    for (int r = 0; r < c->nrow; r++) {
        char *const *row = c->cell[r];
        double v;
        if (strcmp(row[col[2]], "decision") != 0 || strcmp(row[col[3]], "flip_at") != 0)
            continue;
        rpt_puts(b, "<p>The ranking flips where <code>");
        rpt_esc(b, row[col[1]]);
        if (rpt_number(row[col[4]], &v))
            rpt_printf(b, "</code> crosses %.4g.</p>\n", v);
        else
            rpt_puts(b, "</code> moves: it does not cross (no flip over its range).</p>\n");
    }
}
