/*
 * zero_fill.c: fresh private anonymous memory always reads as zeros.
 *
 * Maps PAGES pages (default 16) with MAP_PRIVATE | MAP_ANONYMOUS and counts
 * the non-zero bytes in it: none. Fills every byte with 0xa5, unmaps, maps
 * the same size again, stores 1 into the first byte of every page, and
 * counts once more: only those PAGES bytes, even when the kernel hands back
 * the very same addresses. The store matters: a read alone may be answered
 * by the shared zero page, but a store makes the kernel give each page a
 * physical page of its own, which may be one the old mapping (or another
 * process) used; the rest of it reads as zeros, so it was cleared first.
 * Last, the pre-MAP_ANONYMOUS way of getting the same memory: a private
 * mapping of /dev/zero, which reads as zeros too and shows up in
 * /proc/self/maps with the device's name.
 *
 * Usage: zero_fill [-h] [PAGES]      PAGES from 1 to 65536
 * Tour:
 * Man pages: mmap(2), munmap(2), zero(4), proc(5)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* How many of the LEN bytes at P are not zero. */
static size_t nonzero_bytes(const unsigned char *p, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += p[i] != 0;
    return n;
}

static unsigned char *map_anon(size_t len)
{
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu bytes", len);
    return p;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t pages =
        (i < argc) ? (size_t)wb_long_arg(argv[i], "pages", 1, 65536) : 16;
    size_t len = pages * wb_page_size();

    printf("%zu page(s) = %zu bytes of private anonymous memory\n", pages, len);
    unsigned char *p = map_anon(len);
    printf("fresh mapping: %zu non-zero bytes of %zu\n", nonzero_bytes(p, len),
           len);

    memset(p, 0xa5, len);
    printf("after memset(0xa5): %zu non-zero bytes of %zu\n",
           nonzero_bytes(p, len), len);

    unsigned char *old = p;
    if (munmap(p, len) == -1)
        wb_die("munmap");
    p = map_anon(len);
    printf("munmap, mmap again: %s address as before\n",
           p == old ? "the same" : "a different");
    for (size_t k = 0; k < pages; k++)
        p[k * wb_page_size()] = 1; /* a page of its own for each */
    printf("second mapping, after storing 1 into byte 0 of each page: %zu "
           "non-zero bytes of %zu\n",
           nonzero_bytes(p, len), len);
    if (munmap(p, len) == -1)
        wb_die("munmap");

    /* Before MAP_ANONYMOUS existed, "give me zeroed memory" was spelled
     * "map /dev/zero"; Linux still accepts it. */
    int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
    if (fd == -1)
        wb_die("open '/dev/zero'");
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap '/dev/zero'");
    close(fd);
    printf("private mapping of /dev/zero: %zu non-zero bytes of %zu\n",
           nonzero_bytes(p, len), len);
    wb_print_vmas("maps:", p, len);
    if (munmap(p, len) == -1)
        wb_die("munmap '/dev/zero'");
    return 0;
}
