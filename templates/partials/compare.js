(function () {
  "use strict";
  document.documentElement.className = "js";
  var select = document.getElementById("f-change");
  var count = document.getElementById("f-count");
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.el"));
  function apply() {
    var wanted = select.value, shown = 0;
    cards.forEach(function (card) {
      var change = card.getAttribute("data-change");
      var reworded = card.getAttribute("data-reworded") === "yes";
      var show = wanted === "all" ||
        (wanted === "changed" && (change !== "unchanged" || reworded)) ||
        (wanted === "reworded" && reworded) || wanted === change;
      card.hidden = !show;
      if (show) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " elements shown";
  }
  select.addEventListener("change", apply);
  apply();
})();
