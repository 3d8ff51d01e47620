"""Shared test setup: no test ever reaches the real arXiv or OpenAI."""

import pytest

from ronbun.settings import get_settings

pytest_plugins = ["tests.fakes.fake_arxiv", "tests.fakes.fake_openai"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """Point every outbound host at nothing real and start each test with fresh settings."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("RONBUN_ENGINE", raising=False)
    monkeypatch.setenv("RONBUN_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("RONBUN_ARXIV_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("RONBUN_ARXIV_MIN_INTERVAL", "0")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
