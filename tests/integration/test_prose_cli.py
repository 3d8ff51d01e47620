"""`ronbun check --pdf` and the pipeline hold quotes to the paper's body prose: a running head
glued to a sentence, a caption or text inside a figure is `quote_not_body`."""

import json

import pytest

from ronbun.cli import main
from ronbun.models import Result
from tests.fakes.pdfs import MARKED_SCREENSHOT, make_marked_paper_pdf

HEAD_QUOTE = "Sparse Routing Preprint Table 1: Results on the multilingual benchmark"
CAPTION_QUOTE = "Figure 1: Accuracy of sparse routing and dense fine-tuning over training steps."
BODY_QUOTE = "Each transformer layer contains a shared feed-forward block and a pool of sixteen adapters."


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def marked_pdf(tmp_path):
    pdf = tmp_path / "marked.pdf"
    pdf.write_bytes(make_marked_paper_pdf())
    return pdf


def test_check_pdf_flags_quotes_of_a_running_head_a_caption_and_figure_text(marked_pdf, capsys, tmp_path):
    good = tmp_path / "good.json"
    code, _, err = run(capsys, "summarize", "--pdf", str(marked_pdf), "--engine", "offline",
                       "--format", "json", "--out", str(good))
    assert code == 0, err
    assert run(capsys, "check", str(good), "--pdf", str(marked_pdf))[1].startswith("問題は見つかりませんでした")

    doc = json.loads(good.read_text())
    assert len(doc["qa"]) >= 3
    for item, (page, quote) in zip(doc["qa"], [(3, HEAD_QUOTE), (2, CAPTION_QUOTE), (2, MARKED_SCREENSHOT)]):
        item["evidence"] = [{"page": page, "quote": quote}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False))
    code, out, _ = run(capsys, "check", str(bad), "--pdf", str(marked_pdf))
    assert code == 1
    assert "問題は見つかりませんでした" not in out
    for i in range(3):
        assert f"NG [{i}] quote_not_body" in out


def test_pipeline_drops_model_answers_that_quote_a_caption_or_a_running_head(fake_arxiv, fake_openai, capsys):
    fake_arxiv.add_paper("2401.15884", title="Sparse Adapter Routing", pdf=make_marked_paper_pdf())
    qa = [
        {"question": "各層はどのような構成ですか?",
         "answer": "各 Transformer 層は共有のフィードフォワードブロックとアダプタのプールで構成されています。",
         "evidence": [{"page": 2, "quote": BODY_QUOTE}]},
        {"question": "学習の進み方はどう比較されていますか?",
         "answer": "スパースなルーティングは密なファインチューニングより速く収束すると図で示されています。",
         "evidence": [{"page": 2, "quote": CAPTION_QUOTE}]},
        {"question": "ベンチマークの結果はどこにまとめられていますか?",
         "answer": "多言語ベンチマークの結果は表にまとめられています。",
         "evidence": [{"page": 3, "quote": HEAD_QUOTE}]},
    ]
    output = {"one_liner": "本論文は、入力ごとに少数の言語別アダプタを選ぶスパースなルーティング手法を提案しています。",
              "one_liner_evidence": [{"page": 2, "quote": BODY_QUOTE}],
              "summary_sentences": [{"text": text, "evidence": [{"page": 2, "quote": BODY_QUOTE}]} for text in (
                  "本論文は多言語要約の計算量を減らす手法を提案しています。", "ルーターが入力に関係するアダプタだけを選びます。",
                  "評価では密なモデルより少ない計算で同等以上の品質を示しています。")],
              "qa": qa}
    fake_openai.enqueue("custom", output=output, times=2)
    code, out, err = run(capsys, "summarize", "2401.15884", "--format", "json")
    assert code == 0, err
    result = Result.model_validate_json(out)
    assert [item.evidence[0].quote for item in result.qa] == [BODY_QUOTE]
    dropped = {(f.item, f.code) for f in result.quality.dropped}
    assert {(1, "quote_not_body"), (2, "quote_not_body")} <= dropped
    assert len(fake_openai.calls) == 2                      # one repair round was asked for
    repair = fake_openai.calls[1]["messages"][-1]["content"]
    assert "本文の文章ではありません" in repair
