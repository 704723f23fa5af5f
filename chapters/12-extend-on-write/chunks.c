/*
 * chunks.c: grow the file a chunk at a time: fewer faults, then trim on close.
 *
 * Writes BYTES bytes (default 100000), 100 at a time, at increasing offsets
 * through an extend-on-write mapping (eow.h), once for each chunk size: 1,
 * 4, 16 and 64 pages. The handler opens a whole chunk per fault, so the
 * number of faults falls as the chunk grows, but the file is left a whole
 * number of chunks long, up to a chunk less one byte of zeros past the data.
 * Closing trims it back to BYTES, the high-water mark the program knows,
 * and a pread() check confirms the file holds exactly the bytes written.
 *
 * Usage: chunks [-h] [BYTES]   K/M suffixes allowed, at most 64M
 * Tour:
 * Tour: 1M
 * Man pages: ftruncate(2), mprotect(2), sigaction(2)
 */
#include "eow.h"

#include <stdio.h>
#include <stdlib.h>

#define RECORD 100

/* Byte K of the stream: a pattern no run of zeros can imitate. */
static char pattern(size_t k)
{
    return (char)('a' + k % 23);
}

/* Write BYTES through the mapping with CHUNK-page growth; print one line. */
static void run(size_t bytes, size_t chunk_pages)
{
    size_t ps = wb_page_size();
    size_t chunk = chunk_pages * ps;
    /* room for BYTES rounded up to a whole chunk */
    size_t limit = (bytes + chunk - 1) / chunk * chunk;
    int fd = wb_temp_file("chunks", NULL);
    char *base = eow_open(fd, limit == 0 ? chunk : limit, chunk);

    /* [records] */
    char record[RECORD];
    for (size_t off = 0; off < bytes; off += RECORD) {
        size_t n = bytes - off < RECORD ? bytes - off : RECORD;
        for (size_t k = 0; k < n; k++)
            record[k] = pattern(off + k);
        memcpy(base + off, record, n); /* may fault: the handler grows */
    }
    long long before = eow_file_size();
    eow_close(bytes); /* trim to the high-water mark */
    /* [records] */

    long faults = atomic_load(&eow.grown);
    printf("  chunk of %zu page%s: %ld fault%s; the file was %lld bytes "
           "before close, %lld after\n",
           chunk_pages, chunk_pages == 1 ? "" : "s", faults,
           faults == 1 ? "" : "s", before, eow_file_size());

    char *check = malloc(bytes ? bytes : 1);
    if (check == NULL)
        wb_die("malloc");
    if (pread(fd, check, bytes, 0) != (ssize_t)bytes)
        wb_die("pread the file back");
    for (size_t k = 0; k < bytes; k++)
        if (check[k] != pattern(k))
            wb_fatal("byte %zu of the file is wrong", k);
    free(check);
    close(fd);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [BYTES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t bytes = i < argc ? wb_size_arg(argv[i], "bytes") : 100000;
    if (bytes > (64u << 20))
        wb_usage("bytes '%s': too large (at most 64M)", argv[i]);
    size_t ps = wb_page_size();

    printf("write %zu bytes (%zu pages), %d at a time, through an "
           "extend-on-write file\n",
           bytes, (bytes + ps - 1) / ps, RECORD);
    static const size_t chunk_pages[] = {1, 4, 16, 64};
    for (size_t k = 0; k < sizeof chunk_pages / sizeof chunk_pages[0]; k++)
        run(bytes, chunk_pages[k]);
    printf("every run: the file holds exactly the %zu bytes written\n", bytes);
    return 0;
}
