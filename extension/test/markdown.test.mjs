import { test } from "node:test";
import assert from "node:assert/strict";
import { formatJaDate, toMarkdown } from "../markdown.js";
import { categoryName } from "../categories.js";

function doneState(overrides = {}) {
  return {
    paper_id: "2401.15884", version: 2, lang: "ja", status: "done",
    paper: { id: "2401.15884", version: 2, title: "Sparse Adapter\n Routing", authors: ["Hana Sato", "Mei Lin"],
      published: "2024-01-29", updated: "2024-02-01", categories: ["cs.CL", "cs.LG", "xx.YY"],
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

test("given category codes, when named, then known codes get their human name and unknown ones stay codes", () => {
  assert.equal(categoryName("cs.CL"), "Computation and Language");
  assert.equal(categoryName("xx.YY"), "xx.YY");
  assert.equal(categoryName("constructor"), "constructor");
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

test("given the offline engine, when copied as Markdown, then the text says it is an extractive offline summary", () => {
  assert.ok(toMarkdown(doneState()).trimEnd().endsWith("※ 抽出型オフライン要約(生成モデル不使用)"));
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
