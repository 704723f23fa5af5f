#!/usr/bin/env bash
# demo.sh: the guided tour. Runs every chapter's demos in order (or one
# chapter's: demo.sh 02), each under a heading taken from the demo's header
# comment. A demo may list its lecture arguments in a line of its header:
#   * Tour: ARGS
# (several Tour lines run it several times; none runs it without arguments).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
ch=${1:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/wb-demo.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work

shopt -s nullglob
dirs=(chapters/"$ch"*/)
[ ${#dirs[@]} -gt 0 ] || { echo "demo: no chapter matches '$ch'" >&2; exit 2; }
status=0
for d in "${dirs[@]}"; do
  d=${d%/}
  echo "################ $(basename "$d") ################"
  for src in "$d"/*.c; do
    stem=$(basename "$src" .c)
    what=$(sed -n "s/^ \* $stem\.c: //p" "$src" | head -1)
    mapfile -t tours < <(sed -n 's/^ \* Tour:[ ]*//p' "$src")
    [ ${#tours[@]} -gt 0 ] || tours=("")
    for args in "${tours[@]}"; do
      echo
      echo "=== $stem $args"
      echo "    ($what)"
      # shellcheck disable=SC2086  # ARGS is a word list
      (cd "$work" && "$WB_BUILD/$d/$stem" $args) || {
        echo "demo: $stem $args exited with status $?" >&2
        status=1
      }
    done
  done
  echo
done
exit $status
