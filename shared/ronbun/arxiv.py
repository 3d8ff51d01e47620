"""arXiv metadata (Atom API) and PDF download: polite, bounded and hardened.

The API function imports this module on a metadata-cache miss, so it needs neither openai nor
pypdf: the standard library, defusedxml and the pydantic models only.
Every request waits for its turn (arXiv asks for one request every 3 s): one pace per process,
or one pace shared by every process through the table (pacer.py, `arxiv_pacer=table`),
retries transient failures, follows redirects only to arXiv hosts and never reads more
than it has to.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .deadline import Deadline, as_deadline, exceeded
from .errors import (ArxivUnavailable, InvalidPaperId, PaperNotFound, PdfNotPdf, PdfTooLarge,
                     PdfTruncated, RonbunError)
from .ids import PaperRef, parse_id
from .models import Paper
from .pacer import ProcessPacer, TablePacer
from .settings import Settings, get_settings

log = logging.getLogger(__name__)

PUBLIC_BASE = "https://arxiv.org"
ARXIV_HOSTS = ("arxiv.org", "export.arxiv.org")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
BACKOFF_BASE = 1.0          # seconds; waits 1, 2, 4 ... between attempts without Retry-After
TRUNCATED_RETRIES = 1
FEED_MAX_BYTES = 2 * 1024 * 1024
OUT_OF_TIME_SLACK = 0.25    # seconds: a failure this close to the deadline is the deadline's
CHUNK = 16 * 1024            # at most one socket read each (read1), the deadline checked between
PDF_TYPES = ("application/pdf", "application/octet-stream")

_ATOM = "{http://www.w3.org/2005/Atom}"
_AX = "{http://arxiv.org/schemas/atom}"
_VERSION = re.compile(r"v([1-9]\d*)$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_process_pacer = ProcessPacer()


# ---------------------------------------------------------------------------- Atom parsing

def _text(el: Element | None) -> str:
    return " ".join((el.text or "").split()) if el is not None else ""


def _date(value: str) -> str:
    m = _DATE.match(value.strip())
    return m.group(0) if m else ""


def _entry_ref(entry: Element) -> PaperRef | None:
    """The identifier an entry describes, from its <id> (http://arxiv.org/abs/ID[vN])."""
    raw = _text(entry.find(f"{_ATOM}id"))
    _, sep, rest = raw.partition("/abs/")
    if not sep:
        return None
    try:
        return parse_id(rest)
    except InvalidPaperId:
        return None


def _entry_version(entry: Element, ref: PaperRef) -> int | None:
    if ref.version:
        return ref.version
    for link in entry.findall(f"{_ATOM}link"):      # 2007-format feeds: versionless <id>
        if link.get("rel") == "alternate":
            m = _VERSION.search(link.get("href", ""))
            if m:
                return int(m.group(1))
    return None


def _is_error_entry(entry: Element) -> bool:
    return "/api/errors" in _text(entry.find(f"{_ATOM}id")) or (
        _text(entry.find(f"{_ATOM}title")) == "Error" and _entry_ref(entry) is None)


def _optional(entry: Element, tag: str) -> str | None:
    return _text(entry.find(f"{_AX}{tag}")) or None


def parse_feed(xml: bytes, ref: PaperRef) -> Paper:
    """The paper `ref` names, from an arXiv API answer (Atom).

    Raises InvalidPaperId for arXiv's error feed, PaperNotFound when no entry describes
    `ref` (arXiv silently drops ids it does not know) or the version does not exist, and
    ArxivUnavailable for anything that is not well-formed, DTD-free XML.
    """
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ArxivUnavailable(f"arXiv answer refused: {type(exc).__name__} (DTD or entities)",
                               retryable=False) from exc
    except (ParseError, ValueError, TypeError) as exc:
        raise ArxivUnavailable(f"arXiv answer is not valid XML: {exc}") from exc
    if root.tag != f"{_ATOM}feed":
        raise ArxivUnavailable(f"arXiv answer is not an Atom feed (root {root.tag!r})")

    entries = root.findall(f"{_ATOM}entry")
    for entry in entries:
        if _is_error_entry(entry):
            raise InvalidPaperId(f"arXiv: {_text(entry.find(f'{_ATOM}summary')) or 'error'}")
    entry = next((e for e in entries if (r := _entry_ref(e)) is not None and r.id == ref.id), None)
    if entry is None or not (_text(entry.find(f"{_ATOM}title")) or _text(entry.find(f"{_ATOM}published"))):
        raise PaperNotFound(f"arXiv has no paper {ref.id}")

    latest = _entry_version(entry, _entry_ref(entry))
    if ref.version and latest and ref.version > latest:
        raise PaperNotFound(f"{ref.id} has no version v{ref.version} (latest is v{latest})",
                            message_ja=f"この論文にはバージョン v{ref.version} がありません(最新は v{latest} です)。")
    version = ref.version or latest

    categories: list[str] = []
    primary = entry.find(f"{_AX}primary_category")
    for term in [primary.get("term") if primary is not None else None,
                 *(c.get("term") for c in entry.findall(f"{_ATOM}category"))]:
        term = (term or "").strip()
        if term and term not in categories:
            categories.append(term)

    suffix = f"{ref.id}v{version}" if version else ref.id
    return Paper(
        id=ref.id,
        version=version,
        latest_version=latest,
        title=_text(entry.find(f"{_ATOM}title")),
        authors=[n for a in entry.findall(f"{_ATOM}author") if (n := _text(a.find(f"{_ATOM}name")))],
        published=_date(_text(entry.find(f"{_ATOM}published"))),
        updated=_date(_text(entry.find(f"{_ATOM}updated"))),
        categories=categories,
        abstract=_text(entry.find(f"{_ATOM}summary")),
        abs_url=f"{PUBLIC_BASE}/abs/{suffix}",
        pdf_url=f"{PUBLIC_BASE}/pdf/{suffix}",
        doi=_optional(entry, "doi"),
        journal_ref=_optional(entry, "journal_ref"),
        comment=_optional(entry, "comment"),
    )


# ---------------------------------------------------------------------------- HTTP plumbing

def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _pacer(settings: Settings):
    """The pace `settings` ask for: this process's, or the one shared through the table."""
    if settings.arxiv_pacer == "table" and settings.table_name:
        return TablePacer(settings.table_name, _process_pacer)
    return _process_pacer


def _origin(url: str) -> tuple[str, str, int]:
    u = urlsplit(url)
    scheme = (u.scheme or "").lower()
    return scheme, (u.hostname or "").lower(), u.port or (443 if scheme == "https" else 80)


def _safe_origin(url: str) -> tuple[str, str, int] | None:
    try:
        return _origin(url)
    except ValueError:
        return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses; the client decides whether to follow them."""
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _OutOfTime(ArxivUnavailable):
    """arXiv ran out of the time it was given (its own limit, or the caller's deadline)."""


class _Retry(Exception):
    def __init__(self, reason: str, delay: float | None = None):
        super().__init__(reason)
        self.delay = delay


class _Response:
    """What one request returned: status, headers and the unread body."""
    def __init__(self, status: int, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def read(self, limit: int) -> bytes:
        """At most `limit` bytes from a single socket read (a slow drip cannot hold it)."""
        read1 = getattr(self.body, "read1", None)
        return read1(limit) if read1 is not None else self.body.read(limit)

    def set_timeout(self, seconds: float) -> None:
        """The socket's timeout for the next read, when the socket can be reached."""
        sock = _socket_of(self.body)
        if sock is not None:
            sock.settimeout(max(seconds, 0.001))

    def close(self) -> None:
        self.body.close()


class ArxivClient:
    """Fetches metadata and PDFs from the hosts in `settings`, within its limits."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._pacer = _pacer(self.settings)
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._allowed = {_origin(self.settings.arxiv_api_url), _origin(self.settings.arxiv_base_url)}
        self._allowed |= {("https", h, 443) for h in ARXIV_HOSTS}

    # -- public

    def fetch_metadata(self, ref: PaperRef, deadline: Deadline | None = None) -> Paper:
        """Metadata of `ref` (its latest version when `ref` has none), given up on by
        `deadline` at the latest (DeadlineExceeded when it is that deadline that ends it).

        Asks for the base id so that the answer also says which version is the latest.
        """
        ref = _checked(ref)
        url = f"{self.settings.arxiv_api_url}?id_list={quote(ref.id, safe='/')}&max_results=1"
        own = self.settings.arxiv_timeout * (self.settings.arxiv_retries + 1) \
            + self.settings.arxiv_max_retry_after * self.settings.arxiv_retries
        return self._within(f"the arXiv metadata of {ref}", own, deadline,
                            lambda at: self._metadata_once(url, ref, at))

    def _metadata_once(self, url: str, ref: PaperRef, deadline: float) -> Paper:
        def attempt() -> Paper:
            resp = self._request(url, "application/atom+xml", deadline)
            try:
                body, whole = self._read_all(resp, FEED_MAX_BYTES, deadline)
            finally:
                resp.close()
            if not whole:
                raise _Retry("the answer was cut short")
            if resp.status == 200:
                return parse_feed(body, ref)
            if resp.status == 400:
                try:
                    parse_feed(body, ref)
                except InvalidPaperId:
                    raise
                except RonbunError:
                    pass
            raise ArxivUnavailable(f"arXiv API answered HTTP {resp.status}", retryable=False)

        return self._with_retries(f"metadata of {ref}", attempt, deadline)

    def download_pdf(self, ref: PaperRef, deadline: Deadline | None = None) -> bytes:
        """The PDF of `ref` (arXiv serves the latest version when `ref` has none), within
        pdf_max_seconds and `deadline`, enforced on the socket."""
        ref = _checked(ref)
        url = f"{self.settings.arxiv_base_url.rstrip('/')}/pdf/{quote(str(ref), safe='/')}"
        return self._within(f"the PDF of {ref}", self.settings.pdf_max_seconds, deadline,
                            lambda at: self._pdf_with_retries(url, ref, at))

    def _within(self, what: str, own: float, deadline: Deadline | None, fetch):
        """fetch(monotonic end) with the end the sooner of `own` seconds and `deadline`; when
        the caller's deadline was the sooner and arXiv ran out of it, DeadlineExceeded."""
        deadline = as_deadline(deadline)
        seconds = deadline.timeout(own, what)
        try:
            return fetch(time.monotonic() + seconds)
        except _OutOfTime as exc:
            if seconds < own:
                raise exceeded(what, deadline.left()) from exc
            raise

    def _pdf_with_retries(self, url: str, ref: PaperRef, deadline: float) -> bytes:
        truncated = 0
        while True:
            try:
                return self._with_retries(f"PDF of {ref}", lambda: self._pdf_once(url, ref, deadline), deadline)
            except PdfTruncated:
                if truncated >= TRUNCATED_RETRIES:
                    raise
                truncated += 1
                log.warning("arXiv PDF of %s was truncated; retrying once", ref,
                            extra={"notice_ja": "arXiv の PDF が途中で切れていました。もう一度取得します。"})

    # -- one attempt

    def _pdf_once(self, url: str, ref: PaperRef, deadline: float) -> bytes:
        resp = self._request(url, "application/pdf", deadline)
        try:
            if resp.status == 404:
                raise PaperNotFound(f"arXiv has no PDF for {ref}")
            if resp.status != 200:
                raise ArxivUnavailable(f"arXiv answered HTTP {resp.status} for the PDF of {ref}")
            ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype not in PDF_TYPES:
                raise _not_a_pdf(resp, ctype, ref)
            cap = self.settings.pdf_max_bytes
            length = _content_length(resp.headers.get("Content-Length"))
            if length is not None and length > cap:
                raise _too_large(cap, f"PDF of {ref} is {length} bytes (limit {cap})")
            data, whole = self._read_all(resp, cap, deadline, too_large=lambda: _too_large(
                cap, f"PDF of {ref} exceeds {cap} bytes"))
        finally:
            resp.close()
        if not whole:
            raise PdfTruncated(f"PDF of {ref}: got {len(data)} of {length if length is not None else '?'} bytes")
        if not data.startswith(b"%PDF-"):
            raise PdfNotPdf(f"the file arXiv sent for {ref} does not start with %PDF-")
        if length is None and b"%%EOF" not in data[-2048:]:
            raise PdfTruncated(f"PDF of {ref} ends without %%EOF")
        return data

    def _request(self, url: str, accept: str, deadline: float) -> _Response:
        """One GET, following redirects to allowed hosts; transient failures raise _Retry."""
        for _ in range(MAX_REDIRECTS + 1):
            resp = self._open(url, accept, deadline)
            if resp.status not in REDIRECT_STATUSES:
                return resp
            location = resp.headers.get("Location")
            resp.close()
            if not location:
                raise ArxivUnavailable(f"arXiv redirected without a Location (HTTP {resp.status})")
            target = urljoin(url, location)
            if _safe_origin(target) not in self._allowed:
                raise ArxivUnavailable(f"refused redirect to a host that is not arXiv: {target[:200]!r}",
                                       retryable=False)
            url = target
        raise ArxivUnavailable(f"arXiv redirected more than {MAX_REDIRECTS} times", retryable=False)

    def _open(self, url: str, accept: str, deadline: float) -> _Response:
        self._pacer.wait(self.settings.arxiv_min_interval,
                         min(self.settings.arxiv_max_pace_wait, deadline - time.monotonic() - 1))
        timeout = min(self.settings.arxiv_timeout, deadline - time.monotonic())
        if timeout <= 0:
            raise _OutOfTime("arXiv did not answer in time")
        req = urllib.request.Request(url, headers={
            "User-Agent": self.settings.user_agent, "Accept": accept, "Accept-Encoding": "identity"})
        try:
            r = self._opener.open(req, timeout=timeout)
            return _Response(r.status, r.headers, r)
        except urllib.error.HTTPError as e:
            if e.code in RETRY_STATUSES:
                delay = parse_retry_after(e.headers.get("Retry-After"))
                e.close()
                raise _Retry(f"HTTP {e.code}", delay) from None
            return _Response(e.code, e.headers, e)
        except (OSError, http.client.HTTPException) as e:
            raise _Retry(_describe(e)) from None

    def _read_all(self, resp: _Response, cap: int, deadline: float, too_large=None) -> tuple[bytes, bool]:
        """The body, and whether it arrived whole (as long as Content-Length promised).

        The deadline holds on the socket: before every (single, small) read the socket's
        timeout is set to what is left, so a server dripping a few bytes a second cannot keep
        the download going past it."""
        chunks, total = [], 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _OutOfTime("arXiv download took too long")
                resp.set_timeout(min(self.settings.arxiv_timeout, left))
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise too_large() if too_large else ArxivUnavailable(
                        f"arXiv answer larger than {cap} bytes", retryable=False)
                chunks.append(chunk)
        except http.client.IncompleteRead as e:
            return b"".join(chunks) + e.partial, False
        except (OSError, http.client.HTTPException) as e:
            raise _Retry(_describe(e)) from None
        length = _content_length(resp.headers.get("Content-Length"))
        return b"".join(chunks), length is None or total >= length

    def _with_retries(self, what: str, attempt, deadline: float):
        retries = max(0, self.settings.arxiv_retries)
        last = "no answer"
        for n in range(retries + 1):
            try:
                return attempt()
            except _Retry as r:
                last = str(r)
                if n == retries:
                    break
                wait = r.delay if r.delay is not None else BACKOFF_BASE * 2 ** n
                if r.delay is not None and r.delay > self.settings.arxiv_max_retry_after:
                    raise ArxivUnavailable(f"arXiv asked to retry {what} after {r.delay:.0f} s "
                                           f"(more than {self.settings.arxiv_max_retry_after:.0f} s)") from None
                if time.monotonic() + wait > deadline:
                    raise _OutOfTime(f"arXiv did not deliver {what} in time ({last})") from None
                log.warning("arXiv %s failed (%s); retry %d/%d in %.1f s", what, last, n + 1, retries, wait,
                            extra={"notice_ja": f"arXiv からの取得に失敗しました({last})。"
                                                f"{wait:.0f} 秒後に再試行します({n + 1}/{retries})。"})
                time.sleep(wait)
        out_of_time = deadline - time.monotonic() < OUT_OF_TIME_SLACK   # the last attempt ran into the deadline
        raise (_OutOfTime if out_of_time else ArxivUnavailable)(
            f"arXiv did not deliver {what} after {retries + 1} attempts (last: {last})")


class PdfNotReady(RonbunError):
    """arXiv has not made the PDF yet (it answers a page saying the PDF is being generated)."""
    code = "pdf_not_ready"
    status = 503
    message_ja = "arXiv でこの論文の PDF がまだ生成されていません。しばらくしてから再度お試しください。"
    retryable = True


_BEING_GENERATED = re.compile(rb"being\s+(generated|processed)|try\s+again\s+in\s+a\s+few\s+minutes", re.I)


def _not_a_pdf(resp: _Response, ctype: str, ref: PaperRef) -> RonbunError:
    """The error for a non-PDF answer: PdfNotReady when it is arXiv's "PDF is being generated"
    page (worth another try later), else PdfNotPdf."""
    if ctype == "text/html":
        try:
            head = resp.read(64 * 1024)
        except (OSError, http.client.HTTPException):
            head = b""
        if _BEING_GENERATED.search(head):
            return PdfNotReady(f"arXiv is still generating the PDF of {ref}")
    return PdfNotPdf(f"arXiv sent {ctype or 'no content type'} instead of a PDF for {ref}")


def _checked(ref: PaperRef) -> PaperRef:
    """URLs are built only from validated ids: re-check refs made without parse_id."""
    if not isinstance(ref, PaperRef) or parse_id(str(ref)) != ref:
        raise InvalidPaperId(f"invalid arXiv identifier: {ref!r:.80}")
    return ref


def _socket_of(body):
    """The socket under an http.client response (or an HTTPError wrapping one), if any."""
    for _ in range(4):
        if body is None or hasattr(body, "settimeout"):
            return body
        body = getattr(body, "fp", None) or getattr(body, "raw", None) or getattr(body, "_sock", None)
    return None


def _content_length(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _too_large(cap: int, message: str) -> PdfTooLarge:
    mb = cap / (1024 * 1024)
    return PdfTooLarge(message, message_ja=f"PDF が大きすぎるため処理できません(上限 {mb:g} MB)。")


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return f"{type(exc).__name__}: {reason if reason is not None else exc}"


_client_lock = threading.Lock()
_client: tuple[Settings, ArxivClient] | None = None


def get_client() -> ArxivClient:
    """The process's client, rebuilt whenever the settings object changes."""
    global _client
    settings = get_settings()
    with _client_lock:
        if _client is None or _client[0] is not settings:
            _client = (settings, ArxivClient(settings))
        return _client[1]
