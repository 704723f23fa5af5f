/*
 * rfp_vma_cost.c: since Linux 4.0 every rearranged run of pages of
 * remap_file_pages(2) is a VMA of its own (reversing a region page by page
 * makes one VMA per page).
 *
 * Maps PAGES pages of a memfd MAP_SHARED (one VMA) and reverses them with
 * remap_file_pages(), one call per page: file page PAGES-1-i into region
 * page i. The nonlinear mappings of old did this in the page tables alone;
 * the emulation that replaced them calls mmap(MAP_FIXED|MAP_POPULATE) for
 * you, so the region ends up as PAGES VMAs, every one counted against
 * vm.max_map_count. It times the calls, checks every page, shows that the
 * pages arrive already mapped (no faults on touching them), and puts the
 * region back in order with one call, which merges the VMAs again. Then the
 * same reversal with mmap(MAP_FIXED), for comparison.
 *
 * With -l it goes to the limit: it scatters pages of a three-page memfd over
 * a region longer than vm.max_map_count pages until the kernel refuses with
 * ENOMEM. Under Valgrind remap_file_pages is ENOSYS and only the MAP_FIXED
 * part runs; -l is not attempted there (Valgrind's own table of segments is
 * far smaller than vm.max_map_count). Built with AddressSanitizer (make
 * sanitize), touching a page also reads ASan's shadow memory, whose pages
 * fault in once per 8 pages of ours (one more where the region straddles
 * a shadow page): the demo says so.
 *
 * Usage: rfp_vma_cost [-h] [-F] [-l] [PAGES]     PAGES 2..65536, default 256
 * Tour: 256
 * Tour: -l
 * Man pages: remap_file_pages(2), mmap(2), proc(5), getrusage(2); the kernel's
 * Documentation/admin-guide/sysctl/vm.rst (max_map_count)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LABEL 12 /* bytes of the label at the start of each file page */

static size_t ps;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A duration in the unit that suits it, e.g. "1.25 ms". */
static const char *dur(double s, char *buf, size_t size)
{
    if (s >= 1)
        snprintf(buf, size, "%.2f s", s);
    else if (s >= 1e-3)
        snprintf(buf, size, "%.2f ms", s * 1e3);
    else
        snprintf(buf, size, "%.2f us", s * 1e6);
    return buf;
}

static void report_time(size_t calls, double s)
{
    char a[32], b[32];
    printf("  %zu calls took %s (%s per call)\n", calls, dur(s, a, sizeof a),
           dur(s / (double)calls, b, sizeof b));
}

/* The process's VMAs: the lines of /proc/self/maps, less [vsyscall], which
 * the kernel shows there but does not count as one of the process's maps. */
static long process_vmas(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char line[4096];
    long n = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, "[vsyscall]") == NULL)
            n++;
    fclose(f);
    return n;
}

static long max_map_count(void)
{
    FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
    long v;
    if (f == NULL)
        wb_die("open /proc/sys/vm/max_map_count");
    if (fscanf(f, "%ld", &v) != 1)
        wb_fatal("/proc/sys/vm/max_map_count: not a number");
    fclose(f);
    return v;
}

/* The label at the start of file page K: "page 000042|" (LABEL bytes). */
static const char *label_of(size_t k, char buf[static 32])
{
    snprintf(buf, 32, "page %06zu|", k % 1000000);
    return buf;
}

static int labelled_memfd(size_t pages)
{
    int fd = memfd_create("rfp_vma_cost", MFD_CLOEXEC);
    if (fd == -1)
        wb_die("memfd_create");
    if (ftruncate(fd, (off_t)(pages * ps)) == -1)
        wb_die("ftruncate");
    for (size_t k = 0; k < pages; k++) {
        char label[32];
        if (pwrite(fd, label_of(k, label), LABEL, (off_t)(k * ps)) != LABEL)
            wb_die("write the memfd");
    }
    return fd;
}

static char *map_linear(int fd, size_t pages)
{
    char *p = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu pages", pages);
    return p;
}

/* Every region page i must start with the label of file page n-1-i. */
static void check_reversed(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char label[32];
        if (memcmp(p + i * ps, label_of(n - 1 - i, label), LABEL) != 0)
            wb_fatal("region page %zu does not show file page %zu", i,
                     n - 1 - i);
    }
    printf("  checked every page: region page i shows file page %zu-i\n",
           n - 1);
}

static long touch_all(const char *p, size_t n)
{
    long before = wb_minor_faults();
    for (size_t i = 0; i < n; i++)
        (void)*(const volatile char *)(p + i * ps);
    return wb_minor_faults() - before;
}

static int memfd; /* the file behind every mapping */

/* Place file page FPAGE at region page I: 0, or -1 with errno. */
static int place(char *p, size_t i, size_t fpage, bool fixed)
{
    if (!fixed)
        return remap_file_pages(p + i * ps, ps, 0, fpage, 0);
    return mmap(p + i * ps, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                memfd, (off_t)(fpage * ps)) == MAP_FAILED
               ? -1
               : 0;
}

/* Reverse the region page by page; false when remap_file_pages is ENOSYS. */
static bool reverse(char *p, size_t n, bool fixed)
{
    double t0 = now();
    /* [reverse] */
    for (size_t i = 0; i < n; i++) {
        if (place(p, i, n - 1 - i, fixed) == -1) {
            if (!fixed && i == 0 && errno == ENOSYS)
                return false;
            wb_die("%s at region page %zu",
                   fixed ? "mmap MAP_FIXED" : "remap_file_pages", i);
        }
    }
    /* [reverse] */
    report_time(n, now() - t0);
    printf("  VMAs over the region: %d\n", wb_count_vmas(p, n * ps));
    long faults = touch_all(p, n);
    printf("  touching every page afterwards: %ld minor faults%s\n", faults,
           faults == 0 ? " (every page was mapped already)"
           : (size_t)faults >= n
               ? " (at least one per page: none was mapped yet)"
               : "");
    if (wb_on_asan())
        printf("  (built with AddressSanitizer: add one fault per 8 pages, "
               "plus one, for its shadow memory)\n");
    check_reversed(p, n);
    return true;
}

/* -l: scatter pages until the kernel says no. */
static void to_the_limit(bool fixed)
{
    long max = max_map_count();
    printf("-l: vm.max_map_count is %ld (/proc/sys/vm/max_map_count)\n", max);
    if (wb_on_valgrind()) {
        printf("under Valgrind: not attempted (Valgrind keeps its own table "
               "of segments, far smaller than that, and aborts when it is "
               "full)\n");
        return;
    }
    size_t n = (size_t)max + 64;
    memfd = labelled_memfd(3);
    char *p = map_linear(memfd, n);
    printf("a memfd of 3 pages under a MAP_SHARED region of %zu pages "
           "(one VMA; the process has %ld)\n",
           n, process_vmas());
    printf("%s page by page, alternating file pages 0 and 2, so that no two "
           "neighbours can merge:\n",
           fixed ? "mmap(MAP_FIXED)" : "remap_file_pages");
    size_t i;
    for (i = 0; i < n; i++)
        if (place(p, i, (i % 2) * 2, fixed) == -1)
            break;
    if (i == n) {
        printf("  all %zu pages placed: the limit was not reached\n", n);
    } else {
        printf("  region page %zu: %s, after %zu calls that worked\n", i,
               wb_errname(errno), i);
        long now_vmas = process_vmas();
        printf("  the process now has %ld VMAs; vm.max_map_count is %ld "
               "(%+ld)\n",
               now_vmas, max, now_vmas - max);
        struct wb_vma v;
        if (wb_vma_of(p + i * ps, &v) == 0) {
            /* Before the call, region page i showed file page i. */
            unsigned long long off =
                v.offset + (unsigned long long)(p + i * ps - (char *)v.start);
            unsigned long long before = (unsigned long long)i * ps;
            if (off == before)
                printf("  region page %zu is still mapped, at file offset "
                       "%#llx as before\n",
                       i, off);
            else
                printf("  region page %zu is still mapped, at file offset "
                       "%#llx, not %#llx as before\n",
                       i, off, before);
        }
    }
    if (munmap(p, n * ps) == -1)
        wb_die("munmap");
    printf("munmap of the whole region: the process is back to %ld VMAs\n",
           process_vmas());
    close(memfd);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-F] [-l] [PAGES]");
    bool fixed = false, limit = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hFl")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'F': fixed = true; break;
        case 'l': limit = true; break;
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind > 1 || (limit && argc - optind > 0))
        wb_usage("too many arguments");
    ps = wb_page_size();
    if (limit) {
        to_the_limit(fixed);
        return 0;
    }
    size_t n = optind < argc
                   ? (size_t)wb_long_arg(argv[optind], "pages", 2, 65536)
                   : 256;

    memfd = labelled_memfd(n);
    printf("a memfd of %zu pages, each labelled with its page number; "
           "vm.max_map_count is %ld\n",
           n, max_map_count());
    char *p = map_linear(memfd, n);
    printf("linear: mmap(%zu pages, MAP_SHARED): %d VMA over the region\n", n,
           wb_count_vmas(p, n * ps));

    if (fixed)
        printf("-F: remap_file_pages not called\n");
    else {
        printf("reverse it with remap_file_pages, one call per page "
               "(file page %zu-i -> region page i):\n",
               n - 1);
        if (!reverse(p, n, false)) {
            printf("  remap_file_pages: ENOSYS: %s; only the MAP_FIXED "
                   "route below\n",
                   wb_on_valgrind() ? "Valgrind does not implement it"
                                    : "not available (a kernel without it, or "
                                      "a seccomp filter)");
        } else {
            printf("put back in order with one call, "
                   "remap_file_pages(addr, %zu*ps, 0, 0, 0):\n",
                   n);
            if (remap_file_pages(p, n * ps, 0, 0, 0) == -1)
                wb_die("remap_file_pages of the whole region");
            int vmas = wb_count_vmas(p, n * ps);
            printf("  VMAs over the region: %d%s\n", vmas,
                   vmas == 1 ? " (merged into one again)" : "");
        }
    }
    if (munmap(p, n * ps) == -1)
        wb_die("munmap");

    p = map_linear(memfd, n);
    printf("the same reversal with mmap(MAP_FIXED) over a fresh linear "
           "mapping:\n");
    reverse(p, n, true);
    int vmas = wb_count_vmas(p, n * ps);
    double t0 = now();
    if (munmap(p, n * ps) == -1)
        wb_die("munmap");
    char a[32];
    printf("munmap of the %d-VMA region took %s\n", vmas,
           dur(now() - t0, a, sizeof a));

    long used = process_vmas(), max = max_map_count();
    printf("this process has %ld VMAs; at one VMA per page, vm.max_map_count "
           "leaves room for about %ld scattered pages (%ld MiB)\n",
           used, max - used, (max - used) * (long)ps >> 20);
    close(memfd);
    return 0;
}
