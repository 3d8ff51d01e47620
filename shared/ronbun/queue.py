"""The job queue: one SQS message per job, its body a JobMessage."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from . import clients
from .errors import RonbunError


class QueueUnavailable(RonbunError):
    """The job could not be queued."""
    code = "queue_unavailable"
    status = 503
    message_ja = "処理の受付に失敗しました。しばらくしてから再度お試しください。"
    retryable = True


class JobMessage(BaseModel):
    """What the worker needs to find and run one job (the job's table key plus the engine)."""
    model_config = ConfigDict(extra="ignore")
    paper_id: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1)
    lang: str = Field(min_length=2, max_length=8)
    prompt_version: str = Field(min_length=1, max_length=64)
    model: str = Field(min_length=1, max_length=128)
    engine: str = Field(pattern=r"^(openai|offline)$")
    template: str = Field(default="standard", pattern=r"^(standard|ochiai)$")


def send_job(queue_url: str | None, message: JobMessage) -> str:
    """Send `message`; returns the SQS message id. Raises QueueUnavailable."""
    if not queue_url:
        raise QueueUnavailable("RONBUN_QUEUE_URL is not set")
    try:
        body = message.model_dump_json(exclude={"template"} if message.template == "standard" else None)
        resp = clients.sqs().send_message(QueueUrl=queue_url, MessageBody=body)   # standard: as it always was
    except (ClientError, BotoCoreError) as exc:
        raise QueueUnavailable(f"SQS SendMessage failed: {type(exc).__name__}") from exc
    return resp["MessageId"]


QUEUE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed")


def queue_is_empty(queue_url: str | None) -> bool | None:
    """True when the queue holds no message at all (visible, in flight or delayed): then no
    queued job can still have one. None when SQS cannot say (never taken as "empty")."""
    if not queue_url:
        return None
    try:
        attrs = clients.sqs().get_queue_attributes(QueueUrl=queue_url, AttributeNames=list(QUEUE_COUNTS))
    except (ClientError, BotoCoreError):
        return None
    counts = attrs.get("Attributes") or {}
    return all(int(counts.get(name, "1")) == 0 for name in QUEUE_COUNTS)


def delay_message(queue_url: str | None, receipt_handle: str, seconds: int) -> None:
    """Make a received message come back in `seconds` (its next delivery). Raises QueueUnavailable."""
    if not queue_url:
        raise QueueUnavailable("RONBUN_QUEUE_URL is not set")
    try:
        clients.sqs().change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle,
                                                VisibilityTimeout=max(0, min(int(seconds), 43200)))
    except (ClientError, BotoCoreError) as exc:
        raise QueueUnavailable(f"SQS ChangeMessageVisibility failed: {type(exc).__name__}") from exc
