#!/usr/bin/env bash
# transcripts.sh README OUTDIR: split the demo transcripts of a chapter's
# write-up into files the book test replays.
#
# A transcript is a fenced block with the info string `console` whose lines
# starting with "$ " are demo runs (`$ NAME ARGS`, NAME a demo of that
# chapter) and whose other lines are the output the run printed. For each run
# K (numbered through the file) this writes OUTDIR/K.cmd (NAME ARGS),
# OUTDIR/K.want (the output), OUTDIR/K.where (README:LINE) and OUTDIR/K.mode.
# An HTML comment on the line before the block, `<!-- transcript: numbers
# vary -->`, sets the mode to "numbers": every run of digits then compares
# equal (for counts that differ from run to run, such as lost updates).
set -euo pipefail
readme=$1 out=$2
mkdir -p "$out"
awk -v out="$out" -v readme="$readme" '
  function close_run() { if (k > 0) { close(out "/" k ".want") } }
  /^<!-- transcript: numbers vary -->$/ { loose = 1; next }
  /^```console[ \t]*$/ { inblock = 1; mode = loose ? "numbers" : "exact"; loose = 0; next }
  inblock && /^```[ \t]*$/ { inblock = 0; close_run(); next }
  inblock && /^\$ / {
    close_run(); k++
    print substr($0, 3) > (out "/" k ".cmd"); close(out "/" k ".cmd")
    print readme ":" NR > (out "/" k ".where"); close(out "/" k ".where")
    print mode > (out "/" k ".mode"); close(out "/" k ".mode")
    printf "" > (out "/" k ".want")
    next
  }
  inblock && k > 0 { print >> (out "/" k ".want") }
  !/^[ \t]*$/ && !inblock { loose = loose && /^<!--/ }
' "$readme"
