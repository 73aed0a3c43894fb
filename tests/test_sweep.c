/*
 * test_sweep.c - sweep files (sweep.c, and the loader's part in them):
 * lists and ranges, the grid's order, points equal to the base with the
 * --set applied, every class of bad sweep with its exact place, extends
 * chains, the refusal of plain loads, --set, the limits and the docs.
 *
 * Run from the repository root: input files are read from
 * tests/data/sweep/, generated ones are written to a fresh directory under
 * $TMPDIR (or /tmp) and removed at the end.
 */
#define TEST_NAME "test_sweep"
#include "harness.h"

#include <dirent.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kpisim.h"

#define DATA "tests/data/sweep/"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The scratch directory and its one generated file, DIR/NAME. */
static char scratch_dir[512];
static char scratch_path[600];

static int scratch_open(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch_dir, sizeof scratch_dir, "%s/kpisim-sweep-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(scratch_dir) ? 0 : -1;
}

/* Writes text into DIR/name; returns the path (static) or NULL. */
static const char *scratch_write(const char *name, const char *text)
{
    FILE *f;
    size_t len = strlen(text);
    snprintf(scratch_path, sizeof scratch_path, "%s/%s", scratch_dir, name);
    f = fopen(scratch_path, "wb");
    if (!f)
        return NULL;
    if (fwrite(text, 1, len, f) != len) {
        fclose(f);
        return NULL;
    }
    if (fclose(f) != 0)
        return NULL;
    return scratch_path;
}

static void scratch_close(void)
{
    DIR *d = opendir(scratch_dir);
    struct dirent *e;
    char path[1200];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", scratch_dir, e->d_name);
        remove(path);
    }
    if (d)
        closedir(d);
    rmdir(scratch_dir);
}

/* The whole file as a NUL-terminated string (to be freed), or NULL. */
static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    if (!f)
        return NULL;
    do {
        n = fread(chunk, 1, sizeof chunk, f);
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
        buf[len] = '\0';
    } while (n > 0);
    fclose(f);
    return buf;
}

/* Sweep-loads the text as DIR/t.yaml; returns the status and prints an
 * unexpected error.  *sw is NULL on failure. */
static int load_text(const char *text, const char *const *sets, size_t nsets,
                     kpi_scenario *base, kpi_sweep **sw, kpi_error *err)
{
    const char *path = scratch_write("t.yaml", text);
    if (!path) {
        printf("  cannot write %s/t.yaml\n", scratch_dir);
        *sw = NULL;
        return -1;
    }
    return kpi_sweep_load(base, sw, path, sets, nsets, err);
}

/* Sweep-loads text (as DIR/t.yaml, with the --set sets) and checks the
 * failure: status, file (the generated file, or "--set"), place, key and
 * a part of the message. */
static void expect_error_sets(int at, const char *text, const char *const *sets, size_t nsets,
                              int status, const char *file, int line, int col,
                              const char *key, const char *part)
{
    kpi_scenario base, def;
    kpi_sweep *sw = (kpi_sweep *)&base;   /* must be set to NULL */
    kpi_error err;
    char buf[2048];
    int rc = load_text(text, sets, nsets, &base, &sw, &err);
    kpi_error_format(&err, buf, sizeof buf);
    kpi_scenario_defaults(&def);
    CHECK(rc == status, "line %d: status %d, expected %d (%s)", at, rc, status, buf);
    CHECK(err.status == rc, "line %d: err.status %d, returned %d", at, err.status, rc);
    CHECK(sw == NULL, "line %d: *out not NULL after a failure", at);
    CHECK(memcmp(&base, &def, sizeof base) == 0, "line %d: base not the defaults", at);
    if (!file)
        file = scratch_path;
    CHECK(strcmp(err.file, file) == 0, "line %d: file '%s', expected '%s'", at, err.file, file);
    CHECK(err.line == line && err.col == col, "line %d: place %d:%d, expected %d:%d (%s)", at,
          err.line, err.col, line, col, buf);
    CHECK(strcmp(err.key, key) == 0, "line %d: key '%s', expected '%s' (%s)", at, err.key, key,
          buf);
    CHECK(strstr(err.msg, part) != NULL, "line %d: message '%s' lacks '%s'", at, err.msg, part);
    if (rc == KPI_OK)
        kpi_sweep_free(sw);
}

#define EXPECT_ERROR(text, line, col, key, part) \
    expect_error_sets(__LINE__, text, NULL, 0, KPI_EDATA, NULL, line, col, key, part)

/* The values of axis a joined by spaces, for comparing with one string. */
static const char *joined(const kpi_sweep *sw, int a, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int j = 0; j < sw->axis[a].nvalues && used < size; j++) {
        int w = snprintf(buf + used, size - used, "%s%s", j ? " " : "", sw->axis[a].values[j]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

/* Sweep-loads text and returns the values of its first axis joined, or
 * the error message. */
static const char *values_of(const char *text, char *buf, size_t size)
{
    kpi_scenario base;
    kpi_sweep *sw;
    kpi_error err;
    if (load_text(text, NULL, 0, &base, &sw, &err) != KPI_OK) {
        kpi_error_format(&err, buf, size);
        return buf;
    }
    if (sw->naxes < 1)
        snprintf(buf, size, "(no axis)");
    else
        joined(sw, 0, buf, size);
    kpi_sweep_free(sw);
    return buf;
}

#define CHECK_VALUES(text, expected)                                           \
    do {                                                                       \
        char vbuf_[8192];                                                      \
        CHECK_STR(values_of(text, vbuf_, sizeof vbuf_), expected, text);       \
    } while (0)

/* Every point of sw over base equals base with one kpi_scenario_set per
 * axis ("KEY=VALUE"), byte for byte, and point i has the value indices of
 * the grid order (last axis fastest). */
static void check_points_are_sets(int at, const kpi_sweep *sw, const kpi_scenario *base)
{
    kpi_scenario *pt = malloc(sizeof *pt), *want = malloc(sizeof *want);
    int idx[KPI_MAX_SWEEP_AXES], expect_idx[KPI_MAX_SWEEP_AXES] = {0};
    kpi_error err;
    char buf[2048], set[600];
    int bad = 0;
    if (!pt || !want) {
        CHECK(0, "out of memory");
        free(pt);
        free(want);
        return;
    }
    for (long i = 0; i < sw->npoints && bad < 3; i++) {
        int rc = kpi_sweep_point(sw, base, i, pt, idx, &err);
        CHECK(rc == KPI_OK, "line %d: point %ld: %s", at, i,
              kpi_error_format(&err, buf, sizeof buf));
        memcpy(want, base, sizeof *want);
        for (int a = 0; a < sw->naxes; a++) {
            snprintf(set, sizeof set, "%s=%s", sw->axis[a].key, sw->axis[a].values[idx[a]]);
            if (kpi_scenario_set(want, set, &err) != KPI_OK) {
                CHECK(0, "line %d: --set %s: %s", at, set,
                      kpi_error_format(&err, buf, sizeof buf));
                bad++;
            }
        }
        if (memcmp(pt, want, sizeof *pt) != 0 ||
            memcmp(idx, expect_idx, (size_t)sw->naxes * sizeof *idx) != 0) {
            CHECK(0, "line %d: point %ld differs from the base with its --set", at, i);
            bad++;
        }
        for (int a = sw->naxes - 1; a >= 0; a--) {
            if (++expect_idx[a] < sw->axis[a].nvalues)
                break;
            expect_idx[a] = 0;
        }
    }
    if (!bad)
        CHECK(1, "points");
    free(pt);
    free(want);
}

/* ------------------------------------------------------------------ */
/* Good sweeps                                                         */
/* ------------------------------------------------------------------ */

static void test_calls_focus(void)
{
    kpi_scenario base, def, pt;
    kpi_sweep *sw = NULL;
    kpi_error err;
    char buf[2048];
    int idx[KPI_MAX_SWEEP_AXES];

    int rc = kpi_sweep_load(&base, &sw, DATA "calls-focus.yaml", NULL, 0, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc != KPI_OK)
        return;
    CHECK_INT(sw->naxes, 2, "two axes");
    CHECK_STR(sw->axis[0].key, "activity.calls_per_day", "axis 0 in file order");
    CHECK_STR(sw->axis[1].key, "clients.focus", "axis 1");
    CHECK_STR(joined(sw, 0, buf, sizeof buf), "4 6 8 10 12 14 16", "calls 4..16 step 2");
    CHECK_STR(joined(sw, 1, buf, sizeof buf), "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8",
              "focus 0..0.8 step 0.1: nine clean values, 0.8 included");
    CHECK_INT(sw->npoints, 63, "7 x 9 points");

    /* The base: the defaults with months: 12, named after the file. */
    kpi_scenario_defaults(&def);
    def.months = 12;
    memset(def.name, 0, sizeof def.name);
    snprintf(def.name, sizeof def.name, "calls-focus");
    CHECK(memcmp(&base, &def, sizeof base) == 0, "base = defaults + months: 12");

    /* The grid order: the last axis varies fastest. */
    static const struct { long i; int a0, a1; double calls, focus; } order[] = {
        {0, 0, 0, 4, 0}, {1, 0, 1, 4, 0.1}, {8, 0, 8, 4, 0.8}, {9, 1, 0, 6, 0},
        {30, 3, 3, 10, 0.3}, {62, 6, 8, 16, 0.8},
    };
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        CHECK_INT(kpi_sweep_point(sw, &base, order[k].i, &pt, idx, &err), KPI_OK, "point");
        CHECK(idx[0] == order[k].a0 && idx[1] == order[k].a1, "point %ld: idx %d,%d",
              order[k].i, idx[0], idx[1]);
        CHECK(pt.activity.calls_per_day == order[k].calls && pt.clients.focus == order[k].focus,
              "point %ld: calls %g focus %.17g", order[k].i, pt.activity.calls_per_day,
              pt.clients.focus);
    }
    CHECK(pt.clients.focus == 0.8, "focus 0.8 is the double of 0.8, not 8 * 0.1");
    check_points_are_sets(__LINE__, sw, &base);

    /* Each point equals a plain scenario file loaded with two --set. */
    const char *plain = scratch_write("calls-focus.yaml", "months: 12\n");
    kpi_scenario want;
    char s0[300], s1[300];
    const char *sets[2] = {s0, s1};
    CHECK_INT(kpi_sweep_point(sw, &base, 23, &pt, idx, &err), KPI_OK, "point 23");
    snprintf(s0, sizeof s0, "activity.calls_per_day=%s", sw->axis[0].values[idx[0]]);
    snprintf(s1, sizeof s1, "clients.focus=%s", sw->axis[1].values[idx[1]]);
    CHECK_INT(kpi_scenario_load_sets(&want, plain, sets, 2, &err), KPI_OK, "plain + --set");
    CHECK(memcmp(&pt, &want, sizeof pt) == 0, "point 23 = plain file + --set %s --set %s", s0,
          s1);

    /* idx may be NULL; out of range points and missing arguments fail. */
    CHECK_INT(kpi_sweep_point(sw, &base, 5, &pt, NULL, &err), KPI_OK, "idx NULL");
    CHECK_INT(kpi_sweep_point(sw, &base, 63, &pt, idx, &err), KPI_EINTERNAL, "point 63");
    CHECK(strstr(err.msg, "not in [0, 63)") != NULL, "point 63: %s", err.msg);
    CHECK_INT(kpi_sweep_point(sw, &base, -1, &pt, idx, &err), KPI_EINTERNAL, "point -1");
    CHECK_INT(kpi_sweep_point(NULL, &base, 0, &pt, idx, &err), KPI_EINTERNAL, "no sweep");
    CHECK_INT(kpi_sweep_point(sw, &base, 0, NULL, idx, NULL), KPI_EINTERNAL, "no out, no err");
    kpi_sweep_free(sw);
    kpi_sweep_free(NULL);
}

static void test_lists(void)
{
    kpi_scenario base, plain, pt;
    kpi_sweep *sw = NULL;
    kpi_error err;
    char buf[2048];

    /* The docs example: extends a scenario of another directory. */
    int rc = kpi_sweep_load(&base, &sw, DATA "docs-lists.yaml", NULL, 0, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK_INT(sw->naxes, 3, "three axes");
        CHECK_INT(sw->npoints, 12, "3 x 2 x 2");
        CHECK_STR(joined(sw, 0, buf, sizeof buf), "1 2 3", "seeds");
        CHECK_STR(joined(sw, 1, buf, sizeof buf), "reassign lose", "orphan policies");
        CHECK_STR(joined(sw, 2, buf, sizeof buf), "10:7:3:1 20:10:4:1", "funnels");
        CHECK_STR(base.name, "two-years-sweep", "own name");
        CHECK_INT(kpi_scenario_load(&plain, "tests/data/scenario/docs-full.yaml", &err), KPI_OK,
                  "docs-full");
        memcpy(plain.name, base.name, sizeof plain.name);
        CHECK(memcmp(&base, &plain, sizeof base) == 0, "base = the scenario extended");
        check_points_are_sets(__LINE__, sw, &base);
        CHECK_INT(kpi_sweep_point(sw, &base, 11, &pt, NULL, &err), KPI_OK, "last point");
        CHECK(pt.seed == 3 && pt.clients.orphan_policy == KPI_ORPHAN_LOSE &&
              pt.funnel.cold.stage[0] == 20 && pt.funnel.cold.stage[2] == 4,
              "last point's values");
        kpi_sweep_free(sw);
    }

    /* Values are kept in the form a --set takes: numbers in their shortest
     * exact form, whole numbers as such, funnels as "a:b:c:d". */
    CHECK_VALUES("sweep:\n  activity.calls_per_day: [12, 12.50, 1e1, 0x10, 1_000, +3, .5]\n",
                 "12 12.5 10 16 1000 3 0.5");
    CHECK_VALUES("sweep:\n  months: [12, 24.0, 3.6e1]\n", "12 24 36");
    CHECK_VALUES("sweep:\n  seed: [0, 18446744073709551615, 0xFFFF]\n",
                 "0 18446744073709551615 65535");
    CHECK_VALUES("sweep:\n  replications: [100, 1e4]\n", "100 10000");
    CHECK_VALUES("sweep:\n  funnel.referral: [\"6:5:3:1\", 12:10:6:2, '8 : 6 : 2 : 0.5']\n",
                 "6:5:3:1 12:10:6:2 8:6:2:0.5");
    CHECK_VALUES("sweep:\n  clients.orphan_policy: [lose, \"reassign\"]\n", "lose reassign");
    CHECK_VALUES("sweep:\n  clients.grade_rate.A: [0.5, 1]\n", "0.5 1");
    CHECK_VALUES("sweep:\n  clients.repeat_share: [0.2, 0.3]\n", "0.2 0.3");
    CHECK_VALUES("sweep:\n  activity.compliance: [0.1, 0.30000000000000004]\n",
                 "0.1 0.30000000000000004");
    CHECK_VALUES("sweep:\n  team.income_floor: [-0, 1e11]\n", "0 100000000000");
    CHECK_VALUES("sweep:\n  premium.mean: [1e12, 2.5e3]\n", "1000000000000 2500");
    CHECK_VALUES("sweep:\n  activity.calls_per_day: [0.1]\n", "0.1");

    /* One grade of a grade mapping; the others keep the base's. */
    rc = load_text("clients:\n  grade_rate: {B: 0.4}\nsweep:\n  clients.grade_rate.A: [0.5, 1]\n",
                   NULL, 0, &base, &sw, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK_INT(kpi_sweep_point(sw, &base, 0, &pt, NULL, &err), KPI_OK, "grade point");
        CHECK(pt.clients.grade_rate[0] == 0.5 && pt.clients.grade_rate[1] == 0.4,
              "grade A swept, B from the file");
        check_points_are_sets(__LINE__, sw, &base);
        kpi_sweep_free(sw);
    }

    /* clients.focus swept over a file that gives repeat_share: the sweep
     * wins, as a --set would; an assessment key switches assessment on. */
    rc = load_text("clients:\n  repeat_share: 0.3\nsweep:\n  clients.focus: [0.2, 0.4]\n"
                   "  assessment.min_cases: [1, 2]\n", NULL, 0, &base, &sw, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK(base.clients.repeat_share == 0.3 && !base.assessment.enabled, "base as the file");
        CHECK_INT(kpi_sweep_point(sw, &base, 3, &pt, NULL, &err), KPI_OK, "focus point");
        CHECK(pt.clients.focus == 0.4 && pt.clients.repeat_share < 0, "focus drops the share");
        CHECK(pt.assessment.enabled && pt.assessment.min_cases == 2, "assessment switched on");
        check_points_are_sets(__LINE__, sw, &base);
        kpi_sweep_free(sw);
    }

    /* Anchors and aliases work in a sweep too. */
    rc = load_text("sweep:\n  team.headcount: &v [10, 20]\n  activity.calls_per_day: *v\n", NULL,
                   0, &base, &sw, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK_STR(joined(sw, 1, buf, sizeof buf), "10 20", "an alias of a list");
        kpi_sweep_free(sw);
    }
}

static void test_ranges(void)
{
    /* The end is included within a billionth of a step, not beyond. */
    CHECK_VALUES("sweep:\n  clients.focus: {from: 0, to: 0.7, step: 0.1}\n",
                 "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7");
    CHECK_VALUES("sweep:\n  clients.focus: {from: 0, to: 1, step: 0.3}\n", "0 0.3 0.6 0.9");
    CHECK_VALUES("sweep:\n  clients.focus: {from: 0.2, to: 0.2, step: 0.1}\n", "0.2");
    CHECK_VALUES("sweep:\n  clients.focus: {from: 0.1, to: 0.3, step: 0.1}\n", "0.1 0.2 0.3");
    CHECK_VALUES("sweep:\n  clients.focus: {from: 0, to: 0.3, step: 0.1000000001}\n",
                 "0 0.1000000001 0.2000000002");
    CHECK_VALUES("sweep:\n  team.attrition: {step: 0.25, to: 1, from: 0}\n",
                 "0 0.25 0.5 0.75 1");
    CHECK_VALUES("sweep:\n  activity.calls_per_day: {from: 1.1, to: 2, step: 0.3}\n",
                 "1.1 1.4 1.7 2");
    CHECK_VALUES("sweep:\n  months: {from: 6, to: 24, step: 6}\n", "6 12 18 24");
    CHECK_VALUES("sweep:\n  months: {from: 6, to: 20, step: 6}\n", "6 12 18");
    CHECK_VALUES("sweep:\n  months: {from: 1, to: 2.5, step: 1.0}\n", "1 2");
    CHECK_VALUES("sweep:\n  team.headcount: {from: 0, to: 1e5, step: 5e4}\n", "0 50000 100000");
    /* Seeds beyond 12 digits stay exact. */
    CHECK_VALUES("sweep:\n  seed: {from: 100000000000000, to: 100000000000002, step: 1}\n",
                 "100000000000000 100000000000001 100000000000002");
    CHECK_VALUES("sweep:\n  premium.mean: {from: 1000, to: 1001, step: 0.5}\n",
                 "1000 1000.5 1001");
    CHECK_VALUES("sweep:\n  economics.commission_renewal: {from: 0.01, to: 0.05, step: 0.01}\n",
                 "0.01 0.02 0.03 0.04 0.05");
    CHECK_VALUES("sweep:\n  clients.grade_mix.A: {from: 0.1, to: 0.1, step: 1}\n", "0.1");

    /* 10000 values are allowed. */
    char buf[200000];
    values_of("sweep:\n  team.headcount: {from: 1, to: 10000, step: 1}\n", buf, sizeof buf);
    CHECK(strncmp(buf, "1 2 3 ", 6) == 0 && strstr(buf, " 9999 10000") &&
          strlen(buf) == 48893, "10000 values: %.60s (%zu)", buf, strlen(buf));
    values_of("sweep:\n  clients.focus: {from: 0, to: 0.9999, step: 0.0001}\n", buf,
              sizeof buf);
    CHECK(strncmp(buf, "0 0.0001 0.0002 0.0003 ", 23) == 0 && strstr(buf, " 0.9998 0.9999") &&
          !strstr(buf, "0000000") && !strstr(buf, "9999999"),
          "10000 clean values of 0.0001: %.80s", buf);
}

/* The range values do not depend on the process locale. */
static void test_locale(void)
{
    const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8", NULL};
    for (int i = 0; locales[i]; i++) {
        if (!setlocale(LC_ALL, locales[i]))
            continue;
        CHECK_VALUES("sweep:\n  clients.focus: {from: 0, to: 0.8, step: 0.1}\n",
                     "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8");
        CHECK_VALUES("sweep:\n  activity.calls_per_day: [1.5, 1e-7]\n", "1.5 1.0e-07");
        setlocale(LC_ALL, "C");
        return;
    }
    SKIP("no locale with a decimal comma installed; locale independence not tested");
}

static void test_no_sweep(void)
{
    kpi_scenario base, plain, pt;
    kpi_sweep *sw = NULL;
    kpi_error err;
    char buf[2048];
    int idx[KPI_MAX_SWEEP_AXES];

    /* A plain scenario is a sweep of one point. */
    int rc = kpi_sweep_load(&base, &sw, "tests/data/scenario/docs-full.yaml", NULL, 0, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK(sw->naxes == 0 && sw->npoints == 1, "no axes, one point");
        CHECK_INT(kpi_scenario_load(&plain, "tests/data/scenario/docs-full.yaml", &err), KPI_OK,
                  "plain");
        CHECK(memcmp(&base, &plain, sizeof base) == 0, "base = the plain load");
        CHECK_INT(kpi_sweep_point(sw, &base, 0, &pt, idx, &err), KPI_OK, "point 0");
        CHECK(memcmp(&pt, &plain, sizeof pt) == 0, "point 0 = the plain load");
        CHECK_INT(kpi_sweep_point(sw, &base, 1, &pt, idx, &err), KPI_EINTERNAL, "point 1");
        kpi_sweep_free(sw);
    }
    static const char *const empties[] = {"months: 8\nsweep: {}\n", "months: 8\nsweep:\n",
                                          "months: 8\nsweep: ~\n"};
    for (size_t i = 0; i < 3; i++) {
        rc = load_text(empties[i], NULL, 0, &base, &sw, &err);
        CHECK_INT(rc, KPI_OK, empties[i]);
        if (rc == KPI_OK) {
            CHECK(sw->naxes == 0 && sw->npoints == 1 && base.months == 8, "%s", empties[i]);
            kpi_sweep_free(sw);
        }
    }
    /* Without sweep axes, the base is checked as a scenario. */
    expect_error_sets(__LINE__, "activity: {compliance: 0.9, compliance_sd: 0.45}\nsweep: {}\n",
                      NULL, 0, KPI_EDATA, NULL, 1, 44, "activity.compliance_sd",
                      "expected a standard deviation below");

    /* Missing files. */
    CHECK_INT(kpi_sweep_load(&base, &sw, DATA "no-such-file.yaml", NULL, 0, &err),
              KPI_ENOINPUT, "missing file");
    CHECK(sw == NULL, "missing file: no sweep");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              DATA "no-such-file.yaml: cannot open the scenario: No such file or directory",
              "missing file message");
    CHECK_INT(kpi_sweep_load(&base, &sw, NULL, NULL, 0, &err), KPI_ENOINPUT, "no path");
    CHECK_INT(kpi_sweep_load(&base, NULL, DATA "calls-focus.yaml", NULL, 0, NULL),
              KPI_EINTERNAL, "no out, no err");
}

static void test_extends(void)
{
    kpi_scenario base, plain;
    kpi_sweep *sw = NULL;
    kpi_error err;
    char buf[2048];

    /* A sweep over a three-file chain. */
    int rc = kpi_sweep_load(&base, &sw, DATA "chain-sweep.yaml", NULL, 0, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK_INT(kpi_scenario_load(&plain, "tests/data/scenario/chain-top.yaml", &err), KPI_OK,
                  "chain-top");
        CHECK_STR(base.name, "chain-sweep", "named after the sweep file");
        memcpy(plain.name, base.name, sizeof plain.name);
        CHECK(memcmp(&base, &plain, sizeof base) == 0, "base = the chain");
        CHECK_STR(joined(sw, 1, buf, sizeof buf), "10 20 30", "headcount range");
        check_points_are_sets(__LINE__, sw, &base);
        kpi_sweep_free(sw);
    }

    /* sweep: in a file reached by extends: is an error at its place, for a
     * sweep and for a plain load alike. */
    CHECK_INT(kpi_sweep_load(&base, &sw, DATA "child-of-sweep.yaml", NULL, 0, &err), KPI_EDATA,
              "sweep in a parent");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              DATA "parent-with-sweep.yaml:3:1: sweep: belongs in the file given to kpisim sweep",
              "sweep in a parent: message");
    CHECK(sw == NULL, "no sweep after a failure");
    CHECK_INT(kpi_scenario_load(&plain, DATA "child-of-sweep.yaml", &err), KPI_EDATA,
              "plain load of the child");
    CHECK_STR(err.file, DATA "child-of-sweep.yaml", "plain load: the child's own sweep first");
    CHECK_INT(err.line, 2, "the child's sweep line");

    /* Only the points must pass the rules that span keys, not the base. */
    rc = kpi_sweep_load(&base, &sw, DATA "months-events.yaml", NULL, 0, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK(base.months == 6 && base.nevents == 1, "base as in the file");
        check_points_are_sets(__LINE__, sw, &base);
        kpi_sweep_free(sw);
    }
}

/* kpi_scenario_load and --set refuse sweep: */
static void test_plain_refusal(void)
{
    kpi_scenario sc, def;
    kpi_error err;
    char buf[2048];
    kpi_scenario_defaults(&def);

    CHECK_INT(kpi_scenario_load(&sc, DATA "calls-focus.yaml", &err), KPI_EDATA, "run a sweep");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              DATA "calls-focus.yaml:4:1: sweep: this is a sweep file: run it with "
              "'kpisim sweep'", "plain load message");
    CHECK(memcmp(&sc, &def, sizeof sc) == 0, "defaults after the refusal");
    const char *sets[] = {"months=8"};
    CHECK_INT(kpi_scenario_load_sets(&sc, DATA "calls-focus.yaml", sets, 1, &err), KPI_EDATA,
              "load_sets");
    const char *text = "months: 6\nsweep: {months: [1, 2]}\n";
    CHECK_INT(kpi_scenario_load_string(&sc, text, strlen(text), "s.yaml", &err), KPI_EDATA,
              "load_string");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              "s.yaml:2:1: sweep: this is a sweep file: run it with 'kpisim sweep'",
              "load_string message");
    /* Even an empty one: the file is meant for kpisim sweep. */
    text = "sweep: {}\n";
    CHECK_INT(kpi_scenario_load_string(&sc, text, strlen(text), "s.yaml", &err), KPI_EDATA,
              "empty sweep in a plain load");

    kpi_scenario_defaults(&sc);
    CHECK_INT(kpi_scenario_set(&sc, "sweep={months: [1, 2]}", &err), KPI_EDATA, "--set sweep");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              "--set:1:1: sweep: sweep cannot be given with --set; write it in the sweep file",
              "--set sweep message");
    /* A typo of sweep: is suggested. */
    text = "swep: {months: [1, 2]}\n";
    CHECK_INT(kpi_scenario_load_string(&sc, text, strlen(text), "s.yaml", &err), KPI_EDATA,
              "swep");
    CHECK_STR(err.msg, "unknown key; did you mean 'sweep'?", "swep suggestion");
}

static void test_sets(void)
{
    kpi_scenario base, pt;
    kpi_sweep *sw = NULL;
    kpi_error err;
    char buf[2048];

    /* --set changes the base; a swept key's --set is overridden. */
    const char *sets[] = {"activity.calls_per_day=99", "team.headcount=7", "months=24"};
    int rc = kpi_sweep_load(&base, &sw, DATA "calls-focus.yaml", sets, 3, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK(base.activity.calls_per_day == 99 && base.team.headcount == 7 &&
              base.months == 24, "--set in the base");
        CHECK_INT(kpi_sweep_point(sw, &base, 10, &pt, NULL, &err), KPI_OK, "point 10");
        CHECK(pt.activity.calls_per_day == 6 && pt.clients.focus == 0.1 &&
              pt.team.headcount == 7 && pt.months == 24, "the sweep over the --set");
        check_points_are_sets(__LINE__, sw, &base);
        kpi_sweep_free(sw);
    }

    /* A bad --set is reported as such. */
    const char *bad[] = {"activity.compliance=1.3"};
    expect_error_sets(__LINE__, "sweep:\n  months: [12]\n", bad, 1, KPI_EDATA, "--set", 1, 21,
                      "activity.compliance", "expected a probability in [0, 1], got 1.3");
    const char *sweep_set[] = {"sweep={months: [3]}"};
    expect_error_sets(__LINE__, "sweep:\n  months: [12]\n", sweep_set, 1, KPI_EDATA, "--set", 1,
                      1, "sweep", "cannot be given with --set");
    /* A --set that leaves no room for a swept value: blamed at the value. */
    const char *sd[] = {"activity.compliance_sd=0.45"};
    expect_error_sets(__LINE__, "sweep:\n  activity.compliance: [0.5, 0.9]\n", sd, 1, KPI_EDATA,
                      NULL, 2, 30, "activity.compliance_sd",
                      "for activity.compliance = 0.9, got 0.45 (at the grid point "
                      "activity.compliance=0.9)");
    /* A --set that breaks a rule for the base alone: the --set's error. */
    const char *sd2[] = {"activity.compliance_sd=0.48"};
    expect_error_sets(__LINE__, "sweep:\n  months: [12]\n", sd2, 1, KPI_EDATA, "--set", 1, 24,
                      "activity.compliance_sd",
                      "for activity.compliance = 0.7, got 0.48");
}

/* ------------------------------------------------------------------ */
/* Bad sweeps                                                          */
/* ------------------------------------------------------------------ */

static void test_bad_keys(void)
{
    EXPECT_ERROR("sweep:\n  activity.calls_per_dya: [1]\n", 2, 3, "activity.calls_per_dya",
                 "unknown key; did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("sweep:\n  activty.calls_per_day: [1]\n", 2, 3, "activty.calls_per_day",
                 "unknown key; did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("sweep:\n  calls_per_day: [1]\n", 2, 3, "calls_per_day",
                 "unknown key; did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("sweep:\n  team.nothing_like_it: [1]\n", 2, 3, "team.nothing_like_it",
                 "unknown key");
    EXPECT_ERROR("sweep:\n  months: [1]\n  seed: [1]\n  months: [2]\n", 4, 3, "months",
                 "duplicate key (first given at ");
    EXPECT_ERROR("sweep:\n  [a]: [1]\n", 2, 3, "", "expected a key name, got a list");
    /* Keys that cannot be swept. */
    EXPECT_ERROR("sweep:\n  name: [a, b]\n", 2, 3, "name", "cannot be swept: a sweep is one run");
    EXPECT_ERROR("sweep:\n  title: [a, b]\n", 2, 3, "title", "cannot be swept: it describes");
    EXPECT_ERROR("sweep:\n  description: [a]\n", 2, 3, "description", "cannot be swept");
    EXPECT_ERROR("sweep:\n  extends: [a.yaml]\n", 2, 3, "extends", "cannot be swept");
    EXPECT_ERROR("sweep:\n  events: [~]\n", 2, 3, "events", "cannot be swept: a sweep varies");
    EXPECT_ERROR("sweep:\n  events[0].month: [1, 2]\n", 2, 3, "events[0].month",
                 "cannot be swept");
    EXPECT_ERROR("sweep:\n  sweep: [1]\n", 2, 3, "sweep", "cannot be swept");
    EXPECT_ERROR("sweep:\n  activity: [1]\n", 2, 3, "activity",
                 "cannot be swept as a whole: sweep its keys one by one, written as dotted "
                 "paths such as 'activity.calls_per_day'");
    EXPECT_ERROR("sweep:\n  assessment: [~]\n", 2, 3, "assessment",
                 "such as 'assessment.min_cases'");
    EXPECT_ERROR("sweep:\n  clients.grade_mix: [{A: 1}]\n", 2, 3, "clients.grade_mix",
                 "cannot be swept as a whole: sweep one grade, as 'clients.grade_mix.A'");
    EXPECT_ERROR("sweep:\n  clients.grade_mix.F: [0.1]\n", 2, 3, "clients.grade_mix.F",
                 "unknown grade: expected one of A, B, C, D, E, N");
    /* Both ways to give the focus. */
    EXPECT_ERROR("sweep:\n  clients.focus: [0.1]\n  months: [12]\n  clients.repeat_share: [0.2]\n",
                 4, 3, "clients.repeat_share",
                 "give clients.focus or clients.repeat_share, not both (clients.focus given at ");
    /* The block itself. */
    EXPECT_ERROR("sweep: [months, 12]\n", 1, 8, "sweep",
                 "expected a mapping of keys to lists of values [v1, v2, ...] or ranges "
                 "{from: A, to: B, step: S}, got a list");
    EXPECT_ERROR("sweep: 12\n", 1, 8, "sweep", "got 12");
    /* A file's other keys are checked in file order around it. */
    EXPECT_ERROR("months: 0\nsweep:\n  months: [1]\n", 1, 9, "months",
                 "expected a whole number of months in [1, 600], got 0");
    EXPECT_ERROR("sweep:\n  months: [1]\nmonths: 0\n", 3, 9, "months", "got 0");
}

static void test_bad_lists(void)
{
    EXPECT_ERROR("sweep:\n  activity.compliance: [0.5, 1.3]\n", 2, 30, "activity.compliance",
                 "expected a probability in [0, 1], got 1.3");
    EXPECT_ERROR("sweep:\n  team.headcount: [10, \"20\"]\n", 2, 24, "team.headcount",
                 "got the text '20' (numbers are written without quotes)");
    EXPECT_ERROR("sweep:\n  months: [12, 12.5]\n", 2, 16, "months",
                 "expected a whole number of months in [1, 600], got 12.5");
    EXPECT_ERROR("sweep:\n  months: [12, 012]\n", 2, 16, "months", "octal");
    EXPECT_ERROR("sweep:\n  months: [12, ~]\n", 2, 16, "months", "got nothing (null)");
    EXPECT_ERROR("sweep:\n  months: [12, .inf]\n", 2, 16, "months",
                 "expected a finite number, got .inf");
    EXPECT_ERROR("sweep:\n  months: [12, [6]]\n", 2, 16, "months",
                 "expected a whole number of months in [1, 600], got a list");
    EXPECT_ERROR("sweep:\n  funnel.cold: [[10, 7, 3, 1]]\n", 2, 17, "funnel.cold",
                 "expected a funnel written as text \"prospects:contacts:meetings:sales\", "
                 "got a list");
    EXPECT_ERROR("sweep:\n  funnel.cold: [\"10:7:3\"]\n", 2, 17, "funnel.cold",
                 "got the text '10:7:3'");
    EXPECT_ERROR("sweep:\n  clients.orphan_policy: [reassign, loose]\n", 2, 37,
                 "clients.orphan_policy", "did you mean 'lose'?");
    EXPECT_ERROR("sweep:\n  clients.grade_rate.A: [0.5, 2]\n", 2, 31, "clients.grade_rate.A",
                 "expected a number in [0, 1], got 2");
    EXPECT_ERROR("sweep:\n  months: []\n", 2, 11, "months",
                 "expected a list of values to sweep, got an empty list");
    EXPECT_ERROR("sweep:\n  months: 12\n", 2, 11, "months",
                 "expected a list of values [v1, v2, ...] or a range {from: A, to: B, step: S}, "
                 "got 12");
    EXPECT_ERROR("sweep:\n  months:\n", 2, 10, "months", "got nothing (null)");
    EXPECT_ERROR("sweep:\n  activity.calls_per_day: [4, 6, 4.0]\n", 2, 34,
                 "activity.calls_per_day", "the value 4 is given twice (first at ");
    EXPECT_ERROR("sweep:\n  clients.focus: [0.1, 0.2, 0.20, 0.1]\n", 2, 29, "clients.focus",
                 "the value 0.2 is given twice");
}

static void test_bad_ranges(void)
{
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1}\n", 2, 18, "clients.focus",
                 "expected the range's step (a range is {from: A, to: B, step: S}), got none");
    EXPECT_ERROR("sweep:\n  clients.focus: {to: 1, step: 0.1}\n", 2, 18, "clients.focus",
                 "expected the range's from");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, stpe: 0.1}\n", 2, 35,
                 "clients.focus.stpe", "unknown key of a range; did you mean 'step'?");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, step: 0.1, by: 2}\n", 2, 46,
                 "clients.focus.by", "unknown key of a range: expected from, to and step");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, from: 0.1}\n", 2, 35,
                 "clients.focus.from", "duplicate key (first given at ");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: one, step: 0.1}\n", 2, 32,
                 "clients.focus", "expected a number, got the text 'one'");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, step: \"0.1\"}\n", 2, 41,
                 "clients.focus", "(numbers are written without quotes)");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, step: .nan}\n", 2, 41,
                 "clients.focus", "expected a finite number, got .nan");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, step: 0}\n", 2, 41, "clients.focus",
                 "expected a step above 0, got 0");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, step: -0.1}\n", 2, 41,
                 "clients.focus", "expected a step above 0, got -0.1");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0.5, to: 0.2, step: 0.1}\n", 2, 34,
                 "clients.focus", "expected an end not below the start (from: 0.5), got 0.2");
    EXPECT_ERROR("sweep:\n  months: {from: 1, to: 3, step: 0.5}\n", 2, 11, "months",
                 "expected a whole number of months in [1, 600], got 1.5 (value 2 of the range)");
    EXPECT_ERROR("sweep:\n  months: {from: 0.5, to: 3, step: 1}\n", 2, 11, "months",
                 "got 0.5 (value 1 of the range)");
    EXPECT_ERROR("sweep:\n  activity.compliance: {from: 0.5, to: 1.5, step: 0.25}\n", 2, 24,
                 "activity.compliance",
                 "expected a probability in [0, 1], got 1.25 (value 4 of the range)");
    EXPECT_ERROR("sweep:\n  clients.grade_rate.B: {from: 0, to: 2, step: 0.5}\n", 2, 25,
                 "clients.grade_rate.B", "expected a number in [0, 1], got 1.5 (value 4");
    EXPECT_ERROR("sweep:\n  funnel.cold: {from: 1, to: 2, step: 1}\n", 2, 16, "funnel.cold",
                 "expected a list of values: a range {from: A, to: B, step: S} needs a key "
                 "that takes numbers");
    EXPECT_ERROR("sweep:\n  clients.orphan_policy: {from: 1, to: 2, step: 1}\n", 2, 26,
                 "clients.orphan_policy", "needs a key that takes numbers");
    EXPECT_ERROR("sweep:\n  clients.focus: {from: 0, to: 1, step: 0.00001}\n", 2, 18,
                 "clients.focus", "expected at most 10000 values, got 100001 from this range");
    EXPECT_ERROR("sweep:\n  team.headcount: {from: 0, to: 10000, step: 1}\n", 2, 19,
                 "team.headcount", "expected at most 10000 values, got 10001 from this range");
    EXPECT_ERROR("sweep:\n  seed: {from: 0, to: 1e300, step: 1e-300}\n", 2, 9, "seed",
                 "got more than 10^15 from this range");
    EXPECT_ERROR("sweep:\n  premium.mean: {from: 1, to: 1.0000000000001, step: 1e-14}\n", 2, 17,
                 "premium.mean", "the range gives 1 twice (values 1 and 2)");
}

/* A list of n values "1, 2, ..., n" for key. */
static char *long_list(const char *key, int n)
{
    size_t cap = (size_t)n * 8 + 64;
    char *t = malloc(cap);
    size_t used;
    if (!t)
        return NULL;
    used = (size_t)snprintf(t, cap, "sweep:\n  %s: [", key);
    for (int i = 1; i <= n; i++)
        used += (size_t)snprintf(t + used, cap - used, "%s%d", i > 1 ? ", " : "", i);
    snprintf(t + used, cap - used, "]\n");
    return t;
}

static void test_limits(void)
{
    kpi_scenario base;
    kpi_sweep *sw = NULL;
    kpi_error err;
    char buf[2048];

    /* At most 8 axes. */
    const char *eight =
        "sweep:\n  team.headcount: [10, 20]\n  team.skill_sd: [0.1, 0.2]\n"
        "  team.ramp_start: [0.2, 0.3]\n  team.ramp_months: [3, 6]\n"
        "  team.attrition: [0.01, 0.02]\n  activity.calls_per_day: [8, 10]\n"
        "  activity.visits_per_day: [2, 3]\n  activity.mood_sd: [0.05, 0.1]\n";
    int rc = load_text(eight, NULL, 0, &base, &sw, &err);
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK(sw->naxes == 8 && sw->npoints == 256, "8 axes, 256 points");
        check_points_are_sets(__LINE__, sw, &base);
        kpi_sweep_free(sw);
    }
    char nine[1024];
    snprintf(nine, sizeof nine, "%s  activity.compliance: [0.6, 0.7]\n", eight);
    EXPECT_ERROR(nine, 10, 3, "sweep", "expected at most 8 keys to sweep, got 9");

    /* At most 10000 values a key. */
    char *list = long_list("team.headcount", 10000);
    rc = list ? load_text(list, NULL, 0, &base, &sw, &err) : -1;
    CHECK_INT(rc, KPI_OK, "10000 values in a list");
    if (rc == KPI_OK) {
        CHECK_INT(sw->axis[0].nvalues, 10000, "10000 values");
        CHECK_STR(sw->axis[0].values[9999], "10000", "the last");
        kpi_sweep_free(sw);
    }
    free(list);
    list = long_list("team.headcount", 10001);
    if (list)
        EXPECT_ERROR(list, 2, 19, "team.headcount", "expected at most 10000 values, got 10001");
    free(list);

    /* At most KPI_MAX_SWEEP_POINTS points, all built and checked. */
    const char *max_grid = "sweep:\n  team.headcount: {from: 1, to: 10000, step: 1}\n"
                           "  clients.focus: {from: 0, to: 0.9, step: 0.1}\n";
    double t0 = now_seconds();
    rc = load_text(max_grid, NULL, 0, &base, &sw, &err);
    double t1 = now_seconds();
    CHECK_INT(rc, KPI_OK, kpi_error_format(&err, buf, sizeof buf));
    if (rc == KPI_OK) {
        CHECK_INT(sw->npoints, KPI_MAX_SWEEP_POINTS, "100000 points");
        kpi_sweep_free(sw);
    }
    CHECK(t1 - t0 < 5, "100000 points built and checked in %.2f s", t1 - t0);
    printf("  (100000 grid points loaded in %.3f s)\n", t1 - t0);
    EXPECT_ERROR("sweep:\n  team.headcount: {from: 1, to: 10000, step: 1}\n"
                 "  clients.focus: {from: 0, to: 1, step: 0.1}\n", 1, 1, "sweep",
                 "expected at most 100000 grid points, got 10000 x 11 = 110000");
    EXPECT_ERROR("months: 12\nsweep:\n  team.headcount: {from: 1, to: 10000, step: 1}\n"
                 "  clients.focus: {from: 0, to: 0.9999, step: 0.0001}\n"
                 "  team.attrition: {from: 0, to: 0.9999, step: 0.0001}\n"
                 "  premium.mean: {from: 1, to: 10000, step: 1}\n", 2, 1, "sweep",
                 "expected at most 100000 grid points, got 10000 x 10000 x 10000 x 10000 = "
                 "10000000000000000");
    EXPECT_ERROR("months: 12\nsweep:\n  team.headcount: {from: 1, to: 10000, step: 1}\n"
                 "  clients.focus: {from: 0, to: 0.9999, step: 0.0001}\n"
                 "  team.attrition: {from: 0, to: 0.9999, step: 0.0001}\n"
                 "  premium.mean: {from: 1, to: 10000, step: 1}\n"
                 "  premium.cv: {from: 0, to: 0.9999, step: 0.0001}\n", 2, 1, "sweep",
                 "got 10000 x 10000 x 10000 x 10000 x 10000 (more than "
                 "18446744073709551615)");
}

/* A rule spanning keys broken at a grid point: blamed at the value in the
 * sweep block, with the point in the message. */
static void test_bad_points(void)
{
    /* The blamed key is not swept: the first axis that breaks it. */
    EXPECT_ERROR("sweep:\n  activity.compliance: [0.5, 0.99]\n", 2, 30, "activity.compliance_sd",
                 "expected a standard deviation below sqrt(c (1 - c)) = 0.0995 for "
                 "activity.compliance = 0.99, got 0.1 (at the grid point "
                 "activity.compliance=0.99)");
    EXPECT_ERROR("events:\n  - {type: contest, month: 10}\nsweep:\n  clients.focus: [0.1, 0.2]\n"
                 "  months: [12, 6]\n", 5, 16, "events[0].month",
                 "expected a month of the horizon in [1, 6], got 10 (at the grid point "
                 "clients.focus=0.1, months=6)");
    EXPECT_ERROR("events:\n  - {type: contest, month: 10, days: 20}\nsweep:\n"
                 "  working_days: {from: 22, to: 18, step: 1}\n", 4, 32, "working_days",
                 "expected an end not below the start");
    EXPECT_ERROR("events:\n  - {type: contest, month: 10, days: 20}\nsweep:\n"
                 "  working_days: {from: 18, to: 22, step: 1}\n", 4, 17, "events[0].days",
                 "expected a number of working days in [1, 18], got 20 (at the grid point "
                 "working_days=18)");
    /* The blamed key is swept: its value. */
    EXPECT_ERROR("sweep:\n  activity.compliance_sd: [0.1, 0.5]\n", 2, 33,
                 "activity.compliance_sd", "got 0.5 (at the grid point "
                 "activity.compliance_sd=0.5)");
    EXPECT_ERROR("sweep:\n  funnel.cold: [\"10:7:3:1\", \"10:12:3:1\"]\n", 2, 29, "funnel.cold",
                 "expected a funnel whose stages never grow, got 10:12:3:1 (stage 2 is larger "
                 "than stage 1) (at the grid point funnel.cold=10:12:3:1)");
    EXPECT_ERROR("sweep:\n  clients.grade_mix.A: [0.1, 0.2]\n", 2, 30, "clients.grade_mix",
                 "expected shares that add up to 1");
    EXPECT_ERROR("sweep:\n  clients.grade_rate.C: [0, 0.5]\n", 2, 29, "clients.grade_rate",
                 "expected rate 0 for grades C");
    /* A combination of two axes: the first failing point, in grid order. */
    EXPECT_ERROR("sweep:\n  activity.compliance: [0.5, 0.9]\n"
                 "  activity.compliance_sd: {from: 0.1, to: 0.4, step: 0.25}\n", 3, 27,
                 "activity.compliance_sd",
                 "for activity.compliance = 0.9, got 0.35 (at the grid point "
                 "activity.compliance=0.9, activity.compliance_sd=0.35)");
    EXPECT_ERROR("sweep:\n  activity.compliance_sd: [0.1, 0.35]\n"
                 "  activity.compliance: [0.5, 0.9]\n", 2, 33, "activity.compliance_sd",
                 "(at the grid point activity.compliance_sd=0.35, activity.compliance=0.9)");
    /* The base alone breaks the rule: the file's error, as for a scenario. */
    EXPECT_ERROR("activity:\n  compliance: 0.9\n  compliance_sd: 0.45\n"
                 "sweep:\n  activity.calls_per_day: [8, 10]\n", 3, 18, "activity.compliance_sd",
                 "for activity.compliance = 0.9, got 0.45");
}

/* kpi_sweep_point on sweeps made by hand: any text a --set takes. */
static void test_hand_made(void)
{
    kpi_sweep sw;
    kpi_scenario base, pt, want;
    kpi_error err;
    char buf[2048];
    char *v0[] = {"[6, 5, 3, 1]", "'8:6:2:1'"};
    char *v1[] = {"12", "bad"};
    memset(&sw, 0, sizeof sw);
    kpi_scenario_defaults(&base);
    sw.naxes = 2;
    snprintf(sw.axis[0].key, sizeof sw.axis[0].key, "funnel.referral");
    sw.axis[0].nvalues = 2;
    sw.axis[0].values = v0;
    snprintf(sw.axis[1].key, sizeof sw.axis[1].key, "activity.calls_per_day");
    sw.axis[1].nvalues = 2;
    sw.axis[1].values = v1;
    sw.npoints = 4;
    CHECK_INT(kpi_sweep_point(&sw, &base, 2, &pt, NULL, &err), KPI_OK,
              kpi_error_format(&err, buf, sizeof buf));
    memcpy(&want, &base, sizeof want);
    CHECK_INT(kpi_scenario_set(&want, "funnel.referral='8:6:2:1'", &err), KPI_OK, "set");
    CHECK_INT(kpi_scenario_set(&want, "activity.calls_per_day=12", &err), KPI_OK, "set");
    CHECK(memcmp(&pt, &want, sizeof pt) == 0, "YAML texts go through the --set reader");
    CHECK_INT(kpi_sweep_point(&sw, &base, 1, &pt, NULL, &err), KPI_EDATA, "bad value");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              "sweep: activity.calls_per_day: expected a mean number of calls in [0, 1000], "
              "got the text 'bad'", "bad value message");
    sw.npoints = 5;
    CHECK_INT(kpi_sweep_point(&sw, &base, 0, &pt, NULL, &err), KPI_EINTERNAL, "bad npoints");
    /* A point that breaks a rule. */
    char *v2[] = {"0.99"};
    sw.naxes = 1;
    snprintf(sw.axis[0].key, sizeof sw.axis[0].key, "activity.compliance");
    sw.axis[0].nvalues = 1;
    sw.axis[0].values = v2;
    sw.npoints = 1;
    CHECK_INT(kpi_sweep_point(&sw, &base, 0, &pt, NULL, &err), KPI_EDATA, "rule");
    CHECK_STR(err.key, "activity.compliance_sd", "rule key");
    CHECK(strstr(err.msg, "(at the grid point activity.compliance=0.99)") != NULL, "%s",
          err.msg);
}

/* kpi_sweep_point from several threads at once gives the same points. */
typedef struct job {
    const kpi_sweep *sw;
    const kpi_scenario *base;
    int start, bad;
} job;

static void *run_job(void *p)
{
    job *j = p;
    kpi_scenario *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    kpi_error err;
    if (!a || !b) {
        j->bad = 1;
    } else {
        for (int r = 0; r < 20; r++) {
            for (long i = j->start; i < j->sw->npoints; i += 2) {
                if (kpi_sweep_point(j->sw, j->base, i, a, NULL, &err) != KPI_OK ||
                    kpi_sweep_point(j->sw, j->base, i, b, NULL, &err) != KPI_OK ||
                    memcmp(a, b, sizeof *a) != 0)
                    j->bad++;
            }
        }
    }
    free(a);
    free(b);
    return NULL;
}

static void test_threads(void)
{
    kpi_scenario base;
    kpi_sweep *sw;
    kpi_error err;
    pthread_t t[2];
    job jobs[2];
    if (kpi_sweep_load(&base, &sw, DATA "docs-lists.yaml", NULL, 0, &err) != KPI_OK) {
        CHECK(0, "docs-lists: %s", err.msg);
        return;
    }
    for (int i = 0; i < 2; i++) {
        jobs[i] = (job){sw, &base, i, 0};
        CHECK(pthread_create(&t[i], NULL, run_job, &jobs[i]) == 0, "thread");
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(jobs[i].bad, 0, "points from two threads");
    }
    kpi_sweep_free(sw);
}

/* The examples of the "Sweep files" section of docs/scenarios.md. */
static void test_docs(void)
{
    static const struct { const char *file, *message; } errors[] = {
        {"docs-error-typo.yaml", DATA "docs-error-typo.yaml:2:3: activity.calls_per_dya: "
         "unknown key; did you mean 'activity.calls_per_day'?"},
        {"docs-error-point.yaml", DATA "docs-error-point.yaml:2:35: activity.compliance_sd: "
         "expected a standard deviation below sqrt(c (1 - c)) = 0.0995 for "
         "activity.compliance = 0.99, got 0.1 (at the grid point activity.compliance=0.99)"},
        {"docs-error-whole.yaml", DATA "docs-error-whole.yaml:2:11: months: expected a whole "
         "number of months in [1, 600], got 10.5 (value 2 of the range)"},
        {"docs-error-name.yaml", DATA "docs-error-name.yaml:2:3: title: cannot be swept: it "
         "describes the scenario; it is not an input of the model"},
    };
    kpi_scenario base;
    kpi_sweep *sw;
    kpi_error err;
    char buf[2048];
    char *doc = read_whole("docs/scenarios.md");
    CHECK(doc != NULL, "docs/scenarios.md readable");
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
        char path[256];
        snprintf(path, sizeof path, DATA "%s", errors[i].file);
        CHECK_INT(kpi_sweep_load(&base, &sw, path, NULL, 0, &err), KPI_EDATA, errors[i].file);
        CHECK_STR(kpi_error_format(&err, buf, sizeof buf), errors[i].message, errors[i].file);
        CHECK(doc && strstr(doc, errors[i].message), "docs/scenarios.md lacks the message %s",
              errors[i].message);
    }
    if (!doc)
        return;
    /* Every docs-*.yaml file here, and calls-focus.yaml, is in the page word
     * for word, and loads (the error examples: with their error). */
    DIR *d = opendir(DATA);
    struct dirent *e;
    int nfiles = 0;
    while (d && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if ((strncmp(e->d_name, "docs-", 5) != 0 && strcmp(e->d_name, "calls-focus.yaml")) ||
            n < 5 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        char path[512];
        snprintf(path, sizeof path, DATA "%s", e->d_name);
        char *text = read_whole(path);
        CHECK(text && strstr(doc, text), "docs/scenarios.md does not show %s as it is", path);
        free(text);
        int rc = kpi_sweep_load(&base, &sw, path, NULL, 0, &err);
        CHECK(rc == (strncmp(e->d_name, "docs-error-", 11) == 0 ? KPI_EDATA : KPI_OK),
              "%s: %s", path, kpi_error_format(&err, buf, sizeof buf));
        if (rc == KPI_OK)
            kpi_sweep_free(sw);
        nfiles++;
    }
    if (d)
        closedir(d);
    CHECK(nfiles >= 6, "docs files found: %d", nfiles);
    free(doc);
}

int main(void)
{
    if (scratch_open() != 0) {
        printf("cannot make a scratch directory\n");
        return 1;
    }
    test_calls_focus();
    test_lists();
    test_ranges();
    test_locale();
    test_no_sweep();
    test_extends();
    test_plain_refusal();
    test_sets();
    test_bad_keys();
    test_bad_lists();
    test_bad_ranges();
    test_limits();
    test_bad_points();
    test_hand_made();
    test_threads();
    test_docs();
    scratch_close();
    return TEST_DONE();
}
