"""The use cases behind the API and the worker, free of Lambda and HTTP details.

API side: validate, answer from the cache, or create exactly one job and queue it; a digest
reports (and starts) many papers at once. Worker side: claim a job with a lease, run the
pipeline, store the result or the failure.

The API function imports this module on every cold start, so its imports stay light: no
pydantic (request bodies are checked in `bodies`, stored documents stay JSON data), no
pipeline (pypdf, openai). arXiv, the queue message and the digest renderer are imported
where they are needed: on a cache miss, when a job is sent, when a digest is rendered.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Literal

from . import __version__
from .bodies import MAX_BODY_BYTES  # noqa: F401 - part of this module's API
from .bodies import DigestRequest, StartRequest, digest_request, json_object, start_request
from .deadline import Deadline, as_deadline
from .errors import DeadlineExceeded
from .errors import (ArxivUnavailable, BudgetExceeded, InvalidPaperId, InvalidRequest, JobLost, NotFound,
                     PaperNotFound, RonbunError)
from .ids import PaperRef, parse_id
from .pacer import ArxivBusy
from .settings import PROMPT_LANG, Settings, get_settings
from .store import Budget, Conflict, Job, JobKey, LeaseLost, Meta, Snapshot, Store, StoreError, iso, utc_day
from .taxonomy import category_names
from .versions import OFFLINE_MODEL, PROMPT_VERSION

if TYPE_CHECKING:
    from .queue import JobMessage

log = logging.getLogger(__name__)

LEASE_GRACE_SECONDS = 60          # a running job whose lease ended this long ago is abandoned
DIGEST_START_SECONDS = 10.0       # a digest request stops looking papers up on arXiv after this
DIGEST_SECONDS = 25.0             # a digest request answers by then (API Gateway gives up at 29 s)
DIGEST_WRITE_SECONDS = 3.0        # kept back from a paper's arXiv look-up for its job and message
NEVER_RAN = frozenset({"queue_unavailable"})   # failures before any worker saw the job
SEND_GRACE_SECONDS = 60           # a queued job's message is recorded this soon after it is created
RETRY_REASONS_JA = {              # what a reader is told while a job waits for its next try
    "arxiv_unavailable": "arXiv が混み合っています。",
    "arxiv_busy": "arXiv が混み合っています。",
    "pdf_not_ready": "arXiv で PDF を生成中です。",
    "model_error": "要約モデルが混み合っています。",
    "model_output_invalid": "要約モデルの出力が不完全でした。",
    "storage_unavailable": "データベースに一時的に接続できません。",
    "version_skew": "サーバーを更新中です。",
}
RETRY_REASON_DEFAULT_JA = "一時的なエラーが発生しました。"
PARTIAL_WRITE_SECONDS = 1.0       # at most one partial-result write per job per second


class JobBusy(RonbunError):
    """Another worker holds a live lease on this job."""
    code = "job_busy"
    status = 409
    message_ja = "別の処理がこの論文を要約中です。"
    retryable = True


class RestartLimit(RonbunError):
    """The job was restarted as often as allowed today."""
    code = "restart_limit_reached"
    status = 429
    message_ja = "この論文の要約は本日の再実行の上限に達しました。明日以降に再度お試しください。"
    retryable = True


class VersionSkew(RonbunError):
    """The job was queued for a prompt version this worker does not have (a deploy in progress)."""
    code = "version_skew"
    status = 503
    message_ja = "サーバーの更新中です。しばらくしてから再度お試しください。"
    retryable = True


# ---------------------------------------------------------------------------- shared

def current_generator(settings: Settings) -> tuple[str, str]:
    """(engine, model) that new work is done with and that cache keys carry. The API never
    reads the OpenAI secret, so a configured secret counts as a configured key."""
    engine = settings.default_engine
    return engine, (settings.openai_model if engine == "openai" else OFFLINE_MODEL)


def get_store(settings: Settings) -> Store:
    return Store(settings.table_name)


def state_document(job: Job, paper: dict | None) -> dict:
    """The public state of one job (DESIGN.md "API contract"); `paper` is the public paper
    document of the job's version (see `_paper_for`)."""
    doc: dict = {"paper_id": job.key.paper_id, "version": job.key.version, "lang": job.key.lang,
                 "status": job.status, "updated_at": job.updated_at}
    result = job.result() if job.status == "done" else None
    if result and isinstance(result.get("paper"), dict):
        result["paper"] = public_paper(result["paper"])
    if paper is not None:
        doc["paper"] = public_paper(paper)
    elif result:
        doc["paper"] = result.get("paper")
    if job.key.template != "standard":
        doc["template"] = job.key.template
    if job.status == "running" and job.stage:
        doc["stage"] = job.stage
    if result is not None:
        doc["result"] = result
    if job.status == "failed":
        doc["error"] = job.error or JobLost().to_dict()
    if job.status == "queued" and job.retry_at:
        doc["retry_at"] = iso(job.retry_at)
        doc["retry_reason"] = retry_reason(job.retry_error or {})
    partial = job.partial() if job.status in ("queued", "running") else None
    if partial:                  # the verified parts so far (DESIGN.md "Partial results")
        doc["partial"] = partial
        doc["progress"] = partial.get("progress")
    return doc


def retry_reason(error: dict) -> dict:
    """The public reason of a scheduled retry: the error's code and a short Japanese phrase."""
    code = str(error.get("code") or "internal_error")
    return {"code": code, "message": str(error.get("message") or code),
            "message_ja": RETRY_REASONS_JA.get(code, RETRY_REASON_DEFAULT_JA)}


def public_paper(paper: dict) -> dict:
    """A paper as the API shows it: the stored document plus `category_names`, the human names
    of its categories (taxonomy.py), so clients never keep their own copy of the taxonomy."""
    return {**paper, "category_names": category_names(paper.get("categories") or [])}


@dataclass
class Answer:
    """An HTTP-free answer: status code, JSON body and whether it came from the cache."""
    status_code: int
    body: dict
    cache_hit: bool = False


# ---------------------------------------------------------------------------- API: requests

def parse_start_request(body: str | bytes | None, content_type: str | None, *,
                        base64_encoded: bool = False) -> StartRequest:
    """The POST /v1/summaries body, or InvalidRequest saying what is wrong with it."""
    return start_request(json_object(body, content_type, base64_encoded=base64_encoded))


def parse_digest_request(body: str | bytes | None, content_type: str | None, *,
                         base64_encoded: bool = False) -> DigestRequest:
    """The POST /v1/digests body (every paper id checked), or InvalidRequest/InvalidPaperId."""
    return digest_request(json_object(body, content_type, base64_encoded=base64_encoded))


def parse_paper_id(text: str | None) -> PaperRef:
    return parse_id(text or "")


def parse_lang(text: str | None) -> str:
    lang = text or PROMPT_LANG
    if lang != PROMPT_LANG:
        raise InvalidRequest(f"unsupported lang {lang[:16]!r}", message_ja='lang は "ja" のみ対応しています。')
    return lang


def parse_template(text: str | None) -> str:
    """The ?template= of a read: "standard" (default) or "ochiai"."""
    from .bodies import _template

    return _template({"template": text or "standard"})


# ---------------------------------------------------------------------------- API: use cases

def health(settings: Settings | None = None) -> dict:
    engine, model = current_generator(settings or get_settings())
    return {"status": "ok", "service": "ronbun", "version": __version__, "engine": engine, "model": model,
            "prompt_version": PROMPT_VERSION}


def read_summary(ref: PaperRef, lang: str = PROMPT_LANG, *, settings: Settings | None = None,
                 now: float | None = None, template: str = "standard") -> Answer:
    """The state of the summary of `ref` (its latest known version when none is given),
    from DynamoDB alone (and, for a job queued long ago, the queue's message count).
    NotFound when it was never requested."""
    settings = settings or get_settings()
    now = time.time() if now is None else now
    _, model = current_generator(settings)
    snap = get_store(settings).snapshot(ref.id, lang, PROMPT_VERSION, model, template)
    version = ref.version or (snap.meta.latest_version if snap.meta else None) or max(snap.jobs, default=None)
    job = snap.jobs.get(version) if version else None
    if job is None:
        raise NotFound(f"no summary of {ref} has been requested")
    paper = _paper_for(snap.meta, version)
    doc = state_document(job, paper)
    if job.status in ("queued", "running") and _needs_requeue(job, settings, now):
        # its worker or its queue message is gone: say so, so that the reader can ask again
        # (POST requeues it) instead of polling a job that will never move
        why = ("the worker of this job stopped before finishing" if job.status == "running"
               else "the job's queue message was lost before a worker took it")
        for name in ("stage", "partial", "progress"):
            doc.pop(name, None)
        doc.update(status="failed", error=JobLost(why).to_dict())
    return Answer(200, doc, cache_hit=job.status == "done")


def start_summary(ref: PaperRef, lang: str = PROMPT_LANG, *, settings: Settings | None = None,
                  now: float | None = None, template: str = "standard") -> Answer:
    """200 with the cached result, or 202 with the (new or existing) job's state."""
    settings = settings or get_settings()
    now = time.time() if now is None else now
    return _start(get_store(settings), ref, lang, settings, now, template=template)


def _start(store: Store, ref: PaperRef, lang: str, settings: Settings, now: float, *,
           snap: Snapshot | None = None, restart_failed: bool = True, deadline: Deadline | None = None,
           template: str = "standard") -> Answer:
    """start_summary on a snapshot already read. With `restart_failed` False a failed job is
    answered with its state (200) instead of being queued again, unless it never ran."""
    engine, model = current_generator(settings)
    snap = snap or store.snapshot(ref.id, lang, PROMPT_VERSION, model, template)
    meta = snap.meta
    cached = snap.jobs.get(ref.version) if ref.version else None
    if cached is not None and cached.status == "done":      # a cache hit never waits for arXiv
        return Answer(200, state_document(cached, _paper_for(meta, ref.version)), cache_hit=True)
    if _meta_outdated(meta, ref, settings, now):
        if snap.missing_until(ref.version, now) and (meta is None or (ref.version or 0) > (meta.latest_version or 0)):
            raise _missing(ref, meta, "(remembered)")     # arXiv said so a few minutes ago
        meta = _refresh_meta(store, ref, meta, settings, now, deadline)
    version = ref.version or meta.latest_version or 1
    if version > (meta.latest_version or version):
        _remember_missing(store, ref.id, version, settings, now)
        raise _missing(ref, meta)
    paper = _paper_for(meta, version)
    job = snap.jobs.get(version)
    if job is not None and job.status == "done":
        return Answer(200, state_document(job, paper), cache_hit=True)
    if job is not None and not _needs_requeue(job, settings, now):
        return Answer(202, state_document(job, paper))
    if job is not None and job.status == "failed" and not restart_failed and (job.error or {}).get("code") not in NEVER_RAN:
        return Answer(200, state_document(job, paper))

    key = JobKey(ref.id, version, lang, PROMPT_VERSION, model, template)
    try:
        if job is None:
            job = store.create_job(key, engine, now, _budget(settings, now))
        elif not _restart_is_charged(job):  # its message was lost, or the queue refused it: no new work
            was = job.status
            job = store.requeue_job(job, now)
            log.warning("requeued %s job %s without a charge", was, key.sk)
        else:                               # it ran (failed, or its worker died): new work, and limited
            day = utc_day(now)
            count = (job.restarts if job.restart_day == day else 0) + 1
            if count > settings.restart_limit:
                raise RestartLimit(f"{key.sk} was restarted {count - 1} times today (limit {settings.restart_limit})")
            was = job.status
            job = store.requeue_job(job, now, _budget(settings, now), restarts=(day, count))
            log.warning("restarted %s job %s (restart %d today)", was, key.sk, count)
    except Conflict as lost:
        if lost.current is None:
            raise StoreError(f"job {key.sk} changed while it was being created") from None
        done = lost.current.status == "done"
        return Answer(200 if done else 202, state_document(lost.current, paper), cache_hit=done)
    _send(store, job, engine, settings, now)
    return Answer(202, state_document(job, paper))


def _send(store: Store, job: Job, engine: str, settings: Settings, now: float) -> None:
    """Queue the job's message; when the queue refuses it, the job is failed (so that asking
    again queues it again) and QueueUnavailable raised."""
    from .queue import JobMessage, QueueUnavailable, send_job

    key = job.key
    message = JobMessage(paper_id=key.paper_id, version=key.version, lang=key.lang,
                         prompt_version=key.prompt_version, model=key.model, engine=engine, template=key.template)
    try:
        message_id = send_job(settings.queue_url, message)
    except QueueUnavailable as exc:
        try:
            store.fail_job(job, exc.to_dict(), now, settings.failed_ttl_days)
        except (Conflict, StoreError):
            log.exception("could not mark %s failed after the queue refused it", key.sk)
        raise
    try:
        store.mark_sent(key, message_id, now)
    except (Conflict, StoreError):   # the job then counts as unsent: lost only after queued_stale_seconds
        log.warning("could not record the message of %s", key.sk)


def _restart_is_charged(job: Job) -> bool:
    """Whether starting `job` again is new work: it ran and failed, or its worker died.
    A job that never ran (the queue refused it) or whose message was lost is not."""
    if job.status == "failed":
        return (job.error or {}).get("code") not in NEVER_RAN
    return job.status == "running"


def _missing(ref: PaperRef, meta: Meta | None, note: str = "") -> PaperNotFound:
    if meta is None or not ref.version:
        return PaperNotFound(f"arXiv has no paper {ref.id} {note}".strip())
    latest = meta.latest_version
    return PaperNotFound(f"{ref.id} has no version v{ref.version} (latest is v{latest}) {note}".strip(),
                         message_ja=f"この論文にはバージョン v{ref.version} がありません(最新は v{latest} です)。")


def _remember_missing(store: Store, paper_id: str, version: int | None, settings: Settings, now: float) -> None:
    """The negative cache: arXiv is not asked again about this id/version for a few minutes."""
    if settings.arxiv_missing_ttl_seconds <= 0:
        return
    try:
        store.put_missing(paper_id, version, now, settings.arxiv_missing_ttl_seconds)
    except StoreError:
        log.warning("could not remember that arXiv has no %s v%s", paper_id, version or "-")


def _budget(settings: Settings, now: float) -> Budget:
    if settings.daily_generation_cap <= 0:
        raise BudgetExceeded("daily generation cap is 0")
    return Budget(utc_day(now), settings.daily_generation_cap)


def _stale(meta: Meta, settings: Settings, now: float) -> bool:
    return now - meta.fetched_epoch > settings.metadata_ttl_hours * 3600


def _meta_outdated(meta: Meta | None, ref: PaperRef, settings: Settings, now: float) -> bool:
    """Whether `ref` needs arXiv: no metadata, old metadata, or a version newer than it knows."""
    return meta is None or _stale(meta, settings, now) or bool(ref.version and ref.version > (meta.latest_version or 0))


def _refresh_meta(store: Store, ref: PaperRef, old: Meta | None, settings: Settings, now: float,
                  deadline: Deadline | None = None) -> Meta:
    """Read the metadata (latest version) from arXiv by `deadline`; an old copy serves when
    arXiv is down."""
    from .arxiv import get_client

    try:
        paper = get_client().fetch_metadata(PaperRef(ref.id), deadline)
    except PaperNotFound:
        _remember_missing(store, ref.id, None, settings, now)
        raise
    except RonbunError as exc:
        if old is not None and exc.retryable and (ref.version or 0) <= (old.latest_version or 0):
            log.warning("arXiv metadata refresh of %s failed (%s); using the copy from the table", ref.id, exc.code)
            return old
        raise
    return store.put_meta(paper, now)


def _paper_for(meta: Meta | None, version: int | None) -> dict | None:
    """The public paper document (no null fields) of `version`, from the stored metadata."""
    if meta is None:
        return None
    doc = {k: v for k, v in meta.doc.items() if v is not None}
    if version and doc.get("version") != version:
        old, new = f"{doc['id']}v{doc.get('version')}", f"{doc['id']}v{version}"
        doc.update(version=version, abs_url=doc.get("abs_url", "").replace(old, new),
                   pdf_url=doc.get("pdf_url", "").replace(old, new))
    return doc


def _needs_requeue(job: Job, settings: Settings, now: float) -> bool:
    """Failed jobs may be asked for again; so may jobs whose worker or message was lost,
    decided from facts: a lease that ended, a message never recorded as sent, a message past
    the queue's retention, or a queue that holds no message at all."""
    if job.status == "failed":
        return True
    if job.status == "running":
        return (job.lease_until or 0) + LEASE_GRACE_SECONDS < now
    if job.status == "queued":
        return _message_lost(job, settings, now)
    return False


def _message_lost(job: Job, settings: Settings, now: float) -> bool:
    """Whether a queued job's message is gone. Age alone never says so: a backlog may hold a
    message for hours. Without a recorded message (never sent, or the record failed) the old
    rule stands: untouched for `queued_stale_seconds`."""
    quiet = now - max(job.updated_epoch, job.sent_epoch or 0.0, job.retry_at or 0.0)
    if job.message_id is None:
        return quiet > max(settings.queued_stale_seconds, SEND_GRACE_SECONDS)
    if job.sent_epoch is not None and now - job.sent_epoch > settings.queue_retention_seconds:
        return True                 # SQS deleted it
    if quiet <= max(settings.queued_stale_seconds, SEND_GRACE_SECONDS):
        return False
    from .queue import queue_is_empty

    return queue_is_empty(settings.queue_url) is True   # not a single message, visible or in flight


# ---------------------------------------------------------------------------- API: digests

FAILED_NOT_RESTARTED_JA = ("この論文の要約は失敗しています。ダイジェストのリクエストでは再実行しません"
                           "(POST /v1/summaries でこの論文を個別にリクエストすると再実行します)。")
NOT_STARTED_JA = "この論文はまだ開始していません。もう一度リクエストすると開始します。"


@dataclass
class DigestItem:
    """One paper of a digest: its status (done, queued, running, failed, or not_started when
    this request could not start it) and, when it has one, its state document."""
    ref: PaperRef
    status: str
    state: dict = field(default_factory=dict)
    error: dict | None = None

    def line(self) -> dict:
        """The paper's line in the 202 body."""
        line: dict = {"paper_id": str(self.ref), "status": self.status}
        if self.state.get("version"):
            line["version"] = self.state["version"]
        if (self.state.get("paper") or {}).get("title"):
            line["title"] = self.state["paper"]["title"]
        if self.state.get("stage"):
            line["stage"] = self.state["stage"]
        if self.error:
            line["error"] = self.error
        if self.status == "failed" and self.state:
            line.update(restarted=False, message_ja=FAILED_NOT_RESTARTED_JA)
        elif self.status == "not_started":
            line["message_ja"] = (self.error or {}).get("message_ja") or NOT_STARTED_JA
        return line


@dataclass
class Digest:
    """Every paper of a digest request. `ready` when each one is done or failed for good."""
    request: DigestRequest
    items: list[DigestItem]

    @property
    def ready(self) -> bool:
        return all(item.status in ("done", "failed") for item in self.items)

    @property
    def partial(self) -> bool:
        return any(item.status == "failed" for item in self.items)

    def pending_body(self) -> dict:
        counts = {s: sum(1 for i in self.items if i.status == s) for s in ("done", "failed")}
        return {"status": "pending", "total": len(self.items), **counts, "papers": [i.line() for i in self.items]}

    def markdown(self) -> str:
        """The post (DESIGN.md "Digest format"); a failed paper's entry says why, in Japanese."""
        from .models import Paper, Result
        from .render import DigestEntry, digest_markdown

        entries = []
        for item in self.items:
            if item.status == "done":
                entries.append(DigestEntry(str(item.ref), result=Result.model_validate(item.state["result"])))
            else:
                paper = item.state.get("paper")
                entries.append(DigestEntry(str(item.ref), paper=Paper.model_validate(paper) if paper else None,
                                           error_ja=(item.error or {}).get("message_ja")))
        return digest_markdown(entries, title=self.request.title, intro=self.request.intro)


def digest(request: DigestRequest, *, settings: Settings | None = None, now: float | None = None,
           clock: Callable[[], float] = time.monotonic, start_seconds: float = DIGEST_START_SECONDS,
           deadline: Deadline | None = None) -> Digest:
    """The state of every paper of a digest, starting the missing ones exactly as
    POST /v1/summaries does (one job per key, within the daily cap).

    A failed paper is reported, not restarted: a digest is polled until it is ready, and
    every poll would otherwise spend the budget again on a paper that fails for a reason of
    its own. Papers that need arXiv (unknown or stale metadata) are looked up only during the
    first `start_seconds`: arXiv's 3 s pacing makes each slow, and the next request starts the
    rest. A paper arXiv does not know is failed; a store or queue outage fails the request.

    The whole request ends by `deadline` (DIGEST_SECONDS from now by default, inside API
    Gateway's 29 s): a look-up is cut off where it would leave less than DIGEST_WRITE_SECONDS
    for its paper's job, and papers it has no time left for are reported not started."""
    settings = settings or get_settings()
    now = time.time() if now is None else now
    deadline = as_deadline(deadline).capped(DIGEST_SECONDS)
    lookups = deadline.earlier(DIGEST_WRITE_SECONDS)
    store = get_store(settings)
    _, model = current_generator(settings)
    stop_looking_up = clock() + start_seconds
    items = []
    for ref in request.refs:
        if deadline.left() < DIGEST_WRITE_SECONDS:
            items.append(DigestItem(ref, "not_started"))
            continue
        snap = store.snapshot(ref.id, request.lang, PROMPT_VERSION, model, request.template)
        if _meta_outdated(snap.meta, ref, settings, now) and (clock() > stop_looking_up or lookups.left() <= 0):
            items.append(DigestItem(ref, "not_started"))
            continue
        try:
            answer = _start(store, ref, request.lang, settings, now, snap=snap, restart_failed=False,
                            deadline=lookups, template=request.template)
        except (PaperNotFound, InvalidPaperId, ArxivUnavailable, BudgetExceeded, RestartLimit, ArxivBusy,
                DeadlineExceeded) as exc:
            items.append(DigestItem(ref, "not_started" if exc.retryable else "failed", error=exc.to_dict()))
            continue
        state = answer.body
        items.append(DigestItem(ref, state["status"], state=state, error=state.get("error")))
    return Digest(request, items)


# ---------------------------------------------------------------------------- worker

@dataclass
class JobOutcome:
    """What became of one message: done, failed (terminal) or skipped (nothing to do)."""
    status: Literal["done", "failed", "skipped"]
    paper_id: str
    error: dict | None = None
    seconds: float = 0.0
    generator: dict = field(default_factory=dict)


def parse_job_message(body: str) -> JobMessage:
    from pydantic import ValidationError

    from .queue import JobMessage

    try:
        return JobMessage.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidRequest(f"invalid job message: {exc.error_count()} error(s)") from None


def run_job(message: JobMessage, *, receive_count: int, lease_seconds: float | None = None,
            settings: Settings | None = None, clock: Callable[[], float] = time.time,
            message_id: str | None = None, retry_later: Callable[[int], None] | None = None,
            deadline: Deadline | None = None) -> JobOutcome:
    """Run one queued job. Returns when the message can be deleted; raises a retryable
    RonbunError when it should come back later (the job is back in `queued` by then).

    `retry_later(seconds)` makes the message come back after that many seconds (SQS message
    visibility): a transient failure is retried after `settings.retry_delay(receive_count)`,
    not after the queue's whole visibility timeout, and the job says when (`retry_at`).
    Every stage ends by `deadline` (the worker keeps time back for the writes after it): a
    step that cannot finish in time is not started, and the job is released or failed with
    DeadlineExceeded saying why."""
    settings = settings or get_settings()
    store = get_store(settings)
    key = JobKey(message.paper_id, message.version, message.lang, message.prompt_version, message.model,
                 message.template)
    final = receive_count >= settings.max_attempts
    owner = uuid.uuid4().hex
    now = clock()
    if receive_count > settings.max_attempts:
        return _give_up(store, key, settings, now, "received too often")
    try:
        job = store.claim_job(key, owner, now + (lease_seconds or settings.lease_seconds), now,
                              receive_count=receive_count, message_id=message_id)
    except StoreError:
        if not final:       # the table is throttled or down: try again after the back-off
            _retry_later(retry_later, settings.retry_delay(receive_count))
        raise
    except Conflict as refused:
        current = refused.current
        if current is None or current.status in ("done", "failed"):
            log.info("nothing to do for %s (%s)", key.sk, current.status if current else "no such job")
            return JobOutcome("skipped", key.paper_id)
        if current.message_id and message_id and current.message_id != message_id:
            log.info("%s: a duplicate message of a job another worker runs; dropped", key.sk)
            return JobOutcome("skipped", key.paper_id)     # that worker's own message covers its death
        if final:
            return _give_up(store, key, settings, now, "still leased on the last delivery")
        # the same message again while its worker still runs: it comes back after the queue's
        # visibility timeout (longer than a worker can run), not after the short back-off
        raise JobBusy(f"{key.sk} is leased by another worker until {current.lease_until}") from None

    started = clock()
    try:
        result = _summarize(store, key, message, owner, settings, clock, deadline)
        store.complete_job(key, owner, result, clock())
    except LeaseLost:
        log.warning("lost the lease on %s; another worker owns it now", key.sk)
        return JobOutcome("skipped", key.paper_id)
    except Exception as exc:
        # unexpected errors keep their details in the log, not in the public error document
        error = exc if isinstance(exc, RonbunError) else RonbunError("internal error", retryable=True)
        if not isinstance(exc, RonbunError):
            log.exception("unexpected error in %s", key.sk)
        if error.retryable and not final and job.attempts < settings.max_attempts:
            delay = settings.retry_delay(receive_count)
            retry_at = clock() + delay if _retry_later(retry_later, delay) else None
            _quietly(store.release_job, key, owner, error.to_dict(), clock(), retry_at, error.to_dict())
            log.warning("attempt %d of %s failed with %s; will retry after %s", job.attempts, key.sk, error.code,
                        f"{delay} s" if retry_at else "the queue's visibility timeout")
            if error is exc:
                raise
            raise error from exc
        _quietly(store.fail_owned_job, key, owner, error.to_dict(), clock(), settings.failed_ttl_days)
        log.warning("job %s failed: %s: %s", key.sk, error.code, error.message)
        return JobOutcome("failed", key.paper_id, error=error.to_dict(), seconds=clock() - started)
    return JobOutcome("done", key.paper_id, seconds=clock() - started, generator=result.get("generator", {}))


def _summarize(store: Store, key: JobKey, message: JobMessage, owner: str, settings: Settings,
               clock: Callable[[], float], deadline: Deadline | None = None) -> dict:
    from .pipeline import summarize
    from .secrets import with_openai_key

    if message.prompt_version != PROMPT_VERSION:
        raise VersionSkew(f"job wants prompt version {message.prompt_version}, this worker has {PROMPT_VERSION}")
    ref = parse_id(key.paper_id).with_version(key.version)
    if message.engine == "openai":
        settings = with_openai_key(settings)
    meta = store.get_meta(key.paper_id)
    paper = meta.paper if meta is not None and meta.doc.get("version") == key.version else None
    writer = PartialWriter(lambda partial: store.set_partial(key, owner, partial, clock()),
                           Throttle(PARTIAL_WRITE_SECONDS))
    try:
        result = summarize(ref, paper=paper, engine=message.engine, model=message.model, settings=settings,
                           progress=lambda stage: store.set_stage(key, owner, stage, clock()), deadline=deadline,
                           on_partial=writer, template=key.template)
    except BaseException:
        writer.close(flush=False)        # a failed job shows no partial result
        raise
    writer.close()                       # the last verified state is written before the result
    return result.model_dump(mode="json")


class Throttle:
    """At most one event per `interval` seconds of `clock`: `wait()` says how long until the
    next may happen (0: now), `mark()` records one."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic):
        self.interval, self.clock = interval, clock
        self.last: float | None = None

    def wait(self) -> float:
        return 0.0 if self.last is None else max(0.0, self.last + self.interval - self.clock())

    def mark(self) -> None:
        self.last = self.clock()


def _later(seconds: float, call: Callable[[], None]):
    timer = threading.Timer(seconds, call)
    timer.daemon = True
    timer.start()
    return timer


class PartialWriter:
    """Writes the newest partial document of a job through `write`, throttled: a document that
    comes too soon after the last write is kept and written when the throttle allows (a timer),
    or replaced by a newer one first. `close()` writes what is still pending (or, with
    flush=False, drops it); nothing is written after it. A failed write is logged, never raised."""

    def __init__(self, write: Callable[[dict], object], throttle: Throttle,
                 later: Callable[[float, Callable[[], None]], object] = _later):
        self._write, self.throttle, self._later = write, throttle, later
        self._lock = threading.Lock()
        self._pending: dict | None = None
        self._timer = None
        self._closed = False
        self.writes = 0

    def __call__(self, partial: dict) -> None:
        with self._lock:
            if self._closed:
                return
            self._pending = partial
            wait = self.throttle.wait()
            if wait <= 0:
                self._flush_locked()
            elif self._timer is None:
                self._timer = self._later(wait, self.flush)

    def flush(self) -> None:
        with self._lock:
            self._timer = None
            if not self._closed:
                self._flush_locked()

    def close(self, flush: bool = True) -> None:
        with self._lock:
            if self._timer is not None and hasattr(self._timer, "cancel"):
                self._timer.cancel()
            self._timer = None
            if flush:
                self._flush_locked()
            self._pending, self._closed = None, True

    def _flush_locked(self) -> None:
        partial, self._pending = self._pending, None
        if partial is None:
            return
        self.throttle.mark()
        try:
            self._write(partial)
            self.writes += 1
        except (Conflict, StoreError) as exc:     # LeaseLost is a Conflict: the job's end says so
            log.warning("could not write the partial result: %s", type(exc).__name__)


def _give_up(store: Store, key: JobKey, settings: Settings, now: float, why: str) -> JobOutcome:
    """Mark a job failed (JobLost) so that it never stays queued or running for ever."""
    current = store.get_job(key)
    if current is None or current.status in ("done", "failed"):
        return JobOutcome("skipped", key.paper_id)
    error = JobLost(f"job {key.sk} abandoned: {why}").to_dict()
    try:
        store.fail_job(current, error, now, settings.failed_ttl_days)
    except Conflict:
        return JobOutcome("skipped", key.paper_id)
    log.warning("job %s marked failed: %s", key.sk, why)
    return JobOutcome("failed", key.paper_id, error=error)


def _retry_later(retry_later: Callable[[int], None] | None, seconds: float) -> bool:
    """Ask for the message to come back in `seconds`; False when that could not be arranged
    (it then comes back after the queue's visibility timeout)."""
    if retry_later is None:
        return False
    try:
        retry_later(int(max(0, round(seconds))))
        return True
    except RonbunError as exc:
        log.warning("could not schedule the retry (%s); the queue's visibility timeout applies", exc.code)
        return False


def _quietly(write: Callable, *args) -> None:
    """A state write after a failure: losing the lease by then is not worth another error."""
    try:
        write(*args)
    except LeaseLost:
        log.warning("lease lost before the failure of a job could be recorded")
