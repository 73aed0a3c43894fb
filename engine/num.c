/*
 * num.c - numbers in files, both ways, with one locale strategy (see
 * num.h): the one parser (kpi_ynum_parse: YAML scenario and sweep files,
 * --set values) and the one formatter (kpi_num_format, with the styles of
 * the YAML emitter, the CSV writers and sweep values).
 *
 * The locale strategy: every snprintf and strtod on a double runs in the
 * "C" locale, switched on for the calling thread only (uselocale) and off
 * again before returning, so that '.' is the decimal point whatever the
 * process locale, other threads are untouched and no state is kept.
 * (glibc hands out its built-in "C" locale without allocating.)
 */
#include "num.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpisim.h"

/* Switches the calling thread to the "C" locale; *old is what to give
 * back to c_locale_leave.  Returns 0, or -1 when the locale cannot be
 * made (nothing switched). */
static int c_locale_enter(locale_t *old)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c == (locale_t)0)
        return -1;
    *old = uselocale(c);
    return 0;
}

static void c_locale_leave(locale_t old)
{
    locale_t c = uselocale(old);
    freelocale(c);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

static int is_nonfinite_text(const char *t, size_t len)
{
    static const char *const words[] = {
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
        ".nan", ".NaN", ".NAN", NULL
    };
    for (const char *const *w = words; *w; w++)
        if (strlen(*w) == len && memcmp(*w, t, len) == 0)
            return 1;
    return 0;
}


static int digit_value(char c, int base)
{
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    else
        return -1;
    return v < base ? v : -1;
}

/* Reads the digits of an integer in base 2, 10 or 16 (with '_'
 * separators, at least one digit) into out.  Returns 0, or -1 when t is
 * not such a run of digits. */
static int parse_digits(const char *t, size_t len, int base, kpi_ynum *out)
{
    int ndigits = 0;
    uint64_t mag = 0;
    double value = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '_')
            continue;
        int d = digit_value(t[i], base);
        if (d < 0)
            return -1;
        ndigits++;
        if (!out->int_overflow &&
            mag > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            out->int_overflow = 1;
        else
            mag = mag * (uint64_t)base + (uint64_t)d;
        value = value * base + d;
    }
    if (ndigits == 0)
        return -1;
    out->mag = out->int_overflow ? 0 : mag;
    out->value = out->int_overflow ? value : (double)mag;
    return 0;
}

/* Length of a run of digits and '_' that starts with a digit. */
static size_t digit_run(const char *t, size_t len, size_t i)
{
    size_t j = i;
    if (j >= len || t[j] < '0' || t[j] > '9')
        return 0;
    while (j < len && ((t[j] >= '0' && t[j] <= '9') || t[j] == '_'))
        j++;
    return j - i;
}

/* strtod in the "C" locale, so that "1.5" reads the same everywhere.
 * Returns 0, or -1 if the C locale object cannot be made. */
static int strtod_c(const char *s, double *out)
{
    locale_t old;
    if (c_locale_enter(&old) != 0)
        return -1;
    *out = strtod(s, NULL);
    c_locale_leave(old);
    return 0;
}

int kpi_ynum_parse(const char *t, size_t len, kpi_ynum *out)
{
    size_t i = 0, int_len, frac_len = 0, exp_len = 0;
    int has_dot = 0;
    memset(out, 0, sizeof *out);
    out->status = KPI_YNUM_NOT_NUMBER;
    if (is_nonfinite_text(t, len)) {
        out->negative = t[0] == '-';
        out->value = t[1] == 'n' || t[1] == 'N' ? (double)NAN
                     : t[0] == '-' ? -(double)INFINITY : (double)INFINITY;
        out->status = KPI_YNUM_NONFINITE;
        return out->status;
    }
    if (i < len && (t[i] == '+' || t[i] == '-')) {
        out->negative = t[i] == '-';
        i++;
    }
    if (len - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'b')) {
        if (parse_digits(t + i + 2, len - i - 2, t[i + 1] == 'x' ? 16 : 2, out) != 0)
            return out->status;
        out->is_int = 1;
        if (out->negative)
            out->value = -out->value;
        out->status = KPI_YNUM_OK;
        return out->status;
    }
    int_len = digit_run(t, len, i);
    size_t j = i + int_len;
    if (j < len && t[j] == '.') {
        has_dot = 1;
        frac_len = digit_run(t, len, j + 1);
        j += 1 + frac_len;
    }
    if (int_len == 0 && frac_len == 0)
        return out->status;
    if (j < len && (t[j] == 'e' || t[j] == 'E')) {
        size_t k = j + 1;
        if (k < len && (t[k] == '+' || t[k] == '-'))
            k++;
        size_t n = 0;
        while (k + n < len && t[k + n] >= '0' && t[k + n] <= '9')
            n++;
        if (n == 0)
            return out->status;
        exp_len = k + n - j;
        j = k + n;
    }
    if (j != len)
        return out->status;

    if (!has_dot && exp_len == 0) {
        /* An integer.  YAML 1.1 reads 012 as octal 10; people mean 12.
         * Neither reading is safe, so it is refused. */
        if (t[i] == '0' && int_len > 1) {
            out->status = KPI_YNUM_OCTAL;
            return out->status;
        }
        parse_digits(t + i, int_len, 10, out);
        out->is_int = 1;
        if (!out->int_overflow) {
            out->value = out->negative ? -out->value : out->value;
            out->status = KPI_YNUM_OK;
            return out->status;
        }
        /* Too large for 64 bits: the double below is still exact enough
         * for a range message. */
    }

    /* A fraction or exponent (or a huge integer): strtod on the text
     * without its '_' separators. */
    char small[128], *buf = small;
    if (len >= sizeof small) {
        buf = malloc(len + 1);
        if (!buf)
            return out->status;
    }
    size_t n = 0;
    for (size_t k = 0; k < len; k++)
        if (t[k] != '_')
            buf[n++] = t[k];
    buf[n] = '\0';
    double v;
    int ok = strtod_c(buf, &v) == 0;
    if (buf != small)
        free(buf);
    if (!ok)
        return out->status;
    out->value = v;
    /* Underflow (1e-400) gives 0 or a denormal: a fine value.  Overflow
     * gives infinity: not a number this program can use. */
    out->status = isfinite(v) ? KPI_YNUM_OK : KPI_YNUM_NONFINITE;
    return out->status;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

/* The shortest of %.15g, %.16g and %.17g that reads back as exactly x
 * (17 significant digits always do), into tmp.  Returns 0, or -1 when
 * the C locale cannot be made. */
static int shortest(double x, char *tmp, size_t size)
{
    locale_t old;
    int prec;
    if (c_locale_enter(&old) != 0)
        return -1;
    for (prec = 15; prec < 17; prec++) {
        snprintf(tmp, size, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    if (prec == 17)
        snprintf(tmp, size, "%.17g", x);
    c_locale_leave(old);
    return 0;
}

int kpi_num_format(double x, unsigned style, char *buf, size_t size)
{
    char tmp[48];
    if (!isfinite(x) || size < 2)
        return -1;
    if ((style & KPI_NUM_NO_NEG_ZERO) && x == 0)
        x = 0;
    if ((style & KPI_NUM_WHOLE_IN_FULL) && x == floor(x) && fabs(x) < 1e20)
        snprintf(tmp, sizeof tmp, "%.0f", x);     /* no decimal point: any locale */
    else if (shortest(x, tmp, sizeof tmp) != 0)
        return -1;
    /* "1e+20" is a float to us but a string to strict YAML 1.1 readers,
     * which want a '.' in the mantissa: "1.0e+20". */
    char *e = strchr(tmp, 'e');
    if ((style & KPI_NUM_YAML_FLOAT) && e && !strchr(tmp, '.')) {
        char out[56];
        snprintf(out, sizeof out, "%.*s.0%s", (int)(e - tmp), tmp, e);
        if (strlen(out) >= sizeof tmp)
            return -1;
        memcpy(tmp, out, strlen(out) + 1);
    }
    if (strlen(tmp) >= size)
        return -1;
    memcpy(buf, tmp, strlen(tmp) + 1);
    return 0;
}

int kpi_num_join(const double *x, size_t n, const char *sep, unsigned style, char *buf,
                 size_t size)
{
    size_t used = 0;
    if (size == 0)
        return -1;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char part[48];
        if (kpi_num_format(x[i], style, part, sizeof part) != 0)
            return -1;
        int w = snprintf(buf + used, size - used, "%s%s", i > 0 ? sep : "", part);
        if (w < 0 || (size_t)w >= size - used)
            return -1;
        used += (size_t)w;
    }
    return 0;
}

int kpi_ynum_format(double x, char *buf, size_t size)
{
    return kpi_num_format(x, KPI_NUM_YAML, buf, size);
}

int kpi_format_number(double x, char *buf, size_t size)
{
    if (isnan(x) && size > 0) {
        buf[0] = '\0';   /* not applicable: an empty cell */
        return KPI_OK;
    }
    if (size < KPI_NUMBUF || kpi_num_format(x, KPI_NUM_CSV, buf, size) != 0) {
        if (size > 0)
            buf[0] = '\0';
        return KPI_EINTERNAL;
    }
    return KPI_OK;
}

double kpi_ynum_round(double x, int digits)
{
    char tmp[48];
    kpi_ynum back;
    locale_t old;
    if (!isfinite(x) || x == 0)
        return x;
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    if (c_locale_enter(&old) != 0)
        return x;
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, x);
    c_locale_leave(old);
    if (kpi_ynum_parse(tmp, strlen(tmp), &back) != KPI_YNUM_OK)
        return x;
    return back.value;
}

double kpi_round_cents(double x)
{
    if (!isfinite(x) || fabs(x) >= 1e15)
        return x;   /* beyond 1e13 a double holds no cents to round to */
    /* The quotient of a whole number by 100 is rounded once, to the double
     * nearest the decimal amount: its shortest text has at most two
     * decimals. */
    return round(x * 100.0) / 100.0;
}
