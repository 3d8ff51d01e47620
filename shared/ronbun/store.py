"""DynamoDB access: one table, three kinds of item (DESIGN.md "Data").

- ``PK=PAPER#<id> SK=META``: arXiv metadata of the latest version and when it was read.
- ``PK=PAPER#<id> SK=SUMMARY#v<n>#<lang>#<prompt_version>#<model>``: one job and its result.
- ``PK=BUDGET#<yyyy-mm-dd> SK=COUNT``: new generations started that UTC day.
- ``PK=PAPER#<id> SK=MISSING#v<n>``: arXiv said it has no such paper (v0) or version, until ``until``.
- ``PK=PACER#arxiv SK=PACER``: the next moment any process may send arXiv a request.

Every state change is a conditional write, so concurrent API requests and workers cannot
create a second job, resurrect a finished one or overwrite each other's lease. Documents
(paper, result) are stored as JSON strings: no float/Decimal round trips, and the item stays
a few tens of KB (the paper's text is never stored). The paper is read back as a plain
dict: a cached read builds no pydantic model (the API function never imports pydantic for one).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from . import clients
from .errors import BudgetExceeded, RonbunError

if TYPE_CHECKING:
    from .models import Paper

META_SK = "META"
MISSING_SK = "MISSING#v"
PACER_SK = "PACER"
BUDGET_SK = "COUNT"
BUDGET_KEEP_DAYS = 3
MAX_RESULT_BYTES = 300_000          # DynamoDB allows 400 KB per item; keep well below
MAX_PARTIAL_BYTES = 100_000         # a partial result larger than this is not written (it is a few KB)
STATUSES = ("queued", "running", "done", "failed")

_NAMES = {"#st": "status", "#rev": "rev"}
_TOKEN = re.compile(r"[:#]\w+")


class StoreError(RonbunError):
    """The table could not be read or written."""
    code = "storage_unavailable"
    status = 503
    message_ja = "データベースに一時的に接続できません。しばらくしてから再度お試しください。"
    retryable = True


class Conflict(Exception):
    """A conditional write lost: `current` is the item as it is now (None if absent)."""

    def __init__(self, current: "Job | None"):
        super().__init__("conditional write failed")
        self.current = current


class LeaseLost(Conflict):
    """The worker no longer owns the job it was working on."""


@dataclass(frozen=True)
class JobKey:
    paper_id: str
    version: int
    lang: str
    prompt_version: str
    model: str
    template: str = "standard"      # standard | ochiai; the standard key is the one it always was

    @property
    def pk(self) -> str:
        return paper_pk(self.paper_id)

    @property
    def sk(self) -> str:
        base = f"SUMMARY#v{self.version}#{self.lang}#{self.prompt_version}#{self.model}"
        return base if self.template == "standard" else f"{base}#{self.template}"

    def key(self) -> dict:
        return {"PK": {"S": self.pk}, "SK": {"S": self.sk}}


@dataclass
class Job:
    key: JobKey
    engine: str
    status: str
    rev: int
    stage: str | None = None
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: float | None = None
    error: dict | None = None
    result_json: str | None = None
    updated_at: str = ""
    updated_epoch: float = 0.0
    message_id: str | None = None       # the SQS message that carries the job (set when sent)
    sent_epoch: float | None = None
    receive_count: int = 0              # the delivery of that message the last claim came from
    retry_at: float | None = None       # when the released job's message comes back
    retry_error: dict | None = None     # why it was released
    restarts: int = 0                   # restarts charged on `restart_day` (UTC)
    restart_day: str | None = None
    partial_json: str | None = None     # the verified parts so far, while queued or running

    def result(self) -> dict | None:
        return json.loads(self.result_json) if self.result_json else None

    def partial(self) -> dict | None:
        return json.loads(self.partial_json) if self.partial_json else None


@dataclass
class Meta:
    """The stored metadata: `doc` is the Paper document as JSON data (every field, None included)."""
    doc: dict
    fetched_epoch: float

    @property
    def latest_version(self) -> int | None:
        return self.doc.get("latest_version") or self.doc.get("version")

    @property
    def paper(self) -> Paper:
        from .models import Paper

        return Paper.model_validate(self.doc)


@dataclass
class Snapshot:
    """What the table knows about one paper for one (lang, prompt version, model)."""
    meta: Meta | None
    jobs: dict[int, Job]
    missing: dict[int, float] = field(default_factory=dict)   # version (0: the paper) -> until

    def missing_until(self, version: int | None, now: float) -> float | None:
        """Until when arXiv is known not to have the paper (or this version), if it is."""
        until = max(self.missing.get(0, 0.0), self.missing.get(version or 0, 0.0))
        return until if until > now else None


@dataclass(frozen=True)
class Budget:
    """One more generation on `day`, allowed while fewer than `cap` were started."""
    day: str
    cap: int


def paper_pk(paper_id: str) -> str:
    return f"PAPER#{paper_id}"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d")


def _s(value: str) -> dict:
    return {"S": value}


def _n(value: float | int) -> dict:
    return {"N": repr(value) if isinstance(value, float) else str(value)}


def _get(item: dict, name: str, default: Any = None) -> Any:
    v = item.get(name)
    if v is None or "NULL" in v:
        return default
    if "S" in v:
        return v["S"]
    if "N" in v:
        n = v["N"]
        return float(n) if any(c in n for c in ".eE") else int(n)
    if "BOOL" in v:
        return v["BOOL"]
    return default


def _job_from_item(item: dict) -> Job:
    err, retry_err = _get(item, "error_json"), _get(item, "retry_error_json")
    return Job(
        key=JobKey(_get(item, "paper_id"), int(_get(item, "version")), _get(item, "lang"),
                   _get(item, "prompt_version"), _get(item, "model"), _get(item, "template", "standard")),
        engine=_get(item, "engine", ""), status=_get(item, "status"), rev=int(_get(item, "rev", 0)),
        stage=_get(item, "stage"), attempts=int(_get(item, "attempts", 0)),
        lease_owner=_get(item, "lease_owner"), lease_until=_get(item, "lease_until"),
        error=json.loads(err) if err else None, result_json=_get(item, "result_json"),
        updated_at=_get(item, "updated_at", ""), updated_epoch=float(_get(item, "updated_epoch", 0.0)),
        message_id=_get(item, "message_id"), sent_epoch=_get(item, "sent_epoch"),
        receive_count=int(_get(item, "receive_count", 0)), retry_at=_get(item, "retry_at"),
        retry_error=json.loads(retry_err) if retry_err else None, restarts=int(_get(item, "restarts", 0)),
        restart_day=_get(item, "restart_day"), partial_json=_get(item, "partial_json"))


def _meta_from_item(item: dict) -> Meta:
    return Meta(json.loads(_get(item, "paper_json")), float(_get(item, "fetched_epoch", 0.0)))


def _stamp(now: float) -> dict:
    return {":now_iso": _s(iso(now)), ":now": _n(round(now, 3)), ":one": _n(1)}


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class Store:
    """The table `table`; the client is the process's cached one unless given."""

    def __init__(self, table: str, client=None):
        self.table = table
        self._client = client

    @property
    def client(self):
        return self._client or clients.dynamodb()

    def _call(self, op: str, **kw) -> dict:
        try:
            return getattr(self.client, op)(TableName=self.table, **kw)
        except ClientError as exc:
            if _conditional_failed(exc):
                raise
            raise StoreError(f"DynamoDB {op} failed: {exc.response.get('Error', {}).get('Code')}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"DynamoDB {op} failed: {type(exc).__name__}") from exc

    # -- reads

    def snapshot(self, paper_id: str, lang: str, prompt_version: str, model: str,
                 template: str = "standard") -> Snapshot:
        """META and this generator's summaries of `paper_id`, in one Query. The partition holds
        a handful of items, so they are filtered here: a FilterExpression made the read ~15%
        slower on moto and saves nothing on capacity."""
        suffix = f"#{lang}#{prompt_version}#{model}" + ("" if template == "standard" else f"#{template}")
        kw: dict[str, Any] = dict(KeyConditionExpression="PK = :pk", ConsistentRead=True,
                                  ExpressionAttributeValues={":pk": _s(paper_pk(paper_id))})
        meta, jobs, missing = None, {}, {}
        while True:
            page = self._call("query", **kw)
            for item in page.get("Items", []):
                sk = item["SK"]["S"]
                if sk == META_SK:
                    meta = _meta_from_item(item)
                elif sk.startswith(MISSING_SK) and sk[len(MISSING_SK):].isdigit():
                    missing[int(sk[len(MISSING_SK):])] = float(_get(item, "until", 0.0))
                elif sk.startswith("SUMMARY#v") and sk.endswith(suffix):
                    job = _job_from_item(item)
                    if (job.key.lang, job.key.prompt_version, job.key.model, job.key.template) == \
                            (lang, prompt_version, model, template):
                        jobs[job.key.version] = job
            if "LastEvaluatedKey" not in page:
                return Snapshot(meta, jobs, missing)
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_job(self, key: JobKey) -> Job | None:
        item = self._call("get_item", Key=key.key(), ConsistentRead=True).get("Item")
        return _job_from_item(item) if item else None

    def get_meta(self, paper_id: str) -> Meta | None:
        item = self._call("get_item", Key={"PK": _s(paper_pk(paper_id)), "SK": _s(META_SK)}).get("Item")
        return _meta_from_item(item) if item else None

    def budget_used(self, day: str) -> int:
        item = self._call("get_item", Key={"PK": _s(f"BUDGET#{day}"), "SK": _s(BUDGET_SK)}).get("Item")
        return int(_get(item, "count", 0)) if item else 0

    # -- metadata

    def put_meta(self, paper: Paper, now: float) -> Meta:
        doc = paper.model_dump(mode="json")
        self._call("put_item", Item={
            "PK": _s(paper_pk(paper.id)), "SK": _s(META_SK),
            "paper_json": _s(json.dumps(doc, ensure_ascii=False, separators=(",", ":"))),
            "latest_version": _n(paper.latest_version or paper.version or 0),
            "fetched_at": _s(iso(now)), "fetched_epoch": _n(round(now, 3))})
        return Meta(doc, now)

    def put_missing(self, paper_id: str, version: int | None, now: float, ttl_seconds: float) -> None:
        """Remember for `ttl_seconds` that arXiv has no `paper_id` (version None) or no such version."""
        until = now + ttl_seconds
        self._call("put_item", Item={
            "PK": _s(paper_pk(paper_id)), "SK": _s(f"{MISSING_SK}{version or 0}"),
            "until": _n(round(until, 3)), "expires_at": _n(int(until) + 3600)})

    # -- the shared arXiv pacer

    def reserve_slot(self, name: str, interval: float, max_wait: float, lead: float = 0.0,
                     now: float | None = None) -> float | None:
        """Reserve the next free moment to send `name` a request, at least `interval` seconds
        after the one reserved before it, whichever process reserved that, and at least `lead`
        seconds from now (the time this write itself takes): the epoch to wait for, or None when
        it is more than `max_wait` seconds away (nothing is reserved then).

        One item holds the next free moment; a conditional update moves it on, so two callers
        never get the same slot; losing the race just means reading the new value and trying again."""
        key = {"PK": _s(f"PACER#{name}"), "SK": _s(PACER_SK)}
        item = self._call("get_item", Key=key, ConsistentRead=True).get("Item") or {}
        seen = _get(item, "next_at")
        for _ in range(50):
            now = time.time() if now is None else now
            slot = max(now + lead, float(seen)) if seen is not None else now + lead
            if slot - now > max_wait:
                return None
            kw: dict[str, Any] = dict(
                Key=key, UpdateExpression="SET next_at = :next, updated_at = :now_iso",
                ExpressionAttributeValues={":next": _n(round(slot + interval, 3)), ":now_iso": _s(iso(now))},
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
            if seen is None:
                kw["ConditionExpression"] = "attribute_not_exists(next_at)"
            else:
                kw["ConditionExpression"] = "next_at = :seen"
                kw["ExpressionAttributeValues"][":seen"] = _n(seen)
            try:
                self._call("update_item", **kw)
                return slot
            except ClientError as exc:
                seen = _get(exc.response.get("Item") or {}, "next_at")
                if seen is None:
                    item = self._call("get_item", Key=key, ConsistentRead=True).get("Item") or {}
                    seen = _get(item, "next_at")
                now = None
        raise StoreError(f"the {name} pacer kept conflicting")

    # -- jobs: API side

    def _budget_update(self, budget: Budget, now: float) -> dict:
        day_end = datetime.strptime(budget.day, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp() + 86400
        return {"Update": {
            "TableName": self.table, "Key": {"PK": _s(f"BUDGET#{budget.day}"), "SK": _s(BUDGET_SK)},
            "UpdateExpression": "ADD #c :one SET expires_at = :exp",
            "ConditionExpression": "attribute_not_exists(#c) OR #c < :cap",
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": {":one": _n(1), ":cap": _n(budget.cap),
                                          ":exp": _n(int(day_end + BUDGET_KEEP_DAYS * 86400))}}}

    def _transact(self, items: list[dict], job_key: JobKey, budget: Budget | None) -> None:
        """Run a transaction of [job write, budget update?]; a lost job condition raises
        Conflict, a spent budget BudgetExceeded. Transient conflicts are retried briefly."""
        for attempt in range(4):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except BotoCoreError as exc:
                raise StoreError(f"DynamoDB TransactWriteItems failed: {type(exc).__name__}") from exc
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code not in ("TransactionCanceledException", "TransactionConflictException"):
                    raise StoreError(f"DynamoDB TransactWriteItems failed: {code}") from exc
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise Conflict(self.get_job(job_key)) from None
                if budget and len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                    raise BudgetExceeded(f"daily generation cap of {budget.cap} reached for {budget.day}") from None
                current = self.get_job(job_key)       # TransactionConflict: someone else is writing
                if current is not None and items[0].get("Put"):
                    raise Conflict(current) from None
                time.sleep(0.02 * (attempt + 1))
        raise StoreError("DynamoDB transaction kept conflicting")

    def create_job(self, key: JobKey, engine: str, now: float, budget: Budget | None = None) -> Job:
        """The new queued job; Conflict(existing) when the key already has one."""
        job = Job(key=key, engine=engine, status="queued", rev=1, updated_at=iso(now), updated_epoch=round(now, 3))
        item = {"PK": _s(key.pk), "SK": _s(key.sk), "paper_id": _s(key.paper_id), "version": _n(key.version),
                "lang": _s(key.lang), "prompt_version": _s(key.prompt_version), "model": _s(key.model),
                "engine": _s(engine), "status": _s("queued"), "rev": _n(1), "attempts": _n(0),
                **({"template": _s(key.template)} if key.template != "standard" else {}),
                "created_at": _s(job.updated_at), "updated_at": _s(job.updated_at), "updated_epoch": _n(job.updated_epoch)}
        put = {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
        self._transact([put] + ([self._budget_update(budget, now)] if budget else []), key, budget)
        return job

    def requeue_job(self, seen: Job, now: float, budget: Budget | None = None, *,
                    restarts: tuple[str, int] | None = None) -> Job:
        """Back to queued from the state `seen` (failed, or stuck); Conflict if it moved on.
        `restarts` (day, count) records a charged restart: the caller checked the limit on `seen`,
        and the condition on `rev` makes that check hold."""
        expr = ("SET #st = :queued, #rev = #rev + :one, attempts = :zero, updated_at = :now_iso, updated_epoch = :now")
        values = {**_stamp(now), ":queued": _s("queued"), ":zero": _n(0), ":seen": _n(seen.rev)}
        if restarts is not None:
            expr += ", restart_day = :rday, restarts = :rcount"
            values.update({":rday": _s(restarts[0]), ":rcount": _n(restarts[1])})
        update = {"Update": {
            "TableName": self.table, "Key": seen.key.key(),
            "UpdateExpression": expr + " REMOVE stage, lease_owner, lease_until, error_json, expires_at, message_id, "
                                       "sent_epoch, retry_at, retry_error_json, receive_count, partial_json",
            "ConditionExpression": "#rev = :seen",
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": values}}
        self._transact([update] + ([self._budget_update(budget, now)] if budget else []), seen.key, budget)
        day, count = restarts if restarts is not None else (seen.restart_day, seen.restarts)
        return Job(key=seen.key, engine=seen.engine, status="queued", rev=seen.rev + 1,
                   updated_at=iso(now), updated_epoch=round(now, 3), restarts=count, restart_day=day)

    def mark_sent(self, key: JobKey, message_id: str, now: float) -> None:
        """Record the SQS message that carries the job: the fact that its message exists."""
        self._update(key, "SET message_id = :mid, sent_epoch = :now", "attribute_exists(PK)",
                     {":mid": _s(message_id)}, now)

    def fail_job(self, seen: Job, error: dict, now: float, ttl_days: int) -> None:
        """Mark failed from the state `seen` (a lost message, a job whose queue message
        could not be sent); the lease owner is kept so a live worker can still finish."""
        self._update(seen.key, "SET #st = :failed, #rev = #rev + :one, error_json = :err, updated_at = :now_iso, "
                               "updated_epoch = :now, expires_at = :exp REMOVE partial_json",
                     "#rev = :seen", {":failed": _s("failed"), ":err": _s(json.dumps(error, ensure_ascii=False)),
                                      ":seen": _n(seen.rev), ":exp": _n(int(now + ttl_days * 86400))}, now)

    # -- jobs: worker side

    def claim_job(self, key: JobKey, owner: str, lease_until: float, now: float, *, receive_count: int = 0,
                  message_id: str | None = None) -> Job:
        """Own the job until `lease_until` if it is queued, or running with an expired lease.
        The delivery it came from (message id, receive count) is recorded on the job."""
        mid = ", message_id = :mid" if message_id else ""
        attrs = self._update(
            key, "SET #st = :running, #rev = #rev + :one, attempts = attempts + :one, lease_owner = :owner, "
                 f"lease_until = :until, updated_at = :now_iso, updated_epoch = :now, receive_count = :rc{mid} "
                 "REMOVE stage, error_json, retry_at, retry_error_json",
            "attribute_exists(PK) AND (#st = :queued OR (#st = :running AND lease_until < :now))",
            {":running": _s("running"), ":queued": _s("queued"), ":owner": _s(owner), ":rc": _n(receive_count),
             ":until": _n(round(lease_until, 3)), **({":mid": _s(message_id)} if message_id else {})},
            now, returning=True)
        return _job_from_item(attrs)

    def set_stage(self, key: JobKey, owner: str, stage: str, now: float) -> None:
        self._update(key, "SET stage = :stage, updated_at = :now_iso, updated_epoch = :now",
                     "lease_owner = :owner", {":stage": _s(stage), ":owner": _s(owner)}, now, lease=True)

    def set_partial(self, key: JobKey, owner: str, partial: dict, now: float) -> bool:
        """Show the verified parts so far (DESIGN.md "Partial results") while this worker owns
        the job (LeaseLost otherwise); False, and nothing written, when the document is over
        MAX_PARTIAL_BYTES."""
        doc = json.dumps(partial, ensure_ascii=False, separators=(",", ":"))
        if len(doc.encode()) > MAX_PARTIAL_BYTES:
            return False
        self._update(key, "SET partial_json = :partial, updated_at = :now_iso, updated_epoch = :now",
                     "lease_owner = :owner", {":partial": _s(doc), ":owner": _s(owner)}, now, lease=True)
        return True

    def complete_job(self, key: JobKey, owner: str, result: dict, now: float) -> None:
        """Store the result; refused (LeaseLost) if another worker took the job over."""
        doc = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        if len(doc.encode()) > MAX_RESULT_BYTES:
            raise RonbunError(f"result document is {len(doc.encode())} bytes (limit {MAX_RESULT_BYTES})")
        gen = result.get("generator") or {}
        self._update(
            key, "SET #st = :done, #rev = #rev + :one, result_json = :doc, input_tokens = :in, output_tokens = :out, "
                 "cost_usd = :cost, updated_at = :now_iso, updated_epoch = :now, completed_at = :now_iso "
                 "REMOVE stage, lease_owner, lease_until, error_json, expires_at, partial_json",
            "lease_owner = :owner",
            {":done": _s("done"), ":doc": _s(doc), ":owner": _s(owner), ":in": _n(int(gen.get("input_tokens", 0))),
             ":out": _n(int(gen.get("output_tokens", 0))), ":cost": _n(float(gen.get("cost_usd", 0.0)))},
            now, lease=True)

    def release_job(self, key: JobKey, owner: str, error: dict, now: float, retry_at: float | None = None,
                    reason: dict | None = None) -> None:
        """Give a job back to the queue after a failure worth retrying; `retry_at` is when its
        message comes back, `reason` the public why (both shown while it waits)."""
        retry = ", retry_at = :rat, retry_error_json = :rerr" if retry_at is not None else ""
        self._update(key, "SET #st = :queued, #rev = #rev + :one, last_error_json = :err, updated_at = :now_iso, "
                          f"updated_epoch = :now{retry} REMOVE stage, lease_owner, lease_until",
                     "lease_owner = :owner", {":queued": _s("queued"), ":owner": _s(owner),
                                              ":err": _s(json.dumps(error, ensure_ascii=False)),
                                              ":rat": _n(round(retry_at or 0.0, 3)),
                                              ":rerr": _s(json.dumps(reason or error, ensure_ascii=False))},
                     now, lease=True)

    def fail_owned_job(self, key: JobKey, owner: str, error: dict, now: float, ttl_days: int) -> None:
        self._update(key, "SET #st = :failed, #rev = #rev + :one, error_json = :err, updated_at = :now_iso, "
                          "updated_epoch = :now, expires_at = :exp REMOVE stage, lease_owner, lease_until, partial_json",
                     "lease_owner = :owner", {":failed": _s("failed"), ":owner": _s(owner),
                                              ":err": _s(json.dumps(error, ensure_ascii=False)),
                                              ":exp": _n(int(now + ttl_days * 86400))}, now, lease=True)

    def _update(self, key: JobKey, expr: str, cond: str, values: dict, now: float, *, lease: bool = False,
                returning: bool = False) -> dict:
        used = set(_TOKEN.findall(f"{expr} {cond}"))
        names = {k: v for k, v in _NAMES.items() if k in used}
        kw = dict(Key=key.key(), UpdateExpression=expr, ConditionExpression=cond,
                  ExpressionAttributeValues={k: v for k, v in {**_stamp(now), **values}.items() if k in used},
                  ReturnValuesOnConditionCheckFailure="ALL_OLD")
        if names:
            kw["ExpressionAttributeNames"] = names
        if returning:
            kw["ReturnValues"] = "ALL_NEW"
        try:
            return self._call("update_item", **kw).get("Attributes", {})
        except ClientError as exc:
            old = exc.response.get("Item")
            current = _job_from_item(old) if old and "status" in old else None
            raise (LeaseLost if lease else Conflict)(current) from None
