/*
 * perfdata_producer.h: create a PerfData region and publish counters in it.
 *
 * The producer's half of chapter 14 (perfvm.c is the demo that uses it).
 * pd_create() makes the region the way HotSpot does after its hardening:
 * a checked per-user directory, stale files cleaned, the file created
 * relative to the directory's descriptor, locked, sized, one byte written
 * into every page, then mapped MAP_SHARED. When any step fails it falls
 * back to ordinary memory, as the JVM does: the program runs on, but no
 * monitor can see it. It always says why on stderr; a JDK 17 product JVM
 * warns only of ENOSPC and of a failed flock(), and is silent about the
 * rest (those warnings need PrintMiscellaneous and Verbose, flags of debug
 * builds only; since JDK-8368781 they are -Xlog:perf=debug messages). pd_add_long()/pd_add_string() append counters;
 * pd_save() writes the region to a file (perfvm's -s); pd_destroy()
 * removes the file, unmaps the region and frees what overflowed.
 */
#ifndef PERFDATA_PRODUCER_H
#define PERFDATA_PRODUCER_H

#include "perfdata.h"
#include "perfdata_fs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

/* Storage for counters that did not fit in the region (see pd_add()). */
struct pd_spill {
    struct pd_spill *next;
    _Alignas(8) unsigned char data[];
};

struct pd_producer {
    unsigned char *base; /* the region */
    size_t size;
    bool shared;            /* false: ordinary memory, invisible to monitors */
    bool narrate;           /* print each step on stdout */
    int dirfd;              /* the checked per-user directory, or -1 */
    char dir[PATH_MAX];     /* its path, for messages */
    char name[16];          /* the file's name in it: the pid */
    uint64_t start_ns;      /* CLOCK_MONOTONIC at creation */
    struct pd_spill *spill; /* counters that overflowed */
};

static inline uint64_t pd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void pd_say(const struct pd_producer *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void pd_say(const struct pd_producer *p, const char *fmt, ...)
{
    if (!p->narrate)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static inline void pd_say_cleanup(const char *name, bool removed,
                                  const char *why)
{
    printf("  %s %s (%s)\n", removed ? "removed" : "kept", name, why);
}

static inline void pd_say_nothing(const char *name, bool removed,
                                  const char *why)
{
    (void)name, (void)removed, (void)why;
}

/*
 * Make (or reuse) BASE/hsperfdata_USER and open it through the checks of
 * pd_open_dir(), owned by our effective uid. Returns the descriptor.
 */
static inline int pd_user_dir(struct pd_producer *p, const char *base,
                              char *why)
{
    char user[256];
    if (pd_user_name(geteuid(), user, sizeof user) == -1) {
        snprintf(why, PD_WHY, "no user name for uid %u", (unsigned)geteuid());
        return -1;
    }
    if (snprintf(p->dir, sizeof p->dir, "%s/%s%s", base, PD_DIR_PREFIX, user) >=
        (int)sizeof p->dir) {
        snprintf(why, PD_WHY, "the directory name is too long");
        return -1;
    }
    bool made = mkdir(p->dir, 0755) == 0;
    if (!made && errno != EEXIST) {
        snprintf(why, PD_WHY, "mkdir: %s", strerror(errno));
        return -1;
    }
    int dfd = pd_open_dir(AT_FDCWD, p->dir, p->dir, geteuid(), why);
    if (dfd == -1)
        return -1;
    struct stat st;
    if (fstat(dfd, &st) == 0)
        pd_say(p,
               "directory %s: %s\n  opened O_DIRECTORY|O_NOFOLLOW; fstat: "
               "a directory, mode %04o, owner %s; lstat: the same inode",
               p->dir,
               made ? "created (mkdir mode 0755, less the umask)"
                    : "already there",
               (unsigned)(st.st_mode & 07777), user);
    return dfd;
}

/*
 * Create the backing file NAME of SIZE bytes in the checked directory DFD.
 * Returns the descriptor, or -1 with the reason; *MINE tells whether the
 * file is ours to remove after a failure (it is not when another process
 * holds the lock on it).
 */
/* [create] */
static inline int pd_create_file(struct pd_producer *p, int dfd,
                                 const char *name, size_t size, bool *mine,
                                 char *why)
{
    *mine = false;
    /* No O_TRUNC: the file may belong to a live producer in another
     * container; it is truncated only once the lock says it is ours. */
    int fd = pd_open_file(dfd, name, O_RDWR | O_CREAT, 0600, why);
    if (fd == -1)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
        snprintf(why, PD_WHY, "is locked by another process (%s)",
                 errno == EWOULDBLOCK ? "EWOULDBLOCK" : strerror(errno));
        close(fd);
        return -1;
    }
    *mine = true;
    pd_say(p,
           "file %s: openat(dirfd, \"%s\", O_RDWR|O_CREAT|O_NOFOLLOW, 0600); "
           "fstat: regular, 1 link\n  flock(LOCK_EX|LOCK_NB): the file is ours",
           name, name);
    if (ftruncate(fd, 0) == -1 || ftruncate(fd, (off_t)size) == -1) {
        snprintf(why, PD_WHY, "ftruncate: %s", strerror(errno));
        close(fd);
        return -1;
    }
    /* ftruncate() only sets the size: the blocks come when a page is first
     * written, and through a mapping a missing block is SIGBUS. Write one
     * byte into every page now, so that a full filesystem is ENOSPC here.
     * A byte reserves only the block that holds it: the whole page where a
     * block is at least a page (tmpfs; ext4 and xfs with 4 KiB blocks on
     * 4 KiB pages). With smaller blocks the page keeps blocks missing, and
     * a store anywhere in it can still be SIGBUS (the README, "A full
     * /tmp"). */
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t off = 0; off < size; off += ps) {
        if (pwrite(fd, "", 1, (off_t)off) != 1) {
            snprintf(why, PD_WHY, "pwrite of one byte at page %zu: %s",
                     off / ps, strerror(errno));
            close(fd);
            return -1;
        }
    }
    pd_say(p,
           "  ftruncate to %zu bytes, pwrite one byte into each of its %zu "
           "pages: a block in each page",
           size, size / ps);
    return fd;
}
/* [create] */

/* Write the prologue of an empty region (the rest is already zero). */
static inline void pd_init_prologue(unsigned char *b)
{
    unsigned order = pd_host_order();
    memcpy(b + PD_P_MAGIC, "\xca\xfe\xc0\xc0", 4);
    b[PD_P_BYTE_ORDER] = (unsigned char)order;
    b[PD_P_MAJOR] = PD_MAJOR;
    b[PD_P_MINOR] = PD_MINOR;
    b[PD_P_ACCESSIBLE] = 0;
    pd_put32(b + PD_P_USED, PD_PROLOGUE_SIZE, order);
    pd_put32(b + PD_P_ENTRY_OFFSET, PD_PROLOGUE_SIZE, order);
    pd_put32(b + PD_P_NUM_ENTRIES, 0, order);
}

/*
 * Create the region of SIZE bytes (a multiple of the page size) for process
 * PID under BASE. SHARED false is -XX:+PerfDisableSharedMem: ordinary memory
 * from the start. Never fails: without a shared file it warns on stderr and
 * uses ordinary memory. Exits only if even that cannot be had.
 */
static inline void pd_create(struct pd_producer *p, const char *base, pid_t pid,
                             size_t size, bool shared)
{
    p->base = NULL;
    p->size = size;
    p->shared = false;
    p->dirfd = -1;
    p->spill = NULL;
    p->start_ns = pd_now_ns();
    p->dir[0] = '\0';
    snprintf(p->name, sizeof p->name, "%d", (int)pid);
    if (shared) {
        char why[PD_WHY] = "";
        bool mine = false;
        int fd = -1;
        const char *what = "perfdata"; /* what the warning is about */
        p->dirfd = pd_user_dir(p, base, why);
        if (p->dirfd != -1) {
            pd_say(p, "cleanup of stale files in %s:", p->dir);
            if (pd_cleanup(p->dirfd, pid,
                           p->narrate ? pd_say_cleanup : pd_say_nothing) == 0)
                pd_say(p, "  nothing to clean");
            fd = pd_create_file(p, p->dirfd, p->name, size, &mine, why);
            what = "file";
        } else if (p->dir[0] != '\0') {
            what = "dir";
        }
        if (fd != -1) {
            void *m =
                mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m == MAP_FAILED)
                snprintf(why, PD_WHY, "mmap: %s", strerror(errno));
            else
                p->base = m;
            close(fd); /* the mapping keeps the file, and its lock */
        }
        if (p->base != NULL) {
            p->shared = true;
        } else {
            if (mine)
                unlinkat(p->dirfd, p->name, 0);
            if (p->dirfd != -1)
                close(p->dirfd);
            p->dirfd = -1;
            fprintf(stderr,
                    "%s: warning: %s%s%s%s%s; using ordinary memory: no "
                    "monitor can see this process\n",
                    program_invocation_short_name, what[0] != 'p' ? p->dir : "",
                    what[0] == 'f' ? "/" : "", what[0] == 'f' ? p->name : "",
                    what[0] != 'p' ? ": " : "", why);
        }
    }
    if (p->base == NULL) {
        void *m = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "%s: mmap anonymous: %s\n",
                    program_invocation_short_name, strerror(errno));
            exit(1);
        }
        p->base = m;
    }
    pd_init_prologue(p->base);
    pd_say(p, "region: %zu bytes of %s", size,
           p->shared
               ? "the shared file, mapped PROT_READ|PROT_WRITE, MAP_SHARED"
               : "ordinary memory (MAP_PRIVATE|MAP_ANONYMOUS)");
}

static inline size_t pd_align(size_t n, size_t a)
{
    return (n + a - 1) / a * a;
}

/*
 * Append an entry with DATASIZE bytes of data, the first INIT_LEN of them
 * copied from INIT (the rest stay zero), and return where the data is.
 * When it does not fit, the region's overflow grows by its length and the
 * data goes to private memory instead (the program still works; monitors
 * do not see that counter), which is what HotSpot does.
 */
/* [append] */
static inline void *pd_add(struct pd_producer *p, const char *name, char type,
                           unsigned units, unsigned variability,
                           uint32_t vector_length, size_t datasize,
                           const void *init, size_t init_len)
{
    unsigned char *b = p->base;
    unsigned order = pd_host_order();
    size_t name_len = strlen(name) + 1;
    size_t data_off = pd_align(PD_ENTRY_HEADER + name_len, type == 'J' ? 8 : 1);
    size_t len = pd_align(data_off + datasize, 8);
    uint32_t used = pd_get32(b + PD_P_USED, order);
    if (len > p->size - used) {
        pd_put32(b + PD_P_OVERFLOW,
                 pd_get32(b + PD_P_OVERFLOW, order) + (uint32_t)len, order);
        struct pd_spill *s = calloc(1, sizeof *s + pd_align(datasize, 8));
        if (s == NULL) {
            fprintf(stderr, "%s: calloc: %s\n", program_invocation_short_name,
                    strerror(errno));
            exit(1);
        }
        s->next = p->spill;
        p->spill = s;
        memcpy(s->data, init, init_len);
        return s->data;
    }
    unsigned char *e = b + used;
    pd_put32(b + PD_P_USED, used + (uint32_t)len, order); /* reserve */
    pd_put32(e + PD_E_LENGTH, (uint32_t)len, order);
    pd_put32(e + PD_E_NAME_OFFSET, PD_ENTRY_HEADER, order);
    pd_put32(e + PD_E_VECTOR_LENGTH, vector_length, order);
    e[PD_E_DATA_TYPE] = (unsigned char)type;
    e[PD_E_FLAGS] = PD_FLAG_SUPPORTED;
    e[PD_E_UNITS] = (unsigned char)units;
    e[PD_E_VARIABILITY] = (unsigned char)variability;
    pd_put32(e + PD_E_DATA_OFFSET, (uint32_t)data_off, order);
    memcpy(e + PD_ENTRY_HEADER, name, name_len);
    memcpy(e + data_off, init, init_len); /* the rest is free space: zero */
    pd_put64(b + PD_P_MOD_TIME, pd_now_ns() - p->start_ns, order);
    /* Publish: a reader that sees the new count sees the whole entry. */
    uint32_t *count = (uint32_t *)(void *)(b + PD_P_NUM_ENTRIES);
    __atomic_store_n(count, *count + 1, __ATOMIC_RELEASE);
    return e + data_off;
}
/* [append] */

/* A 64-bit counter; the pointer is where to update it (pd_set_long()). */
static inline int64_t *pd_add_long(struct pd_producer *p, const char *name,
                                   unsigned units, unsigned variability,
                                   int64_t value)
{
    return pd_add(p, name, 'J', units, variability, 0, 8, &value, 8);
}

/* One aligned 8-byte store: a reader never sees half of it. */
static inline void pd_set_long(int64_t *slot, int64_t value)
{
    __atomic_store_n(slot, value, __ATOMIC_RELAXED);
}

/* A string of at most CAPACITY - 1 bytes (units String). */
static inline char *pd_add_string(struct pd_producer *p, const char *name,
                                  unsigned variability, uint32_t capacity,
                                  const char *value)
{
    /* At most CAPACITY - 1 bytes: the rest, a NUL at least, stays zero. */
    size_t n = strnlen(value, capacity - 1);
    return pd_add(p, name, 'B', PD_STRING, variability, capacity, capacity,
                  value, n);
}

/* Replace a variable string (a reader may see a mix of old and new bytes:
 * strings are not updated atomically, in HotSpot either). */
static inline void pd_set_string(char *slot, uint32_t capacity,
                                 const char *value)
{
    size_t n = strlen(value);
    if (n >= capacity)
        n = capacity - 1;
    memcpy(slot, value, n);
    memset(slot + n, 0, capacity - n);
}

/* Initialisation is over: readers may now use the region. */
static inline void pd_set_accessible(struct pd_producer *p)
{
    __atomic_store_n(p->base + PD_P_ACCESSIBLE, 1, __ATOMIC_RELEASE);
}

/* Write the region to PATH (the PerfDataSaveToFile idea). Returns 0 or -1. */
static inline int pd_save(const struct pd_producer *p, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd == -1)
        return -1;
    for (size_t done = 0; done < p->size;) {
        ssize_t n = write(fd, p->base + done, p->size - done);
        if (n == -1) {
            int err = errno;
            close(fd);
            errno = err;
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

/* The end: remove the backing file, unmap, free what overflowed. */
static inline void pd_destroy(struct pd_producer *p)
{
    if (p->shared) {
        if (unlinkat(p->dirfd, p->name, 0) == -1)
            fprintf(stderr, "%s: warning: unlink %s/%s: %s\n",
                    program_invocation_short_name, p->dir, p->name,
                    strerror(errno));
        else
            pd_say(p, "removed %s/%s", p->dir, p->name);
        close(p->dirfd);
    }
    munmap(p->base, p->size);
    while (p->spill != NULL) {
        struct pd_spill *next = p->spill->next;
        free(p->spill);
        p->spill = next;
    }
}

#endif
