"""REST API function: start a summary, read its state, digests, health. Thin: routing, error
mapping and metrics here; the use cases live in ronbun.service. Never imports the pipeline,
and a cached read never imports pydantic (tests/unit/test_api_imports.py).

No Powertools Tracer here: importing the X-Ray SDK creates an X-Ray client at import time
(~0.4 s, more than the whole import budget of this function). Lambda and API Gateway active
tracing still record every request; the worker, where the time goes, uses the Tracer."""

from __future__ import annotations

import json
import warnings
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import unquote

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.metrics import MetricUnit
# boto3 from here rather than three modules down (service -> store -> clients): at that stack
# depth CPython 3.11 compiles urllib3's IPv6 regexes across a frame-stack chunk boundary and
# maps and unmaps a 16 KiB chunk ~6,000 times (+80 ms of cold start, seen with strace).
# The same modules are imported either way.
import boto3  # noqa: F401

from ronbun import questions, service
from ronbun.errors import NotFound, RonbunError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

SUMMARIES = "/v1/summaries"
QUESTIONS = "/v1/questions"
PARTIAL_HEADER = "x-ronbun-partial"

logger = Logger(service="ronbun")
metrics = Metrics(namespace="Ronbun", service="ronbun")
app = APIGatewayRestResolver(
    cors=CORSConfig(allow_origin="*", allow_headers=["x-api-key", "content-type"], expose_headers=[PARTIAL_HEADER],
                    max_age=600),
    serializer=partial(json.dumps, ensure_ascii=False, separators=(",", ":")))
warnings.filterwarnings("ignore", message="No application metrics to publish")


def _json(status: int, body: dict) -> Response:
    return Response(status_code=status, content_type="application/json", body=body)


@app.get("/v1/health")
def health():
    return service.health()


@app.post(SUMMARIES)
def start_summary():
    event = app.current_event
    request = service.parse_start_request(event.body, event.headers.get("content-type"),
                                          base64_encoded=event.is_base64_encoded)
    ref = service.parse_paper_id(request.paper_id)
    logger.set_correlation_id(ref.id)
    answer = service.start_summary(ref, request.lang, template=request.template)
    metrics.add_metric(name="CacheHit" if answer.cache_hit else "CacheMiss", unit=MetricUnit.Count, value=1)
    return _json(answer.status_code, answer.body)


# {paper_id+} is greedy: old-style ids ("hep-th/9901001") contain a slash.
@app.get(SUMMARIES + "/.+")
def read_summary():
    event = app.current_event
    raw = (event.path_parameters or {}).get("paper_id") or event.path[len(SUMMARIES) + 1:]
    ref = service.parse_paper_id(unquote(raw).strip("/"))
    logger.set_correlation_id(ref.id)
    lang = service.parse_lang(event.query_string_parameters.get("lang"))
    template = service.parse_template(event.query_string_parameters.get("template"))
    return _json(200, service.read_summary(ref, lang, template=template).body)


@app.post("/v1/digests")
def digest():
    event = app.current_event
    request = service.parse_digest_request(event.body, event.headers.get("content-type"),
                                           base64_encoded=event.is_base64_encoded)
    result = service.digest(request)
    metrics.add_metric(name="DigestReady" if result.ready else "DigestPending", unit=MetricUnit.Count, value=1)
    if not result.ready:
        return _json(202, result.pending_body())
    return Response(status_code=200, content_type="text/markdown; charset=utf-8", body=result.markdown(),
                    headers={PARTIAL_HEADER: "true"} if result.partial else None)


@app.post(QUESTIONS)
def start_question():
    event = app.current_event
    request = questions.parse_question_request(event.body, event.headers.get("content-type"),
                                               base64_encoded=event.is_base64_encoded)
    logger.set_correlation_id(request.paper_id)
    status, body = questions.start_question(request)
    metrics.add_metric(name="QuestionCacheHit" if status == 200 else "QuestionCacheMiss", unit=MetricUnit.Count, value=1)
    return _json(status, body)


@app.get(QUESTIONS + "/<question_id>")
def read_question(question_id: str):
    return _json(200, questions.read_question(unquote(question_id)))


@app.exception_handler(RonbunError)
def ronbun_error(exc: RonbunError):
    if exc.status >= 500:
        logger.warning("request failed", extra={"code": exc.code, "error": exc.message})
    return _json(exc.status, {"error": exc.to_dict()})


@app.not_found
def not_found(exc: NotFoundError):
    return _json(404, {"error": NotFound("no such route", message_ja="この URL の API はありません。").to_dict()
                       | {"code": "route_not_found"}})


@app.exception_handler(Exception)
def unexpected(exc: Exception):
    logger.exception("unhandled error")
    return _json(500, {"error": RonbunError("internal error").to_dict()})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
