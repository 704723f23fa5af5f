/*
 * kill_before_sync.c: SIGKILL before msync loses nothing; the page cache has it
 *
 * The parent creates FILE (3 pages, zero-filled). A child maps it MAP_SHARED,
 * stores one line at the start of each page, sending the parent a byte down
 * a pipe after each store, and kills itself with SIGKILL: no msync, no
 * munmap, no exit handlers. The parent reports how many lines the child
 * stored and how it ended, then reads the file with read(2): every stored
 * line is there, because the stores went into page-cache pages, which belong
 * to the kernel, not to the process that died. Then it shows what msync
 * would have been for: the pages are still dirty (counted in
 * /proc/self/smaps through a read-only mapping), i.e. not yet on the disk,
 * until fsync(2) writes them. On tmpfs or ramfs there is no disk and they
 * stay dirty; the demo says so, naming the filesystem statfs(2) reported.
 *
 * Usage: kill_before_sync [-h] [FILE]   default: a temporary file, removed
 * Tour:
 * Man pages: mmap(2), msync(2), fsync(2), kill(2), wait(2), pipe(2), proc(5),
 *            statfs(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994
#define RAMFS_MAGIC 0x858458f6

enum { NPAGES = 3 };
static char temp_path[PATH_MAX];
static pid_t owner;

static void remove_temp(void)
{
    if (temp_path[0] != '\0' && getpid() == owner)
        unlink(temp_path);
}

static void line_for(int page, char *buf, size_t size)
{
    snprintf(buf, size, "page %d: stored through MAP_SHARED, no msync\n", page);
}

/* Shared_Dirty + Private_Dirty of the VMA at base, in pages. */
static long dirty_pages(const void *base)
{
    long shared = wb_smaps_kb(base, "Shared_Dirty");
    long private = wb_smaps_kb(base, "Private_Dirty");
    if (shared < 0 || private < 0)
        wb_fatal("no dirty counts for the mapping in /proc/self/smaps");
    return (shared + private) * 1024 / (long)wb_page_size();
}

/* The child: map, store a line per page (one byte down `report` after each
 * store, so that the parent can count them), die. */
static _Noreturn void child(int fd, size_t ps, int report)
{
    char *p =
        mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("child: mmap");
    /* [store-and-die] */
    for (int i = 0; i < NPAGES; i++) {
        line_for(i, p + (size_t)i * ps, ps);
        if (write(report, "+", 1) != 1) /* tell the parent: one more line */
            _exit(2);
    }
    raise(SIGKILL); /* no msync, no munmap, no exit() */
    /* [store-and-die] */
    _exit(3); /* not reached */
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [FILE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");

    size_t ps = wb_page_size();
    int fd;
    owner = getpid();
    if (i < argc) {
        fd = open(argv[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd == -1)
            wb_die("open '%s'", argv[i]);
    } else {
        fd = wb_temp_file("kill_before_sync", temp_path);
        atexit(remove_temp);
    }
    if (ftruncate(fd, (off_t)(NPAGES * ps)) == -1)
        wb_die("ftruncate");
    struct statfs sfs;
    if (fstatfs(fd, &sfs) == -1)
        wb_die("fstatfs");
    /* The filesystem with no disk behind it, by name, or NULL. */
    const char *ram_fs = sfs.f_type == TMPFS_MAGIC   ? "tmpfs"
                         : sfs.f_type == RAMFS_MAGIC ? "ramfs"
                                                     : NULL;
    bool in_ram = ram_fs != NULL;
    if (in_ram)
        printf("file: %d pages of zeros, on %s (memory only)\n", NPAGES,
               ram_fs);
    else
        printf("file: %d pages of zeros, on a filesystem other than tmpfs and "
               "ramfs\n",
               NPAGES);

    int report[2];
    if (pipe2(report, O_CLOEXEC) == -1)
        wb_die("pipe2");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        close(report[0]);
        child(fd, ps, report[1]);
    }
    close(report[1]);

    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    /* The child is gone: the pipe holds one byte per line it stored. */
    char bytes[NPAGES + 1];
    ssize_t stored = read(report[0], bytes, sizeof bytes);
    if (stored == -1)
        wb_die("read the child's report");
    close(report[0]);
    const char *death =
        WIFSIGNALED(status) ? wb_signame(WTERMSIG(status)) : "child's exit";
    if (WIFSIGNALED(status))
        printf("child: stored %zd lines, then was killed by %s\n", stored,
               death);
    else
        printf("child: stored %zd lines, then exited with status %d "
               "(expected a signal)\n",
               stored, WEXITSTATUS(status));

    int found = 0;
    for (int k = 0; k < NPAGES; k++) {
        char want[128], got[128] = "";
        line_for(k, want, sizeof want);
        ssize_t n = pread(fd, got, strlen(want), (off_t)((size_t)k * ps));
        if (n == -1)
            wb_die("pread page %d", k);
        got[n] = '\0';
        found += strcmp(got, want) == 0;
        printf("read(2) at page %d: \"%.*s\"\n", k, (int)strcspn(got, "\n"),
               got);
    }
    printf("%d of %zd lines survived the %s\n", found, stored, death);

    /* Survived the process, but are they on the disk? Ask smaps. */
    char *view = mmap(NULL, NPAGES * ps, PROT_READ, MAP_SHARED, fd, 0);
    if (view == MAP_FAILED)
        wb_die("mmap read-only");
    volatile char sink = 0;
    /* Map in the pages the child stored to. (Not the others: on a full
     * tmpfs a read fault on a hole must allocate a page, and gets SIGBUS.) */
    for (int k = 0; k < stored; k++)
        sink += view[(size_t)k * ps];
    (void)sink;
    long dirty = dirty_pages(view);
    if (in_ram)
        printf("dirty pages in the page cache now: %ld (%s: memory is all "
               "there is)\n",
               dirty, ram_fs);
    else
        printf("dirty pages in the page cache now: %ld (%s)\n", dirty,
               dirty == 0 ? "already written back" : "not yet written back");
    if (fsync(fd) == -1)
        wb_die("fsync");
    long after = dirty_pages(view);
    printf("dirty pages after fsync(2): %ld\n", after);
    if (in_ram && after > 0)
        printf("(%s has no disk behind it: fsync had nothing to write, "
               "and the pages stayed dirty)\n",
               ram_fs);
    else if (after > 0)
        printf("(fsync returned and the pages are still dirty: this "
               "filesystem did not write them back)\n");
    if (munmap(view, NPAGES * ps) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
