/* The refresh of a live page (home, the cashier, the operator panel, branch boxes): it reloads the page every
   data-refresh seconds unless the user paused it with the button (WCAG 2.2.1, timing adjustable: a <meta refresh>
   cannot be stopped). The choice is kept for the tab (sessionStorage). Without script the <noscript> meta refresh
   of base.tpl still reloads. */
(function () {
  "use strict";
  var button = document.getElementById("refresh-toggle");
  if (!button) return;
  var seconds = parseInt(button.getAttribute("data-refresh"), 10) || 60;
  var key = "callbox.refresh.paused";
  var timer = null;
  function paused() { try { return sessionStorage.getItem(key) === "1"; } catch (e) { return false; } }
  function show() {
    var p = paused();
    button.textContent = button.getAttribute(p ? "data-resume" : "data-pause");
    button.setAttribute("aria-pressed", p ? "true" : "false");
    if (timer) { clearTimeout(timer); timer = null; }
    if (!p) timer = setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    try { sessionStorage.setItem(key, paused() ? "0" : "1"); } catch (e) { /* storage off: nothing kept */ }
    show();
  });
  show();
})();
