/*
 * ex1_permute.c: show a file's pages in any order through one shared mapping (solution).
 *
 * Maps the first n pages of FILE with MAP_SHARED, then rearranges the region
 * so that region page i shows file page P[i]: with remap_file_pages(2) when
 * the system has it, else (ENOSYS, or -F) with mmap(MAP_FIXED) over the same
 * region. Consecutive file pages (P[i+1] == P[i] + 1) are placed with one
 * call per run, not one per page: the result is the same and the kernel
 * makes one VMA per run either way. See exercises/09-remap-file-pages/
 * ex1_permute.c for the task.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-F] FILE P0 P1 ... Pn-1");
    bool fixed = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hF")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'F')
            wb_usage("unknown option '-%c'", optopt);
        fixed = true;
    }
    if (argc - optind < 2)
        wb_usage("expected FILE and at least one page number");
    const char *path = argv[optind];
    size_t n = (size_t)(argc - optind - 1);

    /* The page list must be a permutation of 0..n-1. */
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
            wb_usage("page %zu is past the end of '%s' (%zu page%s)", bad, path,
                     file_pages, file_pages == 1 ? "" : "s");
        }

    size_t len = n * ps;
    char *region = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (region == MAP_FAILED)
        wb_die("mmap '%s'", path);

    /* One call per run of consecutive file pages. */
    bool fell_back = false;
    for (size_t i = 0, run; i < n; i += run) {
        for (run = 1; i + run < n && perm[i + run] == perm[i] + run; run++)
            ;
        char *at = region + i * ps;
        if (!fixed) {
            if (remap_file_pages(at, run * ps, 0, perm[i], 0) == 0)
                continue;
            if (errno != ENOSYS)
                wb_die("remap_file_pages at region page %zu", i);
            fixed = fell_back = true; /* and place this run below */
        }
        if (mmap(at, run * ps, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
                 (off_t)(perm[i] * ps)) == MAP_FAILED)
            wb_die("mmap MAP_FIXED at region page %zu", i);
    }
    close(fd);
    free(perm);
    fprintf(stderr, "ex1_permute: built with %s\n",
            fell_back ? "MAP_FIXED: remap_file_pages is ENOSYS here"
            : fixed   ? "MAP_FIXED (-F)"
                      : "remap_file_pages");

    for (size_t done = 0; done < len;) {
        ssize_t w = write(STDOUT_FILENO, region + done, len - done);
        if (w == -1)
            wb_die("write");
        done += (size_t)w;
    }
    if (munmap(region, len) == -1)
        wb_die("munmap");
    return 0;
}
