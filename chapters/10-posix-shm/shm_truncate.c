/*
 * shm_truncate.c: shrinking a shm object under a live mapping, and growing
 * it back.
 *
 * Makes a 3-page object /shm_truncate.PID (and removes the name at once: the
 * descriptor and the mapping are all it needs), fills page k with the letter
 * 'A'+k through a 3-page MAP_SHARED mapping, then ftruncate(2)s it to SIZE
 * bytes (default: 1 page + 100) while the mapping stays. Bytes below SIZE
 * keep their letters; the rest of SIZE's last page reads as zeros (the
 * kernel zeroed it, it did not just hide it); whole pages past SIZE raise
 * SIGBUS; and the object's memory shrinks (fstat's st_blocks). Then it grows
 * the object back to 3 pages: everything past SIZE now reads as zeros, not
 * as the old letters: truncation must destroy the data, so that growing
 * cannot bring stale bytes back.
 *
 * Usage: shm_truncate [-h] [SIZE]     SIZE below 3 pages, K/M suffixes allowed
 * Tour:
 * Tour: 8192
 * Man pages: ftruncate(2), shm_open(3), mmap(2), fstat(2), signal(7)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPAGES 3

static char name[256];

static void remove_name(void)
{
    if (name[0] != '\0')
        shm_unlink(name);
}

static void show_size(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    printf("  fstat: %lld bytes, %lld page(s) of memory (st_blocks %lld)\n",
           (long long)st.st_size,
           (long long)st.st_blocks * 512 / (long long)wb_page_size(),
           (long long)st.st_blocks);
}

/* Describe bytes [from, to) of the mapping: letters, zeros, or SIGBUS. */
static void probe(const char *p, size_t from, size_t to)
{
    size_t ps = wb_page_size();
    while (from < to) {
        size_t end = (from / ps + 1) * ps; /* one page at a time */
        if (end > to)
            end = to;
        char c;
        int sig = wb_try_read(p + from, &c);
        if (sig != 0) {
            printf("  %5zu..%-5zu page %zu: %s (%s)\n", from, end - 1,
                   from / ps, wb_signame(sig), wb_last_fault_code());
        } else {
            size_t zeros = 0, same = 0;
            for (size_t k = from; k < end; k++) {
                zeros += p[k] == 0;
                same += p[k] == p[from];
            }
            if (zeros == end - from)
                printf("  %5zu..%-5zu page %zu: all zero\n", from, end - 1,
                       from / ps);
            else
                printf("  %5zu..%-5zu page %zu: '%c' x %zu, %zu zero\n", from,
                       end - 1, from / ps, p[from], same, zeros);
        }
        from = end;
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [SIZE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t ps = wb_page_size(), total = NPAGES * ps;
    size_t size = i < argc ? wb_size_arg(argv[i], "size") : ps + 100;
    if (size >= total)
        wb_usage("size %zu must be below %d pages (%zu bytes)", size, NPAGES,
                 total);

    snprintf(name, sizeof name, "/shm_truncate.%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd == -1)
        wb_die("shm_open '%s'", name);
    atexit(remove_name);
    if (shm_unlink(name) == -1) /* the descriptor is all this demo needs */
        wb_die("shm_unlink '%s'", name);
    name[0] = '\0';
    if (ftruncate(fd, (off_t)total) == -1)
        wb_die("ftruncate");
    char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    for (size_t k = 0; k < total; k++)
        p[k] = (char)('A' + k / ps);
    printf("a %d-page shm object, page k filled with 'A'+k, mapped shared\n",
           NPAGES);
    show_size(fd);

    /* [shrink] */
    if (ftruncate(fd, (off_t)size) == -1) /* the mapping stays as it was */
        wb_die("ftruncate to %zu", size);
    printf("ftruncate to %zu bytes under the live mapping\n", size);
    show_size(fd);
    probe(p, 0, size);               /* what is left of the object */
    probe(p, size, total);           /* what was cut off */
    size_t past = wb_round_up(size); /* first page wholly past the end */
    if (past < total) {
        int sig = wb_try_write(p + past, 'x');
        if (sig != 0)
            printf("  write at %zu (page %zu): %s (%s)\n", past, past / ps,
                   wb_signame(sig), wb_last_fault_code());
        else
            printf("  write at %zu (page %zu): ok?\n", past, past / ps);
    }
    /* [shrink] */

    if (ftruncate(fd, (off_t)total) == -1)
        wb_die("ftruncate to %zu", total);
    printf("ftruncate back to %zu bytes\n", total);
    show_size(fd);
    probe(p, 0, total);
    printf("after reading every page through the mapping:\n");
    show_size(fd);
    if (munmap(p, total) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
