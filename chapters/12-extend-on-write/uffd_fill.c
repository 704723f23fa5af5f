/*
 * uffd_fill.c: userfaultfd fills pages on first touch, from a handler thread.
 *
 * The modern route to "do something on the first access to a page": no
 * signal, no mprotect. An 8-page private anonymous region is registered
 * with a userfaultfd (UFFDIO_REGISTER_MODE_MISSING); the first access to a
 * page that is not there stops the faulting thread and queues an event on
 * the descriptor. A handler thread reads the events and resolves each one:
 * even pages with UFFDIO_COPY (a page of text it writes), odd pages with
 * UFFDIO_ZEROPAGE. The main thread reads and writes a few pages, then lets
 * the kernel write into one with read(2) from /dev/zero: with a full
 * userfaultfd the handler sees that fault too; with a user-mode-only one
 * (what an unprivileged process gets while vm.unprivileged_userfaultfd is 0)
 * the read(2) fails with EFAULT instead. Finally mincore() counts the pages
 * that exist. Where userfaultfd is missing (ENOSYS: an old kernel, or
 * Valgrind, which does not implement the call) the demo says so and stops.
 *
 * Usage: uffd_fill [-h]
 * Tour:
 * Man pages: userfaultfd(2), ioctl_userfaultfd(2), poll(2), mincore(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGES 8

static char *base;
static size_t ps;
static int uffd, stop_pipe[2];
static atomic_long faults; /* counted by the handler thread, read by main */

/* [open] */
/* A userfaultfd, or -1. Unprivileged callers get EPERM unless they give up
 * kernel-mode faults (UFFD_USER_MODE_ONLY, Linux 5.11), or the sysctl
 * vm.unprivileged_userfaultfd is 1. */
static int open_uffd(bool *user_mode_only)
{
    *user_mode_only = false;
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd == -1 && errno == EPERM) {
        printf("userfaultfd(2): EPERM; again with UFFD_USER_MODE_ONLY: ");
        fd = (int)syscall(SYS_userfaultfd,
                          O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
        *user_mode_only = fd != -1;
    } else {
        int err = errno;
        printf("userfaultfd(2): ");
        errno = err; /* the caller reports it */
    }
    return fd;
}
/* [open] */

/* [handler] */
static void *handle_faults(void *arg)
{
    (void)arg;
    char *page = aligned_alloc(ps, ps); /* the source for UFFDIO_COPY */
    if (page == NULL)
        wb_die("aligned_alloc");
    for (;;) {
        struct pollfd pfd[2] = {{.fd = uffd, .events = POLLIN},
                                {.fd = stop_pipe[0], .events = POLLIN}};
        if (poll(pfd, 2, -1) == -1)
            wb_die("poll");
        if (pfd[1].revents != 0)
            break; /* main is done */
        struct uffd_msg msg;
        ssize_t n = read(uffd, &msg, sizeof msg);
        if (n == -1 && errno == EAGAIN)
            continue;
        if (n != (ssize_t)sizeof msg)
            wb_die("read the userfaultfd");
        if (msg.event != UFFD_EVENT_PAGEFAULT)
            continue;
        unsigned long addr = msg.arg.pagefault.address & ~(ps - 1);
        size_t k = (addr - (unsigned long)base) / ps;
        bool is_write = msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE;
        long nth = atomic_fetch_add(&faults, 1) + 1;
        printf("  handler: fault %ld: page %zu, %s -> %s\n", nth, k,
               is_write ? "write" : "read",
               k % 2 == 0 ? "UFFDIO_COPY" : "UFFDIO_ZEROPAGE");
        fflush(stdout);
        if (k % 2 == 0) {
            memset(page, 0, ps);
            snprintf(page, ps, "page %zu, copied in by the handler thread", k);
            struct uffdio_copy copy = {
                .dst = addr, .src = (unsigned long)page, .len = ps};
            if (ioctl(uffd, UFFDIO_COPY, &copy) == -1)
                wb_die("UFFDIO_COPY page %zu", k);
        } else {
            struct uffdio_zeropage zero = {.range = {.start = addr, .len = ps}};
            if (ioctl(uffd, UFFDIO_ZEROPAGE, &zero) == -1)
                wb_die("UFFDIO_ZEROPAGE page %zu", k);
        }
    }
    free(page);
    return NULL;
}
/* [handler] */

/* Copy the start of page K out of the region, away from any stdio lock:
 * a fault while printf() holds stdout's lock would wait for the handler
 * thread, which would wait for the lock. */
static void show_page(size_t k)
{
    char text[64];
    memcpy(text, base + k * ps, sizeof text - 1);
    text[sizeof text - 1] = '\0';
    if (text[0] == '\0')
        printf("  main: page %zu reads as zeros\n", k);
    else
        printf("  main: page %zu starts \"%s\"\n", k, text);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    bool umo;
    uffd = open_uffd(&umo);
    if (uffd == -1) {
        int err = errno;
        printf("%s", wb_errname(err));
        if (err == ENOSYS && wb_on_valgrind())
            printf(": Valgrind does not implement this system call");
        else if (err == ENOSYS)
            printf(": this kernel has no userfaultfd (CONFIG_USERFAULTFD)");
        else if (err == EPERM)
            printf(": not allowed here (a seccomp filter?)");
        printf("; nothing to show\n");
        return 0;
    }
    printf(umo ? "ok, user-mode faults only\n"
               : "ok, every fault, the kernel's own accesses included\n");

    /* [register] */
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(uffd, UFFDIO_API, &api) == -1)
        wb_die("UFFDIO_API");
    base = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap");
    struct uffdio_register reg = {
        .range = {.start = (unsigned long)base, .len = PAGES * ps},
        .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) == -1)
        wb_die("UFFDIO_REGISTER");
    /* [register] */
    printf("%d pages of private anonymous memory, registered for missing "
           "pages; even pages get UFFDIO_COPY, odd ones UFFDIO_ZEROPAGE\n",
           PAGES);

    if (pipe2(stop_pipe, O_CLOEXEC) == -1)
        wb_die("pipe2");
    pthread_t tid;
    int err = pthread_create(&tid, NULL, handle_faults, NULL);
    if (err != 0) {
        errno = err;
        wb_die("pthread_create");
    }

    volatile char *region = base;
    printf("main: read page 0\n");
    (void)region[0];
    show_page(0);
    printf("main: read page 0 again\n");
    (void)region[1];
    show_page(0);
    printf("main: read page 3\n");
    (void)region[3 * ps];
    show_page(3);
    printf("main: write 'W' into page 5\n");
    region[5 * ps] = 'W';
    show_page(5);

    printf("main: read(2) 1 page of /dev/zero into page 6: the kernel "
           "writes it\n");
    fflush(stdout);
    int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (zero == -1)
        wb_die("open /dev/zero");
    long before = atomic_load(&faults);
    ssize_t got = read(zero, base + 6 * ps, ps);
    if (got == -1) {
        int read_err = errno;
        long handled = atomic_load(&faults) - before;
        printf("  main: read(2) failed with %s; faults handled meanwhile: "
               "%ld%s\n",
               wb_errname(read_err), handled,
               handled == 0 ? ": the kernel's access was not handed to us"
                            : "");
    } else
        printf("  main: read(2) returned %zd\n", got);
    close(zero);

    if (write(stop_pipe[1], "", 1) != 1)
        wb_die("write the stop pipe");
    pthread_join(tid, NULL);
    printf("%ld faults, %zu of %d pages resident (mincore)\n",
           atomic_load(&faults), wb_resident_pages(base, PAGES * ps), PAGES);

    munmap(base, PAGES * ps);
    close(uffd);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    return 0;
}
