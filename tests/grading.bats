#!/usr/bin/env bats
# Tests for the grader itself (scripts/grade.sh, scripts/sandbox.sh): hostile
# and broken submissions are graded as failing, with a reason, in bounded
# time, leaving nothing behind, while the rest of the submission is graded
# normally. The fixtures are in tests/fixtures/hostile/: each holds a bad
# 01-basics/ex2_mapslice.c; the test adds a good ex1_whereis.c beside it.

load helper

# grade_fixture NAME: grade the fixture plus a good ex1_whereis, chapter 01.
grade_fixture() {
  local sub=$BATS_TEST_TMPDIR/sub/$1
  mkdir -p "$sub"
  cp -r "$WB_ROOT/tests/fixtures/hostile/$1/." "$sub/"
  mkdir -p "$sub/01-basics"
  cp "$WB_ROOT/solutions/01-basics/ex1_whereis.c" "$sub/01-basics/"
  # The grader's own directory is outside /tmp, as build/grade is: programs
  # there stay visible when the sandbox gives them a private /tmp.
  out=$WB_BUILD/grading-tests/$1
  rm -rf "$out"
  SECONDS=0
  # (timeout: a grader that hangs fails the test rather than the whole run)
  run timeout 300 env WB_WRAPPER= WB_TIMEOUT=3 WB_LIMIT_CPU=1 WB_SANDBOX_UID_BASE=63000 \
    "$WB_ROOT/scripts/grade.sh" -c 01 -o "$out" "$sub"
  elapsed=$SECONDS
}

# assert_graded_safely: the hostile exercise scored 0, the good one in full,
# the run was bounded, and nothing of the student's is left anywhere.
# Points and test counts come from tests/01-basics.bats's own declarations.
ch01_points() { awk -v s="$1" '/^# points:/ { p = $3; next } $0 ~ "^@test \"" s ":" { t += (p == "" ? 1 : p); p = "" } END { print t + 0 }' "$WB_ROOT/tests/01-basics.bats"; }
ch01_tests() { grep -c "^@test \"$1:" "$WB_ROOT/tests/01-basics.bats"; }
assert_graded_safely() {
  local wp mp wn mn
  wp=$(ch01_points ex1_whereis) mp=$(ch01_points ex2_mapslice)
  wn=$(ch01_tests ex1_whereis) mn=$(ch01_tests ex2_mapslice)
  assert_success
  assert_line --regexp "^  01-basics +ex2_mapslice +0/$mp\$"
  assert_line --regexp "^  01-basics +ex1_whereis +$wp/$wp\$"
  assert_line "$wn passed, $mn failed"
  ((elapsed < 60)) || fail "grading took ${elapsed}s"
  # (Zombies are only a pid until their parent reaps them: not running.)
  if ps -U 63000,63001 -o stat=,pid=,comm= | grep -v '^Z' | grep -q .; then
    fail "processes of the student are still running: $(ps -U 63000,63001 -o stat=,pid=,comm= | head -3)"
  fi
  [[ -z $(find /tmp /dev/shm -maxdepth 1 -name 'wb-litter-*' -print -quit) ]] ||
    fail "litter left behind: $(ls -d /tmp/wb-litter-* /dev/shm/wb-litter-* 2>/dev/null)"
  jq -e --argjson w "$wp" --argjson m "$mp" '.score == $w and ([.tests[].max_score] | add) == $w + $m' "$out/results.json" >/dev/null ||
    fail "results.json: $(jq -c '{score, n: (.tests | length)}' "$out/results.json")"
}

@test "grading hostile: an infinite loop fails on the time limits" {
  grade_fixture loop
  assert_graded_safely
  assert_output --regexp 'note: ex2_mapslice exited with status (124|137|152): it (ran longer|used more than its CPU)'
}

@test "grading hostile: a segfault fails with the signal named" {
  grade_fixture segfault
  assert_graded_safely
  assert_output --partial 'note: ex2_mapslice exited with status 139: it died of SIGSEGV'
}

@test "grading hostile: a fork bomb is contained and killed" {
  grade_fixture forkbomb
  assert_graded_safely
  assert_output --partial 'note: ex2_mapslice exited with status'
}

@test "grading hostile: a child left running with the program's output is killed when it exits" {
  # Without sandbox.sh's reaping, the test reading that output waits for ever.
  grade_fixture orphan
  assert_graded_safely
}

@test "grading hostile: writing 1 GiB stops at the file-size limit" {
  grade_fixture bigwrite
  assert_graded_safely
  assert_output --partial 'it wrote a file larger than the file-size limit (SIGXFSZ)'
  [[ -z $(find "$out" -size +100M -print -quit) ]] || fail "a large file is left in the grader's directory"
}

@test "grading hostile: files left in /tmp and /dev/shm are removed and named" {
  [[ $(id -u) -eq 0 ]] || skip "only root can give programs a private /tmp; as a user the grader sweeps /tmp instead"
  grade_fixture litter
  assert_graded_safely
  assert_output --regexp 'left files behind|removed what the program left behind'
}

@test "grading hostile: a file that does not compile is shown with the compiler's message" {
  grade_fixture nocompile
  assert_graded_safely
  assert_output --partial 'does not compile: 01-basics/ex2_mapslice.c. The compiler said:'
  assert_output --partial 'error:'
}

@test "grading hostile: a missing file fails its tests and is named" {
  grade_fixture missing
  assert_graded_safely
  assert_output --partial 'missing: 01-basics/ex2_mapslice.c is not in the submission'
}

@test "grading errors: a directory that does not exist cannot be graded (exit 2)" {
  run -2 "$WB_ROOT/scripts/grade.sh" -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/nosuch"
  assert_output --partial "grade: no such submission directory"
}

# run_autograder_on WHO [flat]: a fake /autograder with the bundle unpacked
# in source/ and WHO's files (solutions or exercises) in submission/, shaped
# or (with "flat") as loose chapter 01 files; then run_autograder.
run_autograder_on() {
  AG=$WB_BUILD/autograder-test/$1${2:+-$2}
  rm -rf "$AG" && mkdir -p "$AG/source" "$AG/submission"
  unzip -q "$BATS_TEST_TMPDIR/ag.zip" -d "$AG/source"
  if [[ ${2:-} == flat ]]; then
    cp "$WB_ROOT/$1"/01-basics/*.c "$AG/submission/"
  else
    mkdir -p "$AG/submission/upload" && cp -r "$WB_ROOT/$1/." "$AG/submission/upload/"
  fi
  run env AUTOGRADER_ROOT="$AG" WB_WRAPPER= "$AG/source/run_autograder"
  assert_success
  assert_file_exists "$AG/results/results.json"
}

@test "grading autograder: the bundle has setup.sh and run_autograder at its root, and no solutions" {
  load_bats_file
  run "$WB_ROOT/scripts/autograder.sh" "$BATS_TEST_TMPDIR/ag.zip"
  assert_success
  run unzip -Z1 "$BATS_TEST_TMPDIR/ag.zip"
  assert_line setup.sh
  assert_line run_autograder
  assert_line Makefile
  refute_line --regexp '^solutions/'
  unzip -Z "$BATS_TEST_TMPDIR/ag.zip" run_autograder | grep -q '^-rwx' || fail "run_autograder is not executable in the zip"
}

@test "grading autograder: run_autograder gives the solutions every point and the stubs none" {
  load_bats_file
  "$WB_ROOT/scripts/autograder.sh" "$BATS_TEST_TMPDIR/ag.zip" >/dev/null
  run_autograder_on solutions
  jq -e '.score > 0 and .score == ([.tests[].max_score] | add)
         and all(.tests[]; .status == "passed" and .visibility == "visible")
         and (.execution_time | type) == "number"' "$AG/results/results.json" >/dev/null ||
    fail "solutions: $(jq -c '{score, max: ([.tests[].max_score] | add), failed: [.tests[] | select(.status != "passed") | .name]}' "$AG/results/results.json")"
  run_autograder_on exercises
  # (a test this environment cannot run, userfaultfd in a container, is
  # skipped for both: worth nothing, failed by neither)
  jq -e '.score == 0 and any(.tests[]; .status == "failed")
         and all(.tests[]; .status == "failed" or (.max_score == 0 and (.output | startswith("skipped: "))))' \
    "$AG/results/results.json" >/dev/null ||
    fail "stubs: $(jq -c '{score, passed: [.tests[] | select(.status == "passed") | .name]}' "$AG/results/results.json")"
}

@test "grading autograder: a flat upload of exercise files is placed by name" {
  load_bats_file
  "$WB_ROOT/scripts/autograder.sh" "$BATS_TEST_TMPDIR/ag.zip" >/dev/null
  run_autograder_on solutions flat
  # Chapter 01's exercises earn their points; the others are missing.
  want=$(awk '/^# points:/ { p = $3; next } /^@test "ex/ { t += (p == "" ? 1 : p); p = "" } END { print t }' \
         "$WB_ROOT/tests/01-basics.bats")
  jq -e --argjson w "$want" '.score == $w' "$AG/results/results.json" >/dev/null ||
    fail "flat upload scored $(jq .score "$AG/results/results.json"), expected $want"
}

@test "grading grade-all: a class of three gets one CSV row each, graded independently" {
  local class=$BATS_TEST_TMPDIR/class
  mkdir -p "$class/ann/01-basics" "$class/bob/01-basics" "$class/cy, the third"
  cp "$WB_ROOT"/solutions/01-basics/*.c "$class/ann/01-basics/"
  cp "$WB_ROOT/solutions/01-basics/ex2_mapslice.c" "$class/bob/01-basics/"
  # Bob's ex1_whereis is a fork bomb, graded while Ann's work is graded.
  cp "$WB_ROOT/tests/fixtures/hostile/forkbomb/01-basics/ex2_mapslice.c" "$class/bob/01-basics/ex1_whereis.c"
  run env WB_WRAPPER= WB_TIMEOUT=3 WB_LIMIT_CPU=1 WB_GRADE_ALL_OUT="$WB_BUILD/grade-all-test" \
    "$WB_ROOT/scripts/grade-all.sh" "$class"
  assert_success
  csv=$WB_BUILD/grade-all-test/grades.csv
  run head -1 "$csv"
  assert_output --regexp '^"student","01-basics/ex1_whereis","01-basics/ex2_mapslice",.*"total"$'
  w=$(ch01_points ex1_whereis) m=$(ch01_points ex2_mapslice)
  run grep '^"ann",' "$csv"
  assert_output --regexp "^\"ann\",\"$w\",\"$m\",(\"0\",)*\"$((w + m))\"$"
  run grep '^"bob",' "$csv"
  assert_output --regexp "^\"bob\",\"0\",\"$m\",(\"0\",)*\"$m\"$"
  run grep '^"cy, the third",' "$csv"
  assert_output --regexp '^"cy, the third",("0",)*"0"$'
}
