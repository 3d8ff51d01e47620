"""Ask the paper: does `found: true` mean the paper answers THIS question?

`questions_dev.jsonl` holds (paper, question, found?, pages) pairs written by hand on the corpus
papers: `found` says whether the paper answers the question, `pages` the pages where it does.
A found=true answer is correct when the question is answerable and it cites one of those pages.

    python -m tests.eval.questions                # offline engine and the fake-model path
    python -m tests.eval.questions --engine offline --verbose
    python -m tests.eval.questions --split held   # 16 more pairs written after the rules were tuned

precision = correct found=true / all found=true; recall = correct found=true / answerable.
The fake-model path runs `ronbun.questions.answer(engine="openai")` against the fake OpenAI server
(the real SDK over HTTP): its model quotes the sentence sharing most words with the question, its
judge (when the code under test calls one) rates relevance by the question's focus.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
DEV = HERE / "questions_dev.jsonl"
HELD = HERE / "questions_held.jsonl"      # written after the rules were tuned on DEV: report, never tune on it
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pdf"
PDFS = {"0908.0054": "0908.0054v1.pdf", "1708.05894": "1708.05894v1.pdf", "2004.04906": "2004.04906v3.pdf",
        "2206.10883": "2206.10883v3.pdf", "2305.14962": "2305.14962v1.pdf", "2501.10120": "2501.10120v1.pdf"}
ENGINES = ("offline", "fake")


def load(path: Path = DEV) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        validate(row)
    return rows


def validate(row: dict) -> None:
    """A well-formed pair: a corpus paper, a question, found, and pages exactly when found."""
    assert set(row) == {"paper", "question", "found", "pages"}, row
    assert row["paper"] in PDFS, row
    assert isinstance(row["question"], str) and 0 < len(row["question"]) <= 300, row
    assert isinstance(row["found"], bool), row
    assert all(isinstance(p, int) and p >= 1 for p in row["pages"]), row
    assert bool(row["pages"]) == row["found"], row


@lru_cache(maxsize=None)
def document(paper: str):
    from ronbun.models import Paper
    from ronbun.pdftext import extract

    from tests.fakes.fake_arxiv import CORPUS_PAPERS

    meta = CORPUS_PAPERS.get(paper, {})
    doc = extract((CORPUS / PDFS[paper]).read_bytes())
    return Paper(id=paper, version=1, title=meta.get("title", paper)), doc


@dataclass
class Score:
    found: int = 0          # answers with found=true
    correct: int = 0        # ... on an answerable question, citing a listed page
    answerable: int = 0
    rows: list = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.answerable if self.answerable else None


def is_correct(row: dict, answer: dict) -> bool:
    return bool(answer["found"] and row["found"] and answer["evidence"]
                and any(ev["page"] in row["pages"] for ev in answer["evidence"]))


def answers(rows: list[dict], engine: str):
    """(row, the API's answer document) for every row."""
    from ronbun import questions

    if engine == "offline":
        for row in rows:
            paper, doc = document(row["paper"])
            yield row, questions.answer(paper, doc, row["question"], engine="offline")
        return
    from ronbun.settings import get_settings

    from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI

    fake = FakeOpenAI().start()
    saved = {k: os.environ.get(k) for k in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    os.environ.update(OPENAI_BASE_URL=fake.url, OPENAI_API_KEY=TEST_KEY)
    get_settings.cache_clear()
    try:
        for row in rows:
            paper, doc = document(row["paper"])
            yield row, questions.answer(paper, doc, row["question"], engine="openai")
    finally:
        fake.stop()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        get_settings.cache_clear()


def evaluate(rows: list[dict], engine: str) -> Score:
    score = Score(answerable=sum(r["found"] for r in rows))
    for row, answer in answers(rows, engine):
        score.found += bool(answer["found"])
        score.correct += is_correct(row, answer)
        score.rows.append((row, answer))
    return score


def _fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=ENGINES, action="append")
    parser.add_argument("--split", choices=("dev", "held"), default="dev")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    rows = load(DEV if args.split == "dev" else HELD)
    print(f"{args.split}: {len(rows)} questions, {sum(r['found'] for r in rows)} answerable")
    for engine in args.engine or ENGINES:
        s = evaluate(rows, engine)
        print(f"{engine:8s} found=true {s.found:3d}  correct {s.correct:3d}  "
              f"precision {_fmt(s.precision)}  recall {_fmt(s.recall)}")
        if args.verbose:
            for row, a in s.rows:
                mark = "ok " if is_correct(row, a) or (not a["found"] and not row["found"]) else "BAD"
                ev = a["evidence"][0] if a["evidence"] else {}
                print(f"  {mark} [{row['paper']}] exp={row['found']!s:5} got={a['found']!s:5} "
                      f"{row['question'][:60]} -> p.{ev.get('page')} {ev.get('quote', '')[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
