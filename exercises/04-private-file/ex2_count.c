/*
 * ex2_count.c: count a pattern through a read-only private mapping (exercise).
 *
 * TASK
 *   ex2_count [-w PAGES] FILE PATTERN
 * prints, as one decimal number and a newline, how many times the byte
 * string PATTERN occurs in FILE. Occurrences are counted left to right and
 * do not overlap: "aa" occurs twice in "aaaaa" (what `grep -o` finds).
 * Read FILE only through mmap(2) with PROT_READ and MAP_PRIVATE, never with
 * read(2).
 *
 * Without -w, map the whole file at once. With -w PAGES (PAGES >= 1), map
 * at most PAGES pages of it at a time, the way a program must for a file
 * larger than its address space: a window starts at a page boundary (mmap's
 * offset must be a multiple of the page size) and may reach up to
 * strlen(PATTERN) - 1 bytes into the next page so that a match straddling
 * the boundary is seen. Count each match exactly once: one that straddles a
 * window boundary belongs to the window it starts in, and the search in the
 * next window resumes after it, not at the boundary.
 *
 * An empty FILE, or one shorter than PATTERN, counts 0 (no mmap needed).
 *
 * Output: exactly one line on stdout, the count in decimal.
 *
 * Errors, each one line on stderr:
 *   ex2_count: PATTERN must not be empty (usage: ...)             exit 2
 *   ex2_count: PAGES '0': must be between 1 and 2147483647 (usage: ...)
 *                                                                 exit 2
 *     (and the like for a -w value that is not a number:
 *     wb_long_arg(optarg, "PAGES", 1, INT_MAX) prints these)
 *   ex2_count: open 'FILE': No such file or directory    exit 1 (wb_die)
 *   ex2_count: 'DIR' is not a regular file                exit 1 (wb_fatal)
 *
 * READ   mmap(2) (offset, length), munmap(2), fstat(2), memmem(3),
 *        getopt(3); chapter 04's README.
 * HINTS  Keep the next search position as a file offset, not a pointer into
 *        one window. wb_long_arg() parses PAGES; wb_page_size() gives the
 *        page size. The tests build files with matches across page
 *        boundaries and run you with -w 1 and -w 2.
 * CHECK  make grade CH=04
 */
#include "wb.h"

#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-w PAGES] FILE PATTERN");
    const char *pages_arg = NULL;
    int opt;
    opterr = 0;
    while ((opt = getopt(argc, argv, "hw:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'w': pages_arg = optarg; break;
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind != 2)
        wb_usage("expected FILE PATTERN");
    (void)pages_arg;

    /* TODO: check the arguments, open FILE, map it (whole, or window by
     * window), count the matches, print the count. */
    wb_fatal("not implemented yet");
}
