import { test } from "node:test";
import assert from "node:assert/strict";
import { allowedHosts, arxivUrl, pdfPageUrl, safeHref } from "../links.js";

const hosts = allowedHosts(["https://gitlab.com/team/repo", "http://insecure.example.org/x", "javascript:alert(1)"]);

test("given code URLs, when the allow-list is built, then arxiv.org, github.com and https code hosts are allowed", () => {
  assert.deepEqual([...hosts].sort(), ["arxiv.org", "github.com", "gitlab.com"]);
});

for (const url of ["https://arxiv.org/abs/2401.15884", "https://github.com/org/repo", "https://gitlab.com/team/repo/-/tree/main"]) {
  test(`given ${url}, when checked, then it becomes a link`, () => {
    assert.equal(safeHref(url, hosts), new URL(url).href);
  });
}

const blocked = [
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  " javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "http://github.com/org/repo",
  "https://github.com.evil.com/org/repo",
  "https://evil.com/#https://github.com",
  "https://user:pass@github.com/org/repo",
  "https://insecure.example.org/x",
  "//github.com/org/repo",
  "/relative/path",
  "",
  "https://" + "a".repeat(3000) + ".github.com",
];
for (const url of blocked) {
  test(`given ${JSON.stringify(url.slice(0, 60))}, when checked, then it is not a link`, () => {
    assert.equal(safeHref(url, hosts), null);
  });
}

test("given a paper id, version and page, when an evidence link is built, then it points to that PDF page", () => {
  assert.equal(pdfPageUrl("2401.15884", 2, 3), "https://arxiv.org/pdf/2401.15884v2#page=3");
  assert.equal(pdfPageUrl("hep-th/9901001", 1, 12), "https://arxiv.org/pdf/hep-th/9901001v1#page=12");
});

test("given an id that already has a version and no separate version, when a link is built, then that version is kept", () => {
  assert.equal(arxivUrl("abs", "2401.15884v4", null), "https://arxiv.org/abs/2401.15884v4");
});

for (const [id, page] of [["2401.15884", 0], ["2401.15884", 2.5], ["2401.15884", "3"], ["../../evil", 1], ["2401.15884#x", 1]]) {
  test(`given id ${id} and page ${page}, when an evidence link is built, then there is none`, () => {
    assert.equal(pdfPageUrl(id, 1, page), null);
  });
}
