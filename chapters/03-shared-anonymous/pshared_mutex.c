/*
 * pshared_mutex.c: a mutex (or a semaphore) that lives in the shared mapping.
 *
 * The shared anonymous mapping holds a struct: a pthread_mutex_t initialised
 * with the attribute PTHREAD_PROCESS_SHARED, a sem_t initialised with
 * sem_init(pshared=1, value 1), and a plain long counter. K children each do
 * M increments of the counter, every one of them inside the lock: the mutex
 * by default, the semaphore (sem_wait ... sem_post) with -s. The increment
 * itself is the same racy load-add-store as in lost_updates.c; the lock makes
 * it safe, and the total is exactly K*M. The demo reads the pshared attribute
 * back to show what it set, and destroys the lock when the children are gone.
 *
 * Usage: pshared_mutex [-h] [-s] [K M]   K processes 1..64, M 0..10000000
 * Tour: 4 100000
 * Tour: -s 4 100000
 * Man pages: pthread_mutexattr_setpshared(3), pthread_mutex_lock(3),
 *            sem_init(3), sem_wait(3), mmap(2), fork(2)
 */
#include "wb.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
    pthread_mutex_t mutex;
    sem_t sem;
    volatile long counter;
};

static void locked_adds(struct shared *s, long m, int use_sem)
{
    for (long j = 0; j < m; j++) {
        if (use_sem) {
            while (sem_wait(&s->sem) == -1)
                if (errno != EINTR)
                    wb_die("sem_wait");
        } else if ((errno = pthread_mutex_lock(&s->mutex)) != 0) {
            wb_die("pthread_mutex_lock");
        }
        long v = s->counter; /* the critical section */
        s->counter = v + 1;
        if (use_sem ? sem_post(&s->sem) == -1
                    : (errno = pthread_mutex_unlock(&s->mutex)) != 0)
            wb_die("unlock");
    }
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-s] [K M]");
    int use_sem = 0, opt;
    opterr = 0; /* we report bad options ourselves */
    while ((opt = getopt(argc, argv, "hs")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 's')
            wb_usage("unknown option '-%c'", optopt);
        use_sem = 1;
    }
    int n = argc - optind;
    if (n != 0 && n != 2)
        wb_usage("expected K and M, or nothing");
    long k = n ? wb_long_arg(argv[optind], "K", 1, 64) : 4;
    long m = n ? wb_long_arg(argv[optind + 1], "M", 0, 10000000) : 100000;

    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        wb_die("mmap");

    pthread_mutexattr_t attr;
    int pshared;
    if ((errno = pthread_mutexattr_init(&attr)) != 0 ||
        (errno = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) !=
            0 ||
        (errno = pthread_mutexattr_getpshared(&attr, &pshared)) != 0 ||
        (errno = pthread_mutex_init(&s->mutex, &attr)) != 0)
        wb_die("pthread mutex setup");
    pthread_mutexattr_destroy(&attr);
    if (sem_init(&s->sem, 1, 1) == -1) /* 1: shared between processes */
        wb_die("sem_init");

    if (use_sem)
        printf("lock: sem_t in the mapping, sem_init(pshared=1, value=1)\n");
    else
        printf("lock: pthread_mutex_t in the mapping, pshared attribute %s\n",
               pshared == PTHREAD_PROCESS_SHARED ? "PTHREAD_PROCESS_SHARED"
                                                 : "PTHREAD_PROCESS_PRIVATE");
    printf("%ld processes x %ld locked increments, %ld expected\n", k, m,
           k * m);

    fflush(stdout);
    for (long i = 0; i < k; i++) {
        pid_t pid = fork();
        if (pid == -1)
            wb_die("fork");
        if (pid == 0) {
            locked_adds(s, m, use_sem);
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
    printf("total %ld (%ld lost)\n", s->counter, k * m - s->counter);

    if ((errno = pthread_mutex_destroy(&s->mutex)) != 0)
        wb_die("pthread_mutex_destroy");
    if (sem_destroy(&s->sem) == -1)
        wb_die("sem_destroy");
    if (munmap(s, sizeof *s) == -1)
        wb_die("munmap");
    return 0;
}
