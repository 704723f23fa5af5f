#!/usr/bin/env bash
# prairielearn.sh DIR: build PrairieLearn's external grader into DIR
# (default build/prairielearn), as autograder.sh builds Gradescope's bundle:
#   DIR/Dockerfile    the grader image: Debian, the workbook in /workbook,
#                     its packages installed and its programs built
#   DIR/workbook/     what grading needs (the Makefile, lib/, scripts/,
#                     tests/, the demos in chapters/, the exercise list in
#                     exercises/; not the solutions), with the entrypoint
#                     run_prairielearn at its root
#   DIR/info.json     an example question's info.json (externalGradingOptions)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/prairielearn}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
rm -rf "$dir"
mkdir -p "$dir/workbook"
# (-p: the times kept, so that a build copied beside them is up to date)
cp -rp Makefile lib scripts tests chapters exercises "$dir/workbook/"
cp scripts/prairielearn/run_prairielearn "$dir/workbook/"
cp scripts/prairielearn/Dockerfile scripts/prairielearn/info.json "$dir/"
chmod 755 "$dir/workbook/run_prairielearn"
echo "prairielearn: ${dir#"$PWD"/}/ ($(du -sk "$dir" | cut -f1) KiB): docker build -t YOURORG/mmap-grader ${dir#"$PWD"/}"
