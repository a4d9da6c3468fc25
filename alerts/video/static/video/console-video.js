/* Vigie — « images demandées » in the console's detail pane: when footage was requested for the selected
 * observation, a line says so (a count only: GET /api/v1/video/observations/<id>/, never the request).
 */
(function () {
  "use strict";

  var state = window.vigieConsole;
  if (!state) return;
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  function observationOf(item) { return item.kind === "d" ? item.dispatch.observation : item.observation; }

  state.on("detailRendered", function (item) {
    var pane = document.getElementById("detail");
    var obs = observationOf(item);
    if (!pane || !obs || pane.querySelector("#detail-images-demandees")) return;
    fetch("/api/v1/video/observations/" + obs.id + "/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.requests || pane.querySelector("#detail-images-demandees")) return;
        if (observationOf(state.items.get(state.selected) || item).id !== obs.id) return;
        var line = document.createElement("p");
        line.id = "detail-images-demandees";
        line.className = "images-demandees";
        line.textContent = interpolate(
          ngettext("Images demandées (%(count)s demande)", "Images demandées (%(count)s demandes)", data.requests),
          { count: data.requests }, true);
        var text = document.getElementById("detail-texte");
        if (text) text.parentNode.insertBefore(line, text); else pane.appendChild(line);
      })
      .catch(function () { /* nothing shown: the pane keeps what it has */ });
  });
})();
