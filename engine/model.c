/*
 * model.c - one replication of the team model: the numeric core.
 *
 * A replication runs month by month; within a month every agent works its
 * working days one by one (agent-major order: an agent's state stays in
 * cache for the whole month, and nothing couples agents within a month).
 * The order of operations in a month, every formula and every choice left
 * open by MODEL.md are in docs/model.md; section names are cited below.
 *
 * Speed: the hot loop is the agent-day.  Counts are drawn, never single
 * trials (a binomial draw has the law of n Bernoulli trials with one or a
 * few uniforms), the Poisson law of daily calls is tabulated once a month
 * (draw.h), and per-agent probabilities are computed once a month.
 *
 * Randomness: every draw comes from a keyed stream (rng.h), positioned per
 * agent and day, so results do not depend on threads and common random
 * numbers stay aligned between scenarios.
 */
#include "model.h"

#include "book.h"
#include "draw.h"
#include "error.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* Sources of a call, an appointment and a case. */
enum { SRC_COLD = 0, SRC_REFERRAL = 1, SRC_CLIENT = 2, NSRC = 3 };

/* The Poisson tables of one month: [on-plan, off-plan] x [normal, contest]. */
enum { DAY_ON = 0, DAY_OFF = 1 };

/* The day streams whose first blocks are batched, in this order. */
enum { FB_DAY = 0, FB_VISIT, FB_PREMIUM, FB_CLIENTS, NFB };
static const uint32_t fb_purposes[NFB] = {KPI_RS_AGENT_DAY, KPI_RS_AGENT_VISIT,
                                          KPI_RS_AGENT_PREMIUM, KPI_RS_AGENT_CLIENTS};

struct kpi_model {
    const kpi_scenario *sc;
    gsl_rng *r_day, *r_visit, *r_premium, *r_misc, *r_client;
    kpi_book *book;
    int32_t *held_clients;   /* clients met in a day, room for the visit capacity */
    uint32_t *heirs;         /* ids of the agents who stay, at month end */

    /* Agents, structure of arrays, capacity `cap`, `n` in use, in hiring
     * order (ids increase). */
    int n, cap;
    uint32_t *id;
    double *tenure;        /* months completed at the start of this month */
    double *skill;
    double *compliance;
    int *below;            /* consecutive assessed months below min_cases */
    double *cases_m;       /* this month */
    double *premium_m;
    uint32_t *backlog;     /* [agent][slot][source], E slots (ring by day) */
    uint32_t *pending;     /* appointments in the backlog, per agent */
    unsigned char *leaving;
    uint32_t next_id;

    /* Constants of the scenario, computed once. */
    int E;                 /* appointment expiry, working days */
    double p_contact[NSRC], p_meet[NSRC], p_sale[NSRC];
    double zeta, sigma;    /* lognormal premium */
    double skill_zeta, skill_sigma;
    double mood_zeta, mood_sigma;   /* lognormal atmosphere, mean 1 */
    double beta_a, beta_b; /* compliance law; beta_a <= 0: everyone equal */

    kpi_poisson calls[2][2];
    kpi_binomial f_contact[2], f_meet[2];   /* the funnels of cold and referral calls */
    kpi_poisson ref_sale;    /* Poisson(referrals_per_sale), tabulated */
    /* The first block of each day stream of the agent's month, computed in
     * one batch (rng.h): [stream * D + day], streams FB_*; the purposes are
     * fixed, the days (fb_when) set once a month. */
    int nstreams;                  /* 3, or 4 when calls go to the book */
    uint32_t *fb_purpose, *fb_when;
    philox4x32_ctr_t *first;
    double pending_at_end;
    double premium_m_cur;    /* premium of the agent's current day */

    /* From the run's options (kpi_model_limits). */
    kpi_budget budget;                       /* the workspace's growing arrays */
    const volatile sig_atomic_t *cancel;     /* NULL, or non-zero: stop */
};

/* ------------------------------------------------------------------ */
/* Workspace                                                           */
/* ------------------------------------------------------------------ */

static int grow(kpi_model *m, int need)
{
    if (need <= m->cap)
        return 0;
    int cap = m->cap ? m->cap : 64;
    while (cap < need)
        cap = cap > KPI_MAX_TEAM / 2 ? KPI_MAX_TEAM : cap * 2;
    size_t n = (size_t)cap, e = (size_t)m->E * NSRC;
    /* Bytes per agent of the arrays below. */
    const double per_agent =
        (double)(sizeof *m->id + sizeof *m->tenure + sizeof *m->skill + sizeof *m->compliance +
                 sizeof *m->below + sizeof *m->cases_m + sizeof *m->premium_m +
                 e * sizeof *m->backlog + sizeof *m->pending + sizeof *m->leaving +
                 sizeof *m->heirs);
    if (kpi_budget_take(&m->budget, (double)(cap - m->cap) * per_agent) != 0)
        return -1;
    void *p;
#define REGROW(field, count)                                   \
    do {                                                       \
        p = realloc(m->field, (count) * sizeof *m->field);     \
        if (!p)                                                \
            return -1;                                         \
        m->field = p;                                          \
    } while (0)
    REGROW(id, n);
    REGROW(tenure, n);
    REGROW(skill, n);
    REGROW(compliance, n);
    REGROW(below, n);
    REGROW(cases_m, n);
    REGROW(premium_m, n);
    REGROW(backlog, n * e);
    REGROW(pending, n);
    REGROW(leaving, n);
    REGROW(heirs, n);
#undef REGROW
    m->cap = cap;
    return 0;
}

static void funnel_probs(const kpi_funnel *f, double *pc, double *pm, double *ps)
{
    *pc = f->stage[1] / f->stage[0];
    *pm = f->stage[1] > 0 ? f->stage[2] / f->stage[1] : 0;
    *ps = f->stage[2] > 0 ? f->stage[3] / f->stage[2] : 0;
}

int kpi_model_create(kpi_model **out, const kpi_scenario *sc, kpi_error *err)
{
    kpi_model *m = calloc(1, sizeof *m);
    if (!m)
        goto fail;
    m->sc = sc;
    m->E = sc->activity.appointment_expiry_days;
    m->r_day = kpi_rng_alloc();
    m->r_visit = kpi_rng_alloc();
    m->r_premium = kpi_rng_alloc();
    m->r_misc = kpi_rng_alloc();
    m->r_client = kpi_rng_alloc();
    m->book = kpi_book_create(sc);
    if (m->book)
        kpi_book_set_budget(m->book, &m->budget);
    m->held_clients = malloc(((size_t)ceil(sc->activity.visits_per_day) + 1) *
                             sizeof *m->held_clients);
    if (!m->r_day || !m->r_visit || !m->r_premium || !m->r_misc || !m->r_client ||
        !m->book || !m->held_clients)
        goto fail;
    const int D = sc->working_days;
    m->nstreams = sc->clients.focus > 0 ? NFB : FB_CLIENTS;
    m->fb_purpose = malloc((size_t)(NFB * D) * sizeof *m->fb_purpose);
    m->fb_when = malloc((size_t)(NFB * D) * sizeof *m->fb_when);
    m->first = malloc((size_t)(NFB * D) * sizeof *m->first);
    if (!m->fb_purpose || !m->fb_when || !m->first)
        goto fail;
    for (int f = 0; f < NFB; f++)
        for (int d = 0; d < D; d++)
            m->fb_purpose[f * D + d] = fb_purposes[f];
    if (grow(m, sc->team.headcount > 0 ? sc->team.headcount : 1) != 0 ||
        kpi_poisson_prepare(&m->ref_sale, sc->clients.referrals_per_sale) != 0)
        goto fail;

    funnel_probs(&sc->funnel.cold, &m->p_contact[SRC_COLD], &m->p_meet[SRC_COLD],
                 &m->p_sale[SRC_COLD]);
    funnel_probs(&sc->funnel.referral, &m->p_contact[SRC_REFERRAL],
                 &m->p_meet[SRC_REFERRAL], &m->p_sale[SRC_REFERRAL]);
    funnel_probs(&sc->funnel.old_client, &m->p_contact[SRC_CLIENT], &m->p_meet[SRC_CLIENT],
                 &m->p_sale[SRC_CLIENT]);
    /* The prospect funnels' binomials, tabulated (draw.h). */
    for (int s = SRC_COLD; s <= SRC_REFERRAL; s++)
        if (kpi_binomial_prepare(&m->f_contact[s], m->p_contact[s], KPI_BINOMIAL_TABLE_N) != 0 ||
            kpi_binomial_prepare(&m->f_meet[s], m->p_meet[s], KPI_BINOMIAL_TABLE_N) != 0)
            goto fail;
    if (sc->premium.mean > 0)
        kpi_lognormal_params(sc->premium.mean, sc->premium.cv, &m->zeta, &m->sigma);
    kpi_lognormal_params(1.0, sc->team.skill_sd, &m->skill_zeta, &m->skill_sigma);
    kpi_lognormal_params(1.0, sc->activity.mood_sd, &m->mood_zeta, &m->mood_sigma);
    double c = sc->activity.compliance, s = sc->activity.compliance_sd;
    if (s > 0) {
        double k = c * (1 - c) / (s * s) - 1;
        m->beta_a = c * k;
        m->beta_b = (1 - c) * k;
    }
    *out = m;
    return KPI_OK;

fail:
    kpi_model_destroy(m);
    *out = NULL;
    return kpi_error_oom(err, "creating the model workspace");
}

void kpi_model_destroy(kpi_model *m)
{
    if (!m)
        return;
    gsl_rng_free(m->r_day);
    gsl_rng_free(m->r_visit);
    gsl_rng_free(m->r_premium);
    gsl_rng_free(m->r_misc);
    gsl_rng_free(m->r_client);
    kpi_book_destroy(m->book);
    free(m->held_clients);
    free(m->fb_purpose);
    free(m->fb_when);
    free(m->first);
    free(m->heirs);
    free(m->id);
    free(m->tenure);
    free(m->skill);
    free(m->compliance);
    free(m->below);
    free(m->cases_m);
    free(m->premium_m);
    free(m->backlog);
    free(m->pending);
    free(m->leaving);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            kpi_poisson_free(&m->calls[i][j]);
    kpi_poisson_free(&m->ref_sale);
    for (int s = SRC_COLD; s <= SRC_REFERRAL; s++) {
        kpi_binomial_free(&m->f_contact[s]);
        kpi_binomial_free(&m->f_meet[s]);
    }
    free(m);
}

void kpi_model_limits(kpi_model *m, const volatile sig_atomic_t *cancel, double workspace_limit)
{
    m->cancel = cancel;
    m->budget.limit = workspace_limit > 0 ? workspace_limit : 0;
    m->budget.exceeded = 0;
}

double kpi_model_pending(const kpi_model *m)
{
    return m->pending_at_end;
}

/* ------------------------------------------------------------------ */
/* Team changes (docs/model.md "Agents")                               */
/* ------------------------------------------------------------------ */

/* Adds an agent with the given tenure; its skill and compliance come from
 * its own stream, so they do not depend on who else was hired.  The
 * starting agents get the initial book (initial_book), recruits none.
 * Returns 0 or -1 (out of memory). */
static int hire(kpi_model *m, uint64_t key, double tenure, int initial_book)
{
    int i = m->n++;
    uint32_t id = m->next_id++;
    const kpi_scenario *sc = m->sc;
    m->id[i] = id;
    m->tenure[i] = tenure;
    m->below[i] = 0;
    m->pending[i] = 0;
    m->leaving[i] = 0;
    memset(&m->backlog[(size_t)i * (size_t)m->E * NSRC], 0,
           (size_t)m->E * NSRC * sizeof *m->backlog);
    kpi_rng_seek(m->r_misc, key, KPI_RS_AGENT_INIT, id, 0);
    /* Skill: lognormal with mean 1 and standard deviation skill_sd. */
    double z = gsl_ran_ugaussian(m->r_misc);
    m->skill[i] = sc->team.skill_sd > 0 ? exp(m->skill_zeta + m->skill_sigma * z) : 1.0;
    /* Compliance: Beta with mean compliance and sd compliance_sd. */
    m->compliance[i] = m->beta_a > 0 ? gsl_ran_beta(m->r_misc, m->beta_a, m->beta_b)
                                     : sc->activity.compliance;
    return kpi_book_hire(m->book, id, initial_book);
}

/* The conversion factor of ramp-up: ramp_start in the first month, rising
 * linearly to 1 after ramp_months months. */
static double ramp(const kpi_scenario *sc, double tenure)
{
    if (sc->team.ramp_months <= 0 || tenure >= sc->team.ramp_months)
        return 1.0;
    return sc->team.ramp_start + (1 - sc->team.ramp_start) * tenure / sc->team.ramp_months;
}

/* ------------------------------------------------------------------ */
/* The month's management events (docs/model.md "Management events")  */
/* ------------------------------------------------------------------ */

typedef struct month_plan {
    int contest_days;      /* first working days with boosted effort */
    double contest_effort; /* product of the effort of this month's contests */
    double slump_next;     /* effort multiplier for the next month */
    double tier;           /* premium multiplier */
    double uplift;         /* conversion multiplier (seminars) */
    double recruit_factor;
    double training;       /* permanent skill multiplier, applied at month start */
} month_plan;

static void plan_month(const kpi_scenario *sc, int month1, month_plan *p)
{
    p->contest_days = 0;
    p->contest_effort = 1;
    p->slump_next = 1;
    p->tier = 1;
    p->uplift = 1;
    p->recruit_factor = 1;
    p->training = 1;
    for (int i = 0; i < sc->nevents; i++) {
        const kpi_event *ev = &sc->events[i];
        if (ev->month != month1)
            continue;
        switch (ev->type) {
        case KPI_EVENT_CONTEST:
            if (ev->days > p->contest_days)
                p->contest_days = ev->days;
            p->contest_effort *= ev->effort;
            p->slump_next *= ev->slump;
            break;
        case KPI_EVENT_SEMINAR:
            p->tier *= ev->tier;
            p->uplift *= ev->uplift;
            break;
        case KPI_EVENT_RECRUITING_DRIVE:
            p->recruit_factor *= ev->factor;
            break;
        case KPI_EVENT_TRAINING:
            p->training *= ev->uplift;
            break;
        default:
            break;   /* thank_you_event acts on the client book */
        }
    }
}

/* ------------------------------------------------------------------ */
/* A working day of one agent (docs/model.md "A working day")          */
/* ------------------------------------------------------------------ */

/* The monthly totals the days add to, indexed by enum kpi_kpi. */
typedef double tally[KPI_NKPI];

/* Per agent and month: what the days of the month need. */
typedef struct agent_month {
    double compliance;
    double p_sale[NSRC];
    unsigned cap_int[2];            /* daily visit capacity [DAY_ON, DAY_OFF]: whole part */
    double cap_frac[2];             /* and fraction */
    unsigned rows_n;                /* Bin(held, p_sale) tabulated for held <= rows_n */
    double rows[2][(KPI_BINOMIAL_ROWS_MAX + 1) * (KPI_BINOMIAL_ROWS_MAX + 1)];
    double zeta;                    /* log-scale of this month's premiums */
    kpi_book_rates book;
} agent_month;

/* Holds up to cap appointments from the backlog, oldest first, and returns
 * how many of each source were held in held[]; the clients of the client
 * appointments held go to m->held_clients.  Within one day's bucket that is
 * only partly held, which appointments go first is random (a multivariate
 * hypergeometric draw). */
static void hold_visits(kpi_model *m, uint32_t id, uint32_t *bl, int t, int today_slot,
                        unsigned cap, unsigned held[NSRC])
{
    held[0] = held[1] = held[2] = 0;
    const int E = m->E;
    /* The slot of the oldest eligible day (set E days ago) is today's own
     * slot in a ring of E slots: (t - E) mod E == t mod E. */
    int slot = today_slot;   /* the slot of age E; age E - 1 is the next one */
    for (int age = E; age >= 1 && cap > 0; age--, slot = slot + 1 == E ? 0 : slot + 1) {
        uint32_t *b = &bl[slot * NSRC];
        unsigned tot = b[0] + b[1] + b[2];
        if (tot == 0)
            continue;
        unsigned h[NSRC] = {b[0], b[1], b[2]};
        if (tot > cap) {
            /* Partly held: draw which, source by source. */
            unsigned left = tot, take = cap;
            for (int s = 0; s < NSRC; s++) {
                if (b[s] == 0 || take == 0) {
                    h[s] = 0;
                    continue;
                }
                h[s] = b[s] == left ? take
                                    : gsl_ran_hypergeometric(m->r_visit, b[s], left - b[s], take);
                left -= b[s];
                take -= h[s];
            }
        }
        if (h[SRC_CLIENT])
            kpi_book_hold(m->book, id, t - age, h[SRC_CLIENT],
                          m->held_clients + held[SRC_CLIENT]);
        for (int s = 0; s < NSRC; s++) {
            b[s] -= h[s];
            held[s] += h[s];
            cap -= h[s];
        }
    }
}

/* Cases from `held` meetings of prospect source src (cold, referral). */
static unsigned prospect_cases(const agent_month *am, int src, unsigned held, const gsl_rng *r)
{
    if (held == 0)
        return 0;
    if (held <= am->rows_n)
        return kpi_binomial_row_draw(&am->rows[src][held * (am->rows_n + 1)], held, kpi_rng_uniform(r));
    return gsl_ran_binomial(r, am->p_sale[src], held);
}

/* One case of agent id with a client (client >= 0) or a new prospect:
 * its premium, its place in the book, its referrals. */
static int write_case(kpi_model *m, uint32_t id, int mo, int32_t client, double mult,
                      const agent_month *am, tally acc)
{
    const kpi_scenario *sc = m->sc;
    double x = 0;
    if (sc->premium.mean > 0) {
        /* Lognormal: exp of a normal drawn by GSL's ziggurat (one 32-bit
         * output per draw, nearly always). */
        x = sc->premium.cv > 0
                ? exp(am->zeta + gsl_ran_gaussian_ziggurat(m->r_premium, m->sigma))
                : exp(am->zeta);
        /* A premium is an amount of money: whole cents. */
        x = round(x * mult * 100.0) / 100.0;
    }
    acc[KPI_PREMIUM] += x;
    m->premium_m_cur += x;
    if (kpi_book_sale(m->book, id, client, mo, x) != 0)
        return -1;
    unsigned k = kpi_poisson_draw(&m->ref_sale, m->r_premium);
    if (k) {
        kpi_book_add_referrals(m->book, id, k);
        acc[KPI_REFERRALS] += k;
    }
    return 0;
}

/* Where each source's counts go in the monthly tally. */
static const int src_calls[NSRC] = {KPI_CALLS_COLD, KPI_CALLS_REFERRAL, KPI_CALLS_TO_CLIENTS};
static const int src_meetings[NSRC] = {KPI_MEETINGS_COLD, KPI_MEETINGS_REFERRAL,
                                       KPI_MEETINGS_CLIENTS};

/* Calls of a prospect source (cold, referral) through its funnel:
 * contacts and appointments. */
static unsigned funnel_calls(kpi_model *m, int src, unsigned calls, tally acc)
{
    if (calls == 0)
        return 0;
    unsigned contacts = kpi_binomial_draw(&m->f_contact[src], calls, m->r_day);
    unsigned appts = kpi_binomial_draw(&m->f_meet[src], contacts, m->r_day);
    acc[src_calls[src]] += calls;
    acc[KPI_CONTACTS] += contacts;
    acc[KPI_APPOINTMENTS] += appts;
    acc[src == SRC_COLD ? KPI_CONTACTS_COLD : KPI_CONTACTS_REFERRAL] += contacts;
    acc[src == SRC_COLD ? KPI_APPOINTMENTS_COLD : KPI_APPOINTMENTS_REFERRAL] += appts;
    return appts;
}

/* One working day t (counted from the start of the horizon) of agent i in
 * month mo.  Returns 0 or -1 (out of memory). */
static int agent_day(kpi_model *m, uint64_t key, int i, const agent_month *am, int mo,
                     int d, int t, int slot, int contest_day, tally acc)
{
    const int D = m->sc->working_days;
    const uint32_t id = m->id[i];
    const int E = m->E;
    uint32_t *bl = &m->backlog[(size_t)i * (size_t)E * NSRC];

    /* 1. Calls: on-plan or off-plan day, then a Poisson number of calls. */
    kpi_stream_seek_first(kpi_stream_of(m->r_day), key, KPI_RS_AGENT_DAY, id, (uint32_t)t,
                          &m->first[FB_DAY * D + d]);
    int on = kpi_rng_uniform(m->r_day) < am->compliance;
    unsigned calls = kpi_poisson_draw(&m->calls[on ? DAY_ON : DAY_OFF][contest_day], m->r_day);

    /* 2.-3. Sources and funnels: the book first (best grade first), then
     * unused referrals, then cold prospects. */
    unsigned appts[NSRC] = {0, 0, 0};
    if (calls > 0) {
        acc[KPI_CALLS] += calls;
        if (m->nstreams > FB_CLIENTS)
            kpi_stream_seek_first(kpi_stream_of(m->r_client), key, KPI_RS_AGENT_CLIENTS, id,
                                  (uint32_t)t, &m->first[FB_CLIENTS * D + d]);
        else
            kpi_rng_seek(m->r_client, key, KPI_RS_AGENT_CLIENTS, id, (uint32_t)t);
        unsigned placed;
        if (kpi_book_call(m->book, id, mo, t, calls, &am->book, m->r_client, acc, &placed,
                          &appts[SRC_CLIENT]) != 0)
            return -1;
        unsigned rest = calls - placed;
        unsigned ref = kpi_book_take_referrals(m->book, id, rest);
        appts[SRC_COLD] = funnel_calls(m, SRC_COLD, rest - ref, acc);
        appts[SRC_REFERRAL] = funnel_calls(m, SRC_REFERRAL, ref, acc);
    }

    /* 4. Visits: hold the oldest appointments up to the day's capacity. */
    if (m->pending[i] > 0) {
        kpi_stream_seek_first(kpi_stream_of(m->r_visit), key, KPI_RS_AGENT_VISIT, id,
                              (uint32_t)t, &m->first[FB_VISIT * D + d]);
        /* A fractional capacity rounds up with probability its fraction. */
        const int plan = on ? DAY_ON : DAY_OFF;
        unsigned cap = am->cap_int[plan];
        if (am->cap_frac[plan] > 0 && kpi_rng_uniform(m->r_visit) < am->cap_frac[plan])
            cap++;
        unsigned held[NSRC];
        hold_visits(m, id, bl, t, slot, cap, held);
        unsigned nheld = held[0] + held[1] + held[2];
        m->pending[i] -= nheld;
        acc[KPI_MEETINGS] += nheld;
        for (int s = 0; s < NSRC; s++)
            acc[src_meetings[s]] += held[s];

        /* 5. Cases: binomial for prospects, one trial per client met (its
         * grade sets its rate). */
        unsigned cases[NSRC];
        cases[SRC_COLD] = prospect_cases(am, SRC_COLD, held[SRC_COLD], m->r_visit);
        cases[SRC_REFERRAL] = prospect_cases(am, SRC_REFERRAL, held[SRC_REFERRAL], m->r_visit);
        cases[SRC_CLIENT] = 0;
        for (unsigned k = 0; k < held[SRC_CLIENT]; k++) {
            int32_t c = m->held_clients[k];
            double p = fmin(1.0, am->p_sale[SRC_CLIENT] * kpi_book_grade_rate(m->book, c));
            if (kpi_rng_uniform(m->r_visit) < p)
                m->held_clients[cases[SRC_CLIENT]++] = c;
        }
        unsigned ncases = cases[0] + cases[1] + cases[2];
        if (ncases > 0) {
            acc[KPI_CASES_COLD] += cases[SRC_COLD];
            acc[KPI_CASES_REFERRAL] += cases[SRC_REFERRAL];
            acc[KPI_CASES_REPEAT] += cases[SRC_CLIENT];
            acc[KPI_CASES] += ncases;
            m->cases_m[i] += ncases;
            kpi_stream_seek_first(kpi_stream_of(m->r_premium), key, KPI_RS_AGENT_PREMIUM, id,
                                  (uint32_t)t, &m->first[FB_PREMIUM * D + d]);
            m->premium_m_cur = 0;
            const double rep = m->sc->premium.repeat_multiplier;
            for (unsigned k = 0; k < cases[SRC_CLIENT]; k++)
                if (write_case(m, id, mo, m->held_clients[k], rep, am, acc) != 0)
                    return -1;
            for (unsigned k = 0; k < cases[SRC_COLD] + cases[SRC_REFERRAL]; k++)
                if (write_case(m, id, mo, -1, 1.0, am, acc) != 0)
                    return -1;
            m->premium_m[i] += m->premium_m_cur;
        }

        /* Appointments set E working days ago that are still unheld expire
         * tonight: that bucket is today's slot, reused for today's new ones. */
        uint32_t *old = &bl[slot * NSRC];
        unsigned lost = old[0] + old[1] + old[2];
        if (lost) {
            acc[KPI_APPOINTMENTS_LOST] += lost;
            m->pending[i] -= lost;
            if (old[SRC_CLIENT])
                kpi_book_expire(m->book, id, t - E);
            old[0] = old[1] = old[2] = 0;
        }
    }

    /* New appointments can be held from the next working day on. */
    unsigned nnew = appts[0] + appts[1] + appts[2];
    if (nnew) {
        uint32_t *b = &bl[slot * NSRC];
        for (int s = 0; s < NSRC; s++)
            b[s] += appts[s];
        m->pending[i] += nnew;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The replication                                                     */
/* ------------------------------------------------------------------ */

static int fail_team(kpi_error *err, int month1)
{
    return kpi_error_set(err, KPI_EDATA, "team.recruits_per_agent",
                         "the team grew beyond %d agents in month %d; lower "
                         "team.recruits_per_month or team.recruits_per_agent",
                         KPI_MAX_TEAM, month1);
}

/* An allocation failed, or the workspace budget refused a growth. */
static int fail_memory(const kpi_model *m, kpi_error *err)
{
    char lim[32];
    if (!m->budget.exceeded)
        return kpi_error_oom(err, "while simulating");
    kpi_memory_format(m->budget.limit, lim, sizeof lim);
    return kpi_error_set(err, KPI_EINTERNAL, NULL,
                         "the run outgrew the memory the memory check approved for it "
                         "(%s per model workspace): its team or client book grew larger "
                         "than estimated; lower team.headcount, months or --threads",
                         lim);
}

static int cancelled(const kpi_model *m)
{
    return m->cancel && *m->cancel;
}

static int fail_cancel(kpi_error *err)
{
    return kpi_error_set(err, KPI_ECANCEL, NULL, "cancelled");
}

static double ratio(double a, double b)
{
    return b != 0 ? a / b : 0;
}

/* Horizon figures from the monthly table of one replication. */
static void figures_from_months(const kpi_scenario *sc, const double *monthly,
                                double final_headcount, double contacts, double *fig)
{
    const int M = sc->months;
    double sum[KPI_NKPI] = {0};
    for (int mo = 0; mo < M; mo++)
        for (int k = 0; k < KPI_NKPI; k++)
            sum[k] += monthly[mo * KPI_NKPI + k];
    double last_cases = 0, last_repeat = 0;
    for (int mo = M > 12 ? M - 12 : 0; mo < M; mo++) {
        last_cases += monthly[mo * KPI_NKPI + KPI_CASES];
        last_repeat += monthly[mo * KPI_NKPI + KPI_CASES_REPEAT];
    }
    double mean_prem = sum[KPI_PREMIUM] / M, ss = 0;
    for (int mo = 0; mo < M; mo++) {
        double d = monthly[mo * KPI_NKPI + KPI_PREMIUM] - mean_prem;
        ss += d * d;
    }
    double sd_prem = M > 1 ? sqrt(ss / (M - 1)) : 0;

    fig[KPI_FIG_TOTAL_PREMIUM] = sum[KPI_PREMIUM];
    fig[KPI_FIG_TOTAL_CASES] = sum[KPI_CASES];
    fig[KPI_FIG_FINAL_HEADCOUNT] = final_headcount;
    fig[KPI_FIG_MEAN_HEADCOUNT] = sum[KPI_HEADCOUNT] / M;
    fig[KPI_FIG_MEAN_ACTIVITY_RATE] = sum[KPI_ACTIVITY_RATE] / M;
    fig[KPI_FIG_CASES_PER_ACTIVE] = ratio(sum[KPI_CASES], sum[KPI_ACTIVE_AGENTS]);
    fig[KPI_FIG_PREMIUM_PER_CASE] = ratio(sum[KPI_PREMIUM], sum[KPI_CASES]);
    fig[KPI_FIG_REPEAT_SHARE] = ratio(sum[KPI_CASES_REPEAT], sum[KPI_CASES]);
    fig[KPI_FIG_REPEAT_SHARE_LAST12] = ratio(last_repeat, last_cases);
    fig[KPI_FIG_TOTAL_CALLS] = sum[KPI_CALLS];
    fig[KPI_FIG_TOTAL_MEETINGS] = sum[KPI_MEETINGS];
    fig[KPI_FIG_APPOINTMENTS_LOST] = sum[KPI_APPOINTMENTS_LOST];
    fig[KPI_FIG_TOTAL_RECRUITS] = sum[KPI_RECRUITS];
    fig[KPI_FIG_TOTAL_EXITS] = sum[KPI_EXITS];
    fig[KPI_FIG_FINAL_CLIENTS] = monthly[(M - 1) * KPI_NKPI + KPI_CLIENTS];
    fig[KPI_FIG_CLIENTS_LOST] = sum[KPI_CLIENTS_LOST];
    fig[KPI_FIG_TOTAL_RENEWAL_PREMIUM] = sum[KPI_RENEWAL_PREMIUM];
    fig[KPI_FIG_TOTAL_INCOME] = sum[KPI_INCOME];
    fig[KPI_FIG_TOTAL_COST] = sum[KPI_COST];
    fig[KPI_FIG_PROFIT] = sum[KPI_PROFIT];
    fig[KPI_FIG_PREMIUM_MONTHLY_CV] = ratio(sd_prem, mean_prem);
    /* C1: acquiring a client (per new-prospect case) against keeping one
     * for a year (service contacts per client-year in the book). */
    double client_years = sum[KPI_CLIENTS] / 12.0;
    double keep = ratio(sc->economics.cost_per_contact * contacts, client_years);
    fig[KPI_FIG_C1_COST_RATIO] = ratio(sc->economics.cost_per_new_client, keep);
}

/* ------------------------------------------------------------------ */
/* The month, step by step (docs/model.md "The order of operations in  */
/* a month"): each step below is one item of that list                 */
/* ------------------------------------------------------------------ */

/* What the steps of one month share. */
typedef struct month_state {
    int mo;                /* 0-based month */
    month_plan plan;
    tally acc;
    unsigned recruits;
    double active, exits;
    double contacts;       /* the book's service contacts this month */
} month_state;

/* 1. Events: the month's plan, and the renewal premium due this month. */
static void month_events(kpi_model *m, int mo, month_state *ms)
{
    memset(ms, 0, sizeof *ms);
    ms->mo = mo;
    plan_month(m->sc, mo + 1, &ms->plan);
    ms->acc[KPI_RENEWAL_PREMIUM] = kpi_book_month_start(m->book, mo);
}

/* 2. Recruits join at the start of the month (K4).  Returns KPI_OK,
 * KPI_EDATA (the team outgrew KPI_MAX_TEAM) or KPI_EINTERNAL. */
static int recruits_join(kpi_model *m, uint64_t key, month_state *ms, kpi_error *err)
{
    const kpi_scenario *sc = m->sc;
    double lam = (sc->team.recruits_per_month + sc->team.recruits_per_agent * m->n) *
                 ms->plan.recruit_factor;
    unsigned recruits = 0;
    if (lam > 0) {
        kpi_rng_seek(m->r_misc, key, KPI_RS_TEAM_RECRUIT, KPI_RS_TEAM, (uint32_t)ms->mo);
        recruits = gsl_ran_poisson(m->r_misc, lam);
    }
    if ((double)m->n + recruits > KPI_MAX_TEAM)
        return fail_team(err, ms->mo + 1);
    if (grow(m, m->n + (int)recruits) != 0)
        return fail_memory(m, err);
    for (unsigned j = 0; j < recruits; j++)
        if (hire(m, key, 0, 0) != 0)
            return fail_memory(m, err);
    ms->recruits = recruits;
    return KPI_OK;
}

/* 3. Training: every agent's skill, permanently. */
static void training(kpi_model *m, const month_state *ms)
{
    if (ms->plan.training != 1)
        for (int i = 0; i < m->n; i++)
            m->skill[i] *= ms->plan.training;
}

/* 4. Client events: invited clients attend at the start of the month.
 * Returns 0 or -1 (out of memory). */
static int client_events(kpi_model *m, month_state *ms)
{
    const kpi_scenario *sc = m->sc;
    for (int e = 0; e < sc->nevents; e++) {
        const kpi_event *ev = &sc->events[e];
        if (ev->month == ms->mo + 1 &&
            (ev->type == KPI_EVENT_THANK_YOU || ev->type == KPI_EVENT_SEMINAR))
            if (kpi_book_event(m->book, ms->mo, e, ev->invited, ms->acc) != 0)
                return -1;
    }
    return 0;
}

/* 5. Atmosphere (M1): lognormal, mean 1, sd mood_sd; with last month's
 * slump it sets the month's Poisson tables of daily calls.  Returns 0 or
 * -1 (out of memory). */
static int atmosphere(kpi_model *m, uint64_t key, const month_state *ms, double slump)
{
    const kpi_scenario *sc = m->sc;
    double mood = 1;
    if (sc->activity.mood_sd > 0) {
        kpi_rng_seek(m->r_misc, key, KPI_RS_TEAM_MOOD, KPI_RS_TEAM, (uint32_t)ms->mo);
        mood = gsl_ran_lognormal(m->r_misc, m->mood_zeta, m->mood_sigma);
    }
    double lam_on = sc->activity.calls_per_day * mood * slump;
    double lam_off = lam_on * sc->activity.off_plan_effort;
    if (kpi_poisson_prepare(&m->calls[DAY_ON][0], lam_on) != 0 ||
        kpi_poisson_prepare(&m->calls[DAY_OFF][0], lam_off) != 0 ||
        kpi_poisson_prepare(&m->calls[DAY_ON][1], lam_on * ms->plan.contest_effort) != 0 ||
        kpi_poisson_prepare(&m->calls[DAY_OFF][1], lam_off * ms->plan.contest_effort) != 0)
        return -1;
    return 0;
}

/* What the working days of the month share across agents: the visit
 * capacity, the size of the binomial rows, the premium scale, the book's
 * funnel. */
static void month_rates(const kpi_model *m, const month_state *ms, agent_month *am)
{
    const kpi_scenario *sc = m->sc;
    for (int pl = DAY_ON; pl <= DAY_OFF; pl++) {
        double x = sc->activity.visits_per_day *
                   (pl == DAY_ON ? 1.0 : sc->activity.off_plan_effort),
               f = floor(x);
        am->cap_int[pl] = (unsigned)f;
        am->cap_frac[pl] = x - f;
    }
    /* Meetings held of one source in a day: at most the capacity. */
    am->rows_n = am->cap_int[DAY_ON] + (am->cap_frac[DAY_ON] > 0);
    if (am->rows_n > KPI_BINOMIAL_ROWS_MAX)
        am->rows_n = 0;   /* no table: gsl_ran_binomial */
    am->zeta = ms->plan.tier > 0 ? m->zeta + log(ms->plan.tier) : -INFINITY;
    am->book.p_contact = m->p_contact[SRC_CLIENT];
    am->book.p_meet = m->p_meet[SRC_CLIENT];
}

/* Agent i's own rates for the month: sale probabilities (skill, ramp-up,
 * seminar uplift) and compliance; its month's counters start at 0. */
static void agent_rates(kpi_model *m, int i, const month_state *ms, agent_month *am)
{
    double f = m->skill[i] * ramp(m->sc, m->tenure[i]) * ms->plan.uplift;
    for (int s = 0; s < NSRC; s++)
        am->p_sale[s] = fmin(1.0, m->p_sale[s] * f);
    if (am->rows_n > 0)
        for (int s = SRC_COLD; s <= SRC_REFERRAL; s++)
            kpi_binomial_rows(am->p_sale[s], am->rows_n, am->rows[s]);
    /* The client's grade rate multiplies this one at the visit. */
    am->p_sale[SRC_CLIENT] = m->p_sale[SRC_CLIENT] * f;
    am->book.p_sale_agent = am->p_sale[SRC_CLIENT];
    am->compliance = m->compliance[i];
    m->cases_m[i] = 0;
    m->premium_m[i] = 0;
}

/* 6. Working days: each agent works each of the month's days, agent by
 * agent (docs/model.md "A working day").  Returns 0 or -1 (out of
 * memory). */
static int working_days(kpi_model *m, uint64_t key, month_state *ms)
{
    const int D = m->sc->working_days, mo = ms->mo;
    agent_month am;
    month_rates(m, ms, &am);
    for (int st = 0; st < m->nstreams; st++)
        for (int d = 0; d < D; d++)
            m->fb_when[st * D + d] = (uint32_t)(mo * D + d);
    for (int i = 0; i < m->n; i++) {
        agent_rates(m, i, ms, &am);
        kpi_rng_first_blocks(key, m->id[i], (size_t)(m->nstreams * D), m->fb_purpose,
                             m->fb_when, m->first);
        /* Day t's backlog slot is t mod E, counted up without a division
         * per day. */
        for (int d = 0, slot = (mo * D) % m->E; d < D; d++, slot = slot + 1 == m->E ? 0 : slot + 1)
            if (agent_day(m, key, i, &am, mo, d, mo * D + d, slot, d < ms->plan.contest_days,
                          ms->acc) != 0)
                return -1;
    }
    return 0;
}

/* 7. Month end, agent by agent: active or not, assessment and attrition
 * decide who leaves (docs/model.md "Agents"); marks m->leaving. */
static void activity_and_exits(kpi_model *m, uint64_t key, month_state *ms)
{
    const kpi_scenario *sc = m->sc;
    double active = 0, exits = 0;
    for (int i = 0; i < m->n; i++) {
        if (m->cases_m[i] > 0)
            active++;
        kpi_rng_seek(m->r_misc, key, KPI_RS_AGENT_EXIT, m->id[i], (uint32_t)ms->mo);
        double u = kpi_rng_uniform(m->r_misc);
        int leave = 0;
        if (sc->assessment.enabled) {
            if (m->tenure[i] < sc->assessment.exempt_months)
                m->below[i] = 0;
            else if (m->cases_m[i] < sc->assessment.min_cases)
                m->below[i]++;
            else
                m->below[i] = 0;
            if (m->below[i] >= sc->assessment.grace_months)
                leave = 1;
        }
        double income = sc->economics.agent_commission * m->premium_m[i];
        double p_exit = income < sc->team.income_floor ? sc->team.attrition_below_floor
                                                       : sc->team.attrition;
        if (u < p_exit)
            leave = 1;
        m->leaving[i] = (unsigned char)leave;
        exits += leave;
    }
    ms->active = active;
    ms->exits = exits;
}

/* 7. Leavers' books go to the agents who stay (or are lost).  Returns 0
 * or -1 (out of memory). */
static int leavers_books(kpi_model *m, month_state *ms)
{
    if (ms->exits > 0) {
        int nh = 0;
        for (int i = 0; i < m->n; i++)
            if (!m->leaving[i])
                m->heirs[nh++] = m->id[i];
        for (int i = 0; i < m->n; i++)
            if (m->leaving[i] && kpi_book_leave(m->book, m->id[i], ms->mo, m->heirs, nh, ms->acc) != 0)
                return -1;
    }
    kpi_book_stocks(m->book, ms->acc);
    ms->contacts = kpi_book_contacts(m->book);
    return 0;
}

/* 7. The month's KPIs, over everyone who was on the team during the month
 * (docs/model.md "What a month reports"). */
static void month_kpis(const kpi_model *m, month_state *ms)
{
    const kpi_scenario *sc = m->sc;
    double *acc = ms->acc, headcount = m->n, active = ms->active;
    acc[KPI_HEADCOUNT] = headcount;
    acc[KPI_RECRUITS] = ms->recruits;
    acc[KPI_EXITS] = ms->exits;
    acc[KPI_ACTIVE_AGENTS] = active;
    acc[KPI_ACTIVITY_RATE] = ratio(active, headcount);
    acc[KPI_CASES_PER_ACTIVE] = ratio(acc[KPI_CASES], active);
    acc[KPI_PREMIUM_PER_CASE] = ratio(acc[KPI_PREMIUM], acc[KPI_CASES]);
    acc[KPI_REPEAT_SHARE] = ratio(acc[KPI_CASES_REPEAT], acc[KPI_CASES]);
    acc[KPI_INCOME] = sc->economics.commission_first_year * acc[KPI_PREMIUM] +
                      sc->economics.commission_renewal * acc[KPI_RENEWAL_PREMIUM];
    acc[KPI_COST] =
        sc->economics.cost_per_new_client * (acc[KPI_CASES_COLD] + acc[KPI_CASES_REFERRAL]) +
        sc->economics.cost_per_contact * ms->contacts +
        sc->economics.cost_per_agent_month * headcount;
    acc[KPI_PROFIT] = acc[KPI_INCOME] - acc[KPI_COST];
}

/* 7. Leavers go; their unheld appointments are lost with them; everyone
 * else's tenure grows by one month.  The compaction keeps hiring order. */
static void compaction(kpi_model *m, month_state *ms)
{
    const size_t e = (size_t)m->E * NSRC;
    int w = 0;
    for (int i = 0; i < m->n; i++) {
        if (m->leaving[i]) {
            ms->acc[KPI_APPOINTMENTS_LOST] += m->pending[i];
            continue;
        }
        if (w != i) {
            m->id[w] = m->id[i];
            m->tenure[w] = m->tenure[i];
            m->skill[w] = m->skill[i];
            m->compliance[w] = m->compliance[i];
            m->below[w] = m->below[i];
            m->pending[w] = m->pending[i];
            memcpy(&m->backlog[(size_t)w * e], &m->backlog[(size_t)i * e],
                   e * sizeof *m->backlog);
        }
        m->tenure[w] += 1;
        w++;
    }
    m->n = w;
}

/* One month, its steps in the order of docs/model.md; the month's row
 * goes to row, *slump is carried to the next month.  Returns KPI_OK or a
 * status with err filled. */
static int run_month(kpi_model *m, uint64_t key, int mo, double *slump, double *row,
                     double *contacts_total, kpi_error *err)
{
    month_state ms;
    int rc;
    month_events(m, mo, &ms);
    if ((rc = recruits_join(m, key, &ms, err)) != KPI_OK)
        return rc;
    training(m, &ms);
    if (client_events(m, &ms) != 0 || atmosphere(m, key, &ms, *slump) != 0 ||
        working_days(m, key, &ms) != 0)
        return fail_memory(m, err);
    /* Month end: the book's transitions, then activity, assessment and
     * exits, the leavers' books, the KPIs, the compaction. */
    if (kpi_book_month_end(m->book, mo, ms.acc) != 0)
        return fail_memory(m, err);
    activity_and_exits(m, key, &ms);
    if (leavers_books(m, &ms) != 0)
        return fail_memory(m, err);
    *contacts_total += ms.contacts;
    month_kpis(m, &ms);
    compaction(m, &ms);
    memcpy(row, ms.acc, sizeof ms.acc);
    *slump = ms.plan.slump_next;
    return KPI_OK;
}

int kpi_model_run(kpi_model *m, uint64_t key, double *monthly, double *figures,
                  kpi_error *err)
{
    const kpi_scenario *sc = m->sc;
    const int M = sc->months;
    int rc;

    /* The starting team, each agent with its initial book. */
    m->n = 0;
    m->next_id = 0;
    kpi_book_reset(m->book, key);
    if (grow(m, sc->team.headcount) != 0)
        return fail_memory(m, err);
    for (int i = 0; i < sc->team.headcount; i++) {
        if (i % 1024 == 1023 && cancelled(m))
            return fail_cancel(err);
        if (hire(m, key, sc->team.initial_tenure_months, 1) != 0)
            return fail_memory(m, err);
    }

    double slump = 1;   /* effort multiplier left by last month's contests */
    double contacts_total = 0;
    for (int mo = 0; mo < M; mo++) {
        if (cancelled(m))
            return fail_cancel(err);
        if ((rc = run_month(m, key, mo, &slump, &monthly[mo * KPI_NKPI], &contacts_total,
                            err)) != KPI_OK)
            return rc;
    }

    double pending = 0;
    for (int i = 0; i < m->n; i++)
        pending += m->pending[i];
    m->pending_at_end = pending;
    memset(figures, 0, KPI_NFIG * sizeof *figures);
    figures_from_months(sc, monthly, m->n, contacts_total, figures);
    if (kpi_book_figures(m->book, M, figures) != 0)
        return fail_memory(m, err);
    return KPI_OK;
}
