/*
 * exec_gone.c: a shared anonymous mapping does not survive execve.
 *
 * The parent maps one page MAP_SHARED|MAP_ANONYMOUS, writes a line in it and
 * forks. The child reads the line (fork keeps the mapping), then execs this
 * same program with the option -a ADDRESS, the page's address. The new
 * program image looks for that address in its /proc/self/maps, counts the
 * shared anonymous mappings it has (lines named "/dev/zero (deleted)"), and
 * tries to read the address, catching the SIGSEGV. execve(2) threw away every
 * mapping of the old image, and nothing names the page: there is no file and
 * no descriptor to map it again. So only fork's descendants that do not exec
 * can share this memory; chapter 10's POSIX shm and memfd have names and
 * descriptors that pass across exec and between unrelated processes.
 *
 * Usage: exec_gone [-h]        (-a ADDRESS is the demo's own re-exec)
 * Tour:
 * Man pages: execve(2), mmap(2), fork(2), proc(5)
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* How many lines of /proc/self/maps are shared anonymous memory. */
static int count_shared_anon(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL)
        n += strstr(line, " /dev/zero (deleted)") != NULL;
    fclose(f);
    return n;
}

/* The program after execve: is the old page still there? */
static int after_exec(const char *arg)
{
    char *end;
    unsigned long a = strtoul(arg, &end, 16);
    if (*arg == '\0' || *end != '\0')
        wb_usage("ADDRESS '%s': not a hex number", arg);
    char *page = (char *)a;
    printf("after exec: shared anonymous mappings in /proc/self/maps: %d\n",
           count_shared_anon());
    struct wb_vma v;
    if (wb_vma_of(page, &v) == 0) {
        printf("after exec: the old address now holds an unrelated mapping "
               "(%s %s)\n",
               v.perms, v.path[0] ? v.path : "anonymous");
        return 0;
    }
    printf("after exec: the page's old address is not in /proc/self/maps\n");
    char c;
    int sig = wb_try_read(page, &c);
    if (sig == 0)
        printf("after exec: reading it worked?!\n");
    else
        printf("after exec: reading it: %s (%s)\n", wb_signame(sig),
               wb_last_fault_code());
    return 0;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int opt;
    const char *addr_arg = NULL;
    opterr = 0; /* we report bad options ourselves */
    while ((opt = getopt(argc, argv, ":ha:")) != -1) {
        if (opt == 'h')
            wb_help();
        if (opt == ':')
            wb_usage("option -%c needs an ADDRESS", optopt);
        if (opt != 'a')
            wb_usage("unknown option '-%c'", optopt);
        addr_arg = optarg;
    }
    if (optind != argc)
        wb_usage("no arguments expected");
    if (addr_arg != NULL)
        return after_exec(addr_arg);

    size_t ps = wb_page_size();
    char *page = mmap(NULL, ps, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        wb_die("mmap");
    strcpy(page, "written by the parent");
    printf("parent: 1 page MAP_SHARED|MAP_ANONYMOUS holds \"%s\"\n", page);
    wb_print_vmas("maps:", page, ps);
    printf("parent: shared anonymous mappings in /proc/self/maps: %d\n",
           count_shared_anon());

    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len == -1)
        wb_die("readlink /proc/self/exe");
    self[len] = '\0';

    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        printf("child:  before exec, reads \"%s\"\n", page);
        char hex[32];
        snprintf(hex, sizeof hex, "%lx", (unsigned long)page);
        printf("child:  execve(this program, -a <the page's address>)\n");
        fflush(stdout);
        execl(self, argv[0], "-a", hex, (char *)NULL);
        wb_die("execl '%s'", self);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed (wait status 0x%x)", (unsigned)status);
    printf("parent: the child is gone; the page still holds \"%s\"\n", page);

    if (munmap(page, ps) == -1)
        wb_die("munmap");
    return 0;
}
