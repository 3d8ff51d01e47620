import { test } from "node:test";
import assert from "node:assert/strict";
import { paperRefFromUrl, parseId, refToString } from "../ids.js";

const accepted = [
  ["https://arxiv.org/abs/2401.15884", { id: "2401.15884", version: null, kind: "abs" }],
  ["https://arxiv.org/abs/2401.15884v2", { id: "2401.15884", version: 2, kind: "abs" }],
  ["https://arxiv.org/pdf/2401.15884", { id: "2401.15884", version: null, kind: "pdf" }],
  ["https://arxiv.org/pdf/2401.15884v3.pdf", { id: "2401.15884", version: 3, kind: "pdf" }],
  ["https://arxiv.org/pdf/2401.15884.pdf", { id: "2401.15884", version: null, kind: "pdf" }],
  ["https://arxiv.org/html/2401.15884v1", { id: "2401.15884", version: 1, kind: "html" }],
  ["https://arxiv.org/html/2401.15884v1/", { id: "2401.15884", version: 1, kind: "html" }],
  ["https://arxiv.org/html/2401.15884v1/#S3.SS2", { id: "2401.15884", version: 1, kind: "html" }],
  ["https://arxiv.org/abs/2401.15884?context=cs.CL", { id: "2401.15884", version: null, kind: "abs" }],
  ["https://arxiv.org/abs/2401.15884v2#comments", { id: "2401.15884", version: 2, kind: "abs" }],
  ["https://www.arxiv.org/abs/0704.0001", { id: "0704.0001", version: null, kind: "abs" }],
  ["https://arxiv.org/abs/1412.6980v9", { id: "1412.6980", version: 9, kind: "abs" }],
  ["https://arxiv.org/abs/hep-th/9901001", { id: "hep-th/9901001", version: null, kind: "abs" }],
  ["https://arxiv.org/abs/hep-th/9901001v3", { id: "hep-th/9901001", version: 3, kind: "abs" }],
  ["https://arxiv.org/abs/math.GT/0309136v1", { id: "math/0309136", version: 1, kind: "abs" }],
  ["https://arxiv.org/pdf/cond-mat/0207270v1.pdf", { id: "cond-mat/0207270", version: 1, kind: "pdf" }],
];

for (const [url, expected] of accepted) {
  test(`given ${url}, when the page URL is parsed, then the paper is ${expected.id} v${expected.version}`, () => {
    assert.deepEqual(paperRefFromUrl(url), expected);
  });
}

const rejected = [
  "https://example.com/abs/2401.15884",
  "https://arxiv.org.evil.com/abs/2401.15884",
  "https://evil.com/?u=https://arxiv.org/abs/2401.15884",
  "https://user:pw@arxiv.org/abs/2401.15884",
  "https://arxiv.org:8443/abs/2401.15884",
  "ftp://arxiv.org/abs/2401.15884",
  "javascript:alert(1)//arxiv.org/abs/2401.15884",
  "https://arxiv.org/list/cs.CL/recent",
  "https://arxiv.org/",
  "https://arxiv.org/abs/",
  "https://arxiv.org/abs/2401.1588",       // 4 digits after 2015
  "https://arxiv.org/abs/0703.0001",       // before the new scheme
  "https://arxiv.org/abs/2413.15884",      // month 13
  "https://arxiv.org/abs/2401.15884v0",
  "https://arxiv.org/abs/foo-th/9901001",  // unknown archive
  "https://arxiv.org/abs/hep-th/0704001",  // old scheme ended 2007-03
  "https://arxiv.org/abs/2401.15884%2F..",
  "https://arxiv.org/html/2401.15884v1/x1.png",
  "not a url",
  "",
];

for (const url of rejected) {
  test(`given ${JSON.stringify(url)}, when the page URL is parsed, then it is not a paper`, () => {
    assert.equal(paperRefFromUrl(url), null);
  });
}

test("given an arXiv: prefix, when a bare id is parsed, then the prefix is dropped", () => {
  assert.deepEqual(parseId("arXiv:2401.15884v2"), { id: "2401.15884", version: 2 });
});

test("given a non-ASCII look-alike digit, when a bare id is parsed, then it is rejected", () => {
  assert.equal(parseId("2401.1588４"), null);
});

test("given a reference with and without version, when printed for the API, then the version is appended only when known", () => {
  assert.equal(refToString({ id: "hep-th/9901001", version: 3 }), "hep-th/9901001v3");
  assert.equal(refToString({ id: "2401.15884", version: null }), "2401.15884");
});
