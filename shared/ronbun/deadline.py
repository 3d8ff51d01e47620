"""One deadline per request or job, handed down to every call that waits.

Each call takes the smaller of its own limit and what is left (`timeout`), and a step that
cannot finish in the time left is not started (`require`): the job then stops cleanly, with a
DeadlineExceeded that says why, instead of being killed by Lambda in the middle of a write.
"""

from __future__ import annotations

import math
import time
from typing import Callable

from .errors import DeadlineExceeded


class Deadline:
    """A moment on the monotonic clock; `Deadline.none()` never passes."""

    __slots__ = ("at", "clock")

    def __init__(self, at: float = math.inf, clock: Callable[[], float] = time.monotonic):
        self.at, self.clock = at, clock

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    @classmethod
    def none(cls) -> Deadline:
        return cls()

    def left(self) -> float:
        """Seconds left (inf without a deadline, negative once it has passed)."""
        return self.at - self.clock() if math.isfinite(self.at) else math.inf

    def earlier(self, seconds: float) -> Deadline:
        """The same deadline, `seconds` sooner (time kept back for what must follow)."""
        return Deadline(self.at - seconds, self.clock)

    def capped(self, seconds: float) -> Deadline:
        """The sooner of this deadline and `seconds` from now."""
        return Deadline(min(self.at, self.clock() + seconds), self.clock)

    def limits(self, own: float) -> bool:
        """Whether what is left is shorter than `own` (the deadline, not the call, sets the limit)."""
        return self.left() < own

    def timeout(self, own: float, what: str, *, least: float = 0.0) -> float:
        """The smaller of `own` and what is left; DeadlineExceeded when that is not more than
        `least` seconds (too little to be worth starting `what`)."""
        left = self.left()
        if left <= max(least, 0.0):
            raise exceeded(what, left)
        return min(own, left)

    def require(self, seconds: float, what: str) -> None:
        """Raise DeadlineExceeded unless at least `seconds` are left for `what`."""
        left = self.left()
        if left < seconds:
            raise exceeded(what, left)


def exceeded(what: str, left: float) -> DeadlineExceeded:
    return DeadlineExceeded(f"not enough time left for {what} ({max(left, 0.0):.1f} s left)")


def as_deadline(deadline: Deadline | None) -> Deadline:
    return deadline if deadline is not None else Deadline.none()
