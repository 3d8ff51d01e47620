import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { ASK_MSG, charCount, validateQuestion } from "../ask-messages.js";
import { answerVerified, isSubmitKey, namesIn, stageText, suggestQuestions } from "../ask-view.js";
import { ask } from "../ask.js";
import { handleAskMessage, isAskMessage } from "../ask-api.js";

// ----------------------------------------------------------------------------- validation

test("given questions of every kind, when validated, then only 1..300 characters of text pass, with Japanese reasons", () => {
  assert.deepEqual(validateQuestion("  どのデータセット？ \n"), { ok: true, value: "どのデータセット？" });
  assert.equal(validateQuestion("あ".repeat(300)).ok, true);
  assert.deepEqual(validateQuestion("あ".repeat(301)), { ok: false, code: "question_too_long",
    message_ja: "質問は300文字以内で入力してください（現在 301 文字）。" });
  assert.equal(validateQuestion(" \n\t ").message_ja, "質問を入力してください。");
  assert.equal(validateQuestion(42).code, "invalid_question");
  assert.equal(validateQuestion({ toString: () => "x" }).ok, false);
});

test("given characters outside the BMP, when counted, then each is one character (as the API's len())", () => {
  assert.equal(charCount("𠮷野家😀"), 4);
  assert.equal(validateQuestion("😀".repeat(300)).ok, true);     // 600 UTF-16 units, 300 characters
  assert.equal(validateQuestion("😀".repeat(301)).ok, false);
});

// ----------------------------------------------------------------------------- suggestions

const RESULT = {
  paper: { title: "Sparse Adapter Routing for Efficient LoRA Fine-Tuning with GPT-4 Judges" },
  qa: [{ question: "この論文での「アダプタ」とは何ですか？" }],
  glossary_terms: [{ ja: "アダプタ", en: "adapter" }, { ja: "", en: "routing" }, { ja: "アダプタ", en: "adapter" },
    { ja: "<img src=x>", en: "" }, { ja: "知識蒸留", en: "distillation" }],
};

test("given a result, when questions are suggested, then three come from its glossary terms, none repeats the Q&A or each other", () => {
  assert.deepEqual(suggestQuestions(RESULT), [
    "「アダプタ」はどのように評価されていますか？",        // its first kind is already a Q&A question
    "この論文での「routing」とは何ですか？",
    "「知識蒸留」の限界や課題は何ですか？",
  ]);
});

test("given English text, when names are found, then acronyms and numbered names count and hyphenated words do not", () => {
  assert.deepEqual(namesIn(RESULT.paper.title), ["LoRA", "GPT-4"]);
  assert.deepEqual(namesIn("Open-Domain QA with Lucene-BM25, Llama-2 and DPR; DPR again", 3), ["Lucene-BM25", "Llama-2", "DPR"]);
  assert.deepEqual(namesIn(undefined), []);
  assert.deepEqual(namesIn("PaSa: An LLM Agent with RNN and GPU tricks"), ["PaSa"]);   // field-wide acronyms are no topic
});

test("given a result without glossary terms, when questions are suggested, then they come from names in its title and abstract, then the title", () => {
  const s = suggestQuestions({ paper: { ...RESULT.paper, abstract: "We beat the BM25 baseline." }, qa: [] });
  assert.deepEqual(s, ["「LoRA」は既存の手法と比べて何が優れていますか？", "「GPT-4」はどのようなデータで評価されていますか？",
    "「BM25」の限界は何ですか？"]);
  const plain = suggestQuestions({ paper: { title: "a study of things" } });
  assert.equal(plain.length, 3);
  assert.ok(plain.every((q) => q.includes("「a study of things」")));
  assert.deepEqual(suggestQuestions({}), []);                        // nothing from the paper: nothing invented
});

test("given two papers, when questions are suggested, then they differ (drawn from the paper, not fixed strings)", () => {
  const a = suggestQuestions({ glossary_terms: [{ ja: "埋め込み" }], paper: { title: "BERT Probing" } });
  const b = suggestQuestions({ glossary_terms: [{ ja: "強化学習" }], paper: { title: "PPO Revisited" } });
  assert.equal(a.filter((q) => b.includes(q)).length, 0);
  assert.ok(a.every((q) => charCount(q) <= 300));
});

// ----------------------------------------------------------------------------- keys, stages, badge

test("given keydowns, when asked whether they submit, then only a plain Enter outside an IME composition does", () => {
  assert.equal(isSubmitKey({ key: "Enter" }), true);
  assert.equal(isSubmitKey({ key: "Enter", shiftKey: true }), false);            // a new line
  assert.equal(isSubmitKey({ key: "Enter", isComposing: true }), false);         // confirming a conversion
  assert.equal(isSubmitKey({ key: "Enter", keyCode: 229 }), false);              // the same, older engines
  assert.equal(isSubmitKey({ key: "Enter", ctrlKey: true }), false);
  assert.equal(isSubmitKey({ key: "a" }), false);
});

test("given API states, when the stage is told, then known codes are Japanese and unknown ones neutral", () => {
  assert.equal(stageText({ status: "running", stage: "generating" }), "回答を生成中…");
  assert.equal(stageText({ status: "queued" }), "回答の順番を待っています…");
  assert.equal(stageText({ status: "running", stage: "<b>x</b>" }), "回答を準備中…");
  assert.equal(stageText({ stage: "constructor" }), "回答を準備中…");
});

test("given answers, when the badge is decided, then 検証済み only when the API says verified exactly true", () => {
  assert.equal(answerVerified({ answer: { verified: true } }), true);
  assert.equal(answerVerified({ quality: { verified: true } }), true);
  assert.equal(answerVerified({ answer: { verified: "true" } }), false);
  assert.equal(answerVerified({ answer: { found: true } }), false);
  assert.equal(answerVerified(undefined), false);
});

// ----------------------------------------------------------------------------- the asking loop

function fakeSend(replies) {
  const sent = [];
  return { sent, send: async (msg) => { sent.push(msg); return replies.shift() ?? { ok: false, error: { code: "internal_error" } }; } };
}
const noSleep = async () => {};

test("given a 202, when asked, then it polls by question id until done and keeps the stage seen on the way", async () => {
  const { sent, send } = fakeSend([
    { ok: true, http: 202, data: { question_id: "q-1", status: "queued" } },
    { ok: true, http: 200, data: { status: "running", stage: "verifying" } },
    { ok: false, error: { code: "network_error" } },              // transient: tried again
    { ok: true, http: 200, data: { status: "done", answer: { text: "はい", found: true, evidence: [] } } },
  ]);
  const hist = { entries: [], busy: false, listeners: new Set() };
  const stages = [];
  hist.listeners.add(() => stages.push(entry.stage));
  const entry = { question: "Q", status: "pending" };
  await ask(hist, entry, { send, ref: { id: "2401.15884", version: 2 }, sleep: noSleep });
  assert.equal(entry.status, "done");
  assert.equal(entry.doc.answer.text, "はい");
  assert.deepEqual(sent.map((m) => m.type), [ASK_MSG.ASK, ASK_MSG.ASK_GET, ASK_MSG.ASK_GET, ASK_MSG.ASK_GET]);
  assert.deepEqual(sent[0], { type: ASK_MSG.ASK, ref: { id: "2401.15884", version: 2 }, question: "Q" });
  assert.equal(sent[1].questionId, "q-1");
  assert.ok(stages.includes("回答を検証中…"));
  assert.equal(hist.busy, false);
});

test("given a cached 200 answer, when asked, then it is shown without polling", async () => {
  const { sent, send } = fakeSend([{ ok: true, http: 200, data: { status: "done", answer: { text: "x", found: false, evidence: [] } } }]);
  const entry = { question: "Q", status: "pending" };
  await ask({ entries: [], listeners: new Set() }, entry, { send, ref: { id: "2401.15884", version: null }, sleep: noSleep });
  assert.equal(entry.status, "done");
  assert.equal(sent.length, 1);
});

test("given failures, when asked, then the entry carries the API's Japanese message or a timeout one", async () => {
  const failed = { question: "Q", status: "pending" };
  await ask({ entries: [], listeners: new Set() }, failed, { send: fakeSend([
    { ok: true, http: 202, data: { question_id: "q2", status: "queued" } },
    { ok: true, data: { status: "failed", error: { code: "model_needed", message_ja: "この質問にはモデルが必要です。" } } },
  ]).send, ref: { id: "2401.15884" }, sleep: noSleep });
  assert.deepEqual([failed.status, failed.error.message_ja], ["error", "この質問にはモデルが必要です。"]);

  const badId = { question: "Q", status: "pending" };
  await ask({ entries: [], listeners: new Set() }, badId, { send: fakeSend([{ ok: true, http: 202, data: { question_id: "../x", status: "queued" } }]).send,
    ref: { id: "2401.15884" }, sleep: noSleep });
  assert.equal(badId.error.code, "bad_response");

  let t = 0;
  const slow = { question: "Q", status: "pending" };
  const forever = { ok: true, data: { status: "running", stage: "generating" } };
  await ask({ entries: [], listeners: new Set() }, slow, {
    send: async (m) => (m.type === ASK_MSG.ASK ? { ok: true, http: 202, data: { question_id: "q3", status: "queued" } } : forever),
    ref: { id: "2401.15884" }, sleep: async (ms) => { t += ms; }, now: () => t });
  assert.equal(slow.error.code, "poll_timeout");
  assert.equal(t, 3 * 60 * 1000);                       // polled every 0.5 s up to the deadline
});

// ----------------------------------------------------------------------------- the service worker's side, over real HTTP

let server;
let settings;
const seen = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, body: body ? JSON.parse(body) : null });
      res.writeHead(req.url.includes("missing") ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(req.url.includes("missing")
        ? { error: { code: "not_found", message: "no", message_ja: "その質問は見つかりません。" } } : { status: "queued", question_id: "q1" }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  settings = { apiBaseUrl: `http://127.0.0.1:${server.address().port}`, apiKey: "" };
});

after(() => { server.closeAllConnections(); server.close(); });

test("given ask messages, when the service worker handles them, then the contract's requests go out", async () => {
  assert.equal(isAskMessage({ type: ASK_MSG.ASK }), true);
  assert.equal(isAskMessage({ type: "ronbun:start" }), false);
  await handleAskMessage({ type: ASK_MSG.ASK, ref: { id: "2401.15884", version: 2 }, question: "  どの手法？ " }, settings);
  await handleAskMessage({ type: ASK_MSG.ASK_GET, questionId: "q1" }, settings);
  await handleAskMessage({ type: ASK_MSG.TEMPLATE_START, ref: { id: "2401.15884", version: null }, template: "ochiai" }, settings);
  await handleAskMessage({ type: ASK_MSG.TEMPLATE_GET, ref: { id: "hep-th/9901001", version: 1 }, template: "ochiai" }, settings);
  await handleAskMessage({ type: ASK_MSG.TEMPLATE_START, ref: { id: "2401.15884" }, template: "<evil>" }, settings);
  assert.deepEqual(seen.splice(0), [
    { method: "POST", url: "/v1/questions", body: { paper_id: "2401.15884v2", question: "どの手法？", lang: "ja" } },
    { method: "GET", url: "/v1/questions/q1", body: null },
    { method: "POST", url: "/v1/summaries", body: { paper_id: "2401.15884", lang: "ja", template: "ochiai" } },
    { method: "GET", url: "/v1/summaries/hep-th/9901001v1?template=ochiai", body: null },
    { method: "POST", url: "/v1/summaries", body: { paper_id: "2401.15884", lang: "ja", template: "standard" } },
  ]);
});

test("given bad input from a page, when the service worker handles it, then it answers in Japanese and sends nothing", async () => {
  const long = await handleAskMessage({ type: ASK_MSG.ASK, ref: { id: "2401.15884" }, question: "x".repeat(301) }, settings);
  assert.equal(long.error.code, "question_too_long");
  const path = await handleAskMessage({ type: ASK_MSG.ASK_GET, questionId: "../summaries/2401.15884" }, settings);
  assert.equal(path.error.message_ja, "質問の ID が正しくありません。");
  const paper = await handleAskMessage({ type: ASK_MSG.ASK, ref: { id: "not a paper" }, question: "Q" }, settings);
  assert.equal(paper.error.code, "invalid_paper_id");
  assert.deepEqual(seen.splice(0), []);
  const missing = await handleAskMessage({ type: ASK_MSG.ASK_GET, questionId: "missing" }, settings);
  assert.deepEqual([missing.ok, missing.error.message_ja, missing.error.http], [false, "その質問は見つかりません。", 404]);
});
