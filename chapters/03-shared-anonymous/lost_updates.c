/*
 * lost_updates.c: K processes add to one shared int; plain ++ loses updates.
 *
 * A shared anonymous mapping holds two counters. K children each add 1 to
 * the first one M times with a plain load followed by a store (what
 * `counter++` compiles to: nothing stops another process from storing in
 * between, and then one of the two increments is lost). Then K children add
 * to the second, an atomic_int, M times with atomic_fetch_add(), a single
 * indivisible read-modify-write (`lock add` on x86-64). The children of each
 * round wait on a pipe and start together when the parent closes it, so that
 * they really overlap. The plain total is at most K*M and usually less (how
 * much less varies from run to run; with a small M the children may never
 * overlap and lose nothing); the atomic total is always exactly K*M.
 *
 * Usage: lost_updates [-h] [K M]     K processes 1..64, M increments 0..10000000
 * Tour: 2 1000000
 * Tour: 4 1000000
 * Man pages: mmap(2), fork(2), pipe(2), atomic_fetch_add (C11 7.17.7.5)
 */
#include "wb.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct counters {
    volatile int plain; /* volatile: one real load, one real store */
    atomic_int atomic;
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

/* Fork K children that wait for the start, each running one kind of adds. */
static void run_round(struct counters *c, long k, long m, int atomic)
{
    int gun[2];
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
            if (read(gun[0], &b, 1) ==
                -1) /* returns 0 when the parent closes */
                _exit(1);
            if (atomic)
                atomic_adds(&c->atomic, m);
            else
                plain_adds(&c->plain, m);
            _exit(0);
        }
    }
    close(gun[0]);
    close(gun[1]); /* bang: every child's read() returns 0 */
    for (long i = 0; i < k; i++) {
        int status;
        if (wait(&status) == -1)
            wb_die("wait");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            wb_fatal("a child failed (wait status 0x%x)", (unsigned)status);
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [K M]");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 0 && argc - i != 2)
        wb_usage("expected K and M, or nothing");
    long k = (argc - i != 0) ? wb_long_arg(argv[i], "K", 1, 64) : 4;
    long m =
        (argc - i != 0) ? wb_long_arg(argv[i + 1], "M", 0, 10000000) : 1000000;
    long want = k * m;

    struct counters *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        wb_die("mmap");
    printf("%ld processes x %ld increments: %ld expected\n", k, m, want);
    printf("atomic_int is lock-free: %s\n",
           atomic_is_lock_free(&c->atomic) ? "yes" : "no");

    run_round(c, k, m, 0);
    long got = c->plain;
    printf("plain int,  load then store: total %ld (%ld lost)\n", got,
           want - got);
    run_round(c, k, m, 1);
    got = atomic_load(&c->atomic);
    printf("atomic_int, atomic_fetch_add: total %ld (%ld lost)\n", got,
           want - got);

    if (munmap(c, sizeof *c) == -1)
        wb_die("munmap");
    return 0;
}
