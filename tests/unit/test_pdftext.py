"""PDF text extraction and clean-up: generated PDFs through pypdf, and raw page strings
through the clean-up alone (cases fpdf2 cannot produce, or that need exact input)."""

import re

import pytest

from ronbun import errors
from ronbun.pdftext import check_pdf_bytes, clean, extract, extract_raw
from tests.fakes.pdfs import (
    DEFAULT_STAMP, HTML_PAGE, encrypt_pdf, ligature_font, make_encrypted_pdf, make_garbage_font_pdf,
    make_many_pages_pdf, make_paper_pdf, make_textless_pdf, truncate,
)

needs_ttf = pytest.mark.skipif(ligature_font() is None, reason="no DejaVu Serif TTF with ligature glyphs")
SPLIT = re.compile(r"([a-z]+)-\n([a-z]+)")


@pytest.fixture(scope="module")
def plain_pdf():
    return make_paper_pdf(pages=5, running_head="Sparse Routing Preprint", appendix=True)


@pytest.fixture(scope="module")
def plain(plain_pdf):
    return extract(plain_pdf)


@pytest.fixture(scope="module")
def hyphenated_pdf():
    return make_paper_pdf(two_column=True, hyphenate=True)


def text_of(pages):
    return "\n".join(p.text for p in pages)


# ---------------------------------------------------------------------------- pages

def test_every_page_keeps_its_pdf_page_number(plain_pdf, plain):
    # Given a 5+ page paper  When extracted  Then pages are numbered 1..n as in the PDF
    raw = extract_raw(plain_pdf, max_pages=150)
    assert [p.number for p in plain.pages] == list(range(1, len(raw) + 1))
    assert plain.page_count == len(raw) >= 5


def test_page_text_can_be_looked_up_by_pdf_page(plain_pdf, plain):
    # Given the raw text of page 3  When the cleaned page map is read  Then page 3 holds that text
    raw = extract_raw(plain_pdf, max_pages=150)
    sentence = next(line for line in raw[2].splitlines() if len(line) > 40)
    assert sentence in plain.page_map()[3]
    assert sentence not in plain.page_map()[2]


def test_concrete_numbers_survive(plain):
    # Given a paper with results  When extracted  Then the numbers are in the body verbatim
    body = text_of(plain.body)
    assert "accuracy of 87.5%" in body
    assert "1.3B parameters" in body


def test_arxiv_stamp_is_removed(plain_pdf, plain):
    # Given the rotated arXiv stamp on page 1  When cleaned  Then no page contains it
    assert DEFAULT_STAMP in extract_raw(plain_pdf, max_pages=150)[0]
    assert all("arXiv:2401.15884v1" not in p.text for p in plain.pages)


def test_running_head_is_removed(plain_pdf, plain):
    # Given a running head on pages 2..n  When cleaned  Then it is gone from the body and the
    # prose of every page, and kept in the page's full text only as a marked running head
    raw = extract_raw(plain_pdf, max_pages=150)
    assert sum("Sparse Routing Preprint" in r for r in raw) >= 4
    assert all("Sparse Routing Preprint" not in p.text for p in plain.body + plain.appendix)
    assert all("Sparse Routing Preprint" not in text for text in plain.prose_map().values())
    assert all(("running", "Sparse Routing Preprint") in p.spans for p in plain.pages[1:4])


def test_printed_page_numbers_are_removed(plain_pdf, plain):
    # Given a page number printed at the foot of each page  When cleaned  Then it is not text
    raw = extract_raw(plain_pdf, max_pages=150)
    assert raw[2].rstrip().splitlines()[-1] == "3"
    assert plain.page_map()[3].splitlines()[-1] != "3"


def test_timings_are_recorded(plain):
    assert plain.raw_seconds > 0
    assert 0 < plain.clean_seconds < plain.raw_seconds


# ---------------------------------------------------------------------------- layout

def test_two_column_reading_order_follows_columns():
    # Given a two-column page  When extracted  Then sections read in order, column by column
    ex = extract(make_paper_pdf(two_column=True))
    page1 = ex.page_map()[1]
    positions = [page1.find(h) for h in ("Abstract", "1 Introduction", "2 Method", "3 Experiments")]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "We present sparse adapter routing, a method that selects a small set" in page1.replace("\n", " ")


def test_line_end_hyphens_are_joined(hyphenated_pdf):
    # Given words hyphenated at line ends  When cleaned  Then each is one word again
    raw = "\n".join(extract_raw(hyphenated_pdf, max_pages=150))
    splits = SPLIT.findall(raw)
    assert len(splits) >= 5
    text = text_of(extract(hyphenated_pdf).pages)
    assert not SPLIT.search(text)
    for a, b in splits:
        assert a + b in text


def test_line_structure_is_kept_after_joining(hyphenated_pdf):
    # Given a hyphenated two-column page  When cleaned  Then lines stay lines, not one blob
    ex = extract(hyphenated_pdf)
    raw_lines = extract_raw(hyphenated_pdf, max_pages=150)[0].count("\n")
    assert ex.page_map()[1].count("\n") >= raw_lines * 0.8


@needs_ttf
def test_ligatures_become_letters():
    # Given text set with fi/fl ligature glyphs  When cleaned  Then they read as plain letters
    data = make_paper_pdf(ligatures=True)
    assert "\ufb01" in extract_raw(data, max_pages=150)[0]
    text = text_of(extract(data).pages)
    assert "\ufb01" not in text and "\ufb02" not in text
    assert "fine-tuning" in text and "Efficient" in text


# ---------------------------------------------------------------------------- sections

def test_references_are_split_from_the_body(plain):
    # Given a "References" section  When extracted  Then entries are in references, not body
    body = text_of(plain.body)
    assert "[1] Ashish Vaswani" not in body
    assert "[1] Ashish Vaswani" in plain.references
    assert "[4] Chin-Yew Lin" in plain.references
    assert "References" not in body


def test_the_conclusion_stays_in_the_body():
    # Given references starting mid-page  When split  Then the text above the heading is body
    ex = extract(make_paper_pdf())
    ref_page = next(p.number for p in ex.pages if "[1] Ashish" in p.text)
    assert ex.body[-1].number == ref_page
    assert "4 Conclusion" in ex.body[-1].text
    assert "retrieval components." in ex.body[-1].text


def test_appendix_is_split_from_references(plain):
    # Given an appendix after the references  When split  Then it is neither body nor references
    assert plain.appendix[0].text.startswith("A Additional Results")
    assert "dropout rate of 0.1" in text_of(plain.appendix)
    assert "dropout rate" not in plain.references
    assert "B Hyperparameters" not in text_of(plain.body)


def test_appendix_keeps_its_page_numbers(plain):
    assert plain.appendix[-1].number == plain.page_count


def test_references_without_heading_are_found_by_first_entry():
    # Given references with no heading (REVTeX)  When cleaned  Then "[1]" starts them
    body = "We measure the spectrum of the background radiation in detail.\n" * 30
    refs = "[1] Hu W., Barkana R. Phys. Rev. Lett. 85, 1158 (2000).\n[2] Matos T. Class. Quant. Grav. 17 (2000)."
    ex = clean([body, body + refs])
    assert ex.references.startswith("[1] Hu W.")
    assert "[2] Matos" not in text_of(ex.body)
    assert "the background radiation" in ex.body[-1].text


def test_numbered_references_heading_is_recognised():
    body = "The model is evaluated on twelve languages in total.\n" * 30
    ex = clean([body, body + "7 References\nVaswani A. Attention is all you need. 2017."])
    assert ex.references == "Vaswani A. Attention is all you need. 2017."


def test_missing_references_are_reported():
    # Given no references at all  When cleaned  Then everything is body and a warning says so
    page = "A short note on the method with enough words to count as a page of text.\n" * 10
    ex = clean([page, page])
    assert len(ex.body) == 2 and ex.references == ""
    assert any("references" in w for w in ex.warnings)


def test_a_reference_line_starting_with_A_is_not_an_appendix():
    # Given an author-year reference "A Anthropic. 2024. ..." after the heading  When split
    # Then the appendix starts at the real "A ..." heading, not at that reference
    body = "We compare the crawler with search engines on two benchmarks.\n" * 30
    refs = "References\nA Anthropic. 2024. The claude 3 model family.\nYao S. 2023. React."
    app = "A Implementation Details of the Crawler\nA.1 Imitation learning\nWe generate data."
    ex = clean([body, refs + "\n" + app])
    assert "A Anthropic" in ex.references
    assert ex.appendix[0].text.startswith("A Implementation Details")


def test_appendix_word_in_running_text_is_not_a_heading():
    body = "The prompt is shown in the figure below for clarity.\n" * 30
    ex = clean([body, "References\n[1] A. Author. Title. 2020.\nAppendix E of the paper.\n"])
    assert ex.appendix == []
    assert "Appendix E of the paper." in ex.references


# ---------------------------------------------------------------------------- clean-up

def test_ligature_characters_are_normalised():
    ex = clean(["The \ufb01rst \ufb02exible e\ufb03cient model.\n" * 10])
    assert "The first flexible efficient model." in ex.pages[0].text


def test_whitespace_within_lines_collapses_and_lines_stay():
    ex = clean(["Alpha  beta\t gamma delta words.\n  Second   line here with words.\n" * 5])
    assert ex.pages[0].text.startswith("Alpha beta gamma delta words.\nSecond line here with words.\n")


@pytest.mark.parametrize("stamp", [
    "arXiv:2501.10120v1  [cs.IR]  17 Jan 2025",
    "arXiv:hep-th/9901001v2  [hep-th]  4 Feb 1999",
    "arXiv:0908.0054v1 [astro-ph.CO] 1 Aug 2009",
])
def test_stamp_line_is_dropped_anywhere_on_the_page(stamp):
    text = "First line of the page with words.\n" * 5 + stamp + "\n" + "Last line of the page with words.\n" * 5
    ex = clean([text])
    assert stamp not in ex.pages[0].text
    assert "\n\n" not in ex.pages[0].text


def test_arxiv_ids_in_citations_are_kept():
    line = "Zhang T. Bertscore. arXiv preprint arXiv:1904.09675, 2019."
    assert line in clean([(line + "\n") * 8]).pages[0].text


def test_running_heads_with_changing_page_numbers_are_dropped():
    # Given alternating heads that carry the page number  When cleaned  Then all are dropped
    models = ["small", "large", "sparse", "dense", "shallow", "deep", "fast", "slow", "old", "new"]
    topics = ["tables", "figures", "captions", "formulas", "footnotes", "titles", "lists", "headers"]
    pages = [(f"{n} C. Auer, et al." if n % 2 == 0 else f"ICDAR 2023 Competition Report {n}") + "\n"
             + "".join(f"The {models[n - 1]} model segments {t} in documents.\n" for t in topics)
             for n in range(1, 11)]
    ex = clean(pages)
    text = text_of(ex.body)
    assert "Auer, et al." not in text and "Competition Report" not in text
    assert text.count(" in documents.") == 80
    assert not any("Auer" in t or "Competition Report" in t for t in ex.prose_map().values())


def test_a_line_repeated_on_few_pages_is_kept():
    pages = [f"Intro words on page {n} for the reader.\n" * 4 for n in range(1, 11)]
    pages[3] = "Table 1: Results\n" + pages[3]
    pages[7] = "Table 1: Results\n" + pages[7]
    assert text_of(clean(pages).pages).count("Table 1: Results") == 2


def test_real_compounds_keep_their_hyphen():
    # Given "pre-\ntrained" where the paper writes "pre-trained"  When cleaned  Then hyphen stays
    text = "We use a pre-trained encoder for all the runs.\nThe pre-\ntrained weights are frozen.\n" * 4
    assert "The pre-trained\nweights are frozen." in clean([text]).pages[0].text


def test_hyphen_inside_a_compound_chain_stays():
    text = "This gives state-of-\nthe-art results on the benchmark datasets.\n" * 5
    assert "state-of-the-art" in clean([text]).pages[0].text


def test_hyphen_in_a_broken_url_stays():
    text = "Code at https://github.com/org/sparse-\nadapter and more words here.\n" * 5
    assert "https://github.com/org/sparse-adapter" in clean([text]).pages[0].text


def test_word_hyphenated_across_pages_is_joined_on_the_first_page():
    first = "Some words on the first page of the paper.\n" * 5 + "the content of bosons in the uni-"
    second = "verse determines its number density today.\n" + "More words on the second page.\n" * 5
    ex = clean([first, second])
    assert ex.pages[0].text.endswith("in the universe")
    assert ex.pages[1].text.startswith("determines its number density")


# ---------------------------------------------------------------------------- bad input

def test_html_instead_of_pdf_is_refused():
    with pytest.raises(errors.PdfNotPdf):
        extract(HTML_PAGE)


def test_empty_download_is_truncated():
    with pytest.raises(errors.PdfTruncated):
        check_pdf_bytes(b"")


def test_truncated_pdf_is_refused():
    with pytest.raises(errors.PdfTruncated):
        extract(truncate(make_paper_pdf(), 0.6))


def test_damaged_pdf_with_end_marker_is_refused():
    # Given a PDF whose objects are cut out but which still ends with %%EOF
    data = make_paper_pdf()
    with pytest.raises(errors.PdfTruncated):
        extract(data[:12] + b"\n%%EOF\n")


def test_password_protected_pdf_is_refused():
    with pytest.raises(errors.PdfEncrypted):
        extract(make_encrypted_pdf())


def test_owner_password_only_pdf_is_read():
    # Given an encrypted PDF with an empty user password (common on arXiv)  Then it reads
    ex = extract(make_encrypted_pdf(user_password=""))
    assert "accuracy of 87.5%" in text_of(ex.body)


def test_owner_password_only_aes_pdf_is_read():
    pytest.importorskip("cryptography")
    ex = extract(make_encrypted_pdf(user_password="", algorithm="AES-256"))
    assert "accuracy of 87.5%" in text_of(ex.body)


def test_make_paper_pdf_encrypt_flag_requires_a_password():
    with pytest.raises(errors.PdfEncrypted):
        extract(make_paper_pdf(encrypt=True))


def test_textless_pdf_has_no_text():
    with pytest.raises(errors.PdfNoText):
        extract(make_textless_pdf())


def test_textless_pdf_with_only_the_stamp_has_no_text():
    with pytest.raises(errors.PdfNoText):
        clean(["", DEFAULT_STAMP + "\n", ""])


@needs_ttf
def test_fonts_without_unicode_map_are_reported_as_no_text():
    with pytest.raises(errors.PdfNoText) as info:
        extract(make_garbage_font_pdf())
    assert "文字化け" in info.value.message_ja and "OCR" in info.value.message_ja


@pytest.mark.parametrize("garbage", [
    "\x01\x02\x03\x04\x05 \x06\x07\x08\x0e\x0f \x10\x11\x12\x13 \x14\x15\x16\n" * 20,
    "(cid:12)(cid:5)(cid:44) (cid:3)(cid:18)(cid:99)\n" * 20,
    "/0/1/2/3 /4/5/6 /7/8/9/10 /g11/g12\n" * 20,
    "~#@ %$^ &*!? {}[] <>|| ~~## @@%%\n" * 20,
])
def test_one_garbled_page_is_dropped_with_a_warning(garbage):
    good = "The encoder maps each passage to a dense vector for retrieval.\n" * 10
    ex = clean([good, garbage, good])
    assert ex.prose_map()[2] == "" and ex.garbled_pages == [2]
    assert [p.number for p in ex.body] == [1, 3]
    assert any(w.startswith("page 2:") for w in ex.warnings)
    assert "dense vector" in ex.page_map()[3] and "dense vector" in ex.prose_map()[3]


def test_mostly_garbled_pages_mean_no_text():
    good = "The encoder maps each passage to a dense vector for retrieval.\n" * 10
    garbage = "(cid:12)(cid:5)(cid:44) (cid:3)(cid:18)(cid:99)\n" * 20
    with pytest.raises(errors.PdfNoText):
        clean([good, garbage, garbage])


def test_pages_beyond_the_limit_are_skipped_with_a_warning():
    ex = extract(make_many_pages_pdf(12), max_pages=5)
    assert [p.number for p in ex.pages] == [1, 2, 3, 4, 5]
    assert ex.page_count == 12
    assert "This is page 5 of 12." in ex.page_map()[5]
    assert any("12 pages" in w for w in ex.warnings)


def test_extract_raw_reads_an_owner_only_encrypted_pdf():
    data = encrypt_pdf(make_many_pages_pdf(2), user_password="")
    assert "This is page 2 of 2." in extract_raw(data, max_pages=10)[1]
