/*
 * bench_spawn.c: how long a command takes to answer, start to exit.
 *
 *   bench_spawn N COMMAND [ARG]...
 *
 * Runs COMMAND N times, one after another, with stdout and stderr on
 * /dev/null, and prints the wall-clock time of a run (posix_spawn to
 * waitpid, CLOCK_MONOTONIC) as `MEDIAN MIN MAX` in milliseconds. A run that
 * exits non-zero is an error: a benchmark of a failing command measures
 * nothing. examples/hsstat/bench.sh runs it on hsstat and on jstat and jps.
 *
 * Usage: bench_spawn N COMMAND [ARG]...
 * Man pages: posix_spawn(3), clock_gettime(2), waitpid(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char *argv[])
{
    wb_set_usage("N COMMAND [ARG]...");
    if (argc < 3)
        wb_usage("give a count and a command");
    long n = wb_long_arg(argv[1], "N", 1, 100000);
    double *ms = malloc((size_t)n * sizeof *ms);
    if (ms == NULL)
        wb_die("malloc");
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) !=
            0 ||
        posix_spawn_file_actions_adddup2(&fa, 1, 2) != 0)
        wb_fatal("posix_spawn_file_actions: out of memory");
    for (long k = 0; k < n; k++) {
        pid_t pid;
        double t0 = now_ms();
        int rc = posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ);
        if (rc != 0) {
            errno = rc;
            wb_die("posix_spawn '%s'", argv[2]);
        }
        int st;
        if (waitpid(pid, &st, 0) == -1)
            wb_die("waitpid");
        ms[k] = now_ms() - t0;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            wb_fatal("'%s' failed (status 0x%x)", argv[2], (unsigned)st);
    }
    posix_spawn_file_actions_destroy(&fa);
    qsort(ms, (size_t)n, sizeof *ms, by_value);
    printf("%.2f %.2f %.2f\n", ms[n / 2], ms[0], ms[n - 1]);
    free(ms);
    return 0;
}
