#!/usr/bin/env bash
# autograder.sh ZIP: build the Gradescope autograder bundle. Its root holds
# setup.sh and run_autograder (from scripts/autograder/) and the parts of the
# workbook that grading needs: the Makefile, lib/, scripts/, tests/, the
# demos (chapters/: some exercise tests run a demo beside the student's
# program) and the exercise list (exercises/). Solutions are not shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
zip=$1
case $zip in /*) ;; *) zip=$PWD/$zip ;; esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r Makefile lib scripts tests chapters exercises "$stage/"
cp scripts/autograder/setup.sh scripts/autograder/run_autograder "$stage/"
chmod 755 "$stage/setup.sh" "$stage/run_autograder"
mkdir -p "$(dirname "$zip")"
rm -f "$zip"
(cd "$stage" && zip -qr "$zip" .)
echo "autograder: ${zip#"$PWD"/} ($(du -k "$zip" | cut -f1) KiB)"
