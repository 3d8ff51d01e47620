"""The cleaned text of a paper version in S3, so that a question never downloads or extracts
the PDF again (ask the paper).

One gzip'd JSON object per paper version: every page's text and line kinds, which pages are
body and appendix, the references, and the extraction's warnings. The summary job saves it
when it extracts the PDF; a question loads it (and extracts once when it is missing). Without
a bucket configured (the CLI), saving is skipped and loading finds nothing.
"""

from __future__ import annotations

import gzip
import json
import logging
from typing import TYPE_CHECKING

from . import clients
from .settings import Settings, get_settings

if TYPE_CHECKING:
    from .pdftext import Extracted

log = logging.getLogger(__name__)

FORMAT = 1
PREFIX = "papertext"


def key_for(paper_id: str, version: int) -> str:
    """The object key of one paper version (old-style ids keep their slash as a folder)."""
    return f"{PREFIX}/{paper_id}/v{int(version)}/text.json.gz"


def _page(p) -> dict:
    return {"n": p.number, "text": p.text, "spans": [list(s) for s in p.spans]}


def to_bytes(doc: "Extracted") -> bytes:
    data = {"format": FORMAT, "pages": [_page(p) for p in doc.pages], "body": [_page(p) for p in doc.body],
            "appendix": [_page(p) for p in doc.appendix],
            "references": doc.references, "page_count": doc.page_count, "warnings": list(doc.warnings),
            "garbled_pages": list(doc.garbled_pages)}
    return gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def from_bytes(raw: bytes) -> "Extracted":
    from .pdftext import Extracted, PageText

    data = json.loads(gzip.decompress(raw))
    if data.get("format") != FORMAT:
        raise ValueError(f"paper text format {data.get('format')!r} (expected {FORMAT})")

    def pages(items: list) -> list[PageText]:
        return [PageText(int(x["n"]), x["text"], [tuple(s) for s in x.get("spans") or []]) for x in items]

    return Extracted(pages=pages(data["pages"]), body=pages(data["body"]), appendix=pages(data.get("appendix") or []),
                     references=data.get("references", ""), page_count=int(data.get("page_count", 0)),
                     warnings=list(data.get("warnings") or []), garbled_pages=list(data.get("garbled_pages") or []))


def save(paper_id: str, version: int | None, doc: "Extracted", settings: Settings | None = None) -> bool:
    """Store the text of `paper_id` v`version`; False when there is no bucket or S3 refused
    (logged: a summary never fails for it, a question then extracts the PDF once)."""
    settings = settings or get_settings()
    if not settings.text_bucket or not version:
        return False
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        clients.client("s3").put_object(Bucket=settings.text_bucket, Key=key_for(paper_id, version),
                                        Body=to_bytes(doc), ContentType="application/json",
                                        ContentEncoding="gzip")
        return True
    except (BotoCoreError, ClientError) as exc:
        log.warning("could not store the text of %s v%s: %s", paper_id, version, type(exc).__name__)
        return False


def load(paper_id: str, version: int, settings: Settings | None = None) -> "Extracted | None":
    """The stored text of `paper_id` v`version`, or None (no bucket, not stored, unreadable)."""
    settings = settings or get_settings()
    if not settings.text_bucket:
        return None
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        got = clients.client("s3").get_object(Bucket=settings.text_bucket, Key=key_for(paper_id, version))
        return from_bytes(got["Body"].read())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404"):
            log.warning("could not read the text of %s v%s: %s", paper_id, version,
                        exc.response.get("Error", {}).get("Code"))
        return None
    except (BotoCoreError, ValueError, OSError, KeyError) as exc:
        log.warning("stored text of %s v%s is unusable: %s", paper_id, version, type(exc).__name__)
        return None
