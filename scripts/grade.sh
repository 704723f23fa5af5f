#!/usr/bin/env bash
# grade.sh [-c NN] [-e NN-slug/exK_name] [-o OUTDIR] SUBMISSION
#
# Grades a tree shaped like solutions/ (SUBMISSION/NN-slug/exK_name.c ...):
#   1. builds each exercise the book has from SUBMISSION into OUTDIR/bin
#      (default build/grade/NAME), without -Werror; a missing file or one that
#      does not compile is shown, and its tests fail;
#   2. runs each exercise's tests (tests/NN-slug.bats, tests named "exK_name:
#      ...") against those programs, several exercises at once, each program
#      through the sandbox (scripts/sandbox.c: limits, unprivileged user,
#      private /tmp);
#      one progress line per exercise as it finishes;
#   3. prints a table of points per exercise and the total, writes
#      OUTDIR/results.json (Gradescope's format) and OUTDIR/junit.xml, and
#      ends with `N passed, N failed` (tests).
# Points: a comment `# points: N` on the line(s) before a test's @test line;
# a test without one is worth 1.
# Exits 0 when grading ran, whatever the score; 2 when it could not grade.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
# A per-test watchdog that scripts/run-tests.sh exported for its own Bats
# run is not ours: bats 1.8.2 can leave a test's watchdog (a `sleep` as long
# as the limit) running when the test ends at once, as a missing exercise's
# tests do, and that sleep holds the TAP pipe open until it ends (seen: a
# 900 s stall inside the grade-all test). Grading limits each program
# itself (the sandbox, and the tests' own `timeout`).
unset BATS_TEST_TIMEOUT
ROOT=$PWD
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
export WB_BUILD
WB_PAGE=$(getconf PAGESIZE)
export WB_PAGE

chapter="" only="" out=""
while getopts "c:e:o:" opt; do
  case $opt in
    c) chapter=$OPTARG ;;
    e) only=$OPTARG ;;
    o) out=$OPTARG ;;
    *) echo "usage: grade.sh [-c NN] [-e NN-slug/exK_name] [-o OUTDIR] SUBMISSION" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
sub=${1:-}
if [ -z "$sub" ] || [ ! -d "$sub" ]; then
  echo "grade: no such submission directory '${sub}'" >&2
  exit 2
fi
sub=$(cd "$sub" && pwd)
if [ ! -f "$WB_BUILD/lib/libwb.a" ]; then
  echo "grade: $WB_BUILD/lib/libwb.a is missing (run make lib)" >&2
  exit 2
fi
# The launcher every graded program runs through (scripts/sandbox.c; the
# Makefile builds it for make grade and make all).
WB_SANDBOX_BIN=${WB_SANDBOX_BIN:-$WB_BUILD/sandbox}
if [ ! -x "$WB_SANDBOX_BIN" ]; then
  echo "grade: $WB_SANDBOX_BIN is missing (make grade builds it)" >&2
  exit 2
fi
export WB_SANDBOX_BIN
command -v jq >/dev/null || { echo "grade: jq is missing (make setup installs it)" >&2; exit 2; }
latest=""          # without -o, the latest run's reports are also build/grade/*
[ -n "$out" ] || latest=$WB_BUILD/grade
out=${out:-$WB_BUILD/grade/$(basename "$sub")}
mkdir -p "$out" && out=$(cd "$out" && pwd)

# The exercises to grade: the book's own list, narrowed by -c or -e.
shopt -s nullglob
exercises=()
for src in exercises/"${chapter}"*/*.c; do
  key=$(basename "$(dirname "$src")")/$(basename "$src" .c)
  [ -z "$only" ] || [ "$key" = "$only" ] || [[ $only != */* && $key == *"/$only" ]] || continue
  exercises+=("$key")
done
if [ ${#exercises[@]} -eq 0 ]; then
  echo "grade: no exercise matches '${only:-$chapter}' (see exercises/*/*.c)" >&2
  exit 2
fi

# Each run starts clean: programs, results and temporary files.
rm -rf "${out:?}/bin" "${out:?}/res" "${out:?}/tmp"
mkdir -p "$out/bin" "$out/res" "$out/tmp"
chmod 755 "$out" "$out/bin"
start=$(date +%s)

# Sandboxing: as root, programs run as nobody, in a mount namespace with their
# own /tmp and /dev/shm when this machine allows one.
export WB_SANDBOX=1 WB_TIMEOUT=${WB_TIMEOUT:-10}
# The only tree the sandbox may hand over to a student uid (chown).
export WB_SANDBOX_ROOT=$out/tmp
# (Not when the programs themselves live under /tmp or /dev/shm: the private
# /tmp would hide them. The sweep after each exercise does the job then.)
case $out/ in /tmp/*|/dev/shm/*) ns_ok=0 ;; *) ns_ok=1 ;; esac
if [ "$(id -u)" -eq 0 ] && [ $ns_ok = 1 ] && unshare --mount --propagation private true 2>/dev/null; then
  export WB_SANDBOX_NS=1
fi

# The machine facts the tests derive their expectations from (scripts/doctor.c,
# `fact NAME` in tests/helper.bash), measured once, by the doctor run the way
# the graded programs run: through the sandbox, so that facts such as "does
# userfaultfd work" describe an unprivileged program, not the grader.
WB_DOCTOR=${WB_DOCTOR:-$WB_BUILD/doctor}
[[ $WB_DOCTOR == /* ]] || WB_DOCTOR=$ROOT/$WB_DOCTOR
export WB_DOCTOR
mkdir -p "$out/tmp/doctor"
if facts=$(cd "$out/tmp/doctor" && TMPDIR=$PWD "$WB_SANDBOX_BIN" "$WB_DOCTOR" --env); then
  set -a
  eval "$facts"
  set +a
else
  echo "grade: no machine facts ($WB_DOCTOR --env failed; make doctor builds it)" >&2
  exit 2
fi
rm -rf "${out:?}/tmp/doctor"

# points_table: "NN-slug <tab> test name <tab> points" for every test.
points_table() {
  local f
  for f in tests/[0-9]*.bats; do
    awk -v ch="$(basename "$f" .bats)" '
      /^# points: *[0-9]+/ { p = $3; next }
      /^@test / { n = $0; sub(/^@test "/, "", n); sub(/" *\{ *$/, "", n)
                  print ch "\t" n "\t" (p == "" ? 1 : p); p = "" }' "$f"
  done
}
points_table >"$out/points.tsv"

# build_one CH STEM: compile SUBMISSION/CH/STEM.c; say what went wrong if not.
build_one() {
  local ch=$1 stem=$2 src=$sub/$1/$2.c msg
  mkdir -p "$out/bin/$ch" && chmod 755 "$out/bin/$ch"
  if [ ! -f "$src" ]; then
    echo "    missing: $ch/$stem.c is not in the submission"
    return 1
  fi
  # shellcheck disable=SC2086  # the flags are word lists
  if ! msg=$(${CC:-cc} ${CPPFLAGS:--Ilib -D_GNU_SOURCE} ${CFLAGS:-} -Wno-error \
            "$src" "$WB_BUILD/lib/libwb.a" ${LDFLAGS:-} ${LDLIBS:--pthread -lrt} \
            -o "$out/bin/$ch/$stem" 2>&1); then
    echo "    does not compile: $ch/$stem.c. The compiler said:"
    sed 's/^/      /' <<<"$msg" | head -15
    return 1
  fi
}

# litter_sweep STAMP: what a program left behind goes. As root: any process
# still running as the exercise's uid, and (without a namespace, where there
# is nothing to sweep) whatever that uid owns in /tmp or /dev/shm. Otherwise
# whatever appeared in /tmp or /dev/shm since STAMP. Each is named.
litter_sweep() {
  local stamp=$1 f
  if [ "$(id -u)" -eq 0 ]; then
    if pgrep -U "$WB_SANDBOX_UID" -r R,S,D,T >/dev/null; then
      # A fork bomb may still be forking (up to its process limit): repeat.
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        pkill -KILL -U "$WB_SANDBOX_UID" 2>/dev/null || break
        sleep 0.1
      done
      echo "    killed processes the program left running"
    fi
    [ "${WB_SANDBOX_NS:-}" = 1 ] && return 0
    find /tmp /dev/shm -mindepth 1 -maxdepth 1 -user "$WB_SANDBOX_UID" -print0 2>/dev/null
  else
    find /tmp /dev/shm -mindepth 1 -maxdepth 1 -user "$(id -u)" -newer "$stamp" -print0 2>/dev/null
  fi | while IFS= read -r -d '' f; do
    echo "    removed what the program left behind: $f"
    rm -rf -- "$f"
  done
}

# grade_one CH STEM: build, run the exercise's tests, write res/CH__STEM.tsv
# (CH STEM STATUS POINTS NAME OUTPUT), then print its block in one piece.
grade_one() {
  local ch=$1 stem=$2 key=$1__$2 report tmp t0=$EPOCHREALTIME
  export WB_SANDBOX_UID=$3 WB_SANDBOX_GID=$3
  tmp=$out/tmp/$key
  mkdir -p "$tmp" && chmod 755 "$tmp"
  report=$(build_one "$ch" "$stem")
  touch "$tmp/.stamp"
  WB_EX_DIR=$out/bin TMPDIR=$tmp bats --tap -f "^${stem}: " "tests/$ch.bats" 2>&1 |
    awk -f scripts/tap-results.awk >"$tmp/tap.tsv"
  report+=$(litter_sweep "$tmp/.stamp")
  awk -F'\t' -v ch="$ch" -v stem="$stem" '
    NR == FNR { pts[$1 "\t" $2] = $3; next }
    $1 == "plan" { if ($2 != $3 || $2 == 0) printf "%s\t%s\tfail\t1\t%s: the tests did not run (bats planned %d, ran %d)\t\n", ch, stem, stem, $2, $3; next }
    { p = pts[ch "\t" $2]; if (p == "") p = 1
      printf "%s\t%s\t%s\t%s\t%s\t%s\n", ch, stem, $1, p, $2, $3 }' \
    "$out/points.tsv" "$tmp/tap.tsv" >"$out/res/$key.tsv"
  awk -F'\t' -v key="$ch/$stem" -v report="$report" -v secs="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')" '
    { max += ($3 == "skip" ? 0 : $4); if ($3 == "pass") got += $4
      if ($3 == "fail") { n++; fails = fails sprintf("    FAIL %s\n", $5)
        m = split($6, L, /\\n/); for (i = 1; i <= m && i <= 12; i++) fails = fails "         " L[i] "\n" }
      if ($3 == "skip") fails = fails sprintf("    skip %s (%s)\n", $5, $6) }
    END { printf "  %-40s %3d/%-3d points %5ss%s\n", key, got, max, secs, n ? sprintf("  (%d test%s failed)", n, n > 1 ? "s" : "") : ""
          if (report != "") print report; printf "%s", fails }' "$out/res/$key.tsv"
  rm -rf "$tmp"
}

echo "grading $sub (${#exercises[@]} exercises)"
jobs_max=${WB_GRADE_JOBS:-$(nproc)}
# Each exercise's programs run as a uid of their own (when root): a fork bomb
# or a kill(-1) in one exercise cannot reach another, nor another student's
# (grade-all gives each student its own range).
uid=${WB_SANDBOX_UID_BASE:-61000}
for key in "${exercises[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  grade_one "${key%/*}" "${key#*/}" "$uid" &
  uid=$((uid + 1))
done
wait

# The table, the files for machines, and the closing line.
cat "$out"/res/*.tsv >"$out/results.tsv"
elapsed=$(( $(date +%s) - start ))
echo
awk -F'\t' '
  { k = $1 "/" $2; if (!(k in max)) order[++n] = k
    max[k] += ($3 == "skip" ? 0 : $4); got[k] += ($3 == "pass" ? $4 : 0) }
  END { printf "  %-22s %-22s %s\n", "chapter", "exercise", "points"
        for (i = 1; i <= n; i++) { k = order[i]; split(k, a, "/")
          printf "  %-22s %-22s %d/%d\n", a[1], a[2], got[k], max[k]; G += got[k]; M += max[k] }
        printf "  %-45s %d/%d\n", "total", G, M }' <(sort -t$'\t' -k1,2 -s "$out/results.tsv")
passed=$(awk -F'\t' '$3 == "pass"' "$out/results.tsv" | wc -l)
failed=$(awk -F'\t' '$3 == "fail"' "$out/results.tsv" | wc -l)
skipped=$(awk -F'\t' '$3 == "skip"' "$out/results.tsv" | wc -l)
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"

jq -R -s --argjson t "$elapsed" --arg summary "$summary" '
  [split("\n")[] | select(length > 0) | split("\t")
   | {ch: .[0], stem: .[1], status: .[2], pts: (.[3] | tonumber), name: .[4],
      output: ((.[5] // "") | gsub("\\\\n"; "\n"))}] as $r
  | { score: ([$r[] | select(.status == "pass") | .pts] | add // 0),
      execution_time: $t,
      output: ("Graded by the mmap workbook: " + $summary),
      tests: [$r | to_entries[] | .key as $i | .value
        | { name: "\(.ch)/\(.name)", number: "\($i + 1)",
            score: (if .status == "pass" then .pts else 0 end),
            max_score: (if .status == "skip" then 0 else .pts end),
            status: (if .status == "fail" then "failed" else "passed" end),
            output: (if .status == "skip" then "skipped: " + .output else .output end),
            visibility: "visible" }] }' "$out/results.tsv" >"$out/results.json"

jq -r -R -s '
  [split("\n")[] | select(length > 0) | split("\t")
   | {ch: .[0], status: .[2], name: .[4], output: ((.[5] // "") | gsub("\\\\n"; "\n"))}]
  | group_by(.ch)
  | "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
    + (map("  <testsuite name=\"\(.[0].ch | @html)\" tests=\"\(length)\" failures=\"\(map(select(.status == "fail")) | length)\" skipped=\"\(map(select(.status == "skip")) | length)\">\n"
      + (map("    <testcase classname=\"\(.ch | @html)\" name=\"\(.name | @html)\">"
        + (if .status == "fail" then "<failure message=\"failed\">\(.output | @html)</failure>"
           elif .status == "skip" then "<skipped message=\"\(.output | @html)\"/>" else "" end)
        + "</testcase>\n") | add)
      + "  </testsuite>\n") | add // "")
    + "</testsuites>"' "$out/results.tsv" >"$out/junit.xml"

echo "results: ${out#"$ROOT"/}/results.json, ${out#"$ROOT"/}/junit.xml (${elapsed}s)"
if [ -n "$latest" ]; then
  cp "$out/results.json" "$out/junit.xml" "$latest/"
  echo "         and the same as ${latest#"$ROOT"/}/results.json, junit.xml (the latest run)"
fi
echo "$summary"
exit 0
