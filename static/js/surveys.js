/* Surveys: conditional questions and one tap = one submission on the answer page. */
(function () {
  "use strict";
  var form = document.querySelector(".survey-form");
  if (form) {
    var conditional = form.querySelectorAll("[data-show-if]");
    var update = function () {
      conditional.forEach(function (block) {
        var option = form.querySelector('input[value="' + block.getAttribute("data-show-if") + '"]');
        var show = option && option.checked;
        block.hidden = !show;
        block.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
      });
      form.querySelectorAll(".other-text").forEach(function (input) {
        var box = input.previousElementSibling && input.previousElementSibling.querySelector("input[data-other]");
        input.hidden = !(box && box.checked);
      });
    };
    form.addEventListener("change", update);
    update();
    form.querySelectorAll(".condition").forEach(function (p) { p.hidden = true; });
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      if (button) { button.disabled = true; button.textContent = button.getAttribute("data-sending"); }
    });
  }
})();
