/*
 * ex2_ring.c: a magic ring buffer, pushed far past its size (exercise).
 *
 * TASK
 *   ex2_ring [-m] SIZE TOTAL CHUNK
 * Build a double-mapped ("magic") ring buffer of SIZE bytes, as four
 * functions in this file:
 *   ring_create   memfd_create(2) a memory file, ftruncate(2) it to SIZE,
 *                 reserve 2*SIZE bytes of address space (PROT_NONE,
 *                 MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE), and map the memfd
 *                 twice over the reservation, MAP_SHARED|MAP_FIXED, offset 0:
 *                 at the start and right after the first SIZE bytes;
 *   ring_write    copy in as many bytes as there is room for, with ONE
 *                 memcpy (it may run past the end of the first view: that is
 *                 the point), and return how many it copied;
 *   ring_read     copy out up to the bytes there are, with ONE memcpy;
 *   ring_destroy  unmap everything and close the memfd.
 * Keep two running counts, bytes written and bytes read; the ring holds
 * their difference, and count % SIZE is where the next byte goes or comes
 * from.
 * Then push TOTAL bytes of a stream through the ring, byte i of the stream
 * being (char)(i % 251): write CHUNK bytes at a time until the ring is full
 * (or the stream ends), read up to CHUNK bytes and check every byte read
 * against the pattern, and again, until all TOTAL bytes have been read
 * back. W below counts the times the write position went past the last
 * byte of the ring back to its start (landing exactly on the end counts);
 * count it in ring_write. It comes to TOTAL / SIZE (integer division).
 * Sizes are bytes with an optional K, M or G suffix (wb_size_arg()).
 *
 * Output on stdout, one line, TOTAL and SIZE in bytes (suffixes expanded):
 *   moved TOTAL bytes through a SIZE-byte ring, W wraps
 * With -m, after that line, the ring's lines of /proc/self/maps, printed
 * with wb_print_vmas("ring", base, 2 * SIZE) before destroying it.
 * On success, nothing on stderr.
 *
 * Errors: usage errors, one line on stderr, exit 2 (wb_usage() adds the
 * " (usage: ...)" tail; PAGE is the page size in bytes), checked in this
 * order: the three numbers, then SIZE, then CHUNK:
 *   ex2_ring: ring size SIZE is not a multiple of the page size (PAGE)
 *                                           (SIZE 0 too: "ring size 0 ...")
 *   ex2_ring: ring size SIZE is more than 1G
 *   ex2_ring: chunk CHUNK must be from 1 to the ring size
 *                                           (CHUNK 0, or more than SIZE)
 *   ex2_ring: total 'lots': not a number    (a bad number: what
 *                                            wb_size_arg(s, "total") prints;
 *                                            "size" and "chunk" likewise)
 * A byte that reads back wrong is one line on stderr, exit 1:
 *   ex2_ring: byte 12345 read back as 45, expected 46
 *
 * READ   memfd_create(2), mmap(2) (MAP_FIXED, MAP_SHARED), ftruncate(2),
 *        proc(5); chapter 08's README and its demo ring_buffer.c.
 * HINTS  Why must SIZE be a page multiple? The second view has to start
 *        exactly where the first one ends, and mappings start on pages.
 *        A write of n <= SIZE bytes at offset `at` of the first view ends
 *        at most at 2*SIZE: always inside the two views. The tests check
 *        the -m lines: two rw-s VMAs of /memfd:..., both at file offset 0.
 * CHECK  make grade CH=08
 */
#include "wb.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] SIZE TOTAL CHUNK");
    bool show_maps = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hm")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_maps = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind != 3)
        wb_usage("expected SIZE TOTAL CHUNK");
    (void)show_maps;

    /* TODO: parse and check the sizes, write ring_create, ring_write,
     * ring_read and ring_destroy, pump the stream through, print the line. */
    wb_fatal("not implemented yet");
}
