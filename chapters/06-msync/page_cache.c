/*
 * page_cache.c: a store through a mapping is at once what read(2) returns.
 *
 * The parent maps a one-page file MAP_SHARED and stores a line into it; a
 * child, which opened the same file by name on its own descriptor, read(2)s
 * that line at once. No msync has been called. Then the other direction: the
 * child pwrite(2)s a line through its descriptor and the parent, without
 * mapping anything again, finds it in the mapping. Both sides see the same
 * bytes because on Linux a MAP_SHARED file mapping maps the very page-cache
 * pages that read(2) and write(2) copy from and to.
 *
 * Usage: page_cache [-h]
 * Tour:
 * Man pages: mmap(2), msync(2), read(2), pwrite(2), fork(2), pipe(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char path[PATH_MAX];
static pid_t owner; /* only the parent removes the file */
static void remove_file(void)
{
    if (getpid() == owner)
        unlink(path);
}

static const char via_map[] = "hello from the mapping";
static const char via_fd[] = "hello from pwrite";
enum { MAP_OFF = 100, FD_OFF = 200 };

/* Read exactly n bytes from a pipe (the other side writes them at once). */
static void get(int fd, void *buf, size_t n)
{
    ssize_t r = read(fd, buf, n);
    if (r != (ssize_t)n)
        wb_die("read from pipe (%zd of %zu bytes)", r, n);
}

static void put(int fd, const void *buf, size_t n)
{
    if (write(fd, buf, n) != (ssize_t)n)
        wb_die("write to pipe");
}

/* The child: wait for the word, read(2) the parent's line, pwrite our own. */
static _Noreturn void child(int from_parent, int to_parent)
{
    char cmd, buf[sizeof via_map] = "";
    int fd = open(path, O_RDWR); /* its own open file description */
    if (fd == -1)
        wb_die("child: open '%s'", path);
    get(from_parent, &cmd, 1);
    /* [child] */
    if (pread(fd, buf, sizeof via_map - 1, MAP_OFF) == -1)
        wb_die("child: pread");
    put(to_parent, buf, sizeof buf);
    if (pwrite(fd, via_fd, sizeof via_fd - 1, FD_OFF) == -1)
        wb_die("child: pwrite");
    /* [child] */
    put(to_parent, "w", 1);
    close(fd);
    _exit(0);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i < argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    int fd = wb_temp_file("page_cache", path);
    owner = getpid();
    atexit(remove_file);
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate");
    char *map = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        wb_die("mmap");
    close(fd);

    int down[2], up[2];
    if (pipe(down) == -1 || pipe(up) == -1)
        wb_die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0)
        child(down[0], up[1]);

    memcpy(map + MAP_OFF, via_map, sizeof via_map - 1);
    printf("parent: stored \"%s\" at offset %d through the mapping\n", via_map,
           MAP_OFF);
    printf("parent: no msync; telling the child to read(2) the file\n");
    put(down[1], "r", 1);

    char seen[sizeof via_map], done;
    get(up[0], seen, sizeof seen);
    printf("child:  pread(2) at offset %d returned \"%s\"\n", MAP_OFF, seen);
    printf("        %s\n", strcmp(seen, via_map) == 0
                               ? "the store is in the file already"
                               : "NOT the bytes the parent stored");

    get(up[0], &done, 1);
    printf("child:  pwrite(2) \"%s\" at offset %d\n", via_fd, FD_OFF);
    printf("parent: the mapping at offset %d now holds \"%.*s\"\n", FD_OFF,
           (int)(sizeof via_fd - 1), map + FD_OFF);
    printf("        %s\n", memcmp(map + FD_OFF, via_fd, sizeof via_fd - 1) == 0
                               ? "the write is in the mapping already"
                               : "NOT the bytes the child wrote");

    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed");
    if (munmap(map, ps) == -1)
        wb_die("munmap");
    return 0;
}
