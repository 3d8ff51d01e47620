"""Bounded work, measured: hostile PDFs, a slow-drip download, a digest under slow arXiv
look-ups, a worker job with a slow model and little time left, and the worker's worst case
from template.yaml. Seconds are medians of `--runs` runs (wall clock, this machine).

The script uses only what both the code before and after the bounds offer, so the same run
gives the before and after figures: point PYTHONPATH's first entry at the tree to measure.

    PYTHONPATH=shared:. .venv/bin/python -m tests.bench_bounded [--runs N] [--skip-slow] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.fakes import hostile_pdfs

REPO = Path(__file__).resolve().parents[1]
CLI_GIVE_UP = 400       # seconds: a run still going then is reported as such and killed


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RONBUN_", "OPENAI_", "AWS_ENDPOINT_URL"))}
    env.update(RONBUN_ENGINE="offline", **extra)
    return env


def _cli_pdf(pdf: bytes, runs: int, **env: str) -> dict:
    """`ronbun summarize --pdf` on `pdf`: median seconds, exit status, error code."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hostile.pdf"
        path.write_bytes(pdf)
        times, out = [], None
        for _ in range(runs):
            start = time.monotonic()
            try:
                out = subprocess.run([sys.executable, "-m", "ronbun.cli", "summarize", "--pdf", str(path), "--format",
                                      "json"], capture_output=True, text=True, env=_env(**env), timeout=CLI_GIVE_UP)
            except subprocess.TimeoutExpired:
                return {"seconds": f">{CLI_GIVE_UP}", "exit": None, "code": "still running, killed", "runs": 1}
            times.append(time.monotonic() - start)
    code = next((w.strip("(:") for w in out.stderr.split() if w.startswith("(") and w.endswith(":")), None)
    return {"seconds": round(statistics.median(times), 2), "exit": out.returncode, "code": code, "runs": runs}


def bench_pdfs(runs: int, skip_slow: bool) -> dict:
    cases = {"stream_bomb_12_pages": hostile_pdfs.stream_bomb(12),
             "line_40000_chars": hostile_pdfs.huge_line(40_000),
             "page_tree_5000_deep": hostile_pdfs.deep_nesting(5_000),
             "tiny_pages_5000": hostile_pdfs.tiny_pages(5_000)}
    if not skip_slow:
        cases["line_120000_chars"] = hostile_pdfs.huge_line(120_000)
    # the worker's extraction bound (template.yaml); code without the bound ignores it
    return {name: _cli_pdf(pdf, 1 if "bomb" in name or "120000" in name else runs, RONBUN_PDF_EXTRACT_SECONDS="30")
            for name, pdf in cases.items()}


def bench_drip(runs: int) -> dict:
    """A 3 s PDF download against arXiv dripping 200 bytes a second."""
    from ronbun.arxiv import ArxivClient
    from ronbun.ids import parse_id
    from ronbun.settings import get_settings
    from tests.fakes.fake_arxiv import FakeArxiv

    times, outcome = [], ""
    with FakeArxiv() as fake:
        paper = fake.add_paper("2401.15884", title="A Dripping Paper")
        os.environ.update(RONBUN_ARXIV_BASE_URL=fake.url, RONBUN_PDF_MAX_SECONDS="3", RONBUN_ARXIV_TIMEOUT="10",
                          RONBUN_ARXIV_RETRIES="0", RONBUN_ARXIV_MIN_INTERVAL="0")
        get_settings.cache_clear()
        size = len(paper.pdf_for(1))
        for _ in range(runs):
            fake.drip("/pdf/", bytes_per_second=200, times=1)
            start = time.monotonic()
            try:
                ArxivClient().download_pdf(parse_id("2401.15884"))
                outcome = "downloaded"
            except Exception as exc:  # noqa: BLE001 - the outcome is what is measured
                outcome = getattr(exc, "code", type(exc).__name__)
            times.append(time.monotonic() - start)
    for name in ("RONBUN_ARXIV_BASE_URL", "RONBUN_PDF_MAX_SECONDS", "RONBUN_ARXIV_TIMEOUT", "RONBUN_ARXIV_RETRIES",
                 "RONBUN_ARXIV_MIN_INTERVAL"):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    return {"seconds": round(statistics.median(times), 2), "outcome": outcome, "pdf_bytes": size,
            "limit_s": 3, "runs": runs}


def bench_digest(runs: int) -> dict:
    """POST /v1/digests of three unknown papers with the API function's arXiv settings: the
    first two look-ups take 4 s, the third answers 503 Retry-After 5 after 7.9 s, then
    succeeds after 7.9 s more. API Gateway gives up at 29 s."""
    from moto import mock_aws

    from functions.api import app as api
    from infra.tables import create_resources
    from ronbun import clients
    from ronbun.settings import get_settings
    from tests.events import load_event
    from tests.fakes.fake_arxiv import FakeArxiv
    from tests.unit.moto_stack import Context

    ids = ["2402.00011", "2402.00012", "2402.00013"]
    times, statuses = [], []
    for _ in range(runs):
        with FakeArxiv() as fake, mock_aws():
            for pid in ids:
                fake.add_paper(pid, title=f"Paper {pid}")
            fake.delay(f"/api/query?id_list={ids[0]}", 4.0)
            fake.delay(f"/api/query?id_list={ids[1]}", 4.0)
            fake.delay(f"/api/query?id_list={ids[2]}", 7.9)
            fake.fail(f"/api/query?id_list={ids[2]}", [503], retry_after=5)
            os.environ.pop("AWS_ENDPOINT_URL", None)
            os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
            clients.reset()
            res = create_resources(clients.dynamodb(), clients.sqs(), table="ronbun-bench")
            os.environ.update(RONBUN_TABLE="ronbun-bench", RONBUN_QUEUE_URL=res.queue_url, RONBUN_ENGINE="offline",
                              RONBUN_ARXIV_API_URL=fake.api_url, RONBUN_ARXIV_BASE_URL=fake.url,
                              RONBUN_ARXIV_TIMEOUT="8", RONBUN_ARXIV_RETRIES="1", RONBUN_ARXIV_MAX_RETRY_AFTER="5")
            get_settings.cache_clear()
            body = json.dumps({"paper_ids": ids, "title": "最新論文ノート"})
            start = time.monotonic()
            response = api.handler(load_event("api_post_digest", body=body), Context())
            times.append(time.monotonic() - start)
            papers = json.loads(response["body"]).get("papers", [])
            statuses.append([p["status"] + (f" ({p['error']['code']})" if p.get("error") else "") for p in papers])
        clients.reset()
    for name in ("RONBUN_TABLE", "RONBUN_QUEUE_URL", "RONBUN_ENGINE", "RONBUN_ARXIV_API_URL", "RONBUN_ARXIV_BASE_URL",
                 "RONBUN_ARXIV_TIMEOUT", "RONBUN_ARXIV_RETRIES", "RONBUN_ARXIV_MAX_RETRY_AFTER"):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    return {"seconds": round(statistics.median(times), 2), "api_gateway_limit_s": 29, "papers": statuses[-1],
            "runs": runs}


def bench_worker(runs: int) -> dict:
    """One worker invocation with 45 s left, the OpenAI engine, and a model that answers after
    60 s (the template's model timeout is longer than what is left): how long the invocation
    runs, and what the job records. Lambda would kill an invocation at 45 s."""
    from moto import mock_aws

    from functions.worker import app as worker
    from infra.tables import create_resources
    from ronbun import clients, service
    from ronbun.ids import parse_id
    from ronbun.settings import get_settings
    from tests.fakes.fake_arxiv import FakeArxiv
    from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI
    from tests.unit.moto_stack import Context, sqs_event

    class Remaining(Context):
        def get_remaining_time_in_millis(self) -> int:
            return 45_000

    times, outcomes = [], []
    for _ in range(runs):
        with FakeArxiv() as fake, mock_aws():
            model = FakeOpenAI().start()
            fake.add_paper("2401.15884", title="Sparse Adapter Routing")
            model.enqueue("slow", seconds=60)
            os.environ.pop("AWS_ENDPOINT_URL", None)
            os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
            clients.reset()
            res = create_resources(clients.dynamodb(), clients.sqs(), table="ronbun-bench")
            os.environ.update(RONBUN_TABLE="ronbun-bench", RONBUN_QUEUE_URL=res.queue_url, RONBUN_ENGINE="openai",
                              OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=model.url, RONBUN_ARXIV_API_URL=fake.api_url,
                              RONBUN_ARXIV_BASE_URL=fake.url, RONBUN_ARXIV_MIN_INTERVAL="0",
                              RONBUN_OPENAI_TIMEOUT="100", RONBUN_OPENAI_MAX_RETRIES="0")
            get_settings.cache_clear()
            service.start_summary(parse_id("2401.15884"))
            [message] = clients.sqs().receive_message(QueueUrl=res.queue_url, AttributeNames=["All"])["Messages"]
            start = time.monotonic()
            out = worker.handler(sqs_event(message["Body"], 1), Remaining())
            times.append(time.monotonic() - start)
            item = next(i for i in clients.dynamodb().scan(TableName="ronbun-bench")["Items"]
                        if i["SK"]["S"].startswith("SUMMARY#"))
            why = json.loads(item.get("last_error_json", item.get("error_json", {"S": "{}"}))["S"] or "{}")
            outcomes.append({"status": item["status"]["S"], "recorded": why.get("code"),
                             "message_back": bool(out["batchItemFailures"])})
            model.stop()
        clients.reset()
    for name in ("RONBUN_TABLE", "RONBUN_QUEUE_URL", "RONBUN_ENGINE", "OPENAI_API_KEY", "OPENAI_BASE_URL",
                 "RONBUN_ARXIV_API_URL", "RONBUN_ARXIV_BASE_URL", "RONBUN_ARXIV_MIN_INTERVAL", "RONBUN_OPENAI_TIMEOUT",
                 "RONBUN_OPENAI_MAX_RETRIES"):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    return {"seconds": round(statistics.median(times), 2), "remaining_s": 45, **outcomes[-1], "runs": runs}


def worker_worst_case() -> dict:
    """Every stage of a worker job at its own bound, from template.yaml's worker settings."""
    from infra.tables import load_template
    from ronbun.settings import from_env

    import ronbun
    template = load_template(Path(ronbun.__file__).resolve().parents[2] / "template.yaml")   # the measured tree's
    props = template["Resources"]["WorkerFunction"]["Properties"]
    env = {k: v for k, v in template["Globals"]["Function"]["Environment"]["Variables"].items() if isinstance(v, str)}
    env |= {k: v for k, v in props.get("Environment", {}).get("Variables", {}).items() if isinstance(v, str)}
    s = from_env(env)
    extraction = getattr(s, "pdf_extract_seconds", None)
    stages = {"metadata": s.arxiv_timeout * (s.arxiv_retries + 1) + s.arxiv_max_retry_after * s.arxiv_retries
              + s.arxiv_min_interval,
              "pdf": s.pdf_max_seconds,
              "extraction": (extraction + 2) if extraction else "unbounded",
              "model_calls": 4 * s.openai_timeout * (s.openai_max_retries + 1)}
    total = sum(v for v in stages.values() if isinstance(v, (int, float)))
    return {"stages_s": stages, "sum_s": total, "extraction_bounded": extraction is not None,
            "timeout_s": int(props["Timeout"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-slow", action="store_true", help="leave out the 120,000-character line")
    ap.add_argument("--only", nargs="*", default=None, help="pdfs drip digest worker worst")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    import ronbun
    results: dict = {"ronbun": str(Path(ronbun.__file__).parent)}
    benches = {"worst": lambda: worker_worst_case(), "drip": lambda: bench_drip(args.runs),
               "digest": lambda: bench_digest(args.runs), "worker": lambda: bench_worker(args.runs),
               "pdfs": lambda: bench_pdfs(args.runs, args.skip_slow)}
    for name, run in benches.items():
        if args.only is None or name in args.only:
            results[name] = run()
            print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
