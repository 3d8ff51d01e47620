"""Retries with back-off through the real local stack: a transient failure brings the job's
message back after the back-off (SQS ChangeMessageVisibility on the moto server), not after the
queue's visibility timeout, and meanwhile the state says when and why."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tests.fakes.fake_arxiv import _NOT_A_PDF, FakeArxiv
from tests.integration.test_local_stack import stack_env
from tests.localstack import LocalStack

VISIBILITY = 60         # the queue's visibility timeout: what a retry waited for before
BACKOFF = 3             # the back-off after the first delivery


@pytest.fixture(scope="module")
def arxiv():
    fake = FakeArxiv().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(arxiv):
    s = LocalStack(stack_env(arxiv, RONBUN_LOCAL_VISIBILITY_TIMEOUT=str(VISIBILITY),
                             RONBUN_RETRY_BACKOFF_SECONDS=f"{BACKOFF},{BACKOFF}", RONBUN_ARXIV_RETRIES="0"))
    yield s
    s.stop()


def wait_for_retry_notice(stack: LocalStack, paper_id: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, state = stack.request("GET", f"/v1/summaries/{paper_id}")
        if status == 200 and state.get("retry_at"):
            return state
        assert state.get("status") not in ("done", "failed"), state
        time.sleep(0.1)
    raise AssertionError(f"no retry was announced:\n{stack.output()}")


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("fault, code, reason_ja", [
    ("503", "arxiv_unavailable", "arXiv が混み合っています。"),
    ("being-generated", "pdf_not_ready", "arXiv で PDF を生成中です。"),
], ids=["arxiv-503", "pdf-being-generated"])
def test_one_transient_failure_is_retried_after_the_back_off_and_announced(stack, arxiv, fault, code, reason_ja):
    # Given arXiv failing a paper's PDF once (a 503, or its "PDF is being generated" page)
    paper_id = "2406.00001" if fault == "503" else "2406.00002"
    arxiv.add_paper(paper_id, title=f"Backoff paper {fault}")
    if fault == "503":
        arxiv.fail(f"/pdf/{paper_id}", [503])
    else:
        arxiv.respond(f"/pdf/{paper_id}", _NOT_A_PDF, content_type="text/html; charset=utf-8")
    # When a reader asks for it
    status, _ = stack.post(paper_id)
    assert status == 202
    # Then while it waits, the state says when the next try is and why, in Japanese
    state = wait_for_retry_notice(stack, paper_id)
    assert state["status"] == "queued"
    assert state["retry_reason"]["code"] == code and state["retry_reason"]["message_ja"] == reason_ja
    assert 0 < epoch(state["retry_at"]) - time.time() <= BACKOFF + 1
    # And the job is retried after the back-off, long before the visibility timeout, and done
    final = stack.wait_terminal(paper_id, timeout=VISIBILITY - 15)
    assert final["status"] == "done", final
    assert "retry_at" not in final
    first, second = [s.at for s in arxiv.log if s.path.startswith(f"/pdf/{paper_id}")]
    assert second - first >= BACKOFF - 0.5
