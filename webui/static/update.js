/* Callbox Update page (webui/admin/update.py): sends the chosen bundle as the request body (not a form: hundreds of
   megabytes must not be spooled by the server), with the session's CSRF token, then shows the page again. */
(function () {
  "use strict";
  var form = document.getElementById("update-form");
  if (!form) { return; }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var file = document.getElementById("bundle").files[0], out = document.getElementById("update-progress");
    if (!file) { return; }
    document.getElementById("send").disabled = true;
    out.textContent = "…";
    fetch("/update", {method: "POST", credentials: "same-origin", body: file,
                      headers: {"X-CSRF-Token": form.getAttribute("data-csrf"), "Accept": "application/json",
                                "Content-Type": "application/octet-stream"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.error) { out.textContent = data.error; document.getElementById("send").disabled = false; return; }
        window.location.assign("/update");
      })
      .catch(function (err) { out.textContent = String(err); document.getElementById("send").disabled = false; });
  });
}());
