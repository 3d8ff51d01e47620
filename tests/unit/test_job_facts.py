"""The job state machine's money and honesty rules (in-process moto, the fake arXiv):
- a job the queue refused never ran: asking again is not charged a second time;
- a job that ran (failed, or its worker died) is charged again when restarted, a few times a day at most;
- a queued job is "lost" only on facts about its message, never on age alone: a long backlog
  neither shows it failed nor sends a second message;
- arXiv's "no such paper / version" is remembered for a few minutes;
- the API does not wait long for its turn at arXiv."""

from __future__ import annotations

import json
import time

import pytest

from ronbun import clients, service
from ronbun.ids import parse_id
from ronbun.pacer import ArxivBusy
from ronbun.queue import QueueUnavailable
from ronbun.settings import get_settings
from ronbun.store import utc_day
from tests.unit.moto_stack import aws, key, paper  # noqa: F401 - fixture

PID = "2401.15884"


@pytest.fixture
def known(aws):
    """The paper's metadata is in the table (no arXiv needed to start it)."""
    aws.store.put_meta(paper(PID), time.time())
    return aws


def messages_for(aws, paper_id: str = PID) -> int:
    """How many messages of the queue carry `paper_id` (none is in flight in these tests)."""
    counts = clients.sqs().get_queue_attributes(QueueUrl=aws.queue_url, AttributeNames=["All"])["Attributes"]
    assert int(counts["ApproximateNumberOfMessagesNotVisible"]) == 0
    return sum(json.loads(m["Body"]).get("paper_id") == paper_id for m in aws.messages())


# ---------------------------------------------------------------------------- the cap after a queue outage

def test_a_job_the_queue_refused_is_started_again_without_a_second_charge(known, monkeypatch):
    # Given SQS refusing every message (the queue URL points at no queue)
    real_url = known.queue_url
    monkeypatch.setenv("RONBUN_QUEUE_URL", real_url.replace("ronbun-jobs", "ronbun-gone"))
    get_settings.cache_clear()
    with pytest.raises(QueueUnavailable):
        service.start_summary(parse_id(PID))
    assert known.store.get_job(key()).error["code"] == "queue_unavailable"
    assert known.store.budget_used(utc_day(time.time())) == 1
    # When SQS is back and the reader asks again
    monkeypatch.setenv("RONBUN_QUEUE_URL", real_url)
    get_settings.cache_clear()
    answer = service.start_summary(parse_id(PID))
    # Then the job is queued with one message, and the day's cap was charged once in all
    assert answer.status_code == 202 and answer.body["status"] == "queued"
    assert known.store.budget_used(utc_day(time.time())) == 1
    assert messages_for(known) == 1


# ---------------------------------------------------------------------------- restarts: charged and limited

def _die_in_the_worker(aws, now: float) -> None:
    """A worker takes the job and is killed (its lease ends, nothing is recorded)."""
    aws.store.claim_job(key(), f"worker-{now}", now + 10, now, receive_count=1)


def test_restarting_a_job_whose_worker_died_is_charged_and_limited_per_day(known, monkeypatch):
    monkeypatch.setenv("RONBUN_RESTART_LIMIT", "2")
    get_settings.cache_clear()
    t = time.time()
    service.start_summary(parse_id(PID), now=t)
    assert known.store.budget_used(utc_day(t)) == 1
    # Given the job's worker died twice, and each time a reader asked again after its lease ended
    for n in (1, 2):
        t += 100
        _die_in_the_worker(known, t)
        t += 100
        answer = service.start_summary(parse_id(PID), now=t)
        assert answer.status_code == 202 and answer.body["status"] == "queued"
        # Then each restart is new work: charged to the day's cap
        assert known.store.budget_used(utc_day(t)) == 1 + n
        assert (known.store.get_job(key()).restarts, known.store.get_job(key()).restart_day) == (n, utc_day(t))
    # When it dies a third time
    t += 100
    _die_in_the_worker(known, t)
    # Then the reader sees it failed, and asking again is refused for today, with nothing charged
    assert service.read_summary(parse_id(PID), now=t + 100).body["status"] == "failed"
    with pytest.raises(service.RestartLimit) as refused:
        service.start_summary(parse_id(PID), now=t + 100)
    assert refused.value.status == 429 and "再実行" in refused.value.message_ja
    assert known.store.budget_used(utc_day(t)) == 3
    # And the next UTC day it may be restarted again
    tomorrow = t + 86400
    assert service.start_summary(parse_id(PID), now=tomorrow).status_code == 202
    assert known.store.get_job(key()).restarts == 1


def test_restarting_a_failed_job_counts_toward_the_same_limit(known, monkeypatch):
    monkeypatch.setenv("RONBUN_RESTART_LIMIT", "1")
    get_settings.cache_clear()
    t = time.time()
    service.start_summary(parse_id(PID), now=t)
    for attempt in range(2):
        job = known.store.claim_job(key(), "w", t + 10, t)
        known.store.fail_owned_job(key(), job.lease_owner, {"code": "pdf_too_complex", "message": "x",
                                                            "message_ja": "複雑すぎます"}, t, 7)
        if attempt == 0:
            assert service.start_summary(parse_id(PID), now=t).status_code == 202
    with pytest.raises(service.RestartLimit):
        service.start_summary(parse_id(PID), now=t)
    assert known.store.budget_used(utc_day(t)) == 2


# ---------------------------------------------------------------------------- lost jobs, from facts

def test_a_backlog_longer_than_the_stale_threshold_neither_fails_the_job_nor_sends_a_duplicate(known):
    # Given a queued job behind a backlog of other papers' messages, untouched for three hours
    t = time.time()
    service.start_summary(parse_id(PID), now=t)
    for i in range(5):
        clients.sqs().send_message(QueueUrl=known.queue_url, MessageBody=json.dumps({"paper_id": f"2402.0000{i}"}))
    later = t + 3 * 3600
    # When the reader polls and asks again
    state = service.read_summary(parse_id(PID), now=later).body
    answer = service.start_summary(parse_id(PID), now=later)
    # Then the job is still queued, and its one message is still the only one
    assert state["status"] == "queued" and "error" not in state
    assert answer.status_code == 202 and answer.body["status"] == "queued"
    assert messages_for(known) == 1


def test_a_queued_job_whose_message_is_gone_is_reported_and_requeued_once(known):
    # Given a queued job whose message is gone (the queue was purged), long ago
    t = time.time()
    service.start_summary(parse_id(PID), now=t)
    clients.sqs().purge_queue(QueueUrl=known.queue_url)
    later = t + 3 * 3600
    # When the reader polls  Then the job is shown as lost (so the overlay offers a retry)
    state = service.read_summary(parse_id(PID), now=later).body
    assert (state["status"], state["error"]["code"]) == ("failed", "job_failed")
    # When the reader asks again  Then one new message is sent, and the lost job was not charged again
    assert service.start_summary(parse_id(PID), now=later).status_code == 202
    assert messages_for(known) == 1
    assert known.store.budget_used(utc_day(t)) == 1
    assert service.start_summary(parse_id(PID), now=later).body["status"] == "queued"
    assert messages_for(known) == 1


def test_a_message_older_than_the_queue_retention_is_lost_even_with_a_backlog(known):
    t = time.time()
    service.start_summary(parse_id(PID), now=t)
    clients.sqs().send_message(QueueUrl=known.queue_url, MessageBody="{}")
    past_retention = t + get_settings().queue_retention_seconds + 60
    assert service.read_summary(parse_id(PID), now=past_retention).body["status"] == "failed"


def test_a_job_waiting_for_its_retry_is_not_lost(known):
    # Given a job released for a retry at t+240 s, and an empty queue view (its message is delayed)
    t = time.time()
    service.start_summary(parse_id(PID), now=t)
    job = known.store.claim_job(key(), "w", t + 60, t, receive_count=1)
    known.store.release_job(key(), job.lease_owner, {"code": "arxiv_unavailable"}, t + 5, t + 240,
                            {"code": "arxiv_unavailable"})
    # When polled before the retry  Then it is queued with the retry notice
    state = service.read_summary(parse_id(PID), now=t + 100).body
    assert state["status"] == "queued" and state["retry_reason"]["message_ja"] == "arXiv が混み合っています。"


# ---------------------------------------------------------------------------- arXiv: negative cache, busy pacer

def test_an_id_arxiv_does_not_have_is_remembered_for_a_few_minutes(aws, fake_arxiv):
    t = time.time()
    for when in (t, t + 60, t + 300):
        with pytest.raises(service.PaperNotFound):
            service.start_summary(parse_id("2403.99999"), now=when)
    assert fake_arxiv.count("/api/query") == 1
    # After the TTL arXiv is asked again (the paper may have appeared)
    with pytest.raises(service.PaperNotFound):
        service.start_summary(parse_id("2403.99999"), now=t + get_settings().arxiv_missing_ttl_seconds + 1)
    assert fake_arxiv.count("/api/query") == 2


def test_a_version_arxiv_does_not_have_is_remembered_too(aws, fake_arxiv):
    fake_arxiv.add_paper(PID, versions=2)
    t = time.time()
    for when in (t, t + 60):
        with pytest.raises(service.PaperNotFound) as missing:
            service.start_summary(parse_id(f"{PID}v7"), now=when)
        assert "v7" in missing.value.message_ja and "v2" in missing.value.message_ja
    assert fake_arxiv.count("/api/query") == 1
    # And the versions it has are served as usual
    assert service.start_summary(parse_id(f"{PID}v2"), now=t + 61).status_code == 202


def test_the_api_answers_at_once_when_its_turn_at_arxiv_is_far_away(aws, fake_arxiv, monkeypatch):
    # Given the shared pacer, whose next free turn is 30 s away (other processes took the slots)
    monkeypatch.setenv("RONBUN_ARXIV_PACER", "table")
    monkeypatch.setenv("RONBUN_ARXIV_MIN_INTERVAL", "3")
    monkeypatch.setenv("RONBUN_ARXIV_MAX_PACE_WAIT", "3")
    get_settings.cache_clear()
    fake_arxiv.add_paper(PID)
    assert aws.store.reserve_slot("arxiv", 30, 60) is not None
    # When a reader asks for a paper the table does not know
    with pytest.raises(ArxivBusy) as busy:
        service.start_summary(parse_id(PID))
    # Then the API answers "busy" (retryable, in Japanese) without waiting for the turn or asking arXiv
    assert busy.value.retryable and busy.value.status == 503 and "混み合って" in busy.value.message_ja
    assert fake_arxiv.count("/api/query") == 0
