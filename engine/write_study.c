/*
 * write_study.c - the files of `kpisim sensitivity`: sensitivity.csv (the
 * indices), samples.csv (every point with its figures), sensitivity.yaml
 * (the study as run) and the scenarios it ran over, staged in an output
 * set like every writer (output.h): nothing is visible before the commit.
 * The columns are documented in docs/sensitivity.md "Outputs".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kpisim.h"
#include "output.h"

/* Adds of, written with status rc, to the set (which owns it from then on),
 * or discards it when the writer failed other than by a write error. */
static int stage(kpi_outset *set, kpi_outfile *of, int rc, kpi_error *err)
{
    if (rc != KPI_OK && rc != KPI_EIO) {
        kpi_outfile_discard(of);
        return rc;
    }
    return kpi_outset_add(set, of, err);
}

/* ",x" (or "x" when first), x NaN written as an empty cell. */
static int put_num(kpi_outfile *of, double x, int first, kpi_error *err)
{
    char num[KPI_NUMBUF + 1];
    num[0] = ',';
    if (kpi_format_number(x, num + 1, sizeof num - 1) != KPI_OK)
        return kpi_error_set(err, KPI_EINTERNAL, NULL,
                             "%s: a value is not a finite number (internal error)",
                             kpi_outfile_path(of));
    return kpi_outfile_puts(of, first ? num + 1 : num) ? KPI_EIO : KPI_OK;
}

/* The figure column: the figure, or STRATEGY:FIGURE in a study of
 * strategies (a decision's rows name the figure alone). */
static void figure_label(const kpi_study *st, const kpi_study_row *r, char *buf, size_t size)
{
    if (st->strategies && r->method != 0)
        snprintf(buf, size, "%s:%s", st->scenario[r->strategy].name, kpi_figure_name(r->figure));
    else
        snprintf(buf, size, "%s", kpi_figure_name(r->figure));
}

static int write_indices(kpi_outfile *of, const kpi_study *st, const kpi_study_result *res,
                         kpi_error *err)
{
    char label[600];
    int rc = kpi_outfile_puts(of, "figure,key,method,index,value,lo,hi\n") ? KPI_EIO : KPI_OK;
    for (size_t i = 0; i < res->nrows && rc == KPI_OK; i++) {
        const kpi_study_row *r = &res->row[i];
        figure_label(st, r, label, sizeof label);
        kpi_outfile_csv_field(of, label);
        kpi_outfile_puts(of, ",");
        if (r->key >= 0)
            kpi_outfile_csv_field(of, st->key[r->key].key);
        else if (r->method == 0)
            kpi_outfile_csv_field(of, st->scenario[r->strategy].name);
        kpi_outfile_puts(of, ",");
        kpi_outfile_puts(of, kpi_study_method_name(r->method));
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, r->index);
        if ((rc = put_num(of, r->value, 0, err)) == KPI_OK &&
            (rc = put_num(of, r->lo, 0, err)) == KPI_OK &&
            (rc = put_num(of, r->hi, 0, err)) == KPI_OK)
            rc = kpi_outfile_puts(of, "\n") ? KPI_EIO : KPI_OK;
    }
    return rc;
}

/* The method of design row i. */
static int row_method(const kpi_study_plan *plan, long i)
{
    for (int m = 0; m < 4; m++)
        if (i >= plan->first[m] && i < plan->first[m] + plan->count[m])
            return 1 << m;
    return 0;
}

static int write_samples(kpi_outfile *of, const kpi_study *st, const kpi_study_plan *plan,
                         const double *mean, const double *se, kpi_error *err)
{
    int rc = KPI_OK;
    kpi_outfile_puts(of, "point,method,strategy");
    for (int j = 0; j < st->nkeys; j++) {
        kpi_outfile_puts(of, ",");
        kpi_outfile_csv_field(of, st->key[j].key);
    }
    for (int f = 0; f < st->nfigures; f++) {
        const char *name = kpi_figure_name(st->figure[f]);
        kpi_outfile_puts(of, ",");
        kpi_outfile_puts(of, name);
        kpi_outfile_puts(of, "_mean,");
        kpi_outfile_puts(of, name);
        kpi_outfile_puts(of, "_se");
    }
    if (kpi_outfile_puts(of, "\n"))
        return KPI_EIO;
    for (long i = 0; i < plan->nrows && rc == KPI_OK; i++) {
        for (int s = 0; s < st->nstrategies && rc == KPI_OK; s++) {
            char head[400];
            snprintf(head, sizeof head, "%ld,%s,", i + 1, kpi_study_method_name(row_method(plan, i)));
            kpi_outfile_puts(of, head);
            kpi_outfile_csv_field(of, st->scenario[s].name);
            for (int j = 0; j < st->nkeys && rc == KPI_OK; j++)
                rc = put_num(of, plan->x[(size_t)i * (size_t)st->nkeys + (size_t)j], 0, err);
            for (int f = 0; f < st->nfigures && rc == KPI_OK; f++) {
                size_t at = ((size_t)i * (size_t)st->nstrategies + (size_t)s) * KPI_NFIG +
                            (size_t)st->figure[f];
                int unit = kpi_figure_unit(st->figure[f]);
                if ((rc = put_num(of, kpi_csv_value(mean[at], unit), 0, err)) == KPI_OK)
                    rc = put_num(of, kpi_csv_value(se[at], unit), 0, err);
            }
            if (rc == KPI_OK && kpi_outfile_puts(of, "\n"))
                rc = KPI_EIO;
        }
    }
    return rc;
}

/* text as a YAML double-quoted scalar. */
static void put_quoted(kpi_outfile *of, const char *text)
{
    char esc[8];
    kpi_outfile_puts(of, "\"");
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\' || *c < 0x20) {
            snprintf(esc, sizeof esc, *c < 0x20 ? "\\x%02x" : "\\%c", *c);
            kpi_outfile_puts(of, esc);
        } else {
            char one[2] = {(char)*c, 0};
            kpi_outfile_puts(of, one);
        }
    }
    kpi_outfile_puts(of, "\"");
}

static void put_yaml_num(kpi_outfile *of, const char *before, double x)
{
    char num[40];
    kpi_outfile_puts(of, before);
    if (kpi_num_format(x, KPI_NUM_YAML, num, sizeof num) != 0)
        snprintf(num, sizeof num, ".nan");
    kpi_outfile_puts(of, num);
}

/* The study as run: its scenarios are the files staged beside it. */
static int write_study_file(kpi_outfile *of, const kpi_study *st)
{
    static const char *const dists[] = {"uniform", "normal", "lognormal", "triangular", "beta"};
    static const char *const params[5][2] = {{NULL, NULL}, {"mean", "sd"}, {"mean", "sd"},
                                             {"mode", NULL}, {"alpha", "beta"}};
    char line[1400];
    kpi_outfile_puts(of, "# The sensitivity study as run by kpisim " KPI_VERSION
                         ": kpisim sensitivity on this file runs it again.\nname: ");
    kpi_outfile_puts(of, st->name);
    kpi_outfile_puts(of, "\ntitle: ");
    put_quoted(of, st->title);
    if (!st->strategies) {
        kpi_outfile_puts(of, "\nscenario: scenario.yaml\n");
    } else {
        kpi_outfile_puts(of, "\nstrategies:\n");
        for (int s = 0; s < st->nstrategies; s++) {
            snprintf(line, sizeof line, "  - strategies/%s.yaml\n", st->scenario[s].name);
            kpi_outfile_puts(of, line);
        }
    }
    kpi_outfile_puts(of, "keys:\n");
    for (int j = 0; j < st->nkeys; j++) {
        const kpi_study_key *k = &st->key[j];
        snprintf(line, sizeof line, "  %s: {distribution: %s", k->key, dists[k->dist]);
        kpi_outfile_puts(of, line);
        put_yaml_num(of, ", range: [", k->lo);
        put_yaml_num(of, ", ", k->hi);
        kpi_outfile_puts(of, "]");
        for (int p = 0; p < 2; p++) {
            if (!params[k->dist][p])
                continue;
            snprintf(line, sizeof line, ", %s: ", params[k->dist][p]);
            put_yaml_num(of, line, p ? k->p2 : k->p1);
        }
        put_yaml_num(of, ", base: ", k->base);
        kpi_outfile_puts(of, "}\n");
    }
    kpi_outfile_puts(of, "figures: [");
    for (int f = 0; f < st->nfigures; f++) {
        kpi_outfile_puts(of, f ? ", " : "");
        kpi_outfile_puts(of, kpi_figure_name(st->figure[f]));
    }
    kpi_outfile_puts(of, "]\nmethod: [");
    for (int m = 0, first = 1; m < 4; m++) {
        if (!(st->methods & (1 << m)))
            continue;
        kpi_outfile_puts(of, first ? "" : ", ");
        kpi_outfile_puts(of, kpi_study_method_name(1 << m));
        first = 0;
    }
    snprintf(line, sizeof line,
             "]\nsamples: %ld\ntrajectories: %ld\nlevels: %d\nreplications: %ld\nseed: %llu\n"
             "bootstrap: %ld\n", st->samples, st->trajectories, st->levels, st->replications,
             (unsigned long long)st->seed, st->bootstrap);
    kpi_outfile_puts(of, line);
    put_yaml_num(of, "confidence: ", st->confidence);
    kpi_outfile_puts(of, "\n");
    if (st->strategies && st->decision >= 0) {
        snprintf(line, sizeof line, "decision: {figure: %s, better: %s, bins: %d}\n",
                 kpi_figure_name(st->decision), st->higher_is_better ? "higher" : "lower",
                 st->bins);
        kpi_outfile_puts(of, line);
    }
    return KPI_OK;
}

/* The scenarios, with the replications and seed of the points. */
static int stage_scenarios(kpi_outset *set, const char *dir, const kpi_study *st,
                           kpi_error *err)
{
    size_t n = strlen(dir) + 2 * sizeof st->scenario[0].name + 32;
    char *path = malloc(n);
    kpi_scenario *sc = malloc(sizeof *sc);
    int rc = KPI_OK;
    if (!path || !sc)
        rc = kpi_error_oom(err, "while writing the scenarios");
    if (rc == KPI_OK && st->strategies) {
        snprintf(path, n, "%s/strategies", dir);
        rc = kpi_mkdir_p(path, err);
    }
    for (int s = 0; s < st->nstrategies && rc == KPI_OK; s++) {
        memcpy(sc, &st->scenario[s], sizeof *sc);
        sc->replications = st->replications;
        sc->seed = st->seed;
        if (st->strategies)
            snprintf(path, n, "%s/strategies/%s.yaml", dir, sc->name);
        else
            snprintf(path, n, "%s/scenario.yaml", dir);
        rc = kpi_stage_scenario(set, sc, path, err);
    }
    free(path);
    free(sc);
    return rc;
}

int kpi_stage_study(kpi_outset *set, const char *dir, const kpi_study *st,
                    const kpi_study_plan *plan, const kpi_study_result *res,
                    const double *mean, const double *se, kpi_error *err)
{
    kpi_error scratch;
    kpi_outfile *of;
    if (!err)
        err = &scratch;
    int rc = kpi_mkdir_p(dir, err);
    if (rc == KPI_OK)
        rc = kpi_outset_remove_charts(set, dir, 0, err);
    if (rc != KPI_OK)
        return rc;
    if (!(of = kpi_outfile_open(dir, "sensitivity.csv", err)))
        return err->status;
    if ((rc = stage(set, of, write_indices(of, st, res, err), err)) != KPI_OK)
        return rc;
    if (!(of = kpi_outfile_open(dir, "samples.csv", err)))
        return err->status;
    if ((rc = stage(set, of, write_samples(of, st, plan, mean, se, err), err)) != KPI_OK)
        return rc;
    if (!(of = kpi_outfile_open(dir, "sensitivity.yaml", err)))
        return err->status;
    if ((rc = stage(set, of, write_study_file(of, st), err)) != KPI_OK)
        return rc;
    return stage_scenarios(set, dir, st, err);
}
