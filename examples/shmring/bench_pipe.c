/*
 * bench_pipe.c: shmring's ring against pipe(2) and a UNIX stream socket
 * (socketpair(2)), the same process pair and the same messages, one table.
 *
 *   throughput   a child process sends N messages of 64 B, N/10 of 4 KiB
 *                and N/20 of 64 KiB, the parent receives them into a
 *                buffer of its own and checks each one's sequence number;
 *                MB/s of payload (10^6 bytes), the median of three rounds
 *   round trip   the parent sends a 64-byte message, the child sends it
 *                back, R times; the median and the 99th percentile
 *
 * Pipe and socket: one write(2) per message; the reader reads up to 256
 * KiB at a time (as many messages as are there). The ring: ring_send()
 * copies each message in, the reader copies it out (ring_next, memcpy,
 * ring_done), so every transport delivers the bytes into the reader's own
 * buffer. The ring is 1 MiB, as in the tool, with its default wake-up
 * policy, RING_SPIN_AUTO (spin up to RING_SPIN_NS, 20 us, before sleeping
 * in poll(2), but only when should_spin() says the peer can run meanwhile);
 * the wake-up rows run it again with RING_SPIN_NEVER (sleep at once) and
 * RING_SPIN_ALWAYS (spin up to RING_SPIN_NS every time, then sleep).
 * Rounds of the transports are interleaved, so a change in the machine's
 * load hits all of them alike.
 *
 * Usage: bench_pipe [-h] [-n N] [-r R]
 * Man pages: pipe(2), socketpair(2), eventfd(2), poll(2)
 */
#include "ring.h"
#include "wb.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define RING_SIZE (1u << 20)
#define RBUF      (256u << 10)
#define ROUNDS    3

enum kind { PIPE, SOCK, RING };
struct transport {
    enum kind kind;
    enum ring_spin spin;
    bool pin; /* parent on the first CPU, child on the second */
};

/* One direction: a pipe, one end of a socket pair, or a ring. */
struct chan {
    int rfd, wfd;
    struct ring ring;
};

static void chan_open(const struct transport *t, struct chan *c, int peer)
{
    int fd[2];
    c->rfd = c->wfd = -1;
    if (t->kind == PIPE) {
        if (pipe(fd) == -1)
            wb_die("pipe");
    } else if (t->kind == SOCK) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == -1)
            wb_die("socketpair");
    } else {
        if (ring_create(&c->ring, RING_SIZE) == -1)
            wb_fatal("%s", c->ring.err);
        c->ring.spin = t->spin;
        c->ring.peer = peer;
        return;
    }
    c->rfd = fd[0];
    c->wfd = fd[1];
}

/* In each process after fork: keep the end this process uses. */
static void chan_side(struct chan *c, bool writer)
{
    if (c->rfd < 0)
        return;
    close(writer ? c->rfd : c->wfd);
    if (writer)
        c->rfd = -1;
    else
        c->wfd = -1;
}

static void chan_close(struct chan *c)
{
    if (c->rfd >= 0)
        close(c->rfd);
    if (c->wfd >= 0)
        close(c->wfd);
    c->rfd = c->wfd = -1;
    if (c->ring.base != NULL)
        ring_destroy(&c->ring);
}

static void write_full(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k == -1 && errno == EINTR)
            continue;
        if (k <= 0)
            wb_die("write");
        p = (const char *)p + k;
        n -= (size_t)k;
    }
}

static void read_full(int fd, void *p, size_t n)
{
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k == -1 && errno == EINTR)
            continue;
        if (k <= 0)
            wb_die("read");
        p = (char *)p + k;
        n -= (size_t)k;
    }
}

static void chan_send(struct chan *c, const void *p, size_t n)
{
    if (c->wfd >= 0)
        write_full(c->wfd, p, n);
    else if (ring_send(&c->ring, p, n) == -1)
        wb_fatal("%s", c->ring.err);
}

/* One whole message of n bytes into buf (the round trips). */
static void chan_recv(struct chan *c, void *buf, size_t n)
{
    if (c->rfd >= 0) {
        read_full(c->rfd, buf, n);
        return;
    }
    const unsigned char *p;
    uint64_t len;
    if (ring_next(&c->ring, &p, &len) != 1 || len != n)
        wb_fatal("ring: %s", c->ring.err[0] ? c->ring.err : "short message");
    memcpy(buf, p, len);
    if (ring_done(&c->ring) == -1)
        wb_fatal("%s", c->ring.err);
}

static void chan_finish(struct chan *c)
{
    if (c->wfd >= 0) {
        close(c->wfd);
        c->wfd = -1;
    } else if (ring_finish(&c->ring) == -1) {
        wb_fatal("%s", c->ring.err);
    }
}

/* Fork the child, which runs fn(arg), reports its ring's sleeps on a pipe
 * and exits. The parent gets the pid and the report pipe's read end. */
struct child {
    pid_t pid;
    int report;
};

/* Pin this process to one CPU (the parent to the first allowed, the child
 * to the second), or with cpu -1 undo it. */
static void pin(int which)
{
    static cpu_set_t all;
    static bool saved;
    if (!saved && sched_getaffinity(0, sizeof all, &all) == 0)
        saved = true;
    if (which < 0) {
        if (saved && sched_setaffinity(0, sizeof all, &all) == -1)
            wb_die("sched_setaffinity");
        return;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0, seen = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all) && seen++ == which)
            CPU_SET(c, &one);
    if (CPU_COUNT(&one) == 1 && sched_setaffinity(0, sizeof one, &one) == -1)
        wb_die("sched_setaffinity");
}

static struct child spawn(void (*fn)(void *), void *arg, int go[2],
                          struct ring *rings[2], int sp[2], bool pinned)
{
    int rep[2];
    if (pipe(rep) == -1)
        wb_die("pipe");
    struct child ch = {.pid = fork(), .report = rep[0]};
    if (ch.pid == -1)
        wb_die("fork");
    if (ch.pid == 0) {
        if (pinned)
            pin(1);
        close(rep[0]);
        close(go[1]);
        close(sp[0]);
        for (int i = 0; i < 2; i++)
            if (rings[i] != NULL && rings[i]->base != NULL)
                rings[i]->peer = sp[1];
        char b;
        read_full(go[0], &b, 1);
        fn(arg);
        uint64_t s = 0;
        for (int i = 0; i < 2; i++)
            if (rings[i] != NULL && rings[i]->base != NULL)
                s += rings[i]->sleeps;
        write_full(rep[1], &s, sizeof s);
        _exit(0);
    }
    if (pinned)
        pin(0);
    close(rep[1]);
    close(go[0]);
    close(sp[1]);
    return ch;
}

static uint64_t reap(struct child ch)
{
    uint64_t s = 0;
    read_full(ch.report, &s, sizeof s);
    close(ch.report);
    int st;
    if (waitpid(ch.pid, &st, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        wb_fatal("the child failed (wait status %#x)", st);
    return s;
}

/* ---- throughput ---------------------------------------------------------- */

struct tput {
    struct chan *c;
    size_t msg;
    long count;
};

static void produce(void *arg)
{
    struct tput *w = arg;
    unsigned char *buf = malloc(w->msg);
    if (buf == NULL)
        wb_die("malloc");
    memset(buf, 'x', w->msg);
    chan_side(w->c, true);
    for (long i = 0; i < w->count; i++) {
        uint64_t seq = (uint64_t)i;
        memcpy(buf, &seq, sizeof seq);
        chan_send(w->c, buf, w->msg);
    }
    chan_finish(w->c);
    free(buf);
}

/* Receive count messages of msg bytes; check each sequence number. */
static void consume(struct chan *c, size_t msg, long count, unsigned char *buf)
{
    uint64_t want = 0;
    if (c->rfd < 0) {
        const unsigned char *p;
        uint64_t n;
        int got;
        while ((got = ring_next(&c->ring, &p, &n)) == 1) {
            uint64_t seq;
            memcpy(buf, p, n);
            memcpy(&seq, buf, sizeof seq);
            if (n != msg || seq != want++)
                wb_fatal("ring: message %llu out of order",
                         (unsigned long long)want - 1);
            if (ring_done(&c->ring) == -1)
                wb_fatal("%s", c->ring.err);
        }
        if (got == -1)
            wb_fatal("%s", c->ring.err);
    } else {
        /* A stream: message k's sequence number is at k * msg. `have` of
         * its 8 bytes are in seqb so far (it may straddle two reads). */
        uint64_t off = 0;
        unsigned char seqb[8];
        unsigned have = 0;
        for (;;) {
            ssize_t n = read(c->rfd, buf, RBUF);
            if (n == -1 && errno == EINTR)
                continue;
            if (n == -1)
                wb_die("read");
            if (n == 0)
                break;
            uint64_t end = off + (uint64_t)n, at;
            while ((at = want * msg + have) < end) {
                unsigned k = 8 - have;
                if (end - at < k)
                    k = (unsigned)(end - at);
                memcpy(seqb + have, buf + (at - off), k);
                if ((have += k) < 8)
                    break;
                uint64_t seq;
                memcpy(&seq, seqb, 8);
                if (seq != want)
                    wb_fatal("stream: message %llu out of order",
                             (unsigned long long)want);
                want++;
                have = 0;
            }
            off = end;
        }
        if (off != (uint64_t)count * msg)
            wb_fatal("stream: %llu bytes, expected %llu",
                     (unsigned long long)off, (unsigned long long)count * msg);
    }
    if (want != (uint64_t)count)
        wb_fatal("%llu messages, expected %ld", (unsigned long long)want,
                 count);
}

/* MB/s of payload; *sleeps gets the sleeps of both sides. */
static double run_tput(const struct transport *t, size_t msg, long count,
                       double *sleeps)
{
    int go[2], sp[2];
    if (pipe(go) == -1 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
        wb_die("pipe");
    struct chan c;
    memset(&c, 0, sizeof c);
    chan_open(t, &c, sp[0]);
    struct tput w = {&c, msg, count};
    struct ring *rings[2] = {t->kind == RING ? &c.ring : NULL, NULL};
    struct child ch = spawn(produce, &w, go, rings, sp, t->pin);
    chan_side(&c, false);
    unsigned char *buf = malloc(RBUF);
    if (buf == NULL)
        wb_die("malloc");
    double t0 = wb_now_us();
    write_full(go[1], "g", 1);
    consume(&c, msg, count, buf);
    double us = wb_now_us() - t0;
    uint64_t s = reap(ch) + (t->kind == RING ? c.ring.sleeps : 0);
    if (t->pin)
        pin(-1);
    *sleeps = (double)s / (double)count;
    free(buf);
    chan_close(&c);
    close(go[1]);
    close(sp[0]);
    return (double)msg * (double)count / us;
}

/* ---- round trips --------------------------------------------------------- */

struct echo {
    struct chan *fwd, *back;
};

static void echo(void *arg)
{
    struct echo *e = arg;
    unsigned char m[64];
    chan_side(e->fwd, false);
    chan_side(e->back, true);
    for (;;) {
        if (e->fwd->rfd >= 0) {
            ssize_t n = read(e->fwd->rfd, m, 1);
            if (n == 0)
                break;
            if (n != 1)
                wb_die("read");
            read_full(e->fwd->rfd, m + 1, sizeof m - 1);
        } else {
            const unsigned char *p;
            uint64_t n;
            int got = ring_next(&e->fwd->ring, &p, &n);
            if (got == 0)
                break;
            if (got == -1 || n != sizeof m)
                wb_fatal("echo: %s", e->fwd->ring.err);
            memcpy(m, p, n);
            if (ring_done(&e->fwd->ring) == -1)
                wb_fatal("%s", e->fwd->ring.err);
        }
        chan_send(e->back, m, sizeof m);
    }
    chan_finish(e->back);
}

/* r round trips of 64 bytes; their times in us appended to v. */
static void run_rtt(const struct transport *t, long r, double *v,
                    double *sleeps)
{
    int go[2], sp[2];
    if (pipe(go) == -1 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
        wb_die("pipe");
    struct chan fwd, back;
    memset(&fwd, 0, sizeof fwd);
    memset(&back, 0, sizeof back);
    chan_open(t, &fwd, sp[0]);
    chan_open(t, &back, sp[0]);
    struct echo e = {&fwd, &back};
    struct ring *rings[2] = {t->kind == RING ? &fwd.ring : NULL,
                             t->kind == RING ? &back.ring : NULL};
    struct child ch = spawn(echo, &e, go, rings, sp, t->pin);
    chan_side(&fwd, true);
    chan_side(&back, false);
    write_full(go[1], "g", 1);
    unsigned char m[64], got[64];
    memset(m, 'p', sizeof m);
    long warm = r / 10;
    for (long i = 0; i < warm + r; i++) {
        memcpy(m, &i, sizeof i);
        double t0 = wb_now_us();
        chan_send(&fwd, m, sizeof m);
        chan_recv(&back, got, sizeof got);
        double us = wb_now_us() - t0;
        if (memcmp(m, got, sizeof m) != 0)
            wb_fatal("round trip %ld: the echo differs", i);
        if (i >= warm)
            v[i - warm] = us;
    }
    chan_finish(&fwd);
    uint64_t s = reap(ch);
    if (t->pin)
        pin(-1);
    if (t->kind == RING)
        s += fwd.ring.sleeps + back.ring.sleeps;
    *sleeps = (double)s / (double)(warm + r);
    chan_close(&fwd);
    chan_close(&back);
    close(go[1]);
    close(sp[0]);
}

/* ---- the table ----------------------------------------------------------- */

static double median3(double *v)
{
    wb_sort_doubles(v, ROUNDS);
    return v[ROUNDS / 2];
}

int main(int argc, char *argv[])
{
    long n = 150000, r = 3000;
    wb_set_usage("[-h] [-n N] [-r R]");
    int opt;
    while ((opt = getopt(argc, argv, "hn:r:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'n': n = wb_long_arg(optarg, "N", 800, 100000000); break;
        case 'r': r = wb_long_arg(optarg, "R", 100, 10000000); break;
        default: wb_usage("unknown option");
        }
    }
    if (optind != argc)
        wb_usage("no operands");

    /* 0-4 as they come; 5-9 the same pinned to two CPUs (round trips). */
    enum { NT = 5, NL = 10 };
    struct transport tv[NL] = {
        {RING, RING_SPIN_AUTO, false},   {PIPE, RING_SPIN_AUTO, false},
        {SOCK, RING_SPIN_AUTO, false},   {RING, RING_SPIN_NEVER, false},
        {RING, RING_SPIN_ALWAYS, false},
    };
    for (int i = 0; i < NT; i++) {
        tv[NT + i] = tv[i];
        tv[NT + i].pin = true;
    }

    struct utsname u;
    uname(&u);
    double load[3] = {0};
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(f);
    }
    printf("shmring against pipe(2) and a UNIX stream socket: one producer, "
           "one consumer process\n");
    printf("machine: Linux %s, %ld CPUs, load average %.2f at the start; "
           "ring 1 MiB; N=%ld, R=%ld\n",
           u.release, sysconf(_SC_NPROCESSORS_ONLN), load[0], n, r);

    const size_t sizes[] = {64, 4096, 65536};
    const long counts[] = {n, n / 10, n / 20};
    double mbs[3][NT], slp[3][NT];
    for (int s = 0; s < 3; s++) {
        double v[NT][ROUNDS], sl[NT][ROUNDS];
        for (int k = 0; k < ROUNDS; k++)
            for (int i = 0; i < NT; i++)
                v[i][k] = run_tput(&tv[i], sizes[s], counts[s], &sl[i][k]);
        for (int i = 0; i < NT; i++) {
            mbs[s][i] = median3(v[i]);
            slp[s][i] = median3(sl[i]);
        }
    }
    double *rt[NL], rsl[NL][ROUNDS], med[NL], p99[NL], rs[NL];
    for (int i = 0; i < NL; i++)
        if ((rt[i] = malloc(sizeof(double) * (size_t)r * ROUNDS)) == NULL)
            wb_die("malloc");
    /* Pinned apart, sleeping at once only waits for the pinned CPU: that
     * case (NT + 3) is left out; the table prints `-` for it. */
    for (int k = 0; k < ROUNDS; k++)
        for (int i = 0; i < NL; i++)
            if (i != NT + 3)
                run_rtt(&tv[i], r, rt[i] + k * r, &rsl[i][k]);
    for (int i = 0; i < NL; i++) {
        if (i == NT + 3) {
            med[i] = p99[i] = rs[i] = 0;
            continue;
        }
        wb_sort_doubles(rt[i], (size_t)r * ROUNDS);
        med[i] = rt[i][(size_t)r * ROUNDS / 2];
        p99[i] = rt[i][(size_t)r * ROUNDS * 99 / 100];
        rs[i] = median3(rsl[i]);
    }

#define HDR "%-28s %9s %9s %9s %9s %9s\n"
#define ROW "%-28s %9.2f %9.2f %9.2f %9.2f %9.2f\n"
    printf("\n");
    printf(HDR, "throughput, MB/s", "shmring", "pipe", "socket", "ring/pipe",
           "ring/sock");
    const char *sname[] = {"  64 B messages", "  4 KiB messages",
                           "  64 KiB messages"};
    for (int s = 0; s < 3; s++)
        printf(ROW, sname[s], mbs[s][0], mbs[s][1], mbs[s][2],
               mbs[s][0] / mbs[s][1], mbs[s][0] / mbs[s][2]);
    printf(HDR, "round trip, 64 B, us", "shmring", "pipe", "socket",
           "ring/pipe", "ring/sock");
    for (int p = 0; p < 2; p++) {
        int o = p * NT;
        printf(ROW, p ? "  median, pinned apart" : "  median", med[o],
               med[o + 1], med[o + 2], med[o] / med[o + 1],
               med[o] / med[o + 2]);
        printf(ROW, p ? "  p99, pinned apart" : "  p99", p99[o], p99[o + 1],
               p99[o + 2], p99[o] / p99[o + 1], p99[o] / p99[o + 2]);
    }

    printf("\n%-28s %9s %9s %9s\n", "the ring's wake-up policy", "auto",
           "never", "always");
    const int pol[] = {0, 3, 4};
    struct {
        const char *name;
        const double *v;
        int off;
    } lines[] = {
        {"64 B throughput, MB/s", &mbs[0][0], 0},
        {"  sleeps per message", &slp[0][0], 0},
        {"64 KiB throughput, MB/s", &mbs[2][0], 0},
        {"round trip median, us", med, 0},
        {"  p99", p99, 0},
        {"  sleeps per round trip", rs, 0},
        {"pinned apart: median, us", med, NT},
        {"  p99", p99, NT},
        {"  sleeps per round trip", rs, NT},
    };
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        printf("%-28s", lines[l].name);
        for (int j = 0; j < 3; j++)
            if (lines[l].off + pol[j] == NT + 3)
                printf(" %9s", "-"); /* not run */
            else
                printf(" %9.2f", lines[l].v[lines[l].off + pol[j]]);
        printf("\n");
    }
    for (int i = 0; i < NL; i++)
        free(rt[i]);
    return 0;
}
