"""The offline engine: no network, deterministic, extractive. It writes Japanese frames around
English sentences copied from the paper (chosen by cue phrases per section), each cited with its
page, so that every quote verifies. It invents nothing: no numbers outside the quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Evidence, ModelOutput, Paper, QAItem
from .pdftext import Extracted
from .prompts import Prompt, split_sections, split_sentences
from .settings import Settings

MODEL = "offline-extractive-1"

CATEGORY_JA = {
    "cs.AI": "人工知能", "cs.CL": "自然言語処理", "cs.CV": "コンピュータビジョン", "cs.LG": "機械学習",
    "stat.ML": "機械学習", "cs.IR": "情報検索", "cs.RO": "ロボティクス", "cs.NE": "ニューラル・進化計算",
    "cs.SE": "ソフトウェア工学", "cs.CR": "暗号・セキュリティ", "cs.DL": "電子図書館",
    "cs.HC": "ヒューマンコンピュータインタラクション", "cs.SD": "音響", "eess.AS": "音声処理",
    "eess.IV": "画像・映像処理", "cs.DB": "データベース", "cs.DC": "分散・並列計算",
    "cs.MA": "マルチエージェントシステム", "cs.SI": "ソーシャル・情報ネットワーク", "cs.CY": "コンピュータと社会",
    "astro-ph.CO": "宇宙論", "quant-ph": "量子物理学", "math.OC": "最適化と制御", "math.ST": "統計理論",
}


@dataclass(frozen=True)
class Question:
    key: str
    question: str
    answer: str               # a です・ます frame around {quote}
    cues: tuple[str, ...]
    sections: str = ""        # regex on the section's top label that earns a bonus
    required: bool = True     # False: asked only when a matching sentence exists (else skipped)


QUESTIONS: tuple[Question, ...] = (
    Question("purpose", "この研究の目的は何ですか?",
             "本研究の目的について、論文では「{quote}」と述べています。",
             (r"\bin this (paper|work)\b", r"\bwe (propose|present|introduce|study|address|investigate)\b",
              r"\bour goal\b", r"\bthis paper\b", r"\baims? to\b"),
             r"abstract|introduction"),
    Question("method", "どのような手法を提案していますか?",
             "提案手法について、論文には「{quote}」と書かれています。",
             (r"\bour (method|approach|model|framework|system|algorithm)\b", r"\bwe propose\b",
              r"\bthe proposed\b", r"\bconsists? of\b", r"\bwe (use|design|train|combine|introduce)\b",
              r"\barchitecture\b", r"\bis (trained|computed|defined)\b"),
             r"method|approach|model|framework|architecture|algorithm"),
    Question("results", "主な結果は何ですか?",
             "主な結果として、論文は「{quote}」と報告しています。",
             (r"\bresults? (show|demonstrate|indicate|suggest)", r"\boutperform", r"\bachiev", r"\bimprov",
              r"\bstate-of-the-art\b", r"\bwe (find|observe|show)\b", r"\breach(es)?\b", r"\bcompared (with|to)\b"),
             r"experiment|result|evaluation"),
    Question("code", "コードやデータは公開されていますか?",
             "はい、公開されています。論文には「{quote}」と書かれています。",
             (r"https?://", r"\bgithub\b", r"\b(code|data|dataset|models?) (is|are|have been|will be) "
              r"(publicly )?(available|released)\b", r"\bavailable at\b", r"\breleased? at\b"),
             "", required=False),
    Question("limits", "この研究の限界は何ですか?",
             "限界や今後の課題として、論文では「{quote}」と述べています。",
             (r"\blimitations?\b", r"\bfuture work\b", r"\bwe leave\b", r"\bremains? (an )?open\b",
              r"\bdoes not (address|handle|consider)\b"),
             r"limitation|conclusion|discussion", required=False),
    Question("novelty", "この研究の新規性は何ですか?",
             "新規性について、論文では「{quote}」と説明しています。",
             (r"\bto the best of our knowledge\b", r"\bfirst\b", r"\bnovel\b", r"\bunlike\b",
              r"\bin contrast to\b", r"\bcontributions?\b"),
             r"introduction"),
    Question("data", "どのようなデータで評価していますか?",
             "評価に用いたデータについて、論文には「{quote}」とあります。",
             (r"\bdatasets?\b", r"\bbenchmarks?\b", r"\bwe evaluate\b", r"\bcorpus\b", r"\bcorpora\b"),
             r"experiment|data|evaluation|setup"),
    Question("conclusion", "結論は何ですか?",
             "結論として、論文は「{quote}」とまとめています。",
             (r"\bwe (showed|presented|proposed|introduced|demonstrated)\b", r"\bin this (paper|work)\b",
              r"\bconclu"),
             r"conclusion"),
)


@dataclass(frozen=True)
class Sentence:
    text: str
    page: int
    section: str              # top-level section label
    order: int                # position in the paper


class OfflineEngine:
    """Extractive Japanese summary and Q&A from the paper itself; labelled engine "offline"."""

    name = "offline"

    def __init__(self, settings: Settings | None = None, model: str | None = None):
        self.model = MODEL
        self.qa_count = settings.qa_count if settings else 6

    def generate(self, prompt: Prompt, *, paper: Paper, doc: Extracted):
        from .llm import Generation

        return Generation(summarize(paper, doc, self.qa_count), 0, 0, self.model, self.name, calls=0)


def candidate_sentences(doc: Extracted) -> list[Sentence]:
    """Body sentences that read as prose and verify verbatim on their page."""
    from .verify import quote_found

    pages = doc.page_map()
    out: list[Sentence] = []
    for sec in split_sections(doc.body):
        if sec.label == "Front matter":
            continue
        for i, part in enumerate(sec.parts):
            text = part.text
            if i == 0 and (sec.number or sec.title != "Front matter"):
                text = text.split("\n", 1)[1] if "\n" in text else ""     # the heading line
            for s in split_sentences(text):
                if _prose(s) and quote_found(s, pages.get(part.page, "")):
                    out.append(Sentence(s, part.page, sec.top, len(out)))
    return out


_WORD = re.compile(r"[A-Za-z]{2,}")


def _prose(s: str) -> bool:
    words = s.split()
    if not 8 <= len(words) <= 60 or len(s) > 400:
        return False
    if not s[0].isupper() or not s.endswith("."):
        return False
    letters = sum(c.isalpha() for c in s)
    if letters < 0.7 * len(s.replace(" ", "")) or "@" in s:
        return False
    return len(_WORD.findall(s)) >= 0.7 * len(words)


def _score(q: Question, s: Sentence) -> int:
    hits = sum(1 for c in q.cues if re.search(c, s.text, re.I))
    if not hits:
        return 0
    bonus = 2 if q.sections and re.search(q.sections, s.section, re.I) else 0
    return hits * 3 + bonus


def _pick(q: Question, sentences: list[Sentence], used: set[int]) -> Sentence | None:
    """The highest-scoring unused sentence; the earliest wins a tie."""
    best, best_score = None, 0
    for s in sentences:
        if s.order in used or ("http" in s.text and q.key != "code"):
            continue
        score = _score(q, s)
        if score > best_score:
            best, best_score = s, score
    return best


def _category(paper: Paper) -> str:
    if not paper.categories:
        return ""
    code = paper.categories[0]
    if code in CATEGORY_JA:
        return CATEGORY_JA[code]
    try:
        from .taxonomy import category_name
        return category_name(code)
    except ImportError:
        return code


def _abstract_sentences(paper: Paper, sentences: list[Sentence]) -> list[str]:
    """Abstract sentences: from the metadata when given, else the body's Abstract section."""
    if paper.abstract.strip():
        return [s for s in split_sentences(paper.abstract) if _prose(s)]
    return [s.text for s in sentences if re.search(r"abstract", s.section, re.I)]


def summarize(paper: Paper, doc: Extracted, qa_count: int = 6) -> ModelOutput:
    sentences = candidate_sentences(doc)
    used: set[int] = set()
    qa: list[QAItem] = []
    has_code = _has_code_url(doc)
    for q in QUESTIONS:
        if len(qa) >= qa_count:
            break
        if q.key == "code" and not has_code:
            continue
        s = _pick(q, sentences, used)
        if s is None:
            continue
        used.add(s.order)
        qa.append(QAItem(question=q.question, answer=q.answer.format(quote=s.text),
                         evidence=[Evidence(page=s.page, quote=s.text)]))

    category = _category(paper)
    field_ja = f"{category}の分野の" if category else ""
    abstract = _abstract_sentences(paper, sentences)
    lead = abstract[0] if abstract else (sentences[0].text if sentences else "")
    one_liner = (f"{field_ja}論文「{paper.title}」の要点は「{lead}」です。" if lead
                 else f"{field_ja}論文「{paper.title}」の抜粋による要約です。")

    summary = [f"「{paper.title}」は{field_ja}論文です。"]
    if len(abstract) > 1:
        summary.append(f"アブストラクトでは「{abstract[0]}」と述べ、続けて「{abstract[1]}」と説明しています。")
    elif abstract:
        summary.append(f"アブストラクトでは「{abstract[0]}」と述べています。")
    results = next((item for item, q in zip(qa, _asked(qa)) if q == "results"), None)
    if results:
        summary.append(f"本文では「{results.evidence[0].quote}」と報告しています。")
    summary.append("この要約はオフラインの抽出型エンジンが論文の文をそのまま引用して作成したものです。")
    return ModelOutput(one_liner=one_liner, summary="".join(summary), qa=qa)


def _asked(qa: list[QAItem]) -> list[str]:
    by_question = {q.question: q.key for q in QUESTIONS}
    return [by_question.get(item.question, "") for item in qa]


def _has_code_url(doc: Extracted) -> bool:
    from .urls import find_code_urls

    return bool(find_code_urls("\n".join(p.text for p in doc.body + doc.appendix)))
