/*
 * day.c - the working day of one agent (docs/model.md "A working day" and
 * "The sales cycle"): calls through the funnels, the diary of
 * appointments, visits, the follow-up meetings of the sales cycle,
 * applications and their issue, cases and premiums.
 *
 * Everything an agent carries from day to day is counts in rings indexed
 * by the day: the diary (appointments by the day they were set, E days),
 * follow-ups waiting for their day (G days), applications waiting for
 * issue (lag + 1 days), and a short queue of old clients' applications
 * (whose client must be known at issue).  No prospect is an object: the
 * cost stays per agent-day.  With the sales cycle off (sales_cycle: ~)
 * nothing but the diary is used, in the order and with the draws of the
 * first model.
 */
#include "model_private.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* Where each source's counts go in the monthly tally. */
static const int src_calls[NSRC] = {KPI_CALLS_COLD, KPI_CALLS_REFERRAL, KPI_CALLS_TO_CLIENTS};
static const int src_contacts[NSRC] = {KPI_CONTACTS_COLD, KPI_CONTACTS_REFERRAL,
                                       KPI_CONTACTS_CLIENTS};
static const int src_appts[NSRC] = {KPI_APPOINTMENTS_COLD, KPI_APPOINTMENTS_REFERRAL,
                                    KPI_APPOINTMENTS_CLIENTS};
static const int src_meetings[NSRC] = {KPI_MEETINGS_COLD, KPI_MEETINGS_REFERRAL,
                                       KPI_MEETINGS_CLIENTS};
static const int src_cases[NSRC] = {KPI_CASES_COLD, KPI_CASES_REFERRAL, KPI_CASES_REPEAT};

/* ------------------------------------------------------------------ */
/* An agent's rings                                                    */
/* ------------------------------------------------------------------ */

static uint32_t *diary_of(const kpi_model *m, int i)
{
    return &m->diary[(size_t)i * (size_t)m->E * SLOT_W];
}

void kpi_day_clear(kpi_model *m, int i)
{
    const size_t E = (size_t)m->E, G = (size_t)m->G, R = (size_t)m->R, k = (size_t)i;
    memset(&m->diary[k * E * SLOT_W], 0, E * SLOT_W * sizeof *m->diary);
    memset(&m->diary_fday[k * E], 0, E * sizeof *m->diary_fday);
    memset(&m->follow[k * G * NSRC], 0, G * NSRC * sizeof *m->follow);
    memset(&m->follow_fday[k * G], 0, G * sizeof *m->follow_fday);
    memset(&m->issue[k * R * NSRC], 0, R * NSRC * sizeof *m->issue);
    memset(&m->issue_fday[k * R], 0, R * sizeof *m->issue_fday);
    m->capps_head[i] = m->capps_len[i] = 0;
    m->pending[i] = m->open_fu[i] = m->open_apps[i] = 0;
}

void kpi_day_move(kpi_model *m, int w, int i)
{
    const size_t E = (size_t)m->E, G = (size_t)m->G, R = (size_t)m->R;
    const size_t kw = (size_t)w, ki = (size_t)i, Q = m->CQ;
#define MOVE(field, width) \
    memcpy(&m->field[kw * (width)], &m->field[ki * (width)], (width) * sizeof *m->field)
    MOVE(diary, E * SLOT_W);
    MOVE(diary_fday, E);
    MOVE(follow, G * NSRC);
    MOVE(follow_fday, G);
    MOVE(issue, R * NSRC);
    MOVE(issue_fday, R);
    MOVE(capps, Q);
#undef MOVE
    m->capps_head[w] = m->capps_head[i];
    m->capps_len[w] = m->capps_len[i];
    m->pending[w] = m->pending[i];
    m->open_fu[w] = m->open_fu[i];
    m->open_apps[w] = m->open_apps[i];
}

/* The agent whose month is being worked (kpi_day_month): its rings and
 * counters, found once a month instead of from its index every day, and
 * kept in this struct (which the compiler keeps in registers) while its
 * days run; written back after the last. */
typedef struct agent_day {
    int i;                   /* the agent's place in the model's arrays */
    uint32_t id;
    uint32_t *bl;            /* its diary, E slots of SLOT_W */
    double *dfday;           /* [E] */
    uint32_t *follow;        /* [G][NSRC] */
    double *follow_fday;     /* [G] */
    uint32_t *issue;         /* [R][NSRC] */
    double *issue_fday;      /* [R] */
    pending_app *capps;      /* [CQ] */
    uint32_t capps_head, capps_len, pending, open_fu, open_apps;
} agent_day;

/* ------------------------------------------------------------------ */
/* Calls                                                               */
/* ------------------------------------------------------------------ */

/* Calls of a prospect source (cold, referral) through its funnel:
 * contacts and appointments, drawn as binomials. */
static unsigned funnel_calls(kpi_model *m, int src, unsigned calls)
{
    if (calls == 0)
        return 0;
    unsigned contacts = kpi_binomial_draw(&m->f_contact[src], calls, m->r_day);
    unsigned appts = kpi_binomial_draw(&m->f_meet[src], contacts, m->r_day);
    m->dcnt[src_calls[src]] += calls;
    m->dcnt[KPI_CONTACTS] += contacts;
    m->dcnt[KPI_APPOINTMENTS] += appts;
    m->dcnt[src_contacts[src]] += contacts;
    m->dcnt[src_appts[src]] += appts;
    return appts;
}

/* The calls between one appointment and the next of prospect source src,
 * those that set none: a geometric count, P(more than k) = (1 - q)^(k + 1)
 * (m->miss_surv), by a short search of the table from one uniform;
 * returns rem when it is rem or more. */
static unsigned calls_to_next(const kpi_model *m, int src, unsigned rem)
{
    double u = kpi_rng_uniform(m->r_day);
    const double *surv = m->miss_surv[src];
    unsigned k = 0, end = rem < KPI_BINOMIAL_TABLE_N ? rem : KPI_BINOMIAL_TABLE_N;
    while (k < end && u < surv[k])
        k++;
    if (k < KPI_BINOMIAL_TABLE_N || k >= rem)
        return k;
    /* Beyond the table (1 - q)^48 of the mass: by inversion, memoryless. */
    double more = floor(log(kpi_rng_uniform_pos(m->r_day)) / m->log_miss[src]);
    return more >= (double)(rem - k) ? rem : k + (unsigned)more;
}

/* The same with a diary that holds only `room` more appointments: the
 * agent calls until the diary is full (the sales cycle's reading of M3:
 * no appointment is set that could not be kept).  When the calls cannot
 * fill the diary the binomial draws above are the law; otherwise the calls
 * are made one by one, each a contact with pc and then an appointment
 * with pm, until room appointments are set.  That law is drawn without
 * a draw per call: each call sets an appointment with q = pc pm, so the
 * calls between appointments are geometric (calls_to_next), and the calls
 * that set none each reached the prospect with pc (1 - pm) / (1 - q), a
 * binomial over them; the same law as call by call.  *made gets the calls
 * made. */
static unsigned funnel_calls_room(kpi_model *m, int src, unsigned calls, unsigned room,
                                  unsigned *made)
{
    if (calls <= room) {
        *made = calls;
        return funnel_calls(m, src, calls);
    }
    unsigned n = 0, appts = 0;
    while (appts < room) {
        unsigned miss = calls_to_next(m, src, calls - n);
        if (miss >= calls - n) {
            n = calls;
            break;
        }
        n += miss + 1;
        appts++;
    }
    unsigned contacts = appts + kpi_binomial_draw(&m->f_nocontact_appt[src], n - appts, m->r_day);
    m->dcnt[src_calls[src]] += n;
    m->dcnt[KPI_CONTACTS] += contacts;
    m->dcnt[KPI_APPOINTMENTS] += appts;
    m->dcnt[src_contacts[src]] += contacts;
    m->dcnt[src_appts[src]] += appts;
    *made = n;
    return appts;
}

/* The day's calls: to the book first (best grade first), then unused
 * referrals, then cold prospects.  With the sales cycle the calls stop
 * when the diary is full.  appts[] gets the appointments set by source;
 * returns the calls made, or -1 (out of memory). */
static long make_calls(kpi_model *m, agent_day *a, const agent_month *am, int mo,
                       int d, int t, unsigned calls, unsigned appts[NSRC], tally acc)
{
    const uint32_t id = a->id;
    unsigned room = UINT_MAX;
    if (m->cycle) {
        double free_ = m->diary_cap - (double)a->pending;
        room = free_ > 0 ? (unsigned)free_ : 0;
        if (room == 0)
            return 0;
    }
    /* Calls to the book: none at focus 0 (kpi_book_call would place none
     * and draw nothing), so neither the clients' stream nor the book is
     * touched then. */
    unsigned placed = 0;
    if (m->sc->clients.focus > 0) {
        kpi_stream_seek_first(kpi_stream_of(m->r_client), KPI_RS_AGENT_CLIENTS, &m->first[d]);
        if (kpi_book_call(m->book, id, mo, t, calls, room, &am->book, m->r_client, acc, &placed,
                          &appts[SRC_CLIENT]) != 0)
            return -1;
    }
    unsigned rest = calls - placed, made_ref = 0, made_cold = 0;
    if (room != UINT_MAX) {
        room -= appts[SRC_CLIENT];
        if (room == 0)
            return (long)placed;   /* the diary is full: the day's calls end here */
    }
    unsigned ref = kpi_book_take_referrals(m->book, id, rest);
    if (room == UINT_MAX) {
        /* No diary limit (the first model): every call is made. */
        appts[SRC_COLD] = funnel_calls(m, SRC_COLD, rest - ref);
        appts[SRC_REFERRAL] = funnel_calls(m, SRC_REFERRAL, ref);
        return (long)calls;
    }
    /* Warm calls first: the diary may fill before the cold ones. */
    appts[SRC_REFERRAL] = funnel_calls_room(m, SRC_REFERRAL, ref, room, &made_ref);
    if (made_ref < ref) {
        /* The diary filled on a referral: the ones not called stay warm. */
        kpi_book_add_referrals(m->book, id, ref - made_ref);
    } else {
        room -= appts[SRC_REFERRAL];
        unsigned cold = rest - ref;
        if (room == 0)
            cold = 0;
        appts[SRC_COLD] = funnel_calls_room(m, SRC_COLD, cold, room, &made_cold);
    }
    return (long)(placed + made_ref + made_cold);
}

/* ------------------------------------------------------------------ */
/* Visits                                                              */
/* ------------------------------------------------------------------ */

/* Takes up to cap of the counts b[NSRC] of one diary slot and kind into
 * h[]: all of them when they fit, else which ones go first is random (a
 * multivariate hypergeometric draw, source by source).  Returns the
 * number taken. */
static unsigned take_part(const gsl_rng *r, const uint32_t *b, unsigned cap, unsigned h[NSRC])
{
    unsigned tot = b[0] + b[1] + b[2];
    if (tot <= cap) {
        h[0] = b[0];
        h[1] = b[1];
        h[2] = b[2];
        return tot;
    }
    unsigned left = tot, take = cap;
    for (int s = 0; s < NSRC; s++) {
        if (b[s] == 0 || take == 0) {
            h[s] = 0;
            continue;
        }
        h[s] = b[s] == left ? take : gsl_ran_hypergeometric(r, b[s], left - b[s], take);
        left -= b[s];
        take -= h[s];
    }
    return cap;
}

/* Holds up to cap appointments from the diary, oldest day first and, within
 * a day, follow-ups before first meetings; held[kind][source] gets the
 * counts, *fsum the first-meeting days of the follow-ups held (their share
 * of each slot's sum), m->held_clients the clients of the client
 * appointments held. */
static void hold_visits(kpi_model *m, agent_day *a, int t, int today_slot, unsigned cap,
                        unsigned held[NKIND][NSRC], double *fsum)
{
    memset(held, 0, NKIND * NSRC * sizeof **held);
    *fsum = 0;
    const int E = m->E;
    const uint32_t id = a->id;
    uint32_t *bl = a->bl;
    double *fday = a->dfday;
    /* The slot of the oldest eligible day (set E days ago) is today's own
     * slot in a ring of E slots: (t - E) mod E == t mod E. */
    int slot = today_slot;
    for (int age = E; age >= 1 && cap > 0; age--, slot = slot + 1 == E ? 0 : slot + 1) {
        for (int kind = KIND_FOLLOW; kind >= KIND_FIRST && cap > 0; kind--) {
            uint32_t *b = &bl[slot * SLOT_W + kind * NSRC];
            unsigned h[NSRC], tot = b[0] + b[1] + b[2];
            if (tot == 0)
                continue;
            unsigned took = take_part(m->r_visit, b, cap, h);
            if (kind == KIND_FOLLOW) {
                double share = fday[slot] * (double)took / (double)tot;
                *fsum += share;
                fday[slot] -= share;
            }
            if (h[SRC_CLIENT])
                kpi_book_hold(m->book, id, t - age, h[SRC_CLIENT],
                              m->held_clients + held[KIND_FIRST][SRC_CLIENT] +
                                  held[KIND_FOLLOW][SRC_CLIENT]);
            for (int s = 0; s < NSRC; s++) {
                b[s] -= h[s];
                held[kind][s] += h[s];
            }
            cap -= took;
        }
    }
}

/* Successes of `n` meetings of prospect source src (cold, referral) at the
 * agent's sale rate: Bin(n, p_sale), from the month's rows when n is small. */
static unsigned prospect_sales(const agent_month *am, int src, unsigned n, const gsl_rng *r)
{
    if (n == 0)
        return 0;
    if (n <= am->rows_n)
        return kpi_binomial_row_draw(&am->rows[src][n * (am->rows_n + 1)], n, kpi_rng_uniform(r));
    return gsl_ran_binomial(r, am->p_sale[src], n);
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

/* One case of agent a with a client (client >= 0) or a new prospect:
 * its premium, its place in the book, its referrals. */
static int write_case(kpi_model *m, agent_day *a, int mo, int32_t client, double mult,
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
    if (kpi_book_sale(m->book, a->id, client, mo, x) != 0)
        return -1;
    unsigned k = kpi_poisson_draw(&m->ref_sale, m->r_premium);
    if (k) {
        kpi_book_add_referrals(m->book, a->id, k);
        m->dcnt[KPI_REFERRALS] += k;
    }
    return 0;
}

/* Cases of the day: cases[source] new ones, the clients of the client
 * cases in clients[]; the premium stream of the day is positioned here. */
static int write_cases(kpi_model *m, agent_day *a, const agent_month *am, int mo, int d,
                       const unsigned cases[NSRC], const int32_t *clients, tally acc)
{
    unsigned ncases = cases[0] + cases[1] + cases[2];
    if (ncases == 0)
        return 0;
    for (int s = 0; s < NSRC; s++)
        m->dcnt[src_cases[s]] += cases[s];
    m->dcnt[KPI_CASES] += ncases;
    m->cases_m[a->i] += ncases;
    kpi_stream_seek_first(kpi_stream_of(m->r_premium), KPI_RS_AGENT_PREMIUM, &m->first[d]);
    m->premium_m_cur = 0;
    const double rep = m->sc->premium.repeat_multiplier;
    for (unsigned k = 0; k < cases[SRC_CLIENT]; k++)
        if (write_case(m, a, mo, clients[k], rep, am, acc) != 0)
            return -1;
    for (unsigned k = 0; k < cases[SRC_COLD] + cases[SRC_REFERRAL]; k++)
        if (write_case(m, a, mo, -1, 1.0, am, acc) != 0)
            return -1;
    m->premium_m[a->i] += m->premium_m_cur;
    return 0;
}

/* The first model's outcome of the meetings held: each converts on the
 * spot into a case (one meeting per prospect, issue at once). */
static int close_on_the_spot(kpi_model *m, agent_day *a, const agent_month *am, int mo,
                             int d, const unsigned held[NSRC], tally acc)
{
    unsigned cases[NSRC];
    cases[SRC_COLD] = prospect_sales(am, SRC_COLD, held[SRC_COLD], m->r_visit);
    cases[SRC_REFERRAL] = prospect_sales(am, SRC_REFERRAL, held[SRC_REFERRAL], m->r_visit);
    cases[SRC_CLIENT] = 0;
    for (unsigned k = 0; k < held[SRC_CLIENT]; k++) {
        int32_t c = m->held_clients[k];
        double p = fmin(1.0, am->p_sale[SRC_CLIENT] * kpi_book_grade_rate(m->book, c));
        if (kpi_rng_uniform(m->r_visit) < p)
            m->held_clients[cases[SRC_CLIENT]++] = c;
    }
    m->dcnt[KPI_APPLICATIONS] += cases[0] + cases[1] + cases[2];
    return write_cases(m, a, am, mo, d, cases, m->held_clients, acc);
}

/* The sales cycle's outcome of the meetings held (docs/model.md "The sales
 * cycle"): after each meeting a prospect needs another with probability
 * cont (a follow-up, G working days later), else this was its last meeting
 * and it applies with the sale rate; an old client meets once and applies
 * with its rate.  An application is never issued with probability
 * not_taken; the others wait for issue.  fsum: the first-meeting days of
 * the follow-ups held. */
static int cycle_outcomes(kpi_model *m, agent_day *a, const agent_month *am, int mo, int d, int t,
                          unsigned held[NKIND][NSRC], double fsum)
{
    const int g = m->rings[d].g, r = m->rings[d].r;
    uint32_t *fu = &a->follow[(size_t)g * NSRC];
    uint32_t *iss = &a->issue[(size_t)r * NSRC];
    unsigned met = 0, cont_all = 0, issued_all = 0, apps_all = 0;
    for (int s = SRC_COLD; s <= SRC_REFERRAL; s++) {
        unsigned h = held[KIND_FIRST][s] + held[KIND_FOLLOW][s];
        if (h == 0)
            continue;
        met += h;
        unsigned c = m->cont[s] > 0 ? kpi_binomial_draw(&m->f_cont[s], h, m->r_cycle) : 0;
        unsigned n = prospect_sales(am, s, h - c, m->r_visit);
        unsigned ok = am->not_taken <= 0           ? n
                      : m->f_taken.p == 1 - am->not_taken ? kpi_binomial_draw(&m->f_taken, n, m->r_cycle)
                                                          : gsl_ran_binomial(m->r_cycle, 1 - am->not_taken, n);
        fu[s] += c;
        iss[s] += ok;
        m->dcnt[src_appts[s]] += c;
        cont_all += c;
        apps_all += n;
        issued_all += ok;
    }
    if (met > 0) {
        /* Each prospect met today carries its first-meeting day on: its
         * share of the day's sum, in expectation exact. */
        double F = fsum + (double)t * (double)(held[KIND_FIRST][SRC_COLD] +
                                               held[KIND_FIRST][SRC_REFERRAL]);
        a->follow_fday[g] += F * (double)cont_all / (double)met;
        a->issue_fday[r] += F * (double)issued_all / (double)met;
    }
    m->dcnt[KPI_APPOINTMENTS] += cont_all;
    a->pending += cont_all;
    a->open_fu += cont_all;
    /* Old clients: one meeting, then the sale trial at the grade's rate. */
    const int lag = m->R - 1;
    for (unsigned k = 0; k < held[KIND_FIRST][SRC_CLIENT]; k++) {
        int32_t c = m->held_clients[k];
        double p = fmin(1.0, am->p_sale[SRC_CLIENT] * kpi_book_grade_rate(m->book, c));
        if (!(kpi_rng_uniform(m->r_visit) < p))
            continue;
        apps_all++;
        if (kpi_book_apply(m->book, c, mo) != 0)
            return -1;
        if (kpi_rng_uniform(m->r_cycle) < am->not_taken)
            continue;
        pending_app *q = a->capps;
        uint32_t at = (a->capps_head + a->capps_len) & (m->CQ - 1);
        q[at].client = c;
        q[at].day = t + lag;
        a->capps_len++;
        issued_all++;
    }
    m->dcnt[KPI_APPLICATIONS] += apps_all;
    m->dcnt[KPI_NOT_TAKEN] += apps_all - issued_all;
    a->open_apps += issued_all;
    return 0;
}

/* Issue (sales cycle): the applications made `lag` days ago become cases
 * today; the first-meeting days they carry give the cycle's length. */
static int issue_cases(kpi_model *m, agent_day *a, const agent_month *am, int mo, int d,
                       int t, tally acc)
{
    const int lag = m->R - 1, r = m->rings[d].r1;   /* (t - lag) mod R */
    uint32_t *iss = &a->issue[(size_t)r * NSRC];
    double *fday = &a->issue_fday[r];
    unsigned cases[NSRC] = {iss[SRC_COLD], iss[SRC_REFERRAL], 0};
    pending_app *q = a->capps;
    while (a->capps_len > 0 && q[a->capps_head].day <= t) {
        m->held_clients[cases[SRC_CLIENT]++] = q[a->capps_head].client;
        a->capps_head = (a->capps_head + 1) & (m->CQ - 1);
        a->capps_len--;
    }
    unsigned n = cases[0] + cases[1] + cases[2];
    if (n == 0)
        return 0;
    double np = (double)(cases[SRC_COLD] + cases[SRC_REFERRAL]);
    m->cycle_days += (double)t * np - *fday + (double)lag * (double)cases[SRC_CLIENT];
    m->cycle_cases += n;
    *fday = 0;
    iss[SRC_COLD] = iss[SRC_REFERRAL] = 0;
    a->open_apps -= n;
    return write_cases(m, a, am, mo, d, cases, m->held_clients, acc);
}

/* ------------------------------------------------------------------ */
/* The day                                                             */
/* ------------------------------------------------------------------ */

/* Day t (counted from the start of the horizon) of agent a in month mo,
 * day d of the month; slot = t mod E.  Returns 0 or -1 (out of memory). */
static int day_work(kpi_model *m, agent_day *a, const agent_month *am, int mo, int d, int t,
                    int slot, int contest_day, tally acc)
{
    const uint32_t id = a->id;
    const int E = m->E;
    uint32_t *bl = a->bl;

    /* 0. Follow-ups due today join the diary as if set yesterday. */
    if (m->cycle) {
        const size_t g = (size_t)m->rings[d].g;
        uint32_t *f = &a->follow[g * NSRC];
        if (f[0] + f[1] + f[2] > 0) {
            int y = slot == 0 ? E - 1 : slot - 1;
            uint32_t *b = &bl[y * SLOT_W + KIND_FOLLOW * NSRC];
            for (int s = 0; s < NSRC; s++) {
                b[s] += f[s];
                f[s] = 0;
            }
            a->dfday[y] += a->follow_fday[g];
            a->follow_fday[g] = 0;
        }
    }

    /* 1. The kind of day: an engaged agent works the plan with probability
     * its compliance; a coasting agent coasts; a dormant one is idle. */
    kpi_stream_seek_first(kpi_stream_of(m->r_day), KPI_RS_AGENT_DAY, &m->first[d]);
    int kind = am->engagement == KPI_DORMANT    ? DAY_IDLE
               : am->engagement == KPI_COASTING ? DAY_COAST
               : kpi_rng_uniform(m->r_day) < am->compliance ? DAY_ON
                                                              : DAY_OFF;
    unsigned calls = kind == DAY_IDLE ? 0
                                      : kpi_poisson_draw(&m->calls[kind][contest_day], m->r_day);

    /* 2.-3. Calls, sources and funnels. */
    unsigned appts[NSRC] = {0, 0, 0};
    if (calls > 0) {
        long made = make_calls(m, a, am, mo, d, t, calls, appts, acc);
        if (made < 0)
            return -1;
        m->dcnt[KPI_CALLS] += (uint64_t)made;
    }

    /* 4. Visits: hold the oldest appointments up to the day's capacity. */
    if (a->pending > 0) {
        kpi_stream_seek_first(kpi_stream_of(m->r_visit), KPI_RS_AGENT_VISIT, &m->first[d]);
        if (m->cycle)
            kpi_stream_seek_first(kpi_stream_of(m->r_cycle), KPI_RS_AGENT_CYCLE, &m->first[d]);
        /* A fractional capacity rounds up with probability its fraction. */
        unsigned cap = am->cap_int[kind];
        if (am->cap_frac[kind] > 0 && kpi_rng_uniform(m->r_visit) < am->cap_frac[kind])
            cap++;
        unsigned held[NKIND][NSRC];
        double fsum;
        hold_visits(m, a, t, slot, cap, held, &fsum);
        unsigned first = held[KIND_FIRST][0] + held[KIND_FIRST][1] + held[KIND_FIRST][2];
        unsigned follow = held[KIND_FOLLOW][0] + held[KIND_FOLLOW][1] + held[KIND_FOLLOW][2];
        a->pending -= first + follow;
        a->open_fu -= follow;
        m->dcnt[KPI_MEETINGS] += first + follow;
        m->dcnt[KPI_FIRST_MEETINGS] += first;
        m->dcnt[KPI_FOLLOW_UP_MEETINGS] += follow;
        for (int s = 0; s < NSRC; s++)
            m->dcnt[src_meetings[s]] += held[KIND_FIRST][s] + held[KIND_FOLLOW][s];

        /* 5. What the meetings lead to. */
        int rc = m->cycle ? cycle_outcomes(m, a, am, mo, d, t, held, fsum)
                          : close_on_the_spot(m, a, am, mo, d, held[KIND_FIRST], acc);
        if (rc != 0)
            return -1;

        /* Appointments set E working days ago that are still unheld expire
         * tonight: that bucket is today's slot, reused for today's new
         * ones.  A follow-up that expires loses its prospect. */
        uint32_t *old = &bl[slot * SLOT_W];
        unsigned lost_first = old[0] + old[1] + old[2];
        unsigned lost_follow = old[NSRC] + old[NSRC + 1] + old[NSRC + 2];
        if (lost_first + lost_follow) {
            m->dcnt[KPI_APPOINTMENTS_LOST] += lost_first + lost_follow;
            m->dcnt[KPI_PROSPECTS_LOST] += lost_follow;
            a->pending -= lost_first + lost_follow;
            a->open_fu -= lost_follow;
            if (old[SRC_CLIENT])
                kpi_book_expire(m->book, id, t - E);
            memset(old, 0, SLOT_W * sizeof *old);
            a->dfday[slot] = 0;
        }
    }

    /* 6. Issue (sales cycle): applications of `lag` days ago. */
    if (m->cycle && a->open_apps > 0 && issue_cases(m, a, am, mo, d, t, acc) != 0)
        return -1;

    /* New appointments can be held from the next working day on. */
    unsigned nnew = appts[0] + appts[1] + appts[2];
    if (nnew) {
        uint32_t *b = &bl[slot * SLOT_W];
        for (int s = 0; s < NSRC; s++)
            b[s] += appts[s];
        a->pending += nnew;
    }
    return 0;
}

/* Whether nothing can happen on the agent's days left this month. */
static inline int idle(const agent_day *a, int dormant)
{
    return dormant && a->pending == 0 && a->open_apps == 0;
}

int kpi_day_month(kpi_model *m, uint64_t key, int i, const agent_month *am, int mo,
                  int contest_days, tally acc)
{
    const int D = m->sc->working_days, E = m->E;
    const size_t k = (size_t)i;
    agent_day ad = {
        .i = i,
        .id = m->id[i],
        .bl = diary_of(m, i),
        .dfday = &m->diary_fday[k * (size_t)E],
        .follow = &m->follow[k * (size_t)m->G * NSRC],
        .follow_fday = &m->follow_fday[k * (size_t)m->G],
        .issue = &m->issue[k * (size_t)m->R * NSRC],
        .issue_fday = &m->issue_fday[k * (size_t)m->R],
        .capps = &m->capps[k * m->CQ],
        .capps_head = m->capps_head[i],
        .capps_len = m->capps_len[i],
        .pending = m->pending[i],
        .open_fu = m->open_fu[i],
        .open_apps = m->open_apps[i],
    };
    /* A dormant agent makes no call, so once its diary (follow-ups
     * included) and its applications are empty, nothing can reach its
     * remaining days: they are idle and draw nothing.  A month idle from
     * its start needs not even its streams' blocks. */
    const int dormant = am->engagement == KPI_DORMANT;
    if (idle(&ad, dormant))
        return 0;
    /* The block of each of the agent's days, which starts every day
     * stream (day, visit, premium, clients, cycle; rng.h). */
    kpi_rng_first_blocks(key, ad.id, (size_t)D, m->fb_when, m->first);
    int rc = 0;
    /* Day t's diary slot is t mod E, counted up without a division per
     * day. */
    for (int d = 0, slot = (mo * D) % E;
         d < D && rc == 0 && !idle(&ad, dormant);
         d++, slot = slot + 1 == E ? 0 : slot + 1)
        rc = day_work(m, &ad, am, mo, d, mo * D + d, slot, d < contest_days, acc);
    m->capps_head[i] = ad.capps_head;
    m->capps_len[i] = ad.capps_len;
    m->pending[i] = ad.pending;
    m->open_fu[i] = ad.open_fu;
    m->open_apps[i] = ad.open_apps;
    return rc;
}
