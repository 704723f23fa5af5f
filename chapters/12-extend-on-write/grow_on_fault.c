/*
 * grow_on_fault.c: a file that grows when you write past its end, step by step.
 *
 * The AIX shmat(SHM_MAP) behaviour, built from Linux parts (eow.h): an empty
 * file is laid over a PROT_NONE reservation of PAGES pages (plus a guard
 * page), and a SIGSEGV handler turns each fault in the reservation into a
 * longer file: ftruncate() to the end of the faulting page, mprotect() the
 * new pages read-write, return, and the faulting store runs again. The demo
 * writes and reads at a few offsets and, after each access, prints how many
 * faults the handler served, the file's size and, when they changed, the
 * reservation's lines of /proc/self/maps: the read-write, file-backed part
 * grows and the PROT_NONE part shrinks. At the end it trims the file to the
 * last byte written and reads the strings back with pread().
 *
 * Usage: grow_on_fault [-h] [PAGES]   the file's limit, 10 or more (default 16)
 * Tour:
 * Man pages: mmap(2), mprotect(2), ftruncate(2), sigaction(2), proc(5)
 */
#include "eow.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char data_path[4096]; /* removed at exit once created */
static char *base;
static size_t limit, ps;

static void remove_data(void)
{
    if (data_path[0] != '\0')
        unlink(data_path);
}

static void show_maps(void)
{
    wb_print_vmas("eow", base, limit + ps);
}

static void state(void)
{
    printf("faults %ld, file size %lld\n", (long)atomic_load(&eow.grown),
           eow_file_size());
}

/* Store TEXT at OFF through the mapping: a plain memcpy(), nothing else. */
static void write_at(int step, size_t off, const char *text)
{
    long before = atomic_load(&eow.grown);
    printf("%d. write \"%s\" at offset %zu (page %zu): ", step, text, off,
           off / ps);
    memcpy(base + off, text, strlen(text));
    state();
    if (atomic_load(&eow.grown) != before)
        show_maps();
}

static void read_at(int step, size_t off)
{
    long before = atomic_load(&eow.grown);
    printf("%d. read offset %zu (page %zu): ", step, off, off / ps);
    int c = *(volatile char *)(base + off);
    printf("%d; ", c);
    state();
    if (atomic_load(&eow.grown) != before)
        show_maps();
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    long pages = i < argc ? wb_long_arg(argv[i], "pages", 10, 1L << 20) : 16;
    ps = wb_page_size();
    limit = (size_t)pages * ps;

    const char *dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    snprintf(data_path, sizeof data_path, "%s/grow_on_fault.dat", dir);
    if (atexit(remove_data) != 0)
        wb_fatal("atexit failed");
    int fd = open(data_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd == -1) {
        data_path[0] = '\0'; /* not ours: leave it alone */
        wb_die("create '%s/grow_on_fault.dat'", dir);
    }
    if (wb_on_valgrind())
        printf("(under Valgrind: a handler that returns is reliable only "
               "with --px-default=allregs-at-mem-access)\n");

    base = eow_open(fd, limit, ps);
    printf("1. an empty file over a %ld-page reservation: %ld pages for the "
           "file, 1 guard page\n",
           pages + 1, pages);
    show_maps();

    write_at(2, 0, "first");
    write_at(3, 100, "second");
    write_at(4, 4 * ps + 1616, "third");
    read_at(5, 2 * ps + 808);
    read_at(6, 9 * ps + 3136);

    size_t hwm = 4 * ps + 1616 + strlen("third");
    printf("7. close: trim the file to the end of the last write, %zu bytes\n",
           hwm);
    eow_close(hwm);
    char buf[3][8] = {"", "", ""};
    if (pread(fd, buf[0], 5, 0) != 5 || pread(fd, buf[1], 6, 100) != 6 ||
        pread(fd, buf[2], 5, (off_t)(4 * ps + 1616)) != 5)
        wb_die("pread the file");
    printf("   file size %lld; pread() finds \"%s\", \"%s\" and \"%s\"\n",
           eow_file_size(), buf[0], buf[1], buf[2]);
    close(fd);
    return 0;
}
