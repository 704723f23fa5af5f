/*
 * planted_links.c: how a planted link turned the 2013 creation path against its user.
 *
 * Before its later hardening, HotSpot created its file with
 * open(path, O_RDWR|O_CREAT|O_TRUNC) in a directory it had only checked
 * with lstat() for "not a symlink, not writable by group or others". The
 * owner was not checked, so another user could create /tmp/hsperfdata_VICTIM
 * first and put names in it: a symbolic link, or a hard link, to a file of
 * the victim's, named for the pid a victim's JVM would get. At start-up the
 * JVM cleaned the directory and tried to remove the file named for its own
 * pid. A victim other than root could not: unlink(2) needs write permission
 * on the directory, which is the attacker's and mode 0755, and the 2013
 * code ignored the EACCES. The planted name survived, no race needed. Only
 * a root victim's cleanup removed it; then the attacker, who owns the
 * directory, had to re-create the name between that cleanup and the open,
 * a race it could retry in a loop until it won. Either way the victim's JVM
 * opened, truncated and zeroed the file, with the victim's rights.
 *
 * This demo plays both parts as one user, in a scratch directory under
 * $TMPDIR, one victim JVM at a time (pid 4242 against a symbolic link, then
 * 4243 against a hard link to precious.txt). It says whether that user may
 * write to the directory (faccessat with W_OK). The attacker plants the
 * name, the 2013 start-up cleanup runs, and the demo looks whether the name
 * is still there. It is not, since the one user owns the directory, so the
 * demo plays the attacker winning the race by planting it again (had the
 * name survived, it would go straight on), and the 2013 open destroys the
 * file. Then it plants both names once more and creates the "PerfData file"
 * the hardened way of perfdata_fs.h (openat relative to the directory's
 * descriptor with O_NOFOLLOW, then fstat: regular, one link), which refuses
 * both. The race itself is not run: the demo takes the attacker's turn at
 * the moment the race would have to be won.
 *
 * Usage: planted_links [-h]
 * Tour:
 * Man pages: open(2) (O_NOFOLLOW), openat(2), unlink(2) (EACCES), link(2), symlink(7), proc(5) (protected_hardlinks)
 */
#include "wb.h"
#include "perfdata_fs.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIZE 32768
static const char precious[] = "the victim's data";
static char top[4096]; /* the scratch directory */

static void in_top(char *out, const char *name)
{
    snprintf(out, 4096 + 64, "%s/%s", top, name);
}

/* What precious.txt holds now. */
static void show_precious(const char *when)
{
    char path[4096 + 64], buf[64] = "";
    in_top(path, "precious.txt");
    int fd = open(path, O_RDONLY);
    if (fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n == -1 || fstat(fd, &st) == -1)
        wb_die("read '%s'", path);
    close(fd);
    buf[n] = '\0';
    printf("%sprecious.txt: %lld bytes, starting \"%s\"%s\n", when,
           (long long)st.st_size, buf,
           strcmp(buf, precious) == 0 ? "" : " (its data is gone)");
}

static void restore_precious(void)
{
    char path[4096 + 64];
    in_top(path, "precious.txt");
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd == -1 || write(fd, precious, strlen(precious)) == -1)
        wb_die("restore '%s'", path);
    close(fd);
}

/* [old] */
/* The 2013 start-up cleanup, for a JVM whose pid is `own`: a name that is
 * not a number goes, and so does a number that is the JVM's own pid (a file
 * left by an earlier process with the same pid) or a pid that kill(pid, 0)
 * says is gone (ESRCH) or another user's (EPERM). A failed unlink was
 * ignored (a warning under PrintMiscellaneous and Verbose only). */
static void cleanup_2013(long own)
{
    char path[4096 + 64];
    in_top(path, "hsperfdata_dir");
    DIR *d = opendir(path);
    if (d == NULL)
        wb_die("opendir '%s'", path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        const char *why = NULL;
        if (end == e->d_name || *end != '\0')
            why = "not a pid";
        else if (pid == own)
            why = "the JVM's own pid, taken for a stale file";
        else if (kill((pid_t)pid, 0) == -1)
            why = errno == ESRCH   ? "no such process"
                  : errno == EPERM ? "another user's process"
                                   : NULL;
        if (why == NULL)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == -1)
            printf("  pid %ld starts; its cleanup could not remove %s (%s): "
                   "%s, ignored\n",
                   own, e->d_name, why, strerror(errno));
        else
            printf("  pid %ld starts; its cleanup removed %s (%s)\n", own,
                   e->d_name, why);
    }
    closedir(d);
}

/* The 2013 way: by path, following links, truncating whatever is there. */
static void create_2013(const char *pidname)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/hsperfdata_dir/%s", top, pidname);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd == -1)
        wb_die("open '%s'", path);
    if (ftruncate(fd, SIZE) == -1)
        wb_die("ftruncate");
    close(fd);
    printf("  pid %s: opened and sized to %d bytes; ", pidname, SIZE);
    show_precious("");
}
/* [old] */

/* [plant] */
/* The attacker's move: NAME in its directory becomes a symbolic link (or,
 * with hard set, a hard link) to precious.txt. `how` says when; NULL: say
 * nothing. */
static void plant(const char *name, bool hard, const char *how)
{
    char path[4096 + 64], target[4096 + 64];
    snprintf(path, sizeof path, "%s/hsperfdata_dir/%s", top, name);
    struct stat st;
    if (!hard) {
        if (symlink("../precious.txt", path) == -1)
            wb_die("symlink");
        char to[4096];
        ssize_t n = readlink(path, to, sizeof to - 1);
        if (n == -1)
            wb_die("readlink '%s'", path);
        to[n] = '\0';
        if (how != NULL)
            printf("  %s: %s -> %s (lstat: %s)\n", how, name, to,
                   lstat(path, &st) == 0 && S_ISLNK(st.st_mode)
                       ? "a symbolic link"
                       : "not a link");
        return;
    }
    in_top(target, "precious.txt");
    if (link(target, path) == -1)
        wb_die("link");
    struct stat a, b;
    if (stat(path, &a) == -1 || stat(target, &b) == -1)
        wb_die("stat '%s'", path);
    if (how == NULL)
        return;
    if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        printf("  %s: %s = precious.txt (a hard link: stat gives the same "
               "inode, whose st_nlink is now %ju)\n",
               how, name, (uintmax_t)b.st_nlink);
    else
        printf("  %s: %s: not the same inode as precious.txt (?)\n", how, name);
}
/* [plant] */

/* One victim JVM with pid NAME, the 2013 way, against a planted link. */
static void victim_2013(const char *name, bool hard)
{
    plant(name, hard, "planted in advance");
    cleanup_2013(strtol(name, NULL, 10));
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/hsperfdata_dir/%s", top, name);
    struct stat st;
    if (lstat(path, &st) == 0) {
        printf("  %s survived the cleanup: the open will follow it, no race "
               "needed\n",
               name);
    } else {
        printf("  %s is gone: the attacker must plant it again between the "
               "cleanup and the open, a race it can retry in a loop; the "
               "demo plays its winning turn\n",
               name);
        plant(name, hard, "planted again after the cleanup, before the open");
    }
    create_2013(name);
    restore_precious();
    /* The JVM removes its file's name when it exits: here, the link. */
    if (unlink(path) == -1)
        wb_die("unlink '%s'", path);
}

/* The hardened way: relative to the checked directory, no link followed. */
static void create_hardened(int dfd, const char *pidname)
{
    char why[PD_WHY];
    int fd = pd_open_file(dfd, pidname, O_RDWR | O_CREAT, 0600, why);
    if (fd == -1) {
        printf("  pid %s: refused: %s\n", pidname, why);
        return;
    }
    printf("  pid %s: opened (unexpected)\n", pidname);
    close(fd);
}

static void cleanup(void)
{
    const char *names[] = {"hsperfdata_dir/4242", "hsperfdata_dir/4243",
                           "hsperfdata_dir", "precious.txt"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[4096 + 64];
        in_top(path, names[k]);
        if (k == 2)
            rmdir(path);
        else
            unlink(path);
    }
    rmdir(top);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    const char *tmp = getenv("TMPDIR");
    snprintf(top, sizeof top, "%s/planted_links.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(top) == NULL)
        wb_die("mkdtemp '%s'", top);
    atexit(cleanup);

    char path[4096 + 64];
    in_top(path, "precious.txt");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd == -1 || write(fd, precious, strlen(precious)) == -1)
        wb_die("create '%s'", path);
    close(fd);
    show_precious("");

    in_top(path, "hsperfdata_dir");
    if (mkdir(path, 0755) == -1)
        wb_die("mkdir '%s'", path);
    struct stat st;
    if (lstat(path, &st) == -1)
        wb_die("lstat '%s'", path);
    bool passes = S_ISDIR(st.st_mode) && (st.st_mode & 022) == 0;
    printf("the attacker made hsperfdata_dir; lstat: %s, mode %04o, "
           "%s: the 2013 check %s\n",
           S_ISLNK(st.st_mode)   ? "a symbolic link"
           : S_ISDIR(st.st_mode) ? "a directory, not a link"
                                 : "not a directory",
           (unsigned)(st.st_mode & 07777),
           (st.st_mode & 022) ? "writable by group or others"
                              : "not writable by group or others",
           passes ? "passes" : "fails");
    /* Whether the victim's cleanup may unlink names in the attacker's
     * directory: unlink(2) needs write permission on it. Here both are one
     * user, so the victim is the directory's owner. */
    bool may_write = faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
    printf("attacker and victim are one user here, %s of hsperfdata_dir: %s\n",
           st.st_uid == geteuid() ? "the owner" : "not the owner",
           may_write ? "the victim may write to the directory, so its "
                       "cleanup may unlink names in it"
                     : "the victim may not write to the directory, so its "
                       "cleanup cannot unlink names in it");
    printf("the 2013 way: the victim's JVM cleans the directory at start-up, "
           "then open(path, O_RDWR|O_CREAT|O_TRUNC, 0600), ftruncate:\n");
    victim_2013("4242", false);
    victim_2013("4243", true);

    plant("4242", false, NULL);
    plant("4243", true, NULL);
    printf("the hardened way, both names planted again: openat(dirfd, name, "
           "O_RDWR|O_CREAT|O_NOFOLLOW, 0600), fstat:\n");
    in_top(path, "hsperfdata_dir");
    char why[PD_WHY];
    int dfd = pd_open_dir(AT_FDCWD, path, path, geteuid(), why);
    if (dfd == -1)
        wb_fatal("%s: %s", path, why);
    create_hardened(dfd, "4242");
    create_hardened(dfd, "4243");
    close(dfd);
    show_precious("afterwards ");
    return 0;
}
