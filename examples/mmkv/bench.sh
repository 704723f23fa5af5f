#!/usr/bin/env bash
# bench.sh DIR: mmkv against LMDB (bench_lmdb.c), run by `make bench`:
# BENCH_N keys loaded, BENCH_M durable single-put commits, files in DIR.
# setup: /usr/include/lmdb.h:liblmdb-dev mdb_stat:lmdb-utils
set -eu
exec "$BENCH_BIN/bench_lmdb" -n "$BENCH_N" -m "$BENCH_M" "$1"
