/*
 * output.c - atomic output files, directories and number formatting.
 *
 * The bottom of the output side of the pipeline (see output.h): write.c
 * builds monthly.csv, summary.csv, replications.csv and scenario.yaml on
 * top of it.  Nothing here keeps state between calls.
 */
#include "output.h"

#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

struct kpi_outfile {
    FILE *f;          /* NULL once finished */
    int fd;           /* the descriptor under f, for fsync */
    int errnum;       /* first write failure (errno; EIO when not known), 0 */
    int finished;     /* kpi_outfile_finish succeeded */
    char *dir;        /* the directory, for the fsync after the rename */
    char *path;       /* DIR/NAME */
    char *tmp;        /* DIR/.NAME.XXXXXX */
};

/* "DIR/PREFIXNAMESUFFIX", without doubling a '/' that ends dir. */
static char *join(const char *dir, const char *prefix, const char *name,
                  const char *suffix)
{
    size_t dl = strlen(dir);
    size_t n = dl + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
                 prefix, name, suffix);
    return s;
}

static void outfile_free(kpi_outfile *of)
{
    free(of->dir);
    free(of->path);
    free(of->tmp);
    free(of);
}

/* splitmix64: spreads the few changing bits of its input over the six
 * letters of a temporary name. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The seed of the random letters of hidden names: the clock, the process
 * and an address, so that two processes (or two files) rarely start alike. */
static uint64_t name_seed(const void *salt)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    seed ^= (uint64_t)getpid() << 32;
    return seed ^ (uint64_t)(uintptr_t)salt;
}

/* Overwrites the six characters of name from xpos with letters drawn from
 * seed and attempt. */
static void random_letters(char *name, size_t xpos, uint64_t seed, int attempt)
{
    static const char letters[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t r = mix64(seed + (uint64_t)attempt);
    for (size_t i = 0; i < 6; i++) {
        name[xpos + i] = letters[r % (sizeof letters - 1)];
        r /= sizeof letters - 1;
    }
}

/* Why not mkstemp: it creates the file with mode 0600, and the only way to
 * give the result the usual 0666-less-umask is to read the umask, which
 * POSIX offers only as umask(), a process-wide set-and-restore that races
 * with other threads.  So this is mkstemp's own algorithm (random letters,
 * O_CREAT | O_EXCL, retry on a clash) with mode 0666 handed to open, which
 * applies the umask itself.  The letters need to be unlikely to clash, not
 * unpredictable: O_EXCL makes a clash harmless. */
kpi_outfile *kpi_outfile_open(const char *dir, const char *name, kpi_error *err)
{
    kpi_outfile *of;
    uint64_t seed;
    size_t xpos;
    int attempt, fd = -1, e = 0;

    of = calloc(1, sizeof *of);
    if (!of) {
        kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
        return NULL;
    }
    of->fd = -1;
    of->dir = malloc(strlen(dir) + 1);
    of->path = join(dir, "", name, "");
    of->tmp = join(dir, ".", name, ".XXXXXX");
    if (!of->dir || !of->path || !of->tmp) {
        outfile_free(of);
        kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
        return NULL;
    }
    strcpy(of->dir, dir);
    xpos = strlen(of->tmp) - 6;

    seed = name_seed(of);
    for (attempt = 0; attempt < 100; attempt++) {
        random_letters(of->tmp, xpos, seed, attempt);
        fd = open(of->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0) {
        e = errno;
        kpi_error_set(err, KPI_ECREATE, NULL, "cannot create %s: %s", of->path, strerror(e));
        outfile_free(of);
        return NULL;
    }
    of->f = fdopen(fd, "w");
    if (!of->f) {
        e = errno;
        close(fd);
        unlink(of->tmp);
        kpi_error_set(err, e == ENOMEM ? KPI_EINTERNAL : KPI_ECREATE, NULL, "cannot create %s: %s",
             of->path, strerror(e));
        outfile_free(of);
        return NULL;
    }
    of->fd = fd;
    return of;
}

FILE *kpi_outfile_stream(kpi_outfile *of)
{
    return of->f;
}

const char *kpi_outfile_path(const kpi_outfile *of)
{
    return of->path;
}

void kpi_outfile_fail(kpi_outfile *of, int errnum)
{
    if (!of->errnum)
        of->errnum = errnum ? errnum : EIO;
}

int kpi_outfile_puts(kpi_outfile *of, const char *s)
{
    if (of->errnum || !of->f)
        return -1;
    if (fputs(s, of->f) == EOF) {
        kpi_outfile_fail(of, errno);
        return -1;
    }
    return 0;
}

int kpi_outfile_csv_field(kpi_outfile *of, const char *s)
{
    const char *p;
    if (strpbrk(s, ",\"\r\n") == NULL)
        return kpi_outfile_puts(of, s);
    if (kpi_outfile_puts(of, "\"") != 0)
        return -1;
    for (p = s; *p; p++) {
        if ((*p == '"' && fputc('"', of->f) == EOF) || fputc(*p, of->f) == EOF) {
            kpi_outfile_fail(of, errno);
            return -1;
        }
    }
    return kpi_outfile_puts(of, "\"");
}

int kpi_outfile_finish(kpi_outfile *of, kpi_error *err)
{
    if (of->finished)
        return KPI_OK;
    if (of->f) {
        /* Every step runs even after a failure, so that the descriptor is
         * always closed; the first failure is the one reported. */
        if (fflush(of->f) != 0)
            kpi_outfile_fail(of, errno);
        if (ferror(of->f))
            kpi_outfile_fail(of, 0);
        if (!of->errnum && fsync(of->fd) != 0)
            kpi_outfile_fail(of, errno);
        if (fclose(of->f) != 0)
            kpi_outfile_fail(of, errno);
        of->f = NULL;
        of->fd = -1;
    }
    if (of->errnum)
        return kpi_error_set(err, KPI_EIO, NULL, "writing %s failed: %s", of->path,
                    strerror(of->errnum));
    of->finished = 1;
    return KPI_OK;
}

/* fsyncs a directory, so that a rename in it is on disk.  Some file
 * systems cannot fsync a directory (EINVAL); they give no better promise,
 * so that is not an error. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int e = 0;
    if (fd < 0)
        return errno;
    if (fsync(fd) != 0 && errno != EINVAL)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    return e;
}

int kpi_outfile_commit(kpi_outfile *of, kpi_error *err)
{
    kpi_outset *set = kpi_outset_create();
    int rc;
    if (!set) {
        kpi_outfile_discard(of);
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    }
    rc = kpi_outset_add(set, of, err);
    if (rc == KPI_OK)
        rc = kpi_outset_commit(set, err);
    kpi_outset_free(set);
    return rc;
}

void kpi_outfile_discard(kpi_outfile *of)
{
    if (!of)
        return;
    if (of->f)
        fclose(of->f);
    if (of->tmp)
        unlink(of->tmp);
    outfile_free(of);
}

/* ------------------------------------------------------------------ */
/* Output sets                                                        */
/* ------------------------------------------------------------------ */

/* One change of a set: a finished temporary file to rename over its final
 * name, or (remove) a final name to remove. */
typedef struct change {
    kpi_outfile *of;      /* dir, path and (unless remove) tmp */
    int remove;
    int had_old;          /* something was at path before the commit */
    int done;             /* renamed into place, or removed */
    char *backup;         /* DIR/.NAME.old.XXXXXX, a second name of the earlier file */
    int kept;             /* backup holds an earlier file that could not go back */
} change;

struct kpi_outset {
    change *c;
    size_t n, cap;
    int committed;        /* kpi_outset_commit was called */
};

kpi_outset *kpi_outset_create(void)
{
    return calloc(1, sizeof(kpi_outset));
}

/* Appends a change for of, which the set owns from now on, even when this
 * fails (it is then discarded). */
static int outset_push(kpi_outset *set, kpi_outfile *of, int remove, kpi_error *err)
{
    if (set->n == set->cap) {
        size_t ncap = set->cap ? 2 * set->cap : 8;
        change *nc = realloc(set->c, ncap * sizeof *nc);
        if (!nc) {
            kpi_outfile_discard(of);
            return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
        }
        set->c = nc;
        set->cap = ncap;
    }
    memset(&set->c[set->n], 0, sizeof *set->c);
    set->c[set->n].of = of;
    set->c[set->n].remove = remove;
    set->n++;
    return KPI_OK;
}

int kpi_outset_add(kpi_outset *set, kpi_outfile *of, kpi_error *err)
{
    int rc = kpi_outfile_finish(of, err);
    if (rc != KPI_OK) {
        kpi_outfile_discard(of);
        return rc;
    }
    return outset_push(set, of, 0, err);
}

int kpi_outset_remove(kpi_outset *set, const char *dir, const char *name, kpi_error *err)
{
    kpi_outfile *of = calloc(1, sizeof *of);
    if (!of)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    of->fd = -1;
    of->finished = 1;
    of->dir = malloc(strlen(dir) + 1);
    of->path = join(dir, "", name, "");
    if (!of->dir || !of->path) {
        outfile_free(of);
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    }
    strcpy(of->dir, dir);
    return outset_push(set, of, 1, err);
}

/* The charts `kpisim plot` writes into DIR/plots (engine/cli/cmd_plot.c:
 * run_charts, compare_charts, sweep_charts, render_sensitivity); a compare's plots also hold
 * every scenario's run charts as NAME-CHART. */
static const char *const plot_charts[] = {
    "fan-premium", "fan-headcount", "kpis", "sources", "funnel",
    "compare-premium", "compare-headcount",
    "sweep-total_premium", "sweep-profit", "sweep-repeat_share", "sweep-final_headcount",
    "decision", "flip",
};
/* A sensitivity study's charts of a figure: PREFIX-FIGURE. */
static const char *const plot_figure_charts[] = {"tornado-", "morris-", "sobol-"};
static const char *const plot_run_charts = "fan-premium fan-headcount kpis sources funnel";

/* Whether name is a file kpisim plot writes: CHART.png or CHART.svg, or
 * in a compare's plots (prefixed) NAME-RUNCHART.png / .svg. */
static int is_chart_name(const char *name, int prefixed)
{
    size_t n = strlen(name);
    if (name[0] == '.' || n < 5 ||
        (strcmp(name + n - 4, ".png") != 0 && strcmp(name + n - 4, ".svg") != 0))
        return 0;
    n -= 4;
    for (size_t i = 0; i < sizeof plot_figure_charts / sizeof *plot_figure_charts; i++) {
        size_t c = strlen(plot_figure_charts[i]);
        if (n > c && strncmp(name, plot_figure_charts[i], c) == 0)
            return 1;
    }
    for (size_t i = 0; i < sizeof plot_charts / sizeof *plot_charts; i++) {
        size_t c = strlen(plot_charts[i]);
        if (c == n && strncmp(name, plot_charts[i], c) == 0)
            return 1;
        /* NAME-CHART, for the run charts */
        if (prefixed && n > c + 1 && name[n - c - 1] == '-' && strncmp(name + n - c, plot_charts[i], c) == 0 &&
            strstr(plot_run_charts, plot_charts[i]))
            return 1;
    }
    return 0;
}

int kpi_outset_remove_charts(kpi_outset *set, const char *dir, int compare, kpi_error *err)
{
    char *plots = join(dir, "", "plots", "");
    DIR *d;
    struct dirent *e;
    int rc = KPI_OK;

    if (!plots)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    d = opendir(plots);
    if (!d) {
        int en = errno;
        if (en == ENOENT || en == ENOTDIR)
            rc = KPI_OK;   /* no charts */
        else if (en == ENOMEM)
            rc = kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
        else
            rc = kpi_error_set(err, KPI_ECREATE, NULL,
                               "cannot read %s (its charts would no longer match the "
                               "new results): %s", plots, strerror(en));
        free(plots);
        return rc;
    }
    while (rc == KPI_OK && (e = readdir(d)) != NULL)
        if (is_chart_name(e->d_name, compare))
            rc = kpi_outset_remove(set, plots, e->d_name, err);
    closedir(d);
    free(plots);
    return rc;
}

/* Gives the file at c's final name a second, hidden name in the same
 * directory (a hard link: no data is copied, and renaming it back restores
 * the earlier file in one step).  Returns 0 or an errno. */
static int keep_earlier(change *c)
{
    const char *path = c->of->path;
    const char *base = strrchr(path, '/');
    char *b = join(c->of->dir, ".", base ? base + 1 : path, ".old.XXXXXX");
    uint64_t seed;
    int e = EEXIST;
    if (!b)
        return ENOMEM;
    seed = name_seed(c);
    for (int attempt = 0; attempt < 100 && e == EEXIST; attempt++) {
        random_letters(b, strlen(b) - 6, seed, attempt);
        e = link(path, b) == 0 ? 0 : errno;
    }
    if (e) {
        free(b);
        return e;
    }
    c->backup = b;
    return 0;
}

/* fsyncs every directory of the set once.  Returns the index of the first
 * change whose directory failed (with *e its errno), or set->n. */
static size_t sync_dirs(const kpi_outset *set, int *e)
{
    for (size_t i = 0; i < set->n; i++) {
        size_t j;
        for (j = 0; j < i; j++)
            if (strcmp(set->c[j].of->dir, set->c[i].of->dir) == 0)
                break;
        if (j < i)
            continue;
        *e = sync_dir(set->c[i].of->dir);
        if (*e)
            return i;
    }
    *e = 0;
    return set->n;
}

/* Undoes the changes made so far, last first: an earlier file comes back
 * under its name, a file that was not there before goes.  Returns how many
 * final names could not be put back as they were; *kept is then the
 * second name of one earlier file that could not be renamed back, which
 * is left in place (not removed by kpi_outset_free) so that nothing of the
 * earlier run is lost, or NULL. */
static int roll_back(kpi_outset *set, const char **kept)
{
    int lost = 0, e;
    *kept = NULL;
    for (size_t i = set->n; i-- > 0;) {
        change *c = &set->c[i];
        if (!c->done)
            continue;
        c->done = 0;
        if (c->backup) {
            if (rename(c->backup, c->of->path) == 0) {
                free(c->backup);
            } else {
                lost++;
                *kept = c->backup;      /* freed with the set, never unlinked */
                c->kept = 1;
            }
            if (!c->kept)
                c->backup = NULL;
        } else if (!c->had_old) {
            if (unlink(c->of->path) != 0 && errno != ENOENT)
                lost++;
        } else {
            lost++;       /* replaced on a file system without hard links */
        }
    }
    sync_dirs(set, &e);   /* best effort: the names are back either way */
    return lost;
}

/* The commit in three steps, so that a failure at any of them can be undone:
 * 1. every file to be replaced or removed gets a second, hidden name;
 * 2. the new files are renamed over their final names, then the stale ones
 *    are removed;
 * 3. every directory is fsynced, so that the renames are on disk.
 * A failure in step 1 has changed nothing; a failure in step 2 or 3 is
 * rolled back by renaming the second names back.  Only then are the second
 * names removed.  On a file system without hard links (link fails with
 * EPERM or EOPNOTSUPP) a replaced file has no second name, and a failure
 * after it was replaced leaves the set mixed, which the message says. */
int kpi_outset_commit(kpi_outset *set, kpi_error *err)
{
    size_t i;
    int rc, e;
    kpi_error scratch;
    const char *where;

    if (!err)
        err = &scratch;
    if (set->committed)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "an output set was committed twice (internal error)");
    set->committed = 1;
    for (i = 0; i < set->n; i++) {
        change *c = &set->c[i];
        struct stat st;
        if (lstat(c->of->path, &st) != 0) {
            if (errno == ENOENT)
                continue;
            e = errno;
            goto failed;
        }
        c->had_old = 1;
        if (S_ISDIR(st.st_mode)) {
            e = EISDIR;
            goto failed;
        }
        e = keep_earlier(c);
        if (e == EPERM || e == EOPNOTSUPP)
            continue;
        if (e)
            goto failed;
    }
    for (i = 0; i < set->n; i++) {
        change *c = &set->c[i];
        if (c->remove)
            continue;
        if (rename(c->of->tmp, c->of->path) != 0) {
            e = errno;
            goto failed;
        }
        free(c->of->tmp);
        c->of->tmp = NULL;
        c->done = 1;
    }
    for (i = 0; i < set->n; i++) {
        change *c = &set->c[i];
        if (!c->remove || !c->had_old)
            continue;
        if (unlink(c->of->path) != 0 && errno != ENOENT) {
            e = errno;
            goto failed;
        }
        c->done = 1;
    }
    i = sync_dirs(set, &e);
    if (e)
        goto failed;
    for (i = 0; i < set->n; i++) {
        change *c = &set->c[i];
        if (c->backup)
            unlink(c->backup);
        free(c->backup);
        c->backup = NULL;
    }
    return KPI_OK;

failed:
    where = set->c[i].of->path;
    if (e == ENOMEM)
        rc = kpi_error_set(err, KPI_EINTERNAL, NULL, "writing %s failed: out of memory", where);
    else if (set->c[i].remove)
        rc = kpi_error_set(err, KPI_EIO, NULL, "cannot remove %s: %s", where, strerror(e));
    else
        rc = kpi_error_set(err, KPI_EIO, NULL, "writing %s failed: %s", where, strerror(e));
    const char *kept;
    if (roll_back(set, &kept) > 0) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n,
                 " (and undoing it failed: the files in %s may now mix this run and an "
                 "earlier one%s%s)",
                 set->c[i].of->dir, kept ? "; an earlier file is kept as " : "",
                 kept ? kept : "");
    }
    return rc;
}

void kpi_outset_free(kpi_outset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        change *c = &set->c[i];
        if (c->backup && !c->kept)
            unlink(c->backup);
        free(c->backup);
        kpi_outfile_discard(c->of);
    }
    free(set->c);
    free(set);
}

/* One component of kpi_mkdir_p.  Returns 0 or an errno. */
static int mkdir_one(const char *path)
{
    struct stat st;
    int e;
    if (mkdir(path, 0777) == 0)
        return 0;
    e = errno;
    /* EEXIST, but also EACCES or EROFS for a directory that is there
     * already: what matters is whether a directory is there now. */
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    return e;
}

int kpi_mkdir_p(const char *dir, kpi_error *err)
{
    size_t n = strlen(dir);
    char *buf, *p;
    int e = 0;

    if (n == 0)
        return kpi_error_set(err, KPI_ECREATE, NULL, "cannot create directory '': %s",
                    strerror(ENOENT));
    buf = malloc(n + 1);
    if (!buf)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    memcpy(buf, dir, n + 1);
    /* Each parent in turn, from the top: "a/b/c" makes "a", "a/b", "a/b/c".
     * On a failure buf is left cut at the component that failed. */
    for (p = buf + 1; *p; p++) {
        if (*p == '/' && p[-1] != '/') {
            *p = '\0';
            e = mkdir_one(buf);
            if (e)
                break;
            *p = '/';
        }
    }
    if (!e)
        e = mkdir_one(buf);
    if (e) {
        /* Name what was asked for, and the component when it differs:
         * "cannot create directory out/a/b: out/a: Not a directory". */
        int rc = strlen(buf) == n
                     ? kpi_error_set(err, KPI_ECREATE, NULL, "cannot create directory %s: %s", dir,
                            strerror(e))
                     : kpi_error_set(err, KPI_ECREATE, NULL, "cannot create directory %s: %s: %s",
                            dir, buf, strerror(e));
        free(buf);
        return rc;
    }
    free(buf);
    return KPI_OK;
}

/* Creates and removes a hidden file in the existing directory dir.
 * Returns 0 or an errno. */
static int probe_dir(const char *dir)
{
    size_t n = strlen(dir);
    char *path = malloc(n + sizeof "/.kpisim-probe.XXXXXX");
    int fd, e = 0;
    if (!path)
        return ENOMEM;
    memcpy(path, dir, n);
    strcpy(path + n, "/.kpisim-probe.XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) {
        e = errno;
    } else {
        close(fd);
        if (unlink(path) != 0)
            e = errno;
    }
    free(path);
    return e;
}

int kpi_output_check(const char *dir, kpi_error *err)
{
    struct stat st;
    size_t n = strlen(dir);
    char *buf;
    int e;

    if (n == 0)
        return kpi_error_set(err, KPI_ECREATE, NULL, "cannot create directory '': %s",
                             strerror(ENOENT));
    buf = malloc(n + 2);
    if (!buf)
        return kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory");
    memcpy(buf, dir, n + 1);
    /* The deepest part of dir that is there: dir itself, or the ancestor
     * in which kpi_mkdir_p will create the rest ("." for a relative path
     * none of whose parts exist). */
    while (stat(buf, &st) != 0) {
        if (strcmp(buf, ".") == 0 || strcmp(buf, "/") == 0) {
            e = errno;   /* the working directory was removed */
            int rc = kpi_error_set(err, KPI_ECREATE, NULL, "cannot create directory %s: %s",
                                   dir, strerror(e));
            free(buf);
            return rc;
        }
        char *slash = strrchr(buf, '/');
        while (slash && slash > buf && slash[1] == '\0') {   /* "a/b/" */
            *slash = '\0';
            slash = strrchr(buf, '/');
        }
        if (!slash) {
            strcpy(buf, ".");
        } else if (slash == buf) {
            strcpy(buf, "/");
        } else {
            *slash = '\0';
            while (slash > buf + 1 && slash[-1] == '/')       /* "a//b" */
                *--slash = '\0';
        }
    }
    int self = strcmp(buf, dir) == 0;
    e = S_ISDIR(st.st_mode) ? probe_dir(buf) : ENOTDIR;
    if (e) {
        int rc = e == ENOMEM ? kpi_error_set(err, KPI_EINTERNAL, NULL, "out of memory")
                 : self && e != ENOTDIR
                     ? kpi_error_set(err, KPI_ECREATE, NULL,
                                     "cannot write to directory %s: %s", dir, strerror(e))
                 : self ? kpi_error_set(err, KPI_ECREATE, NULL, "cannot create directory %s: %s",
                                        dir, strerror(e))
                        : kpi_error_set(err, KPI_ECREATE, NULL,
                                        "cannot create directory %s: %s: %s", dir, buf,
                                        strerror(e));
        free(buf);
        return rc;
    }
    free(buf);
    return KPI_OK;
}
