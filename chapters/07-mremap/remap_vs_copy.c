/*
 * remap_vs_copy.c: mremap moves page table entries; copy-and-grow faults every page.
 *
 * Fills SIZE bytes of anonymous memory (every page written), then doubles it
 * two ways and counts minor page faults (getrusage) and time for each:
 *   1. mremap with MREMAP_MAYMOVE, with a page of ours right after the region
 *      so the kernel has to move it: the kernel moves the page table entries,
 *      copies no data and takes no faults; reading every page afterwards
 *      takes no faults either, since the pages are still mapped;
 *   2. mmap a new region twice the size, memcpy, munmap the old: the copy
 *      faults in every destination page, one minor fault per page.
 * Then, natively, realloc of a malloc block of SIZE bytes: the demo reads
 * the block's VMA in /proc/self/maps before and after, and counts the
 * faults, and says what it saw (glibc serves a large block with a mapping of
 * its own and grows it with mremap: no copy faults; a block in the brk heap
 * grows in place or is copied).
 * Built with AddressSanitizer (make sanitize), every read also reads ASan's
 * shadow memory, one byte per 8, whose pages for the new addresses fault in
 * once per 8 pages of ours; and malloc is ASan's, whose realloc copies, so
 * step 3 is skipped as under Valgrind. The demo says so.
 * Both regions are marked MADV_NOHUGEPAGE so that the counts are of 4 KiB
 * pages whatever the transparent huge page setting. Times vary from run to
 * run and machine to machine; the fault counts are the part to compare.
 *
 * Usage: remap_vs_copy [-h] [SIZE]     SIZE 1M to 4G, K/M/G allowed (default 64M)
 * Tour: 64M
 * Man pages: mremap(2), getrusage(2), madvise(2), malloc(3)
 */
#include "wb.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Word k of the region holds k: a page moved to the wrong place shows. */
static void fill(uint64_t *w, size_t len)
{
    for (size_t k = 0; k < len / 8; k++)
        w[k] = k;
}

static size_t intact_pages(const uint64_t *w, size_t len)
{
    size_t per = wb_page_size() / 8, good = 0;
    for (size_t pg = 0; pg < len / wb_page_size(); pg++) {
        size_t k = pg * per;
        while (k < (pg + 1) * per && w[k] == k)
            k++;
        good += k == (pg + 1) * per;
    }
    return good;
}

static char *map_anon(void *at, size_t len, int prot, int extra)
{
    char *p = mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu bytes", len);
    if (prot != PROT_NONE)
        madvise(p, len, MADV_NOHUGEPAGE); /* advice only: ignore a refusal */
    return p;
}

/* Where a malloc block lives: the brk heap, or a mapping outside it. */
static const char *where(const struct wb_vma *v)
{
    if (strcmp(v->path, "[heap]") == 0)
        return "[heap], the brk area";
    if (v->path[0] == '\0')
        return "an anonymous mapping, not the brk heap";
    return v->path;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [SIZE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t len =
        wb_round_up((i < argc) ? wb_size_arg(argv[i], "size") : 64 << 20);
    if (len < ((size_t)1 << 20) || len > ((size_t)1 << 32))
        wb_usage("size must be between 1M and 4G");
    size_t ps = wb_page_size(), pages = len / ps;
    printf("region: %zu pages (%zu KiB), every page written\n", pages,
           len / 1024);

    now_ms(); /* the clock's first call faults in the vDSO data page: not ours to count */

    /* A reservation: the region, then one PROT_NONE page that blocks growth. */
    char *res = map_anon(NULL, len + ps, PROT_NONE, 0);
    char *old = map_anon(res, len, PROT_READ | PROT_WRITE, MAP_FIXED);
    fill((uint64_t *)old, len);
    /* The first call of mremap() goes through the dynamic linker, which
     * binds the symbol then (lazy binding) on a deep stack that can fault a
     * page of its own: make that first call here, uncounted, as a no-op
     * (the blocking page, same size, not moved). */
    if (mremap(res + len, ps, ps, 0) == MAP_FAILED)
        wb_die("mremap (first call)");

    printf("1. mremap %zu -> %zu pages, MREMAP_MAYMOVE\n", pages, 2 * pages);
    long f0 = wb_minor_faults();
    double t0 = now_ms();
    char *moved = mremap(old, len, 2 * len, MREMAP_MAYMOVE);
    double t1 = now_ms();
    long f1 = wb_minor_faults();
    if (moved == MAP_FAILED)
        wb_die("mremap");
    size_t good = intact_pages((uint64_t *)moved, len);
    long f2 = wb_minor_faults();
    printf("  result: %s\n",
           moved != old ? "moved" : "grew in place (unexpected)");
    printf("  minor faults during mremap: %ld\n", f1 - f0);
    printf("  minor faults reading all %zu pages at the new address: %ld\n",
           pages, f2 - f1);
    if (wb_on_asan())
        printf("  (built with AddressSanitizer: those are its shadow memory's, "
               "one per 8 pages read, not ours)\n");
    printf("  contents: %zu of %zu pages intact\n", good, pages);
    printf("  time: %.3f ms\n", t1 - t0);
    if (munmap(moved, 2 * len) == -1 || munmap(res + len, ps) == -1)
        wb_die("munmap");

    printf(
        "2. copy-and-grow: mmap %zu pages, memcpy %zu pages, munmap the old\n",
        2 * pages, pages);
    old = map_anon(NULL, len, PROT_READ | PROT_WRITE, 0);
    fill((uint64_t *)old, len);
    f0 = wb_minor_faults();
    t0 = now_ms();
    /* [copy] */
    char *copy = map_anon(NULL, 2 * len, PROT_READ | PROT_WRITE, 0);
    memcpy(copy, old, len);
    if (munmap(old, len) == -1)
        wb_die("munmap");
    /* [copy] */
    t1 = now_ms();
    f1 = wb_minor_faults();
    printf("  minor faults during the copy: %ld\n", f1 - f0);
    printf("  contents: %zu of %zu pages intact\n",
           intact_pages((uint64_t *)copy, len), pages);
    printf("  time: %.3f ms\n", t1 - t0);
    if (munmap(copy, 2 * len) == -1)
        wb_die("munmap");

    printf("3. realloc of a %zu KiB malloc block to twice the size\n",
           len / 1024);
    if (wb_on_valgrind()) {
        printf("  skipped: under Valgrind malloc is Valgrind's own, and its "
               "realloc copies\n");
        return 0;
    }
    if (wb_on_asan()) {
        printf("  skipped: built with AddressSanitizer, malloc is ASan's own, "
               "and its realloc copies\n");
        return 0;
    }
    char *m = malloc(len);
    if (m == NULL)
        wb_die("malloc");
    fill((uint64_t *)m, len);
    struct wb_vma before, after;
    if (wb_vma_of(m, &before) == -1)
        wb_fatal("the malloc block is in no VMA");
    f0 = wb_minor_faults();
    char *m2 = realloc(m, 2 * len);
    f1 = wb_minor_faults();
    if (m2 == NULL)
        wb_die("realloc");
    if (wb_vma_of(m2, &after) == -1)
        wb_fatal("the realloc'd block is in no VMA");
    printf("  before: the block is in %s\n", where(&before));
    printf("  after:  the block is in %s, %s\n", where(&after),
           m2 == m ? "at the same address" : "at a new address");
    long f = f1 - f0;
    printf("  minor faults during realloc: %ld\n", f);
    printf("  contents: %zu of %zu pages intact\n",
           intact_pages((uint64_t *)m2, len), pages);
    /* A copy faults in every destination page, or every huge page where
     * THP serves the new block: at least pages/512 faults either way. */
    bool no_copy = f == 0 || (size_t)f * 512 < pages;
    bool mapped = before.path[0] == '\0' && after.path[0] == '\0';
    if ((size_t)f >= pages)
        printf("  => a fault per page or more: realloc copied the block\n");
    else if (no_copy && mapped && m2 != m)
        printf("  => it moved to a new address with no copy faults: only "
               "mremap moves pages, so glibc\n     grew its mapping with "
               "mremap\n");
    else if (no_copy && mapped)
        printf("  => it grew in place with no copy faults (mremap, or room "
               "after the mapping)\n");
    else if (no_copy && m2 == m)
        printf("  => it grew in place in the brk heap: nothing to copy\n");
    else
        printf("  => fewer faults than pages: this run does not say how it "
               "grew\n");
    free(m2);
    return 0;
}
