/*
 * populate.c: MAP_POPULATE and MADV_POPULATE_* fault the pages in before
 * the program touches them, and what "in" means for each kind of mapping.
 *
 * Maps NPAGES pages (default 64) in ten ways and, for each, counts the
 * minor faults taken inside mmap()/madvise() itself, the pages resident
 * right after (mincore), the pages the mapping owns privately (Anonymous in
 * /proc/self/smaps), and the faults that the first read and then the first
 * write of every page still cost. Four lessons: populating does not avoid
 * the faults, it takes them early; MAP_NONBLOCK turns MAP_POPULATE off; a
 * read-only or MADV_POPULATE_READ population maps the shared zero page, so
 * the first writes still fault; and MAP_POPULATE on a writable MAP_PRIVATE
 * file mapping makes a private copy of every page at once, while on a
 * MAP_SHARED file mapping the first write of each page still faults (the
 * kernel keeps pages read-only until then, to learn which ones get dirty).
 * The file is a temporary file in $TMPDIR. Fault counts are meaningless
 * under Valgrind, which takes faults of its own.
 *
 * Usage: populate [-h] [NPAGES]
 * Tour:
 * Man pages: mmap(2) (MAP_POPULATE, MAP_NONBLOCK), madvise(2)
 *            (MADV_POPULATE_READ, MADV_POPULATE_WRITE), mincore(2),
 *            getrusage(2), proc(5) (/proc/PID/smaps)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static size_t npages, ps;
static int fd; /* the temporary file, npages pages of 'f' */

struct way {
    const char *name;
    int prot, flags; /* for mmap(); fd is used unless MAP_ANONYMOUS */
    int advice;      /* madvise() right after, or -1 */
};

/* [row] */
static void row(const struct way *w, bool print)
{
    long f0 = wb_minor_faults();
    bool anon = w->flags & MAP_ANONYMOUS;
    char *p = mmap(NULL, npages * ps, w->prot, w->flags, anon ? -1 : fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap (%s)", w->name);
    if (w->advice != -1 && madvise(p, npages * ps, w->advice) == -1) {
        printf("%-40s madvise: %s (before Linux 5.14?)\n", w->name,
               wb_errname(errno));
        munmap(p, npages * ps);
        return;
    }
    long at_map = wb_minor_faults() - f0;
    /* A flag of its own keeps this VMA from merging with a neighbour, so
     * that smaps counts our pages only; it also rules out huge pages. */
    if (anon && madvise(p, npages * ps, MADV_NOHUGEPAGE) == -1)
        wb_die("madvise MADV_NOHUGEPAGE");
    size_t resident = wb_resident_pages(p, npages * ps);
    long own = wb_smaps_kb(p, "Anonymous") * 1024 / (long)ps;

    long f1 = wb_minor_faults();
    for (size_t k = 0; k < npages; k++)
        (void)*(volatile char *)(p + k * ps);
    long reads = wb_minor_faults() - f1;
    char writes[16] = "-";
    if (w->prot & PROT_WRITE) {
        long f2 = wb_minor_faults();
        for (size_t k = 0; k < npages; k++)
            p[k * ps] = 'w';
        snprintf(writes, sizeof writes, "%ld", wb_minor_faults() - f2);
    }
    /* [row] */
    if (print)
        printf("%-40s %5ld %6zu %7ld %6ld %6s\n", w->name, at_map, resident,
               own, reads, writes);
    if (munmap(p, npages * ps) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [NPAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages = i < argc ? (size_t)wb_long_arg(argv[i], "pages", 1, 65536) : 64;
    ps = wb_page_size();

    fd = wb_temp_file("populate", NULL);
    char page[65536];
    memset(page, 'f', sizeof page);
    for (size_t k = 0; k < npages; k++)
        if (write(fd, page, ps) != (ssize_t)ps)
            wb_die("write the temporary file");

    int rw = PROT_READ | PROT_WRITE, pa = MAP_PRIVATE | MAP_ANONYMOUS;
    const struct way ways[] = {
        {"private anonymous", rw, pa, -1},
        {"private anonymous, MAP_POPULATE", rw, pa | MAP_POPULATE, -1},
        {"private anon, MAP_POPULATE|MAP_NONBLOCK", rw,
         pa | MAP_POPULATE | MAP_NONBLOCK, -1},
        {"private anon, PROT_READ, MAP_POPULATE", PROT_READ, pa | MAP_POPULATE,
         -1},
        {"private anon, MADV_POPULATE_WRITE", rw, pa, MADV_POPULATE_WRITE},
        {"private anon, MADV_POPULATE_READ", rw, pa, MADV_POPULATE_READ},
        {"shared file", rw, MAP_SHARED, -1},
        {"shared file, MAP_POPULATE", rw, MAP_SHARED | MAP_POPULATE, -1},
        {"private file, MAP_POPULATE", rw, MAP_PRIVATE | MAP_POPULATE, -1},
        {"private file, PROT_READ, MAP_POPULATE", PROT_READ,
         MAP_PRIVATE | MAP_POPULATE, -1},
    };

    printf("%zu pages per mapping; the file is %zu pages of 'f' in $TMPDIR\n",
           npages, npages);
    if (wb_on_valgrind())
        printf("(under Valgrind: fault counts include Valgrind's own)\n");
    printf("%-40s %5s %6s %7s %6s %6s\n", "", "map", "", "own", "first",
           "first");
    printf("%-40s %5s %6s %7s %6s %6s\n", "how it was mapped", "flts", "resid",
           "pages", "reads", "writes");
    row(&ways[0], false); /* warm-up: the first run faults in code and data */
    for (size_t k = 0; k < sizeof ways / sizeof ways[0]; k++)
        row(&ways[k], true);
    close(fd);
    return 0;
}
