/*
 * ex1_board.c: a message board in POSIX shared memory, for unrelated
 * processes (solution).
 *
 * The board is one 4096-byte shm object. No lock: a poster takes a slot
 * with a compare-and-swap on the count, fills it, and then publishes it
 * with a release store of its ready word; a reader loads the count and each
 * ready word with acquire loads, so a slot it sees as ready is complete.
 * Creation is the one delicate moment: O_CREAT|O_EXCL picks exactly one
 * creator, and everyone else waits until the object has its size and the
 * creator has stored the magic (last, with a release store). See
 * exercises/10-posix-shm/ex1_board.c for the task.
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BOARD_SIZE 4096
#define NSLOTS     63
#define TEXT_MAX   59 /* bytes of text; the 60th holds the NUL */

struct slot {
    _Atomic uint32_t ready;
    char text[TEXT_MAX + 1];
};

struct board {
    _Atomic uint64_t magic; /* the 8 bytes "BOARD10\0", stored last */
    _Atomic uint32_t count;
    char unused[52];
    struct slot slot[NSLOTS];
};
_Static_assert(sizeof(struct board) == BOARD_SIZE, "a board is 4096 bytes");
_Static_assert(sizeof(struct slot) == 64, "a slot is 64 bytes");

static const char *name;

/* The magic as one 8-byte word, whatever the byte order. */
static uint64_t magic_word(void)
{
    uint64_t w;
    memcpy(&w, "BOARD10", 8); /* 7 letters and the NUL */
    return w;
}

static void check_name(const char *s)
{
    size_t len = strlen(s);
    if (s[0] != '/' || len < 2 || strchr(s + 1, '/') != NULL)
        wb_usage("bad name '%s': it must be /NAME, with no other '/'", s);
    if (len > 255)
        wb_usage("bad name '%s': longer than 255 bytes", s);
}

static void pause_1ms(void)
{
    struct timespec ms = {0, 1000 * 1000};
    nanosleep(&ms, NULL);
}

/* Wait up to 500 ms for another process to give the object its size. */
static void wait_for_size(int fd)
{
    for (int tries = 0;; tries++) {
        struct stat st;
        if (fstat(fd, &st) == -1)
            wb_die("fstat '%s'", name);
        if (st.st_size == BOARD_SIZE)
            return;
        if (st.st_size != 0 || tries == 500)
            wb_fatal("'%s' is not a board", name);
        pause_1ms();
    }
}

static void wait_for_magic(struct board *b)
{
    for (int tries = 0;; tries++) {
        if (atomic_load_explicit(&b->magic, memory_order_acquire) ==
            magic_word())
            return;
        if (tries == 500)
            wb_fatal("'%s' is not a board", name);
        pause_1ms();
    }
}

/* [attach] */
/* Open (or create, for a writer) the board and map it. */
static struct board *attach(bool writer)
{
    bool created = false;
    int fd = -1;
    if (writer) {
        fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        created = fd != -1;
        if (fd == -1 && errno != EEXIST)
            wb_die("shm_open '%s'", name);
    }
    if (fd == -1) { /* not ours to create: it must exist */
        fd = shm_open(name, writer ? O_RDWR : O_RDONLY, 0);
        if (fd == -1)
            wb_die("shm_open '%s'", name);
    }
    if (created && ftruncate(fd, BOARD_SIZE) == -1)
        wb_die("ftruncate '%s'", name);
    wait_for_size(fd);
    int prot = writer ? PROT_READ | PROT_WRITE : PROT_READ;
    struct board *b = mmap(NULL, BOARD_SIZE, prot, MAP_SHARED, fd, 0);
    if (b == MAP_FAILED)
        wb_die("mmap '%s'", name);
    close(fd);
    if (created) { /* ftruncate gave zeros: count 0, every slot free */
        atomic_store_explicit(&b->magic, magic_word(), memory_order_release);
        printf("created %s\n", name); /* the magic went last: a board now */
    } else {
        wait_for_magic(b);
    }
    return b;
}
/* [attach] */

/* [post] */
static void post(struct board *b, const char *text)
{
    uint32_t n = atomic_load(&b->count);
    do {
        if (n >= NSLOTS)
            wb_fatal("board '%s' is full (%d messages)", name, NSLOTS);
    } while (!atomic_compare_exchange_weak(&b->count, &n, n + 1));
    struct slot *s = &b->slot[n]; /* ours alone now */
    memset(s->text, 0, sizeof s->text);
    memcpy(s->text, text, strlen(text));
    atomic_store_explicit(&s->ready, 1, memory_order_release);
    printf("posted #%u\n", n + 1);
}
/* [post] */

static void show(const struct board *b)
{
    uint32_t n = atomic_load_explicit(&b->count, memory_order_acquire);
    if (n > NSLOTS)
        n = NSLOTS; /* a damaged board: read what is there */
    int shown = 0;
    for (uint32_t k = 0; k < n; k++) {
        const struct slot *s = &b->slot[k];
        if (atomic_load_explicit(&s->ready, memory_order_acquire) != 1)
            continue; /* still being written */
        printf("#%u %.*s\n", k + 1, TEXT_MAX, s->text);
        shown++;
    }
    if (shown == 0)
        printf("(no messages)\n");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] post NAME MESSAGE... | read NAME | remove NAME");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 2)
        wb_usage("expected a command and a NAME");
    const char *cmd = argv[i];
    name = argv[i + 1];
    int nargs = argc - i - 2;
    char **args = argv + i + 2;
    bool is_post = strcmp(cmd, "post") == 0;
    if (!is_post && strcmp(cmd, "read") != 0 && strcmp(cmd, "remove") != 0)
        wb_usage("unknown command '%s'", cmd);
    if (is_post ? nargs < 1 : nargs != 0)
        wb_usage("wrong number of operands for '%s'", cmd);
    check_name(name);
    for (int k = 0; k < nargs; k++) {
        size_t len = strlen(args[k]);
        if (len == 0 || len > TEXT_MAX)
            wb_usage("message '%s' has %zu bytes (1 to %d allowed)", args[k],
                     len, TEXT_MAX);
    }

    if (strcmp(cmd, "remove") == 0) {
        if (shm_unlink(name) == -1)
            wb_die("shm_unlink '%s'", name);
        printf("removed %s\n", name);
        return 0;
    }
    struct board *b = attach(is_post);
    if (is_post) {
        for (int k = 0; k < nargs; k++)
            post(b, args[k]); /* on a full board, wb_fatal flushes stdout */
    } else {
        show(b);
    }
    if (munmap(b, BOARD_SIZE) == -1)
        wb_die("munmap");
    return 0;
}
