/*
 * lazy_alloc.c: mmap only reserves addresses; pages arrive one fault at a time.
 *
 * Maps PAGES pages (default 1024) of private anonymous memory and, after
 * each step, prints three counters: the pages of the mapping that mincore(2)
 * calls resident, the minor faults the step cost (getrusage(2)), and how
 * many pages of its own the mapping gained (its Rss line in
 * /proc/self/smaps, which walks the page tables: exact on every kernel,
 * unlike the process-wide counters of /proc/self/statm). The steps: nothing
 * yet; write one byte in each page of the first quarter; read one byte in
 * each page of the second quarter; write to every page; then
 * madvise(MADV_DONTNEED), after which the memory is gone and every page
 * reads as zero again.
 *
 * What the reads cost depends on the kernel. Most kernels map their one
 * shared zero page there: resident to mincore, but no new memory, and each
 * later write faults again to replace it. Some kernels do not map the zero
 * page: each read then gets a zeroed page of its own, as a write would. The
 * demo tells which case it saw from the mapping's Rss, and compares with
 * the machine probe, wb_probe_zero_page() (make doctor).
 *
 * The mapping gets MADV_NOHUGEPAGE first: with transparent huge pages, one
 * write could fault in a whole 2 MiB huge page (512 pages), and since Linux
 * 6.8 a multi-size THP folio of 16 KiB to 1 MiB, and the counts would no
 * longer follow the pages touched. The demo prints what one write fault maps
 * on this machine without the advice (wb_probe_anon_fault_pages()).
 *
 * Built with AddressSanitizer (make sanitize), every access also reads
 * ASan's shadow memory (more minor faults): the demo says so.
 *
 * Usage: lazy_alloc [-h] [PAGES]      PAGES from 4 to 65536
 * Tour:
 * Man pages: mmap(2), mincore(2), getrusage(2), madvise(2), proc(5)
 *            (/proc/PID/smaps)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *map; /* the mapping under study */
static size_t npages, len;

struct counters {
    size_t resident; /* pages of the mapping resident, per mincore */
    long faults;     /* minor faults so far */
    long rss;        /* pages of the mapping's own: its Rss in smaps */
};

static struct counters now(void)
{
    struct counters c;
    c.faults = wb_minor_faults();
    c.rss = wb_smaps_kb(map, "Rss") * 1024 / (long)wb_page_size();
    c.resident = wb_resident_pages(map, len);
    return c;
}

/* Print one row: the state now and what changed since *prev. Returns the
 * change. */
static struct counters row(const char *step, struct counters *prev)
{
    struct counters c = now(), d;
    d.resident = c.resident;
    d.faults = c.faults - prev->faults;
    d.rss = c.rss - prev->rss;
    printf("%-32s %5zu of %zu pages %+8ld %+11ld pages\n", step, c.resident,
           npages, d.faults, d.rss);
    /* Measure again so the next row does not count this row's printing. */
    *prev = now();
    return d;
}

/* What the reads of the second quarter did, from the mapping's own Rss
 * (smaps: the zero page is not counted, a private page is), next to what
 * the machine probe found. */
static void explain_reads(long got, size_t q, long extra)
{
    enum wb_fact seen = WB_UNKNOWN;
    printf("reads: of the %zu pages read, %ld became the mapping's own "
           "(Rss):\n",
           q, got);
    if (got * 4 <= (long)q) { /* (almost) none: under ASan, a stray page */
        seen = WB_YES;
        printf("  they map the kernel's shared zero page, which mincore "
               "counts as resident and Rss does not,\n  and writing all "
               "pages then cost %ld faults more than the %zu never touched, "
               "to replace the zero page\n",
               extra, npages - 2 * q);
    } else if (got * 4 >= 3 * (long)q) {
        seen = WB_NO;
        printf("  this kernel does not map the shared zero page on a read "
               "fault of anonymous memory; it allocates a zeroed page, as a "
               "write does,\n  and "
               "writing all pages then cost %ld faults more than the %zu "
               "never touched\n",
               extra, npages - 2 * q);
    } else {
        printf("  neither none (the shared zero page) nor all (private "
               "pages): something else touched this memory\n");
    }
    wb_compare_zero_page(seen);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages =
        (i < argc) ? (size_t)wb_long_arg(argv[i], "pages", 4, 65536) : 1024;
    size_t ps = wb_page_size();
    len = npages * ps;
    size_t q = npages / 4;
    char step[64];

    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    if (map == MAP_FAILED)
        wb_die("mmap %zu bytes", len);
    printf("mapped %zu pages (%zu KiB) of private anonymous memory\n", npages,
           len / 1024);
    size_t k = wb_probe_anon_fault_pages();
    if (madvise(map, len, MADV_NOHUGEPAGE) == 0)
        printf("MADV_NOHUGEPAGE set: no huge page, no multi-size THP folio: "
               "a fault maps one %zu-byte page at most\n",
               ps);
    else if (errno == EINVAL) /* a kernel built without THP */
        printf("MADV_NOHUGEPAGE: EINVAL, no huge pages to avoid: a fault maps "
               "at most one %zu-byte page\n",
               ps);
    else
        wb_die("madvise MADV_NOHUGEPAGE");
    if (k == 1)
        printf("(without the advice, one write fault on fresh memory maps 1 "
               "page here, or a 2 MiB huge page where THP applies; make "
               "doctor)\n\n");
    else
        printf("(without the advice, one write fault on fresh memory maps %zu "
               "pages here, a multi-size THP folio (Linux 6.8+),\n or a 2 "
               "MiB huge page where THP applies; make doctor)\n\n",
               k);

    if (wb_on_asan())
        printf("note: built with AddressSanitizer: each access also reads "
               "ASan's shadow memory (more minor faults)\n\n");
    printf("%-32s %-17s %8s %17s\n", "step", "resident(mincore)", "minflt",
           "own pages(Rss)");
    (void)now(); /* the first call warms up malloc */
    struct counters prev = now();
    row("after mmap", &prev);

    for (size_t pg = 0; pg < q; pg++)
        map[pg * ps] = 'w';
    snprintf(step, sizeof step, "after writing pages 0..%zu", q - 1);
    row(step, &prev);

    volatile char sink = 0;
    for (size_t pg = q; pg < 2 * q; pg++)
        sink += map[pg * ps];
    snprintf(step, sizeof step, "after reading pages %zu..%zu", q, 2 * q - 1);
    long got = row(step, &prev).rss;

    for (size_t pg = 0; pg < npages; pg++)
        map[pg * ps] = 'w';
    snprintf(step, sizeof step, "after writing all %zu pages", npages);
    long extra = row(step, &prev).faults - (long)(npages - 2 * q);

    if (madvise(map, len, MADV_DONTNEED) == -1)
        wb_die("madvise MADV_DONTNEED");
    row("after MADV_DONTNEED", &prev);

    printf("\n");
    explain_reads(got, q, extra);

    size_t nonzero = 0;
    for (size_t b = 0; b < len; b++)
        nonzero += map[b] != 0;
    printf("after MADV_DONTNEED: %zu non-zero bytes of %zu (%s)\n", nonzero,
           len,
           nonzero == 0 ? "the writes are gone; the pages read as zero"
                        : "some writes survived");

    if (munmap(map, len) == -1)
        wb_die("munmap");
    (void)sink;
    return 0;
}
