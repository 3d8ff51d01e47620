"""The single-word ML vocabulary (rule 7 of tools/build_glossary.py): every word of the glossary's and the
term lists' terms (shard, bagging, ...) gets its dictionary senses as traps that count in an ML slot only."""

from __future__ import annotations

from ronbun import glossary
from tests.unit.test_glossary import _build_module      # the build script, loaded by its path


def _found(text: str) -> list[str]:
    return [bad for bad, _, _ in glossary.find_mistranslations(text)]


def test_a_single_ml_word_rendered_by_its_dictionary_sense_is_found_in_an_ml_slot():
    assert "切れ端" in _found("文書を短い切れ端に分割し、各ワーカーが別々の切れ端を読み込む構成になっている。")


def test_the_same_word_in_its_ordinary_sense_is_not_flagged():
    assert "切れ端" not in _found("工場で出た布の切れ端の画像を、素材ごとに分類しています。")


def test_a_concrete_reviewed_word_counts_only_in_an_ml_slot():
    assert "蝶番" not in _found("蝶番のついた扉や引き出しの操作をロボットに学習させています。")
    assert "蝶番" in _found("SVMと同様に蝶番を適用し、正例と負例のスコアの差を広げます。")


def test_main_is_not_the_papers_own_frame_for_a_general_word():
    assert _found("計算量を抑えたままパラメータ数を増やせることが主な利点です。") == []


def test_the_vocabulary_is_the_words_of_the_terms_without_function_words():
    build = _build_module()
    seeds = build.read_seed()
    words = {s.en for s in build.read_single_words(seeds)}
    assert {"fragment", "hinge", "landscape"} <= words
    assert not words & {"over", "between", "the", "of"}
    assert not words & {s.en.lower() for s in seeds}       # a reviewed entry is not generated again
    assert all(s.single and s.auto and not s.good for s in build.read_single_words(seeds))


def test_a_rare_dictionary_sense_of_a_reviewed_term_counts_in_an_ml_slot():
    # 基準線 has no JMdict priority tag, but a translator picks it for "baseline"
    assert "基準線" in _found("標準的なファインチューニングを基準線として比較し、すべてのタスクで上回った。")
    assert "基準線" not in _found("測量では、基準線からの距離を各地点で記録しています。")


def test_the_object_of_an_optimisation_is_an_ml_slot():
    assert "余白" in _found("クラス間の余白を最大化する超平面を求めることで、汎化性能を高めます。")
    assert "余白" not in _found("ページの余白にある手書きの書き込みを検出する手法を提案しています。")


def test_a_word_is_also_rendered_through_its_relatives():
    build = _build_module()
    assert "regular" in build._relatives("regularization")
    assert "emergency" in build._relatives("emergent")
    assert "drop out" in build._relatives("dropout") and "base line" in build._relatives("baseline")
    assert build._relatives("token") == []
    terms = {t.en: t for t in glossary._all_terms()}
    assert "定期" in terms["regularization"].bad and "緊急" in terms["emergent"].bad
    assert "定期" not in _found("毎年の定期検診のデータから、疾患の発症を予測しています。")
