/*
 * modern.h: the constants, structures and system call numbers of chapter 15
 * that the workbook's headers (Debian 12: linux-libc-dev 6.1, glibc 2.36)
 * do not have yet.
 *
 * Every definition is guarded, so that headers new enough to have it win:
 * a macro by #ifndef on its own name; a structure, which has no name the
 * preprocessor can test, by LINUX_VERSION_CODE from <linux/version.h> (the
 * release of the installed uapi headers), together with the macros and enum
 * that come with it (PAGEMAP_SCAN, PAGE_IS_*, PM_SCAN_*, PROCMAP_QUERY):
 * from the release that added it on, the system header is included instead
 * of the copy below.
 *
 * Each item names the uapi header it is copied from and the kernel release
 * that added it (checked against the kernel's own headers and the commits
 * that added them; the numbers are x86-64's, from
 * arch/x86/entry/syscalls/syscall_64.tbl, which arm64, riscv and the other
 * architectures of the generic table share for these calls; alpha has its
 * own numbers and mips adds an offset per ABI).
 *
 * glibc 2.36 has no wrapper for mseal, memfd_secret or cachestat; it wraps
 * pidfd_open and process_madvise (both new in 2.36), which this header
 * still calls through syscall(2), so that it builds with any libc. The
 * sys_* functions at the end are raw syscall(2) calls, returning -1 and
 * setting errno as usual.
 * On a kernel without the call, errno is ENOSYS; on one without the advice
 * value or the mmap type, EINVAL (an unknown mmap flag is ignored, not
 * refused). A program that includes this header should not also include
 * <sys/mount.h>: <linux/fs.h>, which it may include, clashes with it.
 */
#ifndef MODERN_H
#define MODERN_H

#include <linux/types.h>
#include <linux/userfaultfd.h>
#include <linux/version.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- madvise(2) advice: include/uapi/asm-generic/mman-common.h ---- */

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21 /* reclaim these pages (5.4) */
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* synchronous huge page collapse (6.1) */
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* fatal signal on access to range (6.13) */
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103 /* unguard range (6.13) */
#endif

/* ---- mmap(2) map types: include/uapi/linux/mman.h ---- */

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08 /* zero memory under memory pressure (6.11) */
#endif

/* ---- system call numbers: arch/x86/entry/syscalls/syscall_64.tbl ---- */

#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434 /* 5.3 */
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440 /* 5.10 */
#endif
#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447 /* 5.14 */
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451 /* 6.5 */
#endif
#ifndef __NR_mseal
#define __NR_mseal 462 /* 6.10 */
#endif
#endif /* elsewhere <sys/syscall.h> must have them, or the build fails */

/* ---- cachestat(2): include/uapi/linux/mman.h (6.5) ---- */

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <linux/mman.h>
#else
struct cachestat_range {
    __u64 off;
    __u64 len; /* 0: to the end of the file */
};

struct cachestat {
    __u64 nr_cache; /* pages in the page cache */
    __u64 nr_dirty;
    __u64 nr_writeback;
    __u64 nr_evicted;
    __u64 nr_recently_evicted;
};
#endif

/* ---- PAGEMAP_SCAN: include/uapi/linux/fs.h (6.7) ---- */

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#include <linux/fs.h>
#else
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)

#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN   (1 << 1)
#define PAGE_IS_FILE      (1 << 2)
#define PAGE_IS_PRESENT   (1 << 3)
#define PAGE_IS_SWAPPED   (1 << 4)
#define PAGE_IS_PFNZERO   (1 << 5)
#define PAGE_IS_HUGE      (1 << 6)

struct page_region {
    __u64 start;
    __u64 end;        /* exclusive */
    __u64 categories; /* PAGE_IS_* */
};

#define PM_SCAN_WP_MATCHING   (1 << 0) /* write-protect the pages matched */
#define PM_SCAN_CHECK_WPASYNC (1 << 1) /* stop at a page not WP-enabled */

struct pm_scan_arg {
    __u64 size;  /* sizeof(struct pm_scan_arg) */
    __u64 flags; /* PM_SCAN_* */
    __u64 start;
    __u64 end;
    __u64 walk_end; /* out: where the walk stopped */
    __u64 vec;      /* struct page_region [vec_len] */
    __u64 vec_len;
    __u64 max_pages; /* 0: no limit */
    __u64 category_inverted;
    __u64 category_mask;
    __u64 category_anyof_mask;
    __u64 return_mask;
};
#endif

/* Soft-dirty came a release after the ioctl (6.8: "fs/proc/task_mmu: report
 * SOFT_DIRTY bits through the PAGEMAP_SCAN ioctl"), so 6.7's headers lack it. */
#ifndef PAGE_IS_SOFT_DIRTY
#define PAGE_IS_SOFT_DIRTY (1 << 7)
#endif

#ifndef PAGE_IS_GUARD
#define PAGE_IS_GUARD (1 << 8) /* a guard region marker (a516403787e0, 2025) */
#endif

/* ---- PROCMAP_QUERY: include/uapi/linux/fs.h (6.11) ---- */

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)

enum procmap_query_flags {
    PROCMAP_QUERY_VMA_READABLE = 0x01,
    PROCMAP_QUERY_VMA_WRITABLE = 0x02,
    PROCMAP_QUERY_VMA_EXECUTABLE = 0x04,
    PROCMAP_QUERY_VMA_SHARED = 0x08,
    PROCMAP_QUERY_COVERING_OR_NEXT_VMA = 0x10,
    PROCMAP_QUERY_FILE_BACKED_VMA = 0x20,
};

struct procmap_query {
    __u64 size;          /* in: sizeof(struct procmap_query) */
    __u64 query_flags;   /* in: PROCMAP_QUERY_* */
    __u64 query_addr;    /* in */
    __u64 vma_start;     /* out */
    __u64 vma_end;       /* out */
    __u64 vma_flags;     /* out: PROCMAP_QUERY_VMA_* */
    __u64 vma_page_size; /* out */
    __u64 vma_offset;    /* out */
    __u64 inode;         /* out */
    __u32 dev_major;     /* out */
    __u32 dev_minor;     /* out */
    __u32 vma_name_size; /* in/out: buffer size, then bytes used */
    __u32 build_id_size; /* in/out */
    __u64 vma_name_addr; /* in: char buffer, or 0 */
    __u64 build_id_addr; /* in: byte buffer, or 0 */
};
#endif
_Static_assert(sizeof(struct procmap_query) == 104,
               "struct procmap_query is 104 bytes in 6.11");

/* ---- userfaultfd features: include/uapi/linux/userfaultfd.h ---- */

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13) /* 6.4 */
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15) /* 6.7 */
#endif

/* ---- the calls, through syscall(2) (glibc 2.36 wraps only pidfd_open and
 * process_madvise of them) ---- */

/* mseal(2), 6.10: seal [addr, addr + len); flags must be 0. */
static inline int sys_mseal(void *addr, size_t len, unsigned long flags)
{
    return (int)syscall(__NR_mseal, addr, len, flags);
}

/* memfd_secret(2), 5.14: flags 0 or O_CLOEXEC. */
static inline int sys_memfd_secret(unsigned int flags)
{
    return (int)syscall(__NR_memfd_secret, flags);
}

/* cachestat(2), 6.5: flags must be 0. */
static inline int sys_cachestat(int fd, struct cachestat_range *range,
                                struct cachestat *cs, unsigned int flags)
{
    return (int)syscall(__NR_cachestat, fd, range, cs, flags);
}

/* pidfd_open(2), 5.3. */
static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
    return (int)syscall(__NR_pidfd_open, pid, flags);
}

/* process_madvise(2), 5.10: flags must be 0. */
struct iovec;
static inline ssize_t sys_process_madvise(int pidfd, const struct iovec *iov,
                                          size_t vlen, int advice,
                                          unsigned int flags)
{
    return syscall(__NR_process_madvise, pidfd, iov, vlen, advice, flags);
}

#endif /* MODERN_H */
