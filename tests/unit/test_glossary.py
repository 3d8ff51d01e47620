"""glossary.py: accepted Japanese for ML terms, the word-for-word renderings that betray machine
translation, and the English shown once beside the Japanese. Every trap in the data is exercised,
so a bad entry fails here; good Japanese ML prose must never be flagged."""

import re
from pathlib import Path

import pytest

from ronbun import glossary
from ronbun.models import QAItem
from ronbun.verify import check_qa_item

ROOT = Path(__file__).resolve().parents[2]
TERMS = glossary.terms()
TRAPS = [(term.en, bad, rule) for term in TERMS for bad, rule in zip(term.bad, term.rules)]

# Sentences of the kind a good answer contains, written to sit next to the traps: the general
# words that are also literal renderings (注目, 精密, 偏見, 喪失, 特色, 表情, 重量, 体重, 紙, 模型 ...)
# used in their ordinary, correct senses, and the accepted terms themselves.
GOOD_ANSWERS = [
    "注目すべき点は、提案手法が従来手法を大きく上回ったことです。",
    "本研究は、長い文脈での推論に注目しています。",
    "精密機械の故障予測に機械学習を応用しました。",
    "精密な測定によって、誤差が小さいことを確かめました。",
    "大規模言語モデルが持つ社会的偏見を評価しています。",
    "性別に関する偏見を含む出力の割合は12%でした。",
    "量子化による情報の喪失を抑える工夫をしています。",
    "本手法の特色は、追加の学習を必要としない点です。",
    "顔の表情認識のデータセットで評価しました。",
    "車両の重量と速度から燃費を予測します。",
    "被験者の身長と体重から健康状態を推定するモデルです。",
    "紙の文書をスキャンした画像から文字を認識します。",
    "手書き文字を紙に書いてもらい、その画像を収集しました。",
    "鉄道模型の画像を使った実験も行いました。",
    "学習率を0.001に設定し、AdamWで最適化しました。",
    "Transformerのアテンション機構を用いて文脈を捉えます。",
    "自己注意によって系列内の依存関係をモデル化します。",
    "単語埋め込みの次元数は768です。",
    "知識蒸留により、小さな生徒モデルを教師モデルから学習します。",
    "正則化と早期終了で過学習を防いでいます。",
    "再現率と適合率の両方が向上しました。",
    "F1スコアは0.87で、ベースラインより高い値です。",
    "交差エントロピー損失を最小化するように学習します。",
    "重みとバイアスは正規分布で初期化しています。",
    "ノイズに対して頑健な表現を学習できることを示しました。",
    "提案手法はロバスト性の面でも優れていました。",
    "潜在空間での補間により、滑らかな画像生成が可能です。",
    "データ拡張を加えると汎化性能が改善しました。",
    "アブレーション実験で各構成要素の寄与を調べました。",
    "この論文は、検索拡張生成の評価方法を提案しています。",
    "本論文では、事前学習済みモデルを下流タスクに転移します。",
    "追加のパラメータは全体の0.1%にすぎません。",
    "部分空間に射影してから分類器に入力します。",
    "指数関数的に計算量が増える問題を回避します。",
    "伝達関数の推定にニューラルネットワークを用います。",
    "深い層ほど抽象的な特徴を捉えると述べています。",
    "著者らは、上位層の表現が意味的な情報を持つと報告しています。",
    "従来手法と提案方式の違いは、検索の順序にあります。",
    "パラメータ総数は70億です。",
    "指示通りに回答できた割合は85%でした。",
    "注意機構の重みを可視化すると、主語に注目していることが分かります。",
    "モデルの機能を損なわずに圧縮できます。",
    "構造学習の手法と比較しました。",
    "秘密共有を用いたプライバシー保護学習も議論しています。",
    "ベイズ推定による不確実性の評価を行っています。",
    "この紙幣画像データセットは公開されています。",
    "モデルの予測と正解ラベルの一致率を報告しています。",
    "方策勾配法で報酬を最大化するように学習します。",
    "コードはGitHubで公開されています。",
    "計算コストは従来の半分です。",
]


def test_the_glossary_holds_at_least_four_hundred_terms_each_with_an_accepted_rendering():
    assert len(TERMS) >= 400
    assert all(term.good for term in TERMS)


def test_english_keys_are_unique():
    keys = [term.en.lower() for term in TERMS]
    assert len(set(keys)) == len(keys), sorted({k for k in keys if keys.count(k) > 1})


def test_no_bad_rendering_is_an_accepted_rendering_of_any_term():
    accepted = {g for term in TERMS for g in term.good}
    assert sorted({bad for _, bad, _ in TRAPS} & accepted) == []


def test_every_rule_compiles_and_names_its_word():
    for en, bad, rule in TRAPS:
        re.compile(rule)
        # a trap is looked for only where its word occurs, so its rule must need the word
        assert bad in rule.replace("\\", ""), f"{en}: the rule for {bad} does not contain the word"


def _examples(bad: str) -> list[str]:
    frames = ["提案手法では{b}を用いました。", "この{b}では新しい手法を提案します。", "{b}率が向上しました。",
              "{b}が向上しました。", "{b}項を加えます。", "{b}性を高めます。", "{b}を最小化します。",
              "{b}セットで評価しました。", "{b}は0.5です。", "12個の{b}を使います。", "{b}で隠します。",
              "対数{b}を最大化します。", "グラフの{b}を使います。", "{b}平均を使います。",
              "10{b}の学習を行いました。", "この{b}では手法を示します。", "コードを{b}しました。"]
    return ([f.format(b=bad) for f in frames] + [f"{bad}{head}を用いました。" for head in glossary.HEADS]
            + NARROW_EXAMPLES)


# sentences for reviewed rules that none of the frames above fit
NARROW_EXAMPLES = ["小説的な手法を提案します。", "LSTM細胞を使います。", "忘却門を使います。", "モデルを配備します。",
                   "ミニ一団サイズは32です。", "GANの発電機と差別器を学習します。", "線形退行で予測します。",
                   "潜伏時間は20msです。", "GitHubの倉庫で公開しています。", "本測量論文では200本を扱います。",
                   "準備運動ステップを設けます。", "勢い項を加えたSGDです。", "伝言パッシングを行います。",
                   "探検と搾取のバランスを取ります。", "キーと価値ベクトルを計算します。"]


@pytest.mark.parametrize("term", TERMS, ids=[t.en for t in TERMS])
def test_each_word_for_word_rendering_is_found_in_a_sentence(term):
    missed = [bad for bad, rule in zip(term.bad, term.rules)
              if not any((bad, term.en) in [(w, e) for w, _, e in glossary.find_mistranslations(text)]
                         for text in _examples(bad) if re.search(rule, text))]
    assert missed == []


@pytest.mark.parametrize("term", TERMS, ids=[t.en for t in TERMS])
def test_accepted_renderings_are_never_reported(term):
    text = "。".join(f"本研究では{good}を用いました" for good in term.good) + "。"
    assert glossary.find_mistranslations(text) == []


def test_no_trap_fires_on_any_accepted_rendering_of_any_term():
    every = "。".join(f"{good}を用いました" for term in TERMS for good in term.good) + "。"
    every += "".join(f"{good}、" for term in TERMS for good in term.good)
    assert glossary.find_mistranslations(every) == []


@pytest.mark.parametrize("text", GOOD_ANSWERS)
def test_good_answers_are_not_flagged(text):
    assert glossary.find_mistranslations(text) == []


def test_the_digest_golden_file_is_not_flagged():
    assert glossary.find_mistranslations((ROOT / "tests/golden/digest.md").read_text(encoding="utf-8")) == []


def test_a_finding_names_the_bad_word_the_accepted_word_and_the_english_term():
    # the word first (glossary order); the literal compound of the longer term (単語の埋葬: word embedding) may follow
    assert glossary.find_mistranslations("単語の埋葬ベクトルを学習します。")[0] == ("埋葬", "埋め込み", "embedding")


@pytest.mark.parametrize("text, bad", [
    ("変圧器ベースのモデルを使います。", "変圧器"),
    ("迅速を工夫すると精度が上がります。", "迅速"),
    ("注目メカニズムで文脈を捉えます。", "注目メカニズム"),
    ("切除実験で各要素の寄与を調べました。", "切除実験"),
    ("代用貨幣の数は512です。", "代用貨幣"),
    ("回収拡張生成で幻覚を減らします。", "回収拡張生成"),
    ("想起率が向上しました。", "想起率"),
    # the general-dictionary senses of common ML and academic words
    ("この紙では、新しい学習法を提案しています。", "紙"),
    ("本紙は大規模な言語模型を扱います。", "模型"),
    ("モデルの体重を更新する頻度を変えました。", "体重"),
    ("自己注目層を12層重ねています。", "注目"),
    ("喪失関数として交差エントロピーを使います。", "喪失関数"),
    ("訓練喪失が順調に減少しました。", "喪失"),
    ("画像の特色ベクトルを抽出します。", "特色"),
    ("潜在表情を学習することで性能が上がりました。", "表情"),
    ("精密と想起の両方が改善しました。", "想起"),
    ("再現率と精密のバランスを取ります。", "精密"),
    ("敵対的攻撃に対して丈夫なモデルを作ります。", "丈夫"),
    ("重みと偏見を同時に更新します。", "偏見"),
    ("蒸留酒のように小さなモデルへ知識を移します。", "蒸留酒"),
    ("重量行列を低ランクで近似します。", "重量"),
    ("監督学習で分類器を学習します。", "監督"),
])
def test_the_traps_named_in_the_design_are_caught(text, bad):
    assert bad in [word for word, _, _ in glossary.find_mistranslations(text)]


@pytest.mark.parametrize("text", [
    "BERTを微調整します。",
    "BERTをファインチューニングします。",
    "知識蒸留で小さなモデルを学習します。",
    "勾配降下法で最適化します。",
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


def test_questions_are_checked_for_mistranslations_as_well_as_answers():
    item = QAItem(question="この紙の主な貢献は何ですか?", answer="新しい学習法を提案したことです。", evidence=[])
    found = [f for f in check_qa_item(0, item) if f.code == "mistranslation"]
    assert len(found) == 1 and found[0].blocking and found[0].message.startswith("question:")
    clean = QAItem(question="この論文の主な貢献は何ですか?", answer="新しい学習法を提案したことです。", evidence=[])
    assert not [f for f in check_qa_item(0, clean) if f.code == "mistranslation"]


def test_prompt_lines_show_the_accepted_rendering_and_the_trap():
    lines = glossary.prompt_lines().splitlines()
    assert lines[0].startswith("embedding: 埋め込み / エンベディング (×埋葬")
    assert "paper: 論文 (×紙・×仕事)" in lines
    assert all("×注目機構" not in line or line.startswith("attention") for line in lines)
    assert len(lines) == len(TERMS)


def test_prompt_lines_can_be_limited_to_the_first_terms():
    assert len(glossary.prompt_lines(limit=10).splitlines()) == 10


def test_the_committed_glossary_is_what_the_build_script_makes_from_the_seed():
    pytest.importorskip("jamdict", reason="build-time tool (tools/requirements-glossary.txt)")
    import importlib.util
    import sys
    spec = importlib.util.spec_from_file_location("build_glossary", ROOT / "tools/build_glossary.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build          # dataclasses look their module up
    spec.loader.exec_module(build)
    assert build.main(["--check"]) == 0


# ------------------------------------------------------------ the English beside the Japanese

def test_some_terms_are_marked_to_show_their_english():
    marked = {t.en for t in TERMS if t.show_en}
    assert {"embedding", "distillation", "knowledge distillation"} <= marked
    assert "model" not in marked            # モデル needs no note


def test_used_terms_lists_the_marked_terms_a_text_uses():
    used = glossary.used_terms(["単語の埋め込みを学習します。", "知識蒸留で圧縮します。", "モデルを使います。"])
    assert {"ja": "埋め込み", "en": "embedding"} in used
    assert {"ja": "知識蒸留", "en": "knowledge distillation"} in used
    assert all(u["ja"] != "モデル" for u in used)
    assert glossary.used_terms(["埋め込みベクトルを使います。"]) == []     # only inside a compound


def test_a_rendering_shared_by_two_terms_gets_no_note():
    # 精度 is accepted for both accuracy and precision: "精度(precision)" could be wrong
    assert all(u["ja"] != "精度" for u in glossary.used_terms(["適合率と精度を報告します。"]))
    assert {"ja": "適合率", "en": "precision"} in glossary.used_terms(["適合率と精度を報告します。"])


def test_annotate_adds_the_english_once_at_the_first_use_across_the_document():
    used = [{"ja": "埋め込み", "en": "embedding"}]
    out = glossary.annotate(["単語の埋め込みを学習します。", "埋め込みの次元は768です。"], used)
    assert out == ["単語の埋め込み(embedding)を学習します。", "埋め込みの次元は768です。"]


def test_annotate_skips_quotes_parentheses_and_compounds():
    used = [{"ja": "蒸留", "en": "distillation"}]
    texts = ["「蒸留」と呼びます。", "小さなモデル(蒸留による)です。", "蒸留モデルを作ります。", "最後に蒸留を行います。"]
    assert glossary.annotate(texts, used) == texts[:3] + ["最後に蒸留(distillation)を行います。"]


def test_annotate_prefers_the_longer_term_and_leaves_the_word_inside_it():
    used = [{"ja": "蒸留", "en": "distillation"}, {"ja": "知識蒸留", "en": "knowledge distillation"}]
    out = glossary.annotate(["知識蒸留を使います。", "蒸留の温度は2です。"], used)
    assert out == ["知識蒸留(knowledge distillation)を使います。", "蒸留(distillation)の温度は2です。"]


def test_annotate_does_not_annotate_twice_or_before_a_verb_ending():
    used = [{"ja": "埋め込み", "en": "embedding"}]
    assert glossary.annotate(["埋め込み(embedding)を使います。"], used) == ["埋め込み(embedding)を使います。"]
    assert glossary.annotate(["文を埋め込みます。"], used) == ["文を埋め込みます。"]


def test_annotate_ignores_malformed_entries():
    assert glossary.annotate(["埋め込みです。"], [{"ja": "埋め込み"}, "x", {}]) == ["埋め込みです。"]


# ------------------------------------------------------------ the result records them, render shows them

def _result(**kw):
    from ronbun.models import Evidence, Generator, Paper, Result
    base = dict(
        paper=Paper(id="2401.15884", version=1, title="T", published="2024-01-29"),
        one_liner="単語の埋め込みを知識蒸留で圧縮します。",
        summary="本論文は単語の埋め込みを圧縮します。知識蒸留を用います。",
        qa=[QAItem(question="埋め込みの次元は?", answer="「埋め込み」は768次元です。",
                   evidence=[Evidence(page=1, quote="The embedding has 768 dimensions.")])],
        generator=Generator(engine="openai", model="m", prompt_version="p"))
    return Result(**{**base, **kw})


def test_results_stored_before_the_field_still_load():
    from ronbun.models import Result
    old = _result().model_dump(mode="json")
    del old["glossary_terms"]
    assert Result.model_validate(old).glossary_terms == []


def test_markdown_shows_the_english_once_at_the_first_use_and_leaves_the_result_alone():
    from ronbun.render import digest_html, paper_markdown, DigestEntry
    result = _result(glossary_terms=[{"ja": "埋め込み", "en": "embedding"},
                                     {"ja": "知識蒸留", "en": "knowledge distillation"}])
    md = paper_markdown(result)
    assert "本論文は単語の埋め込み(embedding)を圧縮します。知識蒸留(knowledge distillation)を用います。" in md
    assert md.count("(embedding)") == 1 and "Q: 埋め込みの次元は?" in md
    assert "(embedding)" not in result.summary                    # render time only, not stored
    assert "埋め込み(embedding)" in digest_html([DigestEntry("2401.15884", result=result)])
    assert "(embedding)" not in paper_markdown(_result())          # no terms recorded: no note


def test_the_pipeline_records_the_marked_terms_the_result_uses(fake_openai):
    from ronbun import prompts
    from ronbun.pdftext import extract
    from ronbun.pipeline import paper_from_pdf, summarize
    from ronbun.render import paper_markdown
    from tests.fakes.fake_openai import grounded_output
    from tests.fakes.pdfs import make_paper_pdf

    pdf = make_paper_pdf(pages=3)
    doc = extract(pdf)
    prompt = prompts.build_prompt(paper_from_pdf(None, doc), doc, max_chars=60_000, qa_count=3)
    output = grounded_output(prompt.messages)
    first = output["summary_sentences"][0]["evidence"]
    output["summary_sentences"].insert(0, {"text": "本論文は単語の埋め込みを知識蒸留で小さくする手法を扱います。", "evidence": first})
    fake_openai.enqueue("custom", output=output, times=2)
    result = summarize(None, pdf_bytes=pdf, engine="openai")
    assert {"ja": "埋め込み", "en": "embedding"} in result.glossary_terms
    assert {"ja": "知識蒸留", "en": "knowledge distillation"} in result.glossary_terms
    assert all(set(t) == {"ja", "en"} for t in result.glossary_terms)
    assert "単語の埋め込み(embedding)を知識蒸留(knowledge distillation)で" in paper_markdown(result)


# ------------------------------------------------------------ literal compounds built from the dictionary

@pytest.mark.parametrize("text, bad", [
    ("将来の報酬は値引き係数を掛けて合計します。", "値引き係数"),          # discount factor
    ("この客観的機能を最小化します。", "客観的機能"),                    # objective function
    ("最終層の特徴地図を可視化しました。", "特徴地図"),                  # feature map
    ("クラスごとの誤りは混乱行列で示されています。", "混乱行列"),        # confusion matrix
    ("検出性能は意地悪な平均精度で評価しました。", "意地悪"),            # mean average precision
])
def test_literal_compounds_of_general_dictionary_senses_are_caught(text, bad):
    assert bad in [word for word, _, _ in glossary.find_mistranslations(text)]


@pytest.mark.parametrize("text", [
    "学習の速度が速く、少ないステップで収束します。",     # 速度 is in accepted ML words: not a trap with a joint
    "データの配布は研究目的に限られます。",
    "平均適合率の平均（mAP）で評価し、割引率は0.99としました。",
    "詳細は付録Bに、補題3の証明は付録Cに示します。",
    "姿勢推定と物体検出の両方で評価しました。",
])
def test_normal_ml_japanese_around_the_compounds_is_not_flagged(text):
    assert glossary.find_mistranslations(text) == []


IN_COMPOUND_WORDS = {bad: term.en for term in TERMS for bad, rule in zip(term.bad, term.rules)
                     if rule == glossary._rule(bad, glossary.IN_COMPOUND)}


@pytest.mark.parametrize("text", ["本論文の主な寄付は次の三点です。", "本研究の寄付は二つある。",
                                  "詳細は背骨Bに示します。", "ResNet-50を背骨として用いています。"])
def test_a_general_word_counts_where_the_paper_uses_it_as_its_term(text):
    """寄付 (contribution) and 背骨 (backbone) are Japanese words; in the paper's own frames
    (本論文の…, a label B, …として用いる) they are literal renderings of the term."""
    assert {"寄付", "背骨"} <= set(IN_COMPOUND_WORDS)
    assert [w for w, _, _ in glossary.find_mistranslations(text)] in (["寄付"], ["背骨"])


@pytest.mark.parametrize("text", ["災害の被災地への寄付を募るサイトの文章を分類しました。", "背骨の形状を推定する医療画像の研究です。",
                                  "寄付は2024年に行われました。", "脊椎のCT画像から背骨の変形を検出します。"])
def test_the_same_words_in_their_own_sense_are_not_flagged(text):
    assert glossary.find_mistranslations(text) == []


def test_one_character_traps_are_found_by_the_indexed_scan():
    one = [(bad, term.en) for term in TERMS for bad, rule in zip(term.bad, term.rules) if len(bad) == 1]
    assert one, "the glossary has one-character traps (頭 for head)"
    bad, en = one[0]
    rule = dict(zip(*next((t.bad, t.rules) for t in TERMS if t.en == en)))[bad]
    text = next(t for t in _examples(bad) if re.search(rule, t))
    assert (bad, en) in [(w, e) for w, _, e in glossary.find_mistranslations(text)]


def _build_module():
    import importlib.util
    import sys
    spec = importlib.util.spec_from_file_location("build_glossary", ROOT / "tools/build_glossary.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build
    spec.loader.exec_module(build)
    return build


class _FakeDictionary:
    """JMdict answers for a few English words (no jamdict needed): word -> [(Japanese, rank, na)]."""

    def __init__(self, build, senses):
        self.build, self.senses = build, senses

    def proposals(self, en):
        return [self.build.Proposal(w, rank, True, False, True, na) for w, rank, na in self.senses.get(en.lower(), [])]


def test_the_build_composes_literal_renderings_of_each_word_with_and_without_joints():
    build = _build_module()
    dic = _FakeDictionary(build, {
        "mean": [("意地悪", 5, True), ("平均", 3, False)], "average": [("平均", 3, False)],
        "precision": [("精密", 10, True)], "learning": [("学問", 4, False)], "rate": [("速度", 2, False)],
        "discount": [("値引き", 13, False)], "factor": [("要素", 4, False)]})
    seeds = [build.Seed("mean average precision", ["平均適合率の平均", "mAP"], False),
             build.Seed("precision", ["適合率", "精度"], False),
             build.Seed("learning", ["学習"], False),
             build.Seed("learning rate", ["学習率"], False),
             build.Seed("inference speed", ["推論速度"], False),
             build.Seed("discount factor", ["割引率"], False)]
    rows, _ = build.build(seeds, dic, good_text="")
    bad = {r.split("\t")[0]: set(r.split("\t")[2].split("|")) for r in rows}
    assert {"値引き要素", "値引きの要素", "値引き的要素"} <= bad["discount factor"]
    assert "意地悪な平均精度" in bad["mean average precision"] and "意地悪平均精密" in bad["mean average precision"]
    assert "平均な平均精度" not in bad["mean average precision"]      # な only after an adjectival noun
    # 速度 is part of an accepted rendering (推論速度): literal in a direct compound, never with a joint
    assert "学習速度" in bad["learning rate"] and "学習の速度" not in bad["learning rate"]


def test_the_build_keeps_out_compounds_found_in_good_japanese_ml_text():
    build = _build_module()
    dic = _FakeDictionary(build, {"discount": [("値引き", 13, False)], "factor": [("要素", 4, False)]})
    seeds = [build.Seed("discount factor", ["割引率"], False)]
    rows, report = build.build(seeds, dic, good_text="値引きの要素を考える。")
    assert "値引きの要素" not in rows[0].split("\t")[2].split("|")
    assert any("値引きの要素" in r and "good Japanese" in r for r in report)


GOOD_PROSE = [line for line in (ROOT / "tests/unit/data/good_ml_prose_ja.txt").read_text(encoding="utf-8").splitlines()
              if line.strip()]


@pytest.mark.parametrize("text", GOOD_PROSE, ids=[f"prose{n}" for n in range(len(GOOD_PROSE))])
def test_good_japanese_ml_prose_is_not_flagged(text):
    """Summaries and answers written as a Japanese ML reader would (not used by the build)."""
    assert glossary.find_mistranslations(text) == []


def test_a_joined_compound_does_not_count_inside_a_longer_word():
    assert glossary.find_mistranslations("既存モデルの体系的な評価を行いました。") == []
