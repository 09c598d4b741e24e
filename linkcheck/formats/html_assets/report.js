/* linkcheck HTML report. Vanilla JS, no network. Every report string is shown with
   textContent (never innerHTML), and only http(s) URLs become links. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var S = data.strings;
  var L = data.links;
  var N = L.length;

  // Link columns (see _row in linkcheck/formats/html.py).
  var URL = 0, KIND = 1, OUTCOME = 2, REASON = 3, STATUS = 4, FINAL = 5, HOST = 6, SEV = 7,
    DETAIL = 8, REDIRECTS = 9, IMAGE = 10, HISTORY = 11, REPLACE = 12, CHECKED = 13,
    SOURCES = 14, ATTEMPTS = 15, CACHED = 16;
  // Source columns.
  var F_FILE = 0, F_FIELD = 1, F_LINE = 2, F_TITLE = 3, F_KEY = 4, F_TEXT = 5, F_DW = 6,
    F_DH = 7, F_MATCH = 8, F_ASPECT = 9, F_PROBLEM = 10, F_BROKEN = 11;

  var SEVERITIES = ["critical", "high", "medium", "low", "none"];
  var OUTCOMES = ["broken", "warning", "ok", "skipped"];
  var HISTORIES = ["newly_broken", "still_broken", "flapping", "fixed", "new", "ok"];

  function s(i) { return i === null || i === undefined ? "" : S[i]; }
  function fmt(n) { return n === null || n === undefined ? "" : Number(n).toLocaleString("en"); }
  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) { continue; }
      parent.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return parent;
  }
  function safeHref(url) { return /^https?:\/\//i.test(url) ? url : null; }
  function urlNode(url) {
    var href = safeHref(url);
    if (!href) { return el("span", null, url); }
    var a = el("a", null, url);
    a.href = href;
    a.rel = "noopener noreferrer nofollow";
    a.target = "_blank";
    return a;
  }
  function badge(kind, value) {
    return el("span", "badge " + kind + "-" + value.replace(/[^a-z_]/g, ""), value.replace(/_/g, " "));
  }

  // ------------------------------------------------------------------ per-link keys
  function rank(list, value) { var i = list.indexOf(value); return i < 0 ? list.length : i; }
  var sevRank = new Int8Array(N), outRank = new Int8Array(N), hist = new Array(N);
  for (var i = 0; i < N; i++) {
    sevRank[i] = rank(SEVERITIES, s(L[i][SEV]));
    outRank[i] = rank(OUTCOMES, s(L[i][OUTCOME]));
    hist[i] = L[i][HISTORY] ? s(L[i][HISTORY][0]) : "";
  }
  var hay = null; // lower-cased search text per link, built on the first search
  function haystack(i) {
    var r = L[i], parts = [r[URL], r[FINAL] || "", s(r[DETAIL]), s(r[REASON])];
    var src = r[SOURCES];
    for (var j = 0; j < src.length; j++) {
      parts.push(s(src[j][F_FILE]), s(src[j][F_TITLE]), s(src[j][F_KEY]), src[j][F_TEXT] || "");
    }
    return parts.join("\n").toLowerCase();
  }

  // ------------------------------------------------------------------ state
  var state = {
    search: "", outcome: "", severity: "", reason: "", kind: "", host: "", history: "",
    file: "", group: "link", sortKey: "severity", sortDir: 1, page: 0, size: 100,
    open: {}
  };

  var LINK_COLUMNS = [
    { key: "severity", label: "Severity" }, { key: "outcome", label: "Outcome" },
    { key: "reason", label: "Reason" }, { key: "status", label: "HTTP", num: true },
    { key: "kind", label: "Kind" }, { key: "url", label: "URL" }, { key: "host", label: "Host" },
    { key: "file", label: "File" }, { key: "cites", label: "Citations", num: true }, { key: "history", label: "Change" }
  ];
  var ARTICLE_COLUMNS = [
    { key: "severity", label: "Worst" }, { key: "title", label: "Article" },
    { key: "file", label: "File" }, { key: "links", label: "Links", num: true },
    { key: "broken", label: "Broken", num: true }, { key: "warning", label: "Warnings", num: true }
  ];

  function cmpStr(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  // The rank of each string-table entry in sorted order, so string columns sort as numbers.
  var strRank = null;
  function stringRank(i) {
    if (!strRank) {
      var idx = S.map(function (_, k) { return k; });
      idx.sort(function (a, b) { return cmpStr(S[a], S[b]); });
      strRank = new Int32Array(S.length);
      for (var k = 0; k < idx.length; k++) { strRank[idx[k]] = k + 1; }
    }
    return i == null ? 0 : strRank[i];
  }
  var urlRank = null;
  function urlRanks() {
    if (!urlRank) {
      var idx = new Array(N);
      for (var i = 0; i < N; i++) { idx[i] = i; }
      idx.sort(function (a, b) { return cmpStr(L[a][URL], L[b][URL]) || a - b; });
      urlRank = new Int32Array(N);
      for (var k = 0; k < N; k++) { urlRank[idx[k]] = k; }
    }
    return urlRank;
  }
  // A numeric sort key per link for each sortable column; ties keep the report's order.
  function sortKeys(key) {
    if (key === "url") { return urlRanks(); }
    var k = new Float64Array(N);
    for (var i = 0; i < N; i++) {
      var r = L[i];
      switch (key) {
        case "severity": k[i] = sevRank[i] * 8 + outRank[i]; break;
        case "outcome": k[i] = outRank[i]; break;
        case "reason": k[i] = stringRank(r[REASON]); break;
        case "kind": k[i] = stringRank(r[KIND]); break;
        case "host": k[i] = stringRank(r[HOST]); break;
        case "file": k[i] = r[SOURCES].length ? stringRank(r[SOURCES][0][F_FILE]) : 0; break;
        case "status": k[i] = r[STATUS] || 0; break;
        case "cites": k[i] = r[SOURCES].length; break;
        case "history": k[i] = rank(HISTORIES, hist[i]); break;
        default: k[i] = i;
      }
    }
    return k;
  }

  var order = null, orderKey = "";
  function sortedLinks() {
    var want = state.sortKey + ":" + state.sortDir;
    if (order && orderKey === want) { return order; }
    var k = sortKeys(state.sortKey), dir = state.sortDir;
    order = new Array(N);
    for (var i = 0; i < N; i++) { order[i] = i; }
    order.sort(function (a, b) { return dir * (k[a] - k[b]) || a - b; });
    orderKey = want;
    return order;
  }

  function fileMatches(r, needle) {
    var src = r[SOURCES];
    for (var j = 0; j < src.length; j++) {
      if (s(src[j][F_FILE]).toLowerCase().indexOf(needle) >= 0 ||
          s(src[j][F_TITLE]).toLowerCase().indexOf(needle) >= 0 ||
          s(src[j][F_KEY]).toLowerCase().indexOf(needle) >= 0) { return true; }
    }
    return false;
  }

  function filtered() {
    var base = sortedLinks(), out = [];
    var q = state.search.trim().toLowerCase(), fq = state.file.trim().toLowerCase();
    if (q && !hay) { hay = new Array(N); }
    for (var k = 0; k < base.length; k++) {
      var i = base[k], r = L[i];
      if (state.outcome) {
        if (state.outcome === "not_ok") { if (s(r[OUTCOME]) === "ok") { continue; } }
        else if (s(r[OUTCOME]) !== state.outcome) { continue; }
      }
      if (state.severity && s(r[SEV]) !== state.severity) { continue; }
      if (state.reason && s(r[REASON]) !== state.reason) { continue; }
      if (state.kind && s(r[KIND]) !== state.kind) { continue; }
      if (state.host && s(r[HOST]) !== state.host) { continue; }
      if (state.history && hist[i] !== state.history) { continue; }
      if (fq && !fileMatches(r, fq)) { continue; }
      if (q) {
        if (hay[i] === undefined) { hay[i] = haystack(i); }
        if (hay[i].indexOf(q) < 0) { continue; }
      }
      out.push(i);
    }
    return out;
  }

  // ------------------------------------------------------------------ articles
  function articles(links) {
    var groups = {}, list = [], fq = state.file.trim().toLowerCase();
    for (var k = 0; k < links.length; k++) {
      var i = links[k], src = L[i][SOURCES], seen = {};
      for (var j = 0; j < src.length; j++) {
        var c = src[j], f = c[F_FILE];
        if (fq && s(f).toLowerCase().indexOf(fq) < 0 && s(c[F_TITLE]).toLowerCase().indexOf(fq) < 0 &&
            s(c[F_KEY]).toLowerCase().indexOf(fq) < 0) { continue; }
        var g = groups[f];
        if (!g) {
          g = groups[f] = { file: f, title: c[F_TITLE], key: c[F_KEY], links: [], cites: [],
            broken: 0, warning: 0, worst: SEVERITIES.length };
          list.push(g);
        }
        g.cites.push([i, j]);
        if (!seen[f]) {
          seen[f] = true;
          g.links.push(i);
          if (sevRank[i] < g.worst) { g.worst = sevRank[i]; }
        }
        if (c[F_BROKEN]) { g.broken++; } else if (s(L[i][OUTCOME]) === "warning") { g.warning++; }
      }
    }
    var dir = state.sortDir, key = state.sortKey;
    var by = {
      severity: function (a, b) { return a.worst - b.worst || b.broken - a.broken; },
      title: function (a, b) { return cmpStr(s(a.title), s(b.title)); },
      file: function (a, b) { return cmpStr(s(a.file), s(b.file)); },
      links: function (a, b) { return a.links.length - b.links.length; },
      broken: function (a, b) { return a.broken - b.broken; },
      warning: function (a, b) { return a.warning - b.warning; }
    }[key] || function () { return 0; };
    list.sort(function (a, b) { return dir * by(a, b) || cmpStr(s(a.file), s(b.file)); });
    return list;
  }

  // ------------------------------------------------------------------ rendering
  function sizeText(w, h) {
    if ((w === null || w === undefined) && (h === null || h === undefined)) { return "—"; }
    return (w === null || w === undefined ? "?" : String(w)) + "×" + (h === null || h === undefined ? "?" : String(h));
  }
  function verdictNode(c) {
    if (c[F_PROBLEM] != null) { return el("span", "size-bad", s(c[F_PROBLEM])); }
    if (c[F_MATCH] === 1) { return el("span", "size-ok", "matches"); }
    if (c[F_MATCH] === 0 && c[F_ASPECT] === 1) { return el("span", "size-resized", "resized copy (same shape)"); }
    if (c[F_MATCH] === 0) { return el("span", "size-bad", "wrong shape"); }
    return el("span", null, "—");
  }
  function realSize(r) {
    var im = r[IMAGE];
    if (!im) { return "—"; }
    var t = sizeText(im[1], im[2]);
    if (im[3] != null && (im[3] !== im[1] || im[4] !== im[2])) { t += " (shown " + sizeText(im[3], im[4]) + ")"; }
    return t;
  }

  function kv(dl, label, value) {
    if (value === null || value === undefined || value === "") { return; }
    add(dl, el("dt", null, label), add(el("dd"), typeof value === "string" ? el("span", null, value) : value));
  }

  function detailNode(i) {
    var r = L[i], box = el("div"), dl = el("dl", "kv");
    kv(dl, "Detail", s(r[DETAIL]));
    if (r[FINAL] != null) { kv(dl, "Final URL", urlNode(r[FINAL])); }
    if (r[REPLACE]) { kv(dl, "Update to", urlNode(r[REPLACE])); }
    if (r[REDIRECTS]) {
      var ol = el("ol", "chain");
      for (var h = 0; h < r[REDIRECTS].length; h++) {
        add(ol, add(el("li"), urlNode(r[REDIRECTS][h][0]), " → " + (r[REDIRECTS][h][1] || "?")));
      }
      add(ol, add(el("li"), urlNode(r[FINAL] == null ? r[URL] : r[FINAL]), r[STATUS] ? " → " + r[STATUS] : ""));
      kv(dl, "Redirects", ol);
    }
    var im = r[IMAGE];
    if (im) {
      kv(dl, "Image", (s(im[0]) || "unknown format") + ", " + realSize(r) + ", " + fmt(im[5]) + " bytes read" + (im[6] != null ? " — " + s(im[6]) : ""));
    }
    var hs = r[HISTORY];
    if (hs) {
      kv(dl, "History", s(hs[0]).replace(/_/g, " ") + "; first seen " + s(hs[1]) +
        (hs[2] != null ? "; broken since " + s(hs[2]) + " (" + hs[3] + " runs)" : "") + (hs[4] != null ? "; last ok " + s(hs[4]) : ""));
    }
    kv(dl, "Checked", s(r[CHECKED]) + (r[CACHED] ? " (reused from an earlier run)" : "") +
      (r[ATTEMPTS] > 1 ? "; " + r[ATTEMPTS] + " attempts" : ""));
    add(box, dl);
    var t = el("table", "sources"), head = el("tr");
    var isImage = !!im || r[SOURCES].some(function (c) { return c[F_DW] != null || c[F_MATCH] != null; });
    var spelled = r[SOURCES].some(function (c) { return c[F_TEXT] != null; });
    var cols = ["File", "Line", "Field"];
    if (isImage) { cols = cols.concat(["Declared size", "Real size", "Size verdict"]); }
    cols.push("Article");
    if (spelled) { cols.push("As written"); }
    cols.forEach(function (c) { add(head, add(el("th", null, c))).lastChild.scope = "col"; });
    add(t, el("caption", null, "Where this link is cited"), add(el("thead"), head));
    var body = el("tbody");
    r[SOURCES].forEach(function (c) {
      var tr = add(el("tr"), el("td", "path", s(c[F_FILE])), el("td", "num", c[F_LINE]), el("td", null, s(c[F_FIELD])));
      if (isImage) {
        add(tr, el("td", c[F_MATCH] === 0 ? "size-bad" : null, sizeText(c[F_DW], c[F_DH])),
          el("td", null, realSize(r)), add(el("td"), verdictNode(c)));
      }
      var article = add(el("td"), el("span", null, s(c[F_TITLE])));
      if (c[F_KEY] != null && c[F_KEY] !== c[F_TITLE]) { add(article, el("span", "sub", s(c[F_KEY]))); }
      add(tr, article);
      if (spelled) { add(tr, el("td", "url", c[F_TEXT] == null ? "" : c[F_TEXT])); }
      add(body, tr);
    });
    add(t, body);
    return add(box, t);
  }

  function toggleButton(id, label) {
    var b = el("button", "toggle", state.open[id] ? "−" : "+");
    b.type = "button";
    b.setAttribute("aria-expanded", state.open[id] ? "true" : "false");
    b.setAttribute("aria-label", (state.open[id] ? "Hide details of " : "Show details of ") + label);
    b.addEventListener("click", function () {
      if (state.open[id]) { delete state.open[id]; } else { state.open[id] = true; }
      render(false);
      var again = document.querySelector('[data-toggle="' + id + '"]');
      if (again) { again.focus(); }
    });
    b.setAttribute("data-toggle", id);
    return b;
  }

  function fileCell(r) {
    var src = r[SOURCES], td = el("td", "path", src.length ? s(src[0][F_FILE]) : "");
    if (src.length > 1) { add(td, el("span", "sub", "+" + (src.length - 1) + " more")); }
    return td;
  }

  function linkRow(i, extra) {
    var r = L[i], out = s(r[OUTCOME]);
    var tr = el("tr", "row o-row-" + out);
    tr.setAttribute("data-link", String(i));
    var urlCell = add(el("td", "url"), urlNode(r[URL]));
    if (r[DETAIL] != null) { add(urlCell, el("span", "sub", s(r[DETAIL]))); }
    if (r[REPLACE]) { add(urlCell, add(el("span", "sub"), "update to ", urlNode(r[REPLACE]))); }
    if (r[IMAGE] && r[DETAIL] == null && r[IMAGE][1] != null) {
      var mism = r[SOURCES].filter(function (c) { return c[F_MATCH] === 0; });
      var txt = "real " + realSize(r);
      if (mism.length) { txt = "declared " + sizeText(mism[0][F_DW], mism[0][F_DH]) + " vs " + txt; }
      add(urlCell, el("span", "sub", txt));
    }
    add(tr, add(el("td"), toggleButton("l" + i, r[URL])),
      add(el("td"), badge("s", s(r[SEV]))), add(el("td"), badge("o", out)),
      el("td", null, s(r[REASON]).replace(/_/g, " ")), el("td", "num", r[STATUS]),
      el("td", null, s(r[KIND])), urlCell, el("td", null, s(r[HOST])), fileCell(r),
      el("td", "num", r[SOURCES].length), el("td", null, hist[i].replace(/_/g, " ")));
    if (extra) { add(tr, extra); }
    return tr;
  }

  function header(columns) {
    var tr = el("tr");
    add(tr, add(el("th"), el("span", "sub", "Details")));
    columns.forEach(function (c) {
      var th = el("th");
      th.scope = "col";
      var b = el("button", null, c.label);
      b.type = "button";
      b.setAttribute("data-sort", c.key);
      th.setAttribute("aria-sort", state.sortKey === c.key ? (state.sortDir > 0 ? "ascending" : "descending") : "none");
      b.addEventListener("click", function () {
        if (state.sortKey === c.key) { state.sortDir = -state.sortDir; } else { state.sortKey = c.key; state.sortDir = c.num ? -1 : 1; }
        state.page = 0;
        render(true);
        var again = document.querySelector('th button[data-sort="' + c.key + '"]');
        if (again) { again.focus(); }
      });
      add(tr, add(th, b));
    });
    return tr;
  }

  var lastRows = [];
  function render(refilter) {
    var links = filtered();
    var byArticle = state.group === "article";
    var rows = byArticle ? articles(links) : links;
    lastRows = rows;
    var pages = Math.max(1, Math.ceil(rows.length / state.size));
    state.page = Math.max(0, Math.min(state.page, pages - 1));
    var from = state.page * state.size, to = Math.min(rows.length, from + state.size);
    var table = $("results"), thead = table.tHead, tbody = table.tBodies[0];
    var columns = byArticle ? ARTICLE_COLUMNS : LINK_COLUMNS;
    thead.replaceChildren(header(columns));
    var frag = document.createDocumentFragment();
    for (var k = from; k < to; k++) {
      if (byArticle) { articleRows(rows[k], frag, columns.length + 1); }
      else {
        var i = rows[k];
        frag.appendChild(linkRow(i));
        if (state.open["l" + i]) {
          var d = el("tr", "detail"), td = el("td");
          td.colSpan = columns.length + 1;
          frag.appendChild(add(d, add(td, detailNode(i))));
        }
      }
    }
    tbody.replaceChildren(frag);
    var what = byArticle ? "articles" : "links";
    var count = $("match-count");
    count.setAttribute("data-count", String(rows.length));
    count.setAttribute("data-links", String(links.length));
    count.setAttribute("data-search", state.search);  // what this render applied (for tests)
    count.setAttribute("data-file", state.file);
    count.textContent = rows.length ? "Showing " + fmt(from + 1) + "–" + fmt(to) + " of " + fmt(rows.length) + " " + what +
      (byArticle ? " (" + fmt(links.length) + " links)" : "") + (links.length < N ? ", filtered from " + fmt(N) + " links" : "")
      : "No " + what + " match these filters.";
    $("p-where").textContent = "Page " + fmt(state.page + 1) + " of " + fmt(pages);
    $("p-first").disabled = $("p-prev").disabled = state.page === 0;
    $("p-next").disabled = $("p-last").disabled = state.page >= pages - 1;
    writeHash();
    return refilter;
  }

  function articleRows(g, frag, span) {
    var id = "a" + g.file;
    var tr = el("tr", "row article");
    tr.setAttribute("data-file", s(g.file));
    var title = add(el("td"), el("span", null, s(g.title) || "(no title)"));
    if (g.key != null) { add(title, el("span", "sub", s(g.key))); }
    add(tr, add(el("td"), toggleButton(id, s(g.file))),
      add(el("td"), badge("s", SEVERITIES[g.worst] || "none")), title, el("td", "url", s(g.file)),
      el("td", "num", g.links.length), el("td", "num", g.broken), el("td", "num", g.warning));
    frag.appendChild(tr);
    if (!state.open[id]) { return; }
    var d = el("tr", "detail"), td = el("td"), t = el("table"), head = el("tr");
    td.colSpan = span;
    ["Severity", "Outcome", "Reason", "URL", "Field", "Line", "Declared", "Real", "Size verdict"].forEach(function (c) {
      add(head, el("th", null, c)).lastChild.scope = "col";
    });
    var body = el("tbody");
    g.cites.forEach(function (ij) {
      var r = L[ij[0]], c = r[SOURCES][ij[1]], img = !!r[IMAGE] || c[F_DW] != null;
      var u = add(el("td", "url"), urlNode(r[URL]));
      if (r[DETAIL] != null) { add(u, el("span", "sub", s(r[DETAIL]))); }
      add(body, add(el("tr"), add(el("td"), badge("s", s(r[SEV]))), add(el("td"), badge("o", s(r[OUTCOME]))),
        el("td", null, s(r[REASON]).replace(/_/g, " ")), u, el("td", null, s(c[F_FIELD])), el("td", "num", c[F_LINE]),
        el("td", null, img ? sizeText(c[F_DW], c[F_DH]) : ""), el("td", null, img ? realSize(r) : ""),
        add(el("td"), img ? verdictNode(c) : null)));
    });
    add(t, add(el("thead"), head), body);
    frag.appendChild(add(d, add(td, t)));
  }

  // ------------------------------------------------------------------ controls
  function allCounts() {
    var c = { outcome: {}, severity: {}, reason: {}, kind: {}, host: {}, history: {} };
    function inc(m, v) { if (v) { m[v] = (m[v] || 0) + 1; } }
    for (var i = 0; i < N; i++) {
      var r = L[i];
      inc(c.outcome, s(r[OUTCOME])); inc(c.severity, s(r[SEV])); inc(c.reason, s(r[REASON]));
      inc(c.kind, s(r[KIND])); inc(c.host, s(r[HOST])); inc(c.history, hist[i]);
    }
    return c;
  }
  function fillSelect(id, label, c, preferred) {
    var sel = $(id), keys = Object.keys(c);
    keys.sort(function (a, b) {
      return (preferred ? rank(preferred, a) - rank(preferred, b) : 0) || cmpStr(a, b);
    });
    add(sel, el("option", null, label)).lastChild.value = "";
    if (id === "f-outcome") { add(sel, el("option", null, "not ok")).lastChild.value = "not_ok"; }
    keys.forEach(function (k) {
      var o = el("option", null, k.replace(/_/g, " ") + " (" + fmt(c[k]) + ")");
      o.value = k;
      sel.appendChild(o);
    });
    return keys.length;
  }

  function totals() {
    var sm = data.summary, tr = data.triage, box = $("totals");
    function total(key, label, n, outcome) {
      var t = el(outcome ? "button" : "div", "total " + key);
      t.setAttribute("data-total", key);
      add(t, el("span", "n", fmt(n)), el("span", "l", label));
      if (outcome) {
        t.type = "button";
        t.setAttribute("aria-label", "Show only " + label.toLowerCase() + " links (" + n + ")");
        t.addEventListener("click", function () { setFilter("f-outcome", outcome); });
      }
      box.appendChild(t);
    }
    total("links", "Links", sm.unique_links);
    total("occurrences", "Citations", sm.occurrences);
    total("articles", "Articles", sm.articles);
    total("broken", "Broken", sm.outcomes.broken || 0, "broken");
    total("warning", "Warnings", sm.outcomes.warning || 0, "warning");
    total("ok", "OK", sm.outcomes.ok || 0, "ok");
    total("skipped", "Skipped", sm.outcomes.skipped || 0, "skipped");
    total("articles_affected", "Articles affected", tr.articles_affected);
    total("permanent_redirects", "Permanent redirects", tr.permanent_redirects);
    total("image_mismatches", "Image size mismatches", sm.images.mismatches);
    total("problems", "Input problems", sm.problems);
  }

  function setFilter(id, value) {
    var sel = $(id);
    sel.value = value;
    sel.dispatchEvent(new Event("change"));
    $("results").scrollIntoView();
  }

  function alerts() {
    var box = $("alerts"), run = data.run;
    if (run.interrupted) { add(box, el("p", "alert", "This run was interrupted: links not reached are reported as not checked, and the results are incomplete.")); }
    if (run.network_down) { add(box, el("p", "alert", "The network was down during this run (" + run.network_down + "): its verdicts say nothing about the links.")); }
    var h = data.summary.history;
    if (h) {
      var parts = [];
      HISTORIES.forEach(function (k) { if (h[k] && k !== "ok") { parts.push(fmt(h[k]) + " " + k.replace(/_/g, " ")); } });
      add(box, el("p", "alert info", "Since the previous run: " + (parts.length ? parts.join(", ") : "no changes") + "."));
    }
  }

  function hostsTable() {
    var t = $("hosts"), hosts = data.hosts.slice(), LIMIT = 500;
    if (!hosts.length) { $("hosts-note").textContent = "No per-host figures in this report."; return; }
    hosts.sort(function (a, b) { return (b[1] || 0) - (a[1] || 0) || cmpStr(a[0], b[0]); });
    var cols = ["Host", "Requests", "Retries", "429s", "Waited (s)", "Max in flight", "Rate (req/s)",
      "Asked rate", "Lowest rate", "Below rate (s)", "Slowed down", "Marked down", "Short-circuited"];
    var head = el("tr");
    cols.forEach(function (c) { add(head, el("th", null, c)).lastChild.scope = "col"; });
    var body = el("tbody");
    hosts.slice(0, LIMIT).forEach(function (h) {
      add(body, add(el("tr"), el("td", null, h[0]), el("td", "num", fmt(h[1])), el("td", "num", fmt(h[2])),
        el("td", "num", fmt(h[3])), el("td", "num", h[4]), el("td", "num", h[5]), el("td", "num", h[6]),
        el("td", "num", h[10]), el("td", "num", h[11]), el("td", "num", h[12]), el("td", null, h[7] ? "yes" : ""),
        el("td", null, h[8] || ""), el("td", "num", h[9] ? fmt(h[9]) : "")));
    });
    add(t, add(el("thead"), head), body);
    $("hosts-note").textContent = fmt(hosts.length) + " hosts, busiest first" +
      (hosts.length > LIMIT ? "; the first " + LIMIT + " are shown." : ".");
  }

  function problemsTable() {
    var p = data.problems;
    if (!p.length) { $("problems-section").hidden = true; return; }
    var t = $("problems"), head = el("tr"), body = el("tbody"), LIMIT = 1000;
    ["File", "Line", "Field", "Problem", "Message"].forEach(function (c) { add(head, el("th", null, c)).lastChild.scope = "col"; });
    p.slice(0, LIMIT).forEach(function (x) {
      add(body, add(el("tr"), el("td", "url", x[0]), el("td", "num", x[4]), el("td", null, x[3]),
        el("td", null, x[1].replace(/_/g, " ")), el("td", null, x[2])));
    });
    add(t, add(el("caption", "sub", fmt(p.length) + " input files or fields could not be used" +
      (p.length > LIMIT ? " (the first " + LIMIT + " are shown)" : "")), add(el("thead"), head), body));
  }

  function findingsTable() {
    var f = data.findings || [];
    if (!f.length) { $("findings-section").hidden = true; return; }
    var t = $("findings"), head = el("tr"), body = el("tbody"), LIMIT = 1000;
    ["File", "Line", "Field", "Check", "Severity", "Finding"].forEach(function (c) { add(head, el("th", null, c)).lastChild.scope = "col"; });
    f.slice(0, LIMIT).forEach(function (x) {
      add(body, add(el("tr"), el("td", "url", x[0]), el("td", "num", x[1]), el("td", null, x[2]),
        el("td", null, x[3].replace(/_/g, " ")), el("td", null, x[4]), el("td", null, x[5])));
    });
    add(t, add(el("caption", "sub", fmt(f.length) + " article-level findings about AMP pages" +
      (f.length > LIMIT ? " (the first " + LIMIT + " are shown)" : "")), add(el("thead"), head), body));
  }

  function runInfo() {
    var run = data.run, dl = $("run");
    document.title = "linkcheck report · " + run.started_at;
    var inputs = run.inputs.slice(0, 2).join(", ") + (run.inputs.length > 2 ? " and " + (run.inputs.length - 2) + " more" : "");
    $("run-line").textContent = "Run " + run.started_at + " · " + fmt(run.duration_s) + " s · " +
      inputs + (run.interrupted ? " · interrupted" : "");
    kv(dl, "Started", run.started_at);
    kv(dl, "Finished", run.finished_at);
    kv(dl, "Duration", fmt(run.duration_s) + " s");
    kv(dl, "Inputs", run.inputs.join("\n"));
    kv(dl, "Interrupted", run.interrupted ? "yes: results are incomplete" : "no");
    kv(dl, "Network down", run.network_down || "no");
    kv(dl, "Settings file", run.config_file);
    kv(dl, "State store", run.state_file);
    kv(dl, "Run id", run.run_id === null ? "" : String(run.run_id));
    kv(dl, "Fail after", run.fail_after > 1 ? run.fail_after + " runs" : "");
    Object.keys(run.options).sort().forEach(function (k) { kv(dl, k, run.options[k]); });
    $("footer").textContent = data.tool.name + " " + data.tool.version + " · report data v" + data.v;
  }

  // The filters live in the address (#outcome=broken&q=...), so a view can be bookmarked or
  // sent to someone. The hash is input like any other: values only, never markup.
  var FILTERS = ["outcome", "severity", "reason", "kind", "host", "history"];
  function readHash() {
    var h;
    try { h = new URLSearchParams(location.hash.slice(1)); } catch (e) { return; }
    FILTERS.forEach(function (k) {
      var v = h.get(k), sel = $("f-" + k);
      if (v === null) { return; }
      sel.value = v;
      if (sel.value === v) { state[k] = v; } else { sel.value = ""; }
    });
    if (h.get("q")) { state.search = $("f-search").value = h.get("q"); }
    if (h.get("file")) { state.file = $("f-file").value = h.get("file"); }
    if (h.get("group") === "article") { state.group = "article"; $("g-article").checked = true; }
    var columns = state.group === "article" ? ARTICLE_COLUMNS : LINK_COLUMNS;
    if (columns.some(function (c) { return c.key === h.get("sort"); })) { state.sortKey = h.get("sort"); }
    if (h.get("dir") === "-1") { state.sortDir = -1; }
    var size = parseInt(h.get("size"), 10);
    if ([50, 100, 250, 500].indexOf(size) >= 0) { state.size = size; $("p-size").value = String(size); }
    var page = parseInt(h.get("page"), 10);
    if (page > 1) { state.page = page - 1; }
  }
  function writeHash() {
    var p = new URLSearchParams();
    FILTERS.forEach(function (k) { if (state[k]) { p.set(k, state[k]); } });
    if (state.search) { p.set("q", state.search); }
    if (state.file) { p.set("file", state.file); }
    if (state.group !== "link") { p.set("group", state.group); }
    if (state.sortKey !== "severity" || state.sortDir !== 1) { p.set("sort", state.sortKey); p.set("dir", String(state.sortDir)); }
    if (state.size !== 100) { p.set("size", String(state.size)); }
    if (state.page > 0) { p.set("page", String(state.page + 1)); }
    var text = p.toString();
    if (text === location.hash.slice(1)) { return; }
    try { history.replaceState(null, "", text ? "#" + text : location.pathname + location.search); } catch (e) { /* a browser that refuses: the view still works */ }
  }

  var timer = null;
  function bind() {
    [["f-outcome", "outcome"], ["f-severity", "severity"], ["f-reason", "reason"], ["f-kind", "kind"],
      ["f-host", "host"], ["f-history", "history"]].forEach(function (p) {
      $(p[0]).addEventListener("change", function (e) { state[p[1]] = e.target.value; state.page = 0; render(true); });
    });
    [["f-search", "search"], ["f-file", "file"]].forEach(function (p) {
      $(p[0]).addEventListener("input", function (e) {
        state[p[1]] = e.target.value;
        state.page = 0;
        clearTimeout(timer);
        timer = setTimeout(function () { render(true); }, N > 20000 ? 250 : 80);
      });
    });
    document.querySelectorAll('input[name="group"]').forEach(function (r) {
      r.addEventListener("change", function (e) {
        state.group = e.target.value;
        state.sortKey = "severity"; state.sortDir = 1; state.page = 0;
        render(true);
      });
    });
    $("filters").addEventListener("submit", function (e) { e.preventDefault(); render(true); });
    $("f-reset").addEventListener("click", function () {
      ["f-outcome", "f-severity", "f-reason", "f-kind", "f-host", "f-history", "f-search", "f-file"].forEach(function (id) { $(id).value = ""; });
      state.search = state.outcome = state.severity = state.reason = state.kind = state.host = state.history = state.file = "";
      state.page = 0;
      render(true);
    });
    function go(page) { state.page = page; render(false); }
    $("p-first").addEventListener("click", function () { go(0); });
    $("p-prev").addEventListener("click", function () { go(Math.max(0, state.page - 1)); });
    $("p-next").addEventListener("click", function () { go(state.page + 1); });
    $("p-last").addEventListener("click", function () { go(Math.ceil(lastRows.length / state.size) - 1); });
    $("p-size").addEventListener("change", function (e) { state.size = parseInt(e.target.value, 10) || 100; state.page = 0; render(false); });
  }

  var c = allCounts();
  fillSelect("f-outcome", "All outcomes", c.outcome, OUTCOMES);
  fillSelect("f-severity", "All severities", c.severity, SEVERITIES);
  fillSelect("f-reason", "All reasons", c.reason);
  fillSelect("f-kind", "All kinds", c.kind);
  fillSelect("f-host", "All hosts", c.host);
  if (!fillSelect("f-history", "Any change", c.history, HISTORIES)) { $("f-history-field").hidden = true; }
  totals();
  alerts();
  runInfo();
  hostsTable();
  findingsTable();
  problemsTable();
  readHash();
  bind();
  render(true);
  // For tests and the benchmark: rendered, and how long after navigation started (ms).
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
})();
