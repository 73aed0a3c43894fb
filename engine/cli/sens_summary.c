/*
 * sens_summary.c - the stdout summary of `kpisim sensitivity`: the rows of
 * sensitivity.csv that a reader wants first, as people read numbers
 * (human.c).  Per strategy and figure: the tornado (keys by their swing),
 * Morris's mu* and sigma, the Sobol indices with their intervals, the
 * noise floor (indices below it flagged) and the convergence check; then,
 * for strategies, the probability each is best and where the ranking
 * flips.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The row (strategy s, figure f, method m, key, index), or NULL. */
static const kpi_study_row *find(const kpi_study_result *res, int s, int f, int m, int key,
                                 const char *index)
{
    for (size_t i = 0; i < res->nrows; i++) {
        const kpi_study_row *r = &res->row[i];
        if (r->strategy == s && r->figure == f && r->method == m && r->key == key &&
            strcmp(r->index, index) == 0)
            return r;
    }
    return NULL;
}

static double value(const kpi_study_result *res, int s, int f, int m, int key, const char *index)
{
    const kpi_study_row *r = find(res, s, f, m, key, index);
    return r ? r->value : NAN;
}

static const char *money(double x, int fig, const char *cur, char *buf, size_t size)
{
    return cli_human(x, kpi_figure_unit(fig), cur, CLI_HUMAN_SIGNED, buf, size);
}

static void tornado(FILE *out, const kpi_study *st, const kpi_study_result *res, int s, int f)
{
    char a[CLI_HUMAN_BUF], b[CLI_HUMAN_BUF], c[CLI_HUMAN_BUF], d[CLI_HUMAN_BUF];
    const char *cur = st->scenario[s].currency;
    fprintf(out, "  tornado (one at a time from the base; each key at its low and high end):\n");
    fprintf(out, "    %-34s %14s %14s %14s %12s\n", "key", "at low", "at high", "swing",
            "+- noise");
    for (int rank = 1; rank <= st->nkeys; rank++) {
        int key = -1;
        for (int j = 0; j < st->nkeys; j++)
            if (value(res, s, f, KPI_METHOD_OAT, j, "rank") == rank)
                key = j;
        if (key < 0)
            continue;
        const kpi_study_row *sw = find(res, s, f, KPI_METHOD_OAT, key, "swing");
        fprintf(out, "    %-34s ", st->key[key].key);
        cli_put_cell(out, money(value(res, s, f, KPI_METHOD_OAT, key, "swing_low"), f, cur, a,
                                sizeof a), 14);
        fputc(' ', out);
        cli_put_cell(out, money(value(res, s, f, KPI_METHOD_OAT, key, "swing_high"), f, cur, b,
                                sizeof b), 14);
        fputc(' ', out);
        cli_put_cell(out, cli_human(sw->value, kpi_figure_unit(f), cur, 0, c, sizeof c), 14);
        fputc(' ', out);
        cli_put_cell(out, cli_human((sw->hi - sw->lo) / 2, kpi_figure_unit(f), cur, 0, d,
                                    sizeof d), 12);
        fputc('\n', out);
    }
}

static void morris(FILE *out, const kpi_study *st, const kpi_study_result *res, int s, int f)
{
    char a[CLI_HUMAN_BUF], b[CLI_HUMAN_BUF];
    const char *cur = st->scenario[s].currency;
    fprintf(out, "  Morris screening (%ld trajectories; effects per whole range):\n",
            st->trajectories);
    fprintf(out, "    %-34s %14s %14s\n", "key", "mu*", "sigma");
    for (int j = 0; j < st->nkeys; j++) {
        fprintf(out, "    %-34s ", st->key[j].key);
        cli_put_cell(out, cli_human(value(res, s, f, KPI_METHOD_MORRIS, j, "mu_star"),
                                    kpi_figure_unit(f), cur, 0, a, sizeof a), 14);
        fputc(' ', out);
        cli_put_cell(out, cli_human(value(res, s, f, KPI_METHOD_MORRIS, j, "sigma"),
                                    kpi_figure_unit(f), cur, 0, b, sizeof b), 14);
        fputc('\n', out);
    }
}

static void sobol(FILE *out, const kpi_study *st, const kpi_study_result *res, int s, int f)
{
    int order[KPI_STUDY_MAX_KEYS];
    for (int j = 0; j < st->nkeys; j++)
        order[j] = j;
    /* By total index, largest first (insertion sort: at most 20 keys). */
    for (int a = 1; a < st->nkeys; a++)
        for (int b = a; b > 0 && value(res, s, f, KPI_METHOD_SOBOL, order[b], "ST") >
                                     value(res, s, f, KPI_METHOD_SOBOL, order[b - 1], "ST");
             b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    fprintf(out, "  Sobol indices (base n = %ld, %.0f%% bootstrap intervals; '~' = below the "
            "noise floor):\n", st->samples, 100 * st->confidence);
    fprintf(out, "    %-34s %24s %24s\n", "key", "first order S1", "total ST");
    for (int i = 0; i < st->nkeys; i++) {
        const int j = order[i];
        const kpi_study_row *s1 = find(res, s, f, KPI_METHOD_SOBOL, j, "S1");
        const kpi_study_row *tt = find(res, s, f, KPI_METHOD_SOBOL, j, "ST");
        if (!s1 || !tt)
            continue;
        char c1[64], c2[64];
        snprintf(c1, sizeof c1, "%s%.3f [%.3f, %.3f]",
                 value(res, s, f, KPI_METHOD_SOBOL, j, "S1_noise") == 1 ? "~" : " ", s1->value,
                 s1->lo, s1->hi);
        snprintf(c2, sizeof c2, "%s%.3f [%.3f, %.3f]",
                 value(res, s, f, KPI_METHOD_SOBOL, j, "ST_noise") == 1 ? "~" : " ", tt->value,
                 tt->lo, tt->hi);
        fprintf(out, "    %-34s %24s %24s\n", st->key[j].key, c1, c2);
    }
    double change = value(res, s, f, KPI_METHOD_SOBOL, -1, "max_change");
    double tol = value(res, s, f, KPI_METHOD_SOBOL, -1, "tolerance");
    if (isfinite(change))
        fprintf(out, "  convergence: the largest change of an index from n = %ld to n = %ld is "
                "%.4f (tolerance %.4f: %s)\n", st->samples / 2, st->samples, change, tol,
                value(res, s, f, KPI_METHOD_SOBOL, -1, "converged") == 1 ? "converged"
                                                                          : "NOT converged");
}

static void one_output(FILE *out, const kpi_study *st, const kpi_study_result *res, int s, int f)
{
    char a[CLI_HUMAN_BUF];
    const char *cur = st->scenario[s].currency;
    if (st->strategies)
        fprintf(out, "%s: %s\n", st->scenario[s].name, kpi_figure_name(f));
    else
        fprintf(out, "%s\n", kpi_figure_name(f));
    if (st->methods & KPI_METHOD_OAT)
        tornado(out, st, res, s, f);
    if (st->methods & KPI_METHOD_MORRIS)
        morris(out, st, res, s, f);
    if (st->methods & KPI_METHOD_SOBOL)
        sobol(out, st, res, s, f);
    for (int m = 1; m <= KPI_METHOD_LHS; m <<= 1) {
        double noise = value(res, s, f, m, -1, "noise_se");
        if (!isfinite(noise))
            continue;
        fprintf(out, "  Monte Carlo noise (%s): standard error of a point's mean %s "
                "(%ld replications)\n", kpi_study_method_name(m),
                cli_human(noise, kpi_figure_unit(f), cur, 0, a, sizeof a), st->replications);
        break;
    }
    fputc('\n', out);
}

static void decision(FILE *out, const kpi_study *st, const kpi_study_result *res)
{
    const int f = st->decision;
    fprintf(out, "decision on %s (%s is better):\n", kpi_figure_name(f),
            st->higher_is_better ? "higher" : "lower");
    for (int s = 0; s < st->nstrategies; s++) {
        const kpi_study_row *p = find(res, s, f, 0, -1, "p_best");
        if (p)
            fprintf(out, "  P(%s is best) = %.3f [%.3f, %.3f]\n", st->scenario[s].name, p->value,
                    p->lo, p->hi);
    }
    int flip = -1;
    for (int j = 0; j < st->nkeys; j++)
        if (find(res, 1, f, 0, j, "flip_at"))
            flip = j;
    if (flip < 0)
        return;
    fprintf(out, "  share of points where %s is best, by %d bins of each key (low to high):\n",
            st->scenario[1].name, st->bins);
    for (int j = 0; j < st->nkeys; j++) {
        fprintf(out, "    %-34s", st->key[j].key);
        for (int b = 1; b <= st->bins; b++) {
            char name[32];
            snprintf(name, sizeof name, "share_bin%d", b);
            fprintf(out, " %5.2f", value(res, 1, f, 0, j, name));
        }
        fprintf(out, "   spread %.2f\n", value(res, 1, f, 0, j, "flip_spread"));
    }
    double at = value(res, 1, f, 0, flip, "flip_at");
    if (isfinite(at))
        fprintf(out, "  the ranking flips along %s, at about %.4g\n", st->key[flip].key, at);
    else
        fprintf(out, "  the ranking does not flip along any key's bins (the largest spread: %s)\n",
                st->key[flip].key);
}

void cli_sens_summary(FILE *f, const kpi_study *st, const kpi_study_plan *plan,
                      const kpi_study_result *res)
{
    (void)plan;
    for (int s = 0; s < st->nstrategies; s++)
        for (int i = 0; i < st->nfigures; i++)
            one_output(f, st, res, s, st->figure[i]);
    if (st->strategies && st->decision >= 0)
        decision(f, st, res);
}
