// The tracking page: a "copy link" button on top of the read-only link box (which works without it).
(function () {
  "use strict";
  var button = document.getElementById("copy-link");
  var box = document.getElementById("tracking-link");
  if (!button || !box) return;
  button.hidden = false;
  box.addEventListener("focus", function () { box.select(); });
  button.addEventListener("click", function () {
    box.select();
    var done = function () { button.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(box.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
