#!/bin/sh
# header.sh OUT: write the book's HTML header to OUT.
#
# It is Doxygen's own default header (doxygen -w html, so it always matches
# the Doxygen that builds the book) with doxygen-awesome-css's extensions
# started before </head>: the dark-mode toggle, a copy button on every code
# block and a link on every heading; and the book's own search
# (book/book-search.js), which searches every word of the book. The
# scripts themselves are copied into the book by HTML_EXTRA_FILES
# (book/Doxyfile).
set -e
out=$1
dir=$(dirname "$out")
doxygen -w html "$out.tmp" "$dir/footer.html.tmp" "$dir/style.css.tmp" >/dev/null
rm -f "$dir/footer.html.tmp" "$dir/style.css.tmp"
awk '
  /<\/head>/ && !done {
    print "<script type=\"text/javascript\" src=\"$relpath^doxygen-awesome-darkmode-toggle.js\"></script>"
    print "<script type=\"text/javascript\" src=\"$relpath^doxygen-awesome-fragment-copy-button.js\"></script>"
    print "<script type=\"text/javascript\" src=\"$relpath^doxygen-awesome-paragraph-link.js\"></script>"
    print "<script type=\"text/javascript\" src=\"$relpath^book-search.js\"></script>"
    print "<script type=\"text/javascript\">"
    print "DoxygenAwesomeDarkModeToggle.init()"
    print "DoxygenAwesomeFragmentCopyButton.init()"
    print "DoxygenAwesomeParagraphLink.init()"
    print "</script>"
    done = 1
  }
  { print }
  END { if (!done) { print "header.sh: no </head> in Doxygen'"'"'s header" > "/dev/stderr"; exit 1 } }
' "$out.tmp" >"$out"
rm -f "$out.tmp"
