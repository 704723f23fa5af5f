/*
 * shm_pair.c: two unrelated processes share memory through a POSIX shm name.
 *
 * The writer creates a shared memory object with shm_open(3) under a name of
 * its own, /shm_pair.PID, gives it its size with ftruncate(2), shows the file
 * that appeared in /dev/shm (its type, mode and size, from stat(2)), maps it
 * MAP_SHARED and stores a message. Then it starts the reader: fork(2) and
 * execve(2) of this same program with -r NAME. After execve the reader has
 * no mapping and no descriptor of the writer's (shm_open set close-on-exec);
 * it has only the name. It opens the object by name, maps it, reads the
 * message and stores a reply, which the writer then reads in its own
 * mapping. Finally the writer removes the name with shm_unlink(3).
 *
 *   -r NAME   the reader alone: attach to an existing object of at least
 *             4096 bytes (made by the writer, or by anyone else: a file
 *             written into /dev/shm is one), print the text at offset 0 and
 *             store a reply at offset 2048. It never creates or removes NAME.
 *
 * Usage: shm_pair [-h] [-r NAME]
 * Tour:
 * Man pages: shm_open(3), shm_overview(7), ftruncate(2), mmap(2), execve(2)
 */
#include "wb.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define OBJ_SIZE 4096 /* bytes: one page here, but fixed whatever the page */
#define REPLY_AT 2048

static char name[256]; /* "/shm_pair.PID" while the name exists */

static void remove_name(void)
{
    if (name[0] != '\0')
        shm_unlink(name); /* error paths: never leave the name behind */
}

/* How many of this process's descriptors refer to /dev/shm/NAME? */
static int fds_for(const char *path)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        wb_die("opendir /proc/self/fd");
    int n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char link[300], target[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            n += strcmp(target, path) == 0;
        }
    }
    closedir(d);
    return n;
}

/* [reader] */
static int reader(const char *shm_name)
{
    char path[300];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    printf("reader: descriptors for %s before shm_open: %d\n", path,
           fds_for(path));
    int fd = shm_open(shm_name, O_RDWR, 0); /* no O_CREAT: it must exist */
    if (fd == -1)
        wb_die("shm_open '%s'", shm_name);
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", shm_name);
    if (st.st_size < OBJ_SIZE)
        wb_fatal("'%s' is %lld bytes, too small (want %d)", shm_name,
                 (long long)st.st_size, OBJ_SIZE);
    char *p = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap '%s'", shm_name);
    close(fd); /* the mapping keeps the object; the descriptor is not needed */
    /* [reader] */
    printf("reader: shm_open(\"%s\", O_RDWR): %lld bytes, mapped:\n", shm_name,
           (long long)st.st_size);
    wb_print_vmas("obj", p, OBJ_SIZE);
    printf("reader: offset 0 holds \"%.*s\"\n", REPLY_AT - 1, p);
    snprintf(p + REPLY_AT, OBJ_SIZE - REPLY_AT, "and hello back from pid %d",
             (int)getpid());
    printf("reader: stored \"%s\" at offset %d\n", p + REPLY_AT, REPLY_AT);
    if (munmap(p, OBJ_SIZE) == -1)
        wb_die("munmap");
    return 0;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-r NAME]");
    int opt;
    const char *attach = NULL;
    while ((opt = getopt(argc, argv, ":hr:")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt == ':')
            wb_usage("option -%c needs a NAME", optopt);
        if (opt != 'r')
            wb_usage("unknown option '-%c'", optopt);
        attach = optarg;
    }
    if (optind != argc)
        wb_usage("no operands expected");
    if (attach != NULL)
        return reader(attach);

    /* [create] */
    snprintf(name, sizeof name, "/shm_pair.%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd == -1)
        wb_die("shm_open '%s'", name);
    atexit(remove_name);
    if (ftruncate(fd, OBJ_SIZE) == -1) /* a new object has size 0 */
        wb_die("ftruncate '%s'", name);
    char *p = mmap(NULL, OBJ_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap '%s'", name);
    /* [create] */
    printf("writer: shm_open(\"%s\", O_RDWR|O_CREAT|O_EXCL, 0600), "
           "ftruncate to %d bytes\n",
           name, OBJ_SIZE);
    char path[300];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    struct stat st;
    if (stat(path, &st) == -1)
        wb_die("stat '%s'", path);
    printf("writer: %s: %s, mode %04o, %lld bytes\n", path,
           S_ISREG(st.st_mode) ? "regular file" : "not a regular file?",
           (unsigned)(st.st_mode & 07777), (long long)st.st_size);
    wb_print_vmas("obj", p, OBJ_SIZE);
    strcpy(p, "hello from the writer");
    printf("writer: stored \"%s\" at offset 0\n", p);

    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len == -1)
        wb_die("readlink /proc/self/exe");
    self[len] = '\0';
    printf("writer: fork + execve(\"shm_pair -r %s\"): the reader gets only "
           "the name\n",
           name);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        execl(self, argv[0], "-r", name, (char *)NULL);
        wb_die("execl '%s'", self);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the reader failed (wait status 0x%x)", (unsigned)status);
    printf("writer: the reader has exited; offset %d holds \"%s\"\n", REPLY_AT,
           p + REPLY_AT);

    if (shm_unlink(name) == -1)
        wb_die("shm_unlink '%s'", name);
    name[0] = '\0';
    printf("writer: shm_unlink: %s is %s\n", path,
           access(path, F_OK) == 0 ? "still there?" : "gone");
    if (munmap(p, OBJ_SIZE) == -1)
        wb_die("munmap");
    close(fd);
    return 0;
}
