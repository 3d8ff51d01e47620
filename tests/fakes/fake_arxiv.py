"""Fake arXiv HTTP server (Atom API, abs/html pages, PDFs) and its pytest fixtures.

A real ThreadingHTTPServer on 127.0.0.1 speaks the shapes arXiv speaks in 2026: the Atom feed
of ``/api/query?id_list=...`` (an empty feed for unknown ids, the 400 error feed for malformed
ones), ``/abs/{id}[vN]`` and ``/html/{id}[vN]`` pages and ``/pdf/{id}[vN]`` PDFs. Faults are
queued per path prefix (statuses with Retry-After, delays, connection resets, redirects, HTML
instead of a PDF, truncated bodies) and every request is logged with its arrival time.

Standalone (e2e tests, demos): ``python -m tests.fakes.fake_arxiv --port 8001 [--corpus DIR]``
serves the corpus PDFs under their ids and prints ``ready http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import re
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

# What arXiv itself calls well-formed: anything else in id_list gets the 400 error feed.
_WELL_FORMED = re.compile(
    r"(\d\d(0[1-9]|1[0-2])\.\d{4,5}|[a-z]+(-[a-z]+)?(\.[A-Za-z-]+)?/\d\d(0[1-9]|1[0-2])\d{3})(v\d+)?")
_PATH_ID = re.compile(r"(?P<id>.+?)(?:v(?P<v>\d+))?(?:\.pdf)?/?")


@dataclass
class FakePaper:
    id: str
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    published: str
    updated: str
    versions: int
    pdf: dict[int, bytes] | bytes | None
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None

    def pdf_for(self, version: int) -> bytes:
        if isinstance(self.pdf, dict):
            return self.pdf.get(version) or self.pdf[max(self.pdf)]
        if self.pdf is None:
            self.pdf = _default_pdf(self)
        return self.pdf


@dataclass
class Seen:
    """One request as the server received it."""
    method: str
    path: str
    at: float                      # time.monotonic() on arrival
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Rule:
    prefix: str
    kind: str                      # status | reset | redirect | delay | respond
    remaining: int | None          # None: every time
    status: int = 0
    retry_after: str | None = None
    location: str = ""
    seconds: float = 0.0
    body: bytes = b""
    content_type: str = "text/plain"
    content_length: bool = True


def _stamp(value: str) -> str:
    """A date or timestamp as arXiv's Atom writes it (2016-05-26T17:59:46Z)."""
    return value if "T" in value else f"{value}T12:00:00Z"


def _default_pdf(paper: FakePaper) -> bytes:
    from tests.fakes.pdfs import make_paper_pdf
    stamp = f"arXiv:{paper.id}v{paper.versions}  [{(paper.categories or ['cs.CL'])[0]}]  {paper.updated[:10]}"
    return make_paper_pdf(paper.title, stamp=stamp)


class FakeArxiv:
    """The fake server. Start it with ``FakeArxiv().start()`` or the ``fake_arxiv`` fixture."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._lock = threading.Lock()
        self._papers: dict[str, FakePaper] = {}
        self._rules: list[_Rule] = []
        self._html_instead: set[str] = set()
        self._truncate: dict[str, int | None] = {}
        self._log: list[Seen] = []
        self.drips: list[dict] = []   # one per dripped answer: bytes sent, of how many, whether the client left
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> "FakeArxiv":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-arxiv", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeArxiv":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    # -- content

    def add_paper(self, paper_id: str, *, title: str = "A Test Paper", authors: list[str] | None = None,
                  abstract: str = "We study a test problem and report results.",
                  categories: list[str] | None = None, published: str = "2024-01-29",
                  updated: str | None = None, versions: int = 1,
                  pdf: bytes | dict[int, bytes] | None = None, comment: str | None = None,
                  doi: str | None = None, journal_ref: str | None = None) -> FakePaper:
        """Register a paper under its base id. `pdf` None: a generated PDF with `title`;
        a dict serves a different PDF per version."""
        if re.search(r"v\d+$", paper_id):
            raise ValueError(f"add_paper wants the base id, not {paper_id!r}")
        paper = FakePaper(paper_id, title, list(authors or ["Hana Sato", "Daniel Okafor"]), abstract,
                          list(categories or ["cs.CL"]), published, updated or published, versions, pdf,
                          comment, doi, journal_ref)
        with self._lock:
            self._papers[paper_id] = paper
        return paper

    # -- faults

    def fail(self, path_prefix: str, statuses: list[int] | tuple[int, ...] = (503, 503),
             retry_after: int | float | str | None = None) -> None:
        """The next requests under `path_prefix` get these statuses, one each, in order."""
        with self._lock:
            for status in statuses:
                self._rules.append(_Rule(path_prefix, "status", 1, status=status,
                                         retry_after=None if retry_after is None else str(retry_after)))

    def reset_connection(self, path_prefix: str, times: int = 1) -> None:
        """The next `times` requests under `path_prefix` see the connection reset (RST)."""
        with self._lock:
            self._rules.append(_Rule(path_prefix, "reset", times))

    def redirect(self, path_prefix: str, location: str, status: int = 302, times: int | None = None) -> None:
        """Requests under `path_prefix` are redirected to `location` (every time by default)."""
        with self._lock:
            self._rules.append(_Rule(path_prefix, "redirect", times, status=status, location=location))

    def respond(self, path_prefix: str, body: bytes, *, status: int = 200,
                content_type: str = "text/plain", content_length: bool = True, times: int | None = 1) -> None:
        """The next `times` requests under `path_prefix` get exactly this answer (None: always).
        content_length=False sends no Content-Length: the body ends when the connection closes."""
        with self._lock:
            self._rules.append(_Rule(path_prefix, "respond", times, status=status, body=body,
                                     content_type=content_type, content_length=content_length))

    def delay(self, path_prefix: str, seconds: float) -> None:
        """Requests under `path_prefix` wait `seconds` before any answer (0 removes the delay)."""
        with self._lock:
            self._rules = [r for r in self._rules if not (r.kind == "delay" and r.prefix == path_prefix)]
            if seconds > 0:
                self._rules.append(_Rule(path_prefix, "delay", None, seconds=seconds))

    def drip(self, path_prefix: str, bytes_per_second: float, times: int | None = None) -> None:
        """PDFs under `path_prefix` are sent a few bytes at a time at `bytes_per_second`, after
        headers promising the full length (a slow drip that never lets a socket read time out)."""
        with self._lock:
            self._rules.append(_Rule(path_prefix, "drip", times, seconds=1.0 / bytes_per_second))

    def serve_html_instead_of_pdf(self, paper_id: str) -> None:
        """/pdf/{paper_id} answers 200 text/html (arXiv's "PDF being generated" case)."""
        with self._lock:
            self._html_instead.add(paper_id)

    def truncate_pdf(self, paper_id: str, times: int | None = None) -> None:
        """/pdf/{paper_id} promises the full Content-Length but sends half (every time by default)."""
        with self._lock:
            self._truncate[paper_id] = times

    # -- log

    @property
    def log(self) -> list[Seen]:
        with self._lock:
            return list(self._log)

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path with query) of every request received, in order."""
        return [(s.method, s.path) for s in self.log]

    def count(self, path_prefix: str = "/") -> int:
        return sum(1 for s in self.log if s.path.startswith(path_prefix))

    def wait_count(self, path_prefix: str, n: int, seconds: float = 5.0) -> int:
        """count(path_prefix) once it reaches n (or the time is up). A client that gave up on a
        request (a timeout) can return before the server's thread has recorded it."""
        end = time.monotonic() + seconds
        while self.count(path_prefix) < n and time.monotonic() < end:
            time.sleep(0.01)
        return self.count(path_prefix)

    # -- internals used by the handler

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._log.append(seen)

    def _take(self, path: str, kinds: tuple[str, ...]) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and path.startswith(rule.prefix):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def _delay_for(self, path: str) -> float:
        with self._lock:
            return sum(r.seconds for r in self._rules if r.kind == "delay" and path.startswith(r.prefix))

    def _lookup(self, raw: str) -> tuple[FakePaper, int] | None:
        """The paper and version a path or id_list item names, if it exists."""
        m = _PATH_ID.fullmatch(raw)
        if not m:
            return None
        base = re.sub(r"^([a-z]+(?:-[a-z]+)?)\.[A-Za-z-]+/", r"\1/", m["id"])
        with self._lock:
            paper = self._papers.get(base)
        if paper is None:
            return None
        version = int(m["v"]) if m["v"] else paper.versions
        return (paper, version) if 1 <= version <= paper.versions else None

    def _should_truncate(self, paper_id: str) -> bool:
        with self._lock:
            if paper_id not in self._truncate:
                return False
            left = self._truncate[paper_id]
            if left is not None:
                if left <= 1:
                    del self._truncate[paper_id]
                else:
                    self._truncate[paper_id] = left - 1
            return True

    def _html_for(self, paper_id: str) -> bool:
        with self._lock:
            return paper_id in self._html_instead


# ---------------------------------------------------------------------------- rendering

def atom_feed(query: str, papers: list[tuple[FakePaper, int]], max_results: int = 10) -> bytes:
    """An arXiv API answer in the 2026 format (see ../shared/corpus/atom/arxivpy_id_*.xml)."""
    feed_id = hashlib.sha1(query.encode()).hexdigest()[:27]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        f"  <id>https://arxiv.org/api/{feed_id}</id>",
        f"  <title>arXiv Query: search_query=&amp;id_list={escape(query)}&amp;start=0&amp;max_results={max_results}</title>",
        f"  <updated>{now}</updated>",
        f'  <link href="https://arxiv.org/api/query?search_query=&amp;start=0&amp;max_results={max_results}'
        f'&amp;id_list={escape(query)}" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{len(papers)}</opensearch:totalResults>",
        "  <opensearch:startIndex>0</opensearch:startIndex>",
    ]
    for paper, version in papers:
        vid = f"{paper.id}v{version}"
        updated = paper.published if version == 1 else paper.updated
        out += [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{vid}</id>",
            f"    <title>{escape(paper.title)}</title>",
            f"    <updated>{_stamp(updated)}</updated>",
            f'    <link href="https://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{vid}" rel="related" type="application/pdf" title="pdf"/>',
            f"    <summary>{escape(paper.abstract)}</summary>",
            *(f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in paper.categories),
            f"    <published>{_stamp(paper.published)}</published>",
        ]
        if paper.comment:
            out.append(f"    <arxiv:comment>{escape(paper.comment)}</arxiv:comment>")
        if paper.categories:
            out.append(f"    <arxiv:primary_category term={quoteattr(paper.categories[0])}/>")
        if paper.journal_ref:
            out.append(f"    <arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>")
        out += [f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in paper.authors]
        if paper.doi:
            out += [f"    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>",
                    f'    <link rel="related" href={quoteattr("https://doi.org/" + paper.doi)} title="doi"/>']
        out.append("  </entry>")
    out.append("</feed>\n")
    return "\n".join(out).encode()


def error_feed(bad_id: str) -> bytes:
    """arXiv's answer (HTTP 400) to a malformed id (see arxivdocs_manual_error_*.xml)."""
    anchor = escape(f"incorrect_id_format_for_{bad_id}")
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <id>https://arxiv.org/api/{hashlib.sha1(bad_id.encode()).hexdigest()[:27]}</id>\n"
        f"  <title>arXiv Query: search_query=&amp;id_list={escape(bad_id)}&amp;start=0&amp;max_results=10</title>\n"
        f"  <updated>{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
        "  <opensearch:itemsPerPage>10</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        "  <entry>\n"
        f"    <id>https://arxiv.org/api/errors#{anchor}</id>\n"
        "    <title>Error</title>\n"
        f"    <summary>incorrect id format for {escape(bad_id)}</summary>\n"
        f"    <updated>{datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>\n"
        f'    <link href="https://arxiv.org/api/errors#{anchor}" rel="alternate" type="text/html"/>\n'
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n</feed>\n").encode()


def _subjects(categories: list[str]) -> str:
    from ronbun.taxonomy import category_name
    parts = [f"{html.escape(category_name(c))} ({html.escape(c)})" for c in categories]
    if not parts:
        return ""
    return f'<span class="primary-subject">{parts[0]}</span>' + "".join(f"; {p}" for p in parts[1:])


def _day(value: str) -> str:
    d = datetime.strptime(value[:10], "%Y-%m-%d")
    return f"{d.day} {d:%b %Y}"


def abs_page(paper: FakePaper, version: int) -> bytes:
    """An arxiv.org/abs page with the structure (classes, descriptors) of the real one."""
    e = html.escape
    vid = f"{paper.id}v{version}"
    authors = ", ".join(f'<a href="/a/{e(a.lower().replace(" ", "_"))}">{e(a)}</a>' for a in paper.authors)
    dateline = f"[Submitted on {_day(paper.published)}"
    if paper.versions > 1:
        dateline += f" (v1), last revised {_day(paper.updated)} (this version, v{version})]"
    else:
        dateline += "]"
    comment_row = (f'<tr><td class="tablecell label">Comments:</td><td class="tablecell comments mathjax">'
                   f"{e(paper.comment)}</td></tr>") if paper.comment else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>[{e(vid)}] {e(paper.title)}</title>
<meta name="citation_title" content="{e(paper.title)}">
{''.join(f'<meta name="citation_author" content="{e(a)}">' for a in paper.authors)}
<meta name="citation_date" content="{e(paper.published[:10].replace('-', '/'))}">
<meta name="citation_pdf_url" content="https://arxiv.org/pdf/{e(vid)}">
<meta name="citation_arxiv_id" content="{e(paper.id)}">
<meta name="citation_abstract" content="{e(paper.abstract)}">
<link rel="canonical" href="https://arxiv.org/abs/{e(vid)}">
</head>
<body class="with-cu-identity">
<div id="header"><h1><a href="/">arXiv</a> &gt; <a href="/list/{e(paper.categories[0] if paper.categories else 'cs')}/recent">{e(paper.categories[0] if paper.categories else 'cs')}</a> &gt; arXiv:{e(vid)}</h1></div>
<main>
<div id="content">
<div id="abs-outer">
<div class="leftcolumn">
<div class="subheader"><h1>{_subjects(paper.categories[:1])}</h1></div>
<div id="content-inner">
<div id="abs">
<div class="dateline">{e(dateline)}</div>
<h1 class="title mathjax"><span class="descriptor">Title:</span>{e(paper.title)}</h1>
<div class="authors"><span class="descriptor">Authors:</span>{authors}</div>
<blockquote class="abstract mathjax"><span class="descriptor">Abstract:</span>{e(paper.abstract)}</blockquote>
<div class="metatable"><table summary="Additional metadata">
{comment_row}<tr><td class="tablecell label">Subjects:</td><td class="tablecell subjects">{_subjects(paper.categories)}</td></tr>
<tr><td class="tablecell label">Cite as:</td><td class="tablecell arxivid"><span class="arxivid"><a href="https://arxiv.org/abs/{e(paper.id)}">arXiv:{e(paper.id)}</a></span></td></tr>
</table></div>
</div>
</div>
</div>
<div class="extra-services">
<div class="full-text"><h2>Access Paper:</h2><ul>
<li><a href="/pdf/{e(vid)}" aria-describedby="download-button-info" class="abs-button download-pdf">View PDF</a></li>
<li><a href="https://arxiv.org/html/{e(vid)}" class="abs-button" id="latexml-download-link">HTML (experimental)</a></li>
</ul></div>
</div>
</div>
</div>
</main>
</body>
</html>
""".encode()


def html_page(paper: FakePaper, version: int) -> bytes:
    """An arxiv.org/html (LaTeXML) rendering of the paper's front matter."""
    e = html.escape
    authors = "".join(f'<span class="ltx_creator ltx_role_author"><span class="ltx_personname">{e(a)}</span></span>'
                      for a in paper.authors)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{e(paper.title)}</title></head>
<body>
<div class="ltx_page_main"><div class="ltx_page_content">
<article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">{e(paper.title)}</h1>
<div class="ltx_authors">{authors}</div>
<div class="ltx_abstract"><h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p class="ltx_p" id="id1.id1">{e(paper.abstract)}</p></div>
<section class="ltx_section" id="S1"><h2 class="ltx_title ltx_title_section">1 Introduction</h2>
<div class="ltx_para" id="S1.p1"><p class="ltx_p">arXiv:{e(paper.id)}v{version}</p></div></section>
</article>
</div></div>
</body>
</html>
""".encode()


_NOT_A_PDF = b"""<!DOCTYPE html>
<html><head><title>arXiv PDF</title></head>
<body><h1>PDF is being generated</h1><p>Please try again in a few minutes.</p></body></html>
"""


# ---------------------------------------------------------------------------- HTTP handler

class _Handler(BaseHTTPRequestHandler):
    fake: FakeArxiv
    server_version = "FakeArxiv/1.0"
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        self.head = head
        fake = self.fake
        arrived = time.monotonic()
        wait = fake._delay_for(self.path)     # read before the request is seen: a test lifts a delay once it is
        fake._record(Seen(self.command, self.path, arrived, dict(self.headers.items())))
        path = urlsplit(self.path).path
        if wait:
            time.sleep(wait)
        if fake._take(self.path, ("reset",)):
            return self._reset()
        rule = fake._take(self.path, ("status", "redirect", "respond"))
        if rule and rule.kind == "respond":
            return self._send(rule.status, rule.body, rule.content_type, length=rule.content_length)
        if rule and rule.kind == "redirect":
            return self._send(rule.status, b"", "text/plain", {"Location": rule.location})
        if rule:
            extra = {"Retry-After": rule.retry_after} if rule.retry_after is not None else {}
            return self._send(rule.status, f"HTTP {rule.status}\n".encode(), "text/plain", extra)
        try:
            if path == "/api/query":
                return self._api()
            for kind, render in (("abs", abs_page), ("html", html_page), ("pdf", None)):
                if path.startswith(f"/{kind}/"):
                    found = fake._lookup(unquote(path[len(kind) + 2:]))
                    if found is None:
                        return self._send(404, b"<h1>Article identifier not recognized</h1>", "text/html")
                    if render is None:
                        return self._pdf(*found)
                    return self._send(200, render(*found), "text/html; charset=utf-8")
            return self._send(404, b"not found\n", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _api(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        ids = [i for part in query.get("id_list", []) for i in part.split(",") if i]
        try:
            max_results = int(query.get("max_results", ["10"])[0])
        except ValueError:
            max_results = 10
        bad = [i for i in ids if not _WELL_FORMED.fullmatch(i)]
        if bad:
            return self._send(400, error_feed(bad[0]), "application/atom+xml; charset=utf-8")
        found = [f for i in ids if (f := self.fake._lookup(i)) is not None]
        body = atom_feed(",".join(ids), found[:max_results], max_results)
        self._send(200, body, "application/atom+xml; charset=utf-8")

    def _pdf(self, paper: FakePaper, version: int) -> None:
        if self.fake._html_for(paper.id):
            return self._send(200, _NOT_A_PDF, "text/html; charset=utf-8")
        data = paper.pdf_for(version)
        drip = self.fake._take(self.path, ("drip",))
        if drip is not None:
            return self._drip(data, drip.seconds)
        if self.fake._should_truncate(paper.id):
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(200, data, "application/pdf")

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None,
              length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not self.head:
            self.wfile.write(body)

    def _drip(self, data: bytes, seconds_per_byte: float, step: int = 4) -> None:
        record = {"path": self.path, "total": len(data), "sent": 0, "client_left": False}
        self.fake.drips.append(record)
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                record["sent"] = min(i + step, len(data))
                time.sleep(seconds_per_byte * step)
        except (BrokenPipeError, ConnectionResetError):
            record["client_left"] = True
        self.close_connection = True

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------- pytest fixture

@pytest.fixture
def fake_arxiv(monkeypatch):
    """A running FakeArxiv; RONBUN_ARXIV_API_URL / RONBUN_ARXIV_BASE_URL point at it."""
    from ronbun.settings import get_settings
    fake = FakeArxiv().start()
    monkeypatch.setenv("RONBUN_ARXIV_API_URL", fake.api_url)
    monkeypatch.setenv("RONBUN_ARXIV_BASE_URL", fake.url)
    get_settings.cache_clear()
    try:
        yield fake
    finally:
        fake.stop()
        get_settings.cache_clear()


# ---------------------------------------------------------------------------- standalone server

# The corpus PDFs (../shared/corpus/pdf): titles and authors from their first pages, dates from
# their arXiv stamps; abstracts are the papers' opening sentences.
CORPUS_PAPERS: dict[str, dict] = {
    "0908.0054": dict(
        title="Ultra light bosonic dark matter and CMB",
        authors=["Ivan Rodriguez Montoya", "Tonatiuh Matos Chassin"],
        abstract="In this work we report the cosmological effects that a species of Ultra Light Bosonic "
                 "Dark Matter imprints in the Acoustic Peaks of the CMB, and some of its thermic features.",
        categories=["astro-ph.CO"], published="2009-08-01", versions=1, comment="4 pages"),
    "1708.05894": dict(
        title="An Improved Multi-Output Gaussian Process RNN with Real-Time Validation for Early Sepsis Detection",
        authors=["Joseph Futoma", "Sanjay Hariharan", "Katherine Heller", "Mark Sendak", "Nathan Brajer",
                 "Meredith Clement", "Armando Bedoya", "Cara O'Brien"],
        abstract="Sepsis is a poorly understood and potentially life-threatening complication that can "
                 "occur as a result of infection. In this work, we develop a flexible classifier that leverages "
                 "streaming lab results, vitals, and medications to predict sepsis before it occurs.",
        categories=["stat.ML", "cs.LG"], published="2017-08-19", versions=1,
        comment="Presented at Machine Learning for Healthcare 2017"),
    "2004.04906": dict(
        title="Dense Passage Retrieval for Open-Domain Question Answering",
        authors=["Vladimir Karpukhin", "Barlas Oğuz", "Sewon Min", "Patrick Lewis", "Ledell Wu",
                 "Sergey Edunov", "Danqi Chen", "Wen-tau Yih"],
        abstract="Open-domain question answering relies on efficient passage retrieval to select candidate "
                 "contexts, where traditional sparse vector space models, such as TF-IDF or BM25, are the de "
                 "facto method. In this work, we show that retrieval can be practically implemented using "
                 "dense representations alone.",
        categories=["cs.CL"], published="2020-04-10", updated="2020-09-30", versions=3, comment="EMNLP 2020"),
    "2206.10883": dict(
        title="Multi-LexSum: Real-World Summaries of Civil Rights Lawsuits at Multiple Granularities",
        authors=["Zejiang Shen", "Kyle Lo", "Lauren Yu", "Nathan Dahlberg", "Margo Schlanger", "Doug Downey"],
        abstract="With the advent of large language models, methods for abstractive summarization have made "
                 "great strides, creating potential for use in applications to aid knowledge workers "
                 "processing unwieldy document collections.",
        categories=["cs.CL"], published="2022-06-22", updated="2022-07-22", versions=3,
        comment="37 pages, NeurIPS 2022 Datasets and Benchmarks"),
    "2305.14962": dict(
        title="ICDAR 2023 Competition on Robust Layout Segmentation in Corporate Documents",
        authors=["Christoph Auer", "Ahmed Nassar", "Maksym Lysak", "Michele Dolfi", "Nikolaos Livathinos",
                 "Peter Staar"],
        abstract="Transforming documents into machine-processable representations is a challenging task due "
                 "to their complex structures and variability in formats.",
        categories=["cs.CV"], published="2023-05-24", versions=1, comment="ICDAR 2023, 12 pages"),
    "2501.10120": dict(
        title="PaSa: An LLM Agent for Comprehensive Academic Paper Search",
        authors=["Yichen He", "Guanhua Huang", "Peiyuan Feng", "Yuan Lin", "Yuchen Zhang", "Hang Li", "Weinan E"],
        abstract="We introduce PaSa, an advanced Paper Search agent powered by large language models. PaSa can "
                 "autonomously make a series of decisions, including invoking search tools, reading papers, "
                 "and selecting relevant references, to ultimately obtain comprehensive and accurate results "
                 "for complex scholarly queries.",
        categories=["cs.IR", "cs.CL"], published="2025-01-17", versions=1),
}


def load_corpus(fake: FakeArxiv, corpus: Path) -> list[str]:
    """Serve every corpus PDF whose id is in CORPUS_PAPERS; returns the ids served."""
    served = []
    for pdf in sorted((corpus / "pdf").glob("*.pdf")):
        m = re.fullmatch(r"(.+?)v(\d+)", pdf.stem)
        if not m or m[1] not in CORPUS_PAPERS:
            continue
        fake.add_paper(m[1], pdf=pdf.read_bytes(), **CORPUS_PAPERS[m[1]])
        served.append(m[1])
    return served


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fakes.fake_arxiv", description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    fake = FakeArxiv(args.host, args.port)
    if args.corpus.is_dir():
        load_corpus(fake, args.corpus)
    else:
        print(f"corpus not found: {args.corpus} (serving no papers)", file=sys.stderr)
    fake.start()
    print(f"ready http://{args.host}:{fake.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
