/*
 * sandbox.c: run one of a student's programs under limits, for make grade.
 *
 * tests/helper.bash puts $WB_SANDBOX_BIN (this program, built by the
 * Makefile as build/sandbox) in front of every program the exercise tests
 * run when grading. It does what scripts/sandbox.sh did with a chain of
 * bash, setsid, unshare, sh, setpriv and prlimit, with one fork and one
 * exec, and with the same results:
 *   - give: as root, the test's directory ($PWD) and $TMPDIR are handed to
 *     the program's uid (chown -R, symbolic links not followed), but only
 *     when they lie strictly inside the grader's own temporary tree,
 *     $WB_SANDBOX_ROOT; never /tmp, / or the workbook itself;
 *   - with WB_SANDBOX_NS=1 (root, set by grade.sh where mount namespaces
 *     work): a mount namespace of its own, private propagation, and a small
 *     tmpfs on /tmp and on /dev/shm, thrown away when it exits; when they
 *     cannot be mounted, exit 126. What the program left there (the first
 *     five entries) is named on stderr after it exits, and the status is
 *     then 125;
 *   - the program runs as a session and process group of its own, killed
 *     whole (SIGKILL) when the program exits, so that nothing it started
 *     can outlive it and hold the test's output open; a TERM, INT or HUP
 *     sent to the sandbox (by the test's `timeout`) kills the group at once;
 *   - as root: supplementary groups cleared, then the gid and the uid
 *     $WB_SANDBOX_GID and $WB_SANDBOX_UID (default nobody's), then no
 *     inheritable capabilities (setpriv --clear-groups --regid --reuid
 *     --inh-caps=-all);
 *   - then the limits, set by the program's user as prlimit(1) did: CPU
 *     seconds, address space, the size of any file written, no core file,
 *     and processes of the uid (as a user: those already running plus the
 *     limit, since RLIMIT_NPROC counts all of the user's processes);
 *   - SIGINT and SIGQUIT ignored, as they were for the program started in
 *     the background by sandbox.sh; then exec.
 * Its exit status is the program's, or 128 + the signal that stopped it.
 *
 * Environment: WB_LIMIT_CPU (seconds, default 10), WB_LIMIT_AS (bytes,
 * 4 GiB), WB_LIMIT_FSIZE (bytes, 64 MiB), WB_LIMIT_NPROC (64),
 * WB_SANDBOX_UID, WB_SANDBOX_GID, WB_SANDBOX_ROOT, WB_SANDBOX_NS.
 *
 * Usage: sandbox PROGRAM [ARG...]
 * Man pages: setrlimit(2), unshare(2), mount(2), mount_namespaces(7),
 *            setsid(2), setresuid(2), setgroups(2), capset(2), waitid(2),
 *            killpg(3), nftw(3)
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static uid_t give_uid;
static gid_t give_gid;
static volatile sig_atomic_t group; /* the program's process group */
static volatile sig_atomic_t got_signal;

static void die(const char *step, int err, int status)
{
    fprintf(stderr, "sandbox: %s: %s\n", step, strerror(err));
    exit(status);
}

/* A number from the environment, or DEFAULT when it is unset or empty. */
static unsigned long long env_num(const char *name, unsigned long long dflt)
{
    const char *s = getenv(name);
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0')
        return dflt;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        fprintf(stderr, "sandbox: %s='%s' is not a number\n", name, s);
        exit(1);
    }
    return v;
}

static int lchown_one(const char *path, const struct stat *st, int type,
                      struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    (void)lchown(path, give_uid, give_gid); /* (chown -R 2>/dev/null) */
    return 0;
}

/*
 * give DIR: hand DIR and everything in it to the program's uid, when DIR
 * lies strictly inside $WB_SANDBOX_ROOT (both resolved).
 */
static void give(const char *dir)
{
    char d[PATH_MAX + 1], r[PATH_MAX + 1];
    const char *root = getenv("WB_SANDBOX_ROOT");
    size_t n;

    if (realpath(dir, d) == NULL)
        return;
    if (realpath(root && *root ? root : "/nonexistent", r) == NULL)
        return;
    /* sandbox.sh's test: case $dir/ in "$root"/?*) (so root / matches
     * nothing, and ROOT itself is not handed over) */
    n = strlen(r);
    if (strncmp(d, r, n) != 0 || d[n] != '/' || d[n + 1] == '\0')
        return;
    nftw(d, lchown_one, 16, FTW_PHYS);
}

/* The number of processes whose real uid is UID (what ps -U counts). */
static long processes_of(uid_t uid)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    long n = 0;

    if (proc == NULL)
        return 0;
    while ((e = readdir(proc)) != NULL) {
        char path[300], line[256];
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        f = fopen(path, "re");
        if (f == NULL)
            continue;
        while (fgets(line, sizeof line, f) != NULL) {
            unsigned long real;

            if (sscanf(line, "Uid: %lu", &real) == 1) {
                n += real == uid;
                break;
            }
        }
        fclose(f);
    }
    closedir(proc);
    return n;
}

static void limit(int resource, const char *name, unsigned long long v)
{
    struct rlimit rl = {.rlim_cur = v, .rlim_max = v};

    if (setrlimit(resource, &rl) != 0) {
        fprintf(stderr, "sandbox: failed to set the %s resource limit: %s\n",
                name, strerror(errno));
        _exit(1);
    }
}

/* setpriv --clear-groups --regid --reuid --inh-caps=-all */
static void drop_privileges(uid_t uid, gid_t gid)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3,
                                         .pid = 0};
    struct __user_cap_data_struct c[_LINUX_CAPABILITY_U32S_3];

    if (setgroups(0, NULL) != 0)
        die("setgroups", errno, 1);
    if (setresgid(gid, gid, gid) != 0)
        die("setresgid", errno, 1);
    if (setresuid(uid, uid, uid) != 0)
        die("setresuid", errno, 1);
    if (syscall(SYS_capget, &h, c) != 0)
        die("capget", errno, 1);
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        c[i].inheritable = 0;
    if (syscall(SYS_capset, &h, c) != 0)
        die("capset", errno, 1);
}

static void on_signal(int sig)
{
    got_signal = sig;
    if (group > 0)
        kill(-group, SIGKILL);
}

/*
 * left_behind: name what the program left in the private /tmp and /dev/shm
 * (at most five entries, as sandbox.sh's `find | head -5` did); 1 if any.
 */
static int left_behind(void)
{
    static const char *const dirs[] = {"/tmp", "/dev/shm"};
    char names[5 * (NAME_MAX + 12)] = "";
    int n = 0;

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && n < 5; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;

        if (d == NULL)
            continue;
        while (n < 5 && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(names + strlen(names), sizeof names - strlen(names),
                     "%s/%s ", dirs[i], e->d_name);
            n++;
        }
        closedir(d);
    }
    if (n > 0)
        fprintf(stderr,
                "sandbox: the program left files behind (they were "
                "removed): %s\n",
                names);
    return n > 0;
}

int main(int argc, char **argv)
{
    unsigned long long cpu = env_num("WB_LIMIT_CPU", 10);
    unsigned long long as = env_num("WB_LIMIT_AS", 4ULL << 30);
    unsigned long long fsize = env_num("WB_LIMIT_FSIZE", 64ULL << 20);
    unsigned long long nproc = env_num("WB_LIMIT_NPROC", 64);
    int root = geteuid() == 0;
    const char *ns = getenv("WB_SANDBOX_NS");
    int private_tmp = root && ns != NULL && strcmp(ns, "1") == 0;
    sigset_t fwd, old;
    struct sigaction sa;
    siginfo_t info;
    pid_t pid;
    int status;

    if (argc < 2 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "Usage: sandbox PROGRAM [ARG...]\n");
        return argc < 2 ? 2 : 0;
    }
    if (root) {
        const struct passwd *nobody = getpwnam("nobody");
        const char *tmpdir = getenv("TMPDIR");

        give_uid =
            (uid_t)env_num("WB_SANDBOX_UID", nobody ? nobody->pw_uid : 65534);
        give_gid =
            (gid_t)env_num("WB_SANDBOX_GID", nobody ? nobody->pw_gid : 65534);
        give(".");
        if (tmpdir != NULL && *tmpdir != '\0')
            give(tmpdir);
    } else {
        nproc += (unsigned long long)processes_of(getuid());
    }
    if (private_tmp) {
        if (unshare(CLONE_NEWNS) != 0)
            die("unshare", errno, 1);
        if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
            die("private propagation", errno, 1);
        if (mount("wb-tmp", "/tmp", "tmpfs", 0, "size=64m,mode=1777") != 0 ||
            mount("wb-shm", "/dev/shm", "tmpfs", 0, "size=64m,mode=1777") != 0)
            die("mount a private /tmp and /dev/shm", errno, 126);
    }

    /* No TERM may slip in between the fork and the handler knowing the
     * group: hold them until then. */
    sigemptyset(&fwd);
    sigaddset(&fwd, SIGTERM);
    sigaddset(&fwd, SIGINT);
    sigaddset(&fwd, SIGHUP);
    sigprocmask(SIG_BLOCK, &fwd, &old);
    pid = fork();
    if (pid < 0)
        die("fork", errno, 1);
    if (pid == 0) {
        setsid();
        if (root)
            drop_privileges(give_uid, give_gid);
        limit(RLIMIT_CPU, "CPU", cpu);
        limit(RLIMIT_AS, "AS", as);
        limit(RLIMIT_FSIZE, "FSIZE", fsize);
        limit(RLIMIT_CORE, "CORE", 0);
        limit(RLIMIT_NPROC, "NPROC", nproc);
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[1], argv + 1);
        fprintf(stderr, "sandbox: failed to execute %s: %s\n", argv[1],
                strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    group = pid;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* Wait without reaping: while the program is a zombie its pid, the
     * group's id, cannot be reused, so the kill below hits only its group. */
    memset(&info, 0, sizeof info);
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) != 0)
        if (errno != EINTR)
            die("waitid", errno, 1);
    if (info.si_code == CLD_EXITED)
        status = info.si_status;
    else
        status = 128 + info.si_status;
    if (private_tmp && got_signal == 0 && left_behind())
        status = 125;
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return got_signal ? 128 + got_signal : status;
}
