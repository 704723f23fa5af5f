/*
 * mmap_errors.c: each way to get mmap or munmap wrong, and the errno it sets.
 *
 * Makes one deliberately wrong call per row and prints what came back:
 * MAP_FAILED (or -1 for munmap) and the errno name with its strerror text.
 * The rows: a zero length, an unaligned offset, flags with neither MAP_SHARED
 * nor MAP_PRIVATE, a bad descriptor, PROT_WRITE with MAP_SHARED on a read-only
 * descriptor, any mapping at all (even PROT_NONE) of a write-only one, a
 * directory, a length larger than the address space, and munmap with an
 * unaligned address or a zero length. Two calls that look wrong but are not
 * close the table. The file is made mode 0666 first and its mode is read back
 * with fstat, so the EACCES rows cannot come from its permission bits; the
 * last line counts them and names the effective uid they were seen under.
 *
 * Usage: mmap_errors [-h]
 * Tour:
 * Man pages: mmap(2) (ERRORS), munmap(2), errno(3), open(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

#define EIB ((size_t)1 << 60) /* 1 EiB: far beyond any user address space */

/* Print one row: the case, then "ok" or the errno it produced. */
static void row(const char *what, int failed, int err)
{
    if (failed)
        printf("%-52s -> %s (%s)\n", what, wb_errname(err), strerror(err));
    else
        printf("%-52s -> ok\n", what);
}

/* [try_mmap] */
static int try_mmap(const char *what, size_t len, int prot, int flags, int fd,
                    off_t off)
{
    errno = 0;
    void *p = mmap(NULL, len, prot, flags, fd, off);
    int err = errno;
    row(what, p == MAP_FAILED, err);
    if (p != MAP_FAILED && munmap(p, len) == -1)
        wb_die("munmap after '%s'", what);
    return p == MAP_FAILED ? err : 0;
}
/* [try_mmap] */

static void try_munmap(const char *what, void *addr, size_t len)
{
    errno = 0;
    int r = munmap(addr, len);
    row(what, r == -1, errno);
}

static int open_or_die(const char *path, int mode, const char *name)
{
    int fd = open(path, mode | O_CLOEXEC);
    if (fd == -1)
        wb_die("open '%s' %s", path, name);
    return fd;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    char path[4096];
    int rw = wb_temp_file("mmap_errors", path);
    if (ftruncate(rw, (off_t)(2 * ps)) == -1) {
        unlink(path);
        wb_die("ftruncate '%s'", path);
    }
    if (fchmod(rw, 0666) == -1) { /* everyone may read and write */
        unlink(path);
        wb_die("fchmod '%s'", path);
    }
    int ro = open(path, O_RDONLY | O_CLOEXEC);
    int wo = open(path, O_WRONLY | O_CLOEXEC);
    if (unlink(path) == -1) /* the descriptors keep the file alive */
        wb_die("unlink '%s'", path);
    if (ro == -1 || wo == -1)
        wb_die("reopen '%s'", path);
    int dir = open_or_die("/", O_RDONLY | O_DIRECTORY, "as a directory");

    printf("a %zu-byte temporary file, opened O_RDWR, O_RDONLY and O_WRONLY; "
           "page size %zu\n\n",
           2 * ps, ps);
    printf("%-52s    %s\n", "case", "result (errno, strerror)");
    try_mmap("mmap: length 0", 0, PROT_READ, MAP_PRIVATE, rw, 0);
    char what[80];
    snprintf(what, sizeof what, "mmap: offset 100, not a multiple of %zu", ps);
    try_mmap(what, ps, PROT_READ, MAP_PRIVATE, rw, 100);
    try_mmap("mmap: flags without MAP_SHARED or MAP_PRIVATE", ps, PROT_READ, 0,
             rw, 0);
    try_mmap("mmap: fd -1 without MAP_ANONYMOUS", ps, PROT_READ, MAP_PRIVATE,
             -1, 0);
    /* the open-mode rows: one needs O_RDWR, the rest need O_RDONLY at least */
    int eacces = 0, mode_rows = 0;
    static const struct {
        const char *what;
        int prot, flags, wronly;
    } mode[] = {
        {"mmap: MAP_SHARED, PROT_WRITE, fd opened O_RDONLY",
         PROT_READ | PROT_WRITE, MAP_SHARED, 0},
        {"mmap: PROT_READ, fd opened O_WRONLY", PROT_READ, MAP_SHARED, 1},
        {"mmap: MAP_SHARED, PROT_WRITE, fd opened O_WRONLY", PROT_WRITE,
         MAP_SHARED, 1},
        {"mmap: MAP_SHARED, PROT_NONE, fd opened O_WRONLY", PROT_NONE,
         MAP_SHARED, 1},
        {"mmap: MAP_PRIVATE, PROT_NONE, fd opened O_WRONLY", PROT_NONE,
         MAP_PRIVATE, 1},
    };
    for (size_t i = 0; i < sizeof mode / sizeof mode[0]; i++, mode_rows++)
        eacces += try_mmap(mode[i].what, ps, mode[i].prot, mode[i].flags,
                           mode[i].wronly ? wo : ro, 0) == EACCES;
    try_mmap("mmap: fd of a directory (/)", ps, PROT_READ, MAP_PRIVATE, dir, 0);
    try_mmap("mmap: length 1 EiB, beyond the address space", EIB, PROT_READ,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (wb_on_valgrind())
        printf("  (under Valgrind the 1 EiB row is Valgrind's answer, "
               "EINVAL; the kernel says ENOMEM)\n");

    char *p = mmap(NULL, 2 * ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu bytes", 2 * ps);
    try_munmap("munmap: address 1 byte past a page boundary", p + 1, ps);
    try_munmap("munmap: length 0", p, 0);

    printf("\nlooks wrong, but is not:\n");
    try_mmap("mmap: MAP_PRIVATE, PROT_WRITE, fd opened O_RDONLY", ps,
             PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    if (munmap(p, 2 * ps) == -1)
        wb_die("munmap");
    try_munmap("munmap: the same range again (nothing mapped)", p, 2 * ps);

    struct stat st;
    if (fstat(rw, &st) == -1)
        wb_die("fstat '%s'", path);
    uid_t euid = geteuid();
    printf("\nthe file's mode (fstat): %04o; effective uid %ld; "
           "open-mode rows with EACCES: %d of %d\n",
           (unsigned)(st.st_mode & 07777), (long)euid, eacces, mode_rows);
    if (eacces > 0 && (st.st_mode & 0666) == 0666)
        printf("the mode bits let everyone read and write, so those EACCES "
               "came from the\ndescriptors' open modes (uid %ld got them)\n",
               (long)euid);
    close(rw);
    close(ro);
    close(wo);
    close(dir);
    return 0;
}
