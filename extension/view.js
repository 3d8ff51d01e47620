/**
 * DOM building for the overlay. API text is untrusted: it only ever becomes text nodes,
 * and links are made only through the allow-list in links.js.
 */

import { allowedHosts, arxivUrl, pdfPageUrl, safeHref } from "./links.js";
import { OFFLINE_HINT, OFFLINE_LABEL, categoryLabels, formatJaDate } from "./markdown.js";
import { annotateTerms } from "./terms.js";

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

function summaryParagraphs(summary) {
  const parts = text(summary).split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return parts.map((p) => h("p", {}, p));
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

/**
 * The finished summary: engine badge, one-liner, 概要, Q&A with evidence, code links and
 * the generator line.
 * @param {object} state the API state document with status "done"
 * @returns {HTMLElement}
 */
export function renderResult(state) {
  const result = state?.result ?? {};
  const paper = result.paper ?? state?.paper ?? {};
  const paperId = text(paper.id || state?.paper_id);
  const version = Number.isInteger(paper.version) ? paper.version : (Number.isInteger(state?.version) ? state.version : null);
  const codeUrls = Array.isArray(result.code_urls) ? result.code_urls.map(text) : [];
  const hosts = allowedHosts(codeUrls);
  const engine = text(result.generator?.engine);
  const qa = Array.isArray(result.qa) ? result.qa : [];
  // the English of marked glossary terms once, at first use: 埋め込み(embedding) (plain text)
  const [oneLiner, summary, ...qaTexts] = annotateTerms(
    [result.one_liner, result.summary, ...qa.flatMap((item) => [item?.question, item?.answer])], result.glossary_terms);
  return h("section", { class: "result", "aria-label": "要約" },
    h("span", { class: engine === "offline" ? "badge offline" : "badge", "data-ronbun": "engine" },
      engine === "offline" ? OFFLINE_LABEL : `${ENGINE_LABELS[engine] ?? engine} による要約`),
    ...verificationBadge(result.quality),
    engine === "offline" ? h("p", { class: "offline-hint", "data-ronbun": "offline-hint" }, OFFLINE_HINT) : null,
    h("p", { class: "one-liner", "data-ronbun": "one-liner" }, oneLiner),
    h("h3", {}, "概要"),
    h("div", { class: "summary", "data-ronbun": "summary" }, summaryParagraphs(summary)),
    qa.length ? h("h3", {}, "Q&A") : null,
    qa.length ? h("ol", { class: "qa" }, qa.map((item, i) => h("li", { "data-ronbun": "qa" },
      h("p", { class: "q" }, h("span", { class: "label" }, "Q"), qaTexts[2 * i]),
      h("p", { class: "a" }, h("span", { class: "label" }, "A"), qaTexts[2 * i + 1]),
      evidenceList(item, paperId, version)))) : null,
    codeUrls.length ? h("h3", {}, "コード") : null,
    codeUrls.length ? h("ul", { class: "code", "data-ronbun": "code" }, codeUrls.map((u) => h("li", {}, link(u, u, hosts)))) : null,
    qualityNote(result.quality),
    h("p", { class: "generator", "data-ronbun": "generator" }, generatorLine(result.generator, paperId, version)));
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
