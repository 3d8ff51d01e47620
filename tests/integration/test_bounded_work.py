"""Bounded work: hostile PDFs end within their bounds with the right code (through `ronbun
summarize --pdf`, the extraction child and the worker), a slow-drip download stops at its
deadline, a digest under slow look-ups answers by its own deadline, and a worker invocation
with little time left stops before a step it cannot finish and records why.

Nothing here asserts a duration: bounds show as codes (pdf_too_complex, deadline_exceeded),
as what the fakes saw (no request started, the client hung up), and as the child's peak
memory. A few runs happen in a subprocess with a generous `timeout` as a hang guard only."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from functions.api import app as api
from functions.worker import app as worker
from ronbun import arxiv, llm, pdfproc, pdftext, service
from ronbun.deadline import Deadline
from ronbun.errors import ArxivUnavailable, DeadlineExceeded, PdfTooComplex
from ronbun.ids import parse_id
from ronbun.pipeline import summarize
from ronbun.settings import get_settings
from tests.events import load_event
from tests.fakes import hostile_pdfs
from tests.fakes.pdfs import make_paper_pdf
from tests.unit.moto_stack import Context, aws, key, sqs_event  # noqa: F401 - fixture

REPO = Path(__file__).resolve().parents[2]
LAMBDA_WORKER_MB = 1769          # template.yaml WorkerFunction MemorySize
PID = "2401.15884"


def _env(**extra: str) -> dict:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RONBUN_", "OPENAI_", "AWS_ENDPOINT_URL"))}
    env.update(PYTHONPATH=f"{REPO / 'shared'}:{REPO}", RONBUN_ENGINE="offline", **extra)
    return env


def _settings(monkeypatch, **env) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"RONBUN_{name.upper()}", str(value))
    get_settings.cache_clear()


# ---------------------------------------------------------------------------- the extraction child

_CHILD_PROBE = r"""
import json, resource, sys, time
from ronbun import pdfproc
data = open(sys.argv[1], "rb").read()
start = time.monotonic()
try:
    got = pdfproc.read(data, max_pages=150, seconds=float(sys.argv[2]), memory_mb=int(sys.argv[3]))
    code, pages = "ok", len(got.texts)
except Exception as exc:
    code, pages = getattr(exc, "code", type(exc).__name__), 0
print(json.dumps({"code": code, "pages": pages, "seconds": time.monotonic() - start,
                  "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def child_run(tmp_path, pdf: bytes, seconds: float = 4.0, memory_mb: int = 1024) -> dict:
    """pdfproc.read in a fresh process, so that RUSAGE_CHILDREN is the extraction child's
    peak RSS alone (killed or not)."""
    path = tmp_path / "hostile.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([sys.executable, "-c", _CHILD_PROBE, str(path), str(seconds), str(memory_mb)],
                         capture_output=True, text=True, env=_env(), timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


HOSTILE = {
    # name: (pdf, extraction bound in seconds, code the child ends with)
    "stream bomb, 12 pages of 2 MiB": (lambda: hostile_pdfs.stream_bomb(12), 4, "pdf_too_complex"),
    "page tree 5,000 levels deep": (lambda: hostile_pdfs.deep_nesting(5_000), 4, "pdf_too_complex"),
    "5,000 tiny pages": (lambda: hostile_pdfs.tiny_pages(5_000), 60, "ok"),
    "one 40,000-character line": (lambda: hostile_pdfs.huge_line(40_000), 60, "ok"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_pdf_ends_in_the_child_with_its_code_and_memory_below_the_lambda_size(name, tmp_path):
    # Given a hostile PDF  When the extraction child reads it (bombs with a 4 s bound; the
    # others with room to finish), with 1 GiB of address space
    make, seconds, code = HOSTILE[name]
    got = child_run(tmp_path, make(), seconds=seconds)
    # Then it ends with the expected code, and the child never held more than the worker has
    assert got["code"] == code
    assert 0 < got["child_peak_mb"] < LAMBDA_WORKER_MB


def test_the_child_cannot_grow_past_its_address_space_limit(tmp_path):
    # Given an ordinary paper and a child allowed 30 MB of address space (pypdf needs more)
    got = child_run(tmp_path, make_paper_pdf("An Ordinary Paper"), seconds=30, memory_mb=30)
    # Then the child's allocations fail inside it: pdf_too_complex, not a bigger process
    assert got["code"] == "pdf_too_complex"
    assert got["child_peak_mb"] < 100


def test_every_extracted_line_is_capped_so_no_text_pass_sees_a_40000_character_line():
    # Given a paper with one 40,000-character line  When it is extracted
    doc = pdftext.extract(hostile_pdfs.huge_line(40_000))
    # Then the line arrives broken into pieces of at most MAX_LINE_CHARS, nothing lost
    lines = [line for p in doc.pages for line in p.text.split("\n")]
    assert max(len(line) for line in lines) <= pdfproc.MAX_LINE_CHARS
    assert sum(line.count("ACGT") for line in lines) >= 9_990


def test_cap_lines_breaks_at_spaces_and_hard_splits_runs_without_one():
    text = "short\n" + "word " * 1000 + "\n" + "x" * 4500
    capped = pdfproc.cap_lines(text, limit=100)
    assert all(len(line) <= 100 for line in capped.split("\n"))
    assert capped.replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert pdfproc.cap_lines("a\nb", limit=100) == "a\nb"


def test_extraction_cut_short_by_the_job_deadline_is_retryable_not_too_complex():
    # Given a stream bomb and a job with 1.5 s left (extraction's own bound is 60 s)
    # When it is extracted  Then the job's deadline ends it: retryable, the paper not condemned
    with pytest.raises(DeadlineExceeded) as caught:
        pdftext.extract(hostile_pdfs.stream_bomb(12), deadline=Deadline.after(1.5))
    assert caught.value.retryable and caught.value.code == "deadline_exceeded"


def test_extraction_is_not_started_without_time_for_it():
    with pytest.raises(DeadlineExceeded):
        pdftext.extract(make_paper_pdf("An Ordinary Paper"), deadline=Deadline.after(0.2))


# ---------------------------------------------------------------------------- ronbun summarize --pdf

CLI_CASES = {
    # name: (pdf, extraction bound in seconds, exit code, error code)
    "stream bomb": (lambda: hostile_pdfs.stream_bomb(12), 4, 2, "pdf_too_complex"),
    "deep nesting": (lambda: hostile_pdfs.deep_nesting(5_000), 4, 2, "pdf_too_complex"),
    "tiny pages": (lambda: hostile_pdfs.tiny_pages(5_000), 60, 2, "pdf_no_text"),
    "120,000-character line": (lambda: hostile_pdfs.huge_line(120_000), 60, 0, None),
}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_ronbun_summarize_pdf_ends_each_hostile_pdf_with_its_code(name, tmp_path):
    # Given a hostile PDF on disk and an extraction bound
    make, seconds, exit_code, code = CLI_CASES[name]
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(make())
    # When `ronbun summarize --pdf` runs (the timeout is a hang guard: before this change the
    # 120,000-character line alone took minutes in the URL search, the bomb minutes in pypdf)
    out = subprocess.run([sys.executable, "-m", "ronbun.cli", "summarize", "--pdf", str(pdf), "--format", "json"],
                         capture_output=True, text=True, env=_env(RONBUN_PDF_EXTRACT_SECONDS=str(seconds)), timeout=150)
    # Then it exits with the expected code: a Japanese message and no traceback on failure
    assert out.returncode == exit_code, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    if code:
        assert f"({code}:" in out.stderr and "エラー: " in out.stderr
    else:
        assert json.loads(out.stdout)["summary"]
    if code == "pdf_too_complex":
        assert "複雑すぎる" in out.stderr


# ---------------------------------------------------------------------------- the worker

@pytest.fixture
def hostile_arxiv(fake_arxiv, monkeypatch):
    _settings(monkeypatch, arxiv_retries=0, arxiv_min_interval=0, pdf_extract_seconds=4)
    return fake_arxiv


def _queued(aws) -> str:
    service.start_summary(parse_id(PID))
    [message] = aws.messages()
    return message["Body"]


class ShortContext(Context):
    def __init__(self, remaining_ms: int):
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def run_worker(body: str, receive_count: int = 1, remaining_ms: int = 60_000) -> list[str]:
    out = worker.handler(sqs_event(body, receive_count), ShortContext(remaining_ms))
    return [f["itemIdentifier"] for f in out["batchItemFailures"]]


@pytest.mark.parametrize("make", [lambda: hostile_pdfs.stream_bomb(12), lambda: hostile_pdfs.deep_nesting(5_000)],
                         ids=["stream bomb", "deep nesting"])
def test_the_worker_fails_a_hostile_pdf_as_too_complex_and_does_not_retry_it(aws, hostile_arxiv, make):
    # Given a queued job whose PDF is hostile
    hostile_arxiv.add_paper(PID, title="A Hostile Paper", pdf=make())
    body = _queued(aws)
    # When the worker takes its first delivery
    failures = run_worker(body, receive_count=1)
    # Then the message is done with (not retried) and the job failed with pdf_too_complex
    job = aws.store.get_job(key())
    assert failures == []
    assert (job.status, job.error["code"]) == ("failed", "pdf_too_complex")
    assert "複雑すぎる" in job.error["message_ja"]
    assert hostile_arxiv.count("/pdf/") == 1


def test_a_worker_with_too_little_time_stops_before_the_download_and_records_why(aws, hostile_arxiv):
    # Given a queued job, and an invocation with less time left than the worker keeps for its writes
    hostile_arxiv.add_paper(PID, title="An Ordinary Paper")
    body = _queued(aws)
    short = int((worker.WRITE_RESERVE_SECONDS - 5) * 1000)
    # When the worker takes the first delivery
    failures = run_worker(body, receive_count=1, remaining_ms=short)
    # Then no PDF request was started, the message comes back, and the job waits with the reason
    assert failures == ["m-1"]
    assert hostile_arxiv.count("/pdf/") == 0
    [item] = aws.job_items()
    assert item["status"]["S"] == "queued"
    assert json.loads(item["last_error_json"]["S"])["code"] == "deadline_exceeded"


def test_a_worker_out_of_time_on_the_last_delivery_fails_the_job_in_japanese(aws, hostile_arxiv):
    hostile_arxiv.add_paper(PID, title="An Ordinary Paper")
    body = _queued(aws)
    short = int((worker.WRITE_RESERVE_SECONDS - 5) * 1000)
    failures = run_worker(body, receive_count=get_settings().max_attempts, remaining_ms=short)
    job = aws.store.get_job(key())
    assert failures == []
    assert (job.status, job.error["code"]) == ("failed", "deadline_exceeded")
    assert "処理時間の上限" in job.error["message_ja"]


# ---------------------------------------------------------------------------- model calls

def test_a_model_call_is_not_started_with_less_time_left_than_it_needs(fake_openai):
    # Given a job with less time left than a model call is allowed to start with
    pdf = make_paper_pdf("An Ordinary Paper")
    # When the paper is summarised with the OpenAI engine
    with pytest.raises(DeadlineExceeded):
        summarize(None, pdf_bytes=pdf, engine="openai", deadline=Deadline.after(llm.MIN_CALL_SECONDS - 2))
    # Then the model never received a request
    assert fake_openai.calls == []


def test_a_slow_model_call_ends_at_the_job_deadline_not_at_its_own_timeout(fake_openai, monkeypatch):
    # Given a model that answers after 30 s, a 100 s model timeout, and a job with 8 s left
    monkeypatch.setattr(llm, "MIN_CALL_SECONDS", 1.0)
    _settings(monkeypatch, openai_timeout=100, openai_max_retries=2)
    fake_openai.enqueue("slow", seconds=30)
    pdf = make_paper_pdf("An Ordinary Paper")
    # When the paper is summarised  Then the call is cut at the deadline with the reason
    with pytest.raises(DeadlineExceeded):
        summarize(None, pdf_bytes=pdf, engine="openai", deadline=Deadline.after(8))
    assert len(fake_openai.calls) == 1          # one attempt: no SDK retry past the deadline


# ---------------------------------------------------------------------------- slow-drip download

def test_a_slow_drip_download_stops_at_its_deadline(fake_arxiv, monkeypatch):
    # Given arXiv dripping the PDF at 40 bytes a second (minutes for the whole file), a 2 s
    # download limit and a 10 s socket timeout that each read alone would never reach
    fake_arxiv.add_paper(PID, title="A Dripping Paper")
    fake_arxiv.drip("/pdf/", bytes_per_second=40)
    _settings(monkeypatch, pdf_max_seconds=2, arxiv_timeout=10, arxiv_retries=0, arxiv_min_interval=0)
    # When the PDF is downloaded  Then the download fails, and the client hung up part way
    with pytest.raises(ArxivUnavailable):
        arxiv.ArxivClient().download_pdf(parse_id(PID))
    [drip] = fake_arxiv.drips
    for _ in range(50):
        if drip["client_left"]:
            break
        time.sleep(0.1)
    assert drip["client_left"] and drip["sent"] < drip["total"]


def test_a_slow_drip_cut_by_the_job_deadline_says_so(fake_arxiv, monkeypatch):
    fake_arxiv.add_paper(PID, title="A Dripping Paper")
    fake_arxiv.drip("/pdf/", bytes_per_second=40)
    _settings(monkeypatch, pdf_max_seconds=60, arxiv_timeout=10, arxiv_retries=0, arxiv_min_interval=0)
    with pytest.raises(DeadlineExceeded):
        arxiv.ArxivClient().download_pdf(parse_id(PID), Deadline.after(2))


# ---------------------------------------------------------------------------- digest

def test_a_digest_under_slow_look_ups_answers_by_its_own_deadline(aws, fake_arxiv, monkeypatch):
    # Given three papers nobody has asked for, an arXiv API that takes 30 s to answer, the API
    # function's arXiv settings (8 s per attempt, one retry), and a digest deadline of 4 s
    for n in range(3):
        fake_arxiv.add_paper(f"2402.0001{n}", title=f"Slow Paper {n}")
    fake_arxiv.delay("/api/", 30)
    _settings(monkeypatch, arxiv_timeout=8, arxiv_retries=1, arxiv_max_retry_after=5, arxiv_min_interval=0)
    monkeypatch.setattr(service, "DIGEST_SECONDS", 4.0)
    monkeypatch.setattr(service, "DIGEST_WRITE_SECONDS", 1.0)
    body = json.dumps({"paper_ids": [f"2402.0001{n}" for n in range(3)], "title": "最新論文ノート"})
    # When the digest is posted through the API handler
    response = api.handler(load_event("api_post_digest", body=body), Context())
    # Then it answers 202 with every paper not started: the look-up in flight was cut off at
    # the request's deadline (and says so), and the papers after it were not looked up at all
    assert response["statusCode"] == 202, response["body"]
    papers = json.loads(response["body"])["papers"]
    assert [p["status"] for p in papers] == ["not_started"] * 3
    assert papers[0]["error"]["code"] == "deadline_exceeded"
    assert all(p.get("message_ja") for p in papers)
    assert fake_arxiv.count("/api/") == 1
    assert aws.messages() == []


# ---------------------------------------------------------------------------- the URL search

def test_the_url_search_on_a_120000_character_line_ends(tmp_path):
    # Given a 120,000-character line without a space (this took 232 s before the search was
    # made linear)  When code URLs are searched  Then it ends (the timeout is a hang guard)
    code = ("from ronbun.urls import find_code_urls\n"
            "line = 'ACGT' * 30000\n"
            "print(find_code_urls(line + '\\nsee github.com/org/\\nrepo for code\\n' + line))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60)
    assert out.stdout.strip() == "['https://github.com/org/repo']"


def test_pdf_too_complex_is_not_retryable_and_in_japanese():
    error = PdfTooComplex("too slow")
    assert (error.code, error.retryable, error.status) == ("pdf_too_complex", False, 422)
    assert "PDF" in error.message_ja
