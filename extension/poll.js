/**
 * Polling a summary until it is done or failed, with backoff and a deadline. It runs in
 * the content script, which holds the job's state: each poll is one message to the
 * service worker, so a worker restart between polls loses nothing.
 */

import { POLL } from "./defaults.js";

export const SETTLED = new Set(["done", "failed"]);

/** Error codes worth another try within the same poll (the next poll may well succeed). */
export const TRANSIENT = new Set(["network_error", "timeout", "server_error", "extension_unavailable", "internal_error"]);

export const POLL_TIMEOUT_JA = "要約の生成に時間がかかりすぎています。しばらくしてから「再試行」を押してください。";

/**
 * What a reader is told while a job waits for its next try: the API's reason and when,
 * e.g. 「arXiv が混み合っています。1 分後に再試行します」. null when no retry is scheduled.
 * @param {{retry_at?: string, retry_reason?: {message_ja?: string}}} state
 * @param {number} nowMs
 */
export function retryNotice(state, nowMs) {
  const at = Date.parse(state?.retry_at ?? "");
  if (!Number.isFinite(at)) return null;
  const reason = typeof state?.retry_reason?.message_ja === "string" ? state.retry_reason.message_ja : "一時的なエラーが発生しました。";
  const seconds = Math.ceil((at - nowMs) / 1000);
  let when;
  if (seconds <= 0) when = "まもなく再試行します";
  else if (seconds < 45) when = `${seconds} 秒後に再試行します`;
  else when = `${Math.max(1, Math.round(seconds / 60))} 分後に再試行します`;
  return `${reason}${when}`;
}

/** The wait before the next poll: initialMs first, then x factor up to maxMs. */
export function nextDelay(previousMs, policy = POLL) {
  if (previousMs == null) return policy.initialMs;
  return Math.min(policy.maxMs, Math.round(previousMs * policy.factor));
}

/**
 * The wait before the next poll: fast (policy.fastMs) while the last state says the job is
 * queued or running and no retry is scheduled, for at most policy.fastForMs; the growing
 * nextDelay() after an error, after a scheduled retry and once the fast window is over.
 * @param {number|null} previousMs the last wait
 * @param {object|null} state the last state received (null: none yet, the job was just accepted)
 * @param {{afterError?: boolean, elapsedMs?: number}} o
 */
export function pollDelay(previousMs, state, { afterError = false, elapsedMs = 0 } = {}, policy = POLL) {
  const pending = state == null || state.status === "queued" || state.status === "running";
  if (!afterError && pending && !state?.retry_at && policy.fastMs && elapsedMs < (policy.fastForMs ?? Infinity)) {
    return policy.fastMs;
  }
  return nextDelay(previousMs, policy);
}

/**
 * Ask for the state until it settles. `now` is the wall clock: a state's `retry_at` (ISO) moves
 * the deadline to a full `deadlineMs` after that retry.
 * @param {object} o
 * @param {() => Promise<{ok: boolean, data?: object, error?: object}>} o.get one GET through the service worker
 * @param {(state: object) => void} o.onState called with every state received
 * @param {object|null} [o.first] the state the job started with (the POST's answer)
 * @param {() => boolean} [o.isCancelled]
 * @param {typeof POLL} [o.policy]
 * @param {() => number} [o.now]
 * @param {(ms: number) => Promise<void>} [o.sleep]
 * @returns {Promise<{ok: true, data: object} | {ok: false, error: object} | {cancelled: true}>}
 */
export async function pollUntilSettled({
  get,
  onState,
  first = null,
  isCancelled = () => false,
  policy = POLL,
  now = () => Date.now(),
  sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
}) {
  const started = now();
  let deadline = started + policy.deadlineMs;
  let delay = null;
  let transient = 0;
  let last = first;
  let afterError = false;
  for (;;) {
    delay = pollDelay(delay, last, { afterError, elapsedMs: now() - started }, policy);
    if (now() + delay > deadline) {
      return { ok: false, error: { code: "poll_timeout", message_ja: POLL_TIMEOUT_JA, message: "poll deadline exceeded" } };
    }
    await sleep(delay);
    if (isCancelled()) return { cancelled: true };
    const res = await get();
    if (isCancelled()) return { cancelled: true };
    if (!res?.ok) {
      const error = res?.error ?? { code: "internal_error" };
      afterError = true;
      if (TRANSIENT.has(error.code) && ++transient < policy.maxTransientErrors) continue;
      return { ok: false, error };
    }
    transient = 0;
    afterError = false;
    last = res.data;
    // a retry scheduled by the server: keep polling until then, and a full deadline after it
    const retryAt = Date.parse(res.data?.retry_at ?? "");
    if (Number.isFinite(retryAt)) deadline = Math.max(deadline, retryAt + policy.deadlineMs);
    onState(res.data);
    if (SETTLED.has(res.data?.status)) return { ok: true, data: res.data };
  }
}
