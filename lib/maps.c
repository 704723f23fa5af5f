/*
 * maps.c: reading /proc/self/maps, smaps and meminfo, and mincore (wb.h, "Maps and smaps").
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/* Parse one /proc/self/maps line; returns 0 on success. */
static int parse_maps_line(const char *line, struct wb_vma *v)
{
    int pathpos = 0;
    unsigned long long off;
    if (sscanf(line, "%lx-%lx %4s %llx %*s %*s %n", &v->start, &v->end,
               v->perms, &off, &pathpos) < 4)
        return -1;
    v->offset = off;
    v->path[0] = '\0';
    if (pathpos > 0) {
        snprintf(v->path, sizeof v->path, "%s", line + pathpos);
        v->path[strcspn(v->path, "\n")] = '\0';
    }
    return 0;
}

/* Call fn for each VMA overlapping [lo, hi); stop when it returns non-zero. */
static void for_each_vma(unsigned long lo, unsigned long hi,
                         int (*fn)(const struct wb_vma *, void *), void *arg)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char line[4096];
    struct wb_vma v;
    while (fgets(line, sizeof line, f) != NULL) {
        if (parse_maps_line(line, &v) != 0)
            continue;
        if (v.end <= lo || v.start >= hi)
            continue;
        if (fn(&v, arg) != 0)
            break;
    }
    fclose(f);
}

static int copy_vma(const struct wb_vma *v, void *arg)
{
    *(struct wb_vma *)arg = *v;
    return 1;
}

int wb_vma_of(const void *addr, struct wb_vma *out)
{
    unsigned long a = (unsigned long)addr;
    out->start = out->end = 0;
    for_each_vma(a, a + 1, copy_vma, out);
    return out->end > out->start ? 0 : -1;
}

static int count_vma(const struct wb_vma *v, void *arg)
{
    (void)v;
    ++*(int *)arg;
    return 0;
}

int wb_count_vmas(const void *addr, size_t len)
{
    int n = 0;
    unsigned long a = (unsigned long)addr;
    for_each_vma(a, a + len, count_vma, &n);
    return n;
}

struct print_arg {
    const char *tag;
    unsigned long base;
};

static void print_rel(unsigned long x, unsigned long base)
{
    if (x >= base)
        printf("+0x%lx", x - base);
    else
        printf("-0x%lx", base - x);
}

static int print_vma(const struct wb_vma *v, void *arg)
{
    const struct print_arg *pa = arg;
    printf("  %s ", pa->tag);
    print_rel(v->start, pa->base);
    printf("..");
    print_rel(v->end, pa->base);
    unsigned long pages = (v->end - v->start) / wb_page_size();
    printf(" %s %08llx %lu page%s%s%s\n", v->perms, v->offset, pages,
           pages == 1 ? "" : "s", v->path[0] ? " " : "", v->path);
    return 0;
}

void wb_print_vmas(const char *tag, const void *addr, size_t len)
{
    struct print_arg pa = {tag, (unsigned long)addr};
    fflush(stdout);
    for_each_vma(pa.base, pa.base + len, print_vma, &pa);
    fflush(stdout);
}

long wb_smaps_kb(const void *addr, const char *field)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (f == NULL)
        wb_die("open /proc/self/smaps");
    char line[4096];
    struct wb_vma v;
    unsigned long a = (unsigned long)addr;
    size_t flen = strlen(field);
    bool inside = false;
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (parse_maps_line(line, &v) == 0) { /* a VMA's first line */
            if (inside)
                break; /* past the VMA */
            inside = (a >= v.start && a < v.end);
        } else if (inside && strncmp(line, field, flen) == 0 &&
                   line[flen] == ':') {
            kb = strtol(line + flen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

size_t wb_resident_pages(const void *addr, size_t len)
{
    size_t ps = wb_page_size();
    size_t npages = (len + ps - 1) / ps;
    unsigned char *vec = malloc(npages ? npages : 1);
    if (vec == NULL)
        wb_die("malloc");
    if (mincore((void *)addr, len, vec) == -1)
        wb_die("mincore");
    size_t n = 0;
    for (size_t i = 0; i < npages; i++)
        n += vec[i] & 1;
    free(vec);
    return n;
}

long wb_meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (f == NULL)
        wb_die("open /proc/meminfo");
    char line[256];
    size_t n = strlen(key);
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            kb = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}
