/*
 * rfp_swap.c: remap_file_pages(2) swaps pages 0 and 2 of a three-page shared mapping.
 *
 * Maps the first three pages of a file MAP_SHARED, which gives one VMA whose
 * pages show file pages 0, 1, 2 in order, then makes the two calls of TLPI's
 * example: file page 2 into region page 0, file page 0 into region page 2.
 * Before and after, it prints the first bytes of each region page and the
 * region's lines of /proc/self/maps, and counts the VMAs: one before, three
 * after, because the kernel has emulated the call with mmap(MAP_FIXED) since
 * Linux 4.0. A store through region page 0 then shows up in file page 2:
 * the region is still the file, only in another order.
 *
 * When remap_file_pages() fails with ENOSYS (under Valgrind, which does not
 * implement it, or on a kernel without it), or with -F, the same layout is
 * built with mmap(MAP_FIXED), one page at a time, and the output says so.
 * Without FILE, a memfd of three labelled pages stands in for the file.
 *
 * Usage: rfp_swap [-h] [-F] [FILE]     FILE: more than 2 pages, opened O_RDWR
 * Tour:
 * Tour: -F
 * Man pages: remap_file_pages(2), mmap(2), memfd_create(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPAGES 3
#define SHOW   16 /* bytes shown of each page */

static size_t ps;

/* A memfd whose page k is "file page k|" over and over. */
static int labelled_memfd(void)
{
    int fd = memfd_create("rfp_swap", MFD_CLOEXEC);
    if (fd == -1)
        wb_die("memfd_create");
    char page[65536];
    if (ps > sizeof page)
        wb_fatal("page size %zu is larger than this demo expects", ps);
    for (size_t k = 0; k < NPAGES; k++) {
        char label[16];
        int n = snprintf(label, sizeof label, "file page %zu|", k);
        for (size_t b = 0; b < ps; b++)
            page[b] = label[b % (size_t)n];
        if (pwrite(fd, page, ps, (off_t)(k * ps)) != (ssize_t)ps)
            wb_die("write the memfd");
    }
    return fd;
}

static void show_pages(const char *region)
{
    for (size_t k = 0; k < NPAGES; k++) {
        printf("  region page %zu: \"", k);
        for (size_t b = 0; b < SHOW; b++) {
            char c = region[k * ps + b];
            putchar(c >= 0x20 && c < 0x7f ? c : '.');
        }
        printf("\"\n");
    }
}

/* [place] */
/*
 * Show file page FPAGE in region page RPAGE: with remap_file_pages() while
 * *use_rfp, else (or once it turns out to be ENOSYS) with mmap(MAP_FIXED).
 */
static void place(char *region, size_t rpage, size_t fpage, int fd,
                  bool *use_rfp)
{
    char *at = region + rpage * ps;
    char where[32] = "addr", off[32] = "0";
    if (rpage > 0)
        snprintf(where, sizeof where, "addr + %zu*ps", rpage);
    if (fpage > 0)
        snprintf(off, sizeof off, "%zu*ps", fpage);
    if (*use_rfp) {
        if (remap_file_pages(at, ps, 0, fpage, 0) == 0) {
            printf("remap_file_pages(%s, ps, 0, %zu, 0): ok (file page %zu "
                   "-> region page %zu)\n",
                   where, fpage, fpage, rpage);
            return;
        }
        if (errno != ENOSYS)
            wb_die("remap_file_pages at region page %zu", rpage);
        printf(
            "remap_file_pages: ENOSYS: %s\n",
            wb_on_valgrind()
                ? "Valgrind does not implement it"
                : "not available (a kernel without it, or a seccomp filter)");
        printf("fallback: the same layout with mmap(MAP_FIXED), "
               "one page at a time\n");
        *use_rfp = false;
    }
    if (mmap(at, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
             (off_t)(fpage * ps)) == MAP_FAILED)
        wb_die("mmap MAP_FIXED at region page %zu", rpage);
    printf("mmap(%s, ps, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, "
           "%s): ok (file page %zu -> region page %zu)\n",
           where, off, fpage, rpage);
}
/* [place] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-F] [FILE]");
    bool fixed = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hF")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'F')
            wb_usage("unknown option '-%c'", optopt);
        fixed = true;
    }
    if (argc - optind > 1)
        wb_usage("too many arguments");
    ps = wb_page_size();

    int fd;
    if (optind < argc) {
        const char *path = argv[optind];
        fd = open(path, O_RDWR);
        if (fd == -1)
            wb_die("open '%s'", path);
        struct stat st;
        if (fstat(fd, &st) == -1)
            wb_die("fstat '%s'", path);
        if (!S_ISREG(st.st_mode))
            wb_fatal("'%s' is not a regular file", path);
        if ((size_t)st.st_size <= (NPAGES - 1) * ps)
            wb_fatal("'%s' is %lld bytes: it must be more than %d pages", path,
                     (long long)st.st_size, NPAGES - 1);
        printf("%s: %lld bytes; mapping its first %d pages\n", path,
               (long long)st.st_size, NPAGES);
    } else {
        fd = labelled_memfd();
        printf("a memfd of %d pages; page k holds \"file page k|\" "
               "over and over\n",
               NPAGES);
    }

    char *region =
        mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (region == MAP_FAILED)
        wb_die("mmap");
    int before = wb_count_vmas(region, NPAGES * ps);
    printf("mmap(NULL, %d*ps, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0): "
           "%d VMA%s\n",
           NPAGES, before, before == 1 ? "" : "s");
    wb_print_vmas("before", region, NPAGES * ps);
    show_pages(region);

    /* [swap] */
    bool use_rfp = !fixed;
    if (fixed)
        printf("-F: not calling remap_file_pages; the same layout with "
               "mmap(MAP_FIXED)\n");
    place(region, 0, 2, fd, &use_rfp); /* file page 2 -> region page 0 */
    place(region, 2, 0, fd, &use_rfp); /* file page 0 -> region page 2 */
    /* [swap] */

    wb_print_vmas("after ", region, NPAGES * ps);
    show_pages(region);
    printf("%d VMAs now cover the %d pages (%d before)\n",
           wb_count_vmas(region, NPAGES * ps), NPAGES, before);

    /* Still the file: a store to region page 0 lands in file page 2. */
    char old = region[0], seen;
    region[0] = '#';
    if (pread(fd, &seen, 1, (off_t)(2 * ps)) != 1)
        wb_die("pread");
    printf("stored '#' at region page 0, byte 0; pread(2) at file offset "
           "%zu (file page 2) reads '%c'\n",
           2 * ps, seen);
    region[0] = old;
    printf("restored the old byte through the mapping\n");

    if (munmap(region, NPAGES * ps) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
