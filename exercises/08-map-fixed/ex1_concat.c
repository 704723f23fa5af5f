/*
 * ex1_concat.c: several files as one contiguous read-only view (exercise).
 *
 * TASK
 *   ex1_concat [-m] FILE...
 * builds one contiguous, read-only view of the FILEs, laid end to end in a
 * single reservation of address space, and prints it.
 *   1. Open every FILE and find its size. File K needs its size rounded up to
 *      whole pages; an empty file needs none.
 *   2. Reserve the sum of those with ONE mmap(2): PROT_NONE,
 *      MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE.
 *   3. Map each non-empty file, PROT_READ, with MAP_FIXED over its part of
 *      the reservation: the first file at offset 0, each next one at the
 *      first page boundary after the previous file ends. (Empty files get no
 *      mapping and take no room.)
 * Output without -m: the whole view, every byte of every page, on standard
 * output. That is each file's bytes, then zero bytes up to the next page
 * boundary (what the kernel shows past the end of a file in its last page);
 * when every file is a whole number of pages it equals `cat FILE...`.
 * Output with -m, instead of the view: the reservation's lines of
 * /proc/self/maps, printed with wb_print_vmas("view", base, length), and
 * then one line
 *   PAGES pages, VMAS VMAs
 * with the reservation's size in pages and the number of VMAs in it
 * (wb_count_vmas). If every file is empty, print nothing (with -m:
 * "0 pages, 0 VMAs"). On success, with or without -m, nothing on stderr.
 * Errors: no FILE, or an unknown option, is a usage error (exit 2). A file
 * that cannot be opened, or is not a regular file, is one line on stderr and
 * exit 1, before anything is printed:
 *   ex1_concat: open 'nosuch': No such file or directory
 *   ex1_concat: 'somedir' is not a regular file
 *
 * READ   mmap(2) (MAP_FIXED, MAP_NORESERVE), fstat(2), proc(5) on
 *        /proc/PID/maps; chapter 08's README and its demo reserve_layer.c.
 * HINTS  Two passes: sizes first (to know how much to reserve), mappings
 *        second. wb_round_up() rounds to pages. mmap's length need not be a
 *        page multiple: the kernel maps whole pages. A file mapping never
 *        merges with a mapping of a different file, so the test expects one
 *        VMA per non-empty file, and none left of the PROT_NONE reservation.
 *        Unmap the whole view with one munmap() before you exit.
 * CHECK  make grade CH=08
 */
#include "wb.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] FILE...");
    bool show_maps = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hm")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_maps = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind < 1)
        wb_usage("expected at least one FILE");
    (void)show_maps;

    /* TODO: measure the files, reserve, map each with MAP_FIXED, print. */
    wb_fatal("not implemented yet");
}
