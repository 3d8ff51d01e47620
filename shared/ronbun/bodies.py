"""The JSON bodies the API accepts, validated strictly by hand.

Not pydantic: the API function would import it (~0.2 s) on every cold start, including the
containers that only ever answer cached reads. The rules are the same: a JSON object of the
right media type and size, no unknown fields, every field of its type and within its limits.
Every failure is an InvalidRequest (or InvalidPaperId) with a message in Japanese.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from .errors import InvalidPaperId, InvalidRequest
from .ids import PaperRef, parse_pasted
from .settings import PROMPT_LANG

MAX_BODY_BYTES = 16 * 1024
MAX_PAPER_ID = 200
MAX_DIGEST_PAPERS = 50
MAX_TITLE = 200
MAX_INTRO = 2000
DEFAULT_DIGEST_TITLE = "最新論文ノート"     # the CLI's default too (render.DEFAULT_TITLE)


@dataclass(frozen=True)
class StartRequest:
    """POST /v1/summaries."""
    paper_id: str
    lang: str = PROMPT_LANG
    template: str = "standard"          # standard | ochiai (落合フォーマット)


@dataclass(frozen=True)
class DigestRequest:
    """POST /v1/digests: the papers (validated, in the given order), the post's title and intro."""
    refs: tuple[PaperRef, ...]
    title: str
    intro: str | None = None
    lang: str = PROMPT_LANG
    template: str = "standard"


def json_object(body: str | bytes | None, content_type: str | None, *, base64_encoded: bool = False) -> dict:
    """The body as a JSON object, or InvalidRequest saying what is wrong with it."""
    if base64_encoded and body:
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("request body is not valid base64") from None
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise InvalidRequest(f"Content-Type must be application/json, not {media or 'missing'!r}",
                             message_ja="Content-Type は application/json にしてください。")
    if body is None or body in ("", b""):
        raise InvalidRequest("request body is required",
                             message_ja='リクエスト本文が必要です(例: {"paper_id": "2401.15884"})。')
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_BODY_BYTES:
        raise InvalidRequest(f"request body is {size} bytes (limit {MAX_BODY_BYTES})",
                             message_ja=f"リクエスト本文が大きすぎます(上限 {MAX_BODY_BYTES // 1024} KB)。")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):   # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidRequest("request body is not valid JSON",
                             message_ja="リクエスト本文が JSON として読めません。") from None
    if not isinstance(data, dict):
        raise InvalidRequest(f"request body must be a JSON object, not {_kind(data)}",
                             message_ja="リクエスト本文は JSON オブジェクト({...})にしてください。")
    return data


def start_request(data: dict) -> StartRequest:
    _fields(data, required=("paper_id",), optional=("lang", "template"))
    paper_id = _string(data, "paper_id", MAX_PAPER_ID)
    return StartRequest(str(parse_pasted(paper_id)), _lang(data), _template(data))


def digest_request(data: dict) -> DigestRequest:
    """The digest request; the number of papers is checked before any id is parsed, and every
    id before anything is read or started. Ids are taken as pasted (full width, URLs, spaces);
    a paper given twice is kept once, at its first place. The title is optional."""
    _fields(data, required=("paper_ids",), optional=("title", "intro", "lang", "template"))
    ids = data["paper_ids"]
    if not isinstance(ids, list):
        raise _wrong_type("paper_ids", "an array of strings", "文字列の配列")
    if not ids:
        raise InvalidRequest("paper_ids is empty", message_ja="paper_ids に論文 ID を 1 件以上指定してください。")
    if len(ids) > MAX_DIGEST_PAPERS:
        raise InvalidRequest(f"paper_ids has {len(ids)} ids; a digest takes at most {MAX_DIGEST_PAPERS}",
                             message_ja=f"paper_ids は最大 {MAX_DIGEST_PAPERS} 件までです({len(ids)} 件指定されています)。")
    refs: list[PaperRef] = []
    for i, raw in enumerate(ids):
        if not isinstance(raw, str):
            raise _wrong_type(f"paper_ids[{i}]", "a string", "文字列")
        try:
            ref = parse_pasted(raw)
        except InvalidPaperId:
            shown = raw[:40] + ("…" if len(raw) > 40 else "")
            raise InvalidPaperId(f"paper_ids[{i}] is not a valid arXiv identifier: {raw!r:.60}",
                                 message_ja=f"paper_ids の {i + 1} 件目「{shown}」は arXiv の論文 ID として正しくありません"
                                            "(例: 2401.15884, hep-th/9901001)。") from None
        if ref not in refs:
            refs.append(ref)
    title = _string(data, "title", MAX_TITLE).strip() if data.get("title") is not None else ""
    title = title or DEFAULT_DIGEST_TITLE
    if _has_controls(title):
        raise InvalidRequest("title must be one line without control characters",
                             message_ja="title には改行や制御文字を含めないでください。")
    intro = None
    if data.get("intro") is not None:
        intro = _string(data, "intro", MAX_INTRO).replace("\r\n", "\n").strip() or None
        if intro and _has_controls(intro, allowed="\n\t"):
            raise InvalidRequest("intro must not contain control characters other than newlines and tabs",
                                 message_ja="intro には改行とタブ以外の制御文字を含めないでください。")
    return DigestRequest(tuple(refs), title, intro, _lang(data), _template(data))


def _fields(data: dict, *, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    unknown = [k for k in data if k not in required and k not in optional]
    if unknown:
        names = ", ".join(repr(k[:40]) for k in unknown[:5])
        raise InvalidRequest(f"unknown field(s): {names}",
                             message_ja=f"不明な項目があります: {names}(使える項目: {', '.join(required + optional)})。")
    missing = [k for k in required if k not in data]
    if missing:
        raise InvalidRequest(f"missing field(s): {', '.join(missing)}",
                             message_ja=f"必須の項目がありません: {', '.join(missing)}。")


def _string(data: dict, name: str, limit: int) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise _wrong_type(name, "a string", "文字列")
    if len(value) > limit:
        raise InvalidRequest(f"{name} is {len(value)} characters (limit {limit})",
                             message_ja=f"{name} が長すぎます(最大 {limit} 文字)。")
    return value


def _lang(data: dict) -> str:
    lang = data.get("lang", PROMPT_LANG)
    if lang != PROMPT_LANG:
        raise InvalidRequest(f"unsupported lang {str(lang)[:16]!r}", message_ja='lang は "ja" のみ対応しています。')
    return lang


TEMPLATES = ("standard", "ochiai")


def _template(data: dict) -> str:
    """The summary template: "standard" (default) or "ochiai" (落合フォーマット)."""
    template = data.get("template", "standard")
    if template not in TEMPLATES:
        raise InvalidRequest(f"unknown template {str(template)[:20]!r} (expected standard or ochiai)",
                             message_ja='template は "standard" か "ochiai"(落合フォーマット)を指定してください。')
    return template


def _has_controls(text: str, allowed: str = "") -> bool:
    """C0/C1 control characters and line separators (an ideographic space is fine)."""
    return any((c < " " or "\x7f" <= c <= "\x9f" or c in "\u2028\u2029") and c not in allowed for c in text)


def _wrong_type(name: str, expected: str, expected_ja: str) -> InvalidRequest:
    return InvalidRequest(f"{name} must be {expected}", message_ja=f"{name} は{expected_ja}で指定してください。")


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
