"""The badge's truth: which checks ran, what was dropped and why, what was left out, and
whether the result may say 「検証済み」 (DESIGN.md "Trustworthy answers").

`run_checks` is the one way a result is checked against a paper: the pipeline and
`ronbun check --pdf` both call it, so they run exactly the same checks with the same arguments.
`assemble` is the rule for `verified`, a pure function over what the checks found.
"""

from __future__ import annotations

from typing import Iterable

from . import verify
from .models import Finding, LeftOut, Quality, Verdict
from .verify import messages

# Checks that need the paper's text: without a PDF they do not run (or only as warnings).
PAPER_CODES = frozenset({"quote_not_found", "quote_not_body", "number_not_in_source", "unsupported_entity"})
NON_BLOCKING_CODES = frozenset({"weak_evidence"})


def run_checks(result, doc=None) -> list[Finding]:
    """Every check on a Result (or ModelOutput-like document) against an extracted paper
    (pdftext.Extracted); quotes are checked against its body prose when it offers a prose map."""
    if doc is None:
        return verify.check_result(result, None)
    kwargs = {"prose": doc.prose_map()} if hasattr(doc, "prose_map") else {}
    return verify.check_result(result, doc.page_map(), **kwargs)


def checks_run(with_paper: bool = True, extra: Iterable[str] = ()) -> list[str]:
    """The finding codes checked: every blocking code, the warnings, and `extra` (e.g. the judge's)."""
    codes = set(verify.BLOCKING) | NON_BLOCKING_CODES | set(extra)
    if not with_paper:
        codes -= PAPER_CODES
    return sorted(codes)


def left_out_from(doc, trimmed: Iterable[str] = ()) -> list[LeftOut]:
    """What of the paper the result does not cover: garbled pages, pages past the page limit,
    sections trimmed from the prompt."""
    out: list[LeftOut] = []
    garbled = sorted(getattr(doc, "garbled_pages", None) or [])
    if garbled:
        out.append(LeftOut(kind="pages_garbled", detail=f"garbled pages left out: {garbled}",
                           detail_ja=messages.pages_garbled_ja(garbled)))
    read, total = len(doc.pages), doc.page_count
    if total > read:
        out.append(LeftOut(kind="pages_skipped", detail=f"only the first {read} of {total} pages were read",
                           detail_ja=messages.pages_skipped_ja(read, total)))
    trimmed = list(trimmed)
    if trimmed:
        out.append(LeftOut(kind="sections_trimmed", detail=f"left out of the prompt: {'; '.join(trimmed)}",
                           detail_ja=messages.sections_trimmed_ja(trimmed)))
    return out


def _with_ja(f: Finding) -> Finding:
    return f if f.message_ja else f.model_copy(update={"message_ja": messages.finding_ja(f.code)})


def assemble(*, findings: list[Finding], dropped: list[Finding] = (), repaired: int = 0,
             warnings: list[str] = (), left_out: list[LeftOut] = (), judge: list[Verdict] = (),
             checks: list[str] = ()) -> Quality:
    """The result's Quality. `findings` are those on the result as shown (after dropping);
    `dropped` those that removed items (not shown, so they do not cost the badge, but they are
    listed). `judge` holds the verdicts of the shown parts only (Q&A numbered as shown). Verified =
    nothing left out, no blocking finding on what is shown, and every judge verdict `supported`."""
    left = [x.model_copy() for x in left_out]
    shown_bad = [f for f in findings if f.blocking]
    doubted = [v for v in judge if v.verdict != "supported"]
    if shown_bad or doubted:
        reasons = [f"Q&A {f.item + 1}: " if isinstance(f.item, int) else f"{f.item}: " for f in shown_bad]
        detail_ja = "; ".join(dict.fromkeys(
            [r + messages.finding_ja(f.code) for r, f in zip(reasons, shown_bad)]
            + [messages.finding_ja("judge_partial" if v.verdict == "partial" else "judge_unsupported")
               for v in doubted]))
        left.append(LeftOut(kind="unverified_items",
                            detail="; ".join([f"{f.item}: {f.code}" for f in shown_bad]
                                             + [f"{v.item}: judge {v.verdict}" for v in doubted]),
                            detail_ja=f"検証を通っていない部分が表示されています: {detail_ja}"))
    notes = [f"{f.item}: {f.message}" for f in findings if not f.blocking]
    return Quality(checked=True, verified=not left, checks=list(checks), dropped=[_with_ja(f) for f in dropped],
                   repaired=repaired, warnings=[*warnings, *notes], left_out=left, judge=list(judge))
