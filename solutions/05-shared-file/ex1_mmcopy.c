/*
 * ex1_mmcopy.c: copy a file through two mappings (solution).
 *
 * The destination must be opened O_RDWR, not O_WRONLY: a MAP_SHARED,
 * PROT_WRITE mapping needs a descriptor open for reading and writing. And it
 * must be given its size with ftruncate(2) before the copy, because storing
 * into a mapping never makes a file longer (a page wholly past EOF is
 * SIGBUS). See exercises/05-shared-file/ex1_mmcopy.c for the task.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] SRC DST");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected SRC and DST");
    const char *src = argv[i], *dst = argv[i + 1];

    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer, for ever; on a regular file it changes nothing. */
    int in = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (in == -1)
        wb_die("open '%s'", src);
    struct stat st;
    if (fstat(in, &st) == -1)
        wb_die("fstat '%s'", src);
    if (S_ISDIR(st.st_mode))
        wb_fatal("'%s' is a directory", src);
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", src);

    /* O_TRUNC on the source itself would empty it before we read it. */
    struct stat dt;
    if (stat(dst, &dt) == 0) {
        if (dt.st_dev == st.st_dev && dt.st_ino == st.st_ino)
            wb_fatal("'%s' and '%s' are the same file", src, dst);
    } else if (errno != ENOENT) {
        wb_die("stat '%s'", dst);
    }

    int out = open(dst, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out == -1)
        wb_die("open '%s'", dst);
    size_t size = (size_t)st.st_size;
    if (ftruncate(out, st.st_size) == -1)
        wb_die("ftruncate '%s' to %zu bytes", dst, size);

    if (size > 0) { /* mmap of length 0 is EINVAL */
        void *from = mmap(NULL, size, PROT_READ, MAP_PRIVATE, in, 0);
        if (from == MAP_FAILED)
            wb_die("mmap '%s'", src);
        void *to = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
        if (to == MAP_FAILED)
            wb_die("mmap '%s'", dst);
        memcpy(to, from, size);
        if (munmap(from, size) == -1 || munmap(to, size) == -1)
            wb_die("munmap");
    }
    if (close(in) == -1)
        wb_die("close '%s'", src);
    if (close(out) == -1)
        wb_die("close '%s'", dst);
    return 0;
}
