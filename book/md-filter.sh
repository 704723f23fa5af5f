#!/bin/sh
# md-filter.sh FILE: Doxygen's input filter for the book's Markdown pages.
#
# The write-ups are plain Markdown that reads well on its own (in a terminal,
# on a forge); four HTML comments in them, invisible there, become Doxygen
# commands in the book, so that shown code, diagrams and plots come from the
# real files and runs and cannot drift:
#   <!-- snippet: chapters/01-basics/pagesize.c touch -->  ->  \snippet ... (the
#        lines between the two "[touch]" marker comments in that file)
#   <!-- include: chapters/01-basics/pagesize.c -->        ->  \include ... (the whole file)
#   <!-- diagram: chapters/01-basics/four_types.dot Caption words -->  ->  \dotfile ...
#   <!-- figure: NAME Caption words -->  ->  \image html NAME.svg, the plot
#        scripts/book-figures.sh drew from a run into $WB_BOOK_OUT/figures/,
#        with the caption followed by the label it wrote beside the plot
#        (NAME.label: the machine and the date, or "reference figures")
# Paths are relative to the repository root.
#
# A transcript recorded on a machine unlike the one building the book (a
# `<!-- transcript: when FACT=VALUE -->` block whose replay here printed
# something else) is followed, in the book only, by this machine's own
# output: `make book` replays those transcripts first (scripts/transcripts.sh
# --replay) into $WB_BOOK_OUT/replay/CHAPTER/LINE.md, which this filter puts
# after the README's line LINE, the block's closing fence. The README itself
# is never changed.
#
# Every page named in $WB_BOOK_ORDER (the book's Markdown pages in reading
# order, as the Makefile lists them) ends with links to the previous and the
# next page, made here from that list: their titles are their first lines.
set -e
replay=${WB_BOOK_OUT:+$WB_BOOK_OUT/replay/$(basename "$(dirname "$1")")}
figures=${WB_BOOK_OUT:+$WB_BOOK_OUT/figures}

# label FILE: Doxygen's name for a Markdown page (md_ + its path from the
# root, every character that is not a letter, digit or _ made _), index for
# the front page.
label() {
  case $1 in
    */book/mainpage.md) echo index ;;
    *) p=${1#"$WB_ROOT"/}; echo "md_$(printf '%s' "${p%.md}" | tr -c 'A-Za-z0-9_' '_')" ;;
  esac
}
title() { sed -n '1s/^# *//p' "$1" | tr -d '"'; }

prev="" next="" found=""
for page in ${WB_BOOK_ORDER:-}; do
  if [ -n "$found" ]; then next=$page; break; fi
  if [ "$page" = "$1" ]; then found=1; else prev=$page; fi
done
# (printf, not echo: a dash echo would read the \r of \ref as a return)
pager=""
if [ -n "$found" ]; then
  pager='<div class="book-pager">'
  [ -z "$prev" ] || pager="$pager<span class=\"book-prev\">&larr; Previous: \\ref $(label "$prev") \"$(title "$prev")\"</span>"
  [ -z "$next" ] || pager="$pager<span class=\"book-next\">Next: \\ref $(label "$next") \"$(title "$next")\" &rarr;</span>"
  pager="$pager</div>"
fi

sed -E \
  -e 's|^<!-- snippet: ([^ ]+) ([^ ]+) -->$|\\snippet{lineno} \1 \2|' \
  -e 's|^<!-- include: ([^ ]+) -->$|\\include{lineno} \1|' \
  -e 's|^<!-- diagram: ([^ ]+) (.*) -->$|\\dotfile \1 "\2"|' \
  "$1" |
  WB_PAGER=$pager awk -v dir="${replay:-}" -v figures="${figures:-}" '
    /^<!-- figure: [^ ]+ .* -->$/ {
      name = $3; caption = $0
      sub(/^<!-- figure: [^ ]+ /, "", caption); sub(/ -->$/, "", caption)
      gsub(/"/, "", caption)
      label = ""
      if (figures != "" && (getline label < (figures "/" name ".label")) > 0) caption = caption ". " label
      close(figures "/" name ".label")
      gsub(/"/, "", caption)
      print "\\image html " name ".svg \"" caption "\""
      next
    }
    { print }
    dir != "" { f = dir "/" NR ".md"; while ((getline line < f) > 0) print line; close(f) }
    END { if (ENVIRON["WB_PAGER"] != "") { print ""; print ENVIRON["WB_PAGER"] } }'
