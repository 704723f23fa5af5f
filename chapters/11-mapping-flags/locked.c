/*
 * locked.c: MAP_LOCKED and mlock() keep pages in RAM, up to RLIMIT_MEMLOCK,
 * a limit that CAP_IPC_LOCK lets a process ignore.
 *
 * Lowers its own RLIMIT_MEMLOCK soft limit to 16 pages (any process may
 * lower its limits), so the numbers are the same on every machine. Then:
 * a MAP_LOCKED mapping within the limit is resident at once and shows up in
 * the Locked: line of /proc/self/smaps; a MAP_LOCKED mapping and an mlock()
 * above the limit succeed as long as the process holds CAP_IPC_LOCK (root
 * does); after the demo drops that capability from its effective set with
 * capset(2), the same calls fail, mmap() with EAGAIN and mlock() with ENOMEM;
 * and with the limit at 0, mlock() fails with EPERM. A process without the
 * capability to begin with skips the privileged part and says so.
 *
 * Usage: locked [-h]
 * Tour:
 * Man pages: mmap(2) (MAP_LOCKED), mlock(2), getrlimit(2), capabilities(7),
 *            capset(2), proc(5) (/proc/PID/smaps, /proc/PID/status VmLck)
 */
#include "wb.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LIMIT_PAGES 16

static size_t ps;

/* [caps] */
/* Is CAP_IPC_LOCK in our effective set? With drop, take it out first. */
static bool ipc_lock_cap(bool drop)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) == -1)
        wb_die("capget");
    unsigned bit = 1u << (CAP_IPC_LOCK % 32);
    if (drop) {
        data[CAP_IPC_LOCK / 32].effective &= ~bit;
        if (syscall(SYS_capset, &hdr, data) == -1)
            wb_die("capset (drop CAP_IPC_LOCK)");
    }
    return data[CAP_IPC_LOCK / 32].effective & bit;
}
/* [caps] */

static void set_limit(rlim_t bytes)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == -1)
        wb_die("getrlimit");
    rl.rlim_cur = bytes;
    if (setrlimit(RLIMIT_MEMLOCK, &rl) == -1)
        wb_die("setrlimit RLIMIT_MEMLOCK");
}

/* mmap NPAGES with MAP_LOCKED; report; unmap. */
static void map_locked(const char *label, size_t npages)
{
    size_t len = npages * ps;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    if (p == MAP_FAILED) {
        printf("%s mmap(%zu pages, MAP_LOCKED): %s\n", label, npages,
               wb_errname(errno));
        return;
    }
    printf("%s mmap(%zu pages, MAP_LOCKED): ok, %zu of %zu resident "
           "untouched, smaps Locked: %ld kB\n",
           label, npages, wb_resident_pages(p, len), npages,
           wb_smaps_kb(p, "Locked"));
    if (munmap(p, len) == -1)
        wb_die("munmap");
}

/* mlock(2) itself. AddressSanitizer replaces the library's mlock() with one
 * that does nothing and says "ok"; built with it, we call the system call. */
static int do_mlock(const void *p, size_t len)
{
    return wb_on_asan() ? (int)syscall(SYS_mlock, p, len) : mlock(p, len);
}

/* mlock NPAGES of a fresh mapping; report; unmap (which unlocks). */
static void try_mlock(const char *label, size_t npages)
{
    size_t len = npages * ps;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    if (do_mlock(p, len) == -1)
        printf("%s mlock(%zu page%s): %s\n", label, npages,
               npages == 1 ? "" : "s", wb_errname(errno));
    else
        printf("%s mlock(%zu page%s): ok, smaps Locked: %ld kB\n", label,
               npages, npages == 1 ? "" : "s", wb_smaps_kb(p, "Locked"));
    if (munmap(p, len) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    ps = wb_page_size();

    struct rlimit rl;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == -1)
        wb_die("getrlimit");
    if (rl.rlim_cur == RLIM_INFINITY)
        printf("RLIMIT_MEMLOCK was unlimited; ");
    else
        printf("RLIMIT_MEMLOCK was %llu KiB; ",
               (unsigned long long)rl.rlim_cur / 1024);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < LIMIT_PAGES * ps)
        wb_fatal("the hard limit is below %d pages", LIMIT_PAGES);
    set_limit(LIMIT_PAGES * ps);
    printf("lowered to %d pages (%zu KiB) for this demo\n", LIMIT_PAGES,
           LIMIT_PAGES * ps / 1024);

    map_locked("1. within the limit:", LIMIT_PAGES);

    if (ipc_lock_cap(false)) {
        printf("this process has CAP_IPC_LOCK (%s): the limit does not apply "
               "to it\n",
               geteuid() == 0 ? "it runs as root" : "granted to it");
        map_locked("2. over the limit, with CAP_IPC_LOCK:", 2 * LIMIT_PAGES);
        try_mlock("   over the limit, with CAP_IPC_LOCK:", 2 * LIMIT_PAGES);
        ipc_lock_cap(true);
        printf("dropped CAP_IPC_LOCK from the effective set (capset)\n");
    } else {
        printf("this process has no CAP_IPC_LOCK: the limit applies "
               "(with it, as root usually has it, step 2 would show the "
               "bypass)\n");
    }
    map_locked("3. over the limit, no CAP_IPC_LOCK:", 2 * LIMIT_PAGES);
    try_mlock("   over the limit, no CAP_IPC_LOCK:", 2 * LIMIT_PAGES);
    try_mlock("   within the limit, no CAP_IPC_LOCK:", LIMIT_PAGES);

    set_limit(0);
    printf("RLIMIT_MEMLOCK lowered to 0\n");
    try_mlock("4. limit 0, no CAP_IPC_LOCK:", 1);
    return 0;
}
