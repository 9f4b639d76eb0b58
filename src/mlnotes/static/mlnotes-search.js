/* mlnotes: the search page (templates/search.html) over the split index in _search/
 * (written by mlnotes.site.splitindex).  A query's Chinese runs are segmented by the index's own
 * vocabulary: the fewest indexed terms that cover the run, so "diffusion model sampling" written
 * as one run of six characters is searched as its two terms; a run with characters no term
 * covers is searched by character bigrams ("data set", which jieba cuts into "data" + "set", is
 * searched as "data" and the bigram of its last two characters).  Only the shards of the query's
 * characters (and of its Latin words' first two letters) are fetched; they hold the terms and
 * their postings (the manifest, preloaded by the page, comes alongside); a query with such
 * characters then loads the buckets of its bigrams.  A page must match every word (a word
 * matches the terms it begins, and has its bigrams in its text); results are ranked by where
 * the words occur (title,
 * heading, body) and how often; each shown result loads one block of its text for the snippet.
 * window.mlnotesSearch.run(query, filters) gives every match (the tests measure with it). */
// (no Han characters in this file, comments included: it is part of every site, English ones too)
"use strict";
(function () {
  var box = document.querySelector("[data-mlnotes-index]");
  if (!box) { return; }
  var manifestUrl = new URL(box.getAttribute("data-mlnotes-index"), document.baseURI);
  var root = new URL(box.getAttribute("data-mlnotes-root") || "./", document.baseURI);
  var base = new URL("./", manifestUrl);
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  var TOKENS = /[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9_]+/g;
  var PAGE = 10;
  var TITLE_BIT = 512, HEADING_BIT = 256, TF = 255;
  var PARTICLES = "\u7684\u4e86\u548c\u4e0e\u53ca\u6216\u4e4b";  // de le he yu ji huo zhi
  var manifest = null;
  // the words, in the site's language, from the page's labels (#mlnotes-labels, core/i18n.py);
  // fmt fills their {named} places
  var L = JSON.parse(document.getElementById("mlnotes-labels").textContent);
  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  // which shards exist (the first characters, the Latin pairs) and the index's stamp are in the
  // page itself: the shards of a query are fetched at once, while the manifest is still coming
  var index = { stamp: box.getAttribute("data-mlnotes-stamp") || "", han: box.getAttribute("data-mlnotes-han") || "",
                latin: (box.getAttribute("data-mlnotes-latin") || "").split(" "),
                bigrams: Number(box.getAttribute("data-mlnotes-bigrams") || 0) };
  var shards = new Map();   // key → Promise of {term: postings}
  var sorted = new Map();   // key → its terms, sorted (for prefix look-ups)

  function fetchText(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + url); }
      return r.text();
    });
  }
  function loadManifest() {
    if (!manifest) { manifest = fetchText(manifestUrl).then(function (t) { return Object.assign(JSON.parse(t), index); }); }
    return manifest;
  }
  function shardKey(m, word) {
    if (HAN.test(word[0])) {
      return m.han.indexOf(word[0]) >= 0 ? "h/" + word.codePointAt(0).toString(16) : null;
    }
    var two = word.slice(0, 2);
    return m.latin.indexOf(two) >= 0 ? "l/" + two : null;
  }
  function loadShard(m, key) {
    if (!shards.has(key)) {
      shards.set(key, fetchText(new URL(key + ".json?v=" + m.stamp, base)).then(function (t) {
        var data = JSON.parse(t);
        sorted.set(key, Object.keys(data).sort());
        return data;
      }));
    }
    return shards.get(key);
  }
  // the terms of a shard that begin with word (binary search in the sorted terms)
  function withPrefix(key, word) {
    var terms = sorted.get(key) || [];
    var lo = 0, hi = terms.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (terms[mid] < word) { lo = mid + 1; } else { hi = mid; } }
    var out = [];
    for (var i = lo; i < terms.length && terms[i].lastIndexOf(word, 0) === 0; i++) { out.push(terms[i]); }
    return out;
  }

  // fewest pieces covering the run: an indexed term costs 1, a character no term covers 3 (at
  // a tie, the longest term from the left).
  // With below (the parts of a compound): its terms shorter than below.  Without: the query's
  // words, each [text, term or null, its bigrams, whether the term is only for the rank].  A
  // run that terms cover is searched by them.  In a run they do not cover (four characters ABCD), two or more
  // characters in a row are a word, one alone joins the word before it (at the start, the one
  // after it), and every word of the run is searched by its bigrams (ABCD: AB, BC, CD),
  // its term only ranking (jieba may have cut a page's text otherwise); a character between two
  // words needs a bigram with either (in AB x CD: Bx or xC, whichever word it belongs to).
  // A particle alone (such as de) is left out, as before.  A bigram of alternatives is an array.
  function segment(m, run, data, below) {
    var n = run.length;
    if (n === 1) { return below ? [] : [[run, run, [], false]]; }
    var best = new Array(n + 1).fill(Infinity), step = new Array(n + 1);
    best[n] = 0;
    for (var i = n - 1; i >= 0; i--) {
      var key = shardKey(m, run[i]), shard = key ? data.get(key) : null;
      best[i] = 3 + best[i + 1]; step[i] = [1, null];
      if (!shard) { continue; }
      for (var len = Math.min(n - i, below ? below - 1 : n); len >= 2; len--) {
        var piece = run.substr(i, len);
        var cost = 1 + best[i + len];  // at a tie, a term here rather than a character left alone
        if (Object.prototype.hasOwnProperty.call(shard, piece) && (cost < best[i] || (cost === best[i] && !step[i][1]))) {
          best[i] = cost; step[i] = [len, piece];
        }
      }
    }
    var words = [], covered = true, first = "";
    for (var j = 0; j < n;) {
      var term = step[j][1], k = j;
      if (term) {
        words.push(below ? term : { text: first + term, term: term, core: term, more: first ? [first + term[0]] : [] });
        first = ""; j += step[j][0]; continue;
      }
      while (k < n && !step[k][1]) { k++; }
      if (below || (k - j === 1 && PARTICLES.indexOf(run[j]) >= 0)) { j = k; continue; }
      covered = false;
      if (k - j >= 2) {
        words.push({ text: run.slice(j, k), term: null, core: run.slice(j, k), more: [] });
      } else if (words.length) {
        var last = words[words.length - 1];
        last.text += run[j];
        last.more.push(k < n ? [last.core.slice(-1) + run[j], run[j] + run[k]] : last.core.slice(-1) + run[j]);
      } else {
        first = run[j];
      }
      j = k;
    }
    return below ? words : words.map(function (w) {
      return [w.text, w.term, covered ? [] : bigrams(w.core).concat(w.more), !covered];
    });
  }
  function bigrams(text) {
    var out = [];
    for (var i = 0; i + 1 < text.length; i++) { out.push(text.substr(i, 2)); }
    return out;
  }

  function queryWords(m, query) {
    var runs = query.toLowerCase().match(TOKENS) || [];
    var keys = new Set();
    runs.forEach(function (r) {
      if (HAN.test(r[0])) { for (var c of r) { var k = shardKey(m, c); if (k) { keys.add(k); } } }
      else if (r.length >= 2) { var k2 = shardKey(m, r); if (k2) { keys.add(k2); } }
    });
    var data = new Map();
    return Promise.all(Array.from(keys).map(function (k) {
      return loadShard(m, k).then(function (d) { data.set(k, d); });
    })).then(function () {
      var found = new Map();  // text → [text, term, bigrams], once each
      runs.forEach(function (r) {
        var pieces = HAN.test(r[0]) ? segment(m, r, data) : (r.length >= 2 ? [[r, r, [], false]] : []);
        pieces.forEach(function (p) { if (!found.has(p[0])) { found.set(p[0], p); } });
      });
      var words = Array.from(found.values());
      // the parts of each compound ("attention mechanism": "attention", "mechanism") add to the
      // rank of a page, so a page whose title has "attention" comes before one that only has the
      // compound once in its body
      var parts = words.map(function (w) {
        return w[1] && HAN.test(w[1][0]) && w[1].length >= 3 ? segment(m, w[1], data, w[1].length) : [];
      });
      // the bigrams' pages: a second step, only for a query with characters no term covers
      var grams = new Map(), buckets = new Set();
      words.forEach(function (w) {
        [].concat.apply([], w[2]).forEach(function (g) {
          grams.set(g, new Set());
          if (m.bigrams) { buckets.add("b/" + ((g.codePointAt(0) * 65536 + g.codePointAt(1)) % m.bigrams)); }
        });
      });
      return Promise.all(Array.from(buckets).map(function (k) {
        return loadShard(m, k).then(function (bucket) {
          grams.forEach(function (docs, g) {
            var doc = 0;
            (bucket[g] || []).forEach(function (d) { doc += d; docs.add(doc); });
          });
        });
      })).then(function () {
        return { words: words.map(function (w) { return w[0]; }), terms: words.map(function (w) { return w[1]; }),
                 bigrams: words.map(function (w) { return w[2]; }), optional: words.map(function (w) { return w[3]; }),
                 parts: parts, data: data, grams: grams };
      });
    });
  }

  // page id → [weight, block] for one word: every term it begins, the best weight
  function postings(m, word, data) {
    var key = shardKey(m, word), out = new Map();
    if (!key || !data.get(key)) { return out; }
    var shard = data.get(key);
    withPrefix(key, word).forEach(function (term) {
      var p = shard[term], doc = 0;
      for (var i = 0; i < p.length; i += 3) {
        doc += p[i];
        var had = out.get(doc), exact = term === word;
        if (!had) { out.set(doc, [p[i + 1], p[i + 2], exact]); continue; }
        var w = ((had[0] | p[i + 1]) & ~TF) | Math.max(had[0] & TF, p[i + 1] & TF);
        var b = had[2] ? had[1] : (exact ? p[i + 2] : Math.min(had[1], p[i + 2]));
        out.set(doc, [w, b, had[2] || exact]);
      }
    });
    return out;
  }
  function score(weight) {
    return (weight & TITLE_BIT ? 40 : 0) + (weight & HEADING_BIT ? 8 : 0) + Math.log2(1 + (weight & TF));
  }
  function filtered(m, doc, filters) {
    var row = m.docs[doc];
    if (filters.date && String(row[4]) !== String(filters.date)) { return false; }  // the year of publication
    for (var i = 0; i < m.filters.length; i++) {
      var want = filters[m.filters[i].name];
      if (!want) { continue; }
      var id = m.filters[i].terms.indexOf(want);
      if (id < 0 || ((row[5] || [])[i] || []).indexOf(id) < 0) { return false; }
    }
    return true;
  }

  function run(query, filters) {
    filters = filters || {};
    var words = queryWords(index, query);
    words.catch(function () {});  // a failure is reported once, by the chain below
    return loadManifest().then(function (m) {
      return words.then(function (q) {
        if (!q.words.length) { return { words: [], results: [] }; }
        var lists = q.terms.map(function (w) { return w === null ? null : postings(m, w, q.data); });
        var partLists = q.parts.map(function (ps) { return ps.map(function (w) { return postings(m, w, q.data); }); });
        // each word's bigrams: the sets of pages of each (of each alternative)
        var gramDocs = q.bigrams.map(function (gs) {
          return gs.map(function (g) { return [].concat(g).map(function (a) { return q.grams.get(a); }); });
        });
        var termLists = lists.filter(function (l, i) { return l && !q.optional[i]; });
        // the candidates: the pages of the first term that must match (or of the rarest bigram)
        var first = termLists.length ? termLists[0] : [].concat.apply([], gramDocs)
          .filter(function (alts) { return alts.length === 1; }).map(function (alts) { return alts[0]; })
          .sort(function (a, b) { return a.size - b.size; })[0];
        var results = [];
        Array.from(first.keys()).forEach(function (doc) {
          if (!termLists.every(function (l) { return l.has(doc); }) || !filtered(m, doc, filters)
              || !gramDocs.every(function (gs) {
                return gs.every(function (alts) { return alts.some(function (g) { return g.has(doc); }); });
              })) { return; }
          var s = 0, inTitle = 0, blocks = [];
          lists.forEach(function (l, i) {
            var hit = l && l.get(doc);
            if (!hit) { return; }
            s += score(hit[0]); blocks.push(hit[1]);
            if (hit[0] & TITLE_BIT) { inTitle++; }
            partLists[i].forEach(function (pl) { var h = pl.get(doc); if (h) { s += 0.5 * score(h[0]); } });
          });
          if (inTitle === lists.length) { s += 50; }
          var row = m.docs[doc];
          if (!row[4]) { s *= 0.6; }  // notes first: other pages (home, docs) list many notes' words
          results.push({ doc: doc, title: row[0], url: row[1] || row[2] + ".html", docname: row[2], year: row[4],
                         score: s, blocks: blocks });
        });
        results.sort(function (a, b) { return b.score - a.score || a.docname.localeCompare(b.docname); });
        return { words: q.words, results: results };
      });
    });
  }

  // -- the page ---------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function snippet(text, words) {
    var re = new RegExp(words.map(escapeRe).sort(function (a, b) { return b.length - a.length; }).join("|"), "gi");
    var first = text.search(re);
    var start = Math.max(0, first - 30), end = Math.min(text.length, start + 120);
    var part = (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
    var p = el("p", "context"), last = 0, match;
    re.lastIndex = 0;
    while ((match = re.exec(part)) !== null) {
      if (match.index > last) { p.appendChild(document.createTextNode(part.slice(last, match.index))); }
      p.appendChild(el("mark", "", match[0]));
      last = match.index + match[0].length;
    }
    p.appendChild(document.createTextNode(part.slice(last)));
    return p;
  }
  function whenNear(element, load) {
    if (!("IntersectionObserver" in window)) { load(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); load(); }
    }, { rootMargin: "200px 0px" });
    seen.observe(element);
  }
  function pickBlock(blocks) {
    var counts = new Map(), best = blocks.length ? blocks[0] : 0;
    blocks.forEach(function (b) { counts.set(b, (counts.get(b) || 0) + 1); });
    counts.forEach(function (c, b) { if (c > counts.get(best) || (c === counts.get(best) && b < best)) { best = b; } });
    return best;
  }

  function show(out, words, results, from, m) {
    var list = out.querySelector("ul.search");
    var more = out.querySelector(".mlnotes-search-more");
    results.slice(from, from + PAGE).forEach(function (r) {
      var li = el("li");
      var a = el("a", "", r.title);
      a.href = new URL(r.url, root).href;
      li.appendChild(a);
      var labels = m.filters.map(function (f, i) {
        var ids = (m.docs[r.doc][5] || [])[i] || [];
        return ids.length ? f.labels[ids[ids.length - 1]] : "";
      }).filter(Boolean);
      if (r.year) { labels.unshift(String(r.year)); }
      if (labels.length) { li.appendChild(el("span", "mlnotes-search-meta", " · " + labels.join(" · "))); }
      // the snippet's block is loaded when the result comes near the screen; its room is kept
      // (three lines) so that nothing moves when it arrives
      var context = el("p", "context");
      li.appendChild(context);
      list.appendChild(li);
      whenNear(li, function () {
        fetchText(new URL("t/" + r.docname + "/" + pickBlock(r.blocks) + ".txt?v=" + m.stamp, base)).then(function (t) {
          context.replaceWith(snippet(t, words));
        }).catch(function () {});
      });
    });
    var left = results.length - from - PAGE;
    if (left > 0) {
      more.hidden = false;
      more.textContent = fmt((left === 1 && L.more1) || L.more, { count: left });
      more.onclick = function () { more.hidden = true; show(out, words, results, from + PAGE, m); };
    } else {
      more.hidden = true;
    }
  }

  function page() {
    var params = new URLSearchParams(window.location.search);
    var query = (params.get("q") || "").trim();
    var filters = {};
    box.querySelectorAll("form select").forEach(function (s) {
      var v = params.get(s.name) || "";
      if (v && Array.prototype.some.call(s.options, function (o) { return o.value === v; })) { s.value = v; filters[s.name] = v; }
    });
    var input = box.querySelector("form input[name=q]");
    input.value = query;
    var out = box.querySelector("#search-results");
    loadManifest().catch(function () {});  // preloaded by the page (and kept for the next search)
    if (!query) { return; }
    var started = performance.now();
    var summary = el("p", "search-summary");
    summary.setAttribute("role", "status");
    var list = el("ul", "search");
    var more = el("button", "btn btn-primary mlnotes-search-more");
    more.type = "button"; more.hidden = true;
    out.append(summary, list, more);
    run(query, filters).then(function (found) {
      return loadManifest().then(function (m) {
        var n = found.results.length;
        var said = fmt(L.words, { words: found.words.length ? found.words.join(L.wordSep) : query });
        summary.textContent = n ? fmt((n === 1 && L.found1) || L.found, { count: n, words: said }) : fmt(L.none, { words: said });
        show(out, found.words, found.results, 0, m);
        out.setAttribute("data-mlnotes-search-ms", String(Math.round(performance.now() - started)));
        out.setAttribute("data-mlnotes-search-nav", String(Math.round(performance.now())));  // since the navigation
      });
    }).catch(function (e) {
      summary.textContent = fmt(L.failed, { error: e.message });
    });
  }

  window.mlnotesSearch = { run: run, segment: function (q) {
    return queryWords(index, q).then(function (q2) { return q2.words; });
  } };
  page();
})();
