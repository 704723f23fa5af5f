/*
 * ex2_parsum.c: sum a file of numbers with K processes (exercise).
 *
 * TASK
 *   ex2_parsum K FILE
 * reads FILE, which holds one decimal integer per line (an optional '-',
 * digits, fitting in int64_t; nothing else on the line but trailing blanks:
 * no leading blank, no '+'), and adds them up with K child processes. The
 * tests keep every partial sum and the total within int64_t too, so
 * overflow need not be handled. Let N be the number of lines.
 * Child I (I = 0..K-1) takes the lines with 0-based index from I*N/K up to
 * but not including (I+1)*N/K (integer division), so the K slices are
 * consecutive, cover every line once, and differ in size by at most one.
 *
 * The children return their results through memory: one shared anonymous
 * mapping (MAP_SHARED|MAP_ANONYMOUS) holding an array of K int64_t, one slot
 * per child, made before the forks. Child I writes the sum of its slice into
 * slot I and exits 0. No lock is needed: no two children write the same
 * slot, and the parent reads the slots only after waitpid() says the
 * children are done.
 *
 * Output: the parent prints, for I = 0..K-1 in order, one line
 *   child I: COUNT numbers, partial P
 * (COUNT the size of child I's slice, P its sum) and last
 *   sum: S
 * where S is the sum of the K slots; nothing else goes to stdout. With K
 * larger than N some children get no numbers: `child 3: 0 numbers, partial
 * 0`. An empty file sums to 0. The tests use files of many pages, some
 * ending in the middle of a page and some exactly at a page boundary, with
 * numbers beyond the range of int: read the whole file, however long.
 *
 * Errors: K must be 1 to 100; anything else (0, negative, not a number,
 * wrong argument count) is a usage error, one line on stderr, exit 2,
 * naming K and quoting it:
 *   ex2_parsum: K '0': must be between 1 and 100 (usage: ...)
 *   ex2_parsum: K 'abc': not a number (usage: ...)
 *   ex2_parsum: K '-3': must be a plain non-negative number (usage: ...)
 * (wb_long_arg(s, "K", 1, 100) prints exactly these; a leading '-' is an
 * option unless it follows `--`: `ex2_parsum -- -3 FILE` is K -3.)
 * A file that cannot be opened, or a line that is not an integer, is one
 * line on stderr and exit 1:
 *   ex2_parsum: open 'nosuch': No such file or directory
 *   ex2_parsum: FILE:LINE: not an integer: 'TEXT'      (LINE counts from 1)
 * If a child fails, say so on stderr and exit 1.
 *
 * READ   mmap(2), fork(2), waitpid(2), getline(3), strtoll(3) (how to
 *        detect "no digits", junk after the number and ERANGE);
 *        chapter 03's README.
 * HINTS  Read all the numbers into an ordinary malloc'ed array before
 *        forking: each child gets a copy-on-write copy of it for free, and
 *        only the results need the shared mapping. Compute I*N/K in a 64-bit
 *        type. Let each child sum into a local variable and store the slot
 *        once at the end: adjacent slots share a cache line (see
 *        false_sharing.c). wb_long_arg() parses K. Under `make memcheck`
 *        Valgrind checks every child for leaks as well: a child frees its
 *        copy of the array before _exit().
 * CHECK  make grade CH=03
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] K FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected K and FILE");

    /* TODO: read the numbers, map K slots, fork K children, add up. */
    wb_fatal("not implemented yet");
}
