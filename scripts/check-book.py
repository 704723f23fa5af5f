#!/usr/bin/env python3
"""check-book.py HTMLDIR ROOT: check the built book the way a reader meets it.

Prints one line per problem and exits 1 if there is any:
  - a chapter write-up (ROOT/chapters/*/README.md) with no page in the book,
    or a page the front page's navigation does not reach;
  - an internal link (href/src) to a file that does not exist, or to an
    anchor (#id) that the target page does not define;
  - a diagram named in a write-up (<!-- diagram: PATH ... -->) whose image
    was not produced in the chapter's page.
With no problem it prints a summary line of what it checked.
"""
import glob
import html.parser
import os
import re
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids, self.images = [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src", "data"):
            if a.get(key):
                self.links.append(a[key])
        if tag in ("img", "object", "iframe") and (a.get("src") or a.get("data")):
            self.images.append(a.get("src") or a.get("data"))


def parse(path):
    p = Page()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    return p


def page_name(readme, root):
    """Doxygen's file name for a Markdown page: md_ + path with / -> _."""
    rel = os.path.relpath(readme, root)[:-3]
    return "md_" + re.sub(r"[/.-]", "_", rel) + ".html"


def main():
    htmldir, root = sys.argv[1], sys.argv[2]
    problems = []
    pages = {p: parse(p) for p in glob.glob(os.path.join(htmldir, "*.html"))}
    nlinks = 0
    for path, page in pages.items():
        for link in page.links:
            u = urllib.parse.urlsplit(link)
            if u.scheme or link.startswith("//"):
                continue
            target = path if not u.path else os.path.normpath(
                os.path.join(os.path.dirname(path), urllib.parse.unquote(u.path)))
            nlinks += 1
            if not os.path.exists(target):
                problems.append(f"{os.path.basename(path)}: broken link {link}")
            elif u.fragment and target.endswith(".html"):
                tp = pages.get(target) or parse(target)
                if u.fragment not in tp.ids:
                    problems.append(f"{os.path.basename(path)}: no anchor for {link}")
    # Every chapter has a page, reached from the navigation data.
    nav = ""
    for js in glob.glob(os.path.join(htmldir, "*.js")):
        with open(js, encoding="utf-8", errors="replace") as f:
            nav += f.read()
    readmes = sorted(glob.glob(os.path.join(root, "chapters", "*", "README.md")))
    ndiagrams = 0
    for readme in readmes:
        name = page_name(readme, root)
        path = os.path.join(htmldir, name)
        if path not in pages:
            problems.append(f"{os.path.relpath(readme, root)}: no page {name} in the book")
            continue
        if name not in nav:
            problems.append(f"{name}: not reachable from the navigation tree")
        with open(readme, encoding="utf-8") as f:
            wanted = re.findall(r"^<!-- diagram: (\S+)", f.read(), re.M)
        images = [i for i in pages[path].images if i.endswith((".svg", ".png"))]
        ndiagrams += len(wanted)
        if len(images) < len(wanted):
            problems.append(f"{name}: {len(wanted)} diagrams named, {len(images)} images produced")
        for img in images:
            if not os.path.getsize(os.path.join(htmldir, img)):
                problems.append(f"{name}: empty image {img}")
    for p in problems:
        print(p)
    if not readmes:
        print("no chapter write-ups found under", root)
        return 1
    if not problems:
        print(f"{len(pages)} pages, {nlinks} internal links, {len(readmes)} chapters, "
              f"{ndiagrams} diagrams: all present")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
