#!/usr/bin/env bash
# watch.sh [-c NN] [-e NN-slug/exK_name] [-o OUTDIR] [SUBMISSION]: grade, then grade
# again each time a C file of the submission (default exercises/) is saved.
#
# Each run is scripts/grade.sh's (with the same -c/-e/-o): the compiler's
# message or the failing tests, the points, and then one verdict line:
#   watch: all N tests pass (P/P points)
#   watch: N of M tests fail (P/Q points): fix and save
#   watch: could not grade (see above)
# Saves are seen with inotifywait (Debian's inotify-tools; `make watch`
# installs it): a write in place or an editor's write-and-rename alike; a
# burst of events from one save grades once. Ctrl-C (or TERM) ends it, and
# a grade run under way with it.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
usage() { echo "usage: watch.sh [-c NN] [-e NN-slug/exK_name] [-o OUTDIR] [SUBMISSION]" >&2; exit 2; }
chapter="" only="" out=""
while getopts "c:e:o:" opt; do
  case $opt in
    c) chapter=$OPTARG ;;
    e) only=$OPTARG ;;
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
sub=${1:-exercises}
[ -d "$sub" ] || { echo "watch: no such submission directory '$sub'" >&2; exit 2; }
sub=$(cd "$sub" && pwd)
command -v inotifywait >/dev/null ||
  { echo "watch: inotifywait is missing: make watch installs it (Debian: inotify-tools)" >&2; exit 2; }

# What to watch: the exercise's or the chapter's directory when the
# submission has it, else the whole submission.
dirs=()
if [ -n "$only" ] && [[ $only == */* ]] && [ -d "$sub/${only%/*}" ]; then
  dirs=("$sub/${only%/*}")
elif [ -n "$chapter" ]; then
  for d in "$sub/$chapter"*/; do [ -d "$d" ] && dirs+=("${d%/}"); done
fi
[ ${#dirs[@]} -gt 0 ] || dirs=("$sub")
args=()
[ -n "$chapter" ] && args+=(-c "$chapter")
[ -n "$only" ] && args+=(-e "$only")
[ -n "$out" ] && args+=(-o "$out")
# (grade.sh's results: in OUTDIR, or the latest run's copy in build/grade)
results=${out:-${WB_BUILD:-build}/grade}/results.json

grade_pid="" tail_pid="" inw_pid=""
# stop: end the grade run under way (its own session: grade.sh, its Bats
# runs and their timeouts; the sandbox passes the TERM on to the programs)
# and inotifywait, then leave.
# shellcheck disable=SC2317  # called by the trap
stop() {
  trap - INT TERM HUP
  if [ -n "$grade_pid" ]; then
    pkill -TERM -s "$grade_pid" 2>/dev/null
    wait "$grade_pid" 2>/dev/null
  fi
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null && wait "$tail_pid" 2>/dev/null
  [ -n "$inw_pid" ] && kill "$inw_pid" 2>/dev/null && wait "$inw_pid" 2>/dev/null
  echo
  echo "watch: stopped"
  exit 0
}
trap stop INT TERM HUP

grade() {
  [ -t 1 ] && clear
  # In a session of its own, waited for in the background so that a signal
  # is handled at once rather than when the run ends.
  setsid scripts/grade.sh "${args[@]}" "$sub" >"$log" 2>&1 &
  grade_pid=$!
  # (the output as it comes, while the run goes on)
  tail -n +1 --pid="$grade_pid" -f "$log" &
  tail_pid=$!
  local status
  wait "$grade_pid"
  status=$?
  wait "$tail_pid"
  grade_pid="" tail_pid=""
  local last passed failed
  last=$(tail -1 "$log")
  if [ "$status" -ne 0 ] || [[ ! $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    echo "watch: could not grade (see above)"
  else
    passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]}
    local pts
    pts=$(jq -r '"\(.score)/\([.tests[].max_score] | add // 0)"' "$results" 2>/dev/null)
    if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
      echo "watch: all $passed tests pass ($pts points)"
    else
      echo "watch: $failed of $((passed + failed)) tests fail ($pts points): fix and save"
    fi
  fi
  echo "watch: watching ${dirs[*]#"$PWD"/} for saved .c files (Ctrl-C ends)"
}

log=$(mktemp "${TMPDIR:-/tmp}/wb-watch.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT
# (the EXIT trap runs after stop's exit too)

# inotifywait as a coprocess: its pid is ours to end.
coproc INW { exec inotifywait -m -q -r -e close_write,moved_to,create,delete --format '%w%f' "${dirs[@]}" 2>&1; }
# shellcheck disable=SC2153  # INW_PID: set by coproc
inw_pid=$INW_PID
grade
while read -r -u "${INW[0]}" f; do
  # (a C file, not an editor's hidden lock or swap file such as .#ex1.c)
  [[ $f == *.c && ${f##*/} != .* ]] || continue
  # One save is often several events (write, rename, attributes): let the
  # burst end, then grade once.
  while read -r -t 0.3 -u "${INW[0]}" _; do :; done
  grade
done
echo "watch: inotifywait ended" >&2
exit 1
