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
 * '.' for one that is not.
 *
 * Output: exactly one line on stdout, NPAGES characters and a newline,
 * nothing else. Example:
 *   $ ex1_resident 5 0 3
 *   #..#.
 *
 * Errors: NPAGES is 1 to 4096 and each PAGE 0 to NPAGES-1; check them all
 * before you map anything. A bad one is a usage error, one line on stderr
 * and exit status 2, naming the argument and quoting it:
 *   ex1_resident: npages 'abc': not a number (usage: ...)
 *   ex1_resident: npages '0': must be between 1 and 4096 (usage: ...)
 *   ex1_resident: page '7': must be between 0 and 4 (usage: ...)
 *   ex1_resident: page '-1': must be a plain non-negative number (usage: ...)
 *   ex1_resident: page 'x': not a number (usage: ...)
 * (wb_long_arg(s, "npages", 1, 4096) and wb_long_arg(s, "page", 0,
 * NPAGES - 1) print exactly these.) A failing system call is one line
 * `ex1_resident: STEP: cause`, exit 1.
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
