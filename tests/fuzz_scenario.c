/*
 * fuzz_scenario.c - the libFuzzer target of the scenario loader
 * (`make fuzz FUZZ_SECONDS=N`, docs/hardening.md "Fuzzing").
 *
 * Every input goes through fuzzcheck.h: as scenario text, as a sweep file
 * on disk and its first line as a --set override, with the round trip of
 * what loads.  An answer that is not clean aborts, so libFuzzer saves the
 * input; so do the sanitizers (ASan, UBSan, LeakSanitizer) and libFuzzer's
 * own timeout and memory limits.  A saved input goes into tests/regression/,
 * which `make test` loads the same way (test_regression.c).
 *
 * Built by the Makefile with clang into build-fuzz/ only: never part of
 * the program or of `make test`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "fuzzcheck.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sweep way writes each input to this file, one per fuzzing process. */
static char tmppath[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("TMPDIR");
    snprintf(tmppath, sizeof tmppath, "%s/kpisim-fuzz-%ld.yaml", dir && *dir ? dir : "/tmp",
             (long)getpid());
    gsl_set_error_handler_off();      /* as the program does */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[8192];
    if (!fuzz_check(data, size, tmppath, why, sizeof why)) {
        fprintf(stderr, "fuzz_scenario: %s\n", why);
        abort();
    }
    return 0;
}
