/*
 * lost_updates.c: K processes add to one shared int; plain ++ loses updates.
 *
 * A shared anonymous mapping holds two counters. K children each add 1 to
 * the first one M times with a plain load followed by a store (what
 * `counter++` compiles to: nothing stops another process from storing in
 * between, and then one of the two increments is lost). Then K children add
 * to the second, an atomic_int, M times with atomic_fetch_add(), a single
 * indivisible read-modify-write (`lock add` on x86-64). The children of each
 * round meet at a barrier in the mapping (each counts itself in, then spins
 * until all K have), so they start together, and each records when it began
 * and ended its loop and the CPU time the loop used. The demo prints the
 * wall time the loops spanned and the CPU time they used in all (CPU time
 * near K times the span: they ran side by side; near the span or less: they
 * took turns, or waited for a busy machine), and the plain total with the
 * count it lost: at most K*M, usually less when they overlapped (how much
 * varies from run to run; with a small M, or too few free CPUs, they may lose
 * nothing, and the count says so). The atomic total is exactly K*M.
 *
 * Usage: lost_updates [-h] [K M]     K processes 1..64, M increments 0..100000000
 * Tour: 2 30000000
 * Tour: 4 30000000
 * Man pages: mmap(2), fork(2), clock_gettime(2), atomic_fetch_add (C11 7.17.7.5)
 */
#include "wb.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define KMAX 64

struct counters {
    volatile int plain; /* volatile: one real load, one real store */
    atomic_int atomic;
    atomic_int ready;                /* the start barrier */
    double began[KMAX], ended[KMAX]; /* each child's loop, wall clock, us */
    double cpu[KMAX];                /* and the CPU time it used, us */
};

/* The racy increment, spelled out: load, add, store. */
static void plain_adds(volatile int *p, long m)
{
    for (long j = 0; j < m; j++) {
        int v = *p;
        *p = v + 1;
    }
}

static void atomic_adds(atomic_int *p, long m)
{
    for (long j = 0; j < m; j++)
        atomic_fetch_add(p, 1);
}

/* The CPU time this process has used, in microseconds. */
static double cpu_us(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == -1)
        _exit(1);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/*
 * Fork K children that meet at the barrier, each running one kind of adds.
 * Return the CPU time (ms) their loops used in all; *span_ms gets the wall
 * time from the first loop's start to the last one's end.
 */
static double run_round(struct counters *c, long k, long m, int atomic,
                        double *span_ms)
{
    atomic_store(&c->ready, 0);
    fflush(stdout);
    for (long i = 0; i < k; i++) {
        pid_t pid = fork();
        if (pid == -1)
            wb_die("fork");
        if (pid == 0) {
            atomic_fetch_add(&c->ready, 1);
            /* spin (yielding now and then, for a sibling with no CPU) */
            for (long n = 1; atomic_load(&c->ready) < k; n++)
                if (n % 100000 == 0)
                    sched_yield();
            c->began[i] = wb_now_us();
            double cpu0 = cpu_us();
            if (atomic)
                atomic_adds(&c->atomic, m);
            else
                plain_adds(&c->plain, m);
            c->ended[i] = wb_now_us();
            c->cpu[i] = cpu_us() - cpu0;
            _exit(0);
        }
    }
    for (long i = 0; i < k; i++) {
        int status;
        if (wait(&status) == -1)
            wb_die("wait");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            wb_fatal("a child failed (wait status 0x%x)", (unsigned)status);
    }
    double first = c->began[0], last = c->ended[0], cpu = 0;
    for (long i = 0; i < k; i++) {
        if (c->began[i] < first)
            first = c->began[i];
        if (c->ended[i] > last)
            last = c->ended[i];
        cpu += c->cpu[i];
    }
    *span_ms = (last - first) / 1e3;
    return cpu / 1e3;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [K M]");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 0 && argc - i != 2)
        wb_usage("expected K and M, or nothing");
    long k = (argc - i != 0) ? wb_long_arg(argv[i], "K", 1, KMAX) : 4;
    long m =
        (argc - i != 0) ? wb_long_arg(argv[i + 1], "M", 0, 100000000) : 1000000;
    long want = k * m;

    struct counters *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        wb_die("mmap");
    printf("%ld processes x %ld increments: %ld expected\n", k, m, want);
    printf("atomic_int is lock-free: %s\n",
           atomic_is_lock_free(&c->atomic) ? "yes" : "no");

    double span;
    double cpu = run_round(c, k, m, 0, &span);
    long got = c->plain;
    printf("plain int,  load then store: total %ld (%ld lost)\n", got,
           want - got);
    printf("  the %ld loops spanned %.1f ms of wall time and used %.1f ms of "
           "CPU time in all\n",
           k, span, cpu);
    run_round(c, k, m, 1, &span);
    got = atomic_load(&c->atomic);
    printf("atomic_int, atomic_fetch_add: total %ld (%ld lost)\n", got,
           want - got);

    if (munmap(c, sizeof *c) == -1)
        wb_die("munmap");
    return 0;
}
