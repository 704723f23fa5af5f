/*
 * ex2_mapslice.c: print any byte range of a file through mmap (exercise).
 *
 * TASK
 *   ex2_mapslice FILE OFFSET LENGTH
 * writes bytes [OFFSET, OFFSET+LENGTH) of FILE to standard output, and it
 * must get them through mmap(2), not read(2). OFFSET need not be a multiple
 * of the page size, but mmap's own offset argument must be: round OFFSET down
 * to a page boundary, map enough to cover the range, and print from the right
 * place inside the mapping. If the range runs past the end of the file, print
 * only the bytes the file has. LENGTH 0 prints nothing and succeeds.
 *
 * Errors, each one line on stderr and exit status 1:
 *   ex2_mapslice: open 'FILE': No such file or directory     (and the like)
 *   ex2_mapslice: offset 123 is past the end of 'FILE' (100 bytes)
 * and a bad number (not a number, negative) is a usage error: exit 2.
 *
 * READ   mmap(2) (the offset rules, EINVAL), sysconf(3) for the page size,
 *        fstat(2) for the file size, write(2); chapter 01's README.
 * HINTS  wb_page_size(), wb_size_arg(), wb_die() and wb_fatal() in lib/wb.h
 *        do the dull parts. Mapping the whole file and printing a slice
 *        passes the small tests but not the spirit: map only what you need.
 * CHECK  make grade CH=01
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE OFFSET LENGTH");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 3)
        wb_usage("expected FILE OFFSET LENGTH");

    /* TODO: open the file, map the pages that hold the range, print it. */
    wb_fatal("not implemented yet");
}
