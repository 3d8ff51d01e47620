"""Prompt building: page markers, budget, trimming by section, glossary, repair prompt."""

from __future__ import annotations

import json
import re

import pytest

from ronbun import glossary, prompts
from ronbun.models import Evidence, Finding, ModelOutput, Paper, QAItem
from ronbun.pdftext import Extracted, PageText

PAPER = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing for Multilingual Summarization",
              authors=["Hana Sato", "Daniel Okafor"], categories=["cs.CL", "cs.LG"],
              abstract="We present sparse adapter routing for multilingual summarization.")


def _paragraph(tag: str, n: int) -> str:
    return " ".join(f"The {tag} part states fact number {i} about the routing model in plain words."
                    for i in range(n))


def _doc(sections: list[tuple[str, int]], *, appendix: list[tuple[str, int]] = (), per_page: int = 1,
         references: str = "[1] A. Author. A referenced work that must never be sent. 2020.") -> Extracted:
    """One page per `per_page` sections; each section a heading line and n sentences."""
    def pages_of(items, start):
        pages = []
        for i in range(0, len(items), per_page):
            chunk = items[i:i + per_page]
            text = "\n".join(f"{h}\n{_paragraph(h.split(' ', 1)[-1].lower(), n)}" for h, n in chunk)
            pages.append(PageText(start + len(pages), text))
        return pages

    body = pages_of(sections, 1)
    app = pages_of(list(appendix), len(body) + 2)
    ref_page = PageText(len(body) + 1, "References\n" + references)
    return Extracted(pages=body + [ref_page] + app, body=body, appendix=app, references=references,
                     page_count=len(body) + 1 + len(app))


STANDARD = [("Abstract", 3), ("1 Introduction", 8), ("2 Related Work", 30), ("3 Method", 10),
            ("4 Experiments", 10), ("4.1 Setup", 6), ("4.2 Results", 8), ("4.3 Ablation", 12),
            ("5 Conclusion", 4)]


def _user(prompt: prompts.Prompt) -> str:
    return prompt.messages[1]["content"]


def _body(prompt: prompts.Prompt) -> str:
    text = _user(prompt)
    return text[text.index("=== PAGE"):].rstrip("\n")


def test_every_body_page_gets_a_marker_before_its_text():
    # Given a four-page paper
    doc = _doc(STANDARD[:4])
    # When the prompt is built with room for everything
    prompt = prompts.build_prompt(PAPER, doc, max_chars=100_000, qa_count=6)
    # Then the markers appear in page order, each followed by that page's heading
    body = _body(prompt)
    assert re.findall(r"=== PAGE (\d+) ===", body) == ["1", "2", "3", "4"]
    for page in doc.body:
        first_line = page.text.splitlines()[0]
        assert f"=== PAGE {page.number} ===\n{first_line}" in body


def test_metadata_is_in_the_user_message():
    prompt = prompts.build_prompt(PAPER, _doc(STANDARD[:2]), max_chars=100_000, qa_count=6)
    user = _user(prompt)
    assert PAPER.title in user
    assert "Hana Sato, Daniel Okafor" in user
    assert "cs.CL, cs.LG" in user
    assert PAPER.abstract in user


def test_references_are_never_sent():
    # Given a paper whose references are on their own page
    doc = _doc(STANDARD[:3])
    # When the prompt is built with a budget larger than the whole paper
    prompt = prompts.build_prompt(PAPER, doc, max_chars=1_000_000, qa_count=6)
    # Then no message carries the reference list or its page marker
    everything = "\n".join(m["content"] for m in prompt.messages)
    assert "must never be sent" not in everything
    assert f"=== PAGE {len(doc.body) + 1} ===" not in everything


@pytest.mark.parametrize("max_chars", [1_500, 3_000, 6_000, 12_000, 25_000])
def test_body_stays_within_the_character_budget(max_chars):
    prompt = prompts.build_prompt(PAPER, _doc(STANDARD, per_page=2), max_chars=max_chars, qa_count=6)
    assert len(_body(prompt)) == prompt.body_chars
    assert prompt.body_chars <= max_chars


def test_related_work_goes_first_and_is_recorded_once():
    # Given a paper whose related work section is the largest one
    doc = _doc(STANDARD)
    full = prompts.build_prompt(PAPER, doc, max_chars=1_000_000, qa_count=6).body_chars
    related = len(_paragraph("related work", 30))
    # When the budget is short by less than the related work section
    prompt = prompts.build_prompt(PAPER, doc, max_chars=full - related // 2, qa_count=6)
    # Then related work (and only it) is left out, and named in Prompt.trimmed and in the message
    body = _body(prompt)
    assert prompt.trimmed == ["2 Related Work"]
    assert "2 Related Work" not in body and "related work part" not in body
    for kept in ("1 Introduction", "3 Method", "4.3 Ablation", "5 Conclusion"):
        assert kept in body
    assert "2 Related Work" in _user(prompt).split("=== PAGE")[0]


def test_late_sections_go_from_the_end_before_the_middle_is_cut():
    # Given a paper without related work
    sections = [s for s in STANDARD if "Related" not in s[0]]
    doc = _doc(sections)
    full = prompts.build_prompt(PAPER, doc, max_chars=1_000_000, qa_count=6).body_chars
    # When the budget misses a bit more than the ablation subsection
    prompt = prompts.build_prompt(PAPER, doc, max_chars=full - len(_paragraph("ablation", 12)) - 50,
                                  qa_count=6)
    # Then whole late sections are dropped from the end (never the conclusion), nothing is shortened
    assert prompt.trimmed == ["4.2 Results", "4.3 Ablation"]
    assert "3 Method" in _body(prompt) and "4.1 Setup" in _body(prompt)
    assert not any(t.endswith("(partly)") for t in prompt.trimmed)
    assert "5 Conclusion" in _body(prompt)
    assert "1 Introduction" in _body(prompt)


def test_a_cut_never_ends_mid_sentence():
    # Given a budget far below the protected sections alone
    doc = _doc(STANDARD)
    prompt = prompts.build_prompt(PAPER, doc, max_chars=1_200, qa_count=6)
    # Then every sentence that reached the prompt is a whole sentence of the paper
    source = {s for p in doc.body for s in prompts.split_sentences(p.text)}
    body_text = re.sub(r"=== PAGE \d+ ===", "\n", _body(prompt))
    kept = prompts.split_sentences(body_text)
    assert kept
    assert all(s in source for s in kept)
    assert any(t.endswith("(partly)") for t in prompt.trimmed)
    assert prompt.body_chars <= 1_200


def test_appendix_is_included_when_there_is_room():
    doc = _doc(STANDARD[:3], appendix=[("A Additional Results", 3), ("B Hyperparameters", 3)])
    prompt = prompts.build_prompt(PAPER, doc, max_chars=100_000, qa_count=6)
    assert "A Additional Results" in _body(prompt)
    assert "B Hyperparameters" in _body(prompt)
    assert prompt.trimmed == []


def test_appendix_left_out_is_recorded_with_its_pages():
    # Given an appendix on pages 5-6 and a budget that fits only the body
    doc = _doc(STANDARD[:3], appendix=[("A Additional Results", 40), ("B Hyperparameters", 40)])
    body_only = prompts.build_prompt(PAPER, Extracted(doc.pages, doc.body), max_chars=100_000, qa_count=6)
    prompt = prompts.build_prompt(PAPER, doc, max_chars=body_only.body_chars + 100, qa_count=6)
    # Then the whole appendix is named once, with the page span, and none of it is sent
    assert prompt.trimmed == ["Appendix A-B (pages 5-6)"]
    assert "additional results part" not in _body(prompt)


def test_system_prompt_carries_rules_and_glossary_and_the_task_the_qa_count():
    prompt = prompts.build_prompt(PAPER, _doc(STANDARD[:2]), max_chars=100_000, qa_count=7)
    system = prompt.messages[0]["content"]
    assert [m["role"] for m in prompt.messages] == ["system", "user", "user"]
    assert "7 個" in prompt.messages[-1]["content"] and "7 個" not in system
    assert "です・ます" in system
    assert "VERBATIM" in system
    assert "不明" in system                        # named as forbidden
    first_term = glossary.prompt_lines().splitlines()[0]
    assert first_term in system


def test_token_estimate_is_higher_than_a_plain_chars_per_token_rule():
    short = prompts.build_prompt(PAPER, _doc(STANDARD[:2]), max_chars=100_000, qa_count=6)
    long = prompts.build_prompt(PAPER, _doc(STANDARD), max_chars=100_000, qa_count=6)
    chars = sum(len(m["content"]) for m in long.messages)
    assert long.est_tokens > short.est_tokens
    assert long.est_tokens >= chars / 4
    assert prompts.estimate_tokens(["日本語の文章です。"]) >= 9   # about one token per CJK character


def test_sentence_splitter_keeps_abbreviations_and_decimals():
    text = ("As shown by Vaswani et al. in Fig. 3, the loss drops to 0.5 quickly. "
            "We use e.g. dropout and\nweight decay. Results improve (see Sec. 4).")
    assert prompts.split_sentences(text) == [
        "As shown by Vaswani et al. in Fig. 3, the loss drops to 0.5 quickly.",
        "We use e.g. dropout and weight decay.",
        "Results improve (see Sec. 4).",
    ]


def test_footnote_lines_are_not_taken_for_headings():
    page = PageText(1, "1 Introduction\nText of the introduction.\n1 The code is released online\n"
                       "2 Related Work\nOther work.\n8 NVIDIA GPUs were used\n3 Method\nOur method.")
    labels = [s.label for s in prompts.split_sections([page])]
    assert labels == ["1 Introduction", "2 Related Work", "3 Method"]


def _previous() -> ModelOutput:
    items = [QAItem(question=f"質問{i}ですか?", answer=f"回答{i}です。",
                    evidence=[Evidence(page=1, quote=f"Quote number {i}.")]) for i in range(3)]
    return ModelOutput(one_liner="一文の要約です。", one_liner_evidence=[],
                       summary_sentences=[{"text": "概要です。", "evidence": [{"page": 1, "quote": "Quote number 9."}]}],
                       qa=items)


def test_repair_prompt_lists_only_failing_items_with_japanese_reasons():
    # Given a previous answer where Q&A 2 and the summary failed
    findings = [Finding(item=1, code="quote_not_found", message="quote not on page 1"),
                Finding(item="summary", code="mixed_style", message="mixed style")]
    # When the repair prompt is built
    prompt = prompts.build_repair_prompt(PAPER, _doc(STANDARD[:2]), _previous(), findings, max_chars=50_000)
    # Then the last message names exactly those items, with the reason in Japanese
    ask = prompt.messages[-1]["content"]
    listed = re.findall(r"^- (.+?):", ask, re.M)
    assert listed == ["Q&A 2", "summary (概要)"]
    assert "見つかりません" in ask
    assert "です・ます調に統一" in ask
    assert "Q&A 1" not in ask and "Q&A 3" not in ask


def test_repair_prompt_keeps_the_paper_and_the_previous_answer_verbatim():
    previous = _previous()
    doc = _doc(STANDARD[:2])
    prompt = prompts.build_repair_prompt(PAPER, doc, previous,
                                         [Finding(item=0, code="custom", message="独自の理由です")],
                                         max_chars=50_000)
    roles = [m["role"] for m in prompt.messages]
    assert roles == ["system", "user", "user", "assistant", "user"]
    assert "=== PAGE 1 ===" in prompt.messages[1]["content"]
    assert ModelOutput.model_validate(json.loads(prompt.messages[3]["content"])) == previous
    assert "独自の理由です" in prompt.messages[-1]["content"]     # unknown codes keep their message
    assert prompt.body_chars <= 50_000


def test_repair_prompt_starts_with_the_main_prompt_byte_for_byte_for_the_prompt_cache():
    # Given the main prompt for 6 Q&A items and a previous answer that came back with only 3
    doc = _doc(STANDARD)
    main = prompts.build_prompt(PAPER, doc, max_chars=50_000, qa_count=6)
    findings = [Finding(item=1, code="quote_not_found", message="quote not on page 1")]
    # When the repair prompt is built (with and without the original count)
    same = prompts.build_repair_prompt(PAPER, doc, _previous(), findings, max_chars=50_000, qa_count=6)
    other = prompts.build_repair_prompt(PAPER, doc, _previous(), findings, max_chars=50_000)
    # Then the long stable part (system rules + paper) is identical, and with the same count the
    # whole main prompt is the repair prompt's prefix; what varies comes after it
    assert other.messages[:2] == main.messages[:2] == same.messages[:2]
    assert same.messages[:len(main.messages)] == main.messages
    assert "3 個" in other.messages[2]["content"]
    stable, _, _ = prompts.paper_messages(PAPER, doc, max_chars=50_000)
    assert stable == main.messages[:2]
    assert json.dumps(stable, ensure_ascii=False) == json.dumps(same.messages[:2], ensure_ascii=False)


def test_the_stable_prefix_does_not_depend_on_the_qa_count():
    doc = _doc(STANDARD[:2])
    four = prompts.build_prompt(PAPER, doc, max_chars=50_000, qa_count=4)
    seven = prompts.build_prompt(PAPER, doc, max_chars=50_000, qa_count=7)
    assert four.messages[:2] == seven.messages[:2] and four.messages[2] != seven.messages[2]


def test_prompt_version_is_a_dated_string():
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\d+", prompts.PROMPT_VERSION)
