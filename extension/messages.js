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

/**
 * Is the sender one of the extension's own pages (the options page, also when it is open in a
 * tab)? Content scripts run on arxiv.org pages, so their sender URL never starts with ours.
 * @param {{url?: string}} sender  @param {string} extensionBase  chrome.runtime.getURL("")
 */
export function isExtensionPage(sender, extensionBase) {
  return typeof sender?.url === "string" && typeof extensionBase === "string" && extensionBase !== ""
    && sender.url.startsWith(extensionBase);
}
