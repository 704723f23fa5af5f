/*
 * ex1_vector.c: a growable array of uint64_t kept in one mapping that mremap grows (exercise).
 *
 * TASK
 *   ex1_vector N
 * pushes N items onto a vector of uint64_t, item i being i*i (i from 0 to
 * N-1), then checks every item and prints exactly four lines:
 *   items: N
 *   capacity: C bytes
 *   remaps: R
 *   moves: M
 * The vector lives in one private anonymous mapping. It starts at one page
 * (mapped before the first push, even when N is 0). When a push finds it
 * full, double the capacity with mremap(2) and MREMAP_MAYMOVE: C is the final
 * capacity in bytes, R the number of mremap calls, M how many of them moved
 * the mapping (the address mremap returned differs from the old one). Keep
 * the vector's length and capacity as numbers, not as pointers into the
 * mapping: a move makes such pointers stale.
 * If an item reads back wrong, print one error line and exit 1:
 *   ex1_vector: item 12345 is 6, expected 152399025
 * N is a decimal number from 0 to 100000000; anything else is a usage error
 * (one line on stderr, exit 2).
 *
 * READ   mremap(2) (MREMAP_MAYMOVE, the return value), mmap(2), munmap(2);
 *        chapter 07's README and its demo grow_inplace_or_move.c.
 * HINTS  wb_long_arg() parses N; wb_page_size() gives the first capacity.
 *        Free the mapping with munmap before you exit. R is the number of
 *        doublings from one page to C; the tests compute it the same way.
 *        M depends on what else is mapped nearby: any value from 0 to R can
 *        be right.
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
