/*
 * tidy.c - the long ("tidy") format of every number a command writes:
 * DIR/long.csv with `--long` (README "The long format").
 *
 * monthly.csv and replications.csv are wide (a column per KPI and
 * statistic), summary.csv is long, comparison.csv long with other columns,
 * sweep.csv wide.  long.csv holds the same numbers in one shape, one value
 * a row, whatever the command:
 *
 *     scenario,point,replication,month,name,statistic,value
 *
 *   scenario     the scenario's name (compare: its output folder name)
 *   point        sweep: the grid point, from 1 in grid order; else empty
 *   replication  a per-replication value: the replication from 1; else empty
 *   month        a monthly KPI: the month from 1; a horizon figure: empty
 *   name         the KPI or figure (sweep: also each swept key)
 *   statistic    mean, sd, p05, p25, p50, p75, p95 (a band across
 *                replications); value (one replication's value, with
 *                --per-replication); diff_mean, diff_sd, diff_p05,
 *                diff_p95, p_higher (compare: the paired difference against
 *                the first scenario, not written for the first itself);
 *                setting (sweep: the point's value of a swept key, as
 *                written in the sweep file)
 *   value        the number, written as in every other CSV (money in whole
 *                cents); empty when not applicable
 *
 * It is the last stage of the pipeline beside write.c and compare.c, and
 * computes its bands with the same kpi_band_compute, so a value here is
 * the same text as in the wide files.
 */
#include "kpisim.h"

#include "output.h"

#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const band_cols[7] = {"mean", "sd", "p05", "p25", "p50", "p75", "p95"};

/* One row.  point, rep and month: 0 for an empty cell.  text: the value as
 * text (a sweep setting) instead of x. */
static int row(kpi_outfile *of, const char *scenario, long point, long rep, int month,
               const char *name, const char *stat, double x, int unit, const char *text,
               kpi_error *err)
{
    char num[KPI_NUMBUF], cell[32];
    kpi_outfile_csv_field(of, scenario);
    snprintf(cell, sizeof cell, point > 0 ? ",%ld" : ",", point);
    kpi_outfile_puts(of, cell);
    snprintf(cell, sizeof cell, rep > 0 ? ",%ld" : ",", rep);
    kpi_outfile_puts(of, cell);
    snprintf(cell, sizeof cell, month > 0 ? ",%d," : ",,", month);
    kpi_outfile_puts(of, cell);
    kpi_outfile_csv_field(of, name);
    kpi_outfile_puts(of, ",");
    kpi_outfile_puts(of, stat);
    kpi_outfile_puts(of, ",");
    if (text) {
        kpi_outfile_csv_field(of, text);
    } else {
        if (kpi_format_number(kpi_csv_value(x, unit), num, sizeof num) != KPI_OK)
            return kpi_error_set(err, KPI_EINTERNAL, NULL,
                                 "%s: %s %s: the value is not a finite number (internal error)",
                                 kpi_outfile_path(of), name, stat);
        kpi_outfile_puts(of, num);
    }
    return kpi_outfile_puts(of, "\n") != 0 ? KPI_EIO : KPI_OK;
}

static int band_rows(kpi_outfile *of, const char *scenario, long point, int month,
                     const char *name, int unit, const kpi_band *b, kpi_error *err)
{
    const double v[7] = {b->mean, b->sd, b->p05, b->p25, b->p50, b->p75, b->p95};
    int rc = KPI_OK;
    for (int i = 0; i < 7 && rc == KPI_OK; i++)
        rc = row(of, scenario, point, 0, month, name, band_cols[i], v[i], unit, NULL, err);
    return rc;
}

/* A run's rows: the bands of every KPI month by month, of every figure,
 * and with per_rep every replication's values.  work: n doubles. */
static int run_rows(kpi_outfile *of, const char *scenario, const kpi_results *res, int per_rep,
                    double *work, kpi_error *err)
{
    size_t n = (size_t)res->replications, months = (size_t)res->months;
    int rc = KPI_OK;
    for (size_t m = 0; m < months && rc == KPI_OK; m++)
        for (int k = 0; k < KPI_NKPI && rc == KPI_OK; k++) {
            kpi_band b;
            kpi_band_compute(res->monthly + m * KPI_NKPI + (size_t)k, months * KPI_NKPI, n,
                             work, &b);
            rc = band_rows(of, scenario, 0, (int)m + 1, kpi_monthly_name(k), kpi_monthly_unit(k), &b,
                           err);
        }
    for (int f = 0; f < KPI_NFIG && rc == KPI_OK; f++) {
        kpi_band b;
        kpi_band_compute(res->figures + f, KPI_NFIG, n, work, &b);
        rc = band_rows(of, scenario, 0, 0, kpi_figure_name(f), kpi_figure_unit(f), &b, err);
    }
    if (!per_rep)
        return rc;
    for (size_t r = 0; r < n && rc == KPI_OK; r++) {
        for (size_t m = 0; m < months && rc == KPI_OK; m++)
            for (int k = 0; k < KPI_NKPI && rc == KPI_OK; k++)
                rc = row(of, scenario, 0, (long)r + 1, (int)m + 1, kpi_monthly_name(k), "value",
                         res->monthly[(r * months + m) * KPI_NKPI + (size_t)k],
                         kpi_monthly_unit(k), NULL, err);
        for (int f = 0; f < KPI_NFIG && rc == KPI_OK; f++)
            rc = row(of, scenario, 0, (long)r + 1, 0, kpi_figure_name(f), "value",
                     res->figures[r * KPI_NFIG + (size_t)f], kpi_figure_unit(f), NULL, err);
    }
    return rc;
}

/* The paired difference of one quantity (a[i * stride], b[i * stride]). */
static int diff_rows(kpi_outfile *of, const char *scenario, int month, const char *name,
                     int unit, const double *a, const double *b, size_t astride,
                     size_t bstride, size_t n, double *work, kpi_error *err)
{
    kpi_paired pd;
    kpi_paired_compute(a, astride, b, bstride, n, work, &pd);
    const char *const stat[5] = {"diff_mean", "diff_sd", "diff_p05", "diff_p95", "p_higher"};
    const double v[5] = {pd.diff.mean, pd.diff.sd, pd.diff.p05, pd.diff.p95, pd.p_higher};
    int rc = KPI_OK;
    for (int i = 0; i < 5 && rc == KPI_OK; i++)
        rc = row(of, scenario, 0, 0, month, name, stat[i], v[i],
                 i == 4 ? KPI_UNIT_SHARE : unit, NULL, err);
    return rc;
}

/* Opens DIR/long.csv with its header; NULL with err set on failure. */
static kpi_outfile *open_long(const char *dir, kpi_error *err)
{
    if (kpi_mkdir_p(dir, err) != KPI_OK)
        return NULL;
    kpi_outfile *of = kpi_outfile_open(dir, "long.csv", err);
    if (of)
        kpi_outfile_puts(of, "scenario,point,replication,month,name,statistic,value\n");
    return of;
}

/* Adds of, written with status rc, to the set, or discards it. */
static int finish(kpi_outset *set, kpi_outfile *of, int rc, kpi_error *err)
{
    /* A write error is reported by kpi_outfile_finish (in kpi_outset_add),
     * with its reason. */
    if (rc != KPI_OK && rc != KPI_EIO) {
        kpi_outfile_discard(of);
        return rc;
    }
    return kpi_outset_add(set, of, err);
}

int kpi_stage_long_remove(kpi_outset *set, const char *dir, kpi_error *err)
{
    return kpi_outset_remove(set, dir, "long.csv", err);
}

int kpi_stage_long_run(kpi_outset *set, const char *dir, const char *name,
                       const kpi_results *res, int flags, kpi_error *err)
{
    kpi_error scratch;
    if (!err)
        err = &scratch;
    double *work = malloc((size_t)res->replications * sizeof *work);
    if (!work)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "%s: out of memory", dir);
    kpi_outfile *of = open_long(dir, err);
    int rc = of ? KPI_OK : err->status;
    if (of)
        rc = finish(set, of,
                    run_rows(of, name, res, flags & KPI_WRITE_PER_REPLICATION, work, err), err);
    free(work);
    return rc;
}

int kpi_stage_long_comparison(kpi_outset *set, const char *dir, const char *const *names,
                              const kpi_results *const *res, int nsc, int flags,
                              kpi_error *err)
{
    kpi_error scratch;
    if (!err)
        err = &scratch;
    size_t n;
    int months;
    if (kpi_comparison_span(dir, res, nsc, 0, &n, &months, err) != KPI_OK)
        return err->status;
    double *work = malloc(2 * n * sizeof *work);
    if (!work)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "%s: out of memory", dir);
    kpi_outfile *of = open_long(dir, err);
    int rc = of ? KPI_OK : err->status;
    for (int s = 0; s < nsc && rc == KPI_OK; s++) {
        rc = run_rows(of, names[s], res[s], flags & KPI_WRITE_PER_REPLICATION, work, err);
        if (s == 0)
            continue;   /* the baseline against itself: not applicable, no rows */
        for (int f = 0; f < KPI_NFIG && rc == KPI_OK; f++)
            rc = diff_rows(of, names[s], 0, kpi_figure_name(f), kpi_figure_unit(f),
                           res[0]->figures + f, res[s]->figures + f, KPI_NFIG, KPI_NFIG, n,
                           work, err);
        for (int m = 0; m < months && rc == KPI_OK; m++)
            for (int k = 0; k < KPI_NKPI && rc == KPI_OK; k++)
                rc = diff_rows(of, names[s], m + 1, kpi_monthly_name(k), kpi_monthly_unit(k),
                               res[0]->monthly + (size_t)m * KPI_NKPI + (size_t)k,
                               res[s]->monthly + (size_t)m * KPI_NKPI + (size_t)k,
                               (size_t)res[0]->months * KPI_NKPI,
                               (size_t)res[s]->months * KPI_NKPI, n, work, err);
    }
    if (of)
        rc = finish(set, of, rc, err);
    free(work);
    return rc;
}

int kpi_stage_long_sweep(kpi_outset *set, const char *dir, const char *name,
                         const kpi_sweep *sw, const kpi_band *bands, const double *figures,
                         const long *first, kpi_error *err)
{
    kpi_error scratch;
    if (!err)
        err = &scratch;
    kpi_outfile *of = open_long(dir, err);
    if (!of)
        return err->status;
    int rc = KPI_OK;
    for (long p = 0; p < sw->npoints && rc == KPI_OK; p++) {
        int idx[KPI_MAX_SWEEP_AXES];
        kpi_sweep_index(sw, p, idx);
        for (int a = 0; a < sw->naxes && rc == KPI_OK; a++)
            rc = row(of, name, p + 1, 0, 0, sw->axis[a].key, "setting", 0, KPI_UNIT_NUMBER,
                     sw->axis[a].values[idx[a]], err);
        for (int f = 0; f < KPI_NFIG && rc == KPI_OK; f++)
            rc = band_rows(of, name, p + 1, 0, kpi_figure_name(f), kpi_figure_unit(f),
                           &bands[(size_t)p * KPI_NFIG + (size_t)f], err);
        for (long r = first && figures ? first[p] : 0;
             first && figures && r < first[p + 1] && rc == KPI_OK; r++)
            for (int f = 0; f < KPI_NFIG && rc == KPI_OK; f++)
                rc = row(of, name, p + 1, r - first[p] + 1, 0, kpi_figure_name(f), "value",
                         figures[(size_t)r * KPI_NFIG + (size_t)f], kpi_figure_unit(f), NULL,
                         err);
    }
    return finish(set, of, rc, err);
}
