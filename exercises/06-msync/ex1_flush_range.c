/*
 * ex1_flush_range.c: msync an arbitrary byte range, rounded out to pages
 * (exercise).
 *
 * TASK
 *   ex1_flush_range FILE NPAGES START LEN
 * opens FILE (creating it, mode 0644, if it does not exist), makes it at
 * least NPAGES pages long with ftruncate(2) (never shorter), maps those
 * NPAGES pages MAP_SHARED read-write, and dirties every page by writing the
 * line "page I\n" at the start of page I (I from 0). Then it calls
 *     flush_range(base, START, LEN)
 * a function you write, which writes back exactly the pages that hold bytes
 * [START, START+LEN) of the mapping with msync(MS_SYNC): round START down
 * to its page, round the end up to a page boundary. Finally it prints, from
 * /proc/self/smaps, how many pages of the mapping are still dirty.
 *
 * Output, exactly two lines on stdout:
 *   flushed pages A..B            (A and B the first and last page flushed;
 *                                  "flushed no pages" when LEN is 0)
 *   dirty pages after msync: D    (Shared_Dirty + Private_Dirty of the
 *                                  mapping's VMA, in pages)
 * On a disk filesystem D is NPAGES - (B - A + 1): msync(MS_SYNC) cleans the
 * pages it writes back and leaves the others dirty. (On tmpfs nothing is
 * ever written back, so D stays NPAGES: see dirty_pages.c in the chapter.
 * And if the page cache holds the file in large folios, msync cleans whole
 * folios: see "Pages or folios?" in the README. A file you create and only
 * map, as the tests do, is held in single pages.)
 *
 * Errors: one line on stderr, exit 1:
 *   ex1_flush_range: range START+LEN runs past the mapping (N bytes)
 *   ex1_flush_range: open 'FILE': Permission denied        (and the like)
 * NPAGES not a number in 1..65536, or START or LEN not a number: a usage
 * error, one line on stderr that names the operand, exit 2, e.g.
 *   ex1_flush_range: NPAGES '0': must be between 1 and 65536 (usage: ...)
 *   ex1_flush_range: NPAGES 'many': not a number (usage: ...)
 * (wb_long_arg(s, "NPAGES", 1, 65536) prints exactly these.)
 *
 * READ   msync(2) (which address must be aligned, and which argument is
 *        rounded for you), proc(5) on /proc/PID/smaps, ftruncate(2);
 *        chapters/06-msync/README.md and dirty_pages.c.
 * HINTS  wb_page_size(), wb_long_arg(), wb_size_arg(), wb_die(), wb_fatal().
 *        A VMA's block in smaps starts with its maps line; its first number
 *        is the mapping's start address. Page B is the page of the LAST
 *        byte, START+LEN-1, not of START+LEN.
 * CHECK  make grade CH=06
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE NPAGES START LEN");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 4)
        wb_usage("expected FILE NPAGES START LEN");

    /* TODO: map FILE, dirty every page, write flush_range(), count the
     * dirty pages left in /proc/self/smaps, print the two lines. */
    wb_fatal("not implemented yet");
}
