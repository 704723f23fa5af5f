/*
 * overcommit.c: which writable mappings mmap() refuses up front, and what
 * MAP_NORESERVE changes.
 *
 * Prints the overcommit policy (/proc/sys/vm/overcommit_memory and the
 * numbers behind mode 2) and the commit accounting of /proc/meminfo. Then it
 * maps 1 GiB in five ways and shows what each adds to Committed_AS: private
 * and shared writable memory is charged, read-only private memory and
 * MAP_NORESERVE memory are not. Next it asks for one private writable
 * mapping larger than RAM + swap (the size is computed from /proc/meminfo),
 * without and with MAP_NORESERVE: in the default heuristic mode the first
 * fails with ENOMEM, the second succeeds and its pages can be written; the
 * demo says whether the two results are what the machine's mode promises.
 * Last it maps two pieces that are each below RAM + swap but together above
 * it: the heuristic allows both. It then does strict mode's (2) arithmetic
 * with the numbers it read before the two mmap() calls, and says which
 * piece mode 2 would refuse: with the default ratio CommitLimit is swap +
 * 50% of RAM, so one piece (3/4 of RAM + swap) alone is usually too much.
 *
 * Usage: overcommit [-h]
 * Tour:
 * Man pages: mmap(2), proc(5) (/proc/meminfo, /proc/sys/vm/overcommit_*),
 *            and the kernel's Documentation/mm/overcommit-accounting.rst
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define GIB (1024.0 * 1024 * 1024)

/* The number in a one-line file such as /proc/sys/vm/overcommit_memory. */
static long read_number(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        wb_die("open %s", path);
    long v;
    if (fscanf(f, "%ld", &v) != 1)
        wb_fatal("%s: no number in it", path);
    fclose(f);
    return v;
}

static double gib(long kb)
{
    return kb * 1024.0 / GIB;
}

/* Committed_AS in whole GiB, rounded: other processes move it a little. */
static long committed_gib_delta(long before_kb)
{
    double d = (wb_meminfo_kb("Committed_AS") - before_kb) * 1024.0 / GIB;
    return (long)(d < 0 ? d - 0.5 : d + 0.5);
}

/* [charge] */
/* Map LEN bytes, say what it cost in Committed_AS, unmap. */
static void charge(const char *what, size_t len, int prot, int flags)
{
    long before = wb_meminfo_kb("Committed_AS");
    void *p = mmap(NULL, len, prot, flags, -1, 0);
    if (p == MAP_FAILED) {
        printf("  %-44s %s\n", what, wb_errname(errno));
        return;
    }
    printf("  %-44s ok, Committed_AS %+ld GiB\n", what,
           committed_gib_delta(before));
    if (munmap(p, len) == -1)
        wb_die("munmap");
}
/* [charge] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    long mode = read_number("/proc/sys/vm/overcommit_memory");
    long ram = wb_meminfo_kb("MemTotal"), swap = wb_meminfo_kb("SwapTotal");
    static const char *const names[] = {
        "heuristic: refuse a single request larger than RAM + swap",
        "always: never refuse", "strict: refuse beyond CommitLimit"};
    printf("vm.overcommit_memory = %ld (%s)\n", mode,
           mode >= 0 && mode <= 2 ? names[mode] : "unknown");
    long kbytes = read_number("/proc/sys/vm/overcommit_kbytes");
    char rule[64];
    if (kbytes > 0)
        snprintf(rule, sizeof rule, "swap + overcommit_kbytes");
    else
        snprintf(rule, sizeof rule, "swap + %ld%% of RAM",
                 read_number("/proc/sys/vm/overcommit_ratio"));
    printf("RAM %.1f GiB, swap %.1f GiB; CommitLimit %.1f GiB (%s: mode 2's "
           "limit), Committed_AS %.1f GiB\n",
           gib(ram), gib(swap), gib(wb_meminfo_kb("CommitLimit")), rule,
           gib(wb_meminfo_kb("Committed_AS")));

    size_t one = (size_t)1 << 30;
    int anon = MAP_ANONYMOUS;
    int rw = PROT_READ | PROT_WRITE;
    printf("1. what a 1 GiB mapping adds to the commit charge:\n");
    charge("private, PROT_READ|PROT_WRITE", one, rw, MAP_PRIVATE | anon);
    charge("shared, PROT_READ|PROT_WRITE", one, rw, MAP_SHARED | anon);
    charge("private, PROT_READ only", one, PROT_READ, MAP_PRIVATE | anon);
    charge("private, PROT_NONE", one, PROT_NONE, MAP_PRIVATE | anon);
    charge("private, read-write, MAP_NORESERVE", one, rw,
           MAP_PRIVATE | anon | MAP_NORESERVE);

    /* RAM + swap, rounded up to whole GiB, plus one more GiB. */
    size_t total = (size_t)(ram + swap) * 1024;
    size_t big = (total / one + 2) * one;
    printf(
        "2. one private writable mapping of %zu GiB, more than RAM + swap:\n",
        big / one);
    char *p = mmap(NULL, big, rw, MAP_PRIVATE | anon, -1, 0);
    bool plain_ok = p != MAP_FAILED, noreserve_ok = false;
    printf("  without MAP_NORESERVE: %s\n",
           p == MAP_FAILED ? wb_errname(errno) : "ok");
    if (p != MAP_FAILED && munmap(p, big) == -1)
        wb_die("munmap");
    p = mmap(NULL, big, rw, MAP_PRIVATE | anon | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        printf("  with MAP_NORESERVE:    %s\n", wb_errname(errno));
    } else {
        noreserve_ok = true;
        /* Touch 4 pages spread over the range: each costs one real page. */
        size_t ps = wb_page_size();
        for (size_t k = 0; k < 4; k++)
            p[k * (big / 4)] = 'x';
        size_t res = 0;
        for (size_t k = 0; k < 4; k++)
            res += wb_resident_pages(p + k * (big / 4), ps);
        printf("  with MAP_NORESERVE:    ok; wrote 4 pages spread over it, "
               "%zu of them resident\n",
               res);
        if (munmap(p, big) == -1)
            wb_die("munmap");
    }
    /* What the two results say, next to what the mode promises. */
    if (mode == 0 && !plain_ok && noreserve_ok)
        printf("  as mode 0 does: the heuristic refused the size, and "
               "MAP_NORESERVE skipped the check\n");
    else if (mode == 1 && plain_ok && noreserve_ok)
        printf("  as mode 1 does: nothing is refused\n");
    else if (mode == 2 && !plain_ok && !noreserve_ok)
        printf("  as mode 2 does: refused beyond CommitLimit, "
               "MAP_NORESERVE or not\n");
    else
        printf("  not what mode %ld promises: something else limits this "
               "process (RLIMIT_AS, for one)\n",
               mode);

    /* Two pieces of 3/4 of RAM + swap each, rounded down to whole GiB
     * (at least 1 GiB). */
    size_t piece = (total / 4 * 3) / one * one;
    if (piece == 0)
        piece = one;
    long before = wb_meminfo_kb("Committed_AS");
    long limit = wb_meminfo_kb("CommitLimit");
    printf("3. two private writable mappings of %zu GiB each (together %zu "
           "GiB, %s the %.1f GiB of RAM + swap):\n",
           piece / one, 2 * piece / one,
           2 * piece > total ? "more than" : "not more than",
           gib((long)(total / 1024)));
    char *a = mmap(NULL, piece, rw, MAP_PRIVATE | anon, -1, 0);
    int ea = errno;
    char *b = mmap(NULL, piece, rw, MAP_PRIVATE | anon, -1, 0);
    int eb = errno;
    printf("  first: %s, second: %s; Committed_AS %+ld GiB\n",
           a == MAP_FAILED ? wb_errname(ea) : "ok",
           b == MAP_FAILED ? wb_errname(eb) : "ok",
           committed_gib_delta(before));
    /* Mode 2 refuses a request that would take Committed_AS past
     * CommitLimit (less a small reserve): compare the pieces with what was
     * left before them. */
    long piece_kb = (long)(piece / 1024);
    double left = gib(limit - before);
    if (piece_kb > limit - before)
        printf("  in mode 2 the first would already fail: %zu GiB is more "
               "than the %.1f GiB left below CommitLimit\n",
               piece / one, left);
    else if (2 * piece_kb > limit - before)
        printf("  in mode 2 the second would fail: the two need %zu GiB, "
               "%.1f GiB was left below CommitLimit\n",
               2 * (piece / one), left);
    else
        printf("  in mode 2 both would succeed: %.1f GiB was left below "
               "CommitLimit\n",
               left);
    if ((a != MAP_FAILED && munmap(a, piece) == -1) ||
        (b != MAP_FAILED && munmap(b, piece) == -1))
        wb_die("munmap");
    return 0;
}
