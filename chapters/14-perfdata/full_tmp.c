/*
 * full_tmp.c: a full /tmp: SIGBUS at a store (before JDK-7007769), or ENOSPC at creation.
 *
 * ftruncate(2) gives a file its size without giving it any blocks: the file
 * is sparse, and the filesystem finds a block only when a page is first
 * written. Through write(2) a full filesystem is an ENOSPC error; through a
 * shared mapping there is no system call to fail, so the store that needs
 * the block gets SIGBUS. That is JDK-7007769: JVMs on hosts with a full /tmp
 * crashed with SIGBUS the moment they touched a new page of their counters
 * (Linux HotSpot until December 2010; HotSpot's AIX file never got the fix,
 * and AIX JVMs have had it only since JDK 17, which builds them from the
 * shared perfMemory_posix.cpp instead: JDK-8134540).
 * The fix writes one byte into every page right after ftruncate() (HotSpot
 * seeks to each page and calls write(); this program uses pwrite()), so that the blocks exist before the mapping does and a full
 * filesystem is a clear error when the file is made. That holds where a
 * block is at least a page, as on this tmpfs, whose blocks are pages; with
 * smaller blocks the page keeps blocks missing, and a store anywhere in it
 * can still get SIGBUS.
 *
 * To have a full filesystem at hand the demo makes its own: it enters a new
 * mount namespace (unshare(2); if that needs privileges it does not have,
 * a user namespace too) and mounts a 16 KiB tmpfs on a scratch directory,
 * four pages, then creates a 32 KiB (8-page) file on it both ways. When no
 * namespace can be made it says so and exits 0.
 *
 * Usage: full_tmp [-h]
 * Tour:
 * Man pages: ftruncate(2), mmap(2) (SIGBUS), pwrite(2), unshare(2), mount(2), tmpfs(5)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FS_SIZE    "16k"
#define FILE_PAGES 8

static char mnt[4096];

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd == -1)
        return; /* e.g. setgroups on an old kernel */
    if (write(fd, text, strlen(text)) == -1)
        wb_die("write '%s'", path);
    close(fd);
}

/* A private mount namespace, with a user namespace if we need one. */
static int private_mounts(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWNS) == -1) {
        int err = errno;
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1) {
            printf("cannot make a private mount namespace (unshare: %s, and "
                   "with a user namespace: %s): nothing to show here\n",
                   wb_errname(err), wb_errname(errno));
            return -1;
        }
        char map[64];
        write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        write_file("/proc/self/gid_map", map);
    }
    /* Keep our mounts to ourselves. */
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1)
        wb_die("mount --make-rprivate /");
    return 0;
}

static void remove_mnt(void)
{
    umount(mnt);
    rmdir(mnt);
}

/* [old] */
/* Without the fix: size the file, map it, use it. The first store into a
 * page the filesystem cannot give a block to is SIGBUS. */
static void the_unfixed_way(const char *path, size_t ps)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd == -1 || ftruncate(fd, FILE_PAGES * (off_t)ps) == -1)
        wb_die("create '%s'", path);
    printf("the unfixed way: ftruncate to %d pages: ok, mmap MAP_SHARED: ",
           FILE_PAGES);
    char *m =
        mmap(NULL, FILE_PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        wb_die("mmap");
    close(fd);
    printf("ok\n");
    for (int pg = 0; pg < FILE_PAGES; pg++) {
        int sig = wb_try_write(m + pg * ps, 1);
        if (sig != 0) {
            struct statvfs fs;
            if (statvfs(path, &fs) == -1)
                wb_die("statvfs '%s'", path);
            printf("  store into page %d: %s (%s); statvfs: %llu of %llu "
                   "blocks free",
                   pg, wb_signame(sig), wb_last_fault_code(),
                   (unsigned long long)fs.f_bfree,
                   (unsigned long long)fs.f_blocks);
            printf("%s\n", fs.f_bfree == 0
                               ? ": the filesystem is full, and a store has "
                                 "no system call to return ENOSPC"
                               : "");
            break;
        }
        printf("  store into page %d: ok\n", pg);
    }
    munmap(m, FILE_PAGES * ps);
    unlink(path);
}
/* [old] */

/* Since JDK-7007769: one byte into every page before mapping anything. */
static void the_fixed_way(const char *path, size_t ps)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd == -1 || ftruncate(fd, FILE_PAGES * (off_t)ps) == -1)
        wb_die("create '%s'", path);
    printf("the fixed way: ftruncate to %d pages: ok, then pwrite one byte per "
           "page:\n",
           FILE_PAGES);
    for (int pg = 0; pg < FILE_PAGES; pg++) {
        if (pwrite(fd, "", 1, pg * (off_t)ps) != 1) {
            printf("  page %d: %s: a clear error at creation; a JVM warns and "
                   "runs on without shared counters\n",
                   pg, wb_errname(errno));
            break;
        }
        printf("  page %d: ok\n", pg);
    }
    close(fd);
    unlink(path);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    size_t ps = wb_page_size();
    if (private_mounts() == -1)
        return 0;
    const char *tmp = getenv("TMPDIR");
    snprintf(mnt, sizeof mnt, "%s/full_tmp.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(mnt) == NULL)
        wb_die("mkdtemp '%s'", mnt);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=" FS_SIZE ",mode=0700") == -1) {
        int err = errno;
        rmdir(mnt);
        errno = err;
        wb_die("mount tmpfs");
    }
    atexit(remove_mnt);
    printf("a private tmpfs of %s (%d pages) stands in for a full /tmp; the "
           "file wants %d pages\n",
           FS_SIZE, (16384 + (int)ps - 1) / (int)ps, FILE_PAGES);

    char path[4096 + 16];
    snprintf(path, sizeof path, "%s/4242", mnt);
    the_unfixed_way(path, ps);
    the_fixed_way(path, ps);
    return 0;
}
