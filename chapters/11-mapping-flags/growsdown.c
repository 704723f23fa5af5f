/*
 * growsdown.c: a MAP_GROWSDOWN mapping grows when you touch below it, until
 * it comes within the stack guard gap of the next mapping down.
 *
 * Reserves an area of GAP + 256 pages (GAP is the kernel's stack_guard_gap,
 * 256 pages unless the boot command line says otherwise), puts a 4-page
 * MAP_GROWSDOWN mapping at its top, and frees everything below it except
 * page 0. Then it writes below the mapping, 1 page and 100 pages down, and
 * prints the maps lines after each write: the VMA's start moves down to the
 * page touched. Next it makes page 0 readable, a neighbour the guard gap
 * applies to, and writes at the lowest page the gap allows (ok) and one page
 * lower (SIGSEGV, SEGV_MAPERR, and the VMA does not move), and says whether
 * the gap was kept: the VMA stopped right above it. Last it makes
 * page 0 PROT_NONE again and writes right above it: that works, the VMA
 * grows down to page 1, since the gap is kept only above a neighbour that
 * can be accessed. The demo also checks mmap(2)'s old claim that the
 * address returned is one page below the VMA: it is not, the VMA starts
 * exactly there.
 *
 * Usage: growsdown [-h]
 * Tour:
 * Man pages: mmap(2) (MAP_GROWSDOWN), getrlimit(2) (RLIMIT_STACK), proc(5);
 *            kernel-parameters (stack_guard_gap=)
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TOP_PAGES 4 /* the MAP_GROWSDOWN mapping as created */

static char *area; /* the whole area; maps lines are relative to it */
static size_t ps, total;

/* stack_guard_gap= from the boot command line, in pages; 256 if absent. */
static size_t guard_gap(bool *from_cmdline)
{
    size_t gap = 256;
    *from_cmdline = false;
    FILE *f = fopen("/proc/cmdline", "re");
    if (f == NULL)
        return gap;
    char line[4096];
    if (fgets(line, sizeof line, f) != NULL) {
        char *s = strstr(line, "stack_guard_gap=");
        if (s != NULL) {
            gap = strtoul(s + strlen("stack_guard_gap="), NULL, 0);
            *from_cmdline = true;
        }
    }
    fclose(f);
    return gap;
}

/* Write one byte at page PAGE of the area and show what became of it.
 * Returns the signal the write raised, or 0. */
static int touch(const char *what, size_t page)
{
    int sig = wb_try_write(area + page * ps, 'x');
    if (sig == 0)
        printf("write at area page %zu (%s): ok\n", page, what);
    else
        printf("write at area page %zu (%s): %s (%s)\n", page, what,
               wb_signame(sig), wb_last_fault_code());
    wb_print_vmas("area", area, total * ps);
    return sig;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();
    bool set;
    size_t gap = guard_gap(&set);
    printf("stack_guard_gap: %zu pages (%s)\n", gap,
           set ? "stack_guard_gap= on the kernel command line"
               : "the default since Linux 4.12");
    total = gap + 256;
    size_t top = total - TOP_PAGES; /* first page of the new mapping */

    area = mmap(NULL, total * ps, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (area == MAP_FAILED)
        wb_die("mmap the area");
    char *g =
        mmap(area + top * ps, TOP_PAGES * ps, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
    if (g == MAP_FAILED)
        wb_die("mmap MAP_GROWSDOWN");
    /* Read maps once before the hole exists, so that the stdio buffers
     * it needs are allocated now and cannot land in the hole later. */
    struct wb_vma v;
    if (wb_vma_of(g, &v) == -1)
        wb_fatal("no VMA at the new mapping");
    /* free pages 1 .. top-1: the mapping can only grow into a hole */
    if (munmap(area + ps, (top - 1) * ps) == -1)
        wb_die("munmap the hole");
    printf("a %zu-page area: page 0 PROT_NONE, pages 1-%zu free, "
           "MAP_GROWSDOWN mapping of %d pages at page %zu\n",
           total, top - 1, TOP_PAGES, top);
    printf("the VMA starts %s the address mmap() returned\n",
           v.start == (unsigned long)g ? "exactly at" : "elsewhere than");
    wb_print_vmas("area", area, total * ps);

    touch("1 page below the mapping", top - 1);
    touch("100 pages below the mapping", top - 100);

    if (mprotect(area, ps, PROT_READ) == -1)
        wb_die("mprotect page 0");
    printf("page 0 made PROT_READ: an accessible neighbour; is a gap of %zu "
           "pages kept above it?\n",
           gap);
    int edge = touch("the lowest the gap allows", 1 + gap);
    int inside = touch("one page lower, inside the gap", gap);
    if (wb_vma_of(g, &v) == -1)
        wb_fatal("no VMA at the mapping");
    size_t start = (v.start - (unsigned long)area) / ps;
    if (edge == 0 && inside != 0 && start == 1 + gap &&
        wb_count_vmas(area + ps, gap * ps) == 0)
        printf("yes: the VMA stopped at page %zu, and pages 1-%zu stay free\n",
               start, gap);
    else
        printf("no: the VMA starts at page %zu, not at page %zu\n", start,
               gap + 1);

    /* Does an inaccessible neighbour count? The kernel keeps the gap only
     * above mappings that can be accessed: try it. */
    if (mprotect(area, ps, PROT_NONE) == -1)
        wb_die("mprotect page 0");
    printf("page 0 made PROT_NONE again: is the gap still kept above it?\n");
    if (touch("right above page 0", 1) == 0)
        printf("no: the VMA grew down to page 1; a PROT_NONE neighbour does "
               "not count\n");
    else
        printf("yes: even a PROT_NONE neighbour keeps the gap here\n");

    if (munmap(area, total * ps) == -1)
        wb_die("munmap");
    return 0;
}
