/*
 * ex2_securedir.c: decide whether a directory is safe for PerfData files (solution).
 *
 * See exercises/14-perfdata/ex2_securedir.c for the task.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-o UID] DIR");
    uid_t owner = geteuid();
    int opt;
    while ((opt = getopt(argc, argv, ":ho:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'o': owner = (uid_t)wb_long_arg(optarg, "UID", 0, INT_MAX); break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind != 1)
        wb_usage("expected DIR");
    const char *dir = argv[optind];

    /* 1. Open without following a link in the last component. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd == -1) {
        int err = errno;
        struct stat lst;
        if ((err == ENOTDIR || err == ELOOP) && lstat(dir, &lst) == 0 &&
            S_ISLNK(lst.st_mode))
            wb_fatal("%s: is a symbolic link", dir);
        if (err == ENOTDIR)
            wb_fatal("%s: is not a directory", dir);
        errno = err;
        wb_die("%s", dir);
    }
    /* 2. Check what was opened, through the descriptor. */
    struct stat st, lst;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", dir);
    if (st.st_mode & S_IWOTH)
        wb_fatal("%s: is world-writable (mode %04o)", dir,
                 (unsigned)(st.st_mode & 07777));
    if (st.st_mode & S_IWGRP)
        wb_fatal("%s: is group-writable (mode %04o)", dir,
                 (unsigned)(st.st_mode & 07777));
    if (st.st_uid != owner)
        wb_fatal("%s: is owned by uid %u, not %u", dir, (unsigned)st.st_uid,
                 (unsigned)owner);
    /* 3. The path must still name the object the descriptor holds. */
    if (lstat(dir, &lst) == -1)
        wb_die("lstat '%s'", dir);
    if (lst.st_dev != st.st_dev || lst.st_ino != st.st_ino)
        wb_fatal("%s: was replaced while it was being checked", dir);
    close(fd);
    printf("ok\n");
    return 0;
}
