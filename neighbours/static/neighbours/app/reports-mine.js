/* « Mes signalements »: the referent's reports with their status in words and its history, the messages
   the town sent about each (the inbox items that name it), and a form to add a detail (the additions API,
   reviewed by the moderators like the report itself). */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var app = window.vigieApp;
  var list = document.getElementById("signalements");
  var empty = document.getElementById("signalements-vide");
  var more = document.getElementById("signalements-plus");
  var next = null; // the API's link to older reports
  var messages = []; // the inbox items read, where each report's follow-ups are found

  function when(iso) {
    return new Date(iso).toLocaleString("fr-FR", {
      timeZone: "Europe/Paris", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function additionForm(report) {
    var form = element("form", "app-addition");
    var id = "complement-" + report.id;
    var label = element("label", "", gettext("Ajouter une précision"));
    label.htmlFor = id;
    var text = element("textarea");
    text.id = id;
    text.name = "text";
    text.rows = 3;
    text.maxLength = 2000;
    text.required = true;
    var button = element("button", "", gettext("Envoyer la précision"));
    button.type = "submit";
    form.append(label, text, button);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      app.clearErrors(form);
      app.api("POST", "/api/v1/observations/" + report.id + "/additions/", { text: text.value }).then(function () {
        text.value = "";
        app.message(gettext("Précision envoyée : la modération la relira avant de la transmettre."), "info");
      }, function (error) {
        app.showErrors(form, error);
      }).finally(function () { button.disabled = false; });
    });
    return form;
  }

  function item(report, messages) {
    var li = element("li", "app-item");
    li.dataset.id = report.id;
    li.append(
      element("h2", "", report.category.label + " — " + report.reference),
      element("p", "app-status", report.status_label),
      element("p", "app-date", when(report.created_at)),
      element("p", "app-body", report.description)
    );
    if (report.history.length) {
      var history = element("ol", "app-history");
      report.history.forEach(function (step) {
        history.append(element("li", "", when(step.at) + " : " + step.status_label));
      });
      li.append(element("h3", "", gettext("Historique")), history);
    }
    if (messages.length) {
      var follow = element("ul", "app-follow");
      messages.forEach(function (message) {
        follow.append(element("li", "", when(message.created_at) + " : " + message.body));
      });
      li.append(element("h3", "", gettext("Messages de la mairie")), follow);
    }
    li.append(additionForm(report));
    return li;
  }

  function append(page) {
    list.append.apply(list, page.results.map(function (report) {
      return item(report, messages.filter(function (message) {
        return message.data && message.data.observation_id === report.id;
      }));
    }));
    next = page.next;
    more.hidden = !next;
  }

  more.addEventListener("click", function () {
    more.disabled = true;
    app.api("GET", app.nextPath(next)).then(append, function (error) { app.message(error.detail); })
      .finally(function () { more.disabled = false; });
  });

  function inbox(owner) {
    // The follow-ups come from the inbox; without it, the copy « Messages » kept, else none.
    return app.api("GET", "/api/v1/inbox/").then(function (page) { return page.results; }, function () {
      var copy = window.vigieInbox.load(owner);
      return copy ? copy.items : [];
    });
  }

  app.ready().then(function (profile) {
    return Promise.all([app.api("GET", "/api/v1/observations/"), inbox(profile ? profile.id : null)]);
  }).then(function (pages) {
    messages = pages[1];
    list.replaceChildren();
    append(pages[0]);
    empty.hidden = pages[0].results.length > 0;
  }).catch(function (error) { app.message(error.detail); });
}());
