/*
 * ex2_lazyfill.c: a region filled page by page on first touch, with
 * userfaultfd (solution).
 *
 * The task is in exercises/12-extend-on-write/ex2_lazyfill.c. The shape:
 * a private anonymous region registered for missing-page faults, a handler
 * thread that serves them (UFFDIO_COPY for data pages, UFFDIO_ZEROPAGE for
 * the rest) and prints one line per fault before it wakes the faulting
 * thread, and a main thread that touches pages, counts what is resident,
 * and optionally copies the whole region out.
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

#define MAX_PAGES 1000 /* labels have three digits */

static char *base;
static size_t ps, npages, ndata;
static int uffd, stop_pipe[2];
static atomic_long faults; /* counted by the handler thread, read by main */

/* The data page K: the 8-byte label "pageKKK\n", repeated. */
static void fill_data_page(char *page, size_t k)
{
    char label[32]; /* "pageKKK\n" and room for a longer K */
    snprintf(label, sizeof label, "page%03zu\n", k);
    for (size_t at = 0; at < ps; at += 8)
        memcpy(page + at, label, 8);
}

static int open_uffd(void)
{
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd == -1 && errno == EPERM) /* unprivileged: user faults only */
        fd = (int)syscall(SYS_userfaultfd,
                          O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
    if (fd == -1)
        wb_die("userfaultfd");
    return fd;
}

static void *serve_faults(void *arg)
{
    (void)arg;
    char *page = aligned_alloc(ps, ps);
    if (page == NULL)
        wb_die("aligned_alloc");
    for (;;) {
        struct pollfd pfd[2] = {{.fd = uffd, .events = POLLIN},
                                {.fd = stop_pipe[0], .events = POLLIN}};
        if (poll(pfd, 2, -1) == -1)
            wb_die("poll");
        if (pfd[1].revents != 0)
            break;
        struct uffd_msg msg;
        ssize_t n = read(uffd, &msg, sizeof msg);
        if (n == -1 && errno == EAGAIN)
            continue; /* another reader took it, or a spurious wakeup */
        if (n != (ssize_t)sizeof msg)
            wb_die("read the userfaultfd");
        if (msg.event != UFFD_EVENT_PAGEFAULT)
            continue;
        unsigned long addr = msg.arg.pagefault.address & ~(ps - 1);
        size_t k = (addr - (unsigned long)base) / ps;
        bool is_write = msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE;
        long nth = atomic_fetch_add(&faults, 1) + 1;
        /* Print before resolving: the faulting thread is still stopped,
         * so the lines come out in the order of the faults. */
        printf("fault %ld: page %zu, %s, %s\n", nth, k,
               is_write ? "write" : "read", k < ndata ? "copy" : "zero");
        if (k < ndata) {
            fill_data_page(page, k);
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

/* "rK" or "wK" with K < npages; exits with a usage error otherwise. */
static size_t parse_touch(const char *s, bool *is_write)
{
    if ((s[0] != 'r' && s[0] != 'w') || s[1] < '0' || s[1] > '9')
        wb_usage("touch '%s': expected rK or wK", s);
    *is_write = s[0] == 'w';
    size_t k;
    const char *why;
    if (wb_parse_size(s + 1, &k, &why) != 0 || k >= npages ||
        strpbrk(s + 1, "kKmMgG") != NULL)
        wb_usage("touch '%s': expected rK or wK with K below %zu", s, npages);
    return k;
}

/* Copy the region to PATH, a page at a time through a buffer: the copy is
 * done in user mode, where even a user-mode-only userfaultfd sees the
 * faults. (write(2) straight from the region would make the kernel touch
 * missing pages, and fail with EFAULT in that mode.) */
static void dump(const char *path)
{
    FILE *out = fopen(path, "we");
    if (out == NULL)
        wb_die("open '%s'", path);
    char *buf = malloc(ps);
    if (buf == NULL)
        wb_die("malloc");
    for (size_t k = 0; k < npages; k++) {
        memcpy(buf, base + k * ps, ps);
        if (fwrite(buf, 1, ps, out) != ps)
            wb_die("write '%s'", path);
    }
    free(buf);
    if (fclose(out) == EOF)
        wb_die("close '%s'", path);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-o OUT] PAGES DATA [TOUCH...]");
    const char *out = NULL;
    int opt;
    opterr = 0;
    while ((opt = getopt(argc, argv, "ho:")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'o')
            out = optarg;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind < 2)
        wb_usage("expected PAGES DATA [TOUCH...]");
    npages = (size_t)wb_long_arg(argv[optind], "pages", 1, MAX_PAGES);
    ndata = (size_t)wb_long_arg(argv[optind + 1], "data", 0, (long)npages);
    ps = wb_page_size();
    int ntouch = argc - optind - 2;
    char **touch = argv + optind + 2;
    for (int t = 0; t < ntouch; t++) {
        bool w;
        parse_touch(touch[t], &w); /* check them all before starting */
    }

    uffd = open_uffd();
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(uffd, UFFDIO_API, &api) == -1)
        wb_die("UFFDIO_API");
    base = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap %zu pages", npages);
    struct uffdio_register reg = {
        .range = {.start = (unsigned long)base, .len = npages * ps},
        .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) == -1)
        wb_die("UFFDIO_REGISTER");
    if (pipe2(stop_pipe, O_CLOEXEC) == -1)
        wb_die("pipe2");
    pthread_t tid;
    int err = pthread_create(&tid, NULL, serve_faults, NULL);
    if (err != 0) {
        errno = err;
        wb_die("pthread_create");
    }

    volatile char *region = base;
    for (int t = 0; t < ntouch; t++) {
        bool w;
        size_t k = parse_touch(touch[t], &w);
        if (w)
            region[k * ps] = 'W';
        else
            (void)region[k * ps];
    }
    printf("%d touches, %ld faults, %zu of %zu pages resident\n", ntouch,
           atomic_load(&faults), wb_resident_pages(base, npages * ps), npages);
    if (out != NULL)
        dump(out);

    if (write(stop_pipe[1], "", 1) != 1)
        wb_die("write the stop pipe");
    pthread_join(tid, NULL);
    munmap(base, npages * ps);
    close(uffd);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
    return 0;
}
