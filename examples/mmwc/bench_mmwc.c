/*
 * bench_mmwc.c: mmwc against wc -l, grep -c -F and rg -c -F, run by
 * `make bench EX=mmwc` (bench.sh).
 *
 *   bench_mmwc [-n RUNS] MMWC DIR
 *
 * Writes into DIR text files of 1 MB, 100 MB and 500 MB and a directory
 * of 10,000 small files (0 to 8 KiB), all lines of words from a fixed list
 * drawn by a seeded generator, one line in a hundred holding "ERROR". Then
 * it runs each command RUNS times, interleaved (one run of each command,
 * then the next round), with its output to a pipe: the counts of every
 * command on a workload must agree, or the bench stops. It prints the
 * median wall-clock time, the median CPU time (user + system, from
 * wait4) and the minor faults of one run, and the ratio of each rival's
 * median wall time to mmwc's (above 1: mmwc is faster).
 *
 * Before them, in this process: the counting loops alone over the 100 MB
 * file in memory (RUNS times), and every way to read the 500 MB file
 * (read(2), and a mapping with each advice; min(RUNS, 3) times each).
 *
 * The 500 MB file is timed twice: first as its writer left it in the page
 * cache, then after it was dropped from the cache (sync(2), then
 * POSIX_FADV_DONTNEED) and read once with read(2), as a file that was read
 * before is cached. The other files are read once the same way first.
 */
#include "count.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD  12
#define MAXRUNS 64

static long runs = 7;
static long ways_runs = 3; /* the in-process tables of the ways to map */
static const char *mmwc;

/* ---- the data ---------------------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const words[] = {
    "the",     "page",    "cache",  "maps",    "a",     "file",    "into",
    "memory",  "fault",   "around", "kernel",  "reads", "ahead",   "of",
    "process", "and",     "writes", "back",    "dirty", "pages",   "to",
    "disk",    "when",    "it",     "needs",   "room",  "for",     "more",
    "data",    "mapping", "is",     "lazy",    "until", "touched", "by",
    "load",    "or",      "store",  "segment", "folio", "table",   "entry",
    "walk",    "hit",     "miss",   "tlb",     "flush", "huge",    "sequential",
    "random"};

/* One line into out (room for 256 bytes); return its length. */
static size_t line(char *out)
{
    size_t n = 0;
    if (next() % 100 == 0) {
        memcpy(out, "ERROR ", 6);
        n = 6;
    }
    for (uint64_t w = next() % 15; w > 0; w--) {
        const char *s = words[next() % (sizeof words / sizeof words[0])];
        size_t k = strlen(s);
        memcpy(out + n, s, k);
        n += k;
        out[n++] = ' ';
    }
    out[n++] = '\n';
    return n;
}

/* Write a file of whole lines, `size` bytes at most, in 1 MiB writes. */
static void make_file(const char *path, size_t size)
{
    static char block[(1 << 20) + 256];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);
    size_t done = 0, used = 0;
    for (;;) {
        char l[256];
        size_t k = line(l);
        if (done + used + k > size || used + k > sizeof block - 256) {
            if (write(fd, block, used) != (ssize_t)used)
                wb_die("write '%s'", path);
            done += used;
            used = 0;
            if (done + k > size)
                break;
        }
        memcpy(block + used, l, k);
        used += k;
    }
    if (close(fd) == -1)
        wb_die("close '%s'", path);
}

/* Drop a file from the page cache (its pages are clean: sync(2) ran
 * first), then read it once with read(2). */
static void recache(const char *path)
{
    static char b[1 << 20];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open '%s'", path);
    int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (err != 0) {
        errno = err;
        wb_die("posix_fadvise '%s'", path);
    }
    ssize_t k;
    while ((k = read(fd, b, sizeof b)) > 0)
        ;
    if (k == -1)
        wb_die("read '%s'", path);
    close(fd);
}

/* ---- running commands -------------------------------------------------- */

struct cmd {
    const char *label;
    char *argv[16];
    int argc;
    char **files; /* appended after argv (the small files), or NULL */
    size_t nfiles;
    double wall[MAXRUNS], cpu[MAXRUNS];
    long minflt;
    unsigned long long result;
};

/* The count a command printed: the `N total` line if there is one, else
 * the sum over lines of the number after the last ':' (grep, rg with
 * several files) or at the start of the line (wc, mmwc). */
static unsigned long long parse_count(char *out)
{
    unsigned long long sum = 0;
    for (char *l = strtok(out, "\n"); l != NULL; l = strtok(NULL, "\n")) {
        size_t n = strlen(l);
        if (n > 6 && strcmp(l + n - 6, " total") == 0)
            return strtoull(l, NULL, 10);
        const char *colon = strrchr(l, ':');
        sum += strtoull(colon != NULL ? colon + 1 : l, NULL, 10);
    }
    return sum;
}

static void run_once(struct cmd *c, int round)
{
    char *argv[16 + 10001 + 1];
    int k = 0;
    for (; k < c->argc; k++)
        argv[k] = c->argv[k];
    for (size_t i = 0; i < c->nfiles; i++)
        argv[k++] = c->files[i];
    argv[k] = NULL;

    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) == -1)
        wb_die("pipe2");
    double t0 = wb_now_us();
    pid_t pid = fork();
    if (pid == -1)
        wb_die("fork");
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    ssize_t got;
    if (out == NULL)
        wb_die("malloc");
    while ((got = read(pfd[0], out + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (len + 1 == cap) {
            char *bigger = realloc(out, cap *= 2);
            if (bigger == NULL)
                wb_die("realloc");
            out = bigger;
        }
    }
    out[len] = '\0';
    close(pfd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) == -1)
        wb_die("wait4");
    double t1 = wb_now_us();
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
        wb_fatal("%s: exit status %d (%s)", c->label,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, argv[0]);
    c->wall[round] = (t1 - t0) / 1000;
    c->cpu[round] = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    c->minflt = ru.ru_minflt;
    c->result = parse_count(out);
    free(out);
}

static double median(double *v, long n)
{
    double s[MAXRUNS];
    memcpy(s, v, sizeof(double) * (size_t)n);
    wb_sort_doubles(s, (size_t)n);
    return s[n / 2];
}

/* Run every command `n` times, interleaved, check the counts agree, and
 * print a table: the first command is the one the ratios divide by. */
static void table(const char *title, struct cmd *c, int ncmd, long n)
{
    for (int r = 0; r < n; r++)
        for (int i = 0; i < ncmd; i++)
            run_once(&c[i], r);
    printf("\n%s (%ld runs each)\n", title, n);
    printf("  %-24s %10s %9s %8s %7s %6s %6s\n", "command", "count", "wall ms",
           "cpu ms", "minflt", "wall x", "cpu x");
    double bw = median(c[0].wall, n), bc = median(c[0].cpu, n);
    for (int i = 0; i < ncmd; i++) {
        double w = median(c[i].wall, n), u = median(c[i].cpu, n);
        printf("  %-24s %10llu %9.1f %8.1f %7ld %6.2f %6.2f\n", c[i].label,
               c[i].result, w, u, c[i].minflt, w / bw, bc > 0 ? u / bc : 0);
    }
    for (int i = 1; i < ncmd; i++)
        if (c[i].result != c[0].result)
            wb_fatal("%s counted %llu, %s %llu", c[i].label, c[i].result,
                     c[0].label, c[0].result);
    fflush(stdout);
}

/* A command from a label and its words (NULL-terminated). */
static struct cmd mk(const char *label, ...)
{
    struct cmd c = {.label = label};
    va_list ap;
    va_start(ap, label);
    for (char *w; (w = va_arg(ap, char *)) != NULL;)
        c.argv[c.argc++] = w;
    va_end(ap);
    return c;
}

/* ---- in-process tables: the loops, and the ways to map ------------------ */

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The loop of the chapter 13 solution before this example: memchr(3) for
 * each newline. */
static size_t count_memchr(const unsigned char *p, size_t n)
{
    size_t lines = 0;
    const unsigned char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

/* The counting loops over a file already in this process's memory: only
 * the loop is timed. */
static void loops_table(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1)
        wb_die("open '%s'", path);
    size_t n = (size_t)st.st_size;
    unsigned char *p = malloc(n);
    if (p == NULL)
        wb_die("malloc");
    for (size_t got = 0; got < n;) {
        ssize_t k = read(fd, p + got, n - got);
        if (k <= 0)
            wb_die("read '%s'", path);
        got += (size_t)k;
    }
    close(fd);
    static const char *const names[] = {"memchr per line", "portable", "sse2",
                                        "avx2"};
    static const enum mmwc_simd simd[] = {MMWC_PORTABLE, MMWC_PORTABLE,
                                          MMWC_SSE2, MMWC_AVX2};
    double t[2][4][MAXRUNS];
    size_t res[2][4];
    for (long r = 0; r < runs; r++)
        for (int w = 0; w < 4; w++) {
            if (!mmwc_simd_usable(simd[w]))
                continue;
            mmwc_simd_use(simd[w]);
            double a = cpu_ms();
            res[0][w] =
                w == 0 ? count_memchr(p, n) : mmwc_count_byte(p, n, '\n');
            double b = cpu_ms();
            t[0][w][r] = b - a;
            if (w == 0)
                continue; /* -F: the portable search, timed on its row */
            struct mmwc_grep g = {.pat = (const unsigned char *)"ERROR",
                                  .len = 5};
            res[1][w] = mmwc_grep_count(&g, p, n);
            t[1][w][r] = cpu_ms() - b;
        }
    printf("\nthe loops alone, over %s in memory (%zu bytes; cpu ms, median "
           "of %ld)\n",
           path, n, runs);
    printf("  %-18s %10s %9s %8s   %10s %9s %8s\n", "loop", "newlines",
           "cpu ms", "GB/s", "ERROR", "cpu ms", "GB/s");
    for (int w = 0; w < 4; w++) {
        if (!mmwc_simd_usable(simd[w])) {
            printf("  %-18s (this CPU does not run it)\n", names[w]);
            continue;
        }
        double a = median(t[0][w], runs);
        printf("  %-18s %10zu %9.2f %8.2f", names[w], res[0][w], a,
               (double)n / a / 1e6);
        if (w == 0) { /* the same -F search as the portable row's */
            printf("   (-F: the portable search, below)\n");
            continue;
        }
        double b = median(t[1][w], runs);
        printf("   %10zu %9.2f %8.2f\n", res[1][w], b, (double)n / b / 1e6);
    }
    mmwc_simd_use(mmwc_simd_best());
    free(p);
}

enum { READ_BUF, PLAIN, SEQ, WILLNEED, HUGE, POPULATE, POPULATE_READ, WAYS };
static const char *const way_names[WAYS] = {
    "read(2), 128 KiB",    "mmap",
    "mmap + SEQUENTIAL",   "mmap + WILLNEED",
    "mmap + HUGEPAGE",     "mmap + MAP_POPULATE",
    "mmap + POPULATE_READ"};

/* Count the newlines of path one way; -1 when this kernel refuses it,
 * with madvise's errno in *err. */
static long long count_way(const char *path, int way, int *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1)
        wb_die("open '%s'", path);
    size_t n = (size_t)st.st_size, lines = 0;
    if (way == READ_BUF) {
        static unsigned char b[128 * 1024];
        ssize_t k;
        while ((k = read(fd, b, sizeof b)) > 0)
            lines += mmwc_count_byte(b, (size_t)k, '\n');
        if (k == -1)
            wb_die("read '%s'", path);
        close(fd);
        return (long long)lines;
    }
    int flags = MAP_PRIVATE | (way == POPULATE ? MAP_POPULATE : 0);
    unsigned char *p = mmap(NULL, n, PROT_READ, flags, fd, 0);
    if (p == MAP_FAILED)
        wb_die("mmap '%s'", path);
    static const int advice[WAYS] = {[SEQ] = MADV_SEQUENTIAL,
                                     [WILLNEED] = MADV_WILLNEED,
                                     [HUGE] = MADV_HUGEPAGE,
                                     [POPULATE_READ] = MADV_POPULATE_READ};
    int rc = 0;
    if (advice[way] != 0 && (rc = madvise(p, n, advice[way])) != 0)
        *err = errno;
    if (rc == 0)
        lines = mmwc_count_byte(p, n, '\n');
    if (munmap(p, n) == -1)
        wb_die("munmap");
    close(fd);
    return rc == 0 ? (long long)lines : -1;
}

static long minflt_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* Every way to get a file's bytes to the loop, in this process,
 * interleaved. */
static void ways_table(const char *path, const char *state)
{
    double wall[WAYS][MAXRUNS], cpu[WAYS][MAXRUNS];
    long long res[WAYS] = {0};
    long flt[WAYS] = {0};
    int err[WAYS] = {0};
    for (long r = 0; r < ways_runs; r++)
        for (int w = 0; w < WAYS; w++) {
            long f = minflt_now();
            double a = wb_now_us(), c = cpu_ms();
            res[w] = count_way(path, w, &err[w]);
            cpu[w][r] = cpu_ms() - c;
            wall[w][r] = (wb_now_us() - a) / 1000;
            flt[w] += minflt_now() - f;
        }
    printf("\n%s, %s: the ways to read it, in one process (%s loop; "
           "median of %ld)\n",
           path, state, mmwc_simd_name(mmwc_simd_current()), ways_runs);
    printf("  %-24s %10s %9s %8s %7s %6s\n", "way", "newlines", "wall ms",
           "cpu ms", "minflt", "cpu x");
    double base = median(cpu[READ_BUF], ways_runs);
    for (int w = 0; w < WAYS; w++) {
        if (res[w] < 0) {
            printf("  %-24s (madvise refused it: %s)\n", way_names[w],
                   strerror(err[w]));
            continue;
        }
        double u = median(cpu[w], ways_runs);
        printf("  %-24s %10lld %9.1f %8.1f %7ld %6.2f\n", way_names[w], res[w],
               median(wall[w], ways_runs), u, flt[w] / ways_runs, u / base);
    }
    fflush(stdout);
}

/* ---- main -------------------------------------------------------------- */

/* The lines tables and the matches tables of one workload: FILES are the
 * operands (one file, or the small ones). */
static void workload(const char *what, char **files, size_t nfiles)
{
    char title[256];
    struct cmd c[MAXCMD];
    int n = 0;
    c[n++] = mk("mmwc", mmwc, (char *)NULL);
    c[n++] = mk("mmwc -m", mmwc, "-m", (char *)NULL);
    if (nfiles == 1)
        c[n++] = mk("mmwc -m -j 2", mmwc, "-m", "-j", "2", (char *)NULL);
    c[n++] = mk("wc -l", "wc", "-l", (char *)NULL);
    for (int i = 0; i < n; i++)
        c[i].files = files, c[i].nfiles = nfiles;
    snprintf(title, sizeof title, "%s: lines (wc -l)", what);
    table(title, c, n, runs);

    n = 0;
    c[n++] = mk("mmwc -F ERROR", mmwc, "-F", "ERROR", (char *)NULL);
    if (nfiles == 1) /* the lines table shows what -m costs small files */
        c[n++] =
            mk("mmwc -m -F ERROR", mmwc, "-m", "-F", "ERROR", (char *)NULL);
    c[n++] = mk("grep -c -F ERROR", "grep", "-c", "-F", "ERROR", (char *)NULL);
    c[n++] = mk("rg -c -F ERROR", "rg", "-c", "-F", "ERROR", (char *)NULL);
    if (nfiles > 1)
        c[n++] = mk("rg -j 1 -c -F ERROR", "rg", "-j", "1", "-c", "-F", "ERROR",
                    (char *)NULL);
    for (int i = 0; i < n; i++)
        c[i].files = files, c[i].nfiles = nfiles;
    snprintf(title, sizeof title, "%s: lines that contain ERROR (grep -c -F)",
             what);
    table(title, c, n, runs);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-n RUNS] MMWC DIR");
    int opt;
    while ((opt = getopt(argc, argv, "hn:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'n':
            runs = wb_long_arg(optarg, "-n", 1, MAXRUNS);
            ways_runs = runs < 3 ? runs : 3;
            break;
        default: wb_usage("unknown option");
        }
    }
    if (argc - optind != 2)
        wb_usage("expected MMWC and DIR");
    if ((mmwc = realpath(argv[optind], (char *)NULL)) == NULL)
        wb_die("realpath '%s'", argv[optind]);
    if (chdir(argv[optind + 1]) == -1)
        wb_die("chdir '%s'", argv[optind + 1]);
    setenv("LC_ALL", "C", 1); /* grep: bytes, not characters */

    struct utsname u;
    uname(&u);
    double load[3];
    getloadavg(load, 3);
    printf("mmwc against GNU wc -l, grep -c -F and ripgrep's rg -c -F\n");
    printf("machine: Linux %s, %ld CPUs, load average %.2f at the start; "
           "files in %s\n",
           u.release, sysconf(_SC_NPROCESSORS_ONLN), load[0], argv[optind + 1]);
    printf("times: median of %ld runs, interleaved; wall x and cpu x: the "
           "row's median over the first row's (above 1: the first row is "
           "faster)\n",
           runs);
    fflush(stdout);

    static const struct {
        const char *name;
        size_t size;
    } big[] = {{"1mb.txt", 1000000},
               {"100mb.txt", 100000000},
               {"500mb.txt", 500000000}};
    for (size_t i = 0; i < 3; i++)
        make_file(big[i].name, big[i].size);
    if (mkdir("small", 0755) == -1 && errno != EEXIST)
        wb_die("mkdir 'small'");
    static char *smalls[10000];
    for (int i = 0; i < 10000; i++) {
        char path[32];
        snprintf(path, sizeof path, "small/%05d.txt", i);
        make_file(path, next() % 8192);
        if ((smalls[i] = strdup(path)) == NULL)
            wb_die("strdup");
    }

    mmwc_simd_use(mmwc_simd_best());
    loops_table("100mb.txt");
    ways_table("500mb.txt", "cached as its writer left it");
    char *f500[] = {"500mb.txt"};
    struct cmd c[3] = {mk("mmwc", mmwc, (char *)NULL),
                       mk("mmwc -m", mmwc, "-m", (char *)NULL),
                       mk("wc -l", "wc", "-l", (char *)NULL)};
    for (int i = 0; i < 3; i++)
        c[i].files = f500, c[i].nfiles = 1;
    table("500mb.txt, cached as its writer left it: lines (wc -l)", c, 3, runs);

    sync();
    for (size_t i = 0; i < 3; i++)
        recache(big[i].name);
    for (int i = 0; i < 10000; i++)
        recache(smalls[i]);
    ways_table("500mb.txt", "cached by a read");
    for (size_t i = 0; i < 3; i++) {
        char *one[] = {(char *)big[i].name};
        char what[64];
        snprintf(what, sizeof what, "%s, cached by a read", big[i].name);
        workload(what, one, 1);
    }
    workload("10,000 small files (0-8 KiB)", smalls, 10000);

    getloadavg(load, 3);
    printf("\nload average %.2f at the end\n", load[0]);
    for (int i = 0; i < 10000; i++)
        free(smalls[i]);
    return 0;
}
