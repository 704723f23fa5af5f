/*
 * msync_errors.c: what msync(2) accepts and what it refuses, errno by errno.
 *
 * Maps five pages of a temporary file MAP_SHARED, gives page 3 back with
 * munmap so that the region has a hole in it, and then calls msync with one
 * questionable argument at a time: an unaligned address, MS_SYNC and MS_ASYNC
 * together, an unknown flag bit, a range that runs into the hole, a range
 * wholly inside it, a zero length, no flag at all, MS_INVALIDATE over a page
 * locked with mlock(2), and an anonymous mapping. Each row prints the call,
 * "ok" or the errno name the kernel returned, and what the case is; why the
 * kernel answers as it does is the README's part, not the program's.
 *
 * The ranges that reach into the hole pass unmapped memory to the kernel on
 * purpose. Valgrind reports that as an error in the program before the
 * kernel answers, so under Valgrind those calls are made with its error
 * reporting switched off (the kernel's answer is the same). Built with
 * AddressSanitizer (make sanitize), mlock() is ASan's no-op that locks
 * nothing and returns 0: the demo says so and leaves the EBUSY row out.
 *
 * Usage: msync_errors [-h]
 * Tour:
 * Man pages: msync(2), mmap(2), munmap(2), mlock(2), errno(3)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Call msync and print one row: the call as text, the result, and what is
 * special about the arguments (a description of the call, not a finding). */
static void row(const char *call, void *addr, size_t len, int flags,
                bool into_hole, const char *why)
{
    if (into_hole)
        wb_quiet_begin();
    int r = msync(addr, len, flags);
    int err = errno;
    if (into_hole)
        wb_quiet_end();
    printf("  %-46s %-7s %s\n", call, r == 0 ? "ok" : wb_errname(err), why);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i < argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    int fd = wb_temp_file("msync_errors", NULL);
    if (ftruncate(fd, (off_t)(5 * ps)) == -1)
        wb_die("ftruncate");
    char *base = mmap(NULL, 5 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        wb_die("mmap 5 pages");
    close(fd);
    if (munmap(base + 3 * ps, ps) == -1)
        wb_die("munmap page 3");
    base[0] = 'x'; /* something for MS_SYNC to do */

    printf("base = 5 pages of a file, MAP_SHARED; page 3 unmapped (a hole)\n");
    printf("  %-46s %-7s %s\n", "call", "result",
           "the case (the call's arguments)");

    row("msync(base, 3 pages, MS_SYNC)", base, 3 * ps, MS_SYNC, false,
        "pages 0-2, all mapped");
    row("msync(base, 1, MS_SYNC)", base, 1, MS_SYNC, false,
        "length 1, less than a page");
    row("msync(base, 3 pages, MS_ASYNC)", base, 3 * ps, MS_ASYNC, false,
        "MS_ASYNC alone");
    row("msync(base, 3 pages, 0)", base, 3 * ps, 0, false, "no flag at all");
    row("msync(base, 3 pages, MS_SYNC|MS_INVALIDATE)", base, 3 * ps,
        MS_SYNC | MS_INVALIDATE, false,
        "MS_INVALIDATE on a shared file mapping");
    row("msync(base+page 3, 0, MS_SYNC)", base + 3 * ps, 0, MS_SYNC, false,
        "length 0, at the hole");

    /* [refused] */
    row("msync(base+1, 1 page, MS_SYNC)", base + 1, ps, MS_SYNC, false,
        "address not a multiple of the page size");
    row("msync(base, 3 pages, MS_SYNC|MS_ASYNC)", base, 3 * ps,
        MS_SYNC | MS_ASYNC, false, "MS_SYNC and MS_ASYNC together");
    row("msync(base, 3 pages, 0x8)", base, 3 * ps, 0x8, false,
        "0x8 is no MS_ flag");
    row("msync(base, 5 pages, MS_SYNC)", base, 5 * ps, MS_SYNC, true,
        "pages 0-4: page 3 is the hole");
    row("msync(base+page 3, 1 page, MS_ASYNC)", base + 3 * ps, ps, MS_ASYNC,
        true, "page 3 only: the hole");
    /* [refused] */

    /* MS_INVALIDATE refuses to throw away pages that mlock pinned. */
    if (wb_on_asan()) {
        printf("  built with AddressSanitizer: its mlock() locks nothing "
               "(and returns 0): the EBUSY row is left out\n");
    } else if (mlock(base, ps) == 0) {
        printf("  (locked = base after mlock(base, 1 page))\n");
        row("msync(locked, 1 page, MS_SYNC|MS_INVALIDATE)", base, ps,
            MS_SYNC | MS_INVALIDATE, false, "MS_INVALIDATE on the locked page");
        row("msync(locked, 1 page, MS_SYNC)", base, ps, MS_SYNC, false,
            "the locked page, without MS_INVALIDATE");
        munlock(base, ps);
    } else {
        printf("  mlock failed (%s): the EBUSY row is left out "
               "(see RLIMIT_MEMLOCK in getrlimit(2))\n",
               wb_errname(errno));
    }

    /* An anonymous mapping has no file: msync has nothing to write. */
    char *anon = mmap(NULL, ps, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (anon == MAP_FAILED)
        wb_die("mmap anonymous");
    anon[0] = 'y';
    row("msync(anon, 1 page, MS_SYNC)", anon, ps, MS_SYNC, false,
        "private anonymous: no file behind it");

    if (munmap(anon, ps) == -1 || munmap(base, 3 * ps) == -1 ||
        munmap(base + 4 * ps, ps) == -1)
        wb_die("munmap");
    return 0;
}
