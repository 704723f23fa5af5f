/*
 * reserve_layer.c: reserve address space with PROT_NONE, then lay file pieces over it.
 *
 * Reserves PAGES pages (default 8) of address space with a PROT_NONE,
 * MAP_NORESERVE anonymous mapping: nothing can be read or written there, and
 * no memory is committed, but no other mmap() will land in the range. Then it
 * lays two pieces of a 4-page file over parts of the reservation with
 * MAP_FIXED: file pages 0-1 read-only and private at reservation page 1, and
 * file page 3 read-write and shared at reservation page 5. After each step it
 * prints the reservation's lines of /proc/self/maps (addresses relative to
 * the reservation) and counts them: the one VMA is split into three, then
 * five. It reads byte 0 of the reservation's first 8 pages (the PROT_NONE
 * gaps raise SIGSEGV with SEGV_ACCERR, caught), writes through the shared piece
 * into the file, and finally removes every piece with a single munmap().
 *
 * Usage: reserve_layer [-h] [PAGES]   PAGES >= 8, the size of the reservation
 * Tour:
 * Tour: 262144
 * Man pages: mmap(2), munmap(2), proc(5), sigaction(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FILE_PAGES 4
#define LABEL_LEN  11 /* strlen("file page 0") */

static char data_path[4096]; /* removed at exit once created */

static void remove_data(void)
{
    if (data_path[0] != '\0')
        unlink(data_path);
}

/* A FILE_PAGES-page file; page k starts "file page k", then is all 'a'+k. */
static int make_file(size_t ps)
{
    const char *dir = getenv("TMPDIR");
    snprintf(data_path, sizeof data_path, "%s/reserve_layer.dat",
             dir && *dir ? dir : "/tmp");
    int fd = open(data_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd == -1) {
        data_path[0] = '\0'; /* not ours: leave it alone */
        wb_die("create '%s/reserve_layer.dat'", dir && *dir ? dir : "/tmp");
    }
    char *page = malloc(ps);
    if (page == NULL)
        wb_die("malloc");
    for (int k = 0; k < FILE_PAGES; k++) {
        memset(page, 'a' + k, ps);
        memcpy(page, "file page ", 10);
        page[10] = (char)('0' + k);
        if (pwrite(fd, page, ps, (off_t)(k * ps)) != (ssize_t)ps)
            wb_die("write page %d of the file", k);
    }
    free(page);
    return fd;
}

static void show(const char *step, char *base, size_t len)
{
    printf("%s\n", step);
    wb_print_vmas("res", base, len);
    printf("  VMAs in the reservation: %d\n", wb_count_vmas(base, len));
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    long npages = i < argc ? wb_long_arg(argv[i], "pages", 8, 1L << 30) : 8;
    size_t ps = wb_page_size();
    size_t len = (size_t)npages * ps;

    if (atexit(remove_data) != 0)
        wb_fatal("atexit failed");
    int fd = make_file(ps);
    printf("a %d-page file, page k starts \"file page k\"\n", FILE_PAGES);

    /* [reserve] */
    char *base = mmap(NULL, len, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap reservation of %ld pages", npages);
    /* [reserve] */
    show("1. reserve: mmap(NULL, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|"
         "MAP_NORESERVE)",
         base, len);

    /* [layer] */
    char *want = base + 1 * ps;
    char *got = mmap(want, 2 * ps, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (got == MAP_FAILED)
        wb_die("mmap file pages 0-1 at reservation page 1");
    show("2. mmap(base + 1 page, 2 pages, PROT_READ, MAP_PRIVATE|MAP_FIXED, "
         "fd, offset 0)",
         base, len);

    want = base + 5 * ps;
    got = mmap(want, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
               (off_t)(3 * ps));
    if (got == MAP_FAILED)
        wb_die("mmap file page 3 at reservation page 5");
    /* [layer] */
    show("3. mmap(base + 5 pages, 1 page, PROT_READ|PROT_WRITE, "
         "MAP_SHARED|MAP_FIXED, fd, offset 3 pages)",
         base, len);
    printf("  (MAP_FIXED returned exactly the address asked for: %s)\n",
           got == want ? "yes" : "no");

    printf("reading byte 0 of the first 8 pages of the reservation:\n");
    for (int k = 0; k < 8; k++) {
        char c;
        int sig = wb_try_read(base + (size_t)k * ps, &c);
        if (sig != 0)
            printf("  page %d: %s (%s)\n", k, wb_signame(sig),
                   wb_last_fault_code());
        else
            printf("  page %d: ok, \"%.*s\"\n", k, LABEL_LEN,
                   base + (size_t)k * ps);
    }

    memcpy(base + 5 * ps, "WRITTEN", 7);
    char buf[LABEL_LEN + 1] = "";
    if (pread(fd, buf, LABEL_LEN, (off_t)(3 * ps)) != LABEL_LEN)
        wb_die("pread page 3 of the file");
    printf("wrote \"WRITTEN\" at reservation page 5; the file's page 3 now "
           "starts \"%s\"\n",
           buf);

    if (munmap(base, len) == -1)
        wb_die("munmap the reservation");
    printf("4. one munmap() of the whole reservation: %d VMAs left in it\n",
           wb_count_vmas(base, len));
    close(fd);
    return 0;
}
