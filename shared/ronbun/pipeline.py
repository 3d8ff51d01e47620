"""The core use case: an arXiv paper -> a verified Japanese summary and Q&A.

fetch -> extract -> generate -> verify -> (one repair call) -> drop what still fails.
Used by the CLI and the worker; the API function never imports this module.
"""

from __future__ import annotations

from typing import Callable

from . import llm, pdftext, prompts, verify
from .arxiv import ArxivClient, get_client
from .deadline import Deadline, as_deadline
from .errors import QualityRejected
from .ids import PaperRef
from .models import Finding, Generator, ModelOutput, Paper, QAItem, Quality, Result
from .settings import Settings, get_settings
from .urls import find_code_urls

Progress = Callable[[str], None]
STAGES = ("fetching", "extracting", "generating", "verifying")


def _nothing(stage: str) -> None:
    return None


def paper_from_pdf(ref: PaperRef | None, doc: pdftext.Extracted) -> Paper:
    """Metadata for a local PDF when arXiv is not asked: the first line of page 1 as title."""
    first = next((line.strip() for p in doc.pages for line in p.text.splitlines() if line.strip()), "")
    pid = ref.id if ref else "local"
    urls = {}
    if ref:
        v = f"v{ref.version}" if ref.version else ""
        urls = {"abs_url": f"https://arxiv.org/abs/{ref.id}{v}", "pdf_url": f"https://arxiv.org/pdf/{ref.id}{v}"}
    return Paper(id=pid, version=ref.version if ref else None, title=first[:300] or pid, **urls)


def summarize(ref: PaperRef | None, *, paper: Paper | None = None, pdf_bytes: bytes | None = None,
              engine: str | None = None, model: str | None = None, settings: Settings | None = None,
              progress: Progress | None = None, arxiv: ArxivClient | None = None,
              deadline: Deadline | None = None) -> Result:
    """Summarise one paper. Raises RonbunError subclasses with a code and a Japanese message.
    Every stage ends by `deadline` (DeadlineExceeded: a step was not started for lack of time)."""
    settings = settings or get_settings()
    deadline = as_deadline(deadline)
    report = progress or _nothing
    gen_engine = llm.get_engine(engine, settings, model)   # fail fast (e.g. no key) before any I/O

    report("fetching")
    if pdf_bytes is None:
        client = arxiv or get_client()
        if paper is None:
            paper = client.fetch_metadata(ref, deadline)
        pdf_bytes = client.download_pdf(ref.with_version(paper.version or ref.version), deadline)

    report("extracting")
    doc = pdftext.extract(pdf_bytes, max_pages=settings.pdf_max_pages, deadline=deadline)
    if paper is None:
        paper = paper_from_pdf(ref, doc)

    report("generating")
    prompt = prompts.build_prompt(paper, doc, max_chars=settings.prompt_max_chars, qa_count=settings.qa_count)
    gen = gen_engine.generate(prompt, paper=paper, doc=doc, deadline=deadline)
    usage = [gen.input_tokens, gen.output_tokens, gen.calls]

    report("verifying")
    pages = doc.page_map()
    output, findings = gen.output, _blocking(gen.output, paper, pages)
    repaired = 0
    if findings and gen_engine.name != "offline":
        fix_prompt = prompts.build_repair_prompt(paper, doc, output, findings, max_chars=settings.prompt_max_chars)
        fix = gen_engine.generate(fix_prompt, paper=paper, doc=doc, deadline=deadline)
        usage = [usage[0] + fix.input_tokens, usage[1] + fix.output_tokens, usage[2] + fix.calls]
        output, repaired = _merge(output, findings, fix.output, paper, pages)
        findings = _blocking(output, paper, pages)

    kept, dropped = _drop_failing(output, findings)
    if any(f.item in ("summary", "one_liner") for f in findings):
        reasons = "; ".join(f"{f.item}: {f.message}" for f in findings if not isinstance(f.item, int))
        raise QualityRejected(f"the summary failed verification: {reasons}")

    result = _result(paper, output, kept, doc, gen_engine, prompt, usage)
    warnings = [f"{f.item}: {f.message}" for f in verify.check_result(result, pages) if not f.blocking]
    result.quality = Quality(checked=True, dropped=dropped, repaired=repaired,
                             warnings=doc.warnings + warnings + [f"trimmed: {t}" for t in prompt.trimmed])
    return result


def _as_result(output: ModelOutput, paper: Paper) -> Result:
    return Result(paper=paper, one_liner=output.one_liner, summary=output.summary, qa=output.qa,
                  generator=Generator(engine="offline", model="-", prompt_version=prompts.PROMPT_VERSION))


def _blocking(output: ModelOutput, paper: Paper, pages: dict[int, str]) -> list[Finding]:
    return [f for f in verify.check_result(_as_result(output, paper), pages) if f.blocking]


def _merge(old: ModelOutput, findings: list[Finding], new: ModelOutput, paper: Paper,
           pages: dict[int, str]) -> tuple[ModelOutput, int]:
    """Take the repaired version of each failing part, where the repair itself passes."""
    bad = {f.item for f in findings}
    new_bad = {f.item for f in _blocking(new, paper, pages)}
    merged = old.model_copy(deep=True)
    repaired = 0
    for part in ("one_liner", "summary"):
        if part in bad and part not in new_bad:
            setattr(merged, part, getattr(new, part))
            repaired += 1
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
        qa=qa, code_urls=find_code_urls(source),
        generator=Generator(engine=gen_engine.name, model=gen_engine.model, prompt_version=prompts.PROMPT_VERSION,
                            input_tokens=usage[0], output_tokens=usage[1], calls=usage[2],
                            cost_usd=llm.estimate_cost(gen_engine.model, usage[0], usage[1]),
                            trimmed=list(prompt.trimmed)))
