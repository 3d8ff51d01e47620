"""Finding the parts of a paper that bear on a reader's question (ask the paper).

Okapi BM25 over pages and over sentences, in pure Python (a paper has tens of pages and a few
hundred sentences: no index library is needed). A question may be Japanese: its English words
count as they are, and its Japanese words count through the glossary (学習 -> training) and a
short list of question words (結果 -> result), so that a Japanese question finds English text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

K1, B = 1.5, 0.75

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|\d+(?:\.\d+)?")
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing done during each few for from further had has have having
he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs them
then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours paper papers author authors work study article please
tell explain describe show shown give say said use used using like get got make made kind way yes
""".split())

# Japanese question words the glossary does not hold (it lists ML terms), with their English.
QUESTION_WORDS: dict[str, tuple[str, ...]] = {
    "結果": ("result", "results"), "公開": ("available", "release", "released", "public"),
    "コード": ("code", "github"), "データ": ("data",), "目的": ("goal", "aim", "objective"),
    "提案": ("propose", "proposed"), "性能": ("performance",), "比較": ("compare", "compared", "comparison"),
    "実験": ("experiment", "experiments"), "課題": ("limitation", "future", "challenge"),
    "今後": ("future",), "速度": ("speed", "fast", "faster"), "計算": ("computation", "compute"),
    "コスト": ("cost",), "費用": ("cost",), "人間": ("human",), "著者": ("author",), "問題": ("problem",),
    "新規性": ("novel", "first"), "貢献": ("contribution", "contributions"), "限界": ("limitation",),
    "欠点": ("limitation", "drawback"), "改善": ("improve", "improvement"), "向上": ("improve", "improvement"),
    "精度": ("accuracy", "precision"), "誤差": ("error",), "時間": ("time",), "規模": ("scale", "size"),
    "パラメータ": ("parameter", "parameters"), "ライセンス": ("license",), "倫理": ("ethic", "ethical"),
    "再現": ("reproduce", "reproducibility"), "手順": ("procedure", "step"), "仮定": ("assumption", "assume"),
    "理由": ("because", "reason"), "効果": ("effect", "effective"), "評価指標": ("metric", "metrics"),
    "指標": ("metric", "metrics"), "被験者": ("participant", "subject"), "患者": ("patient",),
    "予測": ("predict", "prediction"), "分類": ("classification", "classifier"), "要約": ("summary", "summarization"),
}


def stem(word: str) -> str:
    """A light English stem (plural and possessive endings), enough to match results/result."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str) -> list[str]:
    """Stemmed English content words of `text` (stopwords left out); hyphenated words count whole
    and by their parts."""
    out: list[str] = []
    for raw in _TOKEN.findall(text):
        low = raw.lower()
        if re.fullmatch(r"[A-Z]{2,}s", raw):      # GPUs, LLMs: an acronym's plural
            low = low[:-1]
        if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
            continue
        out.append(stem(low))
        if "-" in low:
            out.extend(stem(p) for p in low.split("-") if len(p) > 1 and p not in STOPWORDS)
    return out


@lru_cache(maxsize=1)
def _glossary_pairs() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(Japanese rendering, its English terms) from the glossary, longest rendering first
    (精度 is both accuracy and precision)."""
    try:
        from .glossary import terms
    except ImportError:                     # the glossary is optional here
        return ()
    by_ja: dict[str, list[str]] = {}
    for term in terms():
        for ja in term.good:
            if len(ja) >= 2 and term.en not in by_ja.setdefault(ja, []):
                by_ja[ja].append(term.en)
    return tuple(sorted(((ja, tuple(en)) for ja, en in by_ja.items()), key=lambda p: -len(p[0])))


def query_terms(question: str) -> list[str]:
    """The question's search terms: its English words, and the English of its Japanese terms."""
    import unicodedata

    text = unicodedata.normalize("NFKC", question)
    terms = tokens(text)
    rest = text
    for ja, ens in _glossary_pairs():
        if ja in rest:
            terms += [t for en in ens for t in tokens(en)]
            rest = rest.replace(ja, " ")
    for ja, ens in QUESTION_WORDS.items():
        if ja in text:
            terms += [stem(e) for e in ens]
    return list(dict.fromkeys(terms))


class BM25:
    """Okapi BM25 over a fixed list of tokenised documents."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = K1, b: float = B):
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = (sum(self.lengths) / len(docs)) if docs else 0.0
        df: Counter[str] = Counter()
        for counts in self.tf:
            df.update(counts.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def score(self, i: int, query: Iterable[str]) -> float:
        counts, length = self.tf[i], self.lengths[i]
        norm = self.k1 * (1 - self.b + self.b * length / self.avg) if self.avg else self.k1
        total = 0.0
        for t in set(query):
            f = counts.get(t, 0)
            if f:
                total += self.idf.get(t, 0.0) * f * (self.k1 + 1) / (f + norm)
        return total

    def scores(self, query: Iterable[str]) -> list[float]:
        q = list(query)
        return [self.score(i, q) for i in range(len(self.tf))]


@dataclass(frozen=True)
class Match:
    """A sentence (or page) and how well it matches the question."""
    index: int
    score: float
    matched: frozenset[str]           # the distinct query terms it contains


def rank(texts: Sequence[str], query: Sequence[str], limit: int | None = None) -> list[Match]:
    """Texts by BM25 score against `query`, best first (texts that match nothing left out)."""
    docs = [tokens(t) for t in texts]
    index = BM25(docs)
    q = set(query)
    out = [Match(i, s, frozenset(q & set(docs[i]))) for i, s in enumerate(index.scores(q)) if s > 0]
    out.sort(key=lambda m: (-m.score, m.index))
    return out[:limit] if limit else out


def matches_well(match: Match, query: Sequence[str]) -> bool:
    """Whether a match is good enough to say the paper answers: at least half of the question's
    distinct terms, and two of them when it has two or more."""
    n = len(set(query))
    m = len(match.matched)
    return n > 0 and m >= min(2, n) and m * 2 >= n


def select_pages(pages: dict[int, str], query: Sequence[str], max_chars: int) -> list[int]:
    """Page numbers (in page order) that fit `max_chars`, the most relevant first: every page
    when all fit; else pages by BM25 score of the page plus its best sentence, and the first
    page (title, abstract) whenever it fits."""
    numbers = sorted(pages)
    if sum(len(pages[n]) for n in numbers) <= max_chars:
        return numbers
    from .prompts import split_sentences

    page_scores = BM25([tokens(pages[n]) for n in numbers]).scores(query)
    best_sentence: dict[int, float] = {}
    sents = [(n, s) for n in numbers for s in split_sentences(pages[n])]
    for m in rank([s for _, s in sents], query):
        n = sents[m.index][0]
        best_sentence[n] = max(best_sentence.get(n, 0.0), m.score)
    order = sorted(numbers, key=lambda n: (-(page_scores[numbers.index(n)] + best_sentence.get(n, 0.0)), n))
    if numbers:
        order.remove(numbers[0])
        order.insert(0, numbers[0])
    chosen, used = [], 0
    for n in order:
        if used + len(pages[n]) <= max_chars:
            chosen.append(n)
            used += len(pages[n])
    return sorted(chosen)


# ---------------------------------------------------------------------------- the question's focus

# Words that say nothing about WHAT is asked: every sentence of a paper may hold them.
GENERIC = frozenset(stem(w) for w in """
model models method methods approach proposed propose system systems technique framework algorithm work
result results main key new novel specific exactly overall general final particular different actually
train training trained learn learned task problem data information value number type kind part set
""".split())
# Japanese question words a focus may carry that neither map holds (they are not ML terms); these
# win over the other maps (時間 asked as a quantity is hours).
FOCUS_WORDS: dict[str, tuple[str, ...]] = {
    "ソフトウェア": ("software",), "ハードウェア": ("hardware", "gpu"), "時間": ("hour",), "ページ数": ("page",),
    "ページ": ("page",), "層数": ("layer",), "次元": ("dimension",), "温度": ("temperature",), "質量": ("mass",),
    "ライセンス": ("license",), "リポジトリ": ("github", "repository"), "チーム数": ("team",), "チーム": ("team",),
    "手法": ("method",), "電力": ("power", "energy"), "資金": ("funding", "grant", "support"),
    "レイテンシ": ("latency",), "専門家": ("expert",), "人数": ("people", "participant"),
    "ネットワーク": ("network",), "アーキテクチャ": ("architecture",), "ハイパーパラメータ": ("hyperparameter",),
}
_EN_FOCUS = re.compile(
    r"\b(?P<wh>what|which|how\s+many|how\s+much)\s+(?:(?:is|are|was|were|does|do|did|kind\s+of|type\s+of)\s+)?"
    r"(?:(?:the|a|an|its|their|this)\s+)?(?P<np>[A-Za-z0-9][\w\-]*(?:\s+[A-Za-z0-9][\w\-]*){0,3}?)"
    r"(?=\s+(?P<stop>is|are|was|were|does|do|did|of|in|for|on|to|used|has|have|had|can|could|with|by|from|at|that)\b"
    r"|\s*[?.]|\s*$)", re.I)
_JA_FOCUS = (
    re.compile(r"何(?P<np>時間|日|人|件|層|個|回|枚|ページ|チーム)"),
    re.compile(r"(?:どの|どんな|何の|なんの|どういう|どのような|どのくらいの)(?!くらい|ぐらい|よう|程度)\s*(?P<np>[^、。？?はをがでにとのも\s]+)"),
    re.compile(r"(?P<np>[^、。？?はをが]+?)\s*(?:は|を|が)\s*(?:何|なん|なに|どの|どれ|どう|どんな|どのよう|いくつ|いくら|誰|だれ|いつ|どこ|教えて)"),
)
_JA_SPLIT = re.compile(r"の|について|における|に関する|による|で|に|と|、")
# A focus the maps cannot read (Japanese with no English): no sentence can be shown to hold it.
UNREADABLE = (frozenset({"\x00unreadable"}),)


def _ja_focus(phrase: str) -> list[tuple[frozenset[str], ...]]:
    """The focus groups of a Japanese noun phrase: its head (the part after the last の), each
    known word of it (longest first) a group of its English renderings, generic words left out;
    its English words when it has them; UNREADABLE when it has neither."""
    head = [p for p in _JA_SPLIT.split(phrase) if p.strip()]
    head_text = head[-1].strip() if head else phrase
    english = [t for t in tokens(head_text) if t not in GENERIC]
    if english:
        return [(frozenset([t]),) for t in english[-2:]]
    groups: list[tuple[frozenset[str], ...]] = []
    rest = head_text
    pairs = list(FOCUS_WORDS.items()) + list(_glossary_pairs()) + list(QUESTION_WORDS.items())
    for ja, ens in sorted(pairs, key=lambda p: -len(p[0])):      # stable: FOCUS_WORDS first at equal length
        if ja in rest:
            alts = [frozenset(tokens(en)) - GENERIC for en in ens]
            alts = [a for a in dict.fromkeys(alts) if a]
            if alts:
                groups.append(tuple(alts))
            rest = rest.replace(ja, " ")
    if groups:
        return groups[-2:]
    return [UNREADABLE] if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]{2,}", head_text) else []


def focus_terms(question: str) -> list[tuple[frozenset[str], ...]]:
    """What the question asks about, as groups of alternatives (each alternative a set of stemmed
    English tokens, all needed): 'Which GPU was used' -> [({gpu},)]; 「強化学習の報酬は何ですか」 ->
    [({reward},)]. A sentence answers only if it covers every group. Empty when the question names
    no focus (a yes/no question, or only generic words): then the old rule of matching terms applies."""
    import unicodedata

    text = unicodedata.normalize("NFKC", question)
    m = _EN_FOCUS.search(text)
    if m:
        first = re.split(r"\s+(?:and|or)\s+|,", m.group("np"), flags=re.I)[0]    # "X and Y": X is enough
        words = [t for t in tokens(first) if t not in GENERIC]
        overrun = m.group("stop") is None and len(m.group("np").split()) > 2   # "how many teams submitted results?"
        if words:
            return [(frozenset([words[0]]),)] if overrun else [(frozenset([t]),) for t in words[-2:]]
    for pattern in _JA_FOCUS:
        for m in pattern.finditer(text):
            groups = _ja_focus(m.group("np"))
            if groups:
                return groups
    return []


def _root(word: str) -> str:
    """optimize/optimizer/optimization -> optimi: a focus word matches its other forms."""
    return word[:6] if len(word) >= 7 else word


_NUMBER_QUESTION = re.compile(r"\bhow\s+(?:many|much|long|large|big)\b|何(?:時間|日|人|件|層|個|回|枚|ページ|チーム|%|パーセント)|"
                              r"いくつ|いくら|どのくらい|どれくらい|何倍|数は", re.I)


def wants_number(question: str) -> bool:
    """Whether the question asks for a quantity (how many, いくつ, 何時間): its answer holds a number."""
    import unicodedata

    return bool(_NUMBER_QUESTION.search(unicodedata.normalize("NFKC", question)))


def covers(sentence_tokens: Iterable[str], focus: Sequence[tuple[frozenset[str], ...]]) -> bool:
    """Whether a sentence holds every focus group (one alternative of each, all its tokens)."""
    have = {_root(t) for t in sentence_tokens}
    return bool(focus) and all(any({_root(t) for t in alt} <= have for alt in group) for group in focus)


def defines(sentence: str, focus: Sequence[tuple[frozenset[str], ...]]) -> bool:
    """Whether the sentence states its focus word as its subject ("The reward of ... is", "We use
    ... GPUs"): such sentences answer 'what is X' better than ones that only mention X."""
    for group in focus:
        for alt in group:
            for t in alt:
                if re.search(rf"\b(?:the|our|a|an)\s+(?:\w+\s+){{0,2}}{re.escape(_root(t))}\w*\b"
                             rf"(?:\s+\w+){{0,8}}?\s+(?:is|are|was|were|consists?|defined)\b", sentence, re.I):
                    return True
    return False
