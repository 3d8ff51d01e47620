"""Partial results over HTTP (issue 12): the local stack (`python -m infra.local`) with the fake
OpenAI server writing at a model's pace. While a job runs, GET shows the quick answer from the
abstract, then the verified parts of the full-text answer, then the result; a part that fails
its checks is never shown; a failed job shows nothing partial; old clients see the same keys."""

from __future__ import annotations

import json
import threading
import time

import pytest

from ronbun.prompts import ABSTRACT_MARKER
from tests.fakes.fake_arxiv import FakeArxiv
from tests.fakes.fake_openai import TEST_KEY, UNKNOWN_DATASETS, FakeOpenAI
from tests.integration.test_local_stack import Stack, stack_env

OLD_KEYS = {"paper_id", "version", "lang", "status", "updated_at", "paper"}
ABSTRACT = ("We propose sparse adapter routing for efficient summarization. Routing reduces memory use "
            "while keeping summary quality on long documents.")


class PacedOpenAI(FakeOpenAI):
    """The fake model, paced, with the quick answers from the abstract kept apart: they take
    the kinds in `abstract_faults` (else answer normally), never a queued fault (those are for
    the summary calls); `main_delay` holds every summary call back that long before it answers."""

    def __init__(self):
        super().__init__()
        self.abstract_calls: list[dict] = []
        self.abstract_faults: list[str] = []
        self.main_delay = 0.0
        self.main_gate: threading.Event | None = None

    def _next(self, body: dict, headers: dict[str, str]) -> tuple[str, dict, int]:
        if ABSTRACT_MARKER in json.dumps(body.get("messages", []), ensure_ascii=False):
            with self._lock:
                self.abstract_calls.append(body)
                self._seq += 1
                return (self.abstract_faults.pop(0) if self.abstract_faults else "ok"), {}, self._seq
        got = super()._next(body, headers)
        time.sleep(self.main_delay)
        if self.main_gate is not None:      # a test holds the summary call until it has seen what it needs
            self.main_gate.wait(60)
        return got


@pytest.fixture(scope="module")
def arxiv():
    fake = FakeArxiv().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def model():
    fake = PacedOpenAI().start()
    fake.ttft_seconds, fake.tokens_per_second = 0.3, 250.0     # a few seconds per summary, well under a second for the abstract's
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(arxiv, model):
    s = Stack(stack_env(arxiv, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=model.url,
                        RONBUN_LOCAL_VISIBILITY_TIMEOUT="60", RONBUN_OPENAI_MAX_RETRIES="0"))
    yield s
    s.stop()


def watch(stack: Stack, paper_id: str, timeout: float = 90) -> list[dict]:
    """Every GET body from the POST until the job is done or failed (a GET every 0.1 s)."""
    status, body = stack.post(paper_id)
    assert status == 202, body
    seen, deadline = [body], time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = stack.request("GET", f"/v1/summaries/{paper_id}")
        assert status == 200, body
        seen.append(body)
        if body["status"] in ("done", "failed"):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"{paper_id} did not finish:\n{stack.output()}")


def _open_when_abstract_shown(stack: Stack, paper_id: str, gate: threading.Event, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not gate.is_set() and time.monotonic() < deadline:
        status, body = stack.request("GET", f"/v1/summaries/{paper_id}")
        if status == 200 and (body.get("partial") or {}).get("source") == "abstract":
            break
        time.sleep(0.05)
    gate.set()


def sources(seen: list[dict]) -> list[str]:
    """The partial sources in the order they were seen, repeats collapsed."""
    out: list[str] = []
    for body in seen:
        src = (body.get("partial") or {}).get("source")
        if src and (not out or out[-1] != src):
            out.append(src)
    return out


def test_get_shows_the_abstract_answer_then_verified_full_text_parts_then_the_result(stack, arxiv, model):
    arxiv.add_paper("2407.00001", title="Sparse Adapter Routing", abstract=ABSTRACT)
    model.enqueue("judge_slow", seconds=2.5)     # the last partial state stays visible while the judge works
    # the summary call answers only once the abstract's answer is visible (on a loaded machine the
    # full text could otherwise be quicker, and then rightly nothing from the abstract is shown)
    model.main_gate = threading.Event()
    opener = threading.Thread(target=_open_when_abstract_shown, args=(stack, "2407.00001", model.main_gate))
    opener.start()
    try:
        seen = watch(stack, "2407.00001")
    finally:
        model.main_gate.set()
        opener.join()
        model.main_gate = None
    done = seen[-1]
    assert done["status"] == "done", done
    # The quick answer from the abstract came first, then the full text's parts replaced it
    assert sources(seen) == ["abstract", "fulltext"], [b.get("partial") for b in seen]
    first = next(b for b in seen if b.get("partial"))
    assert first["status"] in ("queued", "running") and first["partial"]["one_liner"]
    assert first["partial"]["summary"] and first["partial"]["qa"] == []
    assert first["progress"] == {"qa_done": 0, "qa_total": 6}
    # Verified Q&A items arrived while the job was running, never fewer than before
    fulltext = [b for b in seen if (b.get("partial") or {}).get("source") == "fulltext"]
    done_counts = [b["progress"]["qa_done"] for b in fulltext]
    assert done_counts == sorted(done_counts) and done_counts[-1] == len(fulltext[-1]["partial"]["qa"]) > 0
    assert all(b["progress"] == b["partial"]["progress"] for b in fulltext)
    # What was shown partially is what the result shows: the same checks passed it
    result = done["result"]
    assert fulltext[-1]["partial"]["one_liner"] == result["one_liner"]
    assert fulltext[-1]["partial"]["qa"] == result["qa"]
    assert "partial" not in done and "progress" not in done
    # The quick answer was one small call, counted in the result's usage
    assert len(model.abstract_calls) >= 1
    assert result["generator"]["calls"] >= 2


def test_a_part_that_fails_its_checks_never_appears(stack, arxiv, model):
    arxiv.add_paper("2407.00002", title="Routing With Unknown Data", abstract=ABSTRACT)
    model.enqueue("unknown_dataset")     # Q&A 1 names two datasets the paper never mentions
    seen = watch(stack, "2407.00002")
    assert seen[-1]["status"] == "done", seen[-1]
    partials = [b["partial"] for b in seen if b.get("partial")]
    fulltext = [p for p in partials if p["source"] == "fulltext"]
    assert fulltext, "no full-text partial result was seen"
    assert all(UNKNOWN_DATASETS not in json.dumps(p, ensure_ascii=False) for p in partials)
    # the failing item was repaired in the repair round, and only then shown
    assert UNKNOWN_DATASETS not in json.dumps(seen[-1]["result"], ensure_ascii=False)
    assert any(p["progress"]["qa_done"] < p["progress"]["qa_total"] for p in fulltext)


def test_old_clients_see_the_keys_they_always_saw(stack, arxiv, model):
    arxiv.add_paper("2407.00003", title="Old Client Paper", abstract=ABSTRACT)
    seen = watch(stack, "2407.00003")
    with_partial = [b for b in seen if b.get("partial")]
    assert with_partial
    for body in with_partial:       # a client that ignores partial and progress
        old = {k: v for k, v in body.items() if k not in ("partial", "progress")}
        assert OLD_KEYS <= set(old) <= OLD_KEYS | {"stage", "retry_at", "retry_reason"}
        assert old["status"] in ("queued", "running")
    assert OLD_KEYS | {"result"} == set(seen[-1])


def test_a_failed_job_shows_no_partial_result(stack, arxiv, model):
    arxiv.add_paper("2407.00004", title="Refused Key Paper", abstract=ABSTRACT)
    model.enqueue("auth_error")          # the summary call fails for good (no retry helps)
    model.main_delay = 2.0               # after the abstract's answer was shown
    try:
        seen = watch(stack, "2407.00004")
    finally:
        model.main_delay = 0.0
    failed = seen[-1]
    assert failed["status"] == "failed" and failed["error"]["code"] == "engine_not_configured", failed
    assert sources(seen) == ["abstract"]         # shown while it ran ...
    assert "partial" not in failed and "progress" not in failed     # ... and gone with the failure
    item = next(i for i in stack.job_items() if i["paper_id"]["S"] == "2407.00004")
    assert "partial_json" not in item



# ---------------------------------------------------------------------------- the quick answer, in process

@pytest.mark.parametrize("fault", ["server_error", "ungrounded", "invalid_json"])
def test_a_quick_answer_that_fails_is_left_out_and_the_job_goes_on(fault):
    # Given the abstract's call fails (an error, an answer with numbers the abstract lacks, a broken answer)
    from ronbun.ids import parse_id
    from ronbun.models import Paper
    from ronbun.pipeline import summarize
    from ronbun.settings import Settings
    from tests.fakes.pdfs import make_paper_pdf

    fake = PacedOpenAI().start()
    fake.abstract_faults.append(fault)
    seen: list[dict] = []
    paper = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing", abstract=ABSTRACT)
    try:
        result = summarize(parse_id("2401.15884v1"), paper=paper, engine="openai",
                           pdf_bytes=make_paper_pdf("Sparse Adapter Routing", pages=4),
                           settings=Settings(openai_api_key=TEST_KEY, openai_base_url=fake.url, openai_max_retries=0),
                           on_partial=seen.append)
    finally:
        fake.stop()
    # Then nothing from the abstract is shown, the full text's parts are, and the result is whole
    assert len(fake.abstract_calls) == 1 and fake.abstract_faults == []
    assert seen and {d["source"] for d in seen} == {"fulltext"}
    assert "99.7" not in json.dumps(seen, ensure_ascii=False)
    assert result.qa and seen[-1]["qa"] == [q.model_dump(mode="json") for q in result.qa]


def test_with_streaming_off_the_summary_is_answered_whole_and_only_the_abstract_is_shown_early():
    # Given RONBUN_STREAM=0 (the bench's "before": the full-text answer is not streamed)
    from ronbun.ids import parse_id
    from ronbun.models import Paper
    from ronbun.pipeline import summarize
    from ronbun.settings import Settings
    from tests.fakes.pdfs import make_paper_pdf

    fake = PacedOpenAI().start()
    seen: list[dict] = []
    paper = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing", abstract=ABSTRACT)
    try:
        result = summarize(parse_id("2401.15884v1"), paper=paper, engine="openai",
                           pdf_bytes=make_paper_pdf("Sparse Adapter Routing", pages=4),
                           settings=Settings(openai_api_key=TEST_KEY, openai_base_url=fake.url, stream=0),
                           on_partial=seen.append)
    finally:
        fake.stop()
    # Then no summary call asked for a stream, the only partial document is the abstract's, and the result is whole
    summary_calls = [c for c in fake.calls if c not in fake.abstract_calls]
    assert summary_calls and not any(c.get("stream") for c in summary_calls) and fake.streams == []
    assert seen and {d["source"] for d in seen} == {"abstract"} and all(d["qa"] == [] for d in seen)
    assert result.qa and result.one_liner
