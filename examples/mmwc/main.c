/*
 * main.c: mmwc, counting lines (wc -l), bytes (wc -c) or the lines that
 * contain a fixed string (grep -c -F) with vector loops, through read(2)
 * or, with -m, through one mapping of each file.
 *
 *   mmwc [-l | -c | -F STRING] [-m] [-j N] [-v] [FILE...]
 *
 *   -l         count newline bytes, as wc -l (the default)
 *   -c         count bytes, as wc -c: a regular file's size from fstat(2)
 *              (but a size of whole pages has its last page read: below),
 *              anything else read to its end
 *   -F STRING  count the lines that contain STRING, as grep -c -F STRING
 *              (STRING holds no newline; the empty string matches every
 *              line, an unterminated last one included)
 *   -m         map each regular file that has a size (mmap with
 *              MAP_POPULATE) and count in the mapping, stdin too when it
 *              is one; everything else is still read(2): a pipe, a
 *              terminal, an empty file, a /proc file (its size is 0), a
 *              file mmap refuses
 *   -j N       with -m, count each mapped file with up to N threads (1 to
 *              16), one per whole MiB of it: a file under 2 MiB gets one
 *   -v         say on stderr, one line per FILE, the way it was counted:
 *              `mmwc: 'FILE': WAY, LOOPS, N thread(s)`
 *
 * Without -m every file is read(2) in pieces of MMWC_BUF bytes: on the
 * machine this was measured on, that used no more CPU than the mapping
 * for -l at every size; for -F on some files cached by a read the mapping
 * used a little less (README.md, "When the mapping loses").
 *
 * Output: `N FILE` per FILE (just `N` for stdin without operands), and
 * `N total` after them when two or more FILEs were named. A stdin that is
 * a regular file is counted from its offset, as wc counts it, in every
 * way (read(2), -c, -m), and is left where wc leaves it: at its end,
 * but where it was after a -c answered from the size. A FILE that cannot be counted is one line
 * `mmwc: STEP 'FILE': CAUSE` on stderr; the others are still counted, and
 * the exit status is 1. Usage errors exit 2.
 *
 * MMWC_SIMD=avx2|sse2|portable in the environment chooses the counting
 * loops (count.c; unset: the best this CPU runs).
 *
 * Man pages: mmap(2) (MAP_POPULATE), read(2), fstat(2), pthread_create(3),
 * wc(1), grep(1).
 */
#include "count.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* read(2) takes pieces of this many bytes (as coreutils' cat does). */
#define MMWC_BUF ((size_t)128 * 1024)
/* A thread of -j takes at least this many bytes. */
#define MMWC_THREAD_MIN ((size_t)1 << 20)
#define MMWC_MAXJ       16

enum what { LINES, BYTES, MATCHES };

static enum what what = LINES;
static bool map;                 /* -m */
static struct mmwc_grep pattern; /* -F: the string; state is per count */
static long threads = 1;
static bool verbose;
static unsigned char *buf; /* MMWC_BUF + room to keep a partial match */
static int used_threads;   /* the threads that counted the last mapping */

/* ---- counting one buffer ----------------------------------------------- */

/* A range of a mapped file and what was counted in it (one per thread). */
struct range {
    const unsigned char *p;
    size_t n;
    unsigned long long count;
    bool in_line; /* -F '': the range ends inside a line */
};

static void *count_range(void *arg)
{
    struct range *r = arg;
    if (what == LINES) {
        r->count = mmwc_count_byte(r->p, r->n, '\n');
    } else {
        struct mmwc_grep g = pattern;
        r->count = mmwc_grep_count(&g, r->p, r->n);
        r->in_line = g.in_line;
    }
    return NULL;
}

/* ---- a mapped file ----------------------------------------------------- */

/*
 * Split [p, p + len) into up to `threads` ranges; for -F each range but
 * the first starts just after a newline, so that no line is cut in two.
 * Return the number of ranges.
 */
static int split(const unsigned char *p, size_t len, struct range *r)
{
    size_t parts = (size_t)threads;
    if (len / MMWC_THREAD_MIN < parts)
        parts = len / MMWC_THREAD_MIN > 0 ? len / MMWC_THREAD_MIN : 1;
    size_t start = 0;
    int k = 0;
    for (size_t i = 1; i <= parts; i++) {
        size_t end = i == parts ? len : len / parts * i;
        if (what == MATCHES && end < len) {
            const unsigned char *nl = memchr(p + end, '\n', len - end);
            end = nl == NULL ? len : (size_t)(nl + 1 - p);
        }
        if (end <= start)
            continue;
        r[k++] = (struct range){.p = p + start, .n = end - start};
        start = end;
        if (start == len)
            break;
    }
    return k;
}

/* [map] */
/* Count the bytes from offset pos to the end (size > pos) of a regular
 * file through one mapping; -1 if mmap refused it (the caller then reads
 * it), with errno set. */
static int count_mapped(int fd, off_t pos, size_t size,
                        unsigned long long *count)
{
    /* mmap's offset is a whole number of pages: map from the page that
     * holds pos, count from pos. */
    off_t start = pos - pos % (off_t)wb_page_size();
    size_t len = size - (size_t)start;
    unsigned char *base =
        mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, start);
    if (base == MAP_FAILED)
        return -1;
    struct range r[MMWC_MAXJ];
    pthread_t tid[MMWC_MAXJ];
    int n = split(base + (pos - start), size - (size_t)pos, r);
    used_threads = n;
    for (int k = 1; k < n; k++) {
        int err = pthread_create(&tid[k], NULL, count_range, &r[k]);
        if (err != 0) {
            errno = err;
            wb_die("pthread_create");
        }
    }
    count_range(&r[0]);
    *count = r[0].count;
    for (int k = 1; k < n; k++) {
        int err = pthread_join(tid[k], NULL);
        if (err != 0) {
            errno = err;
            wb_die("pthread_join");
        }
        *count += r[k].count;
    }
    if (what == MATCHES && pattern.len == 0 && r[n - 1].in_line)
        ++*count; /* the unterminated last line */
    if (munmap(base, len) == -1)
        wb_die("munmap");
    return 0;
}
/* [map] */

/* ---- a file read in pieces --------------------------------------------- */

/* [read] */
/* Count what read(2) gives until end of file; -1 on a read error. */
static int count_read(int fd, unsigned long long *count)
{
    struct mmwc_grep g = pattern;
    size_t keep = 0; /* bytes kept at buf[0] from the last piece (-F) */
    *count = 0;
    for (;;) {
        ssize_t got = read(fd, buf + keep, MMWC_BUF);
        if (got == -1 && errno == EINTR)
            continue;
        if (got == -1)
            return -1;
        if (got == 0)
            break;
        size_t n = keep + (size_t)got;
        if (what == BYTES) {
            *count += (size_t)got;
        } else if (what == LINES) {
            *count += mmwc_count_byte(buf, n, '\n');
        } else {
            *count += mmwc_grep_count(&g, buf, n);
            keep = mmwc_grep_keep(&g, buf, n);
            memmove(buf, buf + n - keep, keep);
        }
    }
    if (what == MATCHES)
        *count += mmwc_grep_finish(&g);
    return 0;
}
/* [read] */

/* ---- one operand ------------------------------------------------------- */

/* Count FILE ("-": stdin); print its line unless `bare`. Return 0, or -1
 * after reporting why it could not be counted. */
static int count_one(const char *name, bool bare, unsigned long long *count)
{
    bool is_stdin = strcmp(name, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        wb_warn("open '%s'", name);
        return -1;
    }
    int rc = 0;
    struct stat st;
    const char *how = NULL;
    if (fstat(fd, &st) == -1) {
        wb_warn("fstat '%s'", name);
        rc = -1;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        wb_warn("read '%s'", name);
        rc = -1;
        goto out;
    }
    /* A regular file is counted from its offset, as wc does: a stdin
     * redirected from a file may have been read part-way already. */
    off_t pos = 0;
    if (S_ISREG(st.st_mode) && (pos = lseek(fd, 0, SEEK_CUR)) == -1) {
        wb_warn("lseek '%s'", name);
        rc = -1;
        goto out;
    }
    bool sized = S_ISREG(st.st_mode) && st.st_size > pos &&
                 (uintmax_t)st.st_size <= SIZE_MAX;
    off_t page = (off_t)wb_page_size(), skipped = 0;
    if (what == BYTES && sized && st.st_size % page != 0) {
        *count = (unsigned long long)(st.st_size - pos);
        how = "fstat (st_size)";
    } else if (what == BYTES && sized) {
        /* A size of whole pages may be a placeholder (sysfs says 4096 for
         * a few bytes): read the last page, as wc -c does. */
        if (pos < st.st_size - page) {
            if (lseek(fd, st.st_size - page, SEEK_SET) == -1) {
                wb_warn("lseek '%s'", name);
                rc = -1;
                goto out;
            }
            skipped = st.st_size - page - pos;
        }
        how = "read(2) (of the last page: the size is whole pages)";
    } else if (map && sized) {
        if (count_mapped(fd, pos, (size_t)st.st_size, count) == 0) {
            how = "mmap (MAP_POPULATE)";
        } else if (errno == ENODEV || errno == EINVAL || errno == EACCES) {
            how = "read(2) (mmap refused it)";
        } else {
            wb_warn("mmap '%s'", name);
            rc = -1;
            goto out;
        }
    } else if (!map) {
        how = "read(2)";
    } else if (!S_ISREG(st.st_mode)) {
        how = "read(2) (not a regular file)";
    } else if (st.st_size == 0) {
        how = "read(2) (size 0)";
    } else {
        how = "read(2) (nothing after the offset)";
    }
    if (how[0] == 'r') {
        if (count_read(fd, count) == -1) {
            wb_warn("read '%s'", name);
            rc = -1;
            goto out;
        }
        *count += (unsigned long long)skipped;
    }
    /* The mapping leaves a stdin's offset where it was: move it to the end,
     * as reading would (and as wc -l leaves it), so that `{ mmwc -m; cat; }
     * <f` does not read those bytes twice. */
    if (is_stdin && how[0] == 'm' && lseek(fd, 0, SEEK_END) == -1) {
        wb_warn("lseek '%s'", name);
        rc = -1;
        goto out;
    }
    if (verbose) {
        bool mapped = how[0] == 'm';
        fflush(stdout);
        fprintf(stderr, "mmwc: '%s': %s, %s, %d thread%s\n", name, how,
                mmwc_simd_name(mmwc_simd_current()), mapped ? used_threads : 1,
                mapped && used_threads > 1 ? "s" : "");
    }
    if (bare)
        printf("%llu\n", *count);
    else
        printf("%llu %s\n", *count, name);
out:
    if (!is_stdin && close(fd) == -1 && rc == 0) {
        wb_warn("close '%s'", name);
        rc = -1;
    }
    return rc;
}

/* ---- main -------------------------------------------------------------- */

static void choose_simd(void)
{
    const char *s = getenv("MMWC_SIMD");
    enum mmwc_simd want = mmwc_simd_best();
    if (s != NULL && *s != '\0') {
        if (strcmp(s, "avx2") == 0)
            want = MMWC_AVX2;
        else if (strcmp(s, "sse2") == 0)
            want = MMWC_SSE2;
        else if (strcmp(s, "portable") == 0)
            want = MMWC_PORTABLE;
        else
            wb_usage("MMWC_SIMD '%s': expected avx2, sse2 or portable", s);
        if (!mmwc_simd_usable(want))
            wb_usage("MMWC_SIMD '%s': this CPU does not run it", s);
    }
    mmwc_simd_use(want);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-l | -c | -F STRING] [-m] [-j N] [-v] [FILE...]");
    int opt, modes = 0;
    while ((opt = getopt(argc, argv, ":hlcF:mj:v")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'l': what = LINES, modes++; break;
        case 'c': what = BYTES, modes++; break;
        case 'F':
            what = MATCHES, modes++;
            pattern.pat = (const unsigned char *)optarg;
            pattern.len = strlen(optarg);
            if (memchr(optarg, '\n', pattern.len) != NULL)
                wb_usage("-F: the string must not contain a newline");
            break;
        case 'j': threads = wb_long_arg(optarg, "-j", 1, MMWC_MAXJ); break;
        case 'm': map = true; break;
        case 'v': verbose = true; break;
        case ':': wb_usage("-%c needs an argument", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (modes > 1)
        wb_usage("-l, -c and -F exclude each other");
    if (threads > 1 && !map)
        wb_usage("-j needs -m: only a mapping is counted by threads");
    choose_simd();
    buf = malloc(MMWC_BUF + pattern.len);
    if (buf == NULL)
        wb_die("malloc");

    int status = 0, files = argc - optind;
    unsigned long long total = 0, n;
    if (files == 0)
        status |= count_one("-", true, &n) == 0 ? 0 : 1;
    for (int i = optind; i < argc; i++) {
        if (count_one(argv[i], false, &n) == 0)
            total += n;
        else
            status = 1;
    }
    if (files > 1)
        printf("%llu total\n", total);
    free(buf);
    if (fflush(stdout) == EOF || ferror(stdout)) {
        wb_warn("write");
        return 1;
    }
    return status;
}
