/*
 * ex2_applog.c: a crash-consistent append-only log in a shared file mapping
 * (solution).
 *
 * The one rule: a record's bytes go in first, and only then does one 64-bit
 * release store publish the new count and used size together. Whenever the
 * writer dies, the header describes records that are wholly in place; bytes
 * past `used` are garbage the next writer overwrites. See
 * exercises/06-msync/ex2_applog.c for the task and the file format.
 */
#include "wb.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPLOG_MAGIC 0x31474f4c50504141ULL /* "AAPPLOG1" little-endian */
enum { HDR_SIZE = 64, INITIAL_PAGES = 4 };

struct applog_hdr {
    uint64_t magic; /* APPLOG_MAGIC, or 0 in a log never initialised */
    uint64_t state; /* count << 32 | used: the commit word */
};

static uint64_t pack(uint32_t count, uint32_t used)
{
    return (uint64_t)count << 32 | used;
}

struct applog {
    int fd;
    char *base;  /* the whole file, mapped */
    size_t size; /* its size */
};

static struct applog_hdr *hdr(const struct applog *log)
{
    return (struct applog_hdr *)log->base;
}

static void map_log(struct applog *log, int prot)
{
    log->base = mmap(NULL, log->size, prot, MAP_SHARED, log->fd, 0);
    if (log->base == MAP_FAILED)
        wb_die("mmap %zu bytes", log->size);
}

/* Make room for need more bytes after used: double the file, map it again. */
static void grow(struct applog *log, size_t used, size_t need)
{
    size_t size = log->size;
    while (HDR_SIZE + used + need > size)
        size *= 2;
    if (size == log->size)
        return;
    if (ftruncate(log->fd, (off_t)size) == -1)
        wb_die("ftruncate to %zu bytes", size);
    if (munmap(log->base, log->size) == -1)
        wb_die("munmap");
    log->size = size;
    map_log(log, PROT_READ | PROT_WRITE);
}

static void append(const char *path, long n, long die_after)
{
    struct applog log;
    log.fd = open(path, O_RDWR | O_CREAT, 0644);
    if (log.fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(log.fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", path);
    log.size = (size_t)st.st_size;
    if (log.size == 0) {
        log.size = INITIAL_PAGES * wb_page_size();
        if (ftruncate(log.fd, (off_t)log.size) == -1)
            wb_die("ftruncate '%s'", path);
    }
    if (log.size < HDR_SIZE)
        wb_fatal("'%s' is not an applog file", path);
    map_log(&log, PROT_READ | PROT_WRITE);

    uint64_t magic = __atomic_load_n(&hdr(&log)->magic, __ATOMIC_ACQUIRE);
    if (magic == 0) /* new, or its creator died before this store */
        __atomic_store_n(&hdr(&log)->magic, APPLOG_MAGIC, __ATOMIC_RELEASE);
    else if (magic != APPLOG_MAGIC)
        wb_fatal("'%s' is not an applog file", path);

    uint64_t state = __atomic_load_n(&hdr(&log)->state, __ATOMIC_ACQUIRE);
    uint32_t count = (uint32_t)(state >> 32), used = (uint32_t)state;
    if (used > log.size - HDR_SIZE)
        wb_fatal("'%s' is corrupt: used %u bytes of %zu", path, used,
                 log.size - HDR_SIZE);

    for (long j = 0; j < n; j++) {
        char text[32];
        uint32_t len = (uint32_t)snprintf(text, sizeof text, "rec %u", count);
        size_t need = sizeof len + len;
        if ((uint64_t)used + need > UINT32_MAX || count == UINT32_MAX)
            wb_fatal("'%s' is full after %u records", path, count);
        grow(&log, used, need);

        /* 1. the record's bytes, past the committed end */
        char *at = log.base + HDR_SIZE + used;
        memcpy(at, &len, sizeof len);
        memcpy(at + sizeof len, text, len);
        if (j == die_after)
            raise(SIGKILL); /* bytes in place, header not updated */

        /* 2. publish count and used together, after the bytes */
        count++;
        used += (uint32_t)need;
        __atomic_store_n(&hdr(&log)->state, pack(count, used),
                         __ATOMIC_RELEASE);
    }
    printf("appended %ld records, count now %u\n", n, count);
    if (munmap(log.base, log.size) == -1)
        wb_die("munmap");
    close(log.fd);
}

static void dump(const char *path)
{
    struct applog log;
    log.fd = open(path, O_RDONLY);
    if (log.fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(log.fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st.st_mode))
        wb_fatal("'%s' is not a regular file", path);
    log.size = (size_t)st.st_size;
    if (log.size == 0) { /* created, never initialised */
        printf("count 0\n");
        close(log.fd);
        return;
    }
    if (log.size < HDR_SIZE)
        wb_fatal("'%s' is not an applog file", path);
    map_log(&log, PROT_READ);
    close(log.fd);

    uint64_t magic = __atomic_load_n(&hdr(&log)->magic, __ATOMIC_ACQUIRE);
    uint64_t state = __atomic_load_n(&hdr(&log)->state, __ATOMIC_ACQUIRE);
    if (magic != APPLOG_MAGIC && (magic != 0 || state != 0))
        wb_fatal("'%s' is not an applog file", path);
    uint32_t count = (uint32_t)(state >> 32), used = (uint32_t)state;
    if (used > log.size - HDR_SIZE)
        wb_fatal("'%s' is corrupt: used %u bytes of %zu", path, used,
                 log.size - HDR_SIZE);

    /* Check that count records fill exactly used bytes, then print them. */
    const char *recs = log.base + HDR_SIZE;
    for (int pass = 0; pass < 2; pass++) {
        size_t pos = 0;
        if (pass == 1)
            printf("count %u\n", count);
        for (uint32_t k = 0; k < count; k++) {
            uint32_t len;
            if (used - pos < sizeof len)
                wb_fatal("'%s' is corrupt: record %u starts past used", path,
                         k);
            memcpy(&len, recs + pos, sizeof len);
            pos += sizeof len;
            if (used - pos < len)
                wb_fatal("'%s' is corrupt: record %u runs past used", path, k);
            if (pass == 1)
                printf("%.*s\n", (int)len, recs + pos);
            pos += len;
        }
        if (pos != used)
            wb_fatal("'%s' is corrupt: %u records end at %zu, used is %u", path,
                     count, pos, used);
    }
    if (munmap(log.base, log.size) == -1)
        wb_die("munmap");
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [--die-after K] FILE append N | FILE dump");
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"die-after", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    long die_after = -1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': wb_help();
        case 'd': die_after = wb_long_arg(optarg, "K", 0, 10000000); break;
        default: /* optopt: a short option; 0: a long one */
            if (optopt != 0)
                wb_usage("unknown option '-%c'", optopt);
            wb_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    int i = optind;
    if (argc - i == 3 && strcmp(argv[i + 1], "append") == 0)
        append(argv[i], wb_long_arg(argv[i + 2], "N", 0, 10000000), die_after);
    else if (argc - i == 2 && strcmp(argv[i + 1], "dump") == 0)
        dump(argv[i]);
    else
        wb_usage("expected FILE append N, or FILE dump");
    return 0;
}
