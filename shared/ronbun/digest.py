"""Collect the results for a digest: generated here, or read from a running Ronbun API."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, TextIO
from urllib.parse import quote, urlsplit

from .errors import InvalidRequest, RonbunError, Unauthorized
from .ids import PaperRef
from .models import Paper, Result
from .render import DigestEntry

STAGE_JA = {"queued": "待機中", "fetching": "取得中", "extracting": "抽出中", "generating": "生成中",
            "verifying": "検証中", "done": "完了", "failed": "失敗"}


def read_id_list(path: str) -> list[str]:
    """One id or URL per line; blank lines and # comments ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror}", message_ja=f"ファイルを読み込めません: {path}") from exc
    return [ln.split("#", 1)[0].strip() for ln in text.splitlines() if ln.split("#", 1)[0].strip()]


class Progress:
    """One stderr line per paper and stage with elapsed time; a bar when stderr is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.start = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def line(self, i: int, ref: PaperRef, stage: str) -> None:
        elapsed = time.monotonic() - self.start
        text = f"[{i}/{self.total}] {ref} {STAGE_JA.get(stage, stage)} ({elapsed:.1f}s)"
        if self.tty:
            filled = int(20 * self.done / max(self.total, 1))
            text = f"\r\x1b[2K{text}  [{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total}"
            if stage in ("done", "failed"):
                text += "\n"
            self.stream.write(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, i: int, ref: PaperRef, ok: bool) -> None:
        self.done += 1
        self.line(i, ref, "done" if ok else "failed")


def collect_local(refs: list[PaperRef], *, engine: str | None = None, model: str | None = None,
                  stream: TextIO | None = None, template: str = "standard") -> list[DigestEntry]:
    from .pipeline import summarize

    progress = Progress(len(refs), stream)
    entries = []
    for i, ref in enumerate(refs, 1):
        try:
            result = summarize(ref, engine=engine, model=model, template=template,
                               progress=lambda s, i=i, ref=ref: progress.line(i, ref, s))
            entries.append(DigestEntry(str(ref), result=result))
            progress.finish(i, ref, True)
        except RonbunError as exc:
            if exc.code == "engine_not_configured":
                raise
            entries.append(DigestEntry(str(ref), error_ja=exc.message_ja))
            progress.finish(i, ref, False)
    return entries


class ApiClient:
    """A small client for the Ronbun API (the same contract the extension uses)."""

    def __init__(self, base_url: str, api_key: str | None, timeout: float = 30.0, template: str = "standard"):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidRequest(f"--api must be an http(s) URL: {base_url!r}", message_ja="--api には http(s) の URL を指定してください。")
        self.base, self.key, self.timeout = base_url.rstrip("/"), api_key, timeout
        self.template = template            # standard | ochiai: asked for only when not standard

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if self.key:
            req.add_header("x-api-key", self.key)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - scheme checked above
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                payload = json.loads(exc.read() or b"{}")
            except ValueError:
                payload = {}
            if exc.code == 403:
                raise Unauthorized(
                    "the API rejected the API key (HTTP 403; set RONBUN_API_KEY)",
                    message_ja="Ronbun API が API キーを受け付けませんでした。環境変数 RONBUN_API_KEY に"
                               "正しいキーを設定してください。") from exc
            return exc.code, payload
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RonbunError(f"cannot reach the Ronbun API at {self.base}: {exc}",
                              message_ja=f"Ronbun API({self.base})に接続できません。", retryable=True) from exc

    def request(self, ref: PaperRef) -> tuple[int, dict]:
        extra = {"template": self.template} if self.template != "standard" else {}
        return self.call("POST", "/v1/summaries", {"paper_id": str(ref), "lang": "ja", **extra})

    def state(self, ref: PaperRef) -> tuple[int, dict]:
        query = f"?template={self.template}" if self.template != "standard" else ""
        return self.call("GET", "/v1/summaries/" + quote(str(ref), safe="/") + query)


def _entry_from_state(ref: PaperRef, status: int, doc: dict) -> DigestEntry | None:
    """A finished entry, or None while the paper is still being worked on."""
    if "error" in doc and status >= 400:
        return DigestEntry(str(ref), error_ja=doc["error"].get("message_ja") or doc["error"].get("message"))
    state = doc.get("status")
    paper = Paper.model_validate(doc["paper"]) if doc.get("paper") else None
    if state == "done" and doc.get("result"):
        return DigestEntry(str(ref), result=Result.model_validate(doc["result"]))
    if state == "failed":
        err = doc.get("error") or {}
        return DigestEntry(str(ref), paper=paper, error_ja=err.get("message_ja") or "要約に失敗しました。")
    return None


def collect_via_api(refs: list[PaperRef], base_url: str, api_key: str | None, *, deadline_s: float = 900.0,
                    poll_s: float = 1.0, stream: TextIO | None = None,
                    sleep: Callable[[float], None] = time.sleep, template: str = "standard") -> list[DigestEntry]:
    """Request every paper, then poll until each is done or failed (or the deadline passes)."""
    client = ApiClient(base_url, api_key, template=template)
    progress = Progress(len(refs), stream)
    entries: dict[int, DigestEntry] = {}
    stages: dict[int, str] = {}
    for i, ref in enumerate(refs, 1):
        status, doc = client.request(ref)
        entry = _entry_from_state(ref, status, doc)
        if entry:
            entries[i] = entry
            progress.finish(i, ref, entry.result is not None)
    end = time.monotonic() + deadline_s
    while len(entries) < len(refs) and time.monotonic() < end:
        sleep(poll_s)
        for i, ref in enumerate(refs, 1):
            if i in entries:
                continue
            status, doc = client.state(ref)
            entry = _entry_from_state(ref, status, doc)
            if entry:
                entries[i] = entry
                progress.finish(i, ref, entry.result is not None)
            elif doc.get("stage", doc.get("status")) != stages.get(i):
                stages[i] = doc.get("stage", doc.get("status", ""))
                progress.line(i, ref, stages[i])
    for i, ref in enumerate(refs, 1):
        if i not in entries:
            entries[i] = DigestEntry(str(ref), error_ja="時間内に要約が完了しませんでした。後でもう一度お試しください。")
            progress.finish(i, ref, False)
    return [entries[i] for i in range(1, len(refs) + 1)]
