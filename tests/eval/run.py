"""Precision and recall of the quality checks on a labelled evaluation set (tests/eval/README.md).

    python -m tests.eval.run [--split dev|held|both] [--items FILE] [--json FILE] [--verbose] [--judge]

--judge adds the judge call (ronbun.judge, the openai engine's settings: OPENAI_BASE_URL,
OPENAI_API_KEY, RONBUN_JUDGE_MODEL / the main model) to the rules for the Q&A items, as the pipeline
does with a model: its `non_answer` and `literal_term` (mistranslation) problems count as found.
It needs a reachable model, so `make eval` does not use it; run it against OpenAI or a local server.

Runs `ronbun.verify` as the pipeline does: each Q&A item through `check_qa_item`, each summary or
one-liner through `check_text` (or, when it carries its own `evidence`, as a summary sentence through
`check_sentence`: scope_dev.jsonl, read with the dev split when present), against the extracted pages of the item's paper (corpus PDFs in
../shared/corpus/pdf, or the PDFs generated below); `prose=` is passed when both the extractor and
the check support it. Each labelled quote is the evidence of a plain good answer; a quote that is
not body prose must get `quote_not_body`. It reports, it does not gate: exit 0, or 2 when an item
is malformed.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1].parent / "shared" / "corpus" / "pdf"

# The codes measured, in print order; a target (recall, precision) where the brief sets one.
CODES = ["non_answer", "mistranslation", "quote_not_body", "unsupported_entity", "overgeneralised", "truncated",
         "mixed_style", "number_not_in_source", "quote_not_found", "not_japanese"]
TARGETS = {c: (0.9, 0.95) for c in ("non_answer", "mistranslation", "quote_not_body", "unsupported_entity",
                                     "overgeneralised")}
SCOPE_CODES = frozenset({"overgeneralised"})     # measured on scope_<split>.jsonl, not on items_<split>.jsonl
KINDS = ("qa", "summary", "one_liner")
LABELS = ("body", "running_head", "caption", "figure_text", "heading", "affiliation", "footnote", "garbled")

# A plain good answer that carries each labelled quote as its evidence.
QUOTE_QUESTION = "この論文の該当箇所には何が書かれていますか？"
QUOTE_ANSWER = "論文のこの箇所は、著者らの手法と結果について説明しています。"


class Malformed(Exception):
    pass


# ---------------------------------------------------------------- generated PDFs

# Text as a PDF with bitmap (Type 3) fonts extracts it: words split at glyph boundaries, and
# "/2/3/5" runs for glyphs without a Unicode map. Each page also holds ordinary prose, so the
# page is not dropped as garbled as a whole and its body sentences can be quoted.
GENERATED: dict[str, list[list[str]]] = {
    "gen-type3-1994": [
        ["A Simple Model of Spectator Fields in Early Cosmology",
         "We study the evolution of a light spectator field during inflation and after reheating. "
         "The field does not affect the expansion rate, but its fluctuations are imprinted on the "
         "matter distribution at late times.",
         "In this pap er we describ e the mo del and deriv e the sp ectator equation of motion. "
         "thesp ectatorequation/.InSectionI I I/ w e compare the solution with the slow roll limit.",
         "The main result is that the amplitude of the spectator fluctuations grows only "
         "logarithmically with the number of e-folds after horizon crossing."],
        ["We solve the equation numerically for a range of masses and couplings. The integration starts "
         "well before horizon crossing and follows each mode until it is frozen outside the horizon.",
         "/2/3/5/2/9/1/4/7",
         "For masses below the Hubble rate the solution approaches the massless case within a few "
         "e-folds, and the late-time spectrum is nearly scale invariant.",
         "The results are insensitiv e to the initial condi tions pro vided that the field starts "
         "near the minim um of its p oten tial.",
         "We conclude that spectator fields of this kind cannot be excluded by current data."],
    ],
    "gen-unmapped-glyphs": [
        ["Learning Sparse Codes for Speech Frames",
         "We train a sparse coding model on short frames of recorded speech and evaluate the codes "
         "on a phone classification task.",
         "The frames are taken from read sentences of twenty speakers and are normalised to unit energy "
         "before training, so that loud and quiet speakers contribute equally to the dictionary.",
         "/0/1/2/3/4/5/6/7",
         "The learned dictionary contains atoms that resemble harmonic stacks and short bursts of noise.",
         "Eac h fr ame is enco ded b y a small n um b er of activ e atoms, whic h mak es the co des "
         "easy to in terpret.",
         "On the phone classification task the sparse codes perform as well as the spectral features "
         "they are computed from, while using far fewer non-zero coefficients per frame."],
    ],
    # A PDF whose fonts lack a Unicode map for some glyphs: pypdf writes (cid:N) for them, and the
    # ligatures fi/ff/ffi vanish ("signi cant", "e cient"); the rest of the page is ordinary prose.
    "gen-cid-fonts": [
        ["Efficient Parsing of Scanned Invoices",
         "We parse scanned invoices into line items with a layout-aware sequence model and report "
         "field-level accuracy on a new benchmark of retail invoices.",
         "Our parser achieves a signi cant improvement over the rule-based system and is more e cient "
         "at test time because it reads each page only once.",
         "(cid:36)(cid:81)(cid:71) (cid:87)(cid:75)(cid:72) total amount is detected in every invoice of the test set.",
         "The model is trained on synthetic invoices and fine-tuned on a small set of annotated scans.",
         "Errors are concentrated in invoices with handwritten corrections and in tables that span two pages."],
    ],
    # A short workshop paper: its running head and page number recur on pages 2 and 3 only (too
    # few pages for a "recurs on many pages" rule), and a copyright footer sits on page 1.
    "gen-short-heads": [
        ["Spectral Clustering of Citation Graphs",
         "Anna Keller and Tomas Berg, Institute for Information Science, University of Linz",
         "We cluster the citation graph of a digital library with a normalized spectral method and "
         "compare the clusters with the subject labels assigned by librarians.",
         "The graph contains forty thousand papers and two hundred thousand citations, and we keep "
         "only its largest connected component.",
         "Workshop on Scholarly Document Processing 2024. Copyright by the authors."],
        ["Spectral Clustering of Citation Graphs 2",
         "We show that the normalized Laplacian gives clusters that agree with the subject labels far "
         "better than the unnormalized one.",
         "Figure 1: Agreement with the subject labels for both Laplacians as the number of clusters grows.",
         "The agreement is highest when the number of clusters is close to the number of subject labels."],
        ["Spectral Clustering of Citation Graphs 3",
         "Clusters that do not match any subject label often collect papers on methods that are used "
         "across several fields.",
         "We conclude that citation structure alone recovers most of the subject organisation of the library."],
    ],
}


def generated_pdf(name: str) -> bytes:
    from fpdf import FPDF
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for paragraphs in GENERATED[name]:
        pdf.add_page()
        for text in paragraphs:
            pdf.multi_cell(0, 6, text)
            pdf.ln(3)
    return bytes(pdf.output())


# ---------------------------------------------------------------- documents and checks

@dataclass
class Doc:
    pages: dict[int, str]
    prose: dict[int, str] | None = None


@lru_cache(maxsize=None)
def load_doc(paper: str) -> Doc:
    """Each PDF is extracted once."""
    from ronbun import pdftext
    if paper in GENERATED:
        data = generated_pdf(paper)
    else:
        path = CORPUS / f"{paper}.pdf"
        if not path.is_file():
            raise Malformed(f"paper {paper!r}: no such corpus PDF ({path})")
        data = path.read_bytes()
    doc = pdftext.extract(data)
    prose = doc.prose_map() if hasattr(doc, "prose_map") else None
    return Doc(doc.page_map(), prose)


def _kwargs(fn, doc: Doc | None, style: str) -> dict:
    kw: dict = {"style": style}
    if doc is not None and doc.prose is not None and "prose" in inspect.signature(fn).parameters:
        kw["prose"] = doc.prose
    return kw


def _style(item: dict) -> str:
    return "dearu" if item.get("style") == "dearu" else "desu_masu"


def predict_item(item: dict) -> set[str]:
    from ronbun import verify
    from ronbun.models import Evidence, QAItem
    doc = load_doc(item["paper"]) if item.get("paper") else None
    pages = doc.pages if doc else None
    if item["kind"] == "qa":
        qa = QAItem(question=item["question"], answer=item["text"],
                    evidence=[Evidence(page=e["page"], quote=e["quote"]) for e in item.get("evidence", [])])
        findings = verify.check_qa_item(0, qa, pages, **_kwargs(verify.check_qa_item, doc, _style(item)))
    elif item["kind"] != "qa" and item.get("evidence") and hasattr(verify, "check_sentence"):
        # a summary sentence or one-liner with its own quotes: checked as the pipeline checks each sentence
        from ronbun.models import SummarySentence
        sentence = SummarySentence(text=item["text"], evidence=[Evidence(page=e["page"], quote=e["quote"])
                                                                 for e in item["evidence"]])
        findings = verify.check_sentence(item["kind"], 0, sentence, pages,
                                         **_kwargs(verify.check_sentence, doc, _style(item)))
    else:
        findings = verify.check_text(item["kind"], item["text"], pages,
                                     **_kwargs(verify.check_text, doc, _style(item)))
    return {f.code for f in findings}


def predict_quote(quote: dict) -> set[str]:
    from ronbun import verify
    from ronbun.models import Evidence, QAItem
    doc = load_doc(quote["paper"])
    qa = QAItem(question=QUOTE_QUESTION, answer=QUOTE_ANSWER,
                evidence=[Evidence(page=quote["page"], quote=quote["quote"])])
    return {f.code for f in verify.check_qa_item(0, qa, doc.pages, **_kwargs(verify.check_qa_item, doc, "desu_masu"))}


# ---------------------------------------------------------------- loading and validation

def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise Malformed(f"{path.name}:{n}: not JSON ({e})") from None
        if not isinstance(row, dict):
            raise Malformed(f"{path.name}:{n}: not an object")
        row["_where"] = f"{path.name}:{n}"
        rows.append(row)
    return rows


def validate_item(item: dict) -> None:
    where = item.get("_where", "?")
    if not isinstance(item.get("id"), str) or not item["id"]:
        raise Malformed(f"{where}: no id")
    if item.get("kind") not in KINDS:
        raise Malformed(f"{where} {item['id']}: kind must be one of {KINDS}")
    if not isinstance(item.get("text"), str):
        raise Malformed(f"{where} {item['id']}: text must be a string")
    expect = item.get("expect")
    if not isinstance(expect, list) or not all(isinstance(c, str) for c in expect):
        raise Malformed(f"{where} {item['id']}: expect must be a list of codes")
    if item["kind"] == "qa" and not isinstance(item.get("question"), str):
        raise Malformed(f"{where} {item['id']}: a qa item needs a question")
    if item["kind"] == "qa" or item.get("evidence"):
        ev = item.get("evidence", [])
        if not isinstance(ev, list) or not all(
                isinstance(e, dict) and isinstance(e.get("page"), int) and isinstance(e.get("quote"), str) for e in ev):
            raise Malformed(f"{where} {item['id']}: evidence must be a list of {{page, quote}}")
    paper = item.get("paper")
    if paper is not None and not isinstance(paper, str):
        raise Malformed(f"{where} {item['id']}: paper must be a PDF stem or null")


def validate_quote(quote: dict) -> None:
    where = quote.get("_where", "?")
    for key, typ in (("id", str), ("paper", str), ("page", int), ("quote", str), ("label", str)):
        if not isinstance(quote.get(key), typ):
            raise Malformed(f"{where} {quote.get('id')}: {key} must be {typ.__name__}")
    if quote["label"] not in LABELS:
        raise Malformed(f"{where} {quote['id']}: label must be one of {LABELS}")


def load_split(split: str) -> tuple[list[dict], list[dict]]:
    items, quotes = [], []
    for name in ([split] if split != "both" else ["dev", "held"]):
        for path, into in ((HERE / f"items_{name}.jsonl", items), (HERE / f"quotes_{name}.jsonl", quotes)):
            if not path.is_file():
                raise Malformed(f"missing {path.name}")
            into.extend(_read_jsonl(path))
        scope = HERE / f"scope_{name}.jsonl"          # summary sentences with their quotes (overgeneralised)
        if scope.is_file():
            items.extend(_read_jsonl(scope))
    for item in items:
        validate_item(item)
    for quote in quotes:
        validate_quote(quote)
    ids = [r["id"] for r in items + quotes]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise Malformed(f"duplicate ids: {', '.join(dupes[:10])}")
    return items, quotes


# ---------------------------------------------------------------- scoring

@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    split: str
    n_items: int = 0
    n_quotes: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {c: Score() for c in CODES})
    misses: list[dict] = field(default_factory=list)
    truncated_on_complete: list[str] = field(default_factory=list)

    def add(self, rid: str, expect: set[str], got: set[str], text: str | None = None) -> None:
        for code in CODES:
            s = self.scores[code]
            if code in expect:
                s.support += 1
                if code in got:
                    s.tp += 1
                else:
                    s.fn += 1
            elif code in got:
                s.fp += 1
        measured = set(CODES)
        if (expect ^ got) & measured:
            self.misses.append({"id": rid, "expected": sorted(expect & measured), "got": sorted(got & measured)})
        # a complete sentence: ends like one and is not labelled cut off (a list stopping at "3. " is)
        if text is not None and "truncated" in got and "truncated" not in expect \
                and text.rstrip().endswith(COMPLETE_ENDS):
            self.truncated_on_complete.append(rid)


COMPLETE_ENDS = tuple("。.．！？!?」")


JUDGE_BATCH = 8


def judge_codes(items: list[dict]) -> dict[str, set[str]]:
    """The codes the judge call names for each Q&A item (by id), in batches as the pipeline sends
    them: its problems as the rules' codes, and `judge_unsupported` for any other unsupported verdict."""
    from ronbun.judge import PROBLEM_CODES, Judge
    from ronbun.models import Evidence, ModelOutput, Paper, QAItem
    from ronbun.settings import get_settings

    settings = get_settings()
    qa = [i for i in items if i["kind"] == "qa"]
    found: dict[str, set[str]] = {}
    for start in range(0, len(qa), JUDGE_BATCH):
        batch = qa[start:start + JUDGE_BATCH]
        output = ModelOutput(one_liner="", one_liner_evidence=[], summary_sentences=[], qa=[
            QAItem(question=i["question"], answer=i["text"], evidence=[Evidence(**e) for e in i.get("evidence", [])])
            for i in batch])
        judge = Judge(settings, settings.openai_model)
        judge.rate(Paper(id="0000.00000", version=1, title="", abstract=""), output, range(len(batch)))
        if judge.failed:
            raise Malformed(f"the judge call failed: {judge.failed}")
        for n, item in enumerate(batch):
            v = judge.verdicts.get(n)
            codes = {PROBLEM_CODES[v.problem]} if v and v.problem in PROBLEM_CODES else set()
            if v and v.verdict == "unsupported" and not codes:
                codes.add("judge_unsupported")
            found[item["id"]] = codes
    return found


def evaluate(split: str, judge: bool = False) -> Report:
    items, quotes = load_split(split)
    report = Report(split, len(items), len(quotes))
    extra = judge_codes(items) if judge else {}
    for item in items:
        report.add(item["id"], set(item["expect"]), predict_item(item) | extra.get(item["id"], set()), item["text"])
    for quote in quotes:
        expect = set() if quote["label"] == "body" else {"quote_not_body"}
        got = predict_quote(quote) & {"quote_not_body"}   # only this code is measured on quotes
        report.add(quote["id"], expect, got)
    return report


def evaluate_items(path: Path, judge: bool = False) -> Report:
    """Items from any file in the items format (a helper's fresh probe set), no quotes."""
    items = _read_jsonl(path)
    for item in items:
        validate_item(item)
    report = Report(path.name, len(items), 0)
    extra = judge_codes(items) if judge else {}
    for item in items:
        report.add(item["id"], set(item["expect"]), predict_item(item) | extra.get(item["id"], set()), item["text"])
    return report


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:.2f}"


def _target(code: str, s: Score, report: Report) -> str:
    if code in TARGETS:
        r, p = TARGETS[code]
        ok = (s.recall is None or s.recall >= r) and (s.precision is None or s.precision >= p)
        return ("met" if ok else "MISSED") + f" (R>={r}, P>={p})"
    if code == "truncated":
        return ("met" if not report.truncated_on_complete else "MISSED") + " (never on a complete sentence)"
    return ""


def print_report(report: Report, verbose: bool, out=None) -> None:
    out = out or sys.stdout
    print(f"\nsplit {report.split}: {report.n_items} items, {report.n_quotes} quotes", file=out)
    print(f"{'code':22} {'pos':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>5} {'recall':>6}  target", file=out)
    for code in CODES:
        s = report.scores[code]
        print(f"{code:22} {s.support:4} {s.tp:4} {s.fp:4} {s.fn:4} {_fmt(s.precision):>5} {_fmt(s.recall):>6}  "
              f"{_target(code, s, report)}", file=out)
    if report.truncated_on_complete:
        print(f"truncated on a complete sentence: {', '.join(report.truncated_on_complete)}", file=out)
    if verbose:
        print(f"misses ({len(report.misses)}):", file=out)
        for m in report.misses:
            print(f"  {m['id']:10} expected {m['expected']} got {m['got']}", file=out)


def as_json(report: Report) -> dict:
    return {
        "split": report.split, "items": report.n_items, "quotes": report.n_quotes,
        "codes": {c: {"support": s.support, "tp": s.tp, "fp": s.fp, "fn": s.fn,
                      "precision": s.precision, "recall": s.recall} for c, s in report.scores.items()},
        "truncated_on_complete": report.truncated_on_complete,
        "misses": report.misses,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "held", "both"], default="both")
    ap.add_argument("--items", metavar="FILE", help="score this items file instead of a split")
    ap.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss (id, expected, got)")
    ap.add_argument("--judge", action="store_true", help="add the judge call (needs a model: see above)")
    args = ap.parse_args(argv)
    splits = ["dev", "held"] if args.split == "both" else [args.split]
    try:
        reports = ([evaluate_items(Path(args.items), args.judge)] if args.items
                   else [evaluate(s, args.judge) for s in splits])
    except Malformed as e:
        print(f"malformed evaluation set: {e}", file=sys.stderr)
        return 2
    for report in reports:
        print_report(report, args.verbose)
    if args.json:
        Path(args.json).write_text(json.dumps([as_json(r) for r in reports], ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
