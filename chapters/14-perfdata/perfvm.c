/*
 * perfvm.c: a pretend VM that publishes HotSpot-style performance counters.
 *
 * Creates a 32 KiB PerfData region the way a JVM does at start-up: in the
 * file BASE/hsperfdata_USER/PID, after cleaning stale files out of that
 * directory (by rules that keep some files HotSpot would remove and remove
 * a few it would keep: README, "Stale files"), with every hardening step
 * that HotSpot's AIX file of 2013 lacks (see perfdata_producer.h), and
 * mapped MAP_SHARED so that monitors (perfstat, and even jstat or jcmd) can
 * map it too. It publishes constants (a version
 * string, a start time, the tick frequency), monotonic counters (updates
 * done, ticks worked) and variable ones (a queue length, a state string),
 * marks the region accessible, and then updates the counters every 10 ms
 * for MS milliseconds, or until SIGTERM or SIGINT. On the way out it saves
 * the region to FILE if asked (-s, HotSpot's -XX:+PerfDataSaveToFile) and
 * removes its file, as a JVM does when it exits normally.
 *
 * BASE is /tmp, like HotSpot's, unless -d or $PERFDATA_TMPDIR says otherwise.
 *   -n      no shared file at all (HotSpot's -XX:+PerfDisableSharedMem)
 *   -p PID  name the file PID instead of our own pid: a second "container"
 *           whose pid collides with a live producer's
 *   -e N    N extra counters, to fill the region until it overflows
 *   -m      start a monitor once the region is accessible: perfstat (from
 *           the directory perfvm is in), sampling two counters 5 times,
 *           20 ms apart, from a second process that maps the file read-only;
 *           perfvm keeps running until the monitor is done, even past MS
 *           (on a slow machine its start alone can take longer)
 *
 * Usage: perfvm [-h] [-n] [-m] [-d BASE] [-t MS] [-s FILE] [-p PID] [-e N]
 * Tour: -d . -t 200 -m -s perfvm.data
 * Man pages: mmap(2), openat(2), flock(2), ftruncate(2), pwrite(2), kill(2)
 */
#include "wb.h"
#include "perfdata_producer.h"

#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REGION_SIZE (32 * 1024) /* HotSpot's default PerfDataMemorySize */
#define STEP_MS     10

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* Does the lock outlive the descriptor? Ask with a second open file. */
static void check_lock(const struct pd_producer *p)
{
    int fd = openat(p->dirfd, p->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1)
        wb_die("open %s/%s again", p->dir, p->name);
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        printf("  descriptor closed: the lock went with it (unexpected)\n");
    else
        printf("  descriptor closed: the flock lives on with the mapping (a "
               "second open file gets %s)\n",
               errno == EWOULDBLOCK ? "EWOULDBLOCK" : wb_errname(errno));
    close(fd);
}

/* Run perfstat on ourselves, in a child process. Returns its pid, or -1
 * when there is no perfstat next to this program. */
static pid_t start_monitor(const char *base, const char *pidname)
{
    char self[PATH_MAX], tool[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n == -1)
        wb_die("readlink /proc/self/exe");
    self[n] = '\0';
    snprintf(tool, sizeof tool, "%s/perfstat", dirname(self));
    if (access(tool, X_OK) == -1) {
        printf("monitor: no perfstat next to perfvm (%s): not started\n",
               wb_errname(errno));
        return -1;
    }
    printf(
        "monitor: perfstat -i 20 -n 5 %s perfvm.work.queue perfvm.work.state\n",
        pidname);
    fflush(stdout);
    pid_t child = fork();
    if (child == -1)
        wb_die("fork");
    if (child == 0) {
        execl(tool, "perfstat", "-d", base, "-i", "20", "-n", "5", pidname,
              "perfvm.work.queue", "perfvm.work.state", (char *)NULL);
        wb_die("exec '%s'", tool);
    }
    return child;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-n] [-m] [-d BASE] [-t MS] [-s FILE] [-p PID] [-e N]");
    const char *base_opt = NULL, *save = NULL;
    long ms = 1000, extra = 0;
    pid_t pid = getpid();
    bool shared = true, monitor = false;
    int opt;
    while ((opt = getopt(argc, argv, ":hnmd:t:s:p:e:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'n': shared = false; break;
        case 'm': monitor = true; break;
        case 'd': base_opt = optarg; break;
        case 't': ms = wb_long_arg(optarg, "MS", 0, 24L * 3600 * 1000); break;
        case 's': save = optarg; break;
        case 'p': pid = (pid_t)wb_long_arg(optarg, "PID", 1, INT_MAX); break;
        case 'e': extra = wb_long_arg(optarg, "N", 0, 100000); break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (optind != argc)
        wb_usage("unexpected argument '%s'", argv[optind]);
    if (monitor && !shared)
        wb_usage("-m needs the shared file that -n turns off");

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) == -1 ||
        sigaction(SIGINT, &sa, NULL) == -1)
        wb_die("sigaction");

    /* [publish] */
    static struct pd_producer p; /* static: reachable if we exit early */
    p.narrate = true;
    pd_create(&p, pd_base_dir(base_opt), pid, REGION_SIZE, shared);
    if (p.shared)
        check_lock(&p);

    pd_add_string(&p, "perfvm.rt.version", PD_CONSTANT, 48,
                  "perfvm 1.0 (the mmap workbook, chapter 14)");
    pd_add_long(&p, "perfvm.rt.startTime", PD_TICKS, PD_CONSTANT,
                (int64_t)p.start_ns);
    pd_add_long(&p, "perfvm.os.hrt.frequency", PD_HERTZ, PD_CONSTANT,
                1000000000);
    pd_add_long(&p, "perfvm.rt.regionSize", PD_BYTES, PD_CONSTANT, REGION_SIZE);
    int64_t *steps =
        pd_add_long(&p, "perfvm.work.steps", PD_EVENTS, PD_MONOTONIC, 0);
    int64_t *ticks =
        pd_add_long(&p, "perfvm.work.ticks", PD_TICKS, PD_MONOTONIC, 0);
    int64_t *queue =
        pd_add_long(&p, "perfvm.work.queue", PD_NONE, PD_VARIABLE, 0);
    char *state =
        pd_add_string(&p, "perfvm.work.state", PD_VARIABLE, 16, "starting");
    for (long k = 0; k < extra; k++) {
        char name[48];
        snprintf(name, sizeof name, "perfvm.extra.%05ld", k);
        pd_add_long(&p, name, PD_EVENTS, PD_CONSTANT, k);
    }
    unsigned order = pd_host_order();
    printf("published %u counters: used %u of %zu bytes, overflow %u\n",
           pd_get32(p.base + PD_P_NUM_ENTRIES, order),
           pd_get32(p.base + PD_P_USED, order), p.size,
           pd_get32(p.base + PD_P_OVERFLOW, order));
    pd_set_accessible(&p);
    printf("accessible = 1: monitors may read the region now\n");
    /* [publish] */

    /* [update] */
    pd_set_string(state, 16, "running");
    fflush(stdout);
    pid_t child =
        monitor && p.shared ? start_monitor(pd_base_dir(base_opt), p.name) : -1;
    long n = 0, elapsed = 0;
    int wstatus = 0;
    bool watched = child > 0; /* the monitor is still sampling */
    bool extended = false;    /* ran past MS for it */
    uint64_t t0 = pd_now_ns();
    while (!stop_signal && (elapsed < ms || watched)) {
        struct timespec step = {0, STEP_MS * 1000000L};
        extended = extended || elapsed >= ms;
        nanosleep(&step, NULL); /* a signal ends it early */
        n++;
        pd_set_long(steps, n);
        pd_set_long(ticks, (int64_t)(pd_now_ns() - t0));
        pd_set_long(queue, (n * 7) % 10);
        elapsed = (long)((pd_now_ns() - t0) / 1000000);
        if (watched && waitpid(child, &wstatus, WNOHANG) == child)
            watched = false;
    }
    pd_set_string(state, 16, "stopping");
    /* [update] */
    if (child > 0 && ((watched && waitpid(child, &wstatus, 0) == -1) ||
                      !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0))
        printf("monitor: perfstat failed\n");
    if (stop_signal)
        printf("stopped by %s after %ld updates\n", wb_signame(stop_signal), n);
    else if (extended)
        printf("ran for %ld ms, past -t %ld until the monitor was done: %ld "
               "updates\n",
               elapsed, ms, n);
    else
        printf("ran for %ld ms (-t %ld): %ld updates\n", elapsed, ms, n);

    if (save != NULL) {
        if (pd_save(&p, save) == -1)
            wb_die("save the region to '%s'", save);
        printf("saved the region to %s (%zu bytes)\n", save, p.size);
    }
    pd_destroy(&p);
    return 0;
}
