"""The 落合フォーマット template: six fixed questions, the sixth answered from the paper's own
reference list.

The model answers the first five questions as `qa` and picks 次に読むべき論文 by number from
the numbered reference list in the prompt (`OchiaiOutput.next_reads`). `Book.assemble` turns
that into six Q&A items in the fixed order: a pick is kept only when its number is an entry of
the extracted list, the title it gives matches that entry, one of its quotes is a body
sentence citing that entry, and the pick passes the Q&A checks on its own. The sixth item's
answer lists the kept entries (their own text, never the model's) and is then verified like
any Q&A item; the kept entries become `Result.references`, linked to arXiv when they give an id.

The offline engine answers the five questions with quoted sentences (offline.py's selection)
and lists the entries the body cites most often, each with a sentence that cites it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import offline, pdftext, prompts, reflist
from .models import Evidence, Finding, ModelOutput, NextRead, OchiaiOutput, Paper, QAItem, Reference, Result
from .reflist import Citing, Ref

TEMPLATES = ("standard", "ochiai")
QUESTIONS = prompts.OCHIAI_QUESTIONS
NEXT_QUESTION = QUESTIONS[5]
NEXT_INDEX = 5
MAX_PICKS = 3
NOT_IN_LIST = "reference_not_in_list"
NOT_IN_LIST_JA = "論文の参考文献リストに無い文献(またはリストの番号と合わない文献)が挙げられたため、除外しました。"
NOT_CITED = "reference_not_cited"
NOT_CITED_JA = "挙げられた文献を本文で引用している文が根拠になっていないため、除外しました。"


def template_name(value: str | None) -> str:
    """The template by name ("standard" when not given); InvalidRequest for any other name."""
    from .errors import InvalidRequest

    name = (value or "standard").strip().lower()
    if name not in TEMPLATES:
        raise InvalidRequest(f"unknown template {str(value)[:20]!r} (expected standard or ochiai)",
                             message_ja='template は "standard" か "ochiai"(落合フォーマット)を指定してください。')
    return name


def _title(ref: Ref) -> str:
    return ref.title.rstrip(". ")


def answer_line(ref: Ref, why: str) -> str:
    """One entry of the sixth answer: its title (as the list prints it), its year and why."""
    year = f"（{ref.year}年）" if ref.year else ""
    return f"「{_title(ref)}」{year}：{why.strip()}"


@dataclass
class Book:
    """One paper's reference list and the bookkeeping of the 落合フォーマット run."""
    paper: Paper
    doc: pdftext.Extracted
    refs: list[Ref] = field(default_factory=list)
    cited: dict[int, list[Citing]] = field(default_factory=dict)
    dropped: list[Finding] = field(default_factory=list)
    _chosen: dict[str, list[Reference]] = field(default_factory=dict)
    _raw: dict[int, OchiaiOutput] = field(default_factory=dict)

    @classmethod
    def of(cls, paper: Paper, doc: pdftext.Extracted) -> "Book":
        refs = pdftext.references(doc)
        return cls(paper, doc, refs, reflist.citations(doc, refs))

    # -- generation

    def prompt(self, max_chars: int) -> prompts.Prompt:
        pages = {i: [c.page for c in cs] for i, cs in self.cited.items()}
        return prompts.build_ochiai_prompt(self.paper, self.doc, self.refs, pages, max_chars=max_chars)

    def generate(self, engine, prompt: prompts.Prompt, deadline=None):
        """The engine's answer (an OchiaiOutput); the offline engine builds its own."""
        if engine.name == "offline":
            from .llm import Generation

            return Generation(self.offline_output(), 0, 0, engine.model, engine.name, calls=0)
        return engine.generate(prompt, paper=self.paper, doc=self.doc, deadline=deadline)

    def repair_prompt(self, first: prompts.Prompt, output: ModelOutput, findings: list[Finding]) -> prompts.Prompt:
        """The repair request shows the model its own previous answer (five Q&A, next_reads)."""
        previous = self._raw.get(id(output)) or output
        return prompts.build_ochiai_repair_prompt(first, previous, findings)

    # -- verification

    def assemble(self, output: OchiaiOutput) -> OchiaiOutput:
        """Six Q&A items in the fixed order (a question the model did not answer is left empty,
        so that the checks drop it); the sixth lists the picks that name real entries."""
        five = list(output.qa[:5])
        qa = [QAItem(question=q, answer=five[i].answer if i < len(five) else "",
                     evidence=five[i].evidence if i < len(five) else []) for i, q in enumerate(QUESTIONS[:5])]
        kept = self._picks(getattr(output, "next_reads", []))
        answer = "\n".join(answer_line(ref, pick.why) for ref, pick in kept)
        qa.append(QAItem(question=NEXT_QUESTION, answer=answer,
                         evidence=[ev for _, pick in kept for ev in pick.evidence]))
        self._chosen[answer] = [Reference(text=ref.text, arxiv_id=ref.arxiv_id, why=pick.why, evidence=pick.evidence)
                                for ref, pick in kept]
        assembled = output.model_copy(update={"qa": qa})
        self._raw[id(assembled)] = output.model_copy(update={"qa": five})
        return assembled

    def for_judge(self, output: ModelOutput) -> ModelOutput:
        """What the judge rates: the sixth item as its reasons only. Which entry each line names
        was checked against the reference list here; the judge checks each reason against its
        quote (a title is not something a body sentence can support)."""
        if len(output.qa) <= NEXT_INDEX or output.qa[NEXT_INDEX].answer not in self._chosen:
            return output
        reasons = "\n".join(ref.why for ref in self._chosen[output.qa[NEXT_INDEX].answer])
        qa = list(output.qa)
        qa[NEXT_INDEX] = qa[NEXT_INDEX].model_copy(update={"answer": reasons})
        return output.model_copy(update={"qa": qa})

    def _picks(self, picks: list[NextRead]) -> list[tuple[Ref, NextRead]]:
        """The model's picks that are real entries, cited by their quotes, and pass the Q&A checks."""
        from .verify import check_qa_item

        by_index = {r.index: r for r in self.refs}
        pages, prose = self.doc.page_map(), self.doc.prose_map()
        kept: list[tuple[Ref, NextRead]] = []
        for pick in picks:
            ref = by_index.get(pick.ref)
            if ref is None or not reflist.title_matches(pick.title, ref):
                self._drop(NOT_IN_LIST, f"next_reads [{pick.ref}] '{pick.title[:60]}' is not that entry of the "
                                        "paper's reference list", NOT_IN_LIST_JA)
                continue
            if any(r.index == ref.index for r, _ in kept) or len(kept) >= MAX_PICKS:
                continue
            if not any(reflist.cites(ev.quote, ref) for ev in pick.evidence):
                self._drop(NOT_CITED, f"next_reads [{pick.ref}]: no quote is a body sentence citing it", NOT_CITED_JA)
                continue
            item = QAItem(question=NEXT_QUESTION, answer=answer_line(ref, pick.why), evidence=pick.evidence)
            bad = [f for f in check_qa_item(NEXT_INDEX, item, pages, prose=prose) if f.blocking]
            if bad:
                self.dropped.extend(bad)
                continue
            kept.append((ref, pick))
        return kept

    def _drop(self, code: str, message: str, message_ja: str) -> None:
        self.dropped.append(Finding(item=NEXT_INDEX, code=code, message=message, message_ja=message_ja))

    def finish(self, result: Result) -> Result:
        """The result as the 落合フォーマット: its template and the entries of the sixth item shown."""
        result.template = "ochiai"
        result.quality.checks = [*result.quality.checks, NOT_IN_LIST, NOT_CITED]     # listed as checked
        sixth = next((item for item in result.qa if item.question == NEXT_QUESTION), None)
        result.references = list(self._chosen.get(sixth.answer, [])) if sixth else []
        return result

    # -- the offline engine

    def offline_output(self) -> OchiaiOutput:
        """原文抜粋 in the 落合フォーマット: the five questions answered with quoted sentences, and
        the entries the body cites most often (each with a sentence citing it)."""
        base = offline.summarize(self.paper, self.doc, qa_count=0)
        sentences = offline.candidate_sentences(self.doc)
        used = {s.order for s in sentences if s.text in base.one_liner or s.text in base.summary}
        qa = []
        for keys, frame in OFFLINE_FRAMES:
            s = None
            for key in keys:             # the question's own cues first, then a near one
                s = s or (offline._best_result(sentences, used) if key == "results"
                          else offline._pick(_QUESTION[key], sentences, used))
            if s is None:
                qa.append(QAItem(question="", answer="", evidence=[]))
                continue
            used.add(s.order)
            qa.append(QAItem(question="", answer=frame.format(quote=s.text), evidence=[Evidence(page=s.page, quote=s.text)]))
        return OchiaiOutput(**base.model_dump(exclude={"qa"}), qa=qa, next_reads=self._most_cited())

    def _most_cited(self) -> list[NextRead]:
        from .verify import quote_found

        prose = self.doc.prose_map()
        ranked = sorted(self.refs, key=lambda r: (-len(self.cited.get(r.index, [])), r.index))
        picks, quoted = [], set()
        for ref in ranked:
            citing = [c for c in self.cited.get(ref.index, []) if c.sentence not in quoted
                      and offline._prose(c.sentence) and quote_found(c.sentence, prose.get(c.page, ""))]
            if not citing:
                continue
            citing.sort(key=lambda c: len(reflist.cited_numbers(c.sentence)))    # the most specific first
            quoted.add(citing[0].sentence)
            why = f"本文には「{citing[0].sentence}」とあり、この文献を引用しています。"
            picks.append(NextRead(ref=ref.index, title=ref.title, why=why,
                                  evidence=[Evidence(page=citing[0].page, quote=citing[0].sentence)]))
            if len(picks) >= MAX_PICKS:
                break
        return picks


_QUESTION = {q.key: q for q in offline.QUESTIONS} | {"contribution": offline.CONTRIBUTION}
OFFLINE_FRAMES = (
    (("purpose", "contribution"), "どんなものかについて、論文では「{quote}」と述べています。"),
    (("novelty", "contribution"), "先行研究との違いについて、論文では「{quote}」と説明しています。"),
    (("method",), "手法の要点について、論文には「{quote}」と書かれています。"),
    (("results", "data"), "有効性の検証について、論文は「{quote}」と報告しています。"),
    (("limits", "conclusion"), "議論や課題として、論文では「{quote}」と述べています。"),
)
