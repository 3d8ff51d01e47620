/**
 * Service worker: the only code that talks to the Ronbun API. It keeps no state between
 * messages (it may be stopped at any time); the content script drives the polling and
 * holds the job's state, so a restart mid-poll loses nothing.
 */

import { getSummary, health, startSummary, fail } from "./api.js";
import { handleAskMessage, isAskMessage } from "./ask-api.js";
import { withDefaults, normalizeBaseUrl } from "./defaults.js";
import { parseId, paperRefFromUrl } from "./ids.js";
import { MSG, isExtensionPage } from "./messages.js";

async function loadSettings() {
  return withDefaults(await chrome.storage.local.get(["apiBaseUrl", "apiKey"]));
}

function refFrom(msg) {
  const ref = parseId(String(msg?.ref?.id ?? ""));
  if (!ref) return null;
  const v = msg.ref.version;
  return { id: ref.id, version: Number.isInteger(v) && v > 0 ? v : ref.version };
}

async function handle(msg, sender) {
  if (isAskMessage(msg)) return handleAskMessage(msg, await loadSettings()); // issue 13
  switch (msg?.type) {
    case MSG.START:
    case MSG.GET: {
      const ref = refFrom(msg);
      if (!ref) return fail("invalid_paper_id");
      const settings = await loadSettings();
      return msg.type === MSG.START ? startSummary(settings, ref) : getSummary(settings, ref);
    }
    case MSG.HEALTH: {
      let settings = await loadSettings();
      if (isExtensionPage(sender, chrome.runtime.getURL("")) && typeof msg.apiBaseUrl === "string") {
        const base = normalizeBaseUrl(msg.apiBaseUrl);
        if (!base.ok) return fail("not_configured", { message_ja: base.message_ja });
        settings = { apiBaseUrl: base.value, apiKey: String(msg.apiKey ?? "") };
      }
      return health(settings);
    }
    case MSG.OPEN_OPTIONS:
      await chrome.runtime.openOptionsPage();
      return { ok: true, data: null };
    default:
      return fail("internal_error", { message: `unknown message type: ${String(msg?.type).slice(0, 40)}` });
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  handle(msg, sender).then(sendResponse, (err) => sendResponse(fail("internal_error", { message: String(err?.message ?? err) })));
  return true;
});

async function toggleIn(tab) {
  try {
    await chrome.tabs.sendMessage(tab.id, { type: MSG.TOGGLE });
  } catch {
    // The tab was open before the extension was installed: inject the content script once.
    if (!paperRefFromUrl(tab.url ?? "")) return;
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ["content.js"] });
    await chrome.tabs.sendMessage(tab.id, { type: MSG.TOGGLE });
  }
}

chrome.action.onClicked.addListener((tab) => {
  toggleIn(tab).catch(() => {});
});
