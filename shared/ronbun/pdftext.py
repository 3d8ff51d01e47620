"""PDF text: pypdf per page, then clean-up (NFKC, hyphens, arXiv stamp, running heads,
references and appendix split off, garbage detection). Page numbers are kept for citations.

Clean-up is a handful of linear-time regexes and per-line passes: it must cost at most a
tenth of pypdf's own extraction time (measured on ../shared/corpus by the integration test).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ronbun import errors


@dataclass
class PageText:
    number: int          # 1-based page number in the PDF
    text: str            # cleaned text


@dataclass
class Extracted:
    pages: list[PageText]                  # every page, cleaned (quotes are verified against these)
    body: list[PageText]                   # body only: references and appendix removed
    appendix: list[PageText] = field(default_factory=list)
    references: str = ""
    page_count: int = 0                    # pages in the PDF (pages holds at most max_pages)
    raw_seconds: float = 0.0               # pypdf extraction time
    clean_seconds: float = 0.0             # clean-up time
    warnings: list[str] = field(default_factory=list)

    def page_map(self) -> dict[int, str]:
        return {p.number: p.text for p in self.pages}

    def body_text(self) -> str:
        return "\n\n".join(p.text for p in self.body if p.text)


# ---------------------------------------------------------------- bytes and pypdf

def check_pdf_bytes(data: bytes) -> None:
    """Reject what is obviously not a complete PDF before pypdf sees it."""
    if not data:
        raise errors.PdfTruncated("empty file")
    head = data[:1024]
    if b"%PDF-" not in head:
        if re.search(rb"(?i)<!doctype html|<html|<head|<body", head):
            raise errors.PdfNotPdf("HTML instead of a PDF")
        raise errors.PdfNotPdf("no %PDF- header")
    if b"%%EOF" not in data[-2048:]:
        raise errors.PdfTruncated("no %%EOF marker at the end")


def extract_raw(data: bytes, *, max_pages: int, warnings: list[str] | None = None) -> list[str]:
    """pypdf text of the first `max_pages` pages (a warning is added when there are more)."""
    return _read(data, max_pages, [] if warnings is None else warnings)[0]


def _read(data: bytes, max_pages: int, warnings: list[str], deadline=None) -> tuple[list[str], int]:
    """(page texts, total pages), read by pypdf in a child process bounded in time and memory
    (pdfproc.py); raises PdfTooComplex when the PDF needs more than that."""
    from . import pdfproc
    from .settings import get_settings

    settings = get_settings()
    got = pdfproc.read(data, max_pages=max_pages, seconds=settings.pdf_extract_seconds,
                       memory_mb=settings.pdf_extract_memory_mb, deadline=deadline)
    warnings.extend(got.warnings)
    return got.texts, got.total


def extract(data: bytes, *, max_pages: int = 150, deadline=None) -> Extracted:
    """Bytes to cleaned, split text; raises errors.Pdf* with a message the user can act on
    (PdfTooComplex beyond the extraction bounds), DeadlineExceeded when `deadline` is too close."""
    check_pdf_bytes(data)
    warnings: list[str] = []
    t0 = time.perf_counter()
    raw, total = _read(data, max_pages, warnings, deadline)
    t1 = time.perf_counter()
    result = clean(raw)
    t2 = time.perf_counter()
    result.page_count = total
    result.raw_seconds = t1 - t0
    result.clean_seconds = t2 - t1
    result.warnings[:0] = warnings
    return result


# ---------------------------------------------------------------- clean-up

_STAMP = re.compile(
    r"arXiv:\s?(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
    r"[ \t]*\[[\w.\-]+\][ \t]*\d{1,2}[ \t]*[A-Z][a-z]{2}[ \t]*\d{4}[ \t]*\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_CID = re.compile(r"\(cid:\d+\)")
_SLASH_DIGIT = re.compile(r"/(?:[A-Za-z]{0,2})\d")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_SPACED_LINES = re.compile(r" ?\n ?")
_BLANK_RUNS = re.compile(r"\n{3,}")
_HYPHEN_BREAK = re.compile(r"(?<![A-Za-z])([A-Za-z]*[a-z])[-\u00ad]\n([a-z]+)(\S*) ?\n?")
_IN_URL = re.compile(r"(?:https?:|www\.|\.(?:com|org|io|net|edu|co)/)\S*$")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_BARE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?", re.I)
_DIGITS = re.compile(r"\d+")

_REF_HEADING = re.compile(
    r"(?:(?:\d{1,2}|[IVX]{1,4})\.?\s+)?"
    r"(?:References|REFERENCES|R\s?EFERENCES|Bibliography|BIBLIOGRAPHY|Literature Cited|"
    r"References and Notes|Works Cited|参考文献)\s*:?")
_FIRST_REF = re.compile(r"\[1\]\s.*")
_APPENDIX_STRONG = re.compile(
    r"(?:Appendix|APPENDIX|Appendices|APPENDICES|Supplementary Materials?|SUPPLEMENTARY MATERIALS?|"
    r"Supplemental Materials?|Supplementary Information|Technical Appendix)"
    r"(?:\s+[A-Z](?:\.\d+)?)?(?:\s*[:.\u2013\u2014-]?\s+[A-Z\d][^.]{0,90}|\s*[:.])?")
_APPENDIX_LETTER = re.compile(r"A\.?\s+[A-Z][\w ,&:/()'\u2019\u2013-]{2,90}")
_APPENDIX_NEXT = re.compile(r"^(?:A\.1\.?\s+[A-Z]|B\.?\s+[A-Z][^.\n]{2,90}$)", re.M)

# A page is garbled if any of these ratios is exceeded (measured against its visible chars).
_MAX_CONTROL = 0.05
_MAX_CID = 0.10
_MAX_SLASH_DIGIT = 0.15
_MAX_SYMBOLS = 0.50
_SYMBOL = re.compile(r"[^\w\s]")
_ZONE = 3
_MIN_PAGE_CHARS = 20
_MIN_DOC_CHARS = 200
_MIN_AVG_CHARS = 50


@dataclass
class _Page:
    number: int
    lines: list[str]


def clean(raw_pages: list[str]) -> Extracted:
    """Raw pypdf pages to cleaned pages plus the body / references / appendix split.

    Raises errors.PdfNoText when there is essentially no text or most pages are garbled.
    """
    warnings: list[str] = []
    texts = [_STAMP.sub("", unicodedata.normalize("NFKC", t)) for t in raw_pages]

    visible = [len(t) - t.count(" ") - t.count("\n") for t in texts]
    garbled = {i for i, t in enumerate(texts) if visible[i] >= _MIN_PAGE_CHARS and _is_garbled(t, visible[i])}
    with_text = sum(1 for v in visible if v >= _MIN_PAGE_CHARS)
    good_chars = sum(v for i, v in enumerate(visible) if i not in garbled)
    if with_text and len(garbled) * 2 > with_text:
        raise errors.PdfNoText(f"{len(garbled)} of {with_text} pages have garbled text "
                               "(fonts without a Unicode map)")
    if good_chars < _MIN_DOC_CHARS or good_chars < _MIN_AVG_CHARS * max(1, len(texts)):
        raise errors.PdfNoText(f"only {good_chars} characters of text in {len(texts)} pages")
    for i in sorted(garbled):
        warnings.append(f"page {i + 1}: text looks garbled and was left out")
        texts[i] = ""

    pages = [_Page(i + 1, _lines(t)) for i, t in enumerate(texts)]
    _drop_running_lines(pages)
    _join_hyphens(pages)

    all_pages = [PageText(p.number, "\n".join(p.lines)) for p in pages]
    body, references, appendix = _split(pages, warnings)
    return Extracted(pages=all_pages, body=body, appendix=appendix, references=references,
                     page_count=len(raw_pages), warnings=warnings)


def _is_garbled(text: str, visible: int) -> bool:
    if len(_CONTROL.findall(text)) > _MAX_CONTROL * visible:
        return True
    if 7 * len(_CID.findall(text)) > _MAX_CID * visible:
        return True
    if 3 * len(_SLASH_DIGIT.findall(text)) > _MAX_SLASH_DIGIT * visible:
        return True
    return len(_SYMBOL.findall(text)) > _MAX_SYMBOLS * visible


def _lines(text: str) -> list[str]:
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACED_LINES.sub("\n", text).strip()
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.split("\n") if text else []


def _zone_key(line: str) -> str:
    return _DIGITS.sub("#", line.strip().lower())


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove bare page numbers and the lines that recur at the top or bottom of many
    pages (running heads and footers; digits are ignored so "3 C. Auer" matches "5 C. Auer")."""
    seen: Counter[str] = Counter()
    for p in pages:
        zone = p.lines[:_ZONE] + p.lines[-_ZONE:] if len(p.lines) > 2 * _ZONE else p.lines
        seen.update({_zone_key(line) for line in zone})
    threshold = max(3, 0.4 * len(pages))
    repeated = {k for k, n in seen.items()
                if n >= threshold and len(k) < 150 and sum(ch.isalpha() for ch in k) >= 3}
    for p in pages:
        n = len(p.lines)
        keep = []
        for i, line in enumerate(p.lines):
            if (i < _ZONE or i >= n - _ZONE) and (
                    _zone_key(line) in repeated or ((i < 2 or i >= n - 2) and _BARE_NUMBER.fullmatch(line))):
                continue
            keep.append(line)
        while keep and not keep[0]:
            keep.pop(0)
        p.lines = keep


def _join_hyphens(pages: list[_Page]) -> None:
    """Words split at a line end ("repre-" / "sentation") become one word on the first line.
    The hyphen stays when the paper writes the hyphenated form elsewhere and never the closed
    one ("pre-" / "trained"), or when the first part already belongs to a compound
    ("state-of-" / "the-art")."""
    texts = ["\n".join(p.lines) for p in pages]
    if not any("-\n" in t or "\u00ad\n" in t or t.endswith("-") for t in texts):
        return
    words = Counter(w for t in texts for w in _WORD.findall(t.lower()))

    def join(m: re.Match[str]) -> str:
        a, b, rest = m.group(1), m.group(2), m.group(3)
        before = m.string[max(0, m.start() - 200):m.start()]
        if _IN_URL.search(before):
            return f"{a}-{b}{rest}\n"
        compound = before.endswith("-")
        if compound or (words[f"{a}-{b}".lower()] and not words[(a + b).lower()]):
            return f"{a}-{b}{rest}\n"
        return f"{a}{b}{rest}\n"

    for p, text in zip(pages, texts):
        if "-\n" in text or "\u00ad\n" in text:
            text = _HYPHEN_BREAK.sub(join, text)
        if "\u00ad" in text:
            text = text.replace("\u00ad", "")
        p.lines = text.split("\n") if text else []
    for p, nxt in zip(pages, pages[1:]):
        if p.lines and nxt.lines and p.lines[-1].endswith("-"):
            pair = f"{p.lines[-1]}\n{nxt.lines[0]}"
            m = _HYPHEN_BREAK.search(pair)
            if m:
                p.lines[-1] = pair[:m.start()] + join(m).rstrip("\n")
                rest = pair[m.end():].strip()
                nxt.lines[:1] = [rest] if rest else []


def _split(pages: list[_Page], warnings: list[str]) -> tuple[list[PageText], str, list[PageText]]:
    """(body pages, references text, appendix pages). Positions are (page index, line index)."""
    starts, total = [], 0
    for p in pages:
        starts.append(total)
        total += sum(len(line) + 1 for line in p.lines)

    def share(pi: int, li: int) -> float:
        return (starts[pi] + sum(len(x) + 1 for x in pages[pi].lines[:li])) / max(total, 1)

    ref = _find(pages, _REF_HEADING, (0, 0), 0.2, share)
    ref_skip = 1
    if ref is None:
        ref, ref_skip = _find(pages, _FIRST_REF, (0, 0), 0.5, share), 0
    if ref is None:
        warnings.append("no references section found")

    after_ref = (ref[0], ref[1] + 1) if ref else (0, 0)
    app = _find(pages, _APPENDIX_STRONG, after_ref, 0.0 if ref else 0.3, share)
    if ref is not None:
        letter = _find(pages, _APPENDIX_LETTER, after_ref, 0.0, share)
        if letter is not None and _APPENDIX_NEXT.search(_text_after(pages, letter)):
            app = min(app, letter) if app else letter

    end_body = ref or app or (len(pages), 0)
    body = _slice(pages, (0, 0), end_body)
    references = ""
    if ref is not None:
        references = "\n".join(p.text for p in _slice(pages, (ref[0], ref[1] + ref_skip),
                                                       app or (len(pages), 0)))
    appendix = _slice(pages, app, (len(pages), 0)) if app else []
    return body, references, appendix


def _find(pages: list[_Page], pattern: re.Pattern[str], start: tuple[int, int],
          min_share: float, share) -> tuple[int, int] | None:
    """First line at or after `start` that `pattern` matches whole and that lies at least
    `min_share` of the way through the text."""
    for pi in range(start[0], len(pages)):
        lines = pages[pi].lines
        for li in range(start[1] if pi == start[0] else 0, len(lines)):
            line = lines[li]
            if len(line) <= 120 and pattern.fullmatch(line) and share(pi, li) >= min_share:
                return pi, li
    return None


def _text_after(pages: list[_Page], pos: tuple[int, int]) -> str:
    """Text following `pos`, up to about 20 pages (enough to see the next appendix heading)."""
    pi, li = pos
    rest = pages[pi].lines[li + 1:] + [x for p in pages[pi + 1:pi + 20] for x in p.lines]
    return "\n".join(rest)


def _slice(pages: list[_Page], start: tuple[int, int], end: tuple[int, int]) -> list[PageText]:
    out = []
    for pi in range(start[0], min(end[0] + 1, len(pages))):
        lo = start[1] if pi == start[0] else 0
        hi = end[1] if pi == end[0] else len(pages[pi].lines)
        lines = pages[pi].lines[lo:hi]
        if any(lines):
            out.append(PageText(pages[pi].number, "\n".join(lines).strip()))
    return out
