"""Build shared/ronbun/data/glossary.tsv from the reviewed seed and the JMdict dictionary.

    pip install -r tools/requirements-glossary.txt      # jamdict + its JMdict database (build time only)
    python tools/build_glossary.py                      # writes the glossary and the review record
    python tools/build_glossary.py --check              # exit 1 if the committed files are stale

For every English term of tools/glossary_seed.tsv (hand-written: the accepted Japanese renderings,
whether the English helps the reader, and the reviewed decisions), the script asks JMdict which
general-dictionary words translate it: those are the renderings a word-for-word translation
produces. The rule that turns a proposal into a trap:

1. A proposal is kept out when it is an accepted rendering of any term, contains or is part of
   an accepted rendering of this term, is written in kana only, is one character long, is not a
   common word with fewer than two kanji (no JMdict priority tag; an uncommon kanji word such as
   探査機, 緩衝器 or 基準線 is still what a translator picks), carries the gloss only in a technical sense (JMdict field computing, mathematics, statistics, ...), or
   the seed reviewed it as normal ML Japanese ("-word").
2. A single word that survives is a normal Japanese word in other senses (注目, 重量), so it is a
   trap only where the text uses it as the term: directly before one of ronbun.glossary.HEADS
   (注目機構, 重量行列), before a label (虫垂B), in the paper's own frame (本論文の寄付), before
   として用いる/として比較, or as the object of an ML operation (余白を最大化); written "word~+".
3. A multiword term (2 to 4 words besides of/the/...) gets its literal renderings: each word is
   rendered by one of its accepted renderings (its own glossary entry, or read off the term's:
   潜在 in 潜在空間) or by one of its common general-dictionary nouns, and the words are joined
   directly or with の/的/な/的な (な only after an adjectival noun): 値引き係数, 客観的機能,
   特徴地図, 意地悪な平均精度. A rendering is a trap if at least one word is literal. A literal
   word found inside any accepted rendering of the glossary (速度 in 推論速度, 機能) is weak: it
   makes a trap only in a direct compound (学習速度), never with a joint (学習の速度 is Japanese).
   Renderings inside an accepted rendering (後分布 in 事後分布) or found in good Japanese ML
   text (tools/good_ml_ja.txt, tests/golden/digest.md) are kept out. Such compounds are not
   Japanese, so they count wherever they occur (not directly before 的: モデルの体系的).
4. The seed's reviewed traps ("word" or "word~regex") are added as written; a reviewed regex for
   a dictionary word replaces rule 2's context. They come first in the glossary line, so the
   prompt shows them.

5. Term lists (tools/ml_terms.txt, written by subfield; tools/corpus_terms.txt, the corpus papers'
   noun phrases from tools/corpus_terms.py): multiword terms the seed lacks get literal compounds only,
   no accepted rendering. Their words are grouped into known terms (learning rate | warmup); a word's
   reviewed traps are literal renderings of it in any term (学習率の準備運動); a compound betrays the
   term only through a literal sense of a word with its own reviewed entry (blood culture gets
   nothing: 血液培養 cannot be told from 血液文化), and a dictionary word for the whole phrase is accepted.
6. Which words count alone (the review rule): a reviewed trap written plain counts anywhere; the seed
   writes plain only words whose ordinary sense is a trait, feeling or praise that no paper studies
   (強欲, 僻み, 卑劣, 当惑, 褒美); a reviewed word with a concrete ordinary sense that a paper may study
   (合奏, 荷札, 川下, 詰め物, 検問所) is written "word~ml" and counts in an ML slot only (before an ML
   noun, as the object of an ML operation: ronbun.glossary.IN_ML); dictionary words count in an ML
   compound only ("word~+"). A word counting alone that occurs in the counter-corpus (good Japanese
   ML text, rule 3) is kept out.
7. The single-word ML vocabulary: every word of every term of the seed and the term lists (its
   dictionary form; not function words such as over, between) without a seed entry of its own gets its
   JMdict senses as traps, up to SINGLE_SENSES, most frequent first, unless the sense is an accepted
   rendering or part of one, was reviewed as normal ML Japanese for any term (伝達), occurs in good
   Japanese ML text, is kana or has fewer than two kanji (同じ, 探り), is technical, or is among the
   most frequent Japanese words (JMdict nf01-nf10: 対象, 内容, 地域 are normal in any paper). They count
   in an ML slot only ("word~ml"; not after 主な: 主な利点 is Japanese).
8. A translator who does not know a word renders a relative of it: the base of a derivation
   (regularization -> regular: 定期化; emergent -> emergency: 緊急) or the words of a closed compound
   (dropout -> drop out, baseline -> base line). A single-word seed term also gets the
   RELATIVE_SENSES most frequent senses of each relative, under rules 1 and 2.
Glosses are matched by their normal form ("clipping (of newspaper article, etc.)" for clipping) and
word forms (plural, -ing, -al); a katakana loanword renders a word as ML Japanese does (ランダム).

tools/glossary_candidates.tsv records every proposal and the decision, for review.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
from ronbun.glossary import IN_COMPOUND, IN_ML  # noqa: E402  (the runtime expands "word~ml" with its ML slots)
SEED = ROOT / "tools" / "glossary_seed.tsv"
OUT = ROOT / "shared" / "ronbun" / "data" / "glossary.tsv"
REPORT = ROOT / "tools" / "glossary_candidates.tsv"

# JMdict fields whose senses are technical: a rendering used in that sense is a term of art.
TECH_FIELDS = {"computing", "mathematics", "statistics", "physics", "linguistics", "engineering",
               "electronics", "electricity, elec. eng.", "telecommunications", "logic"}
COMPOSE_ACCEPTED = 3     # accepted renderings of each word used in a literal compound
COMPOSE_LITERAL = 6      # general-dictionary senses of each word used (most frequent first)
COMPOSE_RARE = 5         # uncommon dictionary nouns used when a word has fewer common ones
COMPOSE_WEAK = 2         # reviewed-out senses of each word used (weak: direct compounds only)
COMPOSE_MAX = 400        # literal compounds per term at most
GOOD_TEXT = [ROOT / "tools" / "good_ml_ja.txt", ROOT / "tests" / "golden" / "digest.md"]
NOUNISH = ("noun", "adjectival nouns", "nouns which may take")     # JMdict parts of speech a term's word takes
KANA = re.compile(r"^[\u3040-\u30ff\u30fc・ー]+$")
KANJI = re.compile(r"[\u4e00-\u9fff]")
KATAKANA = re.compile(r"^[\u30a0-\u30ff・ー]{2,}$")


@dataclass
class Seed:
    en: str
    good: list[str]
    show: bool
    traps: list[tuple[str, str]] = field(default_factory=list)     # (word, regex or "")
    out: set[str] = field(default_factory=set)                     # reviewed: not a trap
    out_all: bool = False
    auto: bool = False        # from the term lists (tools/ml_terms.txt, tools/corpus_terms.txt): no reviewed renderings
    single: bool = False      # a single word of the ML vocabulary (rule 7): its dictionary senses in an ML slot


def read_seed(path: Path = SEED) -> list[Seed]:
    seeds = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t") + ["", "", ""]
        s = Seed(cols[0].strip(), [g.strip() for g in cols[1].split("|") if g.strip()], cols[2].strip() == "y")
        for part in _split_review(cols[3]):
            if part == "-*":
                s.out_all = True
            elif part.startswith("-"):
                s.out.add(part[1:])
            else:
                word, _, regex = part.partition("~")
                s.traps.append((word, regex))
        seeds.append(s)
    return seeds


TERM_LISTS = [ROOT / "tools" / "ml_terms.txt", ROOT / "tools" / "corpus_terms.txt"]


def read_term_lists(seeds: list[Seed], paths: list[Path] = TERM_LISTS) -> list[Seed]:
    """The terms of the term lists that the seed does not have, as terms without reviewed renderings:
    only multiword terms (a single word's right sense is unknown), in file order."""
    have = {s.en.lower() for s in seeds}
    out = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            en = line.strip()
            if en and not en.startswith("#") and en.lower() not in have and len(_words(en)) >= 2:
                have.add(en.lower())
                out.append(Seed(en, [], False, auto=True))
    return out


FUNCTION_WORDS = {"over", "under", "between", "into", "than", "via", "per", "across", "within", "without", "through",
                  "about", "after", "before", "non", "all", "more", "most", "less", "only", "not", "each", "other",
                  "out", "off", "up", "down", "upon", "toward", "towards", "against", "among", "during", "beyond"}
SINGLE_MIN_RANK = 10     # senses this frequent (JMdict nf01-nf10) are normal in any paper: never traps
SINGLE_SENSES = 8        # dictionary senses of a single ML word used as traps (most frequent first)


def read_single_words(seeds: list[Seed], paths: list[Path] = TERM_LISTS) -> list[Seed]:
    """The single-word ML vocabulary (rule 7): every word of every term of the seed and the term lists
    (dropout, prompt, token, anchor, shard, latency, outlier, ...) that has no seed entry of its own, in
    dictionary form (shards -> shard), as terms without a reviewed rendering."""
    have = {s.en.lower() for s in seeds}
    terms = [s.en for s in seeds] + [line.strip() for path in paths
                                     for line in path.read_text(encoding="utf-8").splitlines()
                                     if line.strip() and not line.startswith("#")]
    out, seen = [], set()
    for en in terms:
        for word in re.split(r"[ -]", en):
            w = word.lower()
            if not re.fullmatch(r"[a-z]{3,}", w) or w in STOP or w in FUNCTION_WORDS or not word.islower() and word.upper() == word:
                continue
            if w.endswith("ies") and len(w) > 4:
                w = w[:-3] + "y"
            elif w.endswith("s") and not w.endswith(("ss", "us", "is", "as")) and len(w) > 4:
                w = w[:-1]
            if w in have or w in seen:
                continue
            seen.add(w)
            out.append(Seed(w, [], False, auto=True, single=True))
    return out


def _split_review(field_: str) -> list[str]:
    """Split on '|' outside regex groups: 'a|b~x(?:c|d)|e' -> ['a', 'b~x(?:c|d)', 'e']."""
    parts, depth, cur = [], 0, ""
    for i, ch in enumerate(field_):
        escaped = i > 0 and field_[i - 1] == "\\"
        if ch in "([" and not escaped:
            depth += 1
        elif ch in ")]" and not escaped:
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p]


@dataclass
class Proposal:
    word: str
    rank: int            # JMdict frequency rank (nfXX; lower is more frequent)
    common: bool
    technical: bool
    noun: bool = True    # a noun or an adjectival noun in some sense with this gloss (not only a verb)
    na: bool = False     # an adjectival noun: joined with な (意地悪な)


class Dictionary:
    """English -> Japanese headwords from JMdict (through the jamdict package's database)."""

    def __init__(self) -> None:
        from jamdict import Jamdict          # build-time only; never imported by ronbun
        self.db = sqlite3.connect(f"file:{Jamdict().db_file}?mode=ro", uri=True)
        self.cache: dict[str, list[Proposal]] = {}
        # every English gloss under its normal form: "clipping (of newspaper article, etc.)" is found
        # for "clipping", "to transfer" for "transfer", "warm-up" for "warmup" (a translator reads the
        # gloss, not its brackets)
        self.by_gloss: dict[str, list[tuple[int, int]]] = {}
        for sid, idseq, text in self.db.execute(
                "SELECT g.sid, s.idseq, g.text FROM SenseGloss g JOIN Sense s ON s.ID = g.sid WHERE g.lang = 'eng'"):
            for key in {_gloss_key(text), _gloss_key(text).replace(" ", "")}:
                if key:
                    self.by_gloss.setdefault(key, []).append((sid, idseq))

    def proposals(self, en: str) -> list[Proposal]:
        key = en.lower()
        if key in self.cache:
            return self.cache[key]
        rows = sorted(set(self.by_gloss.get(_gloss_key(en), [])))
        found: dict[str, Proposal] = {}
        for sid, idseq in rows:
            fields = {f for (f,) in self.db.execute("SELECT text FROM field WHERE sid = ?", (sid,))}
            technical = bool(fields & TECH_FIELDS)
            pos = {t for (t,) in self.db.execute("SELECT text FROM pos WHERE sid = ?", (sid,))}
            noun = any(t.startswith(NOUNISH) for t in pos) or not pos
            na = any(t.startswith("adjectival nouns") for t in pos)
            spellings = self.db.execute("SELECT ID, text, 'KJP' FROM Kanji WHERE idseq = ?", (idseq,)).fetchall()
            if not spellings:         # a loanword written in katakana only (ランダム): the accepted rendering of a word
                spellings = [(kid, w, "KNP") for kid, w in self.db.execute("SELECT ID, text FROM Kana WHERE idseq = ?", (idseq,))
                             if KATAKANA.match(w)]
            for kid, word, table in spellings:
                tags = [t for (t,) in self.db.execute(f"SELECT text FROM {table} WHERE kid = ?", (kid,))]
                nf = [int(t[2:]) for t in tags if t.startswith("nf")]
                rank = min(nf) if nf else (30 if tags else 99)
                p = found.get(word)
                if p is None:
                    found[word] = Proposal(word, rank, bool(tags), technical, noun, na)
                else:   # a word counts as technical if any sense with this gloss is technical
                    p.technical = p.technical or technical
                    p.rank = min(p.rank, rank)
                    p.noun, p.na = p.noun or noun, p.na or na
        self.cache[key] = sorted(found.values(), key=lambda p: (p.rank, p.word))
        return self.cache[key]


def _gloss_key(text: str) -> str:
    """A gloss's normal form: lower case, without (…) notes, a leading "to"/"a"/"the", or hyphens."""
    t = re.sub(r"\([^)]*\)", " ", text.lower())
    t = re.sub(r"[\s\-]+", " ", t).strip()
    return re.sub(r"^(?:to|a|an|the) ", "", t)


def _why_out(p: Proposal, seed: Seed, accepted_any: set[str]) -> str:
    w = p.word
    if seed.out_all or w in seed.out:
        return "reviewed: normal in ML text"
    if w in accepted_any:
        return "accepted rendering of a term"
    if any(w in g or g in w for g in seed.good):
        return "part of an accepted rendering"
    if KANA.match(w):
        return "kana only"
    if len(w) < 2 or not KANJI.search(w):
        return "too short"
    if p.technical:
        return "technical sense"
    if not p.common and len(KANJI.findall(w)) < 2:
        return "not a common word"
    return ""


STOP = {"of", "the", "a", "an", "to", "for", "in", "on", "from", "with", "and", "by", "at", "as"}
JOINTS = ("", "の", "的", "な", "的な")
NA_WORDS: set[str] = set()      # literal senses that are adjectival nouns (意地悪): only these take な      # how a literal translation joins the words (意地悪な平均精度)


def _of_phrase(en: str) -> bool:
    """"part of speech", "mixture of experts": two words around "of" (Japanese puts the second first)."""
    return bool(re.fullmatch(r"[A-Za-z]+[ -]of[ -][A-Za-z]+", en.strip()))


def _words(en: str, known: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The term's words, a run of words that is itself a known term kept together, longest first:
    "learning rate warmup" -> ["learning rate", "warmup"] (学習率の準備運動)."""
    words = [w for w in re.split(r"[ -]", en) if w and w.lower() not in STOP]
    out, i = [], 0
    while i < len(words):
        for j in range(len(words), i + 1, -1):
            if (j - i) < len(words) and " ".join(words[i:j]).lower() in known:
                out.append(" ".join(words[i:j]))
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _forms(word: str) -> list[str]:
    """The word and its dictionary form (abilities -> ability, features -> feature)."""
    w = word.lower()
    out = [word]
    if w.endswith("ly") and len(w) > 5:          # statistically -> statistical (統計的に)
        out.append(w[:-2])
    elif w.endswith("ies") and len(w) > 4:
        out.append(w[:-3] + "y")
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        out.append(w[:-1])
    else:                                        # footprint -> footprints (足跡), logistic -> logistics (物流)
        out.append(w + "s")
    if w.endswith("ing") and len(w) > 6:         # clipping -> clip, shaping -> shape, decoding -> decode
        stem = w[:-3]
        out += [stem, stem + "e"] + ([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])
    if w.endswith(("ial", "al")) and len(w) > 6:     # marginal -> margin, variational -> variation
        out.append(w[:-3] if w.endswith("ial") else w[:-2])
    return list(dict.fromkeys(out))


RELATIVE_SENSES = 4      # dictionary senses of each relative of a word used (most frequent first)


def _relatives(word: str) -> list[str]:
    """The English words a translator reads a word as when it does not know it: the base of a derivation
    (regularization -> regular, emergent -> emergency) or the words of a closed compound (dropout -> drop
    out, baseline -> base line)."""
    w = word.lower()
    out = []
    if w.endswith("ization") and len(w) > 9:
        out.append(w[:-7])                      # regularization -> regular(ize)
    if w.endswith("ent") and len(w) > 6:
        out += [w[:-1] + "cy", w[:-1] + "ce"]   # emergent -> emergency, emergence
    for cut in range(3, len(w) - 2):            # dropout -> drop out, baseline -> base line
        if w[cut:] in CLOSED_SECOND:
            out.append(w[:cut] + " " + w[cut:])
    return out


CLOSED_SECOND = {"out", "line", "point", "off", "up", "down", "over", "set", "work", "way", "book", "board"}


def _part_renderings(seed: Seed, part: str, dic: Dictionary, by_en: dict[str, Seed]) -> tuple[list[str], list[str], list[str]]:
    """(accepted, literal, weak) renderings of one word of a term. Weak: senses the word's own entry
    reviewed as normal ML Japanese on their own (機能 for feature). Accepted: the word's own glossary
    renderings, dictionary words inside this term's accepted renderings (目的 in 目的関数), technical
    senses and reviewed-out words. Literal: the other common kanji words JMdict gives for it."""
    own = by_en.get(part) or by_en.get(part.lower())
    if re.fullmatch(r"[A-Z0-9][A-Za-z0-9]*", part) and not part.isalpha() or part.isupper():
        return [part], [], []         # a name (F1, BLEU, GPT) is written as it is: F1得点 for F1 score
    if own is not None and own.auto:
        own = None
    accepted = list(own.good) if own else []
    literal: list[str] = []
    weak: list[str] = []
    rare: list[str] = []
    for form in _forms(part):
        for p in dic.proposals(form):
            w = p.word
            if w in accepted or w in literal:
                continue
            if any(w in g for g in seed.good) or p.technical or w in seed.out or KATAKANA.match(w):
                accepted.append(w)        # a katakana loanword (ランダム) is how ML Japanese writes the word
                if p.na:
                    NA_WORDS.add(w)
            elif own is not None and (own.out_all or w in own.out):
                weak.append(w)        # normal alone (機能), literal in a compound (機能抽出)
            elif p.noun and not KANA.match(w) and KANJI.search(w) and (len(w) >= 2 or p.common):
                (literal if p.common else rare).append(w)
                if p.na:
                    NA_WORDS.add(w)
    # a word with few common senses is still translated: by its other dictionary nouns (退行, 凸面, 強欲)
    literal += rare[:max(0, COMPOSE_RARE - len(literal))]
    if own is not None:      # the word's reviewed traps render it literally inside any term (準備運動 for warmup)
        literal = [w for w, _ in own.traps if w not in accepted
                   and not any(w in o for o, _ in own.traps if o != w)] + literal
    return list(dict.fromkeys(accepted)), list(dict.fromkeys(literal)), weak


def compose(seed: Seed, dic: Dictionary, by_en: dict[str, Seed], accepted_any: set[str]) -> list[tuple[str, str]]:
    """Literal renderings of a multiword term: each word rendered by an accepted or a general-
    dictionary sense, joined directly or with の/的/な/的な (値引き係数, 客観的機能, 特徴地図,
    意地悪な平均精度). A rendering counts only if at least one word is a literal sense that is not
    part of any accepted ML rendering (値引き, 地図, 意地悪: strong); 速度 (in 推論速度) is weak
    makes a trap only in a direct compound (機能抽出), never with a joint (学習の速度 is normal Japanese)."""
    known = {k.lower() for k, v in by_en.items() if not v.auto and k.lower() != seed.en.lower()}
    words = _words(seed.en, known)
    if len(words) < 2 or len(words) > 4:
        return []
    reviewed_word = [w.lower() in known for w in words]      # the word has its own reviewed entry
    ml_vocab = "\n".join(sorted(accepted_any))
    options: list[list[tuple[str, int]]] = []     # (rendering, 0 accepted / 1 weak literal / 2 strong literal)
    renderings = [_part_renderings(seed, part, dic, by_en) for part in words]
    if len(words) == 2:      # the other word's accepted rendering, read off the term's: 潜在|空間 in 潜在空間
        (acc_a, _, _), (acc_b, _, _) = renderings
        for good in seed.good:
            acc_b += [good[len(a):] for a in acc_a if good.startswith(a) and len(good) > len(a)]
            acc_a += [good[:-len(b)] for b in list(acc_b) if good.endswith(b) and len(good) > len(b)]
    for (accepted, literal, weak), seeded in zip(renderings, reviewed_word):
        accepted = list(dict.fromkeys(accepted))
        opts = [(w, 0) for w in accepted[:COMPOSE_ACCEPTED]]
        # a term from the term lists has no reviewed rendering: a sense betrays it only if it is a sense of a
        # word with its own reviewed entry (its right renderings are known); its other words are weak at most
        strong = 2 if (seeded or not seed.auto) else 1
        # a sense that is itself another term's accepted rendering (評価, モデル) is Japanese ML, not literal
        opts += [(w, 0 if w in accepted_any else 1 if w in ml_vocab else strong) for w in literal[:COMPOSE_LITERAL]
                 if len(w) > 1 or w not in ml_vocab]        # one kanji (森, 錨) only where no ML term uses it
        opts += [(w, 1) for w in weak[:COMPOSE_WEAK] if w not in accepted]
        if not opts:
            return []
        options.append(opts)
    out: list[tuple[str, str]] = []
    of = _of_phrase(seed.en)
    if of:      # "part of speech": a translator also writes the head after の (話の部分)
        options = options[::-1]
    for combo in itertools.product(*options):
        if not any(kind for _, kind in combo):
            continue
        if seed.auto and not any(kind == 2 for _, kind in combo):
            continue          # a term without reviewed renderings: only a word no ML rendering uses betrays it
        if any(len(w) == 1 and kind for w, kind in combo) and len(combo) > 2:
            continue
        joints = JOINTS if len(combo) == 2 else ("", "の", "な")
        if of:
            joints = ("の",)
        if len(combo) == 2 and words[0].lower().endswith("ly"):
            joints = ("に", "")              # an adverb: 統計的に重大 (statistically significant)
        for js in itertools.product(joints, repeat=len(combo) - 1):
            if any(js) and js != ("に",) and not any(kind == 2 for _, kind in combo):
                continue      # (統計的に重要: an adverb's に is not a Japanese joint of two nouns)          # 学習の速度 is Japanese; 機能抽出 (a weak word in a direct compound) is not
            if any((j and w.endswith(j)) or (j.startswith("的") and (w.endswith("的") or not kind)) or (j == "な" and w not in NA_WORDS and not w.endswith("的"))
                   for (w, kind), j in zip(combo, js)):     # 的 turns a literal sense into an adjective (客観的)
                continue
            if not any(kind == 2 for _, kind in combo) and any(
                    len(w) == 1 and not kind and "" in (js[k - 1:k] + js[k:k + 1]) for k, (w, kind) in enumerate(combo)):
                continue      # one accepted kanji (例) glued to an ML word: 正例学習 is not 例学習 (層正常化 is literal)
            word = combo[0][0] + "".join(j + w for j, (w, _) in zip(js, combo[1:]))
            if word in ml_vocab:          # inside an accepted rendering (後分布 in 事後分布)
                continue
            out.append((word, "joined" if any(js) else "direct"))
    return out[:COMPOSE_MAX]


REVIEWED_NORMAL: set[str] = set()      # words the seed reviewed as normal ML Japanese for some term (伝達)


def build(seeds: list[Seed], dic: Dictionary, good_text: str | None = None) -> tuple[list[str], list[str]]:
    by_en = {s.en: s for s in seeds}
    REVIEWED_NORMAL.clear()
    REVIEWED_NORMAL.update(w for s in seeds for w in s.out)
    accepted_any = {g for s in seeds for g in s.good}
    rows, report = [], []
    taken: dict[str, str] = {}          # a word is a trap of one term only: the first in file order,
    reviewed_by = {w: s.en for s in reversed(seeds) for w, _ in s.traps}   # unless a later term reviewed it
    for s in seeds:
        traps: dict[str, str] = {}
        reviewed = {w: r for w, r in s.traps}
        joined: set[str] = set()
        if s.auto and not s.single:      # a dictionary word for the whole phrase is how Japanese says it (血液培養): accepted
            s = Seed(s.en, [p.word for p in dic.proposals(s.en)], False, auto=True)
        own_forms = [s.en] + [f for f in _forms(s.en)[1:2] if " " not in s.en and len(f) < len(s.en)]   # preliminaries -> preliminary
        proposals = list({p.word: p for f in own_forms for p in dic.proposals(f)}.values())
        if " " not in s.en:     # rule 8: a translator who does not know the word renders a relative of it
            have = {p.word for p in proposals}
            for rel in _relatives(s.en):
                proposals += [p for p in dic.proposals(rel)[:RELATIVE_SENSES] if p.word not in have]
                have |= {p.word for p in proposals}
        for p in ([] if s.auto else proposals):
            why = _why_out(p, s, accepted_any)
            if why and p.word not in reviewed:
                report.append(f"{s.en}\t{p.word}\tjmdict\tkept out: {why}")
                continue
            # a reviewed trap counts as the review wrote it (褒美, 詰め物: alone); a dictionary word, in an ML compound
            regex = reviewed[p.word] if p.word in reviewed else IN_COMPOUND
            traps[p.word] = regex
            report.append(f"{s.en}\t{p.word}\tjmdict\ttrap{' (reviewed)' if p.word in reviewed else ': in an ML compound'}")
        if s.single:      # rule 7: the word's dictionary senses that no ML text uses, in an ML slot
            ml_vocab = "\n".join(accepted_any)
            senses = list({p.word: p for f in _forms(s.en) for p in dic.proposals(f)}.values())
            kept = 0
            for p in sorted(senses, key=lambda p: (not p.common, p.rank, p.word)):
                w = p.word
                why = ("accepted rendering of a term" if w in accepted_any else
                       "reviewed: normal in ML text" if w in REVIEWED_NORMAL else
                       "part of an accepted rendering" if w in ml_vocab else
                       "found in good Japanese ML text" if good_text is not None and w in good_text else
                       "kana only" if KANA.match(w) or KATAKANA.match(w) else
                       "too short" if len(KANJI.findall(w)) < 2 else      # 同じ, 探り: grammar, not a term
                       "technical sense" if p.technical else
                       "among the most frequent words" if p.rank <= SINGLE_MIN_RANK else
                       "not a noun" if not p.noun else
                       "over the cap" if kept >= SINGLE_SENSES else "")
                if why:
                    report.append(f"{s.en}\t{w}\tjmdict\tkept out: {why}")
                    continue
                kept += 1
                traps[w] = IN_ML
                report.append(f"{s.en}\t{w}\tjmdict\ttrap: in an ML slot")
        if not s.out_all:
            for word, how in compose(s, dic, by_en, accepted_any):
                if word in traps or word in accepted_any or word in reviewed:
                    continue
                if word in s.out:
                    report.append(f"{s.en}\t{word}\tcompound\tkept out: reviewed: normal in ML text")
                    continue
                if good_text is not None and word in good_text:
                    report.append(f"{s.en}\t{word}\tcompound\tkept out: found in good Japanese ML text")
                    continue
                traps[word] = ""
                if how == "joined":
                    joined.add(word)
                report.append(f"{s.en}\t{word}\tcompound\ttrap: literal compound ({how})")
        for word, regex in s.traps:
            if word not in traps:
                traps[word] = regex
                report.append(f"{s.en}\t{word}\treview\ttrap (reviewed)")
        for word in list(traps):
            if not traps[word] and good_text is not None and word in good_text and word not in joined:
                del traps[word]        # a word that counts alone must never occur in good Japanese ML text
                report.append(f"{s.en}\t{word}\t-\tkept out: counts alone but found in good Japanese ML text")
                continue
            owner = reviewed_by.get(word, s.en)
            if owner != s.en:
                del traps[word]
                report.append(f"{s.en}\t{word}\t-\tkept out: a reviewed trap of {owner}")
            elif word in taken:
                del traps[word]
                report.append(f"{s.en}\t{word}\t-\tkept out: already a trap of {taken[word]}")
            else:
                taken[word] = s.en
        # the reviewed traps first, then dictionary words, direct compounds, joined ones: the prompt shows the first
        order = sorted(traps, key=lambda w: (w not in reviewed, w in joined, list(traps).index(w)))
        bad = "|".join(w + (f"~{traps[w]}" if traps[w] else "") for w in order)
        if s.auto and not bad:
            continue
        rows.append("\t".join([s.en, "" if s.auto else "|".join(s.good), bad, "y" if s.show else ""]))
    return rows, report


def good_text() -> str:
    """Good Japanese ML prose (hand-written sentences, the golden digest): a literal compound
    found in it is normal Japanese and is kept out."""
    return "\n".join(p.read_text(encoding="utf-8") for p in GOOD_TEXT if p.is_file())


def read_taken(report: list[str]) -> set[tuple[str, str]]:
    """(term, word) of the traps that made it into the glossary, from the review record."""
    kept = {tuple(r.split("\t")[:2]) for r in report if r.split("\t")[3].startswith("trap")}
    return kept - {tuple(r.split("\t")[:2]) for r in report if "kept out: a" in r.split("\t")[3]}


HEADER = ("# Generated by tools/build_glossary.py from tools/glossary_seed.tsv and JMdict: edit the seed, not this file.\n"
          "# en\taccepted Japanese (|-separated; first is preferred)\t"
          "word-for-word renderings that betray machine translation (|-separated; \"word~regex\" narrows where the word counts)\t"
          "y = show the English once beside the Japanese\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the committed glossary is not what the seed builds")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    seeds = read_seed()
    seeds += read_term_lists(seeds)
    seeds += read_single_words(seeds)
    rows, report = build(seeds, Dictionary(), good_text())
    glossary = HEADER + "\n".join(rows) + "\n"
    # the generated compound traps (tens of thousands) are in the glossary itself; the record keeps
    # every dictionary proposal, every review decision and every compound kept out
    listed = [r for r in report if not (r.split("\t")[2] == "compound" and r.split("\t")[3].startswith("trap"))]
    record = (f"# {len(report) - len(listed)} generated compound traps are in shared/ronbun/data/glossary.tsv\n"
              "# en\tproposal\tsource\tdecision\n" + "\n".join(listed) + "\n")
    took = time.perf_counter() - t0
    if args.check:
        stale = [p for p, text in ((OUT, glossary), (REPORT, record)) if p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run tools/build_glossary.py)", file=sys.stderr)
        return 1 if stale else 0
    OUT.write_text(glossary, encoding="utf-8")
    REPORT.write_text(record, encoding="utf-8")
    n_traps = len(read_taken(report))
    print(f"{len(rows)} terms, {n_traps} traps, {len(report)} proposals reviewed in {took:.1f}s -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
