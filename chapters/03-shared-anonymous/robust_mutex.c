/*
 * robust_mutex.c: a process dies holding a shared mutex; who unlocks it?
 *
 * A child locks a PTHREAD_PROCESS_SHARED mutex in a shared anonymous mapping
 * and exits without unlocking it. An ordinary mutex (-n) stays locked for
 * ever: the parent's pthread_mutex_timedlock() gives up with ETIMEDOUT after
 * 200 ms (pthread_mutex_lock would hang). A robust mutex (the default,
 * pthread_mutexattr_setrobust PTHREAD_MUTEX_ROBUST) is handed to the next
 * locker with the error EOWNERDEAD: it owns the lock now, repairs the data
 * the dead process may have left half-done, calls pthread_mutex_consistent()
 * and unlocks. With -u the parent unlocks without pthread_mutex_consistent(),
 * and the mutex is ruined for good: every later lock fails ENOTRECOVERABLE.
 *
 * Usage: robust_mutex [-h] [-n | -u]
 * Tour:
 * Tour: -u
 * Tour: -n
 * Man pages: pthread_mutexattr_setrobust(3), pthread_mutex_consistent(3),
 *            pthread_mutexattr_setpshared(3), pthread_mutex_lock(3)
 */
#include "wb.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *result(int err)
{
    return err == 0 ? "0 (locked)" : wb_errname(err);
}

/* Lock, waiting at most 200 ms; returns 0 or the error number. */
static int lock_200ms(pthread_mutex_t *m)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += 200 * 1000 * 1000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    return pthread_mutex_timedlock(m, &t);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-n | -u]");
    int robust = 1, skip_consistent = 0, opt;
    opterr = 0; /* we report bad options ourselves */
    while ((opt = getopt(argc, argv, "hnu")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'n': robust = 0; break;
        case 'u': skip_consistent = 1; break;
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (optind != argc)
        wb_usage("no arguments expected");
    if (!robust && skip_consistent)
        wb_usage("-n and -u do not go together");

    pthread_mutex_t *m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        wb_die("mmap");
    pthread_mutexattr_t attr;
    if ((errno = pthread_mutexattr_init(&attr)) != 0 ||
        (errno = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) !=
            0 ||
        (errno = pthread_mutexattr_setrobust(
             &attr, robust ? PTHREAD_MUTEX_ROBUST : PTHREAD_MUTEX_STALLED)) !=
            0 ||
        (errno = pthread_mutex_init(m, &attr)) != 0)
        wb_die("pthread mutex setup");
    pthread_mutexattr_destroy(&attr);
    printf("mutex: PTHREAD_PROCESS_SHARED, %s\n",
           robust ? "PTHREAD_MUTEX_ROBUST"
                  : "PTHREAD_MUTEX_STALLED (the default)");

    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        int err = pthread_mutex_lock(m);
        printf("child:  pthread_mutex_lock -> %s; exits without unlocking\n",
               result(err));
        fflush(stdout);
        _exit(err == 0 ? 0 : 1);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed (wait status 0x%x)", (unsigned)status);
    printf("parent: the child has exited\n");

    int err = lock_200ms(m);
    printf("parent: lock -> %s\n", result(err));
    if (err == ETIMEDOUT) {
        printf("=> nobody will ever unlock it: a lock call without a timeout "
               "would hang\n");
    } else if (err == EOWNERDEAD) {
        if (!skip_consistent) {
            if ((errno = pthread_mutex_consistent(m)) != 0)
                wb_die("pthread_mutex_consistent");
            printf("parent: pthread_mutex_consistent -> 0; unlock\n");
        } else {
            printf("parent: unlock WITHOUT pthread_mutex_consistent\n");
        }
        if ((errno = pthread_mutex_unlock(m)) != 0)
            wb_die("pthread_mutex_unlock");
        err = lock_200ms(m);
        printf("parent: lock again -> %s\n", result(err));
        if (err == 0 && (errno = pthread_mutex_unlock(m)) != 0)
            wb_die("pthread_mutex_unlock");
    }

    if (err != ETIMEDOUT)
        pthread_mutex_destroy(m);
    if (munmap(m, sizeof *m) == -1)
        wb_die("munmap");
    return 0;
}
