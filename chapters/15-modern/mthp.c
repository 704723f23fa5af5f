/*
 * mthp.c: huge pages of every size (mTHP, Linux 6.8) and MADV_COLLAPSE (6.1).
 *
 * Part 1 reads the knobs: the global THP mode and, since 6.8, one knob per
 * folio size, /sys/kernel/mm/transparent_hugepage/hugepages-NkB/enabled
 * ("always", "inherit", "madvise" or "never"). From them it predicts how
 * many 4 KiB pages one write fault on fresh anonymous memory will map, for
 * each advice: the largest size whose knob allows that advice.
 *
 * Part 2 measures it: a 4 MiB region at a 2 MiB boundary is written one
 * byte per page under each advice (none, MADV_HUGEPAGE, MADV_NOHUGEPAGE),
 * and a 1 MiB region, too small for a 2 MiB page, without advice (where a
 * small size set to "always" shows even when the global knob says always);
 * the minor faults give the pages per fault, smaps gives AnonHugePages (the
 * part mapped by 2 MiB entries), and the per-size counters
 * hugepages-NkB/stats/anon_fault_alloc (6.10; system-wide) say which folio
 * sizes the kernel handed out meanwhile.
 *
 * Part 3 asks for a huge page after the fact with MADV_COLLAPSE, and shows
 * the four ways it does nothing or fails: a VMA too small to hold an aligned
 * 2 MiB block (EINVAL), a VMA never touched (EINVAL: no anonymous memory to
 * collapse yet), and a range that touches a 2 MiB boundary but holds no
 * whole aligned 2 MiB block (success, and nothing done; a range wholly
 * inside one block, not tried here, gets EINVAL); then an aligned 2 MiB range with one page
 * written: one call makes it a 2 MiB page, Rss jumps to 2048 kB, and
 * writing the other 511 pages takes no fault at all.
 *
 * It changes no knob: what it shows is this machine's setting.
 *
 * Usage: mthp [-h]
 * Man pages: madvise(2) (MADV_HUGEPAGE, MADV_COLLAPSE), proc(5) (smaps),
 *            getrusage(2); the kernel's Documentation/admin-guide/mm/transhuge.rst
 */
#include "modern.h"
#include "wb.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define THP_DIR "/sys/kernel/mm/transparent_hugepage/"
#define PMD     ((size_t)2 << 20)
#define REGION  ((size_t)4 << 20)
enum { MAX_SIZES = 16 };

struct size_knob {
    unsigned kb;       /* folio size */
    char mode[16];     /* its knob: always, inherit, madvise, never */
    long alloc_before; /* stats/anon_fault_alloc, or -1 */
};

static struct size_knob sizes[MAX_SIZES];
static int nsizes;
static char thp_mode[16] = "none";

static int by_kb(const void *a, const void *b)
{
    const struct size_knob *x = a, *y = b;
    return (x->kb > y->kb) - (x->kb < y->kb);
}

/* Every hugepages-NkB directory with an "enabled" knob, smallest first. */
static void read_knobs(void)
{
    if (wb_knob_choice(THP_DIR "enabled", thp_mode, sizeof thp_mode) != 0)
        strcpy(thp_mode, "none");
    DIR *d = opendir(THP_DIR);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nsizes < MAX_SIZES) {
        unsigned kb;
        char path[300];
        if (sscanf(e->d_name, "hugepages-%ukB", &kb) != 1)
            continue;
        snprintf(path, sizeof path, THP_DIR "%s/enabled", e->d_name);
        struct size_knob *s = &sizes[nsizes];
        if (wb_knob_choice(path, s->mode, sizeof s->mode) != 0)
            continue; /* a directory without the knob */
        s->kb = kb;
        nsizes++;
    }
    closedir(d);
    qsort(sizes, (size_t)nsizes, sizeof sizes[0], by_kb);
}

/* [predict] */
/* Does this size's knob allow a folio of its size for a VMA with this
 * advice (0 none, MADV_HUGEPAGE, MADV_NOHUGEPAGE)? */
static int allows(const char *mode, int advice)
{
    if (advice == MADV_NOHUGEPAGE)
        return 0;
    if (strcmp(mode, "inherit") == 0)
        mode = thp_mode;
    if (strcmp(mode, "always") == 0)
        return 1;
    return strcmp(mode, "madvise") == 0 && advice == MADV_HUGEPAGE;
}

/* Pages one write fault should map in an aligned VMA of len bytes: the
 * largest size allowed that fits, else 1. */
static size_t predicted_pages(int advice, size_t len)
{
    for (int i = nsizes - 1; i >= 0; i--)
        if (sizes[i].kb * (size_t)1024 <= len && allows(sizes[i].mode, advice))
            return sizes[i].kb * (size_t)1024 / wb_page_size();
    return 1;
}
/* [predict] */

static long stat_of(unsigned kb, const char *name)
{
    char path[200], buf[32];
    snprintf(path, sizeof path, THP_DIR "hugepages-%ukB/stats/%s", kb, name);
    if (wb_read_knob(path, buf, sizeof buf) != 0)
        return -1;
    return atol(buf);
}

/* len bytes of fresh anonymous memory at a multiple of len (at most 2 MiB);
 * the surplus of the larger reservation is given back. */
static char *aligned_region(size_t len)
{
    size_t al = len < PMD ? len : PMD;
    char *r = mmap(NULL, len + PMD, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED)
        wb_die("mmap %zu bytes", len + PMD);
    char *a = (char *)(((uintptr_t)r + al - 1) & ~(uintptr_t)(al - 1));
    if (a > r)
        munmap(r, (size_t)(a - r));
    if (a + len < r + len + PMD)
        munmap(a + len, (size_t)(r + len + PMD - (a + len)));
    return a;
}

/* Not instrumented under ASan: its shadow memory would add faults. */
__attribute__((no_sanitize_address)) static long write_pages(char *p,
                                                             size_t len)
{
    long f0 = wb_minor_faults();
    for (size_t off = 0; off < len; off += wb_page_size())
        ((volatile char *)p)[off] = 1;
    return wb_minor_faults() - f0;
}

static const char *advice_name(int advice)
{
    return advice == MADV_HUGEPAGE     ? "MADV_HUGEPAGE"
           : advice == MADV_NOHUGEPAGE ? "MADV_NOHUGEPAGE"
                                       : "no advice";
}

/* [measure] */
static void measure(int advice, size_t len)
{
    size_t ps = wb_page_size(), pages = len / ps;
    char *p = aligned_region(len);
    if (advice != 0 && madvise(p, len, advice) != 0)
        wb_die("madvise %s", advice_name(advice));
    for (int i = 0; i < nsizes; i++)
        sizes[i].alloc_before = stat_of(sizes[i].kb, "anon_fault_alloc");
    long faults = write_pages(p, len);
    long huge_kb = wb_smaps_kb(p, "AnonHugePages");
    char what[40];
    snprintf(what, sizeof what, "%s%s", advice_name(advice),
             len < REGION ? ", 1 MiB" : "");
    printf("  %-18s %5zu pages %5ld faults %7.1f pages/fault (predicted %zu); "
           "AnonHugePages %ld kB\n",
           what, pages, faults,
           faults > 0 ? (double)pages / (double)faults : 0.0,
           predicted_pages(advice, len), huge_kb);
    for (int i = 0; i < nsizes; i++) {
        long after = stat_of(sizes[i].kb, "anon_fault_alloc");
        if (sizes[i].alloc_before >= 0 && after > sizes[i].alloc_before)
            printf("    meanwhile hugepages-%ukB/stats/anon_fault_alloc +%ld "
                   "(system-wide)\n",
                   sizes[i].kb, after - sizes[i].alloc_before);
    }
    munmap(p, len);
}
/* [measure] */

static void collapse(const char *what, char *p, size_t len)
{
    errno = 0;
    int rc = madvise(p, len, MADV_COLLAPSE);
    int err = errno;
    printf("  %-54s %s", what, rc == 0 ? "0" : wb_errname(err));
    long kb = wb_smaps_kb(p, "AnonHugePages");
    printf("; AnonHugePages %ld kB\n", kb);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("takes no arguments");
    size_t ps = wb_page_size();

    read_knobs();
    printf("1. the knobs (" THP_DIR ")\n");
    printf("  enabled (all sizes set to inherit): %s\n", thp_mode);
    if (nsizes == 0)
        printf(
            "  no hugepages-NkB directories: this kernel predates multi-size "
            "THP (Linux 6.8); only 2048 kB pages, by the global knob\n");
    for (int i = 0; i < nsizes; i++)
        printf("  hugepages-%ukB/enabled: %s\n", sizes[i].kb, sizes[i].mode);
    if (nsizes == 0) {
        /* Before 6.8 the global knob is the 2 MiB size's. */
        sizes[0].kb = (unsigned)(PMD >> 10);
        strcpy(sizes[0].mode, "inherit");
        nsizes = 1;
    }

    printf("2. write one byte per page of a fresh %zu kB region at a 2048 kB "
           "boundary\n",
           REGION >> 10);
    measure(0, REGION);
    measure(MADV_HUGEPAGE, REGION);
    measure(MADV_NOHUGEPAGE, REGION);
    printf("   and a 1 MiB VMA at a 1 MiB boundary: too small for 2 MiB, so "
           "the largest smaller size allowed\n");
    measure(0, REGION / 4);

    printf("3. MADV_COLLAPSE (6.1): make a 2 MiB page now, whatever the knobs "
           "say\n");
    if (wb_on_valgrind()) {
        printf("  under Valgrind: its own memory layout hides what the kernel "
               "collapses; run natively\n");
        return 0;
    }
    char *one = mmap(NULL, ps, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (one == MAP_FAILED)
        wb_die("mmap 1 page");
    one[0] = 1;
    collapse("a 1-page VMA:", one, ps);
    munmap(one, ps);

    char *p = aligned_region(REGION);
    collapse("a 4096 kB VMA at a 2 MiB boundary, never touched:", p, PMD);
    p[0] = 1;
    collapse("the same after writing page 0, range 1 page:", p, ps);
    collapse("range of 2 MiB starting 1 page in:", p + ps, PMD);
    long rss0 = wb_smaps_kb(p, "Rss");
    collapse("range of the first 2 MiB, aligned:", p, PMD);
    long rss1 = wb_smaps_kb(p, "Rss");
    long faults = write_pages(p + ps, PMD - ps);
    printf("  Rss of the VMA: %ld kB before, %ld kB after; writing the other "
           "%zu pages: %ld faults\n",
           rss0, rss1, PMD / ps - 1, faults);
    munmap(p, REGION);
    return 0;
}
