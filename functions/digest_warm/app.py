"""Scheduled digest warm-up: starts the summaries of the papers listed in an SSM parameter so
that the weekly digest finds them done. Thin: the use case is ronbun.service.start_summary."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Tracer

from ronbun import clients
from ronbun.errors import InvalidRequest, RonbunError
from ronbun.ids import parse_ref

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

PARAMETER_ENV = "RONBUN_DIGEST_PARAMETER"
NONE_YET = "-"          # the stack's placeholder value: no papers listed
MAX_PAPERS = 30         # worst case ~25 s of arXiv look-ups each: inside the 900 s timeout
LANG = "ja"

logger = Logger(service="ronbun")
tracer = Tracer(service="ronbun")
_SEPARATORS = re.compile(r"[\s,]+")


def listed_ids(text: str) -> list[str]:
    """The IDs (or arxiv.org URLs) in `text`, comma or whitespace separated, in order, once each."""
    return list(dict.fromkeys(t for t in _SEPARATORS.split(text or "") if t and t != NONE_YET))


def _parameter_value(name: str) -> str:
    return clients.ssm().get_parameter(Name=name)["Parameter"]["Value"]


def warm(raw: str) -> dict:
    """Start (or find) the summary of one listed paper; the outcome as one report line."""
    from ronbun.service import start_summary   # the digest list is read before the service loads

    try:
        ref = parse_ref(raw)
        answer = start_summary(ref, lang=LANG)
    except RonbunError as exc:
        return {"paper_id": raw, "status": "error", "error": exc.to_dict()}
    except Exception:  # one paper's surprise must not stop the others
        logger.exception("warm-up failed", extra={"paper_id": raw})
        return {"paper_id": raw, "status": "error", "error": RonbunError("internal error").to_dict()}
    return {"paper_id": str(ref), "status": answer.body.get("status"), "http_status": answer.status_code}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict, context: LambdaContext) -> dict:
    """Scheduled: the IDs come from the SSM parameter. A manual invoke may pass {"paper_ids": [...]}."""
    given = event.get("paper_ids") if isinstance(event, dict) else None
    if given is not None:
        if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
            raise InvalidRequest("paper_ids must be a list of strings")
        ids = listed_ids(" ".join(given))
    else:
        ids = listed_ids(_parameter_value(os.environ[PARAMETER_ENV]))
    skipped = ids[MAX_PAPERS:]
    report = [warm(raw) for raw in ids[:MAX_PAPERS]]
    errors = sum(1 for line in report if line["status"] == "error")
    logger.info("digest warm-up finished", extra={"papers": len(report), "errors": errors, "skipped": len(skipped)})
    return {"papers": report, "errors": errors, "skipped": skipped}
