"""The checks per item and per result document; the blocking findings stop an item (or the
summary) from being published."""

from __future__ import annotations

from typing import Iterable, Literal, Protocol, Sequence

from ..glossary import find_mistranslations
from ..models import Evidence, Finding, QAItem, SummarySentence
from ..prompts import OCHIAI_QUESTIONS
from .answers import DUPLICATE_JACCARD, different_topics, non_answer_reason, question_similarity
from .entities import NameIndex, name_index, unsupported_names
from .japanese import Style, _japanese_problem, is_truncated, off_style_sentences
from .numbers import missing_numbers, source_values
from .quotes import _find_parts, _quote_parts, quote_status, quote_too_short
from .scope import overgeneralised
from .terms import literal_renderings, translates_quote
from .text import _is_japanese, _page_skeleton

ItemKey = int | Literal["summary", "one_liner"]

BLOCKING: frozenset[str] = frozenset({
    "empty", "non_answer", "no_evidence", "quote_not_found", "number_not_in_source",
    "not_japanese", "truncated", "mixed_style", "mistranslation", "duplicate_question",
    "unsupported_entity", "quote_not_body", "overgeneralised",
})


# Questions a template fixes (落合フォーマット): their plain style is the template's, not the writer's.
FIXED_QUESTIONS: frozenset[str] = frozenset(OCHIAI_QUESTIONS)


class _Document(Protocol):
    one_liner: str
    summary: str
    qa: list[QAItem]



class _Findings:
    """Collects one finding per (item, code); messages for the same code are joined."""

    def __init__(self) -> None:
        self._by_key: dict[tuple, Finding] = {}

    def add(self, item: ItemKey, code: str, message: str, blocking: bool | None = None) -> None:
        key = (item, code)
        if key in self._by_key:
            self._by_key[key].message += f"; {message}"
            return
        self._by_key[key] = Finding(item=item, code=code, message=message,
                                    blocking=code in BLOCKING if blocking is None else blocking)

    def list(self) -> list[Finding]:
        return list(self._by_key.values())


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _check_language(out: _Findings, item: ItemKey, text: str, style: Style, label: str,
                    quotes: Sequence[str] = ()) -> None:
    problem = _japanese_problem(text)
    if problem:
        out.add(item, "not_japanese", f"{label}: {problem}")
    off = off_style_sentences(text, style)
    if off:
        want = "です・ます" if style == "desu_masu" else "である"
        out.add(item, "mixed_style", f"{label}: {len(off)} sentence(s) not in {want} style, e.g. '{_short(off[0])}'")
    found = [hit for hit in find_mistranslations(text) if not translates_quote(hit[0], hit[2], quotes)]
    for bad, good, en in found:
        out.add(item, "mistranslation", f"{label}: '{bad}' is a word-for-word rendering of '{en}' (use {good})")
    seen = {bad for bad, _, _ in found}
    for bad, good, en in literal_renderings(text, quotes):
        if bad not in seen:
            out.add(item, "mistranslation", f"{label}: '{bad}' renders the quote's '{en}' word for word (use {good})")


def _check_numbers(out: _Findings, item: ItemKey, text: str, values: Sequence[float], blocking: bool,
                   where: str) -> None:
    missing = missing_numbers(text, values)
    if missing:
        shown = ", ".join(q.text + ("%" if q.percent and "%" not in q.text else "") for q in missing[:5])
        out.add(item, "number_not_in_source", f"numbers not found in {where}: {shown}", blocking=blocking)


def _check_names(out: _Findings, item: ItemKey, text: str, quotes: Sequence[str], paper: NameIndex) -> None:
    """Every named method, dataset, metric or model (Latin letters) is in the quotes or the paper."""
    missing = unsupported_names(text, NameIndex(quotes), paper, quotes=quotes)
    if missing:
        shown = ", ".join(f"'{n}'" for n in missing[:5])
        out.add(item, "unsupported_entity", f"{shown} {'is' if len(missing) == 1 else 'are'} not in the quotes or the paper")


def check_text(item: Literal["summary", "one_liner"], text: str, pages: dict[int, str] | None = None, *,
               style: Style = "desu_masu", values: Sequence[float] | None = None,
               names: NameIndex | None = None) -> list[Finding]:
    """Checks for the summary or the one-liner."""
    out = _Findings()
    if not text.strip():
        out.add(item, "empty", f"{item} is empty")
        return out.list()
    if is_truncated(text):
        out.add(item, "truncated", f"{item} is cut off: ends with '{_short(text.rstrip()[-12:], 12)}'")
    _check_language(out, item, text, style, item)
    if pages is not None:
        _check_numbers(out, item, text, source_values(pages.values()) if values is None else values,
                       True, "the paper")
        _check_names(out, item, text, [], name_index(tuple(pages.values())) if names is None else names)
    return out.list()


def _check_evidence(out: _Findings, index: int, evidence: list[Evidence], pages: dict[int, str] | None,
                    prose: dict[int, str] | None = None) -> None:
    usable, short = [], []
    for n, ev in enumerate(evidence, 1):
        label = f"quote {n}" if len(evidence) > 1 else "quote"
        if not ev.quote.strip() or ev.page < 1:
            continue
        if quote_too_short(ev.quote):
            short.append(f"{label} is too short to count as evidence: '{_short(ev.quote)}'")
            if pages is not None and quote_status(ev.quote, ev.page, pages, prose) == "not_body":
                out.add(index, "quote_not_body", f"{label} is not body text on page {ev.page} "
                                                 "(running head, heading, caption, figure/table text, footnote or garbled text?)")
            continue
        usable.append(ev)
        if pages is None:
            continue
        status = quote_status(ev.quote, ev.page, pages, prose)
        if status == "ok":
            continue
        if status == "not_body":
            out.add(index, "quote_not_body", f"{label} is not body text on page {ev.page} "
                                             "(running head, heading, caption, figure/table text, footnote or garbled text?)")
            continue
        parts = _quote_parts(ev.quote)
        elsewhere = next((p for p in sorted(pages) if _find_parts(parts, _page_skeleton(pages[p])) >= 0), None)
        cited = f"page {ev.page}" if ev.page in pages else f"page {ev.page} (the paper has {len(pages)} pages)"
        found = f" (found on page {elsewhere})" if elsewhere else ""
        translated = " (translated, not copied?)" if not elsewhere and any(_is_japanese(c) for c in ev.quote) else ""
        out.add(index, "quote_not_found", f"{label} not found on {cited}{found}{translated}")
    if not usable:
        reasons = short or ["no evidence" if not evidence else "no evidence with a page and a quote"]
        for reason in reasons:
            out.add(index, "no_evidence", reason)
    for reason in short if usable else []:
        out.add(index, "weak_evidence", reason, blocking=False)


def check_qa_item(index: int, item: QAItem, pages: dict[int, str] | None = None, *,
                  style: Style = "desu_masu", values: Sequence[float] | None = None,
                  names: NameIndex | None = None, prose: dict[int, str] | None = None) -> list[Finding]:
    """Checks for one Q&A item. With pages: quotes and numbers against the paper (blocking);
    without: numbers against the item's own quotes (a warning only). With prose (the body
    prose per page, `Extracted.prose_map()`): a quote must lie within it (`quote_not_body`)."""
    out = _Findings()
    question, answer = item.question.strip(), item.answer.strip()
    if not question:
        out.add(index, "empty", "question is empty")
    if not answer:
        out.add(index, "empty", "answer is empty")
    if answer:
        reason = non_answer_reason(answer, question, [ev.quote for ev in item.evidence])
        if reason:
            out.add(index, "non_answer", f"{reason}: '{_short(answer)}'")
        if is_truncated(answer):
            out.add(index, "truncated", f"answer is cut off: ends with '{_short(answer[-12:], 12)}'")
    quotes = [ev.quote for ev in item.evidence]
    for label, text in (("question", question), ("answer", answer)):
        if text and not (label == "question" and text in FIXED_QUESTIONS):
            _check_language(out, index, text, style, label, quotes)
    _check_evidence(out, index, item.evidence, pages, prose)
    if answer:
        if pages is not None:
            _check_numbers(out, index, answer, source_values(pages.values()) if values is None else values,
                           True, "the paper")
        else:
            _check_numbers(out, index, answer, source_values(ev.quote for ev in item.evidence), False,
                           "the evidence quotes")
        if pages is not None:
            _check_names(out, index, answer, [ev.quote for ev in item.evidence],
                         name_index(tuple(pages.values())) if names is None else names)
    return out.list()


def check_sentence(item: Literal["summary", "one_liner"], index: int, sentence: SummarySentence,
                   pages: dict[int, str] | None = None, *, style: Style = "desu_masu",
                   prose: dict[int, str] | None = None, context: Sequence[str] = (),
                   names: NameIndex | None = None) -> list[Finding]:
    """Checks for one sentence of the summary or the one-liner, like a Q&A answer: its quotes are
    on the cited page in the body prose; its numbers are in ITS quotes (or in `context`: the
    paper's title); its names are in its quotes or, failing that, in the paper (as for an answer:
    whether the sentence says what its quote says is the judge's and the scope check's job); its
    scope is no broader than its quotes (`overgeneralised`). Findings carry `sentence=index`."""
    out = _Findings()
    text = sentence.text.strip()
    if not text:
        out.add(item, "empty", f"{item} sentence {index + 1} is empty")
        return [f.model_copy(update={"sentence": index}) for f in out.list()]
    if is_truncated(text):
        out.add(item, "truncated", f"{item} is cut off: ends with '{_short(text[-12:], 12)}'")
    quotes = [ev.quote for ev in sentence.evidence if ev.quote.strip()]
    _check_language(out, item, text, style, f"{item} sentence {index + 1}", quotes)
    _check_evidence(out, item, sentence.evidence, pages, prose)   # type: ignore[arg-type]
    _check_numbers(out, item, text, source_values([*quotes, *context]), pages is not None, "its quotes")
    if pages is not None:
        _check_names(out, item, text, [*quotes, *context], name_index(tuple(pages.values())) if names is None else names)
    reason = overgeneralised(text, quotes)
    if reason:
        out.add(item, "overgeneralised", reason)
    return [f.model_copy(update={"sentence": index}) for f in out.list()]


def _sentences(result: _Document) -> tuple[list[SummarySentence] | None, list[SummarySentence] | None]:
    """(one-liner sentences, summary sentences) when the document has them; None: an older
    document (a result cached before sentences had evidence) whose text is checked as a whole."""
    if hasattr(result, "one_liner_evidence"):          # the model's output: always per sentence
        return ([SummarySentence(text=result.one_liner, evidence=result.one_liner_evidence)],
                list(result.summary_sentences))
    one = getattr(result, "one_liner_sentences", None) or None
    summary = getattr(result, "summary_sentences", None) or None
    return one, summary


def check_duplicates(questions: Sequence[str]) -> list[Finding]:
    """Later near-duplicates of an earlier question (the earlier one is kept)."""
    out = _Findings()
    for j in range(1, len(questions)):
        for i in range(j):
            sim = question_similarity(questions[i], questions[j])
            if questions[j].strip() and sim >= DUPLICATE_JACCARD and not different_topics(questions[i], questions[j]):
                out.add(j, "duplicate_question", f"near-duplicate of question {i} (similarity {sim:.2f})")
                break
    return out.list()


def check_result(result: _Document, pages: dict[int, str] | None = None, *,
                 style: Style = "desu_masu", prose: dict[int, str] | None = None) -> list[Finding]:
    """Every check on a Result (or ModelOutput). Pass the PDF's page texts to verify quotes
    and numbers against the paper; without them those checks are reduced to warnings."""
    values = names = None
    if pages is not None:
        extra = []
        paper = getattr(result, "paper", None)
        if paper is not None:
            from ..taxonomy import category_names      # metadata the result may name (its field)

            extra = [paper.title, paper.abstract, paper.published, paper.updated, *category_names(paper.categories)]
        values = source_values([*pages.values(), *extra])
        names = name_index((*pages.values(), *extra))
    one, summary = _sentences(result)
    paper = getattr(result, "paper", None)
    context = [paper.title] if paper is not None else []
    findings: list[Finding] = []
    for item, parts, text in (("one_liner", one, result.one_liner), ("summary", summary, result.summary)):
        if parts is None or (item == "summary" and not parts):
            findings += check_text(item, text, pages, style=style, values=values, names=names)
            continue
        for n, sentence in enumerate(parts):
            findings += check_sentence(item, n, sentence, pages, style=style, prose=prose, context=context, names=names)
    for i, item in enumerate(result.qa):
        findings += check_qa_item(i, item, pages, style=style, values=values, names=names, prose=prose)
    findings += check_duplicates([item.question for item in result.qa])
    return findings


def is_publishable(findings: Iterable[Finding]) -> bool:
    return not any(f.blocking for f in findings)
