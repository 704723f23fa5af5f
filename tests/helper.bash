# helper.bash: loaded by every tests/NN-slug.bats.
#
# The one place programs are run from. Every test calls run_demo, run_ex or
# wb_run (or wb_exec outside bats' `run`), which
#   - bound the program with `timeout` (bats 1.8's BATS_TEST_TIMEOUT does not
#     kill programs started under `run`), and
#   - put $WB_WRAPPER in front of it, so `make memcheck` runs the same tests
#     under Valgrind and a sanitizer build needs no second copy of any test.
#
# Variables (set by scripts/run-tests.sh; the defaults suit a bare `bats`):
#   WB_BUILD    the build directory holding chapters/ (default: build)
#   WB_EX_DIR   the tree of exercise programs under test: build/solutions,
#               build/exercises, or a graded submission's build directory
#   WB_WRAPPER  a command put in front of every program (e.g. valgrind ...)
#   WB_TIMEOUT  seconds a program may run (default 20)
#   WB_SANDBOX  set by make grade: run each program through the sandbox,
#               $WB_SANDBOX_BIN (scripts/sandbox.c, built as build/sandbox:
#               resource limits, an unprivileged user, a private /tmp)

bats_require_minimum_version 1.5.0
# The libraries' files sourced one by one, by name: their load.bash files
# find each file through a $(dirname ...) subshell, 15 forks per test,
# which cost a quarter of a second of every test on a machine where a fork
# is slow (and `load`'s path search costs more). A chapter that uses
# bats-file's assertions (assert_file_exists ...) calls load_bats_file.
wb_bats_lib=/usr/lib/bats
for f in bats-support/src/{output,error,lang} \
  bats-assert/src/{assert,refute,assert_equal,assert_not_equal,assert_success,assert_failure,assert_output,refute_output,assert_line,refute_line,assert_regex,refute_regex}; do
  # shellcheck source=/dev/null  # the libraries are Debian's, not ours to check
  source "$wb_bats_lib/$f.bash"
done
unset f
load_bats_file() {
  # shellcheck source=/dev/null
  source "$wb_bats_lib/bats-file/src/file.bash"
  # shellcheck source=/dev/null
  source "$wb_bats_lib/bats-file/src/temp.bash"
}

WB_ROOT=${BATS_TEST_DIRNAME%/tests}
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$WB_ROOT/$WB_BUILD
WB_EX_DIR=${WB_EX_DIR:-$WB_BUILD/solutions}
[[ $WB_EX_DIR == /* ]] || WB_EX_DIR=$WB_ROOT/$WB_EX_DIR
WB_TIMEOUT=${WB_TIMEOUT:-20}
WB_WRAPPER=${WB_WRAPPER:-}
WB_CHAPTER=${BATS_TEST_FILENAME##*/}
WB_CHAPTER=${WB_CHAPTER%.bats}
# The page size, asked once per run (scripts/run-tests.sh and grade.sh export it).
PAGE=${WB_PAGE:-$(getconf PAGESIZE)}

# fact NAME: a fact about this machine, by its lower-case name (`fact
# zero_page` prints yes or no; the list is `build/doctor --env`). Tests take
# their expectations from these, never from the program under test.
# scripts/run-tests.sh and grade.sh export them as WB_FACT_*; when bats is run
# by hand they come from $WB_BUILD/doctor, run once per bats run (kept in
# $BATS_RUN_TMPDIR). Without a doctor, fact fails the test: use it as
# `x=$(fact NAME)` or in an assertion, where a failure cannot go unseen.
_wb_load_facts() {
  local doctor=${WB_DOCTOR:-$WB_BUILD/doctor} cache=$BATS_RUN_TMPDIR/wb-facts.env
  if [[ ! -s $cache ]]; then
    [[ -x $doctor ]] || { WB_FACTS_WHY="no $doctor: make doctor builds it"; return; }
    if ! "$doctor" --env >"$cache.$$" 2>/dev/null; then
      WB_FACTS_WHY="$doctor --env failed"
      rm -f "$cache.$$"
      return
    fi
    mv "$cache.$$" "$cache"
  fi
  # shellcheck disable=SC1090  # the doctor's output
  source "$cache"
}
[[ -n ${WB_FACT_KERNEL:-} ]] || _wb_load_facts
fact() {
  local var=WB_FACT_${1^^}
  if [[ -z ${!var+set} ]]; then
    fail "fact $1: no machine fact $var (${WB_FACTS_WHY:-the doctor does not print it})"
    return 1
  fi
  printf '%s\n' "${!var}"
}

# Each test starts in its own empty directory, and so do the programs' own
# temporary files: nothing is written to /tmp or /dev/shm outside it.
setup() {
  wb_setup
}

wb_setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  export TMPDIR=$BATS_TEST_TMPDIR
  [[ -z ${WB_SANDBOX_UIDS:-} ]] || _wb_grading_uid
}

# _wb_grading_uid: under make grade, one bats run grades all of a chapter's
# exercises (scripts/grade.sh), and each exercise's programs run as a uid of
# their own: WB_SANDBOX_UIDS lists "exK_name=UID" pairs, and the test's name
# says which exercise it grades. When a chapter's next exercise begins,
# whatever the previous one's programs left running is killed, as it was
# after each exercise's own bats run, and noted in $WB_SWEEP_DIR/killed.UID
# for that exercise's report (grade.sh sweeps the last one, and names it).
_wb_grading_uid() {
  local pair stem=${BATS_TEST_DESCRIPTION%%:*} uid="" prev="" mark=$BATS_RUN_TMPDIR/wb-grading-uid
  for pair in $WB_SANDBOX_UIDS; do
    [[ ${pair%%=*} == "$stem" ]] && uid=${pair#*=}
  done
  [[ -n $uid ]] || { fail "grading: no sandbox uid for '$stem' in WB_SANDBOX_UIDS"; return 1; }
  export WB_SANDBOX_UID=$uid WB_SANDBOX_GID=$uid
  [[ -f $mark ]] && read -r prev <"$mark"
  [[ $prev == "$uid" ]] && return 0
  echo "$uid" >"$mark"
  if [[ -n $prev && $EUID -eq 0 ]] && pgrep -U "$prev" -r R,S,D,T >/dev/null; then
    # A fork bomb may still be forking (up to its process limit): repeat.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      pkill -KILL -U "$prev" 2>/dev/null || break
      sleep 0.1
    done
    echo killed >>"${WB_SWEEP_DIR:-$BATS_RUN_TMPDIR}/killed.$prev"
  fi
  return 0
}

# demo_path NAME / ex_path NAME: where this chapter's programs are.
demo_path() { echo "$WB_BUILD/chapters/$WB_CHAPTER/$1"; }
ex_path() { echo "$WB_EX_DIR/$WB_CHAPTER/$1"; }

# The wrapped command line for PROGRAM ARGS..., one word per line in WB_CMD.
_wb_cmd() {
  local prog=$1
  if [[ ! -x $prog ]]; then
    echo "not built: ${prog#"$WB_ROOT"/} (missing, or it did not compile)" >&2
    return 1
  fi
  # shellcheck disable=SC2206  # WB_WRAPPER is a command line: split it
  WB_CMD=(_wb_explained "$prog" timeout -k 5 "$WB_TIMEOUT"
          ${WB_SANDBOX:+"${WB_SANDBOX_BIN:-$WB_BUILD/sandbox}"} $WB_WRAPPER "$@")
}

# wb_run [bats run flags] PROGRAM ARGS...: bats' `run` through the wrapper.
# Run flags are those of bats' run: -N (expected status), !, --separate-stderr.
wb_run() {
  local flags=()
  while [[ $# -gt 0 && ( $1 == -[0-9]* || $1 == '!' || $1 == --separate-stderr || $1 == --keep-empty-lines ) ]]; do
    flags+=("$1")
    shift
  done
  _wb_cmd "$@" || return 1
  run "${flags[@]}" "${WB_CMD[@]}"
}

# _wb_explained PROGRAM COMMAND...: run COMMAND; when the program was stopped
# rather than exiting (a signal, a limit), say why on stderr, so that a
# failing test shows the reason next to the status.
_wb_explained() {
  local prog=$1 status
  shift
  "$@" && status=0 || status=$?
  _wb_explain "$status" "$prog" >&2
  return "$status"
}

_wb_explain() {
  local why=""
  case $1 in
    124|137) why="it ran longer than the ${WB_TIMEOUT}s wall-clock limit, or was killed" ;;
    125) why="it left files behind in /tmp or /dev/shm (see its stderr)" ;;
    152) why="it used more than its CPU time limit (SIGXCPU)" ;;
    153) why="it wrote a file larger than the file-size limit (SIGXFSZ)" ;;
    134) why="it aborted (SIGABRT)" ;;
    135) why="it died of SIGBUS" ;;
    136) why="it died of SIGFPE" ;;
    139) why="it died of SIGSEGV (a bad memory access)" ;;
    *) return 0 ;;
  esac
  echo "note: ${2##*/} exited with status $1: $why"
}

# wb_exec PROGRAM ARGS...: the same command without `run`, for pipelines and
# background processes.
wb_exec() {
  _wb_cmd "$@" || return 1
  "${WB_CMD[@]}"
}

# run_demo [flags] NAME ARGS... / run_ex [flags] NAME ARGS...
run_demo() { _wb_named demo_path "$@"; }
run_ex() { _wb_named ex_path "$@"; }
_wb_named() {
  local where=$1 flags=()
  shift
  while [[ $# -gt 0 && ( $1 == -[0-9]* || $1 == '!' || $1 == --separate-stderr || $1 == --keep-empty-lines ) ]]; do
    flags+=("$1")
    shift
  done
  local prog
  # (what demo_path or ex_path prints, without a subshell's fork per run)
  case $where in
    demo_path) prog=$WB_BUILD/chapters/$WB_CHAPTER/$1 ;;
    *) prog=$WB_EX_DIR/$WB_CHAPTER/$1 ;;
  esac
  shift
  wb_run "${flags[@]}" "$prog" "$@"
}

on_valgrind() { [[ $WB_WRAPPER == *valgrind* ]]; }
# True under `make sanitize` (programs built with ASan and UBSan): ASan has
# its own malloc (no [heap]), shadow memory (more faults, more VMAs) and a
# large reserved address space.
on_sanitizer() { [[ -n ${WB_SANITIZE:-} ]]; }
# Either kind of instrumentation.
on_instrumented() { on_valgrind || on_sanitizer; }

# assert_one_error_line PROG PATTERN: the failure was reported as exactly one
# line on stderr, `PROG: ...`, matching the extended regex PATTERN. Use after
# `run --separate-stderr`.
assert_one_error_line() {
  local prog=$1 pattern=$2
  local lines
  lines=$(printf '%s\n' "$stderr" | grep -c . || true)
  if [[ $lines -ne 1 || ! $stderr =~ ^$prog:\ .*$pattern ]]; then
    batslib_print_kv_single_or_multi 8 \
      'expected' "one line '$prog: ...$pattern...'" \
      'stderr' "$stderr" | batslib_decorate 'error report' | fail
  fi
}

# ---- reading what wb_print_vmas prints (chapters 08 onwards)

# rel N: an offset as wb_print_vmas prints it, "+0x..." in lower-case hex.
rel() { printf '+0x%x' "$1"; }
# pages N: "1 page" or "N pages", as wb_print_vmas prints a VMA's size.
pages() { if [[ $1 -eq 1 ]]; then echo "1 page"; else echo "$1 pages"; fi; }
# vma TAG FROM TO PERMS OFFSET [PATH]: the line wb_print_vmas prints for the
# VMA over pages FROM..TO (counted in pages from its base), file OFFSET.
vma() {
  local line
  line="  $1 $(rel $(($2 * PAGE)))..$(rel $(($3 * PAGE))) $4 $(printf '%08x' $(($5))) $(pages $(($3 - $2)))"
  [[ -n ${6:-} ]] && line+=" $6"
  printf '%s\n' "$line"
}
# index_of LINE: the index in ${lines[@]} of the first line equal to LINE, or -1.
index_of() {
  local k
  for k in "${!lines[@]}"; do [[ ${lines[$k]} == "$1" ]] && { echo "$k"; return 0; }; done
  echo -1
}
# after LINE N EXPECTED: line N after LINE is EXPECTED.
after() {
  local i
  i=$(index_of "$1")
  [[ $i -ge 0 ]] || fail "no line '$1'"
  assert_equal "${lines[$((i + $2))]}" "$3"
}

# on_tmpfs: the test's directory (where the programs put their files) is a
# tmpfs, whose pages never leave the page cache and are never written back.
on_tmpfs() { [[ $(stat -f -c %T "$BATS_TEST_TMPDIR") == tmpfs ]]; }

# ns_run UNSHARE-ARGS... bash -c SCRIPT ...: unshare(1) with the helpers'
# wb_* functions and WB_* variables exported, so that SCRIPT can run a
# program of ours with wb_exec (wrapped, as every run must be) inside the
# new namespaces.
ns_run() {
  # shellcheck disable=SC2046  # one name per word
  export -f $(declare -F | awk '$3 ~ /^_?wb_/ { print $3 }')
  export "${!WB_@}"
  unshare "$@"
}

# can_unshare_mounts: can this test make mount namespaces? Sets UNSHARE to
# the flags that work: -m as root; -rm (a user namespace too, the programs
# running as its root) as a user where the kernel allows it.
can_unshare_mounts() {
  if unshare -m true 2>/dev/null; then UNSHARE=(-m)
  elif unshare -rm true 2>/dev/null; then UNSHARE=(-rm)
  else return 1
  fi
}

# as_program_user COMMAND ARGS...: run a command that reads a program's
# /proc/PID files (fd, exe) with the right to do so. Under make grade's
# sandbox as root the programs run as WB_SANDBOX_UID, and a root without
# CAP_SYS_PTRACE (a Docker container, Gradescope's) may not read another
# user's /proc/PID/fd; the program's own user may.
as_program_user() {
  if [[ -n ${WB_SANDBOX:-} && -n ${WB_SANDBOX_UID:-} && $(id -u) -eq 0 ]]; then
    setpriv --reuid="$WB_SANDBOX_UID" --regid="${WB_SANDBOX_GID:-$WB_SANDBOX_UID}" --clear-groups -- "$@"
  else
    "$@"
  fi
}

# as_nobody [run flags] PROGRAM ARGS...: run PROGRAM unprivileged, where file
# modes bind and root's capabilities do not help. As root, through setpriv(1)
# as nobody (the test directory is made searchable, so nobody can look names
# up in it); under make grade's sandbox (WB_SANDBOX), or when not root, the
# program already is unprivileged.
as_nobody() {
  local flags=()
  while [[ $1 == -[0-9]* || $1 == --separate-stderr ]]; do
    flags+=("$1")
    shift
  done
  if [[ $(id -u) -ne 0 || -n ${WB_SANDBOX:-} ]]; then
    wb_run "${flags[@]}" "$@"
    return
  fi
  local setpriv
  setpriv=$(command -v setpriv) || skip "running as root, where file modes do not bind, and setpriv(1) is missing"
  chmod 755 "$BATS_TEST_TMPDIR"
  wb_run "${flags[@]}" "$setpriv" --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# replay_session README [SED-SCRIPT]: the first console block of an example's
# write-up, replayed. Each `$ ` line runs (the caller defines a function of
# the program's name that runs it through wb_exec, so the wrapper applies),
# stdin from /dev/null, stdout and stderr kept; the block and the replay are
# compared line by line after SED-SCRIPT (for output that differs per run,
# such as pids), and a difference fails with the diff.
replay_session() {
  local readme=$1 normalize=${2:-} line
  awk '/^```console$/ { on = 1; next } on && /^```$/ { exit } on' "$readme" >session.want
  [[ -s session.want ]] || fail "no console block in $readme"
  while IFS= read -r line; do
    [[ $line == '$ '* ]] || continue
    printf '%s\n' "$line"
    eval "${line#\$ }" 2>&1 </dev/null || true
  done <session.want >session.got
  diff <(sed -E "$normalize" session.want) <(sed -E "$normalize" session.got)
}

# jvm_lock / jvm_unlock: a test that starts a JVM holds this lock from
# before it looks at /tmp/hsperfdata_USER until its JVM is gone and that
# directory is removed (if the test made it). HotSpot puts its file there
# whatever TMPDIR says, so two Bats runs at once (make grade-all grades two
# submissions at a time) share the directory, and without the lock one
# run's test could find it made by the other's JVM, and neither remove it.
# The lock file lives in the build tree (where it cannot be made, the test
# goes on unlocked, with /dev/null in its place); the JVM itself must not
# inherit the descriptor (start it with {WB_JVM_LOCK_FD}>&-).
jvm_lock() {
  [[ -n ${WB_JVM_LOCK_FD:-} ]] && return 0
  if exec {WB_JVM_LOCK_FD}>>"$WB_BUILD/jvm.lock"; then
    flock "$WB_JVM_LOCK_FD"
  else
    exec {WB_JVM_LOCK_FD}</dev/null
  fi
} 2>/dev/null
jvm_unlock() {
  [[ -n ${WB_JVM_LOCK_FD:-} ]] || return 0
  exec {WB_JVM_LOCK_FD}>&-
  WB_JVM_LOCK_FD=""
}
