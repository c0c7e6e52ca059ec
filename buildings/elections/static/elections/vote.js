// The slip's QR code carries the voting code in the URL fragment (#c=...), which the browser never
// sends to the server: fill it into the form and drop it from the address bar and history.
(function () {
  var field = document.getElementById("id_code");
  var match = /[#&]c=([A-Za-z0-9-]+)/.exec(window.location.hash);
  if (field && match && !field.value) { field.value = match[1]; }
  if (match && window.history.replaceState) { window.history.replaceState(null, "", window.location.pathname); }
  // No more ticks than seats.
  var ballot = document.querySelector(".ballot[data-seats]");
  if (ballot) {
    var seats = parseInt(ballot.getAttribute("data-seats"), 10);
    var boxes = ballot.querySelectorAll("input[type=checkbox]");
    var sync = function () {
      var ticked = ballot.querySelectorAll("input:checked").length;
      boxes.forEach(function (b) { b.disabled = !b.checked && ticked >= seats; });
    };
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  }
  var copy = document.getElementById("copy-receipt");
  if (copy && navigator.clipboard) {
    copy.addEventListener("click", function () { navigator.clipboard.writeText(copy.getAttribute("data-receipt")); });
  } else if (copy) { copy.hidden = true; }
})();
