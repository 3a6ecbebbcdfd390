// The cashier page's booths (webui/shop.py): every second (half a second while live from the PBX), each booth's
// state, running time, running sell price and "in use by" mark from /shop/booths (appliance/shop/live.py),
// without reloading the page. No inline script (the CSP forbids it).
"use strict";
(() => {
  const cards = document.getElementById("booths");
  if (!cards) { return; }
  const show = (b) => {
    const card = cards.querySelector(`[data-booth="${CSS.escape(b.booth)}"]`);
    if (!card) { return; }
    card.classList.remove("free", "dialling", "talking", "to_pay");
    card.classList.add(b.state);
    card.querySelector(".state").textContent = b.label;
    card.querySelector(".running").textContent = b.running;
    card.querySelector(".price").textContent = b.price;
    card.querySelector(".use").textContent = b.use;
    card.querySelector(".left").textContent = b.left;
    card.querySelector(".alert").textContent = b.alert;
    card.classList.toggle("deposit-low", b.warning !== "");
    card.dataset.balance = b.balance === null ? "" : b.balance;
    card.dataset.running = String(b.running_s);
    card.dataset.sell = b.running_sell === null ? "" : b.running_sell;
  };
  const every = cards.dataset.live === "1" ? 500 : 1000;
  const poll = () => {
    fetch("/shop/booths", {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => { if (data) { data.booths.forEach(show); } })
      .catch(() => {})
      .finally(() => { window.setTimeout(poll, every); });
  };
  window.setTimeout(poll, every);
})();
