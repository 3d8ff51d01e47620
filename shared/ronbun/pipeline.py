"""The core use case: an arXiv paper -> a verified Japanese summary and Q&A.

fetch -> extract -> generate -> verify -> (one repair call) -> drop what still fails.
Used by the CLI and the worker; the API function never imports this module.
"""

from __future__ import annotations

import re
from typing import Callable

from . import glossary, llm, ochiai, papertext, pdftext, prompts, quality, sentences, verify
from .arxiv import ArxivClient, get_client
from .deadline import Deadline, as_deadline
from .errors import QualityRejected
from .ids import PaperRef
from .judge import FINDING as JUDGE_FINDING, Judge
from .models import Finding, Generator, ModelOutput, Paper, QAItem, Quality, Result
from .settings import Settings, get_settings
from .urls import find_code_urls

Progress = Callable[[str], None]
STAGES = ("fetching", "extracting", "generating", "verifying")


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
              deadline: Deadline | None = None, template: str = "standard") -> Result:
    """Summarise one paper. Raises RonbunError subclasses with a code and a Japanese message.
    Every stage ends by `deadline` (DeadlineExceeded: a step was not started for lack of time)."""
    settings = settings or get_settings()
    deadline = as_deadline(deadline)
    report = progress or _nothing
    gen_engine = llm.get_engine(engine, settings, model)   # fail fast (e.g. no key) before any I/O

    if pdf_bytes is None:
        report("fetching")
        client = arxiv or get_client()
        if paper is None:
            paper = client.fetch_metadata(ref, deadline)
        pdf_bytes = client.download_pdf(ref.with_version(paper.version or ref.version), deadline)

    report("extracting")
    doc = pdftext.extract(pdf_bytes, max_pages=settings.pdf_max_pages, deadline=deadline)
    version = (paper.version if paper else None) or (ref.version if ref else None)
    if ref is not None and version:      # kept for questions (ask the paper): never extracted again
        papertext.save(ref.id, version, doc, settings)
    if paper is None:
        paper = paper_from_pdf(ref, doc)

    report("generating")
    book = ochiai.Book.of(paper, doc) if template == "ochiai" else None     # 落合フォーマット
    if book:
        prompt = book.prompt(settings.prompt_max_chars)
        gen = book.generate(gen_engine, prompt, deadline)
    else:
        prompt = prompts.build_prompt(paper, doc, max_chars=settings.prompt_max_chars, qa_count=settings.qa_count)
        gen = gen_engine.generate(prompt, paper=paper, doc=doc, deadline=deadline)
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
        fix = gen_engine.generate(fix_prompt, paper=paper, doc=doc, deadline=deadline)
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
