/*
 * ex2_whichpage.c: ask /proc/self/maps which file page a region page shows (exercise).
 *
 * TASK
 *   ex2_whichpage [-F] FILE P0 P1 ... Pn-1 -- Q1 Q2 ...
 * builds the same view as ex1_permute (region page i shows file page Pi,
 * with remap_file_pages(2), or mmap(MAP_FIXED) when that is ENOSYS or with
 * -F; FILE opened O_RDWR, as there), and prints the same one line on
 * stderr about the route, with ex2_whichpage: in front. Then, for each
 * query Q in order, it prints one line on stdout:
 *   region page Q -> file offset OFF
 * where OFF is the file offset, in bytes and in decimal, of the first byte
 * of region page Q. Find OFF the way a debugger or a profiler must, from the
 * kernel's record and not from your own array: read /proc/self/maps, find
 * the line (the VMA) whose address range contains region page Q's address,
 * and add the distance from the VMA's start to its offset column (the file
 * offset of the VMA's first byte). A query may be repeated.
 *
 * Options must come before FILE (the "--" belongs to the operands: use
 * getopt with "+hF" so that GNU getopt does not move it).
 *
 * Errors, each one line on stderr:
 *   no "--", no page numbers or no queries, pages that are not a
 *     permutation of 0..n-1 or past the end of FILE, a query that is not a
 *     region page (not a number, or not in 0..n-1): usage error, exit 2;
 *   ex2_whichpage: open 'FILE': No such file or directory    exit 1
 *   ex2_whichpage: 'FILE' is not a regular file              exit 1 (wb_fatal)
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
