/*
 * doctor.c: the facts about this machine that the book's lessons depend on.
 *
 * Prints one line per fact: its name, its value on this machine, and what
 * it changes in the book. Each fact is measured by doing the thing (the
 * probe in lib/probe.c) or read from the kernel's own knobs in /proc and
 * /sys; nothing is inferred from the kernel's version. With --env it prints
 * the same facts as WB_FACT_NAME=value lines for a shell to `eval`:
 * scripts/run-tests.sh and scripts/grade.sh export them, and the tests
 * derive their expectations from them (tests/helper.bash: `fact NAME`).
 *
 * Usage: doctor [-h] [--env]      (make doctor builds and runs it)
 * Man pages: proc(5), proc_sys_vm(5), userfaultfd(2), memfd_create(2),
 *            remap_file_pages(2), unshare(2), capabilities(7), getrlimit(2)
 */
#include "wb.h"

#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

struct fact {
    const char *env;   /* WB_FACT_<env> */
    const char *label; /* the human name */
    char value[256];
    char note[320];
};

static struct fact facts[40];
static size_t nfacts;

/* Add a fact; the note is a printf format. */
__attribute__((format(printf, 4, 5))) static void
add(const char *env, const char *label, const char *value, const char *fmt, ...)
{
    if (nfacts == sizeof facts / sizeof facts[0])
        wb_fatal("too many facts");
    struct fact *f = &facts[nfacts++];
    f->env = env;
    f->label = label;
    snprintf(f->value, sizeof f->value, "%s", value);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->note, sizeof f->note, fmt, ap);
    va_end(ap);
}

static const char *yesno(enum wb_fact f)
{
    return f == WB_YES ? "yes" : f == WB_NO ? "no" : "unknown";
}

/* A knob's whole value, or "absent". */
static const char *knob(const char *path, char *buf, size_t n)
{
    if (wb_read_knob(path, buf, n) == -1)
        snprintf(buf, n, "absent");
    return buf;
}

/* A knob's bracketed choice, or "absent". */
static const char *choice(const char *path, char *buf, size_t n)
{
    if (wb_knob_choice(path, buf, n) == -1)
        snprintf(buf, n, "absent");
    return buf;
}

/* The sizes in kB of the directories DIR/hugepages-NkB, ascending. */
static size_t page_sizes(const char *dir, long *kb, size_t max)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        long v;
        char tail[8];
        if (sscanf(e->d_name, "hugepages-%ld%7s", &v, tail) == 2 &&
            strcmp(tail, "kB") == 0)
            kb[n++] = v;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful */
        for (size_t j = i; j > 0 && kb[j - 1] > kb[j]; j--) {
            long t = kb[j];
            kb[j] = kb[j - 1];
            kb[j - 1] = t;
        }
    return n;
}

/* Is capability @p cap in this process's effective set? */
static enum wb_fact has_cap(int cap)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f == NULL)
        return WB_UNKNOWN;
    char line[256];
    enum wb_fact r = WB_UNKNOWN;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long long eff;
        if (sscanf(line, "CapEff: %llx", &eff) == 1) {
            r = (eff >> cap) & 1 ? WB_YES : WB_NO;
            break;
        }
    }
    fclose(f);
    return r;
}

/*
 * Can this process make a namespace of kind @p flag? A child tries
 * unshare(2), adding CLONE_NEWUSER when it is not root; for a PID
 * namespace its own child must then be PID 1 there.
 */
static enum wb_fact can_unshare(int flag)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1)
        return WB_UNKNOWN;
    if (pid == 0) {
        int extra = geteuid() == 0 ? 0 : CLONE_NEWUSER;
        if (unshare(flag | extra) == -1)
            _exit(1);
        if (flag == CLONE_NEWPID) {
            pid_t c = fork();
            if (c == -1)
                _exit(1);
            if (c == 0)
                _exit(getpid() == 1 ? 0 : 1);
            int st;
            if (waitpid(c, &st, 0) == -1)
                _exit(1);
            _exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
        }
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) == -1)
        return WB_UNKNOWN;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? WB_YES : WB_NO;
}

static void probe_memory(void)
{
    char v[256];
    size_t ps = wb_page_size();

    struct utsname u;
    add("KERNEL", "kernel", uname(&u) == 0 ? u.release : "unknown",
        "the release the book's version notes compare with "
        "(6.7: sealed read-only shared maps; 6.8: mTHP)");
    snprintf(v, sizeof v, "%zu", ps);
    add("PAGE_SIZE", "page size", v,
        "the demos count in pages of this many bytes");

    enum wb_fact z = wb_probe_zero_page();
    if (z == WB_YES)
        add("ZERO_PAGE", "zero page", "yes",
            "reads of fresh anonymous memory map the shared zero page (Rss "
            "stays 0): ch02 lazy_alloc, ch13 fault counts show a second "
            "fault when a page read is then written");
    else if (z == WB_NO)
        add("ZERO_PAGE", "zero page", "no",
            "reads of fresh anonymous memory get private pages: ch02 "
            "lazy_alloc, ch13 fault counts show 1 fault per page read then "
            "written");
    else
        add("ZERO_PAGE", "zero page", "unknown",
            "could not be measured (is /proc mounted?): tests that depend "
            "on it cannot predict the demos");

    size_t ap = wb_probe_anon_fault_pages();
    snprintf(v, sizeof v, "%zu", ap);
    if (ap == 1)
        add("ANON_FAULT_PAGES", "anon fault pages", v,
            "one write fault maps one page of fresh anonymous memory: "
            "ch02 and ch13 count one fault per page touched");
    else
        add("ANON_FAULT_PAGES", "anon fault pages", v,
            "one write fault maps %zu pages (multi-size THP): ch02 and "
            "ch13 count one fault per %zu pages touched",
            ap, ap);

    size_t fp = wb_probe_file_fault_pages();
    snprintf(v, sizeof v, "%zu", fp);
    add("FILE_FAULT_PAGES", "file fault pages", v,
        "one read fault on a cached file maps %zu pages (fault-around): "
        "ch13 fault_around, and Rss after one read in ch04 and ch05",
        fp);

    double ns = wb_probe_fault_ns();
    if (ns > 0)
        snprintf(v, sizeof v, "%.0f", ns);
    else
        snprintf(v, sizeof v, "unknown");
    add("FAULT_NS", "fault cost ns", v,
        "median cost of one anonymous write fault: the unit of ch13's "
        "timings (it differs several-fold between machines)");
}

static void probe_thp(void)
{
    char v[256], path[512];

    choice(THP_DIR "/enabled", v, sizeof v);
    add("THP", "THP", v,
        strcmp(v, "always") == 0
            ? "any anonymous region that can hold a 2 MiB page may get one "
              "(unless mTHP 2048kB below says other than inherit): ch13 "
              "thp_faults"
        : strcmp(v, "madvise") == 0
            ? "only MADV_HUGEPAGE regions get 2 MiB pages (unless mTHP "
              "2048kB below says other than inherit): ch13 thp_faults"
        : strcmp(v, "never") == 0
            ? "no 2 MiB transparent huge pages (unless mTHP 2048kB below "
              "says other than inherit): ch13 thp_faults"
            : "this kernel has no THP: ch13 thp_faults sees small pages "
              "only");
    choice(THP_DIR "/defrag", v, sizeof v);
    add("THP_DEFRAG", "THP defrag", v,
        "how hard a huge-page fault compacts memory first: ch13 "
        "thp_faults' timings");

    long kb[32];
    size_t n = page_sizes(THP_DIR, kb, 32);
    char all[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char c[32];
        snprintf(path, sizeof path, THP_DIR "/hugepages-%ldkB/enabled", kb[i]);
        if (wb_knob_choice(path, c, sizeof c) == -1)
            continue; /* a size with shmem knobs only (hugepages-8kB) */
        used += (size_t)snprintf(all + used, sizeof all - used, "%s%ld:%s",
                                 used ? " " : "", kb[i], c);
        if (used >= sizeof all)
            used = sizeof all - 1;
    }
    add("THP_SIZES", "mTHP sizes", all,
        n ? "per-size THP knobs (kB:setting); inherit follows THP: an anon "
            "fault may map a whole folio of a size not set to never"
          : "no per-size knobs (before 6.8): THP means 2 MiB pages only");

    choice(THP_DIR "/shmem_enabled", v, sizeof v);
    add("SHMEM_THP", "shmem THP", v,
        "huge pages for tmpfs, shm_open and memfd mappings: ch10, ch13");

    n = page_sizes("/sys/kernel/mm/hugepages", kb, 32);
    used = 0;
    all[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        used += (size_t)snprintf(all + used, sizeof all - used, "%s%ld",
                                 i ? " " : "", kb[i]);
        if (used >= sizeof all)
            used = sizeof all - 1;
    }
    add("HUGETLB_SIZES", "hugetlb sizes kB", all,
        n ? "page sizes MAP_HUGETLB can ask for: ch11 hugepages"
          : "no hugetlbfs: MAP_HUGETLB fails, ch11 hugepages says so");
    long fr = wb_meminfo_kb("HugePages_Free");
    snprintf(v, sizeof v, "%ld", fr < 0 ? 0 : fr);
    add("HUGETLB_FREE", "hugetlb free", v,
        fr > 0 ? "free pages in the default pool: ch11 hugepages' "
                 "MAP_HUGETLB can succeed"
               : "the default pool is empty: MAP_HUGETLB fails with ENOMEM "
                 "in ch11 hugepages (vm.nr_hugepages fills it)");

    if (wb_read_knob("/sys/kernel/debug/fault_around_bytes", v, sizeof v) == -1)
        snprintf(v, sizeof v, "unknown");
    add("FAULT_AROUND_BYTES", "fault_around_bytes", v,
        "the debugfs knob behind file fault pages (unknown when debugfs is "
        "not mounted or not readable)");
}

static void probe_limits(void)
{
    char v[256];

    knob("/proc/sys/vm/overcommit_memory", v, sizeof v);
    add("OVERCOMMIT", "overcommit", v,
        strcmp(v, "0") == 0   ? "heuristic: only absurd mappings fail: ch11 "
                                "overcommit"
        : strcmp(v, "1") == 0 ? "always: every mapping succeeds, memory "
                                "runs out at fault time: ch11 overcommit"
        : strcmp(v, "2") == 0 ? "strict: large private writable mappings "
                                "fail with ENOMEM: ch11 overcommit"
                              : "unreadable: ch11 overcommit cannot say");
    knob("/proc/sys/vm/memfd_noexec", v, sizeof v);
    add("MEMFD_NOEXEC", "memfd_noexec", v,
        strcmp(v, "2") == 0
            ? "MFD_EXEC fails; since 6.6 other memfds are made MFD_NOEXEC_SEAL "
              "(6.3-6.5: they fail with EINVAL): ch10 memfd demos"
        : strcmp(v, "absent") == 0
            ? "before 6.3: every memfd may be executable: ch10 memfd demos"
            : "memfds may be made executable (1: not by default): ch10");

    knob("/proc/sys/vm/unprivileged_userfaultfd", v, sizeof v);
    add("UFFD_SYSCTL", "uffd sysctl", v,
        strcmp(v, "1") == 0
            ? "vm.unprivileged_userfaultfd: any user may use userfaultfd"
            : "vm.unprivileged_userfaultfd: without CAP_SYS_PTRACE only "
              "UFFD_USER_MODE_ONLY (5.11+) is allowed");
    const char *why = "";
    enum wb_fact uf = wb_probe_userfaultfd(&why);
    add("UFFD", "userfaultfd", yesno(uf),
        uf == WB_YES ? "ch12 uffd_probe and uffd_fill handle faults in user "
                       "space"
                     : "%s: ch12's userfaultfd demos report the refusal",
        why);

    enum wb_fact root = geteuid() == 0 ? WB_YES : WB_NO;
    add("ROOT", "root", yesno(root),
        root == WB_YES ? "file modes do not bind root: tests run permission "
                         "cases as nobody"
                       : "file modes bind: permission cases run as they are");
    add("CAP_SYS_ADMIN", "CAP_SYS_ADMIN", yesno(has_cap(21)),
        "mount namespaces for the grading sandbox's private /tmp");
    add("CAP_IPC_LOCK", "CAP_IPC_LOCK", yesno(has_cap(14)),
        "mlock and MAP_LOCKED past RLIMIT_MEMLOCK: ch11 locked");
    add("CAP_SYS_PTRACE", "CAP_SYS_PTRACE", yesno(has_cap(19)),
        "userfaultfd whatever the sysctl: ch12");
    add("MOUNTNS", "mount namespace", yesno(can_unshare(CLONE_NEWNS)),
        "make grade gives each program a private /tmp and /dev/shm");
    add("PIDNS", "pid namespace", yesno(can_unshare(CLONE_NEWPID)),
        "a process tree of its own (PID 1 inside)");

    knob("/proc/sys/vm/max_map_count", v, sizeof v);
    add("MAX_MAP_COUNT", "max_map_count", v,
        "about the most VMAs a process may have (past it a mapping call "
        "fails with ENOMEM): ch09 rfp_vma_cost meets it, ch08 vma_split "
        "prints it");
    struct rlimit rl;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == -1)
        snprintf(v, sizeof v, "unknown");
    else if (rl.rlim_cur == RLIM_INFINITY)
        snprintf(v, sizeof v, "unlimited");
    else
        snprintf(v, sizeof v, "%llu", (unsigned long long)rl.rlim_cur);
    add("MEMLOCK", "RLIMIT_MEMLOCK", v,
        "bytes this process may lock without CAP_IPC_LOCK: ch11 locked");

    add("VALGRIND", "Valgrind", wb_on_valgrind() ? "yes" : "no",
        wb_on_valgrind() ? "this doctor runs under Valgrind: the facts "
                           "describe Valgrind's process, not the machine"
                         : "not under Valgrind (make memcheck runs the "
                           "demos under it)");
    add("ASAN", "ASan", wb_on_asan() ? "yes" : "no",
        wb_on_asan() ? "built with AddressSanitizer: its shadow memory "
                       "changes VMA counts and faults"
                     : "not built with AddressSanitizer (make sanitize "
                       "builds the demos so)");

    enum wb_fact s = wb_probe_sealed_shared_ro();
    add("SEALED_SHARED_RO", "sealed shared RO", yesno(s),
        s == WB_YES ? "a write-sealed memfd maps MAP_SHARED read-only "
                      "(6.7+, and kernels with the fix backported): ch10 "
                      "seal_write"
                    : "a write-sealed memfd maps only MAP_PRIVATE (EPERM "
                      "before 6.7 unless backported): ch10 seal_write");
    enum wb_fact r = wb_probe_remap_file_pages();
    add("RFP", "remap_file_pages", yesno(r),
        r == WB_YES ? "the emulated remap_file_pages(2) works: ch09"
                    : "remap_file_pages(2) is refused (ENOSYS): ch09's demos "
                      "say so");
}

/* VALUE quoted for the shell when it is not one plain word. */
static void print_env(const struct fact *f)
{
    const char *v = f->value;
    bool plain = *v != '\0';
    for (const char *c = v; *c; c++)
        if (!isalnum((unsigned char)*c) && strchr("._-:/+", *c) == NULL)
            plain = false;
    if (plain) {
        printf("WB_FACT_%s=%s\n", f->env, v);
        return;
    }
    printf("WB_FACT_%s=\"", f->env);
    for (const char *c = v; *c; c++) {
        if (strchr("$`\"\\", *c) != NULL)
            putchar('\\');
        putchar(*c);
    }
    puts("\"");
}

/* The width of the value column (a longer value, the kernel's release,
 * takes what it needs). */
enum { VALUE_WIDTH = 9 };

static void print_human(const struct fact *f)
{
    int width = VALUE_WIDTH;
    if (strcmp(f->env, "THP_SIZES") == 0 && f->value[0] != '\0') {
        /* One line per size knob: "mTHP 16kB  never". */
        char copy[256];
        snprintf(copy, sizeof copy, "%s", f->value);
        for (char *sv, *w = strtok_r(copy, " ", &sv); w != NULL;
             w = strtok_r(NULL, " ", &sv)) {
            char *colon = strchr(w, ':');
            if (colon == NULL)
                continue;
            *colon = '\0';
            char label[32];
            snprintf(label, sizeof label, "mTHP %skB", w);
            const char *c = colon + 1;
            printf("%-18s %-*s %s\n", label, width, c,
                   strcmp(c, "never") == 0 ? "no anonymous folios of this "
                                             "size"
                   : strcmp(c, "inherit") == 0
                       ? "follows THP"
                       : "anonymous faults may map this size at once");
        }
        return;
    }
    printf("%-18s %-*s %s\n", f->label, width,
           f->value[0] ? f->value : "(none)", f->note);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [--env]");
    bool env = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            wb_help();
        else if (strcmp(argv[i], "--env") == 0)
            env = true;
        else if (argv[i][0] == '-')
            wb_usage("unknown option '%s'", argv[i]);
        else
            wb_usage("unexpected argument '%s'", argv[i]);
    }

    probe_memory();
    probe_thp();
    probe_limits();

    for (size_t i = 0; i < nfacts; i++)
        (env ? print_env : print_human)(&facts[i]);
    if (fflush(stdout) == EOF)
        wb_die("write");
    return 0;
}
