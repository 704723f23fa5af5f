#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image:
# install what grading needs (the workbook's own setup does the work).
set -euo pipefail
cd "$(dirname "$0")"
apt-get update -qq
apt-get install -y -qq --no-install-recommends make >/dev/null
scripts/setup.sh
make -s -j"$(nproc)" all    # the library and the demos, once, when the image is built
