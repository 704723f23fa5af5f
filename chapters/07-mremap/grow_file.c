/*
 * grow_file.c: growing a file mapping past EOF gives SIGBUS pages until the file itself grows.
 *
 * Makes a 1-page file of 'a', maps it shared, and grows the mapping to 3
 * pages with mremap. mremap only changes the mapping; the file is still one
 * page long, so touching page 1 or 2 of the mapping raises SIGBUS (caught and
 * reported). Then it grows the file with ftruncate(2) in two steps:
 *   - to 1 page + 100 bytes: page 1 now works (its bytes past EOF read as
 *     zero), page 2 is still past the page that holds EOF: SIGBUS;
 *   - to 3 pages: every page works.
 * Last, a byte written through the mapping in page 2 is read back from the
 * file with pread(2): the grown mapping and the grown file are the same bytes.
 *
 * Usage: grow_file [-h]
 * Tour:
 * Man pages: mremap(2), mmap(2) (SIGBUS), ftruncate(2), pread(2)
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Read one byte at page PG of the mapping and say what happened. */
static void probe(const char *p, size_t pg)
{
    char c;
    int sig = wb_try_read(p + pg * wb_page_size(), &c);
    if (sig == 0)
        printf("  read page %zu: ok, byte 0x%02x\n", pg, (unsigned char)c);
    else
        printf("  read page %zu: %s (%s)\n", pg, wb_signame(sig),
               wb_last_fault_code());
}

static void grow_file(int fd, size_t size, const char *what)
{
    if (ftruncate(fd, (off_t)size) == -1)
        wb_die("ftruncate to %zu", size);
    printf("ftruncate the file to %zu bytes (%s)\n", size, what);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i != argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    int fd = wb_temp_file("grow_file", NULL);
    char *page = malloc(ps);
    if (page == NULL)
        wb_die("malloc");
    memset(page, 'a', ps);
    if (pwrite(fd, page, ps, 0) != (ssize_t)ps)
        wb_die("pwrite");
    free(page);
    printf("file: %zu bytes of 'a'; mapped shared, 1 page\n", ps);

    char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    printf(
        "mremap 1 -> 3 pages, MREMAP_MAYMOVE (the file stays 1 page long)\n");
    char *q = mremap(p, ps, 3 * ps, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        wb_die("mremap");
    probe(q, 0);
    probe(q, 1);
    probe(q, 2);

    grow_file(fd, ps + 100, "EOF is now inside page 1");
    probe(q, 1);
    probe(q, 2);

    grow_file(fd, 3 * ps, "3 whole pages");
    probe(q, 1);
    probe(q, 2);

    if (wb_try_write(q + 2 * ps + 7, 'Z') != 0)
        wb_fatal("write to page 2 failed after ftruncate");
    char back;
    if (pread(fd, &back, 1, (off_t)(2 * ps + 7)) != 1)
        wb_die("pread");
    printf("wrote 'Z' at offset %zu through the mapping; pread of the file "
           "there: '%c'\n",
           2 * ps + 7, back);
    size_t as = 0;
    for (size_t k = 0; k < ps; k++)
        as += q[k] == 'a';
    printf("page 0: %zu of %zu bytes still 'a'\n", as, ps);

    if (munmap(q, 3 * ps) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
