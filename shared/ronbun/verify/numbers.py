"""Numbers an answer states, and whether the paper states them too (unit-aware)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable, Sequence

from .text import _QUOTE_MAP, _unquoted

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
    r"(?:第|上位|下位|図|表|式|節|章|付録|行|ステップ|セクション|アルゴリズム|定理|補題|Table|Tab\.|Fig\.|Figure|Section|"
    r"Sec\.|§|Eq\.|Equation|Appendix|Algorithm|Step|Theorem|Lemma|p\.|pp\.|page|No\.|#)\s*[(（]?\s*$", re.I)
_REF_AFTER = re.compile(r"^\s*(?:ページ|頁|章|節|項|行目|行|段落|番目|位|つ目|回目|月|日)")
_ARXIV_ID = re.compile(r"(?<![\d.])\d{4}\.\d{4,5}(?:v\d+)?(?!\d)")
_IDENT_CHARS = re.compile(r"[A-Za-z0-9_.+@\-]*$")     # @: "recall@20" is a name
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
# List markers and small counts of the answer's own list are not claims about the paper:
# "1. ", "2) ", "(3)", "①", "3つの理由", "2点", "第2に" (第 is a reference above).
_CIRCLED = re.compile("[\u2460-\u2473\u24f5-\u24fe\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_LINE_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*・•●○◦▪■□]\s*)?[(（]?(\d{1,2})[.．)）](?!\d)")
_INLINE_MARKER = re.compile(r"(?:(?<=[\s。．！？!?:：、,，;；])|^)[(（]?(\d{1,2})[.．)）](?![\d.,])")
_PAREN_MARKER = re.compile(r"[(（](\d{1,2})[)）]")
_COUNT_AFTER = re.compile(r"^\s*(?:つ|点|種類|段階|部|文|通り|項目|要素|カテゴリ)")
_CONVENTION = re.compile(r"(?:[pP]\s*[<≤＜=]\s*$)")                   # p < 0.05
_CONVENTION_AFTER = re.compile(r"^\s*%?\s*(?:CI(?![A-Za-z])|信頼区間|confidence)", re.I)   # 95% CI


def _marker_starts(text: str) -> set[int]:
    """Where the list markers of `text` start: every marker at a line start, "(n)" anywhere,
    and "n." / "n)" inside a line when they run 1, 2, 3 ... in order (an inline enumeration)."""
    starts = {m.start(1) for m in _LINE_MARKER.finditer(text)} | {m.start(1) for m in _PAREN_MARKER.finditer(text)}
    want = 1
    for m in _INLINE_MARKER.finditer(text):
        if int(m.group(1)) == want:
            starts.add(m.start(1))
            want += 1
        elif int(m.group(1)) == 1:
            starts.add(m.start(1))
            want = 2
    return starts


def _is_count(text: str, m: re.Match) -> bool:
    """"3つの", "2点", "2段階": a small whole count, or a conventional statistic (p < 0.05, 95% CI)."""
    if m["num"] and "." not in m["num"] and int(m["num"].replace(",", "")) <= 10 and not m["suf"] and not m["word"] \
            and _COUNT_AFTER.match(text[m.end():m.end() + 5]):
        return True
    return bool(_CONVENTION.search(text[max(0, m.start() - 6):m.start()]) or _CONVENTION_AFTER.match(text[m.end():m.end() + 12]))


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
    own = _ARXIV_ID.sub(" ", _unquoted(unicodedata.normalize("NFKC", _CIRCLED.sub(" ", text))))
    own = own.replace("−", "-")
    markers = _marker_starts(own)
    return [_quantity(m, own) for m in _QTY.finditer(own)
            if m.start() not in markers and not _is_reference(own, m.start(), m.end()) and not _is_count(own, m)]


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
    slack = tol + abs(value) * 1e-9 + (1e-12 if value == 0 else 0.0)     # 1e-25 is not "about 0"
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
