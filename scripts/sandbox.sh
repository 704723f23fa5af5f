#!/usr/bin/env bash
# sandbox.sh PROGRAM ARGS...: run one of a student's programs under limits.
#
# The sandbox itself is scripts/sandbox.c, built by the Makefile as
# $WB_BUILD/sandbox (make grade and make all build it); its header says what
# a program gets: limits, an unprivileged uid of its own when the grader is
# root, a private /tmp and /dev/shm whose leftovers are named (status 125;
# 126 when they cannot be mounted), and a process group of its own, killed
# whole when the program exits. make grade runs it directly (tests/helper.bash,
# $WB_SANDBOX_BIN): this script is for running it by hand, and stands in
# for the bash version that did the same with seven processes per program.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WB_BUILD:-build}
[[ $build == /* ]] || build=$root/$build
bin=${WB_SANDBOX_BIN:-$build/sandbox}
if [ ! -x "$bin" ]; then
  echo "sandbox.sh: $bin is missing (make grade builds it)" >&2
  exit 126
fi
exec "$bin" "$@"
