/* 楼长点点通 on the demand form: guide matters that may already answer what the resident is
   raising, fetched as a server-rendered fragment while a category is picked and the title typed. */
(function () {
  "use strict";
  var slot = document.getElementById("guide-answered");
  var form = document.querySelector("form.demand-form");
  if (!slot || !form || !window.fetch) return;
  var url = slot.getAttribute("data-url");
  var title = form.querySelector("input[name=title]");
  var timer = null;
  var last = "";

  function category() {
    var checked = form.querySelector("input[name=category]:checked");
    return checked ? checked.value : "";
  }
  function lookUp() {
    var q = title ? title.value.trim() : "";
    var key = category() + "|" + q;
    if (key === last) return;
    last = key;
    if (!category() && q.length < 2) { slot.innerHTML = ""; return; }
    fetch(url + "?category=" + encodeURIComponent(category()) + "&q=" + encodeURIComponent(q),
          { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (key === last) slot.innerHTML = html; })
      .catch(function () { /* the form works without it */ });
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "category") lookUp();
  });
  if (title) {
    title.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookUp, 400); });
  }
  lookUp();
})();
