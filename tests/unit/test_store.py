"""The DynamoDB data access: every state change is conditional (in-process moto)."""

from __future__ import annotations

import time

import pytest

from ronbun.errors import BudgetExceeded, RonbunError
from ronbun.prompts import PROMPT_VERSION
from ronbun.store import Budget, Conflict, LeaseLost, MAX_RESULT_BYTES, utc_day
from tests.unit.moto_stack import aws, key, paper  # noqa: F401 - fixture

NOW = 1_800_000_000.0


def test_a_second_job_for_the_same_key_is_refused_with_the_existing_one(aws):
    # Given a queued job
    aws.store.create_job(key(), "offline", NOW)
    # When another request tries to create it again
    with pytest.raises(Conflict) as lost:
        aws.store.create_job(key(), "offline", NOW + 1)
    # Then the write is refused and the caller sees the job as it is
    assert lost.value.current.status == "queued"
    assert len(aws.job_items()) == 1


def test_the_daily_cap_refuses_new_work_without_creating_the_job(aws):
    # Given a cap of one generation per day, already used
    budget = Budget(utc_day(NOW), 1)
    aws.store.create_job(key("2401.00001"), "offline", NOW, budget)
    # When a second paper is started the same day
    with pytest.raises(BudgetExceeded):
        aws.store.create_job(key("2401.00002"), "offline", NOW, budget)
    # Then no job exists for it and the counter stays at the cap
    assert [i["paper_id"]["S"] for i in aws.job_items()] == ["2401.00001"]
    assert aws.store.budget_used(utc_day(NOW)) == 1


def test_the_budget_counter_is_per_utc_day(aws):
    budget_today = Budget(utc_day(NOW), 1)
    aws.store.create_job(key("2401.00001"), "offline", NOW, budget_today)
    tomorrow = NOW + 86400
    aws.store.create_job(key("2401.00002"), "offline", tomorrow, Budget(utc_day(tomorrow), 1))
    assert aws.store.budget_used(utc_day(tomorrow)) == 1


def test_a_queued_job_is_claimed_once(aws):
    # Given a queued job
    aws.store.create_job(key(), "offline", NOW)
    # When two workers claim it
    job = aws.store.claim_job(key(), "worker-a", NOW + 300, NOW)
    with pytest.raises(Conflict) as refused:
        aws.store.claim_job(key(), "worker-b", NOW + 300, NOW + 1)
    # Then the first owns it (one attempt) and the second sees it running
    assert (job.status, job.lease_owner, job.attempts) == ("running", "worker-a", 1)
    assert refused.value.current.lease_owner == "worker-a"


def test_a_running_job_with_an_expired_lease_can_be_taken_over(aws):
    aws.store.create_job(key(), "offline", NOW)
    aws.store.claim_job(key(), "worker-a", NOW + 10, NOW)
    job = aws.store.claim_job(key(), "worker-b", NOW + 400, NOW + 11)
    assert (job.lease_owner, job.attempts) == ("worker-b", 2)


def test_only_the_lease_owner_can_store_the_result(aws):
    # Given a job taken over by worker-b after worker-a's lease ended
    aws.store.create_job(key(), "offline", NOW)
    aws.store.claim_job(key(), "worker-a", NOW + 10, NOW)
    aws.store.claim_job(key(), "worker-b", NOW + 400, NOW + 11)
    # When worker-a finishes late
    with pytest.raises(LeaseLost):
        aws.store.complete_job(key(), "worker-a", {"one_liner": "late"}, NOW + 20)
    # Then only worker-b's result is stored
    aws.store.complete_job(key(), "worker-b", {"one_liner": "mine"}, NOW + 30)
    job = aws.store.get_job(key())
    assert (job.status, job.result()["one_liner"], job.lease_owner) == ("done", "mine", None)


def test_stage_writes_need_the_lease(aws):
    aws.store.create_job(key(), "offline", NOW)
    aws.store.claim_job(key(), "worker-a", NOW + 300, NOW)
    aws.store.set_stage(key(), "worker-a", "extracting", NOW + 1)
    with pytest.raises(LeaseLost):
        aws.store.set_stage(key(), "intruder", "generating", NOW + 2)
    assert aws.store.get_job(key()).stage == "extracting"


def test_a_failed_job_is_requeued_only_from_the_state_that_was_read(aws):
    # Given a failed job that two requests read at the same time
    aws.store.create_job(key(), "offline", NOW)
    aws.store.claim_job(key(), "w", NOW + 300, NOW)
    aws.store.fail_owned_job(key(), "w", RonbunError("boom").to_dict(), NOW + 1, 7)
    seen = aws.store.get_job(key())
    # When both try to requeue it
    requeued = aws.store.requeue_job(seen, NOW + 2)
    with pytest.raises(Conflict):
        aws.store.requeue_job(seen, NOW + 3)
    # Then it is queued once, with its error and attempts cleared
    job = aws.store.get_job(key())
    assert (requeued.status, job.status, job.error, job.attempts) == ("queued", "queued", None, 0)


def test_a_failed_job_expires_and_a_done_one_does_not(aws):
    aws.store.create_job(key("2401.00001"), "offline", NOW)
    aws.store.claim_job(key("2401.00001"), "w", NOW + 300, NOW)
    aws.store.fail_owned_job(key("2401.00001"), "w", RonbunError("x").to_dict(), NOW, 7)
    aws.store.create_job(key("2401.00002"), "offline", NOW)
    aws.store.claim_job(key("2401.00002"), "w", NOW + 300, NOW)
    aws.store.complete_job(key("2401.00002"), "w", {"one_liner": "ok"}, NOW)
    ttl = {i["paper_id"]["S"]: i.get("expires_at", {}).get("N") for i in aws.job_items()}
    assert ttl == {"2401.00001": str(int(NOW + 7 * 86400)), "2401.00002": None}


def test_snapshot_reads_meta_and_only_this_generators_jobs_in_one_query(aws):
    # Given metadata, a summary by this model and one by another model and prompt version
    aws.store.put_meta(paper(version=2), NOW)
    aws.store.create_job(key(version=2), "offline", NOW)
    aws.store.create_job(key(version=1, model="gpt-4.1-mini"), "openai", NOW)
    # When the API reads the paper
    snap = aws.store.snapshot("2401.15884", "ja", PROMPT_VERSION, "offline-extractive-1")
    # Then it sees the metadata and the matching job only
    assert snap.meta.latest_version == 2
    assert list(snap.jobs) == [2]


def test_old_style_ids_are_stored_under_their_own_partition(aws):
    aws.store.put_meta(paper("hep-th/9901001"), NOW)
    aws.store.create_job(key("hep-th/9901001"), "offline", NOW)
    snap = aws.store.snapshot("hep-th/9901001", "ja", PROMPT_VERSION, "offline-extractive-1")
    assert snap.meta.paper.id == "hep-th/9901001" and list(snap.jobs) == [1]
    assert aws.store.snapshot("hep-th/99010", "ja", PROMPT_VERSION, "offline-extractive-1").meta is None


def test_an_oversized_result_is_refused_before_writing(aws):
    aws.store.create_job(key(), "offline", NOW)
    aws.store.claim_job(key(), "w", NOW + 300, NOW)
    with pytest.raises(RonbunError):
        aws.store.complete_job(key(), "w", {"summary": "あ" * (MAX_RESULT_BYTES // 3 + 10)}, NOW)
    assert aws.store.get_job(key()).status == "running"


def test_items_carry_iso_and_epoch_timestamps(aws):
    job = aws.store.create_job(key(), "offline", time.time())
    assert job.updated_at.endswith("Z") and abs(job.updated_epoch - time.time()) < 5
