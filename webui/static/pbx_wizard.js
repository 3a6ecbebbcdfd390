/* Callbox PBX wizard (webui/admin/pbx_wizard.py): shows only the chosen link's fields, scans the serial port's baud
   rates, and every two seconds shows the lines the link brought, the driver ranking and the chosen driver's reading
   of the last records (GET /api/setup/pbx/lines). Every value goes in as text, never as HTML. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("wizard-labels").textContent);
  var driverSelect = document.getElementById("driver");
  var picked = "";          // the driver the installer picked in the ranking ("" = the best ranked)

  function cell(row, value, cls) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function fill(tbody, rows, build) {
    var fresh = document.createDocumentFragment();
    rows.forEach(function (r) { var tr = document.createElement("tr"); build(tr, r); fresh.appendChild(tr); });
    tbody.replaceChildren(fresh);
  }

  function showKind() {
    var checked = document.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "";
    document.querySelectorAll("fieldset[data-kind]").forEach(function (fs) {
      var on = fs.getAttribute("data-kind") === kind;
      fs.hidden = !on;
      fs.disabled = !on;
    });
  }

  function choose(driver) {
    picked = driver;
    driverSelect.value = driver;
    refresh();
  }

  function ports(list) {
    var datalist = document.getElementById("devices");
    while (datalist.firstChild) { datalist.removeChild(datalist.firstChild); }
    list.forEach(function (p) {
      var o = document.createElement("option");
      o.value = p.device;
      o.label = (p.description || p.path) + (p.description && p.path !== p.device ? " (" + p.path + ")" : "");
      datalist.appendChild(o);
    });
    document.getElementById("device-count").textContent = labels.ports.replace("{n}", list.length);
  }

  function render(data) {
    if (data.ports) { ports(data.ports); }
    var state = document.getElementById("capture-state");
    state.textContent = data.capture && data.capture.state === "running" && data.capture.url
      ? labels.reading.replace("{url}", data.capture.url) : labels.not_running;
    document.getElementById("line-count").textContent = data.count
      ? data.count_text : labels.waiting;
    fill(document.getElementById("raw-lines"), data.lines.slice().reverse(), function (tr, l) {
      cell(tr, l.ref, "num"); cell(tr, l.received); cell(tr, l.source);
      var code = document.createElement("code"); code.textContent = l.text; cell(tr, "").appendChild(code);
    });
    fill(document.getElementById("ranking"), data.ranking, function (tr, r) {
      var key = document.createElement("code"); key.textContent = r.driver; cell(tr, "").appendChild(key);
      cell(tr, r.name); cell(tr, Math.round(r.confidence * 100) + " %", "num");
      var b = document.createElement("button"); b.type = "button"; b.textContent = labels.use;
      b.className = "use-driver"; b.setAttribute("data-driver", r.driver);
      b.addEventListener("click", function () { choose(r.driver); });
      cell(tr, "").appendChild(b);
    });
    if (!data.ranking.length && data.count) {
      fill(document.getElementById("ranking"), [labels.none], function (tr, t) { cell(tr, t).colSpan = 4; });
    }
    document.getElementById("preview-driver").textContent = data.driver || "";
    if (data.driver && !picked && driverSelect.getAttribute("data-touched") !== "1") {
      driverSelect.value = data.driver;
    }
    var err = document.getElementById("preview-error");
    err.hidden = !data.error; err.textContent = data.error || "";
    fill(document.getElementById("preview"), data.records.slice().reverse(), function (tr, r) {
      cell(tr, r.ref, "num"); cell(tr, r.start); cell(tr, labels[r.direction] || r.direction || "");
      cell(tr, r.extension); cell(tr, r.number); cell(tr, r.duration, "num"); cell(tr, r.error || "");
      if (r.error) { tr.className = "quarantined"; }
      if (r.ignored) { tr.className = "muted"; tr.cells[6].textContent = labels.ignored; }
    });
  }

  function refresh() {
    var q = picked ? "?driver=" + encodeURIComponent(picked) : "";
    fetch("/api/setup/pbx/lines" + q, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* the next tick tries again */ });
  }

  function scan() {
    var button = document.getElementById("scan"), out = document.getElementById("scan-result");
    var body = new URLSearchParams({device: document.getElementById("device").value});
    if (button.getAttribute("data-window")) { body.set("window", button.getAttribute("data-window")); }
    button.disabled = true;
    out.textContent = labels.scanning;
    fetch("/setup/pbx/scan", {method: "POST", credentials: "same-origin", body: body,
                              headers: {"X-CSRF-Token": button.getAttribute("data-csrf"), "Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        button.disabled = false;
        if (data.error) { out.textContent = data.error; return; }
        var best = data.results[0];
        if (!best || !best.score) { out.textContent = labels.silent; return; }
        document.getElementById("baud").value = String(best.baud);
        out.textContent = labels.best.replace("{baud}", best.baud) + " (" + data.results.map(function (r) {
          return r.baud + ": " + Math.round(r.score * 100) + " %";
        }).join(", ") + ")";
        out.setAttribute("data-best", String(best.baud));
      })
      .catch(function (e) { button.disabled = false; out.textContent = String(e); });
  }

  document.querySelectorAll("input[name=kind]").forEach(function (r) { r.addEventListener("change", showKind); });
  driverSelect.addEventListener("change", function () {
    driverSelect.setAttribute("data-touched", "1"); picked = driverSelect.value; refresh();
  });
  document.getElementById("scan").addEventListener("click", scan);
  showKind();
  refresh();
  setInterval(refresh, 2000);
}());
