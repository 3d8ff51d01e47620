"""The whole backend on one machine: ``python -m infra.local [--port 3000]``.

moto (DynamoDB + SQS) runs on 127.0.0.1; the table and queues are created from template.yaml;
the API handler sits behind an HTTP adapter that builds API Gateway REST proxy events (and
checks ``x-api-key`` like API Gateway when RONBUN_API_KEY is set); a poller long-polls SQS and
hands messages to the worker handler as SQS events, deleting the ones that succeeded. The
handlers and boto3 calls are the ones that run in AWS.

Each concurrent request or worker gets its own copy of the handler module, as separate
Lambda containers would: Powertools resolvers and batch processors hold per-invocation state.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import importlib.util
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
API_APP = ROOT / "functions" / "api" / "app.py"
WORKER_APP = ROOT / "functions" / "worker" / "app.py"
STAGE = "local"
GREEDY = "/v1/summaries/"
MAX_REQUEST_BYTES = 1024 * 1024
API_TIMEOUT_SECONDS = 29
WORKER_TIMEOUT_SECONDS = 420            # template.yaml's WorkerFunction Timeout
REGION = "us-east-1"


def load_handler_module(path: Path, name: str) -> ModuleType:
    """A fresh copy of a function's app.py (one per simulated Lambda container)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    """What Powertools reads from the Lambda context object."""
    function_name: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:000000000000:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


_invocation = threading.local()


class InvocationKeys(logging.Filter):
    """In Lambda a process serves one invocation at a time, so the Powertools Logger's keys
    (function name, request id, correlation id) are right; here several simulated containers
    share one process and one "ronbun" logger. This filter stamps each record with the keys of
    the invocation running on its own thread (record attributes win over the shared keys)."""

    def filter(self, record: logging.LogRecord) -> bool:
        keys = getattr(_invocation, "keys", None)
        if keys:
            record.__dict__.update(keys)
        return True


def paper_of(event: dict) -> str | None:
    """The paper an event is about (local logs only): an SQS job body, a POST body or a GET path."""
    try:
        if event.get("Records"):
            return json.loads(event["Records"][0]["body"]).get("paper_id")
        if (event.get("httpMethod") == "POST" and event.get("body") and not event.get("isBase64Encoded")
                and event.get("path", "").endswith("/summaries")):
            return json.loads(event["body"]).get("paper_id")
        path = event.get("path") or ""
        return path.split("/v1/summaries/", 1)[1] if "/v1/summaries/" in path else None
    except (ValueError, RecursionError, AttributeError, KeyError, IndexError, TypeError):
        return None         # hostile bodies are the handler's to refuse; the log just has no paper id


class Containers:
    """A pool of handler copies; each serves one invocation at a time."""

    def __init__(self, path: Path, count: int, prefix: str):
        self._free: queue.Queue = queue.Queue()
        for i in range(count):
            self._free.put(load_handler_module(path, f"_ronbun_{prefix}_{i}").handler)
        for handler in logging.getLogger("ronbun").handlers:
            if not any(isinstance(f, InvocationKeys) for f in handler.filters):
                handler.addFilter(InvocationKeys())

    def invoke(self, event: dict, context: LambdaContext) -> dict:
        handler = self._free.get()
        _invocation.keys = {"function_name": context.function_name, "function_request_id": context.aws_request_id,
                            "function_arn": context.invoked_function_arn, "correlation_id": paper_of(event)}
        try:
            return handler(event, context)
        finally:
            _invocation.keys = None
            self._free.put(handler)


# ---------------------------------------------------------------------------- API adapter

def proxy_event(method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes,
                source_ip: str) -> dict:
    """A REST API (v1) proxy event, shaped like `sam local generate-event apigateway aws-proxy`."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path) or "/"
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    query = parse_qs(parts.query, keep_blank_values=True)
    if path.startswith(GREEDY) and len(path) > len(GREEDY):
        resource, params = GREEDY + "{paper_id+}", {"paper_id": path[len(GREEDY):]}
    else:
        resource, params = path, None
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    lower = {k.lower(): v for k, v in single.items()}
    now = time.time()
    return {
        "body": text if body else None,
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "isBase64Encoded": encoded,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": params,
        "stageVariables": None,
        "headers": single,
        "multiValueHeaders": multi,
        "requestContext": {
            "accountId": "000000000000", "apiId": "local", "resourceId": "local", "stage": STAGE,
            "requestId": str(uuid.uuid4()), "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000), "httpMethod": method, "path": f"/{STAGE}{path}",
            "resourcePath": resource, "protocol": "HTTP/1.1",
            "identity": {"sourceIp": source_ip, "userAgent": lower.get("user-agent"),
                         "apiKey": lower.get("x-api-key"), "apiKeyId": None, "accessKey": None, "accountId": None,
                         "caller": None, "user": None, "userArn": None, "cognitoIdentityId": None,
                         "cognitoIdentityPoolId": None, "cognitoAuthenticationType": None,
                         "cognitoAuthenticationProvider": None},
        },
    }


def forbidden_response() -> dict:
    from ronbun.errors import Unauthorized

    return {"statusCode": 403, "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
            "body": json.dumps({"error": Unauthorized("missing or invalid API key").to_dict()}, ensure_ascii=False)}


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "RonbunLocal/1.0"
    stack: "LocalStack"

    def log_message(self, format, *args):  # noqa: A002 - the handler logs as JSON already
        pass

    def _serve(self) -> None:
        raw_length = (self.headers.get("Content-Length") or "0").strip()
        if not raw_length.isdigit():       # "-1" would block on read, "abc" would crash: API Gateway says 400
            self._write({"statusCode": 400, "headers": {"Content-Type": "application/json"},
                         "body": '{"message": "Invalid Content-Length"}'}, close=True)
            return
        length = int(raw_length)
        if length > MAX_REQUEST_BYTES:
            self._drain(length)            # like API Gateway: read the body, then refuse it (no broken pipe)
            self._write({"statusCode": 413, "headers": {"Content-Type": "application/json"},
                         "body": '{"message": "Request Too Long"}'}, close=True)
            return
        body = self.rfile.read(length) if length else b""
        api_key = self.stack.api_key
        if api_key and self.command != "OPTIONS" and not hmac.compare_digest(
                (self.headers.get("x-api-key") or "").encode(), api_key.encode()):
            self._write(forbidden_response())
            return
        event = proxy_event(self.command, self.path, list(self.headers.items()), body, self.client_address[0])
        try:
            response = self.stack.api.invoke(event, LambdaContext("ronbun-local-api", API_TIMEOUT_SECONDS))
        except Exception as exc:  # a handler crash is API Gateway's 502
            print(f"api handler crashed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            response = {"statusCode": 502, "headers": {"Content-Type": "application/json"},
                        "body": '{"message": "Internal server error"}'}
        self._write(response)

    def _drain(self, length: int, limit: int = 16 * 1024 * 1024) -> None:
        left = min(length, limit)
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                return
            left -= len(chunk)

    def _write(self, response: dict, close: bool = False) -> None:
        body = response.get("body") or ""
        data = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode("utf-8")
        self.send_response(int(response.get("statusCode", 502)))
        headers: dict[str, list[str]] = {k: list(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
        for k, v in (response.get("headers") or {}).items():
            headers.setdefault(k, [v])
        for k, values in headers.items():
            if k.lower() not in ("content-length", "connection"):
                for v in values:
                    self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    request_queue_size = 128        # bursts of concurrent clients (the default backlog is 5)
    daemon_threads = True


# ---------------------------------------------------------------------------- SQS poller

def sqs_event(messages: list[dict], queue_arn: str) -> dict:
    """An SQS event as the Lambda event source mapping delivers it."""
    records = []
    for m in messages:
        attrs = {k: v for k, v in (m.get("Attributes") or {}).items()}
        records.append({
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": attrs,
            "messageAttributes": {k: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"),
                                      "stringListValues": [], "binaryListValues": [], "dataType": v.get("DataType")}
                                  for k, v in (m.get("MessageAttributes") or {}).items()},
            "md5OfBody": m.get("MD5OfBody"), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
            "awsRegion": queue_arn.split(":")[3] if queue_arn.count(":") >= 5 else REGION})
    return {"Records": records}


class Poller:
    """Worker threads that receive jobs and invoke the worker handler, batch size 1 as in
    template.yaml; failed messages stay in the queue for redelivery (and the DLQ)."""

    def __init__(self, stack: "LocalStack", workers: int, batch_size: int = 1):
        self.stack, self.batch_size = stack, batch_size
        self.containers = Containers(WORKER_APP, workers, "worker")
        self.threads = [threading.Thread(target=self._run, name=f"worker-{i}", daemon=True) for i in range(workers)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def _run(self) -> None:
        from ronbun import clients

        sqs, url = clients.sqs(), self.stack.resources.queue_url
        while not self.stack.stopping.is_set():
            try:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=self.batch_size, WaitTimeSeconds=1,
                                          AttributeNames=["All"], MessageAttributeNames=["All"])
            except Exception as exc:
                if not self.stack.stopping.is_set():
                    print(f"poller: receive failed: {exc}", file=sys.stderr, flush=True)
                    time.sleep(0.5)
                continue
            messages = got.get("Messages") or []
            if not messages:
                continue
            try:
                out = self.containers.invoke(sqs_event(messages, self.stack.queue_arn),
                                             LambdaContext("ronbun-local-worker", WORKER_TIMEOUT_SECONDS))
                failed = {f["itemIdentifier"] for f in (out or {}).get("batchItemFailures", [])}
            except Exception as exc:  # the whole invocation failed: every message comes back
                print(f"worker handler crashed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                failed = {m["MessageId"] for m in messages}
            for m in messages:
                if m["MessageId"] not in failed:
                    try:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    except Exception as exc:  # the message comes back; the worker skips a done job
                        print(f"poller: delete failed: {exc}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- the stack

class LocalStack:
    def __init__(self, host: str, port: int, moto_port: int, workers: int, api_concurrency: int):
        self.host, self.port, self.moto_port = host, port, moto_port
        self.workers, self.api_concurrency = workers, api_concurrency
        self.stopping = threading.Event()
        self.moto = None
        self.httpd: _Server | None = None
        self._serving: threading.Thread | None = None
        self.api_key: str | None = None

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        from infra.moto_atomic import make_moto_transactions_atomic

        make_moto_transactions_atomic()

        logging.getLogger("werkzeug").setLevel(logging.WARNING)   # moto's per-request access log
        handler = type("Handler", (ApiHandler,), {"stack": self})
        self.httpd = _Server((self.host, self.port), handler)     # fail fast if the port is taken
        self.port = self.httpd.server_address[1]
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port or 0, verbose=False)
        self.moto.start()
        moto_host, moto_port = self.moto.get_host_and_port()
        self.moto_url = f"http://{moto_host}:{moto_port}"
        self._environment()

        from infra.tables import create_resources
        from ronbun import clients
        from ronbun.settings import get_settings

        clients.reset()
        get_settings.cache_clear()
        settings = get_settings()
        override = os.environ.get("RONBUN_LOCAL_VISIBILITY_TIMEOUT")
        self.resources = create_resources(clients.dynamodb(), clients.sqs(), table=settings.table_name,
                                          visibility_timeout=int(override) if override else None)
        self.queue_arn = clients.sqs().get_queue_attributes(
            QueueUrl=self.resources.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        os.environ["RONBUN_QUEUE_URL"] = self.resources.queue_url
        from infra.tables import TEXT_BUCKET, create_text_bucket  # paper texts for questions (S3)
        os.environ["RONBUN_TEXT_BUCKET"] = create_text_bucket(
            clients.client("s3"), name=os.environ.get("RONBUN_TEXT_BUCKET") or TEXT_BUCKET)
        os.environ.setdefault("RONBUN_MAX_ATTEMPTS", str(self.resources.max_receive_count))
        get_settings.cache_clear()
        settings = get_settings()
        self.api_key = settings.api_key.get_secret_value() if settings.api_key else None

        self.api = Containers(API_APP, self.api_concurrency, "api")
        self.poller = Poller(self, self.workers)
        self.poller.start()
        self._serving = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                         name="api", daemon=True)
        self._serving.start()
        self._announce(settings)

    def _environment(self) -> None:
        """Point boto3 at moto with dummy credentials: the local stack never touches AWS."""
        os.environ["AWS_ENDPOINT_URL"] = self.moto_url
        os.environ["AWS_ACCESS_KEY_ID"] = "local"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "local"
        os.environ.pop("AWS_SESSION_TOKEN", None)
        os.environ.pop("AWS_PROFILE", None)
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
        os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")   # shared state across threads
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "ronbun")
        os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Ronbun")
        os.environ.setdefault("RONBUN_ARXIV_PACER", "table")     # one arXiv pace, as in AWS (template.yaml)

    def _announce(self, settings) -> None:
        from ronbun.service import current_generator

        engine, model = current_generator(settings)
        if engine == "openai" and settings.openai_api_key is None and not settings.openai_secret:
            note = " (OPENAI_API_KEY is not set: jobs will fail; unset RONBUN_ENGINE to use offline)"
        elif engine == "offline":
            note = " (deterministic extractive summaries" + ("" if settings.openai_api_key else
                                                            "; set OPENAI_API_KEY to use openai") + ")"
        else:
            note = ""
        url = f"http://{self.host}:{self.port}"
        print(f"engine   {engine} / {model}{note}", flush=True)
        print(f"api      {url}  (x-api-key {'required' if self.api_key else 'not required'})", flush=True)
        print(f"moto     {self.moto_url}  table {self.resources.table}, queue {self.resources.queue_url}", flush=True)
        print(f"workers  {self.workers}, visibility timeout {self.resources.visibility_timeout}s, "
              f"max receives {self.resources.max_receive_count}", flush=True)
        print(f"ready {url}", flush=True)

    def stop(self) -> None:
        self.stopping.set()
        if self.httpd is not None:
            if self._serving is not None:
                self.httpd.shutdown()
            self.httpd.server_close()
        for t in getattr(getattr(self, "poller", None), "threads", []):
            t.join(timeout=3)
        if self.moto is not None:
            self.moto.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=3000, help="API port (0: any free port)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--moto-port", type=int, default=0, help="moto server port (0: any free port)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("RONBUN_LOCAL_WORKERS", "2")),
                    help="worker threads (simulated worker concurrency)")
    ap.add_argument("--api-concurrency", type=int, default=8, help="simulated API containers")
    args = ap.parse_args(argv)

    stack = LocalStack(args.host, args.port, args.moto_port, max(1, args.workers), max(1, args.api_concurrency))
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        stack.start()
        while not done.wait(0.5):
            pass
        print("stopping", flush=True)
    except OSError as exc:
        print(f"cannot start the local stack: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
