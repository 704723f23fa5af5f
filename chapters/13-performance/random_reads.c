/*
 * random_reads.c: when read(2) wins (a small file, once) and when mmap wins (random, repeated reads).
 *
 * Part 1, a small file read once: a 4 KiB file is opened, read whole and
 * closed 1000 times, once with read(2) and once with mmap + munmap; each
 * time the lines are counted. Setting up and tearing down a mapping (two
 * system calls, a VMA, a page fault, a TLB flush at munmap) costs more than
 * copying 4 KiB, so read(2) wins.
 *
 * Part 2, random reads: a file of SIZE bytes (default 8M) holds 8-byte
 * records, record k holding the number k. READS records (default 100000)
 * are read at pseudo-random indexes (a fixed LCG, so every run reads the
 * same ones), twice over: with pread(2), one system call per record, and
 * through one mmap of the whole file, one load per record after the first
 * touch of each page. Every record read is checked against its index. The
 * second pass shows repeated access: pread pays the system call again, the
 * mapping pays nothing more.
 *
 * The file is in $TMPDIR and was just written, so it is in the page cache
 * (warm); scan_file shows what a cold cache changes. Times are medians of
 * RUNS (default 5) runs after a warm-up; they depend on the machine.
 *
 * Usage: random_reads [-h] [SIZE [READS [RUNS]]]   SIZE 64K..1G, READS 1..10000000, RUNS 1..20
 * Tour:
 * Man pages: pread(2), mmap(2), munmap(2), getrusage(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { SMALL = 4096, SMALL_ROUNDS = 1000 };

static size_t size, nreads;
static int runs;

static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 0;
    for (size_t k = 0; k < n; k++)
        lines += p[k] == '\n';
    return lines;
}

/* Part 1: open, read all, close the small file PATH, ROUNDS times. */
static size_t small_read(const char *path)
{
    char buf[SMALL];
    size_t lines = 0;
    for (int r = 0; r < SMALL_ROUNDS; r++) {
        int f = open(path, O_RDONLY | O_CLOEXEC);
        if (f == -1)
            wb_die("open '%s'", path);
        ssize_t n = read(f, buf, sizeof buf);
        if (n == -1)
            wb_die("read");
        lines += count_lines(buf, (size_t)n);
        close(f);
    }
    return lines;
}

/* [small] */
static size_t small_mmap(const char *path)
{
    size_t lines = 0;
    for (int r = 0; r < SMALL_ROUNDS; r++) {
        struct stat st;
        int f = wb_open_file(path, O_RDONLY | O_CLOEXEC, &st);
        char *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, f, 0);
        if (p == MAP_FAILED)
            wb_die("mmap '%s'", path);
        lines += count_lines(p, (size_t)st.st_size);
        if (munmap(p, (size_t)st.st_size) == -1)
            wb_die("munmap");
        close(f);
    }
    return lines;
}
/* [small] */

/* Part 2: the index of the k-th record to read. */
static size_t pick(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (size_t)((*x >> 17) % (size / 8));
}

/* [random] */
/* NREADS records by pread: returns how many held their own index. */
static size_t by_pread(int fd)
{
    uint64_t x = 42, rec;
    size_t good = 0;
    for (size_t k = 0; k < nreads; k++) {
        size_t idx = pick(&x);
        if (pread(fd, &rec, sizeof rec, (off_t)(idx * 8)) !=
            (ssize_t)sizeof rec)
            wb_die("pread");
        good += rec == idx;
    }
    return good;
}

/* The same records as loads from the mapping. */
static size_t by_load(const uint64_t *map)
{
    uint64_t x = 42;
    size_t good = 0;
    for (size_t k = 0; k < nreads; k++) {
        size_t idx = pick(&x);
        good += map[idx] == idx;
    }
    return good;
}
/* [random] */

/* Time FN RUNS times (after one warm-up): median us; faults of the last. */
#define MEASURE(call, median, faults, result)                                  \
    do {                                                                       \
        double t_[20] = {0};                                                   \
        (result) = (call);                                                     \
        for (int r_ = 0; r_ < runs; r_++) {                                    \
            long f_ = wb_minor_faults();                                       \
            double s_ = wb_now_us();                                           \
            (result) = (call);                                                 \
            t_[r_] = wb_now_us() - s_;                                         \
            (faults) = wb_minor_faults() - f_;                                 \
        }                                                                      \
        wb_sort_doubles(t_, (size_t)runs);                                     \
        (median) = t_[runs / 2];                                               \
    } while (0)

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [SIZE [READS [RUNS]]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 3)
        wb_usage("too many arguments");
    size = i < argc ? wb_size_arg(argv[i], "size") : 8 << 20;
    if (size < 65536 || size > ((size_t)1 << 30) || size % 8 != 0)
        wb_usage("size must be a multiple of 8 from 64K to 1G");
    nreads = i + 1 < argc
                 ? (size_t)wb_long_arg(argv[i + 1], "reads", 1, 10000000)
                 : 100000;
    runs = i + 2 < argc ? (int)wb_long_arg(argv[i + 2], "runs", 1, 20) : 5;

    /* Part 1: the small file, 64 lines of 64 bytes. */
    char path[4096];
    int sfd = wb_temp_file("random_reads", path);
    char text[SMALL];
    for (size_t k = 0; k < SMALL; k++)
        text[k] = (k % 64 == 63) ? '\n' : 'x';
    if (write(sfd, text, SMALL) != SMALL)
        wb_die("write");
    close(sfd);
    double us = 0;
    long faults = 0;
    size_t lines = 0;
    printf("1. a %d-byte file opened, read whole and closed %d times, median "
           "of %d run(s)\n",
           SMALL, SMALL_ROUNDS, runs);
    MEASURE(small_read(path), us, faults, lines);
    printf("  open + read + close           %6zu lines  %5ld faults  %8.2f us "
           "per file\n",
           lines, faults, us / SMALL_ROUNDS);
    MEASURE(small_mmap(path), us, faults, lines);
    printf("  open + mmap + munmap + close  %6zu lines  %5ld faults  %8.2f us "
           "per file\n",
           lines, faults, us / SMALL_ROUNDS);
    if (unlink(path) == -1)
        wb_die("unlink '%s'", path);

    /* Part 2: record k of the big file holds k. */
    int fd = wb_temp_file("random_reads", NULL);
    uint64_t *chunk = malloc(65536);
    if (chunk == NULL)
        wb_die("malloc");
    for (size_t off = 0; off < size; off += 65536) {
        size_t n = size - off < 65536 ? size - off : 65536;
        for (size_t k = 0; k < n / 8; k++)
            chunk[k] = off / 8 + k;
        if (write(fd, chunk, n) != (ssize_t)n)
            wb_die("write");
    }
    free(chunk);
    printf("\n2. %zu random 8-byte records of a %zu KiB file (record k holds "
           "k), two passes\n",
           nreads, size / 1024);

    size_t good = 0;
    MEASURE(by_pread(fd), us, faults, good);
    printf("  pread, every pass        %8zu of %zu right  %6ld faults  "
           "%7.3f us per record\n",
           good, nreads, faults, us / (double)nreads);

    /* The mapping's first pass, measured alone: each run maps afresh. */
    double first[20] = {0};
    long first_faults = 0;
    for (int r = -1; r < runs; r++) {
        uint64_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
            wb_die("mmap");
        long f0 = wb_minor_faults();
        double t0 = wb_now_us();
        good = by_load(map);
        if (r >= 0)
            first[r] = wb_now_us() - t0;
        first_faults = wb_minor_faults() - f0;
        if (munmap(map, size) == -1)
            wb_die("munmap");
    }
    wb_sort_doubles(first, (size_t)runs);
    printf("  mmap, first pass         %8zu of %zu right  %6ld faults  "
           "%7.3f us per record\n",
           good, nreads, first_faults, first[runs / 2] / (double)nreads);

    uint64_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        wb_die("mmap");
    (void)by_load(map); /* a first pass maps every page the passes read */
    MEASURE(by_load(map), us, faults, good);
    printf("  mmap, later passes       %8zu of %zu right  %6ld faults  "
           "%7.3f us per record\n",
           good, nreads, faults, us / (double)nreads);
    if (munmap(map, size) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
