"""Every real arXiv PDF in ../shared/corpus goes through the whole pipeline: an offline result
whose every quote verifies on its page, and an OpenAI-engine result (fake server, real SDK)."""

from pathlib import Path

import pytest

from ronbun.ids import parse_id
from ronbun.pdftext import extract
from ronbun.pipeline import summarize
from ronbun.verify import check_result, quote_found

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pdf"
PDFS = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not PDFS, reason=f"corpus folder missing: {CORPUS}")


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_offline_result_quotes_all_verify(pdf):
    data = pdf.read_bytes()
    result = summarize(parse_id(pdf.stem), pdf_bytes=data, engine="offline")
    pages = extract(data).page_map()
    assert len(result.qa) >= 3
    for item in result.qa:
        assert item.evidence
        for ev in item.evidence:
            assert quote_found(ev.quote, pages[ev.page]), (item.question, ev.page, ev.quote)
    assert [f for f in check_result(result, pages) if f.blocking] == []
    assert result.generator.engine == "offline"


@pytest.mark.parametrize("pdf", PDFS[:2], ids=lambda p: p.stem)
def test_openai_engine_on_a_real_paper(pdf, fake_openai):
    result = summarize(parse_id(pdf.stem), pdf_bytes=pdf.read_bytes(), engine="openai")
    assert result.generator.engine == "openai" and result.generator.input_tokens > 0
    prompt = fake_openai.calls[0]["messages"][1]["content"]
    assert "=== PAGE 1 ===" in prompt
    assert result.qa and result.quality.checked
