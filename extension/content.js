// Content script (classic script: content scripts cannot be ES modules). It stays tiny:
// it reads the paper id, adds the 「日本語要約」 button on abs pages, and loads the overlay
// module only when the user asks for it.
(() => {
  if (globalThis.__ronbunContent) return;
  globalThis.__ronbunContent = true;

  const TOGGLE = "ronbun:toggle"; // MSG.TOGGLE in messages.js
  const load = (file) => import(chrome.runtime.getURL(file));
  let overlay = null;

  async function paperRef() {
    const { paperRefFromUrl } = await load("ids.js");
    return paperRefFromUrl(location.href);
  }

  async function toggle(opener) {
    const ref = await paperRef();
    if (!ref) return;
    overlay ??= await load("overlay.js");
    overlay.toggleOverlay(ref, opener);
  }

  chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || msg?.type !== TOGGLE) return false;
    toggle(null).then(() => sendResponse({ ok: true, data: null }), () => sendResponse({ ok: false }));
    return true;
  });

  function addButton(ref) {
    if (ref.kind !== "abs" || document.querySelector("[data-ronbun-button]")) return;
    const title = document.querySelector("h1.title") || document.querySelector("#abs h1, h1");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.ronbunButton = "";
    button.lang = "ja";
    button.textContent = "日本語要約";
    button.title = "Ronbun: この論文の日本語要約と Q&A を表示";
    Object.assign(button.style, {
      font: "600 14px/1.4 system-ui, 'Hiragino Sans', 'Noto Sans CJK JP', 'Yu Gothic UI', Meiryo, sans-serif",
      margin: "0.4em 0", padding: "0.35em 0.9em", border: "1px solid #b31b1b", borderRadius: "999px",
      background: "#fff", color: "#b31b1b", cursor: "pointer", verticalAlign: "middle",
    });
    button.addEventListener("click", () => toggle(button));
    if (title) title.insertAdjacentElement("afterend", button);
    else document.body?.prepend(button);
  }

  paperRef().then((ref) => {
    if (!ref) return;
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => addButton(ref), { once: true });
    else addButton(ref);
  });
})();
