"""The `ronbun` command end to end against a fake arXiv and a fake OpenAI server on 127.0.0.1."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ronbun.cli import main
from ronbun.models import Result
from ronbun.pdftext import extract
from ronbun.verify import quote_found
from tests.fakes.pdfs import make_encrypted_pdf, make_paper_pdf, make_textless_pdf, truncate

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def paper(fake_arxiv):
    fake_arxiv.add_paper("2401.15884", title="Retrieval for Long-Form QA", authors=["Alice Smith", "Bob Tanaka"],
                         categories=["cs.CL", "cs.LG"], published="2024-01-29", updated="2024-02-16", versions=2,
                         pdf=make_paper_pdf(title="Retrieval for Long-Form QA",
                                            code_url="https://github.com/example/longqa"))
    return fake_arxiv


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_summarize_offline_prints_the_digest_section_with_stages_on_stderr(paper, capsys):
    code, out, err = run(capsys, "summarize", "2401.15884")
    assert code == 0
    assert out.startswith("# Retrieval for Long-Form QA\n")
    for key in ("著者: Alice Smith, Bob Tanaka", "発行日: 2024年01月29日", "最終更新日: 2024年02月16日",
                "URL: https://arxiv.org/pdf/2401.15884v2", "カテゴリ: Computation and Language, Machine Learning",
                "概要:", "Q&A:", "Q: ", "A: "):
        assert key in out
    assert "原文抜粋(生成モデルなし)" in out and "日本語要約" not in out
    stages = [s for s in ("取得中", "抽出中", "生成中", "検証中") if s in err]
    assert stages == ["取得中", "抽出中", "生成中", "検証中"]
    assert "OPENAI_API_KEY が未設定" in err


def test_summarize_json_is_a_result_document_whose_quotes_verify(paper, capsys, tmp_path):
    out_file = tmp_path / "r.json"
    code, _, _ = run(capsys, "summarize", "https://arxiv.org/abs/2401.15884v2", "--format", "json",
                     "--out", str(out_file))
    assert code == 0
    result = Result.model_validate_json(out_file.read_bytes())
    assert result.paper.version == 2 and result.generator.engine == "offline"
    assert result.code_urls == ["https://github.com/example/longqa"]
    assert result.qa and result.quality.checked
    assert paper.count("/pdf/2401.15884v2") == 1


def test_summarize_with_openai_engine_records_tokens(paper, fake_openai, capsys):
    code, out, err = run(capsys, "summarize", "2401.15884", "--format", "json", "--model", "gpt-4.1-mini")
    assert code == 0, err
    result = Result.model_validate_json(out)
    assert result.generator.engine == "openai" and result.generator.model == "gpt-4.1-mini"
    assert result.generator.input_tokens > 0 and result.generator.output_tokens > 0
    assert len(fake_openai.calls) == 1
    assert "OPENAI_API_KEY が設定されています" in err


def test_ungrounded_model_answer_is_repaired_once(paper, fake_openai, capsys):
    fake_openai.enqueue("ungrounded")
    code, out, err = run(capsys, "summarize", "2401.15884", "--format", "json")
    assert code == 0, err
    result = Result.model_validate_json(out)
    assert len(fake_openai.calls) == 2
    assert result.quality.repaired > 0
    assert all("明記されていません" not in qa.answer for qa in result.qa)


def test_local_pdf_makes_no_arxiv_request(fake_arxiv, capsys, tmp_path):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make_paper_pdf(title="A Local Paper"))
    code, out, err = run(capsys, "summarize", "2401.15884", "--pdf", str(pdf), "--format", "json")
    assert code == 0, err
    result = Result.model_validate_json(out)
    pages = extract(pdf.read_bytes()).page_map()
    assert all(quote_found(e.quote, pages[e.page]) for qa in result.qa for e in qa.evidence)
    assert fake_arxiv.count("/") == 0


@pytest.mark.parametrize("bad", ["2401.1588", "../../etc/passwd", "https://evil.example/abs/2401.15884",
                                 "2401.15884%2F..", "２４０１.１５８８"])
def test_invalid_id_exits_2_with_a_japanese_message_and_no_request(fake_arxiv, capsys, bad):
    code, out, err = run(capsys, "summarize", bad)
    assert code == 2 and out == ""
    assert "arXiv の論文 ID として正しくありません" in err or "invalid" in err
    assert "Traceback" not in err
    assert fake_arxiv.count("/") == 0


def test_unknown_paper_exits_2(fake_arxiv, capsys):
    code, _, err = run(capsys, "summarize", "2401.99999")
    assert code == 2 and "見つかりません" in err


def test_arxiv_failing_after_retries_exits_2(fake_arxiv, capsys, monkeypatch):
    monkeypatch.setenv("RONBUN_ARXIV_RETRIES", "1")
    fake_arxiv.add_paper("2401.15884")
    fake_arxiv.fail("/api/query", statuses=[503, 503, 503], retry_after=0)
    code, _, err = run(capsys, "summarize", "2401.15884")
    assert code == 2 and "arXiv に接続できませんでした" in err


def test_retry_notices_are_in_japanese(fake_arxiv, capsys, monkeypatch):
    # Given arXiv that fails once before answering
    monkeypatch.setenv("RONBUN_ARXIV_RETRIES", "2")
    monkeypatch.delenv("RONBUN_DEBUG", raising=False)
    fake_arxiv.add_paper("2401.15884")
    fake_arxiv.fail("/api/query", statuses=[503], retry_after=0)
    code, _, err = run(capsys, "summarize", "2401.15884")
    # Then the reader is told in Japanese, and the operator's English log line is not shown
    assert code == 0, err
    assert "秒後に再試行します(1/2)" in err
    assert "retry" not in err.lower()


@pytest.mark.parametrize("content, message", [
    (b"<!doctype html><html><body>Not found</body></html>", "PDF ではありません"),
    (truncate(make_paper_pdf()), "途中で切れているか壊れています"),
    (make_encrypted_pdf(), "暗号化"),
    (make_textless_pdf(), "テキストを抽出できませんでした"),
])
def test_unusable_local_pdf_exits_2_with_the_reason(capsys, tmp_path, content, message):
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(content)
    code, out, err = run(capsys, "summarize", "--pdf", str(pdf))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_too_large_pdf_from_arxiv_exits_2(fake_arxiv, capsys, monkeypatch):
    monkeypatch.setenv("RONBUN_PDF_MAX_BYTES", "2000")
    fake_arxiv.add_paper("2401.15884")
    code, _, err = run(capsys, "summarize", "2401.15884")
    assert code == 2 and "大きすぎる" in err


def test_openai_engine_without_key_exits_2_before_any_request(fake_arxiv, capsys):
    fake_arxiv.add_paper("2401.15884")
    code, _, err = run(capsys, "summarize", "2401.15884", "--engine", "openai")
    assert code == 2 and "OPENAI_API_KEY" in err
    assert fake_arxiv.count("/") == 0


def test_check_passes_a_good_result_and_flags_a_bad_one(paper, capsys, tmp_path):
    good = tmp_path / "good.json"
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(paper._papers["2401.15884"].pdf_for(2))
    assert run(capsys, "summarize", "2401.15884", "--format", "json", "--out", str(good))[0] == 0
    assert run(capsys, "check", str(good), "--pdf", str(pdf))[0] == 0

    doc = json.loads(good.read_text())
    doc["qa"][0]["answer"] = "詳細は論文中で明記されていません。"
    doc["qa"][1]["evidence"][0]["quote"] = "This sentence was never written anywhere in the paper at all."
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False))
    code, out, _ = run(capsys, "check", str(bad), "--pdf", str(pdf), "--format", "json")
    findings = json.loads(out)
    assert code == 1
    assert {"item": 0, "code": "non_answer"} in [{"item": f["item"], "code": f["code"]} for f in findings]
    assert {"item": 1, "code": "quote_not_found"} in [{"item": f["item"], "code": f["code"]} for f in findings]


def test_check_prints_its_findings_in_japanese_with_english_codes(paper, capsys, tmp_path):
    # Given a result whose first answer says nothing and whose second quote was never in the paper
    good, pdf = tmp_path / "good.json", tmp_path / "p.pdf"
    pdf.write_bytes(paper._papers["2401.15884"].pdf_for(2))
    assert run(capsys, "summarize", "2401.15884", "--format", "json", "--out", str(good))[0] == 0
    doc = json.loads(good.read_text())
    doc["qa"][0]["answer"] = "詳細は論文中で明記されていません。"
    doc["qa"][1]["evidence"][0]["quote"] = "This sentence was never written anywhere in the paper at all."
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False))
    # When checked as text
    code, out, _ = run(capsys, "check", str(bad), "--pdf", str(pdf))
    # Then each finding is a Japanese line keeping its English code, and the exit code says "blocking"
    lines = out.splitlines()
    assert code == 1
    assert any(line.startswith("NG [0] non_answer: 回答が質問に答えていません（") for line in lines), out
    assert any(line.startswith("NG [1] quote_not_found: 引用が論文の該当ページに見つかりません（") for line in lines), out


def test_check_runs_exactly_the_checks_the_pipeline_runs(paper, capsys, tmp_path):
    # Given a result with a non-answer, a foreign quote and a mixed-style answer, and the paper's PDF
    from ronbun import pipeline
    from ronbun.models import ModelOutput

    good, pdf = tmp_path / "good.json", tmp_path / "p.pdf"
    pdf.write_bytes(paper._papers["2401.15884"].pdf_for(2))
    run(capsys, "summarize", "2401.15884", "--format", "json", "--out", str(good))
    doc = json.loads(good.read_text())
    doc["qa"][0]["answer"] = "詳細は論文中で明記されていません。"
    doc["qa"][1]["evidence"][0]["quote"] = "This sentence was never written anywhere in the paper at all."
    doc["qa"][2]["answer"] = doc["qa"][2]["answer"] + "これは重要である。"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False))
    # When `ronbun check --pdf` and the pipeline's own verification judge it
    _, out, _ = run(capsys, "check", str(bad), "--pdf", str(pdf), "--format", "json")
    by_check = {(f["item"], f["code"]) for f in json.loads(out)}
    result = Result.model_validate(doc)
    output = ModelOutput(one_liner=result.one_liner, one_liner_evidence=result.one_liner_sentences[0].evidence,
                         summary_sentences=result.summary_sentences, qa=result.qa)
    by_pipeline = {(f.item, f.code) for f in pipeline._blocking(output, result.paper, extract(pdf.read_bytes()))}
    # Then they find the same blocking problems
    assert {(0, "non_answer"), (1, "quote_not_found"), (2, "mixed_style")} <= by_pipeline
    assert by_pipeline <= by_check


def test_check_rejects_a_file_that_is_not_a_result(capsys, tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"hello": 1}')
    code, _, err = run(capsys, "check", str(f))
    assert code == 2 and "結果ドキュメントの形式ではありません" in err


def test_console_script_runs_as_a_real_process(paper, tmp_path):
    # Given the installed console script; When run with an invalid id; Then exit 2, Japanese, no traceback
    exe = Path(sys.executable).with_name("ronbun")
    proc = subprocess.run([str(exe), "summarize", "hep-th/99010011"], capture_output=True, text=True,
                          env={**os.environ}, timeout=60)
    assert proc.returncode == 2
    assert "arXiv の論文 ID" in proc.stderr and "Traceback" not in proc.stderr


def test_a_local_pdf_without_an_id_invents_no_url_and_is_not_fetched(fake_arxiv, capsys, tmp_path):
    # Given a local PDF whose title wraps onto a second line, and no arXiv id
    title = "A Remarkably Long Title About Retrieval That Certainly Wraps Onto The Next Line Of The Page"
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make_paper_pdf(title=title))
    code, out, err = run(capsys, "summarize", "--pdf", str(pdf))
    assert code == 0, err
    # Then the whole title is shown, no arXiv URL is made up, and nothing is "being fetched"
    assert out.startswith(f"# {title}\n")
    assert "arxiv.org/pdf/local" not in out and "URL: (ローカルの PDF)" in out
    assert "取得中" not in err and "抽出中" in err
    assert fake_arxiv.count("/") == 0
