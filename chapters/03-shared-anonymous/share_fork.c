/*
 * share_fork.c: after fork, a MAP_SHARED|MAP_ANONYMOUS page is the same page.
 *
 * Maps one page of anonymous memory, writes a greeting into it and forks.
 * The child prints what it finds there (the parent's greeting: fork gives the
 * child the parent's mappings), writes MESSAGE over it, stores its own pid in
 * the page's last bytes and exits. The parent waits for the child and reads
 * the page again. The verdict comes from the pid: the parent never writes
 * there, so only the child's store can put it there, whatever MESSAGE says.
 * With MAP_SHARED (the default) the parent finds the child's MESSAGE and pid:
 * both processes map one and the same page. With -p the mapping is
 * MAP_PRIVATE: the child's writes landed in its own copy-on-write copy
 * (chapter 02), and the parent still reads its greeting and a 0 at the end.
 *
 * Usage: share_fork [-h] [-p] [MESSAGE]
 * Tour:
 * Tour: -p
 * Man pages: mmap(2), fork(2), waitpid(2), proc(5)
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-p] [MESSAGE]");
    int private = 0, opt;
    opterr = 0; /* we report bad options ourselves */
    while ((opt = getopt(argc, argv, "hp")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt != 'p')
            wb_usage("unknown option '-%c'", optopt);
        private = 1;
    }
    if (argc - optind > 1)
        wb_usage("too many arguments");
    const char *message = optind < argc ? argv[optind] : "hello from the child";
    const char *greeting = "hello from the parent";
    size_t ps = wb_page_size();
    size_t room = ps - sizeof(pid_t); /* the marker takes the rest */
    if (strlen(message) >= room)
        wb_usage("MESSAGE must be shorter than %zu bytes", room);

    int kind = private ? MAP_PRIVATE : MAP_SHARED;
    char *page =
        mmap(NULL, ps, PROT_READ | PROT_WRITE, kind | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        wb_die("mmap");
    /* the child's marker: the last pid_t of the page, zero until written */
    volatile pid_t *mark = (pid_t *)(page + ps - sizeof(pid_t));
    printf("mapping: 1 page, %s|MAP_ANONYMOUS\n",
           private ? "MAP_PRIVATE" : "MAP_SHARED");
    wb_print_vmas("maps:", page, ps);

    strcpy(page, greeting);
    printf("parent: wrote \"%s\"\n", page);

    fflush(stdout); /* or the child would print it a second time */
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        printf("child:  reads \"%s\"\n", page);
        strcpy(page, message);
        *mark = getpid(); /* a value the parent never writes */
        printf("child:  wrote \"%s\", and its pid at the end of the page\n",
               page);
        fflush(stdout);
        _exit(0);
    }

    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed (wait status 0x%x)", (unsigned)status);
    printf("parent: child exited with status 0\n");
    printf("parent: reads \"%s\"\n", page);
    if (*mark == pid) {
        printf("parent: the end of the page holds the child's pid\n");
        printf("=> the child's write reached the parent: the page is shared\n");
    } else if (*mark == 0) {
        printf("parent: the end of the page holds 0, not the child's pid\n");
        printf("=> the parent still reads its own page: the child wrote to "
               "a private copy\n");
    } else {
        wb_fatal("the end of the page holds %ld, neither 0 nor the child's "
                 "pid %ld",
                 (long)*mark, (long)pid);
    }

    if (munmap(page, ps) == -1)
        wb_die("munmap");
    return 0;
}
