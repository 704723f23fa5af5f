/*
 * scan_file.c: one pass over a file with read(2) (three buffer sizes) or with mmap, warm and cold.
 *
 * Writes a file of SIZE bytes (default 8M) in $TMPDIR: lines of 64 bytes,
 * so it has SIZE/64 of them. Then it counts the lines five ways: read(2)
 * into a buffer of 4 KiB, 64 KiB or 1 MiB, and mmap of the whole file, with
 * MADV_SEQUENTIAL or with MAP_POPULATE. Every way uses the same counting
 * function (memchr for each newline) and must find the same number. For
 * each it prints the system calls the scan made, the minor and major faults
 * (getrusage) and the median time of RUNS runs (default 3).
 *
 * First warm: the file was just written, so all of it is in the page cache,
 * and read(2) is a copy from the cache while mmap maps the cache's pages.
 * Then cold: before each run, fdatasync and posix_fadvise(POSIX_FADV_DONTNEED)
 * drop the file's clean pages from the cache, so each run reads the disk
 * (with readahead). The mapping's first fault waits for the disk and counts
 * as major; readahead keeps ahead of the others, which find their pages in
 * the cache and count as minor. With MAP_POPULATE none counts as major: a
 * fault that had to wait for the disk is not counted, and the kernel's new
 * attempt, a fresh call not marked as a retry, finds the page and counts as
 * minor (chapter 13's README). The demo checks with mincore how many pages
 * the eviction left; on tmpfs, which has nowhere else to keep them, it
 * leaves all of them, and the demo says so and skips the cold runs. After
 * each table it names the winner, the best read(2) against the best
 * mapping, from its own medians, and for the warm table what the mapping's
 * faults cost at the probe's price of one fault (wb_probe_fault_ns): which
 * way wins depends on the machine, and the demo says what it saw, not what
 * it expected.
 *
 * Usage: scan_file [-h] [SIZE [RUNS]]     SIZE 64K..1G, RUNS 1..20
 * Tour:
 * Tour: 256M 3
 * Man pages: read(2), mmap(2), madvise(2), posix_fadvise(2), mincore(2), getrusage(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

enum { LINE = 64, WRITE_CHUNK = 64 * 1024 };
enum way { R4K, R64K, R1M, MMAP_SEQ, MMAP_POP, NWAYS };
static const char *const way_name[NWAYS] = {
    "read(2), 4 KiB buffer", "read(2), 64 KiB buffer", "read(2), 1 MiB buffer",
    "mmap + MADV_SEQUENTIAL", "mmap + MAP_POPULATE"};
static const size_t bufsize[NWAYS] = {4096, 65536, 1 << 20, 0, 0};

static int fd;
static size_t size;
static char *buf; /* 1 MiB, touched once before any measuring */

/* The one counting function every way uses. */
static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

struct result {
    size_t lines;
    long calls, minflt, majflt;
    double us;
};

/* [scan] */
static struct result scan(enum way w)
{
    struct result r = {0, 0, 0, 0, 0};
    long f0 = wb_minor_faults(), m0 = wb_major_faults();
    double t0 = wb_now_us();
    if (bufsize[w] != 0) {
        ssize_t n;
        off_t off = 0;
        do {
            n = pread(fd, buf, bufsize[w], off);
            if (n == -1)
                wb_die("read");
            r.calls++;
            r.lines += count_lines(buf, (size_t)n);
            off += n;
        } while (n > 0);
    } else {
        int flags = MAP_PRIVATE | (w == MMAP_POP ? MAP_POPULATE : 0);
        char *p = mmap(NULL, size, PROT_READ, flags, fd, 0);
        if (p == MAP_FAILED)
            wb_die("mmap");
        r.calls++;
        if (w == MMAP_SEQ) {
            if (madvise(p, size, MADV_SEQUENTIAL) == -1)
                wb_die("madvise");
            r.calls++;
        }
        r.lines = count_lines(p, size);
        if (munmap(p, size) == -1)
            wb_die("munmap");
        r.calls++;
    }
    r.us = wb_now_us() - t0;
    r.minflt = wb_minor_faults() - f0;
    r.majflt = wb_major_faults() - m0;
    return r;
}
/* [scan] */

/* How many of the file's pages are in the page cache (mincore). */
static size_t cached(void)
{
    char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    size_t in = wb_resident_pages(p, size); /* no access: no fault */
    if (munmap(p, size) == -1)
        wb_die("munmap");
    return in;
}

/* Write back and drop the file's pages; return how many stayed cached. */
static size_t evict(void)
{
    if (fdatasync(fd) == -1)
        wb_die("fdatasync");
    int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (err != 0) {
        errno = err;
        wb_die("posix_fadvise POSIX_FADV_DONTNEED");
    }
    return cached();
}

/* Print the table of the five ways; their median times and minor faults
 * go to MED and FLT. */
static void table(int cold, int runs, double med[NWAYS], long flt[NWAYS])
{
    printf("  %-24s %8s %6s %7s %7s %11s\n", "way", "lines", "calls", "minflt",
           "majflt", "time");
    for (enum way w = R4K; w < NWAYS; w++) {
        double us[20] = {0};
        struct result r = {0, 0, 0, 0, 0};
        for (int k = 0; k < runs; k++) {
            if (cold)
                (void)evict();
            r = scan(w);
            us[k] = r.us;
        }
        wb_sort_doubles(us, (size_t)runs);
        med[w] = us[runs / 2];
        flt[w] = r.minflt;
        printf("  %-24s %8zu %6ld %7ld %7ld %8.2f ms\n", way_name[w], r.lines,
               r.calls, r.minflt, r.majflt, med[w] / 1e3);
    }
}

/* [verdict] */
/* The best read(2) against the best mapping, from this run's own medians,
 * and (warm) what the faults cost by the probe's price of one fault. */
static void verdict(const char *when, const double med[NWAYS],
                    const long flt[NWAYS])
{
    enum way r = R4K, m = MMAP_SEQ;
    for (enum way w = R4K; w <= R1M; w++)
        if (med[w] < med[r])
            r = w;
    if (med[MMAP_POP] < med[m])
        m = MMAP_POP;
    const char *rn = r == R4K ? "4 KiB" : r == R64K ? "64 KiB" : "1 MiB";
    const char *mn = m == MMAP_SEQ ? "MADV_SEQUENTIAL" : "MAP_POPULATE";
    if (med[m] < med[r])
        printf("%s: here the mapping (mmap + %s) beat read(2) with a %s buffer "
               "%.1fx\n",
               when, mn, rn, med[r] / med[m]);
    else
        printf("%s: here read(2) with a %s buffer beat the mapping (mmap + %s) "
               "%.1fx\n",
               when, rn, mn, med[m] / (med[r] > 0 ? med[r] : 1));
    if (strcmp(when, "warm") != 0)
        return;
    double fault_us = wb_probe_fault_ns() / 1e3;
    printf("  the mapping took %ld minor faults (each maps up to a window of "
           "cached pages);\n  at the probe's %.2f us for one anonymous fault "
           "here, %ld x %.2f us = %.2f ms of its %.2f ms\n",
           flt[m], fault_us, flt[m], fault_us, (double)flt[m] * fault_us / 1e3,
           med[m] / 1e3);
    printf("  read(2) took %ld faults: its %.2f ms are %zu calls, a copy of "
           "%zu KiB and the counting\n",
           flt[r], med[r] / 1e3, (size + bufsize[r] - 1) / bufsize[r] + 1,
           size / 1024);
    printf("  the mapping wins where its faults (and its munmap) cost less "
           "than the copy\n");
}
/* [verdict] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [SIZE [RUNS]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    size = i < argc ? wb_size_arg(argv[i], "size") : 8 << 20;
    if (size < 65536 || size > ((size_t)1 << 30) || size % LINE != 0)
        wb_usage("size must be a multiple of 64 from 64K to 1G");
    int runs = i + 1 < argc ? (int)wb_long_arg(argv[i + 1], "runs", 1, 20) : 3;

    buf = malloc(1 << 20);
    if (buf == NULL)
        wb_die("malloc");
    fd = wb_temp_file("scan_file", NULL);
    for (size_t k = 0; k < WRITE_CHUNK; k++)
        buf[k] = (k % LINE == LINE - 1) ? '\n' : (char)('a' + k % 26);
    for (size_t off = 0; off < size; off += WRITE_CHUNK) {
        size_t n = size - off < WRITE_CHUNK ? size - off : WRITE_CHUNK;
        if (write(fd, buf, n) != (ssize_t)n)
            wb_die("write");
    }
    memset(buf, 0, 1 << 20); /* fault the buffer in now, not while measuring */
    struct statfs sfs;
    if (fstatfs(fd, &sfs) == -1)
        wb_die("fstatfs");
    int tmpfs = sfs.f_type == 0x01021994;

    printf("file: %zu KiB in $TMPDIR%s, %zu lines of %d bytes, written in "
           "64 KiB write(2)s\n",
           size / 1024, tmpfs ? " (tmpfs)" : "", size / LINE, LINE);
    printf("every way counts the newlines with memchr; %d run(s) each, "
           "median times\n\n",
           runs);
    (void)wb_now_us();         /* the clock's vDSO pages fault in now */
    (void)wb_probe_fault_ns(); /* and the probe runs outside the tables */
    /* The code the scans run faults in now too: a first call of memchr or
     * pread could otherwise take a fault of its own in the first row. */
    (void)count_lines(buf, 1 << 20);
    if (pread(fd, buf, 1, 0) == -1)
        wb_die("read");
    double med[NWAYS];
    long flt[NWAYS];
    size_t pages = wb_round_up(size) / wb_page_size();
    size_t in = cached();
    if (in == pages)
        printf("warm: the whole file is in the page cache (mincore: all %zu "
               "pages)\n",
               pages);
    else
        printf("warm: %zu of the file's %zu pages are in the page cache "
               "(mincore); the first run reads the rest\n",
               in, pages);
    table(0, runs, med, flt);
    printf("\n");
    verdict("warm", med, flt);

    size_t left = evict();
    if (left != 0) {
        printf("\ncold: skipped: POSIX_FADV_DONTNEED left %zu of %zu pages in "
               "the page cache%s\n",
               left, pages,
               tmpfs ? " (tmpfs: the cache is the only copy)" : "");
    } else {
        printf("\ncold: fdatasync + POSIX_FADV_DONTNEED before every run (it "
               "leaves 0 of %zu pages cached)\n",
               pages);
        table(1, runs, med, flt);
        printf("\n");
        verdict("cold", med, flt);
    }
    free(buf);
    close(fd);
    return 0;
}
