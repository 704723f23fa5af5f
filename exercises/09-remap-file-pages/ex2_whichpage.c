/*
 * ex2_whichpage.c: ask /proc/self/maps which file page a region page shows (exercise).
 *
 * TASK
 *   ex2_whichpage [-F] FILE P0 P1 ... Pn-1 -- Q1 Q2 ...
 * builds the same view as ex1_permute (region page i shows file page Pi,
 * with remap_file_pages(2), or mmap(MAP_FIXED) when that is ENOSYS or with
 * -F; FILE opened O_RDWR, as there), and prints the same one line on
 * stderr about the route, with ex2_whichpage: in front. Then it answers
 * each query Q, in order, with OFF: the file offset, in bytes and in
 * decimal, of the first byte of region page Q. Find OFF the way a debugger
 * or a profiler must, from the kernel's record and not from your own
 * array: read /proc/self/maps, find the line (the VMA) whose address range
 * contains region page Q's address, and add the distance from the VMA's
 * start to its offset column (the file offset of the VMA's first byte). A
 * query may be repeated.
 *
 * Options must come before FILE (the "--" belongs to the operands: use
 * getopt with "+hF" so that GNU getopt does not move it).
 *
 * Output on stdout, one line per query, in the order given:
 *   region page Q -> file offset OFF
 * On stderr, before the answers, exactly one line saying which route
 * built the view, as in ex1_permute, and nothing else:
 *   ex2_whichpage: built with remap_file_pages
 *   ex2_whichpage: built with MAP_FIXED (-F)
 *   ex2_whichpage: built with MAP_FIXED: remap_file_pages is ENOSYS here
 *
 * Errors, each one line on stderr, nothing on stdout. Usage errors, exit 2
 * (wb_usage() adds the " (usage: ...)" tail; M is n-1, N the pages FILE
 * has), checked before the view is built:
 *   ex2_whichpage: expected FILE, page numbers, -- and queries   (no "--")
 *   ex2_whichpage: expected at least one page number and one query
 *   ex2_whichpage: page 'x': not a number
 *   ex2_whichpage: the pages must be a permutation of 0..M; '3' is out of range
 *   ex2_whichpage: the pages must be a permutation of 0..M; '2' appears twice
 *   ex2_whichpage: page 3 is past the end of 'FILE' (N pages)  ("(1 page)")
 *   ex2_whichpage: query '3': must be between 0 and M      (a query that is
 *                                    not a region page: what wb_long_arg(s,
 *                                    "query", 0, M) prints, "query 'x': not
 *                                    a number" and the like)
 * Exit 1:
 *   ex2_whichpage: open 'FILE': No such file or directory    (wb_die)
 *   ex2_whichpage: 'FILE' is not a regular file              (wb_fatal)
 *     (for a directory, open(O_RDWR) already fails: EISDIR, also fine)
 *
 * READ   proc(5) (/proc/[pid]/maps: address, perms, offset, dev, inode,
 *        path), remap_file_pages(2), mmap(2); chapter 09's README.
 * HINTS  wb_vma_of() in lib/wb.h finds the maps line that contains an
 *        address and parses it for you (struct wb_vma: start, end, offset).
 *        Free or forget the permutation once the view is built, to be sure
 *        you do not use it. Under Valgrind the view is built with MAP_FIXED,
 *        and maps still gives the same answers.
 * CHECK  make grade CH=09
 */
#include "wb.h"

#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-F] FILE P0 ... Pn-1 -- Q...");
    bool fixed = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "+hF")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'F')
            wb_usage("unknown option '-%c'", optopt);
        fixed = true;
    }
    int sep = optind + 1;
    while (sep < argc && strcmp(argv[sep], "--") != 0)
        sep++;
    if (argc - optind < 1 || sep >= argc)
        wb_usage("expected FILE, page numbers, -- and queries");
    (void)fixed;

    /* TODO: check pages and queries, build the view, answer each query
     * from /proc/self/maps. */
    wb_fatal("not implemented yet");
}
