/*
 * ex1_vector.c: a growable array of uint64_t kept in one mapping that mremap grows (exercise).
 *
 * TASK
 *   ex1_vector N
 * pushes N items onto a vector of uint64_t, item i being i*i (i from 0 to
 * N-1), then checks every item and prints the four lines below.
 * The vector lives in one private anonymous mapping. It starts at one page
 * (mapped before the first push, even when N is 0), at an address the
 * kernel chooses (mmap's first argument NULL). When a push finds it
 * full, double the capacity with mremap(2) and MREMAP_MAYMOVE: C is the final
 * capacity in bytes, R the number of mremap calls, M how many of them moved
 * the mapping (the address mremap returned differs from the old one). Keep
 * the vector's length and capacity as numbers, not as pointers into the
 * mapping: a move makes such pointers stale.
 *
 * Output, exactly four lines on stdout, and nothing on stderr:
 *   items: N
 *   capacity: C bytes
 *   remaps: R
 *   moves: M
 *
 * Errors: if an item reads back wrong, one line on stderr, exit 1:
 *   ex1_vector: item 12345 is 6, expected 152399025
 * N is a decimal number from 0 to 100000000; anything else is a usage
 * error: one line on stderr that names N and quotes the argument, exit 2:
 *   ex1_vector: N 'abc': not a number (usage: ...)
 *   ex1_vector: N '100000001': must be between 0 and 100000000 (usage: ...)
 * (wb_long_arg(s, "N", 0, 100000000) prints exactly these.)
 *
 * READ   mremap(2) (MREMAP_MAYMOVE, the return value), mmap(2), munmap(2);
 *        chapter 07's README and its demo grow_inplace_or_move.c.
 * HINTS  wb_long_arg() parses N; wb_page_size() gives the first capacity.
 *        Free the mapping with munmap before you exit. R is the number of
 *        doublings from one page to C; the tests compute it the same way.
 *        M depends on what else is mapped nearby, from 0 to R. The kernel
 *        places a new mapping right below one already there, so a
 *        vector cannot double in place for long: for 1000000 items the
 *        tests want M of at least 1. They push up to a million items, and
 *        counts whose last item ends in the middle of a page.
 * CHECK  make grade CH=07
 */
#include "wb.h"

#include <stdint.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] N");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected N");

    /* TODO: map one page, push N items (doubling with mremap when full),
     * verify them, print the four lines, unmap. */
    wb_fatal("not implemented yet");
}
