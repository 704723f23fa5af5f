/*
 * grow_array.c: a growing array four ways: copy-and-grow, mremap, realloc, one big reservation.
 *
 * Pushes N 8-byte items (default 1048576, 8 MiB) one by one onto an array
 * that starts with one page of capacity and doubles it when full, and grows
 * it four ways: (1) copy-and-grow, the portable way: mmap twice the size,
 * memcpy, munmap the old; (2) mremap(MREMAP_MAYMOVE), which moves page table
 * entries and copies nothing (chapter 07); (3) realloc, which glibc serves
 * from the heap while the block is small and, past the mmap threshold, with
 * mremap; (4) no growing at all: one reservation of address space big enough
 * for any N the demo accepts (mmap MAP_NORESERVE), where lazy allocation does
 * the work and a page costs one fault when the array first reaches it.
 *
 * For each way it prints the growth steps, how many of them moved the
 * array, the bytes the program copied, the minor faults (getrusage) and the
 * median time of RUNS runs (default 3) after a warm-up, and it checks every
 * item. The faults explain the times: copy-and-grow faults in every page of
 * every intermediate array, about twice the pages of the final one; the
 * others fault in the final array's pages once.
 *
 * Huge pages are off for the process (PR_SET_THP_DISABLE), and malloc's mmap
 * threshold is fixed at 128 KiB (mallopt M_MMAP_THRESHOLD): glibc otherwise
 * raises it when a big block is freed, and realloc after the first run would
 * take another road. Under Valgrind or AddressSanitizer malloc is the tool's
 * own and its realloc copies; the demo says so.
 *
 * Usage: grow_array [-h] [N [RUNS]]     N 1..67108864, RUNS 1..20
 * Tour:
 * Tour: 16777216 3
 * Man pages: mremap(2), mmap(2), realloc(3), mallopt(3), getrusage(2)
 */
#include "wb.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#define NO_ASAN   __attribute__((no_sanitize_address))
#define MAX_ITEMS 67108864L               /* the largest N: 512 MiB */
#define RESERVE   ((size_t)MAX_ITEMS * 8) /* way 4's one reservation */

enum way { COPY, MREMAP, REALLOC, RESERVE_WAY, NWAYS };
static const char *const way_name[NWAYS] = {"mmap + memcpy + munmap",
                                            "mremap(MREMAP_MAYMOVE)", "realloc",
                                            "one big reservation"};

struct vec {
    uint64_t *data;
    size_t len, cap; /* in items */
    long grows, moves;
    size_t copied; /* bytes memcpy'd by us */
};

static uint64_t *map_anon(size_t bytes, int extra)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu bytes", bytes);
    return p;
}

/* [grow] */
/* Double the capacity of V the way W says. */
static void grow(struct vec *v, enum way w)
{
    size_t old = v->cap * 8, new = 2 * old;
    uint64_t *p = NULL;
    switch (w) {
    case COPY:
        p = map_anon(new, 0);
        memcpy(p, v->data, old);
        v->copied += old;
        if (munmap(v->data, old) == -1)
            wb_die("munmap");
        break;
    case MREMAP:
        p = mremap(v->data, old, new, MREMAP_MAYMOVE);
        if (p == MAP_FAILED)
            wb_die("mremap %zu -> %zu bytes", old, new);
        break;
    case REALLOC:
        p = realloc(v->data, new);
        if (p == NULL)
            wb_die("realloc %zu bytes", new);
        break;
    case RESERVE_WAY:
    case NWAYS: wb_fatal("way %d never grows", (int)w);
    }
    v->moves += p != v->data;
    v->grows++;
    v->data = p;
    v->cap *= 2;
}
/* [grow] */

NO_ASAN static void push(struct vec *v, uint64_t x, enum way w)
{
    if (v->len == v->cap)
        grow(v, w);
    v->data[v->len++] = x;
}

static struct vec build(enum way w, size_t n)
{
    struct vec v = {NULL, 0, wb_page_size() / 8, 0, 0, 0};
    if (w == RESERVE_WAY) {
        v.data = map_anon(RESERVE, MAP_NORESERVE);
        v.cap = RESERVE / 8;
    } else if (w == REALLOC) {
        v.data = malloc(v.cap * 8);
        if (v.data == NULL)
            wb_die("malloc");
    } else {
        v.data = map_anon(v.cap * 8, 0);
    }
    for (size_t k = 0; k < n; k++)
        push(&v, k, w);
    return v;
}

static void release(struct vec *v, enum way w)
{
    if (w == REALLOC)
        free(v->data);
    else if (munmap(v->data, v->cap * 8) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [N [RUNS]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    size_t n =
        i < argc ? (size_t)wb_long_arg(argv[i], "N", 1, MAX_ITEMS) : 1048576;
    int runs = i + 1 < argc ? (int)wb_long_arg(argv[i + 1], "runs", 1, 20) : 3;
    size_t ps = wb_page_size();

    if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == -1)
        wb_die("prctl PR_SET_THP_DISABLE");
    /* (ASan's malloc has no threshold: its mallopt does nothing, returns 0;
     * under Valgrind malloc is Valgrind's, and glibc's setting is unused) */
    int fixed = mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    if (fixed == 0 && !wb_on_asan())
        wb_fatal("mallopt M_MMAP_THRESHOLD refused");
    bool tool = wb_on_asan() || wb_on_valgrind();
    printf("%zu items of 8 bytes (%zu KiB, %zu pages), pushed one by one\n", n,
           n * 8 / 1024, wb_round_up(n * 8) / ps);
    printf("capacity starts at one page and doubles when full; huge pages off, "
           "%s\n",
           fixed && !tool ? "malloc's mmap threshold fixed at 128 KiB"
                          : "malloc is the tool's own: no mmap threshold");
    printf("%d run(s) of each way after a warm-up; median times\n\n", runs);
    printf("  %-24s %6s %6s %12s %8s %11s  %s\n", "way", "grows", "moves",
           "copied KiB", "faults", "time", "items");

    /* The first clock_gettime() of a process faults in the vDSO's data
     * pages (2 or 3 faults): take them now, not inside the first count. */
    (void)wb_now_us();
    for (enum way w = COPY; w < NWAYS; w++) {
        double us[20] = {0};
        struct vec v = build(w, n); /* warm-up */
        release(&v, w);
        long faults = 0;
        for (int r = 0; r < runs; r++) {
            long f0 = wb_minor_faults();
            double t0 = wb_now_us();
            v = build(w, n);
            us[r] = wb_now_us() - t0;
            faults = wb_minor_faults() - f0;
            if (r < runs - 1)
                release(&v, w);
        }
        wb_sort_doubles(us, (size_t)runs);
        size_t right = 0;
        for (size_t k = 0; k < n; k++)
            right += v.data[k] == k;
        char copied[32] = "-"; /* realloc's copies are its own business */
        if (w != REALLOC)
            snprintf(copied, sizeof copied, "%zu", v.copied / 1024);
        printf("  %-24s %6ld %6ld %12s %8ld %8.2f ms  %s\n", way_name[w],
               v.grows, v.moves, copied, faults, us[runs / 2] / 1e3,
               right == n ? "all right" : "WRONG");
        release(&v, w);
    }
    if (wb_on_valgrind() || wb_on_asan())
        printf("\n(under %s malloc is the tool's own: its realloc copies "
               "every time)\n",
               wb_on_valgrind() ? "Valgrind" : "AddressSanitizer");
    return 0;
}
