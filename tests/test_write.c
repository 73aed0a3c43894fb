/*
 * test_write.c - the writers (write.c) and the atomic output files and
 * number format under them (output.c).
 *
 * 1. Numbers: the shortest text of %.15g/%.16g/%.17g that reads back, "0"
 *    for -0, NaN and infinities refused.
 * 2. kpi_outfile: commit, discard, permissions.
 * 3. kpi_write_run on hand-made results whose bands are known: the CSV text
 *    is checked exactly (headers and rows), line ends are "\n".
 * 4. Atomicity: a write that fails leaves the earlier files as they were
 *    and no temporary file behind.
 * 5. A locale with a decimal comma does not change a byte of the output.
 *
 * How writes are made to fail.  The test usually runs as root (CI), where
 * permissions stop nothing, and it may not mount a small file system or
 * touch the library's code.  What does make write(2) fail, for any user and
 * without hooks, is a file size limit: with setrlimit(RLIMIT_FSIZE, L) and
 * SIGXFSZ ignored, a write past L bytes fails with EFBIG ("File too
 * large").  It fails inside stdio's flush exactly as ENOSPC would, so it
 * takes the same path through kpi_outfile_finish, and the limit can be
 * placed to fail the first file or only a later one.  The soft limit is
 * raised back afterwards (always allowed up to the hard limit).
 */
#define TEST_NAME "test_write"
#include "harness.h"

#include "kpisim.h"
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define MONTHS 3
#define REPS 21   /* h = 20 f is a whole number for every percentile */

static char tmpdir[512];

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            if (len)
                *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

/* Line number `line` (0-based) of text, copied into out. */
static const char *line_of(const char *text, int line, char *out, size_t size)
{
    const char *p = text, *e;
    size_t n;
    while (p && line-- > 0) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return strcpy(out, "(no such line)");
    e = strchr(p, '\n');
    n = e ? (size_t)(e - p) : strlen(p);
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* Entries of dir whose name starts with '.' (other than . and ..): any
 * would be a temporary file left behind. */
static int hidden_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
            strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Removes the hidden entries of dir (files only). */
static void remove_hidden(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char sub[1024];
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
            strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
        unlink(sub);
    }
    closedir(d);
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        if (d) {
            while ((de = readdir(d)) != NULL) {
                char sub[1024];
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
                remove_tree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void path_in(char *out, size_t size, const char *sub)
{
    snprintf(out, size, "%s/%s", tmpdir, sub);
}

/* The permutation r -> 8r mod 21 of 0..20 (8 and 21 are coprime): the
 * replications hold the values 0..20 in a scrambled order, so the writer
 * has to sort. */
static double perm(long r)
{
    return (double)((r * 8) % REPS);
}

/* Hand-made results.  For month m (0-based), KPI k and replication r:
 *     monthly = 1000 (m + 1) + 10 k + perm(r) + shift,
 * except activity_rate = 0.25 + 0.125 perm(r) + shift (binary fractions:
 * exact).  Figure f = 100 f - 500 + perm(r) + shift, except
 * premium_monthly_cv = -0.0 in every replication.
 * Over the values c + {0..20}: mean c + 10, p05 c + 1, p25 c + 5, p50
 * c + 10, p75 c + 15, p95 c + 19 (h = 20 f falls on order statistics), and
 * sd = sqrt((2 (1 + 4 + ... + 100)) / 20) = sqrt(38.5) = 6.2048368229954285;
 * for the activity rate everything scales by 0.125 (exactly, a power of
 * two): mean 1.5, sd 0.7756046028744286, p05 0.375, p25 0.875, p50 1.5, p75 2.125, p95 2.625. */
static kpi_results *make_results(double shift)
{
    kpi_results *res = kpi_results_create(MONTHS, REPS);
    long r;
    int m, k, f;
    if (!res)
        return NULL;
    for (r = 0; r < REPS; r++) {
        for (m = 0; m < MONTHS; m++) {
            double *row = res->monthly + ((size_t)r * MONTHS + (size_t)m) * KPI_NKPI;
            for (k = 0; k < KPI_NKPI; k++)
                row[k] = 1000.0 * (m + 1) + 10.0 * k + perm(r) + shift;
            row[KPI_ACTIVITY_RATE] = 0.25 + 0.125 * perm(r) + shift;
        }
        for (f = 0; f < KPI_NFIG; f++)
            res->figures[(size_t)r * KPI_NFIG + (size_t)f] =
                100.0 * f - 500 + perm(r) + shift;
        res->figures[(size_t)r * KPI_NFIG + KPI_FIG_PREMIUM_MONTHLY_CV] = -0.0;
    }
    return res;
}

static void make_scenario(kpi_scenario *sc)
{
    kpi_scenario_defaults(sc);
    strcpy(sc->name, "test_write");
    sc->months = MONTHS;
    sc->replications = 5;     /* the writer takes the 21 of the results */
    sc->seed = 987654321u;
}

/* ------------------------------------------------------------------ */
/* 1. Numbers                                                         */
/* ------------------------------------------------------------------ */

static void check_format(double x, const char *want)
{
    char buf[KPI_NUMBUF];
    int rc = kpi_format_number(x, buf, sizeof buf);
    CHECK(rc == KPI_OK, "format %.17g: status %d", x, rc);
    CHECK_STR(buf, want, "kpi_format_number");
}

static void test_format(void)
{
    char buf[KPI_NUMBUF];
    uint64_t bits = 0x123456789abcdefu;
    int i, bad = 0;

    check_format(0.0, "0");
    check_format(-0.0, "0");
    check_format(12, "12");
    check_format(-3.25, "-3.25");
    check_format(0.1, "0.1");
    check_format(0.1 + 0.2, "0.30000000000000004");   /* needs all 17 */
    check_format(1.0 / 3.0, "0.3333333333333333");     /* 16 */
    check_format(2.0 / 3.0, "0.6666666666666666");
    check_format(9007199254740992.0, "9007199254740992");  /* 2^53: 16 digits */
    check_format(1e15, "1e+15");
    check_format(1e20, "1e+20");
    check_format(1.5e-7, "1.5e-07");
    check_format(DBL_MAX, "1.7976931348623157e+308");
    check_format(-DBL_MIN, "-2.2250738585072014e-308");
    check_format(4.9406564584124654e-324, "4.94065645841247e-324");  /* denormal */
    check_format(123456.789, "123456.789");

    CHECK(kpi_format_number(NAN, buf, sizeof buf) == KPI_OK && buf[0] == '\0',
          "NaN (not applicable) is an empty cell");
    CHECK(kpi_format_number(INFINITY, buf, sizeof buf) == KPI_EINTERNAL,
          "+inf must be refused");
    CHECK(kpi_format_number(-INFINITY, buf, sizeof buf) == KPI_EINTERNAL,
          "-inf must be refused");
    CHECK(kpi_format_number(1.0, buf, KPI_NUMBUF - 1) == KPI_EINTERNAL,
          "a buffer below KPI_NUMBUF must be refused");

    /* Any finite double reads back exactly, from at most 24 characters. */
    for (i = 0; i < 100000; i++) {
        double x;
        bits = bits * 6364136223846793005u + 1442695040888963407u;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        if (kpi_format_number(x, buf, sizeof buf) != KPI_OK ||
            strtod(buf, NULL) != x || strlen(buf) > 24 || strchr(buf, ',')) {
            if (bad++ < 5)
                printf("FAIL: %.17g formatted as '%s'\n", x, buf);
        }
    }
    CHECK(bad == 0, "%d of 100000 random doubles did not read back", bad);
}

/* ------------------------------------------------------------------ */
/* 2. kpi_outfile                                                      */
/* ------------------------------------------------------------------ */

static void test_outfile(void)
{
    char dir[600], path[700], want[1600], *text;
    kpi_outfile *of;
    kpi_error err;
    struct stat st;
    mode_t old = umask(022);

    path_in(dir, sizeof dir, "outfile/a/b");
    CHECK(kpi_mkdir_p(dir, &err) == KPI_OK, "mkdir -p %s: %s", dir, err.msg);
    CHECK(kpi_mkdir_p(dir, &err) == KPI_OK, "mkdir -p of an existing dir: %s",
          err.msg);

    /* commit: the file appears with its content, mode 0666 & ~022. */
    of = kpi_outfile_open(dir, "x.csv", &err);
    CHECK(of != NULL, "open: %s", err.msg);
    if (of) {
        CHECK(hidden_entries(dir) == 1, "the temporary file is hidden in dir");
        kpi_outfile_puts(of, "a,b\n");
        kpi_outfile_csv_field(of, "say \"hi\", twice");
        kpi_outfile_puts(of, "\n");
        CHECK(kpi_outfile_finish(of, &err) == KPI_OK, "finish: %s", err.msg);
        CHECK(kpi_outfile_finish(of, &err) == KPI_OK, "finish twice: %s", err.msg);
        CHECK(kpi_outfile_commit(of, &err) == KPI_OK, "commit: %s", err.msg);
    }
    snprintf(path, sizeof path, "%s/x.csv", dir);
    text = slurp(path, NULL);
    CHECK_STR(text, "a,b\n\"say \"\"hi\"\", twice\"\n", "committed text");
    free(text);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
          "mode %o, expected 644", (unsigned)(st.st_mode & 0777));
    CHECK(hidden_entries(dir) == 0, "no temporary file left after commit");

    /* discard: nothing appears, the old file stays. */
    of = kpi_outfile_open(dir, "x.csv", &err);
    CHECK(of != NULL, "open: %s", err.msg);
    if (of)
        kpi_outfile_puts(of, "bad\n");
    kpi_outfile_discard(of);
    kpi_outfile_discard(NULL);
    text = slurp(path, NULL);
    CHECK_STR(text, "a,b\n\"say \"\"hi\"\", twice\"\n", "text after a discard");
    free(text);
    CHECK(hidden_entries(dir) == 0, "no temporary file left after discard");

    /* A directory that cannot be made: its parent is a regular file. */
    snprintf(path, sizeof path, "%s/x.csv/sub", dir);
    CHECK(kpi_mkdir_p(path, &err) == KPI_ECREATE, "mkdir under a file must fail");
    snprintf(want, sizeof want, "cannot create directory %s/x.csv/sub: %s/x.csv: %s",
             dir, dir, strerror(ENOTDIR));
    CHECK_STR(err.msg, want, "mkdir error message, a parent failing");
    snprintf(path, sizeof path, "%s/x.csv", dir);
    CHECK(kpi_mkdir_p(path, &err) == KPI_ECREATE, "mkdir of a file must fail");
    snprintf(want, sizeof want, "cannot create directory %s/x.csv: %s", dir,
             strerror(ENOTDIR));
    CHECK_STR(err.msg, want, "mkdir error message, the directory failing");
    umask(old);
}

/* ------------------------------------------------------------------ */
/* 3. The files of a run                                              */
/* ------------------------------------------------------------------ */

/* The expected monthly row for month m (1-based), built from the
 * integers of make_results. */
static void expected_month_row(int m, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "%d", m);
    int k;
    for (k = 0; k < KPI_NKPI && n < size; k++) {
        int c = 1000 * m + 10 * k;
        if (k == KPI_ACTIVITY_RATE)
            n += (size_t)snprintf(out + n, size - n,
                                  ",1.5,0.7756046028744286,0.375,0.875,1.5,2.125,2.625");
        else   /* money in whole cents: its sd 6.20 */
            n += (size_t)snprintf(out + n, size - n, ",%d,%s,%d,%d,%d,%d,%d", c + 10,
                                  kpi_monthly_unit(k) == KPI_UNIT_MONEY ? "6.2"
                                                                    : "6.2048368229954285",
                                  c + 1, c + 5, c + 10, c + 15, c + 19);
    }
}

static void expected_monthly_header(char *out, size_t size)
{
    static const char *const cols[7] = {"mean", "sd", "p05", "p25", "p50", "p75", "p95"};
    size_t n = (size_t)snprintf(out, size, "month");
    int k, i;
    for (k = 0; k < KPI_NKPI; k++)
        for (i = 0; i < 7 && n < size; i++)
            n += (size_t)snprintf(out + n, size - n, ",%s_%s", kpi_monthly_name(k), cols[i]);
}

static void test_run_files(void)
{
    char dir[600], path[700], line[8192], want[8192];
    char *monthly, *summary, *reps;
    kpi_results *res = make_results(0);
    kpi_scenario sc, back;
    kpi_error err;
    int rc, k;

    make_scenario(&sc);
    path_in(dir, sizeof dir, "run/nested/dir");   /* parents made too */
    rc = kpi_write_run(dir, &sc, res, KPI_WRITE_PER_REPLICATION, &err);
    CHECK(rc == KPI_OK, "kpi_write_run: %d %s", rc, err.msg);

    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    monthly = slurp(path, NULL);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    summary = slurp(path, NULL);
    snprintf(path, sizeof path, "%s/replications.csv", dir);
    reps = slurp(path, NULL);
    CHECK(monthly && summary && reps, "the three CSV files exist");
    if (!monthly || !summary || !reps)
        goto out;

    /* monthly.csv: the header (its start written out by hand, all of it
     * from the KPI names), one row per month, "\n" line ends. */
    line_of(monthly, 0, line, sizeof line);
    CHECK(starts_with(line, "month,headcount_mean,headcount_sd,headcount_p05,"
                            "headcount_p25,headcount_p50,headcount_p75,"
                            "headcount_p95,recruits_mean,"),
          "monthly header starts: %.120s", line);
    expected_monthly_header(want, sizeof want);
    CHECK_STR(line, want, "monthly.csv header");
    CHECK_INT(count_char(line, ','), 7 * KPI_NKPI, "monthly.csv commas in the header");
    line_of(monthly, 1, line, sizeof line);
    CHECK(starts_with(line, "1,1010,6.2048368229954285,1001,1005,1010,1015,1019,"
                            "1020,6.2048368229954285,1011,"),
          "monthly row 1 starts: %.120s", line);
    expected_month_row(1, want, sizeof want);
    CHECK_STR(line, want, "monthly.csv month 1");
    line_of(monthly, 3, line, sizeof line);
    expected_month_row(3, want, sizeof want);
    CHECK_STR(line, want, "monthly.csv month 3");
    CHECK_INT(count_char(monthly, '\n'), 1 + MONTHS, "monthly.csv lines");
    CHECK(strchr(monthly, '\r') == NULL, "monthly.csv has no CR");
    CHECK(monthly[strlen(monthly) - 1] == '\n', "monthly.csv ends with a newline");

    /* summary.csv */
    line_of(summary, 0, line, sizeof line);
    CHECK_STR(line, "figure,mean,sd,p05,p25,p50,p75,p95", "summary.csv header");
    line_of(summary, 1, line, sizeof line);
    CHECK_STR(line, "total_premium,-490,6.2,-499,-495,-490,-485,-481",
              "summary.csv total_premium (money: whole cents)");
    line_of(summary, 1 + KPI_FIG_FINAL_HEADCOUNT, line, sizeof line);
    CHECK_STR(line, "final_headcount,-290,6.2048368229954285,-299,-295,-290,-285,-281",
              "summary.csv final_headcount");
    line_of(summary, 1 + KPI_FIG_PREMIUM_MONTHLY_CV, line, sizeof line);
    CHECK_STR(line, "premium_monthly_cv,0,0,0,0,0,0,0",
              "summary.csv premium_monthly_cv (all -0)");
    CHECK_INT(count_char(summary, '\n'), 1 + KPI_NFIG, "summary.csv lines");

    /* replications.csv: replication 1 has perm 0; replication 2 perm 8. */
    line_of(reps, 0, line, sizeof line);
    snprintf(want, sizeof want, "replication,month");
    for (k = 0; k < KPI_NKPI; k++)
        snprintf(want + strlen(want), sizeof want - strlen(want), ",%s", kpi_monthly_name(k));
    CHECK_STR(line, want, "replications.csv header");
    CHECK(starts_with(line, "replication,month,headcount,recruits,exits,"),
          "replications.csv header starts: %.60s", line);
    line_of(reps, 1, line, sizeof line);
    CHECK(starts_with(line, "1,1,1000,1010,1020,1030,0.25,1050,"),
          "replications.csv row 1: %.60s", line);
    line_of(reps, 1 + MONTHS + 1, line, sizeof line);
    CHECK(starts_with(line, "2,2,2008,2018,2028,2038,1.25,2058,"),
          "replications.csv replication 2 month 2: %.60s", line);
    CHECK_INT(count_char(reps, '\n'), 1 + REPS * MONTHS, "replications.csv lines");
    CHECK(hidden_entries(dir) == 0, "no temporary files left");

    /* scenario.yaml: the scenario with the replications of the results
     * and the seed given, read back by the loader. */
    snprintf(path, sizeof path, "%s/scenario.yaml", dir);
    rc = kpi_scenario_load(&back, path, &err);
    CHECK(rc == KPI_OK, "loading the written scenario.yaml: %s", err.msg);
    if (rc == KPI_OK) {
        CHECK_INT(back.replications, REPS, "scenario.yaml replications");
        CHECK(back.seed == sc.seed, "scenario.yaml seed");
        CHECK_INT(back.months, MONTHS, "scenario.yaml months");
    }

    /* A second run without --per-replication removes the stale
     * replications.csv, which would not belong to the new files. */
    rc = kpi_write_run(dir, &sc, res, 0, &err);
    CHECK(rc == KPI_OK, "second kpi_write_run: %s", err.msg);
    snprintf(path, sizeof path, "%s/replications.csv", dir);
    CHECK(access(path, F_OK) != 0, "a stale replications.csv is removed");

    /* kpi_scenario_write: one file, atomically. */
    snprintf(path, sizeof path, "%s/alone.yaml", dir);
    rc = kpi_scenario_write(&sc, path, &err);
    CHECK(rc == KPI_OK, "kpi_scenario_write: %s", err.msg);
    CHECK(access(path, F_OK) == 0, "kpi_scenario_write made the file");
    CHECK(hidden_entries(dir) == 0, "no temporary files left");

    /* kpi_scenario_text: the same bytes as the file, and a changed key
     * changes them. */
    {
        char *text = NULL, *file = NULL;
        size_t len = 0, flen = 0;
        CHECK(kpi_scenario_text(&sc, &text, &len, &err) == KPI_OK && text,
              "kpi_scenario_text: %s", err.msg);
        FILE *f = fopen(path, "rb");
        if (f) {
            file = malloc(1 << 20);
            flen = file ? fread(file, 1, 1 << 20, f) : 0;
            fclose(f);
        }
        CHECK(text && file && len == flen && strlen(text) == len &&
                  memcmp(text, file, len) == 0,
              "kpi_scenario_text gives the bytes of kpi_scenario_write (%zu vs %zu)", len,
              flen);
        free(text);
        kpi_scenario other = sc;
        other.activity.calls_per_day += 1;
        char *t2 = NULL;
        size_t l2 = 0;
        CHECK(kpi_scenario_text(&other, &t2, &l2, &err) == KPI_OK && t2 && file &&
                  (l2 != flen || memcmp(t2, file, l2) != 0),
              "another scenario, another text");
        free(t2);
        free(file);
    }
    snprintf(path, sizeof path, "%s/", dir);
    CHECK(kpi_scenario_write(&sc, path, &err) == KPI_ECREATE,
          "kpi_scenario_write to a directory name fails");

    /* Results that do not match the scenario are refused. */
    sc.months = MONTHS + 1;
    CHECK(kpi_write_run(dir, &sc, res, 0, &err) == KPI_EINTERNAL,
          "months mismatch is refused");

out:
    free(monthly);
    free(summary);
    free(reps);
    kpi_results_free(res);
}

/* ------------------------------------------------------------------ */
/* 4. Atomicity under failing writes                                  */
/* ------------------------------------------------------------------ */

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* kpi_write_run with files limited to `limit` bytes (see the top). */
static int write_limited(const char *dir, const kpi_scenario *sc,
                         const kpi_results *res, rlim_t limit, kpi_error *err)
{
    struct rlimit old, lim;
    int rc;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = limit;
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) {
        printf("FAIL: setrlimit: %s\n", strerror(errno));
        return -1;
    }
    rc = kpi_write_run(dir, sc, res, KPI_WRITE_PER_REPLICATION, err);
    setrlimit(RLIMIT_FSIZE, &old);
    return rc;
}

static void test_atomic(void)
{
    char dir[600], scratch[600], path[700], want[800];
    char *before_m, *before_r, *after;
    kpi_results *good = make_results(0), *other = make_results(1);
    kpi_scenario sc;
    kpi_error err;
    long big, small;
    int rc;

    make_scenario(&sc);
    signal(SIGXFSZ, SIG_IGN);
    path_in(dir, sizeof dir, "atomic");
    path_in(scratch, sizeof scratch, "atomic-scratch");
    rc = kpi_write_run(dir, &sc, good, KPI_WRITE_PER_REPLICATION, &err);
    CHECK(rc == KPI_OK, "first run: %s", err.msg);
    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    before_m = slurp(path, NULL);
    snprintf(path, sizeof path, "%s/replications.csv", dir);
    before_r = slurp(path, NULL);

    /* The sizes the other results' files will have. */
    rc = kpi_write_run(scratch, &sc, other, KPI_WRITE_PER_REPLICATION, &err);
    snprintf(path, sizeof path, "%s/monthly.csv", scratch);
    big = file_size(path);
    snprintf(path, sizeof path, "%s/summary.csv", scratch);
    small = file_size(path);
    if (small > big)
        big = small;
    snprintf(path, sizeof path, "%s/replications.csv", scratch);
    CHECK(rc == KPI_OK && file_size(path) > big + 200,
          "replications.csv must be the largest file for this test");

    /* a) The very first file fails. */
    rc = write_limited(dir, &sc, other, 100, &err);
    CHECK(rc == KPI_EIO, "a write past the size limit: status %d, expected %d", rc,
          KPI_EIO);
    snprintf(want, sizeof want, "writing %s/monthly.csv failed: %s", dir,
             strerror(EFBIG));
    CHECK_STR(err.msg, want, "error message");

    /* b) monthly.csv and summary.csv succeed, replications.csv fails: none
     * of them may be renamed into place. */
    rc = write_limited(dir, &sc, other, (rlim_t)big + 100, &err);
    CHECK(rc == KPI_EIO, "a later file failing: status %d, expected %d", rc, KPI_EIO);
    snprintf(want, sizeof want, "writing %s/replications.csv failed: %s", dir,
             strerror(EFBIG));
    CHECK_STR(err.msg, want, "error message");

    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    after = slurp(path, NULL);
    CHECK(before_m && after && strcmp(before_m, after) == 0,
          "monthly.csv is the first run's after failed writes");
    free(after);
    snprintf(path, sizeof path, "%s/replications.csv", dir);
    after = slurp(path, NULL);
    CHECK(before_r && after && strcmp(before_r, after) == 0,
          "replications.csv is the first run's after failed writes");
    free(after);
    CHECK(hidden_entries(dir) == 0, "no temporary files left after failures");

    /* c) A directory that cannot be created. */
    snprintf(path, sizeof path, "%s/monthly.csv/sub", dir);
    rc = kpi_write_run(path, &sc, other, 0, &err);
    CHECK(rc == KPI_ECREATE, "output dir under a file: status %d, expected %d", rc,
          KPI_ECREATE);

    /* And with the limit gone, the new results go in. */
    rc = kpi_write_run(dir, &sc, other, KPI_WRITE_PER_REPLICATION, &err);
    CHECK(rc == KPI_OK, "run after the failures: %s", err.msg);
    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    after = slurp(path, NULL);
    CHECK(after && before_m && strcmp(after, before_m) != 0,
          "the new results replaced the old");
    free(after);

    signal(SIGXFSZ, SIG_DFL);
    free(before_m);
    free(before_r);
    kpi_results_free(good);
    kpi_results_free(other);
}

/* ------------------------------------------------------------------ */
/* 4b. Output sets: several directories, one commit, rolled back       */
/* ------------------------------------------------------------------ */

/* Writes text to a new file dir/name and adds it to set. */
static int stage_text(kpi_outset *set, const char *dir, const char *name, const char *text,
                      kpi_error *err)
{
    kpi_outfile *of = kpi_outfile_open(dir, name, err);
    if (!of)
        return err->status;
    kpi_outfile_puts(of, text);
    return kpi_outset_add(set, of, err);
}

/* The text of dir/name, compared with want ("" = no such file). */
static void check_file(const char *dir, const char *name, const char *want, const char *what)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = slurp(path, NULL);
    if (!*want)
        CHECK(text == NULL, "%s: %s should not be there", what, path);
    else
        CHECK_STR(text, want, what);
    free(text);
}

static void test_outset(void)
{
    char a[600], b[600], moved[600], want[1200];
    kpi_outset *set;
    kpi_error err;
    int rc;

    path_in(a, sizeof a, "outset/a");
    path_in(b, sizeof b, "outset/b");
    path_in(moved, sizeof moved, "outset/b-moved");

    /* Files in two directories, committed together; one made first. */
    set = kpi_outset_create();
    CHECK(set != NULL, "kpi_outset_create");
    if (!set)
        return;
    CHECK(kpi_mkdir_p(a, &err) == KPI_OK && kpi_mkdir_p(b, &err) == KPI_OK, "mkdir: %s",
          err.msg);
    rc = stage_text(set, a, "x.csv", "x1\n", &err);
    if (rc == KPI_OK)
        rc = stage_text(set, a, "stale.csv", "s1\n", &err);
    if (rc == KPI_OK)
        rc = stage_text(set, b, "y.csv", "y1\n", &err);
    CHECK(rc == KPI_OK, "stage: %s", err.msg);
    check_file(a, "x.csv", "", "nothing is visible before the commit");
    CHECK(hidden_entries(a) == 2 && hidden_entries(b) == 1, "the staged files are hidden");
    CHECK(kpi_outset_commit(set, &err) == KPI_OK, "commit: %s", err.msg);
    CHECK(kpi_outset_commit(set, &err) == KPI_EINTERNAL, "a second commit is refused");
    kpi_outset_free(set);
    check_file(a, "x.csv", "x1\n", "first commit, a/x.csv");
    check_file(b, "y.csv", "y1\n", "first commit, b/y.csv");

    /* Replacing and removing: x and y new, stale.csv removed. */
    set = kpi_outset_create();
    rc = set ? stage_text(set, a, "x.csv", "x2\n", &err) : KPI_EINTERNAL;
    if (rc == KPI_OK)
        rc = stage_text(set, b, "y.csv", "y2\n", &err);
    if (rc == KPI_OK)
        rc = kpi_outset_remove(set, a, "stale.csv", &err);
    if (rc == KPI_OK)
        rc = kpi_outset_commit(set, &err);
    CHECK(rc == KPI_OK, "second commit: %s", err.msg);
    kpi_outset_free(set);
    check_file(a, "x.csv", "x2\n", "second commit, a/x.csv");
    check_file(b, "y.csv", "y2\n", "second commit, b/y.csv");
    check_file(a, "stale.csv", "", "second commit removes stale.csv");
    CHECK(hidden_entries(a) == 0 && hidden_entries(b) == 0,
          "no temporary or second name left after a commit");

    /* A rename failing after another succeeded: b is moved away after
     * staging, so y.csv cannot go in after x.csv has; x.csv comes back. */
    set = kpi_outset_create();
    rc = set ? stage_text(set, a, "x.csv", "x3\n", &err) : KPI_EINTERNAL;
    if (rc == KPI_OK)
        rc = stage_text(set, a, "new.csv", "n3\n", &err);
    if (rc == KPI_OK)
        rc = stage_text(set, b, "y.csv", "y3\n", &err);
    CHECK(rc == KPI_OK && rename(b, moved) == 0, "stage, then move b: %s", err.msg);
    rc = kpi_outset_commit(set, &err);
    kpi_outset_free(set);
    CHECK(rc == KPI_EIO, "a commit whose rename fails: status %d, expected %d", rc, KPI_EIO);
    snprintf(want, sizeof want, "writing %s/y.csv failed: %s", b, strerror(ENOENT));
    CHECK_STR(err.msg, want, "the message names the file and the reason, nothing mixed");
    check_file(a, "x.csv", "x2\n", "a/x.csv is the earlier file again");
    check_file(a, "new.csv", "", "a file new in the failed commit is gone");
    CHECK(hidden_entries(a) == 0, "no temporary or second name left in a");
    /* y's temporary file moved away with b, where the set could not find
     * it to remove it: that one is the test's doing. */
    CHECK(rename(moved, b) == 0, "move b back");
    remove_hidden(b);

    /* A directory where a file goes: refused before anything changes. */
    char path[800];
    snprintf(path, sizeof path, "%s/dir.csv", b);
    CHECK(mkdir(path, 0777) == 0, "mkdir %s", path);
    set = kpi_outset_create();
    rc = set ? stage_text(set, a, "x.csv", "x4\n", &err) : KPI_EINTERNAL;
    if (rc == KPI_OK)
        rc = stage_text(set, b, "dir.csv", "d4\n", &err);
    if (rc == KPI_OK)
        rc = kpi_outset_commit(set, &err);
    kpi_outset_free(set);
    CHECK(rc == KPI_EIO, "a directory in the way: status %d, expected %d", rc, KPI_EIO);
    check_file(a, "x.csv", "x2\n", "a/x.csv untouched when a later name is a directory");
    CHECK(hidden_entries(a) == 0 && hidden_entries(b) == 0, "nothing left behind");

    /* Freed without a commit: nothing appears, nothing is left. */
    set = kpi_outset_create();
    rc = set ? stage_text(set, a, "x.csv", "x5\n", &err) : KPI_EINTERNAL;
    CHECK(rc == KPI_OK, "stage: %s", err.msg);
    kpi_outset_free(set);
    kpi_outset_free(NULL);
    check_file(a, "x.csv", "x2\n", "a set freed uncommitted changes nothing");
    CHECK(hidden_entries(a) == 0, "its temporary file is gone");
}

/* ------------------------------------------------------------------ */
/* 5. A decimal-comma locale                                          */
/* ------------------------------------------------------------------ */

static int comma_locale(void)
{
    static const char *const names[] = {
        "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
        "ru_RU.utf8", "nl_NL.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8", "pt_BR.UTF-8",
        "de_DE", "fr_FR", NULL};
    int i;
    for (i = 0; names[i]; i++)
        if (setlocale(LC_ALL, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
            return 1;
    setlocale(LC_ALL, "C");
    return 0;
}

/* No comma locale installed (a minimal Debian has only C and C.UTF-8):
 * build de_DE.UTF-8 from the locale sources of the `locales` package, when
 * they and localedef are there, into the test's own directory, and point
 * LOCPATH at it.  Nothing is installed on the system. */
static int build_comma_locale(void)
{
    char cmd[1400], locdir[600];
    path_in(locdir, sizeof locdir, "locale");
    if (access("/usr/share/i18n/locales/de_DE", R_OK) != 0)
        return 0;
    if (mkdir(locdir, 0777) != 0)
        return 0;
    snprintf(cmd, sizeof cmd,
             "localedef -c -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1", locdir);
    if (system(cmd) == -1)
        return 0;
    setenv("LOCPATH", locdir, 1);
    return comma_locale();
}

static void test_locale(void)
{
    char c_dir[600], l_dir[600], path[700], buf[64];
    static const char *const files[] = {"monthly.csv", "summary.csv",
                                        "replications.csv", NULL};
    kpi_results *res = make_results(0.5);   /* fractions in every column */
    kpi_scenario sc;
    kpi_error err;
    int rc, i;

    make_scenario(&sc);
    path_in(c_dir, sizeof c_dir, "locale-C");
    path_in(l_dir, sizeof l_dir, "locale-comma");
    rc = kpi_write_run(c_dir, &sc, res, KPI_WRITE_PER_REPLICATION, &err);
    CHECK(rc == KPI_OK, "run in the C locale: %s", err.msg);

    if (!comma_locale() && !build_comma_locale()) {
        SKIP("the decimal-comma test: no locale with a decimal comma is installed "
             "and none could be built");
        kpi_results_free(res);
        return;
    }
    snprintf(buf, sizeof buf, "%.2f", 1.5);
    CHECK_STR(buf, "1,50", "the comma locale is active");

    CHECK(kpi_format_number(0.1, buf, sizeof buf) == KPI_OK, "format in the locale");
    CHECK_STR(buf, "0.1", "0.1 in a decimal-comma locale");
    kpi_format_number(-1234567.25, buf, sizeof buf);
    CHECK_STR(buf, "-1234567.25", "-1234567.25 in a decimal-comma locale");
    kpi_format_number(1.0 / 3.0, buf, sizeof buf);
    CHECK_STR(buf, "0.3333333333333333", "1/3 in a decimal-comma locale");
    kpi_format_number(2.5e-10, buf, sizeof buf);
    CHECK_STR(buf, "2.5e-10", "2.5e-10 in a decimal-comma locale");

    rc = kpi_write_run(l_dir, &sc, res, KPI_WRITE_PER_REPLICATION, &err);
    CHECK(rc == KPI_OK, "run in the comma locale: %s", err.msg);
    for (i = 0; files[i]; i++) {
        char *a, *b;
        snprintf(path, sizeof path, "%s/%s", c_dir, files[i]);
        a = slurp(path, NULL);
        snprintf(path, sizeof path, "%s/%s", l_dir, files[i]);
        b = slurp(path, NULL);
        CHECK(a && b && strcmp(a, b) == 0,
              "%s differs between the C and the decimal-comma locale", files[i]);
        free(a);
        free(b);
    }
    setlocale(LC_ALL, "C");
    kpi_results_free(res);
}

/* ------------------------------------------------------------------ */

static void test_results_create(void)
{
    kpi_results *res = kpi_results_create(2, 3);
    CHECK(res && res->months == 2 && res->replications == 3 && res->monthly &&
              res->figures && res->monthly[2 * 3 * KPI_NKPI - 1] == 0 &&
              res->figures[3 * KPI_NFIG - 1] == 0,
          "kpi_results_create(2, 3)");
    kpi_results_free(res);
    kpi_results_free(NULL);
    CHECK(kpi_results_create(0, 3) == NULL, "0 months refused");
    CHECK(kpi_results_create(2, 0) == NULL, "0 replications refused");
    CHECK(kpi_results_create(KPI_MAX_MONTHS, LONG_MAX) == NULL,
          "a size that overflows is refused");
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_write.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL: mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return 1;
    }
    test_format();
    test_results_create();
    test_outfile();
    test_run_files();
    test_atomic();
    test_outset();
    test_locale();
    remove_tree(tmpdir);
    return TEST_DONE();
}
