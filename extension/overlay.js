/**
 * The overlay: a right-hand panel in an open Shadow DOM. Loaded by content.js on demand.
 * It holds the job's state and drives the polling (one message to the service worker per
 * poll), so a service-worker restart mid-poll loses nothing.
 */

import { MSG } from "./messages.js";
import { OFFLINE_LABEL, toMarkdown } from "./markdown.js";
import { OVERLAY_CSS } from "./overlay-style.js";
import { pollUntilSettled, retryNotice } from "./poll.js";
import { STAGES, STAGE_STEPS, closeEvidenceAt, createResultView, h, keepScroll, link, renderPaper } from "./view.js";
import { allowedHosts, arxivUrl } from "./links.js";
import { addAskParts, askEscape } from "./ask.js";

const NO_RETRY = new Set(["not_configured", "forbidden", "daily_limit_reached", "invalid_paper_id", "paper_not_found", "invalid_request",
  // the paper itself stops it: asking again gives the same answer
  "pdf_invalid", "pdf_encrypted", "pdf_no_text", "pdf_too_large", "pdf_too_complex", "restart_limit_reached"]);
// failures where the reader can still read the paper itself: offer the PDF on arxiv.org
const OPEN_PDF = new Set(["pdf_invalid", "pdf_encrypted", "pdf_no_text", "pdf_too_large", "pdf_too_complex", "pdf_truncated"]);
const OPEN_OPTIONS = new Set(["not_configured", "forbidden", "network_error", "timeout", "bad_response"]);
const FOCUSABLE = "a[href], button:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
const GONE_JA = "拡張機能が更新されたか再読み込みされました。ページを再読み込みしてください。";

let current = null;

/** One message to the service worker; retried briefly while the worker is (re)starting. */
async function send(msg) {
  for (let attempt = 0; ; attempt++) {
    if (!chrome.runtime?.id) return { ok: false, error: { code: "extension_gone", message_ja: GONE_JA } };
    try {
      const res = await chrome.runtime.sendMessage(msg);
      if (res && typeof res.ok === "boolean") return res;
    } catch {
      // "Receiving end does not exist" while the worker restarts: try again shortly.
    }
    if (attempt >= 3) return { ok: false, error: { code: "extension_unavailable", message_ja: "拡張機能のバックグラウンド処理に接続できませんでした。再試行してください。" } };
    await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
  }
}

function build(ref) {
  const host = document.createElement("div");
  host.setAttribute("data-ronbun-overlay", "");
  host.setAttribute("lang", "ja");
  const root = host.attachShadow({ mode: "open" });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(OVERLAY_CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h("style", {}, OVERLAY_CSS)); // engines without constructable sheets in content scripts
  }
  const el = {
    host,
    root,
    paper: h("div", { class: "paper-slot" }, h("p", { class: "meta" }, `arXiv:${ref.version ? `${ref.id}v${ref.version}` : ref.id}`)),
    status: h("div", { class: "status", "data-ronbun": "status", role: "status", "aria-live": "polite" }),
    stageText: h("span", { class: "stage" }),
    stageBar: h("progress", { max: STAGE_STEPS, "aria-label": "進捗" }),
    notice: h("p", { class: "retry", "data-ronbun": "retry-notice", hidden: true }),
    error: h("div", { class: "error", "data-ronbun": "error", role: "alert", hidden: true }),
    result: h("div", { class: "result-slot" }),
    copy: h("button", { type: "button", class: "primary", "data-ronbun": "copy", disabled: true }, "Markdownでコピー"),
    copied: h("span", { class: "copied", role: "status", "aria-live": "polite" }),
    close: h("button", { type: "button", class: "close", "data-ronbun": "close", "aria-label": "閉じる" }, "×"),
    kind: h("small", { "data-ronbun": "kind" }, "日本語要約"),
  };
  // the status goes below the result: partial results grow above it, and hiding it moves nothing
  el.body = h("div", { class: "body" }, el.paper, el.error, el.result, el.status);
  el.panel = h("div", { class: "panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "ronbun-heading", lang: "ja", tabindex: "-1" },
    h("header", { class: "bar" },
      h("span", { class: "brand", id: "ronbun-heading" }, "Ronbun", el.kind),
      h("span", { class: "spacer" }), el.close),
    el.body,
    h("footer", { class: "bar" }, el.copy, el.copied));
  const backdrop = h("div", { class: "backdrop", "data-ronbun": "backdrop" });
  root.append(backdrop, el.panel);
  backdrop.addEventListener("click", () => closeOverlay());
  el.close.addEventListener("click", () => closeOverlay());
  el.copy.addEventListener("click", () => copyMarkdown(el));
  host.dataset.ronbunPaper = ref.version ? `${ref.id}v${ref.version}` : ref.id;
  return el;
}

/** The stage line, updated in place (a poll every 0.5 s must not rebuild what is on screen). */
function showStage(el, stage, notice) {
  const info = STAGES[stage] ?? STAGES.queued;
  if (el.status.firstChild !== el.stageText) el.status.replaceChildren(el.stageText, el.stageBar, el.notice);
  if (el.status.dataset.stage !== stage) {
    el.stageText.textContent = info.text;
    if (info.step) el.stageBar.value = info.step;
    else el.stageBar.removeAttribute("value"); // no value: indeterminate
  }
  if (el.notice.textContent !== (notice ?? "")) el.notice.textContent = notice ?? "";
  el.notice.hidden = !notice;
  el.status.dataset.stage = stage;
  el.status.hidden = false;
  const seen = el.host.dataset.ronbunStages ? el.host.dataset.ronbunStages.split(",") : [];
  if (seen[seen.length - 1] !== stage) el.host.dataset.ronbunStages = [...seen, stage].join(",");
}

function showError(el, error, session) {
  el.status.hidden = true;
  const code = String(error?.code ?? "internal_error");
  const actions = [];
  if (!NO_RETRY.has(code) && code !== "extension_gone") {
    const retry = h("button", { type: "button", class: "primary", "data-ronbun": "retry" }, "再試行");
    retry.addEventListener("click", () => {
      el.panel.focus(); // the button is about to disappear; keep focus in the panel
      start(session.ref, el);
    });
    actions.push(retry);
  }
  if (OPEN_PDF.has(code)) {
    const url = arxivUrl("pdf", session.ref.id, session.ref.version);
    const pdf = link(url, "PDF を直接開く", allowedHosts([]));
    pdf.dataset.ronbun = "open-pdf";
    actions.push(pdf);
  }
  if (OPEN_OPTIONS.has(code)) {
    const options = h("button", { type: "button", "data-ronbun": "open-options" }, "設定を開く");
    options.addEventListener("click", () => send({ type: MSG.OPEN_OPTIONS }));
    actions.push(options);
  }
  el.error.replaceChildren(
    h("p", { class: "message" }, String(error?.message_ja || "エラーが発生しました。")),
    actions.length ? h("div", { class: "actions" }, actions) : null);
  el.error.dataset.code = code;
  el.error.hidden = false;
}

/**
 * Bench hooks: when the first Japanese and the first Q&A item reached the screen, and when the
 * final result did (performance.now() of the page, and a performance mark of the same name).
 */
function markShown(el, shown) {
  const mark = (name, attr) => {
    if (el.host.dataset[attr]) return;
    el.host.dataset[attr] = performance.now().toFixed(1);
    try { performance.mark(`ronbun:${name}`); } catch { /* marks are a bonus */ }
  };
  el.host.dataset.ronbunStage = shown.stage;
  if (shown.japanese) mark("first-japanese", "ronbunFirstJapaneseMs");
  if (shown.qa > 0) mark("first-qa", "ronbunFirstQaMs");
  if (shown.stage === "done") mark("done", "ronbunDoneMs");
}

function showState(el, state, session) {
  if (state?.paper && !session.paperShown) {
    el.paper.replaceChildren(renderPaper(state.paper, state.version));
    session.paperShown = true;
    el.host.dataset.ronbunPaperMs = performance.now().toFixed(1);
  }
  const t0 = performance.now();
  const shown = session.view.update(state);
  if (shown) {
    if (!session.view.section.isConnected) el.result.append(session.view.section);
    markShown(el, shown);
  }
  if (state?.status === "done" && state.result) {
    // the header says what the panel shows: never 「日本語要約」 for quotes without a model
    el.kind.textContent = state.result.generator?.engine === "offline" ? OFFLINE_LABEL : "日本語要約";
    const ms = performance.now() - t0;
    el.host.dataset.renderMs = ms.toFixed(2);
    if (!session.paperShown && state.result.paper) {
      el.paper.replaceChildren(renderPaper(state.result.paper, state.version));
      session.paperShown = true;
    }
    keepScroll(el.body, () => { el.status.hidden = true; });
    el.copy.disabled = false;
    session.done = state;
    addAskParts(el.result, state, { send, ref: session.ref }); // issue 13: template switch + question box
    el.host.dataset.ronbunState = "done";
  } else if (state?.status === "failed") {
    showError(el, state.error ?? { code: "job_failed" }, session);
    el.host.dataset.ronbunState = "failed";
  } else {
    showStage(el, state?.stage || state?.status || "queued", retryNotice(state, Date.now()));
    el.host.dataset.ronbunState = "pending";
  }
}

async function start(ref, el) {
  if (!current || current.el !== el) return;
  if (current.session) current.session.cancelled = true;
  const session = { ref, cancelled: false, paperShown: false, done: null, view: createResultView({ scroller: el.body }) };
  current.session = session;
  el.host.dataset.ronbunAttempt = String(Number(el.host.dataset.ronbunAttempt || 0) + 1);
  el.error.hidden = true;
  el.error.replaceChildren();
  el.result.replaceChildren();
  for (const key of ["ronbunStage", "ronbunPaperMs", "ronbunFirstJapaneseMs", "ronbunFirstQaMs", "ronbunDoneMs"]) delete el.host.dataset[key];
  el.host.dataset.ronbunOpenedMs = performance.now().toFixed(1);
  el.copy.disabled = true;
  el.host.dataset.ronbunState = "pending";
  showStage(el, "requesting");
  const first = await send({ type: MSG.START, ref: { id: ref.id, version: ref.version } });
  if (session.cancelled) return;
  if (!first.ok) {
    el.host.dataset.ronbunState = "error";
    return showError(el, first.error, session);
  }
  el.host.dataset.ronbunCache = first.http === 200 && first.data?.status === "done" ? "hit" : "miss";
  showState(el, first.data, session);
  if (first.data?.status === "done" || first.data?.status === "failed") return;
  const end = await pollUntilSettled({
    get: () => send({ type: MSG.GET, ref: { id: ref.id, version: ref.version } }),
    onState: (state) => showState(el, state, session),
    first: first.data,
    isCancelled: () => session.cancelled,
  });
  if (!end.cancelled && !end.ok) {
    el.host.dataset.ronbunState = "error";
    showError(el, end.error, session);
  }
}

async function copyMarkdown(el) {
  const state = current?.session?.done;
  if (!state) return;
  const md = toMarkdown(state);
  try {
    await navigator.clipboard.writeText(md);
  } catch {
    const area = h("textarea", { "aria-hidden": "true" });
    area.value = md;
    el.root.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  el.copied.textContent = "コピーしました";
  setTimeout(() => { el.copied.textContent = ""; }, 2500);
}

function focusables(el) {
  return [...el.panel.querySelectorAll(FOCUSABLE)].filter((n) => !n.closest("[hidden]") && n.getClientRects().length > 0);
}

function onKeydown(event) {
  if (!current) return;
  const { el } = current;
  if (askEscape(event, el.root)) return; // issue 13: Esc in the question box leaves the box first
  if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    if (closeEvidenceAt(el.root.activeElement)) return; // Esc first closes an open sentence's evidence
    closeOverlay();
    return;
  }
  if (event.key !== "Tab") return;
  const items = focusables(el);
  if (!items.length) return;
  const active = el.root.activeElement;
  const first = items[0];
  const last = items[items.length - 1];
  if (!active || !items.includes(active)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  } else if (event.shiftKey && active === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}

function onFocusIn(event) {
  if (current && event.target !== current.el.host) current.el.close.focus();
}

/**
 * Open the overlay for a paper.
 * @param {{id: string, version: number|null}} ref
 * @param {HTMLElement|null} opener element to return focus to (defaults to the focused one)
 */
export function openOverlay(ref, opener) {
  if (current) closeOverlay();
  const el = build(ref);
  const active = document.activeElement;
  current = { el, restore: opener || (active && active !== document.body ? active : null), session: null };
  document.documentElement.append(el.host);
  document.addEventListener("keydown", onKeydown, true);
  document.addEventListener("focusin", onFocusIn, true);
  el.close.focus();
  start(ref, el);
}

/** Close the overlay and give focus back to where it was. */
export function closeOverlay() {
  if (!current) return;
  const { el, restore, session } = current;
  if (session) session.cancelled = true;
  current = null;
  document.removeEventListener("keydown", onKeydown, true);
  document.removeEventListener("focusin", onFocusIn, true);
  el.host.remove();
  if (restore?.isConnected) restore.focus();
}

/** Toolbar click / in-page button: open, or close when already open. */
export function toggleOverlay(ref, opener) {
  if (current) closeOverlay();
  else openOverlay(ref, opener);
}
