"""The API function, fed the real API Gateway event shapes, against in-process moto."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from functions.api import app as api
from ronbun import clients, service
from ronbun.errors import PdfEncrypted
from ronbun.store import utc_day
from tests.unit.moto_stack import (Context, aws, get_event, key, paper, post_event,  # noqa: F401 - fixture
                                   seed_done, seed_failed)
from tests.events import load_event

REPO = Path(__file__).resolve().parents[2]


def call(event: dict) -> tuple[int, dict, dict]:
    response = api.handler(event, Context())
    headers = {k.lower(): v for k, v in (response.get("multiValueHeaders") or {}).items()}
    return response["statusCode"], json.loads(response["body"]) if response["body"] else {}, headers


@pytest.fixture
def arxiv(fake_arxiv):
    fake_arxiv.add_paper("2401.15884", title="Sparse Adapter Routing", authors=["Hana Sato", "Mei Lin"],
                         abstract="We route sparse adapters.", versions=2, updated="2024-02-16")
    fake_arxiv.add_paper("hep-th/9901001", title="Strings on the Lattice", published="1999-01-04")
    return fake_arxiv


# ---------------------------------------------------------------------------- new work

def test_a_pasted_id_finds_the_same_job(aws, arxiv):
    # Given a reader who typed the id with a Japanese IME, and another who pasted the abs URL
    first = call(post_event({"paper_id": "２４０１．１５８８４"}))
    second = call(post_event({"paper_id": " https://arxiv.org/abs/2401.15884 "}))
    # Then both get the same paper, and there is one job and one message
    assert (first[0], first[1]["paper_id"], second[1]["paper_id"]) == (202, "2401.15884", "2401.15884")
    assert len(aws.messages()) == 1 and len(aws.job_items()) == 1


def test_a_new_paper_is_queued_once_with_its_metadata(aws, arxiv):
    # When the extension asks for a paper nobody asked for before
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    # Then it gets 202 with the arXiv metadata of the latest version at once
    assert status == 202
    assert (body["status"], body["version"], body["paper"]["title"]) == ("queued", 2, "Sparse Adapter Routing")
    assert body["paper"]["authors"] == ["Hana Sato", "Mei Lin"] and body["paper"]["abstract"]
    # And exactly one job and one queue message exist for it
    messages = aws.messages()
    assert len(messages) == 1 and len(aws.job_items()) == 1
    assert json.loads(messages[0]["Body"]) == {
        "paper_id": "2401.15884", "version": 2, "lang": "ja", "prompt_version": key().prompt_version,
        "model": "offline-extractive-1", "engine": "offline"}


def test_asking_again_while_queued_sends_no_second_message(aws, arxiv):
    call(post_event({"paper_id": "2401.15884"}))
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    assert (status, body["status"]) == (202, "queued")
    assert len(aws.messages()) == 1
    assert len(arxiv.requests) == 1          # the metadata came from the table the second time


def test_a_versioned_request_is_a_separate_job(aws, arxiv):
    call(post_event({"paper_id": "2401.15884"}))
    status, body, _ = call(post_event({"paper_id": "2401.15884v1"}))
    assert (status, body["version"], body["paper"]["version"]) == (202, 1, 1)
    assert sorted(json.loads(m["Body"])["version"] for m in aws.messages()) == [1, 2]


def test_a_version_newer_than_arxiv_has_is_404(aws, arxiv):
    status, body, _ = call(post_event({"paper_id": "2401.15884v7"}))
    assert (status, body["error"]["code"]) == (404, "paper_not_found")
    assert aws.messages() == []


def test_a_paper_arxiv_does_not_know_is_404_and_creates_nothing(aws, arxiv):
    status, body, _ = call(post_event({"paper_id": "2401.99999"}))
    assert (status, body["error"]["code"]) == (404, "paper_not_found")
    assert body["error"]["message_ja"]
    assert aws.job_items() == [] and aws.messages() == []


def test_a_failed_job_can_be_requested_again(aws, arxiv):
    # Given a job that failed
    seed_failed(aws.store, paper(version=2), PdfEncrypted())
    # When the reader asks again
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    # Then the job is queued again, without the old error, and one message is sent
    assert (status, body["status"], "error" in body) == (202, "queued", False)
    assert len(aws.messages()) == 1


def test_a_job_whose_worker_vanished_is_queued_again(aws, arxiv):
    # Given a job left running by a worker whose lease ended long ago
    now = time.time()
    aws.store.put_meta(paper(version=2), now)
    aws.store.create_job(key(version=2), "offline", now - 4000)
    aws.store.claim_job(key(version=2), "dead-worker", now - 3000, now - 4000)
    # When the reader asks again
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    # Then it is queued again with a message
    assert (status, body["status"]) == (202, "queued")
    assert len(aws.messages()) == 1


def test_a_running_job_reports_its_stage(aws):
    now = time.time()
    aws.store.put_meta(paper(), now)
    aws.store.create_job(key(), "offline", now)
    aws.store.claim_job(key(), "w", now + 300, now)
    aws.store.set_stage(key(), "w", "generating", now)
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    assert (status, body["status"], body["stage"]) == (202, "running", "generating")
    assert aws.messages() == []


def test_when_the_queue_is_unreachable_the_job_is_marked_failed_so_it_can_be_retried(aws, arxiv, monkeypatch):
    monkeypatch.setenv("RONBUN_QUEUE_URL", aws.queue_url + "-missing")
    service.get_settings.cache_clear()
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    assert (status, body["error"]["code"]) == (503, "queue_unavailable")
    assert aws.store.get_job(key(version=2)).status == "failed"


# ---------------------------------------------------------------------------- cache

def test_a_done_summary_is_answered_from_the_table_alone(aws):
    # Given a finished summary (arXiv is a dead port: any request would fail)
    doc = seed_done(aws.store, paper(), one_liner="ルーティングで効率化する論文です。")
    # When it is requested
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    # Then 200 with the stored result (its paper named for display), and nothing queued
    doc["paper"]["category_names"] = ["Computation and Language"]
    assert (status, body["status"], body["result"]) == (200, "done", doc)
    assert body["paper"]["title"] == "Sparse Adapter Routing"
    assert aws.messages() == []


def test_a_done_paper_carries_its_category_names_from_the_taxonomy(aws):
    # Given a finished summary of a paper in cs.CL, cs.LG and stat.ML
    p = paper().model_copy(update={"categories": ["cs.CL", "cs.LG", "stat.ML"]})
    seed_done(aws.store, p)
    # When it is read back
    status, body, _ = call(get_event("2401.15884"))
    # Then both paper documents name the categories in order, Machine Learning once
    names = ["Computation and Language", "Machine Learning"]
    assert (status, body["status"]) == (200, "done")
    assert body["paper"]["category_names"] == names
    assert body["result"]["paper"]["category_names"] == names
    assert body["paper"]["categories"] == ["cs.CL", "cs.LG", "stat.ML"]


def test_a_queued_paper_carries_its_category_names_and_keeps_unknown_codes(aws, fake_arxiv):
    # Given a paper arXiv lists under cs.CL, cs.LG, stat.ML and a code the taxonomy lacks
    fake_arxiv.add_paper("2402.00001", categories=["cs.CL", "cs.LG", "stat.ML", "xx.YY"])
    # When the extension asks for it
    status, body, _ = call(post_event({"paper_id": "2402.00001"}))
    # Then the 202 paper names the known categories and shows the unknown one as its code
    assert (status, body["status"]) == (202, "queued")
    assert body["paper"]["category_names"] == ["Computation and Language", "Machine Learning", "xx.YY"]


def test_a_summary_by_another_model_is_not_a_cache_hit(aws, arxiv):
    seed_done(aws.store, paper(version=2), model="some-other-model")
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    assert (status, body["status"]) == (202, "queued")


def test_stale_metadata_is_refreshed_and_a_new_version_gets_its_own_summary(aws, arxiv, monkeypatch):
    # Given v1 was summarised when v1 was the latest, and the metadata is now old
    seed_done(aws.store, paper(version=1))
    monkeypatch.setenv("RONBUN_METADATA_TTL_HOURS", "0")
    service.get_settings.cache_clear()
    # When the paper is requested without a version (arXiv now has v2)
    status, body, _ = call(post_event({"paper_id": "2401.15884"}))
    # Then v2 is queued
    assert (status, body["version"], body["status"]) == (202, 2, "queued")


# ---------------------------------------------------------------------------- GET

def test_get_reads_the_state_of_a_requested_paper(aws, arxiv):
    call(post_event({"paper_id": "2401.15884"}))
    status, body, _ = call(load_event("api_get_summary"))
    assert (status, body["paper_id"], body["version"], body["status"]) == (200, "2401.15884", 2, "queued")


def test_get_shows_a_job_whose_worker_vanished_as_failed_so_it_can_be_retried(aws):
    now = time.time()
    aws.store.put_meta(paper(), now)
    aws.store.create_job(key(), "offline", now - 4000)
    aws.store.claim_job(key(), "dead-worker", now - 3000, now - 4000)
    status, body, _ = call(get_event("2401.15884"))
    assert (status, body["status"], body["error"]["code"]) == (200, "failed", "job_failed")
    assert "stage" not in body


def test_get_of_a_paper_never_requested_is_404(aws):
    status, body, _ = call(get_event("2401.15884"))
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert body["error"]["message_ja"]


@pytest.mark.parametrize("path_id", ["hep-th/9901001", "hep-th%2F9901001", "math.GT/0309136"])
def test_get_of_an_old_style_id_with_a_slash(aws, path_id):
    p = paper("hep-th/9901001" if path_id.startswith("hep") else "math/0309136", title="Old")
    seed_done(aws.store, p)
    event = load_event("api_get_summary", path=f"/v1/summaries/{path_id}", pathParameters={"paper_id": path_id})
    status, body, _ = call(event)
    assert (status, body["paper_id"], body["status"]) == (200, p.id, "done")


def test_get_without_path_parameters_reads_the_id_from_the_path(aws):
    seed_done(aws.store, paper("hep-th/9901001"))
    status, body, _ = call(load_event("api_get_summary", path="/v1/summaries/hep-th/9901001", pathParameters=None))
    assert (status, body["paper_id"]) == (200, "hep-th/9901001")


def test_get_of_an_explicit_version(aws):
    seed_done(aws.store, paper(version=1))
    assert call(get_event("2401.15884v1"))[0] == 200
    assert call(get_event("2401.15884v2"))[0] == 404


# ---------------------------------------------------------------------------- validation

INVALID_IDS = ["2401.1588", "2413.15884", "1501.0001", "hep-th/99010011", "nonsense/9901001",
               "../../etc/passwd", "2401.15884v0", "https://evil.example/abs/2401.15884", "２４０１.１５８８", "2401.1588\u0664"]


@pytest.mark.parametrize("paper_id", INVALID_IDS)
def test_invalid_ids_are_400_before_any_io(aws, fake_arxiv, paper_id):
    status, body, _ = call(post_event({"paper_id": paper_id}))
    assert (status, body["error"]["code"]) == (400, "invalid_paper_id")
    assert "ID" in body["error"]["message_ja"]
    assert fake_arxiv.requests == [] and aws.items() == [] and aws.messages() == []


@pytest.mark.parametrize("path_id", ["2401.1588", "..%2F..%2Fetc", "hep-th/9901001/extra"])
def test_invalid_ids_in_the_path_are_400(aws, path_id):
    status, body, _ = call(get_event(path_id))
    assert (status, body["error"]["code"]) == (400, "invalid_paper_id")


@pytest.mark.parametrize("body, headers", [
    ('{"paper_id": "2401.15884"', {}),                                          # not JSON
    ('["2401.15884"]', {}),                                                      # not an object
    ('{"paper": "2401.15884"}', {}),                                             # wrong field
    ('{"paper_id": 2401.15884}', {}),                                            # not a string
    ('{"paper_id": "2401.15884", "lang": "en"}', {}),                            # unsupported language
    ('{"paper_id": "2401.15884", "extra": 1}', {}),                              # unknown field
    ('{"paper_id": "2401.15884"}', {"Content-Type": "text/plain"}),              # wrong content type
    ('{"paper_id": "2401.15884"}', {"Content-Type": None}),                      # no content type
    ("", {}),                                                                    # empty
    ('{"paper_id": "2401.15884", "pad": "' + "x" * 17000 + '"}', {}),            # over 16 KB
])
def test_malformed_bodies_are_400_with_a_japanese_message(aws, fake_arxiv, body, headers):
    status, out, _ = call(post_event(body, headers=headers))
    assert (status, out["error"]["code"]) == (400, "invalid_request")
    assert out["error"]["message_ja"] and out["error"]["message"]
    assert fake_arxiv.requests == [] and aws.items() == []


def test_a_base64_encoded_body_is_decoded(aws, arxiv):
    raw = base64.b64encode(b'{"paper_id": "2401.15884"}').decode()
    status, _, _ = call(post_event(raw, isBase64Encoded=True))
    assert status == 202


def test_unknown_routes_are_404_json(aws):
    status, body, _ = call(load_event("api_health", path="/v1/nothing", resource="/v1/nothing"))
    assert (status, body["error"]["code"]) == (404, "route_not_found")


def test_an_unexpected_error_is_500_without_details(aws, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("secret internal detail")
    monkeypatch.setattr(service, "start_summary", boom)
    response = api.handler(post_event({"paper_id": "2401.15884"}), Context())
    assert response["statusCode"] == 500
    assert json.loads(response["body"])["error"]["code"] == "internal_error"
    assert "secret internal detail" not in response["body"] and "Traceback" not in response["body"]


# ---------------------------------------------------------------------------- budget

def test_the_daily_cap_refuses_new_work_but_not_cached_answers(aws, arxiv, monkeypatch):
    # Given a cap of one and one paper already done
    monkeypatch.setenv("RONBUN_DAILY_CAP", "1")
    service.get_settings.cache_clear()
    seed_done(aws.store, paper("hep-th/9901001", title="Strings on the Lattice"))
    # When two new papers are requested
    first = call(post_event({"paper_id": "2401.15884"}))
    arxiv.add_paper("2402.00001", title="Another paper")
    second = call(post_event({"paper_id": "2402.00001"}))
    # Then the first is queued, the second refused with 429, and the done one still answers
    assert first[0] == 202
    assert (second[0], second[1]["error"]["code"]) == (429, "daily_limit_reached")
    assert "上限" in second[1]["error"]["message_ja"]
    assert call(post_event({"paper_id": "hep-th/9901001"}))[0] == 200
    assert len(aws.messages()) == 1 and aws.store.budget_used(utc_day(time.time())) == 1


def test_a_cap_of_zero_refuses_all_new_work(aws, arxiv, monkeypatch):
    monkeypatch.setenv("RONBUN_DAILY_CAP", "0")
    service.get_settings.cache_clear()
    assert call(post_event({"paper_id": "2401.15884"}))[0] == 429
    assert aws.job_items() == []


# ---------------------------------------------------------------------------- misc

def test_health_names_the_engine_without_touching_aws():
    status, body, _ = call(load_event("api_health"))
    assert (status, body["status"], body["engine"]) == (200, "ok", "offline")


def test_a_configured_secret_selects_the_openai_engine_for_the_cache_key(monkeypatch):
    monkeypatch.setenv("RONBUN_OPENAI_SECRET", "arn:aws:secretsmanager:us-east-1:1:secret:k")
    monkeypatch.setenv("RONBUN_MODEL", "gpt-4.1-mini")
    service.get_settings.cache_clear()
    assert service.current_generator(service.get_settings()) == ("openai", "gpt-4.1-mini")


def test_responses_carry_cors_headers_for_the_extension(aws):
    event = load_event("api_health", headers={"Origin": "chrome-extension://abcdef"})
    _, _, headers = call(event)
    assert headers["access-control-allow-origin"] == ["*"]
    assert "x-api-key" in headers["access-control-allow-headers"][0].lower()


def test_the_api_never_imports_the_pipeline_or_heavy_sdks():
    import subprocess
    import sys
    code = ("import sys, functions.api.app; bad = [m for m in ('openai', 'pypdf', 'ronbun.pipeline', "
            "'ronbun.llm', 'aws_xray_sdk') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_an_unreachable_table_is_503_with_a_japanese_message(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RONBUN_TABLE", "ronbun")
    service.get_settings.cache_clear()
    clients.reset()
    try:
        status, body, _ = call(get_event("2401.15884"))
    finally:
        clients.reset()
    assert (status, body["error"]["code"]) == (503, "storage_unavailable")
    assert body["error"]["message_ja"]


# ---------------------------------------------------------------------------- review fixes

def test_a_versioned_cache_hit_never_waits_for_arxiv_even_with_old_metadata(aws, arxiv):
    # Given a done summary of v1 whose metadata was read from arXiv two days ago
    seed_done(aws.store, paper())
    aws.store.put_meta(paper(), time.time() - 48 * 3600)
    # When the extension opens /pdf/2401.15884v1
    status, body, _ = call(post_event({"paper_id": "2401.15884v1"}))
    # Then the cached result answers at once, and arXiv was not asked
    assert (status, body["status"]) == (200, "done")
    assert arxiv.requests == []


def test_arxiv_down_while_asking_for_an_unknown_newer_version_is_503_not_404(aws, arxiv):
    # Given metadata that knows v1 only, and arXiv failing
    aws.store.put_meta(paper(), time.time())
    arxiv.fail("/api/query", statuses=[503] * 10, retry_after=0)
    # When v3 is asked for
    status, body, _ = call(post_event({"paper_id": "2401.15884v3"}))
    # Then the reader is told arXiv is unavailable, not that v3 does not exist
    assert status == 503 and body["error"]["code"] == "arxiv_unavailable"

