"""Any OpenAI-compatible server, really (issue 11): the real `openai` SDK against a fake that
behaves like a local server that refuses `json_schema`, one that refuses any response_format and
answers JSON inside prose, and one that leaves out finish_reason, usage and refusal."""

from __future__ import annotations

import pytest

from ronbun import structured
from ronbun.errors import ModelOutputInvalid
from ronbun.ids import parse_id
from ronbun.models import Paper
from ronbun.pipeline import summarize
from ronbun.settings import get_settings
from tests.fakes.pdfs import DEFAULT_SECTIONS, DEFAULT_TITLE, make_paper_pdf

PDF = make_paper_pdf()
PAPER = Paper(id="2401.15884", version=1, title=DEFAULT_TITLE, abstract=" ".join(DEFAULT_SECTIONS[0][1]))


def _run():
    return summarize(parse_id("2401.15884v1"), paper=PAPER, pdf_bytes=PDF, engine="openai", settings=get_settings())


def test_a_server_that_refuses_json_schema_gets_json_mode_with_the_schema_in_the_prompt(fake_openai):
    # Given a server that answers 400 to response_format json_schema (many local servers)
    fake_openai.profile = "json_object"
    result = _run()
    # Then the engine falls back to JSON mode, validates with the same model, and records the mode
    assert result.generator.output_mode == "json_object"
    assert fake_openai.formats[:2] == ["json_schema", "json_object"]
    assert result.qa and result.quality.checked
    assert "JSON Schema" in fake_openai.calls[-1]["messages"][-1]["content"]
    # And the next paper on the same server is not asked in the refused mode again
    before = len(fake_openai.formats)
    assert _run().generator.output_mode == "json_object"
    assert "json_schema" not in fake_openai.formats[before:]


def test_a_server_that_refuses_any_response_format_gets_plain_text_and_json_is_extracted(fake_openai):
    fake_openai.profile = "text"
    result = _run()
    assert result.generator.output_mode == "text"
    assert fake_openai.formats[:3] == ["json_schema", "json_object", "none"]
    assert result.qa and all(item.evidence for item in result.qa)
    assert result.quality.judge, "the judge call falls back too"


def test_missing_finish_reason_usage_and_refusal_are_handled(fake_openai):
    fake_openai.profile = "json_object"
    fake_openai.quirks = {"no_finish_reason", "no_usage", "no_refusal"}
    result = _run()
    assert result.qa
    assert (result.generator.input_tokens, result.generator.output_tokens) == (0, 0)   # unknown, not invented


def test_a_strict_server_is_asked_once_in_json_schema(fake_openai):
    result = _run()
    assert result.generator.output_mode == "json_schema" and result.generator.label_ja == "日本語要約"
    assert set(fake_openai.formats) == {"json_schema"}


@pytest.mark.parametrize("text, expected", [
    ('{"a": 1}', {"a": 1}),
    ('Here you go:\n```json\n{"a": {"b": "}"}}\n```\nThanks', {"a": {"b": "}"}}),
    ('前置き {"a": "括弧 { と \\" を含む"} 後書き {"b": 2}', {"a": '括弧 { と " を含む'}),
])
def test_json_is_taken_from_text_answers(text, expected):
    assert structured.extract_json(text) == expected


@pytest.mark.parametrize("text", ["no json here", "{not json}", "[1, 2, 3]", '{"a": '])
def test_text_without_a_json_object_is_invalid_output(text):
    with pytest.raises(ModelOutputInvalid):
        structured.extract_json(text)


@pytest.mark.parametrize("mode, status, message, expected", [
    ("json_schema", 400, "response_format type 'json_schema' is not supported", "json_object"),
    ("json_object", 400, "Unrecognized request argument supplied: response_format", "text"),
    ("json_schema", 422, "Invalid value for 'response_format.json_schema'", "json_object"),
    ("text", 400, "response_format is not supported", None),
    ("json_schema", 400, "This model's maximum context length is 8192 tokens", None),
    ("json_schema", 500, "response_format exploded", None),
])
def test_only_format_refusals_change_the_mode(mode, status, message, expected):
    assert structured.next_mode(mode, status, message) == expected
