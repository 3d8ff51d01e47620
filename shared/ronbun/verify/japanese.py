"""Japanese text: share of Japanese, one politeness style, nothing cut off."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from .text import _QUOTED, _LATIN_WORD, _is_japanese, _is_kana, _is_technical, _unquoted

JAPANESE_MIN_RATIO = 0.5
LATIN_WORD_WEIGHT = 3         # one English word carries about as much as three Japanese characters

Style = Literal["desu_masu", "dearu"]


# 埋め込み(embedding): the English term glossed after its Japanese rendering is Japanese style.
_GLOSS = re.compile(r"(?<=[\u3041-\u30ff\u4e00-\u9fff々ー])[(（][A-Za-z][A-Za-z \-']{0,60}[)）]")


def japanese_ratio(text: str) -> float:
    """Share of Japanese in the writer's own text; each plain English word counts as three
    characters, technical tokens (BERT, GPT-4), quotations and English glosses in parentheses
    after a Japanese term do not count."""
    own = _GLOSS.sub("", _unquoted(text))
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
    found = sentences(normalize_ja_punctuation(text))     # 評価する. 精度は高いです. is two sentences
    if found and not found[-1].endswith(("。", "．", "！", "？", "!", "?")):
        found.pop()                  # a cut-off tail is reported as truncated, not as style
    return [s for s in found if sentence_style(s) == other]


_SENTENCE_END = tuple("。．.！？!?")
_CLOSERS = "」』）)”\"]】"
_OPENERS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】"}
_ELLIPSIS = ("…", "...", "・・・", "．．．", "‥")
# A particle or comma that needs something after it (と: not こと, もと, あと; が: not ですが).
_DANGLING = re.compile(r"(?:[をへや、,，]|(?<![ですまし])が|(?<![こもあひ])と|について|により|による|として|および|及び|または|並びに)$")
_LIST_ITEM = re.compile(r"^\s*(?:[・•●○■□▪◆◇\-*–]|[0-9０-９]{1,2}[.．)）、](?![0-9０-９])|[（(][0-9０-９]{1,2}[)）]|[①-⑳])\s*")


# A list item ending in one kanji after kana (テストセットでの評) stops mid-word; these single
# kanji are whole words at the end of a noun phrase (学習の率 is rare, but 精度の差, 層の数 are not).
_MID_WORD = re.compile(r"[\u3041-\u30ff][\u4e00-\u9fff]$")
_WHOLE_KANJI = frozenset("数率量値法性化式表図型語文点面等他後前中内外間差和積比幅長層軸例件種回個枚倍版順用時")


def _unclosed(text: str) -> bool:
    """An opening 「 （ ( 『 【 with no matching close after it."""
    stack: list[str] = []
    for c in text:
        if c in _OPENERS:
            stack.append(_OPENERS[c])
        elif stack and c == stack[-1]:
            stack.pop()
    return bool(stack)


def _line_truncated(line: str, *, needs_end: bool) -> bool:
    core = line.rstrip()
    if not core or core.endswith(_ELLIPSIS):
        return True
    if core.endswith(_SENTENCE_END):
        core = core[:-1].rstrip()          # 。 . ． ！ ？: complete unless a particle dangles before it
        return bool(core) and bool(_DANGLING.search(core))
    if _DANGLING.search(core) or _unclosed(core):
        return True
    if core.endswith(tuple(_CLOSERS)):
        return False                       # 手法名は「DPR」, 精度は78.4%です（表3）
    return needs_end or bool(_MID_WORD.search(core) and core[-1] not in _WHOLE_KANJI)


# A list written on one line: "4つ挙げます。1. アンサンブル 2. データ拡張", "① Recall@20で改善 ② …".
_INLINE_MARKER = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[。：:]))(?:([0-9０-９]{1,2})[.．)）](?=\s)|([①-⑳])|[（(]([0-9０-９]{1,2})[)）])")


def _inline_items(line: str) -> list[str]:
    """The line split at its list markers when they count 1, 2, 3 … (or ①, ②, …) in order, so that
    its last item is judged like a list's; else the line."""
    marks = list(_INLINE_MARKER.finditer(line))
    numbers = [int(unicodedata.normalize("NFKC", m.group(1) or m.group(3))) if not m.group(2) else ord(m.group(2)) - ord("①") + 1
               for m in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)):
        return [line]
    parts = [line[:marks[0].start()]] + [line[m.start():n.start() if n else len(line)]
                                         for m, n in zip(marks, marks[1:] + [None])]
    return [p.strip() for p in parts if p.strip()]


def is_truncated(text: str) -> bool:
    """Cut off: ends in an ellipsis, a dangling particle or comma, inside an open 「 or （,
    on an empty list item, or with no closing punctuation at all. A sentence that ends with
    。 . ． ！ ？ ! ? (or a closing 」 ）) is complete. In a list whose items carry no final
    punctuation (・BM25 / ・DPR), the last item is judged like the others."""
    text = text.rstrip()
    if not text:
        return True
    lines = [ln for ln in text.splitlines() if ln.strip()]
    lines[-1:] = _inline_items(lines[-1])
    last = lines[-1]
    items = [ln for ln in lines if _LIST_ITEM.match(ln)]
    if _LIST_ITEM.match(last) and not _LIST_ITEM.sub("", last).strip():
        return True                        # "3." with nothing after it
    if len(items) >= 2 and _LIST_ITEM.match(last):
        # an item is punctuated by a sentence end, also inside closing brackets (…です。」); a noun
        # item that ends in a bracket (Natural Questions（NQ）) is as bare as one that does not
        bare = all(not ln.rstrip().rstrip("".join(_CLOSERS)).endswith(_SENTENCE_END) for ln in items[:-1])
        return _line_truncated(_LIST_ITEM.sub("", last), needs_end=not bare)
    return _line_truncated(text, needs_end=True)


# ------------------------------------------------------------------ punctuation

_PROTECTED = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\w+|`[^`]*`|“[^”]*”|\"[^\"\n]*\"|[「『][^」』]*[」』]")
_ABBREVIATION = re.compile(
    r"(?:\bet al|\be\.g|\bi\.e|\betc|\bvs|\bcf|\bFig|\bFigs|\bEq|\bEqs|\bSec|\bTab|\bNo|\bpp|\bvol|\bapprox|"
    r"\bInc|\bLtd|\bCo|\bDr|\bMr|\bMs|\bProf|\bJr|\bSt|\b[A-Z])$")
_JA_CHAR = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff\u3400-\u4dbf々〆ー]")
_EN_WORDS = re.compile(r"[A-Za-z]{2,}")
_HALF_END = re.compile(r"[ \t]*([.．?!])(?=[\s」』）)?!？！]|$|[\u3041-\u30ff\u4e00-\u9fff（「])")
_PAREN = re.compile(r"[ \t]?\(([^()\n]*)\)[ \t]?")


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Quotations of English text, URLs and code: left exactly as written."""
    spans = []
    for m in _PROTECTED.finditer(text):
        inner = m.group(0)
        if inner[0] in "「『" and _JA_CHAR.search(inner[1:-1]):
            continue                       # 「密ベクトル検索.」 is Japanese: normalised like the rest
        spans.append(m.span())
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _japanese_sentence_before(text: str, end: int) -> bool:
    """The sentence that ends at `end` is Japanese: it has Japanese, and what follows its
    last Japanese character is no English clause (原文は The index holds 1.3M vectors.)."""
    i = end - 1
    while i >= 0 and text[i] not in "。！？\n" and not _JA_CHAR.match(text[i]):
        i -= 1
    if i < 0 or not _JA_CHAR.match(text[i]):
        return False
    return len(_EN_WORDS.findall(text[i + 1:end])) < 3


def normalize_ja_punctuation(text: str) -> str:
    """Japanese sentences end in 。 (not "." or "．"), and use ？ ！ （ ） rather than the
    half-width forms. English quotations, URLs, code, decimals (3.5) and abbreviations
    (et al.) are left alone, as is a sentence with no Japanese in it."""
    if not text or not _JA_CHAR.search(text):
        return text
    spans = _protected_spans(text)
    out: list[str] = []
    last = 0
    for m in _HALF_END.finditer(text):
        mark, pos = m.group(1), m.start(1)
        if _inside(pos, spans):
            continue
        if mark in ".．":
            before = text[max(0, m.start() - 12):m.start()]
            if _ABBREVIATION.search(before) or (pos + 1 < len(text) and text[pos + 1] in ".．"):
                continue                   # et al. / e.g. / an ellipsis "..."
            if pos > 0 and text[pos - 1] in ".．":
                continue
            replacement = "。"
        else:
            replacement = {"?": "？", "!": "！"}[mark]
        if not _japanese_sentence_before(text, m.start()):
            continue
        out.append(text[last:m.start()])
        out.append(replacement)
        last = m.end()
        while last < len(text) and text[last] in " \t":
            last += 1                      # no space after 。 ？ ！
    out.append(text[last:])
    text = "".join(out)
    spans = _protected_spans(text)

    def paren(m: re.Match) -> str:
        inner = m.group(1)
        before = text[max(0, m.start() - 8):m.start()].rstrip(" \t")
        after = text[m.end():m.end() + 8]
        if _inside(m.start(1), spans) or not inner.strip():
            return m.group(0)
        if m.group(0)[0] == "(" and before and before[-1].isascii() and before[-1].isalnum():
            return m.group(0)              # f(x), softmax(QK^T): code and maths
        ja_context = bool(_JA_CHAR.search(inner) or (before and _JA_CHAR.match(before[-1]))
                          or (after and _JA_CHAR.match(after.lstrip(" \t")[:1] or " ")))
        if not ja_context:
            return m.group(0)
        nxt = after[:1]
        trail = " " if m.group(0)[-1] in " \t" and nxt.isascii() and nxt.isalnum() else ""
        return f"（{inner.strip()}）{trail}"

    return _PAREN.sub(paren, text)


def normalize_generated(output):
    """The model's one-liner, summary, questions and answers with Japanese punctuation
    (the evidence quotes are the paper's words and stay as they are)."""
    fixed = output.model_copy(deep=True)
    fixed.one_liner = normalize_ja_punctuation(fixed.one_liner)
    if hasattr(fixed, "summary_sentences"):            # the summary is its sentences' text
        for sentence in fixed.summary_sentences:
            sentence.text = normalize_ja_punctuation(sentence.text)
    else:
        fixed.summary = normalize_ja_punctuation(fixed.summary)
    for item in fixed.qa:
        item.question = normalize_ja_punctuation(item.question)
        item.answer = normalize_ja_punctuation(item.answer)
    return fixed
