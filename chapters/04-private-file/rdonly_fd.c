/*
 * rdonly_fd.c: a read-only descriptor may back a writable private mapping.
 *
 * Opens FILE (or a one-page temporary file) with O_RDONLY and asks mmap(2)
 * and mprotect(2) for each combination that matters. MAP_PRIVATE with
 * PROT_WRITE works, because the writes go to private copies and never need
 * the file's write permission; MAP_SHARED with PROT_WRITE fails with EACCES.
 * A read-only shared mapping works, but mprotect() cannot make it writable
 * later (EACCES), and writing to it raises SIGSEGV; a read-only private
 * mapping can be made writable. Last, an O_WRONLY descriptor cannot back any
 * mapping, whatever the protection: every file mapping needs a descriptor
 * open for reading (POSIX: EACCES "regardless of the protection specified").
 *
 * Usage: rdonly_fd [-h] [FILE]
 * Tour:
 * Man pages: mmap(2) (ERRORS: EACCES), mprotect(2), open(2)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t len; /* bytes mapped: the whole file */

/* mmap the file with prot/flags and report the result as one line. */
static char *try_map(int fd, int prot, int flags, const char *what)
{
    char *p = mmap(NULL, len, prot, flags, fd, 0);
    if (p == MAP_FAILED) {
        if (errno != EACCES)
            wb_die("mmap %s", what);
        printf("mmap(%s): %s\n", what, wb_errname(errno));
        return NULL;
    }
    struct wb_vma v;
    if (wb_vma_of(p, &v) == -1)
        wb_fatal("the new mapping is not in /proc/self/maps");
    printf("mmap(%s): ok, maps says %s\n", what, v.perms);
    return p;
}

/* Write 'X' at p[0] and say what happened. */
static void try_write(char *p)
{
    int sig = wb_try_write(p, 'X');
    if (sig == 0)
        printf("  write 'X' at offset 0: ok, the mapping now holds '%c'\n",
               p[0]);
    else
        printf("  write 'X' at offset 0: %s (%s)\n", wb_signame(sig),
               wb_last_fault_code());
}

static void try_protect(char *p)
{
    if (mprotect(p, len, PROT_READ | PROT_WRITE) == 0) {
        struct wb_vma v;
        if (wb_vma_of(p, &v) == -1)
            wb_fatal("the mapping left /proc/self/maps");
        printf("  mprotect(PROT_READ|PROT_WRITE): ok, maps says %s\n", v.perms);
    } else if (errno == EACCES) {
        printf("  mprotect(PROT_READ|PROT_WRITE): %s\n", wb_errname(errno));
    } else {
        wb_die("mprotect");
    }
}

static char temp_path[4096];
static void remove_temp(void)
{
    if (temp_path[0] != '\0')
        unlink(temp_path);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [FILE]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    const char *path = (i < argc) ? argv[i] : temp_path;
    if (i == argc) {
        int w = wb_temp_file("rdonly_fd", temp_path);
        atexit(remove_temp);
        if (write(w, "read-only data\n", 15) != 15)
            wb_die("write '%s'", temp_path);
        close(w);
    }

    struct stat st;
    int fd = wb_open_file(path, O_RDONLY, &st);
    if (st.st_size == 0)
        wb_fatal("'%s' is empty: it must be a non-empty regular file", path);
    len = (size_t)st.st_size;
    char first;
    if (pread(fd, &first, 1, 0) != 1)
        wb_die("pread '%s'", path);
    printf("descriptor opened O_RDONLY; the file's first byte is '%c'\n",
           first);

    char *p = try_map(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE,
                      "PROT_READ|PROT_WRITE, MAP_PRIVATE");
    if (p != NULL) {
        try_write(p);
        char now;
        if (pread(fd, &now, 1, 0) != 1)
            wb_die("pread '%s'", path);
        if (now == first)
            printf("  the file's first byte is still '%c'\n", now);
        else
            printf("  the file's first byte is now '%c': the write reached "
                   "it\n",
                   now);
        munmap(p, len);
    }

    p = try_map(fd, PROT_READ | PROT_WRITE, MAP_SHARED,
                "PROT_READ|PROT_WRITE, MAP_SHARED");
    if (p != NULL)
        munmap(p, len);

    p = try_map(fd, PROT_READ, MAP_SHARED, "PROT_READ, MAP_SHARED");
    if (p != NULL) {
        try_write(p);
        try_protect(p);
        munmap(p, len);
    }

    p = try_map(fd, PROT_READ, MAP_PRIVATE, "PROT_READ, MAP_PRIVATE");
    if (p != NULL) {
        try_protect(p);
        try_write(p);
        munmap(p, len);
    }
    close(fd);

    int wfd = open(path, O_WRONLY);
    if (wfd == -1) {
        printf("open O_WRONLY: %s, so the last case is skipped\n",
               wb_errname(errno));
        return 0;
    }
    printf("descriptor opened O_WRONLY\n");
    p = try_map(wfd, PROT_WRITE, MAP_PRIVATE, "PROT_WRITE, MAP_PRIVATE");
    if (p != NULL)
        munmap(p, len);
    close(wfd);
    return 0;
}
