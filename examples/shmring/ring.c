/*
 * ring.c: the shared ring of shmring (ring.h): a sealed memfd mapped twice
 * back to back, a single-producer single-consumer protocol on C11 atomics,
 * and spin-then-sleep waiting on eventfds and the peer's socket.
 *
 * Man pages: memfd_create(2), fcntl(2) (File Sealing), mmap(2), eventfd(2),
 * poll(2), unix(7), proc(5); the C11 memory model: stdatomic.h,
 * atomic_thread_fence.
 */
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U /* Linux 6.3; not in glibc 2.36's headers */
#endif

_Static_assert(sizeof(struct ring_shared) <= 4096, "the header fits a page");

static void fail(struct ring *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* r->err = the formatted step, then ": strerror(err)" unless err is 0. */
static void fail(struct ring *r, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    if (err != 0 && n >= 0 && (size_t)n < sizeof r->err)
        snprintf(r->err + n, sizeof r->err - n, ": %s", strerror(err));
}

static uint64_t page_size(void)
{
    return (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t pad8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

static bool valid_size(uint64_t size)
{
    return size >= page_size() && size >= (1u << RING_MIN_LOG) &&
           size <= (1ull << RING_MAX_LOG) && (size & (size - 1)) == 0;
}

static void init_handle(struct ring *r)
{
    memset(r, 0, sizeof *r);
    r->memfd = r->efd_data = r->efd_space = r->peer = r->loadavg = -1;
    r->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    r->load_ns = -1;
}

/* Reserve a page and 2 * size bytes, then lay the header page and the two
 * views of the data over the reservation with MAP_FIXED (chapter 08). */
static int ring_map(struct ring *r)
{
    uint64_t page = page_size();
    r->map_len = page + 2 * r->size;
    /* [map] */
    unsigned char *base =
        mmap(NULL, r->map_len, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        fail(r, errno, "reserve %zu bytes", r->map_len);
        return -1;
    }
    /* The header and view 1 are the file's first page + size bytes, in
     * order: one mapping. View 2 maps the data (offset page) again. */
    int prot = PROT_READ | PROT_WRITE, fl = MAP_SHARED | MAP_FIXED;
    if (mmap(base, page + r->size, prot, fl, r->memfd, 0) == MAP_FAILED ||
        mmap(base + page + r->size, r->size, prot, fl, r->memfd, (off_t)page) ==
            MAP_FAILED) {
        fail(r, errno, "map the ring into the reservation");
        munmap(base, r->map_len);
        return -1;
    }
    /* [map] */
    r->base = base;
    r->sh = (struct ring_shared *)base;
    r->data = base + page;
    return 0;
}

int ring_create(struct ring *r, uint64_t size)
{
    init_handle(r);
    r->size = size;
    if (!valid_size(size)) {
        fail(r, 0, "ring size %llu: not a power of two from %llu to %llu",
             (unsigned long long)size, (unsigned long long)page_size(),
             1ull << RING_MAX_LOG);
        return -1;
    }
    /* [seals] */
    unsigned fl = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    r->memfd = memfd_create("shmring", fl | MFD_NOEXEC_SEAL);
    if (r->memfd == -1 && errno == EINVAL) /* before Linux 6.3 */
        r->memfd = memfd_create("shmring", fl);
    if (r->memfd == -1) {
        fail(r, errno, "memfd_create");
        goto out;
    }
    if (ftruncate(r->memfd, (off_t)(page_size() + size)) == -1) {
        fail(r, errno, "ftruncate the memfd");
        goto out;
    }
    if (fcntl(r->memfd, F_ADD_SEALS,
              F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == -1) {
        fail(r, errno, "F_ADD_SEALS");
        goto out;
    }
    /* [seals] */
    r->efd_data = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    r->efd_space = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (r->efd_data == -1 || r->efd_space == -1) {
        fail(r, errno, "eventfd");
        goto out;
    }
    if (ring_map(r) == -1)
        goto out;
    memcpy(r->sh->magic, RING_MAGIC, 8);
    r->sh->size = size;
    atomic_store_explicit(&r->sh->prod_cpu, -1, memory_order_relaxed);
    atomic_store_explicit(&r->sh->cons_cpu, -1, memory_order_relaxed);
    return 0;
out:
    ring_destroy(r);
    return -1;
}

/* 0 if fd is a non-blocking eventfd; -1 and r->err otherwise. The creator
 * could pass anything in its place, such as a pipe whose reader is gone;
 * /proc names the kind of an anonymous inode's descriptor (proc(5),
 * /proc/pid/fd), and eventfd(2)'s is "anon_inode:[eventfd]" (fs/eventfd.c,
 * do_eventfd). A blocking eventfd whose counter the creator has filled
 * would block our wake-up's write(2) for good (eventfd(2)), where no poll
 * on the socket can see the creator go: refuse it, as our own creator
 * never makes one (EFD_NONBLOCK in ring_create). */
static int check_eventfd(struct ring *r, int fd, const char *which)
{
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n == -1) {
        fail(r, errno, "readlink %s (the %s eventfd received)", path, which);
        return -1;
    }
    link[n] = '\0';
    if (strcmp(link, "anon_inode:[eventfd]") != 0) {
        fail(r, 0, "the %s eventfd received is %s, not an eventfd", which,
             link);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl == -1) {
        fail(r, errno, "F_GETFL on the %s eventfd received", which);
        return -1;
    }
    if (!(fl & O_NONBLOCK)) {
        fail(r, 0, "the %s eventfd received is blocking (no O_NONBLOCK)",
             which);
        return -1;
    }
    return 0;
}

int ring_attach(struct ring *r, int memfd, int efd_data, int efd_space)
{
    init_handle(r);
    r->memfd = memfd;
    r->efd_data = efd_data;
    r->efd_space = efd_space;
    /* The creator could shrink the memfd under our mapping (SIGBUS, chapter
     * 10) unless it is sealed: check the seals before mapping anything. */
    /* [check] */
    int seals = fcntl(memfd, F_GET_SEALS);
    if (seals == -1) {
        fail(r, errno, "F_GET_SEALS on the memfd received");
        goto out;
    }
    if ((seals & (F_SEAL_SHRINK | F_SEAL_GROW)) !=
        (F_SEAL_SHRINK | F_SEAL_GROW)) {
        fail(r, 0, "the memfd received is not sealed against resizing");
        goto out;
    }
    struct stat st;
    if (fstat(memfd, &st) == -1) {
        fail(r, errno, "fstat the memfd received");
        goto out;
    }
    r->size = (uint64_t)st.st_size - page_size();
    if ((uint64_t)st.st_size <= page_size() || !valid_size(r->size)) {
        fail(r, 0, "the memfd received has %lld bytes: not a ring",
             (long long)st.st_size);
        goto out;
    }
    /* [check] */
    if (check_eventfd(r, efd_data, "data") == -1 ||
        check_eventfd(r, efd_space, "space") == -1)
        goto out;
    if (ring_map(r) == -1)
        goto out;
    if (memcmp(r->sh->magic, RING_MAGIC, 8) != 0 || r->sh->size != r->size) {
        fail(r, 0, "the memfd received has no ring header");
        goto out;
    }
    return 0;
out:
    ring_destroy(r);
    return -1;
}

void ring_destroy(struct ring *r)
{
    if (r->base != NULL)
        munmap(r->base, r->map_len);
    r->base = NULL;
    r->sh = NULL;
    r->data = NULL;
    const int fd[] = {r->memfd, r->efd_data, r->efd_space, r->loadavg};
    for (size_t i = 0; i < sizeof fd / sizeof fd[0]; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    r->memfd = r->efd_data = r->efd_space = r->loadavg = -1;
}

uint64_t ring_max_payload(const struct ring *r)
{
    return r->size - RING_HDR;
}

/* ---- waiting ------------------------------------------------------------ */

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* The other side's index must stay within one ring of ours: a producer's
 * head at most SIZE ahead of the tail, never behind it. A value outside
 * that is a broken or hostile peer, reported, never trusted. */
static int check_other(struct ring *r, uint64_t v, bool producer)
{
    uint64_t ahead = producer ? r->pos - v : v - r->pos;
    if (ahead > r->size) {
        fail(r, 0, "the %s's index is corrupt (%llu against our %llu)",
             producer ? "consumer" : "producer", (unsigned long long)v,
             (unsigned long long)r->pos);
        return -1;
    }
    return 0;
}

/* Runnable tasks now, the fourth field of /proc/loadavg ("R/TOTAL"), or
 * -1 when it cannot be read (a /proc without it). */
static long runnable(struct ring *r)
{
    char buf[128];
    if (r->loadavg == -1)
        r->loadavg = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    ssize_t n =
        r->loadavg == -1 ? -1 : pread(r->loadavg, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    long run, total;
    double a1, a5, a15;
    if (sscanf(buf, "%lf %lf %lf %ld/%ld", &a1, &a5, &a15, &run, &total) != 5)
        return -1;
    return run;
}

/* [spin] */
/* Spinning pays only if the other process can run meanwhile: not on our
 * CPU (it would wait for us to stop), and not behind a queue of other
 * tasks (then it is not running either, and we burn our time slice). */
static bool should_spin(struct ring *r, int cpu, const _Atomic int32_t *theirs)
{
    if (r->spin != RING_SPIN_AUTO)
        return r->spin == RING_SPIN_ALWAYS;
    if (r->ncpu < 2 ||
        atomic_load_explicit(theirs, memory_order_relaxed) == cpu)
        return false;
    long t = now_ns();
    if (r->load_ns < 0 || t - r->load_ns > 10000000) {
        long run = runnable(r);
        r->cpus_free = run < 0 || run <= r->ncpu;
        r->load_ns = t;
    }
    return r->cpus_free;
}
/* [spin] */

/*
 * Wait until the other side's index *idx reaches target. Spin first (at
 * most RING_SPIN_NS, if should_spin says so), then sleep: store in *wants the index that should wake
 * us (`enough`, at least target), re-check the index, and poll the eventfd
 * the other side writes when its index reaches *wants, and the peer socket,
 * whose hang-up means the other process is gone.
 *
 * *wants and the index form Dekker's pattern: we store *wants and then
 * load the index; the other side stores the index and then loads *wants;
 * a seq_cst fence between the store and the load on each side means at
 * least one of us sees the other's store. Either we see the new index and
 * do not sleep, or the other side sees *wants and wakes us: no wake-up is
 * lost (both may see, and then one wake-up is spent on a peer that did not
 * sleep: its next poll returns at once).
 */
/* [wait] */
static int wait_for(struct ring *r, _Atomic uint64_t *idx, uint64_t target,
                    uint64_t enough, _Atomic uint64_t *wants, int efd,
                    bool producer)
{
    uint64_t v = atomic_load_explicit(idx, memory_order_acquire);
    _Atomic int32_t *mine = producer ? &r->sh->prod_cpu : &r->sh->cons_cpu;
    _Atomic int32_t *theirs = producer ? &r->sh->cons_cpu : &r->sh->prod_cpu;
    int cpu = sched_getcpu();
    atomic_store_explicit(mine, cpu, memory_order_relaxed);
    if (v < target && should_spin(r, cpu, theirs)) {
        long until = now_ns() + RING_SPIN_NS;
        for (unsigned i = 1; v < target; i++) {
            cpu_relax();
            v = atomic_load_explicit(idx, memory_order_acquire);
            if (i % 64 == 0 && now_ns() > until)
                break;
        }
    }
    while (v < target) {
        atomic_store_explicit(wants, enough, memory_order_relaxed);
        atomic_thread_fence(memory_order_seq_cst);
        v = atomic_load_explicit(idx, memory_order_acquire);
        if (v >= target)
            break;
        struct pollfd pfd[2] = {{.fd = efd, .events = POLLIN},
                                {.fd = r->peer, .events = POLLIN}};
        r->sleeps++;
        if (poll(pfd, r->peer >= 0 ? 2 : 1, -1) == -1) {
            if (errno == EINTR)
                continue;
            fail(r, errno, "poll");
            return -1;
        }
        uint64_t count;
        if ((pfd[0].revents & POLLIN) && read(efd, &count, 8) == -1 &&
            errno != EAGAIN) {
            fail(r, errno, "read the eventfd");
            return -1;
        }
        v = atomic_load_explicit(idx, memory_order_acquire);
        if (v < target && r->peer >= 0 && pfd[1].revents != 0) {
            r->peer_gone = true; /* its socket closed: it has exited */
            fail(r, 0, "the %s went away", producer ? "consumer" : "producer");
            return -1;
        }
    }
    atomic_store_explicit(wants, 0, memory_order_relaxed);
    atomic_store_explicit(mine, sched_getcpu(), memory_order_relaxed);
    if (check_other(r, v, producer) == -1)
        return -1;
    r->other = v;
    return 0;
}

/* After storing our index `mine`: wake the other side if it sleeps until
 * our index reaches what it has reached now. */
static int wake(struct ring *r, uint64_t mine, _Atomic uint64_t *wants, int efd)
{
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t w = atomic_load_explicit(wants, memory_order_relaxed);
    if (w == 0 || mine < w)
        return 0;
    atomic_store_explicit(wants, 0, memory_order_relaxed);
    uint64_t one = 1;
    if (write(efd, &one, 8) == -1 && errno != EAGAIN) {
        fail(r, errno, "write the eventfd");
        return -1;
    }
    return 0;
}
/* [wait] */

/* ---- producer ----------------------------------------------------------- */

void *ring_reserve(struct ring *r, uint64_t n)
{
    if (n > ring_max_payload(r)) {
        fail(r, 0,
             "a message of %llu bytes does not fit in the ring "
             "(%llu bytes at most)",
             (unsigned long long)n, (unsigned long long)ring_max_payload(r));
        return NULL;
    }
    /* Room for the record: the tail must be at least pos + need - size.
     * The cached tail (r->other) answers without touching the shared line
     * until the ring looks full. */
    uint64_t need = RING_HDR + pad8(n);
    uint64_t target = r->pos + need > r->size ? r->pos + need - r->size : 0;
    if (target <= r->other)
        return r->data + (r->pos & (r->size - 1)) + RING_HDR;
    /* The ring is full. Asleep, wait for a quarter of it to be free, not
     * just for this record: woken for every record the consumer frees,
     * the two processes would take turns one record at a time. */
    uint64_t enough =
        target + r->size / 4 < r->pos ? target + r->size / 4 : r->pos;
    if (enough < target)
        enough = target;
    if (wait_for(r, &r->sh->tail, target, enough, &r->sh->prod_wants,
                 r->efd_space, true) == -1)
        return NULL;
    return r->data + (r->pos & (r->size - 1)) + RING_HDR;
}

/* [publish] */
int ring_publish(struct ring *r, uint64_t n)
{
    const uint32_t hdr[2] = {(uint32_t)n, 0}; /* the length, 4 zero bytes */
    memcpy(r->data + (r->pos & (r->size - 1)), hdr, sizeof hdr);
    r->pos += RING_HDR + (n == RING_END ? 0 : pad8(n));
    /* Release: the record's bytes are visible before the new head is. */
    atomic_store_explicit(&r->sh->head, r->pos, memory_order_release);
    return wake(r, r->pos, &r->sh->cons_wants, r->efd_data);
}
/* [publish] */

int ring_send(struct ring *r, const void *p, uint64_t n)
{
    void *dst = ring_reserve(r, n);
    if (dst == NULL)
        return -1;
    memcpy(dst, p, n);
    return ring_publish(r, n);
}

int ring_finish(struct ring *r)
{
    if (ring_reserve(r, 0) == NULL)
        return -1;
    return ring_publish(r, RING_END);
}

int ring_check_peer(struct ring *r)
{
    struct pollfd pfd = {.fd = r->peer, .events = POLLIN};
    if (r->peer < 0 || poll(&pfd, 1, 0) != 1)
        return 0;
    /* Its socket closed. Fine if it read everything, the end included. */
    uint64_t tail = atomic_load_explicit(&r->sh->tail, memory_order_acquire);
    if (tail == r->pos)
        return 0;
    r->peer_gone = true;
    fail(r, 0, "the consumer went away");
    return -1;
}

/* ---- consumer ----------------------------------------------------------- */

/* [next] */
int ring_next(struct ring *r, const unsigned char **p, uint64_t *n)
{
    if (r->other == r->pos &&
        wait_for(r, &r->sh->head, r->pos + 1, r->pos + 1, &r->sh->cons_wants,
                 r->efd_data, false) == -1)
        return -1;
    /* The acquire load in wait_for (now or earlier) saw head > pos, so the
     * record's header and payload, written before that head, are here. */
    const unsigned char *rec = r->data + (r->pos & (r->size - 1));
    uint32_t len;
    memcpy(&len, rec, sizeof len); /* read once: the producer is not trusted */
    if (len == RING_END) {         /* consumed too: the producer can tell */
        r->pos += RING_HDR;
        atomic_store_explicit(&r->sh->tail, r->pos, memory_order_release);
        return 0;
    }
    uint64_t need = RING_HDR + pad8(len);
    if (len > ring_max_payload(r) || need > r->other - r->pos) {
        fail(r, 0, "corrupt record at byte %llu: length %lu",
             (unsigned long long)r->pos, (unsigned long)len);
        return -1;
    }
    r->cur = need;
    *p = rec + RING_HDR;
    *n = len;
    return 1;
}

int ring_done(struct ring *r)
{
    r->pos += r->cur;
    r->cur = 0;
    /* Release: our reads of the record happen before the producer, seeing
     * this tail, may overwrite its bytes. */
    atomic_store_explicit(&r->sh->tail, r->pos, memory_order_release);
    return wake(r, r->pos, &r->sh->prod_wants, r->efd_space);
}
/* [next] */
