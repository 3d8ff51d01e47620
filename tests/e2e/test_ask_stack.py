"""The question box against the real local stack (offline engine) with a corpus paper: the
overlay asks, the stack answers extractively, the answer shows with its evidence; a question the
paper does not answer shows 「この論文には記載がありません」. Runs once the questions API (helper
`ask`, issue 13) is in the tree; skipped before. Fixtures: tests/e2e/conftest.py."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, start_stack
from tests.fakes.fake_arxiv import CORPUS_PAPERS, DEFAULT_CORPUS

pytest.importorskip("ronbun.questions", reason="the questions API (issue 13, helper ask) is not merged yet")

pytestmark = pytest.mark.e2e

DPR = "2004.04906"
ROOT_JS = "document.querySelector('[data-ronbun-overlay]').shadowRoot"


@pytest.fixture(scope="module")
def stack(arxiv):
    arxiv.add_paper(DPR, pdf=(DEFAULT_CORPUS / "pdf" / "2004.04906v3.pdf").read_bytes(), **CORPUS_PAPERS[DPR])
    s = start_stack(arxiv, env={"RONBUN_LOCAL_VISIBILITY_TIMEOUT": "120"})
    yield s
    s.stop()


def items(page, n: int) -> list[dict]:
    page.wait_for_function(f"""() => {{
        const items = [...{ROOT_JS}.querySelectorAll('[data-ronbun="ask-item"]')];
        return items.length === {n} && items.every((li) => li.dataset.state !== 'pending');
    }}""", timeout=90_000)
    return page.evaluate(f"""() => [...{ROOT_JS}.querySelectorAll('[data-ronbun="ask-item"]')].map((li) => ({{
        state: li.dataset.state, found: li.dataset.found ?? null, text: li.textContent,
        engine: li.querySelector('[data-ronbun="ask-engine"]')?.textContent ?? null,
        links: [...li.querySelectorAll('.evidence a')].map((a) => a.href) }}))""")


def test_the_question_box_asks_the_real_stack(browser, stack):
    browser.configure(stack.url, "")
    page = browser.open_paper(DPR)
    page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
    browser.click_toolbar(f"arxiv.org/abs/{DPR}")
    page.wait_for_function(f"() => {ROOT_JS.replace('.shadowRoot', '')}?.dataset.ronbunState === 'done'", timeout=120_000)
    box = page.locator('[data-ronbun="ask-input"]')
    box.focus()
    page.keyboard.type("DPRはBM25と比べて検索精度が高いですか?")
    page.keyboard.press("Enter")
    found = items(page, 1)[0]
    assert found["state"] == "done", found
    assert found["found"] == "true" and found["engine"] == "原文抜粋(生成モデルなし)", found
    assert found["links"] and all(h.startswith(f"https://arxiv.org/pdf/{DPR}v3#page=") for h in found["links"])
    box.focus()
    page.keyboard.type("What GPU hardware and electricity cost were used?")
    page.keyboard.press("Enter")
    newest = items(page, 2)[0]
    assert newest["found"] == "false" and "この論文には記載がありません" in newest["text"], newest
    page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"ask\"]').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "question-box-stack.png"))
    page.close()
