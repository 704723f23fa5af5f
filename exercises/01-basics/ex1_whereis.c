/*
 * ex1_whereis.c: which mapping holds each kind of thing (exercise).
 *
 * TASK
 *   ex1_whereis
 * takes the address of seven things and, for each, finds the line of
 * /proc/self/maps whose address range contains it. It prints one line per
 * thing, in this order, and nothing else on stdout:
 *
 *   function: PERMS WHERE       main itself
 *   global: PERMS WHERE         an initialised global variable (int g = 42;)
 *   literal: PERMS WHERE        a string literal ("like this one")
 *   local: PERMS WHERE          a local variable of main
 *   small-malloc: PERMS WHERE   a malloc(32) block
 *   big-malloc: PERMS WHERE     a malloc(1 MiB) block
 *   mmap: PERMS WHERE           one fresh page from mmap(MAP_PRIVATE|MAP_ANONYMOUS)
 *
 * PERMS is the line's permission column as the kernel wrote it (e.g. r-xp).
 * WHERE is the line's path column exactly as written there (a file's absolute
 * path, or a pseudo-path such as [heap] or [stack]), or the word
 * (anonymous) when the line has no path. For example:
 *
 *   function: r-xp /home/you/mmap-workbook/build/exercises/01-basics/ex1_whereis
 *   local: rw-p [stack]
 *   big-malloc: rw-p (anonymous)
 *
 * Read /proc/self/maps yourself (fopen, fgets, sscanf): do NOT use
 * wb_vma_of() or the other maps helpers of lib/wb.h; the parsing is the
 * exercise. A range is start-end with end one past the last byte; the path
 * starts after the inode column and its padding, and may contain spaces.
 * Any argument is a usage error (exit 2); -h prints the usage line. A thing
 * that no line contains is one error line on stderr and exit 1.
 *
 * Before you run it, predict every line. Then explain each answer: why is
 * the literal not in a writable line, why are the two malloc blocks in
 * different places (mallopt(3), M_MMAP_THRESHOLD)?
 *
 * READ   proc(5) (/proc/PID/maps), mmap(2), malloc(3); chapter 01's README
 *        and its demo self_maps.c.
 * HINTS  sscanf's %n tells you how far it got, which is where the path
 *        starts. Cast main to (const void *) to take its address as data.
 *        Under Valgrind there is no [heap] and the stack is anonymous: the
 *        tests that need them skip there. Built with AddressSanitizer (make
 *        sanitize) there is no [heap] either: ASan's malloc puts even a
 *        small block in an anonymous line, and the test expects that.
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
