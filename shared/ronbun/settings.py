"""One settings object, read from the environment once.

A stdlib dataclass, not a pydantic model: the API function imports this module on every
cold start, and pydantic would add ~0.2 s to it. Values are converted to each field's type
(environment variables are strings); one that does not convert is an InvalidSettings error
naming the variable."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from .errors import InvalidSettings

PROMPT_LANG = "ja"


class Secret:
    """A string that shows itself only through get_secret_value(): never in a repr, str,
    log line or traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret):
        if isinstance(value, Secret):
            value = value.get_secret_value()
        if not isinstance(value, str):
            raise TypeError(f"a secret must be a string, not {type(value).__name__}")
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{self}')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _setting(default: Any, description: str = "") -> Any:
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class Settings:
    arxiv_api_url: str = _setting("https://export.arxiv.org/api/query", "arXiv API (Atom)")
    arxiv_base_url: str = _setting("https://arxiv.org", "PDFs at {base}/pdf/{id}v{n}")
    arxiv_min_interval: float = _setting(3.0, "seconds between arXiv requests (arXiv's rule)")
    arxiv_timeout: float = _setting(30.0, "seconds per arXiv request")
    arxiv_retries: int = _setting(3, "retries on 429/503/connection errors")
    arxiv_max_retry_after: float = _setting(60.0, "longest Retry-After honoured, seconds")
    user_agent: str = _setting("ronbun/0.1 (Japanese paper summaries; self-hosters: put your contact in RONBUN_USER_AGENT)",
                               "User-Agent of every arXiv request")
    pdf_max_bytes: int = _setting(50 * 1024 * 1024, "largest PDF downloaded")
    pdf_max_pages: int = _setting(150, "most pages extracted")
    pdf_max_seconds: float = _setting(120.0, "longest PDF download, seconds")
    pdf_extract_seconds: float = _setting(60.0, "longest text extraction (pypdf in a child process), seconds")
    pdf_extract_memory_mb: int = _setting(1024, "address space of the text-extraction child process, MB")

    engine: str | None = _setting(None, "openai | offline; default: openai when a key is set")
    openai_api_key: Secret | None = _setting(None, "OpenAI API key (CLI, local stack)")
    openai_base_url: str | None = _setting(None, "any OpenAI-compatible server")
    openai_model: str = _setting("gpt-4.1-mini", "model name, stored with every result")
    judge_model: str | None = _setting(None, "model of the judge call (answers vs their quotes); default: the main model")
    openai_timeout: float = _setting(120.0, "seconds per model call attempt")
    openai_max_retries: int = _setting(2, "SDK retries per call")
    prompt_max_chars: int = _setting(60_000, "body characters sent to the model")
    qa_count: int = _setting(6, "Q&A items asked for")
    prices_file: str | None = _setting(None, "JSON price table (USD per 1M tokens, with its as_of date) used for "
                                             "cost estimates; default: the packaged ronbun/data/prices.json")
    abstract_first: int = _setting(1, "1: the worker publishes a quick answer from the abstract first (one small "
                                      "model call); 0: off")
    stream: int = _setting(1, "1: the full-text answer is streamed and each verified part published at once; "
                              "0: answered whole, published when done")

    table_name: str = _setting("ronbun", "DynamoDB table")
    queue_url: str | None = _setting(None, "SQS queue for jobs")
    daily_generation_cap: int = _setting(500, "new summaries per UTC day")
    daily_question_cap: int = _setting(1000, "new question answers per UTC day (ask the paper)")
    text_bucket: str | None = _setting(None, "S3 bucket holding the cleaned text of each paper version (questions)")
    api_key: Secret | None = _setting(None, "x-api-key required by the local adapter")
    lease_seconds: int = _setting(900, "how long a worker owns a job")
    max_attempts: int = _setting(3, "worker attempts before a job fails")
    openai_secret: str | None = _setting(
        None, "Secrets Manager id/ARN or SSM parameter (ssm:/name) holding the OpenAI key")
    metadata_ttl_hours: float = _setting(24.0, "hours before cached arXiv metadata is read again")
    failed_ttl_days: int = _setting(7, "days a failed job is kept (DynamoDB TTL)")
    arxiv_pacer: str = _setting("process", "process: pace arXiv requests within this process (CLI); table: one "
                                           "pace shared by every process through the table's PACER#arxiv item")
    arxiv_max_pace_wait: float = _setting(60.0, "longest wait for a turn at arXiv, seconds (then arxiv_busy)")
    arxiv_missing_ttl_seconds: float = _setting(600.0, "seconds an id or version arXiv does not have is "
                                                       "answered from the table without asking arXiv again")
    retry_backoff_seconds: str = _setting("15,60,240", "wait before the 2nd, 3rd, ... delivery of a job that "
                                                       "failed transiently (SQS message visibility), seconds")
    restart_limit: int = _setting(3, "restarts per job per UTC day of a paper whose job failed or died in "
                                     "the worker (each one charged to the daily cap)")
    queue_retention_seconds: int = _setting(345600, "the jobs queue's message retention (template.yaml)")
    queued_stale_seconds: int = _setting(
        3000, "a queued job untouched this long is checked for its message: lost when none was recorded "
              "as sent, when it is past the queue's retention, or when the queue holds no message at all")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            converted = _convert(f.name, f.type, value)
            if converted is not value:
                object.__setattr__(self, f.name, converted)
        if self.engine is not None:
            engine = self.engine.strip().lower() or None
            if engine not in (None, "openai", "offline"):
                raise InvalidSettings(f"RONBUN_ENGINE must be openai or offline, not {self.engine!r}",
                                      message_ja="RONBUN_ENGINE には openai か offline を指定してください。")
            object.__setattr__(self, "engine", engine)
        try:
            self.retry_delay(1)
        except ValueError:
            raise _invalid("retry_backoff_seconds", "str", self.retry_backoff_seconds) from None
        if self.arxiv_pacer not in ("process", "table"):
            raise InvalidSettings(f"RONBUN_ARXIV_PACER must be process or table, not {self.arxiv_pacer!r:.40}",
                                  message_ja="RONBUN_ARXIV_PACER には process か table を指定してください。")

    def retry_delay(self, receive_count: int) -> int:
        """Seconds before the next delivery after the `receive_count`-th one failed transiently."""
        steps = [int(float(x)) for x in self.retry_backoff_seconds.replace(" ", "").split(",") if x] or [15]
        return max(0, min(steps[min(max(receive_count, 1), len(steps)) - 1], 43200))

    @property
    def default_engine(self) -> str:
        """The engine new work uses: the configured one, else openai when a key (or the secret
        holding one) is configured, else offline."""
        if self.engine:
            return self.engine
        return "openai" if self.openai_api_key or self.openai_secret else "offline"


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
    "pdf_extract_seconds": "RONBUN_PDF_EXTRACT_SECONDS",
    "pdf_extract_memory_mb": "RONBUN_PDF_EXTRACT_MEMORY_MB",
    "engine": "RONBUN_ENGINE",
    "queued_stale_seconds": "RONBUN_QUEUED_STALE_SECONDS",
    "arxiv_pacer": "RONBUN_ARXIV_PACER",
    "arxiv_max_pace_wait": "RONBUN_ARXIV_MAX_PACE_WAIT",
    "arxiv_missing_ttl_seconds": "RONBUN_ARXIV_MISSING_TTL_SECONDS",
    "retry_backoff_seconds": "RONBUN_RETRY_BACKOFF_SECONDS",
    "restart_limit": "RONBUN_RESTART_LIMIT",
    "queue_retention_seconds": "RONBUN_QUEUE_RETENTION_SECONDS",
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "openai_model": "RONBUN_MODEL",
    "judge_model": "RONBUN_JUDGE_MODEL",
    "openai_timeout": "RONBUN_OPENAI_TIMEOUT",
    "openai_max_retries": "RONBUN_OPENAI_MAX_RETRIES",
    "prompt_max_chars": "RONBUN_PROMPT_MAX_CHARS",
    "qa_count": "RONBUN_QA_COUNT",
    "prices_file": "RONBUN_PRICES_FILE",
    "abstract_first": "RONBUN_ABSTRACT_FIRST",
    "stream": "RONBUN_STREAM",
    "table_name": "RONBUN_TABLE",
    "queue_url": "RONBUN_QUEUE_URL",
    "daily_generation_cap": "RONBUN_DAILY_CAP",
    "daily_question_cap": "RONBUN_DAILY_QUESTION_CAP",
    "text_bucket": "RONBUN_TEXT_BUCKET",
    "api_key": "RONBUN_API_KEY",
    "lease_seconds": "RONBUN_LEASE_SECONDS",
    "max_attempts": "RONBUN_MAX_ATTEMPTS",
    "openai_secret": "RONBUN_OPENAI_SECRET",
    "metadata_ttl_hours": "RONBUN_METADATA_TTL_HOURS",
    "failed_ttl_days": "RONBUN_FAILED_TTL_DAYS",
}

_KINDS = {"int": ("an integer", "整数"), "float": ("a number", "数値"), "str": ("a string", "文字列"),
          "Secret": ("a string", "文字列")}


def _convert(name: str, annotation: str, value: Any) -> Any:
    """`value` as the type `annotation` names ("int", "str | None", ...)."""
    kind, _, rest = annotation.partition("|")
    kind, optional = kind.strip(), "None" in rest
    if value is None:
        if optional:
            return None
    elif kind == "Secret":
        if isinstance(value, (str, Secret)):
            return value if isinstance(value, Secret) else Secret(value)
    elif kind == "str":
        if isinstance(value, str):
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        number = _number(value)
        if number is not None and number.is_integer():
            return int(number)
    elif kind == "float":
        number = _number(value)
        if number is not None:
            return value if isinstance(value, float) else number
    raise _invalid(name, kind, value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _invalid(name: str, kind: str, value: Any) -> InvalidSettings:
    env = _ENV.get(name)
    where = f"{env} ({name})" if env else name
    shown = type(value).__name__ if kind == "Secret" else f"{value!r:.60}"
    en, ja = _KINDS.get(kind, (kind, kind))
    return InvalidSettings(f"setting {where} must be {en}, not {shown}",
                           message_ja=f"設定 {env or name} の値が正しくありません({ja}を指定してください)。")


def from_env(env: dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    values = {field: env[name] for field, name in _ENV.items() if env.get(name)}
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process (cached; tests call ``get_settings.cache_clear()``)."""
    return from_env()
