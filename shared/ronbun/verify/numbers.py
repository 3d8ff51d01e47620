"""Numbers an answer states, and whether the paper states them too (unit-aware)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from .text import _QUOTE_MAP, _unquoted

@dataclass(frozen=True)
class Quantity:
    text: str           # as written
    value: float
    tolerance: float    # half a unit of the last digit written (rounding)
    percent: bool = False
    unit: str = ""      # "hour", "epoch", "gpu" ...: the paper must state the value next to this unit
    count: bool = False  # a small count ("5つのデータセット"): checked only next to its unit


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
# "498ページの競技用データセット", "約8万ページ", "80,863ページ": a number of pages, a claim; "5ページに": a reference.
_PAGE_COUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d{4,}|[万千億]|\.\d)\s*(?:ページ|頁)"
                         r"|(?:ページ|頁)(?:の[^。、]{0,10}?(?:データ|サンプル|文書|論文|コーパス)|から(?:成|な)|分|を超|以上|規模|程度)")
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
_NUMBER_WORD = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?:fold)?(?![A-Za-z])", re.I)
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


# Kanji numerals (三十五, 四万五千, 二倍): written as digits before parsing. A run is a number when a
# counter follows it or when it is composed (十/百/千/万/億 with a digit): 一般, 唯一, 十分 (enough),
# 数十 (several tens) are words, not numbers.
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2, "兩": 2}
_KANJI_SMALL = {"十": 10, "百": 100, "千": 1000}
_KANJI_BIG = {"万": 10**4, "億": 10**8, "兆": 10**12}
_KANJI_RUN = re.compile("(?<![数幾何])[〇一二三四五六七八九十百千万億兆]+")
_COUNTER = re.compile(r"(?:つ|個|件|人|名|チーム|時間|分|秒|日|週|か月|ヶ月|カ月|年|倍|層|回|本|枚|台|語|問|種類|点|"
                      r"段階|ポイント|パーセント|%|％|割|エポック|次元|ページ|トークン)")


def _kanji_value(run: str) -> int | None:
    total = section = digit = 0
    seen_digit = False
    for c in run:
        if c in _KANJI_DIGITS:
            if seen_digit and digit:          # 二三 (two or three) is not a number
                return None
            digit, seen_digit = _KANJI_DIGITS[c], True
        elif c in _KANJI_SMALL:
            section += (digit or 1) * _KANJI_SMALL[c]
            digit, seen_digit = 0, False
        else:
            total += (section + digit or 1) * _KANJI_BIG[c]
            section = digit = 0
            seen_digit = False
    return total + section + digit


def _kanji_to_digits(text: str) -> str:
    def repl(m: re.Match) -> str:
        run, after = m.group(0), text[m.end():m.end() + 4]
        composed = len(run) > 1 and any(c in _KANJI_SMALL or c in _KANJI_BIG for c in run)
        if run == "十" and after.startswith("分") or run in ("一", "万", "億", "兆", "千", "百"):
            return run                        # 十分 (enough), 万が一, 一層 (all the more), 一人ひとり
        if not composed and after.startswith("層"):
            return run
        if not (composed or _COUNTER.match(after)):
            return run
        value = _kanji_value(run)
        return run if value is None else str(value)
    return _KANJI_RUN.sub(repl, text)


# 3割 = 30%: a tenth, written as a percentage.
_WARI = re.compile(r"(\d+(?:\.\d+)?)割(?![合引])")


def _wari_to_percent(text: str) -> str:
    return _WARI.sub(lambda m: f"{float(m[1]) * 10:g}%", text)


# Units a number is stated in: the paper must state the same value next to the same unit (in
# English), where it names that unit at all. (Japanese after the number, English in the paper.)
_UNIT_AFTER = [
    ("hour", re.compile(r"^\s*時間(?!目)")),
    ("minute", re.compile(r"^\s*分(?:間|で|以内|かか|程度|ほど|未満|以上|、|。|$)")),
    ("month", re.compile(r"^\s*(?:か月|ヶ月|カ月|ケ月)")),
    ("epoch", re.compile(r"^\s*エポック")),
    ("layer", re.compile(r"^\s*層")),
    ("gpu", re.compile(r"^\s*(?:台|枚|基|個)の?[^。、,，]{0,20}?GPU|^\s*GPU")),
    ("word", re.compile(r"^\s*語(?![彙句順])")),
    ("dataset", re.compile(r"^\s*(?:(?:つ|個|種類)?の[^。、,，]{0,8}?|つ|個|種類)?データセット")),   # not 9,280件の要約からなるデータセット
    ("team", re.compile(r"^\s*(?:つの)?チーム")),
    ("agent", re.compile(r"^\s*(?:(?:つ|体)?の[^。、,，]{0,8}?|つ|体)?エージェント")),
    ("class", re.compile(r"^\s*(?:(?:つ|個|種類)?の[^。、,，]{0,6}?|つ|個|種類)?クラス(?!タ)")),
    ("token", re.compile(r"^\s*トークン")),
]
_UNIT_BEFORE = [("gpu", re.compile(r"GPU\s*[をが]?\s*$"))]      # GPU 2枚
_UNIT_SOURCE = {
    "hour": re.compile(r"\bhours?\b|\bhrs?\b", re.I), "minute": re.compile(r"\bminutes?\b|\bmins?\b", re.I),
    "month": re.compile(r"\bmonths?\b", re.I), "epoch": re.compile(r"\bepochs?\b", re.I),
    "layer": re.compile(r"\blayers?\b", re.I), "gpu": re.compile(r"GPUs?\b"),
    "word": re.compile(r"\bwords?\b", re.I), "token": re.compile(r"\btokens?\b", re.I),
    "dataset": re.compile(r"\bdatasets?\b|\bbenchmarks?\b", re.I), "team": re.compile(r"\bteams?\b", re.I),
    "agent": re.compile(r"\bagents?\b", re.I), "class": re.compile(r"\bclass(?:es)?\b", re.I),
}
_UNIT_ANY = re.compile(r"\b(?:(?P<hour>hours?|hrs?)|(?P<minute>minutes?|mins?)|(?P<month>months?)|(?P<epoch>epochs?)"
                       r"|(?P<layer>layers?)|(?P<gpu>(?-i:GPUs?))|(?P<word>words?)|(?P<token>tokens?)"
                       r"|(?P<dataset>datasets?|benchmarks?)|(?P<team>teams?)|(?P<agent>agents?)|(?P<class>class(?:es)?))\b", re.I)   # one pass
_UNIT_WINDOW = (48, 24)          # characters before / after the unit word in which its value may stand
_UNIT_ALSO = {"hour": (("minute", 60.0),), "minute": (("hour", 1 / 60),)}   # 0.5時間 = 30 minutes


def _unit(text: str, m: re.Match) -> str:
    after = text[m.end():m.end() + 32]
    for name, pattern in _UNIT_AFTER:
        if pattern.match(after):
            return name
    before = text[max(0, m.start() - 8):m.start()]
    return next((name for name, pattern in _UNIT_BEFORE if pattern.search(before)), "")


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


def _quantity(m: re.Match, text: str, claim: bool = True) -> Quantity:
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
        tol = max(tol, _about(m))
    return Quantity(m.group(0).strip(), value, tol, percent, _unit(text, m) if claim else "")


def _about(m: re.Match) -> float:
    """約 states a value rounded (or cut) to the digits written: 約88% is 87-89, 約80% 75-85 (its
    trailing zeros are rounding too), 約2,100万 20,500,000-21,500,000; not any value within 5%."""
    if m["chain"]:
        part = list(_JP_PART.finditer(m["chain"]))[-1]
        num, mult = part[1], _jp_unit(part[2] or "")
    elif m["num"]:
        num, mult = m["num"], _MULT.get(m["word"] or m["suf"] or "", 1.0)
    else:
        return 0.0
    digits = num.replace(",", "")
    if "." in digits:                       # 約1.4: 1.3-1.5 (rounded or cut)
        return mult * 10 ** -_decimals(digits)
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    if zeros or len(digits.lstrip("0")) == 1:            # 約80, 約6万: rounded to one digit
        return mult * 10 ** zeros / 2
    return mult                                          # 約2,101万 for 21,015,324 (cut, not rounded)


def _is_reference(text: str, start: int, end: int) -> bool:
    """Figure/section/page numbers, citations, names with digits (GPT-4, BM25, v2), dates."""
    before = text[max(0, start - 16):start]
    if _REF_BEFORE.search(before):
        return True
    after = _REF_AFTER.match(text[end:end + 4])
    if after and not (after.group(0).strip() in ("ページ", "頁") and _PAGE_COUNT.search(text, start, end + 12)):
        return True
    if _CITATION.search(before) and re.match(r"[\d,\s\-]*\]", text[end:]):
        return True
    run = _IDENT_CHARS.search(before)
    head = run.group(0).lstrip("-.+_") if run else ""
    return bool(head) and head[0].isalpha()


def claimed_numbers(text: str) -> list[Quantity]:
    """The numbers a Japanese text states as facts (quotations, references and names excluded)."""
    own = _ARXIV_ID.sub(" ", _unquoted(unicodedata.normalize("NFKC", _CIRCLED.sub(" ", text))))
    own = _wari_to_percent(_kanji_to_digits(own.replace("−", "-")))
    markers = _marker_starts(own)
    out = []
    for m in _QTY.finditer(own):
        if m.start() in markers or _is_reference(own, m.start(), m.end()):
            continue
        if not _is_count(own, m):
            out.append(_quantity(m, own))
            continue
        q = _quantity(m, own)      # "3つの理由" is the answer's own; "6つのデータセット" counts the paper's things
        if q.unit:
            out.append(replace(q, count=True))
    return out


class SourceValues(list):
    """The sorted values of a source (a list of floats), and `by_unit`: for each unit the source
    names (hours, epochs, GPUs ...), the values stated next to it."""
    by_unit: dict[str, list[float]]
    dates: set[tuple]       # (year, month, day), (year, month, None), (None, month, day)


# Reference numbers, not the paper's values: citation brackets [7,11,18], ORCID iDs, web and DOI
# addresses, arXiv identifiers, page ranges, volumes and ISBNs of the reference list.
_CITATION_BRACKET = re.compile(
    r"\[\s*\d{1,3}(?:\s*[,\-–]\s*\d{1,3})*\s*\]|\[\d{4}(?:[-−]\d{3}[\dX]){3}\]"
    r"|(?:https?://|www\.|doi\.org/|doi:\s?|\b10\.\d{4,9}/)\S+|arXiv:\s?\S+"
    r"|\b(?:pp?\.|pages?|vol\.|volume|ISBN)\s*[\dX][\dX\-–]*", re.I)


def _near_unit_values(text: str, numbers: list[tuple[int, float]]) -> dict[str, set[float]]:
    """For each unit word of `text`, the values (`numbers`: (start, value), sorted) within its window."""
    starts = [n[0] for n in numbers]
    found: dict[str, set[float]] = {}
    for u in _UNIT_ANY.finditer(text):
        lo, hi = bisect_left(starts, u.start() - _UNIT_WINDOW[0]), bisect_left(starts, u.end() + _UNIT_WINDOW[1])
        found.setdefault(u.lastgroup, set()).update(v for _, v in numbers[lo:hi])
    return found


def source_values(texts: Iterable[str]) -> list[float]:
    """Every value a source text can be read as: raw numbers, with their multipliers (1.3B),
    number words (three), powers of ten whose superscript was flattened (10-4). Citation brackets
    are not values. `.by_unit`: the values stated next to each unit word (see SourceValues)."""
    values: set[float] = set()
    by_unit: dict[str, set[float]] = {}
    dates: set[tuple] = set()
    for raw in texts:
        text = _CITATION_BRACKET.sub(" ", unicodedata.normalize("NFKC", raw).translate(_QUOTE_MAP))
        dates |= source_dates(text)
        numbers: list[tuple[int, float]] = []
        for m in _QTY.finditer(text):
            q = _quantity(m, text, claim=False)
            values.add(q.value)
            numbers.append((m.start(), q.value))
            if m["num"]:
                values.add(_plain(m["num"]))
            elif m["mant"]:
                values.add(_plain(m["mant"]))
            if q.percent:
                values.add(q.value / 100)
        for w in _NUMBER_WORD.finditer(text):
            number = float(_NUMBER_WORDS[w.group(1).lower()])
            values.add(number)
            numbers.append((w.start(), number))
        numbers.sort()
        for unit, near in _near_unit_values(text, numbers).items():
            by_unit.setdefault(unit, set()).update(near)
        for m in _BARE_EXPONENT.finditer(text):
            values.add((_plain(m[1]) if m[1] else 1.0) * 10.0 ** -int(m[2]))
    out = SourceValues(sorted(values))
    out.by_unit = {unit: sorted(v) for unit, v in by_unit.items()}
    out.dates = dates
    return out


def _in_values(value: float, tol: float, values: Sequence[float]) -> bool:
    slack = tol + abs(value) * 1e-9 + (1e-12 if value == 0 else 0.0)     # 1e-25 is not "about 0"
    i = bisect_left(values, value - slack)
    return i < len(values) and values[i] <= value + slack


_EXPONENT_TEXT = re.compile(r"[eE^×xX*]")


def number_in_source(q: Quantity, values: Sequence[float]) -> bool:
    """Unit-aware: 13億 matches 1.3B, 87.5% matches 87.5 or 0.875, 約88% matches 87.53; 8時間
    matches "8 hours" (not an 8 elsewhere) when the source states anything in hours."""
    by_unit = getattr(values, "by_unit", {})
    if q.count and q.unit not in by_unit:
        return True         # a count the source cannot be read for (it never names the unit)
    if q.unit and q.unit in by_unit:
        if _in_values(q.value, q.tolerance, by_unit[q.unit]):
            return True
        return any(_in_values(q.value * f, q.tolerance * f, by_unit[u]) for u, f in _UNIT_ALSO.get(q.unit, ())
                   if u in by_unit)
    if _in_values(q.value, q.tolerance, values):
        return True
    if q.percent and _in_values(q.value / 100, q.tolerance / 100, values):
        return True
    return (0 < q.value <= 1 and not q.percent and not _EXPONENT_TEXT.search(q.text)      # 1e-4 is not 0.01%
            and _in_values(q.value * 100, q.tolerance * 100, values))


def missing_numbers(text: str, values: Sequence[float]) -> list[Quantity]:
    """The numbers `text` states that the source does not, and its dates that the source does not
    state (checked when the source states dates at all: `values.dates`)."""
    missing = [q for q in claimed_numbers(text) if not number_in_source(q, values)]
    dates = getattr(values, "dates", None)
    if dates:
        missing += [Quantity(d, float(key[0] or 0), 0.0) for d, key in claimed_dates(text) if key not in dates]
    return missing


# Dates: 2018年12月20日, 2018年12月, 12月20日 (the answer); Dec. 20, 2018, December 19th, 2022,
# 20 December 2018, 2024-10-01, May 2020 (the paper). A date is one value: each part must agree.
_MONTHS = {name: i for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH = r"(?P<mon>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[a-zA-Z]*)\.?"
_SRC_DATES = [
    re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d\d))?\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<y>(?:19|20)\d\d))?\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})\b"),
    re.compile(rf"\b{_MONTH},?\s+(?P<y>(?:19|20)\d\d)\b"),
]
_JA_DATE = re.compile(r"(?:(?P<y>(?:19|20)\d\d)\s*年\s*)?(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?"
                      r"|(?P<iy>(?:19|20)\d\d)-(?P<im>\d{1,2})-(?P<id>\d{1,2})")


def _date_keys(y: str | None, m: int, d: str | None) -> set[tuple]:
    """A date and the coarser dates it also states: (y, m, d), (y, m), (None, m, d)."""
    yy, dd = (int(y) if y else None), (int(d) if d else None)
    keys = {(yy, m, dd), (yy, m, None)}
    if dd is not None:
        keys.add((None, m, dd))
    return keys


_ANY_MONTH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)")


def source_dates(text: str) -> set[tuple]:
    found: set[tuple] = set()
    for pattern in _SRC_DATES if _ANY_MONTH.search(text) else _SRC_DATES[2:3]:
        for m in pattern.finditer(text):
            g = m.groupdict()
            mon = int(g["m"]) if g.get("m") else _MONTHS.get(g["mon"].lower()[:3])
            if mon and 1 <= mon <= 12:
                found |= _date_keys(m["y"], mon, m.groupdict().get("d"))
    return found


def claimed_dates(text: str) -> list[tuple[str, tuple]]:
    """Dates a Japanese text states, each with the key it must have in the source."""
    own = _unquoted(unicodedata.normalize("NFKC", text))
    out = []
    for m in _JA_DATE.finditer(own):
        y, mon, d = (m["y"], m["m"], m["d"]) if m["m"] else (m["iy"], m["im"], m["id"])
        if not (1 <= int(mon) <= 12) or (not y and not d):      # 3月 alone: too little to check
            continue
        out.append((m.group(0), (int(y) if y else None, int(mon), int(d) if d else None)))
    return out
