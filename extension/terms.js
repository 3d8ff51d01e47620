/**
 * The English of a glossary term shown once beside the Japanese, at its first use:
 * 埋め込み -> 埋め込み(embedding). The same rule as ronbun.glossary.annotate (Python), on plain
 * strings: callers put the result into text nodes (textContent), never into HTML.
 *
 * A use counts only as a whole word (not inside 埋め込みベクトル or before a verb ending), outside
 * 「…」 and 『…』, outside (…) and （…）, and not already followed by a parenthesis.
 * Longer terms go first, so 知識蒸留 is annotated as a whole and 蒸留 inside it is left alone.
 */

const WORD_CHAR = /[\u3005\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/;
const PARTICLES = "をがはにでとのもやへかよ";
export const OPEN = "(";
export const CLOSE = ")";

const count = (s, ch) => s.split(ch).length - 1;

function isHiragana(ch) {
  return ch >= "\u3040" && ch <= "\u309f";
}

/** A whole word, outside quotes and parentheses, with no note after it yet. */
function freeAt(text, start, end) {
  const before = text.slice(start - 1, start);
  const after = text.slice(end, end + 1);
  if (start > 0 && WORD_CHAR.test(before)) return false;
  if (after && (WORD_CHAR.test(after) || after === "(" || after === "（" ||
      (isHiragana(after) && !PARTICLES.includes(after)))) return false;
  const head = text.slice(0, start);
  if (count(head, "「") > count(head, "」") || count(head, "『") > count(head, "』")) return false;
  return count(head, "(") + count(head, "（") <= count(head, ")") + count(head, "）");
}

function firstFree(text, ja) {
  let i = text.indexOf(ja);
  while (i >= 0) {
    if (freeAt(text, i, i + ja.length)) return i;
    i = text.indexOf(ja, i + 1);
  }
  return -1;
}

/**
 * @param {string[]} texts the texts in reading order (one-liner, summary, Q, A, ...)
 * @param {Array<{ja: string, en: string}>} terms result.glossary_terms (untrusted: checked here)
 * @returns {string[]} new strings; the input is not changed
 */
export function annotateTerms(texts, terms) {
  const out = (Array.isArray(texts) ? texts : []).map((t) => (t == null ? "" : String(t)));
  const pairs = (Array.isArray(terms) ? terms : [])
    .filter((t) => t && typeof t.ja === "string" && typeof t.en === "string" && t.ja && t.en)
    .map((t) => [t.ja, t.en])
    .sort((a, b) => b[0].length - a[0].length);
  for (const [ja, en] of pairs) {
    for (let n = 0; n < out.length; n += 1) {
      const i = firstFree(out[n], ja);
      if (i >= 0) {
        const end = i + ja.length;
        out[n] = `${out[n].slice(0, end)}${OPEN}${en}${CLOSE}${out[n].slice(end)}`;
        break;
      }
    }
  }
  return out;
}
