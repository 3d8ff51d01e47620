"""The fake model behaves like a real one where it matters for time to first Japanese (issue 12):
it streams structured output as server-sent events, token by token, with the usage chunk at the
end, and paces its answers by a time to first token and a tokens-per-second rate. Driven by the
real `openai` SDK's streaming helpers."""

from __future__ import annotations

import openai

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
