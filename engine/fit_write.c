/*
 * fit_write.c - the files of `kpisim calibrate` (the output edge of a fit,
 * docs/calibration.md "Outputs"): fitted.yaml, fit.csv, fit-monthly.csv,
 * trace.csv and projection.csv, staged and committed together like every
 * writer's files (output.h).
 */
#define _XOPEN_SOURCE 700   /* realpath */

#include "kpisim.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "output.h"
#include "scenario.h"

/* Writes x; -1 only when x is not finite (a failed write is kept by the
 * file and reported by kpi_outfile_finish as the write error it is). */
static int put_num(kpi_outfile *of, double x)
{
    char b[KPI_NUMBUF];
    if (kpi_format_number(x, b, sizeof b) != KPI_OK)
        return -1;
    kpi_outfile_puts(of, b);
    return 0;
}

/* The path of target relative to the directory dir (both made absolute),
 * into buf; the absolute path when that fails. */
static void relative_path(const char *dir, const char *target, char *buf, size_t size)
{
    char *d = realpath(dir, NULL), *t = realpath(target, NULL);
    if (!d || !t) {
        snprintf(buf, size, "%s", t ? t : target);
        free(d);
        free(t);
        return;
    }
    /* The longest common prefix ending at a '/'. */
    size_t common = 0, i = 0;
    while (d[i] && t[i] && d[i] == t[i]) {
        if (d[i] == '/')
            common = i + 1;
        i++;
    }
    if (d[i] == '\0' && t[i] == '/')
        common = i + 1;
    buf[0] = '\0';
    size_t used = 0;
    /* One ".." for every component of dir past the common prefix. */
    for (const char *p = d + common; *p;) {
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "../");
        const char *s = strchr(p, '/');
        if (!s)
            break;
        p = s + 1;
    }
    if (used < size)
        snprintf(buf + used, size - used, "%s", t + common);
    free(d);
    free(t);
}

/* One scalar of a fitted scenario, as "path" and its YAML value. */
typedef struct yentry {
    char path[256];
    char value[128];
} yentry;

static int ycmp(const void *a, const void *b)
{
    return strcmp(((const yentry *)a)->path, ((const yentry *)b)->path);
}

static int value_of(const kpi_scenario *sc, const char *key, yentry *e)
{
    const kpi_key *k = kpi_key_find(key);
    snprintf(e->path, sizeof e->path, "%s", key);
    if (!k)
        return -1;
    if (k->type == KPI_KT_INT) {
        snprintf(e->value, sizeof e->value, "%lld", kpi_key_whole(k, sc));
        return 0;
    }
    if (k->type == KPI_KT_REAL)
        return kpi_ynum_format(*(const double *)(const void *)((const char *)sc + k->offset),
                               e->value, sizeof e->value);
    if (k->type == KPI_KT_FUNNEL) {
        char b[100];
        const kpi_funnel *f = (const kpi_funnel *)(const void *)((const char *)sc + k->offset);
        if (kpi_num_join(f->stage, 4, ":", KPI_NUM_YAML, b, sizeof b) != 0)
            return -1;
        snprintf(e->value, sizeof e->value, "\"%s\"", b);
        return 0;
    }
    return -1;
}

static int stage_fitted(kpi_outset *set, const char *dir, const char *base_path,
                        const kpi_history *h, const kpi_fit *f, int headcount_set,
                        kpi_error *err)
{
    yentry e[KPI_FIT_MAX_KEYS + 2];
    int n = 0;
    const kpi_scenario *sc = &f->fitted;
    for (int i = 0; i < f->nkeys; i++) {
        char key[256];
        snprintf(key, sizeof key, "%s", f->key[i].key);
        if (strncmp(key, "funnel.", 7) == 0) {
            char *dot = strchr(key + 7, '.');
            if (dot)
                *dot = '\0';
        }
        int dup = 0;
        for (int j = 0; j < n; j++)
            dup |= strcmp(e[j].path, key) == 0;
        if (dup)
            continue;
        if (value_of(sc, key, &e[n]) != 0)
            return kpi_error_set(err, KPI_EINTERNAL, key, "cannot write the fitted value");
        n++;
    }
    int has_hc = 0;
    for (int j = 0; j < n; j++)
        has_hc |= strcmp(e[j].path, "team.headcount") == 0;
    if (headcount_set && !has_hc && value_of(sc, "team.headcount", &e[n]) == 0)
        n++;
    qsort(e, (size_t)n, sizeof *e, ycmp);

    char rel[PATH_MAX + 64];
    relative_path(dir, base_path, rel, sizeof rel);
    kpi_outfile *of = kpi_outfile_open(dir, "fitted.yaml", err);
    if (!of)
        return err ? err->status : KPI_ECREATE;
    FILE *o = kpi_outfile_stream(of);
    fprintf(o, "# Written by kpisim calibrate: the base scenario with the keys fitted to a\n"
               "# history of %d months (docs/calibration.md).  Run it with\n"
               "#     kpisim run THIS_DIR/fitted.yaml\n", h->months);
    fprintf(o, "extends: \"");
    for (const char *p = rel; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', o);
        fputc(*p, o);
    }
    char nm[256];
    snprintf(nm, sizeof nm, "%.240s-fitted", sc->name);
    fprintf(o, "\"\nname: %s\nmonths: %d\n", nm, sc->months);
    /* Nested sections from the sorted dotted paths. */
    char prev[256] = "";
    for (int i = 0; i < n; i++) {
        const char *p = e[i].path, *q = prev;
        int depth = 0;
        /* Skip the sections shared with the previous path. */
        for (;;) {
            const char *dp = strchr(p, '.'), *dq = strchr(q, '.');
            if (!dp || !dq || dp - p != dq - q || strncmp(p, q, (size_t)(dp - p)) != 0)
                break;
            p = dp + 1;
            q = dq + 1;
            depth++;
        }
        for (const char *dp; (dp = strchr(p, '.')) != NULL; p = dp + 1, depth++)
            fprintf(o, "%*s%.*s:\n", 2 * depth, "", (int)(dp - p), p);
        fprintf(o, "%*s%s: %s\n", 2 * depth, "", p, e[i].value);
        memcpy(prev, e[i].path, sizeof prev);
    }
    if (ferror(o))
        kpi_outfile_fail(of, errno);
    return kpi_outset_add(set, of, err);
}

static int stage_fit_csv(kpi_outset *set, const char *dir, const kpi_fit *f, kpi_error *err)
{
    kpi_outfile *of = kpi_outfile_open(dir, "fit.csv", err);
    if (!of)
        return err ? err->status : KPI_ECREATE;
    kpi_outfile_puts(of, "key,estimate,lo,hi,start,bound_lo,bound_hi,se,effect,identified\n");
    for (int i = 0; i < f->nkeys; i++) {
        const kpi_fit_key *k = &f->key[i];
        kpi_outfile_csv_field(of, k->key);
        const double v[] = {k->estimate, k->ci_lo, k->ci_hi, k->start, k->lo, k->hi};
        for (size_t j = 0; j < sizeof v / sizeof *v; j++) {
            kpi_outfile_puts(of, ",");
            if (put_num(of, v[j]) != 0)
                goto bad;
        }
        kpi_outfile_puts(of, ",");
        if (k->se >= 0 && put_num(of, k->se) != 0)
            goto bad;
        kpi_outfile_puts(of, ",");
        if (put_num(of, k->effect) != 0)
            goto bad;
        kpi_outfile_puts(of, k->identified ? ",yes\n" : ",no\n");
    }
    return kpi_outset_add(set, of, err);
bad:
    kpi_outfile_discard(of);
    return kpi_error_set(err, KPI_EINTERNAL, NULL, "a fitted value is not finite");
}

static int stage_monthly(kpi_outset *set, const char *dir, const kpi_history *h,
                         const kpi_fit *f, kpi_error *err)
{
    const kpi_results *res = f->res;
    double *work = malloc((size_t)res->replications * sizeof *work);
    if (!work)
        return kpi_error_oom(err, "while writing fit-monthly.csv");
    kpi_outfile *of = kpi_outfile_open(dir, "fit-monthly.csv", err);
    if (!of) {
        free(work);
        return err ? err->status : KPI_ECREATE;
    }
    kpi_outfile_puts(of, "month,figure,observed,mean,p05,p50,p95\n");
    for (int i = 0; i < h->nfig; i++)
        for (int m = 0; m < h->months; m++) {
            kpi_band b;
            kpi_band_compute(res->monthly + (size_t)m * KPI_NKPI + (size_t)h->kpi[i],
                             (size_t)res->months * KPI_NKPI, (size_t)res->replications, work,
                             &b);
            char lead[320];
            snprintf(lead, sizeof lead, "%d,%s,", m + 1, kpi_monthly_name(h->kpi[i]));
            kpi_outfile_puts(of, lead);
            double o = h->value[(size_t)m * (size_t)h->nfig + (size_t)i];
            if (!isnan(o) && put_num(of, o) != 0)
                goto bad;
            const double v[] = {b.mean, b.p05, b.p50, b.p95};
            for (int j = 0; j < 4; j++) {
                kpi_outfile_puts(of, ",");
                if (put_num(of, v[j]) != 0)
                    goto bad;
            }
            kpi_outfile_puts(of, "\n");
        }
    free(work);
    return kpi_outset_add(set, of, err);
bad:
    free(work);
    kpi_outfile_discard(of);
    return kpi_error_set(err, KPI_EINTERNAL, NULL, "a simulated value is not finite");
}

static int stage_trace(kpi_outset *set, const char *dir, const kpi_fit *f, kpi_error *err)
{
    kpi_outfile *of = kpi_outfile_open(dir, "trace.csv", err);
    if (!of)
        return err ? err->status : KPI_ECREATE;
    kpi_outfile_puts(of, "evaluation,pass,objective");
    for (int k = 0; k < f->nkeys; k++) {
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, f->key[k].key);
    }
    kpi_outfile_puts(of, "\n");
    int row = 2 + f->nkeys;
    for (int t = 0; t < f->ntrace; t++) {
        char b[32];
        snprintf(b, sizeof b, "%d", t + 1);
        kpi_outfile_puts(of, b);
        for (int j = 0; j < row; j++) {
            kpi_outfile_puts(of, ",");
            if (put_num(of, f->trace[(size_t)t * (size_t)row + (size_t)j]) != 0) {
                kpi_outfile_discard(of);
                return kpi_error_set(err, KPI_EINTERNAL, NULL, "a traced value is not finite");
            }
        }
        kpi_outfile_puts(of, "\n");
    }
    return kpi_outset_add(set, of, err);
}

static int stage_projection(kpi_outset *set, const char *dir, int from,
                            const kpi_results *proj, kpi_error *err)
{
    double *work = malloc((size_t)proj->replications * sizeof *work);
    if (!work)
        return kpi_error_oom(err, "while writing projection.csv");
    kpi_outfile *of = kpi_outfile_open(dir, "projection.csv", err);
    if (!of) {
        free(work);
        return err ? err->status : KPI_ECREATE;
    }
    kpi_outfile_puts(of, "month,kpi,mean,p05,p25,p50,p75,p95\n");
    for (int m = from; m < proj->months; m++)
        for (int k = 0; k < KPI_NKPI; k++) {
            kpi_band b;
            kpi_band_compute(proj->monthly + (size_t)m * KPI_NKPI + (size_t)k,
                             (size_t)proj->months * KPI_NKPI, (size_t)proj->replications,
                             work, &b);
            char lead[320];
            snprintf(lead, sizeof lead, "%d,%s", m + 1, kpi_monthly_name(k));
            kpi_outfile_puts(of, lead);
            const double v[] = {b.mean, b.p05, b.p25, b.p50, b.p75, b.p95};
            for (int j = 0; j < 6; j++) {
                kpi_outfile_puts(of, ",");
                if (put_num(of, v[j]) != 0) {
                    free(work);
                    kpi_outfile_discard(of);
                    return kpi_error_set(err, KPI_EINTERNAL, NULL,
                                         "a projected value is not finite");
                }
            }
            kpi_outfile_puts(of, "\n");
        }
    free(work);
    return kpi_outset_add(set, of, err);
}

int kpi_write_fit(const char *dir, const char *base_path, const kpi_history *h,
                  const kpi_fit *f, const kpi_results *proj, kpi_error *err)
{
    int rc = kpi_mkdir_p(dir, err);
    if (rc != KPI_OK)
        return rc;
    kpi_outset *set = kpi_outset_create();
    if (!set)
        return kpi_error_oom(err, "while writing the fit");
    /* The history's starting headcount is written when it gave one. */
    int hc = kpi_history_column(h, KPI_HEADCOUNT);
    int headcount_set = hc >= 0 && !isnan(h->value[hc]);
    if ((rc = stage_fitted(set, dir, base_path, h, f, headcount_set, err)) != KPI_OK ||
        (rc = stage_fit_csv(set, dir, f, err)) != KPI_OK ||
        (rc = stage_monthly(set, dir, h, f, err)) != KPI_OK ||
        (rc = stage_trace(set, dir, f, err)) != KPI_OK)
        goto done;
    if (proj)
        rc = stage_projection(set, dir, h->months, proj, err);
    else
        rc = kpi_outset_remove(set, dir, "projection.csv", err);
    if (rc == KPI_OK)
        rc = kpi_outset_commit(set, err);
done:
    kpi_outset_free(set);
    return rc;
}
