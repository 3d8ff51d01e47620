import assert from "node:assert/strict";
import { test } from "node:test";

import { annotateTerms } from "../terms.js";

const EMB = [{ ja: "埋め込み", en: "embedding" }];

test("the English is added once, at the first use across the texts", () => {
  const out = annotateTerms(["単語の埋め込みを学習します。", "埋め込みの次元は768です。"], EMB);
  assert.deepEqual(out, ["単語の埋め込み(embedding)を学習します。", "埋め込みの次元は768です。"]);
});

test("quotes, parentheses and compounds are skipped", () => {
  const terms = [{ ja: "蒸留", en: "distillation" }];
  const texts = ["「蒸留」と呼びます。", "小さなモデル(蒸留による)です。", "蒸留モデルを作ります。", "最後に蒸留を行います。"];
  assert.deepEqual(annotateTerms(texts, terms), [...texts.slice(0, 3), "最後に蒸留(distillation)を行います。"]);
  assert.deepEqual(annotateTerms(["全角（蒸留による）です。蒸留です。"], terms), ["全角（蒸留による）です。蒸留(distillation)です。"]);
});

test("the longer term wins and the word inside it is left alone", () => {
  const terms = [{ ja: "蒸留", en: "distillation" }, { ja: "知識蒸留", en: "knowledge distillation" }];
  assert.deepEqual(annotateTerms(["知識蒸留を使います。", "蒸留の温度は2です。"], terms),
    ["知識蒸留(knowledge distillation)を使います。", "蒸留(distillation)の温度は2です。"]);
});

test("no second note and no note before a verb ending", () => {
  assert.deepEqual(annotateTerms(["埋め込み(embedding)を使います。"], EMB), ["埋め込み(embedding)を使います。"]);
  assert.deepEqual(annotateTerms(["文を埋め込みます。"], EMB), ["文を埋め込みます。"]);
});

test("untrusted input: malformed terms are ignored, markup stays text, inputs are not changed", () => {
  const texts = ["埋め込み<b>です</b>。", null];
  const out = annotateTerms(texts, [{ ja: "埋め込み" }, "x", null, { ja: 1, en: "a" }, { ja: "<b>", en: "<i>x</i>" }]);
  assert.deepEqual(out, ["埋め込み<b>(<i>x</i>)です</b>。", ""]);
  assert.deepEqual(texts, ["埋め込み<b>です</b>。", null]);
  assert.deepEqual(annotateTerms("not a list", EMB), []);
  assert.deepEqual(annotateTerms(["埋め込みです。"], undefined), ["埋め込みです。"]);
});
