/*
 * errors.c: errors, usage lines and argument parsing (wb.h, "Errors and arguments").
 */
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
