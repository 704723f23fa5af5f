/*
 * mmcat.c: cat(1) through mmap: map each file, write the mapping to stdout.
 *
 * For every FILE (or `-` for standard input) mmcat opens it read-only, asks
 * fstat(2) for its size, maps exactly that many bytes with PROT_READ and
 * MAP_SHARED, and hands the mapping to write(2): the bytes go from the page
 * cache to stdout without a read(2) copy into a buffer of our own.
 *
 * Three cases need care. A directory is refused with EISDIR, as cat does.
 * An empty file cannot be mapped at all (mmap with length 0 is EINVAL), so
 * there is nothing to map and nothing to print. And a file that is not a
 * regular file (a pipe, a terminal, /dev/null), or a regular file whose size
 * says 0 but which has contents anyway (/proc/self/maps), is copied with
 * read(2) instead: mmap trusts st_size, and works only where the file's
 * file system provides it. A regular file that mmap refuses with ENODEV
 * (a sysfs text attribute, which claims one page whatever it holds) is
 * read as well.
 *
 * Like cat, mmcat reports a file it cannot read in one line on stderr, goes
 * on with the next one, and exits 1 at the end if any file failed.
 *
 * Usage: mmcat [-h] FILE...
 * Tour: /etc/os-release
 * Man pages: mmap(2), fstat(2), open(2), write(2), madvise(2), cat(1)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report `mmcat: STEP 'PATH': cause` and carry on (cat's way, not wb_die's). */
static int complain(const char *step, const char *path, int err)
{
    errno = err;
    wb_warn("%s '%s'", step, path);
    return -1;
}

/* write(2) all of buf[0..len) to stdout; returns 0, or -1 with errno set. */
static int write_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The fallback for what mmap cannot take: plain read(2) until EOF. */
static int copy_by_read(int fd, const char *path)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return complain("read", path, errno);
        }
        if (write_all(buf, (size_t)n) == -1)
            wb_die("write to stdout");
    }
}

/* Copy one open file to stdout; returns 0 or -1 (already reported). */
static int cat_fd(int fd, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        return complain("fstat", path, errno);
    if (S_ISDIR(st.st_mode))
        return complain("read", path, EISDIR);
    if (!S_ISREG(st.st_mode) || st.st_size == 0)
        return copy_by_read(fd, path); /* nothing to map, or unmappable */

    /* [map_and_write] */
    size_t len = (size_t)st.st_size;
    char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED && errno == ENODEV)
        return copy_by_read(fd, path); /* not mappable (sysfs text) */
    if (p == MAP_FAILED)
        return complain("mmap", path, errno);
    /* We read front to back once: let the kernel read ahead generously. */
    (void)madvise(p, len, MADV_SEQUENTIAL);
    if (write_all(p, len) == -1)
        wb_die("write to stdout");
    if (munmap(p, len) == -1)
        wb_die("munmap '%s'", path);
    /* [map_and_write] */
    return 0;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE...");
    int i = wb_simple_args(argc, argv);
    if (i == argc)
        wb_usage("no FILE given");

    int status = 0;
    for (; i < argc; i++) {
        const char *path = argv[i];
        if (strcmp(path, "-") == 0) {
            if (cat_fd(STDIN_FILENO, "-") != 0)
                status = WB_EXIT_FAIL;
            continue;
        }
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd == -1) {
            complain("open", path, errno);
            status = WB_EXIT_FAIL;
            continue;
        }
        if (cat_fd(fd, path) != 0)
            status = WB_EXIT_FAIL;
        close(fd);
    }
    return status;
}
