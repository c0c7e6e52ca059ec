/* The lobby screen: polls its feed every 2.5 s with If-None-Match, keeps the last state when the
   server or network is gone (and says since when), recovers by itself, pages long lists. No deps. */
(function () {
  "use strict";
  var POLL_MS = 2500, PAGE_MS = 12000, TIMEOUT_MS = 5000, FRESH_MS = 60000;
  var body = document.body;
  var feedUrl = body.getAttribute("data-feed");
  var labels = JSON.parse(document.getElementById("screen-labels").textContent);
  var state = JSON.parse(document.getElementById("screen-initial").textContent);
  var etag = null, lastOk = new Date(), failures = 0, page = 0, seen = {}, freshUntil = {};
  var list = document.getElementById("s-demands");
  var locale = (body.getAttribute("data-lang") || "zh-hans").indexOf("zh") === 0 ? "zh-CN" : "en-GB";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text; // text only: never HTML from data
    return node;
  }
  // The district's clock, whatever zone the screen's device is set to (a screen left on UTC showed 15:00
  // while the cards said 23:00).
  var ZONE = "Asia/Shanghai";
  function hhmmss(d) { return d.toLocaleTimeString(locale, { hour12: false, timeZone: ZONE }); }
  function fmt(s, values) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; }); }

  function tick() {
    var now = new Date();
    document.getElementById("s-time").textContent = now.toLocaleTimeString(locale, { hour12: false, hour: "2-digit", minute: "2-digit", timeZone: ZONE });
    document.getElementById("s-date").textContent = now.toLocaleDateString(locale, { year: "numeric", month: "long", day: "numeric", weekday: "long", timeZone: ZONE });
  }

  function card(d) {
    var li = el("li", "card st-" + d.status);
    li.setAttribute("data-id", d.id);
    var meta = el("div", "meta");
    meta.appendChild(el("span", "cat", (d.icon ? d.icon + " " : "") + d.category));
    if (body.classList.contains("screen-area")) meta.appendChild(el("span", "bld", d.building));
    meta.appendChild(el("span", "co", d.company));
    if (d.support_count) meta.appendChild(el("span", "sup", "+" + d.support_count + " " + labels.supports));
    li.appendChild(meta);
    li.appendChild(el("div", "title", d.title));
    var steps = el("ol", "steps");
    state.steps.forEach(function (label, i) {
      var cls = i <= d.step ? "done" : "";
      if (i === d.step) cls += " current";
      steps.appendChild(el("li", cls, label));
    });
    li.appendChild(steps);
    var latest = d.latest ? d.latest.label + (d.latest.note ? "：" + d.latest.note : "") : "";
    if (d.outcome) latest = d.outcome + " · " + latest;
    li.appendChild(el("div", "latest", latest));
    if (freshUntil[d.id] && freshUntil[d.id] > Date.now()) li.classList.add("fresh");
    return li;
  }

  function perPage() {
    var area = list.parentNode;
    var u = parseFloat(getComputedStyle(body).fontSize);
    var cols = area.clientWidth > 40 * u ? 2 : 1;
    list.style.setProperty("--cols", cols);
    var gap = 0.5 * u, rows = Math.max(1, Math.floor((area.clientHeight + gap) / (6.2 * u + gap)));
    // Stretch the rows to fill the height: no empty band at the bottom of the TV.
    list.style.gridAutoRows = Math.floor((area.clientHeight - (rows - 1) * gap) / rows) + "px";
    return cols * rows;
  }

  function showPage() {
    var items = list.children, n = perPage(), pages = Math.max(1, Math.ceil(items.length / n));
    if (page >= pages) page = 0;
    for (var i = 0; i < items.length; i++) items[i].hidden = Math.floor(i / n) !== page;
    document.getElementById("s-page").textContent = pages > 1 ? fmt(labels.page, { page: page + 1, pages: pages }) : "";
  }

  function render(first) {
    ["received", "resolved", "in_progress", "this_month"].forEach(function (k) {
      document.getElementById("f-" + k).textContent = state.figures[k];
    });
    var changed = false;
    state.demands.forEach(function (d) {
      var key = d.updated_at + "|" + (d.latest ? d.latest.at : "") + "|" + d.support_count;
      if (!first && seen[d.id] !== key) { freshUntil[d.id] = Date.now() + FRESH_MS; changed = true; }
      seen[d.id] = key;
    });
    list.textContent = "";
    state.demands.forEach(function (d) { list.appendChild(card(d)); });
    document.getElementById("s-empty").hidden = state.demands.length > 0;
    var tbody = document.getElementById("s-buildings");
    if (tbody && state.buildings) {
      tbody.textContent = "";
      state.buildings.forEach(function (b) {
        var tr = el("tr");
        [b.name, b.received, b.resolved, b.in_progress].forEach(function (v) { tr.appendChild(el("td", "", v)); });
        tbody.appendChild(tr);
      });
    }
    renderPanels();
    if (changed) page = 0; // what just moved is on the first page
    showPage();
  }

  // Panels that feature packages add to the feed (buildings.panels): surveys with their QR code,
  // elections' turnout, projects' progress. One generic card each; text only, never HTML.
  function panelCard(p) {
    var box = el("section", "panel panel-" + (p.kind || "other"));
    box.setAttribute("data-key", p.key || "");
    var head = el("div", "p-head");
    var words = el("div", "p-words");
    words.appendChild(el("h2", "p-title", p.title));
    if (p.subtitle) words.appendChild(el("p", "p-sub", p.subtitle));
    head.appendChild(words);
    if (p.qr) {
      var img = el("img", "p-qr");
      img.src = p.qr;
      img.alt = "";
      head.appendChild(img);
    }
    box.appendChild(head);
    (p.rows || []).forEach(function (r) {
      var row = el("div", "p-row");
      row.appendChild(el("span", "p-label", r.label));
      row.appendChild(el("span", "p-value", r.value));
      if (r.progress !== null && r.progress !== undefined) {
        var bar = el("div", "p-bar");
        var fill = el("i");
        fill.style.width = Math.max(0, Math.min(100, Number(r.progress) || 0)) + "%";
        bar.appendChild(fill);
        row.appendChild(bar);
      }
      box.appendChild(row);
    });
    return box;
  }

  function renderPanels() {
    var aside = document.getElementById("s-panels");
    if (!aside) return;
    var panels = state.panels || [];
    aside.textContent = "";
    panels.forEach(function (p) { aside.appendChild(panelCard(p)); });
    aside.hidden = panels.length === 0;
  }

  function setStatus() {
    var status = document.getElementById("s-status");
    if (failures > 0) {
      status.classList.add("offline");
      status.textContent = fmt(labels.offline, { time: hhmmss(lastOk) });
    } else {
      status.classList.remove("offline");
      status.textContent = labels.updated + " " + hhmmss(lastOk);
    }
    body.setAttribute("data-online", failures > 0 ? "0" : "1");
  }

  function poll() {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, TIMEOUT_MS);
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(feedUrl, { headers: headers, cache: "no-store", credentials: "omit", signal: ctrl ? ctrl.signal : undefined })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error("HTTP " + r.status);
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) {
        clearTimeout(timer);
        failures = 0;
        lastOk = new Date();
        if (data) { state = data; render(false); }
        setStatus();
        setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        clearTimeout(timer);
        failures += 1;
        setStatus();
        // Back off to at most 15 s while the server is away; keep showing the last state.
        setTimeout(poll, Math.min(15000, POLL_MS * failures));
      });
  }

  tick();
  setInterval(tick, 1000);
  render(true);
  setStatus();
  setInterval(function () { page += 1; showPage(); }, PAGE_MS);
  window.addEventListener("resize", showPage);
  setTimeout(poll, POLL_MS);
})();
