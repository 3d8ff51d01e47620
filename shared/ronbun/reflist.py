"""The paper's own reference list, split into entries, and where the body cites each one.

`parse(text)` splits the references text that pdftext sets aside (`Extracted.references`)
into entries: numbered lists ("[12] ..." or "12. ...") by their labels, author-year lists
(ACL, JMLR) at the line where a new author list starts after an entry that has its year.
Each entry keeps its text, its arXiv id when it gives one (arXiv:2004.05150, arxiv.org/abs/...,
"ArXiv, abs/1904.06652", [astro-ph/0003365]) and its year. `citations(doc, refs)` finds the
body sentences that cite each entry: [3], [2, 5-7] for numbered lists, the first author's
surname with the year for author-year lists. Nothing here invents an entry: it is all the
paper's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InvalidPaperId
from .ids import parse_id

MAX_ENTRY_CHARS = 4000          # longer "entries" are a run of several the split missed


@dataclass
class Ref:
    index: int                  # 1-based position in the list (the number in a numbered list)
    text: str                   # the entry as printed, lines joined
    arxiv_id: str | None = None
    year: int | None = None
    year_tag: str = ""          # the year as printed, with its letter (2019b): author-year citations
    numbered: bool = False      # the list labels its entries ([n] or n.)
    title: str = ""             # best guess at the title (for matching and display)
    surname: str = ""           # first author's surname (author-year citations)

    @property
    def url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else None


# ---------------------------------------------------------------- splitting

_LABEL_BRACKET = re.compile(r"^\[(\d{1,3})\]\s+")
_LABEL_DOT = re.compile(r"^(\d{1,3})\.\s+(?=[A-Z\u00c0-\u024f])")
_FOOTNOTE_URL = re.compile(r"^\d{1,2}\s+https?://\S+$")      # a page footnote that landed in the list
_YEAR = re.compile(r"(?<![\d./])(19[5-9]\d|20[0-4]\d)[a-z]?(?![\d]|\.\d)")
# A line that starts an author list: "Danqi Chen, Adam ...", "M. A. Alvarez, L. ...",
# "Petr Baudiš and Jan ...", "A Anthropic. 2024.", "Zhong, X., Tang, J.", "Wen-tau Yih, ..."
_NAME = r"[A-Z\u00c0-\u024f][\w'’\-\u0300-\u036f\u00b4\u02c6-\u02dd]*"
_NOT_AUTHOR = r"(?!(?i:arxiv|in|proceedings|advances|journal|transactions|corr|url|ieee|acm|springer|association|" \
              r"international|conference|workshop|pages|volume|technical|preprint|available)\b)"
_AUTHOR_START = re.compile(
    rf"^{_NOT_AUTHOR}(?:(?:[A-Z]\.\s?){{1,3}}(?:-?[A-Z]\.\s?)?{_NAME}(?:\s{_NAME})?|{_NAME}(?:\s+(?:[A-Z]\.|{_NAME}|van|von|de|der|da|di|le|la)){{0,3}})"
    rf"(?:,|\s+and\s|\.\s+(?:19|20)\d\d|\s+et al\.)")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not _FOOTNOTE_URL.match(ln.strip())]


def _join(lines: list[str]) -> str:
    """Lines of one entry as one string (pdftext already joined words broken at line ends);
    a URL broken after a slash or a scheme is rejoined."""
    out = ""
    for ln in lines:
        out += ln if not out or out.endswith(("/", "https:", "http:")) else " " + ln
    return " ".join(out.split())


def _numbered(lines: list[str]) -> list[tuple[int, list[str]]] | None:
    """Entries of a numbered list, when most lines that start an entry carry the next number."""
    for label in (_LABEL_BRACKET, _LABEL_DOT):
        entries: list[tuple[int, list[str]]] = []
        expect = 1
        for ln in lines:
            m = label.match(ln)
            if m and int(m.group(1)) == expect:
                entries.append((expect, [ln[m.end():]]))
                expect += 1
            elif entries:
                entries[-1][1].append(ln)
        if len(entries) >= 3:
            return entries
    return None


def _author_year(lines: list[str]) -> list[list[str]]:
    """Entries of an unnumbered list: a new entry begins at an author-list line that follows a
    line ending an entry (a full stop), once the entry so far has its year (or an arXiv id)."""
    entries: list[list[str]] = []
    for ln in lines:
        if entries:
            cur = entries[-1]
            ended = cur[-1].rstrip().endswith((".", ".”", ".\"", ")")) and (
                _YEAR.search(" ".join(cur)) or arxiv_id(" ".join(cur)))      # an arXiv id dates it too
            if ended and _AUTHOR_START.match(ln):
                entries.append([ln])
            else:
                cur.append(ln)
        else:
            entries.append([ln])
    return entries


# ---------------------------------------------------------------- fields

_ARXIV_NEW = r"\d{4}\.\d{4,5}(?:v\d+)?"
_ARXIV_OLD = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?"
_ARXIV = [
    re.compile(rf"arxiv\.org/(?:abs|pdf)/({_ARXIV_NEW}|{_ARXIV_OLD})", re.I),
    re.compile(rf"\barxiv(?:\s+preprint)?\s*[:,]?\s*(?:abs/)?({_ARXIV_NEW}|{_ARXIV_OLD})", re.I),
    re.compile(rf"\[({_ARXIV_OLD})\]"),
]


def arxiv_id(text: str) -> str | None:
    """The arXiv id an entry gives (without version), checked against the id grammar."""
    squeezed = re.sub(r"(?<=[/:.])\s+(?=\d)", "", text)       # "arXiv: 1806.03688", "abs/ 1904.06652"
    for pattern in _ARXIV:
        for m in pattern.finditer(squeezed):
            try:
                return parse_id(m.group(1)).id
            except InvalidPaperId:
                continue
    return None


_SENTENCE_CUT = re.compile(r"(?<![A-Z])(?<!\bvs)(?<!\bEd)(?<!\bed)(?<!\bIn)\.\s+(?=\S)")
_LNCS_AUTHORS = re.compile(r"[A-Z]\.:\s+(.+)")


def _title(text: str) -> str:
    """The title: the part after the author list (and after the year in ACL style)."""
    parts = [p.strip() for p in _SENTENCE_CUT.split(text) if p.strip()]
    if len(parts) < 2:
        return text[:200]
    rest = parts[1:]
    if re.fullmatch(r"\(?(?:19|20)\d\d[a-z]?\)?", rest[0]) and len(rest) > 1:
        rest = rest[1:]
    title = rest[0]
    lncs = _LNCS_AUTHORS.search(parts[0])                  # LNCS "Surname, F.: Title"
    if lncs:
        title = lncs.group(1)
    if len(title.split()) < 3:                             # physics lists give no title
        return text[:200]
    return title[:200]


def _surname(text: str) -> str:
    """The first author's surname: "Zhong, X." -> Zhong, "Danqi Chen" -> Chen, "M. A. Alvarez" -> Alvarez."""
    m = re.match(r"^([A-Z\u00c0-\u024f][^\s,]+),\s*(?:[A-Z]\.|[A-Z][a-z]+\s[A-Z]\.)", text)
    if m:                                           # "Surname, F." (LNCS, numbered lists)
        return m.group(1)
    head = re.split(r",|\s+and\s|\.\s+(?:19|20)\d\d|\s+et al", text, maxsplit=1)[0]
    words = [w for w in head.split() if not re.fullmatch(r"[A-Z]\.(?:-?[A-Z]\.)*|[A-Z]|Jr\.?|II|III|IV", w)]
    return words[-1].strip(".") if words else ""


def _entry(index: int, lines: list[str], numbered: bool) -> Ref | None:
    text = _join(lines)
    if len(text) < 15 or len(text) > MAX_ENTRY_CHARS:
        return None
    year = _YEAR.search(text)
    return Ref(index=index, text=text, arxiv_id=arxiv_id(text), year=int(year.group(1)) if year else None,
               year_tag=year.group(0) if year else "",
               numbered=numbered, title=_title(text), surname=_surname(text))


def parse(text: str) -> list[Ref]:
    """The entries of a references text, in order (empty when there is none)."""
    lines = _lines(text or "")
    if not lines:
        return []
    numbered = _numbered(lines)
    if numbered:
        refs = [_entry(n, body, True) for n, body in numbered]
    else:
        refs = [_entry(i, body, False) for i, body in enumerate(_author_year(lines), 1)]
    return [r for r in refs if r is not None]


# ---------------------------------------------------------------- citations in the body

_BRACKETS = re.compile(r"\[(\d{1,3}(?:\s*[,–\-]\s*\d{1,3})*)\]")


def cited_numbers(sentence: str) -> set[int]:
    """Reference numbers a sentence cites: [3], [2, 5], [4-6] / [4–6]."""
    out: set[int] = set()
    for m in _BRACKETS.finditer(sentence):
        for part in m.group(1).split(","):
            ends = re.split(r"\s*[–\-]\s*", part.strip())
            if len(ends) == 2 and ends[0].isdigit() and ends[1].isdigit() and 0 < int(ends[1]) - int(ends[0]) < 30:
                out.update(range(int(ends[0]), int(ends[1]) + 1))
            elif ends[0].isdigit():
                out.add(int(ends[0]))
    return out


def cites(sentence: str, ref: Ref) -> bool:
    if ref.numbered:
        return ref.index in cited_numbers(sentence)
    if not ref.surname or not ref.year_tag or len(ref.surname) < 2:
        return False
    tag = re.escape(ref.year_tag) if ref.year_tag[-1].isalpha() else rf"{ref.year_tag}(?![a-z])"
    return bool(re.search(rf"\b{re.escape(ref.surname)}\b[^;()]{{0,40}}?\(?\b{tag}\b", sentence))


@dataclass
class Citing:
    page: int
    sentence: str


@dataclass
class Cited:
    ref: Ref
    sentences: list[Citing] = field(default_factory=list)


def citations(doc, refs: list[Ref]) -> dict[int, list[Citing]]:
    """{ref index: body sentences (with their page) that cite it}, from the body prose only
    (the reference list never counts as a citation of itself)."""
    from .prompts import prose_pages, split_sentences

    out: dict[int, list[Citing]] = {r.index: [] for r in refs}
    for page in prose_pages(doc.body):
        for s in split_sentences(page.text):
            for r in refs:
                if cites(s, r):
                    out[r.index].append(Citing(page.number, s))
    return out


# ---------------------------------------------------------------- matching a model's pick

_WORDS = re.compile(r"[a-z0-9]+")


def title_matches(claimed: str, ref: Ref, threshold: float = 0.6) -> bool:
    """Whether a title the model wrote is this entry's: most of its words are in the entry."""
    words = [w for w in _WORDS.findall(claimed.lower()) if len(w) > 2]
    if not words:
        return False
    have = set(_WORDS.findall(ref.text.lower()))
    return sum(w in have for w in words) >= threshold * len(words)
