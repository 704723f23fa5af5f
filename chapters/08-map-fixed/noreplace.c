/*
 * noreplace.c: MAP_FIXED_NOREPLACE refuses to replace a mapping (EEXIST).
 *
 * Sets up a 4-page area whose pages 0-1 are mapped (and hold "KEEP") and
 * whose pages 2-3 are a hole. Then it asks for MAP_FIXED_NOREPLACE mappings
 * at three places: over page 1 (occupied), over pages 1-2 (half occupied)
 * and over pages 2-3 (free). Since Linux 4.17 the first two fail with EEXIST
 * and the third lands exactly where asked. A kernel that does not know the
 * flag ignores it and treats the address as a hint: then mmap() succeeds at
 * some other address, and the only way to notice is to compare the address
 * returned with the one asked for, as mmap(2) tells portable programs to do.
 * The demo does that check (in map_noreplace()) and says which case it saw;
 * after an EEXIST it looks at the area again (its VMAs and page 1's bytes)
 * before it says that nothing was replaced.
 * Valgrind 3.19 is such a case: it does not know the flag either. Last, the
 * same request with no flag at all shows what "a hint" means.
 *
 * Usage: noreplace [-h]
 * Tour:
 * Man pages: mmap(2), munmap(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static char *area; /* the 4-page area, for messages */
static size_t ps;

/* [wrapper] */
/*
 * mmap() with MAP_FIXED_NOREPLACE, made safe on kernels that ignore the flag.
 * Returns MAP_FAILED with errno EEXIST when the range is taken; *hint says
 * whether the kernel took the flag as a mere hint (and we undid its mapping).
 */
static void *map_noreplace(void *addr, size_t len, int prot, int flags,
                           bool *hint)
{
    void *p = mmap(addr, len, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
    *hint = p != MAP_FAILED && p != addr;
    if (*hint) {
        /* flag unknown (Linux < 4.17, or Valgrind): p is somewhere else */
        if (munmap(p, len) == -1)
            wb_die("munmap the mapping made at the wrong address");
        errno = EEXIST;
        return MAP_FAILED;
    }
    return p;
}
/* [wrapper] */

/* What the area looks like: its VMA count, the VMAs of pages 0 and 1, and
 * whether page 1 holds "KEEP". */
struct look {
    int vmas;
    struct wb_vma page0, page1;
    bool keep;
};

static void look_at_area(struct look *l)
{
    memset(l, 0, sizeof *l);
    l->vmas = wb_count_vmas(area, 4 * ps);
    wb_vma_of(area, &l->page0);
    wb_vma_of(area + ps, &l->page1);
    l->keep = memcmp(area + ps, "KEEP", 4) == 0;
}

static bool same_vma(const struct wb_vma *a, const struct wb_vma *b)
{
    return a->start == b->start && a->end == b->end &&
           strcmp(a->perms, b->perms) == 0;
}

static void try_at(const char *what, size_t page, size_t npages)
{
    bool hint;
    char *want = area + page * ps;
    printf("%s: MAP_FIXED_NOREPLACE at area + %zu page(s), %zu page(s)\n", what,
           page, npages);
    struct look before, after;
    look_at_area(&before);
    char *p = map_noreplace(want, npages * ps, PROT_READ,
                            MAP_PRIVATE | MAP_ANONYMOUS, &hint);
    int err = errno;
    if (p != MAP_FAILED) {
        printf("  ok, at the address asked for\n");
        return;
    }
    if (err != EEXIST) {
        errno = err;
        wb_die("mmap MAP_FIXED_NOREPLACE");
    }
    if (hint) {
        printf("  mapped at another address: the flag was taken as a hint "
               "(%s); unmapped it, treated as EEXIST\n",
               wb_on_valgrind()
                   ? "Valgrind does not know MAP_FIXED_NOREPLACE"
                   : "this kernel does not know MAP_FIXED_NOREPLACE");
        return;
    }
    /* Replaced nothing: the area's mappings and page 1's bytes as before. */
    look_at_area(&after);
    bool kept = after.vmas == before.vmas &&
                same_vma(&after.page0, &before.page0) &&
                same_vma(&after.page1, &before.page1) && after.keep;
    printf("  %s: the range is in use, %s\n", wb_errname(err),
           kept ? "nothing was replaced"
                : "but the area's mappings or page 1's \"KEEP\" changed");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    /* 6 pages, then give back the outer ones and pages 2-3 of the area. */
    area = mmap(NULL, 6 * ps, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        wb_die("mmap 6 pages");
    area += ps;
    if (munmap(area - ps, ps) == -1 || munmap(area + 2 * ps, 3 * ps) == -1)
        wb_die("munmap the hole");
    memcpy(area + ps, "KEEP", 4);
    printf("a 4-page area: pages 0-1 mapped (page 1 holds \"KEEP\"), "
           "pages 2-3 a hole\n");
    wb_print_vmas("area", area, 4 * ps);

    try_at("1. occupied", 1, 1);
    try_at("2. half occupied", 1, 2);
    try_at("3. free", 2, 2);
    wb_print_vmas("area", area, 4 * ps);
    printf("page 1 still holds \"%.4s\"\n", area + ps);

    /* [hint] */
    char *want = area + ps;
    char *p = mmap(want, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap with a hint");
    /* [hint] */
    /* Replaced nothing: page 1 must still hold what we wrote there. */
    int kept = memcmp(area + ps, "KEEP", 4) == 0;
    printf("4. no flag, area + 1 page as a hint: %s\n",
           p == want ? "placed there (the page was free?)"
           : kept    ? "ok, placed somewhere else; nothing was replaced"
                     : "placed somewhere else, but page 1 lost \"KEEP\"");
    if (munmap(p, ps) == -1 || munmap(area, 4 * ps) == -1)
        wb_die("munmap");
    return 0;
}
