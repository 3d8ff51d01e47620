"""non_answer with the grounding principle (ronbun.verify.grounding, data/ja_en_gloss.tsv): a clause
that is content only through ordinary words must share a word with its evidence quote (Japanese to
English through JMdict glosses and the glossary). Sentences written for this test, not taken from the
eval sets."""
import subprocess
import sys
from pathlib import Path

import pytest

from ronbun.models import Evidence, QAItem
from ronbun.verify import check_qa_item
from ronbun.verify.answers import says_nothing
from ronbun.verify.grounding import glosses, grounded, quote_index, root

ROOT = Path(__file__).resolve().parents[2]

# (question, answer, quote): reads like content, but none of its words is in its quote
UNGROUNDED = [
    ("学習データはどのように作りましたか？", "学習データは、モデルの精度を大きく左右するため、丁寧に整備されています。",
     "We fine-tune for 20 epochs with a batch size of 64 on four GPUs."),
    ("エンコーダの構造は？", "エンコーダは、入力の特徴を効率よく捉えられるように設計されています。",
     "Each passage is prepended with its title and a separator token."),
    ("What does the reward look like?", "The reward is shaped so that the agent learns desirable behaviour.",
     "The robot receives +1 when the cup is grasped and 0 otherwise."),
]
# (question, answer, quote): real answers in plain words, with a counterpart in the quote
PARAPHRASES = [
    ("どの言語で評価していますか？", "英語のデータセットのみで評価しており、他の言語は扱っていません。",
     "We evaluate only on English datasets."),
    ("学習データはどこから集めましたか？", "ウェブ上の掲示板から集めた質問と回答の組を使っています。",
     "Our training data consists of question-answer pairs collected from online forums."),
    ("モデルは何を苦手としていますか？", "否定を含む質問に弱く、逆の内容の文書を返してしまうことがあります。",
     "The retriever often confuses questions containing negation with their positive counterparts."),
    ("提案手法は既存手法より遅いですか？", "いいえ、むしろ速く動きます。", "Our retriever is faster than BM25 at query time."),
]


@pytest.mark.parametrize("question,answer,quote", UNGROUNDED)
def test_ordinary_words_without_a_counterpart_in_the_quote_say_nothing(question, answer, quote):
    assert not says_nothing(answer, question), "without its quote the clause still counts as content (as before)"
    assert says_nothing(answer, question, [quote]), answer


@pytest.mark.parametrize("question,answer,quote", PARAPHRASES)
def test_plain_paraphrases_of_the_quote_still_answer(question, answer, quote):
    assert not says_nothing(answer, question, [quote]), answer


def test_a_name_or_number_is_content_whatever_the_quote_says():
    quote = ["The reionization optical depth must be non-zero."]
    assert not says_nothing("Planckの観測データと比較し、よく一致することを示しています。", "観測との比較は？", quote)
    assert not says_nothing("学習には3日かかります。", "学習時間は？", quote)


def test_a_word_the_table_cannot_translate_or_a_quote_without_english_keeps_todays_judgement():
    answer, question = "学習データは、モデルの精度を大きく左右するため、丁寧に整備されています。", "学習データは？"
    assert not says_nothing(answer, question, ["学習は20エポック行った。"])      # a Japanese quote: nothing to map to
    assert grounded(["ゾブリモフ"], quote_index(["We train for twenty epochs on four GPUs."])) is None


def test_the_pipeline_check_passes_the_items_quotes():
    item = QAItem(question="学習データはどのように作りましたか？",
                  answer="学習データは、モデルの精度を大きく左右するため、丁寧に整備されています。",
                  evidence=[Evidence(page=1, quote="We fine-tune for 20 epochs with a batch size of 64 on four GPUs.")])
    assert "non_answer" in {f.code for f in check_qa_item(0, item)}


def test_roots_and_glosses():
    assert root("initialized") == root("initialise")
    assert root("publicly") == root("public") and root("faster") == root("fast")
    assert root("annotators") == root("annotation") and root("negatives") == root("negative")
    assert "english" in glosses("英語") and "question" in glosses("質問")
    assert "collect" in glosses("収集手順") and "procedur" in glosses("収集手順")   # split into known pieces
    assert "overfit" in glosses("過学習") and "regular" in glosses("正則化")   # the glossary's renderings


def test_committed_gloss_table_is_what_the_build_script_makes():
    pytest.importorskip("jamdict")     # build-time only (tools/requirements-glossary.txt)
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_gloss_table.py"), "--check"], cwd=ROOT)
    assert r.returncode == 0, "shared/ronbun/data/ja_en_gloss.tsv is stale: run tools/build_gloss_table.py"
