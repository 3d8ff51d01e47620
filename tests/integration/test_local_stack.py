"""The local stack as a user runs it (`python -m infra.local`), over HTTP, with the fake
arXiv server and either the offline engine or the fake OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from tests.fakes.fake_arxiv import FakeArxiv
from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI

REPO = Path(__file__).resolve().parents[2]
API_KEY = "local-test-key"
MAX_ATTEMPTS = 3
TERMINAL = ("done", "failed")


class Stack:
    """`python -m infra.local` in a subprocess; its output is kept for failure reports."""

    def __init__(self, env: dict[str, str], api_key: str | None = None, workers: int = 2):
        self.api_key = api_key
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.url = self.moto_url = ""
        self.proc = subprocess.Popen([sys.executable, "-m", "infra.local", "--port", "0", "--workers", str(workers)],
                                     cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self.ready.wait(90):
            self.stop()
            raise AssertionError("local stack did not start:\n" + self.output())

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if line.startswith("moto "):
                self.moto_url = line.split()[1]
            if line.startswith("ready "):
                self.url = line.split()[1]
                self.ready.set()

    def output(self) -> str:
        return "\n".join(self.lines[-60:])

    def stop(self) -> int:
        self.proc.terminate()
        try:
            code = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(5)
        self._reader.join(10)          # the process has exited: the reader ends at the pipe's end
        return code

    def request(self, method: str, path: str, body: dict | str | None = None, *, key: str | None | bool = True,
                headers: dict[str, str] | None = None) -> tuple[int, dict]:
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if key is True and self.api_key:
            req.add_header("x-api-key", self.api_key)
        elif isinstance(key, str):
            req.add_header("x-api-key", key)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw, status = resp.read(), resp.status
        except urllib.error.HTTPError as err:
            raw, status = err.read(), err.code
        return status, json.loads(raw) if raw else {}

    def post(self, paper_id: str) -> tuple[int, dict]:
        return self.request("POST", "/v1/summaries", {"paper_id": paper_id, "lang": "ja"})

    def wait_terminal(self, paper_id: str, timeout: float = 90) -> dict:
        deadline, delay = time.monotonic() + timeout, 0.2
        while time.monotonic() < deadline:
            status, body = self.request("GET", f"/v1/summaries/{paper_id}")
            if status == 200 and body["status"] in TERMINAL:
                return body
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        raise AssertionError(f"{paper_id} did not finish in {timeout}s:\n{self.output()}")

    def aws(self, service: str):
        return boto3.client(service, endpoint_url=self.moto_url, region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def job_items(self) -> list[dict]:
        items = self.aws("dynamodb").scan(TableName="ronbun")["Items"]
        return [i for i in items if i["SK"]["S"].startswith("SUMMARY#")]

    def queue_url(self, name: str) -> str:
        return self.aws("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def summary_calls(calls: list[dict]) -> list[dict]:
    """The model calls for summaries, without the quick answers from the abstract (issue 12)."""
    from ronbun.prompts import ABSTRACT_MARKER

    return [c for c in calls if ABSTRACT_MARKER not in json.dumps(c.get("messages", []), ensure_ascii=False)]


def stack_env(arxiv: FakeArxiv, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RONBUN_", "OPENAI_", "AWS_", "POWERTOOLS_"))}
    env.update(RONBUN_ARXIV_API_URL=arxiv.api_url, RONBUN_ARXIV_BASE_URL=arxiv.url, RONBUN_ARXIV_MIN_INTERVAL="0",
               RONBUN_ARXIV_RETRIES="0", RONBUN_LOCAL_VISIBILITY_TIMEOUT="3", OPENAI_BASE_URL="http://127.0.0.1:9/v1",
               PYTHONUNBUFFERED="1", POWERTOOLS_LOG_LEVEL="WARNING")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def arxiv():
    fake = FakeArxiv().start()
    for pid, title in [("2401.15884", "Sparse Adapter Routing for Efficient Summarization"),
                       ("2402.00002", "Concurrent Requests Paper"), ("2403.00003", "Missing PDF Paper"),
                       ("2403.00004", "Flaky PDF Paper"), ("hep-th/9901001", "Strings on the Lattice"),
                       ("2405.00005", "OpenAI Paper"), ("2405.00006", "OpenAI Concurrent Paper")]:
        fake.add_paper(pid, title=title)
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(arxiv):
    s = Stack(stack_env(arxiv, RONBUN_API_KEY=API_KEY), api_key=API_KEY)
    yield s
    assert s.stop() == 0, "the stack did not stop cleanly on SIGTERM:\n" + s.output()


@pytest.fixture(scope="module")
def openai_stack(arxiv):
    fake = FakeOpenAI().start()
    # visibility above a job's run (two model calls, more on a loaded machine): no redelivery to give up on
    s = Stack(stack_env(arxiv, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=fake.url, RONBUN_LOCAL_VISIBILITY_TIMEOUT="30"))
    s.fake_openai = fake
    yield s
    s.stop()
    fake.stop()


# ---------------------------------------------------------------------------- offline engine

def test_a_paper_is_summarised_and_then_served_from_the_cache(stack, arxiv):
    # When a reader asks for a paper
    status, body = stack.post("2401.15884")
    assert (status, body["status"], body["paper"]["title"]) == (
        202, "queued", "Sparse Adapter Routing for Efficient Summarization")
    # Then the summary is done after a while
    done = stack.wait_terminal("2401.15884")
    assert done["status"] == "done", done
    assert done["result"]["summary"] and done["result"]["generator"]["engine"] == "offline"
    # And asking again answers at once from the cache, without arXiv
    before = len(arxiv.requests)
    status, again = stack.post("2401.15884")
    assert (status, again["status"], again["result"]) == (200, "done", done["result"])
    assert len(arxiv.requests) == before


def test_an_old_style_id_works_end_to_end(stack):
    assert stack.post("hep-th/9901001")[0] == 202
    assert stack.wait_terminal("hep-th/9901001")["status"] == "done"


def test_twenty_concurrent_requests_make_one_job_and_one_download(stack, arxiv):
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: stack.post("2402.00002"), range(20)))
    assert {status for status, _ in answers} <= {200, 202}, answers
    assert stack.wait_terminal("2402.00002")["status"] == "done"
    assert arxiv.count("/pdf/2402.00002") == 1
    assert arxiv.count("/api/query?id_list=2402.00002") >= 1
    assert len([i for i in stack.job_items() if i["paper_id"]["S"] == "2402.00002"]) == 1


@pytest.mark.parametrize("paper_id", ["2401.1588", "../etc/passwd", "hep-th/99010011", "2413.15884"])
def test_invalid_ids_are_400_json(stack, arxiv, paper_id):
    before = len(arxiv.requests)
    status, body = stack.post(paper_id)
    assert (status, body["error"]["code"]) == (400, "invalid_paper_id") and body["error"]["message_ja"]
    assert len(arxiv.requests) == before


def test_an_invalid_id_in_the_path_is_400_json(stack):
    status, body = stack.request("GET", "/v1/summaries/hep-th%2F99")
    assert (status, body["error"]["code"]) == (400, "invalid_paper_id")


def test_a_paper_never_requested_is_404(stack):
    status, body = stack.request("GET", "/v1/summaries/2409.00001")
    assert (status, body["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_the_api_key_is_required_when_configured(stack, key):
    status, body = stack.request("POST", "/v1/summaries", {"paper_id": "2401.15884"}, key=key)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    assert body["error"]["message_ja"]


def test_cors_preflight_needs_no_key(stack):
    req = urllib.request.Request(stack.url + "/v1/summaries", method="OPTIONS", headers={
        "Origin": "chrome-extension://abcdef", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-api-key"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "x-api-key" in resp.headers["Access-Control-Allow-Headers"].lower()


def test_a_missing_pdf_fails_the_job_with_a_code_and_message(stack, arxiv):
    arxiv.fail("/pdf/2403.00003", [404] * 5)
    assert stack.post("2403.00003")[0] == 202
    body = stack.wait_terminal("2403.00003")
    assert (body["status"], body["error"]["code"]) == ("failed", "paper_not_found")
    assert body["error"]["message"] and body["error"]["message_ja"]


def test_a_failing_arxiv_is_retried_then_the_job_fails(stack, arxiv):
    # Given arXiv answers 500 for this PDF every time
    arxiv.fail("/pdf/2403.00004", [500] * 20)
    # When the paper is requested
    assert stack.post("2403.00004")[0] == 202
    # Then the worker tried once per delivery and the job ended failed, not stuck
    body = stack.wait_terminal("2403.00004")
    assert (body["status"], body["error"]["code"]) == ("failed", "arxiv_unavailable")
    assert arxiv.count("/pdf/2403.00004") == MAX_ATTEMPTS


def test_a_poison_message_ends_in_the_dead_letter_queue(stack):
    sqs = stack.aws("sqs")
    sqs.send_message(QueueUrl=stack.queue_url("ronbun-jobs"), MessageBody='{"not": "a job"')
    dlq = stack.queue_url("ronbun-jobs-dlq")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1, VisibilityTimeout=0).get("Messages", [])
        if got:
            assert got[0]["Body"] == '{"not": "a job"'
            return
    raise AssertionError("poison message never reached the DLQ:\n" + stack.output())


def test_nothing_stays_queued_or_running(stack):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = {i["paper_id"]["S"]: i["status"]["S"] for i in stack.job_items()}
        if states and all(s in TERMINAL for s in states.values()):
            return
        time.sleep(0.5)
    raise AssertionError(f"jobs left unfinished: {states}")


# ---------------------------------------------------------------------------- OpenAI engine

def test_the_openai_engine_summarises_once_and_then_serves_the_cache(openai_stack, arxiv):
    fake = openai_stack.fake_openai
    status, body = openai_stack.post("2405.00005")
    assert status == 202
    done = openai_stack.wait_terminal("2405.00005")
    assert done["status"] == "done", done
    assert done["result"]["generator"]["engine"] == "openai" and done["result"]["qa"]
    calls, downloads = len(fake.calls), len(arxiv.requests)
    assert len(summary_calls(fake.calls)) == 1          # and one quick answer from the abstract
    status, again = openai_stack.post("2405.00005")
    assert (status, again["status"]) == (200, "done")
    assert (len(fake.calls), len(arxiv.requests)) == (calls, downloads)


def test_twenty_concurrent_requests_make_one_model_call(openai_stack, arxiv):
    fake = openai_stack.fake_openai
    before = len(fake.calls)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: openai_stack.post("2405.00006"), range(20)))
    assert {status for status, _ in answers} <= {200, 202}, answers
    assert openai_stack.wait_terminal("2405.00006")["status"] == "done"
    assert len(summary_calls(fake.calls[before:])) == 1
    assert arxiv.count("/pdf/2405.00006") == 1


# ---------------------------------------------------------------------------- logs

def _finished(lines: list[str]) -> list[dict]:
    logs = [json.loads(line) for line in list(lines) if line.startswith("{")]
    return [line for line in logs if line.get("message") == "job finished"]


def test_each_log_line_names_its_own_paper_and_function(arxiv):
    # Given two workers in one process, and a paper whose PDF is slow, so the jobs overlap
    arxiv.add_paper("2406.00007", title="Slow PDF Paper")
    arxiv.add_paper("2406.00008", title="Fast PDF Paper")
    arxiv.delay("/pdf/2406.00007", 2.0)
    s = Stack(stack_env(arxiv, POWERTOOLS_LOG_LEVEL="INFO"))
    try:
        assert s.post("2406.00007")[0] == 202
        time.sleep(0.5)
        assert s.post("2406.00008")[0] == 202
        assert s.wait_terminal("2406.00007")["status"] == "done"
        assert s.wait_terminal("2406.00008")["status"] == "done"
        # (the worker logs "job finished" after the job reads done: wait for both lines)
        deadline = time.monotonic() + 15
        while len({line.get("correlation_id") for line in _finished(s.lines)}) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        arxiv.delay("/pdf/2406.00007", 0)
        s.stop()
    # Then each job's lines carry that job's paper id and the worker's name, not the other's
    finished = _finished(s.lines)
    # (a job may finish twice: a redelivered message finds it done; each line still names its paper)
    assert {line["correlation_id"] for line in finished} == {"2406.00007", "2406.00008"}, finished
    assert {line["function_name"] for line in finished} == {"ronbun-local-worker"}
