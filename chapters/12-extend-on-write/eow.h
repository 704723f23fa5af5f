/*
 * eow.h: extend-on-write, the AIX shmat(SHM_MAP) behaviour built on Linux.
 *
 * Shared by the chapter's SIGSEGV demos (grow_on_fault, not_ours, chunks,
 * two_threads). One region per process, because a signal handler is per
 * process:
 *
 *   eow_open(fd, max, chunk)  reserves max bytes plus one guard page with
 *       PROT_NONE, lays the file over the first max bytes (MAP_SHARED,
 *       still PROT_NONE, MAP_FIXED), opens the pages the file already has,
 *       and installs the SIGSEGV handler.
 *   the handler               turns a fault in the reservation into a longer
 *       file: ftruncate() to the end of the faulting chunk, mprotect() the
 *       new part read-write, return; the faulting instruction runs again and
 *       now succeeds. Any other fault is not ours: it restores SIG_DFL and
 *       returns, so the instruction faults again and the process dies of
 *       SIGSEGV as it would have without us.
 *   eow_close(length)         puts the old SIGSEGV action back, unmaps, and
 *       trims the file to LENGTH, the high-water mark the program knows.
 *
 * The invariant: [base, base + open) is read-write and the file is exactly
 * open bytes long (a whole number of chunks), so no access ever reaches a
 * page past the end of the file (that would be SIGBUS, chapter 05).
 */
#ifndef EOW_H
#define EOW_H

#include "wb.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Memcheck marks PROT_NONE pages unaddressable and would report the first
 * access to every page, before the fault that our handler turns into a
 * longer file. Declaring the reservation defined tells it the faults are
 * the design. (Valgrind must also run with --px-default=allregs-at-mem-access
 * for a handler that returns: see the README.) */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) 0
#endif

static struct {
    char *base;           /* the reservation: max bytes of file + a guard */
    size_t max;           /* the most the file may grow to (whole pages) */
    size_t chunk;         /* bytes opened per fault (whole pages) */
    size_t ps;            /* the page size, read once outside the handler */
    int fd;               /* the file, open O_RDWR */
    size_t open;          /* bytes read-write = file size; under lock */
    atomic_flag lock;     /* one handler at a time grows the file */
    atomic_long grown;    /* faults that grew the file */
    atomic_long spurious; /* faults that found their page already open */
    int narrate;          /* >= 0: the handler writes a line per fault here */
    struct sigaction old; /* the SIGSEGV action before ours */
} eow = {.lock = ATOMIC_FLAG_INIT, .narrate = -1};

/* Per thread: the handler runs on the thread that faulted. */
static _Thread_local long eow_my_grown, eow_my_spurious;
static _Thread_local char *eow_my_last_spurious;

/* Async-signal-safe output: build the line by hand, one write(2). */
static inline size_t eow_put(char *buf, size_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + at, s, n);
    return at + n;
}

static inline size_t eow_put_num(char *buf, size_t at, size_t v)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        buf[at++] = digits[--n];
    return at;
}

static inline void eow_say(const char *code, const char *where, size_t off,
                           const char *verdict, size_t grown_to)
{
    if (eow.narrate < 0)
        return;
    char line[200];
    size_t n = eow_put(line, 0, "  handler: ");
    n = eow_put(line, n, code);
    n = eow_put(line, n, where);
    if (off != (size_t)-1)
        n = eow_put_num(line, n, off);
    n = eow_put(line, n, verdict);
    if (grown_to != 0) {
        n = eow_put_num(line, n, grown_to);
        n = eow_put(line, n, " bytes");
    }
    line[n++] = '\n';
    ssize_t w = write(eow.narrate, line, n);
    (void)w; /* nothing sensible to do about a failed report */
}

/* [handler] */
static void eow_on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    int saved_errno = errno; /* the interrupted code may be reading errno */
    char *addr = si->si_addr;
    const char *code = si->si_code == SEGV_ACCERR   ? "SEGV_ACCERR"
                       : si->si_code == SEGV_MAPERR ? "SEGV_MAPERR"
                                                    : "other si_code";
    if (si->si_code == SEGV_ACCERR && addr >= eow.base &&
        addr < eow.base + eow.max) {
        size_t off = (size_t)(addr - eow.base);
        while (
            atomic_flag_test_and_set_explicit(&eow.lock, memory_order_acquire))
            ; /* another thread's handler is growing the file: wait */
        if (off >= eow.open) {
            size_t end = (off / eow.chunk + 1) * eow.chunk;
            if (end > eow.max)
                end = eow.max;
            if (ftruncate(eow.fd, (off_t)end) == 0 &&
                mprotect(eow.base + eow.open, end - eow.open,
                         PROT_READ | PROT_WRITE) == 0) {
                eow.open = end;
                atomic_flag_clear_explicit(&eow.lock, memory_order_release);
                eow_my_grown++;
                atomic_fetch_add(&eow.grown, 1);
                eow_say(code, " at offset ", off, ": ours, the file grows to ",
                        end);
                errno = saved_errno;
                return; /* the faulting instruction runs again: it works */
            }
            atomic_flag_clear_explicit(&eow.lock, memory_order_release);
            eow_say(code, " at offset ", off,
                    ": ours, but the file cannot grow: SIG_DFL", 0);
        } else if (addr != eow_my_last_spurious) {
            /* Another thread opened the page while we waited: retry. */
            atomic_flag_clear_explicit(&eow.lock, memory_order_release);
            eow_my_last_spurious = addr;
            eow_my_spurious++;
            atomic_fetch_add(&eow.spurious, 1);
            errno = saved_errno;
            return;
        } else {
            /* The same address twice though the page is open: a fault an
             * open page cannot cure (executing data, say). Not ours. */
            atomic_flag_clear_explicit(&eow.lock, memory_order_release);
            eow_say(code, " at offset ", off,
                    ", an open page: not ours, SIG_DFL", 0);
        }
    } else if (addr >= eow.base && addr < eow.base + eow.max + eow.ps) {
        eow_say(code, " at offset ", (size_t)(addr - eow.base),
                ", past the file's limit: not ours, SIG_DFL", 0);
    } else {
        eow_say(code, " outside the reservation", (size_t)-1,
                ": not ours, SIG_DFL", 0);
    }
    /* Not ours: the default action, and return. The instruction faults
     * again and the process dies of SIGSEGV, core dump and all. */
    signal(SIGSEGV, SIG_DFL);
    errno = saved_errno;
}
/* [handler] */

/* Reserve MAX bytes (rounded up to pages) plus a guard page, lay the file
 * FD over the first MAX bytes, open the pages the file already covers, and
 * catch SIGSEGV. CHUNK (rounded up to pages, at least one) is how much the
 * handler opens per fault. Returns the base address; exits on failure. */
static inline char *eow_open(int fd, size_t max, size_t chunk)
{
    struct stat st;
    eow.ps = wb_page_size();
    eow.max = wb_round_up(max);
    eow.chunk = chunk < eow.ps ? eow.ps : wb_round_up(chunk);
    eow.fd = fd;
    atomic_store(&eow.grown, 0);
    atomic_store(&eow.spurious, 0);
    eow_my_grown = eow_my_spurious = 0;
    eow_my_last_spurious = NULL;
    if (fstat(fd, &st) == -1)
        wb_die("fstat");
    if ((size_t)st.st_size > eow.max)
        wb_fatal("the file (%lld bytes) is larger than the reservation "
                 "(%zu bytes)",
                 (long long)st.st_size, eow.max);

    /* [reserve] */
    eow.base = mmap(NULL, eow.max + eow.ps, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (eow.base == MAP_FAILED)
        wb_die("mmap the reservation");
    if (mmap(eow.base, eow.max, PROT_NONE, MAP_SHARED | MAP_FIXED, fd, 0) ==
        MAP_FAILED)
        wb_die("mmap the file over the reservation");
    /* [reserve] */
    (void)VALGRIND_MAKE_MEM_DEFINED(eow.base, eow.max);

    /* Grow first, then write: the file becomes whole chunks at once, so
     * even the tail of its last page is file data before anyone stores
     * there (bytes stored past EOF may vanish when the file is extended
     * later: ext4 zeroes them then since Linux 6.13, and at writeback
     * before; chapter 05). */
    size_t have = (size_t)st.st_size;
    size_t end = have == 0 ? 0 : ((have - 1) / eow.chunk + 1) * eow.chunk;
    if (end > eow.max)
        end = eow.max;
    if (end > 0 && (ftruncate(fd, (off_t)end) == -1 ||
                    mprotect(eow.base, end, PROT_READ | PROT_WRITE) == -1))
        wb_die("open the file's first %zu bytes", end);
    eow.open = end;

    /* [sigaction] */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = eow_on_segv;
    sa.sa_flags = SA_SIGINFO; /* three arguments: we need si_addr, si_code */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &eow.old) == -1)
        wb_die("sigaction SIGSEGV");
    /* [sigaction] */
    return eow.base;
}

/* Put the old SIGSEGV action back, unmap, and trim the file to LENGTH. */
static inline void eow_close(size_t length)
{
    if (sigaction(SIGSEGV, &eow.old, NULL) == -1)
        wb_die("sigaction SIGSEGV (restore)");
    if (munmap(eow.base, eow.max + eow.ps) == -1)
        wb_die("munmap the reservation");
    if (ftruncate(eow.fd, (off_t)length) == -1)
        wb_die("trim the file to %zu bytes", length);
}

/* The file's size right now, from the kernel. */
static inline long long eow_file_size(void)
{
    struct stat st;
    if (fstat(eow.fd, &st) == -1)
        wb_die("fstat");
    return (long long)st.st_size;
}

#endif
