/*
 * ring_buffer.c: the double-mapped ("magic") ring buffer, one memfd mapped twice.
 *
 * Creates a memory file of PAGES pages (default 1) with memfd_create(),
 * reserves twice that much address space with PROT_NONE, and maps the same
 * file twice with MAP_SHARED|MAP_FIXED: once at the start of the reservation
 * and once right after it. Byte k of the ring now has two addresses, base+k
 * and base+SIZE+k, so a write that starts near the end of the first view and
 * runs past it simply continues into the second view, which is the start of
 * the ring. The demo writes MESSAGE so that it straddles the end with one
 * memcpy(), shows that its tail is at the ring's start (through the first
 * view and with pread() on the memfd), and reads the whole message back as
 * one contiguous string: no modulo arithmetic, no split copies.
 *
 * Usage: ring_buffer [-h] [PAGES [MESSAGE]]
 * Tour:
 * Tour: 2 wrapping-around
 * Man pages: memfd_create(2), mmap(2), ftruncate(2), proc(5)
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *default_msg =
    "this message runs past the end of the ring and on at its start";

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES [MESSAGE]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    long npages = i < argc ? wb_long_arg(argv[i], "pages", 1, 1024) : 1;
    const char *msg = i + 1 < argc ? argv[i + 1] : default_msg;
    size_t size = (size_t)npages * wb_page_size();
    size_t len = strlen(msg);
    if (len < 2 || len > size)
        wb_usage("the message must have 2 to %zu bytes", size);

    /* [ring] */
    int fd = memfd_create("ring", MFD_CLOEXEC);
    if (fd == -1)
        wb_die("memfd_create");
    if (ftruncate(fd, (off_t)size) == -1)
        wb_die("ftruncate the memfd to %zu bytes", size);

    char *base = mmap(NULL, 2 * size, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap reservation of %zu bytes", 2 * size);
    for (int view = 0; view < 2; view++) {
        char *want = base + view * size;
        char *got = mmap(want, size, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_FIXED, fd, 0);
        if (got == MAP_FAILED)
            wb_die("mmap view %d of the ring", view);
    }
    /* [ring] */
    printf("a %zu-byte ring: one memfd, mapped twice back to back\n", size);
    wb_print_vmas("ring", base, 2 * size);
    struct wb_vma v0, v1;
    if (wb_vma_of(base, &v0) == -1 || wb_vma_of(base + size, &v1) == -1)
        wb_fatal("a view of the ring is missing from /proc/self/maps");
    printf("  VMAs: %d; /proc/self/maps gives file offset %llu for view 0, "
           "%llu for view 1%s\n",
           wb_count_vmas(base, 2 * size), v0.offset, v1.offset,
           v0.offset == v1.offset ? ": the same bytes" : "");

    /* [wrap] */
    size_t start = size - len / 2;
    memcpy(base + start, msg, len); /* one copy, across the end */
    /* [wrap] */
    size_t tail = start + len - size;
    printf("memcpy() of %zu bytes at ring offset %zu: %zu before the end, "
           "%zu past it\n",
           len, start, len - tail, tail);

    char buf[8192];
    size_t n = tail < sizeof buf ? tail : sizeof buf;
    if (pread(fd, buf, n, 0) != (ssize_t)n)
        wb_die("pread the memfd");
    printf("the ring's first %zu bytes:\n", tail);
    printf("  through the first view: \"%.*s\"\n", (int)tail, base);
    printf("  pread() on the memfd:   \"%.*s\"\n", (int)n, buf);
    printf("read %zu bytes at offset %zu, contiguous: \"%.*s\"\n", len, start,
           (int)len, base + start);
    printf("one byte, two addresses: base[0] = '%c', base[%zu] = '%c'\n",
           base[0], size, base[size]);

    if (munmap(base, 2 * size) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
