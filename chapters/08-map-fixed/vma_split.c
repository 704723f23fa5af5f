/*
 * vma_split.c: mprotect, munmap and MAP_FIXED split VMAs, and the kernel merges them back.
 *
 * A VMA (one line of /proc/self/maps) is a run of pages with one protection,
 * one backing object and contiguous offsets. Change anything about pages in
 * the middle of it and the kernel must cut it in pieces; undo the change and
 * it glues the neighbours back together. The demo maps 5 pages of private
 * anonymous memory, then changes page PAGE (default 2) in four steps:
 * mprotect(PROT_READ), mprotect back to PROT_READ|PROT_WRITE, munmap, and a
 * MAP_FIXED mapping that fills the hole again. After each step it prints
 * the maps lines and counts the VMAs with wb_count_vmas(). Last it prints
 * vm.max_map_count, the sysctl that limits the number of VMAs a process
 * may have (the kernel's cut-off is within one of it; chapter 09 finds it).
 *
 * Usage: vma_split [-h] [PAGE]    PAGE 0..4, the page to change
 * Tour:
 * Tour: 0
 * Man pages: mprotect(2), munmap(2), mmap(2), proc(5)
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define NPAGES 5

static char *p;
static size_t ps;

static void show(const char *what)
{
    int n = wb_count_vmas(p, NPAGES * ps);
    printf("%s: %d VMA%s\n", what, n, n == 1 ? "" : "s");
    wb_print_vmas("vma", p, NPAGES * ps);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    long k = i < argc ? wb_long_arg(argv[i], "page", 0, NPAGES - 1) : 2;
    ps = wb_page_size();

    /* A page either side, given back, keeps neighbours from merging in. */
    p = mmap(NULL, (NPAGES + 2) * ps, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    if (munmap(p, ps) == -1 || munmap(p + (NPAGES + 1) * ps, ps) == -1)
        wb_die("munmap the pages either side");
    p += ps;
    memset(p, 'x', NPAGES * ps);
    char *pg = p + (size_t)k * ps;

    show("5 pages, private anonymous, rw");

    /* [split] */
    if (mprotect(pg, ps, PROT_READ) == -1)
        wb_die("mprotect PROT_READ");
    /* [split] */
    printf("\n");
    show("mprotect(page, PROT_READ)");

    if (mprotect(pg, ps, PROT_READ | PROT_WRITE) == -1)
        wb_die("mprotect PROT_READ|PROT_WRITE");
    printf("\n");
    show("mprotect(page, PROT_READ|PROT_WRITE) again");

    if (munmap(pg, ps) == -1)
        wb_die("munmap");
    printf("\n");
    show("munmap(page)");

    if (mmap(pg, ps, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        wb_die("mmap MAP_FIXED");
    printf("\n");
    show("mmap(page, PROT_READ|PROT_WRITE, "
         "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED)");
    size_t zeros = 0, xs = 0;
    for (size_t b = 0; b < ps; b++) {
        zeros += pg[b] == '\0';
        xs += pg[b] == 'x';
    }
    printf("the new page holds %zu zero bytes of %zu%s\n", zeros, ps,
           xs == 0 ? ": its 'x' bytes are gone" : "");

    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    long max;
    if (f != NULL && fscanf(f, "%ld", &max) == 1)
        printf("\nvm.max_map_count is %ld (/proc/sys/vm/max_map_count)\n", max);
    if (f != NULL)
        fclose(f);

    if (munmap(p, NPAGES * ps) == -1)
        wb_die("munmap");
    return 0;
}
