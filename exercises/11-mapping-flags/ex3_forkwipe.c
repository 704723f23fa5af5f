/*
 * ex3_forkwipe.c: what a child inherits of a mapping marked MADV_WIPEONFORK
 * or MADV_DONTFORK (exercise).
 *
 * TASK
 *   ex3_forkwipe [-s] MODE [NPAGES]
 * maps NPAGES (default 4, at most 1024) pages of private anonymous memory
 * (shared anonymous with -s), writes the string "secret K" (with its NUL)
 * at the start of page K, for every page K, and gives the whole mapping
 * the advice MODE names:
 *   MODE       advice                     ADVICE in the first line
 *   keep       none                       no advice
 *   wipe       madvise(MADV_WIPEONFORK)   MADV_WIPEONFORK   (Linux 4.14)
 *   dontfork   madvise(MADV_DONTFORK)     MADV_DONTFORK     (Linux 2.6.16)
 * Then it prints one line, forks, and the child reports what each page
 * holds, then exits with status 0; the parent waits for it and reports its
 * own view.
 *
 * Output, on stdout, exactly 1 + 2 * NPAGES lines: first
 *   NPAGES KIND anonymous pages, page K holds "secret K"; ADVICE; fork
 * with KIND `private` (or `shared` with -s) and ADVICE from the table;
 * then the child's NPAGES lines, K from 0, then the parent's:
 *   child: page K: WHAT
 *   parent: page K: WHAT
 * where WHAT is one of
 *   "secret K"             the first 32 bytes are "secret K" (K the page's
 *                          number, in double quotes) and then NULs
 *   zeros                  all of the first 32 bytes are 0
 *   something else         anything else
 *   SIGSEGV (SEGV_MAPERR)  reading the page raised a signal: its name and
 *                          si_code (wb_try_read, wb_signame,
 *                          wb_last_fault_code), and no crash
 * For example, `ex3_forkwipe wipe 2` prints
 *   2 private anonymous pages, page K holds "secret K"; MADV_WIPEONFORK; fork
 *   child: page 0: zeros
 *   child: page 1: zeros
 *   parent: page 0: "secret 0"
 *   parent: page 1: "secret 1"
 * and `ex3_forkwipe keep 3` starts with
 *   3 private anonymous pages, page K holds "secret K"; no advice; fork
 *
 * Errors: one line on stderr. An unknown MODE or option, or a bad NPAGES,
 * is a usage error, exit 2:
 *   ex3_forkwipe: unknown mode 'shred' (usage: ex3_forkwipe [-h] [-s] keep|wipe|dontfork [NPAGES])
 * A failing call is exit 1, e.g. with -s (the kernel accepts
 * MADV_WIPEONFORK on private anonymous memory only):
 *   ex3_forkwipe: madvise MADV_WIPEONFORK: Invalid argument
 *
 * READ   madvise(2) (MADV_WIPEONFORK, MADV_DONTFORK), fork(2), waitpid(2);
 *        chapter 02 (copy-on-write after fork) and chapter 11's README.
 * HINTS  Flush stdout before fork(), or the child inherits the unprinted
 *        first line and prints it again. Read the child's pages with
 *        wb_try_read(): in dontfork mode the child has no mapping there at
 *        all. The child should leave with _exit(0) after an fflush(stdout).
 *        Check the child's exit status in the parent (WIFEXITED).
 * CHECK  make grade CH=11
 */
#include "wb.h"

#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-s] keep|wipe|dontfork [NPAGES]");
    bool shared = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hs")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 's')
            shared = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind < 1 || argc - optind > 2)
        wb_usage("expected MODE and an optional NPAGES");
    const char *mode = argv[optind];
    if (strcmp(mode, "keep") != 0 && strcmp(mode, "wipe") != 0 &&
        strcmp(mode, "dontfork") != 0)
        wb_usage("unknown mode '%s'", mode);
    size_t npages = argc - optind == 2 ? (size_t)wb_long_arg(argv[optind + 1],
                                                             "pages", 1, 1024)
                                       : 4;
    (void)shared;
    (void)npages;

    /* TODO: map, write the secrets, advise, fork, report in both. */
    wb_fatal("not implemented yet");
}
