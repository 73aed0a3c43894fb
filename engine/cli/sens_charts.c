/*
 * sens_charts.c - which charts a sensitivity study has, for `kpisim plot`
 * and `kpisim report` alike (docs/sensitivity.md "Charts"): for each figure
 * label of DIR/sensitivity.csv, in the order of the file, the tornado,
 * Morris and Sobol charts of the methods it has rows of; and whether the
 * study has a decision (strategies), whose two charts the callers add.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The n-th comma-separated field of line into out (size bytes), or -1. */
static int field(const char *line, int n, char *out, size_t size)
{
    const char *p = line;
    for (int k = 0; k < n; k++) {
        p = strchr(p, ',');
        if (!p)
            return -1;
        p++;
    }
    size_t len = strcspn(p, ",\r\n");
    if (len >= size)
        return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int cli_sens_charts(const char *dir, cli_sens_chart *out, int max, int *decision)
{
    static const char *const kinds[3] = {"tornado", "morris", "sobol"};
    static const char *const methods[3] = {"oat", "morris", "sobol"};
    enum { NLABEL = 64 };
    char labels[NLABEL][CLI_SENS_LABEL], path[4096], line[2048];
    int has[NLABEL] = {0}, n = 0, count = 0;
    *decision = 0;
    if ((size_t)snprintf(path, sizeof path, "%s/sensitivity.csv", dir) >= sizeof path)
        return -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        char fig[CLI_SENS_LABEL], method[32];
        if (header) {
            header = 0;
            continue;
        }
        if (field(line, 0, fig, sizeof fig) != 0 || field(line, 2, method, sizeof method) != 0 ||
            !fig[0])
            continue;
        if (strcmp(method, "decision") == 0) {
            *decision = 1;
            continue;
        }
        int m = -1;
        for (int k = 0; k < 3; k++)
            if (strcmp(method, methods[k]) == 0)
                m = k;
        if (m < 0)
            continue;
        int i = 0;
        while (i < n && strcmp(labels[i], fig) != 0)
            i++;
        if (i == n && n < NLABEL)
            memcpy(labels[n++], fig, sizeof fig);
        if (i < n)
            has[i] |= 1 << m;
    }
    fclose(f);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            if (!(has[i] & (1 << k)) || count >= max)
                continue;
            cli_sens_chart *c = &out[count++];
            snprintf(c->name, sizeof c->name, "%s-%.299s", kinds[k], labels[i]);
            for (char *p = c->name; *p; p++)
                if (*p == ':' || *p == '/')
                    *p = '-';
            c->kind = kinds[k];
            memcpy(c->label, labels[i], sizeof c->label);
        }
    return count;
}
