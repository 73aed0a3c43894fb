/*
 * book_month.c - the client book's calendar of transitions and its month
 * (docs/model.md "The client book"): each client's next transition drawn
 * ahead and put in a month's calendar, the month's start (renewals due)
 * and end (the transitions due, maturities, referrals expiring), and the
 * clients of an agent who leaves.  The records are in book_private.h.
 */
#include "book_private.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

/* The month end's transitions, LANES calendar entries at a time, and
 * the reschedules made later, as many. */
enum { LANES = 64 };
_Static_assert((int)PENDING_MAX <= (int)LANES, "one batch of streams holds the pending reschedules");

/* The `when` of a client's next stream (client_stream). */
static inline uint32_t stream_when(const client *c)
{
    return (c->seq << 12) | (uint32_t)(c->nevents & 0xfffu);
}

/* ------------------------------------------------------------------ */
/* Transitions                                                         */
/* ------------------------------------------------------------------ */

/* Draws the client's next transition after month `base` (the last month
 * whose transitions are done) from the rates of its present state, and
 * puts it in the calendar.
 *
 * The rates are those of a constant monthly hazard per mechanism; the month
 * of the first event is geometric with P(none in a month) = exp(-total),
 * and which event it is goes by the rates.  When the client will become
 * unserved before that month and being unserved changes its rates, the
 * entry is a re-evaluation at the last served month instead (memoryless
 * laws make that exact).
 *
 * In two halves: prepare reads the client's state (and takes its stream's
 * number: nevents); finish makes the draws from the stream, started by its
 * caller, and the calendar entry.  Between them the client may change: finish reads only
 * the record, and writes the client's pending transition only if no later
 * reschedule or loss replaced it (its stamp). */

/* Fills q, and its stream's subject and when, for client ci; returns 0 if
 * the client is lost (no transition, no draw), else 1. */
static inline int prepare(kpi_book *b, int32_t ci, int base, resched *q, uint32_t *subject,
                          uint32_t *when)
{
    client *c = &b->c[ci];
    c->stamp++;
    c->wake = NEVER;
    c->kind = EV_NONE;
    if (c->state == ST_LOST)
        return 0;
    const int served = base + 1 - c->last_contact < b->gapc;   /* < gap */
    const int ab = c->grade == G_A || c->grade == G_B;
    /* The first year of the newest policy has its own lapse rate (higher:
     * docs/model.md "Persistency"); it ends at that policy's anniversary. */
    const int anniversary = c->policy >= 0 ? b->p[c->policy].issued + 12 : INT16_MIN;
    const int first_year = base + 1 < anniversary;
    const int paying = c->state == ST_PAYING;
    int rates = (c->grade == G_N && c->policies < b->max_policies ? RATE_NEED : 0) |
                (c->grade == G_B ? RATE_BTOA : 0) | (ab && !served ? RATE_LOSS : 0);
    rates |= (!paying ? 0 : first_year ? 1 : served ? 2 : 3) << RATE_LAPSE_SHIFT;
    int depends = (paying && b->lapse_depends) || (ab && b->loss_depends);
    int check = served && depends ? RS_SERVED : 0;
    if (first_year && paying && (served ? b->year_differs_s : b->year_differs_u))
        check |= RS_YEAR;
    q->ci = ci;
    q->base = base;
    q->unserved_at = c->last_contact + b->gapc;   /* first unserved month */
    q->anniversary = anniversary;
    q->stamp = c->stamp;
    q->rates = (uint8_t)rates;
    q->check = (uint8_t)check;
    *subject = c->origin;
    *when = stream_when(c);   /* client_stream */
    c->nevents++;
    return 1;
}

/* The draws of q's transition from its stream, and its entry: b->r holds
 * the stream after its first output, `first`.
 * With all_draws, b->r is left where three draws leave it, whether they
 * were all needed or not: kpi_book_reschedule's callers go on drawing from
 * there. */
static inline int finish(kpi_book *b, const resched *q, uint32_t first, int all_draws)
{
    kpi_stream *s = kpi_stream_of(b->r);
    /* The stream's numbers are u1 (the month), u2 (the kind), u3 (the
     * grade of a need), in that order, each drawn only when used (unless
     * all_draws): the stream serves this transition alone, so a number not
     * drawn shifts nothing.  u3 matters only for a need that stays in the
     * calendar: newgrade is read only by that entry (kpi_book_month_end). */
    /* kpi_stream_uniform_pos of the stream, its first output already made */
    const double u1 = first ? (double)first * (1.0 / 4294967296.0) : kpi_stream_uniform_pos(s);
    int drawn = 1;
    const double *lam = b->lam[q->rates];
    const double total = b->lam_total[q->rates];
    double wake = INFINITY;
    int kind = EV_NONE;
    /* Every month from `limit` on ends the same way (an entry at the same
     * forced re-evaluation, or none past the horizon): when u1 surely
     * draws one of them, limit stands for it and the log is not needed
     * (kpi_book_create, far). */
    int limit = b->M;
    if ((q->check & RS_SERVED) && q->unserved_at < limit)
        limit = q->unserved_at;
    if ((q->check & RS_YEAR) && q->anniversary < limit)
        limit = q->anniversary;
    const int d = limit - q->base - 1;
    if (total > 0 && (d <= 0 || (d <= b->nfar && u1 < b->far[q->rates * (b->nfar + 1) + d]))) {
        wake = limit;
    } else if (total > 0) {
        wake = q->base + 1 + floor(-log(u1) / total);
        double x = kpi_stream_uniform(s) * total;
        drawn = 2;
        kind = EV_LOSS;
        for (int k = EV_NEED; k < EV_LOSS; k++) {
            if (x < lam[k]) {
                kind = k;
                break;
            }
            x -= lam[k];
        }
        if (lam[kind] == 0)   /* rounding at the top end: the last rate > 0 */
            for (kind = EV_LOSS; lam[kind] == 0; kind--)
                ;
    }
    if ((q->check & RS_SERVED) && wake >= q->unserved_at) {
        wake = q->unserved_at - 1;
        kind = EV_REEVAL;
    }
    if ((q->check & RS_YEAR) && wake >= q->anniversary) {
        wake = q->anniversary - 1;
        kind = EV_REEVAL;
    }
    client *c = &b->c[q->ci];
    if (wake < b->M && c->stamp == q->stamp) {   /* not replaced since */
        c->wake = (int16_t)wake;
        c->kind = (uint8_t)kind;
        if (kind == EV_NEED) {
            c->newgrade = (uint8_t)grade_from(b->mix_need, 5, kpi_stream_uniform(s));
            drawn = 3;
        }
    }
    if (all_draws)
        for (; drawn < 3; drawn++)
            (void)kpi_stream_u32(s);
    if (wake >= b->M)
        return 0;
    return evec_push(b, &b->cal[(int)wake], q->ci, q->stamp);
}

static int flush(kpi_book *b);

int kpi_book_reschedule(kpi_book *b, int32_t ci, int base)
{
    resched q;
    uint32_t subject, when;
    if (!prepare(b, ci, base, &q, &subject, &when))
        return 0;   /* b->r untouched, as its callers expect of a lost client */
    /* The pending entries were made first: they go first.  flush seeks
     * b->r, which this reschedule seeks again. */
    if (flush(b) != 0)
        return -1;
    kpi_stream *st = kpi_stream_of(b->r);
    kpi_stream_seek(st, b->key, KPI_RS_CLIENT, subject, when);
    return finish(b, &q, kpi_stream_u32(st), 1);
}

/* Finishes the pending reschedules, in call order, their streams started
 * side by side. */
static int flush(kpi_book *b)
{
    const size_t n = b->npend;
    if (n == 0)
        return 0;
    b->npend = 0;
    uint32_t o[5][LANES];
    kpi_rng_stream_starts(b->key, KPI_RS_CLIENT, n, b->pend_subject, b->pend_when, o[4], o[0], o[1],
                  o[2], o[3]);
    kpi_stream *st = kpi_stream_of(b->r);
    for (size_t i = 0; i < n; i++) {
        *st = (kpi_stream){{o[0][i], o[1][i], o[2][i], o[3][i]}};
        if (finish(b, &b->pend[i], o[4][i], 0) != 0)
            return -1;
    }
    return 0;
}

int kpi_book_reschedule_later(kpi_book *b, int32_t ci, int base)
{
    const size_t k = b->npend;
    if (!prepare(b, ci, base, &b->pend[k], &b->pend_subject[k], &b->pend_when[k]))
        return 0;
    if (++b->npend == PENDING_MAX)
        return flush(b);
    return 0;
}

/* Stops every paying policy of a client in month m.  A lapse (lapsed !=
 * 0: the client stopped paying, or bought elsewhere) marks the policies
 * stopped, for persistency, and the first-year premium of the ones still
 * in their first year goes to acc[KPI_CLAWBACK]: their commissions are
 * charged back (docs/model.md "Money").  An orphan lost with a leaver
 * keeps paying the insurer: not a lapse. */
static void stop_paying(kpi_book *b, client *c, int m, int lapsed, kpi_tally acc)
{
    for (int32_t pi = c->policy; pi >= 0; pi = b->p[pi].next) {
        policy *p = &b->p[pi];
        if (p->paying) {
            p->paying = 0;
            b->renew[renew_slot(p->issued)] -= p->cents;
            if (lapsed) {
                p->stopped = (int16_t)m;
                if (m - p->issued < 12)
                    acc[KPI_CLAWBACK] += (double)p->cents / 100.0;
            }
        }
    }
    c->in_force = 0;
}

static void lose_client(kpi_book *b, int32_t ci, int m, int lapsed, kpi_tally acc)
{
    client *c = &b->c[ci];
    stop_paying(b, c, m, lapsed, acc);
    unlink_client(b, ci);
    set_state(b, c, ST_LOST);
    c->stamp++;
    c->wake = NEVER;
    acc[KPI_CLIENTS_LOST] += 1;
}

/* ------------------------------------------------------------------ */
/* The month                                                           */
/* ------------------------------------------------------------------ */

double kpi_book_month_start(kpi_book *b, int m)
{
    b->month = m;
    b->ref_slot = m % b->ref_months;
    b->contacts_month = 0;
    return (double)b->renew[m % 12] / 100.0;
}

/* The calendar of a month lists clients all over a book of tens of
 * thousands (megabytes), so its loop waits on memory: it asks for the
 * records a few entries ahead (a hint; no effect on results). */
#if defined(__GNUC__)
#define PREFETCH(addr) __builtin_prefetch(addr)
#else
#define PREFETCH(addr) ((void)0)
#endif
enum { AHEAD = 12 };

/* An entry of the calendar of month m that is still the client's pending
 * transition (not made stale by a reschedule or a loss). */
static inline int entry_due(const client *c, const entry *en, int m)
{
    return c->stamp == en->stamp && c->wake == m && c->state != ST_LOST;
}

int kpi_book_month_end(kpi_book *b, int m, kpi_tally acc)
{
    const kpi_scenario *sc = b->sc;
    /* Transitions due this month, in calendar order, LANES at a time: a
     * first pass finds the entries due that reschedule their client (all
     * but losses) and computes their streams' starts at once; the second
     * does the transitions.  A transition changes no other client's stamp,
     * state or draw count, so what the first pass found holds in the
     * second; a lane's start is used only if the client's stream is still
     * the one it was computed for (else the scalar seek: same numbers). */
    if (flush(b) != 0)
        return -1;
    evec *e = &b->cal[m];
    for (size_t k0 = 0; k0 < e->n; k0 += LANES) {
        const size_t n = e->n - k0 < LANES ? e->n - k0 : LANES;
        const entry *ev = e->v + k0;
        uint32_t subject[LANES], when[LANES], o[5][LANES];
        int lane[LANES];
        size_t nl = 0;
        for (size_t j = 0; j < n; j++) {
            if (k0 + j + AHEAD < e->n)
                PREFETCH(&b->c[e->v[k0 + j + AHEAD].client]);
            const client *c = &b->c[ev[j].client];
            lane[j] = -1;
            if (!entry_due(c, &ev[j], m) || c->kind == EV_LOSS)
                continue;
            if (c->policy >= 0)
                PREFETCH(&b->p[c->policy]);
            lane[j] = (int)nl;
            subject[nl] = c->origin;
            when[nl] = stream_when(c);
            nl++;
        }
        kpi_rng_stream_starts(b->key, KPI_RS_CLIENT, nl, subject, when, o[4], o[0], o[1], o[2], o[3]);
        for (size_t j = 0; j < n; j++) {
            int32_t ci = ev[j].client;
            client *c = &b->c[ci];
            if (!entry_due(c, &ev[j], m))
                continue;   /* rescheduled since */
            switch (c->kind) {
            case EV_NEED:
                set_grade(b, ci, c->newgrade);
                break;
            case EV_BTOA:
                set_grade(b, ci, G_A);
                break;
            case EV_LAPSE:
                stop_paying(b, c, m, 1, acc);
                set_state(b, c, ST_LAPSED);
                break;
            case EV_LOSS:
                lose_client(b, ci, m, 1, acc);
                continue;
            default:
                break;
            }
            resched q;
            uint32_t qs, qw;
            if (!prepare(b, ci, m, &q, &qs, &qw))
                continue;
            const int l = lane[j];
            kpi_stream *st = kpi_stream_of(b->r);
            uint32_t first;
            if (l >= 0 && qs == subject[l] && qw == when[l]) {
                *st = (kpi_stream){{o[0][l], o[1][l], o[2][l], o[3][l]}};
                first = o[4][l];
            } else {
                kpi_stream_seek(st, b->key, KPI_RS_CLIENT, qs, qw);
                first = kpi_stream_u32(st);
            }
            if (finish(b, &q, first, 0) != 0)
                return -1;
        }
    }

    /* Policies reaching their term stop paying; a client left with none
     * has matured, and likely has a need (funds freed). */
    ivec *mv = &b->mat[m];
    for (size_t k = 0; k < mv->n; k++) {
        if (k + AHEAD < mv->n)
            PREFETCH(&b->p[mv->v[k + AHEAD]]);
        policy *p = &b->p[mv->v[k]];
        if (!p->paying)
            continue;
        p->paying = 0;
        b->renew[renew_slot(p->issued)] -= p->cents;
        int32_t ci = p->client;
        client *c = &b->c[ci];
        c->in_force -= p->cents;
        if (c->state != ST_PAYING)
            continue;
        int paying = 0;
        for (int32_t pi = c->policy; pi >= 0 && !paying; pi = b->p[pi].next)
            paying = b->p[pi].paying;
        if (paying)
            continue;
        set_state(b, c, ST_MATURED);
        client_stream(b, c);
        double u = kpi_rng_uniform(b->r), v = kpi_rng_uniform(b->r);
        if (c->grade == G_N && c->policies < b->max_policies && u < sc->clients.matured_need)
            set_grade(b, ci, grade_from(b->mix_need, 5, v));
        if (kpi_book_reschedule(b, ci, m) != 0)
            return -1;
    }

    /* This month's calendar and maturities are done with: their memory
     * goes back, so that a long run holds only the entries still ahead
     * (not every entry ever made).  Nothing reads them again. */
    kpi_budget_give(b->budget, (double)e->cap * sizeof *e->v + (double)mv->cap * sizeof *mv->v);
    free(e->v);
    free(mv->v);
    *e = (evec){0};
    *mv = (ivec){0};

    /* Referrals received ref_months ago expire tonight. */
    const int R = b->ref_months;
    for (size_t i = 0; i < b->capab; i++) {
        agent_book *a = &b->ab[i];
        if (!a->active)
            continue;
        uint32_t *s = &a->ref[(m + 1) % R];
        a->ref_held -= *s;
        *s = 0;
    }
    return 0;
}

int kpi_book_leave(kpi_book *b, uint32_t id, int m, const uint32_t *heirs, int n,
                   kpi_tally acc)
{
    agent_book *a = &b->ab[id];
    int lose = b->sc->clients.orphan_policy == KPI_ORPHAN_LOSE || n <= 0;
    kpi_rng_seek(b->r, b->key, KPI_RS_ORPHAN, id, (uint32_t)m);
    for (int g = 0; g < NGRADE; g++) {
        int32_t ci = a->head[g];
        while (ci >= 0) {
            int32_t next = b->c[ci].next;
            if (lose) {
                lose_client(b, ci, m, 0, acc);
            } else {
                unlink_client(b, ci);
                uint32_t heir = heirs[gsl_rng_uniform_int(b->r, (unsigned long)n)];
                b->c[ci].owner = heir;
                link_client(b, ci);
            }
            ci = next;
        }
    }
    a->active = 0;
    a->qlen = 0;
    a->ref_held = 0;
    return 0;
}

