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
# a test without one is worth 1. A comment `# see: ...` there (the man page
# or the chapter's section behind the test) is the first line of the test's
# output when it fails.
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
  key=${src#exercises/}
  key=${key%.c}
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

# points_table: "NN-slug <tab> test name <tab> points <tab> see" for every
# test. (see: the text of a `# see: ...` line before the @test line, naming
# the man page or the chapter's section that explains what the test checks;
# a failing test's output starts with it.)
points_table() {
  awk 'FNR == 1 { ch = FILENAME; sub(/^.*\//, "", ch); sub(/\.bats$/, "", ch); p = ""; s = "" }
       /^# points: *[0-9]+/ { p = $3; next }
       /^# see: / { s = $0; sub(/^# see: */, "", s); gsub(/\t/, " ", s); next }
       /^@test / { n = $0; sub(/^@test "/, "", n); sub(/" *\{ *$/, "", n)
                   print ch "\t" n "\t" (p == "" ? 1 : p) "\t" s; p = ""; s = ""; next }
       !/^#/ { s = "" }' tests/[0-9]*.bats
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

# litter_sweep UID STAMP: what the programs of the exercise whose uid is UID
# left behind goes. As root: any process still running as UID (tests/
# helper.bash already swept it when the chapter's next exercise began, and
# noted that in killed.UID), and (without a namespace, where there is nothing
# to sweep) whatever UID owns in /tmp or /dev/shm. As a user, where every
# program runs as the grader, nothing tells one exercise's files from
# another's: what appeared in /tmp or /dev/shm since STAMP (given only for
# the chapter's last exercise). Each is named.
litter_sweep() {
  local uid=$1 stamp=$2 f killed=$tmp/killed.$1
  if [ "$(id -u)" -eq 0 ]; then
    if pgrep -U "$uid" -r R,S,D,T >/dev/null; then
      # A fork bomb may still be forking (up to its process limit): repeat.
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        pkill -KILL -U "$uid" 2>/dev/null || break
        sleep 0.1
      done
      echo "killed" >>"$killed"
    fi
    [ -f "$killed" ] && echo "    killed processes the program left running"
    [ "${WB_SANDBOX_NS:-}" = 1 ] && return 0
    find /tmp /dev/shm -mindepth 1 -maxdepth 1 -user "$uid" -print0 2>/dev/null
  elif [ -n "$stamp" ]; then
    find /tmp /dev/shm -mindepth 1 -maxdepth 1 -user "$(id -u)" -newer "$stamp" -print0 2>/dev/null
  fi | while IFS= read -r -d '' f; do
    echo "    removed what the program left behind: $f"
    rm -rf -- "$f"
  done
}

# stamp_lines: each line of the input, after the time it arrived (in
# microseconds) and a tab. Bats prints a test's line when the test ends, so
# an exercise's time is the time between its tests' lines.
stamp_lines() {
  local line
  while IFS= read -r line; do printf '%s\t%s\n' "${EPOCHREALTIME//[!0-9]/}" "$line"; done
}

# grade_chapter CH UID STEM...: build the chapter's exercises STEM... and run
# all their tests in one bats run (bats prepares and reads a chapter's .bats
# file once per run: once per chapter, not once per exercise). The programs
# of the k-th STEM run as uid UID+k (chosen per test in tests/helper.bash,
# from WB_SANDBOX_UIDS and the test's name). Writes res/CH__STEM.tsv (CH STEM
# STATUS POINTS NAME OUTPUT) per exercise, then prints each exercise's block,
# with its points and its time (its build, and the time its tests took).
grade_chapter() {
  local ch=$1 uid=$2 tmp=$out/tmp/$1 stem b0 filter="" uids="" i last
  shift 2
  local stems=("$@")
  local -A report usecs uid_of
  mkdir -p "$tmp" && chmod 755 "$tmp"
  for stem in "${stems[@]}"; do
    b0=${EPOCHREALTIME//[!0-9]/}
    report[$stem]=$(build_one "$ch" "$stem")
    usecs[$stem]=$(( ${EPOCHREALTIME//[!0-9]/} - b0 ))
    uid_of[$stem]=$uid
    filter+=${filter:+|}$stem
    uids+=${uids:+ }$stem=$uid
    uid=$((uid + 1))
  done
  touch "$tmp/.stamp"
  b0=${EPOCHREALTIME//[!0-9]/}
  WB_EX_DIR=$out/bin TMPDIR=$tmp WB_SANDBOX_UIDS=$uids WB_SWEEP_DIR=$tmp \
    bats --tap -f "^($filter): " "tests/$ch.bats" 2>&1 | stamp_lines |
    awk -v start="$b0" -f scripts/tap-results.awk >"$tmp/tap.tsv"
  last=${stems[${#stems[@]} - 1]}
  for stem in "${stems[@]}"; do
    report[$stem]+=$(litter_sweep "${uid_of[$stem]}" "$([ "$stem" = "$last" ] && echo "$tmp/.stamp")")
  done
  # Each exercise's results; a test's time is from the line before its own.
  awk -F'\t' -v ch="$ch" -v stems="${stems[*]}" -v out="$out/res" '
    BEGIN { n = split(stems, S, " "); for (i = 1; i <= n; i++) seen[S[i]] = 0 }
    NR == FNR { pts[$1 "\t" $2] = $3; see[$1 "\t" $2] = $4; next }
    $1 == "plan" { plan = $2; ran = $3; next }
    { stem = $2; sub(/: .*/, "", stem); p = pts[ch "\t" $2]; if (p == "") p = 1
      seen[stem]++; us[stem] += $4
      o = $3; if ($1 == "fail" && see[ch "\t" $2] != "") o = "see: " see[ch "\t" $2] "\\n" o
      printf "%s\t%s\t%s\t%s\t%s\t%s\n", ch, stem, $1, p, $2, o > (out "/" ch "__" stem ".tsv") }
    END { for (i = 1; i <= n; i++) {
            f = out "/" ch "__" S[i] ".tsv"
            if (plan != ran || plan == 0 || seen[S[i]] == 0)
              printf "%s\t%s\tfail\t1\t%s: the tests did not run (bats planned %d, ran %d)\t\n", ch, S[i], S[i], plan, ran > f
            else close(f)
            print S[i] "\t" us[S[i]] + 0 > (out "/" ch ".usecs") } }' \
    "$out/points.tsv" "$tmp/tap.tsv"
  while IFS=$'\t' read -r stem i; do usecs[$stem]=$((usecs[$stem] + i)); done <"$out/res/$ch.usecs"
  rm -f "$out/res/$ch.usecs"
  for stem in "${stems[@]}"; do
    awk -F'\t' -v key="$ch/$stem" -v report="${report[$stem]}" \
      -v secs="$((usecs[$stem] / 1000000)).$((usecs[$stem] / 100000 % 10))" '
      { max += ($3 == "skip" ? 0 : $4); if ($3 == "pass") got += $4
        if ($3 == "fail") { n++; fails = fails sprintf("    FAIL %s\n", $5)
          m = split($6, L, /\\n/); for (i = 1; i <= m && i <= 12; i++) fails = fails "         " L[i] "\n" }
        if ($3 == "skip") fails = fails sprintf("    skip %s (%s)\n", $5, $6) }
      END { printf "  %-40s %3d/%-3d points %5ss%s\n", key, got, max, secs, n ? sprintf("  (%d test%s failed)", n, n > 1 ? "s" : "") : ""
            if (report != "") print report; printf "%s", fails }' "$out/res/${ch}__$stem.tsv"
  done
  rm -rf "$tmp"
}

echo "grading $sub (${#exercises[@]} exercises)"
jobs_max=${WB_GRADE_JOBS:-$(nproc)}
# Each exercise's programs run as a uid of their own (when root): a fork bomb
# or a kill(-1) in one exercise cannot reach another, nor another student's
# (grade-all gives each student its own range). Exercise k of the list has
# uid BASE+k, whichever chapter run it is graded in.
uid=${WB_SANDBOX_UID_BASE:-61000}
chapters=()
declare -A ch_stems ch_uid
for key in "${exercises[@]}"; do
  ch=${key%/*}
  if [ -z "${ch_uid[$ch]:-}" ]; then chapters+=("$ch"); ch_uid[$ch]=$uid; fi
  ch_stems[$ch]+=" ${key#*/}"
  uid=$((uid + 1))
done
# The chapters with the most tests first, so that a long one does not start
# last and leave the other cores idle at the end.
mapfile -t chapters < <(awk -F'\t' -v want="${chapters[*]}" '$2 ~ /^ex[0-9]+_/ { n[$1]++ }
  END { k = split(want, W, " "); for (i = 1; i <= k; i++) print n[W[i]] + 0 "\t" W[i] }' \
  "$out/points.tsv" | sort -k1,1nr -k2 | cut -f2)
for ch in "${chapters[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  # shellcheck disable=SC2086  # the stems are words
  grade_chapter "$ch" "${ch_uid[$ch]}" ${ch_stems[$ch]} &
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
read -r passed failed skipped < <(awk -F'\t' '{ n[$3]++ }
  END { print n["pass"] + 0, n["fail"] + 0, n["skip"] + 0 }' "$out/results.tsv")
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
