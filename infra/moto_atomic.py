"""Give moto's DynamoDB per-item write isolation, as real DynamoDB has.

moto's ``transact_write_items`` deep-copies the whole table first and, when a condition fails,
puts that copy back, erasing every write other threads made meanwhile. Fifty readers asking for
one new paper at once make 49 transactions fail (the job already exists); a worker that claimed
the job in between loses its claim and the job stays ``queued`` with no message. One lock around
moto's DynamoDB writes removes that; Ronbun's code and boto3 calls are untouched.
"""

from __future__ import annotations

import threading
from functools import wraps

WRITES = ("transact_write_items", "put_item", "update_item", "delete_item")
# Reads too: a query deep-copies the items it returns, and an update that adds or removes an
# attribute meanwhile (a job's stage or partial result) fails it with "dictionary changed size
# during iteration".
READS = ("get_item", "query", "scan", "batch_get_item", "transact_get_items")


def make_moto_transactions_atomic() -> None:
    """Serialise moto's DynamoDB writes and reads (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_ronbun_atomic", False):
        return
    lock = threading.RLock()
    for name in WRITES + READS:
        original = getattr(DynamoDBBackend, name)

        @wraps(original)
        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)
        setattr(DynamoDBBackend, name, locked)
    DynamoDBBackend._ronbun_atomic = True
