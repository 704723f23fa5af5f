/*
 * features.c: which of chapter 15's features does this kernel have? Try each.
 *
 * One row per feature, in the order the kernel gained them: its name, the
 * mainline release that added it, and what this kernel did when the feature
 * was used once, for real, on a page or a file of the program's own:
 * "works", or the errno it answered (ENOSYS: no such system call, or one
 * turned off at boot (memfd_secret), or a seccomp filter that answers so, as
 * Podman's default profile does for every call it does not list; EINVAL: an
 * advice value or mmap type it does not know (an unknown mmap flag would be
 * ignored, not refused); ENOTTY: an ioctl it does not know;
 * EPERM: refused, by a seccomp filter (Docker's default profile, or Podman's
 * for the calls it names, userfaultfd and process_madvise among them) or a
 * missing privilege), "absent" for a sysfs directory that is not there, "not
 * offered" for a userfaultfd feature bit the kernel did not list. A feature
 * bit it lists is then used on a page, and its row says "works" only when
 * /proc/self/pagemap shows the effect ("offered, but ..." and what went
 * wrong otherwise). The rows are what the chapter's opening table is made
 * of, one run per kernel.
 *
 * Nothing is inferred from the version number: a distribution kernel may
 * have a feature backported, or configured out, or turned off by a boot
 * parameter (memfd_secret before 6.5).
 *
 * Usage: features [-h]
 * Tour:
 * Man pages: process_madvise(2), memfd_secret(2), madvise(2), cachestat(2),
 *            userfaultfd(2), ioctl_userfaultfd(2), mseal(2), mmap(2), proc(5)
 */
#include "modern.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

static size_t ps;

/* One row: the feature, its release, and what happened (ok, or errno). */
static void row(const char *feature, const char *release, int ok,
                const char *detail)
{
    printf("%-30s %-6s %s\n", feature, release,
           ok ? (detail ? detail : "works") : detail);
}

/* A row for a call that returned R (-1 with errno on failure). */
static void row_rc(const char *feature, const char *release, long r)
{
    int err = errno;
    row(feature, release, r != -1, r == -1 ? wb_errname(err) : NULL);
}

/* A fresh private anonymous region of N pages, written; NULL on failure. */
static char *fresh(size_t n)
{
    char *p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu pages", n);
    memset(p, 'x', n * ps);
    return p;
}

static void try_process_madvise(void)
{
    char *p = fresh(1);
    int pidfd = sys_pidfd_open(getpid(), 0);
    if (pidfd == -1) {
        row("process_madvise(2)", "5.10", 0,
            errno == ENOSYS ? "ENOSYS (no pidfd_open)" : wb_errname(errno));
    } else {
        struct iovec iov = {.iov_base = p, .iov_len = ps};
        row_rc("process_madvise(2)", "5.10",
               sys_process_madvise(pidfd, &iov, 1, MADV_COLD, 0));
        close(pidfd);
    }
    munmap(p, ps);
}

static void try_memfd_secret(void)
{
    int fd = sys_memfd_secret(O_CLOEXEC);
    if (fd == -1) {
        row_rc("memfd_secret(2)", "5.14", -1);
        return;
    }
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate memfd_secret");
    char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        char why[64];
        snprintf(why, sizeof why, "mmap: %s", wb_errname(errno));
        row("memfd_secret(2)", "5.14", 0, why);
    } else {
        memcpy(p, "secret", 7);
        row("memfd_secret(2)", "5.14", 1, NULL);
        munmap(p, ps);
    }
    close(fd);
}

static void try_collapse(void)
{
    /* A 2 MiB-aligned 2 MiB range inside a 4 MiB mapping, all written. */
    size_t huge = 2u << 20;
    char *raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        wb_die("mmap 4 MiB");
    char *p = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
    memset(p, 'x', huge);
    errno = 0;
    row_rc("MADV_COLLAPSE", "6.1", madvise(p, huge, MADV_COLLAPSE));
    munmap(raw, 2 * huge);
}

static void try_cachestat(void)
{
    int fd = wb_temp_file("features", NULL);
    char page[64] = "cached";
    if (write(fd, page, sizeof page) != (ssize_t)sizeof page)
        wb_die("write temporary file");
    struct cachestat_range range = {0, 0};
    struct cachestat cs;
    row_rc("cachestat(2)", "6.5", sys_cachestat(fd, &range, &cs, 0));
    close(fd);
}

/* A userfaultfd with FEATURES asked for in the UFFDIO_API handshake, into
 * *OFFERED the features the kernel answered with; -1 (errno set) on failure,
 * which for FEATURES it does not know is EINVAL. */
static int uffd_open(unsigned long long features, unsigned long long *offered)
{
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    if (fd == -1)
        fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
    if (fd == -1)
        return -1;
    struct uffdio_api api = {.api = UFFD_API, .features = features};
    if (ioctl(fd, UFFDIO_API, &api) == -1) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    *offered = api.features;
    return fd;
}

/* Bit 57 of P's /proc/self/pagemap entry: the page is write-protected by
 * userfaultfd (Documentation/admin-guide/mm/pagemap.rst). */
static int uffd_wp_bit(const char *p)
{
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open /proc/self/pagemap");
    uint64_t e;
    if (pread(fd, &e, sizeof e, (off_t)((uintptr_t)p / ps * sizeof e)) !=
        (ssize_t)sizeof e)
        wb_die("read /proc/self/pagemap");
    close(fd);
    return (int)(e >> 57 & 1);
}

/*
 * A row for one userfaultfd write-protect feature BIT, used once. A page is
 * registered for write-protection and protected with UFFDIO_WRITEPROTECT.
 * WP_UNPOPULATED: the page was never touched; the feature is there when its
 * pagemap entry then says "write-protected" (without it the kernel skips an
 * empty page table entry and marks nothing). WP_ASYNC: the page was written
 * first, then is written again with no handler reading the userfaultfd; the
 * feature is there when the store goes through and the kernel has lifted
 * the protection. (Without the feature that store would wait for a handler
 * forever, so it is made only after UFFDIO_API has accepted the feature.)
 * "not offered" is a bit missing from the kernel's UFFDIO_API answer.
 */
static void try_uffd(const char *feature, const char *release,
                     unsigned long long bit)
{
    unsigned long long f = 0;
    int fd = uffd_open(0, &f);
    if (fd == -1) {
        row(feature, release, 0, wb_errname(errno));
        return;
    }
    close(fd);
    if (!(f & bit)) {
        row(feature, release, 0, "not offered");
        return;
    }
    if ((fd = uffd_open(bit, &f)) == -1) {
        char why[64];
        snprintf(why, sizeof why, "offered, but UFFDIO_API: %s",
                 wb_errname(errno));
        row(feature, release, 0, why);
        return;
    }
    char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap 1 page");
    int async = bit == UFFD_FEATURE_WP_ASYNC;
    if (async)
        p[0] = 'x';
    struct uffdio_register reg = {
        .range = {.start = (uintptr_t)p, .len = ps},
        .mode = UFFDIO_REGISTER_MODE_WP,
    };
    struct uffdio_writeprotect wp = {
        .range = {.start = (uintptr_t)p, .len = ps},
        .mode = UFFDIO_WRITEPROTECT_MODE_WP,
    };
    const char *why = NULL, *step = "UFFDIO_REGISTER";
    char buf[64];
    int r = ioctl(fd, UFFDIO_REGISTER, &reg);
    if (r == 0) {
        step = "UFFDIO_WRITEPROTECT";
        r = ioctl(fd, UFFDIO_WRITEPROTECT, &wp);
    }
    if (r == -1) {
        snprintf(buf, sizeof buf, "offered, but %s: %s", step,
                 wb_errname(errno));
        why = buf;
    } else if (!uffd_wp_bit(p)) {
        why = async ? "offered, but the written page was not protected"
                    : "offered, but the untouched page was not protected";
    } else if (async) {
        p[0] = 'y';
        if (uffd_wp_bit(p))
            why = "offered, but the store left the page protected";
    }
    row(feature, release, why == NULL, why);
    close(fd);
    munmap(p, ps);
}

static void try_pagemap_scan(void)
{
    char *p = fresh(1);
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open /proc/self/pagemap");
    struct page_region regions[4];
    struct pm_scan_arg arg = {
        .size = sizeof arg,
        .start = (uintptr_t)p,
        .end = (uintptr_t)p + ps,
        .vec = (uintptr_t)regions,
        .vec_len = 4,
        .category_mask = PAGE_IS_PRESENT,
        .return_mask = PAGE_IS_PRESENT,
    };
    row_rc("PAGEMAP_SCAN ioctl", "6.7", ioctl(fd, PAGEMAP_SCAN, &arg));
    close(fd);
    munmap(p, ps);
}

static void try_mthp(void)
{
    /* mTHP adds one directory per size beside the PMD size's. */
    static const char *const sizes[] = {"16",  "32",  "64",  "128",
                                        "256", "512", "1024"};
    int n = 0, on = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char path[96], val[64];
        snprintf(path, sizeof path,
                 "/sys/kernel/mm/transparent_hugepage/hugepages-%skB/enabled",
                 sizes[k]);
        if (wb_knob_choice(path, val, sizeof val) == 0) {
            n++;
            on += strcmp(val, "never") != 0;
        }
    }
    /* The knobs say what the kernel offers; whether a fault gets such a
     * folio depends on them (section "Huge pages of every size"). */
    char what[96];
    snprintf(what, sizeof what,
             "knobs for %d sizes below the PMD size, %d not never", n, on);
    row("mTHP (hugepages-NkB)", "6.8", n > 0, n > 0 ? what : "absent");
}

static void try_mseal(void)
{
    char *p = fresh(1);
    row_rc("mseal(2)", "6.10", sys_mseal(p, ps, 0));
    /* sealed or not, it stays mapped until exit */
}

static void try_droppable(void)
{
    char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
                   MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
    row_rc("MAP_DROPPABLE", "6.11", p == MAP_FAILED ? -1 : 0);
    if (p != MAP_FAILED)
        munmap(p, ps);
}

static void try_procmap_query(void)
{
    char *p = fresh(1);
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open /proc/self/maps");
    struct procmap_query q = {.size = sizeof q, .query_addr = (uintptr_t)p};
    row_rc("PROCMAP_QUERY ioctl", "6.11", ioctl(fd, PROCMAP_QUERY, &q));
    close(fd);
    munmap(p, ps);
}

static void try_guard(void)
{
    char *p = fresh(2);
    row_rc("MADV_GUARD_INSTALL", "6.13", madvise(p, ps, MADV_GUARD_INSTALL));
    munmap(p, 2 * ps);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    struct utsname u;
    if (uname(&u) == -1)
        wb_die("uname");
    printf("kernel %s\n", u.release);
    if (wb_on_valgrind())
        printf("under Valgrind, which answers ENOSYS for the system calls it "
               "does not know: the rows are Valgrind's, not the kernel's\n");
    printf("%-30s %-6s %s\n", "feature", "added", "this kernel");
    fflush(stdout);
    try_process_madvise();
    try_memfd_secret();
    try_collapse();
    try_uffd("UFFD_FEATURE_WP_UNPOPULATED", "6.4", UFFD_FEATURE_WP_UNPOPULATED);
    try_cachestat();
    try_uffd("UFFD_FEATURE_WP_ASYNC", "6.7", UFFD_FEATURE_WP_ASYNC);
    try_pagemap_scan();
    try_mthp();
    try_mseal();
    try_droppable();
    try_procmap_query();
    try_guard();
    return 0;
}
