/*
 * pages.c: the page size, and files to map (wb.h, "Pages and files").
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

size_t wb_page_size(void)
{
    static size_t ps;
    if (ps == 0) {
        long v = sysconf(_SC_PAGESIZE);
        if (v <= 0)
            wb_die("sysconf(_SC_PAGESIZE)");
        ps = (size_t)v;
    }
    return ps;
}

size_t wb_round_up(size_t n)
{
    size_t ps = wb_page_size();
    return (n + ps - 1) / ps * ps;
}

int wb_open_file(const char *path, int flags, struct stat *st)
{
    int fd = open(path, flags);
    if (fd == -1)
        wb_die("open '%s'", path);
    if (fstat(fd, st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st->st_mode))
        wb_fatal("'%s' is not a regular file", path);
    return fd;
}

int wb_temp_file(const char *stem, char *keep_path)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    snprintf(path, sizeof path, "%s/%s.XXXXXX", dir, stem);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd == -1)
        wb_die("mkstemp '%s'", path);
    if (keep_path != NULL)
        strcpy(keep_path, path);
    else if (unlink(path) == -1)
        wb_die("unlink '%s'", path);
    return fd;
}
