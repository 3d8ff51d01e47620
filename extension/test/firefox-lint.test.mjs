import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../", import.meta.url));
const webExt = fileURLToPath(new URL("../node_modules/web-ext/bin/web-ext.js", import.meta.url));

test("given the extension, when Mozilla's linter reads it, then Firefox reports no errors", { skip: !existsSync(webExt) && "npm ci first (web-ext)", timeout: 60_000 }, () => {
  const run = spawnSync(process.execPath, [webExt, "lint", "--output=json", "--no-config-discovery", "--source-dir", dir,
    "--ignore-files", "test", "package.json", "package-lock.json"], { encoding: "utf8" });
  const report = JSON.parse(run.stdout);
  assert.equal(report.summary.errors, 0, JSON.stringify(report.errors, null, 1));
  // The only expected warning: Firefox ignores background.service_worker (it uses background.scripts).
  assert.deepEqual(report.warnings.map((w) => w.code), ["BACKGROUND_SERVICE_WORKER_IGNORED"]);
});
