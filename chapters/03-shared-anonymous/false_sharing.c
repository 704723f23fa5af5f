/*
 * false_sharing.c: private counters that share a cache line are slow.
 *
 * K children each add 1 to their OWN atomic_long slot of a shared array, M
 * times, with atomic_fetch_add (say, per-process event counters that the
 * parent may read at any moment). No two processes touch the same slot, so
 * the totals are exact either way. But the CPU caches memory in lines of 64
 * bytes, and a core must own a whole line to update any byte of it. In the
 * first round the slots are 8 bytes apart from the page-aligned start, so up
 * to 8 of them share each 64-byte line (K 2..8: all in one line), and the
 * cores snatch a line from each other on every increment ("false
 * sharing"). In the second round each slot has a 128-byte stretch to itself
 * (128, not 64: x86 prefetches lines in pairs). The children of a round
 * block reading a pipe and start together when the parent closes it; the
 * time is taken from then until the last one is reaped. The demo prints the
 * time of each round and their ratio; the gap shows with K at least 2 and 2
 * or more cores free, and shrinks on one core or a busy machine. The times
 * vary from run to run.
 *
 * Usage: false_sharing [-h] [K M]    K processes 1..64, M 0..100000000
 * Tour: 2 10000000
 * Man pages: mmap(2), fork(2), clock_gettime(2), sysconf(3) (_SC_NPROCESSORS_ONLN)
 */
#include "wb.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAD 128 /* bytes between padded slots */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* K children; child i adds M times to the atomic_long at base + i*stride. */
static double run_round(char *base, size_t stride, long k, long m,
                        const char *name)
{
    int gun[2]; /* the children start together: see below */
    if (pipe(gun) == -1)
        wb_die("pipe");
    fflush(stdout);
    for (long i = 0; i < k; i++) {
        pid_t pid = fork();
        if (pid == -1)
            wb_die("fork");
        if (pid == 0) {
            char b;
            close(gun[1]);
            if (read(gun[0], &b, 1) == -1)
                _exit(1);
            atomic_long *slot = (atomic_long *)(base + i * stride);
            for (long j = 0; j < m; j++)
                atomic_fetch_add(slot, 1);
            _exit(0);
        }
    }
    close(gun[0]);
    double t0 = now_ms();
    close(gun[1]); /* every child's read() returns 0: go */
    for (long i = 0; i < k; i++) {
        int status;
        if (wait(&status) == -1)
            wb_die("wait");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            wb_fatal("a child failed (wait status 0x%x)", (unsigned)status);
    }
    double ms = now_ms() - t0;
    long exact = 0;
    for (long i = 0; i < k; i++)
        exact += atomic_load((atomic_long *)(base + i * stride)) == m;
    printf("%-8s slots %3zu bytes apart: %ld of %ld slots hold exactly %ld;"
           " %.0f ms\n",
           name, stride, exact, k, m, ms);
    return ms;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [K M]");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 0 && argc - i != 2)
        wb_usage("expected K and M, or nothing");
    long k = (argc - i != 0) ? wb_long_arg(argv[i], "K", 1, 64) : 2;
    long m = (argc - i != 0) ? wb_long_arg(argv[i + 1], "M", 0, 100000000)
                             : 10000000;

    size_t len = wb_round_up((size_t)k * PAD);
    char *tight = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *padded = mmap(NULL, len, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (tight == MAP_FAILED || padded == MAP_FAILED)
        wb_die("mmap");
    printf(
        "%ld processes x %ld increments of their own slot; %ld CPUs online\n",
        k, m, sysconf(_SC_NPROCESSORS_ONLN));
    double tight_ms = run_round(tight, sizeof(long), k, m, "adjacent");
    double padded_ms = run_round(padded, PAD, k, m, "padded");
    if (padded_ms > 0)
        printf("adjacent / padded: %.1f times as long this run\n",
               tight_ms / padded_ms);

    if (munmap(tight, len) == -1 || munmap(padded, len) == -1)
        wb_die("munmap");
    return 0;
}
