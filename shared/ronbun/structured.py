"""Structured output from any OpenAI-compatible server (DESIGN.md "Engines").

OpenAI takes a strict `json_schema`; many local servers (Ollama, llama.cpp's server, vLLM, LM
Studio, depending on version and model) refuse it, some refuse `response_format` altogether.
`request` asks in one mode and returns a completion whose message carries `parsed` (the
validated pydantic model) whichever mode answered:

- `json_schema`: the SDK's `chat.completions.parse` with the pydantic model;
- `json_object`: JSON mode, with the schema in a system message;
- `text`: no response_format; the JSON is taken from the text (a ```json fence or the first
  balanced {...}).

`next_mode` says which mode to try after a server refused one; the engine remembers the mode
that worked per server and model, and records it with every result.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from pydantic import BaseModel

from .errors import ModelOutputInvalid

MODES = ("json_schema", "json_object", "text")

SCHEMA_INSTRUCTION = (
    "Answer with one JSON object only, no prose before or after it, that validates against this "
    "JSON Schema:\n{schema}\n出力は上のスキーマに従う JSON オブジェクト 1 つだけにしてください。")

# What servers say when they do not take a response_format (OpenAI-compatible servers word it
# in many ways; all name the parameter or the feature).
_REFUSES_FORMAT = re.compile(
    r"response[_ ]format|json[_ ]schema|json_object|structured output|grammar|guided|"
    r"unrecognized request argument|unsupported parameter|not supported", re.I)
_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)


def next_mode(mode: str, status: int, message: str) -> str | None:
    """The mode to try after the server answered `status` with `message` to a request in
    `mode`, or None when the error is not about the output format (or no mode is left)."""
    if status not in (400, 422, 501) or not _REFUSES_FORMAT.search(message or ""):
        return None
    at = MODES.index(mode)
    return MODES[at + 1] if at + 1 < len(MODES) else None


def extract_json(text: str) -> dict:
    """The JSON object in a model's text answer: a ```json fence, else the first balanced
    {...} (strings and escapes respected); linear in the length of the text."""
    fenced = _FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    start = text.find("{")
    if start >= 0:
        depth, in_string, escaped = 0, False, False
        for i in range(start, len(text)):
            c = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    candidates.append(text[start:i + 1])
                    break
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            return data
    raise ModelOutputInvalid("the model's answer holds no JSON object")


def params(*, messages: list[dict], cap: int, response_format: type[BaseModel], mode: str) -> dict:
    """The request's parameters in `mode` (except `model`), for `chat.completions.create`;
    the same for a streamed request (with stream=True added) as for a whole one."""
    if mode == "json_schema":
        # what chat.completions.parse sends for a pydantic model (strict json_schema)
        from openai.lib._parsing._completions import type_to_response_format_param

        return {"messages": messages, "response_format": type_to_response_format_param(response_format),
                "max_completion_tokens": cap}
    schema = json.dumps(response_format.model_json_schema(), ensure_ascii=False)
    asked = [*messages, {"role": "system", "content": SCHEMA_INSTRUCTION.format(schema=schema)}]
    extra = {"response_format": {"type": "json_object"}} if mode == "json_object" else {}
    # local servers take max_tokens; max_completion_tokens is newer than many of them
    return {"messages": asked, "max_tokens": cap, **extra}


def request(client, *, model: str, messages: list[dict], cap: int, response_format: type[BaseModel],
            mode: str):
    """One chat completion in `mode`. The returned object has `choices[0].message.parsed`,
    `.refusal`, `choices[0].finish_reason` and `usage` like the SDK's parsed completion.
    Raises the SDK's errors (LengthFinishReasonError, ContentFilterFinishReasonError, API
    errors), pydantic's ValidationError, or ModelOutputInvalid."""
    if mode == "json_schema":
        return client.chat.completions.parse(model=model, messages=messages, response_format=response_format,
                                             max_completion_tokens=cap)
    completion = client.chat.completions.create(
        model=model, **params(messages=messages, cap=cap, response_format=response_format, mode=mode))
    if not completion.choices:
        raise ModelOutputInvalid("the model returned no choices")
    choice = completion.choices[0]
    return finish(content=choice.message.content, refusal=getattr(choice.message, "refusal", None),
                  finish_reason=getattr(choice, "finish_reason", None),       # some servers leave it out
                  usage=getattr(completion, "usage", None), response_format=response_format)


def finish(*, content: str | None, refusal: str | None, finish_reason: str | None, usage,
           response_format: type[BaseModel]):
    """A parsed completion (as `request` returns) from an answer's parts, whether it came whole
    or streamed; the same errors as `request` for a cut-off, filtered or invalid answer."""
    import openai

    completion = SimpleNamespace(
        choices=[SimpleNamespace(message=SimpleNamespace(parsed=None, refusal=refusal, content=content),
                                 finish_reason=finish_reason)],
        usage=usage)
    if finish_reason == "length":
        raise openai.LengthFinishReasonError(completion=completion)
    if finish_reason == "content_filter":
        raise openai.ContentFilterFinishReasonError()
    if content:
        completion.choices[0].message.parsed = response_format.model_validate(extract_json(content))
    elif not refusal:
        raise ModelOutputInvalid("the model returned an empty answer")
    return completion


def _get(obj, name: str):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def tokens(usage) -> tuple[int, int]:
    """(input, output) tokens of a usage object (or a streamed usage dict) that may be missing
    or partial."""
    if usage is None:
        return 0, 0
    return int(_get(usage, "prompt_tokens") or 0), int(_get(usage, "completion_tokens") or 0)


def cached_tokens(usage) -> int:
    """Input tokens served from the provider's prompt cache
    (`usage.prompt_tokens_details.cached_tokens`; 0 when any of it is missing)."""
    details = _get(usage, "prompt_tokens_details") if usage is not None else None
    return int((_get(details, "cached_tokens") if details is not None else None) or 0)
