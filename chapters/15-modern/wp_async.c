/*
 * wp_async.c: dirty-page tracking with asynchronous userfaultfd
 * write-protection (UFFD_FEATURE_WP_ASYNC, Linux 6.7) and PAGEMAP_SCAN.
 *
 * With UFFD_FEATURE_WP_ASYNC the kernel resolves a write fault on a
 * write-protected page by itself: no message, no handler thread, the store
 * goes on at once, and the page is left marked "written" (PAGE_IS_WRITTEN).
 * One PAGEMAP_SCAN ioctl with PM_SCAN_WP_MATCHING then returns the runs of
 * written pages and protects them again, atomically: the next scan returns
 * what was written since this one. That is a dirty log, what the pre-copy
 * algorithm of live migration needs (QEMU runs it on a dirty log it gets
 * from KVM, not this one; the kernel interface was added for Wine's
 * emulation of Windows' GetWriteWatch). It does the job of the older
 * soft-dirty bits (/proc/PID/clear_refs and bit 55 of /proc/PID/pagemap),
 * which cost a clear and a read of 8 bytes per page.
 *
 * Part 1, by hand: stores into known pages, and the scans that follow.
 * Part 2, pre-copy: a writer thread keeps storing into a hot set of pages
 * (and now and then anywhere); the program copies the whole region once,
 * then in rounds copies only what the scan says was written since, until the
 * dirty set stops shrinking (it has come down to what the writer dirties in
 * one round) or 8 rounds have passed; then it stops the writer, copies the
 * last dirty pages, and compares the copy with the region byte for byte.
 * It prints the writer's stores in the first and the last round, the
 * fewest in any one round, and the stores since the last scan: the stop
 * comes just after that scan, so the last dirty set is small because the
 * writer had little time, not because pre-copy converged.
 *
 * Needs Linux 6.7 (WP_ASYNC and PAGEMAP_SCAN) and userfaultfd(2) (see
 * wp_snapshot.c for who may use it); elsewhere it says what is missing.
 *
 * Usage: wp_async [-h] [PAGES]   PAGES 256..65536, default 1024
 * Man pages: userfaultfd(2), ioctl_userfaultfd(2); the kernel's
 *            Documentation/admin-guide/mm/pagemap.rst (PAGEMAP_SCAN) and
 *            Documentation/admin-guide/mm/userfaultfd.rst
 */
#include "modern.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { VEC = 4096, HOT = 32 };

static size_t ps, npages;
static char *region, *copy;
static int uffd = -1, pagemap_fd = -1;
static struct page_region vec[VEC];
static atomic_bool stop_writer;
static atomic_ulong stores;

/* [scan] */
/* The runs of pages written since the last scan, protected again in the
 * same call. Returns the number of runs (in vec), pages in *npg. */
static long scan_written(size_t *npg)
{
    struct pm_scan_arg a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC;
    a.start = (uintptr_t)region;
    a.end = (uintptr_t)region + npages * ps;
    a.vec = (uintptr_t)vec;
    a.vec_len = VEC;
    a.category_mask = PAGE_IS_WRITTEN;
    a.return_mask = PAGE_IS_WRITTEN;
    long n = ioctl(pagemap_fd, PAGEMAP_SCAN, &a);
    if (n < 0)
        wb_die("PAGEMAP_SCAN");
    if (a.walk_end != a.end)
        wb_fatal("PAGEMAP_SCAN stopped early (more than %d runs)", VEC);
    *npg = 0;
    for (long i = 0; i < n; i++)
        *npg += (vec[i].end - vec[i].start) / ps;
    return n;
}
/* [scan] */

static void print_runs(long n)
{
    printf("  written since the last scan:");
    if (n == 0)
        printf(" none");
    for (long i = 0; i < n; i++) {
        size_t from = (vec[i].start - (uintptr_t)region) / ps;
        size_t to = (vec[i].end - (uintptr_t)region) / ps;
        if (to - from == 1)
            printf(" %zu", from);
        else
            printf(" %zu-%zu", from, to - 1);
    }
    printf("\n");
}

static void store(size_t page, char c)
{
    region[page * ps + 100] = c;
}

/* A pseudo-random page: all but 1 in 4096 stores hit the first HOT pages.
 * The test for the rare store uses the low 12 bits of x; its page comes
 * from bits 20 and up, which the test left free, so that it can be any
 * page (bits 8 and up would make it a multiple of 16). */
static void *writer(void *arg)
{
    (void)arg;
    uint64_t x = 88172645463325252ULL;
    while (!atomic_load_explicit(&stop_writer, memory_order_relaxed)) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t page =
            x % 4096 == 0 ? (size_t)(x >> 20) % npages : (size_t)(x >> 8) % HOT;
        size_t off = (size_t)(x >> 32) % (ps / 8) * 8;
        __atomic_store_n((uint64_t *)(void *)(region + page * ps + off), x,
                         __ATOMIC_RELAXED);
        /* release: whoever reads the count also sees the store */
        atomic_fetch_add_explicit(&stores, 1, memory_order_release);
    }
    return NULL;
}

static void copy_runs(long n)
{
    for (long i = 0; i < n; i++) {
        size_t off = vec[i].start - (uintptr_t)region;
        memcpy(copy + off, region + off, vec[i].end - vec[i].start);
    }
}

static int open_uffd(void)
{
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd == -1 && errno == EPERM)
        fd = (int)syscall(SYS_userfaultfd,
                          O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    return fd;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages =
        (size_t)(i < argc ? wb_long_arg(argv[i], "pages", 256, 65536) : 1024);
    ps = wb_page_size();
    region = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    copy = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED || copy == MAP_FAILED)
        wb_die("mmap %zu pages", npages);

    uffd = open_uffd();
    if (uffd == -1) {
        int err = errno;
        printf("userfaultfd(2): %s%s: nothing to show here\n", wb_errname(err),
               err == ENOSYS && wb_on_valgrind()
                   ? " (Valgrind does not implement it)"
                   : "");
        return 0;
    }
    /* [setup] */
    struct uffdio_api api = {.api = UFFD_API,
                             .features = UFFD_FEATURE_WP_ASYNC |
                                         UFFD_FEATURE_WP_UNPOPULATED};
    if (ioctl(uffd, UFFDIO_API, &api) != 0) {
        int err = errno;
        printf("UFFDIO_API with UFFD_FEATURE_WP_ASYNC: %s: %s\n",
               wb_errname(err),
               err == EINVAL
                   ? "the asynchronous mode came in Linux 6.7 (before it, "
                     "each write fault is a message a handler must answer: "
                     "wp_snapshot)"
                   : "unexpected (a kernel without the asynchronous mode "
                     "answers EINVAL)");
        return 0;
    }
    struct uffdio_register reg = {
        .range = {.start = (uintptr_t)region, .len = npages * ps},
        .mode = UFFDIO_REGISTER_MODE_WP,
    };
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
        wb_die("UFFDIO_REGISTER_MODE_WP");
    if ((pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) < 0)
        wb_die("open /proc/self/pagemap");
    size_t np;
    scan_written(&np); /* the first scan protects every page */
    /* [setup] */
    printf("a region of %zu pages, registered for write-protection with "
           "UFFD_FEATURE_WP_ASYNC; "
           "a first PAGEMAP_SCAN (PM_SCAN_WP_MATCHING) protected it all\n",
           npages);

    printf("1. stores into known pages, each followed by a scan\n");
    size_t a[] = {3, 4, 5, 100}, b[] = {4, 200, 201};
    printf("  store into pages 3 4 5 100\n");
    for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
        store(a[k], 'a');
    print_runs(scan_written(&np));
    printf("  store into pages 4 200 201, and into page 4 again\n");
    for (size_t k = 0; k < sizeof b / sizeof b[0]; k++)
        store(b[k], 'b');
    store(4, 'c');
    print_runs(scan_written(&np));
    printf("  no stores\n");
    print_runs(scan_written(&np));
    struct uffd_msg msg;
    ssize_t got = read(uffd, &msg, sizeof msg);
    printf("  messages on the userfaultfd: %s\n",
           got < 0 && errno == EAGAIN
               ? "none (EAGAIN): the kernel resolved every write fault itself"
               : "SOME (unexpected)");

    printf(
        "2. pre-copy while a writer thread stores (mostly into %d hot pages)\n",
        HOT);
    pthread_t w;
    if ((errno = pthread_create(&w, NULL, writer, NULL)) != 0)
        wb_die("pthread_create");
    scan_written(&np); /* start the log */
    unsigned long made[9], before = atomic_load(&stores);
    memcpy(copy, region, npages * ps);
    printf("  round 0: copied all %zu pages\n", npages);
    int round;
    size_t last = SIZE_MAX, again = 0, first = 0;
    for (round = 1; round <= 8; round++) {
        struct timespec t = {0,
                             2000000}; /* the copier's pace: a round per 2 ms */
        nanosleep(&t, NULL);
        /* the count first: a store it includes is done before the scan */
        unsigned long now = atomic_load(&stores);
        long n = scan_written(&np);
        made[round] = now - before, before = now;
        copy_runs(n);
        again += np;
        if (round == 1)
            first = np;
        if (np >= last) /* no longer shrinking: one round's worth */
            break;
        last = np;
    }
    if (round > 8)
        round = 8;
    printf("  rounds 1 to %d, one per 2 ms: %zu pages written since round 0 in "
           "round 1, %zu in the last; "
           "%zu copied again in all\n",
           round, first, np, again);
    /* a writer that got no CPU makes a quiet log, not a converged one: a
     * round with no stores shows it */
    unsigned long fewest = made[1];
    for (int r = 2; r <= round; r++)
        if (made[r] < fewest)
            fewest = made[r];
    printf("  the writer's stores: %lu in round 1, %lu in the last; the fewest "
           "in one round: %lu\n",
           made[1], made[round], fewest);
    atomic_store(&stop_writer, true);
    pthread_join(w, NULL);
    long n = scan_written(&np);
    copy_runs(n);
    unsigned long total = atomic_load(&stores);
    printf("  stop the writer (after %lu stores, %lu since just before the "
           "last round's scan) and copy the %zu pages of the last scan "
           "(stop-and-copy)\n",
           total, total - before, np);
    int same = memcmp(copy, region, npages * ps) == 0;
    printf("  the copy equals the region: %s\n", same ? "yes" : "NO");
    return same ? 0 : 1;
}
