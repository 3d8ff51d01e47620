"""Support: every answer against its own quotes, through the whole pipeline with the real
`openai` SDK against the fake server. Names the paper never mentions (`unsupported_entity`,
deterministic) and a real quote paired with an answer that says the opposite (the judge call)
are repaired or dropped, never shown; a judge that cannot run loses nothing and says so."""

from __future__ import annotations

import json

import pytest

from ronbun import llm, verify
from ronbun.ids import parse_id
from ronbun.judge import SKIPPED_JA
from ronbun.models import Generator, Paper, Result
from ronbun.pdftext import extract
from ronbun.pipeline import summarize
from ronbun.settings import get_settings
from tests.fakes.fake_openai import UNKNOWN_DATASETS, grounded_output, judge_items
from tests.fakes.pdfs import DEFAULT_SECTIONS, DEFAULT_TITLE, make_paper_pdf

PDF = make_paper_pdf()
PAGES = extract(PDF).page_map()
PAPER = Paper(id="2401.15884", version=1, title=DEFAULT_TITLE, abstract=" ".join(DEFAULT_SECTIONS[0][1]))
REAL_QUOTE = ("The improvement is largest for low resource languages such as Swahili and Nepali, "
              "where the ROUGE-L score increases by 4.7 points.")
OPPOSITE = "スワヒリ語とネパール語では改善は見られず、ROUGE-L スコアは 4.7 ポイント低下しました。"


def _run() -> Result:
    return summarize(parse_id("2401.15884v1"), paper=PAPER, pdf_bytes=PDF, engine="openai", settings=get_settings())


def _page_of(quote: str) -> int:
    return verify.find_quote_page(quote, PAGES)


def _grounded() -> dict:
    """What the fake model answers by default for this paper."""
    return grounded_output(_prompts())


def _with_contradiction() -> dict:
    """A grounded answer whose last item pairs REAL_QUOTE with OPPOSITE."""
    out = _grounded()
    out["qa"][-1] = {"question": "低資源言語での効果はどうですか?", "answer": OPPOSITE,
                     "evidence": [{"page": _page_of(REAL_QUOTE), "quote": REAL_QUOTE}]}
    return out


def _prompts() -> list[dict]:
    from ronbun import prompts

    s = get_settings()
    return prompts.build_prompt(PAPER, extract(PDF), max_chars=s.prompt_max_chars, qa_count=s.qa_count).messages


N = len(_grounded()["qa"])
S = len(_grounded()["summary_sentences"])


def _text_of(out: dict) -> dict:
    """The Result fields of a model output dict (the one-liner and summary with their sentences)."""
    return {"one_liner": out["one_liner"], "summary": "".join(s["text"] for s in out["summary_sentences"]),
            "one_liner_sentences": [{"text": out["one_liner"], "evidence": out["one_liner_evidence"]}],
            "summary_sentences": out["summary_sentences"], "qa": out["qa"]}


def _shown_text(result: Result) -> str:
    return json.dumps(result.model_dump(include={"one_liner", "summary", "qa"}), ensure_ascii=False)


# ---------------------------------------------------------------- the deterministic part: names

def test_a_dataset_the_paper_never_mentions_is_repaired(fake_openai):
    fake_openai.enqueue("unknown_dataset")
    result = _run()
    assert "MS MARCO" not in _shown_text(result) and "HotpotQA" not in _shown_text(result)
    assert result.quality.repaired == 1 and result.qa
    repair = fake_openai.calls[1]["messages"][-1]["content"]
    assert "MARCO" in repair and "HotpotQA" in repair          # the finding told the model what to fix


def test_a_dataset_named_again_after_the_repair_is_dropped(fake_openai):
    fake_openai.enqueue("unknown_dataset", times=2)
    result = _run()
    assert "MS MARCO" not in _shown_text(result)
    [dropped] = result.quality.dropped
    assert dropped.code == "unsupported_entity" and "HotpotQA" in dropped.message
    assert len(result.qa) == N - 1


def test_the_unknown_datasets_are_found_by_the_checks_alone():
    out = _grounded()
    out["qa"][0]["answer"] += UNKNOWN_DATASETS
    result = Result(paper=PAPER, generator=Generator(engine="openai", model="m", prompt_version="p"),
                    **_text_of(out))
    [finding] = [f for f in verify.check_result(result, PAGES) if f.blocking]
    assert (finding.item, finding.code) == (0, "unsupported_entity")
    assert "'MS MARCO'" in finding.message and "'HotpotQA'" in finding.message and "the quotes or the paper" in finding.message


# ---------------------------------------------------------------- the judge: meaning

def test_a_real_quote_with_a_contradicting_answer_passes_every_deterministic_check():
    out = _with_contradiction()
    result = Result(paper=PAPER, generator=Generator(engine="openai", model="m", prompt_version="p"),
                    **_text_of(out))
    assert [f for f in verify.check_result(result, PAGES) if f.blocking] == []


def test_the_judge_sends_a_contradicting_answer_to_the_repair_and_it_is_never_shown(fake_openai):
    fake_openai.enqueue("custom", output=_with_contradiction())
    result = _run()
    assert OPPOSITE not in _shown_text(result)
    assert result.quality.repaired == 1 and len(result.qa) == N
    assert len(fake_openai.calls) == 2 and len(fake_openai.judge_calls) == 2
    repair = fake_openai.calls[1]["messages"][-1]["content"]
    assert f"Q&A {N}" in repair and "判定モデル" in repair and "矛盾" in repair      # with the judge's reason
    rejudged = judge_items(fake_openai.judge_calls[1]["messages"])
    assert [i["id"] for i in rejudged] == [f"Q{N}"]            # only the rewritten item is judged again
    verdicts = {v.item: v.verdict for v in result.quality.judge}
    assert verdicts == {"one_liner": "supported", "summary": "supported"} | {i: "supported" for i in range(N)}
    assert result.quality.left_out == []


def test_a_contradicting_answer_that_comes_back_from_the_repair_is_dropped(fake_openai):
    output = _with_contradiction()
    fake_openai.enqueue("custom", output=output).enqueue("custom", output=output)
    result = _run()
    assert OPPOSITE not in _shown_text(result) and len(result.qa) == N - 1
    [dropped] = result.quality.dropped
    assert (dropped.item, dropped.code) == (N - 1, "judge_unsupported") and "矛盾" in dropped.message
    assert result.quality.repaired == 0
    assert all(v.verdict == "supported" for v in result.quality.judge)


def test_the_judge_forced_to_reject_everything_drops_every_summary_sentence_and_rejects_the_summary(fake_openai):
    from ronbun.errors import QualityRejected

    fake_openai.enqueue("judge_unsupported", times=2)
    with pytest.raises(QualityRejected, match="every sentence was dropped"):
        _run()                      # an unsupported summary sentence is dropped like an answer: none is left


def test_the_judge_forced_to_reject_one_summary_sentence_shortens_the_summary(fake_openai):
    fake_openai.enqueue("judge_unsupported", items=["S2"], times=2)
    result = _run()
    grounded = _grounded()["summary_sentences"]
    assert [s.text for s in result.summary_sentences] == [grounded[0]["text"], *(s["text"] for s in grounded[2:])]
    assert result.summary == "".join(s.text for s in result.summary_sentences) and len(result.qa) == N
    [dropped] = result.quality.dropped
    assert (dropped.item, dropped.sentence, dropped.code) == ("summary", 1, "judge_unsupported")
    assert "概要の文: 1 件" in "".join(__import__("ronbun.verify.messages", fromlist=["x"]).quality_notes(result.quality))
    repair = fake_openai.calls[1]["messages"][-1]["content"]
    assert "summary sentence 2 (概要の2文目)" in repair
    assert [(v.item, v.sentence) for v in result.quality.judge if v.item == "summary"] == \
        [("summary", n) for n in range(S - 1)]             # numbered as shown


def test_each_item_is_judged_against_its_own_quotes_only(fake_openai):
    result = _run()
    items = {i["id"]: i for i in judge_items(fake_openai.judge_calls[0]["messages"])}
    assert set(items) == {"one_liner"} | {f"S{n}" for n in range(1, S + 1)} | {f"Q{n}" for n in range(1, N + 1)}
    for n, qa in enumerate(result.qa, start=1):
        assert items[f"Q{n}"]["text"] == qa.answer
        assert items[f"Q{n}"]["evidence"] == [f"(p.{ev.page}) {ev.quote}" for ev in qa.evidence]
    for n, sentence in enumerate(result.summary_sentences, start=1):      # each sentence: its own quotes
        assert items[f"S{n}"]["text"] == sentence.text
        assert items[f"S{n}"]["evidence"] == [f"title: {PAPER.title}", *(f"(p.{ev.page}) {ev.quote}"
                                                                         for ev in sentence.evidence)]
    body = fake_openai.judge_calls[0]
    assert body["response_format"]["json_schema"]["name"] == "JudgeOutput"
    assert body["response_format"]["json_schema"]["strict"] is True


# ---------------------------------------------------------------- when the judge cannot run

@pytest.mark.parametrize("fault", ["judge_error", "judge_refusal", "judge_invalid_json"])
def test_a_failing_judge_keeps_the_items_and_says_the_check_was_left_out(fake_openai, monkeypatch, fault):
    monkeypatch.setenv("RONBUN_OPENAI_MAX_RETRIES", "0")
    get_settings.cache_clear()
    fake_openai.enqueue(fault)
    result = _run()
    assert len(result.qa) == N and result.quality.dropped == []
    [left] = result.quality.left_out
    assert left.kind == "judge_skipped" and left.detail_ja == SKIPPED_JA
    assert "Q1" in left.detail and "S1" in left.detail
    assert result.quality.judge == []
    assert result.generator.calls == 1                           # the failed call is not counted as used


def test_without_the_judge_a_contradiction_is_shown_but_never_badged_as_fully_checked(fake_openai, monkeypatch):
    monkeypatch.setenv("RONBUN_OPENAI_MAX_RETRIES", "0")
    get_settings.cache_clear()
    fake_openai.enqueue("custom", output=_with_contradiction()).enqueue("judge_error")
    result = _run()
    assert OPPOSITE in _shown_text(result)                       # the deterministic checks cannot see meaning
    assert [lo.kind for lo in result.quality.left_out] == ["judge_skipped"]


# ---------------------------------------------------------------- cost, model, engines

def test_the_judges_tokens_and_cost_are_in_the_usage(fake_openai, monkeypatch):
    monkeypatch.setenv("RONBUN_MODEL", "gpt-4.1-mini")
    monkeypatch.setenv("RONBUN_JUDGE_MODEL", "gpt-4.1-nano")
    get_settings.cache_clear()
    result = _run()
    main = [r["usage"] for r in fake_openai.responses]
    judge = [r["usage"] for r in fake_openai.judge_responses]
    assert len(main) == 1 and len(judge) == 1
    assert fake_openai.judge_calls[0]["model"] == "gpt-4.1-nano" and fake_openai.calls[0]["model"] == "gpt-4.1-mini"
    g = result.generator
    assert g.input_tokens == main[0]["prompt_tokens"] + judge[0]["prompt_tokens"]
    assert g.output_tokens == main[0]["completion_tokens"] + judge[0]["completion_tokens"]
    assert g.calls == 2
    assert g.cost_usd == pytest.approx(
        llm.estimate_cost("gpt-4.1-mini", main[0]["prompt_tokens"], main[0]["completion_tokens"])
        + llm.estimate_cost("gpt-4.1-nano", judge[0]["prompt_tokens"], judge[0]["completion_tokens"]), abs=2e-6)


def test_the_judge_uses_the_main_model_by_default(fake_openai, monkeypatch):
    monkeypatch.setenv("RONBUN_MODEL", "gpt-test-model")
    get_settings.cache_clear()
    _run()
    assert fake_openai.judge_calls[0]["model"] == "gpt-test-model"


def test_the_offline_engine_makes_no_judge_call(fake_openai):
    result = summarize(parse_id("2401.15884v1"), paper=PAPER, pdf_bytes=PDF, engine="offline")
    assert fake_openai.judge_calls == [] and fake_openai.calls == []
    assert result.quality.judge == [] and result.quality.left_out == []


def test_parts_the_judge_gave_no_verdict_for_are_left_out_not_dropped(fake_openai):
    fake_openai.enqueue("judge_custom", output={"verdicts": [
        {"item": "Q1", "verdict": "supported", "problem": "none", "reason": "引用どおりです。"},
        {"item": "Q99", "verdict": "unsupported", "problem": "not_in_evidence", "reason": "存在しない項目です。"},
        {"item": "S1", "verdict": "partial", "problem": "not_in_evidence", "reason": "引用に無い細部があります。"}]})
    result = _run()
    assert len(result.qa) == N and result.quality.dropped == []
    assert {v.item: v.verdict for v in result.quality.judge} == {0: "supported", "summary": "partial"}
    assert [x.kind for x in result.quality.left_out] == ["judge_skipped", "unverified_items"]
    assert not result.quality.verified                 # a partial summary and unrated parts: no badge
    left = result.quality.left_out[0]
    assert "no verdict" in left.detail
    assert "one_liner" in left.detail and "Q2" in left.detail and "Q1," not in left.detail


def test_the_fake_judge_is_careful():
    from tests.fakes.fake_openai import judge_item

    quote = "The improvement is largest for Swahili, where the ROUGE-L score increases by 4.7 points."
    assert judge_item(f"論文は「{quote}」と述べています。", [quote])[0] == "supported"
    assert judge_item("スワヒリ語で ROUGE-L が 4.7 ポイント向上しました。", [quote])[0] == "supported"
    assert judge_item(OPPOSITE, [quote])[0] == "unsupported"
    assert judge_item("BLEU が 9.1 向上し、COMET も改善しました。", [quote])[0] == "unsupported"
    assert judge_item("ROUGE-L が 4.7 向上し、BLEU も改善しました。", [quote])[0] == "partial"


def test_a_judge_that_times_out_keeps_the_items(fake_openai, monkeypatch):
    monkeypatch.setenv("RONBUN_OPENAI_TIMEOUT", "1")
    monkeypatch.setenv("RONBUN_OPENAI_MAX_RETRIES", "0")
    get_settings.cache_clear()
    fake_openai.enqueue("judge_slow", seconds=2)
    result = _run()
    assert len(result.qa) == N
    [left] = result.quality.left_out
    assert left.kind == "judge_skipped" and "APITimeoutError" in left.detail


def test_the_judge_waits_less_and_retries_less_than_the_summary():
    from ronbun.judge import JUDGE_MAX_RETRIES, JUDGE_TIMEOUT, Judge
    from ronbun.settings import Settings

    judge = Judge(Settings(openai_timeout=120, openai_max_retries=2, judge_model="gpt-4.1-nano"), "gpt-4.1-mini")
    assert (judge.engine.settings.openai_timeout, judge.engine.settings.openai_max_retries) == \
        (JUDGE_TIMEOUT, JUDGE_MAX_RETRIES) == (60.0, 1)
    assert judge.engine.model == "gpt-4.1-nano"
    assert Judge(Settings(openai_timeout=5, openai_max_retries=0), "m").engine.settings.openai_timeout == 5


# ---------------------------------------------------------------- the judge's names for what is wrong

GENERIC = "効果は言語ごとに異なり、スワヒリ語とネパール語についても ROUGE-L で評価されています。"   # says nothing of the result


def _with_last_answer(answer: str) -> dict:
    out = _grounded()
    out["qa"][-1] = {"question": "低資源言語での効果はどうですか?", "answer": answer,
                     "evidence": [{"page": _page_of(REAL_QUOTE), "quote": REAL_QUOTE}]}
    return out


def _verdicts(last: dict) -> dict:
    """A judge output that rates every part supported, and the last Q&A item as `last` says."""
    ok = {"verdict": "supported", "problem": "none", "reason": "引用どおりです。"}
    items = ["one_liner", *(f"S{n + 1}" for n in range(S)), *(f"Q{n + 1}" for n in range(N - 1))]
    return {"verdicts": [{"item": i, **ok} for i in items] + [{"item": f"Q{N}", **last}]}


def test_a_non_answer_the_rules_pass_is_sent_to_the_repair_when_the_judge_names_it(fake_openai):
    out = _with_last_answer(GENERIC)
    result = Result(paper=PAPER, generator=Generator(engine="openai", model="m", prompt_version="p"), **_text_of(out))
    assert [f for f in verify.check_result(result, PAGES) if f.blocking] == []      # the rules see substance
    fake_openai.enqueue("custom", output=out).enqueue("judge_custom", output=_verdicts(
        {"verdict": "unsupported", "problem": "non_answer", "reason": "一般論で、質問に答えていません。"}))
    result = _run()
    assert GENERIC not in _shown_text(result) and result.quality.repaired == 1 and len(result.qa) == N
    repair = fake_openai.calls[1]["messages"][-1]["content"]
    assert f"Q&A {N}" in repair and "一般論で、質問に答えていません" in repair
    assert "non_answer" in repair or "答えていません" in repair


def test_a_literal_term_the_judge_names_is_repaired_even_when_the_answer_is_supported(fake_openai):
    literal = "スワヒリ語とネパール語のような低資源言語で、ROUGE-L の得点が 4.7 ポイントの最大の改良を示しました。"
    out = _with_last_answer(literal)
    last = {"verdict": "supported", "problem": "literal_term", "reason": "「改良」ではなく「改善」です。"}
    fake_openai.enqueue("custom", output=out).enqueue("judge_custom", output=_verdicts(last))
    fake_openai.enqueue("custom", output=out).enqueue("judge_custom", output={"verdicts": [{"item": f"Q{N}", **last}]})
    result = _run()                                  # the same rendering after the repair: dropped
    assert literal not in _shown_text(result) and len(result.qa) == N - 1
    [dropped] = result.quality.dropped
    assert (dropped.item, dropped.code) == (N - 1, "mistranslation") and "改善" in dropped.message
    assert [v.problem for v in result.quality.judge if v.item == 0] == [""]


def test_a_judge_that_says_supported_and_none_changes_nothing(fake_openai):
    fake_openai.enqueue("judge_custom", output=_verdicts({"verdict": "supported", "problem": "none", "reason": "引用どおりです。"}))
    result = _run()
    assert len(result.qa) == N and result.quality.repaired == 0 and result.quality.dropped == []
    assert len(fake_openai.calls) == 1 and result.quality.verified
