"""The overlay's question box and 落合フォーマット switch (issue 13) in real headless Chromium.

The extension talks to a small fake Ronbun API (a real HTTP server on 127.0.0.1 started here,
speaking the contract of issue 13 / CONTRACT D: POST+GET /v1/questions, POST /v1/summaries with
`template`, GET ...?template=ochiai), so the UI is tested while the backend is built in parallel.
arxiv.org pages come from FakeArxiv as in tests/e2e/conftest.py. Waiting states are held open by
a gate (threading.Event), never by timing.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

PAPER_ID = "2409.09001"
TITLE = "Sparse Adapter Routing for Efficient LoRA Fine-Tuning"
OVERLAY_JS = "document.querySelector('[data-ronbun-overlay]')"
ROOT_JS = f"{OVERLAY_JS}.shadowRoot"
OCHIAI_QUESTIONS = ["どんなもの？", "先行研究と比べてどこがすごい？", "技術や手法のキモはどこ？",
                    "どうやって有効だと検証した？", "議論はある？", "次に読むべき論文は？"]
PAPER = {"id": PAPER_ID, "version": 1, "title": TITLE, "authors": ["Hana Sato", "Daniel Okafor"],
         "published": "2024-09-02", "updated": "2024-09-02", "categories": ["cs.CL"]}
QUALITY_OK = {"checked": True, "verified": True, "checks": ["quote_not_found", "non_answer"], "dropped": [],
              "repaired": 0, "warnings": [], "left_out": []}
GENERATOR = {"engine": "openai", "model": "gpt-test", "prompt_version": "p1"}
STANDARD = {
    "paper": PAPER, "lang": "ja", "template": "standard",
    "one_liner": "アダプタのルーティングで LoRA 微調整の計算量を減らす手法です。",
    "summary": "入力ごとに使うアダプタを選ぶことで計算量を減らします。",
    "qa": [{"question": "何を提案していますか？", "answer": "入力ごとにアダプタを選ぶ手法です。",
            "evidence": [{"page": 1, "quote": "We present sparse adapter routing."}]}],
    "glossary_terms": [{"ja": "アダプタ", "en": "adapter"}, {"ja": "ルーティング", "en": "routing"}],
    "code_urls": [], "generator": GENERATOR, "quality": QUALITY_OK,
}
REFERENCES = [
    {"text": "E. Hu et al. LoRA: Low-Rank Adaptation of Large Language Models. arXiv:2106.09685, 2021.",
     "arxiv_id": "2106.09685", "why": "本手法が土台にしている低ランク適応の原論文です。",
     "evidence": [{"page": 2, "quote": "We build on LoRA [12]."}]},
    {"text": "N. Shazeer et al. Outrageously Large Neural Networks. ICLR 2017.",
     "arxiv_id": None, "why": "ルーティングの考え方の出典として引用されています。", "evidence": [{"page": 3, "quote": "Routing follows [31]."}]},
]
FOUND_QUOTE = "We evaluate on XSum and CNN/DailyMail."
NEAR_QUOTE = "Training takes 6 hours on 8 GPUs."
OCHIAI_ANSWERS = [
    ("入力ごとに使うアダプタを選ぶ疎なルーティングで、LoRA 微調整の計算量を減らす手法です。", "We present sparse adapter routing."),
    ("全アダプタを常に使う従来手法に比べ、精度を保ったまま推論の計算量を約 40% 減らしました。", "Routing cuts inference FLOPs by 40%."),
    ("軽量なルーターが入力から上位 2 個のアダプタだけを選び、残りは計算しません。", "The router selects the top-2 adapters."),
    ("XSum と CNN/DailyMail で ROUGE と推論速度を既存手法と比較しました。", FOUND_QUOTE),
    ("ルーターの学習が不安定になる場合があり、多言語での評価は今後の課題です。", "Router training can be unstable."),
    ("LoRA の原論文と、ルーティングの出典の論文が挙げられています（下の一覧）。", "We build on LoRA [12]."),
]
OCHIAI = {**STANDARD, "template": "ochiai", "references": REFERENCES,
          "qa": [{"question": q, "answer": a, "evidence": [{"page": i + 1, "quote": quote}]}
                 for i, (q, (a, quote)) in enumerate(zip(OCHIAI_QUESTIONS, OCHIAI_ANSWERS))]}


def answer_for(question: str) -> dict:
    """What the fake backend answers: found for datasets, not found (with the nearest) for cost."""
    if "データセット" in question or "dataset" in question.lower():
        return {"text": "XSum と CNN/DailyMail で評価しています。", "found": True,
                "evidence": [{"page": 3, "quote": FOUND_QUOTE}], "verified": True}
    if "費用" in question:
        return {"text": "論文は学習時間（8 GPU で 6 時間）のみを報告しています。", "found": False,
                "evidence": [{"page": 5, "quote": NEAR_QUOTE}]}
    if "未検証" in question:
        return {"text": "語彙は 3 万語です。", "found": True, "evidence": [{"page": 4, "quote": "The vocabulary has 30k words."}]}
    return {"text": "", "found": False, "evidence": []}


class FakeApi:
    """The Ronbun API of issue 13 as the extension sees it, recording every request."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict | None]] = []
        self.questions: dict[str, dict] = {}
        self.gate = threading.Event()      # while clear, pending jobs stay "running"
        self.gate.set()
        self.ochiai_polls = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"null")
                api.requests.append(("POST", self.path, body))
                self.reply(*api.post(self.path, body))

            def do_GET(self):
                api.requests.append(("GET", self.path, None))
                self.reply(*api.get(self.path))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        if path == "/v1/summaries":
            if body.get("template") == "ochiai":
                self.ochiai_polls = 0
                return 202, {"paper_id": PAPER_ID, "status": "queued", "paper": PAPER}
            return 200, {"paper_id": PAPER_ID, "status": "done", "paper": PAPER, "result": STANDARD}
        if path == "/v1/questions":
            q = body.get("question")
            if not isinstance(q, str) or not q.strip() or len(q) > 300:
                return 400, {"error": {"code": "invalid_question", "message": "bad question", "message_ja": "質問が正しくありません。"}}
            if "上限" in q:
                return 429, {"error": {"code": "daily_limit_reached", "message": "cap",
                                       "message_ja": "本日の質問の上限に達しました。明日以降に再度お試しください。"}}
            if "キャッシュ" in q:
                return 200, {"status": "done", "paper": PAPER, "question": q, "answer": answer_for("dataset")}
            qid = f"q{len(self.questions) + 1}"
            self.questions[qid] = {"question": q, "polls": 0}
            return 202, {"question_id": qid, "status": "queued", "paper": PAPER}
        return 404, {"error": {"code": "not_found", "message": "no", "message_ja": "ありません。"}}

    def get(self, path: str) -> tuple[int, dict]:
        url = urlsplit(path)
        if url.path.startswith("/v1/questions/"):
            job = self.questions.get(url.path.rsplit("/", 1)[1])
            if job is None:
                return 404, {"error": {"code": "not_found", "message": "unknown", "message_ja": "その質問は見つかりません。"}}
            job["polls"] += 1
            if job["polls"] == 1 or not self.gate.is_set():
                return 200, {"status": "running", "stage": "generating", "paper": PAPER, "question": job["question"]}
            return 200, {"status": "done", "paper": PAPER, "question": job["question"], "answer": answer_for(job["question"])}
        if url.path in (f"/v1/summaries/{PAPER_ID}", f"/v1/summaries/{PAPER_ID}v1"):
            if parse_qs(url.query).get("template") == ["ochiai"]:
                self.ochiai_polls += 1
                if self.ochiai_polls == 1 or not self.gate.is_set():
                    return 200, {"paper_id": PAPER_ID, "status": "running", "stage": "generating", "paper": PAPER}
                return 200, {"paper_id": PAPER_ID, "status": "done", "paper": PAPER, "result": OCHIAI}
            return 200, {"paper_id": PAPER_ID, "status": "done", "paper": PAPER, "result": STANDARD}
        return 404, {"error": {"code": "not_found", "message": "no", "message_ja": "ありません。"}}

    def question_posts(self) -> list[dict]:
        return [body for method, path, body in self.requests if method == "POST" and path == "/v1/questions"]


@pytest.fixture(scope="module")
def api(arxiv):
    arxiv.add_paper(PAPER_ID, title=TITLE)
    fake = FakeApi()
    yield fake
    fake.stop()


@pytest.fixture
def page(browser, api):
    browser.configure(api.url, "")
    api.gate.set()
    page = browser.open_paper(PAPER_ID)
    page.wait_for_selector("[data-ronbun-button]", timeout=10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    browser.click_toolbar(f"arxiv.org/abs/{PAPER_ID}")
    page.wait_for_function(f"() => {OVERLAY_JS}?.dataset.ronbunState === 'done'", timeout=15_000)
    page.wait_for_selector('[data-ronbun="ask-input"]', timeout=5_000)
    yield page
    api.gate.set()
    page.close()


def box(page) -> dict:
    return page.evaluate(f"""() => {{
        const root = {ROOT_JS};
        const t = (s) => root.querySelector(s)?.textContent ?? null;
        const input = root.querySelector('[data-ronbun="ask-input"]');
        return {{
            value: input.value, focused: root.activeElement === input, counter: t('[data-ronbun="ask-counter"]'),
            over: root.querySelector('[data-ronbun="ask-counter"]').classList.contains('over'),
            error: root.querySelector('[data-ronbun="ask-input-error"]').hidden ? null : t('[data-ronbun="ask-input-error"]'),
            label: root.querySelector('label[for="ronbun-ask-input"]')?.textContent ?? null,
            suggestions: [...root.querySelectorAll('[data-ronbun="ask-suggestion"]')].map((b) => b.textContent),
            items: [...root.querySelectorAll('[data-ronbun="ask-item"]')].map((li) => ({{
                state: li.dataset.state, found: li.dataset.found ?? null,
                q: li.querySelector('.q').textContent,
                answer: li.querySelector('[data-ronbun="ask-answer"]')?.textContent ?? null,
                notFound: li.querySelector('[data-ronbun="ask-not-found"]')?.textContent ?? null,
                nearest: li.querySelector('[data-ronbun="ask-nearest"]')?.textContent ?? null,
                stage: li.querySelector('[data-ronbun="ask-stage"]')?.textContent ?? null,
                error: li.querySelector('[data-ronbun="ask-error"]')?.textContent ?? null,
                badge: li.querySelector('[data-ronbun="ask-badge"]')?.textContent ?? null,
                links: [...li.querySelectorAll('.evidence a')].map((a) => a.href),
                quotes: [...li.querySelectorAll('.evidence blockquote')].map((b) => b.textContent),
            }})),
            markup: root.querySelectorAll('.ask img, .ask script, .ask b').length,
        }};
    }}""")


def wait_items(page, n: int, state: str = "done") -> dict:
    page.wait_for_function(f"""() => {{
        const items = [...{ROOT_JS}.querySelectorAll('[data-ronbun="ask-item"]')];
        return items.length === {n} && items.every((li) => li.dataset.state !== 'pending') && items[0].dataset.state === '{state}';
    }}""", timeout=10_000)
    return box(page)


def focus_box(page):
    page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"ask-input\"]').focus()")


# ----------------------------------------------------------------------------- asking

def test_enter_submits_shows_the_stage_then_a_verified_answer_with_evidence(page, api):
    # Given the overlay with a finished summary: a labelled box, a counter, three questions from the paper
    b = box(page)
    assert b["label"] == "この論文への質問（日本語または英語、300文字まで）"
    assert b["counter"] == "0 / 300"
    assert b["suggestions"] == ["この論文での「アダプタ」とは何ですか？", "「ルーティング」はどのように評価されていますか？",
                                "「LoRA」の限界は何ですか？"]
    before = len(api.question_posts())
    api.gate.clear()                        # the answer waits until the test has seen the stage
    # When a question is typed and Enter is pressed
    focus_box(page)
    page.keyboard.type("どのデータセットで評価していますか？")
    assert box(page)["counter"] == "18 / 300"
    page.keyboard.press("Enter")
    # Then it is sent once, as the contract says, and the stage is shown while the job runs
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"ask-stage\"]')?.textContent === '回答を生成中…'",
                           timeout=10_000)
    assert api.question_posts()[before:] == [{"paper_id": f"{PAPER_ID}v1", "question": "どのデータセットで評価していますか？", "lang": "ja"}]
    assert box(page)["value"] == ""
    # one question at a time: another Enter while waiting says so and sends nothing
    page.keyboard.type("もう一つの質問")
    page.keyboard.press("Enter")
    assert box(page)["error"] == "前の質問への回答を待っています。回答が表示されてから次の質問を送ってください。"
    assert len(api.question_posts()) == before + 1
    api.gate.set()
    # Then the answer shows like a Q&A item: text, 検証済み (the API said so), evidence page link and quote
    item = wait_items(page, 1)["items"][0]
    assert item["found"] == "true"
    assert item["q"] == "Qどのデータセットで評価していますか？"
    assert item["answer"] == "AXSum と CNN/DailyMail で評価しています。"
    assert item["badge"] == "検証済み"
    assert item["links"] == [f"https://arxiv.org/pdf/{PAPER_ID}v1#page=3"]
    assert item["quotes"] == [FOUND_QUOTE]
    # and the question was polled by id
    assert any(m == "GET" and p.startswith("/v1/questions/q") for m, p, _ in api.requests)
    assert box(page)["error"] is None and box(page)["value"] == "もう一つの質問"     # the wait is over


def test_not_found_answer_and_a_history_of_two_newest_first(page, api):
    focus_box(page)
    page.keyboard.type("どのデータセットで評価していますか？")
    page.keyboard.press("Enter")
    wait_items(page, 1)
    page.locator('[data-ronbun="ask-item"] .evidence summary').first.click()     # its quote opened
    # When a question the paper does not answer is asked
    focus_box(page)
    page.keyboard.type("学習の費用はいくらですか？")
    page.keyboard.press("Enter")
    b = wait_items(page, 2)
    # Then the newest is first: 「この論文には記載がありません」 and the nearest thing the paper says, with evidence
    newest, oldest = b["items"]
    assert newest["q"] == "Q学習の費用はいくらですか？" and newest["found"] == "false"
    assert newest["notFound"] == "Aこの論文には記載がありません"
    assert "論文中で最も近い記述:" in newest["nearest"] and "学習時間（8 GPU で 6 時間）" in newest["nearest"]
    assert newest["links"] == [f"https://arxiv.org/pdf/{PAPER_ID}v1#page=5"] and newest["quotes"] == [NEAR_QUOTE]
    assert newest["badge"] is None and newest["answer"] is None
    assert oldest["q"] == "Qどのデータセットで評価していますか？" and oldest["badge"] == "検証済み"
    # the older answer was not rebuilt: the quote opened in it is still open
    assert page.evaluate(f"() => {ROOT_JS}.querySelectorAll('[data-ronbun=\"ask-item\"]')[1].querySelector('.evidence details').open")
    page.locator('[data-ronbun="ask-item"] .evidence summary').first.click()     # the nearest quote, opened
    page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"ask\"]').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "question-box.png"))


def test_not_found_without_evidence_unverified_badge_cached_answer_and_api_error(page, api):
    polls_before = sum(1 for m, p, _ in api.requests if m == "GET" and p.startswith("/v1/questions/"))
    # a cached answer (200): shown at once, never polled
    focus_box(page)
    page.keyboard.type("キャッシュ済みの質問")
    page.keyboard.press("Enter")
    item = wait_items(page, 1)["items"][0]
    assert item["badge"] == "検証済み"
    assert sum(1 for m, p, _ in api.requests if m == "GET" and p.startswith("/v1/questions/")) == polls_before
    # found, but the API does not say verified: never 検証済み
    focus_box(page)
    page.keyboard.type("語彙数は？未検証")
    page.keyboard.press("Enter")
    item = wait_items(page, 2)["items"][0]
    assert item["found"] == "true" and item["badge"] == "未検証"
    # not found, nothing near: the plain statement and no evidence at all
    focus_box(page)
    page.keyboard.type("著者の好きな色は？")
    page.keyboard.press("Enter")
    item = wait_items(page, 3)["items"][0]
    assert item["notFound"] == "Aこの論文には記載がありません" and item["nearest"] is None and item["links"] == []
    # an API error: its message_ja, in the history, and the box still works
    focus_box(page)
    page.keyboard.type("上限のテスト")
    page.keyboard.press("Enter")
    item = wait_items(page, 4, state="error")["items"][0]
    assert item["error"] == "本日の質問の上限に達しました。明日以降に再度お試しください。"


def test_a_suggestion_click_fills_and_submits_it(page, api):
    before = len(api.question_posts())
    page.locator('[data-ronbun="ask-suggestion"]').nth(1).click()
    item = wait_items(page, 1)["items"][0]
    assert [p["question"] for p in api.question_posts()[before:]] == ["「ルーティング」はどのように評価されていますか？"]
    assert item["q"] == "Q「ルーティング」はどのように評価されていますか？"


def test_too_long_or_empty_question_shows_a_japanese_error_and_sends_nothing(page, api):
    before = len(api.question_posts())
    focus_box(page)
    page.keyboard.press("Enter")
    assert box(page)["error"] == "質問を入力してください。"
    page.evaluate(f"""() => {{ const i = {ROOT_JS}.querySelector('[data-ronbun="ask-input"]');
        i.value = 'あ'.repeat(301); i.dispatchEvent(new Event('input', {{bubbles: true}})); }}""")
    b = box(page)
    assert b["counter"] == "301 / 300" and b["over"]
    focus_box(page)
    page.keyboard.press("Enter")
    b = box(page)
    assert b["error"] == "質問は300文字以内で入力してください（現在 301 文字）。"
    assert b["items"] == [] and b["value"] == "あ" * 301
    # Shift+Enter is a new line, not a submission
    page.keyboard.press("Backspace")
    page.keyboard.press("Shift+Enter")
    assert box(page)["value"] == "あ" * 300 + "\n"
    assert len(api.question_posts()) == before
    # back within the limit, the error goes away as the reader types
    page.keyboard.press("Backspace")
    assert box(page)["error"] is None


def test_enter_during_ime_composition_does_not_submit_and_esc_leaves_the_box_then_closes(browser, page, api):
    before = len(api.question_posts())
    focus_box(page)
    cdp = browser.ctx.new_cdp_session(page)
    try:
        # Given a kana string being converted by the IME
        cdp.send("Input.imeSetComposition", {"text": "しつもん", "selectionStart": 4, "selectionEnd": 4})
        # When Enter is pressed to confirm the conversion (keydown while composing)
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Enter", "code": "Enter",
                                            "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13})
        # and Esc too (an IME uses it to cancel): the overlay stays open
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27})
        assert page.evaluate(f"() => !!{OVERLAY_JS}")
        cdp.send("Input.insertText", {"text": "質問"})   # the conversion is confirmed
    finally:
        cdp.detach()
    # Then nothing was sent
    b = box(page)
    assert len(api.question_posts()) == before and b["items"] == []
    assert b["value"] == "質問" and b["focused"]
    # the handler also refuses a keydown that says it is part of a composition (keyCode 229)
    page.evaluate(f"""() => {ROOT_JS}.querySelector('[data-ronbun="ask-input"]').dispatchEvent(
        new KeyboardEvent('keydown', {{key: 'Enter', keyCode: 229, bubbles: true, cancelable: true}}))""")
    assert len(api.question_posts()) == before
    # When Esc is pressed in the box: the box is left, the text kept, the overlay stays
    page.keyboard.press("Escape")
    b = box(page)
    assert page.evaluate(f"() => !!{OVERLAY_JS}") and not b["focused"] and b["value"] == "質問"
    assert page.evaluate(f"() => {ROOT_JS}.activeElement?.dataset.ronbun") == "ask"
    # When Esc is pressed again: the overlay closes
    page.keyboard.press("Escape")
    assert page.evaluate(f"() => !{OVERLAY_JS}")


def test_a_hostile_question_and_answer_stay_text(page, api):
    focus_box(page)
    page.keyboard.type('<img src=x onerror=alert(1)><script>alert(2)</script><b>x</b>')
    page.keyboard.press("Enter")
    b = wait_items(page, 1)
    assert b["items"][0]["q"] == "Q<img src=x onerror=alert(1)><script>alert(2)</script><b>x</b>"
    assert b["markup"] == 0 and page.dialogs == []


# ----------------------------------------------------------------------------- 落合フォーマット

def test_the_ochiai_switch_shows_six_questions_and_the_references(page, api):
    api.gate.clear()
    page.locator('[data-ronbun="template"][data-template="ochiai"]').click()
    # the summary is asked for again with template ochiai, and its stage shown
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"ochiai-status\"]')?.textContent === '落合フォーマット: 要約を生成中…'",
                           timeout=10_000)
    posts = [b for m, p, b in api.requests if m == "POST" and p == "/v1/summaries"]
    assert posts[-1] == {"paper_id": f"{PAPER_ID}v1", "lang": "ja", "template": "ochiai"}
    api.gate.set()
    page.wait_for_function(f"() => {ROOT_JS}.querySelector('.result-slot').dataset.ronbunOchiai === 'done'", timeout=15_000)
    assert any(m == "GET" and p == f"/v1/summaries/{PAPER_ID}v1?template=ochiai" for m, p, _ in api.requests)
    view = page.evaluate(f"""() => {{
        const root = {ROOT_JS}, slot = root.querySelector('[data-ronbun="ochiai"]');
        const visible = (n) => !!n && n.getClientRects().length > 0;
        return {{
            questions: [...slot.querySelectorAll('[data-ronbun="qa"] .q')].map((q) => q.textContent),
            refs: [...slot.querySelectorAll('[data-ronbun="reference"]')].map((li) => ({{
                text: li.querySelector('.ref-text').textContent,
                links: [...li.querySelectorAll('.ref-link a')].map((a) => a.href),
                why: li.querySelector('[data-ronbun="reference-why"]')?.textContent ?? null,
                evidence: [...li.querySelectorAll('.evidence a')].map((a) => a.href) }})),
            standardVisible: visible(root.querySelector('.result-slot > section.result')),
            ochiaiVisible: visible(slot),
            askVisible: visible(root.querySelector('[data-ronbun="ask"]')),
            pressed: root.querySelector('[data-ronbun="template"][data-template="ochiai"]').getAttribute('aria-pressed'),
            ids: [...root.querySelectorAll('[id]')].map((n) => n.id),
        }};
    }}""")
    assert view["questions"] == [f"Q{q}" for q in OCHIAI_QUESTIONS]
    assert len(view["refs"]) == 2
    first, second = view["refs"]
    assert first["links"] == ["https://arxiv.org/abs/2106.09685"]
    assert first["why"] == "理由本手法が土台にしている低ランク適応の原論文です。"
    assert first["evidence"] == [f"https://arxiv.org/pdf/{PAPER_ID}v1#page=2"]
    assert second["links"] == [] and second["text"].startswith("N. Shazeer")   # no arXiv id: no link
    assert view["ochiaiVisible"] and not view["standardVisible"] and view["askVisible"] and view["pressed"] == "true"
    assert len(view["ids"]) == len(set(view["ids"]))                              # no duplicate ids
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"template-switch\"]').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "ochiai.png"))
    # 標準 brings the standard view back without another request
    n = len(api.requests)
    page.locator('[data-ronbun="template"][data-template="standard"]').click()
    assert page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"ochiai\"]').hidden")
    assert page.evaluate(f"() => {ROOT_JS}.querySelector('[data-ronbun=\"one-liner\"]').getClientRects().length > 0")
    assert len(api.requests) == n


# ----------------------------------------------------------------------------- rendering in a real DOM

def test_rendering_rules_in_a_real_dom(browser):
    page = browser.extension_page()
    out = page.evaluate("""async () => {
        const v = await import(chrome.runtime.getURL('ask-view.js'));
        const where = { paperId: '2409.09001', version: 2 };
        const found = v.renderAnswer({ question: 'Q?', status: 'done', doc: { answer: { text: 'はい。', found: true,
            evidence: [{ page: 2, quote: 'Yes.' }, { page: 'x', quote: 'bad page' }], generator: { engine: 'offline' } },
            quality: { verified: 'yes' } } }, where);
        const verified = v.renderAnswer({ question: 'Q?', status: 'done', doc: { quality: { verified: true },
            answer: { text: 'はい。', found: true, evidence: [] } } }, where);
        const notFound = v.renderAnswer({ question: 'Q?', status: 'done', doc: { answer: { text: 'この論文には記載がありません。',
            found: false, evidence: [] } } }, where);
        const refs = v.renderReferences([{ text: 'A', arxiv_id: 'javascript:alert(1)', why: 'w' },
            { text: 'B', arxiv_id: '2106.09685v2', why: '' }], where);
        return {
            foundBadge: found.querySelector('[data-ronbun="ask-badge"]').textContent,
            foundEngine: found.querySelector('[data-ronbun="ask-engine"]')?.textContent ?? null,
            verifiedEngine: verified.querySelector('[data-ronbun="ask-engine"]'),
            foundLinks: [...found.querySelectorAll('.evidence a')].map((a) => a.href),
            foundPages: [...found.querySelectorAll('.evidence li')].map((li) => li.textContent),
            verifiedBadge: verified.querySelector('[data-ronbun="ask-badge"]').textContent,
            verifiedEvidence: verified.querySelector('.evidence'),
            verifiedText: verified.textContent,
            notFound: notFound.textContent,
            refLinks: [...refs.querySelectorAll('a')].map((a) => a.href),
            refWhy: refs.querySelectorAll('[data-ronbun="reference-why"]').length,
        };
    }""")
    page.close()
    assert out["foundBadge"] == "未検証"                                   # "yes" is not true
    assert out["foundEngine"] == "原文抜粋(生成モデルなし)" and out["verifiedEngine"] is None
    assert out["foundLinks"] == ["https://arxiv.org/pdf/2409.09001v2#page=2"]
    assert out["foundPages"][1].startswith("根拠: p. x")                  # a bad page: text, no link
    assert out["verifiedBadge"] == "検証済み" and out["verifiedEvidence"] is None
    assert out["verifiedText"] == "QQ?Aはい。検証済み"                     # nothing stray ("null") beside it
    assert out["notFound"] == "QQ?Aこの論文には記載がありません"           # the backend's own sentence is not repeated
    assert out["refLinks"] == ["https://arxiv.org/abs/2106.09685v2"] and out["refWhy"] == 1
