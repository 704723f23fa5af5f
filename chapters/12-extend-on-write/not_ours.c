/*
 * not_ours.c: the handler serves its own faults only; every other one still kills.
 *
 * Each case runs in a child process with a fresh 4-page extend-on-write
 * file (eow.h) whose handler narrates what it sees, with write(2) only,
 * since printf() is not async-signal-safe. Case 1 is a fault the handler
 * owns: the file grows and the store goes through. Cases 2-4 are SIGSEGVs
 * it does not own: a store near address 0 (SEGV_MAPERR), a store into the
 * guard page just past the file's limit, a store into a string constant
 * (both SEGV_ACCERR, so the code alone does not decide: the address does).
 * For those the handler restores SIG_DFL and returns; the store faults
 * again and the child dies of SIGSEGV, as it would have without the
 * handler. Case 5 truncates the file under the open pages, as another
 * process could: the next store raises SIGBUS, which the handler does not
 * catch at all. The parent reports how each child ended.
 *
 * Usage: not_ours [-h]
 * Tour:
 * Man pages: sigaction(2), signal-safety(7), signal(7), wait(2), ftruncate(2)
 */
#include "eow.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define FILE_PAGES 4

static const char constant[] = "a string constant";

static void child(int which)
{
    size_t ps = wb_page_size();
    struct rlimit no_core = {0, 0};
    if (setrlimit(RLIMIT_CORE, &no_core) == -1) /* dying is the lesson */
        wb_die("setrlimit RLIMIT_CORE");
    int fd = wb_temp_file("not_ours", NULL);
    eow.narrate = STDOUT_FILENO;
    char *base = eow_open(fd, FILE_PAGES * ps, ps);
    volatile uintptr_t near_null = 16;

    switch (which) {
    case 1: base[2 * ps] = 'x'; break;
    case 2: *(volatile char *)near_null = 'x'; break;
    case 3: base[FILE_PAGES * ps] = 'x'; break;
    case 4: *(volatile char *)constant = 'x'; break;
    case 5:
        base[ps] = 'x';
        if (ftruncate(fd, 0) == -1)
            wb_die("ftruncate");
        printf("  child: someone truncates the file to 0 bytes; store at "
               "offset 0\n");
        fflush(stdout);
        base[0] = 'x';
        break;
    default: break;
    }
    printf("  child: the store went through, exit 0\n");
    exit(0);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");
    static const char *const what[] = {
        NULL,
        "a store in page 2 of the file",
        "a store near address 0 (a null pointer plus 16)",
        "a store in the guard page, just past the file's limit",
        "a store into a string constant (read-only data)",
        "a store after the file was truncated under the open pages",
    };
    printf("each case: a child with a %d-page extend-on-write file\n",
           FILE_PAGES);
    for (int k = 1; k <= 5; k++) {
        printf("%d. %s\n", k, what[k]);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == -1)
            wb_die("fork");
        if (pid == 0)
            child(k);
        int status;
        if (waitpid(pid, &status, 0) == -1)
            wb_die("waitpid");
        if (WIFEXITED(status))
            printf("  parent: the child exited with status %d\n",
                   WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            printf("  parent: the child was killed by %s\n",
                   wb_signame(WTERMSIG(status)));
    }
    return 0;
}
