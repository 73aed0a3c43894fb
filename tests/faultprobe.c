/*
 * faultprobe.c - a program with one call of each kind the fault shim
 * (faultshim.c) counts, for tests/test_fault.sh to check the shim itself
 * before trusting it with kpisim: that it counts each call, fails the one
 * asked for, and reports a block that is never freed.
 *
 *     faultprobe DIR [leak]
 *
 * makes DIR, writes DIR/a through stdio (fdopen, one flush), fsyncs it,
 * links it to DIR/b, renames DIR/b to DIR/c, frees what it allocated
 * (all but one block with "leak"), and prints "ok".  The first call that
 * fails is named on stderr ("faultprobe: fsync: Input/output error"), with
 * exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed(const char *what)
{
    fprintf(stderr, "faultprobe: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    char a[4096], b[4096], c[4096];
    if (argc < 2 || strlen(argv[1]) > 4000) {
        fprintf(stderr, "usage: faultprobe DIR [leak]\n");
        return 2;
    }
    snprintf(a, sizeof a, "%s/a", argv[1]);
    snprintf(b, sizeof b, "%s/b", argv[1]);
    snprintf(c, sizeof c, "%s/c", argv[1]);

    char *kept = malloc(100);
    if (!kept)
        return failed("malloc");
    if (mkdir(argv[1], 0777) != 0)
        return failed("mkdir");
    int fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return failed("open");
    FILE *f = fdopen(fd, "w");
    if (!f)
        return failed("fdopen");
    if (fputs("probe\n", f) == EOF || fflush(f) != 0)
        return failed("write");
    if (fsync(fd) != 0)
        return failed("fsync");
    if (fclose(f) != 0)
        return failed("fclose");
    if (link(a, b) != 0)
        return failed("link");
    if (rename(b, c) != 0)
        return failed("rename");
    if (argc < 3 || strcmp(argv[2], "leak") != 0)
        free(kept);
    puts("ok");
    return 0;
}
