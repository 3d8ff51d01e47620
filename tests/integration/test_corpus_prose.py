"""Real arXiv PDFs from ../shared/corpus: quotes of running heads, captions, figure and table
text, footnotes, headings and the author block fail with `quote_not_body`; body sentences pass,
including one that pypdf splits around a figure caption; body prose stays prose."""

from pathlib import Path

import pytest

from ronbun.pdftext import extract
from ronbun.verify import quote_status

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pdf"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is missing")

NOT_BODY = [
    # running heads (LNCS, odd and even pages; the even one glued to nothing, the odd one quoted with
    # the sentence that follows it)
    ("2305.14962v1", 3, "ICDAR 2023 Comp. on Robust Layout Segmentation in Corporate Docs"),
    ("2305.14962v1", 3, "Corporate Docs 3 work. However, these datasets still remain limited"),
    ("2305.14962v1", 4, "4 C. Auer, et al. guidance on how to consistently annotate the layout"),
    # captions
    ("2004.04906v3", 4, "Table 1: Number of questions in each QA dataset."),
    ("2004.04906v3", 5, "Our DPR trained using 1,000 examples already outperforms BM25."),
    ("0908.0054v1", 2, "Figure 1: CMB spectrums for ΩF = ΩB = 0.2"),
    ("2501.10120v1", 2, "The system consists of two LLM agents, Crawler and Selector."),
    ("2305.14962v1", 2, "Fig.1. Dataset statistics of DocLayNet and the competition dataset."),
    ("1708.05894v1", 9, "Our model demonstrates drastic reductions in false alarms across all sensitivities."),
    # text inside figures and tables
    ("2004.04906v3", 4, "Natural Questions 79,168 58,880 8,757 3,610"),
    ("2305.14962v1", 6, "docdog 0.70 0.66 0.69 0.84 0.62"),
    ("2501.10120v1", 2, "Select/Drop [Search] [Expand][Stop]"),
    # a table of examples spanning both columns; a full-width caption's later sentences
    ("2501.10120v1", 4, "Query: Which studies have been conducted in long-form text generation"),
    ("2004.04906v3", 8, "REALMWiki and REALMNews are the same model but pretrained on Wikipedia and CC-News"),
    # footnotes
    ("2004.04906v3", 1, "The code and trained models have been released at https://github.com/facebookresearch/DPR."),
    ("2004.04906v3", 4, "However, Wang et al. (2019) also propose splitting documents into overlapping passages"),
    # headings, alone and glued to the sentence after them
    ("2004.04906v3", 6, "Sample efficiency We explore how many training examples are needed"),
    ("2004.04906v3", 4, "4 Experimental Setup In this section, we describe the data we used"),
    ("0908.0054v1", 1, "I. INTRODUCTION It has been argued that a Scalar Field may be a candidate"),
    # the title and author block
    ("2004.04906v3", 1, "Facebook AI University of Washington Princeton University"),
    ("0908.0054v1", 1, "y de Estudios Avanzados del IPN, A.P. 14-740, 07000"),
]

BODY = [
    ("2305.14962v1", 3, "work. However, these datasets still remain limited to a narrow domain of predominantly "
                        "scientific documents"),
    ("2004.04906v3", 2, "Our Dense Passage Retriever (DPR) is exceptionally strong."),
    ("2004.04906v3", 6, "We explore how many training examples are needed to achieve good passage retrieval "
                        "performance."),
    ("2004.04906v3", 4, "In this section, we describe the data we used for experiments and the basic setup."),
    ("0908.0054v1", 1, "It has been argued that a Scalar Field may be a candidate to form the main component"),
    ("0908.0054v1", 1, "In this work we report the cosmological effects that a species of Ultra Light Bosonic "
                       "Dark Matter imprints"),
    ("2501.10120v1", 2, "In this paper, we introduce PaSa, a novel paper search agent designed to mimic human "
                        "behavior"),
    ("1708.05894v1", 2, "As a motivating example for our work, consider the patient data visualized in Figure 1"),
    ("2206.10883v3", 2, "Success in summarization automation would allow the Clearinghouse and other efforts "
                        "like it to greatly increase their coverage"),
    ("2305.14962v1", 5, "Our competition was officially announced on December 19th, 2022 and ended on April "
                        "3rd, 2023."),
]


@pytest.fixture(scope="module")
def docs():
    names = {name for name, _, _ in NOT_BODY + BODY}
    return {name: extract((CORPUS / f"{name}.pdf").read_bytes()) for name in names}


@pytest.mark.parametrize("name,page,quote", NOT_BODY, ids=lambda v: str(v)[:40])
def test_quote_that_is_not_body_text_fails(docs, name, page, quote):
    doc = docs[name]
    assert quote_status(quote, page, doc.page_map()) == "ok"          # the quote is on the page ...
    assert quote_status(quote, page, doc.page_map(), doc.prose_map()) == "not_body"   # ... not in its prose


@pytest.mark.parametrize("name,page,quote", BODY, ids=lambda v: str(v)[:40])
def test_body_quote_passes(docs, name, page, quote):
    doc = docs[name]
    assert quote_status(quote, page, doc.page_map(), doc.prose_map()) == "ok"


def test_sentence_split_by_a_caption_is_found_in_prose(docs):
    doc = docs["0908.0054v1"]
    quote = ("Once the species is decoupled from the rest of matter, its phase-space distribution function "
             "is “freezed-out” and its temperature can only relax with the expansion of the universe")
    assert quote_status(quote, 2, doc.page_map()) == "not_found"      # a caption sits inside it
    assert quote_status(quote, 2, doc.page_map(), doc.prose_map()) == "ok"


def test_most_of_every_paper_stays_prose(docs):
    for name, doc in docs.items():
        body_pages = {p.number for p in doc.body}
        prose = sum(len(t) for n, t in doc.prose_map().items() if n in body_pages)
        full = sum(len(p.text) for p in doc.body)
        assert prose >= 0.6 * full, (name, prose, full)
        assert doc.garbled_pages == []
