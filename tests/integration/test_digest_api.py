"""Digests against the local stack (`python -m infra.local`) over HTTP: POST /v1/digests, and
`ronbun digest --api URL`, which reuses what the deployed cache already holds."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from ronbun.cli import main
from tests.fakes.fake_arxiv import FakeArxiv
from tests.integration.test_local_stack import API_KEY, Stack, stack_env

DIGEST_PAPERS = [("2401.11111", "Adaptive Routing for Sparse Experts", "2024-01-11"),
                 ("2402.22222", "Retrieval Heads in Long Context Models", "2024-02-22"),
                 ("hep-th/9901003", "Dualities on the Lattice", "1999-01-13")]
CLI_PAPERS = [("2403.33333", "Token Merging for Fast Decoding", "2024-03-03"),
              ("2404.44444", "Calibrated Reward Models", "2024-04-04"),
              ("math/0309136", "Knots in Three Manifolds", "2003-09-09")]
TITLE = "最新論文ノート"


@pytest.fixture(scope="module")
def arxiv():
    fake = FakeArxiv().start()
    for pid, title, published in DIGEST_PAPERS + CLI_PAPERS:
        fake.add_paper(pid, title=title, published=published)
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def stack(arxiv):
    s = Stack(stack_env(arxiv, RONBUN_API_KEY=API_KEY), api_key=API_KEY)
    yield s
    assert s.stop() == 0, "the stack did not stop cleanly on SIGTERM:\n" + s.output()


def post_digest(stack: Stack, body: dict | str) -> tuple[int, str, dict[str, str]]:
    """(status, body text, lower-cased headers): a ready digest is Markdown, not JSON."""
    data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode()
    req = urllib.request.Request(stack.url + "/v1/digests", data=data, method="POST",
                                 headers={"Content-Type": "application/json", "x-api-key": API_KEY})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode(), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), {k.lower(): v for k, v in err.headers.items()}


def error_of(body: str) -> dict:
    return json.loads(body)["error"]


# ---------------------------------------------------------------------------- POST /v1/digests

def test_a_digest_is_pending_then_markdown_with_every_paper(stack):
    body = {"paper_ids": [pid for pid, _, _ in DIGEST_PAPERS], "title": TITLE, "intro": "今週の3本です。"}
    # When the digest is first asked for, the papers are started and reported per paper
    status, text, headers = post_digest(stack, body)
    assert (status, headers["content-type"]) == (202, "application/json"), text
    first = json.loads(text)
    assert [p["paper_id"] for p in first["papers"]] == [pid for pid, _, _ in DIGEST_PAPERS]
    assert {p["status"] for p in first["papers"]} <= {"queued", "running", "done"}
    # And asking again until it is ready gives the post in Markdown
    deadline = time.monotonic() + 90
    while status == 202 and time.monotonic() < deadline:
        time.sleep(0.5)
        status, text, headers = post_digest(stack, body)
    assert status == 200, text + "\n" + stack.output()
    assert headers["content-type"] == "text/markdown; charset=utf-8" and "x-ronbun-partial" not in headers
    assert text.startswith(f"# {TITLE}\n\n今週の3本です。\n")
    assert re.findall(r"^(\d)\. (.+?)\(発行日:(.+?)\)$", text, re.M) == [
        ("1", "Adaptive Routing for Sparse Experts", "2024年01月11日"),
        ("2", "Retrieval Heads in Long Context Models", "2024年02月22日"),
        ("3", "Dualities on the Lattice", "1999年01月13日")]
    assert re.findall(r"^## (\d)\. (.+)$", text, re.M) == [
        ("1", "Adaptive Routing for Sparse Experts"), ("2", "Retrieval Heads in Long Context Models"),
        ("3", "Dualities on the Lattice")]
    assert text.count("概要:") == 3 and "URL: https://arxiv.org/pdf/hep-th/9901003v1" in text
    # And each paper was generated once
    jobs = [i["paper_id"]["S"] for i in stack.job_items()]
    assert all(jobs.count(pid) == 1 for pid, _, _ in DIGEST_PAPERS)


def test_an_invalid_id_is_400_naming_it(stack, arxiv):
    before = len(arxiv.requests)
    status, text, headers = post_digest(stack, {"paper_ids": ["2401.11111", "2401.1111"], "title": TITLE})
    assert (status, headers["content-type"], error_of(text)["code"]) == (400, "application/json", "invalid_paper_id")
    assert "2 件目" in error_of(text)["message_ja"] and "2401.1111" in error_of(text)["message_ja"]
    assert len(arxiv.requests) == before


@pytest.mark.parametrize("count", [51, 1000])
def test_too_many_ids_are_400_fast(stack, arxiv, count):
    before = len(arxiv.requests)
    started = time.monotonic()
    status, text, _ = post_digest(stack, {"paper_ids": [f"2401.{i:05d}" for i in range(1, count + 1)], "title": TITLE})
    assert (status, error_of(text)["code"]) == (400, "invalid_request")
    assert "最大 50 件" in error_of(text)["message_ja"]
    assert len(arxiv.requests) == before          # refused before any look-up
    print(f"\n[digest] {count} ids refused in {(time.monotonic() - started) * 1000:.0f} ms")


def test_a_body_over_16_kb_is_refused_as_json(stack):
    status, text, headers = post_digest(stack, {"paper_ids": ["2401.11111"], "title": TITLE, "intro": "x" * 17000})
    assert status in (400, 413) and headers["content-type"] == "application/json"
    assert error_of(text)["message_ja"]


# ---------------------------------------------------------------------------- ronbun digest --api

def test_the_cli_digest_uses_the_api_and_a_second_run_generates_nothing(stack, arxiv, capsys, monkeypatch):
    monkeypatch.setenv("RONBUN_API_KEY", API_KEY)
    ids = [pid for pid, _, _ in CLI_PAPERS]
    # When the digest is made through the API
    assert main(["digest", *ids, "--api", stack.url, "--title", TITLE]) == 0
    first, err = capsys.readouterr()
    assert re.findall(r"^(\d)\. (.+?)\(発行日:", first, re.M) == [
        ("1", "Token Merging for Fast Decoding"), ("2", "Calibrated Reward Models"), ("3", "Knots in Three Manifolds")]
    assert first.count("概要:") == 3 and first.count("Q&A:") == 3
    assert re.search(r"\[3/3\] math/0309136 完了", err)
    # Then a second run reads the deployed cache: the same post, and not one request reaches arXiv
    before = len(arxiv.requests)
    assert main(["digest", *ids, "--api", stack.url, "--title", TITLE]) == 0
    second, _ = capsys.readouterr()
    assert second == first
    assert len(arxiv.requests) == before
    jobs = [i["paper_id"]["S"] for i in stack.job_items()]
    assert all(jobs.count(pid) == 1 for pid in ids)


@pytest.mark.parametrize("key", ["wrong-key", None])
def test_the_cli_digest_with_a_wrong_key_exits_2_in_japanese(stack, arxiv, capsys, monkeypatch, key):
    if key is None:
        monkeypatch.delenv("RONBUN_API_KEY", raising=False)
    else:
        monkeypatch.setenv("RONBUN_API_KEY", key)
    before = len(arxiv.requests)
    assert main(["digest", CLI_PAPERS[0][0], "--api", stack.url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "API キーを受け付けませんでした" in err and "RONBUN_API_KEY" in err
    assert len(arxiv.requests) == before
