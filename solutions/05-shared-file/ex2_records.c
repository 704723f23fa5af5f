/*
 * ex2_records.c: fixed-size records in a shared file mapping, updated by
 * many processes at once (solution).
 *
 * `balance += delta` on a mapped int64 is a load, an add and a store; two
 * processes doing it at once can lose updates. Each update is therefore
 * made under flock(LOCK_EX) on the file, which every process opens for
 * itself. The descriptor stays open while the mapping is in use: the lock
 * is taken and released through it (it belongs to the open file
 * description, which the mapping would keep alive even after a close).
 * See exercises/05-shared-file/ex2_records.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct record {
    uint32_t id;
    uint32_t pad;
    int64_t balance;
    char name[48];
};
_Static_assert(sizeof(struct record) == 64, "a record is 64 bytes");

static const char *path;
static int fd = -1;

static void lock(int how)
{
    if (flock(fd, how) == -1)
        wb_die("flock '%s'", path);
}

/* Open FILE, check its size, map it shared; *count gets the record count. */
static struct record *attach(size_t *count, int prot)
{
    fd = open(path, ((prot & PROT_WRITE) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", path);
    if (st.st_size == 0) /* mmap refuses a length of 0 (EINVAL) */
        wb_fatal("'%s' is empty: it holds no records", path);
    if (st.st_size % (off_t)sizeof(struct record) != 0)
        wb_fatal("'%s' is %lld bytes, not a whole number of %zu-byte records",
                 path, (long long)st.st_size, sizeof(struct record));
    *count = (size_t)st.st_size / sizeof(struct record);
    struct record *r = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED)
        wb_die("mmap '%s'", path);
    return r;
}

static void init(size_t n)
{
    size_t size = n * sizeof(struct record);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);
    if (ftruncate(fd, (off_t)size) == -1) /* all zeros */
        wb_die("ftruncate '%s' to %zu bytes", path, size);
    struct record *r =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED)
        wb_die("mmap '%s'", path);
    for (size_t k = 0; k < n; k++)
        r[k].id = (uint32_t)k;
    if (munmap(r, size) == -1)
        wb_die("munmap");
}

static void show(void)
{
    size_t n;
    struct record *r = attach(&n, PROT_READ);
    lock(LOCK_SH); /* one consistent snapshot */
    for (size_t k = 0; k < n; k++)
        printf("%" PRIu32 " %" PRId64 "\n", r[k].id, r[k].balance);
    lock(LOCK_UN);
    if (munmap(r, n * sizeof *r) == -1)
        wb_die("munmap");
}

static void add(unsigned long id, long delta, long reps)
{
    size_t n;
    struct record *r = attach(&n, PROT_READ | PROT_WRITE);
    if (id >= n)
        wb_fatal("no record %lu in '%s' (it has %zu)", id, path, n);
    volatile int64_t *balance = &r[id].balance;
    for (long k = 0; k < reps; k++) {
        lock(LOCK_EX);
        *balance += delta;
        lock(LOCK_UN);
    }
    if (munmap(r, n * sizeof *r) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE init N | FILE show | FILE ID DELTA REPS");
    int i = wb_simple_args(argc, argv);
    int nargs = argc - i;
    if (nargs < 2)
        wb_usage("expected FILE and a command");
    path = argv[i];
    const char *cmd = argv[i + 1];

    if (strcmp(cmd, "init") == 0 && nargs == 3)
        init((size_t)wb_long_arg(argv[i + 2], "N", 1, 1000000));
    else if (strcmp(cmd, "show") == 0 && nargs == 2)
        show();
    else if (nargs == 4)
        add((unsigned long)wb_long_arg(cmd, "ID", 0, UINT32_MAX),
            wb_long_arg(argv[i + 2], "DELTA", LONG_MIN + 1, LONG_MAX),
            wb_long_arg(argv[i + 3], "REPS", 0, 1000000000));
    else
        wb_usage("unknown command or wrong number of arguments");
    if (fd != -1 && close(fd) == -1)
        wb_die("close '%s'", path);
    return 0;
}
