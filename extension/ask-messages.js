/**
 * Messages for the question box and the template switch (issue 13), between the overlay and
 * the service worker, and the limits both sides check. Kept apart from messages.js so the
 * content side never imports the API client.
 */

export const ASK_MSG = Object.freeze({
  /** tab -> SW: POST /v1/questions. {ref: {id, version}, question} */
  ASK: "ronbun:ask",
  /** tab -> SW: GET /v1/questions/{question_id}. {questionId} */
  ASK_GET: "ronbun:ask-get",
  /** tab -> SW: POST /v1/summaries with a template. {ref, template} */
  TEMPLATE_START: "ronbun:template-start",
  /** tab -> SW: GET /v1/summaries/{id}?template=... {ref, template} */
  TEMPLATE_GET: "ronbun:template-get",
});

/** The longest question the API takes, in characters (code points, as Python's len()). */
export const MAX_QUESTION_CHARS = 300;

export const TEMPLATES = Object.freeze(["standard", "ochiai"]);

/** Question ids go into a URL path: only plain id characters. */
export const QUESTION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Characters as the API counts them (a surrogate pair is one). */
export function charCount(text) {
  return [...String(text ?? "")].length;
}

/**
 * The question to send, or why not, in Japanese. Surrounding whitespace does not count.
 * @param {unknown} raw
 * @returns {{ok: true, value: string} | {ok: false, code: string, message_ja: string}}
 */
export function validateQuestion(raw) {
  if (typeof raw !== "string") return { ok: false, code: "invalid_question", message_ja: "質問は文字で入力してください。" };
  const value = raw.trim();
  if (!value) return { ok: false, code: "empty_question", message_ja: "質問を入力してください。" };
  const n = charCount(value);
  if (n > MAX_QUESTION_CHARS) {
    return { ok: false, code: "question_too_long",
      message_ja: `質問は${MAX_QUESTION_CHARS}文字以内で入力してください（現在 ${n} 文字）。` };
  }
  return { ok: true, value };
}
