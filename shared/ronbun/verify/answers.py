"""Answers that say nothing, restate the question, or repeat another question."""

from __future__ import annotations

import re
import unicodedata

from .text import _is_japanese, normalize

DUPLICATE_JACCARD = 0.6



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
