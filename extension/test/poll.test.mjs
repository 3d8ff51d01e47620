import { test } from "node:test";
import assert from "node:assert/strict";
import { nextDelay, pollDelay, pollUntilSettled, retryNotice } from "../poll.js";
import { POLL } from "../defaults.js";

/** A clock that only moves when the poller sleeps. */
function fakeClock() {
  const clock = { t: 0, sleeps: [] };
  clock.now = () => clock.t;
  clock.sleep = async (ms) => { clock.sleeps.push(ms); clock.t += ms; };
  return clock;
}

function server(states) {
  let i = 0;
  return async () => states[Math.min(i++, states.length - 1)];
}

const pending = (stage) => ({ ok: true, data: { status: "running", stage } });

test("given the default policy, when delays follow each other, then they grow 1.5x from 1 s and stop at 5 s", () => {
  const delays = [];
  let d = null;
  for (let i = 0; i < 7; i++) delays.push((d = nextDelay(d, POLL)));
  assert.deepEqual(delays, [1000, 1500, 2250, 3375, 5000, 5000, 5000]);
});

test("given a running job, when polled, then it is asked every 0.5 s, and every state is reported up to the done one", async () => {
  const clock = fakeClock();
  const seen = [];
  const end = await pollUntilSettled({
    get: server([pending("fetching"), pending("generating"), { ok: true, data: { status: "done", result: {} } }]),
    onState: (s) => seen.push(s.stage ?? s.status), now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.ok, true);
  assert.equal(end.data.status, "done");
  assert.deepEqual(seen, ["fetching", "generating", "done"]);
  assert.deepEqual(clock.sleeps, [500, 500, 500]);
});

test("given errors between running states, when polled, then the wait backs off after each error and is fast again after a success", async () => {
  const clock = fakeClock();
  const down = { ok: false, error: { code: "network_error" } };
  const end = await pollUntilSettled({
    get: server([pending("generating"), down, down, pending("generating"), { ok: true, data: { status: "done" } }]),
    onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.ok, true);
  assert.deepEqual(clock.sleeps, [500, 500, 750, 1125, 500]);
});

test("given the fast window, a scheduled retry or a settled state, when the next wait is chosen, then it is today's growing delay", () => {
  const running = { status: "running" };
  assert.equal(pollDelay(null, null), POLL.fastMs);                                   // just accepted (202)
  assert.equal(pollDelay(500, running, { elapsedMs: POLL.fastForMs - 1 }), 500);
  assert.equal(pollDelay(500, running, { elapsedMs: POLL.fastForMs }), 750);         // a job stuck for minutes
  assert.equal(pollDelay(1000, { status: "queued", retry_at: "2026-01-01T00:00:00Z" }), 1500);
  assert.equal(pollDelay(null, running, { afterError: true }), POLL.initialMs);
});

test("given a job that never finishes, when polled, then it stops before the deadline with a timeout error", async () => {
  const clock = fakeClock();
  const end = await pollUntilSettled({ get: server([pending("generating")]), onState: () => {}, now: clock.now, sleep: clock.sleep });
  assert.equal(end.ok, false);
  assert.equal(end.error.code, "poll_timeout");
  assert.match(end.error.message_ja, /時間がかかりすぎています/);
  assert.ok(clock.t <= POLL.deadlineMs, `polled until ${clock.t} ms`);
  assert.ok(clock.t > POLL.deadlineMs - POLL.maxMs);
});

test("given one network error between polls (a worker restart), when polled, then polling goes on to the result", async () => {
  const clock = fakeClock();
  const end = await pollUntilSettled({
    get: server([pending("fetching"), { ok: false, error: { code: "extension_unavailable" } }, { ok: true, data: { status: "done" } }]),
    onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.ok, true);
});

test("given the API keeps failing to answer, when polled, then the error is returned after a few tries", async () => {
  const clock = fakeClock();
  let calls = 0;
  const end = await pollUntilSettled({
    get: async () => { calls++; return { ok: false, error: { code: "network_error", message_ja: "接続できません" } }; },
    onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.error.code, "network_error");
  assert.equal(calls, POLL.maxTransientErrors);
});

test("given a 403 while polling, when polled, then it stops at once", async () => {
  const clock = fakeClock();
  let calls = 0;
  const end = await pollUntilSettled({
    get: async () => { calls++; return { ok: false, error: { code: "forbidden" } }; },
    onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.error.code, "forbidden");
  assert.equal(calls, 1);
});

test("given the overlay was closed, when the poller wakes up, then it stops without asking again", async () => {
  const clock = fakeClock();
  let calls = 0;
  const end = await pollUntilSettled({
    get: async () => { calls++; return pending("fetching"); },
    onState: () => {}, isCancelled: () => true, now: clock.now, sleep: clock.sleep,
  });
  assert.deepEqual(end, { cancelled: true });
  assert.equal(calls, 0);
});

test("given a failed job, when polled, then the failed state ends the polling", async () => {
  const clock = fakeClock();
  const end = await pollUntilSettled({
    get: server([{ ok: true, data: { status: "failed", error: { code: "pdf_invalid" } } }]), onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.ok, true);
  assert.equal(end.data.status, "failed");
});

test("given a retry scheduled in 60 s by arXiv's congestion, when told, then the reader reads why and when", () => {
  const state = { status: "queued", retry_at: new Date(60_000).toISOString(), retry_reason: { code: "arxiv_unavailable", message_ja: "arXiv が混み合っています。" } };
  assert.equal(retryNotice(state, 400), "arXiv が混み合っています。1 分後に再試行します");
  assert.equal(retryNotice(state, 45_000), "arXiv が混み合っています。15 秒後に再試行します");
  assert.equal(retryNotice(state, 61_000), "arXiv が混み合っています。まもなく再試行します");
  assert.equal(retryNotice({ ...state, retry_at: new Date(240_000).toISOString() }, 0), "arXiv が混み合っています。4 分後に再試行します");
  assert.equal(retryNotice({ status: "queued" }, 0), null);
});

test("given a retry scheduled after the poll deadline, when polled, then polling goes on until after the retry and gets the result", async () => {
  const clock = fakeClock();
  const retryAt = new Date(POLL.deadlineMs + 60_000).toISOString();   // the server retries in 6 minutes
  const waiting = { ok: true, data: { status: "queued", retry_at: retryAt, retry_reason: { message_ja: "arXiv が混み合っています。" } } };
  let calls = 0;
  const end = await pollUntilSettled({
    get: async () => (clock.t >= POLL.deadlineMs + 70_000 ? { ok: true, data: { status: "done" } } : (calls++, waiting)),
    onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.ok, true, JSON.stringify(end.error));
  assert.ok(calls > 0);
});

test("given a retry that never comes, when polled, then it still stops a full deadline after the retry time", async () => {
  const clock = fakeClock();
  const retryAt = new Date(60_000).toISOString();
  const end = await pollUntilSettled({
    get: async () => ({ ok: true, data: { status: "queued", retry_at: retryAt } }), onState: () => {}, now: clock.now, sleep: clock.sleep,
  });
  assert.equal(end.error.code, "poll_timeout");
  assert.ok(clock.t <= 60_000 + POLL.deadlineMs && clock.t > 60_000 + POLL.deadlineMs - POLL.maxMs, `${clock.t}`);
});
