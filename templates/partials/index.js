(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");
  var table = document.getElementById("queue");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-rank]"));
  var form = document.getElementById("filters");
  var count = document.getElementById("filter-count");

  function applyFilters() {
    var words = form.elements["q"].value.toLowerCase().split(/\s+/).filter(Boolean);
    var kind = form.elements["kind"].value;
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var visible = words.every(function (word) { return text.indexOf(word) !== -1; }) &&
        (kind === "" ||
         (kind === "error" && row.classList.contains("error")) ||
         (kind === "critical" && Number(row.getAttribute("data-critical")) > 0) ||
         (kind === "flags" && Number(row.getAttribute("data-flags")) > 0) ||
         (kind === "off_topic" && row.getAttribute("data-status") === "off_topic") ||
         (kind === "duplicate" && (row.getAttribute("data-status") === "duplicate" || row.getAttribute("data-copy") === "yes")) ||
         (kind === "decided" && row.getAttribute("data-decisions") !== ""));
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " submissions.";
  }

  // Numeric columns sort with failed rows last whatever the direction: they have no counts.
  function sortBy(header) {
    var key = header.getAttribute("data-key");
    var numeric = header.getAttribute("data-numeric") === "yes";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    if (!header.hasAttribute("aria-sort") && numeric && key !== "rank") { ascending = false; }
    var headers = table.tHead.querySelectorAll("th[data-key]");
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var direction = ascending ? 1 : -1;
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-" + key);
      var y = b.getAttribute("data-" + key);
      var order;
      if (numeric) {
        if (x === "" || y === "") { return (x === "") - (y === "") || rankOrder(a, b); }
        order = Number(x) - Number(y);
      } else {
        order = x.localeCompare(y);
      }
      return order * direction || rankOrder(a, b);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function rankOrder(a, b) { return Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank")); }

  var buttons = table.tHead.querySelectorAll("button.sort");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (event) { sortBy(event.target.closest("th")); });
  }
  form.addEventListener("input", applyFilters);
  form.addEventListener("change", applyFilters);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  applyFilters();

  // A report's "next document" link arrives as index.html#after=REPORT: open the report of the
  // next analysed submission in rank order (copies skipped), so the links in reports never go
  // stale when the ranking changes.
  function openNext() {
    var match = /^#after=(.*)$/.exec(window.location.hash);
    if (!match) { return; }
    var current = decodeURIComponent(match[1]);
    var ranked = rows.slice().sort(rankOrder);
    var seen = false;
    for (var i = 0; i < ranked.length; i++) {
      var href = ranked[i].getAttribute("data-href");
      if (seen && href && ranked[i].getAttribute("data-status") === "analysed") {
        window.location.replace(href);
        return;
      }
      if (href && decodeURIComponent(href) === current) { seen = true; }
    }
    document.getElementById("queue-end").hidden = false;
  }
  openNext();
  window.addEventListener("hashchange", openNext);
})();
