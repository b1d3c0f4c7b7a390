(function () {
  "use strict";
  // The report's decision controls, saved to the workspace: report.js announces each change with a
  // "pr-decision" event; this sends it and adds the saved entry to the history.
  var data = JSON.parse(document.getElementById("pr-data").textContent);
  var note = document.getElementById("storage-note");
  var rows = document.getElementById("history-rows");
  var elements = {};
  data.elements.forEach(function (element) { elements[element.id] = element; });

  function addRow(saved) {
    var row = document.createElement("tr");
    var cells = [saved.at.replace("T", " ").slice(0, 19), saved.reviewer, saved.element,
      data.labels[saved.decision] || "No decision", saved.note, saved.source];
    cells.forEach(function (text, index) {
      var cell = document.createElement("td");
      if (index === 2) { cell.className = "mono"; }
      cell.textContent = text;
      row.appendChild(cell);
    });
    rows.insertBefore(row, rows.firstChild);
  }

  document.addEventListener("pr-decision", function (event) {
    var element = elements[event.target.id];
    if (!element) { return; }
    var entry = event.detail || {};
    note.textContent = "Saving " + element.element + "…";
    fetch(data.api + encodeURIComponent(element.element), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": data.csrf },
      body: JSON.stringify({ checklist: element.checklist, decision: entry.decision || "", note: entry.note || "" })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || response.statusText); }
        return body;
      });
    }).then(function (saved) {
      note.textContent = "Saved " + saved.element + " (" + (data.labels[saved.decision] || "no decision") + ") for " + saved.reviewer + ".";
      addRow(saved);
    }).catch(function (err) {
      note.textContent = "Not saved: " + err.message + ". Change it again to retry.";
    });
  });
})();
