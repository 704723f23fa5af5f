#!/usr/bin/env bash
# bench.sh DIR: hsstat against the JDK's jstat and jps, run by `make bench`.
# One JVM (Alloc.java, allocating) is watched; each tool answers one
# question about it: one -gcutil sample (BENCH_HS_N runs of hsstat,
# BENCH_J_N of jstat), and the list of JVMs (-l against jps -l). The times
# are whole runs, start to exit (bench_spawn.c): what a person or a script
# waits for. jstat and jps start a JVM of their own each time.
# setup: javac:default-jdk-headless
set -eu
dir=$1
hs_n=${BENCH_HS_N:-200}
j_n=${BENCH_J_N:-10}
HSSTAT=$WB_BUILD/examples/hsstat/hsstat
SPAWN=$BENCH_BIN/bench_spawn
me=$(id -un)

javac -J-XX:-UsePerfData -d "$dir/classes" "$(dirname "$0")/Alloc.java"
# The JVM makes /tmp/hsperfdata_USER if it is not there: then it is ours to
# remove at the end (rmdir: only if no other JVM has a file in it).
newdir=
[ -d "/tmp/hsperfdata_$me" ] || newdir=/tmp/hsperfdata_$me
(cd "$dir" && exec java -Xmx64m -cp classes Alloc >jvm.out 2>&1) &
jvm=$!
stop() {
  kill -TERM "$jvm" 2>/dev/null || true
  wait "$jvm" 2>/dev/null || true
  [ -z "$newdir" ] || rmdir "$newdir" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 600); do
  grep -q ready "$dir/jvm.out" 2>/dev/null && [ -f "/tmp/hsperfdata_$me/$jvm" ] && break
  sleep 0.05
done
[ -f "/tmp/hsperfdata_$me/$jvm" ] || { echo "bench: the JVM did not start: $(cat "$dir/jvm.out")" >&2; exit 1; }

# row LABEL N1 CMD1... -- N2 CMD2...: both medians, the ratio of the medians
row() {
  local label=$1 n1=$2 a b cmd1=() cmd2=()
  shift 2
  while [ "$1" != -- ]; do cmd1+=("$1"); shift; done
  shift
  local n2=$1
  shift
  cmd2=("$@")
  read -r a amin amax < <("$SPAWN" "$n1" "${cmd1[@]}")
  read -r b bmin bmax < <("$SPAWN" "$n2" "${cmd2[@]}")
  awk -v l="$label" -v a="$a" -v b="$b" -v r1="$amin-$amax" -v r2="$bmin-$bmax" \
    'BEGIN { printf "%-26s %10.2f ms %12.2f ms %9.0fx   (ranges %s, %s)\n", l, a, b, b / a, r1, r2 }'
}

echo "hsstat against jstat and jps ($(java -version 2>&1 | head -1)): median wall time of a whole run"
echo "machine: $(uname -sr), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); runs: hsstat $hs_n, JDK tools $j_n"
printf '%-26s %13s %15s %10s\n' "" hsstat "JDK tool" ratio
row "-gcutil PID, one sample" "$hs_n" "$HSSTAT" -gcutil "$jvm" -- "$j_n" jstat -gcutil "$jvm"
row "-l (jps -l)" "$hs_n" "$HSSTAT" -l -- "$j_n" jps -l
echo "(ratio: the JDK tool's median over hsstat's; goal: at least 20x for -gcutil)"
