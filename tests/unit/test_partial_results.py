"""Partial results (issue 12, DESIGN.md "Partial results"): the throttle and the writer of the
job's partial document (injected clock, no timed asserts), the job item's `partial` attribute
(in-process moto), what GET shows, and the pipeline's Partial: only verified parts, the
abstract's answer replaced by the full text's."""

from __future__ import annotations

import json

import pytest

from functions.api import app as api
from ronbun import pipeline, service
from ronbun.models import Evidence, QAItem
from ronbun.pdftext import Extracted, PageText
from ronbun.service import PartialWriter, Throttle
from ronbun.store import MAX_PARTIAL_BYTES, LeaseLost, StoreError
from tests.unit.moto_stack import Context, aws, get_event, key, paper  # noqa: F401 - fixture

NOW = 1_800_000_000.0
PARTIAL = {"source": "abstract", "one_liner": "一文の要約です。", "summary": "概要です。", "qa": [],
           "progress": {"qa_done": 0, "qa_total": 6}}
OLD_CLIENT_KEYS = {"paper_id", "version", "lang", "status", "updated_at", "paper", "stage"}


class Clock:
    def __init__(self, t: float = 100.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


class Later:
    """An injected timer: records (seconds, call) instead of waiting."""

    def __init__(self):
        self.scheduled: list[tuple[float, object]] = []

    def __call__(self, seconds: float, call):
        self.scheduled.append((seconds, call))
        return object()

    def fire(self) -> None:
        _, call = self.scheduled.pop(0)
        call()


def _writer(clock: Clock, writes: list, later: Later | None = None, fail: Exception | None = None) -> PartialWriter:
    def write(doc: dict) -> None:
        if fail is not None:
            raise fail
        writes.append((clock(), doc))
    return PartialWriter(write, Throttle(1.0, clock), later or Later())


# ---------------------------------------------------------------------------- the throttle

def test_the_throttle_allows_one_event_per_interval_by_its_clock():
    clock = Clock()
    throttle = Throttle(1.0, clock)
    assert throttle.wait() == 0.0
    throttle.mark()
    clock.t += 0.25
    assert throttle.wait() == pytest.approx(0.75)
    clock.t += 0.75
    assert throttle.wait() == 0.0


def test_the_writer_writes_at_most_once_a_second_and_then_the_newest_document():
    clock, writes, later = Clock(), [], Later()
    writer = _writer(clock, writes, later)
    # The first document is written at once
    writer({"n": 1})
    # Two more within the same second are held back: one timer, for the rest of the second
    clock.t += 0.4
    writer({"n": 2})
    clock.t += 0.1
    writer({"n": 3})
    assert [d["n"] for _, d in writes] == [1]
    assert [round(s, 3) for s, _ in later.scheduled] == [0.6]
    # When the timer fires, only the newest is written
    clock.t += 0.5
    later.fire()
    assert [(t - 100.0, d["n"]) for t, d in writes] == [(0.0, 1), (pytest.approx(1.0), 3)]
    assert writer.writes == 2


def test_closing_the_writer_flushes_the_last_state_and_nothing_is_written_after():
    clock, writes, later = Clock(), [], Later()
    writer = _writer(clock, writes, later)
    writer({"n": 1})
    clock.t += 0.2
    writer({"n": 2})                 # held back by the throttle
    writer.close()                   # before the result is stored
    assert [d["n"] for _, d in writes] == [1, 2]
    later.fire()                     # a timer that fires late writes nothing
    writer({"n": 3})
    assert [d["n"] for _, d in writes] == [1, 2]


def test_a_failing_job_drops_what_is_pending():
    clock, writes = Clock(), []
    writer = _writer(clock, writes)
    writer({"n": 1})
    writer({"n": 2})
    writer.close(flush=False)
    assert [d["n"] for _, d in writes] == [1]


@pytest.mark.parametrize("error", [LeaseLost(None), StoreError("throttled")])
def test_a_failed_partial_write_is_logged_not_raised(error):
    writer = _writer(Clock(), [], fail=error)
    writer({"n": 1})
    writer.close()
    assert writer.writes == 0


# ---------------------------------------------------------------------------- the job item

def _running(aws, owner: str = "worker-a"):
    aws.store.put_meta(paper(), NOW)
    aws.store.create_job(key(), "offline", NOW)
    aws.store.claim_job(key(), owner, NOW + 300, NOW)


def test_only_the_lease_owner_writes_the_partial_result(aws):
    _running(aws)
    assert aws.store.set_partial(key(), "worker-a", PARTIAL, NOW + 1)
    with pytest.raises(LeaseLost):
        aws.store.set_partial(key(), "worker-b", {**PARTIAL, "one_liner": "別人"}, NOW + 2)
    assert aws.store.get_job(key()).partial() == PARTIAL


def test_an_oversized_partial_result_is_not_written(aws):
    _running(aws)
    big = {**PARTIAL, "summary": "あ" * (MAX_PARTIAL_BYTES // 3 + 10)}
    assert aws.store.set_partial(key(), "worker-a", big, NOW + 1) is False
    assert aws.store.get_job(key()).partial_json is None


def test_completing_or_failing_a_job_removes_its_partial_result(aws):
    _running(aws)
    aws.store.set_partial(key(), "worker-a", PARTIAL, NOW + 1)
    aws.store.complete_job(key(), "worker-a", {"one_liner": "完成"}, NOW + 2)
    assert "partial_json" not in aws.job_items()[0]
    k2 = key("2401.00002")
    aws.store.create_job(k2, "offline", NOW)
    aws.store.claim_job(k2, "worker-a", NOW + 300, NOW)
    aws.store.set_partial(k2, "worker-a", PARTIAL, NOW + 1)
    aws.store.fail_owned_job(k2, "worker-a", {"code": "model_error"}, NOW + 2, 7)
    assert all("partial_json" not in item for item in aws.job_items())


# ---------------------------------------------------------------------------- GET /v1/summaries/{id}

def _get(paper_id: str = "2401.15884") -> dict:
    answer = api.handler(get_event(paper_id), Context())
    assert answer["statusCode"] == 200, answer
    return json.loads(answer["body"])


def test_get_while_running_carries_the_partial_result_and_progress(aws):
    _running(aws)
    aws.store.set_stage(key(), "worker-a", "generating", NOW + 1)
    before = _get()
    assert "partial" not in before and "progress" not in before      # nothing verified yet: absent
    aws.store.set_partial(key(), "worker-a", PARTIAL, NOW + 2)
    body = _get()
    assert body["partial"] == PARTIAL and body["progress"] == {"qa_done": 0, "qa_total": 6}
    # An old client that ignores `partial` sees the same document as before, key by key
    old = {k: v for k, v in body.items() if k not in ("partial", "progress")}
    assert set(old) == set(before) == OLD_CLIENT_KEYS
    assert {k: v for k, v in old.items() if k != "updated_at"} == {k: v for k, v in before.items() if k != "updated_at"}


def test_a_done_job_shows_its_result_and_no_partial(aws):
    _running(aws)
    aws.store.set_partial(key(), "worker-a", PARTIAL, NOW + 1)
    aws.store.complete_job(key(), "worker-a", {"one_liner": "完成", "paper": paper().model_dump(mode="json")}, NOW + 2)
    body = _get()
    assert body["status"] == "done" and body["result"]["one_liner"] == "完成"
    assert "partial" not in body and "progress" not in body


def test_a_job_whose_worker_vanished_shows_no_partial(aws):
    _running(aws)
    aws.store.set_partial(key(), "worker-a", PARTIAL, NOW + 1)
    job = aws.store.get_job(key())
    job.lease_until = 0.0          # the worker's lease ended long ago
    doc = service.state_document(job, None)
    assert doc["partial"] == PARTIAL            # the document as stored ...
    answer = service.read_summary(service.parse_paper_id("2401.15884"), now=NOW + 100_000)
    assert answer.body["status"] == "failed" and "partial" not in answer.body and "progress" not in answer.body


# ---------------------------------------------------------------------------- the pipeline's Partial

PAGE = ("We propose sparse adapter routing for summarization. Our method reduces memory use by 41 percent "
        "on the benchmark while keeping quality. The adapters are trained on three public datasets.")
DOC = Extracted(pages=[PageText(1, PAGE)], body=[PageText(1, PAGE)], page_count=1)
PAPER = paper()
GOOD_QA = QAItem(question="提案手法の効果は何ですか?", answer="メモリ使用量を 41 パーセント削減します。",
                 evidence=[Evidence(page=1, quote="Our method reduces memory use by 41 percent on the benchmark "
                                                  "while keeping quality.")])
BAD_QA = QAItem(question="精度はどうですか?", answer="精度は 97.3% に達します。",
                evidence=[Evidence(page=1, quote="This sentence was never written in the paper at all.")])


ONE_LINER_EVIDENCE = {"page": 1, "quote": "We propose sparse adapter routing for summarization."}


def _published() -> tuple[list[dict], pipeline.Partial]:
    seen: list[dict] = []
    return seen, pipeline.Partial(6, seen.append)


def test_each_verified_part_is_published_and_a_failing_one_never():
    seen, partial = _published()
    on_part = partial.reporter(PAPER, DOC)
    on_part("one_liner", "疎なアダプタ経路でメモリ使用量を削減する手法を提案します。")
    assert seen == []                      # a one-liner is shown only once its evidence is checked
    on_part("one_liner_evidence", [ONE_LINER_EVIDENCE])
    on_part("summary_sentences", [
        {"text": "この論文は疎なアダプタ経路を提案します。", "evidence": [ONE_LINER_EVIDENCE]},
        {"text": "精度は 97.3% に達します。", "evidence": BAD_QA.model_dump()["evidence"]},     # not on the page
        {"text": "メモリ使用量を 41 パーセント削減します。", "evidence": GOOD_QA.model_dump()["evidence"]}])
    on_part(0, BAD_QA.model_dump())
    on_part(1, GOOD_QA.model_dump())
    assert [d["progress"]["qa_done"] for d in seen] == [0, 0, 1]      # the failing item published nothing
    last = seen[-1]
    assert last["source"] == "fulltext" and [q["answer"] for q in last["qa"]] == [GOOD_QA.answer]
    assert [s["text"] for s in last["summary_sentences"]] == ["この論文は疎なアダプタ経路を提案します。",
                                                              "メモリ使用量を 41 パーセント削減します。"]
    assert last["summary"] == "この論文は疎なアダプタ経路を提案します。メモリ使用量を 41 パーセント削減します。"
    assert last["one_liner_sentences"][0]["evidence"] == [ONE_LINER_EVIDENCE]
    assert "97.3" not in json.dumps(seen, ensure_ascii=False)


def test_a_one_liner_whose_evidence_is_not_on_its_page_is_never_published():
    seen, partial = _published()
    on_part = partial.reporter(PAPER, DOC)
    on_part("one_liner", "疎なアダプタ経路でメモリ使用量を削減する手法を提案します。")
    on_part("one_liner_evidence", BAD_QA.model_dump()["evidence"])
    assert seen == []


def test_the_full_text_one_liner_replaces_the_abstract_and_a_late_abstract_is_ignored():
    seen, partial = _published()
    partial.abstract("アブストラクトによる一文要約です。", "アブストラクトによる概要です。")
    assert seen[-1]["source"] == "abstract" and seen[-1]["summary"] == "アブストラクトによる概要です。"
    on_part = partial.reporter(PAPER, DOC)
    on_part("one_liner", "疎なアダプタ経路でメモリ使用量を削減する手法を提案します。")
    on_part("one_liner_evidence", [ONE_LINER_EVIDENCE])
    # the verified full-text one-liner waits: the abstract's 概要 stays on screen, whole
    assert len(seen) == 1
    on_part(0, GOOD_QA.model_dump())          # Q&A items (written before the 概要) are shown beside it
    assert seen[-1]["source"] == "abstract" and seen[-1]["summary"] == "アブストラクトによる概要です。"
    assert [q["answer"] for q in seen[-1]["qa"]] == [GOOD_QA.answer]
    on_part("summary_sentences", [{"text": "この論文は疎なアダプタ経路を提案します。", "evidence": [ONE_LINER_EVIDENCE]}])
    # then the full text's one-liner and 概要 replace the abstract's together
    assert seen[-1]["source"] == "fulltext" and seen[-1]["summary"] == "この論文は疎なアダプタ経路を提案します。"
    assert seen[-1]["one_liner"].startswith("疎なアダプタ") and seen[-1]["one_liner_sentences"]
    assert len(seen[-1]["qa"]) == 1
    partial.abstract("遅れて届いた要約です。", "遅れて届いた概要です。")
    assert len(seen) == 3


def test_the_repair_round_publishes_only_the_parts_that_failed():
    seen, partial = _published()
    partial.reporter(PAPER, DOC)(1, GOOD_QA.model_dump())
    fix = partial.reporter(PAPER, DOC, only={0})
    fix(1, BAD_QA.model_dump())          # not asked to be repaired: ignored
    fix(0, GOOD_QA.model_copy(update={"question": "メモリ使用量はどれだけ減りますか?"}).model_dump())
    assert [len(d["qa"]) for d in seen] == [1, 2]
    assert seen[-1]["qa"][0]["question"] == "メモリ使用量はどれだけ減りますか？"      # normalised as the result is


def test_the_offline_engine_publishes_full_text_parts_without_an_abstract_stage():
    from ronbun.ids import parse_id
    from ronbun.settings import Settings
    from tests.fakes.pdfs import make_paper_pdf

    seen: list[dict] = []
    result = pipeline.summarize(parse_id("2401.15884"), paper=PAPER.model_copy(update={"abstract": PAGE}),
                                pdf_bytes=make_paper_pdf("Sparse Adapter Routing", pages=4), engine="offline",
                                settings=Settings(), on_partial=seen.append)
    assert seen and {d["source"] for d in seen} == {"fulltext"}
    assert seen[-1]["qa"] == [q.model_dump(mode="json") for q in result.qa]
    assert result.generator.calls == 0


def test_the_quick_answer_is_checked_against_the_abstract_only():
    class Engine:             # stands in for the model's answer; the checks are the real ones
        model = "gpt-4.1-mini"

        def __init__(self, one_liner: str):
            self.one_liner = one_liner

        def parse(self, messages, response_format, *, cap, deadline=None):
            assert response_format.__name__ == "AbstractOutput" and "[ronbun-abstract]" in messages[0]["content"]
            return response_format(one_liner=self.one_liner, summary="メモリ使用量を 41 パーセント削減します。"), 100, 20

    p = PAPER.model_copy(update={"abstract": PAGE})
    ok, usage = pipeline.abstract_answer(p, Engine("疎なアダプタ経路でメモリを削減します。"))
    assert ok == {"one_liner": "疎なアダプタ経路でメモリを削減します。", "summary": "メモリ使用量を 41 パーセント削減します。"}
    assert usage == [100, 20, 1]
    invented, _ = pipeline.abstract_answer(p, Engine("精度を 99.7% まで高めます。"))    # not in the abstract
    assert invented is None



@pytest.mark.parametrize("kind", ["grounded", "ungrounded", "unknown_dataset", "contradiction"])
def test_the_part_checks_are_run_checks_part_by_part(kind):
    # The per-part checks (the paper's numbers and names read once) find on each part exactly
    # the blocking findings that quality.run_checks finds on the whole result
    from ronbun import pdftext, prompts, quality, verify
    from ronbun.models import Generator, ModelOutput, Result
    from tests.fakes import fake_openai
    from tests.fakes.pdfs import make_paper_pdf

    doc = pdftext.extract(make_paper_pdf("Sparse Adapter Routing", pages=4), max_pages=20)
    prompt = prompts.build_prompt(PAPER, doc, max_chars=60_000, qa_count=6)
    raw = getattr(fake_openai, f"{kind}_output")(prompt.messages)
    raw["qa"].append(dict(raw["qa"][0]))                    # a repeated question too
    out = verify.normalize_generated(ModelOutput.model_validate(raw))
    whole = quality.run_checks(Result(paper=PAPER, one_liner=out.one_liner, summary=out.summary, qa=out.qa,
                                      generator=Generator(engine="offline", model="-", prompt_version="x")), doc)
    expected = {(f.item, f.code, f.message) for f in whole if f.blocking}
    checks = pipeline.PartChecks(PAPER, doc)
    got = {(f.item, f.code, f.message) for part in ("one_liner", "summary") for f in checks.text(part, getattr(out, part))}
    got |= {(f.item, f.code, f.message) for i, item in enumerate(out.qa) for f in checks.qa(out.qa[:i], item)}
    assert got == expected
    assert any(code == "duplicate_question" for _, code, _ in expected)


def test_an_abstract_answer_after_the_first_q_and_a_item_is_still_shown():
    # The model writes the Q&A before the 概要, so a verified item can beat the quick answer
    seen, partial = _published()
    partial.reporter(PAPER, DOC)(0, GOOD_QA.model_dump())
    assert seen[-1]["source"] == "fulltext" and seen[-1]["one_liner"] == ""
    partial.abstract("アブストラクトによる一文要約です。", "アブストラクトによる概要です。")
    assert seen[-1]["source"] == "abstract" and seen[-1]["summary"] == "アブストラクトによる概要です。"
    assert [q["answer"] for q in seen[-1]["qa"]] == [GOOD_QA.answer]      # the item stays
