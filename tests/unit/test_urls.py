"""Code and data URLs are taken from the paper's text as written, never made up."""

import random
import re

import pytest

from ronbun import urls
from ronbun.pdftext import extract
from ronbun.urls import find_code_urls
from tests.fakes.pdfs import make_paper_pdf


@pytest.mark.parametrize("text, expected", [
    ("Code: https://github.com/org/repo.", "https://github.com/org/repo"),
    ("(see http://gitlab.com/group/project)", "https://gitlab.com/group/project"),
    ("at github.com/org/repo, and", "https://github.com/org/repo"),
    ("https://www.GitHub.com/org/repo.git;", "https://github.com/org/repo"),
    ("https://huggingface.co/datasets/ds4sd/DocLayNet", "https://huggingface.co/datasets/ds4sd/DocLayNet"),
    ("bitbucket.org/team/tool/", "https://bitbucket.org/team/tool"),
    ("codeberg.org/user/lib!", "https://codeberg.org/user/lib"),
    ("https://sourceforge.net/projects/pdfbox", "https://sourceforge.net/projects/pdfbox"),
    ("https://zenodo.org/record/7347926.", "https://zenodo.org/record/7347926"),
    ("https://doi.org/10.5281/zenodo.2649217.", "https://doi.org/10.5281/zenodo.2649217"),
    ("6https://github.com/bytedance/pasa", "https://github.com/bytedance/pasa"),  # footnote mark
    ("[https://github.com/a/b]", "https://github.com/a/b"),
])
def test_code_urls_are_found_and_normalised(text, expected):
    # Given a code or data URL as PDFs print it  When searched  Then it comes back as https
    assert find_code_urls(text) == [expected]


@pytest.mark.parametrize("text", [
    "We host nothing on github.com itself.",
    "See https://arxiv.org/abs/2401.15884 and https://example.org/github.com/a/b",
    "mail foo@github.com for access",
    "https://github.company.example/a/b",
    "pages at ds4sd.github.io/icdar23",
])
def test_other_urls_are_ignored(text):
    assert find_code_urls(text) == []


@pytest.mark.parametrize("text", [
    "released at https://github.com/facebookresearch/\nDPR and more",
    "released at https:\n//github.com/facebookresearch/DPR and more",
    "released at https://github.com/facebook\nresearch/DPR and more",
    "released at https://github.\ncom/facebookresearch/DPR and more",
])
def test_url_broken_across_lines_is_joined(text):
    assert find_code_urls(text) == ["https://github.com/facebookresearch/DPR"]


@pytest.mark.parametrize("text, expected", [
    ("models at https://github.com/facebookresearch/DPR.\n2For instance", "https://github.com/facebookresearch/DPR"),
    ("code: https://github.com/org/repo\nand the data", "https://github.com/org/repo"),
])
def test_complete_url_at_line_end_is_not_joined(text, expected):
    assert find_code_urls(text) == [expected]


def test_urls_are_deduplicated_in_order():
    text = "https://github.com/b/two https://github.com/a/one http://github.com/B/two/ github.com/a/one"
    assert find_code_urls(text) == ["https://github.com/b/two", "https://github.com/a/one"]


def test_url_wrapped_in_a_pdf_is_found_whole():
    # Given a long repository URL that the PDF wraps after a slash  When extracted and searched
    url = "https://github.com/example-org/sparse-adapter-routing-for-multilingual-summarization"
    ex = extract(make_paper_pdf(two_column=True, code_url=url))
    assert url not in ex.page_map()[1]
    assert find_code_urls(ex.body_text()) == [url]


def test_urls_module_does_not_import_pypdf():
    import subprocess
    import sys

    code = "import sys, ronbun.urls; print('pypdf' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------- URL at a line's end

_OLD_URL_AT_END = re.compile(  # the former, quadratic regex: the oracle on short lines
    rf"(?i)(?:https?:/?/?|(?:https?://)?(?:[\w-]+\.)*(?:{urls._HOSTS}|doi\.org)(?:/\S*)?|(?:https?://)\S*)$")
_PIECES = ["github.com", "GitHub.com", "gitlab.com", "hf.co", "huggingface.co", "doi.org", "https://", "http:",
           "https:/", "http://", "/", ".", "..", "a", "b-c", "_", " ", "x", "www.", "org", "com", "zenodo.org/",
           "hf.com", "-", "é", "\t", "co/", ":"]


def test_the_linear_url_at_end_finds_what_the_regex_found():
    # Given 20,000 random short lines built from URL fragments
    rng = random.Random(7)
    for _ in range(20_000):
        line = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8)))
        # Then the linear search finds exactly the former regex's match (or none)
        m = _OLD_URL_AT_END.search(line)
        assert urls._url_at_end(line) == (m.group(0) if m else None), line


def test_a_url_broken_after_a_40000_character_line_is_still_joined():
    line = "ACGT" * 10_000
    text = f"{line}\nCode: https://github.com/\nsato/adapters and more\n{line}"
    assert urls.find_code_urls(text) == ["https://github.com/sato/adapters"]
