/*
 * ex1_resident.c: draw which pages of a mapping are resident (exercise).
 *
 * TASK
 *   ex1_resident NPAGES [PAGE...]
 * maps NPAGES pages of private anonymous memory, read and write, asks for
 * no transparent huge pages on it (madvise MADV_NOHUGEPAGE, which also rules
 * out the multi-size THP folios of Linux 6.8+), writes one
 * byte into each page whose index is listed (0 is the first page; an index
 * may be listed more than once), and then prints, on one line, what
 * mincore(2) says about every page of the mapping: '#' for a resident page,
 * '.' for one that is not. Nothing else goes to standard output. Example:
 *   $ ex1_resident 5 0 3
 *   #..#.
 * NPAGES is 1 to 4096. Errors, each one line on stderr and exit status 2:
 *   ex1_resident: npages 'abc': not a number (usage: ...)   (and the like)
 *   ex1_resident: page '7': must be between 0 and 4 (usage: ...)
 * A failing system call is one line `ex1_resident: STEP: cause`, exit 1.
 *
 * READ   mmap(2), mincore(2) (the vector: one byte per page, bit 0 set when
 *        the page is resident), madvise(2) (MADV_NOHUGEPAGE: why it matters
 *        here, see the chapter), chapter 02's README and lazy_alloc.c.
 * HINTS  wb_long_arg() checks a number and its range and reports a usage
 *        error for you. Do not count the pages with wb_resident_pages(): you
 *        need mincore's vector itself, one byte per page. If the kernel has
 *        no transparent huge pages, madvise fails with EINVAL: carry on.
 * CHECK  make grade CH=02
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] NPAGES [PAGE...]");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 1)
        wb_usage("expected NPAGES");

    /* TODO: check the arguments, map, advise, touch, ask mincore, print. */
    wb_fatal("not implemented yet");
}
