/*
 * num.h - numbers in files (private to the library): the one parser and
 * the one formatter, with one locale strategy (num.c).
 *
 * Reading: kpi_ynum_parse, the number syntax of scenario and sweep files
 * and --set values (YAML 1.1's, less its traps).  Writing: kpi_num_format
 * and its two named styles, kpi_ynum_format for YAML and kpi_format_number
 * for CSV.  Both ways are independent of the process locale.
 */
#ifndef KPI_NUM_H
#define KPI_NUM_H

#include <stddef.h>
#include <stdint.h>

/* A number as written. */
enum kpi_ynum_status {
    KPI_YNUM_OK = 0,
    KPI_YNUM_NOT_NUMBER,   /* not number syntax */
    KPI_YNUM_NONFINITE,    /* .inf/.nan, or too large for a double */
    KPI_YNUM_OCTAL         /* 012: octal to YAML 1.1, decimal to people: refused */
};

typedef struct kpi_ynum {
    int status;            /* enum kpi_ynum_status */
    int is_int;            /* written as an integer (decimal, 0x hex, 0b binary) */
    int negative;          /* written with a leading '-' */
    int int_overflow;      /* is_int and the magnitude does not fit in 64 bits */
    uint64_t mag;          /* is_int: the exact magnitude (when no overflow) */
    double value;          /* the value as the nearest double */
} kpi_ynum;

/* Reads a number: [-+] then digits with optional '_' separators, an
 * optional fraction and an optional exponent (1e3, 2.5E-4, 1_000.5, .5),
 * or an integer 0x1F / 0b101.  Independent of the process locale.
 * Returns out->status. */
int kpi_ynum_parse(const char *text, size_t len, kpi_ynum *out);

/* The styles of kpi_num_format, a bit set. */
#define KPI_NUM_YAML_FLOAT    1u  /* ".0" before an exponent: "1.0e+20" */
#define KPI_NUM_NO_NEG_ZERO   2u  /* -0 written "0" */
#define KPI_NUM_WHOLE_IN_FULL 4u  /* whole numbers below 1e20 in all their digits */
#define KPI_NUM_YAML KPI_NUM_YAML_FLOAT    /* scenario.yaml (emit.c) */
#define KPI_NUM_CSV KPI_NUM_NO_NEG_ZERO    /* every CSV file (write.c, compare.c) */

/* Writes the finite double x, in the given style, as the shortest of
 * %.15g, %.16g and %.17g that reads back (kpi_ynum_parse, strtod) to the
 * identical double, with '.' as the decimal point in every locale.
 * Returns 0, or -1 when x is not finite or buf is too small (32 bytes
 * are always enough). */
int kpi_num_format(double x, unsigned style, char *buf, size_t size);

/* The n numbers x in the given style, separated by sep ("10:7:3:1"), into
 * buf.  Returns 0, or -1 when one is not finite or buf is too small. */
int kpi_num_join(const double *x, size_t n, const char *sep, unsigned style, char *buf,
                 size_t size);

/* kpi_num_format in the YAML style: "12", "0.1", "1.0e+20". */
int kpi_ynum_format(double x, char *buf, size_t size);

/* Room for any number kpi_format_number writes, the NUL included. */
#define KPI_NUMBUF 32

/* kpi_num_format in the CSV style, what a CSV reader and gnuplot expect:
 * "12", "0.1", "-3.25", "1.5e-07", "1e+20", negative zero as "0"; NaN,
 * which stands for "not applicable" (a figure the horizon cannot
 * measure), as an empty cell "".  Returns KPI_OK, or KPI_EINTERNAL (buf
 * set to "") when x is infinite (a model bug: no output may hold one) or
 * size < KPI_NUMBUF. */
int kpi_format_number(double x, char *buf, size_t size);

/* The double nearest to x written with `digits` significant decimal
 * digits (1 to 17): kpi_ynum_round(0.1 * 3, 12) is the double of 0.3,
 * which 0.1 * 3 is not.  Independent of the process locale.  Returns x
 * itself when it is not finite. */
double kpi_ynum_round(double x, int digits);


/* Money in whole cents: x rounded to two decimals, as the double nearest
 * that decimal amount, so that the CSV writers write 34327675.92, not the
 * float noise 34327675.91600001 of a sum or mean (docs/model.md
 * "Statistics across replications").  NaN and infinities pass through. */
double kpi_round_cents(double x);

#endif /* KPI_NUM_H */
