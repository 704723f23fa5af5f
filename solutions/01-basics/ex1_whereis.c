/*
 * ex1_whereis.c: which mapping holds each kind of thing (solution).
 *
 * Takes seven addresses (a function, an initialised global, a string
 * literal, a local, a small and a big malloc block, a fresh mmap page) and
 * finds, for each, the /proc/self/maps line whose range contains it. See
 * exercises/01-basics/ex1_whereis.c for the task.
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int initialised_global = 42;

/* The parts of a maps line this program needs; path points into the line. */
struct region {
    unsigned long start, end;
    char perms[5];
    const char *path;
};

/*
 * Parse "start-end perms offset dev inode [path]". The path is everything
 * after the inode and the spaces that pad it, to the end of the line; it may
 * itself contain spaces. The newline is cut off the line in place.
 */
static int parse_line(char *line, struct region *r)
{
    int pathpos = 0;
    if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &r->start, &r->end, r->perms,
               &pathpos) < 3 ||
        pathpos == 0)
        return -1;
    line[strcspn(line, "\n")] = '\0';
    r->path = line + pathpos;
    return 0;
}

/*
 * Print "KIND: PERMS PATH-OR-LABEL" for the line that contains addr. The
 * kernel writes a file's whole path, however long (it can exceed PATH_MAX),
 * so the lines are read with getline(3), which grows its buffer to fit.
 */
static void whereis(const char *kind, const void *addr)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char *line = NULL;
    size_t size = 0;
    struct region r;
    unsigned long a = (unsigned long)addr;
    bool found = false;
    while (!found && getline(&line, &size, f) != -1) {
        if (parse_line(line, &r) != 0)
            wb_fatal("cannot parse /proc/self/maps line: %s", line);
        found = r.start <= a && a < r.end; /* end is one past the last */
    }
    if (!found && ferror(f))
        wb_die("read /proc/self/maps");
    fclose(f);
    if (!found)
        wb_fatal("%s: no line of /proc/self/maps contains it", kind);
    printf("%s: %s %s\n", kind, r.perms, r.path[0] ? r.path : "(anonymous)");
    free(line);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    const char *literal = "a string literal";
    int local = 7;
    char *small = malloc(32);
    char *big = malloc(1 << 20);
    if (small == NULL || big == NULL)
        wb_die("malloc");
    char *page = mmap(NULL, wb_page_size(), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        wb_die("mmap one page");

    whereis("function", (const void *)main);
    whereis("global", &initialised_global);
    whereis("literal", literal);
    whereis("local", &local);
    whereis("small-malloc", small);
    whereis("big-malloc", big);
    whereis("mmap", page);

    if (munmap(page, wb_page_size()) == -1)
        wb_die("munmap");
    free(big);
    free(small);
    return 0;
}
