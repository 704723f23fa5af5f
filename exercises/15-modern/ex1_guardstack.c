/*
 * ex1_guardstack.c: N stacks in one mapping, each with a guard page below
 * it, at the cost of one VMA where the kernel has guard markers (exercise).
 *
 * TASK
 *   ex1_guardstack [-p] [-w] [-t K] N PAGES
 * lays out N stacks of PAGES pages each (a thread library's stacks, say)
 * in ONE anonymous mapping, each stack with one guard page just below it
 * (stacks grow down: an overflow runs into the guard and dies of SIGSEGV
 * instead of scribbling over the next stack):
 *
 *     [guard 0][stack 0 ...][guard 1][stack 1 ...] ... [guard N-1][stack N-1 ...]
 *
 *   1. mmap() the whole region, N * (PAGES + 1) pages, read-write, private
 *      and anonymous (MAP_STACK too, if you like).
 *   2. Make the first page of each slot a guard. By default with
 *      madvise(MADV_GUARD_INSTALL) (Linux 6.13; define it as 102 where the
 *      headers lack it): the guards are markers in the page tables, and the
 *      region stays ONE VMA. A kernel before 6.13 answers EINVAL for the
 *      first guard: then, and with -p always, use mprotect(PROT_NONE) for
 *      every guard, the old way, where each guard splits the mapping, so N
 *      guards cost 2N VMAs.
 *   3. Write into every page of every stack: the first byte of each page
 *      of stack k gets the letter 'a' + k % 26.
 *   4. Print the three lines below, then flush stdout.
 *   5. With -w, read standard input until end of file (so that someone can
 *      look at /proc/PID/maps meanwhile; the tests do).
 *   6. With -t K, print "touching the guard of stack K", flush, and read a
 *      byte of stack K's guard page with no SIGSEGV handler: the process
 *      dies of SIGSEGV, as a stack overflow would.
 *   7. Otherwise munmap() and exit 0.
 *
 * Output, on stdout, exactly:
 *   pid P region START-END
 *   N stacks of PAGES pages, guards by madvise|mprotect
 *   VMAs: V
 * P is getpid(); START-END the region's addresses, in lower-case hex
 * without 0x, as /proc/PID/maps writes them (printf "%lx-%lx"); "madvise"
 * when the guards are markers, "mprotect" when they are PROT_NONE pages; V
 * the number of lines of /proc/self/maps that overlap the region (1 with
 * markers, 2N with PROT_NONE guards; wb_count_vmas() counts them). With
 * -t K a fourth line:
 *   touching the guard of stack K
 * and then nothing more: the process is killed by SIGSEGV.
 *
 * Errors: one line on stderr, exit 1:
 *   ex1_guardstack: mmap: Cannot allocate memory                (and the like)
 *   ex1_guardstack: mprotect guard K: Cannot allocate memory
 *   ex1_guardstack: madvise guard K: CAUSE
 * K counts the guards from 0. The mprotect one is what -p gives for more
 * guards than vm.max_map_count allows (65530 VMAs by default: about 32,700
 * PROT_NONE guards); the tests ask for more than that (where
 * vm.max_map_count is below 199800, so that N stays within 100000; above
 * it they skip this check). N outside 1..100000,
 * PAGES outside 1..1024, K not below N, a missing operand or an unknown
 * option is a usage error: one line, exit 2. The argument parsing below
 * is given and prints them, e.g. for N 0 and for -t 4 with N 4:
 *   ex1_guardstack: N '0': must be between 1 and 100000 (usage: ...)
 *   ex1_guardstack: K must be below N (4) (usage: ...)
 *
 * READ   madvise(2) (MADV_GUARD_INSTALL, MADV_GUARD_REMOVE), mprotect(2),
 *        mmap(2), proc(5) (/proc/PID/maps), the kernel's
 *        Documentation/admin-guide/sysctl/vm.rst (vm.max_map_count);
 *        chapter 15's README and its demo guards.c; chapter 09 on what a
 *        VMA costs.
 * HINTS  Try the marker on guard 0 first: its answer decides the way for
 *        all N. A guard page is never written: writing it is the bug the
 *        guard catches. Read the guard through a volatile pointer, or the
 *        compiler may drop a read whose value nobody uses.
 * CHECK  make grade CH=15
 */
#include "wb.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-p] [-w] [-t K] N PAGES");
    bool force_prot = false, wait_eof = false;
    long touch = -1;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hpwt:")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'p')
            force_prot = true;
        else if (opt == 'w')
            wait_eof = true;
        else if (opt == 't')
            touch = wb_long_arg(optarg, "K", 0, 100000);
        else
            wb_usage("unknown option -%c", optopt);
    }
    if (argc - optind != 2)
        wb_usage("expected N and PAGES");
    long n = wb_long_arg(argv[optind], "N", 1, 100000);
    long pages = wb_long_arg(argv[optind + 1], "PAGES", 1, 1024);
    if (touch >= n)
        wb_usage("K must be below N (%ld)", n);
    (void)force_prot;
    (void)wait_eof;
    (void)pages;

    /* TODO: map, guard, write the stacks, report, wait, touch. */
    wb_fatal("not implemented yet");
}
