"""Evidence must be the paper's own prose: clean-up marks running heads, headings, the title
block, captions, figure and table text, footnotes and garbled text; `prose_map()` leaves them
out; the checks give `quote_not_body` for a quote that is on its page but not in its prose;
the prompt and the offline engine offer only prose as quotable text."""

import pytest

from ronbun import errors, prompts
from ronbun.models import Evidence, Paper, QAItem
from ronbun.offline import OfflineEngine
from ronbun.pdftext import clean, extract
from ronbun.verify import check_qa_item, check_result, quote_status
from tests.fakes.pdfs import (
    DEFAULT_SECTIONS, DEFAULT_TITLE, MARKED_AFFILIATION, MARKED_CAPTION, MARKED_EMAIL,
    MARKED_HEAD, MARKED_SCREENSHOT, MARKED_TABLE, MARKED_TABLE_CAPTION, TYPE3_GARBLE, make_marked_paper_pdf,
)

# A real answer in the words of the body quote the tests use (only the quote codes are at stake here)
ANSWER = "各 transformer 層は、共有のフィードフォワードブロックとアダプタのプールを持っています。"
PAPER = Paper(id="2401.15884", version=1, title=DEFAULT_TITLE, authors=["Hana Sato"], categories=["cs.CL"],
              abstract=" ".join(DEFAULT_SECTIONS[0][1]))


@pytest.fixture(scope="module")
def marked():
    return extract(make_marked_paper_pdf())


def _item(quote: str, page: int) -> QAItem:
    return QAItem(question="各層はどう構成されていますか?", answer=ANSWER, evidence=[Evidence(page=page, quote=quote)])


def _codes(doc, quote: str, page: int, *, prose: bool = True) -> set[str]:
    findings = check_qa_item(0, _item(quote, page), doc.page_map(), prose=doc.prose_map() if prose else None)
    return {f.code for f in findings}


def _sentences(n: int = 10, word: str = "routing") -> str:
    return "".join(f"The {word} model number {k} assigns every token to two adapters of the pool.\n"
                   for k in range(n))


# ---------------------------------------------------------------------------- marking (generated PDF)

def test_running_head_on_three_of_four_pages_is_not_prose(marked):
    # Given a 4-page paper whose head is printed on pages 2-4  When extracted
    # Then the head is marked running on each, kept in the page text, absent from prose and body
    assert marked.page_count == 4
    for n in (2, 3, 4):
        assert MARKED_HEAD in marked.page_map()[n]
        assert MARKED_HEAD not in marked.prose_map()[n]
        assert ("running", MARKED_HEAD) in marked.pages[n - 1].spans
    assert all(MARKED_HEAD not in p.text for p in marked.body)


def test_title_author_affiliation_and_email_are_not_prose(marked):
    prose = marked.prose_map()[1]
    for text in (MARKED_AFFILIATION, MARKED_EMAIL, "Hana Sato, Daniel Okafor", "Sparse Adapter Routing for"):
        assert text in marked.page_map()[1] and text not in prose
    assert "Our model has 1.3B parameters" in prose                  # the abstract is prose


def test_heading_glued_to_its_sentence_is_cut_off_it(marked):
    # pypdf gives "2 Method Each transformer layer contains ..." as one line
    assert "2 Method Each transformer layer" in marked.page_map()[2]
    assert ("heading", "2 Method") in marked.pages[1].spans
    assert marked.prose_map()[2].startswith("Each transformer layer contains")


def test_caption_figure_text_screenshot_and_table_are_not_prose(marked):
    p2, p3 = marked.prose_map()[2], marked.prose_map()[3]
    assert "Figure 1: Accuracy of sparse routing" not in p2 and "converges faster than the dense" not in p2
    assert "Training steps" not in p2 and "1.0 0.8 0.6" not in p2
    assert MARKED_SCREENSHOT not in p2                                # a sentence printed inside the figure
    assert "To avoid collapse to a single adapter" in p2               # the body after the caption
    assert "Table 1: Results" not in p3 and "87.5 41.2 145" not in p3 and "ROUGE-L Latency" not in p3
    assert "We evaluate on a benchmark of 48,000 news articles" in p3
    kinds = dict((text, kind) for kind, text in marked.pages[2].spans)
    assert kinds[MARKED_TABLE_CAPTION] == "caption" and kinds[MARKED_TABLE[1]] == "figure"


def test_footnote_and_references_are_not_prose(marked):
    assert "Code is available at" in marked.page_map()[1]
    assert "Code is available at" not in marked.prose_map()[1]
    assert "Attention is all you need" not in marked.prose_map()[4]
    assert "Sparse adapter routing makes multilingual summarization cheaper" in marked.prose_map()[4]


def test_prose_map_has_the_same_pages_as_page_map(marked):
    assert marked.prose_map().keys() == marked.page_map().keys()
    assert marked.garbled_pages == []


# ---------------------------------------------------------------------------- marking (raw text)

def test_running_head_repeated_on_only_two_pages_of_a_short_paper():
    # Given a 3-page paper whose head is on pages 2 and 3 only  When cleaned  Then it is a head
    pages = [_sentences(12, w) for w in ("routing", "gating", "pooling")]
    pages[1] = "Sparse Routing for Summarization\n" + pages[1]
    pages[2] = "Sparse Routing for Summarization\n" + pages[2]
    ex = clean(pages)
    assert all("Sparse Routing for Summarization" not in t for t in ex.prose_map().values())
    assert "Sparse Routing for Summarization" in ex.page_map()[2]


def test_odd_page_head_printed_once_is_found_by_its_page_number():
    # Even pages: "2 H. Sato et al."; the only odd head (page 3) differs but carries its page number
    pages = [_sentences(12, w) for w in ("routing", "gating", "pooling", "mixing")]
    pages[1] = "2 H. Sato, D. Okafor, et al.\n" + pages[1]
    pages[2] = "Sparse Routing for Multilingual Summarization 3\n" + pages[2]
    pages[3] = "4 H. Sato, D. Okafor, et al.\n" + pages[3]
    ex = clean(pages)
    assert ("running", "Sparse Routing for Multilingual Summarization 3") in ex.pages[2].spans
    assert "Multilingual Summarization" not in ex.prose_map()[3]


def test_running_head_glued_to_the_first_sentence_is_cut_off():
    pages = [_sentences(12, w) for w in ("routing", "gating", "pooling", "mixing")]
    for n in (1, 2):
        pages[n] = "Sparse Routing Preprint\n" + pages[n]
    pages[3] = "Sparse Routing Preprint " + pages[3]
    ex = clean(pages)
    assert ex.prose_map()[4].startswith("The mixing model number 0")
    quote = "Sparse Routing Preprint The mixing model number 0 assigns every token"
    assert quote_status(quote, 4, ex.page_map(), ex.prose_map()) == "not_body"


def test_type3_garble_page_is_left_out_and_listed():
    # fpdf2 cannot write Type 3 bitmap fonts: the raw text pypdf gives for them goes to clean()
    good = [_sentences(12, w) for w in ("routing", "gating", "pooling", "mixing")]
    ex = clean(good[:2] + [TYPE3_GARBLE] + good[2:])
    assert ex.garbled_pages == [3]
    assert any(w.startswith("page 3:") and "garbled" in w for w in ex.warnings)
    assert ex.prose_map()[3] == "" and "describ e the mo del" in ex.page_map()[3]
    assert 3 not in {p.number for p in ex.body}
    assert quote_status("we describ e the mo del of thesp ectatorequation", 3, ex.page_map(), ex.prose_map()) \
        == "not_body"


def test_garbled_lines_on_a_readable_page_are_not_prose():
    page = _sentences(14) + "/2/3/5/2/9 /1/4/7 the mo del is solv ed b y the metho d of lines/.InSectionI V/\n"
    ex = clean([page, _sentences(14, "gating")])
    assert ex.garbled_pages == []
    assert ("garbled", page.splitlines()[-1]) in ex.pages[0].spans
    assert "/2/3/5" not in ex.prose_map()[1] and "The routing model number 3" in ex.prose_map()[1]


@pytest.mark.parametrize("garbled", [
    "The results are insensitiv e to the initial condi tions pro vided that the field starts near the minim um",
    "Eac h fr ame is enco ded b y a small n um b er of activ e atoms, whic h mak es the co des easy to in terpret.",
    "/2/3/5/2/9/1/4/7",
    "Our parser achieves a signi cant improvement and is more e cient at test time.",          # lost ligatures
    "(cid:36)(cid:81)(cid:71) (cid:87)(cid:75)(cid:72) total amount is detected in every invoice.",
])
def test_split_words_and_glyph_runs_are_garbled_lines(garbled):
    page = _sentences(8) + garbled + "\n" + _sentences(8, "gating")
    ex = clean([page, _sentences(14, "pooling")])
    assert ex.garbled_pages == [] and ("garbled", garbled) in ex.pages[0].spans
    assert quote_status(garbled, 1, ex.page_map(), ex.prose_map()) == "not_body"


def test_copyright_footer_printed_once_is_not_prose():
    page = _sentences(12) + "Workshop on Scholarly Document Processing 2024. Copyright by the authors.\n"
    ex = clean([page, _sentences(12, "gating")])
    assert ("running", "Workshop on Scholarly Document Processing 2024. Copyright by the authors.") in ex.pages[0].spans


def test_author_line_without_an_abstract_heading_is_front_matter():
    page = ("Spectral Clustering of Citation Graphs\n"
            "Anna Keller and Tomas Berg, Institute for Information Science, University of Linz\n"
            "We cluster the citation graph of a digital library with a normalized spectral method and compare the\n"
            "clusters with the subject labels assigned by librarians.\n" + _sentences(10))
    ex = clean([page, _sentences(12, "gating")])
    prose = ex.prose_map()[1]
    assert "Institute for Information Science" not in prose and "Spectral Clustering" not in prose
    assert prose.startswith("We cluster the citation graph")


def test_mostly_garbled_paper_fails_with_a_japanese_message_without_ocr():
    good = _sentences(12)
    with pytest.raises(errors.PdfNoText) as info:
        clean([good, TYPE3_GARBLE, TYPE3_GARBLE, TYPE3_GARBLE])
    assert "文字化け" in info.value.message_ja and "OCR" in info.value.message_ja
    assert "対応していない" in info.value.message_ja


def test_math_fractions_urls_and_short_words_are_not_garble():
    page = ("The fraction (4/11)1/3 of the photon temperature fixes the density at 1/2 of the total.\n"
            "Our code is at https://github.com/example/a1/b2/c3 and the data at arxiv.org/abs/2004.04906.\n"
            "We set it to 0.5 so that p = q in all of the runs we do on it as it is in the paper.\n") * 6
    ex = clean([page, page.replace("code", "data")])
    assert ex.garbled_pages == [] and "garbled" not in ex.marked()


def test_a_caption_reference_in_running_text_stays_prose():
    # "... as shown in" / "Table 2. The router ..." is a sentence that wraps before "Table 2."
    page = (_sentences(5) + "The improvement over the dense baseline is largest for low resource languages, as\n"
            "shown in\n"
            "Table 2. The router learns to share adapters between related languages in every layer.\n"
            + _sentences(5, "gating"))
    ex = clean([page, _sentences(12, "pooling")])
    assert "Table 2. The router learns" in ex.prose_map()[1]
    assert "caption" not in ex.marked()


# ---------------------------------------------------------------------------- the check

def test_quote_of_a_running_head_glued_to_a_sentence_is_not_body(marked):
    quote = "Sparse Routing Preprint Table 1: Results on the multilingual benchmark"
    assert _codes(marked, quote, 3) == {"quote_not_body"}


@pytest.mark.parametrize("quote,page", [
    ("Figure 1: Accuracy of sparse routing and dense fine-tuning over training steps.", 2),
    (MARKED_SCREENSHOT, 2),
    ("2 Method Each transformer layer contains a shared feed-forward block", 2),
    ("Department of Informatics, Kyoto University", 1),
    ("Code is available at https://github.com/example/sparse-routing.", 1),
    ("Sparse (one adapter) 84.2 40.1 139", 3),
])
def test_quotes_of_text_that_is_not_prose_fail_with_quote_not_body(marked, quote, page):
    assert _codes(marked, quote, page) == {"quote_not_body"}
    assert _codes(marked, quote, page, prose=False) == set()          # what the checks said before


def test_a_short_quote_of_a_footnote_url_is_also_not_body(marked):
    assert _codes(marked, "https://github.com/example/sparse-routing.", 1) == {"no_evidence", "quote_not_body"}


def test_body_quote_passes_and_a_missing_quote_is_still_not_found(marked):
    assert _codes(marked, "Each transformer layer contains a shared feed-forward block and a pool", 2) == set()
    assert _codes(marked, "The router is trained with a contrastive objective on parallel data.", 2) \
        == {"quote_not_found"}


def test_sentence_interrupted_by_a_caption_is_found_in_prose():
    # pypdf puts a float's caption between the two halves of a body sentence
    page = (_sentences(6) + "Once decoupled, the species keeps its phase-space distribution function\n"
            "Figure 2: Spectrum of the model for three values of the coupling constant.\n"
            "frozen and its temperature only falls with the expansion of the universe.\n" + _sentences(6))
    ex = clean([page, _sentences(12, "gating")])
    quote = ("the species keeps its phase-space distribution function frozen and its temperature only "
             "falls with the expansion")
    assert quote_status(quote, 1, ex.page_map(), ex.prose_map()) == "ok"
    assert quote_status(quote, 1, ex.page_map()) == "not_found"


def test_check_result_passes_prose_to_every_item(marked):
    from ronbun.models import ModelOutput

    good = _item("Each transformer layer contains a shared feed-forward block and a pool", 2)
    bad = _item("Sparse Routing Preprint Table 1: Results on the multilingual benchmark", 3)
    out = ModelOutput(one_liner=ANSWER, one_liner_evidence=good.evidence,
                      summary_sentences=[{"text": ANSWER, "evidence": good.evidence}], qa=[good, bad])
    codes = {(f.item, f.code) for f in check_result(out, marked.page_map(), prose=marked.prose_map())}
    assert (1, "quote_not_body") in codes and not any(item == 0 for item, _ in codes)
    assert "quote_not_body" in prompts.REPAIR_REASONS


# ---------------------------------------------------------------------------- prompt and offline engine

def test_prompt_offers_only_prose_as_quotable(marked):
    user = prompts.build_prompt(PAPER, marked, max_chars=50_000, qa_count=4).messages[1]["content"]
    body = user.split("# 本文", 1)[1]
    assert MARKED_HEAD not in body and MARKED_EMAIL not in body and MARKED_AFFILIATION not in body
    assert MARKED_SCREENSHOT not in body and "Training steps" not in body and "87.5 41.2 145" not in body
    assert "Code is available at" not in body and "Attention is all you need" not in body
    assert f"[図表キャプション・引用不可: {MARKED_CAPTION}]" in body
    assert "\n2 Method\nEach transformer layer contains" in body
    assert "We evaluate on a benchmark of 48,000 news articles" in body


def test_offline_engine_quotes_only_prose(marked):
    prompt = prompts.build_prompt(PAPER, marked, max_chars=50_000, qa_count=6)
    out = OfflineEngine().generate(prompt, paper=PAPER, doc=marked).output
    assert out.qa
    pages, prose = marked.page_map(), marked.prose_map()
    for item in out.qa:
        for ev in item.evidence:
            assert quote_status(ev.quote, ev.page, pages, prose) == "ok", ev
    assert not [f for f in check_result(out, pages, prose=prose) if f.blocking]
