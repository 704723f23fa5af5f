/*
 * thp_faults.c: a transparent huge page is one fault for 512 small pages.
 *
 * Reserves SIZE bytes (default 8M, a multiple of 2M) of private anonymous
 * memory at an address that is a multiple of 2 MiB, gives it one piece of
 * advice, writes one byte into every 4 KiB page and counts the minor faults,
 * the time, and the AnonHugePages of the mapping in /proc/self/smaps. Then it
 * reads 8-byte words at pseudo-random places all over the region, where the
 * TLB, not the faults, sets the price. Two advices are compared:
 * MADV_NOHUGEPAGE (4 KiB pages: one fault per page) and MADV_HUGEPAGE (with
 * THP enabled, one fault maps a whole 2 MiB page: 512 times fewer).
 *
 * What the kernel does depends on /sys/kernel/mm/transparent_hugepage/enabled
 * ("always", "madvise" or "never"), which the demo prints; since Linux 6.8
 * the 2 MiB size has its own switch, hugepages-2048kB/enabled, and the
 * top-level file decides for 2 MiB pages only while that switch says
 * "inherit" (the default). When it says anything else the demo prints it
 * too. The verdict comes from what the demo measured: AnonHugePages as large
 * as the region means huge pages. Otherwise the fault count decides: one
 * fault per 4 KiB page outside AnonHugePages means the rest fell back to
 * small pages, and the demo says why if the setting for 2 MiB pages is
 * "never" (or the kernel has no THP), or else suggests no free 2 MiB blocks;
 * fewer faults than that mean pages of a smaller THP size (mTHP, Linux 6.8),
 * which AnonHugePages does not count, and the demo says so. Last, it tries the
 * other kind of huge page, hugetlbfs (MAP_HUGETLB), which needs pages
 * reserved in advance (/proc/sys/vm/nr_hugepages) and fails with ENOMEM when
 * there are none. RUNS runs (default 3) of each, times are medians.
 *
 * Usage: thp_faults [-h] [SIZE [RUNS]]   SIZE 2M..1G in steps of 2M, RUNS 1..20
 * Tour:
 * Man pages: madvise(2), mmap(2), proc(5), getrusage(2)
 */
#include "wb.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define NO_ASAN __attribute__((no_sanitize_address))
#define HUGE    ((size_t)2 << 20)
#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
enum { READS = 1 << 18 };

/* The first line of a sysfs or procfs file, or "" when there is none. */
static void first_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    if (fgets(buf, (int)size, f) == NULL)
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* The word in brackets of a sysfs choice ("always [madvise] never"), or "". */
static void chosen(const char *line, char *out, size_t size)
{
    out[0] = '\0';
    const char *a = strchr(line, '[');
    const char *b = a != NULL ? strchr(a, ']') : NULL;
    if (b != NULL && (size_t)(b - a) <= size) {
        memcpy(out, a + 1, (size_t)(b - a - 1));
        out[b - a - 1] = '\0';
    }
}

NO_ASAN static void write_pages(volatile char *p, size_t len, size_t ps)
{
    for (size_t off = 0; off < len; off += ps)
        p[off] = 1;
}

/* READS loads of 8-byte words at pseudo-random places (a fixed LCG). Each
 * address depends on the word loaded before it (a zero, but the CPU cannot
 * know that), so the loads cannot overlap: each pays its cache and TLB miss
 * in full. */
NO_ASAN static uint64_t random_reads(const volatile uint64_t *w, size_t len)
{
    uint64_t x = 12345;
    size_t words = len / 8;
    for (int k = 0; k < READS; k++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL +
            w[(x >> 17) % words];
    return x;
}

struct result {
    long faults, huge_kb;
    double touch_us, read_us;
    int err; /* errno of a refused madvise, or 0 */
};

/* [one] */
static struct result one_run(size_t len, int advice)
{
    struct result r = {0, 0, 0, 0, 0};
    /* Over-allocate by 2 MiB and use the aligned part: a huge page can only
     * map a 2 MiB-aligned 2 MiB of the address space. */
    char *res = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED)
        wb_die("mmap %zu bytes", len + HUGE);
    char *p = (char *)(((uintptr_t)res + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
    if (madvise(p, len, advice) == -1)
        r.err = errno;

    long f0 = wb_minor_faults();
    double t0 = wb_now_us();
    write_pages(p, len, wb_page_size());
    double t1 = wb_now_us();
    r.faults = wb_minor_faults() - f0;
    r.touch_us = t1 - t0;
    r.huge_kb = wb_smaps_kb(p, "AnonHugePages");
    /* [one] */
    t0 = wb_now_us();
    (void)random_reads((const uint64_t *)p, len);
    r.read_us = wb_now_us() - t0;
    if (munmap(res, len + HUGE) == -1)
        wb_die("munmap");
    return r;
}

static struct result measure(size_t len, int advice, int runs)
{
    double touch[20] = {0}, reads[20] = {0};
    struct result r = one_run(len, advice); /* warm-up */
    for (int k = 0; k < runs; k++) {
        r = one_run(len, advice);
        touch[k] = r.touch_us;
        reads[k] = r.read_us;
    }
    wb_sort_doubles(touch, (size_t)runs);
    wb_sort_doubles(reads, (size_t)runs);
    r.touch_us = touch[runs / 2];
    r.read_us = reads[runs / 2];
    return r;
}

static void print_row(const char *name, const struct result *r)
{
    printf("  %-16s %7ld %10ld kB %10.2f ms %9.2f ms\n", name, r->faults,
           r->huge_kb < 0 ? 0 : r->huge_kb, r->touch_us / 1e3,
           r->read_us / 1e3);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [SIZE [RUNS]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    size_t len = i < argc ? wb_size_arg(argv[i], "size") : 4 * HUGE;
    if (len < HUGE || len > ((size_t)1 << 30) || len % HUGE != 0)
        wb_usage("size must be a multiple of 2M from 2M to 1G");
    int runs = i + 1 < argc ? (int)wb_long_arg(argv[i + 1], "runs", 1, 20) : 3;
    size_t ps = wb_page_size();

    char enabled[128], defrag[128], own[128], mode[32], own_mode[32];
    first_line(THP_DIR "enabled", enabled, sizeof enabled);
    first_line(THP_DIR "defrag", defrag, sizeof defrag);
    first_line(THP_DIR "hugepages-2048kB/enabled", own, sizeof own);
    printf("transparent huge pages: enabled \"%s\", defrag \"%s\"\n",
           enabled[0] ? enabled : "(no THP in this kernel)",
           defrag[0] ? defrag : "-");
    /* Since Linux 6.8 each THP size has its own switch; "enabled" decides
     * for 2 MiB pages only while theirs says "inherit". */
    chosen(enabled, mode, sizeof mode);
    chosen(own, own_mode, sizeof own_mode);
    int by_own = own_mode[0] != '\0' && strcmp(own_mode, "inherit") != 0;
    if (by_own) {
        printf("2 MiB pages: hugepages-2048kB/enabled \"%s\" decides for "
               "them, not \"enabled\"\n",
               own);
        snprintf(mode, sizeof mode, "%s", own_mode);
    }
    printf("region: %zu KiB at a 2 MiB boundary = %zu huge pages or %zu small "
           "ones\n",
           len / 1024, len / HUGE, len / ps);
    printf("each run: write one byte per 4 KiB page, then %d dependent "
           "random reads; %d run(s), medians\n\n",
           READS, runs);
    printf("  %-16s %7s %13s %13s %12s\n", "advice", "faults", "AnonHugePages",
           "first writes", "random reads");
    struct result small = measure(len, MADV_NOHUGEPAGE, runs);
    print_row("MADV_NOHUGEPAGE", &small);
    struct result huge = measure(len, MADV_HUGEPAGE, runs);
    print_row("MADV_HUGEPAGE", &huge);

    /* [verdict] */
    /* The part outside AnonHugePages took one fault per 4 KiB page if it
     * got small pages; fewer faults mean larger pages that AnonHugePages
     * does not count (a smaller THP size, since Linux 6.8). */
    size_t huge_bytes = huge.huge_kb > 0 ? (size_t)huge.huge_kb * 1024 : 0;
    size_t rest_kb = (len - (huge_bytes < len ? huge_bytes : len)) / 1024;
    long small_faults = (long)(rest_kb * 1024 / ps + huge_bytes / HUGE);
    int small_seen = huge.faults >= small_faults;
    if (huge.err != 0 && small_seen)
        printf("\nMADV_HUGEPAGE: %s: this kernel has no transparent huge "
               "pages; the second row used small pages\n",
               wb_errname(huge.err));
    else if (huge_bytes >= len)
        printf("\nhuge pages: %ld faults instead of %ld, %ld times fewer\n",
               huge.faults, small.faults,
               huge.faults > 0 ? small.faults / huge.faults : 0);
    else if (!small_seen)
        printf("\n%zu KiB outside AnonHugePages took %ld faults, fewer than "
               "its %zu small pages: pages of a smaller THP size (mTHP, see "
               "hugepages-*kB/enabled), which AnonHugePages does not count\n",
               rest_kb, huge.faults, rest_kb * 1024 / ps);
    else if (huge_bytes == 0 && strcmp(mode, "never") == 0)
        printf("\nTHP is \"never\" %shere: MADV_HUGEPAGE got no huge page; "
               "the second row fell back to small pages\n",
               by_own ? "for 2 MiB pages " : "");
    else
        printf("\nthe kernel fell back to small pages for %zu of %zu KiB (no "
               "free 2 MiB blocks? see thp_fault_fallback in /proc/vmstat)\n",
               rest_kb, len / 1024);
    /* [verdict] */

    char nr[32];
    first_line("/proc/sys/vm/nr_hugepages", nr, sizeof nr);
    char *h = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (h == MAP_FAILED) {
        printf("mmap(MAP_HUGETLB) of 2 MiB: %s", wb_errname(errno));
        if (errno == ENOMEM)
            printf(" (hugetlbfs pages reserved: /proc/sys/vm/nr_hugepages "
                   "is %s)",
                   nr[0] ? nr : "missing");
        printf("\n");
    } else {
        printf("mmap(MAP_HUGETLB) of 2 MiB: ok (nr_hugepages is %s)\n", nr);
        if (munmap(h, HUGE) == -1)
            wb_die("munmap");
    }
    return 0;
}
