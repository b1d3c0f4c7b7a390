(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var data = JSON.parse(document.getElementById("pr-data").textContent);
  var storageKey = "policy-review:decisions:" + data.sha256;
  // One name per browser, for every report: asked at the first export, then remembered.
  var reviewerKey = "policy-review:reviewer";
  var labels = { "accept": "Accept", "reject": "Reject", "follow-up": "Needs follow-up" };
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var searchText = {};
  cards.forEach(function (card) {
    var parts = card.querySelectorAll(".searchable");
    var text = "";
    for (var i = 0; i < parts.length; i++) { text += " " + parts[i].textContent; }
    searchText[card.id] = text.replace(/\s+/g, " ").toLowerCase();
  });

  // ------------------------------------------------------------ reviewer decisions
  var storageNote = document.getElementById("storage-note");
  var storageWorks = true;
  function readStored() {
    try {
      var raw = window.localStorage.getItem(storageKey);
      return raw ? JSON.parse(raw) : null;
    } catch (err) {
      storageWorks = false;
      return null;
    }
  }
  // The review workspace keeps decisions on its server: it embeds the current ones as `imported`
  // and saves each change itself, told by a "pr-decision" event on the element's card.
  var serverBacked = data.server === true;
  var stored = serverBacked ? null : readStored();
  // Decisions typed in this browser win over ones imported from a file when both exist.
  var state = {};
  Object.keys(data.imported).forEach(function (id) { state[id] = data.imported[id]; });
  if (stored && stored.decisions) {
    Object.keys(stored.decisions).forEach(function (id) { state[id] = stored.decisions[id]; });
  }
  if (!storageWorks) {
    storageNote.textContent = "This browser does not let the page save decisions: export them before closing.";
  }

  function save(card) {
    if (serverBacked) {
      card.dispatchEvent(new CustomEvent("pr-decision", { bubbles: true, detail: state[card.id] }));
      return;
    }
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ schema: data.schema, sha256: data.sha256, decisions: state }));
    } catch (err) {
      storageNote.textContent = "Decisions could not be saved in this browser: export them before closing.";
    }
  }

  function showDecision(card) {
    var entry = state[card.id] || { decision: "", note: "" };
    var badge = card.querySelector(".decision-badge");
    var printed = card.querySelector(".decision-print");
    var label = labels[entry.decision] || "";
    badge.hidden = !label;
    badge.textContent = label ? "Reviewer: " + label : "";
    var printedText = "";
    if (label || entry.note) {
      printedText = "Reviewer decision: " + (label || "undecided") + (entry.note ? " - " + entry.note : "");
    }
    printed.textContent = printedText;
  }

  // ------------------------------------------------------------ summary after review
  // Mirrors render.py's _reading: the statuses the decisions give (data.reviewed_status) decide
  // the "not ready" line, so what the reviewer sees matches `analyze --decisions`.
  var afterBox = document.getElementById("after-review");
  function plural(n, singular) { return n + " " + singular + (n === 1 ? "" : "s"); }
  function reviewedStatus(status, decision) {
    var table = data.reviewed_status[decision];
    return (table && table[status]) || status;
  }
  function reading(total, critical, flags) {
    if (!total) { return ["No checklist elements were checked.", "caution"]; }
    var count = function (status) { return critical.filter(function (s) { return s === status; }).length; };
    var missing = count("missing"), partial = count("partial"), disputed = count("disputed");
    var flagNote = flags ? "; " + plural(flags, "red flag") + " to resolve" : "";
    if (missing) {
      return [plural(missing, "critical element") + " missing" + (partial ? ", " + partial + " only partly met" : "") +
        flagNote + "; not ready to submit.", "blocking"];
    }
    if (partial || disputed) {
      var parts = [];
      if (partial) { parts.push(plural(partial, "critical element") + " only partly met"); }
      if (disputed) { parts.push(plural(disputed, "critical verdict") + " disputed"); }
      return ["No critical element missing, but " + parts.join(" and ") + flagNote + "; revise before submitting.", "caution"];
    }
    if (flags) {
      return ["Every critical element found, but " + plural(flags, "red flag") +
        " contradict the requirements; resolve them before submitting.", "caution"];
    }
    return ["Every critical element found and no red flags; confirm the evidence below.", "clear"];
  }
  function updateAfterReview() {
    if (!afterBox) { return; }
    var decided = 0, changed = 0, critical = [];
    var counts = { found: 0, partial: 0, missing: 0, disputed: 0 };
    data.elements.forEach(function (element) {
      var decision = (state[element.id] || {}).decision || "";
      var status = reviewedStatus(element.status, decision);
      if (decision === "accept" || decision === "reject") { decided += 1; }
      if (status !== element.status) { changed += 1; }
      counts[status] += 1;
      if (element.severity === "critical") { critical.push(status); }
    });
    afterBox.hidden = decided === 0;
    document.getElementById("tool-verdict-label").hidden = decided === 0;
    if (!decided) { return; }
    var result = reading(data.elements.length, critical, data.flags);
    var line = document.getElementById("after-review-reading");
    line.className = "reading tone-" + result[1];
    line.querySelector(".text").textContent = result[0];
    document.getElementById("after-review-note").textContent = "Recomputed from " +
      plural(decided, "reviewer decision") + " (" + changed + " changed the tool's verdict): " +
      counts.found + " found, " + counts.partial + " partial, " + counts.missing + " missing" +
      (counts.disputed ? ", " + counts.disputed + " disputed" : "") +
      ". A rejected \u201cfound\u201d counts as missing, a rejected \u201cmissing\u201d as found, " +
      "a rejected \u201cpartial\u201d as disputed.";
  }

  cards.forEach(function (card) {
    var fieldset = card.querySelector("fieldset.decision");
    if (!fieldset) { return; }
    var entry = state[card.id] || { decision: "", note: "" };
    var radios = fieldset.querySelectorAll("input[type=radio]");
    for (var i = 0; i < radios.length; i++) {
      radios[i].checked = radios[i].value === (entry.decision || "");
      radios[i].addEventListener("change", function (event) {
        var current = state[card.id] || { decision: "", note: "" };
        state[card.id] = { decision: event.target.value, note: current.note || "" };
        save(card);
        showDecision(card);
        updateAfterReview();
        applyFilters();
      });
    }
    var note = fieldset.querySelector("textarea");
    note.value = entry.note || "";
    // On the server every save is a history entry, so a note is saved when it is left, not per key.
    note.addEventListener(serverBacked ? "change" : "input", function () {
      var current = state[card.id] || { decision: "", note: "" };
      state[card.id] = { decision: current.decision || "", note: note.value };
      save(card);
      showDecision(card);
    });
    showDecision(card);
  });

  var reviewerButton = document.getElementById("reviewer-name");
  function readReviewer() {
    try { return window.localStorage.getItem(reviewerKey) || ""; } catch (err) { return ""; }
  }
  var reviewer = readReviewer();
  function showReviewer() {
    if (reviewerButton) { reviewerButton.textContent = "Reviewer: " + (reviewer || "not set"); }
  }
  function askReviewer() {
    var answer = window.prompt("Your name, saved with your decisions (asked once, remembered in this browser):", reviewer);
    if (answer === null) { return false; }
    reviewer = answer.replace(/\s+/g, " ").trim();
    try { window.localStorage.setItem(reviewerKey, reviewer); } catch (err) { /* kept for this page only */ }
    showReviewer();
    return true;
  }

  function exportDecisions() {
    if (!reviewer && !askReviewer()) { return; }
    var statusById = {};
    cards.forEach(function (card) { statusById[card.id] = card.getAttribute("data-status"); });
    var items = [];
    data.elements.forEach(function (element) {
      var entry = state[element.id];
      if (!entry || (!entry.decision && !entry.note)) { return; }
      items.push({
        checklist: element.checklist,
        element: element.element,
        decision: entry.decision || "",
        note: entry.note || "",
        machine_status: statusById[element.id] || ""
      });
    });
    var payload = {
      schema: data.schema,
      document: { sha256: data.sha256, file_name: data.file_name },
      reviewer: reviewer,
      tool_version: data.tool_version,
      exported_at: new Date().toISOString(),
      decisions: items
    };
    var blob = new Blob([JSON.stringify(payload, null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = data.file_name.replace(/\.[^.]*$/, "") + ".decisions.json";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  // ------------------------------------------------------------ filters and search
  var form = document.getElementById("filters");
  var count = document.getElementById("filter-count");
  var noMatch = document.getElementById("no-match");
  var printNote = document.getElementById("print-note");

  function checkedValues(name) {
    var values = {};
    var boxes = form.querySelectorAll("input[name=" + name + "]");
    for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { values[boxes[i].value] = true; } }
    return values;
  }

  function applyFilters() {
    if (!form) { return; }
    var statuses = checkedValues("status");
    var severities = checkedValues("severity");
    var checklist = form.elements["checklist"].value;
    var decision = form.elements["decision"].value;
    var words = form.elements["q"].value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var entry = state[card.id] || {};
      var chosen = entry.decision || "none";
      var visible = statuses[card.getAttribute("data-status")] === true &&
        severities[card.getAttribute("data-severity")] === true &&
        (!checklist || card.getAttribute("data-checklist") === checklist) &&
        (!decision || decision === chosen) &&
        words.every(function (word) { return searchText[card.id].indexOf(word) !== -1; });
      card.hidden = !visible;
      if (visible) { shown += 1; }
    });
    var sections = document.querySelectorAll("section.group, section.checklist");
    for (var i = 0; i < sections.length; i++) {
      sections[i].hidden = !sections[i].querySelector("article.finding:not([hidden])");
    }
    count.textContent = "Showing " + shown + " of " + cards.length + " elements.";
    noMatch.hidden = shown !== 0 || cards.length === 0;
    printNote.hidden = shown === cards.length;
    printNote.textContent = "This printout shows " + shown + " of " + cards.length +
      " elements: the ones the filters on screen showed. Use \u201cPrint all\u201d for every element.";
  }

  // Every element, whatever the filters; the reviewer's filters come back after the dialog.
  function printAll() {
    var saved = Array.prototype.map.call(form.elements, function (field) {
      return [field, field.type === "checkbox" ? field.checked : field.value];
    });
    form.reset();
    applyFilters();
    window.print();
    saved.forEach(function (entry) {
      if (entry[0].type === "checkbox") { entry[0].checked = entry[1]; } else if ("value" in entry[0]) { entry[0].value = entry[1]; }
    });
    applyFilters();
  }

  if (form) {
    form.addEventListener("input", applyFilters);
    form.addEventListener("change", applyFilters);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.getElementById("export-decisions").addEventListener("click", exportDecisions);
    document.getElementById("print-report").addEventListener("click", function () { window.print(); });
    document.getElementById("print-all").addEventListener("click", printAll);
    reviewerButton.addEventListener("click", askReviewer);
    document.getElementById("expand-all").addEventListener("click", function () { setAll(false); });
    document.getElementById("collapse-all").addEventListener("click", function () { setAll(true); });
  }

  // ------------------------------------------------------------ expand / collapse
  function setCollapsed(card, collapsed) {
    var button = card.querySelector("button.toggle");
    card.classList.toggle("collapsed", collapsed);
    button.setAttribute("aria-expanded", collapsed ? "false" : "true");
    button.querySelector(".toggle-label").textContent = collapsed ? "Show details" : "Hide details";
  }
  function setAll(collapsed) { cards.forEach(function (card) { setCollapsed(card, collapsed); }); }
  cards.forEach(function (card) {
    var button = card.querySelector("button.toggle");
    setCollapsed(card, card.getAttribute("data-start") === "collapsed");
    button.addEventListener("click", function () {
      setCollapsed(card, !card.classList.contains("collapsed"));
    });
  });

  // ------------------------------------------------------------ jumps between element and text
  // The browser follows #links itself; this only expands the target's element and clears
  // filters that would hide it, so a jump always lands on something visible.
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var card = target.closest("article.finding");
    if (card) {
      setCollapsed(card, false);
      if (card.hidden && form) { form.reset(); applyFilters(); }
    }
    target.scrollIntoView({ block: card === target ? "start" : "center" });
    // Keyboard and screen-reader users continue from where the link led, not from the link.
    if (target.hasAttribute("tabindex")) { target.focus({ preventScroll: true }); }
  }
  window.addEventListener("hashchange", reveal);

  // When the document is a pane beside the elements (wide screens), a jump to evidence scrolls
  // only that pane, so the element being reviewed stays where it is.
  var pane = document.getElementById("document");
  function markCurrent(target) {
    var previous = document.querySelectorAll(".current");
    for (var i = 0; i < previous.length; i++) { previous[i].classList.remove("current"); }
    (target.closest("mark") || target).classList.add("current");
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link || !pane || window.getComputedStyle(pane).position !== "sticky") { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target || target === pane || !pane.contains(target)) { return; }
    event.preventDefault();
    var paneBox = pane.getBoundingClientRect();
    var visibleTop = Math.max(paneBox.top, 0);
    var visibleBottom = Math.min(paneBox.bottom, window.innerHeight);
    pane.scrollTop += target.getBoundingClientRect().top - (visibleTop + (visibleBottom - visibleTop) / 3);
    var box = target.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) { target.scrollIntoView({ block: "nearest" }); }
    markCurrent(target);
    target.focus({ preventScroll: true });
  });
  // A link to where the address already points fires no hashchange: reveal (and focus) anyway.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (link && !event.defaultPrevented && link.getAttribute("href") === window.location.hash) {
      reveal();
    }
  });

  showReviewer();
  updateAfterReview();
  applyFilters();
  reveal();
})();
