/*
 * test_corpus.c - the scenario loader against real-world YAML.
 *
 * Loads the in.yaml of every case of the YAML test suite
 * (../shared/corpora/yaml-test-suite/cases/NAME/in.yaml, relative to the
 * repository root, where tests run).  None of them is a scenario: each
 * must be answered with KPI_OK or a clean error (KPI_EDATA or
 * KPI_ENOINPUT) whose message names the file, a 1-based line and column
 * and says something, never a crash, a hang or a leak.  Passing files print
 * nothing.  Without ../shared the test is skipped, and a skip counts as
 * neither a pass nor a failure.
 */
#define TEST_NAME "test_corpus"
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kpisim.h"

#define CORPUS "../shared/corpora/yaml-test-suite/cases"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks one file; returns 1 when it was loaded (OK or a clean error). */
static void check_case(const char *path)
{
    kpi_scenario *sc = malloc(sizeof *sc);
    kpi_error err;
    char buf[4096];
    int rc;
    if (!sc) {
        CHECK(0, "%s: out of memory", path);
        return;
    }
    memset(&err, 0, sizeof err);
    rc = kpi_scenario_load(sc, path, &err);
    if (rc == KPI_OK) {
        CHECK(1, "%s", path);
        free(sc);
        return;
    }
    kpi_error_format(&err, buf, sizeof buf);
    CHECK(rc == KPI_EDATA || rc == KPI_ENOINPUT, "%s: status %d (%s)", path, rc, buf);
    CHECK(err.status == rc, "%s: err.status %d, returned %d", path, err.status, rc);
    CHECK(strncmp(buf, path, strlen(path)) == 0, "%s: message does not start with the file: %s",
          path, buf);
    CHECK(err.line >= 1 && err.col >= 1, "%s: no place: %s", path, buf);
    CHECK(err.msg[0] != '\0', "%s: empty message", path);
    free(sc);
}

int main(void)
{
    DIR *d = opendir(CORPUS);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    double t0;

    if (!d) {
        SKIP("no ../shared/corpora/yaml-test-suite beside the repository");
        return TEST_DONE();
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 512;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(CORPUS) + strlen(e->d_name) + 16;
        names[n] = malloc(len);
        if (!names[n])
            break;
        snprintf(names[n], len, "%s/%s/in.yaml", CORPUS, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, by_name);

    t0 = now_seconds();
    size_t loaded = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            check_case(names[i]);
            loaded++;
        }
        free(names[i]);
    }
    free(names);
    double elapsed = now_seconds() - t0;
    CHECK(loaded > 0, "no in.yaml found under %s", CORPUS);
    CHECK(elapsed < 5.0, "the corpus took %.2f s (limit 5 s)", elapsed);
    return TEST_DONE();
}
