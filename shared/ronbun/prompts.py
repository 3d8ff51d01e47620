"""Prompts are data: the templates below plus a builder that fits the paper into a budget.

The body is sent with `=== PAGE n ===` markers so the model can cite pages. References are
never sent; the appendix only when there is room. A long paper loses whole sections from
its least important end (boilerplate, related work, late sections) before anything in the
middle is shortened, and then only at sentence boundaries. What was left out is recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .models import Finding, ModelOutput, Paper
from .pdftext import Extracted, PageText
from .versions import PROMPT_VERSION  # noqa: F401 - part of this module's API; bump it there

PAGE_MARKER = "=== PAGE {n} ==="

SYSTEM_TEMPLATE = """\
あなたは機械学習・情報科学の論文を日本語の読者向けに正確に要約する専門家です。
You summarise a research paper for Japanese-speaking researchers and engineers. Use only the paper text given by the user.

出力 (Output, JSON with the given schema):
- one_liner: 論文の内容を1文で表す日本語の要約。one_liner_evidence: その根拠(ページ番号と原文の逐語引用)。
- qa: 読者が知りたい質問と回答(個数は論文の後の指示に従います)。目的、手法、結果の数値、新規性、限界、データ・コードの公開などから、この論文で答えられるものを選びます。
- summary_sentences (qa の後に書きます): 概要。3〜6文の日本語を1文ずつ、それぞれの根拠 (evidence) 付きで。何を解決するために、何を提案し、どう評価し、何が分かったかを書きます。途中で終わらせず、各文を完結させてください。

規則 (Rules):
1. 文体は全体を通して「です・ます調」に統一します(「である調」を混ぜない)。
2. 機械学習の用語は日本語で定着した訳語を使います。直訳調の不自然な訳語は使いません。以下の用語集に従ってください:
{glossary}
3. 回答は質問を言い換えただけのものにせず、論文に書かれた具体的な事実で答えます。
4. Every answer must be grounded: give at least one evidence item with the 1-based page number (from the "=== PAGE n ===" markers) and a sentence copied VERBATIM in English from that page. Do not translate, shorten or paraphrase the quote. 根拠の引用は、そのページに書かれている英語の文をそのまま1文コピーしてください。
5. Never answer "not disclosed", "not stated" or 「不明です」「明記されていません」「記載がありません」. If the paper does not answer a question, ask a different question that it does answer.
6. 数値は論文に書かれているとおりに書きます(丸めたり単位を換算したりしません)。論文に無い数値は書きません。
7. コードやデータの URL は本文に書かれている場合だけ挙げます。URL を推測で作りません。
8. 質問も回答も日本語で書きます(evidence の quote だけは英語の原文のままです)。
9. one_liner と概要の各文も、回答と同じく根拠の引用を付けます。その文の数値・名前はすべて、その文の引用に書かれていなければなりません。Each summary sentence and the one-liner must be grounded in ITS OWN quotes.
10. 結果の範囲を広げません。引用が条件(データセット、モデル規模、言語、「in our setting」などの設定)を述べていれば、その結果を書く文にも条件を残します。引用に無い「常に」「あらゆる」「すべての」「大幅に」「必ず」「普遍的」「圧倒的」は使いません。
"""

USER_TEMPLATE = """\
# 論文メタデータ (metadata)
タイトル (title): {title}
著者 (authors): {authors}
カテゴリ (categories): {categories}
アブストラクト (abstract):
{abstract}

# 本文 (body, with page markers){trimmed_note}
{quotable_note}
{body}
"""

QUOTABLE_NOTE = (
    "(根拠として引用できるのは本文の文章だけです。[図表キャプション・引用不可: ...] の中は図表の説明で、"
    "内容の理解には使えますが引用には使えません。見出し行も引用しません。 / Quote only body sentences: "
    "never a heading line or text inside [図表キャプション・引用不可: ...].)")
CAPTION_BLOCK = "[図表キャプション・引用不可: {text}]"

TRIMMED_NOTE = "\n(長さの都合で次の部分は省略しています / omitted for length: {sections})"

# The task, after the paper: what varies between calls on the same paper comes after the long
# stable prefix (system rules + the paper), so the provider's prompt cache serves that prefix.
TASK_TEMPLATE = "上の論文について、スキーマに従って出力してください。質問と回答を {qa_count} 個作ってください。"

REPAIR_TEMPLATE = """\
あなたの前回の出力(上の JSON)を検証したところ、次の項目に問題がありました。
The previous output failed verification for the items below.

{items}

問題のある項目だけを書き直してください。それ以外の項目は一字一句変えずにそのまま残します。
Rewrite ONLY the failing items; copy every other item verbatim. Keep the same schema, the same
number of Q&A items and the same order (Q&A n stays at position n; summary sentence n stays at
position n; a summary sentence that cannot be grounded in its quotes may be replaced by another
sentence of the paper's content with its own quotes). If a Q&A item cannot be
grounded in the paper, replace it with a different question that the paper does answer, with
evidence copied verbatim from the page you cite.
"""

REPAIR_REASONS = {
    "quote_not_found": "根拠の引用がそのページの本文に見つかりません。該当ページの英文をそのまま1文コピーしてください。",
    "quote_not_body": "根拠の引用が本文の文章ではありません(柱・見出し・図表のキャプションや図表内の文字・脚注・文字化けした部分など)。そのページの本文の英文をそのまま1文コピーしてください。",
    "no_evidence": "根拠(ページ番号と4語以上の原文の引用)がありません。",
    "non_answer": "答えになっていません(「明記されていない」「文脈からは明らかではない」、説明の予告だけ、論文の参照先だけ、どの論文にも当てはまる一般論、質問の言い換え)。論文に書かれた具体的な事実(数値・名称・手法の中身)で答えるか、論文が答えている別の質問に替えてください。",
    "number_not_in_source": "論文に無い数値が含まれています。数値は論文に書かれているとおりに書いてください。",
    "not_japanese": "日本語で書かれていません。日本語で書いてください(引用部分を除く)。",
    "mixed_style": "「です・ます調」と「である調」が混在しています。です・ます調に統一してください。",
    "truncated": "文が途中で切れています。完結した文で書いてください。",
    "mistranslation": "機械学習の用語が直訳調です。用語集の定着した訳語を使ってください。",
    "duplicate_question": "ほかの質問とほぼ同じです。別の観点の質問に替えてください。",
    "empty": "空欄です。",
    "unsupported_entity": "引用にも論文にも無い手法・データセット・指標・モデルの名前が含まれています。論文に書かれている名前だけを使ってください。",
    "overgeneralised": "根拠の引用より広い範囲の主張になっています。引用に無い「常に」「あらゆる」「大幅に」などを使わず、引用が述べる条件(データセット・モデル規模・言語・設定)を文に残してください。",
    "judge_unsupported": "回答が根拠の引用と合っていません(判定モデルの指摘)。引用に書かれている内容だけで答え直すか、論文が答えている別の質問に替えてください。",
}

# The judge call (ronbun.judge): each answer against its own quotes. The marker line lets a
# test server tell the judge's requests from the summary's.
JUDGE_MARKER = "[ronbun-judge]"

JUDGE_SYSTEM_TEMPLATE = """\
[ronbun-judge]
あなたは論文の日本語要約を検証する、慎重な査読者です。
You check each item of a Japanese summary of a research paper against ITS OWN evidence only.

各項目 (item) について、text が evidence だけで裏付けられるかを判定します。
- supported: text の主張はすべて evidence に書かれています(日本語への翻訳・言い換えは可)。
- partial: 主な主張は evidence にありますが、evidence に無い細部(名前・数値・条件)が含まれます。
- unsupported: text が evidence と矛盾する(例: evidence は改善したと言い、text は改善しないと言う)、
  evidence と無関係である、または主な主張が evidence に無い。
Rules: use only the evidence given for that item, never outside knowledge. For a Q&A item the
evidence is its quotes (English, copied from the paper); for one_liner and each summary sentence
(S1, S2, ...) it is its own quotes and the title. A question that the text does not answer is unsupported.
Scope: a text that states a result more broadly than its evidence (drops a condition the evidence
states, such as the dataset, model size, language or "in our setting", or adds 常に/あらゆる/大幅に
that the evidence does not say) is unsupported; its reason starts with 「範囲:」.
problem: the main problem, or none:
- non_answer (Q&A only): the text does not answer its question: it says the point is not stated or
  not clear from the context/excerpt (「記載がありません」「文脈からは判断できません」), promises an
  explanation and gives none (「以下で説明します。」), points to a section instead of answering,
  restates the question, says something true of any paper or any model, or lists mostly such points.
  An answer with one concrete fact of this paper answers; so does a stated limitation. verdict: unsupported.
- literal_term: a technical term rendered word for word with a general-dictionary sense that a
  Japanese ML reader would reject (埋葬 for embedding, 強欲な解読 for greedy decoding, 体重 for
  weights). reason: the word and the accepted rendering (「埋葬」ではなく「埋め込み」).
- scope / contradiction / not_in_evidence: as above (verdict unsupported or partial).
reason: 判定の理由を日本語で1文。partial と unsupported では、evidence に無い点・矛盾する点を具体的に書きます。
Return exactly one verdict per item id, in the given order.
"""

JUDGE_USER_TEMPLATE = """\
# 判定する項目 (items, JSON)
{items}
"""

# Chars per token for English text, and tokens per non-ASCII character (CJK is ~1 token each
# in current tokenizers, math symbols often more); then a margin for the misses.
_ASCII_CHARS_PER_TOKEN = 3.5
_NON_ASCII_TOKENS_PER_CHAR = 1.2
_TOKEN_MARGIN = 1.15
_TOKENS_PER_MESSAGE = 8


@dataclass
class Prompt:
    messages: list[dict]
    body_chars: int
    est_tokens: int
    trimmed: list[str] = field(default_factory=list)
    response_format: type | None = None     # the output schema when not ModelOutput (OchiaiOutput)


def estimate_tokens(texts: list[str]) -> int:
    """A deliberately high token estimate from characters (no tokenizer download needed)."""
    total = 0.0
    for text in texts:
        ascii_n = sum(1 for c in text if c < "\x80")
        total += ascii_n / _ASCII_CHARS_PER_TOKEN + (len(text) - ascii_n) * _NON_ASCII_TOKENS_PER_CHAR
        total += _TOKENS_PER_MESSAGE
    return int(total * _TOKEN_MARGIN) + 1


# ---------------------------------------------------------------- sentences

_ABBREV = ("e.g", "i.e", "et al", "etc", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "vs",
           "cf", "resp", "approx", "no", "dr", "mr", "ms", "prof", "st", "ref", "refs", "appx", "al")
_SENT_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9]|[∗†‡§¶*])")


def split_sentences(text: str) -> list[str]:
    """Sentences of English text, whitespace collapsed; abbreviations and decimals kept whole."""
    flat = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in _SENT_END.finditer(flat):
        head = flat[start:m.start()]
        word = re.split(r"[\s(\[]", head)[-1].lower().rstrip(".")
        if word in _ABBREV or (len(word) == 1 and word.isalpha()):
            continue
        out.append(flat[start:m.end()].strip())
        start = m.end()
    if start < len(flat):
        out.append(flat[start:].strip())
    return [s for s in out if s]


# ---------------------------------------------------------------- sections

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
          "XI": 11, "XII": 12}
_NUMBERED = re.compile(
    r"^(?P<num>(?:\d{1,2}(?:\.\d{1,2}){0,3}|[IVX]{1,4}|[A-H](?:\.\d{1,2}){0,3}))\.?\s+"
    r"(?P<title>[A-Z][\w\-–:,&()'’/ ]{1,90})$")
_NAMED = re.compile(
    r"^(?:abstract|introduction|related works?|background|conclusions?|discussion|limitations?|"
    r"acknowledge?ments?|broader impacts?|ethics statement|ethical considerations|appendix|"
    r"appendices|supplementary material)$", re.I)

_FIRST_TO_GO = re.compile(
    r"acknowledg|ethic|broader impact|societal impact|social impact|author contribution|funding|"
    r"checklist|reproducibility statement|competing interest|conflicts? of interest|appendi|supplementary",
    re.I)
_RELATED = re.compile(r"related work|background|prior work|literature review|previous work", re.I)
_PROTECTED = re.compile(r"abstract|introduction|conclusion|discussion|limitation|future work|"
                        r"summary and|front matter", re.I)


@dataclass
class _Part:
    page: int
    text: str


@dataclass
class _Section:
    number: str
    title: str
    parts: list[_Part]
    top: str                    # label of the top-level section this one belongs to
    appendix: bool = False

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def pages(self) -> tuple[int, int]:
        return self.parts[0].page, self.parts[-1].page

    @property
    def chars(self) -> int:
        return sum(len(p.text) for p in self.parts)


def _key(number: str, appendix: bool) -> tuple[int, ...] | None:
    if not number:
        return None
    head, *rest = number.split(".")
    if head.isdigit():
        top = int(head)
    elif head in _ROMAN and not appendix:
        top = _ROMAN[head]
    elif appendix and len(head) == 1 and head.isalpha():
        top = ord(head) - ord("A") + 1
    else:
        return None
    return (top, *map(int, rest))


def _heading(line: str, last: tuple[int, ...] | None, appendix: bool) -> tuple[str, str, tuple | None] | None:
    """(number, title, key) when `line` is a section heading that fits the numbering so far."""
    s = line.strip()
    if len(s) > 100 or len(s) < 3:
        return None
    if _NAMED.match(s):
        return "", s, None
    m = _NUMBERED.match(s)
    if not m or ". " in m["title"] or m["title"].endswith((",", ":")):
        return None
    if len(m["title"].split()) > 12 or sum(c.isalpha() for c in m["title"]) < 3:
        return None
    key = _key(m["num"], appendix)
    if key is None:
        return None
    if last is None:
        if key[0] > 3:
            return None
    elif key <= last or key[0] > last[0] + 2 or (key[0] == last[0] and len(key) > len(last) + 1):
        return None
    elif key[0] == last[0] + 2 and not _title_case(m["title"]):
        return None              # a skipped number needs a heading-like title, not a wrapped line
    return m["num"], m["title"].strip(), key


def _title_case(title: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z]+", title) if len(w) >= 4]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def split_sections(pages: list[PageText], *, appendix: bool = False) -> list[_Section]:
    """Pages -> sections at numbered (or well-known unnumbered) heading lines."""
    first = "Appendix" if appendix else "Front matter"
    sections: list[_Section] = []
    cur = _Section("", first, [], first, appendix)
    last: tuple[int, ...] | None = None
    top = first
    for page in pages:
        buf: list[str] = []
        for line in page.text.splitlines():
            h = _heading(line, last, appendix)
            if h is None:
                buf.append(line)
                continue
            if buf:
                cur.parts.append(_Part(page.number, "\n".join(buf)))
                buf = []
            if cur.parts:
                sections.append(cur)
            number, title, key = h
            if key is not None:
                last = key
            if key is None or len(key) == 1:
                top = f"{number} {title}".strip()
            cur = _Section(number, title, [], top, appendix)
            buf.append(line)
        if buf:
            cur.parts.append(_Part(page.number, "\n".join(buf)))
    if cur.parts:
        sections.append(cur)
    return sections


def render_body(sections: list[_Section]) -> str:
    out: list[str] = []
    page = None
    for sec in sections:
        for part in sec.parts:
            if part.page != page:
                out.append(PAGE_MARKER.format(n=part.page))
                page = part.page
            out.append(part.text.strip("\n"))
    return "\n".join(out)


def _drop_order(sections: list[_Section]) -> list[int]:
    """Indices of body sections, least important first (boilerplate and stray appendices,
    related work, then the rest from the end); protected ones never appear."""
    boiler, related, late = [], [], []
    for i, s in enumerate(sections):
        top = s.top
        if _FIRST_TO_GO.search(top) or _FIRST_TO_GO.search(s.title):
            boiler.append(i)
        elif _RELATED.search(top):
            related.append(i)
        elif not (_PROTECTED.search(top) or (i == 0 and not s.number)):
            late.append(i)
    return boiler + related + list(reversed(late))


def _shorten(sec: _Section, excess: int, keep_sentences: int = 2) -> None:
    """Drop whole sentences from the end of `sec`, keeping its first sentences."""
    removed = 0
    while removed < excess and sec.parts:
        part = sec.parts[-1]
        last = len(sec.parts) == 1
        if not last and len(part.text) <= excess - removed:
            removed += len(part.text)
            sec.parts.pop()
            continue
        sents = split_sentences(part.text)
        floor = keep_sentences if last else 0
        while len(sents) > floor and removed < excess:
            removed += len(sents.pop()) + 1
        if sents:
            part.text = " ".join(sents)
            return
        sec.parts.pop()


def _fit(sections: list[_Section], max_chars: int) -> tuple[list[_Section], list[str]]:
    """Keep as many body sections as fit; return the kept ones and labels of what went."""
    kept = set(range(len(sections)))

    def size() -> int:
        return len(render_body([sections[i] for i in sorted(kept)]))

    order = _drop_order(sections)
    dropped: list[int] = []
    for i in order:
        if size() <= max_chars:
            break
        kept.discard(i)
        dropped.append(i)
    for i in reversed(dropped[:-1] if dropped else []):     # most important first: re-add if room
        kept.add(i)
        if size() > max_chars:
            kept.discard(i)
    dropped = [i for i in dropped if i not in kept]

    partly: list[str] = []
    while size() > max_chars:
        cands = sorted((i for i in kept if sections[i].parts), key=lambda i: -sections[i].chars)
        progressed = False
        for i in cands:
            excess = size() - max_chars
            before = sections[i].chars
            _shorten(sections[i], excess)
            if sections[i].chars < before:
                progressed = True
                if sections[i].label not in partly:
                    partly.append(sections[i].label)
                break
        if not progressed:
            for i in cands:                                 # last resort: whole sections go
                if size() <= max_chars:
                    break
                kept.discard(i)
                dropped.append(i)
            break
    labels = _labels([sections[i] for i in sorted(dropped)], [sections[i] for i in kept])
    labels += [f"{p} (partly)" for p in partly]
    return [sections[i] for i in sorted(kept)], labels


def _labels(dropped: list[_Section], kept: list[_Section]) -> list[str]:
    """A top-level section dropped with all its subsections is named once."""
    kept_tops = {s.top for s in kept}
    out: list[str] = []
    for s in dropped:
        label = s.top if s.top not in kept_tops else s.label
        if label not in out:
            out.append(label)
    return out


def _with_appendix(body: list[_Section], appendix: list[_Section], max_chars: int) -> tuple[list[_Section], list[str]]:
    chosen = list(body)
    omitted: list[list[_Section]] = [[]]
    for sec in appendix:
        trial = chosen + [sec]
        if len(render_body(trial)) <= max_chars:
            chosen = trial
            if omitted[-1]:
                omitted.append([])
        else:
            omitted[-1].append(sec)
    labels = []
    for run in omitted:
        if not run:
            continue
        tops = [s.number.split(".")[0] for s in run if s.number]
        name = "Appendix" if not tops else (
            f"Appendix {tops[0]}" if tops[0] == tops[-1] else f"Appendix {tops[0]}-{tops[-1]}")
        a, b = run[0].pages[0], run[-1].pages[1]
        labels.append(f"{name} (page {a})" if a == b else f"{name} (pages {a}-{b})")
    return chosen, labels


def quotable_page(page: PageText, *, captions: bool = True) -> PageText:
    """The page as offered to the model: body prose and heading lines (on lines of their own,
    so sections can be found and a heading glued to a sentence is cut off it), captions in a
    marked non-quotable block (or left out), and nothing else: running heads, the title and
    author block, text inside figures and tables, footnotes, garbled text and references
    are left out. A page that was not marked is returned as it is."""
    if not page.spans:
        return page
    out: list[str] = []
    caption: list[str] = []
    for kind, text in page.spans + [("", "")]:
        if kind == "caption":
            caption.append(text)
            continue
        if caption:
            if captions:
                out.append(CAPTION_BLOCK.format(text=" ".join(caption)))
            caption = []
        if kind in ("body", "heading"):
            out.append(text)
    return PageText(page.number, "\n".join(out))


def prose_pages(pages: list[PageText]) -> list[PageText]:
    """Body prose and headings only (no caption blocks): what an extractive engine may quote."""
    return [p for p in (quotable_page(p, captions=False) for p in pages) if p.text.strip()]


def fit_body(doc: Extracted, max_chars: int) -> tuple[str, list[str]]:
    """The quotable body text (see quotable_page) with page markers within `max_chars`, and
    what was left out."""
    body_pages = [p for p in (quotable_page(p) for p in doc.body) if p.text.strip()]
    app_pages = [p for p in (quotable_page(p) for p in doc.appendix) if p.text.strip()]
    body, trimmed = _fit(split_sections(body_pages), max_chars)
    chosen, app_trimmed = _with_appendix(body, split_sections(app_pages, appendix=True), max_chars)
    return render_body(chosen), trimmed + app_trimmed


# ---------------------------------------------------------------- builders

GLOSSARY_PROMPT_TERMS = 160     # the glossary's most important terms (file order); all are checked


def _glossary() -> str:
    try:
        from . import glossary
    except ImportError:                      # the glossary module is optional for the prompt
        return "(用語集なし)"
    return glossary.prompt_lines(limit=GLOSSARY_PROMPT_TERMS)


def _paper_message(paper: Paper, body: str, trimmed: list[str]) -> str:
    note = TRIMMED_NOTE.format(sections="; ".join(trimmed)) if trimmed else ""
    return USER_TEMPLATE.format(
        title=paper.title, authors=", ".join(paper.authors) or "-",
        categories=", ".join(paper.categories) or "-", abstract=paper.abstract.strip() or "-",
        trimmed_note=note, quotable_note=QUOTABLE_NOTE, body=body)


def _system() -> str:
    return SYSTEM_TEMPLATE.format(glossary=_glossary())


def paper_messages(paper: Paper, doc: Extracted, *, max_chars: int) -> tuple[list[dict], int, list[str]]:
    """The long stable prefix of every call on this paper: the system rules and one user
    message with the metadata and the page-marked body (byte-identical across the main call,
    the repair call and later calls, so a provider's prompt cache serves it); its body length
    and what was left out. Whatever varies goes in later messages."""
    body, trimmed = fit_body(doc, max_chars)
    return ([{"role": "system", "content": _system()},
             {"role": "user", "content": _paper_message(paper, body, trimmed)}], len(body), trimmed)


def _task(qa_count: int) -> dict:
    return {"role": "user", "content": TASK_TEMPLATE.format(qa_count=qa_count)}


def build_prompt(paper: Paper, doc: Extracted, *, max_chars: int, qa_count: int) -> Prompt:
    """The paper's stable prefix (system rules + metadata and page-marked body), then the task."""
    messages, body_chars, trimmed = paper_messages(paper, doc, max_chars=max_chars)
    messages.append(_task(qa_count))
    return Prompt(messages, body_chars, estimate_tokens([m["content"] for m in messages]), trimmed)


def _item_name(item: int | str | tuple) -> str:
    if isinstance(item, tuple):
        return f"summary sentence {item[1] + 1} (概要の{item[1] + 1}文目)"
    if isinstance(item, int):
        return f"Q&A {item + 1}"
    return {"summary": "summary (概要)", "one_liner": "one_liner (1文要約)"}.get(item, str(item))


def _reason(f: Finding) -> str:
    """The fixed Japanese instruction for the code, plus the check's specific finding."""
    fixed = REPAIR_REASONS.get(f.code)
    return f"{fixed}({f.message})" if fixed else f.message


def build_repair_prompt(paper: Paper, doc: Extracted, previous: ModelOutput, findings: list[Finding],
                        *, max_chars: int, qa_count: int | None = None) -> Prompt:
    """The original conversation (the same stable prefix and task as build_prompt's: pass the
    same `qa_count` to keep the task message identical too; default: the previous answer's
    count), the previous answer, and a list of what to fix (only that)."""
    grouped: dict[int | str | tuple, list[str]] = {}
    for f in findings:
        reasons = grouped.setdefault(f.item if f.sentence is None else (f.item, f.sentence), [])
        if _reason(f) not in reasons:
            reasons.append(_reason(f))
    lines = [f"- {_item_name(item)}: " + " / ".join(reasons) for item, reasons in grouped.items()]
    messages, body_chars, trimmed = paper_messages(paper, doc, max_chars=max_chars)
    messages += [
        _task(qa_count or len(previous.qa) or 1),
        {"role": "assistant", "content": json.dumps(previous.model_dump(), ensure_ascii=False)},
        {"role": "user", "content": REPAIR_TEMPLATE.format(items="\n".join(lines))},
    ]
    return Prompt(messages, body_chars, estimate_tokens([m["content"] for m in messages]), trimmed)


# ---------------------------------------------------------------- 落合フォーマット (template "ochiai")

OCHIAI_QUESTIONS = ("どんなもの？", "先行研究と比べてどこがすごい？", "技術や手法のキモはどこ？",
                    "どうやって有効だと検証した？", "議論はある？", "次に読むべき論文は？")
OCHIAI_MAX_REFERENCES = 150         # entries listed in the prompt
OCHIAI_REFERENCE_CHARS = 300        # of each entry's text

OCHIAI_SYSTEM_TEMPLATE = """\
あなたは機械学習・情報科学の論文を日本語の読者向けに正確に要約する専門家です。
You summarise a research paper for Japanese-speaking researchers in the 落合フォーマット (six fixed questions). Use only the paper text given by the user.

出力 (Output, JSON with the given schema):
- one_liner: 論文の内容を1文で表す日本語の要約。one_liner_evidence: その根拠(ページ番号と原文の逐語引用)。
- summary_sentences: 概要。3〜6文の日本語を1文ずつ、それぞれの根拠 (evidence) 付きで。途中で終わらせず、各文を完結させてください。
- qa: 次の5つの質問に、この順番で1つずつ答えます。question には質問の文をそのまま書きます。
{questions}
- next_reads: 6つ目の質問「{last}」の答え。ユーザーが渡す「参考文献リスト」の中から、この論文を理解するために次に読むべき文献を1〜3件選びます。
  ref はリストの番号 [n] の n、title はリストに書かれているタイトルをそのまま(英語のまま)書きます。リストに無い文献は決して挙げません。
  why は、なぜ読むべきかを日本語1文(です・ます調)で、本文がその文献をどう使っているか(土台にした手法、比較対象、使ったデータセットなど)に基づいて書きます。
  evidence には、本文の中でその文献を引用している文(引用番号や著者名と年が入っている文)を、ページ番号とともにそのままコピーします。

規則 (Rules):
1. 文体は全体を通して「です・ます調」に統一します(「である調」を混ぜない)。
2. 機械学習の用語は日本語で定着した訳語を使います。直訳調の不自然な訳語は使いません。以下の用語集に従ってください:
{glossary}
3. 回答は質問を言い換えただけのものにせず、論文に書かれた具体的な事実で答えます。
4. Every answer must be grounded: give at least one evidence item with the 1-based page number (from the "=== PAGE n ===" markers) and a sentence copied VERBATIM in English from that page. Do not translate, shorten or paraphrase the quote. 根拠の引用は、そのページに書かれている英語の文をそのまま1文コピーしてください。
5. 「議論はある？」には、論文自身が述べている限界・課題・議論を書きます。論文に書かれていないことを推測で書きません。
6. 数値は論文に書かれているとおりに書きます(丸めたり単位を換算したりしません)。論文に無い数値は書きません。
7. 質問も回答も日本語で書きます(evidence の quote と next_reads の title だけは英語の原文のままです)。
"""

OCHIAI_REFERENCES_TEMPLATE = """\
# 参考文献リスト (the paper's reference list, numbered; choose next_reads only from here)
{entries}
"""


def ochiai_system() -> str:
    lines = "\n".join(f"  {i}. {q}" for i, q in enumerate(OCHIAI_QUESTIONS[:5], 1))
    return OCHIAI_SYSTEM_TEMPLATE.format(questions=lines, last=OCHIAI_QUESTIONS[5], glossary=_glossary())


def ochiai_reference_list(refs: list, cited_pages: dict[int, list[int]]) -> str:
    """The numbered reference list for the prompt; each entry says on which pages the body cites it."""
    lines = []
    for ref in refs[:OCHIAI_MAX_REFERENCES]:
        pages = sorted(set(cited_pages.get(ref.index, [])))
        where = f" (本文 {', '.join(f'p.{n}' for n in pages)} で引用)" if pages else ""
        lines.append(f"[{ref.index}]{where} {ref.text[:OCHIAI_REFERENCE_CHARS]}")
    return OCHIAI_REFERENCES_TEMPLATE.format(entries="\n".join(lines) or "(参考文献リストを抽出できませんでした)")


def build_ochiai_prompt(paper: Paper, doc: Extracted, refs: list, cited_pages: dict[int, list[int]], *,
                        max_chars: int) -> Prompt:
    """The standard prompt's messages with the 落合フォーマット system message, then the reference list."""
    from .models import OchiaiOutput

    base = build_prompt(paper, doc, max_chars=max_chars, qa_count=5)
    messages = [{"role": "system", "content": ochiai_system()} if m["role"] == "system" else m for m in base.messages]
    messages.append({"role": "user", "content": ochiai_reference_list(refs, cited_pages)})
    return Prompt(messages, base.body_chars, estimate_tokens([m["content"] for m in messages]), base.trimmed,
                  response_format=OchiaiOutput)


def build_ochiai_repair_prompt(first: Prompt, previous: ModelOutput, findings: list[Finding]) -> Prompt:
    """The 落合フォーマット conversation, the previous answer, and what to fix; findings on the
    sixth item (index 5) are about next_reads."""
    grouped: dict[int | str, list[str]] = {}
    for f in findings:
        reasons = grouped.setdefault(f.item, [])
        if _reason(f) not in reasons:
            reasons.append(_reason(f))
    names = {5: "next_reads (次に読むべき論文)"}
    lines = [f"- {names.get(item, _item_name(item))}: " + " / ".join(reasons) for item, reasons in grouped.items()]
    messages = [*first.messages,
                {"role": "assistant", "content": json.dumps(previous.model_dump(), ensure_ascii=False)},
                {"role": "user", "content": REPAIR_TEMPLATE.format(items="\n".join(lines))}]
    return Prompt(messages, first.body_chars, estimate_tokens([m["content"] for m in messages]), first.trimmed,
                  response_format=first.response_format)


# The quick first answer (issue 12): title and abstract only, a small schema (models.AbstractOutput).
ABSTRACT_MARKER = "[ronbun-abstract]"
ABSTRACT_MAX_OUTPUT_TOKENS = 800

ABSTRACT_SYSTEM_TEMPLATE = """\
{marker}
あなたは機械学習・情報科学の論文を日本語の読者向けに正確に要約する専門家です。
You summarise a research paper for Japanese-speaking readers from its title and abstract only.

出力 (Output, JSON with the given schema):
- one_liner: 論文の内容を1文で表す日本語の要約。
- summary: アブストラクトに基づく概要。ちょうど3文の日本語。何を解決するために、何を提案し、何が分かったかを書きます。

規則 (Rules):
1. 文体は「です・ます調」に統一します。
2. 機械学習の用語は日本語で定着した訳語を使います。以下の用語集に従ってください:
{glossary}
3. タイトルとアブストラクトに書かれていることだけを書きます。数値はアブストラクトに書かれているとおりに書き、無い数値は書きません。
"""

ABSTRACT_USER_TEMPLATE = """\
# 論文メタデータ (metadata)
タイトル (title): {title}
アブストラクト (abstract):
{abstract}
"""


def build_abstract_prompt(paper: Paper) -> Prompt:
    """System instructions + the title and abstract (no body): the quick first answer's prompt."""
    messages = [{"role": "system", "content": ABSTRACT_SYSTEM_TEMPLATE.format(marker=ABSTRACT_MARKER,
                                                                               glossary=_glossary())},
                {"role": "user", "content": ABSTRACT_USER_TEMPLATE.format(
                    title=paper.title, abstract=paper.abstract.strip() or "-")}]
    return Prompt(messages, 0, estimate_tokens([m["content"] for m in messages]))
