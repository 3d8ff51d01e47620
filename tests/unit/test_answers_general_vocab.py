"""non_answer with the build-time general vocabulary (data/general_vocab.tsv): an answer made only of
research talk ("proposes a novel approach that improves performance") says nothing, while an answer that
names something in plain words still answers. Sentences written for this test, not taken from the eval sets."""
import subprocess
import sys
from pathlib import Path

import pytest

from ronbun.verify import answers
from ronbun.verify.answers import says_nothing

ROOT = Path(__file__).resolve().parents[2]

GENERIC = [
    ("この論文の提案手法は？", "著者らは、従来の課題を克服するための効果的な新手法を提案し、その有効性を実証しています。"),
    ("結果はどうでしたか？", "提案手法は多様な条件において優れた性能と高い効率性を実現しました。"),
    ("What is new in this paper?", "The authors introduce an innovative framework that effectively combines several existing techniques."),
    ("How well does it perform?", "It achieves competitive performance and demonstrates considerable robustness across diverse settings."),
    ("Why does it work?", "Its design captures the essential characteristics of the problem in a principled and flexible way."),
    ("推論速度は？", "推論速度は、ハードウェアや実装の詳細など、多くの要因に依存します。"),
    ("What are the weaknesses?", "There are several challenges, and the practical implications deserve careful consideration."),
]
ANSWERS = [
    ("この論文の提案手法は？", "請求書の画像を使わず、文字の座標だけから明細行を組み立てる手法です。"),
    ("結果はどうでしたか？", "手書きの伝票では精度が大きく下がり、印字の伝票との差が目立ちました。"),
    ("What is new in this paper?", "It orders text blocks by walking a graph whose edges join blocks in the same column."),
    ("How well does it perform?", "It beats the rule-based parser on invoices but loses on receipts with faded print."),
    ("Why does it work?", "Because harder negatives share words with the question but lack the answer."),
    ("推論速度は？", "索引を一度作れば、質問ごとの検索は文書数にほぼ比例せずに済むと述べています。"),
    ("What are the weaknesses?", "Scanned pages with two columns of different widths are often read in the wrong order."),
]


@pytest.mark.parametrize("question,answer", GENERIC)
def test_research_talk_alone_says_nothing(question, answer):
    assert says_nothing(answer, question), answer


@pytest.mark.parametrize("question,answer", ANSWERS)
def test_plain_words_that_name_something_still_answer(question, answer):
    assert not says_nothing(answer, question), answer


def test_vocabulary_holds_research_talk_not_the_objects_or_devices_of_ml():
    en, ja = answers._GENERAL_EN, answers._GENERAL_JA
    assert {"approach", "novel", "outperforms", "robustness", "various"} <= en
    assert {"手法", "性能", "多様", "有効性"} <= ja
    # named devices of ML and the objects of ML work are content (the arguments of a finding)
    assert not {"retriever", "embedding", "loss", "negatives", "training", "input"} & en
    assert not {"埋め込み", "損失", "勾配", "学習", "学習データ", "ベースライン", "入力"} & ja


def test_committed_vocabulary_is_what_the_build_script_makes():
    pytest.importorskip("jamdict")     # build-time only (tools/requirements-glossary.txt)
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_general_vocab.py"), "--check"], cwd=ROOT)
    assert r.returncode == 0, "shared/ronbun/data/general_vocab.tsv is stale: run tools/build_general_vocab.py"
