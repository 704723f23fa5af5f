/*
 * ex3_forkwipe.c: what a child inherits of a mapping marked MADV_WIPEONFORK
 * or MADV_DONTFORK (solution).
 *
 * ex3_forkwipe [-s] MODE [NPAGES] writes "secret K" into page K of NPAGES
 * private anonymous pages (shared with -s), applies the advice MODE asks
 * for (keep: none, wipe: MADV_WIPEONFORK, dontfork: MADV_DONTFORK), forks,
 * and lets the child and then the parent report what each page holds.
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET_MAX 32

static size_t ps;

/* Report page K as WHO sees it: the secret, zeros, other bytes, a signal. */
static void report(const char *who, const char *p, size_t k)
{
    char buf[SECRET_MAX];
    for (size_t j = 0; j < sizeof buf; j++) {
        int sig = wb_try_read(p + k * ps + j, &buf[j]);
        if (sig != 0) {
            printf("%s: page %zu: %s (%s)\n", who, k, wb_signame(sig),
                   wb_last_fault_code());
            return;
        }
    }
    char want[SECRET_MAX] = {0};
    snprintf(want, sizeof want, "secret %zu", k);
    bool zeros = true;
    for (size_t j = 0; j < sizeof buf; j++)
        zeros = zeros && buf[j] == 0;
    if (memcmp(buf, want, sizeof want) == 0)
        printf("%s: page %zu: \"%s\"\n", who, k, want);
    else if (zeros)
        printf("%s: page %zu: zeros\n", who, k);
    else
        printf("%s: page %zu: something else\n", who, k);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-s] keep|wipe|dontfork [NPAGES]");
    bool shared = false;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hs")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 's')
            shared = true;
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind < 1 || argc - optind > 2)
        wb_usage("expected MODE and an optional NPAGES");
    const char *mode = argv[optind];
    int advice;
    const char *advice_name;
    if (strcmp(mode, "keep") == 0) {
        advice = -1;
        advice_name = "no advice";
    } else if (strcmp(mode, "wipe") == 0) {
        advice = MADV_WIPEONFORK;
        advice_name = "MADV_WIPEONFORK";
    } else if (strcmp(mode, "dontfork") == 0) {
        advice = MADV_DONTFORK;
        advice_name = "MADV_DONTFORK";
    } else {
        wb_usage("unknown mode '%s'", mode);
    }
    size_t npages = argc - optind == 2 ? (size_t)wb_long_arg(argv[optind + 1],
                                                             "pages", 1, 1024)
                                       : 4;
    ps = wb_page_size();

    char *p = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    for (size_t k = 0; k < npages; k++)
        snprintf(p + k * ps, SECRET_MAX, "secret %zu", k);
    if (advice != -1 && madvise(p, npages * ps, advice) == -1)
        wb_die("madvise %s", advice_name);
    printf("%zu %s anonymous pages, page K holds \"secret K\"; %s; fork\n",
           npages, shared ? "shared" : "private", advice_name);

    fflush(stdout); /* or the child prints the parent's buffered lines too */
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        for (size_t k = 0; k < npages; k++)
            report("child", p, k);
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child did not exit with status 0");
    for (size_t k = 0; k < npages; k++)
        report("parent", p, k);
    if (munmap(p, npages * ps) == -1)
        wb_die("munmap");
    return 0;
}
