/*
 * ask_kernel.c: asking the kernel instead of parsing text, measured.
 *
 * One file of PAGES pages (default 4096) is written under $TMPDIR, half of
 * its page cache dropped again (posix_fadvise(POSIX_FADV_DONTNEED) on the
 * second and fourth quarters), and mapped once, MAP_SHARED; the first and
 * third quarters are read through the mapping, so that exactly those pages
 * are in the process's page tables (on tmpfs, where every page stays
 * cached, fault-around maps a few more). Then three questions about that
 * one mapping are asked two ways each, the old and the new:
 *
 *   which pages of the file are cached?  mincore(2) on the mapping, against
 *                                        cachestat(2) on the descriptor (6.5)
 *   which pages are mapped here?         a pread(2) of /proc/self/pagemap
 *                                        (8 bytes a page), against the
 *                                        PAGEMAP_SCAN ioctl (6.7), which
 *                                        returns runs of pages
 *   which VMA holds this address?        reading and parsing
 *                                        /proc/self/maps, against the
 *                                        PROCMAP_QUERY ioctl (6.11)
 *
 * For each it prints both answers (they must agree), the system calls one
 * query makes, and the median time of RUNS queries (default 101), and then
 * its own verdict from those numbers. To make /proc/self/maps as long as a
 * large program's, a reservation of VMAS pages (default 2000) is first split
 * into VMAS VMAs by making every other page readable.
 *
 * When a call fails the row names the likely cause from the error: on a
 * kernel without the call, the release that added it; for cachestat's
 * EPERM, a seccomp filter (the kernel's own rule lets this process ask
 * about its own file); its ENOSYS under Valgrind, Valgrind (3.19 does not
 * know cachestat).
 *
 * Usage: ask_kernel [-h] [PAGES [VMAS [RUNS]]]
 *        PAGES 16..262144 (a multiple of 4), VMAS 0..30000, RUNS 1..10001
 * Man pages: cachestat(2), mincore(2), posix_fadvise(2), proc(5) (pagemap,
 *            maps), ioctl(2); the kernel's
 *            Documentation/admin-guide/mm/pagemap.rst
 */
#include "modern.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NAME "ask_kernel.dat"

static size_t ps, pages, runs;
static char *map; /* the file's mapping */
static int fd, pagemap_fd, maps_fd;
static char path[4200];

static void remove_file(void)
{
    unlink(path);
}

/* median time in us of `runs` calls of q() */
static double time_it(long (*q)(void))
{
    double *t = malloc(runs * sizeof *t);
    if (t == NULL)
        wb_die("malloc");
    for (size_t i = 0; i < runs; i++) {
        double t0 = wb_now_us();
        q();
        t[i] = wb_now_us() - t0;
    }
    wb_sort_doubles(t, runs);
    double m = t[runs / 2];
    free(t);
    return m;
}

/* [verdict] */
/* Time decides only beyond a factor of 2: closer than that, the order of
 * two medians can change from run to run on a busy machine. */
static void verdict(const char *newname, double tnew, const char *oldname,
                    double told)
{
    if (tnew * 2 < told)
        printf("  verdict: %s is %.1fx faster than %s here\n", newname,
               told / tnew, oldname);
    else if (told * 2 < tnew)
        printf("  verdict: %s is %.1fx slower than %s here\n", newname,
               tnew / told, oldname);
    else
        printf("  verdict: %s and %s are within a factor of 2 of each other "
               "here: no winner on time\n",
               newname, oldname);
}
/* [verdict] */

/* ---- 1. cached pages ---- */

static long q_mincore(void)
{
    static unsigned char *vec;
    if (vec == NULL && (vec = malloc(pages)) == NULL)
        wb_die("malloc");
    if (mincore(map, pages * ps, vec) != 0)
        wb_die("mincore");
    long n = 0;
    for (size_t i = 0; i < pages; i++)
        n += vec[i] & 1;
    return n;
}

static long q_map_mincore(void)
{
    char *saved = map;
    map = mmap(NULL, pages * ps, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        wb_die("mmap");
    long n = q_mincore();
    munmap(map, pages * ps);
    map = saved;
    return n;
}

/* [cachestat] */
static struct cachestat cs;
static long q_cachestat(void)
{
    struct cachestat_range r = {0, 0}; /* len 0: to the end of the file */
    if (sys_cachestat(fd, &r, &cs, 0) != 0)
        return -1;
    return (long)cs.nr_cache;
}
/* [cachestat] */

static void cached(void)
{
    printf("1. which pages of the file are in the page cache?\n");
    long old = q_mincore();
    double told = time_it(q_mincore);
    printf("  %-30s %d call%-3s %6ld of %zu pages cached    median %.1f us "
           "(%zu bytes of vector)\n",
           "mincore(2) on the mapping", 1, "", old, pages, told, pages);
    long old2 = q_map_mincore();
    double told2 = time_it(q_map_mincore);
    printf("  %-30s %d calls   %6ld of %zu pages cached    median %.1f us "
           "(without a mapping to hand)\n",
           "mmap + mincore + munmap", 3, old2, pages, told2);
    long now = q_cachestat();
    if (now < 0) {
        int err = errno;
        if (err == ENOSYS && wb_on_valgrind()) {
            printf("  cachestat(2): ENOSYS under Valgrind (3.19 does not know "
                   "this system call, nor does a kernel before 6.5); run "
                   "natively\n");
            return;
        }
        /* The kernel's own EPERM (can_do_cachestat) is for a file the
         * caller neither owns nor opened for writing: this one is both. */
        printf("  cachestat(2): %s: %s; it would have said %ld pages cached, "
               "in one call and without a mapping\n",
               wb_errname(err),
               err == ENOSYS ? "added in Linux 6.5 (or a seccomp filter that "
                               "does not list it answers ENOSYS, as Podman's "
                               "default does)"
               : err == EPERM
                   ? "refused, though this process owns the file and opened it "
                     "for writing: a seccomp filter (Docker's default profile "
                     "answers EPERM for a call it does not list)"
                   : "unexpected",
               old);
        return;
    }
    double tnew = time_it(q_cachestat);
    printf("  %-30s %d call%-3s %6ld of %zu pages cached    median %.1f us "
           "(also %llu dirty, %llu under writeback, %llu evicted)\n",
           "cachestat(2) on the descriptor", 1, "", now, pages, tnew,
           (unsigned long long)cs.nr_dirty, (unsigned long long)cs.nr_writeback,
           (unsigned long long)cs.nr_evicted);
    printf("  answers: %s\n",
           now == old && old2 == old ? "the same" : "DIFFERENT");
    verdict("cachestat", tnew, "mmap + mincore + munmap", told2);
}

/* ---- 2. pages mapped in this process ---- */

static size_t runs_found;
static long q_pagemap(void)
{
    static uint64_t *e;
    if (e == NULL && (e = malloc(pages * 8)) == NULL)
        wb_die("malloc");
    off_t off = (off_t)((uintptr_t)map / ps * 8);
    if (pread(pagemap_fd, e, pages * 8, off) != (ssize_t)(pages * 8))
        wb_die("pread /proc/self/pagemap");
    long n = 0;
    size_t r = 0;
    for (size_t i = 0; i < pages; i++) {
        int present = (int)(e[i] >> 63);
        n += present;
        if (present && (i == 0 || !(e[i - 1] >> 63)))
            r++;
    }
    runs_found = r;
    return n;
}

/* [scan] */
static struct page_region regions[64];
static long q_scan(void)
{
    struct pm_scan_arg a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.start = (uintptr_t)map;
    a.end = (uintptr_t)map + pages * ps;
    a.vec = (uintptr_t)regions;
    a.vec_len = sizeof regions / sizeof regions[0];
    a.category_mask = PAGE_IS_PRESENT;              /* only present pages ... */
    a.return_mask = PAGE_IS_PRESENT | PAGE_IS_FILE; /* ... reported so */
    long n = ioctl(pagemap_fd, PAGEMAP_SCAN, &a);   /* regions filled */
    if (n < 0)
        return -1;
    long total = 0;
    for (long i = 0; i < n; i++)
        total += (long)((regions[i].end - regions[i].start) / ps);
    runs_found = (size_t)n;
    return total;
}
/* [scan] */

static void mapped(void)
{
    printf(
        "2. which pages of the mapping are in this process's page tables?\n");
    long old = q_pagemap();
    size_t old_runs = runs_found;
    double told = time_it(q_pagemap);
    printf("  %-30s %d call%-3s %6ld present, in %zu runs  median %.1f us (%zu "
           "bytes read, 8 a page)\n",
           "pread(2) of /proc/self/pagemap", 1, "", old, old_runs, told,
           pages * 8);
    memset(regions, 0, sizeof regions);
    long now = q_scan();
    if (now < 0) {
        /* A kernel without the ioctl answers ENOTTY; anything else (an LSM,
         * a seccomp filter on ioctl commands) is not about the version. */
        int err = errno;
        printf("  PAGEMAP_SCAN: %s: %s; it would have returned the %zu runs "
               "themselves\n",
               wb_errname(err),
               err == ENOTTY ? "added in Linux 6.7"
                             : "unexpected (a kernel without the ioctl "
                               "answers ENOTTY)",
               old_runs);
        return;
    }
    size_t new_runs = runs_found;
    double tnew = time_it(q_scan);
    printf("  %-30s %d call%-3s %6ld present, in %zu runs  median %.1f us (%zu "
           "bytes returned, 24 a run)\n",
           "ioctl(PAGEMAP_SCAN)", 1, "", now, new_runs, tnew,
           new_runs * sizeof(struct page_region));
    for (size_t i = 0; i < new_runs; i++)
        printf("    run %zu: pages %zu..%zu%s\n", i + 1,
               (size_t)((regions[i].start - (uintptr_t)map) / ps),
               (size_t)((regions[i].end - (uintptr_t)map) / ps),
               regions[i].categories & PAGE_IS_FILE
                   ? ", PAGE_IS_PRESENT|PAGE_IS_FILE"
                   : ", PAGE_IS_PRESENT");
    printf("  answers: %s\n",
           now == old && new_runs == old_runs ? "the same" : "DIFFERENT");
    verdict("PAGEMAP_SCAN", tnew, "pagemap", told);
}

/* ---- 3. the VMA of an address ---- */

struct vma {
    unsigned long start, end, offset, inode;
    char perms[5];
    char name[4200];
};
static struct vma got;
static unsigned long target; /* the address asked about */
static int reads;            /* read(2) calls of the last parse */

static long q_maps(void)
{
    static char buf[4096], line[8400];
    size_t have = 0;
    int m = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (m < 0)
        wb_die("open /proc/self/maps");
    reads = 0;
    long found = 0;
    ssize_t n;
    while (!found && (n = read(m, buf, sizeof buf)) > 0) {
        reads++;
        for (ssize_t i = 0; i < n && !found; i++) {
            if (buf[i] != '\n') {
                if (have < sizeof line - 1)
                    line[have++] = buf[i];
                continue;
            }
            line[have] = '\0';
            have = 0;
            unsigned long s, e, off, ino;
            char perms[5];
            int name_at = 0;
            if (sscanf(line, "%lx-%lx %4s %lx %*x:%*x %lu %n", &s, &e, perms,
                       &off, &ino, &name_at) < 5)
                continue;
            if (target < s || target >= e)
                continue;
            got.start = s, got.end = e, got.offset = off, got.inode = ino;
            memcpy(got.perms, perms, 5);
            snprintf(got.name, sizeof got.name, "%s",
                     name_at ? line + name_at : "");
            found = 1;
        }
    }
    close(m);
    return found;
}

/* [query] */
static struct vma qgot;
static long q_query(void)
{
    static char name[4200];
    struct procmap_query q;
    memset(&q, 0, sizeof q);
    q.size = sizeof q;
    q.query_addr = target; /* the VMA covering this address */
    q.vma_name_addr = (uintptr_t)name;
    q.vma_name_size = sizeof name;
    if (ioctl(maps_fd, PROCMAP_QUERY, &q) != 0)
        return -1;
    qgot.start = q.vma_start, qgot.end = q.vma_end;
    qgot.offset = q.vma_offset, qgot.inode = q.inode;
    snprintf(qgot.perms, sizeof qgot.perms, "%c%c%c%c",
             q.vma_flags & PROCMAP_QUERY_VMA_READABLE ? 'r' : '-',
             q.vma_flags & PROCMAP_QUERY_VMA_WRITABLE ? 'w' : '-',
             q.vma_flags & PROCMAP_QUERY_VMA_EXECUTABLE ? 'x' : '-',
             q.vma_flags & PROCMAP_QUERY_VMA_SHARED ? 's' : 'p');
    snprintf(qgot.name, sizeof qgot.name, "%s", q.vma_name_size ? name : "");
    return 1;
}
/* [query] */

static int same_vma(const struct vma *a, const struct vma *b)
{
    return a->start == b->start && a->end == b->end && a->offset == b->offset &&
           a->inode == b->inode && strcmp(a->perms, b->perms) == 0 &&
           strcmp(a->name, b->name) == 0;
}

static void vma_of(long nvmas)
{
    printf("3. which VMA holds the address of page %zu of the mapping? "
           "(/proc/self/maps: %ld lines)\n",
           pages / 2, nvmas);
    target = (uintptr_t)map + pages / 2 * ps;
    if (!q_maps())
        wb_fatal("the mapping is not in /proc/self/maps");
    double told = time_it(q_maps);
    printf("  %-30s %d calls  +0x0..+0x%lx %s %08lx %s  median %.1f us (open, "
           "%d reads, close)\n",
           "parse /proc/self/maps", reads + 2, got.end - got.start, got.perms,
           got.offset, got.name, told, reads);
    long rc = q_query();
    if (rc < 0) {
        int err = errno;
        printf("  PROCMAP_QUERY: %s: %s; it would have returned the same VMA "
               "in one ioctl on an open /proc/self/maps\n",
               wb_errname(err),
               err == ENOTTY ? "added in Linux 6.11"
                             : "unexpected (a kernel without the ioctl "
                               "answers ENOTTY)");
        return;
    }
    double tnew = time_it(q_query);
    printf("  %-30s %d call    +0x0..+0x%lx %s %08lx %s  median %.1f us (on a "
           "descriptor opened once)\n",
           "ioctl(PROCMAP_QUERY)", 1, qgot.end - qgot.start, qgot.perms,
           qgot.offset, qgot.name, tnew);
    printf("  answers: %s\n", same_vma(&got, &qgot) ? "the same" : "DIFFERENT");
    verdict("PROCMAP_QUERY", tnew, "parsing maps", told);
}

static long count_maps_lines(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    long n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES [VMAS [RUNS]]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 3)
        wb_usage("too many arguments");
    pages =
        (size_t)(i < argc ? wb_long_arg(argv[i], "pages", 16, 262144) : 4096);
    if (pages % 4 != 0)
        wb_usage("pages '%s': not a multiple of 4", argv[i]);
    long vmas =
        i + 1 < argc ? wb_long_arg(argv[i + 1], "vmas", 0, 30000) : 2000;
    runs = (size_t)(i + 2 < argc ? wb_long_arg(argv[i + 2], "runs", 1, 10001)
                                 : 101);
    ps = wb_page_size();

    /* the file: written, synced, two quarters dropped from the cache */
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/" NAME, dir && *dir ? dir : "/tmp");
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        wb_die("create '%s'", path);
    atexit(remove_file);
    char *page = calloc(1, ps);
    if (page == NULL)
        wb_die("calloc");
    for (size_t k = 0; k < pages; k++) {
        memset(page, 'a' + (int)(k % 26), ps);
        if (write(fd, page, ps) != (ssize_t)ps)
            wb_die("write '%s'", path);
    }
    free(page);
    if (fdatasync(fd) != 0)
        wb_die("fdatasync '%s'", path);
    size_t q = pages / 4;
    posix_fadvise(fd, (off_t)(q * ps), (off_t)(q * ps), POSIX_FADV_DONTNEED);
    posix_fadvise(fd, (off_t)(3 * q * ps), (off_t)(q * ps),
                  POSIX_FADV_DONTNEED);
    map = mmap(NULL, pages * ps, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        wb_die("mmap '%s'", path);
    /* MADV_RANDOM: no readahead into the dropped quarters */
    if (madvise(map, pages * ps, MADV_RANDOM) != 0)
        wb_die("madvise MADV_RANDOM");
    volatile char sink = 0;
    for (size_t k = 0; k < q; k++)
        sink += map[k * ps] + map[(2 * q + k) * ps];
    (void)sink;
    /* the long maps file: every other page of a reservation readable
     * (made after the file's mapping, so below it: parsing reads past it) */
    if (vmas > 0) {
        char *r = mmap(NULL, (size_t)vmas * ps, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED)
            wb_die("mmap %ld pages", vmas);
        for (long k = 1; k < vmas; k += 2)
            if (mprotect(r + k * ps, ps, PROT_READ) != 0)
                wb_die("mprotect");
    }
    if ((pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) < 0)
        wb_die("open /proc/self/pagemap");
    if ((maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)) < 0)
        wb_die("open /proc/self/maps");

    printf("a file of %zu pages, written and synced; quarters 2 and 4 dropped "
           "(POSIX_FADV_DONTNEED); "
           "mapped once, quarters 1 and 3 read through the mapping; %zu runs "
           "of each query\n",
           pages, runs);
    cached();
    mapped();
    vma_of(count_maps_lines());
    return 0;
}
