"""PDF text: pypdf per page, then clean-up (NFKC, hyphens, arXiv stamp, running heads,
references and appendix split off, garbage detection). Page numbers are kept for citations.

Clean-up also marks, line by line, what is not the paper's own body prose (running heads,
headings, the title/author block, captions, text inside figures and tables, footnotes,
garbled text, references): `prose_map()` is what may be quoted as evidence.

Clean-up is a handful of linear-time regexes and per-line passes: it must cost at most a
tenth of pypdf's own extraction time (measured on ../shared/corpus by the integration test).
"""

from __future__ import annotations

import re
import time
import unicodedata
from bisect import bisect_right
from collections import Counter
from itertools import accumulate
from dataclasses import dataclass, field

from ronbun import errors


#: Kinds of text on a page. Only "body" is prose that may be quoted as evidence.
KINDS = ("body", "running", "heading", "front", "caption", "figure", "footnote", "garbled", "references")


@dataclass
class PageText:
    number: int          # 1-based page number in the PDF
    text: str            # cleaned text
    # (kind, text) per line or part of a line, in order (see KINDS); empty when not marked
    spans: list[tuple[str, str]] = field(default_factory=list, repr=False, compare=False)

    def prose(self) -> str:
        """Body prose only (the whole text when the page was not marked)."""
        if not self.spans:
            return self.text
        return "\n".join(t for kind, t in self.spans if kind == "body")


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
    garbled_pages: list[int] = field(default_factory=list)   # 1-based pages left out as garbled

    def page_map(self) -> dict[int, str]:
        """Every page's full cleaned text (running heads, captions and garbled text included)."""
        return {p.number: p.text for p in self.pages}

    def prose_map(self) -> dict[int, str]:
        """Per page, body prose only: what may be quoted as evidence (same keys as page_map)."""
        return {p.number: p.prose() for p in self.pages}

    def marked(self) -> dict[str, int]:
        """Lines (or parts of lines) per kind, over all pages (for reports and tests)."""
        out: Counter[str] = Counter(kind for p in self.pages for kind, _ in p.spans)
        return dict(out)

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
    head: list[str] = field(default_factory=list)       # running heads taken off the top
    foot: list[str] = field(default_factory=list)       # running feet taken off the bottom
    garbled: list[str] | None = None                    # the lines of a page left out as garbled
    kinds: list[str] = field(default_factory=list)      # per line: a KINDS entry
    prefix: dict[int, tuple[str, int]] = field(default_factory=dict)  # line -> (kind, chars) glued at its start


_GARBLED_JA = ("PDF の本文の大部分が文字化けしていて読み取れません(ビットマップ(Type 3)フォントや"
               "文字コード情報のないフォントが使われています)。OCR(画像からの文字認識)には対応していない"
               "ため、この論文は要約できません。")


def clean(raw_pages: list[str]) -> Extracted:
    """Raw pypdf pages to cleaned pages plus the body / references / appendix split, with
    every line marked by kind (see KINDS; `prose_map()` keeps only "body").

    Raises errors.PdfNoText when there is essentially no text or most pages are garbled.
    """
    warnings: list[str] = []
    texts = [_STAMP.sub("", unicodedata.normalize("NFKC", t)) for t in raw_pages]

    visible = [len(t) - t.count(" ") - t.count("\n") for t in texts]
    garbled = {i for i, t in enumerate(texts) if visible[i] >= _MIN_PAGE_CHARS and _is_garbled(t, visible[i])}
    pages = [_Page(i + 1, _lines(t)) for i, t in enumerate(texts)]
    garble = _Garble(pages)
    garbled |= {i for i, p in enumerate(pages)
                if i not in garbled and visible[i] >= _MIN_PAGE_CHARS and garble.share(p.lines) >= _MAX_GARBLED_LINES}
    with_text = sum(1 for v in visible if v >= _MIN_PAGE_CHARS)
    good_chars = sum(v for i, v in enumerate(visible) if i not in garbled)
    if with_text and len(garbled) * 2 > with_text:
        raise errors.PdfNoText(f"{len(garbled)} of {with_text} pages have garbled text "
                               "(fonts without a Unicode map, or bitmap fonts)", message_ja=_GARBLED_JA)
    if good_chars < _MIN_DOC_CHARS or good_chars < _MIN_AVG_CHARS * max(1, len(texts)):
        if garbled:
            raise errors.PdfNoText(f"only {good_chars} characters of readable text in {len(texts)} pages "
                                   f"({len(garbled)} garbled)", message_ja=_GARBLED_JA)
        raise errors.PdfNoText(f"only {good_chars} characters of text in {len(texts)} pages")
    for i in sorted(garbled):
        warnings.append(f"page {i + 1}: text looks garbled and was left out")
        pages[i].garbled, pages[i].lines = pages[i].lines, []

    _drop_running_lines(pages)
    _join_hyphens(pages)
    _mark(pages, garble)

    body, references, appendix = _split(pages, warnings)
    all_pages = [_page_text(p) for p in pages]
    return Extracted(pages=all_pages, body=body, appendix=appendix, references=references,
                     page_count=len(raw_pages), warnings=warnings,
                     garbled_pages=[i + 1 for i in sorted(garbled)])


def _page_text(p: _Page) -> PageText:
    """The whole page: running heads, the marked lines, running feet (garbled pages as read)."""
    if p.garbled is not None:
        return PageText(p.number, "\n".join(p.garbled), [("garbled", x) for x in p.garbled if x.strip()])
    spans = [("running", x) for x in p.head] + _spans(p, 0, len(p.lines)) + [("running", x) for x in p.foot]
    return PageText(p.number, "\n".join(p.head + p.lines + p.foot), spans)


def _spans(p: _Page, lo: int, hi: int) -> list[tuple[str, str]]:
    out = []
    for i in range(lo, hi):
        line = p.lines[i]
        if not line.strip():
            continue
        kind = p.kinds[i] if i < len(p.kinds) else "body"
        if i in p.prefix:
            pkind, cut = p.prefix[i]
            out.append((pkind, line[:cut].strip()))
            line = line[cut:].strip()
            if not line:
                continue
        out.append((kind, line))
    return out


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
    """Take off bare page numbers and the lines that recur at the top or bottom of pages
    (running heads and footers; digits are ignored so "3 C. Auer" matches "5 C. Auer").
    A short paper needs only 2 repeats; a head glued to the first line of text is cut off
    that line; with odd/even heads, a top or bottom line carrying the page number the other
    heads carry (the same offset) is a head too, even if it occurs once. Heads and feet are
    kept aside (p.head, p.foot): they are part of the page's text, never of its body."""
    seen: Counter[str] = Counter()
    for p in pages:
        zone = p.lines[:_ZONE] + p.lines[-_ZONE:] if len(p.lines) > 2 * _ZONE else p.lines
        seen.update({_zone_key(line) for line in zone})
    with_text = sum(1 for p in pages if p.lines)
    threshold = max(2 if with_text <= 5 else 3, 0.4 * len(pages))
    repeated = {k for k, n in seen.items()
                if n >= threshold and len(k) < 150 and sum(ch.isalpha() for ch in k) >= 3}
    glued = sorted((k for k in repeated if len(k) >= 12), key=len, reverse=True)
    offsets: Counter[int] = Counter()
    for p in pages:
        for line in p.lines[:_ZONE] + p.lines[-_ZONE:]:
            num = _folio(line)
            if num is not None and _zone_key(line) in repeated:
                offsets[num - p.number] += 1
    offset = next((o for o, n in offsets.most_common(1) if n >= 2), None)
    for p in pages:
        n = len(p.lines)
        keep: list[str] = []
        for i, line in enumerate(p.lines):
            edge = i < 2 or i >= n - 2
            if i < _ZONE or i >= n - _ZONE:
                key = _zone_key(line)
                running = key in repeated or (
                    offset is not None and edge and _folio(line) == p.number + offset and len(line) < 150)
                if running:
                    (p.head if i < n / 2 else p.foot).append(line)
                    continue
                if edge and _BARE_NUMBER.fullmatch(line):
                    continue
                cut = next((len(k) for k in glued if key.startswith(k + " ")), 0)
                if cut:
                    words = len(_zone_key(line)[:cut].split())
                    head, rest = " ".join(line.split()[:words]), " ".join(line.split()[words:])
                    (p.head if i < n / 2 else p.foot).append(head)
                    keep.append(rest)
                    continue
            keep.append(line)
        while keep and not keep[0]:
            keep.pop(0)
        p.lines = keep


_FOLIO = re.compile(r"^(\d{1,4})\s+\S.*[A-Za-z].*$|^.*[A-Za-z].*\S\s+(\d{1,4})$")


def _folio(line: str) -> int | None:
    """The page number printed at the start or end of a head line, if any."""
    m = _FOLIO.match(line.strip())
    if not m:
        return None
    return int(m.group(1) or m.group(2))


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


# ---------------------------------------------------------------- prose: what may be quoted

# Garbled lines (bitmap Type 3 fonts): glyph-name noise "/2/3/5/2/9", "equation/.In", words split
# into pieces ("describ e the mo del") and runs of single capitals ("I I I").
_GLYPH_RUN = re.compile(r"(?<![\d\w])(?:/[A-Za-z]{0,2}\d{1,3}){2,}")        # "/2/3/5/2/9"
_GLYPH_DOT = re.compile(r"(?<=\w)/[.,;:]")                                    # "equation/.In"
_GLYPH_ODD = re.compile(r"(?<=[a-z])/(?=[A-Z])|(?<=\w)/(?=\s|$)")              # "I I I/", "s/In" (weak)
_URLISH = re.compile(r"(?<!\S)\S*?(?:https?://|www\.)\S*|(?<!\S)[\w.\-]+\.(?:org|com|io|net|edu|ai|cc|gov)/\S*")
_SINGLE_CAPS = re.compile(r"[A-Z] [A-Z] [A-Z](?![a-z])")
_ALPHA_TOKEN = re.compile(r"[a-z]+")
_COMMON = frozenset(
    "a an as at be by do go he if in is it me my no of on or so to up us we i "
    "the and for are was not but can has had its our all any one two new may use way see set per via "
    "this that with from into over they them then than when were been also such only more most each "
    "these those which while where there their both some what".split())
_FRAGMENT = re.compile(r"(?<![\w.\-])(?!(?:%s)(?![\w.\-]))[a-z]{1,2}(?![\w.\-])"
                       % "|".join(w for w in sorted(_COMMON) if len(w) <= 2))   # uncommon 1-2 letter words
_MAX_GARBLED_LINES = 0.5          # a page whose lines are mostly garbled (by chars) is left out
_SUFFIXES = frozenset(            # word endings that stand alone only when a word was split
    "tion tions sion sions ment ments ness ity ities ing ings ed ies ous ive ives ible tial cial ally ly "
    "um er ers es ure ence ance ent ic ics ical ized ised izes ation ations".split())
_LIGATURES = ("ffi", "ffl", "fi", "fl", "ff")
_LIGATURE_WORDS = frozenset(          # words whose ff/fi/fl glyph a font without a Unicode map loses
    "significant significantly efficient efficiency different difference differences differ specific specifically "
    "define defined defines definition first figure figures field fields final finally find finds finding findings "
    "fine fixed flow flexible flexibility effect effects effective effectively offer offers affect affects "
    "sufficient coefficient coefficients classification classifier classifiers classified identify identified "
    "modified modify benefit benefits influence reflect reflects conflict profile filter filtering artificial "
    "confidence configuration configurations file files fit fits fitting five flat float floating fluctuations "
    "fluctuation off offline effort efforts difficult difficulty diffusion suffix prefix fifth flip fly "
    "workflow overfitting overfit infinite finite refine refined fidelity fiction".split())
_LIGATURE_SPLITS = frozenset(
    (w[:i], w[i + len(lig):]) for w in _LIGATURE_WORDS for lig in _LIGATURES
    for i in range(1, len(w) - len(lig)) if w.startswith(lig, i))
_LIGATURE_TAIL = re.compile(r" (?:%s)(?![A-Za-z])" % "|".join(
    sorted({re.escape(tail) for _, tail in _LIGATURE_SPLITS}, key=len, reverse=True)))


def _ligature_gaps(text: str) -> list[int]:
    """Where a word lost its ff/fi/fl glyph: "signi cant", "e cient" (positions in text)."""
    out = []
    for m in _LIGATURE_TAIL.finditer(text):
        head = text[max(0, m.start() - 12):m.start()].rsplit(None, 1)[-1:] or [""]
        if (head[0], m.group()[1:]) in _LIGATURE_SPLITS and (m.start() - len(head[0]) == 0 or not text[m.start() - len(head[0]) - 1].isalpha()):
            out.append(m.start())
    return out


_SLASH_OR_CID = re.compile(r"/|\(cid:")
_GLYPH_ANY = re.compile(r"(?<![\d\w])(?:/[A-Za-z]{0,2}\d{1,3}){2,}|(?<=\w)/[.,;:]")
_SUFFIX_TOKEN = re.compile(r" (?:%s)(?![\w\-])" % "|".join(sorted(_SUFFIXES, key=len, reverse=True)))

# Headings.
_NUM = r"(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H](?:\.\d{1,2}){1,3}\.?)"
_NUM_HEAD = re.compile(rf"^{_NUM}\s+(?=[A-Z])")
_NAMED_HEAD = re.compile(
    r"^(?:abstract|introduction|related works?|background|conclusions?|discussion|limitations?|"
    r"acknowledge?ments?|broader impacts?|ethics statement|ethical considerations|appendix|appendices|"
    r"supplementary materials?|references|bibliography|future work|conclusions? and future work)$", re.I)
_ABSTRACT = re.compile(r"^(?:Abstract|ABSTRACT|A\s?B\s?S\s?T\s?R\s?A\s?C\s?T)(?:\s*[.:\u2014\u2013-]\s*|\s+(?=[A-Z])|$)")
_KEYWORDS = re.compile(r"^(?:Keywords|Key words|KEYWORDS|Index Terms|CCS Concepts)\b")
_CONNECT = frozenset("of and for the in on with to a an via from by vs vs. as at or into using under".split())
_STARTERS = ("We|Our|In|The|This|These|To|For|Given|Assume|Although|During|Besides|One|Let|As|Since|While|"
             "When|Unlike|Following|Here|First|It|A|An|Most|Many|Each|All|After|Because|Using|With|Finally|"
             "Overall|Similarly|Specifically|Moreover|However|Note|Next|Then|Both|Table|Figure|Previous|"
             "Recent|Existing|Instead|Thus|Therefore")
_STARTER_SET = frozenset(_STARTERS.split("|"))
_RUN_IN = re.compile(rf"^([A-Z][\w'’\-]*(?:\s+[\w'’\-()/+]+){{0,5}}?)\s+(?=(?:{_STARTERS})\s+[a-z(])")
_COLON_HEAD = re.compile(r"^([A-Z][\w'’\-()/]*(?:\s+[\w'’\-()/]+){0,5}):\s+(?=[A-Z])")

# Captions, footnotes, the title block.
_CAPTION = re.compile(r"^(?:Figure|FIGURE|Fig\.?|FIG\.?|Table|TABLE|Tab\.|Algorithm|ALGORITHM|Listing)\s*"
                      r"(?:\d{1,2}|[IVX]{1,5}|[A-Z]\.?\d{1,2})[a-z]?(?:\s*[:.|]|\s*$)")
_CAPTION_STRONG = re.compile(r"^(?:Figure|FIGURE|Fig\.?|FIG\.?|Table|TABLE|Tab\.)\s*\d{1,2}[a-z]?\s*[:|]|^Fig\.\d")
_BOILERPLATE = re.compile(
    r"(?i)\bcopyright\b|©|\(c\)\s?\d{4}|preprint\. under review|under review as a|published as a conference paper|"
    r"all rights reserved|licensed under|^proceedings of |^workshop on .*\d{4}|^accepted (?:at|to|for) ")
_FOOTNOTE = re.compile(r"^(?:\d{1,2}(?=[A-Z][A-Za-z]|https?:|www\.)|[\u2217*\u2020\u2021\u00a7\u00b6]{1,3}\s?(?=[A-Za-z])"
                       r"|\d{1,2}\.?\s+(?=https?:|www\.|[a-z0-9][\w-]*\.[\w./-]*(?:org|com|io|net|edu|ai)\b))")
_EMAIL = re.compile(r"\S@\S+\.\w|\{[\w.,\s-]+\}@")
_AFFILIATION = re.compile(
    r"\b(?:Universit|Institut|Department|Departamento|Dept\.|School of|College|Laborator|Research\b|Centre|"
    r"Center|Centro|Inc\.|Corporation|Academy|Faculty|Google|Microsoft|Facebook|Meta AI|DeepMind|IBM|"
    r"ByteDance|Alibaba|Tencent|Amazon|NVIDIA|Apple|OpenAI)")
_SENT_END = (".", "!", "?", ":", ".)", ".\"", ".”", ".'", ";")
_NUM_TOKEN = re.compile(r"(?<!\S)(?:[(\[]?[-+−±~≈<>]?\d(?:[\d.,]*\d)?[%x×kKMB]?[)\]]?|[-–—✓✗×•·])(?!\S)")
_HAS_DIGIT = re.compile(r"\d")
_STOP = frozenset("the of and to in is we for that with are on by as this be which from our it an".split())


def _vocabulary(pages: list[_Page]) -> Counter[str]:
    vocab: Counter[str] = Counter()
    for p in pages:
        vocab.update(_ALPHA_TOKEN.findall("\n".join(p.lines).lower()))
    return vocab


def _line_garble(line: str, garble: "_Garble") -> int:
    """Evidence that a line is bitmap-font garble: glyph-name noise ("/2/3/5", "equation/.In"),
    runs of single capitals ("I I I"), and words split into pieces: a stray 1-2 letter piece
    or a bare word ending between two words ("insensitiv e to", "condi tions"), or two pieces
    that make a word the paper writes elsewhere ("mo del")."""
    frags = _FRAGMENT.findall(line)
    slash = "/" in line
    suffix = _SUFFIX_TOKEN.search(line)
    cid = line.count("(cid:")
    if cid:
        return 6
    if not slash and len(frags) < 2 and not suffix and not _SINGLE_CAPS.search(line):
        return 6 if _ligature_gaps(line) else 0
    text = _URLISH.sub(" ", line) if slash else line
    score = 0
    if slash:
        score = (3 * sum(m.count("/") for m in _GLYPH_RUN.findall(text)) + 2 * len(_GLYPH_DOT.findall(text))
                 + len(_GLYPH_ODD.findall(text)))
    score += 2 * len(_SINGLE_CAPS.findall(text))
    tokens = text.split()
    vocab = garble.vocab
    for k in range(1, len(tokens)):
        a, t, b = tokens[k - 1], tokens[k], tokens[k + 1] if k + 1 < len(tokens) else "end"
        tt = t.rstrip(".,;:)")
        if tt.isalpha() and tt.islower() and a.isalpha() and a.islower() and (a not in _COMMON or tt not in _COMMON) \
                and any(a + lig + tt in _LIGATURE_WORDS for lig in _LIGATURES):
            score += 6                       # "signi cant", "e cient": a lost ligature
            continue
        if not (t.isalpha() and t.islower() and a.isalpha() and a.islower()) or a == "et":
            continue
        if len(frags) < 2 and not suffix:
            continue
        elif (len(t) <= 2 and t not in _COMMON and b.rstrip(".,;:").isalpha() and b[:1].islower()
                and (len(a) >= 2 or a == "a")) or t in _SUFFIXES:
            score += 2
        elif (t not in _COMMON or a not in _COMMON) and (vocab[a] <= 1 or vocab[t] <= 1 or len(t) <= 2) \
                and vocab[a + t] >= 1 and len(a + t) >= 4:
            score += 2
    return score


class _Garble:
    """Which lines are garbled, each line judged once (the vocabulary is the whole paper's,
    counted only when a line needs it)."""

    def __init__(self, pages: list[_Page]):
        self.pages = pages
        self._vocab: Counter[str] | None = None
        self.seen: dict[str, bool] = {}

    @property
    def vocab(self) -> Counter[str]:
        if self._vocab is None:
            self._vocab = _vocabulary(self.pages)
        return self._vocab

    def line(self, line: str) -> bool:
        hit = self.seen.get(line)
        if hit is None:
            score = _line_garble(line, self) if len(line) >= 8 else 0
            hit = self.seen[line] = score >= 6 or (score >= 3 and score >= 0.4 * len(line.split()))
        return hit

    def share(self, lines: list[str]) -> float:
        """Share of the page's characters on garbled lines. The clues are searched for in the
        page's text once; only lines holding one are judged (the others are clean)."""
        total = sum(len(x) for x in lines)
        if not total:
            return 0.0
        text = "\n".join(lines)
        if not ("/" in text and _GLYPH_ANY.search(text) or "(cid:" in text or _SINGLE_CAPS.search(text)
                or _ligature_gaps(text) or len(_SUFFIX_TOKEN.findall(text)) >= 2):
            self.seen.update((line, False) for line in lines)      # no clue on the page
            return 0.0
        starts = list(accumulate((len(x) + 1 for x in lines[:-1]), initial=0))
        frags: Counter[int] = Counter(bisect_right(starts, m.start()) - 1 for m in _FRAGMENT.finditer(text))
        suspect = {i for i, k in frags.items() if k >= 2}
        for rx in (_SUFFIX_TOKEN, _SINGLE_CAPS, _SLASH_OR_CID):
            suspect.update(bisect_right(starts, m.start()) - 1 for m in rx.finditer(text))
        suspect.update(bisect_right(starts, at) - 1 for at in _ligature_gaps(text))
        for i, line in enumerate(lines):
            if i not in suspect:
                self.seen[line] = False
        return sum(len(lines[i]) for i in suspect if self.line(lines[i])) / total


_TWO_COLUMN_CHARS = 66     # typical line length at or below which a paper is set in two columns
_FULL_WIDTH = 1.5          # a line this many times the column width spans both columns


def _typical(pages: list[_Page]) -> float:
    """The length of an ordinary line of text (a column's width in characters)."""
    lengths = sorted(len(x) for p in pages for x in p.lines if len(x) >= 20)
    return float(lengths[len(lengths) // 2]) if lengths else 60.0


def _ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_SENT_END)


def _numeric_count(line: str) -> int:
    return len(_NUM_TOKEN.findall(line)) if _HAS_DIGIT.search(line) else 0


def _numeric_share(line: str) -> float:
    n = _numeric_count(line)
    return n / len(line.split()) if n else 0.0


def _mark(pages: list[_Page], garble: _Garble) -> None:
    """Give every line a kind (KINDS). Only positive evidence moves a line out of "body":
    a caption label, a footnote marker, a heading's shape, a run of short or numeric
    lines, garble; anything unsure stays body (quotable)."""
    typ = _typical(pages)
    two_columns = typ <= _TWO_COLUMN_CHARS
    first = True
    for p in pages:
        p.kinds = ["body"] * len(p.lines)
        p.prefix = {}
        if not p.lines:
            continue
        n = len(p.lines)
        for i in (*range(min(2, n)), *range(max(2, n - 2), n)):
            if _BOILERPLATE.search(p.lines[i]) and len(p.lines[i]) < 160:
                p.kinds[i] = "running"      # a copyright line or venue notice printed once
        if first:
            _mark_front(p, typ)
        _mark_page(p, typ, garble)
        if two_columns and not first:
            # A line much wider than a column in a two-column paper spans the page: a table, a
            # figure's text or a caption, never the running text.
            for i, line in enumerate(p.lines):
                if p.kinds[i] == "body" and len(line) >= _FULL_WIDTH * typ and i not in p.prefix:
                    p.kinds[i] = "figure"
        first = False


def _mark_front(p: _Page, typ: float) -> None:
    """Title, authors, affiliations, e-mails and keywords on the first page with text."""
    lines, end = p.lines, None
    for i, line in enumerate(lines[:60]):
        m = _ABSTRACT.match(line)
        if m:
            end = i
            if line[m.end():].strip():
                p.prefix[i] = ("heading", m.end())
            else:
                p.kinds[i] = "heading"
            break
    if end is None:
        for i in range(min(len(lines) - 1, 25)):
            nxt = lines[i + 1]
            if _prose_like(lines[i], typ) and (_prose_like(nxt, typ) or _ends_sentence(nxt) and not (
                    _EMAIL.search(nxt) or _AFFILIATION.search(nxt))):
                end = i
                break
    for i in range(end or 0):
        p.kinds[i] = "front"
    for i, line in enumerate(lines):
        if _KEYWORDS.match(line):
            p.kinds[i] = "front"
            j = i + 1
            while j < min(len(lines), i + 4) and not _ends_sentence(lines[j - 1]) and not _NUM_HEAD.match(lines[j]):
                p.kinds[j] = "front"
                j += 1
        elif _EMAIL.search(line) and not _URLISH.search(line):
            p.kinds[i] = "front"


def _prose_like(line: str, typ: float) -> bool:
    letters = [c for c in line if c.isalpha()]
    return (len(line) >= 0.7 * typ and _wordy(line) and len(letters) >= 0.6 * len(line.replace(" ", ""))
            and sum(c.islower() for c in letters) >= 0.75 * len(letters)
            and not _EMAIL.search(line) and not _AFFILIATION.search(line))


def _mark_page(p: _Page, typ: float, garble: _Garble) -> None:
    lines, kinds = p.lines, p.kinds
    n = len(lines)

    def para_start(i: int) -> bool:
        if i == 0:
            return True
        prev = lines[i - 1]
        return kinds[i - 1] != "body" or not prev.strip() or _ends_sentence(prev) or len(prev) < 0.6 * typ

    for i, x in enumerate(lines):
        count = _numeric_count(x)
        if count >= 2 and count > 0.5 * len(x.split()) and not (_ends_sentence(x) and len(x) >= 0.7 * typ):
            kinds[i] = "figure"
    i = 0
    while i < n:
        line = lines[i]
        if kinds[i] != "body" or not line.strip():
            i += 1
            continue
        prev = lines[i - 1].rstrip() if i else ""
        if garble.line(line):
            kinds[i] = "garbled"
        elif _CAPTION.match(line) and (_CAPTION_STRONG.match(line) or not prev[-1:].isalpha()
                                       or i == 0 or kinds[i - 1] != "body" or _ends_sentence(prev)):
            i = _mark_caption(p, i, typ)
            continue
        elif _FOOTNOTE.match(line) and (para_start(i) or not line[0].isdigit() or not line[1:2].isspace()) \
                and not _heading_line(line, typ):
            i = _mark_footnote(p, i)
            continue
        elif "@" in line and _EMAIL.search(line) and not _wordy(line):
            kinds[i] = "footnote"
        elif para_start(i) or len(line.split()) <= 6 and _heading_line(line, typ):
            _mark_heading(p, i, typ)
        i += 1

    # Text inside figures and tables: runs of short fragments (not wrapped sentences), and
    # the lines next to them or to table rows that read as labels rather than sentences.
    short = [kinds[i] == "body" and 0 < len(lines[i].strip()) < 0.45 * typ and not _wordy(lines[i])
             and not _ends_paragraph(lines, kinds, i, typ) for i in range(n)]
    i = 0
    while i < n:
        if short[i]:
            j = i
            while j < n and (short[j] or kinds[j] == "figure"):
                j += 1
            if j - i >= 3 or (j - i >= 2 and any(kinds[k] == "figure" for k in range(i, j))):
                for k in range(i, j):
                    kinds[k] = "figure" if kinds[k] == "body" else kinds[k]
            i = j
        else:
            i += 1
    for _ in range(3):
        changed = False
        for i in range(n):
            if kinds[i] not in ("body", "heading") or not lines[i].strip() or i in p.prefix:
                continue
            near = (i > 0 and kinds[i - 1] == "figure") or (i + 1 < n and kinds[i + 1] == "figure")
            if kinds[i] == "heading":
                label = near or (i + 1 < n and kinds[i + 1] == "caption" and len(lines[i]) < 0.45 * typ)
                if label and not _heading_line(lines[i], typ):
                    kinds[i] = "figure"           # a label inside a figure or table, not a heading
                    changed = True
                continue
            if near and not _ends_sentence(lines[i]) and (
                    _numeric_share(lines[i]) >= 0.3 or len(lines[i]) < 0.9 * typ and not _wordy(lines[i])):
                kinds[i] = "figure"
                changed = True
        if not changed:
            break
    # Text between a figure's fragments and its caption is the figure's too (a screenshot), and
    # so is a row of capitalised labels right above a caption (a legend).
    for i in range(n):
        if kinds[i] == "caption" and i > 0 and kinds[i - 1] == "body" and _label_row(lines[i - 1]):
            kinds[i - 1] = "figure"
        if kinds[i] == "caption" and (i == 0 or kinds[i - 1] != "caption"):
            back = next((k for k in range(i - 1, max(-1, i - 6), -1) if kinds[k] != "body"), None)
            fragment = back is not None and not _heading_line(lines[back], typ) and (
                kinds[back] == "figure" or kinds[back] == "heading" and len(lines[back]) < 0.45 * typ)
            if fragment:
                for k in range(back + 1, i):
                    kinds[k] = "figure"


def _label_row(line: str) -> bool:
    words = line.split()
    return len(words) >= 3 and not _ends_sentence(line) and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _wordy(line: str) -> bool:
    """Reads as a piece of a sentence: function words and mostly lower-case words."""
    words = line.split()
    if len(words) < 3:
        return False
    stops = sum(1 for w in words if w.lower() in _STOP)
    lower = sum(1 for w in words if w[:1].islower())
    return stops >= 2 or (stops >= 1 and lower >= 0.5 * len(words))


def _ends_paragraph(lines: list[str], kinds: list[str], i: int, typ: float) -> bool:
    """A short line that ends the paragraph above it (long body line before it)."""
    if i == 0 or kinds[i - 1] != "body":
        return False
    prev = lines[i - 1]
    return len(prev) >= 0.7 * typ and not _ends_sentence(prev) and _ends_sentence(lines[i])


def _mark_caption(p: _Page, i: int, typ: float) -> int:
    """A caption runs from its label to the first line that ends a sentence (or up to a heading,
    another caption or a table row). When a sentence of a longer caption happens to end at a
    line end, the rest stays body: unsure text stays quotable."""
    lines, kinds = p.lines, p.kinds
    kinds[i] = "caption"
    j = i
    while j + 1 < len(lines) and j - i < 10:
        cur, nxt = lines[j], lines[j + 1]
        if _ends_sentence(cur):
            break
        if _CAPTION.match(nxt) or _NUM_HEAD.match(nxt) and _heading_line(nxt, typ) or _numeric_share(nxt) >= 0.5:
            break
        j += 1
        kinds[j] = "caption"
    return j + 1


def _mark_footnote(p: _Page, i: int) -> int:
    lines, kinds = p.lines, p.kinds
    kinds[i] = "footnote"
    j = i
    while j + 1 < len(lines) and j - i < 5:
        cur = lines[j].rstrip()
        last = cur.split()[-1] if cur.split() else ""
        if _ends_sentence(cur) or "://" in last or "www." in last or _FOOTNOTE.match(lines[j + 1]):
            break
        j += 1
        kinds[j] = "footnote"
    return j + 1


def _title_token(tok: str) -> bool:
    core = tok.strip("()[],:;")
    return bool(core) and (core[0].isupper() or core[0].isdigit() or core.lower() in _CONNECT)


def _heading_line(line: str, typ: float) -> bool:
    """A whole line that is a numbered or well-known heading."""
    s = line.strip()
    if _NAMED_HEAD.match(s.rstrip(".:")):
        return True
    m = _NUM_HEAD.match(s)
    if not m or s.endswith((".", ",", ";", ":")) and not s.endswith("etc."):
        return False
    words = s[m.end():].split()
    lower = sum(1 for w in words if not _title_token(w))
    return 1 <= len(words) <= 12 and lower <= 3 and len(s) <= max(1.2 * typ, 60)


def _mark_heading(p: _Page, i: int, typ: float) -> None:
    """At a paragraph start: a heading line, or a heading glued to the sentence after it
    ("1 Introduction Deep learning ...", "Sample efficiency We explore ...", "Setup: We ...")."""
    line = p.lines[i]
    if _heading_line(line, typ):
        p.kinds[i] = "heading"
        return
    m = _NUM_HEAD.match(line)
    if m:
        toks = line[m.end():].split()
        lower = 0
        for j, tok in enumerate(toks[:10]):
            nxt = toks[j + 1] if j + 1 < len(toks) else ""
            if j >= 1 and tok[:1].isupper() and tok[1:2].islower() and nxt[:1].islower() and nxt.lower() not in _CONNECT:
                cut = len(line) - len(" ".join(toks[j:]))
                p.prefix[i] = ("heading", cut)
                return
            if j >= 1 and tok.isupper() and len(toks[0]) > 1 and toks[0].isupper() and nxt[:1].isupper() \
                    and nxt[1:2].islower():
                cut = len(line) - len(" ".join(toks[j + 1:]))
                p.prefix[i] = ("heading", cut)
                return
            if not _title_token(tok):
                lower += 1
                if lower > 2 or tok.endswith((".", ",", ";")):
                    break
        return
    s = line.strip()
    if len(s) < 0.6 * typ and s[:1].isupper() and not _ends_sentence(s) and not s.endswith(",") \
            and len(s.split()) <= 8 and (i + 1 >= len(p.lines) or p.lines[i + 1][:1].isupper()):
        p.kinds[i] = "heading"
        return
    toks = line.split(None, 8)
    m = None
    if any(t in _STARTER_SET and nxt[:1].islower() for t, nxt in zip(toks[1:7], toks[2:8])):
        m = _RUN_IN.match(line)
    if m is None and ":" in line[:60]:
        m = _COLON_HEAD.match(line)
    if m and len(m.group(1).split()) <= 6:
        cut = m.end(1) + (1 if line[m.end(1):m.end(1) + 1] == ":" else 0)
        p.prefix[i] = ("heading", cut)


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
    if ref is not None:
        _mark_range(pages, ref, app or (len(pages), 0), "references")
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
            out.append(PageText(pages[pi].number, "\n".join(lines).strip(), _spans(pages[pi], lo, hi)))
    return out


def _mark_range(pages: list[_Page], start: tuple[int, int], end: tuple[int, int], kind: str) -> None:
    for pi in range(start[0], min(end[0] + 1, len(pages))):
        p = pages[pi]
        lo = start[1] if pi == start[0] else 0
        hi = end[1] if pi == end[0] else len(p.lines)
        for i in range(lo, min(hi, len(p.kinds))):
            p.kinds[i] = kind
            p.prefix.pop(i, None)


# ---------------------------------------------------------------- the reference list

def references(doc: Extracted) -> list:
    """The paper's reference list as entries (reflist.Ref: index, text, arxiv_id, year, title),
    split from the text the clean-up set aside as references."""
    from .reflist import parse

    return parse(doc.references)
