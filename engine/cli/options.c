/*
 * options.c - the command line: usage errors, option values, and the options
 * shared by run, compare and sweep (cli_common).
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    if (cli_mpi_rank() != 0)
        return KPI_EUSAGE;   /* every rank parsed the same arguments */
    fputs("kpisim: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'kpisim %s --help'.\n", cmd);
    return KPI_EUSAGE;
}

int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return cli_usage(cmd, "%s: expected a whole number in [%ld, %ld], got '%s'", opt, lo, hi, s);
    *out = v;
    return 0;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return cli_usage(cmd, "%s: expected a whole number in [0, 2^64 - 1], got '%s'", opt, s);
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0)
        return cli_usage(cmd, "%s: expected a whole number in [0, 2^64 - 1], got '%s'", opt, s);
    *out = (uint64_t)v;
    return 0;
}

int cli_opt_value(int argc, char **argv, int *i, const char *cmd, const char *name,
                  const char *shortname, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
        if (a[n] == '=') {
            *value = a + n + 1;
            return 1;
        }
    } else if (shortname && strncmp(a, shortname, 2) == 0) {
        if (a[2] != '\0') {
            *value = a + 2;
            return 1;
        }
        name = shortname;
    } else {
        return 0;
    }
    if (*i + 1 >= argc) {
        cli_usage(cmd, "option %s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_check_set(int argc, char **argv, int i, const char *cmd, const char *v)
{
    if (strchr(v, '='))
        return 0;
    /* "--set activity.calls_per_day 12": the value is the next argument,
     * which would otherwise be taken for a scenario file. */
    const char *next = i + 1 < argc ? argv[i + 1] : "";
    size_t nl = strlen(next);
    int file = (nl > 5 && strcmp(next + nl - 5, ".yaml") == 0) ||
               (nl > 4 && strcmp(next + nl - 4, ".yml") == 0);
    if (*v && nl > 0 && next[0] != '-' && !strchr(next, '=') && !file)
        return cli_usage(cmd, "--set: expected KEY=VALUE, e.g. --set %s=%s (without a space)",
                         v, argv[i + 1]);
    return cli_usage(cmd, "--set: expected KEY=VALUE, e.g. --set activity.calls_per_day=12");
}

int cli_common_init(cli_common *c, int argc)
{
    memset(c, 0, sizeof *c);
    c->threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (c->threads < 1)
        c->threads = 1;
    c->sets = (const char **)calloc((size_t)argc + 1, sizeof *c->sets);
    c->pos = (const char **)calloc((size_t)argc + 1, sizeof *c->pos);
    return c->sets && c->pos ? 0 : -1;
}

void cli_common_free(cli_common *c)
{
    free(c->sets);
    free(c->pos);
    c->sets = c->pos = NULL;
}

int cli_parse_common(int argc, char **argv, const char *cmd, void (*help)(FILE *),
                     cli_common *c)
{
    if (cli_common_init(c, argc) != 0)
        return cli_out_of_memory();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return CLI_HELP;
        }
        int m = cli_common_option(argc, argv, &i, cmd, c);
        if (m == 1)
            continue;
        if (m != 0)
            return m;
        if (a[0] == '-' && a[1] != '\0')
            return cli_usage(cmd, "unknown option '%s'", a);
        c->pos[c->npos++] = a;
    }
    if (!c->have_threads)
        c->threads = cli_mpi_default_threads(c->threads);
    /* The other ranks of an MPI job keep quiet: rank 0 speaks for the job. */
    if (cli_mpi_rank() != 0)
        c->quiet = 1;
    return 0;
}

int cli_parse_single(int argc, char **argv, const char *cmd, void (*help)(FILE *),
                     const char *what, const char *hint, cli_common *c)
{
    int rc = cli_parse_common(argc, argv, cmd, help, c);
    if (rc == 0 && c->npos > 1)
        rc = cli_usage(cmd, "one %s at a time (got '%s' and '%s')%s", what, c->pos[0], c->pos[1],
                       hint);
    return rc;
}

int cli_common_option(int argc, char **argv, int *i, const char *cmd, cli_common *c)
{
    const char *a = argv[*i], *v;
    int m;
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        c->quiet = 1;
        return 1;
    }
    if (strcmp(a, "--per-replication") == 0) {
        c->per_rep = 1;
        return 1;
    }
    if (strcmp(a, "--long") == 0) {
        c->long_form = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--output", "-o", &v)) != 0) {
        if (m < 0)
            return KPI_EUSAGE;
        if (!*v)
            return cli_usage(cmd, "-o: expected a directory");
        c->outdir = v;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--replications", "-n", &v)) != 0) {
        if (m < 0 || cli_parse_long(cmd, "-n", v, 1, KPI_MAX_REPLICATIONS, &c->nrep) != 0)
            return KPI_EUSAGE;
        c->have_n = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--seed", NULL, &v)) != 0) {
        if (m < 0 || cli_parse_u64(cmd, "--seed", v, &c->seed) != 0)
            return KPI_EUSAGE;
        c->have_seed = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--threads", NULL, &v)) != 0) {
        if (m < 0 || cli_parse_long(cmd, "--threads", v, 1, 1024, &c->threads) != 0)
            return KPI_EUSAGE;
        c->have_threads = 1;
        return 1;
    }
    if ((m = cli_opt_value(argc, argv, i, cmd, "--set", NULL, &v)) != 0) {
        if (m < 0 || cli_check_set(argc, argv, *i, cmd, v) != 0)
            return KPI_EUSAGE;
        c->sets[c->nsets++] = v;
        return 1;
    }
    return 0;
}
