#!/usr/bin/env python3
"""book-browser.py: the built book in headless Chromium, as a reader meets it.

  book-browser.py check HTMLDIR ROOT SHOTDIR
      Open every page of the book (the front page, each chapter and example,
      the appendix: the .md pages of ROOT, named by Doxygen's rule) at
      1280x900 and check, for each one:
        - it loads without a console error, an uncaught exception or a
          resource that failed to load;
        - every image and diagram on it is drawn with a non-zero size;
        - the side bar lists every chapter, each title whole (no label runs
          past the side bar's edge, so none is cut off);
        - the previous/next links at its foot lead to the pages before and
          after it in reading order;
        - the search box, given a word from the page's title, offers the page.
      Leaves screenshots of the front page and chapter 01, in light and dark
      mode, in SHOTDIR. One line per problem; a summary line; exit 1 on any.

  book-browser.py pdf HTMLDIR ROOT OUT.pdf
      Print every page of the book in reading order (the same pages, then
      the API page of wb.h) to PDF with the book's print style (book/book.css)
      and join them into OUT.pdf with pdfunite. Before printing each, checks
      that no code block, nor anything else, is wider than the paper (it
      would be cut at the margin, or shrink the page).

Chromium is driven through the DevTools protocol over a pipe
(--remote-debugging-pipe): no network, no driver, no package beyond
Debian's chromium and Python's standard library.
"""
import base64
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM = os.environ.get("WB_CHROMIUM") or shutil.which("chromium") or "chromium"


class Browser:
    """One headless Chromium and one page (tab) in it, spoken to over fds 3/4."""

    def __init__(self, profile):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
             "--allow-file-access-from-files", "--user-data-dir=" + profile,
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, pass_fds=(3, 4))
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")

    def _read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the protocol pipe (did it crash?)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m["method"] == method:
                    del self.events[i]
                    return m
            self.events.append(self._read(deadline))

    def js(self, expr, timeout=30):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, timeout)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails'].get('text')} in {expr[:80]}")
        return r["result"].get("value")

    def open(self, url):
        self.events = [m for m in self.events if m["method"] != "Page.loadEventFired"]
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def errors(self):
        """The console errors, exceptions and failed loads seen since the last call."""
        out = []
        for m in self.events:
            p = m.get("params", {})
            if m["method"] == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                out.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")).split("\n")[0])
            elif m["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                e = p["entry"]
                out.append(f"{e.get('source')}: {e.get('text')} {e.get('url', '')}".strip())
        self.events = []
        return out

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def page_name(md, root):
    """Doxygen's HTML file for a Markdown page: md_ + its path, non-identifier characters as _."""
    rel = os.path.relpath(md, root)[:-3]
    if rel == os.path.join("book", "mainpage"):
        return "index.html"
    return "md_" + re.sub(r"[^A-Za-z0-9_]", "_", rel) + ".html"


def title_of(md):
    with open(md, encoding="utf-8") as f:
        return f.readline().lstrip("#").strip()


def book_pages(root):
    """The book's Markdown pages in reading order, as the Makefile lists them."""
    return ([os.path.join(root, "book", "mainpage.md")]
            + sorted(glob.glob(os.path.join(root, "chapters", "*", "README.md")))
            + sorted(glob.glob(os.path.join(root, "examples", "*", "README.md")))
            + [os.path.join(root, "book", "appendix.md")])


def search_word(title):
    """The word of a title the search box is asked for: its longest word."""
    words = re.findall(r"[A-Za-z][A-Za-z_]{3,}", title.split(":", 1)[-1])
    return max(words, key=len) if words else title.split()[0]


# Run in the page: every image and diagram drawn with a size; the side bar's
# labels, and which of them run past its edge; the pager's links.
PAGE_STATE = r"""
(() => {
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const bad = [];
  let n = 0;
  for (const e of document.querySelectorAll('div.contents img, div.contents object, div.contents iframe')) {
    n++;
    const src = e.getAttribute('src') || e.getAttribute('data') || e.tagName;
    if (e.tagName === 'IMG' && !(e.complete && e.naturalWidth > 0)) bad.push(src + ' (not loaded)');
    else if (!shown(e)) bad.push(src + ' (drawn with no size)');
  }
  const side = document.querySelector('#side-nav');
  const edge = side ? side.getBoundingClientRect().right : 0;
  const labels = [...document.querySelectorAll('#nav-tree .label a')].map(a => ({
    text: a.textContent.trim(), cut: a.getBoundingClientRect().right > edge + 1 }));
  const pager = [...document.querySelectorAll('div.book-pager a')].map(a => ({
    text: a.textContent.trim(), href: a.getAttribute('href'),
    rel: a.closest('.book-prev') ? 'prev' : 'next' }));
  return { images: n, bad, labels, pager, dark: document.documentElement.classList.contains('dark-mode') };
})()
"""

# Run in the page: type WORD into the search box, as a reader does, and list
# the pages the results under it offer (book/book-search.js).
SEARCH = r"""
(async word => {
  const field = document.getElementById('MSearchField');
  if (!field || typeof searchBox === 'undefined') return { error: 'no search box' };
  searchBox.keyTimeoutLength = 0;  // (a reader waits half a second; the test need not)
  field.focus();
  field.value = word;
  field.dispatchEvent(new KeyboardEvent('keyup', { key: word.slice(-1), bubbles: true }));
  for (let i = 0; i < 100; i++) {
    await new Promise(r => setTimeout(r, 50));
    const div = document.getElementById('book-search-results');
    if (div && div.style.display === 'block' && div.querySelector('.book-search-head')) {
      const r = div.getBoundingClientRect();
      if (r.width <= 0 || r.height <= 0) return { error: 'the results are not shown' };
      return { hits: [...div.querySelectorAll('a')].map(a => a.getAttribute('href') || '') };
    }
  }
  return { error: 'no results under the search box after 5 s' };
})
"""


def wait_for_tree(b, pages):
    """The side bar is built by JavaScript: wait until it holds the book's pages."""
    for _ in range(100):
        if b.js("document.querySelectorAll('#nav-tree .label a').length") >= pages:
            return True
        time.sleep(0.05)
    return False


def check(htmldir, root, shotdir):
    htmldir = os.path.abspath(htmldir)
    mds = book_pages(root)
    titles = {page_name(md, root): title_of(md) for md in mds}
    order = [page_name(md, root) for md in mds]
    chapters = [title_of(md) for md in mds if "/chapters/" in md]
    problems, nimages, nsearch = [], 0, 0
    os.makedirs(shotdir, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="profile.", dir=os.path.dirname(htmldir))
    b = Browser(profile)
    try:
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        for i, name in enumerate(order):
            path = os.path.join(htmldir, name)
            if not os.path.exists(path):
                problems.append(f"{name}: no such page (for '{titles[name]}')")
                continue
            b.open("file://" + path)
            if not wait_for_tree(b, len(order)):
                problems.append(f"{name}: the side bar was not built")
            st = b.js(PAGE_STATE)
            nimages += st["images"]
            for x in st["bad"]:
                problems.append(f"{name}: image {x}")
            shown = [l["text"] for l in st["labels"]]
            for t in chapters:
                if t not in shown:
                    problems.append(f"{name}: the side bar does not list '{t}'")
            for l in st["labels"]:
                if l["cut"]:
                    problems.append(f"{name}: the side bar cuts off '{l['text']}'")
            want = {}
            if i > 0:
                want["prev"] = order[i - 1]
            if i + 1 < len(order):
                want["next"] = order[i + 1]
            got = {p["rel"]: p["href"].split("#")[0] for p in st["pager"]}
            if got != want:
                problems.append(f"{name}: previous/next links {got}, expected {want}")
            word = search_word(titles[name])
            r = b.js(f"({SEARCH})({json.dumps(word)})")
            nsearch += 1
            if "error" in r:
                problems.append(f"{name}: search for '{word}': {r['error']}")
            elif not any(h.split("#")[0].endswith(name) for h in r["hits"]):
                problems.append(f"{name}: search for '{word}' does not offer the page (offers {r['hits'][:5]})")
            for e in b.errors():
                problems.append(f"{name}: {e}")
        # Screenshots, light and dark (the theme follows the system's choice).
        for scheme in ("light", "dark"):
            b.call("Emulation.setEmulatedMedia",
                   {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
            for shot, name in (("front", "index.html"), ("chapter01", order[1])):
                b.open("file://" + os.path.join(htmldir, name))
                wait_for_tree(b, len(order))
                time.sleep(0.3)
                dark = b.js("document.documentElement.classList.contains('dark-mode')")
                if dark != (scheme == "dark"):
                    problems.append(f"{name}: asked for {scheme} mode, the page is {'dark' if dark else 'light'}")
                b.screenshot(os.path.join(shotdir, f"{shot}-{scheme}.png"))
                for e in b.errors():
                    problems.append(f"{name} ({scheme}): {e}")
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)
    for p in problems:
        print(p)
    print(f"browser: {len(order)} pages, {len(chapters)} chapters in every side bar, "
          f"{nimages} images, {nsearch} searches, 4 screenshots: "
          + (f"{len(problems)} problems" if problems else "all as a reader should see them"))
    return 1 if problems else 0


# Run in the page under print media at the printed width: the code blocks
# wider than the page (they would be cut at the margin).
OVERFLOW = r"""
(() => {
  const page = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('div.fragment, pre')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > page + 1)
    .map(e => 'a code block is wider than the printed page: ' + e.textContent.trim().split('\n')[0].slice(0, 60));
  // Anything wider than the page makes Chromium shrink or cut every page.
  if (document.documentElement.scrollWidth > page + 1) {
    const e = [...document.querySelectorAll('body *')].find(x => x.getBoundingClientRect().right > page + 1);
    wide.push(`the page is ${document.documentElement.scrollWidth} px wide, the paper ${page} px` +
              (e ? ` (${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + e.className : ''})` : ''));
  }
  return wide;
})()
"""


def pdf(htmldir, root, out):
    htmldir = os.path.abspath(htmldir)
    pages = [page_name(md, root) for md in book_pages(root)] + ["wb_8h.html"]
    work = tempfile.mkdtemp(prefix="pdf.", dir=os.path.dirname(os.path.abspath(out)))
    profile = os.path.join(work, "profile")
    b = Browser(profile)
    parts, problems = [], []
    try:
        # A4 less 12 mm margins each side is 186 mm, about 703 CSS pixels.
        b.call("Emulation.setDeviceMetricsOverride",
               {"width": 703, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        b.call("Emulation.setEmulatedMedia", {"media": "print"})
        for name in pages:
            path = os.path.join(htmldir, name)
            if not os.path.exists(path):
                problems.append(f"{name}: no such page")
                continue
            b.open("file://" + path)
            for line in b.js(OVERFLOW):
                problems.append(f"{name}: {line}")
            data = b.call("Page.printToPDF", {
                "printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69,
                "marginTop": 0.47, "marginBottom": 0.47, "marginLeft": 0.47, "marginRight": 0.47,
                "displayHeaderFooter": False}, timeout=120)["data"]
            part = os.path.join(work, f"{len(parts):03d}.pdf")
            with open(part, "wb") as f:
                f.write(base64.b64decode(data))
            parts.append(part)
            b.errors()
    finally:
        b.close()
    if not problems:
        subprocess.run(["pdfunite", *parts, out], check=True)
    shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"book-pdf: {out}: {len(parts)} pages of the book printed and joined")
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "check":
        return check(argv[2], os.path.abspath(argv[3]), argv[4] if len(argv) > 4 else "screenshots")
    if len(argv) == 5 and argv[1] == "pdf":
        return pdf(argv[2], os.path.abspath(argv[3]), argv[4])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
