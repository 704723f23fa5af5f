/*
 * perfdata.h: the PerfData format, and a parser that trusts nothing in it.
 *
 * This header is shared by the chapter's programs (perfvm, perfstat) and by
 * the libFuzzer target in fuzz/. It needs nothing but the C library: no
 * wb.h, no system calls, so the parser can be fuzzed on a plain buffer.
 *
 * The region a producer publishes is a 32-byte prologue followed by entries,
 * each entry one counter:
 *
 *   prologue  0 magic CA FE C0 C0   4 byte_order (0 big, 1 little)
 *             5 major (2)  6 minor (0)  7 accessible (1 once initialised)
 *             8 used   12 overflow   16 mod_time_stamp (8 bytes)
 *            24 entry_offset   28 num_entries
 *   entry     0 entry_length  4 name_offset  8 vector_length (0: scalar)
 *            12 data_type ('J' 64-bit integer, 'B' bytes)  13 flags
 *            14 data_units   15 data_variability   16 data_offset
 *            then the name and its NUL, padding, the data; the whole entry
 *            rounded up to 8 bytes.
 *
 * Every function here is `static inline`: each program that includes the
 * header gets its own copy and no warning for the functions it does not use.
 */
#ifndef PERFDATA_H
#define PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* [layout] */
#define PD_PROLOGUE_SIZE 32u
#define PD_MAJOR         2u /* the only major version this code knows */
#define PD_MINOR         0u
#define PD_BIG_ENDIAN    0u
#define PD_LITTLE_ENDIAN 1u

/* Byte offsets in the prologue. */
enum {
    PD_P_MAGIC = 0,         /* 4 bytes, CA FE C0 C0 in memory */
    PD_P_BYTE_ORDER = 4,    /* 1 byte */
    PD_P_MAJOR = 5,         /* 1 byte */
    PD_P_MINOR = 6,         /* 1 byte */
    PD_P_ACCESSIBLE = 7,    /* 1 byte: 0 while the producer initialises */
    PD_P_USED = 8,          /* 4 bytes: bytes of the region in use */
    PD_P_OVERFLOW = 12,     /* 4 bytes: bytes that did not fit */
    PD_P_MOD_TIME = 16,     /* 8 bytes: when the last entry was added */
    PD_P_ENTRY_OFFSET = 24, /* 4 bytes: where the first entry starts */
    PD_P_NUM_ENTRIES = 28,  /* 4 bytes: entries counted so far (ours once
                               complete, HotSpot's before it writes them) */
};

/* Byte offsets in an entry's header. */
enum {
    PD_E_LENGTH = 0,        /* 4 bytes: the whole entry, a multiple of 8 */
    PD_E_NAME_OFFSET = 4,   /* 4 bytes: from the entry's start */
    PD_E_VECTOR_LENGTH = 8, /* 4 bytes: elements; 0 for a scalar */
    PD_E_DATA_TYPE = 12,    /* 1 byte: 'J' or 'B' */
    PD_E_FLAGS = 13,        /* 1 byte: 1 = supported (java.*, com.sun.*) */
    PD_E_UNITS = 14,        /* 1 byte: enum pd_units */
    PD_E_VARIABILITY = 15,  /* 1 byte: enum pd_variability */
    PD_E_DATA_OFFSET = 16,  /* 4 bytes: from the entry's start */
    PD_ENTRY_HEADER = 20,
};
/* [layout] */

/* The smallest entry that can hold a header, a one-letter name and its NUL. */
#define PD_MIN_ENTRY (PD_ENTRY_HEADER + 2u)

enum pd_units {
    PD_NONE = 1,
    PD_BYTES,
    PD_TICKS,
    PD_EVENTS,
    PD_STRING,
    PD_HERTZ
};
enum pd_variability { PD_CONSTANT = 1, PD_MONOTONIC, PD_VARIABLE };
#define PD_FLAG_SUPPORTED 1u

/* What the prologue says, in host byte order. */
struct pd_info {
    size_t size; /* bytes in the region (the file) */
    unsigned byte_order, major, minor, accessible;
    uint32_t used, overflow, entry_offset, num_entries;
    uint64_t mod_time;
};

/* One counter found by pd_parse(); offsets are from the region's start. */
struct pd_counter {
    const char *name;       /* points into the parsed buffer, NUL-terminated */
    size_t entry;           /* offset of the entry */
    size_t data;            /* offset of the value */
    uint32_t vector_length; /* 0 for a 'J' scalar, bytes for 'B' */
    char type;              /* 'J' or 'B' */
    unsigned flags, units, variability;
};

static inline const char *pd_units_name(unsigned u)
{
    static const char *const names[] = {"?",      "None",   "Bytes", "Ticks",
                                        "Events", "String", "Hertz"};
    return u < sizeof names / sizeof names[0] ? names[u] : "?";
}

static inline const char *pd_variability_name(unsigned v)
{
    static const char *const names[] = {"?", "Constant", "Monotonic",
                                        "Variable"};
    return v < sizeof names / sizeof names[0] ? names[v] : "?";
}

/* Integers in the region's own byte order, read byte by byte: no alignment
 * is assumed, and the same code reads a big-endian file on a little-endian
 * machine. */
static inline uint32_t pd_get32(const unsigned char *p, unsigned order)
{
    if (order == PD_BIG_ENDIAN)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
               (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           p[0];
}

static inline uint64_t pd_get64(const unsigned char *p, unsigned order)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | p[order == PD_BIG_ENDIAN ? k : 7 - k];
    return v;
}

static inline void pd_put32(unsigned char *p, uint32_t v, unsigned order)
{
    for (int k = 0; k < 4; k++)
        p[order == PD_BIG_ENDIAN ? 3 - k : k] = (unsigned char)(v >> 8 * k);
}

static inline void pd_put64(unsigned char *p, uint64_t v, unsigned order)
{
    for (int k = 0; k < 8; k++)
        p[order == PD_BIG_ENDIAN ? 7 - k : k] = (unsigned char)(v >> 8 * k);
}

/* The byte order of this machine, as the prologue spells it. */
static inline unsigned pd_host_order(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1 ? PD_LITTLE_ENDIAN : PD_BIG_ENDIAN;
}

/* A bound on the counters a region of SIZE bytes can hold: the size of the
 * array to give pd_parse(). */
static inline size_t pd_max_counters(size_t size)
{
    return size / PD_MIN_ENTRY + 1;
}

/* Read and check the prologue. Returns 0, or -1 with the reason in ERR. */
static inline int pd_parse_prologue(const unsigned char *buf, size_t size,
                                    struct pd_info *info, char *err,
                                    size_t errlen)
{
    memset(info, 0, sizeof *info);
    info->size = size;
    if (size < PD_PROLOGUE_SIZE) {
        snprintf(err, errlen,
                 "region of %zu bytes is smaller than the "
                 "%u-byte prologue",
                 size, PD_PROLOGUE_SIZE);
        return -1;
    }
    if (buf[0] != 0xca || buf[1] != 0xfe || buf[2] != 0xc0 || buf[3] != 0xc0) {
        snprintf(err, errlen,
                 "bad magic %02x %02x %02x %02x (want ca fe c0 c0)", buf[0],
                 buf[1], buf[2], buf[3]);
        return -1;
    }
    unsigned order = buf[PD_P_BYTE_ORDER];
    if (order != PD_BIG_ENDIAN && order != PD_LITTLE_ENDIAN) {
        snprintf(err, errlen, "bad byte order %u (want 0 or 1)", order);
        return -1;
    }
    info->byte_order = order;
    info->major = buf[PD_P_MAJOR];
    info->minor = buf[PD_P_MINOR];
    info->accessible = buf[PD_P_ACCESSIBLE];
    if (info->major != PD_MAJOR) {
        snprintf(err, errlen,
                 "unsupported major version %u (this reader "
                 "knows %u)",
                 info->major, PD_MAJOR);
        return -1;
    }
    info->used = pd_get32(buf + PD_P_USED, order);
    info->overflow = pd_get32(buf + PD_P_OVERFLOW, order);
    info->mod_time = pd_get64(buf + PD_P_MOD_TIME, order);
    info->entry_offset = pd_get32(buf + PD_P_ENTRY_OFFSET, order);
    info->num_entries = pd_get32(buf + PD_P_NUM_ENTRIES, order);
    if (info->used > size) {
        snprintf(err, errlen, "used %u is beyond the region (%zu bytes)",
                 info->used, size);
        return -1;
    }
    if (info->entry_offset < PD_PROLOGUE_SIZE || info->entry_offset > size) {
        snprintf(err, errlen,
                 "entry_offset %u is outside the region "
                 "(%u..%zu)",
                 info->entry_offset, PD_PROLOGUE_SIZE, size);
        return -1;
    }
    return 0;
}

/*
 * Parse one entry at offset OFF of a region of SIZE bytes. Every length and
 * offset read from the buffer is checked against the entry, and the entry
 * against the region, before anything is read through it.
 * Returns the entry's length (> 0), 0 at the end of the list (an
 * entry_length of 0), or -1 with the reason in ERR.
 */
/* [entry] */
static inline long pd_parse_entry(const unsigned char *buf, size_t size,
                                  unsigned order, size_t off, uint32_t index,
                                  struct pd_counter *c, char *err,
                                  size_t errlen)
{
#define PD_BAD(...)                                                            \
    do {                                                                       \
        int n_ =                                                               \
            snprintf(err, errlen, "entry %u at offset %zu: ", index, off);     \
        if (n_ > 0 && (size_t)n_ < errlen)                                     \
            snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__);              \
        return -1;                                                             \
    } while (0)
    if (off > size || size - off < PD_ENTRY_HEADER)
        PD_BAD("header runs past the end of the region (%zu bytes)", size);
    const unsigned char *e = buf + off;
    uint32_t len = pd_get32(e + PD_E_LENGTH, order);
    if (len == 0)
        return 0; /* the end of the list */
    if (len < PD_MIN_ENTRY)
        PD_BAD("entry_length %u does not advance past its %u-byte header", len,
               (unsigned)PD_ENTRY_HEADER);
    if (len > size - off)
        PD_BAD("entry_length %u runs past the end of the region (%zu bytes)",
               len, size);
    uint32_t name_off = pd_get32(e + PD_E_NAME_OFFSET, order);
    if (name_off < PD_ENTRY_HEADER || name_off >= len)
        PD_BAD("name_offset %u is outside the entry (%u..%u)", name_off,
               (unsigned)PD_ENTRY_HEADER, len - 1);
    const char *name = (const char *)e + name_off;
    const char *nul = memchr(name, '\0', len - name_off);
    if (nul == NULL)
        PD_BAD("the name has no NUL inside the entry");
    if (nul == name)
        PD_BAD("the name is empty");
    uint32_t vlen = pd_get32(e + PD_E_VECTOR_LENGTH, order);
    uint32_t data_off = pd_get32(e + PD_E_DATA_OFFSET, order);
    char type = (char)e[PD_E_DATA_TYPE];
    size_t name_end = (size_t)(nul - (const char *)e) + 1;
    if (data_off < name_end || data_off >= len)
        PD_BAD("data_offset %u is outside the entry (%zu..%u)", data_off,
               name_end, len - 1);
    if (type == 'J') {
        if (vlen != 0)
            PD_BAD("vector_length %u for type J (only scalars are supported)",
                   vlen);
        if (len - data_off < 8)
            PD_BAD("the 8-byte value at data_offset %u does not fit in the "
                   "entry (%u bytes)",
                   data_off, len);
        if ((off + data_off) % 8 != 0)
            PD_BAD("the 8-byte value at offset %zu is not 8-byte aligned",
                   off + data_off);
    } else if (type == 'B') {
        if (vlen == 0)
            PD_BAD("a byte vector of length 0");
        if (vlen > len - data_off)
            PD_BAD("vector_length %u does not fit in the entry (data at %u, "
                   "entry %u bytes)",
                   vlen, data_off, len);
    } else {
        PD_BAD("unsupported data type 0x%02x", (unsigned char)type);
    }
#undef PD_BAD
    c->name = name;
    c->entry = off;
    c->data = off + data_off;
    c->vector_length = vlen;
    c->type = type;
    c->flags = e[PD_E_FLAGS];
    c->units = e[PD_E_UNITS];
    c->variability = e[PD_E_VARIABILITY];
    return (long)len;
}
/* [entry] */

/*
 * Parse a whole region: the prologue, then up to num_entries entries from
 * entry_offset, stopping early at an entry_length of 0. OUT has room for
 * MAX counters (pd_max_counters(size) is always enough); *COUNT gets the
 * number found. Returns 0, or -1 with one line of reason in ERR.
 */
static inline int pd_parse(const unsigned char *buf, size_t size,
                           struct pd_info *info, struct pd_counter *out,
                           size_t max, size_t *count, char *err, size_t errlen)
{
    *count = 0;
    if (pd_parse_prologue(buf, size, info, err, errlen) == -1)
        return -1;
    size_t off = info->entry_offset;
    for (uint32_t i = 0; i < info->num_entries; i++) {
        if (*count == max) {
            snprintf(err, errlen, "more than %zu entries", max);
            return -1;
        }
        long len = pd_parse_entry(buf, size, info->byte_order, off, i,
                                  &out[*count], err, errlen);
        if (len == -1)
            return -1;
        if (len == 0)
            break;
        (*count)++;
        off += (size_t)len;
    }
    return 0;
}

/* The value of a 'J' counter, in host byte order. */
static inline int64_t pd_long(const unsigned char *buf,
                              const struct pd_info *info,
                              const struct pd_counter *c)
{
    return (int64_t)pd_get64(buf + c->data, info->byte_order);
}

/*
 * Print a counter's value: as jcmd PerfCounter.print does, a decimal number
 * for 'J' and, for a 'B' string (units String), its bytes up to the first
 * NUL in double quotes; other byte vectors, which jvmstat refuses (jcmd
 * prints a stack trace instead of the counters), as 0x and hex digits.
 */
static inline void pd_print_value(FILE *f, const unsigned char *buf,
                                  const struct pd_info *info,
                                  const struct pd_counter *c)
{
    if (c->type == 'J') {
        fprintf(f, "%lld", (long long)pd_long(buf, info, c));
    } else if (c->units == PD_STRING) {
        const unsigned char *s = buf + c->data;
        const unsigned char *nul = memchr(s, '\0', c->vector_length);
        size_t n = nul ? (size_t)(nul - s) : c->vector_length;
        fputc('"', f);
        fwrite(s, 1, n, f);
        fputc('"', f);
    } else {
        fputs("0x", f);
        for (uint32_t k = 0; k < c->vector_length; k++)
            fprintf(f, "%02x", buf[c->data + k]);
    }
}

#endif
