import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { callApi, getSummary, startSummary } from "../api.js";

let server;
let base;
const seen = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, key: req.headers["x-api-key"], body });
      const reply = (status, payload, type = "application/json") => {
        res.writeHead(status, { "content-type": type });
        res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      };
      if (req.url === "/v1/summaries" && req.method === "POST") return reply(202, { paper_id: JSON.parse(body).paper_id, status: "queued" });
      if (req.url.startsWith("/v1/summaries/")) return reply(200, { paper_id: req.url.slice(14), status: "running", stage: "fetching" });
      if (req.url === "/forbidden") return reply(403, { message: "Forbidden" });
      if (req.url === "/limit") return reply(429, { error: { code: "daily_limit_reached", message: "cap", message_ja: "上限です" } });
      if (req.url === "/gateway-limit") return reply(429, { message: "Limit Exceeded" });
      if (req.url === "/failed") return reply(400, { error: { code: "invalid_paper_id", message: "bad", message_ja: "ID が不正です" } });
      if (req.url === "/html") return reply(200, "<html>proxy page</html>", "text/html");
      if (req.url === "/hang") return; // never answers
      return reply(500, "oops", "text/plain");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => { server.closeAllConnections(); server.close(); });

test("given a paper reference, when a summary is started, then it POSTs the id with version and lang ja, with the key", async () => {
  const res = await startSummary({ apiBaseUrl: base, apiKey: "k-123" }, { id: "2401.15884", version: 2 });
  assert.deepEqual(res, { ok: true, data: { paper_id: "2401.15884v2", status: "queued" }, http: 202 });
  const req = seen.at(-1);
  assert.equal(req.key, "k-123");
  assert.deepEqual(JSON.parse(req.body), { paper_id: "2401.15884v2", lang: "ja" });
});

test("given an old-style id, when its state is read, then the path keeps the slash (greedy path)", async () => {
  const res = await getSummary({ apiBaseUrl: base + "/", apiKey: "" }, { id: "hep-th/9901001", version: null });
  assert.equal(res.data.paper_id, "hep-th/9901001");
  assert.equal(seen.at(-1).key, undefined);
});

test("given no API URL, when called, then the error says the API is not configured", async () => {
  const res = await callApi({ apiBaseUrl: "", apiKey: "" }, { method: "GET", path: "/v1/health" });
  assert.equal(res.error.code, "not_configured");
  assert.match(res.error.message_ja, /設定/);
});

test("given API Gateway's bare 403, when called, then the error asks to check the API key", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "wrong" }, { method: "GET", path: "/forbidden" });
  assert.equal(res.error.code, "forbidden");
  assert.equal(res.error.http, 403);
  assert.match(res.error.message_ja, /API キー/);
});

test("given the backend's 429 envelope, when called, then its Japanese message is kept", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "" }, { method: "GET", path: "/limit" });
  assert.deepEqual([res.error.code, res.error.message_ja], ["daily_limit_reached", "上限です"]);
});

test("given API Gateway's bare 429, when called, then the error says the daily limit is reached", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "" }, { method: "GET", path: "/gateway-limit" });
  assert.equal(res.error.code, "daily_limit_reached");
  assert.match(res.error.message_ja, /上限/);
});

test("given an error envelope, when called, then code and message_ja come from it", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "" }, { method: "GET", path: "/failed" });
  assert.deepEqual([res.error.code, res.error.message_ja, res.error.http], ["invalid_paper_id", "ID が不正です", 400]);
});

test("given a 200 that is not JSON (a captive portal), when called, then it is a bad response", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "" }, { method: "GET", path: "/html" });
  assert.equal(res.error.code, "bad_response");
});

test("given a 500 without envelope, when called, then it is a server error in Japanese", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "" }, { method: "GET", path: "/boom" });
  assert.equal(res.error.code, "server_error");
  assert.match(res.error.message_ja, /エラー/);
});

test("given a closed port, when called, then the error is a network error", async () => {
  const closed = createServer();
  await new Promise((r) => closed.listen(0, "127.0.0.1", r));
  const port = closed.address().port;
  await new Promise((r) => closed.close(r));
  const res = await callApi({ apiBaseUrl: `http://127.0.0.1:${port}`, apiKey: "" }, { method: "GET", path: "/v1/health" });
  assert.equal(res.error.code, "network_error");
  assert.match(res.error.message_ja, /接続できませんでした/);
});

test("given a server that never answers, when called, then it gives up with a timeout", async () => {
  const res = await callApi({ apiBaseUrl: base, apiKey: "" }, { method: "GET", path: "/hang" }, { timeoutMs: 200 });
  assert.equal(res.error.code, "timeout");
});
