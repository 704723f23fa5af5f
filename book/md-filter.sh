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
exec sed -E \
  -e 's|^<!-- snippet: ([^ ]+) ([^ ]+) -->$|\\snippet{lineno} \1 \2|' \
  -e 's|^<!-- include: ([^ ]+) -->$|\\include{lineno} \1|' \
  -e 's|^<!-- diagram: ([^ ]+) (.*) -->$|\\dotfile \1 "\2"|' \
  "$1"
