"""Answers that answer: the non-answer detector against the ways real model output fails to
answer (absence claims, "not clear from the context", promises, pointers to the paper, the
question restated, statements true of any paper, lists of such entries), in Japanese and
English, です・ます and である, 。 or "." at the end, and the answers with substance that
must pass although they use the same words."""

import pytest

from ronbun import verify
from ronbun.models import Evidence, QAItem

QUOTE = Evidence(page=3, quote="Table 3 shows that the retriever reaches 78.4% top-20 accuracy on "
                               "Natural Questions and 79.4% on TriviaQA, while BM25 reaches 59.1%")


def non_answer(question: str, answer: str) -> bool:
    # no quote: these answers are judged on their own words (with an unrelated quote, ordinary words that
    # the quote does not say would not count: tests/unit/test_answers_grounding.py)
    findings = verify.check_qa_item(0, QAItem(question=question, answer=answer, evidence=[]))
    return any(f.code == "non_answer" and f.blocking for f in findings)


NON_ANSWERS = [
    # absence claims about the text
    ("将来の研究課題は何ですか？", "将来の研究課題については述べられていません。"),
    ("将来の研究課題は何ですか？", "この論文では、将来の研究課題は提案されていません。"),
    ("What future work is proposed?", "No future topics are proposed in the paper."),
    ("学習時間はどれくらいですか？", "学習時間は記載されていない。"),
    ("学習時間はどれくらいですか？", "論文中に学習時間に関する情報は見当たりません."),
    ("使用したモデルのサイズは？", "モデルのサイズに関する記述は見当たらなかった。"),
    ("バッチサイズは？", "バッチサイズに関しては、具体的な記載がありません。"),
    ("How long is training?", "The paper does not specify the training time."),
    ("Which optimizer?", "This information is not provided in the excerpt."),
    # not clear from the context
    ("学習データは何ですか？", "提供された文脈からは明らかではありません。"),
    ("学習データは何ですか？", "The training data is not clear from the context."),
    ("学習率は？", "残念ながら、提供された情報では学習率を特定することはできません。"),
    ("Which optimizer?", "It is unclear which optimizer was used."),
    ("どんなモデルを使いましたか？", "モデルについての詳細な情報は、提供された抜粋からは得られません。"),
    ("前処理は？", "前処理の詳細は不明であるが、一般的な手法が用いられたと推測される。"),
    ("What is the objective?", "The objective is not explicitly described in the given text. However, it is likely a standard one."),
    # promises with nothing after
    ("提案手法の弱点は何ですか？", "提案手法の弱点について批判的なレビューを提供します。"),
    ("提案手法の仕組みは？", "以下で説明します。"),
    ("提案手法の仕組みは？", "DPRの仕組みについて紹介します。"),
    ("評価指標は何か？", "評価指標については、次のセクションで紹介する。"),
    ("What datasets are used?", "Here is a critical review of the datasets used in the paper."),
    ("How does it work?", "Let me walk you through the method."),
    # pointers and omissions instead of content
    ("データセットの作成方法は？", "データセットの作成方法については、論文の第3節で詳しく説明されています。"),
    ("評価結果は？", "評価結果は論文の表に記載されています。詳しくは論文をご参照ください。"),
    ("What is the main contribution?", "The main contribution is discussed in the introduction of the paper."),
    ("誤り分析の結果は？", "誤り分析については本文で議論されていますが、ここでは詳細は割愛します。"),
    # statements true of any paper, and the question restated
    ("この論文の貢献は何ですか？", "この研究は分野に重要な貢献をしています。"),
    ("この研究の意義は？", "本研究は今後の研究に新たな可能性を開く重要な成果であり、幅広い応用が期待されます。"),
    ("GPT-4のアーキテクチャは？", "GPT-4はクローズドモデルであり、内部構造の詳細は開示されていません。"),
    ("What is the architecture of GPT-4?", "As a closed model, its internal details are not publicly available."),
    ("How long is training?", "This work makes a significant contribution to the field."),
    ("提案手法の限界は何ですか？", "他の手法と同様に、提案手法にもいくつかの限界があります。"),
    ("提案手法の主な利点は何ですか？", "提案手法の主な利点は、その有効性と効率性にあります。"),
    ("このモデルはどのように評価されましたか？", "このモデルは適切な評価指標を用いて評価されました。"),
    ("性能は？", "具体的な数値は示されていませんが、性能が向上したと述べられています。"),
    ("導入の効果は？", "良い質問ですね。結論から言えば、効果は十分に期待できます。"),
    ("どのような評価をしましたか？", "複数の条件で体系的な評価を実施し、手法間に顕著な差が見られました。"),
    ("学習の設定は？", "学習の設定は本文の「Training details」の段落に詳しく記載されています。"),
    # lists whose entries mostly say nothing
    ("主な貢献は？", "この論文の主な貢献は以下の通りです：\n1. 新しい手法の提案：文脈からは明確に示されていません。\n"
                    "2. 実験結果：具体的な数値は文脈に含まれていません。\n3. 応用可能性：詳細は不明です。"),
    ("主な貢献は？", "主な貢献は以下の3点です。\n・提案手法の詳細：記載なし\n・実験結果：文脈からは判断できません\n"
                    "・今後の課題：言及されていません"),
    ("評価の詳細は？", "・評価データ: 明確には示されていない\n・評価指標: 不明\n・比較手法: BM25"),
    ("評価の詳細は？", "データセットは記載されていません；指標は不明です；比較対象も明らかではありません。"),
]

ANSWERS = [
    ("提案手法はどのような構成ですか？", "2つの独立したBERTエンコーダで質問とパッセージをそれぞれ768次元のベクトルに変換します。"),
    ("学習率は？", "学習率は10−5ですが、ウォームアップの長さは明記されていません。"),
    ("学習時間は？", "論文には学習時間の記載はありませんが、8枚の32GB GPUで1日以内に収束すると述べています。"),
    ("温度は？", "具体的な値は明記されていないものの、温度パラメータを導入しています。"),
    ("提案手法の限界は何ですか？", "英語のWikipediaのみで評価しており、他言語への汎化は検証されていません。"),
    ("提案手法の限界は何ですか？", "本論文は多言語での評価を行っていない。計算資源の制約から、英語のみを対象としたためである。"),
    ("提案手法の限界は何ですか？", "検索対象を2100万パッセージに限っており、より大規模なコーパスでの速度は示されていません。"),
    ("What is not covered?", "The paper does not evaluate on non-English corpora, because all five benchmarks are English."),
    ("Which encoder?", "The encoders are two BERT networks, but the paper does not mention the batch size for the reader."),
    ("将来の研究課題は？", "著者らは、エンドツーエンドでの検索器と読解器の同時学習を今後の課題として挙げています。"),
    ("新しいモデルを提案していますか？", "いいえ、新しいアーキテクチャは提案されておらず、既存のBERTエンコーダを2つ組み合わせています。"),
    ("DPRの特徴は？", "DPRは疎な特徴を必要としません。"),
    ("未知語の扱いは？", "不明な単語は[UNK]トークンに置き換えます。"),
    ("ラベルが無い場合は？", "この手法では、ラベル付きデータがない場合でも学習できます。"),
    ("このデータセットは何を提供しますか？", "判決文などの原資料と、長さの異なる専門家による要約を対応づけて提供します。"),
    ("提案手法の仕組みを説明してください。", "以下で説明します。まず、質問とパッセージを別々のBERTで符号化し、内積で類似度を計算します。"),
    ("評価の詳細は？", "1. データセット：Natural Questions\n2. 評価指標：上位20件の検索精度\n3. ベースライン：BM25"),
    ("主な結果は？", "主な結果は次の通りです。\n・Natural QuestionsでTop-20精度78.4%\n・TriviaQAで79.4%\n・学習時間：記載なし"),
    ("DPRはBM25より優れていますか？", "はい、上位20件の精度で9%から19%上回ります。"),
    ("なぜバッチ内負例が有効なのですか？", "同じバッチの他の質問の正例を負例として再利用するため、追加の計算なしに多くの負例で学習できるからです。"),
    ("この研究の意義は？", "疎な検索を密な検索で置き換えられることを初めて示した点にあります。"),
    ("エンコーダは何ですか？", "BERTです。"),
    ("評価はどのように行いましたか？", "人手で要約を読み比べ、どちらが元の文書に忠実かを判定しました。"),
    ("この手法の限界は？", "長い文書では重要な情報が途中で切り捨てられてしまう点です。"),
    ("どのような比較を行いましたか？", "同じ計算量の条件で、密なモデルと疎なモデルを比較しました。"),
    ("What are the limitations?", "The method needs labelled question-passage pairs, which are expensive to collect."),
    ("前処理は？", "記事を512トークンに切り詰め、言語識別は行っていません。"),
    ("学習の詳細は？", "AdamW、学習率0.0003、バッチサイズ256です。ウォームアップの長さは本文には書かれていませんが、"
                    "付録Bで2,000ステップとされています。"),
    ("判断の根拠は？", "文脈から判断すると、DPRはBM25より上位20件の精度で高い値を示しています。"),
    ("DPRの上位20件の検索精度は？", "DPRの上位20件の検索精度は78.4%です。"),    # the question's words and a number
    ("What is the main result?", "The retriever reaches 78.4% top-20 accuracy on Natural Questions, beating BM25 by 19 points."),
    ("この論文で扱われていないことは？", "本論文は検索器の学習のみを扱い、読解器の改良については論じていない。"
                                 "読解器は既存の抽出型モデルをそのまま用いている。"),
]


@pytest.mark.parametrize("question, answer", NON_ANSWERS)
def test_answers_that_do_not_answer_are_non_answers(question, answer):
    assert non_answer(question, answer)


@pytest.mark.parametrize("question, answer", ANSWERS)
def test_answers_with_substance_pass_although_they_use_the_same_words(question, answer):
    assert not non_answer(question, answer)


def test_the_finding_says_which_kind_of_non_answer_it_is():
    assert "not stated" in verify.non_answer_reason("学習時間は記載されていない。", "学習時間は？")
    assert "promises" in verify.non_answer_reason("以下で説明します。", "仕組みは？")
    assert "points to the paper" in verify.non_answer_reason("詳しくは論文をご参照ください。", "結果は？")
    assert "generic" in verify.non_answer_reason("この研究は分野に重要な貢献をしています。", "DPRの新規性は？")
    assert "restates" in verify.non_answer_reason("提案手法にはいくつかの限界があります。", "提案手法の限界は何ですか？")
    assert "list entries" in verify.non_answer_reason("・A：不明\n・B：記載なし\n・C：BM25", "何ですか？")


def test_a_list_with_mostly_real_entries_is_an_answer():
    assert verify.non_answer_reason("・データ：Natural Questions\n・指標：Top-20精度\n・学習時間：記載なし", "設定は？") is None


def test_a_promise_followed_by_the_answer_is_an_answer_but_alone_it_is_not():
    promise = "提案手法の学習方法について説明します。"
    assert verify.says_nothing(promise, "学習方法は？")
    assert not verify.says_nothing(promise + "正例1件とバッチ内の負例127件で交差エントロピーを最小化します。", "学習方法は？")


def test_the_non_answer_stays_blocking_and_its_message_is_english():
    [finding] = [f for f in verify.check_qa_item(0, QAItem(question="学習率は？", answer="文脈からは明らかではありません。",
                                                           evidence=[QUOTE])) if f.code == "non_answer"]
    reason = finding.message.split(": '")[0]
    assert finding.blocking and reason.isascii() and reason.startswith("answer says")


@pytest.mark.parametrize("answer", [
    "課題は 1. 記載なし 2. 不明 3. BM25との比較",          # numbered in one line
    "① 記載なし\n② 文脈からは判断できません\n③ BM25",        # circled numbers
    "学習率：不明；バッチサイズ：記載なし；エポック数：40",   # ；-separated
])
def test_lists_in_every_notation_are_judged_by_their_entries(answer):
    assert "list entries" in verify.non_answer_reason(answer, "学習の設定は？")


def test_numbers_in_running_text_do_not_make_a_list():
    answer = "See Table 3. The model in Figure 2. reaches 78.4% top-20 accuracy."
    assert verify.non_answer_reason(answer, "What is the result?") is None


# Principles, each in wordings the phrase list never had (the phrase-list detector missed 26 of these 28).
NON_ANSWERS_BY_PRINCIPLE = [
    # absence: a noun for what a text holds, a verb of existence, words apart; any negation form
    ("乱数シードは？", "シードの情報は、いただいた抜粋の中には存在しないようです。"),
    ("被験者は何人？", "被験者の人数を示す数字は出てきません。"),
    ("実装言語は？", "実装言語について触れられた形跡はありません。"),
    ("倫理審査は？", "倫理審査についての言及は、論文には一切ない。"),
    ("モデル名は？", "申し訳ございませんが、モデル名は抜粋部分には含まれておりません。"),
    ("Which tokenizer?", "The tokenizer isn't given anywhere in the excerpts."),
    ("Which metric?", "The excerpt doesn't name a specific metric."),
    ("Is the code public?", "There is no mention of a code release in the text."),
    # the source cannot tell, in any verb
    ("設計の意図は？", "設計の意図は、本文の記述からは推し量ることができません。"),
    ("失敗例は？", "失敗例の内容は、与えられたテキストからは把握しかねます。"),
    ("大規模化できますか？", "提供された文脈だけでは、大規模化できるかを判断するのは難しいです。"),
    ("学習日数は？", "学習日数の言及は確認できず、推定も困難です。"),
    # promises and acknowledgements with nothing after
    ("限界は？", "承知しました。限界点についてお答えします。"),
    ("What is the key idea?", "Sure! Let me walk you through the key idea."),
    ("What are the findings?", "Below, I summarize the main findings of the paper."),
    ("実験の流れは？", "実験の流れについて、ステップごとに解説していく。"),
    ("効果を詳しく教えてください。", "はい、効果について、以下で順番に詳しく見ていきたいと思います。"),
    # pointers with any passive verb
    ("証明の概略は？", "証明は第4節で与えられている。"),
    # statements framed as true of any model, advice that fits any paper
    ("限界は？", "どのような研究にも限界はあり、本研究も例外ではありません。"),
    ("弱点は？", "大規模言語モデル全般に言えることですが、ハルシネーションやバイアスのリスクがあります。"),
    ("課題は？", "他の深層学習モデルと同様に、解釈性やデータへの依存といった課題を抱えています。"),
    ("安全性は？", "LLMは一般的に誤った情報を生成する可能性があるため、出力には注意が必要です。"),
    ("バッチサイズは？", "一般的には32や64がよく使われますが、本論文での値は不明です。"),
    ("What are the limitations?", "Like any machine learning model, it may not generalize to all settings."),
    ("Why does it matter?", "This work is significant as it contributes meaningfully to the field and opens new avenues."),
    ("How does it handle long inputs?", "The model handles long inputs by processing the long inputs."),
    # a list of generic limitations and absences; a Markdown label is not content
    ("限界は？", "1. 評価データの規模が限られている\n2. 計算コストについての議論が不足している\n3. 汎化性は不明"),
    ("規模は？", "**回答**：提供されたコンテキストには、データセットの規模に関する明確な記載はありません。"),
]

ANSWERS_BY_PRINCIPLE = [
    # absence of something in the world, not in the text
    ("なぜ英語のみで評価したのですか？", "日本語を含む他言語には、同じ形式の評価データが存在しないためです。"),
    # the question asks what is missing: naming it answers
    ("著者らが報告していない点は？", "推論時のメモリ使用量は報告されていない。"),
    # a pointer after a fact is an answer
    ("失敗例の分析は？", "数式を含む質問で誤答が多いことが第5節で分析されています。"),
    # the same frames around content
    ("手法の限界は？", "他の検索拡張手法と同様に検索結果に依存しており、正解を含む文書が上位100件に入らないと回答できない。"),
    ("特徴は？", "一般的な手法が単語単位で処理するのに対し、本手法は文字単位で処理するため、未知語がない。"),
    ("偏りは？", "提供された抜粋によると、評価データの8割がニュース記事で、会話文は含まれていません。"),
    ("What is the default?", "In general, the authors use k = 5 retrieved passages, but they also report k = 20."),
    ("注意すべき点は？", "入力が2048トークンを超えると後半が切り捨てられるため、長文は分割して入力する必要があります。"),
    ("Which languages?", "Only English and Spanish; the authors note that the tokenizer does not cover non-Latin scripts."),
    ("既存手法はなぜ失敗する？", "既存手法は単語の出現頻度だけを使うため、同義語で書かれた文書を見つけられないからです。"),
    ("実験結果を教えてください。", "ご説明します。GLUEの平均スコアで84.1を記録し、BERT-baseを1.9ポイント上回りました。"),
    ("The main result?", "Sure. On ImageNet the model reaches 88.5% top-1 accuracy with 4x fewer FLOPs than ViT-L."),
]


@pytest.mark.parametrize("question, answer", NON_ANSWERS_BY_PRINCIPLE)
def test_non_answers_are_found_by_principle_in_new_wordings(question, answer):
    assert non_answer(question, answer)


@pytest.mark.parametrize("question, answer", ANSWERS_BY_PRINCIPLE)
def test_the_same_frames_around_content_are_answers(question, answer):
    assert not non_answer(question, answer)


def test_a_request_is_not_a_yes_no_question():
    """「はい」 opens a confirmation only for a yes/no question; before a promise it answers nothing."""
    assert verify.says_nothing("はい、以下で詳しく説明します。", "仕組みを教えてください。")
    assert not verify.says_nothing("はい、DPRはBM25より優れています。", "DPRはBM25より優れていますか？")


# Principles added by helper evalw (issue 9), each with the answers of the same frame that must pass.
NON_ANSWERS_EVALW = [
    # the question's own number is not new: なぜ7B? — 7Bを選んだ理由は書かれていません
    ("なぜ7Bモデルを選んだのですか？", "7Bモデルを選んだ理由については、論文には書かれていません。"),
    # an embedded question after a verb of discourse says what the text is about, not what it says
    ("How was the dataset built?", "The paper discusses how the competition dataset was constructed."),
    ("なぜ効果が小さいのですか？", "効果がなぜ小さいのかについて、詳しく議論されています。"),
    # the predicate is the topic noun again
    ("Crawlerの役割は？", "Crawlerの役割は、PaSaにおいてCrawlerが果たす役割です。"),
    # field names and praise words are not facts of this paper
    ("この研究の社会的影響は？", "AI研究は社会に大きな影響を与える可能性があり、倫理的な配慮が重要です。"),
    ("なぜ小さいのですか？", "非常に興味深い問題です。宇宙論では様々な要因が関係しており、一概に言うことは難しいです。"),
    # apologies; declining or unable to state; a place in the text that is not there
    ("What was the score?", "I'm sorry, but I couldn't find that information in the paper."),
    ("誤警報の許容範囲は？", "著者らはこの点について明言を避けています。"),
    ("報酬はいくらでしたか？", "残念ながら、その点について論文は沈黙しています。"),
    ("失敗例は？", "論文中にその答えを示す箇所は見当たりませんでした。"),
    ("温度は？", "現時点では断言できません。"),
    ("What hardware?", "Hardware details are outside the scope of the paper."),
    ("Which alpha fits?", "The authors leave this question open."),
    ("kはいくつにすべきですか？", "一言でいえば、ケースバイケースです。"),
    ("カテゴリ別の結果は？", "それについては、論文の図3を見ると分かります。"),
    # what the paper is about does not answer a question about something else
    ("評価に使った特徴量は何ですか？", "この論文は主に敗血症の早期発見に焦点を当てており、ご質問の特徴量には触れていません。"),
    ("使用した特徴量は何ですか？", "本論文は、敗血症の早期発見という重要な課題に取り組んだ意義深い研究です。"),
]
ANSWERS_EVALW = [
    ("7Bモデルの性能は？", "7Bモデルは、GPT-4oより再現率が9.64%高くなっています。"),
    ("How was the dataset built?", "The paper explains that 498 new pages were annotated in the DocLayNet format."),
    ("Crawlerの役割は？", "Crawlerの役割は、検索ツールで候補論文を集め、引用をたどって論文キューに加える役割です。"),
    ("AIの影響は？", "AI研究者向けの検索で、PaSaはGoogle Scholarを再現率で37.78%上回りました。"),
    ("この研究の主な目的は？", "本論文は、敗血症の早期発見に焦点を当てています。"),
    ("読解器も新しく提案していますか？", "いいえ。本研究は、オープンドメインQAの検索部分の改善に焦点を当てています。"),
    ("ULBDMの温度は分かっていますか？", "分かっていません。論文は、ULBDMの温度が完全に未知であることを主な問題として挙げています。"),
    ("Does DPR generalize?", "It is unclear whether this holds everywhere, but on WebQuestions the loss is only 3-5 points."),
    ("どのカテゴリが易しかったですか？", "一概には言えませんが、Patentカテゴリでは12チームが0.79以上のmAPを達成しています。"),
]


@pytest.mark.parametrize("question, answer", NON_ANSWERS_EVALW)
def test_non_answers_of_the_evalw_principles(question, answer):
    assert non_answer(question, answer)


@pytest.mark.parametrize("question, answer", ANSWERS_EVALW)
def test_answers_in_the_same_frames_pass(question, answer):
    assert not non_answer(question, answer)


def test_a_single_latin_letter_of_the_answer_is_not_a_substring_of_the_question():
    # "D" and "L" are not the question's words because "LED-16384" contains the letters
    assert not non_answer("LED-16384とPRIMERAの差は？", "D → LタスクではPRIMERAがLED-16384を上回っています。")


@pytest.mark.parametrize("question, answer, expected", [
    ("この論文の主な結果は何ですか？", "予想に反して、モデルを大きくしても精度はほとんど変わりませんでした。", False),
    ("ネガティブサンプルの具体的な選び方は？", "論文はネガティブサンプルの重要性を強調していますが、具体的な方法は示していません。", True),
    ("実験装置は？", "ご質問の内容は、論文のテーマから外れています。", True),
    ("Is DPR better everywhere?", "It is not possible to give a definitive answer based on the paper.", True),
    ("各チームの手法は？", "・チームA：論文参照\n・チームB：論文参照\n・チームC：詳細不明", True),
    ("式は？", "手法の詳細については、著者らの過去の研究を参照する必要があります。", True),
    ("観測と合いますか？", "現状の情報だけでは何とも言えません。", True),
    ("バッチサイズは？", "この論文は、検索手法の設計について重要な示唆を与えています。", True),
    ("この研究の意義は？", "この論文は、検索手法の設計について重要な示唆を与えています。", False),
])
def test_evalw_batch3_principles(question, answer, expected):
    assert non_answer(question, answer) is expected
