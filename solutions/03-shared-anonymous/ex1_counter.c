/*
 * ex1_counter.c: K processes, one shared atomic counter (solution).
 *
 * The counter lives in a MAP_SHARED|MAP_ANONYMOUS page created before the
 * forks, so every child increments the same atomic_long. The parent keeps
 * each child's pid to name it in the report. See
 * exercises/03-shared-anonymous/ex1_counter.c for the task.
 */
#include "wb.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_K 100

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] K M");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected K and M");
    long k = wb_long_arg(argv[i], "K", 1, MAX_K);
    long m = wb_long_arg(argv[i + 1], "M", 0, 1000000000000L);

    atomic_long *counter = mmap(NULL, sizeof *counter, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counter == MAP_FAILED)
        wb_die("mmap");
    atomic_init(counter, 0); /* already 0 (zero fill); this says so */

    pid_t pids[MAX_K];
    fflush(stdout);
    for (long c = 0; c < k; c++) {
        pids[c] = fork();
        if (pids[c] == -1)
            wb_die("fork");
        if (pids[c] == 0) {
            for (long j = 0; j < m; j++)
                atomic_fetch_add(counter, 1);
            _exit(0);
        }
    }

    int failed = 0;
    for (long c = 0; c < k; c++) {
        int status;
        if (waitpid(pids[c], &status, 0) == -1)
            wb_die("waitpid");
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            continue;
        failed = 1;
        fflush(stdout);
        if (WIFSIGNALED(status))
            fprintf(stderr, "ex1_counter: child %ld was killed by %s\n", c,
                    wb_signame(WTERMSIG(status)));
        else
            fprintf(stderr, "ex1_counter: child %ld exited with status %d\n", c,
                    WEXITSTATUS(status));
    }
    printf("total: %ld\n", atomic_load(counter));

    if (munmap(counter, sizeof *counter) == -1)
        wb_die("munmap");
    return failed;
}
