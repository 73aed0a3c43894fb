/*
 * kpisim.h - the public interface of libkpisim.
 *
 * kpisim is a Monte Carlo engine for the activity, client book and money of a
 * life-insurance sales team.  The pipeline is:
 *
 *     scenario file --(kpi_scenario_load)--> kpi_scenario
 *                   --(kpi_run)-----------> kpi_results (per replication KPIs)
 *                   --(kpi_write_run)-----> monthly.csv, summary.csv, ...
 *
 * The CLI (engine/cli/) uses only this header.  Everything here is
 * thread-compatible: no function keeps hidden state between calls, so two
 * threads may use two different objects at the same time.
 *
 * Conventions: functions that can fail return a status (KPI_OK = 0 on
 * success) and fill a caller-supplied kpi_error.  The status values are the
 * BSD sysexits codes the CLI exits with, so the CLI passes them through.
 * Objects come in create/destroy pairs; every destroy accepts NULL.
 *
 * GSL's error handler: the library never calls it on the run path (kpi_run,
 * kpi_run_range, kpi_scenario_resolve_focus and everything they call).  GSL's
 * default handler aborts the process, and its allocating functions
 * (gsl_rng_alloc, the discrete-law tables of randist) report a failed malloc through
 * it; the library makes its generators and alias tables itself with checked
 * allocations, calls the other GSL functions (samplers, gsl_sort, gsl_stats)
 * only with arguments they accept, and reports running out of memory as
 * KPI_EINTERNAL.  So a caller need not call gsl_set_error_handler_off() for
 * the out-of-memory contract to hold.  A module that later needs a GSL
 * allocation off the run path must say here what the caller has to do.
 */
#ifndef KPISIM_H
#define KPISIM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* The library's API: every function declared here, and only these, has
 * default visibility (the library's objects are built with
 * -fvisibility=hidden, so that its internal kpi_ functions stay inside a
 * shared build of it; test_standalone checks the list). */
#if defined(__GNUC__)
#define KPI_API __attribute__((visibility("default")))
#else
#define KPI_API
#endif

#define KPI_VERSION "0.2.0"

/* The version of the model's laws (docs/changes.md): 1 the first model, 2
 * the second wave (sales cycle, engagement, the agency's money).  Written
 * into every scenario.yaml (`model_version`) and summary.csv. */
#define KPI_MODEL_VERSION 2

/* ------------------------------------------------------------------ */
/* Status codes and the error record                                   */
/* ------------------------------------------------------------------ */

enum kpi_status {
    KPI_OK = 0,
    KPI_EUSAGE = 64,     /* bad command line (EX_USAGE) */
    KPI_EDATA = 65,      /* bad scenario data (EX_DATAERR) */
    KPI_ENOINPUT = 66,   /* input file missing or unreadable (EX_NOINPUT) */
    KPI_EINTERNAL = 70,  /* internal error, out of memory (EX_SOFTWARE) */
    KPI_ECREATE = 73,    /* cannot create an output file (EX_CANTCREAT) */
    KPI_EIO = 74,        /* writing an output file failed (EX_IOERR) */
    KPI_ECANCEL = 130    /* cancelled (Ctrl-C, SIGTERM, progress callback) */
};

/* One error.  line and col are 1-based; 0 means "not known".  file is the
 * scenario file (or "--set" for a command-line override), key the dotted key
 * path ("activity.compliance") or "" when the error is not about a key. */
typedef struct kpi_error {
    int status;
    int line, col;
    char file[1024];
    char key[256];
    char msg[1024];
} kpi_error;

/* Writes "file:line:col: key: msg" (parts that are unknown are left out)
 * into buf, always NUL-terminated.  Returns buf. */
KPI_API char *kpi_error_format(const kpi_error *err, char *buf, size_t size);

/* A set of output files committed together (see "Writers" below). */
typedef struct kpi_outset kpi_outset;

/* ------------------------------------------------------------------ */
/* Scenario                                                           */
/* ------------------------------------------------------------------ */

/* Limits a scenario may not exceed (checked by the loader). */
#define KPI_MAX_MONTHS 600          /* 50 years */
#define KPI_MAX_WORKING_DAYS 31
#define KPI_MAX_HEADCOUNT 100000    /* agents at the start */
#define KPI_MAX_TEAM 1000000        /* agents at any time during a run */
#define KPI_MAX_REPLICATIONS 10000000L
#define KPI_MAX_EXPIRY_DAYS 66      /* three months of working days */
#define KPI_MAX_EVENTS 256
#define KPI_MAX_TEXT 4096           /* name, title, description, bytes */

/* A funnel as the sources write it: prospects:contacts:meetings:sales.
 * Stages are positive and never grow (checked by the loader). */
typedef struct kpi_funnel {
    double stage[4];
} kpi_funnel;

enum kpi_event_type {
    KPI_EVENT_CONTEST = 0,
    KPI_EVENT_SEMINAR,
    KPI_EVENT_THANK_YOU,
    KPI_EVENT_RECRUITING_DRIVE,
    KPI_EVENT_TRAINING,
    KPI_EVENT_NTYPES
};

/* One management event (MODEL.md "Management events").  Fields that do not
 * apply to a type keep their defaults. */
typedef struct kpi_event {
    int type;            /* enum kpi_event_type */
    int month;           /* 1-based month it applies in */
    int days;            /* contest: working days of boosted effort */
    double effort;       /* contest: effort multiplier on those days */
    double slump;        /* contest: effort multiplier the month after */
    double tier;         /* seminar: premium multiplier for the month */
    double uplift;       /* seminar, training: conversion multiplier */
    double invited;      /* seminar, thank_you_event: share of the book invited */
    double factor;       /* recruiting_drive: recruits multiplier */
} kpi_event;

enum kpi_orphan_policy { KPI_ORPHAN_REASSIGN = 0, KPI_ORPHAN_LOSE = 1 };

/* A fully resolved scenario: every field holds a value (defaults filled
 * in).  Field names follow the scenario keys of MODEL.md: team.headcount is
 * team.headcount here.  Documented key by key in docs/model.md. */
typedef struct kpi_scenario {
    char name[256];
    char title[KPI_MAX_TEXT];
    char description[KPI_MAX_TEXT];
    int model_version;           /* the model a file was written for (KPI_MODEL_VERSION) */
    char currency[32];          /* for people: "RMB", "₽", "$"; "" for none */
    int months;
    int working_days;
    int start_month;             /* calendar month of month 1: 1 (January) .. 12 */
    double seasonality[12];      /* effort multiplier by calendar month, January first */
    long replications;
    uint64_t seed;

    struct {
        int headcount;
        double initial_tenure_months;
        double skill_sd;
        double ramp_start;
        double ramp_months;
        double recruits_per_month;
        double recruits_per_agent;
        double attrition;
        double income_floor;
        double attrition_below_floor;
    } team;

    struct {
        double calls_per_day;
        double visits_per_day;
        double compliance;
        double compliance_sd;
        double off_plan_effort;
        double mood_sd;
        int appointment_expiry_days;
    } activity;

    struct {
        kpi_funnel cold;
        kpi_funnel referral;
        kpi_funnel old_client;
    } funnel;

    struct {
        double focus;
        double repeat_share;     /* < 0: not given (focus is used) */
        double initial_per_agent;
        double grade_mix[6];     /* A, B, C, D, E, N shares of the initial book */
        double grade_rate[6];    /* old_client sale rate multiplier per grade */
        double need_grade_mix[6];/* grade a client with a new need gets */
        double need_per_year;
        double b_to_a_months;
        double lapse_per_year;
        double lapse_first_year;
        double lapse_if_unserved_per_year;
        double service_gap_months;
        double loss_if_unserved_per_year;
        double policy_term_years;
        double matured_need;
        double max_policies;
        double referrals_per_sale;
        double referrals_per_contact;
        double referral_expiry_months;
        double upgrade_per_contact;
        double need_per_contact;
        int orphan_policy;       /* enum kpi_orphan_policy */
    } clients;

    struct {
        double mean;
        double cv;
        double repeat_multiplier;
    } premium;

    struct {
        double commission_first_year;
        double commission_renewal;
        double cost_per_new_client;
        double cost_per_contact;
        double cost_per_agent_month;
        double agent_commission;           /* agent's share of first-year premium */
        double agent_renewal_commission;   /* agent's share of renewal premium */
        double discount_rate;              /* annual, for discounted_profit */
    } economics;

    struct {
        int enabled;             /* 0: no assessment block, no assessment exits */
        double min_cases;
        int grace_months;
        int exempt_months;
    } assessment;

    /* The sales cycle (docs/model.md "The sales cycle"): several meetings
     * per prospect, an application, its issue after a lag or never. */
    struct {
        int enabled;             /* 0: sales_cycle: ~, one meeting, issue at once */
        double meetings_cold;    /* mean meetings per met cold prospect (>= 1) */
        double meetings_referral;
        int days_between_meetings;
        int issue_lag_days;
        double not_taken;        /* share of applications never issued */
    } sales_cycle;

    /* Agent engagement (docs/model.md "Engagement"): a monthly chain over
     * engaged, coasting, dormant. */
    struct {
        int enabled;             /* 0: engagement: ~, every agent engaged */
        double engaged_to_coasting, engaged_to_dormant;
        double coasting_to_engaged, coasting_to_dormant;
        double dormant_to_engaged, dormant_to_coasting;
        double coasting_effort;  /* share of the plan a coasting agent works */
        double no_case_factor, case_factor;
        double new_agent_factor, new_agent_months;
        double mood_effect;      /* elasticity of the moves to the month's felt mood */
        double initial_coasting, initial_dormant;   /* the starting agents */
        double recruit_coasting, recruit_dormant;   /* recruits, first month */
    } engagement;

    /* The manager's levers (docs/model.md "Management levers"): each a
     * mechanism on the engagement chain, compliance, mood, skill or
     * recruiting, with its effect size as a key.  Off (no management:
     * block, or management: ~): no levers, the law without them. */
    struct {
        int enabled;             /* 0: no management block */
        int daily_meeting;       /* 0/1 (K5) */
        double meeting_up, meeting_down;   /* x the chain's upward / downward moves */
        int tracking;            /* 0/1: the standard checked every day (M3) */
        double tracking_odds;    /* x the odds of an on-plan day at full strength */
        double tracking_mood;    /* share of the mood's swing taken out at full strength */
        double resolve;          /* monthly probability that tracking is renewed (M4) */
        double tracking_decay;   /* monthly loss of strength when not renewed */
        int contests_per_year;   /* contests scheduled with the event defaults (PK) */
        int coaching;            /* 0/1 (K4: skill) */
        double coaching_gain;    /* skill gain at the ceiling */
        double coaching_rate;    /* share of the gap to the ceiling closed a month */
        double recruiting_effort;/* x recruits a month (K4) */
        double campaign_months[12];  /* share of the campaign in each calendar month */
        double campaign_effort;  /* x calls in a campaign month */
        double mood_persistence; /* AR(1) coefficient of log mood (M1) */
    } management;

    int nevents;
    kpi_event events[KPI_MAX_EVENTS];
} kpi_scenario;

/* Fills sc with the documented defaults of every key. */
KPI_API void kpi_scenario_defaults(kpi_scenario *sc);

/* Loads a scenario file (following extends: chains) over the defaults.
 * Returns KPI_OK, KPI_ENOINPUT (file missing/unreadable), KPI_EDATA (bad
 * content) or KPI_EINTERNAL (out of memory), with err filled on failure.
 * sc is fully written on success and left in an unspecified but valid
 * state on failure. */
KPI_API int kpi_scenario_load(kpi_scenario *sc, const char *path, kpi_error *err);

/* Loads scenario text held in memory (e.g. the built-in default); fname is
 * the name used in error messages.  extends: paths are resolved relative to
 * the current directory. */
KPI_API int kpi_scenario_load_string(kpi_scenario *sc, const char *text, size_t len,
                                     const char *fname, kpi_error *err);

/* Like kpi_scenario_load (path != NULL) or kpi_scenario_load_string, then
 * applies the nsets "KEY=VALUE" overrides of sets in order, and only then
 * checks the rules that span keys: `--set months=8 --set events=[...]`
 * works, and a rule broken by an override is blamed where the blamed key
 * was last set (a file's line or the --set text).  On failure sc holds the
 * defaults. */
KPI_API int kpi_scenario_load_sets(kpi_scenario *sc, const char *path,
                                   const char *const *sets, size_t nsets, kpi_error *err);
KPI_API int kpi_scenario_load_string_sets(kpi_scenario *sc, const char *text, size_t len,
                                          const char *fname, const char *const *sets,
                                          size_t nsets, kpi_error *err);

/* What `kpisim validate` reports: every independent mistake of the file
 * path (with its extends: chain) and of the nsets overrides, in the order
 * of the file, at most max of them, into errs[0 .. *nerrs).  A YAML syntax
 * error stops the reading of its file; an unknown key, a bad value or a
 * broken rule spanning keys is kept and the load goes on with the next
 * key.  *more is set when there were more than max.  A sweep: block is
 * accepted unchecked (kpi_sweep_load checks the grid).  Returns KPI_OK
 * when nothing is wrong, else the status of the first mistake (errs[0]). */
#define KPI_VALIDATE_MAX_ERRORS 20
KPI_API int kpi_scenario_validate(const char *path, const char *const *sets, size_t nsets,
                                  kpi_error *errs, size_t max, size_t *nerrs, int *more);

/* Applies one "KEY=VALUE" override (the --set option) with the same
 * validation as a file.  Errors are reported against file "--set". */
KPI_API int kpi_scenario_set(kpi_scenario *sc, const char *assignment, kpi_error *err);

/* Checks the rules that span several keys (e.g. compliance_sd against
 * compliance).  kpi_scenario_load and kpi_scenario_set call it; callers that
 * edit fields directly call it before running. */
KPI_API int kpi_scenario_check(const kpi_scenario *sc, kpi_error *err);

/* Writes the resolved scenario as YAML (libyaml emitter) to path, atomically.
 * Loading that file gives back an identical scenario.  kpi_stage_scenario
 * stages it in an output set instead (kpi_outset, below). */
KPI_API int kpi_scenario_write(const kpi_scenario *sc, const char *path, kpi_error *err);
KPI_API int kpi_stage_scenario(kpi_outset *set, const kpi_scenario *sc, const char *path,
                               kpi_error *err);

/* The same YAML as kpi_scenario_write, into a malloc'd NUL-terminated
 * string (*text, length *len; free it with free).  For comparing scenarios
 * (the MPI ranks check that they loaded the same one). */
KPI_API int kpi_scenario_text(const kpi_scenario *sc, char **text, size_t *len, kpi_error *err);

/* A sweep file: a scenario (or one that extends another) plus
 *     sweep: { KEY: [v1, v2, ...] | {from: A, to: B, step: S}, ... }
 * for a full grid over the keys given.  Values are kept as the text a
 * --set would give (KEY=VALUE), so each grid point is the base scenario
 * with one kpi_scenario_set per axis. */
#define KPI_MAX_SWEEP_AXES 8
#define KPI_MAX_SWEEP_POINTS 100000L

typedef struct kpi_sweep_axis {
    char key[256];          /* dotted key path, e.g. "activity.calls_per_day" */
    int nvalues;
    char **values;          /* nvalues texts, e.g. "12" or "0.35" */
} kpi_sweep_axis;

typedef struct kpi_sweep {
    int naxes;              /* 0: the file has no sweep: block (one point) */
    kpi_sweep_axis axis[KPI_MAX_SWEEP_AXES];
    long npoints;           /* product of the axes' nvalues; a sample: its size */
    int sample;             /* 1: a sample (kpi_sweep_lhs), not a grid: point i
                             * takes value i of every axis */
} kpi_sweep;

/* Loads a sweep file: the base scenario into base (as kpi_scenario_load_sets
 * would, with the --set overrides applied), the grid into *out.  Every grid
 * point is built and checked before returning, so a bad key or value is
 * reported here (file:line:col of the value, the key, what was expected).
 * With axes, the base itself need not pass the cross-key rules (only the
 * points run).  A file without sweep: is a grid of one point.  Returns
 * KPI_OK, KPI_ENOINPUT, KPI_EDATA or KPI_EINTERNAL (out of memory). */
KPI_API int kpi_sweep_load(kpi_scenario *base, kpi_sweep **out, const char *path,
                           const char *const *sets, size_t nsets, kpi_error *err);
KPI_API void kpi_sweep_free(kpi_sweep *sw);

/* The scenario of grid point i in [0, npoints) into *out: base with each
 * axis's value set; the last axis varies fastest.  idx (may be NULL)
 * receives the value index of each axis.  Returns KPI_OK, KPI_EDATA (a bad
 * value or broken rule: only for a hand-built sweep) or KPI_EINTERNAL (a
 * bad index). */
KPI_API int kpi_sweep_point(const kpi_sweep *sw, const kpi_scenario *base, long i,
                            kpi_scenario *out, int *idx, kpi_error *err);

/* The value index of each axis at grid point i in [0, npoints) (the last
 * axis varies fastest; a sample: i on every axis) into idx[naxes]. */
KPI_API void kpi_sweep_index(const kpi_sweep *sw, long i, int *idx);

/* `kpisim sweep --lhs N`: a Latin hypercube sample of n points over the
 * ranges of grid's axes (each axis from its smallest to its largest value;
 * every axis must take numbers and hold two values or more), uniform
 * within each, whole-number keys rounded, drawn from seed (the same seed,
 * the same sample).  Each point is built over base and checked (as
 * kpi_sweep_point).  On success *out is a sample (sample = 1, npoints = n,
 * n values per axis), which kpi_sweep_point, kpi_sweep_index and the sweep
 * writers take as they take a grid.  Returns KPI_OK, KPI_EDATA (an axis
 * that cannot be sampled, a point that breaks a rule) or KPI_EINTERNAL. */
KPI_API int kpi_sweep_lhs(const kpi_sweep *grid, const kpi_scenario *base, long n, uint64_t seed,
                          kpi_sweep **out, kpi_error *err);

/* The built-in default scenario text (scenarios/default.yaml, compiled in). */
KPI_API const char *kpi_default_scenario_text(size_t *len);

/* ------------------------------------------------------------------ */
/* Outputs: monthly KPIs and horizon figures                          */
/* ------------------------------------------------------------------ */

/* Monthly KPIs, in the order of MODEL.md "What a month reports". */
enum kpi_kpi {
    KPI_HEADCOUNT = 0,
    KPI_RECRUITS,
    KPI_EXITS,
    KPI_ACTIVE_AGENTS,
    KPI_ACTIVITY_RATE,
    KPI_CALLS,
    KPI_CALLS_TO_CLIENTS,
    KPI_CONTACTS,
    KPI_APPOINTMENTS,
    KPI_MEETINGS,
    KPI_APPOINTMENTS_LOST,
    KPI_CASES,
    KPI_CASES_COLD,
    KPI_CASES_REFERRAL,
    KPI_CASES_REPEAT,
    KPI_CASES_PER_ACTIVE,
    KPI_PREMIUM,
    KPI_PREMIUM_PER_CASE,
    KPI_REPEAT_SHARE,
    KPI_CLIENTS,
    KPI_CLIENTS_PAYING,
    KPI_CLIENTS_LAPSED,
    KPI_CLIENTS_LOST,
    KPI_REFERRALS,
    KPI_RENEWAL_PREMIUM,
    KPI_INCOME,
    KPI_COST,
    KPI_PROFIT,
    /* The funnel by source: calls_to_clients above is the book's calls. */
    KPI_CALLS_COLD,
    KPI_CALLS_REFERRAL,
    KPI_CONTACTS_COLD,
    KPI_CONTACTS_REFERRAL,
    KPI_CONTACTS_CLIENTS,
    KPI_APPOINTMENTS_COLD,
    KPI_APPOINTMENTS_REFERRAL,
    KPI_APPOINTMENTS_CLIENTS,
    KPI_MEETINGS_COLD,
    KPI_MEETINGS_REFERRAL,
    KPI_MEETINGS_CLIENTS,
    /* The sales cycle (docs/model.md "The sales cycle"). */
    KPI_FIRST_MEETINGS,
    KPI_FOLLOW_UP_MEETINGS,
    KPI_APPLICATIONS,
    KPI_NOT_TAKEN,
    KPI_PROSPECTS_LOST,
    KPI_PIPELINE,
    /* Engagement: the agents in each state this month. */
    KPI_ENGAGED_AGENTS,
    KPI_COASTING_AGENTS,
    KPI_DORMANT_AGENTS,
    /* The spread of production across agents this month. */
    KPI_AGENTS_0_CASES,
    KPI_AGENTS_1_CASE,
    KPI_AGENTS_2_CASES,
    KPI_AGENTS_3_4_CASES,
    KPI_AGENTS_5PLUS_CASES,
    /* Money seen from the agency (docs/model.md "Money"). */
    KPI_AGENT_COMMISSION,
    KPI_CLAWBACK,
    KPI_AGENT_INCOME_MEAN,
    KPI_NKPI
};

/* Horizon figures, one value per replication (summary.csv). */
enum kpi_figure {
    KPI_FIG_TOTAL_PREMIUM = 0,
    KPI_FIG_TOTAL_CASES,
    KPI_FIG_FINAL_HEADCOUNT,
    KPI_FIG_MEAN_HEADCOUNT,
    KPI_FIG_MEAN_ACTIVITY_RATE,
    KPI_FIG_CASES_PER_ACTIVE,
    KPI_FIG_PREMIUM_PER_CASE,
    KPI_FIG_REPEAT_SHARE,
    KPI_FIG_REPEAT_SHARE_LAST12,
    KPI_FIG_TOTAL_CALLS,
    KPI_FIG_TOTAL_MEETINGS,
    KPI_FIG_APPOINTMENTS_LOST,
    KPI_FIG_TOTAL_RECRUITS,
    KPI_FIG_TOTAL_EXITS,
    KPI_FIG_FINAL_CLIENTS,
    KPI_FIG_CLIENTS_LOST,
    KPI_FIG_TOTAL_RENEWAL_PREMIUM,
    KPI_FIG_TOTAL_INCOME,
    KPI_FIG_TOTAL_COST,
    KPI_FIG_PROFIT,
    KPI_FIG_TOP20_PREMIUM_SHARE,
    KPI_FIG_SECOND_POLICY_36M,
    KPI_FIG_PREMIUM_MONTHLY_CV,
    KPI_FIG_C1_COST_RATIO,
    KPI_FIG_PREMIUM_VOLATILITY,
    KPI_FIG_DISCOUNTED_PROFIT,
    KPI_FIG_TOTAL_APPLICATIONS,
    KPI_FIG_NOT_TAKEN_SHARE,
    KPI_FIG_CYCLE_DAYS_MEAN,
    KPI_FIG_RECRUIT_RETENTION_13M,
    KPI_FIG_PERSISTENCY_13M,
    KPI_FIG_AGENT_INCOME_MEAN,
    KPI_FIG_TOTAL_CLAWBACK,
    KPI_FIG_POLICIES_PER_CLIENT_Y1,
    KPI_FIG_MODEL_VERSION,     /* KPI_MODEL_VERSION: which laws made the run */
    KPI_NFIG
};

/* Column names: kpi_monthly_name(KPI_CASES) == "cases". NULL when out of range. */
KPI_API const char *kpi_monthly_name(int kpi);
KPI_API const char *kpi_figure_name(int fig);

/* What the values of a KPI or figure are, for the writers (money is
 * written in whole cents) and for the tables people read (docs/model.md
 * "Statistics across replications").  A KPI or figure without an entry
 * is KPI_UNIT_NUMBER. */
enum kpi_unit {
    KPI_UNIT_NUMBER = 0,   /* a ratio or any other number */
    KPI_UNIT_COUNT,        /* agents, cases, calls, clients... */
    KPI_UNIT_SHARE,        /* a fraction in [0, 1] */
    KPI_UNIT_MONEY         /* premium, income, cost, profit: the scenario's currency */
};
KPI_API int kpi_monthly_unit(int kpi);
KPI_API int kpi_figure_unit(int fig);

/* ------------------------------------------------------------------ */
/* Running                                                            */
/* ------------------------------------------------------------------ */

/* Progress callback, called with the number of replications finished so far
 * (from any worker thread, never two calls at once).  Returning non-zero
 * cancels the run: kpi_run then returns KPI_ECANCEL. */
typedef int (*kpi_progress_fn)(void *userdata, long done, long total);

typedef struct kpi_run_opts {
    long replications;      /* > 0 */
    uint64_t seed;
    int threads;            /* >= 1 */
    kpi_progress_fn progress;   /* may be NULL */
    void *userdata;
    const volatile sig_atomic_t *cancel;  /* may be NULL; non-zero: stop */
    double workspace_limit;  /* bytes one model workspace may grow to; 0 = no limit */
} kpi_run_opts;

/* Results of a run: for replication r, month m (0-based) and KPI k the
 * value is monthly[(r * months + m) * KPI_NKPI + k]; figure f of
 * replication r is figures[r * KPI_NFIG + f]. */
typedef struct kpi_results {
    int months;
    long replications;
    double *monthly;
    double *figures;
} kpi_results;

/* Cancelling: a flag a signal handler sets (opts->cancel) is read at least
 * once a simulated month and between replications; a run then ends within
 * about a second with KPI_ECANCEL, like a progress callback's cancel.
 *
 * The workspace budget: each thread's model workspace counts the bytes its
 * growing arrays (agents, clients, policies, calendar) take; a growth past
 * opts->workspace_limit ends the run with KPI_EINTERNAL and a message
 * saying it outgrew the memory the check approved (docs/hardening.md
 * "Limits"), instead of the kernel's out-of-memory killer.  Set it from
 * the memory check: (available - results) / threads.
 *
 * Runs opts->replications replications of sc.  Replication r draws only
 * from random streams keyed by (seed, r), so results do not depend on the
 * number of threads, and replications [r0, r1) of one run equal those of
 * any other run with the same seed.  On success *out owns the results. */
KPI_API int kpi_run(const kpi_scenario *sc, const kpi_run_opts *opts,
                    kpi_results **out, kpi_error *err);

/* Runs replications first .. first + count - 1 into caller-owned arrays
 * laid out as in kpi_results (monthly has count * months * KPI_NKPI
 * elements, figures count * KPI_NFIG).  The building block of kpi_run and
 * of the MPI driver. */
KPI_API int kpi_run_range(const kpi_scenario *sc, const kpi_run_opts *opts,
                          long first, long count, double *monthly, double *figures,
                          kpi_error *err);

/* clients.repeat_share as an input.  When sc gives a repeat share (>= 0),
 * finds the client focus whose realised share of repeat cases over the
 * horizon, pooled over the first min(replications, 500) replications of the
 * run (the same random streams at every trial), is within 0.002 of it, and
 * writes it into sc (clients.focus set, clients.repeat_share back to -1).
 * Does nothing when sc gives a focus.  Returns KPI_OK, KPI_EDATA when no
 * focus in [0, 1] reaches the share (the message gives the share at focus
 * 1), or a status of kpi_run_range.  kpi_run refuses a scenario whose
 * repeat share is not resolved yet. */
typedef struct kpi_focus_report {
    double target;      /* the repeat share asked for */
    double focus;       /* the focus found */
    double achieved;    /* the realised share over the pilot at that focus */
    long pilot;         /* pilot replications */
    int evaluations;    /* pilot runs made */
} kpi_focus_report;

KPI_API int kpi_scenario_resolve_focus(kpi_scenario *sc, const kpi_run_opts *opts,
                                       kpi_focus_report *report, kpi_error *err);

KPI_API kpi_results *kpi_results_create(int months, long replications);
KPI_API void kpi_results_free(kpi_results *res);

/* ------------------------------------------------------------------ */
/* Limits: the memory a run will need (docs/hardening.md "Limits")     */
/* ------------------------------------------------------------------ */

/* An estimate, in bytes, from the sizes of the workspaces.  results is
 * exact; the workspace is an estimate from the team at its largest
 * (recruits all through the run, nobody leaving) and the clients its book
 * gathers (the starting books plus the prospect funnel's cases). */
typedef struct kpi_memory {
    double results;        /* kpi_results: replications x (months x KPIs + figures) x 8 */
    double workspace;      /* one thread's model workspace at its largest */
    double agents;         /* the team at its largest (estimate) */
    double clients;        /* the clients of one replication's book (estimate) */
    int threads;           /* workspaces at once: min(threads, replications) */
    long replications;
    double total;          /* everything the run holds at once */
} kpi_memory;

/* The need of a run of sc with that many replications and threads. */
KPI_API void kpi_memory_estimate(const kpi_scenario *sc, long replications, int threads,
                                 kpi_memory *out);

/* Adds one run's need to sum, for runs whose results are kept together
 * (compare): results add up, the largest workspace counts.  Start from a
 * zeroed sum. */
KPI_API void kpi_memory_add(kpi_memory *sum, const kpi_memory *one);

/* The memory this process may still use, in bytes: the environment
 * variable KPISIM_MEMORY_AVAILABLE (bytes, a budget set from outside: tests,
 * batch systems) when set, else MemAvailable of /proc/meminfo (else free
 * pages from sysconf); lowered to what is left
 * of RLIMIT_AS and RLIMIT_DATA when they are set.  source (may be NULL)
 * receives which of them it was, for messages. */
KPI_API double kpi_memory_available(char *source, size_t size);

/* KPI_OK when need fits in available; otherwise an error whose message
 * gives the estimate, what is available (source) and the keys to change,
 * blaming the replications when the results are the larger part (key "-n"
 * and KPI_EUSAGE when n_option says they came from the command line, else
 * "replications" and KPI_EDATA) and team.headcount otherwise (KPI_EDATA). */
KPI_API int kpi_memory_check(const kpi_memory *need, double available, const char *source,
                             int n_option, kpi_error *err);

/* Writes bytes as "512 bytes", "80.0 kB", "3.8 MiB", "1.7 TiB" into buf;
 * returns buf. */
KPI_API char *kpi_memory_format(double bytes, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Explaining a scenario by hand-checkable arithmetic                  */
/* ------------------------------------------------------------------ */

/* One line of `kpisim explain`: a label, the formula with the scenario's
 * numbers in it, and its value.  kpi/kpi2 name the monthly KPIs whose
 * simulated mean (summed) matches the line, -1 when none; per_agent says
 * the value is per agent (compare with the KPI / headcount). */
typedef struct kpi_explain_line {
    char label[64];
    char formula[320];
    double value;
    int kpi, kpi2;
    int per_agent;
    int heading;
    /* A horizon figure (KPI_FIG_*) whose mean across replications, from a
     * run's summary.csv, is the line's simulated value; -1 for none (the
     * simulated value is then the monthly mean of kpi, when kpi >= 0). */
    int fig;
    /* 1: the line defines a measure and has no by-hand value (value is 0
     * and is not to be shown as a number). */
    int no_value;
} kpi_explain_line;

/* Fills up to max lines for sc; returns how many. */
KPI_API int kpi_explain(const kpi_scenario *sc, kpi_explain_line *lines, int max);

/* ------------------------------------------------------------------ */
/* Statistics across replications                                     */
/* ------------------------------------------------------------------ */

/* Mean, standard deviation (n - 1 denominator; 0 when n < 2) and the
 * percentiles of n values, computed exactly from the sorted values (GSL,
 * linear interpolation between order statistics). */
typedef struct kpi_band {
    double mean, sd, p05, p25, p50, p75, p95;
} kpi_band;

/* x[i * stride], i < n; work has room for n doubles.  n must be > 0. */
KPI_API void kpi_band_compute(const double *x, size_t stride, size_t n, double *work,
                              kpi_band *band);

/* The paired difference b - a of two scenarios run on common random
 * numbers, replication by replication: its band, and the share of
 * replications in which b is higher (strictly), NaN (not applicable)
 * when b never differs from a.  a[i * astride] and
 * b[i * bstride], i < n; work has room for 2n doubles. */
typedef struct kpi_paired {
    kpi_band diff;
    double p_higher;
} kpi_paired;

KPI_API void kpi_paired_compute(const double *a, size_t astride, const double *b, size_t bstride,
                                size_t n, double *work, kpi_paired *out);

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

/* An output set: the files of one or more writers, committed together.
 * Each kpi_stage_* function below writes its files under hidden temporary
 * names in their directories (flushed, fsynced and closed) and adds them to
 * the set; nothing is visible under the final names until
 * kpi_outset_commit renames them all into place.  If any step of the
 * commit fails, the names it had already replaced get their earlier files
 * back, so a failed commit leaves every output directory as it was
 * (docs/hardening.md "Atomic outputs").  kpi_outset_free discards whatever
 * was not committed; it accepts NULL.  A set is committed at most once.
 * kpi_write_run and the other kpi_write_* functions are a set of their
 * own, created, staged and committed in one call. */
KPI_API kpi_outset *kpi_outset_create(void);       /* NULL when out of memory */
/* KPI_OK, KPI_EIO, KPI_EINTERNAL */
KPI_API int kpi_outset_commit(kpi_outset *set, kpi_error *err);
KPI_API void kpi_outset_free(kpi_outset *set);

enum kpi_write_flags { KPI_WRITE_PER_REPLICATION = 1 };

/* Checks, before any work, that the writers will be able to put files in
 * DIR: DIR is a directory in which a file can be created and removed (a
 * probe, removed at once), or does not exist yet and its deepest existing
 * ancestor is such a directory (kpi_mkdir_p creates the rest).  Creates
 * nothing and leaves nothing behind.  Returns KPI_OK, KPI_ECREATE ("cannot
 * create directory DIR: [ANCESTOR: ]REASON", "cannot write to directory
 * DIR: REASON") or KPI_EINTERNAL. */
KPI_API int kpi_output_check(const char *dir, kpi_error *err);


/* Writes DIR/monthly.csv, DIR/summary.csv, DIR/scenario.yaml and, with
 * KPI_WRITE_PER_REPLICATION, DIR/replications.csv and DIR/figures.csv
 * (without it, stale ones of an earlier run are removed).  Creates DIR (and its
 * parents) if needed.  Every file is written to a temporary name, flushed,
 * fsynced and only then renamed into place, after all of them were written:
 * a failure leaves the previous files untouched.  The scenario written is
 * sc with the replications of res; results do not carry the seed, so the
 * caller passes sc with seed set to the seed that was run.  Returns KPI_OK,
 * KPI_ECREATE, KPI_EIO, or KPI_EINTERNAL (out of memory, a non-finite
 * value, results whose months differ from sc->months). */
KPI_API int kpi_write_run(const char *dir, const kpi_scenario *sc,
                          const kpi_results *res, int flags, kpi_error *err);
KPI_API int kpi_stage_run(kpi_outset *set, const char *dir, const kpi_scenario *sc,
                          const kpi_results *res, int flags, kpi_error *err);

/* Writes DIR/comparison.csv for nsc scenarios (names[s], results res[s],
 * all run with the same seed and replications; the first is the baseline):
 * header "kind,name,month,scenario,mean,p05,p95,diff_mean,diff_p05,
 * diff_p95,diff_sd,p_higher", a row per horizon figure and scenario (kind
 * "figure", month empty), then a row per KPI, month and scenario (kind
 * "monthly", over the months all scenarios have).  Atomic like
 * kpi_write_run.  Returns KPI_OK, KPI_ECREATE, KPI_EIO or KPI_EINTERNAL. */
KPI_API int kpi_write_comparison(const char *dir, const char *const *names,
                                 const kpi_results *const *res, int nsc, kpi_error *err);
KPI_API int kpi_stage_comparison(kpi_outset *set, const char *dir, const char *const *names,
                                 const kpi_results *const *res, int nsc, kpi_error *err);

/* Writes DIR/sweep.csv: a header of the swept keys then, for every horizon
 * figure F, F_mean, F_p05 and F_p95, then for every F, F_sd, F_p25, F_p50
 * and F_p75; a row per grid point (the last axis
 * varying fastest) with the axis values as written in the sweep file and
 * the bands of the point's run: bands[point * KPI_NFIG + figure].  Atomic
 * like kpi_write_run.  Returns KPI_OK, KPI_ECREATE, KPI_EIO or
 * KPI_EINTERNAL. */
KPI_API int kpi_write_sweep(const char *dir, const kpi_sweep *sw, const kpi_band *bands,
                            kpi_error *err);
KPI_API int kpi_stage_sweep(kpi_outset *set, const char *dir, const kpi_sweep *sw,
                            const kpi_band *bands, kpi_error *err);

/* Stages DIR/figures.csv of a sweep (sweep --per-replication): header
 * "point", the swept keys, "replication", every horizon figure; a row per
 * point and replication.  The replications of point p are rows first[p]
 * to first[p + 1] - 1 of figures (KPI_NFIG doubles each, as in
 * kpi_results).  figures NULL: stages the removal of an earlier
 * figures.csv instead.  Returns KPI_OK, KPI_ECREATE, KPI_EIO or
 * KPI_EINTERNAL. */
KPI_API int kpi_stage_sweep_figures(kpi_outset *set, const char *dir, const kpi_sweep *sw,
                                    const double *figures, const long *first, kpi_error *err);

/* The long format (tidy.c; README "The long format"): DIR/long.csv, every
 * number of a command's CSV files one a row, columns
 * "scenario,point,replication,month,name,statistic,value".  Of a run
 * (name: the scenario's; with KPI_WRITE_PER_REPLICATION every
 * replication's values too), of a comparison (each scenario's rows, then
 * its paired difference against the first), of a sweep (each point's
 * settings and figure bands, and with figures every replication's figures
 * as in kpi_stage_sweep_figures).  kpi_stage_long_remove stages the
 * removal of an earlier long.csv (a command run without --long).  Return
 * KPI_OK, KPI_ECREATE, KPI_EIO or KPI_EINTERNAL. */
KPI_API int kpi_stage_long_run(kpi_outset *set, const char *dir, const char *name,
                               const kpi_results *res, int flags, kpi_error *err);
KPI_API int kpi_stage_long_comparison(kpi_outset *set, const char *dir, const char *const *names,
                                      const kpi_results *const *res, int nsc, int flags,
                                      kpi_error *err);
KPI_API int kpi_stage_long_sweep(kpi_outset *set, const char *dir, const char *name,
                                 const kpi_sweep *sw, const kpi_band *bands, const double *figures,
                                 const long *first, kpi_error *err);
KPI_API int kpi_stage_long_remove(kpi_outset *set, const char *dir, kpi_error *err);
/* ------------------------------------------------------------------ */
/* Sensitivity studies (`kpisim sensitivity`, docs/sensitivity.md)     */
/* ------------------------------------------------------------------ */

/* A sensitivity file (load_study.c reads it): one base scenario or two or more
 * strategies, the uncertain keys with their ranges and distributions, the
 * figures of interest, the methods and their sample sizes.  The estimators
 * are sensitivity.c's; a study turns their arrays into scenarios to run and
 * rows to write. */
#define KPI_STUDY_MAX_KEYS 20          /* Saltelli's base has 2k Sobol dimensions (40 at most) */
#define KPI_STUDY_MAX_STRATEGIES 8
#define KPI_STUDY_MAX_POINTS 1000000L  /* design rows */

enum kpi_study_method {
    KPI_METHOD_OAT = 1,      /* one at a time: the tornado */
    KPI_METHOD_MORRIS = 2,   /* Morris elementary effects */
    KPI_METHOD_SOBOL = 4,    /* Sobol indices on a Saltelli design */
    KPI_METHOD_LHS = 8       /* a Latin hypercube sample: correlations, decisions */
};

/* A key's distribution, truncated to its range (docs/sensitivity.md). */
enum kpi_study_dist {
    KPI_DIST_UNIFORM = 0,    /* p1, p2 unused */
    KPI_DIST_NORMAL,         /* mean p1, sd p2 */
    KPI_DIST_LOGNORMAL,      /* log x normal: mean p1, sd p2 */
    KPI_DIST_TRIANGULAR,     /* mode p1 */
    KPI_DIST_BETA            /* lo + (hi - lo) Beta(p1, p2) */
};

typedef struct kpi_study_key {
    char key[256];           /* a numeric scenario key (dotted path) */
    int dist;                /* enum kpi_study_dist */
    double lo, hi, p1, p2;
    double base;             /* the one-at-a-time base: base: or the first scenario's value */
    int whole;               /* a whole-number key: design values are rounded */
    int line, col;           /* where the key is in the file, for messages */
} kpi_study_key;

typedef struct kpi_study {
    char file[1024];         /* the sensitivity file */
    char name[256];          /* name: or the file's base name */
    char title[KPI_MAX_TEXT];
    int nstrategies;         /* 1 for scenario:, else the strategies: */
    int strategies;          /* 1 when the file gave strategies: */
    char path[KPI_STUDY_MAX_STRATEGIES][1024];   /* as resolved against the file */
    kpi_scenario *scenario;  /* nstrategies scenarios, loaded */
    int nkeys;
    kpi_study_key key[KPI_STUDY_MAX_KEYS];
    int nfigures;
    int figure[KPI_NFIG];    /* enum kpi_figure */
    int methods;             /* enum kpi_study_method bits */
    long samples;            /* Sobol base rows (n) and the LHS size */
    long trajectories;       /* Morris trajectories (r) */
    int levels;              /* Morris grid levels (p, even) */
    long replications;       /* per point */
    uint64_t seed;           /* of every point (common random numbers) and the designs */
    long bootstrap;          /* bootstrap resamples of the Sobol indices */
    double confidence;       /* of every interval, e.g. 0.95 */
    int decision;            /* the figure strategies are ranked on, -1 none */
    int higher_is_better;
    int bins;                /* bins per key of the flip analysis */
} kpi_study;

/* Loads a sensitivity file and its scenarios.  Every value is checked as
 * a scenario's is: a key's range ends and base are applied to each
 * scenario with the loader's checks and its cross-key rules, errors at
 * their place in the file (file:line:col, the key path, what was
 * expected); an unknown key gets the closest known one.  Returns KPI_OK
 * (*out owned by the caller), KPI_ENOINPUT, KPI_EDATA or KPI_EINTERNAL. */
KPI_API int kpi_study_load(const char *path, kpi_study **out, kpi_error *err);
KPI_API void kpi_study_free(kpi_study *st);

/* The design: every point the study runs, method after method (OAT, Morris,
 * Sobol, LHS, those the study asks for).  x[row * nkeys + j] is key j's
 * value at a row, u the same in the unit cube (OAT: the key's quantile).
 * first[m] and count[m] give the rows of method bit m (0 OAT, 1 Morris,
 * 2 Sobol, 3 LHS). */
typedef struct kpi_study_plan {
    long nrows;
    int nkeys;
    double *x, *u;
    long first[4], count[4];
} kpi_study_plan;

/* Draws the design from the study's seed (the same seed, the same design).
 * Returns KPI_OK, KPI_EDATA or KPI_EINTERNAL. */
KPI_API int kpi_study_design(const kpi_study *st, kpi_study_plan **out, kpi_error *err);
KPI_API void kpi_study_plan_free(kpi_study_plan *plan);

/* The scenario of row `row` for strategy s into *out: the strategy's
 * scenario with every key set as --set would set it (a key of a block the
 * scenario has switched off leaves it off), replications and seed the
 * study's, and the cross-key check.  KPI_OK or KPI_EDATA (the message
 * names the row's values). */
KPI_API int kpi_study_point(const kpi_study *st, const kpi_study_plan *plan, int s, long row,
                            kpi_scenario *out, kpi_error *err);

/* One row of sensitivity.csv. */
typedef struct kpi_study_row {
    int strategy;            /* 0 .. nstrategies - 1 */
    int figure;              /* enum kpi_figure */
    int key;                 /* the uncertain key, -1 when the row is about the whole
                              * output (a decision's p_best: about strategy) */
    int method;              /* enum kpi_study_method, 0: decision */
    char index[16];          /* swing, mu_star, S1, ST, p_best, ... */
    double value, lo, hi;    /* lo, hi NaN where there is no interval */
} kpi_study_row;

typedef struct kpi_study_result {
    size_t nrows;
    kpi_study_row *row;
} kpi_study_result;

/* The estimators over the outputs: mean[(row * nstrategies + s) * KPI_NFIG
 * + f] is figure f's mean over the replications of strategy s at a design
 * row, se its standard error.  A figure that is the same at every point
 * has Sobol indices of exactly 0.  Returns KPI_OK (*out owned by the
 * caller), KPI_EDATA (an estimator refused the outputs, e.g. a figure that
 * is not a number at some point) or KPI_EINTERNAL. */
KPI_API int kpi_study_analyse(const kpi_study *st, const kpi_study_plan *plan, const double *mean,
                              const double *se, kpi_study_result **out, kpi_error *err);
KPI_API void kpi_study_result_free(kpi_study_result *res);

/* Stages DIR/sensitivity.csv (header figure,key,method,index,value,lo,hi),
 * DIR/samples.csv (a row per design row and strategy: the keys, then each
 * figure's mean and standard error), DIR/sensitivity.yaml (the study as
 * run, over the scenarios DIR/scenario.yaml, or DIR/strategies/NAME.yaml)
 * and those scenarios.  Returns KPI_OK, KPI_ECREATE, KPI_EIO or
 * KPI_EINTERNAL. */
KPI_API int kpi_stage_study(kpi_outset *set, const char *dir, const kpi_study *st,
                            const kpi_study_plan *plan, const kpi_study_result *res,
                            const double *mean, const double *se, kpi_error *err);

/* The names of methods for the files: "oat", "morris", "sobol", "lhs",
 * "decision" (method 0); NULL for anything else. */
KPI_API const char *kpi_study_method_name(int method);

/* ------------------------------------------------------------------ */
/* Calibration: fitting keys to a team's own history (docs/calibration.md) */
/* ------------------------------------------------------------------ */

/* A team's monthly history (history.c): one row a month from month 1, the
 * columns monthly KPIs (kpi_monthly_name).  value[m * nfig + i] is column i of
 * month m + 1, NAN when the cell was empty. */
typedef struct kpi_history {
    int months;
    int nfig;
    int kpi[KPI_NKPI];       /* the KPI of each column */
    double *value;
    char separator;          /* ',' or ';' (a spreadsheet export) */
    int decimal_comma;       /* numbers were written 1,5 */
} kpi_history;

/* Reads HISTORY.csv.  Returns KPI_OK, KPI_ENOINPUT, KPI_EDATA (err has
 * file:line:col, what was expected) or KPI_EINTERNAL; *out is owned by the
 * caller on success. */
KPI_API int kpi_history_load(const char *path, kpi_history **out, kpi_error *err);
KPI_API void kpi_history_free(kpi_history *h);

/* The history's column of KPI k, or -1. */
KPI_API int kpi_history_column(const kpi_history *h, int kpi);

/* Sets sc->months from the history and, when the history gives headcount
 * in month 1, team.headcount to it less month 1's recruits (when given).
 * *headcount_set (may be NULL) says whether it did.  KPI_OK or KPI_EDATA. */
KPI_API int kpi_history_apply(kpi_scenario *sc, const kpi_history *h, int *headcount_set,
                              kpi_error *err);

#define KPI_FIT_MAX_KEYS 16

/* One key to fit and, after kpi_fit_run, what was found. */
typedef struct kpi_fit_key {
    char key[256];           /* a numeric key, or funnel.SOURCE.STAGE */
    double lo, hi;           /* search bounds */
    int clipped;             /* the key table's range was narrowed (see message) */
    char note[256];          /* why, when clipped */
    double start;            /* the best starting point */
    double estimate, ci_lo, ci_hi, se;
    double effect;           /* RMS shift of the weighted figures over the range */
    int identified;
} kpi_fit_key;

/* Parses "KEY" or "KEY=LO:HI" against base (the bounds default to the key
 * table's range, huge ranges clipped around the base's value).  KPI_OK or
 * KPI_EUSAGE. */
KPI_API int kpi_fit_key_parse(kpi_fit_key *k, const char *spec, const kpi_scenario *base,
                              kpi_error *err);

/* Sets a fit key's value in sc (a whole key is rounded; a funnel stage is
 * set relative to the stage before it).  KPI_OK or KPI_EDATA. */
KPI_API int kpi_fit_set(kpi_scenario *sc, const char *key, double v, kpi_error *err);
/* Reads it back. */
KPI_API double kpi_fit_get(const kpi_scenario *sc, const char *key);

/* Called after each objective evaluation; non-zero cancels (KPI_ECANCEL). */
typedef int (*kpi_fit_progress_fn)(void *userdata, int evaluation, double best);

/* Runs replications 0 .. count-1 of sc into monthly (count x months x
 * KPI_NKPI) and figures (count x KPI_NFIG), exactly as kpi_run_range(sc,
 * opts, 0, count, monthly, figures, err) does: the hook through which a
 * caller spreads a fit's replications over processes (the CLI's MPI
 * ranks: every rank computes its block and receives the others', so that
 * every rank holds the same arrays and takes the same simplex steps). */
typedef int (*kpi_fit_run_fn)(void *userdata, const kpi_scenario *sc, const kpi_run_opts *opts,
                              long count, double *monthly, double *figures, kpi_error *err);

typedef struct kpi_fit_opts {
    long replications;       /* per evaluation, the same at every trial */
    uint64_t seed;
    int threads;
    int starts;              /* Latin-hypercube starts besides the centre */
    int max_evals;           /* per simplex run */
    kpi_fit_progress_fn progress;   /* may be NULL */
    void *userdata;
    kpi_fit_run_fn run;      /* NULL: kpi_run_range in this process */
    void *run_userdata;
} kpi_fit_opts;

typedef struct kpi_fit {
    int nkeys;
    kpi_fit_key key[KPI_FIT_MAX_KEYS];
    kpi_scenario fitted;     /* base with the estimates set */
    double objective;
    int evaluations;
    int ntrace;              /* rows of trace: objective then nkeys values */
    double *trace;
    kpi_results *res;        /* the fitted model over the history's months */
    long npoints;            /* observed points */
    double inside90;         /* share of them inside the fitted 90% bands */
    double chi2, chi2_p;     /* the fit statistic, its simulated p-value */
    double condition;        /* condition number of the weighted Jacobian */
} kpi_fit;

/* Fits keys[0..nkeys) of base to h by simulated method of moments on common
 * random numbers (docs/calibration.md).  base must already carry the
 * history's months (kpi_history_apply).  Never prints.  Uses GSL's
 * multimin, whose allocations call GSL's error handler on failure: a
 * library caller must call gsl_set_error_handler_off() first (the CLI
 * does), or GSL aborts the process.  Returns KPI_OK (*out owned by the
 * caller), KPI_EDATA, KPI_EINTERNAL, KPI_ECANCEL or a status of kpi_run. */
KPI_API int kpi_fit_run(const kpi_scenario *base, const kpi_history *h, const kpi_fit_key *keys,
                        int nkeys, const kpi_fit_opts *opts, kpi_fit **out, kpi_error *err);
KPI_API void kpi_fit_free(kpi_fit *f);

/* Writes DIR/fitted.yaml (extends: base_path, relative to DIR), fit.csv,
 * fit-monthly.csv, trace.csv and, when proj is not NULL, projection.csv
 * (its months after the history's), all committed together. */
KPI_API int kpi_write_fit(const char *dir, const char *base_path, const kpi_history *h,
                          const kpi_fit *f, const kpi_results *proj, kpi_error *err);

#endif /* KPISIM_H */
