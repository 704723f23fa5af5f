/*
 * ex1_eowlog.c: an append-only log that grows when you write past its end
 * (exercise).
 *
 * TASK
 *   ex1_eowlog [-m] [-r RESERVE] FILE
 * appends the lines of standard input to FILE, and it must put every byte
 * there through a MAP_SHARED mapping, with memcpy(), never with write(2):
 * the file grows because a SIGSEGV handler extends it, the way AIX's
 * shmat(SHM_MAP) files do.
 *   1. Open FILE read-write, creating it (mode 0644) if it does not exist;
 *      what it already holds is kept. Let S be its size.
 *   2. Map RESERVE bytes of it (default 64M; rounded up to whole pages):
 *      ONE mmap(NULL, RESERVE, PROT_NONE, MAP_SHARED, fd, 0). A shared
 *      file mapping may be longer than the file.
 *   3. Grow first: ftruncate() the file to S rounded up to whole pages and
 *      mprotect() those pages PROT_READ|PROT_WRITE.
 *   4. Install a SIGSEGV handler (sigaction, SA_SIGINFO). For a fault with
 *      si_code SEGV_ACCERR whose si_addr lies in the mapping beyond the
 *      open part: ftruncate() the file to the end of the faulting page,
 *      mprotect() the new pages read-write, count one fault, return. For
 *      any other fault: signal(SIGSEGV, SIG_DFL) and return. Save errno on
 *      entry and restore it on every return. Nothing else in the handler:
 *      no printf, no malloc.
 *   5. Read the lines with getline(3) and memcpy() each one, newline
 *      included (a last line without one goes in as it is), to the end of
 *      the log in the mapping.
 *   6. With -m, print the mapping's lines of /proc/self/maps now, with
 *      wb_print_vmas("log", base, RESERVE).
 *   7. Close: restore the old SIGSEGV action, munmap(), ftruncate() the file
 *      to the last byte appended (S + the bytes appended), close it, and
 *      print the last line (below).
 *
 * Output, on stdout: with -m, first the lines wb_print_vmas() prints: one
 * for the log's pages, rw-s, then one for the rest of the reservation,
 * ---s (only that one while the log is empty); then, always, exactly one
 * line
 *   appended N records, B bytes, in F faults; the file is now T bytes
 * N the lines read (a last line without a newline counts), B the bytes
 * appended, T = S + B, and F the number of faults your handler served by
 * growing the file. For lines shorter than a page F is one per page the
 * log grew into: pages(S + B) - pages(S), pages(X) being X / page size
 * rounded up (the pages of S were opened in step 3, without a fault). A
 * new log fed 9000 bytes, with 4096-byte pages:
 *   appended 1000 records, 9000 bytes, in 3 faults; the file is now 9000 bytes
 *
 * Errors: one line on stderr, exit 1:
 *   ex1_eowlog: open 'FILE': No such file or directory       (and the like)
 *   ex1_eowlog: 'FILE' is not a regular file
 *   ex1_eowlog: 'FILE' (N bytes) is larger than the reservation (R bytes)
 *   ex1_eowlog: log full: record K (L bytes) does not fit in R bytes
 * R is RESERVE rounded up to whole pages, N the file's size. The "larger
 * than the reservation" error comes before anything is mapped or changed:
 * the file keeps its size. In the log-full one, K is the number of the record that does not
 * fit, counting this run's records from 1 (a log that takes 3 records is
 * full at "record 4"), and L its length in bytes, newline included; the
 * file must then hold exactly the records before record K: trim it, then
 * report. No FILE, a bad option or a bad RESERVE is a usage error (one
 * line, exit 2).
 *
 * READ   mmap(2), mprotect(2), ftruncate(2), sigaction(2) (SA_SIGINFO,
 *        si_addr, si_code), signal-safety(7), getline(3); chapter 12's
 *        README and its eow.h (chapters/12-extend-on-write/).
 * HINTS  Keep what the handler needs (base, reserve, fd, the open length,
 *        the count) in static variables set before sigaction(). Why grow
 *        first: bytes stored past the end of the file in its last page are
 *        not file data: ext4 zeroes them when the file is extended later
 *        (since Linux 6.13; before, only if writeback ran in between:
 *        chapter 05). The tests append to a 100-byte file and check its
 *        size before the first line arrives. A store can fault again
 *        after your handler returns if the handler did not really open
 *        the page: check what mprotect() and ftruncate() return.
 * CHECK  make grade CH=12
 */
#include "wb.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] [-r RESERVE] FILE");
    bool show_maps = false;
    size_t reserve = 64u << 20;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hmr:")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_maps = true;
        else if (opt == 'r')
            reserve = wb_size_arg(optarg, "reserve");
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind != 1)
        wb_usage("expected one FILE");
    if (reserve == 0)
        wb_usage("reserve '0': must be at least 1 byte");
    (void)show_maps;

    /* TODO: open, map PROT_NONE, grow first, catch SIGSEGV, append, trim. */
    wb_fatal("not implemented yet");
}
