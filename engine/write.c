/*
 * write.c - the output of a run: monthly.csv, summary.csv, replications.csv
 * and scenario.yaml (INTERFACE.md "Output of run -o DIR").
 *
 * The last stage of the pipeline: kpi_run produces kpi_results, the
 * statistics module (stats.c) reduces each column across replications to a
 * kpi_band, and this module writes the bands through the atomic output
 * files of output.c.
 *
 * The CSV files are RFC 4180 with one difference the docs state: lines end
 * in "\n", not "\r\n" (what gnuplot, awk, R, pandas and spreadsheets all
 * read, and what diff shows cleanly).  Every file has a header row.
 * Numbers are written by kpi_format_number: the shortest text that reads
 * back as the same double, '.' as the decimal point in every locale.
 * Because the bands are computed from sorted values, the files depend only
 * on the set of replications, never on the number of threads.
 */
#include "output.h"

#include "emit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A value of the given unit (kpisim.h enum kpi_unit) as the CSV files
 * hold it: money in whole cents (a sum or mean of premiums in cents is
 * written 34327675.92, not 34327675.91600001), everything else as it is. */
double kpi_csv_value(double x, int unit)
{
    return unit == KPI_UNIT_MONEY ? kpi_round_cents(x) : x;
}

/* The seven columns of a band, in file order. */
static const char *const band_cols[7] = {"mean", "sd", "p05", "p25", "p50",
                                         "p75", "p95"};

static int fail(kpi_error *err, int status, const char *fmt, ...)
{
    va_list ap;
    memset(err, 0, sizeof *err);
    err->status = status;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return status;
}

/* The message for a value that is NaN or infinite: no output may hold
 * one, so it is a bug in the model, reported with where it was found. */
static int not_finite(kpi_error *err, const kpi_outfile *of, const char *row,
                      const char *col, const char *sub)
{
    return fail(err, KPI_EINTERNAL,
                "%s: %s, column %s%s%s: the value is not a finite number "
                "(internal error)",
                kpi_outfile_path(of), row, col, sub ? "_" : "", sub ? sub : "");
}

/* Writes ",x" for each of the seven values of a band.  Returns KPI_OK,
 * KPI_EIO (the write failed; kpi_outfile_finish reports why) or
 * KPI_EINTERNAL when a value is not finite.  row names the row and prefix
 * the column prefix (NULL for none) in that message. */
static int put_band(kpi_outfile *of, const kpi_band *b, const char *row,
                    const char *prefix, int unit, kpi_error *err)
{
    const double v[7] = {b->mean, b->sd, b->p05, b->p25, b->p50, b->p75, b->p95};
    char num[KPI_NUMBUF + 1];
    int i;
    for (i = 0; i < 7; i++) {
        num[0] = ',';
        if (kpi_format_number(kpi_csv_value(v[i], unit), num + 1, sizeof num - 1) != KPI_OK)
            return prefix ? not_finite(err, of, row, prefix, band_cols[i])
                          : not_finite(err, of, row, band_cols[i], NULL);
        if (kpi_outfile_puts(of, num) != 0)
            return KPI_EIO;
    }
    return KPI_OK;
}

/* monthly.csv: month, then for each KPI in enum order its band across
 * replications; one row per month. */
static int write_monthly(kpi_outfile *of, const kpi_results *res, double *work,
                         kpi_error *err)
{
    size_t months = (size_t)res->months, n = (size_t)res->replications;
    size_t stride = months * KPI_NKPI, m;
    int k, i, rc;

    kpi_outfile_puts(of, "month");
    for (k = 0; k < KPI_NKPI; k++) {
        for (i = 0; i < 7; i++) {
            kpi_outfile_puts(of, ",");
            kpi_outfile_puts(of, kpi_monthly_name(k));
            kpi_outfile_puts(of, "_");
            kpi_outfile_puts(of, band_cols[i]);
        }
    }
    if (kpi_outfile_puts(of, "\n") != 0)
        return KPI_EIO;

    for (m = 0; m < months; m++) {
        char row[32];
        snprintf(row, sizeof row, "%zu", m + 1);
        kpi_outfile_puts(of, row);
        snprintf(row, sizeof row, "month %zu", m + 1);
        for (k = 0; k < KPI_NKPI; k++) {
            kpi_band b;
            kpi_band_compute(res->monthly + m * KPI_NKPI + (size_t)k, stride, n,
                             work, &b);
            rc = put_band(of, &b, row, kpi_monthly_name(k), kpi_monthly_unit(k), err);
            if (rc != KPI_OK)
                return rc;
        }
        if (kpi_outfile_puts(of, "\n") != 0)
            return KPI_EIO;
    }
    return KPI_OK;
}

/* summary.csv: one row per horizon figure in enum order. */
static int write_summary(kpi_outfile *of, const kpi_results *res, double *work,
                         kpi_error *err)
{
    size_t n = (size_t)res->replications;
    int f, rc;

    if (kpi_outfile_puts(of, "figure,mean,sd,p05,p25,p50,p75,p95\n") != 0)
        return KPI_EIO;
    for (f = 0; f < KPI_NFIG; f++) {
        char row[128];
        kpi_band b;
        kpi_band_compute(res->figures + f, KPI_NFIG, n, work, &b);
        kpi_outfile_csv_field(of, kpi_figure_name(f));
        snprintf(row, sizeof row, "figure %s", kpi_figure_name(f));
        rc = put_band(of, &b, row, NULL, kpi_figure_unit(f), err);
        if (rc != KPI_OK)
            return rc;
        if (kpi_outfile_puts(of, "\n") != 0)
            return KPI_EIO;
    }
    return KPI_OK;
}

/* replications.csv: replication (from 1), month (from 1), then every KPI. */
static int write_replications(kpi_outfile *of, const kpi_results *res,
                              kpi_error *err)
{
    size_t months = (size_t)res->months, n = (size_t)res->replications, r, m;
    const double *v = res->monthly;
    char num[KPI_NUMBUF + 1], lead[48];
    int k;

    kpi_outfile_puts(of, "replication,month");
    for (k = 0; k < KPI_NKPI; k++) {
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, kpi_monthly_name(k));
    }
    if (kpi_outfile_puts(of, "\n") != 0)
        return KPI_EIO;

    for (r = 0; r < n; r++) {
        for (m = 0; m < months; m++) {
            snprintf(lead, sizeof lead, "%zu,%zu", r + 1, m + 1);
            kpi_outfile_puts(of, lead);
            for (k = 0; k < KPI_NKPI; k++, v++) {
                num[0] = ',';
                if (kpi_format_number(kpi_csv_value(*v, kpi_monthly_unit(k)), num + 1,
                                      sizeof num - 1) != KPI_OK) {
                    char row[64];
                    snprintf(row, sizeof row, "replication %zu month %zu",
                             r + 1, m + 1);
                    return not_finite(err, of, row, kpi_monthly_name(k), NULL);
                }
                kpi_outfile_puts(of, num);
            }
            /* One check a row: after a failed write every later one is a
             * no-op returning -1, so nothing is lost by checking late. */
            if (kpi_outfile_puts(of, "\n") != 0)
                return KPI_EIO;
        }
    }
    return KPI_OK;
}

/* figures.csv: replication (from 1), then every horizon figure; a figure
 * not applicable in a replication is an empty cell. */
static int write_figures(kpi_outfile *of, const kpi_results *res, kpi_error *err)
{
    size_t n = (size_t)res->replications, r;
    const double *v = res->figures;
    char num[KPI_NUMBUF + 1], lead[32];
    int f;

    kpi_outfile_puts(of, "replication");
    for (f = 0; f < KPI_NFIG; f++) {
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, kpi_figure_name(f));
    }
    if (kpi_outfile_puts(of, "\n") != 0)
        return KPI_EIO;
    for (r = 0; r < n; r++) {
        snprintf(lead, sizeof lead, "%zu", r + 1);
        kpi_outfile_puts(of, lead);
        for (f = 0; f < KPI_NFIG; f++, v++) {
            num[0] = ',';
            if (kpi_format_number(kpi_csv_value(*v, kpi_figure_unit(f)), num + 1,
                                  sizeof num - 1) != KPI_OK) {
                char row[64];
                snprintf(row, sizeof row, "replication %zu", r + 1);
                return not_finite(err, of, row, kpi_figure_name(f), NULL);
            }
            kpi_outfile_puts(of, num);
        }
        if (kpi_outfile_puts(of, "\n") != 0)
            return KPI_EIO;
    }
    return KPI_OK;
}

/* scenario.yaml through the emitter.  A write failure (KPI_EIO, errno
 * kept by the emitter) is noted on the file, so that kpi_outfile_finish
 * reports it as "writing DIR/scenario.yaml failed: REASON" like any other
 * write error; any other failure keeps the emitter's own message. */
static int write_scenario(kpi_outfile *of, const kpi_scenario *sc, kpi_error *err)
{
    int rc;
    errno = 0;
    rc = kpi_scenario_emit(sc, kpi_outfile_stream(of), err);
    if (rc == KPI_EIO || (rc != KPI_OK && ferror(kpi_outfile_stream(of)))) {
        kpi_outfile_fail(of, errno);
        return KPI_EIO;
    }
    return rc;
}

/* The kpi_write_* functions: a set of their own around one stage call.
 * Takes the status of the stage (set may be NULL when it could not be
 * created), commits when it succeeded, frees the set. */
static int commit_alone(kpi_outset *set, int rc, kpi_error *err)
{
    kpi_error scratch;
    if (!err)
        err = &scratch;
    if (!set)
        rc = fail(err, KPI_EINTERNAL, "out of memory");
    else if (rc == KPI_OK)
        rc = kpi_outset_commit(set, err);
    kpi_outset_free(set);
    return rc;
}

/* Adds of, just written with status rc, to the set (which owns it from
 * then on), or discards it when the writer failed other than by a write
 * error. */
static int stage_one(kpi_outset *set, kpi_outfile *of, int rc, kpi_error *err)
{
    /* A write error is reported by kpi_outfile_finish (in kpi_outset_add),
     * with its reason. */
    if (rc != KPI_OK && rc != KPI_EIO) {
        kpi_outfile_discard(of);
        return rc;
    }
    return kpi_outset_add(set, of, err);
}

/* The scenario written to scenario.yaml is sc as given, except that its
 * replications are set to those of res.  kpi_results do not carry the
 * seed: the caller passes sc with the seed the run used (the CLI applies
 * --seed to the scenario before running), so that `kpisim run
 * DIR/scenario.yaml` reproduces the run. */
int kpi_stage_run(kpi_outset *set, const char *dir, const kpi_scenario *sc,
                  const kpi_results *res, int flags, kpi_error *err)
{
    enum { MONTHLY, SUMMARY, REPLICATIONS, FIGURES, SCENARIO, NFILES };
    static const char *const names[NFILES] = {"monthly.csv", "summary.csv",
                                              "replications.csv", "figures.csv",
                                              "scenario.yaml"};
    kpi_scenario *copy = NULL;
    double *work = NULL;
    kpi_error scratch;
    int rc = KPI_OK, i;

    if (!err)
        err = &scratch;
    if (!set || !dir || !sc || !res || res->months <= 0 || res->replications <= 0 ||
        res->months != sc->months || !res->monthly || !res->figures)
        return fail(err, KPI_EINTERNAL,
                    "kpi_write_run: results and scenario do not match");

    rc = kpi_mkdir_p(dir, err);
    if (rc != KPI_OK)
        return rc;
    /* Charts of an earlier run would disagree with the new files: they go,
     * with the commit (docs/hardening.md "Atomic outputs"). */
    rc = kpi_outset_remove_charts(set, dir, 0, err);
    if (rc != KPI_OK)
        return rc;

    copy = malloc(sizeof *copy);
    work = malloc((size_t)res->replications * sizeof *work);
    if (!copy || !work) {
        rc = fail(err, KPI_EINTERNAL, "out of memory");
        goto done;
    }
    *copy = *sc;
    copy->replications = res->replications;

    for (i = 0; i < NFILES && rc == KPI_OK; i++) {
        kpi_outfile *of;
        if ((i == REPLICATIONS || i == FIGURES) && !(flags & KPI_WRITE_PER_REPLICATION)) {
            /* A replications.csv or figures.csv of an earlier run would not
             * belong to the new files: it goes, with the commit. */
            rc = kpi_outset_remove(set, dir, names[i], err);
            continue;
        }
        of = kpi_outfile_open(dir, names[i], err);
        if (!of) {
            rc = err->status;
            break;
        }
        switch (i) {
        case MONTHLY: rc = write_monthly(of, res, work, err); break;
        case SUMMARY: rc = write_summary(of, res, work, err); break;
        case REPLICATIONS: rc = write_replications(of, res, err); break;
        case FIGURES: rc = write_figures(of, res, err); break;
        default: rc = write_scenario(of, copy, err); break;
        }
        rc = stage_one(set, of, rc, err);
    }

done:
    free(copy);
    free(work);
    return rc;
}

int kpi_write_run(const char *dir, const kpi_scenario *sc,
                  const kpi_results *res, int flags, kpi_error *err)
{
    kpi_outset *set = kpi_outset_create();
    return commit_alone(set, set ? kpi_stage_run(set, dir, sc, res, flags, err) : 0, err);
}

int kpi_stage_scenario(kpi_outset *set, const kpi_scenario *sc, const char *path,
                       kpi_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    kpi_outfile *of;
    kpi_error scratch;
    char *dir;
    size_t dlen;

    if (!err)
        err = &scratch;
    if (*name == '\0')
        return fail(err, KPI_ECREATE, "cannot create %s: %s", path,
                    strerror(EISDIR));
    /* "x.yaml" lives in ".", "/x.yaml" in "/", "a/b/x.yaml" in "a/b". */
    dlen = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 1;
    dir = malloc(dlen + 1);
    if (!dir)
        return fail(err, KPI_EINTERNAL, "out of memory");
    if (slash)
        memcpy(dir, path, dlen);
    else
        dir[0] = '.';
    dir[dlen] = '\0';

    of = kpi_outfile_open(dir, name, err);
    free(dir);
    if (!of)
        return err->status;
    return stage_one(set, of, write_scenario(of, sc, err), err);
}

int kpi_scenario_write(const kpi_scenario *sc, const char *path, kpi_error *err)
{
    kpi_outset *set = kpi_outset_create();
    return commit_alone(set, set ? kpi_stage_scenario(set, sc, path, err) : 0, err);
}

int kpi_write_sweep(const char *dir, const kpi_sweep *sw, const kpi_band *bands,
                    kpi_error *err)
{
    kpi_outset *set = kpi_outset_create();
    return commit_alone(set, set ? kpi_stage_sweep(set, dir, sw, bands, err) : 0, err);
}

int kpi_stage_sweep(kpi_outset *set, const char *dir, const kpi_sweep *sw,
                    const kpi_band *bands, kpi_error *err)
{
    kpi_error scratch;
    kpi_outfile *of = NULL;
    char num[KPI_NUMBUF + 1];
    int rc;

    if (!err)
        err = &scratch;
    rc = kpi_mkdir_p(dir, err);
    if (rc == KPI_OK)
        rc = kpi_outset_remove_charts(set, dir, 0, err);
    if (rc != KPI_OK)
        return rc;
    of = kpi_outfile_open(dir, "sweep.csv", err);
    if (!of)
        return err->status;

    /* Header: the swept keys, then mean, p05 and p95 of every figure (the
     * columns sweep.csv has always had, first and in their order, so that
     * older scripts keep working), then the rest of every figure's band:
     * sd, p25, p50, p75 (docs/sweep.md). */
    static const char *const cols[7] = {"mean", "p05", "p95", "sd", "p25", "p50", "p75"};
    for (int a = 0; a < sw->naxes; a++) {
        if (a > 0)
            kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, sw->axis[a].key);
    }
    for (int part = 0; part < 2; part++) {
        for (int f = 0; f < KPI_NFIG; f++) {
            for (int c = part ? 3 : 0; c < (part ? 7 : 3); c++) {
                if (sw->naxes > 0 || f > 0 || c > 0)
                    kpi_outfile_puts(of, ",");
                kpi_outfile_puts(of, kpi_figure_name(f));
                kpi_outfile_puts(of, "_");
                kpi_outfile_puts(of, cols[c]);
            }
        }
    }
    rc = kpi_outfile_puts(of, "\n") != 0 ? KPI_EIO : KPI_OK;

    /* A row per grid point, the last axis varying fastest. */
    for (long p = 0; p < sw->npoints && rc == KPI_OK; p++) {
        int idx[KPI_MAX_SWEEP_AXES];
        kpi_sweep_index(sw, p, idx);
        for (int a = 0; a < sw->naxes; a++) {
            if (a > 0)
                kpi_outfile_puts(of, ",");
            kpi_outfile_csv_field(of, sw->axis[a].values[idx[a]]);
        }
        for (int i = 0; i < 2 * KPI_NFIG && rc == KPI_OK; i++) {
            const int part = i / KPI_NFIG, f = i % KPI_NFIG;
            const kpi_band *b = &bands[(size_t)p * KPI_NFIG + (size_t)f];
            const double v[7] = {b->mean, b->p05, b->p95, b->sd, b->p25, b->p50, b->p75};
            for (int c = part ? 3 : 0; c < (part ? 7 : 3); c++) {
                num[0] = ',';
                if (kpi_format_number(kpi_csv_value(v[c], kpi_figure_unit(f)), num + 1,
                                      sizeof num - 1) != KPI_OK) {
                    char row[64];
                    snprintf(row, sizeof row, "point %ld", p + 1);
                    rc = not_finite(err, of, row, kpi_figure_name(f), NULL);
                    break;
                }
                kpi_outfile_puts(of, sw->naxes > 0 || i > 0 || c > 0 ? num : num + 1);
            }
        }
        if (rc == KPI_OK && kpi_outfile_puts(of, "\n") != 0)
            rc = KPI_EIO;
    }
    return stage_one(set, of, rc, err);
}

int kpi_stage_sweep_figures(kpi_outset *set, const char *dir, const kpi_sweep *sw,
                            const double *figures, const long *first, kpi_error *err)
{
    kpi_error scratch;
    kpi_outfile *of = NULL;
    char num[KPI_NUMBUF + 1], lead[48];
    int rc;

    if (!err)
        err = &scratch;
    rc = kpi_mkdir_p(dir, err);
    if (rc != KPI_OK)
        return rc;
    if (!figures)   /* not asked for: an earlier one would not belong */
        return kpi_outset_remove(set, dir, "figures.csv", err);
    of = kpi_outfile_open(dir, "figures.csv", err);
    if (!of)
        return err->status;

    /* Header: point, the swept keys, replication, every figure. */
    kpi_outfile_puts(of, "point");
    for (int a = 0; a < sw->naxes; a++) {
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, sw->axis[a].key);
    }
    kpi_outfile_puts(of, ",replication");
    for (int f = 0; f < KPI_NFIG; f++) {
        kpi_outfile_puts(of, ",");
        kpi_outfile_puts(of, kpi_figure_name(f));
    }
    rc = kpi_outfile_puts(of, "\n") != 0 ? KPI_EIO : KPI_OK;

    for (long p = 0; p < sw->npoints && rc == KPI_OK; p++) {
        int idx[KPI_MAX_SWEEP_AXES];
        kpi_sweep_index(sw, p, idx);
        for (long r = first[p]; r < first[p + 1] && rc == KPI_OK; r++) {
            snprintf(lead, sizeof lead, "%ld", p + 1);
            kpi_outfile_puts(of, lead);
            for (int a = 0; a < sw->naxes; a++) {
                kpi_outfile_puts(of, ",");
                kpi_outfile_csv_field(of, sw->axis[a].values[idx[a]]);
            }
            snprintf(lead, sizeof lead, ",%ld", r - first[p] + 1);
            kpi_outfile_puts(of, lead);
            for (int f = 0; f < KPI_NFIG; f++) {
                num[0] = ',';
                if (kpi_format_number(kpi_csv_value(figures[(size_t)r * KPI_NFIG + (size_t)f],
                                                    kpi_figure_unit(f)),
                                      num + 1, sizeof num - 1) != KPI_OK) {
                    char row[64];
                    snprintf(row, sizeof row, "point %ld replication %ld", p + 1,
                             r - first[p] + 1);
                    rc = not_finite(err, of, row, kpi_figure_name(f), NULL);
                    break;
                }
                kpi_outfile_puts(of, num);
            }
            if (rc == KPI_OK && kpi_outfile_puts(of, "\n") != 0)
                rc = KPI_EIO;
        }
    }
    return stage_one(set, of, rc, err);
}

int kpi_scenario_text(const kpi_scenario *sc, char **text, size_t *len, kpi_error *err)
{
    kpi_error scratch;
    if (!err)
        err = &scratch;
    *text = NULL;
    *len = 0;
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return fail(err, KPI_EINTERNAL, "out of memory");
    int rc = kpi_scenario_emit(sc, f, err);
    if (fclose(f) != 0 && rc == KPI_OK)
        rc = fail(err, KPI_EINTERNAL, "out of memory");
    if (rc != KPI_OK) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = size;
    return KPI_OK;
}
