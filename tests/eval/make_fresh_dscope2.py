"""Writes fresh_dscope2.jsonl: a second probe batch for `overgeneralised`, written by helper dscope
AFTER the detector changes and scored once without further tuning (an honest estimate for unseen
text). Same format as fresh_dscope.jsonl; quotes verbatim from corpus pages."""
import json
from pathlib import Path

from tests.eval.make_fresh_dscope import DPR, SEP, LEX, PASA  # noqa: F401  (paper stems)

P, N = True, False
R = []


def q(paper, page, quote, *pairs):
    for text, pos, note, *rest in pairs:
        kind, style = (rest + ["summary", "real-model"])[:2] if rest else ("summary", "real-model")
        R.append(dict(text=text, evidence=[{"page": page, "quote": quote}], paper=paper,
                      expect=["overgeneralised"] if pos else [], kind=kind, style=style, note=note))


q(DPR, 13, "In terms of the end-to-end QA results, our joint-training scheme does not provide better results compared to the usual retriever/reader training pipeline, resulting in the same 39.8 exact match score on NQ dev as in our regular reader model training.",
  ("検索器とリーダーの同時学習は、通常の学習と同じ39.8の完全一致スコアを得ました。", P, "NQ dev dropped"),
  ("NQの開発セットでは、同時学習も通常の学習と同じ39.8の完全一致スコアにとどまり、改善は見られなかった。", N, "kept", "summary", "dearu"))
q(LEX, 9, "We fix the same number of training epochs, thus multitask models are trained for more steps; however, increasing the number of steps was not found to improve the single-task models.",
  ("学習ステップ数を増やしても、モデルの性能は改善しません。", P, "single-task dropped"),
  ("単一タスクのモデルでは、学習ステップ数を増やしても性能の改善は見られなかった。", N, "kept", "summary", "dearu"))
q(LEX, 8, "Illustrated in Table 4b, when also provided with the gold long/short summaries in the input at test time, PRIMER matches the performance of the counterparts reported in 4a.",
  ("PRIMERは他のモデルと同等の性能を持つ。", P, "when given gold summaries dropped", "summary", "dearu"),
  ("テスト時に正解の長い要約・短い要約も入力に与えると、PRIMERは表4aの対応モデルと同等の性能に達しました。", N, "kept"))
q(SEP, 9, "Our model demonstrates drastic reductions in false alarms across all sensitivities.",
  ("提案モデルは、誤警報を劇的に減らす最良の手法です。", P, "superlative"),
  ("提案モデルは、すべての感度で誤警報をなくすことができます。", P, "reductions -> なくす (eliminate)"),
  ("提案モデルは、すべての感度で誤警報を劇的に減らすことを示しました。", N, "kept"))
q(PASA, 4, "In summary, the Crawler is designed to maximize the recall of relevant papers, whereas the Selector emphasizes precision in identifying papers that meet the user’s needs.",
  ("Crawlerは関連論文の再現率を最大化します。", P, "designed to -> does"),
  ("Crawlerは関連論文の再現率を最大化するよう設計されており、Selectorは適合率を重視します。", N, "kept"))
q(PASA, 5, "Notably, it discovers many relevant papers as it explores deeper on the citation network, even when intermediate papers along the path do not align with the user query.",
  ("引用ネットワークを深く探索するほど、見つかる関連論文は増え続ける。", P, "extrapolation", "summary", "dearu"),
  ("PaSaは引用ネットワークを深く探索することで、ほぼすべての関連論文を見つけ出します。", P, "many -> ほぼすべて"),
  ("引用ネットワークを深く探索するにつれ、途中の論文がクエリに合わなくても、多くの関連論文を見つけ出す。", N, "kept", "summary", "dearu"))
q(PASA, 6, "However, it is important to note that the AutoScholar- Query may only include a subset of the groundtruth papers, as citations often emphasize a limited number of key references.",
  ("AutoScholarQueryには正解論文の一部しか含まれていないことが判明しました。", P, "may -> 判明"),
  ("AutoScholarQueryには正解論文の一部しか含まれていない可能性があります。", N, "kept"))
q(PASA, 9, "The RL training curves are depicted in Figure 3, where the training curves show a steady increase in return with the training steps, eventually converging after 200 steps.",
  ("RL訓練では、学習ステップを増やすほど報酬が増え続ける。", P, "extrapolation against converging", "summary", "dearu"),
  ("RL訓練の報酬は学習ステップとともに着実に増加し、200ステップ後に収束した。", N, "kept", "summary", "dearu"))
q(LEX, 2, "Success in summarization automation would allow the Clearinghouse and other efforts like it to greatly increase their coverage and update their summaries in close to real time.",
  ("要約の自動化によって、Clearinghouseは要約をほぼリアルタイムで更新できるようになったことが示されました。", P, "would -> achieved"),
  ("要約の自動化が成功すれば、Clearinghouseなどは対象範囲を大きく広げ、ほぼリアルタイムで要約を更新できるようになるだろう。", N, "kept", "summary", "dearu"))
q(SEP, 7, "Our criteria most closely matches the “Sepsis-2” definition for severe sepsis (Levy et al. (2003)).",
  ("本研究の基準はSepsis-2の定義と完全に一致しています。", P, "most closely -> 完全に"),
  ("本研究の基準は、重症敗血症に関するSepsis-2の定義に最も近いものです。", N, "kept"))
q(DPR, 12, "Note that the retrieval accuracy for our “baseline” settings reported in Table 5 (Gold) and Table 6 (DP, NLL) is slightly better than those reported in Table 3.",
  ("表5と表6のベースライン設定の検索精度は、表3の値よりわずかに高い。", N, "kept", "summary", "dearu"),
  ("ベースライン設定の検索精度は、表3の値を大きく上回った。", P, "slightly -> 大きく", "summary", "dearu"))
q(DPR, 6, "To test the cross-dataset generalization, we train DPR on Natural Questions only and test it directly on the smaller WebQuestions and CuratedTREC datasets.",
  ("データセットをまたぐ汎化を調べるため、DPRをNatural Questionsのみで学習し、WebQuestionsとCuratedTRECで直接評価しました。", N, "method, kept"),
  ("DPRは、Natural Questionsだけで学習しても、あらゆるデータセットに汎化します。", P, "two test sets -> あらゆる"))

if __name__ == "__main__":
    out = Path(__file__).with_name("fresh_dscope2.jsonl")
    with out.open("w", encoding="utf-8") as f:
        for n, r in enumerate(R, 1):
            f.write(json.dumps({"id": f"ds2-{n:03d}", **r}, ensure_ascii=False) + "\n")
    print(out, len(R), sum(bool(r["expect"]) for r in R))
