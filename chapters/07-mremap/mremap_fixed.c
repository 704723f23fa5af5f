/*
 * mremap_fixed.c: MREMAP_FIXED moves a mapping to a chosen address in a reservation.
 *
 * Reserves 8 pages of address space with PROT_NONE, fills a 2-page region
 * mapped elsewhere, and moves it with MREMAP_MAYMOVE | MREMAP_FIXED to page 2
 * of the reservation, growing it to 3 pages on the way. The maps lines of the
 * reservation then show the region sitting in the middle of it: what was
 * reserved there was replaced, just as MAP_FIXED would replace it. The old
 * range is gone. Then the three ways to get EINVAL: MREMAP_FIXED without
 * MREMAP_MAYMOVE, a target that overlaps the source, a target that is not
 * page-aligned.
 *
 * Usage: mremap_fixed [-h]
 * Tour:
 * Man pages: mremap(2), mmap(2) (MAP_FIXED), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Try one mremap that should fail, and print its errno. */
static void expect_fail(const char *what, void *old, size_t len, int flags,
                        void *to)
{
    void *r = mremap(old, len, len, flags, to);
    if (r != MAP_FAILED)
        wb_fatal("mremap (%s) succeeded, but the man page says it must fail",
                 what);
    printf("  %s: %s\n", what, wb_errname(errno));
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i != argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    char *res =
        mmap(NULL, 8 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED)
        wb_die("mmap reservation");
    char *src = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED)
        wb_die("mmap region");
    memset(src, 'R', 2 * ps);
    printf("reservation: 8 pages PROT_NONE; region: 2 pages of 'R', mapped "
           "elsewhere\n");
    wb_print_vmas("reservation:", res, 8 * ps);

    printf("mremap region 2 -> 3 pages, MREMAP_MAYMOVE|MREMAP_FIXED, to "
           "reservation + 2 pages\n");
    /* [fixed] */
    char *target = res + 2 * ps;
    char *q =
        mremap(src, 2 * ps, 3 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    if (q == MAP_FAILED)
        wb_die("mremap MREMAP_FIXED");
    /* [fixed] */
    printf("  result: %s\n",
           q == target ? "at the chosen address" : "somewhere else (a bug)");
    printf("  old range: %s\n", wb_count_vmas(src, 2 * ps) == 0
                                    ? "no longer mapped"
                                    : "still mapped");
    wb_print_vmas("reservation:", res, 8 * ps);
    size_t rs = 0, zeros = 0;
    for (size_t k = 0; k < 3 * ps; k++) {
        rs += q[k] == 'R';
        zeros += q[k] == 0;
    }
    printf("  contents: %zu bytes 'R' (of %zu moved), %zu zero bytes (the page "
           "added)\n",
           rs, 2 * ps, zeros);

    printf("what mremap refuses:\n");
    expect_fail("MREMAP_FIXED without MREMAP_MAYMOVE", q, ps, MREMAP_FIXED,
                res + 6 * ps);
    expect_fail("target overlapping the source", q, 2 * ps,
                MREMAP_MAYMOVE | MREMAP_FIXED, q + ps);
    expect_fail("target not page-aligned", q, ps, MREMAP_MAYMOVE | MREMAP_FIXED,
                res + 6 * ps + 1);
    rs = 0;
    for (size_t k = 0; k < 3 * ps; k++)
        rs += q[k] == 'R';
    printf(
        "  after the refusals: %zu bytes 'R' still at reservation + 2 pages\n",
        rs);

    if (munmap(res, 8 * ps) == -1)
        wb_die("munmap");
    return 0;
}
