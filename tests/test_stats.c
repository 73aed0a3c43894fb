/*
 * test_stats.c - kpi_band_compute against values worked out by hand.
 *
 * The percentile definition under test (GSL's, Hyndman and Fan type 7):
 * sort the n values, x[0] <= x[1] <= ... <= x[n-1]; for a fraction f let
 * h = f (n - 1), i = floor(h), d = h - i; then
 *
 *     q(f) = x[i]                           when i == n - 1,
 *     q(f) = (1 - d) x[i] + d x[i + 1]      otherwise.
 *
 * The standard deviation uses the n - 1 denominator and is 0 when n < 2.
 * Every expected value below is derived in the comment next to it.
 */
#define TEST_NAME "test_stats"
#include "harness.h"

#include "kpisim.h"

#include <float.h>
#include <stdlib.h>

/* The values below are exact in binary or are worked out to 17 digits;
 * a few ulps of rounding in GSL's running mean and sum of squares are
 * all that may differ. */
#define TOL 1e-13

static void check_band(const kpi_band *b, const kpi_band *want, const char *what)
{
    char label[128];
    snprintf(label, sizeof label, "%s mean", what);
    CHECK_NEAR(b->mean, want->mean, TOL, label);
    snprintf(label, sizeof label, "%s sd", what);
    CHECK_NEAR(b->sd, want->sd, TOL, label);
    snprintf(label, sizeof label, "%s p05", what);
    CHECK_NEAR(b->p05, want->p05, TOL, label);
    snprintf(label, sizeof label, "%s p25", what);
    CHECK_NEAR(b->p25, want->p25, TOL, label);
    snprintf(label, sizeof label, "%s p50", what);
    CHECK_NEAR(b->p50, want->p50, TOL, label);
    snprintf(label, sizeof label, "%s p75", what);
    CHECK_NEAR(b->p75, want->p75, TOL, label);
    snprintf(label, sizeof label, "%s p95", what);
    CHECK_NEAR(b->p95, want->p95, TOL, label);
}

static void test_one_to_five(void)
{
    /* 1.5..5.5 (not whole numbers: interpolated, definition 7): mean
     * 3.5; squared deviations 4+1+0+1+4 = 10, sd = sqrt(10/4).  h = 4f:
     * p05 h=0.2 -> 1.7; p25 h=1 -> 2.5; p50 h=2 -> 3.5; p75 h=3 -> 4.5;
     * p95 h=3.8 -> 4.5 + 0.8 (5.5 - 4.5) = 5.3. */
    const double x[] = {1.5, 2.5, 3.5, 4.5, 5.5};
    double work[5];
    kpi_band b, want = {3.5, 1.5811388300841898, 1.7, 2.5, 3.5, 4.5, 5.3};
    kpi_band_compute(x, 1, 5, work, &b);
    check_band(&b, &want, "1.5..5.5");
}

/* Whole numbers in every replication are counts: percentiles by
 * definition 1, q(f) = x[ceil(f n) - 1], always one of the values. */
static void test_counts(void)
{
    {
        /* 1..5: p05 ceil(0.25) = 1 -> 1; p25 ceil(1.25) = 2 -> 2; p50
         * ceil(2.5) = 3 -> 3; p75 ceil(3.75) = 4 -> 4; p95 ceil(4.75) = 5 -> 5. */
        const double x[] = {1, 2, 3, 4, 5};
        double work[5];
        kpi_band b, want = {3, 1.5811388300841898, 1, 2, 3, 4, 5};
        kpi_band_compute(x, 1, 5, work, &b);
        check_band(&b, &want, "counts 1..5");
    }
    {
        /* {20, 10}: p05, p25 and p50 (ceil(1) = 1) -> 10; p75, p95 -> 20. */
        const double x[] = {20, 10};
        double work[2];
        kpi_band b, want = {15, 7.0710678118654755, 10, 10, 10, 20, 20};
        kpi_band_compute(x, 1, 2, work, &b);
        check_band(&b, &want, "counts n=2");
    }
    {
        /* {1, 1, 2, 3, 3, 3}: p05 ceil(0.3) = 1 -> 1; p25 ceil(1.5) = 2
         * -> 1; p50 ceil(3) = 3 -> 2; p75 ceil(4.5) = 5 -> 3; p95 -> 3. */
        const double x[] = {3, 1, 3, 2, 3, 1};
        double work[6];
        kpi_band b, want = {13.0 / 6.0, 0.98319208025017502, 1, 1, 2, 3, 3};
        kpi_band_compute(x, 1, 6, work, &b);
        check_band(&b, &want, "counts ties");
    }
    {
        /* 1..20: 20 x 5% is exactly 1 (not a hair above): p05 = x[0] = 1,
         * p95 = x[18] = 19, p50 = x[9] = 10. */
        double x[20], work[20];
        kpi_band b;
        for (int i = 0; i < 20; i++)
            x[i] = i + 1;
        kpi_band_compute(x, 1, 20, work, &b);
        CHECK(b.p05 == 1 && b.p50 == 10 && b.p95 == 19,
              "counts 1..20: p05 %.17g p50 %.17g p95 %.17g, expected 1, 10, 19", b.p05,
              b.p50, b.p95);
    }
    {
        /* Headcounts of 37 replications: every percentile is a headcount
         * some replication had, never 20.95. */
        double x[37], work[37];
        kpi_band b;
        int bad = 0;
        for (int i = 0; i < 37; i++)
            x[i] = 18 + (i * 7) % 11;
        kpi_band_compute(x, 1, 37, work, &b);
        const double q[5] = {b.p05, b.p25, b.p50, b.p75, b.p95};
        for (int k = 0; k < 5; k++)
            bad += q[k] != floor(q[k]);
        CHECK(bad == 0, "counts: %d percentiles are not whole numbers", bad);
    }
}

static void test_constant(void)
{
    /* Four equal values: everything is the value, the spread exactly 0. */
    const double x[] = {7.25, 7.25, 7.25, 7.25};
    double work[4];
    kpi_band b;
    kpi_band_compute(x, 1, 4, work, &b);
    CHECK(b.mean == 7.25 && b.p05 == 7.25 && b.p25 == 7.25 && b.p50 == 7.25 &&
              b.p75 == 7.25 && b.p95 == 7.25,
          "constant: a band of 7.25s expected, got mean %.17g p05 %.17g p95 %.17g",
          b.mean, b.p05, b.p95);
    CHECK(b.sd == 0.0, "constant: sd %.17g, expected exactly 0", b.sd);
}

static void test_single(void)
{
    /* n = 1: h = 0 for every f, so every percentile is the value; the sd
     * would be 0/0 with n - 1 and is defined as 0. */
    const double x[] = {-42.5};
    double work[1];
    kpi_band b, want = {-42.5, 0, -42.5, -42.5, -42.5, -42.5, -42.5};
    kpi_band_compute(x, 1, 1, work, &b);
    check_band(&b, &want, "n=1");
    CHECK(b.sd == 0.0, "n=1: sd %.17g, expected exactly 0", b.sd);
}

static void test_two(void)
{
    /* {20.5, 10.5}, sorted {10.5, 20.5}: mean 15.5; sd = sqrt((25 + 25)
     * / 1) = sqrt(50).  h = f: q = 10.5 + 10 f: p05 11, p25 13, p50 15.5,
     * p75 18, p95 20. */
    const double x[] = {20.5, 10.5};
    double work[2];
    kpi_band b, want = {15.5, 7.0710678118654755, 11, 13, 15.5, 18, 20};
    kpi_band_compute(x, 1, 2, work, &b);
    check_band(&b, &want, "n=2");
}

static void test_strided(void)
{
    /* Column 1 of a 5 x 3 row-major table holds 5, 1, 4, 2, 3 (1..5
     * shuffled, plus 0.5); the other columns hold values that would wreck every
     * figure if they were read.  Same band as 1..5, and the input is left
     * as it was. */
    double x[] = {
        -1e300, 5.5, 1e300,
        -1e300, 1.5, 1e300,
        -1e300, 4.5, 1e300,
        -1e300, 2.5, 1e300,
        -1e300, 3.5, 1e300,
    };
    double copy[15], work[5];
    kpi_band b, want = {3.5, 1.5811388300841898, 1.7, 2.5, 3.5, 4.5, 5.3};
    memcpy(copy, x, sizeof x);
    kpi_band_compute(x + 1, 3, 5, work, &b);
    check_band(&b, &want, "strided");
    CHECK(memcmp(copy, x, sizeof x) == 0, "strided: the input was modified");
}

static void test_ties(void)
{
    /* {3, 1, 3, 2, 3, 1} plus 0.5, sorted {1.5, 1.5, 2.5, 3.5, 3.5, 3.5},
     * n = 6, h = 5f.  mean = 13/6 + 0.5.  Sum of squared deviations
     * (as without the 0.5) 29/6, sd = sqrt(29/6 / 5) = sqrt(29/30).
     * p05: h=0.25, between 1.5 and 1.5 -> 1.5.
     * p25: h=1.25, 1.5 + 0.25 (2.5 - 1.5) = 1.75.
     * p50: h=2.5,  2.5 + 0.5 (3.5 - 2.5) = 3.
     * p75: h=3.75, between 3.5 and 3.5 -> 3.5.
     * p95: h=4.75, between 3.5 and 3.5 -> 3.5. */
    const double x[] = {3.5, 1.5, 3.5, 2.5, 3.5, 1.5};
    double work[6];
    kpi_band b, want = {13.0 / 6.0 + 0.5, 0.98319208025017502, 1.5, 1.75, 3, 3.5, 3.5};
    kpi_band_compute(x, 1, 6, work, &b);
    check_band(&b, &want, "ties");
}

static void test_twenty_one(void)
{
    /* 0..20 in descending order: n = 21, h = 20f falls on whole numbers
     * for every percentile, so q(f) = 20f exactly: 1, 5, 10, 15, 19.
     * mean 10; sum of squared deviations 2 (1^2 + ... + 10^2) = 770,
     * sd = sqrt(770 / 20) = sqrt(38.5). */
    double x[21], work[21];
    kpi_band b, want = {10, 6.2048368229954285, 1, 5, 10, 15, 19};
    int i;
    for (i = 0; i < 21; i++)
        x[i] = 20 - i;
    kpi_band_compute(x, 1, 21, work, &b);
    check_band(&b, &want, "0..20");
    CHECK(b.p05 == 1 && b.p95 == 19, "0..20: p05 %.17g p95 %.17g, expected 1 and 19",
          b.p05, b.p95);
}

static void test_negative_and_interpolated(void)
{
    /* {-3, 0, 0.5, 8}, n = 4, h = 3f; mean = 5.5/4 = 1.375.
     * Deviations -4.375, -1.375, -0.875, 6.625; squares 19.140625,
     * 1.890625, 0.765625, 43.890625, sum 65.6875; sd = sqrt(65.6875/3).
     * p05: h=0.15, -3 + 0.15 (0 + 3) = -2.55.
     * p25: h=0.75, -3 + 0.75 * 3 = -0.75.
     * p50: h=1.5,  0 + 0.5 * 0.5 = 0.25.
     * p75: h=2.25, 0.5 + 0.25 (8 - 0.5) = 2.375.
     * p95: h=2.85, 0.5 + 0.85 * 7.5 = 6.875. */
    const double x[] = {8, -3, 0.5, 0};
    double work[4];
    kpi_band b, want = {1.375, 4.679298380455486, -2.55, -0.75, 0.25, 2.375, 6.875};
    kpi_band_compute(x, 1, 4, work, &b);
    check_band(&b, &want, "negative");
}

int main(void)
{
    test_one_to_five();
    test_counts();
    test_constant();
    test_single();
    test_two();
    test_strided();
    test_ties();
    test_twenty_one();
    test_negative_and_interpolated();
    return TEST_DONE();
}
