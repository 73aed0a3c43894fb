/*
 * human.c - numbers for people: the one formatter of every table the
 * commands print on the terminal (run's figures, compare's and sweep's
 * tables, explain's lines).  The CSV files keep their own, exact format
 * (num.c); this one is for reading.
 *
 * The rules (README "Numbers on the terminal"):
 *   - thousands grouped with ',' (21,370,809), '.' as the decimal point,
 *     never an exponent;
 *   - counts as whole numbers (a mean below 100 with one decimal: 5.7 exits);
 *   - shares as percentages with one decimal (30.5%), their differences in
 *     percentage points (+2.1 pp);
 *   - money with no decimals from 1,000 up, two below, with the scenario's
 *     currency (a lone $, £, € or ¥ before the amount, any other currency
 *     after it: $21,370,809, 21,370,809 RMB, 21,370,809 ₽);
 *   - other numbers with decimals chosen by magnitude (1,277 / 127.7 /
 *     12.77 / 0.140 / 0.0123): three significant digits below 1000, a
 *     whole number without decimals;
 *   - not applicable (NaN) as "n/a".
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The decimals of x of the given unit (signed: a difference). */
static int decimals_of(double x, int unit, unsigned flags)
{
    double a = fabs(x);
    switch (unit) {
    case KPI_UNIT_SHARE:
        return 1;
    case KPI_UNIT_MONEY:
        return a >= 1000 || a == 0 ? 0 : 2;
    case KPI_UNIT_COUNT:
        if (a == floor(a) || a >= 100)
            return 0;
        return 1;
    default:
        (void)flags;
        if (a >= 1000 || a == floor(a))   /* whole numbers as they are: 20, 3 */
            return 0;
        if (a >= 100)
            return 1;
        if (a >= 1)
            return 2;
        /* Three significant digits, at most six decimals (below 0.000001
         * the number shows as 0). */
        int d = 2 - (int)floor(log10(a));
        return d > 6 ? 6 : d;
    }
}

/* Writes |x| with d decimals and grouped thousands into out. */
static void grouped(double a, int d, char *out, size_t size)
{
    char raw[400];
    snprintf(raw, sizeof raw, "%.*f", d, a);
    /* The integer digits, then whatever the locale wrote as the point. */
    size_t nint = strspn(raw, "0123456789");
    size_t o = 0;
    for (size_t i = 0; i < nint && o + 2 < size; i++) {
        if (i > 0 && (nint - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    if (d > 0 && raw[nint] != '\0' && o + 1 < size) {
        out[o++] = '.';
        for (const char *p = raw + nint + 1; *p && o + 1 < size; p++)
            out[o++] = *p;
    }
    out[o] = '\0';
}

/* A currency that goes before the amount. */
static int currency_first(const char *c)
{
    static const char *const before[] = {"$", "£", "€", "¥", NULL};
    for (const char *const *b = before; *b; b++)
        if (strcmp(c, *b) == 0)
            return 1;
    return 0;
}

const char *cli_human(double x, int unit, const char *currency, unsigned flags, char *buf,
                      size_t size)
{
    char num[96];
    const char *sign = "", *suffix = "";
    if (size == 0)
        return buf;
    if (isnan(x)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    if (isinf(x)) {
        snprintf(buf, size, "%s", x > 0 ? "inf" : "-inf");
        return buf;
    }
    if (unit == KPI_UNIT_SHARE) {
        x *= 100;
        suffix = flags & CLI_HUMAN_SIGNED ? " pp" : "%";
    }
    int d = decimals_of(x, unit, flags);
    grouped(fabs(x), d, num, sizeof num);
    /* A plain number that rounds to a whole one shows as one: 10, not 10.00. */
    char *point = strchr(num, '.');
    if (unit == KPI_UNIT_NUMBER && point && strspn(point + 1, "0") == strlen(point + 1))
        *point = '\0';
    /* A value that rounds to zero has no sign: "0", not "-0" or "+0". */
    int zero = strspn(num, "0.,") == strlen(num);
    if (!zero && x < 0)
        sign = "-";
    else if (!zero && (flags & CLI_HUMAN_SIGNED))
        sign = "+";
    if (unit == KPI_UNIT_MONEY && currency && currency[0]) {
        if (currency_first(currency))
            snprintf(buf, size, "%s%s%s", sign, currency, num);
        else
            snprintf(buf, size, "%s%s %s", sign, num, currency);
    } else {
        snprintf(buf, size, "%s%s%s", sign, num, suffix);
    }
    return buf;
}

/* The columns a UTF-8 string takes on a terminal: its characters (every
 * byte but the continuation bytes); wide CJK characters are not told
 * apart. */
static int columns_of(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

void cli_put_cell(FILE *f, const char *s, int width)
{
    int pad = (width < 0 ? -width : width) - columns_of(s);
    if (width < 0)
        fputs(s, f);
    for (; pad > 0; pad--)
        fputc(' ', f);
    if (width >= 0)
        fputs(s, f);
}
