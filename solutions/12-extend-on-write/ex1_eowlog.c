/*
 * ex1_eowlog.c: an append-only log that grows when you write past its end
 * (solution).
 *
 * The task is in exercises/12-extend-on-write/ex1_eowlog.c. The shape:
 *   1. open the log, map RESERVE bytes of it MAP_SHARED with PROT_NONE (a
 *      shared file mapping may run past the end of the file);
 *   2. grow the file first to whole pages and open those pages read-write;
 *   3. a SIGSEGV handler grows the file one page at a time as the appends
 *      reach new pages;
 *   4. every record goes in with a plain memcpy() into the mapping;
 *   5. at the end, trim the file to the last byte appended.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What the handler needs, set up before it is installed. */
static char *base;                   /* the mapping of the log */
static size_t reserve;               /* its length: the most the log may hold */
static size_t ps;                    /* the page size */
static int fd;                       /* the log, open O_RDWR */
static size_t open_len;              /* [base, base+open_len) is read-write and
                                  the file is exactly this long */
static volatile sig_atomic_t faults; /* faults that grew the file */

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    int saved_errno = errno;
    char *addr = si->si_addr;
    if (si->si_code == SEGV_ACCERR && addr >= base + open_len &&
        addr < base + reserve) {
        size_t end = ((size_t)(addr - base) / ps + 1) * ps;
        if (ftruncate(fd, (off_t)end) == 0 &&
            mprotect(base + open_len, end - open_len, PROT_READ | PROT_WRITE) ==
                0) {
            open_len = end;
            faults++;
            errno = saved_errno;
            return; /* the store runs again and succeeds */
        }
    }
    signal(SIGSEGV, SIG_DFL); /* not ours: fault again, and die of it */
    errno = saved_errno;
}

/* Undo the handler and the mapping, and cut the file to LENGTH bytes. */
static void close_log(const struct sigaction *old, size_t length)
{
    if (sigaction(SIGSEGV, old, NULL) == -1)
        wb_die("sigaction");
    if (munmap(base, reserve) == -1)
        wb_die("munmap");
    if (ftruncate(fd, (off_t)length) == -1)
        wb_die("ftruncate to %zu bytes", length);
    if (close(fd) == -1)
        wb_die("close");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-m] [-r RESERVE] FILE");
    bool show_maps = false;
    size_t want = 64u << 20;
    int opt;
    opterr = 0; /* one error line: ours, not getopt's */
    while ((opt = getopt(argc, argv, "hmr:")) != -1) {
        if (opt == 'h')
            wb_help();
        else if (opt == 'm')
            show_maps = true;
        else if (opt == 'r')
            want = wb_size_arg(optarg, "reserve");
        else
            wb_usage("unknown option '-%c'", optopt);
    }
    if (argc - optind != 1)
        wb_usage("expected one FILE");
    if (want == 0)
        wb_usage("reserve '0': must be at least 1 byte");
    const char *path = argv[optind];
    ps = wb_page_size();
    reserve = wb_round_up(want);

    struct stat st;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", path);
    size_t start = (size_t)st.st_size;
    if (start > reserve)
        wb_fatal("'%s' (%zu bytes) is larger than the reservation (%zu "
                 "bytes)",
                 path, start, reserve);

    base = mmap(NULL, reserve, PROT_NONE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        wb_die("mmap %zu bytes of '%s'", reserve, path);
    /* Grow first, then write: the tail of the last page becomes file
     * data now, not after we stored into it (ext4 would zero it then,
     * since Linux 6.13, or at writeback before). */
    open_len = wb_round_up(start);
    if (open_len > 0 &&
        (ftruncate(fd, (off_t)open_len) == -1 ||
         mprotect(base, open_len, PROT_READ | PROT_WRITE) == -1))
        wb_die("open the first %zu bytes of '%s'", open_len, path);

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old) == -1)
        wb_die("sigaction");

    size_t end = start; /* the high-water mark */
    long records = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) != -1) {
        if ((size_t)len > reserve - end) {
            free(line);
            close_log(&old, end);
            wb_fatal("log full: record %ld (%zd bytes) does not fit in %zu "
                     "bytes",
                     records + 1, len, reserve);
        }
        /* The only way in. The first store to a new page faults on
         * purpose; Memcheck would call that an invalid write. */
        wb_quiet_begin();
        memcpy(base + end, line, (size_t)len);
        wb_quiet_end();
        end += (size_t)len;
        records++;
    }
    if (ferror(stdin))
        wb_die("read standard input");
    free(line);

    if (show_maps)
        wb_print_vmas("log", base, reserve);
    close_log(&old, end);
    printf("appended %ld records, %zu bytes, in %ld faults; the file is now "
           "%zu bytes\n",
           records, end - start, (long)faults, end);
    return 0;
}
