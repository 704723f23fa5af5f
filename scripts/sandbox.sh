#!/usr/bin/env bash
# sandbox.sh PROGRAM ARGS...: run one of a student's programs under limits.
#
# make grade puts this in front of every program the exercise tests run
# (tests/helper.bash does it when WB_SANDBOX is set). The program gets:
#   - resource limits (prlimit): CPU seconds, address space, the size of any
#     file it writes, and the number of processes (a fork bomb stops there);
#   - when the grader is root (as on Gradescope): an unprivileged uid of its
#     own, $WB_SANDBOX_UID (grade.sh gives each exercise a different one, so
#     a fork bomb or a kill(-1) in one cannot touch another), owning the
#     test's directory;
#   - when the grader is root and may make mount namespaces: a /tmp and a
#     /dev/shm of its own (small tmpfs), thrown away when it exits. What the
#     program left there is named on stderr and the run fails (status 125);
#   - a process group of its own, killed whole when the program exits, so
#     nothing it started can outlive it (see reap below).
# The wall-clock limit is the `timeout` that tests/helper.bash already adds.
set -u
cpu=${WB_LIMIT_CPU:-10}                    # seconds of CPU
as=${WB_LIMIT_AS:-$((4 << 30))}            # bytes of address space
fsize=${WB_LIMIT_FSIZE:-$((64 << 20))}     # bytes in any one file written
nproc=${WB_LIMIT_NPROC:-64}                # processes of the uid

# reap COMMAND...: run COMMAND as a session and process group of its own,
# and when it is done kill whatever it left running in that group. Without
# this, the surviving children of a fork bomb (its first process dies of the
# CPU limit, and `timeout` then returns without signalling anyone) would keep
# the test's output pipe open, and the test would wait for ever. A TERM from
# the test's `timeout` is passed on to the whole group.
reap() {
  setsid "$@" <&0 &
  local pid=$! status
  trap 'kill -KILL -- "-$pid" 2>/dev/null' TERM INT HUP
  wait "$pid" 2>/dev/null # (bash's own "Segmentation fault" line is not the program's)
  status=$?
  kill -KILL -- "-$pid" 2>/dev/null
  exit "$status"
}

limits=(prlimit --cpu="$cpu" --as="$as" --fsize="$fsize" --core=0)
if [ "$(id -u)" -ne 0 ]; then
  # Not root: the limit counts all of this user's processes, so allow for
  # the ones already running.
  mine=$(ps -U "$(id -u)" -o pid= | wc -l)
  reap "${limits[@]}" --nproc=$((mine + nproc)) -- "$@"
fi

uid=${WB_SANDBOX_UID:-$(id -u nobody)}
gid=${WB_SANDBOX_GID:-$(id -g nobody)}
# The program owns its test's directory, and only that: a directory is handed
# over only when it lies inside the grader's own temporary tree
# ($WB_SANDBOX_ROOT, set by grade.sh), never /tmp, / or the workbook itself,
# whatever a test's working directory or TMPDIR happens to be.
give() {
  local dir root
  dir=$(realpath -e -- "$1" 2>/dev/null) || return 0
  root=$(realpath -e -- "${WB_SANDBOX_ROOT:-/nonexistent}" 2>/dev/null) || return 0
  case $dir/ in "$root"/?*) chown -R "$uid:$gid" "$dir" 2>/dev/null ;; esac
}
give "$PWD"
[ -n "${TMPDIR:-}" ] && give "$TMPDIR"
run=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all
     "${limits[@]}" --nproc="$nproc" -- "$@")
if [ "${WB_SANDBOX_NS:-}" = 1 ]; then
  # shellcheck disable=SC2016  # $@ and $? belong to the inner shell
  reap unshare --mount --propagation private -- sh -c '
    mount -t tmpfs -o size=64m,mode=1777 wb-tmp /tmp &&
    mount -t tmpfs -o size=64m,mode=1777 wb-shm /dev/shm || exit 126
    "$@"; status=$?
    left=$(cd / && find /tmp /dev/shm -mindepth 1 -maxdepth 1 | head -5 | tr "\n" " ")
    if [ -n "$left" ]; then
      echo "sandbox: the program left files behind (they were removed): $left" >&2
      exit 125
    fi
    exit $status' sh "${run[@]}"
fi
reap "${run[@]}"
