/* Placeholder: the push handlers of the service worker (imported by /app/sw.js) come with Web Push. */
