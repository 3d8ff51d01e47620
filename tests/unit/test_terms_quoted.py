"""mistranslation by the evidence: a term the quote writes, rendered in the answer with an
everyday word the dictionary gives for it instead of an accepted rendering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ronbun.models import Evidence, QAItem
from ronbun.verify import check_qa_item
from ronbun.verify.terms import _senses, literal_renderings, quoted_terms, word_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("answer, quote, word", [
    # traps that are ordinary Japanese elsewhere, so the glossary alone lets them pass here
    ("各層の後に落ちこぼれを0.1の確率で使います。", "We use dropout with probability 0.1 after each layer.", "落ちこぼれ"),
    ("詰め物を系列の末尾に足して長さを揃えます。", "We add padding tokens to the end of each sequence.", "詰め物"),
    ("大きな余白をもつ分類器を得るため、蝶番の損失を使いました。", "We use a hinge loss to obtain a large-margin classifier.", "蝶番"),
    ("応答の潜伏期間が短くなりました。", "The response latency decreased.", "潜伏"),
    # words the dictionary gives for a one-word term of the quote (data/term_senses.tsv)
    ("すべてのモデルは90時代にわたって学習された。", "All models are trained for 90 epochs.", "時代"),
    ("各層の後に一括正規化を適用しています。", "We apply batch normalization after each layer.", "一括"),
])
def test_a_quoted_term_rendered_by_an_everyday_word_is_found(answer, quote, word):
    found = [w for w, _, _ in literal_renderings(answer, [quote])]
    assert len(found) == 1 and word in found[0]          # 一括正規化 holds 一括: reported once


@pytest.mark.parametrize("answer, quote", [
    ("各層の後にドロップアウトを0.1の確率で使います。", "We use dropout with probability 0.1 after each layer."),  # accepted
    ("各層の後にdropoutを0.1の確率で使います。", "We use dropout with probability 0.1 after each layer."),      # English kept
    ("検索の背景について説明します。", "In this context, retrieval matters."),          # a general word: needs an ML compound
    ("同じものを別の言葉で表すと見つけられません。", "Synonyms with different words are missed."),
    ("著者らは2つの理由を挙げています。", "The authors give two reasons."),             # reasons is not reasoning
    ("応答の潜伏期間が短くなりました。", "The response time decreased."),                # the quote has no such term
    ("落ちこぼれを減らす教育政策を分析しました。", ""),                                  # no quote: the glossary's job
    ("人手評価は5段階の尺度で行われました。", "Human ratings on a 5-point scale; scaling the model helps."),   # scale is not scaling
    ("将来の研究課題として挙げています。", "They list this as future work."),             # a word of a longer term
    ("文脈に応じて正規化の仕方を変えます。", "We vary the normalization with the context."),  # accepted renderings
])
def test_accepted_renderings_general_words_and_other_quotes_pass(answer, quote):
    assert literal_renderings(answer, [quote]) == []


@pytest.mark.parametrize("answer, quote, hit", [
    # a compound of a multiword term with a word of its own for one of the term's words, beside a
    # piece of the accepted rendering (報酬 of 報酬モデル; 模範 is an everyday "model")
    ("報酬模範は人間の選好データで学習されます。", "The reward model is trained on human preference data.", "報酬模範"),
    ("知識図表を構築して質問に答えます。", "We construct a knowledge graph to answer questions.", "知識図表"),
    # a gloss that differs from the term's word only in its ending counts ("estimat" for "estimation")
    ("パラメータは最大見込み推定で求めています。", "Parameters are fitted by maximum likelihood estimation.", "最大見込"),
    # the accepted rendering and a variant with a one-character suffix are not such compounds
    ("報酬モデルは人間の選好データで学習されます。", "The reward model is trained on human preference data.", None),
    ("教師モデルから知識蒸留法で学習します。", "We train it by knowledge distillation from a teacher.", None),
    # a compound for another term (報酬関数: reward function) does not render this one
    ("報酬関数は人間の選好データで学習されます。", "The reward model is trained on human preference data.", None),
])
def test_a_compound_with_a_literal_word_of_its_own_is_found(answer, quote, hit):
    assert [w for w, _, _ in literal_renderings(answer, [quote])] == ([hit] if hit else [])


def test_word_forms_keep_different_words_apart():
    assert word_form("fine-tuned".split("-")[1]) == word_form("tuning")
    assert word_form("tokens") == word_form("token")
    assert word_form("rater") != word_form("rate")
    assert word_form("objective") != word_form("object")
    assert {"fine-tuning", "dropout"} <= {t.en for t in quoted_terms(["We fine-tune the model with dropout."])}
    assert "reasoning" not in {t.en for t in quoted_terms(["The authors give two reasons."])}


def test_the_item_check_reports_it_as_a_blocking_mistranslation():
    item = QAItem(question="正則化はどうしていますか？", answer="各層の後に落ちこぼれを0.1の確率で使います。",
                  evidence=[Evidence(page=1, quote="We use dropout with probability 0.1 after each layer.")])
    found = [f for f in check_qa_item(0, item) if f.code == "mistranslation"]
    assert found and found[0].blocking and "落ちこぼれ" in found[0].message and "dropout" in found[0].message
    other = item.model_copy(update={"evidence": [Evidence(page=1, quote="We regularise each layer with probability 0.1.")]})
    assert not [f for f in check_qa_item(0, other) if f.code == "mistranslation"]


def test_the_sense_table_keeps_words_in_ing_apart():
    assert "時代" in _senses()["epoch"]
    assert "尺度" not in _senses().get("scal+ing", ())


def test_committed_sense_table_is_what_the_build_script_makes():
    pytest.importorskip("jamdict")     # build-time only (tools/requirements-glossary.txt)
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_term_senses.py"), "--check"], cwd=ROOT)
    assert r.returncode == 0, "shared/ronbun/data/term_senses.tsv is stale: run tools/build_term_senses.py"


@pytest.mark.parametrize("quote, flagged", [
    ("We use focal modulation networks as the backbone of the detector.", False),   # 変調 renders "modulation"
    ("We use an anomaly scoring network as the backbone of the detector.", True),   # the quote writes the term
    ("Backbone: see Table 2.", True),                                               # too little English to tell
])
def test_a_trap_that_renders_another_word_of_the_quote_is_not_a_mistranslation(quote, flagged):
    item = QAItem(question="バックボーンは何ですか？", answer="焦点変調ネットワークをバックボーンに使います。",
                  evidence=[Evidence(page=1, quote=quote)])
    assert bool([f for f in check_qa_item(0, item) if f.code == "mistranslation"]) == flagged


ANCHOR = ["At each location, the detection head places anchor boxes with three aspect ratios."]


@pytest.mark.parametrize("answer, flagged", [
    ("検出ヘッドは各位置に錨の箱を3種類配置します。", True),            # anchor (ship's) + box, joined by の
    ("検出ヘッドは各位置にアンカーボックスを3種類配置します。", False),  # the accepted rendering
    ("検出ヘッドは各位置に錨の箱を置き、アンカーボックスと呼びます。", False),  # the accepted rendering is there too
    ("検出ヘッドは各位置に3種類の枠を配置します。", False),            # one word for both: not word for word
])
def test_a_multiword_term_rendered_word_by_word_with_a_joint(answer, flagged):
    assert bool(literal_renderings(answer, ANCHOR)) == flagged


def test_a_joined_variant_of_the_accepted_rendering_is_not_literal():
    # 学習の率 shares every kanji with 学習率: a clumsy variant, not the everyday sense of a word
    assert not literal_renderings("学習の率を0.1に設定しました。", ["We set the learning rate to 0.1."])
