"""Summary sentences with their evidence, in the pipeline (issue 14).

The one-liner and each sentence of the 概要 carry their own quotes and are checked like a Q&A
answer (verify.check_sentence). Findings on a sentence carry `sentence=n`. The pipeline calls
these helpers to judge sentences one by one, to take a repaired sentence in place of a failing
one, and to drop what still fails after the repair round: the summary is shortened, never
padded; when no sentence is left (or the one-liner fails) the summary is rejected as before.
"""

from __future__ import annotations

from typing import Any, Iterable

from .models import Finding, ModelOutput, SummarySentence


def key(f: Finding) -> Any:
    """The part a finding is about: a Q&A index, "one_liner", ("summary", n) for a summary
    sentence, or "summary" for the summary as a whole."""
    if f.item == "summary" and f.sentence is not None:
        return ("summary", f.sentence)
    return f.item


def result_fields(output: ModelOutput) -> dict:
    """The Result fields that hold the sentences with their evidence."""
    return {"one_liner_sentences": [SummarySentence(text=output.one_liner, evidence=list(output.one_liner_evidence))],
            "summary_sentences": [s.model_copy(deep=True) for s in output.summary_sentences]}


def passing(output: ModelOutput, findings: Iterable[Finding]) -> list:
    """The parts without a blocking finding (what the judge is asked about): the one-liner,
    each summary sentence as ("summary", n), and the Q&A indices."""
    bad = {key(f) for f in findings}
    parts: list = [] if "one_liner" in bad else ["one_liner"]
    if "summary" not in bad:
        parts += [("summary", n) for n in range(len(output.summary_sentences)) if ("summary", n) not in bad]
    return parts + [i for i in range(len(output.qa)) if i not in bad]


def changed(old: ModelOutput, new: ModelOutput) -> list:
    """The parts the repair rewrote (summary sentences one by one)."""
    parts: list = ["one_liner"] if (old.one_liner, old.one_liner_evidence) != (new.one_liner, new.one_liner_evidence) else []
    n_old, n_new = len(old.summary_sentences), len(new.summary_sentences)
    parts += [("summary", n) for n in range(max(n_old, n_new))
              if n >= n_old or n >= n_new or old.summary_sentences[n] != new.summary_sentences[n]]
    return parts + [i for i, (a, b) in enumerate(zip(old.qa, new.qa)) if a != b]


def merge(merged: ModelOutput, findings: Iterable[Finding], new: ModelOutput, new_findings: Iterable[Finding]) -> int:
    """Take, in `merged`, the repaired one-liner and each repaired summary sentence (same
    position) where the repair itself passes; returns how many were taken."""
    bad = {key(f) for f in findings}
    new_bad = {key(f) for f in new_findings}
    repaired = 0
    if "one_liner" in bad and "one_liner" not in new_bad:
        merged.one_liner, merged.one_liner_evidence = new.one_liner, [e.model_copy() for e in new.one_liner_evidence]
        repaired += 1
    if "summary" in bad:                    # the summary as a whole (e.g. no sentence): take the new one whole
        if new.summary_sentences and not any(k == "summary" or isinstance(k, tuple) for k in new_bad):
            merged.summary_sentences = [s.model_copy(deep=True) for s in new.summary_sentences]
            repaired += 1
        return repaired
    for k in sorted(k for k in bad if isinstance(k, tuple)):
        n = k[1]
        if n < len(merged.summary_sentences) and n < len(new.summary_sentences) and k not in new_bad:
            merged.summary_sentences[n] = new.summary_sentences[n].model_copy(deep=True)
            repaired += 1
    return repaired


def drop_failing(output: ModelOutput, findings: list[Finding], judge=None) -> tuple[ModelOutput, list[Finding], list[Finding]]:
    """Drop the summary sentences that still fail: (output without them, the other findings,
    the findings that dropped sentences). No sentence left: a finding on the summary as a whole
    (the caller rejects the summary). `judge` (if any) renumbers its verdicts to the kept sentences."""
    dropped = [f for f in findings if f.item == "summary" and f.sentence is not None]
    if not dropped:
        return output, findings, []
    bad = {f.sentence for f in dropped}
    kept = [n for n in range(len(output.summary_sentences)) if n not in bad]
    shorter = output.model_copy(deep=True)
    shorter.summary_sentences = [output.summary_sentences[n] for n in kept]
    rest = [f for f in findings if f not in dropped]
    if not kept:
        rest.append(Finding(item="summary", code="no_evidence",
                            message="no summary sentence is supported by its quotes (every sentence was dropped)"))
    if judge is not None:
        judge.keep_summary(kept)
    return shorter, rest, dropped
