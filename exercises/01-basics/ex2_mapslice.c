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
 * only the bytes the file has. LENGTH 0 prints nothing and succeeds when
 * OFFSET is at most the file's size (an OFFSET beyond it is the error below).
 *
 * Output: the bytes of the range, exactly, on stdout, and nothing else
 * (no newline added).
 *
 * Errors, each one line on stderr and exit status 1:
 *   ex2_mapslice: open 'FILE': No such file or directory     (and the like)
 *   ex2_mapslice: offset 123 is past the end of 'FILE' (100 bytes)
 * (an OFFSET equal to the file's size is past the end too, unless LENGTH is
 * 0). A bad OFFSET or LENGTH (not a number, negative) is a usage error, one
 * line on stderr and exit 2, naming which number is bad:
 *   ex2_mapslice: offset 'x1': not a number (usage: ...)
 *   ex2_mapslice: offset '-1': must be a plain non-negative number (usage: ...)
 *   ex2_mapslice: length 'abc': not a number (usage: ...)
 * (wb_size_arg(argv[k], "offset") and wb_size_arg(argv[k], "length") print
 * exactly these.) Options come only before FILE (wb_simple_args() stops at
 * the first operand), so in `ex2_mapslice FILE -1 5` the -1 is the OFFSET.
 *
 * READ   mmap(2) (the offset rules, EINVAL), sysconf(3) for the page size,
 *        fstat(2) for the file size, write(2); chapter 01's README.
 * HINTS  wb_page_size(), wb_size_arg(), wb_die() and wb_fatal() in lib/wb.h
 *        do the dull parts. The tests take slices of many pages that start
 *        and end in the middle of a page: the mapping must cover the range
 *        from its first byte to its last. Mapping the whole file and
 *        printing a slice passes the tests but not the spirit: map only
 *        what you need.
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
