/*
 * ex2_count.c: count a pattern through a read-only private mapping (solution).
 *
 * The file is scanned window by window (one window = the whole file without
 * -w). Each window starts at a page boundary and is mapped PATTERN's length
 * minus one byte longer than its share, so a match starting in it can end in
 * the next page. The next search position is kept as a file offset: after a
 * match that straddles the boundary, the next window resumes behind it.
 * See exercises/04-private-file/ex2_count.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-w PAGES] FILE PATTERN");
    long wpages = 0; /* 0: the whole file in one window */
    int opt;
    opterr = 0;
    while ((opt = getopt(argc, argv, "hw:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'w': wpages = wb_long_arg(optarg, "PAGES", 1, INT_MAX); break;
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind != 2)
        wb_usage("expected FILE PATTERN");
    const char *path = argv[optind], *pat = argv[optind + 1];
    size_t plen = strlen(pat);
    if (plen == 0)
        wb_usage("PATTERN must not be empty");

    struct stat st;
    int fd = wb_open_file(path, O_RDONLY, &st);
    size_t size = (size_t)st.st_size;

    size_t win = wpages ? (size_t)wpages * wb_page_size() : wb_round_up(size);
    size_t pos = 0; /* file offset where the next match may start */
    unsigned long count = 0;
    for (size_t base = 0; plen <= size && pos <= size - plen; base += win) {
        size_t stop = base + win; /* matches starting before this */
        if (stop > size - plen + 1)
            stop = size - plen + 1;
        if (pos >= stop) /* a match ran past this window */
            continue;
        size_t maplen =
            size - base < win + plen - 1 ? size - base : win + plen - 1;
        char *p = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, fd, (off_t)base);
        if (p == MAP_FAILED)
            wb_die("mmap '%s' at offset %zu", path, base);
        while (pos < stop) {
            const char *q =
                memmem(p + (pos - base), maplen - (pos - base), pat, plen);
            if (q == NULL || base + (size_t)(q - p) >= stop)
                break;
            count++;
            pos = base + (size_t)(q - p) + plen;
        }
        if (pos < stop)
            pos = stop;
        if (munmap(p, maplen) == -1)
            wb_die("munmap");
    }
    close(fd);
    printf("%lu\n", count);
    return 0;
}
