"""Secrets never reach a log line or a response: the OpenAI key (from the environment or from
Secrets Manager), the API key the local stack requires, and a wrong key a user typed.

The fake OpenAI server here is careless on purpose: its error messages quote the caller's
Authorization header back (as some OpenAI-compatible proxies do), so that any code path that
logs or stores an upstream error message verbatim would leak the key. (The stack run covers
401 and 500; the 400 path, whose message the engine quotes, is pinned in-process below.) Output is captured
where an operator would read it: the local stack's stdout and stderr with Powertools at DEBUG
and OPENAI_LOG=debug, and in-process the Powertools logger's stream plus every logger at INFO.
"""

from __future__ import annotations

import io
import json
import logging
import secrets as random_secrets

import pytest

from tests.fakes.fake_arxiv import FakeArxiv
from tests.fakes.fake_openai import FakeOpenAI, _Handler
from tests.integration.test_local_stack import stack_env
from tests.localstack import LocalStack
from tests.unit.moto_stack import aws  # noqa: F401 - fixture

OPENAI_KEY = "sk-test-SECRET-" + random_secrets.token_hex(12)
API_KEY = "rk-SECRET-" + random_secrets.token_hex(12)
WRONG_KEY = "typo-SECRET-" + random_secrets.token_hex(12)
SECRETS = (OPENAI_KEY, API_KEY, WRONG_KEY)


def leaked(text: str) -> list[str]:
    """The secrets (or their distinctive halves) found in `text`."""
    found = []
    for secret in SECRETS:
        tail = secret.split("SECRET-", 1)[1]
        if secret in text or tail in text:
            found.append(secret)
    return found


class _EchoingHandler(_Handler):
    """Errors quote the Authorization header back; a queued "bad_request" answers 400."""

    def _error(self, status: int, message: str, kind: str, extra=None) -> None:
        super()._error(status, f"{message}; you sent {self.headers.get('Authorization', '')}", kind, extra)

    def do_POST(self) -> None:
        fake = self.server.fake
        with fake._lock:
            upcoming = fake._queue[0][0] if fake._queue else "ok"
        if upcoming != "bad_request":
            return super().do_POST()
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake._next({}, {k.lower(): v for k, v in self.headers.items()})
        self._error(400, "Invalid request (fake)", "invalid_request_error")


class EchoingOpenAI(FakeOpenAI):
    def __init__(self):
        super().__init__()
        self.server.RequestHandlerClass = _EchoingHandler

    def bad_request(self) -> None:
        with self._lock:
            self._queue.append(("bad_request", {}))


# ---------------------------------------------------------------------------- the local stack

@pytest.fixture(scope="module")
def run():
    """The stack with both keys set, driven through the paths where keys are handled; returns
    every line it printed and every response body it gave."""
    arxiv, model = FakeArxiv().start(), EchoingOpenAI().start()
    papers = {"ok": "2412.00001", "model_401": "2412.00002", "model_500": "2412.00003"}
    for name, pid in papers.items():
        arxiv.add_paper(pid, title=f"Secrets case {name}")
    stack = LocalStack(stack_env(arxiv, OPENAI_API_KEY=OPENAI_KEY, OPENAI_BASE_URL=model.url, RONBUN_API_KEY=API_KEY,
                                 RONBUN_ABSTRACT_FIRST="0",        # the queued faults are for the summary call
                                 POWERTOOLS_LOG_LEVEL="DEBUG", OPENAI_LOG="debug", RONBUN_OPENAI_MAX_RETRIES="0"),
                       api_key=API_KEY)
    bodies = []
    try:
        bodies.append(stack.request("GET", "/v1/health"))
        bodies.append(stack.request("POST", "/v1/summaries", {"paper_id": papers["ok"]}, key=None))
        bodies.append(stack.request("POST", "/v1/summaries", {"paper_id": papers["ok"]}, key=WRONG_KEY))
        bodies.append(stack.request("GET", f"/v1/summaries/{papers['ok']}", key=WRONG_KEY))
        bodies.append(stack.request("POST", "/v1/summaries", {"paper_id": "../etc/passwd"}))
        finals = {}
        for name, pid in papers.items():
            if name == "model_401":
                model.enqueue("auth_error")
            elif name == "model_500":
                model.enqueue("server_error", times=3)
            bodies.append(stack.post(pid))
            finals[name] = stack.wait_terminal(pid)
            bodies.append((200, finals[name]))
    finally:
        stack.stop()
        arxiv.stop()
        model.stop()
    return stack.lines, bodies, finals, model       # every line: stop() waits for the reader


def test_the_paths_that_handle_keys_were_taken(run):
    # Precondition: the model saw the key, the API refused missing and wrong keys, and the
    # model's errors (which quote the key) reached the worker
    lines, bodies, finals, model = run
    assert f"Bearer {OPENAI_KEY}" in [h["authorization"] for h in model.headers]
    assert [status for status, _ in bodies[1:4]] == [403, 403, 403]
    assert {name: state["status"] for name, state in finals.items()} == {
        "ok": "done", "model_401": "failed", "model_500": "failed"}
    # and the error paths were logged (so their lines were among those checked)
    assert any("engine_not_configured" in line for line in lines) and any("model_error" in line for line in lines)


def test_no_secret_in_anything_the_local_stack_printed(run):
    lines, *_ = run
    found = {tuple(leaked(line)): line[:300] for line in lines if leaked(line)}
    assert not found, found


def test_no_secret_in_any_response(run):
    _, bodies, *_ = run
    assert not leaked(json.dumps(bodies, ensure_ascii=False))


# ---------------------------------------------------------------------------- in-process handlers

@pytest.fixture
def captured(monkeypatch, caplog):
    """Everything the handlers log: the Powertools logger's own stream (at DEBUG) and every
    other logger's records at INFO (botocore's DEBUG dumps of raw AWS responses are an
    operator's explicit opt-in and are not part of this check)."""
    from functions.api import app as api  # noqa: F401 - creates the Powertools logger
    from functions.worker import app as worker  # noqa: F401

    stream = io.StringIO()
    ronbun = logging.getLogger("ronbun")
    for handler in ronbun.handlers:
        if isinstance(handler, logging.StreamHandler):
            monkeypatch.setattr(handler, "stream", stream)
    monkeypatch.setattr(ronbun, "level", logging.DEBUG)
    caplog.set_level(logging.INFO)
    yield lambda: stream.getvalue() + "\n" + caplog.text


def _event_headers(key: str) -> dict[str, str]:
    return {"x-api-key": key, "Authorization": f"Bearer {key}"}


def test_api_handler_logs_no_key_on_success_or_error(aws, fake_arxiv, captured, monkeypatch, capsys):
    # Given the API with its key configured, and requests carrying keys in their headers
    from functions.api import app as api
    from tests.unit.moto_stack import Context, get_event, post_event

    monkeypatch.setenv("RONBUN_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    fake_arxiv.add_paper("2401.15884", title="A paper")
    responses = []
    # When it answers a new paper, a bad id, an unknown paper and a storage outage
    for event in (post_event({"paper_id": "2401.15884"}, headers=_event_headers(API_KEY)),
                  post_event({"paper_id": "../x"}, headers=_event_headers(WRONG_KEY)),
                  get_event("2409.00001", headers=_event_headers(WRONG_KEY))):
        responses.append(api.handler(event, Context()))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    from ronbun import clients
    clients.reset()
    responses.append(api.handler(get_event("2401.15884", headers=_event_headers(API_KEY)), Context()))
    clients.reset()
    # Then the answers were what they should be, and no key appears in any log or answer
    assert [r["statusCode"] for r in responses] == [202, 400, 404, 503]
    out = captured() + capsys.readouterr().out
    assert "storage_unavailable" in out          # the 503 was logged: the check saw real log lines
    assert not leaked(out) and not leaked(json.dumps(responses))


@pytest.mark.parametrize("fault", ["auth_error", "server_error", "bad_request"])
def test_worker_logs_and_stores_no_key_when_the_model_quotes_it(aws, fake_arxiv, captured, monkeypatch, fault, capsys):
    # Given the OpenAI key in Secrets Manager (as deployed) and a model whose error quotes it
    from functions.worker import app as worker
    from ronbun import clients, secrets, service
    from ronbun.ids import parse_id
    from tests.unit.moto_stack import Context, sqs_event

    model = EchoingOpenAI().start()
    try:
        arn = clients.secretsmanager().create_secret(
            Name="ronbun/openai-api-key", SecretString=json.dumps({"OPENAI_API_KEY": OPENAI_KEY}))["ARN"]
        for name, value in dict(RONBUN_OPENAI_SECRET=arn, OPENAI_BASE_URL=model.url, RONBUN_OPENAI_MAX_RETRIES="0",
                                RONBUN_ARXIV_RETRIES="0", RONBUN_ABSTRACT_FIRST="0").items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        secrets.forget()
        service.get_settings.cache_clear()
        fake_arxiv.add_paper("2401.15884", title="A paper")
        service.start_summary(parse_id("2401.15884"))
        [message] = aws.messages()
        model.bad_request() if fault == "bad_request" else model.enqueue(fault)
        # When the worker runs the job (its last delivery, so a retryable failure is final)
        out = worker.handler(sqs_event(message["Body"], receive_count=3), Context())
    finally:
        model.stop()
        secrets.forget()
    # Then the model was called with the key, the job failed, and the key is in no log line
    # and not in the stored job (which the API shows to readers)
    assert model.headers and model.headers[0]["authorization"] == f"Bearer {OPENAI_KEY}"
    assert out == {"batchItemFailures": []}
    [item] = aws.job_items()
    assert item["status"]["S"] == "failed"
    logs = captured() + capsys.readouterr().out
    assert json.loads(item["error_json"]["S"])["code"] in logs    # the failure was logged: lines were checked
    assert not leaked(logs), [line for line in logs.splitlines() if leaked(line)][:3]
    assert not leaked(json.dumps(item)), item["error_json"]["S"]


def test_settings_never_show_the_keys():
    from ronbun.settings import from_env

    settings = from_env({"OPENAI_API_KEY": OPENAI_KEY, "RONBUN_API_KEY": API_KEY})
    assert settings.openai_api_key.get_secret_value() == OPENAI_KEY
    for shown in (repr(settings), str(settings), f"{settings}", "%s" % (settings,)):
        assert not leaked(shown), shown
