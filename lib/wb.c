/*
 * wb.c: the workbook's helper library (see wb.h for what each function does).
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WB_HAVE_VALGRIND_H 1
#endif
#endif

static const char *usage_args = "";

static void vreport(const char *fmt, va_list ap, int err)
{
    fflush(stdout);
    fprintf(stderr, "%s: ", program_invocation_short_name);
    vfprintf(stderr, fmt, ap);
    if (err)
        fprintf(stderr, ": %s", strerror(err));
    fputc('\n', stderr);
}

void wb_die(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, err);
    va_end(ap);
    exit(WB_EXIT_FAIL);
}

void wb_warn(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, err);
    va_end(ap);
}

void wb_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap, 0);
    va_end(ap);
    exit(WB_EXIT_FAIL);
}

void wb_set_usage(const char *args)
{
    usage_args = args;
}

void wb_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "%s: ", program_invocation_short_name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (usage: %s %s)\n", program_invocation_short_name,
            usage_args);
    exit(WB_EXIT_USAGE);
}

void wb_help(void)
{
    printf("usage: %s %s\n", program_invocation_short_name, usage_args);
    exit(0);
}

int wb_simple_args(int argc, char *argv[])
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return i + 1;
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            wb_help();
        wb_usage("unknown option '%s'", a);
    }
    return i;
}

size_t wb_page_size(void)
{
    static size_t ps;
    if (ps == 0) {
        long v = sysconf(_SC_PAGESIZE);
        if (v <= 0)
            wb_die("sysconf(_SC_PAGESIZE)");
        ps = (size_t)v;
    }
    return ps;
}

size_t wb_round_up(size_t n)
{
    size_t ps = wb_page_size();
    return (n + ps - 1) / ps * ps;
}

int wb_parse_size(const char *s, size_t *out, const char **why)
{
    const char *p = s;
    unsigned long long v = 0;

    if (*p == '\0') {
        *why = "empty";
        return -1;
    }
    if (*p == '-' || *p == '+') {
        *why = "must be a plain non-negative number";
        return -1;
    }
    if (*p < '0' || *p > '9') {
        *why = "not a number";
        return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            *why = "too large";
            return -1;
        }
        v = v * 10 + d;
    }
    unsigned shift = 0;
    switch (*p) {
    case 'k':
    case 'K':
        shift = 10;
        p++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        p++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        p++;
        break;
    default: break;
    }
    if (*p != '\0') {
        *why = "not a number";
        return -1;
    }
    if (shift && v > (ULLONG_MAX >> shift)) {
        *why = "too large";
        return -1;
    }
    v <<= shift;
    if (v > SIZE_MAX / 2) { /* no mapping can be that large */
        *why = "too large";
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

size_t wb_size_arg(const char *s, const char *what)
{
    size_t v;
    const char *why;
    if (wb_parse_size(s, &v, &why) != 0)
        wb_usage("%s '%s': %s", what, s, why);
    return v;
}

long wb_long_arg(const char *s, const char *what, long min, long max)
{
    size_t v;
    const char *why;
    const char *p = s;
    bool neg = false;

    if (*p == '-' && min < 0) {
        neg = true;
        p++;
    }
    if (strpbrk(p, "kKmMgG") != NULL)
        wb_usage("%s '%s': not a number", what, s);
    if (wb_parse_size(p, &v, &why) != 0)
        wb_usage("%s '%s': %s", what, s, why);
    if (v > (size_t)LONG_MAX)
        wb_usage("%s '%s': too large", what, s);
    long r = neg ? -(long)v : (long)v;
    if (r < min || r > max)
        wb_usage("%s '%s': must be between %ld and %ld", what, s, min, max);
    return r;
}

/* Parse one /proc/self/maps line; returns 0 on success. */
static int parse_maps_line(const char *line, struct wb_vma *v)
{
    int pathpos = 0;
    unsigned long long off;
    if (sscanf(line, "%lx-%lx %4s %llx %*s %*s %n", &v->start, &v->end,
               v->perms, &off, &pathpos) < 4)
        return -1;
    v->offset = off;
    v->path[0] = '\0';
    if (pathpos > 0) {
        snprintf(v->path, sizeof v->path, "%s", line + pathpos);
        v->path[strcspn(v->path, "\n")] = '\0';
    }
    return 0;
}

/* Call fn for each VMA overlapping [lo, hi); stop when it returns non-zero. */
static void for_each_vma(unsigned long lo, unsigned long hi,
                         int (*fn)(const struct wb_vma *, void *), void *arg)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char line[4096];
    struct wb_vma v;
    while (fgets(line, sizeof line, f) != NULL) {
        if (parse_maps_line(line, &v) != 0)
            continue;
        if (v.end <= lo || v.start >= hi)
            continue;
        if (fn(&v, arg) != 0)
            break;
    }
    fclose(f);
}

static int copy_vma(const struct wb_vma *v, void *arg)
{
    *(struct wb_vma *)arg = *v;
    return 1;
}

int wb_vma_of(const void *addr, struct wb_vma *out)
{
    unsigned long a = (unsigned long)addr;
    out->start = out->end = 0;
    for_each_vma(a, a + 1, copy_vma, out);
    return out->end > out->start ? 0 : -1;
}

static int count_vma(const struct wb_vma *v, void *arg)
{
    (void)v;
    ++*(int *)arg;
    return 0;
}

int wb_count_vmas(const void *addr, size_t len)
{
    int n = 0;
    unsigned long a = (unsigned long)addr;
    for_each_vma(a, a + len, count_vma, &n);
    return n;
}

struct print_arg {
    const char *tag;
    unsigned long base;
};

static void print_rel(unsigned long x, unsigned long base)
{
    if (x >= base)
        printf("+0x%lx", x - base);
    else
        printf("-0x%lx", base - x);
}

static int print_vma(const struct wb_vma *v, void *arg)
{
    const struct print_arg *pa = arg;
    printf("  %s ", pa->tag);
    print_rel(v->start, pa->base);
    printf("..");
    print_rel(v->end, pa->base);
    unsigned long pages = (v->end - v->start) / wb_page_size();
    printf(" %s %08llx %lu page%s%s%s\n", v->perms, v->offset, pages,
           pages == 1 ? "" : "s", v->path[0] ? " " : "", v->path);
    return 0;
}

void wb_print_vmas(const char *tag, const void *addr, size_t len)
{
    struct print_arg pa = {tag, (unsigned long)addr};
    fflush(stdout);
    for_each_vma(pa.base, pa.base + len, print_vma, &pa);
    fflush(stdout);
}

long wb_smaps_kb(const void *addr, const char *field)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (f == NULL)
        wb_die("open /proc/self/smaps");
    char line[4096];
    struct wb_vma v;
    unsigned long a = (unsigned long)addr;
    size_t flen = strlen(field);
    bool inside = false;
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (parse_maps_line(line, &v) == 0) { /* a VMA's first line */
            if (inside)
                break; /* past the VMA */
            inside = (a >= v.start && a < v.end);
        } else if (inside && strncmp(line, field, flen) == 0 &&
                   line[flen] == ':') {
            kb = strtol(line + flen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

size_t wb_resident_pages(const void *addr, size_t len)
{
    size_t ps = wb_page_size();
    size_t npages = (len + ps - 1) / ps;
    unsigned char *vec = malloc(npages ? npages : 1);
    if (vec == NULL)
        wb_die("malloc");
    if (mincore((void *)addr, len, vec) == -1)
        wb_die("mincore");
    size_t n = 0;
    for (size_t i = 0; i < npages; i++)
        n += vec[i] & 1;
    free(vec);
    return n;
}

static struct rusage usage_now(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == -1)
        wb_die("getrusage");
    return ru;
}

long wb_minor_faults(void)
{
    return usage_now().ru_minflt;
}

long wb_major_faults(void)
{
    return usage_now().ru_majflt;
}

double wb_now_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
        wb_die("clock_gettime");
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void wb_sort_doubles(double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
}

long wb_meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (f == NULL)
        wb_die("open /proc/meminfo");
    char line[256];
    size_t n = strlen(key);
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            kb = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Fault catching: a handler that jumps back to wb_try_*(). */
static sigjmp_buf fault_env;
static volatile sig_atomic_t fault_code;
static void *volatile fault_addr;
static volatile int fault_sig;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    fault_sig = sig;
    siglongjmp(fault_env, sig);
}

static int try_access(volatile char *p, char *val, bool write)
{
    struct sigaction sa, old_segv, old_bus;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old_segv) == -1 ||
        sigaction(SIGBUS, &sa, &old_bus) == -1)
        wb_die("sigaction");

    /* The fault is the lesson, not a bug: keep Memcheck from reporting it. */
    wb_quiet_begin();
    int sig = sigsetjmp(fault_env, 1);
    if (sig == 0) {
        if (write)
            *p = *val;
        else
            *val = *p;
    }
    wb_quiet_end();
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    return sig;
}

int wb_try_read(const volatile char *p, char *val)
{
    return try_access((volatile char *)p, val, false);
}

int wb_try_write(volatile char *p, char val)
{
    return try_access(p, &val, true);
}

const char *wb_last_fault_code(void)
{
    if (fault_sig == SIGSEGV) {
        switch (fault_code) {
        case SEGV_MAPERR: return "SEGV_MAPERR";
        case SEGV_ACCERR: return "SEGV_ACCERR";
        default: break;
        }
    } else if (fault_sig == SIGBUS) {
        switch (fault_code) {
        case BUS_ADRALN: return "BUS_ADRALN";
        case BUS_ADRERR: return "BUS_ADRERR";
        case BUS_OBJERR: return "BUS_OBJERR";
        default: break;
        }
    }
    return "unknown";
}

void *wb_last_fault_addr(void)
{
    return fault_addr;
}

const char *wb_signame(int sig)
{
    static char buf[16];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev == NULL)
        return "SIG?";
    snprintf(buf, sizeof buf, "SIG%s", abbrev);
    return buf;
}

const char *wb_errname(int err)
{
    const char *n = strerrorname_np(err);
    return n ? n : "E?";
}

bool wb_on_valgrind(void)
{
#ifdef WB_HAVE_VALGRIND_H
    return RUNNING_ON_VALGRIND != 0;
#else
    return false;
#endif
}

bool wb_on_asan(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return true; /* lib/ is built with the same flags as the programs */
#else
    return false;
#endif
}

void wb_quiet_begin(void)
{
#ifdef WB_HAVE_VALGRIND_H
    VALGRIND_DISABLE_ERROR_REPORTING;
#endif
}

void wb_quiet_end(void)
{
#ifdef WB_HAVE_VALGRIND_H
    VALGRIND_ENABLE_ERROR_REPORTING;
#endif
}

int wb_open_file(const char *path, int flags, struct stat *st)
{
    int fd = open(path, flags);
    if (fd == -1)
        wb_die("open '%s'", path);
    if (fstat(fd, st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st->st_mode))
        wb_fatal("'%s' is not a regular file", path);
    return fd;
}

int wb_temp_file(const char *stem, char *keep_path)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    snprintf(path, sizeof path, "%s/%s.XXXXXX", dir, stem);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd == -1)
        wb_die("mkstemp '%s'", path);
    if (keep_path != NULL)
        strcpy(keep_path, path);
    else if (unlink(path) == -1)
        wb_die("unlink '%s'", path);
    return fd;
}
