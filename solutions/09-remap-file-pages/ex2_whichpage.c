/*
 * ex2_whichpage.c: ask /proc/self/maps which file page a region page shows (solution).
 *
 * Builds the permuted view of ex1_permute (remap_file_pages, or MAP_FIXED
 * when that is ENOSYS or with -F), forgets the permutation, and answers each
 * query from the kernel's own record: the VMA that contains the region
 * page's address, and that VMA's offset column, which is the file offset of
 * the VMA's first byte. See exercises/09-remap-file-pages/ex2_whichpage.c
 * for the task.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Build the view: region page i shows file page perm[i]. */
static char *build_view(int fd, const size_t *perm, size_t n, bool fixed)
{
    size_t ps = wb_page_size();
    char *region = mmap(NULL, n * ps, PROT_READ, MAP_SHARED, fd, 0);
    if (region == MAP_FAILED)
        wb_die("mmap");
    bool fell_back = false;
    for (size_t i = 0; i < n; i++) {
        char *at = region + i * ps;
        if (!fixed) {
            if (remap_file_pages(at, ps, 0, perm[i], 0) == 0)
                continue;
            if (errno != ENOSYS)
                wb_die("remap_file_pages at region page %zu", i);
            fixed = fell_back = true;
        }
        if (mmap(at, ps, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
                 (off_t)(perm[i] * ps)) == MAP_FAILED)
            wb_die("mmap MAP_FIXED at region page %zu", i);
    }
    fprintf(stderr, "ex2_whichpage: built with %s\n",
            fell_back ? "MAP_FIXED: remap_file_pages is ENOSYS here"
            : fixed   ? "MAP_FIXED (-F)"
                      : "remap_file_pages");
    return region;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-F] FILE P0 ... Pn-1 -- Q...");
    bool fixed = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    /* '+': stop at FILE, so that the "--" among the operands stays there */
    while ((opt = getopt(argc, argv, "+hF")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'F')
            wb_usage("unknown option '-%c'", optopt);
        fixed = true;
    }
    int sep = optind + 1;
    while (sep < argc && strcmp(argv[sep], "--") != 0)
        sep++;
    if (argc - optind < 1 || sep >= argc)
        wb_usage("expected FILE, page numbers, -- and queries");
    size_t n = (size_t)(sep - optind - 1);
    size_t nq = (size_t)(argc - sep - 1);
    if (n == 0 || nq == 0)
        wb_usage("expected at least one page number and one query");
    const char *path = argv[optind];

    size_t *perm = malloc(n * sizeof *perm);
    bool *seen = calloc(n, sizeof *seen);
    if (perm == NULL || seen == NULL)
        wb_die("malloc");
    for (size_t i = 0; i < n; i++) {
        perm[i] =
            (size_t)wb_long_arg(argv[optind + 1 + (int)i], "page", 0, LONG_MAX);
        if (perm[i] >= n || seen[perm[i]]) {
            size_t bad = perm[i];
            free(seen); /* wb_usage() exits: leave no block behind */
            free(perm);
            wb_usage("the pages must be a permutation of 0..%zu; '%zu' %s",
                     n - 1, bad,
                     bad >= n ? "is out of range" : "appears twice");
        }
        seen[perm[i]] = true;
    }
    free(seen);
    size_t *query = malloc(nq * sizeof *query);
    if (query == NULL)
        wb_die("malloc");
    for (size_t k = 0; k < nq; k++)
        query[k] = (size_t)wb_long_arg(argv[sep + 1 + (int)k], "query", 0,
                                       (long)n - 1);

    /*
     * O_RDWR although nothing is written: the kernel turns a MAP_SHARED
     * mapping of a read-only descriptor into a private one inside (it can
     * never write the file), and remap_file_pages() refuses it with EINVAL.
     */
    struct stat st;
    int fd = wb_open_file(path, O_RDWR, &st);
    size_t ps = wb_page_size();
    size_t file_pages = ((size_t)st.st_size + ps - 1) / ps;
    for (size_t i = 0; i < n; i++)
        if (perm[i] >= file_pages) {
            size_t bad = perm[i];
            free(perm);
            free(query);
            wb_usage("page %zu is past the end of '%s' (%zu page%s)", bad, path,
                     file_pages, file_pages == 1 ? "" : "s");
        }

    char *region = build_view(fd, perm, n, fixed);
    close(fd);
    free(perm); /* from here on, only the kernel knows */

    for (size_t k = 0; k < nq; k++) {
        const char *addr = region + query[k] * ps;
        struct wb_vma v;
        if (wb_vma_of(addr, &v) == -1)
            wb_fatal("region page %zu is not in /proc/self/maps", query[k]);
        unsigned long long off =
            v.offset + (unsigned long long)((unsigned long)addr - v.start);
        printf("region page %zu -> file offset %llu\n", query[k], off);
    }
    free(query);
    if (munmap(region, n * ps) == -1)
        wb_die("munmap");
    return 0;
}
