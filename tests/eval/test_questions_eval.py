"""The ask-the-paper evaluation set is well formed and its runner works (numbers are reported by
`python -m tests.eval.questions`, not asserted here)."""

import re

import pytest

from ronbun.verify import quote_found
from tests.eval import questions as qeval

NOT_SAID = "この論文には記載がありません。"
JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("path", [qeval.DEV, qeval.HELD])
def test_the_pairs_are_well_formed(path):
    rows = qeval.load(path)               # validates each row: corpus paper, question, found, pages when found
    assert len({(r["paper"], r["question"]) for r in rows}) == len(rows)
    answerable = sum(r["found"] for r in rows)
    assert abs(answerable - (len(rows) - answerable)) <= len(rows) // 8      # about half answerable
    ja = sum(bool(JA.search(r["question"])) for r in rows)
    assert 0 < ja < len(rows)                                                  # Japanese and English


def test_the_dev_set_covers_every_corpus_paper_with_forty_pairs_or_more():
    rows = qeval.load(qeval.DEV)
    assert len(rows) >= 40 and {r["paper"] for r in rows} == set(qeval.PDFS)


@pytest.fixture(scope="module")
def offline_answers():
    return list(qeval.answers(qeval.load(qeval.DEV), "offline"))


def test_offline_answers_are_api_documents_whose_quotes_are_on_their_pages(offline_answers):
    for row, answer in offline_answers:
        assert isinstance(answer["found"], bool) and answer["generator"]["engine"] == "offline"
        if not answer["found"]:
            assert answer["text"].startswith(NOT_SAID), answer
        else:
            assert len(answer["evidence"]) == 1 and answer["evidence"][0]["quote"] in answer["text"]
        _, doc = qeval.document(row["paper"])
        prose = doc.prose_map()
        for ev in answer["evidence"]:
            assert quote_found(ev["quote"], prose.get(ev["page"], "")), (row, ev)


def test_the_questions_the_paper_cannot_answer_from_the_report_are_not_found(offline_answers):
    # 1708.05894 states no license and no GPU (checked by hand): found=true there was the bug
    for row, answer in offline_answers:
        if row["paper"] == "1708.05894" and not row["found"] and re.search(r"license|GPU", row["question"]):
            assert answer["found"] is False and answer["text"].startswith(NOT_SAID), answer


def test_the_runner_prints_precision_and_recall(capsys):
    assert qeval.main(["--engine", "offline", "--split", "held"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"offline\s+found=true\s+\d+\s+correct\s+\d+\s+precision\s+[\d.]+\s+recall\s+[\d.]+", out), out
