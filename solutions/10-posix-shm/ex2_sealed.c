/*
 * ex2_sealed.c: hand a sealed memfd to another process, and trust it only
 * if it is sealed (solution).
 *
 * The sender fills the memfd with write(2), so no writable mapping stands
 * in the way of F_SEAL_WRITE, seals it, and passes the descriptor as
 * SCM_RIGHTS ancillary data. The receiver checks the seals before it maps
 * anything: seals can only ever be added, so what it checked stays true
 * while it reads. See exercises/10-posix-shm/ex2_sealed.c for the task.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define REQUIRED (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static const struct {
    int bit;
    const char *word, *name;
} seals[] = {{F_SEAL_SEAL, "seal", "F_SEAL_SEAL"},
             {F_SEAL_SHRINK, "shrink", "F_SEAL_SHRINK"},
             {F_SEAL_GROW, "grow", "F_SEAL_GROW"},
             {F_SEAL_WRITE, "write", "F_SEAL_WRITE"},
             {F_SEAL_FUTURE_WRITE, "future_write", "F_SEAL_FUTURE_WRITE"}};
#define NSEALS (sizeof seals / sizeof seals[0])

static const char *sock_path;
static bool bound; /* is SOCKET ours to remove? */

static void remove_socket(void)
{
    if (bound)
        unlink(sock_path);
    bound = false;
}

/* "F_SEAL_SHRINK F_SEAL_WRITE" for the bits in S, or "(none)". */
static const char *seal_names(int s, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t k = 0; k < NSEALS; k++)
        if (s & seals[k].bit)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
                     buf[0] ? " " : "", seals[k].name);
    if (buf[0] == '\0')
        snprintf(buf, size, "(none)");
    return buf;
}

static int parse_seals(const char *list)
{
    if (strcmp(list, "none") == 0)
        return 0;
    char copy[256];
    if (strlen(list) >= sizeof copy)
        wb_usage("seals '%s': too long", list);
    strcpy(copy, list);
    int s = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w != NULL;
         w = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (k < NSEALS && strcmp(w, seals[k].word) != 0)
            k++;
        if (k == NSEALS)
            wb_usage("unknown seal '%s' in '%s'", w, list);
        s |= seals[k].bit;
    }
    if (s == 0)
        wb_usage("seals '%s': no seal named", list);
    return s;
}

static struct sockaddr_un address(void)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(sock_path) >= sizeof a.sun_path)
        wb_fatal("socket path '%s' is too long", sock_path);
    strcpy(a.sun_path, sock_path);
    return a;
}

/* Copy the file at PATH into a new memfd with write(2). */
static int memfd_from(const char *path, size_t *size)
{
    struct stat st;
    int in = wb_open_file(path, O_RDONLY | O_CLOEXEC, &st);
    int fd = memfd_create("ex2_sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd == -1)
        wb_die("memfd_create");
    char buf[65536];
    ssize_t n;
    *size = 0;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(fd, buf, (size_t)n) != n)
            wb_die("write to the memfd");
        *size += (size_t)n;
    }
    if (n == -1)
        wb_die("read '%s'", path);
    close(in);
    return fd;
}

/* [send] */
static int send_fd(int sock, int fd)
{
    union { /* a buffer aligned for struct cmsghdr */
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    char byte = 'M';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(sock, &msg, MSG_NOSIGNAL) == -1 ? -1 : 0;
}
/* [send] */

static int do_send(int want, const char *file)
{
    size_t size;
    int fd = memfd_from(file, &size);
    if (want != 0 && fcntl(fd, F_ADD_SEALS, want) == -1)
        wb_die("fcntl F_ADD_SEALS");
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock == -1)
        wb_die("socket");
    struct sockaddr_un a = address();
    if (connect(sock, (struct sockaddr *)&a, sizeof a) == -1)
        wb_die("connect '%s'", sock_path);
    if (send_fd(sock, fd) == -1)
        wb_die("sendmsg to '%s'", sock_path);
    int s = fcntl(fd, F_GET_SEALS);
    if (s == -1)
        wb_die("fcntl F_GET_SEALS");
    char names[128];
    printf("sent %zu bytes, seals: %s\n", size,
           seal_names(s, names, sizeof names));
    close(sock);
    close(fd);
    return 0;
}

/* Wait for one sender, and return the descriptor it sent. */
static int receive_fd(int listener)
{
    struct pollfd p = {.fd = listener, .events = POLLIN};
    int ready = poll(&p, 1, 10 * 1000);
    if (ready == -1)
        wb_die("poll");
    if (ready == 0)
        wb_fatal("no sender connected to '%s' within 10 seconds", sock_path);
    int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (conn == -1)
        wb_die("accept");
    remove_socket();

    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) == -1)
        wb_die("recvmsg");
    close(conn);
    const struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_level != SOL_SOCKET ||
        c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
        wb_fatal("the sender sent no descriptor");
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

static int do_recv(const char *out)
{
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener == -1)
        wb_die("socket");
    struct sockaddr_un a = address();
    if (bind(listener, (struct sockaddr *)&a, sizeof a) == -1)
        wb_die("bind '%s'", sock_path);
    bound = true;
    atexit(remove_socket);
    if (listen(listener, 1) == -1)
        wb_die("listen '%s'", sock_path);
    int fd = receive_fd(listener);
    close(listener);

    /* [check] */
    int s = fcntl(fd, F_GET_SEALS);
    if (s == -1)
        wb_die("refusing the descriptor: F_GET_SEALS");
    char names[128];
    if ((s & REQUIRED) != REQUIRED)
        wb_fatal("refusing an unsealed memfd: missing %s",
                 seal_names(REQUIRED & ~s, names, sizeof names));
    /* [check] */
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    size_t size = (size_t)st.st_size;
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o == -1)
        wb_die("open '%s'", out);
    if (size > 0) {
        /* MAP_PRIVATE: a read-only MAP_SHARED mapping of a write-sealed
         * memfd through a descriptor open for writing (this one is) is
         * refused (EPERM) before Linux 6.7. */
        const char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            wb_die("mmap");
        for (size_t done = 0; done < size;) {
            ssize_t n = write(o, p + done, size - done);
            if (n == -1)
                wb_die("write '%s'", out);
            done += (size_t)n;
        }
        munmap((void *)p, size);
    }
    if (close(o) == -1)
        wb_die("close '%s'", out);
    close(fd);
    printf("received %zu bytes, seals: %s\n", size,
           seal_names(s, names, sizeof names));
    return 0;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] recv SOCKET OUTFILE | send [-s SEALS] SOCKET FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 1)
        wb_usage("expected recv or send");
    const char *cmd = argv[i++];
    if (strcmp(cmd, "recv") == 0) {
        if (argc - i != 2)
            wb_usage("recv needs SOCKET and OUTFILE");
        sock_path = argv[i];
        return do_recv(argv[i + 1]);
    }
    if (strcmp(cmd, "send") != 0)
        wb_usage("unknown command '%s'", cmd);
    int want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
    if (i < argc && strcmp(argv[i], "-s") == 0) {
        if (i + 1 >= argc)
            wb_usage("-s needs a list of seals");
        want = parse_seals(argv[i + 1]);
        i += 2;
    }
    if (argc - i != 2)
        wb_usage("send needs SOCKET and FILE");
    sock_path = argv[i];
    return do_send(want, argv[i + 1]);
}
