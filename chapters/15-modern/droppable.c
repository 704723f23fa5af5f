/*
 * droppable.c: MAP_DROPPABLE memory (Linux 6.11), which the kernel may take
 * back at any time; a program then reads zeros.
 *
 * Maps PAGES pages (default 64) with MAP_DROPPABLE | MAP_ANONYMOUS and as
 * many ordinary private anonymous pages, and writes both. smaps flags the
 * droppable mapping "dp", and also "wf" (wipe on fork) and "dd" (not in
 * core dumps): the kernel sets those with it. Then it asks the kernel to
 * reclaim both ranges at once with MADV_PAGEOUT, the same reclaim that
 * memory pressure would run, and counts with mincore(2) and by reading:
 * the droppable pages are gone and read as zeros, while the ordinary pages
 * are still there (kept in memory where there is no swap, or swapped out
 * and read back in; their contents survive either way). A child made by
 * fork(2) sees the droppable pages as zeros too. Last, what MAP_DROPPABLE
 * refuses: a file, and MADV_KEEPONFORK. It is a map type of its own
 * (0x08), so it cannot be combined with another: MAP_DROPPABLE | MAP_SHARED
 * is type 0x09, which does not exist, and gets EINVAL for that reason.
 *
 * This is what the kernel's vDSO getrandom() keeps its per-thread state
 * in: bytes that are cheap to recompute and must never reach swap or a
 * core dump.
 *
 * Usage: droppable [-h] [PAGES]
 * Tour:
 * Man pages: mmap(2), madvise(2), mincore(2), fork(2), proc(5)
 */
#include "modern.h"
#include "vmflags.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static size_t ps;

/* Pages of [p, p + n pages) whose first byte reads as zero. */
static size_t zero_pages(const char *p, size_t n)
{
    size_t z = 0;
    for (size_t k = 0; k < n; k++)
        z += p[k * ps] == 0;
    return z;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t n = i < argc ? (size_t)wb_long_arg(argv[i], "pages", 1, 65536) : 64;
    ps = wb_page_size();
    size_t len = n * ps;

    /* [map] */
    char *d = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
    /* [map] */
    if (d == MAP_FAILED) {
        if (errno != EINVAL)
            wb_die("mmap MAP_DROPPABLE");
        printf(
            "mmap(MAP_DROPPABLE): EINVAL: this kernel does not know "
            "the map type 0x08; Linux 6.11 added it. There the droppable pages "
            "read as zeros after MADV_PAGEOUT, the ordinary ones keep "
            "their bytes, and smaps flags the mapping dp\n");
        return 0;
    }
    char *a = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED)
        wb_die("mmap MAP_PRIVATE");
    memset(d, 'd', len);
    memset(a, 'a', len);
    printf("1. %zu droppable pages filled with 'd', %zu private pages "
           "with 'a'\n",
           n, n);
    printf("  droppable smaps flags dp %s, wf %s, dd %s\n",
           vm_has_flag(d, "dp") ? "yes" : "no",
           vm_has_flag(d, "wf") ? "yes" : "no",
           vm_has_flag(d, "dd") ? "yes" : "no");
    printf("  resident: droppable %zu, private %zu\n",
           wb_resident_pages(d, len), wb_resident_pages(a, len));

    /* [pageout] */
    if (madvise(d, len, MADV_PAGEOUT) == -1)
        wb_die("madvise(MADV_PAGEOUT) droppable");
    if (madvise(a, len, MADV_PAGEOUT) == -1)
        wb_die("madvise(MADV_PAGEOUT) private");
    /* [pageout] */
    printf("2. MADV_PAGEOUT on both\n");
    size_t resident = wb_resident_pages(d, len); /* before reading faults */
    printf("  droppable: %zu of %zu resident, %zu of %zu read as zero\n",
           resident, n, zero_pages(d, n), n);
    printf("  private: %zu of %zu read as zero (kept in memory, or swapped "
           "out and read back in)\n",
           zero_pages(a, n), n);

    memset(d, 'd', len);
    printf("3. write 'd' again, then fork\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        printf("  child: droppable pages reading zero %zu of %zu, private "
               "page 0 '%c'\n",
               zero_pages(d, n), n, a[0]);
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    printf("  parent: droppable page 0 '%c'\n", d[0]);

    printf("4. what MAP_DROPPABLE refuses:\n");
    int fd = wb_temp_file("droppable", NULL);
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate");
    void *f = mmap(NULL, ps, PROT_READ, MAP_DROPPABLE, fd, 0);
    printf("  a file: %s\n", f == MAP_FAILED ? wb_errname(errno) : "ok");
    close(fd);
    void *s = mmap(NULL, ps, PROT_READ,
                   MAP_DROPPABLE | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("  MAP_DROPPABLE | MAP_SHARED (type 0x09, no such type): %s\n",
           s == MAP_FAILED ? wb_errname(errno) : "ok");
    printf("  madvise(MADV_KEEPONFORK): %s\n",
           madvise(d, ps, MADV_KEEPONFORK) == -1 ? wb_errname(errno) : "ok");
    munmap(d, len);
    munmap(a, len);
    return 0;
}
