"""Scheduled digest warm-up: starts the summaries of the papers listed in an SSM parameter so
that the weekly digest finds them done. Thin: the use case is ronbun.warmup."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Tracer

from ronbun import clients
from ronbun.errors import InvalidRequest
from ronbun.warmup import listed_ids, warm_papers

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

PARAMETER_ENV = "RONBUN_DIGEST_PARAMETER"

logger = Logger(service="ronbun")
tracer = Tracer(service="ronbun")


def _requested_ids(event) -> list[str]:
    """Scheduled: the IDs come from the SSM parameter. A manual invoke may pass {"paper_ids": [...]}."""
    given = event.get("paper_ids") if isinstance(event, dict) else None
    if given is None:
        return listed_ids(clients.ssm().get_parameter(Name=os.environ[PARAMETER_ENV])["Parameter"]["Value"])
    if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
        raise InvalidRequest("paper_ids must be a list of strings")
    return listed_ids(" ".join(given))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict, context: LambdaContext) -> dict:
    out = warm_papers(_requested_ids(event))
    logger.info("digest warm-up finished",
                extra={"papers": len(out["papers"]), "errors": out["errors"], "skipped": len(out["skipped"])})
    return out
