import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";

const dir = new URL("../", import.meta.url);
const read = (f) => readFileSync(new URL(f, dir), "utf8");
const manifest = JSON.parse(read("manifest.json"));
const sources = readdirSync(dir).filter((f) => f.endsWith(".js"));

function imports(file) {
  return [...read(file).matchAll(/^\s*import\s[^;]*?from\s+"\.\/([\w.-]+)"/gm)].map((m) => m[1]);
}

function closure(entry) {
  const seen = new Set();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...imports(f));
  }
  return seen;
}

test("given the modules content.js loads, when the manifest is read, then all their imports are web-accessible on arxiv.org", () => {
  const loaded = [...read("content.js").matchAll(/load\("([\w.-]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual(loaded.sort(), ["ids.js", "overlay.js"]);
  const needed = new Set(loaded.flatMap((f) => [...closure(f)]));
  const war = manifest.web_accessible_resources[0];
  assert.deepEqual(war.matches, ["https://arxiv.org/*"]);
  assert.deepEqual([...needed].sort(), [...war.resources].sort());
});

test("given the manifest, when its files are listed, then every one exists", () => {
  const files = [manifest.background.service_worker, ...manifest.background.scripts, manifest.options_ui.page,
    ...manifest.content_scripts.flatMap((c) => c.js), ...Object.values(manifest.icons), ...Object.values(manifest.action.default_icon)];
  for (const f of files) assert.ok(existsSync(new URL(f, dir)), f);
});

test("given the manifest, when its CSP is read, then extension pages run only their own scripts", () => {
  assert.equal(manifest.content_security_policy.extension_pages, "script-src 'self'; object-src 'self'");
});

test("given the manifest, when content scripts are read, then they run only on arXiv abs, pdf and html pages", () => {
  assert.deepEqual(manifest.content_scripts[0].matches, ["https://arxiv.org/abs/*", "https://arxiv.org/pdf/*", "https://arxiv.org/html/*"]);
});

test("given every script, when searched, then none writes HTML from strings or evaluates code", () => {
  for (const f of sources) {
    const code = read(f);
    assert.doesNotMatch(code, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, f);
  }
});

test("given every script but the service worker's modules, when searched, then only api.js calls fetch", () => {
  for (const f of sources.filter((f) => f !== "api.js")) {
    assert.doesNotMatch(read(f), /\bfetch\(/, f);
  }
  assert.ok(closure("background.js").has("api.js"));
  assert.ok(!closure("overlay.js").has("api.js"));
  assert.ok(!closure("options.js").has("api.js"));
});

test("given the Firefox settings, when read, then a gecko id and data collection permissions are declared", () => {
  const gecko = manifest.browser_specific_settings.gecko;
  assert.match(gecko.id, /@/);
  assert.ok(Array.isArray(gecko.data_collection_permissions.required));
});
