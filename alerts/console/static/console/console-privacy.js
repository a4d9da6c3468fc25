/* Vigie — minimisation in the moderation pane (loaded after console.js): the likely personal data that the
 * server found in the report (the moderation view's `personal_data_flags`: phones, e-mails, plates, names
 * after « M. » / « Mme », IBANs) are listed beside the redaction and highlighted in the original text.
 * Suggestions only: the moderator edits the redaction; nothing here changes a text.
 */
(function () {
  "use strict";

  var vc = window.vigieConsole;
  if (!vc || !vc.on || !vc.api) return;
  var el = vc.api.el;
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };
  var $ = function (id) { return document.getElementById(id); };
  var BOX = "donnees-personnelles";

  function where(flag) {
    if (flag.field === "place") return gettext("lieu");
    if (flag.field === "addition") return gettext("complément");
    return gettext("texte");
  }

  // The original text with each flagged passage in a <mark> (positions from the server).
  function highlight(paragraph, text, flags) {
    var marks = flags.filter(function (flag) { return flag.field === "description"; });
    if (!marks.length || paragraph.textContent !== text) return;
    paragraph.textContent = "";
    var at = 0;
    marks.forEach(function (flag) {
      paragraph.appendChild(document.createTextNode(text.slice(at, flag.start)));
      paragraph.appendChild(el("mark", { class: "donnee-personnelle", title: flag.kind_label, text: text.slice(flag.start, flag.end) }));
      at = flag.end;
    });
    paragraph.appendChild(document.createTextNode(text.slice(at)));
  }

  function render(item) {
    var old = $(BOX);
    if (old) old.remove();
    var redaction = $("approve-text");
    var flags = item && item.kind === "o" && item.detail && item.detail.personal_data_flags;
    if (!redaction || !flags || !flags.length) return;
    var box = el("div", { id: BOX, class: "donnees-personnelles", role: "note", "aria-labelledby": BOX + "-titre" }, [
      el("p", { id: BOX + "-titre", class: "titre", text: gettext("Données personnelles probables : à caviarder si elles ne servent pas à la police (suggestions, rien n'est modifié d'office).") }),
      el("ul", {}, flags.map(function (flag) {
        return el("li", {}, [
          flag.kind_label + " : ", el("mark", { class: "donnee-personnelle", text: flag.text }),
          " " + interpolate(gettext("(%(where)s)"), { where: where(flag) }, true),
        ]);
      })),
    ]);
    redaction.parentNode.insertAdjacentElement("afterend", box);
    redaction.setAttribute("aria-describedby", BOX);
    var original = $("detail-texte");
    if (original) highlight(original, item.observation.description || "", flags);
  }

  vc.on("detailRendered", render);
})();
