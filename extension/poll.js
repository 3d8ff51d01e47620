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

/** The wait before the next poll: initialMs first, then x factor up to maxMs. */
export function nextDelay(previousMs, policy = POLL) {
  if (previousMs == null) return policy.initialMs;
  return Math.min(policy.maxMs, Math.round(previousMs * policy.factor));
}

/**
 * Ask for the state until it settles.
 * @param {object} o
 * @param {() => Promise<{ok: boolean, data?: object, error?: object}>} o.get one GET through the service worker
 * @param {(state: object) => void} o.onState called with every state received
 * @param {() => boolean} [o.isCancelled]
 * @param {typeof POLL} [o.policy]
 * @param {() => number} [o.now]
 * @param {(ms: number) => Promise<void>} [o.sleep]
 * @returns {Promise<{ok: true, data: object} | {ok: false, error: object} | {cancelled: true}>}
 */
export async function pollUntilSettled({
  get,
  onState,
  isCancelled = () => false,
  policy = POLL,
  now = () => Date.now(),
  sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
}) {
  const start = now();
  let delay = null;
  let transient = 0;
  for (;;) {
    delay = nextDelay(delay, policy);
    if (now() - start + delay > policy.deadlineMs) {
      return { ok: false, error: { code: "poll_timeout", message_ja: POLL_TIMEOUT_JA, message: "poll deadline exceeded" } };
    }
    await sleep(delay);
    if (isCancelled()) return { cancelled: true };
    const res = await get();
    if (isCancelled()) return { cancelled: true };
    if (!res?.ok) {
      const error = res?.error ?? { code: "internal_error" };
      if (TRANSIENT.has(error.code) && ++transient < policy.maxTransientErrors) continue;
      return { ok: false, error };
    }
    transient = 0;
    onState(res.data);
    if (SETTLED.has(res.data?.status)) return { ok: true, data: res.data };
  }
}
