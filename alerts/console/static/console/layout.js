/* Vigie — the console on narrow screens (console.css, max-width 899px): an opened item is a full-width
 * sheet (console.js sets body.detail-ouvert when an item is opened); « Retour à la liste » and Échap
 * close it, back on the item in the list; the map opens on demand. Wide screens ignore both classes. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var body = document.body;
  var narrow = window.matchMedia("(max-width: 899px)");

  function closeSheet() {
    if (!body.classList.contains("detail-ouvert")) return;
    body.classList.remove("detail-ouvert");
    var item = document.querySelector('#liste li[aria-selected="true"]');
    if (item && narrow.matches) {
      item.focus();
      item.scrollIntoView({ block: "nearest" });
    }
  }

  function toggleMap() {
    var open = body.classList.toggle("carte-ouverte");
    var button = document.getElementById("basculer-carte");
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? gettext("Masquer la carte") : gettext("Afficher la carte");
  }

  function start() {
    document.getElementById("retour-liste").addEventListener("click", closeSheet);
    document.getElementById("basculer-carte").addEventListener("click", toggleMap);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches) closeSheet();
    });
    // The sheet opens at its top, whatever control console.js focused in it.
    new MutationObserver(function (records) {
      var opened = records.some(function (record) { return !/\bdetail-ouvert\b/.test(record.oldValue || ""); });
      if (opened && narrow.matches && body.classList.contains("detail-ouvert")) window.scrollTo(0, 0);
    }).observe(body, { attributes: true, attributeFilter: ["class"], attributeOldValue: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
