"""The quote's own terms, rendered literally (`mistranslation` by the evidence).

The glossary's traps must fire on their own, so a trap that is ordinary Japanese elsewhere
(落ちこぼれ, 詰め物, 蝶番) counts only where the text uses it as an ML term, and a word the glossary
does not list (時代 for "epoch") never counts. An answer's quote says which term it is about: when
the quote writes "dropout" or "epoch" and the answer renders it with none of the term's accepted
renderings (nor the English) but with a word the dictionary gives for it, the answer translated the
everyday sense of the word, not the term.

- The term is one of the glossary's terms with an accepted rendering, written in the quote (its
  words up to a plural or -ing/-ed ending: "fine-tune" is "fine-tuning"; "reasons" is not "reasoning").
- The word is
  - one of the term's traps, except the general words that are normal Japanese on their own
    (注目, 言葉: "~+" in the glossary: they still need an ML compound);
  - for a one-word term, a word with that English word as a gloss of one of its first senses
    (data/term_senses.tsv, built from JMdict by tools/build_term_senses.py), other than an accepted
    rendering of any term or a "~+" word;
  - for a term of two or more words, a kanji word whose glosses (data/ja_en_gloss.tsv) cover every
    content word of the term, up to the word's ending (客観的機能 for "objective function");
  - for a term of two or more words, its words rendered one by one and joined by の or な (錨の箱
    for "anchor box"): each joined word glosses a word of the term, together they gloss all of
    them, and one of them shares no kanji with an accepted rendering.
- A word that shares a kanji with an accepted rendering is a variant of it (類似性 for 類似度), unless
  it is a compound of a multiword term with a word of its own for one of the term's words, sharing no
  kanji with an accepted rendering (倒立 in 倒立索引 for "inverted index", beside 索引 of 転置索引); and
  katakana is a transliteration: neither counts.

The other way round (`translates_quote`): a glossary trap that is the faithful rendering of another
word of the quote, where the quote writes none of the trap's term (変調 for "modulation", not for
"anomaly"), is the quote translated, not a term mistranslated.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Sequence

from .. import glossary
from .grounding import _STOP, _matches, english_roots, glosses, pieces, root

_EN_WORD = re.compile(r"[a-z][a-z0-9']*")
_KANJI_WORD = re.compile(r"[\u4e00-\u9fff々]{2,}")
_KATAKANA = re.compile(r"[\u30a1-\u30ffー・]+")
_KANJI_RUN = re.compile(r"[\u4e00-\u9fff々]+")
_JOINTS = ("の", "な")


def word_form(word: str) -> str:
    """An English word up to its plural and -ing/-ed ending: "tokens" -> "token", "fine-tuned" ->
    "fine" "tun", "reasons" -> "reason" (but "rater" is not "rate", "objective" not "object")."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("ches", "shes", "sses", "xes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]                     # "stopped" -> "stop"
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def sense_key(word: str) -> str:
    """The key of data/term_senses.tsv for an English word: its word form, and "+ing" for a word in
    -ing, so that "scaling" (the method) is not "scale" and "sampling" is not "sample"."""
    return word_form(word) + ("+ing" if word.endswith("ing") else "")


def _forms(text: str) -> list[str]:
    """The word forms of a text; a plural noun keeps its "s" apart from a word in -ing, so
    "reasons" is not "reasoning" (while "fine-tune" and "fine-tuned" are "fine-tuning")."""
    out = []
    for w in _EN_WORD.findall(text.lower().replace("-", " ").replace("’", "'")):
        form = word_form(w)
        out.append(form + "+s" if w.endswith("s") and not w.endswith(("ss", "us", "is", "ings")) else form)
    return out


def _same(term_form: str, quote_form: str, term_word_ing: bool) -> bool:
    """A term's word and a quote's word are the same (a plural is the singular, but not a word in -ing)."""
    return quote_form == term_form or (not term_word_ing and quote_form == term_form + "+s")


def _term_forms(en: str) -> tuple[tuple[str, bool], ...]:
    """A term's word forms, each with whether the word ends in -ing."""
    return tuple((word_form(w), w.endswith("ing"))
                 for w in _EN_WORD.findall(en.lower().replace("-", " ").replace("’", "'")))


@lru_cache(maxsize=1)
def _terms_by_first_word() -> dict[str, tuple[tuple[tuple[tuple[str, bool], ...], glossary.Term], ...]]:
    out: dict[str, list] = {}
    for term in glossary.terms():
        forms = _term_forms(term.en)
        if forms:
            out.setdefault(forms[0][0], []).append((forms, term))
    return {k: tuple(v) for k, v in out.items()}


def quoted_terms(quotes: Sequence[str]) -> list[glossary.Term]:
    """The glossary terms (with an accepted rendering) that the quotes write, in quote order."""
    seq = _forms(" ".join(q for q in quotes if q))
    bare = [f.removesuffix("+s") for f in seq]
    index = _terms_by_first_word()
    found: dict[str, glossary.Term] = {}
    for i, form in enumerate(bare):
        for forms, term in index.get(form, ()):
            if len(forms) <= len(seq) - i and all(_same(f, seq[i + k], ing) for k, (f, ing) in enumerate(forms)):
                found.setdefault(term.en, term)
    return list(found.values())


@lru_cache(maxsize=1)
def _senses() -> dict[str, tuple[str, ...]]:
    """English word form -> Japanese words with it as a gloss of one of their first senses
    (data/term_senses.tsv, built by tools/build_term_senses.py from JMdict)."""
    out = {}
    for line in files("ronbun").joinpath("data/term_senses.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, words = line.partition("\t")
            out[key] = tuple(words.split("|"))
    return out


@lru_cache(maxsize=1)
def _ordinary() -> frozenset[tuple[str, str]]:
    """(word, English term) of every trap the glossary lists as ordinary Japanese on its own ("~+")."""
    # a generated trap's rule is the word itself (escaped at most): only a long rule can be "~+"
    return frozenset((w, t.en) for t in glossary._all_terms() for w, r in zip(t.bad, t.rules)
                     if len(r) > 2 * len(w) + 8 and r == glossary._rule(w, glossary.IN_COMPOUND))


@lru_cache(maxsize=1)
def _never_literal() -> frozenset[str]:
    """Words that are never the everyday sense standing in for a term: every accepted rendering,
    and the general words the glossary lists as ordinary Japanese on their own ("~+")."""
    return frozenset({w for w, _ in _ordinary()} | {g for t in glossary.terms() for g in t.good})


def _kanji(text: str) -> set[str]:
    return {c for c in text if "\u4e00" <= c <= "\u9fff"}


def _covers(found: frozenset[str], r: str) -> bool:
    """A word's glosses hold the English root, up to its ending ("estimat" for "estimation")."""
    return r in found or any(_matches(r, f) for f in found)


def _foreign_piece(word: str, content: Sequence[str], good_kanji: set[str]) -> bool:
    """A compound that renders every word of a term holds a word of its own for one of them, with
    no kanji of an accepted rendering: 倒立 (inverted) in 倒立索引, beside 索引 of 転置索引."""
    for piece in pieces(word) or ():
        if len(piece) >= 2 and not _kanji(piece) & good_kanji:
            found = glosses(piece) or frozenset()
            if any(_covers(found, r) for r in content):
                return True
    return False


def _rendered(text: str, term: glossary.Term) -> bool:
    """The text has one of the term's accepted renderings, or the English term itself."""
    low = text.lower()
    en = term.en.lower()
    return any(g in text for g in term.good) or en in low or en.replace("-", " ") in low


def _joined(text: str):
    """Kanji words joined by の or な, two or three of them, with their parts: 錨の箱 -> (錨, 箱)."""
    runs = list(_KANJI_RUN.finditer(text))
    for i in range(len(runs)):
        chain = [runs[i]]
        for j in range(i + 1, min(i + 3, len(runs))):
            if text[chain[-1].end():runs[j].start()] not in _JOINTS:
                break
            chain.append(runs[j])
            yield text[chain[0].start():chain[-1].end()], [m.group() for m in chain]


def _joined_rendering(text: str, content: Sequence[str], good_kanji: set[str]) -> str | None:
    """Words joined by の/な that render a multiword term one word each (錨の箱 for "anchor box"):
    every part glosses a word of the term, together they gloss all of them, and one part shares no
    kanji with an accepted rendering (学習の率 beside 学習率 is a variant, not a literal rendering)."""
    for span, parts in _joined(text):
        found = [glosses(p) or frozenset() for p in parts]
        if (all(any(_covers(f, r) for r in content) for f in found)
                and all(any(_covers(f, r) for f in found) for r in content)
                and any(not _kanji(p) & good_kanji for p in parts)):
            return span
    return None


def literal_renderings(text: str, quotes: Sequence[str]) -> list[tuple[str, str, str]]:
    """(word, accepted rendering, English term) for each term of the quotes that the text renders
    with an everyday word instead of an accepted rendering."""
    if not text or not any(q and q.strip() for q in quotes):
        return []
    hits: list[tuple[str, str, str]] = []
    for term in quoted_terms(quotes):
        if _rendered(text, term):
            continue
        good_kanji = set().union(*(_kanji(g) for g in term.good))
        words: list[str] = []
        for word in term.bad:
            if (word, term.en) in _ordinary():
                continue                      # 注目, 言葉: ordinary Japanese on their own
            i = text.find(word)
            if i >= 0 and not glossary._inside_accepted(text, i, word):
                words.append(word)
        en_words = _EN_WORD.findall(term.en.lower().replace("-", " "))
        plain = [w for w in en_words if w not in _STOP and len(w) >= 3]
        for w in plain if len(en_words) == 1 else ():
            for word in _senses().get(sense_key(w), ()):
                i = text.find(word)
                if i >= 0 and word not in _never_literal() and not glossary._inside_accepted(text, i, word):
                    words.append(word)
        content = [root(w) for w in plain]
        composed: set[str] = set()
        if len(set(content)) >= 2:
            for m in _KANJI_WORD.finditer(text):
                found = glosses(m.group())
                if found and all(_covers(found, r) for r in content):
                    words.append(m.group())
                    composed.add(m.group())
        for word in dict.fromkeys(words):
            if _KATAKANA.fullmatch(word):
                continue
            if _kanji(word) & good_kanji and not (word in composed and _foreign_piece(word, content, good_kanji)):
                continue
            hits.append((word, term.good[0], term.en))
            break
        else:                                 # no single word: the term's words joined by の/な (錨の箱)
            span = _joined_rendering(text, content, good_kanji) if len(set(content)) >= 2 else None
            if span:
                hits.append((span, term.good[0], term.en))
    # one rendering, once: 一括正規化 for "batch normalization" holds 一括 for "batch"
    return [h for h in hits if not any(h[0] != o[0] and h[0] in o[0] for o in hits)]


def translates_quote(word: str, en: str, quotes: Sequence[str]) -> bool:
    """A glossary trap that is the faithful rendering of another word of the text's own quote:
    判決 for the quote's "judgments" is not "sentence" rendered word for word, 変調 for "modulation"
    is not "anomaly". Only where the quotes hold English enough to tell and write none of the
    term's words."""
    text = " ".join(q for q in quotes if q)
    roots = english_roots(text)
    if len(roots) < 3:
        return False
    forms = {f.removesuffix("+s") for f in _forms(text)}
    words = [w for w in _EN_WORD.findall(en.lower().replace("-", " ")) if w not in _STOP and len(w) >= 3]
    if not words or any(word_form(w) in forms for w in words):
        return False
    return any(r in roots for r in glosses(word) or ())
