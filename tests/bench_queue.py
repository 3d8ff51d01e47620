"""Before/after figures for the queue and arXiv politeness fixes (issue 10, defects 1 restart
cap, 3, 4, 5, 6, 9), measured the same way on any checkout:

    python -m tests.bench_queue --root /path/to/checkout [--skip-stack]

Everything under test runs from `--root` (subprocesses with its `shared/` and root on PYTHONPATH,
its local stack, its template); this file only drives them and the fake arXiv.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

from tests.fakes.fake_arxiv import _NOT_A_PDF, FakeArxiv

HERE = Path(__file__).resolve().parents[1]


def env_for(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RONBUN_", "AWS_", "OPENAI_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(root / "shared"), str(root)]), AWS_ACCESS_KEY_ID="local",
               AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1", PYTHONUNBUFFERED="1",
               POWERTOOLS_LOG_LEVEL="ERROR")
    env.update(extra)
    return env


def run_script(root: Path, script: str, **extra: str) -> dict:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=root, env=env_for(root, **extra),
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- 3: pacing across processes

MOTO = """
import time
from moto.server import ThreadedMotoServer
from infra.moto_atomic import make_moto_transactions_atomic
make_moto_transactions_atomic()
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"ready http://{host}:{port}", flush=True)
time.sleep(3600)
"""

FETCHER = """
import sys
from ronbun import clients
from ronbun.arxiv import get_client
from ronbun.ids import parse_id
client = get_client()
clients.dynamodb().list_tables()
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[1])):
    client.fetch_metadata(parse_id("2401.15884"))
print("done", flush=True)
"""


def pacing(root: Path, processes: int = 4, each: int = 3, interval: float = 0.3) -> dict:
    import boto3

    from infra.tables import create_resources

    moto = subprocess.Popen([sys.executable, "-c", MOTO], cwd=root, env=env_for(root), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        url = moto.stdout.readline().split()[1]
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                        region_name="us-east-1")
        create_resources(session.client("dynamodb", endpoint_url=url), session.client("sqs", endpoint_url=url),
                         table="ronbun")
        with FakeArxiv() as arxiv:
            arxiv.add_paper("2401.15884")
            env = env_for(root, AWS_ENDPOINT_URL=url, RONBUN_TABLE="ronbun", RONBUN_ARXIV_PACER="table",
                          RONBUN_ARXIV_MIN_INTERVAL=str(interval), RONBUN_ARXIV_API_URL=arxiv.api_url)
            procs = [subprocess.Popen([sys.executable, "-c", FETCHER, str(each)], cwd=root, env=env, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(processes)]
            for p in procs:
                p.stdout.readline()
            for p in procs:
                p.stdin.write("go\n")
                p.stdin.flush()
            for p in procs:
                p.wait(60)
            times = sorted(s.at for s in arxiv.log if s.path.startswith("/api/query"))
    finally:
        moto.kill()
    gaps = [b - a for a, b in zip(times, times[1:])]
    return {"requests": len(times), "interval_s": interval, "min_gap_s": round(min(gaps), 3),
            "median_gap_s": round(statistics.median(gaps), 3), f"first_{processes}_within_s": round(times[processes - 1] - times[0], 3)}


# ---------------------------------------------------------------------------- in-process moto scenarios

PRELUDE = """
import json, time
from moto import mock_aws
from infra.tables import create_resources
from ronbun import clients, service
from ronbun.ids import parse_id
from ronbun.models import Paper
from ronbun.settings import get_settings
from ronbun.store import Store, JobKey, utc_day
import os
mock = mock_aws(); mock.start()
res = create_resources(clients.dynamodb(), clients.sqs(), table="ronbun")
os.environ["RONBUN_QUEUE_URL"] = res.queue_url
get_settings.cache_clear()
store = Store("ronbun")
PID = "2401.15884"
store.put_meta(Paper(id=PID, version=1, latest_version=1, title="T", authors=["A"],
                     abs_url="https://arxiv.org/abs/2401.15884v1", pdf_url="https://arxiv.org/pdf/2401.15884v1"), time.time())
_, model = service.current_generator(get_settings())
key = JobKey(PID, 1, "ja", service.PROMPT_VERSION, model)
def messages_for(pid):
    got = clients.sqs().receive_message(QueueUrl=res.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sum(json.loads(m["Body"]).get("paper_id") == pid for m in got.get("Messages", []))
"""

CAP_AFTER_OUTAGE = PRELUDE + """
os.environ["RONBUN_QUEUE_URL"] = res.queue_url.replace("ronbun-jobs", "gone"); get_settings.cache_clear()
try:
    service.start_summary(parse_id(PID))
except Exception as exc:
    first = type(exc).__name__
os.environ["RONBUN_QUEUE_URL"] = res.queue_url; get_settings.cache_clear()
second = service.start_summary(parse_id(PID)).status_code
print(json.dumps({"first_post": first, "second_post": second, "cap_charged": store.budget_used(utc_day(time.time())),
                  "work_queued": messages_for(PID)}))
"""

BACKLOG = PRELUDE + """
t = time.time()
service.start_summary(parse_id(PID), now=t - 3 * 3600)     # asked for three hours ago
for i in range(5):                                        # ... behind a backlog of other papers
    clients.sqs().send_message(QueueUrl=res.queue_url, MessageBody=json.dumps({"paper_id": f"2402.0000{i}"}))
get_status = service.read_summary(parse_id(PID)).body["status"]
post = service.start_summary(parse_id(PID))
print(json.dumps({"get_status": get_status, "post_status": post.status_code, "messages_for_the_job": messages_for(PID)}))
"""

RESTARTS = PRELUDE + """
t = time.time()
service.start_summary(parse_id(PID), now=t)
accepted, refused = 0, None
for n in range(6):
    t += 100
    store.claim_job(key, f"w{n}", t + 10, t)       # a worker takes it and is killed (lease 10 s)
    t += 100
    try:
        service.start_summary(parse_id(PID), now=t)
        accepted += 1
    except Exception as exc:
        refused = getattr(exc, "code", type(exc).__name__)
        break
print(json.dumps({"restarts_accepted": accepted, "then": refused, "cap_charged": store.budget_used(utc_day(t))}))
"""

MISSING = PRELUDE + """
for _ in range(3):
    try:
        service.start_summary(parse_id("2403.99999"))
    except Exception as exc:
        code = exc.code
print(json.dumps({"answer": code}))
"""


# ---------------------------------------------------------------------------- 5: retry after one transient failure

def stack_retry(root: Path, visibility: int) -> dict:
    with FakeArxiv() as arxiv:
        arxiv.add_paper("2406.00001", title="Flaky")
        arxiv.add_paper("2406.00002", title="Being generated")
        arxiv.fail("/pdf/2406.00001", [503])
        arxiv.respond("/pdf/2406.00002", _NOT_A_PDF, content_type="text/html; charset=utf-8")
        env = env_for(root, RONBUN_ARXIV_API_URL=arxiv.api_url, RONBUN_ARXIV_BASE_URL=arxiv.url,
                      RONBUN_ARXIV_MIN_INTERVAL="0", RONBUN_ARXIV_RETRIES="0",
                      RONBUN_LOCAL_VISIBILITY_TIMEOUT=str(visibility), OPENAI_BASE_URL="http://127.0.0.1:9/v1")
        proc = subprocess.Popen([sys.executable, "-m", "infra.local", "--port", "0"], cwd=root, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            url = ""
            for line in proc.stdout:
                if line.startswith("ready "):
                    url = line.split()[1]
                    break

            def call(method: str, path: str, body: dict | None = None) -> dict:
                req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body else None,
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        return json.loads(r.read())
                except urllib.error.HTTPError as e:
                    return json.loads(e.read())

            out = {}
            for pid in ("2406.00001", "2406.00002"):
                call("POST", "/v1/summaries", {"paper_id": pid})
            notices, deadline = {}, time.monotonic() + visibility + 30
            states = {}
            while time.monotonic() < deadline and len(states) < 2:
                for pid in ("2406.00001", "2406.00002"):
                    if pid in states:
                        continue
                    s = call("GET", f"/v1/summaries/{pid}")
                    if s.get("retry_reason"):
                        notices[pid] = s["retry_reason"]["message_ja"]
                    if s.get("status") in ("done", "failed"):
                        states[pid] = s
                time.sleep(0.25)
            for pid, label in (("2406.00001", "pdf_503_once"), ("2406.00002", "pdf_being_generated_once")):
                pdf = [s.at for s in arxiv.log if s.path.startswith(f"/pdf/{pid}")]
                s = states.get(pid, {})
                out[label] = {"final": s.get("status") or "still pending",
                              "code": (s.get("error") or {}).get("code"),
                              "seconds_to_retry": round(pdf[1] - pdf[0], 1) if len(pdf) > 1 else None,
                              "notice": notices.get(pid)}
            return out
        finally:
            proc.terminate()
            proc.wait(15)


def template_default(root: Path) -> dict:
    text = (root / "template.yaml").read_text()
    block = text[text.index("  ReserveWorkerConcurrency:"):]
    default = next(line.split(":", 1)[1].strip() for line in block.splitlines() if line.strip().startswith("Default:"))
    return {"ReserveWorkerConcurrency_default": default}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=HERE)
    ap.add_argument("--skip-stack", action="store_true")
    ap.add_argument("--visibility", type=int, default=60, help="the local queue's visibility timeout (template: 1800)")
    args = ap.parse_args()
    root = args.root.resolve()
    report = {"root": str(root)}
    report["3_pacing_4_processes"] = pacing(root)
    with FakeArxiv() as arxiv:
        report["3_missing_id_3_lookups"] = {**run_script(root, MISSING, RONBUN_ARXIV_API_URL=arxiv.api_url,
                                                         RONBUN_ARXIV_MIN_INTERVAL="0"),
                                            "arxiv_requests": arxiv.count("/api/query")}
    report["4_cap_after_sqs_outage"] = run_script(root, CAP_AFTER_OUTAGE)
    report["6_backlog_3h"] = run_script(root, BACKLOG)
    report["1_restarts_of_a_job_that_died"] = run_script(root, RESTARTS)
    report["9_template"] = template_default(root)
    if not args.skip_stack:
        report[f"5_retry_local_stack_visibility_{args.visibility}s"] = stack_retry(root, args.visibility)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
