/*
 * dev_zero.c: the older way to shared anonymous memory: map /dev/zero shared.
 *
 * Where there was no MAP_ANONYMOUS (some System V descendants such as IRIX
 * had neither it nor MAP_ANON), a program got zero-filled memory by mapping
 * the device /dev/zero. Mapped MAP_SHARED, that memory is shared with
 * children after fork, exactly like MAP_SHARED|MAP_ANONYMOUS. The demo opens
 * /dev/zero, maps one page shared and closes the descriptor, checks that the
 * page is all zeros, and lets a child store NUMBER in it for the parent to
 * read; the child stores it in the private map of /dev/zero too, and there
 * the parent keeps reading 0. It prints the /proc/self/maps lines of this
 * mapping, of a MAP_SHARED|MAP_ANONYMOUS one and of a MAP_PRIVATE map of
 * /dev/zero: on Linux both shared ones are a fresh, unlinked shmem object
 * named "/dev/zero (deleted)"; the private one names the device itself.
 *
 * Usage: dev_zero [-h] [NUMBER]       NUMBER from 0 to 2147483647
 * Tour:
 * Man pages: mmap(2), zero(4), fork(2), proc(5)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char *map_or_die(int flags, int fd, const char *what)
{
    char *p = mmap(NULL, wb_page_size(), PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap %s", what);
    return p;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [NUMBER]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    int number =
        i < argc ? (int)wb_long_arg(argv[i], "NUMBER", 0, 2147483647) : 4242;
    size_t ps = wb_page_size();

    int fd = open("/dev/zero", O_RDWR);
    if (fd == -1)
        wb_die("open '/dev/zero'");
    char *page = map_or_die(MAP_SHARED, fd, "/dev/zero shared");
    char *priv = map_or_die(MAP_PRIVATE, fd, "/dev/zero private");
    if (close(fd) == -1) /* the mappings do not need the descriptor */
        wb_die("close");
    char *anon = map_or_die(MAP_SHARED | MAP_ANONYMOUS, -1, "anonymous");

    printf("open(\"/dev/zero\", O_RDWR), mmap 1 page MAP_SHARED, close(fd)\n");
    wb_print_vmas("/dev/zero, MAP_SHARED:   ", page, ps);
    wb_print_vmas("MAP_SHARED|MAP_ANONYMOUS:", anon, ps);
    wb_print_vmas("/dev/zero, MAP_PRIVATE:  ", priv, ps);

    size_t nonzero = 0;
    for (size_t off = 0; off < ps; off++)
        nonzero += page[off] != 0;
    printf("the page holds %zu non-zero bytes of %zu\n", nonzero, ps);

    int *shared_int = (int *)page, *private_int = (int *)priv;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        *shared_int = number;
        *private_int = number;
        printf("child:  stored %d at offset 0 of both /dev/zero maps\n",
               number);
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed (wait status 0x%x)", (unsigned)status);
    printf("parent: reads %d in the shared map, %d in the private one\n",
           *shared_int, *private_int);

    if (munmap(page, ps) == -1 || munmap(priv, ps) == -1 ||
        munmap(anon, ps) == -1)
        wb_die("munmap");
    return 0;
}
