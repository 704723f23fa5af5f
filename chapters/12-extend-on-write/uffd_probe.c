/*
 * uffd_probe.c: may this process use userfaultfd, by which door, with which features?
 *
 * There are three ways to get a userfaultfd, and which ones work depends on
 * privilege and on the sysctl vm.unprivileged_userfaultfd: the system call
 * with no flags (kernel-mode faults included: needs CAP_SYS_PTRACE while
 * the sysctl is 0), the system call with UFFD_USER_MODE_ONLY (Linux 5.11:
 * open to everyone), and the device /dev/userfaultfd with the ioctl
 * USERFAULTFD_IOC_NEW (Linux 6.1: whoever may open the device). The demo
 * tries each and prints ok or the errno, then asks the kernel for its
 * feature bits with UFFDIO_API and names each one. Run it as root and as
 * an ordinary user (the tests use setpriv(1)) to see the difference.
 *
 * Usage: uffd_probe [-h]
 * Tour:
 * Man pages: userfaultfd(2), ioctl_userfaultfd(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef USERFAULTFD_IOC_NEW /* headers older than Linux 6.1 */
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#endif

/* The feature bits of <linux/userfaultfd.h>, in bit order. Kernels newer
 * than the headers may report bits this list does not name yet. */
static const char *const feature_names[] = {
    "PAGEFAULT_FLAG_WP",
    "EVENT_FORK",
    "EVENT_REMAP",
    "EVENT_REMOVE",
    "MISSING_HUGETLBFS",
    "MISSING_SHMEM",
    "EVENT_UNMAP",
    "SIGBUS",
    "THREAD_ID",
    "MINOR_HUGETLBFS",
    "MINOR_SHMEM",
    "EXACT_ADDRESS",
    "WP_HUGETLBFS_SHMEM",
    "WP_UNPOPULATED",
    "POISON",
    "WP_ASYNC",
    "MOVE",
};

/* Print "ok" or the errno name for one way in; keep the first fd that works. */
static void report(const char *door, int fd, int *keep)
{
    printf("%-38s %s\n", door, fd >= 0 ? "ok" : wb_errname(errno));
    if (fd >= 0 && *keep < 0)
        *keep = fd;
    else if (fd >= 0)
        close(fd);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    char sysctl[16] = "?";
    FILE *f = fopen("/proc/sys/vm/unprivileged_userfaultfd", "re");
    if (f != NULL) {
        if (fgets(sysctl, sizeof sysctl, f) != NULL)
            sysctl[strcspn(sysctl, "\n")] = '\0';
        fclose(f);
    }
    printf("vm.unprivileged_userfaultfd = %s\n", sysctl);

    int keep = -1;
    /* [doors] */
    report("userfaultfd(2):", (int)syscall(SYS_userfaultfd, O_CLOEXEC), &keep);
    report("userfaultfd(2), UFFD_USER_MODE_ONLY:",
           (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY),
           &keep);
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    int fd = dev;
    if (dev >= 0) {
        fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
        int err = errno;
        close(dev); /* the new userfaultfd does not need the device open */
        errno = err;
    }
    report("/dev/userfaultfd, USERFAULTFD_IOC_NEW:", fd, &keep);
    /* [doors] */

    if (keep < 0) {
        printf("no way in: no features to list\n");
        return 0;
    }
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(keep, UFFDIO_API, &api) == -1)
        wb_die("UFFDIO_API");
    close(keep);
    printf("UFFDIO_API: the kernel offers these features (0x%llx):\n",
           (unsigned long long)api.features);
    size_t named = sizeof feature_names / sizeof feature_names[0];
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!(api.features & (1ULL << bit)))
            continue;
        if (bit < named)
            printf("  bit %2u  UFFD_FEATURE_%s\n", bit, feature_names[bit]);
        else
            printf("  bit %2u  (newer than this program)\n", bit);
    }
    return 0;
}
