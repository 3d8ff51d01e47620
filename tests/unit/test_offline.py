"""The offline engine: deterministic, extractive, Japanese, every quote verifiable."""

from __future__ import annotations

import socket
from pathlib import Path

import re

import pytest

from ronbun import pdftext, prompts, verify
from ronbun.llm import get_engine
from ronbun.models import Generator, Paper, Result
from ronbun.offline import MODEL, OfflineEngine
from ronbun.pdftext import Extracted, PageText
from ronbun.settings import Settings
from tests.fakes.pdfs import DEFAULT_SECTIONS, make_paper_pdf

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pdf"
PAPER = Paper(id="2401.15884", version=1, title="Sparse Adapter Routing for Efficient Multilingual Summarization",
              authors=["Hana Sato", "Daniel Okafor", "Mei Lin"], categories=["cs.CL"],
              abstract=" ".join(DEFAULT_SECTIONS[0][1]))
CODE_SENTENCE = "The code and trained adapters are available at https://github.com/example/sparse-routing."
LIMIT_SENTENCE = "A limitation of our approach is that the router needs a shared vocabulary across languages."


def _doc(sections=DEFAULT_SECTIONS, extra: dict[str, str] | None = None) -> Extracted:
    """One page per section; `extra` appends a sentence to the named section."""
    pages = []
    for i, (heading, paragraphs) in enumerate(sections, start=1):
        text = "\n".join(paragraphs)
        if extra and heading in extra:
            text += " " + extra[heading]
        pages.append(PageText(i, f"{heading}\n{text}"))
    return Extracted(pages=pages, body=pages, page_count=len(pages))


def _generate(doc: Extracted, paper: Paper = PAPER, qa_count: int = 6):
    engine = OfflineEngine(Settings(qa_count=qa_count))
    prompt = prompts.build_prompt(paper, doc, max_chars=60_000, qa_count=qa_count)
    return engine.generate(prompt, paper=paper, doc=doc)


def _result(output, paper: Paper = PAPER) -> Result:
    return Result(paper=paper, one_liner=output.one_liner, summary=output.summary, qa=output.qa,
                  generator=Generator(engine="offline", model=MODEL, prompt_version=prompts.PROMPT_VERSION))


def test_same_input_gives_the_same_output():
    first = _generate(_doc()).output
    second = OfflineEngine(Settings()).generate(
        prompts.build_prompt(PAPER, _doc(), max_chars=60_000, qa_count=6), paper=PAPER, doc=_doc()).output
    assert first.model_dump() == second.model_dump()


def test_generation_is_labelled_offline_with_no_tokens():
    gen = _generate(_doc())
    assert (gen.engine, gen.model) == ("offline", MODEL)
    assert (gen.input_tokens, gen.output_tokens, gen.calls) == (0, 0, 0)


def test_it_never_opens_a_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert _generate(_doc()).output.qa


def test_every_quote_is_on_its_page():
    doc = _doc(extra={"1 Introduction": CODE_SENTENCE, "4 Conclusion": LIMIT_SENTENCE})
    output = _generate(doc).output
    pages = doc.page_map()
    assert len(output.qa) >= 5
    for item in output.qa:
        for ev in item.evidence:
            assert verify.quote_found(ev.quote, pages[ev.page]), (ev.page, ev.quote)


def test_output_passes_every_blocking_check():
    doc = _doc(extra={"1 Introduction": CODE_SENTENCE, "4 Conclusion": LIMIT_SENTENCE})
    findings = verify.check_result(_result(_generate(doc).output), doc.page_map())
    assert [f for f in findings if f.blocking] == []


def test_text_is_japanese_in_desu_masu_style():
    output = _generate(_doc()).output
    texts = [output.one_liner, output.summary] + [t for q in output.qa for t in (q.question, q.answer)]
    for text in texts:
        assert verify.japanese_ratio(text) >= 0.5, text
        assert verify.off_style_sentences(text) == [], text
    for q in output.qa:
        assert q.answer.endswith("。") and ("です" in q.answer or "ます" in q.answer)


def test_it_shows_what_a_reader_scans_for_each_quote_once_with_its_page():
    # Given a paper  When summarised offline
    output = _generate(_doc()).output
    # Then the one-liner is the contribution sentence and the 概要 the main result (with a number)
    assert output.one_liner.startswith("この論文の提案（") and "we introduce" in output.one_liner
    assert output.summary.startswith("主な結果（") and re.search(r"\d", output.summary_sentences[0].text)
    # And no title, no category, no sentence about the engine; each quoted sentence appears once
    everything = "\n".join([output.one_liner, output.summary, *(q.answer for q in output.qa)])
    assert PAPER.title not in everything and "オフライン" not in everything and "分野" not in everything
    quoted = re.findall(r"「([^」]+)」", everything)
    assert quoted and len(quoted) == len(set(quoted))


def test_key_terms_are_listed_with_their_japanese_renderings():
    output = _generate(_doc()).output
    line = next(x.text for x in output.summary_sentences if x.text.startswith("主な用語："))
    assert "ファインチューニング（fine-tuning）" in line


def test_numbers_appear_only_inside_quotes():
    output = _generate(_doc()).output
    for text in [output.one_liner, output.summary] + [q.answer for q in output.qa]:
        assert verify.claimed_numbers(text) == [], text


def test_answers_quote_their_evidence():
    for item in _generate(_doc()).output.qa:
        assert f"「{item.evidence[0].quote}」" in item.answer


def test_code_question_only_when_the_paper_gives_a_url():
    without = [q.question for q in _generate(_doc()).output.qa]
    with_url = _generate(_doc(extra={"1 Introduction": CODE_SENTENCE})).output.qa
    code = [q for q in with_url if "コード" in q.question]
    assert not any("コード" in q for q in without)
    assert len(code) == 1 and "https://github.com/example/sparse-routing" in code[0].evidence[0].quote


def test_limitation_question_only_when_a_limitation_is_stated():
    sections = [(h, ps) for h, ps in DEFAULT_SECTIONS if h != "4 Conclusion"]
    without = [q.question for q in _generate(_doc(sections)).output.qa]
    with_limit = _generate(_doc(extra={"4 Conclusion": LIMIT_SENTENCE})).output.qa
    assert not any("限界" in q for q in without)
    limit = [q for q in with_limit if "限界" in q.question]
    assert limit and limit[0].evidence[0].quote == LIMIT_SENTENCE


def test_qa_count_is_respected():
    assert len(_generate(_doc(), qa_count=3).output.qa) == 3


def test_default_engine_without_a_key_is_offline():
    engine = get_engine(None, Settings())
    assert isinstance(engine, OfflineEngine) and engine.name == "offline"


def test_extracted_pdf_with_a_broken_url_gets_a_verified_code_answer():
    # Given a real PDF (made here) whose code URL breaks across lines
    doc = pdftext.extract(make_paper_pdf(code_url="https://github.com/example-org/sparse-adapter-routing-for-summarization",
                                         two_column=True, hyphenate=True))
    paper = PAPER.model_copy(update={"abstract": ""})
    output = _generate(doc, paper=paper).output
    # Then every quote verifies on the extracted pages, and the code answer cites the URL sentence
    findings = verify.check_result(_result(output, paper), doc.page_map())
    assert [f for f in findings if f.blocking] == []
    code = [q for q in output.qa if "コード" in q.question]
    assert code and "github.com/example-org" in code[0].evidence[0].quote


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", ["2004.04906v3.pdf", "2305.14962v1.pdf"])
def test_real_papers_get_verifiable_answers(name):
    doc = pdftext.extract((CORPUS / name).read_bytes())
    paper = Paper(id=name[:10], title=doc.pages[0].text.splitlines()[0], categories=["cs.CL"])
    output = _generate(doc, paper=paper).output
    findings = verify.check_result(_result(output, paper), doc.page_map())
    assert len(output.qa) >= 4
    assert [f for f in findings if f.blocking] == []




def test_the_result_document_says_what_it_is():
    from ronbun.ids import parse_id
    from ronbun.pipeline import summarize
    from tests.fakes.pdfs import make_paper_pdf

    result = summarize(parse_id("2401.15884v1"), paper=PAPER, pdf_bytes=make_paper_pdf(), engine="offline")
    assert result.generator.label_ja == "原文抜粋(生成モデルなし)"
    assert "日本語要約" not in result.model_dump_json()
