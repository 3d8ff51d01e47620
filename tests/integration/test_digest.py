"""`ronbun digest` with the offline engine against a fake arXiv."""

import io
import re

import pytest

from ronbun.cli import main
from ronbun.digest import Progress
from ronbun.ids import parse_ref
from tests.fakes.pdfs import make_paper_pdf

PAPERS = [
    ("2401.15884", "Retrieval for Long-Form QA", "2024-01-29", ["cs.CL"]),
    ("2402.00123", "Sparse Experts at Scale", "2024-02-01", ["cs.LG", "stat.ML"]),
    ("hep-th/9901001", "Branes and Strings", "1999-01-01", ["hep-th"]),
]


@pytest.fixture
def arxiv3(fake_arxiv):
    for pid, title, date, cats in PAPERS:
        fake_arxiv.add_paper(pid, title=title, published=date, categories=cats, pdf=make_paper_pdf(title=title))
    return fake_arxiv


def test_digest_of_three_papers_in_the_given_order(arxiv3, capsys):
    code = main(["digest", "2401.15884", "2402.00123", "hep-th/9901001", "--title", "最新論文ノート"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("# 最新論文ノート\n\n")
    listed = re.findall(r"^(\d)\. (.+?)\(発行日:(\d{4}年\d\d月\d\d日)\)$", out, re.M)
    assert listed == [("1", "Retrieval for Long-Form QA", "2024年01月29日"),
                      ("2", "Sparse Experts at Scale", "2024年02月01日"),
                      ("3", "Branes and Strings", "1999年01月01日")]
    assert re.findall(r"^## (\d)\. ", out, re.M) == ["1", "2", "3"]
    assert "カテゴリ: Machine Learning" in out        # cs.LG + stat.ML share one human name
    assert out.count("概要:") == 3 and out.count("Q&A:") == 3
    # one progress line per paper and stage, with elapsed time
    assert re.search(r"\[2/3\] 2402\.00123 抽出中 \(\d+\.\ds\)", err)
    assert re.search(r"\[3/3\] hep-th/9901001 完了", err)


def test_sort_by_published_puts_the_newest_first(arxiv3, capsys):
    assert main(["digest", "hep-th/9901001", "2401.15884", "2402.00123", "--sort", "published"]) == 0
    out = capsys.readouterr().out
    assert [t for _, t in re.findall(r"^(\d)\. (.+?)\(発行日", out, re.M)] == [
        "Sparse Experts at Scale", "Retrieval for Long-Form QA", "Branes and Strings"]


def test_a_failing_paper_does_not_sink_the_post(arxiv3, capsys):
    # Given one id arXiv does not have; When the digest runs; Then the post is written, the entry
    # says why in Japanese, and the exit code (3) says the post is partial
    code = main(["digest", "2401.15884", "2401.99999"])
    out, err = capsys.readouterr()
    assert code == 3
    assert "1. Retrieval for Long-Form QA" in out
    assert "2. 2401.99999(発行日:不明)\n   要約できませんでした: arXiv にこの ID の論文が見つかりません" in out
    assert "部分的なダイジェスト" in err


def test_ids_from_a_file_and_html_output(arxiv3, capsys, tmp_path):
    lst = tmp_path / "ids.txt"
    lst.write_text("# this week\n2401.15884\n\nhttps://arxiv.org/abs/2402.00123v1  # MoE\n")
    out_file = tmp_path / "post.html"
    code = main(["digest", "--from-file", str(lst), "--format", "html", "--out", str(out_file),
                 "--intro", "<b>今週</b>の論文です。"])
    assert code == 0
    page = out_file.read_text()
    assert page.startswith("<!doctype html>") and '<html lang="ja">' in page
    assert "&lt;b&gt;今週&lt;/b&gt;" in page and "<b>" not in page
    assert page.count("<section") == 2


def test_an_invalid_id_in_the_list_stops_before_any_request(arxiv3, capsys):
    code = main(["digest", "2401.15884", "../../etc/passwd"])
    assert code == 2
    assert arxiv3.count("/") == 0


def test_progress_draws_a_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    stream = Tty()
    p = Progress(2, stream)
    ref = parse_ref("2401.15884")
    p.line(1, ref, "fetching")
    p.finish(1, ref, True)
    text = stream.getvalue()
    assert "\r\x1b[2K[1/2] 2401.15884 取得中" in text
    assert "[##########..........] 1/2" in text
