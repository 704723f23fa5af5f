/*
 * shm_lifetime.c: shm_unlink removes the name, not the object.
 *
 * Creates /shm_lifetime.PID, maps it and stores a line in it, then calls
 * shm_unlink(3) while the descriptor and the mapping are still there. The
 * name is gone at once: /dev/shm has no such entry and shm_open without
 * O_CREAT fails with ENOENT. The object is not: the mapping still reads the
 * line, fstat(2) on the descriptor still works (with 0 links now), and
 * /proc/self/maps marks the mapping "(deleted)". shm_open with O_CREAT then
 * makes a brand new object under the old name: another inode, size 0. The
 * two live side by side until the old one loses its last descriptor and
 * mapping. The demo ends by removing the new name as well.
 *
 * Usage: shm_lifetime [-h]
 * Tour:
 * Man pages: shm_open(3), shm_unlink(3), fstat(2), proc(5), unlink(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char name[256];
static bool named; /* does NAME exist (made by us)? */

static void remove_name(void)
{
    if (named)
        shm_unlink(name);
}

static void show(const char *who, int fd, const void *map)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    printf("  %s: fstat: %lld bytes, %ju link%s\n", who, (long long)st.st_size,
           (uintmax_t)st.st_nlink, st.st_nlink == 1 ? "" : "s");
    if (map != NULL)
        wb_print_vmas(who, map, wb_page_size());
}

static void look_up(const char *path)
{
    printf("  %s exists: %s\n", path, access(path, F_OK) == 0 ? "yes" : "no");
    int fd = shm_open(name, O_RDWR, 0);
    if (fd == -1)
        printf("  shm_open(\"%s\", O_RDWR) without O_CREAT: %s\n", name,
               wb_errname(errno));
    else {
        printf("  shm_open(\"%s\", O_RDWR) without O_CREAT: ok\n", name);
        close(fd);
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    size_t ps = wb_page_size();
    snprintf(name, sizeof name, "/shm_lifetime.%d", (int)getpid());
    char path[300];
    snprintf(path, sizeof path, "/dev/shm%s", name);

    int old_fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (old_fd == -1)
        wb_die("shm_open '%s'", name);
    named = true;
    atexit(remove_name);
    if (ftruncate(old_fd, (off_t)ps) == -1)
        wb_die("ftruncate");
    char *old = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, old_fd, 0);
    if (old == MAP_FAILED)
        wb_die("mmap");
    strcpy(old, "the first object's data");
    printf("1. created %s (%zu bytes), mapped it, stored \"%s\"\n", name, ps,
           old);
    show("old", old_fd, old);

    /* [unlink] */
    if (shm_unlink(name) == -1)
        wb_die("shm_unlink '%s'", name);
    named = false;
    printf("2. shm_unlink(\"%s\") with the descriptor and mapping kept\n",
           name);
    look_up(path);
    printf("  the old mapping still reads \"%s\"\n", old);
    show("old", old_fd, old);
    /* [unlink] */

    int again = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (again == -1)
        wb_die("shm_open '%s' again", name);
    named = true;
    struct stat a, b;
    if (fstat(old_fd, &a) == -1 || fstat(again, &b) == -1)
        wb_die("fstat");
    printf("3. shm_open(\"%s\", O_CREAT|O_EXCL) succeeds: a new object\n",
           name);
    printf("  same inode as the old one: %s\n",
           a.st_dev == b.st_dev && a.st_ino == b.st_ino ? "yes" : "no");
    show("new", again, NULL);
    look_up(path);
    int dup = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    printf("  O_CREAT|O_EXCL once more: %s\n",
           dup == -1 ? wb_errname(errno) : "ok?");
    if (dup != -1)
        close(dup);
    printf("  the old mapping still reads \"%s\"\n", old);

    if (shm_unlink(name) == -1)
        wb_die("shm_unlink '%s'", name);
    named = false;
    int gone = shm_unlink(name);
    printf("4. shm_unlink the new name: ok; a second shm_unlink: %s\n",
           gone == -1 ? wb_errname(errno) : "ok?");
    close(again);
    close(old_fd);
    printf("  closed both descriptors; the old mapping still reads \"%s\"\n",
           old);
    if (munmap(old, ps) == -1)
        wb_die("munmap");
    printf("  munmap: neither object has a name, a descriptor or a mapping "
           "left\n");
    return 0;
}
