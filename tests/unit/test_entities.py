"""unsupported_entity: named methods, datasets, metrics and models (Latin letters) in an answer
must be in its quotes or in the paper; variants of one name are one name, and Japanese,
ordinary words, units, URLs and code are not names."""

from __future__ import annotations

from pathlib import Path

import pytest

from ronbun.models import Evidence, Generator, Paper, QAItem, Result
from ronbun.settings import from_env
from ronbun.verify import BLOCKING, check_qa_item, check_result
from ronbun.verify.entities import NameIndex, candidate_names, unsupported_names

PAPER_TEXT = {
    1: "We train a BERT-base retriever, Dense Passage Retriever (DPR), on Natural Questions and\n"
       "report top-20 accuracy with ResNet50 features. The RoBERTa encoder is fine-\ntuned on Wiki-\n"
       "pedia passages; we report the F1-score. 1ByteDance Research",
    2: "Results on SQuAD are in Table 2. Large language models (LLMs) are not used.",
}
INDEX = NameIndex(PAPER_TEXT.values())


@pytest.mark.parametrize("text, names", [
    ("SQuAD と Natural Questions で評価し、BLEU と F1 を報告しています。", ["SQuAD", "Natural Questions", "BLEU", "F1"]),
    ("GPT-4o と ResNet-50 を比較しました。", ["GPT-4o", "ResNet-50"]),
    ("Mixture of Experts を用います。", ["Mixture of Experts"]),
    ("BERT's encoder と BERT/RoBERTa", ["BERT", "RoBERTa"]),
    ("However, the model uses ResNet-50. Results show gains.", ["ResNet-50"]),   # sentence-initial words
    ("Wikipedia の記事を使います。", ["Wikipedia"]),                              # a name in Japanese text
    ("fine-tuning と dropout、in-batch negatives を使います。", []),              # ordinary lowercase words
    ("A100 で 70B のモデルを 12GB のメモリ、100ms で動かします。", ["A100"]),       # numbers with units are numbers
    ("LLM と AI、GPU、Transformer、NLP を使います。", []),                         # generic terms
    ("コードは https://github.com/Org/SomeRepo で、`torch.nn.Linear` を使います。", []),   # URL, code
    ("Table 2 と Figure 3、Section 4 を参照。K 個の近傍 x を使います。", []),     # references, variables
    ("ＢＥＲＴ を使います。", ["BERT"]),                                           # full width
])
def test_candidate_names(text, names):
    assert candidate_names(text) == names


@pytest.mark.parametrize("text", [
    "BERT-base と DPR を使います。",
    "ResNet-50 の特徴を使います。",                       # ResNet50 in the paper
    "resnet 50 と Resnet50 と RESNET-50",                # case and hyphen variants
    "LLMs と BERT-based のモデル",                        # plural, generic suffix
    "Dense Passage Retriever を使います。",
    "Natural-Questions と NaturalQuestions",
    "RoBERTa の F1 スコアと Top-20 精度",
    "Wikipedia と fine-tuned モデル",                     # line-end hyphens in the paper
    "ByteDance Research の研究です。",                   # "1ByteDance": an affiliation mark
    "Large Language Models は使われていません。",          # its initials are a generic term
    "DPR(Dense Passage Retrieval)を使います。",         # the expansion is the answer's own
])
def test_names_the_paper_has_are_found(text):
    assert unsupported_names(text, INDEX) == []


@pytest.mark.parametrize("text, missing", [
    ("MS MARCO と HotpotQA で評価しました。", ["MS MARCO", "HotpotQA"]),
    ("評価指標は BLEU と ROUGE-L です。", ["BLEU", "ROUGE-L"]),
    ("ALBERT を使います。", ["ALBERT"]),                  # not found inside "RoBERTa"
    ("ResNet-101 を使います。", ["ResNet-101"]),
    ("Natural Language Inference で評価します。", ["Natural Language Inference"]),   # not word by word
    ("GPT-4 Turbo を使います。", ["GPT-4 Turbo"]),
    ("BLEU (Bilingual Evaluation Understudy) で評価しました。", ["BLEU", "Bilingual Evaluation Understudy"]),
])
def test_names_the_paper_lacks_are_reported(text, missing):
    assert unsupported_names(text, INDEX) == missing


def _item(answer: str, quote: str = "We train a BERT-base retriever on Natural Questions.") -> QAItem:
    return QAItem(question="どのデータで評価していますか?", answer=answer, evidence=[Evidence(page=1, quote=quote)])


def test_a_name_not_in_the_paper_is_a_blocking_finding():
    [finding] = [f for f in check_qa_item(0, _item("SQuAD と TriviaQA で評価しています。"), PAPER_TEXT)
                 if f.code == "unsupported_entity"]
    assert finding.blocking and "unsupported_entity" in BLOCKING
    assert finding.message == "'TriviaQA' is not in the quotes or the paper"


def test_a_name_in_the_quote_or_elsewhere_in_the_paper_passes():
    findings = check_qa_item(0, _item("Natural Questions と SQuAD で評価しています。"), PAPER_TEXT)
    assert [f for f in findings if f.code == "unsupported_entity"] == []


def test_without_the_paper_names_are_not_judged():
    # a name missing from the quotes alone proves nothing: answers may name what the rest of the paper says
    findings = check_qa_item(0, _item("SQuAD と Natural Questions で評価しています。"))
    assert [f for f in findings if f.code == "unsupported_entity"] == []


@pytest.mark.parametrize("text, missing", [
    ("CLASS を修正して計算しています。", ["CLASS"]),        # the paper has "class" only as a word
    ("NEWS と比較しています。", []),                          # the paper writes NEWS
    ("APACHE II と比較しています。", ["APACHE II"]),        # APACHE and II, but never together
])
def test_all_capitals_names_are_not_ordinary_words(text, missing):
    index = NameIndex(["Class imbalance matters. We use a class of models and compare with NEWS and APACHE "
                       "scores (see Section II)."])
    assert unsupported_names(text, index) == missing


def test_the_summary_is_checked_against_the_paper_its_title_and_abstract():
    paper = Paper(id="2401.15884", title="Sparse Adapter Routing", abstract="We evaluate on XSum.")
    result = Result(paper=paper, generator=Generator(engine="openai", model="m", prompt_version="p"),
                    one_liner="Sparse Adapter Routing を提案する論文です。",
                    summary="XSum と CNN/DailyMail で評価しています。", qa=[])
    [finding] = [f for f in check_result(result, PAPER_TEXT) if f.code == "unsupported_entity"]
    assert finding.item == "summary" and "'DailyMail'" in finding.message and "CNN" in finding.message


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pdf" / "2004.04906v3.pdf"


@pytest.mark.skipif(not CORPUS.is_file(), reason="corpus missing")
def test_on_the_dpr_paper():
    from ronbun.pdftext import extract

    index = NameIndex(extract(CORPUS.read_bytes()).page_map().values())
    good = ("DPR は BERT ベースのデュアルエンコーダで、Natural Questions、TriviaQA、WebQuestions、CuratedTREC、"
            "SQuAD で評価され、top-20 の検索精度で BM25 を上回りました。FAISS で Wikipedia のパッセージを検索します。")
    assert unsupported_names(good, index) == []
    assert unsupported_names("評価には MS MARCO と HotpotQA を、リーダーには GPT-3 を用いました。", index) == \
        ["MS MARCO", "HotpotQA", "GPT-3"]


def test_the_judge_model_setting():
    assert from_env({}).judge_model is None
    assert from_env({"RONBUN_JUDGE_MODEL": "gpt-4.1-nano"}).judge_model == "gpt-4.1-nano"


def test_a_title_longer_than_the_index_runs_is_found():
    index = NameIndex(["Sparse Adapter Routing for Efficient Multilingual Summarization of News Articles"])
    assert unsupported_names("Sparse Adapter Routing for Efficient Multilingual Summarization of News を提案", index) == []
    assert unsupported_names("Sparse Adapter Routing for Efficient Multilingual Translation of News を提案", index) != []


# ---- names a model writes differently from the paper (h11): each passes, and the invented
# name beside it is still reported.

VARIANT_TEXT = [
    "Departamento de F ́ısica, M ́exico. We vary ΩB and ΩCDM and use CMBFAST; Ure˜na-L´opez (2005).",
    "Performance is the area under the ROC curve (AU-ROC) and precision; k nearest neighbors.",
    "PaSa is compared withGPT-4o and a BERT-base encoder; std. values are reported.",
]
VARIANT_INDEX = NameIndex(VARIANT_TEXT)


@pytest.mark.parametrize("text", [
    "Ω_B と Ω_CDM を変えました。", "Omega_B を変えました。", "Ωb を変えました。",                 # Greek, subscripts
    "Departamento de Física に所属しています。", "México の研究所です。",                     # diacritics, dotless ı
    "Ureña-López らの研究です。",
    "評価はAUC（ROC曲線下面積）です。", "AUROC と PPV で比較しました。", "k-NN と比べました。",  # long forms
    "平均と SD、95% CI、p-value を示しています。", "質量は 10^-22 eV です。",                  # statistics, units
    "GPT-4o と比較しています。",                                                              # glued in the PDF
    "BERT-based なエンコーダです。",
])
def test_variants_of_a_supported_name_pass(text):
    assert unsupported_names(text, VARIANT_INDEX) == []


@pytest.mark.parametrize("text, missing", [
    ("ΛCDM と比較しました。", ["ΛCDM"]),              # Greek is kept, not dropped
    ("Ω_Λ を変えました。", ["Ω_Λ"]),
    ("BERT-large を使っています。", ["BERT-large"]),    # a model size is part of the name
    ("MAE で評価しました。", ["MAE"]),                  # an abbreviation whose long form is absent
    ("CAMB と MS MARCO を使いました。", ["CAMB", "MS MARCO"]),
])
def test_near_variants_that_are_other_names_are_reported(text, missing):
    assert unsupported_names(text, VARIANT_INDEX) == missing


ACRONYM_INDEX = NameIndex(["We model time series with multi-output Gaussian processes (GPs) and a Crawler that "
                           "expands citations. NEWS is a clinical score."])


@pytest.mark.parametrize("text", [
    "Multi-Output GP で欠損値を補完します。",        # an acronym the paper defines, inside a longer name
    "Crawler Agent が引用を展開します。",             # a kind word after a found name
    "Zero-shot の設定で、End-to-end に学習します。",  # an ordinary hyphenated word capitalised
])
def test_defined_acronyms_kind_words_and_ordinary_compounds_pass(text):
    assert unsupported_names(text, ACRONYM_INDEX) == []


@pytest.mark.parametrize("text, missing", [
    ("Multi-Output VAE を使います。", ["Multi-Output VAE"]),   # an acronym the paper does not define
    ("Selector Agent が選びます。", ["Selector Agent"]),       # the name before the kind word is not found
    ("NEW Score と比べます。", ["NEW Score"]),                # "NEWS" defines no "NEW"
    ("Self-RAG と比べます。", ["Self-RAG"]),                  # a capital after the hyphen: a name
])
def test_acronyms_and_kind_words_do_not_hide_invented_names(text, missing):
    assert unsupported_names(text, ACRONYM_INDEX) == missing


# ---- hard negatives of helper evalw (issue 9): an acronym's plural in the paper, and a
# method joined to its setting, each named by the paper.

EVALW_INDEX = NameIndex(["Multi-output Gaussian Processes (MGPs) extend GPs to multivariate series.",
                         "DPR is trained in the Multi setting; NEWS is a clinical score; GPT-4o is a baseline."])


@pytest.mark.parametrize("text", ["Multi-output GP で補間します。", "MGP を使います。", "DPR-Multi の結果です。"])
def test_plural_acronyms_and_method_setting_compounds_pass(text):
    assert unsupported_names(text, EVALW_INDEX) == []


@pytest.mark.parametrize("text, missing", [
    ("NEW Score と比べます。", ["NEW Score"]),          # NEWS is not the plural of NEW
    ("DPR-Fast の結果です。", ["DPR-Fast"]),             # a part the paper does not name
    ("GPT-4o-mini と比べます。", ["GPT-4o-mini"]),       # another model, not a variant
])
def test_plural_and_compound_rules_do_not_hide_other_names(text, missing):
    assert unsupported_names(text, EVALW_INDEX) == missing


@pytest.mark.parametrize("text, missing", [
    ("Real-Worldな設定で評価しました。", []),       # plain English words modifying the Japanese after them
    ("Large-Scale実験を行いました。", []),
    ("Multi-Hop推論が必要です。", []),
    ("Real-World的な条件です。", []),
    ("Multi-Newsで評価しました。", ["Multi-News"]),  # the same shape as what a sentence talks about: a name
    ("Multi-News データセットを使います。", ["Multi-News"]),
    ("Flan-T5推論を使います。", ["Flan-T5"]),         # a digit: not plain words
    ("Self-RAG手法と比べます。", ["Self-RAG"]),        # a capital after the hyphen: a name
])
def test_hyphenated_english_used_as_a_modifier_is_not_a_name(text, missing):
    assert unsupported_names(text, INDEX) == missing


@pytest.mark.parametrize("text, missing", [
    ("知識蒸留（KD）で小さなモデルを学習します。", []),       # the text's own abbreviation of a glossary term
    ("知識蒸留(KD)で学習します。", []),
    ("知識蒸留（KDX）で学習します。", ["KDX"]),              # not the term's initials
    ("KDで学習します。", ["KD"]),                             # not defined in the text
    ("高速蒸留（KD）で学習します。", ["KD"]),                 # not after the term's rendering
])
def test_an_abbreviation_the_text_gives_for_a_glossary_term_is_not_a_name(text, missing):
    assert unsupported_names(text, INDEX) == missing


@pytest.mark.parametrize("text, quote, missing", [
    # the text abbreviates a phrase of its own quote (hyphenated parts are words; "of" is left out)
    ("選好最適化（DPO）で学習します。", "We then apply direct preference optimization to the policy.", []),
    ("強化学習（RLHF）で調整します。", "It is tuned with reinforcement learning from human feedback.", []),
    ("教師あり微調整（SFT）を行います。", "We run supervised fine-tuning for one epoch.", []),
    ("多段階整合（MSA）を行います。", "We then run multi-stage alignment for one epoch.", []),
    ("多段階整合（MSA）を行います。", "We then run a staged alignment for one epoch.", ["MSA"]),   # no such phrase
    ("教師あり微調整の後、SFTを行います。", "We run supervised fine-tuning for one epoch.", ["SFT"]),  # not given in brackets
    ("選好最適化（DPO）で学習します。", "", ["DPO"]),                                              # no quote
])
def test_an_abbreviation_the_text_gives_for_a_phrase_of_its_quote_is_not_a_name(text, quote, missing):
    assert unsupported_names(text, NameIndex([quote]), INDEX, quotes=[quote]) == missing


def test_english_pronoun_contractions_are_not_names():
    assert candidate_names("I'm sorry, but I couldn't find it. I've checked; We're using BERT.") == ["BERT"]


def test_possessives_end_a_name_and_plus_joins_found_names():
    index = NameIndex(["PaSa has a Crawler and a Selector. BM25+DPR combines the scores. GPT-4 is used."])
    assert candidate_names("PaSa's Crawler collects papers.") == ["PaSa", "Crawler"]
    assert unsupported_names("PaSa's Crawler と DPR+BM25 を使います。", index) == []
    assert unsupported_names("DPR+ColBERT と GPT-4-turbo を使います。", index) == ["DPR+ColBERT", "GPT-4-turbo"]


def test_a_capital_after_an_abbreviation_period_is_the_words_own():
    refs = NameIndex(["E. Choi, M. T. Bahadori, and et al. Retain: An interpretable predictive model. NIPS, 2016."])
    assert unsupported_names("RETAINを使います。", refs) == []          # a reference title's first word
    prose = NameIndex(["We keep the results. Retain the best model after training."])
    assert unsupported_names("RETAINを使います。", prose) == ["RETAIN"]   # a sentence's first word
