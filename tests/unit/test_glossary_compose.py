"""The principles that make the mistranslation check generalise beyond the terms it was written
with: literal renderings composed from each word's general-dictionary senses (also for terms of
the term lists that have no reviewed rendering), words that betray a machine translation on their
own versus words that count only where the text uses them as an ML term, and the counter-corpus
of good Japanese ML text that keeps the build honest."""

from pathlib import Path

import pytest

from ronbun import glossary
from tests.unit.test_glossary import _build_module, _FakeDictionary   # the build script, and JMdict without jamdict

ROOT = Path(__file__).resolve().parents[2]


def _bad(rows):
    return {r.split("\t")[0]: set(r.split("\t")[2].split("|")) for r in rows}


def test_a_gloss_is_found_without_its_notes_its_article_or_its_hyphen():
    build = _build_module()
    assert build._gloss_key("clipping (of newspaper article, etc.)") == "clipping"
    assert build._gloss_key("to transfer") == "transfer"
    assert build._gloss_key("Warm-up") == "warm up"
    assert "footprints" in build._forms("footprint") and "clip" in build._forms("clipping")
    assert "margin" in build._forms("marginal")


def test_a_term_of_the_term_lists_is_composed_from_the_reviewed_words_it_contains():
    """learning rate warmup is not reviewed; learning rate and warmup are: 学習率の準備運動 betrays it,
    because 準備運動 is a reviewed literal rendering of warmup."""
    build = _build_module()
    dic = _FakeDictionary(build, {"warmup": [("準備運動", 20, False)], "token": [("字句", 30, False)],
                                  "padding": [("詰め物", 30, False)]})
    seeds = [build.Seed("learning rate", ["学習率"], False), build.Seed("warmup", ["ウォームアップ"], False, [("準備運動", "")]),
             build.Seed("padding", ["パディング"], False, [("詰め物", "")]), build.Seed("token", ["トークン"], False)]
    seeds += build.read_term_lists(seeds, [_write(ROOT, "learning rate warmup\npadding token\n# heading\nwarmup\n")])
    assert [s.en for s in seeds if s.auto] == ["learning rate warmup", "padding token"]    # single words and known terms left out
    rows, _ = build.build(seeds, dic, good_text="")
    bad = _bad(rows)
    assert "学習率の準備運動" in bad["learning rate warmup"] and "学習率準備運動" in bad["learning rate warmup"]
    assert "詰め物トークン" in bad["padding token"]
    # the generated terms carry no accepted rendering of their own: glossary.terms() leaves them out
    assert [r.split("\t")[1] for r in rows if r.startswith(("learning rate warmup", "padding token"))] == ["", ""]


def _write(root, text):
    import tempfile
    f = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
    f.write(text)
    f.close()
    return Path(f.name)


def test_a_phrase_of_unreviewed_words_gets_no_trap_and_a_dictionary_word_for_the_whole_phrase_is_accepted():
    """blood culture: neither word has a reviewed entry, so 血液文化 cannot be told from 血液培養
    (the right one); a phrase JMdict has as one word (血液培養) is how Japanese says it."""
    build = _build_module()
    dic = _FakeDictionary(build, {"blood": [("血液", 5, False)], "culture": [("文化", 2, False), ("培養", 20, False)],
                                  "reward": [("褒美", 20, False)], "signal": [("合図", 10, False)],
                                  "reward signal": [("報酬信号", 99, False)]})
    seeds = [build.Seed("reward", ["報酬"], False), build.Seed("blood culture", [], False, auto=True),
             build.Seed("reward signal", [], False, auto=True)]
    rows, _ = build.build(seeds, dic, good_text="")
    bad = _bad(rows)
    assert "blood culture" not in bad
    assert "褒美合図" in bad["reward signal"] and "報酬信号" not in bad["reward signal"]
    assert "報酬合図" not in bad["reward signal"]      # signal is not reviewed: its senses alone betray nothing


def test_a_katakana_loanword_renders_a_word_and_a_head_noun_joins_with_na_or_no():
    """random forest: ランダム is how ML Japanese writes random, 森 (one kanji no ML term uses) is literal."""
    build = _build_module()
    dic = _FakeDictionary(build, {"random": [("ランダム", 10, True)], "forest": [("森", 2, False), ("森林", 4, False)]})
    rows, _ = build.build([build.Seed("random forest", ["ランダムフォレスト"], False)], dic, good_text="")
    assert {"ランダムな森", "ランダム森林", "ランダムな森林"} <= _bad(rows)["random forest"]


def test_a_of_b_is_also_rendered_in_japanese_order():
    build = _build_module()
    dic = _FakeDictionary(build, {"part": [("部分", 3, False)], "speech": [("話", 2, False), ("演説", 8, False)]})
    rows, _ = build.build([build.Seed("part-of-speech", ["品詞"], False)], dic, good_text="")
    assert {"話の部分", "演説の部分"} <= _bad(rows)["part-of-speech"]


def test_a_word_that_counts_alone_is_kept_out_when_good_japanese_ml_text_uses_it():
    build = _build_module()
    dic = _FakeDictionary(build, {})
    seeds = [build.Seed("threshold", ["閾値"], False, [("敷居", "")])]
    rows, report = build.build(seeds, dic, good_text="導入の敷居が低い手法です。")
    assert "敷居" not in _bad(rows)["threshold"]
    assert any("敷居" in r and "counts alone" in r for r in report)


# ------------------------------------------------------------ the committed glossary at run time

@pytest.mark.parametrize("text, bad", [
    ("生成には強欲な解読を使いました。", "強欲"),             # greedy: a trait, never a paper's subject or ML Japanese
    ("疎な報酬を補うため褒美を追加します。", "褒美"),         # reward: praise given
    ("モデルの僻みを補正する手法です。", "僻み"),             # bias: a feeling
    ("卑劣な平均精度で評価しました。", "卑劣"),               # mean (average precision): a trait
])
def test_a_trait_or_feeling_word_counts_on_its_own(text, bad):
    assert bad in [w for w, _, _ in glossary.find_mistranslations(text)]


@pytest.mark.parametrize("text", [
    "被験者の体重と身長を入力に用いました。", "熱帯の森の面積の変化を衛星画像で追跡します。",
    "室内の温度を制御する強化学習の応用です。", "人の頭の向きを推定します。", "各国のAI政策を調査した論文です。",
    "教育現場での生成AIの利用を調べています。", "大股で歩く人の歩行データを用いています。",
    # concrete things a paper may study: 合奏, 荷札, 川下, 詰め物, 検問所 in their own sense
    "オーケストラの合奏の録音から音源を分離します。",
    "倉庫で撮影した荷札の画像から宛先を読み取ります。", "川下の観測所の水位を予測するモデルです。",
    "歯の詰め物をX線画像から検出します。", "道路の検問所の映像から車両を数えます。",
])
def test_a_word_with_an_ordinary_sense_does_not_count_on_its_own(text):
    assert glossary.find_mistranslations(text) == []


@pytest.mark.parametrize("text, bad", [
    ("学習データの荷札ベクトルを予測します。", "荷札"),        # before an ML noun
    ("系列長をそろえるために詰め物トークンを追加します。", "詰め物"),
    ("学習中に一定間隔で検問所を保存しました。", "検問所"),    # the thing an ML operation acts on
    ("複数のモデルを合奏し、予測を平均します。", "合奏"),
])
def test_a_concrete_word_counts_where_the_text_uses_it_in_an_ml_slot(text, bad):
    assert bad in [w for w, _, _ in glossary.find_mistranslations(text)]


@pytest.mark.parametrize("text, bad", [
    ("特徴抽出の背骨としてResNet-50を用いています。", "背骨"),      # として … 用いる, with the name between
    ("第5節の寄付をまとめると次の通りです。", "寄付"),             # the paper's own section (contribution)
    ("画像はResNet50背骨で符号化します。", "背骨"),                # directly after a Latin-letter name
    ("各位置に9個の大股サイズを試しました。", "大股"),             # before an ML head noun
])
def test_a_word_with_an_ordinary_sense_counts_where_the_text_uses_it_as_an_ml_term(text, bad):
    assert bad in [w for w, _, _ in glossary.find_mistranslations(text)]


def test_a_trap_inside_an_accepted_rendering_written_there_does_not_count():
    """再現 is a dictionary sense of return and counts before 率 (回収率); inside 再現率 (recall) it is the right word."""
    assert any(w == "再現" for t in glossary._all_terms() for w in t.bad)
    assert glossary.find_mistranslations("適合率は0.82、再現率は0.89でした。") == []
    assert glossary.find_mistranslations("提案手法は回収率を改善しました。") != []


def test_the_term_lists_reach_the_check_without_becoming_glossary_terms():
    """Generated terms (no accepted rendering) find literal compounds but stay out of terms(), the prompt and the notes."""
    generated = [t for t in glossary._all_terms() if not t.good]
    assert len(generated) > 100 and all(t.bad for t in generated)
    assert all(t.good for t in glossary.terms())
    assert ("詰め物トークン", "padding token", "padding token") in glossary.find_mistranslations("詰め物トークンを追加します。")


@pytest.mark.parametrize("text", ["多様体重みの初期化を工夫します。", "報酬モデル誤り分析を行いました。", "物体重み行列を学習します。"])
def test_a_trap_that_starts_inside_an_accepted_rendering_is_two_ml_words_not_the_trap(text):
    """多様体|重み (manifold, weight) holds 体重 across the boundary of two right words."""
    assert glossary.find_mistranslations(text) == []


def test_accepted_renderings_of_two_terms_side_by_side_are_not_flagged():
    """Any two accepted renderings, written together or joined by の (a sample of 4,000 pairs)."""
    import random
    goods = sorted({g for t in glossary.terms() for g in t.good if len(g) >= 2})
    rnd = random.Random(7)
    flagged = []
    for _ in range(2000):
        a, b = rnd.sample(goods, 2)
        for joint in ("", "の"):
            text = f"本研究は{a}{joint}{b}を扱います。"
            if glossary.find_mistranslations(text):
                flagged.append(text)
    assert flagged == []
