/*
 * book.c - the client book: the workspace, clients and policies, and what
 * a day does to them: calls to clients, their appointments, referrals,
 * sales and applications, events; the book's stocks and horizon figures.
 * See book.h, book_private.h (the records) and docs/model.md "The client
 * book"; the calendar of transitions and the month end are in
 * book_month.c.
 */
#include "book_private.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

/* The order in which calls go through the grades: sales calls to the
 * clients with a need (A, then B, D, E), then service calls (N, C). */
static const int call_order[NGRADE] = {G_A, G_B, G_D, G_E, G_N, G_C};

/* ------------------------------------------------------------------ */
/* Workspace                                                           */
/* ------------------------------------------------------------------ */

/* A yearly probability as a monthly rate of a constant hazard. */
static double monthly_rate(double per_year)
{
    if (per_year <= 0)
        return 0;
    if (per_year >= 1)
        per_year = 1 - 1e-12;
    return -log1p(-per_year) / 12.0;
}

void kpi_book_set_budget(kpi_book *b, kpi_budget *budget)
{
    b->budget = budget;
}

kpi_book *kpi_book_create(const kpi_scenario *sc)
{
    kpi_book *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->sc = sc;
    b->M = sc->months;
    b->r = kpi_rng_alloc();
    b->cal = calloc((size_t)b->M, sizeof *b->cal);
    b->mat = calloc((size_t)b->M, sizeof *b->mat);
    if (!b->r || !b->cal || !b->mat) {
        kpi_book_destroy(b);
        return NULL;
    }
    const double *mix = sc->clients.grade_mix;
    double s = 0, sn = 0;
    for (int g = 0; g < NGRADE; g++) {
        s += mix[g];
        b->mix_all[g] = s;
    }
    const double *need = sc->clients.need_grade_mix;
    for (int g = 0; g < 5; g++)
        sn += need[g];
    double acc = 0;
    for (int g = 0; g < 5; g++) {
        acc += need[g] / sn;   /* sn = 1: the loader checks it */
        b->mix_need[g] = acc;
    }
    b->lam_need = monthly_rate(sc->clients.need_per_year);
    b->lam_bta = sc->clients.b_to_a_months > 0 ? 1.0 / sc->clients.b_to_a_months : 50.0;
    b->lam_lapse_s = monthly_rate(sc->clients.lapse_per_year);
    b->lam_lapse_u = monthly_rate(sc->clients.lapse_if_unserved_per_year);
    b->lam_lapse_1 = monthly_rate(sc->clients.lapse_first_year);
    b->lam_loss = monthly_rate(sc->clients.loss_if_unserved_per_year);
    b->gap = sc->clients.service_gap_months;
    b->gapc = (int)ceil(b->gap);
    b->term_months = (int)lround(sc->clients.policy_term_years * 12);
    b->ref_months = (int)lround(sc->clients.referral_expiry_months);
    if (b->ref_months < 1)
        b->ref_months = 1;
    b->max_policies = (int)floor(sc->clients.max_policies);
    b->lapse_depends = b->lam_lapse_u != b->lam_lapse_s;
    b->loss_depends = b->lam_loss > 0;
    b->year_differs_s = b->lam_lapse_1 != b->lam_lapse_s;
    b->year_differs_u = b->lam_lapse_1 != b->lam_lapse_u;
    for (int k = 0; k < NRATES; k++) {
        double *lam = b->lam[k];
        const int lapse = k >> RATE_LAPSE_SHIFT;
        lam[EV_NONE] = 0;
        lam[EV_NEED] = k & RATE_NEED ? b->lam_need : 0;
        lam[EV_BTOA] = k & RATE_BTOA ? b->lam_bta : 0;
        lam[EV_LAPSE] = lapse == 1 ? b->lam_lapse_1 : lapse == 2 ? b->lam_lapse_s
                        : lapse == 3 ? b->lam_lapse_u : 0;
        lam[EV_LOSS] = k & RATE_LOSS ? b->lam_loss : 0;
        b->lam_total[k] = lam[1] + lam[2] + lam[3] + lam[4];
    }
    /* The month a transition is drawn for often does not matter: past the
     * horizon, or past a forced re-evaluation.  Then -log(u) / total need
     * only be known to reach d months, which is u < exp(-total d); the
     * bound keeps a margin of 1e-9 (in log) that dwarfs the rounding of
     * log, exp and the division (about 1e-15 relative, with total d below
     * 23 whenever u >= 2^-32 can pass), so the month and what follows are
     * the same as with the log.  Distances up to the horizon, at most 240. */
    b->nfar = b->M < 240 ? b->M : 240;
    b->far = calloc((size_t)NRATES * (size_t)(b->nfar + 1), sizeof *b->far);
    if (!b->far) {
        kpi_book_destroy(b);
        return NULL;
    }
    for (int k = 0; k < NRATES; k++)
        if (b->lam_total[k] > 0)
            for (int d = 1; d <= b->nfar; d++)
                b->far[k * (b->nfar + 1) + d] = exp(-b->lam_total[k] * d) * (1 - 1e-9);
    if (sc->premium.mean > 0)
        kpi_lognormal_params(sc->premium.mean, sc->premium.cv, &b->zeta, &b->sigma);
    if (kpi_poisson_prepare(&b->ref_contact, sc->clients.referrals_per_contact) != 0 ||
        (sc->clients.focus > 0 && kpi_binomial_prepare(&b->to_book, sc->clients.focus, KPI_BINOMIAL_TABLE_N) != 0)) {
        kpi_book_destroy(b);
        return NULL;
    }
    return b;
}

static void free_agent(agent_book *a)
{
    free(a->q);
    free(a->ref);
    memset(a, 0, sizeof *a);
}

void kpi_book_destroy(kpi_book *b)
{
    if (!b)
        return;
    gsl_rng_free(b->r);
    kpi_poisson_free(&b->ref_contact);
    kpi_binomial_free(&b->to_book);
    for (size_t i = 0; i < b->capab; i++)
        free_agent(&b->ab[i]);
    free(b->ab);
    if (b->cal)
        for (int m = 0; m < b->M; m++)
            free(b->cal[m].v);
    if (b->mat)
        for (int m = 0; m < b->M; m++)
            free(b->mat[m].v);
    free(b->cal);
    free(b->mat);
    free(b->c);
    free(b->p);
    free(b->tmp);
    free(b->dtmp);
    free(b->far);
    free(b);
}

int kpi_book_reset(kpi_book *b, uint64_t key)
{
    b->key = key;
    b->month = 0;
    b->ref_slot = 0;
    b->nc = b->np = 0;
    for (size_t i = 0; i < b->capab; i++) {
        agent_book *a = &b->ab[i];
        a->active = 0;
        a->qhead = a->qlen = 0;
        a->ref_held = 0;
        a->nseq = 0;
    }
    for (int m = 0; m < b->M; m++) {
        b->cal[m].n = 0;
        b->mat[m].n = 0;
    }
    memset(b->renew, 0, sizeof b->renew);
    b->n_book = b->n_paying = b->n_lapsed = 0;
    b->contacts_month = 0;
    b->npend = 0;   /* a failed replication may leave some */
    return 0;
}

/* ------------------------------------------------------------------ */
/* Clients and policies                                                */
/* ------------------------------------------------------------------ */

static int add_policy(kpi_book *b, int32_t ci, int issued, int64_t cents)
{
    if (reserve(b, (void **)&b->p, &b->capp, b->np + 1, sizeof *b->p) != 0)
        return -1;
    int32_t pi = (int32_t)b->np++;
    client *c = &b->c[ci];
    policy *p = &b->p[pi];
    p->client = ci;
    p->next = c->policy;
    p->cents = cents;
    p->issued = (int16_t)issued;
    p->stopped = NEVER;
    p->paying = 1;
    c->policy = pi;
    c->in_force += cents;
    b->renew[renew_slot(issued)] += cents;
    int due = issued + b->term_months;
    if (due >= 0 && due < b->M && ivec_push(b, &b->mat[due], pi) != 0)
        return -1;
    return 0;
}

static int32_t new_client(kpi_book *b, uint32_t agent)
{
    if (reserve(b, (void **)&b->c, &b->capc, b->nc + 1, sizeof *b->c) != 0)
        return -1;
    int32_t ci = (int32_t)b->nc++;
    client *c = &b->c[ci];
    memset(c, 0, sizeof *c);
    c->origin = agent;
    c->seq = b->ab[agent].nseq++;
    c->owner = agent;
    c->prev = c->next = c->policy = -1;
    c->first_buy = c->second_buy = UNKNOWN;
    c->wake = NEVER;
    c->state = ST_PAYING;
    b->n_book++;
    b->n_paying++;
    return ci;
}

static int64_t to_cents(double x)
{
    return (int64_t)llround(x * 100.0);
}

int kpi_book_hire(kpi_book *b, uint32_t id, int initial)
{
    if (id >= b->capab) {
        size_t n = b->capab ? b->capab : 64;
        while (n <= id)
            n *= 2;
        double bytes = (double)(n - b->capab) *
                       ((double)sizeof *b->ab + (double)b->ref_months * sizeof(uint32_t));
        if (kpi_budget_take(b->budget, bytes) != 0)
            return -1;
        agent_book *ab = realloc(b->ab, n * sizeof *ab);
        if (!ab) {
            kpi_budget_give(b->budget, bytes);
            return -1;
        }
        memset(ab + b->capab, 0, (n - b->capab) * sizeof *ab);
        b->ab = ab;
        b->capab = n;
    }
    agent_book *a = &b->ab[id];
    if (!a->ref) {
        a->ref = malloc((size_t)b->ref_months * sizeof *a->ref);
        if (!a->ref)
            return -1;
    }
    memset(a->ref, 0, (size_t)b->ref_months * sizeof *a->ref);
    a->active = 1;
    for (int g = 0; g < NGRADE; g++)
        a->head[g] = a->tail[g] = -1;
    a->qhead = a->qlen = 0;
    a->ref_held = 0;
    a->nseq = 0;
    if (!initial)
        return 0;

    const kpi_scenario *sc = b->sc;
    gsl_rng *r = b->r;
    kpi_rng_seek(r, b->key, KPI_RS_BOOK_INIT, id, 0);
    double want = sc->clients.initial_per_agent, fl = floor(want);
    long n = (long)fl + (kpi_rng_uniform(r) < want - fl);
    for (long k = 0; k < n; k++) {
        int32_t ci = new_client(b, id);
        if (ci < 0)
            return -1;
        client *c = &b->c[ci];
        double u = kpi_rng_uniform(r);
        c->grade = (uint8_t)grade_from(b->mix_all, NGRADE, u);
        double x = sc->premium.mean;
        if (sc->premium.mean > 0 && sc->premium.cv > 0)
            x = gsl_ran_lognormal(r, b->zeta, b->sigma);
        int age = 1 + (int)floor(kpi_rng_uniform(r) * b->term_months);
        int since = 1 + (int)floor(kpi_rng_uniform(r) * b->gapc);
        c->last_contact = (int16_t)-since;
        c->last_called = (int16_t)-since;
        c->policies = 1;
        if (add_policy(b, ci, -age, to_cents(x)) != 0)
            return -1;
        link_client(b, ci);
        if (kpi_book_reschedule(b, ci, -1) != 0)
            return -1;
    }
    return 0;
}

/* A call or an event that reached a client in month m: it is served
 * again, may refer, may move up a grade (E, D) or show an open need (N).
 * r is the stream of the day.
 *
 * Its pending transition stays valid unless its rates change: a client who
 * was unserved is served again (lower lapse, no loss), or its grade moved.
 * A served client's re-evaluation at the end of its served period also
 * stays: it finds the client served and redraws then. */
static int service_contact(kpi_book *b, int32_t ci, int m, gsl_rng *r, kpi_tally acc)
{
    const kpi_scenario *sc = b->sc;
    client *c = &b->c[ci];
    int was_served = m - c->last_contact < b->gapc;
    int grade = c->grade;
    c->last_contact = (int16_t)m;
    b->contacts_month += 1;
    unsigned k = kpi_poisson_draw(&b->ref_contact, r);
    if (k) {
        kpi_book_add_referrals(b, c->owner, k);
        acc[KPI_REFERRALS] += k;
    }
    /* E and D move up; an N client may turn out to have an open need
     * (under-insured, a new family member: B5). */
    double u = kpi_rng_uniform(r), v = kpi_rng_uniform(r);
    if (grade == G_E || grade == G_D) {
        if (u < sc->clients.upgrade_per_contact)
            set_grade(b, ci, grade == G_E ? G_D : G_B);
    } else if (grade == G_N && c->policies < b->max_policies &&
               u < sc->clients.need_per_contact) {
        set_grade(b, ci, grade_from(b->mix_need, 5, v));
    }
    if (was_served && c->grade == grade)
        return 0;
    /* An event's contacts draw from b->r, which the reschedule seeks and
     * leaves at the client's stream: theirs must be made now. */
    return r == b->r ? kpi_book_reschedule(b, ci, m - 1) : kpi_book_reschedule_later(b, ci, m - 1);
}

/* ------------------------------------------------------------------ */
/* The day                                                             */
/* ------------------------------------------------------------------ */

/* The ring's capacity is a power of two (16, doubled when full), so
 * positions wrap with a mask, not a division. */
static int push_appt(kpi_book *b, agent_book *a, int32_t ci, int day)
{
    if (a->qlen == a->qcap) {
        size_t n = a->qcap ? a->qcap * 2 : 16;
        if (kpi_budget_take(b->budget, (double)(n - a->qcap) * sizeof(appt)) != 0)
            return -1;
        appt *q = malloc(n * sizeof *q);
        if (!q) {
            kpi_budget_give(b->budget, (double)(n - a->qcap) * sizeof(appt));
            return -1;
        }
        for (size_t k = 0; k < a->qlen; k++)
            q[k] = a->q[(a->qhead + k) & (a->qcap - 1)];
        free(a->q);
        a->q = q;
        a->qcap = n;
        a->qhead = 0;
    }
    a->q[(a->qhead + a->qlen) & (a->qcap - 1)] = (appt){ci, day};
    a->qlen++;
    return 0;
}

/* Moves the head of agent a's queue of grade g, a client just called, to
 * the back of that queue: what unlink_client and link_client do for a client
 * called this month, without looking up its owner and grade again. */
static inline void rotate_head(kpi_book *b, agent_book *a, int g)
{
    int32_t ci = a->head[g];
    client *c = &b->c[ci];
    int32_t nx = c->next;
    if (nx < 0)
        return;   /* alone in its queue */
    a->head[g] = nx;
    b->c[nx].prev = -1;
    c->prev = a->tail[g];
    c->next = -1;
    b->c[a->tail[g]].next = ci;
    a->tail[g] = ci;
}

int kpi_book_call(kpi_book *b, uint32_t id, int m, int t, unsigned calls, unsigned room,
                  const kpi_book_rates *rates, gsl_rng *r, kpi_tally acc, unsigned *out_placed,
                  unsigned *appts)
{
    const kpi_scenario *sc = b->sc;
    agent_book *a = &b->ab[id];
    *appts = 0;
    *out_placed = 0;
    if (calls == 0 || sc->clients.focus <= 0)
        return 0;
    /* Locals: acc is written in the loop and, as a double *, could alias
     * the rates for all the compiler knows. */
    const double p_contact = rates->p_contact, p_meet = rates->p_meet;
    const int this_month = m == b->month;   /* always, in the model's calls */
    unsigned want = kpi_binomial_draw(&b->to_book, calls, r);
    unsigned placed = 0, set = 0;
    int gi = 0;
    while (placed < want && gi < NGRADE && set < room) {
        int g = call_order[gi];
        int32_t ci = a->head[g];
        if (ci < 0 || b->c[ci].last_called == m) {
            gi++;   /* this grade has no client left to call this month */
            continue;
        }
        client *c = &b->c[ci];
        placed++;
        c->last_called = (int16_t)m;
        if (this_month) {
            rotate_head(b, a, g);
        } else {
            unlink_client(b, ci);
            link_client(b, ci);
        }
        if (kpi_rng_uniform(r) >= p_contact)
            continue;
        acc[KPI_CONTACTS] += 1;
        acc[KPI_CONTACTS_CLIENTS] += 1;
        if (service_contact(b, ci, m, r, acc) != 0) {
            *appts = set;
            return -1;
        }
        /* A client with a need (found on this call, perhaps) may meet. */
        int sales_call = c->grade != G_N && c->grade != G_C;
        if (sales_call && kpi_rng_uniform(r) < p_meet) {
            if (push_appt(b, a, ci, t) != 0) {
                *appts = set;
                return -1;
            }
            set++;
        }
    }
    *appts = set;
    acc[KPI_CALLS_TO_CLIENTS] += placed;
    acc[KPI_APPOINTMENTS] += set;
    acc[KPI_APPOINTMENTS_CLIENTS] += set;
    *out_placed = placed;
    return 0;
}

unsigned kpi_book_take_referrals(kpi_book *b, uint32_t id, unsigned want)
{
    agent_book *a = &b->ab[id];
    if (want == 0 || a->ref_held == 0)
        return 0;
    unsigned take = want < a->ref_held ? want : a->ref_held;
    unsigned left = take;
    const int R = b->ref_months;
    /* Oldest month first: the slot after this month's is the oldest. */
    int slot = b->ref_slot;
    for (int k = 1; k <= R && left > 0; k++) {
        slot = slot + 1 == R ? 0 : slot + 1;
        uint32_t *s = &a->ref[slot];
        unsigned x = *s < left ? *s : left;
        *s -= x;
        left -= x;
    }
    a->ref_held -= take;
    return take;
}

void kpi_book_add_referrals(kpi_book *b, uint32_t id, unsigned n)
{
    agent_book *a = &b->ab[id];
    a->ref[b->ref_slot] += n;
    a->ref_held += n;
}

void kpi_book_hold(kpi_book *b, uint32_t id, int day, unsigned n, int32_t *out)
{
    agent_book *a = &b->ab[id];
    unsigned k = 0;
    while (k < n && a->qlen > 0 && a->q[a->qhead].day <= day) {
        out[k++] = a->q[a->qhead].client;
        a->qhead = (a->qhead + 1) & (a->qcap - 1);
        a->qlen--;
    }
    while (k < n)
        out[k++] = -1;   /* cannot happen: the counts and the queue agree */
}

void kpi_book_expire(kpi_book *b, uint32_t id, int day)
{
    agent_book *a = &b->ab[id];
    while (a->qlen > 0 && a->q[a->qhead].day <= day) {
        a->qhead = (a->qhead + 1) & (a->qcap - 1);
        a->qlen--;
    }
}

double kpi_book_grade_rate(const kpi_book *b, int32_t ci)
{
    if (ci < 0)
        return 0;
    const client *c = &b->c[ci];
    if (c->state == ST_LOST || c->policies >= b->max_policies)
        return 0;
    return b->sc->clients.grade_rate[c->grade];
}

int kpi_book_sale(kpi_book *b, uint32_t id, int32_t ci, int m, double premium)
{
    int64_t cents = to_cents(premium);
    if (ci < 0) {
        ci = new_client(b, id);
        if (ci < 0)
            return -1;
        client *c = &b->c[ci];
        c->grade = G_N;
        c->first_buy = (int16_t)m;
        c->last_contact = (int16_t)m;
        c->last_called = (int16_t)m;
        c->policies = 1;
        link_client(b, ci);
    } else {
        client *c = &b->c[ci];
        if (c->state == ST_LOST)
            return 0;
        if (c->policies < 255)
            c->policies++;
        if (c->policies == 2 && c->second_buy == UNKNOWN)
            c->second_buy = (int16_t)m;
        c->last_contact = (int16_t)m;
        set_state(b, c, ST_PAYING);
        set_grade(b, ci, G_N);
    }
    if (add_policy(b, ci, m, cents) != 0)
        return -1;
    return kpi_book_reschedule_later(b, ci, m - 1);
}

int kpi_book_apply(kpi_book *b, int32_t ci, int m)
{
    if (ci < 0 || b->c[ci].state == ST_LOST || b->c[ci].grade == G_N)
        return 0;
    set_grade(b, ci, G_N);
    return kpi_book_reschedule_later(b, ci, m - 1);
}

int kpi_book_event(kpi_book *b, int m, int tag, double share, kpi_tally acc)
{
    if (share <= 0)
        return 0;
    for (size_t i = 0; i < b->capab; i++) {
        agent_book *a = &b->ab[i];
        if (!a->active)
            continue;
        /* Who attends is decided first, then each attendee is served, so
         * that grade moves do not change who is visited. */
        size_t n = 0;
        kpi_rng_seek(b->r, b->key, KPI_RS_BOOK_EVENT, (uint32_t)i,
                     (uint32_t)m * KPI_MAX_EVENTS + (uint32_t)tag);
        for (int g = 0; g < NGRADE; g++) {
            for (int32_t ci = a->head[g]; ci >= 0; ci = b->c[ci].next) {
                if (kpi_rng_uniform(b->r) >= share)
                    continue;
                if (reserve(b, (void **)&b->tmp, &b->captmp, n + 1, sizeof *b->tmp) != 0)
                    return -1;
                b->tmp[n++] = ci;
            }
        }
        for (size_t k = 0; k < n; k++)
            if (service_contact(b, b->tmp[k], m, b->r, acc) != 0)
                return -1;
    }
    return 0;
}

void kpi_book_stocks(const kpi_book *b, kpi_tally acc)
{
    acc[KPI_CLIENTS] = (double)b->n_book;
    acc[KPI_CLIENTS_PAYING] = (double)b->n_paying;
    acc[KPI_CLIENTS_LAPSED] = (double)b->n_lapsed;
}

double kpi_book_contacts(const kpi_book *b)
{
    return b->contacts_month;
}

int kpi_book_figures(kpi_book *b, int months, double *fig)
{
    /* C3: share of the premium in force held by the top 20% of clients. */
    size_t n = 0;
    if (reserve(b, (void **)&b->dtmp, &b->capdtmp, b->nc, sizeof *b->dtmp) != 0)
        return -1;
    double total = 0;
    long denom = 0, second = 0, cohort = 0, cohort_policies = 0;
    for (size_t i = 0; i < b->nc; i++) {
        const client *c = &b->c[i];
        if (c->state != ST_LOST) {
            b->dtmp[n++] = (double)c->in_force;
            total += (double)c->in_force;
        }
        /* R4: clients whose 36 months after their first policy are all
         * inside the horizon. */
        if (c->first_buy != UNKNOWN && c->first_buy + 36 <= months - 1) {
            denom++;
            if (c->second_buy != UNKNOWN && c->second_buy - c->first_buy <= 36)
                second++;
        }
        /* R1: the policies the clients first sold to in the horizon's
         * first 12 months bought by its end (lost ones until they left). */
        if (c->first_buy != UNKNOWN && c->first_buy < 12) {
            cohort++;
            cohort_policies += c->policies;
        }
    }
    /* The sum of the k largest needs no sort: with v the k-th largest
     * (a selection, O(n)), it is the sum of the values above v plus v once
     * for each of the k places they leave, which handles ties exactly. */
    double top = 0;
    if (n > 0 && total > 0) {
        size_t k = (size_t)ceil(0.2 * (double)n);
        double v = gsl_stats_select(b->dtmp, 1, n, n - k);
        size_t above = 0;
        for (size_t i = 0; i < n; i++)
            if (b->dtmp[i] > v) {
                top += b->dtmp[i];
                above++;
            }
        top = (top + (double)(k - above) * v) / total;
    }
    fig[KPI_FIG_TOP20_PREMIUM_SHARE] = top;
    fig[KPI_FIG_SECOND_POLICY_36M] = denom > 0 ? (double)second / (double)denom : NAN;
    fig[KPI_FIG_POLICIES_PER_CLIENT_Y1] =
        cohort > 0 ? (double)cohort_policies / (double)cohort : NAN;

    /* Persistency: policies issued in the horizon whose 13th month after
     * issue is inside it, still paying then (not lapsed or lost by the
     * end of month issued + 12). */
    long issued = 0, kept = 0;
    for (size_t i = 0; i < b->np; i++) {
        const policy *p = &b->p[i];
        if (p->issued < 0 || p->issued + 13 > months - 1)
            continue;
        issued++;
        kept += p->stopped >= p->issued + 13;
    }
    fig[KPI_FIG_PERSISTENCY_13M] = issued > 0 ? (double)kept / (double)issued : NAN;
    return 0;
}

void kpi_book_census(const kpi_book *b, long grades[6], long states[4])
{
    for (int g = 0; g < NGRADE; g++)
        grades[g] = 0;
    for (int s = 0; s < 4; s++)
        states[s] = 0;
    for (size_t i = 0; i < b->nc; i++) {
        const client *c = &b->c[i];
        states[c->state]++;
        if (c->state != ST_LOST)
            grades[c->grade]++;
    }
}
