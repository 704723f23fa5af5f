/*
 * seal.c: what mseal(2) forbids on a sealed range, and what it still allows.
 *
 * Maps 4 pages of private anonymous memory, writes them, and seals the
 * middle two with mseal(2) (Linux 6.10). /proc/self/maps then shows three
 * VMAs with identical lines: the seal is a VMA flag, "sl" in smaps'
 * VmFlags, and sealing part of a VMA splits it. Then every operation that
 * could change the sealed pages' mapping is tried on them: mprotect,
 * munmap, mremap, an mmap with MAP_FIXED over them, an munmap of a range
 * that merely includes them; each fails with EPERM and changes nothing.
 * Reads and writes still work, and so does MADV_DONTNEED, because the pages
 * are writable: the kernel refuses a discarding madvise only where the
 * program could not have written the zeros itself, which a second,
 * read-only sealed region shows. Last, the errors of mseal itself.
 *
 * On a kernel without mseal (ENOSYS), it says which release added it and
 * what the run would have shown; under Valgrind 3.19, which does not know
 * the system call, likewise.
 *
 * Usage: seal [-h]
 * Tour:
 * Man pages: mseal(2), mprotect(2), munmap(2), mremap(2), madvise(2), proc(5)
 */
#include "modern.h"
#include "vmflags.h"
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static size_t ps;

/* N pages of private anonymous memory with a hole on either side, so that
 * the kernel cannot merge them with a neighbour, filled with C. */
static char *isolated(size_t n, int prot, char c)
{
    char *base = mmap(NULL, (n + 2) * ps, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap %zu pages", n + 2);
    char *p = base + ps;
    if (munmap(base, ps) == -1 || munmap(p + n * ps, ps) == -1)
        wb_die("munmap the holes");
    memset(p, c, n * ps);
    if (mprotect(p, n * ps, prot) == -1)
        wb_die("mprotect");
    return p;
}

/* "ok" or the errno name, for a call that returned R. */
static const char *outcome(long r)
{
    return r == -1 ? wb_errname(errno) : "ok";
}

static void try_call(const char *what, long r)
{
    printf("  %-44s %s\n", what, outcome(r));
}

static void show_flags(const char *what, const void *addr)
{
    char flags[256];
    if (vm_flags(addr, flags, sizeof flags) == -1)
        snprintf(flags, sizeof flags, "(no smaps)");
    printf("  VmFlags of %s: %s\n", what, flags);
}

/* [what-it-would-show] */
static void would_have(const char *why)
{
    printf("%s\n", why);
    printf("mseal(2) came with Linux 6.10. There, on the sealed pages, "
           "mprotect, munmap, mremap and mmap MAP_FIXED fail with EPERM, "
           "reads and writes work, MADV_DONTNEED works on writable pages "
           "and fails with EPERM on read-only ones, and smaps shows the "
           "flag sl.\n");
}
/* [what-it-would-show] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    if (wb_on_valgrind()) {
        would_have("under Valgrind 3.19, which does not know mseal(2) "
                   "(system call 462): not tried");
        return 0;
    }

    char *p = isolated(4, PROT_READ | PROT_WRITE, 'a');
    printf("1. 4 pages of private anonymous memory, read-write, "
           "filled with 'a'\n");
    wb_print_vmas("seal", p, 4 * ps);

    /* [seal] */
    if (sys_mseal(p + ps, 2 * ps, 0) == -1) {
        if (errno == EPERM) {
            would_have("mseal(2): EPERM: refused by a seccomp filter (a "
                       "container's profile that does not list mseal)");
            return 0;
        }
        if (errno != ENOSYS)
            wb_die("mseal pages 1-2");
        would_have("mseal(2): ENOSYS: this kernel has no mseal, or a "
                   "seccomp filter answers ENOSYS for it (as Podman's "
                   "default profile does for calls it does not list)");
        return 0;
    }
    /* [seal] */
    printf("2. mseal(pages 1-2): ok; maps shows three VMAs, smaps tells "
           "them apart\n");
    wb_print_vmas("seal", p, 4 * ps);
    show_flags("page 0", p);
    show_flags("page 1", p + ps);

    printf("3. on the sealed pages 1-2:\n");
    char *q = p + ps;
    /* [forbidden] */
    try_call("mprotect(PROT_READ)", mprotect(q, 2 * ps, PROT_READ));
    try_call("munmap", munmap(q, 2 * ps));
    try_call("munmap of pages 0-3 (includes them)", munmap(p, 4 * ps));
    void *moved = mremap(q, 2 * ps, 4 * ps, MREMAP_MAYMOVE);
    try_call("mremap to 4 pages, MREMAP_MAYMOVE", moved == MAP_FAILED ? -1 : 0);
    void *over =
        mmap(q, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    try_call("mmap MAP_FIXED over page 1", over == MAP_FAILED ? -1 : 0);
    /* [forbidden] */
    printf("  read page 1: '%c'; ", q[0]);
    q[0] = 'b';
    printf("write 'b' to page 1: ok, it reads '%c'\n", q[0]);
    /* [dontneed] */
    try_call("madvise(MADV_DONTNEED) on page 2",
             madvise(q + ps, ps, MADV_DONTNEED));
    if (q[ps] == 0)
        printf("  page 2 now reads 0 (zero: a writable range may be "
               "discarded)\n");
    else
        printf("  page 2 still reads '%c': its bytes were not discarded\n",
               q[ps]);
    /* [dontneed] */
    printf("  still mapped: page 0 '%c', page 3 '%c'\n", p[0], p[3 * ps]);
    wb_print_vmas("seal", p, 4 * ps);

    printf("4. page 0 is not sealed: munmap(page 0) ");
    printf("%s\n", outcome(munmap(p, ps)));

    printf("5. 2 read-only pages, filled with 'r', sealed:\n");
    char *r = isolated(2, PROT_READ, 'r');
    try_call("mseal", sys_mseal(r, 2 * ps, 0));
    try_call("madvise(MADV_DONTNEED)", madvise(r, ps, MADV_DONTNEED));
    try_call("madvise(MADV_FREE)", madvise(r, ps, MADV_FREE));
    try_call("madvise(MADV_WILLNEED)", madvise(r, ps, MADV_WILLNEED));
    try_call("mprotect(PROT_READ | PROT_WRITE)",
             mprotect(r, 2 * ps, PROT_READ | PROT_WRITE));
    printf("  page 0 still reads '%c'\n", r[0]);

    printf("6. what mseal itself refuses:\n");
    char *s = isolated(1, PROT_READ | PROT_WRITE, 's');
    try_call("flags 1 (must be 0)", sys_mseal(s, ps, 1));
    try_call("an address not on a page boundary", sys_mseal(s + 1, ps, 0));
    try_call("a range running into a hole", sys_mseal(s, 2 * ps, 0));
    try_call("the same page twice: mseal, mseal",
             sys_mseal(s, ps, 0) == -1 ? -1 : sys_mseal(s, ps, 0));
    printf("the sealed pages stay mapped until the process exits\n");
    return 0;
}
