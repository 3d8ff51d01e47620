/**
 * Every default and limit of the extension, in one place, and the pure rules for the
 * settings the options page saves.
 */

export const DEFAULTS = Object.freeze({
  apiBaseUrl: "http://127.0.0.1:3000", // the `make dev` stack
  apiKey: "",
});

/**
 * Polling GET /v1/summaries/{id}: every 0.5 s while the job is queued/running (partial results
 * arrive as they are verified) for at most 3 minutes; otherwise, and after errors, 1 s, then x1.5
 * up to 5 s; give up after 5 minutes.
 */
export const POLL = Object.freeze({
  fastMs: 500,
  fastForMs: 3 * 60 * 1000,
  initialMs: 1000,
  factor: 1.5,
  maxMs: 5000,
  deadlineMs: 5 * 60 * 1000,
  maxTransientErrors: 3,
});

export const REQUEST_TIMEOUT_MS = 20000;
export const LANG = "ja";

/** API hosts the manifest grants up front (host_permissions, besides arxiv.org). */
export const BUILT_IN_API_HOSTS = Object.freeze([
  { protocol: "http:", host: /^(127\.0\.0\.1|localhost)$/ },
  { protocol: "https:", host: /^([a-z0-9-]+\.)+amazonaws\.com$/ }, // API Gateway: *.execute-api.<region>.amazonaws.com
]);

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/**
 * The API base URL to store: "" (not configured) or an http(s) origin with an optional
 * path, without trailing slash. Plain http is accepted only for this machine, because
 * the API key travels in a header.
 * @param {string} text
 * @returns {{ok: true, value: string} | {ok: false, message_ja: string}}
 */
export function normalizeBaseUrl(text) {
  const s = String(text ?? "").trim();
  if (!s) return { ok: true, value: "" };
  let u;
  try {
    u = new URL(s);
  } catch {
    return { ok: false, message_ja: "URL の形式が正しくありません(例: https://abc123.execute-api.ap-northeast-1.amazonaws.com/Prod)。" };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return { ok: false, message_ja: "URL は https:// で始めてください。" };
  }
  if (u.username || u.password || u.search || u.hash) {
    return { ok: false, message_ja: "URL にユーザー名・クエリ・# は含めないでください。" };
  }
  if (u.protocol === "http:" && !LOOPBACK.test(u.hostname)) {
    return { ok: false, message_ja: "http:// はこのコンピューター上の API(127.0.0.1 / localhost)にだけ使えます。https:// を使ってください。" };
  }
  return { ok: true, value: `${u.origin}${u.pathname.replace(/\/+$/, "")}` };
}

/** True when the manifest's host_permissions already cover the API at this base URL. */
export function isBuiltInApiHost(baseUrl) {
  let u;
  try {
    u = new URL(baseUrl);
  } catch {
    return false;
  }
  return BUILT_IN_API_HOSTS.some((h) => h.protocol === u.protocol && h.host.test(u.hostname));
}

/** The match pattern to request as an optional host permission for a custom API host. */
export function originPattern(baseUrl) {
  const u = new URL(baseUrl);
  return `${u.protocol}//${u.hostname}/*`;
}

/** Stored settings merged over the defaults (missing keys take the default). */
export function withDefaults(stored) {
  const out = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) {
    if (typeof stored?.[key] === "string") out[key] = stored[key];
  }
  return out;
}
