/*
 * load_file.c - the scenario loader's files: reading a file whole, and the
 * extends: chain (paths relative to the child, cycles however a path is
 * spelled, a bounded depth, no FIFOs or devices).  The text of each file
 * goes to kpi_loader_text (load.c).
 */
#include "load_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yamltree.h"

/* Reads the whole file f, at most KPI_YAML_MAX_BYTES + 1 bytes (one more
 * than allowed, so that yamltree reports the size).  Returns 0 or an errno
 * value. */
static int read_all(FILE *f, char **out, size_t *len)
{
    const size_t limit = (size_t)KPI_YAML_MAX_BYTES + 1;
    size_t cap = 64 * 1024, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return ENOMEM;
    while (n < limit) {
        if (n == cap) {
            size_t ncap = 2 * cap < limit ? 2 * cap : limit;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t want = cap - n;
        errno = 0;
        size_t got = fread(buf + n, 1, want, f);
        n += got;
        if (got < want) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                return e;
            }
            break;
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

int kpi_load_read_file(const char *path, char **data, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e;
    FILE *f;
    if (fd < 0)
        return errno;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : (errno ? errno : EINVAL);
        close(fd);
        return e;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "rb"))) {
        e = errno;
        close(fd);
        return e;
    }
    e = read_all(f, data, len);
    fclose(f);
    return e;
}

/* The path of parent relative to the directory dir of the child ("" =
 * the current directory): "dir/parent", or parent itself when absolute.
 * Returns a malloc'd string or NULL. */
static char *resolve_path(const char *dir, const char *parent)
{
    size_t ld = strlen(dir), lp = strlen(parent);
    char *p = malloc(ld + lp + 2);
    if (!p)
        return NULL;
    if (parent[0] == '/' || ld == 0)
        memcpy(p, parent, lp + 1);
    else {
        memcpy(p, dir, ld);
        p[ld] = '/';
        memcpy(p + ld + 1, parent, lp + 1);
    }
    return p;
}

/* The directory part of path ("" when none), malloc'd, or NULL. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    char *d;
    if (slash && n == 0)
        n = 1;                          /* "/x.yaml": the root */
    d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

/* Reports that path cannot be opened or read (verb), errno e: at the
 * extends: value that named it, or for the file the user gave (from.file
 * NULL) at the file itself.  Out of memory (fopen and stdio allocate) is
 * not a missing input: that is KPI_EINTERNAL, as anywhere else. */
static int fail_input(kpi_loader *ld, kpi_place from, const char *path, const char *verb, int e)
{
    char reason[256];
    int status = e == ENOMEM ? KPI_EINTERNAL : KPI_ENOINPUT;
    if (strerror_r(e, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", e);
    if (from.file)
        return kpi_loader_fail(ld, status, from, "extends", "cannot %s '%s': %s", verb, path,
                               reason);
    kpi_place p = {path, 0, 0};
    return kpi_loader_fail(ld, status, p, "", "cannot %s the scenario: %s", verb, reason);
}

/* Opens the file an extends: value names, for reading.  It must be a
 * regular file: a FIFO or a device (extends: /dev/tty) would block the
 * load, or feed it without end.  Opened without blocking, so that a FIFO
 * is refused rather than waited on; reads block again once it is known
 * to be a file.  Returns the stream, or NULL with *rc set and the error
 * reported at from. */
static FILE *open_parent(kpi_loader *ld, kpi_place from, const char *path, int *rc)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *f;
    if (fd < 0) {
        *rc = fail_input(ld, from, path, "open", errno);
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        *rc = fail_input(ld, from, path, "read", e);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        *rc = kpi_loader_fail(ld, KPI_ENOINPUT, from, "extends",
                              "cannot read '%s': not a regular file", path);
        return NULL;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "rb"))) {
        *rc = fail_input(ld, from, path, "open", errno);
        close(fd);
        return NULL;
    }
    return f;
}

/* Loads the file path over the scenario.  from is the place of the
 * extends: value that named it (file NULL for the file the user gave);
 * errors opening it are reported there. */
int kpi_loader_file(kpi_loader *ld, const char *path, kpi_place from, int depth)
{
    FILE *f = NULL;
    char *data = NULL, *dir = NULL;
    size_t len = 0;
    struct stat st;
    int rc, e, has_id;
    const char *name = kpi_loader_keep_name(ld, path);

    if (!name) {
        rc = kpi_loader_out_of_memory(ld);
        goto fail;
    }
    f = from.file ? open_parent(ld, from, name, &rc) : fopen(path, "rb");
    if (!f) {
        if (!from.file)
            rc = fail_input(ld, from, name, "open", errno);
        goto fail;
    }
    /* A cycle is the same file met twice, however its path is spelled. */
    has_id = fstat(fileno(f), &st) == 0;
    for (int i = 0; has_id && i < ld->chain_len; i++) {
        if (ld->chain[i].has_id && ld->chain[i].dev == st.st_dev &&
            ld->chain[i].ino == st.st_ino) {
            char cycle[900] = "";
            for (int j = i; j < ld->chain_len; j++) {
                size_t used = strlen(cycle);
                snprintf(cycle + used, sizeof cycle - used, "%s -> ", ld->chain[j].name);
            }
            size_t used = strlen(cycle);
            snprintf(cycle + used, sizeof cycle - used, "%s", path);
            rc = kpi_loader_fail(ld, KPI_EDATA, from, "extends", "extends cycle: %s", cycle);
            goto fail;
        }
    }
    e = read_all(f, &data, &len);
    if (e != 0) {
        rc = fail_input(ld, from, name, "read", e);
        goto fail;
    }
    fclose(f);
    f = NULL;
    dir = dir_of(path);
    if (!dir) {
        rc = kpi_loader_out_of_memory(ld);
        goto fail;
    }
    ld->chain[depth].has_id = has_id;
    ld->chain[depth].dev = has_id ? st.st_dev : 0;
    ld->chain[depth].ino = has_id ? st.st_ino : 0;
    ld->chain[depth].name = name;
    ld->chain_len = depth + 1;
    rc = kpi_loader_text(ld, data, len, name, dir, depth);
    ld->chain_len = depth;

fail:
    if (f)
        fclose(f);
    free(data);
    free(dir);
    return rc;
}

int kpi_loader_extends(kpi_loader *ld, kpi_yslot v, const char *dir, int depth)
{
    const kpi_ynode *n = v.node;
    kpi_place from = kpi_loader_place(ld, v);
    char *parent;
    int rc;
    if (n->kind != KPI_YSCALAR || kpi_yscalar_kind(n) == KPI_YS_NULL ||
        n->len == 0 || strlen(n->text) != n->len)
        return kpi_loader_fail_got(ld, v, "extends", "the path of another scenario file");
    if (depth + 1 >= KPI_MAX_EXTENDS)
        return kpi_loader_fail(ld, KPI_EDATA, from, "extends",
                               "extends chain too long: at most %d files may extend one another",
                               KPI_MAX_EXTENDS);
    parent = resolve_path(dir, n->text);
    if (!parent)
        return kpi_loader_out_of_memory(ld);
    rc = kpi_loader_file(ld, parent, from, depth + 1);
    free(parent);
    return rc;
}
