/**
 * "Copy as Markdown": one paper in the weekly digest's per-paper format (title, 著者:,
 * 発行日:, 最終更新日:, URL:, カテゴリ:, 概要:, Q&A: with Q:/A: lines).
 */

import { categoryName } from "./categories.js";
import { refToString, parseId } from "./ids.js";

/** "2024-02-01" or "2024-02-01T18:00:00Z" -> "2024年02月01日"; other text is returned as is. */
export function formatJaDate(value) {
  const s = String(value ?? "").trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(s);
  return m ? `${m[1]}年${m[2]}月${m[3]}日` : s;
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

/** The PDF URL of the paper (the one the summary was made from when the version is known). */
export function pdfUrl(paper) {
  const ref = parseId(String(paper?.id ?? ""));
  if (!ref) return oneLine(paper?.pdf_url);
  const version = Number.isInteger(paper?.version) ? paper.version : ref.version;
  return `https://arxiv.org/pdf/${refToString({ id: ref.id, version })}`;
}

/**
 * The Markdown for one finished summary.
 * @param {{paper?: object, result?: object}} state the API's state document (status done)
 * @returns {string}
 */
export function toMarkdown(state) {
  const paper = state?.result?.paper ?? state?.paper ?? {};
  const result = state?.result ?? {};
  const authors = (Array.isArray(paper.authors) ? paper.authors : []).map(oneLine).filter(Boolean);
  const categories = (Array.isArray(paper.categories) ? paper.categories : []).map(categoryName).filter(Boolean);
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
    paragraphs(result.summary),
  ];
  const qa = Array.isArray(result.qa) ? result.qa : [];
  if (qa.length) {
    lines.push("", "Q&A:");
    qa.forEach((item, i) => {
      if (i > 0) lines.push("");
      lines.push(`Q: ${oneLine(item?.question)}`, `A: ${oneLine(item?.answer)}`);
    });
  }
  return lines.join("\n") + "\n";
}
