/*
 * private_write.c: writes through a MAP_PRIVATE file mapping never reach the file.
 *
 * Maps FILE (or a two-page temporary file) with MAP_PRIVATE and
 * PROT_READ|PROT_WRITE on a descriptor that could write the file (O_RDWR),
 * then stores "PRIVATE!" at the start of every page of the mapping. The
 * mapping now holds those bytes; the file does not: read(2) on the file, a
 * second, MAP_SHARED mapping of it, and even msync(MS_SYNC) on the private
 * mapping all show the original bytes, and the checksum of the whole file is
 * the same before and after. /proc/self/smaps shows where the written bytes
 * went: into anonymous pages, one copy per page written.
 *
 * Usage: private_write [-h] [FILE]
 * Tour:
 * Man pages: mmap(2), msync(2), pread(2), proc(5)
 */
#include "wb.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARK "PRIVATE!"
#define SHOW 16 /* bytes shown of each view */

/* FNV-1a over the whole file, read with pread(2): the file's own bytes. */
static uint64_t file_checksum(int fd)
{
    uint64_t h = 0xcbf29ce484222325u;
    char buf[8192];
    off_t off = 0;
    ssize_t n;
    while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
        for (ssize_t k = 0; k < n; k++)
            h = (h ^ (unsigned char)buf[k]) * 0x100000001b3u;
        off += n;
    }
    if (n == -1)
        wb_die("pread");
    return h;
}

/* Print up to SHOW bytes as a quoted string, '.' for unprintable ones. */
static void show(const char *label, const char *p, size_t len)
{
    printf("  %-34s \"", label);
    for (size_t k = 0; k < len && k < SHOW; k++)
        putchar(p[k] >= 0x20 && p[k] < 0x7f ? p[k] : '.');
    printf("\"\n");
}

static void report_copies(const void *addr)
{
    long kb = wb_smaps_kb(addr, "Anonymous"); /* the copied pages */
    if (kb < 0)
        wb_fatal("no Anonymous count for the mapping in /proc/self/smaps");
    printf("  smaps Anonymous: %ld kB = %ld page(s) copied\n", kb,
           kb * 1024 / (long)wb_page_size());
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
    size_t ps = wb_page_size();

    int fd;
    const char *name = (i < argc) ? argv[i] : "a temporary file";
    if (i < argc) {
        fd = open(argv[i], O_RDWR);
        if (fd == -1)
            wb_die("open '%s'", argv[i]);
    } else {
        fd = wb_temp_file("private_write", temp_path);
        atexit(remove_temp);
        /* two pages of whatever size this machine's pages are */
        char *text = malloc(2 * ps);
        if (text == NULL)
            wb_die("malloc");
        for (size_t k = 0; k < 2 * ps; k++)
            text[k] = "original file text "[k % 19];
        if (pwrite(fd, text, 2 * ps, 0) != (ssize_t)(2 * ps))
            wb_die("write '%s'", temp_path);
        free(text);
    }
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", name);
    if (st.st_size == 0)
        wb_fatal("'%s' is empty: it must be a non-empty regular file", name);
    size_t len = (size_t)st.st_size, pages = (len + ps - 1) / ps;
    uint64_t before = file_checksum(fd);
    printf("%s: %zu bytes, %zu page(s), opened O_RDWR\n", name, len, pages);
    printf("file checksum before: %016" PRIx64 " (FNV-1a of every byte)\n",
           before);

    char *priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (priv == MAP_FAILED)
        wb_die("mmap MAP_PRIVATE");
    struct wb_vma v;
    if (wb_vma_of(priv, &v) == -1)
        wb_fatal("the new mapping is not in /proc/self/maps");
    printf("mmap(MAP_PRIVATE, PROT_READ|PROT_WRITE): maps says %s\n", v.perms);
    show("mapping before the write:", priv, len);
    report_copies(priv);

    /* [write] */
    size_t mark = strlen(MARK);
    for (size_t pg = 0; pg < pages; pg++) {
        size_t n = len - pg * ps < mark ? len - pg * ps : mark;
        memcpy(priv + pg * ps, MARK, n);
    }
    /* [write] */
    printf("stored \"%s\" at the start of each of the %zu page(s)\n", MARK,
           pages);
    show("mapping after the write:", priv, len);
    report_copies(priv);

    char buf[SHOW];
    ssize_t got = pread(fd, buf, sizeof buf, 0);
    if (got == -1)
        wb_die("pread");
    show("the file, read with pread(2):", buf, (size_t)got);
    char *shared = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    if (shared == MAP_FAILED)
        wb_die("mmap MAP_SHARED");
    show("a second, MAP_SHARED mapping:", shared, len);
    if (msync(priv, len, MS_SYNC) == -1)
        wb_die("msync");
    got = pread(fd, buf, sizeof buf, 0);
    if (got == -1)
        wb_die("pread");
    show("the file after msync(MS_SYNC):", buf, (size_t)got);

    if (munmap(shared, len) == -1 || munmap(priv, len) == -1)
        wb_die("munmap");
    uint64_t after = file_checksum(fd);
    printf("file checksum after:  %016" PRIx64 " (%s)\n", after,
           after == before ? "unchanged" : "CHANGED");
    close(fd);
    return after == before ? 0 : 1;
}
