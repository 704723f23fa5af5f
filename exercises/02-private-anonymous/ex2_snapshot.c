/*
 * ex2_snapshot.c: a consistent snapshot for free, by fork (exercise).
 *
 * TASK
 *   ex2_snapshot OUTFILE COUNT
 * keeps an array of COUNT 32-bit unsigned ints in a private anonymous
 * mapping and sets every entry to 1. Then it saves that state to OUTFILE the
 * way Redis's BGSAVE does: it forks, and the CHILD writes the array to the
 * file (COUNT entries, 4 bytes each in the machine's byte order, which is
 * little-endian on x86-64; nothing else) while the PARENT goes on working:
 * it sets every entry to 2 at once, without waiting for the save. The child
 * must not start writing before the parent has finished overwriting (make it
 * wait on a pipe): then only copy-on-write can explain a file full of 1s.
 * The parent waits for the child, checks that it exited with status 0,
 * checks its own array and the file, and exits 0.
 *
 * Output, exactly these two lines on stdout (COUNT as a decimal number),
 * printed by the parent after those checks:
 *   parent sees 2 in all COUNT entries
 *   snapshot: COUNT entries of 1
 *
 * The child does the writing, and the tests check that it does: one test
 * makes OUTFILE a named pipe (FIFO) that it opens but never reads, so the
 * save blocks in write(2) once the pipe is full, and looks for the writer:
 * a process forked by yours (the same program, its parent) that has
 * OUTFILE open. So open OUTFILE with open(2) (O_WRONLY|O_CREAT|O_TRUNC),
 * not with a helper that insists on a regular file, and let the child write
 * it with write(2). The test then closes the pipe: the child's write fails
 * (SIGPIPE), and what your program prints or returns after that is not
 * checked.
 *
 * Errors: COUNT is 1 to 16777216. Check the arguments before you open
 * OUTFILE: a bad COUNT is a usage error, one line on stderr, exit 2, and
 * leaves no OUTFILE behind:
 *   ex2_snapshot: count 'abc': not a number (usage: ...)
 *   ex2_snapshot: count '0': must be between 1 and 16777216 (usage: ...)
 * (wb_long_arg(s, "count", 1, 16777216) prints exactly these.) An OUTFILE
 * that cannot be opened for writing is one line on stderr, exit 1, reported
 * before forking, so that only one process has anything to say:
 *   ex2_snapshot: open 'nosuchdir/out': No such file or directory
 *   ex2_snapshot: open 'adir': Is a directory
 * A child that fails, or a check that finds the wrong values: one line on
 * stderr from the process that saw it, exit 1.
 *
 * READ   fork(2), pipe(2), waitpid(2) (WIFEXITED, WEXITSTATUS), mmap(2),
 *        write(2) (it may write less than asked: loop), chapter 02's README
 *        and cow_fork.c.
 * HINTS  Flush stdout before fork(), or a child that calls exit() prints
 *        the parent's buffered lines a second time. The child learns that
 *        the parent is done when read() on the pipe returns 0: the parent
 *        closed its end. Ask yourself what the file would hold with
 *        MAP_SHARED instead of MAP_PRIVATE (try it).
 * CHECK  make grade CH=02
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] OUTFILE COUNT");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected OUTFILE COUNT");

    /* TODO: open OUTFILE, map and fill the array, pipe, fork; the child
     * waits, then writes; the parent overwrites, lets the child go, waits,
     * checks, prints. */
    wb_fatal("not implemented yet");
}
