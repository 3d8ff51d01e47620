"""The arXiv identifier grammar. Nothing reaches a URL or a key without passing here.

New style: ``YYMM.NNNN`` (2007-04 .. 2014-12) or ``YYMM.NNNNN`` (2015-01 on), optional ``vN``.
Old style: ``archive[.SUBJ]/YYMMNNN`` (1991-08 .. 2007-03), optional ``vN``. The subject class
is not part of the identity (``math.GT/0309136`` is ``math/0309136``), so it is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .errors import InvalidPaperId

MAX_INPUT = 200

OLD_ARCHIVES = frozenset("""
acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas
cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin nucl-ex
nucl-th patt-sol physics plasm-ph q-alg q-bio quant-ph solv-int supr-con
""".split())

_NEW = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?:v(?P<v>[1-9]\d{0,3}))?")
_OLD = re.compile(  # subject class: math.GT, cs.AI ... or physics.acc-ph, cond-mat.mtrl-sci
    r"(?P<arch>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subj>[A-Za-z]{2}|[a-z]{4,8}|[a-z]{2,5}-[a-z]{2,4}))?/"
    r"(?P<yy>\d{2})(?P<mm>\d{2})(?P<num>\d{3})(?:v(?P<v>[1-9]\d{0,3}))?")
_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_URL_KINDS = ("abs", "pdf", "html")


@dataclass(frozen=True)
class PaperRef:
    """A validated paper reference: the base id and, when given, a version."""
    id: str
    version: int | None = None

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id

    def with_version(self, version: int | None) -> "PaperRef":
        return PaperRef(self.id, version)

    def __str__(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id


def _valid_new(m: re.Match) -> bool:
    yy, mm, num = int(m["yy"]), int(m["mm"]), m["num"]
    if not 1 <= mm <= 12:
        return False
    yymm = yy * 100 + mm
    if yymm < 704:               # new style began in April 2007 (07xx)
        return False
    return len(num) == (4 if yymm <= 1412 else 5) and int(num) > 0


def _valid_old(m: re.Match) -> bool:
    if m["arch"] not in OLD_ARCHIVES:
        return False
    yy, mm = int(m["yy"]), int(m["mm"])
    if not 1 <= mm <= 12:
        return False
    year = 1900 + yy if yy >= 91 else 2000 + yy
    return (1991, 8) <= (year, mm) <= (2007, 3) and int(m["num"]) > 0


def parse_id(text: str) -> PaperRef:
    """Parse a bare identifier (``2401.15884v2``, ``arXiv:hep-th/9901001``)."""
    if not isinstance(text, str) or not text or len(text) > MAX_INPUT or not text.isascii():
        raise InvalidPaperId(f"invalid arXiv identifier: {text!r:.80}")
    s = text.strip()
    if s[:6].lower() == "arxiv:":
        s = s[6:]
    m = _NEW.fullmatch(s)
    if m and _valid_new(m):
        return PaperRef(f"{m['yy']}{m['mm']}.{m['num']}", int(m["v"]) if m["v"] else None)
    m = _OLD.fullmatch(s)
    if m and _valid_old(m):
        return PaperRef(f"{m['arch']}/{m['yy']}{m['mm']}{m['num']}", int(m["v"]) if m["v"] else None)
    raise InvalidPaperId(f"invalid arXiv identifier: {text!r:.80}")


# What a Japanese IME types: full-width ASCII (U+FF01..U+FF5E) and the ideographic space.
# Only these are folded; other look-alikes (Arabic-Indic digits, Cyrillic) stay refused.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def parse_pasted(text: str) -> PaperRef:
    """What readers paste: an id or arxiv.org URL, typed full width (２２０３．００２７４) or
    with spaces around it. Full-width ASCII is folded to ASCII, then the strict grammar applies."""
    if not isinstance(text, str) or len(text) > MAX_INPUT:
        raise InvalidPaperId(f"invalid arXiv identifier or URL: {text!r:.80}")
    return parse_ref(text.translate(_FULL_WIDTH).strip())


def parse_ref(text: str) -> PaperRef:
    """Parse an identifier or an arxiv.org abs/pdf/html URL into a PaperRef."""
    if not isinstance(text, str) or not text or len(text) > MAX_INPUT or not text.isascii():
        raise InvalidPaperId(f"invalid arXiv identifier or URL: {text!r:.80}")
    s = text.strip()
    if "://" not in s and not s.lower().startswith(tuple(f"{h}/" for h in _HOSTS)):
        return parse_id(s)
    if "://" not in s:
        s = "https://" + s
    try:
        u = urlsplit(s)
        port = u.port              # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise InvalidPaperId(f"invalid arXiv URL: {text!r:.80}") from exc
    if u.scheme not in ("http", "https") or (u.hostname or "") not in _HOSTS or port not in (None, 443, 80) \
            or u.username or u.password or "%" in u.path or "\\" in u.path:
        raise InvalidPaperId(f"not an arxiv.org paper URL: {text!r:.80}")
    parts = u.path.split("/", 2)  # '', kind, rest
    if len(parts) != 3 or parts[1] not in _URL_KINDS:
        raise InvalidPaperId(f"not an arxiv.org paper URL: {text!r:.80}")
    rest = unquote(parts[2]).rstrip("/")
    if parts[1] == "pdf" and rest.endswith(".pdf"):
        rest = rest[:-4]
    return parse_id(rest)
