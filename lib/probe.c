/*
 * probe.c: the machine probe, facts a lesson depends on, each measured by
 * doing the thing (wb.h, "The machine probe").
 *
 * Every function here is cached per process, takes at most a few
 * milliseconds, and never exits: a step that fails gives WB_UNKNOWN or a
 * documented default, never wb_die().
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/* Pages in each measured region: enough to be clear, few enough to be fast. */
enum { PROBE_PAGES = 64 };

/* smaps' Rss of the VMA at p in kB, or -1 (never exits, unlike a bare
 * wb_smaps_kb() where /proc is missing). */
static long rss_kb(const void *p)
{
    if (access("/proc/self/smaps", R_OK) == -1)
        return -1;
    return wb_smaps_kb(p, "Rss");
}

/*
 * A fresh private anonymous region of @p len bytes aligned to @p align,
 * with a PROT_NONE page on each side so that no neighbour merges with its
 * VMA (smaps then counts this region alone). Returns NULL on failure; free
 * with unmap_fenced().
 */
static char *map_fenced(size_t len, size_t align)
{
    size_t ps = wb_page_size();
    size_t total = len + align + 2 * ps;
    char *base = mmap(NULL, total, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    unsigned long a = (unsigned long)base + ps;
    a = (a + align - 1) / align * align;
    char *p = mmap((char *)a, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) {
        munmap(base, total);
        return NULL;
    }
    /* Keep one PROT_NONE page each side, return the rest. */
    char *lo = base, *lo_end = p - ps;
    char *hi = p + len + ps, *hi_end = base + total;
    if (lo_end > lo)
        munmap(lo, (size_t)(lo_end - lo));
    if (hi_end > hi)
        munmap(hi, (size_t)(hi_end - hi));
    return p;
}

static void unmap_fenced(char *p, size_t len)
{
    size_t ps = wb_page_size();
    munmap(p - ps, len + 2 * ps);
}

enum wb_fact wb_probe_zero_page(void)
{
    static int cached = -2;
    if (cached != -2)
        return (enum wb_fact)cached;
    size_t ps = wb_page_size();
    size_t len = PROBE_PAGES * ps;
    enum wb_fact r = WB_UNKNOWN;
    char *p = map_fenced(len, ps);
    if (p != NULL) {
        madvise(p, len, MADV_NOHUGEPAGE); /* absent without THP: fine */
        unsigned sum = 0;
        for (size_t off = 0; off < len; off += ps)
            sum += ((volatile char *)p)[off];
        (void)sum;
        long kb = rss_kb(p);
        long all_kb = (long)(len / 1024);
        if (kb >= 0 && kb <= all_kb / 4)
            r = WB_YES; /* reads left Rss (almost) empty: the zero page */
        else if (kb >= all_kb * 3 / 4)
            r = WB_NO; /* each read got a private page */
        unmap_fenced(p, len);
    }
    cached = r;
    return r;
}

size_t wb_probe_anon_fault_pages(void)
{
    static size_t cached;
    if (cached != 0)
        return cached;
    /* 1 MiB, aligned to itself: room for any mTHP size below PMD (2 MiB
     * on x86-64), too small for a PMD huge page. */
    size_t ps = wb_page_size();
    size_t len = 1024 * 1024;
    if (len < 16 * ps)
        len = 16 * ps;
    size_t npages = len / ps;
    size_t r = 1;
    char *p = map_fenced(len, len);
    if (p != NULL) {
        long before = wb_minor_faults();
        for (size_t off = 0; off < len; off += ps)
            ((volatile char *)p)[off] = 1;
        long faults = wb_minor_faults() - before;
        if (faults > 0) {
            /* Round to the nearest power of two: a stray fault (the stack,
             * getrusage itself) must not turn 16 into 15. */
            double per = (double)npages / (double)faults;
            r = 1;
            while ((double)(r * 2) <= per * 1.4 && r * 2 <= npages)
                r *= 2;
        }
        unmap_fenced(p, len);
    }
    cached = r;
    return r;
}

/* An unlinked temporary file under $TMPDIR (or /tmp), or -1. */
static int probe_temp_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    if ((size_t)snprintf(path, sizeof path, "%s/wb-probe.XXXXXX", dir) >=
        sizeof path)
        return -1;
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd == -1)
        return -1;
    unlink(path);
    return fd;
}

/* A memfd, asking for a non-executable one first (vm.memfd_noexec=2
 * refuses the others), or -1. */
static int probe_memfd(unsigned flags)
{
    int fd = memfd_create("wb-probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL | flags);
    if (fd == -1 && errno == EINVAL) /* before 6.3 */
        fd = memfd_create("wb-probe", MFD_CLOEXEC | flags);
    return fd;
}

size_t wb_probe_file_fault_pages(void)
{
    static size_t cached;
    if (cached != 0)
        return cached;
    size_t ps = wb_page_size();
    size_t len = PROBE_PAGES * ps;
    size_t r = 16; /* the kernel's default fault_around_bytes, 64 KiB */
    int fd = probe_temp_file();
    if (fd == -1)
        fd = probe_memfd(0); /* shmem: fault-around applies there too */
    char *buf = malloc(len);
    if (fd != -1 && buf != NULL) {
        memset(buf, 'w', len);
        /* Fault-around maps a window aligned to its own size: it starts at
         * the mapping's first page only if the mapping is aligned. At an
         * unaligned address the window is cut short (one page, 15 pages
         * into a 16-page window), so the probe maps the file at an address
         * aligned to its length. */
        /* The file is written a page at a time, so that the page cache
         * holds it in single pages (a large write may get large folios,
         * and 6.18 maps a whole folio per fault): what is measured is the
         * fault-around window, the least a read fault maps. */
        size_t done = 0;
        while (done < len && pwrite(fd, buf, ps, (off_t)done) == (ssize_t)ps)
            done += ps;
        if (done == len) {
            char *fence = map_fenced(len, len);
            char *p = fence == NULL ? MAP_FAILED
                                    : mmap(fence, len, PROT_READ,
                                           MAP_PRIVATE | MAP_FIXED, fd, 0);
            if (p != MAP_FAILED) {
                (void)((volatile char *)p)[0];
                long kb = rss_kb(p);
                if (kb > 0)
                    r = (size_t)kb * 1024 / ps;
            }
            if (fence != NULL)
                unmap_fenced(fence, len);
        }
    }
    free(buf);
    if (fd != -1)
        close(fd);
    cached = r;
    return r;
}

double wb_probe_fault_ns(void)
{
    static double cached = -1;
    if (cached >= 0)
        return cached;
    enum { ROUNDS = 5, N = 256 };
    size_t ps = wb_page_size();
    size_t len = N * ps;
    double t[ROUNDS];
    int done = 0;
    for (int k = 0; k < ROUNDS; k++) {
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        madvise(p, len, MADV_NOHUGEPAGE); /* one page per fault */
        double t0 = wb_now_us();
        for (size_t off = 0; off < len; off += ps)
            ((volatile char *)p)[off] = 1;
        t[done++] = (wb_now_us() - t0) * 1000.0 / N;
        munmap(p, len);
    }
    double r = 0;
    if (done > 0) {
        wb_sort_doubles(t, (size_t)done);
        r = t[done / 2];
    }
    cached = r;
    return r;
}

/* wb_seccomp_filtered: 1 if a seccomp filter is on this process. */
static int wb_seccomp_filtered(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    int filtered = 0;
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "Seccomp:", 8) == 0)
            filtered = atoi(line + 8) == 2;
    fclose(f);
    return filtered;
}

enum wb_fact wb_probe_userfaultfd(const char **why)
{
    static int cached = -2;
    static char reason[160];
    if (cached == -2) {
        if (wb_on_valgrind()) {
            /* Valgrind refuses it with ENOSYS: not for this process. */
            cached = WB_NO;
            snprintf(reason, sizeof reason,
                     "ENOSYS: Valgrind does not support userfaultfd");
        } else {
            int user_mode_only = 1;
            long fd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
            if (fd == -1 && errno == EINVAL) { /* before 5.11 */
                user_mode_only = 0;
                fd = syscall(SYS_userfaultfd, O_CLOEXEC);
            }
            if (fd >= 0) {
                struct uffdio_api api = {.api = UFFD_API};
                if (ioctl((int)fd, UFFDIO_API, &api) == 0) {
                    cached = WB_YES;
                    reason[0] = '\0';
                } else {
                    cached = WB_NO;
                    snprintf(reason, sizeof reason,
                             "%s: the UFFDIO_API handshake failed",
                             wb_errname(errno));
                }
                close((int)fd);
            } else {
                int err = errno;
                char knob[32];
                const char *cause;
                /* Since 5.11 a knob of 0 still allows UFFD_USER_MODE_ONLY,
                 * so an EPERM for that flag is not the knob's. */
                int knob0 =
                    wb_read_knob("/proc/sys/vm/unprivileged_userfaultfd", knob,
                                 sizeof knob) == 0 &&
                    strcmp(knob, "0") == 0;
                if (err == ENOSYS)
                    cause = "the kernel lacks CONFIG_USERFAULTFD, or a "
                            "seccomp filter refuses it";
                else if (err == EPERM && knob0 && !user_mode_only)
                    cause = "sysctl vm.unprivileged_userfaultfd is 0 and this "
                            "process lacks CAP_SYS_PTRACE";
                else if (err == EPERM && wb_seccomp_filtered())
                    cause = "a seccomp filter refuses it (Seccomp: 2 in "
                            "/proc/self/status, as in a Docker container)";
                else if (err == EPERM)
                    cause = "refused, though no sysctl or seccomp filter "
                            "explains it (an LSM policy?)";
                else
                    cause = strerror(err);
                cached = WB_NO;
                snprintf(reason, sizeof reason, "%s: %s", wb_errname(err),
                         cause);
            }
        }
    }
    if (why != NULL)
        *why = reason;
    return (enum wb_fact)cached;
}

enum wb_fact wb_probe_sealed_shared_ro(void)
{
    static int cached = -2;
    if (cached != -2)
        return (enum wb_fact)cached;
    size_t ps = wb_page_size();
    enum wb_fact r = WB_UNKNOWN;
    int fd = probe_memfd(MFD_ALLOW_SEALING);
    char *page = calloc(1, ps);
    if (fd != -1 && page != NULL && write(fd, page, ps) == (ssize_t)ps &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0) {
        char *p = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            r = WB_YES;
            munmap(p, ps);
        } else if (errno == EPERM) {
            r = WB_NO;
        }
    }
    free(page);
    if (fd != -1)
        close(fd);
    cached = r;
    return r;
}

enum wb_fact wb_probe_remap_file_pages(void)
{
    static int cached = -2;
    if (cached != -2)
        return (enum wb_fact)cached;
    enum wb_fact r = WB_UNKNOWN;
    if (wb_on_valgrind()) {
        /* Valgrind refuses the call with ENOSYS: not for this process. */
        cached = WB_NO;
        return WB_NO;
    }
    size_t ps = wb_page_size();
    int fd = probe_memfd(0);
    if (fd != -1 && ftruncate(fd, (off_t)(2 * ps)) == 0) {
        char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            /* Show file page 1 at the mapping's first page. */
            if (remap_file_pages(p, ps, 0, 1, 0) == 0)
                r = WB_YES;
            else if (errno == ENOSYS || errno == EPERM)
                r = WB_NO;
            munmap(p, 2 * ps);
        }
    }
    if (fd != -1)
        close(fd);
    cached = r;
    return r;
}

int wb_read_knob(const char *path, char *buf, size_t n)
{
    if (n == 0)
        return -1;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    char *ok = fgets(buf, (int)n, f);
    fclose(f);
    if (ok == NULL)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

int wb_knob_choice(const char *path, char *buf, size_t n)
{
    char line[512];
    if (wb_read_knob(path, line, sizeof line) == -1)
        return -1;
    const char *open = strchr(line, '[');
    const char *close = open ? strchr(open, ']') : NULL;
    const char *from = line;
    size_t len = strlen(line);
    if (open != NULL && close != NULL) {
        from = open + 1;
        len = (size_t)(close - from);
    } /* else a knob with one value: the whole line */
    if (len >= n)
        return -1;
    memcpy(buf, from, len);
    buf[len] = '\0';
    return 0;
}

void wb_compare_zero_page(enum wb_fact seen)
{
    enum wb_fact probe = wb_probe_zero_page();
    if (probe == WB_UNKNOWN)
        printf("  (the machine probe could not tell whether reads map the "
               "zero page here)\n");
    else if (probe == seen)
        printf("  (the machine probe agrees: zero page %s; make doctor)\n",
               probe == WB_YES ? "yes" : "no");
    else
        printf("  (but the machine probe found zero page %s: the two "
               "measurements disagree; make doctor)\n",
               probe == WB_YES ? "yes" : "no");
}
