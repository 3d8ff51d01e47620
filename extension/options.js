/** Options page: API base URL and key (chrome.storage.local), and a connection test. */

import { DEFAULTS, isBuiltInApiHost, normalizeBaseUrl, originPattern, withDefaults } from "./defaults.js";
import { MSG } from "./messages.js";

const form = document.getElementById("settings");
const statusLine = document.getElementById("status");

function say(text, kind = "") {
  statusLine.textContent = text;
  statusLine.dataset.kind = kind;
}

function fill(settings) {
  form.apiBaseUrl.value = settings.apiBaseUrl;
  form.apiKey.value = settings.apiKey;
}

async function save(apiBaseUrl, apiKey) {
  await chrome.storage.local.set({ apiBaseUrl, apiKey });
  say(apiBaseUrl ? "保存しました。" : "保存しました(API の URL が空のため、要約は使えません)。", "ok");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const base = normalizeBaseUrl(form.apiBaseUrl.value);
  if (!base.ok) return say(base.message_ja, "error");
  form.apiBaseUrl.value = base.value;
  const apiKey = form.apiKey.value.trim();
  if (!base.value || isBuiltInApiHost(base.value)) {
    save(base.value, apiKey);
    return;
  }
  // A custom host needs an optional host permission; ask within the click, before any await.
  chrome.permissions.request({ origins: [originPattern(base.value)] }).then((granted) => {
    if (granted) return save(base.value, apiKey);
    say("このホストへのアクセスが許可されなかったため、保存しませんでした。", "error");
  }, () => say("このホストへのアクセス許可を求められませんでした。", "error"));
});

document.getElementById("test").addEventListener("click", async () => {
  say("接続を確認しています…");
  const res = await chrome.runtime.sendMessage({
    type: MSG.HEALTH,
    apiBaseUrl: form.apiBaseUrl.value,
    apiKey: form.apiKey.value.trim(),
  });
  if (res?.ok) say(`接続できました(HTTP ${res.http})。`, "ok");
  else say(res?.error?.message_ja ?? "接続できませんでした。", "error");
});

document.getElementById("reset").addEventListener("click", () => {
  fill(DEFAULTS);
  say("既定値を入力しました。「保存」を押すと反映されます。");
});

document.getElementById("showKey").addEventListener("change", (event) => {
  form.apiKey.type = event.target.checked ? "text" : "password";
});

chrome.storage.local.get(["apiBaseUrl", "apiKey"]).then((stored) => fill(withDefaults(stored)));
