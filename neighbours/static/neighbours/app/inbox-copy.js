/* The last copy of the inbox kept on the phone (localStorage: a few dozen short texts), for « Messages »
   without network and the follow-ups of « Mes signalements »; sign-out forgets it. */
(function () {
  "use strict";

  var KEY = "vigie.inbox";

  window.vigieInbox = {
    /* {items: [inbox items], saved_at: ISO time of the last sync} kept for `owner` (the referent's id), or
       null: a phone shared by two referents never shows one the other's messages. */
    load: function (owner) {
      var copy = null;
      try {
        copy = JSON.parse(localStorage.getItem(KEY) || "null");
      } catch (error) {
        return null;
      }
      return copy && owner !== null && copy.owner === owner ? copy : null;
    },
    keep: function (owner, items, savedAt) {
      localStorage.setItem(KEY, JSON.stringify({ owner: owner, items: items, saved_at: savedAt }));
    },
    clear: function () {
      localStorage.removeItem(KEY);
    },
  };
}());
