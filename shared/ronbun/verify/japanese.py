"""Japanese text: share of Japanese, one politeness style, nothing cut off."""

from __future__ import annotations

import re
from typing import Literal

from .text import _QUOTED, _LATIN_WORD, _is_japanese, _is_kana, _is_technical, _unquoted

JAPANESE_MIN_RATIO = 0.5
LATIN_WORD_WEIGHT = 3         # one English word carries about as much as three Japanese characters

Style = Literal["desu_masu", "dearu"]


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
