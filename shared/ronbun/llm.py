"""Model engines: OpenAI (structured outputs via the official SDK, any compatible server) and
the offline extractive engine. `openai` is imported only when a client is first needed, so
importing this module stays cheap."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Protocol

from pydantic import BaseModel, ValidationError

from .deadline import Deadline, as_deadline, exceeded
from .errors import (EngineNotConfigured, InvalidRequest, InvalidSettings, ModelError, ModelOutputInvalid,
                     ModelRefused)
from .models import ModelOutput, Paper
from . import jsonstream, structured
from .prompts import Prompt
from .settings import Settings, get_settings

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

STREAM_CUT_JA = "要約モデルの応答が途中で切れました(接続が切れました)。再度お試しください。"
TIMEOUT_JA = "要約モデルの応答が時間内に返りませんでした。しばらくしてから再度お試しください。"

# What servers say when they do not take `stream` (checked before the response-format fallback).
_REFUSES_STREAM = re.compile(r"\bstream", re.I)

PartCallback = Callable[["str | int", Any], None]


class Price(NamedTuple):
    """USD per 1M tokens."""
    input: float
    cached_input: float
    output: float


@dataclass(frozen=True)
class PriceTable:
    as_of: str                   # the date the prices were taken (YYYY-MM-DD)
    source: str
    models: dict[str, Price]

    def price(self, model: str) -> Price | None:
        """The longest matching entry ("gpt-4o-mini" before "gpt-4o"; dated snapshots match)."""
        keys = [k for k in self.models if model == k or model.startswith(k + "-")]
        return self.models[max(keys, key=len)] if keys else None


@lru_cache(maxsize=4)
def _price_table(path: str | None) -> PriceTable:
    where = path or "ronbun/data/prices.json"
    try:
        text = Path(path).read_text(encoding="utf-8") if path else \
            files("ronbun").joinpath("data/prices.json").read_text(encoding="utf-8")
        data = json.loads(text)
        models = {str(name): Price(float(p["input"]), float(p.get("cached_input", p["input"])), float(p["output"]))
                  for name, p in data["models"].items()}
        return PriceTable(str(data["as_of"]), str(data.get("source", "")), models)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidSettings(f"price table {where} is unreadable or malformed: {type(exc).__name__}: {exc}"[:300],
                              message_ja="料金表(RONBUN_PRICES_FILE)を読み込めません。JSON の形式を確認してください。") from exc


def prices(settings: Settings | None = None) -> PriceTable:
    """The configured price table (RONBUN_PRICES_FILE, else the packaged one)."""
    return _price_table((settings or get_settings()).prices_file or None)


@dataclass
class Generation:
    output: ModelOutput
    input_tokens: int
    output_tokens: int
    model: str
    engine: str
    calls: int = 1
    mode: str = ""               # how the structured output was asked for (structured.MODES)
    cached_input_tokens: int = 0  # of input_tokens, served from the provider's prompt cache


class Engine(Protocol):
    name: str
    model: str

    def generate(self, prompt: Prompt, *, paper: Paper, doc: "Extracted",
                 deadline: Deadline | None = None, on_part: PartCallback | None = None) -> Generation: ...


def estimate_cost(model: str, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
    """Estimated USD at the configured price table; `input_tokens` includes the cached ones,
    which are charged at the cached-input price. 0.0 for models not in the table (and the
    offline engine)."""
    price = prices().price(model)
    if price is None:
        return 0.0
    cached = min(max(cached_input_tokens, 0), input_tokens)
    return round(((input_tokens - cached) * price.input + cached * price.cached_input
                  + output_tokens * price.output) / 1_000_000, 6)


@lru_cache(maxsize=4)
def _client(api_key: str, base_url: str | None, timeout: float, max_retries: int):
    """One SDK client per configuration and process (connection pool reused across calls)."""
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)


# The structured-output mode each server and model answered to last ((base URL, model) -> mode):
# a local server that refuses json_schema is not asked for it again in this process.
_MODES: dict[tuple[str | None, str], str] = {}
# Servers and models that refused `stream` (answered whole from then on, parts reported after).
_NO_STREAM: set[tuple[str | None, str]] = set()


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
                 deadline: Deadline | None = None, on_part: PartCallback | None = None) -> Generation:
        """The model's answer; each call (the length retry too) ends by `deadline`.

        With `on_part`, the answer is streamed and `on_part(key, value)` is called for each
        top-level field (and each `qa` element, key = its index) as soon as it is complete in
        the stream, in the order written (DESIGN.md, contract A). A server that cannot stream
        answers whole and every part is reported right after the parse (as is any part the
        stream did not yield, e.g. a text answer with a stray "{" before its JSON). After a
        length retry the new answer's parts are reported again (same keys: the later report
        replaces)."""
        import openai

        client = self.client()
        deadline = as_deadline(deadline)
        messages = list(prompt.messages)
        tokens_in = tokens_out = cached = 0
        for attempt, cap in enumerate((MAX_OUTPUT_TOKENS, RETRY_MAX_OUTPUT_TOKENS), start=1):
            reported: set = set()

            def report(key, value, reported=reported):
                reported.add(key)
                on_part(key, value)

            try:
                completion = self._call(client, messages, cap, prompt.response_format or ModelOutput,
                                        deadline=deadline, on_part=report if on_part is not None else None)
            except openai.LengthFinishReasonError as exc:
                usage = getattr(exc.completion, "usage", None)
                used = structured.tokens(usage)
                tokens_in, tokens_out = tokens_in + used[0], tokens_out + used[1]
                cached += structured.cached_tokens(usage)
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
            cached += structured.cached_tokens(completion.usage)
            output = self._parsed(completion)
            if on_part is not None:             # what did not stream (all of it, from a whole answer)
                for key, value in jsonstream.parts(output.model_dump(mode="json")):
                    if key not in reported:
                        on_part(key, value)
            return Generation(output, tokens_in, tokens_out, self.model, self.name, attempt, mode=self.mode,
                              cached_input_tokens=cached)
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
              deadline: Deadline | None = None, on_part: PartCallback | None = None):
        import openai

        deadline = as_deadline(deadline)
        own, retries = self.settings.openai_timeout, max(0, self.settings.openai_max_retries)
        by_deadline = deadline.limits(own * (retries + 1))
        if by_deadline:   # one attempt, of what is left at most (SDK retries would outlive it)
            client = client.with_options(
                timeout=deadline.timeout(own, "a model call", least=MIN_CALL_SECONDS), max_retries=0)
        key = (self.settings.openai_base_url, self.model)
        mode = _MODES.get(key, structured.MODES[0])
        stream = on_part is not None and key not in _NO_STREAM
        try:
            while True:
                try:
                    if stream:
                        completion = self._stream(client, messages, cap, response_format, mode, deadline, on_part)
                    else:
                        completion = structured.request(client, model=self.model, messages=messages, cap=cap,
                                                        response_format=response_format, mode=mode)
                except openai.APIStatusError as exc:     # a server that does not take stream or this output format
                    if stream and exc.status_code in (400, 422, 501) and _REFUSES_STREAM.search(str(exc)):
                        log.warning("%s refused stream=true (HTTP %d); answering whole", self.model, exc.status_code)
                        _NO_STREAM.add(key)
                        stream = False
                        continue
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
            raise ModelError("model call failed after retries: APITimeoutError", message_ja=TIMEOUT_JA) from exc
        except (openai.APIConnectionError, openai.InternalServerError) as exc:
            raise ModelError(f"model call failed after retries: {type(exc).__name__}") from exc
        except openai.BadRequestError as exc:
            raise ModelError(f"the model rejected the request: {self._short(exc)}", retryable=False) from exc
        except openai.APIStatusError as exc:
            raise ModelError(f"model call failed: HTTP {exc.status_code}",
                             retryable=exc.status_code >= 500 or exc.status_code in (408, 409, 429)) from exc
        except openai.APIError as exc:
            raise ModelError(f"model call failed: {type(exc).__name__}") from exc

    def _stream(self, client, messages: list[dict], cap: int, response_format: type[BaseModel], mode: str,
                deadline: Deadline, on_part: PartCallback):
        """One streamed call: server-sent events read as they arrive, the answer's parts reported
        through `on_part` as they complete, then the same parsed completion as `structured.request`.
        Ends by the deadline and by openai_timeout
        (a read timeout for a server that goes quiet, a clock check per chunk for one that keeps
        sending keep-alives or whitespace); a stream that breaks off is a ModelError."""
        import httpx2
        import openai

        own = self.settings.openai_timeout
        stream = client.chat.completions.create(
            model=self.model, stream=True, stream_options={"include_usage": True},
            **structured.params(messages=messages, cap=cap, response_format=response_format, mode=mode))
        started = time.monotonic()     # the answer's clock starts with the response that streams it (the
        response = stream.response     # SDK may have retried a request that timed out before this one)
        try:
            if "text/event-stream" not in response.headers.get("content-type", ""):
                return self._whole(response.read(), response_format)       # a server that ignored stream
            parser = jsonstream.JsonStream()
            content: list[str] = []
            refusal: list[str] = []
            finish = usage = None
            done = False
            pending, data = b"", []
            for raw in response.iter_bytes():
                if deadline.left() <= 0:
                    raise exceeded("the model's answer", deadline.left())
                if time.monotonic() - started > own:
                    raise openai.APITimeoutError(request=response.request)
                pending += raw
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    line = line.rstrip(b"\r")
                    if line:                               # comments, event:, id: lines are skipped
                        if line.startswith(b"data:"):
                            data.append(line[6:] if line.startswith(b"data: ") else line[5:])
                        continue
                    if not data:
                        continue
                    event, data = b"\n".join(data), []
                    if event.strip() == b"[DONE]":
                        done = True
                        break
                    chunk = self._event(event)
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        delta = choice.get("delta") or {}
                        if delta.get("content"):
                            content.append(delta["content"])
                            for part_key, value in parser.feed(delta["content"]):
                                on_part(part_key, value)
                        if delta.get("refusal"):
                            refusal.append(delta["refusal"])
                        finish = choice.get("finish_reason") or finish
                if done:
                    break
        except httpx2.TimeoutException as exc:
            raise openai.APITimeoutError(request=response.request) from exc
        except httpx2.TransportError as exc:
            raise ModelError(f"the model's answer stream broke off: {type(exc).__name__}",
                             message_ja=STREAM_CUT_JA) from exc
        finally:
            stream.close()
        if not done and finish is None:
            raise ModelError("the model's answer stream ended before the answer did (no finish_reason, no [DONE])",
                             message_ja=STREAM_CUT_JA)
        return structured.finish(content="".join(content), refusal="".join(refusal) or None,
                                 finish_reason=finish, usage=usage, response_format=response_format)

    @staticmethod
    def _event(data: bytes) -> dict:
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise ModelError("the model's answer stream held an event that is not JSON",
                             message_ja=STREAM_CUT_JA) from exc
        if not isinstance(chunk, dict):
            raise ModelError("the model's answer stream held an event that is not an object", message_ja=STREAM_CUT_JA)
        if chunk.get("error"):
            error = chunk["error"]
            text = error.get("message") if isinstance(error, dict) else str(error)
            raise ModelError(f"the model's answer stream reported an error: {_short(Exception(text))}")
        return chunk

    @staticmethod
    def _whole(body: bytes, response_format: type[BaseModel]):
        """A whole chat completion sent to a streamed request (the server ignored `stream`)."""
        try:
            data = json.loads(body)
            choice = data["choices"][0]
            message = choice.get("message") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ModelOutputInvalid("the model returned no choices") from exc
        return structured.finish(content=message.get("content"), refusal=message.get("refusal"),
                                 finish_reason=choice.get("finish_reason"), usage=data.get("usage"),
                                 response_format=response_format)

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
