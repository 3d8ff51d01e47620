"""The verification badge in real headless Chromium against the real local stack (offline
engine): 「検証済み」 only for a result that left nothing out and passed every check; otherwise
「一部検証できず」 with the reasons one click (or Enter) away. Fixtures: tests/e2e/conftest.py.

This module's stack reads at most 3 pages of a PDF (RONBUN_PDF_MAX_PAGES=3), so a 6-page paper
is summarised with pages left unread.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, start_stack
from tests.fakes.pdfs import make_paper_pdf

pytestmark = pytest.mark.e2e

API_KEY = "e2e-badge-key"
SHORT = "2408.08001"     # 2 pages: read whole, every check passes
LONG = "2408.08002"      # 6 pages: only 3 read
OVERLAY_JS = "document.querySelector('[data-ronbun-overlay]')"
BADGE = '[data-ronbun="verification"]'
DETAILS = '[data-ronbun="verification-details"]'


@pytest.fixture(scope="module")
def stack(arxiv):
    arxiv.add_paper(SHORT, title="A Short Paper Read In Full", authors=["Ken Short"], categories=["cs.CL"])
    arxiv.add_paper(LONG, title="A Long Paper Read In Part", authors=["Lia Long"], categories=["cs.CL"],
                    pdf=make_paper_pdf("A Long Paper Read In Part", pages=6))
    s = start_stack(arxiv, api_key=API_KEY, env={"RONBUN_PDF_MAX_PAGES": "3"})
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def configured(browser, stack):
    browser.configure(stack.url, API_KEY)
    yield


def open_result(browser, ref: str):
    page = browser.open_paper(ref)
    page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
    browser.click_toolbar(f"arxiv.org/abs/{ref}")
    page.wait_for_function(f"() => ['done', 'failed', 'error'].includes({OVERLAY_JS}?.dataset.ronbunState)",
                           timeout=30_000)
    assert page.evaluate(f"() => {OVERLAY_JS}.dataset.ronbunState") == "done"
    return page


def badge(page) -> dict:
    return page.evaluate(f"""() => {{
        const root = {OVERLAY_JS}.shadowRoot;
        const b = root.querySelector('{BADGE}'), d = root.querySelector('{DETAILS}');
        return {{ text: b.textContent, state: b.dataset.state, tag: b.tagName, expanded: b.getAttribute('aria-expanded'),
                  controls: b.getAttribute('aria-controls'), detailsId: d.id, open: !d.hidden && d.getClientRects().length > 0,
                  items: [...d.querySelectorAll('li')].map((li) => li.textContent),
                  claims: root.textContent.includes('検証済み') }};
    }}""")


def test_a_result_that_left_nothing_out_shows_verified(browser):
    # Given a 2-page paper that the stack reads in full; When its summary is shown
    page = open_result(browser, SHORT)
    b = badge(page)
    # Then the badge says 検証済み, and its details (closed) say what that covered
    assert (b["text"], b["state"], b["tag"]) == ("検証済み", "verified", "BUTTON")
    assert not b["open"] and b["expanded"] == "false"
    assert any("検証" in item and "通過しました" in item for item in b["items"])
    page.close()


def test_a_result_with_pages_left_out_shows_partly_verified_with_details_on_click_and_enter(browser):
    # Given a 6-page paper of which the stack reads 3
    page = open_result(browser, LONG)
    b = badge(page)
    # Then the badge says 一部検証できず, never 検証済み, and the reasons are hidden until asked for
    assert (b["text"], b["state"]) == ("一部検証できず", "partial")
    assert not b["claims"]
    assert not b["open"] and b["controls"] == b["detailsId"]
    button = page.locator(BADGE)

    # When clicked, Then the details open and name the unread pages in Japanese
    button.click()
    b = badge(page)
    assert b["open"] and b["expanded"] == "true"
    assert "全 6 ページのうち先頭 3 ページだけを読みました（4〜6 ページは未確認です）" in b["items"]
    page.screenshot(path=str(ARTIFACTS / "overlay-badge-partial.png"))

    # When clicked again, Then they close; When focused and Enter is pressed, Then they open again
    button.click()
    assert not badge(page)["open"]
    button.focus()
    page.keyboard.press("Enter")
    b = badge(page)
    assert b["open"] and b["expanded"] == "true"
    page.close()


def test_an_old_cached_result_without_verified_is_not_badged_verified(browser):
    # Given a result document stored before `verified` existed, rendered by the overlay's view in Chromium
    page = browser.extension_page()
    out = page.evaluate("""async () => {
        const { renderResult } = await import(chrome.runtime.getURL('view.js'));
        const state = { paper_id: '2401.15884', status: 'done', paper: { id: '2401.15884', title: 'T' },
            result: { one_liner: '一文要約です。', summary: '概要です。', qa: [],
                      generator: { engine: 'openai', model: 'm', prompt_version: 'p' },
                      quality: { checked: true, dropped: [], repaired: 0, warnings: [] } } };
        const view = document.body.appendChild(renderResult(state));
        const button = view.querySelector('[data-ronbun="verification"]');
        button.click();
        return { label: button.textContent, text: view.textContent,
                 details: view.querySelector('[data-ronbun="verification-details"]').textContent };
    }""")
    # Then it says 一部検証できず with a neutral note, and nowhere 検証済み
    assert out["label"] == "一部検証できず"
    assert "検証済み" not in out["text"]
    assert "検証の記録方式が変わる前に作られた" in out["details"]
    page.close()
