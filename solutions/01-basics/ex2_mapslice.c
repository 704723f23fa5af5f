/*
 * ex2_mapslice.c: print any byte range of a file through mmap (solution).
 *
 * mmap's offset must be a multiple of the page size, so the mapping starts at
 * the page holding OFFSET and the output starts OFFSET % pagesize bytes into
 * it. See exercises/01-basics/ex2_mapslice.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE OFFSET LENGTH");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 3)
        wb_usage("expected FILE OFFSET LENGTH");
    const char *path = argv[i];
    size_t off = wb_size_arg(argv[i + 1], "offset");
    size_t len = wb_size_arg(argv[i + 2], "length");

    struct stat st;
    int fd = wb_open_file(path, O_RDONLY, &st);
    size_t size = (size_t)st.st_size;
    if (off > size || (off == size && len > 0))
        wb_fatal("offset %zu is past the end of '%s' (%zu bytes)", off, path,
                 size);
    if (len > size - off)
        len = size - off;
    if (len == 0)
        return 0;

    size_t ps = wb_page_size();
    size_t start = off / ps * ps; /* page-aligned file offset to map */
    size_t skip = off - start;    /* where the range starts inside it */
    char *p = mmap(NULL, skip + len, PROT_READ, MAP_PRIVATE, fd, (off_t)start);
    if (p == MAP_FAILED)
        wb_die("mmap '%s' at offset %zu", path, start);
    close(fd);

    for (size_t done = 0; done < len;) {
        ssize_t n = write(STDOUT_FILENO, p + skip + done, len - done);
        if (n == -1)
            wb_die("write");
        done += (size_t)n;
    }
    if (munmap(p, skip + len) == -1)
        wb_die("munmap");
    return 0;
}
