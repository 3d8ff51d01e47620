/**
 * The Ronbun API client. Only the service worker imports it: page CORS and Local Network
 * Access block fetches from content scripts. Every call answers with the message
 * envelope {ok: true, data, http} | {ok: false, error: {code, message_ja, message, http}}.
 */

import { LANG, REQUEST_TIMEOUT_MS } from "./defaults.js";
import { refToString } from "./ids.js";

export const MESSAGES_JA = Object.freeze({
  not_configured: "API の URL が設定されていません。拡張機能の設定で API の URL を入力してください。",
  forbidden: "API キーが正しくありません。拡張機能の設定で API キーを確認してください。",
  daily_limit_reached: "本日の要約生成の上限に達しました。明日以降に再度お試しください(既に要約済みの論文は表示できます)。",
  network_error: "API サーバーに接続できませんでした。ネットワーク接続と、設定の API の URL を確認してください。",
  timeout: "API サーバーからの応答がありませんでした。しばらくしてから再度お試しください。",
  bad_response: "API サーバーから予期しない応答がありました。API の URL が正しいか確認してください。",
  server_error: "API サーバーでエラーが発生しました。しばらくしてから再度お試しください。",
  not_found: "この論文の要約はまだリクエストされていません。",
  invalid_paper_id: "このページの論文 ID を読み取れませんでした。",
  internal_error: "拡張機能の内部エラーが発生しました。ページを再読み込みしてください。",
});

/** An error envelope with the Japanese message for the code (or the one given). */
export function fail(code, { message_ja, message, http } = {}) {
  return {
    ok: false,
    error: {
      code,
      message_ja: message_ja || MESSAGES_JA[code] || MESSAGES_JA.server_error,
      message: message || code,
      ...(http ? { http } : {}),
    },
  };
}

function errorFromBody(body) {
  const e = body && typeof body === "object" ? body.error : null;
  if (!e || typeof e !== "object") return {};
  return {
    code: typeof e.code === "string" ? e.code : undefined,
    message: typeof e.message === "string" ? e.message : undefined,
    message_ja: typeof e.message_ja === "string" ? e.message_ja : undefined,
  };
}

/**
 * One HTTP call to the API.
 * @param {{apiBaseUrl: string, apiKey: string}} settings
 * @param {{method: "GET"|"POST", path: string, body?: object}} request
 * @param {{fetchImpl?: typeof fetch, timeoutMs?: number}} [options]
 */
export async function callApi(settings, { method, path, body }, { fetchImpl = fetch, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  const base = String(settings?.apiBaseUrl ?? "").replace(/\/+$/, "");
  if (!base) return fail("not_configured");
  const headers = { accept: "application/json" };
  if (settings.apiKey) headers["x-api-key"] = settings.apiKey;
  if (body !== undefined) headers["content-type"] = "application/json";
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetchImpl(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      redirect: "error",
      signal: controller.signal,
    });
  } catch (err) {
    return fail(controller.signal.aborted ? "timeout" : "network_error", { message: String(err?.message ?? err) });
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  const http = response.status;
  if (response.ok) {
    return data && typeof data === "object" ? { ok: true, data, http } : fail("bad_response", { http });
  }
  const e = errorFromBody(data);
  if (http === 403) return fail("forbidden", { message_ja: e.message_ja, message: e.message, http });
  if (http === 429) return fail(e.code || "daily_limit_reached", { message_ja: e.message_ja || MESSAGES_JA.daily_limit_reached, message: e.message, http });
  return fail(e.code || (http >= 500 ? "server_error" : "bad_response"), { message_ja: e.message_ja, message: e.message, http });
}

/** POST /v1/summaries for a paper reference {id, version}. */
export function startSummary(settings, ref, options) {
  return callApi(settings, { method: "POST", path: "/v1/summaries", body: { paper_id: refToString(ref), lang: LANG } }, options);
}

/** GET /v1/summaries/{id} (greedy path: old-style ids keep their "/"). */
export function getSummary(settings, ref, options) {
  return callApi(settings, { method: "GET", path: `/v1/summaries/${refToString(ref)}` }, options);
}

/** GET /v1/health. */
export function health(settings, options) {
  return callApi(settings, { method: "GET", path: "/v1/health" }, options);
}
