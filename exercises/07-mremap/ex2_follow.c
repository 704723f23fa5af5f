/*
 * ex2_follow.c: follow a growing file through a growing mapping, like tail -f (exercise).
 *
 * TASK
 *   ex2_follow FILE MAXBYTES [IDLE]
 * maps FILE read-only and copies its bytes to standard output, from offset 0
 * on, as another process appends to it. Every byte is written exactly once
 * and in order, so that when the program ends its output equals the first
 * bytes of the file. It must read the file through mmap(2), never read(2):
 *   - poll the file's size with fstat(2) (every 10 ms is fine);
 *   - when the file has grown past what is mapped, grow the mapping: with
 *     mremap(2) and MREMAP_MAYMOVE (or munmap and a fresh mmap), to the size
 *     rounded up to whole pages (mapping only up to MAXBYTES, rounded up, is
 *     fine when the file is longer); then write the new bytes;
 *   - stop with exit status 0 as soon as MAXBYTES bytes have been written
 *     (never write more, even if the file is longer);
 *   - if the file has not grown for IDLE seconds (default 5), stop with an
 *     error (below).
 * The file may be empty at the start: a mapping cannot have length 0, so map
 * it only once it has a first byte.
 *
 * Output on stdout: the file's bytes from offset 0, byte for byte, and
 * nothing else: MAXBYTES of them on success (MAXBYTES 0 prints nothing and
 * succeeds), all the file had when it stopped growing on the idle error.
 * On success, nothing on stderr.
 *
 * Errors: one line on stderr, exit 1:
 *   ex2_follow: no growth for IDLE s (printed D of MAXBYTES bytes)
 *                   e.g. "ex2_follow: no growth for 5 s (printed 100 of 200
 *                   bytes)"; D the bytes written before giving up
 *   ex2_follow: open 'FILE': No such file or directory     (and the like)
 *   ex2_follow: 'FILE' is not a regular file
 *   ex2_follow: 'FILE' shrank to N bytes after D were printed
 * (wb_open_file() prints the first two kinds for you.) A bad number is a
 * usage error, exit 2.
 *
 * READ   mremap(2), mmap(2) (MAP_SHARED sees other writers' bytes), fstat(2),
 *        clock_gettime(2), nanosleep(2); chapter 07's README.
 * HINTS  Keep "bytes written so far" as an offset, not a pointer into the
 *        mapping: the mapping may move each time it grows. Bytes appended to
 *        the last, partly used page are already visible through the current
 *        mapping; only crossing into a new page needs a bigger one. Watch the
 *        test `ex2_follow: follows ...` for how the writer behaves.
 * CHECK  make grade CH=07
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE MAXBYTES [IDLE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2 && argc - i != 3)
        wb_usage("expected FILE MAXBYTES [IDLE]");

    /* TODO: open, poll the size, map and grow the mapping, write new bytes. */
    wb_fatal("not implemented yet");
}
