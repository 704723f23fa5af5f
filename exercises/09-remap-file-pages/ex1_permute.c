/*
 * ex1_permute.c: show a file's pages in any order through one shared mapping (exercise).
 *
 * TASK
 *   ex1_permute [-F] FILE P0 P1 ... Pn-1
 * maps the first n pages of FILE with mmap(2), MAP_SHARED and PROT_READ, as
 * one region, then rearranges the region so that region page i shows file
 * page Pi, and writes the whole region to standard output.
 *
 * Open FILE with O_RDWR, although you only read it: on a MAP_SHARED
 * mapping of an O_RDONLY descriptor remap_file_pages fails with EINVAL
 * (the README's rfp_errors shows why).
 *
 * Rearrange with remap_file_pages(2). When it fails with ENOSYS (Valgrind
 * does not implement it, so your program meets this case when you run it
 * under valgrind(1); some kernels lack it), build the same layout with mmap(MAP_SHARED|MAP_FIXED)
 * over the region instead. -F takes that route without trying
 * remap_file_pages at all. Any other failure is an error.
 *
 * Output on stdout: the whole region, n pages, region page i a copy of
 * file page Pi. The bytes of a partial last page past the end of the file
 * come out as zeros, as they read in any mapping.
 * On stderr, before writing the region, exactly one line saying which
 * route built it, and nothing else:
 *   ex1_permute: built with remap_file_pages
 *   ex1_permute: built with MAP_FIXED (-F)
 *   ex1_permute: built with MAP_FIXED: remap_file_pages is ENOSYS here
 *
 * Errors, each one line on stderr, nothing on stdout. Usage errors, exit 2
 * (wb_usage() adds the " (usage: ...)" tail; M is n-1, N the pages FILE
 * has, a partial last page included):
 *   ex1_permute: page 'x': not a number          (a page that is not a
 *                                                 number: what
 *                                                 wb_long_arg(s, "page",
 *                                                 0, LONG_MAX) prints)
 *   ex1_permute: the pages must be a permutation of 0..M; '3' is out of range
 *   ex1_permute: the pages must be a permutation of 0..M; '0' appears twice
 *   ex1_permute: page 3 is past the end of 'FILE' (N pages)
 *                                                ("(1 page)" for one page)
 * Exit 1:
 *   ex1_permute: open 'FILE': No such file or directory    (wb_die)
 *   ex1_permute: 'FILE' is not a regular file              (wb_fatal)
 *     (for a directory, open(O_RDWR) already fails: EISDIR, also fine)
 *
 * READ   remap_file_pages(2), mmap(2) (MAP_FIXED), getopt(3); chapter 09's
 *        README and its demos rfp_swap.c and fixed_emulation.c.
 * HINTS  remap_file_pages(addr, size, 0, pgoff, 0): prot must be 0 and
 *        pgoff counts pages, not bytes; mmap's offset counts bytes. The
 *        mapping you already have is the reservation MAP_FIXED needs.
 *        Pages that are consecutive in the file (Pi+1 == Pi + 1) can be
 *        placed with one call. write(2) may write less than asked: loop.
 *        The tests cut your output and the file into pages with dd.
 * CHECK  make grade CH=09
 */
#include "wb.h"

#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-F] FILE P0 P1 ... Pn-1");
    bool fixed = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hF")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'F')
            wb_usage("unknown option '-%c'", optopt);
        fixed = true;
    }
    if (argc - optind < 2)
        wb_usage("expected FILE and at least one page number");
    (void)fixed;

    /* TODO: check the pages, map FILE, rearrange (with the fallback), say
     * which route on stderr, write the region to stdout. */
    wb_fatal("not implemented yet");
}
