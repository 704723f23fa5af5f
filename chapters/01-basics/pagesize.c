/*
 * pagesize.c: a mapping is made of whole pages; one byte past them is SIGSEGV.
 *
 * Asks for LENGTH bytes of anonymous memory (default 1), shows from
 * /proc/self/maps that the kernel mapped a whole number of pages, touches the
 * last byte asked for and the last byte of the last page (both work), then the
 * first byte after the mapping, which raises SIGSEGV. The signal is caught and
 * reported with its si_code.
 *
 * Usage: pagesize [-h] [LENGTH]      LENGTH in bytes, K/M/G suffixes allowed
 * Tour: 1
 * Tour: 5000
 * Man pages: mmap(2), sysconf(3), proc(5), sigaction(2)
 */
#include "wb.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Touch p[off] and say what happened. */
static void touch(char *p, size_t off, const char *what)
{
    int sig = wb_try_write(p + off, 'x');
    if (sig == 0)
        printf("write at offset %zu (%s): ok\n", off, what);
    else
        printf("write at offset %zu (%s): %s (%s)\n", off, what,
               wb_signame(sig), wb_last_fault_code());
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [LENGTH]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t len = (i < argc) ? wb_size_arg(argv[i], "length") : 1;
    if (len == 0)
        wb_usage("length must be at least 1 (mmap rejects 0 with EINVAL)");

    size_t ps = wb_page_size();
    size_t rounded = wb_round_up(len);
    printf("page size: %zu bytes (sysconf(_SC_PAGESIZE))\n", ps);

    /*
     * Map a page more than needed on each side and give both back, so that
     * our mapping has a hole on either side: the byte after it must hit a
     * hole, not a neighbour, and the kernel cannot merge the mapping with an
     * anonymous neighbour into one larger VMA (chapter 08), which would hide
     * its size. (Under ASan, whose own mappings crowd the address space, that
     * merge happened.)
     */
    char *base = mmap(NULL, rounded + 2 * ps, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap %zu bytes", rounded + 2 * ps);
    char *p = base + ps;
    if (munmap(base, ps) == -1 || munmap(p + rounded, ps) == -1)
        wb_die("munmap guard pages");

    struct wb_vma v;
    if (wb_vma_of(p, &v) == -1)
        wb_fatal("no VMA contains the new mapping");
    printf("asked for %zu bytes; the VMA is %lu bytes = %zu page(s)\n", len,
           v.end - v.start, (size_t)(v.end - v.start) / ps);
    wb_print_vmas("maps:", p, rounded + ps);

    touch(p, len - 1, "last byte asked for");
    touch(p, rounded - 1, "last byte of the last page");
    touch(p, rounded, "first byte after the mapping");

    if (munmap(p, rounded) == -1)
        wb_die("munmap");
    return 0;
}
