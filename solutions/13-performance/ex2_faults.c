/*
 * ex2_faults.c: count the page faults of an access pattern on a kind of mapping (solution).
 *
 * Everything that could fault besides the touching itself (the memfd's
 * pages, the reservation, the advice, stdio's buffer) happens before the
 * first count or after the second. See exercises/13-performance/ex2_faults.c
 * for the task.
 */
#include "wb.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALIGN ((size_t)64 * 1024)

enum kind { ANON, PRIVATE, SHARED };
enum access { READ, WRITE, READWRITE };

/* A memfd of npages pages of 'x', one write(2) per page. */
static int make_memfd(size_t npages, size_t ps)
{
    int fd = memfd_create("ex2_faults", MFD_CLOEXEC);
    if (fd == -1)
        wb_die("memfd_create");
    char page[65536];
    if (ps > sizeof page)
        wb_fatal("page size %zu is too big for this program", ps);
    memset(page, 'x', ps);
    for (size_t k = 0; k < npages; k++)
        if (write(fd, page, ps) != (ssize_t)ps)
            wb_die("write page %zu of the memfd", k);
    return fd;
}

/* [touch] */
/* Read, write, or read then write one byte of pages 0, stride, 2*stride...
 * The pointer is volatile so that the compiler keeps every access. */
static void touch(volatile char *p, size_t npages, size_t stride, enum access a)
{
    size_t ps = wb_page_size();
    char sink = 0;
    if (a != WRITE)
        for (size_t k = 0; k < npages; k += stride)
            sink += p[k * ps];
    if (a != READ)
        for (size_t k = 0; k < npages; k += stride)
            p[k * ps] = 'w';
    (void)sink;
}
/* [touch] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-s STRIDE] KIND ACCESS PAGES");
    long stride = 1;
    int opt;
    while ((opt = getopt(argc, argv, ":hs:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 's': stride = wb_long_arg(optarg, "stride", 1, 65536); break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind != 3)
        wb_usage("expected KIND ACCESS PAGES");
    const char *ks = argv[optind], *as = argv[optind + 1];
    enum kind kind;
    enum access acc;
    if (strcmp(ks, "anon") == 0)
        kind = ANON;
    else if (strcmp(ks, "private") == 0)
        kind = PRIVATE;
    else if (strcmp(ks, "shared") == 0)
        kind = SHARED;
    else
        wb_usage("kind '%s': must be anon, private or shared", ks);
    if (strcmp(as, "read") == 0)
        acc = READ;
    else if (strcmp(as, "write") == 0)
        acc = WRITE;
    else if (strcmp(as, "readwrite") == 0)
        acc = READWRITE;
    else
        wb_usage("access '%s': must be read, write or readwrite", as);
    size_t npages = (size_t)wb_long_arg(argv[optind + 2], "pages", 16, 65536);
    if ((size_t)stride > npages)
        wb_usage("stride %ld: must be at most PAGES (%zu)", stride, npages);

    size_t ps = wb_page_size(), len = npages * ps;
    int fd = kind == ANON ? -1 : make_memfd(npages, ps);

    /* [aligned] */
    char *res = mmap(NULL, len + ALIGN, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED)
        wb_die("mmap reservation of %zu bytes", len + ALIGN);
    char *at = (char *)(((uintptr_t)res + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
    int flags = MAP_FIXED | (kind == SHARED ? MAP_SHARED : MAP_PRIVATE) |
                (kind == ANON ? MAP_ANONYMOUS : 0);
    char *p = mmap(at, len, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu pages over the reservation", npages);
    /* [aligned] */
    if (kind == ANON && madvise(p, len, MADV_NOHUGEPAGE) == -1 &&
        errno != EINVAL) /* EINVAL: a kernel without THP, nothing to avoid */
        wb_die("madvise MADV_NOHUGEPAGE");

    size_t touched = (npages + (size_t)stride - 1) / (size_t)stride;
    long before = wb_minor_faults();
    touch(p, npages, (size_t)stride, acc);
    long faults = wb_minor_faults() - before;

    printf("touched: %zu\n", touched);
    printf("faults: %ld\n", faults);
    printf("faults per page: %.2f\n", (double)faults / (double)touched);
    if (munmap(res, len + ALIGN) == -1)
        wb_die("munmap");
    if (fd != -1)
        close(fd);
    return 0;
}
