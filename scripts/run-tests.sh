#!/usr/bin/env bash
# run-tests.sh: run the workbook's Bats suites in one or more modes and print a
# single summary line, `N passed, N failed[, N skipped]`.
#
#   --demos          the demo tests (named "demo ...") against $WB_BUILD/chapters
#   --solutions      the exercise tests (named "exN_...") against solutions/
#   --stubs          the same tests against the pristine stubs in exercises/:
#                    here a test that FAILS counts as passed, because every
#                    stub must fail every test that grades it
#   --chapter NN     only tests/NN*.bats
#
# Environment: WB_BUILD, WB_WRAPPER, WB_TIMEOUT (see tests/helper.bash).
# Grading a submission is scripts/grade.sh.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
export WB_BUILD
WB_PAGE=$(getconf PAGESIZE)
export WB_PAGE

modes=() chapter=""
while [ $# -gt 0 ]; do
  case $1 in
    --demos|--solutions|--stubs|--extras) modes+=("${1#--}") ;;
    --chapter) chapter=${2:?--chapter needs NN}; shift ;;
    *) echo "run-tests: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

shopt -s nullglob
files=(tests/"${chapter}"*.bats)
if [ ${#files[@]} -eq 0 ]; then
  echo "run-tests: no tests/${chapter}*.bats" >&2
  exit 2
fi

passed=0 failed=0 skipped=0 harness_error=0

# The litter check: every test works in its own directory, so the suite must
# leave no new entry in /tmp or /dev/shm. What is there now is the baseline.
litter_list() { find /tmp /dev/shm -mindepth 1 -maxdepth 1 2>/dev/null | sort; }
litter_before=$(litter_list)

# run_phase LABEL FILTER INVERT: run bats over $files with name filter FILTER,
# print one line per test, add to the counts. INVERT=1 for the stub proof.
run_phase() {
  local label=$1 filter=$2 invert=$3 out plan=0 seen=0 line status name diag=""
  echo "== $label"
  out=$(bats --tap -f "$filter" "${files[@]}" 2>&1)
  while IFS= read -r line; do
    case $line in
      1..*) plan=${line#1..} ;;
      "ok "*|"not ok "*)
        flush_diag
        seen=$((seen + 1))
        if [[ $line == "not ok "* ]]; then status=fail; else status=pass; fi
        name=$(sed -E 's/^(not )?ok [0-9]+ //' <<<"$line")
        if [[ $name == *" # skip"* ]]; then
          skipped=$((skipped + 1))
          reason=${name#* # skip}
          echo "  SKIP  ${name%% # skip*} (${reason# })"
          continue
        fi
        if [ "$invert" = 1 ]; then
          if [ $status = fail ]; then status=pass; name="stub fails: $name"; else status=fail; name="stub PASSES, but must fail: $name"; fi
          diag=""
        fi
        if [ $status = pass ]; then
          passed=$((passed + 1)); echo "  ok    $name"
        else
          failed=$((failed + 1)); echo "  FAIL  $name"
          [ "$invert" = 1 ] || diag=collect
        fi
        ;;
      "#"*) if [ -n "$diag" ]; then diag+=$'\n'"        ${line#\# }"; fi ;;
      *) if [ -n "$diag" ]; then diag+=$'\n'"        $line"; fi ;;
    esac
  done <<<"$out"
  flush_diag
  if [ "$seen" -ne "$plan" ] || { [ "$plan" -eq 0 ] && grep -qv '^1\.\.0$' <<<"$out"; }; then
    echo "  HARNESS ERROR: bats planned $plan tests and reported $seen:"
    sed 's/^/        /' <<<"$out" | head -40
    harness_error=1
    failed=$((failed + 1))
  fi
}
flush_diag() {
  if [ -n "$diag" ] && [ "$diag" != collect ]; then
    printf '%s\n' "${diag#collect$'\n'}" | head -40
  fi
  diag=""
}

for mode in "${modes[@]}"; do
  case $mode in
    demos) WB_EX_DIR=$WB_BUILD/solutions run_phase "demos" '^demo ' 0 ;;
    extras) WB_EX_DIR=$WB_BUILD/solutions run_phase "the book and the grader" '^(book|grading) ' 0 ;;
    solutions) WB_EX_DIR=$WB_BUILD/solutions run_phase "exercise tests against solutions/" '^ex[0-9]+_' 0 ;;
    stubs) WB_EX_DIR=$WB_BUILD/exercises run_phase "proof that every pristine stub in exercises/ fails its tests" '^ex[0-9]+_' 1 ;;
  esac
done

echo "== litter: new entries in /tmp and /dev/shm after the run"
sleep 0.2   # let the last test's children finish exiting
litter=$(comm -13 <(echo "$litter_before") <(litter_list) | grep -v '/bats-run-' || true)
if [ -n "$litter" ]; then
  echo "  FAIL  the suite left these behind:"
  sed 's/^/        /' <<<"$litter"
  failed=$((failed + 1))
else
  echo "  ok    none"
  passed=$((passed + 1))
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
if [ "$harness_error" -ne 0 ]; then exit 2; fi
[ "$failed" -eq 0 ]
