/*
 * ex1_whereis.c: which mapping holds each kind of thing (exercise).
 *
 * TASK
 *   ex1_whereis
 * takes the address of seven things and, for each, finds the line of
 * /proc/self/maps whose address range contains it:
 *
 *   function       main itself
 *   global         an initialised global variable (int g = 42;)
 *   literal        a string literal ("like this one")
 *   local          a local variable of main
 *   small-malloc   a malloc(32) block
 *   big-malloc     a malloc(1 MiB) block
 *   mmap           one fresh page from mmap(2) with PROT_READ|PROT_WRITE and
 *                  MAP_PRIVATE|MAP_ANONYMOUS
 *
 * Read /proc/self/maps yourself (fopen, fgets or getline, sscanf): do NOT
 * use wb_vma_of() or the other maps helpers of lib/wb.h; the parsing is the
 * exercise. A range is start-end with end one past the last byte; the path
 * starts after the inode column and its padding, runs to the end of the
 * line, and may contain spaces. The kernel writes a file's whole path,
 * however long: PATH_MAX (4096 bytes) limits the paths a program passes to
 * system calls, not the paths in /proc/self/maps, so one line can be longer
 * than 4096 bytes and the file many pages long. The tests run a copy of the
 * program from a directory whose path has spaces and is thousands of bytes
 * long, and from one whose path is longer than 4096 bytes. Read the file
 * to its end, and whole lines however long.
 *
 * Output: seven lines on stdout, one per thing, in the order above, and
 * nothing else:
 *   KIND: PERMS WHERE
 * KIND is the name in the list above. PERMS is the line's permission column
 * as the kernel wrote it (e.g. r-xp). WHERE is the line's path column
 * exactly as written there (a file's absolute path, or a pseudo-path such
 * as [heap] or [stack]), or the word (anonymous) when the line has no path.
 * Run natively (no Valgrind, no sanitizer), with PROG the program's own
 * absolute path (what realpath(1) prints for it), the tests expect exactly:
 *   function: r-xp PROG
 *   global: rw-p PROG
 *   literal: r--p PROG
 *   local: rw-p [stack]
 *   small-malloc: rw-p [heap]
 *   big-malloc: rw-p (anonymous)
 *   mmap: rw-p (anonymous)
 * Under Valgrind there is no [heap] and the stack is anonymous: the tests
 * that need them skip there (and Valgrind's malloc serves the big block
 * from an anonymous line of its own, rw-p or rwxp). Built with AddressSanitizer (make sanitize)
 * there is no [heap] either: ASan's malloc puts even a small block in an
 * anonymous line, and the test expects `small-malloc: rw-p (anonymous)`.
 *
 * Errors: -h prints `usage: ex1_whereis [-h]` on stdout and exits 0. Any
 * argument is a usage error, one line on stderr and exit 2:
 *   ex1_whereis: no arguments expected (usage: ex1_whereis [-h])
 * A thing that no line contains is one line on stderr and exit 1:
 *   ex1_whereis: KIND: no line of /proc/self/maps contains it
 *
 * Explain each line: why is the literal not in a writable line, why are
 * the two malloc blocks in different places (mallopt(3),
 * M_MMAP_THRESHOLD)?
 *
 * READ   proc(5) (/proc/PID/maps), mmap(2), malloc(3); chapter 01's README
 *        and its demo self_maps.c.
 * HINTS  sscanf's %n tells you how far it got, which is where the path
 *        starts. getline(3) reads a whole line whatever its length; no
 *        fixed buffer is long enough for every line (fgets with one returns
 *        a long line in pieces). Cast main to (const void *) to take its
 *        address as data.
 * CHECK  make grade CH=01
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    /* TODO: make the seven things, then print where each one lives. */
    wb_fatal("not implemented yet");
}
