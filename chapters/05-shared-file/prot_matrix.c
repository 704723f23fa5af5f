/*
 * prot_matrix.c: which open modes allow which prot and flags, tried live.
 *
 * Makes a one-page file in $TMPDIR, opens it three times (O_RDONLY, O_WRONLY,
 * O_RDWR), and for each descriptor calls mmap(2) with every prot in
 * {PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ|PROT_WRITE} and both
 * MAP_SHARED and MAP_PRIVATE. Each cell of the table is `ok` or the errno
 * name the kernel returned. Nothing is assumed: the table is this kernel's
 * answer.
 *
 * A second table asks a related question: a mapping that was made with
 * PROT_READ only, can mprotect(2) turn on PROT_WRITE later? The kernel
 * decides that at mmap time, from the open mode, not at mprotect time.
 *
 * Usage: prot_matrix [-h]
 * Tour:
 * Man pages: mmap(2) (EACCES in ERRORS), open(2), mprotect(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

struct named {
    int value;
    const char *name;
};

static const struct named modes[] = {
    {O_RDONLY, "O_RDONLY"},
    {O_WRONLY, "O_WRONLY"},
    {O_RDWR, "O_RDWR"},
};
static const struct named flags[] = {
    {MAP_SHARED, "MAP_SHARED"},
    {MAP_PRIVATE, "MAP_PRIVATE"},
};
static const struct named prots[] = {
    {PROT_NONE, "PROT_NONE"},
    {PROT_READ, "PROT_READ"},
    {PROT_WRITE, "PROT_WRITE"},
    {PROT_READ | PROT_WRITE, "PROT_READ|PROT_WRITE"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* "ok", or the errno name of the failure. */
static const char *outcome(int err)
{
    return err == 0 ? "ok" : wb_errname(err);
}

/* Try mmap(prot, flag) on fd; returns 0 or the errno. */
static int try_mmap(int fd, int prot, int flag)
{
    size_t ps = wb_page_size();
    void *p = mmap(NULL, ps, prot, flag, fd, 0);
    if (p == MAP_FAILED)
        return errno;
    if (munmap(p, ps) == -1)
        wb_die("munmap");
    return 0;
}

/* The second table's cell: mmap(PROT_READ, flag) on fd, then mprotect to
 * PROT_READ|PROT_WRITE: "ok", mprotect's errno, or, when the mapping itself
 * fails, "mmap" and its errno. */
static const char *upgrade(int fd, int flag, char *buf, size_t len)
{
    size_t ps = wb_page_size();
    void *p = mmap(NULL, ps, PROT_READ, flag, fd, 0);
    if (p == MAP_FAILED) {
        snprintf(buf, len, "mmap %s", wb_errname(errno));
        return buf;
    }
    int err = mprotect(p, ps, PROT_READ | PROT_WRITE) == -1 ? errno : 0;
    if (munmap(p, ps) == -1)
        wb_die("munmap");
    return outcome(err);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    /* One page of file, opened three ways; then it need not have a name. */
    char path[4096];
    int fd0 = wb_temp_file("prot_matrix", path);
    if (ftruncate(fd0, (off_t)wb_page_size()) == -1)
        wb_die("ftruncate");
    int fds[COUNT(modes)];
    for (size_t m = 0; m < COUNT(modes); m++) {
        fds[m] = open(path, modes[m].value | O_CLOEXEC);
        if (fds[m] == -1)
            wb_die("open %s", modes[m].name);
    }
    if (unlink(path) == -1)
        wb_die("unlink '%s'", path);
    close(fd0);

    printf("mmap(2) of a one-page file, each cell: ok or errno\n");
    printf("%-9s %-12s", "open", "flags");
    for (size_t p = 0; p < COUNT(prots); p++)
        printf(" %-*s", p + 1 < COUNT(prots) ? 11 : 0, prots[p].name);
    printf("\n");
    for (size_t m = 0; m < COUNT(modes); m++)
        for (size_t f = 0; f < COUNT(flags); f++) {
            printf("%-9s %-12s", modes[m].name, flags[f].name);
            for (size_t p = 0; p < COUNT(prots); p++)
                printf(
                    " %-*s", p + 1 < COUNT(prots) ? 11 : 0,
                    outcome(try_mmap(fds[m], prots[p].value, flags[f].value)));
            printf("\n");
        }

    printf("\nmmap PROT_READ, then mprotect to PROT_READ|PROT_WRITE "
           "(\"mmap E...\": the mmap failed)\n");
    printf("%-9s %-11s %s\n", "open", "MAP_SHARED", "MAP_PRIVATE");
    for (size_t m = 0; m < COUNT(modes); m++) {
        char a[32], b[32];
        printf("%-9s %-11s %s\n", modes[m].name,
               upgrade(fds[m], MAP_SHARED, a, sizeof a),
               upgrade(fds[m], MAP_PRIVATE, b, sizeof b));
    }

    for (size_t m = 0; m < COUNT(modes); m++)
        close(fds[m]);
    return 0;
}
