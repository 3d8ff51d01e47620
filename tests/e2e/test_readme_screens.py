"""The README's screenshots, taken in real headless Chromium with the extension against the real
local stack (`python -m infra.local`: API and worker on moto) with the fake arXiv serving corpus
PDFs and the fake OpenAI model (tests/fakes/fake_openai.py). Each screenshot is taken only after
the test has checked what it shows:

- docs/summary-evidence.png: a tapped 概要 sentence with its English quote (found on that page of
  the paper) and the page link, right below it (issue 14);
- docs/question-box.png: a question the paper answers (answer, evidence, page) and one it does not
  (「この論文には記載がありません」) in the question box (issue 13);
- docs/ochiai.png: the 落合フォーマット, six questions, references from the paper's own list (issue 13);
- docs/progressive.png: the overlay while the model (paced at 60 tokens/s) is still writing (issue 12).

Fixtures: tests/e2e/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, start_stack
from tests.fakes.fake_arxiv import CORPUS_PAPERS, DEFAULT_CORPUS
from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI

pytest.importorskip("ronbun.questions", reason="the questions API (issue 13) is not in the tree")
pytest.importorskip("ronbun.ochiai", reason="the ochiai template (issue 13) is not in the tree")

from ronbun import pdftext  # noqa: E402
from ronbun.verify import quote_found  # noqa: E402

DOCS = REPO / "docs"
DPR = "2004.04906"           # Dense Passage Retrieval, 13 pages
ICDAR = "2305.14962"          # numbered reference list, cited as [n]: the fake model picks next reads from it
SLOW = "1708.05894"          # the paper opened while the model writes slowly
PDFS = {DPR: "2004.04906v3.pdf", ICDAR: "2305.14962v1.pdf", SLOW: "1708.05894v1.pdf"}
HOST_JS = "document.querySelector('[data-ronbun-overlay]')"
ROOT_JS = f"{HOST_JS}.shadowRoot"
OCHIAI = ["どんなもの？", "先行研究と比べてどこがすごい？", "技術や手法のキモはどこ？",
          "どうやって有効だと検証した？", "議論はある？", "次に読むべき論文は？"]
FOUND_Q = "DPRはBM25より検索精度が高いですか？"
NOT_FOUND_Q = "What is the electricity cost of training the DPR question encoder?"
NOT_FOUND_JA = "この論文には記載がありません"

# What the fake model writes for DPR's summary (enqueued as "custom"): Japanese sentences around real
# sentences of the paper, as a real model would; the stack verifies them like any model output.
P1_RELIES = ("Open-domain question answering relies on efficient passage retrieval to select candidate contexts, where "
             "traditional sparse vector space models, such as TF-IDF or BM25, are the de facto method.")
P1_DENSE = ("In this work, we show that retrieval can be practically implemented using dense representations alone, "
            "where embeddings are learned from a small number of questions and passages by a simple dual-encoder framework.")
P2_DPR = "Our Dense Passage Retriever (DPR) is exceptionally strong."
P6_NQ = ("Figure 1 illustrates the top-k retrieval accuracy with respect to different numbers of training examples, "
         "measured on the development set of Natural Questions.")
P6_1K = "As is shown, a dense passage retriever trained using only 1,000 examples already outperforms BM25."
P6_59K = "Adding more training examples (from 1k to 59k) further improves the retrieval accuracy consistently."
P7_BM25 = "Although DPR performs better than BM25 in general, passages retrieved by these two methods differ qualitatively."
P7_GPUS = ("Computing dense embeddings on 21-million passages is resource intensive, but can be easily parallelized, "
           "taking roughly 8.8 hours on 8 GPUs.")
P7_FAISS = "However, building the FAISS index on 21-million vectors on a single server takes 8.5 hours."


def ev(page: int, quote: str) -> dict:
    return {"page": page, "quote": quote}


DPR_OUTPUT = {
    "one_liner": "DPRは、少数の質問と段落の組から学習した密なベクトル表現だけで、オープンドメインQAの段落検索を行う手法です。",
    "one_liner_evidence": [ev(1, P1_DENSE), ev(2, P2_DPR)],
    "summary_sentences": [
        {"text": "オープンドメインQAの段落検索では、TF-IDFやBM25のような疎なベクトル表現が標準的に使われてきました。",
         "evidence": [ev(1, P1_RELIES)]},
        {"text": "本論文は、単純なデュアルエンコーダで学習した密な表現だけで検索を実装できることを示します。",
         "evidence": [ev(1, P1_DENSE)]},
        {"text": "Natural Questionsの開発セットでは、1,000件の学習例だけで学習した密な検索器がBM25を上回りました。",
         "evidence": [ev(6, P6_NQ), ev(6, P6_1K)]},
        {"text": "一方で、FAISSインデックスの構築には1台のサーバーで8.5時間かかります。", "evidence": [ev(7, P7_FAISS)]},
    ],
    "qa": [
        {"question": "この論文は何を提案していますか？",
         "answer": "質問と段落を別々に埋め込むデュアルエンコーダで、密な表現だけを使って段落を検索する方法を提案しています。",
         "evidence": [ev(1, P1_DENSE)]},
        {"question": "BM25と比べてどうですか？",
         "answer": "全体としてDPRはBM25より良い検索性能を示しますが、検索される段落の性質は異なります。",
         "evidence": [ev(7, P7_BM25)]},
        {"question": "学習にはどれだけのデータが必要ですか？",
         "answer": "1,000件の学習例だけでもBM25を上回り、学習例を1kから59kに増やすと精度はさらに向上します。",
         "evidence": [ev(6, P6_1K), ev(6, P6_59K)]},
        {"question": "計算コストの課題は何ですか？",
         "answer": "密な埋め込みの計算は8台のGPUで約8.8時間かかり、FAISSインデックスの構築にも1台のサーバーで8.5時間かかります。",
         "evidence": [ev(7, P7_GPUS), ev(7, P7_FAISS)]},
    ],
}

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not all((DEFAULT_CORPUS / "pdf" / f).is_file() for f in PDFS.values()),
                                 reason="corpus PDFs missing")]


@pytest.fixture(scope="module")
def model():
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(arxiv, model):
    for paper_id, name in PDFS.items():
        arxiv.add_paper(paper_id, pdf=(DEFAULT_CORPUS / "pdf" / name).read_bytes(), **CORPUS_PAPERS[paper_id])
    s = start_stack(arxiv, env={"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": model.url,
                                "RONBUN_LOCAL_VISIBILITY_TIMEOUT": "300"})
    yield s
    s.stop()


def read_paper(paper_id: str) -> tuple[dict[int, str], list[str]]:
    """The paper as the tests read it (not as the stack did): prose per page and references."""
    doc = pdftext.extract((DEFAULT_CORPUS / "pdf" / PDFS[paper_id]).read_bytes())
    return doc.prose_map(), [r.text for r in pdftext.references(doc)]


@pytest.fixture(scope="module")
def paper_text():
    return read_paper(DPR)


def open_overlay(browser, paper_id: str):
    """A new tab on the paper's arXiv page, the overlay opened from the toolbar icon."""
    p = browser.ctx.new_page()
    p.set_viewport_size({"width": 1280, "height": 900})
    p.goto(f"https://arxiv.org/abs/{paper_id}", wait_until="domcontentloaded")
    p.wait_for_selector("[data-ronbun-button]", timeout=10_000)
    browser.click_toolbar(f"arxiv.org/abs/{paper_id}")
    return p


def wait_done(p, stack) -> None:
    p.wait_for_function(f"() => ['done', 'failed', 'error'].includes({HOST_JS}?.dataset.ronbunState)", timeout=120_000)
    assert p.evaluate(f"() => {HOST_JS}.dataset.ronbunState") == "done", stack.lines[-30:]


@pytest.fixture(scope="module")
def page(browser, stack, model):
    """The DPR paper's overlay, opened from the toolbar and finished (fake model, no pacing). The
    quick abstract call and the full-text call run side by side and take from the fake's queue in
    either order: both get DPR_OUTPUT (the abstract call cannot use it and is skipped, as when it
    fails); a repair round, if any, gets the fake's default answer."""
    model.enqueue("custom", times=2, output=DPR_OUTPUT)
    browser.configure(stack.url, "")
    p = open_overlay(browser, DPR)
    wait_done(p, stack)
    yield p
    p.close()


def shot(page, name: str, selector: str, block: str = "start", height: int = 900) -> Path:
    """Scroll the overlay so that `selector` (in its shadow root) is in view, then take the picture."""
    page.set_viewport_size({"width": 1280, "height": height})
    page.evaluate(f"() => {ROOT_JS}.querySelector('{selector}').scrollIntoView({{block: '{block}'}})")
    path = DOCS / name
    page.screenshot(path=str(path))
    return path


def test_a_tapped_summary_sentence_shows_its_english_evidence_and_page(page, paper_text):
    prose, _ = paper_text
    sentence = page.locator('[data-ronbun="summary"] [data-ronbun="sentence"]').first
    assert sentence.get_attribute("aria-expanded") == "false"
    # When the reader taps the first sentence of the 概要
    sentence.click()
    shown = page.evaluate(f"""() => {{
        const s = {ROOT_JS}.querySelector('[data-ronbun="summary"] [data-ronbun="sentence"]');
        const box = s.nextElementSibling;
        return {{ expanded: s.getAttribute('aria-expanded'), text: s.textContent, boxId: box.id,
                  controls: s.getAttribute('aria-controls'), visible: !box.hidden && box.getClientRects().length > 0,
                  below: box.getBoundingClientRect().top >= s.getBoundingClientRect().top,
                  quotes: [...box.querySelectorAll('blockquote[lang="en"]')].map((q) => q.textContent),
                  links: [...box.querySelectorAll('a')].map((a) => ({{ href: a.href, text: a.textContent }})) }};
    }}""")
    # Then its evidence opens right below it: the English sentence(s) from the paper and the page link
    assert shown["expanded"] == "true" and shown["visible"] and shown["below"], shown
    assert shown["controls"] == shown["boxId"]
    assert shown["links"], shown
    for link in shown["links"]:
        assert link["href"].startswith(f"https://arxiv.org/pdf/{DPR}v3#page="), link
    pages = [int(link["href"].rsplit("=", 1)[1]) for link in shown["links"]]
    assert shown["quotes"], shown
    for quote in shown["quotes"]:
        assert quote.isascii() and len(quote.split()) >= 5, quote
        assert any(quote_found(quote, prose[p]) for p in pages), (quote, pages)
    print(f"\n[screens] summary sentence: {shown['text']}\n  evidence: {shown['quotes']} p. {pages}")
    shot(page, "summary-evidence.png", '[data-ronbun="one-liner"]')


def ask(page, question: str, n: int) -> dict:
    """Type a question in the box, press Enter, wait for its answer; the newest entry as shown."""
    page.locator('[data-ronbun="ask-input"]').focus()
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"""() => {{
        const items = [...{ROOT_JS}.querySelectorAll('[data-ronbun="ask-item"]')];
        return items.length === {n} && items.every((li) => li.dataset.state !== 'pending');
    }}""", timeout=90_000)
    return page.evaluate(f"""() => {{
        const li = {ROOT_JS}.querySelector('[data-ronbun="ask-item"]');
        return {{ state: li.dataset.state, found: li.dataset.found ?? null, question: li.querySelector('.q').textContent,
                  answer: li.querySelector('[data-ronbun="ask-answer"], [data-ronbun="ask-not-found"]')?.textContent ?? '',
                  badge: li.querySelector('[data-ronbun="ask-badge"]')?.textContent ?? '',
                  nearest: [...li.querySelectorAll('[data-ronbun="ask-nearest"] [data-ronbun="ask-evidence"] > li')].map((e) => ({{
                      href: e.querySelector('a')?.href ?? '', quote: e.querySelector('blockquote')?.textContent ?? '' }})),
                  evidence: [...li.querySelectorAll('[data-ronbun="ask-evidence"] > li')].map((e) => ({{
                      href: e.querySelector('a')?.href ?? '', quote: e.querySelector('blockquote')?.textContent ?? '' }})) }};
    }}""")


def test_the_question_box_answers_from_the_paper_or_says_it_does_not(page, paper_text):
    prose, _ = paper_text
    # When the reader asks what the paper answers
    found = ask(page, FOUND_Q, 1)
    print(f"\n[screens] found: {found}")
    # Then the answer shows, in Japanese, with its evidence: the page link and a quote on that page
    assert found["state"] == "done" and found["found"] == "true", found
    assert found["answer"].startswith("A") and any("\u3040" <= c <= "\u30ff" for c in found["answer"]), found
    assert found["evidence"], found
    for ev in found["evidence"]:
        assert ev["href"].startswith(f"https://arxiv.org/pdf/{DPR}v3#page="), ev
        if ev["quote"]:
            assert quote_found(ev["quote"], prose[int(ev["href"].rsplit("=", 1)[1])]), ev
    # When the reader asks what the paper does not say
    missing = ask(page, NOT_FOUND_Q, 2)
    print(f"[screens] not found: {missing}")
    # Then it says so plainly, and the first answer is still there (history, newest first)
    assert missing["state"] == "done" and missing["found"] == "false", missing
    assert NOT_FOUND_JA in missing["answer"], missing
    # with the nearest thing the paper does say: its page and its quote (on that page), one click away
    assert missing["nearest"], missing
    for ev in missing["nearest"]:
        assert ev["href"].startswith(f"https://arxiv.org/pdf/{DPR}v3#page="), ev
        assert ev["quote"] and quote_found(ev["quote"], prose[int(ev["href"].rsplit("=", 1)[1])]), ev
    page.locator('[data-ronbun="ask-nearest"] details summary').first.click()
    history = page.evaluate(f"() => [...{ROOT_JS}.querySelectorAll('[data-ronbun=\"ask-item\"] .q')].map((q) => q.textContent)")
    assert [q.removeprefix("Q") for q in history] == [NOT_FOUND_Q, FOUND_Q], history
    shot(page, "question-box.png", '[data-ronbun="ask"]')


def test_the_ochiai_view_shows_six_questions_and_references_from_the_paper(browser, stack):
    _, references = read_paper(ICDAR)
    page = open_overlay(browser, ICDAR)
    wait_done(page, stack)
    # When the reader switches to 落合フォーマット
    page.locator('[data-ronbun="template"][data-template="ochiai"]').click()
    page.wait_for_function(f"() => ['done', 'error'].includes({ROOT_JS}.querySelector('.result-slot').dataset.ronbunOchiai)",
                           timeout=120_000)
    view = page.evaluate(f"""() => {{
        const slot = {ROOT_JS}.querySelector('[data-ronbun="ochiai"]');
        return {{ state: {ROOT_JS}.querySelector('.result-slot').dataset.ronbunOchiai,
                  questions: [...slot.querySelectorAll('[data-ronbun="qa"] .q')].map((q) => q.textContent),
                  answers: [...slot.querySelectorAll('[data-ronbun="qa"] .a')].map((a) => a.textContent),
                  refs: [...slot.querySelectorAll('[data-ronbun="reference"] .ref-text')].map((r) => r.textContent) }};
    }}""")
    print(f"\n[screens] ochiai: {len(view['refs'])} references: {view['refs'][:3]}")
    # Then the six questions in order, each answered, and references that are in the paper's own list
    assert view["state"] == "done", view
    assert view["questions"] == [f"Q{q}" for q in OCHIAI], view["questions"]
    assert len(view["answers"]) >= 5 and all(len(a) > 2 for a in view["answers"]), view["answers"]
    norm = lambda s: " ".join(s.split())  # noqa: E731
    listed = {norm(r) for r in references}
    assert view["refs"] and any(norm(r) in listed for r in view["refs"]), (view["refs"], references[:5])
    shot(page, "ochiai.png", '[data-ronbun="ochiai"] [data-ronbun="qa"]', height=1500)
    page.close()


def test_the_overlay_shows_verified_parts_while_the_model_is_still_writing(browser, stack, model):
    # Given a model that writes at 60 tokens/s (a full result takes it tens of seconds)
    model.tokens_per_second = 60
    try:
        p = open_overlay(browser, SLOW)
        # When the first verified part arrives; Then it is shown while the job is still running:
        # the abstract's one-liner labelled 「アブストラクトより」, or full-text parts with Q&A n/6
        p.wait_for_function(f"""() => {{
            const host = {HOST_JS}; if (!host) return false;
            const q = (s) => host.shadowRoot.querySelector(s);
            const shown = (el) => !!el && !el.hidden && el.getClientRects().length > 0;
            return host.dataset.ronbunState === 'pending' && q('[data-ronbun="one-liner"]')?.textContent.trim() &&
                   (shown(q('[data-ronbun="source-label"]')) || shown(q('[data-ronbun="qa-progress"]')));
        }}""", timeout=60_000)
        seen = p.evaluate(f"""() => {{
            const host = {HOST_JS}, q = (s) => host.shadowRoot.querySelector(s);
            return {{ state: host.dataset.ronbunState, oneLiner: q('[data-ronbun="one-liner"]').textContent,
                      label: q('[data-ronbun="source-label"]').hidden ? '' : q('[data-ronbun="source-label"]').textContent,
                      progress: q('[data-ronbun="qa-progress"]').hidden ? '' : q('[data-ronbun="qa-progress"]').textContent,
                      pending: q('[data-ronbun="verification-pending"]')?.textContent ?? '' }};
        }}""")
        print(f"\n[screens] progressive: {seen}")
        assert seen["state"] == "pending" and seen["pending"] == "検証中", seen
        assert seen["label"] == "アブストラクトより" or seen["progress"].startswith("Q&A "), seen
        assert any("\u3040" <= c <= "\u30ff" for c in seen["oneLiner"]), seen
        p.screenshot(path=str(DOCS / "progressive.png"))
        p.close()
    finally:
        model.tokens_per_second = 0
