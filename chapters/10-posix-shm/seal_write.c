/*
 * seal_write.c: F_SEAL_WRITE and F_SEAL_FUTURE_WRITE, and who may still write.
 *
 * Part 1: a sealable memfd of one page holding "version 1". F_SEAL_WRITE
 * freezes the contents for everyone, so the kernel refuses it (EBUSY) while
 * any shared mapping could write: a PROT_READ|PROT_WRITE one, and even a
 * PROT_READ one of a read-write descriptor, which mprotect(2) could make
 * writable. A private mapping does not count. Once sealed, write(2) and a
 * new writable shared mapping fail with EPERM, a read-only shared mapping
 * (allowed since Linux 6.7 and in stable kernels that took the change, such
 * as Debian 12's 6.1.0-57, but EPERM before it and in 6.12.0 to 6.12.8;
 * the demo reports which) cannot be
 * mprotect'ed writable (EACCES), and a private mapping is still a private
 * copy. But F_SEAL_WRITE says nothing about the size: ftruncate can
 * still empty the file, which is why a receiver wants the size seals too.
 *
 * Part 2: F_SEAL_FUTURE_WRITE (Linux 5.1) is accepted while a writable
 * shared mapping exists. It stops new writers only: write(2) and new
 * writable mappings fail, but the old mapping goes on writing, and every
 * reader sees the change. A receiver that must be sure the bytes cannot
 * change under it needs F_SEAL_WRITE.
 *
 * Usage: seal_write [-h]
 * Tour:
 * Man pages: fcntl(2) ("File Sealing"), memfd_create(2), mmap(2),
 *            mprotect(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t ps;

static void outcome(const char *what, int rc)
{
    printf("  %-56s %s\n", what, rc == -1 ? wb_errname(errno) : "ok");
}

/* A mapping of the memfd, or MAP_FAILED with errno set. */
static char *map(int fd, int prot, int flags)
{
    return mmap(NULL, ps, prot, flags, fd, 0);
}

static void unmap(char *p)
{
    if (munmap(p, ps) == -1)
        wb_die("munmap");
}

static void contents(int fd)
{
    char buf[32] = "";
    if (pread(fd, buf, sizeof buf - 1, 0) == -1)
        wb_die("pread");
    printf("  the memfd (pread) reads \"%s\"\n", buf);
}

static int new_memfd(const char *name, const char *text)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd == -1)
        wb_die("memfd_create");
    if (ftruncate(fd, (off_t)ps) == -1)
        wb_die("ftruncate");
    if (pwrite(fd, text, strlen(text), 0) == -1)
        wb_die("pwrite");
    return fd;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    int fd = new_memfd("doc", "version 1");
    printf("1. a sealable memfd of 1 page holding \"version 1\"\n");
    /* [busy] */
    char *rw = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (rw == MAP_FAILED)
        wb_die("mmap");
    outcome("with a PROT_READ|PROT_WRITE shared mapping: F_SEAL_WRITE",
            fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    unmap(rw);
    char *ro = map(fd, PROT_READ, MAP_SHARED);
    if (ro == MAP_FAILED)
        wb_die("mmap");
    outcome("with a PROT_READ shared mapping: F_SEAL_WRITE",
            fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    unmap(ro);
    /* [busy] */
    char *priv = map(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    if (priv == MAP_FAILED)
        wb_die("mmap");
    outcome("with only a private mapping: F_SEAL_WRITE",
            fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    printf("sealed with F_SEAL_WRITE:\n");
    outcome("pwrite 1 byte at offset 0", (int)pwrite(fd, "X", 1, 0));
    char *p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
    outcome("mmap(PROT_READ|PROT_WRITE, MAP_SHARED)", p == MAP_FAILED ? -1 : 0);
    if (p != MAP_FAILED)
        unmap(p);
    ro = map(fd, PROT_READ, MAP_SHARED);
    int map_errno = errno;
    outcome("mmap(PROT_READ, MAP_SHARED)", ro == MAP_FAILED ? -1 : 0);
    if (ro != MAP_FAILED) {
        outcome("  then mprotect(PROT_READ|PROT_WRITE)",
                mprotect(ro, ps, PROT_READ | PROT_WRITE));
        unmap(ro);
    } else if (map_errno == EPERM) {
        printf("  this kernel refuses even a read-only shared mapping of a "
               "write-sealed memfd (newer kernels allow it: mainline 6.7 to "
               "6.11 and from 6.13, 6.12 from 6.12.9); MAP_PRIVATE reads it "
               "anywhere\n");
    }
    memcpy(priv, "private", 8);
    printf("  stored \"%s\" through the private mapping: ok\n", priv);
    contents(fd);
    unmap(priv);
    outcome("ftruncate to 0 (no size seal)", ftruncate(fd, 0));
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    printf("  the memfd now has %lld bytes: %s\n", (long long)st.st_size,
           st.st_size == 0 ? "F_SEAL_WRITE did not keep them"
                           : "they were kept (not by F_SEAL_WRITE?)");
    close(fd);

    fd = new_memfd("doc", "version 1");
    printf("2. a new memfd holding \"version 1\", mapped shared read-write\n");
    /* [future] */
    rw = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
    if (rw == MAP_FAILED)
        wb_die("mmap");
    outcome("with that mapping: F_SEAL_FUTURE_WRITE",
            fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    outcome("pwrite 1 byte at offset 0", (int)pwrite(fd, "X", 1, 0));
    p = map(fd, PROT_READ | PROT_WRITE, MAP_SHARED);
    outcome("mmap(PROT_READ|PROT_WRITE, MAP_SHARED)", p == MAP_FAILED ? -1 : 0);
    if (p != MAP_FAILED)
        unmap(p);
    memcpy(rw, "version 2", 9); /* the old mapping is not stopped */
    /* [future] */
    printf("  stored \"version 2\" through the old mapping: ok\n");
    contents(fd);
    unmap(rw);
    close(fd);
    return 0;
}
