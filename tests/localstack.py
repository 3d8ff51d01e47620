"""The local stack for fault tests and the bench: ``python -m tests.localstack [infra.local args]``
runs ``infra.local`` unchanged, in a moto whose DynamoDB transactions are atomic.

Why: moto's ``transact_write_items`` deep-copies the whole table first and, when a condition
fails, puts that copy back, erasing every write other threads made meanwhile. Fifty readers
asking for one new paper at once make 49 transactions fail (the job already exists); a worker
that claimed the job in between loses its claim, then its lease, and the job stays ``queued``
with no message. Real DynamoDB isolates transactions per item. One lock around moto's DynamoDB
writes gives moto those semantics; Ronbun's code and boto3 calls are untouched.

`LocalStack` (below) starts it as a subprocess, like tests/integration/test_local_stack.Stack.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from functools import wraps

from tests.integration.test_local_stack import REPO, Stack

WRITES = ("transact_write_items", "put_item", "update_item", "delete_item")


def make_moto_transactions_atomic() -> None:
    """Serialise moto's DynamoDB writes (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_ronbun_atomic", False):
        return
    lock = threading.RLock()
    for name in WRITES:
        original = getattr(DynamoDBBackend, name)

        @wraps(original)
        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)
        setattr(DynamoDBBackend, name, locked)
    DynamoDBBackend._ronbun_atomic = True


class LocalStack(Stack):
    """`python -m tests.localstack` in a subprocess; stdout and stderr (merged) are kept in
    `lines`. Same helpers as test_local_stack.Stack (request, post, wait_terminal, aws, ...)."""

    def __init__(self, env: dict[str, str], api_key: str | None = None, workers: int = 2):
        self.api_key = api_key
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.url = self.moto_url = ""
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.localstack", "--port", "0", "--workers", str(workers)],
                                     cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(90):
            self.stop()
            raise AssertionError("local stack did not start:\n" + self.output())


def main(argv: list[str] | None = None) -> int:
    make_moto_transactions_atomic()
    from infra.local import main as local_main

    return local_main(argv)


if __name__ == "__main__":
    sys.exit(main())
