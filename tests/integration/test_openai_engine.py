"""The OpenAI engine with the real `openai` SDK against the fake OpenAI-compatible server."""

from __future__ import annotations

import logging
import time

import pytest

from ronbun import llm, prompts
from ronbun.errors import EngineNotConfigured, InvalidRequest, ModelError, ModelOutputInvalid, ModelRefused
from ronbun.models import ModelOutput, Paper
from ronbun.offline import OfflineEngine
from ronbun.pdftext import Extracted, PageText
from ronbun.settings import Settings, get_settings
from tests.fakes.fake_openai import TEST_KEY
from tests.fakes.pdfs import DEFAULT_SECTIONS

PAPER = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing for Efficient Multilingual Summarization",
              authors=["Hana Sato", "Daniel Okafor", "Mei Lin"], categories=["cs.CL"],
              abstract=" ".join(DEFAULT_SECTIONS[0][1]))


def _doc() -> Extracted:
    pages = [PageText(i, f"{heading}\n" + "\n".join(paragraphs))
             for i, (heading, paragraphs) in enumerate(DEFAULT_SECTIONS, start=1)]
    return Extracted(pages=pages, body=pages, page_count=len(pages))


DOC = _doc()
PROMPT = prompts.build_prompt(PAPER, DOC, max_chars=20_000, qa_count=4)


def _engine(monkeypatch, model: str | None = None, **env: str) -> llm.OpenAIEngine:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    engine = llm.get_engine("openai", get_settings(), model)
    assert isinstance(engine, llm.OpenAIEngine)
    return engine


def test_success_returns_parsed_output_and_the_servers_usage(fake_openai, monkeypatch):
    engine = _engine(monkeypatch)
    gen = engine.generate(PROMPT, paper=PAPER, doc=DOC)
    usage = fake_openai.responses[0]["usage"]
    assert isinstance(gen.output, ModelOutput) and gen.output.qa
    assert (gen.input_tokens, gen.output_tokens) == (usage["prompt_tokens"], usage["completion_tokens"])
    assert (gen.engine, gen.calls) == ("openai", 1)


def test_request_carries_the_strict_json_schema_the_model_and_the_prompt(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, RONBUN_MODEL="gpt-test-model")
    gen = engine.generate(PROMPT, paper=PAPER, doc=DOC)
    body = fake_openai.calls[0]
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert set(fmt["json_schema"]["schema"]["required"]) == {"one_liner", "one_liner_evidence", "summary_sentences", "qa"}
    assert body["model"] == gen.model == "gpt-test-model"
    assert body["messages"] == PROMPT.messages
    assert fake_openai.headers[0]["authorization"] == f"Bearer {TEST_KEY}"


def test_model_argument_overrides_the_setting(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, "gpt-other", RONBUN_MODEL="gpt-test-model")
    engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert fake_openai.calls[0]["model"] == "gpt-other"


def test_rate_limit_is_retried_by_the_sdk_then_succeeds(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, RONBUN_OPENAI_MAX_RETRIES="1")
    fake_openai.enqueue("rate_limit", retry_after_ms=20)
    gen = engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert len(fake_openai.calls) == 2
    assert gen.output.qa and gen.calls == 1


def test_server_errors_after_retries_become_a_retryable_model_error(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, RONBUN_OPENAI_MAX_RETRIES="1")
    fake_openai.enqueue("server_error", times=2)
    with pytest.raises(ModelError) as info:
        engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert info.value.retryable is True
    assert len(fake_openai.calls) == 2


def test_a_slow_server_times_out_into_a_model_error(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, RONBUN_OPENAI_TIMEOUT="0.5", RONBUN_OPENAI_MAX_RETRIES="0")
    fake_openai.enqueue("slow", seconds=3)
    start = time.monotonic()
    with pytest.raises(ModelError) as info:
        engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert time.monotonic() - start < 2.5
    assert "Timeout" in str(info.value)


def test_truncated_answer_is_retried_once_asking_for_brevity(fake_openai, monkeypatch):
    engine = _engine(monkeypatch)
    fake_openai.enqueue("length")
    gen = engine.generate(PROMPT, paper=PAPER, doc=DOC)
    first, second = fake_openai.calls
    assert gen.calls == 2 and gen.output.qa
    assert second["messages"][:-1] == first["messages"]
    assert "簡潔" in second["messages"][-1]["content"]
    assert second["max_completion_tokens"] > first["max_completion_tokens"]
    assert gen.output_tokens == sum(r["usage"]["completion_tokens"] for r in fake_openai.responses)


def test_truncated_twice_is_an_invalid_output(fake_openai, monkeypatch):
    engine = _engine(monkeypatch)
    fake_openai.enqueue("length", times=2)
    with pytest.raises(ModelOutputInvalid):
        engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert len(fake_openai.calls) == 2


def test_refusal_is_model_refused(fake_openai, monkeypatch):
    engine = _engine(monkeypatch)
    fake_openai.enqueue("refusal")
    with pytest.raises(ModelRefused, match="can't help"):
        engine.generate(PROMPT, paper=PAPER, doc=DOC)


@pytest.mark.parametrize("kind", ["invalid_json", "wrong_schema"])
def test_unparseable_answer_is_invalid_output(fake_openai, monkeypatch, kind):
    engine = _engine(monkeypatch)
    fake_openai.enqueue(kind)
    with pytest.raises(ModelOutputInvalid):
        engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert len(fake_openai.calls) == 1


def test_rejected_key_is_engine_not_configured_without_leaking_it(fake_openai, monkeypatch, caplog):
    engine = _engine(monkeypatch)
    fake_openai.enqueue("auth_error")
    with caplog.at_level(logging.DEBUG), pytest.raises(EngineNotConfigured, match="OpenAI API key rejected") as info:
        engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert TEST_KEY not in str(info.value) and TEST_KEY not in info.value.message_ja
    assert TEST_KEY not in caplog.text


def test_missing_key_fails_before_any_request(fake_openai, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    get_settings.cache_clear()
    settings = get_settings()
    with pytest.raises(EngineNotConfigured):
        llm.get_engine("openai", settings)
    with pytest.raises(EngineNotConfigured):
        llm.OpenAIEngine(settings).generate(PROMPT, paper=PAPER, doc=DOC)
    assert fake_openai.calls == []


def test_grounded_fake_answer_passes_verification(fake_openai, monkeypatch):
    from ronbun import sentences, verify
    from ronbun.models import Generator, Result

    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC)
    assert gen.output.one_liner_evidence and len(gen.output.summary_sentences) >= 2
    result = Result(paper=PAPER, one_liner=gen.output.one_liner, summary=gen.output.summary, qa=gen.output.qa,
                    **sentences.result_fields(gen.output),
                    generator=Generator(engine="openai", model=gen.model, prompt_version=prompts.PROMPT_VERSION))
    blocking = [f for f in verify.check_result(result, DOC.page_map()) if f.blocking]
    assert blocking == []


def test_ungrounded_fake_answer_fails_verification(fake_openai, monkeypatch):
    from ronbun import sentences, verify
    from ronbun.models import Generator, Result

    fake_openai.enqueue("ungrounded")
    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC)
    result = Result(paper=PAPER, one_liner=gen.output.one_liner, summary=gen.output.summary, qa=gen.output.qa,
                    **sentences.result_fields(gen.output),
                    generator=Generator(engine="openai", model=gen.model, prompt_version=prompts.PROMPT_VERSION))
    failed = {f.item for f in verify.check_result(result, DOC.page_map()) if f.blocking}
    assert {0, 1, "one_liner", "summary"} <= failed


# ---------------------------------------------------------------- engine choice and cost (no server)

def test_default_engine_follows_the_key():
    with_key = Settings(openai_api_key="sk-test-x")
    assert isinstance(llm.get_engine(None, with_key), llm.OpenAIEngine)
    assert isinstance(llm.get_engine(None, Settings()), OfflineEngine)
    assert isinstance(llm.get_engine("offline", with_key), OfflineEngine)


def test_unknown_engine_is_an_invalid_request():
    with pytest.raises(InvalidRequest):
        llm.get_engine("claude", Settings())


def test_creating_an_engine_makes_no_client():
    llm._client.cache_clear()
    llm.get_engine("openai", Settings(openai_api_key="sk-test-x"))
    assert llm._client.cache_info().currsize == 0


def test_cost_uses_the_longest_matching_price():
    table = llm.prices()
    mini = llm.estimate_cost("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000)
    full = llm.estimate_cost("gpt-4o", 1_000_000, 1_000_000)
    assert mini == pytest.approx(table.models["gpt-4o-mini"].input + table.models["gpt-4o-mini"].output)
    assert full == pytest.approx(table.models["gpt-4o"].input + table.models["gpt-4o"].output)
    assert mini < full
    assert llm.estimate_cost("my-local-llama", 10_000, 10_000) == 0.0
    assert llm.estimate_cost("offline-extractive-1", 10_000, 10_000) == 0.0


def test_rate_limit_left_after_retries_says_so_in_japanese(fake_openai, monkeypatch):
    engine = _engine(monkeypatch, RONBUN_OPENAI_MAX_RETRIES="0")
    fake_openai.enqueue("rate_limit")
    with pytest.raises(ModelError) as info:
        engine.generate(PROMPT, paper=PAPER, doc=DOC)
    assert info.value.retryable is True
    assert "レート制限" in info.value.message_ja


def test_custom_answer_comes_back_unchanged(fake_openai, monkeypatch):
    custom = {"one_liner": "一文の要約です。", "one_liner_evidence": [],
              "summary_sentences": [{"text": "概要です。", "evidence": []}],
              "qa": [{"question": "目的は何ですか?", "answer": "目的を述べています。",
                      "evidence": [{"page": 2, "quote": "In this paper we introduce a routing mechanism."}]}]}
    fake_openai.enqueue("custom", output=custom)
    gen = _engine(monkeypatch).generate(PROMPT, paper=PAPER, doc=DOC)
    assert gen.output == ModelOutput.model_validate(custom)
