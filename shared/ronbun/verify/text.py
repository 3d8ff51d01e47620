"""Text normalisation and character classes shared by the checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTE_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe63": "-", "\uff0d": "-", "\u2043": "-",
    "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
})
_LINE_END_HYPHEN = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Text as compared for quotes: NFKC (ligatures, full width), one kind of quote and dash,
    line-end hyphens joined, soft hyphens dropped, whitespace collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP)
    text = _LINE_END_HYPHEN.sub(r"\1\2", text)
    return _SPACES.sub(" ", text).strip().casefold()


def _skeleton(text: str) -> str:
    """Letters and digits only, accents stripped: survives lost spaces (LNCS PDFs), kept or
    joined hyphens, spacing accents ("O˘guz") and punctuation differences."""
    text = unicodedata.normalize("NFKD", normalize(text))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


@lru_cache(maxsize=512)
def _page_skeleton(text: str) -> str:
    return _skeleton(text)





def _is_kana(c: str) -> bool:
    return "\u3041" <= c <= "\u30ff" or "\uff66" <= c <= "\uff9f"


def _is_kanji(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or c in "々〆"


def _is_japanese(c: str) -> bool:
    return _is_kana(c) or _is_kanji(c)


_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”|\"[^\"\n]*\"")
_URL = re.compile(r"https?://\S+|www\.\S+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CODE = re.compile(r"`[^`]*`")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*(?:[-_.][A-Za-z0-9]+)*")
_STOPWORDS = frozenset(
    "a an the of to in on at by for from with as is are was were be been being has have had do does did "
    "and or but not no this that these those it its we our they their there which who what when where "
    "how why can could will would should may might than then also such into over under about between".split())


def _unquoted(text: str) -> str:
    """Text the writer wrote themselves: quotations of the source, URLs and code left out."""
    return _CODE.sub(" ", _URL.sub(" ", _QUOTED.sub(" ", text)))


def _is_technical(word: str) -> bool:
    """BERT, GPT-4, DocLayNet, Transformer, in-batch: names and terms, not English prose."""
    if word.casefold() in _STOPWORDS:
        return False
    return (any(c.isdigit() for c in word) or any(c.isupper() for c in word)
            or "-" in word or "_" in word or "." in word)
