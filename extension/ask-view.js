/**
 * Pure parts of the question box and the 落合フォーマット view (issue 13): suggested questions
 * drawn from the paper's result, key rules, stage texts and the DOM of an answer and of the
 * reference list. API text and the reader's question are untrusted: text nodes only (view.js h()).
 */

import { MAX_QUESTION_CHARS, charCount } from "./ask-messages.js";
import { allowedHosts, arxivUrl, pdfPageUrl } from "./links.js";
import { OFFLINE_LABEL } from "./markdown.js";
import { h, link, quoteShown } from "./view.js";

export const NOT_FOUND_JA = "この論文には記載がありません";
export const NEAREST_JA = "論文中で最も近い記述";
export const VERIFIED_JA = "検証済み";
export const UNVERIFIED_JA = "未検証";

/** What the reader sees while a question waits, by the API's status/stage (unknown codes: a neutral text). */
export const ASK_STAGES = Object.freeze({
  requesting: "質問を送信中…",
  queued: "回答の順番を待っています…",
  running: "回答を準備中…",
  fetching: "PDFを取得中…",
  extracting: "テキストを抽出中…",
  retrieving: "関連するページを探しています…",
  selecting: "関連するページを探しています…",
  generating: "回答を生成中…",
  answering: "回答を生成中…",
  verifying: "回答を検証中…",
});

export function stageText(state) {
  const key = [state?.stage, state?.status].find((k) => typeof k === "string" && Object.hasOwn(ASK_STAGES, k));
  return ASK_STAGES[key ?? "running"];
}

const text = (v) => (v == null ? "" : String(v));
const norm = (s) => text(s).normalize("NFKC").toLowerCase().replace(/[\s?？。、.,!！「」『』"'()（）]/g, "");
// a term fit for a question: short, one line, no brackets that would nest oddly in 「」
const fitTerm = (s) => {
  const t = text(s).replace(/\s+/g, " ").trim();
  return t && charCount(t) <= 40 && !/[「」<>{}\n]/.test(t) ? t : "";
};

const TERM_TEMPLATES = [
  (t) => `この論文での「${t}」とは何ですか？`,
  (t) => `「${t}」はどのように評価されていますか？`,
  (t) => `「${t}」の限界や課題は何ですか？`,
];
const NAME_TEMPLATES = [
  (t) => `「${t}」は既存の手法と比べて何が優れていますか？`,
  (t) => `「${t}」はどのようなデータで評価されていますか？`,
  (t) => `「${t}」の限界は何ですか？`,
];

// acronyms of a whole field name no paper in particular: no question to suggest about them
const GENERIC_NAMES = new Set(["AI", "ML", "NLP", "LLM", "LLMs", "RNN", "RNNs", "CNN", "CNNs", "GPU", "GPUs", "QA", "RL", "API", "SOTA"]);

/**
 * Names in English text: tokens with a part of two or more capitals (LoRA, GPT-4, BM25) or a
 * capital word with a number (Llama-2). "Open-Domain" is two words, not a name.
 * @param {string} english @param {number} [minLength] shorter names are left out (QA, ML)
 */
export function namesIn(english, minLength = 2) {
  const out = [];
  for (const m of text(english).matchAll(/[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*/g)) {
    const w = m[0];
    const named = w.split("-").some((part) => (part.match(/[A-Z]/g) ?? []).length >= 2) || /^[A-Z][A-Za-z]*-?\d/.test(w);
    if (named && w.length >= minLength && !GENERIC_NAMES.has(w) && !out.includes(w)) out.push(w);
  }
  return out;
}

/**
 * Three questions drawn from the paper's result: its glossary terms first (the paper's own
 * vocabulary), then names in its title and abstract, then its title itself. Never one the Q&A already asks.
 * @param {object} result the result document (qa, glossary_terms, paper.title)
 * @param {number} [n]
 * @returns {string[]}
 */
export function suggestQuestions(result, n = 3) {
  const asked = new Set((Array.isArray(result?.qa) ? result.qa : []).map((q) => norm(q?.question)));
  const out = [];
  const add = (q) => {
    if (out.length < n && q && charCount(q) <= MAX_QUESTION_CHARS && !asked.has(norm(q)) && !out.some((x) => norm(x) === norm(q))) out.push(q);
  };
  const used = new Set();
  const topics = [];
  const topic = (t) => { if (t && !used.has(norm(t))) { used.add(norm(t)); topics.push(t); } };
  for (const g of Array.isArray(result?.glossary_terms) ? result.glossary_terms : []) topic(fitTerm(g?.ja) || fitTerm(g?.en));
  const termCount = topics.length;
  const title = text(result?.paper?.title).replace(/\s+/g, " ").trim();
  for (const name of namesIn(title)) topic(fitTerm(name));
  for (const name of namesIn(result?.paper?.abstract, 3)) topic(fitTerm(name));
  // each suggestion asks a different kind of question: the first template not used yet whose question is new
  const usedTemplates = new Set();
  topics.forEach((t, i) => {
    for (let k = 0; k < 3 && out.length < n; k++) {
      if (usedTemplates.has(k)) continue;
      const before = out.length;
      add((i < termCount ? TERM_TEMPLATES : NAME_TEMPLATES)[k](t));
      if (out.length > before) { usedTemplates.add(k); break; }
    }
  });
  if (title) {
    const short = charCount(title) > 80 ? `${[...title].slice(0, 80).join("")}…` : title;
    [`論文「${short}」の主な貢献は何ですか？`, `論文「${short}」の手法はどのように評価されていますか？`,
      `論文「${short}」の限界は何ですか？`].forEach(add);
  }
  return out;
}

/** Is this keydown part of an IME composition (converting kana to kanji)? Then it is not ours. */
export function isComposing(event) {
  return Boolean(event?.isComposing) || event?.keyCode === 229;
}

/** Enter submits; Shift+Enter is a new line; Enter that confirms an IME conversion never submits. */
export function isSubmitKey(event) {
  return event?.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !isComposing(event);
}

/** The badge says 検証済み only when the API says so (answer.verified or quality.verified exactly true). */
export function answerVerified(doc) {
  return doc?.answer?.verified === true || doc?.quality?.verified === true || doc?.answer?.quality?.verified === true;
}

/** Evidence pages with links to the PDF page and the quote (hidden until asked for, unless short of one). */
export function renderEvidence(evidence, { paperId, version, answerText } = {}) {
  const list = Array.isArray(evidence) ? evidence : [];
  if (!list.length) return null;
  const hosts = allowedHosts([]);
  return h("ul", { class: "evidence", "aria-label": "根拠", "data-ronbun": "ask-evidence" }, list.map((ev) => {
    const page = Number(ev?.page);
    const url = pdfPageUrl(paperId, version, page);
    const expand = ev?.quote && !quoteShown(answerText, ev.quote);
    return h("li", {},
      "根拠: ",
      url ? link(url, `p. ${page}`, hosts) : h("span", {}, `p. ${text(ev?.page)}`),
      expand ? h("details", {}, h("summary", {}, "引用を表示"), h("blockquote", { lang: "en" }, text(ev.quote))) : null);
  }));
}

/**
 * One question of this session and its answer, shown like a Q&A item.
 * @param {{question: string, status: "pending"|"done"|"error", stage?: string, doc?: object, error?: object}} entry
 * @param {{paperId: string, version: number|null}} where
 */
export function renderAnswer(entry, { paperId, version } = {}) {
  const doc = entry?.doc ?? {};
  const answer = doc.answer && typeof doc.answer === "object" ? doc.answer : {};
  const li = h("li", { "data-ronbun": "ask-item", "data-state": entry?.status ?? "pending" },
    h("p", { class: "q" }, h("span", { class: "label" }, "Q"), text(entry?.question)));
  if (entry?.status === "pending") {
    li.append(h("p", { class: "a stage", "data-ronbun": "ask-stage", role: "status" }, entry.stage || ASK_STAGES.requesting));
    return li;
  }
  if (entry?.status === "error") {
    li.append(h("p", { class: "a ask-error", "data-ronbun": "ask-error", role: "alert" },
      text(entry.error?.message_ja) || "回答を取得できませんでした。"));
    return li;
  }
  const where = { paperId: paperId || text(doc.paper?.id), version: Number.isInteger(doc.paper?.version) ? doc.paper.version : version };
  // without a model the answer is the paper's own sentences: say so, as the summary does
  const offline = answer.generator?.engine === "offline"
    ? h("span", { class: "badge offline", "data-ronbun": "ask-engine" }, OFFLINE_LABEL) : null;
  if (answer.found === true) {
    li.dataset.found = "true";
    li.append(...[
      h("p", { class: "a", "data-ronbun": "ask-answer" }, h("span", { class: "label" }, "A"), text(answer.text)),
      h("span", { class: answerVerified(doc) ? "badge" : "badge unverified", "data-ronbun": "ask-badge" },
        answerVerified(doc) ? VERIFIED_JA : UNVERIFIED_JA), offline ? " " : null, offline,
      renderEvidence(answer.evidence, { ...where, answerText: answer.text })].filter(Boolean));
    return li;
  }
  li.dataset.found = "false";
  li.append(h("p", { class: "a", "data-ronbun": "ask-not-found" }, h("span", { class: "label" }, "A"), NOT_FOUND_JA), ...[offline].filter(Boolean));
  // the nearest thing the paper does say: answer.nearest {text, evidence}, or the answer's own text/evidence
  const near = answer.nearest && typeof answer.nearest === "object" ? answer.nearest : answer;
  const nearText = text(near.text).trim();
  const showText = nearText && !nearText.includes("記載がありません");
  const evidence = Array.isArray(near.evidence) ? near.evidence : [];
  if (showText || evidence.length) {
    li.append(h("div", { class: "nearest", "data-ronbun": "ask-nearest" },
      h("p", { class: "nearest-label" }, `${NEAREST_JA}:`),
      showText ? h("p", { class: "nearest-text" }, nearText) : null,
      // the quote is "on screen" only if the text holding it is shown
      renderEvidence(evidence, { ...where, answerText: showText ? nearText : "" })));
  }
  return li;
}

/**
 * 「次に読むべき論文」: each entry of the paper's own reference list, linked to arXiv when it
 * carries an arXiv id, with the line on why and its evidence.
 * @param {Array<{text: string, arxiv_id: string|null, why: string, evidence: Array}>} references
 */
export function renderReferences(references, { paperId, version } = {}) {
  const list = Array.isArray(references) ? references : [];
  if (!list.length) return null;
  const hosts = allowedHosts([]);
  return h("section", { class: "references", "data-ronbun": "references", "aria-label": "次に読むべき論文" },
    h("h3", {}, "次に読むべき論文（この論文の参考文献から）"),
    h("ol", { class: "qa" }, list.map((r) => {
      const url = r?.arxiv_id ? arxivUrl("abs", text(r.arxiv_id), null) : null;
      return h("li", { "data-ronbun": "reference" },
        h("p", { class: "ref-text", lang: "en" }, text(r?.text)),
        url ? h("p", { class: "ref-link" }, link(url, `arXiv:${text(r.arxiv_id)}`, hosts)) : null,
        r?.why ? h("p", { class: "a", "data-ronbun": "reference-why" }, h("span", { class: "label" }, "理由"), text(r.why)) : null,
        renderEvidence(r?.evidence, { paperId, version, answerText: r?.why }));
    })));
}
