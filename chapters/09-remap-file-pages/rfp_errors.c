/*
 * rfp_errors.c: what remap_file_pages(2) refuses, and what it quietly accepts, on this kernel.
 *
 * Each case maps a fresh four-page memfd (or something else where the case
 * needs it), makes one remap_file_pages() call and prints the result:
 * EINVAL for a private mapping, a non-zero prot, a zero size, a range that
 * runs off the mapping or into a hole or into another file, and a shared
 * mapping of a read-only descriptor (which the kernel keeps as a private
 * one inside, although maps shows it as shared); success, with
 * the maps line to show what happened, for an unaligned address and size
 * (rounded down), flags other than MAP_NONBLOCK (ignored), a shared
 * anonymous mapping (it has a file underneath), a read-only mapping, and a
 * page offset past the end of the file (accepted; touching that page is
 * SIGBUS). Under Valgrind every call is ENOSYS, which the program says once
 * before it stops.
 *
 * Usage: rfp_errors [-h]
 * Tour:
 * Man pages: remap_file_pages(2), mmap(2), memfd_create(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define NPAGES 4

static size_t ps;
static int memfd;

static char *map(int prot, int flags, int fd)
{
    char *p = mmap(NULL, NPAGES * ps, prot, flags, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    return p;
}

/* Make the call, print "  WHAT: result"; exit on ENOSYS. */
static int try(const char *what, void *addr, size_t size, int prot,
               size_t pgoff, int flags)
{
    int rc = remap_file_pages(addr, size, prot, pgoff, flags);
    int err = errno;
    if (rc == -1 && err == ENOSYS) {
        printf(
            "remap_file_pages: ENOSYS: %s; nothing to show\n",
            wb_on_valgrind()
                ? "Valgrind does not implement it"
                : "not available (a kernel without it, or a seccomp filter)");
        exit(0);
    }
    printf("%-58s %s\n", what, rc == 0 ? "ok" : wb_errname(err));
    return rc;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();
    memfd = memfd_create("rfp_errors", MFD_CLOEXEC);
    if (memfd == -1)
        wb_die("memfd_create");
    if (ftruncate(memfd, NPAGES * ps) == -1)
        wb_die("ftruncate");
    const int RW = PROT_READ | PROT_WRITE;
    char *p;

    printf("refused (each on a four-page MAP_SHARED mapping of a memfd, "
           "unless it says otherwise):\n");
    p = map(RW, MAP_PRIVATE, memfd);
    try("  a MAP_PRIVATE mapping:", p, ps, 0, 1, 0);
    munmap(p, NPAGES * ps);
    p = map(RW, MAP_SHARED, memfd);
    try("  prot PROT_READ instead of 0:", p, ps, PROT_READ, 1, 0);
    try("  size 0:", p, 0, 0, 1, 0);
    try("  5 pages from a 4-page mapping:", p, 5 * ps, 0, 0, 0);
    munmap(p + 3 * ps, ps); /* a hole after page 2 */
    try("  an address in the hole after it:", p + 3 * ps, ps, 0, 1, 0);
    try("  2 pages that run into the hole:", p + 2 * ps, 2 * ps, 0, 1, 0);
    munmap(p, 3 * ps);
    p = map(RW, MAP_SHARED, memfd);
    int other = memfd_create("other", MFD_CLOEXEC);
    if (other == -1 || ftruncate(other, NPAGES * ps) == -1)
        wb_die("a second memfd");
    if (mmap(p + 2 * ps, 2 * ps, RW, MAP_SHARED | MAP_FIXED, other, 0) ==
        MAP_FAILED)
        wb_die("mmap MAP_FIXED");
    try("  pages 1-2 where page 2 is another file:", p + ps, 2 * ps, 0, 0, 0);
    munmap(p, NPAGES * ps);
    close(other);
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", memfd);
    int rdonly = open(self, O_RDONLY);
    if (rdonly == -1)
        wb_die("open '%s'", self);
    p = map(PROT_READ, MAP_SHARED, rdonly);
    try("  MAP_SHARED, but of an O_RDONLY descriptor:", p, ps, 0, 1, 0);
    wb_print_vmas("  ", p, NPAGES * ps);
    munmap(p, NPAGES * ps);
    close(rdonly);

    printf("accepted:\n");
    p = map(RW, MAP_SHARED, memfd);
    if (try("  addr + 100, size ps + 7 (rounded down), pgoff 3:", p + 100,
            ps + 7, 0, 3, 0) == 0)
        wb_print_vmas("  ", p, NPAGES * ps);
    if (try("  flags MAP_PRIVATE (ignored), pgoff 3:", p + ps, ps, 0, 3,
            MAP_PRIVATE) == 0)
        wb_print_vmas("  ", p + ps, ps);
    munmap(p, NPAGES * ps);
    p = map(RW, MAP_SHARED | MAP_ANONYMOUS, -1);
    if (try("  a MAP_SHARED|MAP_ANONYMOUS mapping, pgoff 3:", p, ps, 0, 3, 0) ==
        0)
        wb_print_vmas("  ", p, ps);
    munmap(p, NPAGES * ps);
    p = map(PROT_READ, MAP_SHARED, memfd);
    if (try("  a PROT_READ mapping of an O_RDWR descriptor, pgoff 3:", p, ps, 0,
            3, 0) == 0)
        wb_print_vmas("  ", p, ps);
    munmap(p, NPAGES * ps);
    p = map(RW, MAP_SHARED, memfd);
    if (try("  pgoff 100, far past the end of the file:", p, ps, 0, 100, 0) ==
        0) {
        wb_print_vmas("  ", p, ps);
        char c;
        int sig = wb_try_read(p, &c);
        printf("    reading that page: %s%s%s%s\n",
               sig ? wb_signame(sig) : "ok", sig ? " (" : "",
               sig ? wb_last_fault_code() : "", sig ? ")" : "");
    }
    munmap(p, NPAGES * ps);
    close(memfd);
    return 0;
}
