/*
 * dirty_pages.c: the dirty pages of one mapping, counted in /proc/self/smaps.
 *
 * Maps NPAGES pages of a new temporary file in $TMPDIR MAP_SHARED, reads
 * every page, writes one byte into each of the first K pages, then calls
 * msync(MS_ASYNC), then msync(MS_SYNC), then writes one page again. After
 * each step it prints what /proc/self/smaps says about this one VMA: Rss and
 * the dirty pages (Shared_Dirty + Private_Dirty), and how many page faults
 * the writes took. Reading dirties nothing; each written page is dirty;
 * MS_ASYNC changes nothing; MS_SYNC writes them back and the count falls to
 * zero; the next store faults again, because writeback write-protected the
 * page. fstatfs(2) says what filesystem the file is on: on tmpfs there is no
 * writeback at all, MS_SYNC leaves the count where it was, and the demo says
 * so.
 *
 * Usage: dirty_pages [-h] [NPAGES [K]]    default 16 pages, 5 written
 * Tour:
 * Man pages: msync(2), proc(5) (/proc/PID/smaps), statfs(2), mmap(2),
 *            getrusage(2)
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#define EXT4_SUPER_MAGIC      0xEF53
#define XFS_SUPER_MAGIC       0x58465342
#define BTRFS_SUPER_MAGIC     0x9123683E
#define TMPFS_MAGIC           0x01021994
#define RAMFS_MAGIC           0x858458f6
#define OVERLAYFS_SUPER_MAGIC 0x794c7630

struct smaps {
    long rss_kb, shared_dirty_kb, private_dirty_kb;
};

/* [smaps] */
/* Rss, Shared_Dirty and Private_Dirty of the VMA that starts at base. */
static struct smaps smaps_of(const void *base)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (f == NULL)
        wb_die("open /proc/self/smaps");
    struct smaps s = {-1, 0, 0};
    char line[512];
    unsigned long start, end;
    char c;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "%lx-%lx %c", &start, &end, &c) == 3) {
            if (s.rss_kb >= 0)
                break; /* the next VMA's header: done */
            if (start == (unsigned long)base)
                s.rss_kb = 0; /* ours: read its fields */
        } else if (s.rss_kb >= 0) {
            sscanf(line, "Rss: %ld kB", &s.rss_kb);
            sscanf(line, "Shared_Dirty: %ld kB", &s.shared_dirty_kb);
            sscanf(line, "Private_Dirty: %ld kB", &s.private_dirty_kb);
        }
    }
    fclose(f);
    if (s.rss_kb < 0)
        wb_fatal("no VMA starts at the mapping in /proc/self/smaps");
    return s;
}
/* [smaps] */

/* Print one step's counts; return its dirty pages. */
static long show(const char *step, const void *base)
{
    struct smaps s = smaps_of(base);
    long kb_per_page = (long)wb_page_size() / 1024;
    printf("%-30s Rss %3ld  dirty %3ld  (Shared_Dirty %ld kB, Private_Dirty "
           "%ld kB)\n",
           step, s.rss_kb / kb_per_page,
           (s.shared_dirty_kb + s.private_dirty_kb) / kb_per_page,
           s.shared_dirty_kb, s.private_dirty_kb);
    return (s.shared_dirty_kb + s.private_dirty_kb) / kb_per_page;
}

static const char *fs_name(long type)
{
    switch (type) {
    case EXT4_SUPER_MAGIC: return "ext2/ext3/ext4";
    case XFS_SUPER_MAGIC: return "xfs";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    case TMPFS_MAGIC: return "tmpfs";
    case RAMFS_MAGIC: return "ramfs";
    case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
    default: return "another filesystem";
    }
}

static long vm_sysctl(const char *name)
{
    char path[128];
    long v = -1;
    snprintf(path, sizeof path, "/proc/sys/vm/%s", name);
    FILE *f = fopen(path, "re");
    if (f != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [NPAGES [K]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    long npages = i < argc ? wb_long_arg(argv[i], "NPAGES", 1, 4096) : 16;
    long k = i + 1 < argc ? wb_long_arg(argv[i + 1], "K", 0, npages) : 5;

    size_t ps = wb_page_size(), len = (size_t)npages * ps;
    int fd = wb_temp_file("dirty_pages", NULL);
    if (ftruncate(fd, (off_t)len) == -1)
        wb_die("ftruncate");
    struct statfs sfs;
    if (fstatfs(fd, &sfs) == -1)
        wb_die("fstatfs");
    bool no_writeback = sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC;
    printf("the file is on %s (statfs f_type 0x%lx)%s\n", fs_name(sfs.f_type),
           (unsigned long)sfs.f_type,
           no_writeback ? ": memory only, no writeback" : "");
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    close(fd);
    printf("mapped %ld pages MAP_SHARED; counts are pages of this VMA\n",
           npages);
    char step[64];

    show("after mmap", p);
    volatile char sink = 0;
    for (long j = 0; j < npages; j++)
        sink += p[(size_t)j * ps];
    (void)sink;
    snprintf(step, sizeof step, "after reading all %ld pages", npages);
    show(step, p);

    long faults = wb_minor_faults();
    for (long j = 0; j < k; j++)
        p[(size_t)j * ps] = 'x';
    faults = wb_minor_faults() - faults;
    snprintf(step, sizeof step, "after writing %ld pages", k);
    show(step, p);
    printf("  (the %ld stores took %ld page fault%s)\n", k, faults,
           faults == 1 ? "" : "s");

    if (msync(p, len, MS_ASYNC) == -1)
        wb_die("msync MS_ASYNC");
    show("after msync(MS_ASYNC)", p);
    if (msync(p, len, MS_SYNC) == -1)
        wb_die("msync MS_SYNC");
    long still = show("after msync(MS_SYNC)", p);
    if (no_writeback && still > 0)
        printf("  (%s has no disk to write to: msync had nothing to do, "
               "and %ld pages stayed dirty)\n",
               fs_name(sfs.f_type), still);

    faults = wb_minor_faults();
    p[0] = 'y';
    faults = wb_minor_faults() - faults;
    show("after one more store, page 0", p);
    printf("  (that store took %ld page fault%s)\n", faults,
           faults == 1 ? "" : "s");

    long expire = vm_sysctl("dirty_expire_centisecs");
    long wake = vm_sysctl("dirty_writeback_centisecs");
    if (expire >= 0 && wake >= 0 && !no_writeback)
        printf("left alone, a page dirty for %ld.%02ld s is written back by "
               "the flusher, which wakes every %ld.%02ld s\n",
               expire / 100, expire % 100, wake / 100, wake % 100);
    if (munmap(p, len) == -1)
        wb_die("munmap");
    return 0;
}
