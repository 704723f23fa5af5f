/*
 * fixed_emulation.c: the layout remap_file_pages(2) makes, built with mmap(MAP_FIXED) over a reservation.
 *
 * Makes a memfd of N pages (page k holds "file page k|"), reserves N pages of
 * address space with an inaccessible anonymous mapping (PROT_NONE), and then
 * lays file page P[i] over region page i with mmap(MAP_SHARED|MAP_FIXED), one
 * page at a time, printing the region's lines of /proc/self/maps after each
 * step. This is what the kernel itself has done for remap_file_pages() since
 * Linux 4.0, and what a program does when the call is missing. A page not
 * placed yet is still the reservation: reading it is SIGSEGV, not stale
 * data. At the end the VMAs are counted: one per run of consecutive file
 * pages in P, because the kernel merges neighbours whose offsets continue.
 *
 * Usage: fixed_emulation [-h] [P0 P1 ... Pn-1]   a permutation of 0..n-1,
 *        n <= 16; default 2 1 0 (TLPI's swap of pages 0 and 2)
 * Tour:
 * Tour: 1 2 3 0
 * Man pages: mmap(2), memfd_create(2), proc(5)
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXPAGES 16
#define SHOW     16

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [P0 P1 ... Pn-1]");
    int i = wb_simple_args(argc, argv);
    size_t perm[MAXPAGES] = {2, 1, 0}, n = 3;
    if (i < argc) {
        n = (size_t)(argc - i);
        if (n > MAXPAGES)
            wb_usage("at most %d pages", MAXPAGES);
        bool seen[MAXPAGES] = {false};
        for (size_t k = 0; k < n; k++) {
            perm[k] =
                (size_t)wb_long_arg(argv[i + (int)k], "page", 0, (long)n - 1);
            if (seen[perm[k]])
                wb_usage("page %zu appears twice: not a permutation", perm[k]);
            seen[perm[k]] = true;
        }
    }
    size_t ps = wb_page_size(), len = n * ps;

    int fd = memfd_create("fixed_emulation", MFD_CLOEXEC);
    if (fd == -1)
        wb_die("memfd_create");
    char *page = malloc(ps);
    if (page == NULL)
        wb_die("malloc");
    for (size_t k = 0; k < n; k++) {
        char label[32];
        int w = snprintf(label, sizeof label, "file page %zu|", k);
        for (size_t b = 0; b < ps; b++)
            page[b] = label[b % (size_t)w];
        if (pwrite(fd, page, ps, (off_t)(k * ps)) != (ssize_t)ps)
            wb_die("write the memfd");
    }
    free(page);
    printf("a memfd of %zu pages; page k holds \"file page k|\" over and "
           "over\n",
           n);
    printf("wanted: region page i shows file page P[i], P =");
    for (size_t k = 0; k < n; k++)
        printf(" %zu", perm[k]);
    printf("\n");

    /* [reserve] */
    char *region =
        mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        wb_die("mmap the reservation");
    /* [reserve] */
    printf("reserve: mmap(NULL, %zu*ps, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, "
           "-1, 0)\n",
           n);
    wb_print_vmas("reserved", region, len);
    char c;
    int sig = wb_try_read(region + (n - 1) * ps, &c);
    printf("  read region page %zu before anything is placed there: "
           "%s%s%s%s\n",
           n - 1, sig ? wb_signame(sig) : "ok", sig ? " (" : "",
           sig ? wb_last_fault_code() : "", sig ? ")" : "");

    for (size_t k = 0; k < n; k++) {
        /* [layer] */
        char *at = mmap(region + k * ps, ps, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_FIXED, fd, (off_t)(perm[k] * ps));
        if (at == MAP_FAILED)
            wb_die("mmap MAP_FIXED at region page %zu", k);
        /* [layer] */
        printf("mmap(addr + %zu*ps, ps, PROT_READ|PROT_WRITE, "
               "MAP_SHARED|MAP_FIXED, fd, %zu*ps): file page %zu -> region "
               "page %zu\n",
               k, perm[k], perm[k], k);
        char tag[16];
        snprintf(tag, sizeof tag, "step %zu  ", k + 1);
        wb_print_vmas(tag, region, len);
    }

    for (size_t k = 0; k < n; k++)
        printf("  region page %zu: \"%.*s\"\n", k, SHOW, region + k * ps);
    size_t runs = 1;
    for (size_t k = 1; k < n; k++)
        if (perm[k] != perm[k - 1] + 1)
            runs++;
    printf("runs of consecutive file pages in P: %zu; VMAs over the region: "
           "%d\n",
           runs, wb_count_vmas(region, len));

    if (munmap(region, len) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
