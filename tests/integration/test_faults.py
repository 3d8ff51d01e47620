"""Faults through the real local stack over HTTP: every requested paper ends `done`, or
`failed` with a code and a Japanese message; nothing is left queued or running, nothing lost.

One stack serves the whole table. Every case is its own paper (faults are keyed by its PDF
path on the fake arXiv and by its title on the fake OpenAI), all cases are requested at once
and run side by side; the assertions then read what each one became. The stack's visibility
timeout is above the longest single delivery (as in AWS: 1800 s for a 300 s worker) so that a
redelivery means "this attempt failed"; a failed attempt comes back after the back-off
(RONBUN_RETRY_BACKOFF_SECONDS, 1 s here), so three deliveries fit in seconds. DynamoDB throttling is injected in-process (a botocore hook on the real client).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import pytest

from ronbun.store import Conflict, JobKey, Store
from tests.fakes.fake_arxiv import FakeArxiv
from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI
from tests.fakes.pdfs import (make_encrypted_pdf, make_garbage_font_pdf, make_many_pages_pdf, make_paper_pdf,
                              make_textless_pdf)
from tests.integration.test_local_stack import stack_env
from tests.localstack import LocalStack
from tests.unit.moto_stack import aws  # noqa: F401 - fixture (in-process moto with the template's table)

pytestmark = pytest.mark.faults

VISIBILITY = 10         # > the longest delivery below (the extraction child, two 1.5 s model timeouts, the SDK's back-off)
MAX_ATTEMPTS = 3        # the template's maxReceiveCount
WORKERS = 6
POISON = '{"paper_id": "2410.99999", "version": "one", "engine": "openai"}'   # no worker can read it
# Phrases of the fake's ungrounded answer (tests/fakes/fake_openai.ungrounded_output): never shown
UNGROUNDED = ("画期的な手法", "学習時間は 123 時間", "明記されていません", "12.5 ポイント", "never written in the paper")


class RoutedOpenAI(FakeOpenAI):
    """The fake OpenAI server with faults queued per paper: a call takes the next fault routed
    to the first marker (the paper's title) found in its messages, else answers normally."""

    def __init__(self):
        super().__init__()
        self._routes: dict[str, deque] = {}

    def route(self, marker: str, kind: str, *, times: int = 1, **kw) -> None:
        self.enqueue(kind, times=0)                     # validates the kind
        with self._lock:
            self._routes.setdefault(marker, deque()).extend([(kind, kw)] * times)

    def _next(self, body: dict, headers: dict[str, str]) -> tuple[str, dict, int]:
        text = json.dumps(body.get("messages", []), ensure_ascii=False)
        with self._lock:
            self.calls.append(body)
            self.headers.append(headers)
            self._seq += 1
            for marker, queued in self._routes.items():
                if marker in text:
                    kind, kw = queued.popleft() if queued else ("ok", {})
                    return kind, kw, self._seq
            return "ok", {}, self._seq

    def calls_for(self, marker: str) -> int:
        with self._lock:
            return sum(1 for body in self.calls if marker in json.dumps(body.get("messages", []), ensure_ascii=False))


# ---------------------------------------------------------------------------- the table

@dataclass
class Env:
    arxiv: FakeArxiv
    openai: RoutedOpenAI
    stack: LocalStack
    pdf: bytes


@dataclass
class Outcome:
    post_status: int
    post_body: dict
    state: dict | None = None
    pdf_requests: list = field(default_factory=list)
    model_calls: int = 0
    attempts: int | None = None


@dataclass(frozen=True)
class Case:
    name: str
    expect: str                                     # "done", or the failed job's error code
    arrange: Callable[[Env, "Case"], None] = lambda env, case: None
    start: Callable[[Env, "Case"], tuple[int, dict]] | None = None   # default: POST /v1/summaries
    pdf: Callable[[], bytes] | None = None          # default: a small generated paper
    pdf_requests: int | None = None
    model_calls: int | None = None
    attempts: int | None = None
    check: Callable[[Outcome], None] | None = None

    @property
    def title(self) -> str:
        return f"Fault case {self.name}"

    @property
    def paper_id(self) -> str:
        return f"2410.{CASES.index(self) + 1:05d}"

    def pdf_path(self) -> str:
        return f"/pdf/{self.paper_id}"


def _fail_pdf(*statuses: int, retry_after=None):
    return lambda env, c: env.arxiv.fail(c.pdf_path(), list(statuses), retry_after=retry_after)


def _model(kind: str, times: int = 1, **kw):
    return lambda env, c: env.openai.route(c.title, kind, times=times, **kw)


def _slow_once(env: Env, case: Case) -> None:
    """The PDF's first request outlasts the timeout; the delay is lifted once it has arrived."""
    env.arxiv.delay(case.pdf_path(), 1.5)

    def lift():
        deadline = time.monotonic() + 60
        while env.arxiv.count(case.pdf_path()) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        env.arxiv.delay(case.pdf_path(), 0)
    threading.Thread(target=lift, daemon=True).start()


def _retry_after_honoured(out: Outcome) -> None:
    first, second = out.pdf_requests[:2]
    assert second.at - first.at >= 0.95, "the retry came before arXiv's Retry-After of 1 s"


def _page_limit_warned(out: Outcome) -> None:
    warnings = out.state["result"]["quality"]["warnings"]
    assert any("300" in w and "150" in w for w in warnings), warnings


def _rate_limit_explained(out: Outcome) -> None:
    assert "レート制限" in out.state["error"]["message_ja"]


def _timeout_explained(out: Outcome) -> None:
    assert "時間内" in out.state["error"]["message_ja"]


def _repaired_not_shown(out: Outcome) -> None:
    assert out.state["result"]["quality"]["repaired"] >= 1
    assert out.state["result"]["qa"]
    _nothing_ungrounded(out)


def _nothing_ungrounded(out: Outcome) -> None:
    text = json.dumps(out.state, ensure_ascii=False)
    assert not [s for s in UNGROUNDED if s in text], text[:2000]


def _metadata_fails(env: Env, case: Case) -> None:
    env.arxiv.fail(f"/api/query?id_list={case.paper_id}", [503] * 10, retry_after=0)


def _metadata_refused(out: Outcome) -> None:
    assert out.post_status == 503, out.post_body
    assert out.post_body["error"]["code"] == "arxiv_unavailable" and out.post_body["error"]["message_ja"]


def _post_then_duplicate_message(env: Env, case: Case) -> tuple[int, dict]:
    """The API's one message, then an identical second one (SQS delivers at least once)."""
    env.arxiv.delay(case.pdf_path(), 0.8)           # the first worker is still busy when the copy arrives
    answer = env.stack.post(case.paper_id)
    body = answer[1]
    health = _health(env)
    message = {"paper_id": case.paper_id, "version": body["version"], "lang": "ja", "engine": health["engine"],
               "prompt_version": health["prompt_version"], "model": health["model"]}
    env.stack.aws("sqs").send_message(QueueUrl=env.stack.queue_url("ronbun-jobs"), MessageBody=json.dumps(message))
    return answer


def _dead_worker(env: Env, case: Case) -> tuple[int, dict]:
    """A worker took the job (lease 1.5 s) and died: the job's message comes back to a live one."""
    from ronbun.models import Paper

    paper = Paper(id=case.paper_id, version=1, latest_version=1, title=case.title, authors=["Hana Sato"],
                  abs_url=f"https://arxiv.org/abs/{case.paper_id}v1", pdf_url=f"https://arxiv.org/pdf/{case.paper_id}v1")
    health = _health(env)
    store = Store("ronbun", client=env.stack.aws("dynamodb"))
    key = JobKey(case.paper_id, 1, "ja", health["prompt_version"], health["model"])
    now = time.time()
    store.put_meta(paper, now)
    store.create_job(key, health["engine"], now)
    store.claim_job(key, "worker-that-died", now + 1.5, now)
    message = {"paper_id": key.paper_id, "version": 1, "lang": "ja", "prompt_version": key.prompt_version,
               "model": key.model, "engine": health["engine"]}
    env.stack.aws("sqs").send_message(QueueUrl=env.stack.queue_url("ronbun-jobs"), MessageBody=json.dumps(message))
    return 202, {}


def _health(env: Env) -> dict:
    """The stack's engine, model and prompt version (what a job message carries)."""
    status, health = env.stack.request("GET", "/v1/health")
    assert status == 200 and health["engine"] == "openai", health
    return health


CASES: list[Case] = [
    # arXiv, while the worker downloads the PDF (the client retries once, RONBUN_ARXIV_RETRIES=1)
    Case("pdf-503-retry-after-then-ok", "done", _fail_pdf(503, retry_after=1), pdf_requests=2,
         check=_retry_after_honoured),
    Case("pdf-429-retry-after-then-ok", "done", _fail_pdf(429, retry_after=1), pdf_requests=2,
         check=_retry_after_honoured),
    Case("pdf-503-persistent", "arxiv_unavailable", _fail_pdf(*[503] * 20, retry_after=0),
         pdf_requests=2 * MAX_ATTEMPTS),
    Case("pdf-timeout-then-ok", "done", _slow_once, pdf_requests=2),
    Case("pdf-timeout-persistent", "arxiv_unavailable", lambda env, c: env.arxiv.delay(c.pdf_path(), 1.5),
         pdf_requests=2 * MAX_ATTEMPTS),
    Case("pdf-connection-reset-then-ok", "done", lambda env, c: env.arxiv.reset_connection(c.pdf_path(), 1),
         pdf_requests=2),
    Case("pdf-connection-reset-persistent", "arxiv_unavailable",
         lambda env, c: env.arxiv.reset_connection(c.pdf_path(), 100), pdf_requests=2 * MAX_ATTEMPTS),
    # arXiv's "PDF is being generated" page: worth another try, then given up with its own reason
    Case("pdf-is-html", "pdf_not_ready", lambda env, c: env.arxiv.serve_html_instead_of_pdf(c.paper_id),
         pdf_requests=MAX_ATTEMPTS, model_calls=0),
    Case("pdf-truncated-once", "done", lambda env, c: env.arxiv.truncate_pdf(c.paper_id, times=1), pdf_requests=2),
    Case("pdf-truncated-always", "pdf_truncated", lambda env, c: env.arxiv.truncate_pdf(c.paper_id),
         pdf_requests=2, model_calls=0),
    Case("pdf-encrypted", "pdf_encrypted", pdf=make_encrypted_pdf, pdf_requests=1, model_calls=0),
    Case("pdf-owner-password-only", "done", pdf=lambda: make_encrypted_pdf(user_password="")),
    Case("pdf-textless", "pdf_no_text", pdf=make_textless_pdf, model_calls=0),
    Case("pdf-font-without-unicode-map", "pdf_no_text", pdf=make_garbage_font_pdf, model_calls=0),
    # 300 pages: the reader gets a summary of the first 150 pages, and is told so
    Case("pdf-300-pages", "done", pdf=lambda: make_many_pages_pdf(300), check=_page_limit_warned),
    # arXiv, while the API reads the metadata (before any job exists)
    Case("metadata-503-then-ok", "done",
         lambda env, c: env.arxiv.fail(f"/api/query?id_list={c.paper_id}", [503], retry_after=0)),
    Case("metadata-503-persistent", "no_job", _metadata_fails, check=_metadata_refused),
    # the model (SDK retries once: RONBUN_OPENAI_MAX_RETRIES=1)
    Case("openai-429-then-ok", "done", _model("rate_limit", retry_after_ms=20), model_calls=2, attempts=1),
    Case("openai-429-persistent", "model_error", _model("rate_limit", 20, retry_after_ms=20),
         model_calls=2 * MAX_ATTEMPTS, check=_rate_limit_explained),
    Case("openai-500-then-ok", "done", _model("server_error"), model_calls=2, attempts=1),
    Case("openai-500-persistent", "model_error", _model("server_error", 20), model_calls=2 * MAX_ATTEMPTS),
    Case("openai-timeout-then-ok", "done", _model("slow", seconds=3), model_calls=2, attempts=1),
    Case("openai-timeout-persistent", "model_error", _model("slow", 20, seconds=3), model_calls=2 * MAX_ATTEMPTS,
         check=_timeout_explained),
    Case("openai-refusal", "model_refused", _model("refusal"), model_calls=1),
    Case("openai-length-then-ok", "done", _model("length"), model_calls=2, attempts=1),
    Case("openai-length-persistent", "model_output_invalid", _model("length", 20), model_calls=2 * MAX_ATTEMPTS),
    Case("openai-invalid-json-then-ok", "done", _model("invalid_json"), model_calls=2, attempts=2),
    Case("openai-invalid-json-persistent", "model_output_invalid", _model("invalid_json", 20),
         model_calls=MAX_ATTEMPTS),
    Case("openai-wrong-schema-then-ok", "done", _model("wrong_schema"), model_calls=2, attempts=2),
    Case("openai-ungrounded-repaired", "done", _model("ungrounded"), model_calls=2, check=_repaired_not_shown),
    Case("openai-ungrounded-twice", "quality_rejected", _model("ungrounded", 2), model_calls=2,
         check=_nothing_ungrounded),
    Case("openai-key-rejected", "engine_not_configured", _model("auth_error"), model_calls=1),
    # workers and DynamoDB
    Case("duplicate-message-two-workers", "done", start=_post_then_duplicate_message, pdf_requests=1,
         model_calls=1, attempts=1),
    Case("worker-died-holding-the-lease", "done", start=_dead_worker, pdf_requests=1, model_calls=1, attempts=2),
]


# ---------------------------------------------------------------------------- running it

@pytest.fixture(scope="module")
def env():
    arxiv = FakeArxiv().start()
    openai = RoutedOpenAI().start()
    stack = LocalStack(stack_env(
        arxiv, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=openai.url, RONBUN_LOCAL_VISIBILITY_TIMEOUT=str(VISIBILITY),
        RONBUN_ARXIV_RETRIES="1", RONBUN_ARXIV_TIMEOUT="1", RONBUN_PDF_MAX_SECONDS="4",
        RONBUN_ARXIV_MAX_RETRY_AFTER="2", RONBUN_OPENAI_TIMEOUT="1.5", RONBUN_OPENAI_MAX_RETRIES="1",
        RONBUN_RETRY_BACKOFF_SECONDS="1", RONBUN_ABSTRACT_FIRST="0"),   # faults are routed to the summary calls
        workers=WORKERS)
    yield Env(arxiv, openai, stack, make_paper_pdf())
    stack.stop()
    arxiv.stop()
    openai.stop()


def _final_state(stack: LocalStack, paper_id: str, deadline: float) -> dict:
    body: dict = {}
    while time.monotonic() < deadline:
        status, body = stack.request("GET", f"/v1/summaries/{paper_id}")
        if status == 200 and body["status"] in ("done", "failed"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{paper_id} is still {body.get('status')!r} after the deadline:\n{stack.output()}")


@pytest.fixture(scope="module")
def outcomes(env) -> dict[str, Outcome]:
    """Every case requested at once; {case name: what became of it}."""
    titles = [c.title for c in CASES]
    assert not [(a, b) for a in titles for b in titles if a != b and a in b], "a title must not contain another"
    for case in CASES:
        env.arxiv.add_paper(case.paper_id, title=case.title, pdf=case.pdf() if case.pdf else env.pdf)
        case.arrange(env, case)

    def start(case: Case) -> tuple[int, dict]:
        return case.start(env, case) if case.start else env.stack.post(case.paper_id)

    env.stack.aws("sqs").send_message(QueueUrl=env.stack.queue_url("ronbun-jobs"), MessageBody=POISON)

    with ThreadPoolExecutor(8) as pool:
        started = dict(zip([c.name for c in CASES], pool.map(start, CASES)))
    deadline = time.monotonic() + 75
    with ThreadPoolExecutor(8) as pool:
        finals = dict(zip([c.name for c in CASES], pool.map(
            lambda c: _final_state(env.stack, c.paper_id, deadline) if started[c.name][0] == 202 else None, CASES)))
    jobs = {i["paper_id"]["S"]: int(i["attempts"]["N"]) for i in env.stack.job_items()}
    return {c.name: Outcome(*started[c.name], state=finals[c.name],
                            pdf_requests=[s for s in env.arxiv.log if s.path.startswith(c.pdf_path())],
                            model_calls=env.openai.calls_for(c.title), attempts=jobs.get(c.paper_id))
            for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_requested_paper_ends_done_or_failed_with_a_reason(case, outcomes, env):
    # Given the fault of this case  When the paper was requested  Then it ended as expected
    out = outcomes[case.name]
    if case.expect == "no_job":
        assert out.state is None and out.attempts is None
        assert env.stack.request("GET", f"/v1/summaries/{case.paper_id}")[0] == 404
    elif case.expect == "done":
        assert out.state["status"] == "done", out.state.get("error")
        assert out.state["result"]["summary"] and out.state["result"]["quality"]["checked"]
    else:
        assert out.state["status"] == "failed", out.state
        error = out.state["error"]
        assert error["code"] == case.expect, error
        assert error["message"] and error["message_ja"]
        assert any("\u3040" <= ch <= "\u30ff" for ch in error["message_ja"]), error["message_ja"]
    # And arXiv and the model were asked exactly as often as the retry policy says
    if case.pdf_requests is not None:
        assert len(out.pdf_requests) == case.pdf_requests, [s.path for s in out.pdf_requests]
    if case.model_calls is not None:
        assert out.model_calls == case.model_calls
    if case.attempts is not None:
        assert out.attempts == case.attempts
    if case.check:
        case.check(out)


def test_nothing_is_left_queued_or_running_and_no_message_is_lost(outcomes, env):
    # Given every case above has ended, and one unreadable message sent among them
    # Then every requested paper has a finished job, and no job is pending
    jobs = {i["paper_id"]["S"]: i["status"]["S"] for i in env.stack.job_items()}
    assert set(jobs) == {c.paper_id for c in CASES if c.expect != "no_job"}
    assert set(jobs.values()) <= {"done", "failed"}, jobs
    # And every message was consumed, except the unreadable one, which waits in the dead-letter queue
    sqs = env.stack.aws("sqs")
    queue, dlq = env.stack.queue_url("ronbun-jobs"), env.stack.queue_url("ronbun-jobs-dlq")
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.monotonic() + 20
    while True:
        left = {q: sum(int(v) for v in sqs.get_queue_attributes(QueueUrl=q, AttributeNames=names)["Attributes"].values())
                for q in (queue, dlq)}
        if left == {queue: 0, dlq: 1} or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert left == {queue: 0, dlq: 1}, left
    [dead] = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, AttributeNames=["All"])["Messages"]
    assert dead["Body"] == POISON and int(dead["Attributes"]["ApproximateReceiveCount"]) >= MAX_ATTEMPTS


def test_concurrent_claims_of_one_job_have_exactly_one_winner(env):
    # Given a queued job in the stack's table (no message: only this test touches it)
    store = Store("ronbun", client=env.stack.aws("dynamodb"))
    health = _health(env)
    key = JobKey("2411.00001", 1, "ja", health["prompt_version"], health["model"])
    store.create_job(key, "openai", time.time())
    barrier = threading.Barrier(12)

    def claim(owner: str) -> str | None:
        barrier.wait()
        try:
            store.claim_job(key, owner, time.time() + 60, time.time())
            return owner
        except Conflict:
            return None
    # When twelve workers claim it at the same moment
    with ThreadPoolExecutor(12) as pool:
        winners = [w for w in pool.map(claim, [f"worker-{i}" for i in range(12)]) if w]
    # Then exactly one owns it, and it was claimed once
    job = store.get_job(key)
    assert len(winners) == 1
    assert (job.status, job.lease_owner, job.attempts) == ("running", winners[0], 1)


# ---------------------------------------------------------------------------- DynamoDB throttling (in-process)

class Throttle:
    """DynamoDB answering chosen operations with HTTP 400 ProvisionedThroughputExceededException.

    Injected where botocore sends the request (`before-send`), so botocore's own retries
    (standard mode) run as they would in AWS, and the throttled request never reaches the
    moto server. (In-process `mock_aws` would still apply it: moto's stub runs beside this hook.)
    `times` None: every request."""

    BODY = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                       "message": "The level of configured provisioned throughput for the table was exceeded."}).encode()

    def __init__(self, client, operations: tuple[str, ...], times: int | None = None):
        self.client, self.left, self.sent = client, times, 0
        self.events = [f"before-send.dynamodb.{op}" for op in operations]
        for event in self.events:
            client.meta.events.register_first(event, self)

    def __call__(self, request, **kwargs):
        from botocore.awsrequest import AWSResponse

        if self.left is not None:
            if self.left <= 0:
                return None
            self.left -= 1
        self.sent += 1
        return AWSResponse(request.url, 400, {"x-amzn-RequestId": f"throttled-{self.sent}",
                                              "Content-Type": "application/x-amz-json-1.0"}, _Body(self.BODY))

    def stop(self) -> None:
        for event in self.events:
            self.client.meta.events.unregister(event, self)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


@pytest.fixture(scope="module")
def moto_server():
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def served(moto_server, monkeypatch):
    """A fresh table and queues on a moto server over HTTP, the handlers' clients pointed at it."""
    import urllib.request

    from infra.tables import create_resources
    from ronbun import clients
    from ronbun.settings import get_settings
    from tests.unit.moto_stack import TABLE, Aws

    urllib.request.urlopen(urllib.request.Request(moto_server + "/moto-api/reset", method="POST"), timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    clients.reset()
    res = create_resources(clients.dynamodb(), clients.sqs(), table=TABLE)
    monkeypatch.setenv("RONBUN_TABLE", TABLE)
    monkeypatch.setenv("RONBUN_QUEUE_URL", res.queue_url)
    get_settings.cache_clear()
    yield Aws(res.queue_url, res.dlq_url)
    clients.reset()
    get_settings.cache_clear()


@pytest.fixture
def dynamodb(served, monkeypatch):
    """The process's DynamoDB client: the one the handlers use. botocore's retry decisions are
    its own; only its back-off sleeps are cut to 10 ms to keep the suite quick."""
    from botocore.retries import standard

    from ronbun import clients

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    return clients.dynamodb()


@pytest.fixture
def arxiv_paper(fake_arxiv, monkeypatch):
    from ronbun.settings import get_settings

    monkeypatch.setenv("RONBUN_ARXIV_RETRIES", "0")
    get_settings.cache_clear()
    fake_arxiv.add_paper("2401.15884", title="Sparse Adapter Routing")
    return fake_arxiv


def _api(event: dict) -> tuple[int, dict]:
    from functions.api import app as api
    from tests.unit.moto_stack import Context

    response = api.handler(event, Context())
    return response["statusCode"], json.loads(response["body"])


def _worker(body: str, receive_count: int) -> list[str]:
    from functions.worker import app as worker
    from tests.unit.moto_stack import Context, sqs_event

    out = worker.handler(sqs_event(body, receive_count), Context())
    return [f["itemIdentifier"] for f in out["batchItemFailures"]]


def test_a_throttled_read_is_a_503_json_with_a_japanese_message(served, dynamodb):
    # Given a finished summary, and DynamoDB throttling every read of it
    from tests.unit.moto_stack import get_event, paper, seed_done

    seed_done(served.store, paper())
    throttle = Throttle(dynamodb, ("Query",))
    # When the extension reads it
    status, body = _api(get_event("2401.15884"))
    # Then botocore tried as often as configured, and the API answers 503 with a Japanese message
    assert throttle.sent == dynamodb.meta.config.retries["total_max_attempts"] > 1
    assert (status, body["error"]["code"]) == (503, "storage_unavailable")
    assert "しばらくしてから" in body["error"]["message_ja"]


def test_brief_throttling_is_absorbed_by_the_sdk_retries(served, dynamodb):
    from tests.unit.moto_stack import get_event, paper, seed_done

    seed_done(served.store, paper())
    throttle = Throttle(dynamodb, ("Query",), times=2)
    status, body = _api(get_event("2401.15884"))
    assert throttle.sent == 2
    assert (status, body["status"]) == (200, "done")


def test_a_throttled_job_creation_is_a_503_and_leaves_no_job_or_message(served, dynamodb, arxiv_paper):
    from tests.unit.moto_stack import post_event

    Throttle(dynamodb, ("TransactWriteItems",))
    status, body = _api(post_event({"paper_id": "2401.15884"}))
    assert (status, body["error"]["code"]) == (503, "storage_unavailable") and body["error"]["message_ja"]
    assert served.job_items() == [] and served.messages() == []


def test_the_worker_returns_a_throttled_message_and_finishes_it_on_redelivery(served, dynamodb, arxiv_paper):
    # Given a queued job, and DynamoDB throttling every write while its message is first handled
    from ronbun import service
    from ronbun.ids import parse_id

    service.start_summary(parse_id("2401.15884"))
    [message] = served.messages()
    throttle = Throttle(dynamodb, ("UpdateItem",))
    # When the worker handles it  Then the message comes back, the job still waits, nothing was fetched
    assert _worker(message["Body"], receive_count=1) == ["m-1"]
    [item] = served.job_items()
    assert (item["status"]["S"], item["attempts"]["N"]) == ("queued", "0")
    assert arxiv_paper.count("/pdf/") == 0
    # And when the throttling has passed, the redelivered message finishes the job
    throttle.stop()
    assert _worker(message["Body"], receive_count=2) == []
    [item] = served.job_items()
    assert item["status"]["S"] == "done"
    assert arxiv_paper.count("/pdf/") == 1


def test_a_job_whose_message_was_dead_lettered_is_not_shown_as_queued_for_ever(aws):
    # Given a job queued long ago whose message is gone (its three deliveries failed before the
    # claim, e.g. DynamoDB throttling as above, and SQS moved it to the dead-letter queue)
    from ronbun import clients
    from tests.unit.moto_stack import get_event, job_body, key, paper

    now = time.time()
    aws.store.put_meta(paper(), now)
    aws.store.create_job(key(), "offline", now - 4000)   # older than RONBUN_QUEUED_STALE_SECONDS (3000)
    clients.sqs().send_message(QueueUrl=aws.dlq_url, MessageBody=job_body(key()))
    # When the reader's overlay polls it
    status, body = _api(get_event("2401.15884"))
    # Then it is told the job failed and may ask again (as for a running job whose worker
    # vanished), rather than "queued" for as long as it keeps polling
    assert status == 200
    assert body["status"] == "failed", body
    assert body["error"]["code"] == "job_failed" and body["error"]["message_ja"]
