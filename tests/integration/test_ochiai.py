"""The 落合フォーマット template (issue 13): the paper's own reference list extracted from corpus
PDFs, six fixed questions in order, 次に読むべき論文 only from that list (an invented one is
dropped), the template in the job key, the CLI and the digest. The pipeline runs for real
against the fake OpenAI server (real SDK) or the offline engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ronbun import pdftext, reflist
from ronbun.cli import main
from ronbun.ids import PaperRef
from ronbun.models import Paper, Result
from ronbun.ochiai import NEXT_QUESTION, QUESTIONS, Book
from ronbun.pipeline import summarize
from ronbun.render import digest_html, DigestEntry
from ronbun.settings import get_settings
from ronbun.store import JobKey
from ronbun.verify import quote_found
from ronbun.versions import PROMPT_VERSION

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pdf"     # ../shared/corpus
NUMBERED = "2305.14962v1.pdf"          # LNCS, "1. Author, A.: Title", cited as [n]


def corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus PDF {name} not available")
    return path.read_bytes()


_DOCS: dict[str, pdftext.Extracted] = {}


def extracted(name: str) -> pdftext.Extracted:
    if name not in _DOCS:
        _DOCS[name] = pdftext.extract(corpus(name), max_pages=get_settings().pdf_max_pages)
    return _DOCS[name]


# ---------------------------------------------------------------------------- the reference list

# (file, entries, arXiv ids at least, {index: (arXiv id or None, words of its title)})
REFERENCE_LISTS = [
    ("2206.10883v3.pdf", 64, 30, {1: ("2004.05150", "Longformer"), 2: ("1806.03688", "LexNLP"),
                                  64: (None, "Automatic summarization of legal decisions")}),
    ("2004.04906v3.pdf", 48, 9, {2: (None, "yodaqa"), 47: ("1904.06652", "Data augmentation for bert"),
                                 48: (None, "Learning discriminative projections")}),
    ("2501.10120v1.pdf", 37, 20, {1: ("2402.01788", "Litllm"), 37: ("2210.03629", "React")}),
    ("2305.14962v1.pdf", 25, 1, {1: (None, "hyper-parameter optimization"), 23: ("2305.06553", "Welayout"),
                                 25: (None, "Publaynet")}),
    ("0908.0054v1.pdf", 19, 12, {1: ("astro-ph/0003365", "Gruzinov"), 19: ("astro-ph/9603033", "Seljak")}),
    ("1708.05894v1.pdf", 32, 3, {1: ("1106.6251", "Kernels for vector valued functions"),
                                 5: ("1703.09112", "Sparse multi-output Gaussian processes"),   # no year: its id ends it
                                 6: (None, "A scalable end-to-end gaussian process adapter"),
                                 32: ("1606.01865", "Recurrent neural networks for multivariate")}),
]


@pytest.mark.parametrize("name,entries,with_arxiv,known", REFERENCE_LISTS, ids=[r[0] for r in REFERENCE_LISTS])
def test_the_reference_list_of_a_corpus_paper_is_split_into_its_entries(name, entries, with_arxiv, known):
    refs = pdftext.references(extracted(name))
    assert len(refs) == entries, [r.text[:60] for r in refs]
    assert [r.index for r in refs] == sorted({r.index for r in refs})
    assert sum(1 for r in refs if r.arxiv_id) >= with_arxiv
    assert sum(1 for r in refs if r.year) >= 0.8 * entries
    by_index = {r.index: r for r in refs}
    for index, (arxiv_id, words) in known.items():
        assert by_index[index].arxiv_id == arxiv_id, by_index[index].text
        assert words.lower() in by_index[index].text.lower()
    # and most entries are found cited in the body (numbered [n] or author and year)
    cited = reflist.citations(extracted(name), refs)
    assert sum(1 for r in refs if cited[r.index]) >= 0.5 * entries


def test_arxiv_ids_in_the_forms_reference_lists_print_them():
    assert reflist.arxiv_id("Longformer. arXiv preprint arXiv:2004.05150, 2020.") == "2004.05150"
    assert reflist.arxiv_id("URL http://arxiv.org/abs/2104.08671v2.") == "2104.08671"
    assert reflist.arxiv_id("ArXiv, abs/1904.06652.") == "1904.06652"
    assert reflist.arxiv_id("Arxiv preprint: 1106.6251, 2012.") == "1106.6251"
    assert reflist.arxiv_id("Phys. Rev. Lett. 85, 1158 (2000), [astro-ph/0003365].") == "astro-ph/0003365"
    assert reflist.arxiv_id("In NIPS, pages 737–744, 1994. doi:10.1109/ICDAR.2019.00166") is None
    assert reflist.cited_numbers("as in [3], [5, 7] and [10–12].") == {3, 5, 7, 10, 11, 12}


# ---------------------------------------------------------------------------- the pipeline

def _entries(name: str) -> dict[str, reflist.Ref]:
    return {r.text: r for r in pdftext.references(extracted(name))}


def _assert_real_references(result: Result, name: str) -> None:
    entries = _entries(name)
    prose = extracted(name).prose_map()
    assert result.references
    for ref in result.references:
        assert ref.text in entries, ref.text                     # an entry of the paper's own list
        assert ref.arxiv_id == entries[ref.text].arxiv_id
        assert ref.evidence and all(quote_found(ev.quote, prose[ev.page]) for ev in ref.evidence)
        assert any(reflist.cites(ev.quote, entries[ref.text]) for ev in ref.evidence)   # a sentence citing it


def test_the_openai_engine_answers_the_six_questions_in_order_from_the_reference_list(fake_openai):
    result = summarize(PaperRef("2305.14962"), pdf_bytes=corpus(NUMBERED), engine="openai", template="ochiai")
    assert result.template == "ochiai"
    assert [item.question for item in result.qa] == list(QUESTIONS)
    assert fake_openai.calls[0]["response_format"]["json_schema"]["name"] == "OchiaiOutput"
    _assert_real_references(result, NUMBERED)
    sixth, entries = result.qa[5], _entries(NUMBERED)
    assert all(f"「{entries[ref.text].title.rstrip('. ')}」" in sixth.answer for ref in result.references)
    assert [ev.quote for ref in result.references for ev in ref.evidence] == [ev.quote for ev in sixth.evidence]
    assert not [f for f in result.quality.dropped if f.code.startswith("reference_")]
    assert result.quality.verified, result.quality


def test_an_invented_reference_from_the_model_is_dropped(fake_openai):
    fake_openai.enqueue("ochiai_invented")
    result = summarize(PaperRef("2305.14962"), pdf_bytes=corpus(NUMBERED), engine="openai", template="ochiai")
    picked = [p["title"] for p in json.loads(
        fake_openai.responses[0]["choices"][0]["message"]["content"])["next_reads"]]
    assert "Attention Is All You Need" in picked and "Quantum Gravity for Large Language Models" in picked
    _assert_real_references(result, NUMBERED)
    shown = " ".join(r.text for r in result.references) + result.qa[5].answer
    assert "Attention Is All You Need" not in shown and "Quantum Gravity" not in shown
    assert [f.code for f in result.quality.dropped].count("reference_not_in_list") == 2
    assert all(f.message_ja for f in result.quality.dropped)


def test_the_standard_template_is_unchanged(fake_openai):
    result = summarize(PaperRef("2305.14962"), pdf_bytes=corpus(NUMBERED), engine="openai")
    assert result.template == "standard" and result.references == []
    assert "response_format" in fake_openai.calls[0]
    assert fake_openai.calls[0]["response_format"]["json_schema"]["name"] == "ModelOutput"


@pytest.mark.parametrize("name", ["2004.04906v3.pdf", "2206.10883v3.pdf"])
def test_the_offline_engine_lists_the_references_the_body_cites_most(name):
    result = summarize(None, pdf_bytes=corpus(name), engine="offline", template="ochiai")
    assert [item.question for item in result.qa] == list(QUESTIONS)
    _assert_real_references(result, name)
    refs = pdftext.references(extracted(name))
    cited = reflist.citations(extracted(name), refs)
    most = max(len(c) for c in cited.values())
    first = next(r for r in refs if r.text == result.references[0].text)
    assert len(cited[first.index]) == most


# ---------------------------------------------------------------------------- the job key

def test_the_template_is_part_of_the_job_key_and_the_standard_key_is_unchanged():
    standard = JobKey("2401.15884", 1, "ja", PROMPT_VERSION, "gpt-5-mini")
    assert standard.sk == f"SUMMARY#v1#ja#{PROMPT_VERSION}#gpt-5-mini"
    assert JobKey("2401.15884", 1, "ja", PROMPT_VERSION, "gpt-5-mini", "standard") == standard
    ochiai = JobKey("2401.15884", 1, "ja", PROMPT_VERSION, "gpt-5-mini", "ochiai")
    assert ochiai.sk == standard.sk + "#ochiai" and ochiai.pk == standard.pk


# ---------------------------------------------------------------------------- CLI and digest

def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_summarize_with_the_ochiai_template(fake_openai, capsys, tmp_path):
    out_file = tmp_path / "r.json"
    code, _, _ = run(capsys, "summarize", "--pdf", str(CORPUS / NUMBERED), "--engine", "openai",
                     "--template", "ochiai", "--format", "json", "--out", str(out_file))
    assert code == 0
    result = Result.model_validate_json(out_file.read_bytes())
    assert [item.question for item in result.qa] == list(QUESTIONS)
    _assert_real_references(result, NUMBERED)
    code, out, _ = run(capsys, "summarize", "--pdf", str(CORPUS / NUMBERED), "--engine", "openai",
                       "--template", "ochiai")
    assert code == 0 and "落合フォーマット:" in out and "Q&A:" not in out
    assert f"Q: {NEXT_QUESTION}" in out and "理由: " in out


def test_cli_digest_with_the_ochiai_template_renders_the_reading_list(fake_arxiv, capsys):
    fake_arxiv.add_paper("2305.14962", title="ICDAR 2023 Competition on Robust Layout Segmentation",
                         pdf=corpus(NUMBERED))
    code, out, _ = run(capsys, "digest", "2305.14962", "--template", "ochiai", "--engine", "offline")
    assert code == 0
    assert "## 1. ICDAR 2023 Competition on Robust Layout Segmentation" in out
    assert "落合フォーマット:" in out and f"Q: {NEXT_QUESTION}" in out
    entries = _entries(NUMBERED)
    listed = [line[2:] for line in out.splitlines() if line.startswith("- ")]
    assert listed and all(any(line.startswith(text) for text in entries) for line in listed)
    code, html, _ = run(capsys, "digest", "2305.14962", "--template", "ochiai", "--engine", "offline",
                        "--format", "html")
    assert code == 0 and "<h3>落合フォーマット</h3>" in html and '<ul class="refs">' in html


def test_html_links_a_reference_with_an_arxiv_id():
    result = summarize(None, pdf_bytes=corpus("2206.10883v3.pdf"), engine="offline", template="ochiai")
    with_id = [r for r in result.references if r.arxiv_id]
    assert with_id, [r.text[:60] for r in result.references]
    page = digest_html([DigestEntry("local", result=result)])
    for ref in with_id:
        assert f'<a href="https://arxiv.org/abs/{ref.arxiv_id}" rel="noopener noreferrer">arXiv:{ref.arxiv_id}</a>' in page


# ---------------------------------------------------------------------------- request bodies

def test_template_in_request_bodies_defaults_to_standard_and_rejects_other_names():
    from ronbun.errors import InvalidRequest
    from ronbun.service import parse_digest_request, parse_start_request, parse_template

    ct = "application/json"
    assert parse_start_request('{"paper_id": "2401.15884"}', ct).template == "standard"
    assert parse_start_request('{"paper_id": "2401.15884", "template": "ochiai"}', ct).template == "ochiai"
    assert parse_digest_request('{"paper_ids": ["2401.15884"], "template": "ochiai"}', ct).template == "ochiai"
    assert parse_template(None) == "standard" and parse_template("ochiai") == "ochiai"
    for bad in ('"OCHIAI"', '1', 'null', '"summary"'):
        with pytest.raises(InvalidRequest) as err:
            parse_start_request(f'{{"paper_id": "2401.15884", "template": {bad}}}', ct)
        assert "落合フォーマット" in err.value.message_ja


def test_a_failing_answer_is_repaired_in_the_ochiai_conversation(fake_openai):
    from tests.fakes.fake_openai import ochiai_output

    prompt_messages = []

    def first_answer():
        book = Book.of(Paper(id="2305.14962", title="t"), extracted(NUMBERED))
        prompt_messages.extend(book.prompt(get_settings().prompt_max_chars).messages)
        out = ochiai_output(prompt_messages)
        out["qa"][0]["evidence"][0]["quote"] = "This sentence was never written in the paper at all, not once."
        return out

    fake_openai.enqueue("custom", output=first_answer())
    result = summarize(PaperRef("2305.14962"), pdf_bytes=corpus(NUMBERED), engine="openai", template="ochiai")
    assert len(fake_openai.calls) == 2 and result.quality.repaired >= 1
    repair = fake_openai.calls[1]
    assert repair["response_format"]["json_schema"]["name"] == "OchiaiOutput"
    assert repair["messages"][0]["content"].startswith(prompt_messages[0]["content"][:80])   # the ochiai system
    previous = json.loads(next(m["content"] for m in repair["messages"] if m["role"] == "assistant"))
    assert len(previous["qa"]) == 5 and previous["next_reads"]                 # the model's own shape
    assert "Q&A 1" in repair["messages"][-1]["content"]
    assert [item.question for item in result.qa] == list(QUESTIONS)
    _assert_real_references(result, NUMBERED)
