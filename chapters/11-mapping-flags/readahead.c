/*
 * readahead.c: MADV_RANDOM, MADV_SEQUENTIAL and MADV_WILLNEED change how
 * much of a file the kernel reads around a page fault, seen with mincore().
 *
 * Writes a file of NPAGES pages (default 32) in $TMPDIR and, before each
 * experiment, drops it from the page cache (fdatasync, then
 * posix_fadvise(POSIX_FADV_DONTNEED)) and checks with mincore() that no page
 * is left. Then it maps the file, gives the advice, reads ONE byte in the
 * middle page, waits for the disk reads to finish, and counts the pages now
 * in the page cache. With no advice the kernel reads a window around the
 * fault (the device's read_ahead_kb, printed); MADV_RANDOM reads exactly the
 * page touched; MADV_SEQUENTIAL reads ahead from it. MADV_WILLNEED, with no
 * touch at all, starts reading the range at once, but only up to one window
 * from its start (the larger of read_ahead_kb and the device's
 * max_sectors_kb); the rest of a larger file is not read. On tmpfs there is
 * nothing to read (a tmpfs file's pages are always in memory): the demo
 * says so.
 *
 * Usage: readahead [-h] [NPAGES]
 * Tour:
 * Man pages: madvise(2) (MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
 *            MADV_WILLNEED), posix_fadvise(2), mincore(2), readahead(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

static size_t npages, ps;
static int fd;

static void nap_ms(long ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL);
}

/* Pages of the file in the page cache (mincore on a fresh mapping). */
static size_t cached(void)
{
    char *p = mmap(NULL, npages * ps, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    size_t n = wb_resident_pages(p, npages * ps);
    if (munmap(p, npages * ps) == -1)
        wb_die("munmap");
    return n;
}

/* Empty the page cache of the file; false if the kernel keeps pages. */
static bool drop_cache(void)
{
    for (int tries = 0; tries < 50; tries++) {
        if (fdatasync(fd) == -1)
            wb_die("fdatasync");
        int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        if (err != 0) {
            errno = err;
            wb_die("posix_fadvise POSIX_FADV_DONTNEED");
        }
        if (cached() == 0)
            return true;
        nap_ms(10); /* pages still under writeback: try again */
    }
    return false;
}

/* Count cached pages once the reads have finished: when all are in, or
 * when a non-zero count has not moved for 5 polls (at most 2 s). */
static size_t settled(const char *p)
{
    size_t last = wb_resident_pages(p, npages * ps);
    for (int same = 0, k = 0; last < npages && same < 5 && k < 200; k++) {
        nap_ms(10);
        size_t now = wb_resident_pages(p, npages * ps);
        same = now == last && now > 0 ? same + 1 : 0;
        last = now;
    }
    return last;
}

static void experiment(const char *name, int advice, bool touch)
{
    if (!drop_cache()) {
        printf("%-16s (the kernel kept pages of the file in its cache: "
               "no measurement)\n",
               name);
        return;
    }
    char *p = mmap(NULL, npages * ps, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    if (madvise(p, npages * ps, advice) == -1)
        wb_die("madvise %s", name);
    if (touch)
        (void)*(volatile const char *)(p + npages / 2 * ps);
    size_t n = settled(p);
    printf("%-16s %s: %zu of %zu pages in the page cache\n", name,
           touch ? "one byte read in the middle page" : "nothing read", n,
           npages);
    if (munmap(p, npages * ps) == -1)
        wb_die("munmap");
}

/* read_ahead_kb of the device under the file, or -1 when there is none. */
static long read_ahead_kb(void)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    char path[128];
    snprintf(path, sizeof path, "/sys/class/bdi/%u:%u/read_ahead_kb",
             major(st.st_dev), minor(st.st_dev));
    FILE *f = fopen(path, "re");
    long kb = -1;
    if (f != NULL) {
        if (fscanf(f, "%ld", &kb) != 1)
            kb = -1;
        fclose(f);
    }
    return kb;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [NPAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages = i < argc ? (size_t)wb_long_arg(argv[i], "pages", 3, 65536) : 32;
    ps = wb_page_size();

    fd = wb_temp_file("readahead", NULL);
    char page[65536];
    memset(page, 'r', sizeof page);
    for (size_t k = 0; k < npages; k++)
        if (write(fd, page, ps) != (ssize_t)ps)
            wb_die("write the file");
    struct statfs sf;
    if (fstatfs(fd, &sf) == -1)
        wb_die("fstatfs");
    printf("a %zu-page file in $TMPDIR, dropped from the page cache before "
           "each line\n",
           npages);
    if (sf.f_type == 0x01021994) { /* TMPFS_MAGIC */
        printf("but $TMPDIR is on tmpfs: a tmpfs file lives in the page cache "
               "and cannot be dropped,\nso there is nothing to read ahead "
               "(set TMPDIR to a disk-backed directory)\n");
        close(fd);
        return 0;
    }
    long kb = read_ahead_kb();
    if (kb >= 0)
        printf("read_ahead_kb of its device: %ld (%ld pages)\n", kb,
               kb * 1024 / (long)ps);
    else
        printf("read_ahead_kb of its device: unknown (no /sys/class/bdi "
               "entry for it)\n");
    if (wb_on_valgrind())
        printf("(under Valgrind the counts can differ: it maps and reads "
               "files of its own)\n");

    experiment("(no advice)", MADV_NORMAL, true);
    experiment("MADV_RANDOM", MADV_RANDOM, true);
    experiment("MADV_SEQUENTIAL", MADV_SEQUENTIAL, true);
    experiment("MADV_WILLNEED", MADV_WILLNEED, false);
    close(fd);
    return 0;
}
