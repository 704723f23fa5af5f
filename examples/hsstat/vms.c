/*
 * vms.c: find a process's hsperfdata file, in its own /tmp and under the pid
 * it has in its own pid namespace. See vms.h.
 */
#include "vms.h"
#include "../../chapters/14-perfdata/perfdata_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* What /proc/PID/status says: the innermost pid, and the effective uid. */
struct proc_ids {
    pid_t nspid;
    uid_t euid;
};

/* [nspid] */
static int read_status(pid_t pid, struct proc_ids *ids)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    ids->nspid = pid; /* a kernel before 4.1 has no NSpid line */
    bool have_uid = false;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long real, eff;
        if (sscanf(line, "Uid: %lu %lu", &real, &eff) == 2) {
            ids->euid = (uid_t)eff;
            have_uid = true;
        } else if (strncmp(line, "NSpid:", 6) == 0) {
            /* one number per pid namespace, outermost first: the JVM
             * named its file after the last, its own view of its pid */
            char *save = NULL;
            for (char *t = strtok_r(line + 6, " \t\n", &save); t != NULL;
                 t = strtok_r(NULL, " \t\n", &save))
                ids->nspid = pd_name_to_pid(t);
        }
    }
    fclose(f);
    return have_uid && ids->nspid > 0 ? 0 : -1;
}
/* [nspid] */

/*
 * In the temporary directory TMPFD, the directory hsperfdata_* holding a
 * regular file called NAME; the newest by the file's ctime when several do
 * (HotSpot's rule). Its name goes in DIR (NAME_MAX + 1 bytes).
 */
static bool find_in_tmp(int tmpfd, const char *name, char *dir)
{
    int dupfd = dup(tmpfd);
    DIR *d = dupfd == -1 ? NULL : fdopendir(dupfd);
    if (d == NULL) {
        if (dupfd != -1)
            close(dupfd);
        return false;
    }
    struct timespec newest = {0, 0};
    bool found = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, PD_DIR_PREFIX, strlen(PD_DIR_PREFIX)) != 0)
            continue;
        char rel[NAME_MAX + 32];
        struct stat st;
        snprintf(rel, sizeof rel, "%s/%s", de->d_name, name);
        if (fstatat(tmpfd, rel, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
            !S_ISREG(st.st_mode))
            continue;
        if (!found || st.st_ctim.tv_sec > newest.tv_sec ||
            (st.st_ctim.tv_sec == newest.tv_sec &&
             st.st_ctim.tv_nsec > newest.tv_nsec)) {
            found = true;
            newest = st.st_ctim;
            snprintf(dir, NAME_MAX + 1, "%s", de->d_name);
        }
    }
    closedir(d);
    return found;
}

/*
 * Does process PID map the file FD? A JVM maps its hsperfdata file for
 * its whole life. A file named after the pid can be someone else's: a
 * stale file whose pid was reused, or, in nested containers, the file of a
 * process that has the same number in another pid namespace. When the maps
 * may not be read (another user's process), the name is all there is.
 * Where the maps line shows another device than fstat() for the same file
 * (btrfs, some overlayfs set-ups: chapter 01), the JVM's own file fails
 * this check (the README, "What is not done").
 */
/* [maps] */
static bool maps_file(pid_t pid, int fd)
{
    char path[64], line[PATH_MAX + 128];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL || fstat(fd, &st) == -1) {
        if (f != NULL)
            fclose(f);
        return true;
    }
    bool found = false;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        unsigned maj, min;
        unsigned long long ino;
        if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) == 3)
            found = ino == (unsigned long long)st.st_ino &&
                    maj == major(st.st_dev) && min == minor(st.st_dev);
    }
    fclose(f);
    return found;
}
/* [maps] */

static void user_name(uid_t uid, char *out, size_t len)
{
    char buf[4096];
    struct passwd pw, *p = NULL;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) == 0 && p != NULL)
        snprintf(out, len, "%s (uid %u)", p->pw_name, (unsigned)uid);
    else
        snprintf(out, len, "uid %u", (unsigned)uid);
}

/* [open] */
enum hs_found hs_open_pid(pid_t pid, int *fd, char *path, char *err)
{
    struct proc_ids ids = {0, 0};
    if (read_status(pid, &ids) == -1) {
        snprintf(err, HS_ERR, "process %d not found", (int)pid);
        return HS_NO_PROC;
    }
    /* The process's own /tmp, through its root; our /tmp when we may not
     * look there (then only a file named after the pid we see can be
     * found: a JVM in another pid namespace stays hidden, as from jps). */
    char tmp[64], name[16], dir[NAME_MAX + 1];
    snprintf(tmp, sizeof tmp, "/proc/%d/root/tmp", (int)pid);
    snprintf(name, sizeof name, "%d", (int)ids.nspid);
    int tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tmpfd == -1 && (errno == EACCES || errno == EPERM)) {
        snprintf(tmp, sizeof tmp, "/tmp");
        snprintf(name, sizeof name, "%d", (int)pid);
        tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (tmpfd == -1 || !find_in_tmp(tmpfd, name, dir)) {
        if (tmpfd != -1)
            close(tmpfd);
        snprintf(err, HS_ERR,
                 "process %d: no hsperfdata file (not a JVM, or one "
                 "run with -XX:-UsePerfData or -XX:+PerfDisableSharedMem)",
                 (int)pid);
        return HS_NO_FILE;
    }
    /* Name the file by our own /tmp when the process shares it. */
    struct stat ours, theirs;
    if (strcmp(tmp, "/tmp") != 0 && stat("/tmp", &ours) == 0 &&
        fstat(tmpfd, &theirs) == 0 && ours.st_dev == theirs.st_dev &&
        ours.st_ino == theirs.st_ino)
        snprintf(tmp, sizeof tmp, "/tmp");
    char dirpath[PATH_MAX - 16], why[PD_WHY];
    snprintf(dirpath, sizeof dirpath, "%s/%s", tmp, dir);
    snprintf(path, PATH_MAX, "%s/%s", dirpath, name);
    /* chapter 14's checks: the directory and the file belong to the
     * process's user, and neither is a link another user planted */
    int dfd = pd_open_dir(tmpfd, dir, dirpath, ids.euid, why);
    close(tmpfd);
    if (dfd == -1) {
        snprintf(err, HS_ERR, "process %d: %s: %s", (int)pid, dirpath, why);
        return HS_UNUSABLE;
    }
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
        st.st_mode = 0;
    *fd = pd_open_file(dfd, name, O_RDONLY, 0, why);
    close(dfd);
    if (*fd == -1 && errno == EACCES) {
        char who[128];
        user_name(ids.euid, who, sizeof who);
        snprintf(err, HS_ERR,
                 "process %d: %s: Permission denied (the JVM runs as %s and "
                 "its file is mode %04o: run as that user or as root)",
                 (int)pid, path, who, (unsigned)(st.st_mode & 07777));
        return HS_UNUSABLE;
    }
    if (*fd == -1) {
        snprintf(err, HS_ERR, "process %d: %s: %s", (int)pid, path, why);
        return HS_UNUSABLE;
    }
    if (fstat(*fd, &st) == -1 || st.st_uid != ids.euid) {
        snprintf(err, HS_ERR,
                 "process %d: %s: is owned by uid %u, not by "
                 "the process's uid %u",
                 (int)pid, path, (unsigned)st.st_uid, (unsigned)ids.euid);
        close(*fd);
        return HS_UNUSABLE;
    }
    if (!maps_file(pid, *fd)) {
        snprintf(err, HS_ERR,
                 "process %d: %s is not mapped by it (a stale file, or "
                 "the file of a process with the same pid in another pid "
                 "namespace)",
                 (int)pid, path);
        close(*fd);
        return HS_NO_FILE;
    }
    return HS_OPENED;
}
/* [open] */

static int by_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}

long hs_all_pids(pid_t **pids)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    size_t n = 0, cap = 256;
    pid_t *v = malloc(cap * sizeof *v);
    struct dirent *de;
    bool nomem = v == NULL;
    while (!nomem && (de = readdir(d)) != NULL) {
        pid_t pid = pd_name_to_pid(de->d_name);
        if (pid == 0)
            continue;
        if (n == cap) {
            pid_t *bigger = realloc(v, 2 * cap * sizeof *v);
            nomem = bigger == NULL;
            if (nomem)
                break;
            v = bigger;
            cap *= 2;
        }
        v[n++] = pid;
    }
    closedir(d);
    if (nomem) {
        free(v);
        errno = ENOMEM;
        return -1;
    }
    qsort(v, n, sizeof *v, by_pid);
    *pids = v;
    return (long)n;
}
