#!/usr/bin/env bash
# matrix.sh: the environment matrix (make test-matrix). The same tests,
#   scripts/run-tests.sh --demos --solutions --stubs [--chapter NN]
# (in cell e over every chapter, --demos --autograder: see below)
# run against the same programs (built once, here) in several environments,
# and one table shows what passed, failed and skipped in each, with every
# skip's reason beneath it.
#
#   a  this machine, as root
#   b  this machine, as an unprivileged user ($MATRIX_USER, default wbmatrix,
#      a system user made with useradd if missing), in a copy of the tree
#      and the programs that the user owns, under $WB_BUILD/matrix/; where
#      a mount namespace can be made, the copy is seen at /mnt and /tmp and
#      /dev/shm are empty tmpfs of its own, so the repository's own place
#      (say under root's home, mode 700) does not matter
#   c  Debian's 6.1 kernel, booted under QEMU (scripts/matrix/qemu.sh)
#   d  Debian's 6.12 kernel, likewise
#   f  Debian's 6.1 kernel under QEMU, as an unprivileged user: cell b run
#      inside the guest (a kernel with the shared zero page, as a user)
#   e  a container as Docker runs one by default: root without
#      CAP_SYS_ADMIN, CAP_SYS_PTRACE or CAP_IPC_LOCK, under Docker's default
#      seccomp profile, with its own /tmp and a 64 MiB /dev/shm
#      ($WB_BUILD/matrix/cell, from scripts/matrix/cell.c)
#
# Usage: scripts/matrix/matrix.sh [CELL...]
# Environment:
#   MATRIX_CELLS   the cells when none is named: a,b,c,d,e,f (the default)
#   CH             the chapters: NN, or a list (02,10,11) run together
#   WB_BUILD       the build directory holding the programs (default build)
#   MATRIX_QEMU_TIMEOUT  seconds a QEMU cell may take (default 14400: over
#                  every chapter the demos alone took 70 to 80 minutes under
#                  TCG on a loaded machine, and the bundle then ran past
#                  the old 7200)
#   WB_TIMEOUT     seconds each program may run (run-tests.sh's default is
#                  20; the QEMU cells' is 120)
# Each cell's whole output is in $WB_BUILD/matrix/logs/CELL.log. The exit
# status is 0 only when every cell ran and none failed. The last line adds
# the cells up: `N passed, N failed, N skipped`.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
export WB_BUILD
MATRIX_USER=${MATRIX_USER:-wbmatrix}
out=$WB_BUILD/matrix
logs=$out/logs
cell_bin=$out/cell

cells=("$@")
if [ ${#cells[@]} -eq 0 ]; then
  IFS=', ' read -ra cells <<<"${MATRIX_CELLS:-a,b,c,d,e,f}"
fi
for c in "${cells[@]}"; do
  case $c in
    a|b|c|d|e|f) ;;
    *) echo "matrix: unknown cell '$c' (cells: a b c d e f)" >&2; exit 2 ;;
  esac
done

# The tests: one chapter through --chapter, several as their files.
select_args=()
IFS=', ' read -ra chapters <<<"${CH:-}"
if [ ${#chapters[@]} -eq 1 ]; then
  select_args=(--chapter "${chapters[0]}")
elif [ ${#chapters[@]} -gt 1 ]; then
  shopt -s nullglob
  for ch in "${chapters[@]}"; do
    f=(tests/"$ch"*.bats)
    [ ${#f[@]} -gt 0 ] || { echo "matrix: no tests/$ch*.bats" >&2; exit 2; }
    for x in "${f[@]}"; do select_args+=(--file "$x"); done
  done
  shopt -u nullglob
fi
tests=(scripts/run-tests.sh --demos --solutions --stubs "${select_args[@]}")
# Over every chapter, cell e (a container, the kind of place Gradescope
# grades in) builds the Gradescope bundle and runs it on the solutions
# (every point) and on the stubs (none) instead of --solutions and --stubs:
# the bundle grades the same exercise tests through the grader a class is
# graded with, so running both would run every exercise test twice.
# The cells that do so: MATRIX_BUNDLE_CELLS (default e; any of b..f, for the
# hand runs of the QEMU cells that prove the bundle's grade on Debian's
# kernels, README: Supported environments).
bundle_tests=(scripts/run-tests.sh --demos --autograder)
MATRIX_BUNDLE_CELLS=${MATRIX_BUNDLE_CELLS:-e}
# tests_for CELL: the tests CELL runs, in the array cell_tests.
tests_for() {
  if [ ${#chapters[@]} -eq 0 ] && [[ ,$MATRIX_BUNDLE_CELLS, == *,$1,* ]]; then
    cell_tests=("${bundle_tests[@]}")
  else
    cell_tests=("${tests[@]}")
  fi
}
# Each cell's log starts with the machine facts as the doctor sees them
# there, one `fact: WB_FACT_NAME=value` line each, for the second table.
# shellcheck disable=SC2016  # the inner script expands its own $0 and $@
with_facts=(bash -c '"$0" --env 2>&1 | sed "s/^/fact: /"; exec "$@"')

for p in chapters solutions exercises doctor; do
  [ -e "$WB_BUILD/$p" ] || { echo "matrix: no $WB_BUILD/$p: build first (make test-matrix does)" >&2; exit 2; }
done
mkdir -p "$logs" || exit 2

# Whatever a cell made that must not outlive the run.
scratch=()
trap '[ ${#scratch[@]} -eq 0 ] || rm -rf "${scratch[@]}"' EXIT
trap 'echo "matrix: interrupted" >&2; exit 130' INT TERM HUP

is_root() { [ "$(id -u)" -eq 0 ]; }

describe() {
  case $1 in
    a) echo "a  this machine ($(uname -r)), root" ;;
    b) echo "b  this machine, user $MATRIX_USER" ;;
    c) echo "c  Debian 6.1 kernel, QEMU" ;;
    d) echo "d  Debian 6.12 kernel, QEMU" ;;
    e) echo "e  container (Docker's defaults)" ;;
    f) echo "f  Debian 6.1 kernel, QEMU, user $MATRIX_USER" ;;
  esac
}

cell_a() {
  is_root || { echo "matrix: cell a needs root (it is this machine as root)"; return 3; }
  "${with_facts[@]}" "$WB_BUILD/doctor" "${tests[@]}"
}

# Cell b: the tree's files (tracked, and new ones git does not ignore, as
# cell a sees them) and the programs, copied into a directory the user owns.
cell_b() {
  is_root || { echo "matrix: cell b needs root (useradd, setpriv)"; return 3; }
  if ! id -u "$MATRIX_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$MATRIX_USER" || { echo "matrix: useradd $MATRIX_USER failed"; return 3; }
  fi
  local dir
  dir=$(mktemp -d "$out/b.XXXXXX") || return 3
  scratch+=("$dir")
  mkdir -p "$dir/tree/build" "$dir/home" "$dir/tmp" || return 3
  if [ -d .git ]; then
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
      tar --null -T - -cf - | tar -xf - -C "$dir/tree" || return 3
  else
    tar --exclude=./build -cf - . | tar -xf - -C "$dir/tree" || return 3
  fi
  local progs=(chapters exercises solutions doctor)
  [ -d "$WB_BUILD/examples" ] && progs+=(examples)
  (cd "$WB_BUILD" && tar --exclude='*.d' --exclude='*.o' -cf - "${progs[@]}") |
    tar -xf - -C "$dir/tree/build" || return 3
  chown -R "$MATRIX_USER:$MATRIX_USER" "$dir" && chmod 700 "$dir" || return 3
  echo "matrix: cell b runs as $(id "$MATRIX_USER") in a copy, $dir"

  # The user's run: a clean environment, HOME and TMPDIR in the copy.
  local base=$dir cell_tests
  tests_for b
  local user_env=(env -i PATH="$PATH" LANG=C.UTF-8 TERM=dumb USER="$MATRIX_USER" LOGNAME="$MATRIX_USER")
  local as_user=(setpriv --reuid="$MATRIX_USER" --regid="$MATRIX_USER" --init-groups --inh-caps=-all)
  if unshare --mount --propagation private true 2>/dev/null && [ -d /mnt ]; then
    echo "matrix: seen at /mnt in a mount namespace of its own, with empty tmpfs on /tmp and /dev/shm"
    base=/mnt
    # shellcheck disable=SC2016  # the inner script expands its own $0 and $@
    unshare --mount --propagation private -- bash -c '
      mount --bind "$0" /mnt &&
        mount -t tmpfs -o mode=1777 wb-tmp /tmp && mount -t tmpfs -o mode=1777 wb-shm /dev/shm || exit 3
      cd /mnt/tree || exit 3
      exec "$@"' "$dir" "${as_user[@]}" "${user_env[@]}" HOME="$base/home" TMPDIR="$base/tmp" \
      WB_BUILD="$base/tree/build" "${with_facts[@]}" "$base/tree/build/doctor" "${cell_tests[@]}"
  else
    if ! "${as_user[@]}" test -x "$dir/tree/scripts/run-tests.sh"; then
      echo "matrix: $MATRIX_USER cannot reach $dir (a directory above it is closed to it), and no mount namespace can be made to show it elsewhere"
      return 3
    fi
    (cd "$dir/tree" && "${as_user[@]}" "${user_env[@]}" HOME="$base/home" TMPDIR="$base/tmp" \
      WB_BUILD="$base/tree/build" "${with_facts[@]}" "$base/tree/build/doctor" "${cell_tests[@]}")
  fi
}

# The QEMU cells run the tests in a guest (scripts/matrix/qemu.sh) as root
# (c, d) or, in f, as cell b does inside the guest. Under TCG a program runs
# several times slower than here: each gets 120 s (WB_TIMEOUT, which qemu.sh
# passes on) rather than the usual 20. The guest's / is an overlay on tmpfs,
# whose files behave as tmpfs files (their pages cannot be dropped or written
# back) but which statfs names overlayfs; the tests' files go on the guest's
# scratch disk instead (ext4 at /disk): in c and d, TMPDIR ($WB_BUILD/tmp)
# and $WB_BUILD/autograder-test, where the Gradescope bundle's test grades
# every exercise (its graded programs' files are there, and the writeback
# tests need a disk under them); in f the user's whole copy
# ($WB_BUILD/matrix).
cell_qemu() {
  local kernel=$1 append=() cell_tests
  tests_for "$2"
  # Cell d boots with every anonymous fault a candidate for a huge page.
  [ "$kernel" = 6.12 ] && append=(--append transparent_hugepage=always)
  [ -x scripts/matrix/qemu.sh ] || { echo "matrix: no scripts/matrix/qemu.sh"; return 3; }
  is_root || { echo "matrix: the QEMU cells need root (the guest's runner)"; return 3; }
  # shellcheck disable=SC2016  # the inner script expands its own $0 and $@
  WB_TIMEOUT=${WB_TIMEOUT:-120} scripts/matrix/qemu.sh --kernel "$kernel" "${append[@]}" \
    --timeout "${MATRIX_QEMU_TIMEOUT:-14400}" -- \
    bash -c 'for d in tmp autograder-test; do
        mkdir -p "/disk/$d" "$0/$d" && chmod 1777 "/disk/$d" && mount --bind "/disk/$d" "$0/$d" || exit 3
      done
      exec "$@"' "$WB_BUILD" \
    "${with_facts[@]}" "$WB_BUILD/doctor" "${cell_tests[@]}"
}
cell_qemu_user() {
  local kernel=$1
  [ -x scripts/matrix/qemu.sh ] || { echo "matrix: no scripts/matrix/qemu.sh"; return 3; }
  is_root || { echo "matrix: the QEMU cells need root (the guest's runner)"; return 3; }
  # The guest's matrix.sh prints cell b's log (its table would repeat it).
  # shellcheck disable=SC2016  # the inner script expands its own variables
  WB_TIMEOUT=${WB_TIMEOUT:-120} scripts/matrix/qemu.sh --kernel "$kernel" \
    --timeout "${MATRIX_QEMU_TIMEOUT:-14400}" -- \
    bash -c 'mkdir -p "$WB_BUILD/matrix" && mount --bind /disk "$WB_BUILD/matrix" || exit 3
      CH=$0 MATRIX_USER=$1 MATRIX_BUNDLE_CELLS=$2 scripts/matrix/matrix.sh b >/dev/null 2>&1
      rc=$?
      cat "$WB_BUILD/matrix/logs/b.log"
      exit $rc' "${CH:-}" "$MATRIX_USER" "$([[ ,$MATRIX_BUNDLE_CELLS, == *,f,* ]] && echo b)"
}

# Cell e: first the launcher's own check and the facts the doctor sees in
# it, then the tests.
cell_e() {
  is_root || { echo "matrix: cell e needs root (a container's root is uid 0)"; return 3; }
  [ -x "$cell_bin" ] || { echo "matrix: no $cell_bin (make test-matrix builds it)"; return 3; }
  echo "== the container's restrictions ($cell_bin --check)"
  "$cell_bin" --check || { echo "matrix: the container cell does not restrict what it should"; return 3; }
  echo "== the facts the doctor sees there"
  local facts want bad=0
  facts=$("$cell_bin" -- "$WB_BUILD/doctor" --env) || { echo "matrix: doctor failed in the cell"; return 3; }
  for want in WB_FACT_UFFD=no WB_FACT_CAP_SYS_ADMIN=no WB_FACT_MOUNTNS=no WB_FACT_ROOT=yes; do
    if grep -qx "$want" <<<"$facts"; then echo "  ok    $want"; else echo "  FAIL  $want: $(grep "^${want%%=*}=" <<<"$facts")"; bad=1; fi
  done
  [ $bad -eq 0 ] || return 3
  sed 's/^/fact: /' <<<"$facts"
  local cell_tests
  tests_for e
  "$cell_bin" -- "${cell_tests[@]}"
}

# Run each cell; keep its counts, its wall time and its skips.
declare -A passed failed skipped secs note
status=0
for c in "${cells[@]}"; do
  log=$logs/$c.log
  echo "matrix: cell $(describe "$c") ..."
  SECONDS=0
  case $c in
    a) cell_a ;;
    b) cell_b ;;
    c) cell_qemu 6.1 c ;;
    d) cell_qemu 6.12 d ;;
    e) cell_e ;;
    f) cell_qemu_user 6.1 ;;
  esac >"$log" 2>&1
  rc=$?
  secs[$c]=$SECONDS
  if [ "$c" = b ] && [ ${#scratch[@]} -gt 0 ]; then
    rm -rf "${scratch[@]}"
    scratch=()
  fi
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    passed[$c]=- failed[$c]=- skipped[$c]=-
    note[$c]="did not run to the end (status $rc): $(grep -v '^\s*$' "$log" | tail -n 1)"
    status=1
  else
    read -r p _ f _ s _ <<<"${line//,/}"
    passed[$c]=$p failed[$c]=$f skipped[$c]=${s:-0}
    note[$c]=""
    if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
      status=1
      [ "$f" -ne 0 ] || note[$c]="the tests' runner exited with status $rc"
    fi
  fi
  echo "matrix: cell $c: ${line:-${note[$c]}} (${secs[$c]} s; log: ${log#"$ROOT"/})"
  grep -E '^  FAIL  ' "$log" | head -20
done

echo
printf '%-40s %7s %7s %8s %7s\n' environment passed failed skipped "time/s"
tp=0 tf=0 ts=0
for c in "${cells[@]}"; do
  printf '%-40s %7s %7s %8s %7s\n' "$(describe "$c")" "${passed[$c]}" "${failed[$c]}" "${skipped[$c]}" "${secs[$c]}"
  if [ "${passed[$c]}" = - ]; then
    tf=$((tf + 1))
  else
    tp=$((tp + passed[$c])) tf=$((tf + failed[$c])) ts=$((ts + skipped[$c]))
  fi
done
for c in "${cells[@]}"; do
  [ -z "${note[$c]}" ] || echo "cell $c: ${note[$c]}"
done
echo
echo "Machine facts in each cell (build/doctor there; README: make doctor):"
names=(KERNEL ZERO_PAGE ANON_FAULT_PAGES THP SHMEM_THP UFFD ROOT CAP_SYS_ADMIN CAP_IPC_LOCK MOUNTNS SEALED_SHARED_RO)
printf '  %-18s' fact
printf '%-21s ' "${cells[@]/#/cell }"
echo
for n in "${names[@]}"; do
  printf '  %-18s' "${n,,}"
  for c in "${cells[@]}"; do
    v=$(sed -n "s/^fact: WB_FACT_$n=//p" "$logs/$c.log" | tail -n 1)
    v=${v#\"} v=${v%\"}
    printf '%-21s ' "${v:--}"
  done
  echo
done
echo
echo "Skipped tests, with the reason each gave:"
for c in "${cells[@]}"; do
  skips=$(grep -E '^  SKIP  ' "$logs/$c.log" | sed -E 's/^  SKIP  /    /')
  if [ -n "$skips" ]; then printf '  cell %s:\n%s\n' "$c" "$skips"; else echo "  cell $c: none"; fi
done
echo
echo "(logs: ${logs#"$ROOT"/}/CELL.log)"
echo "$tp passed, $tf failed, $ts skipped"
exit $status
