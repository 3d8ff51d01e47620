"""The API's request bodies: strict checks without pydantic, Japanese messages, ids before I/O."""

from __future__ import annotations

import json
import time

import pytest

from ronbun.bodies import MAX_DIGEST_PAPERS, digest_request, json_object, start_request
from ronbun.errors import InvalidPaperId, InvalidRequest, RonbunError
from ronbun.ids import PaperRef


def digest(**body) -> object:
    return digest_request(json_object(json.dumps(body), "application/json"))


def ids(n: int) -> list[str]:
    return [f"2401.{i:05d}" for i in range(1, n + 1)]


# ---------------------------------------------------------------------------- envelope

@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a": ' * 3000 + "1" + "}" * 3000])
def test_deeply_nested_json_is_a_400_not_a_crash(body):
    with pytest.raises(RonbunError) as err:
        start_request(json_object(body, "application/json"))
    assert err.value.status == 400


def test_a_json_value_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidRequest) as err:
        json_object('"2401.15884"', "application/json")
    assert "JSON オブジェクト" in err.value.message_ja


def test_the_media_type_may_carry_a_charset():
    assert json_object('{"paper_id": "2401.15884"}', "application/json; charset=utf-8") == {"paper_id": "2401.15884"}


# ---------------------------------------------------------------------------- summaries

@pytest.mark.parametrize("data, says", [
    ({"paper_id": "2401.15884", "extra": 1}, "extra"),
    ({}, "paper_id"),
    ({"paper_id": ["2401.15884"]}, "paper_id"),
    ({"paper_id": True}, "paper_id"),
    ({"paper_id": "2401.15884", "lang": None}, "lang"),
])
def test_a_start_request_names_what_is_wrong(data, says):
    with pytest.raises(InvalidRequest) as err:
        start_request(data)
    assert says in err.value.message_ja


def test_a_start_request_defaults_to_japanese():
    assert (start_request({"paper_id": "2401.15884"}).lang,
            start_request({"paper_id": "2401.15884", "lang": "ja"}).lang) == ("ja", "ja")


@pytest.mark.parametrize("pasted", ["２４０１．１５８８４", " https://arxiv.org/abs/2401.15884 ", "arXiv:2401.15884\n"])
def test_a_start_request_takes_what_readers_paste(pasted):
    # Given an id typed with a Japanese IME, a URL or spaces  When read  Then it is the canonical id
    assert start_request({"paper_id": pasted}).paper_id == "2401.15884"


def test_a_start_request_refuses_a_bad_id_before_anything_else():
    with pytest.raises(InvalidPaperId):
        start_request({"paper_id": "x"})


def test_a_digest_request_merges_repeats_and_defaults_the_title():
    # Given the same paper twice (once full width) and no title  When read  Then it is kept once, first place
    request = digest_request({"paper_ids": ["2401.15884", "hep-th/9901001", "２４０１．１５８８４", "arXiv:2401.15884"]})
    assert [str(r) for r in request.refs] == ["2401.15884", "hep-th/9901001"]
    assert request.title == "最新論文ノート"


# ---------------------------------------------------------------------------- digests

def test_a_digest_request_keeps_the_given_order_and_versions():
    req = digest(paper_ids=["hep-th/9901001", "2401.15884v2", "arXiv:2402.00001"], title="  今週の論文  ",
                 intro="1行目\r\n2行目")
    assert req.refs == (PaperRef("hep-th/9901001"), PaperRef("2401.15884", 2), PaperRef("2402.00001"))
    assert (req.title, req.intro, req.lang) == ("今週の論文", "1行目\n2行目", "ja")


def test_a_title_may_contain_an_ideographic_space():
    assert digest(paper_ids=["2401.15884"], title="最新論文ノート\u3000第1回").title == "最新論文ノート\u3000第1回"


def test_fifty_papers_are_accepted_and_fifty_one_are_not():
    assert len(digest(paper_ids=ids(MAX_DIGEST_PAPERS), title="t").refs) == MAX_DIGEST_PAPERS
    with pytest.raises(InvalidRequest) as err:
        digest(paper_ids=ids(MAX_DIGEST_PAPERS + 1), title="t")
    assert "最大 50 件" in err.value.message_ja and "51 件" in err.value.message_ja


def test_a_thousand_ids_are_refused_by_count_before_any_is_parsed():
    started = time.perf_counter()
    with pytest.raises(InvalidRequest) as err:
        digest(paper_ids=["not an id"] * 1000, title="t")
    assert "最大 50 件" in err.value.message_ja          # not "ID として正しくありません"
    assert time.perf_counter() - started < 0.2


def test_one_invalid_id_is_named_with_its_position():
    with pytest.raises(InvalidPaperId) as err:
        digest(paper_ids=["2401.15884", "2401.1588", "hep-th/9901001"], title="t")
    assert err.value.status == 400
    assert "2 件目" in err.value.message_ja and "2401.1588" in err.value.message_ja
    assert "paper_ids[1]" in err.value.message


@pytest.mark.parametrize("body, says", [
    ({"paper_ids": [], "title": "t"}, "1 件以上"),
    ({"paper_ids": "2401.15884", "title": "t"}, "paper_ids"),
    ({"paper_ids": ["2401.15884", 2401.15885], "title": "t"}, "paper_ids[1]"),
    ({"paper_ids": ["2401.15884"], "title": 7}, "title"),
    ({"paper_ids": ["2401.15884"], "title": "一行目\n# 見出し"}, "改行"),
    ({"paper_ids": ["2401.15884"], "title": "x" * 201}, "最大 200 文字"),
    ({"paper_ids": ["2401.15884"], "title": "t", "intro": "ベル\x07"}, "制御文字"),
    ({"paper_ids": ["2401.15884"], "title": "t", "intro": ["a"]}, "intro"),
    ({"paper_ids": ["2401.15884"], "title": "t", "lang": "en"}, "ja"),
    ({"paper_ids": ["2401.15884"], "title": "t", "format": "html"}, "format"),
])
def test_a_malformed_digest_request_says_what_is_wrong(body, says):
    with pytest.raises(InvalidRequest) as err:
        digest(**body)
    assert says in err.value.message_ja
