"""Quality checks that every result passes before anyone sees it (DESIGN.md "Trustworthy
answers"): grounded quotes, real answers, numbers from the paper, Japanese in one style with
accepted ML terms, nothing cut off, no repeated questions.

Pure functions over text: no network, no PDF or model library. `check_result` returns
Findings; the blocking ones stop an item (or the summary) from being published.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal, Protocol, Sequence

from .glossary import find_mistranslations
from .models import Evidence, Finding, QAItem

Style = Literal["desu_masu", "dearu"]
ItemKey = int | Literal["summary", "one_liner"]

BLOCKING: frozenset[str] = frozenset({
    "empty", "non_answer", "no_evidence", "quote_not_found", "number_not_in_source",
    "not_japanese", "truncated", "mixed_style", "mistranslation", "duplicate_question",
})

MIN_QUOTE_CHARS = 20          # shorter quotes match almost anywhere: not evidence
MIN_QUOTE_WORDS = 4
SPACELESS_QUOTE_CHARS = 40    # a one-"word" quote from a page that lost its spaces
DUPLICATE_JACCARD = 0.6
JAPANESE_MIN_RATIO = 0.5
LATIN_WORD_WEIGHT = 3         # one English word carries about as much as three Japanese characters


class _Document(Protocol):
    one_liner: str
    summary: str
    qa: list[QAItem]


# ------------------------------------------------------------------ normalisation

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


# ------------------------------------------------------------------ Japanese text

def _is_kana(c: str) -> bool:
    return "\u3041" <= c <= "\u30ff" or "\uff66" <= c <= "\uff9f"


def _is_kanji(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or c in "々〆"


def _is_japanese(c: str) -> bool:
    return _is_kana(c) or _is_kanji(c)


_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”|\"[^\"\n]*\"")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
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


def japanese_ratio(text: str) -> float:
    """Share of Japanese in the writer's own text; each plain English word counts as three
    characters, technical tokens (BERT, GPT-4) and quotations do not count."""
    own = _unquoted(text)
    jp = sum(1 for c in own if _is_japanese(c))
    en = sum(1 for w in _LATIN_WORD.findall(own) if not _is_technical(w)) * LATIN_WORD_WEIGHT
    return jp / (jp + en) if jp + en else 0.0


def _japanese_problem(text: str) -> str | None:
    own = _unquoted(text)
    jp = sum(1 for c in own if _is_japanese(c))
    if jp == 0:
        return "no Japanese text"
    ratio = japanese_ratio(text)
    if ratio < JAPANESE_MIN_RATIO:
        return f"mostly not Japanese ({ratio:.0%} Japanese)"
    if jp >= 8 and not any(_is_kana(c) for c in own):
        return "no kana: not Japanese (Chinese?)"
    return None


# ------------------------------------------------------------------ style

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_TRAILING = re.compile(r"(?:[\s。．.！？!?、,」』）)\]”\"'…]|[（(][^（()）]*[）)])+$")
_POLITE_END = re.compile(
    r"(?:です|ます|でした|ました|ません|ませんでした|でしょう|ましょう|ください|下さい|ございます)[かねよ]?$")
_PLAIN_END = re.compile(
    r"(?:である|であった|であろう|だろう|だった|ではない|でない|じゃない|のだ|んだ|だ|ない|なかった|"
    r"(?<!あな)(?<![かが])た|る|(?<![よこどほ])う|(?<!ごと)く|す|(?<![0-9一二三四五六七八九十いくひとふた])つ|"
    r"[ぬぶむぐず]|しい|たい|よい|(?:[高低多良長短早速遅強弱広狭近遠深浅重軽安古薄厚硬]|大き|小さ|細か)い|か)$")


def sentence_style(sentence: str) -> Literal["desu_masu", "dearu", "neutral"]:
    """The politeness of one sentence from its ending; noun endings (体言止め) are neutral."""
    core = _TRAILING.sub("", _QUOTED.sub("「」", sentence).strip())
    if not core:
        return "neutral"
    if _POLITE_END.search(core):
        return "desu_masu"
    if _is_kana(core[-1]) and _PLAIN_END.search(core):
        return "dearu"
    return "neutral"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def off_style_sentences(text: str, style: Style = "desu_masu") -> list[str]:
    """Sentences written in the other style (plain form in a です・ます text, or the reverse)."""
    other = "dearu" if style == "desu_masu" else "desu_masu"
    found = sentences(text)
    if found and not found[-1].endswith(("。", "．", "！", "？", "!", "?")):
        found.pop()                  # a cut-off tail is reported as truncated, not as style
    return [s for s in found if sentence_style(s) == other]


_END_OK = tuple("。．！？!?」』）)”\"")
_DANGLING = re.compile(r"(?:[をがへや、,]|(?<![こもあ])と)[。．]?$")


def is_truncated(text: str) -> bool:
    """Cut mid-sentence: no closing punctuation, or a dangling particle or comma at the end."""
    text = text.rstrip()
    if not text:
        return True
    if text.endswith(("…", "...", "・・・")) or not text.endswith(_END_OK):
        return True
    core = text.rstrip("」』）)”\"")
    return bool(_DANGLING.search(core))


# ------------------------------------------------------------------ answers that say nothing

_CLAUSE_END = r"(?=[\s。．.、，,！!？?」）)]*(?:$|が|ため|ので|けれど|[、，,]))"
_NON_ANSWER = re.compile(
    r"(?:不明(?!瞭|確)|"
    r"(?:記載|記述|言及|説明|明記|明示|開示|報告|情報)(?:は|が|も)?(?:されていない|されていません|されておらず|"
    r"ありません|ない|ございません|見当たりません|見られません|含まれていません)|"
    r"(?:述べ|触れ|示さ|明らかにさ|特定さ)れて(?:いません|いない|おらず)|"
    r"(?:分かり|わかり|判断でき|特定でき|確認でき|お答えでき|回答でき)ません|"
    r"(?:分から|わから|判断でき|特定でき|確認でき)ない)(?:です|である|であり|でした)?" + _CLAUSE_END +
    r"|\bnot (?:specified|mentioned|disclosed|stated|described|provided|reported|clear|available)\b"
    r"|\b(?:does|do|did) not (?:mention|specify|say|state|describe|discuss|report|provide)\b"
    r"|\bunclear\b|\bno information\b|\bn/a\b",
    re.I)
_CLAUSE_SPLIT = re.compile(r"が[、,]|けれど[、,]|ものの[、,]|[。！？!?\n;；、,]")


def _substantive(clause: str) -> bool:
    """A clause that states something: a number, a name, or a real sentence."""
    return (any(c.isdigit() or (c.isascii() and c.isalpha()) for c in clause)
            or sum(1 for c in clause if _is_japanese(c)) >= 15)


def says_nothing(answer: str) -> bool:
    """Only "not stated / unclear" and nothing else of substance."""
    clauses = [c for c in _CLAUSE_SPLIT.split(unicodedata.normalize("NFKC", answer)) if c.strip()]
    if not any(_NON_ANSWER.search(c) for c in clauses):
        return False
    return not any(_substantive(c) for c in clauses if not _NON_ANSWER.search(c))


_FUNCTION_BIGRAM = re.compile(r"^[\u3041-\u309f]{2}$")


def _bigrams(text: str) -> set[str]:
    s = "".join(c for c in normalize(text) if c.isalnum())
    return {s[i:i + 2] for i in range(len(s) - 1)}


def restates_question(question: str, answer: str) -> bool:
    """Mostly the question's own words with hardly anything new."""
    answer_bg = {b for b in _bigrams(answer) if not _FUNCTION_BIGRAM.match(b)}
    if not answer_bg:
        return False
    shared = answer_bg & _bigrams(question)
    novel = answer_bg - shared
    return len(shared) / len(answer_bg) >= 0.5 and len(novel) < 6


_QUESTION_TAIL = re.compile(r"(?:ですか|ますか|でしょうか|ましたか|か)?[？?。\s]*$")
_CONTENT_WORD = re.compile(r"[\u30a1-\u30ffー]{2,}|[\u4e00-\u9fff々]{2,}|[a-z0-9][a-z0-9.\-]+")


def _own_topic(words: set[str], other: set[str]) -> bool:
    return any(not any(w in o or o in w for o in other) for w in words)


def different_topics(a: str, b: str) -> bool:
    """Each question names something the other does not (エンコーダ vs デコーダ)."""
    wa, wb = set(_CONTENT_WORD.findall(normalize(a))), set(_CONTENT_WORD.findall(normalize(b)))
    return _own_topic(wa, wb) and _own_topic(wb, wa)


def question_similarity(a: str, b: str) -> float:
    """Jaccard of character bigrams after dropping the polite question ending."""
    x, y = _bigrams(_QUESTION_TAIL.sub("", a)), _bigrams(_QUESTION_TAIL.sub("", b))
    return len(x & y) / len(x | y) if x | y else 1.0


# ------------------------------------------------------------------ numbers

@dataclass(frozen=True)
class Quantity:
    text: str           # as written
    value: float
    tolerance: float    # half a unit of the last digit written (rounding)
    percent: bool = False


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_JP_UNIT = r"(?:[百千]?[万億兆]|千)"
_QTY = re.compile(
    rf"(?=\d)(?:(?P<chain>(?:{_NUM}{_JP_UNIT})+(?:{_NUM}(?![\d.]))?)"
    rf"|(?P<mant>{_NUM})\s*(?:[eE](?P<e1>[-+]?\d+)|[×xX*]\s*10\s*(?:\^\s*\{{?\s*(?P<e2>[-+]?\d+)\}}?|(?P<e2b>-\d+)))"
    rf"|10\s*\^\s*\{{?\s*(?P<e3>[-+]?\d+)\}}?"
    rf"|(?P<num>{_NUM})(?:\s?(?P<word>thousand|million|billion|trillion)(?![A-Za-z])|(?P<suf>[KkMBT]|bn)(?![A-Za-z]))?)")
_JP_PART = re.compile(rf"({_NUM})({_JP_UNIT})?")
_JP_UNITS = {"千": 1e3, "万": 1e4, "億": 1e8, "兆": 1e12}
_MULT = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
         "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "T": 1e12}
_PERCENT_AFTER = re.compile(r"\s?(?:%|パーセント|ポイント)")
_ABOUT_BEFORE = re.compile(r"(?:約|およそ|ほぼ|概ね|approximately|about|around|roughly)\s*$", re.I)
_REF_BEFORE = re.compile(
    r"(?:第|図|表|式|節|章|付録|行|ステップ|セクション|アルゴリズム|定理|補題|Table|Tab\.|Fig\.|Figure|Section|"
    r"Sec\.|§|Eq\.|Equation|Appendix|Algorithm|Step|Theorem|Lemma|p\.|pp\.|page|No\.|#)\s*[(（]?\s*$", re.I)
_REF_AFTER = re.compile(r"^\s*(?:ページ|頁|章|節|項|行目|行|段落|番目|位|つ目|回目|月|日)")
_ARXIV_ID = re.compile(r"(?<![\d.])\d{4}\.\d{4,5}(?:v\d+)?(?!\d)")
_IDENT_CHARS = re.compile(r"[A-Za-z0-9_.+\-]*$")
_CITATION = re.compile(r"\[[\d,\s\-]*$")
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                  "ninety": 90, "hundred": 100, "thousand": 1000, "dozen": 12, "single": 1, "once": 1,
                  "twice": 2, "double": 2, "pair": 2, "triple": 3, "thrice": 3, "first": 1, "second": 2,
                  "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
                  "tenth": 10}
_WORD = re.compile(r"[A-Za-z]+")
_BARE_EXPONENT = re.compile(rf"(?:({_NUM})\s*[×xX*]\s*)?10\s*-\s*(\d{{1,2}})\b")


def _decimals(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def _plain(num: str) -> float:
    return float(num.replace(",", ""))


def _jp_unit(unit: str) -> float:
    """千 1e3, 万 1e4, 百万 1e6, 千万 1e7, 億 1e8, 兆 1e12."""
    if not unit:
        return 1.0
    prefix = {"百": 100, "千": 1000}.get(unit[0], 1) if len(unit) > 1 else 1
    return _JP_UNITS[unit[-1]] * prefix


def _rounded(num: str, mult: float, value: float, tol: float) -> float:
    """2100万 for 21,015,324: trailing zeros of an integer may be rounding, within 1%."""
    digits = num.replace(",", "")
    zeros = len(digits) - len(digits.rstrip("0")) if "." not in digits and digits.strip("0") else 0
    if zeros:
        tol = max(tol, min(10 ** zeros * mult / 2, abs(value) * 0.01))
    return tol


def _quantity(m: re.Match, text: str) -> Quantity:
    if m["chain"]:
        value, unit_of_last, decimals = 0.0, 1.0, 0
        for part in _JP_PART.finditer(m["chain"]):
            unit = part[2] or ""
            mult = _jp_unit(unit)
            value += _plain(part[1]) * mult
            unit_of_last, decimals = mult, _decimals(part[1])
        tol = _rounded(part[1], unit_of_last, value, unit_of_last * 10 ** -decimals / 2)
    elif m["mant"]:
        exp = int(m["e1"] or m["e2"] or m["e2b"])
        value = _plain(m["mant"]) * 10.0 ** exp
        tol = 10.0 ** (exp - _decimals(m["mant"])) / 2
    elif m["e3"]:
        value, tol = 10.0 ** int(m["e3"]), 0.0
    else:
        mult = _MULT.get(m["word"] or m["suf"] or "", 1.0)
        value = _plain(m["num"]) * mult
        tol = _rounded(m["num"], mult, value, mult * 10 ** -_decimals(m["num"]) / 2)
    percent = bool(_PERCENT_AFTER.match(text, m.end()))
    if _ABOUT_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
        tol = max(tol, abs(value) * 0.05)
    return Quantity(m.group(0).strip(), value, tol, percent)


def _is_reference(text: str, start: int, end: int) -> bool:
    """Figure/section/page numbers, citations, names with digits (GPT-4, BM25, v2), dates."""
    before = text[max(0, start - 16):start]
    if _REF_BEFORE.search(before) or _REF_AFTER.match(text[end:end + 4]):
        return True
    if _CITATION.search(before) and re.match(r"[\d,\s\-]*\]", text[end:]):
        return True
    run = _IDENT_CHARS.search(before)
    head = run.group(0).lstrip("-.+_") if run else ""
    return bool(head) and head[0].isalpha()


def claimed_numbers(text: str) -> list[Quantity]:
    """The numbers a Japanese text states as facts (quotations, references and names excluded)."""
    own = _ARXIV_ID.sub(" ", _unquoted(unicodedata.normalize("NFKC", text)))
    own = own.replace("−", "-")
    return [_quantity(m, own) for m in _QTY.finditer(own) if not _is_reference(own, m.start(), m.end())]


def source_values(texts: Iterable[str]) -> list[float]:
    """Every value a source text can be read as: raw numbers, with their multipliers (1.3B),
    number words (three), powers of ten whose superscript was flattened (10-4)."""
    values: set[float] = set()
    for raw in texts:
        text = unicodedata.normalize("NFKC", raw).translate(_QUOTE_MAP)
        for m in _QTY.finditer(text):
            q = _quantity(m, text)
            values.add(q.value)
            if m["num"]:
                values.add(_plain(m["num"]))
            elif m["mant"]:
                values.add(_plain(m["mant"]))
            if q.percent:
                values.add(q.value / 100)
        for word in _WORD.findall(text):
            number = _NUMBER_WORDS.get(word.lower().removesuffix("fold"))
            if number is not None:
                values.add(float(number))
        for m in _BARE_EXPONENT.finditer(text):
            values.add((_plain(m[1]) if m[1] else 1.0) * 10.0 ** -int(m[2]))
    return sorted(values)


def _in_values(value: float, tol: float, values: Sequence[float]) -> bool:
    slack = tol + abs(value) * 1e-9 + 1e-12
    i = bisect_left(values, value - slack)
    return i < len(values) and values[i] <= value + slack


def number_in_source(q: Quantity, values: Sequence[float]) -> bool:
    """Unit-aware: 13億 matches 1.3B, 87.5% matches 87.5 or 0.875, 約88% matches 87.53."""
    if _in_values(q.value, q.tolerance, values):
        return True
    if q.percent and _in_values(q.value / 100, q.tolerance / 100, values):
        return True
    return 0 < q.value <= 1 and not q.percent and _in_values(q.value * 100, q.tolerance * 100, values)


def missing_numbers(text: str, values: Sequence[float]) -> list[Quantity]:
    return [q for q in claimed_numbers(text) if not number_in_source(q, values)]


# ------------------------------------------------------------------ per item

class _Findings:
    """Collects one finding per (item, code); messages for the same code are joined."""

    def __init__(self) -> None:
        self._by_key: dict[tuple, Finding] = {}

    def add(self, item: ItemKey, code: str, message: str, blocking: bool | None = None) -> None:
        key = (item, code)
        if key in self._by_key:
            self._by_key[key].message += f"; {message}"
            return
        self._by_key[key] = Finding(item=item, code=code, message=message,
                                    blocking=code in BLOCKING if blocking is None else blocking)

    def list(self) -> list[Finding]:
        return list(self._by_key.values())


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _check_language(out: _Findings, item: ItemKey, text: str, style: Style, label: str) -> None:
    problem = _japanese_problem(text)
    if problem:
        out.add(item, "not_japanese", f"{label}: {problem}")
    off = off_style_sentences(text, style)
    if off:
        want = "です・ます" if style == "desu_masu" else "である"
        out.add(item, "mixed_style", f"{label}: {len(off)} sentence(s) not in {want} style, e.g. '{_short(off[0])}'")
    for bad, good, en in find_mistranslations(text):
        out.add(item, "mistranslation", f"{label}: '{bad}' is a word-for-word rendering of '{en}' (use {good})")


def _check_numbers(out: _Findings, item: ItemKey, text: str, values: Sequence[float], blocking: bool,
                   where: str) -> None:
    missing = missing_numbers(text, values)
    if missing:
        shown = ", ".join(q.text + ("%" if q.percent and "%" not in q.text else "") for q in missing[:5])
        out.add(item, "number_not_in_source", f"numbers not found in {where}: {shown}", blocking=blocking)


def check_text(item: Literal["summary", "one_liner"], text: str, pages: dict[int, str] | None = None, *,
               style: Style = "desu_masu", values: Sequence[float] | None = None) -> list[Finding]:
    """Checks for the summary or the one-liner."""
    out = _Findings()
    if not text.strip():
        out.add(item, "empty", f"{item} is empty")
        return out.list()
    if is_truncated(text):
        out.add(item, "truncated", f"{item} is cut off: ends with '{_short(text.rstrip()[-12:], 12)}'")
    _check_language(out, item, text, style, item)
    if pages is not None:
        _check_numbers(out, item, text, source_values(pages.values()) if values is None else values,
                       True, "the paper")
    return out.list()


def _check_evidence(out: _Findings, index: int, evidence: list[Evidence], pages: dict[int, str] | None) -> None:
    usable, short = [], []
    for n, ev in enumerate(evidence, 1):
        label = f"quote {n}" if len(evidence) > 1 else "quote"
        if not ev.quote.strip() or ev.page < 1:
            continue
        if quote_too_short(ev.quote):
            short.append(f"{label} is too short to count as evidence: '{_short(ev.quote)}'")
            continue
        usable.append(ev)
        if pages is None:
            continue
        parts = _quote_parts(ev.quote)
        if ev.page in pages and _found_on_page(parts, ev.page, pages):
            continue
        elsewhere = next((p for p in sorted(pages) if _find_parts(parts, _page_skeleton(pages[p])) >= 0), None)
        cited = f"page {ev.page}" if ev.page in pages else f"page {ev.page} (the paper has {len(pages)} pages)"
        found = f" (found on page {elsewhere})" if elsewhere else ""
        translated = " (translated, not copied?)" if not elsewhere and any(_is_japanese(c) for c in ev.quote) else ""
        out.add(index, "quote_not_found", f"{label} not found on {cited}{found}{translated}")
    if not usable:
        reasons = short or ["no evidence" if not evidence else "no evidence with a page and a quote"]
        for reason in reasons:
            out.add(index, "no_evidence", reason)
    for reason in short if usable else []:
        out.add(index, "weak_evidence", reason, blocking=False)


def check_qa_item(index: int, item: QAItem, pages: dict[int, str] | None = None, *,
                  style: Style = "desu_masu", values: Sequence[float] | None = None) -> list[Finding]:
    """Checks for one Q&A item. With pages: quotes and numbers against the paper (blocking);
    without: numbers against the item's own quotes (a warning only)."""
    out = _Findings()
    question, answer = item.question.strip(), item.answer.strip()
    if not question:
        out.add(index, "empty", "question is empty")
    if not answer:
        out.add(index, "empty", "answer is empty")
    if answer:
        if says_nothing(answer):
            out.add(index, "non_answer", f"answer says nothing: '{_short(answer)}'")
        elif question and restates_question(question, answer):
            out.add(index, "non_answer", "answer restates the question")
        if is_truncated(answer):
            out.add(index, "truncated", f"answer is cut off: ends with '{_short(answer[-12:], 12)}'")
    for label, text in (("question", question), ("answer", answer)):
        if text:
            _check_language(out, index, text, style, label)
    _check_evidence(out, index, item.evidence, pages)
    if answer:
        if pages is not None:
            _check_numbers(out, index, answer, source_values(pages.values()) if values is None else values,
                           True, "the paper")
        else:
            _check_numbers(out, index, answer, source_values(ev.quote for ev in item.evidence), False,
                           "the evidence quotes")
    return out.list()


def check_duplicates(questions: Sequence[str]) -> list[Finding]:
    """Later near-duplicates of an earlier question (the earlier one is kept)."""
    out = _Findings()
    for j in range(1, len(questions)):
        for i in range(j):
            sim = question_similarity(questions[i], questions[j])
            if questions[j].strip() and sim >= DUPLICATE_JACCARD and not different_topics(questions[i], questions[j]):
                out.add(j, "duplicate_question", f"near-duplicate of question {i} (similarity {sim:.2f})")
                break
    return out.list()


def check_result(result: _Document, pages: dict[int, str] | None = None, *,
                 style: Style = "desu_masu") -> list[Finding]:
    """Every check on a Result (or ModelOutput). Pass the PDF's page texts to verify quotes
    and numbers against the paper; without them those checks are reduced to warnings."""
    values = None
    if pages is not None:
        extra = []
        paper = getattr(result, "paper", None)
        if paper is not None:
            extra = [paper.title, paper.abstract, paper.published, paper.updated]
        values = source_values([*pages.values(), *extra])
    findings = check_text("one_liner", result.one_liner, pages, style=style, values=values)
    findings += check_text("summary", result.summary, pages, style=style, values=values)
    for i, item in enumerate(result.qa):
        findings += check_qa_item(i, item, pages, style=style, values=values)
    findings += check_duplicates([item.question for item in result.qa])
    return findings


def is_publishable(findings: Iterable[Finding]) -> bool:
    return not any(f.blocking for f in findings)
