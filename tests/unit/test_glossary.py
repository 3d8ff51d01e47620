"""glossary.py: accepted Japanese for ML terms, and the word-for-word renderings that betray
machine translation. Every trap in the data is exercised, so a bad entry fails here."""

import pytest

from ronbun import glossary

TRAPS = [(term.en, bad) for term in glossary.terms() for bad in term.bad]
TERMS = glossary.terms()


def test_the_glossary_holds_at_least_sixty_terms_each_with_an_accepted_rendering():
    assert len(TERMS) >= 60
    assert all(term.good for term in TERMS)
    assert len({term.en for term in TERMS}) == len(TERMS)


@pytest.mark.parametrize("en, bad", TRAPS, ids=[f"{en}:{bad}" for en, bad in TRAPS])
def test_each_word_for_word_rendering_is_found_in_a_sentence(en, bad):
    found = glossary.find_mistranslations(f"提案手法では{bad}を用いました。")
    assert any(word == bad and term_en == en for word, _, term_en in found)


@pytest.mark.parametrize("term", TERMS, ids=[t.en for t in TERMS])
def test_accepted_renderings_are_never_reported(term):
    text = "。".join(f"本研究では{good}を用いました" for good in term.good) + "。"
    assert glossary.find_mistranslations(text) == []


def test_a_finding_names_the_bad_word_the_accepted_word_and_the_english_term():
    assert glossary.find_mistranslations("単語の埋葬ベクトルを学習します。") == [("埋葬", "埋め込み", "embedding")]


@pytest.mark.parametrize("text, bad", [
    ("変圧器ベースのモデルを使います。", "変圧器"),
    ("迅速を工夫すると精度が上がります。", "迅速"),
    ("注目メカニズムで文脈を捉えます。", "注目メカニズム"),
    ("切除実験で各要素の寄与を調べました。", "切除実験"),
    ("代用貨幣の数は512です。", "代用貨幣"),
    ("回収拡張生成で幻覚を減らします。", "回収拡張生成"),
    ("想起率が向上しました。", "想起率"),
])
def test_the_traps_named_in_the_design_are_caught(text, bad):
    assert bad in [word for word, _, _ in glossary.find_mistranslations(text)]


@pytest.mark.parametrize("text", [
    "BERTを微調整します。",
    "BERTをファインチューニングします。",
    "知識蒸留で小さなモデルを学習します。",
    "勾配降下法で最適化します。",
    "注目すべき点は、精度が大きく向上したことです。",
    "推論を迅速に行えます。",
    "迅速な検索が可能です。",
    "AD変換器の出力を入力とします。",
    "より大きな言語モデルほど性能が高くなります。",
    "ハルシネーション(幻覚)を減らします。",
    "過剰適合を防ぐために正則化を使います。",
    "埋め込みを組み込みます。",
])
def test_ordinary_japanese_near_the_traps_is_accepted(text):
    assert glossary.find_mistranslations(text) == []


def test_prompt_lines_show_the_accepted_rendering_and_the_trap():
    lines = glossary.prompt_lines().splitlines()
    assert "embedding: 埋め込み / エンベディング (×埋葬)" in lines
    assert len(lines) == len(TERMS)


def test_prompt_lines_can_be_limited_to_the_first_terms():
    assert len(glossary.prompt_lines(limit=10).splitlines()) == 10
