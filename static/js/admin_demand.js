// The demand's admin page: picking a response template fills the note with its text.
(function () {
  "use strict";
  var pick = document.getElementById("response-template");
  if (!pick) return;
  pick.addEventListener("change", function () {
    var option = pick.options[pick.selectedIndex];
    if (option && option.dataset.body) document.querySelector("#note-form textarea").value = option.dataset.body;
  });
})();
