/*
 * share_two.c: two unrelated processes share memory through one file.
 *
 * FILE is a 256-byte message board: a magic, a message counter and the text
 * of the latest message. Every mode maps it MAP_SHARED; none calls read(2)
 * or write(2) on it. Run the modes as separate programs, from separate
 * shells if you like: they have no parent, pipe or fork in common, only the
 * file's name, and through it the same page-cache pages.
 *
 *   post FILE WORD...  store the words as the next message. An empty FILE is
 *                      first given its size with ftruncate(2), because
 *                      storing into a mapping never makes a file longer.
 *   read FILE          print the latest message (open O_RDONLY, PROT_READ).
 *   wait FILE N        watch the mapping until message N has been posted,
 *                      with no system call on the file while no new message
 *                      arrives (each new one is copied out under flock(2));
 *                      print each message seen on the way. Gives up after
 *                      10 seconds.
 *
 * The counter is a C11 atomic, so `wait` can poll it without locks. The text
 * is longer than any atomic, so writers hold flock(LOCK_EX) while they
 * change it and readers hold flock(LOCK_SH) while they copy it out.
 *
 * Usage: share_two [-h] post FILE WORD... | read FILE | wait FILE N
 * Tour: post board.dat hello from one process
 * Tour: read board.dat
 * Tour: post board.dat and hello again
 * Tour: wait board.dat 2
 * Man pages: mmap(2), ftruncate(2), flock(2), stdatomic.h(0p), nanosleep(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct board {
    char magic[8];          /* "BOARD05", set by the first post */
    _Atomic uint32_t count; /* messages posted so far */
    uint32_t len;           /* length of text */
    char text[240];         /* the latest message, NUL-terminated */
};
_Static_assert(sizeof(struct board) == 256, "the board is 256 bytes");

static int fd;
static const char *path;

/* Open and map the board; `writable` also creates and sizes it. */
static struct board *attach(bool writable)
{
    fd = open(path, (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", path);
    if (writable && st.st_size == 0) {
        if (ftruncate(fd, sizeof(struct board)) == -1)
            wb_die("ftruncate '%s'", path);
        printf("'%s' was empty: ftruncate to %zu bytes\n", path,
               sizeof(struct board));
    } else if (st.st_size != sizeof(struct board)) {
        wb_fatal("'%s' is %lld bytes, not a board (%zu bytes)", path,
                 (long long)st.st_size, sizeof(struct board));
    }
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    struct board *b = mmap(NULL, sizeof *b, prot, MAP_SHARED, fd, 0);
    if (b == MAP_FAILED)
        wb_die("mmap '%s'", path);
    static const char zero[8];
    if (memcmp(b->magic, "BOARD05", 8) != 0 && memcmp(b->magic, zero, 8) != 0)
        wb_fatal("'%s' is not a board (no BOARD05 magic)", path);
    return b;
}

static void lock(int how)
{
    if (flock(fd, how) == -1)
        wb_die("flock '%s'", path);
}

/* Copy the latest message out under a shared lock; returns its number. */
static uint32_t snapshot(const struct board *b, char *text, size_t size)
{
    lock(LOCK_SH);
    uint32_t n = atomic_load(&b->count);
    uint32_t len = b->len < sizeof b->text ? b->len : 0;
    snprintf(text, size, "%.*s", (int)len, b->text);
    lock(LOCK_UN);
    return n;
}

static void post(struct board *b, int nwords, char **words)
{
    lock(LOCK_EX);
    memcpy(b->magic, "BOARD05", 8); /* a new board has zeros here */
    memset(b->text, 0, sizeof b->text);
    size_t len = 0;
    for (int k = 0; k < nwords; k++) {
        int n = snprintf(b->text + len, sizeof b->text - len, "%s%s",
                         k ? " " : "", words[k]);
        len += (size_t)n;
        if (len >= sizeof b->text - 1) {
            len = sizeof b->text - 1; /* cut a long message short */
            break;
        }
    }
    b->len = (uint32_t)len;
    uint32_t n = atomic_fetch_add(&b->count, 1) + 1; /* publish */
    lock(LOCK_UN);
    printf("posted message #%u (%zu bytes) by storing into the mapping\n", n,
           len);
}

/* [wait_for] */
static void wait_for(const struct board *b, uint32_t want)
{
    struct timespec tick = {0, 10 * 1000 * 1000}; /* 10 ms */
    uint32_t seen = UINT32_MAX;
    char text[sizeof b->text];
    for (int polls = 0; polls < 1000; polls++) {
        if (atomic_load(&b->count) != seen) { /* a plain memory read */
            seen = snapshot(b, text, sizeof text);
            if (seen == 0)
                printf("no message yet\n");
            else
                printf("saw message #%u: \"%s\"\n", seen, text);
            fflush(stdout); /* someone may be watching live */
            if (seen >= want)
                return;
        }
        nanosleep(&tick, NULL);
    }
    wb_fatal("gave up after 10 s waiting for message #%u (saw #%u)", want,
             seen);
}
/* [wait_for] */

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] post FILE WORD... | read FILE | wait FILE N");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 2)
        wb_usage("expected a mode and a FILE");
    const char *mode = argv[i];
    path = argv[i + 1];
    int rest = argc - i - 2;
    char **args = argv + i + 2;

    if (strcmp(mode, "post") == 0 && rest >= 1) {
        post(attach(true), rest, args);
    } else if (strcmp(mode, "read") == 0 && rest == 0) {
        char text[240];
        uint32_t n = snapshot(attach(false), text, sizeof text);
        if (n == 0)
            printf("'%s': no message yet\n", path);
        else
            printf("'%s': message #%u: \"%s\"\n", path, n, text);
    } else if (strcmp(mode, "wait") == 0 && rest == 1) {
        long want = wb_long_arg(args[0], "N", 1, UINT32_MAX);
        wait_for(attach(false), (uint32_t)want);
    } else {
        wb_usage("bad mode '%s' or wrong number of arguments", mode);
    }
    return 0;
}
