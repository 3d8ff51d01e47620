"""Every sentence of the 概要 traceable (issue 14), through the whole pipeline with the real
`openai` SDK against the fake server: the careless fake model also writes a summary sentence
with no evidence and one whose quote is cited on another page; neither is shown."""

from __future__ import annotations

import json

from ronbun.cli import main
from ronbun.ids import parse_id
from ronbun.models import Paper, Result
from ronbun.pipeline import summarize
from ronbun.settings import get_settings
from tests.fakes.fake_openai import CARELESS_NO_EVIDENCE
from tests.fakes.pdfs import DEFAULT_SECTIONS, DEFAULT_TITLE, make_paper_pdf

PDF = make_paper_pdf(pages=3)
PAPER = Paper(id="2401.15884", version=1, title=DEFAULT_TITLE, abstract=" ".join(DEFAULT_SECTIONS[0][1]))


def _run() -> Result:
    return summarize(parse_id("2401.15884v1"), paper=PAPER, pdf_bytes=PDF, engine="openai", settings=get_settings())


def test_the_careless_models_unsupported_summary_sentences_are_never_shown(fake_openai):
    fake_openai.enqueue("careless")
    careless = json.loads(fake_openai_output(fake_openai))          # what the model wrote
    written = [s["text"] for s in careless["summary_sentences"]]
    assert CARELESS_NO_EVIDENCE in written and len(written) >= 4
    result = _run()
    shown = [s.text for s in result.summary_sentences]
    assert shown == written[:-2]                                     # shortened, not padded
    assert CARELESS_NO_EVIDENCE not in result.summary and written[-1] not in result.summary
    assert result.summary == "".join(shown)
    assert all(s.evidence for s in result.summary_sentences)
    dropped = {(f.item, f.sentence, f.code) for f in result.quality.dropped}
    assert dropped == {("summary", len(written) - 2, "no_evidence"), ("summary", len(written) - 1, "quote_not_found")}
    # one repair round asked for exactly those two sentences
    repair = fake_openai.calls[1]["messages"][-1]["content"]
    assert f"概要の{len(written) - 1}文目" in repair and f"概要の{len(written)}文目" in repair
    assert "概要の1文目" not in repair


def fake_openai_output(fake) -> str:
    """The careless output for this paper, as the fake server will write it."""
    from ronbun import prompts
    from ronbun.pdftext import extract
    from tests.fakes.fake_openai import careless_output

    s = get_settings()
    return json.dumps(careless_output(prompts.build_prompt(PAPER, extract(PDF), max_chars=s.prompt_max_chars,
                                                           qa_count=s.qa_count).messages), ensure_ascii=False)


def test_grounded_sentences_are_kept_with_their_pages_and_judged_one_by_one(fake_openai):
    result = _run()
    assert len(result.summary_sentences) >= 2 and result.quality.dropped == []
    assert result.one_liner_sentences[0].text == result.one_liner and result.one_liner_sentences[0].evidence
    judged = [(v.item, v.sentence) for v in result.quality.judge if v.item == "summary"]
    assert judged == [("summary", n) for n in range(len(result.summary_sentences))]
    assert "overgeneralised" in result.quality.checks and result.quality.verified


def test_cli_markdown_with_evidence_footnotes(fake_openai, tmp_path, capsys):
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(PDF)
    assert main(["summarize", "--pdf", str(pdf), "--engine", "offline", "--evidence", "footnotes"]) == 0
    out = capsys.readouterr().out
    assert "[^s1]" in out and "\n[^s1]: p." in out and "\n[^q1]: p." in out
    assert main(["summarize", "--pdf", str(pdf), "--engine", "offline"]) == 0
    assert "[^s1]" not in capsys.readouterr().out
