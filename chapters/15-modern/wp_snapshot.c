/*
 * wp_snapshot.c: a consistent snapshot of memory that another thread keeps
 * writing, with userfaultfd write-protection (UFFDIO_WRITEPROTECT, 5.7).
 *
 * A writer thread numbers its stores 1, 2, 3, ... and puts store c into the
 * first word of page c mod PAGES, as fast as it can. So after store C, every
 * page holds a number the program can predict: the last c <= C that falls
 * on it. A copy is a snapshot of one moment exactly when there is such a C
 * for all its pages at once.
 *
 * First a plain memcpy(), page by page, while the writer runs (with a sleep
 * of 100 us after each page, as a copy written out to a disk or a socket
 * would go; the demo times it): its pages come from different moments.
 *
 * Then the way QEMU's background snapshot does it:
 * register the region with UFFDIO_REGISTER_MODE_WP, write-protect all of it
 * with one UFFDIO_WRITEPROTECT (that ioctl is the moment of the snapshot),
 * and copy. The writer's next store into a page not copied yet blocks in a
 * write fault; a handler thread reads the fault from the userfaultfd, copies
 * that page first, and lifts its protection, which wakes the writer. The
 * copier lifts each page's protection once it has copied it. No store is
 * lost, and a writer waits only while the page it stores into is copied
 * (the demo checks the first, not the second); the copy is checked against
 * the prediction: every page holds what it held after store C.
 *
 * userfaultfd(2) may be refused: the sysctl vm.unprivileged_userfaultfd=0
 * lets an unprivileged process in only with UFFD_USER_MODE_ONLY (5.11),
 * which is all this demo needs (the faults are the writer's own stores); a
 * seccomp filter (Docker's default) refuses it whatever the flags; Valgrind
 * does not implement it. The demo says which and stops.
 *
 * Usage: wp_snapshot [-h] [PAGES]   PAGES 2..65536, default 256
 * Man pages: userfaultfd(2), ioctl_userfaultfd(2) (UFFDIO_REGISTER,
 *            UFFDIO_WRITEPROTECT), poll(2), pthreads(7)
 */
#include "modern.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static size_t ps, npages;
static char *region, *snap;
static bool *copied;
static int uffd = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool stop_writer, stop_handler;
static atomic_ulong last_write; /* the writer's last finished store */
static long by_copier, by_handler, wp_faults;

static uint64_t *word(char *base, size_t page)
{
    return (uint64_t *)(void *)(base + page * ps);
}

static void *writer(void *arg)
{
    (void)arg;
    for (uint64_t c = 1;
         !atomic_load_explicit(&stop_writer, memory_order_relaxed); c++) {
        __atomic_store_n(word(region, c % npages), c, __ATOMIC_RELAXED);
        atomic_store_explicit(&last_write, c, memory_order_relaxed);
    }
    return NULL;
}

/* Pages that do not hold what they held after store C (C: the largest
 * number in the copy). 0: the copy is the region as it was after C. */
static size_t misfits(char *copy, uint64_t *moment)
{
    uint64_t c = 0;
    for (size_t p = 0; p < npages; p++)
        if (*word(copy, p) > c)
            c = *word(copy, p);
    size_t bad = 0;
    for (size_t p = 0; p < npages; p++) {
        /* the last store <= c that lands on page p, or 0 */
        uint64_t want = c >= p ? c - (c - p) % npages : 0;
        bad += *word(copy, p) != want;
    }
    *moment = c;
    return bad;
}

/* [save] */
/* Copy page p into the snapshot if nobody has, then lift its protection;
 * lifting it also wakes a writer blocked on it (no _DONTWAKE). */
static void save_page(size_t p, long *count)
{
    pthread_mutex_lock(&lock);
    if (!copied[p]) {
        memcpy(snap + p * ps, region + p * ps, ps);
        copied[p] = true;
        (*count)++;
    }
    struct uffdio_writeprotect wp = {
        .range = {.start = (uintptr_t)(region + p * ps), .len = ps},
        .mode = 0, /* not _MODE_WP: make the page writable again */
    };
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) != 0)
        wb_die("UFFDIO_WRITEPROTECT page %zu off", p);
    pthread_mutex_unlock(&lock);
}
/* [save] */

/* [handler] */
static void *handler(void *arg)
{
    (void)arg;
    struct pollfd pfd = {.fd = uffd, .events = POLLIN};
    while (!atomic_load(&stop_handler)) {
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        struct uffd_msg msg;
        if (read(uffd, &msg, sizeof msg) != (ssize_t)sizeof msg)
            continue; /* EAGAIN: another wake-up took it */
        if (msg.event != UFFD_EVENT_PAGEFAULT ||
            !(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP))
            continue;
        wp_faults++;
        save_page(
            (size_t)((char *)(uintptr_t)msg.arg.pagefault.address - region) /
                ps,
            &by_handler);
    }
    return NULL;
}
/* [handler] */

static int open_uffd(void)
{
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd == -1 && errno == EPERM) {
        printf("  userfaultfd(2): EPERM; again with UFFD_USER_MODE_ONLY: ");
        fd = (int)syscall(SYS_userfaultfd,
                          O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
        printf("%s\n", fd == -1
                           ? (errno == EPERM ? "EPERM (refused whatever the "
                                               "flags: a seccomp filter, as "
                                               "in a container)"
                                             : wb_errname(errno))
                           : "ok (the writer's faults are user-mode faults)");
    } else if (fd == -1) {
        int err = errno;
        printf("  userfaultfd(2): %s%s\n", wb_errname(err),
               err == ENOSYS && wb_on_valgrind()
                   ? ": Valgrind does not implement this system call"
                   : "");
    } else {
        printf("  userfaultfd(2): ok\n");
    }
    return fd;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages = (size_t)(i < argc ? wb_long_arg(argv[i], "pages", 2, 65536) : 256);
    ps = wb_page_size();
    region = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    snap = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    copied = calloc(npages, sizeof *copied);
    if (region == MAP_FAILED || snap == MAP_FAILED || copied == NULL)
        wb_die("mmap %zu pages", npages);
    /* every page present: in anonymous memory a page never touched cannot
     * be write-protected unless UFFD_FEATURE_WP_UNPOPULATED (6.4) is asked
     * for, and this demo asks for no feature */
    memset(region, 0, npages * ps);

    printf("a region of %zu pages; a writer thread puts store number c into "
           "page c mod %zu, as fast as it can\n",
           npages, npages);
    pthread_t w, h;
    if ((errno = pthread_create(&w, NULL, writer, NULL)) != 0)
        wb_die("pthread_create");
    sleep_ms(20);

    printf("1. a plain copy while the writer runs (memcpy, then a sleep of "
           "100 us a page, as if written out)\n");
    double t0 = wb_now_us();
    for (size_t p = 0; p < npages; p++) {
        memcpy(snap + p * ps + 8, region + p * ps + 8, ps - 8);
        *word(snap, p) = __atomic_load_n(word(region, p), __ATOMIC_RELAXED);
        struct timespec t = {0, 100000};
        nanosleep(&t, NULL);
    }
    /* nanosleep sleeps at least what it is asked, plus the timer slack */
    printf("  the copy took %.1f ms (the sleeps asked for %.1f)\n",
           (wb_now_us() - t0) / 1000, npages * 0.1);
    uint64_t moment;
    size_t bad = misfits(snap, &moment);
    if (bad == 0)
        printf("  the copy fits the moment after store %llu in every page (the "
               "writer did not run during the copy)\n",
               (unsigned long long)moment);
    else
        printf("  the copy fits no single moment: %zu of %zu pages differ from "
               "the region after store %llu, its latest\n",
               bad, npages, (unsigned long long)moment);

    printf("2. a snapshot with userfaultfd write-protection\n");
    uffd = open_uffd();
    if (uffd == -1) {
        atomic_store(&stop_writer, true);
        pthread_join(w, NULL);
        printf("  nothing to show here: the snapshot needs userfaultfd(2)\n");
        return 0;
    }
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(uffd, UFFDIO_API, &api) != 0)
        wb_die("UFFDIO_API");
    /* [register] */
    struct uffdio_register reg = {
        .range = {.start = (uintptr_t)region, .len = npages * ps},
        .mode = UFFDIO_REGISTER_MODE_WP,
    };
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
        int err = errno;
        printf("  UFFDIO_REGISTER_MODE_WP: %s: %s\n", wb_errname(err),
               err == EINVAL
                   ? "anonymous memory needs Linux 5.7 and "
                     "CONFIG_HAVE_ARCH_USERFAULTFD_WP"
                   : "unexpected (a kernel without write-protection of "
                     "anonymous memory answers EINVAL)");
        atomic_store(&stop_writer, true);
        pthread_join(w, NULL);
        return 0;
    }
    if ((errno = pthread_create(&h, NULL, handler, NULL)) != 0)
        wb_die("pthread_create");
    /* the moment of the snapshot: one ioctl protects every page */
    struct uffdio_writeprotect wp = {
        .range = {.start = (uintptr_t)region, .len = npages * ps},
        .mode = UFFDIO_WRITEPROTECT_MODE_WP,
    };
    if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) != 0)
        wb_die("UFFDIO_WRITEPROTECT");
    unsigned long at_moment = atomic_load(&last_write);
    /* [register] */
    printf("  UFFDIO_WRITEPROTECT over all %zu pages (one ioctl): the moment "
           "of the snapshot\n",
           npages);
    for (size_t p = 0; p < npages; p++) {
        save_page(p, &by_copier);
        struct timespec t = {0, 100000}; /* the same pace as the plain copy */
        nanosleep(&t, NULL);
    }
    unsigned long after_copy = atomic_load(&last_write);
    atomic_store(&stop_writer, true);
    pthread_join(w, NULL);
    atomic_store(&stop_handler, true);
    pthread_join(h, NULL);

    printf("  the copier copied %ld pages in order; the handler copied %ld "
           "first, on %ld write faults\n",
           by_copier, by_handler, wp_faults);
    bad = misfits(snap, &moment);
    printf("  the snapshot is the region after store %llu: %s\n",
           (unsigned long long)moment, bad == 0 ? "every page fits" : "NO");
    printf("  (the writer's last finished store, read just after the ioctl "
           "returned: %lu; %lu "
           "stores while the copy ran)\n",
           at_moment, after_copy - at_moment);
    uint64_t end;
    size_t lost = misfits(region, &end);
    printf("  the region after the writer stopped: every page holds its last "
           "store, up to %llu: %s\n",
           (unsigned long long)end, lost == 0 ? "yes, no store lost" : "NO");
    return bad == 0 && lost == 0 ? 0 : 1;
}
