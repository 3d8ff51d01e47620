"""The extension in real headless Chromium, end to end: arxiv.org pages served by FakeArxiv
(behind TLS, resolved by --host-resolver-rules), the real local stack (`python -m infra.local`,
offline engine) and the unpacked extension. See tests/e2e/conftest.py for the fixtures.
"""

from __future__ import annotations

import statistics
import time

import pytest

from tests.e2e.conftest import ARTIFACTS, closed_port, start_stack
from tests.fakes.fake_arxiv import _NOT_A_PDF
from tests.fakes.pdfs import make_paper_pdf

pytestmark = pytest.mark.e2e

API_KEY = "e2e-secret-key"
DONE_TIMEOUT = 30_000

MAIN = "2401.15884"          # toolbar flow, cache, Markdown, screenshot
BUTTON = "2402.01234"        # in-page button, focus, Esc
OLD_STYLE = "hep-th/9901001"
SLOW = "2404.04321"          # service-worker restart mid-poll (its PDF is slow)
FAILING = "2403.03333"       # its "PDF" is an HTML page (not arXiv's "being generated" one, which is retried)
RETRIED = "2408.08888"       # arXiv is still generating its PDF on the first try
RECOVER = "2405.05555"       # network down, then retry after fixing the settings
LIMITED = "2406.06666"       # asked from a stack whose daily cap is 0
XSS = "2407.07777"

PAYLOADS = [
    '<img src=x onerror="window.__ronbunXss=1;alert(1)">',
    "<script>window.__ronbunXss=2;alert(2)</script>",
    '<svg onload="window.__ronbunXss=3;alert(3)">',
    '<iframe src="javascript:alert(4)"></iframe>',
    '<a href="javascript:alert(5)">click me</a>',
    '"><img src=x onerror=alert(6)>',
    "'><script>alert(7)</script>",
    "<body onload=alert(8)>",
    "<details open ontoggle=alert(9)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>",
    '<object data="javascript:alert(11)">',
    '<embed src="javascript:alert(12)">',
    '<video><source onerror="alert(13)">',
    "<input autofocus onfocus=alert(14)>",
    "<marquee onstart=alert(15)>",
    "<style>*{display:none}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(18)">',
    '{{constructor.constructor("alert(19)")()}}',
    "${alert(20)}",
    "<img src=x onerror=alert`21`>",
    "javascript:alert(22)",
    "<form action=javascript:alert(23)><button>go</button></form>",
    '<base href="javascript:alert(24)//">',
]
XSS_TITLE = f"Robust Routing {PAYLOADS[0]} and {PAYLOADS[1]}"
XSS_AUTHORS = PAYLOADS[2:8]
XSS_ABSTRACT = " ".join(f"We show that {p} is rendered as text." for p in PAYLOADS[8:])
XSS_SECTIONS = [
    ("Abstract", [XSS_ABSTRACT]),
    ("1 Introduction", [f"Our method handles the string {p} as plain data in every experiment." for p in PAYLOADS]),
    ("2 Results", [f"The accuracy of the model is 87.5% when the input contains {PAYLOADS[0]} tags.",
                   f"The code is available and the model ignores {PAYLOADS[21]} links."]),
]
FORBIDDEN_TAGS = "img,script,svg,iframe,object,embed,video,source,input,marquee,link,meta,form,base,math,body,style,textarea:not([data-ronbun='ask-input'])"  # the question box's own textarea is the one allowed

OVERLAY_JS = "document.querySelector('[data-ronbun-overlay]')"


# ----------------------------------------------------------------------------- module setup

@pytest.fixture(scope="module")
def papers(arxiv):
    arxiv.add_paper(MAIN, title="Sparse Adapter Routing for Efficient Multilingual Summarization",
                    authors=["Hana Sato", "Daniel Okafor", "Mei Lin"], categories=["cs.CL", "cs.LG"],
                    published="2024-01-29", updated="2024-02-16", versions=2,
                    abstract="We present sparse adapter routing, a method that selects a small set of "
                             "language specific adapters for every input document.")
    arxiv.add_paper(BUTTON, title="Button Paper on Retrieval", authors=["Aiko Tanaka"], categories=["cs.IR"])
    arxiv.add_paper(OLD_STYLE, title="Old Style Strings", authors=["Ada Old"], categories=["hep-th"],
                    published="1999-01-04")
    arxiv.add_paper(SLOW, title="A Paper Whose PDF Is Slow", authors=["Sam Slow"])
    arxiv.delay(f"/pdf/{SLOW}", 4.0)
    arxiv.add_paper(FAILING, title="A Paper Without PDF", authors=["Fay Lure"])
    arxiv.respond(f"/pdf/{FAILING}", b"<!DOCTYPE html><html><body>Access denied</body></html>",
                  content_type="text/html", times=None)
    arxiv.add_paper(RETRIED, title="A Paper Whose PDF Is Being Generated", authors=["Gen Rated"])
    arxiv.respond(f"/pdf/{RETRIED}", _NOT_A_PDF, content_type="text/html; charset=utf-8")
    arxiv.add_paper(RECOVER, title="Recovering From Network Errors", authors=["Net Down"])
    arxiv.add_paper(LIMITED, title="Over The Daily Limit", authors=["Cap Zero"])
    arxiv.add_paper(XSS, title=XSS_TITLE, authors=XSS_AUTHORS, abstract=XSS_ABSTRACT, categories=["cs.CR"],
                    pdf=make_paper_pdf(XSS_TITLE, XSS_SECTIONS, code_url="https://github.com/ronbun-e2e/xss-check"))
    return arxiv


@pytest.fixture(scope="module")
def stack(papers):
    s = start_stack(papers, api_key=API_KEY)
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def configured(browser, stack):
    """Every test starts with working settings (tests that break them restore nothing)."""
    browser.configure(stack.url, API_KEY)
    yield


@pytest.fixture
def dialogs(browser):
    seen = []

    def on_dialog(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    browser.ctx.on("dialog", on_dialog)
    yield seen
    browser.ctx.remove_listener("dialog", on_dialog)


# ----------------------------------------------------------------------------- helpers

def overlay(page) -> dict:
    return page.evaluate(f"""() => {{
        const host = {OVERLAY_JS};
        if (!host) return null;
        const q = (s) => host.shadowRoot.querySelector(s);
        const visible = (el) => !!el && !el.hidden && el.getClientRects().length > 0;
        return {{
            state: host.dataset.ronbunState || "", stages: host.dataset.ronbunStages || "",
            cache: host.dataset.ronbunCache || "", renderMs: host.dataset.renderMs || "",
            attempt: host.dataset.ronbunAttempt || "",
            status: visible(q('[data-ronbun="status"]')) ? q('[data-ronbun="status"]').textContent : "",
            error: visible(q('[data-ronbun="error"]')) ? q('[data-ronbun="error"]').textContent : "",
            errorCode: q('[data-ronbun="error"]').dataset.code || "",
            oneLiner: q('[data-ronbun="one-liner"]')?.textContent || "",
            summary: q('[data-ronbun="summary"]')?.textContent || "",
            qa: [...host.shadowRoot.querySelectorAll('[data-ronbun="qa"]')].map((n) => n.textContent),
            title: q('#ronbun-title')?.textContent || "",
            authors: q('[data-ronbun="authors"]')?.textContent || "",
            paper: q('[data-ronbun="paper"]')?.textContent || "",
            generator: q('[data-ronbun="generator"]')?.textContent || "",
            engine: q('[data-ronbun="engine"]')?.textContent || "",
            kind: q('[data-ronbun="kind"]')?.textContent || "",
            offlineHint: q('[data-ronbun="offline-hint"]')?.textContent || "",
            lang: q('.panel')?.getAttribute('lang') || "",
            mode: host.shadowRoot.mode,
        }};
    }}""")


def wait_settled(page, timeout: int = DONE_TIMEOUT) -> dict:
    page.wait_for_function(f"() => ['done', 'failed', 'error'].includes({OVERLAY_JS}?.dataset.ronbunState)",
                           timeout=timeout)
    return overlay(page)


def wait_overlay(page) -> None:
    page.wait_for_function(f"() => !!{OVERLAY_JS}", timeout=10_000)


def open_with_toolbar(browser, ref: str, kind: str = "abs"):
    page = browser.open_paper(ref, kind)
    if kind == "abs":
        page.wait_for_selector("[data-ronbun-button]", timeout=10_000)  # the content script is ready
    else:
        page.wait_for_timeout(300)
    browser.click_toolbar(f"arxiv.org/{kind}/{ref}")
    wait_overlay(page)
    return page


# ----------------------------------------------------------------------------- the happy path

def test_toolbar_click_shows_metadata_then_stages_then_the_result(browser):
    page = open_with_toolbar(browser, f"{MAIN}v2")
    page.wait_for_function(f"() => {OVERLAY_JS}.shadowRoot.querySelector('#ronbun-title')?.textContent", timeout=10_000)
    early = overlay(page)
    assert early["title"] == "Sparse Adapter Routing for Efficient Multilingual Summarization"
    assert early["authors"] == "Hana Sato, Daniel Okafor, Mei Lin"
    assert "· Computation and Language, Machine Learning" in early["paper"]  # names sent by the API
    assert "発行日: 2024年01月29日 / 最終更新日: 2024年02月16日" in early["paper"]  # both, as in the post
    assert early["mode"] == "open" and early["lang"] == "ja"

    done = wait_settled(page)

    assert done["state"] == "done", done
    assert done["cache"] == "miss"
    stages = done["stages"].split(",")
    assert stages[0] == "requesting" and len(stages) >= 2, stages  # the backend's stage was shown
    assert done["status"] == "" and done["error"] == ""
    assert done["oneLiner"] and done["summary"] and done["qa"]
    # Without a model the panel says what it shows, never 「日本語要約」, and how to get Japanese
    assert done["engine"] == "原文抜粋(生成モデルなし)" and done["kind"] == "原文抜粋(生成モデルなし)"
    assert "OPENAI_API_KEY" in done["offlineHint"]
    assert done["oneLiner"].startswith("この論文の提案（") and "Sparse Adapter Routing" not in done["summary"]
    assert "arXiv:2401.15884v2" in done["generator"]
    page.screenshot(path=str(ARTIFACTS / "overlay.png"))
    print(f"\n[e2e] real overlay render: {done['renderMs']} ms for {len(done['qa'])} Q&A items")
    page.close()


def test_evidence_links_point_to_the_pdf_page_and_quotes_expand(browser):
    page = open_with_toolbar(browser, f"{MAIN}v2")
    wait_settled(page)
    links = page.evaluate(f"""() => [...{OVERLAY_JS}.shadowRoot.querySelectorAll('.evidence a')]
        .map((a) => a.href)""")
    assert links and all(h.startswith("https://arxiv.org/pdf/2401.15884v2#page=") for h in links), links
    # The offline answers already show their quote word for word: 引用を表示 would only repeat it
    assert page.locator("[data-ronbun-overlay] .evidence summary").count() == 0
    page.close()
    # A model's answer paraphrases: there the quote is one click away
    page = browser.extension_page()
    shown = page.evaluate("""async () => {
        const { renderResult } = await import(chrome.runtime.getURL('view.js'));
        const state = { paper_id: '2401.15884', version: 2, status: 'done',
            paper: { id: '2401.15884', version: 2, title: 'T', authors: ['A'], published: '2024-01-29' },
            result: { one_liner: '一文要約です。', summary: '概要です。', code_urls: [],
                      qa: [{ question: '結果は？', answer: '精度は87.5%です。',
                             evidence: [{ page: 3, quote: 'Our model reaches an accuracy of 87.5% on the benchmark.' }] }],
                      generator: { engine: 'openai', model: 'm', prompt_version: 'p' } } };
        const view = document.body.appendChild(renderResult(state));
        const quote = view.querySelector('.evidence blockquote');
        const before = quote.checkVisibility();
        view.querySelector('.evidence summary').click();
        return { before, after: quote.checkVisibility(), text: quote.textContent };
    }""")
    assert shown == {"before": False, "after": True,
                     "text": "Our model reaches an accuracy of 87.5% on the benchmark."}, shown
    page.close()


def test_reopening_is_instant_from_the_cache(browser, papers):
    page = open_with_toolbar(browser, f"{MAIN}v2")
    wait_settled(page)
    browser.click_toolbar(f"arxiv.org/abs/{MAIN}v2")           # toolbar again closes it
    page.wait_for_function(f"() => !{OVERLAY_JS}", timeout=5_000)
    pdf_requests = papers.count(f"/pdf/{MAIN}")

    started = time.monotonic()
    browser.click_toolbar(f"arxiv.org/abs/{MAIN}v2")
    wait_overlay(page)
    again = wait_settled(page, timeout=5_000)
    elapsed = time.monotonic() - started

    assert again["state"] == "done"
    assert again["cache"] == "hit"                   # POST answered 200 with the finished summary
    assert again["stages"] == "requesting"           # no backend stage was ever shown
    assert papers.count(f"/pdf/{MAIN}") == pdf_requests
    print(f"\n[e2e] cached reopen: {elapsed * 1000:.0f} ms")
    page.close()


def test_copy_as_markdown_gives_the_digest_format(browser):
    browser.ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin="https://arxiv.org")
    page = open_with_toolbar(browser, f"{MAIN}v2")
    done = wait_settled(page)
    page.locator("[data-ronbun-overlay] [data-ronbun='copy']").click()
    page.wait_for_function(f"() => {OVERLAY_JS}.shadowRoot.querySelector('.copied').textContent")
    md = page.evaluate("() => navigator.clipboard.readText()")
    lines = md.splitlines()
    assert lines[0] == "## Sparse Adapter Routing for Efficient Multilingual Summarization"
    assert "著者: Hana Sato, Daniel Okafor, Mei Lin" in lines
    assert "発行日: 2024年01月29日" in lines
    assert "最終更新日: 2024年02月16日" in lines
    assert "URL: https://arxiv.org/pdf/2401.15884v2" in lines
    assert "カテゴリ: Computation and Language, Machine Learning" in lines
    assert "概要:" in lines and "Q&A:" in lines
    assert sum(1 for line in lines if line.startswith("Q: ")) == len(done["qa"])
    assert sum(1 for line in lines if line.startswith("A: ")) == len(done["qa"])
    page.close()


@pytest.mark.parametrize("kind", ["pdf", "html"])
def test_toolbar_works_on_pdf_and_html_pages(browser, kind):
    page = open_with_toolbar(browser, f"{MAIN}v2", kind)
    done = wait_settled(page, timeout=10_000)
    assert done["state"] == "done" and done["qa"]
    page.close()


def test_old_style_id_is_summarised(browser):
    page = open_with_toolbar(browser, OLD_STYLE)
    done = wait_settled(page)
    assert done["state"] == "done", done
    assert done["title"] == "Old Style Strings"
    assert "hep-th/9901001" in done["generator"]
    page.close()


# ----------------------------------------------------------------------------- keyboard and focus

def test_in_page_button_opens_esc_closes_and_focus_returns(browser):
    page = browser.open_paper(BUTTON)
    button = page.locator("[data-ronbun-button]")
    assert button.text_content() == "日本語要約"
    button.focus()
    page.keyboard.press("Enter")
    wait_overlay(page)
    done = wait_settled(page)
    assert done["state"] == "done" and done["title"] == "Button Paper on Retrieval"

    for _ in range(25):                                   # Tab never leaves the panel
        page.keyboard.press("Tab")
        assert page.evaluate(f"() => document.activeElement === {OVERLAY_JS}")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(f"() => document.activeElement === {OVERLAY_JS}")

    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !{OVERLAY_JS}", timeout=5_000)
    assert page.evaluate("() => document.activeElement?.hasAttribute('data-ronbun-button')")
    page.close()


def test_close_button_closes_the_overlay(browser):
    page = open_with_toolbar(browser, f"{MAIN}v2")
    wait_settled(page)
    page.locator("[data-ronbun-overlay] [data-ronbun='close']").click()
    page.wait_for_function(f"() => !{OVERLAY_JS}", timeout=5_000)
    page.close()


# ----------------------------------------------------------------------------- untrusted text

def test_xss_payloads_in_every_field_render_as_text(browser, dialogs):
    page = open_with_toolbar(browser, XSS)
    done = wait_settled(page)
    assert done["state"] == "done", done
    page.wait_for_timeout(300)  # give any injected handler the chance to run

    found = page.evaluate(f"""(tags) => {{
        const root = {OVERLAY_JS}.shadowRoot;
        const all = [...root.querySelectorAll('*')];
        return {{
            forbidden: [...root.querySelectorAll(tags)].map((n) => n.tagName),
            handlers: all.flatMap((n) => [...n.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
            hrefs: [...root.querySelectorAll('[href]')].map((n) => n.getAttribute('href')),
            text: root.textContent,
            flag: window.__ronbunXss ?? null,
        }};
    }}""", FORBIDDEN_TAGS)

    assert dialogs == []
    assert found["flag"] is None
    assert found["forbidden"] == []
    assert found["handlers"] == []
    assert all(h.startswith(("https://arxiv.org/", "https://github.com/")) for h in found["hrefs"]), found["hrefs"]
    assert done["title"] == XSS_TITLE
    assert done["authors"] == ", ".join(XSS_AUTHORS)
    shown = [p for p in PAYLOADS if p in found["text"]]
    assert shown == PAYLOADS                          # title, authors and abstract, verbatim as text
    generated = " ".join([done["oneLiner"], done["summary"], *done["qa"]])
    in_answers = [p for p in PAYLOADS if p in generated]
    assert in_answers                                 # and through the engine into its output
    print(f"\n[e2e] {len(shown)} payloads shown as text, {len(in_answers)} of them in the generated summary/Q&A")
    page.close()


def test_offline_panel_at_420_px_light_and_dark(browser):
    # Given the offline result of a paper (cached by the happy-path test or made now)
    shots = {}
    for name, scheme, width in (("light", "light", 1280), ("dark", "dark", 1280), ("420px", "light", 420)):
        page = browser.ctx.new_page()
        page.set_viewport_size({"width": width, "height": 860})
        page.emulate_media(color_scheme=scheme)
        page.goto(f"https://arxiv.org/abs/{MAIN}v2", wait_until="domcontentloaded")
        page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
        browser.click_toolbar(f"arxiv.org/abs/{MAIN}v2")
        wait_overlay(page)
        done = wait_settled(page)
        assert done["state"] == "done" and done["kind"] == "原文抜粋(生成モデルなし)"
        # Then nothing overflows sideways, and the first screen reaches the content, not only the title
        layout = page.evaluate(f"""() => {{
            const root = {OVERLAY_JS}.shadowRoot;
            const panel = root.querySelector('.panel'), line = root.querySelector('[data-ronbun="one-liner"]');
            return {{ overflow: panel.scrollWidth - panel.clientWidth, oneLinerTop: line.getBoundingClientRect().top }};
        }}""")
        assert layout["overflow"] <= 1, layout
        assert layout["oneLinerTop"] < 860, layout
        shots[name] = ARTIFACTS / f"offline-{name}.png"
        page.screenshot(path=str(shots[name]))
        page.close()
    print(f"\n[e2e] offline panel screenshots: {', '.join(str(p) for p in shots.values())}")


# ----------------------------------------------------------------------------- errors and the way out

def test_not_configured_offers_the_options_page(browser):
    browser.configure("", "")
    page = open_with_toolbar(browser, BUTTON)
    state = wait_settled(page, timeout=10_000)
    assert state["errorCode"] == "not_configured"
    assert "API の URL が設定されていません" in state["error"]
    with browser.ctx.expect_page() as opened:
        page.locator("[data-ronbun-overlay] [data-ronbun='open-options']").click()
    options = opened.value
    options.wait_for_load_state()
    assert options.url == browser.options_url
    options.close()
    page.close()


def test_wrong_api_key_says_to_check_the_key(browser, stack):
    browser.configure(stack.url, "wrong-key")
    page = open_with_toolbar(browser, BUTTON)
    state = wait_settled(page, timeout=10_000)
    assert state["errorCode"] == "forbidden"
    assert "API キー" in state["error"]
    assert page.locator("[data-ronbun-overlay] [data-ronbun='open-options']").is_visible()
    page.close()


def test_daily_limit_says_so(browser, papers):
    capped = start_stack(papers, env={"RONBUN_DAILY_CAP": "0"})
    try:
        browser.configure(capped.url, "")
        page = open_with_toolbar(browser, LIMITED)
        state = wait_settled(page, timeout=15_000)
    finally:
        capped.stop()
    assert state["errorCode"] == "daily_limit_reached", state
    assert "上限" in state["error"]
    page.close()


def test_a_paper_whose_pdf_is_an_html_page_offers_the_pdf_and_no_useless_retry(browser, papers):
    page = open_with_toolbar(browser, FAILING)
    state = wait_settled(page)
    # Then the reader is told what happened, gets the PDF on arxiv.org, and no 再試行 that cannot work
    assert state["state"] == "failed" and state["errorCode"] == "pdf_invalid", state
    assert "PDF" in state["error"]
    link = page.locator("[data-ronbun-overlay] [data-ronbun='open-pdf']")
    assert link.text_content() == "PDF を直接開く"
    assert link.get_attribute("href") == f"https://arxiv.org/pdf/{FAILING}"
    assert page.locator("[data-ronbun-overlay] [data-ronbun='retry']").count() == 0
    page.close()


def test_a_retry_is_announced_with_its_reason_and_time_and_the_overlay_waits_for_it(browser):
    # Given arXiv still generating the paper's PDF on the first try (the server retries in 15 s)
    page = open_with_toolbar(browser, RETRIED)
    # When the overlay polls  Then it says why and when the next try is
    notice = page.wait_for_function(
        f"() => {OVERLAY_JS}.shadowRoot.querySelector('[data-ronbun=\"retry-notice\"]')?.textContent",
        timeout=DONE_TIMEOUT).json_value()
    assert notice.startswith("arXiv で PDF を生成中です。") and "後に再試行します" in notice, notice
    # And it keeps polling until the retry has produced the summary
    done = wait_settled(page, timeout=60_000)
    assert done["state"] == "done", done
    page.close()


def test_network_down_then_retry_after_fixing_the_settings(browser, stack):
    browser.configure(f"http://127.0.0.1:{closed_port()}", API_KEY)
    page = open_with_toolbar(browser, RECOVER)
    state = wait_settled(page, timeout=15_000)
    assert state["errorCode"] == "network_error", state
    assert "接続できませんでした" in state["error"]
    page.screenshot(path=str(ARTIFACTS / "overlay-network-error.png"))

    browser.configure(stack.url, API_KEY)
    page.locator("[data-ronbun-overlay] [data-ronbun='retry']").click()
    page.wait_for_function(f"() => {OVERLAY_JS}.dataset.ronbunAttempt === '2'", timeout=5_000)
    done = wait_settled(page)
    assert done["state"] == "done" and done["title"] == "Recovering From Network Errors"
    page.close()


# ----------------------------------------------------------------------------- service-worker restart

def test_service_worker_restart_mid_poll_still_completes(browser):
    page = open_with_toolbar(browser, SLOW)
    page.wait_for_function(f"() => {OVERLAY_JS}.dataset.ronbunStages?.includes('fetching')", timeout=15_000)
    assert browser.worker_targets()

    # the overlay polls every 0.5 s and each poll wakes the worker: Chrome's own report says it stopped
    stopped = browser.stop_service_worker()

    done = wait_settled(page)
    assert stopped, "the service worker did not stop"
    assert done["state"] == "done", done
    assert browser.worker_targets()                     # a message woke it up again
    page.close()


# ----------------------------------------------------------------------------- options page

def test_options_connection_test_uses_the_values_typed_in_the_form(browser, stack):
    # Given saved settings that point nowhere, and the options page open in a tab
    browser.configure(f"http://127.0.0.1:{closed_port()}", "stale-key")
    page = browser.ctx.new_page()
    page.goto(browser.options_url)
    # When the reader types the right URL and key and presses 接続テスト without saving
    page.fill("input[name=apiBaseUrl]", stack.url)
    page.fill("input[name=apiKey]", API_KEY)
    page.click("#test")
    # Then the test uses what is in the form, and nothing was saved
    page.wait_for_function("() => ['ok', 'error'].includes(document.getElementById('status').dataset.kind)",
                           timeout=10_000)
    assert "接続できました" in page.text_content("#status")
    assert browser.stored_settings()["apiKey"] == "stale-key"
    page.close()


def test_options_page_saves_settings_and_tests_the_connection(browser, stack):
    page = browser.ctx.new_page()
    page.goto(browser.options_url)
    page.fill("input[name=apiBaseUrl]", stack.url + "/")
    page.fill("input[name=apiKey]", API_KEY)
    page.click("button[type=submit]")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('保存しました')")
    stored = page.evaluate("() => chrome.storage.local.get(['apiBaseUrl', 'apiKey'])")
    assert stored == {"apiBaseUrl": stack.url, "apiKey": API_KEY}

    page.click("#test")
    page.wait_for_function("() => document.getElementById('status').dataset.kind === 'ok'", timeout=10_000)
    assert "接続できました" in page.text_content("#status")

    page.fill("input[name=apiBaseUrl]", "http://api.example.com")
    page.click("button[type=submit]")
    assert page.get_attribute("#status", "data-kind") == "error"
    assert browser.stored_settings()["apiBaseUrl"] == stack.url
    page.close()


# ----------------------------------------------------------------------------- render time

def test_overlay_renders_ten_qa_items_fast(browser):
    """The overlay's result view for a 10-item Q&A, rendered in the browser (median of 15)."""
    page = browser.extension_page()
    timings = page.evaluate("""async () => {
        const { renderResult } = await import(chrome.runtime.getURL('view.js'));
        const { OVERLAY_CSS } = await import(chrome.runtime.getURL('overlay-style.js'));
        const qa = Array.from({ length: 10 }, (_, i) => ({
            question: `質問 ${i + 1}: この論文の手法は何ですか?`,
            answer: `回答 ${i + 1}: 論文では疎なアダプタールーティングを提案し、精度 87.5% を報告しています。`.repeat(3),
            evidence: [{ page: i + 1, quote: 'Our model reaches an accuracy of 87.5% on the benchmark.' },
                       { page: i + 2, quote: 'The router is trained jointly with the adapters.' }] }));
        const state = { paper_id: '2401.15884', version: 2, status: 'done',
            paper: { id: '2401.15884', version: 2, title: 'T', authors: ['A'], published: '2024-01-29' },
            result: { one_liner: '一文要約です。', summary: '概要の段落です。'.repeat(20), qa,
                      code_urls: ['https://github.com/org/repo'],
                      generator: { engine: 'offline', model: 'extractive', prompt_version: 'p1' } } };
        const host = document.body.appendChild(document.createElement('div'));
        const root = host.attachShadow({ mode: 'open' });
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(OVERLAY_CSS);
        root.adoptedStyleSheets = [sheet];
        const dom = [], layout = [];
        for (let i = 0; i < 15; i++) {
            const t0 = performance.now();
            root.replaceChildren(renderResult(state));   // what the overlay times (data-render-ms)
            const t1 = performance.now();
            root.firstChild.getBoundingClientRect();     // plus style and layout
            const t2 = performance.now();
            dom.push(t1 - t0);
            layout.push(t2 - t0);
        }
        return { dom, layout, items: root.querySelectorAll('[data-ronbun="qa"]').length };
    }""")
    dom, layout = statistics.median(timings["dom"]), statistics.median(timings["layout"])
    print(f"\n[e2e] overlay render, 10 Q&A items (n=15): median {dom:.2f} ms to build and insert, "
          f"{layout:.2f} ms with style and layout (max {max(timings['layout']):.2f})")
    assert timings["items"] == 10   # the time is reported (DESIGN.md budget 50 ms), not asserted: machines are noisy
    page.close()


def test_the_overlay_says_how_many_answers_verification_held_back(browser):
    # Given a result from which verification dropped two Q&A items (one with two findings)
    page = browser.extension_page()
    texts = page.evaluate("""async () => {
        const { renderResult } = await import(chrome.runtime.getURL('view.js'));
        const base = { paper_id: '2401.15884', version: 1, status: 'done', paper: { id: '2401.15884', title: 'T' },
            result: { one_liner: '一文要約です。', summary: '概要です。', qa: [],
                      generator: { engine: 'openai', model: 'm', prompt_version: 'p' } } };
        const dropped = [{ item: 1, code: 'non_answer' }, { item: 1, code: 'no_evidence' }, { item: 3, code: 'quote_not_found' }];
        const note = (state) => renderResult(state).querySelector('[data-ronbun="quality"]')?.textContent ?? null;
        return [note({ ...base, result: { ...base.result, quality: { checked: true, dropped } } }),
                note({ ...base, result: { ...base.result, quality: { checked: true, dropped: [] } } })];
    }""")
    # Then the reader is told, in Japanese, that two answers were held back; and nothing when none were
    assert texts[0] == "論文の本文で裏付けを確認できなかった Q&A を 2 件除外しました。"
    assert texts[1] is None
    page.close()


def test_overlay_render_time_on_arxiv_page(browser):
    """The same measurement inside the real overlay (data-render-ms), over cached reopenings."""
    page = open_with_toolbar(browser, f"{MAIN}v2")
    first = wait_settled(page)
    times = []
    for _ in range(5):
        browser.click_toolbar(f"arxiv.org/abs/{MAIN}v2")
        page.wait_for_function(f"() => !{OVERLAY_JS}", timeout=5_000)
        browser.click_toolbar(f"arxiv.org/abs/{MAIN}v2")
        wait_overlay(page)
        times.append(float(wait_settled(page, timeout=5_000)["renderMs"]))
    median = statistics.median(times)
    print(f"\n[e2e] overlay render on the page, {len(first['qa'])} Q&A items: median {median:.2f} ms of {times}")
    assert len(times) == 5 and all(t > 0 for t in times)   # reported, not asserted against the budget
    page.close()

