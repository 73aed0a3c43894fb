/*
 * report_html.c - DIR/report.html of `kpisim report` (docs/report.md).
 *
 * One self-contained page: no script, no external font, image or style.
 * The charts are the gnuplot scripts of plots/ run here with the svg
 * terminal (the way cmd_plot.c runs them), each <svg> inlined with its ids
 * prefixed so that the charts' definitions do not clash.  Every text, in
 * the page and in the charts, is set in Noto Sans CJK SC; a subset of it
 * holding exactly the characters of the page (fontTools.subset, Debian's
 * python3-fonttools) is embedded as a data: URI, so Chinese or Cyrillic
 * titles render on a machine without that font.  Without fontTools or the
 * font the page is still written, says so in its provenance, and falls
 * back on the viewer's fonts.
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FONT_FAMILY "Noto Sans CJK SC"

/* ---- the chart scripts ------------------------------------------------------ */

static int has_script(const char *dir)
{
    char p[RPT_PATH_MAX];
    struct stat st;
    return rpt_sn(p, sizeof p, "%s/fan.gp", dir) == 0 && stat(p, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* The directory of plots/ *.gp, looked up as cmd_plot.c does: $KPISIM_PLOTS,
 * then next to the program. */
static int find_scripts(char *out, size_t size)
{
    const char *env = getenv("KPISIM_PLOTS");
    if (env && *env) {
        rpt_sn(out, size, "%s", env);
        return has_script(out) ? 0 : -1;
    }
    char exe[RPT_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    static const char *const rel[] = {"../share/kpisim/plots", "plots", "../plots"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        if (rpt_sn(out, size, "%s/%s", exe, rel[i]) == 0 && has_script(out))
            return 0;
    }
    return -1;
}

typedef struct chart_spec {
    const char *script, *name, *arg, *caption;
} chart_spec;

static const chart_spec run_charts[] = {
    {"fan.gp", "fan-premium", "premium",
     "First-year premium per month: the median and the bands holding 50% and 90% of the "
     "replications."},
    {"fan.gp", "fan-headcount", "headcount", "Agents on the team, month by month, with the same bands."},
    {"kpis.gp", "kpis", NULL,
     "The four KPIs: headcount, activity rate, cases per active agent, premium per case."},
    {"sources.gp", "sources", NULL, "Where the cases come from, month by month."},
    {"funnel.gp", "funnel", NULL, "The sales funnel of each source."},
};
static const chart_spec compare_charts[] = {
    {"compare.gp", "compare-premium", "premium",
     "The scenarios' premium fans side by side, with their paired difference."},
    {"compare.gp", "compare-headcount", "headcount",
     "The scenarios' headcount fans side by side, with their paired difference."},
};
static const chart_spec calibrate_charts[] = {
    {"calibrate.gp", "calibrate", NULL,
     "Each figure of the history: the observed months (points) over the fitted model's "
     "median and 90% band."},
};
static const chart_spec sensitivity_charts[] = {
    {"sensitivity.gp", "decision", "decision",
     "The probability that each strategy is best over the sampled uncertainty, with its "
     "interval."},
    {"sensitivity.gp", "flip", "flip",
     "Where the ranking flips: the share of points where the second strategy is best, by "
     "bins of each uncertain key."},
};
static const chart_spec sweep_charts[] = {
    {"sweep.gp", "sweep-total_premium", "total_premium_mean", "Total first-year premium over the grid."},
    {"sweep.gp", "sweep-profit", "profit_mean", "Profit over the grid."},
    {"sweep.gp", "sweep-repeat_share", "repeat_share_mean", "Repeat share over the grid."},
    {"sweep.gp", "sweep-final_headcount", "final_headcount_mean", "Agents at the end over the grid."},
};

/* gnuplot's SVG made fit to sit inside the page: the text from <svg on,
 * without the namespace declarations (HTML gives them), scaling with the
 * page, its ids (and the references to them) prefixed with "cN-". */
static char *inline_svg(const char *svg, int n, const char *title)
{
    const char *p = strstr(svg, "<svg");
    if (!p)
        return NULL;
    rpt_buf b = {0};
    char pre[32];
    rpt_sn(pre, sizeof pre, "c%d-", n);
    rpt_printf(&b, "<svg role=\"img\" class=\"chart\" aria-label=\"");
    rpt_esc(&b, title);
    rpt_puts(&b, "\"");
    p += 4;
    /* the attributes of the svg element: keep viewBox only */
    const char *gt = strchr(p, '>');
    if (!gt) {
        rpt_buf_free(&b);
        return NULL;
    }
    const char *vb = strstr(p, "viewBox=\"");
    if (vb && vb < gt) {
        const char *e = strchr(vb + 9, '"');
        if (e && e < gt) {
            rpt_puts(&b, " ");
            rpt_putn(&b, vb, (size_t)(e + 1 - vb));
        }
    }
    rpt_puts(&b, ">");
    p = gt + 1;
    static const char *const from[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#",
                                       "<title>Gnuplot</title>"};
    while (*p) {
        size_t best = (size_t)-1;
        int which = -1;
        for (int k = 0; k < 6; k++) {
            const char *q = strstr(p, from[k]);
            if (q && (size_t)(q - p) < best) {
                best = (size_t)(q - p);
                which = k;
            }
        }
        if (which < 0) {
            rpt_puts(&b, p);
            break;
        }
        rpt_putn(&b, p, best);
        p += best + strlen(from[which]);
        if (which == 5) {
            rpt_puts(&b, "<title>");
            rpt_esc(&b, title);
            rpt_puts(&b, "</title>");
        } else {
            rpt_puts(&b, from[which]);
            rpt_puts(&b, pre);
        }
    }
    if (b.oom) {
        rpt_buf_free(&b);
        return NULL;
    }
    return b.p;
}

typedef struct chart_job {
    char scripts[RPT_PATH_MAX];
    char tmpdir[RPT_PATH_MAX];
    int failed, missing_gnuplot;
    rpt_buf failures;        /* what failed, for the page */
} chart_job;

/* Renders one chart of dir into d->charts (or notes its failure); extra,
 * when not NULL, is the script's fourth argument (a sensitivity chart's
 * figure). */
static void render_with(rpt_doc *d, chart_job *job, const chart_spec *c, const char *dir,
                        const char *prefix, const char *caption_title, const char *extra)
{
    if (job->missing_gnuplot || cli_interrupted())
        return;
    char script[RPT_PATH_MAX], out[RPT_PATH_MAX], name[300];
    rpt_sn(name, sizeof name, "%s%s", prefix, c->name);
    rpt_sn(script, sizeof script, "%s/%s", job->scripts, c->script);
    rpt_sn(out, sizeof out, "%s/chart%d.svg", job->tmpdir, d->ncharts);
    char *argv[] = {(char *)"gnuplot", (char *)"-c", script, (char *)dir, out, (char *)c->arg,
                    (char *)extra, NULL};
    char *msg = NULL;
    int rc = rpt_capture(argv, 1, &msg);
    char *svg = rc == 0 ? rpt_read_file(out, NULL) : NULL;
    unlink(out);
    if (rc < 0) {
        fprintf(stderr, "kpisim: report: gnuplot is not installed (apt-get install gnuplot-nox, "
                        "or make deps)\n");
        job->missing_gnuplot = 1;
        job->failed++;
        rpt_puts(&job->failures, "gnuplot is not installed: no charts.\n");
        free(msg);
        return;
    }
    char title[600];
    rpt_sn(title, sizeof title, "%s%s%s", caption_title, caption_title[0] ? ": " : "", name);
    char *html = svg ? inline_svg(svg, d->ncharts, title) : NULL;
    free(svg);
    const char *why = rc != 0 && msg ? strstr(msg, "nothing to show: ") : NULL;
    if (why) {
        /* The script found nothing to show (no case in any month, say):
         * a chart skipped, as kpisim plot skips it, not a failure. */
        why += strlen("nothing to show: ");
        fprintf(stderr, "kpisim: report: chart %s skipped: %s", name, why);
        rpt_printf(&job->failures, "chart %s skipped: %s", name, why);
        free(msg);
        free(html);
        return;
    }
    if (rc != 0 || !html) {
        fprintf(stderr, "kpisim: report: chart %s (%s) failed; gnuplot said:\n%s", name, script,
                msg && *msg ? msg : "(nothing)\n");
        rpt_printf(&job->failures, "chart %s: %s", name, msg && *msg ? msg : "failed\n");
        job->failed++;
        free(msg);
        free(html);
        return;
    }
    free(msg);
    rpt_chart *ch = realloc(d->charts, sizeof *ch * (size_t)(d->ncharts + 1));
    if (!ch) {
        free(html);
        job->failed++;
        return;
    }
    d->charts = ch;
    rpt_sn(ch[d->ncharts].name, sizeof ch[d->ncharts].name, "%s", name);
    ch[d->ncharts].svg = html;
    d->ncharts++;
}

static void render(rpt_doc *d, chart_job *job, const chart_spec *c, const char *dir,
                   const char *prefix, const char *caption_title)
{
    render_with(d, job, c, dir, prefix, caption_title, NULL);
}

static void render_arg(rpt_doc *d, chart_job *job, const chart_spec *c, const char *dir,
                       const char *figure)
{
    render_with(d, job, c, dir, "", figure, figure);
}

/* Whether chart name is spec's ("kpis", or "NAME-kpis" of a compare). */
static int ends_with_name(const char *name, const char *spec)
{
    size_t a = strlen(name), b = strlen(spec);
    return a >= b && strcmp(name + a - b, spec) == 0 && (a == b || name[a - b - 1] == '-');
}

/* ---- the sections ------------------------------------------------------------ */

/* A figure of one row: "mean" and "p05 – p95" cells. */
static void band_cells(rpt_buf *b, const char *mean, const char *lo, const char *hi,
                       enum rpt_kind kind)
{
    char m[RPT_NUM], l[RPT_NUM], h[RPT_NUM];
    rpt_fmt(m, mean, kind);
    rpt_fmt(l, lo, kind);
    rpt_fmt(h, hi, kind);
    rpt_printf(b, "<td class=\"n\">%s</td><td class=\"n band\">%s \xe2\x80\x93 %s</td>", m, l, h);
}

static void headline_run(rpt_buf *b, const rpt_csv *s)
{
    int cf = rpt_csv_col(s, "figure"), cm = rpt_csv_col(s, "mean"), c5 = rpt_csv_col(s, "p05"),
        c95 = rpt_csv_col(s, "p95");
    if (cf < 0 || cm < 0 || c5 < 0 || c95 < 0) {
        rpt_puts(b, "<p>No summary.csv here.</p>\n");
        return;
    }
    rpt_puts(b, "<table class=\"figures\">\n<thead><tr><th>Figure</th><th>Mean</th>"
                "<th>90% band (p05 \xe2\x80\x93 p95)</th></tr></thead>\n<tbody>\n");
    for (int r = 0; r < s->nrow; r++) {
        const char *f = s->cell[r][cf];
        rpt_puts(b, "<tr><th scope=\"row\">");
        rpt_esc(b, rpt_label_of(f));
        rpt_puts(b, "</th>");
        band_cells(b, s->cell[r][cm], s->cell[r][c5], s->cell[r][c95], rpt_kind_of(f));
        rpt_puts(b, "</tr>\n");
    }
    rpt_puts(b, "</tbody></table>\n");
}

static const rpt_scen *scen_named(const rpt_doc *d, const char *name)
{
    for (int i = 0; i < d->nscen; i++)
        if (strcmp(d->scen[i].name, name) == 0)
            return &d->scen[i];
    return NULL;
}

static void headline_compare(rpt_buf *b, const rpt_doc *d)
{
    const rpt_csv *c = &d->main;
    int ck = rpt_csv_col(c, "kind"), cn = rpt_csv_col(c, "name"), cs = rpt_csv_col(c, "scenario"),
        cm = rpt_csv_col(c, "mean"), c5 = rpt_csv_col(c, "p05"), c95 = rpt_csv_col(c, "p95"),
        dm = rpt_csv_col(c, "diff_mean"), d5 = rpt_csv_col(c, "diff_p05"),
        d95 = rpt_csv_col(c, "diff_p95"), ph = rpt_csv_col(c, "p_higher");
    if (ck < 0 || cn < 0 || cs < 0 || cm < 0 || c5 < 0 || c95 < 0 || dm < 0 || d5 < 0 ||
        d95 < 0 || ph < 0) {
        rpt_puts(b, "<p>comparison.csv lacks the expected columns.</p>\n");
        return;
    }
    const char *first = c->nrow > 0 ? c->cell[0][cs] : "";
    rpt_puts(b, "<p>Each scenario against the first, <b>");
    const rpt_scen *fs = scen_named(d, first);
    rpt_esc(b, fs ? rpt_title(fs) : first);
    rpt_puts(b, "</b>, on common random numbers: the paired difference with its 90% band, and "
                "P(higher), the share of replications in which the scenario is higher.</p>\n");
    rpt_puts(b, "<table class=\"figures compare\">\n<thead><tr><th>Figure</th><th>Scenario</th>"
                "<th>Mean</th><th>90% band</th><th>Difference</th><th>90% band of the "
                "difference</th><th>P(higher)</th></tr></thead>\n<tbody>\n");
    const char *last = "";
    for (int r = 0; r < c->nrow; r++) {
        char **row = c->cell[r];
        if (strcmp(row[ck], "figure") != 0)
            continue;
        int new_fig = strcmp(row[cn], last) != 0;
        last = row[cn];
        enum rpt_kind kind = rpt_kind_of(row[cn]);
        rpt_printf(b, "<tr%s><th scope=\"row\">", new_fig ? " class=\"first\"" : "");
        if (new_fig)
            rpt_esc(b, rpt_label_of(row[cn]));
        rpt_puts(b, "</th><td>");
        rpt_esc(b, row[cs]);
        rpt_puts(b, "</td>");
        band_cells(b, row[cm], row[c5], row[c95], kind);
        if (strcmp(row[cs], first) == 0) {
            rpt_puts(b, "<td class=\"n\">\xe2\x80\x94</td><td class=\"n\">\xe2\x80\x94</td>"
                        "<td class=\"n\">\xe2\x80\x94</td>");
        } else {
            band_cells(b, row[dm], row[d5], row[d95], kind);
            char p[RPT_NUM];
            double v;
            if (rpt_number(row[ph], &v))
                rpt_sn(p, sizeof p, "%.0f%%", v * 100);
            else
                strcpy(p, "\xe2\x80\x94");
            rpt_printf(b, "<td class=\"n\">%s</td>", p);
        }
        rpt_puts(b, "</tr>\n");
    }
    rpt_puts(b, "</tbody></table>\n");
}

static void headline_sweep(rpt_buf *b, const rpt_csv *c)
{
    static const char *const figs[] = {"total_premium", "profit", "final_headcount",
                                       "repeat_share"};
    int nkeys = 0;
    while (nkeys < c->ncol && !strstr(c->head[nkeys], "_mean"))
        nkeys++;
    rpt_puts(b, "<p>One row per point of the grid: the swept keys, then each figure's mean and "
                "its 90% band across the replications.</p>\n");
    rpt_puts(b, "<table class=\"figures sweep\">\n<thead><tr>");
    for (int k = 0; k < nkeys; k++) {
        rpt_puts(b, "<th>");
        rpt_esc(b, c->head[k]);
        rpt_puts(b, "</th>");
    }
    int cols[4][3];
    for (int f = 0; f < 4; f++) {
        char n[128];
        static const char *const st[] = {"_mean", "_p05", "_p95"};
        for (int s = 0; s < 3; s++) {
            rpt_sn(n, sizeof n, "%s%s", figs[f], st[s]);
            cols[f][s] = rpt_csv_col(c, n);
        }
        if (cols[f][0] < 0)
            continue;
        rpt_puts(b, "<th>");
        rpt_esc(b, rpt_label_of(figs[f]));
        rpt_puts(b, "</th>");
    }
    rpt_puts(b, "</tr></thead>\n<tbody>\n");
    for (int r = 0; r < c->nrow; r++) {
        rpt_puts(b, "<tr>");
        for (int k = 0; k < nkeys; k++) {
            char v[RPT_NUM];
            double x;
            rpt_puts(b, "<td class=\"n\">");
            if (rpt_number(c->cell[r][k], &x))
                rpt_puts(b, rpt_fmt_value(v, x, RPT_PLAIN));
            else
                rpt_esc(b, c->cell[r][k]);
            rpt_puts(b, "</td>");
        }
        for (int f = 0; f < 4; f++) {
            if (cols[f][0] < 0)
                continue;
            const char *lo = cols[f][1] >= 0 ? c->cell[r][cols[f][1]] : "";
            const char *hi = cols[f][2] >= 0 ? c->cell[r][cols[f][2]] : "";
            char m[RPT_NUM], l[RPT_NUM], h[RPT_NUM];
            enum rpt_kind kind = rpt_kind_of(figs[f]);
            rpt_printf(b, "<td class=\"n\">%s<br><span class=\"band\">%s \xe2\x80\x93 %s</span></td>",
                       rpt_fmt(m, c->cell[r][cols[f][0]], kind), rpt_fmt(l, lo, kind),
                       rpt_fmt(h, hi, kind));
        }
        rpt_puts(b, "</tr>\n");
    }
    rpt_puts(b, "</tbody></table>\n");
}

static void pre_block(rpt_buf *b, const char *text)
{
    rpt_puts(b, "<pre>");
    rpt_esc(b, text);
    rpt_puts(b, "</pre>\n");
}

/* Whether text[i..] starts a number written with an exponent ("4.345e+04"),
 * as a word of its own; its length in *len. */
static int exp_number(const char *text, size_t i, size_t *len)
{
    if (i > 0 && !strchr(" (=\t", text[i - 1]))
        return 0;
    size_t j = i;
    if (text[j] == '-')
        j++;
    if (text[j] < '0' || text[j] > '9')
        return 0;
    while ((text[j] >= '0' && text[j] <= '9') || text[j] == '.')
        j++;
    if (text[j] != 'e' && text[j] != 'E')
        return 0;
    j++;
    if (text[j] == '+' || text[j] == '-')
        j++;
    if (text[j] < '0' || text[j] > '9')
        return 0;
    while (text[j] >= '0' && text[j] <= '9')
        j++;
    if (text[j] && !strchr(" ),\n\t", text[j]))
        return 0;
    *len = j - i;
    return 1;
}

/* The output of `kpisim explain` with its numbers in exponent form (%g of
 * a large premium: "8.69e+05") written out for people ("869,000"), keeping
 * the columns right-aligned where the spaces before allow. */
static void explain_block(rpt_buf *b, const char *text)
{
    rpt_buf t = {0};
    rpt_puts(&t, "");
    for (size_t i = 0; text[i];) {
        size_t len;
        if (!exp_number(text, i, &len)) {
            rpt_putn(&t, text + i, 1);
            i++;
            continue;
        }
        double v = strtod(text + i, NULL);
        char num[RPT_NUM];
        rpt_fmt_value(num, v, v >= 1000 || v <= -1000 ? RPT_MONEY : RPT_PLAIN);
        size_t n = strlen(num), room = len;
        /* take the extra width from the blanks before, or pad */
        while (n > room && t.len > 1 && t.p[t.len - 1] == ' ' && t.p[t.len - 2] == ' ') {
            t.p[--t.len] = '\0';
            room++;
        }
        for (; n < room; n++)
            rpt_puts(&t, " ");
        rpt_puts(&t, num);
        i += len;
    }
    pre_block(b, t.p ? t.p : text);
    rpt_buf_free(&t);
}

/* ---- fonts ---------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(rpt_buf *b, const unsigned char *p, size_t n)
{
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        q[0] = b64[(v >> 18) & 63];
        q[1] = b64[(v >> 12) & 63];
        q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? b64[v & 63] : '=';
        rpt_putn(b, q, 4);
    }
}

/* Appends an @font-face rule whose font is the subset of Noto Sans CJK SC
 * holding the characters of text; on failure appends nothing and says why
 * in d->font_note. */
static void embed_font(rpt_doc *d, rpt_buf *css, const rpt_buf *text, const char *tmpdir)
{
    char *where = NULL;
    char *fcm[] = {(char *)"fc-match", (char *)"-f", (char *)"%{file}:%{index}",
                   (char *)FONT_FAMILY, NULL};
    char file[RPT_PATH_MAX], index[32] = "0";
    if (rpt_capture(fcm, 0, &where) != 0 || !where || !strstr(where, "NotoSansCJK")) {
        /* fontconfig missing or the font not installed: Debian's place */
        rpt_sn(file, sizeof file, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
        rpt_sn(index, sizeof index, "2");
    } else {
        char *colon = strrchr(where, ':');
        if (colon) {
            *colon = '\0';
            rpt_sn(index, sizeof index, "%s", colon + 1);
        }
        rpt_sn(file, sizeof file, "%s", where);
    }
    free(where);
    if (access(file, R_OK) != 0) {
        rpt_sn(d->font_note, sizeof d->font_note,
                 "no font embedded: %s not found (Debian: fonts-noto-cjk); the viewer's fonts "
                 "are used", FONT_FAMILY);
        return;
    }
    char textfile[RPT_PATH_MAX], fontfile[RPT_PATH_MAX], fontnum[64], tf[RPT_PATH_MAX + 16],
        of[RPT_PATH_MAX + 16];
    rpt_sn(textfile, sizeof textfile, "%s/text.txt", tmpdir);
    rpt_sn(fontfile, sizeof fontfile, "%s/font.otf", tmpdir);
    FILE *f = fopen(textfile, "w");
    if (!f || fwrite(text->p, 1, text->len, f) != text->len || fclose(f) != 0) {
        rpt_sn(d->font_note, sizeof d->font_note, "no font embedded: cannot write %s", textfile);
        return;
    }
    rpt_sn(fontnum, sizeof fontnum, "--font-number=%s", index);
    rpt_sn(tf, sizeof tf, "--text-file=%s", textfile);
    rpt_sn(of, sizeof of, "--output-file=%s", fontfile);
    char *argv[] = {(char *)"python3", (char *)"-m", (char *)"fontTools.subset", file, fontnum, tf, (char *)"--unicodes=U+0020-007E",
                    of, (char *)"--layout-features=*", NULL};
    char *msg = NULL;
    /* Debian's python3 first: python3-fonttools is installed for it, and
     * an other python3 earlier on PATH (a virtualenv, pyenv) may lack it. */
    argv[0] = (char *)"/usr/bin/python3";
    int rc = access(argv[0], X_OK) == 0 ? rpt_capture(argv, 1, &msg) : -1;
    if (rc != 0) {
        free(msg);
        msg = NULL;
        argv[0] = (char *)"python3";
        rc = rpt_capture(argv, 1, &msg);
    }
    char *font = NULL;
    FILE *ff = rc == 0 ? fopen(fontfile, "rb") : NULL;
    rpt_buf fb = {0};
    if (ff) {
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, ff)) > 0)
            rpt_putn(&fb, chunk, n);
        fclose(ff);
        font = fb.oom ? NULL : fb.p;
    }
    unlink(textfile);
    unlink(fontfile);
    if (!font) {
        rpt_sn(d->font_note, sizeof d->font_note,
                 "no font embedded: %s (Debian: python3-fonttools); the viewer's fonts are used",
                 rc < 0 ? "python3 is not installed" : "fontTools.subset failed or is not installed");
        if (rc > 0 && msg)
            fprintf(stderr, "kpisim: report: python3 -m fontTools.subset failed:\n%s", msg);
        free(msg);
        rpt_buf_free(&fb);
        return;
    }
    free(msg);
    rpt_puts(css, "@font-face { font-family: \"" FONT_FAMILY "\"; src: url(data:font/otf;base64,");
    base64(css, (const unsigned char *)fb.p, fb.len);
    rpt_puts(css, ") format(\"opentype\"); font-display: swap; }\n");
    rpt_sn(d->font_note, sizeof d->font_note,
             "a subset of %s (%zu KB, the characters of this page) is embedded", FONT_FAMILY,
             (fb.len + 1023) / 1024);
    rpt_buf_free(&fb);
}

static const char page_css[] =
    ":root { font-size: 20px; }\n"
    "body { font-family: \"" FONT_FAMILY "\", sans-serif; color: #222; margin: 0 auto;"
    " max-width: 1320px; padding: 1rem 2rem 3rem; line-height: 1.45; }\n"
    "h1 { font-size: 2.3rem; margin: .6rem 0 .3rem; color: #08519c; }\n"
    "h2 { font-size: 1.7rem; border-bottom: 3px solid #08519c; padding-bottom: .2rem;"
    " margin-top: 2.5rem; }\n"
    "h3 { font-size: 1.3rem; margin-top: 1.6rem; }\n"
    ".lead { font-size: 1.2rem; }\n"
    "table { border-collapse: collapse; font-size: 1.05rem; margin: 1rem 0; }\n"
    "th, td { padding: .35em .8em; border-bottom: 1px solid #ccc; text-align: left;"
    " vertical-align: top; }\n"
    "thead th { border-bottom: 2px solid #444; }\n"
    "td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
    "td.band, span.band { color: #555; }\n"
    "span.band { font-size: .85rem; }\n"
    "tr.first th, tr.first td { border-top: 2px solid #999; }\n"
    "figure { margin: 1.5rem 0 2rem; }\n"
    "figure svg.chart { display: block; width: 100%; height: auto; border: 1px solid #ddd; }\n"
    "figcaption { font-size: 1rem; color: #555; margin-top: .4rem; }\n"
    "pre { font-family: \"DejaVu Sans Mono\", \"Liberation Mono\", monospace, \"" FONT_FAMILY
    "\"; font-size: .8rem; background: #f5f5f5; padding: 1em; white-space: pre-wrap;"
    " overflow-wrap: anywhere; }\n"
    ".note { color: #555; }\n"
    "@media print {\n"
    "  :root { font-size: 12pt; }\n"
    "  body { max-width: none; padding: 0; }\n"
    "  section { break-before: page; page-break-before: always; }\n"
    "  section.first { break-before: auto; page-break-before: auto; }\n"
    "  figure, tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "  h2, h3 { break-after: avoid; page-break-after: avoid; }\n"
    "  pre { font-size: 8pt; }\n"
    "}\n";

/* The charts of a sensitivity study, as kpisim plot draws them: for each
 * figure of sensitivity.csv the tornado, Morris and Sobol charts of the
 * methods it has rows of, then the decision's win probabilities and flip
 * map when the study has strategies. */
static void render_sensitivity(rpt_doc *d, chart_job *job)
{
    static const char *const kinds[3] = {"tornado", "morris", "sobol"};
    static const char *const methods[3] = {"oat", "morris", "sobol"};
    const rpt_csv *c = &d->main;
    int cf = rpt_csv_col(c, "figure"), cm = rpt_csv_col(c, "method");
    if (cf < 0 || cm < 0)
        return;
    int decision = 0;
    for (int r = 0; r < c->nrow; r++) {
        decision |= strcmp(c->cell[r][cm], "decision") == 0;
        int seen = 0;
        for (int q = 0; q < r && !seen; q++)
            seen = strcmp(c->cell[q][cf], c->cell[r][cf]) == 0;
        if (seen)
            continue;
        const char *fig = c->cell[r][cf];
        for (int k = 0; k < 3; k++) {
            int has = 0;
            for (int q = r; q < c->nrow && !has; q++)
                has = strcmp(c->cell[q][cf], fig) == 0 && strcmp(c->cell[q][cm], methods[k]) == 0;
            if (!has)
                continue;
            char name[300];
            rpt_sn(name, sizeof name, "%s-%.200s", kinds[k], fig);
            for (char *p = name; *p; p++)
                if (*p == ':' || *p == '/')
                    *p = '-';
            chart_spec spec = {"sensitivity.gp", name, kinds[k], NULL};
            render_arg(d, job, &spec, d->dir, fig);
        }
    }
    if (decision) {
        for (size_t i = 0; i < sizeof sensitivity_charts / sizeof *sensitivity_charts; i++)
            render(d, job, &sensitivity_charts[i], d->dir, "", "");
    }
}

/* The charts of the report's kind, rendered into job (they are the slow
 * part); a chart that fails is counted and named in job->failures. */
static void render_charts(rpt_doc *d, chart_job *job)
{
    if (find_scripts(job->scripts, sizeof job->scripts) != 0) {
        fprintf(stderr, "kpisim: report: cannot find the chart scripts (plots/fan.gp); set "
                        "KPISIM_PLOTS\n");
        rpt_puts(&job->failures, "the chart scripts (plots/ *.gp) were not found.\n");
        job->failed++;
    } else if (d->kind == RPT_SWEEP) {
        for (size_t i = 0; i < sizeof sweep_charts / sizeof *sweep_charts; i++)
            render(d, job, &sweep_charts[i], d->dir, "", rpt_title(&d->scen[0]));
    } else if (d->kind == RPT_SENSITIVITY) {
        render_sensitivity(d, job);
    } else if (d->kind == RPT_CALIBRATE) {
        for (size_t i = 0; i < sizeof calibrate_charts / sizeof *calibrate_charts; i++)
            render(d, job, &calibrate_charts[i], d->dir, "", rpt_title(&d->scen[0]));
    } else if (d->kind == RPT_COMPARE) {
        for (size_t i = 0; i < sizeof compare_charts / sizeof *compare_charts; i++)
            render(d, job, &compare_charts[i], d->dir, "", "");
        for (int s = 0; s < d->nscen; s++) {
            char prefix[300];
            rpt_sn(prefix, sizeof prefix, "%s-", d->scen[s].name);
            for (size_t i = 0; i < sizeof run_charts / sizeof *run_charts; i++)
                render(d, job, &run_charts[i], d->scen[s].dir, prefix, rpt_title(&d->scen[s]));
        }
    } else {
        for (size_t i = 0; i < sizeof run_charts / sizeof *run_charts; i++)
            render(d, job, &run_charts[i], d->dir, "", rpt_title(&d->scen[0]));
    }
}

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
static void headline_calibrate(rpt_buf *b, const rpt_doc *d)
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
static void headline_sensitivity(rpt_buf *b, const rpt_doc *d)
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

/* The header: the title(s) and the description(s). */
static void body_header(rpt_buf *b, const rpt_doc *d)
{
    rpt_puts(b, "<header>\n");
    if (d->kind == RPT_COMPARE || d->nscen > 1) {
        rpt_puts(b, "<h1>");
        for (int i = 0; i < d->nscen; i++) {
            if (i > 0)
                rpt_puts(b, " \xc2\xb7 ");
            rpt_esc(b, rpt_title(&d->scen[i]));
        }
        if (d->kind == RPT_SENSITIVITY)
            rpt_printf(b, "</h1>\n<p class=\"lead\">A sensitivity study of %d strategies: which "
                          "uncertain keys move the figures, and whether the best strategy stays "
                          "best across them.</p>\n", d->nscen);
        else
            rpt_printf(b, "</h1>\n<p class=\"lead\">A comparison of %d scenarios on common "
                          "random numbers.</p>\n", d->nscen);
        for (int i = 0; i < d->nscen; i++) {
            const rpt_scen *s = &d->scen[i];
            rpt_puts(b, "<h3>");
            rpt_esc(b, rpt_title(s));
            rpt_puts(b, " <span class=\"note\">(");
            rpt_esc(b, s->name);
            rpt_puts(b, ")</span></h3>\n");
            if (s->sc && s->sc->description[0]) {
                rpt_puts(b, "<p>");
                rpt_esc(b, s->sc->description);
                rpt_puts(b, "</p>\n");
            }
        }
    } else {
        const rpt_scen *s = &d->scen[0];
        rpt_puts(b, "<h1>");
        rpt_esc(b, rpt_title(s));
        rpt_puts(b, "</h1>\n");
        if (d->kind == RPT_SWEEP)
            rpt_puts(b, "<p class=\"lead\">A sweep: the scenario below run at every point of a "
                        "grid of keys.</p>\n");
        if (d->kind == RPT_SENSITIVITY)
            rpt_puts(b, "<p class=\"lead\">A sensitivity study: which uncertain keys move the "
                        "figures of the scenario below.</p>\n");
        if (d->kind == RPT_CALIBRATE)
            rpt_puts(b, "<p class=\"lead\">A calibration: the model's keys fitted to a team's "
                        "monthly history; the fitted team is below.</p>\n");
        if (s->sc && s->sc->description[0]) {
            rpt_puts(b, "<p class=\"lead\">");
            rpt_esc(b, s->sc->description);
            rpt_puts(b, "</p>\n");
        }
    }
    rpt_puts(b, "</header>\n");
}

/* The headline figures of the report's kind. */
static void body_headline(rpt_buf *b, rpt_doc *d)
{
    rpt_puts(b, "<section class=\"first\" id=\"headline\">\n<h2>Headline figures</h2>\n");
    if (d->kind == RPT_RUN)
        headline_run(b, &d->main);
    else if (d->kind == RPT_COMPARE)
        headline_compare(b, d);
    else if (d->kind == RPT_CALIBRATE)
        headline_calibrate(b, d);
    else if (d->kind == RPT_SENSITIVITY)
        headline_sensitivity(b, d);
    else
        headline_sweep(b, &d->main);
    rpt_puts(b, "</section>\n");
}

/* Every chart with its caption, and the charts that failed. */
static void body_charts(rpt_buf *b, const rpt_doc *d, const chart_job *job)
{
    rpt_puts(b, "<section id=\"charts\">\n<h2>Charts</h2>\n");
    for (int i = 0; i < d->ncharts; i++) {
        rpt_printf(b, "<figure id=\"chart-%d\">\n", i);
        rpt_puts(b, d->charts[i].svg);
        rpt_puts(b, "\n<figcaption>");
        rpt_esc(b, d->charts[i].name);
        const chart_spec *tabs[] = {run_charts, compare_charts, sweep_charts, calibrate_charts,
                                    sensitivity_charts};
        size_t ns[] = {sizeof run_charts / sizeof *run_charts,
                       sizeof compare_charts / sizeof *compare_charts,
                       sizeof sweep_charts / sizeof *sweep_charts,
                       sizeof calibrate_charts / sizeof *calibrate_charts,
                       sizeof sensitivity_charts / sizeof *sensitivity_charts};
        for (int t = 0; t < 5; t++)
            for (size_t k = 0; k < ns[t]; k++)
                if (ends_with_name(d->charts[i].name, tabs[t][k].name)) {
                    rpt_puts(b, ": ");
                    rpt_esc(b, tabs[t][k].caption);
                    t = 5;
                    break;
                }
        rpt_puts(b, "</figcaption>\n</figure>\n");
    }
    if (job->failed) {
        rpt_puts(b, "<p class=\"note\">Charts missing:</p>\n");
        pre_block(b, job->failures.p ? job->failures.p : "");
    }
    rpt_puts(b, "</section>\n");
}

/* kpisim explain's arithmetic of every scenario. */
static void body_explain(rpt_buf *b, const rpt_doc *d)
{
    rpt_puts(b, "<section id=\"explain\">\n<h2>The arithmetic (kpisim explain)</h2>\n"
                "<p>What the scenario should give by whiteboard arithmetic, each line with its "
                "formula");
    rpt_puts(b, d->kind == RPT_SWEEP         ? " (the base scenario of the sweep).</p>\n"
                : d->kind == RPT_CALIBRATE   ? " (the fitted team).</p>\n"
                : d->kind == RPT_SENSITIVITY ? " (at the scenario's own values).</p>\n"
                                           : ", and the simulated means beside it.</p>\n");
    for (int i = 0; i < d->nscen; i++) {
        const rpt_scen *s = &d->scen[i];
        if (d->nscen > 1) {
            rpt_puts(b, "<h3>");
            rpt_esc(b, rpt_title(s));
            rpt_puts(b, "</h3>\n");
        }
        if (s->explain)
            explain_block(b, s->explain);
        else
            rpt_puts(b, "<p class=\"note\">\xe2\x80\x94 (kpisim explain could not be run on this "
                        "scenario)</p>\n");
    }
    rpt_puts(b, "</section>\n");
}

/* Every resolved scenario.yaml. */
static void body_scenario(rpt_buf *b, const rpt_doc *d)
{
    rpt_puts(b, "<section id=\"scenario\">\n<h2>The resolved scenario</h2>\n"
                "<p>Every key with the value that was run (defaults filled in); "
                "<code>kpisim run</code> on this file reproduces the run.</p>\n");
    for (int i = 0; i < d->nscen; i++) {
        const rpt_scen *s = &d->scen[i];
        rpt_puts(b, "<h3>");
        if (d->kind == RPT_SENSITIVITY && d->nscen > 1)
            rpt_puts(b, "strategies");
        else
            rpt_esc(b, s->name[0] ? s->name : "scenario");
        rpt_printf(b, "/%s</h3>\n", s->file);
        if (d->kind == RPT_CALIBRATE && s->sc)
            rpt_puts(b, "<p>The fitted keys over the base scenario fitted.yaml extends, "
                        "resolved.</p>\n");
        if (s->yaml)
            pre_block(b, s->yaml);
        else
            rpt_printf(b, "<p class=\"note\">\xe2\x80\x94 (no %s here)</p>\n", s->file);
    }
    rpt_puts(b, "</section>\n");
}

/* The provenance table up to its fonts row (rpt_html adds that once the
 * font subset is made). */
static void provenance(rpt_buf *prov, const rpt_doc *d)
{
    rpt_puts(prov, "<section id=\"provenance\">\n<h2>Provenance</h2>\n<table>\n");
    rpt_printf(prov, "<tr><th scope=\"row\">kpisim</th><td>%s</td></tr>\n", KPI_VERSION);
    rpt_printf(prov, "<tr><th scope=\"row\">results</th><td>%s, ", rpt_kind_name(d->kind));
    rpt_puts(prov, "<code>");
    rpt_esc(prov, d->dir);
    rpt_puts(prov, "</code></td></tr>\n");
    for (int i = 0; i < d->nscen; i++) {
        const rpt_scen *s = &d->scen[i];
        char n[RPT_NUM];
        rpt_puts(prov, "<tr><th scope=\"row\">");
        rpt_esc(prov, d->nscen > 1 ? s->name : "scenario");
        rpt_puts(prov, "</th><td>");
        if (s->sc) {
            rpt_printf(prov, "seed %llu, %s replications, %d months",
                       (unsigned long long)s->sc->seed,
                       rpt_fmt_value(n, (double)s->sc->replications, RPT_INT), s->sc->months);
        } else {
            rpt_printf(prov, "\xe2\x80\x94 (no readable %s)", s->file);
        }
        rpt_puts(prov, "</td></tr>\n");
    }
    rpt_printf(prov, "<tr><th scope=\"row\">report made</th><td>%s</td></tr>\n", d->date);
    rpt_puts(prov, "<tr><th scope=\"row\">command line</th><td>");
    if (d->command)
        rpt_esc(prov, d->command);
    else
        rpt_puts(prov, "not recorded");
    rpt_puts(prov, "</td></tr>\n");
}

/* The page: head with title and css, then body and provenance. */
static void assemble_page(rpt_buf *page, const char *title, const rpt_buf *css,
                          const rpt_buf *body, const rpt_buf *prov)
{
    rpt_puts(page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"kpisim " KPI_VERSION "\">\n<title>");
    rpt_esc(page, title);
    rpt_puts(page, "</title>\n<style>\n");
    rpt_putn(page, css->p ? css->p : "", css->len);
    rpt_puts(page, "</style>\n</head>\n<body>\n");
    rpt_putn(page, body->p ? body->p : "", body->len);
    rpt_putn(page, prov->p ? prov->p : "", prov->len);
    rpt_puts(page, "</body>\n</html>\n");
}

int rpt_html(rpt_doc *d)
{
    int rc = 0;
    chart_job job;
    memset(&job, 0, sizeof job);
    rpt_buf body = {0}, page = {0}, css = {0};
    rpt_sn(job.tmpdir, sizeof job.tmpdir, "%s/.report.XXXXXX", d->dir);
    if (!mkdtemp(job.tmpdir)) {
        fprintf(stderr, "kpisim: report: cannot create a temporary folder in %s: %s\n", d->dir,
                strerror(errno));
        return KPI_ECREATE;
    }

    /* The charts first (they are the slow part). */
    render_charts(d, &job);
    if (cli_interrupted()) {
        rmdir(job.tmpdir);
        rpt_buf_free(&job.failures);
        return KPI_ECANCEL;
    }

    /* The body. */
    rpt_buf *b = &body;
    body_header(b, d);
    body_headline(b, d);
    body_charts(b, d, &job);
    body_explain(b, d);
    body_scenario(b, d);

    /* The provenance: the font note is filled in after the subset is
     * made, so that section is added to the page, not the text subset
     * (its characters are ASCII, always in the subset). */
    rpt_buf prov = {0};
    provenance(&prov, d);

    rpt_puts(&css, page_css);
    embed_font(d, &css, &body, job.tmpdir);
    rpt_puts(&prov, "<tr><th scope=\"row\">fonts</th><td>");
    rpt_esc(&prov, d->font_note);
    rpt_puts(&prov, "</td></tr>\n</table>\n</section>\n");
    rmdir(job.tmpdir);

    const char *title = d->kind == RPT_COMPARE ? "kpisim comparison" : rpt_title(&d->scen[0]);
    assemble_page(&page, title, &css, &body, &prov);
    if (page.oom || body.oom || css.oom || prov.oom) {
        rc = cli_out_of_memory();
    } else {
        rc = rpt_write_atomic(d->dir, "report.html", page.p, page.len);
        if (rc == 0)
            printf("%s/report.html\n", d->dir);
    }
    if (rc == 0 && job.failed) {
        fprintf(stderr, "kpisim: report: %d chart(s) failed; the report says which\n", job.failed);
        rc = KPI_EINTERNAL;
    }
    rpt_buf_free(&body);
    rpt_buf_free(&page);
    rpt_buf_free(&css);
    rpt_buf_free(&prov);
    rpt_buf_free(&job.failures);
    return rc;
}
