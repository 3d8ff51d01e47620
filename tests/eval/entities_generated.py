"""Generated hard negatives and positives for `unsupported_entity`, from the corpus PDFs.

    python -m tests.eval.entities_generated [--verbose] [--paper STEM] [--json FILE]

Negatives: every Latin-letter name-like token and multi-word name of a paper's extracted text
(`ronbun.pdftext.extract(...).page_map()`, what the pipeline indexes), written the way a careful
reader accepts as the same name (as printed, joined across a line-end hyphen, hyphen/space/none
between its parts, en dash, full-width letters, case of an all-capitals or mixed-case name,
accents and Greek letters spelled out, possessive, plural of an acronym, a kind word after it,
particles, 「」 and （）, a version or size written apart, a name the PDF glued to its neighbours)
and put into a realistic Japanese answer about that paper; plus generic English words, units,
LaTeX-ish notation, "et al." and English headings or bold labels of an answer, which are never
names. None of them may be reported.

Positives: names that are not in the paper, in the same kinds of answers: real names from the
other corpus papers and from other well-known papers, and invented names built from name parts.
A positive is kept only when its letters and digits (folded) occur nowhere in the paper's text
run together, so its label does not depend on the detector. Each must be reported.

Deterministic (a fixed seed); the checks are the pipeline's (`unsupported_names` against the
quotes' and the paper's `NameIndex`, as `_check_names` calls it).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from tests.eval.run import CORPUS, load_doc

SEED = 20261130

# ---------------------------------------------------------------- answers

TEMPLATES = [
    "本論文では{X}を用いています。",
    "{X}は、この論文の主な比較対象として使われている。",
    "評価には「{X}」が使われました。",
    "著者らは{X}の結果を表にまとめ、他の手法と比較しています。",
    "提供された文脈では、{X}（論文中で述べられているもの）が中心的な役割を果たしています。",
    "主な構成要素は次の通りです。\n1. {X}\n2. 既存手法との比較\n3. 誤り分析",
    "結論として、{X}が最も良い結果を示したと報告されています．",
    "{X}を使った実験では、性能が安定して向上した。",
    "この手法の要点は、{X}にあります。",
    "論文の説明によれば、{X}で得られた結果はベースラインを上回っています.",
    "{X}について、著者らは詳しく分析しており、その限界にも触れています。",
    "はい、{X}も評価の対象に含まれています。",
    "- 手法: {X}\n- 評価: 複数のベンチマークで比較\n- 結果: 既存手法を上回る",
    "The authors use {X} in their experiments. つまり、{X}が実験の中心です。",
    "要するに、本研究は{X}を基盤としている。その上で独自の改良を加えている。",
    "論文によると、{X} は重要な構成要素であり、アブレーションでもその効果が確認されています！",
    "質問への回答：{X}です。詳しくは論文の第3節を参照してください。",
]
PAIR_TEMPLATES = [
    "{X}と{Y}を比較しています。",
    "主に{X}、{Y}の二つが議論されています。",
    "{X}に加えて、{Y}も検討されている。",
]
QUESTION = "この論文で使われている手法やデータセットは何ですか？"

# Headings and bold labels of an answer in plain English words (formatting, never names).
LABELS = ["Overview", "Key Findings", "Summary", "Answer", "Main Contributions", "Pros", "Cons", "Method",
          "Results", "Limitations", "Takeaway", "Background", "Key Idea", "Bottom Line"]
LABEL_TEMPLATES = ["### {L}\n本論文の要点は二つあります。", "**{L}**: 提案手法は既存手法より高速です。",
                   "**{L}:** 著者らは新しい評価方法を示している。", "- **{L}**: 計算コストが小さい\n- **{L}**: 精度が高い",
                   "## **{L}**\n結果は安定しています。", "TL;DR: {L}として、手法は有効です。"]

# Words and notation that are never names, whatever the paper says (the brief's examples and their
# relatives as a Japanese answer writes them: hyphenated English, capitalised or not; units; LaTeX).
GENERIC_PHRASES = [
    "top-k", "Top-k", "top-K", "Top-K", "top-5", "Top-1", "Top-10", "end-to-end", "End-to-End", "End-to-end",
    "state-of-the-art", "State-of-the-Art", "State-of-the-art", "fine-tuning", "Fine-tuning", "Fine-Tuning",
    "fine-tuned", "zero-shot", "Zero-shot", "Zero-Shot", "few-shot", "Few-Shot", "one-shot", "5-shot",
    "pre-training", "Pre-training", "Pre-Training", "pre-trained", "self-attention", "Self-Attention",
    "multi-head attention", "Multi-Head Attention", "cross-entropy", "Cross-Entropy", "softmax", "Softmax",
    "k-means", "K-means", "n-gram", "N-gram", "n-grams", "bi-directional", "Bi-directional",
    "large-scale", "Large-Scale", "real-world", "Real-World", "open-source", "Open-Source", "in-context",
    "In-Context", "long-term", "Long-Term", "trade-off", "Trade-off", "follow-up", "ground truth",
    "Ground Truth", "ground-truth", "Ground-Truth", "baseline", "Baseline", "benchmark", "Benchmark",
    "encoder-decoder", "Encoder-Decoder", "plug-and-play", "Plug-and-Play", "out-of-distribution",
    "Out-of-Distribution", "human-in-the-loop", "Human-in-the-Loop", "Ablation", "Appendix",
    "et al.", "Smith et al.", "e.g.", "i.e.", "etc.", "vs.", "cf.", "w.r.t.", "a.k.a.",
    "ms", "GHz", "kHz", "MHz", "Hz", "GB", "MB", "TB", "KB", "GiB", "FLOPs", "TFLOPS", "dB", "fps",
    "kg", "km", "nm", "μm", "mAh", "kWh", "Mpc", "km/s", "eV", "keV", "GeV", "K", "°C",
    "16GB", "8 GB", "24 GB", "100ms", "3.5 GHz", "70B", "7B", "1.5B", "175B", "10k", "35K", "4x", "x4",
    "O(n)", "O(n log n)", "O(N^2)", "$O(n^2)$", "$\\alpha$", "\\alpha", "$\\mathcal{L}$", "$\\mathbf{x}_i$",
    "$\\sqrt{d_k}$", "$\\mathrm{softmax}(QK^T/\\sqrt{d_k})$", "\\textbf{bold}", "$L_2$", "L2", "L1", "ℓ2",
    "$p < 0.05$", "p-value", "p値", "$\\epsilon$-greedy", "ε-greedy", "arg max", "argmax", "argmin", "s.t.",
    "$\\log p_\\theta(y|x)$", "$\\beta_1$", "$\\lambda = 0.1$", "Eq. (3)", "Eq. 3", "Fig. 2", "Figs. 2-3",
    "Table 2", "Sec. 4", "Section 3.2", "Appendix A", "Algorithm 1", "Theorem 1", "Lemma 2",
    "Step 1", "Stage 2", "Phase 1", "Part II", "Chapter 3", "Experiment 2", "Case 1", "Example 1",
    "2D", "3D", "1st", "2nd", "3rd", "4th", "i.i.d.", "IID", "N/A", "OK", "Q&A",
]


@dataclass
class Probe:
    paper: str
    name: str          # the name as the answer writes it ("" for none)
    form: str          # how it was written (a group for the report)
    text: str          # the answer
    positive: bool


# ---------------------------------------------------------------- harvesting names from a paper

_NAME_TOKEN = re.compile(r"[^\W_][\w\-’'.+/]*[^\W_]|[^\W_]{2,}")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD_CHAR = re.compile(r"\w")


def _letters_digits(text: str) -> str:
    """The text's letters and digits, NFKC, accents and case folded, run together (the label's
    'occurs in the paper' test: independent of the detector)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in text.casefold() if c.isalnum())


def _name_like(tok: str) -> bool:
    """A token a reader takes for a name: latin letters with a capital past the first letter,
    letters mixed with digits, or a capitalised word (taken only mid-sentence, see below)."""
    if not _LATIN.search(tok) or len(tok) < 2:
        return False
    body = tok[1:]
    return any(c.isupper() for c in body) or (any(c.isdigit() for c in tok) and any(c.isalpha() for c in tok))


def _clean_token(tok: str) -> str:
    tok = tok.strip(".’'/+-")
    tok = re.sub(r"['’]s$", "", tok)
    return tok


def harvest(pages: dict[int, str]) -> dict[str, set[str]]:
    """{name as printed: {how it was found}}: single name-like tokens, capitalised words
    mid-sentence, runs of 2-4 capitalised words mid-sentence, and tokens broken across a
    line-end hyphen (joined as a reader reads them)."""
    out: dict[str, set[str]] = defaultdict(set)
    for text in pages.values():
        # a name broken across lines: "PaSa-\n7b", "IC-\nDAR", "AutoScholar-\nQuery"
        for m in re.finditer(r"([^\W_][\w\-]*)-\n([^\W_][\w\-]*)", text):
            a, b = m.group(1), m.group(2)
            if b[:1].isupper() or b[:1].isdigit():       # joined, with or without its hyphen
                for form in (a + b, a + "-" + b):
                    if _name_like(form) and len(form) <= 40:
                        out[form].add("line-break")
        # text whose spaces the PDF lost ("epochsusingBCELosswithFocal-\nLoss"): the names a reader
        # sees in it, cut at a capital after a lowercase letter, less a function word after them
        for run in re.findall(r"[A-Za-z0-9]{25,}", re.sub(r"(\w)-\n(\w)", r"\1\2", text)):
            for piece in re.split(r"(?<=[a-z0-9])(?=[A-Z])", run):
                piece = re.sub(r"(?:with|and|of|the|for|using|in|on|to|from|by|was|were|is)$", "", piece)
                if piece[:1].isupper() and sum(c.isupper() for c in piece) >= 2 and len(piece) >= 4:
                    out[piece].add("glued")
        for line in text.split("\n"):
            toks = list(_NAME_TOKEN.finditer(line))
            for k, m in enumerate(toks):
                tok = _clean_token(m.group())
                if len(tok) > 30 or not tok:
                    continue
                before = line[:m.start()].rstrip()
                mid = bool(before) and before[-1].isalpha() and before[-1].islower()
                if _name_like(tok):
                    out[tok].add("token")
                elif mid and tok[0].isupper() and tok[1:].isalpha() and tok[1:].islower() and len(tok) >= 3:
                    out[tok].add("capitalised")
            # multi-word: 2-4 capitalised words in a row, mid-sentence ("Natural Questions")
            for m in re.finditer(r"(?<=[a-z,] )((?:[A-Z][\w\-]*[a-z0-9][\w\-]* ){1,3}[A-Z][\w\-]*[a-zA-Z0-9])\b", line):
                words = m.group(1).split()
                if 2 <= len(words) <= 4:
                    out[" ".join(words)].add("multi-word")
    return out


# ---------------------------------------------------------------- forms a reader accepts

_FULL = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"}
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "θ": "theta", "λ": "lambda",
          "μ": "mu", "ν": "nu", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "ω": "omega",
          "Ω": "Omega", "Λ": "Lambda", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Δ": "Delta", "Γ": "Gamma"}
_SIZE = re.compile(r"^(.*[A-Za-z])[-_ ]?(\d+(?:\.\d+)?[BbMmKk])$")
_VERSION = re.compile(r"^(.*[A-Za-z])[-_ ]?([vV]\d+(?:\.\d+)*)$")


def forms(name: str) -> list[tuple[str, str]]:
    """(form, written) pairs: the name as a careful reader accepts it written."""
    out = [("as printed", name)]
    if "-" in name:
        out += [("hyphen dropped", name.replace("-", "")), ("hyphen as space", name.replace("-", " ")),
                ("en dash", name.replace("-", "–")), ("non-breaking hyphen", name.replace("-", "\u2011"))]
    if " " in name:
        out += [("space dropped", name.replace(" ", "")), ("space as hyphen", name.replace(" ", "-"))]
    # a part boundary a reader may write apart: letters|digits ("BM 25") or camel case between two
    # parts of three letters or more starting with a capital ("Trivia QA", "Real Scholar")
    m = (re.search(r"(?<=[A-Za-z]{2})(?=\d)|(?<=^[A-Z][A-Za-z]{2})(?=[A-Z][A-Za-z]{2})", name)
         or re.match(r"[A-Z][A-Za-z]+[a-z](?=[A-Z]{2,}$)", name))
    if m and "-" not in name and " " not in name and "/" not in name:
        cut = m.start() if m.start() else m.end()
        out += [("part hyphenated", name[:cut] + "-" + name[cut:]), ("part spaced", name[:cut] + " " + name[cut:])]
    m = (_SIZE.match(name) or _VERSION.match(name)) if "/" not in name else None
    if m:
        out += [("size/version apart", f"{m.group(1)} {m.group(2)}"),
                ("size/version case", m.group(1) + ("-" if "-" in name else "") + m.group(2).swapcase())]
    if name.isascii():
        out.append(("full-width", "".join(_FULL.get(c, c) for c in name)))
    letters = [c for c in name if c.isalpha()]
    if (len(letters) >= 4 and all(c.isupper() for c in letters) and re.fullmatch(r"[A-Z0-9\-]+", name)
            and all(len(p) >= 3 for p in name.split("-"))):
        out.append(("title case", "-".join(p[:1] + p[1:].lower() for p in name.split("-"))))
    elif sum(c.isupper() for c in name) >= 2 and any(c.islower() for c in name) and re.fullmatch(r"[A-Za-z0-9\-]+", name):
        out.append(("all capitals", name.upper()))
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    if plain != name and plain.isascii():
        out.append(("accents dropped", plain))
    if any(c in _GREEK for c in name):
        spelled = "".join(_GREEK.get(c, c) for c in name)
        out += [("Greek spelled out", spelled)]
        if "_" in name:
            out.append(("subscript joined", name.replace("_", "")))
    if re.search(r"fi|fl|ff", name):
        out.append(("ligature", name.replace("ffi", "ﬃ").replace("fi", "ﬁ").replace("fl", "ﬂ").replace("ff", "ﬀ")))
    out += [("possessive", name + "'s"), ("possessive ’", name + "’s")]
    if re.fullmatch(r"[A-Z][A-Z0-9\-]*[A-Z]", name):
        out.append(("plural", name + "s"))
    out += [("kind word", name + " dataset"), ("kind word ja", name + "データセット"),
            ("in 「」", "「" + name + "」"), ("in （）", "（" + name + "）"), ("in ()", "(" + name + ")"),
            ("particle", name + "は"), ("spaced", " " + name + " ")]
    seen, uniq = set(), []
    for f, w in out:
        if w not in seen:
            seen.add(w)
            uniq.append((f, w))
    return uniq


# ---------------------------------------------------------------- positives

OTHER_NAMES = [
    "HotpotQA", "MS MARCO", "TriviaQA", "SQuAD 2.0", "ImageNet", "CIFAR-10", "CIFAR-100", "GLUE", "SuperGLUE",
    "MMLU", "GSM8K", "HumanEval", "BigBench", "COCO", "PubLayNet", "LayoutLMv3", "DocFormer", "ResNet-101",
    "Gemini 1.5", "Claude 3", "GPT 4", "SQuAD v2",
    "ViT-L/14", "CLIP", "T5", "RoBERTa", "ALBERT", "ELECTRA", "ColBERT", "Contriever", "SPLADE", "ANCE",
    "LLaMA-2-7B", "Llama 3", "Mistral-7B", "Mixtral", "Gemini", "Claude", "GPT-3.5", "PaLM", "Qwen2",
    "BLEU", "METEOR", "CIDEr", "chrF", "BERTScore", "MoverScore", "WER", "Hits@10", "nDCG@10",
    "XGBoost", "LightGBM", "PyTorch", "JAX", "Kubernetes", "Elasticsearch", "Semantic Scholar", "arXivQA",
    "MIMIC-III", "eICU", "APACHE II", "SOFA", "qSOFA", "Planck 2018", "BOSS", "SDSS", "DESI", "CLASS",
    "CAMB", "LIGO", "Euclid", "Kaggle", "Detectron2", "YOLOX", "DINOv2", "SAM", "Mask R-CNN", "Faster R-CNN",
    "BillSum", "CNN/DailyMail", "XSum", "arXiv-Sum", "PubMedQA", "LexGLUE", "CaseHOLD", "LegalBench",
]
_PARTS_A = ["Doc", "Lex", "Sci", "Med", "Graph", "Quant", "Hyper", "Meta", "Retro", "Neuro", "Astro", "Clin"]
_PARTS_B = ["Fusion", "Former", "Net", "Bench", "Search", "Mind", "Lens", "Scope", "Flow", "Agent", "Sum", "Rank"]
_SUFFIX = ["", "-7B", "-XL", "v2", "-2", "++", " 2.0", "-Large", "QA", "-Base"]


# Words that name a kind of thing, not one artefact (for choosing positives; the detector's own
# list is not used, so that the labels do not depend on it).
KIND_WORDS = frozenset("ai ml nlp llm lm vlm mllm sota api gpu cpu tpu gb mb qa rl cv ir url pdf id".split())


def _glossary_words() -> set[str]:
    from ronbun.glossary import terms
    return {t.en.casefold() for t in terms()}


def _clear_name(name: str) -> str | None:
    """A name of another corpus paper that is clearly a name, without a lowercase word hyphenated
    to it ("BART-generated" -> "BART"): one token starting with a letter, two capitals or a
    capital and a digit, no slash or dot, not a generic term or a unit with a number ("LLM-based",
    "512GB"), not a broken piece of text ("10FAISS")."""
    core = re.sub(r"(?:-[a-z]+)+$", "", name)
    letters = re.sub(r"[^A-Za-z]", "", core)
    ok = (bool(re.fullmatch(r"[A-Z][A-Za-z0-9\-]*[A-Za-z0-9]", core)) and len(letters) >= 3
          and sum(c.isupper() for c in core) >= 2
          and not all(re.fullmatch(r"[A-Za-z][a-z]*", p) for p in core.split("-"))  # "Self-Supervised", "Multi-News": ambiguous
          and not re.match(r"[IVX]+-", core)                                         # a section number: "II-D"
          and not (core.isupper() and "-" in core and all(len(p) >= 4 for p in core.split("-")))  # "MULTI-OUTPUT"
          and core.casefold() not in _glossary_words()                               # a heading in capitals: "DISTRIBUTION"
          and not re.fullmatch(r"[Tt]op-?\d+|[IVX]+", core)                        # a rank, a roman numeral
          and letters.casefold().rstrip("s") not in KIND_WORDS and letters.casefold() not in KIND_WORDS)
    return core if ok else None


def invented(rng: random.Random, n: int) -> list[str]:
    out = []
    while len(out) < n:
        name = rng.choice(_PARTS_A) + rng.choice(_PARTS_B) + rng.choice(_SUFFIX)
        if name not in out:
            out.append(name)
    return out


# ---------------------------------------------------------------- building the probes

def _answer(rng: random.Random, written: str, other: str | None = None) -> str:
    if other is not None:
        return rng.choice(PAIR_TEMPLATES).format(X=written, Y=other)
    return rng.choice(TEMPLATES).format(X=written)


def probes(papers: list[str] | None = None) -> list[Probe]:
    rng = random.Random(SEED)
    stems = sorted(p.stem for p in CORPUS.glob("*.pdf"))
    harvested = {s: harvest(load_doc(s).pages) for s in stems}
    texts = {s: _letters_digits("\n".join(load_doc(s).pages.values())) for s in stems}
    out: list[Probe] = []
    for stem in papers or stems:
        names = sorted(harvested[stem])
        for name in names:
            for form, written in forms(name):
                out.append(Probe(stem, written, form, _answer(rng, written), False))
        for k in range(0, len(names) - 1, 2):               # two names of the paper in one answer
            out.append(Probe(stem, names[k] + " + " + names[k + 1], "two names",
                             _answer(rng, names[k], names[k + 1]), False))
        for phrase in GENERIC_PHRASES:
            out.append(Probe(stem, phrase, "generic", _answer(rng, phrase), False))
        for label in LABELS:
            for template in LABEL_TEMPLATES[:-1]:
                out.append(Probe(stem, label, "label", template.format(L=label), False))
        out.append(Probe(stem, "TL;DR", "label", LABEL_TEMPLATES[-1].format(L="要点"), False))
        # positives: not in this paper (letters and digits run together occur nowhere in it)
        others = sorted({c for s in stems if s != stem for n in harvested[s] if (c := _clear_name(n))})
        pool = [("other corpus paper", n) for n in rng.sample(others, min(60, len(others)))]
        pool += [("other paper", n) for n in OTHER_NAMES] + [("invented", n) for n in invented(rng, 40)]
        for kind, name in pool:
            if _letters_digits(name) in texts[stem]:
                continue
            out.append(Probe(stem, name, kind, _answer(rng, name), True))
            for form, written in rng.sample(forms(name)[1:], 3):      # written as a reader might
                out.append(Probe(stem, written, kind + " / " + form, _answer(rng, written), True))
            if kind != "other corpus paper":
                known = rng.choice(names)                     # beside a name the paper has
                out.append(Probe(stem, name, kind + " beside a paper name", _answer(rng, known, name), True))
    return out


def fired(probe: Probe) -> list[str]:
    from ronbun.verify.entities import NameIndex, name_index, unsupported_names
    return unsupported_names(probe.text, NameIndex([]), name_index(tuple(load_doc(probe.paper).pages.values())))


@dataclass
class Result:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def evaluate(papers: list[str] | None = None) -> tuple[Result, list[tuple[Probe, list[str]]]]:
    res, wrong = Result(), []
    for p in probes(papers):
        got = fired(p)
        if p.positive:
            if got:
                res.tp += 1
            else:
                res.fn += 1
                wrong.append((p, got))
        elif got:
            res.fp += 1
            wrong.append((p, got))
        else:
            res.tn += 1
    return res, wrong


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paper", action="append", help="only this corpus PDF stem (repeatable)")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every wrong probe")
    ap.add_argument("--json", metavar="FILE", help="write the wrong probes as JSON lines")
    args = ap.parse_args(argv)
    res, wrong = evaluate(args.paper)
    n_neg, n_pos = res.fp + res.tn, res.tp + res.fn
    print(f"generated: {n_neg} negatives, {n_pos} positives")
    print(f"unsupported_entity  TP {res.tp}  FP {res.fp}  FN {res.fn}  "
          f"precision {res.precision:.3f}  recall {res.recall:.3f}  FP rate {res.fp / max(n_neg, 1):.4f}")
    groups = Counter(("FP " if not p.positive else "FN ") + p.form for p, _ in wrong)
    for g, n in groups.most_common():
        print(f"  {n:5}  {g}")
    if args.verbose:
        for p, got in wrong:
            print(f"  {'FN' if p.positive else 'FP'} {p.paper} [{p.form}] {p.name!r} -> {got}  | {p.text}")
    if args.json:
        Path(args.json).write_text("".join(json.dumps({"paper": p.paper, "form": p.form, "name": p.name,
                                                       "text": p.text, "positive": p.positive, "got": got},
                                                      ensure_ascii=False) + "\n" for p, got in wrong),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
