import test from "node:test";
import assert from "node:assert/strict";

import { isExtensionPage } from "../messages.js";

const BASE = "chrome-extension://abcdefghijklmnop/";

test("the options page is an extension page, also when it is open in a tab", () => {
  assert.equal(isExtensionPage({ url: `${BASE}options.html`, tab: { id: 7 } }, BASE), true);
  assert.equal(isExtensionPage({ url: `${BASE}options.html` }, BASE), true);
});

test("a content script on arxiv.org is not, whatever it claims", () => {
  assert.equal(isExtensionPage({ url: "https://arxiv.org/abs/2401.15884", tab: { id: 7 } }, BASE), false);
  assert.equal(isExtensionPage({ url: `https://arxiv.org/abs/${BASE}` }, BASE), false);
  assert.equal(isExtensionPage({ url: "chrome-extension://otherextension/options.html" }, BASE), false);
  assert.equal(isExtensionPage({}, BASE), false);
  assert.equal(isExtensionPage({ url: `${BASE}options.html` }, ""), false);
});
