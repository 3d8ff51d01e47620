/**
 * DOM building for the overlay. API text is untrusted: it only ever becomes text nodes,
 * and links are made only through the allow-list in links.js.
 */

import { allowedHosts, arxivUrl, pdfPageUrl, safeHref } from "./links.js";
import { OFFLINE_HINT, OFFLINE_LABEL, categoryLabels, formatJaDate } from "./markdown.js";
import { annotateTerms } from "./terms.js";
import { blockKey, hashText, hasJapanese, liveContent, progressText, qaKey, reconcileKeys } from "./live.js";

export const STAGES = Object.freeze({
  requesting: { text: "リクエストを送信中…", step: 0 },
  queued: { text: "処理の順番を待っています…", step: 0.5 },
  running: { text: "処理中…", step: 0.5 },
  fetching: { text: "PDFを取得中…", step: 1 },
  extracting: { text: "テキストを抽出中…", step: 2 },
  generating: { text: "要約を生成中…", step: 3 },
  verifying: { text: "検証中…", step: 4 },
});
export const STAGE_STEPS = 5;
const MAX_AUTHORS = 10;

export const ENGINE_LABELS = Object.freeze({
  offline: OFFLINE_LABEL,
  openai: "OpenAI",
});

/**
 * Create an element. Children that are strings become text nodes; attributes are set
 * with setAttribute (callers never pass API text as an attribute other than via link()).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

const text = (v) => (v == null ? "" : String(v));

/** An <a> when the URL passes the allow-list, otherwise plain text. */
export function link(url, label, hosts) {
  const href = safeHref(url, hosts);
  if (!href) return h("span", { class: "nolink" }, text(label));
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, text(label));
}

/** Title, authors, dates, categories and the arXiv id: shown as soon as the 202 arrives. */
export function renderPaper(paper, versionHint) {
  const hosts = allowedHosts([]);
  const authors = Array.isArray(paper?.authors) ? paper.authors.map(text) : [];
  const categories = categoryLabels(paper);
  const version = Number.isInteger(paper?.version) ? paper.version : versionHint;
  const idText = `arXiv:${text(paper?.id)}${version ? `v${version}` : ""}`;
  // One rule with the Markdown and the digest (DESIGN.md): both dates, even when they are equal.
  const dates = [`発行日: ${formatJaDate(paper?.published)}`, `最終更新日: ${formatJaDate(paper?.updated || paper?.published)}`];
  return h("div", { class: "paper", "data-ronbun": "paper" },
    h("h2", { class: "title", id: "ronbun-title" }, text(paper?.title)),
    h("p", { class: "meta authors", "data-ronbun": "authors" }, authors.length > MAX_AUTHORS
      ? `${authors.slice(0, MAX_AUTHORS).join(", ")} ほか${authors.length - MAX_AUTHORS}名` : authors.join(", ")),
    h("p", { class: "meta dates" }, dates.join(" / ")),
    h("p", { class: "meta" }, link(arxivUrl("abs", text(paper?.id), version), idText, hosts),
      categories.length ? ` · ${categories.join(", ")}` : ""),
    paper?.abstract ? h("details", { class: "abstract" }, h("summary", {}, "原文のアブストラクト"),
      h("p", { lang: "en", "data-ronbun": "abstract" }, text(paper.abstract))) : null);
}

const squash = (s) => text(s).replace(/\s+/g, " ").trim();

/** Is the quote already shown word for word in the answer (the offline engine's 「…」)? */
export function quoteShown(answer, quote) {
  const q = squash(quote);
  return q.length > 0 && squash(answer).includes(q);
}

function evidenceList(item, paperId, version) {
  const evidence = Array.isArray(item?.evidence) ? item.evidence : [];
  if (!evidence.length) return null;
  const hosts = allowedHosts([]);
  return h("ul", { class: "evidence", "aria-label": "根拠" }, evidence.map((ev) => {
    const page = Number(ev?.page);
    const url = pdfPageUrl(paperId, version, page);
    const expand = ev?.quote && !quoteShown(item?.answer, ev.quote);   // never repeat what is on screen
    return h("li", {},
      "根拠: ",
      url ? link(url, `p. ${page}`, hosts) : h("span", {}, `p. ${text(ev?.page)}`),
      expand ? h("details", {}, h("summary", {}, "引用を表示"), h("blockquote", { lang: "en" }, text(ev.quote))) : null);
  }));
}

/** The generator line: engine (offline clearly labelled), model, paper version. */
export function generatorLine(generator, paperId, version) {
  const engine = text(generator?.engine);
  const parts = [`生成: ${ENGINE_LABELS[engine] ?? engine}`];
  if (generator?.model) parts.push(`モデル: ${text(generator.model)}`);
  parts.push(`論文: arXiv:${text(paperId)}${version ? `v${version}` : ""}`);
  if (generator?.prompt_version) parts.push(`プロンプト: ${text(generator.prompt_version)}`);
  return parts.join(" · ");
}

/** The PDF page link of one quote, or plain text when the page is not a valid number. */
function pageLink(paperId, version, page, label) {
  const n = Number(page);
  const url = pdfPageUrl(paperId, version, n);
  return url ? link(url, label ?? `p. ${n}`, allowedHosts([])) : h("span", {}, `p. ${text(page)}`);
}

/* ----------------------------------------------------------------- tap-to-evidence sentences */

let evidenceIds = 0;

function fillEvidence(box, sentence, paperId, version) {
  box.append(h("ul", {}, sentence.evidence.map((ev) => h("li", {},
    ev?.quote && !quoteShown(sentence.text, ev.quote) ? h("blockquote", { lang: "en" }, text(ev.quote)) : null,
    h("span", { class: "page" }, "根拠: ", pageLink(paperId, version, ev?.page, `論文の p. ${text(ev?.page)} を開く`))))));
}

function setOpen(sentence, box, open) {
  box.hidden = !open;
  sentence.setAttribute("aria-expanded", String(open));
}

/**
 * One sentence of the one-liner / 概要. With evidence it is button-like (role=button, focusable,
 * click / Enter / Space toggle) and opens its English quote(s) and page link right below it; the
 * box is filled on first open, so closed sentences add no text. Without evidence: plain text.
 */
export function sentenceNodes(sentence, shownText, paperId, version, key) {
  if (!sentence.evidence.length) return [h("span", { class: "sentence plain", "data-ronbun-text": "", "data-ronbun-key": key }, shownText)];
  const id = `ronbun-evidence-${++evidenceIds}`;
  const box = h("div", { class: "sentence-evidence", id, "data-ronbun": "sentence-evidence", hidden: true });
  const span = h("span", { class: "sentence", role: "button", tabindex: "0", "aria-expanded": "false", "aria-controls": id,
    "data-ronbun": "sentence", "data-ronbun-text": "", "data-ronbun-key": key, title: "根拠の英文を表示" }, shownText);
  const toggle = () => {
    if (!box.hasChildNodes()) fillEvidence(box, sentence, paperId, version);
    setOpen(span, box, box.hidden);
  };
  span.addEventListener("click", toggle);
  span.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    toggle();
  });
  return [span, box];
}

/**
 * Esc inside an open sentence (on it or in its evidence): close it and focus the sentence.
 * @returns {boolean} whether Esc was used here (the overlay then stays open)
 */
export function closeEvidenceAt(active) {
  if (!active?.closest) return false;
  const box = active.closest('[data-ronbun="sentence-evidence"]');
  const sentence = box ? box.previousElementSibling : active.closest('[data-ronbun="sentence"]');
  if (!sentence || sentence.getAttribute("aria-expanded") !== "true") return false;
  setOpen(sentence, box ?? sentence.nextElementSibling, false);
  sentence.focus();
  return true;
}

/* ----------------------------------------------------------------- the result, progressively */

const ANCHORS = ".paper, .result > :not([hidden]), ol.qa > li";

/**
 * Run a DOM change without moving what the reader looks at: the first block still visible at
 * the top of the scroller stays at the same place on screen (CSS scroll anchoring is off).
 */
export function keepScroll(scroller, mutate) {
  if (!scroller?.isConnected || scroller.scrollTop <= 0) return mutate();
  const top = scroller.getBoundingClientRect().top;
  const anchor = [...scroller.querySelectorAll(ANCHORS)].find((n) => n.getBoundingClientRect().bottom > top);
  const before = anchor?.getBoundingClientRect().top;
  const out = mutate();
  if (anchor?.isConnected) scroller.scrollTop += anchor.getBoundingClientRect().top - before;
  return out;
}

/** Put texts into a block's text holders in place (the glossary notes of the final result). */
function retext(node, texts) {
  const holders = node.querySelectorAll("[data-ronbun-text]");
  if (holders.length !== texts.length) return;
  holders.forEach((n, i) => { if (n.textContent !== texts[i]) n.textContent = texts[i]; });
}

function blockChildren(kind, plain, sentences, texts, paperId, version) {
  if (sentences.length) {
    return sentences.flatMap((s, i) => sentenceNodes(s, texts[i], paperId, version, `${kind}-${i}-${hashText(s.text)}`));
  }
  if (kind === "summary") return texts.map((p) => h("p", { "data-ronbun-text": "" }, p));
  return [h("span", { "data-ronbun-text": "" }, texts[0] ?? plain)];
}

/** The texts a block shows: its sentences, or its paragraphs (概要) / its one line. */
function blockTexts(kind, plain, sentences) {
  if (sentences.length) return sentences.map((s) => s.text);
  if (kind === "summary") return text(plain).split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return [text(plain)];
}

function qaNode(item, key, q, a, paperId, version) {
  return h("li", { "data-ronbun": "qa", "data-ronbun-key": key },
    h("p", { class: "q" }, h("span", { class: "label" }, "Q"), h("span", { "data-ronbun-text": "" }, q)),
    h("p", { class: "a" }, h("span", { class: "label" }, "A"), h("span", { "data-ronbun-text": "" }, a)),
    evidenceList(item, paperId, version));
}

/**
 * The result section, built as the job goes: the abstract-based one-liner and 概要 (labelled
 * 「アブストラクトより」), then the full-text ones in their place, then each verified Q&A item
 * appended, then the final result. Nodes already shown are never rebuilt: a block is replaced
 * only when its content changed (abstract -> full text), Q&A items are keyed and only appended
 * (removed only when the final result dropped them), so focus and scroll stay where they are.
 * @param {{scroller?: HTMLElement}} [o] the scrolling element (kept still across changes)
 */
export function createResultView({ scroller } = {}) {
  const s = {
    badges: h("div", { class: "badges" }),
    source: h("p", { class: "source-label", "data-ronbun": "source-label", hidden: true,
      title: "論文のアブストラクトだけから作った要約です。本文を読み終えると置き換わります。" }, "アブストラクトより"),
    oneLiner: h("div", { class: "one-liner", "data-ronbun": "one-liner" }),
    summaryHeading: h("h3", {}, "概要"),
    summary: h("div", { class: "summary", "data-ronbun": "summary" }),
    qaHeading: h("h3", { hidden: true }, "Q&A"),
    qa: h("ol", { class: "qa", hidden: true }),
    qaProgress: h("p", { class: "qa-progress", "data-ronbun": "qa-progress", hidden: true }),
    afterQa: h("div", { class: "after-qa", "data-ronbun": "after-qa" }),  // later sections (e.g. questions) go here
    tail: h("div", { class: "tail" }),
  };
  const section = h("section", { class: "result", "aria-label": "要約", "data-ronbun": "result", hidden: true },
    s.badges, s.source, s.oneLiner, s.summaryHeading, s.summary, s.qaHeading, s.qa, s.qaProgress, s.afterQa, s.tail);
  let finished = false;

  function block(node, kind, plain, sentences, texts, paperId, version) {
    const key = blockKey(kind, plain, sentences);
    if (node.dataset.ronbunKey === key) return retext(node, texts);
    const hadFocus = node.contains(node.getRootNode().activeElement ?? null);
    node.replaceChildren(...blockChildren(kind, plain, sentences, texts, paperId, version));
    node.dataset.ronbunKey = key;
    if (hadFocus) (node.querySelector('[data-ronbun="sentence"]') ?? node.closest("[tabindex]"))?.focus();
  }

  function qaList(items, texts, appendOnly, paperId, version) {
    const byKey = new Map([...s.qa.children].map((li) => [li.dataset.ronbunKey, li]));
    const wanted = [];
    const seen = new Set();
    items.forEach((item, i) => {
      const key = qaKey(item);
      if (seen.has(key)) return;
      seen.add(key);
      wanted.push({ key, item, q: texts[2 * i], a: texts[2 * i + 1] });
    });
    const plan = reconcileKeys([...byKey.keys()], wanted.map((w) => w.key), { appendOnly });
    for (const key of plan.removed) byKey.get(key).remove();
    for (const w of wanted) {
      const li = byKey.get(w.key);
      if (!li) continue;
      retext(li.querySelector(".q"), [w.q]);
      retext(li.querySelector(".a"), [w.a]);
    }
    if (appendOnly) {
      for (const w of wanted) if (!byKey.has(w.key)) s.qa.append(qaNode(w.item, w.key, w.q, w.a, paperId, version));
    } else if (!plan.same) {
      wanted.forEach((w, i) => {
        const li = byKey.get(w.key) ?? qaNode(w.item, w.key, w.q, w.a, paperId, version);
        if (s.qa.children[i] !== li) s.qa.insertBefore(li, s.qa.children[i] ?? null);
      });
    }
    s.qa.hidden = s.qaHeading.hidden = s.qa.children.length === 0;
  }

  function finish(result, paperId, version) {
    const engine = text(result.generator?.engine);
    const codeUrls = Array.isArray(result.code_urls) ? result.code_urls.map(text) : [];
    const hosts = allowedHosts(codeUrls);
    const put = (node, ...children) => node.replaceChildren(...children.filter(Boolean));
    put(s.badges,
      h("span", { class: engine === "offline" ? "badge offline" : "badge", "data-ronbun": "engine" },
        engine === "offline" ? OFFLINE_LABEL : `${ENGINE_LABELS[engine] ?? engine} による要約`),
      ...verificationBadge(result.quality),
      engine === "offline" ? h("p", { class: "offline-hint", "data-ronbun": "offline-hint" }, OFFLINE_HINT) : null);
    put(s.tail,
      codeUrls.length ? h("h3", {}, "コード") : null,
      codeUrls.length ? h("ul", { class: "code", "data-ronbun": "code" }, codeUrls.map((u) => h("li", {}, link(u, u, hosts)))) : null,
      qualityNote(result.quality),
      h("p", { class: "generator", "data-ronbun": "generator" }, generatorLine(result.generator, paperId, version)));
    finished = true;
  }

  /**
   * Show what a state carries (a partial or the final result); nothing else changes.
   * @returns {{stage: string, japanese: boolean, qa: number} | null} null when there is nothing to show
   */
  function update(state) {
    const c = liveContent(state);
    if (!c || finished) return c && { stage: c.stage, japanese: hasJapanese(c), qa: s.qa.children.length };
    const done = c.stage === "done";
    const paper = (done ? state.result.paper : null) ?? state?.paper ?? {};
    const paperId = text(paper.id || state?.paper_id);
    const version = Number.isInteger(paper.version) ? paper.version : (Number.isInteger(state?.version) ? state.version : null);
    const ol = blockTexts("one-liner", c.oneLiner, c.oneLinerSentences);
    const sum = blockTexts("summary", c.summary, c.summarySentences);
    // the English of marked glossary terms once, at first use: 埋め込み(embedding) (plain text)
    const all = annotateTerms([...ol, ...sum, ...c.qa.flatMap((item) => [item?.question, item?.answer])], c.glossary);
    keepScroll(scroller, () => {
      section.hidden = false;
      section.dataset.ronbunStage = c.stage;
      if (done) finish(state.result, paperId, version);
      else if (!s.badges.hasChildNodes()) {
        s.badges.append(h("span", { class: "badge pending", "data-ronbun": "verification-pending" }, "検証中"));
      }
      s.source.hidden = c.stage !== "abstract";
      if (c.oneLiner || c.oneLinerSentences.length) block(s.oneLiner, "one-liner", c.oneLiner, c.oneLinerSentences, all.slice(0, ol.length), paperId, version);
      if (c.summary || c.summarySentences.length) block(s.summary, "summary", c.summary, c.summarySentences, all.slice(ol.length, ol.length + sum.length), paperId, version);
      qaList(c.qa, all.slice(ol.length + sum.length), !done, paperId, version);
      const progress = done ? null : progressText(c.progress);
      s.qaProgress.hidden = !progress;
      // done: no 「…件を検証済み」 left behind in the DOM, even hidden (the badge alone speaks for the result)
      if (s.qaProgress.textContent !== (progress || "")) s.qaProgress.textContent = progress || "";
    });
    return { stage: c.stage, japanese: hasJapanese(c), qa: s.qa.children.length };
  }

  return { section, slots: s, update };
}

/**
 * The finished summary in one go (a cached result, or a server without partials): engine badge,
 * one-liner, 概要, Q&A with evidence, code links and the generator line.
 * @param {object} state the API state document with status "done"
 * @returns {HTMLElement}
 */
export function renderResult(state) {
  const view = createResultView();
  view.update(state);
  return view.section;
}

/** What verification removed, said plainly: readers should know some answers were held back. */
export function qualityNote(quality) {
  const dropped = Array.isArray(quality?.dropped) ? new Set(quality.dropped.map((f) => f?.item)).size : 0;
  if (!dropped) return null;
  return h("p", { class: "generator", "data-ronbun": "quality" },
    `論文の本文で裏付けを確認できなかった Q&A を ${dropped} 件除外しました。`);
}

/*
 * The verification badge. The reasons are the backend's Japanese texts (ronbun/verify/messages.py,
 * sent as dropped[].message_ja and left_out[].detail_ja): one source of truth for the overlay, the
 * CLI and the Markdown. This file only holds the headings and neutral fallbacks for results that
 * carry no such text (stored before the texts existed).
 */
export const VERIFIED_JA = "検証済み";
export const PARTIAL_JA = "一部検証できず";
export const UNCHECKED_JA = "未検証";
export const OLD_FORMAT_JA = "この結果は検証の記録方式が変わる前に作られたため、検証の詳細はありません。";
const UNKNOWN_FINDING_JA = "検証で問題が見つかりました";

/**
 * What the badge says and what its details list. 「検証済み」 only when quality.verified is true;
 * a result without `verified` (an old cached one) is not verified and gets a neutral note.
 * @param {object|undefined} quality the result's quality
 * @returns {{state: "verified"|"partial"|"old"|"unchecked", label: string, lines: string[]}}
 */
export function verificationInfo(quality) {
  const q = quality && typeof quality === "object" ? quality : {};
  const lines = [];
  let state;
  if (q.verified === true) {
    state = "verified";
    const n = Array.isArray(q.checks) ? q.checks.length : 0;
    lines.push(`表示中のすべての項目が、論文の本文と照合する検証${n ? `（${n} 種類）` : ""}を通過しました。`);
  } else if (!q.checked) {
    state = "unchecked";
    lines.push("この結果は検証されていません。");
  } else if (!("verified" in q)) {
    state = "old";
    lines.push(OLD_FORMAT_JA);
  } else {
    state = "partial";
    for (const x of Array.isArray(q.left_out) ? q.left_out : []) {
      lines.push(text(x?.detail_ja) || `検証の対象外の部分があります（${text(x?.kind)}）`);
    }
    if (!lines.length) lines.push("検証を通らなかった理由は記録されていません。");
  }
  const dropped = Array.isArray(q.dropped) ? q.dropped : [];
  const items = new Set(dropped.map((f) => f?.item));
  if (items.size) {
    const reasons = [...new Set(dropped.map((f) => text(f?.message_ja) || `${UNKNOWN_FINDING_JA}（${text(f?.code)}）`))];
    lines.push(`検証で除外した Q&A: ${items.size} 件（${reasons.join("、")}）`);
  }
  const label = { verified: VERIFIED_JA, unchecked: UNCHECKED_JA }[state] ?? PARTIAL_JA;
  return { state, label, lines };
}

/** The badge (a disclosure button, Enter/Space/click) and its details, hidden until asked for. */
export function verificationBadge(quality) {
  const info = verificationInfo(quality);
  const details = h("div", { class: "verification", id: "ronbun-verification", "data-ronbun": "verification-details", hidden: true },
    h("ul", {}, info.lines.map((line) => h("li", {}, line))));
  const button = h("button", { type: "button", class: `badge verify ${info.state}`, "data-ronbun": "verification",
    "data-state": info.state, "aria-expanded": "false", "aria-controls": "ronbun-verification",
    title: "検証の詳細を表示" }, info.label);
  button.addEventListener("click", () => {
    const open = details.hidden;
    details.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
  });
  return [button, details];
}
