"""Streaming structured output (issue 12, contract A): the real `openai` SDK against the fake
OpenAI-compatible HTTP server, paced like a model writing (small ttft, fast tokens)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from ronbun import llm, prompts
from ronbun.deadline import Deadline
from ronbun.errors import DeadlineExceeded, InvalidSettings, ModelError, ModelOutputInvalid, ModelRefused
from ronbun.jsonstream import JsonStream, parts
from ronbun.models import Finding, ModelOutput
from ronbun.offline import OfflineEngine
from ronbun.settings import Settings, get_settings
from tests.fakes.fake_openai import CACHE_STEP, PROMPT_CHARS_PER_TOKEN, grounded_output
from tests.integration.test_openai_engine import DOC, PAPER, PROMPT, _engine


def _pace(fake, tps: float = 1500.0) -> None:
    fake.ttft_seconds, fake.tokens_per_second = 0.02, tps


class Recorder:
    """on_part that records each part with the time it came, and releases the fake's held
    final chunk once `expect` parts are in."""

    def __init__(self, fake=None, expect: int | None = None):
        self.seen: list[tuple] = []
        self.times: list[float] = []
        self.fake, self.expect = fake, expect
        if fake is not None:
            fake.hold_final = threading.Event()

    def __call__(self, key, value) -> None:
        self.seen.append((key, value))
        self.times.append(time.monotonic())
        if self.fake is not None and len(self.seen) == self.expect:
            self.fake.hold_final.set()


def _expected(messages: list[dict]) -> list:
    return parts(grounded_output(messages))


# ---------------------------------------------------------------- parts arrive while the model writes

@pytest.mark.parametrize("profile", ["openai", "json_object", "text"])
def test_every_part_is_reported_in_order_before_the_stream_ends(fake_openai, monkeypatch, profile):
    # Given a model that streams, and holds its final chunk until the client has all the parts
    fake_openai.profile = profile
    _pace(fake_openai)
    want = _expected(PROMPT.messages)
    seen = Recorder(fake_openai, expect=len(want))
    # When the engine generates with on_part
    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    # Then every part (one_liner, summary, each Q&A item) was reported, in the order written,
    # with its parsed JSON value, before the server sent the finish_reason chunk
    stream = fake_openai.streams[-1]
    assert stream["held"] is True and fake_openai.stream_end() == "done"
    assert seen.seen == want
    assert [k for k, _ in seen.seen][:3] == ["one_liner", "one_liner_evidence", 0]   # the Q&A before the 概要
    assert [k for k, _ in seen.seen if isinstance(k, int)] == list(range(len(gen.output.qa)))
    assert max(seen.times) < stream["final_chunk"]
    # and the final answer is the whole validated output, the parts are its parts
    assert isinstance(gen.output, ModelOutput)
    assert parts(gen.output.model_dump(mode="json")) == seen.seen
    assert gen.mode == {"openai": "json_schema"}.get(profile, profile)
    body = fake_openai.calls[-1]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_a_streamed_request_asks_for_the_same_strict_schema_and_counts_usage(fake_openai, monkeypatch):
    _pace(fake_openai)
    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=Recorder())
    body, usage = fake_openai.calls[0], fake_openai.responses[0]["usage"]
    assert body["response_format"]["type"] == "json_schema" and body["response_format"]["json_schema"]["strict"] is True
    assert body["messages"] == PROMPT.messages and body["max_completion_tokens"] == llm.MAX_OUTPUT_TOKENS
    assert (gen.input_tokens, gen.output_tokens) == (usage["prompt_tokens"], usage["completion_tokens"])


def test_without_on_part_the_call_is_not_streamed(fake_openai, monkeypatch):
    _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC)
    assert not fake_openai.calls[0].get("stream") and fake_openai.streams == []


@pytest.mark.parametrize("quirk", ["no_stream", "ignore_stream"])
def test_a_server_that_cannot_stream_gets_parts_reported_after_the_parse(fake_openai, monkeypatch, quirk):
    # Given a server that refuses stream=true (400), or ignores it and answers whole
    fake_openai.quirks.add(quirk)
    engine = _engine(monkeypatch)
    seen = Recorder()
    # When the engine generates with on_part
    gen = engine.generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    # Then every part is reported (after the parse), in order, and nothing streamed
    assert seen.seen == parts(gen.output.model_dump(mode="json")) == _expected(PROMPT.messages)
    assert fake_openai.streams == []
    if quirk == "no_stream":       # asked once, then remembered for this server and model
        engine.generate(PROMPT, paper=PAPER, doc=DOC, on_part=Recorder())
        assert [bool(c.get("stream")) for c in fake_openai.calls] == [True, False, False]


def test_parts_the_stream_did_not_yield_are_reported_after_the_parse(fake_openai, monkeypatch):
    # Given a text answer with a "{...}" in its prose before the fenced JSON (the incremental
    # reader starts at that brace and finds no fields)
    fake_openai.profile = "text"
    fake_openai.quirks.add("brace_in_prose")
    _pace(fake_openai)
    seen = Recorder()
    # When the engine generates
    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    # Then every part is still reported, once each, after the parse
    assert "{要求された}" in fake_openai.responses[-1]["choices"][0]["message"]["content"]
    assert seen.seen == parts(gen.output.model_dump(mode="json")) == _expected(PROMPT.messages)
    assert min(seen.times) > fake_openai.streams[-1]["final_chunk"]


def test_the_offline_engine_reports_each_part_after_building_its_output():
    seen = Recorder()
    gen = OfflineEngine(Settings()).generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    assert seen.seen and seen.seen == parts(gen.output.model_dump(mode="json"))
    assert [k for k, _ in seen.seen if isinstance(k, int)] == list(range(len(gen.output.qa)))


# ---------------------------------------------------------------- the paths that already existed

def test_a_truncated_stream_is_retried_once_and_its_parts_reported_again(fake_openai, monkeypatch):
    _pace(fake_openai)
    fake_openai.enqueue("length")
    seen = Recorder()
    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    first, second = fake_openai.calls
    assert gen.calls == 2 and first["stream"] and second["stream"]
    assert "簡潔" in second["messages"][-1]["content"]
    assert second["max_completion_tokens"] > first["max_completion_tokens"]
    assert gen.output_tokens == sum(r["usage"]["completion_tokens"] for r in fake_openai.responses)
    final = parts(gen.output.model_dump(mode="json"))
    assert seen.seen[-len(final):] == final                     # the retry's parts, all of them
    assert 0 < len(seen.seen) - len(final) < len(final)         # the cut-off answer's complete parts came first


def test_truncated_twice_while_streaming_is_an_invalid_output(fake_openai, monkeypatch):
    _pace(fake_openai)
    fake_openai.enqueue("length", times=2)
    with pytest.raises(ModelOutputInvalid, match="truncated twice"):
        _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=Recorder())


@pytest.mark.parametrize("kind", ["refusal", "content_filter"])
def test_a_streamed_refusal_or_content_filter_is_model_refused(fake_openai, monkeypatch, kind):
    _pace(fake_openai)
    fake_openai.enqueue(kind)
    with pytest.raises(ModelRefused):
        _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=Recorder())
    assert fake_openai.stream_end() == "done"


def test_a_content_filter_without_streaming_is_model_refused_too(fake_openai, monkeypatch):
    fake_openai.enqueue("content_filter")
    with pytest.raises(ModelRefused):
        _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC)


@pytest.mark.parametrize("kind", ["invalid_json", "wrong_schema"])
def test_a_streamed_answer_that_does_not_validate_is_invalid_output(fake_openai, monkeypatch, kind):
    _pace(fake_openai)
    fake_openai.enqueue(kind)
    seen = Recorder()
    with pytest.raises(ModelOutputInvalid):
        _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    if kind == "invalid_json":           # the field that was complete was still reported
        assert seen.seen == [("one_liner", "途中で壊れた出力です。")]


# ---------------------------------------------------------------- streams that break or never end

def _inside_qa(messages: list[dict], item: int) -> int:
    """A character position inside Q&A item `item`'s answer of the fake's answer."""
    text = json.dumps(grounded_output(messages), ensure_ascii=False)
    at = text.index('"qa"')
    for _ in range(item + 1):
        at = text.index('"answer"', at + 1)
    return at + 20


@pytest.mark.parametrize("chunked", [False, True], ids=["connection-close", "chunked"])
def test_a_stream_cut_off_mid_item_is_a_model_error_in_japanese(fake_openai, monkeypatch, chunked):
    # Given a server that drops the connection in the middle of Q&A item 2 (no finish, no [DONE])
    _pace(fake_openai)
    fake_openai.chunked = chunked
    cut = _inside_qa(PROMPT.messages, 1)
    fake_openai.cut_after_chars = cut
    seen = Recorder()
    # When the engine generates
    with pytest.raises(ModelError) as info:
        _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    # Then the error says so in Japanese, and the parts complete before the cut stay reported
    assert "途中で切れました" in info.value.message_ja and info.value.retryable
    assert fake_openai.streams[-1]["ended"] == "cut"
    content = json.dumps(grounded_output(PROMPT.messages), ensure_ascii=False)
    assert seen.seen == JsonStream().feed(content[:cut])
    assert [k for k, _ in seen.seen] == ["one_liner", "one_liner_evidence", 0]


@pytest.mark.parametrize("keepalive", ["none", "comment", "whitespace"])
def test_a_stream_that_never_ends_stops_at_the_call_timeout(fake_openai, monkeypatch, keepalive):
    # Given a server that stops writing mid-answer but keeps the connection open (silent, or
    # sending SSE keep-alive comments, or whitespace tokens forever)
    _pace(fake_openai)
    fake_openai.stall_after_chars = _inside_qa(PROMPT.messages, 0)
    fake_openai.stall_keepalive = keepalive
    engine = _engine(monkeypatch, RONBUN_OPENAI_TIMEOUT="1", RONBUN_OPENAI_MAX_RETRIES="0")
    seen = Recorder()
    # When the engine generates
    with pytest.raises(ModelError) as info:
        engine.generate(PROMPT, paper=PAPER, doc=DOC, on_part=seen)
    # Then the call ends with the timeout error (in Japanese), the parts before the stall
    # stay reported, and the client closed the connection (the server saw it go)
    assert info.value.message_ja == llm.TIMEOUT_JA
    assert [k for k, _ in seen.seen] == ["one_liner", "one_liner_evidence"]
    assert fake_openai.stream_end() == "client_closed"


def test_a_stream_that_never_ends_stops_at_the_jobs_deadline(fake_openai, monkeypatch):
    # Given a server that keeps sending whitespace forever, and a job deadline that passes
    # after the first part (a clock the test moves on)
    _pace(fake_openai)
    fake_openai.stall_after_chars = _inside_qa(PROMPT.messages, 0)
    fake_openai.stall_keepalive = "whitespace"
    skipped = [0.0]
    deadline = Deadline.after(60, clock=lambda: time.monotonic() + skipped[0])

    def on_part(key, value):
        skipped[0] = 3600.0

    # When the engine generates (the call's own timeout is the default 120 s)
    with pytest.raises(DeadlineExceeded):
        _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC, deadline=deadline, on_part=on_part)
    # Then it stops at the deadline and closes the connection
    assert fake_openai.stream_end() == "client_closed"


# ---------------------------------------------------------------- prompt caching and its price

@pytest.mark.parametrize("streamed", [False, True])
def test_cached_input_tokens_are_recorded_on_a_second_call_with_the_same_prefix(fake_openai, monkeypatch, streamed):
    _pace(fake_openai, tps=5000)
    engine = _engine(monkeypatch)
    on_part = Recorder() if streamed else None
    first = engine.generate(PROMPT, paper=PAPER, doc=DOC, on_part=on_part)
    second = engine.generate(PROMPT, paper=PAPER, doc=DOC, on_part=on_part)
    reported = [r["usage"]["prompt_tokens_details"]["cached_tokens"] for r in fake_openai.responses]
    assert first.cached_input_tokens == reported[0] == 0
    assert second.cached_input_tokens == reported[1] > 0
    assert second.cached_input_tokens % CACHE_STEP == 0 and second.cached_input_tokens <= second.input_tokens


def test_the_repair_call_is_served_the_papers_prefix_from_the_cache(fake_openai, monkeypatch):
    engine = _engine(monkeypatch)
    engine.generate(PROMPT, paper=PAPER, doc=DOC)
    previous = ModelOutput.model_validate(grounded_output(PROMPT.messages))
    repair = prompts.build_repair_prompt(PAPER, DOC, previous, [Finding(item=0, code="no_evidence", message="x")],
                                         max_chars=20_000, qa_count=4)
    gen = engine.generate(repair, paper=PAPER, doc=DOC)
    stable = sum(len(m["content"]) + len(m["role"]) + 2 for m in PROMPT.messages) // PROMPT_CHARS_PER_TOKEN
    assert gen.cached_input_tokens == stable // CACHE_STEP * CACHE_STEP > 0


def test_missing_cache_details_count_as_none_cached(fake_openai, monkeypatch):
    fake_openai.quirks.add("no_cache_details")
    engine = _engine(monkeypatch)
    engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert engine.generate(PROMPT, paper=PAPER, doc=DOC, on_part=Recorder()).cached_input_tokens == 0


def test_cached_input_is_charged_at_the_cached_price():
    table = llm.prices()
    mini = table.models["gpt-4.1-mini"]
    assert (mini.input, mini.cached_input, mini.output) == (0.40, 0.10, 1.60)
    assert llm.estimate_cost("gpt-4.1-mini", 1_000_000, 0) == pytest.approx(0.40)
    assert llm.estimate_cost("gpt-4.1-mini", 1_000_000, 0, 1_000_000) == pytest.approx(0.10)
    assert llm.estimate_cost("gpt-4.1-mini", 1_000_000, 1_000_000, 250_000) == pytest.approx(0.30 + 0.025 + 1.60)
    assert llm.estimate_cost("gpt-4.1-mini", 1000, 0, 10_000) == pytest.approx(1000 * 0.10 / 1e6)   # cached <= input
    assert table.as_of and len(table.as_of) == 10 and table.source


def test_cost_of_a_second_call_with_a_cached_prefix_is_lower(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, RONBUN_MODEL="gpt-4.1-mini")
    first, second = (engine.generate(PROMPT, paper=PAPER, doc=DOC) for _ in range(2))
    assert (first.input_tokens, first.output_tokens) == (second.input_tokens, second.output_tokens)
    with_cache = llm.estimate_cost(second.model, second.input_tokens, second.output_tokens, second.cached_input_tokens)
    assert with_cache < llm.estimate_cost(first.model, first.input_tokens, first.output_tokens, first.cached_input_tokens)


def test_the_price_table_is_a_setting(tmp_path, monkeypatch):
    table = {"as_of": "2031-01-02", "source": "test", "models": {"gpt-4.1-mini": {"input": 1.0, "cached_input": 0.5,
                                                                                   "output": 2.0}}}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(table))
    monkeypatch.setenv("RONBUN_PRICES_FILE", str(path))
    get_settings.cache_clear()
    try:
        assert llm.prices().as_of == "2031-01-02"
        assert llm.estimate_cost("gpt-4.1-mini", 2_000_000, 1_000_000, 1_000_000) == pytest.approx(1.0 + 0.5 + 2.0)
        assert llm.estimate_cost("gpt-4o", 1_000_000, 1_000_000) == 0.0      # not in this table
        path.write_text("{not json")
        monkeypatch.setenv("RONBUN_PRICES_FILE", str(tmp_path / "other.json"))
        get_settings.cache_clear()
        with pytest.raises(InvalidSettings) as info:
            llm.estimate_cost("gpt-4.1-mini", 1, 1)
        assert "料金表" in info.value.message_ja
    finally:
        monkeypatch.delenv("RONBUN_PRICES_FILE")
        get_settings.cache_clear()
