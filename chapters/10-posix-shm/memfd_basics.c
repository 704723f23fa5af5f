/*
 * memfd_basics.c: memfd_create, a memory file with no name in any directory.
 *
 * Makes a memfd called NAME (default "notes") with MFD_CLOEXEC and looks at
 * it: its /proc/self/fd link, "/memfd:NAME (deleted)"; fstat(2), a regular
 * file of 0 bytes with no links, on a filesystem that is not /dev/shm's;
 * close-on-exec; its seals. Then it uses the one file both ways: write(2)
 * makes it grow like any file, the mapping reads what write(2) wrote, and
 * pread(2) reads what was stored through the mapping. Last, the executable
 * bit: the sysctl vm.memfd_noexec, and what MFD_NOEXEC_SEAL and MFD_EXEC
 * (Linux 6.3) make of a new memfd's mode and seals.
 *
 * Usage: memfd_basics [-h] [NAME]
 * Tour:
 * Man pages: memfd_create(2), fcntl(2), proc(5), read(2), write(2), mmap(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL /* Linux 6.3; glibc 2.36's headers lack them */
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC        0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static void print_seals(int fd)
{
    static const struct {
        int bit;
        const char *name;
    } seal[] = {{F_SEAL_SEAL, "F_SEAL_SEAL"},
                {F_SEAL_SHRINK, "F_SEAL_SHRINK"},
                {F_SEAL_GROW, "F_SEAL_GROW"},
                {F_SEAL_WRITE, "F_SEAL_WRITE"},
                {F_SEAL_FUTURE_WRITE, "F_SEAL_FUTURE_WRITE"},
                {F_SEAL_EXEC, "F_SEAL_EXEC"}};
    int s = fcntl(fd, F_GET_SEALS);
    if (s == -1)
        wb_die("fcntl F_GET_SEALS");
    if (s == 0)
        printf(" (none)");
    for (size_t k = 0; k < sizeof seal / sizeof seal[0]; k++)
        if (s & seal[k].bit)
            printf(" %s", seal[k].name);
}

/* The mode and seals of a fresh memfd made with FLAGS. */
static void try_exec_flag(const char *what, unsigned flags)
{
    int fd = memfd_create("x", flags);
    if (fd == -1) { /* EINVAL: unknown flag; EACCES: MFD_EXEC at sysctl 2 */
        printf("  memfd_create(%s): %s (%s)\n", what, wb_errname(errno),
               errno == EINVAL ? "a kernel before 6.3"
                               : "refused by vm.memfd_noexec");
        return;
    }
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    printf("  memfd_create(%s): mode %04o, seals:", what,
           (unsigned)(st.st_mode & 07777));
    print_seals(fd);
    printf("\n");
    close(fd);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [NAME]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    const char *name = i < argc ? argv[i] : "notes";
    size_t ps = wb_page_size();

    /* [create] */
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd == -1)
        wb_die("memfd_create '%s'", name);
    /* [create] */
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n == -1)
        wb_die("readlink %s", link);
    target[n] = '\0';
    struct stat st, shm;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    printf("memfd_create(\"%s\", MFD_CLOEXEC)\n", name);
    printf("  its /proc/self/fd link: %s\n", target);
    printf("  fstat: %s, mode %04o, %lld bytes, %ju links\n",
           S_ISREG(st.st_mode) ? "regular file" : "not a regular file?",
           (unsigned)(st.st_mode & 07777), (long long)st.st_size,
           (uintmax_t)st.st_nlink);
    if (stat("/dev/shm", &shm) == 0)
        printf("  on the same filesystem as /dev/shm: %s\n",
               shm.st_dev == st.st_dev ? "yes" : "no");
    int fdflags = fcntl(fd, F_GETFD);
    if (fdflags == -1)
        wb_die("fcntl F_GETFD");
    printf("  close-on-exec: %s\n", fdflags & FD_CLOEXEC ? "yes" : "no");
    printf("  seals:");
    print_seals(fd);
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals != -1 && (seals & F_SEAL_SEAL))
        printf(" (no MFD_ALLOW_SEALING: no seal can be added)\n");
    else if (seals != -1 && (seals & F_SEAL_EXEC))
        printf(" (not asked for: vm.memfd_noexec made the call "
               "MFD_NOEXEC_SEAL, which allows sealing)\n");
    else
        printf("\n");

    /* [both_ways] */
    const char *line = "written with write(2)";
    if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
        wb_die("write");
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    printf("write(2) of %zu bytes at offset 0: the size is now %lld\n",
           strlen(line), (long long)st.st_size);
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate");
    char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    printf("ftruncate to %zu bytes, mmap MAP_SHARED:\n", ps);
    wb_print_vmas("mem", p, ps);
    printf("the mapping at offset 0: \"%s\"\n", p);
    strcpy(p + 100, "stored through the mapping");
    char buf[64] = "";
    if (pread(fd, buf, sizeof buf - 1, 100) == -1)
        wb_die("pread");
    printf("stored through the mapping at offset 100; pread(2) there: "
           "\"%s\"\n",
           buf);
    /* [both_ways] */
    off_t end = lseek(fd, 0, SEEK_END);
    if (end == -1)
        wb_die("lseek");
    ssize_t got = read(fd, buf, sizeof buf);
    if (got == -1)
        wb_die("read");
    printf("lseek(SEEK_END): %lld; read(2) there: %zd bytes\n", (long long)end,
           got);
    if (munmap(p, ps) == -1)
        wb_die("munmap");
    close(fd);

    char sysctl[32] = "";
    FILE *f = fopen("/proc/sys/vm/memfd_noexec", "re");
    if (f == NULL || fgets(sysctl, sizeof sysctl, f) == NULL)
        printf("vm.memfd_noexec: not present (a kernel before 6.3)\n");
    else
        printf("vm.memfd_noexec = %.*s\n", (int)strcspn(sysctl, "\n"), sysctl);
    if (f != NULL)
        fclose(f);
    try_exec_flag("0", 0);
    try_exec_flag("MFD_NOEXEC_SEAL", MFD_NOEXEC_SEAL);
    try_exec_flag("MFD_EXEC", MFD_EXEC);
    return 0;
}
