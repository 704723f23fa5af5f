#!/usr/bin/env bash
# place-submission.sh FROM TO: shape an uploaded submission like solutions/
# for scripts/grade.sh. The bundles for Gradescope (run_autograder) and
# PrairieLearn (run_prairielearn) both use it.
#
# FROM may hold the workbook's shape (NN-slug/exK_name.c, possibly inside a
# folder such as exercises/): it is copied as it is. Otherwise each file
# exK_name.c anywhere in FROM goes to TO/NN-slug/ when exactly one chapter
# of the book (exercises/) has an exercise of that name; any other file is
# left out. Prints the number of exercise files placed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
from=$1 to=$2
mkdir -p "$to" || exit 2
top=$(find "$from" -type d -name '[0-9][0-9]-*' -prune -print | head -1)
if [ -n "$top" ]; then
  cp -r "$(dirname "$top")/." "$to/"
else
  find "$from" -type f -name 'ex*.c' | while IFS= read -r f; do
    matches=(exercises/*/"$(basename "$f")")
    if [ ${#matches[@]} -eq 1 ] && [ -e "${matches[0]}" ]; then
      ch=$(basename "$(dirname "${matches[0]}")")
      mkdir -p "$to/$ch" && cp "$f" "$to/$ch/"
    fi
  done
fi
find "$to" -mindepth 2 -maxdepth 2 -type f -name 'ex*.c' | wc -l
