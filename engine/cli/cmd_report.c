/*
 * cmd_report.c - `kpisim report DIR [--xlsx]` (docs/report.md).
 *
 * Reads the results in DIR, detected as `kpisim plot` does (sweep.csv, a
 * sweep; comparison.csv, a compare; sensitivity.csv, a sensitivity study;
 * fit.csv, a calibration; monthly.csv, a run), into an rpt_doc: the CSV files, each scenario's resolved
 * scenario.yaml or a calibration's fitted.yaml (loaded for its
 * title, description, seed and replications) and `kpisim explain` of it
 * (this program run as a child, so the arithmetic is the command's own
 * text).  report_html.c writes DIR/report.html from it, report_xlsx.c
 * DIR/report.xlsx with --xlsx.  Also the helpers both use: CSV reading,
 * numbers for people, child processes, atomic files.
 */
#include "cli.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void report_help(FILE *f)
{
    fputs("usage: kpisim report DIR [--xlsx] [--no-html]\n"
          "\n"
          "Writes DIR/report.html, one self-contained page for a meeting or a class:\n"
          "the scenario's title and description, the headline figures with their 90%\n"
          "band (a compare: the differences and P(higher); a sweep: the grid; a\n"
          "calibration: the fitted keys with their intervals and the goodness of\n"
          "fit), the charts as inline SVG, the `kpisim explain` arithmetic, the\n"
          "resolved scenario and the provenance.  DIR is the output of run,\n"
          "compare, sweep, calibrate or sensitivity.\n"
          "The page needs no network and no installed font (a font subset is\n"
          "embedded); it prints one section a page.\n"
          "\n"
          "options:\n"
          "  --xlsx        also write DIR/report.xlsx: a front sheet, one sheet per CSV\n"
          "                file, native charts, the resolved scenario\n"
          "  --no-html     with --xlsx: the workbook only\n"
          "\n"
          "The paths written go to stdout, one a line.\n"
          "\n"
          "exit status: 0 ok, 64 usage, 66 DIR missing or holding no kpisim results,\n"
          "70 gnuplot missing or a chart failing, 73/74 cannot create/write the report.\n",
          f);
}

/* ---- buffers ------------------------------------------------------------ */

static void reserve(rpt_buf *b, size_t more)
{
    if (b->oom)
        return;
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

void rpt_putn(rpt_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rpt_puts(rpt_buf *b, const char *s)
{
    rpt_putn(b, s, strlen(s));
}

void rpt_printf(rpt_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    reserve(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rpt_esc(rpt_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': rpt_puts(b, "&amp;"); break;
        case '<': rpt_puts(b, "&lt;"); break;
        case '>': rpt_puts(b, "&gt;"); break;
        case '"': rpt_puts(b, "&quot;"); break;
        case '\'': rpt_puts(b, "&#39;"); break;
        default: rpt_putn(b, p, 1);
        }
    }
}

int rpt_sn(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

void rpt_buf_free(rpt_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- CSV ------------------------------------------------------------------ */

char *rpt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    rpt_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rpt_putn(&b, chunk, n);
    int bad = ferror(f) || b.oom;
    fclose(f);
    if (bad) {
        rpt_buf_free(&b);
        return NULL;
    }
    if (!b.p)
        rpt_puts(&b, "");
    if (len)
        *len = b.len;
    return b.p;
}

/* Splits one record starting at *pp; returns the fields (malloc'ed array
 * of malloc'ed strings) and their number in *n, advancing *pp past the
 * line end.  NULL on out of memory. */
static char **csv_record(const char **pp, int *n)
{
    const char *p = *pp;
    char **f = NULL;
    int nf = 0, cap = 0;
    for (;;) {
        rpt_buf v = {0};
        rpt_puts(&v, "");
        if (*p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    rpt_putn(&v, p, 1);
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    rpt_putn(&v, p++, 1);
                }
            }
        }
        while (*p && *p != ',' && *p != '\n' && *p != '\r')
            rpt_putn(&v, p++, 1);
        if (v.oom || (nf == cap && !(f = realloc(f, sizeof *f * (size_t)(cap = cap ? cap * 2 : 16))))) {
            rpt_buf_free(&v);
            return NULL; /* a leak on this path only when out of memory */
        }
        f[nf++] = v.p;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\r')
            p++;
        if (*p == '\n')
            p++;
        break;
    }
    *pp = p;
    *n = nf;
    return f;
}

int rpt_csv_read(const char *path, rpt_csv *c)
{
    memset(c, 0, sizeof *c);
    const char *slash = strrchr(path, '/');
    rpt_sn(c->name, sizeof c->name, "%s", slash ? slash + 1 : path);
    char *text = rpt_read_file(path, NULL);
    if (!text)
        return -1;
    const char *p = text;
    int n;
    c->head = csv_record(&p, &n);
    if (!c->head)
        goto oom;
    c->ncol = n;
    int cap = 0;
    while (*p) {
        char **row = csv_record(&p, &n);
        if (!row)
            goto oom;
        if (n < c->ncol) {
            char **r = realloc(row, sizeof *row * (size_t)c->ncol);
            if (!r)
                goto oom;
            row = r;
            for (int k = n; k < c->ncol; k++)
                row[k] = strdup("");
        } else {
            for (int k = c->ncol; k < n; k++)
                free(row[k]);
        }
        if (c->nrow == cap) {
            char ***cell = realloc(c->cell, sizeof *cell * (size_t)(cap = cap ? cap * 2 : 64));
            if (!cell)
                goto oom;
            c->cell = cell;
        }
        c->cell[c->nrow++] = row;
    }
    free(text);
    return 0;
oom:
    free(text);
    rpt_csv_free(c);
    errno = ENOMEM;
    return -1;
}

void rpt_csv_free(rpt_csv *c)
{
    for (int r = 0; r < c->nrow; r++) {
        for (int k = 0; k < c->ncol; k++)
            free(c->cell[r][k]);
        free(c->cell[r]);
    }
    if (c->head)
        for (int k = 0; k < c->ncol; k++)
            free(c->head[k]);
    free(c->head);
    free(c->cell);
    memset(c, 0, sizeof *c);
}

int rpt_csv_col(const rpt_csv *c, const char *name)
{
    for (int k = 0; k < c->ncol; k++)
        if (strcmp(c->head[k], name) == 0)
            return k;
    return -1;
}

/* ---- numbers for people ------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The figure or KPI of a column: "premium_p05" gives "premium". */
static void base_name(const char *name, char *out, size_t size)
{
    static const char *const stat[] = {"_mean", "_sd", "_p05", "_p25", "_p50", "_p75", "_p95"};
    rpt_sn(out, size, "%s", name);
    for (size_t i = 0; i < sizeof stat / sizeof *stat; i++)
        if (ends_with(out, stat[i])) {
            out[strlen(out) - strlen(stat[i])] = '\0';
            break;
        }
}

static enum rpt_kind kind_of_unit(int unit)
{
    switch (unit) {
    case KPI_UNIT_MONEY: return RPT_MONEY;
    case KPI_UNIT_SHARE: return RPT_SHARE;
    case KPI_UNIT_COUNT: return RPT_COUNT;
    default: return RPT_RATIO;
    }
}

/* The library's unit of a KPI or figure name, -1 for another name. */
static int unit_of_name(const char *name)
{
    for (int k = 0; k < KPI_NKPI; k++)
        if (strcmp(name, kpi_monthly_name(k)) == 0)
            return kpi_monthly_unit(k);
    for (int f = 0; f < KPI_NFIG; f++)
        if (strcmp(name, kpi_figure_name(f)) == 0)
            return kpi_figure_unit(f);
    return -1;
}

enum rpt_kind rpt_kind_of(const char *name)
{
    /* A KPI or a horizon figure: the unit the library gives it (the CSV
     * writers and the terminal tables use the same table); the name as it
     * is first (cycle_days_mean is a figure), then without a band suffix. */
    int unit = unit_of_name(name);
    if (unit >= 0)
        return kind_of_unit(unit);
    char b[256];
    base_name(name, b, sizeof b);
    if ((unit = unit_of_name(b)) >= 0)
        return kind_of_unit(unit);
    static const char *const money[] = {"total_premium", "premium_per_case", "total_renewal_premium",
                                        "total_income", "total_cost", "profit", "premium",
                                        "renewal_premium", "income", "cost", "commission"};
    static const char *const ratio[] = {"cases_per_active", "premium_monthly_cv", "c1_cost_ratio"};
    for (size_t i = 0; i < sizeof money / sizeof *money; i++)
        if (strcmp(b, money[i]) == 0)
            return RPT_MONEY;
    for (size_t i = 0; i < sizeof ratio / sizeof *ratio; i++)
        if (strcmp(b, ratio[i]) == 0)
            return RPT_RATIO;
    if (ends_with(b, "_share") || ends_with(b, "_rate") || strstr(b, "_share_") ||
        strcmp(b, "repeat_share_last12") == 0 || strcmp(b, "p_higher") == 0)
        return RPT_SHARE;
    if (strcmp(b, "month") == 0 || strcmp(b, "replication") == 0)
        return RPT_INT;
    return RPT_COUNT;
}

const char *rpt_label_of(const char *name)
{
    static const char *const tab[][2] = {
        {"total_premium", "Total first-year premium"},
        {"total_cases", "Total cases"},
        {"final_headcount", "Agents at the end"},
        {"mean_headcount", "Mean headcount"},
        {"mean_activity_rate", "Mean activity rate"},
        {"cases_per_active", "Cases per active agent-month"},
        {"premium_per_case", "Premium per case"},
        {"repeat_share", "Repeat share (cases from old clients)"},
        {"repeat_share_last12", "Repeat share, last 12 months"},
        {"total_calls", "Total calls"},
        {"total_meetings", "Total meetings"},
        {"appointments_lost", "Appointments lost"},
        {"total_recruits", "Recruits"},
        {"total_exits", "Exits"},
        {"final_clients", "Clients at the end"},
        {"clients_lost", "Clients lost"},
        {"total_renewal_premium", "Total renewal premium"},
        {"total_income", "Total income"},
        {"total_cost", "Total cost"},
        {"profit", "Profit"},
        {"top20_premium_share", "Premium share of the top 20% of agents"},
        {"second_policy_36m_share", "Clients with a second policy within 36 months"},
        {"premium_monthly_cv", "Month-to-month variation of premium (CV)"},
        {"c1_cost_ratio", "Cost ratio (C1)"},
        {"premium_volatility", "Premium volatility (residual sd of log premium)"},
        {"discounted_profit", "Discounted profit"},
        {"total_applications", "Applications signed"},
        {"not_taken_share", "Applications not taken up"},
        {"cycle_days_mean", "Working days from first meeting to issue"},
        {"recruit_retention_13m", "Recruits still on the team after 13 months"},
        {"persistency_13m", "Policies still paying after 13 months"},
        {"agent_income_mean", "Agent's mean monthly income"},
        {"total_clawback", "Commission clawed back"},
        {"model_version", "Model version"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
        if (strcmp(name, tab[i][0]) == 0)
            return tab[i][1];
    return name;
}

int rpt_number(const char *cell, double *v)
{
    if (!cell || !*cell)
        return 0;
    char *end;
    errno = 0;
    double x = strtod(cell, &end);
    if (end == cell || *end != '\0' || !isfinite(x))
        return 0;
    *v = x;
    return 1;
}

/* "%.*f" of v with thousands separators. */
static const char *grouped(char *buf, double v, int decimals)
{
    char raw[RPT_NUM];
    rpt_sn(raw, sizeof raw, "%.*f", decimals, v);
    if (strcmp(raw, "-0") == 0 || (raw[0] == '-' && strspn(raw + 1, "0.") == strlen(raw + 1)))
        memmove(raw, raw + 1, strlen(raw)); /* no "-0" or "-0.00" */
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    size_t intlen = strcspn(digits, ".");
    char *o = buf;
    if (raw[0] == '-')
        *o++ = '-';
    for (size_t i = 0; i < intlen; i++) {
        *o++ = digits[i];
        size_t left = intlen - i - 1;
        if (left > 0 && left % 3 == 0)
            *o++ = ',';
    }
    strcpy(o, digits + intlen);
    return buf;
}

const char *rpt_fmt_value(char *buf, double v, enum rpt_kind kind)
{
    if (!isfinite(v) || fabs(v) > 1e15)
        return strcpy(buf, isfinite(v) ? "(too large)" : "\xe2\x80\x94");
    switch (kind) {
    case RPT_MONEY:
    case RPT_INT:
        return grouped(buf, v, 0);
    case RPT_SHARE: {
        grouped(buf, v * 100, 1);
        return strcat(buf, "%");
    }
    case RPT_RATIO:
        return grouped(buf, v, 2);
    case RPT_COUNT:
        /* one decimal below 100 (26.1 agents, and 24.0 beside it), none above */
        return grouped(buf, v, fabs(v) >= 100 ? 0 : 1);
    case RPT_PLAIN:
    default: {
        /* a swept value: as few decimals as show it (up to 6), no exponent */
        grouped(buf, v, 6);
        if (strchr(buf, '.')) {
            size_t n = strlen(buf);
            while (buf[n - 1] == '0')
                buf[--n] = '\0';
            if (buf[n - 1] == '.')
                buf[--n] = '\0';
        }
        return buf;
    }
    }
}

const char *rpt_fmt(char *buf, const char *cell, enum rpt_kind kind)
{
    double v;
    if (!rpt_number(cell, &v))
        return strcpy(buf, "\xe2\x80\x94"); /* an em dash */
    return rpt_fmt_value(buf, v, kind);
}

const char *rpt_title(const rpt_scen *s)
{
    if (s->sc && s->sc->title[0])
        return s->sc->title;
    if (s->sc && s->sc->name[0])
        return s->sc->name;
    return s->name[0] ? s->name : "kpisim results";
}

/* ---- child processes ---------------------------------------------------- */

int rpt_capture(char *const argv[], int merge, char **out)
{
    *out = NULL;
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            if (!merge)
                dup2(null, STDERR_FILENO);
        }
        dup2(pipefd[1], STDOUT_FILENO);
        if (merge)
            dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    rpt_buf b = {0};
    rpt_puts(&b, "");
    char chunk[8192];
    for (;;) {
        ssize_t r = read(pipefd[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        rpt_putn(&b, chunk, (size_t)r);
    }
    close(pipefd[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            st = 0x7f00;
            break;
        }
    if (b.oom) {
        rpt_buf_free(&b);
        return -1;
    }
    *out = b.p;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* ---- atomic files -------------------------------------------------------- */

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int rpt_commit(const char *tmp, const char *dir, const char *name)
{
    char dest[RPT_PATH_MAX];
    rpt_sn(dest, sizeof dest, "%s/%s", dir, name);
    int fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "kpisim: report: writing %s failed: %s\n", dest, strerror(e));
        unlink(tmp);
        return KPI_EIO;
    }
    close(fd);
    if (rename(tmp, dest) != 0) {
        fprintf(stderr, "kpisim: report: writing %s failed: %s\n", dest, strerror(errno));
        unlink(tmp);
        return KPI_EIO;
    }
    fsync_dir(dir);
    return 0;
}

int rpt_write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
    char tmp[RPT_PATH_MAX], dest[RPT_PATH_MAX];
    rpt_sn(dest, sizeof dest, "%s/%s", dir, name);
    if (rpt_sn(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name) != 0) {
        fprintf(stderr, "kpisim: report: %s: path too long\n", dir);
        return KPI_ECREATE;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "kpisim: report: cannot create %s: %s\n", dest, strerror(errno));
        return KPI_ECREATE;
    }
    /* mkstemp makes the file 0600; a report is as readable as the CSV. */
    mode_t um = umask(0);
    umask(um);
    (void)fchmod(fd, 0666 & ~um);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "kpisim: report: writing %s failed: %s\n", dest,
                    strerror(w < 0 ? errno : EIO));
            close(fd);
            unlink(tmp);
            return KPI_EIO;
        }
        done += (size_t)w;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "kpisim: report: writing %s failed: %s\n", dest, strerror(errno));
        unlink(tmp);
        return KPI_EIO;
    }
    return rpt_commit(tmp, dir, name);
}

/* ---- reading the directory ------------------------------------------------ */

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int has_file(const char *dir, const char *name)
{
    char p[RPT_PATH_MAX];
    return rpt_sn(p, sizeof p, "%s/%s", dir, name) == 0 && is_file(p);
}

/* Loads s->dir/s->file (scenario.yaml; a calibration's fitted.yaml): the
 * scenario, its resolved text (a fitted.yaml extends its base: the text
 * shown is the scenario it resolves to) and kpisim explain of it; with_run,
 * the CSV files of its run (monthly.csv, summary.csv when present).
 * Missing parts stay NULL. */
static void load_scen(rpt_scen *s, int with_run)
{
    char path[RPT_PATH_MAX];
    if (!s->file[0])
        rpt_sn(s->file, sizeof s->file, "scenario.yaml");
    int resolve = strcmp(s->file, "fitted.yaml") == 0;
    rpt_sn(path, sizeof path, "%s/%s", s->dir, s->file);
    s->yaml = rpt_read_file(path, NULL);
    if (s->yaml) {
        s->sc = malloc(sizeof *s->sc);
        kpi_error err;
        memset(&err, 0, sizeof err);
        if (s->sc && kpi_scenario_load(s->sc, path, &err) != KPI_OK) {
            free(s->sc);
            s->sc = NULL;
        }
        char *text = NULL;
        size_t len;
        if (resolve && s->sc && kpi_scenario_text(s->sc, &text, &len, &err) == KPI_OK) {
            free(s->yaml);
            s->yaml = text;
        }
        char exe[RPT_PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            char *argv[] = {exe, (char *)"explain", path, with_run ? s->dir : NULL, NULL};
            char *out = NULL;
            if (rpt_capture(argv, 0, &out) == 0)
                s->explain = out;
            else
                free(out);
        }
    }
    if (with_run) {
        rpt_sn(path, sizeof path, "%s/monthly.csv", s->dir);
        if (is_file(path))
            (void)rpt_csv_read(path, &s->monthly);
        rpt_sn(path, sizeof path, "%s/summary.csv", s->dir);
        if (is_file(path))
            (void)rpt_csv_read(path, &s->summary);
    }
}

/* The scenarios of a compare, in the order of comparison.csv, that have a
 * folder with a monthly.csv (names as cmd_plot.c accepts them). */
static void compare_scenarios(rpt_doc *d)
{
    int col = rpt_csv_col(&d->main, "scenario");
    for (int r = 0; col >= 0 && r < d->main.nrow && d->nscen < RPT_MAX_SCEN; r++) {
        const char *name = d->main.cell[r][col];
        size_t len = strlen(name);
        if (len == 0 || len > 255 || name[0] == '.' || strchr(name, '/'))
            continue;
        int seen = 0;
        for (int i = 0; i < d->nscen && !seen; i++)
            seen = strcmp(d->scen[i].name, name) == 0;
        if (seen)
            continue;
        rpt_scen *s = &d->scen[d->nscen];
        memset(s, 0, sizeof *s);
        rpt_sn(s->name, sizeof s->name, "%s", name);
        rpt_sn(s->dir, sizeof s->dir, "%s/%s", d->dir, name);
        if (!has_file(s->dir, "monthly.csv"))
            continue;
        d->nscen++;
    }
}

static void doc_free(rpt_doc *d)
{
    for (int i = 0; i < d->nscen; i++) {
        rpt_scen *s = &d->scen[i];
        free(s->sc);
        free(s->yaml);
        free(s->explain);
        rpt_csv_free(&s->monthly);
        rpt_csv_free(&s->summary);
    }
    for (int i = 0; i < d->ncharts; i++)
        free(d->charts[i].svg);
    free(d->charts);
    free(d->command);
    rpt_csv_free(&d->main);
    rpt_csv_free(&d->fit_monthly);
    rpt_csv_free(&d->trace);
    rpt_csv_free(&d->projection);
    rpt_csv_free(&d->samples);
}

/* Reads an optional CSV of DIR into c (ncol 0 when absent or unreadable). */
static void read_optional(const char *dir, const char *name, rpt_csv *c)
{
    char path[RPT_PATH_MAX];
    if (rpt_sn(path, sizeof path, "%s/%s", dir, name) == 0 && is_file(path))
        (void)rpt_csv_read(path, c);
}

/* A sensitivity study of strategies: DIR/strategies/NAME.yaml, each a
 * scenario, in the order of their names. */
static void study_strategies(rpt_doc *d)
{
    char sub[RPT_PATH_MAX];
    struct dirent **list = NULL;
    if (rpt_sn(sub, sizeof sub, "%s/strategies", d->dir) != 0)
        return;
    int n = scandir(sub, &list, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *f = list[i]->d_name;
        size_t len = strlen(f);
        if (f[0] != '.' && len > 5 && len < 256 && strcmp(f + len - 5, ".yaml") == 0 &&
            d->nscen < RPT_MAX_SCEN) {
            rpt_scen *s = &d->scen[d->nscen];
            memset(s, 0, sizeof *s);
            rpt_sn(s->name, sizeof s->name, "%.*s", (int)(len - 5), f);
            rpt_sn(s->dir, sizeof s->dir, "%s", sub);
            rpt_sn(s->file, sizeof s->file, "%s", f);
            d->nscen++;
        }
        free(list[i]);
    }
    free(list);
}

/* What d->dir holds, detected as kpisim plot does (sweep.csv, a sweep;
 * comparison.csv, a compare; fit.csv, a calibration; monthly.csv, a run),
 * read into d.  0, or -1 with the reason printed. */
static int read_dir(rpt_doc *d)
{
    const char *dir = d->dir, *main_csv;
    if (has_file(dir, "sweep.csv")) {
        d->kind = RPT_SWEEP;
        main_csv = "sweep.csv";
    } else if (has_file(dir, "comparison.csv")) {
        d->kind = RPT_COMPARE;
        main_csv = "comparison.csv";
    } else if (has_file(dir, "sensitivity.csv")) {
        d->kind = RPT_SENSITIVITY;
        main_csv = "sensitivity.csv";
    } else if (has_file(dir, "fit.csv")) {
        d->kind = RPT_CALIBRATE;
        main_csv = "fit.csv";
    } else if (has_file(dir, "monthly.csv")) {
        d->kind = RPT_RUN;
        main_csv = "summary.csv";
    } else {
        fprintf(stderr, "kpisim: report: %s: no kpisim results here (monthly.csv, "
                        "comparison.csv, sweep.csv, fit.csv or sensitivity.csv)\n", dir);
        return -1;
    }
    char path[RPT_PATH_MAX];
    rpt_sn(path, sizeof path, "%s/%s", dir, main_csv);
    if (is_file(path) && rpt_csv_read(path, &d->main) != 0) {
        fprintf(stderr, "kpisim: report: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (d->kind == RPT_COMPARE) {
        compare_scenarios(d);
    } else if (d->kind == RPT_SENSITIVITY && !has_file(dir, "scenario.yaml")) {
        study_strategies(d);
    } else {
        d->nscen = 1;
        rpt_sn(d->scen[0].dir, sizeof d->scen[0].dir, "%s", dir);
        if (d->kind == RPT_CALIBRATE)
            rpt_sn(d->scen[0].file, sizeof d->scen[0].file, "fitted.yaml");
    }
    if (d->kind == RPT_CALIBRATE) {
        read_optional(dir, "fit-monthly.csv", &d->fit_monthly);
        read_optional(dir, "trace.csv", &d->trace);
        read_optional(dir, "projection.csv", &d->projection);
    }
    if (d->kind == RPT_SENSITIVITY)
        read_optional(dir, "samples.csv", &d->samples);
    for (int i = 0; i < d->nscen; i++)
        load_scen(&d->scen[i], d->kind == RPT_RUN || d->kind == RPT_COMPARE);
    return 0;
}

/* The share of the history's observed months inside the fitted 90% band,
 * from fit-monthly.csv: *inside of *total (0 of 0 without the file). */
void rpt_fit_coverage(const rpt_csv *m, int *inside, int *total)
{
    int co = rpt_csv_col(m, "observed"), c5 = rpt_csv_col(m, "p05"), c95 = rpt_csv_col(m, "p95");
    *inside = *total = 0;
    for (int r = 0; co >= 0 && c5 >= 0 && c95 >= 0 && r < m->nrow; r++) {
        double o, lo, hi;
        if (!rpt_number(m->cell[r][co], &o) || !rpt_number(m->cell[r][c5], &lo) ||
            !rpt_number(m->cell[r][c95], &hi))
            continue;
        (*total)++;
        *inside += o >= lo && o <= hi;
    }
}

const char *rpt_kind_name(enum rpt_dir_kind kind)
{
    switch (kind) {
    case RPT_RUN: return "a run";
    case RPT_COMPARE: return "a compare";
    case RPT_SWEEP: return "a sweep";
    case RPT_CALIBRATE: return "a calibration";
    case RPT_SENSITIVITY: return "a sensitivity study";
    }
    return "results";
}

int cli_cmd_report(int argc, char **argv)
{
    const char *dir = NULL;
    int xlsx = 0, html = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            report_help(stdout);
            return 0;
        }
        if (strcmp(a, "--xlsx") == 0) {
            xlsx = 1;
            continue;
        }
        if (strcmp(a, "--no-html") == 0) {
            html = 0;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            return cli_usage("report", "unknown option '%s'", a);
        if (dir)
            return cli_usage("report", "one directory at a time (got '%s' and '%s')", dir, a);
        dir = a;
    }
    if (!dir)
        return cli_usage("report", "no directory given");
    if (!html && !xlsx)
        return cli_usage("report", "--no-html without --xlsx writes nothing");
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "kpisim: report: %s: %s\n", dir,
                access(dir, F_OK) == 0 ? "not a directory" : "no such directory");
        return KPI_ENOINPUT;
    }

    rpt_doc *d = calloc(1, sizeof *d);
    if (!d)
        return cli_out_of_memory();
    d->dir = dir;
    if (read_dir(d) != 0) {
        doc_free(d);
        free(d);
        return KPI_ENOINPUT;
    }

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(d->date, sizeof d->date, "%Y-%m-%d %H:%M UTC", &tm);
    /* No file of DIR records the command line that made it: the
     * provenance says "not recorded" (d->command stays NULL). */

    cli_signals_install();
    int rc = 0;
    if (html)
        rc = rpt_html(d);
    if (rc == 0 && xlsx)
        rc = rpt_xlsx(d);
    if (rc == 0 && cli_interrupted())
        rc = KPI_ECANCEL;
    doc_free(d);
    free(d);
    return rc;
}
