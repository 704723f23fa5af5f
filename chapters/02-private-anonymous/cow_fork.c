/*
 * cow_fork.c: after fork, a private mapping is copied page by page, on write.
 *
 * The parent maps PAGES pages (default 8) of private anonymous memory and
 * writes "parent page I" at the start of page I. Then it forks. The child
 * reads every page (the parent's words, and no fault: fork copied the page
 * table entries, write-protected) and overwrites every page with
 * "child page I". Each first write to a page is a minor fault in which the
 * kernel copies that page for the child: about one fault per page. The
 * parent waits for the child, reports how it ended, and reads its own pages:
 * still its own words. With MAP_SHARED instead, both would see one copy
 * (chapter 03).
 *
 * Usage: cow_fork [-h] [PAGES]      PAGES from 1 to 65536
 * Tour:
 * Man pages: fork(2), mmap(2), getrusage(2), waitpid(2), wait(2)
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG_MAX 32

static char *map;
static size_t npages, ps;

/* Write "WHO page I" at the start of every page. */
static void write_all(const char *who)
{
    for (size_t i = 0; i < npages; i++)
        snprintf(map + i * ps, MSG_MAX, "%s page %zu", who, i);
}

/* How many pages hold exactly "WHO page I". */
static size_t count_own(const char *who)
{
    char want[MSG_MAX];
    size_t n = 0;
    for (size_t i = 0; i < npages; i++) {
        snprintf(want, sizeof want, "%s page %zu", who, i);
        n += strcmp(map + i * ps, want) == 0;
    }
    return n;
}

/* [child] */
/* The child: read, overwrite, report. Returns its exit status. */
static int child(void)
{
    volatile char sink;
    (void)wb_minor_faults(); /* lazy binding: 1st call writes the GOT */
    long f0 = wb_minor_faults();
    for (size_t i = 0; i < npages; i++)
        sink = map[i * ps];
    long f1 = wb_minor_faults();
    (void)sink;
    size_t seen = count_own("parent");
    printf("child:  %zu of %zu pages read \"parent page I\"; reading them "
           "cost %ld minor faults\n",
           seen, npages, f1 - f0);

    f0 = wb_minor_faults();
    write_all("child");
    f1 = wb_minor_faults();
    long w = f1 - f0;
    printf("child:  wrote \"child page I\" into %zu pages: %ld minor faults "
           "(%s)\n",
           npages, w,
           w == (long)npages  ? "one per page: the copy-on-write copies"
           : w > (long)npages ? "at least one per page: the copies, and "
                                "faults of the program's own"
                              : "fewer than the pages: some were not copied");
    size_t mine = count_own("child");
    printf("child:  %zu of %zu pages now read \"child page I\"; last page: "
           "\"%s\"\n",
           mine, npages, map + (npages - 1) * ps);
    return (seen == npages && mine == npages) ? 0 : 1;
}
/* [child] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    npages = (i < argc) ? (size_t)wb_long_arg(argv[i], "pages", 1, 65536) : 8;
    ps = wb_page_size();

    map = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        wb_die("mmap %zu pages", npages);
    write_all("parent");
    printf("parent: wrote \"parent page I\" into %zu private anonymous pages; "
           "forking\n",
           npages);
    fflush(stdout); /* or the child would print this line a second time */

    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0)
        exit(child());

    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (WIFEXITED(status))
        printf("parent: child exited with status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("parent: child was killed by %s\n",
               wb_signame(WTERMSIG(status)));

    size_t kept = count_own("parent");
    printf("parent: %zu of %zu pages still read \"parent page I\"; last page: "
           "\"%s\"\n",
           kept, npages, map + (npages - 1) * ps);
    printf("(with MAP_SHARED | MAP_ANONYMOUS the parent would read the "
           "child's words now: chapter 03)\n");
    if (munmap(map, npages * ps) == -1)
        wb_die("munmap");
    return (WIFEXITED(status) && WEXITSTATUS(status) == 0 && kept == npages)
               ? 0
               : 1;
}
