"""Quotes as evidence: is a quote on the cited page, in the paper's own body prose (not a
running head, heading, caption, figure text, footnote or garbled text), and long enough to
prove anything?"""

from __future__ import annotations

import re
from typing import Sequence

from .text import _is_japanese, _page_skeleton, _skeleton, normalize

MIN_QUOTE_CHARS = 20          # shorter quotes match almost anywhere: not evidence
MIN_QUOTE_WORDS = 4
SPACELESS_QUOTE_CHARS = 40    # a one-"word" quote from a page that lost its spaces


_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\.\s*\.\s*\.|…)\s*")


def _quote_parts(quote: str) -> list[str]:
    return [s for s in (_skeleton(p) for p in _ELLIPSIS.split(quote)) if s]


def _find_parts(parts: Sequence[str], haystack: str) -> int:
    """Start of the first part when every part occurs in order, else -1."""
    pos, first = 0, -1
    for part in parts:
        at = haystack.find(part, pos)
        if at < 0:
            return -1
        first = at if first < 0 else first
        pos = at + len(part)
    return first


def quote_found(quote: str, page_text: str) -> bool:
    """Is the quote on this page (after normalisation; "..." may skip words)?"""
    parts = _quote_parts(quote)
    return bool(parts) and _find_parts(parts, _page_skeleton(page_text)) >= 0


def find_quote_page(quote: str, pages: dict[int, str]) -> int | None:
    """The first page that holds the quote, or None."""
    for number in sorted(pages):
        if quote_found(quote, pages[number]):
            return number
    return None


def _found_on_page(parts: Sequence[str], page: int, pages: dict[int, str]) -> bool:
    """On the cited page, or starting there and running over to the next page."""
    here = _page_skeleton(pages[page])
    if _find_parts(parts, here) >= 0:
        return True
    if page + 1 not in pages:
        return False
    at = _find_parts(parts, here + _page_skeleton(pages[page + 1]))
    return 0 <= at < len(here)


def quote_too_short(quote: str) -> bool:
    """Too short to prove anything: fewer than ~20 characters or 4 words (in its longest
    part, when "..." skips words)."""
    part = max(_ELLIPSIS.split(quote), key=lambda p: len(_skeleton(p)))
    skeleton = _skeleton(part)
    if any(_is_japanese(c) for c in part):
        return len(skeleton) < MIN_QUOTE_CHARS // 2
    words = len(normalize(part).split())
    return len(skeleton) < MIN_QUOTE_CHARS or (words < MIN_QUOTE_WORDS and len(skeleton) < SPACELESS_QUOTE_CHARS)


def quote_status(quote: str, page: int, pages: dict[int, str], prose: dict[int, str] | None = None) -> str:
    """Where a quote stands as evidence for its cited page:
    "ok" (in the page's body prose, or on the page when no prose is given),
    "not_body" (on the page, but not within its prose: it overlaps a running head, heading,
    caption, figure or table text, footnote or garbled text), or "not_found"."""
    parts = _quote_parts(quote)
    if not parts:
        return "not_found"
    if prose is not None and page in prose and _found_on_page(parts, page, prose):
        return "ok"
    if page in pages and _found_on_page(parts, page, pages):
        return "ok" if prose is None else "not_body"
    return "not_found"
