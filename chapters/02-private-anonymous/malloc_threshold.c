/*
 * malloc_threshold.c: big malloc blocks get a private anonymous mapping each.
 *
 * glibc's malloc serves a request from the heap (the [heap] VMA, grown with
 * brk) unless the chunk it needs, request + 8 bytes rounded up to 16, is at
 * least M_MMAP_THRESHOLD (128 KiB by default, says mallopt(3)): then the
 * block gets its own anonymous mapping, and free() unmaps it. The threshold
 * cannot be read back, so the demo finds it: a child process, a copy of the
 * demo's malloc state made by fork(), mallocs one size and reports whether
 * it got its own VMA; a bisection over sizes finds the smallest that does.
 * It does so before each pass. For each SIZE (default 64K 127K 131048
 * 131064 256K 1M) the demo then mallocs a block, finds its VMA in
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
 * Man pages: mallopt(3), malloc(3), malloc_trim(3), mmap(2), proc(5),
 *            fork(2), waitpid(2)
 */
#include "wb.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SIZES 32
#define MAX_PROBE ((size_t)64 * 1024 * 1024) /* 2 x mallopt(3)'s ceiling */

/* The chunk glibc needs for a request: + 8 bytes, rounded up to 16. */
static size_t chunk_of(size_t request)
{
    return (request + 8 + 15) / 16 * 16;
}

/* Does malloc(SIZE) get a mapping of its own, with the malloc state as it
 * is now? Asked in a child, a copy of this state, so that the answer
 * changes nothing here (a free() of a mapped block would raise the
 * threshold). */
static bool gets_own_mapping(size_t size)
{
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        malloc_trim(0);
        char *p = malloc(size);
        struct wb_vma v;
        if (p == NULL || wb_vma_of(p, &v) == -1)
            _exit(2);
        _exit(strcmp(v.path, "[heap]") == 0 ? 0 : v.path[0] == '\0' ? 1 : 2);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
        wb_fatal("the child probing malloc(%zu) failed", size);
    return WEXITSTATUS(status) == 1;
}

/* Find, by bisection, the smallest request (a multiple of 16, less 8) that
 * gets its own mapping, and say what that tells of the threshold. */
static void find_threshold(void)
{
    size_t lo = 8, hi = MAX_PROBE - 8; /* requests; chunks 16 and MAX_PROBE */
    fflush(stdout); /* or each child would inherit the unprinted lines */
    if (gets_own_mapping(lo)) {
        printf("  threshold now (asked child processes): even malloc(%zu) "
               "gets a mapping\n",
               lo);
        return;
    }
    if (!gets_own_mapping(hi)) {
        printf("  threshold now (asked child processes): no request up to "
               "%zu MiB gets a mapping\n",
               MAX_PROBE >> 20);
        return;
    }
    while (hi - lo > 16) { /* lo is in the heap, hi is mapped */
        size_t mid = lo + (hi - lo) / 32 * 16;
        if (gets_own_mapping(mid))
            hi = mid;
        else
            lo = mid;
    }
    printf("  threshold now (bisection in child processes): a chunk of %zu "
           "gets a mapping, one of %zu does not\n",
           chunk_of(hi), chunk_of(lo));
}

static void pass(const char *title, const size_t *sizes, int n)
{
    printf("%s\n", title);
    find_threshold();
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

    printf("a chunk is the request + 8 bytes, rounded up to 16; mallopt(3) "
           "documents a default M_MMAP_THRESHOLD of 128 KiB (131072)\n\n");
    /* wb_vma_of() reads /proc/self/maps with stdio, whose FILE and buffer
     * come from malloc. Let the first ones be made now, low in the heap:
     * made later, above a test block, they would pin it inside the heap. */
    struct wb_vma v;
    wb_vma_of(&v, &v);
    pass("pass 1: the threshold the program started with", sizes, n);
    pass("pass 2: the same sizes again, after pass 1 freed its mapped blocks",
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
