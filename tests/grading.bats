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

# progress_levels RESULTS.json: make progress on a run's results, as
# "COUNT PERCENT" per percentage its chapter lines show (e.g. "15 100%").
progress_levels() {
  run bash -c '"$1" "$2" | awk "/^  [0-9][0-9]-/ { n[\$NF]++ } END { for (p in n) print n[p], p }"' \
    _ "$WB_ROOT/scripts/progress.sh" "$1"
}

@test "grading autograder: run_autograder gives the solutions every point and the stubs none" {
  load_bats_file
  "$WB_ROOT/scripts/autograder.sh" "$BATS_TEST_TMPDIR/ag.zip" >/dev/null
  run_autograder_on solutions
  jq -e '.score > 0 and .score == ([.tests[].max_score] | add)
         and all(.tests[]; .status == "passed" and .visibility == "visible")
         and (.execution_time | type) == "number"' "$AG/results/results.json" >/dev/null ||
    fail "solutions: $(jq -c '{score, max: ([.tests[].max_score] | add), failed: [.tests[] | select(.status != "passed") | .name]}' "$AG/results/results.json")"
  # make progress on that real run (the same results.json grade.sh writes):
  # every chapter full
  local chapters
  chapters=$(find "$WB_ROOT/exercises" -mindepth 1 -maxdepth 1 -type d | wc -l)
  progress_levels "$AG/results/results.json"
  assert_output "$chapters 100%"
  run_autograder_on exercises
  # (a test this environment cannot run, userfaultfd in a container, is
  # skipped for both: worth nothing, failed by neither)
  jq -e '.score == 0 and any(.tests[]; .status == "failed")
         and all(.tests[]; .status == "failed" or (.max_score == 0 and (.output | startswith("skipped: "))))' \
    "$AG/results/results.json" >/dev/null ||
    fail "stubs: $(jq -c '{score, passed: [.tests[] | select(.status == "passed") | .name]}' "$AG/results/results.json")"
  # and make progress on it: every chapter at zero
  progress_levels "$AG/results/results.json"
  assert_output "$chapters 0%"
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

# ---- the student's loop: see-lines, progress, reset, watch (issue 18)

# see_of CH STEM-AND-NAME-PREFIX: the `# see:` text of the first test whose
# name starts with it, from the chapter's own test file.
see_of() { awk -v t="@test \"$2" '/^# see: / { s = substr($0, 8); next } index($0, t) == 1 { print s; exit } !/^#/ { s = "" }' "$WB_ROOT/tests/$1.bats"; }

@test "grading see: every '# see:' line's chapter sections are headings of that chapter" {
  # One awk: the chapters' headings (## and ###), then every see-line's
  # `chapter NN "Title"`; and every chapter's tests have see-lines.
  run awk '
    FILENAME ~ /README\.md$/ { if (/^###? /) { split(FILENAME, p, "/"); h = $0; sub(/^#+ /, "", h); head[substr(p[length(p) - 1], 1, 2) "\t" h] = 1 }; next }
    /^# see: / { f = FILENAME; sub(/.*\//, "", f); has[f] = 1; line = $0
      while (match(line, /chapter [0-9][0-9] "[^"]*"/)) {
        ref = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH); n++
        t = ref; sub(/^chapter [0-9][0-9] "/, "", t); sub(/"$/, "", t)
        if (!((substr(ref, 9, 2) "\t" t) in head)) print f ": no section: " ref } }
    FNR == 1 && FILENAME ~ /\.bats$/ { f = FILENAME; sub(/.*\//, "", f); files[f] = 1 }
    END { for (f in files) if (!(f in has)) print f ": no see-line"; print n " references" }' \
    "$WB_ROOT"/chapters/*/README.md "$WB_ROOT"/tests/[0-9]*.bats
  assert_success
  assert_output --regexp '^[1-9][0-9]* references$'
}

@test "grading see: a failing test's report and results.json start with its '# see:' line; progress reads the run" {
  local sub=$BATS_TEST_TMPDIR/sub see
  mkdir -p "$sub/01-basics"
  cp "$WB_ROOT/exercises/01-basics/ex2_mapslice.c" "$sub/01-basics/"
  see=$(see_of 01-basics "ex2_mapslice: slices at and across page boundaries")
  [[ $see == *'chapter 01 "'* ]] || fail "tests/01-basics.bats has no see-line for that test: '$see'"
  out=$WB_BUILD/grading-tests/see
  rm -rf "$out"
  run timeout 300 env WB_WRAPPER= WB_TIMEOUT=3 WB_SANDBOX_UID_BASE=63100 \
    "$WB_ROOT/scripts/grade.sh" -e 01-basics/ex2_mapslice -o "$out" "$sub"
  assert_success
  # the line right under the FAIL line
  local i
  i=$(index_of "    FAIL ex2_mapslice: slices at and across page boundaries match the file")
  [[ $i -ge 0 ]] || fail "no FAIL line for that test"
  assert_equal "${lines[$((i + 1))]}" "         see: $see"
  jq -e --arg s "see: $see" 'any(.tests[]; .status == "failed" and (.output | startswith($s + "\n")))' "$out/results.json" >/dev/null ||
    fail "results.json: no failed test's output starts with the see-line"
  # A passing test has no see-line in its output (nothing to explain).
  # progress: this run graded one exercise of chapter 01 and nothing else.
  run "$WB_ROOT/scripts/progress.sh" "$out/results.json"
  assert_success
  assert_line --regexp "^  01-basics +0/2 +0/[0-9]+  \[\.{20}\]   0%$"
  assert_line --regexp "^  02-private-anonymous +-/2 +-  \(not graded in this run\)$"
}

@test "grading progress: with no grade results yet it says so, exit 2" {
  run -2 env WB_BUILD="$BATS_TEST_TMPDIR/nobuild" "$WB_ROOT/scripts/progress.sh"
  assert_output --partial "progress: no grade results yet"
}

# a scratch workbook: reset.sh and exercises/01-basics, committed to git
scratch_tree() {
  command -v git >/dev/null || skip "git is missing (reset takes the stub from git)"
  T=$BATS_TEST_TMPDIR/tree
  mkdir -p "$T/scripts" "$T/exercises"
  cp "$WB_ROOT/scripts/reset.sh" "$T/scripts/"
  cp -r "$WB_ROOT/exercises/01-basics" "$T/exercises/"
  git -C "$T" init -q
  git -C "$T" add -A
  git -C "$T" -c user.name=t -c user.email=t@t commit -qm stubs
}

@test "grading reset: the pristine stub comes back from git, the student's version kept beside it" {
  scratch_tree
  local f=$T/exercises/01-basics/ex1_whereis.c
  echo "my work" >"$f"
  run "$T/scripts/reset.sh" 01-basics/ex1_whereis
  assert_success
  cmp -s "$f" "$WB_ROOT/exercises/01-basics/ex1_whereis.c" || fail "the file is not the pristine stub"
  run cat "$T"/exercises/01-basics/ex1_whereis.c.bak-*
  assert_output "my work"
  # a second edit and reset keeps both backups; a reset of a pristine file does nothing
  echo "my work, take 2" >"$f"
  "$T/scripts/reset.sh" 01-basics/ex1_whereis.c >/dev/null
  run cat "$T"/exercises/01-basics/ex1_whereis.c.bak-*
  assert_output $'my work\nmy work, take 2'
  run "$T/scripts/reset.sh" 01-basics/ex1_whereis
  assert_output --partial "already the pristine stub"
  # without git: from WB_PRISTINE
  rm -rf "$T/.git"
  echo "offline work" >"$f"
  run env WB_PRISTINE="$WB_ROOT/exercises" GIT_CEILING_DIRECTORIES="$BATS_TEST_TMPDIR" "$T/scripts/reset.sh" 01-basics/ex1_whereis
  assert_success
  cmp -s "$f" "$WB_ROOT/exercises/01-basics/ex1_whereis.c" || fail "the file is not the pristine stub (WB_PRISTINE)"
  grep -qx "offline work" "$T"/exercises/01-basics/ex1_whereis.c.bak-* || fail "the offline work was not kept"
}

@test "grading reset: no EX, or one that names no exercise, is one error line, exit 2, and nothing changes" {
  scratch_tree
  echo "my work" >"$T/exercises/01-basics/ex1_whereis.c"
  local ex
  for ex in "" 01-basics/ex9_nope 99-nope/ex1_x ../../etc/passwd ex1_whereis; do
    run --separate-stderr "$T/scripts/reset.sh" $ex
    assert_failure 2
    assert_one_error_line reset "(say which exercise|names no exercise)"
  done
  grep -qx "my work" "$T/exercises/01-basics/ex1_whereis.c" || fail "the student's file changed"
  [[ -z $(compgen -G "$T/exercises/01-basics/*.bak-*") ]] || fail "a backup was made"
}

# wait_for FILE REGEX SECONDS: until a line of FILE matches (or fail), by
# the clock (a loaded machine makes each look slower than its sleep).
wait_for() {
  local end=$((SECONDS + $3))
  while ((SECONDS < end)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  fail "no line /$2/ after $3 s; the output was:"$'\n'"$(cat "$1")"
}

# A watch a test started is stopped even when the test fails (TERM, and
# KILL for it and its children if it will not go).
teardown() {
  [[ -n ${WATCH_PID:-} ]] || return 0
  local kids
  kids=$(pgrep -P "$WATCH_PID" | tr '\n' ' ')
  kill -TERM "$WATCH_PID" 2>/dev/null
  sleep 1
  kill -0 "$WATCH_PID" 2>/dev/null && kill -KILL "$WATCH_PID" $kids 2>/dev/null
  wait "$WATCH_PID" 2>/dev/null || true
}

@test "grading watch: a saved solution is graded again at once; TERM ends it and all it started" {
  command -v inotifywait >/dev/null || skip "inotifywait is missing (make watch and make test install inotify-tools)"
  local sub=$BATS_TEST_TMPDIR/sub log=$BATS_TEST_TMPDIR/watch.log n pid kids k
  mkdir -p "$sub/01-basics"
  cp "$WB_ROOT/exercises/01-basics/ex2_mapslice.c" "$sub/01-basics/"
  n=$(grep -c '^@test "ex2_mapslice:' "$WB_ROOT/tests/01-basics.bats")
  WB_WRAPPER= WB_TIMEOUT=3 WB_SANDBOX_UID_BASE=63200 \
    "$WB_ROOT/scripts/watch.sh" -e 01-basics/ex2_mapslice -o "$WB_BUILD/grading-tests/watch" "$sub" >"$log" 2>&1 3>&- &
  pid=$! WATCH_PID=$!
  # The stub's verdict first (bounds: the grading of one exercise, on a
  # loaded CI machine, with room to spare), then the solution saved over it.
  wait_for "$log" "^watch: $n of $n tests fail" 120
  wait_for "$log" "^watch: watching " 10
  kids=$(pgrep -P "$pid" | tr '\n' ' ')
  [[ -n $kids ]] || fail "watch has no inotifywait running"
  cp "$WB_ROOT/solutions/01-basics/ex2_mapslice.c" "$sub/01-basics/ex2_mapslice.c"
  wait_for "$log" "^watch: all $n tests pass" 120
  kill -TERM "$pid"
  local end=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  ! kill -0 "$pid" 2>/dev/null || fail "watch did not end within 30 s of TERM"
  wait "$pid" || true
  WATCH_PID=""
  run cat "$log"
  assert_line "watch: stopped"
  assert_line --partial "FAIL ex2_mapslice: "
  # (a zombie is only a pid until it is reaped: not running)
  local st
  for k in $pid $kids; do
    st=$(ps -o stat= -p "$k") || continue
    [[ $st == Z* ]] || fail "process $k ($(ps -o comm= -p "$k")) of watch is still running"
  done
}

# run_prairielearn_on ARG FILES...: a fake /grade with FILES in student/,
# then the grader's run_prairielearn ARG.
run_prairielearn_on() {
  local arg=$1
  shift
  PLG=$PLB/grade
  rm -rf "$PLG" && mkdir -p "$PLG/student"
  cp "$@" "$PLG/student/"
  run env PL_GRADE_ROOT="$PLG" WB_WRAPPER= WB_TIMEOUT=3 WB_LIMIT_CPU=1 WB_SANDBOX_UID_BASE=63300 \
    "$PLB/bundle/workbook/run_prairielearn" $arg
  assert_success
  [[ -s $PLG/results/results.json ]] || fail "no results.json"
}

@test "grading prairielearn: the solutions score 1, the stubs 0, a fork bomb only its own exercise; an upload with no exercise is not gradable" {
  load_bats_file
  # The grader as prairielearn.sh builds it, outside /tmp as build/ is; its
  # build directory seeded with this build's library, doctor and demos, as
  # the image's own build would have made them.
  PLB=$WB_BUILD/prairielearn-test
  rm -rf "$PLB"
  "$WB_ROOT/scripts/prairielearn.sh" "$PLB/bundle" >/dev/null
  assert_file_exists "$PLB/bundle/Dockerfile"
  jq -e '.externalGradingOptions | .image and (.entrypoint[0] == "/workbook/run_prairielearn") and .timeout' \
    "$PLB/bundle/info.json" >/dev/null || fail "info.json has no externalGradingOptions"
  [[ ! -e $PLB/bundle/workbook/solutions ]] || fail "the solutions are in the grader"
  mkdir -p "$PLB/bundle/workbook/build"
  cp -rp "$WB_BUILD/lib" "$WB_BUILD/doctor" "$WB_BUILD/chapters" "$PLB/bundle/workbook/build/"
  # A question of one exercise, its files uploaded loose (both of chapter
  # 01's: the other is not graded).
  run_prairielearn_on 01-basics/ex2_mapslice "$WB_ROOT"/solutions/01-basics/*.c
  jq -e --argjson n "$(ch01_tests ex2_mapslice)" '.gradable == true and .score == 1 and (.tests | length) == $n
         and all(.tests[]; .points == .max_points and (.name | startswith("01-basics/ex2_mapslice: "))
                 and has("output") and has("message"))' "$PLG/results/results.json" >/dev/null ||
    fail "solutions: $(jq -c '{gradable, score, n: (.tests | length), failed: [.tests[] | select(.points != .max_points) | .name]}' "$PLG/results/results.json")"
  run_prairielearn_on 01-basics/ex2_mapslice "$WB_ROOT"/exercises/01-basics/*.c
  jq -e '.gradable == true and .score == 0 and all(.tests[]; .points == 0)' "$PLG/results/results.json" >/dev/null ||
    fail "stubs: $(jq -c '{gradable, score, passed: [.tests[] | select(.points > 0) | .name]}' "$PLG/results/results.json")"
  # A question of a chapter: the fork bomb as ex2_mapslice.c, beside a good
  # ex1_whereis.c.
  mkdir -p "$BATS_TEST_TMPDIR/up"
  cp "$WB_ROOT/tests/fixtures/hostile/forkbomb/01-basics/ex2_mapslice.c" "$WB_ROOT/solutions/01-basics/ex1_whereis.c" "$BATS_TEST_TMPDIR/up/"
  SECONDS=0
  run_prairielearn_on 01 "$BATS_TEST_TMPDIR"/up/*.c
  ((SECONDS < 120)) || fail "grading the fork bomb took ${SECONDS}s"
  local wp mp
  wp=$(ch01_points ex1_whereis) mp=$(ch01_points ex2_mapslice)
  jq -e --argjson w "$wp" --argjson m "$mp" '.gradable and .score == $w / ($w + $m)
        and any(.tests[]; .output | contains("note: ex2_mapslice exited with status"))' "$PLG/results/results.json" >/dev/null ||
    fail "fork bomb: $(jq -c '{gradable, score}' "$PLG/results/results.json"), expected $wp/($wp+$mp)"
  if ps -U 63300,63301 -o stat=,pid=,comm= | grep -v '^Z' | grep -q .; then
    fail "processes of the student are still running: $(ps -U 63300,63301 -o stat=,pid=,comm= | head -3)"
  fi
  # an upload with no exercise file: not gradable, no attempt lost
  echo "hello" >"$BATS_TEST_TMPDIR/notes.txt"
  run_prairielearn_on 01 "$BATS_TEST_TMPDIR/notes.txt"
  jq -e '.gradable == false and (.format_errors | length) == 1' "$PLG/results/results.json" >/dev/null ||
    fail "no exercise: $(jq -c . "$PLG/results/results.json")"
  rm -rf "$PLB"
}
