"""`overgeneralised` on ways of broadening that the first detector did not know (helper dscope):
each positive fails on the detector before this change, each negative keeps the quote's claim."""
import pytest

from ronbun.verify.scope import overgeneralised

BROADER = [
    # a superlative the quote does not make
    ("3つの検出器をアンサンブルすることで、最高の性能が得られました。",
     "Predictions for the final submission were ensembled from three detectors to achieve superior performance."),
    ("Q = 3 が最適であることが分かりました。", "We found Q = 3 worked well in practice."),
    # a hedge stated as established; "can contribute" stated as a cause; intent stated as a result
    ("事前学習済み言語モデルを使えば、少数のペアで高品質な検索器が学習できることが実証されました。",
     "This suggests that with a general pretrained language model, it is possible to train a high-quality dense "
     "retriever with a small number of question–passage pairs."),
    ("原文に根拠のない事実を含む要約で学習すると、モデルの幻覚が引き起こされる。",
     "Training on summaries containing facts unsupported by the source text can contribute to model hallucination."),
    ("Crawlerは関連論文の再現率を最大化します。",
     "In summary, the Crawler is designed to maximize the recall of relevant papers."),
    # quantifier ladder: some -> 多く, many -> ほとんど, "in some cases" / "most" dropped
    ("DPRとBM25を組み合わせると、多くの場合で結果がさらに改善した。",
     "Results can be improved further in some cases by combining DPR with BM25."),
    ("ほとんどの検査は、問題が疑われる場合にのみ指示されます。",
     "This additional information can be very useful, as many labs are only ordered when there is a suspected problem."),
    ("標準的なモデルでは、この転移は物質優勢期よりずっと後に起こります。",
     "However, in most standard models, this transition takes place well after the matter dominated epoch."),
    # "four out of the five" as 5つ; a count in a condition phrase; an "only if" condition
    ("DPRベースのモデルは、5つのデータセットで従来の最先端の結果を上回った。",
     "Overall, our DPR-based models outperform the previous stateof-the-art results on four out of the five datasets."),
    ("マルチタスク学習により、L要約の性能は11〜17%向上しました。",
     "Most interestingly, L summarization is greatly improved (by 11-17% in the automated metrics) in the three-task case."),
    ("超軽量ボソン暗黒物質が支配する宇宙は実現可能であることが示されました。",
     "A universe dominated by Ultra Light Bosonic Dark Matter could be possible only if these particles fulfill the condition."),
    # a result verb the first list lacked (enhances), so the datasets were not read as conditions
    ("強化学習による訓練で、再現率は19.96%向上した。",
     "Furthermore, RL training enhances recall by 6.24% on AutoScholarQuery and 19.96% on RealScholarQuery."),
    # "in general" is 一般に, not あらゆる; "all of the metrics we considered" is bounded
    ("DPRは、あらゆる点でBM25より優れた検索手法です。",
     "Although DPR performs better than BM25 in general, passages retrieved by these two methods differ qualitatively."),
    ("提案モデルは、あらゆる評価指標で他の手法を常に上回ります。",
     "The most complete model consistently outperformed all other methods for all of the metrics we considered."),
    # reductions stated as elimination; slightly as 大きく; extrapolation against a plateau
    ("提案モデルは、すべての感度で誤警報をなくすことができます。",
     "Our model demonstrates drastic reductions in false alarms across all sensitivities."),
    ("ベースライン設定の検索精度は、表3の値を大きく上回った。",
     "The retrieval accuracy for our baseline settings is slightly better than those reported in Table 3."),
    ("RL訓練では、学習ステップを増やすほど報酬が増え続ける。",
     "The training curves show a steady increase in return with the training steps, eventually converging after 200 steps."),
]

KEPT = [
    ("2つではなく3つの異なるタスクで学習すると、概して性能が向上することが分かりました。",
     "We find training for three rather than two different tasks generally leads to better performance."),
    ("汎用の事前学習済み言語モデルを用いれば、少数のペアでも高品質な検索器を学習できる可能性が示唆されています。",
     "This suggests that with a general pretrained language model, it is possible to train a high-quality dense "
     "retriever with a small number of question–passage pairs."),
    ("多くの検査は問題が疑われる場合にのみ指示されるため、この追加情報は非常に有用になりえます。",
     "This additional information can be very useful, as many labs are only ordered when there is a suspected problem."),
    ("ほとんどの標準的なモデルでは、この転移は物質優勢期よりかなり後に起こる。",
     "However, in most standard models, this transition takes place well after the matter dominated epoch."),
    ("DPRベースのモデルは、5つのデータセットのうち4つで従来の最先端の結果を上回った。",
     "Overall, our DPR-based models outperform the previous stateof-the-art results on four out of the five datasets."),
    ("3タスクで学習した場合、L要約は自動評価指標で11〜17%と大きく改善しました。",
     "Most interestingly, L summarization is greatly improved (by 11-17% in the automated metrics) in the three-task case."),
    ("冷たい暗黒物質が増えると、振動の振幅が小さくなる。",
     "Figure 5 shows how the increase in Cold Dark Matter diminishes the amplitude of the oscillations."),
    ("実験の結果、PaSaはGoogle、ChatGPTなどを含むすべてのベースラインを上回りました。",
     "Our experimental results demonstrate that PaSa outperforms all baselines, including Google, Google Scholar, and "
     "Google with GPT-4o, ChatGPT, GPT-o1, and PaSa-GPT-4o."),
    ("本研究の基準は、重症敗血症に関するSepsis-2の定義に最も近いものです。",
     "Our criteria most closely matches the Sepsis-2 definition for severe sepsis."),
    ("Crawlerは関連論文の再現率を最大化するよう設計されています。",
     "In summary, the Crawler is designed to maximize the recall of relevant papers."),
    ("RL訓練の報酬は学習ステップとともに着実に増加し、200ステップ後に収束した。",
     "The training curves show a steady increase in return with the training steps, eventually converging after 200 steps."),
    ("提案手法は性能を大きく向上させ、誤差を半分以下にしました。", "The proposed method reduces the error by more than half."),
    # 最適化 is optimisation, not a superlative; a count that is not a condition ("due to two reasons")
    ("強化学習（PPO）で、報酬を最大化するように方策を最適化し、性能が向上します。",
     "We optimize the policy with PPO to maximize the reward, which improves performance."),
    ("SQuADではBM25より性能が低く、著者らはその理由を挙げています。",
     "We conjecture that the lower performance on SQuAD is due to two reasons."),
    # the quote's own "all" tops the ladder: "some behind a paywall" does not bound すべて
    ("原文書はすべて連邦裁判所が公開しており、機密情報は含まれないことが確認されています。",
     "There is no confidential information in our dataset; all the source documents are posted (albeit some behind a "
     "paywall) by the federal courts."),
]


@pytest.mark.parametrize("text,quote", BROADER)
def test_a_broader_sentence_is_overgeneralised(text, quote):
    assert overgeneralised(text, [quote])


@pytest.mark.parametrize("text,quote", KEPT)
def test_a_sentence_that_keeps_the_quotes_claim_passes(text, quote):
    assert overgeneralised(text, [quote]) is None


def test_hijou_ni_is_not_tsune_ni():
    """非常に (very) contains 常に (always) but claims nothing about all times."""
    quote = "Even experienced providers can have significant difficulty identifying sepsis early."
    assert overgeneralised("経験豊富な医療者でも、敗血症を早期に見分けるのが非常に難しい場合がある。", [quote]) is None
    assert overgeneralised("経験豊富な医療者でも、敗血症を常に見分けられない。", [quote])
