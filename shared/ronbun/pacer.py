"""One pace for every request to arXiv, however many processes send them.

arXiv asks for one request every 3 seconds. A lock only paces the threads of one process;
Lambda runs many processes (API containers, workers) at once, so with `arxiv_pacer=table`
every process reserves its turn in one DynamoDB item (``PK=PACER#arxiv``, store.reserve_slot):
a conditional update moves "the next free moment" on by the interval, so each caller gets its
own slot and sleeps until it. A caller whose slot is further away than it may wait gets
ArxivBusy (retryable) instead: the API answers it at once, the worker's job comes back later.
The CLI (no table) keeps the in-process lock.
"""

from __future__ import annotations

import logging
import threading
import time

from .errors import RonbunError

log = logging.getLogger(__name__)


class ArxivBusy(RonbunError):
    """Too many requests are waiting for their turn at arXiv."""
    code = "arxiv_busy"
    status = 503
    message_ja = "arXiv へのリクエストが混み合っています。少し待ってから再度お試しください。"
    retryable = True


class ProcessPacer:
    """At most one request per `interval` seconds in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last = float("-inf")

    def wait(self, interval: float, max_wait: float) -> float:
        """Sleep until this caller's turn; returns the seconds waited."""
        with self._lock:
            wait = self._last + interval - time.monotonic()
            if wait > max(0.0, max_wait):
                raise ArxivBusy(f"the next arXiv request may go in {wait:.1f} s (longest wait {max_wait:.1f} s)")
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            return max(0.0, wait)


class TablePacer:
    """The pace shared through the table's `PACER#<name>` item; falls back to `local` (this
    process's pace) when the table cannot be reached, so arXiv is never asked faster than that.

    A turn is reserved a little ahead (`lead`: twice the last reservation's round trip), so the
    request can go exactly at its moment; a caller that still got its turn late gives that turn
    up and reserves another, so that it never sends closer than `interval` to the next caller."""

    LATE = 0.01

    def __init__(self, table: str, local: ProcessPacer, name: str = "arxiv"):
        self.table, self.local, self.name = table, local, name
        self.lead = 0.1

    def wait(self, interval: float, max_wait: float) -> float:
        from .store import Store, StoreError

        if interval <= 0:
            return 0.0
        store, started = Store(self.table), time.monotonic()
        while True:
            left = max(0.0, max_wait - (time.monotonic() - started))
            t0 = time.time()
            try:
                slot = store.reserve_slot(self.name, interval, left, lead=self.lead)
            except StoreError as exc:
                log.warning("shared arXiv pacer unavailable (%s); pacing this process only", exc)
                return self.local.wait(interval, left)
            self.lead = min(1.0, max(0.02, 2 * (time.time() - t0)))
            if slot is None:
                raise ArxivBusy(f"every arXiv turn of the next {max_wait:.1f} s is taken")
            wait = slot - time.time()
            if wait >= -self.LATE:
                if wait > 0:
                    time.sleep(wait)
                return time.monotonic() - started
            log.info("reserved arXiv turn missed by %.3f s; reserving the next one", -wait)
