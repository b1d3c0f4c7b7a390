(function () {
  "use strict";
  // Drag-and-drop of several files, each with its own agency name, sent one by one to the API.
  document.documentElement.classList.remove("no-js");
  var form = document.getElementById("upload-form");
  var input = document.getElementById("files");
  var zone = document.getElementById("drop-zone");
  var list = document.getElementById("file-list");
  var agency = document.getElementById("agency");
  var status = document.getElementById("upload-status");
  var csrf = form.elements["csrf"].value;
  var chosen = [];

  function addFiles(files) {
    for (var i = 0; i < files.length; i++) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = files[i].name;
      var field = document.createElement("input");
      field.value = agency.value;
      field.required = true;
      field.maxLength = 200;
      field.setAttribute("aria-label", "Agency for " + files[i].name);
      field.className = "file-agency";
      var result = document.createElement("span");
      result.className = "file-result";
      item.appendChild(name);
      item.appendChild(field);
      item.appendChild(result);
      list.appendChild(item);
      chosen.push({ file: files[i], agency: field, result: result, done: false });
    }
    input.required = chosen.length === 0;
    agency.required = false;
  }

  agency.addEventListener("input", function () {
    chosen.forEach(function (entry) { if (!entry.done && !entry.touched) { entry.agency.value = agency.value; } });
  });
  list.addEventListener("input", function (event) {
    chosen.forEach(function (entry) { if (entry.agency === event.target) { entry.touched = true; } });
  });
  input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });

  function send(index) {
    if (index >= chosen.length) {
      status.textContent = "Done. ";
      var link = document.createElement("a");
      link.href = "/";
      link.textContent = "Go to the queue";
      status.appendChild(link);
      return;
    }
    var entry = chosen[index];
    if (entry.done) { send(index + 1); return; }
    var body = new FormData();
    body.append("agency", entry.agency.value);
    body.append("file", entry.file, entry.file.name);
    entry.result.textContent = "uploading…";
    fetch("/api/submissions", { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || response.statusText); }
          return data;
        });
      })
      .then(function (data) {
        entry.done = true;
        entry.result.textContent = "";
        var link = document.createElement("a");
        link.href = "/submissions/" + data.id;
        link.textContent = data.status + " (#" + data.id + ")";
        entry.result.appendChild(link);
      })
      .catch(function (err) { entry.result.textContent = "not uploaded: " + err.message; })
      .then(function () { send(index + 1); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (chosen.length === 0) { status.textContent = "Choose or drop at least one file."; return; }
    var missing = chosen.filter(function (entry) { return !entry.agency.value.trim(); });
    if (missing.length) { status.textContent = "Give an agency name for every file."; missing[0].agency.focus(); return; }
    status.textContent = "Uploading…";
    send(0);
  });
})();
