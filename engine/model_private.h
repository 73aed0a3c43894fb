/*
 * model_private.h - the model's workspace, shared by the files of the
 * numeric core (private to the library): model.c (the workspace, the team
 * and the month, step by step), day.c (the working day of one agent:
 * calls, the diary, visits, the sales cycle, issue) and figures.c (the
 * horizon figures of a replication).  docs/model.md has every law.
 */
#ifndef KPI_MODEL_PRIVATE_H
#define KPI_MODEL_PRIVATE_H

#include "model.h"

#include "book.h"
#include "draw.h"
#include "engagement.h"
#include "rng.h"

#include <gsl/gsl_rng.h>

/* Sources of a call, an appointment and a case. */
enum { SRC_COLD = 0, SRC_REFERRAL = 1, SRC_CLIENT = 2, NSRC = 3 };

/* Kinds of appointment in the diary: a first meeting with a prospect or
 * client, or a follow-up meeting of a prospect already met (the sales
 * cycle).  A diary slot holds the counts [kind][source]. */
enum { KIND_FIRST = 0, KIND_FOLLOW = 1, NKIND = 2 };
#define SLOT_W (NKIND * NSRC)

/* How an agent works a day: on plan, off plan (an engaged agent's day off
 * the plan), coasting (every day of a coasting agent), or not at all
 * (dormant). */
enum { DAY_ON = 0, DAY_OFF = 1, DAY_COAST = 2, DAY_IDLE = 3, NDAY = 4 };

/* The monthly totals the days add to, indexed by enum kpi_kpi. */
typedef double tally[KPI_NKPI];

/* An old client's application waiting for issue. */
typedef struct pending_app {
    int32_t client;
    int32_t day;           /* the day it is issued */
} pending_app;

struct kpi_model {
    const kpi_scenario *sc;
    gsl_rng *r_day, *r_visit, *r_premium, *r_misc, *r_client, *r_cycle;
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
    int *hired;            /* month of joining (-1: the starting team) */
    unsigned char *state;  /* engagement state (enum kpi_engagement_state) */
    double *cases_m;       /* this month */
    double *premium_m;
    unsigned char *leaving;
    uint32_t next_id;

    /* The diary and the sales cycle of each agent (day.c).  Days are
     * counted from the start of the horizon; each ring is indexed by the
     * day modulo its length. */
    uint32_t *diary;       /* [agent][E slots][SLOT_W]: appointments by the day set */
    double *diary_fday;    /* [agent][E]: sum of first-meeting days of its follow-ups */
    uint32_t *follow;      /* [agent][G][NSRC]: follow-ups waiting for their day */
    double *follow_fday;   /* [agent][G] */
    uint32_t *issue;       /* [agent][R][NSRC]: applications to issue, by day */
    double *issue_fday;    /* [agent][R] */
    pending_app *capps;    /* [agent][CQ]: old clients' applications, in order */
    uint32_t *capps_head, *capps_len;
    uint32_t *pending;     /* appointments set and not yet held or lost */
    uint32_t *open_fu;     /* of them, follow-ups (prospects in the cycle) */
    uint32_t *open_apps;   /* applications waiting for issue */

    /* Constants of the scenario, computed once. */
    int E;                 /* appointment expiry, working days */
    int G;                 /* working days between meetings of a prospect */
    int R;                 /* issue ring: issue_lag_days + 1 */
    unsigned CQ;           /* room for old clients' applications (a power of 2) */
    int cycle;             /* the sales cycle is on */
    double cont[NSRC];     /* P(another meeting after one) per source */
    double diary_cap;      /* appointments a diary holds (cycle: calls stop there) */
    double p_contact[NSRC], p_meet[NSRC], p_sale[NSRC];
    double zeta, sigma;    /* lognormal premium */
    double skill_zeta, skill_sigma;
    double mood_zeta, mood_sigma;   /* lognormal atmosphere, mean 1 */
    double beta_a, beta_b; /* compliance law; beta_a <= 0: everyone equal */
    kpi_engagement_params eng;

    kpi_poisson calls[NDAY - 1][2];         /* [DAY_ON..DAY_COAST][contest] */
    kpi_binomial f_contact[2], f_meet[2];   /* the funnels of cold and referral calls */
    /* Calls made until the diary is full (day.c, funnel_calls_room): per
     * prospect source, the chance q = pc pm that a call sets an
     * appointment, the survival (1 - q)^(k + 1) of the calls between two
     * appointments for k < KPI_BINOMIAL_TABLE_N, log(1 - q) beyond, and
     * Bin(n, pc (1 - pm) / (1 - q)): the contacts among n calls that set
     * none. */
    double miss_surv[2][KPI_BINOMIAL_TABLE_N];
    double log_miss[2];
    kpi_binomial f_nocontact_appt[2];
    /* The sales cycle's binomials: Bin(met, cont[s]) follow-ups and
     * Bin(applications, 1 - not_taken) issued, tabulated like the funnels. */
    kpi_binomial f_cont[2], f_taken;
    kpi_poisson ref_sale;    /* Poisson(referrals_per_sale), tabulated */
    /* The Philox block of each working day of the agent's month, computed
     * in one batch (rng.h): every day stream of agent-day d starts from
     * first[d], hashed with its purpose; fb_when holds the days. */
    uint32_t *fb_when;
    /* Day d of the month's places in the follow-up and issue rings: t mod
     * G, t mod R and (t + 1) mod R for its day t (the same for every
     * agent), computed once a month instead of three divisions an
     * agent-day. */
    struct day_rings { int g, r, r1; } *rings;
    philox4x32_ctr_t *first;
    double pending_at_end;
    /* The working days' counts (calls, meetings, cases...) of the month so
     * far, added to the month's tally after the last day (working_days):
     * integer adds in the day's loop instead of conversions and
     * floating-point adds; the sums are the same (whole numbers, exact). */
    uint64_t dcnt[KPI_NKPI];
    double premium_m_cur;    /* premium of the agent's current day */

    /* The levers' state from month to month (management.h). */
    double track_s;          /* tracking strength this month */
    double mood_x;           /* log mood less its mean, last month (AR(1)) */

    /* From the run's options (kpi_model_limits). */
    kpi_budget budget;                       /* the workspace's growing arrays */
    const volatile sig_atomic_t *cancel;     /* NULL, or non-zero: stop */

    /* Tallies over the replication for the horizon figures. */
    double cycle_days, cycle_cases;     /* first meeting to issue, issued cases */
    double ret_joined, ret_kept;        /* recruits of the first months, kept 13 months */
};

/* Per agent and month: what the days of the month need. */
typedef struct agent_month {
    double compliance;
    int engagement;                 /* the agent's state this month */
    double p_sale[NSRC];
    unsigned cap_int[NDAY];         /* daily visit capacity by kind of day: whole part */
    double cap_frac[NDAY];          /* and fraction */
    unsigned rows_n;                /* Bin(held, p_sale) tabulated for held <= rows_n */
    double rows[2][(KPI_BINOMIAL_ROWS_MAX + 1) * (KPI_BINOMIAL_ROWS_MAX + 1)];
    double zeta;                    /* log-scale of this month's premiums */
    double not_taken;               /* share of applications never issued */
    kpi_book_rates book;
} agent_month;

/* day.c: the working days of agent i in month mo, one by one (the first
 * contest_days of them with a contest's effort); the day streams start
 * from the month's blocks under the replication's key (m->first, made
 * here from m->fb_when).  Returns 0 or -1 (out of memory). */
int kpi_day_month(kpi_model *m, uint64_t key, int i, const agent_month *am, int mo,
                  int contest_days, tally acc);

/* day.c: clears agent i's diary, follow-ups and applications (a new agent). */
void kpi_day_clear(kpi_model *m, int i);

/* day.c: moves agent i's diary to place w (the month end's compaction). */
void kpi_day_move(kpi_model *m, int w, int i);

/* figures.c: the horizon figures of one replication from its monthly table
 * and the model's tallies. */
void kpi_figures_compute(const kpi_model *m, const double *monthly, double contacts,
                         double *fig);

#endif /* KPI_MODEL_PRIVATE_H */
