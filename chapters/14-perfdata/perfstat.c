/*
 * perfstat.c: read another process's PerfData counters through a read-only shared mapping.
 *
 * The monitor's half of chapter 14, a small jstat/jcmd. Given a pid it
 * finds the newest file named PID in the per-user directories
 * BASE/hsperfdata_* (BASE as in perfvm: -d, $PERFDATA_TMPDIR, else /tmp),
 * and if there is none and the process lives in another pid namespace (a
 * container), it looks under /proc/PID/root for the pid the process has in
 * the innermost namespace (the last number of NSpid), as jps lists JVMs and
 * as jcmd attaches; jstat, through HotSpot, takes the second number (see
 * the README, "A JVM in a container"). The directory and the file get the
 * same checks the producer made (no symbolic link, not writable by others,
 * the right owner, one link), the file must be a non-zero number of whole
 * pages, and then it is mapped PROT_READ, MAP_SHARED: every value read from
 * the mapping is the producer's current one. perfstat waits (at most -w MS)
 * for the producer to mark the region accessible, copies it, and parses the
 * copy with pd_parse(), which checks every offset and length.
 *
 *   -l PID            every counter as name=value, sorted by name, strings in
 *                     double quotes: the lines `jcmd PID PerfCounter.print`
 *                     prints after its first; -v puts the variability and
 *                     the units in front (tab-separated)
 *   PID NAME...       sample the named counters like jstat: a line of names,
 *                     then a line of values every -i MS, -n COUNT times
 *                     (default once; with -i and no -n, until PID exits)
 *   -f FILE [NAME...] the same for a saved (perfvm -s) or copied file
 *
 * It needs a producer to read, so in the tour it only shows its usage;
 * `perfvm -m` runs it on a live region, and the README reads a JVM with it.
 *
 * Usage: perfstat [-h] [-v] [-l] [-d BASE] [-w MS] [-i MS] [-n COUNT] {PID | -f FILE} [NAME...]
 * Tour: -h
 * Man pages: mmap(2), openat(2), kill(2), proc(5) (NSpid, /proc/PID/root), pid_namespaces(7)
 */
#include "wb.h"
#include "perfdata.h"
#include "perfdata_fs.h"

#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* A line of output: a counter in the region, or one of the six counters
 * jvmstat (and so jcmd) makes out of prologue fields. */
struct row {
    const char *name;
    const struct pd_counter *c; /* NULL for a prologue field */
    unsigned field, width;      /* the field's offset and size in bytes */
    unsigned units, variability;
};

static const struct row prologue_rows[] = {
    {"sun.perfdata.majorVersion", NULL, PD_P_MAJOR, 1, PD_NONE, PD_CONSTANT},
    {"sun.perfdata.minorVersion", NULL, PD_P_MINOR, 1, PD_NONE, PD_CONSTANT},
    {"sun.perfdata.overflow", NULL, PD_P_OVERFLOW, 4, PD_BYTES, PD_MONOTONIC},
    {"sun.perfdata.size", NULL, 0, 0, PD_BYTES, PD_MONOTONIC},
    {"sun.perfdata.timestamp", NULL, PD_P_MOD_TIME, 8, PD_TICKS, PD_MONOTONIC},
    {"sun.perfdata.used", NULL, PD_P_USED, 4, PD_BYTES, PD_MONOTONIC},
};
#define NPROLOGUE (sizeof prologue_rows / sizeof prologue_rows[0])

static char where[PATH_MAX + 32]; /* the file being read, for messages */

/* The copy of the region and what was parsed out of it. File-scope, so
 * that an error exit (wb_fatal) leaves them reachable, not leaked. */
static unsigned char *copy;
static struct pd_counter *counters;
static struct row *rows, *chosen;

/* A file that shrinks under the mapping makes the next access SIGBUS:
 * report it as an error, not a crash (write(2) is async-signal-safe). */
static void on_sigbus(int sig)
{
    (void)sig;
    static const char tail[] = ": the file shrank under the mapping (SIGBUS)\n";
    const char *name = program_invocation_short_name;
    if (write(2, name, strlen(name)) < 0 || write(2, ": ", 2) < 0 ||
        write(2, where, strlen(where)) < 0 ||
        write(2, tail, sizeof tail - 1) < 0)
        _exit(1);
    _exit(1);
}

/* The owner a directory hsperfdata_NAME must have: us; or, when we are
 * root, the user it is named after (NAME may be a uid in decimal). */
static uid_t expected_owner(const char *dirname)
{
    uid_t euid = geteuid();
    if (euid != 0)
        return euid;
    struct passwd pw, *p = NULL;
    char buf[4096];
    const char *user = dirname + strlen(PD_DIR_PREFIX);
    if (getpwnam_r(user, &pw, buf, sizeof buf, &p) == 0 && p != NULL)
        return p->pw_uid;
    pid_t numeric = pd_name_to_pid(user); /* digits: a uid, not a name */
    return numeric > 0 ? (uid_t)numeric : 0;
}

/*
 * Look in BASE/hsperfdata_* for a file called NAME and put the newest one's
 * directory (by the file's ctime, as HotSpot does) in DIR. Directories that
 * fail their checks are skipped; the first one's reason goes to SKIPPED.
 */
/* [find] */
static bool find_file(const char *base, const char *name, char *dir,
                      char *skipped, size_t skipped_len)
{
    DIR *d = opendir(base);
    if (d == NULL)
        return false;
    struct timespec newest = {0, 0};
    bool found = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, PD_DIR_PREFIX, strlen(PD_DIR_PREFIX)) != 0)
            continue;
        char path[PATH_MAX], why[PD_WHY];
        snprintf(path, sizeof path, "%s/%s", base, de->d_name);
        int dfd = pd_open_dir(dirfd(d), de->d_name, path,
                              expected_owner(de->d_name), why);
        if (dfd == -1) {
            if (skipped[0] == '\0')
                snprintf(skipped, skipped_len, " (skipped %s: %s)", path, why);
            continue;
        }
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            (!found || st.st_ctim.tv_sec > newest.tv_sec ||
             (st.st_ctim.tv_sec == newest.tv_sec &&
              st.st_ctim.tv_nsec > newest.tv_nsec))) {
            found = true;
            newest = st.st_ctim;
            snprintf(dir, PATH_MAX, "%s", path);
        }
        close(dfd);
    }
    closedir(d);
    return found;
}
/* [find] */

/* The pid PID has inside its own (innermost) pid namespace, from the NSpid
 * line of /proc/PID/status; PID itself when it is not in a child namespace. */
static pid_t namespace_pid(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    pid_t inner = pid;
    if (f == NULL)
        return pid;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "NSpid:", 6) != 0)
            continue;
        char *save = NULL;
        for (char *t = strtok_r(line + 6, " \t\n", &save); t != NULL;
             t = strtok_r(NULL, " \t\n", &save))
            inner = (pid_t)atol(t); /* the last one is innermost */
        break;
    }
    fclose(f);
    return inner;
}

/* Open the counters file of process PID: the directory and file checks. */
static int open_for_pid(pid_t pid, const char *base)
{
    if (kill(pid, 0) == -1 && errno == ESRCH)
        wb_fatal("process %d not found", (int)pid);
    char name[16], dir[PATH_MAX], skipped[2 * PATH_MAX] = "";
    snprintf(name, sizeof name, "%d", (int)pid);
    bool found = find_file(base, name, dir, skipped, sizeof skipped);
    pid_t inner = namespace_pid(pid);
    if (!found && inner != pid) {
        /* JDK-8193710: a JVM in a container wrote /tmp/hsperfdata_USER/INNER
         * in its own mount namespace; /proc/PID/root is its root. */
        char abs[PATH_MAX], root[PATH_MAX + 64];
        if (realpath(base, abs) == NULL)
            wb_die("realpath '%s'", base);
        snprintf(root, sizeof root, "/proc/%d/root%s", (int)pid, abs);
        snprintf(name, sizeof name, "%d", (int)inner);
        found = find_file(root, name, dir, skipped, sizeof skipped);
    }
    if (!found)
        wb_fatal("process %d: no usable hsperfdata file under %s%s", (int)pid,
                 base, skipped);

    char why[PD_WHY];
    const char *slash = strrchr(dir, '/');
    int dfd = pd_open_dir(AT_FDCWD, dir, dir, expected_owner(slash + 1), why);
    if (dfd == -1)
        wb_fatal("%s: %s", dir, why);
    snprintf(where, sizeof where, "%s/%s", dir, name);
    int fd = pd_open_file(dfd, name, O_RDONLY, 0, why);
    if (fd == -1)
        wb_fatal("%s: %s", where, why);
    close(dfd);
    return fd;
}

/* Map the whole file read-only, after checking its size. */
static unsigned char *map_file(int fd, size_t *size)
{
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", where);
    size_t ps = wb_page_size();
    if (st.st_size == 0)
        wb_fatal("%s: is empty", where);
    if ((size_t)st.st_size % ps != 0)
        wb_fatal("%s: size %lld is not a multiple of the page size (%zu)",
                 where, (long long)st.st_size, ps);
    *size = (size_t)st.st_size;
    void *m = mmap(NULL, *size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        wb_die("mmap '%s'", where);
    close(fd);
    return m;
}

/* Copy the live region into SNAP: 8 bytes at a time, each one atomic load,
 * so that no counter is torn. num_entries is read first, with an acquire
 * load: against our producer, which counts an entry with a release store
 * after writing it, the entries it counts were complete before the copy
 * began. HotSpot gives no such promise (see the reparse loop in main). */
/* [snapshot] */
static void snapshot(unsigned char *snap, const unsigned char *map, size_t size)
{
    uint32_t entries = __atomic_load_n(
        (const uint32_t *)(const void *)(map + PD_P_NUM_ENTRIES),
        __ATOMIC_ACQUIRE);
    const uint64_t *src = (const uint64_t *)(const void *)map;
    uint64_t *dst = (uint64_t *)(void *)snap;
    for (size_t k = 0; k < size / 8; k++)
        dst[k] = __atomic_load_n(&src[k], __ATOMIC_RELAXED);
    memcpy(snap + PD_P_NUM_ENTRIES, &entries, 4);
}
/* [snapshot] */

static void print_row(FILE *f, const unsigned char *buf,
                      const struct pd_info *info, const struct row *r)
{
    if (r->c != NULL)
        pd_print_value(f, buf, info, r->c);
    else if (r->width == 0)
        fprintf(f, "%zu", info->size);
    else if (r->width == 1)
        fprintf(f, "%u", buf[r->field]);
    else if (r->width == 4)
        fprintf(f, "%u", pd_get32(buf + r->field, info->byte_order));
    else
        fprintf(f, "%llu",
                (unsigned long long)pd_get64(buf + r->field, info->byte_order));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct row *)a)->name, ((const struct row *)b)->name);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-v] [-l] [-d BASE] [-w MS] [-i MS] [-n COUNT] "
                 "{PID | -f FILE} [NAME...]");
    const char *base_opt = NULL, *file = NULL;
    bool list = false, verbose = false;
    long wait_ms = 1000, interval = -1, count = -1;
    int opt;
    while ((opt = getopt(argc, argv, ":hvld:w:i:n:f:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'v': verbose = true; break;
        case 'l': list = true; break;
        case 'd': base_opt = optarg; break;
        case 'w': wait_ms = wb_long_arg(optarg, "MS", 0, 3600000); break;
        case 'i': interval = wb_long_arg(optarg, "MS", 1, 3600000); break;
        case 'n': count = wb_long_arg(optarg, "COUNT", 1, 1000000); break;
        case 'f': file = optarg; break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    pid_t pid = 0;
    if (file == NULL) {
        if (optind == argc)
            wb_usage("which process? give a PID or -f FILE");
        pid = (pid_t)wb_long_arg(argv[optind++], "PID", 1, INT_MAX);
    }
    int nnames = argc - optind;
    if (list && nnames > 0)
        wb_usage("-l lists every counter: name none");
    list = nnames == 0;
    if (count == -1)
        count = interval == -1 ? 1 : LONG_MAX;
    if (interval == -1)
        interval = 1000;

    int fd;
    if (file != NULL) {
        snprintf(where, sizeof where, "%s", file);
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd == -1)
            wb_die("open '%s'", file);
        struct stat st;
        if (fstat(fd, &st) == -1)
            wb_die("fstat '%s'", file);
        if (!S_ISREG(st.st_mode))
            wb_fatal("%s: is not a regular file", file);
    } else {
        fd = open_for_pid(pid, pd_base_dir(base_opt));
    }
    struct sigaction sa = {.sa_handler = on_sigbus};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) == -1)
        wb_die("sigaction");
    size_t size;
    const unsigned char *map = map_file(fd, &size);

    /* [accessible] */
    const unsigned char *flag = map + PD_P_ACCESSIBLE;
    for (long waited = 0; __atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0;
         waited += 10) {
        if (file != NULL || waited >= wait_ms)
            wb_fatal("%s: not accessible%s (its producer has not finished "
                     "initialising)",
                     where, file ? "" : " yet: gave up waiting");
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* [accessible] */

    size_t max = pd_max_counters(size), n;
    copy = malloc(size);
    counters = malloc(max * sizeof *counters);
    rows = malloc((max + NPROLOGUE) * sizeof *rows);
    if (copy == NULL || counters == NULL || rows == NULL)
        wb_die("malloc");
    /* [reparse] */
    /* Our producer fills an entry before it counts it (a release store), but
     * HotSpot counts it first (PerfMemory::alloc increments num_entries
     * under its lock) and fills it afterwards with plain stores, so a copy
     * taken in between may hold a counted entry that is half written. Such
     * an entry fails pd_parse's checks; it is complete a moment later, so
     * copy and parse a live region again, for up to a second, before calling it bad.
     * (An entry whose header is whole but whose value is not yet stored
     * parses: that counter reads 0 in this copy.) */
    struct pd_info info;
    char err[512];
    int tries = 0;
    for (;;) {
        snapshot(copy, map, size);
        if (pd_parse(copy, size, &info, counters, max, &n, err, sizeof err) ==
            0)
            break;
        /* A saved file (-f) has no writer: what fails to parse is bad. */
        if (file != NULL || ++tries == 100)
            wb_fatal("%s: %s", where, err);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (tries > 0)
        printf("(the first copy did not parse, %d more were taken: an entry "
               "was being written)\n",
               tries);
    /* [reparse] */

    size_t nrows = 0;
    for (size_t k = 0; k < n; k++)
        rows[nrows++] =
            (struct row){counters[k].name,  &counters[k],           0, 0,
                         counters[k].units, counters[k].variability};
    for (size_t k = 0; k < NPROLOGUE; k++)
        rows[nrows++] = prologue_rows[k];

    if (list) {
        qsort(rows, nrows, sizeof *rows, by_name);
        for (size_t k = 0; k < nrows; k++) {
            if (verbose)
                printf("%s\t%s\t", pd_variability_name(rows[k].variability),
                       pd_units_name(rows[k].units));
            printf("%s=", rows[k].name);
            print_row(stdout, copy, &info, &rows[k]);
            putchar('\n');
        }
    } else {
        /* [sample] */
        chosen = malloc((size_t)nnames * sizeof *chosen);
        if (chosen == NULL)
            wb_die("malloc");
        for (int k = 0; k < nnames; k++) {
            const char *want = argv[optind + k];
            size_t j = 0;
            while (j < nrows && strcmp(rows[j].name, want) != 0)
                j++;
            if (j == nrows)
                wb_fatal("%s: no counter named '%s'", where, want);
            chosen[k] = rows[j];
            printf("%s%*s", k ? " " : "", (int)strlen(want), want);
        }
        putchar('\n');
        for (long s = 0; s < count; s++) {
            if (s > 0) {
                fflush(stdout);
                struct timespec ts = {interval / 1000,
                                      interval % 1000 * 1000000L};
                nanosleep(&ts, NULL);
                if (pid != 0 && kill(pid, 0) == -1 && errno == ESRCH)
                    break; /* the process is gone: so are we */
                snapshot(copy, map, size);
            }
            for (int k = 0; k < nnames; k++) {
                /* right-align each value under its name */
                char *text = NULL;
                size_t len = 0;
                FILE *mem = open_memstream(&text, &len);
                if (mem == NULL)
                    wb_die("open_memstream");
                print_row(mem, copy, &info, &chosen[k]);
                fclose(mem);
                printf("%s%*s", k ? " " : "", (int)strlen(chosen[k].name),
                       text);
                free(text);
            }
            putchar('\n');
        }
        free(chosen);
        /* [sample] */
    }
    munmap((void *)map, size);
    free(rows);
    free(counters);
    free(copy);
    return 0;
}
