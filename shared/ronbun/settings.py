"""One settings object, read from the environment once."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field, SecretStr

PROMPT_LANG = "ja"


class Settings(BaseModel):
    arxiv_api_url: str = Field("https://export.arxiv.org/api/query", description="arXiv API (Atom)")
    arxiv_base_url: str = Field("https://arxiv.org", description="PDFs at {base}/pdf/{id}v{n}")
    arxiv_min_interval: float = Field(3.0, description="seconds between arXiv requests (arXiv's rule)")
    arxiv_timeout: float = Field(30.0, description="seconds per arXiv request")
    arxiv_retries: int = Field(3, description="retries on 429/503/connection errors")
    arxiv_max_retry_after: float = Field(60.0, description="longest Retry-After honoured, seconds")
    user_agent: str = Field("ronbun/0.1 (+https://github.com/ronbun; Japanese paper summaries)")
    pdf_max_bytes: int = Field(50 * 1024 * 1024, description="largest PDF downloaded")
    pdf_max_pages: int = Field(150, description="most pages extracted")
    pdf_max_seconds: float = Field(120.0, description="longest PDF download, seconds")

    engine: str | None = Field(None, description="openai | offline; default: openai when a key is set")
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = Field("gpt-4.1-mini", description="model name, stored with every result")
    openai_timeout: float = Field(120.0, description="seconds per model call attempt")
    openai_max_retries: int = Field(2, description="SDK retries per call")
    prompt_max_chars: int = Field(60_000, description="body characters sent to the model")
    qa_count: int = Field(6, description="Q&A items asked for")

    table_name: str = Field("ronbun", description="DynamoDB table")
    queue_url: str | None = Field(None, description="SQS queue for jobs")
    daily_generation_cap: int = Field(500, description="new summaries per UTC day")
    api_key: SecretStr | None = Field(None, description="x-api-key required by the local adapter")
    lease_seconds: int = Field(900, description="how long a worker owns a job")
    max_attempts: int = Field(3, description="worker attempts before a job fails")
    openai_secret: str | None = Field(None, description="Secrets Manager id/ARN or SSM parameter (ssm:/name) holding the OpenAI key")
    metadata_ttl_hours: float = Field(24.0, description="hours before cached arXiv metadata is read again")
    failed_ttl_days: int = Field(7, description="days a failed job is kept (DynamoDB TTL)")

    @property
    def default_engine(self) -> str:
        if self.engine:
            return self.engine
        return "openai" if self.openai_api_key else "offline"


_ENV = {
    "arxiv_api_url": "RONBUN_ARXIV_API_URL",
    "arxiv_base_url": "RONBUN_ARXIV_BASE_URL",
    "arxiv_min_interval": "RONBUN_ARXIV_MIN_INTERVAL",
    "arxiv_timeout": "RONBUN_ARXIV_TIMEOUT",
    "arxiv_retries": "RONBUN_ARXIV_RETRIES",
    "arxiv_max_retry_after": "RONBUN_ARXIV_MAX_RETRY_AFTER",
    "user_agent": "RONBUN_USER_AGENT",
    "pdf_max_bytes": "RONBUN_PDF_MAX_BYTES",
    "pdf_max_pages": "RONBUN_PDF_MAX_PAGES",
    "pdf_max_seconds": "RONBUN_PDF_MAX_SECONDS",
    "engine": "RONBUN_ENGINE",
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "openai_model": "RONBUN_MODEL",
    "openai_timeout": "RONBUN_OPENAI_TIMEOUT",
    "openai_max_retries": "RONBUN_OPENAI_MAX_RETRIES",
    "prompt_max_chars": "RONBUN_PROMPT_MAX_CHARS",
    "qa_count": "RONBUN_QA_COUNT",
    "table_name": "RONBUN_TABLE",
    "queue_url": "RONBUN_QUEUE_URL",
    "daily_generation_cap": "RONBUN_DAILY_CAP",
    "api_key": "RONBUN_API_KEY",
    "lease_seconds": "RONBUN_LEASE_SECONDS",
    "max_attempts": "RONBUN_MAX_ATTEMPTS",
    "openai_secret": "RONBUN_OPENAI_SECRET",
    "metadata_ttl_hours": "RONBUN_METADATA_TTL_HOURS",
    "failed_ttl_days": "RONBUN_FAILED_TTL_DAYS",
}


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    values = {field: env[name] for field, name in _ENV.items() if env.get(name)}
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process (cached; tests call ``get_settings.cache_clear()``)."""
    return from_env()
