"""SQS worker function: one job per message, partial batch failures reported so only the
failed messages come back. Thin: the work is ronbun.service.run_job."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ronbun import queue, questions, service, verify
from ronbun.deadline import Deadline
from ronbun.errors import RonbunError
from ronbun.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

LEASE_MARGIN_SECONDS = 30
WRITE_RESERVE_SECONDS = 20    # kept back from the job for the writes after it (result, failure, release)

logger = Logger(service="ronbun")
metrics = Metrics(namespace="Ronbun", service="ronbun")
tracer = Tracer(service="ronbun")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
warnings.filterwarnings("ignore", message="No application metrics to publish")
verify.preload()        # the checks' data at init (Lambda's init phase), not inside the first job's deadline


def _failure(code: str) -> None:
    with single_metric(name="Failures", unit=MetricUnit.Count, value=1, namespace="Ronbun",
                       default_dimensions=metrics.default_dimensions) as metric:
        metric.add_dimension(name="code", value=code)


def _lease_seconds(context) -> float | None:
    """The lease ends when this invocation certainly has (plus a margin)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 + LEASE_MARGIN_SECONDS if callable(remaining) else None


def _retry_later(record: SQSRecord):
    """Bring this message back after a back-off instead of the queue's visibility timeout."""
    return lambda seconds: queue.delay_message(get_settings().queue_url, record.receipt_handle, seconds)


def _deadline(context) -> Deadline | None:
    """The job's deadline: this invocation's end, less the time its last writes need."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return Deadline.after(remaining() / 1000 - WRITE_RESERVE_SECONDS) if callable(remaining) else None


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord, lambda_context=None) -> None:
    if questions.is_question_message(record.body):       # ask the paper (ronbun.questions)
        status, error = questions.run_question_job(
            record.body, receive_count=int(record.attributes.approximate_receive_count or 1),
            lease_seconds=_lease_seconds(lambda_context), deadline=_deadline(lambda_context))
        if error:
            _failure(error["code"])
        logger.info("question finished", extra={"status": status})
        return
    try:
        message = service.parse_job_message(record.body)
    except RonbunError:
        logger.error("poison message", extra={"message_id": record.message_id, "body_prefix": record.body[:200]})
        _failure("invalid_message")
        raise
    logger.set_correlation_id(message.paper_id)
    receive_count = int(record.attributes.approximate_receive_count or 1)
    outcome = service.run_job(message, receive_count=receive_count, lease_seconds=_lease_seconds(lambda_context),
                              message_id=record.message_id, retry_later=_retry_later(record),
                              deadline=_deadline(lambda_context))
    if outcome.status == "failed":
        _failure(outcome.error["code"])
    elif outcome.status == "done":
        gen = outcome.generator
        metrics.add_metric(name="GenerationSeconds", unit=MetricUnit.Seconds, value=outcome.seconds)
        metrics.add_metric(name="InputTokens", unit=MetricUnit.Count, value=gen.get("input_tokens", 0))
        metrics.add_metric(name="OutputTokens", unit=MetricUnit.Count, value=gen.get("output_tokens", 0))
        metrics.add_metric(name="EstimatedCostUSD", unit=MetricUnit.NoUnit, value=gen.get("cost_usd", 0.0))
    logger.info("job finished", extra={"status": outcome.status, "seconds": round(outcome.seconds, 3)})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
