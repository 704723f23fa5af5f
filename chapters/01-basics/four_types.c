/*
 * four_types.c: the 2x2 of mmap, {private, shared} x {anonymous, file}.
 *
 * Makes one page of each of the four kinds of mapping (the file ones over a
 * one-page file filled with '-'), writes each one's name into it, and prints
 * each one's line of /proc/self/maps: rw-p against rw-s, a path against none,
 * and shared anonymous memory showing up as "/dev/zero (deleted)". Then a
 * child process writes "child" into all four and exits, and the parent looks:
 * only the shared mappings show the child's write. Last, pread(2) reads the
 * file back: the shared file mapping's writes are in it, the private one's
 * are not.
 *
 * Usage: four_types [-h] [FILE]   FILE is created (or truncated) and kept;
 *                                 without it a temporary file is used
 * Tour:
 * Man pages: mmap(2), proc(5), fork(2), pread(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME_AT(k) (16 * (k)) /* where mapping k writes its name */
#define CHILD_AT   64         /* where the child writes, in every page */

static char temp_path[4096]; /* removed at exit when it is ours */

static void remove_temp(void)
{
    if (temp_path[0] != '\0')
        unlink(temp_path);
}

static const char *const names[4] = {
    "private-anon",
    "shared-anon",
    "private-file",
    "shared-file",
};

/* Print n bytes of p, a zero byte as '.'. */
static void show(const char *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++)
        putchar(p[i] == '\0' ? '.' : p[i]);
    putchar('"');
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [FILE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    size_t ps = wb_page_size();

    int fd;
    if (i < argc) {
        fd = open(argv[i], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd == -1)
            wb_die("open '%s'", argv[i]);
    } else {
        fd = wb_temp_file("four_types", temp_path);
        if (atexit(remove_temp) != 0)
            wb_fatal("atexit failed");
    }
    char *fill = malloc(ps);
    if (fill == NULL)
        wb_die("malloc");
    memset(fill, '-', ps);
    if (pwrite(fd, fill, ps, 0) != (ssize_t)ps)
        wb_die("write one page of '-' to the file");
    free(fill);

    /* [mmaps] */
    /*
     * Private anonymous memory would merge with a neighbouring private
     * anonymous VMA, and then its maps line would not be its own: map a page
     * either side and give them back, so that it stands alone.
     */
    char *pa = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pa == MAP_FAILED)
        wb_die("mmap private anonymous");
    if (munmap(pa, ps) == -1 || munmap(pa + 2 * ps, ps) == -1)
        wb_die("munmap the pages either side");
    pa += ps;

    char *m[4];
    m[0] = pa;
    m[1] = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                -1, 0);
    m[2] = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    m[3] = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    for (int k = 1; k < 4; k++)
        if (m[k] == MAP_FAILED)
            wb_die("mmap %s", names[k]);
    /* [mmaps] */

    printf("            file (offset 0)   anonymous\n");
    printf("  private   private-file      private-anon\n");
    printf("  shared    shared-file       shared-anon\n\n");
    printf("each is one page and gets its name written into it, at offset\n ");
    for (int k = 0; k < 4; k++)
        printf("%s %s %d", k ? "," : "", names[k], NAME_AT(k));
    printf("\n");
    printf("their lines in /proc/self/maps (addresses relative to each "
           "mapping):\n");
    for (int k = 0; k < 4; k++) {
        memcpy(m[k] + NAME_AT(k), names[k], strlen(names[k]));
        char tag[16];
        snprintf(tag, sizeof tag, "%-12s", names[k]);
        wb_print_vmas(tag, m[k], ps);
    }

    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) { /* the child writes into all four */
        for (int k = 0; k < 4; k++)
            memcpy(m[k] + CHILD_AT, "child", 5);
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child failed");

    printf("\na child (fork) wrote \"child\" at offset %d of each; the "
           "parent reads there:\n",
           CHILD_AT);
    for (int k = 0; k < 4; k++) {
        printf("  %-12s ", names[k]);
        show(m[k] + CHILD_AT, 5);
        bool seen = memcmp(m[k] + CHILD_AT, "child", 5) == 0;
        printf("  %s\n", seen ? "sees the child's write"
                              : "does not: the child wrote to its own copy");
    }

    static const struct {
        int off;
        const char *who;
    } spots[] = {
        {NAME_AT(2), "where private-file wrote its name"},
        {NAME_AT(3), "where shared-file wrote its name"},
        {CHILD_AT, "where the child wrote through both file mappings"},
    };
    printf("\nthe file, read back with pread(2):\n");
    for (size_t k = 0; k < sizeof spots / sizeof spots[0]; k++) {
        char buf[16];
        if (pread(fd, buf, sizeof buf, spots[k].off) != (ssize_t)sizeof buf)
            wb_die("pread");
        printf("  bytes %2d..%2d: ", spots[k].off,
               spots[k].off + (int)sizeof buf - 1);
        show(buf, sizeof buf);
        printf("  (%s)\n", spots[k].who);
    }

    for (int k = 0; k < 4; k++)
        if (munmap(m[k], ps) == -1)
            wb_die("munmap %s", names[k]);
    close(fd);
    return 0;
}
