"""The worker function, fed SQS events of the real shape, running the real pipeline against
the fake arXiv server and in-process moto."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime

import pytest

from functions.worker import app as worker
from ronbun import clients, secrets, service
from ronbun.ids import parse_id
from ronbun.store import Store
from tests.fakes.fake_openai import TEST_KEY
from tests.unit.moto_stack import Context, aws, job_body, key, paper, seed_done, sqs_event  # noqa: F401


@pytest.fixture
def arxiv(fake_arxiv, monkeypatch):
    monkeypatch.setenv("RONBUN_ARXIV_RETRIES", "0")
    service.get_settings.cache_clear()
    fake_arxiv.add_paper("2401.15884", title="Sparse Adapter Routing for Efficient Summarization")
    return fake_arxiv


def requested(aws, paper_id: str = "2401.15884") -> str:
    """Start the job as the API does; returns the body of the one message it queued."""
    service.start_summary(parse_id(paper_id))
    [message] = aws.messages()
    return message["Body"]


def run(body: str, receive_count: int = 1) -> list[str]:
    out = worker.handler(sqs_event(body, receive_count), Context())
    return [f["itemIdentifier"] for f in out["batchItemFailures"]]


def test_a_job_runs_through_every_stage_and_stores_the_result(aws, arxiv, monkeypatch):
    # Given a queued job, and a record of the job's state after every stage write
    body = requested(aws)
    seen = []
    real_set_stage = Store.set_stage

    def recording(self, k, owner, stage, now):
        real_set_stage(self, k, owner, stage, now)
        seen.append((self.get_job(k).status, self.get_job(k).stage))
    monkeypatch.setattr(Store, "set_stage", recording)
    # When the worker handles its message
    failures = run(body)
    # Then the stages were stored in order and the job is done with a verified result
    assert failures == []
    assert seen == [("running", s) for s in ("fetching", "extracting", "generating", "verifying")]
    job = aws.store.get_job(key())
    result = job.result()
    assert (job.status, job.stage, job.lease_owner) == ("done", None, None)
    assert result["paper"]["title"] == "Sparse Adapter Routing for Efficient Summarization"
    assert result["generator"]["engine"] == "offline" and result["quality"]["checked"] is True
    assert result["summary"] and result["one_liner"]


def test_the_stored_item_stays_small_and_holds_no_full_text(aws, arxiv):
    run(requested(aws))
    [item] = aws.job_items()
    size = sum(len(k) + len(json.dumps(v)) for k, v in item.items())
    assert size < 100_000
    assert "pages" not in json.loads(item["result_json"]["S"])


def test_a_done_job_is_acknowledged_without_work(aws, fake_arxiv):
    seed_done(aws.store, paper())
    assert run(job_body(key())) == []
    assert fake_arxiv.requests == []


def test_a_retryable_failure_returns_the_message_and_requeues_the_job(aws, arxiv):
    # Given arXiv answers 503 for the PDF
    body = requested(aws)
    arxiv.fail("/pdf/", [503] * 5)
    # When the worker handles the message the first time
    failures = run(body, receive_count=1)
    # Then the message is reported as failed (it comes back) and the job waits in the queue
    assert failures == ["m-1"]
    job = aws.store.get_job(key())
    assert (job.status, job.attempts, job.lease_owner) == ("queued", 1, None)


def test_a_retryable_failure_on_the_last_delivery_fails_the_job_with_its_code(aws, arxiv):
    body = requested(aws)
    arxiv.fail("/pdf/", [503] * 5)
    failures = run(body, receive_count=service.get_settings().max_attempts)
    job = aws.store.get_job(key())
    assert failures == []
    assert (job.status, job.error["code"]) == ("failed", "arxiv_unavailable")
    assert job.error["message_ja"]


def test_a_permanent_failure_fails_the_job_with_a_japanese_message(aws, arxiv):
    # Given arXiv has no PDF for the paper
    body = requested(aws)
    arxiv.fail("/pdf/", [404])
    # When the worker runs it
    failures = run(body)
    # Then the message is done with and the job failed with the reason
    assert failures == []
    job = aws.store.get_job(key())
    assert (job.status, job.error["code"]) == ("failed", "paper_not_found")
    assert "arXiv" in job.error["message_ja"]


def test_a_job_leased_by_a_live_worker_is_retried_later(aws, arxiv):
    # Given another worker holds the job it took from the job's message
    service.start_summary(parse_id("2401.15884"))
    [message] = received(aws)
    aws.store.claim_job(key(), "other-worker", time.time() + 600, time.time(), message_id=message["MessageId"])
    # When that same message is delivered again (its visibility ran out while the other worker runs)
    failures = worker.handler(real_event(message), Context())["batchItemFailures"]
    # Then it comes back later and the other worker keeps the job
    assert [f["itemIdentifier"] for f in failures] == [message["MessageId"]]
    job = aws.store.get_job(key())
    assert (job.status, job.lease_owner, job.attempts) == ("running", "other-worker", 1)
    assert [r for r in arxiv.requests if "/pdf/" in r[1]] == []


def test_a_second_message_for_a_job_another_worker_runs_is_dropped(aws, arxiv):
    # Given another worker runs the job from the job's message
    body = requested(aws)
    aws.store.claim_job(key(), "other-worker", time.time() + 600, time.time(), message_id="the-first-message")
    # When a second message for the same job arrives
    failures = run(body, receive_count=1)
    # Then it is done with (two live messages never run one job) and the other worker keeps the job
    assert failures == []
    job = aws.store.get_job(key())
    assert (job.status, job.lease_owner, job.attempts) == ("running", "other-worker", 1)
    assert [r for r in arxiv.requests if "/pdf/" in r[1]] == []


def received(aws, visibility: int = 30, wait: int = 0) -> list[dict]:
    """Receive the queue's messages as the event source mapping does (they stay in flight)."""
    got = clients.sqs().receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=visibility,
                                        WaitTimeSeconds=wait, AttributeNames=["All"])
    return got.get("Messages", [])


def real_event(message: dict) -> dict:
    """The SQS event of a message really received (its id and receipt handle)."""
    event = sqs_event(message["Body"], int(message["Attributes"]["ApproximateReceiveCount"]), message["MessageId"])
    event["Records"][0]["receiptHandle"] = message["ReceiptHandle"]
    return event


def test_a_message_received_too_often_fails_the_job_so_nothing_stays_running(aws, arxiv):
    # Given a job another worker took and never finished, and its message's last delivery
    body = requested(aws)
    aws.store.claim_job(key(), "stuck-worker", time.time() + 600, time.time(), message_id="m-1")
    max_attempts = service.get_settings().max_attempts
    # When the message is received the last time, and once more than that
    last = run(body, receive_count=max_attempts)
    beyond = run(body, receive_count=max_attempts + 1)
    # Then the job is failed as lost (the message is not retried again)
    job = aws.store.get_job(key())
    assert (last, beyond) == ([], [])
    assert (job.status, job.error["code"]) == ("failed", "job_failed")


def test_a_poison_message_is_reported_failed_and_touches_nothing(aws):
    failures = run('{"paper_id": "2401.15884"')
    assert failures == ["m-1"]
    assert aws.items() == []


def test_a_message_for_an_unknown_job_is_dropped(aws, fake_arxiv):
    assert run(job_body(key("2402.00001"))) == []
    assert fake_arxiv.requests == [] and aws.job_items() == []


def test_a_job_for_another_prompt_version_is_retried_not_run(aws, arxiv):
    body = json.loads(requested(aws))
    body["prompt_version"] = "1999-01-01.1"
    aws.store.create_job(replace(key(), prompt_version="1999-01-01.1"), "offline", time.time())
    failures = run(json.dumps(body))
    assert failures == ["m-1"]
    assert [r for r in arxiv.requests if "/pdf/" in r[1]] == []


def test_the_openai_engine_reads_its_key_from_secrets_manager(aws, arxiv, fake_openai, monkeypatch):
    # Given the key lives only in Secrets Manager (as in the deployed stack)
    monkeypatch.delenv("OPENAI_API_KEY")
    arn = clients.secretsmanager().create_secret(
        Name="ronbun/openai-api-key", SecretString=json.dumps({"OPENAI_API_KEY": TEST_KEY}))["ARN"]
    monkeypatch.setenv("RONBUN_OPENAI_SECRET", arn)
    secrets.forget()
    service.get_settings.cache_clear()
    # When the API queues a job and the worker runs it
    body = requested(aws)
    failures = run(body)
    # Then the OpenAI-compatible server was called with that key (the quick answer from the
    # abstract, then the summary), and the result is stored
    assert failures == []
    assert json.loads(body)["engine"] == "openai"
    assert [h["authorization"] for h in fake_openai.headers] == [f"Bearer {TEST_KEY}"] * 2
    job = aws.store.get_job(key(version=1, model=json.loads(body)["model"]))
    assert job.status == "done" and job.result()["generator"]["engine"] == "openai"
    secrets.forget()


def test_an_empty_secret_fails_the_job_as_not_configured(aws, arxiv, monkeypatch):
    arn = clients.secretsmanager().create_secret(
        Name="ronbun/openai-api-key", SecretString=json.dumps({"OPENAI_API_KEY": ""}))["ARN"]
    monkeypatch.setenv("RONBUN_OPENAI_SECRET", arn)
    secrets.forget()
    service.get_settings.cache_clear()
    body = requested(aws)
    assert run(body) == []
    job = aws.store.get_job(key(version=1, model=json.loads(body)["model"]))
    assert (job.status, job.error["code"]) == ("failed", "engine_not_configured")
    secrets.forget()


def test_a_transient_failure_comes_back_after_the_back_off_and_the_state_says_when_and_why(aws, arxiv, monkeypatch):
    # Given a back-off of 1 s after the first delivery, and arXiv failing the PDF once
    monkeypatch.setenv("RONBUN_RETRY_BACKOFF_SECONDS", "1,60")
    service.get_settings.cache_clear()
    service.start_summary(parse_id("2401.15884"))
    [message] = received(aws, visibility=30)            # the queue would hide it for 30 s
    arxiv.fail("/pdf/", [503])
    # When the worker handles it
    before = time.time()
    failures = worker.handler(real_event(message), Context())["batchItemFailures"]
    # Then the message is reported failed, the job waits for its retry, and the state says when and why
    assert [f["itemIdentifier"] for f in failures] == [message["MessageId"]]
    state = service.read_summary(parse_id("2401.15884")).body
    assert state["status"] == "queued"
    retry_at = datetime.fromisoformat(state["retry_at"].replace("Z", "+00:00")).timestamp()
    assert before + 1 - 0.01 <= retry_at <= time.time() + 1 + 0.01
    assert state["retry_reason"]["code"] == "arxiv_unavailable"
    assert state["retry_reason"]["message_ja"] == "arXiv が混み合っています。"
    # And the message comes back after the back-off, long before the 30 s it was hidden for
    [again] = received(aws, visibility=30, wait=5)
    assert again["MessageId"] == message["MessageId"]
    # And the second delivery finishes the job; the retry notice is gone
    assert worker.handler(real_event(again), Context())["batchItemFailures"] == []
    done = service.read_summary(parse_id("2401.15884")).body
    assert done["status"] == "done" and "retry_at" not in done
