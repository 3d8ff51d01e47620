"""number_not_in_source: list markers ("1.", "2)", "(3)", "①") and the answer's own small counts
("3つの", "2点", "第2に") are not numbers claimed about the paper; real numbers beside them are
still checked."""

from __future__ import annotations

import pytest

from ronbun.verify.numbers import claimed_numbers, missing_numbers, source_values

QUOTE = "We recorded 45 team registrations and received official submissions from 21 teams."


@pytest.mark.parametrize("text", [
    "1. データセットを作った。\n2. 難しいテストセットを作った。\n3. 評価した。",
    "- 1. 要約\n- 2. 分析",
    "１．画像を高解像度にする\n２．複数モデルを統合する",
    "1) 学習が簡単である。\n2) データが少なくてよい。",
    "主な発見：\n1）性能が低い。\n2）原文が長い。",
    "(1) 検索します。(2) 読みます。(3) 選びます。",
    "①質問をエンコードします。②内積を計算します。③読解します。",
    "共通点を4つ挙げます。1. アンサンブル 2. データ拡張 3. 高解像度入力",
    "1.ボルツマン方程式を解く 2.スペクトルを計算する",
    "結論は2点あります。1つ目は効果が小さいこと、2つ目は光学的深さです。",
    "手法は3つのステップからなります。第1に補間し、第2に分類します。",
    "評価は2段階で、上位3チームはアンサンブルを使いました。",
    "平均とSD、95% CIを示し、p < 0.05 で有意としています。",
])
def test_markers_and_counts_are_not_claims(text):
    assert missing_numbers(text, source_values([QUOTE])) == []


@pytest.mark.parametrize("text, missing", [
    ("1. 52チームが登録した。\n2. 21チームが提出した。", ["52"]),
    ("(1) Recall@20で41.2%向上しました。(2) 45チームです。", ["41.2"]),   # "Recall@20で41.2" is not an e-mail address
    ("①登録は45件、②提出は19件でした。", ["19"]),
    ("3つの段階があり、合計で137件の提出がありました。", ["137"]),
    ("第2に、約7万人のデータを用いています。", ["7万"]),
    ("improved by 12. The gain is large.", ["12"]),                         # a number ending a sentence is not a marker
    ("質量は約10^-25 eVです。", ["10^-25"]),                                 # a tiny number is not "about 0"
])
def test_real_numbers_beside_markers_are_checked(text, missing):
    assert [q.text for q in missing_numbers(text, source_values([QUOTE, "m = 0"]))] == missing


def test_an_inline_number_out_of_sequence_is_a_claim():
    # "1." and "2." run in order and are markers; "7." after "2." is not the next marker
    assert [q.text for q in claimed_numbers("1. 速い 2. 正確 7. 安い")] == ["7"]
