/**
 * @file mmkv.h
 * @brief mmkv: a persistent key-value store whose whole database is one
 *        file, mapped MAP_SHARED.
 *
 * The file is two meta slots and an append-only log of records:
 *
 *     offset 0     meta slot 0  (4096 bytes; 48 used)
 *     offset 4096  meta slot 1
 *     offset 8192  record, record, record, ...   up to the committed end
 *                  (bytes past the committed end: free space or the
 *                  leftovers of a writer that died before it committed)
 *
 * A record is a 16-byte header (CRC32C, key length, value length, type:
 * put or delete), the key and the value, padded to 8 bytes. A meta slot
 * holds (generation, committed end, record count) and its own CRC32C; the
 * valid slot with the higher generation is the committed state. A commit
 * msyncs the new records, then writes the other slot and msyncs it: the
 * commit is durable when that second msync returns.
 *
 * The index (key to record offset) is a hash table in the process's own
 * memory, built by reading the log on open and brought up to date by
 * reading only the new records when the generation moves (mmkv_refresh).
 * Everything in the file is an offset from its start, never a pointer.
 *
 * One writer at a time, across processes: mmkv_begin() takes flock(LOCK_EX)
 * and mmkv_commit() releases it. Readers take no lock: they read the meta
 * slots, check their CRCs, and read records below the committed end, which
 * no writer ever changes.
 *
 * Every function that can fail returns -1 and leaves one line, `STEP:
 * CAUSE`, in mmkv_error(); mmkv_open() writes it into the caller's buffer.
 */
#ifndef MMKV_H
#define MMKV_H

#include <stddef.h>
#include <stdint.h>

#define MMKV_META_SIZE  4096u       /**< bytes per meta slot */
#define MMKV_DATA_START 8192u       /**< offset of the first record */
#define MMKV_MAX_KEY    1024u       /**< longest key, bytes */
#define MMKV_MAX_VALUE  (16u << 20) /**< longest value, bytes */
#define MMKV_ERRLEN     256         /**< size of an error buffer */
#define MMKV_MAGIC      "MMKVLOG1"  /**< first 8 bytes of each meta slot */
#define MMKV_VERSION    1u          /**< the format's version */
#define MMKV_REC_PUT    1u          /**< record type: a key's new value */
#define MMKV_REC_DEL    2u          /**< record type: a key's deletion */

/** A meta slot as stored in the file (native byte order, little-endian on
 *  x86-64 and arm64). */
struct mmkv_meta {
    char magic[8];       /**< MMKV_MAGIC */
    uint32_t version;    /**< MMKV_VERSION */
    uint32_t slot;       /**< 0 or 1: where this copy belongs */
    uint64_t generation; /**< commit number; generation % 2 == slot */
    uint64_t end;        /**< committed end of the log (file offset) */
    uint64_t records;    /**< records in [MMKV_DATA_START, end) */
    uint32_t reserved;   /**< zero */
    uint32_t crc;        /**< CRC32C of the 44 bytes above */
};

/** A record's header as stored in the file, followed by the key and the
 *  value and padded to a multiple of 8 bytes. */
struct mmkv_rec {
    uint32_t crc;  /**< CRC32C of klen, vlen, type, key and value */
    uint32_t klen; /**< 1..MMKV_MAX_KEY */
    uint32_t vlen; /**< 0..MMKV_MAX_VALUE; 0 for a delete */
    uint32_t type; /**< MMKV_REC_PUT or MMKV_REC_DEL */
};

/** What mmkv_stat() reports. */
struct mmkv_stat {
    uint64_t file_size;  /**< bytes in the file (st_size) */
    uint64_t end;        /**< committed end of the log */
    uint64_t generation; /**< the committed generation */
    uint64_t records;    /**< records in the log */
    uint64_t puts;       /**< of which puts */
    uint64_t dels;       /**< of which deletes */
    uint64_t live;       /**< keys that have a value */
};

/** Open flags. */
enum {
    MMKV_RDONLY = 0, /**< read only: the file is opened O_RDONLY */
    MMKV_RDWR = 1,   /**< read and write */
    MMKV_CREATE = 2, /**< with MMKV_RDWR: create the file if it is missing */
};

typedef struct mmkv mmkv;

/**
 * @brief Open the store in @p path: map it, validate both meta slots and
 *        every record up to the committed end, and build the index.
 *
 * Never writes to an existing file. On failure returns NULL and writes
 * `STEP: CAUSE` into @p err (MMKV_ERRLEN bytes).
 */
mmkv *mmkv_open(const char *path, int flags, char *err);

/** @brief Unmap and close; NULL is allowed. */
void mmkv_close(mmkv *db);

/** @brief The last error, one line `STEP: CAUSE`. */
const char *mmkv_error(const mmkv *db);

/**
 * @brief Bring the index up to the latest committed generation, reading
 *        only the records committed since the last call.
 * @return 1 when something new was read, 0 when nothing changed, -1 on error.
 */
int mmkv_refresh(mmkv *db);

/**
 * @brief Look a key up.
 *
 * @return 1 with @p *val and @p *vlen set (a pointer into the mapping,
 *         valid until the next call that may grow or remap it: put, del,
 *         begin, commit, refresh), 0 when the key has no value.
 */
int mmkv_get(mmkv *db, const void *key, size_t klen, const void **val,
             size_t *vlen);

/** @brief Start a write transaction: flock(LOCK_EX), then mmkv_refresh(). */
int mmkv_begin(mmkv *db);

/** @brief Append a put record (visible to this handle at once; to others
 *         after mmkv_commit()). */
int mmkv_put(mmkv *db, const void *key, size_t klen, const void *val,
             size_t vlen);

/** @brief Append a delete record. @return 1 when the key had a value, 0
 *         when it had none (nothing appended), -1 on error. */
int mmkv_del(mmkv *db, const void *key, size_t klen);

/**
 * @brief Make the transaction durable and visible: msync the new records,
 *        write the next meta slot, msync it; then release the lock.
 * @return 0 once the meta slot's msync has returned.
 */
int mmkv_commit(mmkv *db);

/** @brief Called for each live key by mmkv_scan(); non-zero stops the scan. */
typedef int (*mmkv_scan_fn)(const void *key, size_t klen, const void *val,
                            size_t vlen, void *arg);

/** @brief Call @p fn for every live key, in the index's (hash) order. */
int mmkv_scan(mmkv *db, mmkv_scan_fn fn, void *arg);

/** @brief Sizes and counts of the committed state. */
int mmkv_stat(mmkv *db, struct mmkv_stat *st);

/**
 * @brief The state of one meta slot, for `mmkv check`.
 * @return 0 when the slot is valid, -1 with the reason in @p why.
 */
int mmkv_meta_check(const struct mmkv_meta *m, unsigned slot, char *why,
                    size_t n);

/** @brief The CRC32C (Castagnoli) of @p n bytes, continuing from @p crc
 *         (0 to start). */
uint32_t mmkv_crc32c(uint32_t crc, const void *p, size_t n);

#endif
