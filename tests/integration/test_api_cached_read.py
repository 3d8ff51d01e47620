"""A cached read through the API function imports nothing a cold container does not need:
no pydantic (the result stays JSON from the table to the response), no arXiv client, no
queue. A fresh interpreter calls the handler against a moto server seeded by this test."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from infra.tables import create_resources
from ronbun import clients
from ronbun.settings import get_settings
from ronbun.store import Store
from tests.unit.moto_stack import paper, seed_done

REPO = Path(__file__).resolve().parents[2]
TABLE = "ronbun-cached-read"
HEAVY = ("pydantic", "pydantic_core", "openai", "pypdf", "ronbun.models", "ronbun.arxiv", "ronbun.queue",
         "ronbun.render", "ronbun.pipeline")

CALL = """
import json, sys
import functions.api.app as api
from tests.events import load_event


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "ronbun-api", 512, "cached-read"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ronbun-api"


get = load_event("api_get_summary", path="/v1/summaries/2401.15884", pathParameters={"paper_id": "2401.15884"})
post = load_event("api_post_summary", body=json.dumps({"paper_id": "2401.15884"}))
answers = [api.handler(event, Context()) for event in (get, post, get)]
print(json.dumps({"statuses": [a["statusCode"] for a in answers],
                  "one_liner": json.loads(answers[0]["body"])["result"]["one_liner"],
                  "loaded": [m for m in HEAVY if m in sys.modules]}))
"""


@pytest.fixture
def moto_url(monkeypatch):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("RONBUN_TABLE", TABLE)
    clients.reset()
    get_settings.cache_clear()
    try:
        yield url
    finally:
        clients.reset()
        server.stop()


def test_a_cached_read_imports_no_pydantic_and_no_arxiv_client(moto_url):
    # Given a paper whose summary is done, in the table
    res = create_resources(clients.dynamodb(), clients.sqs(), table=TABLE)
    seed_done(Store(TABLE), paper(), one_liner="キャッシュから返る一文です。")
    # When a fresh API container answers GET, POST and GET for it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RONBUN_", "POWERTOOLS_"))}
    env.update(AWS_ENDPOINT_URL=moto_url, RONBUN_TABLE=TABLE, RONBUN_QUEUE_URL=res.queue_url,
               POWERTOOLS_METRICS_DISABLED="true", POWERTOOLS_LOG_LEVEL="WARNING")
    code = f"HEAVY = {HEAVY!r}\n{CALL}"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    # Then every answer is the cached 200, and none of them imported pydantic or the arXiv client
    assert report["statuses"] == [200, 200, 200]
    assert report["one_liner"] == "キャッシュから返る一文です。"
    assert report["loaded"] == []
