/*
 * main.c: mmkv, the command-line tool over the mmkv store (mmkv.h).
 *
 *   mmkv put FILE KEY VALUE [KEY VALUE]...   one commit; creates FILE
 *   mmkv get FILE KEY                         the value, then a newline
 *   mmkv del FILE KEY...                      one commit
 *   mmkv scan FILE [PREFIX]                   live keys, KEY<TAB>VALUE lines
 *   mmkv dump FILE                            the same, every key
 *   mmkv load [-n N] [-a] FILE                KEY<TAB>VALUE lines from stdin;
 *                                             a commit every N (default: one)
 *   mmkv stat FILE                            sizes and counts
 *   mmkv check FILE                           validate the meta slots and
 *                                             every committed record
 *
 * dump, scan and load share one text format: a line per key, KEY, a tab,
 * VALUE; a backslash, tab, newline, carriage return and any other byte
 * below 0x20 or 0x7f is written as \\, \t, \n, \r or \xHH. With -a, load
 * prints `ack KEY` after the commit that made KEY durable has returned.
 *
 * Errors: one line `mmkv: STEP: CAUSE`, exit 1; a usage error, one line,
 * exit 2. Only put, del and load ever write, and only after every
 * operand was checked; reading commands open the file read-only.
 *
 * Usage: mmkv [-h] put|get|del|scan|dump|load|stat|check FILE ...
 * Man pages: mmap(2), msync(2), mremap(2), posix_fallocate(3), flock(2)
 */
#include "mmkv.h"
#include "wb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *path; /* FILE, for messages */

static mmkv *open_store(int flags)
{
    char err[MMKV_ERRLEN];
    mmkv *db = mmkv_open(path, flags, err);
    if (db == NULL)
        wb_fatal("%s", err);
    return db;
}

/* Report the store's last error and exit; the store is closed first, so
 * every exit path leaves nothing open or allocated behind it. */
static _Noreturn void store_fail(mmkv *db)
{
    char msg[MMKV_ERRLEN];
    snprintf(msg, sizeof msg, "%s", mmkv_error(db));
    mmkv_close(db);
    wb_fatal("%s", msg);
}

/* ---- the text format --------------------------------------------------- */

static void put_escaped(FILE *f, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        switch (c) {
        case '\\': fputs("\\\\", f); break;
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\x%02x", c);
            else
                fputc(c, f);
        }
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Unescape [p, p + n) in place; return the new length or -1. */
static long unescape(char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\') {
            p[o++] = p[i];
            continue;
        }
        if (++i == n)
            return -1;
        switch (p[i]) {
        case '\\': p[o++] = '\\'; break;
        case 't': p[o++] = '\t'; break;
        case 'n': p[o++] = '\n'; break;
        case 'r': p[o++] = '\r'; break;
        case 'x': {
            int hi = i + 1 < n ? hexval(p[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(p[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            p[o++] = (char)(hi * 16 + lo);
            i += 2;
            break;
        }
        default: return -1;
        }
    }
    return (long)o;
}

/* ---- commands ---------------------------------------------------------- */

static void check_key(size_t klen, const char *what)
{
    if (klen == 0 || klen > MMKV_MAX_KEY)
        wb_fatal("%s: key of %zu bytes: keys are 1 to %u bytes", what, klen,
                 MMKV_MAX_KEY);
}

static void cmd_put(int n, char *args[])
{
    if (n == 0 || n % 2 != 0)
        wb_usage("put needs KEY VALUE pairs");
    for (int i = 0; i < n; i += 2) {
        check_key(strlen(args[i]), "put");
        if (strlen(args[i + 1]) > MMKV_MAX_VALUE)
            wb_fatal("put: value of %zu bytes: the limit is %u",
                     strlen(args[i + 1]), MMKV_MAX_VALUE);
    }
    mmkv *db = open_store(MMKV_RDWR | MMKV_CREATE);
    if (mmkv_begin(db) == -1)
        store_fail(db);
    for (int i = 0; i < n; i += 2)
        if (mmkv_put(db, args[i], strlen(args[i]), args[i + 1],
                     strlen(args[i + 1])) == -1)
            store_fail(db);
    if (mmkv_commit(db) == -1)
        store_fail(db);
    mmkv_close(db);
}

static void cmd_get(int n, char *args[])
{
    if (n != 1)
        wb_usage("get needs one KEY");
    mmkv *db = open_store(MMKV_RDONLY);
    const void *v;
    size_t vl;
    if (mmkv_get(db, args[0], strlen(args[0]), &v, &vl) == 0) {
        mmkv_close(db);
        wb_fatal("get '%s': not found", args[0]);
    }
    if (fwrite(v, 1, vl, stdout) != vl || putchar('\n') == EOF)
        wb_die("write");
    mmkv_close(db);
}

static void cmd_del(int n, char *args[])
{
    if (n == 0)
        wb_usage("del needs at least one KEY");
    mmkv *db = open_store(MMKV_RDWR);
    if (mmkv_begin(db) == -1)
        store_fail(db);
    const void *v;
    size_t vl;
    for (int i = 0; i < n; i++)
        if (mmkv_get(db, args[i], strlen(args[i]), &v, &vl) == 0) {
            mmkv_close(db);
            wb_fatal("del '%s': not found", args[i]);
        }
    for (int i = 0; i < n; i++)
        if (mmkv_del(db, args[i], strlen(args[i])) == -1)
            store_fail(db);
    if (mmkv_commit(db) == -1)
        store_fail(db);
    mmkv_close(db);
}

struct scan_arg {
    const char *prefix;
    size_t plen;
};

static int print_kv(const void *k, size_t kl, const void *v, size_t vl,
                    void *arg)
{
    const struct scan_arg *a = arg;
    if (kl < a->plen || memcmp(k, a->prefix, a->plen) != 0)
        return 0;
    put_escaped(stdout, k, kl);
    putchar('\t');
    put_escaped(stdout, v, vl);
    putchar('\n');
    return 0;
}

static void cmd_scan(int n, char *args[], int all)
{
    if (all ? n != 0 : n > 1)
        wb_usage(all ? "dump takes no operand after FILE"
                     : "scan takes at most one PREFIX");
    mmkv *db = open_store(MMKV_RDONLY);
    struct scan_arg a = {n == 1 ? args[0] : "", n == 1 ? strlen(args[0]) : 0};
    mmkv_scan(db, print_kv, &a);
    if (fflush(stdout) == EOF)
        wb_die("write");
    mmkv_close(db);
}

/* Read all of stdin: the whole input is checked before the store is
 * touched, so a bad line changes nothing. */
static char *slurp(size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        wb_die("load: malloc");
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL)
                wb_die("load: realloc");
            buf = nb;
        }
        ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
        if (r == -1 && errno == EINTR)
            continue;
        if (r == -1)
            wb_die("load: read stdin");
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

struct kv {
    char *k, *v;
    size_t kl, vl;
};

static void cmd_load(int argc, char *argv[])
{
    long every = 0;
    int ack = 0, opt;
    optind = 2; /* after "load" */
    while ((opt = getopt(argc, argv, "+hn:a")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'n': every = wb_long_arg(optarg, "-n", 1, 1L << 40); break;
        case 'a': ack = 1; break;
        default: wb_usage("load: unknown option");
        }
    }
    if (argc - optind != 1)
        wb_usage("load needs FILE (and reads stdin)");
    path = argv[optind];

    size_t len;
    char *buf = slurp(&len);
    size_t nkv = 0, cap = 1024;
    struct kv *kv = malloc(cap * sizeof *kv);
    if (kv == NULL)
        wb_die("load: malloc");
    size_t line = 0;
    for (size_t pos = 0; pos < len;) {
        char *s = buf + pos;
        char *nl = memchr(s, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - s) : len - pos;
        pos += ll + 1;
        line++;
        char *tab = memchr(s, '\t', ll);
        if (tab == NULL)
            wb_fatal("load: line %zu: no tab between key and value", line);
        long kl = unescape(s, (size_t)(tab - s));
        long vl = unescape(tab + 1, ll - (size_t)(tab - s) - 1);
        if (kl < 0 || vl < 0)
            wb_fatal("load: line %zu: bad escape", line);
        char what[64];
        snprintf(what, sizeof what, "load: line %zu", line);
        check_key((size_t)kl, what);
        if ((unsigned long)vl > MMKV_MAX_VALUE)
            wb_fatal("%s: value of %ld bytes: the limit is %u", what, vl,
                     MMKV_MAX_VALUE);
        if (nkv == cap) {
            cap *= 2;
            struct kv *nk = realloc(kv, cap * sizeof *kv);
            if (nk == NULL)
                wb_die("load: realloc");
            kv = nk;
        }
        kv[nkv++] = (struct kv){s, tab + 1, (size_t)kl, (size_t)vl};
    }

    mmkv *db = open_store(MMKV_RDWR | MMKV_CREATE);
    if (every == 0)
        every = nkv ? (long)nkv : 1;
    for (size_t i = 0; i < nkv; i += (size_t)every) {
        size_t stop = i + (size_t)every < nkv ? i + (size_t)every : nkv;
        if (mmkv_begin(db) == -1)
            store_fail(db);
        for (size_t j = i; j < stop; j++)
            if (mmkv_put(db, kv[j].k, kv[j].kl, kv[j].v, kv[j].vl) == -1)
                store_fail(db);
        if (mmkv_commit(db) == -1)
            store_fail(db);
        if (ack) {
            for (size_t j = i; j < stop; j++) {
                fputs("ack ", stdout);
                put_escaped(stdout, (unsigned char *)kv[j].k, kv[j].kl);
                putchar('\n');
            }
            if (fflush(stdout) == EOF)
                wb_die("write");
        }
    }
    mmkv_close(db);
    free(kv);
    free(buf);
}

static void cmd_stat(int n)
{
    if (n != 0)
        wb_usage("stat takes no operand after FILE");
    mmkv *db = open_store(MMKV_RDONLY);
    struct mmkv_stat st;
    if (mmkv_stat(db, &st) == -1)
        store_fail(db);
    printf("file: %llu bytes, log end %llu, generation %llu\n",
           (unsigned long long)st.file_size, (unsigned long long)st.end,
           (unsigned long long)st.generation);
    printf("keys: %llu live; records: %llu (%llu puts, %llu deletes)\n",
           (unsigned long long)st.live, (unsigned long long)st.records,
           (unsigned long long)st.puts, (unsigned long long)st.dels);
    mmkv_close(db);
}

static void cmd_check(int n)
{
    if (n != 0)
        wb_usage("check takes no operand after FILE");
    /* The slots first, read with pread so that each is reported even when
     * the file cannot be opened as a store. */
    struct stat st;
    int fd = wb_open_file(path, O_RDONLY, &st);
    struct mmkv_meta m[2];
    char why[128];
    for (unsigned s = 0; s < 2; s++) {
        memset(&m[s], 0, sizeof m[s]);
        ssize_t r = pread(fd, &m[s], sizeof m[s], s * MMKV_META_SIZE);
        if (r == -1)
            wb_die("check '%s': pread", path);
        if (r != (ssize_t)sizeof m[s])
            printf("meta %u: missing (the file has %lld bytes)\n", s,
                   (long long)st.st_size);
        else if (mmkv_meta_check(&m[s], s, why, sizeof why) == 0)
            printf("meta %u: generation %llu, end %llu, %llu records: ok\n", s,
                   (unsigned long long)m[s].generation,
                   (unsigned long long)m[s].end,
                   (unsigned long long)m[s].records);
        else
            printf("meta %u: %s\n", s, why);
    }
    close(fd);
    char err[MMKV_ERRLEN];
    mmkv *db = mmkv_open(path, MMKV_RDONLY, err);
    if (db == NULL)
        wb_fatal("check %s", strchr(err, '\'') ? strchr(err, '\'') : err);
    struct mmkv_stat s;
    if (mmkv_stat(db, &s) == -1)
        store_fail(db);
    printf("records: %llu (%llu puts, %llu deletes) in %llu bytes; "
           "%llu live keys\n",
           (unsigned long long)s.records, (unsigned long long)s.puts,
           (unsigned long long)s.dels,
           (unsigned long long)(s.end - MMKV_DATA_START),
           (unsigned long long)s.live);
    printf("check: ok, generation %llu\n", (unsigned long long)s.generation);
    mmkv_close(db);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] put|get|del|scan|dump|load|stat|check FILE ...");
    int i = wb_simple_args(argc, argv);
    if (i >= argc)
        wb_usage("no command");
    const char *cmd = argv[i];
    if (strcmp(cmd, "load") == 0) {
        if (i != 1)
            wb_usage("options go after the command");
        cmd_load(argc, argv);
        return 0;
    }
    if (i + 1 >= argc)
        wb_usage("%s needs FILE", cmd);
    path = argv[i + 1];
    int n = argc - i - 2;
    char **args = argv + i + 2;
    if (strcmp(cmd, "put") == 0)
        cmd_put(n, args);
    else if (strcmp(cmd, "get") == 0)
        cmd_get(n, args);
    else if (strcmp(cmd, "del") == 0)
        cmd_del(n, args);
    else if (strcmp(cmd, "scan") == 0)
        cmd_scan(n, args, 0);
    else if (strcmp(cmd, "dump") == 0)
        cmd_scan(n, args, 1);
    else if (strcmp(cmd, "stat") == 0)
        cmd_stat(n);
    else if (strcmp(cmd, "check") == 0)
        cmd_check(n);
    else
        wb_usage("unknown command '%s'", cmd);
    return 0;
}
