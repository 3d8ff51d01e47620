"""The badge tells the truth: `quality.verified` (the pure rule), what was left out of the paper,
the Japanese texts per finding code, and the notes that end the Markdown."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ronbun import pipeline, quality, verify
from ronbun.models import Finding, LeftOut, Quality, Result, Verdict
from ronbun.render import paper_markdown
from ronbun.settings import Settings
from ronbun.verify import messages
from tests.fakes.pdfs import make_paper_pdf


def _finding(item, code, blocking=True) -> Finding:
    return Finding(item=item, code=code, message=f"{code} detail", blocking=blocking)


def _is_japanese(text: str) -> bool:
    return sum(1 for c in text if "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff") >= 4


# ----------------------------------------------------------------------------- the verified rule

def test_nothing_left_out_and_no_blocking_finding_is_verified():
    q = quality.assemble(findings=[], checks=quality.checks_run())
    assert q.checked and q.verified and q.left_out == []


def test_dropped_items_do_not_cost_the_badge_but_are_listed_with_their_japanese_reason():
    # Given two findings that dropped Q&A 3 (not shown)
    q = quality.assemble(findings=[], dropped=[_finding(3, "non_answer"), _finding(3, "quote_not_found")])
    # Then the result is verified, and each dropped finding says why in Japanese
    assert q.verified
    assert [f.message_ja for f in q.dropped] == ["回答が質問に答えていません", "引用が論文の該当ページに見つかりません"]


def test_anything_left_out_means_not_verified():
    left = LeftOut(kind="pages_skipped", detail="x", detail_ja="全 9 ページのうち先頭 3 ページだけを読みました")
    q = quality.assemble(findings=[], left_out=[left])
    assert not q.verified and q.left_out == [left]


def test_a_blocking_finding_on_a_shown_item_means_not_verified_and_says_which():
    q = quality.assemble(findings=[_finding(1, "mixed_style"), _finding(0, "weak_evidence", blocking=False)])
    assert not q.verified
    [left] = q.left_out
    assert left.kind == "unverified_items"
    assert "Q&A 2: です・ます調とである調が混ざっています" in left.detail_ja
    assert q.warnings == ["0: weak_evidence detail"]      # the non-blocking one is a warning only


def test_a_non_blocking_finding_alone_keeps_the_badge():
    assert quality.assemble(findings=[_finding(0, "weak_evidence", blocking=False)]).verified


def test_judge_verdicts_are_those_of_the_shown_items():
    # Given item 0 dropped, the shown items renumbered, and a doubt on what is now item 0
    dropped = [_finding(0, "quote_not_found")]
    shown = [Verdict(item=0, verdict="partial"), Verdict(item=1, verdict="supported")]
    # Then the doubt counts (a dropped index must not hide a shown item's verdict)
    assert not quality.assemble(findings=[], dropped=dropped, judge=shown).verified
    assert quality.assemble(findings=[], dropped=dropped, judge=[Verdict(item=0, verdict="supported")]).verified
    partial = quality.assemble(findings=[], judge=[Verdict(item=1, verdict="partial")])
    assert not partial.verified and "回答の一部は引用で裏付けられない" in partial.left_out[0].detail_ja
    assert partial.judge == [Verdict(item=1, verdict="partial")]


def test_checks_without_the_paper_leave_out_the_paper_checks():
    assert "quote_not_found" in quality.checks_run(True)
    assert set(verify.BLOCKING) <= set(quality.checks_run(True))
    assert "quote_not_found" not in quality.checks_run(False) and "non_answer" in quality.checks_run(False)


# ----------------------------------------------------------------------------- what was left out

def test_left_out_names_garbled_skipped_pages_and_trimmed_sections_in_japanese():
    doc = SimpleNamespace(pages=[1, 2, 3], page_count=8, garbled_pages=[3, 2])
    kinds = {x.kind: x for x in quality.left_out_from(doc, ["4 Experiments", "Appendix A (pages 9-10)"])}
    assert set(kinds) == {"pages_garbled", "pages_skipped", "sections_trimmed"}
    assert kinds["pages_garbled"].detail_ja.startswith("文字化けのため読めなかったページ: p.2, p.3")
    assert kinds["pages_skipped"].detail_ja.startswith("全 8 ページのうち先頭 3 ページだけを読みました（4〜8")
    assert "4 Experiments; Appendix A (pages 9-10)" in kinds["sections_trimmed"].detail_ja


def test_a_fully_read_paper_without_garbled_pages_leaves_nothing_out():
    doc = SimpleNamespace(pages=[1, 2], page_count=2)          # an Extracted without garbled_pages
    assert quality.left_out_from(doc, []) == []


# ----------------------------------------------------------------------------- the pipeline fills it in

@pytest.fixture(scope="module")
def six_pages() -> bytes:
    return make_paper_pdf(pages=6)


def test_a_fully_read_paper_that_passes_every_check_is_verified(six_pages):
    result = pipeline.summarize(None, pdf_bytes=six_pages, engine="offline", settings=Settings())
    assert result.quality.verified and result.quality.left_out == []
    assert set(verify.BLOCKING) <= set(result.quality.checks)


def test_pages_past_the_page_limit_are_left_out_and_cost_the_badge(six_pages):
    result = pipeline.summarize(None, pdf_bytes=six_pages, engine="offline", settings=Settings(pdf_max_pages=3))
    assert not result.quality.verified
    assert [x.kind for x in result.quality.left_out] == ["pages_skipped"]
    assert "全 6 ページのうち先頭 3 ページ" in result.quality.left_out[0].detail_ja


def test_sections_trimmed_from_the_prompt_are_left_out(six_pages):
    result = pipeline.summarize(None, pdf_bytes=six_pages, engine="offline", settings=Settings(prompt_max_chars=2500))
    trimmed = [x for x in result.quality.left_out if x.kind == "sections_trimmed"]
    assert result.generator.trimmed and trimmed and not result.quality.verified
    assert result.generator.trimmed[0] in trimmed[0].detail_ja


# ----------------------------------------------------------------------------- Japanese texts

@pytest.mark.parametrize("code", sorted(verify.BLOCKING | {"weak_evidence"}))
def test_every_finding_code_has_its_own_japanese_text(code):
    assert code in messages.FINDINGS_JA and code in messages.CHECKS_JA
    assert _is_japanese(messages.finding_ja(code))


def test_an_unknown_code_gets_a_neutral_japanese_text():
    assert messages.finding_ja("some_new_code") == messages.UNKNOWN_FINDING_JA


def test_a_check_line_is_japanese_with_the_code_in_english():
    f = Finding(item=2, code="non_answer", message="answer says nothing: '詳細は不明です。'")
    assert messages.finding_line(f) == "NG [2] non_answer: 回答が質問に答えていません（answer says nothing: '詳細は不明です。'）"
    assert messages.finding_line(_finding(0, "weak_evidence", False)).startswith("注意 [0] weak_evidence: 根拠の引用が")


# ----------------------------------------------------------------------------- Markdown notes

def _result(q: Quality | None = None, raw_quality: dict | None = None) -> Result:
    doc = {"paper": {"id": "2401.15884", "title": "T"}, "one_liner": "一文です。", "summary": "概要です。",
           "qa": [], "generator": {"engine": "openai", "model": "m", "prompt_version": "p"}}
    if raw_quality is not None:
        doc["quality"] = raw_quality
    result = Result.model_validate(doc)
    return result.model_copy(update={"quality": q}) if q else result


def test_markdown_of_a_verified_result_ends_with_the_verified_note_and_what_was_dropped():
    q = quality.assemble(findings=[], dropped=[_finding(4, "non_answer")], checks=quality.checks_run())
    md = paper_markdown(_result(q))
    tail = md.rstrip().splitlines()[-2:]
    assert tail[0].startswith("※ 検証: 検証済み（確認した項目: 空でないこと、質問に答えていること")
    assert tail[1] == "※ 検証で除外した Q&A: 1 件（回答が質問に答えていません）"


def test_markdown_of_a_partial_result_says_what_was_left_out():
    doc = SimpleNamespace(pages=[1, 2, 3], page_count=8)
    q = quality.assemble(findings=[], left_out=quality.left_out_from(doc))
    md = paper_markdown(_result(q))
    assert md.rstrip().endswith("※ 検証: 一部検証できず\n  - 全 8 ページのうち先頭 3 ページだけを読みました（4〜8 ページは未確認です）")
    assert "検証済み" not in md


def test_an_old_cached_result_without_verified_never_claims_verified():
    # Given a stored result from before `verified` existed (checked, nothing else)
    md = paper_markdown(_result(raw_quality={"checked": True, "dropped": [], "repaired": 0, "warnings": []}))
    # Then the note is neutral: not verified, no made-up reasons
    assert md.rstrip().endswith(f"※ 検証: 一部検証できず（{messages.OLD_FORMAT_JA}）")
    assert "検証済み" not in md


def test_an_unchecked_result_says_so():
    assert paper_markdown(_result()).rstrip().endswith("※ 検証: 未検証（この結果は検証されていません。）")
