/*
 * dontunmap.c: MREMAP_DONTUNMAP moves the pages but leaves the old range mapped.
 *
 * For each of the four mapping types (private or shared, anonymous or file)
 * it maps 2 pages, writes 'A' into them (the file itself holds 'F'), and
 * moves them with MREMAP_MAYMOVE | MREMAP_DONTUNMAP. Then it reports:
 *   - whether this kernel accepted the flag for that type (Linux 5.7 took only
 *     private anonymous mappings; 5.13 opened it to the others);
 *   - the new range's contents (the 'A's moved with it);
 *   - the old range: still in /proc/self/maps, and what reading it returns.
 *     Its page table entries went with the move, so every page faults in
 *     afresh from what backs it: a private anonymous page comes back as
 *     zeros, a private file page as the file's own bytes, a shared page as
 *     the shared object's current contents (still 'A').
 * Last, the two rules: old and new size must be equal, and MREMAP_MAYMOVE
 * is required. Valgrind 3.19 refuses the flag outright (EINVAL); the demo
 * detects that and says so, and shows the rules only if the private
 * anonymous call, which keeps them, was accepted.
 *
 * Usage: dontunmap [-h]
 * Tour:
 * Man pages: mremap(2), mmap(2), userfaultfd(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PAGES 2

/* The running kernel's release, as uname(2) gives it. */
static const char *release(void)
{
    static struct utsname u;
    if (uname(&u) == -1)
        wb_die("uname");
    return u.release;
}

/* Tries the flag on one mapping type; true if the kernel accepted it. */
static bool try_type(const char *name, int flags, int fd)
{
    size_t len = PAGES * wb_page_size();
    printf("%s:\n", name);
    char *old = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (old == MAP_FAILED)
        wb_die("mmap %s", name);
    memset(old, 'A', len);

    /* [dontunmap] */
    /* glibc since 2.41 and on its 2.35 to 2.40 branches since August 2024
     * (Debian 12 from 2.36-9+deb12u9) reads a fifth argument whenever
     * MREMAP_DONTUNMAP is set, and before 2.35 the register went to the
     * kernel as it was: pass NULL (no hint). Left out, the kernel gets
     * whatever that register happens to hold; only 2.35 to 2.40 as first
     * released pass NULL for you. */
    char *new = mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    /* [dontunmap] */
    if (new == MAP_FAILED) {
        int err = errno;
        if (err != EINVAL)
            wb_die("mremap %s", name);
        if (wb_on_valgrind())
            printf("  refused: EINVAL (this Valgrind does not support "
                   "MREMAP_DONTUNMAP;"
                   " run natively to see it)\n");
        else if ((flags & MAP_PRIVATE) && fd == -1)
            printf("  refused: EINVAL (this kernel is %s; MREMAP_DONTUNMAP "
                   "came in Linux 5.7)\n",
                   release());
        else
            printf("  refused: EINVAL (this kernel is %s; before Linux 5.13 "
                   "only private anonymous mappings are accepted)\n",
                   release());
        if (munmap(old, len) == -1)
            wb_die("munmap");
        return false;
    }
    printf("  accepted: %s\n",
           new != old ? "moved to a new address" : "same address (a bug)");
    size_t as = 0;
    for (size_t k = 0; k < len; k++)
        as += new[k] == 'A';
    printf("  new range: %zu of %zu bytes 'A'\n", as, len);

    struct wb_vma v;
    if (wb_vma_of(old, &v) == -1)
        printf("  old range: no longer mapped (a bug: DONTUNMAP keeps it)\n");
    else
        printf("  old range: still mapped, %s\n", v.perms);
    long f0 = wb_minor_faults();
    size_t zeros = 0, fs = 0;
    as = 0;
    for (size_t k = 0; k < len; k++) {
        zeros += old[k] == 0;
        as += old[k] == 'A';
        fs += old[k] == 'F';
    }
    long faults = wb_minor_faults() - f0;
    printf("  old range reads: %zu zero, %zu 'A', %zu 'F' bytes (minor faults: "
           "%ld)\n",
           zeros, as, fs, faults);
    if (munmap(old, len) == -1 || munmap(new, len) == -1)
        wb_die("munmap");
    return true;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i != argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    size_t len = PAGES * ps;
    int fd = wb_temp_file("dontunmap", NULL);
    char buf[4096];
    memset(buf, 'F', sizeof buf);
    for (size_t off = 0; off < len; off += sizeof buf)
        if (pwrite(fd, buf, sizeof buf, (off_t)off) != (ssize_t)sizeof buf)
            wb_die("pwrite");
    printf("each mapping: %d pages, written with 'A'; the file holds 'F'\n",
           PAGES);

    bool anon_ok =
        try_type("private anonymous", MAP_PRIVATE | MAP_ANONYMOUS, -1);
    try_type("shared anonymous", MAP_SHARED | MAP_ANONYMOUS, -1);
    try_type("private file", MAP_PRIVATE, fd);
    try_type("shared file", MAP_SHARED, fd);

    /* The two EINVALs below show the rules only where a call that keeps
     * them gets through; where even that was refused (Valgrind 3.19, or a
     * kernel before 5.7) they would show nothing. */
    if (!anon_ok) {
        printf("the rules: not shown (the private anonymous call above, "
               "which keeps them, was refused too)\n");
        close(fd);
        return 0;
    }
    printf("the rules:\n");
    char *p = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    char *q = mremap(p, len, 2 * len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    printf("  new size != old size: %s\n",
           q == MAP_FAILED ? wb_errname(errno) : "accepted");
    q = mremap(p, len, len, MREMAP_DONTUNMAP, NULL);
    printf("  without MREMAP_MAYMOVE: %s\n",
           q == MAP_FAILED ? wb_errname(errno) : "accepted");
    if (munmap(p, 2 * len) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
