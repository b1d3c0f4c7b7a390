(function () {
  "use strict";
  // Pages showing work in progress reload themselves every data-refresh seconds until it is done.
  var holder = document.querySelector("[data-refresh]");
  var seconds = holder ? parseInt(holder.getAttribute("data-refresh"), 10) : 0;
  if (seconds > 0) {
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
