"""The fake model behaves like a real one where it matters for time to first Japanese (issue 12):
it streams structured output as server-sent events, token by token, with the usage chunk at the
end, and paces its answers by a time to first token and a tokens-per-second rate. Driven by the
real `openai` SDK's streaming helpers."""

from __future__ import annotations

import openai
import pytest

from ronbun import prompts
from ronbun.models import ModelOutput, Paper
from ronbun.pdftext import Extracted, PageText
from tests.fakes.fake_openai import CHARS_PER_TOKEN, TEST_KEY
from tests.fakes.pdfs import DEFAULT_SECTIONS

PAPER = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing", abstract=" ".join(DEFAULT_SECTIONS[0][1]))
PAGES = [PageText(i, f"{h}\n" + "\n".join(ps)) for i, (h, ps) in enumerate(DEFAULT_SECTIONS, start=1)]
PROMPT = prompts.build_prompt(PAPER, Extracted(pages=PAGES, body=PAGES, page_count=len(PAGES)),
                              max_chars=20_000, qa_count=4)


def _client(fake) -> openai.OpenAI:
    return openai.OpenAI(api_key=TEST_KEY, base_url=fake.url, max_retries=0, timeout=30)


def test_structured_output_streams_token_by_token_and_parses_at_the_end(fake_openai):
    fake_openai.tokens_per_second = 2000            # fast enough for a test, still paced per token
    with _client(fake_openai).chat.completions.stream(
            model="gpt-test", messages=PROMPT.messages, response_format=ModelOutput,
            stream_options={"include_usage": True}) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta" and event.delta]
        final = stream.get_final_completion()
    content = fake_openai.responses[-1]["choices"][0]["message"]["content"]
    assert "".join(deltas) == content
    assert len(deltas) == -(-len(content) // CHARS_PER_TOKEN)      # one chunk per token
    parsed = final.choices[0].message.parsed
    assert isinstance(parsed, ModelOutput) and parsed.qa and final.choices[0].finish_reason == "stop"
    assert final.usage is not None and final.usage.completion_tokens == fake_openai.responses[-1]["usage"]["completion_tokens"]


def test_a_stream_without_include_usage_has_no_usage_chunk(fake_openai):
    chunks = list(_client(fake_openai).chat.completions.create(model="gpt-test", messages=PROMPT.messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)


def test_a_truncated_answer_streams_its_length_finish(fake_openai):
    fake_openai.enqueue("length")
    chunks = list(_client(fake_openai).chat.completions.create(
        model="gpt-test", messages=PROMPT.messages, stream=True, stream_options={"include_usage": True}))
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage is not None and chunks[-1].choices == []


def test_a_repeated_prompt_reports_cached_tokens_in_the_usage_chunk(fake_openai):
    # Like OpenAI: a prefix of at least 1,024 tokens seen before, counted in 128-token steps
    def usage():
        fake_openai.enqueue("custom", output={"one_liner": "短い答えです。", "summary": "概要です。", "qa": []})
        chunks = list(_client(fake_openai).chat.completions.create(
            model="gpt-test", messages=PROMPT.messages, stream=True, stream_options={"include_usage": True}))
        return chunks[-1].usage

    first, second = usage(), usage()
    assert first.prompt_tokens_details.cached_tokens == 0
    assert second.prompt_tokens_details.cached_tokens >= 1024
    assert second.prompt_tokens_details.cached_tokens % 128 == 0
    assert second.prompt_tokens_details.cached_tokens <= second.prompt_tokens == first.prompt_tokens


def test_a_cut_stream_ends_mid_answer_without_a_finish_or_done(fake_openai):
    fake_openai.cut_after_chars = 100
    chunks = list(_client(fake_openai).chat.completions.create(
        model="gpt-test", messages=PROMPT.messages, stream=True, stream_options={"include_usage": True}))
    content = fake_openai.responses[-1]["choices"][0]["message"]["content"]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == content[:100]
    assert all(c.choices[0].finish_reason is None for c in chunks if c.choices)
    assert all(c.usage is None for c in chunks) and fake_openai.streams[-1]["ended"] == "cut"


def test_a_stalled_stream_keeps_the_connection_until_the_client_gives_up(fake_openai):
    fake_openai.stall_after_chars = 50
    client = openai.OpenAI(api_key=TEST_KEY, base_url=fake_openai.url, max_retries=0, timeout=0.5)
    with pytest.raises(openai.APITimeoutError):
        list(client.chat.completions.create(model="gpt-test", messages=PROMPT.messages, stream=True))
    assert fake_openai.stream_end() == "client_closed"
