#!/usr/bin/env bash
# run-tests.sh: run the workbook's Bats suites in one or more modes and print a
# single summary line, `N passed, N failed[, N skipped]`.
#
#   --demos          the demo tests (named "demo ...") against $WB_BUILD/chapters
#   --solutions      the exercise tests (named "exN_...") against solutions/
#   --stubs          the same tests against the pristine stubs in exercises/:
#                    here a test that FAILS counts as passed, because every
#                    stub must fail every test that grades it
#   --autograder     the Gradescope bundle, built and run here: the solutions
#                    score every point and the stubs none (the "grading
#                    autograder" tests of tests/grading.bats)
#   --chapter NN     only tests/NN*.bats
#   --file F.bats    only this file (repeatable; the litter check's own test
#                    runs a fixture this way)
#
# Environment: WB_BUILD, WB_WRAPPER, WB_TIMEOUT (see tests/helper.bash), and
# WB_DOCTOR, the doctor whose facts the tests get (default $WB_BUILD/doctor),
# and WB_TEST_TIMEOUT: seconds one test may take before Bats stops it and
# reports it failed (default 45 programs' worth, 45 x WB_TIMEOUT; 0: none),
# so that a hung test fails itself instead of stalling the whole run.
# Grading a submission is scripts/grade.sh.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
WB_TEST_TIMEOUT=${WB_TEST_TIMEOUT:-$((45 * ${WB_TIMEOUT:-20}))}
if [ "$WB_TEST_TIMEOUT" -gt 0 ]; then export BATS_TEST_TIMEOUT=$WB_TEST_TIMEOUT; fi
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
export WB_BUILD
WB_PAGE=$(getconf PAGESIZE)
export WB_PAGE

# The litter check counts only what the suite itself left behind. Where a
# private mount namespace can be made (root, outside a locked-down
# container), the whole run gets one, with an empty tmpfs of its own on /tmp
# and /dev/shm: everything found there at the end was made by the suite, and
# nothing another user or program puts in the machine's /tmp is seen.
# Elsewhere (an ordinary user, a container without CAP_SYS_ADMIN) the check
# compares the machine's /tmp and /dev/shm before and after the run, so it
# counts whatever anyone created meanwhile; the run says which mode it is in.
if [[ -z ${WB_LITTER_MODE:-} ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null &&
    unshare --mount --propagation private true 2>/dev/null; then
    export WB_LITTER_MODE=private
    # A tree or build directory inside /tmp (a clone made with mktemp -d)
    # is carried over onto the new /tmp: held open (fd 8, 9) while the
    # tmpfs covers it, then bind-mounted back at the same path, with the
    # mounts inside it (--rbind: the QEMU cells mount their ext4 scratch
    # disk on $WB_BUILD/tmp, and a plain bind left the tests on the
    # overlay beneath it).
    mkdir -p "$WB_BUILD" || exit 2
    # shellcheck disable=SC2016  # the inner script expands its own $0 and $@
    exec unshare --mount --propagation private -- bash -c \
      'exec 8<"$1" 9<"$2"
       if mount -t tmpfs -o mode=1777 wb-tmp /tmp; then
         for fd in 8 9; do
           d=$1
           case $d/ in /tmp/*)
             mkdir -p "$d" && mount --no-canonicalize --rbind /proc/self/fd/$fd "$d" ||
               { echo "run-tests: could not carry $d over onto the private /tmp" >&2; exit 2; } ;;
           esac
           shift
         done
         mount -t tmpfs -o mode=1777 wb-shm /dev/shm || export WB_LITTER_MODE=compare
       else
         export WB_LITTER_MODE=compare; shift 2
       fi
       exec 8<&- 9<&-
       exec "$0" "$@"' "$ROOT/scripts/run-tests.sh" "$ROOT" "$WB_BUILD" "$@"
  fi
  export WB_LITTER_MODE=compare
fi

modes=() chapter="" files=()
while [ $# -gt 0 ]; do
  case $1 in
    --demos|--solutions|--stubs|--extras|--autograder) modes+=("${1#--}") ;;
    --chapter) chapter=${2:?--chapter needs NN}; shift ;;
    --file) files+=("${2:?--file needs a .bats file}"); shift ;;
    *) echo "run-tests: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

shopt -s nullglob
[ ${#files[@]} -gt 0 ] || files=(tests/"${chapter}"*.bats)
if [ ${#files[@]} -eq 0 ]; then
  echo "run-tests: no tests/${chapter}*.bats" >&2
  exit 2
fi

# Bats' own files, the tests' directories and the programs' temporary files
# (TMPDIR) live in a scratch directory of this run under the build tree,
# removed at the end; so /tmp and /dev/shm should see nothing at all.
mkdir -p "$WB_BUILD/tmp" || exit 2
WB_RUN_TMP=$(mktemp -d "$WB_BUILD/tmp/run.XXXXXX") || exit 2
trap 'rm -rf "$WB_RUN_TMP"' EXIT
export TMPDIR=$WB_RUN_TMP

# The machine facts (scripts/doctor.c), measured once, natively (never under
# $WB_WRAPPER; make sanitize passes the plain build's doctor), and exported
# as WB_FACT_* for the tests: tests/helper.bash's `fact NAME` reads them.
WB_DOCTOR=${WB_DOCTOR:-$WB_BUILD/doctor}
[[ $WB_DOCTOR == /* ]] || WB_DOCTOR=$ROOT/$WB_DOCTOR
export WB_DOCTOR
if facts=$("$WB_DOCTOR" --env); then
  set -a
  eval "$facts"
  set +a
else
  echo "run-tests: no machine facts ($WB_DOCTOR --env failed; make doctor builds it): tests that need them will fail" >&2
fi

passed=0 failed=0 skipped=0 harness_error=0

# The litter check: the suite must leave no new entry in /tmp or /dev/shm.
# What is there now is the baseline (empty in a private namespace).
litter_list() { find /tmp /dev/shm -mindepth 1 -maxdepth 1 2>/dev/null | sort; }
litter_before=$(litter_list)

# run_phase LABEL FILTER INVERT: run bats over $files with name filter FILTER,
# print one line per test, add to the counts. INVERT=1 for the stub proof.
run_phase() {
  local label=$1 filter=$2 invert=$3 out plan=0 seen=0 line status name diag="" t0=$SECONDS
  echo "== $label"
  out=$(bats --tap -f "$filter" "${files[@]}" 2>&1)
  phase_time="$((SECONDS - t0)) s"
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
  echo "   ($seen tests, $phase_time)"
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
    extras) WB_EX_DIR=$WB_BUILD/solutions run_phase "the book, the grader and the litter check" '^(book|grading|litter) ' 0 ;;
    solutions) WB_EX_DIR=$WB_BUILD/solutions run_phase "exercise tests against solutions/" '^ex[0-9]+_' 0 ;;
    stubs) WB_EX_DIR=$WB_BUILD/exercises run_phase "proof that every pristine stub in exercises/ fails its tests" '^ex[0-9]+_' 1 ;;
    autograder) files=(tests/grading.bats)
                run_phase "the Gradescope bundle: solutions every point, stubs none" '^grading autograder' 0 ;;
  esac
done

if [ "$WB_LITTER_MODE" = private ]; then
  echo "== litter: entries the suite left in its private /tmp and /dev/shm"
else
  echo "== litter: new entries in /tmp and /dev/shm after the run (no private mount namespace here, so anyone's new files count)"
fi
sleep 0.2   # let the last test's children finish exiting
litter=$(comm -13 <(echo "$litter_before") <(litter_list) || true)
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
