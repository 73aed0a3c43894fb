/*
 * book.h - the client book of a team (private to the library).
 *
 * Every client an agent sold to, with its grade (A B C D E N), policy state
 * (paying, matured, lapsed; or lost to a competitor), policies, premium in
 * force and the dates a horizon figure needs.  The model (model.c) drives it
 * day by day (calls to clients, visits, sales, referrals) and month by month
 * (transitions, maturities, renewals, team changes).  Like the model it
 * never prints, reads files or exits.
 *
 * Cost grows with events, not with clients x days: a client's next
 * transition (a need emerging, B becoming A, a lapse, a loss) is drawn ahead
 * as a geometric number of months and put in a calendar, and calls pick
 * clients from per-grade queues.  docs/model.md "The client book" has the
 * laws and the order of operations.
 */
#ifndef KPI_BOOK_H
#define KPI_BOOK_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "kpisim.h"

typedef struct kpi_book kpi_book;

/* The bytes a workspace's growing arrays hold (the agents' arrays, the
 * book's clients, policies, calendar, appointment rings), counted as they
 * grow and shrink, against a limit (kpi_run_opts.workspace_limit; 0 = no
 * limit).  A growth that would pass the limit is refused like a failed
 * allocation, with exceeded set, so that the run ends with a clean error
 * before the kernel's out-of-memory killer ends the process. */
typedef struct kpi_budget {
    double used, limit;
    int exceeded;
} kpi_budget;

/* Takes bytes from the budget (NULL: none); 0, or -1 past the limit. */
static inline int kpi_budget_take(kpi_budget *g, double bytes)
{
    if (!g)
        return 0;
    if (g->limit > 0 && g->used + bytes > g->limit) {
        g->exceeded = 1;
        return -1;
    }
    g->used += bytes;
    return 0;
}

static inline void kpi_budget_give(kpi_budget *g, double bytes)
{
    if (g)
        g->used -= bytes;
}

/* What the book adds to a month's totals (indexed by enum kpi_kpi). */
typedef double kpi_tally[KPI_NKPI];

/* Creates the book workspace for sc (which must outlive it); NULL when out
 * of memory. */
kpi_book *kpi_book_create(const kpi_scenario *sc);

/* The budget the book's growing arrays count against (NULL: none); it must
 * outlive the book. */
void kpi_book_set_budget(kpi_book *b, kpi_budget *budget);
void kpi_book_destroy(kpi_book *b);

/* Starts a replication with the given stream key.  Returns 0. */
int kpi_book_reset(kpi_book *b, uint64_t key);

/* Gives agent `id` (ids are dense, in hiring order) a book: the starting
 * agents get the initial clients (initial != 0), recruits an empty book.
 * Returns 0, or -1 when out of memory. */
int kpi_book_hire(kpi_book *b, uint32_t id, int initial);

/* Starts month m (0-based): resets the month's counters and returns the
 * renewal premium due this month (paying policies issued 12, 24, ...
 * months earlier). */
double kpi_book_month_start(kpi_book *b, int m);

/* Per-agent probabilities the calls and visits of a month need. */
typedef struct kpi_book_rates {
    double p_contact, p_meet;   /* old_client funnel: call -> contact -> meeting */
    double p_sale_agent;        /* old_client sale rate x skill x ramp x uplift */
} kpi_book_rates;

/* Day t (from the start of the horizon) of month m: of `calls` calls of
 * agent `id`, sends Bin(calls, focus) to the book, best grade first, each
 * client at most once a month.  Draws each call's contact and meeting;
 * meetings become appointments remembered with their client.  *placed
 * gets the calls placed with clients (the rest go to prospects), *appts
 * the appointments set; adds calls, contacts, appointments, referrals to
 * acc.  The calls stop when room appointments are set (a full diary; pass
 * UINT_MAX for no limit).  r is the agent's client stream for the day.  Returns 0, or -1 when
 * out of memory (the replication cannot go on). */
int kpi_book_call(kpi_book *b, uint32_t id, int m, int t, unsigned calls, unsigned room,
                  const kpi_book_rates *rates, gsl_rng *r, kpi_tally acc, unsigned *placed,
                  unsigned *appts);

/* Takes up to `want` unused referrals of agent id, oldest first; returns
 * how many. */
unsigned kpi_book_take_referrals(kpi_book *b, uint32_t id, unsigned want);

/* Adds n referrals received by agent id in month m. */
void kpi_book_add_referrals(kpi_book *b, uint32_t id, unsigned n);

/* Holds n of the client appointments set on day `day` by agent id (the
 * oldest ones first); writes their clients into out (room for n). */
void kpi_book_hold(kpi_book *b, uint32_t id, int day, unsigned n, int32_t *out);

/* Forgets agent id's client appointments set on day `day` or before (they
 * expired; the model counts them). */
void kpi_book_expire(kpi_book *b, uint32_t id, int day);

/* The sale probability multiplier of a client met: its grade's rate, 0 for
 * a client lost meanwhile or at its lifetime cap. */
double kpi_book_grade_rate(const kpi_book *b, int32_t client);

/* A case: with a new client (client < 0, cold or referral) or with an old
 * client.  premium is the case's first-year premium.  Returns 0 or -1 (out
 * of memory). */
int kpi_book_sale(kpi_book *b, uint32_t id, int32_t client, int m, double premium);

/* An old client applies (the sales cycle): it has no open need from now
 * on (grade N), so it is not sold to again while its application waits
 * for issue; kpi_book_sale records the policy at issue. */
int kpi_book_apply(kpi_book *b, int32_t client, int m);   /* 0 or -1 (out of memory) */

/* Month end: transitions due (needs, B -> A, lapses, losses), maturities,
 * referral expiry.  Adds clients_lost and the renewal-related counts to
 * acc.  Returns 0 or -1 (out of memory). */
int kpi_book_month_end(kpi_book *b, int m, kpi_tally acc);

/* Share `share` of the book attends an event in month m (thank-you event,
 * seminar; tag = the event's index, which keys its random stream): each
 * attendee counts as a service contact and may refer.  Adds referrals to
 * acc.  Returns 0 or -1 (out of memory). */
int kpi_book_event(kpi_book *b, int m, int tag, double share, kpi_tally acc);

/* Agent `id` leaves at the end of month m: its book goes to the agents of
 * `heirs` (n of them) or is lost, by clients.orphan_policy.  Adds lost
 * clients to acc.  Returns 0 or -1 (out of memory). */
int kpi_book_leave(kpi_book *b, uint32_t id, int m, const uint32_t *heirs, int n,
                   kpi_tally acc);

/* Book stocks at the end of the month: clients, clients_paying,
 * clients_lapsed into acc. */
void kpi_book_stocks(const kpi_book *b, kpi_tally acc);

/* Service contacts of the month so far (calls that reached a client and
 * event attendances), for the cost of service (C1). */
double kpi_book_contacts(const kpi_book *b);

/* Horizon figures that need the book: top-20% premium share (C3) and the
 * second-policy-within-36-months share (R4), into fig. */
int kpi_book_figures(kpi_book *b, int months, double *fig);

/* Counts of all clients ever in the book: by grade (lost ones left out)
 * and by state (paying, matured, lapsed, lost).  O(clients): for tests and
 * diagnostics, not for the hot path. */
void kpi_book_census(const kpi_book *b, long grades[6], long states[4]);

#endif /* KPI_BOOK_H */
