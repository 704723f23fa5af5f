#!/usr/bin/env bash
# bench.sh DIR: shmring's ring against pipe(2) and a UNIX stream socket
# (bench_pipe.c), run by `make bench`: throughput for 64 B, 4 KiB and
# 64 KiB messages and 64-byte round trips, one table with ratios.
# BENCH_SHMRING_N 64-byte messages (4 KiB: N/10, 64 KiB: N/20; default
# 150000), BENCH_SHMRING_R round trips (default 3000). Needs nothing
# beyond libc; DIR is not used (everything is in memory).
set -eu
exec "$BENCH_BIN/bench_pipe" -n "${BENCH_SHMRING_N:-150000}" -r "${BENCH_SHMRING_R:-3000}"
