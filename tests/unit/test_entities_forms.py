"""unsupported_entity: a name the paper has is found however the PDF text or the answer writes it
(line-end hyphens read both ways, accents, hyphens between capitals dropped, text whose spaces
the PDF lost, dash variants), generic words, units and notation are never names, and names the
paper lacks are still reported (a version written apart, initials the paper never writes)."""

from __future__ import annotations

import pytest

from ronbun.verify.entities import NameIndex, candidate_names, unsupported_names

PAPER = NameIndex([
    "We compare with a strong Lucene-\nBM25 system and the IC-\nDAR competition; the AutoScholar-\n"
    "Query set is ours. We thank Hal Daumé III and Florian Tramèr.\n"
    "We use MGP-RNN, TF-IDF and Legal-BERT, licensed under CC BY-NC. Dark energy models are common.\n"
    "YOLOv8[8].Trainingwasconductedover150epochsusingBCELosswithFocal-\nLoss, and mosaic augmentation.\n"
    "We cite SQuAD and LLaMA and the Dense Passage Retriever (DPR).",
])


@pytest.mark.parametrize("text", [
    "Lucene を比較対象にしています。",                 # "Lucene-\nBM25": the hyphen was there
    "Lucene-BM25 と比べています。",
    "ICDAR のコンペティションです。",                  # "IC-\nDAR": a word split at the line end
    "AutoScholarQuery と AutoScholar-Query",
    "Daumé らと Tramèr の助言に感謝しています。",     # accented Latin letters are letters of a name
    "Hal Daumé III の研究",
    "MGPRNN と TFIDF、LEGALBERT を使います。",       # hyphens dropped between capitals
    "MGP–RNN と MGP‑RNN",                             # en dash, non-breaking hyphen
    "BCELoss と Focal Loss を使っています。",          # text whose spaces the PDF lost
    "Llama と SQuAD を使います。",
])
def test_names_the_paper_has_are_found_however_written(text):
    assert unsupported_names(text, PAPER) == []


@pytest.mark.parametrize("text", [
    "Zero-Shot と Few-Shot、Fine-Tuning で評価し、State-of-the-Art を達成しました。",   # glossary terms
    "End-to-End で学習し、Human-in-the-Loop の評価も行いました。",                      # function words
    "Ablation と Baseline、Softmax、Cross-Entropy Loss を説明しています。",
    "Top-K と Top-10 の精度を報告しています。",                                           # ranks
    "Algorithm 1 と Theorem 2、Step 3、Part II を参照してください。",                    # document pointers
    "計算は 3.5 GHz、16 GiB、5 kWh、x4 の条件です。",                                     # units, multipliers
    "損失は $\\mathrm{softmax}(QK^T/\\sqrt{d_k})$ と $L_2$ 正則化、\\alpha を使います。",  # LaTeX
    "L2 正則化と N-gram、X-ray を使います。",
    "Smith et al. と Jonesらの研究を引用しています。",                                  # authors cited
    "### Overview\n提案手法は高速です。\n**Key Findings**: 精度が高い\n**Answer:** 二つです。",  # headings, labels
    "TL;DR: 宇宙年齢は 13.8 Gyr、試料は 5 mL です。",
])
def test_generic_words_units_notation_and_citations_are_never_names(text):
    assert unsupported_names(text, PAPER) == []


@pytest.mark.parametrize("text, missing", [
    ("評価には「Llama 3」が使われました。", ["Llama 3"]),          # a version written apart is the name's
    ("SQuAD 2.0データセットで評価しています。", ["SQuAD 2.0"]),
    ("Mask R‑CNN を使います。", ["Mask R-CNN"]),                   # a non-breaking hyphen joins the name
    ("Lex Fusion と Pixel Search を使います。", ["Lex Fusion", "Pixel Search"]),   # initials the paper never writes
    ("Daumé-Net を使います。", ["Daumé-Net"]),
    ("BCELOSS2 と FocalNet を使います。", ["BCELOSS2", "FocalNet"]),
    ("- 手法: Kaggle dataset\n- 評価: 精度", ["Kaggle"]),         # a list entry, not an English sentence
    ("- **Wikipedia** の記事と\n- HotpotQA: 45%", ["Wikipedia", "HotpotQA"]),   # bold or a label, still a name
])
def test_names_the_paper_lacks_are_still_reported(text, missing):
    assert unsupported_names(text, PAPER) == missing


def test_a_score_after_a_metric_is_not_a_version():
    assert candidate_names("F1 88.5 と BLEU 3.2ポイント、EM 2.5の向上") == ["F1", "BLEU", "EM"]
    assert candidate_names("GPT 4 と Gemini 1.5の性能") == ["GPT 4", "Gemini 1.5"]


def test_a_name_in_a_pdf_that_lost_its_ligatures_is_found():
    index = NameIndex(["We use E cientNet features and a Con dence Net head."])   # "fi", "ffi" had no Unicode
    assert unsupported_names("EfficientNet と Confidence Net を使います。", index) == []
    assert unsupported_names("EfficientDet を使います。", index) == ["EfficientDet"]


def test_initials_count_only_when_the_paper_writes_them_as_an_acronym():
    index = NameIndex(["Let l f be the loss and P S the power spectrum. Dense Passage Retrieval (DPR) is ours."])
    assert unsupported_names("Lex Fusion と Pixel Search を使います。", index) == ["Lex Fusion", "Pixel Search"]
    assert unsupported_names("Dense Passage Retriever と Large Language Models", index) == []
