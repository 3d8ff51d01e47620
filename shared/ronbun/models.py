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


class ModelOutput(BaseModel):
    """What the model is asked to produce (structured output)."""
    model_config = ConfigDict(extra="forbid")
    one_liner: str = Field(description="論文を1文で要約 (日本語、です・ます調)")
    summary: str = Field(description="概要: 3〜6文の日本語 (です・ます調)")
    qa: list[QAItem] = Field(description="重要な質問と回答")


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
    cost_usd: float = 0.0
    calls: int = 0
    trimmed: list[str] = Field(default_factory=list)   # sections left out of the prompt
    output_mode: str = ""          # how the server gave structured output: json_schema | json_object | text
    label_ja: str = ""             # what the result is, for readers: 日本語要約 | 原文抜粋(生成モデルなし)


class Finding(BaseModel):
    item: int | Literal["summary", "one_liner"]
    code: str
    message: str
    blocking: bool = True
    message_ja: str = ""           # what the reader is told (verify/messages.py), set when stored


class Verdict(BaseModel):
    """The judge call's rating of one item against its own quotes (openai engine only)."""
    item: int | Literal["summary", "one_liner"]
    verdict: Literal["supported", "partial", "unsupported"]
    reason: str = ""


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
    summary: str
    qa: list[QAItem]
    code_urls: list[str] = Field(default_factory=list)
    generator: Generator
    quality: Quality = Field(default_factory=Quality)
    # glossary terms the text uses whose English is shown once beside the Japanese when rendered
    glossary_terms: list[dict[str, str]] = Field(default_factory=list)   # [{"ja": "埋め込み", "en": "embedding"}]
