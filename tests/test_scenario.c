/*
 * test_scenario.c - the scenario loader (yamltree.c, load.c) and emitter
 * (emit.c): good files, every class of bad input with its exact place,
 * extends chains, --set, the limits, and the emit -> load round trip.
 *
 * Run from the repository root: input files are read from
 * tests/data/scenario/, generated ones are written to a fresh directory
 * under $TMPDIR (or /tmp) and removed at the end.
 */
#define TEST_NAME "test_scenario"
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "kpisim.h"
#include "load.h"
#include "scenario.h"
#include "yamltree.h"

#define DATA "tests/data/scenario/"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Loads text as the file "t.yaml" and checks the outcome: status, the
 * 1-based place, the key path and a part of the message. */
static void expect_error_len(int at, const char *text, size_t len, int status, int line,
                             int col, const char *key, const char *part)
{
    kpi_scenario sc;
    kpi_error err;
    char buf[2048];
    int rc = kpi_scenario_load_string(&sc, text, len, "t.yaml", &err);
    kpi_error_format(&err, buf, sizeof buf);
    CHECK(rc == status, "line %d: status %d, expected %d (%s)", at, rc, status, buf);
    CHECK(err.status == rc, "line %d: err.status %d, returned %d", at, err.status, rc);
    CHECK(strcmp(err.file, "t.yaml") == 0, "line %d: file '%s'", at, err.file);
    CHECK(err.line == line && err.col == col, "line %d: place %d:%d, expected %d:%d (%s)",
          at, err.line, err.col, line, col, buf);
    CHECK(strcmp(err.key, key) == 0, "line %d: key '%s', expected '%s' (%s)", at, err.key,
          key, buf);
    CHECK(strstr(err.msg, part) != NULL, "line %d: message '%s' lacks '%s'", at, err.msg,
          part);
}

#define EXPECT_ERROR(text, status, line, col, key, part) \
    expect_error_len(__LINE__, text, strlen(text), status, line, col, key, part)

/* Loads text as "t.yaml"; returns the status and prints any error. */
static int load_text(const char *text, kpi_scenario *sc)
{
    kpi_error err;
    char buf[2048];
    int rc = kpi_scenario_load_string(sc, text, strlen(text), "t.yaml", &err);
    if (rc != KPI_OK)
        printf("  (load: %s)\n", kpi_error_format(&err, buf, sizeof buf));
    return rc;
}

/* Loads a file; returns the status and the formatted error in buf. */
static int load_file(const char *path, kpi_scenario *sc, char *buf, size_t size)
{
    kpi_error err;
    int rc = kpi_scenario_load(sc, path, &err);
    buf[0] = '\0';
    if (rc != KPI_OK)
        kpi_error_format(&err, buf, size);
    return rc;
}

/* Writes sc with the emitter and loads the text back into back.
 * Returns the emitted text (to be freed) or NULL. */
static char *round_trip(const kpi_scenario *sc, kpi_scenario *back)
{
    char *text = NULL, buf[2048];
    size_t len = 0;
    kpi_error err;
    FILE *f = open_memstream(&text, &len);
    int rc;
    if (!f)
        return NULL;
    rc = kpi_scenario_emit(sc, f, &err);
    if (fclose(f) != 0 || rc != KPI_OK) {
        printf("  (emit: %s)\n", err.msg);
        free(text);
        return NULL;
    }
    rc = kpi_scenario_load_string(back, text, len, "emitted.yaml", &err);
    if (rc != KPI_OK) {
        printf("  (reload: %s)\n%s\n", kpi_error_format(&err, buf, sizeof buf), text);
        free(text);
        return NULL;
    }
    return text;
}

static void check_round_trip(int at, const kpi_scenario *sc, const char *what)
{
    kpi_scenario back;
    char *text = round_trip(sc, &back);
    CHECK(text != NULL, "line %d: %s: round trip failed", at, what);
    if (text) {
        CHECK(memcmp(sc, &back, sizeof back) == 0, "line %d: %s: reloaded scenario differs:\n%s",
              at, what, text);
        free(text);
    }
}

#define CHECK_ROUND_TRIP(sc, what) check_round_trip(__LINE__, sc, what)

/* A scratch directory for generated files. */
typedef struct scratch {
    char dir[512];
    char *files[64];
    int nfiles;
} scratch;

static int scratch_open(scratch *s)
{
    const char *tmp = getenv("TMPDIR");
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s/kpisim-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(s->dir) ? 0 : -1;
}

/* Writes len bytes into DIR/name; returns the path (owned by s) or NULL. */
static const char *scratch_write(scratch *s, const char *name, const char *data, size_t len)
{
    size_t n = strlen(s->dir) + strlen(name) + 2;
    char *path = malloc(n);
    FILE *f;
    if (!path || s->nfiles == 64) {
        free(path);
        return NULL;
    }
    snprintf(path, n, "%s/%s", s->dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        if (f)
            fclose(f);
        free(path);
        return NULL;
    }
    s->files[s->nfiles++] = path;
    return path;
}

static void scratch_close(scratch *s)
{
    for (int i = 0; i < s->nfiles; i++) {
        remove(s->files[i]);
        free(s->files[i]);
    }
    if (s->dir[0])
        rmdir(s->dir);
}

/* A growable string for generated inputs. */
typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* The whole file as a NUL-terminated string (to be freed), or NULL. */
static char *read_whole(const char *path)
{
    FILE *f = fopen(path, "rb");
    strbuf b = {0};
    char chunk[4096];
    size_t n;
    if (!f)
        return NULL;
    sb_add(&b, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_add(&b, chunk, n);
    fclose(f);
    return b.p;
}

/* ------------------------------------------------------------------ */
/* Good input                                                          */
/* ------------------------------------------------------------------ */

static void test_defaults(void)
{
    kpi_scenario sc, def;
    char buf[2048];
    kpi_scenario_defaults(&def);

    /* {} is a scenario of all defaults; an empty file is an error. */
    CHECK_INT(load_text("{}", &sc), KPI_OK, "{} loads");
    CHECK(memcmp(&sc, &def, sizeof sc) == 0, "{} gives the defaults byte for byte");
    CHECK_INT(load_text("# only the defaults\n{}\n", &sc), KPI_OK, "{} with a comment");
    CHECK(memcmp(&sc, &def, sizeof sc) == 0, "{} with a comment gives the defaults");

    /* A file without name: takes its base name. */
    CHECK_INT(load_file(DATA "docs-minimal.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.name, "docs-minimal", "name from the file name");
    CHECK_STR(sc.title, "Twelve calls a day", "title");
    CHECK(sc.activity.calls_per_day == 12, "calls_per_day 12");
    CHECK(sc.activity.visits_per_day == def.activity.visits_per_day, "others keep defaults");

    /* The built-in default scenario file loads. */
    CHECK_INT(load_file("scenarios/default.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.name, "default", "scenarios/default.yaml name");
    CHECK_INT(sc.assessment.enabled, 1, "default.yaml has assessment");

    /* NULL err is allowed. */
    CHECK_INT(kpi_scenario_load_string(&sc, "months: 0", 9, "t.yaml", NULL), KPI_EDATA,
              "NULL err on failure");
    CHECK_INT(kpi_scenario_load_string(&sc, "months: 5", 9, "t.yaml", NULL), KPI_OK,
              "NULL err on success");
}

/* Every key of the table differs from its default in all-keys.yaml. */
static void test_every_key(void)
{
    kpi_scenario sc, def;
    char buf[2048];
    kpi_scenario_defaults(&def);
    CHECK_INT(load_file(DATA "all-keys.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    for (const kpi_key *k = kpi_keys; k->path; k++) {
        size_t size;
        switch (k->type) {
        case KPI_KT_TEXT:
        case KPI_KT_NAME:
            size = k->size;
            break;
        case KPI_KT_INT:
        case KPI_KT_ORPHAN:
            size = sizeof(int);
            break;
        case KPI_KT_LONG:
            size = sizeof(long);
            break;
        case KPI_KT_U64:
            size = sizeof(uint64_t);
            break;
        case KPI_KT_FUNNEL:
            size = sizeof(kpi_funnel);
            break;
        case KPI_KT_GRADES:
            size = 6 * sizeof(double);
            break;
        default:
            size = sizeof(double);
            break;
        }
        int differs = memcmp((char *)&sc + k->offset, (char *)&def + k->offset, size) != 0;
        if (strcmp(k->path, "clients.focus") == 0)
            CHECK(!differs, "clients.focus is back at its default after repeat_share");
        else
            CHECK(differs, "all-keys.yaml leaves %s at its default", k->path);
    }
    /* Each type, read right. */
    CHECK_STR(sc.name, "every-key", "name");
    CHECK_INT(sc.months, 36, "int");
    CHECK_INT(sc.replications, 500, "long");
    CHECK(sc.seed == UINT64_MAX, "u64 at its maximum");
    CHECK(sc.team.initial_tenure_months == 12.5, "real");
    CHECK(sc.team.income_floor == 1500, "1_500 is 1500");
    CHECK(sc.premium.mean == 7200.5, "7.2005e3 is 7200.5");
    CHECK(sc.funnel.cold.stage[0] == 10 && sc.funnel.cold.stage[3] == 1, "funnel text");
    CHECK(sc.funnel.referral.stage[1] == 6 && sc.funnel.referral.stage[3] == 2, "funnel list");
    CHECK(sc.funnel.old_client.stage[2] == 3, "funnel plain 4:4:3:1 (not base 60)");
    CHECK(sc.clients.grade_mix[5] == 0.3 && sc.clients.grade_rate[0] == 0.9, "grades");
    CHECK_INT(sc.clients.orphan_policy, KPI_ORPHAN_LOSE, "orphan policy");
    CHECK(sc.clients.repeat_share == 0.35, "repeat_share");
    CHECK_INT(sc.assessment.enabled, 1, "assessment enabled");
    CHECK_INT(sc.nevents, 5, "events");
    CHECK_INT(sc.events[0].type, KPI_EVENT_CONTEST, "event 0 type");
    CHECK_INT(sc.events[0].days, 8, "event 0 days");
    CHECK(sc.events[1].tier == 1.5 && sc.events[1].invited == 0.15, "seminar fields");
    CHECK(sc.events[3].factor == 3, "recruiting drive factor");
    CHECK(sc.events[4].uplift == 1.1, "training uplift");
    CHECK_ROUND_TRIP(&sc, "all-keys.yaml");
}

static void test_numbers(void)
{
    kpi_scenario sc;
    CHECK_INT(load_text("replications: 1e3\nseed: 0xFF\nmonths: 24.0\n", &sc), KPI_OK,
              "1e3, 0xFF, 24.0");
    CHECK_INT(sc.replications, 1000, "1e3 is a whole number");
    CHECK(sc.seed == 255, "0xFF");
    CHECK_INT(sc.months, 24, "24.0 is whole");
    CHECK_INT(load_text("seed: 0b101\nreplications: 1_000_000\n", &sc), KPI_OK, "0b, _");
    CHECK(sc.seed == 5 && sc.replications == 1000000, "0b101, 1_000_000");
    CHECK_INT(load_text("premium: {mean: .5e4, cv: +0.25}\nteam: {skill_sd: 1.}\n", &sc),
              KPI_OK, ".5e4 +0.25 1.");
    CHECK(sc.premium.mean == 5000 && sc.premium.cv == 0.25 && sc.team.skill_sd == 1,
          "number forms");
    CHECK_INT(load_text("team: {income_floor: 1e-400}\n", &sc), KPI_OK, "underflow is 0");
    CHECK(sc.team.income_floor == 0, "1e-400 reads as 0");
    CHECK_INT(load_text("months: !!int \"7\"\ntitle: !!str 12\n", &sc), KPI_OK,
              "explicit tags");
    CHECK_INT(sc.months, 7, "!!int \"7\"");
    CHECK_STR(sc.title, "12", "!!str 12");
    CHECK_INT(load_text("seed: 18446744073709551615\n", &sc), KPI_OK, "seed max");
    CHECK(sc.seed == UINT64_MAX, "seed max value");

    /* Text keys take any scalar as its text. */
    CHECK_INT(load_text("title: no\ndescription: 1e3\n", &sc), KPI_OK, "plain no as text");
    CHECK_STR(sc.title, "no", "title no");
    CHECK_STR(sc.description, "1e3", "description 1e3");

    /* The process locale does not matter. */
    const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8", NULL};
    int tried = 0;
    for (int i = 0; locales[i]; i++) {
        if (!setlocale(LC_ALL, locales[i]))
            continue;
        tried = 1;
        CHECK_INT(load_text("activity: {compliance: 0.75}\n", &sc), KPI_OK, "load in locale");
        CHECK(sc.activity.compliance == 0.75, "0.75 under %s", locales[i]);
        CHECK_ROUND_TRIP(&sc, "round trip under a comma locale");
        setlocale(LC_ALL, "C");
        break;
    }
    if (!tried)
        SKIP("no locale with a decimal comma installed; locale independence not tested");
}

static void test_funnels_grades(void)
{
    kpi_scenario sc, def;
    kpi_scenario_defaults(&def);
    CHECK_INT(load_text("funnel: {cold: \" 40 : 30 : 10 : 1 \", referral: 5:5:5:5}\n", &sc),
              KPI_OK, "spaces and equal stages");
    CHECK(sc.funnel.cold.stage[1] == 30 && sc.funnel.referral.stage[3] == 5, "funnels read");
    CHECK_INT(load_text("funnel: {cold: [10.5, 7, 3, 0]}\n", &sc), KPI_OK, "funnel list");
    CHECK(sc.funnel.cold.stage[0] == 10.5 && sc.funnel.cold.stage[3] == 0, "last stage 0 ok");

    CHECK_INT(load_text("clients:\n  grade_mix: {A: 0.3, N: 0.2}\n", &sc), KPI_OK, "some grades");
    CHECK(sc.clients.grade_mix[0] == 0.3 && sc.clients.grade_mix[5] == 0.2, "given grades");
    CHECK(sc.clients.grade_mix[1] == def.clients.grade_mix[1], "other grades keep their value");
    CHECK_INT(load_text("clients: {grade_rate: {}}\n", &sc), KPI_OK, "empty grade mapping");

    EXPECT_ERROR("funnel:\n  cold: 10:12:3:1\n", KPI_EDATA, 2, 9, "funnel.cold",
                 "expected a funnel whose stages never grow, got 10:12:3:1");
    EXPECT_ERROR("funnel:\n  cold: [0, 0, 0, 0]\n", KPI_EDATA, 2, 9, "funnel.cold",
                 "first stage is positive");
    EXPECT_ERROR("funnel:\n  cold: 40:30:10\n", KPI_EDATA, 2, 9, "funnel.cold",
                 "got the text '40:30:10'");
    EXPECT_ERROR("funnel:\n  cold: [40, 30, 10]\n", KPI_EDATA, 2, 9, "funnel.cold",
                 "got a list of 3 values");
    EXPECT_ERROR("funnel:\n  cold: [40, x, 10, 1]\n", KPI_EDATA, 2, 14, "funnel.cold",
                 "got the text 'x'");
    EXPECT_ERROR("funnel:\n  cold: 40:-3:1:1\n", KPI_EDATA, 2, 9, "funnel.cold",
                 "not negative");
    EXPECT_ERROR("funnel:\n  cold: 40:.inf:1:1\n", KPI_EDATA, 2, 9, "funnel.cold",
                 "expected a funnel");
    EXPECT_ERROR("funnel:\n  cold: 10\n", KPI_EDATA, 2, 9, "funnel.cold", "got 10");
    EXPECT_ERROR("clients:\n  grade_mix: {A: 0.2, F: 0.1}\n", KPI_EDATA, 2, 23,
                 "clients.grade_mix.F", "unknown grade");
    EXPECT_ERROR("clients:\n  grade_mix: {a: 0.2}\n", KPI_EDATA, 2, 15, "clients.grade_mix.a",
                 "did you mean 'A'?");
    EXPECT_ERROR("clients:\n  grade_mix: {A: 1.5}\n", KPI_EDATA, 2, 18, "clients.grade_mix.A",
                 "expected a number in [0, 1], got 1.5");
    EXPECT_ERROR("clients:\n  grade_mix: {A: 0.2, A: 0.1}\n", KPI_EDATA, 2, 23,
                 "clients.grade_mix.A", "duplicate key (first given at t.yaml:2:15)");
    EXPECT_ERROR("clients:\n  grade_mix: {A: 0.5}\n", KPI_EDATA, 2, 14, "clients.grade_mix",
                 "add up to 1");
    EXPECT_ERROR("clients:\n  grade_mix: [0.5]\n", KPI_EDATA, 2, 14, "clients.grade_mix",
                 "got a list");
    EXPECT_ERROR("clients:\n  grade_rate: {C: 0.5}\n", KPI_EDATA, 2, 15, "clients.grade_rate",
                 "expected rate 0 for grades C");

    CHECK_INT(load_text("clients: {orphan_policy: lose}\n", &sc), KPI_OK, "orphan lose");
    CHECK_INT(sc.clients.orphan_policy, KPI_ORPHAN_LOSE, "lose read");
    EXPECT_ERROR("clients: {orphan_policy: reasign}\n", KPI_EDATA, 1, 26,
                 "clients.orphan_policy", "did you mean 'reassign'?");
}

static void test_focus_assessment(void)
{
    kpi_scenario sc, def;
    kpi_scenario_defaults(&def);
    CHECK_INT(load_text("clients: {repeat_share: 0.4}\n", &sc), KPI_OK, "repeat_share");
    CHECK(sc.clients.repeat_share == 0.4, "repeat_share read");
    CHECK_ROUND_TRIP(&sc, "repeat_share");
    CHECK_INT(load_text("clients: {focus: 0.5}\n", &sc), KPI_OK, "focus");
    CHECK(sc.clients.focus == 0.5 && sc.clients.repeat_share < 0, "focus, no repeat_share");
    EXPECT_ERROR("clients:\n  focus: 0.2\n  repeat_share: 0.3\n", KPI_EDATA, 3, 3,
                 "clients.repeat_share",
                 "give clients.focus or clients.repeat_share, not both (clients.focus given "
                 "at t.yaml:2:3)");

    CHECK_INT(load_text("assessment: {}\n", &sc), KPI_OK, "assessment {}");
    CHECK_INT(sc.assessment.enabled, 1, "{} enables assessment");
    CHECK(sc.assessment.min_cases == def.assessment.min_cases, "with default keys");
    CHECK_INT(load_text("assessment:\n", &sc), KPI_OK, "assessment: nothing");
    CHECK_INT(sc.assessment.enabled, 0, "empty assessment disables");
    CHECK_INT(load_text("assessment: {min_cases: 3, grace_months: 2}\n", &sc), KPI_OK,
              "assessment keys");
    CHECK(sc.assessment.enabled == 1 && sc.assessment.min_cases == 3 &&
          sc.assessment.grace_months == 2, "assessment keys read");
    CHECK_ROUND_TRIP(&sc, "assessment");
    EXPECT_ERROR("assessment: 3\n", KPI_EDATA, 1, 13, "assessment", "got 3");

    /* An empty section changes nothing. */
    CHECK_INT(load_text("team:\nactivity: ~\n", &sc), KPI_OK, "empty sections");
    CHECK(memcmp(&sc, &def, sizeof sc) == 0, "empty sections give the defaults");
}

static void test_events(void)
{
    kpi_scenario sc;
    CHECK_INT(load_text("events:\n  - {type: contest, month: 3, effort: 2}\n"
                        "  - type: seminar\n    month: 4\n", &sc), KPI_OK, "events");
    CHECK_INT(sc.nevents, 2, "two events");
    CHECK(sc.events[0].effort == 2 && sc.events[0].days == 10, "given and default fields");
    CHECK_INT(sc.events[1].type, KPI_EVENT_SEMINAR, "block mapping event");
    CHECK_ROUND_TRIP(&sc, "events");
    CHECK_INT(load_text("events: ~\n", &sc), KPI_OK, "events: ~");
    CHECK_INT(sc.nevents, 0, "no events");
    CHECK_INT(load_text("events: []\n", &sc), KPI_OK, "events: []");

    EXPECT_ERROR("events:\n  - {type: contst, month: 3}\n", KPI_EDATA, 2, 12, "events[0].type",
                 "got the text 'contst'; did you mean 'contest'?");
    EXPECT_ERROR("events:\n  - {type: party, month: 3}\n", KPI_EDATA, 2, 12, "events[0].type",
                 "expected contest, seminar, thank_you_event, recruiting_drive or training, "
                 "got the text 'party'");
    EXPECT_ERROR("events:\n  - {type: seminar}\n", KPI_EDATA, 2, 5, "events[0].month",
                 "got none");
    EXPECT_ERROR("events:\n  - {month: 3}\n", KPI_EDATA, 2, 5, "events[0].type", "got none");
    EXPECT_ERROR("events:\n  - {type: seminar, month: 3, days: 4}\n", KPI_EDATA, 2, 31,
                 "events[0].days", "a seminar event has no 'days' (it takes month, tier, "
                 "uplift, invited)");
    EXPECT_ERROR("events:\n  - {type: contest, month: 3, efort: 4}\n", KPI_EDATA, 2, 31,
                 "events[0].efort", "did you mean 'effort'?");
    EXPECT_ERROR("events:\n  - {type: contest, month: 2.5}\n", KPI_EDATA, 2, 28,
                 "events[0].month", "expected a whole number month in [1, 600], got 2.5");
    EXPECT_ERROR("events:\n  - {type: contest, month: 3, days: 40}\n", KPI_EDATA, 2, 37,
                 "events[0].days", "got 40");
    EXPECT_ERROR("events:\n  - {type: contest, month: 3, days: 25}\n", KPI_EDATA, 2, 37,
                 "events[0].days", "expected a number of working days in [1, 22], got 25");
    EXPECT_ERROR("months: 6\nevents:\n  - {type: training, month: 2}\n  - {type: contest, "
                 "month: 7}\n", KPI_EDATA, 4, 28, "events[1].month",
                 "expected a month of the horizon in [1, 6], got 7");
    EXPECT_ERROR("events:\n  - contest\n", KPI_EDATA, 2, 5, "events[0]", "got the text 'contest'");
    EXPECT_ERROR("events: {type: contest, month: 3}\n", KPI_EDATA, 1, 9, "events", "got a mapping");
    EXPECT_ERROR("events:\n  - {type: contest, month: 3, month: 4}\n", KPI_EDATA, 2, 31,
                 "events[0].month", "duplicate key (first given at t.yaml:2:21)");

    /* At most KPI_MAX_EVENTS entries. */
    strbuf b = {0};
    sb_puts(&b, "events:\n");
    for (int i = 0; i <= KPI_MAX_EVENTS; i++)
        sb_puts(&b, "  - {type: training, month: 1}\n");
    EXPECT_ERROR(b.p, KPI_EDATA, KPI_MAX_EVENTS + 2, 5, "events",
                 "expected at most 256 events, got 257");
    b.len = 0;
    sb_puts(&b, "events:\n");
    for (int i = 0; i < KPI_MAX_EVENTS; i++)
        sb_puts(&b, "  - {type: training, month: 1}\n");
    CHECK_INT(load_text(b.p, &sc), KPI_OK, "256 events");
    CHECK_INT(sc.nevents, KPI_MAX_EVENTS, "256 events read");
    free(b.p);
}

/* ------------------------------------------------------------------ */
/* extends                                                             */
/* ------------------------------------------------------------------ */

static void test_extends(void)
{
    kpi_scenario sc, def;
    kpi_error err;
    char buf[2048];
    kpi_scenario_defaults(&def);

    CHECK_INT(load_file(DATA "chain-top.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.name, "chain-top", "name is not inherited");
    CHECK_STR(sc.title, "Base of the chain", "title from the base");
    CHECK_INT(sc.months, 24, "months from the base");
    CHECK(sc.activity.calls_per_day == 12, "calls_per_day from the middle");
    CHECK(sc.activity.visits_per_day == 2, "visits_per_day from the base");
    CHECK(sc.activity.compliance == 0.8, "compliance from the top");
    CHECK_INT(sc.team.headcount, 30, "headcount from the middle");
    CHECK_INT(sc.nevents, 1, "events replaced, not merged");
    CHECK_INT(sc.events[0].type, KPI_EVENT_TRAINING, "the top's event");
    CHECK(sc.events[1].type == 0 && sc.events[1].month == 0, "unused entries are zero");
    CHECK(sc.assessment.enabled && sc.assessment.min_cases == 2, "assessment from the base");
    CHECK_ROUND_TRIP(&sc, "extends chain");

    CHECK_INT(load_file(DATA "sub/chain-mid.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.name, "mid", "own name kept");

    CHECK_INT(kpi_scenario_load(&sc, DATA "cycle-a.yaml", &err), KPI_EDATA, "cycle");
    CHECK_STR(err.file, DATA "cycle-b.yaml", "cycle reported in the closing file");
    CHECK(err.line == 2 && err.col == 10, "cycle place %d:%d", err.line, err.col);
    CHECK_STR(err.key, "extends", "cycle key");
    CHECK_STR(err.msg, "extends cycle: " DATA "cycle-a.yaml -> " DATA "cycle-b.yaml -> "
              DATA "cycle-a.yaml", "cycle names the chain");

    /* A missing parent: KPI_ENOINPUT, reported where extends names it. */
    CHECK_INT(kpi_scenario_load(&sc, DATA "missing-parent.yaml", &err), KPI_ENOINPUT,
              "missing parent");
    CHECK_STR(err.file, DATA "missing-parent.yaml", "missing parent: the child's file");
    CHECK(err.line == 2 && err.col == 10, "missing parent place %d:%d", err.line, err.col);
    CHECK_STR(err.key, "extends", "missing parent key");
    CHECK(strstr(err.msg, "no-such-file.yaml': No such file or directory") != NULL,
          "missing parent message: %s", err.msg);

    CHECK_INT(kpi_scenario_load(&sc, DATA "no-such-file.yaml", &err), KPI_ENOINPUT,
              "missing file");
    CHECK_STR(kpi_error_format(&err, buf, sizeof buf),
              DATA "no-such-file.yaml: cannot open the scenario: No such file or directory",
              "missing file message");
    CHECK(memcmp(&sc, &def, sizeof sc) == 0, "defaults after a failed load");
    CHECK_INT(kpi_scenario_load(&sc, DATA, &err), KPI_ENOINPUT, "a directory");

    /* The month of an event is blamed where it was written, even when the
     * horizon is shortened later by a child file or by --set. */
    CHECK_INT(kpi_scenario_load(&sc, DATA "horizon-child.yaml", &err), KPI_EDATA, "horizon");
    CHECK_STR(err.file, DATA "horizon-parent.yaml", "blamed in the parent");
    CHECK(err.line == 4 && err.col == 12, "blamed at the month %d:%d", err.line, err.col);
    CHECK_STR(err.key, "events[0].month", "horizon key");
    const char *sets[] = {"months=8"};
    CHECK_INT(kpi_scenario_load_sets(&sc, DATA "horizon-parent.yaml", sets, 1, &err), KPI_EDATA,
              "horizon by --set");
    CHECK_STR(err.file, DATA "horizon-parent.yaml", "--set: blamed in the file");
    CHECK(err.line == 4 && err.col == 12, "--set: blamed at the month %d:%d", err.line, err.col);
    CHECK_STR(err.msg, "expected a month of the horizon in [1, 8], got 10", "--set horizon msg");
    const char *fix[] = {"months=8", "events=[{type: contest, month: 8}]"};
    CHECK_INT(kpi_scenario_load_sets(&sc, DATA "horizon-parent.yaml", fix, 2, &err), KPI_OK,
              "a later --set repairs what an earlier one broke");

    /* The chain is at most KPI_MAX_EXTENDS files long; load_string paths
     * are relative to the current directory. */
    scratch s;
    if (scratch_open(&s) == 0) {
        char name[32], text[64];
        for (int i = 0; i <= KPI_MAX_EXTENDS; i++) {
            snprintf(name, sizeof name, "c%d.yaml", i);
            if (i < KPI_MAX_EXTENDS)
                snprintf(text, sizeof text, "extends: c%d.yaml\n", i + 1);
            else
                snprintf(text, sizeof text, "months: 7\n");
            scratch_write(&s, name, text, strlen(text));
        }
        char path[600];
        snprintf(path, sizeof path, "%s/c1.yaml", s.dir);
        CHECK_INT(kpi_scenario_load(&sc, path, &err), KPI_OK, "a chain of 16 files");
        CHECK_INT(sc.months, 7, "read through 16 files");
        snprintf(path, sizeof path, "%s/c0.yaml", s.dir);
        CHECK_INT(kpi_scenario_load(&sc, path, &err), KPI_EDATA, "a chain of 17 files");
        CHECK(strstr(err.msg, "extends chain too long") != NULL, "chain message: %s", err.msg);
        CHECK(err.line == 1 && err.col == 10, "chain place %d:%d", err.line, err.col);
        scratch_close(&s);
    }
    const char *text = "extends: " DATA "chain-base.yaml\nmonths: 30\n";
    CHECK_INT(kpi_scenario_load_string(&sc, text, strlen(text), "inline", &err), KPI_OK,
              "load_string extends from the current directory");
    CHECK(sc.months == 30 && sc.activity.calls_per_day == 8, "load_string chain values");
    CHECK_STR(sc.name, "default", "load_string without name: default");
    EXPECT_ERROR("extends: ~\n", KPI_EDATA, 1, 10, "extends", "got nothing (null)");
    EXPECT_ERROR("extends: [a]\n", KPI_EDATA, 1, 10, "extends", "got a list");
    EXPECT_ERROR("team:\n  extends: x.yaml\n", KPI_EDATA, 2, 3, "team.extends", "unknown key");
}

/* ------------------------------------------------------------------ */
/* --set                                                               */
/* ------------------------------------------------------------------ */

static void expect_set_error(int at, const char *assignment, int col, const char *key,
                             const char *part)
{
    kpi_scenario sc, before;
    kpi_error err;
    char buf[2048];
    kpi_scenario_defaults(&sc);
    sc.months = 20;
    memcpy(&before, &sc, sizeof sc);
    int rc = kpi_scenario_set(&sc, assignment, &err);
    kpi_error_format(&err, buf, sizeof buf);
    CHECK(rc == KPI_EDATA, "line %d: --set %s: status %d", at, assignment, rc);
    CHECK(strcmp(err.file, "--set") == 0 && err.line == 1 && err.col == col,
          "line %d: place %s:%d:%d, expected --set:1:%d", at, err.file, err.line, err.col, col);
    CHECK(strcmp(err.key, key) == 0, "line %d: key '%s', expected '%s'", at, err.key, key);
    CHECK(strstr(err.msg, part) != NULL, "line %d: message '%s' lacks '%s'", at, err.msg, part);
    CHECK(memcmp(&sc, &before, sizeof sc) == 0, "line %d: a failed --set changed the scenario",
          at);
}

#define EXPECT_SET_ERROR(a, col, key, part) expect_set_error(__LINE__, a, col, key, part)

static void test_set(void)
{
    kpi_scenario sc;
    kpi_error err;
    kpi_scenario_defaults(&sc);
    CHECK_INT(kpi_scenario_set(&sc, "activity.calls_per_day=12", &err), KPI_OK, "--set number");
    CHECK(sc.activity.calls_per_day == 12, "calls_per_day set");
    CHECK_INT(kpi_scenario_set(&sc, "funnel.cold=40:30:10:1", &err), KPI_OK, "--set funnel");
    CHECK(sc.funnel.cold.stage[0] == 40, "funnel set");
    CHECK_INT(kpi_scenario_set(&sc, "events=[{type: contest, month: 3}]", &err), KPI_OK,
              "--set events");
    CHECK(sc.nevents == 1 && sc.events[0].month == 3, "events set");
    CHECK_INT(kpi_scenario_set(&sc, "clients.grade_mix={A: 0.2, N: 0.3}", &err), KPI_OK,
              "--set grades");
    CHECK(sc.clients.grade_mix[0] == 0.2 && sc.clients.grade_mix[5] == 0.3, "grades set");
    CHECK_INT(kpi_scenario_set(&sc, "clients.grade_mix.N=0.4", &err), KPI_EDATA,
              "--set one grade breaking the sum");
    CHECK_INT(kpi_scenario_set(&sc, "clients.grade_mix={A: 0.1, N: 0.4}", &err), KPI_OK,
              "--set grades back");
    CHECK_INT(kpi_scenario_set(&sc, "clients.grade_rate.A=0.5", &err), KPI_OK, "--set one grade");
    CHECK(sc.clients.grade_rate[0] == 0.5, "one grade set");
    CHECK_INT(kpi_scenario_set(&sc, "title=Hello world: 你好", &err), KPI_EDATA,
              "a plain 'a: b' is a mapping");
    CHECK_INT(kpi_scenario_set(&sc, "title=\"Hello world: 你好\"", &err), KPI_OK, "quoted title");
    CHECK_STR(sc.title, "Hello world: 你好", "title set");
    CHECK_INT(kpi_scenario_set(&sc, "name=run-2", &err), KPI_OK, "--set name");
    CHECK_STR(sc.name, "run-2", "name set");
    CHECK_INT(kpi_scenario_set(&sc, "activity={compliance: 0.9, mood_sd: 0.01}", &err), KPI_OK,
              "--set a section");
    CHECK(sc.activity.compliance == 0.9 && sc.activity.mood_sd == 0.01, "section set");
    CHECK_INT(sc.assessment.enabled, 0, "assessment off before");
    CHECK_INT(kpi_scenario_set(&sc, "assessment.min_cases=2", &err), KPI_OK, "--set assessment");
    CHECK(sc.assessment.enabled == 1 && sc.assessment.min_cases == 2, "--set enables assessment");
    CHECK_INT(kpi_scenario_set(&sc, "assessment=~", &err), KPI_OK, "--set assessment off");
    CHECK_INT(sc.assessment.enabled, 0, "assessment off");
    CHECK_INT(kpi_scenario_set(&sc, "clients.repeat_share=0.3", &err), KPI_OK, "repeat_share");
    CHECK(sc.clients.repeat_share == 0.3, "repeat_share set");
    CHECK_INT(kpi_scenario_set(&sc, "clients.focus=0.4", &err), KPI_OK, "--set focus");
    CHECK(sc.clients.focus == 0.4 && sc.clients.repeat_share == -1, "focus resets repeat_share");
    CHECK_INT(kpi_scenario_set(&sc, "events=", &err), KPI_OK, "--set events to nothing");
    CHECK_INT(sc.nevents, 0, "events cleared");
    CHECK_INT(kpi_scenario_set(&sc, "seed=7", NULL), KPI_OK, "NULL err");

    EXPECT_SET_ERROR("activity.calls_per_dya=3", 1, "activity.calls_per_dya",
                     "unknown key; did you mean 'activity.calls_per_day'?");
    EXPECT_SET_ERROR("calls_per_day=3", 1, "calls_per_day",
                     "did you mean 'activity.calls_per_day'?");
    EXPECT_SET_ERROR("activity.compliance=1.3", 21, "activity.compliance",
                     "expected a probability in [0, 1], got 1.3");
    EXPECT_SET_ERROR("activity.compliance=  yes", 23, "activity.compliance",
                     "got the boolean 'yes'");
    EXPECT_SET_ERROR("months=", 8, "months", "got nothing (null)");
    EXPECT_SET_ERROR("months=[1", 10, "", "YAML syntax error");
    EXPECT_SET_ERROR("title=\"caf\\xe9\" !x", 17, "", "YAML syntax error");
    EXPECT_SET_ERROR("months=!foo 3", 8, "", "unknown tag '!foo'");
    EXPECT_SET_ERROR("extends=other.yaml", 1, "extends", "cannot be changed with --set");
    EXPECT_SET_ERROR("months", 1, "", "expected KEY=VALUE, got 'months'");
    EXPECT_SET_ERROR("=3", 1, "", "expected KEY=VALUE");
    EXPECT_SET_ERROR("funnel.cold=10:12:3:1", 13, "funnel.cold", "stages never grow");
    EXPECT_SET_ERROR("events=[{type: contest, month: 30}]", 32, "events[0].month",
                     "expected a month of the horizon in [1, 20], got 30");
    EXPECT_SET_ERROR("events=[{type: contest}]", 9, "events[0].month", "got none");
    EXPECT_SET_ERROR("clients={focus: 0.1, repeat_share: 0.2}", 22, "clients.repeat_share",
                     "not both (clients.focus given at --set:1:10)");
    EXPECT_SET_ERROR("activity.compliance=0.01", 21, "activity.compliance_sd",
                     "expected a standard deviation below");
    EXPECT_SET_ERROR("clients.grade_mix.F=0.1", 1, "clients.grade_mix.F", "unknown key");
    EXPECT_SET_ERROR("name=a b", 6, "name", "expected a name of letters");
    EXPECT_SET_ERROR("events[0].month=3", 1, "events", "give the whole list");
    CHECK_INT(kpi_scenario_load(&sc, NULL, &err), KPI_ENOINPUT, "no path");
}

/* ------------------------------------------------------------------ */
/* Bad input, one class at a time                                      */
/* ------------------------------------------------------------------ */

static void test_bad_keys(void)
{
    EXPECT_ERROR("months: 12\nactivity:\n  calls_per_dya: 12\n", KPI_EDATA, 3, 3,
                 "activity.calls_per_dya", "unknown key; did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("calls_per_day: 12\n", KPI_EDATA, 1, 1, "calls_per_day",
                 "unknown key; did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("activty:\n  calls_per_day: 12\n", KPI_EDATA, 1, 1, "activty",
                 "did you mean 'activity'?");
    EXPECT_ERROR("team:\n  calls_per_day: 12\n", KPI_EDATA, 2, 3, "team.calls_per_day",
                 "did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("nmae: x\n", KPI_EDATA, 1, 1, "nmae", "did you mean 'name'?");
    /* issue 17: the words a manager tries, a key in the wrong section, the
     * section's keys when nothing is close, spreadsheet numbers */
    EXPECT_ERROR("team:\n  agents: 12\n", KPI_EDATA, 2, 3, "team.agents",
                 "unknown key; did you mean 'team.headcount'?");
    EXPECT_ERROR("team:\n  Hires-Per-Month: 2\n", KPI_EDATA, 2, 3, "team.Hires-Per-Month",
                 "did you mean 'team.recruits_per_month'?");
    EXPECT_ERROR("hires: 2\n", KPI_EDATA, 1, 1, "hires", "did you mean 'team.recruits_per_month'?");
    EXPECT_ERROR("activity:\n  calls: 12\n", KPI_EDATA, 2, 3, "activity.calls",
                 "did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("activity:\n  visits: 2\n", KPI_EDATA, 2, 3, "activity.visits",
                 "did you mean 'activity.visits_per_day'?");
    EXPECT_ERROR("team:\n  calls_per_day: 12\n", KPI_EDATA, 2, 3, "team.calls_per_day",
                 "did you mean 'activity.calls_per_day'?");
    EXPECT_ERROR("activity:\n  zzzzzz: 1\n", KPI_EDATA, 2, 3, "activity.zzzzzz",
                 "unknown key; the keys of activity: are calls_per_day, visits_per_day, ");
    EXPECT_ERROR("activity:\n  compliance: 70%\n", KPI_EDATA, 2, 15, "activity.compliance",
                 "got the text '70%' (write 0.7)");
    EXPECT_ERROR("activity:\n  calls_per_day: 5,000\n", KPI_EDATA, 2, 18,
                 "activity.calls_per_day", "(write 5000)");
    EXPECT_ERROR("premium:\n  mean: $5000\n", KPI_EDATA, 2, 9, "premium.mean", "(write 5000)");
    EXPECT_ERROR("premium:\n  mean: \"$5,000.50\"\n", KPI_EDATA, 2, 9, "premium.mean",
                 "(write 5000.5)");
    EXPECT_ERROR("premium:\n  mean: 5000 EUR\n", KPI_EDATA, 2, 9, "premium.mean",
                 "(write 5000)");
    EXPECT_ERROR("premium:\n  mean: abc\n", KPI_EDATA, 2, 9, "premium.mean", "got the text 'abc'");
    EXPECT_ERROR("activity:\n  compliance: 0,7\n", KPI_EDATA, 2, 15, "activity.compliance",
                 "got the text '0,7' (write 0.7)");
    EXPECT_ERROR("premium:\n  mean: 1,234,567.5\n", KPI_EDATA, 2, 9, "premium.mean",
                 "(write 1234567.5)");
    EXPECT_ERROR("zzzzzz: 1\n", KPI_EDATA, 1, 1, "zzzzzz", "unknown key");
    {
        kpi_scenario sc;
        kpi_error err;
        kpi_scenario_load_string(&sc, "zzzzzz: 1\n", 10, "t.yaml", &err);
        /* issue 17: nothing close lists what the level holds */
        CHECK(strncmp(err.msg, "unknown key; the top-level keys are name, model_version, title, ", 64) == 0,
              "no suggestion when nothing is close, the top-level keys listed: '%s'", err.msg);
    }
    EXPECT_ERROR("activity.calls_per_day: 12\n", KPI_EDATA, 1, 1, "activity.calls_per_day",
                 "write it nested, as 'calls_per_day:' under 'activity:'");
    EXPECT_ERROR("base: &b {months: 3}\n<<: *b\n", KPI_EDATA, 1, 1, "base", "unknown key");
    EXPECT_ERROR("<<: {months: 3}\n", KPI_EDATA, 1, 1, "<<", "merge keys");
    EXPECT_ERROR("? [a, b]\n: 1\n", KPI_EDATA, 1, 3, "", "expected a key name, got a list");
    EXPECT_ERROR("\"months\\0x\": 3\n", KPI_EDATA, 1, 1, "months\\x00x", "NUL");
    /* Every top-level key is checked before a parent is read. */
    EXPECT_ERROR("extends: no-such-parent.yaml\nmonthz: 3\n", KPI_EDATA, 2, 1, "monthz",
                 "did you mean 'months'?");
}

static void test_bad_duplicates(void)
{
    EXPECT_ERROR("months: 12\nteam:\n  headcount: 3\nmonths: 13\n", KPI_EDATA, 4, 1, "months",
                 "duplicate key (first given at t.yaml:1:1)");
    EXPECT_ERROR("team:\n  headcount: 3\n  headcount: 4\n", KPI_EDATA, 3, 3, "team.headcount",
                 "duplicate key (first given at t.yaml:2:3)");
    EXPECT_ERROR("team: {}\nteam: {}\n", KPI_EDATA, 2, 1, "team",
                 "duplicate key (first given at t.yaml:1:1)");
    EXPECT_ERROR("months: 1\n\"months\": 2\n", KPI_EDATA, 2, 1, "months", "duplicate key");
}

static void test_bad_types(void)
{
    static const char *const bools[] = {
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL
    };
    char text[64], part[64];
    for (int i = 0; bools[i]; i++) {
        snprintf(text, sizeof text, "months: %s\n", bools[i]);
        snprintf(part, sizeof part, "got the boolean '%s'", bools[i]);
        EXPECT_ERROR(text, KPI_EDATA, 1, 9, "months", part);
    }
    EXPECT_ERROR("months: \"12\"\n", KPI_EDATA, 1, 9, "months",
                 "expected a whole number of months in [1, 600], got the text '12' "
                 "(numbers are written without quotes)");
    EXPECT_ERROR("months: '12'\n", KPI_EDATA, 1, 9, "months", "without quotes");
    EXPECT_ERROR("months: !!str 12\n", KPI_EDATA, 1, 9, "months", "got the text '12'");
    EXPECT_ERROR("months: twelve\n", KPI_EDATA, 1, 9, "months", "got the text 'twelve'");
    EXPECT_ERROR("months: 12.5\n", KPI_EDATA, 1, 9, "months",
                 "expected a whole number of months in [1, 600], got 12.5");
    EXPECT_ERROR("months: 010\n", KPI_EDATA, 1, 9, "months", "leading 0 is octal");
    EXPECT_ERROR("months:\n", KPI_EDATA, 1, 8, "months", "got nothing (null)");
    EXPECT_ERROR("months: ~\n", KPI_EDATA, 1, 9, "months", "got nothing (null)");
    EXPECT_ERROR("title: ~\n", KPI_EDATA, 1, 8, "title", "expected a text, got nothing (null)");
    EXPECT_ERROR("months: {a: 1}\n", KPI_EDATA, 1, 9, "months", "got a mapping");
    EXPECT_ERROR("months: [12]\n", KPI_EDATA, 1, 9, "months", "got a list");
    EXPECT_ERROR("title: [a]\n", KPI_EDATA, 1, 8, "title", "expected a text, got a list");
    EXPECT_ERROR("team: [1]\n", KPI_EDATA, 1, 7, "team", "expected a mapping of team keys, got a list");
    EXPECT_ERROR("team: 5\n", KPI_EDATA, 1, 7, "team", "got 5");
    EXPECT_ERROR("name: my run\n", KPI_EDATA, 1, 7, "name",
                 "expected a name of letters, digits, '.', '_' or '-', got 'my run'");
    EXPECT_ERROR("name: ..\n", KPI_EDATA, 1, 7, "name", "not only dots");
    EXPECT_ERROR("title: !!map x\n", KPI_EDATA, 1, 8, "", "the tag !!map cannot be used");
    EXPECT_ERROR("title: !!binary aGk=\n", KPI_EDATA, 1, 8, "", "unknown tag '!!binary'");
    EXPECT_ERROR("title: !local x\n", KPI_EDATA, 1, 8, "", "unknown tag '!local'");
    EXPECT_ERROR("team: !!seq {}\n", KPI_EDATA, 1, 7, "", "the tag !!seq cannot be used");
    EXPECT_ERROR("title: \"a\\0b\"\n", KPI_EDATA, 1, 8, "title", "NUL");
    EXPECT_ERROR("months: ! 12\n", KPI_EDATA, 1, 9, "months", "got the text '12'");
    {
        kpi_scenario sc;
        CHECK_INT(load_text("title: !<tag:yaml.org,2002:str> x\nteam: !!map {headcount: 3}\n",
                            &sc), KPI_OK, "long and short standard tags");
    }
}

static void test_bad_numbers(void)
{
    EXPECT_ERROR("activity:\n  compliance: .nan\n", KPI_EDATA, 2, 15, "activity.compliance",
                 "expected a finite number, got .nan");
    EXPECT_ERROR("activity:\n  compliance: -.inf\n", KPI_EDATA, 2, 15, "activity.compliance",
                 "expected a finite number, got -.inf");
    EXPECT_ERROR("premium:\n  mean: 1e400\n", KPI_EDATA, 2, 9, "premium.mean",
                 "expected a finite number, got 1e400");
    EXPECT_ERROR("activity:\n  compliance: 1.3\n", KPI_EDATA, 2, 15, "activity.compliance",
                 "expected a probability in [0, 1], got 1.3");
    EXPECT_ERROR("team:\n  headcount: 1e12\n", KPI_EDATA, 2, 14, "team.headcount",
                 "expected a whole number of agents in [0, 100000], got 1e12");
    EXPECT_ERROR("team:\n  headcount: -1\n", KPI_EDATA, 2, 14, "team.headcount", "got -1");
    EXPECT_ERROR("seed: -1\n", KPI_EDATA, 1, 7, "seed", "got -1");
    EXPECT_ERROR("seed: 18446744073709551616\n", KPI_EDATA, 1, 7, "seed",
                 "expected a whole number in [0, 18446744073709551615], got 18446744073709551616");
    EXPECT_ERROR("replications: 99999999999999999999999\n", KPI_EDATA, 1, 15, "replications",
                 "got 99999999999999999999999");
    EXPECT_ERROR("months: 0x\n", KPI_EDATA, 1, 9, "months", "got the text '0x'");
    EXPECT_ERROR("months: 1e\n", KPI_EDATA, 1, 9, "months", "got the text '1e'");
    EXPECT_ERROR("months: 1:30\n", KPI_EDATA, 1, 9, "months", "got the text '1:30'");
    EXPECT_ERROR("activity:\n  compliance_sd: 0.49\n", KPI_EDATA, 2, 18,
                 "activity.compliance_sd", "expected a standard deviation below");
}

static void test_bad_documents(void)
{
    EXPECT_ERROR("", KPI_EDATA, 1, 1, "", "empty scenario");
    EXPECT_ERROR("# nothing\n\n# here\n", KPI_EDATA, 1, 1, "", "empty scenario");
    EXPECT_ERROR("---\n", KPI_EDATA, 2, 1, "", "empty scenario");
    EXPECT_ERROR("months: 3\n---\nmonths: 4\n", KPI_EDATA, 2, 1, "",
                 "a second YAML document: a scenario file holds one document only");
    EXPECT_ERROR("months: 3\n...\n---\nmonths: 4\n", KPI_EDATA, 3, 1, "",
                 "a second YAML document");
    EXPECT_ERROR("months: 3\n...\nmonths: 4\n", KPI_EDATA, 3, 1, "", "YAML syntax error");
    EXPECT_ERROR("- months: 3\n", KPI_EDATA, 1, 1, "",
                 "expected a mapping of scenario keys (lines such as 'months: 12') at the top "
                 "level, got a list");
    EXPECT_ERROR("\n\nhello\n", KPI_EDATA, 3, 1, "", "got a single value");
    /* issue 17: libyaml's words translated into what to do (its words kept
     * after), the line shown with a caret under the column */
    EXPECT_ERROR("months: 3\n  team: 4\n", KPI_EDATA, 2, 7, "",
                 "YAML syntax error: a ':' that cannot start a key here: indent this line "
                 "like the keys above it");
    EXPECT_ERROR("months: 3\n  team: 4\n", KPI_EDATA, 2, 7, "",
                 "(libyaml: mapping values are not allowed in this context)\n"
                 "      2 |   team: 4\n"
                 "        |       ^");
    EXPECT_ERROR("events:\n  - type: contest\n  month: 3\n", KPI_EDATA, 3, 3, "",
                 "this line breaks a list: start it with '- '");
    EXPECT_ERROR("team:\n  headcount 3\n  attrition: 0.1\n", KPI_EDATA, 3, 12, "",
                 "(or give the line above its ':')");
    EXPECT_ERROR("title: @x\n", KPI_EDATA, 1, 8, "",
                 "this character cannot start a value ('@', '`', '%' are reserved): put the "
                 "value in quotes (libyaml: found character that cannot start any token)\n"
                 "      1 | title: @x\n        |        ^");
    EXPECT_ERROR("activity: [1, 2\n", KPI_EDATA, 2, 1, "", "a list in brackets is not closed");
    EXPECT_ERROR("activity: [1, 2\n", KPI_EDATA, 2, 1, "", "YAML syntax error");
    EXPECT_ERROR("team:\n\theadcount: 3\n", KPI_EDATA, 2, 1, "", "a tab cannot indent YAML");
    EXPECT_ERROR("title: \"abc\n", KPI_EDATA, 2, 1, "", "YAML syntax error");
    EXPECT_ERROR("months: *nope\n", KPI_EDATA, 1, 9, "", "unknown alias '*nope'");
    EXPECT_ERROR("a: &x [*x]\n", KPI_EDATA, 1, 8, "", "recursive");
    EXPECT_ERROR("title: a\x01" "b\n", KPI_EDATA, 1, 9, "", "control characters");
}

static void test_bad_bytes(void)
{
    kpi_scenario sc;
    /* A BOM is accepted and does not count as a column. */
    CHECK_INT(load_text("\xEF\xBB\xBFmonths: 7\n", &sc), KPI_OK, "BOM accepted");
    CHECK_INT(sc.months, 7, "months after a BOM");
    EXPECT_ERROR("\xEF\xBB\xBFmonths: x\n", KPI_EDATA, 1, 9, "months", "got the text 'x'");
    /* Invalid UTF-8: line and column from the byte offset, in characters. */
    EXPECT_ERROR("title: ok\ndescription: caf\xE9\n", KPI_EDATA, 2, 17, "",
                 "not valid UTF-8 text (byte 0xE9 here); save it as UTF-8");
    EXPECT_ERROR("title: 中文\xFF\n", KPI_EDATA, 1, 10, "", "byte 0xFF");
    EXPECT_ERROR("title: \xC0\xAF\n", KPI_EDATA, 1, 8, "", "not valid UTF-8");   /* overlong */
    EXPECT_ERROR("title: \xED\xA0\x80\n", KPI_EDATA, 1, 8, "", "not valid UTF-8"); /* surrogate */
    EXPECT_ERROR("title: \xE4\xB8\n", KPI_EDATA, 1, 8, "", "not valid UTF-8");    /* cut short */
    EXPECT_ERROR("a: 1\r\nb: 2\r\nc: \xFE\n", KPI_EDATA, 3, 4, "", "not valid UTF-8");
    EXPECT_ERROR("\xFF\xFEm\0", KPI_EDATA, 1, 1, "", "UTF-16");
    expect_error_len(__LINE__, "months: 1\0" "2\n", 12, KPI_EDATA, 1, 10, "", "a NUL byte");
    expect_error_len(__LINE__, "a: 1\n\nb: \0", 10, KPI_EDATA, 3, 4, "", "a NUL byte");
}

static void test_limits(void)
{
    strbuf b = {0};
    kpi_scenario sc;
    kpi_error err;
    double t0;

    /* Text fields: up to their size minus one byte, never truncated. */
    sb_puts(&b, "title: ");
    for (int i = 0; i < KPI_MAX_TEXT - 1; i++)
        sb_puts(&b, "x");
    CHECK_INT(load_text(b.p, &sc), KPI_OK, "title of 4095 bytes");
    CHECK_INT(strlen(sc.title), KPI_MAX_TEXT - 1, "title length");
    sb_puts(&b, "x");
    EXPECT_ERROR(b.p, KPI_EDATA, 1, 8, "title",
                 "expected a text of at most 4095 bytes, got 4096 bytes");
    b.len = 0;
    sb_puts(&b, "title: ");
    for (int i = 0; i < 1366; i++)
        sb_puts(&b, "中");   /* 3 bytes each: 4098 bytes */
    EXPECT_ERROR(b.p, KPI_EDATA, 1, 8, "title", "got 4098 bytes");
    b.len = 0;
    sb_puts(&b, "name: ");
    for (int i = 0; i < 256; i++)
        sb_puts(&b, "n");
    EXPECT_ERROR(b.p, KPI_EDATA, 1, 7, "name", "at most 255 bytes");

    /* Nesting: the top mapping is level 1, so the 64th '[' is level 65. */
    b.len = 0;
    sb_puts(&b, "a: ");
    for (int i = 0; i < 70; i++)
        sb_puts(&b, "[");
    for (int i = 0; i < 70; i++)
        sb_puts(&b, "]");
    EXPECT_ERROR(b.p, KPI_EDATA, 1, 67, "", "nesting deeper than 64 levels");
    b.len = 0;
    sb_puts(&b, "a: ");
    for (int i = 0; i < 63; i++)
        sb_puts(&b, "[");
    for (int i = 0; i < 63; i++)
        sb_puts(&b, "]");
    EXPECT_ERROR(b.p, KPI_EDATA, 1, 1, "a", "unknown key");   /* 64 levels: parsed */
    b.len = 0;
    sb_puts(&b, "x: &x ");
    for (int i = 0; i < 63; i++)
        sb_puts(&b, "[");
    for (int i = 0; i < 63; i++)
        sb_puts(&b, "]");
    sb_puts(&b, "\ny: *x\n");
    EXPECT_ERROR(b.p, KPI_EDATA, 1, 1, "x", "unknown key");    /* 64 levels with the alias */
    b.len -= 3;
    sb_puts(&b, "[*x]\n");
    EXPECT_ERROR(b.p, KPI_EDATA, 2, 5, "", "counting what the alias '*x' stands for");

    /* Aliases are fine, resolved by reference, and reported where used. */
    CHECK_INT(load_text("funnel:\n  cold: &f \"40:30:10:1\"\n  referral: *f\n"
                        "team: &t {headcount: 7}\n", &sc), KPI_OK, "aliases");
    CHECK(sc.funnel.referral.stage[0] == 40 && sc.team.headcount == 7, "alias values");
    EXPECT_ERROR("title: &t x\nmonths: *t\n", KPI_EDATA, 2, 9, "months", "got the text 'x'");

    /* The billion laughs: rejected at once, without expanding. */
    b.len = 0;
    sb_puts(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'j'; c++) {
        char line[128];
        snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                 c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
        sb_puts(&b, line);
    }
    t0 = now_seconds();
    CHECK_INT(kpi_scenario_load_string(&sc, b.p, b.len, "bomb.yaml", &err), KPI_EDATA,
              "alias bomb");
    CHECK(now_seconds() - t0 < 0.5, "alias bomb rejected in %.3f s", now_seconds() - t0);
    CHECK(strstr(err.msg, "alias bomb") != NULL, "alias bomb message: %s", err.msg);
    CHECK(err.line == 6 && err.col == 8, "alias bomb place %d:%d", err.line, err.col);

    /* At most 100000 values even without aliases. */
    b.len = 0;
    sb_puts(&b, "x: [");
    for (int i = 0; i < KPI_YAML_MAX_NODES; i++)
        sb_puts(&b, "1,");
    sb_puts(&b, "]\n");
    t0 = now_seconds();
    CHECK_INT(kpi_scenario_load_string(&sc, b.p, b.len, "many.yaml", &err), KPI_EDATA,
              "too many values");
    CHECK(strstr(err.msg, "too many values") != NULL, "too many values: %s", err.msg);
    CHECK(now_seconds() - t0 < 2, "too many values in %.3f s", now_seconds() - t0);

    /* The file size cap: 1 MiB is fine, one byte more is not. */
    b.len = 0;
    sb_puts(&b, "months: 5\n#");
    while (b.len < KPI_YAML_MAX_BYTES - 1)
        sb_puts(&b, "x");
    sb_puts(&b, "\n");
    CHECK_INT(b.len, KPI_YAML_MAX_BYTES, "1 MiB built");
    CHECK_INT(kpi_scenario_load_string(&sc, b.p, b.len, "big.yaml", &err), KPI_OK, "1 MiB loads");
    sb_puts(&b, "\n");
    CHECK_INT(kpi_scenario_load_string(&sc, b.p, b.len, "big.yaml", &err), KPI_EDATA,
              "1 MiB + 1 byte");
    CHECK(err.line == 0 && strstr(err.msg, "file too large") != NULL, "size message: %s",
          err.msg);
    scratch s;
    if (scratch_open(&s) == 0) {
        const char *path = scratch_write(&s, "big.yaml", b.p, b.len);
        CHECK(path != NULL, "big file written");
        if (path) {
            CHECK_INT(kpi_scenario_load(&sc, path, &err), KPI_EDATA, "big file");
            CHECK(strstr(err.msg, "at most 1 MiB") != NULL, "big file message: %s", err.msg);
            CHECK_STR(err.file, path, "big file name");
        }
        scratch_close(&s);
    }
    free(b.p);
}

/* ------------------------------------------------------------------ */
/* The emitter                                                         */
/* ------------------------------------------------------------------ */

static void test_round_trip(void)
{
    kpi_scenario sc, back;
    kpi_error err;
    char *text;

    kpi_scenario_defaults(&sc);
    CHECK_ROUND_TRIP(&sc, "defaults");
    text = round_trip(&sc, &back);
    if (text) {
        CHECK(strstr(text, "  cold: \"40:30:10:1\"\n") != NULL, "funnel written quoted");
        CHECK(strstr(text, "  grade_mix: {A: 0.1, B: 0.15, C: 0.05, D: 0.1, E: 0.2, N: 0.4}\n")
              != NULL, "grades as a flow mapping");
        CHECK(strstr(text, "assessment:") == NULL, "no assessment section when disabled");
        CHECK(strstr(text, "repeat_share") == NULL, "focus, not repeat_share");
        CHECK(strstr(text, "seed: 20121013\n") != NULL, "integers as integers");
        CHECK(strstr(text, "events: []\n") != NULL, "no events: []");
        free(text);
    }

    /* Languages, and text that looks like other YAML. */
    static const char *const texts[] = {
        "活动量管理：每天10个电话", "Управление активностью", "yes", "No", "~", "null", "",
        "12", "0x1F", "1:30", "40:30:10:1", ".nan", "- item", "key: value", "# comment",
        "'quoted'", "\"double\"", "back\\slash", "tab\there", "line\nbreak\n",
        "  leading and trailing  ", "\x01 control", "emoji \xF0\x9F\x98\x80", "\xEF\xBB\xBF bom",
        "&anchor *alias !tag", "{a: 1}", "[1, 2]", "%YAML", "---", "...", NULL
    };
    for (int i = 0; texts[i]; i++) {
        kpi_scenario_defaults(&sc);
        memset(sc.title, 0, sizeof sc.title);
        memcpy(sc.title, texts[i], strlen(texts[i]));
        memset(sc.description, 0, sizeof sc.description);
        memcpy(sc.description, texts[i], strlen(texts[i]));
        CHECK_ROUND_TRIP(&sc, texts[i]);
    }
    kpi_scenario_defaults(&sc);
    memset(sc.title, 0, sizeof sc.title);
    strcpy(sc.title, "活动量管理");
    text = round_trip(&sc, &back);
    if (text) {
        CHECK(strstr(text, "title: \"活动量管理\"\n") != NULL, "Chinese written as is");
        free(text);
    }
    memset(sc.title, 'x', sizeof sc.title - 1);
    CHECK_ROUND_TRIP(&sc, "a title of the largest size on one line");

    /* Numbers whose shortest exact form needs 16 or 17 digits, tiny and
     * huge ones, negative zero. */
    static const double reals[] = {0.1, 1.0 / 3, 2.0 / 3, 0.30000000000000004, 1e-300,
                                   4.9406564584124654e-324, 123456789.123456789, 1e12,
                                   999999999999.99988, -0.0, 5e-324};
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
        kpi_scenario_defaults(&sc);
        sc.team.income_floor = reals[i] < 0 ? 0 : reals[i];
        sc.premium.mean = reals[i];
        sc.activity.compliance_sd = reals[i] > 0 && reals[i] < 0.4 ? reals[i] : 0.1;
        sc.funnel.cold.stage[3] = reals[i] > 0 && reals[i] < 1 ? reals[i] : 1;
        CHECK_ROUND_TRIP(&sc, "numbers");
    }
    char buf[48];
    CHECK(kpi_ynum_format(1e20, buf, sizeof buf) == 0 && strcmp(buf, "1.0e+20") == 0,
          "1e20 written as 1.0e+20, got %s", buf);
    CHECK(kpi_ynum_format(0.1, buf, sizeof buf) == 0 && strcmp(buf, "0.1") == 0, "0.1");
    CHECK(kpi_ynum_format(1.0 / 3, buf, sizeof buf) == 0 && strlen(buf) == 18,
          "1/3 needs 16 digits: %s", buf);
    CHECK(kpi_ynum_format(NAN, buf, sizeof buf) == -1, "NaN cannot be written");

    /* Events of every type, and a scenario read through extends and --set. */
    const char *sets[] = {"clients.repeat_share=0.25", "title=\"Через --set\"",
                          "events=[{type: seminar, month: 2, tier: 1.7}, "
                          "{type: thank_you_event, month: 3}, {type: recruiting_drive, "
                          "month: 4, factor: 0.5}]"};
    CHECK_INT(kpi_scenario_load_sets(&sc, DATA "chain-top.yaml", sets, 3, &err), KPI_OK,
              "load with sets");
    CHECK_ROUND_TRIP(&sc, "extends + --set");
    CHECK_INT(kpi_scenario_load(&sc, DATA "docs-full.yaml", &err), KPI_OK, "docs-full");
    CHECK_ROUND_TRIP(&sc, "docs-full.yaml");

    /* Write errors: KPI_EIO with the reason. */
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        kpi_scenario_defaults(&sc);
        CHECK_INT(kpi_scenario_emit(&sc, full, &err), KPI_EIO, "emit to /dev/full");
        CHECK(strstr(err.msg, "writing the scenario failed: No space left on device") != NULL,
              "write error message: %s", err.msg);
        fclose(full);
    }
    /* Data that cannot be written: KPI_EINTERNAL, nothing crashes. */
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        kpi_scenario_defaults(&sc);
        sc.premium.mean = NAN;
        CHECK_INT(kpi_scenario_emit(&sc, sink, &err), KPI_EINTERNAL, "NaN not written");
        CHECK_STR(err.key, "premium.mean", "NaN key named");
        kpi_scenario_defaults(&sc);
        strcpy(sc.title, "caf\xE9");
        CHECK_INT(kpi_scenario_emit(&sc, sink, &err), KPI_EINTERNAL, "bad UTF-8 not written");
        CHECK_STR(err.key, "title", "bad UTF-8 key named");
        fclose(sink);
    }
}

/* The examples of docs/scenarios.md, so that the docs cannot drift. */
static void test_docs_examples(void)
{
    kpi_scenario sc, base;
    char buf[2048];
    CHECK_INT(load_file(DATA "docs-full.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.name, "two-years", "docs-full name");
    CHECK(sc.premium.mean == 6000 && sc.nevents == 2 && sc.assessment.enabled, "docs-full");
    CHECK(sc.funnel.referral.stage[0] == 6 && sc.events[1].tier == 1.3, "docs-full details");
    CHECK_STR(sc.description, "25 agents working 10 calls and 3 visits a day.\n"
              "A contest in month 4, a seminar in month 9.\n", "block text");
    memcpy(&base, &sc, sizeof sc);
    CHECK_INT(load_file(DATA "docs-extends.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.name, "docs-extends", "docs-extends: name not inherited");
    CHECK(sc.activity.compliance == 0.5 && sc.activity.visits_per_day == 3 && sc.nevents == 0 &&
          sc.months == 24, "docs-extends overrides");
    CHECK_INT(load_file(DATA "docs-multilingual.yaml", &sc, buf, sizeof buf), KPI_OK, buf);
    CHECK_STR(sc.title, "活动量管理：每天10个电话，3次拜访", "Chinese title");
    CHECK_STR(sc.description, "Управление активностью: 10 звонков и 3 встречи в день",
              "Russian description");
    CHECK_ROUND_TRIP(&sc, "docs-multilingual");

    static const struct { const char *file, *message; } errors[] = {
        {"docs-error-typo.yaml", DATA "docs-error-typo.yaml:2:3: activity.calls_per_dya: "
         "unknown key; did you mean 'activity.calls_per_day'?"},
        {"docs-error-range.yaml", DATA "docs-error-range.yaml:2:15: activity.compliance: "
         "expected a probability in [0, 1], got 1.3"},
        {"docs-error-funnel.yaml", DATA "docs-error-funnel.yaml:2:9: funnel.cold: expected a "
         "funnel whose stages never grow, got 10:12:3:1 (stage 2 is larger than stage 1)"},
        {"docs-error-duplicate.yaml", DATA "docs-error-duplicate.yaml:4:1: months: duplicate "
         "key (first given at " DATA "docs-error-duplicate.yaml:1:1)"},
        {"docs-error-quoted.yaml", DATA "docs-error-quoted.yaml:2:14: team.headcount: expected "
         "a whole number of agents in [0, 100000], got the text '20' (numbers are written "
         "without quotes)"},
        {"docs-error-event.yaml", DATA "docs-error-event.yaml:3:28: events[0].month: expected "
         "a month of the horizon in [1, 12], got 14"},
    };
    char *doc = read_whole("docs/scenarios.md");
    CHECK(doc != NULL, "docs/scenarios.md readable");
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
        char path[256];
        snprintf(path, sizeof path, DATA "%s", errors[i].file);
        CHECK_INT(load_file(path, &sc, buf, sizeof buf), KPI_EDATA, errors[i].file);
        CHECK_STR(buf, errors[i].message, errors[i].file);
        CHECK(doc && strstr(doc, errors[i].message), "docs/scenarios.md lacks the message %s",
              errors[i].message);
    }
    if (!doc)
        return;
    /* Every docs-*.yaml file appears in the page word for word. */
    DIR *d = opendir(DATA);
    struct dirent *e;
    int nfiles = 0;
    while (d && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "docs-", 5) != 0 || n < 5 || strcmp(e->d_name + n - 5, ".yaml"))
            continue;
        char path[512];
        snprintf(path, sizeof path, DATA "%s", e->d_name);
        char *text = read_whole(path);
        CHECK(text && strstr(doc, text), "docs/scenarios.md does not show %s as it is", path);
        free(text);
        nfiles++;
    }
    if (d)
        closedir(d);
    CHECK(nfiles >= 10, "docs-*.yaml files found: %d", nfiles);
    /* The key tables say what the loader expects. */
    for (const kpi_key *k = kpi_keys; k->path; k++) {
        char row[512];
        snprintf(row, sizeof row, "| `%s` | %s |", k->path, k->expect);
        CHECK(strstr(doc, row) != NULL, "docs/scenarios.md lacks the row %s", row);
    }
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++) {
        char row[512];
        snprintf(row, sizeof row, "| `%s` | %s |", kpi_event_fields[f].name,
                 kpi_event_fields[f].expect);
        CHECK(strstr(doc, row) != NULL, "docs/scenarios.md lacks the row %s", row);
    }
    free(doc);
}

/* issue 17: kpi_scenario_validate reports every independent mistake, in the
 * order of the file (parents first), up to the cap; a YAML syntax error
 * stops its file. */
static void test_validate_all(void)
{
    scratch sd;
    kpi_error errs[KPI_VALIDATE_MAX_ERRORS];
    size_t n = 0;
    int more = 0;
    if (scratch_open(&sd) != 0) {
        CHECK(0, "scratch directory");
        return;
    }
    const char *base = "team:\n  agents: 3\n";
    const char *text = "extends: base.yaml\n"
                       "months: 12\n"
                       "team:\n"
                       "  headcount: -1\n"
                       "  calls: 3\n"
                       "hires_per_month: 2\n"
                       "activity:\n"
                       "  compliance: 70%\n"
                       "funnel:\n"
                       "  cold: 10:12:3:1\n"
                       "premium:\n"
                       "  mean: $5000\n"
                       "  mean: 3\n";
    scratch_write(&sd, "base.yaml", base, strlen(base));
    const char *path = scratch_write(&sd, "many.yaml", text, strlen(text));
    const char *sets[] = {"months=0", "activity.nope=1"};
    int rc = kpi_scenario_validate(path, sets, 2, errs, KPI_VALIDATE_MAX_ERRORS, &n, &more);
    CHECK(rc == KPI_EDATA, "validate: status %d", rc);
    struct { const char *file; int line, col; const char *key, *part; } want[] = {
        {"base.yaml", 2, 3, "team.agents", "did you mean 'team.headcount'?"},
        {"many.yaml", 4, 14, "team.headcount", "expected"},
        {"many.yaml", 5, 3, "team.calls", "did you mean 'activity.calls_per_day'?"},
        {"many.yaml", 6, 1, "hires_per_month", "did you mean 'team.recruits_per_month'?"},
        {"many.yaml", 8, 15, "activity.compliance", "(write 0.7)"},
        {"many.yaml", 10, 9, "funnel.cold", "never grow"},
        {"many.yaml", 12, 9, "premium.mean", "(write 5000)"},
        {"many.yaml", 13, 3, "premium.mean", "duplicate key"},
        {"--set", 1, 8, "months", "expected a whole number of months"},
        {"--set", 1, 1, "activity.nope", "unknown key"},
    };
    size_t nwant = sizeof want / sizeof *want;
    CHECK(n == nwant, "validate: %zu mistakes, expected %zu", n, nwant);
    for (size_t i = 0; i < n && i < nwant; i++) {
        char buf[2048];
        const char *slash = strrchr(errs[i].file, '/');
        const char *file = slash ? slash + 1 : errs[i].file;
        kpi_error_format(&errs[i], buf, sizeof buf);
        CHECK(strcmp(file, want[i].file) == 0 && errs[i].line == want[i].line &&
                  errs[i].col == want[i].col && strcmp(errs[i].key, want[i].key) == 0 &&
                  strstr(errs[i].msg, want[i].part) != NULL,
              "validate mistake %zu: %s (expected %s:%d:%d: %s: ...%s...)", i, buf,
              want[i].file, want[i].line, want[i].col, want[i].key, want[i].part);
    }
    CHECK(!more, "validate: not more than the cap");

    /* the cap */
    strbuf big = {0};
    for (int i = 0; i < 30; i++) {
        char line[32];
        snprintf(line, sizeof line, "zzzz%02d: 1\n", i);
        sb_puts(&big, line);
    }
    path = scratch_write(&sd, "big.yaml", big.p, big.len);
    rc = kpi_scenario_validate(path, NULL, 0, errs, 5, &n, &more);
    CHECK(rc == KPI_EDATA && n == 5 && more, "validate cap: rc %d, %zu mistakes, more %d", rc,
          n, more);
    free(big.p);

    /* a YAML syntax error stops the file: one mistake */
    const char *bad = "months: 0\nteam:\n  headcount 3\n  attrition: 0.1\n";
    path = scratch_write(&sd, "syntax.yaml", bad, strlen(bad));
    rc = kpi_scenario_validate(path, NULL, 0, errs, KPI_VALIDATE_MAX_ERRORS, &n, &more);
    CHECK(rc == KPI_EDATA && n == 1 && strstr(errs[0].msg, "YAML syntax error"),
          "validate of a syntax error: rc %d, %zu mistakes", rc, n);

    /* a good file and a sweep file: nothing */
    rc = kpi_scenario_validate("../scenarios/default.yaml", NULL, 0, errs, 3, &n, &more);
    if (rc == KPI_ENOINPUT)
        rc = kpi_scenario_validate("scenarios/default.yaml", NULL, 0, errs, 3, &n, &more);
    CHECK(rc == KPI_OK && n == 0, "validate of the default: rc %d, %zu", rc, n);
    /* a missing file: listed, 66 */
    rc = kpi_scenario_validate("/nonexistent/x.yaml", NULL, 0, errs, 3, &n, &more);
    CHECK(rc == KPI_ENOINPUT && n == 1, "validate of a missing file: rc %d, %zu", rc, n);
    scratch_close(&sd);
}

int main(void)
{
    test_defaults();
    test_every_key();
    test_numbers();
    test_funnels_grades();
    test_focus_assessment();
    test_events();
    test_extends();
    test_set();
    test_bad_keys();
    test_bad_duplicates();
    test_bad_types();
    test_bad_numbers();
    test_bad_documents();
    test_bad_bytes();
    test_limits();
    test_round_trip();
    test_docs_examples();
    test_validate_all();
    return TEST_DONE();
}
