/* Dates and months in the page's language, not the browser's (issue 20): a browser draws <input type="date"> and
   <input type="month"> in its own locale (a Turkish page in an English browser asked for mm/dd/yyyy and showed
   "December 2026"), and a browser without a month picker showed a bare text field wanting 2026-12. Each date field
   becomes a text field in the language's pattern (the <body> element's data-date-pattern, e.g. dd.MM.yyyy; its
   example as a hint), each month field likewise (data-month-pattern, e.g. MM.yyyy); both also take the ISO form
   (2024-03-05, 2024-03). What the form sends is the ISO value the server reads and checks as before: the field's
   own text is rewritten in the form's data only (the formdata event); a text that is no date or month stops the
   submit with the page's message. Without script the browser's own field stays (a month field: the ISO pattern
   and its example as the hint, see the templates). */
(function () {
  "use strict";
  var root = document.body;
  function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }
  function real(y, mo, d) {
    var t = new Date(Date.UTC(y, mo - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
  }
  /* a kind of field: "date" (year, month, day) or "month" (year, month) in the pattern the page gives */
  function kind(name, isoForm) {
    var pattern = root.getAttribute("data-" + name + "-pattern");
    if (!pattern) return null;
    var parts = pattern.match(/[dMy]+|[^dMy]+/g);
    var order = parts.filter(function (p) { return /^[dMy]/.test(p); });
    function show(iso) {
      var m = isoForm.exec(iso || "");
      if (!m) return iso || "";
      return parts.map(function (p) {
        return p[0] === "y" ? m[1] : p[0] === "M" ? m[2] : p[0] === "d" ? m[3] : p;
      }).join("");
    }
    /* the ISO value of a typed text; "" for none; null when it is none of this kind */
    function iso(text) {
      text = text.trim();
      if (!text) return "";
      var m = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/.exec(text);
      var y, mo, d = 1;
      if (m && (m[3] === undefined) === (order.length === 2)) {
        y = +m[1]; mo = +m[2]; d = m[3] === undefined ? 1 : +m[3];
      } else {
        var numbers = text.split(/[^0-9]+/).filter(Boolean);
        if (numbers.length !== order.length) return null;
        for (var i = 0; i < order.length; i++) {
          var v = +numbers[i];
          if (order[i][0] === "y") { if (numbers[i].length !== 4) return null; y = v; }
          else if (order[i][0] === "M") mo = v; else d = v;
        }
      }
      if (!real(y, mo, d)) return null;
      return pad(y, 4) + "-" + pad(mo, 2) + (order.length === 3 ? "-" + pad(d, 2) : "");
    }
    var hint = root.getAttribute("data-" + name + "-hint") || "";
    var wrong = root.getAttribute("data-" + name + "-error") || "";
    function check(field) { field.setCustomValidity(iso(field.value) === null ? wrong : ""); }
    Array.prototype.forEach.call(document.querySelectorAll("input[type=" + name + "]"), function (field) {
      var value = field.value;
      field.type = "text";
      field.removeAttribute("pattern");          /* the ISO pattern of the script-less field */
      field.value = show(value);
      field.setAttribute("data-" + name, "");
      field.setAttribute("inputmode", "numeric");
      field.setAttribute("autocomplete", "off");
      field.setAttribute("size", name === "date" ? "11" : "8");
      if (name === "month" || !field.placeholder) field.placeholder = hint;   /* a month's: the ISO example */
      if (name === "month" || !field.title) field.title = hint;
      field.addEventListener("input", function () { check(field); });
      check(field);
    });
    return {name: name, iso: iso};
  }
  var kinds = [kind("date", /^(\d{4})-(\d{2})-(\d{2})$/), kind("month", /^(\d{4})-(\d{2})$/)]
    .filter(function (k) { return k; });
  document.addEventListener("formdata", function (event) {
    kinds.forEach(function (k) {
      Array.prototype.forEach.call(event.target.querySelectorAll("input[data-" + k.name + "][name]"), function (field) {
        var value = k.iso(field.value);
        if (value !== null && !field.disabled) event.formData.set(field.name, value);
      });
    });
  }, true);
})();
