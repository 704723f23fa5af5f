#!/bin/sh
# md-filter.sh FILE: Doxygen's input filter for the chapters' README.md files.
#
# The write-ups are plain Markdown that reads well on its own (in a terminal,
# on a forge); three HTML comments in them, invisible there, become Doxygen
# commands in the book, so that shown code and diagrams come from the real
# files and cannot drift:
#   <!-- snippet: chapters/01-basics/pagesize.c touch -->  ->  \snippet ... (the
#        lines between the two "[touch]" marker comments in that file)
#   <!-- include: chapters/01-basics/pagesize.c -->        ->  \include ... (the whole file)
#   <!-- diagram: chapters/01-basics/four_types.dot Caption words -->  ->  \dotfile ...
# Paths are relative to the repository root.
#
# A transcript recorded on a machine unlike the one building the book (a
# `<!-- transcript: when FACT=VALUE -->` block whose replay here printed
# something else) is followed, in the book only, by this machine's own
# output: `make book` replays those transcripts first (scripts/transcripts.sh
# --replay) into $WB_BOOK_OUT/replay/CHAPTER/LINE.md, which this filter puts
# after the README's line LINE, the block's closing fence. The README itself
# is never changed.
set -e
replay=${WB_BOOK_OUT:+$WB_BOOK_OUT/replay/$(basename "$(dirname "$1")")}
sed -E \
  -e 's|^<!-- snippet: ([^ ]+) ([^ ]+) -->$|\\snippet{lineno} \1 \2|' \
  -e 's|^<!-- include: ([^ ]+) -->$|\\include{lineno} \1|' \
  -e 's|^<!-- diagram: ([^ ]+) (.*) -->$|\\dotfile \1 "\2"|' \
  "$1" |
  if [ -n "$replay" ] && [ -d "$replay" ]; then
    awk -v dir="$replay" '{ print; f = dir "/" NR ".md"; while ((getline line < f) > 0) print line; close(f) }'
  else
    cat
  fi
