"""Reading arXiv API answers (Atom): real recorded feeds from ../shared/corpus/atom and our own
XML for the cases the corpus lacks (old-style ids, missing fields, hostile XML)."""

import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ronbun.arxiv import parse_feed, parse_retry_after
from ronbun.errors import ArxivUnavailable, InvalidPaperId, PaperNotFound
from ronbun.ids import PaperRef, parse_id

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "atom"
ATOM = "{http://www.w3.org/2005/Atom}"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")


def corpus(name_prefix: str) -> bytes:
    [path] = sorted(CORPUS.glob(f"{name_prefix}*.xml"))
    return path.read_bytes()


def feed(*entries: str, encoding: str = "UTF-8") -> bytes:
    """A feed in arXiv's 2026 shape around the given <entry> elements."""
    return (f"<?xml version='1.0' encoding='{encoding}'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "  <id>https://arxiv.org/api/abc</id>\n"
            "  <title>arXiv Query: search_query=&amp;id_list=x&amp;start=0&amp;max_results=1</title>\n"
            f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
            + "".join(entries) + "</feed>\n").encode(encoding)


def entry(vid: str, *, title: str = "A Title", summary: str = "An abstract.",
          authors: tuple[str, ...] = ("Ada Lovelace",), categories: tuple[str, ...] = ("cs.CL",),
          primary: str | None = "cs.CL", published: str = "2024-01-29T18:59:59Z",
          updated: str = "2024-02-16T10:00:00Z", extra: str = "") -> str:
    return ("  <entry>\n"
            f"    <id>http://arxiv.org/abs/{vid}</id>\n"
            f"    <title>{title}</title>\n"
            f"    <updated>{updated}</updated>\n"
            f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>\n'
            f"    <summary>{summary}</summary>\n"
            + "".join(f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n' for c in categories)
            + f"    <published>{published}</published>\n"
            + (f'    <arxiv:primary_category term="{primary}"/>\n' if primary else "")
            + "".join(f"    <author><name>{a}</name></author>\n" for a in authors)
            + extra + "  </entry>\n")


# ---------------------------------------------------------------------------- the real corpus

@needs_corpus
def test_corpus_single_entry_feed_gives_every_field():
    # Given arXiv's recorded answer for 1605.08386  When parsed for that id
    paper = parse_feed(corpus("arxivpy_id_1605.08386"), parse_id("1605.08386"))
    # Then metadata, latest version and public URLs come out
    assert paper.id == "1605.08386"
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert (paper.published, paper.updated) == ("2016-05-26", "2016-05-26")
    assert paper.categories == ["math.CO", "math.ST"]
    assert paper.abstract.startswith("Graphs on lattice points are studied")
    assert paper.abstract.endswith("is an expander in fixed dimension.")
    assert paper.comment == "20 pages, 3 figures"
    assert (paper.doi, paper.journal_ref) == (None, None)
    assert (paper.version, paper.latest_version) == (1, 1)
    assert paper.abs_url == "https://arxiv.org/abs/1605.08386v1"
    assert paper.pdf_url == "https://arxiv.org/pdf/1605.08386v1"


@needs_corpus
def test_corpus_title_that_is_just_zero_is_kept():
    # Given the recorded answer whose title is literally "0"  Then it is not mistaken for missing
    paper = parse_feed(corpus("arxivpy_id_2104.12255v1"), parse_id("2104.12255v1"))
    assert paper.title == "0"
    assert (paper.version, paper.categories, paper.authors) == (1, ["cs.CR"], ["Quan Thoi Minh Nguyen"])


@needs_corpus
def test_corpus_id_list_with_a_silently_dropped_id_finds_the_other():
    xml = corpus("arxivpy_id_0808.05394_1707.08567")
    paper = parse_feed(xml, parse_id("1707.08567"))
    assert len(paper.authors) == 34
    assert paper.authors[-2] == "Dirk Wübben"
    assert paper.published == "2017-07-27"


@needs_corpus
def test_corpus_id_list_with_a_silently_dropped_id_reports_not_found_for_it():
    # Given arXiv dropped 0808.05394 from the answer (it does not exist)  Then: not found
    with pytest.raises(PaperNotFound):
        parse_feed(corpus("arxivpy_id_0808.05394_1707.08567"), PaperRef("0808.05394"))


@needs_corpus
def test_corpus_error_feed_means_invalid_id():
    with pytest.raises(InvalidPaperId) as info:
        parse_feed(corpus("arxivdocs_manual_error"), PaperRef("1234.12345"))
    assert "incorrect id format" in str(info.value)


@needs_corpus
def test_corpus_2007_format_old_style_entry_takes_version_from_its_link():
    # Given the manual's 2007-format entry (versionless <id>, old-style id, multi-line title)
    paper = parse_feed(corpus("arxivdocs_manual_typical"), parse_id("hep-ex/0307015"))
    assert paper.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert paper.published == "2003-07-07"
    assert paper.journal_ref == "Eur.Phys.J. C31 (2003) 17-29"
    assert paper.comment == "23 pages, 8 figures and 4 tables"
    assert paper.latest_version == 1
    assert paper.pdf_url == "https://arxiv.org/pdf/hep-ex/0307015v1"
    assert "\n" not in paper.abstract and "  " not in paper.abstract


@needs_corpus
def test_corpus_search_page_picks_the_entry_for_the_requested_id():
    paper = parse_feed(corpus("arxivpy_q_testing"), parse_id("2204.08348"))
    assert paper.title == "Automated Test Generation for REST APIs: No Time to Rest Yet"
    assert (paper.latest_version, paper.published, paper.updated) == (3, "2022-04-18", "2022-07-06")
    assert paper.doi == "10.1145/3533767.3534401"
    assert paper.categories == ["cs.SE"]


@needs_corpus
@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else [], ids=lambda p: p.name)
def test_every_corpus_entry_parses_for_its_own_id(path):
    # Given any recorded feed  When each entry is looked up by its own id
    xml = path.read_bytes()
    for el in ElementTree.fromstring(xml).findall(f"{ATOM}entry"):
        raw_id = el.findtext(f"{ATOM}id").strip()
        if "/api/errors" in raw_id:
            with pytest.raises(InvalidPaperId):
                parse_feed(xml, PaperRef("1234.12345"))
            continue
        ref = parse_id(raw_id.split("/abs/", 1)[1])
        paper = parse_feed(xml, ref.with_version(None))
        # Then it yields that paper with a title, its first author and the latest version
        assert paper.id == ref.id
        assert paper.title == " ".join(el.findtext(f"{ATOM}title").split())
        assert paper.authors[0] == el.find(f"{ATOM}author/{ATOM}name").text.strip()
        assert paper.abs_url.startswith(f"https://arxiv.org/abs/{ref.id}v")


# ---------------------------------------------------------------------------- our own XML

def test_old_style_entry_matches_a_ref_with_subject_class():
    xml = feed(entry("math/0309136v2", title="Knots", categories=("math.GT",), primary="math.GT"))
    paper = parse_feed(xml, parse_id("math.GT/0309136"))
    assert paper.id == "math/0309136"
    assert paper.abs_url == "https://arxiv.org/abs/math/0309136v2"
    assert paper.pdf_url == "https://arxiv.org/pdf/math/0309136v2"


def test_authors_keep_their_order_with_whitespace_collapsed():
    xml = feed(entry("2401.15884v1", authors=("Hana  Sato", "\n  Daniel Okafor\n", "Mei Lin")))
    assert parse_feed(xml, parse_id("2401.15884")).authors == ["Hana Sato", "Daniel Okafor", "Mei Lin"]


def test_title_and_abstract_lose_line_breaks_and_indentation():
    xml = feed(entry("2401.15884v1", title="Sparse Adapter\n    Routing  for\tSummarization",
                     summary="  We present\n  a method.\n\n  It works.\n"))
    paper = parse_feed(xml, parse_id("2401.15884"))
    assert paper.title == "Sparse Adapter Routing for Summarization"
    assert paper.abstract == "We present a method. It works."


def test_escaped_markup_in_title_is_text():
    xml = feed(entry("2401.15884v1", title="Promises &amp; Perils of &lt;b&gt;LLMs&lt;/b&gt;"))
    assert parse_feed(xml, parse_id("2401.15884")).title == "Promises & Perils of <b>LLMs</b>"


def test_primary_category_comes_first_without_duplicates():
    xml = feed(entry("2401.15884v1", categories=("cs.LG", "cs.CL", "stat.ML", "cs.LG"), primary="cs.CL"))
    assert parse_feed(xml, parse_id("2401.15884")).categories == ["cs.CL", "cs.LG", "stat.ML"]


def test_missing_optional_fields_are_none_or_empty():
    # Given an entry without comment, journal ref, DOI, primary category or authors
    xml = feed(entry("2401.15884v1", authors=(), primary=None, categories=("cs.CL",)))
    paper = parse_feed(xml, parse_id("2401.15884"))
    assert (paper.comment, paper.journal_ref, paper.doi) == (None, None, None)
    assert paper.authors == []
    assert paper.categories == ["cs.CL"]


def test_optional_fields_are_read_when_present():
    extra = ("    <arxiv:comment>12 pages,\n 3 figures</arxiv:comment>\n"
             "    <arxiv:journal_ref>ACL 2024</arxiv:journal_ref>\n"
             "    <arxiv:doi>10.18653/v1/2024.acl-long.1</arxiv:doi>\n")
    paper = parse_feed(feed(entry("2401.15884v1", extra=extra)), parse_id("2401.15884"))
    assert (paper.comment, paper.journal_ref, paper.doi) == (
        "12 pages, 3 figures", "ACL 2024", "10.18653/v1/2024.acl-long.1")


def test_dates_are_reduced_to_the_day():
    xml = feed(entry("2401.15884v2", published="2024-01-29T18:59:59Z", updated="2024-02-16T10:00:00-05:00"))
    paper = parse_feed(xml, parse_id("2401.15884"))
    assert (paper.published, paper.updated) == ("2024-01-29", "2024-02-16")


def test_unversioned_request_gets_the_latest_version():
    paper = parse_feed(feed(entry("2401.15884v3")), parse_id("2401.15884"))
    assert (paper.version, paper.latest_version) == (3, 3)
    assert paper.pdf_url == "https://arxiv.org/pdf/2401.15884v3"


def test_older_version_request_keeps_its_version_and_knows_the_latest():
    # Given the feed says v3 is the latest  When v1 was asked for  Then URLs point at v1
    paper = parse_feed(feed(entry("2401.15884v3")), parse_id("2401.15884v1"))
    assert (paper.version, paper.latest_version) == (1, 3)
    assert paper.abs_url == "https://arxiv.org/abs/2401.15884v1"
    assert paper.pdf_url == "https://arxiv.org/pdf/2401.15884v1"


def test_version_newer_than_the_latest_is_not_found():
    with pytest.raises(PaperNotFound) as info:
        parse_feed(feed(entry("2401.15884v2")), parse_id("2401.15884v5"))
    assert "v5" in info.value.message_ja and "v2" in info.value.message_ja


def test_public_urls_are_always_arxiv_org_whatever_the_feed_links_say():
    xml = feed(entry("2401.15884v1").replace("https://arxiv.org/abs/", "http://127.0.0.1:9/abs/"))
    paper = parse_feed(xml, parse_id("2401.15884"))
    assert paper.abs_url == "https://arxiv.org/abs/2401.15884v1"


def test_empty_feed_is_not_found():
    with pytest.raises(PaperNotFound):
        parse_feed(feed(), parse_id("2401.15884"))


def test_feed_about_another_paper_is_not_found():
    with pytest.raises(PaperNotFound):
        parse_feed(feed(entry("2401.99999v1")), parse_id("2401.15884"))


def test_entry_with_only_an_id_is_not_found():
    # Given the placeholder entry older API versions returned for ids that do not exist
    xml = feed("  <entry>\n    <id>http://arxiv.org/abs/2401.15884</id>\n    <title/>\n    <summary/>\n  </entry>\n")
    with pytest.raises(PaperNotFound):
        parse_feed(xml, parse_id("2401.15884"))


def test_error_feed_in_the_current_format_is_an_invalid_id():
    xml = feed("  <entry>\n    <id>https://arxiv.org/api/errors#incorrect_id_format_for_2401.1</id>\n"
               "    <title>Error</title>\n    <summary>incorrect id format for 2401.1</summary>\n"
               "    <author><name>arXiv api core</name></author>\n  </entry>\n")
    with pytest.raises(InvalidPaperId) as info:
        parse_feed(xml, PaperRef("2401.1"))
    assert "incorrect id format for 2401.1" in str(info.value)


def test_a_paper_titled_error_is_still_a_paper():
    paper = parse_feed(feed(entry("2401.15884v1", title="Error")), parse_id("2401.15884"))
    assert paper.title == "Error"


def test_latin1_declared_feed_is_decoded():
    xml = feed(entry("2401.15884v1", authors=("Dirk Wübben",)), encoding="ISO-8859-1")
    assert parse_feed(xml, parse_id("2401.15884")).authors == ["Dirk Wübben"]


# ---------------------------------------------------------------------------- hostile XML

def test_external_entity_is_refused_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.15884v1</id>'
           "<title>&xxe;</title><published>2024-01-29T00:00:00Z</published></entry></feed>").encode()
    with pytest.raises(ArxivUnavailable) as info:
        parse_feed(xml, parse_id("2401.15884"))
    assert "TOP-SECRET-VALUE" not in str(info.value)
    assert info.value.retryable is False


def test_billion_laughs_is_refused_quickly():
    lol = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE feed [' + "".join(lol) + ']>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.15884v1</id>'
           "<title>&lol9;</title></entry></feed>").encode()
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable):
        parse_feed(xml, parse_id("2401.15884"))
    assert time.monotonic() - started < 1.0


def test_any_doctype_is_refused():
    xml = feed(entry("2401.15884v1")).replace(b"<feed", b"<!DOCTYPE feed>\n<feed", 1)
    with pytest.raises(ArxivUnavailable):
        parse_feed(xml, parse_id("2401.15884"))


@pytest.mark.parametrize("body", [
    b"",
    b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",         # cut short
    b"<html><body>Rate exceeded.</body></html>",                  # not Atom
    b"\xff\xfe\x00garbage",
])
def test_malformed_answers_are_a_retryable_arxiv_failure(body):
    with pytest.raises(ArxivUnavailable) as info:
        parse_feed(body, parse_id("2401.15884"))
    assert info.value.retryable is True


# ---------------------------------------------------------------------------- Retry-After

def test_retry_after_in_seconds():
    assert parse_retry_after("7") == 7.0


def test_retry_after_as_http_date_counts_from_now():
    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30.0)


def test_retry_after_in_the_past_means_now():
    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5e9", "Mon, 99 Foo 2026"])
def test_unusable_retry_after_is_ignored(value):
    assert parse_retry_after(value) is None


# ---------------------------------------------------------------------------- import hygiene

def test_module_does_not_pull_in_openai_or_pypdf():
    # Given the API function imports ronbun.arxiv  Then the heavy libraries stay unloaded
    code = "import sys, ronbun.arxiv; print(sorted(m for m in ('openai', 'pypdf') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
