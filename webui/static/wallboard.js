/* Callbox wallboard: fills the page from the server-sent events of <body data-events> (webui/wallboard.py; each
   message is appliance/callcentre/live.py board() as JSON) and counts the waits and the time in each state every
   second in between, from the "since" times and the server's clock (the offset to this screen's is kept). */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("wb-labels").textContent);
  var lang = labels.locale || document.documentElement.lang || "en";
  var num = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
  var offset = 0;            // server seconds - this screen's seconds
  var board = null;

  function now() { return Date.now() / 1000 + offset; }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }

  function text(el, value) { if (el.textContent !== value) { el.textContent = value; } }

  function grade(el, g) {
    el.classList.remove("ok", "warn", "bad");
    if (g) { el.classList.add(g); }
  }

  function waitGrade(seconds) {
    var t = board.targets.wait_warn_s;
    return seconds <= t ? "ok" : seconds <= 1.5 * t ? "warn" : "bad";
  }

  function tick() {
    var t = now();
    text(document.getElementById("wb-clock"), new Date(t * 1000).toLocaleTimeString(lang));
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var seconds = t - Number(el.getAttribute("data-since"));
      text(el, duration(seconds));
      if (el.hasAttribute("data-wait")) { grade(el, waitGrade(seconds)); }
    });
  }

  function queues(rows) {
    var box = document.getElementById("wb-queues");
    var tpl = document.getElementById("wb-queue");
    box.textContent = "";
    rows.forEach(function (q) {
      var tile = tpl.content.firstElementChild.cloneNode(true);
      var f = function (name) { return tile.querySelector("[data-f='" + name + "']"); };
      tile.setAttribute("data-queue", q.queue);
      text(f("queue"), q.queue);
      text(f("waiting"), num.format(q.waiting));
      var longest = f("longest");
      if (q.longest_since === null) {
        text(longest, "–");
      } else {
        longest.setAttribute("data-since", q.longest_since);
        longest.setAttribute("data-wait", "");
      }
      text(f("offered"), num.format(q.offered));
      text(f("answered"), num.format(q.answered));
      text(f("service_level_pct"), q.service_level_pct === null ? "–" : num.format(q.service_level_pct) + " %");
      text(f("asa_s"), q.asa_s === null ? "–" : duration(Math.round(q.asa_s)));
      text(f("lost_pct"), q.lost_pct === null ? "–" : num.format(q.lost_pct) + " %");
      ["service_level_pct", "asa_s", "lost_pct"].forEach(function (m) { grade(f(m), q.grade[m]); });
      box.appendChild(tile);
    });
  }

  function agents(rows, states) {
    var body = document.getElementById("wb-agents");
    body.textContent = "";
    rows.forEach(function (a) {
      var tr = document.createElement("tr");
      tr.className = "state-" + a.state;
      tr.setAttribute("data-agent", a.agent);
      var who = a.name ? a.name + " (" + a.agent + ")" : a.agent;
      if (a.branch) {      // a branch box's agent on a central
        tr.setAttribute("data-box", a.branch);
        who = a.box + " · " + who;
      }
      [who, labels.states[a.state] + (a.reason ? " (" + a.reason + ")" : ""), ""].forEach(function (v, i) {
        var td = document.createElement("td");
        td.textContent = v;
        if (i === 2) { td.setAttribute("data-since", a.since); }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var box = document.getElementById("wb-states");
    box.textContent = "";
    Object.keys(labels.states).forEach(function (s) {
      var span = document.createElement("span");
      span.className = "pill state-" + s;
      span.textContent = labels.states[s] + " " + num.format((states || {})[s] || 0);
      box.appendChild(span);
    });
  }

  function alert(message) {
    var el = document.getElementById("wb-alert");
    el.hidden = !message;
    text(el, message || "");
  }

  function show(doc) {
    board = doc;
    offset = doc.now - Date.now() / 1000;
    if (doc.no_data) { alert(labels.no_data); return; }
    alert(doc.clock_ahead_s ? labels.clock.replace("{seconds}", num.format(doc.clock_ahead_s)) : "");
    queues(doc.queues);
    agents(doc.agents, doc.states);
    tick();
  }

  var status = document.getElementById("wb-status");
  var source = new EventSource(document.body.getAttribute("data-events"));
  source.onopen = function () { text(status, labels.live); grade(status, "ok"); };
  source.onerror = function () { text(status, labels.reconnecting); grade(status, "warn"); };
  source.onmessage = function (e) { show(JSON.parse(e.data)); document.body.setAttribute("data-updated", Date.now()); };
  source.addEventListener("revoked", function () {
    source.close();
    alert(labels.revoked);
    text(status, "");
    document.getElementById("wb-queues").textContent = "";
    document.getElementById("wb-agents").textContent = "";
  });
  setInterval(tick, 1000);
}());
