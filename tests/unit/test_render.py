"""Golden-file tests of the digest's Markdown and HTML (DESIGN.md "Digest format")."""

import os
from pathlib import Path

import pytest

from ronbun.models import Evidence, Finding, Generator, LeftOut, Paper, QAItem, Quality, Result
from ronbun.render import DigestEntry, digest_html, digest_markdown, ja_date, paper_markdown

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _result(pid: str, title: str, *, published: str, updated: str, categories: list[str],
            engine: str = "openai") -> Result:
    return Result(
        paper=Paper(id=pid, version=2, title=title, authors=["Alice Smith", "Bob Tanaka"],
                    published=published, updated=updated, categories=categories,
                    abs_url=f"https://arxiv.org/abs/{pid}v2", pdf_url=f"https://arxiv.org/pdf/{pid}v2"),
        one_liner="検索と生成を組み合わせて長文質問応答の精度を高める手法を提案しています。",
        summary="本論文は長文質問応答のための新しい検索拡張手法を提案しています。評価では既存手法を上回りました。",
        qa=[QAItem(question="主な結果は何ですか?", answer="ベンチマークで正解率87.5%を達成しています。",
                   evidence=[Evidence(page=5, quote="Our method achieves an accuracy of 87.5% on the benchmark."),
                             Evidence(page=6, quote="The improvement is consistent across all datasets we tried.")]),
            QAItem(question="モデルの規模はどのくらいですか?", answer="13億パラメータのモデルを用いています。",
                   evidence=[Evidence(page=3, quote="We train a model with 1.3B parameters on the corpus.")])],
        code_urls=["https://github.com/example/longqa"],
        generator=Generator(engine=engine, model="gpt-4.1-mini" if engine == "openai" else "offline-extractive-1",
                            prompt_version="2026-11-27.1"),
    )


VERIFIED = Quality(checked=True, verified=True, checks=["mistranslation", "non_answer", "quote_not_found"],
                   dropped=[Finding(item=2, code="non_answer", message="answer says nothing",
                                    message_ja="回答が質問に答えていません")])
PARTIAL = Quality(checked=True, verified=False, checks=["non_answer", "quote_not_found"],
                  left_out=[LeftOut(kind="pages_skipped", detail="only the first 30 of 42 pages were read",
                                    detail_ja="全 42 ページのうち先頭 30 ページだけを読みました（31〜42 ページは未確認です）")])


def _entries() -> list[DigestEntry]:
    # the first paper passed every check (one Q&A was dropped); of the second, pages were left unread
    return [
        DigestEntry("2401.15884", result=_result("2401.15884", "Long-Form QA with Retrieval",
                                                 published="2024-01-29", updated="2024-02-01",
                                                 categories=["cs.CL", "cs.LG"]).model_copy(update={"quality": VERIFIED})),
        DigestEntry("hep-th/9901001", result=_result("hep-th/9901001", "Strings <and> \"Branes\" & More",
                                                     published="1999-01-01", updated="1999-01-01",
                                                     categories=["hep-th", "astro-ph.CO"], engine="offline")
                    .model_copy(update={"quality": PARTIAL})),
        DigestEntry("2402.00001", error_ja="arXiv にこの ID の論文が見つかりません。ID を確認してください。"),
    ]


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("RONBUN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_digest_markdown_matches_golden_file():
    # Given three papers, one of which failed; When rendered; Then the post is exactly the golden file
    text = digest_markdown(_entries(), title="最新論文ノート 2024年第5週")
    assert text == _golden("digest.md", text)


def test_digest_html_matches_golden_file():
    text = digest_html(_entries(), title="最新論文ノート <週刊>")
    assert text == _golden("digest.html", text)


def test_html_escapes_untrusted_text():
    # Given a title with markup; When rendered as HTML; Then the markup is inert text
    entries = [DigestEntry("2401.15884", result=_result("2401.15884", "<img src=x onerror=alert(1)>",
                                                        published="2024-01-29", updated="2024-01-29",
                                                        categories=["cs.CL"]))]
    page = digest_html(entries)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_markdown_section_has_every_field_in_order():
    md = paper_markdown(_result("2401.15884", "T", published="2024-01-29", updated="2024-02-16",
                                categories=["cs.CL"]))
    keys = ["著者:", "発行日: 2024年01月29日", "最終更新日: 2024年02月16日",
            "URL: https://arxiv.org/pdf/2401.15884v2", "カテゴリ: Computation and Language", "概要:", "Q&A:",
            "Q: 主な結果は何ですか?", "A: ベンチマークで正解率87.5%を達成しています。(根拠: p.5, p.6)"]
    positions = [md.index(k) for k in keys]
    assert positions == sorted(positions)


@pytest.mark.parametrize("iso, expected", [("2024-02-01", "2024年02月01日"), ("1999-12-31", "1999年12月31日"),
                                           ("", "不明")])
def test_japanese_dates(iso, expected):
    assert ja_date(iso) == expected


def test_failed_paper_says_why_in_the_list_and_its_section():
    text = digest_markdown(_entries())
    assert "3. 2402.00001(発行日:不明)\n   要約できませんでした: arXiv にこの ID の論文が見つかりません。" in text
    assert "## 3. 2402.00001\n\nこの論文は要約できませんでした: arXiv にこの ID" in text


def test_intro_counts_only_the_papers_summarised():
    # Given a digest where every paper failed  Then it does not claim to have summarised anything
    failed = [DigestEntry("2402.00001", error_ja="見つかりません。"), DigestEntry("2402.00002", error_ja="見つかりません。")]
    for text in (digest_markdown(failed), digest_html(failed)):
        assert "まとめました" not in text and "いずれも要約できませんでした" in text
    # Given 2 of 3 summarised  Then the intro says 2 of 3
    assert "3 本のうち 2 本を日本語でまとめました" in digest_markdown(_entries())
    # Given all summarised  Then it says so plainly
    assert "今週注目の論文 2 本を日本語でまとめました" in digest_markdown(_entries()[:2])


def test_html_evidence_pages_link_to_the_pdf_page_and_titles_do_not_break_mid_word():
    page = digest_html(_entries())
    assert '<a href="https://arxiv.org/pdf/2401.15884v2#page=5" rel="noopener noreferrer">p.5</a>' in page
    assert "break-all" not in page
