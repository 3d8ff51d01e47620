"""The overlay's progressive result (issue 12) and tap-to-evidence sentences (issue 14) in real
headless Chromium. The API is tests/e2e/scripted_api.py: a real HTTP server whose states the test
moves on one by one (queued -> abstract partial -> full-text partials with Q&A growing -> done),
so every assertion is about what the overlay does with a state, never about timing.
"""

from __future__ import annotations

import copy
import threading

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.scripted_api import ScriptedApi

pytestmark = pytest.mark.e2e

OVERLAY_JS = "document.querySelector('[data-ronbun-overlay]')"
ROOT_JS = f"{OVERLAY_JS}.shadowRoot"
PROG = "2409.09001"
TAP = "2409.09002"
BENCH = "2409.09003"
WAIT = 15_000

PAPER = {"title": "Sparse Adapter Routing for Efficient Multilingual Summarization",
         "authors": ["Hana Sato", "Daniel Okafor", "Mei Lin"], "categories": ["cs.CL"],
         "published": "2024-09-02", "updated": "2024-09-02",
         "abstract": "We present sparse adapter routing, a method that selects a small set of language "
                     "specific adapters for every input document."}

ABSTRACT_ONE_LINER = "本論文は、入力ごとに少数の言語別アダプタを選ぶ疎なルーティングで多言語要約を効率化する手法を提案します。"
ABSTRACT_SUMMARY = ("入力文書ごとに少数の言語別アダプタを選ぶ手法を提案します。"
                    "アブストラクトによれば、計算量を抑えつつ要約の品質を保ちます。"
                    "多言語の要約タスクで評価しています。")
ONE_LINER = [{"text": "本論文は、入力文書ごとに2個の言語別アダプタだけを使う疎なルーティングにより、"
                      "XL-Sumの45言語で要約の計算量を半分にする手法を提案します。",
              "evidence": [{"page": 1, "quote": "Sparse adapter routing activates only two language specific "
                                                "adapters per document and halves the inference cost on XL-Sum."}]}]
SENTENCES = [
    {"text": "提案手法は、各入力文書に対してルーターが45個のアダプタから2個だけを選びます。",
     "evidence": [{"page": 3, "quote": "For every input document, the router selects two of the 45 adapters."}]},
    {"text": "XL-Sumの45言語で、推論時の計算量を密なアダプタの半分に抑えました。",
     "evidence": [{"page": 6, "quote": "On XL-Sum, sparse routing halves the inference FLOPs of dense adapters."}]},
    {"text": "ROUGE-Lの低下は、この設定では0.3ポイント以内でした。",
     "evidence": [{"page": 6, "quote": "In our setting, ROUGE-L drops by at most 0.3 points."},
                  {"page": 7, "quote": "The largest drop, 0.3 ROUGE-L, is observed for Amharic."}]},
]
QA = [
    {"question": "この論文は何を提案していますか？",
     "answer": "入力文書ごとに言語別アダプタを2個だけ選んで使う、疎なアダプタルーティングを提案しています。",
     "evidence": [{"page": 1, "quote": "We present sparse adapter routing, a method that selects a small set of "
                                       "language specific adapters for every input document."}]},
    {"question": "どのデータセットで評価していますか？",
     "answer": "45言語を含む多言語要約データセットのXL-Sumで評価しています。",
     "evidence": [{"page": 5, "quote": "We evaluate on XL-Sum, which covers 45 languages."}]},
    {"question": "計算量はどれだけ減りますか？",
     "answer": "推論時の計算量が密なアダプタの半分になります。",
     "evidence": [{"page": 6, "quote": "On XL-Sum, sparse routing halves the inference FLOPs of dense adapters."}]},
    {"question": "要約の品質は下がりますか？",
     "answer": "ROUGE-Lの低下は0.3ポイント以内です。",
     "evidence": [{"page": 6, "quote": "In our setting, ROUGE-L drops by at most 0.3 points."}]},
    {"question": "ルーターはどのように学習しますか？",
     "answer": "要約の損失に負荷分散の項を加えて、アダプタと同時に学習します。",
     "evidence": [{"page": 4, "quote": "The router is trained jointly with the adapters using the summarization "
                                       "loss plus a load balancing term."}]},
    {"question": "限界は何ですか？",
     "answer": "低資源言語では、選ばれるアダプタが偏ることがあると述べています。",
     "evidence": [{"page": 8, "quote": "For low resource languages, the router tends to pick the same adapters."}]},
]
VERIFIED = {"checked": True, "verified": True, "checks": ["quote_not_found", "non_answer", "numbers"],
            "dropped": [], "repaired": 0, "warnings": [], "left_out": [], "judge": []}
GENERATOR = {"engine": "openai", "model": "gpt-4.1-mini", "prompt_version": "2026-11-30"}


def paper_doc(paper_id: str) -> dict:
    return {"id": paper_id, "version": 1, **PAPER}


def pending(paper_id: str, status: str, stage: str | None = None, partial: dict | None = None,
            progress: dict | None = None) -> dict:
    state = {"paper_id": paper_id, "version": 1, "lang": "ja", "status": status, "paper": paper_doc(paper_id)}
    if stage:
        state["stage"] = stage
    if partial:
        state["partial"] = partial
    if progress:
        state["progress"] = progress
    return state


def fulltext(qa_count: int) -> dict:
    return {"source": "fulltext", "one_liner": ONE_LINER[0]["text"], "one_liner_sentences": ONE_LINER,
            "summary": "".join(s["text"] for s in SENTENCES), "summary_sentences": SENTENCES,
            "qa": QA[:qa_count], "progress": {"qa_done": qa_count, "qa_total": len(QA)}}


def done(paper_id: str, *, sentences: bool = True) -> dict:
    result = {"paper": paper_doc(paper_id), "lang": "ja", "one_liner": ONE_LINER[0]["text"],
              "summary": "".join(s["text"] for s in SENTENCES), "qa": QA, "code_urls": [],
              "generator": GENERATOR, "quality": VERIFIED}
    if sentences:
        result.update(one_liner_sentences=ONE_LINER, summary_sentences=SENTENCES)
    return {"paper_id": paper_id, "version": 1, "lang": "ja", "status": "done", "paper": paper_doc(paper_id),
            "result": copy.deepcopy(result)}


PROGRESSIVE = [
    pending(PROG, "queued"),
    pending(PROG, "running", "generating", {"source": "abstract", "one_liner": ABSTRACT_ONE_LINER,
                                            "summary": ABSTRACT_SUMMARY, "qa": []}),
    pending(PROG, "running", "generating", fulltext(1), {"qa_done": 1, "qa_total": 6}),
    pending(PROG, "running", "verifying", fulltext(2), {"qa_done": 2, "qa_total": 6}),
    done(PROG),
]

# Every element added to the overlay that carries a data key, recorded from the page's own world.
WATCH_JS = """() => {
    window.__ronbunAdded = [];
    const record = (records) => {
        for (const r of records) for (const n of r.addedNodes) {
            if (n.nodeType !== 1) continue;
            for (const el of [n, ...n.querySelectorAll('[data-ronbun-key]')]) {
                if (el.dataset.ronbunKey) window.__ronbunAdded.push(el.dataset.ronbunKey);
            }
        }
    };
    new MutationObserver(() => {
        const host = document.querySelector('[data-ronbun-overlay]');
        if (host && !host.__watched) {
            host.__watched = true;
            new MutationObserver(record).observe(host.shadowRoot, { childList: true, subtree: true });
        }
    }).observe(document.documentElement, { childList: true });
}"""

SNAPSHOT_JS = f"""() => {{
    const host = {OVERLAY_JS}, root = host.shadowRoot, q = (s) => root.querySelector(s);
    const shown = (el) => !!el && !el.hidden && el.getClientRects().length > 0;
    return {{
        state: host.dataset.ronbunState || '', stage: host.dataset.ronbunStage || '',
        firstJapanese: host.dataset.ronbunFirstJapaneseMs || '', firstQa: host.dataset.ronbunFirstQaMs || '',
        doneMs: host.dataset.ronbunDoneMs || '', opened: host.dataset.ronbunOpenedMs || '',
        sourceLabel: shown(q('[data-ronbun="source-label"]')) ? q('[data-ronbun="source-label"]').textContent : '',
        oneLiner: q('[data-ronbun="one-liner"]')?.textContent || '',
        summary: q('[data-ronbun="summary"]')?.textContent || '',
        sentences: root.querySelectorAll('[data-ronbun="summary"] [data-ronbun="sentence"]').length,
        qa: [...root.querySelectorAll('[data-ronbun="qa"]')].map((n) => n.querySelector('.q [data-ronbun-text]').textContent),
        progress: shown(q('[data-ronbun="qa-progress"]')) ? q('[data-ronbun="qa-progress"]').textContent : '',
        pendingBadge: q('[data-ronbun="verification-pending"]')?.textContent || '',
        badge: q('[data-ronbun="verification"]')?.textContent || '',
        status: shown(q('[data-ronbun="status"]')),
    }};
}}"""


@pytest.fixture(scope="module")
def api(arxiv):
    for paper_id in (PROG, TAP, BENCH):
        arxiv.add_paper(paper_id, title=PAPER["title"], authors=PAPER["authors"], categories=PAPER["categories"],
                        abstract=PAPER["abstract"], published=PAPER["published"])
    server = ScriptedApi().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def configured(browser, api):
    browser.configure(api.url, "")
    yield


def snapshot(page) -> dict:
    return page.evaluate(SNAPSHOT_JS)


def wait_for(page, condition: str) -> None:
    page.wait_for_function(f"() => {{ const host = {OVERLAY_JS}; if (!host) return false; "
                           f"const root = host.shadowRoot; return {condition}; }}", timeout=WAIT)


def open_paper(browser, paper_id: str, height: int = 860):
    page = browser.ctx.new_page()
    page.set_viewport_size({"width": 1280, "height": height})
    page.goto(f"https://arxiv.org/abs/{paper_id}", wait_until="domcontentloaded")
    page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
    page.evaluate(WATCH_JS)
    browser.click_toolbar(f"arxiv.org/abs/{paper_id}")
    page.wait_for_function(f"() => !!{OVERLAY_JS}", timeout=10_000)
    return page


def test_partials_appear_in_place_and_the_final_result_rebuilds_nothing(browser, api):
    api.script(PROG, PROGRESSIVE)
    # Given a queued job; When the overlay opens; Then it waits with nothing but the paper
    page = open_paper(browser, PROG, height=640)
    wait_for(page, "host.dataset.ronbunState === 'pending' && !!root.querySelector('#ronbun-title')")
    assert snapshot(page)["oneLiner"] == ""

    # When the abstract-based partial arrives; Then the one-liner and 概要 show, labelled, as 検証中
    api.advance(PROG)
    wait_for(page, "host.dataset.ronbunStage === 'abstract'")
    s = snapshot(page)
    assert s["sourceLabel"] == "アブストラクトより"
    assert s["oneLiner"] == ABSTRACT_ONE_LINER and s["summary"] == ABSTRACT_SUMMARY
    assert s["pendingBadge"] == "検証中" and s["badge"] == ""
    assert s["qa"] == [] and s["firstJapanese"] and not s["firstQa"]
    page.evaluate(f"() => {{ window.__oneLiner = {ROOT_JS}.querySelector('[data-ronbun=\"one-liner\"]'); }}")
    page.screenshot(path=str(ARTIFACTS / "progressive-abstract.png"))

    # When the full-text partial with its first Q&A item arrives; Then it replaces the abstract's
    # text in the same place (same element), the label goes, the Q&A item and the progress appear
    api.advance(PROG)
    wait_for(page, "host.dataset.ronbunStage === 'fulltext'")
    s = snapshot(page)
    assert s["sourceLabel"] == ""
    assert s["oneLiner"] == ONE_LINER[0]["text"] and s["sentences"] == len(SENTENCES)
    assert s["qa"] == [QA[0]["question"]] and s["progress"] == "Q&A 1/6 件を検証済み"
    assert s["firstQa"] and s["pendingBadge"] == "検証中" and s["badge"] == ""
    assert page.evaluate(f"() => window.__oneLiner === {ROOT_JS}.querySelector('[data-ronbun=\"one-liner\"]')")

    # Given the reader has scrolled and focused a sentence of the 概要
    page.evaluate(f"""() => {{
        const root = {ROOT_JS};
        window.__body = root.querySelector('.body');
        window.__sentence = root.querySelectorAll('[data-ronbun="summary"] [data-ronbun="sentence"]')[1];
        window.__sentence.focus();
        window.__body.scrollTop = 90;
        window.__scroll = window.__body.scrollTop;
        window.__firstQa = root.querySelector('[data-ronbun="qa"]');
        window.__sentences = [...root.querySelectorAll('[data-ronbun="sentence"]')];
    }}""")
    assert page.evaluate("() => window.__scroll") > 0, "the panel must overflow for this test"
    kept = """() => ({ focus: window.__body.getRootNode().activeElement === window.__sentence,
                      scroll: window.__body.scrollTop === window.__scroll,
                      firstQa: window.__firstQa.isConnected,
                      sentences: window.__sentences.every((n) => n.isConnected) })"""

    # When the next partial brings the second Q&A item; Then it is appended, and focus and scroll stay
    api.advance(PROG)
    wait_for(page, "root.querySelectorAll('[data-ronbun=\"qa\"]').length === 2")
    s = snapshot(page)
    assert s["qa"] == [QA[0]["question"], QA[1]["question"]] and s["progress"] == "Q&A 2/6 件を検証済み"
    assert page.evaluate(kept) == {"focus": True, "scroll": True, "firstQa": True, "sentences": True}
    # (the reader now scrolls to the bottom, where the progress line is)
    page.evaluate("() => { window.__body.scrollTop = window.__body.scrollHeight; window.__scroll = window.__body.scrollTop; }")
    page.screenshot(path=str(ARTIFACTS / "progressive.png"))

    # When the job is done; Then the result is reconciled: 検証済み, all six items, nothing shown rebuilt
    api.advance(PROG)
    wait_for(page, "host.dataset.ronbunState === 'done'")
    s = snapshot(page)
    assert s["stage"] == "done" and s["badge"] == "検証済み" and s["pendingBadge"] == ""
    assert s["qa"] == [item["question"] for item in QA] and s["progress"] == "" and not s["status"]
    assert page.evaluate(kept) == {"focus": True, "scroll": True, "firstQa": True, "sentences": True}
    added = page.evaluate("() => window.__ronbunAdded")
    assert len(added) == len(set(added)), [k for k in added if added.count(k) > 1]
    assert sum(k.startswith("qa-") for k in added) == len(QA)
    # And the bench hooks say when each step reached the screen, in order
    assert float(s["opened"]) <= float(s["firstJapanese"]) <= float(s["firstQa"]) <= float(s["doneMs"])
    page.close()


def test_a_summary_sentence_opens_its_evidence_below_it_and_esc_closes_it(browser, api):
    api.script(TAP, [done(TAP)])
    page = open_paper(browser, TAP)
    wait_for(page, "host.dataset.ronbunState === 'done'")
    sentence = page.locator("[data-ronbun-overlay] [data-ronbun='summary'] [data-ronbun='sentence']").nth(2)
    info_js = f"""() => {{
        const root = {ROOT_JS};
        const s = root.querySelectorAll('[data-ronbun="summary"] [data-ronbun="sentence"]')[2];
        const box = root.getElementById(s.getAttribute('aria-controls'));
        return {{ role: s.getAttribute('role'), tabindex: s.getAttribute('tabindex'),
                  expanded: s.getAttribute('aria-expanded'), open: !box.hidden && box.getClientRects().length > 0,
                  next: s.nextElementSibling === box, below: box.getBoundingClientRect().top >= s.getBoundingClientRect().bottom - 1,
                  quotes: [...box.querySelectorAll('blockquote')].map((b) => [b.textContent, b.lang]),
                  links: [...box.querySelectorAll('a')].map((a) => a.href),
                  focused: root.activeElement === s, overlay: !!{OVERLAY_JS} }};
    }}"""
    # Given a done result with sentence evidence: each sentence is a closed, focusable button-like element
    info = page.evaluate(info_js)
    assert (info["role"], info["tabindex"], info["expanded"], info["open"]) == ("button", "0", "false", False)

    # When tapped; Then its English quotes and page links open right below it
    sentence.click()
    info = page.evaluate(info_js)
    assert info["expanded"] == "true" and info["open"] and info["next"] and info["below"]
    assert info["quotes"] == [[ev["quote"], "en"] for ev in SENTENCES[2]["evidence"]]
    assert info["links"] == [f"https://arxiv.org/pdf/{TAP}v1#page=6", f"https://arxiv.org/pdf/{TAP}v1#page=7"]
    page.screenshot(path=str(ARTIFACTS / "summary-evidence.png"))

    # When Esc is pressed; Then the evidence closes, focus is on the sentence, the overlay stays
    page.keyboard.press("Escape")
    info = page.evaluate(info_js)
    assert info["expanded"] == "false" and not info["open"] and info["focused"] and info["overlay"]

    # When Enter, then Space; Then they toggle it open and closed
    page.keyboard.press("Enter")
    assert page.evaluate(info_js)["open"]
    page.keyboard.press(" ")
    info = page.evaluate(info_js)
    assert not info["open"] and info["focused"]

    # When Esc is pressed with nothing open; Then the overlay closes as before
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !{OVERLAY_JS}", timeout=5_000)
    page.close()


def test_results_without_sentences_render_as_before_and_partials_are_text_only(browser):
    page = browser.extension_page()
    out = page.evaluate("""async ([old, partial]) => {
        const { renderResult, createResultView } = await import(chrome.runtime.getURL('view.js'));
        const oldView = document.body.appendChild(renderResult(old));
        const live = createResultView();
        document.body.appendChild(live.section);
        live.update(partial);
        return { oldSentences: oldView.querySelectorAll('[role="button"][data-ronbun="sentence"]').length,
                 oldSummary: oldView.querySelector('[data-ronbun="summary"]').textContent,
                 oldText: oldView.textContent,
                 tags: live.section.querySelectorAll('img,script,b').length,
                 text: live.section.querySelector('[data-ronbun="summary"]').textContent,
                 flag: window.__ronbunXss ?? null };
    }""", [done(TAP, sentences=False),
           pending(TAP, "running", "generating", {"source": "abstract", "one_liner": "一文。",
                                                 "summary": '<img src=x onerror="window.__ronbunXss=1"><b>太字</b>', "qa": []})])
    # Then an old result has no tappable sentences and the same 概要; the partial's markup is text
    assert out["oldSentences"] == 0 and out["oldSummary"] == "".join(s["text"] for s in SENTENCES)
    assert "null" not in out["oldText"] and "undefined" not in out["oldText"]
    assert out["tags"] == 0 and out["flag"] is None
    assert out["text"] == '<img src=x onerror="window.__ronbunXss=1"><b>太字</b>'
    page.close()


def test_the_browser_bench_reads_click_to_text_from_the_overlay(browser, api):
    from tests.bench_browser import measure_in, summarize

    # Given a job whose API moves on by itself (a thread advances it until done)
    api.script(BENCH, [dict(s, paper_id=BENCH, paper=paper_doc(BENCH)) for s in PROGRESSIVE[:-1]] + [done(BENCH)])
    stop = threading.Event()

    def advance() -> None:
        while not stop.is_set():
            if api.polled_since_advance(BENCH) >= 1:     # each state seen by at least one poll
                api.advance(BENCH)
            stop.wait(0.05)

    mover = threading.Thread(target=advance, daemon=True)
    mover.start()
    try:
        # When the bench clicks and waits for the overlay
        run = measure_in(browser, api.url, BENCH, timeout_s=30)
    finally:
        stop.set()
        mover.join()
    browser.configure(api.url, "")
    # Then every step was seen, in the order the reader sees them
    assert run["state"] == "done" and run["cache"] == "miss", run
    assert 0 < run["t_metadata_s"] <= run["t_first_japanese_s"] <= run["t_first_qa_s"] <= run["t_done_s"], run
    assert summarize([run])["median"]["t_done_s"] == run["t_done_s"]


def test_a_longer_full_text_one_liner_above_the_reader_does_not_move_what_they_read(browser):
    page = browser.extension_page()
    out = page.evaluate("""async ([abstract, full]) => {
        const { createResultView } = await import(chrome.runtime.getURL('view.js'));
        const scroller = document.body.appendChild(document.createElement('div'));
        scroller.style.cssText = 'height: 120px; overflow-y: auto; overflow-anchor: none; width: 300px';
        const view = createResultView({ scroller });
        scroller.append(view.section);
        view.update(abstract);
        const summary = view.section.querySelector('[data-ronbun="summary"]');
        const last = summary.lastElementChild;
        // Given the reader scrolled down to the last paragraph of the 概要
        scroller.scrollTop = last.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
        const before = last.getBoundingClientRect().top;
        const oneLinerBefore = view.section.querySelector('[data-ronbun="one-liner"]').offsetHeight;
        // When the full text brings a much longer one-liner (above) and the same 概要
        view.update(full);
        return { moved: last.getBoundingClientRect().top - before, same: last.isConnected, scrolled: scroller.scrollTop > 0,
                 grew: view.section.querySelector('[data-ronbun="one-liner"]').offsetHeight - oneLinerBefore };
    }""", [pending(PROG, "running", "generating", {"source": "abstract", "one_liner": "短い一文。",
                                                  "summary": "段落一。\n\n段落二。\n\n段落三。\n\n段落四。", "qa": []}),
           pending(PROG, "running", "generating", {"source": "fulltext", "one_liner": ONE_LINER[0]["text"] * 3,
                                                  "summary": "段落一。\n\n段落二。\n\n段落三。\n\n段落四。", "qa": []})])
    # Then the one-liner grew, yet the paragraph being read stayed where it was on screen
    assert out["grew"] > 40 and out["same"] and out["scrolled"], out
    assert abs(out["moved"]) < 1, out
    page.close()
