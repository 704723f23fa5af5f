/*
 * mmkv.c: the mmkv store (see mmkv.h for the file format and the rules).
 *
 * Mapping decisions, each from a chapter of the workbook:
 * - the file is mapped MAP_SHARED, so a reader in another process reads
 *   committed records straight from the page cache (chapter 05);
 * - a commit is msync(MS_SYNC) of the new records, then of the meta slot
 *   (chapter 06): the order is what makes it atomic;
 * - the file grows by posix_fallocate, which allocates the blocks before
 *   any page is touched, so a full disk is ENOSPC here, not a SIGBUS at a
 *   store (chapter 12, chapter 14's JDK-7007769 lesson; on btrfs, which
 *   copies on write, a store can still fail: README); the mapping
 *   follows with mremap(MREMAP_MAYMOVE) (chapter 07);
 * - records refer to nothing by address: the index holds file offsets, so a
 *   moved mapping needs no fix-up (chapter 07).
 */
#include "mmkv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One index slot: the offset of the key's latest record (0: empty; no
 * record lives at offset 0) and the key's hash. */
struct slot {
    uint64_t off;
    uint64_t hash;
};

struct mmkv {
    int fd;
    int writable;
    int locked;          /* inside begin..commit */
    unsigned char *map;  /* the mapping of the whole file */
    uint64_t map_len;    /* its length (the file size when last mapped) */
    uint64_t gen;        /* committed generation this handle has read */
    uint64_t end;        /* committed end this handle has read */
    uint64_t pend;       /* end of this transaction's appended records */
    uint64_t records;    /* records in [DATA_START, end) */
    uint64_t puts, dels; /* of which puts, deletes */
    uint64_t live;       /* keys with a value */
    struct slot *tab;    /* the index: open addressing, linear probing */
    uint64_t cap, used;  /* slots, slots in use (a power of two) */
    size_t page;         /* the page size, for msync's alignment */
    char err[MMKV_ERRLEN];
};

static int fail(mmkv *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record `STEP: CAUSE` in the handle; return -1. */
static int fail(mmkv *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    return -1;
}

const char *mmkv_error(const mmkv *db)
{
    return db->err;
}

/* ---- CRC32C ------------------------------------------------------------ */

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc_soft(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
/* SSE4.2's crc32 instruction computes CRC32C, 8 bytes per instruction. */
__attribute__((target("sse4.2"))) static uint32_t
crc_hw(uint32_t crc, const unsigned char *p, size_t n)
{
    uint64_t c = crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
    }
    uint32_t c32 = (uint32_t)c;
    for (; n > 0; n--, p++)
        c32 = __builtin_ia32_crc32qi(c32, *p);
    return c32;
}
#endif

uint32_t mmkv_crc32c(uint32_t crc, const void *p, size_t n)
{
    static int mode; /* 0: not chosen yet, 1: table, 2: instruction */
    if (mode == 0) {
        crc_init();
        mode = 1;
#if defined(__x86_64__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("sse4.2"))
            mode = 2;
#endif
    }
    crc = ~crc;
#if defined(__x86_64__)
    if (mode == 2)
        return ~crc_hw(crc, p, n);
#endif
    return ~crc_soft(crc, p, n);
}

/* ---- records and meta slots -------------------------------------------- */

static uint64_t rec_size(uint64_t klen, uint64_t vlen)
{
    return (sizeof(struct mmkv_rec) + klen + vlen + 7) & ~(uint64_t)7;
}

/* The CRC of a record: its header after the crc field, key and value. */
static uint32_t rec_crc(const struct mmkv_rec *h, const void *key,
                        const void *val)
{
    uint32_t c = mmkv_crc32c(0, &h->klen, sizeof *h - sizeof h->crc);
    c = mmkv_crc32c(c, key, h->klen);
    return mmkv_crc32c(c, val, h->vlen);
}

static uint32_t meta_crc(const struct mmkv_meta *m)
{
    return mmkv_crc32c(0, m, offsetof(struct mmkv_meta, crc));
}

int mmkv_meta_check(const struct mmkv_meta *m, unsigned slot, char *why,
                    size_t n)
{
    static const char zero[sizeof *m];
    if (memcmp(m, zero, sizeof *m) == 0)
        snprintf(why, n, "empty (all zero)");
    else if (memcmp(m->magic, MMKV_MAGIC, 8) != 0)
        snprintf(why, n, "no magic (not an mmkv store)");
    else if (m->crc != meta_crc(m))
        snprintf(why, n, "checksum mismatch (a torn or damaged slot)");
    else if (m->version != MMKV_VERSION)
        snprintf(why, n, "format version %u, this program reads %u", m->version,
                 MMKV_VERSION);
    else if (m->slot != slot || m->generation % 2 != slot)
        snprintf(why, n, "generation %llu belongs in slot %llu",
                 (unsigned long long)m->generation,
                 (unsigned long long)(m->generation % 2));
    else if (m->end < MMKV_DATA_START || m->end % 8 != 0)
        snprintf(why, n, "bad committed end %llu", (unsigned long long)m->end);
    else
        return 0;
    return -1;
}

/* Copy both slots out of the mapping and choose the valid one with the
 * higher generation. A writer may be writing the other slot while we copy:
 * its CRC fails and the slot is skipped. */
static int read_meta(mmkv *db, struct mmkv_meta *out)
{
    /* [read_meta] */
    struct mmkv_meta m[2];
    char why[2][128];
    int ok[2];
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    for (unsigned s = 0; s < 2; s++) {
        memcpy(&m[s], db->map + s * MMKV_META_SIZE, sizeof m[s]);
        ok[s] = mmkv_meta_check(&m[s], s, why[s], sizeof why[s]) == 0;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!ok[0] && !ok[1]) {
        if (memcmp(m[0].magic, MMKV_MAGIC, 8) != 0 &&
            memcmp(m[1].magic, MMKV_MAGIC, 8) != 0)
            return fail(db, "not an mmkv store (no magic in either meta slot)");
        return fail(db, "no valid meta slot (slot 0: %s; slot 1: %s)", why[0],
                    why[1]);
    }
    int s = !ok[0] ? 1 : !ok[1] ? 0 : m[1].generation > m[0].generation;
    *out = m[s];
    /* [read_meta] */
    return 0;
}

/* ---- the index --------------------------------------------------------- */

static uint64_t hash_key(const void *key, size_t n)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static const struct mmkv_rec *rec_at(const mmkv *db, uint64_t off)
{
    return (const struct mmkv_rec *)(db->map + off);
}

/* The slot that holds KEY, or the empty slot where it would go. */
static struct slot *lookup(const mmkv *db, const void *key, size_t klen,
                           uint64_t h)
{
    uint64_t mask = db->cap - 1;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        struct slot *s = &db->tab[i];
        if (s->off == 0)
            return s;
        if (s->hash == h) {
            const struct mmkv_rec *r = rec_at(db, s->off);
            if (r->klen == klen && memcmp(r + 1, key, klen) == 0)
                return s;
        }
    }
}

static int grow_index(mmkv *db)
{
    uint64_t ncap = db->cap ? db->cap * 2 : 1024;
    struct slot *nt = calloc(ncap, sizeof *nt);
    if (nt == NULL)
        return fail(db, "index: %s", strerror(errno));
    for (uint64_t i = 0; i < db->cap; i++) {
        if (db->tab[i].off == 0)
            continue;
        uint64_t j = db->tab[i].hash & (ncap - 1);
        while (nt[j].off != 0)
            j = (j + 1) & (ncap - 1);
        nt[j] = db->tab[i];
    }
    free(db->tab);
    db->tab = nt;
    db->cap = ncap;
    return 0;
}

/* Point the key of the record at OFF to that record. */
static int index_record(mmkv *db, uint64_t off)
{
    if ((db->used + 1) * 2 > db->cap && grow_index(db) == -1)
        return -1;
    const struct mmkv_rec *r = rec_at(db, off);
    uint64_t h = hash_key(r + 1, r->klen);
    struct slot *s = lookup(db, r + 1, r->klen, h);
    int had = s->off != 0 && rec_at(db, s->off)->type == MMKV_REC_PUT;
    int has = r->type == MMKV_REC_PUT;
    if (s->off == 0)
        db->used++;
    s->off = off;
    s->hash = h;
    db->live += has - had;
    db->records++;
    if (has)
        db->puts++;
    else
        db->dels++;
    return 0;
}

/* ---- the mapping ------------------------------------------------------- */

/* Make the mapping cover the whole file as it is now. */
static int remap_to_file(mmkv *db)
{
    struct stat st;
    if (fstat(db->fd, &st) == -1)
        return fail(db, "fstat: %s", strerror(errno));
    uint64_t size = (uint64_t)st.st_size;
    if (size == db->map_len)
        return 0;
    if (size < db->map_len)
        return fail(db, "the file shrank from %llu to %llu bytes",
                    (unsigned long long)db->map_len, (unsigned long long)size);
    /* [remap] */
    void *p = mremap(db->map, db->map_len, size, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
        return fail(db, "mremap to %llu bytes: %s", (unsigned long long)size,
                    strerror(errno));
    db->map = p;
    db->map_len = size;
    /* [remap] */
    return 0;
}

/* Read and index the records in [from, to); every byte is checked before
 * it is trusted, so a hostile file is an error, never a wild read. */
static int read_log(mmkv *db, uint64_t from, uint64_t to)
{
    uint64_t off = from;
    while (off < to) {
        struct mmkv_rec h;
        if (to - off < sizeof h)
            return fail(db,
                        "record at offset %llu: header runs past the "
                        "committed end %llu",
                        (unsigned long long)off, (unsigned long long)to);
        memcpy(&h, db->map + off, sizeof h);
        if (h.type != MMKV_REC_PUT && h.type != MMKV_REC_DEL)
            return fail(db, "record at offset %llu: bad type %u",
                        (unsigned long long)off, h.type);
        if (h.klen == 0 || h.klen > MMKV_MAX_KEY)
            return fail(db, "record at offset %llu: bad key length %u",
                        (unsigned long long)off, h.klen);
        if (h.vlen > MMKV_MAX_VALUE || (h.type == MMKV_REC_DEL && h.vlen != 0))
            return fail(db, "record at offset %llu: bad value length %u",
                        (unsigned long long)off, h.vlen);
        uint64_t size = rec_size(h.klen, h.vlen);
        if (size > to - off)
            return fail(db,
                        "record at offset %llu: %llu bytes run past the "
                        "committed end %llu",
                        (unsigned long long)off, (unsigned long long)size,
                        (unsigned long long)to);
        const unsigned char *key = db->map + off + sizeof h;
        uint32_t c = rec_crc(&h, key, key + h.klen);
        if (c != h.crc)
            return fail(db,
                        "record at offset %llu: checksum mismatch "
                        "(stored %08x, computed %08x)",
                        (unsigned long long)off, h.crc, c);
        if (index_record(db, off) == -1)
            return -1;
        off += size;
    }
    return 0;
}

int mmkv_refresh(mmkv *db)
{
    struct mmkv_meta m;
    memset(&m, 0, sizeof m);
    if (read_meta(db, &m) == -1)
        return -1;
    if (m.generation == db->gen && m.end == db->end)
        return 0;
    if (m.end < db->end || m.generation < db->gen)
        return fail(db, "the store went back from generation %llu to %llu",
                    (unsigned long long)db->gen,
                    (unsigned long long)m.generation);
    if (m.end > db->map_len && remap_to_file(db) == -1)
        return -1;
    if (m.end > db->map_len)
        return fail(db,
                    "committed end %llu is past the end of the file "
                    "(%llu bytes)",
                    (unsigned long long)m.end, (unsigned long long)db->map_len);
    if (read_log(db, db->end, m.end) == -1)
        return -1;
    if (m.records != db->records)
        return fail(db,
                    "meta slot %llu counts %llu records, the log holds "
                    "%llu",
                    (unsigned long long)(m.generation % 2),
                    (unsigned long long)m.records,
                    (unsigned long long)db->records);
    db->gen = m.generation;
    db->end = db->pend = m.end;
    return 1;
}

/* ---- open and close ---------------------------------------------------- */

static void meta_init(struct mmkv_meta *m, uint64_t gen, uint64_t end,
                      uint64_t records)
{
    memset(m, 0, sizeof *m);
    memcpy(m->magic, MMKV_MAGIC, 8);
    m->version = MMKV_VERSION;
    m->slot = (uint32_t)(gen % 2);
    m->generation = gen;
    m->end = end;
    m->records = records;
    m->crc = meta_crc(m);
}

/* The directory PATH is in, for O_TMPFILE and for fsync. */
static void dir_of(const char *path, char *dir, size_t size)
{
    snprintf(dir, size, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, size, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

/* A new store: made whole under no name, then given PATH.
 *
 * The file is opened with O_TMPFILE (Linux 3.11: an inode in DIR with no
 * name), allocated, given both slots (generations 0 and 1, an empty log)
 * and fsync'd; only then does linkat(2) give it PATH. So a creator killed
 * at any moment leaves either no PATH or a whole store, never an empty
 * or half-written file that every later open would refuse, and no one can
 * open PATH before it holds a store. link never replaces: of two creators
 * at once, one links and the other gets EEXIST and opens the winner's
 * store. A filesystem without O_TMPFILE (open(2) fails with EOPNOTSUPP)
 * gets the same protocol with a named file PATH.PID.tmp, unlinked after
 * the link (a kill before the unlink leaves that name behind, never a bad
 * PATH). */
static int create_store(mmkv *db, const char *path)
{
    char dir[4096], tmp[4200] = "";
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
    if (fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR)) {
        snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
        unlink(tmp); /* left by a dead process that had our pid */
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    }
    if (fd == -1)
        return fail(db, "create '%s': open in '%s': %s", path, dir,
                    strerror(errno));

    int e = posix_fallocate(fd, 0, 64 * 1024);
    struct mmkv_meta m[2];
    meta_init(&m[0], 0, MMKV_DATA_START, 0);
    meta_init(&m[1], 1, MMKV_DATA_START, 0);
    const char *step = "posix_fallocate";
    for (unsigned s = 0; e == 0 && s < 2; s++) {
        step = "pwrite";
        if (pwrite(fd, &m[s], sizeof m[s], s * MMKV_META_SIZE) !=
            (ssize_t)sizeof m[s])
            e = errno ? errno : EIO;
    }
    if (e == 0 && fsync(fd) == -1) {
        step = "fsync";
        e = errno;
    }
    if (e == 0) {
        step = "link";
        if (tmp[0] != '\0') {
            if (link(tmp, path) == -1)
                e = errno;
        } else {
            /* The unprivileged way to name an O_TMPFILE file: open(2). */
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
            if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == -1)
                e = errno;
        }
        if (e == EEXIST) /* another creator won: use its store */
            e = 0;
    }
    if (tmp[0] != '\0')
        unlink(tmp);
    close(fd);
    if (e != 0)
        return fail(db, "create '%s': %s: %s", path, step, strerror(e));

    /* The new name must survive a power cut too: fsync its directory. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd == -1 || fsync(dfd) == -1) {
        int err = errno;
        if (dfd != -1)
            close(dfd);
        return fail(db, "create '%s': fsync of directory '%s': %s", path, dir,
                    strerror(err));
    }
    close(dfd);
    return 0;
}

mmkv *mmkv_open(const char *path, int flags, char *err)
{
    mmkv *db = calloc(1, sizeof *db);
    if (db == NULL) {
        snprintf(err, MMKV_ERRLEN, "open '%s': %s", path, strerror(errno));
        return NULL;
    }
    db->fd = -1;
    db->writable = (flags & MMKV_RDWR) != 0;
    db->page = (size_t)sysconf(_SC_PAGESIZE);
    db->map = MAP_FAILED;

    db->fd = open(path, (db->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (db->fd == -1 && errno == ENOENT && db->writable &&
        (flags & MMKV_CREATE)) {
        if (create_store(db, path) == -1)
            goto out;
        db->fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (db->fd == -1) {
        fail(db, "open '%s': %s", path, strerror(errno));
        goto out;
    }

    struct stat st;
    if (fstat(db->fd, &st) == -1) {
        fail(db, "open '%s': fstat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(db, "open '%s': not a regular file", path);
        goto out;
    }
    if ((uint64_t)st.st_size < MMKV_DATA_START) {
        fail(db,
             "open '%s': truncated or not a store: %lld bytes, a store "
             "has at least %u",
             path, (long long)st.st_size, MMKV_DATA_START);
        goto out;
    }
    db->map_len = (uint64_t)st.st_size;
    int prot = PROT_READ | (db->writable ? PROT_WRITE : 0);
    db->map = mmap(NULL, db->map_len, prot, MAP_SHARED, db->fd, 0);
    if (db->map == MAP_FAILED) {
        fail(db, "open '%s': mmap: %s", path, strerror(errno));
        goto out;
    }
    db->end = db->pend = MMKV_DATA_START;
    if (grow_index(db) == -1 || mmkv_refresh(db) == -1) {
        char why[MMKV_ERRLEN];
        memcpy(why, db->err, sizeof why);
        fail(db, "open '%s': %s", path, why);
        goto out;
    }
    return db;
out:
    memcpy(err, db->err, MMKV_ERRLEN);
    mmkv_close(db);
    return NULL;
}

void mmkv_close(mmkv *db)
{
    if (db == NULL)
        return;
    if (db->map != MAP_FAILED)
        munmap(db->map, db->map_len);
    if (db->fd != -1)
        close(db->fd); /* also drops a flock left by an uncommitted txn */
    free(db->tab);
    free(db);
}

/* ---- reading ----------------------------------------------------------- */

int mmkv_get(mmkv *db, const void *key, size_t klen, const void **val,
             size_t *vlen)
{
    if (klen == 0 || klen > MMKV_MAX_KEY)
        return 0;
    const struct slot *s = lookup(db, key, klen, hash_key(key, klen));
    if (s->off == 0)
        return 0;
    const struct mmkv_rec *r = rec_at(db, s->off);
    if (r->type != MMKV_REC_PUT)
        return 0;
    *val = (const unsigned char *)(r + 1) + r->klen;
    *vlen = r->vlen;
    return 1;
}

int mmkv_scan(mmkv *db, mmkv_scan_fn fn, void *arg)
{
    for (uint64_t i = 0; i < db->cap; i++) {
        if (db->tab[i].off == 0)
            continue;
        const struct mmkv_rec *r = rec_at(db, db->tab[i].off);
        if (r->type != MMKV_REC_PUT)
            continue;
        const unsigned char *k = (const unsigned char *)(r + 1);
        if (fn(k, r->klen, k + r->klen, r->vlen, arg) != 0)
            break;
    }
    return 0;
}

int mmkv_stat(mmkv *db, struct mmkv_stat *st)
{
    struct stat s;
    if (fstat(db->fd, &s) == -1)
        return fail(db, "stat: fstat: %s", strerror(errno));
    st->file_size = (uint64_t)s.st_size;
    st->end = db->end;
    st->generation = db->gen;
    st->records = db->records;
    st->puts = db->puts;
    st->dels = db->dels;
    st->live = db->live;
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

int mmkv_begin(mmkv *db)
{
    if (!db->writable)
        return fail(db, "begin: the store was opened read-only");
    if (db->locked)
        return fail(db, "begin: a transaction is already open");
    if (flock(db->fd, LOCK_EX) == -1)
        return fail(db, "begin: flock: %s", strerror(errno));
    db->locked = 1;
    if (mmkv_refresh(db) == -1) {
        flock(db->fd, LOCK_UN);
        db->locked = 0;
        return -1;
    }
    return 0;
}

/* Room for NEED more bytes at the end of the log. The blocks are allocated
 * before the mapping reaches them (posix_fallocate): on a full disk this
 * returns ENOSPC instead of the process dying of SIGBUS at a store. Then
 * the new range is written with zeros: fallocate leaves *unwritten*
 * extents (ext4, XFS), and the first store into each would make a later
 * commit's msync journal an extent conversion as well as the data; after
 * the zeros a commit syncs data pages only (measured: README, Growth). */
static int reserve(mmkv *db, uint64_t need)
{
    if (db->pend + need <= db->map_len)
        return 0;
    /* [reserve] */
    uint64_t size = db->map_len + db->map_len / 4;
    if (size < db->pend + need)
        size = db->pend + need;
    size = (size + 65535) & ~(uint64_t)65535;
    int e = posix_fallocate(db->fd, (off_t)db->map_len,
                            (off_t)(size - db->map_len));
    if (e != 0)
        return fail(db, "grow to %llu bytes: posix_fallocate: %s",
                    (unsigned long long)size, strerror(e));
    static const char zero[65536];
    for (uint64_t o = db->map_len; o < size; o += sizeof zero)
        if (pwrite(db->fd, zero, sizeof zero, (off_t)o) != (ssize_t)sizeof zero)
            return fail(db, "grow to %llu bytes: pwrite of zeros: %s",
                        (unsigned long long)size,
                        strerror(errno ? errno : EIO));
    return remap_to_file(db);
    /* [reserve] */
}

static int append(mmkv *db, uint32_t type, const void *key, size_t klen,
                  const void *val, size_t vlen)
{
    if (!db->locked)
        return fail(db, "write outside a transaction (call mmkv_begin)");
    if (klen == 0 || klen > MMKV_MAX_KEY)
        return fail(db, "key of %zu bytes: keys are 1 to %u bytes", klen,
                    MMKV_MAX_KEY);
    if (vlen > MMKV_MAX_VALUE)
        return fail(db, "value of %zu bytes: the limit is %u", vlen,
                    MMKV_MAX_VALUE);
    uint64_t size = rec_size(klen, vlen);
    if (reserve(db, size) == -1)
        return -1;
    struct mmkv_rec h = {0, (uint32_t)klen, (uint32_t)vlen, type};
    h.crc = rec_crc(&h, key, val);
    unsigned char *p = db->map + db->pend;
    memcpy(p, &h, sizeof h);
    memcpy(p + sizeof h, key, klen);
    if (vlen > 0)
        memcpy(p + sizeof h + klen, val, vlen);
    memset(p + sizeof h + klen + vlen, 0, size - sizeof h - klen - vlen);
    if (index_record(db, db->pend) == -1)
        return -1;
    db->pend += size;
    return 0;
}

int mmkv_put(mmkv *db, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    return append(db, MMKV_REC_PUT, key, klen, val, vlen);
}

int mmkv_del(mmkv *db, const void *key, size_t klen)
{
    const void *v;
    size_t vl;
    if (mmkv_get(db, key, klen, &v, &vl) == 0)
        return 0;
    return append(db, MMKV_REC_DEL, key, klen, NULL, 0) == -1 ? -1 : 1;
}

/* msync(MS_SYNC) of [off, off + len), widened to whole pages. */
static int sync_range(mmkv *db, uint64_t off, uint64_t len)
{
    uint64_t start = off & ~(uint64_t)(db->page - 1);
    if (msync(db->map + start, off + len - start, MS_SYNC) == -1)
        return fail(db, "commit: msync: %s", strerror(errno));
    return 0;
}

int mmkv_commit(mmkv *db)
{
    if (!db->locked)
        return fail(db, "commit: no transaction is open");
    int r = 0;
    /* [commit] */
    if (db->pend != db->end) {
        /* 1. The records, durable before any meta slot points at them. */
        r = sync_range(db, db->end, db->pend - db->end);
        if (r == 0) {
            /* 2. The other slot: the old committed state stays intact
             *    until this one is complete. */
            struct mmkv_meta m;
            uint64_t gen = db->gen + 1;
            meta_init(&m, gen, db->pend, db->records);
            uint64_t at = (gen % 2) * MMKV_META_SIZE;
            __atomic_thread_fence(__ATOMIC_RELEASE);
            memcpy(db->map + at, &m, sizeof m);
            /* 3. The commit point: durable when this msync returns. */
            r = sync_range(db, at, sizeof m);
            if (r == 0) {
                db->gen = gen;
                db->end = db->pend;
            }
        }
    }
    /* [commit] */
    flock(db->fd, LOCK_UN);
    db->locked = 0;
    return r;
}
