"""The OpenAI key from Secrets Manager or SSM Parameter Store, read once per container.

``RONBUN_OPENAI_SECRET`` names where it lives: ``ssm:/ronbun/openai-key`` (or any name starting
with ``/``) is an SSM SecureString; anything else is a Secrets Manager id or ARN whose string is
the key itself or JSON with ``OPENAI_API_KEY`` / ``openai_api_key`` / ``api_key``. The key is
never logged; errors name the secret, not its value.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace

from . import clients
from .errors import EngineNotConfigured
from .settings import Secret, Settings

_JSON_KEYS = ("OPENAI_API_KEY", "openai_api_key", "api_key")
_lock = threading.Lock()
_cache: dict[str, Secret] = {}


def _read(name: str) -> str:
    if name.startswith("ssm:") or name.startswith("/"):
        param = name.removeprefix("ssm:")
        resp = clients.ssm().get_parameter(Name=param, WithDecryption=True)
        return resp["Parameter"]["Value"]
    resp = clients.secretsmanager().get_secret_value(SecretId=name)
    text = resp.get("SecretString") or ""
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            return text
        for key in _JSON_KEYS:
            if isinstance(doc.get(key), str):
                return doc[key]
        return ""
    return text


def openai_key(name: str) -> Secret:
    """The key stored under `name` (cached for the life of the process)."""
    with _lock:
        if name not in _cache:
            try:
                value = _read(name).strip()
            except Exception as exc:  # boto errors carry no secret material
                raise EngineNotConfigured(f"cannot read the OpenAI key from {name!r}: {type(exc).__name__}",
                                          message_ja="OpenAI の API キーを読み込めませんでした(シークレットの設定を確認してください)。",
                                          retryable=True) from None
            if not value:
                raise EngineNotConfigured(f"the secret {name!r} holds no OpenAI key")
            _cache[name] = Secret(value)
        return _cache[name]


def with_openai_key(settings: Settings) -> Settings:
    """`settings` with the key from RONBUN_OPENAI_SECRET filled in (unchanged when a key is
    already set or no secret is configured)."""
    if settings.openai_api_key is not None or not settings.openai_secret:
        return settings
    return replace(settings, openai_api_key=openai_key(settings.openai_secret))


def forget() -> None:
    """Drop the cached keys (tests; a rotated key is picked up by new containers anyway)."""
    with _lock:
        _cache.clear()
