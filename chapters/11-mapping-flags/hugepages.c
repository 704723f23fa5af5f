/*
 * hugepages.c: MAP_HUGETLB takes pages from a pool the administrator fills;
 * transparent huge pages (THP) are the fallback that needs no pool.
 *
 * "hugetlb" lists the huge page sizes this machine offers
 * (/sys/kernel/mm/hugepages) and the state of the default size's pool
 * (/proc/meminfo, and vm.nr_overcommit_hugepages, the surplus the kernel may
 * add to it). Then:
 * 1. mmap(MAP_HUGETLB) of one huge page: with an empty pool (vm.nr_hugepages
 *    is 0 by default) it fails with ENOMEM, and the demo says how an
 *    administrator reserves pages; with pages in the pool it succeeds, and the
 *    demo shows KernelPageSize in smaps, the pool's free count dropping on
 *    the first touch, and munmap() of a single small page refused (EINVAL).
 * 2. With MAP_NORESERVE added and an empty pool, mmap() succeeds and the
 *    first touch raises SIGBUS: nothing was promised, nothing is there.
 * "thp" is the fallback: a PMD-sized, PMD-aligned piece of ordinary
 * anonymous memory with madvise(MADV_HUGEPAGE), one byte written, and the
 * result in mincore and in the AnonHugePages line of smaps, next to a piece
 * with MADV_NOHUGEPAGE for contrast. What happens depends on the THP
 * settings in /sys/kernel/mm/transparent_hugepage (the global policy and,
 * since Linux 6.8, one per size), which the demo prints; it then says what
 * the one write mapped, as it counted it: a huge page, a multi-size THP
 * folio, or one small page. With no argument it does both.
 *
 * Usage: hugepages [-h] [hugetlb|thp]
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

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

/* The PMD size THP uses, in bytes: hpage_pmd_size, or the hugetlb default
 * (the same on x86-64 and arm64 with 4 KiB pages), or 0. */
static size_t pmd_size(void)
{
    char v[32];
    if (wb_read_knob(THP_DIR "/hpage_pmd_size", v, sizeof v) == 0)
        return (size_t)strtoull(v, NULL, 10);
    long kb = wb_meminfo_kb("Hugepagesize");
    return kb > 0 ? (size_t)kb * 1024 : 0;
}

static void hugetlb(size_t huge, long surplus)
{
    long free_before = wb_meminfo_kb("HugePages_Free");
    char *p = mmap(NULL, huge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p == MAP_FAILED) {
        int err = errno;
        printf("1. mmap(%zu kB, MAP_HUGETLB): %s\n", huge / 1024,
               wb_errname(err));
        if (err == ENOMEM && free_before == 0 && surplus <= 0)
            printf("   the pool is empty; an administrator fills it, e.g.\n"
                   "   sysctl vm.nr_hugepages=16   (or hugepages=16 on the "
                   "kernel command line)\n");
        else if (err == ENOMEM)
            printf("   (with %ld free and %ld surplus allowed: the pages are "
                   "taken or cannot be allocated)\n",
                   free_before, surplus);
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

static void noreserve(size_t huge, long surplus)
{
    if (wb_meminfo_kb("HugePages_Free") > 0 || surplus > 0) {
        printf("2. (skipped: the pool has free pages, or may grow, and "
               "MAP_NORESERVE would just use one)\n");
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

/* One byte written into a fresh aligned piece with ADVICE: what it mapped,
 * as counted. */
static void thp(size_t huge, int advice, const char *name)
{
    char *p = aligned_piece(huge);
    if (madvise(p, huge, advice) == -1) {
        if (errno != EINVAL)
            wb_die("madvise %s", name);
        printf("   %-16s EINVAL: this kernel has no transparent huge "
               "pages\n",
               name);
        munmap(p, huge);
        return;
    }
    p[0] = 'x'; /* one byte */
    size_t ps = wb_page_size(), n = huge / ps;
    size_t res = wb_resident_pages(p, huge);
    long ahp = wb_smaps_kb(p, "AnonHugePages");
    printf("   %-16s one byte written: %4zu of %zu pages resident, "
           "AnonHugePages: %ld kB: ",
           name, res, n, ahp);
    if (res == n && ahp * 1024 == (long)huge)
        printf("one %zu kB huge page\n", huge / 1024);
    else if (res == 1)
        printf("one small page\n");
    else if (res > 1 && res < n && ahp == 0)
        printf("a %zu kB multi-size THP folio\n", res * ps / 1024);
    else
        printf("neither a huge page nor one page\n");
    if (munmap(p, huge) == -1)
        wb_die("munmap");
}

static void show_hugetlb(void)
{
    list_sizes();
    long hkb = wb_meminfo_kb("Hugepagesize");
    if (hkb <= 0) {
        printf("no Hugepagesize in /proc/meminfo: no hugetlb pool here\n");
        return;
    }
    size_t huge = (size_t)hkb * 1024;
    char v[32];
    long surplus = -1;
    if (wb_read_knob("/proc/sys/vm/nr_overcommit_hugepages", v, sizeof v) == 0)
        surplus = strtol(v, NULL, 10);
    printf("default size %ld kB: HugePages_Total %ld, HugePages_Free %ld "
           "(vm.nr_hugepages), surplus allowed %ld "
           "(vm.nr_overcommit_hugepages)\n",
           hkb, wb_meminfo_kb("HugePages_Total"),
           wb_meminfo_kb("HugePages_Free"), surplus);
    hugetlb(huge, surplus);
    noreserve(huge, surplus);
}

static void show_thp(void)
{
    size_t huge = pmd_size();
    char policy[32], own[32], knob[128];
    if (huge == 0 ||
        wb_knob_choice(THP_DIR "/enabled", policy, sizeof policy) == -1) {
        printf("3. transparent huge pages: none in this kernel (no " THP_DIR
               ")\n");
        return;
    }
    printf("3. transparent huge pages: enabled = %s%s\n", policy,
           strcmp(policy, "madvise") == 0  ? " (only where MADV_HUGEPAGE asks)"
           : strcmp(policy, "always") == 0 ? " (wherever possible)"
           : strcmp(policy, "never") == 0  ? " (off, unless a size says "
                                             "otherwise)"
                                           : "");
    snprintf(knob, sizeof knob, THP_DIR "/hugepages-%zukB/enabled",
             huge / 1024);
    /* Linux 6.8+: the size's own knob, shown where it overrides the policy */
    if (wb_knob_choice(knob, own, sizeof own) == 0 &&
        strcmp(own, "inherit") != 0)
        printf("   but the %zu kB size has its own setting: "
               "hugepages-%zukB/enabled = %s\n",
               huge / 1024, huge / 1024, own);
    thp(huge, MADV_HUGEPAGE, "MADV_HUGEPAGE:");
    thp(huge, MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE:");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [hugetlb|thp]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    const char *what = i < argc ? argv[i] : "both";
    bool both = strcmp(what, "both") == 0;
    if (!both && strcmp(what, "hugetlb") != 0 && strcmp(what, "thp") != 0)
        wb_usage("'%s': expected hugetlb or thp", what);
    if (both || strcmp(what, "hugetlb") == 0)
        show_hugetlb();
    if (both || strcmp(what, "thp") == 0)
        show_thp();
    return 0;
}
