import { test } from "node:test";
import assert from "node:assert/strict";
import { blockKey, hasJapanese, liveContent, progressText, qaKey, reconcileKeys, sentencesOf } from "../live.js";

const qa = (n) => ({ question: `質問${n}は？`, answer: `回答${n}です。`, evidence: [{ page: n, quote: `Quote ${n}.` }] });
const running = (partial, progress) => ({ status: "running", stage: "generating", paper: { id: "2401.15884" }, partial, progress });

test("given a running state without partial, when read, then there is nothing to show yet", () => {
  assert.equal(liveContent({ status: "running", stage: "fetching" }), null);
  assert.equal(liveContent({ status: "queued" }), null);
  assert.equal(liveContent(running({ source: "abstract", one_liner: "", summary: "", qa: [] })), null);
});

test("given an abstract partial, when read, then it is the abstract stage with Japanese and no Q&A", () => {
  const c = liveContent(running({ source: "abstract", one_liner: "本論文は手法を提案します。", summary: "概要です。", qa: [] }));
  assert.equal(c.stage, "abstract");
  assert.equal(c.oneLiner, "本論文は手法を提案します。");
  assert.equal(c.qa.length, 0);
  assert.ok(hasJapanese(c));
});

test("given a full-text partial with progress at top level, when read, then the stage is fulltext and the progress is counted", () => {
  const c = liveContent(running({ source: "fulltext", one_liner: "一文。", summary: "概要。", qa: [qa(1), qa(2)] }, { qa_done: 2, qa_total: 6 }));
  assert.equal(c.stage, "fulltext");
  assert.deepEqual(c.progress, { done: 2, total: 6 });
  assert.equal(progressText(c.progress), "Q&A 2/6 件を検証済み");
});

test("given a done state, when read, then the result is shown (not any leftover partial) and there is no progress", () => {
  const c = liveContent({ status: "done", partial: { source: "abstract", one_liner: "古い" }, progress: { qa_done: 1, qa_total: 6 },
    result: { one_liner: "最終", summary: "最終の概要。", qa: [qa(1)] } });
  assert.equal(c.stage, "done");
  assert.equal(c.oneLiner, "最終");
  assert.equal(c.progress, null);
});

test("given a failed state that still carries a partial, when read, then nothing is shown from it", () => {
  assert.equal(liveContent({ status: "failed", partial: { source: "fulltext", one_liner: "一文。" } }), null);
});

test("given progress without a total or beyond it, when told, then the text is omitted or clamped", () => {
  assert.equal(progressText(null), null);
  assert.equal(progressText({ done: 1, total: 0 }), null);
  assert.equal(progressText({ done: 9, total: 6 }), "Q&A 6/6 件を検証済み");
});

test("given the same Q&A item in a partial and in the final result, when keyed, then the key is the same; another item differs", () => {
  assert.equal(qaKey(qa(1)), qaKey({ ...qa(1), evidence: [] }));
  assert.notEqual(qaKey(qa(1)), qaKey(qa(2)));
  assert.match(qaKey(qa(1)), /^qa-[0-9a-f]{8}$/);
});

test("given the abstract and the full-text 概要, when keyed, then they differ; the same sentences with the same evidence keep their key", () => {
  const sentences = sentencesOf([{ text: "一文目。", evidence: [{ page: 2, quote: "We do X." }] }]);
  assert.notEqual(blockKey("summary", "アブストラクトの概要。", []), blockKey("summary", "本文の概要。", []));
  assert.equal(blockKey("summary", "", sentences), blockKey("summary", "", sentencesOf([{ text: "一文目。", evidence: [{ page: 2, quote: "We do X." }] }])));
  assert.notEqual(blockKey("summary", "", sentences), blockKey("summary", "", sentencesOf([{ text: "一文目。", evidence: [{ page: 3, quote: "We do X." }] }])));
});

test("given partials, when reconciled append-only, then shown items are never removed and only new ones are added", () => {
  assert.deepEqual(reconcileKeys(["a", "b"], ["a", "b", "c"], { appendOnly: true }), { added: ["c"], removed: [], same: false });
  assert.deepEqual(reconcileKeys(["a", "b"], ["a"], { appendOnly: true }), { added: [], removed: [], same: false });
});

test("given the final result equal to what is shown, when reconciled, then nothing changes; when it dropped an item, then only that goes", () => {
  assert.deepEqual(reconcileKeys(["a", "b", "c"], ["a", "b", "c"]), { added: [], removed: [], same: true });
  assert.deepEqual(reconcileKeys(["a", "b", "c"], ["a", "c", "d"]), { added: ["d"], removed: ["b"], same: false });
});

test("given sentences with missing text or odd evidence, when read, then only sentences with text remain and evidence is a list", () => {
  assert.deepEqual(sentencesOf([{ text: "" }, null, { text: "文。", evidence: "x" }, { text: "文2。", evidence: [null, { page: 1, quote: "Q" }] }]),
    [{ text: "文。", evidence: [] }, { text: "文2。", evidence: [{ page: 1, quote: "Q" }] }]);
  assert.deepEqual(sentencesOf(undefined), []);
});
