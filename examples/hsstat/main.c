/*
 * main.c: hsstat, jps -l and jstat without a JVM.
 *
 *   hsstat -l          the JVMs running on this machine, containers
 *                      included: a line `PID MAIN` each, MAIN being the
 *                      main class or the jar as `jps -l` prints it
 *   hsstat -gcutil|-gc|-class|-compiler VMID [INTERVAL[ms|s] [COUNT]]
 *                      jstat's columns for that option, computed from the
 *                      same counters by the same formulas: a header, then a
 *                      row every INTERVAL (milliseconds unless it ends in s),
 *                      COUNT times (default: once; with an INTERVAL, until
 *                      the JVM exits)
 *
 * VMID is a process id, or the path of a file a JVM saved
 * (-XX:+PerfDataSaveToFile) or that was copied from /tmp/hsperfdata_USER.
 * The file is mapped PROT_READ, MAP_SHARED: a row costs a copy of 32 KiB of
 * page cache and no system call at all in the JVM, which never knows.
 *
 * Errors: one line `hsstat: STEP: CAUSE`, exit 1; a usage error, exit 2.
 *
 * Usage: hsstat [-h] -l | -class|-compiler|-gc|-gcutil PID|FILE [INTERVAL[ms|s] [COUNT]]
 * Man pages: mmap(2), proc(5) (/proc/PID/root, /proc/PID/status NSpid), pid_namespaces(7), mount_namespaces(7)
 */
#include "columns.h"
#include "region.h"
#include "vms.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* -l copies every JVM's region in turn: a SIGBUS in one of them makes that
 * JVM's line "process information unavailable", as jps says, and the list
 * goes on. While list_armed is set, the handler jumps back into
 * list_jvms(). */
static sigjmp_buf list_env;
static volatile sig_atomic_t list_armed;

/* A file that shrinks under the mapping makes the copy fault: one error
 * line, not a crash (write(2) is async-signal-safe). */
static void on_sigbus(int sig)
{
    (void)sig;
    if (list_armed)
        siglongjmp(list_env, 1);
    static const char tail[] = ": the file shrank under the mapping (SIGBUS)\n";
    const char *name = program_invocation_short_name;
    const char *file = hs_current_file ? hs_current_file : "?";
    if (write(2, name, strlen(name)) < 0 || write(2, ": ", 2) < 0 ||
        write(2, file, strlen(file)) < 0 || write(2, tail, sizeof tail - 1) < 0)
        _exit(1);
    _exit(1);
}

/* [mainclass] */
/* What jps -l prints after the pid: the first word of the command line
 * (sun.rt.javaCommand), which is the main class, or the jar after -jar. */
static void main_class(const struct hs_region *r, char *out, size_t len)
{
    const struct pd_counter *c = hs_counter(r, "sun.rt.javaCommand");
    if (c == NULL || c->type != 'B') {
        snprintf(out, len, "Unknown");
        return;
    }
    hs_string(r, c, out, len);
    char *space = strchr(out, ' ');
    if (space != NULL && space != out)
        *space = '\0';
}
/* [mainclass] */

static int list_jvms(void)
{
    pid_t *pids;
    long n = hs_all_pids(&pids);
    if (n == -1)
        wb_die("read /proc");
    for (long k = 0; k < n; k++) {
        int fd;
        char path[PATH_MAX], err[HS_ERR];
        enum hs_found found = hs_open_pid(pids[k], &fd, path, err);
        if (found == HS_NO_PROC || found == HS_NO_FILE)
            continue;
        /* static: its value is still defined after a siglongjmp */
        static struct hs_region r;
        static char cls[PATH_MAX];
        static bool named;
        named = false;
        if (found == HS_OPENED) {
            if (sigsetjmp(list_env, 1) == 0) {
                list_armed = 1;
                if (hs_region_open(&r, fd, path, true, 0, err) == 0) {
                    main_class(&r, cls, sizeof cls);
                    named = true;
                }
            }
            list_armed = 0;
            hs_current_file = NULL;
            hs_region_close(&r); /* nothing to do if open failed */
        }
        if (named)
            printf("%d %s\n", (int)pids[k], cls);
        else
            printf("%d -- process information unavailable\n", (int)pids[k]);
    }
    free(pids);
    return 0;
}

/* INTERVAL: milliseconds, or seconds with an s (jstat's syntax). */
static long interval_arg(const char *s)
{
    char digits[32];
    size_t n = strspn(s, "0123456789");
    long unit = 1;
    if (strcmp(s + n, "s") == 0)
        unit = 1000;
    else if (s[n] != '\0' && strcmp(s + n, "ms") != 0)
        wb_usage("interval '%s': a number of milliseconds, or seconds "
                 "followed by s",
                 s);
    if (n == 0 || n >= sizeof digits)
        wb_usage("interval '%s': not a number", s);
    memcpy(digits, s, n);
    digits[n] = '\0';
    return wb_long_arg(digits, "interval", 1, 86400000 / unit) * unit;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] -l | -class|-compiler|-gc|-gcutil PID|FILE "
                 "[INTERVAL[ms|s] [COUNT]]");
    if (argc < 2)
        wb_usage("say what to show: -l, or one of %s", hs_option_names);
    const char *opt = argv[1];
    if (strcmp(opt, "-h") == 0)
        wb_help();
    /* Before -l too: listing copies every JVM's region. */
    struct sigaction sa = {.sa_handler = on_sigbus};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) == -1)
        wb_die("sigaction");
    if (strcmp(opt, "-l") == 0) {
        if (argc > 2)
            wb_usage("-l takes no operand ('%s')", argv[2]);
        return list_jvms();
    }
    const struct hs_option *o = opt[0] == '-' ? hs_option(opt + 1) : NULL;
    if (o == NULL)
        wb_usage("unknown option '%s' (not one of -l %s)", opt,
                 hs_option_names);
    if (argc < 3)
        wb_usage("%s: which JVM? give a PID or a saved file", opt);
    if (argc > 5)
        wb_usage("too many operands ('%s')", argv[5]);
    const char *vmid = argv[2];
    long interval = argc > 3 ? interval_arg(argv[3]) : 0;
    long count = argc > 4   ? wb_long_arg(argv[4], "count", 1, LONG_MAX)
                 : argc > 3 ? LONG_MAX
                            : 1;

    /* A VMID of digits is a process; anything else is a file. */
    pid_t pid = 0;
    int fd;
    char path[PATH_MAX], err[HS_ERR];
    if (vmid[strspn(vmid, "0123456789")] == '\0') {
        pid = (pid_t)wb_long_arg(vmid, "PID", 1, INT_MAX);
        if (hs_open_pid(pid, &fd, path, err) != HS_OPENED)
            wb_fatal("%s", err);
    } else {
        snprintf(path, sizeof path, "%s", vmid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd == -1)
            wb_die("open '%s'", path);
    }
    static struct hs_region r; /* static: reachable at an error exit */
    if (hs_region_open(&r, fd, path, pid != 0, 1000, err) == -1)
        wb_fatal("%s", err);

    int widths[HS_MAX_COLUMNS];
    hs_print_header(stdout, o, widths);
    for (long s = 0; s < count; s++) {
        if (s > 0) {
            fflush(stdout);
            sleep_ms(interval);
            if (pid != 0 && kill(pid, 0) == -1 && errno == ESRCH)
                break; /* the JVM has exited: so does jstat */
            if (hs_region_sample(&r, err) == -1)
                wb_fatal("%s", err);
        }
        hs_print_row(stdout, o, widths, &r);
    }
    hs_region_close(&r);
    if (fflush(stdout) == EOF)
        wb_die("write");
    return 0;
}
