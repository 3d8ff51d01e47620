"""Punctuation and truncation: a Japanese sentence ends in 。 (a model's "." or "．" is
normalised), Japanese text uses ？ ！ （ ）, and `truncated` means cut off, never "ends with a
Western period". The pipeline normalises the model's text (and its repair) before the checks."""

import pytest

from ronbun import verify
from ronbun.ids import parse_id
from ronbun.models import ModelOutput, QAItem
from ronbun.pipeline import summarize
from tests.fakes.pdfs import make_paper_pdf

norm = verify.normalize_ja_punctuation


# ------------------------------------------------------------------ the normaliser

@pytest.mark.parametrize("raw, expected", [
    ("提案手法はBM25を上回ります.", "提案手法はBM25を上回ります。"),
    ("精度は78.4%です. 学習率は0.001です．", "精度は78.4%です。学習率は0.001です。"),
    ("本研究はDPRを提案する.", "本研究はDPRを提案する。"),
    ("手法名はDPR.次にBM25と比べます.", "手法名はDPR。次にBM25と比べます。"),
    ("なぜ有効なのですか?", "なぜ有効なのですか？"),
    ("精度が19ポイントも上がります!", "精度が19ポイントも上がります！"),
    ("本当にBM25より良いのですか?!", "本当にBM25より良いのですか？！"),
    ("密ベクトル検索 (DPR) を提案します.", "密ベクトル検索（DPR）を提案します。"),
    ("BERT (base, uncased) を使います.", "BERT（base, uncased）を使います。"),
    ("(1) 前処理 (2) 学習", "（1）前処理（2）学習"),
    ("「密な検索.」と呼びます.", "「密な検索。」と呼びます。"),
])
def test_japanese_sentences_get_japanese_punctuation(raw, expected):
    assert norm(raw) == expected


@pytest.mark.parametrize("text", [
    "The paper proposes DPR. It beats BM25!",                         # no Japanese at all
    "「The index holds 1.3M vectors.」と書かれています。",                # an English quotation
    "原文は The index holds 1.3M vectors. と書いています。",             # an English clause
    "詳細は https://github.com/facebookresearch/DPR.git?tab=readme を参照してください。",
    "`model.encode(x)`を呼びます。",                                   # code
    "精度は3.5ポイント向上し、Karpukhin et al. の結果と一致します。",      # a decimal and et al.
    "Fig. 3に示すように精度が向上します。",
    "関数f(x)を最小化します。",                                         # maths keeps its parentheses
    "精度は上がります…",                                               # an ellipsis is not a period
])
def test_english_quotes_urls_code_numbers_and_names_are_left_alone(text):
    assert norm(text) == text


def test_normalising_is_idempotent_and_keeps_complete_text():
    once = norm("精度は78.4%です. 次に (表3) を見ます?")
    assert norm(once) == once == "精度は78.4%です。次に（表3）を見ます？"


def test_generated_output_is_normalised_but_the_quotes_are_not():
    out = ModelOutput(one_liner="DPRを提案します.", one_liner_evidence=[],
                      summary_sentences=[{"text": "BM25を上回ります.", "evidence": []}],
                      qa=[QAItem(question="何が新しいですか?", answer="密ベクトルだけで検索します.",
                                 evidence=[{"page": 1, "quote": "We train a model with 1.3B parameters."}])])
    fixed = verify.normalize_generated(out)
    assert (fixed.one_liner, fixed.summary) == ("DPRを提案します。", "BM25を上回ります。")
    assert (fixed.qa[0].question, fixed.qa[0].answer) == ("何が新しいですか？", "密ベクトルだけで検索します。")
    assert fixed.qa[0].evidence[0].quote == "We train a model with 1.3B parameters."
    assert out.one_liner == "DPRを提案します."        # the input is not changed


# ------------------------------------------------------------------ truncated means cut off

@pytest.mark.parametrize("text", [
    "提案手法はBM25を上回ります.",
    "提案手法はBM25を上回ります．",
    "本研究はDPRを提案する.",
    "The retriever reaches 78.4% top-20 accuracy.",
    "精度は78.4%です.",
    "本当に有効でしょうか？",
    "大幅に改善します!",
    "手法名は「DPR」",
    "精度は78.4%です（表3）",
    "それは既存の手法ですが。",
    "・BM25\n・DPR\n・ORQA",                                          # a list of names, no periods
    "1. データの前処理\n2. モデルの学習\n3. テストセットでの評価",
    "次の5つです。\n1. Natural Questions（NQ）\n2. TriviaQA\n3. SQuAD v1.1",    # a bracket ends a noun item, not a sentence
    "共通点を3つ挙げます。1. アンサンブル 2. データ拡張 3. 高解像度入力",       # a list on one line
    "① Recall@20で37.78%改善 ② Recall@50で39.90%改善",
])
def test_a_complete_sentence_or_list_is_not_truncated(text):
    assert not verify.is_truncated(text)


@pytest.mark.parametrize("text", [
    "上位20件の精度で78.4%に達し、",                  # a dangling comma
    "評価には2つのデータセットを",                     # a dangling particle
    "評価には2つのデータセットを。",                   # a particle with a period pasted after it
    "手法の詳細については",
    "本手法は…",
    "The model reaches 78.4% accur",                 # mid-word
    "学習には「Natural Questions",                   # an unclosed 「
    "精度は（表3",                                    # an unclosed （
    "1. DPRです。\n2. BM25です。\n3.",                 # a list that stops before an item
    "1. BM25（疎ベクトル検索）\n2. ORQA\n3. ",
    "1. DPRです。\n2. BM25の",                        # the last item stops mid-sentence
    "次の通りです。\n・「DPRです。」\n・「BM25です",        # sentences in brackets: the last one is cut
    "共通点は1. アンサンブル 2. データ拡張の",                 # a list on one line, its last item cut
    "精度は3.5 と 4.2 です",                                   # numbers, not a list: no final mark
    "1. データの前処理\n2. モデルの学習\n3. テストセットでの評",  # the last item stops mid-word
])
def test_text_that_is_cut_off_is_truncated(text):
    assert verify.is_truncated(text)


def test_an_answer_ending_with_a_western_period_is_not_reported_as_cut_off():
    item = QAItem(question="学習率は?", answer="AdamWで学習率0.0003を使います.",
                  evidence=[{"page": 1, "quote": "using a learning rate of 0.0003 and a batch size of 256"}])
    assert "truncated" not in {f.code for f in verify.check_qa_item(0, item)}


# ------------------------------------------------------------------ in the pipeline

QUOTE = "To avoid collapse to a single adapter we add a balancing loss with coefficient 0.01."
ONE_LINER = "言語ごとのアダプタを少数だけ選ぶことで、多言語要約の計算量を減らす手法を提案しています."
SUMMARY = ("本論文は、入力文書ごとに少数のアダプタを選ぶスパースなアダプタ選択を提案しています. ",
           "ルータはアダプタと同時に学習されます.")


def _output(answer: str) -> dict:
    return {"one_liner": ONE_LINER, "one_liner_evidence": [{"page": 1, "quote": QUOTE}],
            "summary_sentences": [{"text": s, "evidence": [{"page": 1, "quote": QUOTE}]} for s in SUMMARY],
            "qa": [{"question": "なぜバランス損失を加えるのですか?", "answer": answer,
                    "evidence": [{"page": 1, "quote": QUOTE}]}]}


def test_the_pipeline_normalises_the_model_text_before_checking_it(fake_openai):
    fake_openai.enqueue("custom", output=_output("アダプタが1つに偏るのを防ぐため、係数0.01のバランス損失を加えます."))
    result = summarize(parse_id("2401.15884"), pdf_bytes=make_paper_pdf(pages=1), engine="openai")
    assert result.one_liner.endswith("提案しています。") and "。ルータ" in result.summary
    [item] = result.qa
    assert item.question == "なぜバランス損失を加えるのですか？"
    assert item.answer.endswith("加えます。") and item.evidence[0].quote == QUOTE
    assert result.quality.dropped == [] and len(fake_openai.calls) == 1


def test_the_repair_output_is_normalised_too(fake_openai):
    fake_openai.enqueue("custom", output=_output("文脈からは明らかではありません."))
    fake_openai.enqueue("custom", output=_output("アダプタが1つに偏るのを防ぐため、係数0.01のバランス損失を加えます."))
    result = summarize(parse_id("2401.15884"), pdf_bytes=make_paper_pdf(pages=1), engine="openai")
    assert len(fake_openai.calls) == 2 and result.quality.repaired == 1
    assert [item.answer for item in result.qa] == ["アダプタが1つに偏るのを防ぐため、係数0.01のバランス損失を加えます。"]


def test_mixed_style_sees_sentences_that_end_with_a_western_period():
    assert verify.off_style_sentences("本研究はDPRを提案する. 精度は78.4%です.", "dearu") == ["精度は78.4%です。"]


def test_english_glosses_after_japanese_terms_do_not_count_as_english():
    from ronbun.verify import japanese_ratio

    text = "主な用語：密ベクトル検索（dense retrieval）、埋め込み(embedding)、対照学習（contrastive learning）、知識蒸留(knowledge distillation)"
    assert japanese_ratio(text) == 1.0
    assert japanese_ratio("This is an English sentence (really) with 少し日本語") < 0.5
