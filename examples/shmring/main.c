/*
 * main.c: shmring, a pipe between two processes through shared memory.
 *
 *   shmring recv [-n] [-s SIZE] SOCKET   listen on SOCKET, make the ring,
 *                                        write what the sender sends
 *   shmring send [-n] [-t SECONDS] SOCKET
 *                                        connect to SOCKET (waiting up to
 *                                        SECONDS, default 10, for a
 *                                        receiver), send stdin
 *
 * The receiver makes the ring (ring.h: a sealed memfd mapped twice back to
 * back, SIZE bytes of data, a power of two, default 1M), accepts one
 * connection on the UNIX socket SOCKET, removes SOCKET and hands the memfd
 * and two eventfds to the sender with SCM_RIGHTS. From then on the bytes
 * go through the shared memory only; the socket stays open so that a side
 * waiting in poll(2) notices at once when the other dies (its end of the
 * socket closes); a sender with room left in the ring notices when the
 * ring fills or at the end of its input.
 *
 * Messages: without -n, send makes a message of each read(2) of stdin (up
 * to 64 KiB, or a quarter of the ring) and recv writes the payloads out
 * back to back: bytes in, the same bytes out, as through a pipe. With -n,
 * stdin and stdout are netstrings (`LEN:BYTES,`, one per message): send
 * sends each as one message, recv writes each message as one, so message
 * boundaries survive. A message larger than the ring (SIZE - 8 bytes) is
 * an error.
 *
 * Errors: one line `shmring: STEP: CAUSE`, exit 1; usage errors exit 2. A
 * peer that dies is reported by the other side, which exits 1:
 *   shmring: recv: the sender (pid P) went away before the end: ...
 *   shmring: send: the receiver (pid P) went away after ...
 *
 * Usage: shmring [-h] recv [-n] [-s SIZE] SOCKET | send [-n] [-t SECONDS] SOCKET
 * Man pages: memfd_create(2), fcntl(2), mmap(2), eventfd(2), poll(2),
 * unix(7), cmsg(3), socket(7) (SO_PEERCRED), signal(7) (SIGPIPE)
 */
#include "ring.h"
#include "wb.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SIZE (1u << 20)
#define CHUNK        65536     /* the most one read(2) of stdin sends */
#define HELLO        "shmring" /* 8 bytes with the NUL: the handoff's data */

static const char *bound_path; /* the socket file while it exists */

static void remove_socket(void)
{
    if (bound_path != NULL)
        unlink(bound_path);
    bound_path = NULL;
}

static struct sockaddr_un socket_addr(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        wb_usage("socket path of %zu bytes: at most %zu", strlen(path),
                 sizeof a.sun_path - 1);
    strcpy(a.sun_path, path);
    return a;
}

static pid_t peer_pid(int sock)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
        wb_die("SO_PEERCRED");
    return cred.pid;
}

static void write_all(const struct iovec *iov, int cnt)
{
    struct iovec v[3];
    memcpy(v, iov, cnt * sizeof *iov);
    struct iovec *p = v;
    while (cnt > 0) {
        ssize_t n = writev(STDOUT_FILENO, p, cnt);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            wb_die("write to stdout");
        }
        while (cnt > 0 && (size_t)n >= p->iov_len) {
            n -= (ssize_t)p->iov_len;
            p++;
            cnt--;
        }
        if (cnt > 0) {
            p->iov_base = (char *)p->iov_base + n;
            p->iov_len -= (size_t)n;
        }
    }
}

/* ---- recv --------------------------------------------------------------- */

/* Accept one sender on PATH and return the connection; PATH is removed. */
static int accept_sender(const char *path)
{
    struct sockaddr_un a = socket_addr(path);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls == -1)
        wb_die("socket");
    if (bind(ls, (struct sockaddr *)&a, sizeof a) == -1)
        wb_die("bind '%s'", path);
    bound_path = path;
    if (listen(ls, 1) == -1)
        wb_die("listen '%s'", path);
    int s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (s == -1)
        wb_die("accept on '%s'", path);
    remove_socket();
    close(ls);
    return s;
}

/* [handoff] */
/* Send the memfd and the two eventfds in one message (SCM_RIGHTS). */
static void send_ring(int sock, const struct ring *r)
{
    int fds[3] = {r->memfd, r->efd_data, r->efd_space};
    union {
        char buf[CMSG_SPACE(sizeof fds)];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {.iov_base = HELLO, .iov_len = sizeof HELLO};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    if (sendmsg(sock, &m, MSG_NOSIGNAL) != (ssize_t)sizeof HELLO)
        wb_die("send the ring to the sender");
}
/* [handoff] */

static void cmd_recv(int argc, char *argv[])
{
    bool ns = false;
    uint64_t size = DEFAULT_SIZE;
    int c;
    while ((c = getopt(argc, argv, "+hns:")) != -1) {
        switch (c) {
        case 'h': wb_help();
        case 'n': ns = true; break;
        case 's': size = wb_size_arg(optarg, "ring size"); break;
        default: wb_usage("unknown option");
        }
    }
    if (argc - optind != 1)
        wb_usage("recv needs one SOCKET");
    if ((size & (size - 1)) != 0 || size < wb_page_size() ||
        size > (1ull << RING_MAX_LOG))
        wb_usage("ring size %llu: a power of two from %zu to 1G",
                 (unsigned long long)size, wb_page_size());
    const char *path = argv[optind];
    socket_addr(path);

    struct ring r;
    if (ring_create(&r, size) == -1)
        wb_fatal("recv: %s", r.err);
    int sock = accept_sender(path);
    pid_t pid = peer_pid(sock);
    send_ring(sock, &r);
    r.peer = sock;

    unsigned long long msgs = 0, bytes = 0;
    for (;;) {
        const unsigned char *p;
        uint64_t n;
        int got = ring_next(&r, &p, &n);
        if (got == 0)
            break;
        if (got == -1 && r.peer_gone)
            wb_fatal("recv: the sender (pid %d) went away before the end: "
                     "%llu message%s (%llu bytes) received",
                     (int)pid, msgs, msgs == 1 ? "" : "s", bytes);
        if (got == -1)
            wb_fatal("recv: %s", r.err);
        char len[32];
        struct iovec iov[3] = {
            {.iov_base = len, .iov_len = 0},
            {.iov_base = (void *)p, .iov_len = n},
            {.iov_base = ",", .iov_len = 1},
        };
        if (ns) {
            iov[0].iov_len = (size_t)snprintf(len, sizeof len,
                                              "%llu:", (unsigned long long)n);
            write_all(iov, 3);
        } else {
            write_all(iov + 1, 1);
        }
        msgs++;
        bytes += n;
        if (ring_done(&r) == -1)
            wb_fatal("recv: %s", r.err);
    }
    ring_destroy(&r);
    close(sock);
}

/* ---- send --------------------------------------------------------------- */

/* Connect to PATH, waiting up to `wait` seconds for a receiver to bind. */
static int connect_receiver(const char *path, long wait)
{
    struct sockaddr_un a = socket_addr(path);
    struct timespec t0, t, nap = {0, 10000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s == -1)
            wb_die("socket");
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
            return s;
        int err = errno;
        close(s);
        clock_gettime(CLOCK_MONOTONIC, &t);
        errno = err;
        long waited_ns =
            (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec);
        if ((err != ENOENT && err != ECONNREFUSED) ||
            waited_ns >= wait * 1000000000L)
            wb_die("connect '%s'", path);
        nanosleep(&nap, NULL);
    }
}

/* Receive the memfd and the eventfds; map the ring. */
static void recv_ring(int sock, struct ring *r)
{
    int fds[3];
    union {
        char buf[CMSG_SPACE(sizeof fds)];
        struct cmsghdr align;
    } u;
    char hello[sizeof HELLO] = {0};
    struct iovec iov = {.iov_base = hello, .iov_len = sizeof hello};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof u.buf};
    ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | MSG_WAITALL);
    if (n == -1)
        wb_die("receive the ring");
    const struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (n != (ssize_t)sizeof hello || memcmp(hello, HELLO, sizeof hello) ||
        (m.msg_flags & MSG_CTRUNC) || c == NULL ||
        c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof fds))
        wb_fatal("receive the ring: the receiver sent no ring");
    memcpy(fds, CMSG_DATA(c), sizeof fds);
    if (ring_attach(r, fds[0], fds[1], fds[2]) == -1)
        wb_fatal("send: %s", r->err);
}

/* Netstrings: `LEN:BYTES,`; LEN without leading zeros. Returns 1 and the
 * length, 0 at a clean end of input; exits on anything else. */
static int read_len(uint64_t *len, unsigned long long *off)
{
    int ch = getc(stdin);
    if (ch == EOF) {
        if (ferror(stdin))
            wb_die("read stdin");
        return 0;
    }
    uint64_t v = 0;
    int digits = 0;
    unsigned long long at = *off;
    for (; ch >= '0' && ch <= '9'; ch = getc(stdin)) {
        if (digits == 1 && v == 0)
            break; /* a leading zero */
        v = v * 10 + (uint64_t)(ch - '0');
        (*off)++;
        if (++digits > 12)
            break;
    }
    if (ch != ':' || digits == 0 || digits > 12)
        wb_fatal("send: stdin byte %llu: not a netstring (LEN:BYTES,)", at);
    (*off)++;
    *len = v;
    return 1;
}

static void cmd_send(int argc, char *argv[])
{
    bool ns = false;
    long wait = 10;
    int c;
    while ((c = getopt(argc, argv, "+hnt:")) != -1) {
        switch (c) {
        case 'h': wb_help();
        case 'n': ns = true; break;
        case 't': wait = wb_long_arg(optarg, "seconds", 0, 3600); break;
        default: wb_usage("unknown option");
        }
    }
    if (argc - optind != 1)
        wb_usage("send needs one SOCKET");
    const char *path = argv[optind];

    /* A write(2) to a pipe or socket whose reader is gone kills us with
     * SIGPIPE, silently. Our descriptors come from the receiver, and
     * ring_attach checks that they are eventfds; ignoring SIGPIPE as well
     * turns any such write into EPIPE, reported in one line. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        wb_die("ignore SIGPIPE");
    int sock = connect_receiver(path, wait);
    pid_t pid = peer_pid(sock);
    struct ring r;
    recv_ring(sock, &r);
    r.peer = sock;

    unsigned long long msgs = 0, bytes = 0, off = 0;
    uint64_t chunk = r.size / 4 < CHUNK ? r.size / 4 : CHUNK;
    for (;;) {
        uint64_t n;
        unsigned char *p;
        if (ns) {
            if (read_len(&n, &off) == 0)
                break;
            if (n > ring_max_payload(&r))
                wb_fatal("send: message %llu is %llu bytes: larger than the "
                         "ring (%llu bytes at most)",
                         msgs + 1, (unsigned long long)n,
                         (unsigned long long)ring_max_payload(&r));
            if ((p = ring_reserve(&r, n)) == NULL)
                break;
            /* stdio's buffer straight into the ring: no copy of our own */
            if (fread(p, 1, n, stdin) != n) {
                if (ferror(stdin))
                    wb_die("read stdin");
                wb_fatal("send: stdin ends inside message %llu", msgs + 1);
            }
            off += n;
            if (getc(stdin) != ',')
                wb_fatal("send: stdin byte %llu: netstring not closed by ','",
                         off);
            off++;
        } else {
            /* read(2) straight into the ring */
            if ((p = ring_reserve(&r, chunk)) == NULL)
                break;
            ssize_t got;
            while ((got = read(STDIN_FILENO, p, chunk)) == -1)
                if (errno != EINTR)
                    wb_die("read stdin");
            if (got == 0)
                break;
            n = (uint64_t)got;
        }
        if (ring_publish(&r, n) == -1)
            break;
        msgs++;
        bytes += n;
    }
    if (!r.peer_gone && r.err[0] == '\0' && ring_finish(&r) == 0)
        ring_check_peer(&r);
    if (r.peer_gone)
        wb_fatal("send: the receiver (pid %d) went away after %llu message%s "
                 "(%llu bytes) sent",
                 (int)pid, msgs, msgs == 1 ? "" : "s", bytes);
    if (r.err[0] != '\0')
        wb_fatal("send: %s", r.err);
    ring_destroy(&r);
    close(sock);
}

int main(int argc, char *argv[])
{
    wb_set_usage("recv [-n] [-s SIZE] SOCKET | send [-n] [-t SECONDS] SOCKET");
    if (argc >= 2 && strcmp(argv[1], "-h") == 0)
        wb_help();
    if (argc < 2)
        wb_usage("say recv or send");
    atexit(remove_socket);
    if (strcmp(argv[1], "recv") == 0)
        cmd_recv(argc - 1, argv + 1);
    else if (strcmp(argv[1], "send") == 0)
        cmd_send(argc - 1, argv + 1);
    else
        wb_usage("unknown command '%s'", argv[1]);
    return 0;
}
