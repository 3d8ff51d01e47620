"""ArxivClient against a real HTTP server (FakeArxiv on 127.0.0.1): metadata, PDFs, retries,
limits, redirects and pacing, asserted on what the server actually received."""

import subprocess
import sys
from pathlib import Path

import pytest

from ronbun import arxiv
from ronbun.arxiv import ArxivClient, PdfNotReady, get_client
from ronbun.errors import (ArxivUnavailable, InvalidPaperId, PaperNotFound, PdfNotPdf, PdfTooLarge,
                           PdfTruncated)
from ronbun.ids import PaperRef, parse_id
from ronbun.settings import get_settings
from tests.fakes.fake_arxiv import error_feed
from tests.fakes.pdfs import make_paper_pdf

pytestmark = pytest.mark.faults

PID = "2401.15884"


@pytest.fixture(scope="module")
def pdfs():
    return {1: make_paper_pdf("Version One", stamp=None), 2: make_paper_pdf("Version Two", stamp=None)}


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    """Connection failures back off BACKOFF_BASE * 2**n seconds; keep tests quick."""
    monkeypatch.setattr(arxiv, "BACKOFF_BASE", 0.01)


@pytest.fixture
def paper(fake_arxiv, pdfs):
    return fake_arxiv.add_paper(
        PID, title="Sparse Adapter Routing", authors=["Hana Sato", "Daniel Okafor"],
        abstract="We present sparse adapter routing.", categories=["cs.CL", "cs.LG"],
        published="2024-01-29", updated="2024-02-16", versions=2, pdf=pdfs, comment="12 pages", doi="10.1/x")


def client(monkeypatch, **env) -> ArxivClient:
    for name, value in env.items():
        monkeypatch.setenv(f"RONBUN_{name.upper()}", str(value))
    get_settings.cache_clear()
    return ArxivClient()


# ---------------------------------------------------------------------------- metadata

def test_metadata_of_the_latest_version(fake_arxiv, paper, monkeypatch):
    # Given a paper with two versions  When its metadata is fetched without a version
    got = client(monkeypatch).fetch_metadata(parse_id(PID))
    # Then every field arrives, the latest version is chosen, and one request was made
    assert (got.id, got.version, got.latest_version) == (PID, 2, 2)
    assert got.title == "Sparse Adapter Routing"
    assert got.authors == ["Hana Sato", "Daniel Okafor"]
    assert got.categories == ["cs.CL", "cs.LG"]
    assert (got.published, got.updated) == ("2024-01-29", "2024-02-16")
    assert (got.comment, got.doi) == ("12 pages", "10.1/x")
    assert got.pdf_url == f"https://arxiv.org/pdf/{PID}v2"
    assert fake_arxiv.requests == [("GET", f"/api/query?id_list={PID}&max_results=1")]


def test_metadata_request_carries_the_configured_user_agent(fake_arxiv, paper, monkeypatch):
    client(monkeypatch, user_agent="ronbun-test/9 (+mailto:ops@example.org)").fetch_metadata(parse_id(PID))
    assert fake_arxiv.log[0].headers["User-Agent"] == "ronbun-test/9 (+mailto:ops@example.org)"


def test_metadata_of_an_older_version_keeps_that_version(fake_arxiv, paper, monkeypatch):
    got = client(monkeypatch).fetch_metadata(parse_id(f"{PID}v1"))
    assert (got.version, got.latest_version) == (1, 2)
    assert got.abs_url == f"https://arxiv.org/abs/{PID}v1"


def test_metadata_of_an_old_style_id(fake_arxiv, monkeypatch):
    fake_arxiv.add_paper("hep-th/9901001", title="Old Strings", categories=["hep-th"], published="1999-01-04")
    got = client(monkeypatch).fetch_metadata(parse_id("hep-th/9901001v1"))
    assert (got.id, got.title, got.version) == ("hep-th/9901001", "Old Strings", 1)
    assert fake_arxiv.requests[0][1] == "/api/query?id_list=hep-th/9901001&max_results=1"


def test_unknown_id_is_not_found(fake_arxiv, monkeypatch):
    with pytest.raises(PaperNotFound):
        client(monkeypatch).fetch_metadata(parse_id("2401.99999"))


def test_nonexistent_version_is_not_found(fake_arxiv, paper, monkeypatch):
    with pytest.raises(PaperNotFound):
        client(monkeypatch).fetch_metadata(parse_id(f"{PID}v3"))


def test_ref_that_bypassed_the_grammar_is_refused_before_any_request(fake_arxiv, monkeypatch):
    c = client(monkeypatch)
    for ref in (PaperRef("../../admin"), PaperRef("2401.15884&id_list=1"), PaperRef("1234.12345")):
        with pytest.raises(InvalidPaperId):
            c.fetch_metadata(ref)
        with pytest.raises(InvalidPaperId):
            c.download_pdf(ref)
    assert fake_arxiv.requests == []


def test_error_feed_with_http_400_is_an_invalid_id(fake_arxiv, monkeypatch):
    fake_arxiv.respond("/api/query", error_feed(PID), status=400, content_type="application/atom+xml")
    with pytest.raises(InvalidPaperId):
        client(monkeypatch).fetch_metadata(parse_id(PID))


def test_metadata_retries_after_503_then_succeeds(fake_arxiv, paper, monkeypatch):
    fake_arxiv.fail("/api/query", [503, 503], retry_after=0)
    got = client(monkeypatch).fetch_metadata(parse_id(PID))
    assert got.title == "Sparse Adapter Routing"
    assert fake_arxiv.count("/api/query") == 3


def test_malformed_xml_is_retried_as_unavailable(fake_arxiv, paper, monkeypatch):
    fake_arxiv.respond("/api/query", b"<feed><entry>", content_type="application/atom+xml", times=None)
    with pytest.raises(ArxivUnavailable) as info:
        client(monkeypatch).fetch_metadata(parse_id(PID))
    assert info.value.retryable is True


# ---------------------------------------------------------------------------- PDFs

def test_pdf_of_a_version(fake_arxiv, paper, pdfs, monkeypatch):
    data = client(monkeypatch).download_pdf(parse_id(f"{PID}v1"))
    assert data == pdfs[1]
    assert fake_arxiv.requests == [("GET", f"/pdf/{PID}v1")]


def test_pdf_without_version_asks_for_the_latest(fake_arxiv, paper, pdfs, monkeypatch):
    data = client(monkeypatch).download_pdf(parse_id(PID))
    assert data == pdfs[2]
    assert fake_arxiv.requests == [("GET", f"/pdf/{PID}")]


def test_pdf_of_an_old_style_id_keeps_its_slash(fake_arxiv, pdfs, monkeypatch):
    fake_arxiv.add_paper("math/0309136", pdf=pdfs[1], published="2003-09-08")
    assert client(monkeypatch).download_pdf(parse_id("math.GT/0309136v1")) == pdfs[1]
    assert fake_arxiv.requests == [("GET", "/pdf/math/0309136v1")]


def test_pdf_after_503s_with_retry_after_zero(fake_arxiv, paper, pdfs, monkeypatch):
    fake_arxiv.fail("/pdf/", [503, 503], retry_after=0)
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v2")) == pdfs[2]
    assert fake_arxiv.count("/pdf/") == 3


def test_429_retry_after_is_honoured(fake_arxiv, paper, pdfs, monkeypatch):
    # Given arXiv says "429, retry after 1 s"  When the PDF is fetched
    fake_arxiv.fail("/pdf/", [429], retry_after=1)
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v2")) == pdfs[2]
    # Then the second request came no sooner than arXiv asked
    first, second = fake_arxiv.log
    assert second.at - first.at >= 0.95


def test_http_date_retry_after_is_honoured(fake_arxiv, paper, pdfs, monkeypatch):
    from email.utils import formatdate
    import time
    fake_arxiv.fail("/pdf/", [503], retry_after=formatdate(time.time() + 2, usegmt=True))
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v2")) == pdfs[2]
    first, second = fake_arxiv.log
    assert second.at - first.at >= 0.9      # the date has one-second resolution


def test_retry_after_beyond_the_limit_gives_up_at_once(fake_arxiv, paper, monkeypatch):
    fake_arxiv.fail("/pdf/", [503], retry_after=120)
    with pytest.raises(ArxivUnavailable) as info:
        client(monkeypatch, arxiv_max_retry_after=5).download_pdf(parse_id(f"{PID}v2"))
    assert "120" in str(info.value)
    assert fake_arxiv.count("/pdf/") == 1


def test_persistent_503_ends_as_unavailable_after_the_retries(fake_arxiv, paper, monkeypatch):
    fake_arxiv.fail("/pdf/", [503] * 5, retry_after=0)
    with pytest.raises(ArxivUnavailable) as info:
        client(monkeypatch, arxiv_retries=2).download_pdf(parse_id(f"{PID}v2"))
    assert "3 attempts" in str(info.value) and "HTTP 503" in str(info.value)
    assert info.value.retryable is True
    assert fake_arxiv.count("/pdf/") == 3


def test_connection_reset_is_retried(fake_arxiv, paper, pdfs, monkeypatch):
    fake_arxiv.reset_connection("/pdf/", times=1)
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v1")) == pdfs[1]
    assert fake_arxiv.count("/pdf/") == 2


def test_connection_reset_on_metadata_is_retried(fake_arxiv, paper, monkeypatch):
    fake_arxiv.reset_connection("/api/query", times=2)
    assert client(monkeypatch).fetch_metadata(parse_id(PID)).version == 2
    assert fake_arxiv.count("/api/query") == 3


def test_slow_answer_times_out_and_is_retried(fake_arxiv, paper, monkeypatch):
    fake_arxiv.delay("/api/query", 1.0)
    with pytest.raises(ArxivUnavailable) as info:
        client(monkeypatch, arxiv_timeout=0.2, arxiv_retries=1).fetch_metadata(parse_id(PID))
    assert "timed out" in str(info.value).lower()
    assert fake_arxiv.wait_count("/api/query", 2) == 2


def test_pdf_download_stops_at_its_total_time_limit(fake_arxiv, paper, monkeypatch):
    # Given the PDF would arrive after 2 s but PDFs may take 0.5 s in all  Then: unavailable
    fake_arxiv.delay("/pdf/", 2.0)
    with pytest.raises(ArxivUnavailable):
        client(monkeypatch, pdf_max_seconds=0.5, arxiv_timeout=10).download_pdf(parse_id(f"{PID}v2"))


def test_the_pdf_is_being_generated_page_is_retryable_not_an_invalid_pdf(fake_arxiv, paper, monkeypatch):
    # Given arXiv answering its "PDF is being generated" HTML page
    fake_arxiv.serve_html_instead_of_pdf(PID)
    # When the PDF is downloaded  Then it is "not ready" (worth a later try), not an invalid PDF
    with pytest.raises(PdfNotReady) as raised:
        client(monkeypatch).download_pdf(parse_id(f"{PID}v2"))
    assert raised.value.retryable and raised.value.code == "pdf_not_ready" and raised.value.message_ja
    assert fake_arxiv.count("/pdf/") == 1


def test_another_html_page_instead_of_pdf_is_not_a_pdf(fake_arxiv, paper, monkeypatch):
    fake_arxiv.respond("/pdf/", b"<!DOCTYPE html><html><body>Access denied</body></html>", content_type="text/html")
    with pytest.raises(PdfNotPdf) as raised:
        client(monkeypatch).download_pdf(parse_id(f"{PID}v2"))
    assert not raised.value.retryable
    assert fake_arxiv.count("/pdf/") == 1


def test_pdf_content_type_with_html_bytes_is_not_a_pdf(fake_arxiv, paper, monkeypatch):
    fake_arxiv.respond("/pdf/", b"<!DOCTYPE html><html>captcha</html>", content_type="application/pdf")
    with pytest.raises(PdfNotPdf):
        client(monkeypatch).download_pdf(parse_id(f"{PID}v2"))


def test_octet_stream_pdf_is_accepted(fake_arxiv, paper, pdfs, monkeypatch):
    fake_arxiv.respond("/pdf/", pdfs[1], content_type="application/octet-stream")
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v1")) == pdfs[1]


def test_oversize_pdf_fails_on_content_length(fake_arxiv, paper, pdfs, monkeypatch):
    # Given a limit smaller than the PDF  Then it fails before reading, and is not retried
    with pytest.raises(PdfTooLarge) as info:
        client(monkeypatch, pdf_max_bytes=1000).download_pdf(parse_id(f"{PID}v2"))
    assert str(len(pdfs[2])) in str(info.value)
    assert fake_arxiv.count("/pdf/") == 1


def test_oversize_pdf_without_content_length_is_cut_off(fake_arxiv, paper, monkeypatch):
    big = b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n"
    fake_arxiv.respond("/pdf/", big, content_type="application/pdf", content_length=False)
    with pytest.raises(PdfTooLarge):
        client(monkeypatch, pdf_max_bytes=100_000).download_pdf(parse_id(f"{PID}v2"))


def test_pdf_without_content_length_and_no_eof_marker_is_truncated(fake_arxiv, paper, pdfs, monkeypatch):
    fake_arxiv.respond("/pdf/", pdfs[1][: len(pdfs[1]) // 2], content_type="application/pdf",
                       content_length=False, times=None)
    with pytest.raises(PdfTruncated):
        client(monkeypatch).download_pdf(parse_id(f"{PID}v1"))


def test_truncated_pdf_is_retried_once_then_fails(fake_arxiv, paper, monkeypatch):
    fake_arxiv.truncate_pdf(PID)
    with pytest.raises(PdfTruncated):
        client(monkeypatch).download_pdf(parse_id(f"{PID}v2"))
    assert fake_arxiv.count("/pdf/") == 2


def test_truncated_pdf_once_succeeds_on_the_retry(fake_arxiv, paper, pdfs, monkeypatch):
    fake_arxiv.truncate_pdf(PID, times=1)
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v2")) == pdfs[2]
    assert fake_arxiv.count("/pdf/") == 2


def test_missing_pdf_is_not_found(fake_arxiv, monkeypatch):
    with pytest.raises(PaperNotFound):
        client(monkeypatch).download_pdf(parse_id("2401.99999v1"))
    assert fake_arxiv.count("/pdf/") == 1


# ---------------------------------------------------------------------------- redirects

def test_redirect_to_another_host_is_refused(fake_arxiv, paper, monkeypatch):
    # Given arXiv redirects to a host that is not arXiv (here: the same server under another
    # name, so following it would succeed)  Then the client refuses without following
    fake_arxiv.redirect("/pdf/", f"http://localhost:{fake_arxiv.port}/pdf/{PID}v2", times=1)
    with pytest.raises(ArxivUnavailable) as info:
        client(monkeypatch).download_pdf(parse_id(f"{PID}v2"))
    assert "refused redirect" in str(info.value)
    assert info.value.retryable is False
    assert fake_arxiv.count("/pdf/") == 1


def test_redirect_to_a_foreign_site_is_refused_for_metadata(fake_arxiv, paper, monkeypatch):
    fake_arxiv.redirect("/api/query", "https://evil.example/api/query?id_list=2401.15884", status=301)
    with pytest.raises(ArxivUnavailable):
        client(monkeypatch).fetch_metadata(parse_id(PID))
    assert fake_arxiv.count("/") == 1


def test_redirect_within_the_arxiv_host_is_followed(fake_arxiv, paper, pdfs, monkeypatch):
    fake_arxiv.redirect(f"/pdf/{PID}v1", f"/pdf/{PID}v2", times=1)
    assert client(monkeypatch).download_pdf(parse_id(f"{PID}v1")) == pdfs[2]
    assert [p for _, p in fake_arxiv.requests] == [f"/pdf/{PID}v1", f"/pdf/{PID}v2"]


def test_redirect_loop_ends(fake_arxiv, paper, monkeypatch):
    fake_arxiv.redirect("/pdf/", f"{fake_arxiv.url}/pdf/{PID}v2")
    with pytest.raises(ArxivUnavailable):
        client(monkeypatch).download_pdf(parse_id(f"{PID}v2"))
    assert fake_arxiv.count("/pdf/") == arxiv.MAX_REDIRECTS + 1


# ---------------------------------------------------------------------------- pacing, cache

def test_requests_are_spaced_by_the_minimum_interval(fake_arxiv, paper, monkeypatch):
    # Given one request per 0.2 s is allowed  When three are made back to back
    c = client(monkeypatch, arxiv_min_interval=0.2)
    c.fetch_metadata(parse_id(PID))
    c.download_pdf(parse_id(f"{PID}v2"))
    ArxivClient().fetch_metadata(parse_id(PID))       # pacing is per process, not per client
    # Then the server saw them about 0.2 s apart (less the few tens of ms a loaded machine's
    # server thread may take to pick a request up, as in test_arxiv_pacer)
    times = [s.at for s in fake_arxiv.log]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.2 - 0.1


def test_get_client_is_cached_until_settings_change(fake_arxiv, monkeypatch):
    first = get_client()
    assert get_client() is first
    monkeypatch.setenv("RONBUN_ARXIV_BASE_URL", "http://127.0.0.1:1")
    get_settings.cache_clear()
    second = get_client()
    assert second is not first
    assert second.settings.arxiv_base_url == "http://127.0.0.1:1"


def test_fake_serves_abs_and_html_pages_for_the_extension(fake_arxiv, paper):
    import urllib.request
    for path in (f"/abs/{PID}", f"/abs/{PID}v1", f"/html/{PID}v2"):
        with urllib.request.urlopen(fake_arxiv.url + path, timeout=5) as r:
            page = r.read().decode()
        assert r.headers["Content-Type"].startswith("text/html")
        assert "Sparse Adapter Routing" in page
    with urllib.request.urlopen(f"{fake_arxiv.url}/abs/{PID}", timeout=5) as r:
        assert '<h1 class="title mathjax"><span class="descriptor">Title:</span>Sparse Adapter Routing</h1>' \
            in r.read().decode()


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pdf").is_dir(),
                    reason="corpus not found")
def test_standalone_fake_serves_the_corpus(monkeypatch):
    # Given `python -m tests.fakes.fake_arxiv --port 0` (how e2e tests and demos start it)
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.fake_arxiv", "--port", "0"], cwd=repo,
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("ready http://127.0.0.1:")
        base = line.split()[1]
        c = client(monkeypatch, arxiv_api_url=f"{base}/api/query", arxiv_base_url=base)
        # When a corpus paper is asked for  Then its metadata and the real PDF come back
        paper = c.fetch_metadata(parse_id("2004.04906"))
        assert paper.title == "Dense Passage Retrieval for Open-Domain Question Answering"
        assert paper.latest_version == 3
        pdf = c.download_pdf(parse_id("2004.04906v3"))
        assert pdf == (repo.parent / "shared" / "corpus" / "pdf" / "2004.04906v3.pdf").read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_fake_answers_a_malformed_id_with_the_error_feed(fake_arxiv):
    import urllib.error
    import urllib.request
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{fake_arxiv.api_url}?id_list=1234.12345", timeout=5)
    assert info.value.code == 400
    with pytest.raises(InvalidPaperId):
        arxiv.parse_feed(info.value.read(), PaperRef("1234.12345"))
