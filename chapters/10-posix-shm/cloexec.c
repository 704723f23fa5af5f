/*
 * cloexec.c: which descriptors an exec'd child inherits, and the race of
 * setting close-on-exec one call too late.
 *
 * Part 1 opens four descriptors: a memfd made without MFD_CLOEXEC, one made
 * with it, a POSIX shm object from shm_open(3) (which never asks for
 * close-on-exec), and a memfd whose FD_CLOEXEC is set afterwards with
 * fcntl(2). It prints each one's flag, then forks and execs this program
 * with -l, and the new program looks up the same descriptor numbers in its
 * /proc/self/fd: only the first has survived execve(2).
 *
 * Part 2 is the race that O_CLOEXEC (and MFD_CLOEXEC) close. One thread
 * makes a memfd without the flag, sets FD_CLOEXEC with fcntl and closes it,
 * over and over; the main thread meanwhile starts TRIES children with
 * posix_spawn(3), each of which counts the "racy" memfds it was born with.
 * A child spawned between the two calls inherits the descriptor. Then the
 * same with MFD_CLOEXEC, where the flag is set by the call that makes the
 * descriptor, and no child can ever see one. (The number of leaks differs
 * from run to run; under Valgrind, whose threads take turns, it is usually 0.)
 *
 * Usage: cloexec [-h] [TRIES]    (TRIES default 100; 0 skips part 2)
 * Tour:
 * Man pages: execve(2), fcntl(2), open(2), memfd_create(2), shm_open(3),
 *            posix_spawn(3), proc(5)
 */
#include "wb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *const kind[] = {
    "memfd_create(\"leaky\", 0)",
    "memfd_create(\"tidy\", MFD_CLOEXEC)",
    "shm_open(NAME, O_RDWR|O_CREAT|O_EXCL, 0600)",
    "memfd_create(\"late\", 0), then fcntl(F_SETFD, FD_CLOEXEC)",
};
#define NKIND (sizeof kind / sizeof kind[0])

static char name[256];
static char self[4096];

static void remove_name(void)
{
    if (name[0] != '\0')
        shm_unlink(name);
}

/* Where does descriptor FD point? "" when it is not open. */
static const char *target_of(int fd, char *buf, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* -l FD,FD,...: the exec'd child of part 1. */
static int list_fds(char *arg)
{
    char *save = NULL;
    char buf[4096];
    size_t k = 0;
    for (char *tok = strtok_r(arg, ",", &save); tok && k < NKIND;
         tok = strtok_r(NULL, ",", &save), k++) {
        int fd = (int)wb_long_arg(tok, "descriptor", 0, 1 << 20);
        const char *t = target_of(fd, buf, sizeof buf);
        printf("  %-58s %s%s\n", kind[k], *t ? "inherited -> " : "closed", t);
    }
    return 0;
}

/* -c: a child of part 2 exits with the number of "racy" memfds it has. */
static int count_racy(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 0;
    char buf[4096];
    int n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.' &&
             strcmp(target_of(atoi(e->d_name), buf, sizeof buf),
                    "/memfd:racy (deleted)") == 0;
    closedir(d);
    return n;
}

/* [race] */
static atomic_bool stop;
static atomic_bool use_flag;

static void *maker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        int fd = memfd_create("racy", atomic_load(&use_flag) ? MFD_CLOEXEC : 0);
        if (fd == -1)
            wb_die("memfd_create");
        if (!atomic_load(&use_flag) && fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
            wb_die("fcntl F_SETFD"); /* too late if a spawn came between */
        close(fd);
    }
    return NULL;
}
/* [race] */

static int race(bool flag, long tries)
{
    atomic_store(&stop, false);
    atomic_store(&use_flag, flag);
    pthread_t t;
    int err = pthread_create(&t, NULL, maker, NULL);
    if (err != 0) {
        errno = err;
        wb_die("pthread_create");
    }
    int leaks = 0;
    char *child_argv[] = {self, "-c", NULL};
    for (long k = 0; k < tries; k++) {
        pid_t pid;
        err = posix_spawn(&pid, self, NULL, NULL, child_argv, environ);
        if (err != 0) {
            errno = err;
            wb_die("posix_spawn '%s'", self);
        }
        int status;
        if (waitpid(pid, &status, 0) == -1)
            wb_die("waitpid");
        leaks += WIFEXITED(status) && WEXITSTATUS(status) > 0;
    }
    atomic_store(&stop, true);
    pthread_join(t, NULL);
    return leaks;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [TRIES]");
    if (argc == 3 && strcmp(argv[1], "-l") == 0)
        return list_fds(argv[2]);
    if (argc == 2 && strcmp(argv[1], "-c") == 0)
        return count_racy();
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    long tries = i < argc ? wb_long_arg(argv[i], "tries", 0, 100000) : 100;
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len == -1)
        wb_die("readlink /proc/self/exe");
    self[len] = '\0';

    /* [four] */
    int fd[NKIND];
    fd[0] = memfd_create("leaky", 0);
    fd[1] = memfd_create("tidy", MFD_CLOEXEC);
    snprintf(name, sizeof name, "/cloexec.%d", (int)getpid());
    fd[2] = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd[2] != -1)
        atexit(remove_name);
    fd[3] = memfd_create("late", 0);
    if (fd[3] != -1 && fcntl(fd[3], F_SETFD, FD_CLOEXEC) == -1)
        wb_die("fcntl F_SETFD");
    /* [four] */
    printf("1. four descriptors, and their close-on-exec flag (F_GETFD):\n");
    char list[128] = "";
    for (size_t k = 0; k < NKIND; k++) {
        if (fd[k] == -1)
            wb_die("%s", kind[k]);
        int fl = fcntl(fd[k], F_GETFD);
        if (fl == -1)
            wb_die("fcntl F_GETFD");
        printf("  %-58s %s\n", kind[k], fl & FD_CLOEXEC ? "yes" : "no");
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d",
                 k ? "," : "", fd[k]);
    }
    printf("fork + execve(\"cloexec -l ...\"); the new program looks for the "
           "same descriptors:\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        execl(self, argv[0], "-l", list, (char *)NULL);
        wb_die("execl '%s'", self);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed (wait status 0x%x)", (unsigned)status);
    for (size_t k = 0; k < NKIND; k++)
        close(fd[k]);
    if (shm_unlink(name) == -1)
        wb_die("shm_unlink '%s'", name);
    name[0] = '\0';

    if (tries == 0)
        return 0;
    printf("2. the race: a thread makes and closes memfds while %ld children "
           "are spawned\n",
           tries);
    fflush(stdout);
    int late = race(false, tries);
    printf("  memfd_create(0), then fcntl(FD_CLOEXEC): %4d of %ld children "
           "inherited one\n",
           late, tries);
    fflush(stdout);
    int atomic = race(true, tries);
    printf("  memfd_create(MFD_CLOEXEC):                %4d of %ld children "
           "inherited one\n",
           atomic, tries);
    if (wb_on_valgrind())
        printf("  (under Valgrind threads take turns, so the window is "
               "rarely hit)\n");
    return 0;
}
