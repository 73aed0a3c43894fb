/*
 * compare.c - paired comparison of scenarios run on common random numbers.
 *
 * `kpisim compare` runs every scenario with the same seed and replication
 * count, so replication r of each scenario draws from the same keyed
 * streams (rng.h): the difference between two scenarios in replication r is
 * the effect of what differs between them, with most of the noise common
 * to both cancelled.  This module turns those paired results into
 * comparison.csv.  docs/compare.md explains every column.
 */
#include "kpisim.h"

#include "output.h"

#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rows of one quantity: for each scenario s its own band and its
 * paired difference against scenario 0.  x[s] points at scenario s's value
 * in replication 0, stride[s] doubles apart per replication. */
static int put_rows(kpi_outfile *of, const char *kind, const char *name, int unit, int month,
                    const double *const *x, const size_t *stride, const char *const *names,
                    int nsc, size_t n, double *work, kpi_error *err)
{
    char num[KPI_NUMBUF + 1], head[32];
    for (int s = 0; s < nsc; s++) {
        kpi_band own;
        kpi_paired pd;
        kpi_band_compute(x[s], stride[s], n, work, &own);
        kpi_paired_compute(x[0], stride[0], x[s], stride[s], n, work, &pd);
        kpi_outfile_puts(of, kind);
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, name);
        if (month > 0)
            snprintf(head, sizeof head, ",%d,", month);
        else
            snprintf(head, sizeof head, ",,");
        kpi_outfile_puts(of, head);
        kpi_outfile_csv_field(of, names[s]);
        double v[8] = {own.mean, own.p05, own.p95, pd.diff.mean, pd.diff.p05,
                       pd.diff.p95, pd.diff.sd, pd.p_higher};
        /* The baseline against itself is not a comparison: its diff_* and
         * p_higher are not applicable, empty cells (not 0). */
        if (s == 0)
            for (int i = 3; i < 8; i++)
                v[i] = NAN;
        for (int i = 0; i < 8; i++) {
            num[0] = ',';
            /* p_higher (the last) is a share whatever the unit. */
            if (kpi_format_number(i < 7 ? kpi_csv_value(v[i], unit) : v[i], num + 1,
                                  sizeof num - 1) != KPI_OK)
                return kpi_error_set(err, KPI_EINTERNAL, NULL,
                                     "%s: a value is not a finite number (internal error)",
                                     kpi_outfile_path(of));
            kpi_outfile_puts(of, num);
        }
        if (kpi_outfile_puts(of, "\n") != 0)
            return KPI_EIO;
    }
    return KPI_OK;
}

int kpi_write_comparison(const char *dir, const char *const *names,
                         const kpi_results *const *res, int nsc, kpi_error *err)
{
    kpi_error scratch;
    kpi_outset *set = kpi_outset_create();
    int rc;
    if (!err)
        err = &scratch;
    if (!set)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "%s: out of memory", dir);
    rc = kpi_stage_comparison(set, dir, names, res, nsc, err);
    if (rc == KPI_OK)
        rc = kpi_outset_commit(set, err);
    kpi_outset_free(set);
    return rc;
}

int kpi_comparison_span(const char *dir, const kpi_results *const *res, int nsc,
                        int same_replications, size_t *n, int *months, kpi_error *err)
{
    if (nsc < 1)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "%s: no scenario to compare", dir);
    *n = (size_t)res[0]->replications;
    *months = res[0]->months;
    for (int s = 1; s < nsc; s++) {
        if (same_replications && (size_t)res[s]->replications != *n)
            return kpi_error_set(err, KPI_EINTERNAL, NULL,
                                 "%s: scenarios run with different replications (internal error)",
                                 dir);
        if (res[s]->months < *months)
            *months = res[s]->months;
    }
    return KPI_OK;
}

int kpi_stage_comparison(kpi_outset *set, const char *dir, const char *const *names,
                         const kpi_results *const *res, int nsc, kpi_error *err)
{
    kpi_error scratch;
    if (!err)
        err = &scratch;
    size_t n;
    int months;
    int rc = kpi_comparison_span(dir, res, nsc, 1, &n, &months, err);
    if (rc != KPI_OK)
        return rc;
    rc = kpi_mkdir_p(dir, err);
    if (rc == KPI_OK)   /* the charts of an earlier comparison go with the commit */
        rc = kpi_outset_remove_charts(set, dir, 1, err);
    if (rc != KPI_OK)
        return rc;
    double *work = malloc(2 * n * sizeof *work);
    const double **x = malloc((size_t)nsc * sizeof *x);
    size_t *stride = malloc((size_t)nsc * sizeof *stride);
    kpi_outfile *of = NULL;
    if (!work || !x || !stride) {
        rc = kpi_error_set(err, KPI_EINTERNAL, NULL, "%s: out of memory", dir);
        goto done;
    }
    of = kpi_outfile_open(dir, "comparison.csv", err);
    if (!of) {
        rc = err->status;
        goto done;
    }
    kpi_outfile_puts(of, "kind,name,month,scenario,mean,p05,p95,"
                         "diff_mean,diff_p05,diff_p95,diff_sd,p_higher\n");
    /* Horizon figures first: they answer "which is better, by how much". */
    for (int s = 0; s < nsc; s++)
        stride[s] = KPI_NFIG;
    for (int f = 0; f < KPI_NFIG && rc == KPI_OK; f++) {
        for (int s = 0; s < nsc; s++)
            x[s] = res[s]->figures + f;
        rc = put_rows(of, "figure", kpi_figure_name(f), kpi_figure_unit(f), 0, x, stride, names, nsc, n, work,
                      err);
    }
    /* Then every KPI month by month, over the months all scenarios have. */
    for (int s = 0; s < nsc; s++)
        stride[s] = (size_t)res[s]->months * KPI_NKPI;
    for (int k = 0; k < KPI_NKPI && rc == KPI_OK; k++) {
        for (int m = 0; m < months && rc == KPI_OK; m++) {
            for (int s = 0; s < nsc; s++)
                x[s] = res[s]->monthly + (size_t)m * KPI_NKPI + (size_t)k;
            rc = put_rows(of, "monthly", kpi_monthly_name(k), kpi_monthly_unit(k), m + 1, x, stride, names, nsc, n,
                          work, err);
        }
    }
    /* A write error is reported by kpi_outfile_finish (in kpi_outset_add),
     * with its reason. */
    if (rc == KPI_OK || rc == KPI_EIO) {
        rc = kpi_outset_add(set, of, err);
        of = NULL;
    }
done:
    kpi_outfile_discard(of);
    free(work);
    free(x);
    free(stride);
    return rc;
}
