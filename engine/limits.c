/*
 * limits.c - what a run will need, checked before it starts.
 *
 * Sits between loading and running: the loader has already refused files
 * that are too large or too deeply nested (yamltree.h) and values out of
 * range (scenario.c); what is left is a scenario whose every value is
 * plausible but whose product is not, such as ten million replications of
 * fifty years, or a hundred thousand agents each with a thousand clients.
 * kpi_run would find out only when an allocation fails, or worse, when the
 * kernel kills the process in the middle of the night.  So the memory of
 * the run is estimated from the sizes of the workspaces and compared with
 * what the machine and the process limits allow (docs/hardening.md
 * "Limits").
 *
 * The estimate (kpi_memory_estimate) is pure arithmetic; only
 * kpi_memory_available reads the system (/proc/meminfo, sysconf,
 * getrlimit), at this edge of the library, never in the numeric core.
 */
#include "error.h"
#include "kpisim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The estimate is a bound on what one replication's workspace can hold,
 * not its expected size: a run may not outgrow what the check approved
 * (and if it does, kpi_run_opts.workspace_limit ends it cleanly).  It
 * counts records, each bounded by what the model cannot exceed:
 *
 *   agents      the team's expected size month by month (recruits at the
 *               largest recruiting factor of the events) plus a margin of
 *               six standard deviations; not a hard bound (recruits are
 *               Poisson), which is why the workspace budget exists;
 *   cases       meetings are at most the visit capacity of a day
 *               (ceil(visits_per_day x max(1, off_plan_effort))): a hard
 *               bound, and what long runs reach (the book fills the
 *               calendar); they convert at most at the best funnel's sale
 *               rate times the events' uplifts and a margin on the team's
 *               mean skill; each case is a policy, each prospect case a
 *               client;
 *   calendar    the book's pending transitions: measured at most 3 entries
 *               per client (docs/hardening.md "Limits"), bounded here by
 *               CAL_PER_CLIENT.
 *
 * Sizes are the structs' (book_private.h, model.c); every array grows by
 * doubling, so its capacity is up to twice what it holds (SLACK). */
#define AGENT_MODEL_BYTES 80.0            /* model.c's arrays per agent */
#define AGENT_MODEL_BYTES_PER_EXPIRY_DAY 32.0   /* the diary: counts and days */
#define AGENT_MODEL_BYTES_PER_CYCLE_DAY 20.0    /* follow-ups, applications */
#define PENDING_APP_BYTES 8.0             /* an old client's application */
#define AGENT_BOOK_BYTES 104.0            /* book_private.h's agent_book */
#define AGENT_BYTES_PER_REFERRAL_MONTH 4.0
#define APPT_BYTES 8.0                    /* a client appointment in the ring */
#define CLIENT_BYTES 56.0                 /* book_private.h's client */
#define POLICY_BYTES 28.0                 /* a policy and its maturity entry */
#define CAL_ENTRY_BYTES 8.0
#define CAL_PER_CLIENT 4.0
#define SCRATCH_PER_CLIENT 12.0           /* the figures' scratch arrays */

/* Growth of arrays by doubling: capacity up to twice what is used. */
#define SLACK 2.0

/* Standard deviations of margin on the team's size and on its mean skill. */
#define RECRUIT_MARGIN_SD 6.0
#define SKILL_MARGIN_SD 6.0

/* The program itself, the loader and stdio: a floor under every estimate. */
#define BASE_BYTES (8.0 * 1024 * 1024)

/* The most meetings (so cases) one agent can have in a day: the visit
 * capacity on its busier kind of day, rounded up. */
static double max_cases_per_agent_day(const kpi_scenario *sc)
{
    double effort = sc->activity.off_plan_effort > 1 ? sc->activity.off_plan_effort : 1;
    return ceil(sc->activity.visits_per_day * effort);
}

/* The sale rate of a funnel: sales per meeting. */
static double sale_rate(const kpi_funnel *f)
{
    return f->stage[2] > 0 ? f->stage[3] / f->stage[2] : 0;
}

/* The largest product of the seminars' conversion uplifts in a month and
 * of all training uplifts (training is permanent). */
static double max_uplift(const kpi_scenario *sc)
{
    double most = 1, training = 1;
    for (int i = 0; i < sc->nevents; i++)
        if (sc->events[i].type == KPI_EVENT_TRAINING && sc->events[i].uplift > 1)
            training *= sc->events[i].uplift;
    for (int m = 1; m <= sc->months; m++) {
        double f = 1;
        for (int i = 0; i < sc->nevents; i++)
            if (sc->events[i].month == m && sc->events[i].type == KPI_EVENT_SEMINAR)
                f *= sc->events[i].uplift;
        most = fmax(most, f);
    }
    return most * training;
}

/* The share of meetings that can become cases, at most: the funnel's sale
 * rate times the largest uplift, times a margin for the team's skill
 * (mean 1; SKILL_MARGIN_SD standard deviations of the mean of n agents'),
 * at most 1.  prospects: only the cold and referral funnels. */
static double max_sale_share(const kpi_scenario *sc, double agents, int prospects)
{
    double p = fmax(sale_rate(&sc->funnel.cold), sale_rate(&sc->funnel.referral));
    if (!prospects)
        p = fmax(p, sale_rate(&sc->funnel.old_client));
    double skill = 1 + SKILL_MARGIN_SD * sc->team.skill_sd / sqrt(fmax(agents, 1));
    return fmin(1.0, p * max_uplift(sc) * skill);
}

/* The largest recruiting factor any month's events give. */
static double max_recruit_factor(const kpi_scenario *sc)
{
    double most = 1;
    for (int m = 1; m <= sc->months; m++) {
        double f = 1;
        for (int i = 0; i < sc->nevents; i++)
            if (sc->events[i].month == m && sc->events[i].type == KPI_EVENT_RECRUITING_DRIVE)
                f *= sc->events[i].factor;
        most = fmax(most, f);
    }
    return most;
}

/* The total of a need: the floor, the results, the workspaces and the
 * writers' sorting buffer of one double per replication. */
static void add_up(kpi_memory *m)
{
    m->total = BASE_BYTES + m->results + m->threads * m->workspace +
               (double)m->replications * sizeof(double);
}

void kpi_memory_estimate(const kpi_scenario *sc, long replications, int threads,
                         kpi_memory *out)
{
    double months = sc->months, n0 = sc->team.headcount;

    memset(out, 0, sizeof *out);

    /* Results: every KPI of every month and every figure of every
     * replication, kept until the statistics are written (kpi_results). */
    out->results = (double)replications * (months * KPI_NKPI + KPI_NFIG) * sizeof(double);

    /* The team month by month: its expected size (recruits at the largest
     * factor of the events join, team.attrition leaves; assessment and the
     * income floor only make it smaller), and above it a margin of
     * RECRUIT_MARGIN_SD standard deviations of a Poisson team of that size
     * (the team's law when recruits and exits balance); the agent-months
     * and the largest team of that upper path. */
    double factor = max_recruit_factor(sc);
    double n = n0, agent_months = 0, peak = 0;
    for (int m = 0; m <= sc->months; m++) {
        double upper = fmin(n + (m > 0 ? RECRUIT_MARGIN_SD * (sqrt(n) + 1) : 0),
                            (double)KPI_MAX_TEAM);
        peak = fmax(peak, upper);
        if (m == sc->months)
            break;
        agent_months += upper;
        n = fmin(n * (1 - sc->team.attrition) +
                     (sc->team.recruits_per_month + sc->team.recruits_per_agent * n) * factor,
                 (double)KPI_MAX_TEAM);
    }
    out->agents = peak;

    /* Clients and policies: the starting books (one policy each), then
     * every agent-month's meetings at the visit capacity, converting at
     * the best sale rate: the prospects' cases are new clients, every case
     * a policy. */
    double initial = n0 * ceil(sc->clients.initial_per_agent);
    double meetings = agent_months * sc->working_days * max_cases_per_agent_day(sc);
    out->clients = initial + meetings * max_sale_share(sc, n0, 1);
    double policies = initial + meetings * max_sale_share(sc, n0, 0);

    double cycle_days = 2, lag = 1;
    if (sc->sales_cycle.enabled) {
        cycle_days = sc->sales_cycle.days_between_meetings + sc->sales_cycle.issue_lag_days + 1;
        lag = sc->sales_cycle.issue_lag_days + 1;
    }
    double per_agent = AGENT_MODEL_BYTES +
                       AGENT_MODEL_BYTES_PER_EXPIRY_DAY * sc->activity.appointment_expiry_days +
                       AGENT_MODEL_BYTES_PER_CYCLE_DAY * cycle_days +
                       2 * PENDING_APP_BYTES * lag * (ceil(sc->activity.visits_per_day) + 1) +
                       AGENT_BOOK_BYTES +
                       AGENT_BYTES_PER_REFERRAL_MONTH * sc->clients.referral_expiry_months +
                       APPT_BYTES * sc->activity.appointment_expiry_days *
                           max_cases_per_agent_day(sc);
    double per_client = CLIENT_BYTES + CAL_PER_CLIENT * CAL_ENTRY_BYTES + SCRATCH_PER_CLIENT;
    out->workspace = SLACK * (out->agents * per_agent + out->clients * per_client +
                              policies * POLICY_BYTES);
    out->threads = threads < 1 ? 1 : threads;
    if ((double)out->threads > (double)replications)
        out->threads = replications > 0 ? (int)replications : 1;
    out->replications = replications;
    add_up(out);
}

void kpi_memory_add(kpi_memory *sum, const kpi_memory *one)
{
    sum->results += one->results;
    if (one->workspace > sum->workspace) {
        sum->workspace = one->workspace;
        sum->agents = one->agents;
        sum->clients = one->clients;
    }
    if (one->threads > sum->threads)
        sum->threads = one->threads;
    if (one->replications > sum->replications)
        sum->replications = one->replications;
    add_up(sum);
}

/* The number after "KEY:" in /proc/meminfo or /proc/self/status, in kB
 * there, returned in bytes; -1 when not found. */
static double proc_value(const char *file, const char *key)
{
    FILE *f = fopen(file, "r");
    char line[256];
    size_t n = strlen(key);
    double v = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            double kb;
            if (sscanf(line + n + 1, "%lf", &kb) == 1)
                v = kb * 1024;
            break;
        }
    }
    fclose(f);
    return v;
}

double kpi_memory_available(char *source, size_t size)
{
    /* A budget set from outside (tests, batch systems): replaces what the
     * machine reports, the process limits still apply. */
    const char *env = getenv("KPISIM_MEMORY_AVAILABLE");
    char *end = NULL;
    double budget = env && *env ? strtod(env, &end) : -1;
    double avail;
    const char *what;
    if (end && *end == '\0' && budget >= 0 && isfinite(budget)) {
        avail = budget;
        what = "KPISIM_MEMORY_AVAILABLE";
    } else {
        avail = proc_value("/proc/meminfo", "MemAvailable");
        what = "MemAvailable in /proc/meminfo";
    }
    if (avail < 0) {
        long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        avail = pages > 0 && page > 0 ? (double)pages * (double)page : INFINITY;
        what = "free memory (sysconf)";
    }
    /* The process limits, less what the process already holds of them. */
    static const struct {
        int resource;
        const char *held, *name;
    } limits[] = {
        {RLIMIT_AS, "VmSize", "the address-space limit (ulimit -v, RLIMIT_AS)"},
        {RLIMIT_DATA, "VmData", "the data-segment limit (ulimit -d, RLIMIT_DATA)"},
    };
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
        struct rlimit rl;
        if (getrlimit(limits[i].resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
            continue;
        double used = proc_value("/proc/self/status", limits[i].held);
        double left = (double)rl.rlim_cur - (used > 0 ? used : 0);
        if (left < avail) {
            avail = left;
            what = limits[i].name;
        }
    }
    if (source && size > 0)
        snprintf(source, size, "%s", what);
    return avail > 0 ? avail : 0;
}

char *kpi_memory_format(double bytes, char *buf, size_t size)
{
    static const char *const unit[] = {"bytes", "kB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[u]);
    return buf;
}

int kpi_memory_check(const kpi_memory *need, double available, const char *source,
                     int n_option, kpi_error *err)
{
    if (need->total <= available)
        return KPI_OK;
    char total[32], avail[32], res[32], ws[32];
    kpi_memory_format(need->total, total, sizeof total);
    kpi_memory_format(available, avail, sizeof avail);
    kpi_memory_format(need->results, res, sizeof res);
    kpi_memory_format(need->workspace, ws, sizeof ws);
    int results_big = need->results >= need->threads * need->workspace;
    return kpi_error_set(
        err, results_big && n_option ? KPI_EUSAGE : KPI_EDATA,
        results_big ? (n_option ? "-n" : "replications") : "team.headcount",
        "the run needs about %s of memory, more than the %s available (%s): "
        "%s of results (replications x (months x %d KPIs + %d figures) x 8 bytes) "
        "and %d x %s of model workspace (about %.0f agents, %.0f clients); lower %s",
        total, avail, source ? source : "available memory", res, KPI_NKPI, KPI_NFIG,
        need->threads, ws, need->agents, need->clients,
        results_big ? (n_option ? "-n (replications) or months" : "replications or months")
                    : (need->threads > 1 ? "team.headcount, clients.initial_per_agent, "
                                           "months or --threads"
                                         : "team.headcount, "
                                           "clients.initial_per_agent or months"));
}
