/*
 * fault_cost.c: what one minor fault costs, measured with getrusage and a clock.
 *
 * Maps PAGES pages (default 2048, 8 MiB) of private anonymous memory, asks
 * for no transparent huge pages on it, and writes one byte into every page
 * twice. The first pass takes one minor fault per page (the kernel finds a
 * free page, zeroes it and maps it); the second pass finds every page mapped
 * and takes none, so it measures the loop itself. The difference between
 * the two passes, divided by the faults, is the price of a fault. The demo
 * does this RUNS times (default 5) on a fresh mapping each time, after one
 * warm-up run that is not shown, and prints every run, then two summaries:
 * the median of the runs' figures, and a least disturbed estimate, the
 * fastest first pass minus the fastest second pass. (Not the smallest of
 * the runs' figures: a figure is a difference, and it is smallest when the
 * second pass, the one subtracted, was the disturbed one.) A single timing
 * is an anecdote. Last, one run reads every page before writing it, and the
 * demo says from its own counts and smaps' Rss which case this kernel is
 * in: the reads map the shared zero page and the writes fault again (two
 * faults per page), or the reads map private pages and the writes are free
 * (one fault per page: on VM B of chapter 13's README, whose kernel was
 * booted with pvm_no_zero_page=1, an option of that hypervisor's patched
 * kernel; `make doctor` prints which case this machine is in).
 *
 * The measured loops are compiled without AddressSanitizer's checks
 * (make sanitize): they would read ASan's shadow memory, which faults too,
 * and the demo would count the tool. Times depend on the machine; the two
 * passes' fault counts do not, and the read-then-write counts depend on
 * whether the kernel maps the zero page (above).
 *
 * Usage: fault_cost [-h] [PAGES [RUNS]]   PAGES 16..262144, RUNS 1..50
 * Tour:
 * Tour: 65536 9
 * Man pages: getrusage(2), clock_gettime(2), mmap(2), madvise(2)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define NO_ASAN __attribute__((no_sanitize_address))

/* [touch] */
/* One byte written into each of the n pages at p. */
NO_ASAN static void write_pages(volatile char *p, size_t n, size_t ps)
{
    for (size_t k = 0; k < n; k++)
        p[k * ps] = 1;
}
/* [touch] */

NO_ASAN static char read_pages(const volatile char *p, size_t n, size_t ps)
{
    char sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += p[k * ps];
    return sum;
}

static char *map_pages(size_t len)
{
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu bytes", len);
    if (madvise(p, len, MADV_NOHUGEPAGE) == -1 && errno != EINVAL)
        wb_die("madvise MADV_NOHUGEPAGE"); /* EINVAL: a kernel without THP */
    return p;
}

struct run {
    long faults1, faults2; /* minor faults of the first and second pass */
    double us1, us2;       /* their times */
};

/* [measure] */
static struct run one_run(size_t npages)
{
    size_t ps = wb_page_size(), len = npages * ps;
    char *p = map_pages(len);
    struct run r;
    long f0 = wb_minor_faults();
    double t0 = wb_now_us();
    write_pages(p, npages, ps); /* first pass: every page faults */
    double t1 = wb_now_us();
    long f1 = wb_minor_faults();
    write_pages(p, npages, ps); /* second pass: the loop alone */
    double t2 = wb_now_us();
    long f2 = wb_minor_faults();
    r.faults1 = f1 - f0, r.faults2 = f2 - f1;
    r.us1 = t1 - t0, r.us2 = t2 - t1;
    if (munmap(p, len) == -1)
        wb_die("munmap");
    return r;
}
/* [measure] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES [RUNS]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    size_t npages =
        i < argc ? (size_t)wb_long_arg(argv[i], "pages", 16, 262144) : 2048;
    int runs = i + 1 < argc ? (int)wb_long_arg(argv[i + 1], "runs", 1, 50) : 5;
    size_t ps = wb_page_size();

    printf("%zu pages (%zu KiB) of private anonymous memory, "
           "MADV_NOHUGEPAGE\n",
           npages, npages * ps / 1024);
    printf("each run maps it afresh, writes one byte per page twice, unmaps "
           "it\n");
    (void)one_run(npages); /* warm-up: code, clock, page tables, allocator */
    printf("one warm-up run first, not shown\n\n");

    printf("run   first pass              second pass\n");
    double per_fault[50] = {0};
    double best1 = -1, best2 = -1; /* the fastest first and second pass */
    long best_extra = 0;           /* the faults the fastest first pass added */
    long fmin = -1, fmax = 0;
    for (int r = 0; r < runs; r++) {
        struct run x = one_run(npages);
        printf("%3d   %6ld faults %8.2f ms  %6ld faults %8.2f ms\n", r + 1,
               x.faults1, x.us1 / 1e3, x.faults2, x.us2 / 1e3);
        long extra = x.faults1 - x.faults2;
        per_fault[r] = extra > 0 ? (x.us1 - x.us2) / (double)extra : 0;
        if (best1 < 0 || x.us1 < best1)
            best1 = x.us1, best_extra = extra;
        if (best2 < 0 || x.us2 < best2)
            best2 = x.us2;
        if (fmin < 0 || x.faults1 < fmin)
            fmin = x.faults1;
        if (x.faults1 > fmax)
            fmax = x.faults1;
    }
    /* [stats] */
    /* Each run's figure is a difference, (first - second) / faults, so the
     * smallest of them can be a run whose *second* pass was disturbed, not
     * the least disturbed run. The median of the differences is what a
     * run typically shows; the least disturbed estimate subtracts the
     * fastest second pass from the fastest first pass, each the minimum of
     * a timing of its own. */
    wb_sort_doubles(per_fault, (size_t)runs);
    printf("\nfirst pass: %.2f to %.2f faults per page over %d run(s)\n",
           (double)fmin / (double)npages, (double)fmax / (double)npages, runs);
    printf("time per fault, (first pass - second pass) / faults: median "
           "%.2f us\n",
           per_fault[runs / 2]);
    if (per_fault[runs / 2] < 0.005) /* printed as 0.00 or below */
        printf("  (not a cost: in most runs the second pass, which takes no "
               "faults, was slowed more by other work on the machine than "
               "the first; the least disturbed figure is the estimate)\n");
    double least = best_extra > 0 ? (best1 - best2) / (double)best_extra : 0;
    printf("least disturbed, (fastest first pass - fastest second pass) / "
           "faults: %.2f us\n",
           least);
    if (least < 0.005) /* printed as 0.00 or below */
        printf("  (not a cost either: even the fastest second pass, which "
               "takes no faults, was no faster than the fastest first; the "
               "machine was too busy to measure a fault here)\n");
    /* [stats] */

    /* [zero] */
    /* Read every page, then write it. Whether the writes fault again
     * depends on what the reads mapped: the shared zero page (read-only,
     * not in Rss) or a private zeroed page (writable, in Rss). The demo
     * looks at its own counts and Rss, then names the case. */
    size_t len = npages * ps;
    char *p = map_pages(len);
    long rss0 = wb_smaps_kb(p, "Rss");
    long f0 = wb_minor_faults();
    char sum = read_pages(p, npages, ps);
    long f1 = wb_minor_faults();
    long rss1 = wb_smaps_kb(p, "Rss");
    long f1b = wb_minor_faults(); /* smaps is read outside the counts */
    write_pages(p, npages, ps);
    long f2 = wb_minor_faults();
    long reads = f1 - f0, writes = f2 - f1b;
    long read_kb = rss1 - rss0, all_kb = (long)(len / 1024);
    printf("\nread every page first, then write it (one run):\n");
    printf("  reads:  %ld faults, and Rss grew by %ld of %ld kB\n", reads,
           read_kb, all_kb);
    printf("  writes: %ld faults\n", writes);
    printf("  %.2f faults per page, and the pages read as %d before the "
           "writes\n",
           (double)(reads + writes) / (double)npages, sum);
    if (read_kb <= all_kb / 8 && writes >= (long)npages / 2)
        printf("so the reads mapped the shared zero page (read-only, not in "
               "Rss) and %ld writes faulted again for pages of their own:\n"
               "this kernel maps the zero page on read faults, and reading "
               "a buffer before filling it costs two faults per page\n",
               writes);
    else if (read_kb >= all_kb - all_kb / 8 && writes <= (long)npages / 8)
        printf("so the reads mapped %ld kB of private zeroed pages (in Rss), "
               "already writable, and the writes took %ld faults:\n"
               "this kernel does not map the shared zero page on read "
               "faults, and reading before writing costs nothing extra\n",
               read_kb, writes);
    else
        printf("so neither case is clean here (the zero page: no Rss for "
               "the reads and a fault per write; private pages: the "
               "reverse):\nsomething else was at work (memory pressure, "
               "a tool)\n");
    enum wb_fact z = wb_probe_zero_page();
    printf("(the probe, measured separately, says zero_page=%s)\n",
           z == WB_YES  ? "yes"
           : z == WB_NO ? "no"
                        : "unknown");
    /* [zero] */
    if (munmap(p, len) == -1)
        wb_die("munmap");
    return 0;
}
