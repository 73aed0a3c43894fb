/*
 * faultshim.c - fault injection for the tests (SQLite's method): a shared
 * object loaded with LD_PRELOAD in front of the C library that counts the
 * calls of one class and makes the Nth fail, and that reports the heap
 * blocks still allocated at exit.  Built only as a test helper
 * ($BUILD/tests/libfaultshim.so, never linked into the program);
 * tests/test_fault.sh loops N over every call a small run makes.
 *
 * Environment:
 *   KPI_FAULT=CLASS:N    fail the Nth call of CLASS (N >= 1); N = 0 or
 *                        no KPI_FAULT: count only.  CLASS:N+ fails the Nth
 *                        call and every later one of the class (a
 *                        persistent fault, as a full disk is).
 *   KPI_FAULT_SPARE=F,G  allocations made directly by the functions F, G
 *                        (exported names, found with dladdr) are neither
 *                        counted nor failed: for a dependency that cannot
 *                        survive a failed allocation (docs/hardening.md).
 *   KPI_FAULT_REPORT=F   at exit, write one line to F:
 *       alloc=A write=W fsync=S rename=R create=C injected=I spared=P
 *       leaks=L bytes=B
 *   then "failed CALLER" (where the first failed call came from) and one
 *   line per block still allocated: "leak SEQ SIZE CALLER".
 *
 * Classes and the error each failed call returns:
 *   alloc   malloc, calloc and realloc (ENOMEM), from any caller: the
 *           program, libyaml, GSL or the C library itself (glibc calls its
 *           public malloc, so that a replacement sees them all)
 *   write   write(2) on any descriptor but 0, 1 and 2 (ENOSPC), including
 *           the writes stdio makes for a stream opened with fdopen or
 *           fopen for writing: such a stream is rebuilt over the same
 *           descriptor with fopencookie, so that its buffer flushes go
 *           through the counted write (glibc's own stdio calls an internal
 *           write that no preloaded object can see)
 *   fsync   fsync (EIO)
 *   rename  rename (EIO)
 *   create  open with O_CREAT, mkdir and link (ENOSPC): a new name in a
 *           directory
 *
 * Leaks: every block from malloc, calloc and realloc is kept in a hash
 * table (its own memory from mmap, never the heap it watches) with its
 * allocation number, size and caller.  At exit stdout is closed first (its
 * buffer is the one block the C library keeps for good), so what is left
 * is what the program forgot.  Counting starts when this object is
 * initialised, before the program's constructors and main.
 *
 * Test-only code, so the process-wide state below is the point of it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { C_ALLOC, C_WRITE, C_FSYNC, C_RENAME, C_CREATE, NCLASS };
static const char *const class_name[NCLASS] = {"alloc", "write", "fsync", "rename",
                                               "create"};

/* The fault asked for: class, call number (0: none), persistent or not. */
static int fault_class = -1;
static unsigned long fault_at;
static int fault_persist;
static unsigned long calls[NCLASS];
static unsigned long injected, spared;
static void *injected_pc;       /* the caller of the first failed call */
static char spare_list[512];    /* ",F,G," or "" */
static int armed;

/* A spin lock of compiler atomics, not a pthread mutex: a sanitizer
 * runtime intercepts pthread_mutex_lock and may call malloc before its
 * interceptors are ready. */
static int lock_word;

static void lock(void)
{
    while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&lock_word, __ATOMIC_RELAXED))
            ;
}

static void unlock(void)
{
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

/* The real functions, looked up with dlsym(RTLD_NEXT): the C library's, or
 * a sanitizer runtime's when the program is built with one. */
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_fsync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_open)(const char *, int, ...);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_link)(const char *, const char *);
static FILE *(*real_fdopen)(int, const char *);
static FILE *(*real_fopen)(const char *, const char *);

/* dlsym may allocate while the allocator is being looked up: such calls
 * are served from this arena and never freed. */
static char boot_arena[16384];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n)
{
    size_t at = (boot_used + 15) & ~(size_t)15;
    if (at + n > sizeof boot_arena)
        return NULL;
    boot_used = at + n;
    return boot_arena + at;
}

static int in_boot(const void *p)
{
    return (const char *)p >= boot_arena && (const char *)p < boot_arena + sizeof boot_arena;
}

static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    real_rename = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    real_mkdir = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
    real_link = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "link");
    real_fdopen = (FILE * (*)(int, const char *)) dlsym(RTLD_NEXT, "fdopen");
    real_fopen = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    resolving = 0;
}

/* Whether the function containing pc is on the spare list.  dladdr scans
 * symbol tables, so each call site's answer is remembered: a run makes
 * thousands of allocations from a few hundred places. */
#define SPARE_CACHE 1024
static struct {
    void *pc;
    int spared;
} spare_cache[SPARE_CACHE];

static int is_spared(void *pc)
{
    Dl_info info;
    char name[256];
    if (!spare_list[0])
        return 0;
    size_t k = (size_t)(((uintptr_t)pc * 0x9e3779b97f4a7c15u) >> 54) & (SPARE_CACHE - 1);
    lock();
    if (spare_cache[k].pc == pc) {
        int r = spare_cache[k].spared;
        unlock();
        return r;
    }
    unlock();
    int r = dladdr(pc, &info) && info.dli_sname &&
            (size_t)snprintf(name, sizeof name, ",%s,", info.dli_sname) < sizeof name &&
            strstr(spare_list, name) != NULL;
    lock();
    spare_cache[k].pc = pc;
    spare_cache[k].spared = r;
    unlock();
    return r;
}

/* Counts a call of class c made from pc; returns 1 when it is to fail. */
static int should_fail_at(int c, void *pc)
{
    int fail = 0;
    if (!armed)
        return 0;
    lock();
    unsigned long n = ++calls[c];
    if (c == fault_class && fault_at > 0 &&
        (n == fault_at || (fault_persist && n > fault_at))) {
        fail = 1;
        if (injected++ == 0)
            injected_pc = pc;
    }
    unlock();
    return fail;
}

#define should_fail(c) should_fail_at((c), __builtin_return_address(0))

/* ------------------------------------------------------------------ */
/* The table of live blocks                                            */
/* ------------------------------------------------------------------ */

typedef struct block {
    uintptr_t ptr;          /* 0: empty slot */
    size_t size;
    unsigned long seq;      /* allocation number, from 1 */
    void *caller;
} block;

static block *table;
static size_t table_cap;    /* a power of two */
static size_t live;
static unsigned long seq_next;

static size_t slot_of(uintptr_t p, size_t cap)
{
    uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 20) & (cap - 1);
}

static void table_put(block b);

/* Doubles the table (or makes the first).  Returns 0, or -1 when mmap
 * fails: the block is then not tracked, which can only hide a leak. */
static int table_grow(void)
{
    size_t ncap = table_cap ? 2 * table_cap : 1u << 12;
    block *old = table;
    size_t ocap = table_cap;
    void *m = mmap(NULL, ncap * sizeof *table, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return -1;
    table = m;
    table_cap = ncap;
    live = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].ptr)
            table_put(old[i]);
    if (old)
        munmap(old, ocap * sizeof *old);
    return 0;
}

static void table_put(block b)
{
    if ((live + 1) * 2 > table_cap && table_grow() != 0)
        return;
    size_t i = slot_of(b.ptr, table_cap);
    while (table[i].ptr && table[i].ptr != b.ptr)
        i = (i + 1) & (table_cap - 1);
    if (!table[i].ptr)
        live++;
    table[i] = b;
}

/* Removes p; linear probing, so later entries of the run shift back. */
static void table_del(uintptr_t p)
{
    if (!table_cap)
        return;
    size_t i = slot_of(p, table_cap);
    while (table[i].ptr && table[i].ptr != p)
        i = (i + 1) & (table_cap - 1);
    if (!table[i].ptr)
        return;
    live--;
    size_t j = i;
    for (;;) {
        table[i].ptr = 0;
        for (;;) {
            j = (j + 1) & (table_cap - 1);
            if (!table[j].ptr)
                return;
            size_t home = slot_of(table[j].ptr, table_cap);
            /* Stays when its home lies cyclically in (i, j]. */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            table[i] = table[j];
            i = j;
            break;
        }
    }
}

static void track(void *p, size_t size, void *caller)
{
    if (!p || !armed)
        return;
    lock();
    block b = {(uintptr_t)p, size, ++seq_next, caller};
    table_put(b);
    unlock();
}

static void untrack(void *p)
{
    if (!p)
        return;
    lock();
    table_del((uintptr_t)p);
    unlock();
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

/* Counts an allocation made by the code at pc; returns 1 when it is to
 * fail. */
static int alloc_fails(void *pc)
{
    if (armed && is_spared(pc)) {
        lock();
        spared++;
        unlock();
        return 0;
    }
    return should_fail_at(C_ALLOC, pc);
}

void *malloc(size_t n)
{
    resolve();
    if (!real_malloc)
        return boot_alloc(n);
    if (alloc_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = real_malloc(n);
    track(p, n, __builtin_return_address(0));
    return p;
}

void *calloc(size_t k, size_t n)
{
    resolve();
    if (!real_calloc) {
        void *p = k && n > SIZE_MAX / k ? NULL : boot_alloc(k * n);
        if (p)
            memset(p, 0, k * n);
        return p;
    }
    if (alloc_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = real_calloc(k, n);
    track(p, k * n, __builtin_return_address(0));
    return p;
}

void *realloc(void *old, size_t n)
{
    resolve();
    if (in_boot(old)) {
        void *p = malloc(n);
        size_t room = (size_t)(boot_arena + sizeof boot_arena - (char *)old);
        if (p)
            memcpy(p, old, n < room ? n : room);
        return p;
    }
    if (!real_realloc)
        return boot_alloc(n);
    /* realloc(p, 0) frees p in glibc: not an allocation that can fail. */
    if (!(old && n == 0) && alloc_fails(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = real_realloc(old, n);
    if (p || n == 0)
        untrack(old);
    track(p, n, __builtin_return_address(0));
    return p;
}

void free(void *p)
{
    if (!p || in_boot(p))
        return;
    resolve();
    if (!real_free)
        return;    /* freed while the allocator is looked up: kept */
    untrack(p);
    real_free(p);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

ssize_t write(int fd, const void *buf, size_t n)
{
    resolve();
    if (fd > 2 && should_fail(C_WRITE)) {
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, buf, n);
}

int fsync(int fd)
{
    resolve();
    if (should_fail(C_FSYNC)) {
        errno = EIO;
        return -1;
    }
    return real_fsync(fd);
}

int rename(const char *from, const char *to)
{
    resolve();
    if (should_fail(C_RENAME)) {
        errno = EIO;
        return -1;
    }
    return real_rename(from, to);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    resolve();
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
        if (should_fail(C_CREATE)) {
            errno = ENOSPC;
            return -1;
        }
    }
    return real_open(path, flags, mode);
}

int mkdir(const char *path, mode_t mode)
{
    resolve();
    if (should_fail(C_CREATE)) {
        errno = ENOSPC;
        return -1;
    }
    return real_mkdir(path, mode);
}

int link(const char *from, const char *to)
{
    resolve();
    if (should_fail(C_CREATE)) {
        errno = ENOSPC;
        return -1;
    }
    return real_link(from, to);
}

/* A stream over a descriptor whose flushes go through write() above. */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
    int fd = (int)(intptr_t)c;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
    return read((int)(intptr_t)c, buf, n);
}

static int cookie_seek(void *c, off64_t *off, int whence)
{
    off_t r = lseek((int)(intptr_t)c, (off_t)*off, whence);
    if (r < 0)
        return -1;
    *off = r;
    return 0;
}

static int cookie_close(void *c)
{
    return close((int)(intptr_t)c);
}

static int writing(const char *mode)
{
    return strpbrk(mode, "wa+") != NULL;
}

static FILE *cookie_stream(int fd, const char *mode)
{
    cookie_io_functions_t io = {cookie_read, cookie_write, cookie_seek, cookie_close};
    return fopencookie((void *)(intptr_t)fd, mode, io);
}

FILE *fdopen(int fd, const char *mode)
{
    resolve();
    if (!armed || !writing(mode))
        return real_fdopen(fd, mode);
    return cookie_stream(fd, mode);
}

FILE *fopen(const char *path, const char *mode)
{
    resolve();
    if (!armed || !writing(mode))
        return real_fopen(path, mode);
    /* fopen's own open is internal to the C library: the stream is made
     * from a counted open instead. */
    int flags = O_CLOEXEC;
    if (strchr(mode, '+'))
        flags |= O_RDWR;
    else
        flags |= strchr(mode, 'r') ? O_RDONLY : O_WRONLY;
    if (strchr(mode, 'w'))
        flags |= O_CREAT | O_TRUNC;
    if (strchr(mode, 'a'))
        flags |= O_CREAT | O_APPEND;
    if (strchr(mode, 'x'))
        flags |= O_EXCL;
    int fd = open(path, flags, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = cookie_stream(fd, mode);
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

/* ------------------------------------------------------------------ */
/* Start and end                                                       */
/* ------------------------------------------------------------------ */

__attribute__((constructor)) static void shim_init(void)
{
    resolve();
    const char *spec = getenv("KPI_FAULT");
    if (spec && *spec) {
        const char *colon = strchr(spec, ':');
        for (int c = 0; c < NCLASS && colon; c++)
            if (strlen(class_name[c]) == (size_t)(colon - spec) &&
                strncmp(spec, class_name[c], (size_t)(colon - spec)) == 0)
                fault_class = c;
        if (fault_class < 0) {
            static const char msg[] = "faultshim: KPI_FAULT must be CLASS:N[+] with CLASS "
                                      "alloc, write, fsync, rename or create\n";
            if (real_write(2, msg, sizeof msg - 1) < 0)
                _exit(125);
            _exit(125);
        }
        char *end;
        fault_at = strtoul(colon + 1, &end, 10);
        fault_persist = *end == '+';
    }
    const char *spare = getenv("KPI_FAULT_SPARE");
    if (spare && *spare)
        snprintf(spare_list, sizeof spare_list, ",%s,", spare);
    armed = 1;
}

/* Names the object and offset of a caller, for the report. */
static void caller_name(void *pc, char *buf, size_t size)
{
    Dl_info info;
    if (pc && dladdr(pc, &info) && info.dli_fname) {
        const char *base = strrchr(info.dli_fname, '/');
        snprintf(buf, size, "%s+0x%lx", base ? base + 1 : info.dli_fname,
                 (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_fbase));
    } else {
        snprintf(buf, size, "%p", pc);
    }
}

__attribute__((destructor)) static void shim_report(void)
{
    const char *path = getenv("KPI_FAULT_REPORT");
    /* The program has flushed stdout and checked it; closing it frees the
     * buffer the C library would otherwise keep until the process ends. */
    fclose(stdout);
    armed = 0;
    if (!path || !*path)
        return;
    int fd = real_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return;
    /* Only this thread is left: no lock, so that nothing below can wait
     * on itself if it frees. */
    char line[512];
    size_t bytes = 0;
    for (size_t i = 0; i < table_cap; i++)
        if (table[i].ptr)
            bytes += table[i].size;
    int n = snprintf(line, sizeof line,
                     "alloc=%lu write=%lu fsync=%lu rename=%lu create=%lu injected=%lu "
                     "spared=%lu leaks=%zu bytes=%zu\n",
                     calls[C_ALLOC], calls[C_WRITE], calls[C_FSYNC], calls[C_RENAME],
                     calls[C_CREATE], injected, spared, live, bytes);
    if (real_write(fd, line, (size_t)n) < 0)
        n = 0;
    if (injected_pc) {
        char who[256];
        caller_name(injected_pc, who, sizeof who);
        n = snprintf(line, sizeof line, "failed %s\n", who);
        if (real_write(fd, line, (size_t)n) < 0)
            n = 0;
    }
    size_t shown = 0;
    for (size_t i = 0; i < table_cap && shown < 20; i++) {
        if (!table[i].ptr)
            continue;
        char who[256];
        caller_name(table[i].caller, who, sizeof who);
        n = snprintf(line, sizeof line, "leak %lu %zu %s\n", table[i].seq, table[i].size, who);
        if (real_write(fd, line, (size_t)n) < 0)
            break;
        shown++;
    }
    close(fd);
}
