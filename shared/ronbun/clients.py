"""boto3 clients made lazily, once per process, so that importing a handler costs nothing
and tests or the local stack can point them at moto through ``AWS_ENDPOINT_URL``."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import boto3
from botocore.config import Config

_lock = threading.Lock()
_sessions: dict[str | None, boto3.session.Session] = {}
_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 3},
                 max_pool_connections=32)


@lru_cache(maxsize=None)
def _client(service: str, endpoint_url: str | None, region: str | None):
    # One session per region: a session caches the endpoint and service models it loads
    # (~0.25 s each time otherwise), and it is not thread-safe while it builds clients.
    with _lock:
        session = _sessions.get(region) or _sessions.setdefault(region, boto3.session.Session(region_name=region))
        return session.client(service, endpoint_url=endpoint_url, config=_CONFIG)


def client(service: str):
    """The process's client for `service`, honouring AWS_ENDPOINT_URL and the region env."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return _client(service, endpoint, region)


def dynamodb():
    return client("dynamodb")


def sqs():
    return client("sqs")


def secretsmanager():
    return client("secretsmanager")


def ssm():
    return client("ssm")


def reset(*, sessions: bool = False) -> None:
    """Forget every client (tests that switch endpoints or moto contexts); with `sessions`,
    also the sessions and the credentials they resolved."""
    with _lock:
        _client.cache_clear()
        if sessions:
            _sessions.clear()
