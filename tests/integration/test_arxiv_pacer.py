"""arXiv's one request per interval holds across processes: several real processes (as many
Lambda containers would be) fetch metadata from the fake arXiv at the same moment, pacing
themselves through one DynamoDB item on a moto server. The fake records each request's arrival."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from infra.tables import create_resources
from tests.fakes.fake_arxiv import FakeArxiv

REPO = Path(__file__).resolve().parents[2]
INTERVAL = 0.3
# Each process sends at its reserved moment; the arrival the fake records adds the local
# socket's latency, which on a loaded machine varies by a few tens of ms from one request to the next.
TOLERANCE = 0.1
SCRIPT = """
import sys, time
from ronbun import clients
from ronbun.arxiv import get_client
from ronbun.ids import parse_id
client = get_client()
clients.dynamodb().describe_table(TableName="ronbun-pacer")     # connections warm before the start
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[1])):
    client.fetch_metadata(parse_id("2401.15884"))
print("done", flush=True)
"""


MOTO = """
import time
from moto.server import ThreadedMotoServer
from infra.moto_atomic import make_moto_transactions_atomic
make_moto_transactions_atomic()      # conditional writes atomic, as DynamoDB's are
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"ready http://{host}:{port}", flush=True)
time.sleep(3600)
"""


@pytest.fixture
def moto_url():
    """A moto server in its own process (as DynamoDB is), so that this process, which records
    the fake arXiv's arrival times, is not kept busy by it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "shared"), str(REPO)])}
    proc = subprocess.Popen([sys.executable, "-c", MOTO], cwd=REPO, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().split()
        assert line and line[0] == "ready", "moto did not start"
        url = line[1]
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                        region_name="us-east-1")
        create_resources(session.client("dynamodb", endpoint_url=url), session.client("sqs", endpoint_url=url),
                         table="ronbun-pacer")
        yield url
    finally:
        proc.kill()
        proc.wait(10)


def run_processes(count: int, each: int, env: dict[str, str]) -> None:
    """`count` processes, each fetching `each` times, all released at once."""
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(each)], cwd=REPO, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(count)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            assert p.stdout.readline().strip() == "done"
            assert p.wait(30) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def pacer_env(arxiv: FakeArxiv, moto_url: str, pacer: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RONBUN_", "AWS_"))}
    env.update(AWS_ENDPOINT_URL=moto_url, AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
               AWS_DEFAULT_REGION="us-east-1", RONBUN_TABLE="ronbun-pacer", RONBUN_ARXIV_PACER=pacer,
               RONBUN_ARXIV_MIN_INTERVAL=str(INTERVAL), RONBUN_ARXIV_API_URL=arxiv.api_url,
               RONBUN_ARXIV_BASE_URL=arxiv.url, PYTHONPATH=os.pathsep.join([str(REPO / "shared"), str(REPO)]))
    return env


def gaps(arxiv: FakeArxiv) -> list[float]:
    times = sorted(s.at for s in arxiv.log if s.path.startswith("/api/query"))
    return [b - a for a, b in zip(times, times[1:])]


def test_four_processes_keep_one_interval_between_all_their_arxiv_requests(moto_url):
    # Given four processes sharing the table's pacer, and arXiv's interval of 0.3 s
    with FakeArxiv() as arxiv:
        arxiv.add_paper("2401.15884")
        # When they all fetch metadata three times, starting at the same moment
        run_processes(4, 3, pacer_env(arxiv, moto_url, "table"))
        # Then arXiv saw twelve requests, never two closer than the interval
        spacing = gaps(arxiv)
    assert len(spacing) == 11
    assert min(spacing) >= INTERVAL - TOLERANCE, [round(g, 3) for g in spacing]
    assert sorted(spacing)[len(spacing) // 2] >= INTERVAL - 0.01, [round(g, 3) for g in spacing]
