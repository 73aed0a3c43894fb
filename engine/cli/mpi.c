/*
 * mpi.c - run, compare and sweep across the ranks of an MPI job.
 *
 * Built with `make MPI=1` (KPI_MPI defined, mpicc) and started by a
 * launcher (mpirun, mpiexec, srun), kpisim splits its work across the
 * job's ranks; each rank may use threads as well.  Without MPI, or when the
 * MPI build is started without a launcher, there is one rank and every
 * function here is a thin pass-through: the commands have one code path.
 *
 * The rules (docs/cluster.md):
 * - Every rank loads the scenario itself; the ranks then check that they
 *   all hold the same one (a hash of its YAML), so a node with another
 *   file fails the job instead of mixing results.
 * - run and compare: replications in contiguous blocks, rank r taking
 *   [n r / N, n (r + 1) / N).  Replication i draws only from the streams of
 *   (seed, i), so the block a rank computes is the same bytes a serial run
 *   computes for it; rank 0 receives the blocks in rank order, which is
 *   replication order, and the gathered results equal the serial ones.
 * - sweep: grid points handed out one at a time by rank 0 on request
 *   (dynamic balancing: points differ in cost); rank 0 computes points
 *   too, in a thread of its own, while its main thread answers requests.
 *   Only the bands of a point travel (KPI_NFIG kpi_band).
 * - Every failure is agreed on by all ranks before anything is written:
 *   the job's status is that of the lowest failing rank, and rank 0 prints
 *   its message as "rank R: ...".  Only rank 0 writes files, and only after
 *   every rank succeeded.  A rank that dies is the launcher's business: it
 *   stops the job with a message naming the rank, before rank 0 could
 *   write anything.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One rank: the points in order. */
static int points_serial(long npoints, cli_point_fn fn, void *ctx, kpi_band *bands,
                         cli_points_progress_fn progress, void *pdata, kpi_error *err)
{
    for (long p = 0; p < npoints; p++) {
        int rc = fn(ctx, p, bands + (size_t)p * KPI_NFIG, err);
        if (rc != KPI_OK)
            return rc;
        if (progress)
            progress(pdata, p + 1, npoints);
    }
    return KPI_OK;
}

#ifdef KPI_MPI

#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

/* The job (CLI state, set once at start-up; the library has none). */
static int g_on, g_rank, g_size = 1;

enum { TAG_REQUEST = 1, TAG_POINT, TAG_RESULT, TAG_FAIL, TAG_DATA };

/* Started by a launcher?  Open MPI, MPICH/Hydra and Slurm's PMI/PMIx each
 * set one of these in the environment of the processes they start. */
static int launched(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK",
                                 "PMI_RANK", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int cli_mpi_init(int *argc, char ***argv)
{
    if (!launched())
        return 0;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "kpisim: MPI_Init failed\n");
        return KPI_EINTERNAL;
    }
    g_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    if (provided < MPI_THREAD_FUNNELED && g_size > 1 && g_rank == 0)
        fprintf(stderr, "kpisim: warning: this MPI library does not promise "
                        "MPI_THREAD_FUNNELED; sweeps may misbehave\n");
    return 0;
}

void cli_mpi_finalize(void)
{
    if (g_on)
        MPI_Finalize();
    g_on = 0;
}

int cli_mpi_rank(void)
{
    return g_rank;
}

int cli_mpi_size(void)
{
    return g_size;
}

long cli_mpi_default_threads(long online)
{
    if (g_size == 1)
        return online;
    /* Slurm says how many processors each task has... */
    const char *c = getenv("SLURM_CPUS_PER_TASK");
    if (c && strtol(c, NULL, 10) >= 1)
        return strtol(c, NULL, 10);
    /* ...otherwise ranks sharing a node share its processors. */
    const char *v = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (!v)
        v = getenv("MPI_LOCALNRANKS");
    if (!v)
        v = getenv("SLURM_NTASKS_PER_NODE");
    long local = v ? strtol(v, NULL, 10) : 1;
    if (local < 1)
        local = 1;
    long t = online / local;
    return t < 1 ? 1 : t;
}

int cli_mpi_agree(int rc, kpi_error *err)
{
    if (g_size == 1)
        return rc;
    int *all = malloc((size_t)g_size * sizeof *all);
    if (!all)
        MPI_Abort(MPI_COMM_WORLD, KPI_EINTERNAL);
    MPI_Allgather(&rc, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
    /* The lowest rank with a real error; a cancel only when there is none. */
    int who = -1;
    for (int r = 0; r < g_size && who < 0; r++)
        if (all[r] != KPI_OK && all[r] != KPI_ECANCEL)
            who = r;
    for (int r = 0; r < g_size && who < 0; r++)
        if (all[r] != KPI_OK)
            who = r;
    int status = who < 0 ? KPI_OK : all[who];
    free(all);
    if (who < 0)
        return KPI_OK;
    kpi_error e;
    if (g_rank == who)
        e = *err;
    MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, who, MPI_COMM_WORLD);
    e.status = status;
    if (status != KPI_ECANCEL) {
        /* "rank R of N: " leads the formatted message: it goes before the
         * file name, or before the message when there is no file. */
        char *field = e.file[0] ? e.file : e.msg;
        size_t size = e.file[0] ? sizeof e.file : sizeof e.msg;
        char buf[sizeof e.file > sizeof e.msg ? sizeof e.file : sizeof e.msg];
        int k = snprintf(buf, size, "rank %d of %d: ", who, g_size);
        if (k > 0 && (size_t)k < size) {
            size_t room = size - (size_t)k - 1, len = strnlen(field, size);
            memcpy(buf + k, field, len < room ? len : room);
            buf[(size_t)k + (len < room ? len : room)] = '\0';
            memcpy(field, buf, size);
        }
    }
    *err = e;
    return status;
}

/* FNV-1a, 64 bits: a fingerprint to compare texts across ranks. */
static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

int cli_mpi_same_scenario(const kpi_scenario *sc, const char *label, kpi_error *err)
{
    if (g_size == 1)
        return KPI_OK;
    char *text = NULL;
    size_t len = 0;
    int rc = kpi_scenario_text(sc, &text, &len, err);
    uint64_t h = rc == KPI_OK ? fnv1a(text, len) : 0;
    free(text);
    rc = cli_mpi_agree(rc, err);
    if (rc != KPI_OK)
        return rc;
    unsigned long long mine = h, *all = malloc((size_t)g_size * sizeof *all);
    if (!all)
        MPI_Abort(MPI_COMM_WORLD, KPI_EINTERNAL);
    MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG,
                  MPI_COMM_WORLD);
    int other = -1;
    for (int r = 1; r < g_size && other < 0; r++)
        if (all[r] != all[0])
            other = r;
    free(all);
    if (other < 0)
        return KPI_OK;
    memset(err, 0, sizeof *err);
    err->status = KPI_EDATA;
    snprintf(err->file, sizeof err->file, "%s", label);
    snprintf(err->msg, sizeof err->msg,
             "rank %d of %d loaded another scenario than rank 0 (different files or "
             "options on its node?); every rank must run the same one",
             other, g_size);
    return KPI_EDATA;
}

/* Point-to-point transfers of doubles in pieces whose count fits an int. */
#define PIECE ((size_t)1 << 26)

static void send_doubles(const double *x, size_t n, int to)
{
    for (size_t at = 0; at < n; at += PIECE) {
        size_t m = n - at < PIECE ? n - at : PIECE;
        MPI_Send(x + at, (int)m, MPI_DOUBLE, to, TAG_DATA, MPI_COMM_WORLD);
    }
}

static void recv_doubles(double *x, size_t n, int from)
{
    for (size_t at = 0; at < n; at += PIECE) {
        size_t m = n - at < PIECE ? n - at : PIECE;
        MPI_Recv(x + at, (int)m, MPI_DOUBLE, from, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
}

static long block_start(long n, int r)
{
    return (long)((__int128)n * r / g_size);
}

int cli_mpi_run(const kpi_scenario *sc, const kpi_run_opts *opts, kpi_results **out,
                kpi_error *err)
{
    *out = NULL;
    if (g_size == 1)
        return kpi_run(sc, opts, out, err);

    const long n = opts->replications;
    const size_t mstride = (size_t)sc->months * KPI_NKPI;
    long first = block_start(n, g_rank), count = block_start(n, g_rank + 1) - first;
    kpi_results *res = NULL;
    double *monthly = NULL, *figures = NULL;
    int rc = KPI_OK;
    if (n < 1 || n > KPI_MAX_REPLICATIONS) {
        memset(err, 0, sizeof *err);
        err->status = rc = KPI_EUSAGE;
        strcpy(err->msg, "the number of replications must be in [1, 10000000]");
    } else if (g_rank == 0) {
        /* Rank 0 holds the whole run and computes its block in place. */
        res = kpi_results_create(sc->months, n);
        if (res) {
            monthly = res->monthly;
            figures = res->figures;
        }
    } else if (count > 0) {
        monthly = malloc((size_t)count * mstride * sizeof *monthly);
        figures = malloc((size_t)count * KPI_NFIG * sizeof *figures);
    }
    if (rc == KPI_OK && count > 0 && (!monthly || !figures)) {
        memset(err, 0, sizeof *err);
        err->status = rc = KPI_EINTERNAL;
        snprintf(err->msg, sizeof err->msg,
                 "out of memory for %ld replications of %d months", g_rank ? count : n,
                 sc->months);
    }
    /* Every rank has its memory before any computes: a failure stops the
     * job now, not after the others' work. */
    rc = cli_mpi_agree(rc, err);
    if (rc == KPI_OK && count > 0)
        rc = kpi_run_range(sc, opts, first, count, monthly, figures, err);
    rc = cli_mpi_agree(rc, err);
    if (rc == KPI_OK) {
        if (g_rank == 0) {
            for (int r = 1; r < g_size; r++) {
                long f = block_start(n, r), c = block_start(n, r + 1) - f;
                if (c == 0)
                    continue;
                recv_doubles(res->monthly + (size_t)f * mstride, (size_t)c * mstride, r);
                recv_doubles(res->figures + (size_t)f * KPI_NFIG, (size_t)c * KPI_NFIG, r);
            }
        } else if (count > 0) {
            send_doubles(monthly, (size_t)count * mstride, 0);
            send_doubles(figures, (size_t)count * KPI_NFIG, 0);
        }
    }
    if (g_rank == 0) {
        if (rc == KPI_OK)
            *out = res;
        else
            kpi_results_free(res);
    } else {
        free(monthly);
        free(figures);
    }
    return rc;
}

/* Broadcasts n doubles from rank root in pieces whose count fits an int. */
static void bcast_doubles(double *x, size_t n, int root)
{
    for (size_t at = 0; at < n; at += PIECE) {
        size_t m = n - at < PIECE ? n - at : PIECE;
        MPI_Bcast(x + at, (int)m, MPI_DOUBLE, root, MPI_COMM_WORLD);
    }
}

int cli_mpi_run_all(void *userdata, const kpi_scenario *sc, const kpi_run_opts *opts,
                    long count, double *monthly, double *figures, kpi_error *err)
{
    (void)userdata;
    if (g_size == 1)
        return kpi_run_range(sc, opts, 0, count, monthly, figures, err);
    /* Ctrl-C reaches the trial here (a fit's own options carry no flag). */
    kpi_run_opts o = *opts;
    if (!o.cancel)
        o.cancel = cli_cancel_flag();
    opts = &o;
    const size_t mstride = (size_t)sc->months * KPI_NKPI;
    long first = block_start(count, g_rank), mine = block_start(count, g_rank + 1) - first;
    int rc = KPI_OK;
    if (mine > 0)
        rc = kpi_run_range(sc, opts, first, mine, monthly + (size_t)first * mstride,
                           figures + (size_t)first * KPI_NFIG, err);
    /* A failure or a cancel on any rank ends the trial on every rank, so
     * that all leave the fit together. */
    rc = cli_mpi_agree(rc, err);
    if (rc != KPI_OK)
        return rc;
    for (int r = 0; r < g_size; r++) {
        long f = block_start(count, r), c = block_start(count, r + 1) - f;
        if (c == 0)
            continue;
        bcast_doubles(monthly + (size_t)f * mstride, (size_t)c * mstride, r);
        bcast_doubles(figures + (size_t)f * KPI_NFIG, (size_t)c * KPI_NFIG, r);
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Sweeps: points on request                                           */
/* ------------------------------------------------------------------ */

typedef struct result_msg {
    long point;
    kpi_band bands[KPI_NFIG];
} result_msg;

typedef struct dispatcher {
    long npoints;
    cli_point_fn fn;
    void *ctx;
    kpi_band *bands;           /* rank 0: npoints x KPI_NFIG */
    pthread_mutex_t lock;      /* guards the fields below */
    long next;                 /* next point to hand out */
    long done;                 /* points finished (any rank) */
    int status;                /* the first failure seen, KPI_OK so far */
    int failed_rank;
    kpi_error err;
} dispatcher;

/* The next point to compute, or -1 when none is left or the job failed. */
static long take_point(dispatcher *d)
{
    pthread_mutex_lock(&d->lock);
    long p = d->status == KPI_OK && !cli_interrupted() && d->next < d->npoints ? d->next++ : -1;
    pthread_mutex_unlock(&d->lock);
    return p;
}

static void note_failure(dispatcher *d, int rank, int status, const kpi_error *e)
{
    pthread_mutex_lock(&d->lock);
    /* The lowest failing rank wins, a real error over a cancel, so that the
     * message does not depend on timing more than it must. */
    if (d->status == KPI_OK || (d->status == KPI_ECANCEL && status != KPI_ECANCEL) ||
        (status != KPI_ECANCEL && d->status != KPI_ECANCEL && rank < d->failed_rank)) {
        d->status = status;
        d->failed_rank = rank;
        d->err = *e;
    }
    pthread_mutex_unlock(&d->lock);
}

/* Rank 0's computing thread: points like any worker, without MPI calls. */
static void *local_worker(void *arg)
{
    dispatcher *d = arg;
    kpi_error e;
    for (long p; (p = take_point(d)) >= 0;) {
        int rc = d->fn(d->ctx, p, d->bands + (size_t)p * KPI_NFIG, &e);
        if (rc != KPI_OK) {
            note_failure(d, 0, rc, &e);
            break;
        }
        pthread_mutex_lock(&d->lock);
        d->done++;
        pthread_mutex_unlock(&d->lock);
    }
    return NULL;
}

static void nap(void)
{
    struct timespec ts = {0, 500000};   /* 0.5 ms: a request waits little, idles cheaply */
    nanosleep(&ts, NULL);
}

int cli_mpi_points(long npoints, cli_point_fn fn, void *ctx, kpi_band *bands,
                   cli_points_progress_fn progress, void *pdata, kpi_error *err)
{
    if (g_size == 1)
        return points_serial(npoints, fn, ctx, bands, progress, pdata, err);

    int rc = KPI_OK;
    if (g_rank != 0) {
        /* A worker: ask, compute, send, until told there is no more. */
        result_msg *msg = malloc(sizeof *msg);
        if (!msg)
            MPI_Abort(MPI_COMM_WORLD, KPI_EINTERNAL);
        for (;;) {
            long p;
            MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
            MPI_Recv(&p, 1, MPI_LONG, 0, TAG_POINT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (p < 0)
                break;
            rc = fn(ctx, p, msg->bands, err);
            if (rc != KPI_OK) {
                err->status = rc;
                MPI_Send(err, (int)sizeof *err, MPI_BYTE, 0, TAG_FAIL, MPI_COMM_WORLD);
                break;
            }
            msg->point = p;
            MPI_Send(msg, (int)sizeof *msg, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
        }
        free(msg);
        return cli_mpi_agree(rc, err);
    }

    /* Rank 0: a thread computes points while this one serves the workers
     * (without the thread, the workers take every point). */
    dispatcher d;
    memset(&d, 0, sizeof d);
    d.npoints = npoints;
    d.fn = fn;
    d.ctx = ctx;
    d.bands = bands;
    d.status = KPI_OK;
    pthread_mutex_init(&d.lock, NULL);
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, local_worker, &d) == 0;
    result_msg *msg = malloc(sizeof *msg);
    if (!msg)
        MPI_Abort(MPI_COMM_WORLD, KPI_EINTERNAL);
    int finished = 0;   /* workers told to stop, or failed */
    long shown = -1;
    while (finished < g_size - 1) {
        int flag;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            pthread_mutex_lock(&d.lock);
            long done = d.done;
            pthread_mutex_unlock(&d.lock);
            if (progress && done != shown)
                progress(pdata, shown = done, npoints);
            nap();
            continue;
        }
        if (st.MPI_TAG == TAG_REQUEST) {
            MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, TAG_REQUEST, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            long p = take_point(&d);
            MPI_Send(&p, 1, MPI_LONG, st.MPI_SOURCE, TAG_POINT, MPI_COMM_WORLD);
            if (p < 0)
                finished++;
        } else if (st.MPI_TAG == TAG_RESULT) {
            MPI_Recv(msg, (int)sizeof *msg, MPI_BYTE, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            if (msg->point >= 0 && msg->point < npoints) {
                memcpy(bands + (size_t)msg->point * KPI_NFIG, msg->bands, sizeof msg->bands);
                pthread_mutex_lock(&d.lock);
                d.done++;
                pthread_mutex_unlock(&d.lock);
            }
        } else if (st.MPI_TAG == TAG_FAIL) {
            kpi_error e;
            MPI_Recv(&e, (int)sizeof e, MPI_BYTE, st.MPI_SOURCE, TAG_FAIL, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            note_failure(&d, st.MPI_SOURCE, e.status, &e);
            finished++;
        } else {
            /* Nothing else is sent to rank 0 here; take it off the queue. */
            char junk;
            MPI_Recv(&junk, 0, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
        }
    }
    if (threaded)
        pthread_join(tid, NULL);
    free(msg);
    pthread_mutex_destroy(&d.lock);
    if (d.status == KPI_OK && d.done != npoints) {
        /* Interrupted between points: nobody failed, the job is cancelled. */
        memset(&d.err, 0, sizeof d.err);
        d.status = d.err.status = KPI_ECANCEL;
        strcpy(d.err.msg, "cancelled");
    }
    if (progress && d.status == KPI_OK)
        progress(pdata, npoints, npoints);
    /* The agreement: a worker's failure is reported by that worker (its
     * message, its rank), rank 0 brings only its own. */
    rc = d.failed_rank == 0 ? d.status : KPI_OK;
    if (rc != KPI_OK)
        *err = d.err;
    return cli_mpi_agree(rc, err);
}

#else /* !KPI_MPI: one rank */

int cli_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void cli_mpi_finalize(void)
{
}

int cli_mpi_rank(void)
{
    return 0;
}

int cli_mpi_size(void)
{
    return 1;
}

long cli_mpi_default_threads(long online)
{
    return online;
}

int cli_mpi_agree(int rc, kpi_error *err)
{
    (void)err;
    return rc;
}

int cli_mpi_same_scenario(const kpi_scenario *sc, const char *label, kpi_error *err)
{
    (void)sc;
    (void)label;
    (void)err;
    return KPI_OK;
}

int cli_mpi_run(const kpi_scenario *sc, const kpi_run_opts *opts, kpi_results **out,
                kpi_error *err)
{
    return kpi_run(sc, opts, out, err);
}

int cli_mpi_run_all(void *userdata, const kpi_scenario *sc, const kpi_run_opts *opts,
                    long count, double *monthly, double *figures, kpi_error *err)
{
    (void)userdata;
    return kpi_run_range(sc, opts, 0, count, monthly, figures, err);
}

int cli_mpi_points(long npoints, cli_point_fn fn, void *ctx, kpi_band *bands,
                   cli_points_progress_fn progress, void *pdata, kpi_error *err)
{
    return points_serial(npoints, fn, ctx, bands, progress, pdata, err);
}

#endif

long cli_mpi_held(long n)
{
    int ranks = cli_mpi_size();
    if (ranks <= 1 || cli_mpi_rank() == 0)
        return n;
    return (n + ranks - 1) / ranks;
}
