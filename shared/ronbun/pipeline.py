"""The core use case: an arXiv paper -> a verified Japanese summary and Q&A.

fetch -> extract -> generate -> verify -> (one repair call) -> drop what still fails.
Used by the CLI and the worker; the API function never imports this module.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Callable

from . import glossary, llm, ochiai, papertext, pdftext, prompts, quality, sentences, verify
from .arxiv import ArxivClient, get_client
from .deadline import Deadline, as_deadline
from .errors import QualityRejected
from .ids import PaperRef
from .judge import FINDING as JUDGE_FINDING, Judge
from .models import AbstractOutput, Finding, Generator, ModelOutput, Paper, QAItem, Quality, Result, SummarySentence
from .settings import Settings, get_settings
from .urls import find_code_urls

Progress = Callable[[str], None]
OnPartial = Callable[[dict], None]
STAGES = ("fetching", "extracting", "generating", "verifying")
ABSTRACT_JOIN_SECONDS = 5.0     # how long the result waits for a quick first answer still running (its usage)

log = logging.getLogger(__name__)


def _nothing(stage: str) -> None:
    return None


_VENUE_LINE = re.compile(r"(?i)^(?:proceedings|published|accepted|preprint|under review|workshop|journal|"
                         r"vol(?:ume)?\b|arxiv:|to appear)")
_BYLINE = re.compile(r"[∗*†‡§¶♦♣♠♥@]|\[\d{4}|[a-z]\d\b|\b(?:University|Institute|Department|Laboratory|"
                     r"Abstract|ABSTRACT)\b|^(?:[A-Z][\w'’.-]+\s+){1,3}[A-Z][\w'’-]+\s*(?:,|\band\b)")
TITLE_LINES, TITLE_MAX = 3, 300


def title_from_first_page(text: str) -> str:
    """The title of a local PDF from its first page: the first lines up to the byline (titles
    often wrap onto a second or third line); a venue line above the title is skipped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:8]
    while lines and _VENUE_LINE.match(lines[0]):
        lines.pop(0)
    title: list[str] = []
    for line in lines[:TITLE_LINES]:
        if title and (_BYLINE.search(line) or title[-1].endswith((".", "。"))
                      or len(" ".join(title)) + len(line) > TITLE_MAX):
            break
        title.append(line)
    return " ".join(title)[:TITLE_MAX]


def paper_from_pdf(ref: PaperRef | None, doc: pdftext.Extracted) -> Paper:
    """Metadata for a local PDF when arXiv is not asked: the title from page 1, and arXiv URLs
    only when the reader said which paper it is (no invented URL for a file without an id)."""
    first = next((p.text for p in doc.body if p.text.strip()), "")   # body: no running heads
    pid = ref.id if ref else "local"
    urls = {}
    if ref:
        v = f"v{ref.version}" if ref.version else ""
        urls = {"abs_url": f"https://arxiv.org/abs/{ref.id}{v}", "pdf_url": f"https://arxiv.org/pdf/{ref.id}{v}"}
    return Paper(id=pid, version=ref.version if ref else None, title=title_from_first_page(first) or pid, **urls)


def summarize(ref: PaperRef | None, *, paper: Paper | None = None, pdf_bytes: bytes | None = None,
              engine: str | None = None, model: str | None = None, settings: Settings | None = None,
              progress: Progress | None = None, arxiv: ArxivClient | None = None,
              deadline: Deadline | None = None, on_partial: OnPartial | None = None,
              template: str = "standard") -> Result:
    """Summarise one paper. Raises RonbunError subclasses with a code and a Japanese message.
    Every stage ends by `deadline` (DeadlineExceeded: a step was not started for lack of time).
    `on_partial` gets the partial document (DESIGN.md "Partial results") whenever a newly
    verified part is there: first the quick answer from the abstract (openai engine, run beside
    the download), then each part of the full-text answer as it passes the blocking checks."""
    settings = settings or get_settings()
    deadline = as_deadline(deadline)
    report = progress or _nothing
    gen_engine = llm.get_engine(engine, settings, model)   # fail fast (e.g. no key) before any I/O
    partial = Partial(settings.qa_count, on_partial) if on_partial else None
    quick = None

    if pdf_bytes is None:
        report("fetching")
        client = arxiv or get_client()
        if paper is None:
            paper = client.fetch_metadata(ref, deadline)
        quick = _quick_answer(partial, paper, gen_engine, settings, deadline)
        pdf_bytes = client.download_pdf(ref.with_version(paper.version or ref.version), deadline)
    elif paper is not None:
        quick = _quick_answer(partial, paper, gen_engine, settings, deadline)

    report("extracting")
    doc = pdftext.extract(pdf_bytes, max_pages=settings.pdf_max_pages, deadline=deadline)
    version = (paper.version if paper else None) or (ref.version if ref else None)
    if ref is not None and version:      # kept for questions (ask the paper): never extracted again
        papertext.save(ref.id, version, doc, settings)
    if paper is None:
        paper = paper_from_pdf(ref, doc)

    report("generating")
    book = ochiai.Book.of(paper, doc) if template == "ochiai" else None     # 落合フォーマット
    if book:                   # six fixed questions, assembled after the answer: not shown part by part
        prompt = book.prompt(settings.prompt_max_chars)
        gen = book.generate(gen_engine, prompt, deadline)
    else:
        prompt = prompts.build_prompt(paper, doc, max_chars=settings.prompt_max_chars, qa_count=settings.qa_count)
        on_part = partial.reporter(paper, doc) if partial and settings.stream else None
        gen = gen_engine.generate(prompt, paper=paper, doc=doc, deadline=deadline, on_part=on_part)
    usage = [gen.input_tokens, gen.output_tokens, gen.calls, gen.cached_input_tokens]

    report("verifying")
    output = verify.normalize_generated(gen.output)          # 。 ？ ！ （ ） in the Japanese text
    if book:
        output = book.assemble(output)                        # six fixed questions; picks verified
    findings = _blocking(output, paper, doc)
    judge = Judge(settings, gen_engine.model, deadline) if gen_engine.name == "openai" else None
    if judge:                   # meaning, against each part's own quotes: the parts that pass so far
        judge.rate(paper, book.for_judge(output) if book else output, _passing(output, findings))
        findings += judge.findings()
    repaired = 0
    if findings and gen_engine.name != "offline":
        fix_prompt = book.repair_prompt(prompt, output, findings) if book else \
            prompts.build_repair_prompt(paper, doc, output, findings, max_chars=settings.prompt_max_chars,
                                        qa_count=settings.qa_count)   # the main prompt is its cached prefix
        on_fix = partial.reporter(paper, doc, only={f.item for f in findings}) if partial and settings.stream and not book else None
        fix = gen_engine.generate(fix_prompt, paper=paper, doc=doc, deadline=deadline, on_part=on_fix)
        usage = [usage[0] + fix.input_tokens, usage[1] + fix.output_tokens, usage[2] + fix.calls,
                 usage[3] + fix.cached_input_tokens]
        before = output
        fixed = verify.normalize_generated(fix.output)
        output, repaired = _merge(output, findings, book.assemble(fixed) if book else fixed, paper, doc)
        findings = _blocking(output, paper, doc)
        if judge:               # rewritten parts are judged again
            changed = _changed(before, output)
            judge.forget(changed)
            judge.rate(paper, book.for_judge(output) if book else output, _passing(output, findings))
            findings += judge.findings()
            repaired = sum(1 for k in changed if k not in {sentences.key(f) for f in findings})
    output, findings, dropped_sentences = sentences.drop_failing(output, findings, judge)   # shortened, never padded
    judged_summary = [f for f in findings if f.code == JUDGE_FINDING and not isinstance(f.item, int)]
    findings = [f for f in findings if f not in judged_summary]     # the judge's word on the summary is a warning

    kept, dropped = _drop_failing(output, findings)
    dropped += dropped_sentences
    if any(f.item in ("summary", "one_liner") for f in findings):
        reasons = "; ".join(f"{f.item}: {f.message}" for f in findings if not isinstance(f.item, int))
        raise QualityRejected(f"the summary failed verification: {reasons}")

    if quick is not None:      # the quick answer's call is part of the cost of this result
        quick.join(ABSTRACT_JOIN_SECONDS)
        usage = [a + b for a, b in zip(usage, [*partial.abstract_usage, 0])]   # no cached input
    result = _result(paper, output, kept, doc, gen_engine, prompt, usage)
    if judge:
        shown = [i for i in range(len(output.qa)) if i not in {f.item for f in findings}]
        judge.add_usage(result.generator)
        result.quality.judge = judge.shown(shown)
        result.quality.left_out += judge.left_out(shown)
        result.quality.warnings += [f"{f.item}: {f.message}" for f in judged_summary]
        result.quality.checks = [JUDGE_FINDING]
    if book:
        book.finish(result)
        dropped = [*dropped, *book.dropped]
    result.quality = _quality(result, doc, prompt, dropped, repaired)
    return result


def _quality(result: Result, doc: pdftext.Extracted, prompt: prompts.Prompt, dropped: list[Finding],
             repaired: int) -> Quality:
    """What was checked, dropped and left out; keeps what earlier steps recorded (the judge's)."""
    earlier = result.quality
    return quality.assemble(
        findings=quality.run_checks(result, doc), dropped=dropped, repaired=repaired,
        warnings=[*earlier.warnings, *doc.warnings, *[f"trimmed: {t}" for t in prompt.trimmed]],
        left_out=[*earlier.left_out, *quality.left_out_from(doc, prompt.trimmed)], judge=earlier.judge,
        checks=quality.checks_run(True, earlier.checks))


def _passing(output: ModelOutput, findings: list[Finding]) -> list:
    """The parts (one_liner, summary, Q&A indices) without a blocking finding."""
    return sentences.passing(output, findings)


def _changed(old: ModelOutput, new: ModelOutput) -> list:
    """The parts the repair rewrote."""
    return sentences.changed(old, new)


def _as_result(output: ModelOutput, paper: Paper) -> Result:
    return Result(paper=paper, one_liner=output.one_liner, summary=output.summary, qa=output.qa,
                  **sentences.result_fields(output), generator=Generator(engine="offline", model="-", prompt_version=prompts.PROMPT_VERSION))


def _blocking(output: ModelOutput, paper: Paper, doc: pdftext.Extracted) -> list[Finding]:
    return [f for f in quality.run_checks(_as_result(output, paper), doc) if f.blocking]


def _merge(old: ModelOutput, findings: list[Finding], new: ModelOutput, paper: Paper,
           doc: pdftext.Extracted) -> tuple[ModelOutput, int]:
    """Take the repaired version of each failing part, where the repair itself passes."""
    bad = {f.item for f in findings}
    new_findings = _blocking(new, paper, doc)
    new_bad = {f.item for f in new_findings}
    merged = old.model_copy(deep=True)
    repaired = sentences.merge(merged, findings, new, new_findings)     # one-liner, summary sentences
    for i, item in enumerate(old.qa):
        if i in bad and i < len(new.qa) and i not in new_bad:
            merged.qa[i] = new.qa[i]
            repaired += 1
    return merged, repaired


def _drop_failing(output: ModelOutput, findings: list[Finding]) -> tuple[list[QAItem], list[Finding]]:
    bad = {f.item for f in findings if isinstance(f.item, int)}
    kept = [item for i, item in enumerate(output.qa) if i not in bad]
    return kept, [f for f in findings if isinstance(f.item, int)]


def _result(paper: Paper, output: ModelOutput, qa: list[QAItem], doc: pdftext.Extracted, gen_engine,
            prompt: prompts.Prompt, usage: list[int]) -> Result:
    source = "\n".join(p.text for p in doc.body + doc.appendix)
    return Result(
        paper=paper, lang="ja", one_liner=output.one_liner, summary=output.summary,
        **sentences.result_fields(output), qa=qa, code_urls=find_code_urls(source),
        glossary_terms=[] if gen_engine.name == "offline" else   # 原文抜粋 lists its terms itself
        glossary.used_terms([output.one_liner, output.summary, *(t for i in qa for t in (i.question, i.answer))]),
        generator=Generator(engine=gen_engine.name, model=gen_engine.model, prompt_version=prompts.PROMPT_VERSION,
                            input_tokens=usage[0], output_tokens=usage[1], calls=usage[2],
                            cached_input_tokens=usage[3],
                            cost_usd=llm.estimate_cost(gen_engine.model, usage[0], usage[1], usage[3]),
                            trimmed=list(prompt.trimmed), output_mode=getattr(gen_engine, "mode", ""),
                            label_ja="原文抜粋(生成モデルなし)" if gen_engine.name == "offline" else "日本語要約"))


# ---------------------------------------------------------------------------- partial results

def abstract_answer(paper: Paper, gen_engine, deadline: Deadline | None = None) -> tuple[dict | None, list[int]]:
    """The quick first answer (one small call on the title and abstract): ({"one_liner",
    "summary"} when both pass the blocking checks with the abstract as the only source, else
    None), and the call's usage [input tokens, output tokens, calls]."""
    prompt = prompts.build_abstract_prompt(paper)
    out, tokens_in, tokens_out = gen_engine.parse(prompt.messages, AbstractOutput,
                                                  cap=prompts.ABSTRACT_MAX_OUTPUT_TOKENS, deadline=deadline)
    usage = [tokens_in, tokens_out, 1]
    one_liner, summary = (verify.normalize_ja_punctuation(t) for t in (out.one_liner, out.summary))
    page = pdftext.PageText(1, paper.abstract)
    source = pdftext.Extracted(pages=[page], body=[page], page_count=1)
    result = Result(paper=paper, one_liner=one_liner, summary=summary, qa=[],
                    generator=Generator(engine="openai", model=gen_engine.model, prompt_version=prompts.PROMPT_VERSION))
    failing = [f for f in quality.run_checks(result, source) if f.blocking]
    if failing:
        log.info("the quick answer from the abstract of %s failed its checks: %s", paper.id,
                 "; ".join(f"{f.item}: {f.code}" for f in failing))
        return None, usage
    return {"one_liner": one_liner, "summary": summary}, usage


def _quick_answer(partial: "Partial | None", paper: Paper, gen_engine, settings: Settings,
                  deadline: Deadline) -> threading.Thread | None:
    """Start the quick first answer beside the download (openai engine, when partial results
    are asked for and the paper has an abstract); it never fails the job."""
    if partial is None or gen_engine.name != "openai" or not settings.abstract_first or not paper.abstract.strip():
        return None

    def run() -> None:
        try:
            answer, usage = abstract_answer(paper, gen_engine, deadline)
        except Exception as exc:     # noqa: BLE001 - the quick answer is optional: log, go on
            log.warning("no quick answer from the abstract of %s: %s", paper.id, type(exc).__name__)
            return
        partial.abstract_usage = usage
        if answer:
            partial.abstract(answer["one_liner"], answer["summary"])

    thread = threading.Thread(target=run, name="ronbun-abstract", daemon=True)
    thread.start()
    return thread


class Partial:
    """The verified parts so far (CONTRACT B): the quick answer from the abstract until the
    full-text one-liner or summary passes its checks, and each verified Q&A item. Every change
    is handed to `publish` as the partial document. Thread-safe (the quick answer runs in its
    own thread)."""

    def __init__(self, qa_total: int, publish: OnPartial):
        self.qa_total, self.publish = qa_total, publish
        self.source: str | None = None
        self.texts: dict[str, str] = {"one_liner": "", "summary": ""}
        self.extra: dict[str, object] = {}          # summary_sentences (issue 14), as the model wrote them
        self.qa: dict[int, QAItem] = {}
        self.abstract_usage = [0, 0, 0]
        self._one_liner: str | None = None
        self._held: tuple[dict, dict] | None = None   # a full-text one-liner waiting for its 概要
        self._checks: PartChecks | None = None     # made at the first full-text part, kept for the repair round
        self._lock = threading.Lock()

    def abstract(self, one_liner: str, summary: str) -> None:
        with self._lock:
            if self.source == "fulltext" and any(self.texts.values()):   # the full text's one-liner or 概要 is
                return                                                     # shown: nothing to show from the abstract
            self.source, self.texts = "abstract", {"one_liner": one_liner, "summary": summary}
            self._publish()

    def reporter(self, paper: Paper, doc: pdftext.Extracted, only: set | None = None) -> Callable:
        """An engine's `on_part`: verifies each part and publishes it when it passes (with
        `only`, the repair round: just the parts that failed before)."""
        def on_part(key, value) -> None:
            if only is not None and key not in only and not (key == "summary_sentences" and "summary" in only):
                return
            try:
                if self._checks is None:
                    self._checks = PartChecks(paper, doc)
                self._part(key, value, self._checks)
            except Exception:               # noqa: BLE001 - a partial result never fails the job
                log.exception("could not check part %r of %s", key, paper.id)
        return on_part

    def _part(self, key, value, checks: PartChecks) -> None:
        if key == "one_liner" and isinstance(value, str):        # shown once its evidence is checked too
            self._one_liner = verify.normalize_ja_punctuation(value)
            return
        if key == "one_liner_evidence" and isinstance(value, list) and self._one_liner is not None:
            sentence = SummarySentence.model_validate({"text": self._one_liner, "evidence": value})
            if checks.sentence("one_liner", 0, sentence):
                return
            self._fulltext({"one_liner": sentence.text}, {"one_liner_sentences": [sentence.model_dump(mode="json")]})
        elif key == "summary_sentences" and isinstance(value, list):   # issue 14: each sentence with its quotes
            kept = []
            for n, raw in enumerate(value):
                sentence = SummarySentence.model_validate(raw)
                sentence = sentence.model_copy(update={"text": verify.normalize_ja_punctuation(sentence.text)})
                if not checks.sentence("summary", n, sentence):
                    kept.append(sentence)
            if kept:                          # only the sentences that pass, as the result will show them
                self._fulltext({"summary": "".join(s.text for s in kept)},
                               {"summary_sentences": [s.model_dump(mode="json") for s in kept]})
        elif key == "summary" and isinstance(value, str):         # an answer without sentences
            text = verify.normalize_ja_punctuation(value)
            if not checks.text(key, text):
                self._fulltext({"summary": text}, {})
        elif isinstance(key, int) and isinstance(value, dict):
            item = QAItem.model_validate(value)
            item = item.model_copy(update={"question": verify.normalize_ja_punctuation(item.question),
                                           "answer": verify.normalize_ja_punctuation(item.answer)})
            with self._lock:
                before = [q for i, q in sorted(self.qa.items()) if i != key]
            if checks.qa(before, item):
                return
            with self._lock:
                self.qa[key] = item
                self.source = self.source or "fulltext"
                self._publish()

    def _fulltext(self, texts: dict, extra: dict) -> None:
        """The full-text one-liner and 概要 replace the abstract's together: a verified one-liner
        waits while the abstract's 概要 is on screen (the model writes the Q&A before the 概要), so
        the reader never sees the abstract's 概要 vanish before the full text's is there."""
        with self._lock:
            if self.source == "abstract" and "summary" not in texts:
                self._held = (texts, extra)
                return
            if self.source != "fulltext":
                self.source, self.texts, self.extra = "fulltext", {"one_liner": "", "summary": ""}, {}
                if self._held:
                    self.texts.update(self._held[0])
                    self.extra.update(self._held[1])
            self.texts.update(texts)
            self.extra.update(extra)
            self._publish()

    def document(self) -> dict:
        doc = {"source": self.source, **self.texts, **self.extra,
               "qa": [item.model_dump(mode="json") for _, item in sorted(self.qa.items())],
               "progress": {"qa_done": len(self.qa), "qa_total": self.qa_total}}
        return doc

    def _publish(self) -> None:
        self.publish(self.document())


class PartChecks:
    """The blocking checks of `quality.run_checks` (verify.check_result) on one part at a time:
    the paper's numbers and names are read once per paper, not once per part as check_result
    would (on a 15-page paper that is most of its time). tests/unit/test_partial_results.py
    holds these equal to run_checks on whole results."""

    def __init__(self, paper: Paper, doc: pdftext.Extracted):
        from .taxonomy import category_names
        from .verify.entities import name_index

        self.pages, self.prose, self.title = doc.page_map(), doc.prose_map(), paper.title
        extra = [paper.title, paper.abstract, paper.published, paper.updated, *category_names(paper.categories)]
        self.values = verify.source_values([*self.pages.values(), *extra])
        self.names = name_index((*self.pages.values(), *extra))

    def text(self, item: str, text: str) -> list[Finding]:
        return [f for f in verify.check_text(item, text, self.pages, values=self.values, names=self.names)
                if f.blocking]

    def sentence(self, item: str, index: int, sentence: SummarySentence) -> list[Finding]:
        return [f for f in verify.check_sentence(item, index, sentence, self.pages, prose=self.prose,  # type: ignore[arg-type]
                                                 context=[self.title], names=self.names) if f.blocking]

    def qa(self, before: list[QAItem], item: QAItem) -> list[Finding]:
        """Item number len(before), checked after the items `before` (for repeated questions)."""
        index = len(before)
        found = verify.check_qa_item(index, item, self.pages, values=self.values, names=self.names, prose=self.prose)
        found += verify.check_duplicates([q.question for q in before] + [item.question])
        return [f for f in found if f.blocking and f.item == index]
