/*
 * planted_links.c: how a planted link turned the 2013 creation path against its user.
 *
 * Before its later hardening, HotSpot created its file with
 * open(path, O_RDWR|O_CREAT|O_TRUNC) in a directory it had only checked
 * with lstat() for "not a symlink, not writable by group or others". The
 * owner was not checked, so another user could create /tmp/hsperfdata_VICTIM
 * first, and then plant names in it for the pids the victim was likely to
 * get: a symbolic link, or a hard link, to a file of the victim's. The
 * victim's JVM then opened, truncated and zeroed that file, with the
 * victim's rights.
 *
 * This demo plays both parts in a scratch directory under $TMPDIR: it
 * plants a symbolic link and a hard link to precious.txt, then creates the
 * "PerfData file" through each the 2013 way (the file is destroyed) and the
 * hardened way of perfdata_fs.h (openat relative to the directory's
 * descriptor with O_NOFOLLOW, then fstat: regular, one link), which refuses
 * both.
 *
 * Usage: planted_links [-h]
 * Tour:
 * Man pages: open(2) (O_NOFOLLOW), openat(2), link(2), symlink(7), proc(5) (protected_hardlinks)
 */
#include "wb.h"
#include "perfdata_fs.h"

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

    char path[4096 + 64], target[4096 + 64];
    in_top(path, "precious.txt");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd == -1 || write(fd, precious, strlen(precious)) == -1)
        wb_die("create '%s'", path);
    close(fd);
    show_precious("");

    /* [plant] */
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
    printf("it planted:\n");
    in_top(path, "hsperfdata_dir/4242");
    if (symlink("../precious.txt", path) == -1)
        wb_die("symlink");
    char to[4096];
    ssize_t n = readlink(path, to, sizeof to - 1);
    if (n == -1)
        wb_die("readlink '%s'", path);
    to[n] = '\0';
    printf("  4242 -> %s (lstat: %s)\n", to,
           lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? "a symbolic link"
                                                        : "not a link");
    in_top(path, "hsperfdata_dir/4243");
    in_top(target, "precious.txt");
    if (link(target, path) == -1)
        wb_die("link");
    struct stat a, b;
    if (stat(path, &a) == -1 || stat(target, &b) == -1)
        wb_die("stat '%s'", path);
    if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        printf("  4243 = precious.txt (a hard link: stat gives the same "
               "inode, whose st_nlink is now %ju)\n",
               (uintmax_t)b.st_nlink);
    else
        printf("  4243: not the same inode as precious.txt (?)\n");
    /* [plant] */

    printf(
        "the 2013 way: open(path, O_RDWR|O_CREAT|O_TRUNC, 0600), ftruncate:\n");
    create_2013("4242");
    restore_precious();
    create_2013("4243");
    restore_precious();

    printf("the hardened way: openat(dirfd, name, O_RDWR|O_CREAT|O_NOFOLLOW, "
           "0600), fstat:\n");
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
