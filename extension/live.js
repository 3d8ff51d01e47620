/**
 * The progressive result, as data (no DOM): what a state document has to show, the stable key
 * of every item the reader may already see, and what changes between two polls. view.js turns
 * this into DOM; here it is pure so that the rules are tested without a browser.
 *
 * While a job is queued/running the API may send `partial` (only verified parts:
 * {source: "abstract"|"fulltext", one_liner, summary, qa, summary_sentences?, one_liner_sentences?})
 * and `progress` {qa_done, qa_total}; when done, `result`.
 */

const str = (v) => (v == null ? "" : String(v));
const list = (v) => (Array.isArray(v) ? v : []);

/** The sentences of a one-liner / 概要 with evidence (issue 14), or [] for results without them. */
export function sentencesOf(value) {
  return list(value)
    .filter((s) => s && typeof s === "object" && str(s.text).trim())
    .map((s) => ({ text: str(s.text), evidence: list(s.evidence).filter((e) => e && typeof e === "object") }));
}

/**
 * What the view shows for a state: null while nothing (verified) is there yet.
 * `stage` is "abstract" | "fulltext" for partials and "done" for the final result.
 * @param {object} state the API state document
 */
export function liveContent(state) {
  const done = state?.status === "done" && state?.result && typeof state.result === "object";
  const doc = done ? state.result : state?.partial;
  if (!doc || typeof doc !== "object" || (state?.status !== "running" && state?.status !== "queued" && !done)) return null;
  const stage = done ? "done" : (doc.source === "abstract" ? "abstract" : "fulltext");
  const progress = done ? null : (state.progress ?? doc.progress ?? null);
  const content = {
    stage,
    oneLiner: str(doc.one_liner),
    summary: str(doc.summary),
    oneLinerSentences: sentencesOf(doc.one_liner_sentences),
    summarySentences: sentencesOf(doc.summary_sentences),
    qa: list(doc.qa).filter((item) => item && typeof item === "object"),
    glossary: list(doc.glossary_terms),
    progress: progress && Number.isInteger(progress.qa_total) ? { done: Number(progress.qa_done) || 0, total: progress.qa_total } : null,
  };
  if (!done && !content.oneLiner && !content.summary && !content.qa.length && !content.summarySentences.length) return null;
  return content;
}

/** 32-bit FNV-1a, as 8 hex digits: short stable keys for texts. */
export function hashText(s) {
  let h = 0x811c9dc5;
  for (const ch of str(s)) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** A Q&A item's key: the same item keeps it from its first partial to the final result. */
export function qaKey(item) {
  return `qa-${hashText(`${str(item?.question)}\u0000${str(item?.answer)}`)}`;
}

/**
 * The key of the one-liner or 概要 as shown: its source (abstract / full text) and its text and
 * evidence. When the final result carries the same key, the shown block stays as it is.
 */
export function blockKey(kind, text, sentences) {
  const body = sentences.length ? JSON.stringify(sentences.map((s) => [s.text, s.evidence.map((e) => [e.page, e.quote])])) : str(text);
  return `${kind}-${hashText(body)}`;
}

/**
 * Keyed reconcile of a list: which keys to add (in order), which to remove, and whether the
 * wanted list is exactly the shown one. `appendOnly` (partials): shown keys are never removed.
 * @param {string[]} shown keys in the DOM, in order
 * @param {string[]} wanted keys of the new state, in order
 */
export function reconcileKeys(shown, wanted, { appendOnly = false } = {}) {
  const have = new Set(shown);
  const want = new Set(wanted);
  const added = [...want].filter((k) => !have.has(k));
  const removed = appendOnly ? [] : shown.filter((k) => !want.has(k));
  const same = !added.length && !removed.length && shown.length === wanted.length && shown.every((k, i) => k === wanted[i]);
  return { added, removed, same };
}

/** 「Q&A 2/6 件を検証済み」 while the answers arrive; null when the total is not known. */
export function progressText(progress) {
  if (!progress || !Number.isInteger(progress.total) || progress.total <= 0) return null;
  const done = Math.max(0, Math.min(progress.done, progress.total));
  return `Q&A ${done}/${progress.total} 件を検証済み`;
}

/** Does the state carry Japanese the reader can read (the bench's "first Japanese")? */
export function hasJapanese(content) {
  return /[\u3040-\u30ff\u4e00-\u9fff]/.test(content?.oneLiner || content?.oneLinerSentences?.[0]?.text || "");
}
