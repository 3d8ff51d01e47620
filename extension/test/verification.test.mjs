import { test } from "node:test";
import assert from "node:assert/strict";
import { OLD_FORMAT_JA, verificationInfo } from "../view.js";

const pagesSkipped = { kind: "pages_skipped", detail: "only 3 of 8", detail_ja: "全 8 ページのうち先頭 3 ページだけを読みました（4〜8 ページは未確認です）" };

test("given quality.verified, when the badge is built, then it says 検証済み and lists what was dropped", () => {
  const info = verificationInfo({ checked: true, verified: true, checks: ["non_answer", "quote_not_found"],
    dropped: [{ item: 4, code: "non_answer", message_ja: "回答が質問に答えていません" }], left_out: [] });
  assert.equal(info.state, "verified");
  assert.equal(info.label, "検証済み");
  assert.equal(info.lines.at(-1), "検証で除外した Q&A: 1 件（回答が質問に答えていません）");
});

test("given something left out, when the badge is built, then it says 一部検証できず with the backend's Japanese reasons", () => {
  const info = verificationInfo({ checked: true, verified: false, left_out: [pagesSkipped],
    dropped: [{ item: 1, code: "non_answer", message_ja: "回答が質問に答えていません" },
              { item: 1, code: "quote_not_found", message_ja: "引用が論文の該当ページに見つかりません" },
              { item: 3, code: "non_answer", message_ja: "回答が質問に答えていません" }] });
  assert.equal(info.label, "一部検証できず");
  assert.deepEqual(info.lines, [pagesSkipped.detail_ja,
    "検証で除外した Q&A: 2 件（回答が質問に答えていません、引用が論文の該当ページに見つかりません）"]);
});

test("given an old cached result without verified, when the badge is built, then it never claims 検証済み and says why neutrally", () => {
  const info = verificationInfo({ checked: true, dropped: [{ item: 0, code: "no_evidence" }], repaired: 0, warnings: [] });
  assert.equal(info.state, "old");
  assert.equal(info.label, "一部検証できず");
  assert.deepEqual(info.lines, [OLD_FORMAT_JA, "検証で除外した Q&A: 1 件（検証で問題が見つかりました（no_evidence））"]);
});

test("given no quality at all or verified that is not exactly true, when the badge is built, then it is not 検証済み", () => {
  assert.equal(verificationInfo(undefined).label, "未検証");
  assert.equal(verificationInfo({ checked: true, verified: "yes" }).label, "一部検証できず");
  assert.deepEqual(verificationInfo({ checked: true, verified: false }).lines, ["検証を通らなかった理由は記録されていません。"]);
});

test("given an answer that already shows its quote word for word, then 引用を表示 is not offered again", async () => {
  const { quoteShown } = await import("../view.js");
  const quote = "We present sparse adapter routing, a method that selects adapters.";
  assert.equal(quoteShown(`本研究の目的について、論文では「We present sparse adapter  routing, a method that selects adapters.」と述べています。`, quote), true);
  assert.equal(quoteShown("ルーティングで計算量を減らします。", quote), false);
  assert.equal(quoteShown("anything", ""), false);
});
