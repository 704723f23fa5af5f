/*
 * ex1_guardstack.c: N stacks in one mapping, each with a guard page below
 * it, at the cost of one VMA where the kernel has guard markers (solution).
 *
 * The task is in exercises/15-modern/ex1_guardstack.c.
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* asm-generic/mman-common.h, 6.13 */
#endif

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-p] [-w] [-t K] N PAGES");
    bool force_prot = false, wait_eof = false;
    long touch = -1;
    int opt;
    opterr = 0;
    while ((opt = getopt(argc, argv, "hpwt:")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'p')
            force_prot = true;
        else if (opt == 'w')
            wait_eof = true;
        else if (opt == 't')
            touch = wb_long_arg(optarg, "K", 0, 100000);
        else
            wb_usage("unknown option -%c", optopt);
    }
    if (argc - optind != 2)
        wb_usage("expected N and PAGES");
    long n = wb_long_arg(argv[optind], "N", 1, 100000);
    long pages = wb_long_arg(argv[optind + 1], "PAGES", 1, 1024);
    if (touch >= n)
        wb_usage("K must be below N (%ld)", n);

    size_t ps = wb_page_size();
    size_t slot = (size_t)(pages + 1) * ps; /* a guard page, then a stack */
    size_t len = (size_t)n * slot;
    char *r = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (r == MAP_FAILED)
        wb_die("mmap");

    /* Guard markers where the kernel has them (6.13), else PROT_NONE. */
    bool use_madvise = !force_prot;
    for (long k = 0; k < n; k++) {
        char *guard = r + (size_t)k * slot;
        if (use_madvise) {
            if (madvise(guard, ps, MADV_GUARD_INSTALL) == 0)
                continue;
            if (k > 0 || errno != EINVAL)
                wb_die("madvise guard %ld", k);
            use_madvise = false; /* a kernel before 6.13 */
        }
        if (mprotect(guard, ps, PROT_NONE) == -1)
            wb_die("mprotect guard %ld", k);
    }
    const char *how = use_madvise ? "madvise" : "mprotect";

    for (long k = 0; k < n; k++) {
        char *stack = r + (size_t)k * slot + ps;
        for (long p = 0; p < pages; p++)
            stack[(size_t)p * ps] = (char)('a' + k % 26);
    }

    printf("pid %d region %lx-%lx\n", (int)getpid(), (unsigned long)r,
           (unsigned long)(r + len));
    printf("%ld stacks of %ld pages, guards by %s\n", n, pages, how);
    printf("VMAs: %d\n", wb_count_vmas(r, len));
    fflush(stdout);

    if (wait_eof) {
        char buf[256];
        while (read(STDIN_FILENO, buf, sizeof buf) > 0)
            ;
    }
    if (touch >= 0) {
        printf("touching the guard of stack %ld\n", touch);
        fflush(stdout);
        const volatile char *guard = r + (size_t)touch * slot;
        char c = *guard; /* SIGSEGV: the process dies of it */
        printf("read %d: the guard did not work\n", c);
        return 1;
    }
    if (munmap(r, len) == -1)
        wb_die("munmap");
    return 0;
}
