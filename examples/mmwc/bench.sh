#!/usr/bin/env bash
# bench.sh DIR: mmwc against GNU wc -l, grep -c -F and ripgrep's rg -c -F
# (bench_mmwc.c), run by `make bench EX=mmwc`: text files of 1, 100 and
# 500 MB and 10,000 small files written into DIR (about 640 MB), each
# command run BENCH_RUNS times (default 5), interleaved.
# setup: rg:ripgrep
set -eu
exec "$BENCH_BIN/bench_mmwc" -n "${BENCH_RUNS:-5}" "$WB_BUILD/examples/mmwc/mmwc" "$1"
