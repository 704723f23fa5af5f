#!/usr/bin/env bash
# book-figures.sh BUILD BOOKDIR: the book's plots, drawn with gnuplot from runs.
#
# Writes BOOKDIR/figures/NAME.svg and NAME.label for each figure a write-up
# places with `<!-- figure: NAME Caption -->` (book/md-filter.sh adds the
# label to the caption):
#   fault_cost    what a minor fault costs, run by run      (chapter 13, fault_cost)
#   fault_around  faults per page by mapping kind and access (chapter 13, fault_around)
#   populate      where MAP_POPULATE and MADV_POPULATE move the cost (chapter 13, populate)
#   scan_file     mmap against read(2) at three buffer sizes, warm and cold (chapter 13, scan_file)
#   thp_faults    small pages against transparent huge pages (chapter 13, thp_faults)
#   mmkv_bench    mmkv against LMDB, the ratios (examples/mmkv)
#   shmring_bench shmring against pipe(2) and a UNIX socket, the ratios (examples/shmring)
#
# The chapter 13 figures are measured here, one run of each demo (the output
# `make book`'s transcript replay kept in BOOKDIR/runs/ is used where there
# is one, so a demo the replay ran is not run twice), and labelled with the
# machine (kernel, CPU model and count, load average, the doctor's zero-page
# and THP facts) and the date. A machine too noisy to time (load average
# above WB_BOOK_MAX_LOAD per CPU, default 4) or a build under Valgrind
# (WB_WRAPPER) gets reference figures instead: the runs printed in the
# chapter's own text, labelled as such. WB_BOOK_FIGURES=measure or
# =reference forces one or the other. The examples' benchmarks take minutes,
# too long for `make book`: their figures are always the reference tables
# recorded in the write-ups (`make bench` prints a machine's own).
set -euo pipefail
build=$(cd "$1" && pwd) out=$2/figures runs=$2/runs
root=$(cd "$(dirname "$0")/.." && pwd)
ch13=$root/chapters/13-performance
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# The machine, for the labels.
ncpu=$(getconf _NPROCESSORS_ONLN)
read -r load _ </proc/loadavg
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
facts=$("$build/doctor" --env 2>/dev/null || true)
fact() { sed -n "s/^WB_FACT_$1=//p" <<<"$facts" | tr -d '"'; }
when=$(date -u '+%-d %B %Y, %H:%M UTC')

mode=${WB_BOOK_FIGURES:-}
why=""
if [[ -z $mode ]]; then
  mode=measure
  if [[ ${WB_WRAPPER:-} == *valgrind* ]]; then
    mode=reference why="the build ran under Valgrind"
  elif awk -v l="$load" -v n="$ncpu" -v m="${WB_BOOK_MAX_LOAD:-4}" 'BEGIN { exit !(l > m * n) }'; then
    mode=reference why="the machine that built this page was too busy to time (load average $load on $ncpu CPUs)"
  fi
fi
[[ $mode == measure || $mode == reference ]] || { echo "book-figures: WB_BOOK_FIGURES is measure or reference, not '$mode'" >&2; exit 2; }
revised() { # FILE: the date the write-up was last changed, where git knows it
  git -C "$root" log -1 --format=%cd --date='format:%-d %B %Y' -- "$1" 2>/dev/null || true
}
if [[ $mode == measure ]]; then
  ch13_label="Measured by make book on Linux $(uname -r), ${cpu:-unknown CPU} ($ncpu CPUs, load average $load), zero page: $(fact ZERO_PAGE), THP: $(fact THP), $when"
else
  ch13_label="Reference figures: the runs printed in this chapter (their machine and date are in the text; write-up revised $(revised "$ch13/README.md")), not measured by this build${why:+: $why}"
fi

# output DEMO: the demo's output, from this machine or from the write-up.
output() {
  local demo=$1 f=$work/$1.out
  if [[ $mode == reference ]]; then
    # The block in the README that starts with "$ DEMO" (console or text fence).
    awk -v cmd="\$ $demo" '
      /^```/ { if (on) exit; next }
      $0 == cmd { on = 1; next }
      on { print }' "$ch13/README.md" >"$f"
  elif [[ -s $runs/13-performance/$demo.out ]]; then
    cp "$runs/13-performance/$demo.out" "$f"
  else
    mkdir -p "$work/run"
    (cd "$work/run" && TMPDIR=$PWD timeout 60 "$build/chapters/13-performance/$demo" >"$f" 2>&1) ||
      { echo "book-figures: $demo failed:" >&2; cat "$f" >&2; exit 1; }
    rm -rf "$work/run"
  fi
  [[ -s $f ]] || { echo "book-figures: no output for $demo ($mode)" >&2; exit 1; }
  cat "$f"
}

# plot NAME LABEL DATA-CHECK: run the gnuplot script on stdin, with the
# common settings, into NAME.svg; the label goes into NAME.label and, small,
# at the foot of the plot.
plot() {
  local name=$1 label=$2
  {
    echo 'set terminal svg size 800,440 font "sans,12" background rgb "white" noenhanced'
    echo "set output '$out/$name.svg'"
    echo 'set datafile separator "|"'
    echo 'set style fill solid 0.85 border -1'
    echo 'set grid ytics lc rgb "#dddddd"'
    echo 'set border 3; set tics nomirror'
    echo 'set bmargin 6'
    # (wrapped at a comma every 140 characters or so, to fit the plot's width)
    printf 'set label 99 "%s" at screen 0.01, screen 0.045 font ",8" tc rgb "#555555"\n' \
      "$(printf '%s' "${label//\"/}" | awk '{ n = split($0, w, ", "); line = ""
        for (i = 1; i <= n; i++) { s = (line == "" ? "" : ", ") w[i]
          if (length(line s) > 140 && line != "") { out = out line ",\\n"; line = w[i] } else line = line s }
        printf "%s%s", out, line }')"
    cat
  } >"$work/$name.gp"
  gnuplot "$work/$name.gp" 2>"$work/$name.err" || { echo "book-figures: gnuplot failed for $name:" >&2; cat "$work/$name.err" >&2; exit 1; }
  printf '%s\n' "$label" >"$out/$name.label"
}
need() { # FILE N WHAT: FILE has at least N rows, or the demo's output changed shape
  local n
  n=$(wc -l <"$1")
  [[ $n -ge $2 ]] || { echo "book-figures: found $n rows of $3 (expected $2 or more): did the demo's output change?" >&2; exit 1; }
}

# fault_cost: each run's first pass less its second, per fault.
output fault_cost | awk '
  /^ +[0-9]+ +[0-9]+ faults +[0-9.]+ ms +[0-9]+ faults +[0-9.]+ ms/ {
    printf "%s|%.2f\n", $1, ($4 - $8) * 1000 / $2 }
  /median [0-9.]+ us/ { for (i = 1; i <= NF; i++) if ($i == "median") m = $(i + 1) }
  /^least disturbed/ { l = $(NF - 1) }
  END { print m > "/dev/stderr"; print l > "/dev/stderr" }' >"$work/fault_cost.dat" 2>"$work/fault_cost.stat"
need "$work/fault_cost.dat" 2 "fault_cost runs"
{ read -r median; read -r least; } <"$work/fault_cost.stat"
plot fault_cost "$ch13_label" <<EOF
set title "fault_cost: one write fault per page of private anonymous memory (2048 pages a run)"
set ylabel "microseconds per fault"
set xlabel "run"
set yrange [0:*]
set boxwidth 0.6
set xtics 1
set xrange [0.4:*]
set offsets 0, 0.6, 0, 0
set key below
plot '$work/fault_cost.dat' using 1:2 with boxes lc rgb "#4878a8" title "(first pass - second pass) / faults", \
     ${median:-0} with lines lw 2 dt 2 lc rgb "#c0392b" title "median ${median:-?} us", \
     ${least:-0} with lines lw 2 dt 3 lc rgb "#27ae60" title "least disturbed ${least:-?} us"
EOF

# fault_around: faults per page, each mapping kind and access.
output fault_around | awk '
  /^  [^ ].*  +[0-9]+ +[0-9]+ +[0-9.]+$/ {
    n = NF; pages = $(n - 2); faults = $(n - 1)
    label = $0; sub(/ +[0-9]+ +[0-9]+ +[0-9.]+$/, "", label); sub(/^ +/, "", label); gsub(/  +/, ", ", label)
    printf "%d|%s|%.5f|%d|%d\n", NR, label, faults / pages, faults, pages }' >"$work/fault_around.dat"
need "$work/fault_around.dat" 6 "fault_around rows"
rows=$(wc -l <"$work/fault_around.dat")
plot fault_around "$ch13_label" <<EOF
set terminal svg size 800,$((120 + 26 * rows)) font "sans,12" background rgb "white" noenhanced
set output '$out/fault_around.svg'
set title "fault_around: faults per page read or written, by mapping kind and access"
set xlabel "faults per page (log scale; 1 = every page faults)"
set logscale x 10
set xrange [0.001:8]
set xtics ("1/1000" 0.001, "1/100" 0.01, "1/10" 0.1, "1" 1)
set yrange [$rows + 0.5:0.5]
set grid xtics ytics lc rgb "#dddddd"
set lmargin 44
set rmargin 4
set key off
set ytics scale 0
plot '$work/fault_around.dat' using (sqrt(\$3 * 0.001)):(\$0 + 1):(0.001):(\$3):((\$0 + 1) - 0.35):((\$0 + 1) + 0.35):ytic(2) \
       with boxxyerror lc rgb "#4878a8", \
     '' using (\$3 * 1.15):(\$0 + 1):(sprintf("%d faults / %d pages", \$4, \$5)) with labels left font ",10"
EOF

# populate: where the faults' time goes: the call that maps, the writes.
output populate | awk '
  /^  [A-Za-z_]+ +[a-z(]/ && / ms$/ { way = $1; sub(/^  [A-Za-z_]+ +/, ""); first = $(NF - 1); next }
  /^          +write every page/ && way != "" { printf "%s|%s|%s|%s\n", way, first, $(NF - 1), $(NF - 3); way = "" }
' >"$work/populate.dat"
need "$work/populate.dat" 3 "populate ways"
plot populate "$ch13_label" <<EOF
set title "populate: 2048 pages mapped and written, medians; the writes' faults in brackets"
set ylabel "milliseconds"
set style data histograms
set style histogram rowstacked
set boxwidth 0.6
set yrange [0:*]
set key top right
set bmargin 7
set xtics font ",10"
plot '$work/populate.dat' using 2:xtic(sprintf("%s\n(%s faults writing)", stringcolumn(1), stringcolumn(4))) lc rgb "#e6a23c" title "mmap or madvise call", \
     '' using 3 lc rgb "#4878a8" title "writing every page"
EOF

# scan_file: read(2) at three buffer sizes against two mappings, warm and cold.
output scan_file | awk '
  /^warm: the whole/ { t = "warm" } /^cold: / && /DONTNEED/ { t = "cold" }
  /^  (read|mmap)/ && / ms$/ && t != "" {
    way = $0; sub(/^  /, "", way); sub(/ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+ ms$/, "", way)
    v[t, way] = $(NF - 1); if (!(way in seen)) { seen[way] = 1; order[++n] = way } }
  END { for (i = 1; i <= n; i++) printf "%s|%s|%s\n", order[i], v["warm", order[i]], v["cold", order[i]] }
' >"$work/scan_file.dat"
need "$work/scan_file.dat" 5 "scan_file ways"
plot scan_file "$ch13_label" <<EOF
set title "scan_file: counting the lines of an 8 MiB file, medians (lower is faster)"
set ylabel "milliseconds (log scale)"
set logscale y
set style data histograms
set style histogram clustered gap 1.5
set boxwidth 0.9
set xtics rotate by -20 left
set key top left
plot '$work/scan_file.dat' using 2:xtic(1) lc rgb "#4878a8" title "warm: in the page cache", \
     '' using 3 lc rgb "#e6a23c" title "cold: evicted before each run"
EOF

# thp_faults: faults and times with and without huge pages.
output thp_faults | awk '
  /^  MADV_[A-Z]+ +[0-9]+ +[0-9]+ kB +[0-9.]+ ms +[0-9.]+ ms$/ {
    printf "%s\\n(%s)|%s|%s|%s\n", $1 == "MADV_HUGEPAGE" ? "huge pages" : "small pages", $1, $2, $5, $7 }
' >"$work/thp_faults.dat"
need "$work/thp_faults.dat" 2 "thp_faults rows"
plot thp_faults "$ch13_label" <<EOF
set xtics font ",10"
set multiplot layout 1,2 title "thp_faults: 8 MiB of anonymous memory, small pages against huge pages (medians)"
set style data histograms
set style histogram clustered gap 1
set boxwidth 0.8
set key top right
set title "faults taken writing one byte per 4 KiB"
set logscale y
set yrange [1:*]
set ylabel "faults (log scale)"
plot '$work/thp_faults.dat' using 2:xtic(1) lc rgb "#4878a8" notitle, \
     '' using 0:(\$2 * 1.3):2 with labels notitle
unset logscale y
set yrange [0:*]
set title "time"
set ylabel "milliseconds"
set key below
plot '$work/thp_faults.dat' using 3:xtic(1) lc rgb "#4878a8" title "first writes", \
     '' using 4 lc rgb "#e6a23c" title "262144 random reads"
unset multiplot
EOF

# The examples' benchmarks: the tables recorded in their write-ups.
# bench_table README COMMAND: the table printed after "$ COMMAND".
bench_table() {
  awk -v cmd="\$ $2" '/^```/ { if (on) exit; next } index($0, cmd) == 1 { on = 1; next } on { print }' "$1"
}
ex_label() { # README TABLE
  local machine
  machine=$(sed -n 's/^machine: \([^;]*\).*/\1/p' "$2" | head -1)
  echo "Reference figures: the run recorded in the write-up, on ${machine:-the machine its text names} (write-up revised $(revised "$1"))"
}

mmkv=$root/examples/mmkv/README.md
bench_table "$mmkv" "nice make bench EX=mmkv" >"$work/mmkv.table"
awk '
  / ms +[0-9.]+ ms / || / ns +[0-9.]+ ns / {
    label = $0; sub(/ +[0-9.]+ [mn]s .*/, "", label)
    n = split($0, f, / +/); mk = 0; lm = 0
    for (i = 1; i <= n; i++) if (f[i] ~ /^[0-9.]+$/ && (f[i + 1] == "ms" || f[i + 1] == "ns")) { if (!mk) mk = f[i]; else if (!lm) lm = f[i] }
    if (mk > 0 && lm > 0) printf "%s|%.4f\n", label, lm / mk }
  /^file size after load/ { a = $5; b = $7; if (a > 0 && b > 0) printf "file size (LMDB bytes / mmkv bytes)|%.4f\n", b / a }
' "$work/mmkv.table" >"$work/mmkv_bench.dat"
need "$work/mmkv_bench.dat" 5 "mmkv benchmark rows in examples/mmkv/README.md"
rows=$(wc -l <"$work/mmkv_bench.dat")
plot mmkv_bench "$(ex_label "$mmkv" "$work/mmkv.table")" <<EOF
set terminal svg size 800,$((140 + 30 * rows)) font "sans,12" background rgb "white" noenhanced
set output '$out/mmkv_bench.svg'
set title "mmkv against LMDB: LMDB's cost over mmkv's (above 1: mmkv is faster or smaller)"
set xlabel "ratio (log scale)"
set logscale x 10
set xrange [0.0005:20]
set yrange [$rows + 0.5:0.5]
set grid xtics lc rgb "#dddddd"
set lmargin 30
set key off
set ytics scale 0
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "#c0392b"
plot '$work/mmkv_bench.dat' using (sqrt(\$2 * 0.0005)):(\$0 + 1):(0.0005):(\$2):((\$0 + 1) - 0.35):((\$0 + 1) + 0.35):ytic(1) \
       with boxxyerror lc rgb "#4878a8", \
     '' using (\$2 * 1.2):(\$0 + 1):(sprintf("%.3gx", \$2)) with labels left font ",10"
EOF

shmring=$root/examples/shmring/README.md
bench_table "$shmring" "make bench EX=shmring" >"$work/shmring.table"
awk '
  /^throughput, MB\/s/ { on = 1; next } /^round trip/ { on = 0 }
  on && /^  [0-9]+ [KiB]+ messages/ { printf "%s %s|%s|%s\n", $1, $2, $(NF - 1), $NF }
' "$work/shmring.table" >"$work/shmring_bench.dat"
need "$work/shmring_bench.dat" 3 "shmring throughput rows in examples/shmring/README.md"
plot shmring_bench "$(ex_label "$shmring" "$work/shmring.table")" <<EOF
set title "shmring against pipe(2) and a UNIX socket: throughput, ring over the other (above 1: the ring is faster)"
set ylabel "ratio (log scale)"
set logscale y
set yrange [0.5:200]
set style data histograms
set style histogram clustered gap 1.5
set boxwidth 0.9
set key top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "#c0392b"
plot '$work/shmring_bench.dat' using 2:xtic(1) lc rgb "#4878a8" title "ring / pipe", \
     '' using 3 lc rgb "#e6a23c" title "ring / socket", \
     '' using (\$0 - 0.15):(\$2 * 1.25):(sprintf("%.3gx", \$2)) with labels font ",10" notitle, \
     '' using (\$0 + 0.15):(\$3 * 1.25):(sprintf("%.3gx", \$3)) with labels font ",10" notitle
EOF

n=$(find "$out" -maxdepth 1 -name '*.svg' | wc -l)
echo "book: $n figures ($mode${why:+: $why}; the examples' from their recorded tables)"
