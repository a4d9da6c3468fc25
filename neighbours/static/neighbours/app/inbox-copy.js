/* The last copy of the inbox kept on the phone (localStorage: a few dozen short texts), for « Messages »
   without network and the follow-ups of « Mes signalements »; sign-out forgets it. */
(function () {
  "use strict";

  var KEY = "vigie.inbox";

  window.vigieInbox = {
    /* {items: [inbox items], saved_at: ISO time of the last sync}, or null. */
    load: function () {
      try {
        return JSON.parse(localStorage.getItem(KEY) || "null");
      } catch (error) {
        return null;
      }
    },
    keep: function (items, savedAt) {
      localStorage.setItem(KEY, JSON.stringify({ items: items, saved_at: savedAt }));
    },
    clear: function () {
      localStorage.removeItem(KEY);
    },
  };
}());
