/*
 * fault_around.c: a read fault on a cached file maps a 16-page window (or more); anonymous memory gets 1.
 *
 * When a read fault hits a file page that is already in the page cache, the
 * kernel does not map just that page: it also maps the neighbours that are
 * in the cache, in a window of fault_around_bytes (64 KiB, 16 pages)
 * aligned to that size in the address space. Up to Linux 6.17 a fault on a
 * disk file maps nothing outside the window, except a 2 MiB folio at a
 * 2 MiB-aligned address, mapped whole by one PMD entry (shmem's large
 * folios could already be mapped whole by finish_fault(): README). Since
 * 6.18 (357b92761d94)
 * a large folio the window reaches is mapped whole when it lies inside the
 * mapping and inside one page table; the window then decides the count only
 * where the page cache holds single pages. The demo measures it. It makes
 * a memfd (tmpfs) of PAGES pages (default 1024), written one page at a time
 * with write(2) so that the page cache holds single pages, maps it at an
 * address that is a multiple of 64 KiB, touches one byte per page in several
 * ways and counts the minor faults (getrusage) of each: reading every page,
 * every 16th page, backwards, with MADV_RANDOM, from a mapping one page off
 * the alignment, writing every page (a write fault on a private mapping
 * copies one page: no fault-around), through MAP_SHARED; then anonymous
 * memory (no page cache, no fault-around); then two files in $TMPDIR, one
 * written page by page and one written with a single write(2), after which a
 * file system with large folios (ext4 since 6.16) holds it in big folios that
 * a fault can map whole (chapter 13's README says when: it depends on the
 * kernel version and, on 6.18, on whether the folio ends the file).
 *
 * fault_around_bytes can be read (and changed, by root) in debugfs; when
 * the file cannot be read the demo prints why (the errno: ENOENT when
 * debugfs is not mounted, EACCES or EPERM when it refuses this process)
 * and assumes the kernel's default. The
 * touch loops are compiled without AddressSanitizer's checks, so that ASan's
 * shadow memory does not add faults of its own.
 *
 * Usage: fault_around [-h] [PAGES]     PAGES 16..65536
 * Tour:
 * Man pages: mmap(2), madvise(2), memfd_create(2), getrusage(2), statfs(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#define NO_ASAN           __attribute__((no_sanitize_address))
#define FAULT_AROUND_FILE "/sys/kernel/debug/fault_around_bytes"

static size_t ps, npages, win; /* page size, pages mapped, window bytes */

/* fault_around_bytes from debugfs, or the default with the reason the knob
 * could not be read: the errno of the step that failed, and what it means
 * here (ENOENT: no such file, as when debugfs is not mounted; EACCES or
 * EPERM: refused to this process). */
static size_t window_bytes(void)
{
    char buf[32];
    const char *step = "open";
    ssize_t n = -1;
    int err = 0;
    int fd = open(FAULT_AROUND_FILE, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        err = errno;
    } else {
        n = read(fd, buf, sizeof buf - 1);
        if (n == -1)
            err = errno, step = "read";
        close(fd);
    }
    unsigned long v = 0;
    char *end = NULL;
    if (n > 0) {
        buf[n] = '\0';
        errno = 0;
        v = strtoul(buf, &end, 10);
    }
    if (n > 0 && errno == 0 && end != buf && (*end == '\n' || *end == '\0') &&
        v >= ps) {
        printf("fault_around_bytes: %lu (read from %s)", v, FAULT_AROUND_FILE);
    } else {
        v = 65536;
        if (err == 0)
            printf("fault_around_bytes: %lu (%s holds no size of a page or "
                   "more; assuming the kernel's default, 64 KiB)",
                   v, FAULT_AROUND_FILE);
        else
            printf("fault_around_bytes: %lu (%s %s: %s: %s; assuming the "
                   "kernel's default, 64 KiB)",
                   v, step, FAULT_AROUND_FILE, wb_errname(err),
                   err == ENOENT ? "no such file (debugfs is not mounted "
                                   "here, or the kernel has no such knob)"
                   : err == EACCES || err == EPERM
                       ? "permission refused: this process may not read it"
                       : strerror(err));
    }
    printf(" = %zu pages\n", (size_t)v / ps);
    return v;
}

static const char *fs_name(int fd)
{
    struct statfs s;
    if (fstatfs(fd, &s) == -1)
        wb_die("fstatfs");
    switch ((unsigned long)s.f_type) {
    case 0xEF53: return "ext2/3/4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683EUL: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: return "another file system";
    }
}

/* A file of npages pages of 'x', written CHUNK bytes per write(2). */
static void fill(int fd, size_t chunk)
{
    char *buf = malloc(chunk);
    if (buf == NULL)
        wb_die("malloc");
    memset(buf, 'x', chunk);
    for (size_t done = 0; done < npages * ps; done += chunk)
        if (write(fd, buf, chunk) != (ssize_t)chunk)
            wb_die("write");
    free(buf);
}

/* Touch one byte in every STRIDE-th page, forwards or backwards. */
NO_ASAN static size_t touch(volatile char *p, size_t stride, int backwards,
                            int write)
{
    size_t n = 0;
    char sink = 0;
    for (size_t k = 0; k < npages; k += stride, n++) {
        size_t pg = backwards ? npages - 1 - k : k;
        if (write)
            p[pg * ps] = 1;
        else
            sink += p[pg * ps];
    }
    (void)sink;
    return n;
}

struct way {
    const char *mapping, *access;
    int fd;        /* -1: anonymous */
    int flags;     /* MAP_PRIVATE or MAP_SHARED */
    size_t skew;   /* pages past the window boundary the mapping starts */
    size_t stride; /* touch every stride-th page */
    int backwards; /* touch from the last page down */
    int write;     /* write instead of read */
    int advice;    /* madvise advice, or -1 */
    size_t align;  /* the mapping starts at a multiple of this (0: win) */
};

/* [measure] */
/* Map as W says, at an aligned address (plus W->skew pages), touch the pages
 * and print the row. */
static void measure(const struct way *w)
{
    size_t align = w->align ? w->align : win;
    size_t len = npages * ps, span = len + align + w->skew * ps;
    char *res = mmap(NULL, span, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED)
        wb_die("mmap reservation");
    uintptr_t a = ((uintptr_t)res + align - 1) / align * align + w->skew * ps;
    int flags = w->flags | MAP_FIXED | (w->fd == -1 ? MAP_ANONYMOUS : 0);
    char *p = mmap((void *)a, len, PROT_READ | PROT_WRITE, flags, w->fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %s", w->mapping);
    if (w->fd == -1 && madvise(p, len, MADV_NOHUGEPAGE) == -1)
        printf("(madvise MADV_NOHUGEPAGE: %s)\n", wb_errname(errno));
    if (w->advice != -1 && madvise(p, len, w->advice) == -1)
        wb_die("madvise");

    long f0 = wb_minor_faults();
    size_t touched = touch(p, w->stride, w->backwards, w->write);
    long faults = wb_minor_faults() - f0;

    printf("  %-28s %-26s %6zu %6ld %8.1f\n", w->mapping, w->access, touched,
           faults, faults > 0 ? (double)touched / (double)faults : 0.0);
    if (w->align != 0) {
        long pmd = wb_smaps_kb(p, "FilePmdMapped");
        printf("  %-28s (smaps: FilePmdMapped %ld kB: that much is mapped by "
               "2 MiB entries)\n",
               "", pmd < 0 ? 0 : pmd);
    }
    if (munmap(res, span) == -1)
        wb_die("munmap");
}
/* [measure] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    ps = wb_page_size();
    npages = i < argc ? (size_t)wb_long_arg(argv[i], "pages", 16, 65536) : 1024;

    win = window_bytes();
    int mfd = memfd_create("fault_around", MFD_CLOEXEC);
    if (mfd == -1)
        wb_die("memfd_create");
    fill(mfd, ps);
    int ffd = wb_temp_file("fault_around", NULL);
    fill(ffd, ps);
    int bfd = wb_temp_file("fault_around", NULL);
    fill(bfd, npages * ps);
    const char *fs = fs_name(ffd);

    printf("every mapping: %zu pages at an address that is a multiple of %zu "
           "KiB (the last: of 2 MiB)\n",
           npages, win / 1024);
    printf("the memfd and the first file were written one page per write(2), "
           "the second file with one write(2)\n\n");
    printf("  %-28s %-26s %6s %6s %8s\n", "mapping", "access", "pages",
           "faults", "pages/fault");
    char skewed[64], every[64], tmpf[64];
    snprintf(skewed, sizeof skewed, "read all, 1 page off %zuK", win / 1024);
    snprintf(every, sizeof every, "read every %zuth page", win / ps);
    snprintf(tmpf, sizeof tmpf, "file (%s) MAP_PRIVATE", fs);
    const size_t H = 2 << 20; /* a PMD: one page table maps 2 MiB */
    const int P = MAP_PRIVATE, S = MAP_SHARED;
    /* mapping, access, fd, flags, skew, stride, backwards, write, advice,
     * align */
    const struct way ways[] = {
        {"memfd MAP_PRIVATE", "read all", mfd, P, 0, 1, 0, 0, -1, 0},
        {"memfd MAP_PRIVATE", every, mfd, P, 0, win / ps, 0, 0, -1, 0},
        {"memfd MAP_PRIVATE", "read all, backwards", mfd, P, 0, 1, 1, 0, -1, 0},
        {"memfd MAP_PRIVATE", "read all, MADV_RANDOM", mfd, P, 0, 1, 0, 0,
         MADV_RANDOM, 0},
        {"memfd MAP_PRIVATE", skewed, mfd, P, 1, 1, 0, 0, -1, 0},
        {"memfd MAP_PRIVATE", "write all", mfd, P, 0, 1, 0, 1, -1, 0},
        {"memfd MAP_SHARED", "read all", mfd, S, 0, 1, 0, 0, -1, 0},
        {"anonymous", "read all", -1, P, 0, 1, 0, 0, -1, 0},
        {"anonymous", "write all", -1, P, 0, 1, 0, 1, -1, 0},
        {tmpf, "read all", ffd, P, 0, 1, 0, 0, -1, 0},
        {"one-write file", "read all, 2 MiB-aligned", bfd, P, 0, 1, 0, 0, -1,
         H},
    };
    for (size_t k = 0; k < sizeof ways / sizeof ways[0]; k++)
        measure(&ways[k]);
    close(mfd);
    close(ffd);
    close(bfd);
    return 0;
}
