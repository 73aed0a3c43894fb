/*
 * harness.h - the tiny test harness every tests/test_*.c uses.
 *
 * CHECK(cond, fmt, ...) counts a pass or prints one line per failure with
 * file:line and a message.  A test program ends with `return TEST_DONE();`,
 * which prints "test_NAME: N passed, N failed" (", N skipped" after SKIP)
 * and returns 1 when anything failed.  tests/run.sh adds the counts of all programs and scripts up into
 * the final "N passed, N failed" line.
 *
 * The counters are static to the one test program that includes this file.
 */
#ifndef KPI_TEST_HARNESS_H
#define KPI_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_passed_, test_failed_, test_skipped_;

/* A check that cannot run here (say why): counted apart, never as a pass. */
#define SKIP(...)                                                         \
    do {                                                                  \
        test_skipped_++;                                                  \
        printf("SKIP %s:%d: ", __FILE__, __LINE__);                       \
        printf(__VA_ARGS__);                                              \
        printf("\n");                                                     \
    } while (0)

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) {                                                       \
            test_passed_++;                                               \
        } else {                                                          \
            test_failed_++;                                               \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                   \
            printf(__VA_ARGS__);                                          \
            printf("\n");                                                 \
        }                                                                 \
    } while (0)

/* |a - b| <= tol, with both values in the message. */
#define CHECK_NEAR(a, b, tol, what)                                       \
    do {                                                                  \
        double a_ = (a), b_ = (b), t_ = (tol);                            \
        CHECK(fabs(a_ - b_) <= t_, "%s: %.10g vs %.10g (tolerance %.3g)", \
              (what), a_, b_, t_);                                        \
    } while (0)

#define CHECK_INT(a, b, what)                                             \
    do {                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);               \
        CHECK(a_ == b_, "%s: got %lld, expected %lld", (what), a_, b_);   \
    } while (0)

#define CHECK_STR(a, b, what)                                             \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        CHECK(a_ && b_ && strcmp(a_, b_) == 0, "%s: got '%s', expected '%s'", \
              (what), a_ ? a_ : "(null)", b_ ? b_ : "(null)");            \
    } while (0)

static int test_done_(const char *name)
{
    if (test_skipped_)
        printf("%s: %d passed, %d failed, %d skipped\n", name, test_passed_, test_failed_,
               test_skipped_);
    else
        printf("%s: %d passed, %d failed\n", name, test_passed_, test_failed_);
    return test_failed_ ? 1 : 0;
}

#define TEST_DONE() test_done_(TEST_NAME)

#endif /* KPI_TEST_HARNESS_H */
