/*
 * cli.h - shared pieces of the kpisim command-line program.
 *
 * The CLI is a thin layer over the public library (kpisim.h): it parses
 * arguments, loads scenarios, draws the progress bar, turns Ctrl-C into a
 * cancellation, prints errors and maps statuses to exit codes (which are
 * the library's status values, BSD sysexits).
 */
#ifndef KPI_CLI_H
#define KPI_CLI_H

#include <signal.h>
#include <stdio.h>

#include "kpisim.h"

/* ---- status.c: how a command ends ---------------------------------- */

/* Prints "kpisim: <formatted error>" to stderr (on rank 0 of an MPI job:
 * the ranks agree on errors first, see cli_mpi_agree) and returns
 * err->status. */
int cli_fail(const kpi_error *err);

/* The job's status (cli_mpi_agree; with one process, rc itself), its error
 * printed with cli_fail when it is not KPI_OK. */
int cli_agreed(int rc, kpi_error *err);

/* Prints "kpisim: out of memory" to stderr and returns KPI_EINTERNAL. */
int cli_out_of_memory(void);

/* Fills err with "out of memory", status KPI_EINTERNAL, for a failure
 * that is printed once the ranks of an MPI job agreed (cli_agreed);
 * returns KPI_EINTERNAL. */
int cli_oom_error(kpi_error *err);

/* Prints that a run cut short by Ctrl-C or SIGTERM wrote nothing to outdir
 * (the caller prints it on rank 0 only). */
void cli_say_interrupted(const char *outdir);

/* How a command's runs ended, for one that writes to outdir: KPI_OK; after
 * Ctrl-C, KPI_ECANCEL with cli_say_interrupted on rank 0; any other status
 * printed with cli_fail.  Returns rc. */
int cli_run_outcome(int rc, const char *outdir, const kpi_error *err);

/* ---- options.c: the command line ------------------------------------ */

/* Prints "kpisim: <message>" plus a hint to use --help; returns KPI_EUSAGE. */
int cli_usage(const char *cmd, const char *fmt, ...);

/* Option values.  Each returns 0 on success, or prints a usage error and
 * returns KPI_EUSAGE. */
int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out);

/* For an option that takes a value: matches "--name", "--name=V" or, when
 * shortname is not NULL, "-x" and "-xV".  On a match stores the value (from
 * the same or the next argument, advancing *i) and returns 1; returns -1
 * when the value is missing (after printing a usage error), 0 when argv[*i]
 * is not this option. */
int cli_opt_value(int argc, char **argv, int *i, const char *cmd, const char *name,
                  const char *shortname, const char **value);

/* The value v of the --set at argv[i]: 0 when it holds '=', else prints
 * "--set: expected KEY=VALUE, e.g. ..." (naming the next argument when
 * it looks like the value written after a space) and returns KPI_EUSAGE. */
int cli_check_set(int argc, char **argv, int i, const char *cmd, const char *v);

/* ---- signals.c: Ctrl-C and SIGTERM (depends on nothing else) --------- */

/* Installs SIGINT/SIGTERM handlers that request cancellation. */
void cli_signals_install(void);
int cli_interrupted(void);
/* The flag the handlers set, for kpi_run_opts.cancel. */
const volatile sig_atomic_t *cli_cancel_flag(void);

/* ---- progress.c: the progress bar and the clock ----------------------- */

typedef struct cli_progress {
    int draw;              /* draw a bar (stderr is a terminal, not --quiet) */
    double start;          /* monotonic seconds at start */
    double last;           /* last redraw */
    int drawn;             /* something is on the line */
    const char *label;
    long offset, grand;    /* a batch of runs: done before this run, in all */
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label, int quiet);
/* A kpi_progress_fn: draws the bar, returns non-zero after Ctrl-C. */
int cli_progress_cb(void *userdata, long done, long total);
/* Clears the bar line. */
void cli_progress_end(cli_progress *p);

double cli_now(void);

/* ---- human.c: numbers for people -------------------------------------- */

/* Room for any number cli_human writes, a currency of 31 bytes included. */
#define CLI_HUMAN_BUF 96
/* A difference: "+" before a positive value, a share in percentage points. */
#define CLI_HUMAN_SIGNED 1u

/* x of unit (kpisim.h enum kpi_unit) as people read it: grouped
 * thousands, decimals by unit and magnitude, never an exponent, money with
 * currency (the scenario's; "" or NULL for none), NaN as "n/a" (human.c
 * has the rules).  Returns buf. */
const char *cli_human(double x, int unit, const char *currency, unsigned flags, char *buf,
                      size_t size);

/* Prints s in a cell of |width| terminal columns, right-aligned (width >
 * 0) or left-aligned (width < 0), counting UTF-8 characters, not bytes. */
void cli_put_cell(FILE *f, const char *s, int width);

/* ---- options.c: the options shared by run, compare and sweep --------- */

typedef struct cli_common {
    const char *outdir;
    const char **sets;      /* --set values, in order */
    int nsets;
    const char **pos;       /* the arguments that are not options, in order */
    int npos;
    int quiet, per_rep, have_n, have_seed, have_threads;
    int long_form;          /* --long: also DIR/long.csv (tidy.c) */
    long nrep, threads;
    uint64_t seed;
} cli_common;

/* Clears c, sets the default thread count (the online processors) and
 * makes room for argc --set values and arguments.  Returns 0 or -1 (out of
 * memory).  cli_common_free releases what it allocated. */
int cli_common_init(cli_common *c, int argc);
void cli_common_free(cli_common *c);

/* Initialises c (cli_common_init) and parses argv[1..] of command cmd:
 * -h/--help (prints help(stdout) and returns CLI_HELP), the shared options
 * into c, and every other argument that does not start with '-' into
 * c->pos.  Returns 0, CLI_HELP, KPI_EINTERNAL (out of memory) or KPI_EUSAGE
 * after printing a usage error.  The caller frees c with cli_common_free
 * whatever the result. */
#define CLI_HELP (-1)
int cli_parse_common(int argc, char **argv, const char *cmd, void (*help)(FILE *),
                     cli_common *c);

/* cli_parse_common for a command that takes at most one argument: a
 * second one is the usage error "one WHAT at a time (got 'A' and
 * 'B')HINT".  Returns as cli_parse_common. */
int cli_parse_single(int argc, char **argv, const char *cmd, void (*help)(FILE *),
                     const char *what, const char *hint, cli_common *c);

/* Tries argv[*i] as one of the shared options (-o, -n, --seed, --threads,
 * --set, --quiet, --per-replication, --long).  Returns 1 when it was one (value
 * taken), 0 when it is not, or KPI_EUSAGE after printing a usage error.
 * c->sets must have room for argc entries. */
int cli_common_option(int argc, char **argv, int *i, const char *cmd, cli_common *c);

/* ---- prepare.c: between loading and running -------------------------- */

/* Resolves clients.repeat_share into a focus when the scenario gives one,
 * reporting the focus found on stderr unless quiet; label names the
 * scenario in messages.  Returns a status, with err filled when not
 * KPI_OK (KPI_ECANCEL after Ctrl-C). */
int cli_resolve_focus(kpi_scenario *sc, const kpi_run_opts *opts, const char *label,
                      int quiet, kpi_error *err);

/* Whether a run that needs need fits in the memory this process may use
 * (kpi_memory_check): KPI_OK, or the status with err filled, blamed on
 * file (printed by the caller with cli_fail, after an MPI job's ranks
 * agreed).  n_option: the replications came from -n. */
int cli_check_memory(const kpi_memory *need, const char *file, int n_option, kpi_error *err);
/* kpi_run_opts.workspace_limit for a run the check approved:
 * (available - results) / threads, at least the estimated workspace. */
double cli_workspace_limit(const kpi_memory *need);
/* Warns on stderr (rank 0) when sc says it was written for an earlier
 * model version than this program's (docs/changes.md), then records the
 * version that runs it: the outputs' scenario.yaml says which laws made
 * them. */
void cli_warn_model(kpi_scenario *sc, const char *label);

/* Collective: whether the output directory dir can be created and written
 * (kpi_output_check, on rank 0), before any replication runs.  KPI_OK, or
 * the status after printing the error (cli_agreed). */
int cli_check_output(const char *dir, kpi_error *err);

/* ---- mpi.c: the ranks of an MPI job ----------------------------------- */

/* MPI (mpi.c; docs/cluster.md).  With `make MPI=1` and a launcher (mpirun,
 * srun) the job has several ranks; otherwise one, and these pass through. */
int cli_mpi_init(int *argc, char ***argv);
void cli_mpi_finalize(void);
int cli_mpi_rank(void);
int cli_mpi_size(void);

/* The default --threads of a rank: the online processors shared by the
 * ranks of its node. */
long cli_mpi_default_threads(long online);

/* Collective: every rank brings its status (and error); returns the job's:
 * KPI_OK when every rank is fine, else the status of the lowest failing
 * rank (a real error before a cancel), whose error every rank gets, its
 * message prefixed with "rank R of N: ". */
int cli_mpi_agree(int rc, kpi_error *err);

/* Collective: fails (KPI_EDATA) unless every rank loaded the same scenario
 * (the same resolved YAML); label names it in the message. */
int cli_mpi_same_scenario(const kpi_scenario *sc, const char *label, kpi_error *err);

/* Collective kpi_run: the replications split in blocks across the ranks,
 * gathered in order on rank 0.  The status is agreed; *out is set on rank
 * 0 only (NULL elsewhere). */
int cli_mpi_run(const kpi_scenario *sc, const kpi_run_opts *opts, kpi_results **out,
                kpi_error *err);

/* Collective kpi_run_range of replications 0 .. count-1 into every rank's
 * monthly and figures (whole arrays on every rank: each computes its block
 * and receives the others'), the status agreed: the kpi_fit_run_fn of a
 * calibration (userdata unused).  With one process, kpi_run_range. */
int cli_mpi_run_all(void *userdata, const kpi_scenario *sc, const kpi_run_opts *opts,
                    long count, double *monthly, double *figures, kpi_error *err);

/* Collective: computes point p of npoints with fn into bands + p * KPI_NFIG
 * for every p, the points handed out one at a time across the ranks; on
 * rank 0 bands gets every point.  fn may run in a thread of rank 0 other
 * than the main one (it must not call MPI).  progress (rank 0, main
 * thread) hears of finished points.  The status is agreed. */
typedef int (*cli_point_fn)(void *ctx, long p, kpi_band *bands, kpi_error *err);
typedef void (*cli_points_progress_fn)(void *pdata, long done, long total);
int cli_mpi_points(long npoints, cli_point_fn fn, void *ctx, kpi_band *bands,
                   cli_points_progress_fn progress, void *pdata, kpi_error *err);

/* The replications of a run of n whose results this process holds: all of
 * them alone or on rank 0 of an MPI job (which gathers them), its block of
 * about n / ranks on the other ranks. */
long cli_mpi_held(long n);

/* ---- cmd_*.c: the commands -------------------------------------------- */

int cli_cmd_run(int argc, char **argv);
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_plot(int argc, char **argv);
int cli_cmd_explain(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_calibrate(int argc, char **argv);
int cli_cmd_sensitivity(int argc, char **argv);

/* ---- sens_summary.c: what `kpisim sensitivity` prints ----------------- */

/* The summary for people: per strategy and figure the tornado, Morris's
 * screening, the Sobol indices with their intervals, the convergence check
 * and the noise floor; then the decision's win probabilities and where
 * the ranking flips. */
void cli_sens_summary(FILE *f, const kpi_study *st, const kpi_study_plan *plan,
                      const kpi_study_result *res);

#endif /* KPI_CLI_H */
