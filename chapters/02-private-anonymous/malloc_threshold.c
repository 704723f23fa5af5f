/*
 * malloc_threshold.c: big malloc blocks get a private anonymous mapping each.
 *
 * glibc's malloc serves a request from the heap (the [heap] VMA, grown with
 * brk) unless the chunk it needs, request + 8 bytes rounded up to 16, is at
 * least M_MMAP_THRESHOLD, 128 KiB by default: then the block gets its own
 * anonymous mapping, and free() unmaps it. For each SIZE (default 64K 127K
 * 131048 131064 256K 1M) the demo mallocs a block, finds its VMA in
 * /proc/self/maps, frees it and looks again. Three passes:
 *   1. the default threshold;
 *   2. the same sizes again: freeing a mapped block raised the threshold to
 *      that block's size (glibc's dynamic threshold), so now all use the heap;
 *   3. after mallopt(M_MMAP_THRESHOLD, THRESHOLD) (default 64K): a fixed
 *      threshold, and the dynamic raising is switched off.
 * malloc_trim(0) before each malloc hands the free top of the heap back, so
 * that every request has to choose between growing the heap and mmap.
 * Under Valgrind, malloc is Valgrind's own, and so it is when the demo is
 * built with AddressSanitizer (make sanitize): the demo says so and stops.
 *
 * Usage: malloc_threshold [-h] [-t THRESHOLD] [SIZE...]
 * Tour:
 * Man pages: mallopt(3), malloc(3), malloc_trim(3), mmap(2), proc(5)
 */
#include "wb.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIZES 32

static void pass(const char *title, const size_t *sizes, int n)
{
    printf("%s\n", title);
    for (int k = 0; k < n; k++) {
        /* [probe] */
        malloc_trim(0);
        char *p = malloc(sizes[k]);
        if (p == NULL)
            wb_die("malloc %zu", sizes[k]);
        memset(p, 1, sizes[k]); /* use it, as a program would */

        struct wb_vma v;
        const char *where;
        if (wb_vma_of(p, &v) == -1)
            wb_fatal("malloc(%zu) returned an unmapped address", sizes[k]);
        if (strcmp(v.path, "[heap]") == 0)
            where = "[heap]";
        else if (v.path[0] == '\0')
            where = "own anonymous mapping";
        else
            where = v.path;

        /* Keep the address as a plain number (volatile, so the compiler
         * does not treat the lookup after free() as a use of the block). */
        volatile uintptr_t addr = (uintptr_t)p;
        free(p);
        bool still = wb_vma_of((const void *)addr, &v) == 0;
        /* [probe] */
        printf("  malloc(%7zu) -> %-21s free(): %s\n", sizes[k], where,
               still ? "still mapped" : "unmapped");
    }
}

int main(int argc, char *argv[])
{
    size_t threshold = 64 * 1024;
    size_t sizes[MAX_SIZES] = {64 * 1024, 127 * 1024, 131048,
                               131064,    256 * 1024, 1024 * 1024};
    int n = 6;

    wb_set_usage("[-h] [-t THRESHOLD] [SIZE...]");
    int opt;
    while ((opt = getopt(argc, argv, ":ht:")) != -1) { /* ':' quiets getopt */
        switch (opt) {
        case 'h': wb_help();
        case 't':
            threshold = wb_size_arg(optarg, "threshold");
            if (threshold > 32 * 1024 * 1024) /* the limit in mallopt(3) */
                wb_usage("threshold '%s': at most 32M", optarg);
            break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind > MAX_SIZES)
        wb_usage("at most %d sizes", MAX_SIZES);
    if (optind < argc) {
        n = 0;
        for (int k = optind; k < argc; k++) {
            sizes[n] = wb_size_arg(argv[k], "size");
            if (sizes[n] == 0 || sizes[n] > 64 * 1024 * 1024)
                wb_usage("size '%s': must be between 1 and 64M", argv[k]);
            n++;
        }
    }

    if (wb_on_valgrind()) {
        printf("running under Valgrind: malloc here is Valgrind's replacement, "
               "which has no mmap threshold; nothing to show\n");
        return 0;
    }
    if (wb_on_asan()) {
        printf("built with AddressSanitizer: malloc here is ASan's own, "
               "which has no mmap threshold (its mallopt does nothing); "
               "nothing to show\n");
        return 0;
    }

    printf("glibc's default M_MMAP_THRESHOLD is 128 KiB (131072 bytes); a "
           "chunk is the request + 8, rounded up to 16\n\n");
    /* wb_vma_of() reads /proc/self/maps with stdio, whose FILE and buffer
     * come from malloc. Let the first ones be made now, low in the heap:
     * made later, above a test block, they would pin it inside the heap. */
    struct wb_vma v;
    wb_vma_of(&v, &v);
    pass("pass 1: the default threshold", sizes, n);
    pass("pass 2: the same again (each free() of a mapped block raised the "
         "threshold to its size)",
         sizes, n);
    if (mallopt(M_MMAP_THRESHOLD, (int)threshold) != 1)
        wb_fatal("mallopt(M_MMAP_THRESHOLD, %zu) failed", threshold);
    char title[128];
    snprintf(title, sizeof title,
             "pass 3: after mallopt(M_MMAP_THRESHOLD, "
             "%zu): fixed, no longer dynamic",
             threshold);
    pass(title, sizes, n);
    return 0;
}
