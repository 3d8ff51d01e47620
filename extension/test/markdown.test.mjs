import { test } from "node:test";
import assert from "node:assert/strict";
import { categoryLabels, formatJaDate, toMarkdown } from "../markdown.js";

function doneState(overrides = {}) {
  return {
    paper_id: "2401.15884", version: 2, lang: "ja", status: "done",
    paper: { id: "2401.15884", version: 2, title: "Sparse Adapter\n Routing", authors: ["Hana Sato", "Mei Lin"],
      published: "2024-01-29", updated: "2024-02-01", categories: ["cs.CL", "cs.LG", "stat.ML", "xx.YY"],
      category_names: ["Computation and Language", "Machine Learning", "xx.YY"],
      pdf_url: "https://arxiv.org/pdf/2401.15884v2" },
    result: {
      one_liner: "一文", summary: "第一段落です。\n\n第二段落です。",
      qa: [
        { question: "何を提案しましたか?", answer: "ルーティングです。", evidence: [{ page: 3, quote: "x" }, { page: 1, quote: "y" }, { page: 3, quote: "z" }] },
        { question: "結果は?", answer: "87.5% です。", evidence: [] },
      ],
      code_urls: ["https://github.com/org/repo"],
      generator: { engine: "offline", model: "extractive-v1" },
      ...overrides,
    },
  };
}

test("given ISO dates, when formatted, then they read as YYYY年MM月DD日", () => {
  assert.equal(formatJaDate("2024-02-01"), "2024年02月01日");
  assert.equal(formatJaDate("2024-02-01T18:00:00Z"), "2024年02月01日");
  assert.equal(formatJaDate(""), "不明");
});

test("given a paper with category names from the API, when labelled, then the names are used as sent", () => {
  const paper = { categories: ["cs.CL", "cs.LG", "stat.ML"], category_names: ["Computation and Language", "Machine Learning"] };
  assert.deepEqual(categoryLabels(paper), ["Computation and Language", "Machine Learning"]);
});

test("given a paper without category names, when labelled, then the raw codes are shown", () => {
  assert.deepEqual(categoryLabels({ categories: ["cs.CL", " xx.YY "] }), ["cs.CL", "xx.YY"]);
  assert.deepEqual(categoryLabels({}), []);
  assert.deepEqual(categoryLabels(undefined), []);
});

test("given a finished summary, when copied as Markdown, then the header lines follow the digest format", () => {
  const lines = toMarkdown(doneState()).split("\n");
  assert.deepEqual(lines.slice(0, 8), [
    "## Sparse Adapter Routing",
    "",
    "著者: Hana Sato, Mei Lin",
    "発行日: 2024年01月29日",
    "最終更新日: 2024年02月01日",
    "URL: https://arxiv.org/pdf/2401.15884v2",
    "カテゴリ: Computation and Language, Machine Learning, xx.YY",
    "",
  ]);
});

test("given a finished summary, when copied as Markdown, then 概要 keeps its paragraphs", () => {
  const md = toMarkdown(doneState());
  assert.ok(md.includes("概要:\n第一段落です。\n\n第二段落です。\n"));
});

test("given Q&A items, when copied as Markdown, then each is a Q:/A: pair with its evidence pages", () => {
  const md = toMarkdown(doneState());
  assert.ok(md.includes("Q&A:\nQ: 何を提案しましたか?\nA: ルーティングです。(根拠: p.1, p.3)\nQ: 結果は?\nA: 87.5% です。\n"), md);
});

test("given the offline engine, when copied as Markdown, then it says these are quotes without a model and how to get Japanese", () => {
  const md = toMarkdown(doneState()).trimEnd();
  assert.ok(md.endsWith("を設定してください。"), md);
  assert.ok(md.includes("※ 原文抜粋(生成モデルなし): 論文の文をそのまま引用しています。"), md);
  assert.ok(!toMarkdown(doneState({ generator: { engine: "openai", model: "gpt" } })).includes("オフライン"));
});

test("given a paper that was never updated, when copied, then 最終更新日 is the publication date", () => {
  const state = doneState();
  delete state.paper.updated;
  assert.ok(toMarkdown(state).includes("最終更新日: 2024年01月29日"));
});

test("given an old-style id, when copied, then the URL is the versioned PDF", () => {
  const state = doneState();
  state.paper.id = "hep-th/9901001";
  state.paper.version = 3;
  assert.ok(toMarkdown(state).includes("URL: https://arxiv.org/pdf/hep-th/9901001v3\n"));
});

test("given a done state whose result paper has names, when copied, then カテゴリ uses the result paper's names", () => {
  const state = doneState();
  state.result.paper = { ...state.paper, category_names: ["Machine Learning"] };
  assert.ok(toMarkdown(state).includes("カテゴリ: Machine Learning\n"));
});

test("given an older API answer without category names, when copied, then カテゴリ lists the codes", () => {
  const state = doneState();
  delete state.paper.category_names;
  assert.ok(toMarkdown(state).includes("カテゴリ: cs.CL, cs.LG, stat.ML, xx.YY\n"));
});

test("given summary sentences with evidence, when exported with footnotes, then each supported sentence gets [^n] and the quotes follow", async () => {
  const { toMarkdown: md } = await import("../markdown.js");
  const state = doneState({
    summary: "一文目です。二文目です。",
    summary_sentences: [
      { text: "一文目です。", evidence: [{ page: 2, quote: "We propose  X." }, { page: 5, quote: "X wins." }] },
      { text: "二文目です。", evidence: [] },
      { text: "三文目です。", evidence: [{ page: 7, quote: "It holds\nfor English." }] },
    ],
  });
  const lines = md(state, { evidence: "footnotes" }).split("\n");
  assert.ok(lines.includes("一文目です。[^1]二文目です。三文目です。[^2]"), lines.join("\n"));
  assert.ok(lines.includes('[^1]: p.2 "We propose X."; p.5 "X wins."'));
  assert.ok(lines.includes('[^2]: p.7 "It holds for English."'));
  // the default stays the digest format: no marks, no notes
  const plain = md(state);
  assert.ok(!plain.includes("[^"));
  assert.ok(plain.includes("一文目です。二文目です。"));
});

test("given an older result without summary sentences, when exported with footnotes, then the plain 概要 is used", () => {
  const md = toMarkdown(doneState(), { evidence: "footnotes" });
  assert.ok(md.includes("第一段落です。\n\n第二段落です。"));
  assert.ok(!md.includes("[^"));
});
