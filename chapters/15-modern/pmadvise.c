/*
 * pmadvise.c: advice for another process's memory, with process_madvise(2)
 * (Linux 5.10) through a pidfd (pidfd_open(2), 5.3).
 *
 * The parent writes a file of PAGES pages (default 1024) under $TMPDIR and
 * syncs it. A child maps it MAP_SHARED and reads every page, and writes an
 * anonymous region of the same size: both count in its Rss. The child tells
 * the parent where the two regions are, and reports its Rss whenever asked.
 * The parent, which has mapped neither, then advises on the child's memory:
 *
 *   MADV_PAGEOUT on the file region: the clean page-cache pages are
 *     reclaimed at once and the child's Rss for them drops to (nearly) 0;
 *     the child reads them back from the file on its next touch. (On tmpfs
 *     the Rss drops too, but the pages are the file itself and, with no
 *     swap, stay in memory: the next touch maps them back, minor faults.)
 *   MADV_PAGEOUT on the anonymous region: the pages must go to swap; with
 *     no swap configured (SwapTotal in /proc/meminfo) they stay.
 *   MADV_DONTNEED: EINVAL. Only advice that cannot change what the target
 *     reads is allowed on another process: MADV_COLD, MADV_PAGEOUT,
 *     MADV_WILLNEED, MADV_COLLAPSE.
 *
 * The caller needs PTRACE_MODE_READ access to the target (same user, or
 * CAP_SYS_PTRACE) and CAP_SYS_NICE; without CAP_SYS_NICE every call with
 * an allowed advice is EPERM, which is what an ordinary user sees (the
 * advice is checked first: MADV_DONTNEED is still EINVAL). A seccomp filter
 * (Docker's default profile) gives EPERM too. On EPERM the demo reads its
 * own effective capabilities (CapEff in /proc/self/status) and says which
 * cause applies.
 *
 * Usage: pmadvise [-h] [PAGES]   PAGES 16..65536
 * Man pages: process_madvise(2), pidfd_open(2), madvise(2), proc(5)
 *            (smaps, meminfo), capabilities(7)
 */
#include "modern.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME "pmadvise.dat"

struct where {
    char *file, *anon;
};
struct rss {
    long file_kb, anon_kb;
};

static char path[4200];
static int to_child[2], from_child[2];
static pid_t child;

static void cleanup(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = 0;
    }
    unlink(path);
}

static void child_main(size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        wb_die("child: open '%s'", path);
    struct where w;
    w.file = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    w.anon = mmap(NULL, len, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (w.file == MAP_FAILED || w.anon == MAP_FAILED)
        wb_die("child: mmap");
    madvise(w.anon, len, MADV_NOHUGEPAGE); /* count in small pages */
    volatile char sink = 0;
    for (size_t off = 0; off < len; off += wb_page_size()) {
        sink += w.file[off];
        w.anon[off] = 1;
    }
    (void)sink;
    if (write(from_child[1], &w, sizeof w) != (ssize_t)sizeof w)
        _exit(1);
    char cmd;
    while (read(to_child[0], &cmd, 1) == 1 && cmd == 'r') {
        struct rss r = {wb_smaps_kb(w.file, "Rss"), wb_smaps_kb(w.anon, "Rss")};
        if (write(from_child[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(1);
    }
    _exit(0);
}

static struct rss ask_rss(void)
{
    struct rss r;
    if (write(to_child[1], "r", 1) != 1 ||
        read(from_child[0], &r, sizeof r) != (ssize_t)sizeof r)
        wb_fatal("the child did not answer");
    return r;
}

static void show_rss(const char *when)
{
    struct rss r = ask_rss();
    printf("  child's Rss %s: file region %ld kB, anonymous region %ld kB\n",
           when, r.file_kb, r.anon_kb);
}

/*
 * has_cap_sys_nice: whether CAP_SYS_NICE (bit 23) is in this process's
 * effective set, from the CapEff line of /proc/self/status; -1 if the line
 * cannot be read.
 */
static int has_cap_sys_nice(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    int has = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long eff;
        if (sscanf(line, "CapEff: %llx", &eff) == 1) {
            has = (int)((eff >> 23) & 1);
            break;
        }
    }
    fclose(f);
    return has;
}

/* [advise] */
static void advise(int pidfd, const char *what, void *addr, size_t len,
                   int advice, const char *name)
{
    struct iovec iov = {.iov_base = addr, .iov_len = len};
    ssize_t n = sys_process_madvise(pidfd, &iov, 1, advice, 0);
    int err = errno;
    printf("process_madvise(pidfd, the %s region, %s): ", what, name);
    if (n >= 0)
        printf("%zd bytes advised\n", n);
    else if (err == EPERM && has_cap_sys_nice() == 0)
        printf("EPERM: advice for another process needs CAP_SYS_NICE, "
               "which this process lacks\n");
    else if (err == EPERM && has_cap_sys_nice() == 1)
        printf("EPERM: refused although this process has CAP_SYS_NICE: a "
               "seccomp filter\n");
    else if (err == EPERM)
        printf("EPERM: CAP_SYS_NICE missing, or a seccomp filter\n");
    else if (err == EACCES)
        printf("EACCES: no PTRACE_MODE_READ access to the target (the "
               "kernel's answer; process_madvise(2) in man-pages 6.03 "
               "says EPERM)\n");
    else if (err == EINVAL && advice == MADV_DONTNEED)
        printf("EINVAL: only MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED and "
               "MADV_COLLAPSE may be given to another process\n");
    else if (err == ENOSYS)
        printf("ENOSYS: %s\n",
               wb_on_valgrind()
                   ? "Valgrind does not know this system call; run natively"
                   : "process_madvise(2) came in Linux 5.10");
    else
        printf("%s\n", wb_errname(err));
}
/* [advise] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t pages =
        (size_t)(i < argc ? wb_long_arg(argv[i], "pages", 16, 65536) : 1024);
    size_t ps = wb_page_size(), len = pages * ps;

    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/" NAME, dir && *dir ? dir : "/tmp");
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        wb_die("create '%s'", path);
    atexit(cleanup);
    char *buf = malloc(len);
    if (buf == NULL)
        wb_die("malloc");
    memset(buf, 'x', len);
    if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0)
        wb_die("write '%s'", path);
    free(buf);
    close(fd);

    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
        wb_die("pipe");
    fflush(stdout);
    child = fork();
    if (child < 0)
        wb_die("fork");
    if (child == 0)
        child_main(len);
    struct where w;
    if (read(from_child[0], &w, sizeof w) != (ssize_t)sizeof w)
        wb_fatal("the child did not start");

    long swap = wb_meminfo_kb("SwapTotal");
    printf("a child mapped a %zu-page file (MAP_SHARED, read) and a %zu-page "
           "anonymous region (written); SwapTotal %ld kB\n",
           pages, pages, swap);
    show_rss("at first");
    int pidfd = sys_pidfd_open(child, 0);
    if (pidfd < 0) {
        int err = errno;
        printf("pidfd_open(2): %s: %s\n", wb_errname(err),
               err != ENOSYS ? "unexpected (a kernel without pidfds answers "
                               "ENOSYS)"
               : wb_on_valgrind()
                   ? "Valgrind does not know this system call; run natively"
                   : "pidfds came in Linux 5.3");
        return 0;
    }
    advise(pidfd, "file", w.file, len, MADV_PAGEOUT, "MADV_PAGEOUT");
    show_rss("now");
    advise(pidfd, "anonymous", w.anon, len, MADV_PAGEOUT, "MADV_PAGEOUT");
    show_rss("now");
    advise(pidfd, "anonymous", w.anon, len, MADV_DONTNEED, "MADV_DONTNEED");
    close(pidfd);
    if (write(to_child[1], "q", 1) != 1)
        wb_die("write to the child");
    int status;
    if (waitpid(child, &status, 0) != child)
        wb_die("waitpid");
    child = 0;
    return 0;
}
