"""The digest warm-up function (functions/digest_warm/app.py) against in-process moto and a
real fake arXiv server: it reads the SSM list, starts each paper once, reports every ID."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
PARAMETER = "/ronbun/digest-paper-ids"


@dataclass
class Context:
    function_name: str = "DigestWarmFunction"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:DigestWarmFunction"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"


def _load_app():
    spec = importlib.util.spec_from_file_location("digest_warm_app", ROOT / "functions/digest_warm/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def aws(monkeypatch):
    """Table, queue and SSM parameter shaped as template.yaml declares them, in moto."""
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="ronbun-test", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                  {"AttributeName": "SK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}])
        queue_url = boto3.client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
        monkeypatch.setenv("RONBUN_TABLE", "ronbun-test")
        monkeypatch.setenv("RONBUN_QUEUE_URL", queue_url)
        monkeypatch.setenv("RONBUN_DIGEST_PARAMETER", PARAMETER)
        monkeypatch.setenv("RONBUN_ENGINE", "offline")
        yield queue_url


def _put_list(value: str) -> None:
    boto3.client("ssm").put_parameter(Name=PARAMETER, Type="String", Value=value, Overwrite=True)


def _queued(queue_url: str) -> list[dict]:
    sqs = boto3.client("sqs")
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        bodies += [json.loads(m["Body"]) for m in got]


def _scheduled_event() -> dict:
    return json.loads((ROOT / "tests/events/schedule_event.json").read_text())


def test_listed_papers_are_started_once_and_bad_ids_reported(aws, fake_arxiv):
    # Given two known papers and one malformed ID in the SSM list (one paper listed twice)
    fake_arxiv.add_paper("2401.15884", title="Sparse Adapter Routing")
    fake_arxiv.add_paper("hep-th/9901001", title="Old Style Strings", published="1999-01-04")
    _put_list("2401.15884, hep-th/9901001\n2401.15884 not-an-id")
    # When the scheduled event arrives
    out = _load_app().handler(_scheduled_event(), Context())
    # Then each distinct ID is reported once, the valid ones queued, the malformed one explained
    by_id = {line["paper_id"]: line for line in out["papers"]}
    assert list(by_id) == ["2401.15884", "hep-th/9901001", "not-an-id"]
    assert by_id["2401.15884"]["status"] == by_id["hep-th/9901001"]["status"] == "queued"
    assert by_id["not-an-id"]["error"]["code"] == "invalid_paper_id"
    assert out["errors"] == 1
    assert sorted(m["paper_id"] for m in _queued(aws)) == ["2401.15884", "hep-th/9901001"]


def test_a_second_run_does_not_queue_the_same_papers_again(aws, fake_arxiv):
    # Given a list whose paper was already warmed up
    fake_arxiv.add_paper("2401.15884")
    _put_list("2401.15884")
    app = _load_app()
    app.handler(_scheduled_event(), Context())
    _queued(aws)
    # When the schedule fires again
    out = app.handler(_scheduled_event(), Context())
    # Then the existing job is reported and nothing new is queued
    assert [line["status"] for line in out["papers"]] == ["queued"]
    assert _queued(aws) == []


def test_the_stack_placeholder_means_no_papers(aws, fake_arxiv):
    # Given the parameter still holds the stack's placeholder
    _put_list("-")
    # When the schedule fires
    out = _load_app().handler(_scheduled_event(), Context())
    # Then nothing is requested from arXiv and nothing is queued
    assert out["papers"] == [] and out["errors"] == 0
    assert fake_arxiv.count("/") == 0
    assert _queued(aws) == []


def test_a_manual_invoke_may_name_the_papers(aws, fake_arxiv):
    # Given no list in SSM, but a manual invoke naming a paper by its arxiv.org URL
    fake_arxiv.add_paper("2401.15884")
    # When the function is invoked with paper_ids
    out = _load_app().handler({"paper_ids": ["https://arxiv.org/abs/2401.15884"]}, Context())
    # Then that paper is started
    assert [(line["paper_id"], line["status"]) for line in out["papers"]] == [("2401.15884", "queued")]
    assert [m["paper_id"] for m in _queued(aws)] == ["2401.15884"]
