/*
 * ex1_resident.c: draw which pages of a mapping are resident (solution).
 *
 * A fresh private anonymous mapping has no pages at all; each first write
 * faults exactly one page in (MADV_NOHUGEPAGE keeps transparent huge pages
 * from bringing in 512 at once, and multi-size THP, Linux 6.8+, from
 * bringing in 4 to 256), and mincore(2) reports, per page, whether it is
 * there. See exercises/02-private-anonymous/ex1_resident.c for the task.
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define MAX_PAGES 4096

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] NPAGES [PAGE...]");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 1)
        wb_usage("expected NPAGES");
    size_t npages = (size_t)wb_long_arg(argv[i], "npages", 1, MAX_PAGES);
    /* Check every index before touching anything. */
    for (int k = i + 1; k < argc; k++)
        wb_long_arg(argv[k], "page", 0, (long)npages - 1);

    size_t ps = wb_page_size();
    size_t len = npages * ps;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu pages", npages);
    if (madvise(p, len, MADV_NOHUGEPAGE) == -1 && errno != EINVAL)
        wb_die("madvise MADV_NOHUGEPAGE");

    for (int k = i + 1; k < argc; k++) {
        size_t page = (size_t)wb_long_arg(argv[k], "page", 0, (long)npages - 1);
        p[page * ps] = 1;
    }

    unsigned char vec[MAX_PAGES];
    if (mincore(p, len, vec) == -1)
        wb_die("mincore");
    char line[MAX_PAGES + 2];
    for (size_t pg = 0; pg < npages; pg++)
        line[pg] = (vec[pg] & 1) ? '#' : '.';
    line[npages] = '\n';
    line[npages + 1] = '\0';
    fputs(line, stdout);

    if (munmap(p, len) == -1)
        wb_die("munmap");
    return 0;
}
