/*
 * mmkv_fuzz.c: a libFuzzer target for the store's open and check path
 * (../mmkv.h).
 *
 * Every input is a whole store file. It is opened read-only twice through
 * a memfd (/proc/self/fd/N, so that the real open, fstat and mmap run):
 * once as it is, and once with every checksum recomputed, the meta slots'
 * and then each record's as far as the lengths allow, so that the fuzzer
 * reaches the index, the meta's end and record counts and the records'
 * lengths and types instead of stopping at the first CRC. Either open must
 * fail with a message or give a store whose every key can be scanned, got
 * and counted. A read outside the mapping is caught only if it faults:
 * AddressSanitizer puts no redzones around mmap'd memory, so an over-read
 * that lands in a neighbouring mapping, or in the rest of the last page,
 * goes unseen; one that reaches unmapped memory is a SIGSEGV the fuzzer
 * reports.
 *
 * Not one of the example's programs: the Makefile's `fuzz` target builds it
 * with clang -fsanitize=fuzzer,address,undefined, seeds the corpus with a
 * store the tool wrote, and runs it for FUZZ_SECONDS.
 */
#include "mmkv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
    mmkv *db = arg;
    const void *v2;
    size_t vl2;
    /* Every scanned key must be found again, with the same value. */
    if (mmkv_get(db, k, kl, &v2, &vl2) != 1 || vl2 != vl ||
        memcmp(v, v2, vl) != 0)
        abort();
    return 0;
}

static void try_open(const uint8_t *data, size_t size)
{
    int fd = memfd_create("mmkv_fuzz", MFD_CLOEXEC);
    if (fd == -1)
        return;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char path[64], err[MMKV_ERRLEN];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    mmkv *db = mmkv_open(path, MMKV_RDONLY, err);
    if (db != NULL) {
        struct mmkv_stat st;
        mmkv_stat(db, &st);
        if (st.puts + st.dels != st.records || st.live > st.puts)
            abort();
        mmkv_scan(db, visit, db);
        mmkv_close(db);
    } else if (strlen(err) == 0) {
        abort(); /* a failure must say why */
    }
    close(fd);
}

/* Recompute the checksums of the meta slots and of the records. */
static void fix_crcs(uint8_t *p, size_t size)
{
    if (size < MMKV_DATA_START)
        return;
    uint64_t end = size;
    for (unsigned s = 0; s < 2; s++) {
        struct mmkv_meta m;
        memcpy(&m, p + s * MMKV_META_SIZE, sizeof m);
        m.crc = mmkv_crc32c(0, &m, offsetof(struct mmkv_meta, crc));
        memcpy(p + s * MMKV_META_SIZE, &m, sizeof m);
        if (m.end < end)
            end = m.end;
    }
    for (uint64_t off = MMKV_DATA_START;
         off + sizeof(struct mmkv_rec) <= end;) {
        struct mmkv_rec h;
        memcpy(&h, p + off, sizeof h);
        uint64_t len = (uint64_t)sizeof h + h.klen + h.vlen;
        if (len > end - off)
            break;
        h.crc = mmkv_crc32c(0, &h.klen, sizeof h - sizeof h.crc);
        h.crc = mmkv_crc32c(h.crc, p + off + sizeof h, h.klen + (size_t)h.vlen);
        memcpy(p + off, &h, sizeof h);
        off += (len + 7) & ~(uint64_t)7;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_open(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    fix_crcs(copy, size);
    try_open(copy, size);
    free(copy);
    return 0;
}
