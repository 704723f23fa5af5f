/*
 * ex1_concat.c: several files as one contiguous read-only view (solution).
 *
 * Two passes: the first opens every file and adds up the pages they need,
 * so that the whole view can be reserved with one PROT_NONE mmap(); the
 * second lays each file over its part of the reservation with MAP_FIXED.
 * Every byte of the reservation ends up covered by a file mapping, so the
 * PROT_NONE mapping has done its job (keeping the range free while we built
 * the view) and leaves no VMA of its own. See exercises/08-map-fixed/
 * ex1_concat.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct piece {
    int fd;
    size_t size; /* the file's size in bytes */
    size_t at;   /* where it starts in the view (a page multiple) */
};

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w == -1)
            wb_die("write");
        p += w;
        n -= (size_t)w;
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] FILE...");
    bool show_maps = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hm")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_maps = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    int nfiles = argc - optind;
    if (nfiles < 1)
        wb_usage("expected at least one FILE");

    /* Pass 1: open, measure, and give each file its place in the view. */
    struct piece *pc = calloc((size_t)nfiles, sizeof *pc);
    if (pc == NULL)
        wb_die("calloc");
    size_t total = 0;
    for (int k = 0; k < nfiles; k++) {
        const char *path = argv[optind + k];
        pc[k].fd = open(path, O_RDONLY | O_CLOEXEC);
        if (pc[k].fd == -1)
            wb_die("open '%s'", path);
        struct stat st;
        if (fstat(pc[k].fd, &st) == -1)
            wb_die("fstat '%s'", path);
        if (!S_ISREG(st.st_mode))
            wb_fatal("'%s' is not a regular file", path);
        pc[k].size = (size_t)st.st_size;
        pc[k].at = total;
        total += wb_round_up(pc[k].size);
    }

    char *base = NULL;
    if (total > 0) {
        /* [reserve] */
        base = mmap(NULL, total, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (base == MAP_FAILED)
            wb_die("mmap a reservation of %zu bytes", total);
        /* [reserve] */
    }

    /* Pass 2: each file over its own pages, exactly where it belongs. */
    for (int k = 0; k < nfiles; k++) {
        if (pc[k].size > 0) {
            char *want = base + pc[k].at;
            char *got = mmap(want, pc[k].size, PROT_READ,
                             MAP_SHARED | MAP_FIXED, pc[k].fd, 0);
            if (got == MAP_FAILED)
                wb_die("mmap '%s' at view offset %zu", argv[optind + k],
                       pc[k].at);
            if (got != want)
                wb_fatal("mmap put '%s' at the wrong address",
                         argv[optind + k]);
        }
        close(pc[k].fd);
    }

    if (show_maps) {
        if (total > 0)
            wb_print_vmas("view", base, total);
        printf("%zu pages, %d VMAs\n", total / wb_page_size(),
               total > 0 ? wb_count_vmas(base, total) : 0);
    } else if (total > 0) {
        write_all(base, total);
    }

    if (total > 0 && munmap(base, total) == -1)
        wb_die("munmap the view");
    free(pc);
    return 0;
}
