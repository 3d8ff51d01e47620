/**
 * The question box under the Q&A (issue 13) and the overlay's hooks for it. The overlay calls
 * addAskParts() once a result is shown and askEscape() first on every keydown.
 *
 * Choices: the history is this page's (kept while the tab lives, also across closing and
 * reopening the overlay), newest first. One question at a time. Esc in the box leaves it
 * (focus goes to the box's section, the text stays so nothing typed is lost); the next Esc
 * closes the overlay as before. Esc or Enter during an IME conversion belong to the IME.
 */

import { ASK_MSG, MAX_QUESTION_CHARS, QUESTION_ID, charCount, validateQuestion } from "./ask-messages.js";
import { ASK_STAGES, isComposing, isSubmitKey, renderAnswer, stageText, suggestQuestions } from "./ask-view.js";
import { mountTemplateSwitch } from "./template-switch.js";
import { h } from "./view.js";

/** Polling GET /v1/questions/{id}: every 0.5 s, for at most 3 minutes; 3 transient errors in a row end it. */
export const ASK_POLL = Object.freeze({ intervalMs: 500, deadlineMs: 3 * 60 * 1000, maxTransientErrors: 3 });
const TRANSIENT = new Set(["network_error", "timeout", "server_error", "extension_unavailable", "internal_error"]);
const SLOW_JA = "回答の生成に時間がかかりすぎています。しばらくしてからもう一度質問してください。";

/** paper key -> {entries: [...] (oldest first), busy, listeners: Set<() => void>} */
const histories = new Map();

function historyFor(key) {
  if (!histories.has(key)) histories.set(key, { entries: [], busy: false, listeners: new Set() });
  return histories.get(key);
}

/** Done, failed, or a cached answer without a status. */
const settled = (s) => s?.status === "done" || s?.status === "failed" || (s?.status == null && s?.answer != null);
const changed = (hist) => hist.listeners.forEach((fn) => fn());

/**
 * Ask one question: POST, then (202) poll GET every 0.5 s until done or failed. Updates the entry
 * in place and tells the listeners; it does not depend on any box being on screen.
 */
export async function ask(hist, entry, { send, ref, policy = ASK_POLL, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), now = () => Date.now() }) {
  hist.busy = true;
  const settle = (patch) => { Object.assign(entry, patch, { rev: (entry.rev ?? 0) + 1 }); changed(hist); };
  try {
    const first = await send({ type: ASK_MSG.ASK, ref: { id: ref.id, version: ref.version }, question: entry.question });
    if (!first?.ok) return settle({ status: "error", error: first?.error });
    let state = first.data;
    const id = String(state?.question_id ?? "");
    const deadline = now() + policy.deadlineMs;
    let transient = 0;
    while (!settled(state)) {
      if (!QUESTION_ID.test(id)) return settle({ status: "error", error: { code: "bad_response", message_ja: "API サーバーから予期しない応答がありました。" } });
      settle({ stage: stageText(state) });
      if (now() + policy.intervalMs > deadline) return settle({ status: "error", error: { code: "poll_timeout", message_ja: SLOW_JA } });
      await sleep(policy.intervalMs);
      const res = await send({ type: ASK_MSG.ASK_GET, questionId: id });
      if (!res?.ok) {
        if (TRANSIENT.has(res?.error?.code) && ++transient < policy.maxTransientErrors) continue;
        return settle({ status: "error", error: res?.error });
      }
      transient = 0;
      state = res.data;
    }
    if (state?.status === "failed") return settle({ status: "error", error: state.error ?? { code: "job_failed" } });
    if (!state?.answer || typeof state.answer !== "object") {
      return settle({ status: "error", error: { code: "bad_response", message_ja: "API サーバーから予期しない応答がありました。" } });
    }
    settle({ status: "done", doc: state });
  } catch (err) {
    settle({ status: "error", error: { code: "internal_error", message_ja: "拡張機能の内部エラーが発生しました。", message: String(err) } });
  } finally {
    hist.busy = false;
    changed(hist);
  }
}

/**
 * The question box: label, textarea with a live counter, three suggestions, the history.
 * @param {object} state the summary state document shown (status "done")
 * @param {{send: (msg: object) => Promise<object>, ref: {id: string, version: number|null}}} deps
 */
export function questionBox(state, { send, ref }) {
  const result = state?.result ?? {};
  const paperId = String(result.paper?.id || state?.paper_id || ref.id);
  const version = Number.isInteger(result.paper?.version) ? result.paper.version : (ref.version ?? null);
  const hist = historyFor(`${paperId}v${version ?? ""}`);
  const input = h("textarea", { id: "ronbun-ask-input", "data-ronbun": "ask-input", rows: "2", tabindex: "0",
    "aria-describedby": "ronbun-ask-hint ronbun-ask-counter ronbun-ask-error", placeholder: "例: どのデータセットで評価していますか？" });
  const counter = h("span", { class: "counter", id: "ronbun-ask-counter", "data-ronbun": "ask-counter" }, `0 / ${MAX_QUESTION_CHARS}`);
  const error = h("p", { class: "ask-error", id: "ronbun-ask-error", "data-ronbun": "ask-input-error", role: "alert", hidden: true });
  const submit = h("button", { type: "button", class: "primary", "data-ronbun": "ask-submit" }, "質問する");
  const suggestions = suggestQuestions({ ...result, paper: { ...state?.paper, ...result.paper } });
  const list = h("ol", { class: "qa ask-history", "data-ronbun": "ask-history", "aria-label": "この論文への質問と回答（新しい順）" });
  const section = h("section", { class: "ask", "data-ronbun": "ask", tabindex: "-1", "aria-labelledby": "ronbun-ask-heading" },
    h("h3", { id: "ronbun-ask-heading" }, "論文に質問する"),
    h("label", { for: "ronbun-ask-input", class: "ask-label" }, `この論文への質問（日本語または英語、${MAX_QUESTION_CHARS}文字まで）`),
    input,
    h("div", { class: "ask-row" },
      h("span", { class: "ask-hint", id: "ronbun-ask-hint" }, "Enter で送信 ・ Shift+Enter で改行"), counter, submit),
    error,
    suggestions.length ? h("div", { class: "ask-suggestions", "data-ronbun": "ask-suggestions" },
      h("p", { class: "ask-hint" }, "質問の例（この論文から）:"),
      suggestions.map((q) => {
        const b = h("button", { type: "button", class: "suggestion", "data-ronbun": "ask-suggestion" }, q);
        b.addEventListener("click", () => { input.value = q; update(); go(); });
        return b;
      })) : null,
    list);

  let composing = false;
  const rendered = new WeakMap();
  function showError(message, { busy = false } = {}) {
    error.dataset.busy = busy ? "1" : "";
    error.textContent = message || "";
    error.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
  }
  function update() {
    const n = charCount(input.value.trim());
    counter.textContent = `${n} / ${MAX_QUESTION_CHARS}`;
    counter.classList.toggle("over", n > MAX_QUESTION_CHARS);
    if (!error.hidden && validateQuestion(input.value).ok) showError("");
  }
  function render() {
    if (!section.isConnected && section.dataset.mounted) { hist.listeners.delete(render); return; }
    // an entry is rebuilt only when it changed: a quote opened in an older answer stays open
    list.replaceChildren(...[...hist.entries].reverse().map((e) => {
      const seen = rendered.get(e);
      if (seen && seen.rev === e.rev) return seen.li;
      const li = renderAnswer(e, { paperId, version });
      rendered.set(e, { rev: e.rev, li });
      return li;
    }));
    submit.disabled = hist.busy;
    if (!hist.busy && error.dataset.busy) showError("");
    section.dataset.busy = String(hist.busy);
  }
  function go() {
    if (hist.busy) { showError("前の質問への回答を待っています。回答が表示されてから次の質問を送ってください。", { busy: true }); return; }
    const q = validateQuestion(input.value);
    if (!q.ok) { showError(q.message_ja); return; }
    showError("");
    const entry = { question: q.value, status: "pending", stage: ASK_STAGES.requesting };
    hist.entries.push(entry);
    input.value = "";
    update();
    ask(hist, entry, { send, ref: { id: paperId, version } });
  }
  input.addEventListener("compositionstart", () => { composing = true; });
  input.addEventListener("compositionend", () => { composing = false; });
  input.addEventListener("input", update);
  input.addEventListener("keydown", (event) => {
    if (composing || !isSubmitKey(event)) return;
    event.preventDefault();
    go();
  });
  submit.addEventListener("click", go);
  hist.listeners.add(render);
  render();
  section.dataset.mounted = "1";
  return section;
}

/**
 * Hook for overlay.js (showState, after the result is shown): the template switch above the
 * result and the question box under it.
 * @param {HTMLElement} container the overlay's result slot, holding the standard result view
 * @param {object} state the summary state document (status "done")
 * @param {{send: Function, ref: {id: string, version: number|null}}} deps
 */
export function addAskParts(container, state, deps) {
  if (state?.result?.template === "ochiai") return; // an ochiai result shown directly has its own view
  addStyle(container.getRootNode());
  mountTemplateSwitch(container, state, deps);
  container.append(questionBox(state, deps));
}

export const ASK_CSS = `
.template-switch { display: flex; gap: 0; margin: 4px 0 10px; }
.template-switch button { border-radius: 0; font-size: 13px; }
.template-switch button:first-child { border-radius: 6px 0 0 6px; }
.template-switch button:last-child { border-radius: 0 6px 6px 0; border-left: 0; }
.template-switch button[aria-pressed="true"] { background: var(--accent); color: var(--on-accent); border-color: var(--accent); }
.ask { margin-top: 8px; }
.ask:focus { outline: none; }
.ask-label { display: block; font-size: 13px; margin-bottom: 4px; }
.ask textarea {
  display: block; width: 100%; font: inherit; font-size: 14px; line-height: 1.6; resize: vertical;
  padding: 6px 8px; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
}
.ask textarea:focus-visible { outline: 2px solid var(--link); outline-offset: 1px; }
.ask textarea[aria-invalid="true"] { border-color: var(--err-fg); }
.ask-row { display: flex; align-items: center; gap: 10px; margin-top: 6px; }
.ask-hint { flex: 1; margin: 0; font-size: 12px; color: var(--muted); }
.counter { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.counter.over { color: var(--err-fg); font-weight: 700; }
p.ask-error { margin: 6px 0 0; padding: 6px 10px; background: var(--err-bg); color: var(--err-fg); border-radius: 6px; font-size: 13px; }
.ask-suggestions { margin: 10px 0; display: flex; flex-direction: column; align-items: flex-start; gap: 4px; }
.ask-suggestions .ask-hint { flex: none; }
button.suggestion { text-align: left; font-size: 13px; border-radius: 999px; padding: 2px 12px; }
ol.ask-history { margin-top: 10px; }
.a.stage { color: var(--muted); }
.a.ask-error { color: var(--err-fg); }
.badge.unverified { background: var(--warn-bg); color: var(--warn-fg); }
.nearest { margin-top: 6px; font-size: 13px; }
.nearest p { margin: 0; }
.nearest-label { color: var(--muted); }
.references .ref-text { margin: 0; font-size: 13px; }
.references .ref-link { margin: 2px 0; font-size: 13px; }
.references .label { margin-right: 0.3em; }
`;

function addStyle(root) {
  if (!root || root.__ronbunAskStyle) return;
  root.__ronbunAskStyle = true;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(ASK_CSS);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    root.append?.(h("style", {}, ASK_CSS));
  }
}

/**
 * Hook for overlay.js (onKeydown, first): Esc in the question box leaves the box and does not
 * close the overlay; Esc during an IME conversion is the IME's. Returns true when handled.
 */
export function askEscape(event, root) {
  if (event?.key !== "Escape") return false;
  const active = root?.activeElement;
  if (!active?.matches?.('[data-ronbun="ask-input"]')) return false;
  event.stopPropagation();
  if (isComposing(event)) return true;
  event.preventDefault();
  const section = active.closest('[data-ronbun="ask"]');
  section?.querySelector('[data-ronbun="ask-input-error"]')?.setAttribute("hidden", "");
  (section ?? active).focus();
  return true;
}
