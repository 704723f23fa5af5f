/*
 * validate.c: MAP_SHARED ignores flags it does not know; MAP_SHARED_VALIDATE
 * rejects them with EOPNOTSUPP, which is what makes MAP_SYNC safe to ask for.
 *
 * Maps one page of a file in $TMPDIR and one page of a memfd (tmpfs) with a
 * list of extra flags, each once with MAP_SHARED and once with
 * MAP_SHARED_VALIDATE, and prints a table of the results: ok or the errno
 * name. An unknown bit is ignored by MAP_SHARED and refused by
 * MAP_SHARED_VALIDATE; MAP_SYNC (persistent-memory semantics) needs a DAX
 * file system and is refused on ext4 and tmpfs; MAP_FIXED_NOREPLACE (4.17)
 * is missing from the kernel's list of flags that MAP_SHARED_VALIDATE
 * accepts. Then anonymous memory, where MAP_SHARED_VALIDATE is not a valid
 * type at all (EINVAL; MAP_HUGETLB aside, which the kernel turns into a
 * hugetlbfs file). Last, MAP_UNINITIALIZED: accepted everywhere and
 * ignored unless the kernel was built with CONFIG_MMAP_ALLOW_UNINITIALIZED,
 * which the demo looks up in /boot/config-RELEASE or /proc/config.gz.
 *
 * Usage: validate [-h]
 * Tour:
 * Man pages: mmap(2) (MAP_SHARED_VALIDATE, MAP_SYNC, MAP_UNINITIALIZED),
 *            statfs(2), memfd_create(2)
 */
#include "wb.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000 /* glibc leaves it out; <linux/mman.h> */
#endif
#define MAP_UNKNOWN_BIT 0x400000 /* no kernel up to 6.18 gives it a meaning */

static size_t ps;

static const char *fs_name(int fd)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) == -1)
        wb_die("fstatfs");
    switch ((unsigned long)sf.f_type) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794C7630: return "overlayfs";
    default: return "another fs";
    }
}

/* [probe] */
/* One mmap() of one page with TYPE|EXTRA: "ok" or the errno name. */
static const char *probe(int fd, int type, int extra)
{
    void *want = NULL;
    if (extra & MAP_FIXED_NOREPLACE) { /* it needs an address: a free one */
        want = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (want == MAP_FAILED || munmap(want, ps) == -1)
            wb_die("find a free page");
    }
    void *p = mmap(want, ps, PROT_READ | PROT_WRITE, type | extra, fd, 0);
    if (p == MAP_FAILED)
        return wb_errname(errno);
    if (munmap(p, ps) == -1)
        wb_die("munmap");
    return "ok";
}
/* [probe] */

/* Look NAME up in the kernel's configuration: "y", "m", "not set", or NULL
 * when there is no configuration to read. SRC gets the file's name. */
static const char *kconfig(const char *name, char *src, size_t srclen)
{
    struct utsname u;
    char path[300], line[256];
    const char *found = "not set";
    FILE *f;
    bool piped = false;
    if (uname(&u) == -1)
        wb_die("uname");
    snprintf(path, sizeof path, "/boot/config-%s", u.release);
    if ((f = fopen(path, "re")) != NULL) {
        snprintf(src, srclen, "%s", path);
    } else if (access("/proc/config.gz", R_OK) == 0 &&
               (f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r")) !=
                   NULL) {
        snprintf(src, srclen, "/proc/config.gz");
        piped = true;
    } else {
        return NULL;
    }
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, name, n) == 0 && line[n] == '=')
            found = line[n + 1] == 'y' ? "y" : "m";
    if (piped ? pclose(f) != 0 : fclose(f) != 0)
        return NULL; /* gzip missing or failed: we know nothing */
    return found;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    int file = wb_temp_file("validate", NULL);
    int mem = memfd_create("validate", MFD_CLOEXEC);
    if (mem == -1)
        wb_die("memfd_create");
    if (ftruncate(file, (off_t)ps) == -1 || ftruncate(mem, (off_t)ps) == -1)
        wb_die("ftruncate");

    static const struct {
        const char *name;
        int flag;
    } extras[] = {
        {"(none)", 0},
        {"MAP_POPULATE", MAP_POPULATE},
        {"0x400000 (no such flag)", MAP_UNKNOWN_BIT},
        {"MAP_SYNC", MAP_SYNC},
        {"MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE},
        {"MAP_UNINITIALIZED", MAP_UNINITIALIZED},
        {"MAP_HUGETLB", MAP_HUGETLB},
    };
    printf("one page of a file in $TMPDIR (%s) and of a memfd (%s)\n",
           fs_name(file), fs_name(mem));
    printf("%-24s %-11s %-11s %-11s %s\n", "", "file", "file", "memfd",
           "memfd");
    printf("%-24s %-11s %-11s %-11s %s\n", "extra flag", "SHARED", "VALIDATE",
           "SHARED", "VALIDATE");
    for (size_t k = 0; k < sizeof extras / sizeof extras[0]; k++) {
        int x = extras[k].flag;
        printf("%-24s %-11s %-11s %-11s %s\n", extras[k].name,
               probe(file, MAP_SHARED, x), probe(file, MAP_SHARED_VALIDATE, x),
               probe(mem, MAP_SHARED, x), probe(mem, MAP_SHARED_VALIDATE, x));
    }
    printf("anonymous memory: MAP_SHARED %s, MAP_SHARED_VALIDATE %s\n",
           probe(-1, MAP_SHARED | MAP_ANONYMOUS, 0),
           probe(-1, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, 0));

    char src[320];
    const char *cfg =
        kconfig("CONFIG_MMAP_ALLOW_UNINITIALIZED", src, sizeof src);
    if (cfg == NULL)
        printf("MAP_UNINITIALIZED: no /boot/config-* or /proc/config.gz "
               "to read the kernel's configuration from\n");
    else {
        const char *mmu = kconfig("CONFIG_MMU", src, sizeof src);
        printf("MAP_UNINITIALIZED: CONFIG_MMAP_ALLOW_UNINITIALIZED is %s in "
               "%s; CONFIG_MMU is %s\n",
               cfg, src, mmu ? mmu : "unknown");
    }
    size_t len = 16 * ps, nonzero = 0;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_UNINITIALIZED, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap MAP_UNINITIALIZED");
    for (size_t k = 0; k < len; k++)
        nonzero += p[k] != 0;
    printf("  16 fresh pages mapped with it: %zu non-zero bytes of %zu\n",
           nonzero, len);
    if (munmap(p, len) == -1)
        wb_die("munmap");
    close(file);
    close(mem);
    return 0;
}
