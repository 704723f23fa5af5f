#!/usr/bin/env bash
# reset.sh NN-slug/exK_name: give an exercise's pristine stub back in
# exercises/, keeping the student's version beside it as
# exercises/NN-slug/exK_name.c.bak-YYYYmmdd-HHMMSS (never overwritten: a
# second reset in the same second gets a -2, -3 ... suffix).
#
# The pristine stub comes from git, the version in $WB_RESET_REF (default
# HEAD; if you committed your own work, give the upstream commit or branch,
# e.g. WB_RESET_REF=origin/main), or, in a tree that is not a git checkout,
# from $WB_PRISTINE/NN-slug/exK_name.c (a copy of the exercises/ you were
# handed). Every refusal is one line on stderr and exit 2.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ex=${1:-}
ex=${ex%.c}
ex=${ex#exercises/}
die() { echo "reset: $*" >&2; exit 2; }
[ -n "$ex" ] || die "say which exercise: make reset EX=NN-slug/exK_name (e.g. EX=01-basics/ex1_whereis)"
[[ $ex =~ ^[0-9][0-9]-[a-z0-9-]+/ex[0-9]+_[a-z0-9_]+$ ]] ||
  die "'$ex' names no exercise: give NN-slug/exK_name, e.g. EX=01-basics/ex1_whereis (see exercises/*/*.c)"
dst=exercises/$ex.c
ref=${WB_RESET_REF:-HEAD}

pristine=$(mktemp) || exit 2
trap 'rm -f "$pristine"' EXIT
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ -z "${WB_PRISTINE:-}" ]; then
  # (the path from the top of the git tree: the workbook may be a subdirectory)
  prefix=$(git rev-parse --show-prefix)
  git show "$ref:$prefix$dst" >"$pristine" 2>/dev/null ||
    die "'$ex' names no exercise in git's $ref (see exercises/*/*.c)"
  from="git $ref"
elif [ -n "${WB_PRISTINE:-}" ]; then
  [ -f "$WB_PRISTINE/$ex.c" ] || die "'$ex' names no exercise in $WB_PRISTINE"
  cp "$WB_PRISTINE/$ex.c" "$pristine" || exit 2
  from=$WB_PRISTINE
else
  die "not a git checkout, and no pristine copy: give WB_PRISTINE=DIR (a copy of the exercises/ you were handed)"
fi
[ -d "$(dirname "$dst")" ] || die "'$ex' names no exercise here: no directory $(dirname "$dst")"

if [ -f "$dst" ] && cmp -s "$pristine" "$dst"; then
  echo "reset: $dst is already the pristine stub ($from); nothing to do"
  exit 0
fi
if [ -e "$dst" ]; then
  base=$dst.bak-$(date +%Y%m%d-%H%M%S)
  bak=$base n=1
  while [ -e "$bak" ]; do n=$((n + 1)); bak=$base-$n; done
  # The copy first, checked, and only then the stub over the file.
  if ! cp -p -- "$dst" "$bak" || ! cmp -s -- "$dst" "$bak"; then
    die "could not keep a copy of $dst as $bak; nothing was changed"
  fi
  cat "$pristine" >"$dst" || die "could not write $dst (your version is kept as $bak)"
  echo "reset: $dst is the pristine stub again ($from); your version is kept as $bak"
else
  cat "$pristine" >"$dst" || die "could not write $dst"
  echo "reset: $dst was missing; it is the pristine stub again ($from)"
fi
