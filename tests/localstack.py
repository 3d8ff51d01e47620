"""The local stack (``python -m infra.local``) as a subprocess for the fault tests and the bench,
with its output kept; like tests/integration/test_local_stack.Stack."""

from __future__ import annotations

import subprocess
import sys
import threading

from tests.integration.test_local_stack import REPO, Stack


class LocalStack(Stack):
    """`python -m infra.local` in a subprocess; stdout and stderr (merged) are kept in
    `lines`. Same helpers as test_local_stack.Stack (request, post, wait_terminal, aws, ...)."""

    def __init__(self, env: dict[str, str], api_key: str | None = None, workers: int = 2):
        self.api_key = api_key
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.url = self.moto_url = ""
        self.proc = subprocess.Popen([sys.executable, "-m", "infra.local", "--port", "0", "--workers", str(workers)],
                                     cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(90):
            self.stop()
            raise AssertionError("local stack did not start:\n" + self.output())
