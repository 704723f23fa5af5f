/*
 * ex1_flush_range.c: msync an arbitrary byte range, rounded out to pages
 * (solution).
 *
 * msync(2) wants a page-aligned address but takes any length, so the range
 * [START, START+LEN) becomes the pages from START's page to the page holding
 * its last byte. See exercises/06-msync/ex1_flush_range.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Write back the pages of the mapping at base that hold bytes
 * [start, start+len). Returns how many pages were flushed (0 for len 0) and
 * the first and last page in *first, *last.
 */
static size_t flush_range(char *base, size_t start, size_t len, size_t *first,
                          size_t *last)
{
    if (len == 0)
        return 0;
    size_t ps = wb_page_size();
    *first = start / ps;            /* round the start down */
    *last = (start + len - 1) / ps; /* the page of the last byte */
    size_t bytes = (*last - *first + 1) * ps;
    if (msync(base + *first * ps, bytes, MS_SYNC) == -1)
        wb_die("msync pages %zu..%zu", *first, *last);
    return *last - *first + 1;
}

/* Shared_Dirty + Private_Dirty of the VMA starting at base, in pages. */
static long dirty_pages(const void *base)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (f == NULL)
        wb_die("open /proc/self/smaps");
    char line[512];
    long kb = -1, v;
    unsigned long start, end;
    char c;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%lx-%lx %c", &start, &end, &c) == 3) {
            if (kb >= 0)
                break;
            if (start == (unsigned long)base)
                kb = 0;
        } else if (kb >= 0) {
            if (sscanf(line, "Shared_Dirty: %ld kB", &v) == 1 ||
                sscanf(line, "Private_Dirty: %ld kB", &v) == 1)
                kb += v;
        }
    }
    fclose(f);
    if (kb < 0)
        wb_fatal("no VMA starts at the mapping in /proc/self/smaps");
    return kb * 1024 / (long)wb_page_size();
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE NPAGES START LEN");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 4)
        wb_usage("expected FILE NPAGES START LEN");
    const char *path = argv[i];
    size_t npages = (size_t)wb_long_arg(argv[i + 1], "NPAGES", 1, 65536);
    size_t start = wb_size_arg(argv[i + 2], "START");
    size_t len = wb_size_arg(argv[i + 3], "LEN");
    size_t ps = wb_page_size(), size = npages * ps;
    if (start > size || len > size - start)
        wb_fatal("range %zu+%zu runs past the mapping (%zu bytes)", start, len,
                 size);

    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if ((size_t)st.st_size < size && ftruncate(fd, (off_t)size) == -1)
        wb_die("ftruncate '%s' to %zu bytes", path, size);
    char *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        wb_die("mmap '%s'", path);
    close(fd);

    for (size_t p = 0; p < npages; p++)
        snprintf(base + p * ps, ps, "page %zu\n", p);

    size_t first = 0, last = 0;
    if (flush_range(base, start, len, &first, &last) == 0)
        printf("flushed no pages\n");
    else
        printf("flushed pages %zu..%zu\n", first, last);
    printf("dirty pages after msync: %ld\n", dirty_pages(base));

    if (munmap(base, size) == -1)
        wb_die("munmap");
    return 0;
}
