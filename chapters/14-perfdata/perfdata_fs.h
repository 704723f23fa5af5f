/*
 * perfdata_fs.h: where PerfData files live, and how to open them safely.
 *
 * Shared by the producer (perfdata_producer.h, perfvm.c) and the monitor
 * (perfstat.c): the base directory, the per-user directory hsperfdata_USER
 * and its checks, the checks on a file in it, pid-named files, and the
 * cleanup of stale files. Every check works on a descriptor, never on a
 * path that could be swapped between the check and the use.
 *
 * Functions that can fail return -1 and write the reason, without the path,
 * into WHY (e.g. "is a symbolic link"); the caller prints "prog: PATH: WHY".
 */
#ifndef PERFDATA_FS_H
#define PERFDATA_FS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PD_DIR_PREFIX "hsperfdata_"
#define PD_WHY        256 /* room for a reason */

/* The base directory: -d DIR if given, else $PERFDATA_TMPDIR, else /tmp.
 * (HotSpot always uses /tmp; the variable lets tests use their own.) */
static inline const char *pd_base_dir(const char *option)
{
    if (option != NULL)
        return option;
    const char *env = getenv("PERFDATA_TMPDIR");
    return env != NULL && env[0] != '\0' ? env : "/tmp";
}

/* The name of user UID, for the directory name hsperfdata_NAME; the uid in
 * decimal when it has no name (a container's or a sandbox's uid with no
 * passwd entry: HotSpot gives up on the shared file then). */
static inline int pd_user_name(uid_t uid, char *out, size_t len)
{
    char buf[4096];
    struct passwd pw, *p = NULL;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) == 0 && p != NULL &&
        p->pw_name[0] != '\0' && strlen(p->pw_name) < len) {
        strcpy(out, p->pw_name);
        return 0;
    }
    return snprintf(out, len, "%u", (unsigned)uid) < (int)len ? 0 : -1;
}

/* A file name that is a process id: digits only, no leading zero, 1..INT_MAX.
 * Returns 0 for anything else. Never pass 0 or a negative number to kill():
 * kill(0, sig) is the caller's whole process group, kill(-1, sig) every
 * process it may signal. */
static inline pid_t pd_name_to_pid(const char *name)
{
    if (name[0] < '1' || name[0] > '9')
        return 0;
    long v = 0;
    for (const char *p = name; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
        if (v > INT_MAX)
            return 0;
    }
    return (pid_t)v;
}

/*
 * The checks on a per-user directory, made on what the descriptor DFD
 * refers to: a directory, not writable by group or others, owned by OWNER.
 * Then the same object must still be at PATH (lstat, compare device and
 * inode), so that nothing was swapped in between.
 */
/* [dircheck] */
static inline int pd_check_dir_fd(int dfd, const char *path, uid_t owner,
                                  char *why)
{
    struct stat st, lst;
    if (fstat(dfd, &st) == -1) {
        snprintf(why, PD_WHY, "fstat: %s", strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, PD_WHY, "is not a directory");
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(why, PD_WHY,
                 "is %s-writable (mode %04o): another user could "
                 "plant files in it",
                 (st.st_mode & S_IWOTH) ? "world" : "group",
                 (unsigned)(st.st_mode & 07777));
        return -1;
    }
    if (st.st_uid != owner) {
        snprintf(why, PD_WHY, "is owned by uid %u, not by uid %u",
                 (unsigned)st.st_uid, (unsigned)owner);
        return -1;
    }
    if (lstat(path, &lst) == -1) {
        snprintf(why, PD_WHY, "lstat: %s", strerror(errno));
        return -1;
    }
    if (lst.st_dev != st.st_dev || lst.st_ino != st.st_ino) {
        snprintf(why, PD_WHY, "was replaced while it was being checked");
        return -1;
    }
    return 0;
}
/* [dircheck] */

/*
 * Open the directory PATH without following a symbolic link in its last
 * component, then check it with pd_check_dir_fd(). AT is the directory PATH
 * is relative to (AT_FDCWD for an ordinary path). Returns the descriptor.
 */
static inline int pd_open_dir(int at, const char *name, const char *path,
                              uid_t owner, char *why)
{
    int dfd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd == -1) {
        int err = errno;
        struct stat lst;
        /* O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR (ELOOP
         * without O_DIRECTORY): lstat tells the two cases apart. */
        if ((err == ENOTDIR || err == ELOOP) &&
            fstatat(at, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(lst.st_mode))
            snprintf(why, PD_WHY, "is a symbolic link (not followed)");
        else if (err == ENOTDIR)
            snprintf(why, PD_WHY, "is not a directory");
        else
            snprintf(why, PD_WHY, "%s", strerror(err));
        errno = err;
        return -1;
    }
    if (pd_check_dir_fd(dfd, path, owner, why) == -1) {
        close(dfd);
        errno = EACCES;
        return -1;
    }
    return dfd;
}

/*
 * Open the file NAME in the checked directory DFD with FLAGS (plus
 * O_NOFOLLOW; MODE is used with O_CREAT), and check what was opened: a
 * regular file with exactly one link. A hard link is refused because it
 * could make this name another file, anywhere on the filesystem.
 */
/* [filecheck] */
static inline int pd_open_file(int dfd, const char *name, int flags,
                               mode_t mode, char *why)
{
    int fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd == -1) {
        snprintf(why, PD_WHY, "%s",
                 errno == ELOOP ? "is a symbolic link (not followed)"
                                : strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == -1) {
        snprintf(why, PD_WHY, "fstat: %s", strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        snprintf(why, PD_WHY, "is not a regular file");
    } else if (st.st_nlink != 1) {
        snprintf(why, PD_WHY,
                 "has %lu links: a hard link could make it any "
                 "file on the filesystem",
                 (unsigned long)st.st_nlink);
    } else {
        return fd;
    }
    close(fd);
    return -1;
}
/* [filecheck] */

/*
 * The cleanup a producer runs before creating its own file: in the checked
 * directory DFD, remove every regular file whose name is not a process id,
 * and every pid file whose process is gone (kill(pid, 0) fails with ESRCH)
 * or whose pid is SELF (a leftover of an earlier process with our pid);
 * keep files that another process holds an flock on (a live producer, maybe
 * in another pid namespace where its pid means nothing here) and files of
 * live processes. SAY is called for each file with what was done.
 * Returns the number of files SAY was called for (removed or kept).
 */
/* [cleanup] */
static inline int pd_cleanup(int dfd, pid_t self,
                             void (*say)(const char *name, bool removed,
                                         const char *why))
{
    int dup_fd = dup(dfd);
    DIR *d = dup_fd == -1 ? NULL : fdopendir(dup_fd);
    if (d == NULL) {
        if (dup_fd != -1)
            close(dup_fd);
        return 0;
    }
    rewinddir(d);
    int judged = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name, *why;
        struct stat st;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
            !S_ISREG(st.st_mode))
            continue; /* not ours to judge: leave it */
        pid_t pid = pd_name_to_pid(name);
        int lockfd = -1;
        if (pid == 0) {
            why = "not a process id";
        } else {
            lockfd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (lockfd == -1)
                continue;
            if (flock(lockfd, LOCK_EX | LOCK_NB) == -1) {
                say(name, false, "locked by a live producer");
                close(lockfd);
                judged++;
                continue;
            }
            if (pid == self)
                why = "a leftover with our own pid";
            else if (kill(pid, 0) == -1 && errno == ESRCH)
                why = "no such process";
            else
                why = NULL;
        }
        if (why != NULL && unlinkat(dfd, name, 0) == 0) {
            say(name, true, why);
            judged++;
        } else if (why == NULL) {
            say(name, false, "the process is alive");
            judged++;
        }
        if (lockfd != -1)
            close(lockfd); /* held until after the unlink */
    }
    closedir(d);
    return judged;
}
/* [cleanup] */

#endif
