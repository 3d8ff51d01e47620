"""verify.py: every result is checked before it is shown. Each check has a case that must
be caught and a close case that must pass, written the way a model writes Japanese."""

from pathlib import Path

import pytest

from ronbun import verify
from ronbun.models import Evidence, Generator, Paper, QAItem, Result

# A page as pypdf extracts it: ligatures, line-end hyphens, ragged whitespace, curly quotes.
PAGE_1 = """Dense Passage Retrieval for Open-Domain Question Answering
Abstract
Open-domain question answering relies on ef\ufb01cient passage retrieval to select candidate
contexts. Our dense retriever outperforms a strong Lucene-
BM25 system greatly by 9%\u201319% absolute in terms of top-20 passage retrieval accuracy.
We train a model with 1.3B parameters on the \u201cNatural Questions\u201d dataset."""
PAGE_2 = """2 Method
The encoders are two independent BERT networks (base, uncased) and we use the represen-
tation at the [CLS] token as the output, so d = 768. The retrieval corpus contains 21,015,324
passages of 100 words each. We trained the question and passage encoders for up to 40
epochs with a learning rate of 10\u22125 using Adam, linear scheduling with warm-up and
dropout rate 0.1. The index holds 1.3M vectors and the batch size is 128."""
PAGE_3 = """3 Experiments
Table 3 shows that the retriever reaches 78.4% top-20 accuracy on Natural Questions and 79.4%
on TriviaQA, while BM25 reaches 59.1% and 66.9% respectively. In-batch negative training with
gold passages is an effective way to learn the encoders, and the training converges within
a day on eight 32GB GPUs."""
# An LNCS page whose extracted text lost its spaces (as pypdf reads arXiv 2305.14962 page 9).
PAGE_4 = """YOLOv8[8].Trainingwasconductedover150epochsusingBCELosswithFocal-
Loss,andtheresultingmodelsweremergedwithweightedboxfusion."""
PAGE_5 = """5 Conclusion
We showed that dense retrieval can outperform and potentially replace the traditional sparse
retrieval component in open-domain question answering."""
PAGES = {1: PAGE_1, 2: PAGE_2, 3: PAGE_3, 4: PAGE_4, 5: PAGE_5}

GOOD_QUOTE = Evidence(page=3, quote="Table 3 shows that the retriever reaches 78.4% top-20 accuracy on "
                                    "Natural Questions and 79.4% on TriviaQA, while BM25 reaches 59.1%")
GOOD_ITEM = QAItem(
    question="Natural Questionsでの上位20件の検索精度はどのくらいですか？",
    answer="提案した検索器は上位20件の検索精度で78.4%に達し、BM25の59.1%を大きく上回ります。",
    evidence=[GOOD_QUOTE])
GOOD_SUMMARY = ("本論文は、オープンドメイン質問応答のためのパッセージ検索を密ベクトル表現だけで実現する手法を提案します。"
                "2つの独立したBERTエンコーダを少数の質問とパッセージの組から学習します。"
                "上位20件の検索精度でBM25を9%〜19%上回ることを示しています。")
GOOD_ONE_LINER = "密ベクトル検索だけでBM25を上回るオープンドメイン質問応答の検索手法を提案しています。"


def make_result(qa=None, summary=GOOD_SUMMARY, one_liner=GOOD_ONE_LINER) -> Result:
    return Result(paper=Paper(id="2004.04906", title="Dense Passage Retrieval for Open-Domain Question Answering",
                              published="2020-04-10"),
                  one_liner=one_liner, summary=summary, qa=list(qa if qa is not None else [GOOD_ITEM]),
                  generator=Generator(engine="openai", model="m", prompt_version="p"))


def item(answer: str, question: str = "提案手法はどのような構成ですか？", evidence=None) -> QAItem:
    return QAItem(question=question, answer=answer, evidence=[GOOD_QUOTE] if evidence is None else evidence)


def codes(findings, item_key=0) -> set[str]:
    return {f.code for f in findings if f.item == item_key}


# ------------------------------------------------------------------ whole result

def test_a_clean_result_has_no_findings_and_is_publishable():
    findings = verify.check_result(make_result(), PAGES)
    assert findings == []
    assert verify.is_publishable(findings)


def test_a_blocking_finding_makes_the_result_unpublishable():
    findings = verify.check_result(make_result(qa=[item("詳細は不明です。")]), PAGES)
    assert not verify.is_publishable(findings)


def test_blocking_codes_cover_every_code_that_must_stop_publication():
    assert {"non_answer", "no_evidence", "quote_not_found", "number_not_in_source", "not_japanese",
            "truncated", "mixed_style", "mistranslation", "empty", "duplicate_question"} <= verify.BLOCKING


def test_check_result_accepts_the_model_output_before_it_becomes_a_result():
    from ronbun.models import ModelOutput
    from ronbun.models import SummarySentence
    quote = Evidence(page=1, quote="Our dense retriever outperforms a strong Lucene-BM25 system greatly by 9%-19% absolute")
    output = ModelOutput(one_liner=GOOD_ONE_LINER, one_liner_evidence=[quote],
                         summary_sentences=[SummarySentence(text="上位20件の検索精度でBM25を9%〜19%上回ることを示しています。",
                                                            evidence=[quote])],
                         qa=[item("詳細は不明です。")])
    assert output.summary == "上位20件の検索精度でBM25を9%〜19%上回ることを示しています。"
    findings = verify.check_result(output, PAGES)
    assert codes(findings) == {"non_answer"} and codes(findings, "summary") == codes(findings, "one_liner") == set()


# ------------------------------------------------------------------ normalisation and quotes

def test_normalize_unifies_ligatures_dashes_quotes_hyphens_and_case():
    raw = "The \u201cef\ufb01cient\u201d re-\ntriever\u00ad  reaches 9%\u201319%"
    assert verify.normalize(raw) == 'the "efficient" retriever reaches 9%-19%'


@pytest.mark.parametrize("quote", [
    "Open-domain question answering relies on efficient passage retrieval to select candidate contexts.",
    "Our dense retriever outperforms a strong Lucene-BM25 system greatly by 9%-19% absolute",
    "our   dense retriever outperforms a strong\nLucene-BM25 system greatly by 9 % - 19 % absolute",
    'We train a model with 1.3B parameters on the "Natural Questions" dataset.',
])
def test_quotes_are_found_despite_ligatures_hyphenation_and_whitespace(quote):
    assert verify.quote_found(quote, PAGE_1)


def test_a_line_end_hyphen_inside_a_word_is_joined():
    assert verify.quote_found("we use the representation at the [CLS] token as the output", PAGE_2)


def test_a_quote_from_a_page_that_lost_its_spaces_is_found():
    quote = "Training was conducted over 150 epochs using BCE Loss with Focal-Loss"
    assert verify.find_quote_page(quote, PAGES) == 4


def test_a_quote_with_an_ellipsis_is_found_when_its_parts_are_in_order():
    assert verify.quote_found("The retrieval corpus contains 21,015,324 passages ... with a learning rate of", PAGE_2)
    assert not verify.quote_found("with a learning rate of ... The retrieval corpus contains 21,015,324 passages",
                                  PAGE_2)


def test_a_paraphrased_quote_is_not_found():
    assert not verify.quote_found("The dense retriever is better than BM25 by 9 to 19 points of accuracy", PAGE_1)


def test_find_quote_page_names_the_page_that_holds_the_quote():
    assert verify.find_quote_page(GOOD_QUOTE.quote, PAGES) == 3
    assert verify.find_quote_page("This sentence appears nowhere in the paper at all.", PAGES) is None


def test_a_quote_on_another_page_is_reported_with_the_page_it_is_on():
    wrong_page = item(GOOD_ITEM.answer, evidence=[Evidence(page=1, quote=GOOD_QUOTE.quote)])
    [finding] = verify.check_qa_item(0, wrong_page, PAGES)
    assert finding.code == "quote_not_found" and finding.blocking
    assert finding.message == "quote not found on page 1 (found on page 3)"


def test_a_quote_that_is_not_in_the_paper_is_a_finding():
    invented = Evidence(page=3, quote="Our retriever reaches 95.0% top-20 accuracy on every benchmark we tried.")
    assert codes(verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[invented]), PAGES)) == {"quote_not_found"}


def test_a_page_beyond_the_paper_is_a_finding():
    beyond = Evidence(page=40, quote=GOOD_QUOTE.quote)
    [finding] = verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[beyond]), PAGES)
    assert finding.code == "quote_not_found" and "page 40" in finding.message and "page 3" in finding.message


def test_a_quote_running_over_a_page_break_counts_for_the_page_it_starts_on():
    pages = {1: "The encoders are trained with in-batch negatives and", 2: "gold passages for forty epochs."}
    spanning = Evidence(page=1, quote="trained with in-batch negatives and gold passages for forty epochs")
    assert verify.check_qa_item(0, item("エンコーダはバッチ内負例で学習します。", evidence=[spanning]), pages) == []


def test_quotes_are_not_checked_against_pages_when_no_pages_are_given():
    invented = Evidence(page=3, quote="Our retriever reaches 78.4% top-20 accuracy on every benchmark we tried.")
    assert "quote_not_found" not in codes(verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[invented])))


# ------------------------------------------------------------------ evidence

def test_an_answer_without_evidence_is_a_finding():
    assert codes(verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[]), PAGES)) == {"no_evidence"}


def test_evidence_without_a_page_is_no_evidence():
    no_page = Evidence(page=0, quote=GOOD_QUOTE.quote)
    assert codes(verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[no_page]), PAGES)) == {"no_evidence"}


@pytest.mark.parametrize("quote", ["BM25", "top-20 accuracy", "Table 3 shows that"])
def test_a_quote_too_short_to_prove_anything_is_a_finding(quote):
    short = Evidence(page=3, quote=quote)
    [finding] = verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[short]), PAGES)
    assert finding.code == "no_evidence" and "too short" in finding.message


def test_a_short_quote_beside_a_real_one_is_only_a_warning():
    findings = verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[GOOD_QUOTE, Evidence(page=1, quote="BM25")]),
                                    PAGES)
    assert [(f.code, f.blocking) for f in findings] == [("weak_evidence", False)]


def test_a_quote_made_of_short_parts_between_ellipses_is_too_short():
    assert verify.quote_too_short("Table 3 ... top-20 accuracy ... TriviaQA")


def test_a_translated_quote_is_not_found_and_says_so():
    translated = Evidence(page=3, quote="表3は、検索器がNatural Questionsで上位20件の精度78.4%に達することを示している")
    [finding] = verify.check_qa_item(0, item(GOOD_ITEM.answer, evidence=[translated]), PAGES)
    assert finding.code == "quote_not_found" and "translated" in finding.message


def test_a_long_quote_without_spaces_counts_as_evidence():
    assert not verify.quote_too_short("Trainingwasconductedover150epochsusingBCELoss")


# ------------------------------------------------------------------ non-answers

@pytest.mark.parametrize("answer", [
    "論文では詳細は不明です。",
    "バッチサイズについては論文中に記載がありません。",
    "具体的な数値は明記されていません。",
    "この点は論文で言及されていないため、判断できません。",
    "学習時間は示されていません。",
    "評価データの詳細は記載されていません。",
    "計算コストには言及されていない。",
    "The paper does not mention the batch size.",
    "Not specified.",
])
def test_an_answer_that_says_nothing_is_a_non_answer(answer):
    assert "non_answer" in codes(verify.check_qa_item(0, item(answer), PAGES))


@pytest.mark.parametrize("answer", [
    "学習率は10−5ですが、ウォームアップの長さは明記されていません。",
    "これまで報告されていない、密ベクトルだけでBM25を上回る検索が可能であることを示しました。",
    "不明瞭なラベルの影響を避けるため、正解パッセージをバッチ内負例と組み合わせて学習します。",
])
def test_an_answer_with_substance_is_not_a_non_answer(answer):
    assert "non_answer" not in codes(verify.check_qa_item(0, item(answer), PAGES))


@pytest.mark.parametrize("question, answer", [
    ("提案手法の主な貢献は何ですか？", "提案手法の主な貢献は、提案手法そのものです。"),
    ("この論文の目的は何ですか？", "この論文の目的は、論文の目的を達成することです。"),
    ("BM25との比較でDPRはどれだけ優れていますか？", "DPRはBM25と比較して優れています。"),
])
def test_an_answer_that_restates_the_question_is_a_non_answer(question, answer):
    [finding] = [f for f in verify.check_qa_item(0, item(answer, question), PAGES) if f.code == "non_answer"]
    assert "restates" in finding.message


def test_a_short_factual_answer_is_not_a_restatement():
    assert not verify.restates_question("エンコーダの出力次元はいくつですか？", "768次元です。")
    assert not verify.restates_question("BM25との比較でDPRはどれだけ優れていますか？",
                                        "上位20件の検索精度でBM25を9%〜19%上回ります。")


# ------------------------------------------------------------------ numbers

@pytest.mark.parametrize("answer", [
    "モデルのパラメータ数は13億です。",
    "パラメータ数は1.3Bです。",
    "約1,300,000,000個のパラメータを持ちます。",
    "検索対象は約2,101万件のパッセージです。",
    "検索対象は2100万件のパッセージです。",
    "上位20件の精度は78.4%です。",
    "上位20件の精度は約78%です。",
    "学習率は1e-5で、最大40エポック学習します。",
    "学習率は1×10^-5です。",
    "ドロップアウト率は10%です。",
    "8台のGPUで1日以内に学習が収束します。",
])
def test_numbers_written_in_other_units_are_found_in_the_paper(answer):
    assert "number_not_in_source" not in codes(verify.check_qa_item(0, item(answer), PAGES))


@pytest.mark.parametrize("answer, shown", [
    ("インデックスのベクトル数は13億です。", "13億"),
    ("上位20件の精度は88.4%です。", "88.4"),
    ("学習には500台のGPUを使います。", "500"),
    ("学習率は1e-4です。", "1e-4"),
    ("検索対象は2000万件のパッセージです。", "2000万"),
    ("1つのパッセージは120語です。", "120"),
])
def test_a_number_that_is_not_in_the_paper_is_a_blocking_finding(answer, shown):
    pages = dict(PAGES)
    pages[1] = pages[1].replace("1.3B", "1.3 million")          # the paper never says 1.3 billion
    [finding] = [f for f in verify.check_qa_item(0, item(answer), pages) if f.code == "number_not_in_source"]
    assert finding.blocking and shown in finding.message


@pytest.mark.parametrize("source, answer", [
    ("a model with 1.3B parameters", "パラメータ数は13億です。"),
    ("a model with 1.3 billion parameters", "パラメータ数は1.3Bです。"),
    ("trained on 1,300,000,000 tokens", "13億トークンで学習しました。"),
    ("trained on 130M tokens", "1億3000万トークンで学習しました。"),
    ("an accuracy of 87.5 on the test set", "精度は87.5%です。"),
    ("an accuracy of 0.875 on the test set", "精度は87.5%です。"),
    ("an accuracy of 87.5% on the test set", "精度は0.875です。"),
    ("a corpus of 50K documents", "5万件の文書を使います。"),
    ("three datasets", "3つのデータセットを使います。"),
    ("a learning rate of 3 × 10−4", "学習率は3e-4です。"),
])
def test_the_same_value_in_other_units_is_found(source, answer):
    assert verify.missing_numbers(answer, verify.source_values([source])) == []


def test_13oku_is_not_found_when_the_paper_says_1_3m():
    values = verify.source_values(["The index holds 1.3M vectors."])
    assert [q.text for q in verify.missing_numbers("ベクトル数は13億です。", values)] == ["13億"]
    assert verify.missing_numbers("ベクトル数は130万です。", values) == []


@pytest.mark.parametrize("answer", [
    "表3と第2章、5ページに結果が示されています。",
    "GPT-4やBM25、Llama-2-7Bと比較しています。",
    "著者は「we trained on 512 GPUs for 9 days」とは書いていません。",
    "参考文献[12]の手法を使います。",
])
def test_references_names_and_quoted_source_text_are_not_checked_as_numbers(answer):
    assert verify.claimed_numbers(answer) == []


def test_without_pages_numbers_are_checked_against_the_quotes_as_a_warning_only():
    [finding] = [f for f in verify.check_qa_item(0, item("上位20件の精度は91.2%です。"))
                 if f.code == "number_not_in_source"]
    assert not finding.blocking and "91.2" in finding.message


def test_without_pages_a_number_in_the_quote_gives_no_warning():
    assert verify.check_qa_item(0, GOOD_ITEM) == []


def test_a_number_in_the_summary_that_is_not_in_the_paper_is_a_finding():
    summary = GOOD_SUMMARY.replace("9%〜19%", "35%")
    assert codes(verify.check_result(make_result(summary=summary), PAGES), "summary") == {"number_not_in_source"}


def test_the_publication_year_counts_as_a_source_number():
    answer = "2020年に発表された研究で、上位20件の精度は78.4%です。"
    assert verify.check_result(make_result(qa=[item(answer)]), PAGES) == []


# ------------------------------------------------------------------ Japanese

@pytest.mark.parametrize("answer", [
    "The retriever reaches 78.4% top-20 accuracy on Natural Questions.",
    "The proposed method outperforms BM25 by 9%-19%です。",
    "提出的方法在多个数据集上取得了最好的结果。",
])
def test_an_answer_that_is_not_japanese_is_a_finding(answer):
    assert "not_japanese" in codes(verify.check_qa_item(0, item(answer), PAGES))


@pytest.mark.parametrize("answer", [
    "BERTとGPT-4、Llama-2-7Bのエンコーダを比較しています。",
    "論文は「we show that retrieval can be practically implemented using dense representations alone」と述べています。",
    "コードは https://github.com/facebookresearch/DPR で公開されています。",
    "DPRはdense passage retrieverの略で、BM25より高い精度を示します。",
])
def test_japanese_with_technical_tokens_quotes_and_urls_is_japanese(answer):
    assert "not_japanese" not in codes(verify.check_qa_item(0, item(answer), PAGES))


def test_an_english_question_is_a_finding():
    question = "What is the top-20 accuracy on Natural Questions?"
    assert "not_japanese" in codes(verify.check_qa_item(0, item(GOOD_ITEM.answer, question), PAGES))


# ------------------------------------------------------------------ style

def test_desu_masu_and_dearu_mixed_in_one_answer_is_a_finding():
    answer = "検索器はBERTを用います。上位20件の精度は78.4%である。"
    [finding] = [f for f in verify.check_qa_item(0, item(answer), PAGES) if f.code == "mixed_style"]
    assert "78.4%である" in finding.message


def test_a_plain_form_sentence_in_the_summary_is_a_finding():
    summary = GOOD_SUMMARY.replace("学習します。", "学習する。")
    assert codes(verify.check_result(make_result(summary=summary), PAGES), "summary") == {"mixed_style"}


def test_a_plain_form_question_in_a_desu_masu_document_is_a_finding():
    assert "mixed_style" in codes(verify.check_qa_item(0, item(GOOD_ITEM.answer, "主な貢献は何か？"), PAGES))


def test_noun_endings_and_parenthesised_references_do_not_count_as_plain_form():
    summary = "密ベクトル検索の提案。検索器はBERTを用います（表3）。精度は78.4%でした。"
    assert verify.off_style_sentences(summary) == []


@pytest.mark.parametrize("sentence, style", [
    ("本研究ではDPRを提案します。", "desu_masu"),
    ("主な貢献は何ですか？", "desu_masu"),
    ("本研究ではDPRを提案する。", "dearu"),
    ("精度が高い。", "dearu"),
    ("結果は表3に示した。", "dearu"),
    ("重要だ。", "dearu"),
    ("DPRの提案。", "neutral"),
])
def test_sentence_style_reads_the_ending(sentence, style):
    assert verify.sentence_style(sentence) == style


def test_a_dearu_document_flags_the_desu_masu_sentences_instead():
    text = "本研究はDPRを提案する。精度は78.4%である。評価しました。"
    assert verify.off_style_sentences(text, "dearu") == ["評価しました。"]


# ------------------------------------------------------------------ truncation

@pytest.mark.parametrize("summary", [
    GOOD_SUMMARY + "さらに、エンドツーエンドの質問応答システムでも",
    GOOD_SUMMARY[:-1] + "、",
    GOOD_SUMMARY + "本手法は…",
    GOOD_SUMMARY + "評価には2つのデータセットを。",
])
def test_a_summary_cut_mid_sentence_is_a_finding(summary):
    assert "truncated" in codes(verify.check_result(make_result(summary=summary), PAGES), "summary")


def test_a_summary_that_ends_with_a_quote_or_parenthesis_is_complete():
    assert not verify.is_truncated("手法名は「DPR」")
    assert not verify.is_truncated("精度は78.4%です（表3）")
    assert not verify.is_truncated("ここで重要なのは検索器の学習方法であるということ。")


def test_a_truncated_one_liner_is_a_finding():
    result = make_result(one_liner="密ベクトル検索だけでBM25を上回る")
    assert codes(verify.check_result(result, PAGES), "one_liner") == {"truncated"}


def test_a_truncated_answer_is_a_finding():
    assert "truncated" in codes(verify.check_qa_item(0, item("上位20件の精度で78.4%に達し、"), PAGES))


# ------------------------------------------------------------------ duplicates

def test_a_near_duplicate_question_is_flagged_on_the_later_item_only():
    later = QAItem(question="Natural Questionsにおける上位20件の検索精度はどのくらいですか？",
                   answer=GOOD_ITEM.answer, evidence=[GOOD_QUOTE])
    findings = verify.check_result(make_result(qa=[GOOD_ITEM, later]), PAGES)
    assert [(f.item, f.code, f.blocking) for f in findings] == [(1, "duplicate_question", True)]
    assert "question 0" in findings[0].message


def test_questions_on_different_things_with_the_same_wording_are_not_duplicates():
    questions = ["エンコーダにはどのようなモデルを使いますか？", "デコーダにはどのようなモデルを使いますか？"]
    assert verify.question_similarity(*questions) >= verify.DUPLICATE_JACCARD
    assert verify.check_duplicates(questions) == []


def test_different_questions_are_not_duplicates():
    other = QAItem(question="検索器はどのように学習しますか？",
                   answer="正解パッセージとバッチ内負例を使って、質問とパッセージのエンコーダを学習します。",
                   evidence=[Evidence(page=3, quote="In-batch negative training with gold passages is an "
                                                    "effective way to learn the encoders")])
    assert verify.check_result(make_result(qa=[GOOD_ITEM, other]), PAGES) == []


# ------------------------------------------------------------------ glossary

@pytest.mark.parametrize("where", ["question", "answer"])
@pytest.mark.parametrize("bad, en", [("埋葬", "embedding"), ("切除実験", "ablation"), ("迅速", "prompt"),
                                     ("注目メカニズム", "attention"), ("変圧器", "transformer")])
def test_a_word_for_word_ml_term_is_a_mistranslation(where, bad, en):
    text = f"本手法は{bad}を用いて精度を78.4%に高めます。"
    qa = item(text) if where == "answer" else item(GOOD_ITEM.answer, question=f"{bad}はどのように使われますか？")
    [finding] = [f for f in verify.check_qa_item(0, qa, PAGES) if f.code == "mistranslation"]
    assert finding.blocking and bad in finding.message and en in finding.message


@pytest.mark.parametrize("answer", [
    "BERTを微調整し、上位20件の精度を78.4%に高めます。",
    "BERTをファインチューニングし、上位20件の精度を78.4%に高めます。",
    "知識蒸留と勾配降下法で学習し、注目すべき結果として精度78.4%を得ます。",
    "埋め込みとアテンションを用い、迅速に検索できます。",
])
def test_accepted_ml_terms_are_not_mistranslations(answer):
    assert "mistranslation" not in codes(verify.check_qa_item(0, item(answer), PAGES))


def test_a_mistranslation_in_the_summary_is_a_finding():
    summary = GOOD_SUMMARY.replace("BERTエンコーダ", "変圧器")
    assert codes(verify.check_result(make_result(summary=summary), PAGES), "summary") == {"mistranslation"}


# ------------------------------------------------------------------ empty

def test_an_empty_answer_is_a_finding():
    assert "empty" in codes(verify.check_qa_item(0, item("  "), PAGES))


def test_an_empty_summary_is_a_finding():
    assert codes(verify.check_result(make_result(summary=""), PAGES), "summary") == {"empty"}


# ------------------------------------------------------------------ real PDF text

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pdf"


@pytest.mark.skipif(not (CORPUS / "2305.14962v1.pdf").exists(), reason="corpus not available")
def test_a_quote_from_the_real_lncs_paper_is_found_on_its_page():
    from pypdf import PdfReader
    reader = PdfReader(CORPUS / "2305.14962v1.pdf")
    pages = {n: reader.pages[n - 1].extract_text() for n in (2, 9)}
    quote = "Layout segmentation datasets published in the recent past, such as PubLayNet"
    assert verify.find_quote_page(quote, pages) == 2


def test_the_worker_loads_the_checks_data_at_import_not_in_its_first_job():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import functions.worker.app\n"
            "from ronbun import glossary\n"
            "from ronbun.verify import grounding, terms\n"
            "print(glossary._index.cache_info().currsize, grounding._table.cache_info().currsize,"
            " terms._senses.cache_info().currsize)")
    env = {**os.environ, "PYTHONPATH": f"{root / 'shared'}{os.pathsep}{root}", "AWS_DEFAULT_REGION": "us-east-1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["1", "1", "1"]
