/*
 * sync_cost.c: what a commit costs: a store, or a store plus msync(MS_SYNC).
 *
 * Makes N small commits (64 bytes stored into one page of a 16-page
 * MAP_SHARED file mapping in $TMPDIR) five ways and prints the average time
 * per commit. First it stores once into each page and times that alone: on
 * a disk filesystem the pages are write-protected after the fsync that
 * starts the run, so each first store is a write fault. Then the ways: the
 * store alone; the store then msync(MS_ASYNC) of that page;
 * the store then msync(MS_SYNC) of that page; the store then fdatasync(2) of
 * the file; the store then sync_file_range(2) with WAIT_BEFORE, WRITE and
 * WAIT_AFTER, which waits for the page to reach the device but promises
 * nothing about the file's metadata or the device's own cache. The numbers
 * depend on the machine and its disk; their ratio is the lesson. On tmpfs
 * every sync is nearly free, because there is nothing to write.
 *
 * Usage: sync_cost [-h] [N]     N commits per way, default 100
 * Tour:
 * Man pages: msync(2), fdatasync(2), sync_file_range(2), clock_gettime(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994

enum { NPAGES = 16, RECORD = 64 };
enum way { STORE, MS_ASYNC_WAY, MS_SYNC_WAY, FDATASYNC_WAY, SFR_WAY };
static const char *const names[] = {
    "store only",
    "store + msync(MS_ASYNC)",
    "store + msync(MS_SYNC)",
    "store + fdatasync(2)",
    "store + sync_file_range(2)",
};

/* [commit] */
/* One commit: store a record into page i % NPAGES, then make it durable. */
static void commit(enum way w, char *map, int fd, long i)
{
    size_t ps = wb_page_size();
    size_t page = (size_t)(i % NPAGES) * ps;
    size_t off = page + (size_t)(i / NPAGES % (long)(ps / RECORD)) * RECORD;
    memset(map + off, 'a' + (int)(i % 26), RECORD);
    int r = 0;
    switch (w) {
    case STORE: break;
    case MS_ASYNC_WAY: r = msync(map + page, ps, MS_ASYNC); break;
    case MS_SYNC_WAY: r = msync(map + page, ps, MS_SYNC); break;
    case FDATASYNC_WAY: r = fdatasync(fd); break;
    case SFR_WAY:
        r = sync_file_range(fd, (off64_t)page, (off64_t)ps,
                            SYNC_FILE_RANGE_WAIT_BEFORE |
                                SYNC_FILE_RANGE_WRITE |
                                SYNC_FILE_RANGE_WAIT_AFTER);
        break;
    }
    if (r == -1)
        wb_die("%s", names[w]);
}
/* [commit] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [N]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    long n = i < argc ? wb_long_arg(argv[i], "N", 1, 100000) : 100;

    size_t ps = wb_page_size(), len = NPAGES * ps;
    int fd = wb_temp_file("sync_cost", NULL);
    if (ftruncate(fd, (off_t)len) == -1)
        wb_die("ftruncate");
    struct statfs sfs;
    if (fstatfs(fd, &sfs) == -1)
        wb_die("fstatfs");
    char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        wb_die("mmap");
    memset(map, '.', len); /* fault every page in first */
    if (fsync(fd) == -1)   /* and start from a clean file */
        wb_die("fsync");

    printf("%ld commits of %d bytes each, into a %d-page MAP_SHARED file "
           "mapping%s\n",
           n, RECORD, NPAGES,
           sfs.f_type == TMPFS_MAGIC ? " (on tmpfs: no disk behind it)" : "");
    /* After the fsync a disk filesystem has write-protected the pages again:
     * the first store into each one faults (page_mkwrite). Take those
     * faults here, timed on their own, so that "store only" is a store. */
    double t0 = wb_now_us();
    for (size_t p = 0; p < NPAGES; p++)
        map[p * ps] = '.';
    printf("  %-28s %.2f us per page\n", "first store into each page",
           (wb_now_us() - t0) / NPAGES);
    for (enum way w = STORE; w <= SFR_WAY; w++) {
        t0 = wb_now_us();
        for (long j = 0; j < n; j++)
            commit(w, map, fd, j);
        double per = (wb_now_us() - t0) / (double)n;
        printf("  %-28s %.2f us per commit\n", names[w], per);
    }
    if (munmap(map, len) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
