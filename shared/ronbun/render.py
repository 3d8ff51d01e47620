"""Markdown and HTML in the weekly digest's format (DESIGN.md "Digest format")."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .glossary import annotate
from .models import Paper, Result
from .taxonomy import category_names

OFFLINE_LABEL = "原文抜粋(生成モデルなし)"
OFFLINE_HINT = ("論文の文をそのまま引用しています。日本語の要約には OPENAI_API_KEY"
                "(または OpenAI 互換のローカルサーバー)を設定してください。")


def ja_date(iso: str) -> str:
    """'2024-02-01' -> '2024年02月01日' (empty when unknown)."""
    if len(iso) < 10 or iso[4] != "-" or iso[7] != "-":
        return iso or "不明"
    return f"{iso[:4]}年{iso[5:7]}月{iso[8:10]}日"


def categories_ja(codes: list[str]) -> str:
    return ", ".join(category_names(codes)) or "不明"


def pdf_url(paper: Paper) -> str:
    """The arXiv PDF URL, or "" for a local PDF that was given no arXiv id."""
    if paper.pdf_url:
        return paper.pdf_url
    if paper.id == "local":
        return ""
    return f"https://arxiv.org/pdf/{paper.id}" + (f"v{paper.version}" if paper.version else "")


def _pages(evidence) -> str:
    pages = sorted({e.page for e in evidence})
    return ", ".join(f"p.{n}" for n in pages)


def quality_notes(result: Result) -> list[str]:
    """The verification notes that end each paper (imported on use: the API's digest route pays
    for the checks package only when it renders)."""
    from .verify.messages import quality_notes as notes
    return notes(result.quality)


def paper_header_lines(paper: Paper) -> list[str]:
    return [
        f"著者: {', '.join(paper.authors) or '不明'}",
        f"発行日: {ja_date(paper.published)}",
        f"最終更新日: {ja_date(paper.updated or paper.published)}",
        f"URL: {pdf_url(paper) or '(ローカルの PDF)'}",
        f"カテゴリ: {categories_ja(paper.categories)}",
    ]


def annotated_text(result: Result) -> tuple[str, list[tuple[str, str]]]:
    """The summary and the (question, answer) pairs with each glossary term's English shown once,
    at its first use: 埋め込み(embedding). Rendering only: the stored result is unchanged."""
    parts, pairs = annotated_parts(result)
    return "".join(parts), pairs


def annotated_parts(result: Result) -> tuple[list[str], list[tuple[str, str]]]:
    """As `annotated_text`, with the summary as its sentences (one part when the result has no
    sentences: a result cached before sentences had evidence)."""
    parts = [s.text for s in result.summary_sentences] or [result.summary]
    texts = annotate([*parts, *(t for item in result.qa for t in (item.question, item.answer))],
                     result.glossary_terms)
    n = len(parts)
    return texts[:n], [(texts[i], texts[i + 1]) for i in range(n, len(texts), 2)]


EVIDENCE_MODES = ("pages", "footnotes")


def _note_md(paper: Paper, evidence) -> str:
    """A footnote's text: each quote with its page (a link to the PDF page when there is one)."""
    base = pdf_url(paper)
    out = []
    for e in evidence:
        page = f"[p.{e.page}]({base}#page={e.page})" if base.startswith("https://") else f"p.{e.page}"
        out.append(f"{page} “{' '.join(e.quote.split())}”")
    return " / ".join(out) or "(根拠なし)"


def paper_markdown(result: Result, *, heading: str = "##", evidence: str = "pages", label: str = "") -> str:
    """One paper's section: title, metadata, 概要 and Q&A with evidence pages. With
    evidence="footnotes" each summary sentence and answer carries a footnote with its quotes
    and pages (`label` keeps the footnote names of several papers apart)."""
    parts, pairs = annotated_parts(result)
    notes: list[str] = []
    if evidence == "footnotes" and result.summary_sentences:
        for n, (text, sentence) in enumerate(zip(parts, result.summary_sentences), 1):
            parts[n - 1] = f"{text}[^{label}s{n}]"
            notes.append(f"[^{label}s{n}]: {_note_md(result.paper, sentence.evidence)}")
    lines = [f"{heading} {result.paper.title}", "", *paper_header_lines(result.paper), "", "概要:", "".join(parts), ""]
    if result.qa:
        lines.append(OCHIAI_LABEL + ":" if result.template == "ochiai" else "Q&A:")
        for n, (item, (question, answer)) in enumerate(zip(result.qa, pairs), 1):
            lines.append(f"Q: {question}")
            if _is_reading_list(result, item):
                lines += [_reference_markdown(ref) for ref in result.references]
                continue
            if evidence == "footnotes":
                lines.append(f"A: {answer}[^{label}q{n}]")
                notes.append(f"[^{label}q{n}]: {_note_md(result.paper, item.evidence)}")
            else:
                lines.append(f"A: {answer}(根拠: {_pages(item.evidence)})")
        lines.append("")
    if notes:
        lines += ["根拠(論文の原文):", *notes, ""]
    if result.code_urls:
        lines.append("コード: " + " ".join(result.code_urls))
        lines.append("")
    if result.generator.engine == "offline":
        lines.append(f"※ {OFFLINE_LABEL}: {OFFLINE_HINT}")
    lines += quality_notes(result)      # what 「検証済み」 covers, or what was not verified
    return "\n".join(lines).rstrip() + "\n"


OCHIAI_LABEL = "落合フォーマット"


def _is_reading_list(result: Result, item) -> bool:
    """The 落合フォーマット's 次に読むべき論文 item, shown as its reference entries."""
    return result.template == "ochiai" and bool(result.references) and item.question == "次に読むべき論文は？"


def arxiv_abs(arxiv_id: str | None) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else ""


def _reference_markdown(ref) -> str:
    link = f" [arXiv:{ref.arxiv_id}]({arxiv_abs(ref.arxiv_id)})" if ref.arxiv_id else ""
    return f"- {ref.text}{link}\n  理由: {ref.why}(根拠: {_pages(ref.evidence)})"


@dataclass
class DigestEntry:
    """One paper of a digest: a result, or why there is none."""
    paper_id: str
    result: Result | None = None
    paper: Paper | None = None
    error_ja: str | None = None

    @property
    def title(self) -> str:
        if self.result:
            return self.result.paper.title
        return self.paper.title if self.paper else self.paper_id

    @property
    def published(self) -> str:
        p = self.result.paper if self.result else self.paper
        return p.published if p else ""


DEFAULT_TITLE = "最新論文ノート"


def default_intro(summarised: int, total: int | None = None) -> str:
    """The post's first paragraph: it counts the papers actually summarised and never says
    まとめました when none was."""
    total = summarised if total is None else total
    if summarised == 0:
        return f"今回の論文 {total} 本は、いずれも要約できませんでした。理由は各論文の項に記しています。"
    text = f"今週注目の論文 {total} 本" + ("" if summarised == total else f"のうち {summarised} 本") + "を日本語でまとめました。"
    if summarised < total:
        text += f"残る {total - summarised} 本は要約できなかったため、その理由を記しています。"
    return text + "各論文の概要と、論文本文のページと引用で裏付けを確認した Q&A を掲載しています。"


def _intro(entries: list[DigestEntry], intro: str | None) -> str:
    return intro or default_intro(sum(1 for e in entries if e.result), len(entries))


def digest_markdown(entries: list[DigestEntry], *, title: str = DEFAULT_TITLE, intro: str | None = None,
                    evidence: str = "pages") -> str:
    lines = [f"# {title}", "", _intro(entries, intro), ""]
    for i, e in enumerate(entries, 1):
        lines.append(f"{i}. {e.title}(発行日:{ja_date(e.published)})")
        lines.append(f"   {e.result.one_liner if e.result else '要約できませんでした: ' + (e.error_ja or '')}")
    lines.append("")
    for i, e in enumerate(entries, 1):
        if e.result:
            body = paper_markdown(e.result, heading="##", evidence=evidence, label=f"{i}")
            lines.append(body.replace("## ", f"## {i}. ", 1))
        else:
            lines += [f"## {i}. {e.title}", "", f"この論文は要約できませんでした: {e.error_ja or '理由不明'}", ""]
    return "\n".join(lines).rstrip() + "\n"


_HTML_HEAD = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.75;color:#1f2328;background:#fff}}
h1{{font-size:1.6rem}} h2{{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #d0d7de}}
dl.meta{{display:grid;grid-template-columns:auto 1fr;gap:.1rem .8rem;font-size:.92rem}} dt{{color:#59636e}}
.qa dt{{font-weight:600;color:inherit;margin-top:.8rem}} .qa dd{{margin-left:1rem}} .ev{{color:#59636e;font-size:.85rem}}
.failed{{color:#b42318}} a{{color:#0969da;overflow-wrap:break-word}} a.url{{overflow-wrap:anywhere}}
@media (prefers-color-scheme: dark){{body{{background:#0d1117;color:#e6edf3}} dt,.ev{{color:#9198a1}} a{{color:#4493f8}}}}
</style></head><body>
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _https_link(url: str) -> str:
    if not url.startswith("https://"):
        return _e(url)
    return f'<a class="url" href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>'


def _page_links(paper: Paper, evidence) -> str:
    """根拠 pages as links to the PDF page, like the overlay: …/pdf/<id>v<n>#page=N."""
    base = pdf_url(paper)
    if not base.startswith("https://"):
        return _e(_pages(evidence))
    return ", ".join(f'<a href="{_e(base)}#page={n}" rel="noopener noreferrer">p.{n}</a>'
                     for n in sorted({e.page for e in evidence}))


def _reference_html(paper: Paper, ref) -> str:
    """One entry of the paper's reference list, linked to arXiv when it gives an id."""
    link = (f' <a href="{_e(arxiv_abs(ref.arxiv_id))}" rel="noopener noreferrer">arXiv:{_e(ref.arxiv_id)}</a>'
            if ref.arxiv_id else "")
    return (f"<li>{_e(ref.text)}{link}<br>理由: {_e(ref.why)} "
            f'<span class="ev">(根拠: {_page_links(paper, ref.evidence)})</span></li>')


def _note_html(paper: Paper, evidence) -> str:
    base = pdf_url(paper)
    out = []
    for e in evidence:
        page = (f'<a href="{_e(base)}#page={e.page}" rel="noopener noreferrer">p.{e.page}</a>'
                if base.startswith("https://") else f"p.{e.page}")
        out.append(f"{page} “{_e(' '.join(e.quote.split()))}”")
    return " / ".join(out) or "(根拠なし)"


def _summary_html(r: Result, parts: list[str], i: int, evidence: str) -> tuple[str, list[str]]:
    """The 概要 paragraph; with footnotes, each sentence links to a note with its quotes."""
    if evidence != "footnotes" or not r.summary_sentences:
        return f"<p>{_e(''.join(parts))}</p>", []
    text, notes = [], []
    for n, (part, sentence) in enumerate(zip(parts, r.summary_sentences), 1):
        fid = f"fn-{i}-s{n}"
        text.append(f'{_e(part)}<sup><a href="#{fid}" id="ref-{fid}">[{n}]</a></sup>')
        notes.append(f'<li id="{fid}">{_note_html(r.paper, sentence.evidence)} <a href="#ref-{fid}">↩</a></li>')
    return f"<p>{''.join(text)}</p>", notes


def digest_html(entries: list[DigestEntry], *, title: str = DEFAULT_TITLE, intro: str | None = None,
                evidence: str = "pages") -> str:
    """A standalone, escaped page readable on a phone (evidence="footnotes": each summary
    sentence links to its quotes and pages)."""
    out = [_HTML_HEAD.format(title=_e(title)), f"<h1>{_e(title)}</h1>",
           f"<p>{_e(_intro(entries, intro))}</p>", "<ol>"]
    for i, e in enumerate(entries, 1):
        line = e.result.one_liner if e.result else "要約できませんでした: " + (e.error_ja or "")
        out.append(f'<li><a href="#p{i}">{_e(e.title)}</a>(発行日:{_e(ja_date(e.published))})<br>{_e(line)}</li>')
    out.append("</ol>")
    for i, e in enumerate(entries, 1):
        out.append(f'<section id="p{i}"><h2>{i}. {_e(e.title)}</h2>')
        if not e.result:
            out.append(f'<p class="failed">この論文は要約できませんでした: {_e(e.error_ja or "理由不明")}</p></section>')
            continue
        r = e.result
        meta = [("著者", _e(", ".join(r.paper.authors))), ("発行日", _e(ja_date(r.paper.published))),
                ("最終更新日", _e(ja_date(r.paper.updated or r.paper.published))), ("URL", _https_link(pdf_url(r.paper))),
                ("カテゴリ", _e(categories_ja(r.paper.categories)))]
        out.append('<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>")
        parts, pairs = annotated_parts(r)
        summary_html, notes = _summary_html(r, parts, i, evidence)
        out.append(f"<h3>概要</h3>{summary_html}")
        if notes:
            out.append('<ol class="ev">' + "".join(notes) + "</ol>")
        if r.qa:
            out.append(f'<h3>{_e(OCHIAI_LABEL) if r.template == "ochiai" else "Q&amp;A"}</h3><dl class="qa">')
            for item, (question, answer) in zip(r.qa, pairs):
                if _is_reading_list(r, item):
                    out.append(f"<dt>Q: {_e(question)}</dt><dd><ul class=\"refs\">"
                               + "".join(_reference_html(r.paper, ref) for ref in r.references) + "</ul></dd>")
                    continue
                out.append(f"<dt>Q: {_e(question)}</dt><dd>A: {_e(answer)} "
                           f'<span class="ev">(根拠: {_page_links(r.paper, item.evidence)})</span></dd>')
            out.append("</dl>")
        if r.code_urls:
            out.append("<p>コード: " + " ".join(_https_link(u) for u in r.code_urls) + "</p>")
        if r.generator.engine == "offline":
            out.append(f'<p class="ev">※ {_e(OFFLINE_LABEL)}: {_e(OFFLINE_HINT)}</p>')
        out.append('<p class="ev">' + "<br>".join(_e(line.replace("  - ", "・", 1)) for line in quality_notes(r)) + "</p>")
        out.append("</section>")
    out.append("</body></html>\n")
    return "\n".join(out)
