/*
 * ex2_ring.c: a magic ring buffer, pushed far past its size (solution).
 *
 * The ring is one memfd mapped twice, back to back, inside a reservation
 * twice its size. Byte k of the ring is at base+k and at base+size+k, so
 * any run of up to `size` bytes starting anywhere in the first view is
 * contiguous in memory: ring_write() and ring_read() are one memcpy() each,
 * and the only modulo is in turning a running count into an offset. See
 * exercises/08-map-fixed/ex2_ring.c for the task.
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct ring {
    char *base;   /* first view; the second is at base + size */
    size_t size;  /* bytes, a multiple of the page size */
    size_t head;  /* bytes written so far (ever) */
    size_t tail;  /* bytes read so far (ever) */
    size_t wraps; /* times the write position went past the end */
    int fd;
};

/* [create] */
static void ring_create(struct ring *r, size_t size)
{
    r->size = size;
    r->head = r->tail = r->wraps = 0;
    r->fd = memfd_create("ex2_ring", MFD_CLOEXEC);
    if (r->fd == -1)
        wb_die("memfd_create");
    if (ftruncate(r->fd, (off_t)size) == -1)
        wb_die("ftruncate the ring to %zu bytes", size);
    r->base = mmap(NULL, 2 * size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r->base == MAP_FAILED)
        wb_die("mmap a reservation of %zu bytes", 2 * size);
    for (size_t view = 0; view < 2; view++) {
        char *want = r->base + view * size;
        if (mmap(want, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                 r->fd, 0) != want)
            wb_die("mmap view %zu of the ring", view);
    }
}
/* [create] */

/* Copy in as much of src[0..n) as fits; return how much that was. */
static size_t ring_write(struct ring *r, const char *src, size_t n)
{
    size_t space = r->size - (r->head - r->tail);
    if (n > space)
        n = space;
    size_t at = r->head % r->size;
    memcpy(r->base + at, src, n); /* may run into the second view */
    if (at + n >= r->size)
        r->wraps++;
    r->head += n;
    return n;
}

/* Copy out up to n bytes; return how many there were. */
static size_t ring_read(struct ring *r, char *dst, size_t n)
{
    size_t used = r->head - r->tail;
    if (n > used)
        n = used;
    memcpy(dst, r->base + r->tail % r->size, n);
    r->tail += n;
    return n;
}

static void ring_destroy(struct ring *r)
{
    if (munmap(r->base, 2 * r->size) == -1)
        wb_die("munmap the ring");
    close(r->fd);
}

/* Byte i of the stream. A byte read from the wrong place shows unless it
 * is off by a multiple of 251 bytes. 251 is prime and the page size a power
 * of two, so a whole lap (a byte left from the ring's previous round) is
 * such a multiple only for a ring of a multiple of 251 pages: there the
 * check cannot see a stale byte. */
static char pattern(size_t i)
{
    return (char)(i % 251);
}

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
    size_t size = wb_size_arg(argv[optind], "size");
    size_t total = wb_size_arg(argv[optind + 1], "total");
    size_t chunk = wb_size_arg(argv[optind + 2], "chunk");
    size_t ps = wb_page_size();
    if (size == 0 || size % ps != 0)
        wb_usage("ring size %zu is not a multiple of the page size (%zu)", size,
                 ps);
    if (size > ((size_t)1 << 30))
        wb_usage("ring size %zu is more than 1G", size);
    if (chunk == 0 || chunk > size)
        wb_usage("chunk %zu must be from 1 to the ring size", chunk);

    char *buf = malloc(chunk);
    if (buf == NULL)
        wb_die("malloc");
    struct ring r;
    ring_create(&r, size);

    /* [pump] */
    /* Fill the ring as far as it goes, then drain one chunk, and again. */
    size_t written = 0, checked = 0;
    while (checked < total) {
        for (;;) {
            size_t n = total - written < chunk ? total - written : chunk;
            for (size_t k = 0; k < n; k++)
                buf[k] = pattern(written + k);
            size_t w = ring_write(&r, buf, n);
            written += w;
            if (w < n || written == total)
                break; /* full: the rest goes next round */
        }
        size_t got = ring_read(&r, buf, chunk);
        for (size_t k = 0; k < got; k++, checked++)
            if (buf[k] != pattern(checked))
                wb_fatal("byte %zu read back as %d, expected %d", checked,
                         (unsigned char)buf[k],
                         (unsigned char)pattern(checked));
    }
    /* [pump] */

    printf("moved %zu bytes through a %zu-byte ring, %zu wraps\n", total, size,
           r.wraps);
    if (show_maps)
        wb_print_vmas("ring", r.base, 2 * size);
    ring_destroy(&r);
    free(buf);
    return 0;
}
