import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DEFAULTS, isBuiltInApiHost, normalizeBaseUrl, originPattern, withDefaults } from "../defaults.js";

const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8"));

test("given nothing stored, when settings are read, then the local stack is the default API", () => {
  assert.deepEqual(withDefaults({}), { apiBaseUrl: "http://127.0.0.1:3000", apiKey: "" });
});

test("given an empty stored URL, when settings are read, then it stays empty (not configured)", () => {
  assert.equal(withDefaults({ apiBaseUrl: "" }).apiBaseUrl, "");
});

for (const [input, value] of [
  ["https://abc123.execute-api.ap-northeast-1.amazonaws.com/Prod/", "https://abc123.execute-api.ap-northeast-1.amazonaws.com/Prod"],
  ["  http://127.0.0.1:3000  ", "http://127.0.0.1:3000"],
  ["http://localhost:8080/", "http://localhost:8080"],
  ["", ""],
]) {
  test(`given ${JSON.stringify(input)}, when saved, then the base URL is ${JSON.stringify(value)}`, () => {
    assert.deepEqual(normalizeBaseUrl(input), { ok: true, value });
  });
}

for (const input of ["http://api.example.com", "ftp://127.0.0.1", "javascript:alert(1)", "https://u:p@api.example.com", "https://api.example.com/?x=1", "127.0.0.1:3000 x"]) {
  test(`given ${JSON.stringify(input)}, when saved, then it is refused with a Japanese reason`, () => {
    const r = normalizeBaseUrl(input);
    assert.equal(r.ok, false);
    assert.match(r.message_ja, /[ぁ-んァ-ン]/);
  });
}

test("given the manifest, when the built-in API hosts are checked, then they match its host_permissions", () => {
  const apiPatterns = manifest.host_permissions.filter((p) => p !== "https://arxiv.org/*");
  assert.deepEqual(apiPatterns, ["http://127.0.0.1/*", "http://localhost/*", "https://*.amazonaws.com/*"]);
  assert.ok(isBuiltInApiHost(DEFAULTS.apiBaseUrl));
  assert.ok(isBuiltInApiHost("https://abc123.execute-api.us-east-1.amazonaws.com/Prod"));
  assert.ok(!isBuiltInApiHost("https://ronbun.example.com"));
  assert.ok(!isBuiltInApiHost("https://amazonaws.com.evil.org"));
});

test("given a custom API host, when a permission is asked, then the pattern covers that host only", () => {
  assert.equal(originPattern("https://ronbun.example.com:8443/v"), "https://ronbun.example.com/*");
});
