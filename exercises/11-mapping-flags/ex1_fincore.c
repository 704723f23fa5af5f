/*
 * ex1_fincore.c: which pages of a file are in the page cache (exercise).
 *
 * TASK
 *   ex1_fincore [-m] FILE...
 * reports, for each FILE in turn, how many of its pages are resident in
 * the page cache, without reading the file and without changing the answer
 * by asking. Map the file read-only (PROT_READ, MAP_SHARED), ask mincore(2)
 * for one byte per page (bit 0 set: resident), unmap, and print.
 *
 * Output, on stdout, for each FILE in the order given, one line
 *   FILE: R/N pages resident
 * where FILE is the name as given, N the file's size in pages, rounded up
 * (a 5000-byte file has 2), and R the number of resident ones. With -m,
 * each such line is followed by a second one with one character per page,
 * page 0 first, '#' resident and '.' not:
 *   data: 2/9 pages resident
 *   ..#..#...
 * An empty file is `FILE: 0/0 pages resident` (and, with -m, an empty
 * line after it): mmap(2) refuses a length of 0, so do not call it.
 *
 * Errors: one line on stderr. A file that cannot be opened, or is not a
 * regular file, is exit 1, and the lines already printed for the FILEs
 * before it stay printed (handle the files one at a time):
 *   ex1_fincore: open 'nosuch': No such file or directory
 *   ex1_fincore: 'dir' is not a regular file
 * No FILE, or an unknown option, is a usage error, exit 2:
 *   ex1_fincore: expected at least one FILE (usage: ex1_fincore [-h] [-m] FILE...)
 *
 * READ   mincore(2), mmap(2), fstat(2); chapter 11's README (the section on
 *        mincore and the page cache) and its demo readahead.c.
 * HINTS  wb_open_file() opens, checks for a regular file and fstat()s in one
 *        call. Do NOT read through the mapping, not even one byte: a read
 *        faults the page in (and reads ahead around it), and the tests,
 *        which evict the file from the page cache and then write exactly the
 *        pages they want resident, will see every page resident. The tests
 *        compare your map with the pages they wrote, so it must be exact.
 *        util-linux's fincore(1) answers the same question; compare.
 * CHECK  make grade CH=11
 */
#include "wb.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] FILE...");
    bool show_map = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hm")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_map = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (optind == argc)
        wb_usage("expected at least one FILE");
    (void)show_map;

    /* TODO: for each FILE: open, map, mincore, unmap, print. */
    wb_fatal("not implemented yet");
}
