/*
 * bench_lmdb.c: mmkv against LMDB on one workload, in one run, one table.
 *
 * Both stores get the same N random 16-byte keys with 100-byte values
 * (a fixed seed), in DIR:
 *   bulk load       all N puts in one transaction, one durable commit
 *   reopen          open the store again (mmkv reads its log to rebuild
 *                   the index; LMDB reads two meta pages)
 *   point reads     N gets of the keys in a shuffled order, warm
 *   full scan       every key and value once (mmkv: hash order; LMDB:
 *                   key order, a cursor)
 *   commits         M transactions of one put each, durable (mmkv:
 *                   msync of the records, then of the meta slot; LMDB:
 *                   its default, fdatasync of the data pages, then the
 *                   meta page written through an O_DSYNC descriptor)
 *   file size       bytes on disk after the bulk load (st_size)
 * The ratio column is LMDB's time over mmkv's (above 1: mmkv is faster),
 * and for the file size mmkv's bytes over LMDB's (below 1: mmkv is smaller).
 *
 * Built only by `make bench` (examples/mmkv/bench.sh runs it), which
 * installs liblmdb-dev first.
 * bench-libs: -llmdb
 *
 * Usage: bench_lmdb [-h] [-n N] [-m M] DIR
 * Man pages: msync(2), fdatasync(2); LMDB's lmdb.h
 */
#include "mmkv.h"
#include "wb.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define KLEN 16
#define VLEN 100

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = next();
        memcpy(p + i, &r, n - i < 8 ? n - i : 8);
    }
}

static void lmdb_check(int rc, const char *step)
{
    if (rc != 0)
        wb_fatal("lmdb %s: %s", step, mdb_strerror(rc));
}

struct row {
    const char *name;
    double mmkv, lmdb; /* microseconds, or bytes for the size */
    int is_size;
};

static uint64_t sum; /* bytes read, so that no read is optimised away */

static int count_kv(const void *k, size_t kl, const void *v, size_t vl,
                    void *arg)
{
    (void)k;
    sum += kl + ((const unsigned char *)v)[vl - 1];
    ++*(size_t *)arg;
    return 0;
}

static mmkv *mmkv_must_open(const char *path, int flags)
{
    char err[MMKV_ERRLEN];
    mmkv *db = mmkv_open(path, flags, err);
    if (db == NULL)
        wb_fatal("%s", err);
    return db;
}

static MDB_env *lmdb_open(const char *path, size_t mapsize)
{
    MDB_env *env;
    lmdb_check(mdb_env_create(&env), "env_create");
    lmdb_check(mdb_env_set_mapsize(env, mapsize), "set_mapsize");
    lmdb_check(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), "env_open");
    return env;
}

static off_t file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) == -1)
        wb_die("stat '%s'", path);
    return st.st_size;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-n N] [-m M] DIR");
    size_t n = 100000, m = 1000;
    int opt;
    while ((opt = getopt(argc, argv, "hn:m:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'n': n = (size_t)wb_long_arg(optarg, "-n", 1, 100000000); break;
        case 'm': m = (size_t)wb_long_arg(optarg, "-m", 1, 10000000); break;
        default: wb_usage("unknown option");
        }
    }
    if (argc - optind != 1)
        wb_usage("DIR expected");
    const char *dir = argv[optind];

    unsigned char *keys = malloc(n * KLEN), *vals = malloc(n * VLEN);
    unsigned char *more = malloc(m * KLEN);
    size_t *order = malloc(n * sizeof *order);
    if (keys == NULL || vals == NULL || more == NULL || order == NULL)
        wb_die("malloc");
    fill(keys, n * KLEN);
    fill(vals, n * VLEN);
    fill(more, m * KLEN);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = next() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }

    char mpath[4096], lpath[4096];
    snprintf(mpath, sizeof mpath, "%s/bench.mmkv", dir);
    snprintf(lpath, sizeof lpath, "%s/bench.lmdb", dir);
    unlink(mpath);
    unlink(lpath);
    char lockpath[4200];
    snprintf(lockpath, sizeof lockpath, "%s-lock", lpath);
    unlink(lockpath);
    size_t mapsize = (n + m) * 400 + (64u << 20);
    struct row rows[6] = {{"bulk load (1 txn, durable)", 0, 0, 0},
                          {"reopen", 0, 0, 0},
                          {"point reads (warm, shuffled)", 0, 0, 0},
                          {"full scan", 0, 0, 0},
                          {"durable 1-put commits", 0, 0, 0},
                          {"file size after load", 0, 0, 1}};
    double t;

    /* ---- mmkv */
    mmkv *db = mmkv_must_open(mpath, MMKV_RDWR | MMKV_CREATE);
    t = wb_now_us();
    if (mmkv_begin(db) == -1)
        wb_fatal("%s", mmkv_error(db));
    for (size_t i = 0; i < n; i++)
        if (mmkv_put(db, keys + i * KLEN, KLEN, vals + i * VLEN, VLEN) == -1)
            wb_fatal("%s", mmkv_error(db));
    if (mmkv_commit(db) == -1)
        wb_fatal("%s", mmkv_error(db));
    rows[0].mmkv = wb_now_us() - t;
    rows[5].mmkv = (double)file_size(mpath);
    mmkv_close(db);
    t = wb_now_us();
    db = mmkv_must_open(mpath, MMKV_RDWR);
    rows[1].mmkv = wb_now_us() - t;
    t = wb_now_us();
    for (size_t i = 0; i < n; i++) {
        const void *v;
        size_t vl;
        if (mmkv_get(db, keys + order[i] * KLEN, KLEN, &v, &vl) != 1 ||
            vl != VLEN)
            wb_fatal("mmkv: key %zu not found", order[i]);
        sum += ((const unsigned char *)v)[0];
    }
    rows[2].mmkv = wb_now_us() - t;
    size_t cnt = 0;
    t = wb_now_us();
    mmkv_scan(db, count_kv, &cnt);
    rows[3].mmkv = wb_now_us() - t;
    if (cnt != n)
        wb_fatal("mmkv scan: %zu keys, expected %zu", cnt, n);
    t = wb_now_us();
    for (size_t i = 0; i < m; i++) {
        if (mmkv_begin(db) == -1 ||
            mmkv_put(db, more + i * KLEN, KLEN, vals, VLEN) == -1 ||
            mmkv_commit(db) == -1)
            wb_fatal("%s", mmkv_error(db));
    }
    rows[4].mmkv = wb_now_us() - t;
    mmkv_close(db);

    /* ---- LMDB */
    MDB_env *env = lmdb_open(lpath, mapsize);
    MDB_txn *txn;
    MDB_dbi dbi;
    t = wb_now_us();
    lmdb_check(mdb_txn_begin(env, NULL, 0, &txn), "txn_begin");
    lmdb_check(mdb_dbi_open(txn, NULL, 0, &dbi), "dbi_open");
    for (size_t i = 0; i < n; i++) {
        MDB_val k = {KLEN, keys + i * KLEN}, v = {VLEN, vals + i * VLEN};
        lmdb_check(mdb_put(txn, dbi, &k, &v, 0), "put");
    }
    lmdb_check(mdb_txn_commit(txn), "commit");
    rows[0].lmdb = wb_now_us() - t;
    rows[5].lmdb = (double)file_size(lpath);
    mdb_env_close(env);
    t = wb_now_us();
    env = lmdb_open(lpath, mapsize);
    lmdb_check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "txn_begin");
    lmdb_check(mdb_dbi_open(txn, NULL, 0, &dbi), "dbi_open");
    rows[1].lmdb = wb_now_us() - t;
    t = wb_now_us();
    for (size_t i = 0; i < n; i++) {
        MDB_val k = {KLEN, keys + order[i] * KLEN}, v;
        lmdb_check(mdb_get(txn, dbi, &k, &v), "get");
        if (v.mv_size != VLEN)
            wb_fatal("lmdb: key %zu: bad value", order[i]);
        sum += ((const unsigned char *)v.mv_data)[0];
    }
    rows[2].lmdb = wb_now_us() - t;
    MDB_cursor *cur;
    MDB_val k, v;
    cnt = 0;
    t = wb_now_us();
    lmdb_check(mdb_cursor_open(txn, dbi, &cur), "cursor_open");
    while (mdb_cursor_get(cur, &k, &v, cnt ? MDB_NEXT : MDB_FIRST) == 0) {
        sum += k.mv_size + ((const unsigned char *)v.mv_data)[v.mv_size - 1];
        cnt++;
    }
    mdb_cursor_close(cur);
    rows[3].lmdb = wb_now_us() - t;
    mdb_txn_abort(txn);
    if (cnt != n)
        wb_fatal("lmdb scan: %zu keys, expected %zu", cnt, n);
    t = wb_now_us();
    for (size_t i = 0; i < m; i++) {
        lmdb_check(mdb_txn_begin(env, NULL, 0, &txn), "txn_begin");
        MDB_val k1 = {KLEN, more + i * KLEN}, v1 = {VLEN, vals};
        lmdb_check(mdb_put(txn, dbi, &k1, &v1, 0), "put");
        lmdb_check(mdb_txn_commit(txn), "commit");
    }
    rows[4].lmdb = wb_now_us() - t;
    mdb_env_close(env);

    struct utsname u;
    uname(&u);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("mmkv against %s: N=%zu keys (16 B) with 100-byte values, "
           "M=%zu commits\n",
           MDB_VERSION_STRING, n, m);
    printf("machine: Linux %s, %ld CPUs; files in %s\n", u.release, cpus, dir);
    printf("%-30s %14s %14s %8s\n", "", "mmkv", "LMDB", "ratio");
    for (int r = 0; r < 6; r++) {
        if (rows[r].is_size) {
            printf("%-30s %12.1f M %12.1f M %8.2f  (mmkv/LMDB bytes)\n",
                   rows[r].name, rows[r].mmkv / 1e6, rows[r].lmdb / 1e6,
                   rows[r].mmkv / rows[r].lmdb);
            continue;
        }
        size_t ops = r == 2 ? n : r == 4 ? m : 0;
        if (ops)
            printf("%-30s %11.0f ns %11.0f ns %8.2f  (per op; LMDB/mmkv "
                   "time)\n",
                   rows[r].name, rows[r].mmkv * 1e3 / (double)ops,
                   rows[r].lmdb * 1e3 / (double)ops,
                   rows[r].lmdb / rows[r].mmkv);
        else
            printf("%-30s %11.1f ms %11.1f ms %8.2f  (LMDB/mmkv time)\n",
                   rows[r].name, rows[r].mmkv / 1e3, rows[r].lmdb / 1e3,
                   rows[r].lmdb / rows[r].mmkv);
    }
    printf("(checksum of the bytes read: %llu)\n", (unsigned long long)sum);
    unlink(mpath);
    unlink(lpath);
    unlink(lockpath);
    free(keys);
    free(vals);
    free(more);
    free(order);
    return 0;
}
