/*
 * eof_sigbus.c: the end of the file inside a mapping: zeros, then SIGBUS.
 *
 * Makes a file of SIZE bytes (default 100) and maps it MAP_SHARED with one
 * page more than the file covers; mmap does not mind. Then it probes:
 * the rest of the file's last page reads as zeros and takes writes, but what
 * is written there is not file data (st_size and pread(2) say so); the page
 * wholly past EOF raises SIGBUS on read and on write. Growing the file with
 * ftruncate(2) makes that page usable, and it shows what became of the byte
 * written past the old EOF (filesystems differ here). Finally the file is
 * truncated to 0 under the live mapping: bytes that were file data a moment
 * ago now SIGBUS.
 *
 * The file lives in $TMPDIR; with -m it is a memfd instead, the same shmem
 * code that backs tmpfs and /dev/shm. Each signal is caught and reported.
 *
 * Usage: eof_sigbus [-h] [-m] [SIZE]
 * Tour: 100
 * Tour: -m 100
 * Man pages: mmap(2) (SIGBUS in ERRORS), ftruncate(2), sigaction(2), signal(7), memfd_create(2), statfs(2)
 */
#include "wb.h"

#include <linux/magic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static char *map;

/* Read (or write 'Z' at) map[off] and print what happened. */
static void probe(bool write, size_t off, const char *what)
{
    char c = 'Z';
    int sig = write ? wb_try_write(map + off, c) : wb_try_read(map + off, &c);
    printf("%-5s offset %zu (%s): ", write ? "write" : "read", off, what);
    if (sig != 0)
        printf("%s (%s)\n", wb_signame(sig), wb_last_fault_code());
    else if (write)
        printf("ok\n");
    else if (c == 0)
        printf("0\n");
    else
        printf("'%c'\n", c);
}

/* A byte as the probes print it: 0, or quoted. */
static const char *shown(char c)
{
    static char buf[2][8];
    static int k;
    k ^= 1;
    if (c == 0)
        snprintf(buf[k], sizeof buf[k], "0");
    else
        snprintf(buf[k], sizeof buf[k], "'%c'", c);
    return buf[k];
}

static const char *fs_name(int fd)
{
    struct statfs s;
    if (fstatfs(fd, &s) == -1)
        wb_die("fstatfs");
    switch ((unsigned long)s.f_type) {
    case EXT4_SUPER_MAGIC: return "ext2/3/4";
    case TMPFS_MAGIC: return "tmpfs/shmem";
    case XFS_SUPER_MAGIC: return "xfs";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
    default: return "another filesystem";
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] [SIZE]");
    bool use_memfd = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hm")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'm')
            wb_usage("unknown option '-%c'", optopt);
        use_memfd = true;
    }
    int i = optind;
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t size = i < argc ? wb_size_arg(argv[i], "size") : 100;
    if (size == 0 || size > 1 << 20)
        wb_usage("size must be between 1 and 1M");

    int fd = use_memfd ? memfd_create("eof_sigbus", MFD_CLOEXEC)
                       : wb_temp_file("eof_sigbus", NULL);
    if (fd == -1)
        wb_die("memfd_create");
    char buf[4000]; /* a multiple of 10: the pattern runs on */
    for (size_t k = 0; k < sizeof buf; k++)
        buf[k] = (char)('0' + k % 10);
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof buf ? size - done : sizeof buf;
        if (write(fd, buf, n) != (ssize_t)n)
            wb_die("write");
        done += n;
    }
    size_t ps = wb_page_size(), rounded = wb_round_up(size);
    size_t len = rounded + ps;
    printf("file: %s, %s, %zu bytes of \"0123456789...\"\n",
           use_memfd ? "a memfd" : "a file in $TMPDIR", fs_name(fd), size);

    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        wb_die("mmap");
    printf("mapped %zu bytes = %zu pages: the file covers %zu, "
           "page %zu is wholly past EOF\n",
           len, len / ps, rounded / ps, rounded / ps);

    probe(false, size - 1, "last byte of the file");
    if (size < rounded) {
        size_t zeros = 0;
        for (size_t k = size; k < rounded; k++)
            zeros += map[k] == 0;
        printf("read  offsets %zu..%zu (past EOF, same page): %zu bytes, "
               "%zu of them zero\n",
               size, rounded - 1, rounded - size, zeros);
        probe(true, size, "first byte past EOF");
        probe(false, size, "first byte past EOF, read back");
        struct stat st;
        char c;
        if (fstat(fd, &st) == -1)
            wb_die("fstat");
        ssize_t n = pread(fd, &c, 1, (off_t)size);
        if (n == -1)
            wb_die("pread");
        printf("the file: st_size %lld, pread at offset %zu returns %zd "
               "bytes\n",
               (long long)st.st_size, size, n);
    } else {
        printf("the file ends on a page boundary: no partial page\n");
    }
    probe(false, rounded, "page wholly past EOF");
    probe(true, rounded, "page wholly past EOF");

    printf("ftruncate to %zu bytes: the file now covers every mapped page\n",
           len);
    if (ftruncate(fd, (off_t)len) == -1)
        wb_die("ftruncate %zu", len);
    probe(false, rounded, "inside the file now");
    if (size < rounded) {
        probe(false, size, "the byte written past the old EOF");
        char c = 0, m = map[size];
        if (pread(fd, &c, 1, (off_t)size) != 1)
            wb_die("pread");
        printf("pread at offset %zu returns %s; the mapping reads %s: ", size,
               shown(c), shown(m));
        if (c != m)
            printf("they differ\n");
        else if (c == 'Z')
            printf("the stray 'Z' became file data\n");
        else if (c == 0)
            printf("the stray 'Z' reads 0 now\n");
        else
            printf("neither 'Z' nor 0\n");
    }

    printf("ftruncate to 0 bytes under the live mapping\n");
    if (ftruncate(fd, 0) == -1)
        wb_die("ftruncate 0");
    probe(false, 0, "first byte, inside the file before");
    probe(true, size - 1, "last byte of the old file");

    if (munmap(map, len) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
