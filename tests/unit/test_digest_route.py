"""POST /v1/digests through the API handler, against in-process moto and the fake arXiv."""

from __future__ import annotations

import json
import re
import time

import pytest

from functions.api import app as api
from ronbun import service
from ronbun.bodies import digest_request
from ronbun.errors import PdfEncrypted
from ronbun.queue import QueueUnavailable
from ronbun.store import JobKey
from tests.events import load_event
from tests.unit.moto_stack import Context, aws, key, paper, seed_done, seed_failed  # noqa: F401 - fixture

TITLE = "最新論文ノート 第12回"


def post(body: dict | str, **overrides) -> tuple[int, str, dict]:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response = api.handler(load_event("api_post_digest", body=text, **overrides), Context())
    headers = {k.lower(): v[0] for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return response["statusCode"], response["body"], headers


def digest(ids: list[str], **extra) -> tuple[int, str, dict]:
    return post({"paper_ids": ids, "title": TITLE, **extra})


def pending(ids: list[str]) -> dict:
    status, body, headers = digest(ids)
    assert status == 202, body
    assert headers["content-type"] == "application/json"
    return json.loads(body)


@pytest.fixture
def arxiv(fake_arxiv):
    fake_arxiv.add_paper("2402.00002", title="Unseen Paper", published="2024-02-01")
    fake_arxiv.add_paper("2403.00003", title="Another Unseen Paper", published="2024-03-01")
    return fake_arxiv


def seed_three_done(aws) -> list[str]:
    for pid, title in [("2401.15884", "Sparse Adapter Routing"), ("2402.00001", "Dense Retrieval Revisited"),
                       ("hep-th/9901001", "Strings on the Lattice")]:
        seed_done(aws.store, paper(pid, title=title), one_liner=f"{title} を一文で要約しました。")
    return ["2401.15884", "2402.00001", "hep-th/9901001"]


# ---------------------------------------------------------------------------- ready

def test_when_every_paper_is_done_the_post_is_markdown(aws):
    ids = seed_three_done(aws)
    status, body, headers = digest(ids, intro="今週の3本です。")
    assert status == 200
    assert headers["content-type"] == "text/markdown; charset=utf-8"
    assert "x-ronbun-partial" not in headers
    assert body.startswith(f"# {TITLE}\n\n今週の3本です。\n")
    assert re.findall(r"^(\d)\. (.+?)\(発行日:", body, re.M) == [
        ("1", "Sparse Adapter Routing"), ("2", "Dense Retrieval Revisited"), ("3", "Strings on the Lattice")]
    assert re.findall(r"^## (\d)\. ", body, re.M) == ["1", "2", "3"]
    assert body.count("概要:") == 3 and "URL: https://arxiv.org/pdf/2401.15884v1" in body
    assert aws.messages() == []


def test_a_ready_digest_reads_nothing_from_arxiv(aws, fake_arxiv):
    digest(seed_three_done(aws))
    assert fake_arxiv.requests == []


def test_failed_papers_are_rendered_with_their_reason_and_marked_partial(aws):
    ids = seed_three_done(aws)
    seed_failed(aws.store, paper("2404.00004", title="Locked Paper"), PdfEncrypted())
    status, body, headers = digest(ids + ["2404.00004"])
    assert (status, headers["x-ronbun-partial"]) == (200, "true")
    assert "4. Locked Paper(発行日:2024年01月29日)\n   要約できませんでした: PDF が暗号化されている" in body
    assert "## 4. Locked Paper\n\nこの論文は要約できませんでした: PDF が暗号化されている" in body


def test_the_partial_header_is_readable_by_the_extension(aws):
    ids = seed_three_done(aws)
    _, _, headers = post({"paper_ids": ids, "title": TITLE}, headers={"Origin": "chrome-extension://abc"})
    assert "x-ronbun-partial" in headers["access-control-expose-headers"].lower()


# ---------------------------------------------------------------------------- pending

def test_missing_papers_are_started_once_and_reported_per_paper(aws, arxiv):
    seed_done(aws.store, paper("2401.15884", title="Sparse Adapter Routing"))
    doc = pending(["2401.15884", "2402.00002", "2403.00003"])
    assert (doc["status"], doc["total"], doc["done"], doc["failed"]) == ("pending", 3, 1, 0)
    assert [(p["paper_id"], p["status"]) for p in doc["papers"]] == [
        ("2401.15884", "done"), ("2402.00002", "queued"), ("2403.00003", "queued")]
    assert doc["papers"][1]["title"] == "Unseen Paper" and doc["papers"][1]["version"] == 1
    assert sorted(json.loads(m["Body"])["paper_id"] for m in aws.messages()) == ["2402.00002", "2403.00003"]


def test_asking_again_starts_nothing_new(aws, arxiv):
    pending(["2402.00002", "2403.00003"])
    again = pending(["2402.00002", "2403.00003"])
    assert [p["status"] for p in again["papers"]] == ["queued", "queued"]
    assert len(aws.messages()) == 2 and len(aws.job_items()) == 2
    assert len(arxiv.requests) == 2                     # the second time the metadata came from the table


def test_a_running_paper_shows_its_stage(aws):
    now = time.time()
    aws.store.put_meta(paper(), now)
    aws.store.create_job(key(), "offline", now)
    aws.store.claim_job(key(), "w", now + 300, now)
    aws.store.set_stage(key(), "w", "generating", now)
    doc = pending(["2401.15884"])
    assert (doc["papers"][0]["status"], doc["papers"][0]["stage"]) == ("running", "generating")


def test_a_failed_paper_is_reported_and_not_restarted(aws, arxiv):
    seed_failed(aws.store, paper("2404.00004", title="Locked Paper"), PdfEncrypted())
    doc = pending(["2404.00004", "2402.00002"])
    failed = doc["papers"][0]
    assert (failed["status"], failed["restarted"], failed["error"]["code"]) == ("failed", False, "pdf_encrypted")
    assert "再実行しません" in failed["message_ja"]
    assert aws.store.get_job(key("2404.00004")).status == "failed"
    assert [json.loads(m["Body"])["paper_id"] for m in aws.messages()] == ["2402.00002"]


def test_a_paper_the_queue_refused_is_queued_again_by_a_digest(aws):
    seed_failed(aws.store, paper(), QueueUnavailable("SQS SendMessage failed"))
    doc = pending(["2401.15884"])
    assert doc["papers"][0]["status"] == "queued"
    assert len(aws.messages()) == 1


def test_a_paper_arxiv_does_not_know_is_a_failed_entry(aws, arxiv):
    ids = seed_three_done(aws)
    status, body, headers = digest(ids + ["2409.99999"])
    assert (status, headers["x-ronbun-partial"]) == (200, "true")
    assert "4. 2409.99999(発行日:不明)\n   要約できませんでした: arXiv にこの ID の論文が見つかりません" in body
    assert aws.messages() == []


def test_the_daily_cap_leaves_papers_not_started_with_the_reason(aws, arxiv, monkeypatch):
    monkeypatch.setenv("RONBUN_DAILY_CAP", "1")
    service.get_settings.cache_clear()
    doc = pending(["2402.00002", "2403.00003"])
    assert [p["status"] for p in doc["papers"]] == ["queued", "not_started"]
    assert doc["papers"][1]["error"]["code"] == "daily_limit_reached"
    assert "上限" in doc["papers"][1]["message_ja"]
    assert len(aws.messages()) == 1


def test_arxiv_lookups_stop_after_the_time_budget_and_the_next_request_continues(aws, arxiv):
    request = digest_request({"paper_ids": ["2402.00002", "2403.00003"], "title": TITLE})
    ticks = iter([0.0, 0.0, 99.0, 99.0])                 # the budget is spent after the first lookup
    first = service.digest(request, clock=lambda: next(ticks), start_seconds=5)
    assert [i.status for i in first.items] == ["queued", "not_started"]
    assert "もう一度リクエスト" in first.pending_body()["papers"][1]["message_ja"]
    second = service.digest(request, start_seconds=5)
    assert [i.status for i in second.items] == ["queued", "queued"]
    assert len(aws.messages()) == 2


def test_a_store_outage_fails_the_whole_request(aws, monkeypatch):
    monkeypatch.setenv("RONBUN_TABLE", "no-such-table")
    service.get_settings.cache_clear()
    status, body, _ = digest(["2401.15884"])
    assert (status, json.loads(body)["error"]["code"]) == (503, "storage_unavailable")


# ---------------------------------------------------------------------------- validation

@pytest.mark.parametrize("ids, says", [
    (["2401.15884", "../../etc/passwd", "2402.00002"], "2 件目"),
    ([f"2401.{i:05d}" for i in range(1, 52)], "最大 50 件"),
    ([f"2401.{i:05d}" for i in range(1, 1001)], "最大 50 件"),
])
def test_bad_id_lists_are_400_before_any_io(aws, fake_arxiv, ids, says):
    started = time.perf_counter()
    status, body, headers = digest(ids)
    error = json.loads(body)["error"]
    assert status == 400 and headers["content-type"] == "application/json"
    assert says in error["message_ja"]
    assert fake_arxiv.requests == [] and aws.items() == []
    assert time.perf_counter() - started < 1.0


def test_a_body_over_16_kb_is_400_json(aws):
    status, body, _ = digest(["2401.15884"], intro="あ" * 6000)       # 18 KB of UTF-8
    assert (status, json.loads(body)["error"]["code"]) == (400, "invalid_request")
    assert "大きすぎます" in json.loads(body)["error"]["message_ja"]


def test_a_digest_needs_a_json_content_type(aws):
    status, body, _ = post({"paper_ids": ["2401.15884"], "title": TITLE}, headers={"Content-Type": "text/plain"})
    assert (status, json.loads(body)["error"]["code"]) == (400, "invalid_request")


def test_job_keys_are_the_ones_post_summaries_uses(aws, arxiv):
    pending(["2402.00002"])
    item = aws.job_items()[0]
    assert item["SK"]["S"] == JobKey("2402.00002", 1, "ja", key().prompt_version, "offline-extractive-1").sk
