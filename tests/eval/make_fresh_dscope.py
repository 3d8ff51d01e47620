"""Writes fresh_dscope.jsonl: one-sentence summaries of corpus result sentences, each with its
verbatim quote, labelled `overgeneralised` (a way of broadening a writer really uses) or clean (a
hard negative that keeps the quote's conditions in Japanese). Written by helper dscope before
changing the detector (GENERALISE.md), on quotes not used in scope_dev.jsonl."""
import json
from pathlib import Path

P, N = True, False
R = []
DPR, SEP, LEX, DOC, PASA, ULB = "2004.04906v3", "1708.05894v1", "2206.10883v3", "2305.14962v1", "2501.10120v1", "0908.0054v1"


def q(paper, page, quote, *pairs):
    for text, pos, note, *rest in pairs:
        kind, style = (rest + ["summary", "real-model"])[:2] if rest else ("summary", "real-model")
        R.append(dict(text=text, evidence=[{"page": page, "quote": quote}], paper=paper,
                      expect=["overgeneralised"] if pos else [], kind=kind, style=style, note=note))


# ---------------------------------------------------------------- PaSa
q(PASA, 1, "Notably, PaSa-7B surpasses the best Google-based baseline, Google with GPT-4o, by 37.78% in recall@20 and 39.90% in recall@50.",
  ("PaSa-7Bは、Googleベースの最良のベースラインを37.78%上回る性能を示しました。", P, "metric recall@20 dropped: 37.78% of 性能"),
  ("PaSa-7Bは、Googleベースで最良のベースラインであるGPT-4o併用のGoogleを、recall@20で37.78%、recall@50で39.90%上回りました。", N, "metric kept"))
q(PASA, 2, "For RealScholarQuery, PaSa-7b outperforms Google with GPT-4o by 37.78% in Recall@20 and 39.90% in Recall@50.",
  ("PaSa-7bは、学術論文検索においてGPT-4o併用のGoogleをRecall@20で37.78%上回りました。", P, "dataset RealScholarQuery -> 学術論文検索 in general"),
  ("RealScholarQueryでは、PaSa-7bがGPT-4o併用のGoogleをRecall@20で37.78%、Recall@50で39.90%上回りました。", N, "kept"))
q(PASA, 9, "Furthermore, RL training enhances recall by 6.24% on AutoScholarQuery and 19.96% on RealScholarQuery.",
  ("強化学習による訓練で、再現率は19.96%向上した。", P, "dataset dropped (and the larger of two)", "summary", "dearu"),
  ("RL訓練により、再現率はAutoScholarQueryで6.24%、RealScholarQueryで19.96%向上した。", N, "kept", "summary", "dearu"))
q(PASA, 9, "Finally, removing the Selector as an auxiliary reward model results in a 3.76% recall drop on AutoScholarQuery and a 9.63% drop on RealScholarQuery.",
  ("補助報酬モデルとしてのSelectorは、PaSaの再現率に最も大きく寄与する要素です。", P, "superlative 最も: the quote ranks nothing"),
  ("補助報酬モデルとしてのSelectorを除くと、再現率はAutoScholarQueryで3.76%、RealScholarQueryで9.63%低下しました。", N, "kept"))
q(PASA, 9, "As the reward increases, both crawler recall and crawler action increase, suggesting that adjusting rewards in RL training can effectively influence PaSa’s behavior.",
  ("報酬を大きくすることで、クローラーの再現率が上がることが証明されました。", P, "correlation (as X, Y) + suggesting -> causal, proven"),
  ("報酬が増えるにつれてクローラーの再現率と行動回数がともに増加しており、RL訓練での報酬の調整がPaSaの挙動に効果的に影響しうることが示唆されています。", N, "hedge kept"))
q(PASA, 9, "Our experimental results demonstrate that PaSa outperforms all baselines, including Google, Google Scholar, and Google with GPT-4o, ChatGPT, GPT-o1, and PaSa-GPT-4o.",
  ("PaSaは現存する最高の学術論文検索システムであることが実験で示されました。", P, "all baselines -> 最高 of all existing systems"),
  ("実験の結果、PaSaはGoogle、Google Scholar、ChatGPTなどを含むすべてのベースラインを上回りました。", N, "all baselines kept"))
q(PASA, 8, "Moreover, the recall of the Crawler in PaSa-7b is 3.66% higher than that in PaSa-GPT-4o.",
  ("小規模なオープンモデルを使ったクローラーは、GPT-4oのような大規模モデルより再現率が高い。", P, "one model pair -> model classes"),
  ("PaSa-7bのクローラーの再現率は、PaSa-GPT-4oのものより3.66%高い。", N, "kept", "summary", "dearu"))
q(PASA, 9, "removing the [Expand] action from the Crawler leads to a significant drop in the recall: a decrease of 22.98% on AutoScholarQuery",
  ("クローラーから[Expand]操作を取り除くと、再現率が22.98%低下します。", P, "dataset dropped"),
  ("クローラーから[Expand]操作を除くと、AutoScholarQueryで再現率が22.98%と大幅に低下します。", N, "kept; 大幅 = significant"))
q(PASA, 2, "Specifically, for AutoScholarQuery test set, PaSa- 7b achieves a 34.05% improvement in Recall@20 and a 39.36% improvement in Recall@50 compared to Google with GPT-4o, the strongest Google-based baseline.",
  ("AutoScholarQueryで、PaSa-7bは既存の検索エンジンをRecall@20で34.05%上回った。", P, "baseline Google with GPT-4o -> 既存の検索エンジン", "summary", "dearu"),
  ("AutoScholarQueryのテストセットでは、PaSa-7bがGoogleベースで最強のベースライン(GPT-4o併用のGoogle)に対してRecall@20で34.05%、Recall@50で39.36%の改善を示しました。", N, "kept"))
q(PASA, 1, "It also exceeds PaSa- GPT-4o by 30.36% in recall and 4.25% in precision.",
  ("PaSa-7bのように微調整した小型モデルは、GPT-4oのような大規模LLMを上回ります。", P, "one model -> small fine-tuned models in general"),
  ("PaSa-7bは、PaSa-GPT-4oも再現率で30.36%、適合率で4.25%上回ります。", N, "kept"))
# ---------------------------------------------------------------- DPR
q(DPR, 6, "We find that using a similar configuration (7 gold negative passages), in-batch negative training improves the results substantially.",
  ("インバッチ負例学習は検索結果を大幅に改善することが分かった。", P, "configuration (7 gold negatives) dropped", "summary", "dearu"),
  ("同様の構成（7個のゴールド負例パッセージ）で比べると、インバッチ負例学習により結果が大幅に改善した。", N, "kept", "summary", "dearu"))
q(DPR, 6, "We find that DPR generalizes well, with 3-5 points loss from the best performing fine-tuned model in top-20 retrieval accuracy (69.9/86.3 vs. 75.0/89.1 for WebQuestions and TREC, respectively), while still greatly outperforming the BM25 baseline (55.0/70.9).",
  ("DPRは別のデータセットに直接適用しても、BM25を大きく上回る汎化性能を示します。", P, "WebQuestions/TREC -> 別のデータセット"),
  ("DPRはWebQuestionsとTRECでも、top-20検索精度で微調整済みの最良モデルから3〜5ポイントの低下にとどまり、BM25を大きく上回った。", N, "kept", "summary", "dearu"))
q(DPR, 8, "Although the results of DPR on WQ and TREC in the single-dataset setting are less competitive, adding more question–answer pairs helps boost the performance, achieving the new state of the art.",
  ("学習用の質問応答ペアを増やすほど、DPRの性能は向上し続けます。", P, "extrapolation + WQ/TREC dropped"),
  ("WQとTRECでは単一データセット設定のDPRの結果は見劣りするが、質問応答ペアを追加すると性能が向上し、新たな最先端に達した。", N, "kept", "summary", "dearu"))
q(DPR, 8, "Overall, our DPR-based models outperform the previous stateof-the-art results on four out of the five datasets, with 1% to 12% absolute differences in exact match accuracy.",
  ("DPRベースのモデルは、5つのデータセットで従来の最先端の結果を上回った。", P, "four out of five -> 5つのデータセットで (no すべて)", "summary", "dearu"),
  ("DPRベースのモデルは、5つのデータセットのうち4つで従来の最先端の結果を上回り、完全一致精度の差は1%から12%だった。", N, "kept", "summary", "dearu"))
q(DPR, 8, "While DPR processes up to 100 passages for each question, the reader is able to fit all of them into one batch on a single 32GB GPU, thus the latency remains almost identical to the single passage case (around 20ms).",
  ("リーダーは何件のパッセージを処理しても、遅延がほとんど変わりません。", P, "何件…ても vs up to 100; GPU dropped"),
  ("質問あたり最大100件のパッセージでも32GBのGPU1枚で1バッチに収まるため、遅延は単一パッセージの場合とほぼ同じ（約20ms）です。", N, "kept"))
q(DPR, 2, "First, we demonstrate that with the proper training setup, simply fine-tuning the question and passage encoders on existing question-passage pairs is sufficient to greatly outperform BM25.",
  ("既存の質問・パッセージのペアで両エンコーダを微調整するだけで、BM25を大きく上回ることができます。", P, "with the proper training setup dropped"),
  ("適切な学習設定のもとでは、既存の質問・パッセージのペアで両エンコーダを微調整するだけでBM25を大きく上回れることを示した。", N, "kept", "summary", "dearu"))
q(DPR, 2, "Second, we verify that, in the context of open-domain question answering, a higher retrieval precision indeed translates to a higher end-to-end QA accuracy.",
  ("検索精度が高いほど、下流タスクの精度も高くなることを確認した。", P, "open-domain QA -> 下流タスク", "summary", "dearu"),
  ("オープンドメイン質問応答においては、検索精度の向上が実際にエンドツーエンドのQA精度の向上につながることを確認した。", N, "kept", "summary", "dearu"))
q(DPR, 6, "This suggests that with a general pretrained language model, it is possible to train a high-quality dense retriever with a small number of question–passage pairs.",
  ("事前学習済み言語モデルを使えば、少数の質問・パッセージペアで高品質な密な検索器が学習できることが実証されました。", P, "suggests -> 実証"),
  ("汎用の事前学習済み言語モデルを用いれば、少数の質問・パッセージペアでも高品質な密な検索器を学習できる可能性が示唆されています。", N, "hedge kept"))
q(DPR, 5, "Results can be improved further in some cases by combining DPR with BM25 in both single- and multi-dataset settings.",
  ("DPRとBM25を組み合わせることで、結果はさらに改善します。", P, "in some cases + can dropped"),
  ("DPRとBM25を組み合わせると、多くの場合で結果がさらに改善した。", P, "some -> 多く", "summary", "dearu"),
  ("単一データセット設定でも複数データセット設定でも、DPRとBM25を組み合わせると一部のケースで結果がさらに改善しうる。", N, "kept", "summary", "dearu"))
q(DPR, 7, "Although DPR performs better than BM25 in general, passages retrieved by these two methods differ qualitatively.",
  ("DPRは、あらゆる点でBM25より優れた検索手法です。", P, "in general -> あらゆる点で"),
  ("DPRは全般的にBM25より高い性能を示すが、両者が検索するパッセージは質的に異なる。", N, "kept", "summary", "dearu"))
# ---------------------------------------------------------------- sepsis
q(SEP, 9, "The most complete model with all the extensions considered consistently outperformed all other methods for all of the metrics we considered.",
  ("提案モデルは、あらゆる評価指標で他の手法を常に上回ります。", P, "the metrics we considered -> あらゆる"),
  ("すべての拡張を加えた最も完全なモデルは、検討したすべての評価指標で他の手法を一貫して上回った。", N, "kept", "summary", "dearu"))
q(SEP, 10, "Furthermore, better methods to capture heterogeneity in this population by clustering or learning latent subpopulations with similar clinical statuses might help to improve overall performance.",
  ("患者集団の異質性をクラスタリングで捉えると、全体の性能が向上する。", P, "might help -> stated as a result", "summary", "dearu"),
  ("クラスタリングなどで患者集団の異質性を捉える手法は、全体の性能向上に役立つかもしれないと述べています。", N, "hedge kept"))
q(SEP, 6, "We found Q = 3 worked well in practice.",
  ("Q = 3 が最適であることが分かりました。", P, "worked well -> 最適"),
  ("実際には Q = 3 でうまく機能することが分かりました。", N, "kept"))
q(SEP, 7, "Although a “Sepsis- 3” definition was recently released (Singer et al. (2016)), it tends to identify sicker patients with higher mortality, compared with “Sepsis-2”, and its adoption is not yet standard.",
  ("Sepsis-3の定義では、Sepsis-2よりも重症で死亡率の高い患者が特定されます。", P, "tends to dropped"),
  ("Sepsis-3の定義は、Sepsis-2に比べて重症で死亡率の高い患者を特定する傾向があり、まだ標準的には採用されていない。", N, "kept", "summary", "dearu"))
q(SEP, 4, "Our proposed model improves upon our previous work in this area (Futoma et al. (2017)) that ties together a Multitask Gaussian Process with a Recurrent Neural Network classifier (MGP-RNN).",
  ("提案モデルは、敗血症の早期検出で最も優れた手法です。", P, "improves upon our previous work -> 最も"),
  ("提案モデルは、多タスクガウス過程とRNN分類器を組み合わせた著者らの先行研究（MGP-RNN）を改良したものです。", N, "kept"))
q(SEP, 1, "However, even experienced providers can have significant difficulty identifying sepsis early and accurately, since the symptoms associated with sepsis can be caused by many other clinical conditions (Jones et al. (2010)).",
  ("経験豊富な医療者でも、敗血症を早期かつ正確に見分けることはできない。", P, "can have difficulty -> できない", "summary", "dearu"),
  ("敗血症の症状は他の多くの病態でも生じうるため、経験豊富な医療者でも早期かつ正確に見分けるのが非常に難しい場合がある。", N, "kept", "summary", "dearu"))
q(SEP, 6, "This additional information can be very useful, as many labs are only ordered when there is a suspected problem.",
  ("ほとんどの検査は、問題が疑われる場合にのみ指示されます。", P, "many -> ほとんど"),
  ("多くの検査は問題が疑われる場合にのみ指示されるため、この追加情報は非常に有用になりえます。", N, "kept"))
# ---------------------------------------------------------------- Multi-LexSum
q(LEX, 7, "The best performing extractive models are worse than the abstractive counterparts (PEGASUS) by 47%, 64%, 84% in terms of Rouge-2, and the magnitude increases as the target is more abstractive.",
  ("抽出型の要約モデルは、抽象型のモデルより性能が大きく劣る。", P, "metric + best performing dropped", "summary", "dearu"),
  ("最良の抽出型モデルは、Rouge-2で抽象型のPEGASUSより47%、64%、84%劣り、目標がより抽象的になるほど差が広がる。", N, "kept", "summary", "dearu"))
q(LEX, 8, "Comparing with Table 3, performance is much higher when the model is given a ground truth summary of a different size as input.",
  ("別の粒度の要約を入力として与えると、性能が向上します。", P, "ground truth dropped"),
  ("正解の（人手で書かれた）別サイズの要約を入力として与えると、性能ははるかに高くなります。", N, "kept"))
q(LEX, 8, "PRIMERA outperforms even the LED-16384 model on the D → L task, but achieves similar results as LED-4096 on the other two tasks of shorter targets, aligned with the authors’ observation [58].",
  ("PRIMERAはLED-16384を上回る性能を示した。", P, "task D → L dropped", "summary", "dearu"),
  ("PRIMERAはD → LタスクではLED-16384をも上回るが、目標の短い他の2タスクではLED-4096と同程度の結果である。", N, "kept", "summary", "dearu"))
q(LEX, 9, "We find training for three rather than two different tasks generally leads to better performance.",
  ("学習するタスクの数を増やすほど、性能は向上し続けます。", P, "3 vs 2 -> extrapolation"),
  ("2つではなく3つの異なるタスクで学習すると、概して性能が向上することが分かりました。", N, "kept"))
q(LEX, 9, "The added training samples bring greater performance boosts for T summarization, which has only a third of the training samples compared to L.",
  ("学習サンプルを追加すると、要約の性能が大きく向上します。", P, "T summarization dropped"),
  ("学習サンプルの追加は、Lの3分の1しか学習サンプルがないT要約で、より大きな性能向上をもたらす。", N, "kept", "summary", "dearu"))
q(LEX, 9, "S summary results are not improved much over single-task when using three tasks, and are slightly worse using two tasks.",
  ("マルチタスク学習は要約性能の向上に寄与しない。", P, "S summary dropped", "summary", "dearu"),
  ("S要約では、3タスク学習でも単一タスクに比べあまり改善せず、2タスク学習ではわずかに悪化した。", N, "kept", "summary", "dearu"))
q(LEX, 9, "Most interestingly, L summarization is greatly improved (by 11-17% in the automated metrics) in the three-task case.",
  ("マルチタスク学習により、L要約の性能は11〜17%向上しました。", P, "three-task case dropped"),
  ("3タスクで学習した場合、L要約は自動評価指標で11〜17%と大きく改善しました。", N, "kept"))
q(LEX, 10, "The average rating of 0.43 on a 0-3 scale from human assessments of current models also suggests substantial room for improvement.",
  ("現在の要約モデルは実用に耐えない品質であることが明らかになった。", P, "suggests room for improvement -> 明らか unusable", "summary", "dearu"),
  ("現行モデルの人手評価は0〜3の尺度で平均0.43にとどまり、改善の余地が大きいことが示唆される。", N, "kept", "summary", "dearu"))
q(LEX, 6, "The generally high coverage for all Multi-LexSum granularities suggests that its summaries contain fewer unsupported entities and facts compared to the datasets with lower coverage.",
  ("Multi-LexSumの要約は、既存の要約データセットの中で最も根拠のない事実が少ないことが確認されました。", P, "comparative -> 最も + suggests -> 確認"),
  ("Multi-LexSumは全粒度でカバレッジが概して高く、カバレッジの低いデータセットに比べて根拠のない実体や事実が少ないと考えられます。", N, "kept"))
q(LEX, 2, "This provides high-quality supervision and evaluation and reduces the risk of training on summaries containing facts unsupported by the source text, which can contribute to model hallucination [33, 40].",
  ("原文に根拠のない事実を含む要約で学習すると、モデルの幻覚が引き起こされる。", P, "can contribute -> causes", "summary", "dearu"),
  ("原文に裏付けのない事実を含む要約で学習すると、モデルの幻覚の一因となりうる。", N, "kept", "summary", "dearu"))
q(LEX, 7, "BART [36] and PEGASUS [60] are two recent abstractive summarizers based on the Transformer architecture [55] and have achieved state-of-the-art performance on multiple summarization datasets.",
  ("BARTとPEGASUSは、要約タスクで最高の性能を持つモデルです。", P, "multiple datasets -> 要約タスク in general"),
  ("BARTとPEGASUSは、複数の要約データセットで最先端の性能を達成した抽象型要約モデルです。", N, "kept"))
# ---------------------------------------------------------------- DocLayNet competition
q(DOC, 7, "competitive field with many teams achieving similar levels of mAP performance, ranging from 0.64 (rank 2) to 0.55 (rank 16).",
  ("参加チームのほぼすべてが同程度のmAPを達成しました。", P, "many -> ほぼすべて"),
  ("多くのチームが同程度のmAPを達成し、その幅は0.64（2位）から0.55（16位）でした。", N, "kept"))
q(DOC, 7, "On one hand, we find significantly lower mAPs in the submissions across our competition set categories than those which were achieved for example on PubMed Central papers in the ICDAR 2021 Competition on Scientific Literature Parsing[21].",
  ("企業文書のレイアウト解析は、論文のレイアウト解析より本質的に難しいことが示された。", P, "lower mAP -> inherently harder (causal, general)", "summary", "dearu"),
  ("本コンペの各カテゴリにおけるmAPは、ICDAR 2021でPubMed Centralの論文に対して得られた値より大幅に低かった。", N, "kept", "summary", "dearu"))
q(DOC, 3, "Yet, all publicly proposed ML models trained on these datasets generalize rather poorly to out-of-domain document samples, such as those found in the corporate world.",
  ("機械学習モデルは、ドメイン外の文書にはうまく汎化できません。", P, "trained on these datasets / publicly proposed dropped"),
  ("これらのデータセットで学習した公開済みのMLモデルはいずれも、企業文書のようなドメイン外の文書にはあまりうまく汎化しない。", N, "kept", "summary", "dearu"))
q(DOC, 3, "This has led to a saturation of ML model accuracy baselines at a very high level, with little room for improvement [21].",
  ("MLモデルの精度には、もはや改善の余地がありません。", P, "little -> none"),
  ("MLモデルの精度のベースラインは非常に高い水準で飽和し、改善の余地はほとんど残っていない。", N, "kept", "summary", "dearu"))
q(DOC, 9, "Predictions for the final submission were ensembled from three detectors to achieve superior performance.",
  ("3つの検出器をアンサンブルすることで、最高の性能が得られました。", P, "superior -> 最高"),
  ("最終提出の予測は、より高い性能を得るため3つの検出器をアンサンブルして作成されました。", N, "kept"))
q(DOC, 1, "In the presented solutions, we recognize interesting combinations of recent computer vision models, data augmentation strategies and ensemble methods to achieve remarkable accuracy in the task we posed.",
  ("最新の画像認識モデルとデータ拡張とアンサンブルを組み合わせれば、文書レイアウト解析で高い精度が得られる。", P, "in the task we posed dropped", "summary", "dearu"),
  ("提出された解法には最新のコンピュータビジョンモデル、データ拡張、アンサンブルの興味深い組み合わせが見られ、今回設定したタスクで際立った精度を達成した。", N, "kept", "summary", "dearu"))
q(DOC, 8, "For the DINO model, the team applied a carefully designed augmentation strategy and integrated focal modulation networks [20] in the backbone for improved performance.",
  ("焦点変調ネットワークをバックボーンに組み込むと、検出性能が向上することが示されました。", P, "intent -> shown result; DINO dropped"),
  ("このチームはDINOモデルに対し、性能向上を狙って工夫したデータ拡張を行い、バックボーンに焦点変調ネットワークを組み込みました。", N, "kept"))
# ---------------------------------------------------------------- ULBDM
q(ULB, 2, "In this case, the ULBDM become non-relativistic very early, causing a damping in the acoustic oscillations because of an increase in the gravitational potential wells.",
  ("ULBDMは音響振動を減衰させます。", P, "In this case dropped"),
  ("この場合、ULBDMは非常に早い時期に非相対論的になり、重力ポテンシャルの井戸が深まるため音響振動が減衰します。", N, "kept"))
q(ULB, 3, "Figure 5 shows how the increase in Cold Dark Matter diminishes the amplitude of the oscillations.",
  ("暗黒物質が増えると、振動の振幅が小さくなる。", P, "Cold Dark Matter -> 暗黒物質", "summary", "dearu"),
  ("冷たい暗黒物質が増えると、振動の振幅が小さくなる。", N, "kept", "summary", "dearu"))
q(ULB, 4, "A universe dominated by Ultra Light Bosonic Dark Matter in a non-condensate state could be possible only if these particles fulfill the condition that its mass-to-temperature ratio must be close to ∼ 105.",
  ("超軽量ボソン暗黒物質が支配する宇宙は実現可能であることが示されました。", P, "only if + could dropped"),
  ("非凝縮状態の超軽量ボソン暗黒物質が支配する宇宙は、粒子の質量と温度の比が一定の値に近い場合に限って成立しうる。", N, "kept", "summary", "dearu"))
q(ULB, 1, "However, in most standard models, this transition takes place well after the matter dominated epoch and the neutrino contribution becomes subdominant.",
  ("標準的なモデルでは、この転移は物質優勢期よりずっと後に起こります。", P, "most dropped"),
  ("ほとんどの標準的なモデルでは、この転移は物質優勢期よりかなり後に起こり、ニュートリノの寄与は副次的になる。", N, "kept", "summary", "dearu"))

if __name__ == "__main__":
    out = Path(__file__).with_name("fresh_dscope.jsonl")
    with out.open("w", encoding="utf-8") as f:
        for n, r in enumerate(R, 1):
            f.write(json.dumps({"id": f"ds-{n:03d}", **r}, ensure_ascii=False) + "\n")
    print(out, len(R), sum(bool(r["expect"]) for r in R))
