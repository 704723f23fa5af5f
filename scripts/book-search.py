#!/usr/bin/env python3
"""book-search.py HTMLDIR: the index behind the book's search box.

Doxygen's own search finds symbols and pages by the start of their titles
only ("Chapter 06: msync..." is found by "chap", not by "msync"). The book
replaces it with a search of every word of every page: this script reads
the text of each page of the book (the front page, the chapters, the
examples, the appendix and the API pages) and writes HTMLDIR/book-search-index.js,
    var BOOK_SEARCH = {pages: [[FILE, TITLE], ...], words: {WORD: [[PAGE, COUNT], ...]}}
which book/book-search.js loads on the first search (see its header comment).
"""
import glob
import html
import json
import os
import re
import sys
from collections import Counter


def text_of(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        doc = f.read()
    m = re.search(r'<div class="title">(.*?)</div>', doc, re.S)
    title = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else os.path.basename(path)
    start = doc.find('<div class="contents">')
    end = doc.find("<!-- contents -->")
    body = doc[start:end if end > start else len(doc)]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return title, title + " " + body


def main(htmldir):
    files = sorted(os.path.basename(p) for p in
                   glob.glob(os.path.join(htmldir, "index.html"))
                   + glob.glob(os.path.join(htmldir, "md_*.html"))
                   + glob.glob(os.path.join(htmldir, "*_8h.html"))
                   + glob.glob(os.path.join(htmldir, "struct*.html")))
    pages, words = [], {}
    for i, name in enumerate(files):
        title, text = text_of(os.path.join(htmldir, name))
        pages.append([name, title])
        for w, n in Counter(re.findall(r"[a-z0-9_]{2,}", text.lower())).items():
            if not w.isdigit():
                words.setdefault(w, []).append([i, n])
    with open(os.path.join(htmldir, "book-search-index.js"), "w", encoding="utf-8") as f:
        f.write("var BOOK_SEARCH = ")
        json.dump({"pages": pages, "words": words}, f, separators=(",", ":"))
        f.write(";\n")
    print(f"book: search index of {len(words)} words over {len(pages)} pages")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]) if len(sys.argv) == 2 else print(__doc__, file=sys.stderr) or 2)
