/*
 * page_visibility.c: which pages of a private mapping see later changes to the file.
 *
 * POSIX leaves it unspecified whether a MAP_PRIVATE mapping sees changes made
 * to the file after mmap(). Linux answers page by page. A page the mapping
 * has only read is the page cache's own page, mapped read-only, so it shows
 * whatever write(2) puts in the file later; a page the mapping has written
 * was copied at that moment, and from then on it shows only the copy.
 *
 * The demo maps a 4-page file of 'o' (old) bytes privately, reads every
 * page, writes 'P' into the pages named on the command line (default 1 and
 * 3), and shows what backs each page: mincore(2) says every page is resident,
 * but /proc/self/pagemap tells the page cache's pages from the private
 * anonymous copies. Then a child process opens the file and pwrite()s 'N'
 * (new) over all 4 pages, and the parent reports, page by page, which ones
 * see the new bytes. Last, madvise(MADV_DONTNEED) throws one private copy
 * away, and that page shows the file again.
 *
 * Usage: page_visibility [-h] [PAGE...]     PAGE in 0..3, default 1 3
 * Tour:
 * Tour: 0 2
 * Man pages: mmap(2) (MAP_PRIVATE), pwrite(2), mincore(2), madvise(2), proc(5)
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPAGES 4
#define SPOT   100 /* the byte of each page that we write privately */

static char temp_path[4096];
static void remove_temp(void)
{
    if (temp_path[0] != '\0')
        unlink(temp_path);
}

/* Fill the whole file with byte c through fd (the child calls this too). */
static int fill(int fd, char c, size_t ps)
{
    char buf[4096];
    memset(buf, c, sizeof buf);
    for (off_t off = 0; off < (off_t)(NPAGES * ps); off += (off_t)sizeof buf)
        if (pwrite(fd, buf, sizeof buf, off) != (ssize_t)sizeof buf)
            return -1;
    return 0;
}

/* What backs each page: mincore's residency and pagemap's bit 61. */
static void show_backing(const char *p, size_t ps)
{
    unsigned char vec[NPAGES];
    if (mincore((void *)p, NPAGES * ps, vec) == -1)
        wb_die("mincore");
    int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (pm == -1)
        printf("  (/proc/self/pagemap cannot be read: %s; mincore only)\n",
               wb_errname(errno));
    /* [pagemap] */
    for (int k = 0; k < NPAGES; k++) {
        uint64_t e = 0;
        off_t at = (off_t)((uintptr_t)(p + k * ps) / ps * sizeof e);
        if (pm != -1 && pread(pm, &e, sizeof e, at) != (ssize_t)sizeof e)
            wb_die("read /proc/self/pagemap");
        const char *what =
            pm == -1         ? ""
            : !(e >> 63 & 1) ? ", not present"
            : (e >> 61 & 1)
                ? ", file page (the page cache's own, mapped read-only)"
                : ", anonymous page (this process's private copy)";
        printf("  page %d: %s%s\n", k,
               (vec[k] & 1) ? "resident" : "not resident", what);
    }
    /* [pagemap] */
    if (pm != -1)
        close(pm);
}

/* Byte 0 and byte SPOT of page k, and what they mean. */
static void show_page(const char *p, size_t ps, int k)
{
    char a = p[k * ps], b = p[k * ps + SPOT];
    printf("  page %d: '%c' '%c': %s\n", k, a, b,
           a == 'N' && b == 'N'   ? "sees the file's new bytes"
           : a == 'o' && b == 'P' ? "keeps its private copy"
           : a == 'o' && b == 'o' ? "still shows the old bytes"
                                  : "unexpected");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGE...]");
    int i = wb_simple_args(argc, argv);
    bool write_page[NPAGES] = {false, true, false, true};
    if (i < argc) {
        memset(write_page, 0, sizeof write_page);
        for (; i < argc; i++)
            write_page[wb_long_arg(argv[i], "page", 0, NPAGES - 1)] = true;
    }
    size_t ps = wb_page_size();

    int fd = wb_temp_file("page_visibility", temp_path);
    atexit(remove_temp);
    if (fill(fd, 'o', ps) == -1)
        wb_die("write '%s'", temp_path);
    char *p =
        mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap");
    close(fd);
    printf("%d-page file, every byte 'o' (old), mapped MAP_PRIVATE with "
           "PROT_READ|PROT_WRITE\n",
           NPAGES);

    volatile char sink = 0;
    for (int k = 0; k < NPAGES; k++)
        sink ^= p[k * ps];
    (void)sink;
    printf("read byte 0 of every page through the mapping\n");
    printf("wrote 'P' at byte %d of page(s):", SPOT);
    for (int k = 0; k < NPAGES; k++)
        if (write_page[k]) {
            p[k * ps + SPOT] = 'P';
            printf(" %d", k);
        }
    printf("\nwhat backs each page (mincore; /proc/self/pagemap bit 61):\n");
    show_backing(p, ps);

    fflush(stdout);
    /* [child] */
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) { /* another process, its own open file description */
        int cfd = open(temp_path, O_WRONLY);
        _exit(cfd == -1 || fill(cfd, 'N', ps) == -1 ? 1 : 0);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        wb_die("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        wb_fatal("the child could not rewrite the file");
    /* [child] */
    printf("a child process opened the file and pwrite()'d 'N' (new) over all "
           "%d pages\n",
           NPAGES);

    printf("each page through the mapping (byte 0, byte %d):\n", SPOT);
    for (int k = 0; k < NPAGES; k++)
        show_page(p, ps, k);

    fd = open(temp_path, O_RDONLY);
    if (fd == -1)
        wb_die("open '%s'", temp_path);
    printf("the file itself (pread, byte %d of each page):", SPOT);
    for (int k = 0; k < NPAGES; k++) {
        char c;
        if (pread(fd, &c, 1, (off_t)(k * ps + SPOT)) != 1)
            wb_die("pread");
        printf(" '%c'", c);
    }
    printf("\n");
    close(fd);

    for (int k = 0; k < NPAGES; k++)
        if (write_page[k]) {
            if (madvise(p + k * ps, ps, MADV_DONTNEED) == -1)
                wb_die("madvise");
            printf("madvise(MADV_DONTNEED) on page %d throws its private copy "
                   "away:\n",
                   k);
            show_page(p, ps, k);
            break;
        }
    if (munmap(p, NPAGES * ps) == -1)
        wb_die("munmap");
    return 0;
}
