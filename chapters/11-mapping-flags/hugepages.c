/*
 * hugepages.c: MAP_HUGETLB takes pages from a pool the administrator fills;
 * transparent huge pages (THP) are the fallback that needs no pool.
 *
 * Lists the huge page sizes this machine offers (/sys/kernel/mm/hugepages)
 * and the state of the default size's pool (/proc/meminfo). Then:
 * 1. mmap(MAP_HUGETLB) of one huge page: with an empty pool (vm.nr_hugepages
 *    is 0 by default) it fails with ENOMEM, and the demo says how an
 *    administrator reserves pages; with pages in the pool it succeeds, and the
 *    demo shows KernelPageSize in smaps, the pool's free count dropping on
 *    the first touch, and munmap() of a single small page refused (EINVAL).
 * 2. With MAP_NORESERVE added and an empty pool, mmap() succeeds and the
 *    first touch raises SIGBUS: nothing was promised, nothing is there.
 * 3. The fallback: a 2 MiB-aligned piece of ordinary anonymous memory with
 *    madvise(MADV_HUGEPAGE), one byte written, and the result in mincore and
 *    in the AnonHugePages line of smaps, next to a piece with
 *    MADV_NOHUGEPAGE for contrast. What happens depends on
 *    /sys/kernel/mm/transparent_hugepage/enabled, which the demo prints.
 *
 * Usage: hugepages [-h]
 * Tour:
 * Man pages: mmap(2) (MAP_HUGETLB, MAP_HUGE_2MB), madvise(2) (MADV_HUGEPAGE),
 *            proc(5); kernel docs admin-guide/mm/hugetlbpage.rst and
 *            admin-guide/mm/transhuge.rst
 */
#include "wb.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The sizes in /sys/kernel/mm/hugepages, e.g. " 2048 kB 1048576 kB". */
static void list_sizes(void)
{
    DIR *d = opendir("/sys/kernel/mm/hugepages");
    if (d == NULL) {
        printf("no /sys/kernel/mm/hugepages: this kernel has no hugetlb\n");
        return;
    }
    long sizes[16];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 16)
        if (sscanf(e->d_name, "hugepages-%ldkB", &sizes[n]) == 1)
            n++;
    closedir(d);
    for (int i = 1; i < n; i++) /* insertion sort: readdir has no order */
        for (int j = i; j > 0 && sizes[j] < sizes[j - 1]; j--) {
            long t = sizes[j];
            sizes[j] = sizes[j - 1];
            sizes[j - 1] = t;
        }
    printf("hugetlb page sizes here:");
    for (int i = 0; i < n; i++)
        printf(" %ld kB", sizes[i]);
    printf("\n");
}

/* The word in brackets in a sysfs policy file: "always [madvise] never". */
static void thp_policy(char *out, size_t size)
{
    snprintf(out, size, "unknown");
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    if (f == NULL)
        return;
    char line[128];
    if (fgets(line, sizeof line, f) != NULL) {
        char *l = strchr(line, '['), *r = l ? strchr(l, ']') : NULL;
        if (r != NULL)
            snprintf(out, size, "%.*s", (int)(r - l - 1), l + 1);
    }
    fclose(f);
}

static void hugetlb(size_t huge)
{
    long free_before = wb_meminfo_kb("HugePages_Free");
    char *p = mmap(NULL, huge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p == MAP_FAILED) {
        printf("1. mmap(%zu kB, MAP_HUGETLB): %s\n", huge / 1024,
               wb_errname(errno));
        if (errno == ENOMEM && free_before == 0)
            printf("   the pool is empty; an administrator fills it, e.g.\n"
                   "   sysctl vm.nr_hugepages=16   (or hugepages=16 on the "
                   "kernel command line)\n");
        return;
    }
    printf("1. mmap(%zu kB, MAP_HUGETLB): ok, smaps KernelPageSize: %ld kB\n",
           huge / 1024, wb_smaps_kb(p, "KernelPageSize"));
    long free_mapped = wb_meminfo_kb("HugePages_Free");
    long rsvd_mapped = wb_meminfo_kb("HugePages_Rsvd");
    p[0] = 'x';
    printf("   HugePages_Free: %ld before, %ld after mmap (Rsvd %ld: promised, "
           "not used), %ld after the first write\n",
           free_before, free_mapped, rsvd_mapped,
           wb_meminfo_kb("HugePages_Free"));
    int r = munmap(p + wb_page_size(), wb_page_size());
    printf("   munmap() of one 4 KiB page inside it: %s\n",
           r == 0 ? "ok" : wb_errname(errno));
    if (munmap(p, huge) == -1)
        wb_die("munmap");
}

static void noreserve(size_t huge)
{
    if (wb_meminfo_kb("HugePages_Free") > 0) {
        printf("2. (skipped: the pool has free pages, MAP_NORESERVE would "
               "just use one)\n");
        return;
    }
    char *p =
        mmap(NULL, huge, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        printf("2. mmap(MAP_HUGETLB|MAP_NORESERVE): %s\n", wb_errname(errno));
        return;
    }
    int sig = wb_try_write(p, 'x');
    printf("2. mmap(MAP_HUGETLB|MAP_NORESERVE): ok; first write: %s%s%s%s\n",
           sig ? wb_signame(sig) : "ok", sig ? " (" : "",
           sig ? wb_last_fault_code() : "", sig ? ")" : "");
    if (munmap(p, huge) == -1)
        wb_die("munmap");
}

/* Map 2 huge pages' worth, keep the aligned huge page in the middle. */
static char *aligned_piece(size_t huge)
{
    char *raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        wb_die("mmap");
    char *p = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
    if ((p > raw && munmap(raw, p - raw) == -1) ||
        (p + huge < raw + 2 * huge &&
         munmap(p + huge, raw + 2 * huge - (p + huge)) == -1))
        wb_die("munmap the unaligned ends");
    return p;
}

static void thp(size_t huge, int advice, const char *name)
{
    char *p = aligned_piece(huge);
    if (madvise(p, huge, advice) == -1)
        wb_die("madvise %s", name);
    p[0] = 'x'; /* one byte */
    printf("   %-16s one byte written: %4zu of %zu pages resident, "
           "AnonHugePages: %ld kB\n",
           name, wb_resident_pages(p, huge), huge / wb_page_size(),
           wb_smaps_kb(p, "AnonHugePages"));
    if (munmap(p, huge) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    list_sizes();
    long hkb = wb_meminfo_kb("Hugepagesize");
    if (hkb <= 0)
        wb_fatal("no Hugepagesize in /proc/meminfo");
    size_t huge = (size_t)hkb * 1024;
    printf("default size %ld kB: HugePages_Total %ld, HugePages_Free %ld "
           "(vm.nr_hugepages)\n",
           hkb, wb_meminfo_kb("HugePages_Total"),
           wb_meminfo_kb("HugePages_Free"));
    hugetlb(huge);
    noreserve(huge);

    char policy[32];
    thp_policy(policy, sizeof policy);
    printf("3. transparent huge pages: enabled = %s%s\n", policy,
           strcmp(policy, "madvise") == 0  ? " (only where MADV_HUGEPAGE asks)"
           : strcmp(policy, "always") == 0 ? " (wherever possible)"
           : strcmp(policy, "never") == 0  ? " (off: no THP at all)"
                                           : "");
    thp(huge, MADV_HUGEPAGE, "MADV_HUGEPAGE:");
    thp(huge, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE:");
    return 0;
}
