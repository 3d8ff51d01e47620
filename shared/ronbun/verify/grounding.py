"""Does an answer's wording come from its quote? (Japanese words to English through a gloss table.)

A real answer says what its evidence quote says, so at least one of its content words has a
counterpart in the quote (英語 ~ "English", 掲示板 ~ "forums", 素早く ~ "fast"); a generic sentence
that reads like content (「学習データは、モデルの性能を大きく左右するため、慎重に収集されています」)
has none. data/ja_en_gloss.tsv (built by tools/build_gloss_table.py from JMdict common words and the
glossary's accepted renderings, not a runtime dependency) maps a Japanese word to the roots of its
English glosses; English words of the quote are reduced to the same roots by `root`.

`grounded(words, quotes)` says True (some word maps to the quotes), False (every word could be
translated and none maps) or None (a word the table cannot translate, or no English quote: cannot
tell, so the caller keeps today's judgement).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Iterable, Sequence

from .text import _STOPWORDS

# English words that carry nothing of a sentence on either side (gloss "to be; to do", quote "we use").
_STOP = _STOPWORDS | frozenset("""
i you he she me us my your his her them one one's oneself someone something somebody etc e.g i.e
very more most much many less least only just even also too so all any some each every other another same
make makes made do done get got give given take taken go come put set become thing things way ways kind sort
use used using well able being our ours all up down off out over about
""".split())

_SUFFIXES = ("ationally", "izations", "isations", "ization", "isation", "ational", "ations", "ation",
             "ements", "ement", "encies", "ency", "ancies", "ancy", "ments", "ment", "nesses", "ness", "ities", "ity", "ically", "ical",
             "ingly", "edly", "ators", "ator", "ances", "ance", "ences", "ence", "ants", "ant", "ents", "ent",
             "izing", "ising", "ized", "ised", "izes", "ises", "ize", "ise", "ings", "ing", "ers", "er",
             "ies", "ied", "ly", "ed", "est", "es", "ives", "ive", "al", "s")
_SUFFIXES = tuple(sorted(_SUFFIXES, key=len, reverse=True))
_EN_WORD = re.compile(r"[a-z][a-z']*")
_JA_SPAN = re.compile(r"[\u4e00-\u9fff々]+|[\u30a1-\u30ffー]+")


def root(word: str) -> str:
    """A crude English root, the same on both sides: initialized/initialization, faster/fast,
    publicly/public, retriever/retrieval, annotators/annotation."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    for s in _SUFFIXES:
        if w.endswith(s) and len(w) - len(s) >= 3:
            if s == "s" and w[-2] in "sui":
                continue                     # loss, corpus, analysis
            w = w[:-len(s)] + ("y" if s in ("ies", "ied") else "")
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]                           # stopped -> stop
    return w


def english_roots(text: str) -> set[str]:
    """Roots of the English content words of a text (hyphenated words split: question-answer)."""
    return {root(w) for w in _EN_WORD.findall(text.lower().replace("-", " ")) if w not in _STOP and len(w) > 1}


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for line in files("ronbun").joinpath("data/ja_en_gloss.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        key, _, roots = line.partition("\t")
        if key and roots:
            out[key] = frozenset(roots.split())
    return out


def pieces(word: str) -> list[str] | None:
    """The fewest known words a Japanese word splits into (計算資源 -> 計算, 資源; a known word is
    itself), or None when it cannot be split so."""
    table = _table()
    if word in table:
        return [word]
    n = len(word)
    best: list[list[str] | None] = [[]] + [None] * n      # fewest pieces covering word[:i]
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, n + 1):
            piece = word[i:j]
            if piece in table and (best[j] is None or len(best[i]) + 1 < len(best[j])):
                best[j] = best[i] + [piece]
    return best[n]


def glosses(word: str, generic: frozenset[str] = frozenset()) -> frozenset[str] | None:
    """The English roots of a Japanese word: its own entry, or else the union over the fewest
    known pieces it splits into (計算資源 = 計算 + 資源), leaving out the generic pieces (自動評価:
    only 自動 says what it is); None when it cannot be split so."""
    table = _table()
    if word in table:
        base = word[:-1] if len(word) > 2 and word[-1] in "的性化" else ""
        return table[word] | table.get(base, frozenset())     # 専門的: also 専門 (specialty)
    split = pieces(word)
    if split is None:
        return None
    return frozenset().union(*(table[p] for p in split if p not in generic))


def _matches(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 5 and (long_.startswith(short) or long_.endswith(short))   # precomputed ~ computed


def _maps(roots: Iterable[str], quote_roots: set[str]) -> bool:
    return any(r in quote_roots or any(_matches(r, q) for q in quote_roots) for r in roots)


def quote_index(quotes: Sequence[str]) -> tuple[str, set[str]] | None:
    """The quotes' text and English roots, or None when they hold too little English to judge by."""
    text = " ".join(q for q in quotes if q)
    roots = english_roots(text)
    return (text, roots) if len(roots) >= 2 else None


def grounded(words: Sequence[str], index: tuple[str, set[str]] | None,
             generic: frozenset[str] = frozenset()) -> bool | None:
    """True when some word has a counterpart in the quotes, False when every word can be
    translated and none has, None when that cannot be told (no usable quote, an unknown word)."""
    if index is None or not words:
        return None
    text, quote_roots = index
    unknown = False
    for w in words:
        if w[0].isascii():
            if _maps([root(w.strip(".,;:!?'\"()"))], quote_roots):
                return True
            continue
        if w in text:
            return True                      # a Japanese quote, or a Japanese word inside it
        found = glosses(w, generic)
        if found is None:
            unknown = True
        elif _maps(found, quote_roots):
            return True
    return None if unknown else False


def mapped(words: Iterable[str], index: tuple[str, set[str]]) -> set[str]:
    """The words (Japanese or English) that have a counterpart in the quotes."""
    text, quote_roots = index
    out = set()
    for w in words:
        if w[0].isascii():
            ok = _maps([root(w.strip(".,;:!?'\"()"))], quote_roots)
        else:
            found = glosses(w)
            ok = w in text or (found is not None and _maps(found, quote_roots))
        if ok:
            out.add(w)
    return out
