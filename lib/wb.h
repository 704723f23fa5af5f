/**
 * @file wb.h
 * @brief The workbook's helper library: errors, page size, number parsing,
 *        /proc/self/maps printing, residency and fault counts, catching
 *        a deliberate SIGSEGV or SIGBUS, and the machine probe.
 *
 * Every program in chapters/, exercises/ and solutions/ links this library.
 * It plays the part of TLPI's error_functions.c: small, read once, then
 * trusted, so that each demo can spend its lines on the concept it shows.
 *
 * Conventions shared by all programs:
 * - a failing call prints one line, `prog: step: cause`, and exits 1;
 * - a usage error prints `prog: message (usage: ...)`, one line, and exits 2;
 * - `-h` prints the usage line on stdout and exits 0.
 */
#ifndef WB_H
#define WB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/**
 * @name Errors and arguments (lib/errors.c)
 *
 * Error reports, usage lines, and parsing numbers and sizes from the command line.
 * @{
 */

/** Exit status for a failing call (the program's own error). */
#define WB_EXIT_FAIL 1
/** Exit status for a usage error (the caller's error). */
#define WB_EXIT_USAGE 2

/**
 * @brief Print `prog: STEP: strerror(errno)` on stderr and exit 1.
 *
 * STEP is a printf format naming what was being done, e.g.
 * `wb_die("open '%s'", path)`. errno is read before anything else runs.
 */
_Noreturn void wb_die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/**
 * @brief Print `prog: STEP: strerror(errno)` on stderr and carry on.
 *
 * For tools that report a bad operand and go on to the next, as cat(1) does.
 */
void wb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * @brief Print `prog: MESSAGE` on stderr and exit 1 (no errno).
 *
 * For failures that are not a failing system call: a check that found the
 * wrong bytes, a file of the wrong size.
 */
_Noreturn void wb_fatal(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/**
 * @brief Set the usage line printed by wb_usage() and by `-h`.
 * @param args the part after the program name, e.g. `"[-h] FILE"`.
 */
void wb_set_usage(const char *args);

/**
 * @brief Print `prog: MESSAGE (usage: prog ARGS)` as one line on stderr and
 *        exit 2.
 */
_Noreturn void wb_usage(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/**
 * @brief Parse the common options: `-h` prints usage and exits 0, any other
 *        option is a usage error.
 *
 * Returns the index of the first operand in argv. Programs with options of
 * their own use getopt(3) directly and call wb_help() for `-h`.
 */
int wb_simple_args(int argc, char *argv[]);

/** @brief Print the usage line on stdout and exit 0 (the `-h` option). */
_Noreturn void wb_help(void);

/**
 * @brief Parse a size: decimal digits with an optional K, M or G suffix
 *        (powers of 1024).
 *
 * Rejects an empty string, a sign, junk after the number and overflow.
 * @return 0 and the value in @p out, or -1 with a reason in @p why.
 */
int wb_parse_size(const char *s, size_t *out, const char **why);

/**
 * @brief Parse a size or exit with a usage error naming @p what.
 *
 * Example: `wb_size_arg(argv[1], "length")` given "abc" prints
 * `prog: length 'abc': not a number` and exits 2.
 */
size_t wb_size_arg(const char *s, const char *what);

/**
 * @brief Parse a decimal long in [@p min, @p max] or exit with a usage error.
 */
long wb_long_arg(const char *s, const char *what, long min, long max);

/** @brief The short name of a signal number ("SIGSEGV"). */
const char *wb_signame(int sig);

/** @brief The symbolic name of an errno value ("EINVAL"), or "E?". */
const char *wb_errname(int err);

/** @} */

/**
 * @name Pages and files (lib/pages.c)
 *
 * The page size, and opening or creating the files the demos map.
 * @{
 */

/** @brief The system page size, from sysconf(_SC_PAGESIZE). */
size_t wb_page_size(void);

/** @brief Round @p n up to a whole number of pages. */
size_t wb_round_up(size_t n);

/**
 * @brief Open a regular file, or exit with one line saying why not.
 *
 * open(2) with @p flags, then fstat(2) into @p st. A failing call is
 * reported as wb_die() does (the step is the open or the fstat of PATH),
 * and anything but a regular file (a directory, a device) as "PATH is not
 * a regular file"; both exit 1.
 * @return the descriptor.
 */
int wb_open_file(const char *path, int flags, struct stat *st);

/**
 * @brief Create an empty temporary file under $TMPDIR (or /tmp), already
 *        unlinked unless @p keep_path is non-NULL.
 *
 * When @p keep_path is given, the path is written there (at least 4096
 * bytes) and the caller removes the file.
 * @return an O_RDWR descriptor.
 */
int wb_temp_file(const char *stem, char *keep_path);

/** @} */

/**
 * @name Maps and smaps (lib/maps.c)
 *
 * Reading /proc/self/maps, /proc/self/smaps, /proc/meminfo and residency.
 * @{
 */

/**
 * @brief One line of /proc/PID/maps, parsed.
 */
struct wb_vma {
    unsigned long start;       /**< first address */
    unsigned long end;         /**< one past the last address */
    char perms[5];             /**< e.g. "rw-p", "r--s" */
    unsigned long long offset; /**< file offset of start */
    char path[256];            /**< file, [heap], [stack]..., or "" */
};

/**
 * @brief Find the VMA containing @p addr in /proc/self/maps.
 * @return 0 when found, -1 when the address is not mapped.
 */
int wb_vma_of(const void *addr, struct wb_vma *out);

/**
 * @brief Count the VMAs in /proc/self/maps that overlap [addr, addr+len).
 */
int wb_count_vmas(const void *addr, size_t len);

/**
 * @brief Print the /proc/self/maps lines that overlap [addr, addr+len).
 *
 * Each line is printed as `  TAG start-end perms offset path`, and the
 * addresses are given relative to @p addr (`+0x0000-+0x2000`) so that the
 * output is the same from run to run; the permission column and the path
 * are the kernel's own.
 */
void wb_print_vmas(const char *tag, const void *addr, size_t len);

/**
 * @brief One field of /proc/self/smaps for the VMA containing @p addr.
 *
 * @p field is the name before the colon, e.g. "Rss", "Shared_Dirty",
 * "Private_Dirty", "Anonymous".
 * @return the value in kB, or -1 when no VMA contains @p addr or the kernel
 *         does not report that field.
 */
long wb_smaps_kb(const void *addr, const char *field);

/**
 * @brief Count the resident pages of [addr, addr+len) with mincore(2).
 */
size_t wb_resident_pages(const void *addr, size_t len);

/**
 * @brief One line of /proc/meminfo: the value of @p key ("Committed_AS",
 *        "HugePages_Free", ...), in kB for the sizes.
 * @return the value, or -1 when this kernel does not report @p key.
 */
long wb_meminfo_kb(const char *key);

/** @} */

/**
 * @name Faults and timing (lib/faults.c)
 *
 * Fault counts, a clock, catching SIGSEGV/SIGBUS on purpose, and knowing when Valgrind or ASan is watching.
 * @{
 */

/** @brief Minor page faults taken by this process so far (getrusage). */
long wb_minor_faults(void);

/** @brief Major page faults taken by this process so far (getrusage). */
long wb_major_faults(void);

/** @brief Now, in microseconds, on the monotonic clock (for timing a step). */
double wb_now_us(void);

/**
 * @brief Sort @p n timings into ascending order, so that v[0] is the fastest
 *        and v[n / 2] the median.
 */
void wb_sort_doubles(double *v, size_t n);

/**
 * @brief Read one byte at @p p, catching SIGSEGV and SIGBUS.
 * @return 0 when the read worked (the byte in @p *val), or the number of the
 *         signal that the access raised.
 */
int wb_try_read(const volatile char *p, char *val);

/**
 * @brief Write @p val at @p p, catching SIGSEGV and SIGBUS.
 * @return 0 when the write worked, or the number of the signal it raised.
 */
int wb_try_write(volatile char *p, char val);

/**
 * @brief The si_code of the last signal caught by wb_try_read()/wb_try_write(),
 *        as a name ("SEGV_MAPERR", "SEGV_ACCERR", "BUS_ADRERR", ...).
 */
const char *wb_last_fault_code(void);

/** @brief The faulting address of the last signal caught. */
void *wb_last_fault_addr(void);

/** @brief True when the program runs under Valgrind. */
bool wb_on_valgrind(void);

/**
 * @brief True when the program was built with AddressSanitizer.
 *
 * That is what `make sanitize` does. ASan has its own malloc, shadow memory
 * and interceptors, so some lessons look different.
 */
bool wb_on_asan(void);

/**
 * @brief Stop Memcheck reporting errors until wb_quiet_end().
 *
 * For the few lines that touch unmapped or protected memory on purpose
 * (the lesson, not a bug). Does nothing outside Valgrind.
 */
void wb_quiet_begin(void);

/** @brief Undo wb_quiet_begin(). */
void wb_quiet_end(void);

/** @} */

/**
 * @name The machine probe (lib/probe.c)
 *
 * Facts about this machine that a lesson depends on, each *measured* by
 * doing the thing (not inferred from a version number). `make doctor`
 * prints them all; demos call the same functions to say which case they
 * are in; the tests read the same facts from `build/doctor --env`, run
 * once per test run, so an expectation never comes from the program under
 * test. Each result is computed once per process and cached; the whole
 * probe takes a few milliseconds. No probe function exits: a step that
 * fails gives WB_UNKNOWN, or the documented default for a number.
 * @{
 */

/** @brief How a fact came out: yes, no, or could not be measured here. */
enum wb_fact { WB_NO = 0, WB_YES = 1, WB_UNKNOWN = -1 };

/**
 * @brief Does a read fault on fresh private anonymous memory map the
 *        shared zero page?
 *
 * Measured: a small MAP_PRIVATE|MAP_ANONYMOUS region (MADV_NOHUGEPAGE) is
 * read page by page, then smaps' Rss of that VMA is read: the zero page is
 * not counted in Rss, a private page is. WB_UNKNOWN when smaps cannot be
 * read or Rss is neither near 0 nor near the whole region.
 */
enum wb_fact wb_probe_zero_page(void);

/**
 * @brief Print one line comparing what a demo saw (@p seen: did its reads
 *        map the zero page?) with wb_probe_zero_page(): agrees, disagrees,
 *        or the probe could not tell.
 */
void wb_compare_zero_page(enum wb_fact seen);

/**
 * @brief Pages one write fault maps on fresh private anonymous memory that
 *        has no madvise advice: 1, or more where multi-size THP (6.8+) is
 *        enabled for some size. Measured with minor-fault counts over a
 *        1 MiB region aligned to 1 MiB (smaller than a PMD huge page),
 *        rounded to a power of two. 1 when it cannot be measured.
 */
size_t wb_probe_anon_fault_pages(void);

/**
 * @brief Pages one read fault maps on a file that is wholly in the page
 *        cache (fault-around; 16 with the kernel's default of 64 KiB).
 *        Measured: a 64-page file under $TMPDIR (a memfd if that fails),
 *        written, mapped MAP_PRIVATE, one byte read; then smaps' Rss of the
 *        mapping. 16 when it cannot be measured.
 */
size_t wb_probe_file_fault_pages(void);

/**
 * @brief The median cost of one minor fault on fresh private anonymous
 *        memory, in nanoseconds (write faults, one page each): five rounds
 *        of 256 fresh pages. 0 when it cannot be measured.
 */
double wb_probe_fault_ns(void);

/**
 * @brief Does userfaultfd(2) work for this process (as it is: user, seccomp,
 *        sysctl)? On WB_NO, @p why (if not NULL) gets the errno name and the
 *        likely cause, e.g. "EPERM: sysctl vm.unprivileged_userfaultfd is 0
 *        and this process lacks CAP_SYS_PTRACE"; "" on WB_YES.
 *
 * Tried with UFFD_USER_MODE_ONLY first (allowed unprivileged since 5.11),
 * then without it. Under Valgrind, which refuses userfaultfd with ENOSYS
 * (and a warning), it is not tried: WB_NO for this process, whatever the
 * machine can do (run `build/doctor` natively for that).
 */
enum wb_fact wb_probe_userfaultfd(const char **why);

/**
 * @brief Can a memfd with F_SEAL_WRITE be mapped MAP_SHARED|PROT_READ?
 *        Linux 6.7 allowed it; earlier kernels refuse with EPERM (map it
 *        MAP_PRIVATE instead, which works on every kernel).
 */
enum wb_fact wb_probe_sealed_shared_ro(void);

/**
 * @brief Does remap_file_pages(2) work here (deprecated since 3.16,
 *        emulated)? Tried on a shared mapping of a memfd. Under Valgrind,
 *        which refuses the call with ENOSYS, WB_NO without trying.
 */
enum wb_fact wb_probe_remap_file_pages(void);

/**
 * @brief Read a one-line text file such as a /proc/sys or /sys knob into
 *        @p buf (newline removed).
 * @return 0, or -1 when it cannot be read (absent on this kernel, or a
 *         container hides it).
 */
int wb_read_knob(const char *path, char *buf, size_t n);

/**
 * @brief The selected value of a knob that lists choices with one in
 *        brackets, e.g. "always [madvise] never" gives "madvise".
 * A knob without brackets gives its whole value.
 * @return 0, or -1 when it cannot be read.
 */
int wb_knob_choice(const char *path, char *buf, size_t n);

/** @} */

#endif
