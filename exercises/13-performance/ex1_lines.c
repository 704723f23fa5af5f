/*
 * ex1_lines.c: wc -l through mmap, with the right advice (exercise).
 *
 * TASK
 *   ex1_lines FILE...
 * counts the lines of each FILE, as `wc -l FILE...` does. A line is what
 * ends in a newline byte ('\n'): count the newline bytes, so a last line
 * without a newline does not count, exactly as in wc(1); any other byte,
 * NUL included, is just a byte.
 *
 * Read each file through one mmap(2) of the whole file (PROT_READ,
 * MAP_PRIVATE), never with read(2), and tell the kernel how you will read
 * it before you start: one pass, front to back, each byte once. Pick the
 * madvise(2) advice that says so (the chapter measures what advice does and
 * does not change). Unmap each file before you go on to the next.
 *
 * An empty FILE has 0 lines, and mmap(2) refuses a length of 0 (EINVAL):
 * do not map it.
 *
 * Output, on stdout: for each FILE in order, one line
 *   N FILE
 * N its number of lines, FILE the name as given; and, when there is more
 * than one FILE, a last line
 *   N total
 * the sum. These are wc -l's numbers without its padding:
 *   3 a
 *   0 empty
 *   3 total
 *
 * Errors: stop at the first FILE that cannot be counted, with one line on
 * stderr and exit status 1 (the lines already printed for earlier files
 * stay; no total line):
 *   ex1_lines: open 'nosuch': No such file or directory
 *   ex1_lines: '/dev/null' is not a regular file
 * (a directory too: "ex1_lines: 'd' is not a regular file"). No FILE at
 * all is a usage error, exit 2:
 *   ex1_lines: expected at least one FILE (usage: ex1_lines [-h] FILE...)
 *
 * READ   mmap(2), madvise(2) (MADV_SEQUENTIAL, MADV_WILLNEED, MADV_RANDOM),
 *        munmap(2), fstat(2); chapter 13's README, "mmap or
 *        read(2)".
 * HINTS  wb_open_file() opens, fstats and refuses anything but a regular
 *        file, with the error lines above. Count without a branch on the
 *        data: `n += p[i] == '\n'` over the bytes. Calling memchr once per
 *        newline looks fast and is not: a call for every 40-byte line costs
 *        more than the bytes. Into an unsigned char counter per position of
 *        32-byte blocks (255 blocks at most, then add them up), the loop
 *        becomes vector compares at -O2 (examples/mmwc, "The loop"). st_size
 *        is an off_t: cast it to size_t only after checking it.
 * CHECK  make grade CH=13
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE...");
    int i = wb_simple_args(argc, argv);
    if (i == argc)
        wb_usage("expected at least one FILE");

    /* TODO: for each FILE: open, map, advise, count, unmap, print. */
    wb_fatal("not implemented yet");
}
