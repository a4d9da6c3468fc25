/* The report screen (the app's home). */
(function () {
  "use strict";
  window.vigieApp.ready();
}());
