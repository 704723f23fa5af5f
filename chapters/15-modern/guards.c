/*
 * guards.c: guard pages the old way (PROT_NONE, a VMA each) and the new way
 * (MADV_GUARD_INSTALL, Linux 6.13: no VMA at all).
 *
 * Lays out N thread-style stacks of 4 pages, each with one guard page below
 * it, in one mapping, twice. First with mprotect(PROT_NONE) on each guard
 * page: every guard splits the mapping, so N guards cost 2N VMAs (chapter
 * 09's VMA cost), and a process that wants more than vm.max_map_count / 2
 * of them gets ENOMEM. Then with madvise(MADV_GUARD_INSTALL): the guards
 * are markers in the page tables, and the mapping stays one VMA (smaps
 * flags it "gu" where the kernel has the later patch that added the flag,
 * e.g. 6.18.37 and after). A read of a guard page is SIGSEGV either way, but with a
 * different si_code: SEGV_ACCERR for PROT_NONE (mapped, not accessible),
 * SEGV_MAPERR for a marker (as if nothing were mapped there). Then what the
 * markers survive (MADV_DONTNEED), what removing them gives back (a zero
 * page), and that installing one over written data discards the data.
 * The maps lines are printed for N up to 4; for more, only the counts and
 * the time the calls took each way (the mprotect loop stops at the first
 * ENOMEM, so it may have made fewer calls than N).
 *
 * On a kernel before 6.13 madvise answers EINVAL: the demo says so and
 * shows the PROT_NONE half only.
 *
 * Usage: guards [-h] [N]      N stacks and guards (default 3)
 * Tour: 3
 * Tour: 40000
 * Man pages: madvise(2), mprotect(2), proc(5), sigaction(2)
 */
#include "modern.h"
#include "vmflags.h"
#include "wb.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define STACK_PAGES 4 /* each stack; its guard page is below it */

static size_t ps;

/* The region: N * (1 + STACK_PAGES) pages with a hole on either side, so
 * that it cannot merge with a neighbour. Read-write, untouched. */
static char *region(long n)
{
    size_t len = (size_t)n * (1 + STACK_PAGES) * ps;
    char *base = mmap(NULL, len + 2 * ps, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap %zu bytes", len + 2 * ps);
    if (munmap(base, ps) == -1 || munmap(base + ps + len, ps) == -1)
        wb_die("munmap the holes");
    return base + ps;
}

static char *guard_of(char *r, long k)
{
    return r + (size_t)k * (1 + STACK_PAGES) * ps;
}

/* Read the byte at P and say what happened. */
static void try_read(const char *what, const char *p)
{
    char c;
    int sig = wb_try_read(p, &c);
    if (sig == 0)
        printf("  read %s: %d\n", what, c);
    else
        printf("  read %s: %s (%s)\n", what, wb_signame(sig),
               wb_last_fault_code());
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [N]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    long n = i < argc ? wb_long_arg(argv[i], "N", 1, 1000000) : 3;
    ps = wb_page_size();
    size_t len = (size_t)n * (1 + STACK_PAGES) * ps;
    bool show = n <= 4;

    printf("%ld stack%s of %d pages, each with a guard page below it: "
           "one mapping of %zu pages\n",
           n, n == 1 ? "" : "s", STACK_PAGES, len / ps);

    /* The old way: one mprotect per guard. */
    char *r = region(n);
    double t0 = wb_now_us();
    long done = 0;
    /* [protnone] */
    for (long k = 0; k < n; k++) {
        if (mprotect(guard_of(r, k), ps, PROT_NONE) == -1) {
            if (errno != ENOMEM)
                wb_die("mprotect guard %ld", k);
            break;
        }
        done++;
    }
    /* [protnone] */
    double t_prot = wb_now_us() - t0;
    long prot_calls = done < n ? done + 1 : done; /* + the one that failed */
    printf("1. PROT_NONE guard pages (mprotect): %ld guards, %d VMAs\n", done,
           wb_count_vmas(r, len));
    if (done < n) {
        char max[32] = "?";
        wb_read_knob("/proc/sys/vm/max_map_count", max, sizeof max);
        printf("  mprotect of guard %ld: ENOMEM: the process reached "
               "vm.max_map_count (%s) VMAs\n",
               done, max);
    }
    if (show) {
        wb_print_vmas("guards", r, len);
        try_read("the guard of stack 0", guard_of(r, 0));
    }
    if (munmap(r, len) == -1)
        wb_die("munmap");

    /* The new way: one madvise per guard, no VMA. */
    r = region(n);
    t0 = wb_now_us();
    done = 0;
    int err = 0;
    /* [markers] */
    for (long k = 0; k < n; k++) {
        if (madvise(guard_of(r, k), ps, MADV_GUARD_INSTALL) == -1) {
            err = errno;
            break;
        }
        done++;
    }
    /* [markers] */
    double t_mark = wb_now_us() - t0;
    if (err == EINVAL && done == 0) {
        printf("2. guard markers (MADV_GUARD_INSTALL): EINVAL: this kernel "
               "has no guard markers; Linux 6.13 added them. There the %ld "
               "guards leave the mapping 1 VMA (smaps flags it gu on "
               "kernels with the later patch that added the flag, e.g. "
               "6.18.37), and a read of a guard is SIGSEGV (SEGV_MAPERR)\n",
               n);
        return 0;
    }
    if (err != 0) {
        errno = err;
        wb_die("madvise(MADV_GUARD_INSTALL) guard %ld", done);
    }
    int vmas = wb_count_vmas(r, len);
    printf("2. guard markers (MADV_GUARD_INSTALL): %ld guards, %d VMA%s\n",
           done, vmas, vmas == 1 ? "" : "s");
    printf("  the mapping has the smaps flag gu: %s\n",
           vm_has_flag(r, "gu") ? "yes" : "no");
    if (!show) {
        printf("time: %ld mprotect calls %.1f ms, %ld madvise calls %.1f ms\n",
               prot_calls, t_prot / 1000, done, t_mark / 1000);
        return 0;
    }
    wb_print_vmas("guards", r, len);

    char *g = guard_of(r, 0), *stack = g + ps;
    printf("3. stack 0 is usable; its guard page is not:\n");
    memset(stack, 's', STACK_PAGES * ps);
    printf("  write 's' over stack 0: ok\n");
    try_read("the guard of stack 0", g);
    printf("  write to the guard of stack 0: %s (%s)\n",
           wb_signame(wb_try_write(g, 'x')), wb_last_fault_code());

    printf("4. MADV_DONTNEED over the whole mapping: the data goes, the "
           "markers stay\n");
    if (madvise(r, len, MADV_DONTNEED) == -1)
        wb_die("madvise(MADV_DONTNEED)");
    try_read("stack 0", stack);
    try_read("the guard of stack 0", g);

    printf("5. MADV_GUARD_REMOVE on the guard of stack 0\n");
    if (madvise(g, ps, MADV_GUARD_REMOVE) == -1)
        wb_die("madvise(MADV_GUARD_REMOVE)");
    try_read("the old guard of stack 0", g);
    printf("  VMAs: %d\n", wb_count_vmas(r, len));

    printf("6. a marker installed over written data discards it\n");
    memset(stack, 's', ps);
    if (madvise(stack, ps, MADV_GUARD_INSTALL) == -1)
        wb_die("madvise(MADV_GUARD_INSTALL) over data");
    try_read("page 0 of stack 0", stack);
    if (madvise(stack, ps, MADV_GUARD_REMOVE) == -1)
        wb_die("madvise(MADV_GUARD_REMOVE)");
    try_read("page 0 of stack 0 after MADV_GUARD_REMOVE", stack);
    if (munmap(r, len) == -1)
        wb_die("munmap");
    return 0;
}
