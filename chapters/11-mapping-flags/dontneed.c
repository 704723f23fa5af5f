/*
 * dontneed.c: the madvise() advice that throws pages away, and what you read
 * afterwards depends on the kind of mapping.
 *
 * For each of the four kinds of mapping (private or shared, anonymous or a
 * file in $TMPDIR whose first byte is 'F'), the demo writes 'W' at byte 0,
 * gives one piece of advice, and reads byte 0 back through the mapping (and,
 * for a file, with pread(), to see the file itself). MADV_DONTNEED gives
 * zeros for private anonymous memory, the file's bytes for a private file
 * mapping (the private copy is gone) and your own 'W' for shared mappings,
 * whose pages live on in the page cache. MADV_FREE is for private anonymous
 * memory only. MADV_REMOVE is for shared mappings only and punches a hole
 * in the backing file. Then MADV_FREE's lazy life: the data stays until the
 * kernel needs the memory (forced here with MADV_PAGEOUT), and a write
 * after MADV_FREE cancels it.
 *
 * Usage: dontneed [-h]
 * Tour:
 * Man pages: madvise(2) (MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
 *            MADV_PAGEOUT), fallocate(2) (FALLOC_FL_PUNCH_HOLE)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21 /* Linux 5.4 */
#endif

static size_t ps;
static int fd; /* one page, first byte 'F' before every try */

/* A byte as the table shows it: 'W', 'F', 0. */
static const char *show(char c, char *buf, size_t size)
{
    if (c == 0)
        snprintf(buf, size, "0");
    else
        snprintf(buf, size, "'%c'", c);
    return buf;
}

/* [advise] */
/* Map, write 'W', advise, read back: one cell of the table. */
static void cell(int flags, int advice, char *out, size_t size)
{
    bool file = !(flags & MAP_ANONYMOUS);
    if (file && pwrite(fd, "F", 1, 0) != 1)
        wb_die("pwrite");
    char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, flags, file ? fd : -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    p[0] = 'W';
    char b1[8], b2[8], c;
    if (madvise(p, ps, advice) == -1) {
        snprintf(out, size, "%s", wb_errname(errno));
    } else if (!file) {
        snprintf(out, size, "%s", show(p[0], b1, sizeof b1));
    } else {
        if (pread(fd, &c, 1, 0) != 1)
            c = 0; /* a hole at the end of a file reads as nothing */
        snprintf(out, size, "%s, file %s", show(p[0], b1, sizeof b1),
                 show(c, b2, sizeof b2));
    }
    /* [advise] */
    if (munmap(p, ps) == -1)
        wb_die("munmap");
}

static void lazy_free(void)
{
    size_t n = 4, len = n * ps;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    /* Four small pages, each freed and reclaimed on its own, whatever the
     * multi-size THP settings (Linux 6.8+) would give a fault here.
     * EINVAL: a kernel without THP, small pages anyway. */
    if (madvise(p, len, MADV_NOHUGEPAGE) == -1 && errno != EINVAL)
        wb_die("madvise MADV_NOHUGEPAGE");
    for (size_t k = 0; k < n; k++)
        p[k * ps] = 'A';
    if (madvise(p, len, MADV_FREE) == -1)
        wb_die("madvise MADV_FREE");
    printf("  right after MADV_FREE: page 0 reads '%c', %zu of %zu pages "
           "resident\n",
           p[0], wb_resident_pages(p, len), n);
    p[ps] = 'B'; /* page 1 is wanted again: this write cancels the advice */
    if (madvise(p, len, MADV_PAGEOUT) == -1) {
        printf("  MADV_PAGEOUT: %s (before Linux 5.4?): cannot force the "
               "reclaim here\n",
               wb_errname(errno));
    } else {
        char b0[8], b1[8];
        printf("  after MADV_PAGEOUT (reclaim, as under memory pressure): "
               "page 0 reads %s, page 1 reads %s\n",
               show(p[0], b0, sizeof b0), show(p[ps], b1, sizeof b1));
    }
    if (munmap(p, len) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();
    fd = wb_temp_file("dontneed", NULL);
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate");

    static const struct {
        const char *name;
        int flags;
    } kinds[] = {
        {"private anonymous", MAP_PRIVATE | MAP_ANONYMOUS},
        {"shared anonymous", MAP_SHARED | MAP_ANONYMOUS},
        {"private file", MAP_PRIVATE},
        {"shared file", MAP_SHARED},
    };
    static const int advice[] = {MADV_DONTNEED, MADV_FREE, MADV_REMOVE};
    printf("wrote 'W' at byte 0 of each mapping (a file's byte 0 was 'F'),\n"
           "gave the advice, read byte 0 back (and the file's, with pread):\n");
    printf("%-18s %-17s %-17s %s\n", "", "MADV_DONTNEED", "MADV_FREE",
           "MADV_REMOVE");
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char c[3][32];
        for (size_t a = 0; a < 3; a++)
            cell(kinds[k].flags, advice[a], c[a], sizeof c[a]);
        printf("%-18s %-17s %-17s %s\n", kinds[k].name, c[0], c[1], c[2]);
    }

    printf("MADV_FREE, 4 pages of 'A', then 'B' written into page 1:\n");
    lazy_free();
    close(fd);
    return 0;
}
