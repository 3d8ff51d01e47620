"""Real event shapes (from `sam local generate-event`) for handler tests."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

EVENTS = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def _read(name: str) -> dict:
    return json.loads((EVENTS / f"{name.removesuffix('.json')}.json").read_text(encoding="utf-8"))


def load_event(name: str, **overrides) -> dict:
    """A fresh copy of tests/events/<name>.json with top-level keys replaced by `overrides`
    (``headers`` given as a dict are merged into the event's headers, and mirrored into
    ``multiValueHeaders``, so a test can change one header without restating the rest)."""
    event = copy.deepcopy(_read(name))
    headers = overrides.pop("headers", None)
    event.update(overrides)
    if headers is not None:
        for key, value in headers.items():
            for table in ("headers", "multiValueHeaders"):
                existing = event.get(table) or {}
                for k in [k for k in existing if k.lower() == key.lower()]:
                    del existing[k]
                if value is not None:
                    existing[key] = value if table == "headers" else [value]
                event[table] = existing
    return event
