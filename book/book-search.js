/* book-search.js: the book's search box searches the text of every page.
 *
 * Doxygen's own search (search/search.js) matches symbols and the start of
 * page titles only. This replaces what its box does when the reader types:
 * the words typed are looked up in book-search-index.js (scripts/book-search.py,
 * loaded on the first search), each as the start of a word of the book, and
 * the pages holding all of them are listed under the box, most mentions
 * first, each a link. Escape or an empty box closes the list. */
(function () {
  var base = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, '') : '';
  var loading = null;

  function load() {
    if (window.BOOK_SEARCH) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = base + 'book-search-index.js';
        s.onload = resolve;
        s.onerror = function () { reject(new Error('book-search-index.js did not load')); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function find(query) {
    var terms = query.toLowerCase().match(/[a-z0-9_]{2,}/g) || [];
    if (!terms.length) return [];
    var words = Object.keys(BOOK_SEARCH.words), total = null;
    terms.forEach(function (t) {
      var hits = {};
      words.forEach(function (w) {
        if (w.lastIndexOf(t, 0) === 0) {
          BOOK_SEARCH.words[w].forEach(function (pn) { hits[pn[0]] = (hits[pn[0]] || 0) + pn[1]; });
        }
      });
      if (total === null) { total = hits; return; }
      var both = {};
      Object.keys(total).forEach(function (p) { if (p in hits) both[p] = total[p] + hits[p]; });
      total = both;
    });
    return Object.keys(total).sort(function (a, b) { return total[b] - total[a]; })
      .map(function (p) { return { file: BOOK_SEARCH.pages[p][0], title: BOOK_SEARCH.pages[p][1], n: total[p] }; });
  }

  function panel() {
    var div = document.getElementById('book-search-results');
    if (!div) {
      div = document.createElement('div');
      div.id = 'book-search-results';
      div.setAttribute('role', 'listbox');
      document.body.appendChild(div);
    }
    var box = document.getElementById('MSearchBox');
    if (box) {
      var r = box.getBoundingClientRect();
      div.style.left = Math.max(8, r.left) + 'px';
      div.style.top = (r.bottom + 6) + 'px';
    }
    return div;
  }

  function show(query) {
    var div = panel();
    if (!query.trim()) { div.style.display = 'none'; return; }
    load().then(function () {
      var hits = find(query);
      div.textContent = '';
      var head = document.createElement('div');
      head.className = 'book-search-head';
      head.textContent = hits.length ? hits.length + (hits.length === 1 ? ' page' : ' pages') + ' mention "' + query.trim() + '"'
        : 'No page mentions "' + query.trim() + '"';
      div.appendChild(head);
      hits.slice(0, 30).forEach(function (h) {
        var a = document.createElement('a');
        a.href = base + h.file;
        a.textContent = h.title;
        var n = document.createElement('span');
        n.className = 'book-search-count';
        n.textContent = h.n;
        a.appendChild(n);
        div.appendChild(a);
      });
      div.style.display = 'block';
    }, function (e) { div.textContent = String(e.message); div.style.display = 'block'; });
  }

  window.addEventListener('load', function () {
    if (typeof searchBox === 'undefined') return;
    searchBox.Search = function () {
      // (looked up now: Doxygen's menu script may add the box after load)
      var field = document.getElementById('MSearchField');
      this.keyTimeout = 0;
      show(field ? field.value : '');
    };
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') panel().style.display = 'none';
    });
  });
})();
