/* The demand form, made nicer where JavaScript runs (it works without):
   look-alike open demands while the title is typed, and one submission per tap. */
(function () {
  "use strict";
  var form = document.querySelector("form.demand-form");
  if (!form) return;
  var title = form.querySelector("input[name=title]");
  var slot = document.getElementById("similar");
  var url = form.getAttribute("data-similar-url");
  var timer = null;
  var last = "";

  function lookUp() {
    var text = title.value.trim();
    if (text === last) return;
    last = text;
    if (text.length < 2) { slot.innerHTML = ""; return; }
    fetch(url + "?title=" + encodeURIComponent(text), { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      // The fragment is rendered by the server with Django's escaping: titles arrive as text.
      .then(function (html) { if (title.value.trim() === text) slot.innerHTML = html; })
      .catch(function () { /* offline or slow: the form still works */ });
  }
  if (title && slot && url && window.fetch) {
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 350);
    });
  }

  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var button = event.submitter;  // "+1 instead" posts this form elsewhere: leave the main button be
    if (button && button.classList.contains("primary")) {
      button.setAttribute("aria-disabled", "true");
      button.textContent = button.getAttribute("data-busy-label") || button.textContent;
    }
  });
  // Back from the tracking page (bfcache): the form may be sent again with a new key only after reload.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { form.removeAttribute("data-sent"); }
  });
})();
