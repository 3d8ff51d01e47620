/**
 * The 標準 / 落合フォーマット switch above the result (issue 13). 落合フォーマット re-requests the
 * summary with template "ochiai" (POST /v1/summaries, then GET ...?template=ochiai), polls like
 * the overlay does, and shows the six questions and the paper's references to read next. The
 * standard view stays in the page (hidden) so switching back costs nothing; "Markdownでコピー"
 * still copies the standard summary.
 */

import { ASK_MSG } from "./ask-messages.js";
import { renderReferences } from "./ask-view.js";
import { pollUntilSettled } from "./poll.js";
import { STAGES, h, renderResult } from "./view.js";

/** paper key -> the finished ochiai state document (kept while the tab lives). */
const finished = new Map();

const NOT_OCHIAI_JA = "API サーバーが落合フォーマットに対応していません(標準の要約が返されました)。";

/** The ochiai result's view: the result as usual, its references, and ids of its own. */
export function renderOchiai(state) {
  const result = state?.result ?? {};
  const view = renderResult(state);
  view.dataset.template = "ochiai";
  // the standard view (hidden) owns the badge's ids in the same shadow root
  const details = view.querySelector("#ronbun-verification");
  if (details) {
    details.id = "ronbun-verification-ochiai";
    view.querySelector('[aria-controls="ronbun-verification"]')?.setAttribute("aria-controls", details.id);
  }
  const paper = result.paper ?? state?.paper ?? {};
  const refs = renderReferences(result.references, { paperId: String(paper.id ?? state?.paper_id ?? ""),
    version: Number.isInteger(paper.version) ? paper.version : null });
  const generator = view.querySelector('[data-ronbun="generator"]');
  if (refs && generator) generator.before(refs);
  else if (refs) view.append(refs);
  return view;
}

/**
 * Put the switch at the top of the overlay's result slot.
 * @param {HTMLElement} container holding the standard result view
 * @param {object} state the standard summary state document
 * @param {{send: Function, ref: {id: string, version: number|null}}} deps
 */
export function mountTemplateSwitch(container, state, { send, ref }) {
  const standard = [...container.children];
  const paper = state?.result?.paper ?? state?.paper ?? {};
  const target = { id: String(paper.id || ref.id), version: Number.isInteger(paper.version) ? paper.version : ref.version ?? null };
  const key = `${target.id}v${target.version ?? ""}`;
  const buttons = {
    standard: h("button", { type: "button", "data-ronbun": "template", "data-template": "standard", "aria-pressed": "true" }, "標準"),
    ochiai: h("button", { type: "button", "data-ronbun": "template", "data-template": "ochiai", "aria-pressed": "false" }, "落合フォーマット"),
  };
  const bar = h("div", { class: "template-switch", role: "group", "aria-label": "要約の形式", "data-ronbun": "template-switch" },
    buttons.standard, buttons.ochiai);
  const status = h("div", { class: "status", "data-ronbun": "ochiai-status", role: "status", "aria-live": "polite", hidden: true });
  const error = h("div", { class: "error", "data-ronbun": "ochiai-error", role: "alert", hidden: true });
  const slot = h("div", { class: "ochiai-slot", "data-ronbun": "ochiai", hidden: true });
  container.prepend(bar);
  container.append(status, error, slot);
  let loading = false;

  function showStage(s) {
    const info = STAGES[s?.stage] ?? STAGES[s?.status] ?? STAGES.queued;
    status.replaceChildren(h("span", { class: "stage" }, `落合フォーマット: ${info.text}`));
    status.hidden = container.dataset.ronbunTemplate !== "ochiai";
  }
  function showError(e) {
    status.hidden = true;
    const retry = h("button", { type: "button", class: "primary", "data-ronbun": "ochiai-retry" }, "再試行");
    retry.addEventListener("click", () => { buttons.ochiai.focus(); load(); });
    error.replaceChildren(h("p", { class: "message" }, String(e?.message_ja || "エラーが発生しました。")), h("div", { class: "actions" }, retry));
    error.hidden = container.dataset.ronbunTemplate !== "ochiai";
  }
  function show(done) {
    if (done.result?.template && done.result.template !== "ochiai") return showError({ message_ja: NOT_OCHIAI_JA });
    if (!done.result?.template && !Array.isArray(done.result?.references)) return showError({ message_ja: NOT_OCHIAI_JA });
    finished.set(key, done);
    status.hidden = true;
    error.hidden = true;
    slot.replaceChildren(renderOchiai(done));
    container.dataset.ronbunOchiai = "done";
  }
  async function load() {
    if (loading) return;
    loading = true;
    error.hidden = true;
    container.dataset.ronbunOchiai = "pending";
    try {
      showStage({ stage: "requesting" });
      const msg = { ref: target, template: "ochiai" };
      const first = await send({ type: ASK_MSG.TEMPLATE_START, ...msg });
      if (!first?.ok) return showError(first?.error);
      if (first.data?.status === "done" && first.data.result) return show(first.data);
      if (first.data?.status === "failed") return showError(first.data.error);
      showStage(first.data);
      const end = await pollUntilSettled({
        get: () => send({ type: ASK_MSG.TEMPLATE_GET, ...msg }),
        onState: (s) => { if (s?.status !== "done" && s?.status !== "failed") showStage(s); },
        isCancelled: () => !container.isConnected,
      });
      if (end.cancelled) return;
      if (!end.ok) return showError(end.error);
      if (end.data.status === "failed") return showError(end.data.error);
      show(end.data);
    } catch (err) {
      showError({ code: "internal_error", message_ja: "落合フォーマットの表示中にエラーが発生しました。再試行してください。", message: String(err) });
    } finally {
      loading = false;
      if (container.dataset.ronbunOchiai === "pending") container.dataset.ronbunOchiai = "error";
    }
  }
  function choose(template) {
    const ochiai = template === "ochiai";
    buttons.standard.setAttribute("aria-pressed", String(!ochiai));
    buttons.ochiai.setAttribute("aria-pressed", String(ochiai));
    for (const node of standard) node.hidden = ochiai;
    slot.hidden = !ochiai;
    status.hidden = !ochiai || !loading;
    if (!ochiai) error.hidden = true;
    container.dataset.ronbunTemplate = template;
    if (!ochiai || slot.childElementCount) return;
    const cached = finished.get(key);
    if (cached) show(cached);
    else load();
  }
  buttons.standard.addEventListener("click", () => choose("standard"));
  buttons.ochiai.addEventListener("click", () => choose("ochiai"));
  container.dataset.ronbunTemplate = "standard";
}
