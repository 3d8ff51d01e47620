"""Named things an answer mentions (methods, datasets, metrics, models written in Latin letters:
BERT, SQuAD, BLEU, GPT-4o, ResNet-50, F1, "Natural Questions") and whether the source names them.

A name is found when its letters and digits, lowercased, equal one to six consecutive words of
the source run together: "ResNet-50", "ResNet50" and "resnet 50" are one name, "BERT" is not
found inside "RoBERTa". Plurals and possessives ("LLMs", "BERT's"), a generic word hyphenated
to a found name ("BERT-based"), and an acronym written beside its expansion ("BLEU (Bilingual
Evaluation Understudy)") are accepted. An all-capitals name must be written with capitals in
the source ("CLASS" is not found in "a class of models"); a longer name, such as the title, is
found window by window.

What is not a name: plain lowercase words ("fine-tuning", "dropout"), single letters (variables),
numbers with units (70B, 12GB: the number check covers those), URLs, code in backticks, the
first word of an English sentence when it is an ordinary capitalised word, and GENERIC below.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

from .text import _CODE, _URL, _is_japanese

MAX_WORDS = 6

# Words that name a kind of thing, not one artefact a paper must introduce; Japanese writers
# use them (and their plurals) freely for any paper, and papers often never spell them out
# ("LLM" in a paper that only says "language model", "GPU" for "A100"). Units and
# abbreviations of ordinary prose are here for the same reason; arXiv is where every paper
# Ronbun reads comes from.
GENERIC = frozenset("""
ai ml dl nlp nlu nlg cv ir rl qa llm lm plm vlm mllm sota api apis gpu cpu tpu gb mb kb tb gbs
hz ghz mhz flop flops tflops pflops gflops url urls pdf ok id ids io os ui ux faq etc eg ie vs
transformer transformers neural network networks deep learning machine model models
english japanese chinese arxiv
sd se sem std ci iqr pvalue pvalues iid ev kev mev gev tev kg mg ml cm mm km nm db fps dpi l0 l1 l2
""".split())      # the last line: statistics notation (SD, 95% CI, p-value) and units (eV, GeV, kg)

# Standard abbreviations a paper may only spell out ("area under the ROC curve" for AUC): the
# abbreviation is found when one of its long forms is.
LONG_FORMS: dict[str, tuple[str, ...]] = {
    "auc": ("area under",), "auroc": ("area under",), "auprc": ("area under",), "aupr": ("area under",),
    "roc": ("receiver operating",), "ppv": ("positive predictive", "precision"),
    "npv": ("negative predictive",), "tpr": ("true positive rate", "sensitivity", "recall"),
    "fpr": ("false positive rate",), "knn": ("nearest neighbor", "nearest neighbour"),
    "mse": ("mean squared error", "mean square error"), "rmse": ("root mean squared", "root mean square"),
    "mae": ("mean absolute error",), "iou": ("intersection over union",),
    "map": ("mean average precision",), "em": ("exact match",), "svm": ("support vector",),
    "pca": ("principal component",), "mlp": ("multilayer perceptron", "multi-layer perceptron"),
    "cnn": ("convolutional",), "rnn": ("recurrent",), "gan": ("generative adversarial",),
    "sgd": ("stochastic gradient",), "kl": ("kullback",), "mle": ("maximum likelihood",),
    "ocr": ("optical character",), "ner": ("named entity",),
}

# Letters NFKD does not take apart ("F ́ısica" in PDF text is "Física"), and Greek letters by
# name, so that "Ω_B", "ΩB" and "Omega_B" are one name.
_LETTERS = str.maketrans({"ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
                          "þ": "th", "ð": "d", **{c: n for c, n in zip(
                              "αβγδεζηθικλμνξοπρσςτυφχψωϵϑϕ",
                              "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
                              "sigma sigma tau upsilon phi chi psi omega epsilon theta phi".split())}})
# A function word the PDF text glued to the name after it ("withGPT-4o", "ofBERT").
_GLUED = re.compile(r"\b(the|with|and|of|by|on|in|for|to|from|using|than|as|via|over)(?=[A-Z])")
# Model sizes are part of the name ("BERT-large" is not "BERT-base"); other lowercase words
# hyphenated to a name are not ("BERT-based").
# Kind words a writer puts after a name ("Crawler Agent", "DocLayNet Dataset", "BERT Model").
_KIND_WORDS = frozenset("""
agent agents model models dataset datasets data benchmark benchmarks corpus score scores metric metrics loss
method methods framework algorithm module layer layers network encoder decoder system task library toolkit
architecture approach baseline baselines code pipeline
""".split())
# "Zero-shot", "Fine-tuning", "End-to-end": an ordinary hyphenated word capitalised, not a name.
_ORDINARY_COMPOUND = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)+")
_SIZES = frozenset("base large small tiny mini medium huge giant xl xxl nano micro lite "
                   "turbo instruct chat pro flash ultra plus max preview".split())   # release variants too

# Latin letters with accents ("Daumé", "Pałka") and Greek letters are letters of a name.
_L = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0391-\u03c9"
_TOKEN = re.compile(rf"[{_L}][{_L}+#]*(?:['’\-_][{_L}+#]+|\.\d[A-Za-z0-9]*)*")
_CAPITALISED = re.compile(r"[A-Za-z]*[A-Z][A-Za-z]*")
# Starts only where a word starts, and needs a capital (checked after the match): linear time on a
# 120,000-character line without a space (the unanchored form backtracked for minutes).
_CAPITALISED_COMPOUND = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-\u2010\u2011\u2013][A-Za-z0-9]+)+")
_GLUED_RUN = re.compile(r"[A-Za-z0-9]{25,}")
_LIGATURE = re.compile(r"ffi|ffl|ff|fi|fl")      # glyphs a PDF font may have no Unicode for ("signi cant")
_SOURCE_WORD_CASED = re.compile(r"[A-Za-z0-9]+")
# Hyphens and dashes a writer or a PDF puts between the parts of a name (not the em dash).
_HYPHENS = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d"})
_LINE_END_HYPHEN = re.compile(r"(\w)[-\u00ad][ \t]*\r?\n\s*(\w)")
_SENTENCE_END = re.compile(r"(?:^|[.!?:]\s+|\n)$")
# "et al. Retain: An interpretable ...": the period of an abbreviation does not end a sentence, so the
# capital after it is the word's own (a reference title's first word, a name)
_ABBREVIATION_END = re.compile(r"(?:\bal|\be\.g|\bi\.e|\bcf|\bvs|\bFig|\bEq|\bSec)\.\s+$")
_SOURCE_WORD = re.compile(r"[a-z]+|[0-9]+")      # "1ByteDance" (an affiliation mark) is "1", "bytedance"
_SENTENCE_START = re.compile(r"(?:[.!?:]\s+|\n\s*|[「『(\"“]\s*)$")
_ENGLISH_NEXT = re.compile(r"[,:]|\s+[a-z]")
_SENTENCE_REST = re.compile(r"[^。．.!?！？\n]*")
_CONNECTORS = frozenset({"of", "for", "to", "de", "von", "van", "der"})     # "Mixture of Experts"
_STOPWORDS = frozenset("""
a an the this that these those it its we our they their there here which who what when where how why
in on at by for from with as is are was were be been has have had do does did and or but not no yes
if so to of also then thus hence however therefore moreover furthermore additionally overall finally
first second third both each all some many most more other such while although because since using
based given note see let one two three table figure section appendix equation fig figs eq tab sec
i'm i’m i've i'll i'd we're we've we'll we'd you're they're it's that's
""".split())


# A unit: an SI or binary prefix and a unit symbol ("kHz", "GiB", "mAh", "Mpc", "TFLOPs"), or a
# multiplier ("x4"); numbers with units are the number check's.
_UNIT = re.compile(r"(?:[kKMGTPEmμnpf]|[KMGT]i)?(?:Hz|Wh|W|Ah|B|bit|bps|eV|pc|g|s|m|L|J|Pa|yr|FLOPS?|FLOPs|ops)"
                   r"|[x×]\d+(?:\.\d+)?")
# Mathematics and LaTeX are notation, not names: "$\mathrm{softmax}(QK^T)$", "\alpha", "$L_2$".
_MATH = re.compile(r"\$\$[^$]{1,200}\$\$|\$[^$\n\u3000-\u9fff\uff00-\uffef]{1,80}\$|\\\(.{1,80}?\\\)|\\\[.{1,200}?\\\]"
                   r"|\\[A-Za-z]+")
# An author cited by name ("Smith et al."): a person, not a method or a dataset.
_CITED = re.compile(r"[A-Z][^\W\d_]*[a-z][\w\-’']*(?:\s+(?:and|&)\s+[A-Z][^\W\d_]*[a-z][\w\-’']*)?"
                    r"\s*(?:et\s+al\.?|ら(?=\s*(?:の|は|が|に|による)))")
# A heading or a bold label of the answer's own, in plain English words ("### Overview",
# "**Key Findings**:", "**Answer:**"): formatting, not a name. (A bare "Wikipedia:" at the
# start of a list entry may name a thing, and is checked.)
_LABEL = re.compile(r"(?m)^[ \t]*(?:#+[ \t]*(?:\*\*|__)?|(?:[>*\-•・]+[ \t]*|\d+[.)][ \t]*)?(?:\*\*|__))"
                    r"([A-Za-z][a-z]*(?:[ \-][A-Za-z][a-z]*){0,3})"
                    r"(?=[ \t]*(?:[:：][ \t]*(?:\*\*|__)|(?:\*\*|__)[ \t]*(?:[:：]|$)|[:：]?[ \t]*$))")
_TLDR = re.compile(r"\bTL;\s?DR\b", re.I)
_ROMAN = re.compile(r"(?:X{0,3})(?:IX|IV|V?I{0,3})")
# A cut-off rank ("Top-K", "top-20"), a variable hyphenated to a word ("N-gram", "k-means", "X-ray").
_VARIABLE_WORD = re.compile(r"[A-Za-z](?:-[a-z]+)+|(?:[a-z]+-)+[A-Za-z]")
_VERSION = re.compile(r"\d(?:\.\d{1,2})?")
_VERSION_END = re.compile(r"(?!の(?:改善|向上|差|低下|増加|上昇|減少))"      # a score: "EM 2.5の向上"
                          r"(?:$|[\s、。,.)）」』:;!?！？はがをのでにともやへ]|(?!ポイント|パーセント|ステップ|エポック|ショット)[\u30a1-\u30fa])")
_RANK = re.compile(r"[Tt]op[-\s]?(?:[kKnN]|\d+)")
# A pointer into a document ("Algorithm 1", "Step 2", "Part II", "Case A") is not a name.
_REFERENCE_WORDS = frozenset("""
eqs algorithm theorem lemma corollary proposition definition remark example experiment step stage phase
part chapter case line row column listing exp alg thm def prop
""".split())
_REFERENCE_NUMBER = re.compile(r"\d+(?:\.\d+)*|[A-Z]|(?:X{0,3})(?:IX|IV|V?I{0,3})")
_FUNCTION_WORDS = frozenset("to of the and in on for by with a an or vs at from into over per".split())


# Words of the vocabulary ("net" of "net present value") that end a network's name: U-Net, V-Net, Graph-Net.
_NAME_PARTS = frozenset({"net", "former"})


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(terms, words) of the glossary's ML and academic vocabulary, squashed: a term such as
    "zero-shot", "state of the art", "ablation" or "cross-entropy loss" is a common noun, not a
    name, however it is written ("Zero-Shot", "State-of-the-Art"). Terms with a capital
    ("Gaussian process", "BLEU score") name something and are left out."""
    from ..glossary import terms
    english = [t.en for t in terms() if t.en and t.en == t.en.lower()]
    words = {w for t in english for w in re.split(r"[\s\-]+", t) if len(w) >= 3 and w not in _NAME_PARTS}
    return frozenset(_squash(t) for t in english), frozenset(words)


def _plain_compound(word: str) -> bool:
    """Plain words joined by hyphens: no capital past a part's first letter, no digit."""
    parts = word.split("-")
    return len(parts) >= 2 and all(p.isalpha() and (len(p) == 1 or p[1:].islower()) for p in parts)


def _ordinary_compound(word: str) -> bool:
    """"End-to-End", "Human-in-the-Loop", "Zero-Shot": plain words joined by hyphens with a
    function word among them, or every part a word of the glossary's vocabulary (a compound of
    plain words the paper has is found in `_found`)."""
    if not _plain_compound(word):
        return False
    low = [p.casefold() for p in word.split("-")]
    return any(p in _FUNCTION_WORDS for p in low) or all(p in _vocabulary()[1] for p in low)


# A Japanese word right after the compound: it modifies it (Real-Worldな設定, Large-Scale実験, 的).
_MODIFIES_NEXT = re.compile(r"な|的|[\u4e00-\u9fff\u30a1-\u30fa]")


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Roots of ordinary English words: every word that glosses a common Japanese word."""
    from .grounding import _table
    return frozenset().union(*_table().values())


def _modifier_compound(word: str, text: str, end: int) -> bool:
    """"Real-Worldな", "Large-Scale実験": plain English words joined by hyphens, used as a
    modifier of the Japanese that follows (a name is what a sentence talks about, followed by a
    particle or a space: "Multi-Newsで評価")."""
    if not _plain_compound(word) or not _MODIFIES_NEXT.match(text, end):
        return False
    from .grounding import root
    return all(root(p) in _english_words() for p in word.casefold().split("-"))


def _squash(text: str) -> str:
    return "".join(_SOURCE_WORD.findall(_fold(text)))


def _fold(text: str) -> str:
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return text.translate(_combining()).casefold().translate(_LETTERS)


@lru_cache(maxsize=1)
def _combining() -> dict[int, None]:
    """Accents and other combining marks (of the Basic Multilingual Plane), to delete."""
    return {c: None for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))}


def _acronym_key_form(word: str) -> str:
    """"GPs" -> "GP" (an acronym and its plural); any other word unchanged ("NEWS")."""
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


def _acronym_key(short: str) -> str:
    """"GPs" and "GP" are one acronym; "NEWS" is not "NEW"."""
    return _squash(short[:-1] if short.endswith("s") and short[:-1].isupper() else short)


class NameIndex:
    """Every run of 1..MAX_WORDS consecutive source words, squashed ("resnet50"), and the
    words the source writes with a capital that is not just a sentence's first letter (an
    all-capitals name must be one of those: "CLASS" is not found in "a class of models")."""

    def __init__(self, texts: Iterable[str]):
        self.runs: set[str] = set()
        self.capitalised: set[str] = set()
        self.long_forms: dict[str, set[str]] = {}     # "gp": {"Gaussian processes"} from "Gaussian processes (GPs)"
        self.glued: list[str] = []                    # "epochsusingBCELosswithFocalLoss": text whose spaces were lost
        for text in texts:
            for short, long in _defined_acronyms(text or ""):
                self.long_forms.setdefault(_acronym_key(short), set()).add(long)
            text = _GLUED.sub(r"\1 ", text or "")
            # A hyphen at a line end is read both ways: a word split in two ("fine-\ntuned",
            # "IC-\nDAR") and a hyphen that was there ("Lucene-\nBM25", "PaSa-\n7b"). The parts
            # are indexed as two words, whose runs hold the joined word ("ic" "dar": "icdar"),
            # and as a compound written with capitals ("ICDAR").
            kept = _LINE_END_HYPHEN.sub(r"\1-\2", text)
            words = _SOURCE_WORD.findall(_fold(kept))
            for i in range(len(words)):
                run = ""
                for w in words[i:i + MAX_WORDS]:
                    run += w
                    self.runs.add(run)
            for m in _CAPITALISED.finditer(kept):
                word = m.group()
                if not (_ordinary_capital(word) and _SENTENCE_END.search(kept, max(0, m.start() - 3), m.start())
                        and not _ABBREVIATION_END.search(kept, max(0, m.start() - 8), m.start())):
                    self.capitalised.add(_fold(word))
                    self.capitalised.add(_fold(_acronym_key_form(word)))
            for m in _CAPITALISED_COMPOUND.finditer(kept):   # "MGP-RNN", "TF-IDF": "MGPRNN", "TFIDF"
                if not any(c.isupper() for c in re.split(r"[-\u2010\u2011\u2013]", m.group())[0]):
                    continue                                # a capital in the first part, as before
                self.capitalised.add(_squash(m.group()))
                self.capitalised.add(_squash(_acronym_key_form(m.group())))
            if "-\n" in text or _GLUED_RUN.search(text):
                joined = _LINE_END_HYPHEN.sub(r"\1\2", text)
                self.glued += [r for r in _GLUED_RUN.findall(joined) if not r.isupper() and not r.islower()]

    def has(self, squashed: str) -> bool:
        if not squashed:
            return True
        if squashed in self.runs:
            return True
        for suffix in ("s", "es"):          # plural either side
            if squashed.endswith(suffix) and len(squashed) > len(suffix) + 1 and squashed[:-len(suffix)] in self.runs:
                return True
            if squashed + suffix in self.runs:
                return True
        return False

    def in_glued(self, name: str) -> bool:
        """A name written with capitals inside text whose spaces the PDF lost ("usingBCELosswith"):
        found as written (case and all), starting where a word of the run starts (a capital
        after a lowercase letter or a digit)."""
        letters = "".join(_SOURCE_WORD_CASED.findall(name))
        if len(letters) < 4 or sum(c.isupper() for c in letters) < 2 or not letters[0].isupper():
            return False
        key = letters.casefold()
        for run in self.glued:
            folded = run.casefold()
            at = folded.find(key)
            while at >= 0:
                if run[at].isupper() and (at == 0 or not run[at - 1].isupper()):
                    return True
                at = folded.find(key, at + 1)
        return False

    def has_capitalised(self, word: str) -> bool:
        # an acronym's plural either side ("GP" for "GPs", "LLMs" for "LLM"; "NEW" is not "NEWS")
        return _fold(word) in self.capitalised or _fold(_acronym_key_form(word)) in self.capitalised

    def expansions(self, short: str) -> set[str]:
        return self.long_forms.get(_acronym_key(short), set())


@lru_cache(maxsize=4)
def name_index(texts: tuple[str, ...]) -> NameIndex:
    """The index of a paper's texts, built once for the several checks of one result."""
    return NameIndex(texts)


class _Any:
    def __init__(self, indexes: Iterable[NameIndex]):
        self.indexes = list(indexes)

    def has(self, squashed: str) -> bool:
        return any(i.has(squashed) for i in self.indexes)

    def has_capitalised(self, word: str) -> bool:
        return any(i.has_capitalised(word) for i in self.indexes)

    def in_glued(self, name: str) -> bool:
        return any(i.in_glued(name) for i in self.indexes)

    def expansions(self, short: str) -> set[str]:
        return set().union(*(i.expansions(short) for i in self.indexes))


def _name_like(token: str) -> bool:
    """A token that names something: a capital letter, or letters mixed with digits."""
    if len(token) < 2 or token[0].isdigit() or not any(c.isalpha() for c in token):
        return False
    return any(c.isupper() for c in token) or any(c.isdigit() for c in token)


def _ordinary_capital(token: str) -> bool:
    """"However", "Results": a capitalised word with nothing else upper case and no digit."""
    return token[:1].isupper() and token[1:].islower() and token.isalpha()


def _strip(token: str) -> str:
    return re.sub(r"['’]s$", "", token).strip("-._'’")


def _listed_generic(name: str) -> bool:
    s = _squash(name)
    return s in GENERIC or (s.endswith("s") and s[:-1] in GENERIC)


def _is_generic(name: str) -> bool:
    """A word of GENERIC, or a term of the glossary's vocabulary written in plain words."""
    if _listed_generic(name):
        return True
    s = _squash(name)
    if not all(re.fullmatch(r"[A-Za-z][a-z]*", p) for p in re.split(r"[\s\-]+", name) if p):
        return False                                # "BERTScore", "GPT-4": not a plain word
    terms = _vocabulary()[0]
    return s in terms or (s.endswith("s") and s[:-1] in terms) or (s.endswith("es") and s[:-2] in terms)


def _starts_english_sentence(text: str, m: re.Match) -> bool:
    """"However, ..." / "Results show ...": an ordinary capitalised word opening an English
    sentence (in Japanese text a capitalised word is a name: "Wikipedia の記事")."""
    before = text[:m.start()]
    if before.strip() and not _SENTENCE_START.search(before[-4:]):
        return False
    rest = _SENTENCE_REST.match(text, m.start()).group()
    return (bool(_ENGLISH_NEXT.match(text, m.end())) and not any(_is_japanese(c) for c in rest)
            and len(rest.split()) >= 3)     # a sentence, not a list entry ("手法: Kaggle dataset")


def candidate_names(text: str) -> list[str]:
    """The names a text mentions, as written, in order, each once ("Natural Questions" whole)."""
    text = unicodedata.normalize("NFKC", text).translate(_HYPHENS)    # "MGP–RNN", "Mask R‑CNN"
    text = _CITED.sub(" ", _MATH.sub(" ", _CODE.sub(" ", _URL.sub(" ", _TLDR.sub(" ", text)))))
    text = _LABEL.sub(lambda m: m.group(0)[:m.start(1) - m.start()] + " " * len(m.group(1)), text)
    tokens = list(_TOKEN.finditer(text))
    words = [_strip(t.group()) for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = words[i]
        if (word.casefold() in _REFERENCE_WORDS and i + 1 < len(tokens)
                and text[tokens[i].end():tokens[i + 1].start()].strip() == "" and _REFERENCE_NUMBER.fullmatch(words[i + 1])):
            i += 2                     # "Algorithm 1", "Part II"
            continue
        if (not _name_like(word) or _listed_generic(word) or word.casefold() in _STOPWORDS
                or _ORDINARY_COMPOUND.fullmatch(word)
                or _modifier_compound(word, text, tokens[i].end())
                or _UNIT.fullmatch(word) or _RANK.fullmatch(word) or _VARIABLE_WORD.fullmatch(word)
                or _ROMAN.fullmatch(word)
                or (_ordinary_capital(word) and _starts_english_sentence(text, tokens[i]))):
            i += 1
            continue
        j = i                          # extend over "Natural Questions", "Mixture of Experts", "GPT-4 Turbo"
        while (j + 1 < len(tokens) and text[tokens[j].end():tokens[j + 1].start()] == " "
               and not re.search(r"['’]s$", tokens[j].group())):     # "PaSa's Crawler" is two names
            nxt = words[j + 1]
            if _name_like(nxt) and nxt.casefold() not in _STOPWORDS:
                j += 1
            elif _VERSION.fullmatch(nxt) and _VERSION_END.match(text, tokens[j + 1].end()):
                j += 1                 # "Llama 3", "SQuAD 2.0": a version written apart (not "F1 88.5")
            elif (nxt.casefold() in _CONNECTORS and j + 2 < len(tokens)
                  and text[tokens[j + 1].end():tokens[j + 2].start()] == " "
                  and _name_like(words[j + 2]) and words[j + 2][0].isupper()):
                j += 2
            else:
                break
        name = _strip(text[tokens[i].start():tokens[j].end()])
        if name and name not in out:
            out.append(name)
        i = j + 1
    return out


def _acronym(words: list[str]) -> str:
    return "".join(w[0] for w in words if w and w.casefold() not in _CONNECTORS)


def _variants(name: str) -> list[str]:
    """The name, and the name without lowercase hyphen parts at either end ("BERT-based" ->
    "BERT", "pre-LN" -> "LN")."""
    out = [name]
    parts = name.split("-")
    if len(parts) > 1:
        head, tail = list(parts), list(parts)
        while len(head) > 1 and head[-1].isalpha() and head[-1].islower() and head[-1] not in _SIZES:
            head.pop()
        while len(tail) > 1 and tail[0].isalpha() and tail[0].islower():
            tail.pop(0)
        out += ["-".join(head), "-".join(tail)]
    return list(dict.fromkeys(out))


def _found(name: str, index: NameIndex) -> bool:
    long_forms = LONG_FORMS.get(_squash(name).removesuffix("s"), ())
    if any(index.has(_squash(f)) for f in long_forms):
        return True                                 # "AUC" for "area under the ROC curve"
    if name.isascii() and name.isalpha() and name.isupper() and len(name) >= 2 and not _is_generic(name):
        return index.has_capitalised(name) or index.in_glued(name)  # "CLASS" is not "class", "NEWS" is not "news"
    parts = _SOURCE_WORD.findall(_fold(name))
    if len(parts) > MAX_WORDS:                      # a title: every window of MAX_WORDS words
        return all(index.has("".join(parts[i:i + MAX_WORDS])) for i in range(len(parts) - MAX_WORDS + 1))
    if any(_is_generic(v) or index.has(_squash(v)) for v in _variants(name)):
        return True
    words = [w for w in name.split() if w.casefold() not in _CONNECTORS]
    parts = re.split(r"([ \-])", name)
    for k, part in enumerate(parts):               # "Multi-Output GP" for "multi-output Gaussian processes (GPs)"
        if len(parts) > 1 and part.isupper():
            for long in index.expansions(part):
                if index.has(_squash("".join(parts[:k]) + " " + long + " " + "".join(parts[k + 1:]))):
                    return True
    joined = [p for p in name.split("+") if p]
    if len(joined) > 1 and all(_found(p, index) for p in joined):
        return True                                 # "DPR+BM25": a combination of found names
    if _ordinary_compound(name):
        return True                                 # "End-to-End", "Zero-Shot"
    if _plain_compound(name) and all(p.casefold() in _vocabulary()[1] or index.has(_squash(p)) for p in name.split("-")):
        return True                                 # "Large-Scale": plain words the paper or the vocabulary has
    hyphened = name.split("-")
    if (len(hyphened) == 2 and all(len(h) >= 2 and h[0].isupper() for h in hyphened)
            and all(_found(h, index) for h in hyphened)):
        return True                                 # "DPR-Multi": the method and its setting, each named
    if len(words) > 1 and words[-1].casefold() in _KIND_WORDS and _found(name.rsplit(" ", 1)[0], index):
        return True                                 # "Crawler Agent" for "Crawler"
    if len(words) > 1:
        # "BERT BM25", "A100 GPU": names side by side, each found (not "Natural Questions", "APACHE II")
        if all(_is_generic(w) or (len(w) >= 3 and not _ordinary_capital(w) and any(c.isalpha() for c in w)
                                  and _found(w, index)) for w in words):
            return True
        # "Dense Passage Retrieval" for a paper that writes "DPR"; "Large Language Models"
        initials = _acronym(words)
        if all(w.isalpha() and w[1:].islower() for w in words) and \
                (_listed_generic(initials) or index.has_capitalised(initials)):
            return True
    if index.in_glued(name):
        return True                                 # "BCELoss" in "...usingBCELosswithFocal-Loss"
    squashed = _squash(name)
    if _LIGATURE.search(squashed) and index.has(_LIGATURE.sub("", squashed)):
        return True                                 # "EfficientNet" in a PDF that lost its ligatures: "E cientNet"
    return False


_BEFORE_PAREN = re.compile(r"([A-Za-z0-9][A-Za-z0-9\-.'’ ]*?)\s*[(（]\s*([A-Za-z0-9][A-Za-z0-9\-.'’ ]*?)\s*[)）]")


def _long_form(short: str, long: str) -> str | None:
    """Schwartz & Hearst (2003): the shortest tail of `long` whose letters spell `short` in
    order, the first letter starting a word ("BLEU" in "Bilingual Evaluation Understudy")."""
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    tail = long[start:].strip()
    return tail if len(tail.split()) >= 2 and len(tail.split()) <= len(short) + 5 else None


_PAREN_SHORT = re.compile(r"[(（]\s*([A-Za-z0-9][A-Za-z0-9\-]{1,11})\s*[)）]")


def _defined_acronyms(text: str) -> list[tuple[str, str]]:
    """"Gaussian processes (GPs)": the acronyms a paper defines, with their long forms (the
    fast form of `_pairs` for a whole paper: the short form in brackets after the long one)."""
    out = []
    for m in _PAREN_SHORT.finditer(text):
        short = m.group(1)
        if not any(c.isupper() for c in short):
            continue
        before = " ".join(text[max(0, m.start() - 80):m.start()].split())
        found = _long_form(short, before)
        if found:
            out.append((short, found))
    return out


def _pairs(text: str) -> list[tuple[str, str]]:
    """"BLEU (Bilingual Evaluation Understudy)" / "Dense Passage Retrieval (DPR)": a short
    form and its expansion side by side."""
    out = []
    for m in _BEFORE_PAREN.finditer(unicodedata.normalize("NFKC", text)):
        a, b = m.group(1).strip(), m.group(2).strip()
        for short, long in ((a, b), (b, a)):
            if " " in short or not 2 <= len(short) <= 12 or not any(c.isupper() for c in short):
                continue
            found = _long_form(short, long)
            if found:
                out.append((short, found))
    return out


@lru_cache(maxsize=1)
def _term_acronyms() -> dict[str, tuple[str, ...]]:
    """The initials of the glossary's plain multi-word terms, with the terms' accepted renderings:
    "SFT" -> 教師ありファインチューニング (supervised fine-tuning)."""
    from ..glossary import terms
    out: dict[str, set[str]] = {}
    for t in terms():
        words = [w for w in re.split(r"[\s\-]+", t.en) if w]
        if len(words) >= 2 and t.en == t.en.lower() and all(w.isalpha() for w in words):
            out.setdefault(_acronym(words).upper(), set()).update(t.good)
    return {k: tuple(v) for k, v in out.items()}


def _defined_term_acronym(name: str, text: str) -> bool:
    """"教師ありファインチューニング（SFT）": an abbreviation the text itself gives for a term of the
    glossary (the initials of "supervised fine-tuning"), right after its Japanese: a common noun."""
    if not re.fullmatch(r"[A-Z]{2,6}s?", name):
        return False
    goods = _term_acronyms().get(name.rstrip("s") if name.endswith("s") and name[:-1].isupper() else name, ())
    return any(re.search(re.escape(g) + r"\s*[（(]\s*" + re.escape(name) + r"\s*[）)]", text) for g in goods)


# the small words an abbreviation leaves out ("reinforcement learning from human feedback": RLHF)
_ACRONYM_SKIPS = _CONNECTORS | {"from", "with", "and", "the", "a", "an", "in", "on", "by"}


def _quoted_phrase_acronym(name: str, text: str, quotes: Sequence[str]) -> bool:
    """"教師ありファインチューニング（SFT）" where the quote writes "supervised fine-tuning": an
    abbreviation the text gives, in brackets right after its Japanese, for a phrase of its own
    quotes (the initials of consecutive words, hyphenated parts as words, with or without the
    small words: "of", "from"): a common noun the answer translated and abbreviated, not a name it brought in."""
    if not quotes or not re.fullmatch(r"[A-Z]{2,6}", name):
        return False
    if not re.search(r"[^\x00-\x7f]\s*[（(]\s*" + re.escape(name) + r"\s*[）)]", text):
        return False
    key = name.casefold()
    every = re.findall(r"[A-Za-z]+", " ".join(q for q in quotes if q))
    for words in (every, [w for w in every if w.casefold() not in _ACRONYM_SKIPS]):
        for i in range(len(words)):
            initials = ""
            for w in words[i:i + len(key)]:
                initials += w[0].casefold()
                if not key.startswith(initials):
                    break
            if initials == key:
                return True
    return False


def unsupported_names(text: str, *indexes: NameIndex, quotes: Sequence[str] = ()) -> list[str]:
    """Names in `text` that none of `indexes` has, as written (`quotes`: the text's own evidence,
    whose phrases the text may abbreviate)."""
    index = indexes[0] if len(indexes) == 1 else _Any(indexes)
    missing = [n for n in candidate_names(text) if not _found(n, index) and not _defined_term_acronym(n, text)
               and not _quoted_phrase_acronym(n, text, quotes)]
    if not missing:
        return []
    covered: set[str] = set()
    for short, long in _pairs(text):
        if _found(short, index) or _found(long, index):
            covered |= {_squash(short), _squash(long)}
    return [n for n in missing
            if not any(_squash(n) == c or _squash(n).endswith(c) or c.endswith(_squash(n)) for c in covered)]
