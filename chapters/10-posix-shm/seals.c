/*
 * seals.c: file seals on a memfd: F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_SEAL.
 *
 * A seal is a promise about a file that its holder can check and nobody can
 * take back: fcntl(F_ADD_SEALS) adds seals, F_GET_SEALS reads them, and no
 * call removes one. The demo first shows that a memfd made without
 * MFD_ALLOW_SEALING starts with F_SEAL_SEAL ("no more seals"), so adding
 * any seal fails with EPERM. Then, on a memfd made with the flag, it adds
 * F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_SEAL one at a time, and after each
 * one tries the calls the new seal forbids (they fail with EPERM) and the
 * ones it still allows. Last, where seals do not apply: a shm_open(3)
 * object is tmpfs too, but is born with F_SEAL_SEAL; a file in $TMPDIR
 * (not tmpfs here) does not know seals at all (EINVAL). The write seals
 * are seal_write's subject. Where vm.memfd_noexec is 1 (Linux 6.3+) or 2
 * (Linux 6.6+), a memfd_create naming neither MFD_EXEC nor MFD_NOEXEC_SEAL
 * is made MFD_NOEXEC_SEAL: born with F_SEAL_EXEC and sealable, even without
 * MFD_ALLOW_SEALING; the demo says when it saw that. (At 2 on a 6.3 to 6.5
 * kernel without commit 202e14222fad such a call fails with EINVAL, and so
 * does this demo.)
 *
 * Usage: seals [-h]
 * Tour:
 * Man pages: fcntl(2) ("File Sealing"), memfd_create(2), ftruncate(2),
 *            fallocate(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020 /* Linux 6.3 */
#endif

static void print_seals(const char *label, int fd)
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
    printf("%s:", label);
    if (s == -1)
        printf(" F_GET_SEALS fails with %s", wb_errname(errno));
    else if (s == 0)
        printf(" (none)");
    for (size_t k = 0; s > 0 && k < sizeof seal / sizeof seal[0]; k++)
        if (s & seal[k].bit)
            printf(" %s", seal[k].name);
    printf("\n");
}

/* Print what was tried and its outcome: "ok" or the errno's name. */
static void outcome(const char *what, int rc)
{
    printf("  %-44s %s\n", what, rc == -1 ? wb_errname(errno) : "ok");
}

/* [add] */
static void add_seal(int fd, int seal, const char *name)
{
    char what[64];
    snprintf(what, sizeof what, "F_ADD_SEALS(%s)", name);
    printf("%s:", what);
    if (fcntl(fd, F_ADD_SEALS, seal) == -1)
        wb_die("fcntl %s", what);
    printf(" ok\n");
}
/* [add] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    size_t ps = wb_page_size();
    char what[64];

    int plain = memfd_create("plain", MFD_CLOEXEC);
    if (plain == -1)
        wb_die("memfd_create");
    print_seals("1. memfd_create(\"plain\", MFD_CLOEXEC): seals", plain);
    int born = fcntl(plain, F_GET_SEALS);
    if (born != -1 && !(born & F_SEAL_SEAL) && (born & F_SEAL_EXEC))
        printf("  F_SEAL_EXEC, not F_SEAL_SEAL: vm.memfd_noexec made the call "
               "MFD_NOEXEC_SEAL, which allows sealing\n");
    outcome("F_ADD_SEALS(F_SEAL_SHRINK)",
            fcntl(plain, F_ADD_SEALS, F_SEAL_SHRINK));
    close(plain);

    /* [allow] */
    int fd = memfd_create("sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd == -1)
        wb_die("memfd_create");
    if (ftruncate(fd, (off_t)(2 * ps)) == -1)
        wb_die("ftruncate");
    /* [allow] */
    print_seals("2. memfd_create(\"sealed\", MFD_CLOEXEC|MFD_ALLOW_SEALING), "
                "2 pages: seals",
                fd);
    add_seal(fd, F_SEAL_SHRINK, "F_SEAL_SHRINK");
    snprintf(what, sizeof what, "ftruncate to %zu (shrink)", ps);
    outcome(what, ftruncate(fd, (off_t)ps));
    snprintf(what, sizeof what, "ftruncate to %zu (grow)", 4 * ps);
    outcome(what, ftruncate(fd, (off_t)(4 * ps)));

    add_seal(fd, F_SEAL_GROW, "F_SEAL_GROW");
    snprintf(what, sizeof what, "ftruncate to %zu (grow)", 8 * ps);
    outcome(what, ftruncate(fd, (off_t)(8 * ps)));
    snprintf(what, sizeof what, "pwrite 1 byte at the end (%zu)", 4 * ps);
    outcome(what, (int)pwrite(fd, "x", 1, (off_t)(4 * ps)));
    snprintf(what, sizeof what, "fallocate 0..%zu (grow)", 8 * ps);
    outcome(what, fallocate(fd, 0, 0, (off_t)(8 * ps)));
    outcome("pwrite 1 byte inside (offset 0)", (int)pwrite(fd, "x", 1, 0));
    snprintf(what, sizeof what, "ftruncate to %zu (the same size)", 4 * ps);
    outcome(what, ftruncate(fd, (off_t)(4 * ps)));

    add_seal(fd, F_SEAL_SEAL, "F_SEAL_SEAL");
    outcome("F_ADD_SEALS(F_SEAL_WRITE)", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    outcome("F_ADD_SEALS(0), no new seal at all", fcntl(fd, F_ADD_SEALS, 0));
    print_seals("seals now", fd);
    close(fd);

    char name[64];
    snprintf(name, sizeof name, "/seals.%d", (int)getpid());
    int shm = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (shm == -1)
        wb_die("shm_open '%s'", name);
    if (shm_unlink(name) == -1)
        wb_die("shm_unlink '%s'", name);
    print_seals("3. a shm_open object: seals", shm);
    outcome("F_ADD_SEALS(F_SEAL_SHRINK)",
            fcntl(shm, F_ADD_SEALS, F_SEAL_SHRINK));
    close(shm);
    int file = wb_temp_file("seals", NULL);
    struct statfs fs;
    if (fstatfs(file, &fs) == -1)
        wb_die("fstatfs");
    print_seals(fs.f_type == TMPFS_MAGIC ? "4. a file in $TMPDIR (tmpfs): seals"
                                         : "4. a file in $TMPDIR (not tmpfs): "
                                           "seals",
                file);
    close(file);
    return 0;
}
