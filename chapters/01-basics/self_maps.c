/*
 * self_maps.c: a process reads its own address space in /proc/self/maps.
 *
 * Takes one line of /proc/self/maps apart column by column (address range,
 * permissions with p or s, file offset, device, inode, path), then lists every
 * line with its size instead of its addresses and a label saying what it is:
 * the program's text, read-only data and data+bss, the [heap], a shared
 * library such as libc, anonymous memory, the [stack], the [vdso] and [vvar]
 * pages. Last, it points out which line holds a function, an initialised
 * global, a local variable and a malloc'd block. Under Valgrind the map is
 * Valgrind's: there is no [heap], malloc is replaced, and the [stack] line is
 * Valgrind's own stack, not the program's; the program says so. Built with
 * AddressSanitizer (make sanitize) there is no [heap] either, since ASan's
 * malloc takes its blocks from anonymous regions of its own, and the lowest
 * lines are ASan's shadow memory, not the program; it says that too.
 *
 * Usage: self_maps [-h]
 * Tour:
 * Man pages: proc(5) (/proc/PID/maps), mmap(2), malloc(3), vdso(7)
 */
#include "wb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One thing of each kind whose home we look for. */
int initialised_global = 42;

struct probe {
    const char *what;
    const void *addr;
    int line; /* the maps line that holds it, 0 = none */
    char perms[5];
    char label[64];
};

/* One maps line in its six columns. */
struct line {
    unsigned long start, end;
    char perms[5];
    unsigned long long offset;
    char dev[16];
    unsigned long inode;
    char path[4096];
};

/* [parse] */
/* "start-end perms offset dev inode   path": %n marks where the path starts. */
static int parse(const char *text, struct line *l)
{
    int pos = 0;
    if (sscanf(text, "%lx-%lx %4s %llx %15s %lu %n", &l->start, &l->end,
               l->perms, &l->offset, l->dev, &l->inode, &pos) < 6)
        return -1;
    snprintf(l->path, sizeof l->path, "%s", pos > 0 ? text + pos : "");
    l->path[strcspn(l->path, "\n")] = '\0';
    return 0;
}
/* [parse] */

/* What a line with these permissions holds, in a file-backed ELF object. */
static const char *elf_part(const struct line *l, bool is_program)
{
    if (l->perms[2] == 'x')
        return "text (code)";
    if (l->perms[1] == 'w')
        return is_program ? "data+bss (globals)" : "data (writable)";
    return l->offset == 0 ? "ELF headers, read-only" : "read-only data";
}

static void label(const struct line *l, const char *exe, char *out, size_t n)
{
    const char *p = l->path, *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    if (strcmp(p, exe) == 0)
        snprintf(out, n, "program %s", elf_part(l, true));
    else if (strcmp(p, "[heap]") == 0)
        snprintf(out, n, "heap (brk area, small mallocs)");
    else if (strcmp(p, "[stack]") == 0)
        snprintf(out, n, "stack of the main thread");
    else if (strcmp(p, "[vdso]") == 0)
        snprintf(out, n, "vDSO: kernel code run in user mode");
    else if (strncmp(p, "[vvar", 5) == 0)
        snprintf(out, n, "vvar: kernel data the vDSO reads");
    else if (strcmp(p, "[vsyscall]") == 0)
        snprintf(out, n, "vsyscall: legacy fixed page");
    else if (p[0] == '[')
        snprintf(out, n, "kernel-named area");
    else if (p[0] == '\0')
        snprintf(out, n, "anonymous (no file)");
    else if (strstr(p, " (deleted)") != NULL)
        snprintf(out, n, "file since deleted (or shared anon)");
    else if (strncmp(base, "libc.so", 7) == 0)
        snprintf(out, n, "C library %s", elf_part(l, false));
    else if (strncmp(base, "ld-linux", 8) == 0)
        snprintf(out, n, "dynamic loader %s", elf_part(l, false));
    else if (strstr(base, ".so") != NULL)
        snprintf(out, n, "shared library %s", elf_part(l, false));
    else
        snprintf(out, n, "mapped file");
}

/* The six columns of one line, each with what it means. */
static void explain(const struct line *l)
{
    char range[64];
    snprintf(range, sizeof range, "0x%lx-0x%lx", l->start, l->end);
    printf("the first line of /proc/self/maps, column by column:\n");
    printf("  address  %-30s first byte to one past the last: %zu page(s)\n",
           range, (size_t)(l->end - l->start) / wb_page_size());
    printf("  perms    %-30s r read, w write, x execute; p private "
           "(copy-on-write), s shared\n",
           l->perms);
    printf("  offset   %08llx%22s where in the file the range starts "
           "(hex)\n",
           l->offset, "");
    printf("  device   %-30s major:minor of the file's device "
           "(00:00: no file)\n",
           l->dev);
    printf("  inode    %-30lu the file's inode number (0: no file)\n",
           l->inode);
    printf("  path     %s\n", l->path);
    printf("           (a file, a [name] the kernel gives, or nothing for "
           "anonymous memory)\n");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    if (wb_simple_args(argc, argv) != argc)
        wb_usage("no arguments expected");

    int local_variable = 7;
    char *block = malloc(64); /* small: glibc takes it from the heap */
    if (block == NULL)
        wb_die("malloc 64 bytes");
    struct probe probes[] = {
        {"main() (a function)", (const void *)main, 0, "", ""},
        {"initialised_global", &initialised_global, 0, "", ""},
        {"local_variable", &local_variable, 0, "", ""},
        {"malloc(64) block", block, 0, "", ""},
    };
    const size_t nprobes = sizeof probes / sizeof probes[0];

    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n == -1)
        wb_die("readlink /proc/self/exe");
    exe[n] = '\0';

    if (wb_on_valgrind())
        printf("note: under Valgrind this is Valgrind's map: there is no "
               "[heap], malloc is Valgrind's own, and [stack] is Valgrind's "
               "stack (ours is anonymous)\n\n");
    if (wb_on_asan())
        printf("note: built with AddressSanitizer: there is no [heap], "
               "malloc is ASan's own (its blocks are in anonymous lines), and "
               "the lowest lines, huge and anonymous, are its shadow memory, "
               "not the program\n\n");

    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char text[8192];
    struct line l;
    int nr = 0;
    while (fgets(text, sizeof text, f) != NULL) {
        if (parse(text, &l) != 0)
            wb_fatal("cannot parse maps line: %s", text);
        char what[64];
        label(&l, exe, what, sizeof what);
        if (++nr == 1) {
            explain(&l);
            printf("\nevery line, lowest address first (sizes, not "
                   "addresses):\n");
            printf("  %2s %-4s %-8s %10s  %-38s %s\n", "#", "perm", "offset",
                   "size", "what it is", "path");
        }
        printf("  %2d %s %08llx %6lu KiB  ", nr, l.perms, l.offset,
               (l.end - l.start) / 1024);
        if (l.path[0] != '\0')
            printf("%-38s %s\n", what, l.path);
        else
            printf("%s\n", what);
        for (size_t k = 0; k < nprobes; k++) {
            unsigned long a = (unsigned long)probes[k].addr;
            if (a >= l.start && a < l.end) {
                probes[k].line = nr;
                memcpy(probes[k].perms, l.perms, sizeof l.perms);
                snprintf(probes[k].label, sizeof probes[k].label, "%s", what);
            }
        }
    }
    fclose(f);

    printf("\nwhere things live:\n");
    for (size_t k = 0; k < nprobes; k++) {
        if (probes[k].line == 0)
            printf("  %-20s not in any line (?)\n", probes[k].what);
        else
            printf("  %-20s line %2d: %s %s\n", probes[k].what, probes[k].line,
                   probes[k].perms, probes[k].label);
    }
    free(block);
    return 0;
}
