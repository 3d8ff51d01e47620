"""The incremental JSON reader behind streamed answers (ronbun.jsonstream)."""

from __future__ import annotations

import json

import pytest

from ronbun.jsonstream import JsonStream, parts, report
from tests.fakes.fake_openai import grounded_output
from tests.integration.test_openai_engine import PROMPT

# A real answer of the fake model (Japanese text, English quotes) plus the awkward cases:
# escapes, quotes and brackets inside strings, non-BMP characters, nested arrays in evidence,
# scalars of every kind and elements that are not objects.
REAL = grounded_output(PROMPT.messages)
AWKWARD = {
    "one_liner": "引用符\"と\\バックスラッシュ、改行\nとタブ\t、括弧 {[ ]} と 絵文字 🧪 を含む1文です。",
    "score": -1.5e3, "ok": True, "none": None, "count": 0,
    "nested": {"a": [1, {"b": "}]"}], "c": []},
    "qa": [{"question": "質問ですか?", "answer": "答えです。",
            "evidence": [{"page": 1, "quote": "A [bracketed] {braced} \"quoted\" sentence."},
                         {"page": 2, "quote": "Second."}],
            "extra": [[1, [2, [3]]], []]},
           "a string element", 3, [1, [2]], {}, None],
    "last": "\u3042\\u3042",
}


def _expected(data: dict) -> list:
    return parts(data)


def _feed_all(stream: JsonStream, pieces) -> list:
    out = []
    for piece in pieces:
        out.extend(stream.feed(piece))
    return out


@pytest.mark.parametrize("data", [REAL, AWKWARD], ids=["real", "awkward"])
def test_split_at_every_byte_position_gives_the_same_parts(data):
    raw = json.dumps(data, ensure_ascii=False, indent=1).encode()
    want = _expected(data)
    assert want and [k for k, _ in want if isinstance(k, int)] == list(range(len(data["qa"])))
    for cut in range(len(raw) + 1):
        stream = JsonStream()
        assert _feed_all(stream, [raw[:cut], raw[cut:]]) == want, cut
        assert stream.done


@pytest.mark.parametrize("data", [REAL, AWKWARD], ids=["real", "awkward"])
def test_one_character_at_a_time_reports_each_part_as_soon_as_it_closes(data):
    text = json.dumps(data, ensure_ascii=False)
    stream, seen = JsonStream(), []
    for i, ch in enumerate(text):
        for key, value in stream.feed(ch):
            seen.append((key, value, i))
    assert [(k, v) for k, v, _ in seen] == _expected(data)
    # each part comes with the character that completes it, not later
    for key, value, at in seen:
        if isinstance(key, str) and isinstance(value, str):
            assert text[:at + 1].endswith(json.dumps(value, ensure_ascii=False))


def test_escaped_json_ascii_output_reads_the_same():
    raw = json.dumps(AWKWARD, ensure_ascii=True)
    assert "\\u" in raw
    assert _feed_all(JsonStream(), [raw[i:i + 7] for i in range(0, len(raw), 7)]) == _expected(AWKWARD)


def test_text_around_the_object_is_ignored_as_in_a_fenced_text_answer():
    body = json.dumps(REAL, ensure_ascii=False)
    text = f"以下が要求された JSON です。\n```json\n{body}\n```\nご確認ください。{{\"x\": 1}}"
    stream = JsonStream()
    assert _feed_all(stream, [text[i:i + 5] for i in range(0, len(text), 5)]) == _expected(REAL)
    assert stream.done and stream.feed('{"late": 1}') == []


def test_a_cut_off_object_reports_only_what_was_complete():
    text = json.dumps(REAL, ensure_ascii=False)
    cut = text.index('"answer"', text.index('"qa"')) + 30      # inside Q&A 1's answer
    stream = JsonStream()
    got = stream.feed(text[:cut])
    assert [k for k, _ in got] == ["one_liner", "one_liner_evidence"]
    assert not stream.done


def test_the_qa_array_is_reported_element_by_element_and_others_whole():
    data = {"a": [1, 2], "qa": [{"x": [1, 2]}, {"y": {"z": []}}], "b": {"qa": [1]}}
    assert JsonStream().feed(json.dumps(data)) == [("a", [1, 2]), (0, {"x": [1, 2]}), (1, {"y": {"z": []}}),
                                                   ("b", {"qa": [1]})]
    assert JsonStream(arrays=("a",)).feed(json.dumps(data)) == [(0, 1), (1, 2), ("qa", data["qa"]), ("b", data["b"])]


def test_empty_object_and_empty_qa():
    stream = JsonStream()
    assert stream.feed("{}") == [] and stream.done
    assert JsonStream().feed('{"qa": [], "s": ""}') == [("s", "")]


def test_report_calls_back_in_order():
    seen = []
    report({"one_liner": "x", "qa": [{"q": 1}, {"q": 2}], "z": 0}, lambda k, v: seen.append((k, v)))
    assert seen == [("one_liner", "x"), (0, {"q": 1}), (1, {"q": 2}), ("z", 0)]
    report({"a": 1}, None)       # no callback: nothing to do
