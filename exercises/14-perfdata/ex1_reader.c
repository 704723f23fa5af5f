/*
 * ex1_reader.c: list the counters of a PerfData file, trusting none of its bytes (exercise).
 *
 * TASK
 *   ex1_reader FILE
 * maps FILE (a saved region from `perfvm -s`, a copy of a JVM's
 * /tmp/hsperfdata_USER/PID, or the live file itself) with mmap(2),
 * PROT_READ, the whole file, and lists its counters.
 *
 * Output, on stdout: every counter as one line `name=value`, sorted by
 * name (strcmp order), where value is
 *   - type 'J' (a 64-bit signed integer): the number in decimal (%lld);
 *   - type 'B' with units 5 (String): the bytes up to the first NUL (or all
 *     vector_length bytes if there is none) between double quotes;
 *   - any other 'B': 0x followed by two lower-case hex digits per byte
 *     (%02x), in the order of the bytes in the file.
 * For example:
 *   a.long=-5
 *   b.str="hi"
 *   c.bytes=0x01abff
 * For a JVM's file the 'J' and String lines are the ones
 * `jcmd PID PerfCounter.print` prints, less its six sun.perfdata.* lines,
 * which jcmd makes up from the prologue. The 0x form is this exercise's
 * own: jcmd has no such line, because jvmstat refuses a byte vector whose
 * units are not String (jcmd prints a stack trace instead).
 *
 * THE FORMAT (chapter 14's README has a diagram). Integers are in the byte
 * order of byte 4 of the file: 0 big-endian, 1 little-endian.
 *   prologue  0 magic, the bytes CA FE C0 C0   4 byte_order   5 major (2)
 *             6 minor   7 accessible   8 used (4 bytes)   12 overflow (4)
 *            16 mod_time_stamp (8)   24 entry_offset (4)   28 num_entries (4)
 *   entry, at entry_offset and then each at the end of the one before:
 *             0 entry_length (4)   4 name_offset (4)   8 vector_length (4)
 *            12 data_type (1)   13 flags (1)   14 data_units (1)
 *            15 data_variability (1)   16 data_offset (4)
 *   name_offset and data_offset count from the entry's first byte. Read at
 *   most num_entries entries; an entry_length of 0 ends the list early.
 *
 * Errors: the file may be hostile. Check every offset and length against
 * the file BEFORE reading through it, and report the first problem as ONE
 * line on stderr, exit 1 (wb_fatal), never a crash or a hang. Make the
 * checks in the order they are listed here (the prologue's, then entry 0's,
 * entry 1's, ...); the lines must read:
 *   ex1_reader: open 'FILE': No such file or directory   (and the like:
 *                     wb_die("open '%s'", FILE))
 *   ex1_reader: FILE: is not a regular file
 *   ex1_reader: FILE: is empty                      (size 0: mmap would fail)
 *   ex1_reader: FILE: too small for the 32-byte prologue
 *   ex1_reader: FILE: bad magic XX XX XX XX
 *                     (the first 4 bytes as they are, each as two lower-case
 *                     hex digits, %02x, e.g. "bad magic 00 fe c0 c0")
 *   ex1_reader: FILE: bad byte order N              (byte 4 not 0 or 1)
 *   ex1_reader: FILE: unsupported major version N   (byte 5 not 2)
 *   ex1_reader: FILE: entry_offset N is outside the file
 *                     (less than 32, or more than the file's size)
 *   ex1_reader: FILE: entry I: header past the end of the file
 *                     (fewer than 20 bytes left at the entry)
 *   ex1_reader: FILE: entry I: entry_length N does not advance past its header
 *                     (less than 22: the 20-byte header, a name, its NUL;
 *                     but 0 ends the list)
 *   ex1_reader: FILE: entry I: entry_length N goes past the end of the file
 *   ex1_reader: FILE: entry I: name_offset N is outside the entry
 *                     (less than 20, or at or past entry_length)
 *   ex1_reader: FILE: entry I: the name has no NUL inside the entry
 *   ex1_reader: FILE: entry I: data_offset N is outside the entry
 *                     (at or before the name's NUL, or at or past entry_length)
 *   ex1_reader: FILE: entry I: the 8-byte value does not fit in the entry
 *                     ('J' with a vector_length other than 0 too)
 *   ex1_reader: FILE: entry I: vector_length N does not fit in the entry
 *                     ('B' with 0, or more than entry_length - data_offset)
 *   ex1_reader: FILE: entry I: unsupported data type 0xNN
 *                     (a type other than 'J' or 'B', as %02x: 'D' is 0x44)
 * where FILE is the name as given, I counts entries from 0, and N is a
 * number in decimal. No FILE is a usage error, exit 2.
 *
 * READ   mmap(2), fstat(2), memchr(3), qsort(3); chapter 14's README
 *        ("The format") and chapters/14-perfdata/perfdata.h, which does the
 *        same job for perfstat (write your own: the grader builds this file
 *        alone).
 * HINTS  Read integers byte by byte (p[0] << 24 | ...), which handles both
 *        byte orders and any alignment. Compare lengths by subtraction from
 *        what is left (len > size - off), never by adding to an offset that
 *        might overflow. An entry is at least 22 bytes, so a file of SIZE
 *        bytes holds at most SIZE / 22 + 1 counters: allocate that.
 * CHECK  make grade CH=14
 */
#include "wb.h"

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected FILE");

    /* TODO: open and map FILE, check the prologue, walk the entries with
     * every check above, sort, print. */
    wb_fatal("not implemented yet");
}
