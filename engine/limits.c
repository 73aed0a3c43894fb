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
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Bytes a workspace keeps per agent: the model's arrays (ids, tenure,
 * skill, compliance, counters: about 60 bytes, and 3 counters of 4 bytes
 * per day of the appointment backlog), the agent's book record (queues,
 * appointment ring: about 250 bytes) and its referral ring (4 bytes a
 * month), with room for the arrays' doubling. */
#define AGENT_BYTES 320.0
#define AGENT_BYTES_PER_EXPIRY_DAY 12.0
#define AGENT_BYTES_PER_REFERRAL_MONTH 4.0

/* Bytes the book keeps per client: its record (56), its policies (24
 * each, one or two), its calendar entries and scratch (about 12); times
 * SLACK below, about 140 bytes, as measured (docs/hardening.md). */
#define CLIENT_BYTES 96.0

/* Growth of arrays by doubling: on average half again what is used. */
#define SLACK 1.5

/* The program itself, the loader and stdio: a floor under every estimate. */
#define BASE_BYTES (8.0 * 1024 * 1024)

/* New clients one agent brings into the book in a month at full effort:
 * the cases of the prospect funnel (kpi_explain's "cases"), the meetings
 * capped by the visits of the month. */
static double new_clients_per_agent_month(const kpi_scenario *sc)
{
    const double *fc = sc->funnel.cold.stage;
    double effort = sc->activity.compliance +
                    (1 - sc->activity.compliance) * sc->activity.off_plan_effort;
    double calls = sc->working_days * sc->activity.calls_per_day * effort;
    double prospects = calls * (1 - sc->clients.focus);
    double meetings = fmin(prospects * fc[2] / fc[0],
                           sc->working_days * sc->activity.visits_per_day * effort);
    return meetings * (fc[2] > 0 ? fc[3] / fc[2] : 0);
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

    /* The team month by month at its expected size: recruits join and
     * team.attrition leaves (assessment and the income floor only make it
     * smaller); its largest size and its agent-months. */
    double n = n0, peak = n0, agent_months = 0;
    for (int m = 0; m < sc->months; m++) {
        agent_months += n;
        n = fmin(n * (1 - sc->team.attrition) + sc->team.recruits_per_month +
                     sc->team.recruits_per_agent * n,
                 (double)KPI_MAX_TEAM);
        peak = fmax(peak, n);
    }
    out->agents = peak;
    /* Clients: the starting books, then every agent-month's new clients
     * (clients stay in the book's arrays when they lapse or are lost). */
    out->clients = n0 * sc->clients.initial_per_agent +
                   agent_months * new_clients_per_agent_month(sc);

    double per_agent = AGENT_BYTES +
                       AGENT_BYTES_PER_EXPIRY_DAY * sc->activity.appointment_expiry_days +
                       AGENT_BYTES_PER_REFERRAL_MONTH * sc->clients.referral_expiry_months;
    out->workspace = SLACK * (out->agents * per_agent + out->clients * CLIENT_BYTES);
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
    double avail = proc_value("/proc/meminfo", "MemAvailable");
    const char *what = "MemAvailable in /proc/meminfo";
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
