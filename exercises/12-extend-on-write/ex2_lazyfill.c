/*
 * ex2_lazyfill.c: a region filled page by page on first touch, with
 * userfaultfd (exercise).
 *
 * TASK
 *   ex2_lazyfill [-o OUT] PAGES DATA [TOUCH...]
 * makes a region of PAGES pages (1 to 1000) whose pages come into being on
 * first touch, filled by a handler thread through userfaultfd: pages 0 to
 * DATA-1 (DATA from 0 to PAGES) hold data, the rest zeros, like a
 * snapshot restored lazily.
 *   1. Get a userfaultfd: syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK).
 *      If that fails with EPERM (an unprivileged process while
 *      vm.unprivileged_userfaultfd is 0: make grade runs you as one), try
 *      again with UFFD_USER_MODE_ONLY added. Then the UFFDIO_API handshake.
 *   2. mmap() PAGES pages, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
 *      and register them with UFFDIO_REGISTER, UFFDIO_REGISTER_MODE_MISSING.
 *   3. Start a handler thread that poll()s the descriptor, read()s each
 *      struct uffd_msg, and for a UFFD_EVENT_PAGEFAULT at page K prints
 *      its fault line (below) and THEN resolves it: for K < DATA with
 *      UFFDIO_COPY of the data page K, which is the 8-byte label
 *      "pageKKK\n" (printf "page%03zu\n") repeated to fill the page; for
 *      K >= DATA with UFFDIO_ZEROPAGE.
 *   4. The main thread performs each TOUCH in order: rK reads byte 0 of
 *      page K, wK stores 'W' at byte 0 of page K. Then it prints the
 *      summary line (below), with R counted by mincore(2)
 *      (wb_resident_pages).
 *   5. With -o OUT, it then copies the whole region, page 0 to PAGES-1 in
 *      that order, to the file OUT (created, or truncated): the
 *      pages not touched yet fault now, and their fault lines are printed
 *      too, after the summary.
 *   6. Stop the handler thread (a pipe it also polls is the simple way),
 *      join it, unmap, close, exit 0.
 *
 * Output, on stdout: one line per fault, as the handler sees it,
 *   fault N: page K, ACCESS, FILL
 * N counting faults from 1, ACCESS `write` when the message's flags have
 * UFFD_PAGEFAULT_FLAG_WRITE and `read` otherwise, FILL `copy` (K < DATA)
 * or `zero`; after the touches, the summary
 *   T touches, F faults, R of PAGES pages resident
 * T the TOUCHes given (repeats included; none at all is allowed, T = 0),
 * F the faults so far; then, with -o, the fault lines of the copy. Each
 * page faults once, on its first touch. `ex2_lazyfill -o out 4 2 w3 r3 r1`
 * prints
 *   fault 1: page 3, write, zero
 *   fault 2: page 1, read, copy
 *   3 touches, 2 faults, 2 of 4 pages resident
 *   fault 3: page 0, read, copy
 *   fault 4: page 2, read, zero
 * and OUT holds the whole region: PAGES pages, the labels in pages 0 to
 * DATA-1, zeros after, and a 'W' at byte 0 of each page a wK touched.
 *
 * Errors: one line on stderr. A TOUCH that is not rK or wK with K below
 * PAGES is a usage error, exit 2, reported before anything else happens
 * (OUT is not created):
 *   ex2_lazyfill: touch 'x3': expected rK or wK (usage: ex2_lazyfill [-h] [-o OUT] PAGES DATA [TOUCH...])
 *   ex2_lazyfill: touch 'r4': expected rK or wK with K below 4 (usage: ...)
 * as is a bad PAGES or DATA. A failing call is one line, exit 1.
 *
 * READ   userfaultfd(2) (and its EXAMPLES), ioctl_userfaultfd(2), poll(2),
 *        mincore(2); chapter 12's README and its demo uffd_fill.c.
 * HINTS  Print the fault line before the ioctl that resolves the fault: the
 *        faulting thread is stopped until then, so the lines come out in
 *        order. Never touch the region inside printf() or fwrite(): the
 *        faulting thread would hold stdout's lock while it waits for the
 *        handler thread, which needs that lock to print. Copy a page to a
 *        buffer with memcpy() first. For the same reason of user-mode-only
 *        faults, write(2) straight from an untouched page fails with EFAULT.
 *        The source of UFFDIO_COPY must be ordinary memory outside the
 *        registered region.
 * CHECK  make grade CH=12
 */
#include "wb.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-o OUT] PAGES DATA [TOUCH...]");
    const char *out = NULL;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "ho:")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'o')
            out = optarg;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind < 2)
        wb_usage("expected PAGES DATA [TOUCH...]");
    long pages = wb_long_arg(argv[optind], "pages", 1, 1000);
    long data = wb_long_arg(argv[optind + 1], "data", 0, pages);
    (void)out;
    (void)data;

    /* TODO: check the touches, get a userfaultfd, register the region,
     * start the handler thread, touch, count, copy out, clean up. */
    wb_fatal("not implemented yet");
}
