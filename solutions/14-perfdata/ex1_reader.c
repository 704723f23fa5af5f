/*
 * ex1_reader.c: list the counters of a PerfData file, trusting none of its bytes (solution).
 *
 * See exercises/14-perfdata/ex1_reader.c for the task.
 */
#include "wb.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROLOGUE 32u
#define HEADER   20u

struct counter {
    const char *name;
    const unsigned char *data;
    uint32_t vlen;
    unsigned char type, units;
};

static const char *path;  /* for error messages */
static struct counter *c; /* file-scope: still reachable after wb_fatal */
static bool big;          /* the file's byte order */

static uint32_t get32(const unsigned char *p)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                     (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[1] << 8 | p[0];
}

static int64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | p[big ? k : 7 - k];
    return (int64_t)v;
}

/* Check the entry at OFF (the I-th) and fill C; returns its length, 0 at
 * the end of the list. Exits with one line on any inconsistency. */
static size_t parse_entry(const unsigned char *b, size_t size, size_t off,
                          uint32_t i, struct counter *out)
{
    if (size - off < HEADER)
        wb_fatal("%s: entry %u: header past the end of the file", path, i);
    const unsigned char *e = b + off;
    uint32_t len = get32(e);
    if (len == 0)
        return 0;
    if (len < HEADER + 2)
        wb_fatal(
            "%s: entry %u: entry_length %u does not advance past its header",
            path, i, len);
    if (len > size - off)
        wb_fatal("%s: entry %u: entry_length %u goes past the end of the file",
                 path, i, len);
    uint32_t name_off = get32(e + 4), vlen = get32(e + 8),
             data_off = get32(e + 16);
    if (name_off < HEADER || name_off >= len)
        wb_fatal("%s: entry %u: name_offset %u is outside the entry", path, i,
                 name_off);
    const char *name = (const char *)e + name_off;
    const char *nul = memchr(name, '\0', len - name_off);
    if (nul == NULL)
        wb_fatal("%s: entry %u: the name has no NUL inside the entry", path, i);
    if (data_off < (size_t)(nul + 1 - (const char *)e) || data_off >= len)
        wb_fatal("%s: entry %u: data_offset %u is outside the entry", path, i,
                 data_off);
    unsigned char type = e[12];
    if (type == 'J') {
        if (vlen != 0 || len - data_off < 8)
            wb_fatal("%s: entry %u: the 8-byte value does not fit in the entry",
                     path, i);
    } else if (type == 'B') {
        if (vlen == 0 || vlen > len - data_off)
            wb_fatal("%s: entry %u: vector_length %u does not fit in the entry",
                     path, i, vlen);
    } else {
        wb_fatal("%s: entry %u: unsupported data type 0x%02x", path, i, type);
    }
    *out = (struct counter){name, e + data_off, vlen, type, e[14]};
    return len;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct counter *)a)->name,
                  ((const struct counter *)b)->name);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected FILE");
    path = argv[i];

    int fd = open(path, O_RDONLY);
    if (fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", path);
    if (!S_ISREG(st.st_mode))
        wb_fatal("%s: is not a regular file", path);
    if (st.st_size == 0)
        wb_fatal("%s: is empty", path);
    size_t size = (size_t)st.st_size;
    const unsigned char *b = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    if (b == MAP_FAILED)
        wb_die("mmap '%s'", path);
    close(fd);

    if (size < PROLOGUE)
        wb_fatal("%s: too small for the %u-byte prologue", path, PROLOGUE);
    if (memcmp(b, "\xca\xfe\xc0\xc0", 4) != 0)
        wb_fatal("%s: bad magic %02x %02x %02x %02x", path, b[0], b[1], b[2],
                 b[3]);
    if (b[4] > 1)
        wb_fatal("%s: bad byte order %u", path, b[4]);
    big = b[4] == 0;
    if (b[5] != 2)
        wb_fatal("%s: unsupported major version %u", path, b[5]);
    uint32_t entry_offset = get32(b + 24), n = get32(b + 28);
    if (entry_offset < PROLOGUE || entry_offset > size)
        wb_fatal("%s: entry_offset %u is outside the file", path, entry_offset);

    /* Every entry is at least HEADER + 2 bytes: that bounds the count. */
    c = malloc((size / (HEADER + 2) + 1) * sizeof *c);
    if (c == NULL)
        wb_die("malloc");
    size_t count = 0, off = entry_offset;
    for (uint32_t k = 0; k < n; k++) {
        size_t len = parse_entry(b, size, off, k, &c[count]);
        if (len == 0)
            break;
        count++;
        off += len;
    }

    qsort(c, count, sizeof *c, by_name);
    for (size_t k = 0; k < count; k++) {
        printf("%s=", c[k].name);
        if (c[k].type == 'J') {
            printf("%lld", (long long)get64(c[k].data));
        } else if (c[k].units == 5) {
            const unsigned char *nul = memchr(c[k].data, '\0', c[k].vlen);
            printf("\"%.*s\"",
                   (int)(nul ? (size_t)(nul - c[k].data) : c[k].vlen),
                   (const char *)c[k].data);
        } else {
            printf("0x");
            for (uint32_t j = 0; j < c[k].vlen; j++)
                printf("%02x", c[k].data[j]);
        }
        putchar('\n');
    }
    free(c);
    munmap((void *)b, size);
    return 0;
}
