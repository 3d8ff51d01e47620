"""In-process moto with the table and queues from template.yaml, plus helpers to read them
back and to call the handlers with the real event shapes from tests/events."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest
from moto import mock_aws

from infra.tables import create_resources
from ronbun import clients
from ronbun.errors import RonbunError
from ronbun.models import Generator, Paper, Result
from ronbun.prompts import PROMPT_VERSION
from ronbun.settings import get_settings
from ronbun.store import JobKey, Store
from tests.events import load_event

TABLE = "ronbun-test"


class Context:
    """The attributes of a Lambda context that Powertools and the handlers read."""
    function_name = "ronbun-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ronbun-test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class Aws:
    queue_url: str
    dlq_url: str

    @property
    def store(self) -> Store:
        return Store(TABLE)

    def messages(self) -> list[dict]:
        """Every message now in the jobs queue (received, then made visible again)."""
        got = clients.sqs().receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                            VisibilityTimeout=0, AttributeNames=["All"])
        return got.get("Messages", [])

    def items(self) -> list[dict]:
        return clients.dynamodb().scan(TableName=TABLE)["Items"]

    def job_items(self) -> list[dict]:
        return [i for i in self.items() if i["SK"]["S"].startswith("SUMMARY#")]


@pytest.fixture
def aws(monkeypatch):
    """moto for the whole test, with RONBUN_TABLE / RONBUN_QUEUE_URL pointing at it."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        clients.reset()
        res = create_resources(clients.dynamodb(), clients.sqs(), table=TABLE)
        monkeypatch.setenv("RONBUN_TABLE", TABLE)
        monkeypatch.setenv("RONBUN_QUEUE_URL", res.queue_url)
        get_settings.cache_clear()
        yield Aws(res.queue_url, res.dlq_url)
    clients.reset()
    get_settings.cache_clear()


def paper(paper_id: str = "2401.15884", version: int = 1, title: str = "Sparse Adapter Routing") -> Paper:
    return Paper(id=paper_id, version=version, latest_version=version, title=title, authors=["Hana Sato"],
                 published="2024-01-29", updated="2024-01-29", categories=["cs.CL"],
                 abstract="We route sparse adapters.", abs_url=f"https://arxiv.org/abs/{paper_id}v{version}",
                 pdf_url=f"https://arxiv.org/pdf/{paper_id}v{version}")


def key(paper_id: str = "2401.15884", version: int = 1, model: str = "offline-extractive-1") -> JobKey:
    return JobKey(paper_id, version, "ja", PROMPT_VERSION, model)


def seed_done(store: Store, p: Paper, *, model: str = "offline-extractive-1", one_liner: str = "一文の要約です。") -> dict:
    """A paper whose summary is already done (META fresh, job done with a result)."""
    now = time.time()
    store.put_meta(p, now)
    k = key(p.id, p.version, model)
    store.create_job(k, "offline", now)
    job = store.claim_job(k, "seed", now + 60, now)
    result = Result(paper=p, one_liner=one_liner, summary="概要です。", qa=[],
                    generator=Generator(engine="offline", model=model, prompt_version=PROMPT_VERSION))
    doc = result.model_dump(mode="json")
    store.complete_job(k, job.lease_owner, doc, now)
    return doc


def seed_failed(store: Store, p: Paper, error: RonbunError) -> JobKey:
    now = time.time()
    store.put_meta(p, now)
    k = key(p.id, p.version)
    store.create_job(k, "offline", now)
    store.claim_job(k, "seed", now + 60, now)
    store.fail_owned_job(k, "seed", error.to_dict(), now, 7)
    return k


def api_event(name: str, **overrides) -> dict:
    return load_event(name, **overrides)


def post_event(body: dict | str, **overrides) -> dict:
    text = body if isinstance(body, str) else json.dumps(body)
    return load_event("api_post_summary", body=text, **overrides)


def get_event(paper_id: str, **overrides) -> dict:
    return load_event("api_get_summary", path=f"/v1/summaries/{paper_id}", pathParameters={"paper_id": paper_id},
                      **overrides)


def sqs_event(body: str, receive_count: int = 1, message_id: str = "m-1") -> dict:
    event = load_event("sqs_job")
    record = event["Records"][0]
    record["body"] = body
    record["messageId"] = message_id
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    return event


def job_body(k: JobKey, engine: str = "offline") -> str:
    return json.dumps({"paper_id": k.paper_id, "version": k.version, "lang": k.lang,
                       "prompt_version": k.prompt_version, "model": k.model, "engine": engine})
