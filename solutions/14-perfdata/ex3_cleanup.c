/*
 * ex3_cleanup.c: remove the stale files of a PerfData directory, keep the live ones (solution).
 *
 * See exercises/14-perfdata/ex3_cleanup.c for the task.
 */
#include "wb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A pid: digits only, no leading zero, at most INT_MAX; else 0. */
static pid_t name_to_pid(const char *s)
{
    if (*s < '1' || *s > '9')
        return 0;
    long v = 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return 0;
    }
    return (pid_t)v;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] DIR");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected DIR");
    const char *dir = argv[i];

    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (dfd == -1) {
        struct stat lst;
        if ((errno == ENOTDIR || errno == ELOOP) && lstat(dir, &lst) == 0 &&
            S_ISLNK(lst.st_mode))
            wb_fatal("%s: is a symbolic link", dir);
        wb_die("%s", dir);
    }

    /* Read every name first, then sort them: readdir's order is arbitrary. */
    DIR *d = fdopendir(dup(dfd));
    if (d == NULL)
        wb_die("fdopendir '%s'", dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            names = realloc(names, cap * sizeof *names);
            if (names == NULL)
                wb_die("realloc");
        }
        if ((names[n++] = strdup(de->d_name)) == NULL)
            wb_die("strdup");
    }
    closedir(d);
    if (n > 0) /* qsort wants a real array, even for 0 */
        qsort(names, n, sizeof *names, by_name);

    int removed = 0, kept = 0;
    for (size_t k = 0; k < n; k++) {
        const char *name = names[k], *why = NULL;
        struct stat st;
        int fd = -1;
        pid_t pid = name_to_pid(name);
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
            !S_ISREG(st.st_mode)) {
            printf("kept %s: not a regular file\n", name);
        } else if (pid == 0) {
            why = "not a process id";
        } else if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW)) == -1) {
            printf("kept %s: open: %s\n", name, strerror(errno));
        } else if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
            printf("kept %s: locked by a live producer\n", name);
        } else if (kill(pid, 0) == -1 && errno == ESRCH) {
            why = "no such process";
        } else {
            printf("kept %s: the process is alive\n", name);
        }
        if (why != NULL) {
            if (unlinkat(dfd, name, 0) == -1)
                wb_die("unlink '%s/%s'", dir, name);
            printf("removed %s: %s\n", name, why);
            removed++;
        } else {
            kept++;
        }
        if (fd != -1)
            close(fd); /* the lock is held until after the unlink */
        free(names[k]);
    }
    free(names);
    close(dfd);
    printf("%d removed, %d kept\n", removed, kept);
    return 0;
}
