/**
 * The service worker's side of the question box and the template switch (issue 13): the
 * questions API and summaries with a template, through api.js's callApi (the only fetch).
 */

import { callApi, fail } from "./api.js";
import { LANG } from "./defaults.js";
import { parseId, refToString } from "./ids.js";
import { ASK_MSG, QUESTION_ID, TEMPLATES, validateQuestion } from "./ask-messages.js";

const TYPES = new Set(Object.values(ASK_MSG));

export function isAskMessage(msg) {
  return TYPES.has(msg?.type);
}

function refFrom(msg) {
  const ref = parseId(String(msg?.ref?.id ?? ""));
  if (!ref) return null;
  const v = msg.ref.version;
  return { id: ref.id, version: Number.isInteger(v) && v > 0 ? v : ref.version };
}

/** POST /v1/questions {paper_id, question, lang}. */
export function postQuestion(settings, ref, question, options) {
  return callApi(settings, { method: "POST", path: "/v1/questions",
    body: { paper_id: refToString(ref), question, lang: LANG } }, options);
}

/** GET /v1/questions/{question_id}. */
export function getQuestion(settings, questionId, options) {
  return callApi(settings, { method: "GET", path: `/v1/questions/${encodeURIComponent(questionId)}` }, options);
}

/** POST /v1/summaries with `template` (standard | ochiai). */
export function startTemplateSummary(settings, ref, template, options) {
  return callApi(settings, { method: "POST", path: "/v1/summaries",
    body: { paper_id: refToString(ref), lang: LANG, template } }, options);
}

/** GET /v1/summaries/{id}?template=... */
export function getTemplateSummary(settings, ref, template, options) {
  return callApi(settings, { method: "GET", path: `/v1/summaries/${refToString(ref)}?template=${encodeURIComponent(template)}` }, options);
}

/**
 * One message from the overlay. Everything in it is checked again here: the page could send anything.
 * @param {object} msg @param {{apiBaseUrl: string, apiKey: string}} settings
 */
export async function handleAskMessage(msg, settings) {
  if (msg.type === ASK_MSG.ASK_GET) {
    const id = String(msg.questionId ?? "");
    if (!QUESTION_ID.test(id)) return fail("invalid_request", { message_ja: "質問の ID が正しくありません。" });
    return getQuestion(settings, id);
  }
  const ref = refFrom(msg);
  if (!ref) return fail("invalid_paper_id");
  if (msg.type === ASK_MSG.ASK) {
    const q = validateQuestion(msg.question);
    if (!q.ok) return fail(q.code, { message_ja: q.message_ja });
    return postQuestion(settings, ref, q.value);
  }
  const template = TEMPLATES.includes(msg.template) ? msg.template : "standard";
  return msg.type === ASK_MSG.TEMPLATE_START
    ? startTemplateSummary(settings, ref, template) : getTemplateSummary(settings, ref, template);
}
