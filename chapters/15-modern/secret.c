/*
 * secret.c: memfd_secret(2) memory, which only the processes that map it
 * can read; the kernel's own paths to it (/proc/PID/mem, process_vm_readv,
 * ptrace) cannot.
 *
 * Creates a secret memory file with memfd_secret(2) (Linux 5.14), gives it
 * one page with ftruncate(2), maps it MAP_SHARED (the only way it maps),
 * and writes a password into it. The process itself reads it as any other
 * memory, and may hand it to a system call that copies (write(2) to a pipe
 * works: the kernel copies through the process's own page tables), but not
 * to one that takes hold of the page itself (vmsplice(2) gets EFAULT, and
 * so does O_DIRECT I/O of data on disk: get_user_pages() refuses secret
 * memory; a seccomp filter that refuses vmsplice, as Podman's default
 * profile does with EPERM, answers first, and the demo says so). And the
 * page is gone from the kernel's direct map, and every way another party
 * has of reading a process's memory fails on it, while it works on an
 * ordinary page beside it: /proc/PID/mem (EIO), process_vm_readv(2) from a
 * child (EFAULT), and ptrace(PTRACE_PEEKDATA) by a tracer (EIO). Last, what
 * the file refuses: read(2), and MAP_PRIVATE.
 *
 * memfd_secret answers ENOSYS where the kernel lacks CONFIG_SECRETMEM, and
 * on kernels before 6.5 also where it was not enabled at boot with
 * secretmem.enable=1 (Debian 12's 6.1 has it built in but off); the demo
 * then says so.
 *
 * Usage: secret [-h]
 * Tour:
 * Man pages: memfd_secret(2), proc(5) (/proc/PID/mem), process_vm_readv(2),
 *            ptrace(2), mmap(2)
 */
#include "modern.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

static const char password[] = "hunter2";

/* Read 8 bytes at ADDR through /proc/PID/mem (PID 0: self). */
static const char *via_proc_mem(pid_t pid, const void *addr, char *out)
{
    char path[64];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/mem");
    else
        snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open %s", path);
    ssize_t n = pread(fd, out, 8, (off_t)(uintptr_t)addr);
    int err = errno;
    close(fd);
    return n == 8 ? "ok" : n == -1 ? wb_errname(err) : "short read";
}

static void show(const char *how, const char *what, const char *r,
                 const char *bytes)
{
    if (strcmp(r, "ok") == 0)
        printf("  %-34s %-9s ok: \"%.8s\"\n", how, what, bytes);
    else
        printf("  %-34s %-9s %s\n", how, what, r);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    size_t ps = wb_page_size();

    if (wb_on_valgrind()) {
        printf("under Valgrind 3.19, which does not know memfd_secret(2) "
               "(system call 447): not tried\n");
        return 0;
    }

    /* [create] */
    int fd = sys_memfd_secret(O_CLOEXEC);
    if (fd == -1) {
        if (errno != ENOSYS)
            wb_die("memfd_secret");
        printf("memfd_secret(2): ENOSYS: this kernel has no secret memory "
               "(built without CONFIG_SECRETMEM, before 6.5 booted without "
               "secretmem.enable=1, from 6.5 booted with "
               "secretmem.enable=0, or the direct map cannot be changed "
               "here), or a seccomp filter answers ENOSYS for the call (as "
               "Podman's default profile does for calls it does not "
               "list). Where it works, only the processes that map the "
               "page read it: /proc/PID/mem gives EIO, process_vm_readv "
               "EFAULT, PTRACE_PEEKDATA EIO\n");
        return 0;
    }
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate memfd_secret");
    char *s = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED)
        wb_die("mmap memfd_secret");
    memcpy(s, password, sizeof password);
    /* [create] */
    char *o = mmap(NULL, ps, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (o == MAP_FAILED)
        wb_die("mmap");
    memcpy(o, "ordinary", 9);

    printf("1. memfd_secret, one page, mapped MAP_SHARED, \"%s\" written\n",
           password);
    wb_print_vmas("secret", s, ps);
    printf("2. this process reads it: \"%s\"\n", s);
    int pipefd[2];
    if (pipe(pipefd) == -1)
        wb_die("pipe");
    char buf[16] = "";
    if (write(pipefd[1], s, 8) != 8 || read(pipefd[0], buf, 8) != 8)
        wb_die("write/read through a pipe");
    printf("  and write(2) from it to a pipe works: \"%s\"\n", buf);
    /* vmsplice does not copy: it takes hold of the page itself (through
     * get_user_pages()) and puts it in the pipe. */
    struct iovec iov = {s, 8};
    ssize_t spliced = vmsplice(pipefd[1], &iov, 1, 0);
    int verr = errno;
    if (spliced == -1 && verr == EFAULT)
        printf("  but vmsplice(2) of it into a pipe, which takes the page "
               "itself: EFAULT\n");
    else if (spliced == -1 && verr == EPERM) /* not one of vmsplice's own */
        printf("  vmsplice(2) of it into a pipe: EPERM, from a seccomp "
               "filter (Podman's default profile refuses vmsplice so), "
               "not from the page\n");
    else
        printf("  vmsplice(2) of it into a pipe: %s\n",
               spliced == -1 ? wb_errname(verr) : "works");
    close(pipefd[0]);
    close(pipefd[1]);

    printf("3. the other ways to read a process's memory:\n");
    /* [others] */
    show("/proc/self/mem", "secret", via_proc_mem(0, s, buf), buf);
    show("/proc/self/mem", "ordinary", via_proc_mem(0, o, buf), buf);

    fflush(stdout);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        const char *what[] = {"secret", "ordinary"};
        char *where[] = {s, o};
        for (int k = 0; k < 2; k++) {
            struct iovec local = {buf, 8}, remote = {where[k], 8};
            ssize_t n = process_vm_readv(parent, &local, 1, &remote, 1, 0);
            show("process_vm_readv, from a child", what[k],
                 n == 8 ? "ok" : wb_errname(errno), buf);
        }
        fflush(stdout);
        _exit(0);
    }
    if (waitpid(pid, NULL, 0) == -1)
        wb_die("waitpid");

    pid = fork(); /* a tracee: it has the same two mappings */
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        for (;;)
            pause();
    }
    if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == -1) {
        int err = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        errno = err;
        wb_die("ptrace(PTRACE_ATTACH)");
    }
    if (waitpid(pid, NULL, 0) == -1)
        wb_die("waitpid");
    const char *what[] = {"secret", "ordinary"};
    char *where[] = {s, o};
    for (int k = 0; k < 2; k++) {
        errno = 0;
        long word = ptrace(PTRACE_PEEKDATA, pid, where[k], NULL);
        int err = errno;
        memcpy(buf, &word, sizeof word);
        show("ptrace(PTRACE_PEEKDATA), tracer", what[k],
             err == 0 ? "ok" : wb_errname(err), buf);
    }
    /* [others] */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);

    printf("4. what a secret memory file refuses:\n");
    printf("  read(2): %s\n",
           read(fd, buf, 8) == -1 ? wb_errname(errno) : "ok");
    void *p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("  mmap MAP_PRIVATE: %s\n",
           p == MAP_FAILED ? wb_errname(errno) : "ok");
    munmap(s, ps);
    munmap(o, ps);
    close(fd);
    return 0;
}
