"""The non-answer detector decides on substance, not on set phrases (issue 9, point 2).

Each case stands for a principle, written in words the detector's lists never saw: a negated verb
of the text or of knowing with nothing of its own says the text is silent; existence negated at the
source is an absence claim whatever its subject; words about the text, the question and the
answering carry no content (but are content in a paper about questions and documents); a "no" to
what was asked answers it; a guess next to "I do not know" answers nothing unless the paper says it;
"in the passage" alone is no absence; a comparison of two options is a finding; a negated question
asks what is missing. Each fails without the change it stands for."""

import pytest

from ronbun import verify
from ronbun.models import Evidence, QAItem

QUOTE = Evidence(page=2, quote="We train the reader for 40 epochs with a batch size of 16 on a single GPU.")


def non_answer(question: str, answer: str) -> bool:
    # no quote: these answers are judged on their own words (with an unrelated quote, ordinary words that
    # the quote does not say would not count: tests/unit/test_answers_grounding.py)
    findings = verify.check_qa_item(0, QAItem(question=question, answer=answer, evidence=[]))
    return any(f.code == "non_answer" and f.blocking for f in findings)


SILENT = [
    # a verb of the text or of finding, negated in a conjugation no list holds
    ("語彙サイズはいくつですか？", "その値は本文から拾い出せませんでした。"),
    ("なぜ二段階で学習するのですか？", "その理由までは書き込まれていない。"),
    ("使われた辞書は？", "辞書の種類は文章中から見えてきません。"),
    ("What tokenizer is used?", "That's not something the passage covers."),
    ("How were errors grouped?", "The grouping isn't laid out anywhere in what you sent."),
    # existence negated at the source, whatever is said to be missing
    ("どのような誤りが分析されていますか？", "誤りの類型的な検討は、論文中に見当たりませんでした。"),
    ("査読はどこで受けましたか？", "それに関しては、私の持っている資料の中にはありません。"),
    # the question and the text as subject: no content
    ("この手法は量子計算機で動きますか？", "この質問は本文の内容を超えているため、答えられません。"),
    ("なぜ性能が頭打ちになったのですか？", "論文中にヒントになる記述もなく、お答えできません。"),
    # a guess, then "I do not know"
    ("ラベル付けは誰が行いましたか？", "学生か専門業者のどちらかが担当した可能性がありますが、はっきりとはわかりません。"),
    ("What data was it trained on?", "It might be web text, but the excerpt does not say."),
    # difficulty auxiliary on a verb of judging
    ("多言語に対応していますか？", "提示された文脈だけでは何とも判断しがたいところです。"),
    # honorific pointer
    ("アブレーションの結果は？", "アブレーションの結果は、本論文の該当する表をご確認いただくのが確実です。"),
]

ANSWERS = [
    # a "no" to what was asked
    ("追加の学習は必要ですか？", "提案手法は追加の学習を必要としない。"),
    ("著者らは限界について述べていますか？", "述べていません。"),
    ("Does the method require labelled data?", "It does not."),
    ("What preprocessing do they use?", "They don't use any."),
    # a negated question asks for what is missing: naming it answers
    ("著者らは何を報告していませんか？", "学習にかかった時間と消費電力は報告していない。"),
    # a guess the paper itself makes
    ("他の分野でも使えますか？", "論文は他分野での実験を行っていないと明記しています。そのうえで、学習データを置き換えれば"
                                "法律文書の検索にも適用できる可能性があると述べています。"),
    # "in the passage" without a negation is no absence claim
    ("How is the answer span chosen?", "The reader scores every start and end token in the passage and picks the best span."),
    # a comparison of two options is a finding even in plain words
    ("この研究は何を明らかにしましたか？", "モデルを大きくするより、データの質を上げる方が効果が大きいことを明らかにした。"),
    # reported speech before a pointer keeps the fact
    ("使用したデータの期間は？", "2015年から2020年までのニュース記事が使われたと本文に記載されています。"),
]


@pytest.mark.parametrize(("question", "answer"), SILENT)
def test_answers_that_say_nothing_in_unforeseen_words_are_flagged(question, answer):
    assert non_answer(question, answer), answer


@pytest.mark.parametrize(("question", "answer"), ANSWERS)
def test_answers_with_substance_are_not_flagged(question, answer):
    assert not non_answer(question, answer), answer


def test_question_and_document_words_are_content_in_a_positive_clause():
    """A paper about question answering talks about questions and documents: only a negated
    clause treats them as the user's question and the given text."""
    assert not non_answer("何を検索しますか？", "質問に関連する文書を検索します。")
    assert non_answer("推論速度は？", "文中にはっきりした答えはありません。")
