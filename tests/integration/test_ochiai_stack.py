"""The 落合フォーマット over HTTP on the local stack (`python -m infra.local`) with the fake arXiv
serving a corpus PDF and the fake OpenAI server: `template` in POST /v1/summaries, in the job
key (the standard key unchanged), in GET ?template=, in digests (API and CLI --api)."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from ronbun import pdftext
from ronbun.cli import main
from ronbun.ochiai import NEXT_QUESTION, QUESTIONS
from ronbun.verify import quote_found
from ronbun.versions import PROMPT_VERSION
from tests.fakes.fake_arxiv import FakeArxiv
from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI
from tests.integration.test_local_stack import TERMINAL, Stack, stack_env

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "pdf"
PDF = CORPUS / "2305.14962v1.pdf"          # numbered reference list, cited as [n]
TITLE = "ICDAR 2023 Competition on Robust Layout Segmentation in Corporate Documents"

pytestmark = pytest.mark.skipif(not PDF.is_file(), reason=f"corpus PDF {PDF} is missing")


@pytest.fixture(scope="module")
def entries():
    doc = pdftext.extract(PDF.read_bytes())
    return {r.text: r for r in pdftext.references(doc)}, doc.prose_map()


@pytest.fixture(scope="module")
def stack():
    arxiv = FakeArxiv().start()
    for pid in ("2305.14962", "2306.00001", "2306.00002"):
        arxiv.add_paper(pid, title=TITLE, pdf=PDF.read_bytes())
    fake = FakeOpenAI().start()
    # a 12-page corpus PDF takes longer than the 3 s visibility timeout the other stack tests use
    s = Stack(stack_env(arxiv, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=fake.url, RONBUN_LOCAL_VISIBILITY_TIMEOUT="300",
                        RONBUN_ABSTRACT_FIRST="0"))   # the queued kinds are for the ochiai call
    s.fake_openai, s.arxiv = fake, arxiv
    yield s
    s.stop()
    fake.stop()
    arxiv.stop()


def post(stack: Stack, paper_id: str, template: str | None = None) -> tuple[int, dict]:
    body = {"paper_id": paper_id, "lang": "ja"} | ({"template": template} if template else {})
    return stack.request("POST", "/v1/summaries", body)


def wait(stack: Stack, paper_id: str, template: str = "standard", timeout: float = 240) -> dict:
    query = "" if template == "standard" else f"?template={template}"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status, body = stack.request("GET", f"/v1/summaries/{paper_id}{query}")
        if status == 200 and body["status"] in TERMINAL:
            return body
        time.sleep(0.5)
    raise AssertionError(f"{paper_id} ({template}) did not finish:\n{stack.output()}")


def assert_real_references(result: dict, entries) -> None:
    listed, prose = entries
    assert result["references"]
    for ref in result["references"]:
        assert ref["text"] in listed, ref["text"]
        assert ref["arxiv_id"] == listed[ref["text"]].arxiv_id
        assert all(quote_found(ev["quote"], prose[ev["page"]]) for ev in ref["evidence"])


def test_standard_and_ochiai_of_one_paper_are_two_jobs_and_the_standard_key_is_unchanged(stack, entries):
    fake = stack.fake_openai
    status, standard = post(stack, "2305.14962")
    assert status == 202
    status, ochiai = post(stack, "2305.14962", "ochiai")
    assert (status, ochiai["status"], ochiai["template"]) == (202, "queued", "ochiai")   # not the standard job
    standard, ochiai = wait(stack, "2305.14962"), wait(stack, "2305.14962", "ochiai")
    assert standard["status"] == ochiai["status"] == "done", (standard, ochiai)

    model = standard["result"]["generator"]["model"]
    sks = sorted(i["SK"]["S"] for i in stack.job_items() if i["PK"]["S"] == "PAPER#2305.14962")
    assert sks == [f"SUMMARY#v1#ja#{PROMPT_VERSION}#{model}", f"SUMMARY#v1#ja#{PROMPT_VERSION}#{model}#ochiai"]

    assert standard["result"]["template"] == "standard" and standard["result"]["references"] == []
    result = ochiai["result"]
    assert result["template"] == "ochiai"
    assert [item["question"] for item in result["qa"]] == list(QUESTIONS)        # six, in order
    assert_real_references(result, entries)
    schemas = [c["response_format"]["json_schema"]["name"] for c in fake.calls]
    assert sorted(schemas) == ["ModelOutput", "OchiaiOutput"]

    # asking again answers both from the cache
    calls = len(fake.calls)
    assert post(stack, "2305.14962", "ochiai")[0] == 200 and post(stack, "2305.14962")[0] == 200
    assert len(fake.calls) == calls


def test_an_invented_reference_from_the_model_is_dropped_over_http(stack, entries):
    stack.fake_openai.enqueue("ochiai_invented")
    assert post(stack, "2306.00001", "ochiai")[0] == 202
    done = wait(stack, "2306.00001", "ochiai")
    assert done["status"] == "done", done
    result = done["result"]
    assert_real_references(result, entries)
    assert [f["code"] for f in result["quality"]["dropped"]].count("reference_not_in_list") == 2
    shown = result["qa"][-1]["answer"] + " ".join(r["text"] for r in result["references"])
    assert result["qa"][-1]["question"] == NEXT_QUESTION
    assert "Attention Is All You Need" not in shown and "Quantum Gravity" not in shown


def test_an_unknown_template_is_a_400_in_japanese(stack):
    status, body = post(stack, "2305.14962", "bullet-points")
    assert status == 400 and "ochiai" in body["error"]["message_ja"]
    status, body = stack.request("GET", "/v1/summaries/2305.14962?template=nope")
    assert status == 400 and body["error"]["code"] == "invalid_request"


def test_a_digest_in_the_ochiai_template_over_the_api_and_the_cli(stack, capsys):
    wait(stack, "2305.14962", "ochiai")
    req = urllib.request.Request(stack.url + "/v1/digests", method="POST",
                                 data=b'{"paper_ids": ["2305.14962"], "template": "ochiai"}',
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200
        text = resp.read().decode()
    assert "落合フォーマット:" in text and f"Q: {NEXT_QUESTION}" in text and "\n- " in text

    code = main(["digest", "2306.00002", "--api", stack.url, "--template", "ochiai"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"## 1. {TITLE}" in out and "落合フォーマット:" in out and "理由: " in out
