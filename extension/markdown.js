/**
 * "Copy as Markdown": one paper in the weekly digest's per-paper format (title, 著者:,
 * 発行日:, 最終更新日:, URL:, カテゴリ:, 概要:, Q&A: with Q:/A: lines).
 */

import { arxivUrl } from "./links.js";

/** How the offline engine is labelled everywhere (same words as the digest). */
export const OFFLINE_LABEL = "原文抜粋(生成モデルなし)";
export const OFFLINE_HINT = "論文の文をそのまま引用しています。日本語の要約には OPENAI_API_KEY(または OpenAI 互換のローカルサーバー)を設定してください。";

/** "2024-02-01" or "2024-02-01T18:00:00Z" -> "2024年02月01日"; other text as is; empty -> "不明". */
export function formatJaDate(value) {
  const s = String(value ?? "").trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(s);
  return m ? `${m[1]}年${m[2]}月${m[3]}日` : s || "不明";
}

function oneLine(value) {
  return String(value ?? "").replace(/\s+/g, " ").trim();
}

function paragraphs(value) {
  return String(value ?? "")
    .split(/\n\s*\n/)
    .map(oneLine)
    .filter(Boolean)
    .join("\n\n");
}

/**
 * The paper's categories as shown to the reader: the human names the API sends
 * (`category_names`, from the backend's taxonomy), or the raw codes when it sends none.
 */
export function categoryLabels(paper) {
  const names = Array.isArray(paper?.category_names) ? paper.category_names : paper?.categories;
  return (Array.isArray(names) ? names : []).map(oneLine).filter(Boolean);
}

/** The PDF URL of the paper (the one the summary was made from when the version is known). */
export function pdfUrl(paper) {
  return arxivUrl("pdf", String(paper?.id ?? ""), paper?.version) ?? oneLine(paper?.pdf_url);
}

function evidencePages(evidence) {
  const pages = [...new Set((Array.isArray(evidence) ? evidence : []).map((e) => Number(e?.page)).filter(Number.isInteger))];
  return pages.sort((a, b) => a - b).map((n) => `p.${n}`).join(", ");
}

/**
 * The 概要 with a footnote mark after each sentence that has evidence, and the footnotes
 * (`[^1]: p.3 "quote"`), so a digest reader can check a claim without the extension.
 * Null when the result has no summary sentences (older results): the plain 概要 is used.
 */
export function summaryWithFootnotes(result) {
  const sentences = (Array.isArray(result?.summary_sentences) ? result.summary_sentences : [])
    .filter((s) => s && oneLine(s.text));
  if (!sentences.length) return null;
  const notes = [];
  const body = sentences.map((s) => {
    const evidence = (Array.isArray(s.evidence) ? s.evidence : []).filter((e) => e && oneLine(e.quote));
    if (!evidence.length) return oneLine(s.text);
    notes.push(`[^${notes.length + 1}]: ${evidence.map((e) => `p.${oneLine(e.page)} "${oneLine(e.quote)}"`).join("; ")}`);
    return `${oneLine(s.text)}[^${notes.length}]`;
  }).join("");
  return { body, notes };
}

/**
 * The Markdown for one finished summary, line for line as the digest renders a paper
 * (shared/ronbun/render.py paper_markdown).
 * @param {{paper?: object, result?: object}} state the API's state document (status done)
 * @param {{evidence?: "none"|"footnotes"}} [options] footnotes: the 概要's evidence as footnotes
 * @returns {string}
 */
export function toMarkdown(state, { evidence = "none" } = {}) {
  const paper = state?.result?.paper ?? state?.paper ?? {};
  const result = state?.result ?? {};
  const authors = (Array.isArray(paper.authors) ? paper.authors : []).map(oneLine).filter(Boolean);
  const categories = categoryLabels(paper);
  const footnoted = evidence === "footnotes" ? summaryWithFootnotes(result) : null;
  const lines = [
    `## ${oneLine(paper.title)}`,
    "",
    `著者: ${authors.join(", ")}`,
    `発行日: ${formatJaDate(paper.published)}`,
    `最終更新日: ${formatJaDate(paper.updated || paper.published)}`,
    `URL: ${pdfUrl(paper)}`,
    `カテゴリ: ${categories.join(", ")}`,
    "",
    "概要:",
    footnoted ? footnoted.body : paragraphs(result.summary),
    "",
  ];
  const qa = Array.isArray(result.qa) ? result.qa : [];
  if (qa.length) {
    lines.push("Q&A:");
    for (const item of qa) {
      const pages = evidencePages(item?.evidence);
      lines.push(`Q: ${oneLine(item?.question)}`, `A: ${oneLine(item?.answer)}${pages ? `(根拠: ${pages})` : ""}`);
    }
    lines.push("");
  }
  const codeUrls = (Array.isArray(result.code_urls) ? result.code_urls : []).map(oneLine).filter(Boolean);
  if (codeUrls.length) lines.push(`コード: ${codeUrls.join(" ")}`, "");
  if (result.generator?.engine === "offline") lines.push(`※ ${OFFLINE_LABEL}: ${OFFLINE_HINT}`, "");
  if (footnoted?.notes.length) lines.push(...footnoted.notes, "");
  return lines.join("\n").trimEnd() + "\n";
}
