/*
 * test_regression.c - every input in tests/regression/ (files the fuzzer
 * saved, and hostile inputs found otherwise: docs/hardening.md) through the
 * checks of the fuzz target (fuzzcheck.h): as scenario text, as a sweep
 * file and as a --set override, each answered by success or a clean error,
 * with the round trip of what loads.  Under the sanitizer build a crash,
 * leak or undefined behaviour stops the program, which run.sh counts as a
 * failure.  tests/test_regression_cli.sh puts the same files through the
 * program.
 */
#define TEST_NAME "test_regression"
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "fuzzcheck.h"

#define DIRNAME "tests/regression"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bytes of path (malloc'd, *len of them), or NULL. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (!f)
        return NULL;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf ? buf : malloc(1);
}

int main(void)
{
    DIR *d = opendir(DIRNAME);
    struct dirent *e;
    char **names = NULL, tmppath[256], why[8192];
    size_t n = 0, cap = 0;

    gsl_set_error_handler_off();
    CHECK(d != NULL, "no %s", DIRNAME);
    if (!d)
        return TEST_DONE();
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        size_t len = strlen(DIRNAME) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len)))
            break;
        snprintf(names[n++], len, "%s/%s", DIRNAME, e->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, by_name);
    snprintf(tmppath, sizeof tmppath, "%s/kpisim-regression-%ld.yaml",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());

    size_t inputs = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        size_t len = 0;
        uint8_t *data;
        if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            free(names[i]);
            continue;
        }
        data = slurp(names[i], &len);
        CHECK(data != NULL, "%s: cannot read", names[i]);
        if (data) {
            why[0] = '\0';
            CHECK(fuzz_check(data, len, tmppath, why, sizeof why), "%s: %s", names[i], why);
            inputs++;
        }
        free(data);
        free(names[i]);
    }
    free(names);
    unlink(tmppath);
    CHECK(inputs > 0, "no input in %s", DIRNAME);
    printf("test_regression: %zu inputs of %s\n", inputs, DIRNAME);
    return TEST_DONE();
}
