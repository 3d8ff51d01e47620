"""Scope: does a summary sentence claim more than its quotes say? (`overgeneralised`)

LLM summaries of research overgeneralise: a result that holds "on SQuAD", "for the 7B model",
"in English" or "in our setting" is reported as holding in general, and hedged results get
「常に」「あらゆる」「大幅に」. Two principles, both checked against the sentence's OWN quotes:

1. Scope words need an English counterpart in the quotes. A universal claim (あらゆる, どんな…
   でも, 任意の, 普遍的) needs an unbounded one (any, arbitrary, every, universal, regardless); a
   claim over all members (すべての, 全て) or at all times (常に, 必ず, 一貫して, 例外なく) needs
   all/every/each/always/consistently; a size word (大幅に, 圧倒的, 劇的に, 飛躍的に, 格段に) needs
   an intensifier (significantly, substantially, by a large margin, ...), a factor of two or
   more, or a gain of ten points or percent or more. Hedges (必ずしも, 常に…わけではない) are not
   claims.
2. Conditions stay. When a quote states a result under a condition (a named dataset or
   benchmark, a model size, a language, a setting such as "in our setting", "in the few-shot
   setting", "in simulation", a subset, a user study, or any fronted "On X, ..."/"For X, ..."
   phrase), a sentence that reports that result must keep it: the name or size itself, the
   Japanese name of the language, the Japanese word for the setting, or, for a fronted phrase
   without a name, a Japanese condition marker (〜では, 〜において, 〜の場合, 〜とき).
   Sentences that report no result (a method, the data used) and quotes that state none are
   not judged here. Examples the quote lists ("including A, B") are not conditions; a count that
   opens a condition phrase ("using three tasks") is one; so is an "only if/when" clause.
3. Strength stays. A superlative (最も, 最高, 最適) needs one in the quotes (best, most, -est,
   state of the art); a hedged quote (may, suggests, could, would, designed to) is not stated as
   established (実証, 証明, 示された) and "can contribute" not as a cause (引き起こす); a quantifier
   may not climb the ladder some < many < most < almost all < all, nor drop a bounding one ("in
   most models", "in some cases"); "four out of five" keeps the four; 大きく is wrong against
   "slightly"; "keeps growing" (続ける) needs a quote that says it continues and does not plateau.
"""

from __future__ import annotations

import re
from typing import Sequence

from .. import glossary
from .grounding import _JA_SPAN, english_roots, glosses

# ------------------------------------------------------------------ 1. scope words

_HEDGE = re.compile(r"必ずしも|とは限ら|とは限りま|わけではな|わけではありません|わけでもな|とも限ら|とも限りま|とは言え(?:ない|ません)|とはいえ(?:ない|ません)")
# 「3つの処理をすべて」「これらすべて」「両方とも」: all of a set the sentence itself names (bounded by it)
_ENUMERATED_ALL = re.compile(r"(?:\d+|[一二三四五六七八九十]+)\s*(?:つ|個|種類?|件|本|名|人|点|段階|種)[^。、]{0,12}?(?:の)?$|"
                             r"(?:これら|それら|上記|以上|両者|両方|いずれ)(?:の)?$")
_QUOTED_JA = re.compile(r"「[^」]*」|『[^』]*』")

# (name, Japanese/English words in the sentence, what in the quotes supports them)
_ALL_EN = r"\b(?:all|every|each|both|whole|entire(?:ly)?)\b"
_ALWAYS_EN = (r"\b(?:always|consistent(?:ly)?|invariabl[ey]|uniform(?:ly)?|without exception|in (?:all|every|each) "
              r"(?:case|setting|experiment|run|trial)s?|never fails?|guarantee[sd]?|provably|prove[sn]? that)\b")
_ANY_EN = (r"\b(?:any|arbitrary|universal(?:ly)?|regardless|irrespective|every|general(?:ly)? applicable|"
           r"for all|agnostic|independent of)\b")
_LARGE_EN = (r"\b(?:significant(?:ly)?|substantial(?:ly)?|considerabl[ey]|dramatic(?:ally)?|drastic(?:ally)?|"
             r"large margin|wide margin|big margin|by far|great(?:ly)?|marked(?:ly)?|vast(?:ly)?|huge|massive(?:ly)?|"
             r"orders? of magnitude|remarkabl[ey]|striking(?:ly)?|sharp(?:ly)?|strong(?:ly)?|far (?:better|fewer|less|more|"
             r"faster|higher|lower)|much (?:better|higher|lower|fewer|less|more|faster|larger|smaller|worse)|halv(?:es|ed|ing)|"
             r"doubl(?:es|ed|ing)|(?:more than |by )half|twice)\b")

_SCOPE: tuple[tuple[str, re.Pattern, str], ...] = (
    ("universal", re.compile(r"あらゆる|どんな[^。、]{0,20}?(?:でも|にも|よりも)|どのような[^。、]{0,20}?(?:でも|にも|よりも)|"
                             r"どの(?!程度|くらい|ように)[^。、]{0,15}?(?:でも|にも|よりも)|いかなる|任意の|"
                             r"普遍的|分野を問わず|問わず|によらず|\bany\b|\buniversal(?:ly)?\b|\bin any\b", re.I),
     _ANY_EN),
    ("general", re.compile(r"汎用的|汎用性|汎用の", re.I),
     _ANY_EN + r"|\b(?:general(?:-purpose)?|generic|generali[sz]\w*|broadly applicable|versatile)\b"),
    ("complete", re.compile(r"完全に|完璧に|完全な|完璧な|完全解決|完全に解決|ゼロに|皆無|根絶|撲滅|一掃|をなく(?:す|せ|し)", re.I),
     r"\b(?:complete(?:ly)?|full(?:y)?|perfect(?:ly)?|entire(?:ly)?|100 ?%|solves?d?|eliminat\w*|zero|no longer|"
     r"remov(?:es|ed|ing))\b"),
    ("always", re.compile(r"(?<![非異正通日恒])常に|いつも|一貫して|例外なく|必ず|確実に|\balways\b|\bin all cases\b|\binvariably\b", re.I),
     _ALWAYS_EN + "|" + _ALL_EN),
    ("all", re.compile(r"すべて|全て|全部|\ball\b|\bevery\b", re.I), _ALL_EN + "|" + _ALWAYS_EN + "|" + _ANY_EN),
    ("large", re.compile(r"大幅|圧倒的|劇的|飛躍的|格段|桁違い|大差|\bsignificantly\b|\bdramatically\b|\bsubstantially\b|"
                         r"\bby a (?:large|wide) margin\b|\bvastly\b", re.I), _LARGE_EN),
)

_FACTOR = re.compile(r"(\d+(?:\.\d+)?)\s*(?:x\b|×|times\b|-fold\b|fold\b)", re.I)
_GAIN = re.compile(r"\bby (?:about |roughly |over |more than |up to |nearly |almost )?(\d+(?:\.\d+)?)\s*"
                   r"(?:[A-Za-z][\w\-]*\s+){0,2}(?:%|percent|points?|pp\b|percentage points?|absolute|relative)", re.I)


def _large_numbers(quotes: str) -> bool:
    """A factor of two or more, or a gain of ten points / percent or more."""
    return any(float(m.group(1)) >= 2 for m in _FACTOR.finditer(quotes)) or \
        any(float(m.group(1)) >= 10 for m in _GAIN.finditer(quotes))


def _bounded_all(quotes: str) -> bool:
    """"all" only as "all three tasks": bounded, so it does not support あらゆる / 任意の."""
    return bool(re.search(r"\b(?:all|every)\b", quotes, re.I))


# "almost all", "nearly every", "not always": a hedged quantifier supports ほぼすべて, not すべて
_HEDGED_EN = re.compile(r"\b(?:almost|nearly|virtually|practically|not|near(?:ly)?|mostly|largely)\s+(?:all|every|always|each|any)\b",
                        re.I)
_HEDGED_JA = re.compile(r"(?:ほぼ|ほとんど|大半|大部分|多くの?|概ね|おおむね|ほぼ全て)$")
# "better than any single model": a comparative "any" supports どんな…よりも, not あらゆる…で
_COMPARATIVE_ANY = re.compile(r"\b(?:than|what|beyond|over|outperform\w*|exceed\w*|surpass\w*|beat\w*)\s+(?:\w+\s+){0,2}any\b",
                              re.I)


def _supported(name: str, word: str, support: str, source: str, before: str) -> bool:
    """Do the quotes support this scope word of the sentence?"""
    if name == "complete":
        return bool(re.search(support, source, re.I))
    unhedged = _HEDGED_EN.sub(" ", source)           # hedged quantifiers count only for a hedged sentence
    if _HEDGED_JA.search(before):
        unhedged = source
    if not re.search(support, unhedged, re.I):
        return False
    if name != "universal":
        return True
    comparative = word.endswith("よりも")
    plain = _COMPARATIVE_ANY.sub(" ", unhedged) if not comparative else unhedged
    return _unbounded(plain)


def scope_words(text: str, quotes: Sequence[str]) -> list[str]:
    """Scope words of `text` that its quotes do not support."""
    own = _QUOTED_JA.sub("", text)
    source = " ".join(quotes)
    out = []
    for name, words, support in _SCOPE:
        for m in words.finditer(own):
            tail = own[m.end():m.end() + 40]
            if _HEDGE.search(own[max(0, m.start() - 2):m.end() + 2]) or _HEDGE.search(tail.split("。")[0]):
                continue
            if name == "all" and _ENUMERATED_ALL.search(own[max(0, m.start() - 20):m.start()]):
                continue
            if _supported(name, m.group(0), support, source, own[max(0, m.start() - 6):m.start()]):
                continue
            if name == "large" and _large_numbers(source):
                continue
            out.append(m.group(0))
            break
    return out


def _unbounded(source: str) -> bool:
    """any / arbitrary / universal / regardless, or an "all"/"every" not bounded by a number."""
    if re.search(r"\b(?:any|arbitrary|universal(?:ly)?|regardless|irrespective|agnostic|independent of)\b",
                 source, re.I):
        return True
    for m in re.finditer(r"\b(?:all|every|for all)\b\s+(\S+)", source, re.I):
        if not re.match(r"(?i)(?:\d|two|three|four|five|six|seven|eight|nine|ten|of the \d|evaluated|compared|"
                        r"considered|tested|other)", m.group(1)) and \
                not re.match(r"(?i)(?:\S+\s+){0,5}?(?:we\s+)?(?:considered|evaluated|tested|studied|examined|used|compared)\b",
                             source[m.end(1):].lstrip()):
            return True
    return False


# ------------------------------------------------------------------ 2. conditions

_RESULT_EN = re.compile(
    r"\b(?:outperform\w*|improv\w*|achiev\w*|reach\w*|obtain\w*|attain\w*|reduc\w*|increas\w*|decreas\w*|lower\w*|"
    r"faster|slower|better|worse|higher|best|surpass\w*|beat\w*|match\w*|on par|prefer\w*|robust\w*|stabiliz\w*|"
    r"stabilis\w*|halv\w*|gains?|boost\w*|perform\w*|effective\w*|correlat\w*|converg\w*|speeds? up|shorten\w*|"
    r"causes?|identif\w*|remains?|grows?|cuts?|saves?|exceed\w*|accura\w*|error|F1|BLEU|ROUGE|score\w*|"
    r"enables?|helps?|hurts?|degrad\w*|drops?|correct\w*|solv\w*|succe\w*|wins?|enhanc\w*|recall|precision|worse|"
    r"superior|diminish\w*|damp\w*|generali[sz]\w*|leads? to|translates? to|brings?)\b", re.I)
_RESULT_JA = re.compile(
    r"上回|下回|改善|向上|達成|優れ|高い|高く|低い|低く|削減|短縮|減ら|減少|増加|高速|示し|示す|示さ|得ら|得まし|匹敵|同等|最良|"
    r"最高|最先端|劣|悪化|汎化|減衰|小さく|大きく(?=なる|なり|上回|下回|向上|改善|低下)|好まれ|有効|頑健|安定|に達|正答し|正解し|成功し|影響し|影響を与え|寄与し|貢献し|役立|効果が|倍|識別|低下|半分|半減|抑え|上が|下が|収束|相関|勝|"
    r"\b(?:outperform|improv|achiev|reach|reduc|better|faster|higher|lower|robust)\w*", re.I)

_LANGS = {
    "english": ("英語", "英"), "japanese": ("日本語", "日"), "chinese": ("中国語", "中"), "german": ("ドイツ語", "独"),
    "french": ("フランス語", "仏"), "spanish": ("スペイン語", "西"), "korean": ("韓国語", "韓"),
    "finnish": ("フィンランド語", ""), "swahili": ("スワヒリ語", ""), "arabic": ("アラビア語", ""),
    "hindi": ("ヒンディー語", ""), "russian": ("ロシア語", "露"), "italian": ("イタリア語", "伊"),
    "portuguese": ("ポルトガル語", ""), "vietnamese": ("ベトナム語", ""), "thai": ("タイ語", ""),
    "indonesian": ("インドネシア語", ""), "dutch": ("オランダ語", ""), "turkish": ("トルコ語", ""),
    "polish": ("ポーランド語", ""), "czech": ("チェコ語", ""), "bengali": ("ベンガル語", ""),
}
_LANG_ABBR = "".join(a for _, a in _LANGS.values() if a)

# Settings: (English in the quote, Japanese or English in the sentence that keeps it)
_SETTINGS: tuple[tuple[str, str], ...] = (
    (r"\b(?:in|under|for) (?:our|this|these|that|the same|such) (?:settings?|setups?|scenarios?|conditions?|regimes?)\b",
     r"設定|条件|本研究の|この研究の|本論文の|今回の|状況|環境|setting|setup"),
    (r"\b(?:in|from|across) (?:our|these|the) (?:experiments?|evaluations?|tests?|analysis|analyses)\b",
     r"実験|評価|検証|本研究の|今回の|分析|experiment|evaluation"),
    (r"\bfew[- ]shot\b", r"少数ショット|フューショット|数例|少数の例|few[- ]shot"),
    (r"\bzero[- ]shot\b", r"ゼロショット|zero[- ]shot"),
    (r"\bone[- ]shot\b", r"ワンショット|1ショット|one[- ]shot"),
    (r"\bin simulations?\b|\bsimulated\b", r"シミュレーション|模擬|simulat"),
    (r"\buser stud(?:y|ies)\b|\bhuman evaluations?\b|\bparticipants\b|\bannotators\b",
     r"人手評価|人による評価|人間による評価|ユーザー?調査|ユーザースタディ|被験者|参加者|評価者|user study|human"),
    (r"\bin-domain\b", r"ドメイン内|同一ドメイン|同じドメイン|in-domain"),
    (r"\bout-of-domain\b|\bout of domain\b", r"ドメイン外|異なるドメイン|out-of-domain"),
    (r"\b(?:sub-?sets?|splits?|portions?|subsets?)\b", r"サブセット|部分集合|一部|分割|検証|テスト|開発|split|subset|のうち"),
    (r"\blow[- ]resource\b", r"低資源|低リソース|資源の少ない|リソースの少ない|リソースが少ない|データの少ない|low[- ]resource"),
    (r"\bhigh[- ]resource\b", r"高資源|高リソース|資源の多い|リソースの多い|high[- ]resource"),
    (r"\bon average\b", r"平均|average"),
    (r"\bsynthetic\b", r"合成|人工|synthetic"),
    (r"\boffline\b", r"オフライン|offline"),
    (r"\bonline\b", r"オンライン|online"),
)

_FRONTED = re.compile(r"^\s*(?:(?:Even|Only|Specifically|Moreover|However|Furthermore|Overall|Notably|Importantly),?\s+)?"
                      r"(On|In|For|Under|When|With|Without|Across|At|If|Given|Using|Once|Whenever)\b([^,;:]{3,120}),", re.I)
_NOT_CONDITION = re.compile(
    r"(?i)^(?:in|on|for|with|at)\s+(?:this|the present|our)\s+(?:paper|work|study|article|section|chapter|report)|"
    r"^(?:in|see|from|as shown in) (?:table|tab\.|figure|fig\.|section|sec\.|appendix|eq\.|equation|algorithm)\b|"
    r"^in (?:addition|contrast|particular|summary|short|practice|general|other words|fact|total|turn|sum|detail|"
    r"comparison|the end|this way|doing so|order)|^for (?:example|instance|this reason|simplicity|clarity|brevity|"
    r"completeness|comparison|each)|^with (?:this|that|these|respect|regard)|^on the other hand|^at the same time|"
    r"^on (?:the contrary|top of|(?:the )?one hand)|^given (?:this|that|these)|^using (?:this|these|that)|^in this (?:setting|case)")
_MARKER_JA = re.compile(r"では|において|における|に関して|の場合|場合|とき|時に|時は|際|条件|設定|に対して|について|の下で|下で|もとで|"
                        r"なしで|を用いると|を用いた|を加えると|すると|と、|上で|で、|では、|向けの|に限|のみ|だけ")

_NAME_AFTER = re.compile(r"(?<!based )\b(?:on|in|for|over|across|under|with|at|from|using)\s+(?:the\s+|a\s+|an\s+)?"
                         r"([^,;:.()]{1,80})", re.I)
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9\-+.]*[A-Za-z0-9+]|[A-Z]")
_NOT_NAME = frozenset(
    "table figure fig section sec appendix eq equation github we our the this these it its they their in on for with "
    "however overall moreover table. gpu gpus cpu tpu experiment experiments algorithm theorem lemma step stage phase "
    "part case setting qa nlp llm llms ml ai ir".split())
_SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?([BMK])\b(?!\w)")


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _names(phrase: str) -> list[str]:
    """Proper names (capitalised, all-caps or with digits) in a prepositional phrase of the
    quote: SQuAD, Natural Questions, CIFAR-10, A100."""
    out, run = [], []
    for tok in phrase.split():
        word = tok.strip("\"'“”’()[]")
        is_name = bool(_NAME_TOKEN.fullmatch(word)) and (word[0].isupper() or any(c.isdigit() for c in word)) \
            and word.casefold() not in _NOT_NAME \
            and not all(part.casefold() in _LANGS for part in word.split("-"))     # English-German: a language pair
        if is_name:
            run.append(word)
        elif run:
            out.append(" ".join(run))
            run = []
        if not is_name and word[:1].islower() and len(run) == 0 and out:
            break
    if run:
        out.append(" ".join(run))
    return [n for n in out if not re.fullmatch(r"[A-Z]", n)]


def _has_name(name: str, text: str) -> bool:
    flat = _squash(text)
    tokens = [_squash(t) for t in name.split()]
    tokens = [t[:-1] if t.endswith("s") and len(t) > 3 else t for t in tokens]
    acronym = "".join(t[0] for t in tokens if t) if len(tokens) > 1 else ""
    return any(t and t in flat for t in tokens) or bool(acronym and acronym in flat)


def _rendered(name: str, text: str) -> bool:
    """Cold Dark Matter as 冷たい暗黒物質: every word of the name has a Japanese counterpart in
    the sentence (a glossary rendering, or a word of the JMdict gloss table)."""
    words = english_roots(name)
    if not words or any(c.isdigit() for c in name):
        return False
    have: set[str] = set()
    for term in glossary.terms():
        if any(ja in text for ja in term.good):
            have |= english_roots(term.en)
    for span in _JA_SPAN.findall(text):
        have |= glosses(span) or set()
        for ch in span:
            have |= glosses(ch) or set()
    return all(w in have for w in words)


def _has_language(lang: str, text: str) -> bool:
    full, abbr = _LANGS[lang]
    if full in text or lang in text.casefold() or full.removesuffix("語") in text:
        return True
    return bool(abbr) and bool(re.search(f"{abbr}[{_LANG_ABBR}]|[{_LANG_ABBR}]{abbr}", text))


def conditions(quote: str) -> list[tuple[str, object]]:
    """The conditions a result quote states: (label, test on a sentence that keeps it)."""
    if not _RESULT_EN.search(quote):
        return []
    found: list[tuple[str, object]] = []
    listed = _EXAMPLES.sub(" ", quote)       # "including A, B and C": examples, not conditions
    for m in _NAME_AFTER.finditer(listed):
        if _NOT_CONDITION.match(m.group(0)):
            continue
        for name in _names(m.group(1)):
            found.append((name, lambda s, n=name: _has_name(n, s) or _rendered(n, s)))
        for num in _COUNT.finditer(m.group(1)):
            if num.group(2).casefold() not in _OUTCOME_UNITS:
                found.append((num.group(0), lambda s, n=num.group(1): _has_count(n, s)))
    if _ONLY_IF.search(quote):
        found.append((_ONLY_IF.search(quote).group(0), lambda s: bool(_ONLY_JA.search(s))))
    for m in _sizes(quote):
        found.append((m.group(0), lambda s, n=m.group(1), u=m.group(2): _has_size(n, u, s)))
    for lang in _LANGS:
        if re.search(rf"\b{lang}\b", quote, re.I):
            found.append((lang, lambda s, lang=lang: _has_language(lang, s)))
    for en, keep in _SETTINGS:
        m = re.search(en, quote, re.I)
        if m and not re.search(r"\ball\s+" + re.escape(m.group(0).split()[-1]), quote, re.I):
            found.append((m.group(0), lambda s, k=keep: bool(re.search(k, s, re.I))))
    fronted = _FRONTED.match(quote)
    if fronted and not found and not _NOT_CONDITION.match(fronted.group(1) + fronted.group(2)):
        words = [w for w in re.findall(r"[A-Za-z]{4,}", fronted.group(2)) if w.casefold() not in _NOT_NAME]
        found.append((fronted.group(0).rstrip(","), lambda s, w=tuple(words): bool(_MARKER_JA.search(s)) or
                      any(x.casefold() in s.casefold() for x in w)))
    return found


_EXAMPLES = re.compile(r"\b(?:including|such as|e\.g\.,?|for example|for instance)\b[^.;()]*", re.I)
# a count in a condition phrase: "using three tasks", "in the three-task case", "with 12 participants"
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_COUNT = re.compile(r"^(?:the\s+)?(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")[- ](?!\w+(?:ing|ed)\b)([a-z]+)\b(?!\s+\w+(?:ing|ed)\b)",
                    re.I)
_OUTCOME_UNITS = frozenset("points point percent pp times fold x ms of to and or out more less".split())
_KANJI = "〇一二三四五六七八九十"
_ONLY_IF = re.compile(r"\bonly (?:if|when|whenever|after|once|under|as long as)\b", re.I)
_ONLY_JA = re.compile(r"に限|のみ|だけ|場合|とき|時に|時は|条件|際|なら|しか|限り")


def _has_count(number: str, text: str) -> bool:
    """three / 3 as 3, ３ or 三 in the sentence."""
    n = str(_NUMBER_WORDS.index(number.casefold()) + 1) if number.casefold() in _NUMBER_WORDS else number
    kanji = _KANJI[int(n)] if n.isdigit() and int(n) <= 10 else ""
    wide = n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return bool(re.search(rf"(?<!\d){n}(?!\d)", text)) or wide in text or bool(kanji and kanji in text) or \
        (int(n) >= 2 and bool(re.search(r"複数|いくつか|数種|数件", text)))


_SIZE_OF = re.compile(r"\s*-?\s*(?:param\w*|models?|LLMs?|teachers?|students?|variants?|versions?|backbones?|"
                      r"networks?|checkpoints?)\b", re.I)


def _sizes(quote: str) -> list[re.Match]:
    """Sizes that are conditions: a model's size (7B model, 30B parameters) or a size inside a
    prepositional phrase (for sequences longer than 8K tokens); not an outcome (grows to 32K)."""
    phrases = [m.span(1) for m in _NAME_AFTER.finditer(quote) if not _NOT_CONDITION.match(m.group(0))]
    return [m for m in _SIZE.finditer(quote)
            if _SIZE_OF.match(quote, m.end()) or any(a <= m.start() < b for a, b in phrases)]


# The sentence keeps the size dimension in words: 小規模なモデルでも大規模なモデルでも (not 大規模言語モデル, the term)
_SIZE_WORDS_JA = re.compile(r"(?:小|中|大)規模(?!な?言語モデル)|モデル(?:の)?(?:規模|サイズ)|パラメータ数|小型|大型")


def _has_size(number: str, unit: str, text: str) -> bool:
    """7B as 7B / 7 B / 70億 in the sentence (a model size also in words: 小規模なモデル)."""
    if unit.upper() in "BM" and _SIZE_WORDS_JA.search(text):
        return True
    ja = _size_ja(number, unit)
    return bool(re.search(rf"(?<![\d.]){re.escape(number)}\s?{unit}(?![A-Za-z])" + (f"|{ja}" if ja else ""), text, re.I))


def _size_ja(number: str, unit: str) -> str:
    """7B -> 70億, 1.3B -> 13億, 770M -> 7億7000万 (only the first digits are compared)."""
    try:
        value = float(number) * {"B": 1e9, "M": 1e6, "K": 1e3}[unit.upper()]
    except ValueError:
        return ""
    if value >= 1e8:
        oku = value / 1e8
        return re.escape(f"{oku:g}") + r"\s?億"
    if value >= 1e4:
        return re.escape(f"{value / 1e4:g}") + r"\s?万"
    return ""


def dropped_conditions(text: str, quotes: Sequence[str]) -> list[str]:
    """Conditions of the quotes' results that a result-reporting sentence leaves out."""
    own = _QUOTED_JA.sub("", text)
    if not _RESULT_JA.search(own):
        return []
    out: list[str] = []
    for quote in quotes:
        for label, kept in conditions(quote):
            if not kept(own) and label not in out:
                out.append(label)
    return out


# ------------------------------------------------------------------ 3. strength

# A superlative or a ranking needs one in the quotes: "better than BM25" is not 最高.
_SUPERLATIVE_JA = re.compile(r"最も|最高(?!値)|最良|最適(?!化)|最善|最強|随一|一番|トップ(?:の|クラス)|最大の(?:効果|寄与|要因|改善|性能)")
_SUPERLATIVE_EN = re.compile(
    r"\b(?:best|most|highest|lowest|largest|greatest|strongest|fastest|fewest|least|smallest|top|optimal\w*|"
    r"state[- ]?of[- ]?the[- ]?art|sota|leading|unmatched|unrivall?ed|all (?:other |the )?(?:baselines|methods|"
    r"models|systems|approaches)|than (?:any|all)|rank(?:ed)? (?:1|first)|first place|(?!(?:inter|sugg|requ|hon|mod|for|"
    r"manif|harv|inv|prot|cont|dig|arr|t|r|w|n|gu|dev|cr|pr|l|ch|j|z|qu|ingr|div|att|d|v|p|f|b)est\b)[a-z]{2,}est)\b", re.I)
_STATE_OF_ART_JA = re.compile(r"最先端|SOTA", re.I)
# A hedged result (may, suggests, tends to, can, in some cases) stays hedged in Japanese.
_HEDGE_EN = re.compile(r"\b(?:may|might|could|suggest\w*|likely|possibl[ey]|potentially|tends? to|hopefully|"
                       r"should|appears? to|seems? to|perhaps|presumably|conjecture\w*|hypothes[iz]\w*|"
                       r"in some cases|for improved|would|designed to|aims? to|intended to|goal is)\b", re.I)
_HEDGE_KEPT_JA = re.compile(r"可能|うる|得る|え(?:ます|ない|ません)|かもしれ|示唆|考えられ|思われ|傾向|場合が|場合も|ことがあ|"
                            r"期待|見込|はず|だろう|でしょう|らしい|ようだ|ようで|推測|予想|推察|でき|られ|れる|一部|"
                            r"ため|目指|狙|向け|設計|目的|意図|目標|ように|著者ら|と述べ|としてい|とされ|と主張|と推測|と考え|可能性|余地|一因|寄与|役立|may|might|could|suggest|likely", re.I)
_ESTABLISHED_JA = re.compile(r"証明|実証|明らかにな|明らかにし|確認さ|確認し|確立|(?<!指)示され|(?<!指)示した|(?<!指)示しま|分かっ|わかっ|判明")
_PROVEN_JA = re.compile(r"証明|実証|明らかにな|明らかにし|確立|判明")
_BIG_JA = re.compile(r"(?<!より)大きく(?=上回|向上|改善|低下|下回|減|増|劣|異な|伸)|(?<!より)大きな(?=改善|向上|差|効果|低下)")
_SMALL_EN = re.compile(r"\b(?:slight(?:ly)?|marginal(?:ly)?|modest(?:ly)?|a little|minor|small (?:gain|improvement|difference)s?|"
                       r"comparable|similar|on par)\b", re.I)
_QUANT_COND_EN = re.compile(r"\b(?:in|on|for|across|under) (?:most|some|many|several|a few) (?:[a-z]+ )?[a-z]+s\b", re.I)
_EXTRAPOLATE_JA = re.compile(r"(?:し|え|り|き|け|がり|なり)続け|限りなく|どこまでも|際限な")
_CONTINUES_EN = re.compile(r"\b(?:continu\w*|keeps?|kept|monoton\w*|unbounded|without (?:limit|saturat\w*|plateau\w*))\b", re.I)
_SATURATES_EN = re.compile(r"\b(?:converg\w*|plateau\w*|saturat\w*|diminish\w*|levels? off)\b", re.I)
_HEDGE_STRONG_JA = re.compile(r"示唆|可能性|かもしれ|うる|得る|考えられ|思われ|はず|だろう|でしょう|推測|予想|傾向|期待|見込")
_CAUSE_JA = re.compile(r"引き起こ|原因|もたらす|招く|生じさせ")
# "four out of the five datasets": the sentence keeps the four
_OUT_OF = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:out\s+)?of\s+(?:the\s+)?"
                     r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b", re.I)
_RESULT_STATED_JA = re.compile(_RESULT_JA.pattern + r"|させ|され|する。|します。|起こ|引き起こ|できない|ない。|ません。", re.I)
# How many: some < many < most < almost all. A sentence may not climb the ladder above its quote.
_QUANT_EN = ((1, re.compile(r"\b(?:some|several|a few|certain (?:cases|settings)|occasionally|sometimes)\b", re.I)),
             (2, re.compile(r"\b(?:many|often|frequently|numerous|a number of)\b", re.I)),
             (3, re.compile(r"\b(?:most (?:of )?(?:the )?(?![a-z]+ly\b)(?:[a-z]+ )?[a-z]+s\b|mostly|majority|largely|generally|"
                            r"in general|typically|usually)", re.I)),
             (4, re.compile(r"\b(?:almost|nearly|virtually) (?:all|every|always)\b", re.I)),
             (5, re.compile(r"(?<!almost )(?<!nearly )(?<!virtually )\b(?:all|every|always|consistently)\b", re.I)))
_QUANT_JA = ((1, re.compile(r"一部|いくつか|ある程度|(?<!非常に難しい)場合が(?:ある|あり)|ことが(?:ある|あり)|時に|ときに")),
             (2, re.compile(r"多くの|多くが|多くで|多くは|多く(?:の場合)|しばしば|頻繁|よく|ことが多|場合が多")),
             (3, re.compile(r"ほとんどの|ほとんどが|ほとんどで|ほとんどは|大半|大部分|大多数|概して|概ね|おおむね|一般に|"
                            r"一般的に|全般|通常|たいてい|主に|傾向")),
             (4, re.compile(r"ほぼ(?:すべて|全て|全部|全員|常に|例外なく|全)")),
             (5, re.compile(r"(?<!ほぼ)(?:すべて|全て|全部|(?<![非異正通日恒])常に|いつも|例外なく|(?<!ほとん)どの|あらゆる|もはや|一切|まったく|全く)")))


def _quant_level(patterns, text: str) -> int:
    return max((level for level, rx in patterns if rx.search(text)), default=0)


def strength(text: str, quotes: Sequence[str]) -> str | None:
    """A claim stronger than its quotes: a superlative they do not make, a hedge they make and
    the sentence drops (stated as established), or a quantifier higher on the ladder."""
    own = _QUOTED_JA.sub("", text)
    source = " ".join(quotes)
    m = _SUPERLATIVE_JA.search(own)
    if m and not _SUPERLATIVE_EN.search(source):
        return f"superlative not in its quotes: {m.group(0)}"
    if _STATE_OF_ART_JA.search(own) and not re.search(r"state[- ]?of[- ]?the[- ]?art|sota|best|outperform", source, re.I):
        return "state of the art not in its quotes"
    if _EXTRAPOLATE_JA.search(own) and (not _CONTINUES_EN.search(source) or _SATURATES_EN.search(source)):
        return "extrapolates beyond its quotes: " + _EXTRAPOLATE_JA.search(own).group(0)
    m = _BIG_JA.search(own)
    if m and _SMALL_EN.search(source):
        return f"size word against a small change in its quotes: {m.group(0)}"
    quote_level = _quant_level(_QUANT_EN, source)
    if quote_level:
        level = _quant_level(_QUANT_JA, own)
        if level > quote_level and not _HEDGE.search(own):
            return "quantifier stronger than its quotes"
    for m in _OUT_OF.finditer(source):
        if _RESULT_STATED_JA.search(own) and not _has_count(m.group(1), own) and not _quant_level(_QUANT_JA, own):
            return f"drops the part its quotes count: {m.group(0)}"
    hedge = _HEDGE_EN.search(source)
    if hedge and _ESTABLISHED_JA.search(own) and not _HEDGE_STRONG_JA.search(own):
        return f"states as established what its quotes hedge: {hedge.group(0)}"
    can = re.search(r"\bcan\b", source, re.I)
    if can and (_PROVEN_JA.search(own) or _CAUSE_JA.search(own)) and not _HEDGE_STRONG_JA.search(own):
        return "states as established (or as a cause) what its quotes say can happen"
    if hedge and _RESULT_STATED_JA.search(own) and not _HEDGE_KEPT_JA.search(own) and not _QUANT_JA[0][1].search(own) \
            and not _QUANT_JA[2][1].search(own) and not (quote_level and _quant_level(_QUANT_JA, own)):
        return f"states as established what its quotes hedge: {hedge.group(0)}"
    if _QUANT_COND_EN.search(source) and _RESULT_STATED_JA.search(own) and not _quant_level(_QUANT_JA, own) \
            and not _HEDGE_KEPT_JA.search(own):
        return "drops the quantifier its quotes state"
    return None


def overgeneralised(text: str, quotes: Sequence[str]) -> str | None:
    """Why `text` states more than its quotes (English reason), or None."""
    quotes = [q for q in quotes if q.strip()]
    if not text.strip() or not quotes:
        return None
    words = scope_words(text, quotes)
    if words:
        return f"scope word(s) not in its quotes: {', '.join(words)}"
    dropped = dropped_conditions(text, quotes)
    if dropped:
        return f"drops the condition(s) its quotes state: {', '.join(dropped[:3])}"
    return strength(text, quotes)
