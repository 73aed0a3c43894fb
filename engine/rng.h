/*
 * rng.h - keyed random streams (private to the library).
 *
 * Every random number of a replication comes from a stream named by
 * (seed, replication, purpose, subject, when): for example the calls of
 * agent 17 on working day 230, or the recruits of month 9.  The generator is
 * Random123's Philox4x32-10, a counter-based generator: the 64-bit key is a
 * hash of (seed, replication) and the 128-bit counter holds
 * (block, when, subject, purpose), so positioning a stream is a few stores
 * and no two streams overlap.  The streams are exposed as ordinary gsl_rng
 * objects so that GSL's distributions draw from them.
 *
 * Why keyed streams: results cannot depend on the number of threads or MPI
 * ranks (each replication owns its key), and `compare` gets common random
 * numbers that stay aligned when two scenarios differ (a contest in month 4
 * changes the draws of month 4's calls, not the premiums of month 9).
 * docs/model.md "Random streams" has the full list.
 */
#ifndef KPI_RNG_H
#define KPI_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include <Random123/philox.h>

/* What a stream is for.  Values are part of the reproducibility contract:
 * changing one changes every result, so new purposes are added at the end. */
enum kpi_purpose {
    KPI_RS_TEAM_MOOD = 1,     /* when = month: the team's atmosphere */
    KPI_RS_TEAM_RECRUIT = 2,  /* when = month: how many recruits join */
    KPI_RS_AGENT_INIT = 3,    /* subject = agent: skill and compliance at hire */
    KPI_RS_AGENT_DAY = 4,     /* subject = agent, when = day: plan, calls, funnel */
    KPI_RS_AGENT_VISIT = 5,   /* subject = agent, when = day: visits and cases */
    KPI_RS_AGENT_PREMIUM = 6, /* subject = agent, when = day: premium of each case */
    KPI_RS_AGENT_EXIT = 7,    /* subject = agent, when = month: attrition */
    KPI_RS_BOOK_INIT = 8,     /* subject = agent: its initial clients */
    KPI_RS_AGENT_CLIENTS = 9, /* subject = agent, when = day: calls to clients */
    KPI_RS_CLIENT = 10,       /* subject = client's first agent, when = (client
                                 number << 12 | draw count): its transitions */
    KPI_RS_BOOK_EVENT = 11,   /* subject = agent, when = month: event attendance */
    KPI_RS_ORPHAN = 12,       /* subject = leaving agent, when = month: heirs */
    KPI_RS_AGENT_ENGAGE = 13, /* subject = agent, when = month: engagement move */
    KPI_RS_AGENT_CYCLE = 14,  /* subject = agent, when = day: follow-ups, issue */
    KPI_RS_TEAM_RESOLVE = 15  /* when = month: the manager renews tracking or not */
};

/* The subject of team-level streams. */
#define KPI_RS_TEAM 0xffffffffu

/* Allocates a stream (a gsl_rng of kpisim's Philox type); NULL when out of
 * memory, never GSL's error handler (no gsl_rng_alloc).  Free with
 * gsl_rng_free. */
gsl_rng *kpi_rng_alloc(void);

/* The 64-bit key of replication rep of a run with the given seed: a strong
 * 64-bit mix of both, so that related seeds and neighbouring replications
 * give unrelated keys (never seed + rep). */
uint64_t kpi_rng_key(uint64_t seed, uint64_t rep);

/* Positions r at the start of stream (key, purpose, subject, when). */
void kpi_rng_seek(gsl_rng *r, uint64_t key, uint32_t purpose, uint32_t subject,
                  uint32_t when);

/* The state of a stream, which is the state of its gsl_rng.  The hot loop
 * draws through the inline functions below rather than GSL's generic
 * gsl_rng_get / gsl_rng_uniform: same numbers in the same order (a test
 * checks it), without a call through a function pointer per draw. */
typedef struct kpi_stream {
    philox4x32_ctr_t ctr;   /* ctr.v[0] counts blocks within the stream */
    philox4x32_key_t key;
    philox4x32_ctr_t out;   /* the current block of four outputs */
    unsigned avail;         /* outputs of `out` not used yet */
} kpi_stream;

/* The stream behind a gsl_rng made by kpi_rng_alloc. */
static inline kpi_stream *kpi_stream_of(const gsl_rng *r)
{
    return (kpi_stream *)r->state;
}

/* The next block of s (rng.c): out of line, so that the common path of
 * kpi_stream_u32 below stays a few instructions wherever it is inlined. */
void kpi_stream_refill(kpi_stream *s);

/* The next 32-bit output (what gsl_rng_get returns). */
static inline uint32_t kpi_stream_u32(kpi_stream *s)
{
    if (s->avail == 0)
        kpi_stream_refill(s);
    return s->out.v[--s->avail];
}

/* A uniform in [0, 1) (what gsl_rng_uniform returns). */
static inline double kpi_stream_uniform(kpi_stream *s)
{
    return (double)kpi_stream_u32(s) * (1.0 / 4294967296.0);
}

/* A uniform in (0, 1) (what gsl_rng_uniform_pos returns). */
static inline double kpi_stream_uniform_pos(kpi_stream *s)
{
    double u;
    do
        u = kpi_stream_uniform(s);
    while (u == 0);
    return u;
}

/* The uniforms of a gsl_rng made by kpi_rng_alloc, inline: the numbers of
 * gsl_rng_uniform and gsl_rng_uniform_pos. */
static inline double kpi_rng_uniform(const gsl_rng *r)
{
    return kpi_stream_uniform(kpi_stream_of(r));
}

static inline double kpi_rng_uniform_pos(const gsl_rng *r)
{
    return kpi_stream_uniform_pos(kpi_stream_of(r));
}

/* A 64-bit stream key as Philox's two words. */
static inline philox4x32_key_t kpi_philox_key(uint64_t key)
{
    philox4x32_key_t k = {{(uint32_t)(key & 0xffffffffu), (uint32_t)(key >> 32)}};
    return k;
}

/* Positions s at the start of stream (key, purpose, subject, when), like
 * kpi_rng_seek. */
static inline void kpi_stream_seek(kpi_stream *s, uint64_t key, uint32_t purpose,
                                   uint32_t subject, uint32_t when)
{
    s->key = kpi_philox_key(key);
    s->ctr.v[0] = 0;
    s->ctr.v[1] = when;
    s->ctr.v[2] = subject;
    s->ctr.v[3] = purpose;
    s->avail = 0;
}

/* The first blocks of many streams at once: block 0 of stream (key,
 * purpose[i], subject, when[i]) into out[i] for i < n.  The loop has no
 * dependence between streams, so the compiler runs several Philox rounds
 * side by side in vector registers (AVX-512 or AVX2 when the processor has
 * them): the model computes an agent's blocks for a whole month in one go
 * instead of waiting on each block's latency day by day.  The numbers are
 * those of kpi_stream_u32 (a test checks it). */
void kpi_rng_first_blocks(uint64_t key, uint32_t subject, size_t n, const uint32_t *purpose,
                          const uint32_t *when, philox4x32_ctr_t *out);

/* Positions s at the start of stream (key, purpose, subject, when) whose
 * first block is already known (from kpi_rng_first_blocks). */
static inline void kpi_stream_seek_first(kpi_stream *s, uint64_t key, uint32_t purpose,
                                         uint32_t subject, uint32_t when,
                                         const philox4x32_ctr_t *first)
{
    kpi_stream_seek(s, key, purpose, subject, when);
    s->out = *first;
    s->ctr.v[0] = 1;
    s->avail = 4;
}

#endif /* KPI_RNG_H */
