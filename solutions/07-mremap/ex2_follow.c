/*
 * ex2_follow.c: follow a growing file through a growing mapping, like tail -f (solution).
 *
 * One loop: look at the file's size; if it grew, make sure the mapping covers
 * it (mmap the first time, mremap after that) and write the bytes between
 * what was written and the new end. The position is an offset, so a mapping
 * that moves when it grows does not matter. See
 * exercises/07-mremap/ex2_follow.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
        wb_die("clock_gettime");
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n == -1)
            wb_die("write");
        p += n;
        len -= (size_t)n;
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE MAXBYTES [IDLE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2 && argc - i != 3)
        wb_usage("expected FILE MAXBYTES [IDLE]");
    const char *path = argv[i];
    size_t max = wb_size_arg(argv[i + 1], "maxbytes");
    long idle = argc - i == 3 ? wb_long_arg(argv[i + 2], "idle", 1, 3600) : 5;

    struct stat st0;
    int fd = wb_open_file(path, O_RDONLY | O_CLOEXEC, &st0);

    char *map = NULL;  /* the mapping; it may move when it grows */
    size_t mapped = 0; /* its length in bytes, a whole number of pages */
    size_t done = 0;   /* bytes written so far: an offset into the file */
    double last_growth = now_s();
    const struct timespec tick = {0, 10 * 1000 * 1000};

    while (done < max) {
        struct stat st;
        if (fstat(fd, &st) == -1)
            wb_die("fstat '%s'", path);
        size_t size = (size_t)st.st_size;
        if (size < done)
            wb_fatal("'%s' shrank to %zu bytes after %zu were printed", path,
                     size, done);
        if (size == done) {
            if (now_s() - last_growth >= (double)idle)
                wb_fatal("no growth for %ld s (printed %zu of %zu bytes)", idle,
                         done, max);
            nanosleep(&tick, NULL);
            continue;
        }
        size_t end = size < max ? size : max;
        size_t need = wb_round_up(end);
        if (need > mapped) {
            void *p = (mapped == 0)
                          ? mmap(NULL, need, PROT_READ, MAP_SHARED, fd, 0)
                          : mremap(map, mapped, need, MREMAP_MAYMOVE);
            if (p == MAP_FAILED)
                wb_die("map %zu bytes of '%s'", need, path);
            map = p;
            mapped = need;
        }
        write_all(map + done, end - done);
        done = end;
        last_growth = now_s();
    }
    if (mapped > 0 && munmap(map, mapped) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
