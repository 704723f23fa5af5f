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
 * read-only or MADV_POPULATE_READ population of anonymous memory takes
 * read faults, which on most kernels map the shared zero page, so that the
 * first writes still fault (on a kernel that does not map the zero page, a
 * read fault allocates a private page: the demo says which case it saw,
 * next to the machine probe's answer); and MAP_POPULATE on a writable
 * MAP_PRIVATE file mapping makes a private copy of every page at once,
 * while on a MAP_SHARED file mapping of a disk filesystem the first write of
 * each page still faults (the kernel keeps pages read-only until then, to
 * learn which ones get dirty; tmpfs, which writes nothing back, does not,
 * and there the write column is 0). The file is a temporary file in
 * $TMPDIR.
 *
 * The demo turns transparent huge pages off for itself with
 * prctl(PR_SET_THP_DISABLE), so that every anonymous fault maps one page on
 * every machine (with multi-size THP, Linux 6.8+, one populating fault
 * could map several); it prints what one fault maps here without that.
 * Fault counts are meaningless under Valgrind, which takes faults of its
 * own.
 *
 * Usage: populate [-h] [NPAGES]
 * Tour:
 * Man pages: mmap(2) (MAP_POPULATE, MAP_NONBLOCK), madvise(2)
 *            (MADV_POPULATE_READ, MADV_POPULATE_WRITE), mincore(2),
 *            getrusage(2), proc(5) (/proc/PID/smaps), prctl(2)
 *            (PR_SET_THP_DISABLE)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
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

struct result {
    bool ok; /* false: the advice failed (an old kernel) */
    long at_map, own, reads;
    size_t resident;
};

/* [row] */
static struct result row(const struct way *w, bool print)
{
    struct result r = {false, 0, 0, 0, 0};
    long f0 = wb_minor_faults();
    bool anon = w->flags & MAP_ANONYMOUS;
    char *p = mmap(NULL, npages * ps, w->prot, w->flags, anon ? -1 : fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap (%s)", w->name);
    if (w->advice != -1 && madvise(p, npages * ps, w->advice) == -1) {
        printf("%-40s madvise: %s (before Linux 5.14?)\n", w->name,
               wb_errname(errno));
        munmap(p, npages * ps);
        return r;
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
    r = (struct result){true, at_map, own, reads, resident};
    return r;
}

/* What the read-only population of anonymous memory did, as this demo saw
 * it (the pages it owned after MADV_POPULATE_READ) and as the probe did. */
static void explain_reads(const struct result *r)
{
    enum wb_fact seen = WB_UNKNOWN;
    if (!r->ok)
        return;
    if (r->own * 4 <= (long)npages) {
        seen = WB_YES;
        printf("populating by reading (PROT_READ, MADV_POPULATE_READ) gave "
               "anonymous memory %ld pages of its own:\n  the read faults "
               "mapped the shared zero page, so the first write of each "
               "page still faults\n",
               r->own);
    } else if (r->own * 4 >= 3 * (long)npages) {
        seen = WB_NO;
        printf("populating by reading (PROT_READ, MADV_POPULATE_READ) gave "
               "anonymous memory %ld pages of its own:\n  on this kernel a "
               "read fault on anonymous memory allocates a page instead of "
               "mapping the shared zero page, so later writes cost "
               "nothing\n",
               r->own);
    } else {
        printf("populating by reading gave anonymous memory %ld of %zu "
               "pages of its own: neither none (zero page) nor all\n",
               r->own, npages);
    }
    wb_compare_zero_page(seen);
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

    /* Asked before THP is turned off below, which it would see. */
    size_t k = wb_probe_anon_fault_pages();
    printf("%zu pages per mapping; the file is %zu pages of 'f' in $TMPDIR\n",
           npages, npages);
    if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0)
        printf("THP off for this process (prctl PR_SET_THP_DISABLE): one "
               "page per anonymous fault (without it: %zu page(s) per fault "
               "here; make doctor)\n",
               k);
    else
        printf("prctl(PR_SET_THP_DISABLE): %s: anonymous faults may map "
               "%zu pages each here\n",
               wb_errname(errno), k);
    if (wb_on_valgrind())
        printf("(under Valgrind: fault counts include Valgrind's own)\n");
    printf("%-40s %5s %6s %7s %6s %6s\n", "", "map", "", "own", "first",
           "first");
    printf("%-40s %5s %6s %7s %6s %6s\n", "how it was mapped", "flts", "resid",
           "pages", "reads", "writes");
    row(&ways[0], false); /* warm-up: the first run faults in code and data */
    struct result read_populated = {false, 0, 0, 0, 0};
    for (size_t w = 0; w < sizeof ways / sizeof ways[0]; w++) {
        struct result r = row(&ways[w], true);
        if (ways[w].advice == MADV_POPULATE_READ)
            read_populated = r;
    }
    explain_reads(&read_populated);
    close(fd);
    return 0;
}
