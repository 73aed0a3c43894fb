/*
 * cmd_explain.c - `kpisim explain SCENARIO.yaml [RUN_DIR]`.
 *
 * Prints the library's whiteboard arithmetic for the scenario (kpi_explain)
 * and, when a run directory is given, the simulated monthly means beside
 * it, read from RUN_DIR/monthly.csv.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void explain_help(FILE *f)
{
    fputs("usage: kpisim explain SCENARIO.yaml [RUN_DIR] [--set KEY=VALUE]...\n"
          "\n"
          "Prints what the scenario should give by hand-checkable arithmetic: calls,\n"
          "contacts, meetings and cases of one agent in one month from the activity\n"
          "standard and the funnels, the visit capacity, and the KPI tree (K1, K2),\n"
          "each with its formula.  With RUN_DIR (the output of 'kpisim run' of the\n"
          "same scenario), the simulated monthly means are shown beside them; a\n"
          "RUN_DIR/scenario.yaml of another scenario (other than in name, title,\n"
          "description, seed and replications) is named in a warning.\n", f);
}

/* Monthly means of a run: the average over months of each KPI's mean. */
typedef struct run_means {
    double kpi[KPI_NKPI];
    int months;
} run_means;

/* Reads DIR/monthly.csv.  Returns 0, or a status after printing why. */
static int read_means(const char *dir, run_means *rm)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "kpisim: %s: %s\n", path, strerror(errno));
        return KPI_ENOINPUT;
    }
    int col[KPI_NKPI];
    for (int k = 0; k < KPI_NKPI; k++) {
        col[k] = -1;
        rm->kpi[k] = 0;
    }
    rm->months = 0;
    static char buf[1 << 16];
    int rc = 0;
    if (!fgets(buf, sizeof buf, f)) {
        fprintf(stderr, "kpisim: %s: empty file\n", path);
        rc = KPI_EDATA;
        goto done;
    }
    {
        int c = 0;
        for (char *tok = strtok(buf, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), c++) {
            for (int k = 0; k < KPI_NKPI; k++) {
                size_t n = strlen(kpi_monthly_name(k));
                if (strncmp(tok, kpi_monthly_name(k), n) == 0 && strcmp(tok + n, "_mean") == 0)
                    col[k] = c;
            }
        }
    }
    while (fgets(buf, sizeof buf, f)) {
        int c = 0;
        for (char *tok = strtok(buf, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), c++)
            for (int k = 0; k < KPI_NKPI; k++)
                if (col[k] == c)
                    rm->kpi[k] += strtod(tok, NULL);
        rm->months++;
    }
    if (rm->months == 0 || col[KPI_HEADCOUNT] < 0) {
        fprintf(stderr, "kpisim: %s: not a kpisim monthly.csv\n", path);
        rc = KPI_EDATA;
        goto done;
    }
    for (int k = 0; k < KPI_NKPI; k++)
        rm->kpi[k] /= rm->months;
done:
    fclose(f);
    return rc;
}

/* The mean of every horizon figure of DIR/summary.csv into fig (NaN for a
 * figure it lacks or leaves empty).  A run without summary.csv leaves them
 * all NaN: the monthly means still explain. */
static void read_figures(const char *dir, double fig[KPI_NFIG])
{
    char path[4096], buf[4096];
    for (int f = 0; f < KPI_NFIG; f++)
        fig[f] = NAN;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    while (fgets(buf, sizeof buf, fp)) {
        char *comma = strchr(buf, ',');
        if (!comma)
            continue;
        *comma = '\0';
        for (int f = 0; f < KPI_NFIG; f++) {
            if (strcmp(buf, kpi_figure_name(f)) == 0) {
                char *end;
                double v = strtod(comma + 1, &end);
                fig[f] = (end != comma + 1 && (*end == ',' || *end == '\n' || *end == '\r' || *end == '\0')) ? v : NAN;
            }
        }
    }
    fclose(fp);
}

/* The dotted key of each line of an emitted scenario ("activity:" then
 * "  calls_per_day: 10" is activity.calls_per_day), written into key. */
static void line_key(const char *line, size_t len, char *section, size_t ssize, char *key,
                     size_t ksize)
{
    const char *colon = memchr(line, ':', len);
    size_t klen = colon ? (size_t)(colon - line) : len;
    if (line[0] != ' ' && line[0] != '-') {
        snprintf(key, ksize, "%.*s", (int)klen, line);
        if (colon && (size_t)(colon - line) + 1 == len)
            snprintf(section, ssize, "%.*s", (int)klen, line);   /* "team:" */
        else
            section[0] = '\0';
        return;
    }
    size_t i = 0;
    while (i < klen && (line[i] == ' ' || line[i] == '-'))
        i++;
    if (strcmp(section, "events") == 0 || line[i] == '{')
        snprintf(key, ksize, "%s", section);
    else
        snprintf(key, ksize, "%s.%.*s", section, (int)(klen - i), line + i);
}

/* Whether RUN_DIR holds a run of the scenario explained: its scenario.yaml
 * (the resolved scenario of the run) against sc, written the same way,
 * leaving out what does not change the numbers compared (name, title,
 * description) and what a run sets from its options (seed,
 * replications).  Returns 0 when they agree; else writes what differs
 * (a few keys, "key: VALUE here, VALUE in the run") into diff and returns
 * 1, or -1 when the run's scenario cannot be read (diff says why). */
static int same_scenario(const kpi_scenario *sc, const char *dir, char *diff, size_t size)
{
    char path[4096];
    kpi_error err;
    kpi_scenario *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    char *ta = NULL, *tb = NULL;
    size_t la = 0, lb = 0;
    int rc = -1;
    diff[0] = '\0';
    snprintf(path, sizeof path, "%s/scenario.yaml", dir);
    if (!a || !b) {
        snprintf(diff, size, "out of memory");
        goto done;
    }
    if (kpi_scenario_load(b, path, &err) != KPI_OK) {
        char buf[2048];
        snprintf(diff, size, "%s", kpi_error_format(&err, buf, sizeof buf));
        goto done;
    }
    memcpy(a, sc, sizeof *a);
    memcpy(b->name, a->name, sizeof b->name);
    memcpy(b->title, a->title, sizeof b->title);
    memcpy(b->description, a->description, sizeof b->description);
    b->seed = a->seed;
    b->replications = a->replications;
    /* A run resolves clients.repeat_share into the focus it found (and
     * writes that): the share given here cannot be checked against it
     * without the pilot runs, so the focus is left out. */
    if (a->clients.repeat_share >= 0 && b->clients.repeat_share < 0) {
        b->clients.repeat_share = a->clients.repeat_share;
        b->clients.focus = a->clients.focus;
    }
    if (kpi_scenario_text(a, &ta, &la, &err) != KPI_OK ||
        kpi_scenario_text(b, &tb, &lb, &err) != KPI_OK) {
        snprintf(diff, size, "%s", err.msg);
        goto done;
    }
    if (la == lb && memcmp(ta, tb, la) == 0) {
        rc = 0;
        goto done;
    }
    /* Line by line, naming the keys that differ (the emitter writes every
     * key in one order, so lines match up to the events). */
    rc = 1;
    const char *pa = ta, *pb = tb, *ea = ta + la, *eb = tb + lb;
    char sec_a[128] = "", sec_b[128] = "";
    int shown = 0;
    size_t used = 0;
    while (pa < ea && pb < eb && shown < 4) {
        const char *na = memchr(pa, '\n', (size_t)(ea - pa)), *nb = memchr(pb, '\n', (size_t)(eb - pb));
        size_t lna = na ? (size_t)(na - pa) : (size_t)(ea - pa);
        size_t lnb = nb ? (size_t)(nb - pb) : (size_t)(eb - pb);
        char ka[256], kb[256];
        line_key(pa, lna, sec_a, sizeof sec_a, ka, sizeof ka);
        line_key(pb, lnb, sec_b, sizeof sec_b, kb, sizeof kb);
        if (strcmp(ka, kb) != 0) {
            /* the lists of events differ in length: from here the lines do
             * not match up */
            snprintf(diff + used, size - used, "%s%s and more", used ? "; " : "", ka);
            shown = 4;
            break;
        }
        if (lna != lnb || memcmp(pa, pb, lna) != 0) {
            const char *va = memchr(pa, ':', lna), *vb = memchr(pb, ':', lnb);
            int w;
            if (va && vb && strcmp(ka, "events") != 0)
                w = snprintf(diff + used, size - used, "%s%s:%.*s here,%.*s in the run",
                             used ? "; " : "", ka, (int)(lna - (size_t)(va - pa) - 1), va + 1,
                             (int)(lnb - (size_t)(vb - pb) - 1), vb + 1);
            else
                w = snprintf(diff + used, size - used, "%s%s", used ? "; " : "", ka);
            if (w < 0 || (size_t)w >= size - used)
                break;
            used += (size_t)w;
            shown++;
            /* one entry for the events, however many of their lines differ */
            if (strcmp(ka, "events") == 0)
                break;
        }
        pa = na ? na + 1 : ea;
        pb = nb ? nb + 1 : eb;
    }
    if (!diff[0])
        snprintf(diff, size, "events");
done:
    free(ta);
    free(tb);
    free(a);
    free(b);
    return rc;
}

/* What a run of the scenario's replications on the default threads will
 * hold in memory, and whether it fits (the check run, compare and sweep
 * make before they start). */
static void print_memory(const kpi_scenario *sc)
{
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    kpi_memory need;
    char a[32], b[32], source[128];
    kpi_memory_estimate(sc, sc->replications, threads < 1 ? 1 : (int)threads, &need);
    double avail = kpi_memory_available(source, sizeof source);
    printf("\nMemory of a run (%ld replications, %d threads; docs/hardening.md \"Limits\")\n",
           sc->replications, need.threads);
    printf("  %-26s %12s   replications x (months x %d KPIs + %d figures) x 8 bytes\n",
           "results", kpi_memory_format(need.results, a, sizeof a), KPI_NKPI, KPI_NFIG);
    /* Bounds of counts: whole numbers, rounded up. */
    char h[CLI_HUMAN_BUF];
    printf("  %-26s %12s   month by month: team x (1 - attrition) + recruits_per_month + "
           "recruits_per_agent x team\n", "agents at most",
           cli_human(ceil(need.agents), KPI_UNIT_COUNT, NULL, 0, h, sizeof h));
    printf("  %-26s %12s   headcount x initial_per_agent + agent-months x the prospect "
           "funnel's cases\n", "clients in a book",
           cli_human(ceil(need.clients), KPI_UNIT_COUNT, NULL, 0, h, sizeof h));
    printf("  %-26s %12s   per thread: agents and clients, as their arrays grow\n",
           "model workspace", kpi_memory_format(need.workspace, a, sizeof a));
    printf("  %-26s %12s   %s the %s available (%s)\n", "in all",
           kpi_memory_format(need.total, a, sizeof a),
           need.total <= avail ? "within" : "MORE than", kpi_memory_format(avail, b, sizeof b),
           source);
}

/* The lines of kpi_explain: by hand and, with a run, simulated beside
 * them (a figure's line from summary.csv, a KPI's from the monthly means,
 * per agent when the line says so). */
static void print_lines(const kpi_explain_line *lines, int n, const char *dir,
                        const run_means *rm, const double *figs)
{
    for (int i = 0; i < n; i++) {
        const kpi_explain_line *l = &lines[i];
        if (l->heading) {
            printf("\n%s\n", l->label);
            continue;
        }
        char sim[CLI_HUMAN_BUF] = "";
        if (dir && l->fig >= 0) {
            if (!isnan(figs[l->fig]))
                cli_human(figs[l->fig], KPI_UNIT_NUMBER, NULL, 0, sim, sizeof sim);
        } else if (dir && l->kpi >= 0) {
            double v = rm->kpi[l->kpi] + (l->kpi2 >= 0 ? rm->kpi[l->kpi2] : 0);
            if (l->per_agent)
                v = rm->kpi[KPI_HEADCOUNT] > 0 ? v / rm->kpi[KPI_HEADCOUNT] : 0;
            cli_human(v, KPI_UNIT_NUMBER, NULL, 0, sim, sizeof sim);
        }
        /* The numbers as people read them (human.c): 43,450, not 4.345e+04. */
        char val[CLI_HUMAN_BUF] = "-";
        if (!l->no_value)
            cli_human(l->value, KPI_UNIT_NUMBER, NULL, 0, val, sizeof val);
        if (dir)
            printf("  %-26s %12s %12s   %s\n", l->label, val, sim, l->formula);
        else
            printf("  %-26s %12s   %s\n", l->label, val, l->formula);
    }
}

int cli_cmd_explain(int argc, char **argv)
{
    const char *path = NULL, *dir = NULL;
    cli_common o;
    kpi_scenario *sc = NULL;
    kpi_error err;
    int rc = 0;
    run_means rm = {{0}, 0};
    double figs[KPI_NFIG];

    if (cli_common_init(&o, argc) != 0) {
        cli_common_free(&o);
        return cli_out_of_memory();
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int m;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            explain_help(stdout);
            goto done;
        }
        if ((m = cli_opt_value(argc, argv, &i, "explain", "--set", NULL, &v)) != 0) {
            if (m < 0) {
                rc = KPI_EUSAGE;
                goto done;
            }
            if (cli_check_set(argc, argv, i, "explain", v) != 0) {
                rc = KPI_EUSAGE;
                goto done;
            }
            o.sets[o.nsets++] = v;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            rc = cli_usage("explain", "unknown option '%s'", a);
            goto done;
        }
        if (!path)
            path = a;
        else if (!dir)
            dir = a;
        else {
            rc = cli_usage("explain", "expected SCENARIO.yaml and at most one RUN_DIR");
            goto done;
        }
    }
    if (!path) {
        rc = cli_usage("explain", "no scenario file given");
        goto done;
    }
    sc = malloc(sizeof *sc);
    if (!sc) {
        rc = cli_out_of_memory();
        goto done;
    }
    rc = kpi_scenario_load_sets(sc, path, o.sets, (size_t)o.nsets, &err);
    if (rc != KPI_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    if (dir && (rc = read_means(dir, &rm)) != 0)
        goto done;
    if (dir)
        read_figures(dir, figs);
    /* Another scenario's run beside this one's arithmetic would mislead:
     * say so on stderr, and in the output. */
    char diff[1024];
    int same = dir ? same_scenario(sc, dir, diff, sizeof diff) : 0;
    if (same > 0)
        fprintf(stderr, "kpisim: warning: %s is a run of another scenario than %s (%s): its "
                        "simulated means do not belong beside this arithmetic\n",
                dir, path, diff);
    else if (same < 0)
        fprintf(stderr, "kpisim: warning: cannot tell whether %s is a run of %s: %s\n", dir,
                path, diff);

    kpi_explain_line lines[64];
    int n = kpi_explain(sc, lines, 64);
    printf("%s%s%s%s\n", sc->name, sc->title[0] ? ": \"" : "", sc->title,
           sc->title[0] ? "\"" : "");
    if (dir)
        printf("%-28s %12s %12s   %s\n", "", "by hand", "simulated", "formula");
    print_lines(lines, n, dir, &rm, figs);
    print_memory(sc);
    if (same > 0)
        printf("\nWARNING: %s/scenario.yaml is not this scenario (%s): the simulated column "
               "is of another scenario.\n", dir, diff);
    else if (same < 0)
        printf("\nWARNING: %s/scenario.yaml cannot be read (%s): the simulated column may be "
               "of another scenario.\n", dir, diff);
    if (dir)
        printf("\nsimulated: monthly means of %s/monthly.csv over its %d months, per agent "
               "divided by the mean headcount; the volatility measure is summary.csv's mean "
               "across replications.\nThe simulation adds what the arithmetic leaves "
               "out: skill, ramp-up, exits, the book's needs and size, the backlog.\n",
               dir, rm.months);
done:
    free(sc);
    cli_common_free(&o);
    return rc;
}
