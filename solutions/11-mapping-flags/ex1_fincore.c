/*
 * ex1_fincore.c: which pages of a file are in the page cache (solution).
 *
 * ex1_fincore [-m] FILE... prints, for each FILE, `FILE: R/N pages
 * resident`, and with -m a second line with one character per page, '#'
 * for resident and '.' for not. The file is mapped but never touched, so
 * asking does not change the answer.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *path, bool show_map)
{
    struct stat st;
    int fd = wb_open_file(path, O_RDONLY, &st);
    size_t len = (size_t)st.st_size;
    size_t npages = (len + wb_page_size() - 1) / wb_page_size();
    size_t resident = 0;
    unsigned char *vec = NULL;

    if (npages > 0) { /* mmap() refuses a length of 0 */
        void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            wb_die("mmap '%s'", path);
        vec = malloc(npages);
        if (vec == NULL)
            wb_die("malloc");
        /* mincore() looks at the page cache; it never faults a page in */
        if (mincore(p, len, vec) == -1)
            wb_die("mincore '%s'", path);
        if (munmap(p, len) == -1)
            wb_die("munmap '%s'", path);
        for (size_t k = 0; k < npages; k++)
            resident += vec[k] & 1;
    }
    close(fd);

    printf("%s: %zu/%zu pages resident\n", path, resident, npages);
    if (show_map) {
        for (size_t k = 0; k < npages; k++)
            putchar(vec[k] & 1 ? '#' : '.');
        putchar('\n');
    }
    free(vec);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] FILE...");
    bool show_map = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hm")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_map = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (optind == argc)
        wb_usage("expected at least one FILE");
    for (int i = optind; i < argc; i++)
        report(argv[i], show_map);
    return 0;
}
