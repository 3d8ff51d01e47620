"""Model engines: OpenAI (structured outputs via the official SDK, any compatible server) and
the offline extractive engine. `openai` is imported only when a client is first needed, so
importing this module stays cheap."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ValidationError

from .deadline import Deadline, as_deadline, exceeded
from .errors import EngineNotConfigured, InvalidRequest, ModelError, ModelOutputInvalid, ModelRefused
from .models import ModelOutput, Paper
from . import structured
from .prompts import Prompt
from .settings import Settings

if TYPE_CHECKING:
    from .offline import OfflineEngine
    from .pdftext import Extracted

log = logging.getLogger(__name__)

ENGINES = ("openai", "offline")

# First call's output cap, and the cap for the one retry after a truncated answer. Reasoning
# models spend part of it on hidden reasoning, hence the generous numbers.
MAX_OUTPUT_TOKENS = 8000
RETRY_MAX_OUTPUT_TOKENS = 16000

# A model call is not started with less time than this left before the job's deadline.
MIN_CALL_SECONDS = 10.0

CONCISE_RETRY = (
    "前回の回答は長すぎて途中で切れました。同じスキーマで、より簡潔に書き直してください"
    "(概要は3〜4文、各回答は1〜2文、根拠の引用は各1文)。"
    " Your previous answer was cut off for length: answer again, more concisely, in the same schema."
)

# USD per 1M tokens (input, output); longest matching prefix wins ("gpt-4o-mini" before "gpt-4o").
PRICES: dict[str, tuple[float, float]] = {
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}


@dataclass
class Generation:
    output: ModelOutput
    input_tokens: int
    output_tokens: int
    model: str
    engine: str
    calls: int = 1
    mode: str = ""               # how the structured output was asked for (structured.MODES)


class Engine(Protocol):
    name: str
    model: str

    def generate(self, prompt: Prompt, *, paper: Paper, doc: "Extracted",
                 deadline: Deadline | None = None) -> Generation: ...


def report_parts(output: BaseModel, on_part) -> None:
    """Each top-level part of a whole answer to `on_part(key, value)` in field order, each `qa`
    element as (index, item) (CONTRACT A, for an answer that was not streamed)."""
    if on_part is None:
        return
    for key, value in output.model_dump(mode="json").items():
        for k, v in (enumerate(value) if key == "qa" else [(key, value)]):
            on_part(k, v)


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> float:
    """Estimated USD for one result; 0.0 for models not in the table (and the offline engine)."""
    keys = [k for k in PRICES if model == k or model.startswith(k + "-")]
    if not keys:
        return 0.0
    price_in, price_out = PRICES[max(keys, key=len)]
    return round((input_tokens * price_in + output_tokens * price_out) / 1_000_000, 6)


@lru_cache(maxsize=4)
def _client(api_key: str, base_url: str | None, timeout: float, max_retries: int):
    """One SDK client per configuration and process (connection pool reused across calls)."""
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)


# The structured-output mode each server and model answered to last ((base URL, model) -> mode):
# a local server that refuses json_schema is not asked for it again in this process.
_MODES: dict[tuple[str | None, str], str] = {}


class OpenAIEngine:
    """Chat Completions with structured output (`response_format=ModelOutput`)."""

    name = "openai"

    def __init__(self, settings: Settings, model: str | None = None):
        self.settings = settings
        self.model = model or settings.openai_model
        self.mode = _MODES.get((settings.openai_base_url, self.model), structured.MODES[0])

    @property
    def configured(self) -> bool:
        key = self.settings.openai_api_key
        return bool(key and key.get_secret_value())

    def client(self):
        if not self.configured:
            raise EngineNotConfigured("OPENAI_API_KEY is not set")
        s = self.settings
        return _client(s.openai_api_key.get_secret_value(), s.openai_base_url, s.openai_timeout,
                       s.openai_max_retries)

    def generate(self, prompt: Prompt, *, paper: Paper, doc: "Extracted",
                 deadline: Deadline | None = None, on_part=None) -> Generation:
        """The model's answer; each call (the length retry too) ends by `deadline`."""
        import openai

        client = self.client()
        deadline = as_deadline(deadline)
        messages = list(prompt.messages)
        tokens_in = tokens_out = 0
        for attempt, cap in enumerate((MAX_OUTPUT_TOKENS, RETRY_MAX_OUTPUT_TOKENS), start=1):
            try:
                completion = self._call(client, messages, cap, deadline=deadline)
            except openai.LengthFinishReasonError as exc:
                used = structured.tokens(getattr(exc.completion, "usage", None))
                tokens_in, tokens_out = tokens_in + used[0], tokens_out + used[1]
                log.warning("model output truncated (attempt %d, paper %s)", attempt, paper.id,
                            extra={"notice_ja": "要約モデルの出力が長さの上限で切れました。簡潔に書くよう指示して再試行します。"})
                if attempt == 1:
                    messages = messages + [{"role": "user", "content": CONCISE_RETRY}]
                    continue
                raise ModelOutputInvalid(
                    "the model's answer was truncated twice (finish_reason=length)",
                    message_ja="要約モデルの出力が長さの上限で途中で切れました。再度お試しください。") from exc
            used = structured.tokens(completion.usage)
            tokens_in, tokens_out = tokens_in + used[0], tokens_out + used[1]
            output = self._parsed(completion)
            report_parts(output, on_part)
            return Generation(output, tokens_in, tokens_out, self.model, self.name, attempt, mode=self.mode)
        raise AssertionError("unreachable")

    def parse(self, messages: list[dict], response_format: type[BaseModel], *, cap: int,
              deadline: Deadline | None = None) -> tuple[BaseModel, int, int]:
        """One structured-output call with another schema (the judge): the parsed answer and
        its input and output tokens. Errors as for generate(); a cut-off answer is invalid."""
        import openai

        try:
            completion = self._call(self.client(), messages, cap, response_format, deadline=deadline)
        except openai.LengthFinishReasonError as exc:
            raise ModelOutputInvalid("the model's answer was truncated (finish_reason=length)") from exc
        return (self._parsed(completion), *structured.tokens(completion.usage))

    def _call(self, client, messages: list[dict], cap: int, response_format: type[BaseModel] = ModelOutput,
              deadline: Deadline | None = None):
        import openai

        deadline = as_deadline(deadline)
        own, retries = self.settings.openai_timeout, max(0, self.settings.openai_max_retries)
        by_deadline = deadline.limits(own * (retries + 1))
        if by_deadline:   # one attempt, of what is left at most (SDK retries would outlive it)
            client = client.with_options(
                timeout=deadline.timeout(own, "a model call", least=MIN_CALL_SECONDS), max_retries=0)
        key = (self.settings.openai_base_url, self.model)
        mode = _MODES.get(key, structured.MODES[0])
        try:
            while True:
                try:
                    completion = structured.request(client, model=self.model, messages=messages, cap=cap,
                                                    response_format=response_format, mode=mode)
                except openai.APIStatusError as exc:     # a server that does not take this output format
                    fallback = structured.next_mode(mode, exc.status_code, str(exc))
                    if fallback is None:
                        raise
                    log.warning("%s refused response format %s (HTTP %d); trying %s", self.model, mode,
                                exc.status_code, fallback)
                    mode = fallback
                    continue
                _MODES[key] = self.mode = mode
                return completion
        except openai.ContentFilterFinishReasonError as exc:
            raise ModelRefused("the model's answer was stopped by its content filter") from exc
        except (ValidationError, json.JSONDecodeError) as exc:
            raise ModelOutputInvalid(f"the model's answer does not match the schema: {self._short(exc)}") from exc
        except openai.AuthenticationError as exc:
            raise EngineNotConfigured(
                "OpenAI API key rejected",
                message_ja="OpenAI の API キーが拒否されました。OPENAI_API_KEY を確認してください。") from exc
        except openai.PermissionDeniedError as exc:
            raise EngineNotConfigured(
                f"OpenAI refused access to model {self.model!r}",
                message_ja="この API キーではモデルを利用できません。設定を確認してください。") from exc
        except openai.NotFoundError as exc:
            raise EngineNotConfigured(
                f"model {self.model!r} not found at the configured OpenAI endpoint",
                message_ja="指定されたモデルが見つかりません。RONBUN_MODEL を確認してください。") from exc
        except openai.RateLimitError as exc:
            raise ModelError("model call failed after retries: RateLimitError",
                             message_ja="OpenAI の利用上限(レート制限)に達しました。しばらくしてから再度お試しください。") from exc
        except openai.APITimeoutError as exc:
            if by_deadline and deadline.limits(own):
                raise exceeded("the model's answer", deadline.left()) from exc
            raise ModelError("model call failed after retries: APITimeoutError",
                             message_ja="要約モデルの応答が時間内に返りませんでした。しばらくしてから再度お試しください。") from exc
        except (openai.APIConnectionError, openai.InternalServerError) as exc:
            raise ModelError(f"model call failed after retries: {type(exc).__name__}") from exc
        except openai.BadRequestError as exc:
            raise ModelError(f"the model rejected the request: {self._short(exc)}", retryable=False) from exc
        except openai.APIStatusError as exc:
            raise ModelError(f"model call failed: HTTP {exc.status_code}",
                             retryable=exc.status_code >= 500 or exc.status_code in (408, 409, 429)) from exc
        except openai.APIError as exc:
            raise ModelError(f"model call failed: {type(exc).__name__}") from exc

    def _short(self, exc: Exception) -> str:
        key = self.settings.openai_api_key
        text = _short(exc)
        return text.replace(key.get_secret_value(), "***") if key and key.get_secret_value() else text

    @staticmethod
    def _parsed(completion) -> ModelOutput:
        if not completion.choices:
            raise ModelOutputInvalid("the model returned no choices")
        message = completion.choices[0].message
        if message.parsed is not None:
            return message.parsed
        if getattr(message, "refusal", None):
            raise ModelRefused(f"the model refused: {message.refusal[:200]}")
        raise ModelOutputInvalid("the model returned an empty answer")


_CREDENTIALS = re.compile(r"(?i)bearer\s+\S+|\bsk-[\w-]{8,}")


def _short(exc: Exception, limit: int = 300) -> str:
    """The upstream error text, one line, with anything that looks like a credential removed:
    it is logged and shown to readers, and some servers echo the request's key back."""
    return _CREDENTIALS.sub("***", str(exc).replace("\n", " "))[:limit]


def get_engine(name: str | None, settings: Settings, model: str | None = None) -> "OpenAIEngine | OfflineEngine":
    """The engine by name (None: the settings' default). An OpenAI engine without a key fails
    here, before any download, with EngineNotConfigured."""
    name = (name or settings.default_engine).strip().lower()
    if name == "offline":
        from .offline import OfflineEngine

        return OfflineEngine(settings, model)
    if name == "openai":
        engine = OpenAIEngine(settings, model)
        if not engine.configured:
            raise EngineNotConfigured("OPENAI_API_KEY is not set")
        return engine
    raise InvalidRequest(f"unknown engine {name!r} (expected one of: {', '.join(ENGINES)})",
                         message_ja=f"要約エンジン「{name}」はありません(openai または offline を指定してください)。")
