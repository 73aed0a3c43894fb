/*
 * book_private.h - the client book's records and the helpers its files
 * share (private to book.c and book_month.c; the rest of the library uses
 * book.h).  book.c holds the workspace, the clients and policies and what
 * a day does to them (calls, visits, sales, events); book_month.c the
 * calendar of transitions and the month end.
 *
 * Data: one pool of client records and one of policy records per
 * replication (a workspace reused across replications).  Each agent has six
 * queues of its clients, one per grade, linked through the records and
 * ordered by the month they were last called, so "the next client worth
 * calling" is the head of the best non-exhausted queue.  Transitions are
 * events in a month calendar; a record holds a stamp so that a calendar
 * entry made stale by a reschedule is skipped.
 *
 * Money is kept in whole cents (int64) where sums must come back to zero
 * exactly (renewal buckets, premium in force).
 */
#ifndef KPI_BOOK_PRIVATE_H
#define KPI_BOOK_PRIVATE_H

#include "book.h"

#include "draw.h"
#include "rng.h"

#include <stdlib.h>

enum { G_A = 0, G_B, G_C, G_D, G_E, G_N, NGRADE };
enum { ST_PAYING = 0, ST_MATURED, ST_LAPSED, ST_LOST };
enum { EV_NONE = 0, EV_NEED, EV_BTOA, EV_LAPSE, EV_LOSS, EV_REEVAL };

#define NEVER INT16_MAX
#define UNKNOWN INT16_MIN

typedef struct client {
    uint32_t origin;        /* agent who first sold to it: its streams' subject */
    uint32_t seq;           /* its index among that agent's clients */
    uint32_t owner;         /* agent id now */
    int32_t prev, next;     /* links of its grade queue */
    int32_t policy;         /* its newest policy, -1 none */
    int64_t in_force;       /* annual premium of its paying policies, cents */
    int16_t first_buy;      /* month of its first policy (UNKNOWN: before month 1) */
    int16_t second_buy;     /* month of its second policy, UNKNOWN if none */
    int16_t last_contact;   /* month of the last service contact */
    int16_t last_called;    /* month it was last called */
    int16_t wake;           /* month of its next calendar entry, NEVER if none */
    uint16_t nevents;       /* draws made from its stream */
    uint16_t stamp;         /* version of its calendar entry */
    uint8_t grade, state, policies, kind, newgrade;
} client;

typedef struct policy {
    int32_t client, next;   /* owner and the owner's previous policy */
    int64_t cents;          /* first-year (and renewal) premium */
    int16_t issued;         /* month of issue (negative: before month 1) */
    int16_t stopped;        /* month it lapsed or was lost, NEVER if not */
    uint8_t paying;
} policy;

typedef struct appt {
    int32_t client;
    int32_t day;
} appt;

typedef struct agent_book {
    int active;
    int32_t head[NGRADE], tail[NGRADE];
    appt *q;                /* ring of client appointments, oldest first */
    size_t qhead, qlen, qcap;
    uint32_t *ref;          /* referrals received, by month, ring of ref_months */
    uint32_t ref_held;
    uint32_t nseq;          /* clients this agent brought in */
} agent_book;

typedef struct entry {
    int32_t client;
    uint16_t stamp;
} entry;

typedef struct evec { entry *v; size_t n, cap; } evec;

/* A client's next transition between its two halves (book_month.c): what
 * its state at the reschedule says (which of the book's rates apply, the
 * months of a forced re-evaluation), drawn later from its stream, whose
 * Philox block is computed with others, side by side. */
typedef struct resched {
    int32_t ci, base;
    int32_t unserved_at;    /* re-evaluation when unserved, if RS_SERVED */
    int32_t anniversary;    /* end of the first year, if RS_YEAR */
    uint16_t stamp;         /* the client's stamp for this transition */
    uint8_t rates;          /* index of book.lam: the rates that apply */
    uint8_t check;          /* RS_SERVED | RS_YEAR */
} resched;

enum { RS_SERVED = 1, RS_YEAR = 2 };

/* The rates of a transition as an index of kpi_book.lam: need, B to A,
 * loss one bit each, the lapse rate (none, first year, served, unserved)
 * two. */
enum { RATE_NEED = 1, RATE_BTOA = 2, RATE_LOSS = 4, RATE_LAPSE_SHIFT = 3, NRATES = 32 };

/* Reschedules of the day waiting for their draws: as many as a batch of
 * Philox blocks (book_month.c's LANES). */
enum { PENDING_MAX = 64 };
typedef struct ivec { int32_t *v; size_t n, cap; } ivec;

struct kpi_book {
    const kpi_scenario *sc;
    uint64_t key;
    int M, month;
    int ref_slot;           /* month % ref_months: this month's referral slot */
    gsl_rng *r;             /* per-client and per-event streams */

    client *c;
    size_t nc, capc;
    policy *p;
    size_t np, capp;
    agent_book *ab;
    size_t capab;
    evec *cal;              /* [M] transition calendar */
    ivec *mat;              /* [M] policies maturing */
    int32_t *tmp;           /* scratch for events and figures */
    size_t captmp;
    double *dtmp;
    size_t capdtmp;

    int64_t renew[12];      /* paying premium by month of issue mod 12, cents */
    long n_book, n_paying, n_lapsed;
    double contacts_month;

    /* Constants. */
    double lam_need, lam_bta, lam_lapse_s, lam_lapse_u, lam_loss;   /* per month */
    double lam_lapse_1;     /* in the first year of the client's newest policy */
    double gap;             /* service gap, months */
    int gapc;               /* ceil(gap): for a whole number of months x, x < gap
                               is x < gapc (gap is 1 to 600: the loader) */
    /* Whether being served, or the first year, changes a client's rates. */
    int lapse_depends, loss_depends, year_differs_s, year_differs_u;
    int term_months, ref_months, max_policies;
    double mix_all[NGRADE]; /* cumulative grade mix, all grades */
    double mix_need[5];     /* cumulative need_grade_mix over A..E */
    double zeta, sigma;
    kpi_poisson ref_contact; /* Poisson(referrals_per_contact), tabulated */
    kpi_binomial to_book;    /* Bin(calls, focus), tabulated */
    kpi_budget *budget;      /* NULL: no limit, nothing counted */

    /* Reschedules drawn later (kpi_book_reschedule_later), in call order;
     * a fixed part of the workspace. */
    resched pend[PENDING_MAX];
    uint32_t pend_subject[PENDING_MAX], pend_when[PENDING_MAX];   /* their streams */
    size_t npend;
    /* The monthly rates by event kind (EV_NEED..EV_LOSS) of every
     * combination of rates, and their sum, added in kind order. */
    double lam[NRATES][5];
    double lam_total[NRATES];
    /* far[k * (nfar + 1) + d], d <= nfar: a bound below which a uniform u
     * surely gives floor(-log(u) / lam_total[k]) >= d (book_month.c's
     * finish), 0 where none is needed or useful. */
    double *far;
    int nfar;
};

/* Grows a dynamic array to hold `need` elements of `size` bytes (the new
 * elements are not initialised). */
static inline int reserve(kpi_book *b, void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (kpi_budget_take(b->budget, (double)(n - *cap) * (double)size) != 0)
        return -1;
    void *p = realloc(*v, n * size);
    if (!p) {
        kpi_budget_give(b->budget, (double)(n - *cap) * (double)size);
        return -1;
    }
    *v = p;
    *cap = n;
    return 0;
}

static inline int evec_push(kpi_book *b, evec *e, int32_t ci, uint16_t stamp)
{
    if (reserve(b, (void **)&e->v, &e->cap, e->n + 1, sizeof *e->v) != 0)
        return -1;
    e->v[e->n].client = ci;
    e->v[e->n].stamp = stamp;
    e->n++;
    return 0;
}

static inline int ivec_push(kpi_book *b, ivec *e, int32_t x)
{
    if (reserve(b, (void **)&e->v, &e->cap, e->n + 1, sizeof *e->v) != 0)
        return -1;
    e->v[e->n++] = x;
    return 0;
}

/* The renewal bucket of a month of issue: ((issued % 12) + 12) % 12 with
 * one remainder instead of two. */
static inline int renew_slot(int issued)
{
    int k = issued % 12;
    return k < 0 ? k + 12 : k;
}

/* ------------------------------------------------------------------ */
/* Grade queues                                                        */
/* ------------------------------------------------------------------ */

static inline void unlink_client(kpi_book *b, int32_t ci)
{
    client *c = &b->c[ci];
    agent_book *a = &b->ab[c->owner];
    if (c->prev >= 0)
        b->c[c->prev].next = c->next;
    else
        a->head[c->grade] = c->next;
    if (c->next >= 0)
        b->c[c->next].prev = c->prev;
    else
        a->tail[c->grade] = c->prev;
    c->prev = c->next = -1;
}

/* Queues a client in its grade's queue of its owner.  The queue keeps the
 * clients already called this month at its back: one called this month
 * goes to the back, any other to the front (a fresh need is called soon). */
static inline void link_client(kpi_book *b, int32_t ci)
{
    client *c = &b->c[ci];
    agent_book *a = &b->ab[c->owner];
    int g = c->grade;
    if (c->last_called == b->month || a->head[g] < 0) {
        c->prev = a->tail[g];
        c->next = -1;
        if (a->tail[g] >= 0)
            b->c[a->tail[g]].next = ci;
        else
            a->head[g] = ci;
        a->tail[g] = ci;
    } else {
        c->prev = -1;
        c->next = a->head[g];
        b->c[a->head[g]].prev = ci;
        a->head[g] = ci;
    }
}

static inline void set_grade(kpi_book *b, int32_t ci, int g)
{
    if (b->c[ci].grade == g)
        return;
    unlink_client(b, ci);
    b->c[ci].grade = (uint8_t)g;
    link_client(b, ci);
}

/* ------------------------------------------------------------------ */
/* Shared by the day and the month end                                 */
/* ------------------------------------------------------------------ */

static inline void client_stream(kpi_book *b, client *c)
{
    uint32_t when = (c->seq << 12) | (uint32_t)(c->nevents & 0xfffu);
    c->nevents++;
    kpi_rng_seek(b->r, b->key, KPI_RS_CLIENT, c->origin, when);
}

static inline int grade_from(const double *cdf, int n, double u)
{
    for (int g = 0; g < n - 1; g++)
        if (u < cdf[g])
            return g;
    return n - 1;
}

static inline void set_state(kpi_book *b, client *c, int st)
{
    if (c->state == st)
        return;
    if (c->state == ST_PAYING)
        b->n_paying--;
    else if (c->state == ST_LAPSED)
        b->n_lapsed--;
    if (st == ST_PAYING)
        b->n_paying++;
    else if (st == ST_LAPSED)
        b->n_lapsed++;
    else if (st == ST_LOST)
        b->n_book--;
    c->state = (uint8_t)st;
}

/* book_month.c: draws client ci's next transition after month `base` and
 * puts it in the calendar.  Returns 0 or -1 (out of memory).  It seeks b->r
 * to the client's stream (callers drawing from b->r rely on where that
 * leaves it). */
int kpi_book_reschedule(kpi_book *b, int32_t ci, int base);

/* The same transition, its draws and calendar entry made later: when
 * PENDING_MAX are waiting, or at the month end before its transitions (the
 * entries go into the calendar in call order, before the month end's own:
 * where the immediate reschedule would have put them).  Only for callers
 * that do not draw from b->r.  Returns 0 or -1 (out of memory). */
int kpi_book_reschedule_later(kpi_book *b, int32_t ci, int base);

#endif /* KPI_BOOK_PRIVATE_H */
