/*
 * cell.c: run a command the way a default `docker run` runs it, on this
 * machine: root, but with Docker's default capabilities only and Docker's
 * default seccomp profile.
 *
 * The environment matrix's cell (e) (scripts/matrix/matrix.sh): Gradescope's
 * autograder and a student's `docker run` both give the book's programs this
 * kind of root. What it does, in runc's order:
 *   1. a mount namespace of its own, like a container's: an empty tmpfs on
 *      /tmp, a /dev with Docker's few devices and its /dev/shm (tmpfs,
 *      64 MiB, nosuid, nodev, noexec), and /proc/sys and /sys read-only;
 *   2. the seccomp filter, while it still holds CAP_SYS_ADMIN (runc loads it
 *      then, so that it needs no no_new_privs): every call in the table
 *      below fails with EPERM (or ENOSYS where Docker says so), clone with a
 *      namespace flag, personality with an argument other than the five the
 *      profile lists, and socket for AF_ALG and AF_VSOCK too;
 *   3. capabilities: every one not in Docker's default set leaves the
 *      bounding set; effective and permitted become the default set and
 *      inheritable and ambient empty (so CAP_SYS_ADMIN, CAP_SYS_PTRACE,
 *      CAP_IPC_LOCK, CAP_SYS_NICE and CAP_SYS_RESOURCE are gone);
 *   4. exec the command. As root, the kernel gives it the bounding set.
 * It sets no_new_privs only with --no-new-privs, as Docker does only with
 * --security-opt no-new-privileges. It does not give the command a PID,
 * network, IPC or UTS namespace, cgroup limits, or Docker's masked /proc
 * files: the tests need none of those to see what a container refuses.
 *
 * Usage: cell [-h] [--no-new-privs] [--shm-size BYTES] -- COMMAND [ARG...]
 *        cell --check    apply all of it, then check that userfaultfd,
 *                        unshare, clone3 and personality are refused and
 *                        CAP_SYS_ADMIN is gone; prints one line per check
 * Man pages: seccomp(2), seccomp_rule_add(3), capabilities(7), capset(2),
 *            prctl(2), unshare(2), mount(2), personality(2)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *step, int err)
{
    fprintf(stderr, "cell: %s: %s\n", step, strerror(err));
    exit(1);
}

static void usage(int status)
{
    fprintf(status ? stderr : stdout, "Usage: cell [-h] [--no-new-privs] "
                                      "[--shm-size BYTES] -- COMMAND [ARG...]\n"
                                      "       cell --check\n");
    exit(status);
}

/*
 * Docker's default capabilities: moby daemon/pkg/oci/caps/defaults.go,
 * DefaultCapabilities(), read at moby commit
 * b985e2313a8676e18072b442911fc8f64f17d440 (2026-08-23).
 */
static const int docker_caps[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
    CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,    CAP_AUDIT_WRITE,
};

/*
 * The system calls Docker's default seccomp profile does not allow a root
 * container that has only the capabilities above, on x86_64. The profile is
 * github.com/moby/profiles/seccomp v0.2.3, default.json, as vendored in moby
 * at commit b985e2313a8676e18072b442911fc8f64f17d440
 * (vendor/github.com/moby/profiles/seccomp/default.json). It is an
 * allow-list (defaultAction SCMP_ACT_ERRNO, defaultErrnoRet 1 = EPERM); this
 * is its complement over Linux 6.19's x86_64 system call table
 * (arch/x86/entry/syscalls/syscall_64.tbl), less the calls the profile
 * allows only for capabilities Docker gives by default (chroot needs
 * CAP_SYS_CHROOT) or from kernel 4.8 (ptrace, process_vm_readv and
 * process_vm_writev are allowed). The numbers are x86_64's, for the calls
 * this libseccomp may not know by name (it is older than the kernel).
 * err 0 means EPERM; ENOSYS marks the calls newer than any the profile
 * names, for which runc answers ENOSYS so that libc falls back.
 * The calls allowed only for some arguments are in add_arg_rules().
 */
static const struct refused {
    const char *name;
    int nr; /* x86_64 */
    int err;
} refused[] = {
    {"syslog", 103, 0},                  /* CAP_SYS_ADMIN or CAP_SYSLOG */
    {"uselib", 134, 0},                  /* not in the profile */
    {"ustat", 136, 0},                   /* not in the profile */
    {"sysfs", 139, 0},                   /* not in the profile */
    {"vhangup", 153, 0},                 /* CAP_SYS_TTY_CONFIG */
    {"pivot_root", 155, 0},              /* not in the profile */
    {"_sysctl", 156, 0},                 /* not in the profile */
    {"acct", 163, 0},                    /* CAP_SYS_PACCT */
    {"settimeofday", 164, 0},            /* CAP_SYS_TIME */
    {"mount", 165, 0},                   /* CAP_SYS_ADMIN */
    {"umount2", 166, 0},                 /* CAP_SYS_ADMIN */
    {"swapon", 167, 0},                  /* not in the profile */
    {"swapoff", 168, 0},                 /* not in the profile */
    {"reboot", 169, 0},                  /* CAP_SYS_BOOT */
    {"sethostname", 170, 0},             /* CAP_SYS_ADMIN */
    {"setdomainname", 171, 0},           /* CAP_SYS_ADMIN */
    {"iopl", 172, 0},                    /* CAP_SYS_RAWIO */
    {"ioperm", 173, 0},                  /* CAP_SYS_RAWIO */
    {"create_module", 174, 0},           /* not in the profile */
    {"init_module", 175, 0},             /* CAP_SYS_MODULE */
    {"delete_module", 176, 0},           /* CAP_SYS_MODULE */
    {"get_kernel_syms", 177, 0},         /* not in the profile */
    {"query_module", 178, 0},            /* not in the profile */
    {"quotactl", 179, 0},                /* CAP_SYS_ADMIN */
    {"nfsservctl", 180, 0},              /* not in the profile */
    {"getpmsg", 181, 0},                 /* not in the profile */
    {"putpmsg", 182, 0},                 /* not in the profile */
    {"afs_syscall", 183, 0},             /* not in the profile */
    {"tuxcall", 184, 0},                 /* not in the profile */
    {"security", 185, 0},                /* not in the profile */
    {"lookup_dcookie", 212, 0},          /* CAP_SYS_ADMIN */
    {"clock_settime", 227, 0},           /* CAP_SYS_TIME */
    {"vserver", 236, 0},                 /* not in the profile */
    {"mbind", 237, 0},                   /* CAP_SYS_NICE */
    {"set_mempolicy", 238, 0},           /* CAP_SYS_NICE */
    {"get_mempolicy", 239, 0},           /* CAP_SYS_NICE */
    {"kexec_load", 246, 0},              /* not in the profile */
    {"add_key", 248, 0},                 /* not in the profile */
    {"request_key", 249, 0},             /* not in the profile */
    {"keyctl", 250, 0},                  /* not in the profile */
    {"migrate_pages", 256, 0},           /* not in the profile */
    {"unshare", 272, 0},                 /* CAP_SYS_ADMIN */
    {"move_pages", 279, 0},              /* not in the profile */
    {"perf_event_open", 298, 0},         /* CAP_SYS_ADMIN or CAP_PERFMON */
    {"fanotify_init", 300, 0},           /* CAP_SYS_ADMIN */
    {"open_by_handle_at", 304, 0},       /* CAP_DAC_READ_SEARCH */
    {"setns", 308, 0},                   /* CAP_SYS_ADMIN */
    {"kcmp", 312, 0},                    /* CAP_SYS_PTRACE */
    {"finit_module", 313, 0},            /* CAP_SYS_MODULE */
    {"kexec_file_load", 320, 0},         /* not in the profile */
    {"bpf", 321, 0},                     /* CAP_SYS_ADMIN or CAP_BPF */
    {"userfaultfd", 323, 0},             /* not in the profile */
    {"uprobe", 336, 0},                  /* not in the profile */
    {"io_uring_setup", 425, 0},          /* not in the profile */
    {"io_uring_enter", 426, 0},          /* not in the profile */
    {"io_uring_register", 427, 0},       /* not in the profile */
    {"open_tree", 428, 0},               /* CAP_SYS_ADMIN */
    {"move_mount", 429, 0},              /* CAP_SYS_ADMIN */
    {"fsopen", 430, 0},                  /* CAP_SYS_ADMIN */
    {"fsconfig", 431, 0},                /* CAP_SYS_ADMIN */
    {"fsmount", 432, 0},                 /* CAP_SYS_ADMIN */
    {"fspick", 433, 0},                  /* CAP_SYS_ADMIN */
    {"pidfd_getfd", 438, 0},             /* CAP_SYS_PTRACE */
    {"process_madvise", 440, 0},         /* CAP_SYS_PTRACE */
    {"mount_setattr", 442, 0},           /* CAP_SYS_ADMIN */
    {"quotactl_fd", 443, 0},             /* CAP_SYS_ADMIN */
    {"set_mempolicy_home_node", 450, 0}, /* CAP_SYS_NICE */
    {"lsm_get_self_attr", 459, 0},       /* CAP_SYS_ADMIN */
    {"lsm_set_self_attr", 460, 0},       /* CAP_SYS_ADMIN */
    {"lsm_list_modules", 461, 0},        /* CAP_SYS_ADMIN */
    {"open_tree_attr", 467, ENOSYS},     /* newer than the profile */
    {"file_getattr", 468, ENOSYS},       /* newer than the profile */
    {"file_setattr", 469, ENOSYS},       /* newer than the profile */
    {"listns", 470, ENOSYS},             /* newer than the profile */
};

/* personality(2): the profile allows only these arguments. */
static const uint64_t personality_ok[] = {0x0, 0x8, 0x20000, 0x20008,
                                          0xffffffff};

static void rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
                 const struct scmp_arg_cmp *cmp)
{
    int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
    if (rc < 0)
        die("seccomp_rule_add", -rc);
}

/*
 * The calls the profile allows for some arguments only. libseccomp 2.5
 * takes one comparison per argument in a rule and ORs the rules of a call,
 * so each refused set is written as a union of single comparisons.
 */
static void add_arg_rules(scmp_filter_ctx ctx)
{
    uint32_t eperm = SCMP_ACT_ERRNO(EPERM);

    /* clone: allowed when (flags & 0x7E020000) == 0, that is without
       CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET:
       refused when any one of those bits is set. */
    const uint64_t ns_flags = 0x7E020000;
    for (int bit = 0; bit < 32; bit++) {
        uint64_t b = (uint64_t)1 << bit;
        if (ns_flags & b) {
            struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_MASKED_EQ, b, b);
            rule(ctx, eperm, SCMP_SYS(clone), 1, &c);
        }
    }
    /* clone3: the profile answers ENOSYS without CAP_SYS_ADMIN, so that
       libc falls back to clone, whose flags it can inspect. */
    rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, NULL);

    /* socket: allowed for domain < 38, == 39 or > 40: refused for AF_ALG
       (38) and AF_VSOCK (40). */
    struct scmp_arg_cmp alg = SCMP_A0(SCMP_CMP_EQ, 38);
    struct scmp_arg_cmp vsock = SCMP_A0(SCMP_CMP_EQ, 40);
    rule(ctx, eperm, SCMP_SYS(socket), 1, &alg);
    rule(ctx, eperm, SCMP_SYS(socket), 1, &vsock);

    /* personality: allowed for 0 (PER_LINUX), 8 (UNAME26), 0x20000
       (PER_LINUX32), 0x20008 and 0xffffffff (the query); refused for any
       other value. Above 32 bits: refused. An odd value below: refused
       unless all 32 bits are set, so "bit 0 set and bit c clear" for each
       other bit c. An even value: refused when it has any bit but 3 and 17,
       so "bit 0 clear and bit b set" for each other bit b. */
    struct scmp_arg_cmp big = SCMP_A0(SCMP_CMP_GT, 0xffffffffULL);
    rule(ctx, eperm, SCMP_SYS(personality), 1, &big);
    for (int bit = 1; bit < 32; bit++) {
        uint64_t b = (uint64_t)1 << bit;
        struct scmp_arg_cmp odd = SCMP_A0(SCMP_CMP_MASKED_EQ, b | 1, 1);
        rule(ctx, eperm, SCMP_SYS(personality), 1, &odd);
        if (bit != 3 && bit != 17) {
            struct scmp_arg_cmp even = SCMP_A0(SCMP_CMP_MASKED_EQ, b | 1, b);
            rule(ctx, eperm, SCMP_SYS(personality), 1, &even);
        }
    }
}

static void load_filter(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == NULL)
        die("seccomp_init", ENOMEM);
    /* runc loads the filter before it drops CAP_SYS_ADMIN, which spares it
       no_new_privs; libseccomp would set it by default. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc < 0)
        die("seccomp_attr_set NNP", -rc);
    int native = seccomp_arch_native() == SCMP_ARCH_X86_64;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int nr = seccomp_syscall_resolve_name(refused[i].name);
        if (nr == __NR_SCMP_ERROR) {
            if (!native)
                continue; /* no such call here */
            nr = refused[i].nr;
        }
        int err = refused[i].err ? refused[i].err : EPERM;
        rule(ctx, SCMP_ACT_ERRNO((uint32_t)err), nr, 0, NULL);
    }
    add_arg_rules(ctx);
    rc = seccomp_load(ctx);
    if (rc < 0)
        die("seccomp_load", -rc);
    seccomp_release(ctx);
}

static int last_cap(void)
{
    int last = CAP_LAST_CAP;
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
    if (f != NULL) {
        if (fscanf(f, "%d", &last) != 1)
            last = CAP_LAST_CAP;
        fclose(f);
    }
    return last;
}

static void drop_caps(void)
{
    uint64_t keep = 0;
    for (size_t i = 0; i < sizeof docker_caps / sizeof docker_caps[0]; i++)
        keep |= (uint64_t)1 << docker_caps[i];
    for (int cap = 0; cap <= last_cap(); cap++)
        if (!(keep & ((uint64_t)1 << cap)) &&
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
            die("prctl PR_CAPBSET_DROP", errno);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
        errno != EINVAL)
        die("prctl PR_CAP_AMBIENT_CLEAR_ALL", errno);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) {
        data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
        data[i].inheritable = 0;
    }
    if (syscall(SYS_capset, &hdr, data) == -1)
        die("capset", errno);
}

/*
 * A container's own /tmp; a /dev like Docker's (a tmpfs with only null, zero,
 * full, random, urandom and tty, a devpts of its own, /dev/shm as a 64 MiB
 * noexec tmpfs, /dev/mqueue, and the fd, stdin, stdout, stderr and ptmx
 * links: so no /dev/userfaultfd, say); /proc/sys and /sys read-only.
 */
static void container_mounts(const char *shm_size)
{
    static const struct {
        const char *name;
        unsigned major, minor;
    } devs[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    static const char *links[][2] = {{"/proc/self/fd", "/dev/fd"},
                                     {"/proc/self/fd/0", "/dev/stdin"},
                                     {"/proc/self/fd/1", "/dev/stdout"},
                                     {"/proc/self/fd/2", "/dev/stderr"},
                                     {"pts/ptmx", "/dev/ptmx"}};
    char opts[64], path[64];

    if (unshare(CLONE_NEWNS) == -1)
        die("unshare CLONE_NEWNS", errno);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        die("mount --make-rprivate /", errno);
    /* A working directory inside /tmp (a clone made with mktemp -d) is held
     * open while the new /tmp covers it, then bind-mounted back in place. */
    char cwd[4096];
    int keep = -1;
    if (getcwd(cwd, sizeof cwd) != NULL && strncmp(cwd, "/tmp/", 5) == 0)
        if ((keep = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
            die("open the working directory", errno);
    if (mount("cell-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") ==
        -1)
        die("mount tmpfs /tmp", errno);
    if (keep != -1) {
        char held[64];
        for (char *slash = cwd + 5; (slash = strchr(slash, '/')) != NULL;
             slash++) {
            *slash = '\0';
            if (mkdir(cwd, 0755) == -1 && errno != EEXIST)
                die("mkdir (the working directory's path)", errno);
            *slash = '/';
        }
        if (mkdir(cwd, 0755) == -1 && errno != EEXIST)
            die("mkdir (the working directory)", errno);
        snprintf(held, sizeof held, "/proc/self/fd/%d", keep);
        if (mount(held, cwd, NULL, MS_BIND, NULL) == -1)
            die("bind the working directory back", errno);
        if (chdir(cwd) == -1)
            die("chdir (the working directory)", errno);
        close(keep);
    }
    if (mount("cell-dev", "/dev", "tmpfs", MS_NOSUID, "mode=755,size=65536k") ==
        -1)
        die("mount tmpfs /dev", errno);
    for (size_t k = 0; k < sizeof devs / sizeof devs[0]; k++) {
        snprintf(path, sizeof path, "/dev/%s", devs[k].name);
        if (mknod(path, S_IFCHR | 0666,
                  makedev(devs[k].major, devs[k].minor)) == -1)
            die("mknod (a /dev node)", errno);
        if (chmod(path, 0666) == -1) /* past the umask */
            die("chmod (a /dev node)", errno);
    }
    for (size_t k = 0; k < sizeof links / sizeof links[0]; k++)
        if (symlink(links[k][0], links[k][1]) == -1)
            die("symlink (a /dev link)", errno);
    if (mkdir("/dev/pts", 0755) == -1 || mkdir("/dev/shm", 01777) == -1 ||
        mkdir("/dev/mqueue", 0755) == -1)
        die("mkdir (in /dev)", errno);
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=0620") == -1)
        die("mount devpts /dev/pts", errno);
    snprintf(opts, sizeof opts, "mode=1777,size=%s", shm_size);
    if (mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              opts) == -1)
        die("mount tmpfs /dev/shm", errno);
    if (mount("mqueue", "/dev/mqueue", "mqueue",
              MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        die("mount mqueue /dev/mqueue", errno);
    const char *ro[] = {"/proc/sys", "/sys"};
    for (int i = 0; i < 2; i++) {
        if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) == -1)
            die("mount --bind (/proc/sys or /sys)", errno);
        if (mount(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) ==
            -1)
            die("mount -o remount,ro (/proc/sys or /sys)", errno);
    }
}

/* --check: one line per expectation; the number that failed is the status. */
static int failures;

static void expect(const char *what, long rc, int want_errno)
{
    int err = rc == -1 ? errno : 0;
    int ok = rc == -1 && err == want_errno;
    printf("%-4s %s: %s (want %s)\n", ok ? "ok" : "FAIL", what,
           rc == -1 ? strerror(err) : "succeeded", strerror(want_errno));
    failures += !ok;
}

static int check(void)
{
    expect("userfaultfd(O_CLOEXEC)", syscall(SYS_userfaultfd, O_CLOEXEC),
           EPERM);
    expect("unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS), EPERM);
    expect("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), EPERM);
    expect("clone3", syscall(SYS_clone3, NULL, 0), ENOSYS);
    expect("personality(ADDR_NO_RANDOMIZE)", personality(ADDR_NO_RANDOMIZE),
           EPERM);
    expect("mount(tmpfs)", mount("x", "/tmp", "tmpfs", 0, NULL), EPERM);
    expect("mbind", syscall(SYS_mbind, NULL, 0, 0, NULL, 0, 0), EPERM);
    /* The five arguments the profile allows still work (the query last,
       which leaves the persona as it was: PER_LINUX). */
    int allowed = 1;
    for (size_t k = 0; k < sizeof personality_ok / sizeof personality_ok[0];
         k++)
        if (personality((unsigned long)personality_ok[k]) == -1)
            allowed = 0;
    personality(PER_LINUX);
    printf("%-4s personality(0, 8, 0x20000, 0x20008, 0xffffffff) work: %s\n",
           allowed ? "ok" : "FAIL", allowed ? "yes" : "no");
    failures += !allowed;
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) == -1)
        die("capget", errno);
    int admin =
        (data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
    int ptrace =
        (data[CAP_SYS_PTRACE / 32].effective >> (CAP_SYS_PTRACE % 32)) & 1;
    int ipc = (data[CAP_IPC_LOCK / 32].effective >> (CAP_IPC_LOCK % 32)) & 1;
    int chown_ = (data[CAP_CHOWN / 32].effective >> (CAP_CHOWN % 32)) & 1;
    int good = !admin && !ptrace && !ipc && chown_;
    printf("%-4s capabilities: CAP_SYS_ADMIN %s, CAP_SYS_PTRACE %s, "
           "CAP_IPC_LOCK %s, CAP_CHOWN %s\n",
           good ? "ok" : "FAIL", admin ? "yes" : "no", ptrace ? "yes" : "no",
           ipc ? "yes" : "no", chown_ ? "yes" : "no");
    failures += !good;
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int nnp = 0, do_check = 0, i;
    const char *shm_size = "64m";

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            usage(0);
        } else if (strcmp(argv[i], "--check") == 0) {
            do_check = 1;
        } else if (strcmp(argv[i], "--no-new-privs") == 0) {
            nnp = 1;
        } else if (strcmp(argv[i], "--shm-size") == 0 && i + 1 < argc) {
            shm_size = argv[++i];
        } else {
            usage(2);
        }
    }
    if (!do_check && i >= argc)
        usage(2);
    if (geteuid() != 0) {
        fprintf(stderr,
                "cell: must run as root (it makes a root container's view)\n");
        return 1;
    }
    container_mounts(shm_size);
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
        die("prctl PR_SET_NO_NEW_PRIVS", errno);
    load_filter();
    drop_caps();
    if (do_check)
        return check();
    execvp(argv[i], &argv[i]);
    fprintf(stderr, "cell: exec '%s': %s\n", argv[i], strerror(errno));
    return 127;
}
