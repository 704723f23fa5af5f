/*
 * ex2_flagprobe.c: which mmap() flags this kernel knows, for one file
 * (solution).
 *
 * ex2_flagprobe FILE FLAG... maps one page of FILE with each FLAG, once
 * with MAP_SHARED and once with MAP_SHARED_VALIDATE, and prints
 * `FLAG shared=RESULT validate=RESULT`, RESULT being ok or an errno name.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000 /* in <linux/mman.h>, not in glibc's */
#endif

static const struct {
    const char *name;
    int flag;
} known[] = {
    {"MAP_32BIT", MAP_32BIT},
    {"MAP_DENYWRITE", MAP_DENYWRITE},
    {"MAP_EXECUTABLE", MAP_EXECUTABLE},
    {"MAP_GROWSDOWN", MAP_GROWSDOWN},
    {"MAP_HUGETLB", MAP_HUGETLB},
    {"MAP_LOCKED", MAP_LOCKED},
    {"MAP_NONBLOCK", MAP_NONBLOCK},
    {"MAP_NORESERVE", MAP_NORESERVE},
    {"MAP_POPULATE", MAP_POPULATE},
    {"MAP_STACK", MAP_STACK},
    {"MAP_SYNC", MAP_SYNC},
    {"MAP_UNINITIALIZED", MAP_UNINITIALIZED},
};

/* A flag by name, or a number (0x400000, 4194304); -1 if neither. */
static int parse_flag(const char *s)
{
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (strcmp(s, known[k].name) == 0)
            return known[k].flag;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || *s == '-' || v == 0 ||
        v > 0x7fffffffUL)
        return -1;
    return (int)v;
}

/* One page of FD with TYPE|FLAG: "ok" or the errno name. */
static const char *probe(int fd, int type, int flag)
{
    size_t ps = wb_page_size();
    void *p = mmap(NULL, ps, PROT_READ | PROT_WRITE, type | flag, fd, 0);
    if (p == MAP_FAILED)
        return wb_errname(errno);
    if (munmap(p, ps) == -1)
        wb_die("munmap");
    return "ok";
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE FLAG...");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 2)
        wb_usage("expected FILE and at least one FLAG");
    /* Check every FLAG before doing anything. */
    for (int k = i + 1; k < argc; k++)
        if (parse_flag(argv[k]) == -1)
            wb_usage("unknown flag '%s'", argv[k]);

    struct stat st;
    int fd = wb_open_file(argv[i], O_RDWR, &st);
    for (int k = i + 1; k < argc; k++) {
        int flag = parse_flag(argv[k]);
        printf("%s shared=%s validate=%s\n", argv[k],
               probe(fd, MAP_SHARED, flag),
               probe(fd, MAP_SHARED_VALIDATE, flag));
    }
    close(fd);
    return 0;
}
