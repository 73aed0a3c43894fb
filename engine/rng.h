/*
 * rng.h - keyed random streams (private to the library).
 *
 * Every random number of a replication comes from a stream named by
 * (seed, replication, purpose, subject, when): for example the calls of
 * agent 17 on working day 230, or the recruits of month 9.  A stream starts
 * from Random123's Philox4x32-10, a counter-based generator (the 64-bit key
 * is a hash of (seed, replication), the counter holds (when, subject)),
 * whose block is hashed with the purpose into the state of a small
 * sequential generator, xoshiro128**, that draws the rest (kpi_stream
 * below).  The streams are exposed as ordinary gsl_rng objects so that
 * GSL's distributions draw from them.
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

/* The splitmix64 finaliser: a bijection of 64-bit words whose output bits
 * each depend on every input bit. */
static inline uint64_t kpi_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The state of a stream, which is the state of its gsl_rng: a
 * xoshiro128** generator (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", 2021; the reference code of
 * prng.di.unimi.it, tested against its outputs in test_draw).
 *
 * How a stream starts: the Philox block of counter (0, when, subject, 0)
 * under the replication's key, B, is one block for every purpose of that
 * subject and time (one block per agent-day, computed for a whole month
 * in one vectorised loop: kpi_rng_first_blocks); the stream's 128-bit
 * state is a splitmix64 hash of (B, purpose), so that each purpose has its
 * own sequence and draws of one mechanism never shift another's (common
 * random numbers).  Then every output is a xoshiro128** step (a few
 * shifts, xors and two multiplications) instead of a Philox block per four
 * outputs (ten rounds of two multiplications).  The streams are short (a
 * few hundred numbers at most) and start from unrelated states, far from
 * the 2^128 - 1 period and from each other.  The hot loop draws through
 * the inline functions below rather than GSL's generic gsl_rng_get /
 * gsl_rng_uniform: same numbers in the same order (a test checks it),
 * without a call through a function pointer per draw. */
typedef struct kpi_stream {
    uint32_t s[4];          /* xoshiro128** state, never all zero */
} kpi_stream;

/* The stream behind a gsl_rng made by kpi_rng_alloc. */
static inline kpi_stream *kpi_stream_of(const gsl_rng *r)
{
    return (kpi_stream *)r->state;
}

static inline uint32_t kpi_rotl32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

/* The next 32-bit output (what gsl_rng_get returns): one xoshiro128**
 * step. */
static inline uint32_t kpi_stream_u32(kpi_stream *g)
{
    uint32_t *s = g->s;
    const uint32_t result = kpi_rotl32(s[1] * 5, 7) * 9;
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = kpi_rotl32(s[3], 11);
    return result;
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

/* The block B of streams (key, *, subject, when): Philox4x32-10 of counter
 * (0, when, subject, 0). */
static inline philox4x32_ctr_t kpi_rng_block(uint64_t key, uint32_t subject, uint32_t when)
{
    philox4x32_ctr_t c = {{0, when, subject, 0}};
    return philox4x32(c, kpi_philox_key(key));
}

/* Starts s as stream `purpose` of the block b: the state is
 * (mix64(lo ^ purpose x golden), mix64(hi ^ that)) of b's two 64-bit
 * halves, so that both halves depend on all of b and on the purpose. */
static inline void kpi_stream_start(kpi_stream *s, const philox4x32_ctr_t *b, uint32_t purpose)
{
    uint64_t lo = (uint64_t)b->v[0] | (uint64_t)b->v[1] << 32;
    uint64_t hi = (uint64_t)b->v[2] | (uint64_t)b->v[3] << 32;
    uint64_t x = kpi_mix64(lo ^ (0x9e3779b97f4a7c15u * (uint64_t)purpose));
    uint64_t y = kpi_mix64(hi ^ x);
    if ((x | y) == 0)
        x = 0x9e3779b97f4a7c15u;   /* xoshiro's one forbidden state (odds 2^-128) */
    s->s[0] = (uint32_t)x;
    s->s[1] = (uint32_t)(x >> 32);
    s->s[2] = (uint32_t)y;
    s->s[3] = (uint32_t)(y >> 32);
}

/* Positions s at the start of stream (key, purpose, subject, when), like
 * kpi_rng_seek: one Philox block and the hash. */
static inline void kpi_stream_seek(kpi_stream *s, uint64_t key, uint32_t purpose,
                                   uint32_t subject, uint32_t when)
{
    philox4x32_ctr_t b = kpi_rng_block(key, subject, when);
    kpi_stream_start(s, &b, purpose);
}

/* The blocks of many times at once: the block of (key, subject, when[i])
 * into out[i] for i < n.  The loop has no dependence between blocks, so
 * the compiler runs several Philox rounds side by side in vector registers
 * (SSE2's four lanes): the model computes an
 * agent's blocks for a whole month in one go instead of waiting on each
 * block's latency day by day.  The numbers are those of kpi_rng_block (a
 * test checks it). */
void kpi_rng_first_blocks(uint64_t key, uint32_t subject, size_t n, const uint32_t *when,
                          philox4x32_ctr_t *out);

/* Many streams of one purpose at once, a subject and a time each: stream
 * (key, purpose, subject[i], when[i]) for i < n, started as kpi_stream_seek
 * starts it and stepped once: its first output in x[i], its state after it
 * word by word in s0..s3[i].  The streams are independent, so the loop runs
 * them side by side in vector registers (the client book's transitions:
 * about 150 instructions each as one scalar chain). */
void kpi_rng_stream_starts(uint64_t key, uint32_t purpose, size_t n, const uint32_t *subject,
                           const uint32_t *when, uint32_t *x, uint32_t *s0, uint32_t *s1,
                           uint32_t *s2, uint32_t *s3);

/* Positions s at the start of stream (key, purpose, subject, when) whose
 * block b is already known (from kpi_rng_first_blocks): the hash alone. */
static inline void kpi_stream_seek_first(kpi_stream *s, uint32_t purpose,
                                         const philox4x32_ctr_t *b)
{
    kpi_stream_start(s, b, purpose);
}

#endif /* KPI_RNG_H */
