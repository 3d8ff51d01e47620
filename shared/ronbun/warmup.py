"""The weekly digest's cache pre-warm: start (or find) the summary of every listed paper."""

from __future__ import annotations

import logging
import re

from .errors import RonbunError
from .ids import parse_ref

NONE_YET = "-"          # the stack's placeholder value: no papers listed
MAX_PAPERS = 30         # worst case ~25 s of arXiv look-ups each: inside the function's 900 s timeout
LANG = "ja"

log = logging.getLogger(__name__)
_SEPARATORS = re.compile(r"[\s,]+")


def listed_ids(text: str) -> list[str]:
    """The IDs (or arxiv.org URLs) in `text`, comma or whitespace separated, in order, once each."""
    return list(dict.fromkeys(t for t in _SEPARATORS.split(text or "") if t and t != NONE_YET))


def warm_one(raw: str) -> dict:
    """Start (or find) the summary of one listed paper; the outcome as one report line."""
    from .service import start_summary

    try:
        ref = parse_ref(raw)
        answer = start_summary(ref, lang=LANG)
    except RonbunError as exc:
        return {"paper_id": raw, "status": "error", "error": exc.to_dict()}
    except Exception:  # one paper's surprise must not stop the others
        log.exception("warm-up of %s failed", raw)
        return {"paper_id": raw, "status": "error", "error": RonbunError("internal error").to_dict()}
    return {"paper_id": str(ref), "status": answer.body.get("status"), "http_status": answer.status_code}


def warm_papers(ids: list[str]) -> dict:
    """Warm the first MAX_PAPERS ids; the rest are reported as skipped."""
    report = [warm_one(raw) for raw in ids[:MAX_PAPERS]]
    errors = sum(1 for line in report if line["status"] == "error")
    return {"papers": report, "errors": errors, "skipped": ids[MAX_PAPERS:]}
