#!/usr/bin/env bats
# Tests for examples/hsstat: jps -l and jstat without a JVM. All are demo
# tests ("demo hsstat: ..."), run by `make test`'s demo phase.
#
# The real thing is the measure: where a JDK is installed, one JVM running
# examples/hsstat/Alloc.java is started for the whole file (setup_file) and
# hsstat's output is compared with jps's and jstat's. HotSpot puts its file
# in /tmp/hsperfdata_USER whatever TMPDIR says, so the JVMs here write to
# the real /tmp (scripts/run-tests.sh gives a run a private one where it can):
# each test's JVM is gone, and its file and any hsperfdata_USER directory a
# test made are removed, before the test ends; the shared JVM, in
# teardown_file. jstat and jps run with -XX:-UsePerfData, so that their own
# JVMs leave no file either.

load helper

HSSTAT=$WB_BUILD/examples/hsstat/hsstat
ME=$(id -un)
JAVA_OPTS=(-Xmx64m -XX:TieredStopAtLevel=1)
TOOL_OPTS=(-J-XX:-UsePerfData -J-XX:TieredStopAtLevel=1)

hs() {
  local flags=()
  while [[ $# -gt 0 && ( $1 == -[0-9]* || $1 == '!' || $1 == --separate-stderr ) ]]; do
    flags+=("$1")
    shift
  done
  wb_run "${flags[@]}" "$HSSTAT" "$@"
}

# ------------------------------------------------------------ the shared JVM

# wait_for FILE WORD [N]: until FILE has N lines (default 1) equal to WORD.
wait_for() {
  local k
  for ((k = 0; k < 900; k++)); do
    [[ $(grep -cx "$2" "$1" 2>/dev/null) -ge ${3:-1} ]] && return 0
    sleep 0.05
  done
  return 1
}

setup_file() {
  local tool
  for tool in java javac jstat jps; do
    if ! command -v "$tool" >/dev/null; then
      export HS_NO_JDK="no JDK: $tool is not on PATH (WB_SETUP_EXTRA=javac:default-jdk-headless scripts/setup.sh installs one)"
      return 0
    fi
  done
  export HS_CLASSES=$BATS_FILE_TMPDIR/classes HS_JVM_DIR=$BATS_FILE_TMPDIR/jvm
  mkdir -p "$HS_CLASSES" "$HS_JVM_DIR"
  if ! javac -J-XX:-UsePerfData -d "$HS_CLASSES" "$WB_ROOT/examples/hsstat/Alloc.java" >"$HS_JVM_DIR/javac.out" 2>&1; then
    export HS_JVM_FAILED="javac failed: $(cat "$HS_JVM_DIR/javac.out")"
    return 0
  fi
  # The JVM makes /tmp/hsperfdata_USER if it is not there: then it is ours
  # to remove at the end (rmdir: only if no other JVM has a file in it);
  # the lock, held by the file's run, keeps other Bats runs' JVM tests out
  # until then (helper.bash)
  jvm_lock
  export WB_JVM_LOCK_FD
  [[ -d /tmp/hsperfdata_$ME ]] || export HS_DIR_NEW=/tmp/hsperfdata_$ME
  (cd "$HS_JVM_DIR" && exec java "${JAVA_OPTS[@]}" -cp "$HS_CLASSES" Alloc >out 2>&1 3>&- {WB_JVM_LOCK_FD}>&-) &
  export HS_JVM_PID=$!
  if ! wait_for "$HS_JVM_DIR/out" ready || [[ ! -f /tmp/hsperfdata_$ME/$HS_JVM_PID ]]; then
    export HS_JVM_FAILED="the JVM did not start: $(cat "$HS_JVM_DIR/out")"
  fi
}

teardown_file() {
  if [[ -n ${HS_JVM_PID:-} ]]; then
    kill -TERM "$HS_JVM_PID" 2>/dev/null || true
    local k
    for ((k = 0; k < 200; k++)); do kill -0 "$HS_JVM_PID" 2>/dev/null || break; sleep 0.05; done
    rm -f "/tmp/hsperfdata_$ME/$HS_JVM_PID"
  fi
  [[ -z ${HS_DIR_NEW:-} ]] || rmdir "$HS_DIR_NEW" 2>/dev/null || true
  jvm_unlock
}

need_jvm() {
  [[ -z ${HS_NO_JDK:-} ]] || skip "$HS_NO_JDK"
  [[ -z ${HS_JVM_FAILED:-} ]] || fail "$HS_JVM_FAILED"
  kill -0 "$HS_JVM_PID" || fail "the shared JVM $HS_JVM_PID has died: $(cat "$HS_JVM_DIR/out")"
}

# Stop the shared JVM's allocation (Alloc waits while the file "pause"
# exists) and wait until it says so; resume lets it run again.
pause_jvm() {
  local n
  n=$(grep -cx paused "$HS_JVM_DIR/out" || true)
  touch "$HS_JVM_DIR/pause"
  wait_for "$HS_JVM_DIR/out" paused $((n + 1)) || fail "the JVM did not pause"
}
resume_jvm() { rm -f "$HS_JVM_DIR/pause"; }

teardown() {
  local p
  for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
  for p in "${CLEAN[@]}"; do rm -rf "$p"; done
  [[ -z ${HS_JVM_DIR:-} ]] || resume_jvm
}
setup() {
  wb_setup
  BG=() CLEAN=()
}

jstat_() { jstat "${TOOL_OPTS[@]}" "$@"; }

# agree MODE HEADER H1 J H2: jstat's row J is explained by hsstat's rows H1
# (read before it) and H2 (after). A column that did not move between H1
# and H2 must be jstat's to the character; one that moved and whose counters
# only grow (collections, their times, classes, compilations) must hold a
# value between the two. In mode all, any other column that moved makes the
# comparison inconclusive (status 2: try again); in mode monotonic those
# columns are not compared. Status 1, with the reasons on stdout: they
# disagree.
agree() {
  awk -v mode="$1" -v h="$2" -v a="$3" -v j="$4" -v b="$5" 'BEGIN {
    n = split(h, name); split(a, x); split(j, y); split(b, z)
    grows = " YGC YGCT FGC FGCT CGC CGCT GCT Loaded Bytes Unloaded Time Compiled Failed Invalid "
    st = 0
    for (i = 1; i <= n; i++) {
      m = index(grows, " " name[i] " ") > 0
      if (!m && mode != "all") continue
      if (x[i] == z[i]) {
        if (y[i] != x[i]) { printf "%s: hsstat %s before and after, jstat %s\n", name[i], x[i], y[i]; st = 1 }
      } else if (m) {
        if (!(x[i] + 0 <= y[i] + 0 && y[i] + 0 <= z[i] + 0)) { printf "%s: jstat %s is not within hsstat %s..%s\n", name[i], y[i], x[i], z[i]; st = 1 }
      } else if (st == 0) {
        printf "%s moved: %s, then %s\n", name[i], x[i], z[i]; st = 2
      }
    }
    exit st
  }'
}

# compare_live MODE OPTION PID: read hsstat, jstat, hsstat; the headers must
# be identical and the rows agree (up to three tries while inconclusive).
compare_live() {
  local mode=$1 opt=$2 pid=$3 try h1 j h2 st why
  for try in 1 2 3; do
    hs "$opt" "$pid"
    assert_success
    h1=$output
    j=$(jstat_ "$opt" "$pid") || fail "jstat $opt $pid failed: $j"
    hs "$opt" "$pid"
    assert_success
    h2=$output
    [[ ${h1%%$'\n'*} == "${j%%$'\n'*}" ]] || fail "$opt: the headers differ:"$'\n'"hsstat: ${h1%%$'\n'*}"$'\n'"jstat:  ${j%%$'\n'*}"
    [[ ${h1%%$'\n'*} == "${h2%%$'\n'*}" ]] || fail "$opt: hsstat's header changed"
    if [[ $mode == all && $h1 == "$h2" && $j != "$h1" ]]; then
      fail "$opt: hsstat printed the same twice, jstat something else:"$'\n'"$h1"$'\n'"$j"
    fi
    why=$(agree "$mode" "${h1%%$'\n'*}" "${h1#*$'\n'}" "${j#*$'\n'}" "${h2#*$'\n'}") && st=0 || st=$?
    [[ $st -eq 1 ]] && fail "$opt: hsstat and jstat disagree: $why"$'\n'"$h1"$'\n'"$j"$'\n'"$h2"
    if [[ $st -eq 0 ]]; then
      echo "# $opt agrees (try $try): ${j#*$'\n'}" >&3
      return 0
    fi
    echo "# $opt inconclusive (try $try): $why" >&3
  done
  fail "$opt: three comparisons in a row inconclusive: $why"
}

# ------------------------------------------------------------ no JDK needed

@test "demo hsstat: usage errors are one line, exit 2" {
  hs -h
  assert_success
  assert_output --partial "usage: hsstat [-h] -l | -class|-compiler|-gc|-gcutil PID|FILE"
  hs -2 --separate-stderr -gcx 1
  assert_one_error_line hsstat "unknown option '-gcx'"
  hs -2 --separate-stderr -gc 1 10x
  assert_one_error_line hsstat "interval '10x': a number of milliseconds, or seconds followed by s"
  hs -2 --separate-stderr -gc 1 ms
  assert_one_error_line hsstat "interval 'ms': not a number"
  hs -2 --separate-stderr -gc 1 1s 0
  assert_one_error_line hsstat "count"
  # The cases below run no code that those above do not (a test of argc or
  # of one character, wb_long_arg's range error, then wb_usage), so under
  # Valgrind (make memcheck), where each run costs a second of start-up,
  # they are left to the native and sanitizer runs.
  on_valgrind && return 0
  hs -2 --separate-stderr
  assert_one_error_line hsstat "say what to show: -l, or one of -class\|-compiler\|-gc\|-gcutil"
  hs -2 --separate-stderr gcutil 1
  assert_one_error_line hsstat "unknown option 'gcutil'"
  hs -2 --separate-stderr -l 1
  assert_one_error_line hsstat "-l takes no operand \('1'\)"
  hs -2 --separate-stderr -gcutil
  assert_one_error_line hsstat "-gcutil: which JVM\? give a PID or a saved file"
  hs -2 --separate-stderr -gc 1 0
  assert_one_error_line hsstat "interval"
  hs -2 --separate-stderr -gc 1 1s 5 x
  assert_one_error_line hsstat "too many operands \('x'\)"
  hs -2 --separate-stderr -class 99999999999
  assert_one_error_line hsstat "PID"
}

@test "demo hsstat: not a JVM, no such process, no such file, not PerfData: one line each, exit 1" {
  sleep 30 &
  BG+=($!)
  hs -1 --separate-stderr -gcutil "$!"
  assert_one_error_line hsstat "process $!: no hsperfdata file \(not a JVM, or one run with -XX:-UsePerfData or -XX:\+PerfDisableSharedMem\)$"
  # one more than the largest pid this kernel gives out
  hs -1 --separate-stderr -gcutil "$(($(cat /proc/sys/kernel/pid_max) + 1))"
  assert_one_error_line hsstat "process [0-9]+ not found$"
  hs -1 --separate-stderr -class nosuch
  assert_one_error_line hsstat "open 'nosuch': No such file or directory$"
  head -c 32768 /dev/zero >zeros
  hs -1 --separate-stderr -class zeros
  assert_one_error_line hsstat "zeros: bad magic 00 00 00 00 \(want ca fe c0 c0\)$"
  : >empty
  hs -1 --separate-stderr -gc empty
  assert_one_error_line hsstat "empty: is empty$"
  mkdir adir
  hs -1 --separate-stderr -gc adir
  assert_one_error_line hsstat "adir: is not a regular file$"
}

@test "demo hsstat: a region from chapter 14's perfvm has none of jstat's counters: every column is -" {
  wb_exec "$WB_BUILD/chapters/14-perfdata/perfvm" -d . -t 0 -s perfvm.data >/dev/null
  hs -gcutil perfvm.data
  assert_success
  assert_line --index 0 "  S0     S1     E      O      M     CCS    YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT   "
  assert_line --index 1 "     -      -      -      -      -      -      -         -     -         -     -         -         -"
  local gcutil=$output
  hs -compiler perfvm.data
  assert_success
  assert_line --index 1 "       -      -       -        -          - -           "
  [[ -z ${HS_NO_JDK:-} ]] || skip "$HS_NO_JDK (to compare with jstat)"
  # jstat reads the same file (a file: URL): the same characters
  assert_equal "$gcutil" "$(jstat_ -gcutil "file://$PWD/perfvm.data")"
  assert_equal "$output" "$(jstat_ -compiler "file://$PWD/perfvm.data")"
}

@test "demo hsstat: rows every INTERVAL until COUNT, or until the process exits; a live region of perfvm" {
  [[ -d /tmp/hsperfdata_$ME ]] || CLEAN+=("/tmp/hsperfdata_$ME")
  wb_exec "$WB_BUILD/chapters/14-perfdata/perfvm" -d /tmp -t 120000 >vm.out 2>&1 &
  local k vm
  BG+=("$!")
  for ((k = 0; k < 200; k++)); do grep -q '^accessible = 1' vm.out && break; sleep 0.05; done
  # perfvm's pid (wb_exec's $! is the wrapper's): its file's name
  vm=$(sed -n 's/^file \([0-9]*\): .*/\1/p' vm.out)
  [[ -n $vm ]] || fail "perfvm did not start: $(cat vm.out)"
  BG+=("$vm")
  hs -class "$vm" 50ms 3
  assert_success
  assert_equal "${#lines[@]}" 4
  assert_line --index 0 "Loaded  Bytes  Unloaded  Bytes     Time   "
  assert_line --index 3 "     -       -        -       -          -"
  # without a COUNT: rows until perfvm exits, then status 0 (as jstat)
  wb_exec "$HSSTAT" -class "$vm" 100ms >rows 2>&1 &
  local h=$! st
  BG+=("$h")
  for ((k = 0; k < 600; k++)); do [[ $(wc -l <rows) -ge 3 ]] && break; sleep 0.05; done
  kill -TERM "$vm"
  wait "${BG[0]}" || fail "perfvm failed: $(cat vm.out)"
  wait "$h" && st=0 || st=$?
  [[ $st -eq 0 ]] || fail "hsstat did not end well when perfvm exited (status $st): $(cat rows)"
  run tail -n 1 rows
  assert_output "     -       -        -       -          -"
}

@test "demo hsstat: a file that shrinks under the mapping is one line (SIGBUS caught), never a crash" {
  wb_exec "$WB_BUILD/chapters/14-perfdata/perfvm" -d . -t 0 -s region >/dev/null
  wb_exec "$HSSTAT" -class region 20 1000 >out 2>err &
  local p=$! st k
  BG+=("$p")
  # once it has printed a row, it has mapped the file: take the pages away
  for ((k = 0; k < 400; k++)); do [[ $(wc -l <out) -ge 2 ]] && break; sleep 0.05; done
  truncate -s 0 region
  wait "$p" && st=0 || st=$?
  stderr=$(cat err)
  assert_equal "$st" 1
  assert_one_error_line hsstat "region: the file shrank under the mapping \(SIGBUS\)$"
}

@test "demo hsstat: -l, when a JVM's file shrinks under the mapping, lists that JVM as unavailable (SIGBUS caught) and the others as usual" {
  # Two live perfvm regions; one's file is cut to one page and grown back
  # again and again while hsstat -l copies it: a copy that reaches a cut
  # page faults. 300 extra counters make the list of entries run past the
  # first page; perfvm's own counters, which it updates, are in the first
  # page, so it runs on. (A perfvm region has no sun.rt.javaCommand: its
  # main class is "Unknown", as jps says.) Like every program here, the two
  # perfvms run under the per-program limit, WB_TIMEOUT seconds: the runs
  # stop once two thirds of it have passed, so that both are there through
  # the last one (40 runs natively take about 12 s of 20; under QEMU's
  # emulation, with 120 s, 40 runs took longer and the regions were gone).
  [[ -d /tmp/hsperfdata_$ME ]] || CLEAN+=("/tmp/hsperfdata_$ME")
  local k vm1 vm2 f size runs=40 caught=0 w1 w2 t0=$SECONDS
  wb_exec "$WB_BUILD/chapters/14-perfdata/perfvm" -d /tmp -t 120000 -e 300 >vm1.out 2>&1 &
  w1=$!
  BG+=("$w1")
  wb_exec "$WB_BUILD/chapters/14-perfdata/perfvm" -d /tmp -t 120000 >vm2.out 2>&1 &
  w2=$!
  BG+=("$w2")
  for ((k = 0; k < 600; k++)); do
    grep -q '^accessible = 1' vm1.out && grep -q '^accessible = 1' vm2.out && break
    sleep 0.05
  done
  grep -q '^accessible = 1' vm1.out && grep -q '^accessible = 1' vm2.out ||
    fail "perfvm did not publish both regions in 30 s: $(cat vm1.out vm2.out)"
  vm1=$(sed -n 's/^file \([0-9]*\): .*/\1/p' vm1.out)
  vm2=$(sed -n 's/^file \([0-9]*\): .*/\1/p' vm2.out)
  [[ -n $vm1 && -n $vm2 ]] || fail "perfvm did not start: $(cat vm1.out vm2.out)"
  BG+=("$vm1" "$vm2")
  f=/tmp/hsperfdata_$ME/$vm1
  CLEAN+=("$f" "/tmp/hsperfdata_$ME/$vm2") # if the test stops early (teardown's SIGKILL leaves them)
  size=$(stat -c %s "$f")
  (while :; do truncate -c -s "$PAGE" "$f"; truncate -c -s "$size" "$f"; done) &
  local cutter=$!
  BG+=("$cutter")
  on_instrumented && runs=5
  for ((k = 0; k < runs; k++)); do
    ((k == 0 || (SECONDS - t0) * 3 < WB_TIMEOUT * 2)) || break
    hs --separate-stderr -l
    ((status == 0)) || fail "run $k: hsstat -l exited with status $status: $stderr"
    [[ -z $stderr ]] || fail "run $k: hsstat -l wrote to stderr: $stderr"
    assert_line "$vm2 Unknown"
    if [[ ${#lines[@]} -gt 0 ]] && printf '%s\n' "${lines[@]}" | grep -qx "$vm1 -- process information unavailable"; then
      caught=$((caught + 1))
    else
      assert_line "$vm1 Unknown"
    fi
  done
  kill "$cutter"
  kill -TERM "$vm1" "$vm2"
  wait "$w1" || fail "perfvm failed: $(cat vm1.out)"
  wait "$w2" || fail "perfvm failed: $(cat vm2.out)"
  [[ ! -e $f ]] || fail "perfvm left its file"
  echo "# $k runs of hsstat -l in $((SECONDS - t0)) s: $caught listed the cut region's JVM as unavailable" >&3
}

# ------------------------------------------------------------ against the JDK

@test "demo hsstat: -l lists the JVM as jps -l does: pid and main class" {
  need_jvm
  hs -l
  assert_success
  assert_line "$HS_JVM_PID Alloc"
  local j
  j=$(jps "${TOOL_OPTS[@]}" -l) || fail "jps failed: $j"
  assert_equal "$(grep "^$HS_JVM_PID " <<<"$output")" "$(grep "^$HS_JVM_PID " <<<"$j")"
}

@test "demo hsstat: an idle JVM: -gcutil, -gc, -class and -compiler print jstat's header and jstat's values" {
  need_jvm
  pause_jvm
  local opt opts=(-gcutil -gc -class -compiler)
  # Under Valgrind (make memcheck) only the two options no other test reads
  # from a live JVM: the next test runs -gcutil and -gc on this JVM under
  # Valgrind, and compares -gc with jstat; each option here costs two
  # seconds of Valgrind start-up and a jstat. The native and sanitizer runs
  # compare all four.
  on_valgrind && opts=(-class -compiler)
  for opt in "${opts[@]}"; do
    compare_live all "$opt" "$HS_JVM_PID"
  done
}

@test "demo hsstat: a JVM at work: jstat's counts and times lie between two hsstat reads" {
  need_jvm
  local before after
  hs -gcutil "$HS_JVM_PID"
  assert_success
  before=$(awk 'NR == 2 { print $7 }' <<<"$output")
  compare_live monotonic -gc "$HS_JVM_PID"
  hs -gcutil "$HS_JVM_PID"
  assert_success
  after=$(awk 'NR == 2 { print $7 }' <<<"$output")
  [[ $after -gt $before ]] || fail "the JVM did no young collection during the test (YGC $before, then $after)"
}

@test "demo hsstat: a saved file (-XX:+PerfDataSaveToFile) of a Serial-GC JVM: jstat's output to the character" {
  need_jvm
  on_valgrind && skip "an agreement with jstat, checked by the native and sanitizer runs; under Valgrind hsstat reads a file (no pid) in the perfvm and nested-container tests, and real -gc and -gcutil counters in the JVM-at-work test"
  # 300 rounds, then System.gc(): young and full collections, no
  # concurrent collector (CGC and CGCT are "-", GCT still counts)
  (exec java "${JAVA_OPTS[@]}" -XX:+UseSerialGC -XX:+PerfDataSaveToFile \
    -XX:PerfDataSaveFile="$PWD/saved.hsperf" -cp "$HS_CLASSES" Alloc 300 >out 2>&1 3>&-) ||
    fail "the JVM failed: $(cat out)"
  local opt
  for opt in -gc -gcutil; do
    hs "$opt" saved.hsperf
    assert_success
    assert_equal "$output" "$(jstat_ "$opt" "file://$PWD/saved.hsperf")"
  done
  # (the -gcutil rows just read)
  assert_line --index 1 --regexp '^( +[0-9]+\.[0-9]{2}){6} +[1-9][0-9]* +[0-9.]+ +1 +[0-9.]+ +- +- +[0-9.]+$'
}

# can_unshare_pid: can this test make pid and mount namespaces (as root, or
# in a user namespace)? Sets UNSHARE.
can_unshare_pid() {
  if unshare -p -f -m --mount-proc true 2>/dev/null; then UNSHARE=(unshare -p -f -m --mount-proc)
  elif unshare -r -p -f -m --mount-proc true 2>/dev/null; then UNSHARE=(unshare -r -p -f -m --mount-proc)
  else return 1
  fi
}

@test "demo hsstat: a JVM in nested containers (pid namespaces two deep, its own /tmp) is found by its host pid, and only by it" {
  need_jvm
  can_unshare_pid || skip "cannot make pid and mount namespaces here (unshare -p -m refused, as root and in a user namespace)"
  # The JVM is pid 1 of the inner pid namespace, with a private /tmp: its
  # file is /tmp/hsperfdata_USER/1 in there, and nowhere in ours. The inner
  # unshare(1) shares that /tmp and is pid 1 of the middle namespace: a
  # file named 1 in its /tmp is not its file.
  # (the test's directory, with a copy of the classes, is carried over onto
  # the new /tmp when it lies under /tmp, as scripts/run-tests.sh does)
  cp -r "$HS_CLASSES" classes
  # shellcheck disable=SC2016  # the inner script expands its own $1
  "${UNSHARE[@]}" unshare -p -f -m --mount-proc sh -c 'exec 9<"$1"
    mount -t tmpfs hs-tmp /tmp || exit 1
    case $1 in /tmp/*) mkdir -p "$1" && mount --no-canonicalize --bind /proc/self/fd/9 "$1" || exit 1 ;; esac
    cd "$1" && shift && exec 9<&- java "$@"' \
    sh "$PWD" "${JAVA_OPTS[@]}" -cp "$PWD/classes" Alloc >out 2>&1 &
  local outer=$! mid jvm k
  BG+=("$outer")
  for ((k = 0; k < 600; k++)); do
    mid=$(cat "/proc/$outer/task/$outer/children" 2>/dev/null) && mid=${mid%% *}
    [[ -n $mid ]] && jvm=$(cat "/proc/$mid/task/$mid/children" 2>/dev/null) && jvm=${jvm%% *}
    [[ -n ${jvm:-} ]] && grep -q ready out && break
    kill -0 "$outer" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n ${jvm:-} ]] && grep -q ready out || fail "the JVM did not start: $(cat out)"
  BG=("$jvm" "${BG[@]}")
  run grep -E '^NSpid:' "/proc/$jvm/status"
  assert_output --regexp "^NSpid:[[:space:]]+$jvm[[:space:]]+[0-9]+[[:space:]]+1$"
  run grep -E '^NSpid:' "/proc/$mid/status"
  assert_output --regexp "^NSpid:[[:space:]]+$mid[[:space:]]+1$"
  [[ ! -e /tmp/hsperfdata_$ME/$jvm ]] || fail "the JVM's file is in our /tmp"
  hs -l
  assert_success
  assert_line "$jvm Alloc"
  refute_line --regexp "^$mid "
  hs -1 --separate-stderr -gcutil "$mid"
  # In a user namespace made with -r, the JVM runs as root in there, and its
  # directory is named by that name.
  local inside=$ME
  [[ " ${UNSHARE[*]} " == *" -r "* ]] && inside=root
  assert_one_error_line hsstat "process $mid: /proc/$mid/root/tmp/hsperfdata_$inside/1 is not mapped by it \(a stale file, or the file of a process with the same pid in another pid namespace\)$"
  # by its host pid, the same counters as by the file's path
  hs -gcutil "$jvm"
  assert_success
  local by_pid=$output
  hs -gcutil "/proc/$jvm/root/tmp/hsperfdata_$inside/1"
  assert_success
  assert_equal "${output%%$'\n'*}" "${by_pid%%$'\n'*}"
  [[ $(awk 'NR == 2 { print $7 }' <<<"$by_pid") -gt 0 ]] || fail "no young collection yet? $by_pid"
}

@test "demo hsstat: another user's JVM: root reads its file; a third user gets one line, Permission denied" {
  [[ $(id -u) -eq 0 ]] || skip "not root: no other user's producer can be made here"
  command -v setpriv >/dev/null || skip "setpriv(1) is missing"
  id daemon >/dev/null 2>&1 && id nobody >/dev/null 2>&1 || skip "no users daemon and nobody"
  # chapter 14's perfvm as daemon: a file /tmp/hsperfdata_daemon/PID,
  # mode 0600 and mapped like a JVM's (a JVM costs seconds; this, nothing)
  local newdir=
  [[ -d /tmp/hsperfdata_daemon ]] || newdir=/tmp/hsperfdata_daemon
  wb_exec "$(command -v setpriv)" --reuid=daemon --regid=daemon --clear-groups \
    "$WB_BUILD/chapters/14-perfdata/perfvm" -d /tmp -t 120000 >vm.out 2>&1 &
  local k other
  BG+=("$!")
  for ((k = 0; k < 200; k++)); do grep -q '^accessible = 1' vm.out && break; sleep 0.05; done
  other=$(sed -n 's/^file \([0-9]*\): .*/\1/p' vm.out)
  [[ -n $other ]] || fail "perfvm did not start as daemon: $(cat vm.out)"
  BG+=("$other")
  CLEAN+=("/tmp/hsperfdata_daemon/$other" ${newdir:+"$newdir"})
  run stat -c '%U %a' "/tmp/hsperfdata_daemon/$other"
  assert_output "daemon 600"
  hs -gc "$other"
  assert_success
  assert_line --index 0 --partial "    S0C         S1C         S0U "
  hs -l
  assert_line "$other Unknown"
  as_nobody -1 --separate-stderr "$HSSTAT" -gc "$other"
  assert_one_error_line hsstat "process $other: /tmp/hsperfdata_daemon/$other: Permission denied \(the JVM runs as daemon \(uid 1\) and its file is mode 0600: run as that user or as root\)$"
  as_nobody "$HSSTAT" -l
  assert_success
  assert_line "$other -- process information unavailable"
}
