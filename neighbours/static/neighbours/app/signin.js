/* Sign-in screen: the phone number, then the SMS code (POST /api/v1/auth/otp/, then /api/v1/auth/token/).
 * The tokens go to localStorage (app.js); every refusal (unknown format, wrong or expired code, too many
 * requests) is the API's French message, shown next to its field. */
(function () {
  "use strict";
  var app = window.vigieApp;
  var gettext = app.gettext;
  var ask = document.getElementById("demande-code");
  var enter = document.getElementById("saisie-code");
  var phone = "";

  function busy(form, on) { form.querySelector("button[type=submit]").disabled = on; }

  function showStep(codeStep) {
    ask.hidden = codeStep;
    enter.hidden = !codeStep;
    (codeStep ? enter.elements.code : ask.elements.phone).focus();
  }

  ask.addEventListener("submit", function (event) {
    event.preventDefault();
    phone = ask.elements.phone.value.trim();
    app.clearErrors(ask);
    busy(ask, true);
    app.api("POST", "/api/v1/auth/otp/", { phone: phone }, { auth: false }).then(function (answer) {
      document.getElementById("code-envoye").textContent = answer.detail;
      enter.elements.code.value = "";
      showStep(true);
    }, function (error) { app.showErrors(ask, error); }).finally(function () { busy(ask, false); });
  });

  enter.addEventListener("submit", function (event) {
    event.preventDefault();
    app.clearErrors(enter);
    busy(enter, true);
    var body = { phone: phone, code: enter.elements.code.value.trim() };
    app.api("POST", "/api/v1/auth/token/", body, { auth: false }).then(function (pair) {
      app.storeTokens(pair);
      return app.me();
    }).then(function (profile) {
      location.assign(profile && profile.must_accept_charter ? "/app/charte/?suite=" + encodeURIComponent(app.next()) : app.next());
    }, function (error) {
      if (error.status === 404) {
        // Signed in, but not as a referent (a shopkeeper has the commerces pages).
        app.message(gettext("Ce numéro n'est pas celui d'un référent : cette application est réservée aux référents."));
        return;
      }
      app.showErrors(enter, error);
    }).finally(function () { busy(enter, false); });
  });

  // A code asked a moment ago is still valid while a new request is refused (one a minute).
  document.getElementById("deja-un-code").addEventListener("click", function () {
    phone = ask.elements.phone.value.trim();
    app.clearErrors(ask);
    document.getElementById("code-envoye").textContent = "";
    showStep(true);
  });

  document.getElementById("autre-numero").addEventListener("click", function () {
    app.clearErrors(enter);
    showStep(false);
  });

  // Already signed in: straight to the app.
  if (app.signedIn()) { location.replace(app.next()); }
}());
