/*
 * model.c - one replication of the team model: the numeric core.
 *
 * A replication runs month by month; within a month every agent works its
 * working days one by one (agent-major order: an agent's state stays in
 * cache for the whole month, and nothing couples agents within a month).
 * This file holds the workspace, the team (hiring, engagement, exits) and
 * the month, step by step, in the order of docs/model.md "The order of
 * operations in a month"; the working day is in day.c, the horizon
 * figures in figures.c.
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
#include "model_private.h"

#include "error.h"
#include "management.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

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
    size_t n = (size_t)cap, E = (size_t)m->E, G = (size_t)m->G, R = (size_t)m->R;
    /* Bytes per agent of the arrays below. */
    const double per_agent =
        (double)(sizeof *m->id + sizeof *m->tenure + sizeof *m->skill + sizeof *m->compliance +
                 sizeof *m->below + sizeof *m->hired + sizeof *m->state + sizeof *m->cases_m +
                 sizeof *m->premium_m + E * SLOT_W * sizeof *m->diary +
                 E * sizeof *m->diary_fday + G * NSRC * sizeof *m->follow +
                 G * sizeof *m->follow_fday + R * NSRC * sizeof *m->issue +
                 R * sizeof *m->issue_fday + m->CQ * sizeof *m->capps +
                 sizeof *m->capps_head + sizeof *m->capps_len + sizeof *m->pending +
                 sizeof *m->open_fu + sizeof *m->open_apps + sizeof *m->leaving +
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
    REGROW(hired, n);
    REGROW(state, n);
    REGROW(cases_m, n);
    REGROW(premium_m, n);
    REGROW(diary, n * E * SLOT_W);
    REGROW(diary_fday, n * E);
    REGROW(follow, n * G * NSRC);
    REGROW(follow_fday, n * G);
    REGROW(issue, n * R * NSRC);
    REGROW(issue_fday, n * R);
    REGROW(capps, n * m->CQ);
    REGROW(capps_head, n);
    REGROW(capps_len, n);
    REGROW(pending, n);
    REGROW(open_fu, n);
    REGROW(open_apps, n);
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

/* The engagement chain's parameters from the scenario. */
static void engagement_params(const kpi_scenario *sc, kpi_engagement_params *p)
{
    memset(p, 0, sizeof *p);
    p->move[KPI_ENGAGED][KPI_COASTING] = sc->engagement.engaged_to_coasting;
    p->move[KPI_ENGAGED][KPI_DORMANT] = sc->engagement.engaged_to_dormant;
    p->move[KPI_COASTING][KPI_ENGAGED] = sc->engagement.coasting_to_engaged;
    p->move[KPI_COASTING][KPI_DORMANT] = sc->engagement.coasting_to_dormant;
    p->move[KPI_DORMANT][KPI_ENGAGED] = sc->engagement.dormant_to_engaged;
    p->move[KPI_DORMANT][KPI_COASTING] = sc->engagement.dormant_to_coasting;
    p->no_case_factor = sc->engagement.no_case_factor;
    p->case_factor = sc->engagement.case_factor;
    p->new_agent_factor = sc->engagement.new_agent_factor;
    p->new_agent_months = sc->engagement.new_agent_months;
}

/* The tables of funnel_calls_room (day.c) for prospect source s: a call
 * sets an appointment with q = pc pm; between two appointments the calls
 * that set none are geometric, P(more than k) = (1 - q)^(k + 1); each of
 * them reached the prospect with pc (1 - pm) / (1 - q).  Returns 0 or -1
 * (out of memory). */
static int room_funnel(kpi_model *m, int s)
{
    double q = m->p_contact[s] * m->p_meet[s], surv = 1;
    for (int k = 0; k < KPI_BINOMIAL_TABLE_N; k++)
        m->miss_surv[s][k] = surv *= 1 - q;
    m->log_miss[s] = log1p(-q);
    double pc = q < 1 ? m->p_contact[s] * (1 - m->p_meet[s]) / (1 - q) : 0;
    return kpi_binomial_prepare(&m->f_nocontact_appt[s], fmin(1.0, pc), KPI_BINOMIAL_TABLE_N);
}

/* The sales cycle's constants: the chance of another meeting after one
 * (a geometric number of meetings with the scenario's mean), the rings'
 * lengths, and what a diary holds. */
static void cycle_constants(kpi_model *m, const kpi_scenario *sc)
{
    m->cycle = sc->sales_cycle.enabled;
    m->G = m->cycle ? sc->sales_cycle.days_between_meetings : 1;
    m->R = m->cycle ? sc->sales_cycle.issue_lag_days + 1 : 1;
    m->cont[SRC_COLD] = m->cycle ? 1 - 1 / sc->sales_cycle.meetings_cold : 0;
    m->cont[SRC_REFERRAL] = m->cycle ? 1 - 1 / sc->sales_cycle.meetings_referral : 0;
    m->cont[SRC_CLIENT] = 0;
    m->diary_cap = ceil(sc->activity.visits_per_day * sc->activity.appointment_expiry_days);
    /* Old clients' applications waiting: at most a day's visits a day. */
    size_t need = ((size_t)ceil(sc->activity.visits_per_day) + 1) * (size_t)m->R + 1;
    m->CQ = 1;
    while (m->CQ < need)
        m->CQ <<= 1;
}

int kpi_model_create(kpi_model **out, const kpi_scenario *sc, kpi_error *err)
{
    kpi_model *m = calloc(1, sizeof *m);
    if (!m)
        goto fail;
    m->sc = sc;
    m->E = sc->activity.appointment_expiry_days;
    cycle_constants(m, sc);
    m->r_day = kpi_rng_alloc();
    m->r_visit = kpi_rng_alloc();
    m->r_premium = kpi_rng_alloc();
    m->r_misc = kpi_rng_alloc();
    m->r_client = kpi_rng_alloc();
    m->r_cycle = kpi_rng_alloc();
    m->book = kpi_book_create(sc);
    if (m->book)
        kpi_book_set_budget(m->book, &m->budget);
    m->held_clients = malloc(((size_t)ceil(sc->activity.visits_per_day) + 1) *
                             sizeof *m->held_clients);
    if (!m->r_day || !m->r_visit || !m->r_premium || !m->r_misc || !m->r_client ||
        !m->r_cycle || !m->book || !m->held_clients)
        goto fail;
    const int D = sc->working_days;
    m->fb_when = malloc((size_t)D * sizeof *m->fb_when);
    m->first = malloc((size_t)D * sizeof *m->first);
    m->rings = malloc((size_t)D * sizeof *m->rings);
    if (!m->fb_when || !m->first || !m->rings)
        goto fail;
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
            kpi_binomial_prepare(&m->f_meet[s], m->p_meet[s], KPI_BINOMIAL_TABLE_N) != 0 ||
            room_funnel(m, s) != 0 ||
            kpi_binomial_prepare(&m->f_cont[s], m->cont[s], KPI_BINOMIAL_TABLE_N) != 0)
            goto fail;
    if (kpi_binomial_prepare(&m->f_taken, 1 - (m->cycle ? sc->sales_cycle.not_taken : 0),
                             KPI_BINOMIAL_TABLE_N) != 0)
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
    engagement_params(sc, &m->eng);
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
    gsl_rng_free(m->r_cycle);
    kpi_book_destroy(m->book);
    free(m->held_clients);
    free(m->fb_when);
    free(m->first);
    free(m->rings);
    free(m->heirs);
    free(m->id);
    free(m->tenure);
    free(m->skill);
    free(m->compliance);
    free(m->below);
    free(m->hired);
    free(m->state);
    free(m->cases_m);
    free(m->premium_m);
    free(m->diary);
    free(m->diary_fday);
    free(m->follow);
    free(m->follow_fday);
    free(m->issue);
    free(m->issue_fday);
    free(m->capps);
    free(m->capps_head);
    free(m->capps_len);
    free(m->pending);
    free(m->open_fu);
    free(m->open_apps);
    free(m->leaving);
    for (int i = 0; i < NDAY - 1; i++)
        for (int j = 0; j < 2; j++)
            kpi_poisson_free(&m->calls[i][j]);
    kpi_poisson_free(&m->ref_sale);
    for (int s = SRC_COLD; s <= SRC_REFERRAL; s++) {
        kpi_binomial_free(&m->f_contact[s]);
        kpi_binomial_free(&m->f_meet[s]);
        kpi_binomial_free(&m->f_nocontact_appt[s]);
        kpi_binomial_free(&m->f_cont[s]);
    }
    kpi_binomial_free(&m->f_taken);
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
/* Team changes (docs/model.md "Agents" and "Engagement")              */
/* ------------------------------------------------------------------ */

/* The engagement state of a new agent from the uniform u: the starting
 * team's mix or the recruits' mix. */
static int first_state(const kpi_scenario *sc, int recruit, double u)
{
    if (!sc->engagement.enabled)
        return KPI_ENGAGED;
    double dormant = recruit ? sc->engagement.recruit_dormant : sc->engagement.initial_dormant;
    double coasting = recruit ? sc->engagement.recruit_coasting : sc->engagement.initial_coasting;
    return u < dormant ? KPI_DORMANT : u < dormant + coasting ? KPI_COASTING : KPI_ENGAGED;
}

/* Adds an agent with the given tenure, joining in month `month` (-1: the
 * starting team); its skill, compliance and first engagement state come
 * from its own stream, so they do not depend on who else was hired.  The
 * starting agents get the initial book, recruits none.  Returns 0 or -1
 * (out of memory). */
static int hire(kpi_model *m, uint64_t key, double tenure, int month)
{
    int i = m->n++;
    uint32_t id = m->next_id++;
    const kpi_scenario *sc = m->sc;
    m->id[i] = id;
    m->tenure[i] = tenure;
    m->below[i] = 0;
    m->hired[i] = month;
    m->leaving[i] = 0;
    kpi_day_clear(m, i);
    kpi_rng_seek(m->r_misc, key, KPI_RS_AGENT_INIT, id, 0);
    /* Skill: lognormal with mean 1 and standard deviation skill_sd. */
    double z = gsl_ran_ugaussian(m->r_misc);
    m->skill[i] = sc->team.skill_sd > 0 ? exp(m->skill_zeta + m->skill_sigma * z) : 1.0;
    /* Compliance: Beta with mean compliance and sd compliance_sd. */
    m->compliance[i] = m->beta_a > 0 ? gsl_ran_beta(m->r_misc, m->beta_a, m->beta_b)
                                     : sc->activity.compliance;
    m->state[i] = (unsigned char)first_state(sc, month >= 0, kpi_rng_uniform(m->r_misc));
    return kpi_book_hire(m->book, id, month < 0);
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

/* A contest with the event defaults, for the contests the management
 * lever schedules. */
static void plan_contest(month_plan *p, const kpi_event *ev)
{
    if (ev->days > p->contest_days)
        p->contest_days = ev->days;
    p->contest_effort *= ev->effort;
    p->slump_next *= ev->slump;
}

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
            plan_contest(p, ev);
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
    if (kpi_mgmt_contest(sc, month1 - 1)) {
        kpi_event ev;
        kpi_event_defaults(&ev, KPI_EVENT_CONTEST);
        plan_contest(p, &ev);
    }
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
    double odds;           /* tracking's odds multiplier of an on-plan day */
    double mood;           /* the atmosphere as it reached the calls */
} month_state;

/* 1. Events: the month's plan, and the renewal premium due this month. */
static void month_events(kpi_model *m, int mo, month_state *ms)
{
    memset(ms, 0, sizeof *ms);
    ms->mo = mo;
    plan_month(m->sc, mo + 1, &ms->plan);
    ms->acc[KPI_RENEWAL_PREMIUM] = kpi_book_month_start(m->book, mo);
    ms->odds = 1;
    ms->mood = 1;
}

/* 1. Tracking (M4): the manager renews it this month with probability
 * resolve (a draw of the team's resolve stream), else it decays. */
static void tracking(kpi_model *m, uint64_t key, month_state *ms)
{
    const kpi_scenario *sc = m->sc;
    if (!sc->management.enabled || !sc->management.tracking)
        return;
    double u = 0;
    if (ms->mo > 0) {
        kpi_rng_seek(m->r_misc, key, KPI_RS_TEAM_RESOLVE, KPI_RS_TEAM, (uint32_t)ms->mo);
        u = kpi_rng_uniform(m->r_misc);
    }
    m->track_s = kpi_mgmt_strength(sc, ms->mo, m->track_s, u);
    ms->odds = kpi_mgmt_odds(sc, m->track_s);
}

/* 2. Recruits join at the start of the month (K4).  Returns KPI_OK,
 * KPI_EDATA (the team outgrew KPI_MAX_TEAM) or KPI_EINTERNAL. */
static int recruits_join(kpi_model *m, uint64_t key, month_state *ms, kpi_error *err)
{
    const kpi_scenario *sc = m->sc;
    double lam = (sc->team.recruits_per_month + sc->team.recruits_per_agent * m->n) *
                 ms->plan.recruit_factor * kpi_mgmt_recruiting(sc);
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
        if (hire(m, key, 0, ms->mo) != 0)
            return fail_memory(m, err);
    /* Recruit retention (horizon figure): recruits whose 13th month after
     * joining is inside the horizon. */
    if (ms->mo + 13 <= sc->months)
        m->ret_joined += recruits;
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

/* The effort multiplier of the month's season (docs/model.md "The
 * calendar"). */
static double season(const kpi_scenario *sc, int mo)
{
    return sc->seasonality[(sc->start_month - 1 + mo) % 12];
}

/* 5. Atmosphere (M1): lognormal, mean 1, sd mood_sd; with persistence
 * phi (management.mood_persistence) log mood is an AR(1) with the same
 * stationary law, x = phi x_prev + sqrt(1 - phi^2) sigma z, started from
 * it.  Tracking takes part of the swing out of the calls; with last
 * month's slump, the season and a campaign it sets the month's Poisson
 * tables of daily calls.  Returns 0 or -1 (out of memory). */
static int atmosphere(kpi_model *m, uint64_t key, month_state *ms, double slump)
{
    const kpi_scenario *sc = m->sc;
    double mood = 1;
    if (sc->activity.mood_sd > 0) {
        kpi_rng_seek(m->r_misc, key, KPI_RS_TEAM_MOOD, KPI_RS_TEAM, (uint32_t)ms->mo);
        mood = gsl_ran_lognormal(m->r_misc, m->mood_zeta, m->mood_sigma);
        double phi = kpi_mgmt_persistence(sc);
        if (phi > 0) {
            /* The same draw's innovation, sigma z. */
            double e = log(mood) - m->mood_zeta;
            m->mood_x = ms->mo == 0 ? e : phi * m->mood_x + sqrt(1 - phi * phi) * e;
            mood = exp(m->mood_zeta + m->mood_x);
        }
    }
    mood = kpi_mgmt_felt_mood(sc, mood, m->track_s);
    ms->mood = mood;
    double lam[NDAY - 1];
    lam[DAY_ON] = sc->activity.calls_per_day * mood * slump * season(sc, ms->mo) *
                  kpi_mgmt_campaign(sc, ms->mo);
    lam[DAY_OFF] = lam[DAY_ON] * sc->activity.off_plan_effort;
    lam[DAY_COAST] = lam[DAY_ON] * sc->engagement.coasting_effort;
    for (int k = DAY_ON; k < NDAY - 1; k++) {
        if (k == DAY_COAST && !sc->engagement.enabled)
            continue;
        if (kpi_poisson_prepare(&m->calls[k][0], lam[k]) != 0 ||
            kpi_poisson_prepare(&m->calls[k][1], lam[k] * ms->plan.contest_effort) != 0)
            return -1;
    }
    return 0;
}

/* What the working days of the month share across agents: the visit
 * capacity of each kind of day, the size of the binomial rows, the premium
 * scale, the book's funnel. */
static void month_rates(const kpi_model *m, const month_state *ms, agent_month *am)
{
    const kpi_scenario *sc = m->sc;
    const double share[NDAY] = {1.0, sc->activity.off_plan_effort,
                                sc->engagement.coasting_effort, 0.0};
    for (int k = 0; k < NDAY; k++) {
        double x = sc->activity.visits_per_day * share[k], f = floor(x);
        am->cap_int[k] = (unsigned)f;
        am->cap_frac[k] = x - f;
    }
    /* Meetings held of one source in a day: at most the capacity. */
    am->rows_n = am->cap_int[DAY_ON] + (am->cap_frac[DAY_ON] > 0);
    if (am->rows_n > KPI_BINOMIAL_ROWS_MAX)
        am->rows_n = 0;   /* no table: gsl_ran_binomial */
    am->zeta = ms->plan.tier > 0 ? m->zeta + log(ms->plan.tier) : -INFINITY;
    am->not_taken = sc->sales_cycle.enabled ? sc->sales_cycle.not_taken : 0;
    am->book.p_contact = m->p_contact[SRC_CLIENT];
    am->book.p_meet = m->p_meet[SRC_CLIENT];
}

/* Agent i's own rates for the month: sale probabilities (skill, ramp-up,
 * seminar uplift), compliance and engagement; its month's counters start
 * at 0. */
static void agent_rates(kpi_model *m, int i, const month_state *ms, agent_month *am)
{
    double f = m->skill[i] * ramp(m->sc, m->tenure[i]) * ms->plan.uplift;
    /* Coaching: the months this agent has been coached (management.h). */
    if (m->sc->management.enabled && m->sc->management.coaching)
        f *= kpi_mgmt_coaching(m->sc, ms->mo - (m->hired[i] > 0 ? m->hired[i] : 0));
    for (int s = 0; s < NSRC; s++)
        am->p_sale[s] = fmin(1.0, m->p_sale[s] * f);
    if (am->rows_n > 0)
        for (int s = SRC_COLD; s <= SRC_REFERRAL; s++)
            kpi_binomial_rows(am->p_sale[s], am->rows_n, am->rows[s]);
    /* The client's grade rate multiplies this one at the visit. */
    am->p_sale[SRC_CLIENT] = m->p_sale[SRC_CLIENT] * f;
    am->book.p_sale_agent = am->p_sale[SRC_CLIENT];
    am->compliance = kpi_mgmt_compliance(m->compliance[i], ms->odds);
    am->engagement = m->state[i];
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
    for (int d = 0; d < D; d++) {
        const int t = mo * D + d;
        m->fb_when[d] = (uint32_t)t;
        m->rings[d] = (struct day_rings){t % m->G, t % m->R, (t + 1) % m->R};
    }
    for (int i = 0; i < m->n; i++) {
        agent_rates(m, i, ms, &am);
        ms->acc[KPI_ENGAGED_AGENTS + m->state[i]] += 1;
        if (kpi_day_month(m, key, i, &am, mo, ms->plan.contest_days, ms->acc) != 0)
            return -1;
    }
    for (int k = 0; k < KPI_NKPI; k++) {
        ms->acc[k] += (double)m->dcnt[k];
        m->dcnt[k] = 0;
    }
    return 0;
}

/* The production spread: agents by cases this month (0, 1, 2, 3-4, 5+). */
static void count_production(tally acc, double cases)
{
    int k = cases < 1 ? 0 : cases < 2 ? 1 : cases < 3 ? 2 : cases < 5 ? 3 : 4;
    acc[KPI_AGENTS_0_CASES + k] += 1;
}

/* 7. Month end, agent by agent: active or not, assessment and attrition
 * decide who leaves (docs/model.md "Agents"); marks m->leaving.  Then the
 * engagement chain moves those who stay (docs/model.md "Engagement"). */
static void activity_and_exits(kpi_model *m, uint64_t key, month_state *ms)
{
    const kpi_scenario *sc = m->sc;
    double active = 0, exits = 0;
    kpi_engagement_law law;
    if (sc->engagement.enabled) {
        double down, up;
        kpi_mgmt_chain(sc, &down, &up);
        /* The atmosphere moves the chain (docs/model.md "Engagement"). */
        if (ms->mood != 1 && sc->engagement.mood_effect != 0) {
            double f = pow(ms->mood, sc->engagement.mood_effect);
            down /= f;
            up *= f;
        }
        kpi_engagement_prepare(&law, &m->eng, down, up);
    }
    for (int i = 0; i < m->n; i++) {
        if (m->cases_m[i] > 0)
            active++;
        count_production(ms->acc, m->cases_m[i]);
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
        /* The agent's income for the floor: its first-year commission. */
        double income = sc->economics.agent_commission * m->premium_m[i];
        double p_exit = income < sc->team.income_floor ? sc->team.attrition_below_floor
                                                       : sc->team.attrition;
        if (u < p_exit)
            leave = 1;
        m->leaving[i] = (unsigned char)leave;
        exits += leave;
        if (sc->engagement.enabled && !leave) {
            kpi_rng_seek(m->r_misc, key, KPI_RS_AGENT_ENGAGE, m->id[i], (uint32_t)ms->mo);
            m->state[i] = (unsigned char)kpi_engagement_next(&law, m->state[i], m->cases_m[i] > 0,
                                                             m->tenure[i],
                                                             kpi_rng_uniform(m->r_misc));
        }
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
 * (docs/model.md "What a month reports" and "Money"). */
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
    double pipeline = 0;
    for (int i = 0; i < m->n; i++)
        if (!m->leaving[i])
            pipeline += m->open_fu[i] + m->open_apps[i];
    acc[KPI_PIPELINE] = pipeline;
    /* Commissions: the agents' share of first-year and renewal premium,
     * less what is charged back on first-year lapses; the agency's
     * commission from the insurer likewise. */
    acc[KPI_AGENT_COMMISSION] = sc->economics.agent_commission * (acc[KPI_PREMIUM] - acc[KPI_CLAWBACK]) +
                                sc->economics.agent_renewal_commission * acc[KPI_RENEWAL_PREMIUM];
    acc[KPI_AGENT_INCOME_MEAN] = ratio(acc[KPI_AGENT_COMMISSION], headcount);
    acc[KPI_INCOME] = sc->economics.commission_first_year * (acc[KPI_PREMIUM] - acc[KPI_CLAWBACK]) +
                      sc->economics.commission_renewal * acc[KPI_RENEWAL_PREMIUM];
    acc[KPI_COST] =
        sc->economics.cost_per_new_client * (acc[KPI_CASES_COLD] + acc[KPI_CASES_REFERRAL]) +
        sc->economics.cost_per_contact * ms->contacts +
        sc->economics.cost_per_agent_month * headcount + acc[KPI_AGENT_COMMISSION];
    acc[KPI_PROFIT] = acc[KPI_INCOME] - acc[KPI_COST];
}

/* 7. Leavers go; their unheld appointments are lost with them, and the
 * prospects of their sales cycle (follow-ups, applications waiting); the
 * recruits who complete their 13th month are counted; everyone else's
 * tenure grows by one month.  The compaction keeps hiring order. */
static void compaction(kpi_model *m, month_state *ms)
{
    int w = 0;
    for (int i = 0; i < m->n; i++) {
        if (m->leaving[i]) {
            ms->acc[KPI_APPOINTMENTS_LOST] += m->pending[i];
            ms->acc[KPI_PROSPECTS_LOST] += m->open_fu[i] + m->open_apps[i];
            continue;
        }
        if (w != i) {
            m->id[w] = m->id[i];
            m->tenure[w] = m->tenure[i];
            m->skill[w] = m->skill[i];
            m->compliance[w] = m->compliance[i];
            m->below[w] = m->below[i];
            m->hired[w] = m->hired[i];
            m->state[w] = m->state[i];
            kpi_day_move(m, w, i);
        }
        m->tenure[w] += 1;
        if (m->hired[w] >= 0 && ms->mo - m->hired[w] == 12)
            m->ret_kept += 1;
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
    tracking(m, key, &ms);
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
    m->cycle_days = m->cycle_cases = m->ret_joined = m->ret_kept = 0;
    m->track_s = m->mood_x = 0;
    kpi_book_reset(m->book, key);
    if (grow(m, sc->team.headcount) != 0)
        return fail_memory(m, err);
    for (int i = 0; i < sc->team.headcount; i++) {
        if (i % 1024 == 1023 && cancelled(m))
            return fail_cancel(err);
        if (hire(m, key, sc->team.initial_tenure_months, -1) != 0)
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
    kpi_figures_compute(m, monthly, contacts_total, figures);
    if (kpi_book_figures(m->book, M, figures) != 0)
        return fail_memory(m, err);
    return KPI_OK;
}
