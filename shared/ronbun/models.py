"""Pydantic models at every boundary: paper metadata, the model's structured output and
the public result document (DESIGN.md "Result document")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Paper(BaseModel):
    """arXiv metadata for one paper (the version is the one summarised, or the latest)."""
    id: str
    version: int | None = None
    title: str
    authors: list[str] = Field(default_factory=list)
    published: str = ""            # YYYY-MM-DD (first version)
    updated: str = ""              # YYYY-MM-DD (this version)
    categories: list[str] = Field(default_factory=list)
    abstract: str = ""
    abs_url: str = ""
    pdf_url: str = ""
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    latest_version: int | None = None   # newest version on arXiv when the metadata was read


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    page: int = Field(description="1-based page number of the PDF where the quote appears")
    quote: str = Field(description="A sentence copied verbatim (in English) from that page")


class QAItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="質問 (日本語)")
    answer: str = Field(description="回答 (日本語、です・ます調、論文に書かれた事実のみ)")
    evidence: list[Evidence] = Field(description="回答の根拠 (ページ番号と原文の逐語引用)")


class SummarySentence(BaseModel):
    """One sentence of the one-liner or the 概要 with the quotes it rests on (like a Q&A answer)."""
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="概要の1文 (日本語、です・ます調)")
    evidence: list[Evidence] = Field(description="この文の根拠 (ページ番号と原文の逐語引用)")


class ModelOutput(BaseModel):
    """What the model is asked to produce (structured output). The 概要 is a list of sentences,
    each with its own evidence; `summary` is their text joined, for readers of the old shape."""
    model_config = ConfigDict(extra="forbid")
    one_liner: str = Field(description="論文を1文で要約 (日本語、です・ます調)")
    one_liner_evidence: list[Evidence] = Field(description="1文要約の根拠 (ページ番号と原文の逐語引用)")
    # Q&A before the 概要: streamed, the first verified answer reaches the reader early while the
    # quick 概要 from the abstract is on screen (issue 12); the full-text 概要 then replaces it.
    qa: list[QAItem] = Field(description="重要な質問と回答")
    summary_sentences: list[SummarySentence] = Field(description="概要: 3〜6文の日本語 (です・ます調)、1文ずつ根拠付き")

    @property
    def summary(self) -> str:
        return "".join(s.text for s in self.summary_sentences)


class NextRead(BaseModel):
    """落合フォーマットの「次に読むべき論文」の1件: the paper's own reference list, by number."""
    model_config = ConfigDict(extra="forbid")
    ref: int = Field(description="参考文献リストでの番号 (リストの [n] の n)")
    title: str = Field(description="その文献のタイトル (リストに書かれているとおり、英語のまま)")
    why: str = Field(description="次に読むべき理由を1文で (日本語、です・ます調、本文での引用のされ方に基づく)")
    evidence: list[Evidence] = Field(description="本文でその文献を引用している文 (ページ番号と原文の逐語引用)")


class OchiaiOutput(ModelOutput):
    """What the model is asked to produce for the 落合フォーマット template: the first five fixed
    questions as `qa` and the sixth (次に読むべき論文) as picks from the reference list."""
    next_reads: list[NextRead] = Field(description="次に読むべき論文 (参考文献リストから1〜3件)")


class Reference(BaseModel):
    """One entry of the paper's own reference list shown as 次に読むべき論文 (落合フォーマット)."""
    text: str
    arxiv_id: str | None = None
    why: str = ""
    evidence: list[Evidence] = Field(default_factory=list)


class QuestionOutput(BaseModel):
    """The model's answer to a reader's own question (ask the paper, questions.py)."""
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="回答 (日本語、です・ます調)。論文に記載がなければ「この論文には記載がありません。」で始める")
    found: bool = Field(description="論文がこの質問に答えているとき true、記載がないとき false")
    evidence: list[Evidence] = Field(description="根拠 (ページ番号と原文の逐語引用)。記載がなく関連する記述もなければ空")


class AbstractOutput(BaseModel):
    """The quick first answer from the title and abstract alone (issue 12), shown until the
    full-text result replaces it."""
    one_liner: str = Field(description="論文を1文で要約 (日本語、です・ます調)")
    summary: str = Field(description="アブストラクトに基づく概要: 3文の日本語 (です・ます調)")


class Generator(BaseModel):
    engine: Literal["openai", "offline"]
    model: str
    prompt_version: str
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0   # of input_tokens, read from the server's prompt cache (cheaper)
    cost_usd: float = 0.0
    calls: int = 0
    trimmed: list[str] = Field(default_factory=list)   # sections left out of the prompt
    output_mode: str = ""          # how the server gave structured output: json_schema | json_object | text
    label_ja: str = ""             # what the result is, for readers: 日本語要約 | 原文抜粋(生成モデルなし)


class Finding(BaseModel):
    item: int | Literal["summary", "one_liner"]
    code: str
    sentence: int | None = None    # which sentence of the summary / one-liner (0-based), when per sentence
    message: str
    blocking: bool = True
    message_ja: str = ""           # what the reader is told (verify/messages.py), set when stored


class Verdict(BaseModel):
    """The judge call's rating of one item against its own quotes (openai engine only)."""
    item: int | Literal["summary", "one_liner"]
    verdict: Literal["supported", "partial", "unsupported"]
    reason: str = ""
    sentence: int | None = None    # which summary sentence (0-based, as shown), when per sentence
    problem: str = ""              # the judge's name for what is wrong: non_answer, literal_term, scope, ...


class LeftOut(BaseModel):
    """Something of the paper or of the checks that the result does not cover."""
    kind: str                      # e.g. "pages_garbled", "pages_skipped", "sections_trimmed", "judge_skipped"
    detail: str = ""               # English, for logs and developers
    detail_ja: str = ""            # what the reader is told


class Quality(BaseModel):
    checked: bool = False
    verified: bool = False         # 「検証済み」: nothing left out and every shown item passed every check
    checks: list[str] = Field(default_factory=list)          # finding codes that were checked
    dropped: list[Finding] = Field(default_factory=list)
    repaired: int = 0
    warnings: list[str] = Field(default_factory=list)
    left_out: list[LeftOut] = Field(default_factory=list)
    judge: list[Verdict] = Field(default_factory=list)


class Result(BaseModel):
    """The public result document."""
    paper: Paper
    lang: str = "ja"
    one_liner: str
    summary: str                   # the summary sentences joined (kept for older clients)
    qa: list[QAItem]
    # each sentence with its evidence (empty in results cached before sentences had evidence)
    one_liner_sentences: list[SummarySentence] = Field(default_factory=list)
    summary_sentences: list[SummarySentence] = Field(default_factory=list)
    code_urls: list[str] = Field(default_factory=list)
    generator: Generator
    quality: Quality = Field(default_factory=Quality)
    # glossary terms the text uses whose English is shown once beside the Japanese when rendered
    glossary_terms: list[dict[str, str]] = Field(default_factory=list)   # [{"ja": "埋め込み", "en": "embedding"}]
    template: str = "standard"     # standard | ochiai (落合フォーマット: six fixed questions)
    references: list[Reference] = Field(default_factory=list)   # ochiai: 次に読むべき論文, from the paper's list
