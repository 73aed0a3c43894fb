/*
 * rng.c - kpisim's keyed streams (a Philox4x32-10 block hashed into a
 * xoshiro128** state) as a GSL generator with keyed positioning.
 *
 * Random123 ships a GSL adapter macro (conventional/gsl_cbrng.h), but it
 * only takes a 32-bit seed; kpisim needs to place a stream at an exact
 * (key, purpose, subject, when), so this file defines its own gsl_rng_type.
 * See rng.h for the stream layout.
 */
#include "rng.h"

#include <stdlib.h>
#include <string.h>

static unsigned long philox_get(void *vstate)
{
    return kpi_stream_u32(vstate);
}

static double philox_get_double(void *vstate)
{
    return (double)philox_get(vstate) / 4294967296.0;
}

/* gsl_rng_set: the stream (seed, purpose 0, subject 0, when 0).  kpisim
 * itself positions streams with kpi_rng_seek; this keeps the type usable
 * as a plain GSL generator. */
static void philox_set(void *vstate, unsigned long seed)
{
    kpi_stream_seek(vstate, (uint64_t)seed, 0, 0, 0);
}

static const gsl_rng_type philox_type = {
    "kpisim-philox-xoshiro128ss",
    0xffffffffUL,
    0,
    sizeof(kpi_stream),
    &philox_set,
    &philox_get,
    &philox_get_double
};

/* Not gsl_rng_alloc: it reports a failed malloc through GSL's error
 * handler, whose default aborts the process.  The same two blocks, checked;
 * gsl_rng_free frees them (it frees the state, then the generator). */
gsl_rng *kpi_rng_alloc(void)
{
    gsl_rng *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->state = calloc(1, philox_type.size);
    if (!r->state) {
        free(r);
        return NULL;
    }
    r->type = &philox_type;
    philox_set(r->state, 0);
    return r;
}

uint64_t kpi_rng_key(uint64_t seed, uint64_t rep)
{
    /* Two rounds so that (seed, rep) and (seed', rep') with
     * seed + rep == seed' + rep' land far apart. */
    return kpi_mix64(kpi_mix64(seed ^ 0x6b706973696d2d31u) + 0x9e3779b97f4a7c15u * (rep + 1));
}

void kpi_rng_seek(gsl_rng *r, uint64_t key, uint32_t purpose, uint32_t subject,
                  uint32_t when)
{
    kpi_stream_seek(r->state, key, purpose, subject, when);
}

/* The loop below is vectorised for the baseline instruction set (SSE2 on
 * x86-64: four lanes).  Wider clones were measured and left out (function
 * multiversioning, docs/performance.md "Issue 18"): with AVX-512 the
 * whole program ran 7% slower on bench-core although the loop itself ran
 * faster (the rest of the program, scalar code, paid for the wide
 * registers), and AVX2 was no faster than SSE2 (0-4% slower). */
/* GCC vectorises this loop at -O2 only with the cost model of -O3; clang
 * does by default. */
#if defined(__GNUC__) && !defined(__clang__)
#define KPI_VECTORISE __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define KPI_VECTORISE
#endif

enum { LANES = 64 };

KPI_VECTORISE
static void first_blocks_lanes(philox4x32_key_t k, uint32_t subject, size_t n,
                               const uint32_t *restrict when, uint32_t *restrict o0,
                               uint32_t *restrict o1, uint32_t *restrict o2,
                               uint32_t *restrict o3)
{
    for (size_t i = 0; i < n; i++) {
        philox4x32_ctr_t c = {{0, when[i], subject, 0}};
        philox4x32_ctr_t o = philox4x32_R(philox4x32_rounds, c, k);
        o0[i] = o.v[0];
        o1[i] = o.v[1];
        o2[i] = o.v[2];
        o3[i] = o.v[3];
    }
}

void kpi_rng_first_blocks(uint64_t key, uint32_t subject, size_t n, const uint32_t *when,
                          philox4x32_ctr_t *out)
{
    philox4x32_key_t k = kpi_philox_key(key);
    uint32_t o[4][LANES];
    for (size_t at = 0; at < n; at += LANES) {
        size_t m = n - at < LANES ? n - at : LANES;
        first_blocks_lanes(k, subject, m, when + at, o[0], o[1], o[2], o[3]);
        for (size_t i = 0; i < m; i++)
            out[at + i] = (philox4x32_ctr_t){{o[0][i], o[1][i], o[2][i], o[3][i]}};
    }
}

KPI_VECTORISE
static void stream_starts_lanes(philox4x32_key_t k, uint32_t purpose, size_t n,
                                const uint32_t *restrict subject, const uint32_t *restrict when,
                                uint32_t *restrict x, uint32_t *restrict s0,
                                uint32_t *restrict s1, uint32_t *restrict s2,
                                uint32_t *restrict s3)
{
    for (size_t i = 0; i < n; i++) {
        philox4x32_ctr_t c = {{0, when[i], subject[i], 0}};
        philox4x32_ctr_t o = philox4x32_R(philox4x32_rounds, c, k);
        kpi_stream st;
        kpi_stream_start(&st, &o, purpose);
        x[i] = kpi_stream_u32(&st);
        s0[i] = st.s[0];
        s1[i] = st.s[1];
        s2[i] = st.s[2];
        s3[i] = st.s[3];
    }
}

void kpi_rng_stream_starts(uint64_t key, uint32_t purpose, size_t n, const uint32_t *subject,
                           const uint32_t *when, uint32_t *x, uint32_t *s0, uint32_t *s1,
                           uint32_t *s2, uint32_t *s3)
{
    stream_starts_lanes(kpi_philox_key(key), purpose, n, subject, when, x, s0, s1, s2, s3);
}
