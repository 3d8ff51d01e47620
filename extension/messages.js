/**
 * Message types between the content script / options page and the service worker.
 * Requests are {type, ...}; every answer is {ok: true, data, http?} | {ok: false, error}.
 */

export const MSG = Object.freeze({
  /** SW -> tab: open or close the overlay (toolbar click). */
  TOGGLE: "ronbun:toggle",
  /** tab -> SW: POST /v1/summaries. {ref: {id, version}} */
  START: "ronbun:start",
  /** tab -> SW: GET /v1/summaries/{id}. {ref: {id, version}} */
  GET: "ronbun:get",
  /** options -> SW: GET /v1/health. {apiBaseUrl?, apiKey?} (form values, extension pages only) */
  HEALTH: "ronbun:health",
  /** tab -> SW: open the options page. */
  OPEN_OPTIONS: "ronbun:open-options",
});
