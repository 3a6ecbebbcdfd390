/* Dates in the page's language, not the browser's (issue 20): a browser draws <input type="date"> in its own
   locale (a Turkish page in an English browser asked for mm/dd/yyyy). Each date field becomes a text field in the
   language's pattern (the <body> element's data-date-pattern, e.g. dd.MM.yyyy; its example as a hint), which also
   takes an ISO date (2024-03-05). What the form sends is the ISO date the server reads and checks as before: the
   field's own text is rewritten in the form's data only (the formdata event); a text that is no date stops the
   submit with the page's message. Without script the browser's own date field stays. */
(function () {
  "use strict";
  var root = document.body;
  var pattern = root.getAttribute("data-date-pattern");
  if (!pattern) return;
  var hint = root.getAttribute("data-date-hint") || "";
  var wrong = root.getAttribute("data-date-error") || "";
  var parts = pattern.match(/[dMy]+|[^dMy]+/g);
  function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }
  function show(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) return iso || "";
    return parts.map(function (p) {
      return p[0] === "y" ? m[1] : p[0] === "M" ? m[2] : p[0] === "d" ? m[3] : p;
    }).join("");
  }
  function real(y, mo, d) {
    var t = new Date(Date.UTC(y, mo - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
  }
  /* the ISO date of a typed text; "" for none; null when it is no date */
  function iso(text) {
    text = text.trim();
    if (!text) return "";
    var m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
    var y, mo, d;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else {
      var numbers = text.split(/[^0-9]+/).filter(Boolean);
      var order = parts.filter(function (p) { return /^[dMy]/.test(p); });
      if (numbers.length !== 3 || order.length !== 3) return null;
      for (var i = 0; i < 3; i++) {
        var v = +numbers[i];
        if (order[i][0] === "y") { if (numbers[i].length !== 4) return null; y = v; }
        else if (order[i][0] === "M") mo = v; else d = v;
      }
    }
    if (!real(y, mo, d)) return null;
    return pad(y, 4) + "-" + pad(mo, 2) + "-" + pad(d, 2);
  }
  function check(field) {
    field.setCustomValidity(iso(field.value) === null ? wrong : "");
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[type=date]"), function (field) {
    var value = field.value;
    field.type = "text";
    field.value = show(value);
    field.setAttribute("data-date", "");
    field.setAttribute("inputmode", "numeric");
    field.setAttribute("autocomplete", "off");
    field.setAttribute("size", "11");
    if (!field.placeholder) field.placeholder = hint;
    if (!field.title) field.title = hint;
    field.addEventListener("input", function () { check(field); });
    check(field);
  });
  document.addEventListener("formdata", function (event) {
    Array.prototype.forEach.call(event.target.querySelectorAll("input[data-date][name]"), function (field) {
      var value = iso(field.value);
      if (value !== null && !field.disabled) event.formData.set(field.name, value);
    });
  }, true);
})();
