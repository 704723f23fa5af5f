/*
 * populate.c: MAP_POPULATE and MADV_POPULATE_* move the faults up front, where perf cannot see them.
 *
 * Maps PAGES pages (default 2048, 8 MiB) of private anonymous memory four
 * ways and writes one byte into every page afterwards: plain mmap (every
 * write faults); mmap with MAP_POPULATE (the kernel faults every page in
 * during the mmap call); plain mmap then madvise(MADV_POPULATE_WRITE) (the
 * same, as a separate call that reports errors, Linux 5.14); and
 * madvise(MADV_POPULATE_READ), which populates "as if read": where the
 * kernel maps the shared zero page on read faults, every write afterwards
 * still faults (to replace it); where it does not (VM B of chapter 13's
 * README, whose kernel was booted with pvm_no_zero_page=1, an option of
 * that hypervisor's patched kernel), the pages are private and the writes
 * are free. The demo says which it saw; `make doctor` says which case
 * this machine is in.
 *
 * Each step is counted twice: with getrusage(2), whose ru_minflt counts
 * every fault taken on behalf of the process, and with perf's software event
 * PERF_COUNT_SW_PAGE_FAULTS (perf_event_open(2), what `perf stat -e
 * page-faults` reads), which counts only faults raised by the CPU. Faults
 * that the kernel takes for itself while populating are in the first and not
 * in the second. Where perf_event_open is refused, the demo says so, with
 * the value of perf_event_paranoid, and shows getrusage alone: an
 * unprivileged process may count its own events at 2 (mainline's default)
 * but none at 3 (the default of Debian's kernels, which are built with
 * CONFIG_SECURITY_PERF_EVENTS_RESTRICT), and a container's seccomp filter
 * may refuse the call whatever the value.
 *
 * Huge pages are turned off for the whole process (prctl PR_SET_THP_DISABLE)
 * so that every count is of 4 KiB pages whatever the THP setting. RUNS runs
 * (default 5) of each way follow one warm-up; the times are medians.
 *
 * Usage: populate [-h] [PAGES [RUNS]]     PAGES 16..262144, RUNS 1..50
 * Tour:
 * Man pages: mmap(2), madvise(2), getrusage(2), perf_event_open(2), prctl(2)
 */
#include "wb.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NO_ASAN __attribute__((no_sanitize_address))
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int perf_fd = -1; /* the perf counter, or -1 */

/* [perf] */
/* A counter of this process's page faults as the CPU raises them. */
static int open_perf_faults(void)
{
    struct perf_event_attr attr = {0};
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_PAGE_FAULTS;
    attr.exclude_kernel = 1; /* unprivileged: enough at perf_event_paranoid 2 */
    attr.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}
/* [perf] */

static long perf_faults(void)
{
    uint64_t n = 0;
    if (perf_fd == -1)
        return 0;
    if (read(perf_fd, &n, sizeof n) != (ssize_t)sizeof n)
        wb_die("read the perf counter");
    return (long)n;
}

NO_ASAN static void write_pages(volatile char *p, size_t n, size_t ps)
{
    for (size_t k = 0; k < n; k++)
        p[k * ps] = 1;
}

enum way { PLAIN, MAP_POP, POP_WRITE, POP_READ, NWAYS };
static const char *const setup_name[NWAYS] = {"mmap", "mmap(MAP_POPULATE)",
                                              "madvise(POPULATE_WRITE)",
                                              "madvise(POPULATE_READ)"};

struct step {
    long minflt, perf; /* faults by getrusage and by perf */
    double us;
};

/* Set up the mapping the way W says (one step), write every page (the other
 * step). Returns 0, or the errno of a refused madvise. */
static int one_run(enum way w, size_t npages, struct step s[2])
{
    size_t ps = wb_page_size(), len = npages * ps;
    int err = 0;
    long f0 = wb_minor_faults(), q0 = perf_faults();
    double t0 = wb_now_us();
    /* [setup] */
    char *p = mmap(
        NULL, len, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | (w == MAP_POP ? MAP_POPULATE : 0), -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %zu bytes", len);
    if (w == POP_WRITE && madvise(p, len, MADV_POPULATE_WRITE) == -1)
        err = errno;
    if (w == POP_READ && madvise(p, len, MADV_POPULATE_READ) == -1)
        err = errno;
    /* [setup] */
    double t1 = wb_now_us();
    long f1 = wb_minor_faults(), q1 = perf_faults();
    write_pages(p, npages, ps);
    double t2 = wb_now_us();
    long f2 = wb_minor_faults(), q2 = perf_faults();
    s[0] = (struct step){f1 - f0, q1 - q0, t1 - t0};
    s[1] = (struct step){f2 - f1, q2 - q1, t2 - t1};
    if (munmap(p, len) == -1)
        wb_die("munmap");
    return err;
}

static void print_step(const char *way, const char *name, const struct step *s,
                       double median)
{
    char perf[32] = "-";
    if (perf_fd != -1)
        snprintf(perf, sizeof perf, "%ld", s->perf);
    printf("  %-20s %-24s %7ld %7s %9.2f ms\n", way, name, s->minflt, perf,
           median / 1e3);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES [RUNS]]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 2)
        wb_usage("too many arguments");
    size_t npages =
        i < argc ? (size_t)wb_long_arg(argv[i], "pages", 16, 262144) : 2048;
    int runs = i + 1 < argc ? (int)wb_long_arg(argv[i + 1], "runs", 1, 50) : 5;

    if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == -1)
        wb_die("prctl PR_SET_THP_DISABLE");
    printf("%zu pages (%zu KiB) of private anonymous memory; huge pages off "
           "(PR_SET_THP_DISABLE)\n",
           npages, npages * wb_page_size() / 1024);
    perf_fd = open_perf_faults();
    if (perf_fd == -1) {
        int err = errno;
        char paranoid[64];
        if (wb_read_knob("/proc/sys/kernel/perf_event_paranoid", paranoid,
                         sizeof paranoid) == -1)
            snprintf(paranoid, sizeof paranoid, "unreadable");
        printf("perf_event_open: %s: no perf column here "
               "(/proc/sys/kernel/perf_event_paranoid is %s)\n",
               wb_errname(err), paranoid);
        printf("faults counted by getrusage (minflt) alone\n");
    } else {
        printf("faults counted by getrusage (minflt) and by perf's "
               "PERF_COUNT_SW_PAGE_FAULTS (perf)\n");
    }
    printf("%d run(s) of each way after a warm-up; the times are medians\n\n",
           runs);

    printf("  %-20s %-24s %7s %7s %12s\n", "way", "step", "minflt", "perf",
           "time");
    static const char *const way_name[NWAYS] = {
        "plain", "MAP_POPULATE", "MADV_POPULATE_WRITE", "MADV_POPULATE_READ"};
    long read_writes = -1; /* the writes after POPULATE_READ, or -1 */
    for (enum way w = PLAIN; w < NWAYS; w++) {
        struct step s[2];
        double us[2][50];
        int err = one_run(w, npages, s); /* warm-up */
        if (err != 0) {
            printf("  %-20s %-24s %s%s\n", way_name[w], setup_name[w],
                   wb_errname(err),
                   err == EINVAL ? ": not in this kernel (added in 5.14)" : "");
            continue;
        }
        for (int r = 0; r < runs; r++) {
            one_run(w, npages, s);
            us[0][r] = s[0].us;
            us[1][r] = s[1].us;
        }
        wb_sort_doubles(us[0], (size_t)runs);
        wb_sort_doubles(us[1], (size_t)runs);
        print_step(way_name[w], setup_name[w], &s[0], us[0][runs / 2]);
        print_step("", "write every page", &s[1], us[1][runs / 2]);
        if (w == POP_READ)
            read_writes = s[1].minflt;
    }
    /* [verdict] */
    if (read_writes >= 0) {
        printf("\nafter MADV_POPULATE_READ the writes took %ld faults for "
               "%zu pages:\n",
               read_writes, npages);
        if (read_writes >= (long)npages / 2)
            printf("populating \"as if read\" mapped the shared zero page, "
                   "and each write had to replace it (this kernel maps the "
                   "zero page on read faults)\n");
        else if (read_writes <= (long)npages / 8)
            printf("populating \"as if read\" mapped private zeroed pages, "
                   "already writable (this kernel does not map the zero page "
                   "on read faults): here it did what POPULATE_WRITE does\n");
        else
            printf("some pages were replaced, some not: neither case is "
                   "clean here (memory pressure, a tool)\n");
        enum wb_fact z = wb_probe_zero_page();
        printf("(the probe, measured separately, says zero_page=%s)\n",
               z == WB_YES  ? "yes"
               : z == WB_NO ? "no"
                            : "unknown");
    }
    /* [verdict] */
    if (perf_fd != -1)
        close(perf_fd);
    return 0;
}
