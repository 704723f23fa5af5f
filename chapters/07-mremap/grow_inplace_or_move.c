/*
 * grow_inplace_or_move.c: mremap grows in place if the next pages are free, else moves.
 *
 * Builds a known neighbourhood first: a reservation of PAGES + PAGES + 1
 * pages, whose first PAGES become the region (read-write, filled with a test
 * pattern), the next PAGES are given back (a hole), and the last page stays
 * PROT_NONE: a blocker that belongs to us. Then it
 *   1. grows the region by PAGES with flags 0: the hole fits, so it grows in
 *      place;
 *   2. grows it again with flags 0: the blocker is in the way, so mremap
 *      fails with ENOMEM and the region is untouched;
 *   3. grows it with MREMAP_MAYMOVE: the kernel moves it elsewhere;
 *   4. shrinks it back to one page, which always works in place.
 * "In place" and "moved" come from comparing the old and the new start
 * address; the addresses themselves are never printed. After every step the
 * demo counts the bytes that still hold the pattern.
 *
 * Usage: grow_inplace_or_move [-h] [PAGES]     PAGES to start with (default 2)
 * Tour:
 * Man pages: mremap(2), mmap(2), munmap(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

/* The test pattern: a period of 251 bytes, never 0, so a zero page shows. */
static unsigned char pattern(size_t i)
{
    return (unsigned char)(i % 251 + 1);
}

static size_t count_intact(const unsigned char *p, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += p[i] == pattern(i);
    return n;
}

static void report(const char *how, const char *old, const char *new)
{
    printf("  result: %s\n",
           new == old ? how : "moved (the start address changed)");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t pages =
        (i < argc) ? (size_t)wb_long_arg(argv[i], "pages", 1, 65536) : 2;

    size_t ps = wb_page_size();
    size_t len = pages * ps;
    printf("region: %zu pages; the %zu pages after it are a hole, "
           "then a PROT_NONE blocker page\n",
           pages, pages);

    /* The reservation fixes the neighbourhood; MAP_FIXED inside it is safe. */
    char *res =
        mmap(NULL, 2 * len + ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED)
        wb_die("mmap reservation");
    char *p = mmap(res, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap region");
    if (munmap(res + len, len) == -1)
        wb_die("munmap hole");
    for (size_t k = 0; k < len; k++)
        p[k] = (char)pattern(k);
    wb_print_vmas("before:", p, 2 * len + ps);

    printf("step 1: mremap %zu -> %zu pages, flags 0 (the hole fits)\n", pages,
           2 * pages);
    /* [grow] */
    char *q = mremap(p, len, 2 * len, 0);
    if (q == MAP_FAILED)
        wb_die("mremap grow into the hole");
    report("grew in place (same start address)", p, q);
    /* [grow] */
    wb_print_vmas("maps:", q, 2 * len + ps);
    printf("  contents: %zu of %zu bytes intact\n",
           count_intact((unsigned char *)q, len), len);

    printf("step 2: mremap %zu -> %zu pages, flags 0 (the blocker is in the "
           "way)\n",
           2 * pages, 3 * pages);
    char *r = mremap(q, 2 * len, 3 * len, 0);
    if (r != MAP_FAILED)
        wb_fatal(
            "mremap grew past the blocker: the layout is not what was built");
    printf("  result: failed with %s; without MREMAP_MAYMOVE the region stays "
           "put\n",
           wb_errname(errno));
    printf("  contents: %zu of %zu bytes intact\n",
           count_intact((unsigned char *)q, len), len);

    printf("step 3: mremap %zu -> %zu pages, MREMAP_MAYMOVE\n", 2 * pages,
           3 * pages);
    r = mremap(q, 2 * len, 3 * len, MREMAP_MAYMOVE);
    if (r == MAP_FAILED)
        wb_die("mremap with MREMAP_MAYMOVE");
    report("grew in place (same start address)", q, r);
    struct wb_vma v;
    printf("  old range: %s\n",
           wb_vma_of(q, &v) == 0 ? "still mapped" : "no longer mapped");
    printf("  contents: %zu of %zu bytes intact\n",
           count_intact((unsigned char *)r, len), len);
    size_t zeros = 0;
    for (size_t k = len; k < 3 * len; k++)
        zeros += r[k] == 0;
    printf(
        "  the %zu pages added by steps 1 and 3: %zu of %zu bytes are zero\n",
        2 * pages, zeros, 2 * len);

    printf(
        "step 4: mremap %zu -> 1 page, flags 0 (shrinking never needs room)\n",
        3 * pages);
    char *s = mremap(r, 3 * len, ps, 0);
    if (s == MAP_FAILED)
        wb_die("mremap shrink");
    report("shrank in place (same start address)", r, s);
    printf("  the cut-off pages: %s\n", wb_count_vmas(s + ps, 3 * len - ps) == 0
                                            ? "no longer mapped"
                                            : "still mapped");
    printf("  contents: %zu of %zu bytes intact\n",
           count_intact((unsigned char *)s, ps), ps);

    if (munmap(s, ps) == -1 || munmap(res + 2 * len, ps) == -1)
        wb_die("munmap");
    return 0;
}
