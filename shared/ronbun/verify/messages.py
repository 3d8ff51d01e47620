"""What readers are told about verification, in Japanese: one text per finding code (the code
itself stays English) and the notes that end the Markdown and fill the overlay's details.

The one source of truth for these texts: the pipeline copies them into the result
(`Finding.message_ja`, `LeftOut.detail_ja`), so the overlay, the CLI and the Markdown say the same.
"""

from __future__ import annotations

from typing import Iterable

from ..models import Finding, LeftOut, Quality

# What went wrong, per finding code (blocking and non-blocking).
FINDINGS_JA: dict[str, str] = {
    "empty": "質問または回答が空です",
    "non_answer": "回答が質問に答えていません",
    "no_evidence": "根拠となる論文の引用がありません",
    "quote_not_found": "引用が論文の該当ページに見つかりません",
    "quote_not_body": "引用が論文の本文ではありません（見出し・図表のキャプション・欄外・図の中の文字など）",
    "number_not_in_source": "論文に書かれていない数値が含まれています",
    "unsupported_entity": "引用にも論文にもない手法名・データセット名などが含まれています",
    "not_japanese": "日本語の文章になっていません",
    "truncated": "文が途中で切れています",
    "mixed_style": "です・ます調とである調が混ざっています",
    "mistranslation": "機械翻訳調の不自然な用語があります",
    "duplicate_question": "ほかの質問とほぼ同じ質問です",
    "overgeneralised": "根拠の引用より広い範囲の主張になっています（「常に」「大幅に」などの語や、データセット・モデル規模・言語・設定などの条件の抜け）",
    "weak_evidence": "根拠の引用が短すぎます",
    "judge_unsupported": "判定モデルが、回答は引用で裏付けられないと判定しました",
    "judge_partial": "判定モデルが、回答の一部は引用で裏付けられないと判定しました",
    "judge_does_not_answer": "判定モデルが、回答と引用はこの質問に答えていないと判定しました",
}

# What each check confirms, for "what was checked" (same codes).
CHECKS_JA: dict[str, str] = {
    "empty": "空でないこと",
    "non_answer": "質問に答えていること",
    "no_evidence": "根拠の引用があること",
    "quote_not_found": "引用が該当ページにあること",
    "quote_not_body": "引用が本文であること",
    "number_not_in_source": "数値が論文にあること",
    "unsupported_entity": "固有名が引用か論文にあること",
    "not_japanese": "日本語であること",
    "truncated": "途中で切れていないこと",
    "mixed_style": "文体の統一",
    "mistranslation": "用語の訳",
    "duplicate_question": "質問の重複がないこと",
    "overgeneralised": "主張の範囲が引用を超えないこと",
    "weak_evidence": "引用の長さ",
    "judge_unsupported": "判定モデルによる裏付けの確認",
    "judge_partial": "判定モデルによる裏付けの確認",
}

UNKNOWN_FINDING_JA = "検証で問題が見つかりました"

# Kinds of LeftOut, when a LeftOut carries no detail_ja of its own.
LEFT_OUT_JA: dict[str, str] = {
    "pages_garbled": "文字化けしたページがあり、その部分は読めていません",
    "pages_skipped": "論文の一部のページを読んでいません",
    "sections_trimmed": "長さの都合でモデルに渡さなかった部分があります",
    "judge_skipped": "判定モデルによる裏付けの確認を行っていません",
    "unverified_items": "検証を通っていない Q&A が表示されています",
}

VERIFIED_JA = "検証済み"
PARTIAL_JA = "一部検証できず"
UNCHECKED_JA = "未検証"
OLD_FORMAT_JA = "この結果は検証の記録方式が変わる前に作られたため、検証の詳細はありません。"
NOT_CHECKED_JA = "この結果は検証されていません。"


def finding_ja(code: str) -> str:
    """The Japanese text for a finding code (a neutral text for codes this table does not know)."""
    return FINDINGS_JA.get(code, UNKNOWN_FINDING_JA)


def finding_line(f: Finding) -> str:
    """`NG [2] non_answer: 回答が質問に答えていません（answer says nothing: '…'）` for `ronbun check`."""
    mark = "NG" if f.blocking else "注意"
    detail = f"（{f.message}）" if f.message else ""
    where = f"{f.item}" if f.sentence is None else f"{f.item} {f.sentence + 1}文目"
    return f"{mark} [{where}] {f.code}: {finding_ja(f.code)}{detail}"


def left_out_ja(item: LeftOut) -> str:
    return item.detail_ja or LEFT_OUT_JA.get(item.kind, f"検証の対象外の部分があります（{item.kind}）")


def _pages_text(pages: Iterable[int]) -> str:
    return ", ".join(f"p.{n}" for n in sorted(set(pages)))


def pages_garbled_ja(pages: Iterable[int]) -> str:
    return f"文字化けのため読めなかったページ: {_pages_text(pages)}（引用・照合の対象外です）"


def pages_skipped_ja(read: int, total: int) -> str:
    return f"全 {total} ページのうち先頭 {read} ページだけを読みました（{read + 1}〜{total} ページは未確認です）"


def sections_trimmed_ja(sections: Iterable[str]) -> str:
    return f"長さの都合でモデルに渡さなかった部分: {'; '.join(sections)}"


def dropped_ja(dropped: Iterable[Finding]) -> str:
    """`検証で除外した Q&A: 2 件（回答が質問に答えていません、…）`, or "" when nothing was dropped;
    summary sentences dropped for lack of support are counted as 概要の文."""
    dropped = list(dropped)
    parts = []
    for label, group in (("Q&A", [f for f in dropped if isinstance(f.item, int)]),
                         ("概要の文", [f for f in dropped if not isinstance(f.item, int)])):
        items = {(f.item, f.sentence) for f in group}
        if not items:
            continue
        reasons: list[str] = []
        for f in group:
            text = f.message_ja or finding_ja(f.code)
            if text not in reasons:
                reasons.append(text)
        parts.append(f"{label}: {len(items)} 件（{'、'.join(reasons)}）")
    return "検証で除外した " + "、".join(parts) if parts else ""


def status(quality: Quality) -> str:
    """"verified" | "partial" | "old" (a result stored before `verified` existed) | "unchecked"."""
    if quality.verified:
        return "verified"
    if not quality.checked:
        return "unchecked"
    if "verified" not in quality.model_fields_set and not quality.left_out:
        return "old"
    return "partial"


def quality_notes(quality: Quality) -> list[str]:
    """The lines that end the Markdown: the verdict, then what was left out and what was dropped."""
    state = status(quality)
    checked = "、".join(dict.fromkeys(name for code, name in CHECKS_JA.items() if code in quality.checks))
    if state == "verified":
        lines = [f"※ 検証: {VERIFIED_JA}" + (f"（確認した項目: {checked}）" if checked else "")]
    elif state == "unchecked":
        return [f"※ 検証: {UNCHECKED_JA}（{NOT_CHECKED_JA}）"]
    elif state == "old":
        lines = [f"※ 検証: {PARTIAL_JA}（{OLD_FORMAT_JA}）"]
    else:
        lines = [f"※ 検証: {PARTIAL_JA}"]
        lines += [f"  - {left_out_ja(x)}" for x in quality.left_out]
    dropped = dropped_ja(quality.dropped)
    if dropped:
        lines.append(f"  - {dropped}" if state == "partial" else f"※ {dropped}")
    return lines
