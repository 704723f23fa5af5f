/*
 * ex2_snapshot.c: a consistent snapshot for free, by fork (solution).
 *
 * After fork() the child's view of the private mapping is frozen at the
 * moment of the fork: every page the parent writes afterwards is copied
 * first, and the child keeps the old copy. So the child can take its time
 * writing the array out while the parent changes it freely. See
 * exercises/02-private-anonymous/ex2_snapshot.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Write all LEN bytes of BUF to FD. Returns 0, or -1 with errno set. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n == -1)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The child: wait for the parent's go (EOF on the pipe), then save. */
static _Noreturn void save(int go, int fd, const uint32_t *arr, size_t bytes,
                           const char *path)
{
    char c;
    if (read(go, &c, 1) == -1)
        wb_die("child: read pipe");
    if (write_all(fd, arr, bytes) == -1)
        wb_die("child: write '%s'", path);
    if (close(fd) == -1)
        wb_die("child: close '%s'", path);
    _exit(0);
}

/* How many entries of the file at PATH hold VALUE; -1 if its size is wrong. */
static long count_in_file(const char *path, size_t count, uint32_t value)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open '%s' to check it", path);
    uint32_t buf[1024];
    size_t seen = 0, match = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (n % sizeof buf[0] != 0)
            wb_fatal("'%s': a partial entry", path);
        for (size_t k = 0; k < (size_t)n / sizeof buf[0]; k++)
            match += buf[k] == value;
        seen += (size_t)n / sizeof buf[0];
    }
    if (n == -1)
        wb_die("read '%s'", path);
    close(fd);
    return seen == count ? (long)match : -1;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] OUTFILE COUNT");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected OUTFILE COUNT");
    const char *path = argv[i];
    size_t count = (size_t)wb_long_arg(argv[i + 1], "count", 1, 16777216);
    size_t bytes = count * sizeof(uint32_t);

    /* Open before forking: an error is reported once, by the parent. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);

    uint32_t *arr = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arr == MAP_FAILED)
        wb_die("mmap %zu bytes", bytes);
    for (size_t k = 0; k < count; k++)
        arr[k] = 1;

    int go[2];
    if (pipe(go) == -1)
        wb_die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        close(go[1]);
        save(go[0], fd, arr, bytes, path);
    }
    close(go[0]);
    close(fd);

    for (size_t k = 0; k < count; k++) /* the parent goes on working */
        arr[k] = 2;
    close(go[1]); /* the child may save now */

    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed (%s %d)",
                 WIFEXITED(status) ? "exit status" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));

    size_t twos = 0;
    for (size_t k = 0; k < count; k++)
        twos += arr[k] == 2;
    if (twos != count)
        wb_fatal("parent sees 2 in only %zu of %zu entries", twos, count);
    printf("parent sees 2 in all %zu entries\n", count);

    long ones = count_in_file(path, count, 1);
    if (ones != (long)count)
        wb_fatal("'%s' is not a snapshot of %zu entries of 1", path, count);
    printf("snapshot: %zu entries of 1\n", count);

    if (munmap(arr, bytes) == -1)
        wb_die("munmap");
    return 0;
}
