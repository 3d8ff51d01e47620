"""The offline engine: no network, deterministic, extractive. What it shows is 原文抜粋 (生成モデル
なし), never a Japanese summary: the sentences a reader scanning a paper looks for (the
contribution, the main quantitative result, data, code, limitations), each copied verbatim from
the body prose with its page, once; and the paper's key technical terms with their accepted
Japanese renderings from the glossary. It invents nothing: no numbers outside the quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Evidence, ModelOutput, Paper, QAItem
from .pdftext import Extracted
from .prompts import Prompt, prose_pages, split_sections, split_sentences
from .settings import Settings
from .versions import OFFLINE_MODEL

MODEL = OFFLINE_MODEL

@dataclass(frozen=True)
class Question:
    key: str
    question: str
    answer: str                    # a です・ます frame around {quote}
    cues: tuple[str, ...]          # regexes; each match scores
    roles: tuple[str, ...] = ()    # section roles (see _role) whose sentences score a bonus
    section_only: bool = False     # a sentence in such a section qualifies without a cue


QUESTIONS: tuple[Question, ...] = (
    Question("purpose", "この研究の目的は何ですか?",
             "本研究の目的について、論文では「{quote}」と述べています。",
             (r"\bin this (paper|work|study)\b", r"\bwe (propose|present|introduce|study|address|investigate)\b",
              r"\bour (goal|aim|objective)\b", r"\bthis (paper|work) (proposes|presents|introduces|studies)\b",
              r"\baims? to\b"),
             ("abstract", "intro")),
    Question("method", "どのような手法を提案していますか?",
             "提案手法について、論文には「{quote}」と書かれています。",
             (r"\bour (method|approach|model|framework|system|algorithm|architecture)\b", r"\bwe propose\b",
              r"\bthe proposed\b", r"\bwe (design|train|combine|introduce|formulate|model)\b"),
             ("method",), section_only=True),
    Question("results", "主な結果は何ですか?",
             "主な結果として、論文は「{quote}」と報告しています。",
             (r"\bresults? (show|shows|demonstrate|indicate|suggest)", r"\boutperform", r"\bachiev", r"\bimprov",
              r"\bstate-of-the-art\b", r"\bwe (find|observe|show)\b", r"\breach(es)?\b",
              r"\bcompared (with|to)\b"),
             ("experiments",), section_only=True),
    Question("code", "コードやデータは公開されていますか?",
             "はい、公開されています。論文には「{quote}」と書かれています。",
             (r"\b(code|data|datasets?|models?|implementation|software)\b[^.]{0,40}\b(is|are|has been|have been|will be)"
              r" (publicly |freely |made )?(available|released)\b", r"\bavailable (at|from|on)\b",
              r"\breleased? (at|on)\b", r"\bgithub\b")),
    Question("limits", "この研究の限界は何ですか?",
             "限界や今後の課題として、論文では「{quote}」と述べています。",
             (r"\b(a|one|main|key|our|this|the) limitations?\b", r"\blimitations? (of|is|are) (our|this|the proposed)\b",
              r"\bfuture work\b", r"\bwe leave\b", r"\bremains? (an )?open\b", r"\bdoes not (address|handle|consider)\b"),
             ("conclusion",)),
    Question("novelty", "この研究の新規性は何ですか?",
             "新規性について、論文では「{quote}」と説明しています。",
             (r"\bto the best of our knowledge\b", r"\b(is|are) the first\b", r"\bfor the first time\b",
              r"\bnovel\b", r"\bunlike (prior|previous|existing|most)\b", r"\bin contrast to (prior|previous|existing)\b",
              r"\bour (main |key )?contributions?\b"),
             ("intro",)),
    Question("data", "どのようなデータで評価していますか?",
             "評価に用いたデータについて、論文には「{quote}」とあります。",
             (r"\bwe (evaluate|experiment|test) on\b", r"\b(datasets?|benchmarks?|corpus|corpora)\b"),
             ("experiments", "data")),
    Question("conclusion", "結論は何ですか?",
             "結論として、論文は「{quote}」とまとめています。",
             (r"\bwe (showed|have shown|presented|proposed|introduced|demonstrated)\b", r"\bin this (paper|work)\b"),
             ("conclusion",), section_only=True),
)

_ROLES = (
    ("abstract", r"^abstract$"),
    ("intro", r"introduction"),
    ("related", r"related|background|prior work|literature"),
    ("conclusion", r"conclu|discussion|limitation|future work"),
    ("experiments", r"experiment|result|evaluation|analysis|ablation|empirical|study"),
    ("data", r"data|corpus|benchmark"),
    ("method", r"method|approach|model|framework|architecture|algorithm|proposed|system"),
)


def _roles(tops: list[str]) -> dict[str, str]:
    """Role of each top-level section: by its title, and otherwise "method" for untitled-role
    sections between the introduction and the first experiments section."""
    roles: dict[str, str] = {}
    seen_intro = seen_experiments = False
    for top in tops:
        title = re.sub(r"^[\dIVX.]+\s+", "", top).lower()
        role = next((r for r, pattern in _ROLES if re.search(pattern, title)), "")
        if role == "intro":
            seen_intro = True
        elif role == "experiments":
            seen_experiments = True
        elif not role and seen_intro and not seen_experiments:
            role = "method"
        roles[top] = role
    return roles


@dataclass(frozen=True)
class Sentence:
    text: str
    page: int
    role: str                 # role of its top-level section
    order: int                # position in the paper
    prose: bool = True        # False: kept only because it gives a code URL


class OfflineEngine:
    """Extractive Japanese summary and Q&A from the paper itself; labelled engine "offline"."""

    name = "offline"

    def __init__(self, settings: Settings | None = None, model: str | None = None):
        self.model = MODEL
        self.qa_count = settings.qa_count if settings else 6

    def generate(self, prompt: Prompt, *, paper: Paper, doc: Extracted, deadline=None, on_part=None):
        from .llm import Generation, report_parts

        output = summarize(paper, doc, self.qa_count)
        report_parts(output, on_part)
        return Generation(output, 0, 0, self.model, self.name, calls=0)


def candidate_sentences(doc: Extracted) -> list[Sentence]:
    """Body sentences that read as prose and verify verbatim within their page's body prose
    (never a running head, heading, caption, figure text, footnote or garbled text)."""
    from .verify import quote_found

    pages = doc.prose_map()
    sections = split_sections(prose_pages(doc.body))
    roles = _roles(list(dict.fromkeys(sec.top for sec in sections)))
    out: list[Sentence] = []
    for sec in sections:
        if sec.label == "Front matter" or roles[sec.top] == "related":
            continue
        for i, part in enumerate(sec.parts):
            text = part.text
            if i == 0:
                text = text.split("\n", 1)[1] if "\n" in text else ""     # the heading line
            for s in split_sentences(text):
                prose = _prose(s)
                if (prose or "http" in s or "github" in s) and quote_found(s, pages.get(part.page, "")):
                    out.append(Sentence(s, part.page, roles[sec.top], len(out), prose))
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
    in_section = s.role in q.roles
    if not hits and not (q.section_only and in_section):
        return 0
    return hits * 3 + (4 if in_section else 0)


def _code_sentence(sentences: list[Sentence], pages: dict[int, str]) -> Sentence | None:
    """The sentence that gives a code/data URL, cut to its last clause that still holds the URL
    and verifies (PDF text often glues a footnote onto the sentence before it)."""
    from .urls import find_code_urls
    from .verify import quote_found

    code = next((q for q in QUESTIONS if q.key == "code"))
    best: tuple[int, int, Sentence] | None = None
    for s in sentences:
        if not find_code_urls(s.text):
            continue
        text = s.text
        for m in _CLAUSE_START.finditer(s.text):
            tail = s.text[m.start():]
            if len(tail.split()) >= 5 and find_code_urls(tail) and _score(code, Sentence(tail, s.page, "", 0)) \
                    and quote_found(tail, pages.get(s.page, "")):
                text = tail
        if len(text.split()) < 6:
            continue
        score = _score(code, Sentence(text, s.page, s.role, s.order))
        if score and (best is None or (score, -len(text)) > best[:2]):
            best = (score, -len(text), Sentence(text, s.page, s.role, s.order))
    return best[2] if best else None


_CLAUSE_START = re.compile(r"(?<![A-Za-z])[A-Z][a-z]")


def _pick(q: Question, sentences: list[Sentence], used: set[int]) -> Sentence | None:
    """The highest-scoring unused sentence; the earliest wins a tie."""
    best, best_score = None, 0
    for s in sentences:
        if s.order in used or not s.prose or "http" in s.text:
            continue
        score = _score(q, s)
        if score > best_score:
            best, best_score = s, score
    return best


CONTRIBUTION = Question(
    "contribution", "", "",
    (r"\bwe (propose|introduce|present|develop)\b", r"\bthis (paper|work) (proposes|introduces|presents)\b",
     r"\bin this (paper|work|study),? we\b", r"\bour (main |key )?contributions?\b"),
    ("abstract", "intro"))
# The main result: a results sentence that states a number wins over one that does not.
RESULT = next(q for q in QUESTIONS if q.key == "results")
_NUMBER = re.compile(r"\d")
KEY_TERMS = 8


def _best_result(sentences: list[Sentence], used: set[int]) -> Sentence | None:
    best, best_score = None, 0
    for s in sentences:
        if s.order in used or not s.prose or "http" in s.text:
            continue
        score = _score(RESULT, s)
        score += 5 if score and _NUMBER.search(s.text) else 0
        if score > best_score:
            best, best_score = s, score
    return best


def key_terms(doc: Extracted, limit: int = KEY_TERMS) -> list[tuple[str, str]]:
    """(English, accepted Japanese) of the glossary terms the paper's prose uses most: terms of
    more than one word, or those the glossary marks as worth showing in English."""
    from .glossary import terms

    text = " ".join(doc.prose_map().values()).lower()
    scored = []
    for term in terms():
        if " " not in term.en and "-" not in term.en and not term.show_en:
            continue
        n = len(re.findall(rf"(?<![a-z]){re.escape(term.en.lower())}(?:e?s)?(?![a-z])", text))
        if n >= 2:
            scored.append((-n * (2 if " " in term.en else 1), term.en, term.good[0]))
    out: dict[str, str] = {}                   # one English term per Japanese rendering (内積: dot/inner product)
    for _, en, ja in sorted(scored):
        out.setdefault(ja, en)
    return [(en, ja) for ja, en in list(out.items())[:limit]]


def _quoted(label: str, s: Sentence) -> str:
    return f"{label}（{s.page}ページ）：「{s.text}」"


def summarize(paper: Paper, doc: Extracted, qa_count: int = 6) -> ModelOutput:
    """原文抜粋: the contribution as the one-liner; the main result and the key terms as the 概要;
    data, code, limitations, method and the rest as Q&A. Each sentence is quoted once."""
    sentences = candidate_sentences(doc)
    used: set[int] = set()
    contribution = _pick(CONTRIBUTION, sentences, used)
    if contribution:
        used.add(contribution.order)
    result = _best_result(sentences, used)
    if result:
        used.add(result.order)

    qa: list[QAItem] = []
    for q in QUESTIONS:
        if len(qa) >= qa_count:
            break
        if q.key == "results" and result:
            continue                          # already in the 概要
        s = _code_sentence(sentences, doc.prose_map()) if q.key == "code" else _pick(q, sentences, used)
        if s is None or s.order in used:
            continue
        used.add(s.order)
        qa.append(QAItem(question=q.question, answer=q.answer.format(quote=s.text),
                         evidence=[Evidence(page=s.page, quote=s.text)]))

    lead = contribution or next((s for s in sentences if s.prose and s.order not in used), None)
    one_liner = _quoted("この論文の提案", lead) if lead else "原文から要点の文を特定できませんでした。"
    summary = [_quoted("主な結果", result)] if result else []
    terms = key_terms(doc)
    if terms:
        summary.append("主な用語：" + "、".join(f"{ja}（{en}）" for en, ja in terms))
    if not summary:
        summary.append("本文から結果の文を特定できませんでした。Q&A の原文抜粋をご覧ください。")
    return ModelOutput(one_liner=one_liner, summary="\n\n".join(summary), qa=qa)   # one paragraph each


def _asked(qa: list[QAItem]) -> list[str]:
    by_question = {q.question: q.key for q in QUESTIONS}
    return [by_question.get(item.question, "") for item in qa]
