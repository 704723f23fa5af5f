/*
 * lazy_alloc.c: mmap only reserves addresses; pages arrive one fault at a time.
 *
 * Maps PAGES pages (default 1024) of private anonymous memory and, after
 * each step, prints three counters: the pages of the mapping that mincore(2)
 * calls resident, the minor faults the step cost (getrusage(2)), and how much
 * the process's anonymous RSS grew (resident minus shared in
 * /proc/self/statm). The steps: nothing yet; write one byte in each page of
 * the first quarter; read one byte in each page of the second quarter (the
 * kernel maps its one shared zero page there: resident to mincore, but no
 * new memory); write to every page; then madvise(MADV_DONTNEED), after which
 * the memory is gone and every page reads as zero again.
 *
 * The mapping gets MADV_NOHUGEPAGE first: with transparent huge pages set to
 * "always", one write could fault in a whole 2 MiB huge page (512 pages) at
 * once, and the counts would no longer follow the pages touched.
 *
 * Built with AddressSanitizer (make sanitize), every access also reads
 * ASan's shadow memory (more minor faults), and ASan keeps the call stack of
 * every malloc, mincore's vector in each measurement among them (a few more
 * pages of anon RSS per row): the demo says so.
 *
 * Usage: lazy_alloc [-h] [PAGES]      PAGES from 4 to 65536
 * Tour:
 * Man pages: mmap(2), mincore(2), getrusage(2), madvise(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *map; /* the mapping under study */
static size_t npages, len;

struct counters {
    size_t resident; /* pages of the mapping resident, per mincore */
    long faults;     /* minor faults so far */
    long anon_rss;   /* statm: resident - shared, in pages */
};

/* Anonymous RSS in pages: statm's resident minus its shared (file) pages.
 * Read with open/read, not stdio, so that measuring allocates nothing. */
static long anon_rss(void)
{
    char buf[256];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open /proc/self/statm");
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        wb_die("read /proc/self/statm");
    close(fd);
    buf[n] = '\0';
    long size, resident, shared;
    if (sscanf(buf, "%ld %ld %ld", &size, &resident, &shared) != 3)
        wb_fatal("cannot parse /proc/self/statm: '%s'", buf);
    return resident - shared;
}

static struct counters now(void)
{
    struct counters c;
    c.faults = wb_minor_faults();
    c.anon_rss = anon_rss();
    c.resident = wb_resident_pages(map, len);
    return c;
}

/* Print one row: the state now and what changed since *prev. */
static void row(const char *step, struct counters *prev)
{
    struct counters c = now();
    printf("%-32s %5zu of %zu pages %+8ld %+11ld pages\n", step, c.resident,
           npages, c.faults - prev->faults, c.anon_rss - prev->anon_rss);
    /* Measure again so the next row does not count this row's printing. */
    *prev = now();
}

/* The transparent huge page mode, e.g. "always [madvise] never". */
static void show_thp_mode(void)
{
    char mode[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    if (f != NULL) {
        if (fgets(mode, sizeof mode, f) != NULL)
            mode[strcspn(mode, "\n")] = '\0';
        fclose(f);
    }
    printf("transparent huge pages here: %s\n",
           mode[0] ? mode : "not available in this kernel");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages =
        (i < argc) ? (size_t)wb_long_arg(argv[i], "pages", 4, 65536) : 1024;
    size_t ps = wb_page_size();
    len = npages * ps;
    size_t q = npages / 4;
    char step[64];

    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    if (map == MAP_FAILED)
        wb_die("mmap %zu bytes", len);
    printf("mapped %zu pages (%zu KiB) of private anonymous memory\n", npages,
           len / 1024);
    show_thp_mode();
    if (madvise(map, len, MADV_NOHUGEPAGE) == 0)
        printf("MADV_NOHUGEPAGE set: every fault brings in one %zu-byte page, "
               "never a 2 MiB huge page\n\n",
               ps);
    else if (errno == EINVAL) /* a kernel built without THP */
        printf("MADV_NOHUGEPAGE: EINVAL, no huge pages to avoid: every fault "
               "brings in one %zu-byte page\n\n",
               ps);
    else
        wb_die("madvise MADV_NOHUGEPAGE");

    if (wb_on_asan())
        printf("note: built with AddressSanitizer: each access also reads "
               "ASan's shadow memory (more minor faults), and ASan stores the "
               "call stack of every malloc, the measurement's own among them "
               "(a few more pages of anon RSS per row)\n\n");
    printf("%-32s %-17s %8s %17s\n", "step", "resident(mincore)", "minflt",
           "anon RSS(statm)");
    (void)now(); /* the first call warms up malloc */
    struct counters prev = now();
    row("after mmap", &prev);

    for (size_t pg = 0; pg < q; pg++)
        map[pg * ps] = 'w';
    snprintf(step, sizeof step, "after writing pages 0..%zu", q - 1);
    row(step, &prev);

    volatile char sink = 0;
    for (size_t pg = q; pg < 2 * q; pg++)
        sink += map[pg * ps];
    snprintf(step, sizeof step, "after reading pages %zu..%zu", q, 2 * q - 1);
    row(step, &prev);

    for (size_t pg = 0; pg < npages; pg++)
        map[pg * ps] = 'w';
    snprintf(step, sizeof step, "after writing all %zu pages", npages);
    row(step, &prev);

    if (madvise(map, len, MADV_DONTNEED) == -1)
        wb_die("madvise MADV_DONTNEED");
    row("after MADV_DONTNEED", &prev);

    size_t nonzero = 0;
    for (size_t b = 0; b < len; b++)
        nonzero += map[b] != 0;
    printf("\nafter MADV_DONTNEED: %zu non-zero bytes of %zu (the writes are "
           "gone; the pages read as zero)\n",
           nonzero, len);

    if (munmap(map, len) == -1)
        wb_die("munmap");
    (void)sink;
    return 0;
}
