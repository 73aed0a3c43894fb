/*
 * test_draw.c - the table sampler and the keyed streams.
 *
 * The Poisson table must have the Poisson law: its mean, variance and
 * P(X = 0) are checked against mu, mu and exp(-mu) within standard errors,
 * and its whole distribution by a chi-square test, for means from 0 up to
 * beyond the table limit.
 */
#define TEST_NAME "test_draw"
#include "harness.h"

#include "draw.h"
#include "rng.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define K_SE 4.5

static void check_poisson(double mu, long n, uint64_t key)
{
    gsl_rng *r = kpi_rng_alloc();
    kpi_poisson p = {0};
    CHECK(kpi_poisson_prepare(&p, mu) == 0, "prepare mu = %g", mu);
    kpi_rng_seek(r, key, 99, 0, 0);
    /* Counts of each outcome for the chi-square test (outcomes >= cells
     * pooled into the last cell). */
    enum { CELLS = 64 };
    double count[CELLS] = {0};
    double s = 0, ss = 0, zeros = 0;
    for (long i = 0; i < n; i++) {
        double x = kpi_poisson_draw(&p, r);
        s += x;
        ss += x * x;
        zeros += x == 0;
    }
    double mean = s / (double)n, var = ss / (double)n - mean * mean;
    /* Var of the sample mean is mu / n; of the sample variance about
     * (mu + 2 mu^2) / n for a Poisson law. */
    CHECK(fabs(mean - mu) <= K_SE * sqrt(mu / (double)n) + 1e-12,
          "Poisson(%g): mean %.6g", mu, mean);
    CHECK(fabs(var - mu) <= K_SE * sqrt((mu + 2 * mu * mu) / (double)n) + 1e-12,
          "Poisson(%g): variance %.6g", mu, var);
    double p0 = exp(-mu);
    CHECK(fabs(zeros / (double)n - p0) <= K_SE * sqrt(p0 * (1 - p0) / (double)n) + 1e-12,
          "Poisson(%g): P(0) %.6g vs %.6g", mu, zeros / (double)n, p0);

    /* Chi-square over cells centred on the mean (each with expected count
     * >= 5), the two tails pooled. */
    if (mu > 0) {
        kpi_rng_seek(r, key, 99, 1, 0);
        unsigned lo = mu > 40 ? (unsigned)(mu - 4 * sqrt(mu)) : 0;
        for (long i = 0; i < n; i++) {
            unsigned x = kpi_poisson_draw(&p, r);
            int c = x < lo ? 0 : (int)(x - lo) + 1;
            if (c > CELLS - 1)
                c = CELLS - 1;
            count[c]++;
        }
        double chi = 0;
        int dof = -1;
        double e_pool = 0, o_pool = 0;
        for (int c = 0; c < CELLS; c++) {
            double e;
            if (c == 0)
                e = lo > 0 ? gsl_cdf_poisson_P(lo - 1, mu) : 0;
            else if (c == CELLS - 1)
                e = gsl_cdf_poisson_Q(lo + CELLS - 3, mu);
            else
                e = gsl_ran_poisson_pdf(lo + (unsigned)c - 1, mu);
            e *= (double)n;
            e_pool += e;
            o_pool += count[c];
            if (e_pool >= 5) {
                chi += (o_pool - e_pool) * (o_pool - e_pool) / e_pool;
                dof++;
                e_pool = o_pool = 0;
            }
        }
        if (e_pool > 0)
            chi += (o_pool - e_pool) * (o_pool - e_pool) / (e_pool > 1e-9 ? e_pool : 1e-9);
        double pval = gsl_cdf_chisq_Q(chi, dof);
        CHECK(pval > 1e-4, "Poisson(%g): chi-square %.2f with %d dof, p = %.3g", mu, chi, dof, pval);
    }
    kpi_poisson_free(&p);
    gsl_rng_free(r);
}

/* Sums for the sample correlation of pairs (x, y). */
typedef struct corr_sums {
    double n, sx, sy, sxy, sxx, syy;
} corr_sums;

static void corr_add(corr_sums *c, double x, double y)
{
    c->n++;
    c->sx += x;
    c->sy += y;
    c->sxy += x * y;
    c->sxx += x * x;
    c->syy += y * y;
}

static double corr_of(const corr_sums *c)
{
    double n = c->n, cov = c->sxy / n - (c->sx / n) * (c->sy / n);
    return cov / sqrt((c->sxx / n - c->sx * c->sx / n / n) * (c->syy / n - c->sy * c->sy / n / n));
}

static void test_streams(void)
{
    gsl_rng *a = kpi_rng_alloc(), *b = kpi_rng_alloc();
    uint64_t k = kpi_rng_key(42, 3);
    kpi_rng_seek(a, k, 4, 17, 230);
    unsigned long x1 = gsl_rng_get(a), x2 = gsl_rng_get(a);
    for (int i = 0; i < 10; i++)
        gsl_rng_get(b);
    kpi_rng_seek(b, k, 4, 17, 230);
    CHECK(gsl_rng_get(b) == x1 && gsl_rng_get(b) == x2, "seek restarts a stream exactly");
    kpi_rng_seek(b, k, 4, 17, 231);
    CHECK(gsl_rng_get(b) != x1, "another day, another stream");
    kpi_rng_seek(b, k, 4, 18, 230);
    CHECK(gsl_rng_get(b) != x1, "another agent, another stream");
    kpi_rng_seek(b, k, 5, 17, 230);
    CHECK(gsl_rng_get(b) != x1, "another purpose, another stream");

    /* Uniformity of one long stream: mean 1/2, variance 1/12. */
    kpi_rng_seek(a, k, 1, 0, 0);
    const double n = 1000000;
    double s = 0, ss = 0;
    for (long i = 0; i < (long)n; i++) {
        double u = gsl_rng_uniform(a);
        s += u;
        ss += u * u;
    }
    CHECK(fabs(s / n - 0.5) <= K_SE * sqrt(1.0 / 12 / n), "uniform mean %.6f", s / n);
    CHECK(fabs(ss / n - 1.0 / 3) <= K_SE * sqrt(4.0 / 45 / n), "uniform second moment %.6f", ss / n);

    /* Neighbouring replications are uncorrelated: correlation of the first
     * draws of replications r and r + 1 over many r. */
    corr_sums cs = {0};
    const double m = 200000;
    for (long r = 0; r < (long)m; r++) {
        kpi_rng_seek(a, kpi_rng_key(1, (uint64_t)r), 1, 0, 0);
        kpi_rng_seek(b, kpi_rng_key(1, (uint64_t)r + 1), 1, 0, 0);
        double x = gsl_rng_uniform(a);
        corr_add(&cs, x, gsl_rng_uniform(b));
    }
    double corr = corr_of(&cs);
    CHECK(fabs(corr) <= K_SE / sqrt(m), "neighbouring replications: correlation %.5f", corr);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* The sequential generator is xoshiro128** as published: from the state
 * (0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0) the reference C code
 * (prng.di.unimi.it/xoshiro128starstar.c) gives these four outputs and
 * states (the test data of the xoshiro-6502 port, made with that code). */
static void test_xoshiro_reference(void)
{
    static const uint32_t out[4] = {0xf1391922u, 0x6fe53806u, 0xa5be2840u, 0xf510ee70u};
    static const uint32_t state[5][4] = {
        {0x964d4a0cu, 0xd40ab895u, 0xad7fdecbu, 0x3006f0f0u},
        {0x72410269u, 0xef382c52u, 0x2e43bec7u, 0x62432f20u},
        {0xff3a011bu, 0xb33a90fcu, 0x2c5a18aeu, 0xd81b946bu},
        {0x941b058cu, 0x605a8949u, 0xa641e1b5u, 0x0824bb59u},
        {0xfc65379cu, 0x52006d70u, 0x87487639u, 0xf1908343u}};
    kpi_stream g;
    memcpy(g.s, state[0], sizeof g.s);
    for (int i = 0; i < 4; i++) {
        uint32_t x = kpi_stream_u32(&g);
        CHECK(x == out[i], "xoshiro128** output %d: %08x, reference %08x", i + 1, x, out[i]);
        CHECK(memcmp(g.s, state[i + 1], sizeof g.s) == 0, "xoshiro128** state after %d", i + 1);
    }
    /* The purposes of one block are different streams, none all zero. */
    philox4x32_ctr_t blk = kpi_rng_block(kpi_rng_key(3, 5), 8, 13);
    kpi_stream p4, p5;
    kpi_stream_start(&p4, &blk, 4);
    kpi_stream_start(&p5, &blk, 5);
    CHECK(memcmp(p4.s, p5.s, sizeof p4.s) != 0, "two purposes of one block differ");
    CHECK((p4.s[0] | p4.s[1] | p4.s[2] | p4.s[3]) != 0, "a started state is not zero");

    /* Streams of neighbouring purposes of one block are uncorrelated: the
     * correlation of their first (and of their tenth) uniforms over many
     * blocks is within K_SE / sqrt(n) of 0. */
    const double n = 200000;
    for (int lag = 0; lag < 10; lag += 9) {
        corr_sums cs = {0};
        for (long j = 0; j < (long)n; j++) {
            blk = kpi_rng_block(kpi_rng_key(3, 5), 8, (uint32_t)j);
            kpi_stream_start(&p4, &blk, 4);
            kpi_stream_start(&p5, &blk, 5);
            for (int l = 0; l < lag; l++) {
                kpi_stream_u32(&p4);
                kpi_stream_u32(&p5);
            }
            double x = kpi_stream_uniform(&p4);
            corr_add(&cs, x, kpi_stream_uniform(&p5));
        }
        double corr = corr_of(&cs);
        CHECK(fabs(corr) <= K_SE / sqrt(n), "purposes 4 and 5 of a block, draw %d: correlation %.5f",
              lag + 1, corr);
    }
}

/* The inline draws give the very numbers of GSL's generic calls on the
 * same stream: gsl_rng_get, gsl_rng_uniform and gsl_rng_uniform_pos. */
static void test_inline_identity(void)
{
    gsl_rng *a = kpi_rng_alloc(), *b = kpi_rng_alloc();
    uint64_t k = kpi_rng_key(7, 11);
    kpi_rng_seek(a, k, 4, 3, 99);
    kpi_rng_seek(b, k, 4, 3, 99);
    long same = 0, n = 100003;
    for (long i = 0; i < n; i++) {
        switch (i % 3) {
        case 0:
            same += gsl_rng_get(a) == kpi_stream_u32(kpi_stream_of(b));
            break;
        case 1:
            same += gsl_rng_uniform(a) == kpi_stream_uniform(kpi_stream_of(b));
            break;
        default:
            same += gsl_rng_uniform_pos(a) == kpi_stream_uniform_pos(kpi_stream_of(b));
            break;
        }
    }
    CHECK(same == n, "inline stream draws equal GSL's: %ld of %ld", same, n);

    /* Batched blocks (more than one batch of lanes) are the blocks the
     * streams make themselves, and a stream started from one, for any
     * purpose, continues exactly like a stream positioned by a seek. */
    enum { NB = 150 };
    uint32_t when[NB];
    philox4x32_ctr_t first[NB];
    for (int i = 0; i < NB; i++)
        when[i] = (uint32_t)(1000 + i * 7);
    kpi_rng_first_blocks(k, 17, NB, when, first);
    same = 0;
    for (int i = 0; i < NB; i++) {
        uint32_t purpose = (uint32_t)(4 + i % 3);
        philox4x32_ctr_t blk = kpi_rng_block(k, 17, when[i]);
        kpi_rng_seek(a, k, purpose, 17, when[i]);
        kpi_stream_seek_first(kpi_stream_of(b), purpose, &first[i]);
        int eq = memcmp(&blk, &first[i], sizeof blk) == 0;
        for (int j = 0; j < 9; j++)
            eq &= gsl_rng_get(a) == kpi_stream_u32(kpi_stream_of(b));
        same += eq;
    }
    CHECK(same == NB, "batched first blocks continue as seeked streams: %ld of %d", same, NB);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* kpisim's alias tables (kpi_alias, Vose's method) have the law of their
 * weights: the probability each table implies, computed exactly from its
 * columns, equals the weight over the sum within 1e-12 and equals the
 * probability GSL's own alias table (gsl_ran_discrete_pdf) gives; and
 * draws through kpi_alias_lookup pass a chi-square test against the
 * weights, as do draws of gsl_ran_discrete on the same stream. */
static void check_alias(const char *what, const double *w, size_t k, uint64_t key)
{
    kpi_alias t = {0};
    double sum = 0, worst = 0, worst_gsl = 0;
    size_t i;
    for (i = 0; i < k; i++)
        sum += w[i];
    if (kpi_alias_init(&t, w, k) != 0) {
        CHECK(0, "alias %s: init failed", what);
        return;
    }
    gsl_ran_discrete_t *g = gsl_ran_discrete_preproc(k, w);
    for (i = 0; i < k; i++) {
        double p = kpi_alias_prob(&t, i);
        worst = fmax(worst, fabs(p - w[i] / sum));
        worst_gsl = fmax(worst_gsl, fabs(p - gsl_ran_discrete_pdf(i, g)));
        CHECK(t.alias[i] < k && t.threshold[i] >= (double)i / (double)k - 1e-15 &&
                  t.threshold[i] <= (double)(i + 1) / (double)k + 1e-15,
              "alias %s: column %zu well formed", what, i);
    }
    CHECK(worst <= 1e-12, "alias %s (%zu outcomes): implied probabilities within %.3g of the weights",
          what, k, worst);
    CHECK(worst_gsl <= 1e-12, "alias %s: implied probabilities within %.3g of gsl_ran_discrete_pdf",
          what, worst_gsl);

    /* Draws: chi-square over the outcomes of positive weight, both
     * samplers; an outcome of weight 0 is never drawn. */
    enum { DRAWS = 200000 };
    double *cnt = calloc(2 * k, sizeof *cnt);
    gsl_rng *r = kpi_rng_alloc();
    kpi_rng_seek(r, key, 97, (uint32_t)k, 0);
    for (long n = 0; n < DRAWS; n++) {
        cnt[kpi_alias_lookup(&t, kpi_rng_uniform(r))]++;
        cnt[k + gsl_ran_discrete(r, g)]++;
    }
    for (int s = 0; s < 2; s++) {
        double chi = 0, zero = 0;
        int dof = -1;
        for (i = 0; i < k; i++) {
            double e = w[i] / sum * DRAWS, o = cnt[(size_t)s * k + i];
            if (w[i] == 0) {
                zero += o;
                continue;
            }
            chi += (o - e) * (o - e) / e;
            dof++;
        }
        CHECK(zero == 0, "alias %s: %g draws of outcomes of weight 0 (%s)", what, zero,
              s ? "gsl_ran_discrete" : "kpi_alias_lookup");
        if (dof > 0)
            CHECK(gsl_cdf_chisq_Q(chi, dof) > 1e-4, "alias %s: chi-square %.2f with %d dof (%s)",
                  what, chi, dof, s ? "gsl_ran_discrete" : "kpi_alias_lookup");
    }
    free(cnt);
    gsl_rng_free(r);
    gsl_ran_discrete_free(g);
    kpi_alias_free(&t);
    CHECK(t.k == 0 && !t.threshold && !t.alias, "alias %s: freed table is empty", what);
}

static void test_alias(void)
{
    const double w7[7] = {0.05, 0.3, 0, 0.2, 0.15, 0.25, 0.05};
    const double one[1] = {2.5};
    const double even[5] = {1, 1, 1, 1, 1};
    const double skew[4] = {1e-9, 1, 3e-7, 1e6};
    check_alias("seven", w7, 7, 1);
    check_alias("one outcome", one, 1, 2);
    check_alias("even", even, 5, 3);
    check_alias("skewed", skew, 4, 4);
    /* Poisson(45.5) and Bin(48, 0.7) weights, as the model uses them. */
    double pw[120], bw[49];
    for (unsigned j = 0; j < 120; j++)
        pw[j] = gsl_ran_poisson_pdf(j, 45.5);
    for (unsigned j = 0; j <= 48; j++)
        bw[j] = gsl_ran_binomial_pdf(j, 0.7, 48);
    check_alias("poisson", pw, 120, 5);
    check_alias("binomial", bw, 49, 6);
    /* A thousand random weights, some zero. */
    double *rw = malloc(1000 * sizeof *rw);
    gsl_rng *r = kpi_rng_alloc();
    kpi_rng_seek(r, 9, 1, 2, 3);
    for (int j = 0; j < 1000; j++)
        rw[j] = j % 17 == 0 ? 0 : -log(kpi_rng_uniform_pos(r));
    check_alias("random", rw, 1000, 7);
    free(rw);
    gsl_rng_free(r);

    /* Weights that make no law are refused, leaving an empty table. */
    kpi_alias t = {0};
    const double neg[3] = {1, -1, 2}, zeros[2] = {0, 0}, nan_w[2] = {1, NAN};
    CHECK(kpi_alias_init(&t, neg, 3) == -1 && t.k == 0, "alias: a negative weight is refused");
    CHECK(kpi_alias_init(&t, zeros, 2) == -1 && t.k == 0, "alias: zero weights are refused");
    CHECK(kpi_alias_init(&t, nan_w, 2) == -1 && t.k == 0, "alias: a NaN weight is refused");
    CHECK(kpi_alias_init(&t, one, 0) == -1 && t.k == 0, "alias: no outcomes is refused");
    kpi_alias_free(&t);
}

/* Chi-square test of draws of Bin(n, p) against the binomial law (cells
 * pooled until each expects >= 5), plus the mean within standard errors. */
static void check_binomial(const char *what, unsigned n, double p, long draws,
                           const kpi_binomial *tab, const double *row, uint64_t key)
{
    gsl_rng *r = kpi_rng_alloc();
    kpi_rng_seek(r, key, 98, n, 0);
    double *count = calloc((size_t)n + 1, sizeof *count);
    double s = 0;
    for (long i = 0; i < draws; i++) {
        unsigned x = tab ? kpi_binomial_draw(tab, n, r)
                         : kpi_binomial_row_draw(row, n, gsl_rng_uniform(r));
        if (x > n) {
            CHECK(0, "%s Bin(%u, %g): draw %u beyond n", what, n, p, x);
            break;
        }
        count[x]++;
        s += x;
    }
    double mean = s / (double)draws;
    CHECK(fabs(mean - n * p) <= K_SE * sqrt(n * p * (1 - p) / (double)draws) + 1e-12,
          "%s Bin(%u, %g): mean %.5f vs %.5f", what, n, p, mean, n * p);
    double chi = 0, e_pool = 0, o_pool = 0;
    int dof = -1;
    for (unsigned k = 0; k <= n; k++) {
        e_pool += gsl_ran_binomial_pdf(k, p, n) * (double)draws;
        o_pool += count[k];
        if (e_pool >= 5) {
            chi += (o_pool - e_pool) * (o_pool - e_pool) / e_pool;
            dof++;
            e_pool = o_pool = 0;
        }
    }
    if (e_pool > 1e-9)
        chi += (o_pool - e_pool) * (o_pool - e_pool) / e_pool;
    else
        CHECK(o_pool == 0, "%s Bin(%u, %g): %g draws where none can fall", what, n, p, o_pool);
    if (dof > 0) {
        double pval = gsl_cdf_chisq_Q(chi, dof);
        CHECK(pval > 1e-4, "%s Bin(%u, %g): chi-square %.2f with %d dof, p = %.3g", what, n, p,
              chi, dof, pval);
    }
    free(count);
    gsl_rng_free(r);
}

static void test_binomials(void)
{
    /* Tabulated: the funnels' stages (7/10, 3/7) and edge probabilities,
     * inside the table and beyond it (gsl_ran_binomial). */
    const double ps[] = {0.7, 3.0 / 7, 0.05, 0, 1};
    const unsigned ns[] = {1, 2, 10, 13, 30, 48, 49, 200};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        kpi_binomial b = {0};
        CHECK(kpi_binomial_prepare(&b, ps[i], KPI_BINOMIAL_TABLE_N) == 0 && b.nmax == KPI_BINOMIAL_TABLE_N, "prepare Bin(., %g)",
              ps[i]);
        for (size_t j = 0; j < sizeof ns / sizeof *ns; j++)
            check_binomial("table", ns[j], ps[i], 100000, &b, NULL, 100 * i + j);
        kpi_binomial_free(&b);
    }
    /* The monthly rows: each is the binomial distribution function. */
    const double rp[] = {1.0 / 3, 0.999, 0.004, 0, 1};
    for (size_t i = 0; i < sizeof rp / sizeof *rp; i++) {
        enum { NM = KPI_BINOMIAL_ROWS_MAX };
        double rows[(NM + 1) * (NM + 1)];
        kpi_binomial_rows(rp[i], NM, rows);
        double worst = 0;
        for (unsigned n = 1; n <= NM; n++)
            for (unsigned k = 0; k < n; k++)
                worst = fmax(worst, fabs(rows[n * (NM + 1) + k] - gsl_cdf_binomial_P(k, rp[i], n)));
        CHECK(worst <= 1e-14, "rows of Bin(n <= %d, %g): largest error %.3g", NM, rp[i], worst);
        /* Draws by inversion from the rows have the binomial law, for
         * every number of meetings a day they serve. */
        for (unsigned n = 1; n <= NM; n++)
            check_binomial("rows", n, rp[i], 100000, NULL, rows + n * (NM + 1), 5000 + 10 * i + n);
    }
}

static void test_lognormal(void)
{
    double z, s;
    kpi_lognormal_params(5000, 1.2, &z, &s);
    /* Mean exp(z + s^2/2) and cv sqrt(exp(s^2) - 1) by the closed forms. */
    CHECK_NEAR(exp(z + s * s / 2), 5000, 1e-9 * 5000, "lognormal mean");
    CHECK_NEAR(sqrt(exp(s * s) - 1), 1.2, 1e-12, "lognormal cv");
}

int main(void)
{
    check_poisson(0, 1000, 1);
    check_poisson(0.3, 200000, 2);
    check_poisson(3, 200000, 3);
    check_poisson(8.6, 200000, 4);
    check_poisson(10, 200000, 5);
    check_poisson(45.5, 200000, 6);
    check_poisson(650, 100000, 7);
    check_poisson(900, 100000, 8);    /* beyond the table: gsl_ran_poisson */
    {
        kpi_poisson p = {0};
        kpi_poisson_prepare(&p, 10);
        /* The table keeps the tail beyond it below 1e-12. */
        CHECK(p.k > 10 && p.tail < 1e-11, "table of Poisson(10): %zu cells, tail %.3g", p.k, p.tail);
        kpi_poisson_free(&p);
    }
    test_streams();
    test_xoshiro_reference();
    test_inline_identity();
    test_alias();
    test_binomials();
    test_lognormal();
    return TEST_DONE();
}
