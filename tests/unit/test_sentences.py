"""Summary sentences with evidence (issue 14): each sentence of the one-liner and the 概要 is
checked like a Q&A answer against ITS OWN quotes, its scope is no broader than they are
(`overgeneralised`), and what fails after the repair round is dropped (never padded)."""

from __future__ import annotations

import pytest

from ronbun import sentences, verify
from ronbun.judge import item_id, parse_item_id
from ronbun.models import Evidence, Finding, Generator, ModelOutput, Paper, QAItem, Result, SummarySentence
from ronbun.render import DigestEntry, digest_html, digest_markdown, paper_markdown
from ronbun.verify.scope import overgeneralised

PAGE_1 = ("1 Introduction\nWe propose a sparse router that selects two adapters per input document.\n"
          "The router is trained jointly with the adapters and adds little computation.")
PAGE_2 = ("4 Experiments\nOn XL-Sum, the sparse router improves ROUGE-L by 1.9 points over dense fine-tuning.\n"
          "For Swahili, the gain is largest, while for English the two methods perform on par.\n"
          "Training takes 14 hours on 8 GPUs.")
PAGES = {1: PAGE_1, 2: PAGE_2}
Q_METHOD = Evidence(page=1, quote="We propose a sparse router that selects two adapters per input document.")
Q_RESULT = Evidence(page=2, quote="On XL-Sum, the sparse router improves ROUGE-L by 1.9 points over dense fine-tuning.")
PAPER = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing for Multilingual Summarization",
              pdf_url="https://arxiv.org/pdf/2401.15884v1")


def sentence(text: str, *evidence: Evidence) -> SummarySentence:
    return SummarySentence(text=text, evidence=list(evidence))


def codes(findings) -> set[str]:
    return {f.code for f in findings}


# ------------------------------------------------------------------ scope (overgeneralised)

@pytest.mark.parametrize("text, quote", [
    ("提案手法はどのような言語でも要約の品質を高めます。", "The sparse router improves summary quality for Swahili and Amharic."),
    ("このルーターは常に密な微調整より速く学習できます。", "The router trains faster than dense fine-tuning in 7 of 9 runs."),
    ("提案手法は ROUGE-L を大幅に改善しました。", "The method improves ROUGE-L by 0.3 points."),
    ("ROUGE-L が 1.9 ポイント向上しました。", "On XL-Sum, the sparse router improves ROUGE-L by 1.9 points over dense fine-tuning."),
    ("スパースなルーターは密な微調整と同等の性能でした。", "For English, the two methods perform on par in our setting."),
    ("蒸留したモデルは教師と同じ精度に達しました。", "The distilled 350M model reaches the accuracy of its 13B teacher on BoolQ."),
])
def test_a_sentence_broader_than_its_quote_is_overgeneralised(text, quote):
    assert overgeneralised(text, [quote])


@pytest.mark.parametrize("text, quote", [
    ("提案手法は比較した 9 つの言語すべてで要約の品質を高めます。", "The router improves summary quality on all nine languages we compare."),
    ("このルーターは一貫して密な微調整より速く学習できます。", "The router consistently trains faster than dense fine-tuning."),
    ("提案手法は ROUGE-L を大幅に改善しました。", "The method improves ROUGE-L substantially, by 6.2 points."),
    ("XL-Sum では、ROUGE-L が 1.9 ポイント向上しました。", "On XL-Sum, the sparse router improves ROUGE-L by 1.9 points over dense fine-tuning."),
    ("本研究の設定では、英語でスパースなルーターは密な微調整と同等の性能でした。",
     "For English, the two methods perform on par in our setting."),
    ("ただし、提案手法が常に最良とは限りません。", "The method is not always the best choice."),
    ("ルーティング・圧縮・蒸留の3つをすべて1つの損失で学習します。", "Routing, compression and distillation are trained with one loss."),
    ("表 2 のとおり、ROUGE-L は密な微調整より高くなりました。", "In Table 2, ROUGE-L is higher than for dense fine-tuning."),
    ("文脈が長くなっても精度はわずかしか下がりません。", "Accuracy degrades only slightly as the context grows to 64K tokens."),
    ("本論文は、入力文書ごとに2つのアダプタを選ぶルーターを提案しています。", "We propose a sparse router that selects two adapters per input document."),
])
def test_a_sentence_within_the_scope_of_its_quote_passes(text, quote):
    assert overgeneralised(text, [quote]) is None


# ------------------------------------------------------------------ one sentence, like a Q&A answer

def test_a_grounded_sentence_passes_and_findings_name_the_sentence():
    good = sentence("XL-Sum では、スパースなルーターが密な微調整より ROUGE-L を 1.9 ポイント改善しました。", Q_RESULT)
    assert verify.check_sentence("summary", 2, good, PAGES) == []
    [f] = verify.check_sentence("summary", 2, sentence("提案手法を説明しています。"), PAGES)
    assert (f.item, f.sentence, f.code, f.blocking) == ("summary", 2, "no_evidence", True)


def test_a_quote_cited_on_another_page_is_not_evidence():
    wrong = sentence("ルーターは入力ごとに2つのアダプタを選びます。", Evidence(page=2, quote=Q_METHOD.quote))
    [f] = verify.check_sentence("summary", 0, wrong, PAGES)
    assert f.code == "quote_not_found" and "found on page 1" in f.message


def test_numbers_must_be_in_the_sentences_own_quotes_and_names_in_its_quotes_or_the_paper():
    # 14 hours is in the paper, but not in this sentence's quote; XL-Sum is in the paper (as for an answer)
    s = sentence("XL-Sum での学習は 14 時間で、ルーターは2つのアダプタを選びます。", Q_METHOD)
    [f] = verify.check_sentence("summary", 0, s, PAGES)
    assert f.code == "number_not_in_source" and "14" in f.message and "its quotes" in f.message
    s = sentence("ルーターは CNN/DailyMail で2つのアダプタを選びます。", Q_METHOD)        # nowhere in the paper
    assert codes(verify.check_sentence("summary", 0, s, PAGES)) == {"unsupported_entity"}


def test_an_overgeneralised_sentence_is_a_blocking_finding():
    s = sentence("スパースなルーターは ROUGE-L を 1.9 ポイント改善しました。", Q_RESULT)     # XL-Sum dropped
    [f] = verify.check_sentence("summary", 1, s, PAGES)
    assert (f.code, f.blocking, f.sentence) == ("overgeneralised", True, 1) and "XL-Sum" in f.message
    assert "overgeneralised" in verify.BLOCKING


def test_the_model_output_is_checked_sentence_by_sentence():
    out = ModelOutput(one_liner="入力ごとに2つのアダプタを選ぶスパースなルーターを提案しています。", one_liner_evidence=[Q_METHOD],
                      summary_sentences=[sentence("本論文はスパースなルーターを提案しています。", Q_METHOD),
                                         sentence("このルーターは常に最良です。", Q_RESULT),
                                         sentence("学習は速いです。")], qa=[])
    found = {(f.item, f.sentence, f.code) for f in verify.check_result(out, PAGES)}
    assert found == {("summary", 1, "overgeneralised"), ("summary", 2, "no_evidence")}


def test_a_one_liner_without_evidence_fails():
    out = ModelOutput(one_liner="スパースなルーターを提案しています。", one_liner_evidence=[],
                      summary_sentences=[sentence("本論文はスパースなルーターを提案しています。", Q_METHOD)], qa=[])
    assert {(f.item, f.code) for f in verify.check_result(out, PAGES)} == {("one_liner", "no_evidence")}


def test_a_result_cached_before_sentences_is_checked_as_before():
    old = Result(paper=PAPER, one_liner="スパースなルーターを提案しています。", summary="学習には 14 時間かかります。", qa=[],
                 generator=Generator(engine="openai", model="m", prompt_version="p"))
    assert verify.check_result(old, PAGES) == []                       # no sentence evidence asked of it
    assert codes(verify.check_result(old.model_copy(update={"summary": "学習には 99 時間かかります。"}), PAGES)) \
        == {"number_not_in_source"}


# ------------------------------------------------------------------ repair and drop

def _output(*texts: str) -> ModelOutput:
    return ModelOutput(one_liner="ルーターを提案しています。", one_liner_evidence=[Q_METHOD],
                       summary_sentences=[sentence(t, Q_METHOD) for t in texts], qa=[])


def test_a_repaired_sentence_replaces_only_the_failing_one():
    old, new = _output("一文目です。", "二文目です。", "三文目です。"), _output("一文目(新)です。", "二文目(新)です。", "三文目(新)です。")
    merged = old.model_copy(deep=True)
    findings = [Finding(item="summary", sentence=1, code="no_evidence", message="x")]
    assert sentences.merge(merged, findings, new, []) == 1
    assert [s.text for s in merged.summary_sentences] == ["一文目です。", "二文目(新)です。", "三文目です。"]
    # a repair that fails again is not taken
    merged = old.model_copy(deep=True)
    assert sentences.merge(merged, findings, new, [Finding(item="summary", sentence=1, code="truncated", message="x")]) == 0
    assert merged == old


def test_what_still_fails_is_dropped_and_the_summary_is_shortened_never_padded():
    out = _output("一文目です。", "二文目です。", "三文目です。")
    findings = [Finding(item="summary", sentence=0, code="no_evidence", message="x"),
                Finding(item=0, code="non_answer", message="y")]
    shorter, rest, dropped = sentences.drop_failing(out, findings)
    assert [s.text for s in shorter.summary_sentences] == ["二文目です。", "三文目です。"]
    assert shorter.summary == "二文目です。三文目です。"
    assert rest == [findings[1]] and dropped == [findings[0]]


def test_when_no_sentence_is_left_the_summary_as_a_whole_fails():
    out = _output("一文目です。")
    _, rest, dropped = sentences.drop_failing(out, [Finding(item="summary", sentence=0, code="no_evidence", message="x")])
    assert len(dropped) == 1 and [(f.item, f.sentence) for f in rest] == [("summary", None)]


def test_the_judge_and_the_repair_see_sentences_one_by_one():
    out = _output("一文目です。", "二文目です。")
    bad = [Finding(item="summary", sentence=1, code="no_evidence", message="x")]
    assert sentences.passing(out, bad) == ["one_liner", ("summary", 0)]
    assert sentences.changed(out, _output("一文目です。", "別の文です。")) == [("summary", 1)]
    assert item_id(("summary", 1)) == "S2" and parse_item_id("S2") == ("summary", 1) and parse_item_id("Q2") == 1


# ------------------------------------------------------------------ results, old and new, and rendering

def _result() -> Result:
    out = ModelOutput(one_liner="入力ごとにアダプタを選ぶルーターを提案しています。", one_liner_evidence=[Q_METHOD],
                      summary_sentences=[sentence("本論文はスパースなルーターを提案しています。", Q_METHOD),
                                         sentence("XL-Sum で ROUGE-L が 1.9 ポイント向上しました。", Q_RESULT)],
                      qa=[QAItem(question="主な結果は？", answer="ROUGE-L が 1.9 ポイント向上しました。", evidence=[Q_RESULT])])
    return Result(paper=PAPER, one_liner=out.one_liner, summary=out.summary, qa=out.qa, **sentences.result_fields(out),
                  generator=Generator(engine="openai", model="m", prompt_version="p"))


def test_the_result_keeps_summary_joined_from_its_sentences_and_old_results_still_load():
    result = _result()
    assert result.summary == "本論文はスパースなルーターを提案しています。XL-Sum で ROUGE-L が 1.9 ポイント向上しました。"
    assert [s.text for s in result.one_liner_sentences] == [result.one_liner]
    old = result.model_dump(mode="json")
    del old["summary_sentences"], old["one_liner_sentences"]
    loaded = Result.model_validate(old)
    assert loaded.summary_sentences == [] and loaded.summary == result.summary
    assert "本論文はスパースなルーターを提案しています。XL-Sum" in paper_markdown(loaded, evidence="footnotes")


def test_markdown_footnotes_give_each_sentence_its_quote_and_page():
    md = paper_markdown(_result(), evidence="footnotes")
    assert "本論文はスパースなルーターを提案しています。[^s1]XL-Sum で ROUGE-L が 1.9 ポイント向上しました。[^s2]" in md
    assert f"[^s2]: [p.2](https://arxiv.org/pdf/2401.15884v1#page=2) “{Q_RESULT.quote}”" in md
    assert "A: ROUGE-L が 1.9 ポイント向上しました。[^q1]" in md and "[^q1]: [p.2]" in md
    assert "[^s1]" not in paper_markdown(_result())                    # default: pages, as before
    digest = digest_markdown([DigestEntry("a", result=_result()), DigestEntry("b", result=_result())], evidence="footnotes")
    assert "[^1s1]:" in digest and "[^2s1]:" in digest                # names kept apart per paper


def test_html_footnotes_link_each_sentence_to_its_escaped_quote():
    result = _result()
    result.summary_sentences[1].evidence[0].quote = Q_RESULT.quote + " <b>"
    page = digest_html([DigestEntry("a", result=result)], evidence="footnotes")
    assert '<sup><a href="#fn-1-s2" id="ref-fn-1-s2">[2]</a></sup>' in page
    assert '<li id="fn-1-s2"><a href="https://arxiv.org/pdf/2401.15884v1#page=2"' in page and "&lt;b&gt;" in page
    assert "<sup>" not in digest_html([DigestEntry("a", result=result)])
