/*
 * fixed_clobber.c: MAP_FIXED over live data discards it, with no error and no trace.
 *
 * Maps 4 pages of private anonymous memory and fills every byte of page k
 * with the letter 'A'+k: this is the data a program cares about. Then it
 * calls mmap() with MAP_FIXED for COUNT pages starting at page FIRST
 * (default: pages 1 and 2), as a buggy library would when it "knows" an
 * address is free. mmap() succeeds and returns exactly that address. The
 * kernel has unmapped the old pages first (mmap(2): "the overlapped part of
 * the existing mapping(s) will be discarded") and put fresh zero pages in
 * their place. The demo prints the maps lines before and after, counts
 * the bytes of each page that still hold what was written, and reports how
 * many were lost.
 *
 * Usage: fixed_clobber [-h] [FIRST COUNT]   pages FIRST..FIRST+COUNT-1 of 4
 * Tour:
 * Tour: 3 1
 * Man pages: mmap(2), munmap(2), proc(5)
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define NPAGES 4

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [FIRST COUNT]");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 0 && argc - i != 2)
        wb_usage("give both FIRST and COUNT, or neither");
    long first = 1, count = 2;
    if (argc - i == 2) {
        first = wb_long_arg(argv[i], "first", 0, NPAGES - 1);
        count = wb_long_arg(argv[i + 1], "count", 1, NPAGES - first);
    }
    size_t ps = wb_page_size();
    size_t len = NPAGES * ps;

    /*
     * Map a page either side too and give them back, so that no neighbour
     * of ours merges with the data's VMA and its maps line is its own.
     */
    char *data = mmap(NULL, len + 2 * ps, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        wb_die("mmap %d pages", NPAGES + 2);
    if (munmap(data, ps) == -1 || munmap(data + ps + len, ps) == -1)
        wb_die("munmap the pages either side");
    data += ps;

    for (int k = 0; k < NPAGES; k++)
        memset(data + (size_t)k * ps, 'A' + k, ps);
    printf("%d pages of private anonymous memory, every byte of page k set "
           "to 'A'+k\n",
           NPAGES);
    wb_print_vmas("data", data, len);
    struct wb_vma before, after;
    if (wb_vma_of(data, &before) == -1)
        wb_fatal("no VMA holds the data");

    /* [clobber] */
    char *want = data + (size_t)first * ps;
    char *got = mmap(want, (size_t)count * ps, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (got == MAP_FAILED)
        wb_die("mmap MAP_FIXED");
    /* [clobber] */
    printf("mmap(data + %ld page(s), %ld page(s), PROT_READ|PROT_WRITE, "
           "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED): ok, returned data + %ld "
           "page(s)\n",
           first, count, (long)((got - data) / (long)ps));
    wb_print_vmas("data", data, len);
    if (wb_vma_of(data, &after) == -1)
        wb_fatal("no VMA holds the data");
    bool same = before.start == after.start && before.end == after.end &&
                strcmp(before.perms, after.perms) == 0;
    printf("  VMAs: %d%s\n", wb_count_vmas(data, len),
           same ? ", the same line as before: maps shows no trace of it" : "");

    /* [count] */
    size_t lost = 0;
    printf("what each page holds now:\n");
    for (int k = 0; k < NPAGES; k++) {
        const char *pg = data + (size_t)k * ps;
        size_t intact = 0;
        for (size_t b = 0; b < ps; b++)
            intact += pg[b] == 'A' + k;
        lost += ps - intact;
        if (pg[0] == '\0')
            printf("  page %d: zeros, %zu of %zu bytes as written\n", k, intact,
                   ps);
        else
            printf("  page %d: '%c', %zu of %zu bytes as written\n", k, pg[0],
                   intact, ps);
    }
    /* [count] */
    printf("lost %zu bytes (%zu page(s)); mmap() reported no error\n", lost,
           lost / ps);

    if (munmap(data, len) == -1)
        wb_die("munmap");
    return 0;
}
