/*
 * ex2_applog.c: a crash-consistent append-only log in a shared file mapping
 * (exercise).
 *
 * TASK
 *   ex2_applog [--die-after K] FILE append N
 *   ex2_applog FILE dump
 * keeps an append-only log of text records in FILE, read and written only
 * through a MAP_SHARED mapping of the whole file.
 *
 * FILE FORMAT (native byte order)
 *   offset 0   uint64_t magic   0x31474f4c50504141 ("AAPPLOG1" on x86-64),
 *                               or 0 in a log that was never initialised
 *   offset 8   uint64_t state   count << 32 | used: count is the number of
 *                               records, used the bytes of record area
 *                               they fill
 *   offset 64  the record area: each record is a uint32_t length L then
 *              L bytes of text, no terminator, no padding
 * A file of size 0, or whose magic and state are 0, is an empty log.
 *
 * append N  opens FILE (creating it, mode 0644); a file of size 0 is first
 *           made 4 pages long with ftruncate(2); a magic of 0 is set to the
 *           magic number. It then appends N records "rec C", C running on
 *           from the current count ("rec 0", "rec 1", ... in a new log).
 *           When a record does not fit, double the file with ftruncate and
 *           map it again (keep offsets, not pointers, across the remap).
 * dump      prints the log. It first checks that the C records fill exactly
 *           `used` bytes and that the magic is right (see Errors).
 *
 * Output on stdout:
 *   append N   one line:   appended N records, count now C
 *              (C the count after this run; "appended 1 records" too)
 *   dump       C + 1 lines: count C
 *                           rec 0
 *                           rec 1            ... each record's text, in order
 *              an empty log prints just "count 0"
 *
 * THE POINT: the writer may be killed with SIGKILL at any instruction, and
 * the file must still dump cleanly, records 0..count-1, none torn, none
 * missing. So for each record: write its length and text past the end
 * (at 64 + used) FIRST; THEN publish the new count and used with ONE
 * 64-bit store (__atomic_store_n(..., __ATOMIC_RELEASE)), so that neither the
 * compiler nor the CPU can let the header get ahead of the bytes. count and
 * used share one word because two separate stores could be split by the
 * kill. Bytes past `used` are garbage the next append overwrites.
 *
 * --die-after K (for the tests): after committing K records of this run,
 * write the next record's bytes but not the header, then raise(SIGKILL).
 *
 * Errors: one line on stderr, exit 1:
 *   ex2_applog: 'FILE' is corrupt: ...           (dump: the records do not
 *                                                 fill exactly `used` bytes)
 *   ex2_applog: 'FILE' is not an applog file     (a magic that is neither 0
 *                                                 nor the magic number)
 *   ex2_applog: 'FILE' is not a regular file
 *   ex2_applog: step: cause                      (a failing call)
 * A bad mode, N or K (not a number in 0..10000000) is a usage error: one
 * line on stderr ending in the usage, exit 2, as wb_usage() and
 * wb_long_arg(s, "N", 0, 10000000) print it:
 *   ex2_applog: expected FILE append N, or FILE dump (usage: ...)
 *   ex2_applog: N '-3': must be a plain non-negative number (usage: ...)
 *
 * READ   mmap(2), ftruncate(2), msync(2) (and why this log does not need it
 *        to survive a kill), the GCC manual's "__atomic Builtins";
 *        chapters/06-msync/README.md, sections on durability and ordering.
 * HINTS  getopt_long(3) with "+h" handles --die-after; wb_long_arg() parses
 *        the numbers. Read the state word with __atomic_load_n(...,
 *        __ATOMIC_ACQUIRE). Do not keep a pointer into the mapping across
 *        a remap. The magic itself is one 64-bit store, for the same reason.
 * CHECK  make grade CH=06
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [--die-after K] FILE append N | FILE dump");
    if (argc < 3)
        wb_usage("expected FILE append N, or FILE dump");

    /* TODO: parse the options and operands in argv, then append or dump as
     * described above. */
    (void)argv;
    wb_fatal("not implemented yet");
}
