/*
 * faults.c: fault counts, timing, catching SIGSEGV/SIGBUS, and instrumentation (wb.h, "Faults and timing").
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
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WB_HAVE_VALGRIND_H 1
#endif
#endif

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
