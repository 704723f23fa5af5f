/*
 * ex1_sedit.c: edit a file's bytes in a private mapping, print the result (solution).
 *
 * The mapping is MAP_PRIVATE, so the replacements land in private copies of
 * the pages they touch and never in the file; that is also why a read-only
 * descriptor is enough. See exercises/04-private-file/ex1_sedit.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE FROM TO");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 3)
        wb_usage("expected FILE FROM TO");
    const char *path = argv[i], *from = argv[i + 1], *to = argv[i + 2];
    size_t n = strlen(from);
    if (n == 0)
        wb_usage("FROM must not be empty");
    if (strlen(to) != n)
        wb_usage("FROM and TO must have the same length (%zu and %zu)", n,
                 strlen(to));

    struct stat st;
    int fd = wb_open_file(path, O_RDONLY, &st);
    size_t size = (size_t)st.st_size;
    if (size == 0) /* nothing to map: mmap(0 bytes) is EINVAL */
        return 0;

    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap '%s'", path);
    close(fd);

    char *at = p, *end = p + size;
    while ((at = memmem(at, (size_t)(end - at), from, n)) != NULL) {
        memcpy(at, to, n); /* first write to a page copies it */
        at += n;
    }

    for (size_t done = 0; done < size;) {
        ssize_t w = write(STDOUT_FILENO, p + done, size - done);
        if (w == -1)
            wb_die("write");
        done += (size_t)w;
    }
    if (munmap(p, size) == -1)
        wb_die("munmap");
    return 0;
}
